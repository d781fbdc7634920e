/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host side split virtqueue, hardened against an untrusted remote
 * (virtqueue.h says what is validated and why).
 *
 * Shared memory is only ever touched through the ld*()/st*() helpers
 * (virtqueue.h; volatile: each access happens exactly once, where it is
 * written), and ordered with C11 fences:
 *
 *   publish:  desc + avail->ring[] ... release fence ... avail->idx
 *   kick:     avail->idx ... full fence ... used->flags / avail_event
 *   consume:  used->idx ... acquire fence ... used->ring[]
 *   enable:   avail->flags / used_event ... full fence ... used->idx
 *
 * which is Linux's virtio_wmb / virtio_mb / virtio_rmb placement.  The
 * message path (add, add_pinned, the posts, kick_prepare, the get_used
 * family) is inline in virtqueue.h; here are set-up, pinning, teardown,
 * the callback switches and the cold paths, among them the full check of
 * a used entry (__rproc_vq_take_used_slow()).
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "rproc/alloc.h"
#include "virtqueue.h"

/* ---- errors ---------------------------------------------------------------- */

/* Append decimal @v at @pos of @buf (size RPROC_VQ_ERR_LEN), NUL-terminated. */
static size_t put_u32(char *buf, size_t pos, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && pos < RPROC_VQ_ERR_LEN - 1)
		buf[pos++] = tmp[--n];
	return pos;
}

/* No libc formatting on the portable core.  Cold path. */
#if defined(__GNUC__)
__attribute__((cold, noinline))
#endif
void __rproc_vq_fail(struct rproc_vq *vq, const char *fmt, uint32_t a,
		     uint32_t b, uint32_t c)
{
	const uint32_t arg[3] = {a, b, c};
	unsigned i = 0;
	size_t pos = 0;

	if (vq->broken)
		return; /* the first cause is the one to report */
	vq->broken = true;
	for (; *fmt && pos < RPROC_VQ_ERR_LEN - 1; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 'u' && i < 3) {
			pos = put_u32(vq->error, pos, arg[i++]);
			fmt++;
		} else {
			vq->error[pos++] = *fmt;
		}
	}
	vq->error[pos] = '\0';
}

/* ---- set-up ------------------------------------------------------------------ */

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int rproc_vq_init(struct rproc_vq *vq, const struct rproc_vq_config *cfg,
		  struct rproc_diag *d)
{
	uintptr_t ring, ring_end, va;
	size_t size;
	uint32_t i;

	if (!vq)
		return rproc_diag_set(d, -EINVAL, "vq: no queue");
	memset(vq, 0, sizeof(*vq));
	__rproc_vq_fail(vq, "not initialised", 0, 0, 0); /* until the end */
	if (!cfg || !cfg->ring)
		return rproc_diag_set(d, -EINVAL, "vq: no ring");
	ring = (uintptr_t)cfg->ring;
	if (ring & 15)
		return rproc_diag_set(d, -EINVAL,
				      "vq: ring %p not 16-byte aligned",
				      cfg->ring);
	if (!pow2(cfg->num) || cfg->num > VRING_MAX_NUM)
		return rproc_diag_set(
			d, -EINVAL, "vq: num %u not a power of two in 1..%u",
			(unsigned)cfg->num, (unsigned)VRING_MAX_NUM);
	if (!pow2(cfg->align) || cfg->align < 4)
		return rproc_diag_set(d, -EINVAL,
				      "vq: align %u not a power of two >= 4",
				      (unsigned)cfg->align);
	size = vring_size(cfg->num, cfg->align);
	if (size > cfg->ring_len || ring + size < ring)
		return rproc_diag_set(d, -EINVAL,
				      "vq: ring of %zu bytes needs %zu (num %u "
				      "align %u)",
				      cfg->ring_len, size, (unsigned)cfg->num,
				      (unsigned)cfg->align);
	va = (uintptr_t)cfg->buf_va;
	if (!va || !cfg->buf_len || va + cfg->buf_len < va)
		return rproc_diag_set(d, -EINVAL,
				      "vq: bad buffer region %p + %zu",
				      cfg->buf_va, cfg->buf_len);
	if ((uint64_t)cfg->buf_len - 1 > UINT64_MAX - cfg->buf_pa)
		return rproc_diag_set(d, -EINVAL,
				      "vq: buffer region at bus address 0x%llx "
				      "+ %zu wraps",
				      (unsigned long long)cfg->buf_pa,
				      cfg->buf_len);
	ring_end = ring + size;
	if (va < ring_end && ring < va + cfg->buf_len)
		return rproc_diag_set(d, -EINVAL,
				      "vq: buffer region overlaps the ring");

