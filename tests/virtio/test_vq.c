/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side split virtqueue (src/virtio/virtqueue.h) against a small
 * in-test device operating on the same ring memory.
 *
 * virtio_vq (default): init checks, both directions, 64-bit bus addresses,
 * 16-bit index wrap-around (> 70,000 buffers through num 8), many ring
 * sizes, kick suppression (flags and event idx), callback suppression,
 * enable_cb's race answer, free-count accounting, detach, pinned buffers
 * (pin, add_pinned, what is written when: a device-readable one's length
 * only if it changed, the table read-only meanwhile), used buffers taken
 * in batches,
 * pinned buffers posted without the queue's checks (post_pinned_unchecked,
 * _each_unchecked: what they write, their kick decisions) and taken by a
 * callback (get_used_each), the guess at the next used buffer
 * (guess_next: right for an in-order device, a token or NULL otherwise and
 * with a scribbled avail entry), the debug builds' trap when a caller's
 * vouch is wrong, and a two-thread run with the device on its own thread.
 *
 * virtio_vq_adversarial (VQ_ADVERSARIAL): a hostile device (used idx
 * jumps, bad ids, double completions, oversize lengths, garbage in the
 * descriptor table, avail ring and avail_event; the same against pinned
 * buffers, posted ones and batches), a check that a broken queue never
 * touches the ring again (the ring is mprotect()ed), and fixed-seed fuzz
 * loops of random writes between random host operations (one with every
 * descriptor pinned and posted as the rpmsg bus does).
 *
 * STATUS: done: everything above; passes under ASan+UBSan
 * (build-vq-asan).  Known limits: fence placement cannot be proved on x86
 * (acquire/release are compiler barriers there: removing one goes
 * unnoticed); test_threads uses volatile + fences, so it is not labelled
 * tsan (TSan does not model standalone fences).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/alloc.h"
#include "virtqueue.h"
#include "nostore.h"

/* The in-test device's fences, inlined, make GCC say (-Wtsan) that TSan
 * does not model them: known (see STATUS), not a tsan-labelled test. */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) &&                       \
	!defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/* Above 4 GiB: a truncated descriptor address would show. */
#define POOL_PA 0x0000000f00001000ull
#define BUF_SZ 64u

/* ---- the in-test device ------------------------------------------------------ */

struct tdev {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t *used_event;  /* driver writes */
	uint16_t *avail_event; /* device writes */
	uint32_t num;
	uint16_t last_avail;
	uint16_t used_idx;
	bool event_idx;
};

static uint16_t vld16(const uint16_t *p)
{
	return *(const volatile uint16_t *)p;
}

static void vst16(uint16_t *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}

static void vst32(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static void dev_init(struct tdev *d, void *ring, uint32_t num, uint32_t align,
		     bool event_idx)
{
	uint8_t *r = ring;

	memset(d, 0, sizeof(*d));
	d->desc = ring;
	d->avail = (struct vring_avail *)(r + vring_avail_offset(num));
	d->used = (struct vring_used *)(r + vring_used_offset(num, align));
	d->used_event = &d->avail->ring[num];
	d->avail_event = (uint16_t *)(r + vring_used_offset(num, align) + 4 +
				      8 * (size_t)num);
	d->num = num;
	d->event_idx = event_idx;
}

/* Take the next available buffer: its head and a copy of its descriptor. */
static bool dev_pop(struct tdev *d, uint16_t *head, struct vring_desc *out)
{
	uint16_t idx = vld16(&d->avail->idx);
	uint16_t h;

	if (idx == d->last_avail)
		return false;
	atomic_thread_fence(memory_order_acquire);
	h = vld16(&d->avail->ring[d->last_avail & (d->num - 1)]);
	d->last_avail++;
	if (h >= d->num)
		return false; /* a confused (fuzzed) ring: not the host's */
	*head = h;
	if (out) {
		out->addr = *(volatile uint64_t *)&d->desc[h].addr;
		out->len = *(volatile uint32_t *)&d->desc[h].len;
		out->flags = vld16(&d->desc[h].flags);
		out->next = vld16(&d->desc[h].next);
	}
	return true;
}

/* Return buffer @id with @len; true when the device would interrupt. */
static bool dev_push(struct tdev *d, uint32_t id, uint32_t len)
{
	uint16_t old = d->used_idx;
	struct vring_used_elem *e = &d->used->ring[old & (d->num - 1)];

	vst32(&e->id, id);
	vst32(&e->len, len);
	atomic_thread_fence(memory_order_release);
	d->used_idx++;
	vst16(&d->used->idx, d->used_idx);
	atomic_thread_fence(memory_order_seq_cst);
	if (d->event_idx)
		return vring_need_event(vld16(d->used_event), d->used_idx, old);
	return !(vld16(&d->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
}

/* ---- fixture ------------------------------------------------------------------ */

struct fix {
	struct rproc_vq vq;
	struct tdev dev;
	uint8_t *ring;
	size_t ring_len;
	uint8_t *pool;
	size_t pool_len;
	uint32_t num, align;
	bool event_idx;
	bool mapped; /* ring from mmap (mprotect tests) */
};

static void *pool_va(struct fix *f, uint64_t pa)
{
	assert_true(pa >= POOL_PA && pa - POOL_PA < f->pool_len);
	return f->pool + (pa - POOL_PA);
}

static uint8_t *buf_at(struct fix *f, uint32_t i)
{
	return f->pool + (size_t)i * BUF_SZ;
}

static struct rproc_vq_config fix_cfg(struct fix *f)
{
	struct rproc_vq_config c = {
		.ring = f->ring,
		.ring_len = f->ring_len,
		.num = f->num,
		.align = f->align,
		.event_idx = f->event_idx,
		.buf_va = f->pool,
		.buf_pa = POOL_PA,
		.buf_len = f->pool_len,
	};
	return c;
}

static void fix_setup(struct fix *f, uint32_t num, uint32_t align,
		      bool event_idx, bool mapped)
{
	struct rproc_vq_config c;
	struct rproc_diag d = {{0}};

	memset(f, 0, sizeof(*f));
	f->num = num;
	f->align = align;
	f->event_idx = event_idx;
	f->mapped = mapped;
	f->ring_len = vring_size(num, align);
	if (mapped) {
		size_t pg = (size_t)sysconf(_SC_PAGESIZE);

		f->ring_len = (f->ring_len + pg - 1) & ~(pg - 1);
		f->ring = mmap(NULL, f->ring_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(f->ring != MAP_FAILED);
	} else {
		/* Exactly the ring: ASan sees any access past it. */
		f->ring = aligned_alloc(16, (f->ring_len + 15) & ~(size_t)15);
		assert_non_null(f->ring);
	}
	memset(f->ring, 0xa5, f->ring_len); /* init must zero it */
	f->pool_len = (size_t)num * 2 * BUF_SZ;
	f->pool = malloc(f->pool_len);
	assert_non_null(f->pool);
	c = fix_cfg(f);
	assert_int_equal(rproc_vq_init(&f->vq, &c, &d), 0);
	dev_init(&f->dev, f->ring, num, align, event_idx);
}

static void fix_teardown(struct fix *f)
{
	rproc_vq_release(&f->vq);
	if (f->mapped)
		munmap(f->ring, f->ring_len);
	else
		free(f->ring);
	free(f->pool);
}

/* Run the device: consume everything available, return it; the device
 * writes @fill into device-writable buffers and reports @wlen. */
static unsigned dev_complete_all(struct fix *f, uint32_t wlen)
{
	struct vring_desc dsc;
	uint16_t head = 0;
	unsigned n = 0;

	while (dev_pop(&f->dev, &head, &dsc)) {
		uint32_t len = 0;

		if (dsc.flags & VRING_DESC_F_WRITE) {
			len = wlen < dsc.len ? wlen : dsc.len;
			memset(pool_va(f, dsc.addr), 0x3c, len);
		}
		dev_push(&f->dev, head, len);
		n++;
	}
	return n;
}

/*
 * One record per pool slot (2 x num of them): the token of the buffer in
 * that slot, with what the test expects back.
 */
struct rec {
	uint32_t k;   /* pool slot */
	uint32_t len; /* posted */
	uint64_t seq;
	bool w;	  /* device-writable */
	bool out; /* added and not yet returned */
};

struct recs {
	struct rec *rec;
	uint32_t *free; /* stack of free pool slots */
	uint32_t nfree, n, outstanding;
};

static void recs_init(struct recs *r, uint32_t n)
{
	uint32_t i;

	r->rec = calloc(n, sizeof(*r->rec));
	r->free = calloc(n, sizeof(*r->free));
	assert_non_null(r->rec);
	assert_non_null(r->free);
	for (i = 0; i < n; i++) {
		r->rec[i].k = i;
		r->free[i] = n - 1 - i;
	}
	r->nfree = r->n = n;
	r->outstanding = 0;
}

static void recs_free(struct recs *r)
{
	free(r->rec);
	free(r->free);
}

/* A token handed back by the queue: one of ours, outstanding; now back. */
static struct rec *recs_back(struct recs *r, void *tok)
{
	struct rec *x = tok;

	assert_true(x >= r->rec && x < r->rec + r->n);
	if (!x->out)
		fail_msg("token of slot %u returned twice", (unsigned)x->k);
	x->out = false;
	r->free[r->nfree++] = x->k;
	r->outstanding--;
	return x;
}

/* Add one buffer of @len, device-writable or not; -errno of the add. */
static int recs_add(struct fix *f, struct recs *r, uint64_t seq, uint32_t len,
		    bool w)
{
	struct rec *x;
	int rc;

	if (!r->nfree)
		return -ENOSPC;
	x = &r->rec[r->free[r->nfree - 1]];
	x->len = len;
	x->w = w;
	x->seq = seq;
	memcpy(buf_at(f, x->k), &seq, sizeof(seq));
	rc = rproc_vq_add(&f->vq, buf_at(f, x->k), len, w, x);
	if (!rc) {
		r->nfree--;
		x->out = true;
		r->outstanding++;
	}
	return rc;
}

/* Pin slot k's buffer to descriptor k, device-writable for odd k. */
static void pin_all(struct fix *f, struct recs *r)
{
	uint32_t k;

	for (k = 0; k < f->num; k++) {
		r->rec[k].w = k & 1;
		r->rec[k].len = BUF_SZ;
		assert_int_equal(rproc_vq_pin(&f->vq, k, buf_at(f, k), BUF_SZ,
					      k & 1, &r->rec[k]),
				 0);
	}
}

#ifndef VQ_ADVERSARIAL

/* What the device reports for a buffer of @seq with @len posted. */
static uint32_t dev_len(uint64_t seq, uint32_t len)
{
	return len - (uint32_t)(seq % len);
}

/* ---- init ------------------------------------------------------------------------ */

static int fail_alloc;

static void *failing_malloc(void *ctx, size_t size)
{
	(void)ctx;
	return fail_alloc ? NULL : malloc(size);
}

static void plain_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void expect_init(struct rproc_vq_config *c, int err, const char *msg)
{
	struct rproc_vq vq;
	struct rproc_diag d = {{0}};

	assert_int_equal(rproc_vq_init(&vq, c, &d), err);
	if (!strstr(d.msg, msg))
		fail_msg("diag \"%s\" lacks \"%s\"", d.msg, msg);
	assert_true(rproc_vq_broken(&vq));
	assert_int_equal(rproc_vq_add(&vq, NULL, 8, true, &vq), -EIO);
	/* Left released: release is harmless, every call fails cleanly. */
	rproc_vq_release(&vq);
}

static void test_init_errors(void **state)
{
	_Alignas(16) static uint8_t ring[1024];
	static uint8_t pool[4096];
	struct rproc_vq_config good = {
		.ring = ring,
		.ring_len = sizeof(ring),
		.num = 16,
		.align = 16,
		.buf_va = pool,
		.buf_pa = POOL_PA,
		.buf_len = sizeof(pool),
	};
	struct rproc_vq_config c;
	struct rproc_alloc_hooks hooks = {failing_malloc, plain_free, NULL};
	struct rproc_vq vq;

	(void)state;
	assert_int_equal(rproc_vq_init(NULL, &good, NULL), -EINVAL);
	expect_init(NULL, -EINVAL, "no ring");
	c = good;
	c.ring = NULL;
	expect_init(&c, -EINVAL, "no ring");
	c = good;
	c.ring = ring + 8;
	expect_init(&c, -EINVAL, "not 16-byte aligned");
	c = good;
	c.num = 0;
	expect_init(&c, -EINVAL, "num 0 not a power of two");
	c.num = 12;
	expect_init(&c, -EINVAL, "num 12 not a power of two");
	c.num = 65536;
	expect_init(&c, -EINVAL, "num 65536");
	c = good;
	c.align = 2;
	expect_init(&c, -EINVAL, "align 2");
	c.align = 24;
	expect_init(&c, -EINVAL, "align 24");
	c = good;
	c.ring_len = vring_size(16, 16) - 1;
	expect_init(&c, -EINVAL, "ring of 437 bytes needs 438");
	c = good;
	c.buf_va = NULL;
	expect_init(&c, -EINVAL, "bad buffer region");
	c = good;
	c.buf_len = 0;
	expect_init(&c, -EINVAL, "bad buffer region");
	c = good;
	c.buf_pa = UINT64_MAX - 100;
	expect_init(&c, -EINVAL, "wraps");
	c = good;
	c.buf_va = ring + 400;
	c.buf_len = 100;
	expect_init(&c, -EINVAL, "overlaps the ring");
	c.buf_va = ring + vring_size(16, 16); /* just after: fine */
	assert_int_equal(rproc_vq_init(&vq, &c, NULL), 0);
	rproc_vq_release(&vq);
	c = good;
	c.buf_pa = UINT64_MAX - (sizeof(pool) - 1); /* ends at 2^64 - 1 */
	assert_int_equal(rproc_vq_init(&vq, &c, NULL), 0);
	rproc_vq_release(&vq);
	rproc_vq_release(&vq); /* twice: harmless */

	rproc_set_alloc_hooks(&hooks);
	fail_alloc = 1;
	expect_init(&good, -ENOMEM, "out of memory");
	fail_alloc = 0;
	rproc_set_alloc_hooks(NULL);

	/* A released (or never initialised, zeroed) queue fails cleanly. */
	memset(&vq, 0, sizeof(vq));
	assert_int_equal(rproc_vq_add(&vq, pool, 8, true, &c), -EINVAL);
	assert_false(rproc_vq_kick_prepare(&vq));
	assert_null(rproc_vq_get_used(&vq, NULL));
	assert_true(rproc_vq_enable_cb(&vq));
	rproc_vq_disable_cb(&vq);
	assert_null(rproc_vq_detach_unused(&vq));
	assert_int_equal(rproc_vq_free_count(&vq), 0);
	/* Released: broken, "not initialised". */
	rproc_vq_release(&vq);
	assert_true(rproc_vq_broken(&vq));
	assert_string_equal(rproc_vq_error(&vq), "not initialised");
	assert_int_equal(rproc_vq_add(&vq, pool, 8, true, &c), -EIO);
	assert_false(rproc_vq_kick_prepare(&vq));
	assert_null(rproc_vq_get_used(&vq, NULL));
	assert_true(rproc_vq_enable_cb(&vq));
	rproc_vq_disable_cb(&vq);
	assert_null(rproc_vq_detach_unused(&vq));
}

static void test_init_zeroes_ring(void **state)
{
	struct fix f;
	size_t i;

	(void)state;
	fix_setup(&f, 16, 64, false, false);
	for (i = 0; i < vring_size(16, 64); i++)
		assert_int_equal(f.ring[i], 0);
	assert_int_equal(rproc_vq_num(&f.vq), 16);
	assert_int_equal(rproc_vq_free_count(&f.vq), 16);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	assert_false(rproc_vq_broken(&f.vq));
	assert_null(rproc_vq_error(&f.vq));
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	fix_teardown(&f);
}

/* ---- both directions ---------------------------------------------------------- */

static void test_host_tx(void **state)
{
	struct fix f;
	struct vring_desc dsc;
	uint16_t head = 0;
	uint32_t i, len;
	int tok[4];

	(void)state;
	fix_setup(&f, 4, 16, false, false);
	for (i = 0; i < 4; i++) {
		uint8_t *b = buf_at(&f, i * 2 + 1);

		memset(b, (int)i + 1, 10 + i);
		assert_int_equal(rproc_vq_add(&f.vq, b, 10 + i, false, &tok[i]),
				 0);
	}
	assert_int_equal(rproc_vq_free_count(&f.vq), 0);
	/* Not yet visible. */
	assert_false(dev_pop(&f.dev, &head, &dsc));
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	assert_true(rproc_vq_kick_prepare(&f.vq));
	assert_int_equal(rproc_vq_in_flight(&f.vq), 4);
	for (i = 0; i < 4; i++) {
		uint8_t *b;

		assert_true(dev_pop(&f.dev, &head, &dsc));
		/* The full 64-bit bus address, the length, read-only. */
		assert_int_equal(dsc.addr, POOL_PA + (i * 2 + 1) * BUF_SZ);
		assert_int_equal(dsc.len, 10 + i);
		assert_int_equal(dsc.flags, 0);
		b = pool_va(&f, dsc.addr);
		assert_int_equal(b[0], i + 1);
		assert_int_equal(b[dsc.len - 1], i + 1);
		/* Length of a device-readable buffer: ignored. */
		dev_push(&f.dev, head, 0xffffffffu);
	}
	for (i = 0; i < 4; i++) {
		len = 77;
		assert_ptr_equal(rproc_vq_get_used(&f.vq, &len), &tok[i]);
		assert_int_equal(len, 0);
	}
	assert_null(rproc_vq_get_used(&f.vq, &len));
	assert_int_equal(rproc_vq_free_count(&f.vq), 4);
	assert_false(rproc_vq_broken(&f.vq));
	fix_teardown(&f);
}

static void test_host_rx(void **state)
{
	struct fix f;
	struct vring_desc dsc;
	uint16_t head, heads[8];
	uint32_t i, len;
	int tok[8];

	(void)state;
	fix_setup(&f, 8, 4096, true, false);
	for (i = 0; i < 8; i++)
		assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, i), BUF_SZ,
					      true, &tok[i]),
				 0);
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 8), BUF_SZ, true, &f),
			 -ENOSPC);
	rproc_vq_kick_prepare(&f.vq);
	for (i = 0; i < 8; i++) {
		assert_true(dev_pop(&f.dev, &heads[i], &dsc));
		assert_int_equal(dsc.flags, VRING_DESC_F_WRITE);
		assert_int_equal(dsc.len, BUF_SZ);
		assert_int_equal(dsc.addr, POOL_PA + i * BUF_SZ);
	}
	/* Out of order, various lengths, up to the full posted length. */
	for (i = 0; i < 8; i++) {
		uint32_t k = (i * 5) & 7;
		uint8_t *b = buf_at(&f, k);

		memset(b, 0x40 + (int)k, k * 8 + 1);
		dev_push(&f.dev, heads[k], k == 7 ? BUF_SZ : k * 8 + 1);
	}
	for (i = 0; i < 8; i++) {
		uint32_t k = (i * 5) & 7;
		int *t = rproc_vq_get_used(&f.vq, &len);

		assert_ptr_equal(t, &tok[k]);
		assert_int_equal(len, k == 7 ? BUF_SZ : k * 8 + 1);
		assert_int_equal(buf_at(&f, k)[0], 0x40 + k);
	}
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_false(dev_pop(&f.dev, &head, NULL));
	assert_int_equal(rproc_vq_free_count(&f.vq), 8);
	fix_teardown(&f);
}

