/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote's private state, shared by the files of the driver:
 * driver.c (ops, lifecycle, threads), mem.c (the window), bell.c
 * (doorbells), format.c (the image format), remote.c (the firmware's
 * API), port.c (the rpfw_port_* hooks).
 */
#ifndef RPROC_NATIVE_INTERNAL_H
#define RPROC_NATIVE_INTERNAL_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/native.h"

/* ---- the window (mem.c) --------------------------------------------------- */

#define NATIVE_MEM_BLOCKS 64

struct native_mem {
	uint8_t *base; /* the window, between two guard pages */
	size_t size;
	int fd; /* the memfd, or -1 */
	/* the carveout pool [pool_off, size): a bump allocator, reset when
	 * the last block is freed (the core frees them all at each stop);
	 * the blocks live are known by offset */
	size_t pool_off;
	size_t next;
	size_t blk[NATIVE_MEM_BLOCKS];
	unsigned nblk;
};

int __native_mem_map(struct native_mem *m, const char *name, size_t size);
void __native_mem_unmap(struct native_mem *m);
/* @len bytes from the pool, page-aligned: their offset, or -ENOMEM. */
int64_t __native_mem_alloc(struct native_mem *m, uint64_t len);
/* Free the block at @off; anything else (a fixed mapping) is ignored. */
void __native_mem_free(struct native_mem *m, size_t off);

/* ---- doorbells (bell.c) ----------------------------------------------------- */

/*
 * One direction: notify ids pending as bits, and in threaded mode an
 * eventfd the receiver sleeps on (the part a real deployment replaces
 * with its interrupt: a UIO fd, a mailbox).  Bits are set with a seq_cst
 * RMW and the eventfd written only when the set was empty, so a sleeper
 * that took the bits before the set is woken, and one that did not will
 * find them.  Polled (fd -1): nobody sleeps, so a bit already set is left
 * alone (one load: a polling receiver that never takes them keeps the
 * line shared instead of bouncing it at each kick).
 */
struct native_bell {
	alignas(64) atomic_uint_fast64_t bits;
	int fd;
	atomic_uint_fast64_t rung; /* stats */
};

int __native_bell_init(struct native_bell *b, bool wakeups);
void __native_bell_fini(struct native_bell *b);
uint64_t __native_bell_bit(uint32_t notifyid);
void __native_bell_ring(struct native_bell *b, uint32_t notifyid);
/* Wake a sleeper without a doorbell (stop). */
void __native_bell_wake(struct native_bell *b);
uint64_t __native_bell_take(struct native_bell *b);
static inline bool __native_bell_pending(struct native_bell *b)
{
	return atomic_load_explicit(&b->bits, memory_order_acquire) != 0;
}
/* Sleep until woken or @timeout_ns (< 0: for ever); consumes the
 * wake-ups, never the bits.  Returns at once without an eventfd. */
void __native_bell_sleep(struct native_bell *b, int64_t timeout_ns);

/* ---- the remote ---------------------------------------------------------- */

/* An entry of the running firmware's table, found at start. */
struct native_rsc {
	uint32_t type;
	char name[32];
	void *body;
	size_t len;
};

struct rproc_native {
	struct rproc_native_config cfg; /* immutable after create */
	struct rproc *rproc;
	struct native_mem mem;

	struct native_bell to_remote; /* kicks */
	struct native_bell to_host;   /* the remote's doorbells */

	/* The running firmware: written by start (lifecycle thread, before
	 * the remote runs), read by the remote's side. */
	const struct rproc_native_entry *entry;
	struct native_rsc rsc[RPROC_NATIVE_MAX_RSC];
	unsigned nrsc;

	alignas(64) atomic_bool stopping; /* the entry must return */
	atomic_bool crashed;		  /* this run reported its crash */
	atomic_bool host_stop;		  /* the doorbell thread must exit */

	/* lock guards started, running, remote_thread */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* running went false */
	bool started;	     /* between start and stop */
	bool running;	     /* the entry runs (rproc_native_run, thread) */
	bool have_remote_thread;
	pthread_t remote_thread;
	bool have_doorbell_thread;
	pthread_t doorbell_thread;

	atomic_uint_fast64_t delivered, unheard, starts, crashes;
};

/* Run the entry on this thread (the remote thread, rproc_native_run()),
 * then report a crash if it returned on its own. */
int __native_run_entry(struct rproc_native *nr);

/* Check the native image header at @img (@avail bytes from there to the
 * end of the image or of remote memory) and its table's bounds: 0 and
 * *@hdr, or -ENOEXEC / -EBADMSG and *@why. */
int __native_image_check(const void *img, size_t avail,
			 const struct rproc_native_image_hdr **hdr,
			 const char **why);

#endif /* RPROC_NATIVE_INTERNAL_H */
