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
 *   - a head index must be < num;
 *   - the head descriptor's 64-bit bus address and length must lie inside
 *     the buffer region (struct rpfw_vring_region), which also translates
 *     it to the firmware's view;
 *   - a buffer is one descriptor: a chain (VRING_DESC_F_NEXT, of any shape,
 *     loops included) and indirect descriptors (never negotiated) are
 *     refused with RPFW_EBADMSG, and nothing past the head descriptor is
 *     read.  Every rpmsg driver (Linux virtio_rpmsg_bus, OpenAMP,
 *     rpmsg-lite, this project's host) posts single-descriptor buffers.
 * The first violation puts the vring in an error state: every later call
 * returns the same negative code, and nothing outside the ring and the
 * region is ever read or written.
 *
 * Cost per buffer: the avail index is read (and checked, and followed by
 * the read barrier) once per batch, when the entries seen so far are used
 * up; per buffer only its avail entry and head descriptor are read.  The
 * error state forgets the entries seen, so that check is on the batch's
 * path too.  Where bytes count (-Os: the firmware) pop and push are one
 * function each in vring.c; elsewhere (the native remote on the host) they
 * are inline: RPFW_VRING_OUTLINE.
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

/* Where bytes count (-Os: the firmware), 1: pop and push are one function
 * each in vring.c, and the message path takes the shortest code; else 0:
 * everything is inline, and takes the fewest instructions. */
#ifdef __OPTIMIZE_SIZE__
#define RPFW_VRING_OUTLINE 1
#else
#define RPFW_VRING_OUTLINE 0
#endif

/* In line means in line (GCC weighs the pop's cold refill against it). */
#if !RPFW_VRING_OUTLINE && defined(__GNUC__)
#define RPFW_VRING_HOT inline __attribute__((always_inline))
#else
#define RPFW_VRING_HOT inline
#endif

#define RPFW_ENOENT (-2)
#define RPFW_EAGAIN (-11)   /* nothing available (not an error state) */
#define RPFW_EFAULT (-14)   /* buffer outside the region */
#define RPFW_ENODEV (-19)   /* not ready (rpmsg) */
#define RPFW_EINVAL (-22)   /* bad argument or configuration */
#define RPFW_ERANGE (-34)   /* avail index jump, head >= num */
#define RPFW_ELOOP (-40)    /* not returned any more (chains: EBADMSG) */
#define RPFW_EBADMSG (-74)  /* malformed buffer (chain, indirect, size...) */
#define RPFW_EMSGSIZE (-90) /* message too long (rpmsg) */

/* Where the host's buffers are: bus addresses [pa, pa + len) are seen by
 * the firmware at [base, base + len). */
struct rpfw_vring_region {
	uint64_t pa;
	uint8_t *base;
	uint32_t len;
};

/* rpfw_vring_init() flags, kept in struct rpfw_vring flags */
#define RPFW_VRING_F_EVENT_IDX 1u    /* VIRTIO_RING_F_EVENT_IDX negotiated */
#define RPFW_VRING_F_KICKS_OFF 0x80u /* no kicks wanted (for now) */
_Static_assert((RPFW_VRING_F_KICKS_OFF >> 7) == VRING_USED_F_NO_NOTIFY,
	       "used->flags from the kicks-off bit");

/* One vring.  All fields private.  The indices come before the small
 * fields so that rpfw_vring_init() clears them with two word stores. */
struct rpfw_vring {
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	const struct rpfw_vring_region *region;
	uint16_t last_avail; /* next avail entry to pop */
	uint16_t avail_idx;  /* the host's avail idx, last seen (checked);
				== last_avail in the error state */
	uint16_t used_idx;   /* our used idx */
	uint16_t signalled;  /* used idx at the last notify decision */
	uint16_t mask;	     /* num - 1 */
	uint8_t flags;	     /* RPFW_VRING_F_*: KICKS_OFF while kicks are
				not wanted (so flags ==
				RPFW_VRING_F_EVENT_IDX: event idx, kicks
				wanted) */
	int32_t err;	     /* 0 or the sticky RPFW_E* error */
};

/* A buffer popped from the avail ring (one validated descriptor). */
struct rpfw_vring_buf {
	void *data;
	uint32_t len;
	uint32_t head; /* < num: hand it back to rpfw_vring_push() */
};

/*
 * Attach to the ring of @num entries (a power of two, at most
 * VRING_MAX_NUM) aligned to @align (a power of two) at @mem, with buffers
 * in @region (kept by pointer; it must outlive the vring).  @flags:
 * RPFW_VRING_F_EVENT_IDX, RPFW_VRING_F_KICKS_OFF (start as after
 * rpfw_vring_kicks(vr, 0)).  Touches no shared memory but used->flags
 * (VRING_USED_F_NO_NOTIFY with KICKS_OFF, else cleared).  Returns 0 or
 * RPFW_EINVAL.  Inline: rpmsg has one call (bytes).
 */
static inline int rpfw_vring_init(struct rpfw_vring *vr, void *mem,
				  uint32_t num, uint32_t align,
				  const struct rpfw_vring_region *region,
				  uint32_t flags)
{
	uint8_t *p = mem;

	if (!p || num - 1 >= VRING_MAX_NUM || (num & (num - 1)) ||
	    (align & (align - 1)) || !align)
		return RPFW_EINVAL;
	vr->desc = (void *)p;
	vr->avail = (void *)(p + vring_avail_offset(num));
	vr->used = (void *)(p + vring_used_offset(num, align));
	vr->region = region;
	vr->last_avail = 0;
	vr->avail_idx = 0;
	vr->used_idx = 0;
	vr->signalled = 0;
	vr->mask = (uint16_t)(num - 1);
	vr->flags = (uint8_t)(flags & (RPFW_VRING_F_EVENT_IDX |
				       RPFW_VRING_F_KICKS_OFF));
	vr->err = 0;
	vr->used->flags = (uint16_t)(vr->flags >> 7); /* NO_NOTIFY */
	return 0;
}

/* Put the vring in the error state @err (an RPFW_E* code), e.g. for a
 * buffer the layer above finds malformed.  Returns @err.  The cached
 * avail idx is dropped, so the next pop takes the slow path, which
 * returns the error. */
static inline int rpfw_vring_fail(struct rpfw_vring *vr, int err)
{
	vr->err = err;
	vr->avail_idx = vr->last_avail;
	return err;
}

/* The sticky error, 0 if none. */
static inline int rpfw_vring_error(const struct rpfw_vring *vr)
{
	return vr->err;
}

/* Built for the host under ThreadSanitizer (the native remote), GCC says
 * (-Wtsan) wherever a fence of the functions below is inlined that TSan
 * does not model fences; the ring protocol's races are suppressed by the
 * tests anyway (tsan.supp). */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) &&                       \
	!defined(__clang__) && __GNUC__ >= 12