/* ---- wrap-around and ring sizes ----------------------------------------------- */

/*
 * Push @total buffers through the ring of @f: random batch sizes, both
 * directions, out-of-order completions; every token and length checked.
 */
static void run_traffic(struct fix *f, unsigned total, uint32_t seed)
{
	uint32_t num = f->num;
	struct recs r;
	uint16_t *pend = calloc(num, sizeof(*pend));
	uint32_t *pend_len = calloc(num, sizeof(*pend_len));
	unsigned done = 0, npend = 0;
	uint64_t seq = 0;
	uint32_t x = seed;

	assert_non_null(pend);
	assert_non_null(pend_len);
	recs_init(&r, 2 * num);
	while (done < total) {
		struct vring_desc dsc;
		unsigned batch, i;
		uint16_t head;
		uint32_t len;

		x = x * 1103515245u + 12345u;
		batch = 1 + (x >> 16) % num;
		for (i = 0; i < batch && rproc_vq_free_count(&f->vq); i++) {
			seq++;
			assert_int_equal(recs_add(f, &r, seq,
						  1 + (uint32_t)(seq % BUF_SZ),
						  (x >> 8) & 1 ? seq & 1 : 1),
					 0);
		}
		assert_int_equal(rproc_vq_free_count(&f->vq),
				 num - r.outstanding);
		rproc_vq_kick_prepare(&f->vq);
		while (dev_pop(&f->dev, &head, &dsc)) {
			uint64_t v;

			memcpy(&v, pool_va(f, dsc.addr), sizeof(v));
			assert_int_equal(dsc.len, 1 + v % BUF_SZ);
			pend[npend] = head;
			pend_len[npend++] = dsc.flags & VRING_DESC_F_WRITE
						    ? dev_len(v, dsc.len)
						    : 0xdeadbeefu;
		}
		/* Complete a random part of what is pending, shuffled. */
		x = x * 1103515245u + 12345u;
		batch = npend ? 1 + (x >> 16) % npend : 0;
		for (i = 0; i < batch; i++) {
			uint32_t j = (x >> (i & 15)) % npend;

			dev_push(&f->dev, pend[j], pend_len[j]);
			pend[j] = pend[--npend];
			pend_len[j] = pend_len[npend];
		}
		for (i = 0; i < batch; i++) {
			void *t = rproc_vq_get_used(&f->vq, &len);
			struct rec *e;

			assert_non_null(t);
			e = recs_back(&r, t);
			assert_int_equal(len,
					 e->w ? dev_len(e->seq, e->len) : 0);
			done++;
		}
		assert_null(rproc_vq_get_used(&f->vq, &len));
		assert_int_equal(rproc_vq_free_count(&f->vq),
				 num - r.outstanding);
		assert_int_equal(rproc_vq_in_flight(&f->vq), r.outstanding);
	}
	assert_false(rproc_vq_broken(&f->vq));
	recs_free(&r);
	free(pend);
	free(pend_len);
}

static void test_wraparound(void **state)
{
	struct fix f;
	int ev;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 8, 16, ev, false);
		run_traffic(&f, 75000, 7);
		/* The 16-bit indices wrapped at least once. */
		assert_true(f.dev.used_idx < 75000 - 65536 + 8);
		fix_teardown(&f);
	}
}

static void test_ring_sizes(void **state)
{
	static const uint32_t aligns[] = {4, 16, 64, 4096};
	struct fix f;
	uint32_t num;
	unsigned i = 0;

	(void)state;
	for (num = 1; num <= VRING_MAX_NUM; num *= 2, i++) {
		fix_setup(&f, num, aligns[i % 4], i & 1, false);
		run_traffic(&f, num < 4096 ? 3 * num + 100 : num + 100, num);
		fix_teardown(&f);
	}
}

/* ---- notification suppression ---------------------------------------------- */

static void test_kick_flags(void **state)
{
	struct fix f;
	int t[8];

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	assert_false(rproc_vq_kick_prepare(&f.vq)); /* nothing published */
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 0), 8, false, &t[0]),
			 0);
	assert_true(rproc_vq_kick_prepare(&f.vq));
	assert_false(rproc_vq_kick_prepare(&f.vq)); /* nothing new */
	f.dev.used->flags = VRING_USED_F_NO_NOTIFY;
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 1), 8, false, &t[1]),
			 0);
	assert_false(rproc_vq_kick_prepare(&f.vq));
	/* avail_event means nothing without event idx. */
	*f.dev.avail_event = 1000;
	f.dev.used->flags = 0;
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 2), 8, false, &t[2]),
			 0);
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 3), 8, false, &t[3]),
			 0);
	assert_true(rproc_vq_kick_prepare(&f.vq));
	assert_int_equal(f.dev.avail->idx, 4);
	assert_int_equal(dev_complete_all(&f, 0), 4);
	fix_teardown(&f);
}

static bool add_n_kick(struct fix *f, unsigned n)
{
	static int tok;
	unsigned i;

	for (i = 0; i < n; i++)
		assert_int_equal(
			rproc_vq_add(&f->vq, buf_at(f, i), 8, false, &tok), 0);
	return rproc_vq_kick_prepare(&f->vq);
}

