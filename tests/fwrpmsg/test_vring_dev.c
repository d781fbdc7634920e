/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STATUS: done: hand-built hostile ring states (avail idx jumps and going
 * backwards, head >= num, chains of every shape and loops refused without
 * reading past the head descriptor (guard page), lengths and addresses
 * outside the buffer region, 64-bit addresses above 4 GiB, indirect),
 * push checks, notification suppression (flags and event idx, including
 * the host adding a buffer while the device asks for a kick; kicks off
 * from init, back on when the ring runs dry), an error in the
 * middle of a batch read with one avail idx (the rest never handed out),
 * an empty pop with event idx storing nothing once avail_event is right
 * (the ring read-only), the event-idx test against vring_need_event() on
 * random indices, the pop's prefetch guess (the buffer after the one
 * last given back when the host posts in turn; never outside the region,
 * scribbled used entries included; none at all in the _os variant: the
 * hook is recorded, vring_test_port.h), and a seeded fuzz loop of random
 * ring writes.  Runs clean under ASan/UBSan.
 * Not done: a second thread writing the ring while the device reads it
 * (the read-once rule is enforced by volatile reads into locals, not
 * tested here).  The rpmsg layer: test_rpmsg_remote.c.
 *
 * fw_vring_adversarial: the firmware's device-side split ring
 * (firmware/lib/vring.c) against a host that writes anything.  The ring
 * and the buffer region are heap blocks of exactly their size, so under
 * ASan a single byte read or written outside either is caught; on top, the
 * test checks that the device never writes the descriptor table, the avail
 * ring or the buffers, and that every buffer it hands out lies inside the
 * region.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/virtio_abi.h"
#include "rpfw/vring.h"
#include "nostore.h"

#define GIB4 0x100000000ull

/* The full barrier (vring_test_port.h): a fence, then the test's host
 * action, once. */
static void (*mb_action)(void *);
static void *mb_arg;
static unsigned mb_count;

void test_mb_hook(void)
{
	void (*fn)(void *) = mb_action;

	atomic_thread_fence(memory_order_seq_cst);
	mb_count++;
	mb_action = NULL;
	if (fn)
		fn(mb_arg);
}

struct ring {
	uint32_t num, align;
	uint8_t *mem;
	size_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t *used_event;  /* host -> device, after avail->ring[num] */
	uint16_t *avail_event; /* device -> host, after used->ring[num] */
	struct rpfw_vring_region reg;
	uint8_t *buf;
	struct rpfw_vring vr;
	size_t mapped; /* the ring on pages of its own (mmap): their bytes */
};

/* The ring a heap block of exactly its size, or (@mapped) on pages of its
 * own, for mprotect(). */
static void ring_place(struct ring *r, uint32_t num, uint32_t align,
		       uint64_t pa, uint32_t buflen, uint32_t flags,
		       bool mapped)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	memset(r, 0, sizeof(*r));
	r->num = num;
	r->align = align;
	r->size = vring_size(num, align);
	if (mapped) {
		r->mapped = (r->size + pg - 1) & ~(pg - 1);
		r->mem = mmap(NULL, r->mapped, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(r->mem != MAP_FAILED);
	} else {
		r->mem = calloc(1, r->size);
		assert_non_null(r->mem);
	}
	r->desc = (void *)r->mem;
	r->avail = (void *)(r->mem + vring_avail_offset(num));
	r->used = (void *)(r->mem + vring_used_offset(num, align));
	r->used_event = &r->avail->ring[num];
	r->avail_event = (uint16_t *)&r->used->ring[num];
	r->buf = malloc(buflen);
	assert_non_null(r->buf);
	memset(r->buf, 0xA5, buflen);
	r->reg = (struct rpfw_vring_region){pa, r->buf, buflen};
	assert_int_equal(
		rpfw_vring_init(&r->vr, r->mem, num, align, &r->reg, flags), 0);
}

static void ring_setup(struct ring *r, uint32_t num, uint32_t align,
		       uint64_t pa, uint32_t buflen, uint32_t flags)
{
	ring_place(r, num, align, pa, buflen, flags, false);
}

static void ring_free(struct ring *r)
{
	if (r->mapped)
		munmap(r->mem, r->mapped);
	else
		free(r->mem);
	free(r->buf);
}

static void desc_set(struct ring *r, uint32_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	assert_true(i < r->num);
	r->desc[i] = (struct vring_desc){addr, len, flags, next};
}

/* Make head @head available (no idx check: the host may lie). */
static void avail_add(struct ring *r, uint16_t head)
{
	r->avail->ring[r->avail->idx % r->num] = head;
	r->avail->idx++;
}

static void pop_ok(struct ring *r, struct rpfw_vring_buf *b, uint16_t want_head,
		   uint64_t want_off, uint32_t want_len)
{
	assert_int_equal(rpfw_vring_pop(&r->vr, b), 0);
	assert_int_equal(b->head, want_head);
	assert_ptr_equal(b->data, r->buf + want_off);
	assert_int_equal(b->len, want_len);
}

