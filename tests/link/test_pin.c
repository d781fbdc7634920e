/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_pin: endpoint lifetime against the host link's busy word
 * (src/link/link.c, "Roles and locks").  One thread at a time holds the
 * busy role and runs the receive callbacks, with the endpoint whose
 * callbacks may run pinned in the word itself (PIN(id)); it takes the role
 * with the endpoint it pinned last already pinned (a guess) and switches
 * the pin when records name another endpoint.  rproc_link_ept_destroy()
 * clears the endpoint's slot, then sleeps while the word pins its id.
 *
 * What is checked:
 *  - once rproc_link_ept_destroy() returned, no callback of that endpoint
 *    runs and none is running.  Its priv (struct victim) is marked dead
 *    right after and kept until the end of the test, so a late callback is
 *    seen in every build; the endpoint itself is the library's and freed
 *    by destroy (ASan sees a use after free);
 *  - destroy returns: for the holder's guess with nobody polling and with
 *    somebody polling all the time, from another endpoint's receive
 *    callback, from the link's up and bound events after a remote restart.
 *    A destroy that does not return within DESTROY_MS, or a test past its
 *    time, fails the program (a watchdog: the hung thread cannot be
 *    joined);
 *  - the other endpoints keep receiving, in order and all of it.
 *
 * Most tests run the remote raw (harness.h): the firmware library's link
 * (firmware/lib/link.c) driven by this program, from the test thread or a
 * thread of its own, so the remote sends to endpoints as fast as it can
 * and the records in the ring are known when the host polls.  The
 * _doorbell tests run the echo firmware (native_remote.c) with the host's
 * doorbell thread in the busy role.  Failures seen off the test thread
 * are recorded (fail_at()) and reported by the test thread.
 *
 * Environment: LINK_PIN_MS=<ms> the time of each stress test
 * (destroy_while_delivering_*; default STRESS_MS, longer under the
 * sanitizers); LINK_PIN_ONLY=<pattern> runs the tests matching it only.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "lt_ept.h"
#include "rpfw/link.h"

/* Sanitizers are slower: longer limits, a longer stress budget. */
#if defined(__SANITIZE_THREAD__)
#define PIN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PIN_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PIN_ASAN 1
#endif
#endif

#if defined(PIN_TSAN)
#define SLOW 4
#define STRESS_MS 2500 /* per stress test */
#define ROUNDS 20
#elif defined(PIN_ASAN)
#define SLOW 2
#define STRESS_MS 1000
#define ROUNDS 60
#else
#define SLOW 1
#define STRESS_MS 600
#define ROUNDS 100
#endif

/*
 * The remote's side of the rings races with the host's by design
 * (volatile accesses and fences, which TSan does not model): tsan.supp
 * suppresses the reports that name a frame of the firmware's link.  A
 * remote thread of ours that does nothing but send writes so much that
 * TSan loses the stack of a write that a host read races with, and the
 * suppression cannot match: that thread's accesses are ignored instead
 * (ThreadSanitizer's dynamic annotations).  Its atomics and the host's
 * accesses are still checked.
 */
#if defined(PIN_TSAN)
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define REMOTE_BEGIN()                                                         \
	(AnnotateIgnoreReadsBegin(__FILE__, __LINE__),                         \
	 AnnotateIgnoreWritesBegin(__FILE__, __LINE__))
#define REMOTE_END()                                                           \
	(AnnotateIgnoreWritesEnd(__FILE__, __LINE__),                          \
	 AnnotateIgnoreReadsEnd(__FILE__, __LINE__))
#else
#define REMOTE_BEGIN() ((void)0)
#define REMOTE_END() ((void)0)
#endif

#define STRESS_ITER 5000	 /* at most, per stress test */
#define DESTROY_MS (2000 * SLOW) /* a destroy that takes longer hangs */
#define WAIT_MS (5000 * SLOW)	 /* for anything else to happen */
#define TEST_MS (10000 * SLOW)	 /* a whole test */
#define HOLD_MS (50 * SLOW)	 /* a callback held */
#define MSG_LEN 16

/* ---- failures off the test thread ----------------------------------------- */

static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned fails;
static char fail_why[256];

__attribute__((format(printf, 1, 2))) static void fail_at(const char *fmt, ...)
{
	char buf[sizeof(fail_why)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&fail_lock);
	if (fails < 5)
		fprintf(stderr, "link_pin: %s\n", buf);
	if (!fails++)
		memcpy(fail_why, buf, sizeof(buf));
	pthread_mutex_unlock(&fail_lock);
}

/* Fail the test for what fail_at() recorded (and forget it). */
static void check_fails_at(const char *file, int line)
{
	char why[sizeof(fail_why)];
	unsigned n;

	pthread_mutex_lock(&fail_lock);
	n = fails;
	memcpy(why, fail_why, sizeof(why));
	fails = 0;
	pthread_mutex_unlock(&fail_lock);
	if (n) {
		print_error("%u failure(s), the first: %s\n", n, why);
		_fail(file, line);
	}
}

#define check_fails() check_fails_at(__FILE__, __LINE__)

/* ---- the watchdog ------------------------------------------------------------ */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond = PTHREAD_COND_INITIALIZER;
static uint64_t wd_deadline; /* ms (lh_now_ms()), 0: none */
static const char *wd_what;
static bool wd_quit;
static pthread_t wd_thread;

