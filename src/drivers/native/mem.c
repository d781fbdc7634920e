/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote's memory: one window of host memory, shared memory a
 * second process could map (a memfd), between two PROT_NONE guard pages so
 * that an access running off either end faults at once instead of landing
 * in whatever the heap put there.  A real deployment maps its reserved
 * memory (a UIO region, /dev/mem, a dma-buf) here instead.
 *
 * Carveouts and vrings come from the upper part of the window (the pool):
 * a bump allocator, page-aligned, reset when the last block is freed.
 * The core allocates at boot and frees everything at stop, and recovery
 * keeps its carveouts, so nothing more is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "native_internal.h"

#define PAGE 4096u

int __native_mem_map(struct native_mem *m, const char *name, size_t size)
{
	uint8_t *res;
	void *p;
	int ret;

	m->fd = memfd_create(name, MFD_CLOEXEC);
	if (m->fd >= 0 && ftruncate(m->fd, (off_t)size)) {
		ret = -errno;
		close(m->fd);
		return ret;
	}
	/* reserve window + guards, then put the window in the middle */
	res = mmap(NULL, size + 2 * PAGE, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED) {
		ret = -errno;
		goto close_fd;
	}
	if (m->fd >= 0)
		p = mmap(res + PAGE, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, m->fd, 0);
	else /* no memfd (old kernel, seccomp): still shared memory */
		p = mmap(res + PAGE, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto unmap;
	}
	m->base = p;
	m->size = size;
	m->next = 0;
	m->nblk = 0;
	return 0;

unmap:
	munmap(res, size + 2 * PAGE);
close_fd:
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return ret;
}

void __native_mem_unmap(struct native_mem *m)
{
	if (!m->base)
		return;
	munmap(m->base - PAGE, m->size + 2 * PAGE);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->fd = -1;
}

int64_t __native_mem_alloc(struct native_mem *m, uint64_t len)
{
	size_t avail = m->size - m->pool_off - m->next;
	uint64_t pages = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	size_t off;

	if (!len || len > avail || pages > avail ||
	    m->nblk == NATIVE_MEM_BLOCKS)
		return -ENOMEM;
	off = m->pool_off + m->next;
	m->next += (size_t)pages;
	m->blk[m->nblk++] = off;
	return (int64_t)off;
}

void __native_mem_free(struct native_mem *m, size_t off)
{
	for (unsigned i = 0; i < m->nblk; i++) {
		if (m->blk[i] != off)
			continue;
		m->blk[i] = m->blk[--m->nblk];
		if (!m->nblk)
			m->next = 0;
		return;
	}
}