static void pop_err(struct ring *r, int err)
{
	struct rpfw_vring_buf b = {0};

	assert_int_equal(rpfw_vring_pop(&r->vr, &b), err);
	/* sticky */
	assert_int_equal(rpfw_vring_error(&r->vr), err);
	assert_int_equal(rpfw_vring_pop(&r->vr, &b), err);
	assert_int_equal(rpfw_vring_push(&r->vr, 0, 0), err);
}

/* ---- the good path ------------------------------------------------------ */

static void round_trip(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	uint32_t i;

	(void)state;
	ring_setup(&r, 8, 16, 0x90008000u, 8 * 512, 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(rpfw_vring_error(&r.vr), 0);
	/* two laps of the ring, one buffer at a time, heads in reverse */
	for (i = 0; i < 2 * r.num; i++) {
		uint16_t head = (uint16_t)(r.num - 1 - i % r.num);

		desc_set(&r, head, 0x90008000u + 512u * head, 512,
			 VRING_DESC_F_WRITE, 0);
		avail_add(&r, head);
		pop_ok(&r, &b, head, 512u * head, 512);
		assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
		assert_int_equal(rpfw_vring_push(&r.vr, head, 100 + i), 0);
		assert_int_equal(r.used->idx, i + 1);
		assert_int_equal(r.used->ring[i % r.num].id, head);
		assert_int_equal(r.used->ring[i % r.num].len, 100 + i);
	}
	/* batch: the whole ring at once, then all back out of order */
	for (i = 0; i < r.num; i++) {
		desc_set(&r, i, 0x90008000u + 512u * i, 512, 0, 0);
		avail_add(&r, (uint16_t)i);
	}
	for (i = 0; i < r.num; i++)
		pop_ok(&r, &b, (uint16_t)i, 512u * i, 512);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	for (i = 0; i < r.num; i++)
		assert_int_equal(rpfw_vring_push(&r.vr, r.num - 1 - i, 0), 0);
	/* nothing outstanding: a push is refused, the ring stays usable */
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), RPFW_EINVAL);
	assert_int_equal(rpfw_vring_push(&r.vr, r.num, 0), RPFW_EINVAL);
	assert_int_equal(rpfw_vring_error(&r.vr), 0);
	ring_free(&r);
}

static void init_checks(void **state)
{
	struct rpfw_vring vr;
	struct rpfw_vring_region reg = {0, NULL, 0};
	static uint64_t mem[64];

	(void)state;
	assert_int_equal(rpfw_vring_init(&vr, mem, 0, 16, &reg, 0),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, mem, 3, 16, &reg, 0),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, mem, 65536, 16, &reg, 0),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, mem, 4, 0, &reg, 0), RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, mem, 4, 24, &reg, 0),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, NULL, 4, 16, &reg, 0),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_vring_init(&vr, mem, 1, 4, &reg, 0), 0);
}

/* ---- the avail index ---------------------------------------------------- */

static void avail_jump(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	uint32_t i;

	(void)state;
	/* exactly num: fine */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
	r.avail->idx = 4;
	for (i = 0; i < 4; i++)
		assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	ring_free(&r);

	/* num + 1 */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	r.avail->idx = 5;
	pop_err(&r, RPFW_ERANGE);
	ring_free(&r);

	/* far past */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	r.avail->idx = 0x8000;
	pop_err(&r, RPFW_ERANGE);
	ring_free(&r);

	/* two held buffers leave two free entries: a jump of 3 is a lie */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
	r.avail->ring[0] = 0;
	r.avail->ring[1] = 1;
	r.avail->idx = 2;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	r.avail->idx = 5;
	pop_err(&r, RPFW_ERANGE);
	ring_free(&r);

	/* one given back: now three are free, and 2 + 3 = 5 is fine */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++) {
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
		r.avail->ring[i] = (uint16_t)i;
	}
	r.avail->idx = 2;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
	r.avail->ring[0] = 0;
	r.avail->idx = 5;
	for (i = 0; i < 3; i++)
		assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	ring_free(&r);
}

static void avail_backwards(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	uint32_t i;

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
	r.avail->idx = 3;
	for (i = 0; i < 3; i++)
		assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	/* the host takes one back: inside [used, avail] but behind us */
	r.avail->idx = 2;
	pop_err(&r, RPFW_ERANGE);
	ring_free(&r);

	/* wrap-around of the 16-bit index is not "backwards" */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
	for (i = 0; i < 0x10000 + 3; i++) {
		r.avail->ring[i % 4] = (uint16_t)(i % 4);
		r.avail->idx = (uint16_t)(i + 1);
		assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
		assert_int_equal(rpfw_vring_push(&r.vr, b.head, 0), 0);
	}
	assert_int_equal(r.used->idx, 3);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	ring_free(&r);
}