static void *wd_main(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&wd_lock);
	while (!wd_quit) {
		if (wd_deadline && lh_now_ms() >= wd_deadline) {
			fprintf(stderr,
				"link_pin: watchdog: %s: not done in time "
				"(a hang)\n",
				wd_what);
			_exit(1);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wd_cond, &wd_lock, &ts);
	}
	pthread_mutex_unlock(&wd_lock);
	return NULL;
}

/* @what must be done within @ms, or the program fails; 0: disarm. */
static void wd_arm(int ms, const char *what)
{
	pthread_mutex_lock(&wd_lock);
	wd_deadline = ms ? lh_now_ms() + (uint64_t)ms : 0;
	wd_what = what;
	pthread_mutex_unlock(&wd_lock);
}

/* ---- small helpers -------------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = mono_ns();

	while (mono_ns() - t0 < ns)
		;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Spin (yielding) until @cond, false after @ms. */
#define SPIN_UNTIL(cond, ms)                                                   \
	({                                                                     \
		uint64_t t0_ = lh_now_ms();                                    \
		bool ok_;                                                      \
		while (!(ok_ = (cond)) && lh_now_ms() - t0_ < (uint64_t)(ms))  \
			sched_yield();                                         \
		ok_;                                                           \
	})

/* A message: the sequence number, then lh_pattern(seq, i). */
static void msg_fill(uint8_t *buf, uint32_t seq)
{
	memcpy(buf, &seq, 4);
	for (uint32_t i = 4; i < MSG_LEN; i++)
		buf[i] = lh_pattern(seq, i);
}

static bool msg_ok(const void *data, size_t len, uint32_t *seq)
{
	const uint8_t *p = data;

	if (len != MSG_LEN)
		return false;
	memcpy(seq, p, 4);
	for (uint32_t i = 4; i < MSG_LEN; i++)
		if (p[i] != lh_pattern(*seq, i))
			return false;
	return true;
}

/* ---- endpoints ------------------------------------------------------------------- */

#define V_MAGIC 0x76696374u
#define V_DEAD 0xdeadbeefu

/* An endpoint that is destroyed: its priv. */
struct victim {
	_Atomic uint32_t magic; /* V_MAGIC until its destroy returned */
	atomic_bool alive;	/* the same */
	atomic_int running;	/* callbacks in progress */
	atomic_uint rx;
	atomic_uint spin_ns;	  /* callbacks spin this long */
	atomic_uint spin_every;	  /* every that many (0: none) */
	atomic_uint hold_ms;	  /* the next callback sleeps this long */
	atomic_bool in_cb;	  /* that callback started */
	atomic_bool cb_end;	  /* and is about to return */
	struct rproc_link_ept *e; /* the creator's */
	char name[16];
	struct victim *next; /* in the graveyard */
};

static pthread_mutex_t grave_lock = PTHREAD_MUTEX_INITIALIZER;
static struct victim *graveyard;

static struct victim *victim_new(const char *name)
{
	struct victim *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	atomic_store(&v->magic, V_MAGIC);
	atomic_store(&v->alive, true);
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

static int victim_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		     void *priv)
{
	struct victim *v = priv;
	unsigned n, ms, ns, every;

	(void)ept;
	(void)data;
	(void)len;
	if (atomic_load(&v->magic) != V_MAGIC || !atomic_load(&v->alive)) {
		fail_at("%s: a callback after rproc_link_ept_destroy() "
			"returned",
			v->name);
		return 0;
	}
	atomic_fetch_add(&v->running, 1);
	n = atomic_fetch_add(&v->rx, 1) + 1;
	ms = atomic_exchange(&v->hold_ms, 0);
	ns = atomic_load_explicit(&v->spin_ns, memory_order_relaxed);
	every = atomic_load_explicit(&v->spin_every, memory_order_relaxed);
	if (ms) {
		atomic_store(&v->in_cb, true);
		sleep_ms(ms);
		atomic_store(&v->cb_end, true);
	} else if (every && n % every == 0) {
		spin_ns(ns);
	}
	if (!atomic_load(&v->alive))
		fail_at("%s: rproc_link_ept_destroy() returned while its "
			"callback ran",
			v->name);
	atomic_fetch_sub(&v->running, 1);
	return 0;
}

static int victim_create(struct harness *h, struct victim *v)
{
	return rproc_link_ept_create(h->link, v->name, victim_cb, NULL, v,
				     &v->e);
}

/* Right after rproc_link_ept_destroy(v->e) returned: no callback may be
 * running; mark it dead and keep it until the end of the test. */
static void victim_destroyed(struct victim *v)
{
	if (atomic_load(&v->running))
		fail_at("%s: rproc_link_ept_destroy() returned during a "
			"callback",
			v->name);
	atomic_store(&v->alive, false);
	atomic_store(&v->magic, V_DEAD);
	v->e = NULL;
	pthread_mutex_lock(&grave_lock);
	v->next = graveyard;
	graveyard = v;
	pthread_mutex_unlock(&grave_lock);
}

