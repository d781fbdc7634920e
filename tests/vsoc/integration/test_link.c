/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsoc_link: the link (docs/link.md) between the host library and the
 * linkecho sample on both emulated cores (Cortex-M4, RV32) of
 * integration/link.dts, through the core: the remote's table describes
 * the link, the core carves "link0" from the board's shared-dma-pool (the
 * m4 sees it at another address than the host), the vsoc's mailbox
 * carries the doorbells.  Echo of many messages on two endpoints of each
 * core from four threads at once; then a crash injected (RPFW_CMD_CRASH)
 * while senders are sending: each gets -ENOTCONN within a bound, the
 * endpoints unbind with -EIO, the core recovers the remote, the link comes
 * back by itself and the same endpoints echo again (crash_and_recover()
 * says how).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/proto.h"
#include "rproc/link.h"
#include "vsoc_test.h"

#define NEPT 2
#define WAKE_BOUND_MS 2000 /* senders learn of a crash within this */
#define MARKER 0xFFFFFFF0u

static const char *const cores[] = {"m4", "rv"};

struct ept {
	struct rproc_link_ept *e;
	uint32_t rx, expect, bad, unbinds, last;
	int reason;
	bool any_order;
};

struct core {
	const char *name;
	struct rproc *r;
	struct rproc_link *link;
	struct vt_rx rx;
	/* lock: the events come from the core's emulation thread */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int up, down, down_reason, bound;
	struct ept ept[NEPT];
};

static struct core C[2];

static uint8_t pattern(uint32_t seq, uint32_t i)
{
	return (uint8_t)((seq * 2654435761u + i * 40503u) >> 11);
}

static void fill(uint8_t *buf, uint32_t seq, size_t len)
{
	memcpy(buf, &seq, 4);
	for (size_t i = 4; i < len; i++)
		buf[i] = pattern(seq, (uint32_t)i);
}

/* Wait until @cond_ (over @c_'s fields, lock held) holds, at most @ms. */
#define WAIT(c_, cond_, ms)                                                    \
	({                                                                     \
		struct timespec ts_;                                           \
		bool ok_;                                                      \
		clock_gettime(CLOCK_REALTIME, &ts_);                           \
		ts_.tv_sec += (ms) / 1000;                                     \
		ts_.tv_nsec += ((ms) % 1000) * 1000000L;                       \
		if (ts_.tv_nsec >= 1000000000L) {                              \
			ts_.tv_sec++;                                          \
			ts_.tv_nsec -= 1000000000L;                            \
		}                                                              \
		pthread_mutex_lock(&(c_)->lock);                               \
		while (!(ok_ = (cond_)) &&                                     \
		       !pthread_cond_timedwait(&(c_)->cond, &(c_)->lock,       \
					       &ts_))                          \
			;                                                      \
		if (!ok_)                                                      \
			ok_ = (cond_);                                         \
		pthread_mutex_unlock(&(c_)->lock);                             \
		ok_;                                                           \
	})