/* ---- heads, chains ------------------------------------------------------ */

static void head_out_of_range(void **state)
{
	static const uint16_t heads[] = {4, 5, 0x7FFF, 0x8000, 0xFFFF};
	struct ring r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		ring_setup(&r, 4, 16, 0x1000, 4096, 0);
		avail_add(&r, heads[i]);
		pop_err(&r, RPFW_ERANGE);
		ring_free(&r);
	}
}

/* A buffer is one descriptor (rpfw/vring.h): a chain of any shape is
 * refused (RPFW_EBADMSG, sticky) as soon as the head says NEXT, wherever
 * its next index points, in range or not, loops included. */
static void next_out_of_range(void **state)
{
	struct ring r;

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_NEXT, 1);
	desc_set(&r, 1, 0x1040, 64, VRING_DESC_F_NEXT, 4);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* the head's next itself out of range */
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_NEXT, 0xFFFF);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);
}

static void chains(void **state)
{
	struct ring r;
	uint32_t i;

	(void)state;
	/* a well-formed chain of exactly num descriptors: still a chain */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	for (i = 0; i < 8; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64,
			 i < 7 ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* two descriptors, device-writable, as a virtio-net driver would */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 2, 0x1000, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 3);
	desc_set(&r, 3, 0x1010, 64, VRING_DESC_F_WRITE, 0);
	avail_add(&r, 2);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* self loop */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 3, 0x1000, 64, VRING_DESC_F_NEXT, 3);
	avail_add(&r, 3);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* a cycle through every descriptor */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	for (i = 0; i < 8; i++)
		desc_set(&r, i, 0x1000 + 64 * i, 64, VRING_DESC_F_NEXT,
			 (uint16_t)((i + 1) % 8));
	avail_add(&r, 5);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* a two-cycle after a tail */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_NEXT, 1);
	desc_set(&r, 1, 0x1040, 64, VRING_DESC_F_NEXT, 2);
	desc_set(&r, 2, 0x1080, 64, VRING_DESC_F_NEXT, 1);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* num = 1: a descriptor pointing at itself */
	ring_setup(&r, 1, 4, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_NEXT, 0);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* a later segment outside the region: refused as a chain */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_NEXT, 1);
	desc_set(&r, 1, 0x2000, 64, 0, 0);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);

	/* the head itself outside the region: its address is checked first */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x2000, 64, VRING_DESC_F_NEXT, 1);
	desc_set(&r, 1, 0x1000, 64, 0, 0);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EFAULT);
	ring_free(&r);

	/* indirect descriptors were never negotiated; with NEXT too */
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_INDIRECT, 0);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT,
		 1);
	desc_set(&r, 1, 0x1040, 64, 0, 0);
	avail_add(&r, 0);
	pop_err(&r, RPFW_EBADMSG);
	ring_free(&r);
}

/*
 * Nothing past the head descriptor is read: the descriptors a chain
 * points to sit on a page that faults when touched (num 512: descriptors
 * 256..511 fill the second page of the table, the avail ring starts on
 * the third).  A walk of the chain would crash the test.
 */
static void chain_reads_head_only(void **state)
{
	static const uint16_t nexts[] = {256, 300, 511, 0};
	struct rpfw_vring_region reg;
	struct rpfw_vring vr = {0};
	struct rpfw_vring_buf b = {0};
	struct vring_desc *desc;
	struct vring_avail *avail;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), size;
	uint8_t *mem, *buf;
	unsigned i;

	(void)state;
	if (pg != 4096)
		skip();
	size = (vring_size(512, 4096) + pg - 1) & ~(pg - 1);
	buf = malloc(4096);
	assert_non_null(buf);
	for (i = 0; i < sizeof(nexts) / sizeof(nexts[0]); i++) {
		uint16_t head = (uint16_t)(i ? 255 - i : 0);

		mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(mem != MAP_FAILED);
		desc = (struct vring_desc *)mem;
		avail = (struct vring_avail *)(mem + vring_avail_offset(512));
		assert_true((uint8_t *)avail == mem + 2 * pg);
		reg = (struct rpfw_vring_region){0x1000, buf, 4096};
		assert_int_equal(rpfw_vring_init(&vr, mem, 512, 4096, &reg, 0),
				 0);
		desc[head] = (struct vring_desc){0x1000, 64, VRING_DESC_F_NEXT,
						 nexts[i]};
		avail->ring[0] = head;
		avail->idx = 1;
		assert_int_equal(mprotect(mem + pg, pg, PROT_NONE), 0);
		assert_int_equal(rpfw_vring_pop(&vr, &b), RPFW_EBADMSG);
		assert_int_equal(rpfw_vring_pop(&vr, &b), RPFW_EBADMSG);
		assert_int_equal(rpfw_vring_error(&vr), RPFW_EBADMSG);
		assert_int_equal(munmap(mem, size), 0);
	}
	free(buf);
}