static void graveyard_free(void)
{
	struct victim *v;

	pthread_mutex_lock(&grave_lock);
	while ((v = graveyard)) {
		graveyard = v->next;
		free(v);
	}
	pthread_mutex_unlock(&grave_lock);
}

static bool wait_rx(struct victim *v, unsigned n, int ms)
{
	return SPIN_UNTIL(atomic_load(&v->rx) >= n, ms);
}

/* Spin, not yielding, until a callback of @v runs (on another core), at
 * most @us microseconds. */
static bool catch_in_callback(struct victim *v, unsigned us)
{
	uint64_t t0 = mono_ns();

	while (!atomic_load(&v->running))
		if (mono_ns() - t0 >= (uint64_t)us * 1000)
			return false;
	return true;
}

/* An endpoint that lives: every message once, in order, intact. */
struct seq_rx {
	const char *name;
	atomic_uint rx, expect;
};

static int seq_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		  void *priv)
{
	struct seq_rx *s = priv;
	uint32_t seq = 0, want;

	(void)ept;
	want = atomic_load_explicit(&s->expect, memory_order_relaxed);
	if (!msg_ok(data, len, &seq) || seq != want)
		fail_at("%s: message %u (%zu bytes), expected %u", s->name, seq,
			len, want);
	atomic_store(&s->expect, seq + 1);
	atomic_fetch_add(&s->rx, 1);
	return 0;
}

/* Destroy @e on another thread; the program fails if that takes more than
 * DESTROY_MS (the thread would hang in it). */
struct dw {
	struct rproc_link_ept *e;
	pthread_mutex_t m;
	pthread_cond_t c;
	bool done;
};

static void *dw_main(void *arg)
{
	struct dw *d = arg;

	rproc_link_ept_destroy(d->e);
	pthread_mutex_lock(&d->m);
	d->done = true;
	pthread_cond_broadcast(&d->c);
	pthread_mutex_unlock(&d->m);
	return NULL;
}

static void destroy_within(struct rproc_link_ept *e, const char *what)
{
	struct dw d = {.e = e};
	struct timespec ts;
	pthread_t th;

	pthread_mutex_init(&d.m, NULL);
	pthread_cond_init(&d.c, NULL);
	assert_int_equal(pthread_create(&th, NULL, dw_main, &d), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += DESTROY_MS / 1000;
	pthread_mutex_lock(&d.m);
	while (!d.done && !pthread_cond_timedwait(&d.c, &d.m, &ts))
		;
	if (!d.done) {
		fprintf(stderr,
			"link_pin: %s: rproc_link_ept_destroy() did not return "
			"within %d ms (a hang)\n",
			what, DESTROY_MS);
		_exit(1);
	}
	pthread_mutex_unlock(&d.m);
	pthread_join(th, NULL);
	pthread_cond_destroy(&d.c);
	pthread_mutex_destroy(&d.m);
}

/* A host thread polling the link all the time. */
struct poller {
	struct rproc_link *link;
	atomic_bool stop;
	bool yield; /* at every poll: the role changes hands more */
	pthread_t th;
	unsigned long polls;
};

static void *poll_main(void *arg)
{
	struct poller *p = arg;

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		rproc_link_poll(p->link);
		p->polls++;
		/* now and then at least: the test has threads for 2 cores */
		if (p->yield || !(p->polls & 63))
			sched_yield();
	}
	return NULL;
}

static void poller_start(struct poller *p, struct rproc_link *link, bool yield)
{
	p->link = link;
	p->yield = yield;
	p->polls = 0;
	atomic_store(&p->stop, false);
	assert_int_equal(pthread_create(&p->th, NULL, poll_main, p), 0);
}

static void poller_stop(struct poller *p)
{
	atomic_store(&p->stop, true);
	pthread_join(p->th, NULL);
}

/* ---- the raw remote: the firmware library's link driven from here ------------- */

static struct rpfw_link FW;

static int fw_rx(struct rpfw_link_ept *ept, void *data, uint32_t len,
		 void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)priv;
	return 0;
}

static struct rpfw_link_ept *fw_ept(const char *name)
{
	struct rpfw_link_ept *e = rpfw_link_create_ept(&FW, name, fw_rx, NULL);

	assert_non_null(e);
	return e;
}

static void fw_send(struct rpfw_link_ept *e, uint32_t seq)
{
	uint8_t buf[MSG_LEN];

	msg_fill(buf, seq);
	assert_int_equal(rpfw_link_send(e, buf, MSG_LEN), 0);
}

/* (Re)start the firmware's link: a new session, no endpoints. */
static void fw_start(struct harness *h)
{
	void *v, *c;

	lh_find_table(h, &v, &c);
	assert_non_null(v);
	assert_non_null(c);
	assert_int_equal(rpfw_link_init(&FW, v, c, h->nr), 0);
}

/* Both sides in turn on this thread until @cond (false after @ms). */
#define PUMP(h, cond, ms)                                                      \
	({                                                                     \
		uint64_t t0_ = lh_now_ms();                                    \
		bool ok_;                                                      \
		while (!(ok_ = (cond)) &&                                      \
		       lh_now_ms() - t0_ < (uint64_t)(ms)) {                   \
			rpfw_link_poll(&FW);                                   \
			rproc_link_poll((h)->link);                            \
		}                                                              \
		ok_;                                                           \
	})

