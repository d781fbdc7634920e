/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The remote side of the link, the alternative transport (docs/link.md,
 * ABI rproc/link_abi.h): one ring per direction in a shared carveout, a
 * doorbell word per direction, a session handshake, named endpoints.  No
 * heap: the caller provides the struct rpfw_link (static in firmware),
 * endpoints live in a fixed array of RPFW_LINK_MAX_EPT.  Portable C11:
 * the host builds it too, as a native remote (platform hooks:
 * rpfw/rpmsg_port.h).
 *
 * Use:
 *
 *	static struct rpfw_link link;
 *
 *	rpfw_link_init(&link, link_rsc, link_shm, NULL);  (publishes a session)
 *	ept = rpfw_link_create_ept(&link, "echo", echo_cb, NULL);
 *	rpfw_link_wait_ready(&link);		(optional: the host's session)
 *	... from the mailbox receive callback, for each word:
 *	rpfw_link_notified(&link, word);	(runs the callbacks)
 *
 * Sessions (docs/link.md has the state machine).  Init publishes a new
 * session number (the previous one in the shared memory plus one).  We
 * accept the host's session (our tail for it at 0, then the ack), unless
 * it is the one our previous life accepted: the host may not know yet that
 * we restarted.  The link is up once the host acknowledged ours.  When the
 * host restarts or leaves (its session changes, or its ack of ours while
 * up), every endpoint is unbound (RPFW_LINK_EV_RESET) and we publish a new
 * session too, so nothing of the old ones crosses.  Endpoints outlive
 * that: each is announced by name when the link comes up (and at creation
 * while up) and bound again when the host has one of that name.
 *
 * The host is untrusted.  Everything read from the shared memory is read
 * once (volatile) and checked: a record (its header is its ready word,
 * wire version 2) may not cross the end of the data area, a pad may not
 * stand at position 0, a record's endpoint id must name one of our
 * RPFW_LINK_MAX_EPT slots (low byte), the host's tail may not move
 * backwards or past our head nor be misaligned.  The first violation is
 * a sticky error (RPFW_EPROTO from every call; our lines say "left" so
 * the host notices); nothing outside the carveout is ever read or
 * written.  Messages to a free slot or to an earlier endpoint of a slot
 * (another generation in the high byte) and malformed control messages
 * are dropped.  A header whose payload the host did not write is
 * delivered with what is there: the length is checked, the bytes cannot
 * be.
 *
 * Context: every function but rpfw_link_wait_ready() may be called from
 * thread or interrupt context; each masks interrupts
 * (rpfw_port_irq_save) around what it shares with the receive path.
 * Receive and event callbacks run with interrupts masked, from
 * rpfw_link_notified(), rpfw_link_poll() or rpfw_link_wait_ready(); they
 * may send, create and destroy endpoints, but not call those three.
 * Return codes: RPFW_E* (negative Linux errno values).
 */
#ifndef RPFW_LINK_H
#define RPFW_LINK_H

#include <stdint.h>

#include "rproc/link_abi.h"
#include "rproc/rsc_table.h"
#include "rpfw/vring.h" /* RPFW_E* */

#ifndef RPFW_LINK_MAX_EPT
#define RPFW_LINK_MAX_EPT 8
#endif
_Static_assert(RPFW_LINK_MAX_EPT >= 1 && RPFW_LINK_MAX_EPT <= 255,
	       "RPFW_LINK_MAX_EPT: 1..255");

#define RPFW_EBUSY (-16)     /* a zero-copy record is reserved */
#define RPFW_EPROTO (-71)    /* the host broke the protocol (sticky) */
#define RPFW_ENOTCONN (-107) /* link not up, or the endpoint not bound */

/* Events (struct rpfw_link.event). */
enum {
	RPFW_LINK_EV_UP = 1,  /* both sessions accepted: traffic may flow */
	RPFW_LINK_EV_RESET,   /* the host restarted or left: all unbound */
	RPFW_LINK_EV_BOUND,   /* @ept bound to the host's endpoint */
	RPFW_LINK_EV_UNBOUND, /* the host destroyed @ept's peer */
};

struct rpfw_link;
struct rpfw_link_ept;

/*
 * A message for @ept: @len bytes at @data, in the ring, valid until the
 * callback returns.  Return 0 when done with it, or RPFW_EAGAIN to leave
 * it (and everything after it) in the ring: it is delivered again at the
 * next rpfw_link_notified() / _poll(), e.g. once rpfw_link_send() has
 * room again (a send that fails with RPFW_EAGAIN asks the host for a
 * doorbell when it frees space).  Interrupts are masked.
 */
typedef int (*rpfw_link_cb)(struct rpfw_link_ept *ept, void *data, uint32_t len,
			    void *priv);
/* Link events (RPFW_LINK_EV_*); @ept for BOUND and UNBOUND, else NULL. */
typedef void (*rpfw_link_event_cb)(struct rpfw_link *link, int event,
				   struct rpfw_link_ept *ept);

/* An endpoint.  Fields read-only for users. */
struct rpfw_link_ept {
	struct rpfw_link *link;
	rpfw_link_cb cb; /* NULL: free slot, or destroyed (UNBIND waiting) */
	void *priv;
	const char *name;
	uint32_t id;	  /* ours: slot + 1, generation << 8; 0 free slot */
	uint32_t remote;  /* the host's endpoint id, 0 while unbound */
	uint32_t pending; /* control messages to send */
	uint32_t gen;	  /* the generation of the slot's last endpoint */
};

/* One direction as this side sees it (rproc/link_abi.h): our line and
 * the host's (the producer's and the consumer's, whichever is ours; both
 * have the index, the session word and the event at the same offsets),
 * the data area.  Fields private. */
struct rpfw_link_ring {
	volatile uint32_t *mine;   /* tx: producer line; rx: consumer line */
	volatile uint32_t *theirs; /* the other one */
	uint8_t *data;
	uint32_t mask; /* size - 1 */
	uint32_t idx;  /* tx: our head (private: the stop word is there);
			* rx: our tail */
	uint32_t peer; /* tx: the host's tail, last seen (checked); rx: our
			* tail as published (idx unless polled) */
};

/* A link.  Fields private but event (set it after init).  Words only, the
 * busiest first: each a short load or store on Thumb-2 and RVC. */
struct rpfw_link {
	uint32_t up;	   /* the handshake is complete */
	uint32_t kick;	   /* ring the host at the end of this call */
	uint32_t busy;	   /* inside poll: kicks wait for its end */
	uint32_t pend;	   /* some endpoint has a control message pending */
	uint32_t more;	   /* the last poll stopped with records left */
	uint32_t polled;   /* rpfw_link_set_polled() */
	int32_t err;	   /* 0 or the sticky RPFW_E* error */
	uint32_t me;	   /* our session */
	uint32_t peer;	   /* the host's, accepted; 0 none */
	uint32_t stale;	   /* a host session not to accept (before ours) */
	uint32_t resv;	   /* zero copy: head where the record starts */
	uint32_t resv_len; /* and its reserved length + 1, 0 none */
	uint32_t mtu;	   /* link_mtu() of the tx ring */
	uint8_t *rx_end;   /* inside poll: where the records being read must
			     * end; the area's start after a violation */
	uint32_t hot_id;   /* the id of hot, or none of ours */
	struct rpfw_link_ept *hot; /* the last endpoint a record went to */
	uint32_t kick_id;	   /* the host rings us with this word */
	uint32_t notify_id;	   /* we ring the host with this one */
	struct rpfw_link_ring tx;  /* remote -> host */
	struct rpfw_link_ring rx;  /* host -> remote */
	void *port;
	rpfw_link_event_cb event;
	struct rpfw_link_ept ept[RPFW_LINK_MAX_EPT];
};

/*
 * Set up @link from the body of its RSC_VENDOR_LINK entry @rsc (a struct
 * fw_rsc_link, 4-byte aligned) and the body of the carveout it names,
 * @shm (a struct fw_rsc_carveout: the host wrote its da back), both in
 * the installed table; @port goes to the rpfw_port_* hooks.  Clears
 * @link (endpoints too), publishes a new session and rings the host.
 * Returns 0 or RPFW_EINVAL (version, flags, sizes, carveout unplaced,
 * too small or misaligned).
 */
int rpfw_link_init(struct rpfw_link *link, const void *rsc, const void *shm,
		   void *port);

/*
 * Handshake and receive what is pending (polled use).  One call consumes
 * at most one ring's worth, with interrupts masked: when the host keeps
 * producing, rpfw_link_pending() says that records are left, and the
 * caller polls again (preferably from thread context with interrupts
 * enabled in between, so that the timer and the watchdog heartbeat run).
 * Returns the messages delivered or the sticky error.
 */
int rpfw_link_poll(struct rpfw_link *link);

/*
 * Polled mode, for firmware that calls rpfw_link_poll() all the time
 * instead of waiting for doorbells.  While it is on, the remote asks the
 * host for no doorbells for what it sends, and tells the host how far it
 * read only when the host waits for room or when a quarter of the ring
 * has been read since it last told it; so a steady exchange writes
 * nothing to our consumer line, which the host reads at each send
 * (docs/link.md, "Polled mode").  Keep polling while it is on.  Turning
 * it off publishes what was read and arms the doorbell (a poll: the
 * callbacks may run in it).  Off after init.  Returns 0 (on) or
 * rpfw_link_poll()'s value (off).
 */
int rpfw_link_set_polled(struct rpfw_link *link, int on);

/* The host rang with @word (a mailbox word): RPFW_ENOENT if it is not
 * ours (it may be meant for someone else), else rpfw_link_poll(). */
int rpfw_link_notified(struct rpfw_link *link, uint32_t word);

/* The last poll left records for the next one (see rpfw_link_poll()). */
static inline int rpfw_link_pending(const struct rpfw_link *link)
{
	return link->more;
}

/* Poll once; 1 when the link is up, 0 not yet, or the sticky error. */
int rpfw_link_ready(struct rpfw_link *link);
/* Poll and idle (rpfw_port_idle: wfi) until rpfw_link_ready() is not 0;
 * returns its value.  Thread context. */
int rpfw_link_wait_ready(struct rpfw_link *link);

/*
 * Take a free endpoint slot named @name (kept by pointer; 1..31 bytes,
 * unique) calling @cb(..., @priv).  It is announced to the host when the
 * link is up (now, or when it comes up).  Returns the endpoint, or NULL:
 * @cb or @name missing, name too long or in use, no free slot.
 */
struct rpfw_link_ept *rpfw_link_create_ept(struct rpfw_link *link,
					   const char *name, rpfw_link_cb cb,
					   void *priv);
/*
 * No more callbacks for @ept; if it is bound, tell the host (UNBIND) at
 * once or, when the ring has no room, as soon as it has (a poll or a send
 * flushes it): the slot, and @name, stay taken until then.  A new session
 * forgets it.
 */
void rpfw_link_destroy_ept(struct rpfw_link_ept *ept);

/*
 * Send a copy of @len bytes at @data to @ept's peer.  Rings the host if it
 * waits for data (from a callback: once, at the end of the poll).
 * Returns 0, RPFW_ENOTCONN (link down or @ept not bound), RPFW_EMSGSIZE
 * (above rpfw_link_mtu()), RPFW_EAGAIN (no room: the host is asked for a
 * doorbell when it frees some), RPFW_EBUSY (a zero-copy record is
 * reserved), or the sticky error.
 */
int rpfw_link_send(struct rpfw_link_ept *ept, const void *data, uint32_t len);

/*
 * Zero copy: reserve room for up to @len bytes and get where they go
 * (*@buf, 4-byte aligned, in the ring); fill it, then commit @n <= @len
 * bytes to @ept's peer.  Until the commit other sends fail with
 * RPFW_EBUSY; a reserve without commit is forgotten by the next reserve.
 * Reserve returns what rpfw_link_send() would; commit returns 0,
 * RPFW_EINVAL (nothing reserved, @n too big), RPFW_ENOTCONN (the link
 * went down meanwhile: the record is dropped), or the sticky error.
 */
int rpfw_link_reserve(struct rpfw_link_ept *ept, uint32_t len, void **buf);
int rpfw_link_commit(struct rpfw_link_ept *ept, uint32_t n);

/* The largest payload the host can be sent (0 before init). */
static inline uint32_t rpfw_link_mtu(const struct rpfw_link *link)
{
	return link->mtu;
}

static inline int rpfw_link_bound(const struct rpfw_link_ept *ept)
{
	return ept->remote != 0;
}

#endif /* RPFW_LINK_H */
