/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The allocator every part of the host library uses (core, formats, the OS
 * layer when it allocates on behalf of a request).  Tests replace the hooks
 * to make the n-th allocation fail and walk every unwind path (libuv's OOM
 * loop).  Default: rproc_os_malloc / rproc_os_free.
 */
#ifndef RPROC_ALLOC_H
#define RPROC_ALLOC_H

#include <stddef.h>

struct rproc_alloc_hooks {
	void *(*malloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	void *ctx;
};

/* Not thread-safe against concurrent allocation: set it before use.  NULL
 * restores the default. */
void rproc_set_alloc_hooks(const struct rproc_alloc_hooks *hooks);

void *rproc_malloc(size_t size);
void *rproc_zalloc(size_t size);	   /* zeroed */
void *rproc_calloc(size_t n, size_t size); /* zeroed; NULL on overflow */
void rproc_free(void *ptr);		   /* NULL is a no-op */
char *rproc_strdup(const char *s);

#endif /* RPROC_ALLOC_H */
