/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: heap, mutexes, condition variables timed on the monotonic
 * clock, the monotonic clock itself, and the thread helper the workers and
 * the firmware watcher share.
 *
 * Mutex and condition objects are created on behalf of the core, so they are
 * allocated with rproc_malloc() and an out-of-memory test sees them fail.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os_posix.h"
#include "rproc/alloc.h"
#include "rproc/os.h"

#define NSEC_PER_SEC 1000000000LL
/* Timeouts beyond about 30 years are treated as "forever": this keeps the
 * deadline representable even with a 32-bit time_t. */
#define TIMEOUT_FOREVER_NS (NSEC_PER_SEC * 3600 * 24 * 365 * 30)

struct rproc_os_mutex {
	pthread_mutex_t mutex;
};

struct rproc_os_cond {
	pthread_cond_t cond;
};

void *rproc_os_malloc(size_t size)
{
	return malloc(size);
}

void rproc_os_free(void *ptr)
{
	free(ptr);
}

int rproc_os_mutex_new(struct rproc_os_mutex **out)
{
	struct rproc_os_mutex *m = rproc_malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	ret = pthread_mutex_init(&m->mutex, NULL);
	if (ret) {
		rproc_free(m);
		return -ret;
	}
	*out = m;
	return 0;
}

void rproc_os_mutex_free(struct rproc_os_mutex *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mutex);
	rproc_free(m);
}

void rproc_os_mutex_lock(struct rproc_os_mutex *m)
{
	pthread_mutex_lock(&m->mutex);
}

void rproc_os_mutex_unlock(struct rproc_os_mutex *m)
{
	pthread_mutex_unlock(&m->mutex);
}

int rproc_os_cond_new(struct rproc_os_cond **out)
{
	struct rproc_os_cond *c = rproc_malloc(sizeof(*c));
	pthread_condattr_t attr;
	int ret;

	if (!c)
		return -ENOMEM;
	ret = pthread_condattr_init(&attr);
	if (ret)
		goto free_cond;
	/* Timeouts must not jump with settimeofday() or NTP steps. */
	ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret)
		goto free_cond;
	*out = c;
	return 0;

free_cond:
	rproc_free(c);
	return -ret;
}

void rproc_os_cond_free(struct rproc_os_cond *c)
{
	if (!c)
		return;
	pthread_cond_destroy(&c->cond);
	rproc_free(c);
}

int rproc_os_cond_wait(struct rproc_os_cond *c, struct rproc_os_mutex *m,
		       int64_t timeout_ns)
{
	struct timespec deadline;
	int ret;

	if (timeout_ns < 0 || timeout_ns >= TIMEOUT_FOREVER_NS) {
		pthread_cond_wait(&c->cond, &m->mutex);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(timeout_ns / NSEC_PER_SEC);
	deadline.tv_nsec += (long)(timeout_ns % NSEC_PER_SEC);
	if (deadline.tv_nsec >= NSEC_PER_SEC) {
		deadline.tv_sec++;
		deadline.tv_nsec -= NSEC_PER_SEC;
	}
	ret = pthread_cond_timedwait(&c->cond, &m->mutex, &deadline);
	return ret == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void rproc_os_cond_broadcast(struct rproc_os_cond *c)
{
	pthread_cond_broadcast(&c->cond);
}

uint64_t rproc_os_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int rproc_os__thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
			   const char *name)
{
	sigset_t all, old;
	int ret;

	/* The new thread inherits this mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	if (name) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%s", name);
		pthread_setname_np(*thread, buf);
	}
	return 0;
}
