/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of a split virtqueue (the virtio *driver* role), private to
 * the host library: the rpmsg bus drives two of these per vdev.  Layout and
 * constants: include/rproc/virtio_abi.h (legacy split ring, native endian).
 *
 * The remote is untrusted.  The ring lives in shared memory the remote may
 * rewrite at any time, so the host keeps a private shadow of everything it
 * needs (per descriptor: token, posted length, direction, pinned, state,
 * the position it was added at; the free list; how many buffers it added
 * and published, and its last used idx; its avail flags) and never reads
 * the descriptor table or the avail ring back.  From shared memory it reads
 * only used->idx, used->ring[].{id,len}, used->flags and avail_event, each
 * exactly once into a local, and validates every value before use:
 *
 *  - used->idx may advance by at most the number of buffers in flight
 *    (published to the device and not yet returned);
 *  - a used id must be < num and the head of a buffer in flight;
 *  - a used len must be <= the posted length of a device-writable buffer
 *    (it is ignored, and reported as 0, for device-readable buffers).
 *
 * A violation marks the queue broken: every later call fails (-EIO, NULL,
 * false) and nothing in shared memory is read again until the queue is
 * released and initialised anew.  rproc_vq_error() tells what the remote
 * did.  used->flags and avail_event only steer the kick decision, never
 * memory accesses.
 *
 * Single descriptor per buffer (all rpmsg needs).  Descriptor addresses are
 * 64-bit bus addresses, translated from host pointers inside one buffer
 * region given at init.  A buffer is either added anew each time
 * (rproc_vq_add: a free descriptor is taken and written) or pinned to a
 * descriptor of its own once (rproc_vq_pin) and then queued by id
 * (rproc_vq_add_pinned: the descriptor is not written again, but for the
 * length of a device-readable buffer).  Pinning is for a caller that
 * cycles a fixed set of buffers, as the rpmsg bus does; a device that
 * overwrites a pinned descriptor only misleads itself, since the host
 * never reads the table back.  Such a caller may also queue and publish
 * a pinned buffer in one step without the queue's checks of its
 * arguments (rproc_vq_post_pinned_unchecked(), _each_unchecked()): those
 * are about host-owned state the caller's bookkeeping already proves
 * (debug builds check them all the same); nothing from shared memory is
 * trusted any the less.
 *
 * Concurrency: the remote runs concurrently (another core or thread); the
 * ordering follows Linux's virtio_ring (release before avail->idx, acquire
 * after used->idx, full fences around the notification decisions).  The
 * functions of one queue must not be called concurrently with each other:
 * the caller serialises them (the rpmsg bus holds its lock).
 *
 * Hot path: no allocation, no division, no loop but over the buffers
 * taken or posted in a batch (publishing moves a private position; see
 * rproc_vq.pub_pos).  Portable core rules: no OS calls, no libc beyond
 * string.h.
 */
#ifndef RPROC_VIRTQUEUE_H
#define RPROC_VIRTQUEUE_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rproc/diag.h"
#include "rproc/virtio_abi.h"

/* What the owner of the ring tells the queue at init. */
struct rproc_vq_config {
	void *ring;	 /* host view of the ring, 16-byte aligned */
	size_t ring_len; /* bytes available at @ring, >= vring_size() */
	uint32_t num;	 /* entries: a power of two, 1..VRING_MAX_NUM */
	uint32_t align;	 /* used ring alignment: power of two, >= 4 */
	bool event_idx;	 /* VIRTIO_RING_F_EVENT_IDX negotiated */
	/* The buffer region: every buffer added lies inside [buf_va,
	 * buf_va + buf_len) and its descriptor address is buf_pa + (buf -
	 * buf_va).  It must not overlap the ring. */
	void *buf_va;
	uint64_t buf_pa;
	size_t buf_len;
};