#define RPFW_VRING_NO_WTSAN 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/*
 * Ask the host to kick (@on != 0) or not to kick when it adds buffers:
 * VRING_USED_F_NO_NOTIFY, or with event idx avail_event.  A hint: the host
 * may kick anyway.  Turning kicks on is followed by a full barrier; pop
 * again afterwards to close the race with a buffer added meanwhile.
 * Inline: each caller passes a constant, so it gets only its half.
 */
static inline void rpfw_vring_kicks(struct rpfw_vring *vr, int on)
{
	if (!on) {
		vr->flags |= RPFW_VRING_F_KICKS_OFF;
		vr->used->flags = VRING_USED_F_NO_NOTIFY;
		return;
	}
	vr->flags &= (uint8_t)~RPFW_VRING_F_KICKS_OFF;
	if (vr->flags & RPFW_VRING_F_EVENT_IDX) {
		/* avail_event: the u16 after used->ring[num] */
		volatile void *ev = &vr->used->ring[vr->mask + 1u];

		*(volatile uint16_t *)ev = vr->last_avail;
	} else {
		vr->used->flags = 0;
	}
	rpfw_port_mb();
}

/*
 * New buffers in sight: the next one's data on its way while its avail
 * entry is read (a chain of two misses made one).  The guess: hosts give
 * pinned buffers in turn (ours does), so it is the one after the buffer
 * last given back.  Read from our own used ring and the descriptors,
 * lines the host leaves alone; a wrong guess (or a scribbled entry) costs
 * a useless prefetch, nothing read from it is used.
 */
