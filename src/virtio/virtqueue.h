/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of a split virtqueue (the virtio *driver* role), private to
 * the host library: the rpmsg bus drives two of these per vdev.  Layout and
 * constants: include/rproc/virtio_abi.h (legacy split ring, native endian).
 *
 * The remote is untrusted.  The ring lives in shared memory the remote may
 * rewrite at any time, so the host keeps a private shadow of everything it
 * needs (per descriptor: token, posted length, direction, state; the free
 * list; its avail idx and last used idx; its avail flags) and never reads
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
 * region given at init.
 *
 * Concurrency: the remote runs concurrently (another core or thread); the
 * ordering follows Linux's virtio_ring (release before avail->idx, acquire
 * after used->idx, full fences around the notification decisions).  The
 * functions of one queue must not be called concurrently with each other:
 * the caller serialises them (the rpmsg bus holds its lock).
 *
 * Hot path: no allocation, no division, no loop beyond the buffers being
 * published.  Portable core rules: no OS calls, no libc beyond string.h.
 */
#ifndef RPROC_VIRTQUEUE_H
#define RPROC_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	void *token;	/* returned by rproc_vq_get_used() */
	uint32_t len;	/* posted length */
	uint16_t next;	/* free list, or the list of added-not-published */
	uint8_t state;	/* RPROC_VQ_SLOT_* (virtqueue.c) */
	uint8_t writes; /* device-writable */
};

#define RPROC_VQ_ERR_LEN 80

/*
 * One queue.  Embed it; every field is private to virtqueue.c (the rpmsg bus
 * and the tests use the functions below only).
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
	uint32_t num;
	uint32_t num_free;   /* slots neither queued nor in flight */
	uint32_t num_queued; /* added, not yet published */
	uint32_t in_flight;  /* published, not yet returned */
	uint16_t mask;	     /* num - 1 */
	uint16_t free_head;
	uint16_t queued_head;
	uint16_t avail_idx; /* next avail position (incl. unpublished) */
	uint16_t last_used; /* next used entry to consume */
	uint16_t used_idx;  /* validated used->idx: entries up to it pending */
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

/*
 * Queue one buffer [@buf, @buf + @len) for the device: @device_writes true
 * for a buffer the device fills (host RX), false for one it reads (host TX).
 * @token (not NULL) comes back from rproc_vq_get_used().  The buffer is
 * visible to the device only after rproc_vq_kick_prepare().
 * Returns 0, -ENOSPC (no free descriptor), -EINVAL (@len 0, @token NULL,
 * buffer not inside the buffer region) or -EIO (broken).
 */
int rproc_vq_add(struct rproc_vq *vq, void *buf, uint32_t len,
		 bool device_writes, void *token);

/*
 * Publish the buffers added since the last call (release fence, then
 * avail->idx) and decide whether the device must be notified: with event
 * idx, vring_need_event(avail_event, new, old); without, unless the device
 * set VRING_USED_F_NO_NOTIFY.  Returns true when the caller must kick the
 * device; false when nothing was published, the device asked not to be
 * notified, or the queue is broken.
 */
bool rproc_vq_kick_prepare(struct rproc_vq *vq);

/*
 * Take the next buffer the device returned: its token, and in *@len (may
 * be NULL) the number of bytes the device wrote (0 for device-readable
 * buffers).  NULL when there is none, or when the queue is (or just became)
 * broken: check rproc_vq_broken().  Each token is returned at most once.
 */
void *rproc_vq_get_used(struct rproc_vq *vq, uint32_t *len);

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
 */
void *rproc_vq_detach_unused(struct rproc_vq *vq);

/* Descriptors free for rproc_vq_add(). */
unsigned rproc_vq_free_count(const struct rproc_vq *vq);

/* Buffers published to the device and not yet returned. */
unsigned rproc_vq_in_flight(const struct rproc_vq *vq);

/* The queue size (num). */
unsigned rproc_vq_num(const struct rproc_vq *vq);

/* True once the remote broke the protocol, buffers were detached, or the
 * queue was released (or its init failed). */
bool rproc_vq_broken(const struct rproc_vq *vq);

/* Why the queue is broken (e.g. "used ring[3]: id 9 >= num 8"); NULL when
 * it is not. */
const char *rproc_vq_error(const struct rproc_vq *vq);

#endif /* RPROC_VIRTQUEUE_H */