/* ---- addresses and lengths ---------------------------------------------- */

struct addr_case {
	uint64_t pa;   /* region */
	uint32_t len;  /* region */
	uint64_t addr; /* descriptor */
	uint32_t dlen; /* descriptor */
	int ok;
};

static void addresses(void **state)
{
	static const struct addr_case cases[] = {
		/* inside, at the edges */
		{0x90008000u, 0x1000, 0x90008000u, 0x1000, 1},
		{0x90008000u, 0x1000, 0x90008fffu, 1, 1},
		{0x90008000u, 0x1000, 0x90008800u, 0x800, 1},
		{0x90008000u, 0x1000, 0x90008800u, 0, 1},
		/* lengths past the end */
		{0x90008000u, 0x1000, 0x90008000u, 0x1001, 0},
		{0x90008000u, 0x1000, 0x90008800u, 0x801, 0},
		{0x90008000u, 0x1000, 0x90008fffu, 2, 0},
		{0x90008000u, 0x1000, 0x90008001u, 0xFFFFFFFFu, 0},
		/* addresses outside */
		{0x90008000u, 0x1000, 0x90007fffu, 1, 0},
		{0x90008000u, 0x1000, 0x90009000u, 0, 0},
		{0x90008000u, 0x1000, 0x90009000u, 1, 0},
		{0x90008000u, 0x1000, 0, 1, 0},
		{0x90008000u, 0x1000, UINT64_MAX, 1, 0},
		/* above 4 GiB: the low 32 bits alone would be inside */
		{0x90008000u, 0x1000, GIB4 + 0x90008000u, 1, 0},
		{0x90008000u, 0x1000, 0xFFFFFFFF00000000ull + 0x90008000u, 1,
		 0},
		/* a region above 4 GiB (a native remote's view) */
		{GIB4 + 0x1000, 0x1000, GIB4 + 0x1800, 0x800, 1},
		{GIB4 + 0x1000, 0x1000, 0x1800, 0x10, 0},
		{GIB4 + 0x1000, 0x1000, GIB4 + 0x2000, 0x10, 0},
		{GIB4 + 0x1000, 0x1000, GIB4 + 0xfff, 0x10, 0},
		/* a region ending at the top of the 64-bit space */
		{UINT64_MAX - 0xfff, 0x1000, UINT64_MAX, 1, 1},
		{UINT64_MAX - 0xfff, 0x1000, UINT64_MAX, 2, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct addr_case *c = &cases[i];
		struct ring r;
		struct rpfw_vring_buf b = {0};

		print_message("case %zu\n", i);
		ring_setup(&r, 4, 16, c->pa, c->len, 0);
		desc_set(&r, 2, c->addr, c->dlen, 0, 0);
		avail_add(&r, 2);
		if (c->ok)
			pop_ok(&r, &b, 2, c->addr - c->pa, c->dlen);
		else
			pop_err(&r, RPFW_EFAULT);
		ring_free(&r);
	}
}

/* ---- notifications ------------------------------------------------------ */

static void notify_flags(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	/* nothing pushed: nothing to tell */
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);
	avail_add(&r, 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 1);
	/* once per batch */
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);
	r.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	avail_add(&r, 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);
	/* the event idx field is ignored without the feature */
	r.avail->flags = 0;
	*r.used_event = 0x1234;
	avail_add(&r, 0);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 1);

	/* kicks */
	assert_int_equal(r.used->flags, 0);
	rpfw_vring_kicks(&r.vr, 0);
	assert_int_equal(r.used->flags, VRING_USED_F_NO_NOTIFY);
	rpfw_vring_kicks(&r.vr, 1);
	assert_int_equal(r.used->flags, 0);
	/* without event idx the device never writes avail_event */
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 0);
	ring_free(&r);
}

/* Push one buffer (pop it first). */
static void cycle(struct ring *r)
{
	struct rpfw_vring_buf b = {0};

	avail_add(r, 0);
	assert_int_equal(rpfw_vring_pop(&r->vr, &b), 0);
	assert_int_equal(rpfw_vring_push(&r->vr, 0, 0), 0);
}