/* A raw remote booted (the link's events the harness's, h->on_up
 * first), the firmware's link started. */
static struct harness *raw_boot(void)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.raw = true;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	fw_start(h);
	return h;
}

/* The echo firmware on its thread, the host's doorbell thread. */
static struct harness *echo_boot(unsigned nept)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.nept = nept;
	h = lh_new(&cfg);
	assert_int_equal(lh_boot(h), 0);
	assert_true(LH_WAIT(h, h->up >= 1 && h->fw_up >= 1, WAIT_MS));
	return h;
}

static bool spin_bound(struct rproc_link_ept *e, int ms)
{
	return SPIN_UNTIL(rproc_link_ept_bound(e), ms);
}

static void test_end(struct harness *h)
{
	lh_free(h);
	graveyard_free();
	wd_arm(0, NULL);
	check_fails();
}

static unsigned stress_ms(void)
{
	const char *s = getenv("LINK_PIN_MS");

	return s && atoi(s) > 0 ? (unsigned)atoi(s) : STRESS_MS;
}

/*
 * The destroyer's loop of the stress tests: endpoint @name created with a
 * victim and destroyed, over and over: 1 in 8 at once (maybe before it is
 * bound); 7 in 16 when a callback of it runs (each spinning 50 us: the
 * destroy must wait for it), else after one was received and a random
 * while.  @send: the host sends it a few first (echo firmware).
 */
static unsigned churn(struct harness *h, const char *name, bool send,
		      unsigned *b_rx, unsigned *caught)
{
	uint64_t t0 = lh_now_ms(), budget = stress_ms();
	uint32_t seed = 0x9e3779b9u, r;
	uint8_t buf[MSG_LEN];
	struct victim *v;
	bool catch, ok = true;
	unsigned it;

	for (it = 0; ok && it < STRESS_ITER && lh_now_ms() - t0 < budget;
	     it++) {
		v = victim_new(name);
		r = lh_rand(&seed);
		catch = r & 1;
		atomic_store(&v->spin_ns, catch ? 50000 : 3000);
		atomic_store(&v->spin_every, catch ? 1 : r & 6 ? 0 : 3);
		if (victim_create(h, v)) {
			fail_at("%s: not created", name);
			free(v);
			break;
		}
		if (!(r >> 29)) {
			/* at once, maybe before it is bound */
		} else if (send && !spin_bound(v->e, WAIT_MS)) {
			fail_at("%s: not bound in %d ms", name, WAIT_MS);
			ok = false;
		} else {
			for (unsigned k = 0; send && k <= 1 + (r >> 4) % 8;
			     k++) {
				msg_fill(buf, k);
				rproc_link_trysend(v->e, buf, MSG_LEN);
			}
			if (catch && catch_in_callback(v, 2000)) {
				(*caught)++;
			} else if (!wait_rx(v, 1, WAIT_MS)) {
				fail_at("%s: nothing received in %d ms", name,
					WAIT_MS);
				ok = false;
			} else if (!catch) {
				spin_ns((r >> 8) % 16 * 1000);
			}
		}
		rproc_link_ept_destroy(v->e);
		victim_destroyed(v);
		*b_rx += atomic_load(&v->rx);
	}
	return it;
}

/* ---- 1. destroy while the remote sends to it ------------------------------------ */

struct fw_spam {
	struct rpfw_link_ept *fa, *fb;
	atomic_bool stop;
	uint32_t sent_a, sent_b; /* the firmware thread's until joined */
};

/* The remote as fast as it can: "a" in sequence, "b" whenever bound. */
static void *spam_main(void *arg)
{
	struct fw_spam *s = arg;
	uint8_t buf[MSG_LEN];
	bool progress;

	REMOTE_BEGIN();
	rpfw_link_set_polled(&FW, 1);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		rpfw_link_poll(&FW);
		progress = false;
		for (int k = 0; k < 8; k++) {
			msg_fill(buf, s->sent_a);
			if (!rpfw_link_send(s->fa, buf, MSG_LEN)) {
				s->sent_a++;
				progress = true;
			}
			if (!rpfw_link_bound(s->fb))
				continue;
			msg_fill(buf, s->sent_b);
			if (!rpfw_link_send(s->fb, buf, MSG_LEN))
				s->sent_b++;
		}
		if (!progress)
			sched_yield();
	}
	REMOTE_END();
	return NULL;
}

/*
 * Polled: the remote (its own thread) sends to "a" and "b" as fast as it
 * can, two host threads poll (one yielding between polls, so the role
 * and the guess change hands), this thread creates "b", waits for a
 * message, destroys it, again and again; "b"'s callback now and then
 * spins to be caught in it.  "a" gets everything, in order.
 */