static void test_kick_event_idx(void **state)
{
	struct fix f;

	(void)state;
	fix_setup(&f, 8, 16, true, false);
	/* avail_event 0 at init: the first buffer is wanted. */
	assert_true(add_n_kick(&f, 1)); /* 0 -> 1 */
	*f.dev.avail_event = 3;
	assert_false(add_n_kick(&f, 1)); /* 1 -> 2: 3 not reached */
	assert_true(add_n_kick(&f, 2));	 /* 2 -> 4 crosses 3 */
	assert_false(add_n_kick(&f, 0)); /* nothing published */
	*f.dev.avail_event = 4;
	/* The flag means nothing with event idx. */
	f.dev.used->flags = VRING_USED_F_NO_NOTIFY;
	assert_true(add_n_kick(&f, 1));	 /* 4 -> 5 */
	*f.dev.avail_event = 2;		 /* behind */
	assert_false(add_n_kick(&f, 1)); /* 5 -> 6 */
	assert_int_equal(dev_complete_all(&f, 0), 6);
	while (rproc_vq_get_used(&f.vq, NULL))
		;
	/* Across the 16-bit wrap: run the indices up to 65534. */
	while (f.dev.avail->idx != 65534) {
		add_n_kick(&f, 1);
		dev_complete_all(&f, 0);
		assert_non_null(rproc_vq_get_used(&f.vq, NULL));
	}
	*f.dev.avail_event = 65535;
	assert_true(add_n_kick(&f, 3)); /* 65534 -> 1 crosses 65535 */
	*f.dev.avail_event = 1;
	assert_true(add_n_kick(&f, 1)); /* 1 -> 2 */
	*f.dev.avail_event = 65535;
	assert_false(add_n_kick(&f, 1)); /* 2 -> 3: far behind */
	assert_int_equal(dev_complete_all(&f, 0), 5);
	assert_false(rproc_vq_broken(&f.vq));
	fix_teardown(&f);
}

static void test_cb_flags(void **state)
{
	struct fix f;
	uint16_t head = 0;
	int t;

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	assert_int_equal(f.dev.avail->flags, 0); /* callbacks on at init */
	rproc_vq_disable_cb(&f.vq);
	assert_int_equal(f.dev.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	rproc_vq_disable_cb(&f.vq);
	assert_int_equal(f.dev.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	assert_true(rproc_vq_enable_cb(&f.vq)); /* nothing pending */
	assert_int_equal(f.dev.avail->flags, 0);
	/* used_event is not used without event idx. */
	assert_int_equal(*f.dev.used_event, 0);

	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 0), 8, true, &t), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &head, NULL));
	rproc_vq_disable_cb(&f.vq);
	assert_false(dev_push(&f.dev, head, 1)); /* suppressed */
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t);
	assert_true(rproc_vq_enable_cb(&f.vq));
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 0), 8, true, &t), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &head, NULL));
	assert_true(dev_push(&f.dev, head, 1)); /* wanted */
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t);
	fix_teardown(&f);
}

static void test_cb_event_idx(void **state)
{
	struct fix f;
	uint16_t h[4];
	int t[4], i;

	(void)state;
	fix_setup(&f, 8, 16, true, false);
	for (i = 0; i < 4; i++)
		assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, (uint32_t)i), 8,
					      true, &t[i]),
				 0);
	rproc_vq_kick_prepare(&f.vq);
	for (i = 0; i < 4; i++)
		assert_true(dev_pop(&f.dev, &h[i], NULL));

	/* used_event 0 at init: the first used entry interrupts. */
	assert_true(dev_push(&f.dev, h[0], 1));
	assert_false(dev_push(&f.dev, h[1], 1)); /* 1 not asked for */
	/* Consuming with callbacks on moves used_event along. */
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	assert_int_equal(*f.dev.used_event, 1);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[1]);
	assert_int_equal(*f.dev.used_event, 2);
	assert_true(dev_push(&f.dev, h[2], 1));
	/* Disabled: used_event just behind, flags stay 0. */
	rproc_vq_disable_cb(&f.vq);
	assert_int_equal(*f.dev.used_event, 1);
	assert_int_equal(f.dev.avail->flags, 0);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[2]);
	assert_int_equal(*f.dev.used_event, 1); /* not moved while off */
	assert_false(dev_push(&f.dev, h[3], 1));
	/* Enabling sees the pending entry. */
	assert_false(rproc_vq_enable_cb(&f.vq));
	assert_int_equal(*f.dev.used_event, 3);
	assert_int_equal(f.dev.avail->flags, 0);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[3]);
	assert_true(rproc_vq_enable_cb(&f.vq));
	assert_int_equal(*f.dev.used_event, 4);
	fix_teardown(&f);
}

/*
 * The lost-wakeup race: the device returns a buffer while callbacks are off,
 * just before the host enables them.  enable_cb must say "poll again"; and a
 * buffer returned right after enable_cb must interrupt.
 */
static void test_enable_cb_race(void **state)
{
	struct fix f;
	uint16_t h[3];
	int t[3], i, ev;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 4, 16, ev, false);
		for (i = 0; i < 3; i++)
			assert_int_equal(rproc_vq_add(&f.vq,
						      buf_at(&f, (uint32_t)i),
						      8, true, &t[i]),
					 0);
		rproc_vq_kick_prepare(&f.vq);
		for (i = 0; i < 3; i++)
			assert_true(dev_pop(&f.dev, &h[i], NULL));

		rproc_vq_disable_cb(&f.vq);
		assert_null(rproc_vq_get_used(&f.vq, NULL)); /* drained */
		assert_false(dev_push(&f.dev, h[0], 1));     /* suppressed */
		assert_false(rproc_vq_enable_cb(&f.vq));     /* poll again */
		/* Still pending (read once, not consumed): still false. */
		assert_false(rproc_vq_enable_cb(&f.vq));
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
		assert_true(rproc_vq_enable_cb(&f.vq));
		/* After enable: the device must interrupt. */
		assert_true(dev_push(&f.dev, h[1], 1));

		/* Two pending, one taken: enable_cb still says poll. */
		rproc_vq_disable_cb(&f.vq);
		assert_false(dev_push(&f.dev, h[2], 1));
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[1]);
		assert_false(rproc_vq_enable_cb(&f.vq));
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[2]);
		assert_true(rproc_vq_enable_cb(&f.vq));
		assert_null(rproc_vq_get_used(&f.vq, NULL));
		assert_false(rproc_vq_broken(&f.vq));
		fix_teardown(&f);
	}
}

/* ---- accounting and argument checks ---------------------------------------- */

static void test_add_and_free_count(void **state)
{
	struct fix f;
	uint8_t *end;
	int t;

	(void)state;
	fix_setup(&f, 4, 16, false, false);
	end = f.pool + f.pool_len;
	assert_int_equal(rproc_vq_add(&f.vq, f.pool, 0, true, &t), -EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool, 8, true, NULL), -EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool - 1, 8, true, &t), -EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, end, 1, true, &t), -EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, end - 10, 11, true, &t), -EINVAL);
	assert_int_equal(
		rproc_vq_add(&f.vq, f.pool, (uint32_t)f.pool_len + 1, true, &t),
		-EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool + 1, UINT32_MAX, true, &t),
			 -EINVAL);
	assert_int_equal(rproc_vq_free_count(&f.vq), 4);

	/* Region edges are fine; the address is never truncated. */
	assert_int_equal(rproc_vq_add(&f.vq, end - 10, 10, true, &t), 0);
	assert_int_equal(
		rproc_vq_add(&f.vq, f.pool, (uint32_t)f.pool_len, false, &t),
		0);
	assert_int_equal(rproc_vq_free_count(&f.vq), 2);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_int_equal(rproc_vq_free_count(&f.vq), 2);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 2);
	assert_int_equal(f.dev.desc[0].addr, POOL_PA + f.pool_len - 10);
	assert_int_equal(f.dev.desc[1].addr, POOL_PA);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool, 1, true, &t), 0);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool, 1, true, &t), 0);
	assert_int_equal(rproc_vq_add(&f.vq, f.pool, 1, true, &t), -ENOSPC);
	assert_int_equal(rproc_vq_free_count(&f.vq), 0);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 2);
	rproc_vq_kick_prepare(&f.vq);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 4);
	assert_int_equal(dev_complete_all(&f, 1), 4);
	assert_int_equal(rproc_vq_free_count(&f.vq), 0); /* until taken */
	assert_non_null(rproc_vq_get_used(&f.vq, NULL));
	assert_int_equal(rproc_vq_free_count(&f.vq), 1);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 3);
	fix_teardown(&f);
}

static void test_detach(void **state)
{
	struct fix f;
	struct rproc_vq_config c;
	int t[5], seen[5] = {0};
	uint16_t head = 0;
	void *p;
	int i, n = 0;

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	for (i = 0; i < 3; i++)
		assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, (uint32_t)i), 8,
					      true, &t[i]),
				 0);
	rproc_vq_kick_prepare(&f.vq);
	for (i = 3; i < 5; i++) /* queued, never published */
		assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, (uint32_t)i), 8,
					      true, &t[i]),
				 0);
	assert_true(dev_pop(&f.dev, &head, NULL));
	dev_push(&f.dev, head, 3);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	while ((p = rproc_vq_detach_unused(&f.vq))) {
		i = (int)((int *)p - t);
		assert_true(i >= 1 && i < 5);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		n++;
	}
	assert_int_equal(n, 4);
	assert_int_equal(rproc_vq_free_count(&f.vq), 8);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	assert_true(rproc_vq_broken(&f.vq));
	assert_string_equal(rproc_vq_error(&f.vq), "buffers detached");
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 0), 8, true, &t[0]),
			 -EIO);
	/* Re-init on the same ring: a fresh queue. */
	rproc_vq_release(&f.vq);
	c = fix_cfg(&f);
	assert_int_equal(rproc_vq_init(&f.vq, &c, NULL), 0);
	dev_init(&f.dev, f.ring, 8, 16, false);
	run_traffic(&f, 100, 3);
	fix_teardown(&f);
}

/* ---- pinned buffers and batches ---------------------------------------------- */