	vq->slot = rproc_calloc(cfg->num, sizeof(*vq->slot));
	if (!vq->slot)
		return rproc_diag_set(d, -ENOMEM,
				      "vq: out of memory (%u slots)",
				      (unsigned)cfg->num);

	/* The driver owns the ring now: start from a clean one. */
	memset(cfg->ring, 0, size);
	vq->desc = cfg->ring;
	vq->avail = (struct vring_avail *)(ring + vring_avail_offset(cfg->num));
	vq->used = (struct vring_used *)(ring + vring_used_offset(cfg->num,
								  cfg->align));
	vq->used_event = &vq->avail->ring[cfg->num];
	vq->avail_event =
		(uint16_t *)((uintptr_t)vq->used + sizeof(struct vring_used) +
			     sizeof(struct vring_used_elem) * (size_t)cfg->num);
	vq->buf_va = va;
	vq->buf_pa = cfg->buf_pa;
	vq->buf_len = cfg->buf_len;
	vq->num = cfg->num;
	vq->mask = (uint16_t)(cfg->num - 1);
	vq->num_free = cfg->num;
	for (i = 0; i + 1 < cfg->num; i++)
		vq->slot[i].next = (uint16_t)(i + 1);
	vq->event_idx = cfg->event_idx;
	vq->cb_enabled = true;
	vq->broken = false;
	vq->error[0] = '\0';
	return 0;
}

void rproc_vq_release(struct rproc_vq *vq)
{
	if (!vq)
		return;
	rproc_free(vq->slot);
	memset(vq, 0, sizeof(*vq));
	__rproc_vq_fail(vq, "not initialised", 0, 0, 0);
}

/* ---- driver -> device ------------------------------------------------------- */

int rproc_vq_pin(struct rproc_vq *vq, uint32_t id, void *buf, uint32_t len,
		 bool device_writes, void *token)
{
	struct rproc_vq_slot *s;
	struct vring_desc *d;
	uintptr_t off = (uintptr_t)buf - vq->buf_va;
	uint16_t *pp;

	if (vq->broken)
		return -EIO;
	/* off wraps to a huge value for buf < buf_va */
	if (id >= vq->num || !len || !token || off >= vq->buf_len ||
	    len > vq->buf_len - off || vq->slot[id].state != RPROC_VQ_SLOT_FREE)
		return -EINVAL;
	/* out of the free list (free slots are all on it) */
	for (pp = &vq->free_head; *pp != id; pp = &vq->slot[*pp].next)
		;
	s = &vq->slot[id];
	*pp = s->next;
	vq->num_free--;
	s->token = token;
	s->len = len;
	s->flags = RPROC_VQ_SLOT_F_PINNED |
		   (device_writes ? RPROC_VQ_SLOT_F_WRITES : 0);
	s->state = RPROC_VQ_SLOT_PINNED;
	/* written once, never read back */
	d = &vq->desc[id];
	__rproc_vq_st64(&d->addr, vq->buf_pa + off);
	__rproc_vq_st32(&d->len, len);
	__rproc_vq_st16(&d->flags,
			device_writes ? (uint16_t)VRING_DESC_F_WRITE : 0);
	__rproc_vq_st16(&d->next, 0);
	return 0;
}

/* ---- device -> driver ------------------------------------------------------- */

bool __rproc_vq_fetch_used_idx(struct rproc_vq *vq)
{
	uint16_t idx, n, in_flight = __rproc_vq_in_flight(vq);

	if (!in_flight)
		return false; /* nothing the device may return: don't look */
	idx = __rproc_vq_ld16(&vq->used->idx);
	n = (uint16_t)(idx - vq->last_used);
	if (!n)
		return false;
	if (n > in_flight) {
		__rproc_vq_fail(
			vq,
			"used idx %u: advanced by %u with %u buffers in flight",
			idx, n, in_flight);
		return false;
	}
	/* The entries are read after the index. */
	atomic_thread_fence(memory_order_acquire);
	vq->used_idx = idx;
	return true;
}