/* Private per-descriptor shadow (one buffer = one descriptor). */
struct rproc_vq_slot {
	void *token;   /* returned by rproc_vq_get_used() */
	uint64_t pos;  /* added as the pos-th buffer (rproc_vq.avail_pos);
			* RPROC_VQ_SLOT_ADDED only (a posted one is in flight
			* by its state, and no one reads its pos) */
	uint32_t len;  /* posted length (pinned: the buffer's length) */
	uint16_t next; /* free list */
	union {
		struct {
			uint8_t state; /* RPROC_VQ_SLOT_* (below) */
			uint8_t flags; /* RPROC_VQ_SLOT_F_* (below) */
		};
		/* both at once (__rproc_vq_sf()): one compare.  Where only
		 * the state changes (the flags of a pinned slot never do:
		 * posted, taken back), the state byte alone is stored: one
		 * instruction, where a 16-bit constant takes two (GCC moves
		 * it through a register) */
		uint16_t sf;
	};
};

#define RPROC_VQ_ERR_LEN 80

/*
 * One queue.  Embed it; every field is private to the functions below
 * (virtqueue.c and the inline ones here: the rpmsg bus and the tests use the
 * functions only).
 */
struct rproc_vq {
	/* Shared, untrusted memory. */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t *used_event;  /* in the avail ring: the host writes it */
	uint16_t *avail_event; /* in the used ring: the host reads it */

	/* Private state. */
	struct rproc_vq_slot *slot;
	uintptr_t buf_va;
	uint64_t buf_pa;
	size_t buf_len;
	/* Buffers added since init, and of those published: the avail idx
	 * is the low 16 bits of each.  A slot added at pos is in flight once
	 * pos < pub_pos: no walk over the added ones to publish them, and 64
	 * bits never wrap. */
	uint64_t avail_pos;
	uint64_t pub_pos;
	uint32_t num;
	uint32_t num_free; /* slots neither added nor pinned */
	uint16_t mask;	   /* num - 1 */
	uint16_t free_head;
	/* Next used entry to consume: one per buffer returned since init
	 * (and per buffer detached), so the buffers in flight (published,
	 * not yet returned) are (uint16_t)(pub_pos - last_used), exact for
	 * num <= 32768: __rproc_vq_in_flight(). */
	uint16_t last_used;
	uint16_t used_idx; /* validated used->idx: entries up to it pending */
	uint16_t avail_flags; /* what the host last wrote to avail->flags */
	bool event_idx;
	bool cb_enabled;
	bool broken;
	char error[RPROC_VQ_ERR_LEN];
};

/*
 * Set up @vq on @cfg->ring, which the driver owns at this point: the whole
 * ring (vring_size(num, align) bytes) is zeroed, so avail->idx = used->idx
 * = 0, no flags, callbacks enabled.  Allocates the private shadow (num
 * slots) with rproc_calloc.  Returns 0, -EINVAL (bad config, reason in @d,
 * which may be NULL) or -ENOMEM.  On failure @vq is left released.
 * A released queue is broken ("not initialised"): every call fails
 * harmlessly; so does a zeroed, never initialised one.
 */
int rproc_vq_init(struct rproc_vq *vq, const struct rproc_vq_config *cfg,
		  struct rproc_diag *d);

/*
 * Free the private shadow and forget the ring.  Tokens of buffers still
 * queued or in flight are forgotten too: detach them first
 * (rproc_vq_detach_unused).  Safe on a released or zeroed @vq.
 */
void rproc_vq_release(struct rproc_vq *vq);

/* ---- the message path, inline ---------------------------------------------
 *
 * add, post, kick_prepare and get_used run once or twice per message:
 * they are static inline here so the rpmsg bus compiles them into its own
 * hot path (no LTO), the batch ones with the caller's step per buffer in
 * line too.  Their cold parts (failing the queue, the used buffers that
 * are not pinned ones) are calls into virtqueue.c.  Shared memory is touched only through the volatile
 * accessors below, each field exactly once, into a local.
 */

/* Forced in line, but where bytes count (-Os: the compiler decides). */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
#define RPROC_VQ_INLINE inline __attribute__((always_inline))
#define RPROC_VQ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#elif defined(__GNUC__)
#define RPROC_VQ_INLINE inline
#define RPROC_VQ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RPROC_VQ_INLINE inline
#define RPROC_VQ_UNLIKELY(x) (x)
#endif

/* ThreadSanitizer does not model fences (the tests' tsan.supp covers the
 * ring protocol), and GCC says so (-Wtsan) wherever one is inlined: not
 * for the ones below. */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) &&                       \
	!defined(__clang__) && __GNUC__ >= 12
