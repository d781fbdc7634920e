/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_reset: each side sees the other restart.  The remote restarts its
 * link on its own (a firmware reboot the host lifecycle does not see): the
 * host sees a new session, reports peer_reset, unbinds its endpoints with
 * -ECONNRESET and binds them again by name.  The host stops and starts
 * while the remote keeps running (keep_remote): the remote sees the host
 * leave and come back with a new session, resets, binds again.  A fresh
 * remote at every start.  And remote restarts under traffic from several
 * threads: senders get -ENOTCONN meanwhile, never a hang or a corrupt
 * message, and traffic flows again after each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "lt_ept.h"

static struct harness *boot(bool keep, unsigned nept)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.keep_remote = keep;
	cfg.nept = nept;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	assert_true(LH_WAIT(h, h->up >= 1 && h->fw_up >= 1, 5000));
	return h;
}

/* @n echoes on @t, waited for. */
static void echo_some(struct harness *h, struct lt_ept *t, uint32_t n)
{
	uint8_t buf[300];
	uint32_t want, base;

	pthread_mutex_lock(&h->ev_lock);
	want = t->rx + n;
	base = t->expect;
	pthread_mutex_unlock(&h->ev_lock);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = 4 + (base + i) % 290;

		lt_fill(buf, base + i, len);
		assert_int_equal(rproc_link_send(t->e, buf, len), 0);
	}
	assert_true(LH_WAIT(h, t->rx == want, 5000));
	assert_int_equal(t->bad, 0);
}

static void remote_restarts(void **state)
{
	struct harness *h = boot(false, 2);
	struct rproc_link_ept *cmd;
	struct lt_ept t0, t1;
	uint32_t w = LH_CMD_RESTART;

	(void)state;
	assert_int_equal(
		rproc_link_ept_create(h->link, "cmd", NULL, NULL, NULL, &cmd),
		0);
	assert_int_equal(lt_create(h, &t0, "echo0"), 0);
	assert_int_equal(lt_create(h, &t1, "echo1"), 0);
	assert_true(lt_wait_bound(&t0, 5000));
	assert_true(lt_wait_bound(&t1, 5000));
	assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
	echo_some(h, &t0, 10);
	for (int r = 1; r <= 20; r++) {
		assert_int_equal(rproc_link_send(cmd, &w, sizeof(w)), 0);
		assert_true(LH_WAIT(h, h->peer_reset == r, 5000));
		assert_true(LH_WAIT(h,
				    t0.unbinds == (uint32_t)r &&
					    t1.unbinds == (uint32_t)r,
				    5000));
		assert_int_equal(t0.reason, -ECONNRESET);
		assert_int_equal(t1.reason, -ECONNRESET);
		/* back up by itself, every endpoint bound again by name */
		assert_true(LH_WAIT(h, h->up == r + 1, 5000));
		assert_true(lt_wait_bound(&t0, 5000));
		assert_true(lt_wait_bound(&t1, 5000));
		assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
		echo_some(h, &t0, 10);
		echo_some(h, &t1, 3);
	}
	assert_int_equal(h->fw_restarts, 21);
	assert_int_equal(h->down, 0); /* a reset is not a down */
	assert_int_equal(h->fw_errors, 0);
	{
		struct rproc_link_stats st;

		rproc_link_get_stats(h->link, &st);
		assert_int_equal(st.peer_resets, 20);
		assert_int_equal(st.state, RPROC_LINK_UP);
	}
	rproc_link_ept_destroy(t0.e);
	rproc_link_ept_destroy(t1.e);
	rproc_link_ept_destroy(cmd);
	lh_free(h);
}

/* The host stops and starts; the remote keeps running (its link state
 * survives): it must see the host leave and come back. */
