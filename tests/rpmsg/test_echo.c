/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_echo: the host bus against the firmware's rpmsg stack (native
 * remote): name service both ways, dynamic and fixed addresses, and 10,000
 * messages of random sizes 1..MTU over 32 endpoints from 4 threads, every
 * byte and the order per endpoint checked.
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

#define N_EPT 32
#define N_MSG 10000
#define N_THREADS 4

static int setup(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->rdev && h->echo_addr && h->cmd_addr, 5000));
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	return 0;
}

static int drop_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	return 0;
}

static void test_name_service(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device *rdev = h->rdev;
	struct rpmsg_endpoint *e;
	uint32_t old_echo = h->echo_addr, cmd[2] = {H_CMD_DESTROY, 0};
	struct rpmsg_endpoint *c;

	assert_int_equal(rpmsg_device_index(rdev), 0);
	assert_ptr_equal(rproc_rpmsg_device(h->bus, 0), rdev);
	assert_null(rproc_rpmsg_device(h->bus, 1));
	assert_true(rpmsg_device_features(rdev) & (1u << VIRTIO_RPMSG_F_NS));
	assert_true(old_echo >= RPMSG_RESERVED_ADDRESSES);
	assert_int_equal(h->channel_up, 2);

	/* host -> remote: the remote's endpoint 53 sees the announcements */
	assert_int_equal(rpmsg_create_ept(rdev, "host-svc", RPMSG_ADDR_ANY,
					  RPMSG_ADDR_ANY, drop_cb, NULL, NULL,
					  &e),
			 0);
	assert_true(H_WAIT(h, h->remote_ns_create == 1, 5000));
	assert_string_equal(h->remote_ns_name, "host-svc");
	assert_int_equal(h->remote_ns_addr, rpmsg_ept_addr(e));
	assert_true(rpmsg_ept_addr(e) >= RPMSG_RESERVED_ADDRESSES);
	rpmsg_destroy_ept(e);
	assert_true(H_WAIT(h, h->remote_ns_destroy == 1, 5000));
	/* unnamed endpoints are not announced */
	assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY,
					  RPMSG_ADDR_ANY, drop_cb, NULL, NULL,
					  &e),
			 0);
	rpmsg_destroy_ept(e);

	/* remote withdraws and re-announces a channel */
	assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY,
					  h->cmd_addr, drop_cb, NULL, NULL, &c),
			 0);
	assert_int_equal(rpmsg_send(c, cmd, sizeof(cmd)), 0);
	assert_true(H_WAIT(h, h->channel_down == 1 && !h->echo_addr, 5000));
	cmd[0] = H_CMD_CREATE;
	assert_int_equal(rpmsg_send(c, cmd, sizeof(cmd)), 0);
	assert_true(H_WAIT(h, h->channel_up == 3 && h->echo_addr, 5000));
	rpmsg_destroy_ept(c);

	struct rpmsg_device_stats st;

	rpmsg_device_get_stats(rdev, &st);
	assert_int_equal(st.ns_bad, 0);
	assert_int_equal(st.rx_no_ept, 0);
	assert_int_equal(st.rx_bad_len, 0);
	assert_int_equal(st.down_reason, 0);
	assert_int_equal(h->remote_errors, 0);
}

