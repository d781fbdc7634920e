/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_bufsz: buffer sizes negotiated with VIRTIO_RPMSG_F_BUFSZ (both
 * directions, odd and extreme sizes), 512 without it, bad offers and
 * missing or small pools refused with a message; event idx negotiated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define F_NS (1u << VIRTIO_RPMSG_F_NS)
#define F_BUFSZ (1u << VIRTIO_RPMSG_F_BUFSZ)
#define F_EVENT_IDX (1u << VIRTIO_RING_F_EVENT_IDX)

static atomic_uint got, bad;
static atomic_size_t last_len;
static struct rpmsg_endpoint *EP;

/* Messages are h_pattern(len, i): the length is the seed. */
static int rx_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		 uint32_t src, void *priv)
{
	const uint8_t *b = data;

	(void)ept;
	(void)src;
	(void)priv;
	for (size_t i = 0; i < len; i++)
		if (b[i] != h_pattern((uint32_t)len, (uint32_t)i)) {
			atomic_fetch_add(&bad, 1);
			break;
		}
	atomic_store(&last_len, len);
	atomic_fetch_add(&got, 1);
	pthread_mutex_lock(&H->ev_lock);
	h_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return 0;
}

/* With a single receive buffer the remote can announce only its first
 * channel (the firmware's announcements do not wait for buffers): then
 * only "rpmsg-echo" is waited for. */
static struct harness *boot_one(const struct h_cfg *cfg, bool need_cmd)
{
	struct harness *h = h_new(cfg);

	atomic_store(&got, 0);
	atomic_store(&bad, 0);
	assert_int_equal(h_boot(h), 0);
	assert_true(
		H_WAIT(h, h->rdev && h->echo_addr && (h->cmd_addr || !need_cmd),
		       5000));
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
					  h->echo_addr, rx_cb, NULL, NULL, &EP),
			 0);
	return h;
}

static struct harness *boot(const struct h_cfg *cfg)
{
	return boot_one(cfg, true);
}

/* Echo one message of @len bytes. */
static void echo(struct harness *h, size_t len)
{
	uint8_t *buf = malloc(len);
	unsigned n = atomic_load(&got);

	for (size_t i = 0; i < len; i++)
		buf[i] = h_pattern((uint32_t)len, (uint32_t)i);
	assert_int_equal(rpmsg_send(EP, buf, len), 0);
	assert_true(H_WAIT(h, atomic_load(&got) == n + 1, 5000));
	assert_int_equal(atomic_load(&last_len), len);
	assert_int_equal(atomic_load(&bad), 0);
	free(buf);
}

/* The remote sends @len bytes on its own (to the sender of the command). */
static void big(struct harness *h, uint32_t len)
{
	uint32_t cmd[2] = {H_CMD_BIG, len};
	unsigned n = atomic_load(&got);

	assert_int_equal(rpmsg_sendto(EP, h->cmd_addr, cmd, sizeof(cmd)), 0);
	assert_true(H_WAIT(h, atomic_load(&got) == n + 1, 5000));
	assert_int_equal(atomic_load(&last_len), len);
	assert_int_equal(atomic_load(&bad), 0);
}

static void done(struct harness *h)
{
	rpmsg_destroy_ept(EP);
	EP = NULL;
	h_free(h);
}

static void test_256_1024(void **state)
{
	struct h_cfg cfg;
	struct harness *h;
	uint8_t x[241] = {0};

	(void)state;
	h_cfg_default(&cfg);
	cfg.h2r = 256;
	cfg.r2h = 1024;
	h = boot(&cfg);
	assert_int_equal(rpmsg_device_mtu(h->rdev), 240);
	assert_int_equal(rpmsg_device_rx_mtu(h->rdev), 1008);
	assert_true(rpmsg_device_features(h->rdev) & F_BUFSZ);
	echo(h, 240);
	echo(h, 1);
	assert_int_equal(rpmsg_send(EP, x, 241), -EMSGSIZE);
	big(h, 1008);
	/* the remote refuses more itself */
	{
		uint32_t cmd[2] = {H_CMD_BIG, 1009};

		assert_int_equal(rpmsg_sendto(EP, h->cmd_addr, cmd, 8), 0);
		assert_true(H_WAIT(h, h->remote_errors == 1, 5000));
	}
	/* many messages: 32 receive buffers of 1024, 64 transmit of 256 */
	for (int i = 0; i < 300; i++)
		echo(h, 1 + (unsigned)i % 240);
	done(h);
}

static void test_no_bufsz(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	(void)state;
	h_cfg_default(&cfg);
	cfg.dfeatures = F_NS;
	cfg.h2r = 100; /* ignored without the feature */
	cfg.r2h = 2000;
	h = boot(&cfg);
	assert_int_equal(rpmsg_device_mtu(h->rdev), 496);
	assert_int_equal(rpmsg_device_rx_mtu(h->rdev), 496);
	assert_int_equal(rpmsg_device_features(h->rdev), F_NS);
	echo(h, 496);
	big(h, 496);
	done(h);
}

