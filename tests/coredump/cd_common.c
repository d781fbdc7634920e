/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the coredump tests (cd_common.h), and the two OS memory
 * functions the allocator needs: the tests link the writer's own objects, not
 * the whole library, so they build independently of the OS layer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cd_common.h"
#include "rproc/alloc.h"
#include "rproc/os.h"

void *rproc_os_malloc(size_t size)
{
	return malloc(size);
}

void rproc_os_free(void *ptr)
{
	free(ptr);
}

uint16_t cd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t cd_le32(const uint8_t *p)
{
	return (uint32_t)cd_le16(p) | (uint32_t)cd_le16(p + 2) << 16;
}

uint64_t cd_le64(const uint8_t *p)
{
	return (uint64_t)cd_le32(p) | (uint64_t)cd_le32(p + 4) << 32;
}

static int rec_begin(void *ctx, uint64_t total)
{
	struct cd_rec *r = ctx;

	r->begins++;
	r->announced = total;
	if (r->begin_err)
		return r->begin_err;
	if (r->keep) {
		r->data = malloc(total ? total : 1);
		if (!r->data)
			return -ENOMEM;
	}
	return 0;
}

static int rec_write(void *ctx, const void *buf, size_t len)
{
	struct cd_rec *r = ctx;

	r->writes++;
	if (r->fail_write_at && r->writes == r->fail_write_at)
		return r->write_err;
	if (r->keep && r->data && r->bytes + len <= r->announced)
		memcpy(r->data + r->bytes, buf, len);
	r->bytes += len;
	if (len > r->max_write)
		r->max_write = len;
	return 0;
}

static int rec_end(void *ctx, int status)
{
	struct cd_rec *r = ctx;

	r->ends++;
	r->end_status = status;
	return status ? 0 : r->end_err;
}

void cd_rec_sink(struct rproc_dump_sink *sink, struct cd_rec *r)
{
	sink->begin = rec_begin;
	sink->write = rec_write;
	sink->end = rec_end;
	sink->ctx = r;
}

void cd_rec_free(struct cd_rec *r)
{
	free(r->data);
	r->data = NULL;
}

struct cd_alloc cd_alloc;

static void *hook_malloc(void *ctx, size_t size)
{
	struct cd_alloc *a = ctx;
	void *p;

	a->calls++;
	if (a->fail_at && (a->calls == a->fail_at ||
			   (a->fail_sticky && a->calls > a->fail_at)))
		return NULL;
	p = malloc(size);
	if (p)
		a->live++;
	return p;
}

static void hook_free(void *ctx, void *ptr)
{
	struct cd_alloc *a = ctx;

	a->live--;
	free(ptr);
}

void cd_alloc_install(long fail_at, bool sticky)
{
	struct rproc_alloc_hooks h = {
		.malloc = hook_malloc,
		.free = hook_free,
		.ctx = &cd_alloc,
	};

	memset(&cd_alloc, 0, sizeof(cd_alloc));
	cd_alloc.fail_at = fail_at;
	cd_alloc.fail_sticky = sticky;
	rproc_set_alloc_hooks(&h);
}

void cd_alloc_uninstall(void)
{
	rproc_set_alloc_hooks(NULL);
}