static void test_pinned(void **state)
{
	struct fix f;
	struct recs r;
	struct vring_desc dsc;
	uint16_t head = 0;
	uint32_t k, len, lap;
	int t;

	(void)state;
	fix_setup(&f, 8, 16, true, false);
	recs_init(&r, 8);
	/* argument checks */
	assert_int_equal(rproc_vq_pin(&f.vq, 8, buf_at(&f, 0), 8, true, &t),
			 -EINVAL);
	assert_int_equal(rproc_vq_pin(&f.vq, 0, buf_at(&f, 0), 0, true, &t),
			 -EINVAL);
	assert_int_equal(rproc_vq_pin(&f.vq, 0, buf_at(&f, 0), 8, true, NULL),
			 -EINVAL);
	assert_int_equal(rproc_vq_pin(&f.vq, 0, f.pool - 1, 8, true, &t),
			 -EINVAL);
	assert_int_equal(
		rproc_vq_pin(&f.vq, 0, f.pool + f.pool_len - 4, 8, true, &t),
		-EINVAL);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 8), -EINVAL);
	/* a descriptor in use by rproc_vq_add() is not free */
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 9), 8, true, &t), 0);
	assert_int_equal(rproc_vq_pin(&f.vq, 0, buf_at(&f, 0), 8, true, &t),
			 -EINVAL);
	assert_ptr_equal(rproc_vq_detach_unused(&f.vq), &t);
	rproc_vq_release(&f.vq);
	{
		struct rproc_vq_config c = fix_cfg(&f);

		assert_int_equal(rproc_vq_init(&f.vq, &c, NULL), 0);
	}
	pin_all(&f, &r);
	/* pinned descriptors are no longer free; pinning twice fails */
	assert_int_equal(rproc_vq_free_count(&f.vq), 0);
	assert_int_equal(rproc_vq_pin(&f.vq, 3, buf_at(&f, 3), 8, true, &t),
			 -EINVAL);
	assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, 9), 8, true, &t),
			 -ENOSPC);
	/* the descriptors were written at pin time */
	for (k = 0; k < 8; k++) {
		assert_int_equal(f.dev.desc[k].addr, POOL_PA + k * BUF_SZ);
		assert_int_equal(f.dev.desc[k].len, BUF_SZ);
		assert_int_equal(f.dev.desc[k].flags,
				 k & 1 ? VRING_DESC_F_WRITE : 0);
		assert_int_equal(f.dev.desc[k].next, 0);
	}
	/* queue lengths: readable 1..BUF_SZ, writable always whole */
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 0), -EINVAL);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, BUF_SZ + 1), -EINVAL);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 8, 1), -EINVAL);
	for (lap = 0; lap < 3; lap++) {
		for (k = 0; k < 8; k++)
			assert_int_equal(
				rproc_vq_add_pinned(&f.vq, k, 10 + k + lap), 0);
		/* queued already: not the driver's */
		assert_int_equal(rproc_vq_add_pinned(&f.vq, 2, 10), -EINVAL);
		assert_int_equal(rproc_vq_free_count(&f.vq), 0);
		rproc_vq_kick_prepare(&f.vq);
		assert_int_equal(rproc_vq_in_flight(&f.vq), 8);
		for (k = 0; k < 8; k++) {
			assert_true(dev_pop(&f.dev, &head, &dsc));
			assert_int_equal(head, k);
			assert_int_equal(dsc.addr, POOL_PA + k * BUF_SZ);
			assert_int_equal(dsc.len,
					 k & 1 ? BUF_SZ : 10 + k + lap);
			dev_push(&f.dev, head, k & 1 ? k : 0x7777);
		}
		for (k = 0; k < 8; k++) {
			assert_ptr_equal(rproc_vq_get_used(&f.vq, &len),
					 &r.rec[k]);
			assert_int_equal(len, k & 1 ? k : 0);
		}
		assert_null(rproc_vq_get_used(&f.vq, &len));
		assert_int_equal(rproc_vq_free_count(&f.vq), 0);
		assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	}
	/* only a readable one's length is written again: the device's
	 * scribbles elsewhere in a pinned descriptor stay its own */
	f.dev.desc[1].addr = 0x1234;
	f.dev.desc[0].len = 0x9999;
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 1, 1), 0);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 5), 0);
	assert_int_equal(f.dev.desc[1].addr, 0x1234);
	assert_int_equal(f.dev.desc[1].len, BUF_SZ);
	assert_int_equal(f.dev.desc[0].len, 5);
	/* detach: the queued pinned buffers come back, still pinned */
	assert_non_null(rproc_vq_detach_unused(&f.vq));
	assert_non_null(rproc_vq_detach_unused(&f.vq));
	assert_null(rproc_vq_detach_unused(&f.vq));
	assert_int_equal(rproc_vq_free_count(&f.vq), 0);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 5), -EIO);
	assert_int_equal(rproc_vq_pin(&f.vq, 0, buf_at(&f, 0), 8, true, &t),
			 -EIO);
	recs_free(&r);
	fix_teardown(&f);
}

static void test_used_batch(void **state)
{
	struct fix f;
	void *tok[8];
	uint32_t lens[8], k;
	int t[8], ev;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 8, 16, ev, false);
		/* nothing pending (and a zero max) */
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8),
				 0);
		for (k = 0; k < 8; k++)
			assert_int_equal(rproc_vq_add(&f.vq, buf_at(&f, k),
						      BUF_SZ, k & 1, &t[k]),
					 0);
		rproc_vq_kick_prepare(&f.vq);
		assert_int_equal(dev_complete_all(&f, 9), 8);
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 0),
				 0);
		/* at most max, in used order, lengths as get_used's */
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 3),
				 3);
		for (k = 0; k < 3; k++) {
			assert_ptr_equal(tok[k], &t[k]);
			assert_int_equal(lens[k], k & 1 ? 9 : 0);
		}
		assert_int_equal(rproc_vq_free_count(&f.vq), 3);
		assert_int_equal(rproc_vq_in_flight(&f.vq), 5);
		if (ev) /* callbacks on: asked for the next entry once */
			assert_int_equal(*f.dev.used_event, 3);
		/* mixed with single gets; no lengths wanted */
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[3]);
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, NULL, 8),
				 4);
		for (k = 0; k < 4; k++)
			assert_ptr_equal(tok[k], &t[4 + k]);
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8),
				 0);
		assert_int_equal(rproc_vq_free_count(&f.vq), 8);
		assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
		if (ev)
			assert_int_equal(*f.dev.used_event, 8);
		/* callbacks off: used_event left where disable_cb put it */
		rproc_vq_disable_cb(&f.vq);
		if (ev)
			assert_int_equal(*f.dev.used_event, 7);
		assert_int_equal(
			rproc_vq_add(&f.vq, buf_at(&f, 0), 8, true, &t[0]), 0);
		rproc_vq_kick_prepare(&f.vq);
		assert_int_equal(dev_complete_all(&f, 1), 1);
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8),
				 1);
		if (ev)
			assert_int_equal(*f.dev.used_event, 7);
		fix_teardown(&f);
	}
}

/* ---- posting pinned buffers unchecked, taking used ones one by one --------- */

/* What rproc_vq_get_used_each() handed out, in order. */
struct taken {
	void *tok[16];
	uint32_t len[16];
	unsigned n;
	struct fix *requeue; /* set: queue each one again (allowed) */
};

static void take_one(void *ctx, void *token, uint32_t len)
{
	struct taken *t = ctx;
	struct rec *x = token;

	assert_true(t->n < 16);
	t->tok[t->n] = token;
	t->len[t->n++] = len;
	if (t->requeue)
		assert_int_equal(rproc_vq_add_pinned(&t->requeue->vq, x->k,
						     x->w ? 0 : BUF_SZ),
				 0);
}

static uint32_t id_at(void *ctx, unsigned i)
{
	return ((const uint32_t *)ctx)[i];
}

/* The kick decision rproc_vq_kick_prepare() would make for avail idx
 * @old -> @new. */
static bool want_kick(struct fix *f, uint16_t new_idx, uint16_t old)
{
	if (f->event_idx)
		return vring_need_event(vld16(f->dev.avail_event), new_idx,
					old);
	return !(vld16(&f->dev.used->flags) & VRING_USED_F_NO_NOTIFY);
}

/*
 * rproc_vq_post_pinned_unchecked() and _each_unchecked() write what
 * rproc_vq_add_pinned() and rproc_vq_kick_prepare() write and decide the
 * kick as they do; what they post comes back by every way of taking used
 * buffers (rproc_vq_get_used_each() too, whose callback may queue buffers
 * again), and detach counts it right.
 */
static void test_posted(void **state)
{
	static const uint32_t ids[6] = {1, RPROC_VQ_NO_ID, 3,
					5, RPROC_VQ_NO_ID, 7};
	static const uint32_t none[2] = {RPROC_VQ_NO_ID, RPROC_VQ_NO_ID};
	struct vring_desc dsc;
	struct taken t;
	struct fix f;
	struct recs r;
	uint16_t head = 0, idx;
	uint32_t k, len;
	void *tok[8];
	uint32_t lens[8];
	int ev;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 8, 16, ev, false);
		recs_init(&r, 8);
		pin_all(&f, &r);
		/* one by one: readable ones with their length, writable
		 * ones whole; each published at once */
		for (k = 0; k < 8; k++) {
			bool want =
				want_kick(&f, (uint16_t)(k + 1), (uint16_t)k);

			assert_int_equal(rproc_vq_post_pinned_unchecked(
						 &f.vq, k, k & 1 ? 0 : 10 + k),
					 want);
			assert_int_equal(vld16(&f.dev.avail->idx), k + 1);
			assert_int_equal(rproc_vq_in_flight(&f.vq), k + 1);
		}
		assert_int_equal(rproc_vq_free_count(&f.vq), 0);
		assert_false(rproc_vq_kick_prepare(&f.vq)); /* nothing new */
		for (k = 0; k < 8; k++) {
			assert_true(dev_pop(&f.dev, &head, &dsc));
			assert_int_equal(head, k);
			assert_int_equal(dsc.addr, POOL_PA + k * BUF_SZ);
			assert_int_equal(dsc.len, k & 1 ? BUF_SZ : 10 + k);
			dev_push(&f.dev, head, k & 1 ? k : 0x7777);
		}
		/* back: 3 by the callback, 1 alone, 4 in a batch */
		memset(&t, 0, sizeof(t));
		assert_int_equal(rproc_vq_get_used_each(&f.vq, 0, take_one, &t),
				 0);
		assert_int_equal(rproc_vq_get_used_each(&f.vq, 3, take_one, &t),
				 3);
		assert_int_equal(t.n, 3);
		for (k = 0; k < 3; k++) {
			assert_ptr_equal(t.tok[k], &r.rec[k]);
			assert_int_equal(t.len[k], k & 1 ? k : 0);
		}
		if (ev) /* callbacks on: asked for the next entry once */
			assert_int_equal(*f.dev.used_event, 3);
		assert_ptr_equal(rproc_vq_get_used(&f.vq, &len), &r.rec[3]);
		assert_int_equal(len, 3);
		assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8),
				 4);
		for (k = 0; k < 4; k++) {
			assert_ptr_equal(tok[k], &r.rec[4 + k]);
			assert_int_equal(lens[k], (4 + k) & 1 ? 4 + k : 0);
		}
		assert_int_equal(rproc_vq_get_used_each(&f.vq, 8, take_one, &t),
				 0);
		assert_int_equal(rproc_vq_in_flight(&f.vq), 0);

		/* several at once, some skipped: published together */
		idx = vld16(&f.dev.avail->idx);
		if (ev)
			vst16(f.dev.avail_event, idx); /* the device waits */
		assert_int_equal(rproc_vq_post_pinned_each_unchecked(
					 &f.vq, 6, id_at, (void *)ids),
				 want_kick(&f, (uint16_t)(idx + 4), idx));
		assert_int_equal(vld16(&f.dev.avail->idx), (uint16_t)(idx + 4));
		assert_int_equal(rproc_vq_in_flight(&f.vq), 4);
		/* nothing queued: nothing published */
		assert_false(rproc_vq_post_pinned_each_unchecked(
			&f.vq, 2, id_at, (void *)none));
		assert_int_equal(vld16(&f.dev.avail->idx), (uint16_t)(idx + 4));
		/* but what was added before is published with them */
		assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 5), 0);
		rproc_vq_post_pinned_each_unchecked(&f.vq, 2, id_at,
						    (void *)none);
		assert_int_equal(vld16(&f.dev.avail->idx), (uint16_t)(idx + 5));
		assert_int_equal(rproc_vq_in_flight(&f.vq), 5);
		for (k = 1; k < 8; k += 2) {
			assert_true(dev_pop(&f.dev, &head, &dsc));
			assert_int_equal(head, k);
			assert_int_equal(dsc.len, BUF_SZ);
			dev_push(&f.dev, head, BUF_SZ);
		}
		/* the callback queues each one again */
		memset(&t, 0, sizeof(t));
		t.requeue = &f;
		assert_int_equal(rproc_vq_get_used_each(&f.vq, 8, take_one, &t),
				 4);
		for (k = 0; k < 4; k++) {
			assert_ptr_equal(t.tok[k], &r.rec[1 + 2 * k]);
			assert_int_equal(t.len[k], BUF_SZ);
		}
		assert_int_equal(rproc_vq_kick_prepare(&f.vq),
				 want_kick(&f, (uint16_t)(idx + 9),
					   (uint16_t)(idx + 5)));
		assert_int_equal(vld16(&f.dev.avail->idx), (uint16_t)(idx + 9));
		assert_int_equal(rproc_vq_in_flight(&f.vq), 5);
		assert_true(dev_pop(&f.dev, &head, &dsc));
		assert_int_equal(head, 0); /* the one added before */
		for (k = 1; k < 8; k += 2) {
			assert_true(dev_pop(&f.dev, &head, &dsc));
			assert_int_equal(head, k);
		}
		/* detach: every buffer in flight comes back, once */
		for (k = 0; k < 5; k++)
			assert_non_null(rproc_vq_detach_unused(&f.vq));
		assert_null(rproc_vq_detach_unused(&f.vq));
		assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
		assert_int_equal(rproc_vq_free_count(&f.vq), 0);
		recs_free(&r);
		fix_teardown(&f);
	}
}

/* ---- stores that must not happen ----------------------------------------- */

/* The device takes pinned buffer 0, finding @len in its descriptor, and
 * gives it back; the host takes it back. */
static void pinned_round(struct fix *f, struct recs *r, uint32_t len)
{
	struct vring_desc dsc;
	uint16_t head = 0;

	assert_true(dev_pop(&f->dev, &head, &dsc));
	assert_int_equal(head, 0);
	assert_int_equal(dsc.len, len);
	dev_push(&f->dev, head, 0);
	assert_ptr_equal(rproc_vq_get_used(&f->vq, NULL), &r->rec[0]);
}

