/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The alternative transport ("link", docs/link.md): the binary ABI the host
 * library (src/link, include/rproc/link.h) and the firmware library
 * (firmware/lib/link.c, rpfw/link.h) share.  Not virtio: one
 * single-producer/single-consumer byte ring per direction in a shared
 * carveout, a doorbell word per direction, a session handshake that lets
 * each side see the other restart, and named endpoints bound through a
 * control endpoint.  Native byte order (little-endian on every remote we
 * support).  Depends on <stdint.h>, <stddef.h> and rproc/rsc_table.h only:
 * the firmware build copies it like virtio_abi.h.
 *
 * Description: a vendor resource RSC_VENDOR_LINK in the firmware's table
 * (struct fw_rsc_link) names a normal RSC_CARVEOUT of the same table that
 * holds the shared memory; the host allocates (or merges) that carveout
 * like any other and writes its da/pa back, the firmware uses the da.
 *
 * Shared memory, from the start of the carveout (every part 64-byte
 * aligned relative to it; one writer per 64-byte line):
 *
 *	0                   header (host writes at prepare; informational)
 *	64                  h2r producer line (host)
 *	128                 h2r consumer line (remote)
 *	192                 h2r data, size_h2r bytes
 *	192 + h2r           r2h producer line (remote)
 *	256 + h2r           r2h consumer line (host)
 *	320 + h2r           r2h data, size_r2h bytes
 *	320 + h2r + r2h     end (LINK_SHM_SIZE)
 *
 * Sessions: each side publishes its session number in its producer line
 * and acknowledges the other's in its consumer line (after resetting its
 * tail for it); a change of either is the other side restarting.  The
 * handshake, and why the host accepts second, is in docs/link.md.
 *
 * Indices (head, tail) are free-running 32-bit byte counts; the position
 * in the data area is index & (size - 1).  A record is a 32-bit header
 * (LINK_REC: endpoint id in the upper 16 bits, payload length in the
 * lower 16) and the payload, padded to 4 bytes.  A record never crosses
 * the end of the data area: when it would not fit, the producer writes a
 * pad header (endpoint LINK_EPT_PAD) and the record starts again at
 * position 0; the consumer skips from a pad header to the end.
 *
 * The header is the record's ready word (version 2): the consumer reads
 * the word at its tail, and 0 (no record has header 0) means "nothing
 * yet".  The producer keeps a 0 "stop word" at its head: it writes the
 * payload, then 0 at the position the next record will start at (index
 * head + LINK_REC_SIZE(len); position 0 when that is the end of the
 * area), then the header with release order; for a pad, 0 at position 0,
 * then the pad header (release).  So the word at the consumer's tail is
 * always either 0 or a header published after everything it covers, and
 * a message crosses from one core to the other in the lines it occupies
 * only: the consumer reads no index.  A record needs its size plus 4
 * bytes (the stop word) of room.  The producer's head is its own; the
 * head word of its line (version 1) is no longer written.  A new session
 * of the producer starts with 0 at position 0 (written before the session
 * is published).
 */
#ifndef RPROC_LINK_ABI_H
#define RPROC_LINK_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "rproc/rsc_table.h"

/* The vendor resource type of a link description (RSC_VENDOR_START..END). */
#define RSC_VENDOR_LINK 0x180u

#define LINK_VERSION 2u	       /* 2: the header is the ready word */
#define LINK_MAGIC 0x4B4E494Cu /* "LINK" */
#define LINK_LINE 64u	       /* one writer per line of this size */
#define LINK_NAME_LEN 32u      /* endpoint and carveout names, NUL included */

/* Data area sizes: a power of two in LINK_RING_MIN..LINK_RING_MAX. */
#define LINK_RING_MIN 64u
#define LINK_RING_MAX (1u << 30)

/*
 * The body of an RSC_VENDOR_LINK entry (64 bytes after the type word).
 * Written by the firmware, read by both; the host writes nothing here.
 */
struct fw_rsc_link {
	uint32_t version;     /* LINK_VERSION */
	uint32_t flags;	      /* 0 */
	uint32_t notify_h2r;  /* the word the host rings the remote with */
	uint32_t notify_r2h;  /* the word the remote rings the host with */
	uint32_t size_h2r;    /* data bytes of the host -> remote ring */
	uint32_t size_r2h;    /* data bytes of the remote -> host ring */
	uint32_t reserved[2]; /* 0 */
	uint8_t carveout[LINK_NAME_LEN]; /* the RSC_CARVEOUT with the memory */
} RPROC_RSC_PACKED;

/* Informational header at offset 0 (for debuggers and dumps; neither side
 * depends on it: the geometry comes from the resource table). */
struct link_shm_hdr {
	uint32_t magic;	  /* LINK_MAGIC */
	uint32_t version; /* LINK_VERSION */
	uint32_t size_h2r, size_r2h;
	uint32_t reserved[12];
};

/*
 * The producer's line of a ring.  session: the producer's session number,
 * 0 while it (re)starts or after it left; never 0 otherwise.  head:
 * unused since version 2 (0; the records carry their own ready word).
 * space_event: the producer wants a doorbell once the consumer's tail
 * passes it (set when the ring is too full; see link_need_event()).  In a
 * steady exchange nobody writes this line, so reading it costs nothing.
 */
struct link_prod {
	uint32_t head; /* unused (version 1's head) */
	uint32_t session;
	uint32_t space_event;
	uint32_t reserved[13];
};