static void test_addresses(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device *rdev = h->rdev;
	struct rpmsg_endpoint *e[4], *x;

	assert_int_equal(rpmsg_create_ept(rdev, NULL, 5000, RPMSG_ADDR_ANY,
					  drop_cb, NULL, NULL, &e[0]),
			 0);
	assert_int_equal(rpmsg_ept_addr(e[0]), 5000);
	assert_int_equal(rpmsg_ept_dst(e[0]), RPMSG_ADDR_ANY);
	assert_int_equal(rpmsg_create_ept(rdev, NULL, 5000, RPMSG_ADDR_ANY,
					  drop_cb, NULL, NULL, &x),
			 -EADDRINUSE);
	assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_NS_ADDR,
					  RPMSG_ADDR_ANY, drop_cb, NULL, NULL,
					  &x),
			 -EADDRINUSE);
	assert_int_equal(rpmsg_create_ept(rdev,
					  "0123456789012345678901234567890123",
					  RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
					  drop_cb, NULL, NULL, &x),
			 -ENAMETOOLONG);
	/* a fixed address below 1024 is the caller's business */
	assert_int_equal(rpmsg_create_ept(rdev, NULL, 30, RPMSG_ADDR_ANY,
					  drop_cb, NULL, NULL, &e[1]),
			 0);
	for (int i = 2; i < 4; i++) {
		assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY,
						  RPMSG_ADDR_ANY, drop_cb, NULL,
						  NULL, &e[i]),
				 0);
		assert_true(rpmsg_ept_addr(e[i]) >= RPMSG_RESERVED_ADDRESSES);
	}
	assert_int_not_equal(rpmsg_ept_addr(e[2]), rpmsg_ept_addr(e[3]));
	/* no destination */
	assert_int_equal(rpmsg_send(e[2], "x", 1), -EDESTADDRREQ);
	assert_int_equal(rpmsg_trysend(e[2], RPMSG_ADDR_ANY, "x", 1),
			 -EDESTADDRREQ);
	assert_int_equal(rpmsg_sendto(e[2], h->echo_addr, "x",
				      rpmsg_device_mtu(rdev) + 1),
			 -EMSGSIZE);
	/* no data for a payload: -EINVAL whatever the length (the fast
	 * path's 8..16 bytes, the copy's, too long), before the size and
	 * after the destination; nothing taken (a send still works) */
	{
		const size_t lens[] = {1,
				       7,
				       8,
				       12,
				       16,
				       17,
				       100,
				       rpmsg_device_mtu(rdev),
				       rpmsg_device_mtu(rdev) + 1};

		for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			assert_int_equal(rpmsg_trysend(e[2], h->echo_addr, NULL,
						       lens[i]),
					 -EINVAL);
			assert_int_equal(
				rpmsg_sendto(e[2], h->echo_addr, NULL, lens[i]),
				-EINVAL);
			assert_int_equal(rpmsg_trysend(e[2], RPMSG_ADDR_ANY,
						       NULL, lens[i]),
					 -EDESTADDRREQ);
		}
		assert_int_equal(
			rpmsg_trysend(e[2], h->echo_addr, "01234567", 8), 0);
	}
	for (int i = 0; i < 4; i++)
		rpmsg_destroy_ept(e[i]);
	/* the address is free again */
	assert_int_equal(rpmsg_create_ept(rdev, NULL, 5000, RPMSG_ADDR_ANY,
					  drop_cb, NULL, NULL, &e[0]),
			 0);
	rpmsg_destroy_ept(e[0]);
}

/* ---- 10,000 echoes ----------------------------------------------------- */

struct plan {
	uint16_t len[N_EPT][N_MSG]; /* the k-th message of each endpoint */
	unsigned count[N_EPT];
	struct rpmsg_endpoint *ept[N_EPT];
	uint32_t dst;
	size_t mtu;
	atomic_uint got[N_EPT];
	atomic_uint bad;
	atomic_uint total;
};

static uint32_t seed_of(unsigned e, unsigned k)
{
	return (uint32_t)e * 1000003u + k;
}

static int echo_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	struct plan *p = H->test;
	unsigned e = (unsigned)(uintptr_t)priv;
	unsigned k = atomic_load(&p->got[e]);
	const uint8_t *b = data;

	(void)ept;
	if (src != p->dst || k >= p->count[e] || len != p->len[e][k]) {
		atomic_fetch_add(&p->bad, 1);
	} else {
		for (size_t i = 0; i < len; i++)
			if (b[i] != h_pattern(seed_of(e, k), (uint32_t)i)) {
				atomic_fetch_add(&p->bad, 1);
				break;
			}
	}
	atomic_store(&p->got[e], k + 1);
	if (atomic_fetch_add(&p->total, 1) + 1 == N_MSG) {
		pthread_mutex_lock(&H->ev_lock);
		h_event(H);
		pthread_mutex_unlock(&H->ev_lock);
	}
	return 0;
}

static void *sender(void *arg)
{
	struct plan *p = H->test;
	unsigned t = (unsigned)(uintptr_t)arg;
	uint8_t *buf = malloc(p->mtu);
	uintptr_t fails = 0;

	/* endpoints t, t + N_THREADS, ...: interleaved */
	for (unsigned k = 0;; k++) {
		bool any = false;

		for (unsigned e = t; e < N_EPT; e += N_THREADS) {
			unsigned len;

			if (k >= p->count[e])
				continue;
			any = true;
			len = p->len[e][k];
			for (unsigned i = 0; i < len; i++)
				buf[i] = h_pattern(seed_of(e, k), i);
			if ((k & 3) == 3) {
				int ret;

				/* trysend until a buffer is free */
				while ((ret = rpmsg_trysend(p->ept[e], p->dst,
							    buf, len)) ==
				       -EAGAIN)
					sched_yield();
				fails += ret != 0;
			} else if (k & 1) {
				fails += rpmsg_send_timeout(p->ept[e], p->dst,
							    buf, len,
							    10000) != 0;
			} else {
				fails += rpmsg_send(p->ept[e], buf, len) != 0;
			}
		}
		if (!any)
			break;
	}
	free(buf);
	return (void *)fails;
}

