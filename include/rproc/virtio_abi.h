/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio split rings (legacy layout) and rpmsg messages: the binary ABI
 * shared with Linux and OpenAMP (DESIGN §6), used by the host library and the
 * firmware library alike.  Native byte order (little-endian on every remote
 * we support).  Depends on <stdint.h> and <stddef.h> only.
 *
 * The host is the virtio *driver*: it owns the descriptor table and the
 * avail ring.  The remote is the *device*: it owns the used ring.  vring0 =
 * host RX / remote TX, vring1 = host TX / remote RX.
 */
#ifndef RPROC_VIRTIO_ABI_H
#define RPROC_VIRTIO_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- virtio device status (vdev resource "status" byte) ------------------ */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 0x01u
#define VIRTIO_CONFIG_S_DRIVER 0x02u
#define VIRTIO_CONFIG_S_DRIVER_OK 0x04u
#define VIRTIO_CONFIG_S_FEATURES_OK 0x08u
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40u
#define VIRTIO_CONFIG_S_FAILED 0x80u

/* ---- transport feature bits (dfeatures / gfeatures are the low 32) ------- */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29

/* ---- split virtqueue ------------------------------------------------------ */
#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_DESC_F_INDIRECT 4u

#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VRING_USED_F_NO_NOTIFY 1u

#define VRING_MAX_NUM 32768u

struct vring_desc {
	uint64_t addr; /* bus / physical address (the host's view) */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [num], then uint16_t used_event */
};

struct vring_used_elem {
	uint32_t id; /* head descriptor index */
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[]; /* [num], then uint16_t avail_event */
};

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc ABI");
_Static_assert(offsetof(struct vring_desc, len) == 8, "vring_desc ABI");
_Static_assert(offsetof(struct vring_desc, flags) == 12, "vring_desc ABI");
_Static_assert(offsetof(struct vring_desc, next) == 14, "vring_desc ABI");
_Static_assert(sizeof(struct vring_avail) == 4, "vring_avail ABI");
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem ABI");
_Static_assert(sizeof(struct vring_used) == 4, "vring_used ABI");

/* Byte offsets of the parts of a ring of @num entries aligned to @align (a
 * power of two): desc at 0, avail after the descriptors, used at the next
 * @align boundary.  Same as Linux's vring_init()/vring_size(). */
static inline size_t vring_avail_offset(uint32_t num)
{
	return (size_t)num * sizeof(struct vring_desc);
}

static inline size_t vring_used_offset(uint32_t num, uint32_t align)
{
	size_t end =
		vring_avail_offset(num) + sizeof(uint16_t) * (3 + (size_t)num);

	return (end + align - 1) & ~((size_t)align - 1);
}

static inline size_t vring_size(uint32_t num, uint32_t align)
{
	return vring_used_offset(num, align) + sizeof(uint16_t) * 3 +
	       sizeof(struct vring_used_elem) * (size_t)num;
}

/* Event-index suppression (VIRTIO_RING_F_EVENT_IDX): notify when the other
 * side asked to be told at @event_idx and the index moved from @old to
 * @new_idx past it.  Free-running 16-bit indices. */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx,
				   uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

/* ---- rpmsg ---------------------------------------------------------------- */
#define VIRTIO_ID_RPMSG 7u

#define VIRTIO_RPMSG_F_NS 0    /* name service */
#define VIRTIO_RPMSG_F_BUFSZ 1 /* buffer sizes in the config space */

#define RPMSG_NS_ADDR 53u
#define RPMSG_RESERVED_ADDRESSES 1024u /* dynamic addresses from here */
#define RPMSG_ADDR_ANY 0xFFFFFFFFu
#define RPMSG_NAME_SIZE 32u

#define RPMSG_NS_CREATE 0u
#define RPMSG_NS_DESTROY 1u

#define RPMSG_BUF_SIZE_DEFAULT 512u /* without VIRTIO_RPMSG_F_BUFSZ */

#define RPROC_ABI_PACKED __attribute__((packed))

/* Every message starts with this header, then len bytes of payload. */
struct rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved;
	uint16_t len;
	uint16_t flags;
	uint8_t data[];
} RPROC_ABI_PACKED;

/* Name-service announcement, sent to RPMSG_NS_ADDR. */
struct rpmsg_ns_msg {
	char name[RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags; /* RPMSG_NS_CREATE / RPMSG_NS_DESTROY */
} RPROC_ABI_PACKED;

/*
 * The rpmsg vdev's config space when VIRTIO_RPMSG_F_BUFSZ is offered (the
 * first 8 bytes, as in OpenAMP's proposal): the size of each buffer of each
 * direction, header included.  The remote offers sizes; the host uses them
 * (a size below sizeof(struct rpmsg_hdr) + 1 or above 65535 + 16 is
 * refused).  Without the feature both are RPMSG_BUF_SIZE_DEFAULT.
 */
struct rpmsg_virtio_config {
	uint32_t h2r_buf_size; /* host -> remote (vring1) */
	uint32_t r2h_buf_size; /* remote -> host (vring0) */
} RPROC_ABI_PACKED;

_Static_assert(sizeof(struct rpmsg_hdr) == 16, "rpmsg_hdr ABI");
_Static_assert(offsetof(struct rpmsg_hdr, len) == 12, "rpmsg_hdr ABI");
_Static_assert(offsetof(struct rpmsg_hdr, flags) == 14, "rpmsg_hdr ABI");
_Static_assert(sizeof(struct rpmsg_ns_msg) == 40, "rpmsg_ns_msg ABI");
_Static_assert(offsetof(struct rpmsg_ns_msg, addr) == 32, "rpmsg_ns_msg ABI");
_Static_assert(sizeof(struct rpmsg_virtio_config) == 8, "rpmsg config ABI");

#endif /* RPROC_VIRTIO_ABI_H */
