/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * os_worker: workers of the POSIX layer.  Kicks coalesce; a kick while fn
 * runs gives exactly one more call; a kick from a signal handler works;
 * free waits for a running fn and drops pending kicks; is_current is true
 * only inside fn; free from inside fn is survived (logged, deferred).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/os.h"

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Poll @v until it reaches @want or @ms pass. */
static int wait_for(atomic_int *v, int want, int ms)
{
	int i;

	for (i = 0; i < ms && atomic_load(v) < want; i++)
		sleep_ms(1);
	return atomic_load(v);
}

struct counter {
	atomic_int calls;
	atomic_int gate;    /* first call blocks until set */
	atomic_int entered; /* first call has started */
	atomic_int current; /* is_current seen inside fn */
	atomic_int sleep_ms;
	atomic_int finished;
	struct rproc_os_worker *w;
};

static void counter_fn(void *ctx)
{
	struct counter *c = ctx;

	if (rproc_os_worker_is_current(c->w))
		atomic_fetch_add(&c->current, 1);
	atomic_store(&c->entered, 1);
	while (!atomic_load(&c->gate))
		sleep_ms(1);
	if (atomic_load(&c->sleep_ms))
		sleep_ms(atomic_load(&c->sleep_ms));
	atomic_fetch_add(&c->calls, 1);
	atomic_store(&c->finished, 1);
}

/* Kicks while the worker is busy collapse into one call; a burst of
 * kicks while it is idle gives far fewer calls than kicks. */
static void test_kicks_coalesce(void **state)
{
	struct counter c = {0};
	int i;

	(void)state;
	assert_int_equal(rproc_os_worker_new("coalesce", counter_fn, &c, &c.w),
			 0);
	sleep_ms(50);
	assert_int_equal(atomic_load(&c.calls), 0); /* no kick, no call */
	rproc_os_worker_kick(c.w);
	assert_int_equal(wait_for(&c.entered, 1, 1000), 1);
	for (i = 0; i < 100; i++)
		rproc_os_worker_kick(c.w);
	atomic_store(&c.gate, 1);
	assert_int_equal(wait_for(&c.calls, 2, 1000), 2);
	sleep_ms(100);
	assert_int_equal(atomic_load(&c.calls), 2);
	rproc_os_worker_free(c.w);
}

/* A kick from inside fn (a worker re-arming itself) gives one more call,
 * however many times fn kicks. */
struct self_kick {
	struct rproc_os_worker *w;
	atomic_int calls;
};

static void self_kick_fn(void *ctx)
{
	struct self_kick *s = ctx;
	int i;

	if (atomic_fetch_add(&s->calls, 1) == 0)
		for (i = 0; i < 5; i++)
			rproc_os_worker_kick(s->w);
}

static void test_kick_during_fn(void **state)
{
	struct self_kick s = {0};

	(void)state;
	assert_int_equal(rproc_os_worker_new("during", self_kick_fn, &s, &s.w),
			 0);
	rproc_os_worker_kick(s.w);
	assert_int_equal(wait_for(&s.calls, 2, 1000), 2);
	sleep_ms(100);
	assert_int_equal(atomic_load(&s.calls), 2);
	rproc_os_worker_free(s.w);
}

static struct rproc_os_worker *signal_worker;

static void on_sigusr1(int sig)
{
	(void)sig;
	rproc_os_worker_kick(signal_worker);
}

static void test_kick_from_signal(void **state)
{
	struct counter c = {0};
	struct sigaction sa, old;

	(void)state;
	atomic_store(&c.gate, 1);
	assert_int_equal(rproc_os_worker_new("signal", counter_fn, &c, &c.w),
			 0);
	signal_worker = c.w;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	errno = 1234;
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(errno, 1234); /* the handler kept errno */
	assert_int_equal(wait_for(&c.calls, 1, 1000), 1);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(wait_for(&c.calls, 2, 1000), 2);
	sigaction(SIGUSR1, &old, NULL);
	rproc_os_worker_free(c.w);
}

static void test_free_while_running(void **state)
{
	struct counter c = {0};

	(void)state;
	atomic_store(&c.gate, 1);
	atomic_store(&c.sleep_ms, 200);
	assert_int_equal(rproc_os_worker_new("running", counter_fn, &c, &c.w),
			 0);
	rproc_os_worker_kick(c.w);
	assert_int_equal(wait_for(&c.entered, 1, 1000), 1);
	rproc_os_worker_kick(c.w); /* pending: must be dropped */
	rproc_os_worker_free(c.w);
	/* free returned: fn had finished, and will not run again. */
	assert_int_equal(atomic_load(&c.finished), 1);
	assert_int_equal(atomic_load(&c.calls), 1);
	sleep_ms(250);
	assert_int_equal(atomic_load(&c.calls), 1);
}

static void test_free_idle_and_null(void **state)
{
	struct counter c = {0};

	(void)state;
	assert_int_equal(rproc_os_worker_new("idle", counter_fn, &c, &c.w), 0);
	rproc_os_worker_free(c.w);
	assert_int_equal(atomic_load(&c.calls), 0);
	rproc_os_worker_free(NULL);
	assert_int_equal(rproc_os_worker_new("bad", NULL, NULL, &c.w), -EINVAL);
}

static void test_is_current(void **state)
{
	struct counter c = {0};

	(void)state;
	atomic_store(&c.gate, 1);
	assert_int_equal(rproc_os_worker_new("current", counter_fn, &c, &c.w),
			 0);
	assert_false(rproc_os_worker_is_current(c.w));
	assert_false(rproc_os_worker_is_current(NULL));
	rproc_os_worker_kick(c.w);
	assert_int_equal(wait_for(&c.calls, 1, 1000), 1);
	assert_int_equal(atomic_load(&c.current), 1);
	rproc_os_worker_free(c.w);
}

/* Contract violation, survived: the worker stops after fn returns. */
struct self_free {
	struct rproc_os_worker *w;
	atomic_int calls;
};

static void self_free_fn(void *ctx)
{
	struct self_free *s = ctx;

	atomic_fetch_add(&s->calls, 1);
	rproc_os_worker_kick(s->w); /* would give another call... */
	rproc_os_worker_free(s->w); /* ...but this stops the worker */
}

static void test_free_from_fn(void **state)
{
	static struct self_free s;

	(void)state;
	assert_int_equal(rproc_os_worker_new("self", self_free_fn, &s, &s.w),
			 0);
	rproc_os_worker_kick(s.w);
	assert_int_equal(wait_for(&s.calls, 1, 1000), 1);
	sleep_ms(100);
	assert_int_equal(atomic_load(&s.calls), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kicks_coalesce),
		cmocka_unit_test(test_kick_during_fn),
		cmocka_unit_test(test_kick_from_signal),
		cmocka_unit_test(test_free_while_running),
		cmocka_unit_test(test_free_idle_and_null),
		cmocka_unit_test(test_is_current),
		cmocka_unit_test(test_free_from_fn),
	};

	alarm(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
