/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of a legacy split virtqueue (rproc/virtio_abi.h) over
 * memory the host owns.  The host is the virtio driver: it writes the
 * descriptors and the avail ring, and may be buggy or hostile.  The
 * firmware is the device: it owns the used ring.
 *
 * Every field the host writes is read once (volatile accesses into
 * locals) and checked before use, so changing it meanwhile gets past no
 * check:
 *   - the avail index may move forward by at most the number of free
 *     entries (num less the buffers popped and not yet pushed back);
 *   - a head or next index must be < num;
 *   - a chain has at most num descriptors (more means a loop);
 *   - every descriptor's 64-bit bus address and length must lie inside the
 *     buffer region (struct rpfw_vring_region), which also translates it
 *     to the firmware's view;
 *   - indirect descriptors are refused (never negotiated).
 * The first violation puts the vring in an error state: every later call
 * returns the same negative code, and nothing outside the ring and the
 * region is ever read or written.
 *
 * Not thread-safe: the caller serialises calls on one vring (rpmsg masks
 * interrupts).  Return codes are the RPFW_E* below (negative Linux errno
 * values).
 */
#ifndef RPFW_VRING_H
#define RPFW_VRING_H

#include <stdint.h>

#include "rproc/virtio_abi.h"
#include "rpfw/rpmsg_port.h"

#define RPFW_ENOENT (-2)
#define RPFW_EAGAIN (-11)   /* nothing available (not an error state) */
#define RPFW_EFAULT (-14)   /* buffer outside the region */
#define RPFW_ENODEV (-19)   /* not ready (rpmsg) */
#define RPFW_EINVAL (-22)   /* bad argument or configuration */
#define RPFW_ERANGE (-34)   /* avail index jump, head or next >= num */
#define RPFW_ELOOP (-40)    /* descriptor chain longer than num */
#define RPFW_EBADMSG (-74)  /* malformed buffer (indirect, size, alignment) */
#define RPFW_EMSGSIZE (-90) /* message too long (rpmsg) */

/* Where the host's buffers are: bus addresses [pa, pa + len) are seen by
 * the firmware at [base, base + len). */
struct rpfw_vring_region {
	uint64_t pa;
	uint8_t *base;
	uint32_t len;
};

/* rpfw_vring_init() flags */
#define RPFW_VRING_F_EVENT_IDX 1u /* VIRTIO_RING_F_EVENT_IDX negotiated */

/* One vring.  All fields private. */
struct rpfw_vring {
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	const struct rpfw_vring_region *region;
	uint16_t mask;	     /* num - 1 */
	uint16_t last_avail; /* next avail entry to pop */
	uint16_t avail_idx;  /* the host's avail idx, last seen (checked) */
	uint16_t used_idx;   /* our used idx */
	uint16_t signalled;  /* used idx at the last notify decision */
	uint8_t flags;	     /* RPFW_VRING_F_*, kicks wanted */
	int8_t err;	     /* 0 or the sticky RPFW_E* error */
};

/* A buffer popped from the avail ring: its first (validated) segment. */
struct rpfw_vring_buf {
	void *data;
	uint32_t len;
	uint16_t head; /* hand it back to rpfw_vring_push() */
};

/*
 * Attach to the ring of @num entries (a power of two, at most
 * VRING_MAX_NUM) aligned to @align (a power of two) at @mem, with buffers
 * in @region (kept by pointer; it must outlive the vring).  Touches no
 * shared memory but used->flags (cleared: kicks wanted).  Returns 0 or
 * RPFW_EINVAL.
 */
int rpfw_vring_init(struct rpfw_vring *vr, void *mem, uint32_t num,
		    uint32_t align, const struct rpfw_vring_region *region,
		    uint32_t flags);

/*
 * Ask the host to kick (@on != 0) or not to kick when it adds buffers:
 * VRING_USED_F_NO_NOTIFY, or with event idx avail_event.  A hint: the host
 * may kick anyway.  Turning kicks on is followed by a full barrier; pop
 * again afterwards to close the race with a buffer added meanwhile.
 */
void rpfw_vring_kicks(struct rpfw_vring *vr, int on);

/* Put the vring in the error state @err (an RPFW_E* code), e.g. for a
 * buffer the layer above finds malformed.  Returns @err. */
int rpfw_vring_fail(struct rpfw_vring *vr, int err);

/* The sticky error, 0 if none. */
static inline int rpfw_vring_error(const struct rpfw_vring *vr)
{
	return vr->err;
}