/*
 * The consumer's line.  ack: the producer session this consumer accepted
 * (after resetting its tail to 0), 0 while it (re)starts or after it
 * left.  tail: bytes consumed; published with release order after the
 * records were read.  data_event: the consumer wants a doorbell once the
 * producer's head passes it (set to the tail when it goes idle; the
 * producer compares it with its own head).
 */
struct link_cons {
	uint32_t tail;
	uint32_t ack;
	uint32_t data_event;
	uint32_t reserved[13];
};

/* A space_event value no tail reaches soon (a producer that waits for
 * nothing). */
#define LINK_EVENT_NONE 0x80000000u

/* Record header: endpoint id and payload length. */
#define LINK_REC(ept, len) (((uint32_t)(ept) << 16) | ((uint32_t)(len)&0xFFFFu))
#define LINK_REC_EPT(h) ((uint32_t)(h) >> 16)
#define LINK_REC_PLEN(h) ((uint32_t)(h)&0xFFFFu)
/* Bytes a record of @len payload bytes takes: header, payload, padding. */
#define LINK_REC_SIZE(len) (((uint32_t)(len) + 7u) & ~3u)
#define LINK_HDR_LEN 4u

/* Endpoint ids in records: 0 the control endpoint, 1..LINK_EPT_MAX the
 * receiver's own endpoints, LINK_EPT_PAD a pad record. */
#define LINK_EPT_CTL 0u
#define LINK_EPT_MAX 0xFFFEu
#define LINK_EPT_PAD 0xFFFFu

/*
 * Control messages (endpoint 0, exactly 40 bytes).  Each side announces
 * every endpoint of its own with BIND when the link comes up and when it
 * creates one while up; the other side, if it has an endpoint of that
 * name, binds it to @id (its sends go to @id) and answers ACK with its
 * own id.  UNBIND: the sender destroyed its endpoint @id of that name.
 */
#define LINK_CTL_BIND 1u
#define LINK_CTL_ACK 2u
#define LINK_CTL_UNBIND 3u

struct link_ctl {
	uint32_t op; /* LINK_CTL_* */
	uint32_t id; /* the sender's endpoint id, 1..LINK_EPT_MAX */
	char name[LINK_NAME_LEN]; /* NUL-terminated, not empty */
};

/* Offsets of the parts of the shared memory (see the top). */
#define LINK_OFF_HDR 0u
#define LINK_OFF_H2R_PROD LINK_LINE
#define LINK_OFF_H2R_CONS (2u * LINK_LINE)
#define LINK_OFF_H2R_DATA (3u * LINK_LINE)
#define LINK_OFF_R2H_PROD(h2r) (3u * LINK_LINE + (h2r))
#define LINK_OFF_R2H_CONS(h2r) (4u * LINK_LINE + (h2r))
#define LINK_OFF_R2H_DATA(h2r) (5u * LINK_LINE + (h2r))
/* The bytes the carveout must have at least.  Sizes within LINK_RING_MAX
 * keep it below 2^32. */
#define LINK_SHM_SIZE(h2r, r2h) (5u * LINK_LINE + (h2r) + (r2h))

/* Is @size a valid data area size? */
static inline int link_size_ok(uint32_t size)
{
	return size >= LINK_RING_MIN && size <= LINK_RING_MAX &&
	       !(size & (size - 1));
}

/*
 * The largest payload one message can carry through a data area of @size
 * bytes: a record and its stop word must fit in half the ring (then the
 * producer can always place them once the consumer caught up, pad
 * included), and its length in 16 bits.
 */
static inline uint32_t link_mtu(uint32_t size)
{
	uint32_t m = size / 2 - 2 * LINK_HDR_LEN;

	return m < 0xFFFFu ? m : 0xFFFFu;
}

/*
 * Did an index moving from @old to @now pass @event?  (virtio's
 * vring_need_event() on 32 bits: true when @event is in [old, now).)
 */
static inline int link_need_event(uint32_t event, uint32_t now, uint32_t old)
{
	return (uint32_t)(now - event - 1u) < (uint32_t)(now - old);
}

_Static_assert(sizeof(struct fw_rsc_link) == 64, "fw_rsc_link");
_Static_assert(offsetof(struct fw_rsc_link, notify_h2r) == 8, "fw_rsc_link");
_Static_assert(offsetof(struct fw_rsc_link, size_h2r) == 16, "fw_rsc_link");
_Static_assert(offsetof(struct fw_rsc_link, carveout) == 32, "fw_rsc_link");
_Static_assert(sizeof(struct link_shm_hdr) == LINK_LINE, "link_shm_hdr");
_Static_assert(sizeof(struct link_prod) == LINK_LINE, "link_prod");
_Static_assert(sizeof(struct link_cons) == LINK_LINE, "link_cons");
_Static_assert(offsetof(struct link_prod, session) == 4, "link_prod");
_Static_assert(offsetof(struct link_prod, space_event) == 8, "link_prod");
_Static_assert(offsetof(struct link_cons, ack) == 4, "link_cons");
_Static_assert(offsetof(struct link_cons, data_event) == 8, "link_cons");
_Static_assert(sizeof(struct link_ctl) == 40, "link_ctl");
_Static_assert(offsetof(struct link_ctl, name) == 8, "link_ctl");
_Static_assert(LINK_SHM_SIZE(LINK_RING_MAX, LINK_RING_MAX) > LINK_RING_MAX,
	       "LINK_SHM_SIZE fits in 32 bits");

#endif /* RPROC_LINK_ABI_H */