/* Sizes that are no multiple of anything: buffers 8 bytes apart at least. */
static void test_odd_sizes(void **state)
{
	struct h_cfg cfg;
	struct harness *h;
	uint32_t rnd = 99;

	(void)state;
	h_cfg_default(&cfg);
	cfg.h2r = 1001;
	cfg.r2h = 333;
	h = boot(&cfg);
	assert_int_equal(rpmsg_device_mtu(h->rdev), 985);
	assert_int_equal(rpmsg_device_rx_mtu(h->rdev), 317);
	for (int i = 0; i < 500; i++)
		echo(h, 1 + h_rand(&rnd) % 317);
	big(h, 317);
	done(h);
}

/* The extremes: 17 bytes (one byte of payload) and 65551 (a 16-bit len). */
static void test_extremes(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	(void)state;
	h_cfg_default(&cfg);
	cfg.h2r = 65551;
	cfg.r2h = 65551;
	cfg.pool_len = 2 * 65552;
	h = boot_one(&cfg, false);
	assert_int_equal(rpmsg_device_mtu(h->rdev), 65535);
	echo(h, 65535);
	echo(h, 3);
	done(h);

	/* 17 bytes: too small for a name-service message, so the remote
	 * cannot announce its channels: no boot() */
	h_cfg_default(&cfg);
	cfg.h2r = 17;
	cfg.r2h = 17;
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->rdev != NULL, 5000));
	assert_int_equal(rpmsg_device_mtu(h->rdev), 1);
	{
		struct rpmsg_endpoint *e;

		/* announcing needs 40 bytes */
		assert_int_equal(rpmsg_create_ept(h->rdev, "named",
						  RPMSG_ADDR_ANY, 1024, rx_cb,
						  NULL, NULL, &e),
				 -EMSGSIZE);
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  1024, rx_cb, NULL, NULL, &e),
				 0);
		assert_int_equal(rpmsg_send(e, "ab", 2), -EMSGSIZE);
		assert_int_equal(rpmsg_send(e, "a", 1), 0);
		rpmsg_destroy_ept(e);
	}
	h_free(h);
}

static void refused(uint32_t h2r, uint32_t r2h, uint32_t config_len,
		    const char *msg)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	cfg.h2r = h2r;
	cfg.r2h = r2h;
	cfg.config_len = config_len;
	h = h_new(&cfg);
	logcap_begin();
	assert_int_equal(h_boot(h), -EINVAL);
	/* the precise message is logged (the core's last error only says
	 * that the subdevice failed) */
	assert_non_null(strstr(logcap_end(true), msg));
	assert_int_equal(rproc_state_get(h->rproc), RPROC_OFFLINE);
	assert_int_equal(h->device_up, 0);
	assert_null(rproc_rpmsg_device(h->bus, 0));
	h_free(h);
}

static void test_bad_sizes(void **state)
{
	(void)state;
	refused(16, 512, 8, "host to remote 16, remote to host 512) refused");
	refused(512, 65552, 8, "remote to host 65552) refused");
	refused(0, 0, 8, "each must be 17..65551");
	refused(0xFFFFFFFFu, 512, 8, "refused");
	refused(512, 512, 4, "without the 8-byte config space");
}

static void test_pool(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	(void)state;
	h_cfg_default(&cfg);
	cfg.no_pool = true;
	h = h_new(&cfg);
	logcap_begin();
	assert_int_equal(h_boot(h), -ENOENT);
	assert_non_null(strstr(logcap_end(true),
			       "no carveout \"vdev0buffer\" for the buffers"));
	h_free(h);

	h_cfg_default(&cfg);
	cfg.pool_len = 1000; /* 500 per half: no 512-byte buffer */
	h = h_new(&cfg);
	logcap_begin();
	assert_int_equal(h_boot(h), -ENOSPC);
	assert_non_null(strstr(logcap_end(true), "too small"));
	h_free(h);

	/* a small pool: fewer buffers than ring entries */
	h_cfg_default(&cfg);
	cfg.pool_len = 4 * 512;
	h = boot(&cfg);
	for (int i = 0; i < 200; i++)
		echo(h, 496);
	done(h);
}

static void test_event_idx(void **state)
{
	struct h_cfg cfg;
	struct harness *h;
	uint32_t rnd = 5;

	(void)state;
	h_cfg_default(&cfg);
	cfg.dfeatures |= F_EVENT_IDX | (1u << 28) | (1u << 7);
	h = boot(&cfg);
	/* only what we support */
	assert_int_equal(rpmsg_device_features(h->rdev),
			 F_NS | F_BUFSZ | F_EVENT_IDX);
	for (int i = 0; i < 2000; i++)
		echo(h, 1 + h_rand(&rnd) % 496);
	big(h, 496);
	done(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_256_1024),
		cmocka_unit_test(test_no_bufsz),
		cmocka_unit_test(test_odd_sizes),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_event_idx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
