/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_down: the remote crashes or is stopped while senders are blocked
 * on a full transmit ring, or in the middle of traffic: every sender wakes
 * with -ENOTCONN within a bound, every endpoint gets its unbind callback,
 * device_down says why, and after the recovery (or the next boot) the
 * channel comes back and echo works again.
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

#define N_SENDERS 4
#define WAKE_BOUND_MS 2000

static atomic_int unbinds, unbind_reason, echoes;

static void on_unbind(struct rpmsg_endpoint *ept, int reason, void *priv)
{
	(void)ept;
	(void)priv;
	atomic_store(&unbind_reason, reason);
	atomic_fetch_add(&unbinds, 1);
}

static int rx_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		 uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	atomic_fetch_add(priv ? (atomic_int *)priv : &echoes, 1);
	pthread_mutex_lock(&H->ev_lock);
	h_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return 0;
}

static int setup(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->rdev && h->echo_addr, 5000));
	atomic_store(&unbinds, 0);
	atomic_store(&unbind_reason, 0);
	atomic_store(&echoes, 0);
	*state = h;
	return 0;
}

static void churn_stop(void);

static int teardown(void **state)
{
	churn_stop();
	h_free(*state);
	return 0;
}

struct sender {
	struct rpmsg_endpoint *ept;
	int mode; /* 0 send, 1 send_timeout, 2 get_tx_buffer + nocopy */
	int ret;
	atomic_uint sent;
	uint64_t end_ms;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t msg[32] = "down test";

	for (;;) {
		if (s->mode == 0) {
			s->ret = rpmsg_send(s->ept, msg, sizeof(msg));
		} else if (s->mode == 1) {
			s->ret = rpmsg_send_timeout(s->ept,
						    rpmsg_ept_dst(s->ept), msg,
						    sizeof(msg), 60000);
		} else {
			void *b = rpmsg_get_tx_buffer(s->ept, NULL, -1);

			s->ret = b ? rpmsg_send_nocopy(s->ept,
						       rpmsg_ept_dst(s->ept), b,
						       8)
				   : -ENOTCONN;
		}
		if (s->ret)
			break;
		atomic_fetch_add(&s->sent, 1);
	}
	s->end_ms = h_now_ms();
	return NULL;
}

/* Wait until the senders sent all 64 transmit buffers and block. */
static void wait_blocked(struct harness *h)
{
	struct rpmsg_device_stats st;

	for (int i = 0; i < 5000; i++) {
		rpmsg_device_get_stats(h->rdev, &st);
		if (st.tx >= 64)
			break;
		usleep(1000);
	}
	assert_int_equal(st.tx, 64);
	usleep(50 * 1000);
	rpmsg_device_get_stats(h->rdev, &st);
	assert_int_equal(st.tx, 64); /* and no more */
}

static void check_back(struct harness *h, int ups)
{
	struct rpmsg_endpoint *e;
	static atomic_int n;

	atomic_store(&n, 0);
	assert_true(H_WAIT(h, h->device_up == ups && h->echo_addr, 5000));
	assert_ptr_equal(rproc_rpmsg_device(h->bus, 0), h->rdev);
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
					  h->echo_addr, rx_cb, NULL, &n, &e),
			 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(rpmsg_send(e, "again", 5), 0);
	assert_true(H_WAIT(h, atomic_load(&n) == 100, 5000));
	rpmsg_destroy_ept(e);
}

/* Blocked senders, then a crash (or a stop); @held: recovery disabled,
 * so the remote stays CRASHED until rproc_recover() (the senders must not
 * wait for that). */
static void blocked_then(struct harness *h, bool crash, bool held)
{
	struct rpmsg_endpoint *e[N_SENDERS];
	struct sender s[N_SENDERS];
	pthread_t th[N_SENDERS];
	uint64_t t0;
	unsigned sent = 0;

	for (int i = 0; i < N_SENDERS; i++) {
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  h->echo_addr, rx_cb,
						  on_unbind, NULL, &e[i]),
				 0);
		s[i] = (struct sender){.ept = e[i], .mode = i % 3};
	}
	h_pause(h, true);
	for (int i = 0; i < N_SENDERS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, sender_main, &s[i]), 0);
	wait_blocked(h);
	if (held)
		assert_int_equal(rproc_set_recovery(h->rproc, false), 0);
	t0 = h_now_ms();
	if (crash)
		assert_int_equal(
			rproc_report_crash(h->rproc, RPROC_CRASH_WATCHDOG), 0);
	else
		assert_int_equal(rproc_shutdown(h->rproc), 0);
	for (int i = 0; i < N_SENDERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(s[i].ret, -ENOTCONN);
		assert_true(s[i].end_ms - t0 < WAKE_BOUND_MS);
		sent += atomic_load(&s[i].sent);
	}
	print_message("%s: %d senders woke after %llu ms at most\n",
		      crash ? "crash" : "stop", N_SENDERS,
		      (unsigned long long)(s[0].end_ms - t0));
	assert_int_equal(sent, 64);
	assert_true(H_WAIT(h, h->device_down == 1, 5000));
	assert_int_equal(h->down_reason, crash ? -EIO : -ESHUTDOWN);
	assert_int_equal(atomic_load(&unbinds), N_SENDERS);
	assert_int_equal(atomic_load(&unbind_reason),
			 crash ? -EIO : -ESHUTDOWN);
	/* the old endpoints stay unbound */
	assert_int_equal(rpmsg_trysend(e[0], 1024, "x", 1), -ENOTCONN);
	assert_int_equal(rpmsg_send_timeout(e[0], 1024, "x", 1, 1000),
			 -ENOTCONN);
	assert_null(rpmsg_get_tx_buffer(e[0], NULL, 1000));
	for (int i = 0; i < N_SENDERS; i++)
		rpmsg_destroy_ept(e[i]);
	if (held) {
		assert_int_equal(rproc_state_get(h->rproc), RPROC_CRASHED);
		assert_int_equal(rproc_set_recovery(h->rproc, true), 0);
		assert_int_equal(rproc_recover(h->rproc), 0);
	}
	if (!crash)
		assert_int_equal(h_boot(h), 0);
	assert_int_equal(rproc_wait_state(h->rproc, RPROC_RUNNING, 5000), 0);
	check_back(h, 2);
}