static void destroy_while_delivering_polled(void **state)
{
	struct rproc_link_stats st;
	struct harness *h;
	struct fw_spam s = {0};
	struct seq_rx a = {.name = "a"};
	struct rproc_link_ept *ea;
	struct poller p1, p2;
	unsigned it, b_rx = 0, caught = 0;
	uint64_t t0 = lh_now_ms();
	pthread_t th;

	(void)state;
	wd_arm(TEST_MS, "destroy_while_delivering_polled");
	h = raw_boot();
	s.fa = fw_ept("a");
	s.fb = fw_ept("b");
	assert_int_equal(
		rproc_link_ept_create(h->link, "a", seq_cb, NULL, &a, &ea), 0);
	assert_true(PUMP(h, rproc_link_ept_bound(ea) && rpfw_link_bound(s.fa),
			 WAIT_MS));
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	poller_start(&p1, h->link, false);
	poller_start(&p2, h->link, true);
	assert_int_equal(pthread_create(&th, NULL, spam_main, &s), 0);

	it = churn(h, "b", false, &b_rx, &caught);

	atomic_store(&s.stop, true);
	pthread_join(th, NULL);
	if (!SPIN_UNTIL(atomic_load(&a.rx) == s.sent_a, WAIT_MS))
		fail_at("a: %u of %u received", atomic_load(&a.rx), s.sent_a);
	poller_stop(&p1);
	poller_stop(&p2);
	rproc_link_get_stats(h->link, &st);
	print_message("%u destroys in %llu ms (%u in a callback); a: %u "
		      "messages in order; b: %u of %u received, %u to nobody; "
		      "polls %lu + %lu\n",
		      it, (unsigned long long)(lh_now_ms() - t0), caught,
		      s.sent_a, b_rx, s.sent_b, st.rx_no_ept, p1.polls,
		      p2.polls);
	assert_true(it >= 10);
	assert_true(s.sent_a > 0);
	assert_int_equal(st.state, RPROC_LINK_UP);
	rproc_link_ept_destroy(ea);
	test_end(h);
}

struct host_sender {
	struct harness *h;
	struct lt_ept *t;
	atomic_bool stop;
	uint32_t sent;
	pthread_t th;
};

/* "a" echoed by the remote: at most 8 on their way. */
static void *sender_main(void *arg)
{
	struct host_sender *s = arg;
	uint8_t buf[MSG_LEN];
	int ret;

	while (!atomic_load(&s->stop)) {
		if (!LH_WAIT(s->h,
			     atomic_load(&s->stop) || s->sent - s->t->rx < 8,
			     WAIT_MS)) {
			fail_at("a: no echo in %d ms", WAIT_MS);
			break;
		}
		if (atomic_load(&s->stop))
			break;
		lt_fill(buf, s->sent, MSG_LEN);
		ret = rproc_link_send_timeout(s->t->e, buf, MSG_LEN, WAIT_MS);
		if (ret) {
			fail_at("a: send: %d", ret);
			break;
		}
		s->sent++;
	}
	return NULL;
}

/*
 * The same with the echo firmware and the doorbell thread in the busy
 * role: a host thread sends to "echo0" (echoed in order), this thread
 * creates "echo1", sends it a few, waits for an echo, destroys it while
 * the rest come back.
 */
static void destroy_while_delivering_doorbell(void **state)
{
	struct rproc_link_stats st;
	struct harness *h;
	struct host_sender s = {0};
	struct lt_ept a;
	unsigned it, b_rx = 0, caught = 0;
	uint64_t t0 = lh_now_ms();

	(void)state;
	wd_arm(TEST_MS, "destroy_while_delivering_doorbell");
	h = echo_boot(2);
	assert_int_equal(lt_create(h, &a, "echo0"), 0);
	assert_true(lt_wait_bound(&a, WAIT_MS));
	s.h = h;
	s.t = &a;
	assert_int_equal(pthread_create(&s.th, NULL, sender_main, &s), 0);

	it = churn(h, "echo1", true, &b_rx, &caught);

	atomic_store(&s.stop, true);
	pthread_mutex_lock(&h->ev_lock);
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
	pthread_join(s.th, NULL);
	assert_true(LH_WAIT(h, a.rx == s.sent, WAIT_MS));
	assert_int_equal(a.bad, 0);
	rproc_link_get_stats(h->link, &st);
	print_message("%u destroys in %llu ms (%u in a callback); echo0: %u "
		      "echoes in order; echo1: %u received, %u to nobody\n",
		      it, (unsigned long long)(lh_now_ms() - t0), caught,
		      s.sent, b_rx, st.rx_no_ept);
	assert_true(it >= 10);
	assert_int_equal(st.state, RPROC_LINK_UP);
	rproc_link_ept_destroy(a.e);
	test_end(h);
}

/* ---- 2. destroy the holder's guess ------------------------------------------------ */

/*
 * "x" receives a message through a poll, so the next holder takes the
 * role with it pinned; then it is destroyed with nobody polling
 * (odd rounds: with a host thread polling all the time, each poll taking
 * the role with the destroyed endpoint as its guess).  Then a message to
 * its old id (sent before the remote saw the unbind) goes to nobody and
 * "y" still gets its own.
 */
