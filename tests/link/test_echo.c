/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_echo: the host link against the firmware library's link in a native
 * remote thread.  Echo on one endpoint at every size up to the MTU, many
 * endpoints from several threads at once, big zero-copy messages from the
 * remote, senders blocked on a full ring woken when the remote frees room
 * (no polling: the remote rings because the sender asked), send timeouts,
 * endpoints destroyed and created on either side, API errors.
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

static struct harness *boot(unsigned nept)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.nept = nept;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	assert_true(LH_WAIT(h, h->up >= 1 && h->fw_up >= 1, 5000));
	return h;
}

static void send_seq(struct lt_ept *t, uint32_t seq, size_t len)
{
	uint8_t buf[4096];

	lt_fill(buf, seq, len);
	assert_int_equal(rproc_link_send(t->e, buf, len), 0);
}

static void echo_one(void **state)
{
	struct rproc_link_stats st;
	struct harness *h = boot(4);
	struct lt_ept t;
	size_t mtu = rproc_link_mtu(h->link);
	uint8_t buf[4096] = {0};

	(void)state;
	assert_int_equal(mtu, link_mtu(4096));
	assert_int_equal(rproc_link_rx_mtu(h->link), link_mtu(4096));
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	assert_true(lt_wait_bound(&t, 5000));
	for (uint32_t i = 0; i < 2000; i++)
		send_seq(&t, i, 4 + (i * 37u) % (mtu - 3));
	send_seq(&t, 2000, mtu);
	assert_true(LH_WAIT(h, t.rx == 2001, 10000));
	assert_int_equal(t.bad, 0);
	assert_int_equal(rproc_link_send(t.e, buf, mtu + 1), -EMSGSIZE);
	assert_int_equal(rproc_link_send(t.e, NULL, 1), -EINVAL);
	assert_int_equal(rproc_link_send(t.e, NULL, 0), 0);
	assert_true(LH_WAIT(h, t.rx == 2002, 5000));
	rproc_link_get_stats(h->link, &st);
	assert_int_equal(st.state, RPROC_LINK_UP);
	assert_int_equal(st.rx_no_ept, 0);
	assert_int_equal(st.ctl_bad, 0);
	assert_true(st.rx >= 2002);
	assert_true(st.tx >= 2002);
	assert_int_not_equal(st.session, 0);
	assert_int_not_equal(st.peer_session, 0);
	print_message("2002 echoes: %u doorbells to the remote, %llu received "
		      "(notification suppression)\n",
		      st.kicks, (unsigned long long)lh_kicks(h));
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

#define N_EPT 32
#define N_THREADS 4
#define N_MSG 400

struct sender {
	struct lt_ept *t;
	unsigned n;
	pthread_t th;
	int err;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[256];

	for (uint32_t i = 0; i < N_MSG && !s->err; i++)
		for (unsigned k = 0; k < s->n && !s->err; k++) {
			size_t len = 4 + (i * 13u + k) % 200;

			lt_fill(buf, i, len);
			s->err = rproc_link_send(s->t[k].e, buf, len);
		}
	return NULL;
}

static void many_endpoints(void **state)
{
	static struct lt_ept t[N_EPT];
	struct sender s[N_THREADS];
	struct harness *h = boot(N_EPT);
	char name[16];

	(void)state;
	for (unsigned i = 0; i < N_EPT; i++) {
		snprintf(name, sizeof(name), "echo%u", i);
		assert_int_equal(lt_create(h, &t[i], name), 0);
	}
	for (unsigned i = 0; i < N_EPT; i++)
		assert_true(lt_wait_bound(&t[i], 5000));
	for (unsigned i = 0; i < N_THREADS; i++) {
		s[i] = (struct sender){.t = &t[i * (N_EPT / N_THREADS)],
				       .n = N_EPT / N_THREADS};
		assert_int_equal(
			pthread_create(&s[i].th, NULL, sender_main, &s[i]), 0);
	}
	for (unsigned i = 0; i < N_THREADS; i++) {
		pthread_join(s[i].th, NULL);
		assert_int_equal(s[i].err, 0);
	}
	for (unsigned i = 0; i < N_EPT; i++) {
		assert_true(LH_WAIT(h, t[i].rx == N_MSG, 10000));
		assert_int_equal(t[i].bad, 0);
	}
	for (unsigned i = 0; i < N_EPT; i++)
		rproc_link_ept_destroy(t[i].e);
	lh_free(h);
}

/* ---- small messages from many threads ----------------------------------- */

#define SMALL_THREADS 4
#define SMALL_EPT 2 /* per thread */
#define SMALL_MSG 1500

static void *small_main(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[32];

	for (uint32_t i = 0; i < SMALL_MSG && !s->err; i++)
		for (unsigned k = 0; k < s->n && !s->err; k++) {
			/* mostly the send's fast path (8..16 bytes in
			 * line), now and then another size */
			size_t len = i % 7 ? 8 + (i + k) % 9 : 4 + (i % 29);

			lt_fill(buf, i, len);
			s->err = rproc_link_send(s->t[k].e, buf, len);
		}
	return NULL;
}

/* The common small message from 4 threads at once: the lock contended
 * (its slow half), a ring full often (senders wait for the remote's
 * doorbell), every endpoint's messages echoed in order and intact. */
static void small_messages_threads(void **state)
{
	static struct lt_ept t[SMALL_THREADS * SMALL_EPT];
	struct sender s[SMALL_THREADS];
	struct harness *h = boot(SMALL_THREADS * SMALL_EPT);
	char name[16];

	(void)state;
	for (unsigned i = 0; i < SMALL_THREADS * SMALL_EPT; i++) {
		snprintf(name, sizeof(name), "echo%u", i);
		assert_int_equal(lt_create(h, &t[i], name), 0);
	}
	for (unsigned i = 0; i < SMALL_THREADS * SMALL_EPT; i++)
		assert_true(lt_wait_bound(&t[i], 5000));
	for (unsigned i = 0; i < SMALL_THREADS; i++) {
		s[i] = (struct sender){.t = &t[i * SMALL_EPT], .n = SMALL_EPT};
		assert_int_equal(
			pthread_create(&s[i].th, NULL, small_main, &s[i]), 0);
	}
	for (unsigned i = 0; i < SMALL_THREADS; i++) {
		pthread_join(s[i].th, NULL);
		assert_int_equal(s[i].err, 0);
	}
	for (unsigned i = 0; i < SMALL_THREADS * SMALL_EPT; i++) {
		assert_true(LH_WAIT(h, t[i].rx == SMALL_MSG, 20000));
		assert_int_equal(t[i].bad, 0);
	}
	for (unsigned i = 0; i < SMALL_THREADS * SMALL_EPT; i++)
		rproc_link_ept_destroy(t[i].e);
	lh_free(h);
}

/* ---- big messages from the remote (zero copy there) ------------------------ */

static uint32_t big_rx, big_bad;

static int big_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		  void *priv)
{
	const uint8_t *p = data;
	bool ok = true;

	(void)ept;
	(void)priv;
	for (size_t i = 0; i < len; i++)
		ok &= p[i] == lh_pattern((uint32_t)len, (uint32_t)i);
	pthread_mutex_lock(&H->ev_lock);
	big_rx++;
	big_bad += !ok;
	lh_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return 0;
}

