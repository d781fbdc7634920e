/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_zero_copy: transmit buffers taken, filled in place and sent, or
 * given back unused; receive buffers held in the callback and released
 * later from another thread, never reused meanwhile (even when every
 * receive buffer is held and the remote has to wait).
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

#define MAX_HELD 64

struct rx {
	atomic_uint count;
	atomic_uint bad;
	unsigned hold_first; /* hold the first n messages */
	void *held[MAX_HELD];
	uint8_t copy[MAX_HELD][64];
	size_t len[MAX_HELD];
	atomic_uint nheld;
	int hold_ret;
	struct rpmsg_endpoint *ept;
};

static struct rx *RX;

static int setup(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->rdev && h->echo_addr && h->cmd_addr, 5000));
	RX = calloc(1, sizeof(*RX));
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	free(RX);
	RX = NULL;
	return 0;
}

static int rx_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		 uint32_t src, void *priv)
{
	unsigned n = atomic_load(&RX->count);

	(void)src;
	(void)priv;
	if (n < RX->hold_first && n < MAX_HELD) {
		int ret = rpmsg_hold_rx_buffer(ept, data);

		if (ret)
			RX->hold_ret = ret;
		/* holding twice is refused */
		if (rpmsg_hold_rx_buffer(ept, data) != -EINVAL)
			RX->hold_ret = -999;
		RX->held[n] = data;
		RX->len[n] = len;
		memcpy(RX->copy[n], data, len < 64 ? len : 64);
		atomic_fetch_add(&RX->nheld, 1);
	}
	atomic_store(&RX->count, n + 1);
	pthread_mutex_lock(&H->ev_lock);
	h_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return 0;
}

static void make_ept(struct harness *h)
{
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
					  h->echo_addr, rx_cb, NULL, NULL,
					  &RX->ept),
			 0);
}

static void test_tx_zero_copy(void **state)
{
	struct harness *h = *state;
	size_t size = 0, ntx = 0;
	uint8_t *b, *b2, *all[128];
	uint8_t local[16];
	uint64_t t0;

	make_ept(h);
	b = rpmsg_get_tx_buffer(RX->ept, &size, 1000);
	assert_non_null(b);
	assert_int_equal(size, 496);
	for (unsigned i = 0; i < 100; i++)
		b[i] = h_pattern(7, i);
	assert_int_equal(rpmsg_send_nocopy(RX->ept, h->echo_addr, b, 100), 0);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 1, 5000));
	/* sent: no longer ours */
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, b), -EINVAL);
	assert_int_equal(rpmsg_send_nocopy(RX->ept, h->echo_addr, b, 1),
			 -EINVAL);

	/* unused: given back; not twice */
	b2 = rpmsg_get_tx_buffer(RX->ept, NULL, 0);
	assert_non_null(b2);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, b2 + 1), -EINVAL);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, b2 - 16), -EINVAL);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, local), -EINVAL);
	assert_int_equal(rpmsg_send_nocopy(RX->ept, h->echo_addr, b2, 497),
			 -EMSGSIZE);
	assert_int_equal(rpmsg_send_nocopy(RX->ept, RPMSG_ADDR_ANY, b2, 4),
			 -EDESTADDRREQ);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, b2), 0);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, b2), -EINVAL);

	/* take every buffer: then none (at once, or after the timeout) */
	h_pause(h, true);
	/* the remote gives the first buffer back after its echo went out:
	 * the last one may take a moment */
	while (ntx < 64 && (all[ntx] = rpmsg_get_tx_buffer(
				    RX->ept, NULL, ntx < 63 ? 0 : 2000)))
		ntx++;
	assert_int_equal(ntx, 64); /* the ring size (the pool has room) */
	assert_null(rpmsg_get_tx_buffer(RX->ept, NULL, 0));
	t0 = h_now_ms();
	assert_null(rpmsg_get_tx_buffer(RX->ept, NULL, 50));
	assert_true(h_now_ms() - t0 >= 45);
	assert_int_equal(rpmsg_trysend(RX->ept, h->echo_addr, "x", 1), -EAGAIN);
	assert_int_equal(rpmsg_send_timeout(RX->ept, h->echo_addr, "x", 1, 20),
			 -ETIMEDOUT);
	/* one back: usable again */
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, all[--ntx]), 0);
	assert_int_equal(rpmsg_trysend(RX->ept, h->echo_addr, "x", 1), 0);
	while (ntx)
		assert_int_equal(rpmsg_release_tx_buffer(RX->ept, all[--ntx]),
				 0);
	h_pause(h, false);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 2, 5000));
	rpmsg_destroy_ept(RX->ept);
}