static void destroy_the_guess(void **state)
{
	struct rproc_link_stats st;
	struct rpfw_link_ept *fx, *fy;
	struct seq_rx y = {.name = "y"};
	struct rproc_link_ept *ey;
	struct poller p;
	struct harness *h;
	struct victim *v;
	uint32_t yseq = 0;
	uint64_t t0 = lh_now_ms();

	(void)state;
	wd_arm(TEST_MS, "destroy_the_guess");
	h = raw_boot();
	fx = fw_ept("x");
	fy = fw_ept("y");
	assert_int_equal(
		rproc_link_ept_create(h->link, "y", seq_cb, NULL, &y, &ey), 0);
	assert_true(PUMP(h, rproc_link_ept_bound(ey) && rpfw_link_bound(fy),
			 WAIT_MS));
	for (int round = 0; round < ROUNDS; round++) {
		bool polling = round & 1;

		v = victim_new("x");
		assert_int_equal(victim_create(h, v), 0);
		assert_true(PUMP(
			h, rproc_link_ept_bound(v->e) && rpfw_link_bound(fx),
			WAIT_MS));
		if (polling)
			poller_start(&p, h->link, false);
		fw_send(fx, 0);
		if (!polling)
			assert_int_equal(rproc_link_poll(h->link), 1);
		assert_true(wait_rx(v, 1, WAIT_MS));
		fw_send(fx, 1); /* in the ring, or being delivered */
		destroy_within(v->e, polling ? "the guess, a poller running"
					     : "the guess, nobody polling");
		victim_destroyed(v);
		fw_send(fy, yseq++);
		if (!polling)
			rproc_link_poll(h->link);
		assert_true(PUMP(h, atomic_load(&y.rx) == yseq, WAIT_MS));
		/* the remote takes the unbind */
		assert_true(PUMP(h, !rpfw_link_bound(fx), WAIT_MS));
		if (polling)
			poller_stop(&p);
		check_fails();
	}
	rproc_link_get_stats(h->link, &st);
	print_message("%d rounds in %llu ms; %u messages to nobody\n", ROUNDS,
		      (unsigned long long)(lh_now_ms() - t0), st.rx_no_ept);
	assert_int_equal(st.state, RPROC_LINK_UP);
	rproc_link_ept_destroy(ey);
	test_end(h);
}

/* The same with the doorbell thread as the holder, idle afterwards. */
static void destroy_the_guess_doorbell(void **state)
{
	struct harness *h;
	struct victim *v;
	uint8_t buf[MSG_LEN];

	(void)state;
	wd_arm(TEST_MS, "destroy_the_guess_doorbell");
	h = echo_boot(1);
	for (int round = 0; round < ROUNDS / 5; round++) {
		v = victim_new("echo0");
		assert_int_equal(victim_create(h, v), 0);
		assert_true(spin_bound(v->e, WAIT_MS));
		msg_fill(buf, (uint32_t)round);
		assert_int_equal(rproc_link_send(v->e, buf, MSG_LEN), 0);
		assert_true(wait_rx(v, 1, WAIT_MS));
		if (round & 1)
			sleep_ms(1); /* the doorbell thread asleep */
		destroy_within(v->e, "the doorbell thread's guess");
		victim_destroyed(v);
		check_fails();
	}
	test_end(h);
}

/* ---- 3. destroy from callbacks and link events ------------------------------------ */

/* "y": destroys the victim from its receive callback when armed. */
struct killer {
	struct seq_rx s;
	struct victim *x;
	atomic_bool armed;
	atomic_int kills;
};

static int killer_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		     void *priv)
{
	struct killer *k = priv;

	seq_cb(ept, data, len, &k->s);
	if (atomic_exchange(&k->armed, false)) {
		rproc_link_ept_destroy(k->x->e);
		victim_destroyed(k->x);
		atomic_fetch_add(&k->kills, 1);
	}
	return 0;
}

/*
 * "y"'s callback destroys "x" while "x" was the last pinned: even rounds
 * x's message in an earlier poll (x is the role's guess), then y, x, x;
 * odd rounds x, y, x in one poll (x pinned in it).  Each poll one call on
 * this thread; the messages to x after y's go to nobody.
 */
static void destroy_from_rx_callback(void **state)
{
	struct rproc_link_stats st;
	struct rpfw_link_ept *fx, *fy;
	struct killer k = {.s.name = "y"};
	struct rproc_link_ept *ey;
	struct harness *h;
	struct victim *v;
	uint32_t yseq = 0, no_ept;

	(void)state;
	wd_arm(TEST_MS, "destroy_from_rx_callback");
	h = raw_boot();
	fx = fw_ept("x");
	fy = fw_ept("y");
	assert_int_equal(
		rproc_link_ept_create(h->link, "y", killer_cb, NULL, &k, &ey),
		0);
	assert_true(PUMP(h, rproc_link_ept_bound(ey) && rpfw_link_bound(fy),
			 WAIT_MS));
	for (int round = 0; round < ROUNDS; round++) {
		v = victim_new("x");
		assert_int_equal(victim_create(h, v), 0);
		assert_true(PUMP(
			h, rproc_link_ept_bound(v->e) && rpfw_link_bound(fx),
			WAIT_MS));
		k.x = v;
		rproc_link_get_stats(h->link, &st);
		no_ept = st.rx_no_ept;
		wd_arm(DESTROY_MS, "destroy of x from y's callback");
		if (!(round & 1)) {
			fw_send(fx, 0);
			assert_int_equal(rproc_link_poll(h->link), 1);
			atomic_store(&k.armed, true);
			fw_send(fy, yseq++);
			fw_send(fx, 1);
			fw_send(fx, 2);
			assert_int_equal(rproc_link_poll(h->link), 1);
		} else {
			atomic_store(&k.armed, true);
			fw_send(fx, 0);
			fw_send(fy, yseq++);
			fw_send(fx, 1);
			assert_int_equal(rproc_link_poll(h->link), 2);
		}
		wd_arm(TEST_MS, "destroy_from_rx_callback");
		assert_int_equal(atomic_load(&k.kills), round + 1);
		assert_int_equal(atomic_load(&v->rx), 1);
		rproc_link_get_stats(h->link, &st);
		assert_int_equal(st.rx_no_ept - no_ept, round & 1 ? 1 : 2);
		assert_true(PUMP(h, !rpfw_link_bound(fx), WAIT_MS));
		check_fails();
	}
	assert_int_equal(atomic_load(&k.s.rx), yseq);
	rproc_link_ept_destroy(ey);
	test_end(h);
}

