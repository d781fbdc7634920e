// SPDX-License-Identifier: BSD-3-Clause
/* The light lock's and the event's slow paths (xlock.h has the design). */
#include <errno.h>

#include "xlock.h"

int rproc_xlock_init(struct rproc_xlock *l)
{
	int ret;

	atomic_init(&l->w, 0);
	l->m = NULL;
	l->c = NULL;
	ret = rproc_os_mutex_new(&l->m);
	if (!ret)
		ret = rproc_os_cond_new(&l->c);
	if (ret)
		rproc_xlock_fini(l);
	return ret;
}

void rproc_xlock_fini(struct rproc_xlock *l)
{
	rproc_os_cond_free(l->c);
	rproc_os_mutex_free(l->m);
	l->c = NULL;
	l->m = NULL;
}

int rproc_xevent_init(struct rproc_xevent *e)
{
	int ret;

	e->m = NULL;
	e->c = NULL;
	ret = rproc_os_mutex_new(&e->m);
	if (!ret)
		ret = rproc_os_cond_new(&e->c);
	if (ret)
		rproc_xevent_fini(e);
	return ret;
}

void rproc_xevent_fini(struct rproc_xevent *e)
{
	rproc_os_cond_free(e->c);
	rproc_os_mutex_free(e->m);
	e->c = NULL;
	e->m = NULL;
}

/* Taken: say we want it (2) and sleep until the owner gives it back. */
void rproc_xlock_lock_slow(struct rproc_xlock *l)
{
	rproc_os_mutex_lock(l->m);
	while (atomic_exchange_explicit(&l->w, 2, memory_order_acquire))
		rproc_os_cond_wait(l->c, l->m, -1);
	rproc_os_mutex_unlock(l->m);
}

/* Given back while wanted: wake the sleepers; one takes it, the others
 * sleep again (each marks it wanted, so the next unlock wakes too). */
void rproc_xlock_unlock_slow(struct rproc_xlock *l)
{
	rproc_os_mutex_lock(l->m);
	rproc_os_cond_broadcast(l->c);
	rproc_os_mutex_unlock(l->m);
}

int rproc_xevent_sleep(struct rproc_xevent *e, struct rproc_xlock *l,
		       int64_t timeout_ns)
{
	int ret;

	rproc_os_mutex_lock(e->m);
	rproc_xlock_unlock(l);
	ret = rproc_os_cond_wait(e->c, e->m, timeout_ns);
	rproc_os_mutex_unlock(e->m);
	rproc_xlock_lock(l);
	return ret;
}

void rproc_xevent_wake(struct rproc_xevent *e)
{
	rproc_os_mutex_lock(e->m);
	rproc_os_cond_broadcast(e->c);
	rproc_os_mutex_unlock(e->m);
}

void rproc_xevent_wake_unlocked(struct rproc_xevent *e, struct rproc_xlock *l)
{
	rproc_xlock_lock(l);
	rproc_xlock_unlock(l);
	rproc_xevent_wake(e);
}