struct releaser {
	unsigned from, to;
	int ret;
};

static void *release_thread(void *arg)
{
	struct releaser *r = arg;

	for (unsigned i = r->from; i < r->to; i++)
		if (rpmsg_release_rx_buffer(RX->ept, RX->held[i]))
			r->ret = -1;
	return NULL;
}

static void send_n(struct harness *h, unsigned n, uint32_t seed)
{
	uint8_t msg[64];

	for (unsigned k = 0; k < n; k++) {
		for (unsigned i = 0; i < sizeof(msg); i++)
			msg[i] = h_pattern(seed + k, i);
		assert_int_equal(rpmsg_send(RX->ept, msg, sizeof(msg)), 0);
	}
	(void)h;
}

static void test_rx_hold(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device_stats st;
	struct releaser r = {0, 1, 0};
	pthread_t th;

	make_ept(h);
	RX->hold_first = 1;
	send_n(h, 1, 100);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 1, 5000));
	assert_int_equal(RX->hold_ret, 0);
	rpmsg_device_get_stats(h->rdev, &st);
	assert_int_equal(st.rx_held, 1);
	/* outside the callback it cannot be held */
	assert_int_equal(rpmsg_hold_rx_buffer(RX->ept, RX->held[0]), -EINVAL);

	/* much more traffic: the held buffer is never filled again */
	send_n(h, 1000, 1000);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 1001, 10000));
	assert_memory_equal(RX->held[0], RX->copy[0], 64);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(((uint8_t *)RX->held[0])[i],
				 h_pattern(100, i));

	/* released from another thread */
	assert_int_equal(pthread_create(&th, NULL, release_thread, &r), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.ret, 0);
	assert_int_equal(rpmsg_release_rx_buffer(RX->ept, RX->held[0]),
			 -EINVAL);
	rpmsg_device_get_stats(h->rdev, &st);
	assert_int_equal(st.rx_held, 0);
	send_n(h, 200, 5000);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 1201, 10000));
	rpmsg_destroy_ept(RX->ept);
}

/* Every receive buffer held: the remote cannot answer until some come
 * back, and then everything arrives. */
static void test_rx_hold_all(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device_stats st;
	struct releaser r[2] = {{0, 32, 0}, {32, 64, 0}};
	pthread_t th[2];

	make_ept(h);
	RX->hold_first = 64;
	send_n(h, 64, 300);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 64, 5000));
	assert_int_equal(RX->hold_ret, 0);
	rpmsg_device_get_stats(h->rdev, &st);
	assert_int_equal(st.rx_held, 64);
	/* 10 more: they wait in the remote */
	send_n(h, 10, 900);
	usleep(100 * 1000);
	assert_int_equal(atomic_load(&RX->count), 64);
	for (unsigned k = 0; k < 64; k++)
		for (unsigned i = 0; i < 64; i++)
			assert_int_equal(((uint8_t *)RX->held[k])[i],
					 h_pattern(300 + k, i));
	for (int i = 0; i < 2; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, release_thread, &r[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].ret, 0);
	}
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 74, 5000));
	rpmsg_device_get_stats(h->rdev, &st);
	assert_int_equal(st.rx_held, 0);
	assert_int_equal(h->remote_errors, 0);
	rpmsg_destroy_ept(RX->ept);
}

/* Held buffers and zero-copy buffers across a stop: releasing them later
 * only forgets them. */
static void test_hold_across_stop(void **state)
{
	struct harness *h = *state;
	uint8_t *tx;

	make_ept(h);
	RX->hold_first = 2;
	send_n(h, 2, 10);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 2, 5000));
	tx = rpmsg_get_tx_buffer(RX->ept, NULL, 0);
	assert_non_null(tx);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(rpmsg_release_rx_buffer(RX->ept, RX->held[0]), 0);
	assert_int_equal(rpmsg_send_nocopy(RX->ept, 1024, tx, 4), -ENOTCONN);
	assert_int_equal(rpmsg_release_tx_buffer(RX->ept, tx), 0);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->device_up == 2 && h->echo_addr, 5000));
	/* the old endpoint's buffer, released after the new start */
	assert_int_equal(rpmsg_release_rx_buffer(RX->ept, RX->held[1]), 0);
	rpmsg_destroy_ept(RX->ept);
	RX->hold_first = 0;
	atomic_store(&RX->count, 0);
	make_ept(h);
	send_n(h, 100, 10);
	assert_true(H_WAIT(h, atomic_load(&RX->count) == 100, 5000));
	rpmsg_destroy_ept(RX->ept);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tx_zero_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_hold_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_across_stop, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