/* Link events: the victim destroyed from ops.up or from "y"'s bound. */
static struct victim *ev_victim;
static struct rproc_link_ept *ev_y;
static int ev_kills;

static void kill_victim(void)
{
	if (!ev_victim)
		return;
	rproc_link_ept_destroy(ev_victim->e);
	victim_destroyed(ev_victim);
	ev_victim = NULL;
	ev_kills++;
}

static void kill_on_up(struct harness *h)
{
	(void)h;
	kill_victim();
}

static void kill_on_bound(struct harness *h, struct rproc_link_ept *ept)
{
	(void)h;
	if (ept == ev_y)
		kill_victim();
}

/*
 * "x" gets a message (the role's guess is x), then the remote restarts
 * (a new session: the host sees a peer reset, the link comes up again,
 * the endpoints are bound again by name).  Rounds in turn: x destroyed
 * from ops.up; from "y"'s bound event, y announced by the remote first;
 * the same, x announced first.  Raw: the events run on this thread.
 */
static void destroy_from_events(void **state)
{
	static const char *const what[] = {"ops.up", "y's bound (y first)",
					   "y's bound (x first)"};
	struct rpfw_link_ept *fx, *fy;
	struct seq_rx y = {.name = "y"};
	struct rproc_link_ept *ey;
	struct harness *h;
	struct victim *v;
	uint32_t yseq = 0;
	int resets = 0;

	(void)state;
	wd_arm(TEST_MS, "destroy_from_events");
	h = raw_boot();
	fx = fw_ept("x");
	fy = fw_ept("y");
	assert_int_equal(
		rproc_link_ept_create(h->link, "y", seq_cb, NULL, &y, &ey), 0);
	ev_kills = 0;
	for (int round = 0; round < 9; round++) {
		int mode = round % 3;

		v = victim_new("x");
		assert_int_equal(victim_create(h, v), 0);
		assert_true(PUMP(h,
				 rproc_link_ept_bound(v->e) &&
					 rproc_link_ept_bound(ey) &&
					 rpfw_link_bound(fx) &&
					 rpfw_link_bound(fy),
				 WAIT_MS));
		fw_send(fx, 0);
		assert_int_equal(rproc_link_poll(h->link), 1);
		ev_victim = v;
		ev_y = ey;
		if (mode == 0)
			h->on_up = kill_on_up;
		else
			h->on_bound = kill_on_bound;
		/* the remote restarts */
		fw_start(h);
		resets++;
		if (mode == 2) {
			fx = fw_ept("x");
			fy = fw_ept("y");
		} else {
			fy = fw_ept("y");
			fx = fw_ept("x");
		}
		wd_arm(DESTROY_MS, what[mode]);
		if (!PUMP(h,
			  ev_kills == round + 1 && rproc_link_ept_bound(ey) &&
				  rpfw_link_bound(fy),
			  WAIT_MS))
			fail_msg(
				"%s: x not destroyed (%d) or y not bound again",
				what[mode], ev_kills - round);
		wd_arm(TEST_MS, "destroy_from_events");
		h->on_up = NULL;
		h->on_bound = NULL;
		assert_int_equal(h->peer_reset, resets);
		/* y gets its messages; x is nobody's (the remote's x may be
		 * bound: to the id of the destroyed x, whose bind went out
		 * before its destroy) */
		if (rpfw_link_bound(fx))
			fw_send(fx, 1);
		fw_send(fy, yseq++);
		assert_true(PUMP(h, atomic_load(&y.rx) == yseq, WAIT_MS));
		assert_int_equal(atomic_load(&v->rx), 1);
		check_fails();
	}
	rproc_link_ept_destroy(ey);
	test_end(h);
}

/* ---- 4. destroy while the endpoint's callback runs ----------------------------- */

/* "a": when armed, its callback waits for the destroy of "b" to return. */
struct waiter {
	struct seq_rx s;
	atomic_bool armed;
	pthread_mutex_t m;
	pthread_cond_t c;
	bool destroyed; /* m */
};

static bool wait_destroyed(struct waiter *w)
{
	struct timespec ts;
	bool done;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += DESTROY_MS / 1000;
	pthread_mutex_lock(&w->m);
	while (!w->destroyed && !pthread_cond_timedwait(&w->c, &w->m, &ts))
		;
	done = w->destroyed;
	pthread_mutex_unlock(&w->m);
	return done;
}