void *__rproc_vq_take_used_slow(struct rproc_vq *vq, uint16_t pos, uint32_t id,
				const struct vring_used_elem *e, uint32_t *len)
{
	struct rproc_vq_slot *s;
	uint32_t used_len = 0;
	void *token;

	if (id >= vq->num) {
		__rproc_vq_fail(vq, "used ring[%u]: id %u >= num %u", pos, id,
				vq->num);
		return NULL;
	}
	s = &vq->slot[id];
	if (s->state != RPROC_VQ_SLOT_POSTED &&
	    (s->state != RPROC_VQ_SLOT_ADDED || s->pos >= vq->pub_pos)) {
		__rproc_vq_fail(vq, "used ring[%u]: id %u is not in flight",
				pos, id, 0);
		return NULL;
	}
	if (s->flags & RPROC_VQ_SLOT_F_WRITES) {
		used_len = __rproc_vq_ld32(&e->len);
		if (used_len > s->len) {
			__rproc_vq_fail(vq,
					"used ring[%u]: len %u > posted len %u",
					pos, used_len, s->len);
			return NULL;
		}
	}
	token = s->token;
	*len = used_len;
	if (s->flags & RPROC_VQ_SLOT_F_PINNED) {
		s->state = RPROC_VQ_SLOT_PINNED;
	} else {
		s->token = NULL;
		s->state = RPROC_VQ_SLOT_FREE;
		s->next = vq->free_head;
		vq->free_head = (uint16_t)id;
		vq->num_free++;
	}
	return token;
}

bool rproc_vq_enable_cb(struct rproc_vq *vq)
{
	if (vq->broken || !vq->slot) /* !slot: zeroed, never initialised */
		return true;
	vq->cb_enabled = true;
	if (vq->event_idx) {
		__rproc_vq_st16(vq->used_event, vq->last_used);
	} else if (vq->avail_flags & VRING_AVAIL_F_NO_INTERRUPT) {
		vq->avail_flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
		__rproc_vq_st16(&vq->avail->flags, vq->avail_flags);
	}
	/* Either we see the device's new used entries, or it sees our
	 * request for a callback. */
	atomic_thread_fence(memory_order_seq_cst);
	if (vq->last_used != vq->used_idx)
		return false;
	return !__rproc_vq_fetch_used_idx(vq);
}

void rproc_vq_disable_cb(struct rproc_vq *vq)
{
	if (vq->broken || !vq->cb_enabled || !vq->slot)
		return;
	vq->cb_enabled = false;
	if (vq->event_idx) {
		/* Just behind the device's used idx: crossed only after 64K
		 * more entries.  With event idx avail->flags stays 0. */
		__rproc_vq_st16(vq->used_event, (uint16_t)(vq->last_used - 1));
	} else {
		vq->avail_flags |= VRING_AVAIL_F_NO_INTERRUPT;
		__rproc_vq_st16(&vq->avail->flags, vq->avail_flags);
	}
}

/* ---- teardown and accounting ------------------------------------------------ */

void *rproc_vq_detach_unused(struct rproc_vq *vq)
{
	uint32_t i;
	void *token;

	if (!vq->slot)
		return NULL;
	if (!vq->broken)
		__rproc_vq_fail(vq, "buffers detached", 0, 0, 0);
	for (i = 0; i < vq->num; i++) {
		struct rproc_vq_slot *s = &vq->slot[i];

		if (s->state == RPROC_VQ_SLOT_FREE ||
		    s->state == RPROC_VQ_SLOT_PINNED)
			continue;
		/* else queued, never published; in flight, it is counted
		 * as returned (__rproc_vq_in_flight(); the queue is broken,
		 * nothing else reads last_used) */
		if (s->state == RPROC_VQ_SLOT_POSTED || s->pos < vq->pub_pos)
			vq->last_used++;
		token = s->token;
		if (s->flags & RPROC_VQ_SLOT_F_PINNED) {
			s->state = RPROC_VQ_SLOT_PINNED;
			return token;
		}
		s->token = NULL;
		s->state = RPROC_VQ_SLOT_FREE;
		s->next = vq->free_head;
		vq->free_head = (uint16_t)i;
		vq->num_free++;
		return token;
	}
	return NULL;
}

const char *rproc_vq_error(const struct rproc_vq *vq)
{
	return vq->broken ? vq->error : NULL;
}
