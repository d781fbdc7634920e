/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * os_sync: mutexes, condition variables, the clock and logging of the POSIX
 * layer.  A timed wait returns -ETIMEDOUT about on time; broadcast wakes
 * every waiter; log lines have the documented format and threshold.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/os.h"

#define MS 1000000LL

static void test_timed_wait(void **state)
{
	struct rproc_os_mutex *m;
	struct rproc_os_cond *c;
	uint64_t t0, dt;

	(void)state;
	assert_int_equal(rproc_os_mutex_new(&m), 0);
	assert_int_equal(rproc_os_cond_new(&c), 0);
	rproc_os_mutex_lock(m);
	t0 = rproc_os_monotonic_ns();
	assert_int_equal(rproc_os_cond_wait(c, m, 100 * MS), -ETIMEDOUT);
	dt = rproc_os_monotonic_ns() - t0;
	assert_in_range(dt, 100 * MS, 400 * MS);
	t0 = rproc_os_monotonic_ns();
	assert_int_equal(rproc_os_cond_wait(c, m, 0), -ETIMEDOUT);
	assert_true(rproc_os_monotonic_ns() - t0 < 50 * MS);
	rproc_os_mutex_unlock(m);
	rproc_os_cond_free(c);
	rproc_os_mutex_free(m);
	rproc_os_cond_free(NULL);
	rproc_os_mutex_free(NULL);
}

struct shared {
	struct rproc_os_mutex *m;
	struct rproc_os_cond *c;
	int go;
	int waiting;
	int woken;
};

static void *waiter(void *arg)
{
	struct shared *s = arg;

	rproc_os_mutex_lock(s->m);
	s->waiting++;
	rproc_os_cond_broadcast(s->c);
	while (!s->go)
		rproc_os_cond_wait(s->c, s->m, -1);
	s->woken++;
	rproc_os_mutex_unlock(s->m);
	return NULL;
}

static void test_broadcast_wakes_all(void **state)
{
	struct shared s = {0};
	pthread_t t[4];
	uint64_t t0;
	int i;

	(void)state;
	assert_int_equal(rproc_os_mutex_new(&s.m), 0);
	assert_int_equal(rproc_os_cond_new(&s.c), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, waiter, &s), 0);
	rproc_os_mutex_lock(s.m);
	t0 = rproc_os_monotonic_ns();
	while (s.waiting < 4 && rproc_os_monotonic_ns() - t0 < 1000 * MS)
		rproc_os_cond_wait(s.c, s.m, 10 * MS);
	assert_int_equal(s.waiting, 4);
	s.go = 1;
	rproc_os_cond_broadcast(s.c);
	rproc_os_mutex_unlock(s.m);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(s.woken, 4);
	assert_true(rproc_os_monotonic_ns() - t0 < 1000 * MS);
	rproc_os_cond_free(s.c);
	rproc_os_mutex_free(s.m);
}

static void test_clock_monotonic(void **state)
{
	uint64_t a, b;

	(void)state;
	a = rproc_os_monotonic_ns();
	usleep(10000);
	b = rproc_os_monotonic_ns();
	assert_true(b - a >= 10 * MS);
}

/* RPROC_LOG=info is set in main before the first message. */
static void test_log_format(void **state)
{
	char buf[4096];
	char big[3000];
	int pfd[2], saved;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(pfd[1], STDERR_FILENO), STDERR_FILENO);
	rproc_os_log(RPROC_LOG_WARN, "hello 1");
	rproc_os_log(RPROC_LOG_DEBUG, "not shown");
	rproc_os_log(RPROC_LOG_INFO, "hello 2");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rproc_os_log(RPROC_LOG_ERR, big);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(pfd[1]);
	n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_memory_equal(buf,
			    "rproc: warn: hello 1\nrproc: info: hello 2\n"
			    "rproc: err: xxx",
			    strlen("rproc: warn: hello 1\nrproc: info: "
				   "hello 2\nrproc: err: xxx"));
	/* The long line is cut, marked and still ends the line. */
	assert_non_null(strstr(buf, "x...\n"));
	assert_null(strstr(buf, "not shown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timed_wait),
		cmocka_unit_test(test_broadcast_wakes_all),
		cmocka_unit_test(test_clock_monotonic),
		cmocka_unit_test(test_log_format),
	};

	setenv("RPROC_LOG", "info", 1);
	alarm(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
