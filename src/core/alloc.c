/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The library's allocator with replaceable hooks, so tests can fail the n-th
 * allocation and check every unwind path (include/rproc/alloc.h).
 */
#include <stdint.h>
#include <string.h>

#include "rproc/alloc.h"
#include "rproc/os.h"

static void *default_malloc(void *ctx, size_t size)
{
	(void)ctx;
	return rproc_os_malloc(size);
}

static void default_free(void *ctx, void *ptr)
{
	(void)ctx;
	rproc_os_free(ptr);
}

static const struct rproc_alloc_hooks default_hooks = {
	.malloc = default_malloc,
	.free = default_free,
};

static struct rproc_alloc_hooks hooks = {
	.malloc = default_malloc,
	.free = default_free,
};

void rproc_set_alloc_hooks(const struct rproc_alloc_hooks *h)
{
	hooks = h ? *h : default_hooks;
}

void *rproc_malloc(size_t size)
{
	return hooks.malloc(hooks.ctx, size ? size : 1);
}

void *rproc_zalloc(size_t size)
{
	void *p = rproc_malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *rproc_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return rproc_zalloc(n * size);
}

void rproc_free(void *ptr)
{
	if (ptr)
		hooks.free(hooks.ctx, ptr);
}

char *rproc_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = rproc_malloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}