static void notify_event_idx(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	int i;

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, RPFW_VRING_F_EVENT_IDX);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	/* the flag is ignored with event idx */
	r.avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	/* "tell me when used idx passes 0": the first push */
	*r.used_event = 0;
	cycle(&r);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 1);
	/* used_event 4: pushes 2, 3, 4 stay quiet, 5 crosses it */
	*r.used_event = 4;
	for (i = 2; i <= 4; i++) {
		cycle(&r);
		assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);
	}
	cycle(&r);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 1);
	/* a batch crossing the event: 6..9 with used_event 7 */
	*r.used_event = 7;
	for (i = 6; i <= 9; i++)
		cycle(&r);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 1);
	/* a batch that does not reach it: 10..11 with used_event 20 */
	*r.used_event = 20;
	cycle(&r);
	cycle(&r);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);
	/* the event in the past (wrapped): no notify */
	*r.used_event = 5;
	cycle(&r);
	assert_int_equal(rpfw_vring_need_notify(&r.vr), 0);

	/* avail_event: an empty pop with kicks wanted asks for the next */
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 12);
	/* kicks off: popping buffers leaves avail_event where it was ... */
	rpfw_vring_kicks(&r.vr, 0);
	cycle(&r);
	assert_int_equal(*r.avail_event, 12);
	/* ... until the ring runs dry: back on, at the current position */
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 13);
	/* back on by hand: set to the current position at once */
	rpfw_vring_kicks(&r.vr, 0);
	cycle(&r);
	assert_int_equal(*r.avail_event, 13);
	rpfw_vring_kicks(&r.vr, 1);
	assert_int_equal(*r.avail_event, 14);
	ring_free(&r);
}

/* The host adds a buffer just as the device, finding the ring empty,
 * asks for a kick: the host checked avail_event before the device's write
 * reached it, so it does not kick, and the device must look again after
 * its barrier (simulated: the buffer appears inside the barrier). */
static void add_buffer_0(void *arg)
{
	avail_add(arg, 0);
}

static void event_idx_race(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, RPFW_VRING_F_EVENT_IDX);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	*r.avail_event = 0xFFFF;
	mb_action = add_buffer_0;
	mb_arg = &r;
	mb_count = 0;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(mb_count, 1);
	assert_int_equal(b.head, 0);
	assert_int_equal(*r.avail_event, 0);
	/* and empty again: one request, no second barrier needed */
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(mb_count, 2);
	assert_int_equal(*r.avail_event, 1);
	/* without event idx the device never writes avail_event nor fences
	 * on an empty pop */
	ring_free(&r);
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	mb_count = 0;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(mb_count, 0);
	ring_free(&r);
}

/* ---- stores that must not happen ----------------------------------------- */

/* With event idx and kicks on, a pop that finds the ring empty again
 * stores nothing and does not fence: avail_event asks for the right entry
 * already (the ring is read-only meanwhile).  The inline pop's fast path
 * only: -Os (RPFW_VRING_OUTLINE) turns kicks on at every empty pop. */
static void empty_pop_stores_nothing(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	int i;

	(void)state;
	if (RPFW_VRING_OUTLINE)
		skip();
	ring_place(&r, 4, 16, 0x1000, 4096, RPFW_VRING_F_EVENT_IDX, true);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	cycle(&r);
	*r.avail_event = 0xFFFF;
	mb_count = 0;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 1);
	assert_int_equal(mb_count, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(
			NO_STORE(r.mem, r.mapped, rpfw_vring_pop(&r.vr, &b)),
			RPFW_EAGAIN);
	assert_int_equal(mb_count, 1);
	/* a buffer after them: found */
	avail_add(&r, 0);
	pop_ok(&r, &b, 0, 0, 64);
	ring_free(&r);
}

/* A ring found empty wants a kick for the next buffer: kicks that were
 * off (from init: RPFW_VRING_F_KICKS_OFF, or rpfw_vring_kicks()) go back
 * on, with a barrier and a second look; on already, without event idx,
 * nothing more is needed (no barrier). */
static void kicks_back_on_when_empty(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, 0);
	assert_int_equal(r.used->flags, 0);
	ring_free(&r);
	ring_setup(&r, 4, 16, 0x1000, 4096, RPFW_VRING_F_KICKS_OFF);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	assert_int_equal(r.used->flags, VRING_USED_F_NO_NOTIFY);
	/* a pop that finds a buffer leaves them off */
	cycle(&r);
	assert_int_equal(r.used->flags, VRING_USED_F_NO_NOTIFY);
	mb_count = 0;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(r.used->flags, 0);
	assert_int_equal(mb_count, 1);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(mb_count, 1);
	/* the host adds a buffer as the device turns kicks on: found */
	rpfw_vring_kicks(&r.vr, 0);
	mb_action = add_buffer_0;
	mb_arg = &r;
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), 0);
	assert_int_equal(r.used->flags, 0);
	assert_int_equal(*r.avail_event, 0); /* no event idx: untouched */
	ring_free(&r);

	/* event idx: off at init, avail_event untouched until empty */
	ring_setup(&r, 4, 16, 0x1000, 4096,
		   RPFW_VRING_F_EVENT_IDX | RPFW_VRING_F_KICKS_OFF);
	desc_set(&r, 0, 0x1000, 64, 0, 0);
	*r.avail_event = 0xFFFF;
	cycle(&r);
	assert_int_equal(*r.avail_event, 0xFFFF);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 1);
	/* on now: the next empty pop moves it on */
	cycle(&r);
	assert_int_equal(rpfw_vring_pop(&r.vr, &b), RPFW_EAGAIN);
	assert_int_equal(*r.avail_event, 2);
	ring_free(&r);
}