static RPFW_VRING_HOT void __rpfw_vring_predict(struct rpfw_vring *vr)
{
	const struct rpfw_vring_region *r = vr->region;
	uint32_t id =
		vr->used->ring[(uint16_t)(vr->used_idx - 1u) & vr->mask].id;
	uint64_t off = vr->desc[(id + 1u) & vr->mask].addr - r->pa;

	if (off < r->len)
		rpfw_port_prefetch(r->base + (uint32_t)off);
}

/* rpfw_vring_pop(), in line. */
static RPFW_VRING_HOT int __rpfw_vring_pop_inline(struct rpfw_vring *vr,
						  struct rpfw_vring_buf *buf)
{
	const struct rpfw_vring_region *r;
	volatile struct vring_desc *d;
	uint16_t last = vr->last_avail, idx;
	uint64_t off;
	uint32_t head, len, flags;
	int ret;

	if (last == vr->avail_idx) {
		/* used up (or the error state: avail_idx == last_avail) */
		ret = vr->err;
		if (ret)
			return ret;
		/* If empty and kicks were off, or with event idx, ask for a
		 * kick and read it once more: the host may have added a
		 * buffer before it saw the request.  (Kicks on without event
		 * idx: asked for already, before a barrier.) */
		idx = vr->avail->idx;
		if (idx == last) {
			if (!vr->flags)
				return RPFW_EAGAIN;
			if (!RPFW_VRING_OUTLINE &&
			    vr->flags == RPFW_VRING_F_EVENT_IDX) {
				/* the usual case, on already: only move
				 * avail_event on (instructions), and only
				 * if it moved: a poll that finds the ring
				 * empty again stores nothing (the store
				 * would take the line from the host, which
				 * reads it on every add) */
				volatile uint16_t *ev =
					(volatile uint16_t
						 *)(volatile void *)&vr->used
						->ring[vr->mask + 1u];

				if (*ev == last) {
					rpfw_port_prefetch(
						&vr->avail->ring[last &
								 vr->mask]);
					__rpfw_vring_predict(vr);
					return RPFW_EAGAIN;
				}
				*ev = last;
				rpfw_port_mb();
			} else {
				rpfw_vring_kicks(vr, 1);
			}
			idx = vr->avail->idx;
			if (idx == last)
				return RPFW_EAGAIN;
		}
		/* it may run ahead by at most the free entries, num less
		 * the buffers we hold; backwards is a huge step forward */
		ret = RPFW_ERANGE;
		if ((uint16_t)(idx - last) >
		    (uint16_t)(vr->mask + 1u - (uint16_t)(last - vr->used_idx)))
			goto fail;
		vr->avail_idx = idx;
		/* the entries up to idx (and their descriptors) after idx */
		rpfw_port_rmb();
		if (!RPFW_VRING_OUTLINE)
			__rpfw_vring_predict(vr);
	}
	head = vr->avail->ring[last & vr->mask];
	ret = RPFW_ERANGE;
	if (head > vr->mask)
		goto fail;
	d = &vr->desc[head];
	r = vr->region;
	/* 64-bit: an address above 4 GiB must not alias one below */
	off = d->addr - r->pa;
	len = d->len;
	flags = d->flags;
	ret = RPFW_EFAULT;
	if (off >= r->len || len > r->len - (uint32_t)off)
		goto fail;
	/* one descriptor per buffer: d->next is never read */
	ret = RPFW_EBADMSG;
	if (flags & (VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT))
		goto fail;
	buf->data = r->base + (uint32_t)off;
	buf->len = len;
	buf->head = head;
	vr->last_avail = (uint16_t)(last + 1);
	return 0;
fail:
	return rpfw_vring_fail(vr, ret);
}