static void test_crash_blocked(void **state)
{
	blocked_then(*state, true, false);
}

static void test_crash_blocked_no_recovery(void **state)
{
	blocked_then(*state, true, true);
}

static void test_stop_blocked(void **state)
{
	blocked_then(*state, false, false);
}

/* Crashes in the middle of traffic, with endpoints coming and going. */
struct churn {
	struct harness *h;
	atomic_bool stop;
	unsigned cycles;
	pthread_t th;
};

static struct churn *CHURN; /* stopped by teardown if a check failed */

static void churn_stop(void)
{
	if (!CHURN)
		return;
	atomic_store(&CHURN->stop, true);
	pthread_join(CHURN->th, NULL);
	CHURN = NULL;
}

static void *churn_main(void *arg)
{
	struct churn *c = arg;

	while (!atomic_load(&c->stop)) {
		struct rpmsg_device *rdev = rproc_rpmsg_device(c->h->bus, 0);
		struct rpmsg_endpoint *e;

		if (!rdev) {
			usleep(100);
			continue;
		}
		if (!rpmsg_create_ept(rdev, "churn", RPMSG_ADDR_ANY, 1024,
				      rx_cb, on_unbind, NULL, &e)) {
			rpmsg_trysend(e, 1024, "c", 1);
			rpmsg_destroy_ept(e);
			c->cycles++;
		}
	}
	return NULL;
}

static void test_crash_traffic(void **state)
{
	struct harness *h = *state;
	struct rproc_native_stats ns;
	static struct churn c;

	c = (struct churn){.h = h};
	assert_int_equal(pthread_create(&c.th, NULL, churn_main, &c), 0);
	CHURN = &c;
	for (int round = 0; round < 5; round++) {
		struct rpmsg_endpoint *e[N_SENDERS];
		struct sender s[N_SENDERS];
		pthread_t th[N_SENDERS];
		uint64_t t0;

		assert_true(H_WAIT(h, h->device_up == round + 1 && h->echo_addr,
				   5000));
		for (int i = 0; i < N_SENDERS; i++) {
			assert_int_equal(
				rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						 h->echo_addr, rx_cb, on_unbind,
						 NULL, &e[i]),
				0);
			s[i] = (struct sender){.ept = e[i], .mode = i % 3};
			assert_int_equal(pthread_create(&th[i], NULL,
							sender_main, &s[i]),
					 0);
		}
		/* every sender got going, then a while later the crash */
		for (int i = 0; i < N_SENDERS; i++)
			for (int w = 0; w < 5000 && !atomic_load(&s[i].sent);
			     w++)
				usleep(1000);
		usleep(1000 * (1 + round * 7));
		t0 = h_now_ms();
		assert_int_equal(
			rproc_report_crash(h->rproc, RPROC_CRASH_FATAL_ERROR),
			0);
		for (int i = 0; i < N_SENDERS; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(s[i].ret, -ENOTCONN);
			assert_true(s[i].end_ms - t0 < WAKE_BOUND_MS);
			assert_true(atomic_load(&s[i].sent) > 0);
			rpmsg_destroy_ept(e[i]);
		}
		assert_true(H_WAIT(h, h->device_down == round + 1, 5000));
		assert_int_equal(h->down_reason, -EIO);
		assert_int_equal(
			rproc_wait_state(h->rproc, RPROC_RUNNING, 5000), 0);
	}
	check_back(h, 6); /* with the churn still going */
	churn_stop();
	rproc_native_get_stats(h->nr, &ns);
	print_message("5 crashes under traffic; %u endpoint create/destroy "
		      "cycles meanwhile; %llu doorbells while nobody "
		      "listened\n",
		      c.cycles, (unsigned long long)ns.unheard);
	assert_int_equal(rproc_crash_count(h->rproc), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_blocked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_blocked_no_recovery,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_blocked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_traffic, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