/* The avail idx is read once per batch: an error in the middle of one
 * (the host's, or the layer above's rpfw_vring_fail()) stops it there,
 * the rest of the batch is never handed out. */
static void error_mid_batch(void **state)
{
	struct ring r;
	struct rpfw_vring_buf b = {0};
	uint32_t i;

	(void)state;
	ring_setup(&r, 8, 16, 0x1000, 4096, 0);
	for (i = 0; i < 4; i++) {
		desc_set(&r, i, i == 1 ? 0x3000 : 0x1000 + 64 * i, 64, 0, 0);
		avail_add(&r, (uint16_t)i);
	}
	pop_ok(&r, &b, 0, 0, 64);
	pop_err(&r, RPFW_EFAULT);
	ring_free(&r);

	ring_setup(&r, 8, 16, 0x1000, 4096, RPFW_VRING_F_EVENT_IDX);
	for (i = 0; i < 4; i++) {
		desc_set(&r, i, 0x1000 + 64 * i, 64, 0, 0);
		avail_add(&r, (uint16_t)i);
	}
	pop_ok(&r, &b, 0, 0, 64);
	assert_int_equal(rpfw_vring_fail(&r.vr, RPFW_EBADMSG), RPFW_EBADMSG);
	pop_err(&r, RPFW_EBADMSG);
	/* nothing more was read from the host: no kick asked for either */
	assert_int_equal(*r.avail_event, 0);
	ring_free(&r);
}

/* ---- the prefetch guess --------------------------------------------------- */

/* What rpfw_port_prefetch() was given (vring_test_port.h). */
const void *test_prefetch_addr;
unsigned test_prefetch_count;

static void prefetch_reset(void)
{
	test_prefetch_addr = NULL;
	test_prefetch_count = 0;
}

/* One pop, and the prefetches it issued: none where the pop is built for
 * size (RPFW_VRING_OUTLINE), else at most one, inside the region; true if
 * there was one. */
static bool pop_prefetched(struct ring *r, struct rpfw_vring_buf *b, int want)
{
	const uint8_t *p;

	prefetch_reset();
	assert_int_equal(rpfw_vring_pop(&r->vr, b), want);
	if (RPFW_VRING_OUTLINE) {
		assert_int_equal(test_prefetch_count, 0);
		return false;
	}
	assert_true(test_prefetch_count <= 1);
	if (!test_prefetch_count)
		return false;
	p = test_prefetch_addr;
	if (p < r->buf || p >= r->buf + r->reg.len)
		fail_msg("prefetch of %p, outside the region [%p, %p)",
			 (const void *)p, (void *)r->buf,
			 (void *)(r->buf + r->reg.len));
	return true;
}

/*
 * A host that gives its pinned buffers in turn (descriptor k the k-th
 * buffer of the region, as ours does): once buffer k is back and k + 1
 * is made available, the pop that sees it prefetches buffer k + 1's data,
 * which is what it then returns.  Laps of the ring, with and without
 * event idx.  Built for size (the _os variant, RPFW_VRING_OUTLINE 1) the
 * pop prefetches nothing: asserted, the same sequence runs there.
 */
static void prefetch_in_turn(void **state)
{
	const uint64_t pa = 0x90008000u;
	struct rpfw_vring_buf b = {0};
	struct ring r;
	uint32_t i, k, flags;

	(void)state;
	for (flags = 0; flags <= RPFW_VRING_F_EVENT_IDX; flags++) {
		ring_setup(&r, 8, 16, pa, 8 * 512, flags);
		for (i = 0; i < 8; i++)
			desc_set(&r, i, pa + 512u * i, 512,
				 i & 1 ? VRING_DESC_F_WRITE : 0, 0);
		avail_add(&r, 0);
		pop_prefetched(&r, &b, 0); /* nothing given back yet */
		assert_int_equal(b.head, 0);
		for (i = 0; i < 4 * r.num; i++) {
			k = i % r.num;
			assert_int_equal(rpfw_vring_push(&r.vr, k, 0), 0);
			avail_add(&r, (uint16_t)((k + 1) % r.num));
			assert_int_equal(pop_prefetched(&r, &b, 0),
					 !RPFW_VRING_OUTLINE);
			assert_int_equal(b.head, (k + 1) % r.num);
			assert_ptr_equal(b.data,
					 r.buf + 512u * ((k + 1) % r.num));
			if (!RPFW_VRING_OUTLINE)
				assert_ptr_equal(test_prefetch_addr, b.data);
			/* the pop that finds nothing new guesses nothing */
			assert_false(pop_prefetched(&r, &b, RPFW_EAGAIN));
		}
		ring_free(&r);
	}
}

