/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: workers, one pthread each, that run fn(ctx) after kicks.
 *
 * A kick must be async-signal-safe, so it only touches an atomic flag and a
 * POSIX semaphore (sem_post() is on the async-signal-safe list):
 *
 *   kick:   if (exchange(kicked, 1) == 0) sem_post(sem)
 *   thread: sem_wait(sem); if (exchange(kicked, 0)) fn(ctx)
 *
 * Kicks before fn runs set an already set flag and post nothing, so they
 * coalesce into one call.  The thread clears the flag before calling fn, so
 * a kick while fn runs posts again and gives exactly one more call.  The
 * exchanges are sequentially consistent: whatever the kicker wrote before
 * kicking is visible to fn.
 *
 * rproc_os_worker_free() sets the stop flag, posts and joins: it waits for a
 * running fn and drops pending kicks.  Called from fn itself (a contract
 * violation, os.h) it cannot join its own thread; it logs an error, and the
 * worker stops and frees itself as soon as fn returns (the thread detaches).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "os_posix.h"
#include "rproc/alloc.h"
#include "rproc/os.h"

struct rproc_os_worker {
	void (*fn)(void *ctx);
	void *ctx;
	sem_t wake;
	atomic_int kicked; /* a call is pending */
	atomic_bool stop;  /* leave the loop; fn is not called again */
	bool self_free;	   /* freed from fn: the thread frees the worker */
	pthread_t thread;
};

/* The worker whose thread this is, NULL on other threads. */
static _Thread_local struct rproc_os_worker *current_worker;

static void *worker_main(void *arg)
{
	struct rproc_os_worker *w = arg;

	current_worker = w;
	for (;;) {
		while (sem_wait(&w->wake) && errno == EINTR)
			;
		if (atomic_load(&w->stop))
			break;
		if (!atomic_exchange(&w->kicked, 0))
			continue;
		w->fn(w->ctx);
	}
	if (w->self_free) {
		sem_destroy(&w->wake);
		rproc_free(w);
	}
	return NULL;
}

int rproc_os_worker_new(const char *name, void (*fn)(void *ctx), void *ctx,
			struct rproc_os_worker **out)
{
	struct rproc_os_worker *w;
	int ret;

	if (!fn || !out)
		return -EINVAL;
	w = rproc_zalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	atomic_init(&w->kicked, 0);
	atomic_init(&w->stop, false);
	if (sem_init(&w->wake, 0, 0)) {
		ret = -errno;
		goto free_worker;
	}
	ret = rproc_os__thread_start(&w->thread, worker_main, w,
				     name ? name : "rproc-worker");
	if (ret)
		goto destroy_sem;
	*out = w;
	return 0;

destroy_sem:
	sem_destroy(&w->wake);
free_worker:
	rproc_free(w);
	return ret;
}

void rproc_os_worker_kick(struct rproc_os_worker *w)
{
	int saved_errno = errno; /* a signal handler must not clobber it */

	if (!atomic_exchange(&w->kicked, 1))
		sem_post(&w->wake);
	errno = saved_errno;
}

bool rproc_os_worker_is_current(const struct rproc_os_worker *w)
{
	return w && current_worker == w;
}

void rproc_os_worker_free(struct rproc_os_worker *w)
{
	if (!w)
		return;
	if (current_worker == w) {
		rproc_os_log(RPROC_LOG_ERR,
			     "worker freed from its own fn: stopping it after "
			     "fn returns");
		w->self_free = true;
		atomic_store(&w->stop, true);
		pthread_detach(pthread_self());
		return;
	}
	atomic_store(&w->stop, true);
	sem_post(&w->wake);
	pthread_join(w->thread, NULL);
	sem_destroy(&w->wake);
	rproc_free(w);
}