/* The slow paths of the inline functions below (vring.c). */
int __rpfw_vring_arm(struct rpfw_vring *vr);
int __rpfw_vring_chain(struct rpfw_vring *vr, volatile struct vring_desc *d,
		       uint32_t flags);

/*
 * Pop the next available buffer into @buf.  A chain is walked and every
 * descriptor checked; @buf describes its first segment (rpmsg buffers are
 * single descriptors).  Returns 0, RPFW_EAGAIN when the ring is empty, or
 * the vring's error.  When the ring is found empty and kicks are wanted
 * with event idx, avail_event is updated and the ring checked once more,
 * so RPFW_EAGAIN is race-free: the host kicks for the next buffer.
 *
 * Inline, as are push and need_notify: the message path of the host's
 * native remote runs through them (x86 instruction budget); the slow paths
 * are calls.
 */
static inline int rpfw_vring_pop(struct rpfw_vring *vr,
				 struct rpfw_vring_buf *buf)
{
	const struct rpfw_vring_region *r = vr->region;
	volatile struct vring_desc *d;
	uint16_t last = vr->last_avail, idx;
	uint64_t off;
	uint32_t head, len, flags;
	int ret = vr->err;

	if (ret)
		return ret;
	if (last == vr->avail_idx) {
		/* cached avail idx used up: read the host's; if empty, ask
		 * for a kick (event idx) and read it once more */
		idx = vr->avail->idx;
		if (idx == last && __rpfw_vring_arm(vr))
			idx = vr->avail->idx;
		/* it may run ahead by at most the free entries, num less
		 * the buffers we hold; backwards is a huge step forward */
		if ((uint16_t)(idx - last) >
		    (uint16_t)(vr->mask + 1u -
			       (uint16_t)(last - vr->used_idx))) {
			rpfw_vring_fail(vr, RPFW_ERANGE);
			return RPFW_ERANGE;
		}
		vr->avail_idx = idx;
		if (idx == last)
			return RPFW_EAGAIN;
	}
	/* the entries after the index */
	rpfw_port_rmb();
	head = vr->avail->ring[last & vr->mask];
	if (head > vr->mask) {
		rpfw_vring_fail(vr, RPFW_ERANGE);
		return RPFW_ERANGE;
	}
	d = &vr->desc[head];
	/* 64-bit: an address above 4 GiB must not alias one below */
	off = d->addr - r->pa;
	len = d->len;
	flags = d->flags;
	if (off >= r->len || len > r->len - (uint32_t)off) {
		rpfw_vring_fail(vr, RPFW_EFAULT);
		return RPFW_EFAULT;
	}
	if (flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT)) {
		ret = __rpfw_vring_chain(vr, d, flags);
		if (ret)
			return ret;
	}
	buf->data = r->base + (uint32_t)off;
	buf->len = len;
	buf->head = (uint16_t)head;
	vr->last_avail = (uint16_t)(last + 1);
	return 0;
}

/*
 * Give buffer @head back in the used ring, @len bytes written into it.
 * Returns 0, RPFW_EINVAL if @head >= num or no buffer is outstanding, or
 * the vring's error.  Does not notify: see rpfw_vring_need_notify().
 */
static inline int rpfw_vring_push(struct rpfw_vring *vr, uint32_t head,
				  uint32_t len)
{
	volatile struct vring_used_elem *e;
	uint16_t idx = vr->used_idx;

	if (vr->err)
		return vr->err;
	if (head > vr->mask || idx == vr->last_avail)
		return RPFW_EINVAL;
	e = &vr->used->ring[idx & vr->mask];
	e->id = head;
	e->len = len;
	/* the element before the index that publishes it */
	rpfw_port_wmb();
	vr->used_idx = ++idx;
	vr->used->idx = idx;
	return 0;
}

/*
 * After pushes: must the host be notified?  Nothing pushed since the last
 * call: no.  Else with event idx: whether the used index crossed the
 * host's used_event; without: unless the host set
 * VRING_AVAIL_F_NO_INTERRUPT.  Returns 1 or 0.
 */
static inline int rpfw_vring_need_notify(struct rpfw_vring *vr)
{
	uint16_t old = vr->signalled, now = vr->used_idx;

	if (old == now)
		return 0;
	vr->signalled = now;
	/* our used idx store before the loads of the host's wishes */
	rpfw_port_mb();
	if (vr->flags & RPFW_VRING_F_EVENT_IDX)
		return vring_need_event(vr->avail->ring[vr->mask + 1u], now,
					old);
	return !(vr->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

#endif /* RPFW_VRING_H */