/*
 * The guess is the descriptor after the one last given back; its address
 * is the host's to write.  Outside the region (below, just past, the same
 * offset 4 GiB up, 0) it is not prefetched: the host posts another buffer
 * (a wrong guess), or that one (the pop fails as ever).  A used entry the
 * host scribbled (ids of any size) points the guess at any descriptor:
 * those inside the region are prefetched, no other.
 */
static void prefetch_outside(void **state)
{
	const uint64_t pa = 0x90008000u;
	const uint64_t bad[] = {pa - 512u, pa - 1u, pa + 8 * 512u,
				pa + GIB4 + 1024u, 0};
	static const uint32_t ids[] = {
		0, 1,  2,	3,	    6,		7,	   8,
		9, 15, 0x10000, 0x7fffffff, 0xfffffffe, 0xffffffff};
	struct rpfw_vring_buf b = {0};
	struct ring r;
	uint32_t i, seen = 0;

	(void)state;
	ring_setup(&r, 8, 16, pa, 8 * 512, RPFW_VRING_F_EVENT_IDX);
	for (i = 0; i < 8; i++)
		desc_set(&r, i, pa + 512u * i, 512, 0, 0);
	avail_add(&r, 0);
	pop_prefetched(&r, &b, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* buffer 0 back: the guess is descriptor 1, outside now */
		assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
		desc_set(&r, 1, bad[i], 512, 0, 0);
		avail_add(&r, 0);
		assert_false(pop_prefetched(&r, &b, 0));
		assert_int_equal(b.head, 0);
	}
	/* and posted: refused, still not prefetched */
	assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
	avail_add(&r, 1);
	assert_false(pop_prefetched(&r, &b, RPFW_EFAULT));
	ring_free(&r);

	/* scribbled used entries, every other descriptor outside */
	ring_setup(&r, 8, 16, pa, 8 * 512, RPFW_VRING_F_EVENT_IDX);
	for (i = 0; i < 8; i++)
		desc_set(&r, i, i & 1 ? bad[i / 2 % 5] : pa + 512u * i + 7, 64,
			 0, 0);
	avail_add(&r, 0);
	pop_prefetched(&r, &b, 0);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		uint32_t want = (ids[i] + 1u) & 7u;

		assert_int_equal(rpfw_vring_push(&r.vr, 0, 0), 0);
		r.used->ring[(uint16_t)(r.used->idx - 1u) & 7u].id = ids[i];
		avail_add(&r, 0);
		if (pop_prefetched(&r, &b, 0)) {
			seen++;
			assert_true(want % 2 == 0);
			assert_ptr_equal(test_prefetch_addr,
					 r.buf + 512u * want + 7);
		} else if (!RPFW_VRING_OUTLINE) {
			assert_true(want % 2 == 1);
		}
		assert_int_equal(b.head, 0);
	}
	if (!RPFW_VRING_OUTLINE)
		assert_true(seen > 0);
	assert_int_equal(rpfw_vring_error(&r.vr), 0);
	ring_free(&r);
}

/* ---- fuzz --------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, same sequence on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Mostly plausible values, sometimes anything. */
static uint64_t rnd_addr(const struct ring *r)
{
	switch (rnd() % 8) {
	case 0:
		return ((uint64_t)rnd() << 32) | rnd();
	case 1:
		return r->reg.pa + r->reg.len - rnd() % 64;
	case 2:
		return r->reg.pa - rnd() % 64;
	case 3:
		return r->reg.pa + GIB4 + rnd() % r->reg.len;
	default:
		return r->reg.pa + rnd() % r->reg.len;
	}
}

static uint32_t rnd_len(const struct ring *r)
{
	switch (rnd() % 6) {
	case 0:
		return rnd();
	case 1:
		return r->reg.len;
	default:
		return rnd() % 512;
	}
}

static uint16_t rnd_index(const struct ring *r)
{
	return (uint16_t)(rnd() % 5 ? rnd() % r->num : rnd());
}

/* One random host write: mostly a well-formed buffer, sometimes
 * anything. */
static void host_scribble(struct ring *r)
{
	uint32_t i = rnd() % r->num;

	if (rnd() % 8) {
		/* a driver that keeps the rules, if there is room */
		if ((uint16_t)(r->avail->idx - r->used->idx) < r->num) {
			desc_set(r, i, r->reg.pa + rnd() % r->reg.len, 0, 0, 0);
			avail_add(r, (uint16_t)i);
		}
		return;
	}
	switch (rnd() % 10) {
	case 0:
		r->avail->idx = (uint16_t)rnd();
		break;
	case 1:
	case 2:
		avail_add(r, rnd_index(r));
		break;
	case 3:
		r->avail->ring[i] = rnd_index(r);
		break;
	case 4:
		r->avail->flags = (uint16_t)rnd();
		break;
	case 5:
		*r->used_event = (uint16_t)rnd();
		break;
	case 6:
		/* any byte of the driver's area */
		r->mem[rnd() % vring_used_offset(r->num, r->align)] =
			(uint8_t)rnd();
		break;
	default:
		desc_set(r, i, rnd_addr(r), rnd_len(r),
			 (uint16_t)(rnd() % 4 ? rnd() % 2 : rnd() % 8),
			 rnd_index(r));
		break;
	}
}