/*
 * A pinned device-readable buffer queued again with the length it had
 * leaves its descriptor alone (the line stays in the device's cache), by
 * rproc_vq_post_pinned_unchecked() and rproc_vq_add_pinned() alike: the
 * descriptor table of a num 256 ring is exactly its first page, read-only
 * meanwhile.  Another length is written.
 */
static void test_pinned_same_len(void **state)
{
	struct fix f;
	struct recs r;

	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	fix_setup(&f, 256, 4096, true, true);
	assert_int_equal(vring_avail_offset(256), 4096);
	recs_init(&r, 256);
	pin_all(&f, &r);
	rproc_vq_post_pinned_unchecked(&f.vq, 0, 8);
	pinned_round(&f, &r, 8);
	NO_STORE(f.ring, 4096, rproc_vq_post_pinned_unchecked(&f.vq, 0, 8));
	pinned_round(&f, &r, 8);
	assert_int_equal(
		NO_STORE(f.ring, 4096, rproc_vq_add_pinned(&f.vq, 0, 8)), 0);
	rproc_vq_kick_prepare(&f.vq);
	pinned_round(&f, &r, 8);
	/* another length: written */
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 9), 0);
	assert_int_equal(f.dev.desc[0].len, 9);
	rproc_vq_kick_prepare(&f.vq);
	pinned_round(&f, &r, 9);
	rproc_vq_post_pinned_unchecked(&f.vq, 0, 10);
	assert_int_equal(f.dev.desc[0].len, 10);
	pinned_round(&f, &r, 10);
	recs_free(&r);
	fix_teardown(&f);
}

/* ---- the guess at the next used buffer ------------------------------------ */

/* The host guesses, then takes the next used buffer (there is one): with
 * an in-order device the guess is the token it gets. */
static void *guess_then_take(struct fix *f)
{
	void *guess = rproc_vq_guess_next(&f->vq);
	void *tok = rproc_vq_get_used(&f->vq, NULL);

	assert_non_null(tok);
	assert_ptr_equal(guess, tok);
	return tok;
}

/* A guess that need not be right: NULL or one of the pinned tokens. */
static void *guess_valid(struct fix *f, struct recs *r)
{
	struct rec *g = rproc_vq_guess_next(&f->vq);

	if (g && (g < r->rec || g >= r->rec + f->num))
		fail_msg("guess %p: not a token of the queue", (void *)g);
	return g;
}

/*
 * rproc_vq_guess_next() against pinned buffers (as the rpmsg bus posts
 * them): whole rings posted in a permuted order, then a stream of posts in
 * random order with the device one buffer behind or many; the device
 * returns them in order, and before each rproc_vq_get_used() the guess is
 * the token it returns.  A device that returns them out of order makes
 * the guess wrong, never invalid.  An avail entry the device scribbled to
 * an id >= num gives NULL, and the queue goes on.
 */
static void test_guess_next(void **state)
{
	static const uint32_t nums[] = {1, 2, 8, 16};
	uint32_t order[16], q[16];
	bool busy[16];
	struct fix f;
	struct recs r;
	struct vring_desc dsc;
	uint16_t head = 0;
	uint32_t rnd = 0x5eed, n, k, lap, it, ev, wrong;

	(void)state;
	for (n = 0; n < sizeof(nums) / sizeof(nums[0]); n++) {
		for (ev = 0; ev < 2; ev++) {
			const uint32_t num = nums[n];
			uint32_t posted = 0, pushed = 0, taken = 0, checks = 0;

			fix_setup(&f, num, 16, ev, false);
			recs_init(&r, num);
			pin_all(&f, &r);
			/* the whole ring, posted in a permuted order (5 is
			 * odd: k -> 5k + lap is a permutation mod num) */
			for (lap = 0; lap < 3; lap++) {
				for (k = 0; k < num; k++) {
					order[k] = (5 * k + lap) & (num - 1);
					assert_int_equal(
						rproc_vq_add_pinned(
							&f.vq, order[k], 8),
						0);
				}
				rproc_vq_kick_prepare(&f.vq);
				for (k = 0; k < num; k++) {
					assert_true(
						dev_pop(&f.dev, &head, &dsc));
					assert_int_equal(head, order[k]);
					dev_push(&f.dev, head, 0);
				}
				for (k = 0; k < num; k++)
					assert_ptr_equal(guess_then_take(&f),
							 &r.rec[order[k]]);
				assert_null(rproc_vq_get_used(&f.vq, NULL));
			}
			/* a stream: the host posts free buffers picked at
			 * random and takes back what is used, the device
			 * takes and returns one at a time, in order; q[]
			 * holds the posted ids in posting order */
			memset(busy, 0, sizeof(busy));
			for (it = 0; it < 4000; it++) {
				rnd = rnd * 1103515245u + 12345u;
				switch ((rnd >> 16) % 3) {
				case 0: /* host: post one */
					if (posted - taken == num)
						break;
					k = (rnd >> 8) % num;
					while (busy[k])
						k = (k + 1) % num;
					busy[k] = true;
					q[posted++ % num] = k;
					assert_int_equal(rproc_vq_add_pinned(
								 &f.vq, k, 8),
							 0);
					rproc_vq_kick_prepare(&f.vq);
					break;
				case 1: /* device: take one, return it */
					if (!dev_pop(&f.dev, &head, &dsc))
						break;
					assert_int_equal(head,
							 q[pushed++ % num]);
					dev_push(&f.dev, head, 0);
					break;
				default: /* host: guess, take */
					if (taken == pushed)
						break;
					k = q[taken++ % num];
					assert_ptr_equal(guess_then_take(&f),
							 &r.rec[k]);
					busy[k] = false;
					checks++;
				}
			}
			assert_true(checks > 300);
			/* drain */
			while (dev_pop(&f.dev, &head, &dsc))
				dev_push(&f.dev, head, 0);
			while (taken != posted)
				assert_ptr_equal(guess_then_take(&f),
						 &r.rec[q[taken++ % num]]);
			assert_null(rproc_vq_get_used(&f.vq, NULL));

			/* out of order: the whole ring posted in order,
			 * returned permuted; the guess may be wrong, it
			 * is a token of ours (or NULL) */
			for (k = 0; k < num; k++)
				assert_int_equal(
					rproc_vq_add_pinned(&f.vq, k, 8), 0);
			rproc_vq_kick_prepare(&f.vq);
			for (k = 0; k < num; k++)
				assert_true(dev_pop(&f.dev, &head, &dsc));
			for (k = 0; k < num; k++)
				dev_push(&f.dev, (3 * k + 1) & (num - 1), 0);
			wrong = 0;
			for (k = 0; k < num; k++) {
				void *g = guess_valid(&f, &r);
				void *tok = rproc_vq_get_used(&f.vq, NULL);

				assert_ptr_equal(
					tok, &r.rec[(3 * k + 1) & (num - 1)]);
				wrong += g != tok;
			}
			if (num > 1)
				assert_true(wrong > 0);
			taken += num;

			/* the device scribbles the avail entry at the
			 * position it reached (the one the guess reads)
			 * with an id >= num: no guess, the buffer is
			 * still taken back */
			for (k = 0; k < num; k++)
				assert_int_equal(
					rproc_vq_add_pinned(&f.vq, k, 8), 0);
			rproc_vq_kick_prepare(&f.vq);
			for (k = 0; k < num; k++) {
				const uint16_t bad[] = {(uint16_t)num,
							(uint16_t)(num + 1),
							0x7fff, 0x8000, 0xffff};
				uint32_t b;

				assert_true(dev_pop(&f.dev, &head, &dsc));
				dev_push(&f.dev, head, 0);
				for (b = 0; b < 5; b++) {
					vst16(&f.dev.avail->ring[taken &
								 (num - 1)],
					      bad[b]);
					assert_null(guess_valid(&f, &r));
				}
				assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL),
						 &r.rec[k]);
				taken++;
			}
			assert_false(rproc_vq_broken(&f.vq));
			recs_free(&r);
			fix_teardown(&f);
		}
	}
}

#if !defined(NDEBUG) && defined(__GNUC__)
/* Debug builds check what the caller of an _unchecked function vouches
 * for: a buffer posted twice stops the program. */
static void test_vouch(void **state)
{
	struct fix f;
	struct recs r;
	pid_t pid;
	int st;

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	recs_init(&r, 8);
	pin_all(&f, &r);
	rproc_vq_post_pinned_unchecked(&f.vq, 2, 8);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* no test framework's handler: the signal itself */
		signal(SIGILL, SIG_DFL);
		signal(SIGTRAP, SIG_DFL);
		rproc_vq_post_pinned_unchecked(&f.vq, 2, 8); /* traps */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	recs_free(&r);
	fix_teardown(&f);
}
#endif

/* ---- two threads ----------------------------------------------------------- */

#define THREAD_MSGS 200000u

struct thr {
	struct fix *f;
	atomic_bool stop;
	uint64_t bad;
};

/*
 * The device: checks what the host wrote into device-readable buffers (the
 * host's counter of them) and writes its own counter of device-writable
 * ones, in order.
 */
