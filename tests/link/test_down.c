/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_down: the remote crashes or is stopped while senders are blocked on
 * a full ring or sending: every sender returns -ENOTCONN within a bound,
 * endpoints get their unbind (-EIO crashed, -ESHUTDOWN stopped), down says
 * why, and after the recovery (or the next boot) the link comes back and
 * the same endpoints echo again.  With recovery disabled the senders learn
 * it at the crash.  Crashes under traffic, repeatedly.  And the prepare
 * errors: a bad link resource fails the boot with a precise message; a
 * firmware without one boots with the link off.
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

#define N_BLOCKED 3
#define WAKE_BOUND_MS 1000 /* a blocked sender learns it within this */

static struct harness *boot(void)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.nept = 4;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	assert_true(LH_WAIT(h, h->up >= 1 && h->fw_up >= 1, 5000));
	return h;
}

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

struct blocked {
	struct harness *h;
	struct lt_ept *t;
	int ret;
	bool done;
	uint64_t at;
	pthread_t th;
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;
	uint8_t buf[1000];

	memset(buf, 0, sizeof(buf));
	b->ret = rproc_link_send(b->t->e, buf, sizeof(buf));
	pthread_mutex_lock(&b->h->ev_lock);
	b->done = true;
	b->at = lh_now_ms();
	lh_event(b->h);
	pthread_mutex_unlock(&b->h->ev_lock);
	return NULL;
}

/* Pause the remote, fill the ring, block N_BLOCKED senders on it. */
static void block_senders(struct harness *h, struct lt_ept *t,
			  struct blocked *b)
{
	uint8_t buf[1000];
	int ret;

	lh_pause(h, true);
	memset(buf, 0, sizeof(buf));
	while (!(ret = rproc_link_trysend(t->e, buf, sizeof(buf))))
		;
	assert_int_equal(ret, -EAGAIN);
	for (int i = 0; i < N_BLOCKED; i++) {
		b[i] = (struct blocked){.h = h, .t = t};
		assert_int_equal(
			pthread_create(&b[i].th, NULL, blocked_main, &b[i]), 0);
	}
	assert_false(LH_WAIT(h, b[0].done || b[1].done || b[2].done, 100));
}

/* Blocked senders, then a crash or a stop; @held: recovery disabled. */
static void blocked_then(bool crash, bool held)
{
	struct harness *h = boot();
	struct blocked b[N_BLOCKED];
	struct lt_ept t;
	int reason = crash ? -EIO : -ESHUTDOWN;
	uint64_t t0;

	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	assert_true(lt_wait_bound(&t, 5000));
	echo_some(h, &t, 5);
	t.any_order = true; /* what the ring held is lost */
	if (held)
		assert_int_equal(rproc_set_recovery(h->rproc, false), 0);
	block_senders(h, &t, b);
	t0 = lh_now_ms();
	if (crash)
		assert_int_equal(
			rproc_report_crash(h->rproc, RPROC_CRASH_WATCHDOG), 0);
	else
		assert_int_equal(rproc_shutdown(h->rproc), 0);
	for (int i = 0; i < N_BLOCKED; i++) {
		pthread_join(b[i].th, NULL);
		assert_int_equal(b[i].ret, -ENOTCONN);
		assert_true(b[i].at - t0 < WAKE_BOUND_MS);
	}
	print_message("%s: %d blocked senders got -ENOTCONN within %u ms\n",
		      crash ? "crash" : "stop", N_BLOCKED,
		      (unsigned)(b[0].at - t0));
	assert_true(LH_WAIT(h, h->down == 1, 5000));
	assert_int_equal(h->down_reason, reason);
	assert_true(LH_WAIT(h, t.unbinds == 1, 5000));
	assert_int_equal(t.reason, reason);
	if (held) {
		assert_int_equal(rproc_state_get(h->rproc), RPROC_CRASHED);
		assert_int_equal(rproc_link_state(h->link), RPROC_LINK_OFF);
		assert_int_equal(rproc_link_trysend(t.e, "x", 1), -ENOTCONN);
		assert_int_equal(rproc_set_recovery(h->rproc, true), 0);
		assert_int_equal(rproc_recover(h->rproc), 0);
	}
	if (!crash)
		assert_int_equal(lh_boot(h), 0);
	/* back: a fresh remote, a new handshake, the same endpoint */
	assert_true(LH_WAIT(h, h->up == 2, 5000));
	assert_true(lt_wait_bound(&t, 5000));
	assert_true(lt_settle(&t, 5000));
	lt_expect(&t, 100);
	echo_some(h, &t, 20);
	assert_int_equal(h->fw_restarts, 2);
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

static void crash_blocked(void **state)
{
	(void)state;
	blocked_then(true, false);
}

static void crash_blocked_no_recovery(void **state)
{
	(void)state;
	blocked_then(true, true);
}

static void stop_blocked(void **state)
{
	(void)state;
	blocked_then(false, false);
}

/* ---- crashes under traffic -------------------------------------------------- */

#define N_SENDERS 3

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
		/* blocking: a crash must wake it */
		ret = rproc_link_send(s->t->e, buf, len);
		if (!ret) {
			s->sent++;
			seq++;
		} else if (ret == -ENOTCONN) {
			s->notconn++;
			LH_WAIT(s->h, rproc_link_ept_bound(s->t->e), 50);
		} else {
			s->other++;
		}
	}
	return NULL;
}