static void big_from_remote(void **state)
{
	struct harness *h = boot(1);
	struct rproc_link_ept *cmd;
	uint32_t sizes[] = {1, 2, 3, 100, 1000, 2039, 2040}, w[2];

	(void)state;
	big_rx = big_bad = 0;
	assert_int_equal(
		rproc_link_ept_create(h->link, "cmd", big_cb, NULL, NULL, &cmd),
		0);
	assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
	for (unsigned r = 0; r < 10; r++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			w[0] = LH_CMD_BIG;
			w[1] = sizes[i];
			assert_int_equal(rproc_link_send(cmd, w, sizeof(w)), 0);
		}
	assert_true(LH_WAIT(h, big_rx == 70, 10000));
	assert_int_equal(big_bad, 0);
	assert_int_equal(h->fw_errors, 0);
	rproc_link_ept_destroy(cmd);
	lh_free(h);
}

/* ---- blocked senders -------------------------------------------------------- */

struct blocked {
	struct lt_ept *t;
	uint32_t seq;
	int ret;
	bool done;
	pthread_t th;
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;
	uint8_t buf[1000];

	lt_fill(buf, b->seq, sizeof(buf));
	b->ret = rproc_link_send(b->t->e, buf, sizeof(buf));
	pthread_mutex_lock(&H->ev_lock);
	b->done = true;
	lh_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return NULL;
}