static void *dev_thread(void *arg)
{
	struct thr *t = arg;
	struct fix *f = t->f;
	uint64_t rd = 0, wr = 0;

	while (!atomic_load(&t->stop)) {
		struct vring_desc dsc;
		uint16_t head;

		if (!dev_pop(&f->dev, &head, &dsc)) {
			sched_yield();
			continue;
		}
		if (dsc.flags & VRING_DESC_F_WRITE) {
			memcpy(pool_va(f, dsc.addr), &wr, sizeof(wr));
			wr++;
			dev_push(&f->dev, head, sizeof(wr));
		} else {
			uint64_t v;

			memcpy(&v, pool_va(f, dsc.addr), sizeof(v));
			if (v != rd)
				t->bad++;
			rd++;
			dev_push(&f->dev, head, 0);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fix f;
	struct thr t;
	struct recs r;
	pthread_t th;
	uint64_t sent_rd = 0, want_wr = 0;
	unsigned done = 0, spins = 0;

	(void)state;
	fix_setup(&f, 64, 64, true, false);
	recs_init(&r, 128);
	t.f = &f;
	t.bad = 0;
	atomic_init(&t.stop, false);
	assert_int_equal(pthread_create(&th, NULL, dev_thread, &t), 0);
	while (done < THREAD_MSGS) {
		void *tok;
		uint32_t len;

		while (rproc_vq_free_count(&f.vq)) {
			bool w = (sent_rd + want_wr + done) & 1;

			/* device-readable ones carry the host's counter */
			assert_int_equal(recs_add(&f, &r, sent_rd, 8, w), 0);
			if (!w)
				sent_rd++;
		}
		rproc_vq_kick_prepare(&f.vq);
		do {
			rproc_vq_disable_cb(&f.vq);
			while ((tok = rproc_vq_get_used(&f.vq, &len))) {
				struct rec *e = recs_back(&r, tok);

				if (e->w) {
					uint64_t v;

					assert_int_equal(len, 8);
					memcpy(&v, buf_at(&f, e->k), 8);
					assert_int_equal(v, want_wr);
					want_wr++;
				}
				done++;
			}
		} while (!rproc_vq_enable_cb(&f.vq));
		if (++spins % 64 == 0)
			sched_yield();
	}
	atomic_store(&t.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(t.bad, 0);
	assert_false(rproc_vq_broken(&f.vq));
	recs_free(&r);
	fix_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_init_zeroes_ring),
		cmocka_unit_test(test_host_tx),
		cmocka_unit_test(test_host_rx),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_ring_sizes),
		cmocka_unit_test(test_kick_flags),
		cmocka_unit_test(test_kick_event_idx),
		cmocka_unit_test(test_cb_flags),
		cmocka_unit_test(test_cb_event_idx),
		cmocka_unit_test(test_enable_cb_race),
		cmocka_unit_test(test_add_and_free_count),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_pinned),
		cmocka_unit_test(test_used_batch),
		cmocka_unit_test(test_posted),
		cmocka_unit_test(test_pinned_same_len),
		cmocka_unit_test(test_guess_next),
#if !defined(NDEBUG) && defined(__GNUC__)
		cmocka_unit_test(test_vouch),
#endif
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* VQ_ADVERSARIAL */

/* ---- a hostile device ------------------------------------------------------ */

/* Write used->ring[pos] and used->idx behind the host's back. */
static void evil_used(struct fix *f, uint16_t pos, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &f->dev.used->ring[pos & (f->num - 1)];

	vst32(&e->id, id);
	vst32(&e->len, len);
}

static void evil_used_idx(struct fix *f, uint16_t idx)
{
	atomic_thread_fence(memory_order_release);
	vst16(&f->dev.used->idx, idx);
}

/* Every call on a broken queue fails, and the error stays the first one. */
static void assert_dead(struct fix *f, const char *err)
{
	int t;

	assert_true(rproc_vq_broken(&f->vq));
	assert_non_null(rproc_vq_error(&f->vq));
	assert_string_equal(rproc_vq_error(&f->vq), err);
	assert_int_equal(rproc_vq_add(&f->vq, buf_at(f, 0), 8, true, &t), -EIO);
	assert_false(rproc_vq_kick_prepare(&f->vq));
	assert_null(rproc_vq_get_used(&f->vq, NULL));
	assert_true(rproc_vq_enable_cb(&f->vq));
	rproc_vq_disable_cb(&f->vq);
	assert_string_equal(rproc_vq_error(&f->vq), err);
}

static void add_ok(struct fix *f, uint32_t k, uint32_t len, bool w, void *t)
{
	assert_int_equal(rproc_vq_add(&f->vq, buf_at(f, k), len, w, t), 0);
}

static void test_used_idx_jump(void **state)
{
	struct fix f;
	int t[2];

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	add_ok(&f, 0, 8, true, &t[0]);
	add_ok(&f, 1, 8, true, &t[1]);
	rproc_vq_kick_prepare(&f.vq);
	evil_used(&f, 0, 0, 1);
	evil_used(&f, 1, 1, 1);
	evil_used(&f, 2, 0, 1);
	evil_used_idx(&f, 3);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_dead(&f, "used idx 3: advanced by 3 with 2 buffers in flight");
	/* A correct idx afterwards changes nothing. */
	evil_used_idx(&f, 1);
	assert_dead(&f, "used idx 3: advanced by 3 with 2 buffers in flight");
	/* nor does another violation found by a caller that looks at
	 * used->idx without asking first (the rpmsg bus's receive) */
	evil_used_idx(&f, 5);
	assert_false(__rproc_vq_fetch_used_idx(&f.vq));
	assert_dead(&f, "used idx 3: advanced by 3 with 2 buffers in flight");
	fix_teardown(&f);
}

static void test_used_idx_backwards(void **state)
{
	struct fix f;
	int t[2];

	(void)state;
	fix_setup(&f, 8, 16, true, false);
	add_ok(&f, 0, 8, true, &t[0]);
	add_ok(&f, 1, 8, true, &t[1]);
	rproc_vq_kick_prepare(&f.vq);
	evil_used(&f, 0, 0, 1);
	evil_used_idx(&f, 1);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	evil_used_idx(&f, 0);
	/* enable_cb reads used->idx too, and validates it the same way. */
	assert_true(rproc_vq_enable_cb(&f.vq));
	assert_dead(&f,
		    "used idx 0: advanced by 65535 with 1 buffers in flight");
	fix_teardown(&f);
}

/* used->idx moved while nothing was published: never looked at, until
 * something is in flight. */
static void test_used_idx_nothing_in_flight(void **state)
{
	struct fix f;
	int t;

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	evil_used(&f, 0, 0, 1);
	evil_used_idx(&f, 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_true(rproc_vq_enable_cb(&f.vq));
	add_ok(&f, 0, 8, true, &t);
	/* Queued, not published: still nothing the device may return. */
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_false(rproc_vq_broken(&f.vq));
	evil_used_idx(&f, 2);
	rproc_vq_kick_prepare(&f.vq);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_dead(&f, "used idx 2: advanced by 2 with 1 buffers in flight");
	fix_teardown(&f);
}

/*
 * The bound on used->idx is the number of buffers in flight, which the
 * queue derives from its 16-bit positions (buffers published less those
 * returned): still exact after they wrapped, and with the largest ring
 * all in flight.
 */
static void test_used_idx_jump_wrapped(void **state)
{
	struct fix f;
	int t[2];
	uint32_t i;

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	for (i = 0; i < 65536 + 5; i++) {
		add_ok(&f, 0, 8, true, &t[0]);
		rproc_vq_kick_prepare(&f.vq);
		assert_int_equal(dev_complete_all(&f, 1), 1);
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	}
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	add_ok(&f, 0, 8, true, &t[0]);
	add_ok(&f, 1, 8, true, &t[1]);
	rproc_vq_kick_prepare(&f.vq);
	assert_int_equal(rproc_vq_in_flight(&f.vq), 2);
	evil_used(&f, 5, 0, 1);
	evil_used(&f, 6, 1, 1);
	evil_used(&f, 7, 0, 1);
	evil_used_idx(&f, 8); /* 65541 + 3, mod 2^16 */
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_dead(&f, "used idx 8: advanced by 3 with 2 buffers in flight");
	fix_teardown(&f);

	fix_setup(&f, VRING_MAX_NUM, 16, false, false);
	for (i = 0; i < VRING_MAX_NUM; i++)
		add_ok(&f, i, 8, true, &t[0]);
	rproc_vq_kick_prepare(&f.vq);
	assert_int_equal(rproc_vq_in_flight(&f.vq), VRING_MAX_NUM);
	for (i = 0; i < VRING_MAX_NUM; i++)
		evil_used(&f, (uint16_t)i, i, 1);
	/* one more than in flight: refused before any entry is taken */
	evil_used_idx(&f, VRING_MAX_NUM + 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_dead(&f,
		    "used idx 32769: advanced by 32769 with 32768 buffers in "
		    "flight");
	fix_teardown(&f);

	/* all of them back at once: taken */
	fix_setup(&f, VRING_MAX_NUM, 16, false, false);
	for (i = 0; i < VRING_MAX_NUM; i++)
		add_ok(&f, i, 8, true, &t[0]);
	rproc_vq_kick_prepare(&f.vq);
	for (i = 0; i < VRING_MAX_NUM; i++)
		evil_used(&f, (uint16_t)i, i, 1);
	evil_used_idx(&f, VRING_MAX_NUM);
	for (i = 0; i < VRING_MAX_NUM; i++)
		assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_false(rproc_vq_broken(&f.vq));
	assert_int_equal(rproc_vq_in_flight(&f.vq), 0);
	fix_teardown(&f);
}

static void test_bad_id(void **state)
{
	static const uint32_t ids[] = {8, 9, 0x10000, UINT32_MAX};
	static const char *const errs[] = {
		"used ring[0]: id 8 >= num 8",
		"used ring[0]: id 9 >= num 8",
		"used ring[0]: id 65536 >= num 8",
		"used ring[0]: id 4294967295 >= num 8",
	};
	struct fix f;
	unsigned i;
	int t;

	(void)state;
	for (i = 0; i < 4; i++) {
		fix_setup(&f, 8, 16, false, false);
		add_ok(&f, 0, 8, true, &t);
		rproc_vq_kick_prepare(&f.vq);
		evil_used(&f, 0, ids[i], 1);
		evil_used_idx(&f, 1);
		assert_null(rproc_vq_get_used(&f.vq, NULL));
		assert_dead(&f, errs[i]);
		/* The buffer is still the host's to take back, once. */
		assert_ptr_equal(rproc_vq_detach_unused(&f.vq), &t);
		assert_null(rproc_vq_detach_unused(&f.vq));
		fix_teardown(&f);
	}
}

static void test_double_completion(void **state)
{
	struct fix f;
	struct vring_desc dsc;
	uint16_t h0 = 0, h1 = 0;
	char err[64];
	int t[2];

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	add_ok(&f, 0, 8, true, &t[0]);
	add_ok(&f, 1, 8, true, &t[1]);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &h0, &dsc));
	assert_true(dev_pop(&f.dev, &h1, &dsc));
	dev_push(&f.dev, h0, 1);
	dev_push(&f.dev, h0, 1); /* again */
	assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[0]);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	snprintf(err, sizeof(err), "used ring[1]: id %u is not in flight",
		 (unsigned)h0);
	assert_dead(&f, err);
	assert_ptr_equal(rproc_vq_detach_unused(&f.vq), &t[1]);
	assert_null(rproc_vq_detach_unused(&f.vq));
	fix_teardown(&f);

	/* A head that was never handed out. */
	fix_setup(&f, 8, 16, false, false);
	add_ok(&f, 0, 8, true, &t[0]);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &h0, &dsc));
	dev_push(&f.dev, (h0 + 3) & 7, 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	snprintf(err, sizeof(err), "used ring[0]: id %u is not in flight",
		 (unsigned)((h0 + 3) & 7));
	assert_dead(&f, err);
	fix_teardown(&f);
}

/* The device returns a buffer it was never shown (added, not published),
 * having read its head from the avail ring the host already wrote. */
static void test_unpublished(void **state)
{
	struct fix f;
	uint16_t hb;
	char err[64];
	int t[2];

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	add_ok(&f, 0, 8, true, &t[0]);
	rproc_vq_kick_prepare(&f.vq);
	add_ok(&f, 1, 8, true, &t[1]);
	hb = vld16(&f.dev.avail->ring[1]);
	dev_push(&f.dev, hb, 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	snprintf(err, sizeof(err), "used ring[0]: id %u is not in flight",
		 (unsigned)hb);
	assert_dead(&f, err);
	fix_teardown(&f);
}

static void test_len(void **state)
{
	struct fix f;
	uint16_t h = 0;
	uint32_t len;
	int t[3];

	(void)state;
	fix_setup(&f, 8, 16, false, false);
	add_ok(&f, 0, 64, true, &t[0]);
	add_ok(&f, 1, 64, false, &t[1]);
	add_ok(&f, 2, 64, true, &t[2]);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &h, NULL));
	dev_push(&f.dev, h, 64); /* the whole buffer: fine */
	assert_true(dev_pop(&f.dev, &h, NULL));
	dev_push(&f.dev, h, UINT32_MAX); /* device-readable: ignored */
	assert_true(dev_pop(&f.dev, &h, NULL));
	dev_push(&f.dev, h, 65); /* one past */
	assert_ptr_equal(rproc_vq_get_used(&f.vq, &len), &t[0]);
	assert_int_equal(len, 64);
	assert_ptr_equal(rproc_vq_get_used(&f.vq, &len), &t[1]);
	assert_int_equal(len, 0);
	len = 1234;
	assert_null(rproc_vq_get_used(&f.vq, &len));
	assert_int_equal(len, 1234); /* untouched */
	assert_dead(&f, "used ring[2]: len 65 > posted len 64");
	fix_teardown(&f);
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/*
 * Garbage in the descriptor table, the avail ring, used->flags and
 * avail_event: the host never reads the first two back, the last two only
 * steer kicks.
 */
static void test_garbage_driver_area(void **state)
{
	struct fix f;
	struct vring_desc dsc;
	uint16_t h[8];
	uint32_t s = 0x1234567, len;
	size_t used_off = vring_used_offset(8, 16), i;
	int t[8], ev, k;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 8, 16, ev, false);
		for (k = 0; k < 4; k++)
			add_ok(&f, (uint32_t)k, 16, k & 1, &t[k]);
		rproc_vq_kick_prepare(&f.vq);
		for (k = 0; k < 4; k++)
			assert_true(dev_pop(&f.dev, &h[k], &dsc));
		/* Scribble over everything the driver owns. */
		for (i = 0; i < used_off; i++)
			f.ring[i] = (uint8_t)xorshift(&s);
		vst16(&f.dev.used->flags, (uint16_t)xorshift(&s));
		vst16(f.dev.avail_event, (uint16_t)xorshift(&s));
		for (k = 3; k >= 0; k--)
			dev_push(&f.dev, h[k], 5);
		for (k = 3; k >= 0; k--) {
			assert_ptr_equal(rproc_vq_get_used(&f.vq, &len), &t[k]);
			assert_int_equal(len, k & 1 ? 5 : 0);
		}
		assert_null(rproc_vq_get_used(&f.vq, NULL));
		/* The host rewrites what it needs; the device, resynced to
		 * the host's avail idx, sees exactly the new buffers. */
		for (k = 0; k < 8; k++)
			add_ok(&f, (uint32_t)k + 8, 16 + (uint32_t)k, true,
			       &t[k]);
		rproc_vq_kick_prepare(&f.vq);
		assert_int_equal(vld16(&f.dev.avail->idx), 12);
		for (k = 0; k < 8; k++) {
			assert_true(dev_pop(&f.dev, &h[k], &dsc));
			assert_int_equal(dsc.addr,
					 POOL_PA + (uint64_t)(k + 8) * BUF_SZ);
			assert_int_equal(dsc.len, 16 + k);
			assert_int_equal(dsc.flags, VRING_DESC_F_WRITE);
		}
		for (k = 0; k < 8; k++)
			dev_push(&f.dev, h[k], 1);
		for (k = 0; k < 8; k++)
			assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t[k]);
		assert_false(rproc_vq_broken(&f.vq));
		assert_int_equal(rproc_vq_free_count(&f.vq), 8);
		fix_teardown(&f);
	}
}