static void crash_traffic(void **state)
{
	static struct lt_ept t[N_SENDERS];
	struct sender s[N_SENDERS];
	struct harness *h = boot();
	uint32_t sent = 0, rx = 0, notconn = 0;
	char name[16];

	(void)state;
	for (int i = 0; i < N_SENDERS; i++) {
		snprintf(name, sizeof(name), "echo%d", i);
		assert_int_equal(lt_create(h, &t[i], name), 0);
		t[i].any_order = true;
		assert_true(lt_wait_bound(&t[i], 5000));
	}
	for (int i = 0; i < N_SENDERS; i++) {
		s[i] = (struct sender){.h = h, .t = &t[i]};
		assert_int_equal(
			pthread_create(&s[i].th, NULL, sender_main, &s[i]), 0);
	}
	for (int r = 1; r <= 5; r++) {
		usleep(30000);
		assert_int_equal(
			rproc_report_crash(h->rproc, RPROC_CRASH_FATAL_ERROR),
			0);
		assert_true(LH_WAIT(h, h->down == r, 5000));
		assert_int_equal(h->down_reason, -EIO);
		assert_true(LH_WAIT(h, h->up == r + 1, 5000));
	}
	usleep(30000);
	for (int i = 0; i < N_SENDERS; i++) {
		__atomic_store_n(&s[i].stop, 1, __ATOMIC_RELAXED);
		pthread_join(s[i].th, NULL);
		assert_int_equal(s[i].other, 0);
		sent += s[i].sent;
		notconn += s[i].notconn;
		pthread_mutex_lock(&h->ev_lock);
		rx += t[i].rx;
		assert_int_equal(t[i].bad, 0);
		pthread_mutex_unlock(&h->ev_lock);
	}
	print_message("5 crashes under traffic: %u sent, %u echoed, %u sends "
		      "refused while down\n",
		      sent, rx, notconn);
	assert_int_equal(rproc_crash_count(h->rproc), 5);
	for (int i = 0; i < N_SENDERS; i++) {
		assert_true(lt_wait_bound(&t[i], 5000));
		assert_true(lt_settle(&t[i], 5000));
		lt_expect(&t[i], 1u << 20);
		echo_some(h, &t[i], 5);
		rproc_link_ept_destroy(t[i].e);
	}
	lh_free(h);
}

/* ---- the link resource ------------------------------------------------------ */

static void refused(struct lh_cfg *cfg, int err, const char *words)
{
	struct harness *h = lh_new(cfg);
	const char *log;

	logcap_begin();
	assert_int_equal(lh_boot(h), err);
	log = logcap_end(false);
	if (!strstr(lh_last_error(h), words)) {
		fprintf(stderr, "last error \"%s\" lacks \"%s\"; log:\n%s",
			lh_last_error(h), words, log);
		fail();
	}
	assert_non_null(strstr(lh_last_error(h), "subdevice link"));
	assert_int_equal(rproc_state_get(h->rproc), RPROC_OFFLINE);
	lh_free(h);
}

static void bad_resources(void **state)
{
	struct lh_cfg cfg;
	struct harness *h;
	struct rproc_link_ept *e;

	(void)state;
	lh_cfg_default(&cfg);
	cfg.no_carveout = true;
	refused(&cfg, -ENOENT, "no carveout \"link0\"");

	lh_cfg_default(&cfg);
	cfg.carveout = "elsewhere";
	refused(&cfg, -ENOENT, "no carveout \"elsewhere\"");

	lh_cfg_default(&cfg);
	cfg.version = 1; /* version 1 (the head index) is not spoken any more */
	refused(&cfg, -EINVAL, "version 1");

	lh_cfg_default(&cfg);
	cfg.size_h2r = 4000;
	refused(&cfg, -EINVAL, "ring sizes 4000 and 4096");

	lh_cfg_default(&cfg);
	cfg.size_r2h = 32;
	refused(&cfg, -EINVAL, "power of two");

	lh_cfg_default(&cfg);
	cfg.shm_len = LINK_SHM_SIZE(4096, 4096) - 4;
	refused(&cfg, -ENOSPC, "need 8512");

	/* no link resource: boots, the link stays off */
	lh_cfg_default(&cfg);
	cfg.no_vendor = true;
	cfg.raw = true;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_OFF);
	assert_int_equal(rproc_link_mtu(h->link), 0);
	assert_int_equal(
		rproc_link_ept_create(h->link, "a", NULL, NULL, NULL, &e), 0);
	assert_int_equal(rproc_link_trysend(e, "x", 1), -ENOTCONN);
	assert_int_equal(rproc_link_poll(h->link), 0);
	lh_free(h); /* the endpoint goes with the link */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crash_blocked),
		cmocka_unit_test(crash_blocked_no_recovery),
		cmocka_unit_test(stop_blocked),
		cmocka_unit_test(crash_traffic),
		cmocka_unit_test(bad_resources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
