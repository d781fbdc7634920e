/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bare-metal OS layer: every function of include/rproc/os.h for a
 * single-threaded build (Cortex-M and the like).  It needs no C library
 * function at all: only freestanding headers and <errno.h>.
 *
 * - Memory: a first-fit heap in a static array of RPROC_STUB_HEAP_SIZE bytes
 *   (default 16 KiB), free list kept in address order and coalesced on
 *   free.  Chosen over newlib's malloc so the layer needs no _sbrk() from
 *   the board support package and its footprint is fixed at link time.  Not
 *   usable from interrupt handlers.
 * - Mutexes and condition variables: nothing else runs concurrently, so
 *   locks are no-ops on one static object.  A condition wait runs the
 *   pending workers (the only other context that could make progress), then
 *   returns 0 if any ran, else -ETIMEDOUT for a bounded wait and 0
 *   ("spurious wake-up") for an unbounded one.
 * - Workers: a kick only sets flags, so it is safe from an interrupt
 *   handler.  The application's main loop calls rproc_os_stub_poll(), which
 *   runs every kicked worker's fn; a kick during fn gives one more call, as
 *   os.h requires.  Freeing a worker from its own fn (forbidden by os.h) is
 *   deferred until fn returns.
 * - Time is always 0; logging does nothing; firmware files and the file
 *   dump sink are -ENOTSUP.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/coredump.h"
#include "rproc/os.h"

#ifndef RPROC_STUB_HEAP_SIZE
#define RPROC_STUB_HEAP_SIZE (16 * 1024)
#endif

/* Run every kicked worker; call from the main loop (never from an ISR).
 * Belongs in a public header of the stub platform. */
void rproc_os_stub_poll(void);

/* ---- memory --------------------------------------------------------------- */

#define HEAP_ALIGN 8u

/* Every block starts with its size (header included); a free block also
 * links to the next free block, in address order. */
struct heap_block {
	size_t size;
	struct heap_block *next;
};

#define HEAP_HDR HEAP_ALIGN /* payload starts 8 bytes into a block */
#define HEAP_MIN_BLOCK                                                         \
	((sizeof(struct heap_block) + HEAP_ALIGN - 1) &                        \
	 ~(size_t)(HEAP_ALIGN - 1))

static union {
	uint64_t align;
	uint8_t bytes[RPROC_STUB_HEAP_SIZE];
} heap;
static struct heap_block *heap_free_list;
static bool heap_ready;

static void heap_init(void)
{
	heap_free_list = (struct heap_block *)heap.bytes;
	heap_free_list->size = sizeof(heap.bytes) & ~(size_t)(HEAP_ALIGN - 1);
	heap_free_list->next = NULL;
	heap_ready = true;
}

void *rproc_os_malloc(size_t size)
{
	struct heap_block **pp, *b;
	size_t need;

	if (!heap_ready)
		heap_init();
	if (size > sizeof(heap.bytes))
		return NULL;
	need = (size + HEAP_HDR + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
	if (need < HEAP_MIN_BLOCK)
		need = HEAP_MIN_BLOCK;
	for (pp = &heap_free_list; (b = *pp); pp = &b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= HEAP_MIN_BLOCK) {
			/* Split: the tail stays free. */
			struct heap_block *rest =
				(struct heap_block *)((uint8_t *)b + need);

			rest->size = b->size - need;
			rest->next = b->next;
			*pp = rest;
			b->size = need;
		} else {
			*pp = b->next;
		}
		return (uint8_t *)b + HEAP_HDR;
	}
	return NULL;
}