static int waiter_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		     void *priv)
{
	struct waiter *w = priv;

	seq_cb(ept, data, len, &w->s);
	if (atomic_exchange(&w->armed, false) && !wait_destroyed(w))
		fail_at("the destroy of b did not return while a's callback "
			"ran (%d ms): a pin change that woke nobody?",
			DESTROY_MS);
	return 0;
}

struct destroyer {
	struct victim *v;
	struct waiter *w;
	pthread_t th;
};

/* Destroy b as soon as its callback is entered. */
static void *destroyer_main(void *arg)
{
	struct destroyer *d = arg;
	uint64_t t0 = lh_now_ms();

	while (!atomic_load(&d->v->in_cb) &&
	       lh_now_ms() - t0 < (uint64_t)WAIT_MS)
		sched_yield();
	if (!atomic_load(&d->v->in_cb))
		fail_at("b: its callback never ran");
	rproc_link_ept_destroy(d->v->e);
	if (!atomic_load(&d->v->cb_end))
		fail_at("b: rproc_link_ept_destroy() returned while its "
			"callback was held");
	victim_destroyed(d->v);
	pthread_mutex_lock(&d->w->m);
	d->w->destroyed = true;
	pthread_cond_broadcast(&d->w->c);
	pthread_mutex_unlock(&d->w->m);
	return NULL;
}

/*
 * The holder (this thread, one poll; the role's guess is "a") runs "b"'s
 * callback, which sleeps HOLD_MS; another thread destroys b meanwhile: it
 * must return only after that callback.  Even rounds a record to "a"
 * follows: the holder switches the pin to a and stays in the role, a's
 * callback waiting for the destroy of b, which must return then (the pin
 * change wakes it).  Odd rounds nothing follows: the holder gives the
 * role back.
 */
static void destroy_during_callback(void **state)
{
	struct rpfw_link_ept *fa, *fb;
	struct waiter w = {.s.name = "a"};
	struct destroyer d;
	struct rproc_link_ept *ea;
	struct harness *h;
	struct victim *v;
	uint32_t aseq = 0;
	bool then_a;

	(void)state;
	wd_arm(TEST_MS, "destroy_during_callback");
	pthread_mutex_init(&w.m, NULL);
	pthread_cond_init(&w.c, NULL);
	h = raw_boot();
	fa = fw_ept("a");
	fb = fw_ept("b");
	assert_int_equal(
		rproc_link_ept_create(h->link, "a", waiter_cb, NULL, &w, &ea),
		0);
	assert_true(PUMP(h, rproc_link_ept_bound(ea) && rpfw_link_bound(fa),
			 WAIT_MS));
	for (int round = 0; round < 4; round++) {
		then_a = !(round & 1);
		v = victim_new("b");
		assert_int_equal(victim_create(h, v), 0);
		assert_true(PUMP(
			h, rproc_link_ept_bound(v->e) && rpfw_link_bound(fb),
			WAIT_MS));
		fw_send(fa, aseq++);
		assert_int_equal(rproc_link_poll(h->link), 1);
		atomic_store(&v->hold_ms, HOLD_MS);
		fw_send(fb, 0);
		if (then_a) {
			atomic_store(&w.armed, true);
			fw_send(fa, aseq++);
		}
		pthread_mutex_lock(&w.m);
		w.destroyed = false;
		pthread_mutex_unlock(&w.m);
		d = (struct destroyer){.v = v, .w = &w};
		assert_int_equal(
			pthread_create(&d.th, NULL, destroyer_main, &d), 0);
		assert_int_equal(rproc_link_poll(h->link), then_a ? 2 : 1);
		/* b's callback is over, and the role given back */
		if (!wait_destroyed(&w)) {
			fprintf(stderr,
				"link_pin: b: rproc_link_ept_destroy() did not "
				"return within %d ms of its callback's end, "
				"the role given back (a hang)\n",
				DESTROY_MS);
			_exit(1);
		}
		pthread_join(d.th, NULL);
		assert_int_equal(atomic_load(&v->rx), 1);
		assert_int_equal(atomic_load(&w.s.rx), aseq);
		assert_true(PUMP(h, !rpfw_link_bound(fb), WAIT_MS));
		check_fails();
	}
	rproc_link_ept_destroy(ea);
	test_end(h);
	pthread_cond_destroy(&w.c);
	pthread_mutex_destroy(&w.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(destroy_during_callback),
		cmocka_unit_test(destroy_the_guess),
		cmocka_unit_test(destroy_the_guess_doorbell),
		cmocka_unit_test(destroy_from_rx_callback),
		cmocka_unit_test(destroy_from_events),
		cmocka_unit_test(destroy_while_delivering_polled),
		cmocka_unit_test(destroy_while_delivering_doorbell),
	};
	int ret;

	/* LINK_PIN_ONLY=<pattern>: those tests alone (a hang ends the
	 * program: to see which tests catch it) */
	if (getenv("LINK_PIN_ONLY"))
		cmocka_set_test_filter(getenv("LINK_PIN_ONLY"));
	if (pthread_create(&wd_thread, NULL, wd_main, NULL))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	pthread_mutex_lock(&wd_lock);
	wd_quit = true;
	pthread_cond_broadcast(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	pthread_join(wd_thread, NULL);
	return ret;
}