#define RPROC_VQ_NO_WTSAN 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif

enum {
	RPROC_VQ_SLOT_FREE = 0,
	/* added: queued, or published (in flight: the device may return
	 * it) once its pos < pub_pos */
	RPROC_VQ_SLOT_ADDED = 1,
	RPROC_VQ_SLOT_PINNED = 2, /* pinned, the driver's: may be added */
	/* added and published at once (rproc_vq_post_pinned_unchecked(),
	 * _each_unchecked()): in flight, whatever its pos */
	RPROC_VQ_SLOT_POSTED = 3,
};

#define RPROC_VQ_SLOT_F_WRITES 1u /* device-writable */
#define RPROC_VQ_SLOT_F_PINNED 2u /* pinned: never back to the free list */

_Static_assert(offsetof(struct rproc_vq_slot, flags) ==
			       offsetof(struct rproc_vq_slot, state) + 1 &&
		       offsetof(struct rproc_vq_slot, sf) ==
			       offsetof(struct rproc_vq_slot, state),
	       "state and flags side by side in sf");

/* Buffers in flight: published (pub_pos counts them since init) less
 * those returned or detached (last_used counts them, mod 2^16); fewer
 * than 2^16 (num <= VRING_MAX_NUM), so the difference mod 2^16 is the
 * count.  No counter kept per buffer published. */
static inline uint16_t __rproc_vq_in_flight(const struct rproc_vq *vq)
{
	return (uint16_t)((uint16_t)vq->pub_pos - vq->last_used);
}