static void host_restart_remote_keeps_running(void **state)
{
	struct harness *h = boot(true, 1);
	struct lt_ept t;

	(void)state;
	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	assert_true(lt_wait_bound(&t, 5000));
	echo_some(h, &t, 10);
	for (int r = 1; r <= 10; r++) {
		assert_int_equal(rproc_shutdown(h->rproc), 0);
		assert_int_equal(rproc_link_state(h->link), RPROC_LINK_OFF);
		assert_true(LH_WAIT(h, h->down == r, 1000));
		assert_int_equal(h->down_reason, -ESHUTDOWN);
		assert_int_equal(t.unbinds, (uint32_t)r);
		assert_int_equal(t.reason, -ESHUTDOWN);
		assert_int_equal(rproc_link_trysend(t.e, "x", 1), -ENOTCONN);
		assert_int_equal(lh_boot(h), 0);
		/* the remote saw us leave (before it was stopped, or when
		 * it resumed and found our new session) */
		assert_true(LH_WAIT(h, h->fw_reset == r, 5000));
		assert_true(
			LH_WAIT(h, h->up == r + 1 && h->fw_up == r + 1, 5000));
		assert_true(lt_wait_bound(&t, 5000));
		echo_some(h, &t, 10);
	}
	/* one firmware life all along */
	assert_int_equal(h->fw_restarts, 1);
	assert_int_equal(h->fw_errors, 0);
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

/* Stop and start with a fresh remote each time (the normal lifecycle). */
static void host_restart_fresh_remote(void **state)
{
	struct harness *h = boot(false, 1);
	struct lt_ept t;

	(void)state;
	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	for (int r = 1; r <= 10; r++) {
		assert_true(lt_wait_bound(&t, 5000));
		echo_some(h, &t, 5);
		assert_int_equal(rproc_shutdown(h->rproc), 0);
		assert_true(LH_WAIT(h, h->down == r, 1000));
		assert_int_equal(lh_boot(h), 0);
		assert_true(LH_WAIT(h, h->up == r + 1, 5000));
	}
	assert_int_equal(h->fw_restarts, 11);
	assert_int_equal(h->peer_reset, 0);
	assert_int_equal(h->fw_errors, 0);
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

/* ---- restarts under traffic -------------------------------------------------- */

#define N_SENDERS 4

struct sender {
	struct harness *h;
	struct lt_ept *t;
	pthread_t th;
	volatile int stop;
	uint32_t sent, notconn, other;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[200];
	uint32_t seq = 0;
	int ret;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		size_t len = 4 + seq % 190;

		lt_fill(buf, seq, len);
		ret = rproc_link_send_timeout(s->t->e, buf, len, 2000);
		if (!ret) {
			s->sent++;
			seq++;
		} else if (ret == -ENOTCONN) {
			s->notconn++;
			/* until it is bound again */
			LH_WAIT(s->h, rproc_link_ept_bound(s->t->e), 50);
		} else {
			s->other++;
		}
	}
	return NULL;
}

static void restarts_under_traffic(void **state)
{
	static struct lt_ept t[N_SENDERS];
	struct sender s[N_SENDERS];
	struct harness *h = boot(false, N_SENDERS);
	struct rproc_link_ept *cmd;
	uint32_t w = LH_CMD_RESTART, sent = 0, notconn = 0, rx = 0;
	char name[16];

	(void)state;
	assert_int_equal(
		rproc_link_ept_create(h->link, "cmd", NULL, NULL, NULL, &cmd),
		0);
	for (int i = 0; i < N_SENDERS; i++) {
		snprintf(name, sizeof(name), "echo%d", i);
		assert_int_equal(lt_create(h, &t[i], name), 0);
		t[i].any_order = true; /* a reset loses what was in flight */
		assert_true(lt_wait_bound(&t[i], 5000));
	}
	assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
	for (int i = 0; i < N_SENDERS; i++) {
		s[i] = (struct sender){.h = h, .t = &t[i]};
		assert_int_equal(
			pthread_create(&s[i].th, NULL, sender_main, &s[i]), 0);
	}
	for (int r = 1; r <= 10; r++) {
		usleep(20000);
		assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
		/* the command may meet a reset itself: retry */
		while (rproc_link_send_timeout(cmd, &w, sizeof(w), 1000))
			assert_true(
				LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
		assert_true(LH_WAIT(h, h->peer_reset >= r, 5000));
		assert_true(LH_WAIT(h, h->up >= r + 1, 5000));
	}
	usleep(20000);
	for (int i = 0; i < N_SENDERS; i++) {
		__atomic_store_n(&s[i].stop, 1, __ATOMIC_RELAXED);
		pthread_join(s[i].th, NULL);
		assert_int_equal(s[i].other, 0);
		sent += s[i].sent;
		notconn += s[i].notconn;
	}
	pthread_mutex_lock(&h->ev_lock);
	for (int i = 0; i < N_SENDERS; i++) {
		assert_int_equal(t[i].bad, 0);
		rx += t[i].rx;
	}
	pthread_mutex_unlock(&h->ev_lock);
	print_message("10 remote restarts under traffic: %u sent, %u echoed, "
		      "%u sends refused while unbound\n",
		      sent, rx, notconn);
	assert_true(rx > 0 && rx <= sent);
	/* and it works afterwards */
	for (int i = 0; i < N_SENDERS; i++) {
		assert_true(lt_wait_bound(&t[i], 5000));
		assert_true(lt_settle(&t[i], 5000));
		lt_expect(&t[i], 1000000);
		echo_some(h, &t[i], 5);
	}
	for (int i = 0; i < N_SENDERS; i++)
		rproc_link_ept_destroy(t[i].e);
	rproc_link_ept_destroy(cmd);
	lh_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remote_restarts),
		cmocka_unit_test(host_restart_remote_keeps_running),
		cmocka_unit_test(host_restart_fresh_remote),
		cmocka_unit_test(restarts_under_traffic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