static int rx_cb(struct rproc_link_ept *e, const void *data, size_t len,
		 void *priv)
{
	struct core *c = rproc_link_ept_link(e) == C[0].link ? &C[0] : &C[1];
	struct ept *t = priv;
	const uint8_t *p = data;
	uint32_t seq = 0;
	bool ok = len >= 4;

	if (ok)
		memcpy(&seq, p, 4);
	for (size_t i = 4; ok && i < len; i++)
		ok = p[i] == pattern(seq, (uint32_t)i);
	pthread_mutex_lock(&c->lock);
	if (!ok || (!t->any_order && seq != t->expect))
		if (t->bad++ < 3)
			fprintf(stderr,
				"%s %s: message %u (%zu bytes), "
				"expected %u: %s\n",
				c->name, rproc_link_ept_name(e), seq, len,
				t->expect, ok ? "out of order" : "corrupt");
	t->expect = seq + 1;
	t->last = seq;
	t->rx++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static void unbind_cb(struct rproc_link_ept *e, int reason, void *priv)
{
	struct core *c = rproc_link_ept_link(e) == C[0].link ? &C[0] : &C[1];
	struct ept *t = priv;

	pthread_mutex_lock(&c->lock);
	t->unbinds++;
	t->reason = reason;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void ev_up(void *ctx, struct rproc_link *l)
{
	struct core *c = ctx;

	(void)l;
	pthread_mutex_lock(&c->lock);
	c->up++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void ev_down(void *ctx, struct rproc_link *l, int reason)
{
	struct core *c = ctx;

	(void)l;
	pthread_mutex_lock(&c->lock);
	c->down++;
	c->down_reason = reason;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void ev_bound(void *ctx, struct rproc_link_ept *e)
{
	struct core *c = ctx;

	(void)e;
	pthread_mutex_lock(&c->lock);
	c->bound++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static const struct rproc_link_ops ops = {
	.up = ev_up,
	.down = ev_down,
	.bound = ev_bound,
};

static bool all_bound(struct core *c)
{
	for (int i = 0; i < NEPT; i++)
		if (!rproc_link_ept_bound(c->ept[i].e))
			return false;
	return true;
}

/* Open the board, put a link with two endpoints on each core, boot. */
static struct vsoc_board *setup_board(void)
{
	struct vsoc_board *b = vt_open("link");
	char name[16];

	memset(C, 0, sizeof(C));
	for (int k = 0; k < 2; k++) {
		struct core *c = &C[k];

		c->name = cores[k];
		c->r = vsoc_board_find(b, cores[k]);
		assert_non_null(c->r);
		pthread_mutex_init(&c->lock, NULL);
		pthread_cond_init(&c->cond, NULL);
		vt_rx_attach(&c->rx, c->r);
		assert_int_equal(rproc_set_coredump(c->r, RPROC_DUMP_DISABLED),
				 0);
		assert_int_equal(rproc_link_attach(c->r, &ops, c, &c->link), 0);
		for (int i = 0; i < NEPT; i++) {
			snprintf(name, sizeof(name), "echo%d", i);
			assert_int_equal(rproc_link_ept_create(c->link, name,
							       rx_cb, unbind_cb,
							       &c->ept[i],
							       &c->ept[i].e),
					 0);
		}
	}
	assert_int_equal(vsoc_board_add(b), 0);
	for (int k = 0; k < 2; k++) {
		struct core *c = &C[k];

		assert_int_equal(rproc_wait_state(c->r, RPROC_RUNNING, 5000),
				 0);
		assert_true(WAIT(c, c->up == 1, 5000));
		assert_true(WAIT(c, all_bound(c), 5000));
		assert_true(
			vt_trace_wait(c->r, "linkecho: ready, mtu 2040", 2000));
	}
	return b;
}

static void teardown_board(struct vsoc_board *b)
{
	for (int k = 0; k < 2; k++) {
		assert_int_equal(rproc_ctl_stop(C[k].r), 0);
		vt_rx_detach(&C[k].rx, C[k].r);
		rproc_link_detach(C[k].link);
	}
	vsoc_board_close(b);
	for (int k = 0; k < 2; k++) {
		pthread_cond_destroy(&C[k].cond);
		pthread_mutex_destroy(&C[k].lock);
	}
}

/* ---- senders ------------------------------------------------------------------ */

struct sender {
	struct core *c;
	struct ept *t;
	uint32_t n; /* messages to send; 0: until stopped */
	volatile int stop;
	pthread_t th;
	uint32_t sent, notconn, other;
	uint64_t first_notconn; /* ms */
};

static uint64_t now_ms(void)
{
	return vt_now_ns() / 1000000u;
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[2048];
	uint32_t seq = 0;
	int ret;

	while (s->n ? seq < s->n
		    : !__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		size_t len = 4 + (seq * 29u) % 400;

		fill(buf, seq, len);
		ret = rproc_link_send(s->t->e, buf, len);
		if (!ret) {
			s->sent++;
			seq++;
		} else if (ret == -ENOTCONN) {
			if (!__atomic_load_n(&s->notconn, __ATOMIC_RELAXED))
				__atomic_store_n(&s->first_notconn, now_ms(),
						 __ATOMIC_RELAXED);
			__atomic_fetch_add(&s->notconn, 1, __ATOMIC_RELEASE);
			if (s->n)
				break;
			WAIT(s->c, rproc_link_ept_bound(s->t->e), 50);
		} else {
			s->other++;
			break;
		}
	}
	return NULL;
}

static void start_senders(struct sender *s, uint32_t n)
{
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < NEPT; i++) {
			struct sender *x = &s[k * NEPT + i];

			*x = (struct sender){
				.c = &C[k], .t = &C[k].ept[i], .n = n};
			assert_int_equal(
				pthread_create(&x->th, NULL, sender_main, x),
				0);
		}
}

/* After traffic of unknown fate: a marker echoed proves everything sent
 * before it came back (each direction is in order). */
static void settle(struct core *c, struct ept *t, uint32_t expect)
{
	uint8_t buf[8];

	fill(buf, MARKER, sizeof(buf));
	assert_int_equal(rproc_link_send_timeout(t->e, buf, sizeof(buf), 5000),
			 0);
	assert_true(WAIT(c, t->last == MARKER, 5000));
	pthread_mutex_lock(&c->lock);
	t->any_order = false;
	t->expect = expect;
	pthread_mutex_unlock(&c->lock);
}

/* ---- tests --------------------------------------------------------------------- */

static void echo_both_cores(void **state)
{
	struct vsoc_board *b = setup_board();
	struct sender s[2 * NEPT];
	struct rproc_link_stats st;
	uint8_t buf[2048];
	uint64_t t0 = vt_now_ns();

	(void)state;
	for (int k = 0; k < 2; k++)
		assert_int_equal(rproc_link_mtu(C[k].link), link_mtu(4096));
	start_senders(s, 500);
	for (int i = 0; i < 2 * NEPT; i++) {
		pthread_join(s[i].th, NULL);
		assert_int_equal(s[i].sent, 500);
	}
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < NEPT; i++) {
			struct ept *t = &C[k].ept[i];

			assert_true(WAIT(&C[k], t->rx == 500, 10000));
			assert_int_equal(t->bad, 0);
		}
	print_message("2 cores x %d endpoints x 500 echoes: %.1f ms\n", NEPT,
		      (double)(vt_now_ns() - t0) / 1e6);
	/* the largest message, both ways */
	for (int k = 0; k < 2; k++) {
		struct ept *t = &C[k].ept[0];
		size_t mtu = rproc_link_mtu(C[k].link);

		fill(buf, 500, mtu);
		assert_int_equal(rproc_link_send(t->e, buf, mtu), 0);
		assert_int_equal(rproc_link_send(t->e, buf, mtu + 1),
				 -EMSGSIZE);
		assert_true(WAIT(&C[k], t->rx == 501, 5000));
		assert_int_equal(t->bad, 0);
		rproc_link_get_stats(C[k].link, &st);
		assert_int_equal(st.state, RPROC_LINK_UP);
		assert_int_equal(st.rx_no_ept + st.ctl_bad, 0);
		print_message("%s: %u doorbells rung for %llu messages sent\n",
			      C[k].name, st.kicks, (unsigned long long)st.tx);
	}
	teardown_board(b);
}

/*
 * Crashes under traffic, three rounds: a hang (the firmware stops taking
 * messages, every sender ends up blocked on a full ring, the watchdog
 * fires: each must get -ENOTCONN within WAKE_BOUND_MS of the crash), then a
 * bad read and a panic (whoever is sending then learns it; a sender that
 * happens not to be inside a send during the short recovery just goes on).
 * Each time: unbind -EIO, down -EIO, the remote recovered, the link back by
 * itself, every endpoint bound again, echo in order.
 */
static void crash_and_recover(void **state)
{
	static const uint32_t kinds[3][2] = {
		{RPFW_CRASH_HANG, RPFW_CRASH_HANG},
		{RPFW_CRASH_BAD_READ, RPFW_CRASH_PANIC},
		{RPFW_CRASH_PANIC, RPFW_CRASH_BAD_READ},
	};
	struct vsoc_board *b = setup_board();
	struct sender s[2 * NEPT];

	(void)state;
	for (int round = 1; round <= 3; round++) {
		uint32_t notconn = 0;

		for (int k = 0; k < 2; k++)
			for (int i = 0; i < NEPT; i++) {
				pthread_mutex_lock(&C[k].lock);
				C[k].ept[i].any_order = true;
				pthread_mutex_unlock(&C[k].lock);
			}
		start_senders(s, 0);
		usleep(50000);
		for (int k = 0; k < 2; k++) {
			uint32_t kind = kinds[round - 1][k];
			uint32_t count = rproc_crash_count(C[k].r);
			uint64_t crashed;

			vt_rx_reset(&C[k].rx);
			/* mid-traffic */
			assert_int_equal(
				vsoc_mbox_send(C[k].r,
					       RPFW_WORD(RPFW_CMD_CRASH, kind)),
				0);
			assert_true(vt_crash_wait(C[k].r, count + 1, 5000));
			crashed = now_ms();
			assert_true(WAIT(&C[k], C[k].down == round, 5000));
			assert_int_equal(C[k].down_reason, -EIO);
			for (int i = 0; i < NEPT; i++) {
				struct sender *x = &s[k * NEPT + i];
				uint64_t at;

				assert_true(WAIT(&C[k],
						 C[k].ept[i].unbinds ==
							 (uint32_t)round,
						 5000));
				assert_int_equal(C[k].ept[i].reason, -EIO);
				if (kind != RPFW_CRASH_HANG)
					continue;
				/* blocked on the full ring: woken */
				assert_true(WAIT(
					&C[k],
					__atomic_load_n(&x->notconn,
							__ATOMIC_ACQUIRE) > 0,
					WAKE_BOUND_MS));
				at = __atomic_load_n(&x->first_notconn,
						     __ATOMIC_RELAXED);
				assert_true(at < crashed + WAKE_BOUND_MS);
			}
			/* recovered: the link comes back by itself */
			assert_true(vt_rx_wait(&C[k].rx, RPFW_MSG_READY, 5000));
			assert_true(WAIT(&C[k], C[k].up == round + 1, 5000));
			assert_true(WAIT(&C[k], all_bound(&C[k]), 5000));
		}
		usleep(50000);
		for (int i = 0; i < 2 * NEPT; i++) {
			__atomic_store_n(&s[i].stop, 1, __ATOMIC_RELAXED);
			pthread_join(s[i].th, NULL);
			assert_int_equal(s[i].other, 0);
			assert_true(s[i].sent > 0);
			notconn += s[i].notconn;
		}
		print_message(
			"round %d (%s): %u sends refused while the remote "
			"was down\n",
			round, round == 1 ? "hang, watchdog" : "fault",
			notconn);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < NEPT; i++) {
				struct ept *t = &C[k].ept[i];

				settle(&C[k], t, 0);
				assert_int_equal(t->bad, 0);
			}
		/* and in order again */
		start_senders(s, 100);
		for (int i = 0; i < 2 * NEPT; i++) {
			pthread_join(s[i].th, NULL);
			assert_int_equal(s[i].sent, 100);
		}
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < NEPT; i++) {
				struct ept *t = &C[k].ept[i];

				assert_true(
					WAIT(&C[k], t->expect == 100, 5000));
				assert_int_equal(t->bad, 0);
			}
	}
	for (int k = 0; k < 2; k++)
		assert_int_equal(rproc_crash_count(C[k].r), 3);
	teardown_board(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_both_cores),
		cmocka_unit_test(crash_and_recover),
	};

	vt_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