void rproc_os_free(void *ptr)
{
	struct heap_block *b, *prev = NULL, *next;

	if (!ptr)
		return;
	b = (struct heap_block *)((uint8_t *)ptr - HEAP_HDR);
	for (next = heap_free_list; next && next < b; next = next->next)
		prev = next;
	b->next = next;
	if (prev)
		prev->next = b;
	else
		heap_free_list = b;
	/* Coalesce with the neighbours. */
	if (next && (uint8_t *)b + b->size == (uint8_t *)next) {
		b->size += next->size;
		b->next = next->next;
	}
	if (prev && (uint8_t *)prev + prev->size == (uint8_t *)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

/* ---- locks and condition variables ---------------------------------------- */

struct rproc_os_mutex {
	int unused;
};

struct rproc_os_cond {
	int unused;
};

static struct rproc_os_mutex the_mutex;
static struct rproc_os_cond the_cond;

int rproc_os_mutex_new(struct rproc_os_mutex **out)
{
	*out = &the_mutex;
	return 0;
}

void rproc_os_mutex_free(struct rproc_os_mutex *m)
{
	(void)m;
}

void rproc_os_mutex_lock(struct rproc_os_mutex *m)
{
	(void)m;
}

void rproc_os_mutex_unlock(struct rproc_os_mutex *m)
{
	(void)m;
}

int rproc_os_cond_new(struct rproc_os_cond **out)
{
	*out = &the_cond;
	return 0;
}

void rproc_os_cond_free(struct rproc_os_cond *c)
{
	(void)c;
}

static bool stub_run_workers(void);

int rproc_os_cond_wait(struct rproc_os_cond *c, struct rproc_os_mutex *m,
		       int64_t timeout_ns)
{
	(void)c;
	(void)m;
	if (stub_run_workers() || timeout_ns < 0)
		return 0;
	return -ETIMEDOUT;
}

void rproc_os_cond_broadcast(struct rproc_os_cond *c)
{
	(void)c;
}

/* ---- time ----------------------------------------------------------------- */

uint64_t rproc_os_monotonic_ns(void)
{
	return 0;
}

/* ---- workers -------------------------------------------------------------- */

struct rproc_os_worker {
	struct rproc_os_worker *next;
	void (*fn)(void *ctx);
	void *ctx;
	atomic_int pending; /* set by kick, possibly from an ISR */
	bool freed;	    /* freed from its own fn: free after it returns */
};

static struct rproc_os_worker *workers;
static atomic_int any_pending;
static struct rproc_os_worker *current_worker;

int rproc_os_worker_new(const char *name, void (*fn)(void *ctx), void *ctx,
			struct rproc_os_worker **out)
{
	struct rproc_os_worker *w;

	(void)name;
	if (!fn || !out)
		return -EINVAL;
	w = rproc_os_malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->ctx = ctx;
	atomic_init(&w->pending, 0);
	w->freed = false;
	w->next = workers;
	workers = w;
	*out = w;
	return 0;
}

void rproc_os_worker_kick(struct rproc_os_worker *w)
{
	atomic_store(&w->pending, 1);
	atomic_store(&any_pending, 1);
}

bool rproc_os_worker_is_current(const struct rproc_os_worker *w)
{
	return w && current_worker == w;
}

static void worker_unlink(struct rproc_os_worker *w)
{
	struct rproc_os_worker **pp;

	for (pp = &workers; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

void rproc_os_worker_free(struct rproc_os_worker *w)
{
	if (!w)
		return;
	worker_unlink(w);
	if (current_worker == w) {
		w->freed = true; /* stub_run_workers() frees it */
		return;
	}
	rproc_os_free(w);
}

/*
 * Run kicked workers until none is pending.  The list is walked again from
 * the head after every call, since fn may create or free other workers.
 * Returns true if any fn ran.  Not re-entrant: a call from inside fn (for
 * instance through rproc_os_cond_wait) does nothing.
 */
static bool stub_run_workers(void)
{
	struct rproc_os_worker *w;
	bool ran = false;

	if (current_worker)
		return false;
	while (atomic_exchange(&any_pending, 0)) {
		for (;;) {
			for (w = workers; w; w = w->next)
				if (atomic_load(&w->pending))
					break;
			if (!w)
				break;
			atomic_store(&w->pending, 0);
			current_worker = w;
			w->fn(w->ctx);
			current_worker = NULL;
			ran = true;
			if (w->freed)
				rproc_os_free(w);
		}
	}
	return ran;
}

void rproc_os_stub_poll(void)
{
	stub_run_workers();
}

/* ---- logging -------------------------------------------------------------- */

void rproc_os_log(enum rproc_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* ---- firmware files ------------------------------------------------------- */

int rproc_os_fw_set_search_path(const char *dirs)
{
	(void)dirs;
	return -ENOTSUP;
}

int rproc_os_fw_request(const char *name, struct rproc_os_fw **out)
{
	(void)name;
	(void)out;
	return -ENOTSUP;
}

void rproc_os_fw_release(struct rproc_os_fw *fw)
{
	(void)fw; /* nothing can have been returned */
}

int rproc_os_fw_wait(const char *name, rproc_os_fw_cb cb, void *ctx,
		     struct rproc_os_fw_waiter **out)
{
	(void)name;
	(void)cb;
	(void)ctx;
	(void)out;
	return -ENOTSUP;
}

void rproc_os_fw_wait_cancel(struct rproc_os_fw_waiter *w)
{
	(void)w;
}

/* ---- core dumps ----------------------------------------------------------- */

int rproc_dump_sink_file(struct rproc_dump_sink *sink, const char *path)
{
	(void)sink;
	(void)path;
	return -ENOTSUP;
}
