/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A light lock and an event to sleep on, over os.h, for the messaging hot
 * paths (src/rpmsg, src/link): portable core code.
 *
 * rproc_xlock: one atomic exchange to take it and one to give it back
 * while nobody else wants it (Drepper's futex mutex, with the OS layer's
 * mutex and condition variable standing in for the futex).  A thread that
 * finds it taken sleeps; the owner wakes the sleepers when it gives the
 * lock back.  No spinning, so a low-priority owner on a single-core RTOS
 * host is never starved by a spinning waiter.  Not recursive.
 *
 * rproc_xevent: sleep with an xlock dropped until somebody wakes the
 * event (a condition variable for an xlock).  The waker must be able to
 * see that we wait before we looked at what we wait for (say, a counter
 * raised under the xlock): the event's mutex is taken before the xlock is
 * given back, so a wake after that look finds us waiting.
 */
#ifndef RPROC_CORE_XLOCK_H
#define RPROC_CORE_XLOCK_H

#include <stdatomic.h>
#include <stdint.h>

#include "rproc/os.h"

#if defined(__GNUC__)
#define RPROC_XUNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RPROC_XUNLIKELY(x) (x)
#endif

struct rproc_xlock {
	atomic_uint w; /* 0 free, 1 taken, 2 taken and maybe wanted */
	struct rproc_os_mutex *m;
	struct rproc_os_cond *c;
};

struct rproc_xevent {
	struct rproc_os_mutex *m;
	struct rproc_os_cond *c;
};

/* 0 or -ENOMEM; fini of a zeroed or failed one is a no-op. */
int rproc_xlock_init(struct rproc_xlock *l);
void rproc_xlock_fini(struct rproc_xlock *l);
int rproc_xevent_init(struct rproc_xevent *e);
void rproc_xevent_fini(struct rproc_xevent *e);

void rproc_xlock_lock_slow(struct rproc_xlock *l);
void rproc_xlock_unlock_slow(struct rproc_xlock *l);

/*
 * The fast halves, for a hot path that wants no call on the way in:
 * rproc_xlock_trylock_fast() takes a free lock and returns 1, or marks
 * nothing and returns 0 -- the caller then must call
 * rproc_xlock_lock_slow() (which marks it wanted), never try again.
 * rproc_xlock_unlock_fast() gives it back and returns 1 when sleepers
 * want it: the caller must then call rproc_xlock_unlock_slow().
 */
static inline int rproc_xlock_trylock_fast(struct rproc_xlock *l)
{
	return !atomic_exchange_explicit(&l->w, 1, memory_order_acquire);
}

static inline int rproc_xlock_unlock_fast(struct rproc_xlock *l)
{
	return atomic_exchange_explicit(&l->w, 0, memory_order_release) == 2;
}

static inline void rproc_xlock_lock(struct rproc_xlock *l)
{
	if (RPROC_XUNLIKELY(
		    atomic_exchange_explicit(&l->w, 1, memory_order_acquire)))
		rproc_xlock_lock_slow(l);
}

static inline void rproc_xlock_unlock(struct rproc_xlock *l)
{
	if (RPROC_XUNLIKELY(atomic_exchange_explicit(
				    &l->w, 0, memory_order_release) == 2))
		rproc_xlock_unlock_slow(l);
}

/*
 * Sleep until rproc_xevent_wake() or @timeout_ns (< 0: none) with @l
 * dropped meanwhile (held on entry and on return).  Returns 0 or
 * -ETIMEDOUT; a wake may be spurious: look again.
 */
int rproc_xevent_sleep(struct rproc_xevent *e, struct rproc_xlock *l,
		       int64_t timeout_ns);

/*
 * Wake every sleeper of @e.  With or without the xlock, but the change to
 * what they wait for must be ordered with their look under the xlock: made
 * under the xlock, or made without it and then the xlock taken and given
 * back once before the wake (rproc_xevent_wake_unlocked()).  (Otherwise the whole change-and-wake can
 * fall between a sleeper's look and rproc_xevent_sleep() taking the
 * event's mutex: a lost wake.)
 */
void rproc_xevent_wake(struct rproc_xevent *e);

/* rproc_xevent_wake() after a change made without @l: takes @l and gives
 * it back first (the rule above). */
void rproc_xevent_wake_unlocked(struct rproc_xevent *e, struct rproc_xlock *l);

#endif