static void fuzz(void **state)
{
	static const uint32_t nums[] = {1, 2, 8, 64};
	unsigned long pops = 0, errors = 0;
	uint32_t round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		uint32_t num = nums[round % 4];
		uint32_t buflen = 1 + rnd() % 8192;
		uint64_t pa = round % 3 ? 0x90008000u
					: ((uint64_t)rnd() << 32) | rnd();
		struct ring r;
		uint8_t *driver_copy, *buf_copy;
		size_t driver_len;
		uint16_t held[64];
		uint32_t nheld = 0, step;

		ring_setup(&r, num, rnd() % 2 ? 16 : 4096, pa, buflen,
			   rnd() % 2 ? RPFW_VRING_F_EVENT_IDX : 0);
		driver_len = vring_used_offset(num, r.align);
		driver_copy = malloc(driver_len);
		buf_copy = malloc(buflen);
		assert_non_null(driver_copy);
		assert_non_null(buf_copy);
		memcpy(buf_copy, r.buf, buflen);
		for (step = 0; step < 200; step++) {
			struct rpfw_vring_buf b = {0};
			int ret;

			host_scribble(&r);
			memcpy(driver_copy, r.mem, driver_len);
			if (rnd() % 3 && nheld) {
				uint32_t k = rnd() % nheld;

				ret = rpfw_vring_push(&r.vr, held[k], rnd());
				if (!ret)
					held[k] = held[--nheld];
			} else if (rnd() % 8 == 0) {
				rpfw_vring_kicks(&r.vr, (int)(rnd() % 2));
			} else if (rnd() % 8 == 0) {
				rpfw_vring_need_notify(&r.vr);
			} else {
				ret = rpfw_vring_pop(&r.vr, &b);
				if (!ret) {
					pops++;
					assert_true(b.head < num);
					assert_true((uint8_t *)b.data >= r.buf);
					assert_true((uint8_t *)b.data <
						    r.buf + buflen);
					assert_true(
						b.len <=
						(size_t)(r.buf + buflen -
							 (uint8_t *)b.data));
					assert_true(nheld < num);
					held[nheld++] = b.head;
				} else if (ret != RPFW_EAGAIN) {
					assert_int_equal(
						rpfw_vring_error(&r.vr), ret);
				}
			}
			/* the device wrote neither the driver's part nor a
			 * buffer */
			assert_memory_equal(driver_copy, r.mem, driver_len);
			if (rpfw_vring_error(&r.vr)) {
				errors++;
				break;
			}
		}
		assert_memory_equal(buf_copy, r.buf, buflen);
		free(driver_copy);
		free(buf_copy);
		ring_free(&r);
	}
	print_message("fuzz: %lu buffers popped, %lu rings failed\n", pops,
		      errors);
	/* the generator reaches both outcomes */
	assert_true(pops > 1000);
	assert_true(errors > 100);
}

/* rpfw_vring_need_notify()'s event test against vring_need_event() (the
 * Linux formula it rewrites), for random states, wraps included. */
static void need_event_formula(void **state)
{
	struct ring r;
	uint32_t i;

	(void)state;
	ring_setup(&r, 4, 16, 0x1000, 4096, RPFW_VRING_F_EVENT_IDX);
	for (i = 0; i < 200000; i++) {
		uint16_t old = (uint16_t)rnd(), ev = (uint16_t)rnd();
		uint16_t now =
			(uint16_t)(old + 1 + rnd() % (i % 2 ? 8 : 65535));

		if (i % 4 == 0)
			ev = (uint16_t)(old + rnd() % 10 - 2);
		/* white box: the indices a run of pushes leaves */
		r.vr.signalled = old;
		r.vr.used_idx = now;
		*r.used_event = ev;
		assert_int_equal(rpfw_vring_need_notify(&r.vr),
				 vring_need_event(ev, now, old));
	}
	ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(init_checks),
		cmocka_unit_test(avail_jump),
		cmocka_unit_test(avail_backwards),
		cmocka_unit_test(head_out_of_range),
		cmocka_unit_test(next_out_of_range),
		cmocka_unit_test(chains),
		cmocka_unit_test(chain_reads_head_only),
		cmocka_unit_test(addresses),
		cmocka_unit_test(notify_flags),
		cmocka_unit_test(notify_event_idx),
		cmocka_unit_test(event_idx_race),
		cmocka_unit_test(kicks_back_on_when_empty),
		cmocka_unit_test(empty_pop_stores_nothing),
		cmocka_unit_test(error_mid_batch),
		cmocka_unit_test(prefetch_in_turn),
		cmocka_unit_test(prefetch_outside),
		cmocka_unit_test(fuzz),
		cmocka_unit_test(need_event_formula),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