/* rpfw_vring_push() of a head the caller popped itself (so < num and
 * outstanding), with no error since: nothing to check. */
static inline void __rpfw_vring_push_inline(struct rpfw_vring *vr,
					    uint32_t head, uint32_t len)
{
	volatile struct vring_used *u = vr->used;
	uint16_t idx = vr->used_idx;

	u->ring[idx & vr->mask].id = head;
	u->ring[idx & vr->mask].len = len;
	/* the element before the index that publishes it */
	rpfw_port_wmb();
	vr->used_idx = ++idx;
	u->idx = idx;
}

/* rpfw_vring_push(), in line. */
static inline int __rpfw_vring_push_checked(struct rpfw_vring *vr,
					    uint32_t head, uint32_t len)
{
	if (vr->err)
		return vr->err;
	if (head > vr->mask || vr->used_idx == vr->last_avail)
		return RPFW_EINVAL;
	__rpfw_vring_push_inline(vr, head, len);
	return 0;
}

/*
 * rpfw_vring_pop(): pop the next available buffer into @buf.  Returns 0,
 * RPFW_EAGAIN when the ring is empty, or the vring's error (a new one as
 * listed at the top: RPFW_ERANGE, RPFW_EFAULT, RPFW_EBADMSG for a chained
 * or indirect descriptor).  A ring found empty wants a kick for the next
 * buffer: if kicks were off (rpfw_vring_kicks(vr, 0)) they are turned on,
 * with event idx avail_event is moved on, and the ring is checked once
 * more after a barrier, so RPFW_EAGAIN is race-free: the host kicks for
 * the next buffer.
 *
 * rpfw_vring_push(): give buffer @head back in the used ring, @len bytes
 * written into it.  Returns 0, RPFW_EINVAL if @head >= num or no buffer is
 * outstanding, or the vring's error.  Does not notify: see
 * rpfw_vring_need_notify().
 *
 * With RPFW_VRING_OUTLINE both are the one copy in vring.c, and
 * __rpfw_vring_push() (a push of a head the caller just popped) is the
 * checked push too: a few instructions more, no second copy.
 */
#if RPFW_VRING_OUTLINE
int rpfw_vring_pop(struct rpfw_vring *vr, struct rpfw_vring_buf *buf);
int rpfw_vring_push(struct rpfw_vring *vr, uint32_t head, uint32_t len);

static inline void __rpfw_vring_push(struct rpfw_vring *vr, uint32_t head,
				     uint32_t len)
{
	rpfw_vring_push(vr, head, len);
}
#else
static RPFW_VRING_HOT int rpfw_vring_pop(struct rpfw_vring *vr,
					 struct rpfw_vring_buf *buf)
{
	return __rpfw_vring_pop_inline(vr, buf);
}

static RPFW_VRING_HOT int rpfw_vring_push(struct rpfw_vring *vr, uint32_t head,
					  uint32_t len)
{
	return __rpfw_vring_push_checked(vr, head, len);
}

static RPFW_VRING_HOT void __rpfw_vring_push(struct rpfw_vring *vr,
					     uint32_t head, uint32_t len)
{
	__rpfw_vring_push_inline(vr, head, len);
}
#endif

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
	/* vring_need_event(used_event, now, old), as: used_event in
	 * [old, now), modulo 2^16 (one subtraction less) */
	if (vr->flags & RPFW_VRING_F_EVENT_IDX)
		return (uint16_t)(vr->avail->ring[vr->mask + 1u] - old) <
		       (uint16_t)(now - old);
	return !(vr->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

#ifdef RPFW_VRING_NO_WTSAN
#pragma GCC diagnostic pop
#endif

#endif /* RPFW_VRING_H */