static void test_echo_many(void **state)
{
	struct harness *h = *state;
	struct plan *p = calloc(1, sizeof(*p));
	pthread_t th[N_THREADS];
	uint32_t rnd = 0x12345678;
	struct rpmsg_device_stats st;
	struct rproc_native_stats ns;
	uint64_t t0;

	assert_non_null(p);
	h->test = p;
	p->dst = h->echo_addr;
	p->mtu = rpmsg_device_mtu(h->rdev);
	assert_int_equal(p->mtu, 496);
	assert_int_equal(rpmsg_device_rx_mtu(h->rdev), 496);
	for (unsigned i = 0; i < N_MSG; i++) {
		unsigned e = h_rand(&rnd) % N_EPT;
		/* mostly small, some up to the MTU, both ends included */
		unsigned len = i == 0	    ? 1
			       : i == 1	    ? (unsigned)p->mtu
			       : i % 8 == 0 ? 1 + h_rand(&rnd) % p->mtu
					    : 1 + h_rand(&rnd) % 64;

		p->len[e][p->count[e]++] = (uint16_t)len;
	}
	for (unsigned e = 0; e < N_EPT; e++) {
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  p->dst, echo_rx, NULL,
						  (void *)(uintptr_t)e,
						  &p->ept[e]),
				 0);
		assert_true(rpmsg_ept_addr(p->ept[e]) >=
			    RPMSG_RESERVED_ADDRESSES);
	}
	t0 = h_now_ms();
	for (unsigned t = 0; t < N_THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, sender,
						(void *)(uintptr_t)t),
				 0);
	for (unsigned t = 0; t < N_THREADS; t++) {
		void *fails;

		pthread_join(th[t], &fails);
		assert_int_equal((uintptr_t)fails, 0);
	}
	assert_true(H_WAIT(h, atomic_load(&p->total) == N_MSG, 30000));
	rproc_native_get_stats(h->nr, &ns);
	print_message("10000 echoes over %d endpoints in %llu ms (%llu kicks, "
		      "%llu doorbells)\n",
		      N_EPT, (unsigned long long)(h_now_ms() - t0),
		      (unsigned long long)ns.kicks,
		      (unsigned long long)ns.doorbells);
	assert_int_equal(atomic_load(&p->bad), 0);
	for (unsigned e = 0; e < N_EPT; e++)
		assert_int_equal(atomic_load(&p->got[e]), p->count[e]);
	/* the counters are updated after the batch's callbacks returned */
	for (int i = 0; i < 1000; i++) {
		rpmsg_device_get_stats(h->rdev, &st);
		if (st.rx == N_MSG)
			break;
		usleep(1000);
	}
	assert_int_equal(st.tx, N_MSG);
	assert_int_equal(st.rx, N_MSG);
	assert_int_equal(st.rx_no_ept + st.rx_bad_len + st.ns_bad, 0);
	assert_int_equal(h->remote_errors, 0);
	for (unsigned e = 0; e < N_EPT; e++)
		rpmsg_destroy_ept(p->ept[e]);
	h->test = NULL;
	free(p);
}

/* Shutdown: device_down(-ESHUTDOWN), unbind for every endpoint, and the
 * endpoint stays usable (for destroy) but refuses to send. */
static atomic_int unbinds;
static atomic_int unbind_reason;

static void on_unbind(struct rpmsg_endpoint *ept, int reason, void *priv)
{
	(void)ept;
	(void)priv;
	atomic_store(&unbind_reason, reason);
	atomic_fetch_add(&unbinds, 1);
}

static void test_shutdown(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device *rdev = h->rdev;
	struct rpmsg_device_stats st;
	struct rpmsg_endpoint *e[3];
	uint64_t tx;

	atomic_store(&unbinds, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  h->echo_addr, drop_cb,
						  on_unbind, NULL, &e[i]),
				 0);
	rpmsg_device_get_stats(rdev, &st);
	tx = st.tx;
	assert_int_equal(rpmsg_send(e[0], "hi", 2), 0);
	rpmsg_device_get_stats(rdev, &st);
	assert_int_equal(st.tx, tx + 1);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	/* what the binding sent, still counted while down */
	rpmsg_device_get_stats(rdev, &st);
	assert_int_equal(st.tx, tx + 1);
	assert_int_equal(h->device_down, 1);
	assert_int_equal(h->down_reason, -ESHUTDOWN);
	assert_int_equal(atomic_load(&unbinds), 3);
	assert_int_equal(atomic_load(&unbind_reason), -ESHUTDOWN);
	assert_null(rproc_rpmsg_device(h->bus, 0));
	assert_int_equal(rpmsg_send(e[0], "hi", 2), -ENOTCONN);
	for (int i = 0; i < 3; i++)
		rpmsg_destroy_ept(e[i]);
	/* and up again */
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->device_up == 2 && h->echo_addr, 5000));
	/* the same device, counting from its new start */
	assert_ptr_equal(h->rdev, rdev);
	rpmsg_device_get_stats(rdev, &st);
	assert_int_equal(st.tx, 0);
	assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY,
					  h->echo_addr, drop_cb, NULL, NULL,
					  &e[0]),
			 0);
	assert_int_equal(rpmsg_send(e[0], "hi", 2), 0);
	rpmsg_device_get_stats(rdev, &st);
	assert_int_equal(st.tx, 1);
	rpmsg_destroy_ept(e[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_name_service, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_echo_many, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