/* The slot.sf value for @state and @flags, whatever the byte order. */
static inline uint16_t __rproc_vq_sf(uint8_t state, uint8_t flags)
{
	const uint8_t b[2] = {state, flags};
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static inline uint16_t __rproc_vq_ld16(const uint16_t *p)
{
	return *(const volatile uint16_t *)p;
}

static inline uint32_t __rproc_vq_ld32(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void __rproc_vq_st16(uint16_t *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}

static inline void __rproc_vq_st32(uint32_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline void __rproc_vq_st64(uint64_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

/* A pinned device-readable buffer's length into its descriptor, stored
 * only if it changed: a message of the same size as the last one through
 * that descriptor leaves the descriptor's line alone, so the device reads
 * it from its cache instead of taking the line from us.  (What the device
 * may have scribbled there is corrected like any other change.) */
static inline void __rproc_vq_set_len(struct rproc_vq *vq, uint32_t id,
				      uint32_t len)
{
	if (__rproc_vq_ld32(&vq->desc[id].len) != len)
		__rproc_vq_st32(&vq->desc[id].len, len);
}

/* Mark @vq broken with a message: @fmt with up to three "%u" taking @a,
 * @b, @c in order.  Cold (virtqueue.c). */
void __rproc_vq_fail(struct rproc_vq *vq, const char *fmt, uint32_t a,
		     uint32_t b, uint32_t c);

/* Read used->idx once and validate it: true when used entries are pending
 * (vq->used_idx moved), false when none or when the queue broke.  Only
 * called when every validated entry was consumed (virtqueue.c). */
bool __rproc_vq_fetch_used_idx(struct rproc_vq *vq);

/*
 * Queue one buffer [@buf, @buf + @len) for the device: @device_writes true
 * for a buffer the device fills (host RX), false for one it reads (host TX).
 * @token (not NULL) comes back from rproc_vq_get_used().  The buffer is
 * visible to the device only after rproc_vq_kick_prepare().
 * Returns 0, -ENOSPC (no free descriptor), -EINVAL (@len 0, @token NULL,
 * buffer not inside the buffer region) or -EIO (broken).
 */
static inline int rproc_vq_add(struct rproc_vq *vq, void *buf, uint32_t len,
			       bool device_writes, void *token)
{
	struct rproc_vq_slot *s;
	struct vring_desc *d;
	uintptr_t off = (uintptr_t)buf - vq->buf_va;
	uint16_t head;

	if (RPROC_VQ_UNLIKELY(vq->broken))
		return -EIO;
	/* off wraps to a huge value for buf < buf_va. */
	if (RPROC_VQ_UNLIKELY(!len || !token || off >= vq->buf_len ||
			      len > vq->buf_len - off))
		return -EINVAL;
	if (RPROC_VQ_UNLIKELY(!vq->num_free))
		return -ENOSPC;

	head = vq->free_head;
	s = &vq->slot[head];
	vq->free_head = s->next;
	vq->num_free--;
	s->token = token;
	s->len = len;
	s->flags = device_writes ? RPROC_VQ_SLOT_F_WRITES : 0;
	s->state = RPROC_VQ_SLOT_ADDED;
	s->pos = vq->avail_pos;

	/* Written, never read back: the device may scribble over them. */
	d = &vq->desc[head];
	__rproc_vq_st64(&d->addr, vq->buf_pa + off);
	__rproc_vq_st32(&d->len, len);
	__rproc_vq_st16(&d->flags,
			device_writes ? (uint16_t)VRING_DESC_F_WRITE : 0);
	__rproc_vq_st16(&d->next, 0);
	__rproc_vq_st16(&vq->avail->ring[(uint16_t)s->pos & vq->mask], head);
	vq->avail_pos = s->pos + 1;
	return 0;
}

/*
 * Pin buffer [@buf, @buf + @len) to descriptor @id (< num, free) for as
 * long as the queue lives: the descriptor is written here, @token comes
 * back from rproc_vq_get_used() each time the device returns it.  The
 * buffer is the driver's until rproc_vq_add_pinned() queues it.  Checks as
 * rproc_vq_add(); -EINVAL too for @id not free.  Not on the message path
 * (linear in num).
 */
int rproc_vq_pin(struct rproc_vq *vq, uint32_t id, void *buf, uint32_t len,
		 bool device_writes, void *token);

/*
 * Queue pinned buffer @id (the driver's: pinned and not queued, or given
 * back by rproc_vq_get_used()): a device-writable one whole, a
 * device-readable one's first @len bytes (1..its length; the only field
 * of the descriptor written again).  Visible to the device after
 * rproc_vq_kick_prepare(), as for rproc_vq_add().  Returns 0, -EINVAL
 * (@id not such a buffer, @len out of range) or -EIO (broken).
 */
static RPROC_VQ_INLINE int rproc_vq_add_pinned(struct rproc_vq *vq, uint32_t id,
					       uint32_t len)
{
	struct rproc_vq_slot *s;

	if (RPROC_VQ_UNLIKELY(vq->broken))
		return -EIO;
	/* a zeroed queue has num 0 */
	if (RPROC_VQ_UNLIKELY(id >= vq->num))
		return -EINVAL;
	s = &vq->slot[id];
	if (RPROC_VQ_UNLIKELY(s->state != RPROC_VQ_SLOT_PINNED))
		return -EINVAL;
	if (!(s->flags & RPROC_VQ_SLOT_F_WRITES)) {
		if (RPROC_VQ_UNLIKELY(!len || len > s->len))
			return -EINVAL;
		__rproc_vq_set_len(vq, id, len);
	}
	s->state = RPROC_VQ_SLOT_ADDED;
	s->pos = vq->avail_pos;
	__rproc_vq_st16(&vq->avail->ring[(uint16_t)s->pos & vq->mask],
			(uint16_t)id);
	vq->avail_pos = s->pos + 1;
	return 0;
}

/* Publish what was added from position @pub up to @pos (> @pub), and
 * say whether to kick: rproc_vq_kick_prepare() past its checks.  @avail
 * is vq->avail (the caller's local). */
static RPROC_VQ_INLINE bool __rproc_vq_publish(struct rproc_vq *vq,
					       struct vring_avail *avail,
					       uint64_t pos, uint64_t pub)
{
	uint16_t old = (uint16_t)pub, new_idx = (uint16_t)pos;

	/* From now on the device may return them (in flight: pub_pos). */
	vq->pub_pos = pos;

	atomic_thread_fence(memory_order_release);
	__rproc_vq_st16(&avail->idx, new_idx);
	/* The device may have gone to sleep before it saw the new idx: order
	 * our store before the load of its suppression state. */
	atomic_thread_fence(memory_order_seq_cst);
	if (vq->event_idx)
		return vring_need_event(__rproc_vq_ld16(vq->avail_event),
					new_idx, old);
	return !(__rproc_vq_ld16(&vq->used->flags) & VRING_USED_F_NO_NOTIFY);
}

/*
 * Publish the buffers added since the last call (release fence, then
 * avail->idx) and decide whether the device must be notified: with event
 * idx, vring_need_event(avail_event, new, old); without, unless the device
 * set VRING_USED_F_NO_NOTIFY.  Returns true when the caller must kick the
 * device; false when nothing was published, the device asked not to be
 * notified, or the queue is broken.
 */
static RPROC_VQ_INLINE bool rproc_vq_kick_prepare(struct rproc_vq *vq)
{
	uint64_t pos = vq->avail_pos, pub = vq->pub_pos;

	if (RPROC_VQ_UNLIKELY(vq->broken) || pos == pub)
		return false;
	return __rproc_vq_publish(vq, vq->avail, pos, pub);
}

/*
 * Debug builds check what a caller of the _unchecked functions below vouches
 * for, and trap when it does not hold (a bug in the host, never the
 * remote's doing); release builds trust it.
 */
#if !defined(NDEBUG) && defined(__GNUC__)
#define RPROC_VQ_VOUCH(cond)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)
#else
#define RPROC_VQ_VOUCH(cond) ((void)0)
#endif

/*
 * rproc_vq_add_pinned() and rproc_vq_kick_prepare() in one, for a caller
 * whose own bookkeeping already guarantees what the first checks: @vq is
 * not broken, @id < num is a pinned buffer that is the driver's (pinned
 * and not queued, or given back by the device), and @len is 1..its length
 * for a device-readable buffer, 0 for a device-writable one (queued whole;
 * nothing written to the descriptor); and nothing was added since the
 * last publish.  None of that comes from shared memory, so nothing the
 * remote writes can make this write out of place; the rpmsg bus proves
 * each point from its own lists (rpmsg.c, do_send()).  Debug builds check
 * it all (RPROC_VQ_VOUCH).  The buffer is queued and published; it is in
 * flight from then on, which its state says (RPROC_VQ_SLOT_POSTED): no
 * position to compare when it comes back.  Returns whether to kick the
 * device.
 */
static RPROC_VQ_INLINE bool
rproc_vq_post_pinned_unchecked(struct rproc_vq *vq, uint32_t id, uint32_t len)
{
	struct rproc_vq_slot *s = &vq->slot[id];
	struct vring_avail *avail = vq->avail;
	uint64_t pos = vq->avail_pos;

	RPROC_VQ_VOUCH(!vq->broken && id < vq->num &&
		       s->state == RPROC_VQ_SLOT_PINNED &&
		       (s->flags & RPROC_VQ_SLOT_F_WRITES
				? !len
				: len && len <= s->len) &&
		       pos == vq->pub_pos);
	if (len)
		__rproc_vq_set_len(vq, id, len);
	s->state = RPROC_VQ_SLOT_POSTED;
	/* No s->pos: a posted slot is in flight by its state alone.
	 * avail_pos before the ring store: not paired with pub_pos's in a
	 * vector register (an instruction more). */
	vq->avail_pos = pos + 1;
	__rproc_vq_st16(&avail->ring[pos & vq->mask], (uint16_t)id);
	return __rproc_vq_publish(vq, avail, pos + 1, pos);
}

/* What rproc_vq_post_pinned_each_unchecked() calls for the @i-th buffer:
 * its id, or RPROC_VQ_NO_ID to skip it. */
typedef uint32_t rproc_vq_id_fn(void *ctx, unsigned i);

#define RPROC_VQ_NO_ID UINT32_MAX

/*
 * rproc_vq_post_pinned_unchecked() for up to @n device-writable buffers at
 * once: @fn(@ctx, i) for i = 0..@n - 1 gives each id (with GCC, an @fn
 * known at the call site is compiled in line), which must be such a
 * buffer, the driver's, as there; @vq must not be broken.  @fn must not
 * call into @vq.  Everything queued is published at the end (if anything
 * was queued).  Returns whether to kick the device.
 */
static RPROC_VQ_INLINE bool
rproc_vq_post_pinned_each_unchecked(struct rproc_vq *vq, unsigned n,
				    rproc_vq_id_fn *fn, void *ctx)
{
	/* in locals: nothing @fn or the stores below do can change them */
	struct rproc_vq_slot *slot = vq->slot;
	struct vring_avail *avail = vq->avail;
	uint16_t *ring = avail->ring;
	uint64_t pub = vq->pub_pos, pos = vq->avail_pos;
	uint32_t mask = vq->mask;
	unsigned i;

	RPROC_VQ_VOUCH(!vq->broken);
	for (i = 0; i < n; i++) {
		const uint32_t id = fn(ctx, i);
		struct rproc_vq_slot *s;

		if (id == RPROC_VQ_NO_ID)
			continue;
		s = &slot[id];
		RPROC_VQ_VOUCH(
			id < vq->num &&
			s->sf == __rproc_vq_sf(RPROC_VQ_SLOT_PINNED,
					       RPROC_VQ_SLOT_F_PINNED |
						       RPROC_VQ_SLOT_F_WRITES));
		s->state = RPROC_VQ_SLOT_POSTED;
		__rproc_vq_st16(&ring[(uint32_t)pos & mask], (uint16_t)id);
		pos++;
	}
	vq->avail_pos = pos;
	if (pos == pub)
		return false;
	return __rproc_vq_publish(vq, avail, pos, pub);
}

/*
 * __rproc_vq_take_used() past its fast cases (virtqueue.c): every check
 * of the top comment for used entry @e at ring position @pos, whose id the
 * caller loaded (once) into @id; the len is loaded here if needed.  The
 * token, or NULL when the entry broke the queue.  Also the reference the
 * fast cases follow.
 */
void *__rproc_vq_take_used_slow(struct rproc_vq *vq, uint16_t pos, uint32_t id,
				const struct vring_used_elem *e, uint32_t *len);

/*
 * Check used entry @e (ring position @pos) and give its buffer back to the
 * driver: the checks of the top comment (id < num, the head of a buffer in
 * flight, len within a device-writable buffer's posted length), each field
 * loaded once and only when needed.  True with *@token and *@len (the
 * bytes the device wrote, 0 for a device-readable buffer); false when the
 * entry broke the queue.  @slot is the queue's, in the caller's local.  In
 * line only pinned buffers posted (rproc_vq_post_pinned*_unchecked(): in
 * flight by their state alone, no position to compare), as the rpmsg bus
 * queues them, and of the errors only the length one; the rest, and every
 * other error, out of line: fewer live registers in the callers' loops.
 */
static RPROC_VQ_INLINE bool
__rproc_vq_take_used(struct rproc_vq *vq, struct rproc_vq_slot *slot,
		     uint32_t pos, const struct vring_used_elem *e,
		     void **token, uint32_t *len)
{
	const uint32_t id = __rproc_vq_ld32(&e->id);
	struct rproc_vq_slot *s;
	uint32_t used_len, slow_len;
	void *t;

	/* num and pub_pos through @vq: nothing to keep in a register */
	if (RPROC_VQ_UNLIKELY(id >= vq->num))
		goto slow;
	s = &slot[id];
	if (s->sf ==
	    __rproc_vq_sf(RPROC_VQ_SLOT_POSTED, RPROC_VQ_SLOT_F_PINNED)) {
		/* pinned, device-readable (a host transmit buffer) */
		s->state = RPROC_VQ_SLOT_PINNED;
		used_len = 0;
	} else if (s->sf == __rproc_vq_sf(RPROC_VQ_SLOT_POSTED,
					  RPROC_VQ_SLOT_F_PINNED |
						  RPROC_VQ_SLOT_F_WRITES)) {
		/* pinned, device-writable (a host receive buffer) */
		used_len = __rproc_vq_ld32(&e->len);
		if (RPROC_VQ_UNLIKELY(used_len > s->len)) {
			__rproc_vq_fail(vq,
					"used ring[%u]: len %u > posted len %u",
					pos, used_len, s->len);
			return false;
		}
		s->state = RPROC_VQ_SLOT_PINNED;
	} else {
		goto slow;
	}
	*token = s->token;
	*len = used_len;
	return true;
slow:
	/* through locals of its own: @token and @len stay in registers */
	t = __rproc_vq_take_used_slow(vq, (uint16_t)pos, id, e, &slow_len);
	if (RPROC_VQ_UNLIKELY(!t))
		return false;
	*token = t;
	*len = slow_len;
	return true;
}

/* With callbacks enabled and event idx, after taking used entries up to
 * @last: ask for the next one before the next look at used->idx (Linux's
 * virtio_store_mb). */
static RPROC_VQ_INLINE void __rproc_vq_taken(struct rproc_vq *vq, uint16_t last)
{
	if (vq->cb_enabled && vq->event_idx) {
		__rproc_vq_st16(vq->used_event, last);
		atomic_thread_fence(memory_order_seq_cst);
	}
}

/*
 * Take the next buffer the device returned: its token, and in *@len (may
 * be NULL) the number of bytes the device wrote (0 for device-readable
 * buffers).  Its descriptor is free again, or for a pinned buffer the
 * driver's to queue again.  NULL when there is none, or when the queue is
 * (or just became) broken: check rproc_vq_broken().  Each token is
 * returned at most once.
 */
static RPROC_VQ_INLINE void *rproc_vq_get_used(struct rproc_vq *vq,
					       uint32_t *len)
{
	uint32_t used_len;
	uint16_t pos;
	void *token;

	if (RPROC_VQ_UNLIKELY(vq->broken))
		return NULL;
	if (vq->last_used == vq->used_idx && !__rproc_vq_fetch_used_idx(vq))
		return NULL;

	pos = vq->last_used & vq->mask;
	if (RPROC_VQ_UNLIKELY(!__rproc_vq_take_used(vq, vq->slot, pos,
						    &vq->used->ring[pos],
						    &token, &used_len)))
		return NULL;
	vq->last_used++;
	__rproc_vq_taken(vq, vq->last_used);
	if (len)
		*len = used_len;
	return token;
}

/* What rproc_vq_get_used_each() calls per buffer: its token and the bytes
 * the device wrote (0 for a device-readable buffer). */
typedef void rproc_vq_used_fn(void *ctx, void *token, uint32_t len);

/*
 * A guess at the token of the buffer the device returns next, for
 * prefetching: the one posted at the position it has reached, which is
 * right when the device uses buffers in the order they were posted (ours
 * does; virtio does not promise it).  Reads only our own avail ring.
 * NULL: no buffer there.
 */
static inline void *rproc_vq_guess_next(const struct rproc_vq *vq)
{
	uint16_t id =
		__rproc_vq_ld16(&vq->avail->ring[vq->last_used & vq->mask]);

	return id < vq->num ? vq->slot[id].token : NULL;
}

/*
 * rproc_vq_get_used() for up to @max buffers at once, calling @fn(@ctx,
 * token, len) for each in used ring order (with GCC, an @fn known at the
 * call site is compiled in line: no call per buffer).  The same checks,
 * entry by entry; the bookkeeping (and with callbacks enabled and event
 * idx, the used_event store and its fence) once per batch.  @fn may queue
 * buffers on @vq (rproc_vq_add(), rproc_vq_add_pinned(): the one it was
 * given is the driver's again), nothing else on it.  Returns how many @fn got; 0 when none is
 * pending or the queue is broken.  An entry that breaks the queue ends the
 * batch: the ones before it were handed to @fn, so check
 * rproc_vq_broken() after.
 */
static RPROC_VQ_INLINE unsigned rproc_vq_get_used_each(struct rproc_vq *vq,
						       unsigned max,
						       rproc_vq_used_fn *fn,
						       void *ctx)
{
	struct rproc_vq_slot *slot;
	struct vring_used_elem *ring;
	/* positions: mod 2^16 (size_t: ring indices need no extension) */
	size_t mask, first, last, end;
	unsigned n;

	if (RPROC_VQ_UNLIKELY(vq->broken) || !max)
		return 0;
	if (vq->last_used == vq->used_idx && !__rproc_vq_fetch_used_idx(vq))
		return 0;
	/* in locals: what @fn stores cannot make the compiler reload them
	 * (and it changes none of them) */
	slot = vq->slot;
	ring = vq->used->ring;
	mask = vq->mask;
	first = last = vq->last_used;
	n = (uint16_t)(vq->used_idx - first);
	end = first + (n < max ? n : max);
	for (; last != end; last++) {
		const size_t pos = last & mask;
		void *token;
		uint32_t used_len;

		if (RPROC_VQ_UNLIKELY(!__rproc_vq_take_used(
			    vq, slot, (uint32_t)pos, &ring[pos], &token,
			    &used_len)))
			break;
		fn(ctx, token, used_len);
	}
	n = (unsigned)(last - first);
	vq->last_used = (uint16_t)last;
	if (n)
		__rproc_vq_taken(vq, (uint16_t)last);
	return n;
}

struct __rproc_vq_collect {
	void **tokens;
	uint32_t *lens;
	unsigned n;
};

static RPROC_VQ_INLINE void __rproc_vq_collect_one(void *ctx, void *token,
						   uint32_t len)
{
	struct __rproc_vq_collect *c = ctx;

	c->tokens[c->n] = token;
	if (c->lens)
		c->lens[c->n] = len;
	c->n++;
}

/*
 * rproc_vq_get_used_each() into arrays: the tokens into @tokens[] and, if
 * @lens is not NULL, the lengths into @lens[], in used ring order.
 * Returns how many, as rproc_vq_get_used_each().
 */
static RPROC_VQ_INLINE unsigned rproc_vq_get_used_batch(struct rproc_vq *vq,
							void **tokens,
							uint32_t *lens,
							unsigned max)
{
	struct __rproc_vq_collect c = {tokens, lens, 0};

	return rproc_vq_get_used_each(vq, max, __rproc_vq_collect_one, &c);
}

/*
 * Ask the device for a callback (interrupt) on the next used buffer: clear
 * VRING_AVAIL_F_NO_INTERRUPT, or with event idx write used_event =
 * last used.  Then (full fence) look at used->idx once more and return
 * false when used buffers are pending, which the caller must now take with
 * rproc_vq_get_used() (no wakeup is lost: poll again, then enable again).
 * True: nothing pending, wait for the callback.  True as well when broken
 * (nothing will ever be pending), so the canonical loop
 *
 *	do {
 *		rproc_vq_disable_cb(vq);
 *		while ((tok = rproc_vq_get_used(vq, &len)))
 *			handle(tok, len);
 *	} while (!rproc_vq_enable_cb(vq));
 *	if (rproc_vq_broken(vq)) ...
 *
 * always ends.
 */
bool rproc_vq_enable_cb(struct rproc_vq *vq);

/*
 * Tell the device callbacks are not needed (set VRING_AVAIL_F_NO_INTERRUPT;
 * with event idx move used_event out of reach).  A hint only: the device
 * may still notify.
 */
void rproc_vq_disable_cb(struct rproc_vq *vq);

/*
 * Take back one buffer that was added and not returned (queued or in
 * flight), whatever the device did: for teardown, after the device was
 * stopped or the queue broke.  Returns its token, NULL when none is left.
 * Reads only private state.  The first call marks the queue broken
 * ("buffers detached") when it was not already: re-init before reuse.
 * A pinned buffer stays pinned (its descriptor is not freed).
 */
void *rproc_vq_detach_unused(struct rproc_vq *vq);

#ifdef RPROC_VQ_NO_WTSAN
#pragma GCC diagnostic pop
#endif

/* Descriptors free for rproc_vq_add() (pinned ones are not). */
static inline unsigned rproc_vq_free_count(const struct rproc_vq *vq)
{
	return vq->num_free;
}

/* Buffers published to the device and not yet returned. */
static inline unsigned rproc_vq_in_flight(const struct rproc_vq *vq)
{
	return __rproc_vq_in_flight(vq);
}

/* Buffers published since init (each exactly once, whatever came back);
 * 0 for a released or never initialised queue. */
static inline uint64_t rproc_vq_published(const struct rproc_vq *vq)
{
	return vq->pub_pos;
}

/* The queue size (num). */
static inline unsigned rproc_vq_num(const struct rproc_vq *vq)
{
	return vq->num;
}

/* True once the remote broke the protocol, buffers were detached, or the
 * queue was released (or its init failed). */
static inline bool rproc_vq_broken(const struct rproc_vq *vq)
{
	return vq->broken;
}

/* Why the queue is broken (e.g. "used ring[3]: id 9 >= num 8"); NULL when
 * it is not. */
const char *rproc_vq_error(const struct rproc_vq *vq);

#endif /* RPROC_VIRTQUEUE_H */