static void test_avail_event_garbage(void **state)
{
	struct fix f;
	uint32_t s = 99;
	unsigned i, kicks = 0;
	int t, ev;

	(void)state;
	for (ev = 0; ev < 2; ev++) {
		fix_setup(&f, 4, 4, ev, false);
		for (i = 0; i < 5000; i++) {
			vst16(f.dev.avail_event, (uint16_t)xorshift(&s));
			vst16(&f.dev.used->flags, (uint16_t)xorshift(&s));
			add_ok(&f, i & 3, 8, i & 1, &t);
			kicks += rproc_vq_kick_prepare(&f.vq);
			assert_int_equal(dev_complete_all(&f, 3), 1);
			assert_ptr_equal(rproc_vq_get_used(&f.vq, NULL), &t);
		}
		assert_false(rproc_vq_broken(&f.vq));
		fix_teardown(&f);
	}
	/* The decisions did follow the garbage. */
	assert_true(kicks > 0 && kicks < 10000);
}

/* Once broken, the queue never touches the ring again: make it fault. */
static void test_broken_never_touches_ring(void **state)
{
	struct fix f;
	int t[3], n = 0;
	void *p;

	(void)state;
	fix_setup(&f, 8, 4096, true, true);
	add_ok(&f, 0, 8, true, &t[0]);
	add_ok(&f, 1, 8, false, &t[1]);
	rproc_vq_kick_prepare(&f.vq);
	add_ok(&f, 2, 8, true, &t[2]);
	evil_used(&f, 0, 77, 1);
	evil_used_idx(&f, 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_true(rproc_vq_broken(&f.vq));
	assert_int_equal(mprotect(f.ring, f.ring_len, PROT_NONE), 0);
	assert_dead(&f, "used ring[0]: id 77 >= num 8");
	assert_int_equal(rproc_vq_free_count(&f.vq), 5);
	while ((p = rproc_vq_detach_unused(&f.vq)))
		n++;
	assert_int_equal(n, 3);
	assert_int_equal(rproc_vq_free_count(&f.vq), 8);
	assert_int_equal(mprotect(f.ring, f.ring_len, PROT_READ | PROT_WRITE),
			 0);
	fix_teardown(&f);
}

struct hostile_taken {
	unsigned n;
};

static void hostile_take(void *ctx, void *token, uint32_t len)
{
	(void)token;
	(void)len;
	((struct hostile_taken *)ctx)->n++;
}

static uint32_t id_at(void *ctx, unsigned i)
{
	return ((const uint32_t *)ctx)[i];
}

/* Pinned buffers against a hostile device: an idle one (the driver's),
 * one queued but not published, one returned twice, an oversize length;
 * and a batch that meets a bad entry returns the good ones before it.
 * The same for buffers posted unchecked and taken by a callback. */
static void test_pinned_hostile(void **state)
{
	struct fix f;
	struct recs r;
	struct vring_desc dsc;
	void *tok[8];
	uint32_t lens[8];
	uint16_t h = 0;
	char err[64];

	(void)state;
	/* never queued */
	fix_setup(&f, 8, 16, false, false);
	recs_init(&r, 8);
	pin_all(&f, &r);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 8), 0);
	rproc_vq_kick_prepare(&f.vq);
	evil_used(&f, 0, 5, 1);
	evil_used_idx(&f, 1);
	assert_null(rproc_vq_get_used(&f.vq, NULL));
	assert_dead(&f, "used ring[0]: id 5 is not in flight");
	assert_ptr_equal(rproc_vq_detach_unused(&f.vq), &r.rec[0]);
	assert_null(rproc_vq_detach_unused(&f.vq));
	recs_free(&r);
	fix_teardown(&f);

	/* queued, not published */
	fix_setup(&f, 8, 16, true, false);
	recs_init(&r, 8);
	pin_all(&f, &r);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 0, 8), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 3, 8), 0);
	dev_push(&f.dev, 3, 1);
	assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8), 0);
	assert_dead(&f, "used ring[0]: id 3 is not in flight");
	recs_free(&r);
	fix_teardown(&f);

	/* returned twice, inside one batch: the first comes back */
	fix_setup(&f, 8, 16, false, false);
	recs_init(&r, 8);
	pin_all(&f, &r);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 1, 8), 0);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 2, 8), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &h, &dsc));
	dev_push(&f.dev, h, 3);
	dev_push(&f.dev, h, 3);
	assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8), 1);
	assert_ptr_equal(tok[0], &r.rec[h]);
	assert_int_equal(lens[0], 3);
	snprintf(err, sizeof(err), "used ring[1]: id %u is not in flight",
		 (unsigned)h);
	assert_dead(&f, err);
	/* the one in flight comes back by detach, the returned one not */
	assert_ptr_equal(rproc_vq_detach_unused(&f.vq), &r.rec[2]);
	assert_null(rproc_vq_detach_unused(&f.vq));
	recs_free(&r);
	fix_teardown(&f);

	/* a writable pinned buffer is posted whole: one byte more is a lie */
	fix_setup(&f, 8, 16, false, false);
	recs_init(&r, 8);
	pin_all(&f, &r);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 1, 0), 0);
	assert_int_equal(rproc_vq_add_pinned(&f.vq, 3, 0), 0);
	rproc_vq_kick_prepare(&f.vq);
	assert_true(dev_pop(&f.dev, &h, &dsc));
	assert_int_equal(dsc.len, BUF_SZ);
	dev_push(&f.dev, h, BUF_SZ);
	assert_true(dev_pop(&f.dev, &h, &dsc));
	dev_push(&f.dev, h, BUF_SZ + 1);
	assert_int_equal(rproc_vq_get_used_batch(&f.vq, tok, lens, 8), 1);
	assert_int_equal(lens[0], BUF_SZ);
	snprintf(err, sizeof(err), "used ring[1]: len %u > posted len %u",
		 BUF_SZ + 1, BUF_SZ);
	assert_dead(&f, err);
	recs_free(&r);
	fix_teardown(&f);

	/* posted (rproc_vq_post_pinned*_unchecked()), taken one by one by a
	 * callback: the same checks, in line or not */
	for (int c = 0; c < 5; c++) {
		static const uint32_t odd[2] = {1, 3};
		struct hostile_taken ht = {0};

		fix_setup(&f, 8, 16, c & 1, false);
		recs_init(&r, 8);
		pin_all(&f, &r);
		rproc_vq_post_pinned_unchecked(&f.vq, 2, 8);
		rproc_vq_post_pinned_each_unchecked(&f.vq, 2, id_at,
						    (void *)odd);
		switch (c) {
		case 0: /* readable, returned twice */
			dev_push(&f.dev, 2, 0);
			dev_push(&f.dev, 2, 0);
			snprintf(err, sizeof(err),
				 "used ring[1]: id 2 is not in flight");
			break;
		case 1: /* writable, one byte more than posted */
			dev_push(&f.dev, 2, 0);
			dev_push(&f.dev, 3, BUF_SZ + 1);
			snprintf(err, sizeof(err),
				 "used ring[1]: len %u > posted len %u",
				 BUF_SZ + 1, BUF_SZ);
			break;
		case 2: /* an id out of range */
			dev_push(&f.dev, 1, BUF_SZ);
			dev_push(&f.dev, 8, 0);
			snprintf(err, sizeof(err),
				 "used ring[1]: id 8 >= num 8");
			break;
		case 3: /* one never posted (pinned, the driver's) */
			dev_push(&f.dev, 3, 1);
			dev_push(&f.dev, 4, 0);
			snprintf(err, sizeof(err),
				 "used ring[1]: id 4 is not in flight");
			break;
		default: /* one queued (checked), not published */
			assert_int_equal(rproc_vq_add_pinned(&f.vq, 6, 8), 0);
			dev_push(&f.dev, 2, 0);
			dev_push(&f.dev, 6, 0);
			snprintf(err, sizeof(err),
				 "used ring[1]: id 6 is not in flight");
			break;
		}
		assert_int_equal(
			rproc_vq_get_used_each(&f.vq, 8, hostile_take, &ht), 1);
		assert_int_equal(ht.n, 1);
		assert_dead(&f, err);
		assert_int_equal(
			rproc_vq_get_used_each(&f.vq, 8, hostile_take, &ht), 0);
		recs_free(&r);
		fix_teardown(&f);
	}
}

/* ---- fuzz ------------------------------------------------------------------ */

#define FUZZ_ITERS 100000u

struct fuzz_stats {
	unsigned long returned, breaks, adds, kicks, detached;
	unsigned long why[4]; /* idx, id range, not in flight, len */
};

static const char *const fuzz_why[4] = {
	" buffers in flight",
	" >= num ",
	" is not in flight",
	" > posted len ",
};

/* The device's view of a buffer it took: head and the length to report. */
struct fpend {
	uint16_t head;
	uint32_t len;
};

/* A broken queue: check it is dead, take everything back, start over. */
static void fuzz_reset(struct fix *f, struct recs *r, struct fuzz_stats *st)
{
	struct rproc_vq_config c;
	uint32_t n = 0;
	unsigned i;
	void *p;
	int t;

	assert_true(rproc_vq_broken(&f->vq));
	assert_non_null(rproc_vq_error(&f->vq));
	for (i = 0; i < 4; i++)
		if (strstr(rproc_vq_error(&f->vq), fuzz_why[i]))
			break;
	if (i == 4)
		fail_msg("unexpected error \"%s\"", rproc_vq_error(&f->vq));
	st->why[i]++;
	assert_int_equal(rproc_vq_add(&f->vq, buf_at(f, 0), 8, true, &t), -EIO);
	assert_null(rproc_vq_get_used(&f->vq, NULL));
	assert_int_equal(rproc_vq_free_count(&f->vq), f->num - r->outstanding);
	while ((p = rproc_vq_detach_unused(&f->vq))) {
		recs_back(r, p);
		n++;
	}
	assert_int_equal(r->outstanding, 0);
	assert_int_equal(rproc_vq_free_count(&f->vq), f->num);
	st->detached += n;
	rproc_vq_release(&f->vq);
	c = fix_cfg(f);
	assert_int_equal(rproc_vq_init(&f->vq, &c, NULL), 0);
	dev_init(&f->dev, f->ring, f->num, f->align, f->event_idx);
}

/* Take up to 1 + v % 4 used buffers at once, with or without lengths. */
static void fuzz_take_batch(struct fix *f, struct recs *r, uint32_t v,
			    struct fuzz_stats *st)
{
	void *tok[4];
	uint32_t lens[4];
	unsigned max = 1 + v % 4, n, i;

	n = rproc_vq_get_used_batch(&f->vq, tok, v & 4 ? lens : NULL, max);
	assert_true(n <= max);
	for (i = 0; i < n; i++) {
		struct rec *e = recs_back(r, tok[i]);

		if (!(v & 4))
			continue;
		if (e->w)
			assert_true(lens[i] <= e->len);
		else
			assert_int_equal(lens[i], 0);
	}
	st->returned += n;
}