/* Fill the host -> remote ring while the remote sleeps; returns the
 * messages that went in. */
static uint32_t fill(struct lt_ept *t, size_t len)
{
	uint8_t buf[1000];
	uint32_t n = 0;
	int ret;

	for (;;) {
		lt_fill(buf, n, len);
		ret = rproc_link_trysend(t->e, buf, len);
		if (ret == -EAGAIN)
			return n;
		assert_int_equal(ret, 0);
		n++;
	}
}

static void blocked_sender_wakes(void **state)
{
	struct harness *h = boot(1);
	struct blocked b[3];
	struct lt_ept t;
	uint32_t n;
	uint64_t kicks;

	(void)state;
	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	assert_true(lt_wait_bound(&t, 5000));
	/* the blocked senders' order among themselves is theirs */
	t.any_order = true;
	for (int round = 0; round < 20; round++) {
		pthread_mutex_lock(&h->ev_lock);
		t.expect = 0;
		t.rx = 0;
		pthread_mutex_unlock(&h->ev_lock);
		lh_pause(h, true);
		n = fill(&t, 1000);
		assert_true(n >= 3);
		for (int i = 0; i < 3; i++) {
			b[i] = (struct blocked){.t = &t,
						.seq = n + (uint32_t)i};
			/* one at a time: their order is the sequence */
			assert_int_equal(pthread_create(&b[i].th, NULL,
							blocked_main, &b[i]),
					 0);
			assert_false(LH_WAIT(h, b[i].done, 50));
		}
		kicks = lh_kicks(h);
		lh_pause(h, false);
		for (int i = 0; i < 3; i++) {
			pthread_join(b[i].th, NULL);
			assert_int_equal(b[i].ret, 0);
		}
		assert_true(LH_WAIT(h, t.rx == n + 3, 5000));
		assert_int_equal(t.bad, 0);
		(void)kicks;
	}
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

static void send_timeout(void **state)
{
	struct harness *h = boot(1);
	struct lt_ept t;
	uint8_t buf[1000];
	uint64_t t0;
	uint32_t n;

	(void)state;
	assert_int_equal(lt_create(h, &t, "echo0"), 0);
	assert_true(lt_wait_bound(&t, 5000));
	lh_pause(h, true);
	n = fill(&t, sizeof(buf));
	lt_fill(buf, n, sizeof(buf));
	t0 = lh_now_ms();
	assert_int_equal(rproc_link_send_timeout(t.e, buf, sizeof(buf), 100),
			 -ETIMEDOUT);
	assert_true(lh_now_ms() - t0 >= 99);
	assert_int_equal(rproc_link_send_timeout(t.e, buf, sizeof(buf), 0),
			 -EAGAIN);
	lh_pause(h, false);
	assert_int_equal(rproc_link_send_timeout(t.e, buf, sizeof(buf), 5000),
			 0);
	assert_true(LH_WAIT(h, t.rx == n + 1, 5000));
	assert_int_equal(t.bad, 0);
	rproc_link_ept_destroy(t.e);
	lh_free(h);
}

/* ---- endpoints come and go --------------------------------------------------- */

static void endpoint_churn(void **state)
{
	struct harness *h = boot(2);
	struct rproc_link_ept *cmd;
	struct lt_ept t0, t1;
	uint32_t w, seq = 0;
	int bound, unbound;

	(void)state;
	assert_int_equal(
		rproc_link_ept_create(h->link, "cmd", NULL, NULL, NULL, &cmd),
		0);
	assert_int_equal(lt_create(h, &t0, "echo0"), 0);
	assert_int_equal(lt_create(h, &t1, "echo1"), 0);
	assert_true(lt_wait_bound(&t0, 5000));
	assert_true(lt_wait_bound(&t1, 5000));
	assert_true(LH_WAIT(h, rproc_link_ept_bound(cmd), 5000));
	t0.any_order = true;
	for (int r = 0; r < 20; r++) {
		/* the remote destroys echo0: unbound with -ENOENT */
		w = LH_CMD_DESTROY;
		assert_int_equal(rproc_link_send(cmd, &w, 4), 0);
		assert_true(LH_WAIT(h, t0.unbinds == (uint32_t)r + 1, 5000));
		assert_int_equal(t0.reason, -ENOENT);
		assert_int_equal(rproc_link_trysend(t0.e, &seq, 4), -ENOTCONN);
		w = LH_CMD_CREATE;
		assert_int_equal(rproc_link_send(cmd, &w, 4), 0);
		assert_true(lt_wait_bound(&t0, 5000));
		send_seq(&t0, seq++, 64);
		assert_true(LH_WAIT(h, t0.rx == seq, 5000));

		/* we destroy echo1: the remote's is unbound */
		pthread_mutex_lock(&h->ev_lock);
		unbound = h->fw_unbound;
		bound = h->fw_bound;
		pthread_mutex_unlock(&h->ev_lock);
		rproc_link_ept_destroy(t1.e);
		assert_true(LH_WAIT(h, h->fw_unbound == unbound + 1, 5000));
		assert_int_equal(lt_create(h, &t1, "echo1"), 0);
		assert_true(lt_wait_bound(&t1, 5000));
		assert_true(LH_WAIT(h, h->fw_bound >= bound + 1, 5000));
		send_seq(&t1, 0, 100);
		assert_true(LH_WAIT(h, t1.rx == 1, 5000));
	}
	assert_int_equal(t0.bad + t1.bad, 0);
	assert_int_equal(h->fw_errors, 0);
	rproc_link_ept_destroy(t0.e);
	rproc_link_ept_destroy(t1.e);
	rproc_link_ept_destroy(cmd);
	lh_free(h);
}

static void api_errors(void **state)
{
	struct harness *h = boot(1);
	struct rproc_link_ept *e, *e2;
	struct rproc_link *l2;
	char longname[40];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(
		rproc_link_ept_create(h->link, longname, NULL, NULL, NULL, &e),
		-ENAMETOOLONG);
	longname[32] = 0;
	assert_int_equal(
		rproc_link_ept_create(h->link, longname, NULL, NULL, NULL, &e),
		-ENAMETOOLONG);
	longname[31] = 0; /* 31 bytes: the most */
	assert_int_equal(
		rproc_link_ept_create(h->link, longname, NULL, NULL, NULL, &e),
		0);
	assert_string_equal(rproc_link_ept_name(e), longname);
	assert_ptr_equal(rproc_link_ept_link(e), h->link);
	assert_int_equal(
		rproc_link_ept_create(h->link, longname, NULL, NULL, NULL, &e2),
		-EEXIST);
	assert_int_equal(
		rproc_link_ept_create(h->link, "", NULL, NULL, NULL, &e2),
		-EINVAL);
	assert_int_equal(
		rproc_link_ept_create(h->link, NULL, NULL, NULL, NULL, &e2),
		-EINVAL);
	/* not bound: the remote has no such endpoint */
	assert_false(rproc_link_ept_bound(e));
	assert_int_equal(rproc_link_trysend(e, "x", 1), -ENOTCONN);
	rproc_link_ept_destroy(e);
	rproc_link_ept_destroy(NULL);
	assert_int_equal(rproc_link_attach(h->rproc, NULL, NULL, &l2), -EBUSY);
	assert_int_equal(rproc_link_poll(NULL), -EINVAL);
	lh_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_one),
		cmocka_unit_test(many_endpoints),
		cmocka_unit_test(small_messages_threads),
		cmocka_unit_test(big_from_remote),
		cmocka_unit_test(blocked_sender_wakes),
		cmocka_unit_test(send_timeout),
		cmocka_unit_test(endpoint_churn),
		cmocka_unit_test(api_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