static void fuzz_one(uint32_t num, uint32_t align, bool ev, uint32_t seed,
		     unsigned iters, struct fuzz_stats *st)
{
	struct fix f;
	struct recs r;
	struct fpend *pend;
	unsigned npend = 0, maxpend = 4 * num, it;
	uint32_t s = seed;
	uint64_t seq = 0;

	fix_setup(&f, num, align, ev, false);
	recs_init(&r, 2 * num);
	pend = calloc(maxpend, sizeof(*pend));
	assert_non_null(pend);
	for (it = 0; it < iters; it++) {
		uint32_t op = xorshift(&s) % 1000, v = xorshift(&s);
		struct vring_desc dsc;
		uint16_t head;
		uint32_t len;
		void *tok;
		int rc;

		if (op < 250) { /* host: add */
			bool full = !rproc_vq_free_count(&f.vq);

			rc = recs_add(&f, &r, ++seq, 1 + v % BUF_SZ, v & 1);
			if (rproc_vq_broken(&f.vq))
				assert_int_equal(rc, -EIO);
			else if (full)
				assert_int_equal(rc, -ENOSPC);
			else
				assert_int_equal(rc, 0);
			st->adds += !rc;
		} else if (op < 350) { /* host: publish */
			st->kicks += rproc_vq_kick_prepare(&f.vq);
		} else if (op < 450) { /* host: take used */
			len = 0xabcd;
			tok = rproc_vq_get_used(&f.vq, &len);
			if (tok) {
				struct rec *e = recs_back(&r, tok);

				if (e->w)
					assert_true(len <= e->len);
				else
					assert_int_equal(len, 0);
				st->returned++;
			} else {
				assert_int_equal(len, 0xabcd);
			}
		} else if (op < 550) { /* host: take a batch */
			fuzz_take_batch(&f, &r, v, st);
		} else if (op < 600) { /* host: callbacks */
			if (v & 1)
				rproc_vq_disable_cb(&f.vq);
			else
				rproc_vq_enable_cb(&f.vq);
		} else if (op < 780) { /* device: take one */
			if (npend < maxpend && dev_pop(&f.dev, &head, &dsc)) {
				pend[npend].head = head;
				pend[npend++].len =
					dsc.flags & VRING_DESC_F_WRITE
						? (dsc.len ? v % (dsc.len + 1)
							   : 0)
						: v;
			}
		} else if (op < 960) { /* device: return one */
			if (npend) {
				unsigned j = v % npend;

				dev_push(&f.dev, pend[j].head, pend[j].len);
				pend[j] = pend[--npend];
			}
		} else if (op < 975) { /* hostile: the used area */
			uint16_t pos = (uint16_t)(f.dev.used_idx - 1 + v % 3);

			switch ((v >> 8) % 4) {
			case 0:
				evil_used_idx(&f, pos);
				break;
			case 1:
				evil_used(&f, pos, (v >> 12) % (num + 2),
					  v >> 16);
				break;
			case 2:
				evil_used(&f, pos, v >> 12, (v >> 20) % 80);
				break;
			default:
				vst16(f.dev.avail_event, (uint16_t)(v >> 16));
				break;
			}
		} else { /* hostile: anywhere in the ring */
			size_t off = (v >> 3) % f.ring_len;
			uint32_t w = xorshift(&s);

			switch (v & 3) {
			case 0:
				f.ring[off] = (uint8_t)w;
				break;
			case 1:
				memcpy(&f.ring[off & ~(size_t)1], &w, 2);
				break;
			default:
				memcpy(&f.ring[off & ~(size_t)3], &w,
				       off + 4 <= f.ring_len ? 4 : 2);
				break;
			}
		}
		/* The host's invariants, broken or not. */
		assert_int_equal(rproc_vq_free_count(&f.vq),
				 num - r.outstanding);
		assert_true(rproc_vq_in_flight(&f.vq) <= r.outstanding);
		if (rproc_vq_broken(&f.vq)) {
			st->breaks++;
			fuzz_reset(&f, &r, st);
			npend = 0;
		}
	}
	free(pend);
	recs_free(&r);
	fix_teardown(&f);
}

/*
 * The same hostile traffic with every descriptor pinned to a buffer of its
 * own, as the rpmsg bus runs them: rproc_vq_add_pinned() and the posts
 * without checks (their preconditions kept, as the bus keeps them), every
 * way of taking used buffers; after each break the queue is set up and
 * pinned again.
 */
struct fuzz_take {
	struct recs *r;
	uint32_t num;
	unsigned n;
};

static void fuzz_take_one(void *ctx, void *token, uint32_t len)
{
	struct fuzz_take *t = ctx;
	struct rec *e = token;

	(void)len;
	assert_true(e >= t->r->rec && e < t->r->rec + t->num);
	assert_true(e->out);
	e->out = false;
	t->r->outstanding--;
	t->n++;
}

static void fuzz_pinned_one(uint32_t num, uint32_t align, bool ev,
			    uint32_t seed, unsigned iters,
			    struct fuzz_stats *st)
{
	struct fix f;
	struct recs r;
	struct fpend *pend;
	unsigned npend = 0, maxpend = 4 * num, it;
	uint32_t s = seed;
	bool unpub = false; /* added (checked) since the last publish */

	fix_setup(&f, num, align, ev, false);
	recs_init(&r, num);
	r.nfree = 0; /* the records are the pinned slots, by index */
	pin_all(&f, &r);
	pend = calloc(maxpend, sizeof(*pend));
	assert_non_null(pend);
	for (it = 0; it < iters; it++) {
		uint32_t op = xorshift(&s) % 1000, v = xorshift(&s);
		struct vring_desc dsc;
		uint16_t head;
		uint32_t k = v % num, len = 1 + (v >> 8) % BUF_SZ;
		void *tok[4];
		unsigned n, i;
		int rc;

		if (op < 150) { /* host: queue a pinned one */
			rc = rproc_vq_add_pinned(&f.vq, k, len);
			if (rproc_vq_broken(&f.vq)) {
				assert_int_equal(rc, -EIO);
			} else if (r.rec[k].out) {
				assert_int_equal(rc, -EINVAL);
			} else {
				assert_int_equal(rc, 0);
				r.rec[k].out = true;
				r.outstanding++;
				st->adds++;
				unpub = true;
			}
		} else if (op < 250) { /* host: post unchecked, as the bus */
			uint32_t ids[4];

			if (rproc_vq_broken(&f.vq)) {
				/* the bus never does */
			} else if ((v >> 20) & 1) {
				if (!r.rec[k].out && !unpub) {
					st->kicks +=
						rproc_vq_post_pinned_unchecked(
							&f.vq, k,
							k & 1 ? 0 : len);
					r.rec[k].out = true;
					r.outstanding++;
					st->adds++;
				}
			} else {
				/* up to 4 writable ones, distinct, some
				 * skipped */
				for (i = 0; i < 4; i++) {
					uint32_t w = ((k + 2 * i) % num) | 1;

					ids[i] = RPROC_VQ_NO_ID;
					if (w < num && !r.rec[w].out &&
					    (v >> (21 + i)) & 1) {
						ids[i] = w;
						r.rec[w].out = true;
						r.outstanding++;
						st->adds++;
					}
				}
				st->kicks +=
					rproc_vq_post_pinned_each_unchecked(
						&f.vq, 4, id_at, ids);
				unpub = false;
			}
		} else if (op < 350) { /* host: publish */
			st->kicks += rproc_vq_kick_prepare(&f.vq);
			if (!rproc_vq_broken(&f.vq))
				unpub = false;
		} else if (op < 550) { /* host: take used, three ways */
			struct fuzz_take ft = {&r, num, 0};
			void *one;

			n = 0;
			if (v % 3 == 0) {
				/* the callback takes them back */
				n = rproc_vq_get_used_each(&f.vq,
							   1 + (v >> 4) % 4,
							   fuzz_take_one, &ft);
				assert_int_equal(n, ft.n);
			} else {
				if (v % 3 == 1) {
					one = rproc_vq_get_used(&f.vq, NULL);
					tok[0] = one;
					n = one != NULL;
				} else {
					n = rproc_vq_get_used_batch(
						&f.vq, tok, NULL, 1 + v % 4);
				}
				for (i = 0; i < n; i++) {
					struct rec *e = tok[i];

					assert_true(e >= r.rec &&
						    e < r.rec + num);
					assert_true(e->out);
					e->out = false;
					r.outstanding--;
				}
			}
			st->returned += n;
		} else if (op < 600) { /* host: callbacks */
			if (v & 1)
				rproc_vq_disable_cb(&f.vq);
			else
				rproc_vq_enable_cb(&f.vq);
		} else if (op < 780) { /* device: take one */
			if (npend < maxpend && dev_pop(&f.dev, &head, &dsc)) {
				pend[npend].head = head;
				/* the descriptor may be scribbled on */
				pend[npend++].len =
					dsc.flags & VRING_DESC_F_WRITE &&
							dsc.len != UINT32_MAX
						? v % (dsc.len + 1)
						: v;
			}
		} else if (op < 960) { /* device: return one */
			if (npend) {
				unsigned j = v % npend;

				dev_push(&f.dev, pend[j].head, pend[j].len);
				pend[j] = pend[--npend];
			}
		} else if (op < 975) { /* hostile: the used area */
			uint16_t pos = (uint16_t)(f.dev.used_idx - 1 + v % 3);

			if ((v >> 8) & 1)
				evil_used_idx(&f, pos);
			else
				evil_used(&f, pos, (v >> 12) % (num + 2),
					  (v >> 16) % (BUF_SZ + 8));
		} else { /* hostile: anywhere in the ring */
			f.ring[(v >> 3) % f.ring_len] = (uint8_t)xorshift(&s);
		}
		/* every descriptor stays pinned, broken or not */
		assert_int_equal(rproc_vq_free_count(&f.vq), 0);
		assert_true(rproc_vq_in_flight(&f.vq) <= r.outstanding);
		if (rproc_vq_broken(&f.vq)) {
			struct rproc_vq_config c;
			void *p;

			st->breaks++;
			while ((p = rproc_vq_detach_unused(&f.vq))) {
				struct rec *e = p;

				assert_true(e->out);
				e->out = false;
				r.outstanding--;
				st->detached++;
			}
			assert_int_equal(r.outstanding, 0);
			rproc_vq_release(&f.vq);
			c = fix_cfg(&f);
			assert_int_equal(rproc_vq_init(&f.vq, &c, NULL), 0);
			dev_init(&f.dev, f.ring, num, align, ev);
			pin_all(&f, &r);
			npend = 0;
			unpub = false;
		}
	}
	free(pend);
	recs_free(&r);
	fix_teardown(&f);
}

static void test_fuzz_pinned(void **state)
{
	struct fuzz_stats st = {0};

	(void)state;
	fuzz_pinned_one(8, 16, false, 0xfeed, FUZZ_ITERS / 4, &st);
	fuzz_pinned_one(4, 4, true, 0xbeef, FUZZ_ITERS / 4, &st);
	fuzz_pinned_one(1, 4, true, 0x2, FUZZ_ITERS / 8, &st);
	print_message("pinned fuzz: %lu adds, %lu kicks, %lu returned, %lu "
		      "breaks, %lu detached\n",
		      st.adds, st.kicks, st.returned, st.breaks, st.detached);
	assert_true(st.breaks > 50);
	assert_true(st.returned > 10 * st.breaks);
}

static void test_fuzz(void **state)
{
	struct fuzz_stats st = {0};

	(void)state;
	fuzz_one(8, 16, false, 0xc0ffee, FUZZ_ITERS / 4, &st);
	fuzz_one(4, 4, true, 0xbadcafe, FUZZ_ITERS / 4, &st);
	fuzz_one(16, 64, true, 0x5eed, FUZZ_ITERS / 4, &st);
	fuzz_one(1, 4, false, 0x1, FUZZ_ITERS / 4, &st);
	print_message("fuzz: %lu adds, %lu kicks, %lu returned, %lu breaks, "
		      "%lu detached\n",
		      st.adds, st.kicks, st.returned, st.breaks, st.detached);
	print_message("fuzz breaks: %lu used idx, %lu id >= num, %lu not in "
		      "flight, %lu len\n",
		      st.why[0], st.why[1], st.why[2], st.why[3]);
	/* Deep enough: plenty of traffic between the breaks, and every
	 * check was hit. */
	assert_true(st.breaks > 50);
	assert_true(st.returned > 10 * st.breaks);
	for (unsigned i = 0; i < 4; i++)
		assert_true(st.why[i] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_idx_jump),
		cmocka_unit_test(test_used_idx_backwards),
		cmocka_unit_test(test_used_idx_nothing_in_flight),
		cmocka_unit_test(test_used_idx_jump_wrapped),
		cmocka_unit_test(test_bad_id),
		cmocka_unit_test(test_double_completion),
		cmocka_unit_test(test_unpublished),
		cmocka_unit_test(test_len),
		cmocka_unit_test(test_garbage_driver_area),
		cmocka_unit_test(test_avail_event_garbage),
		cmocka_unit_test(test_broken_never_touches_ring),
		cmocka_unit_test(test_pinned_hostile),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_fuzz_pinned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* VQ_ADVERSARIAL */
