// SPDX-License-Identifier: BSD-3-Clause
/*
 * The remote side of the link (rpfw/link.h; ABI rproc/link_abi.h;
 * docs/link.md).  Portable C11; platform hooks in rpfw/rpmsg_port.h.
 *
 * We write two lines of the shared memory, the producer line of the
 * remote -> host ring (tx) and the consumer line of the host -> remote
 * ring (rx), and the tx data area; every other word is the host's, read
 * once (volatile) into a local and checked before use.
 *
 * Version 2: the header is the ready word.  No head index crosses: the
 * consumer reads the word at its tail, 0 for "nothing yet" (no header is
 * 0), and the producer keeps a 0 stop word at its head.  Ordering: we
 * send a record (tx_commit()) as its payload, the stop word after it,
 * a release fence, then the header; a record that would cross the end
 * gets a pad to it, whose stop word (0 at position 0) is stored before
 * the same fence and the pad header after it.  We receive with an
 * acquire fence after each header we read (before its payload), and
 * publish our tail with a release fence before it (our reads of the
 * records come first).  A full fence only where a doorbell may be
 * wanted: after our record or tail, before the load of the other side's
 * event (which it stores before looking at the ring again).  A new
 * session of ours writes 0 at position 0 of the tx area before it is
 * published (renew()).
 *
 * Both lines of a ring have the index, the session word and the event at
 * the same offsets, so each ring is "our line" and "the host's line"
 * (struct rpfw_link_ring) and saying "left" or checking the other side's
 * event is the same code for both directions (the producer line's index
 * word is version 1's head: no longer written but by renew(), with 0).
 *
 * Receiving costs little per record: per record one load of the ready
 * word, the acquire fence, one bound check (to the end of the data area,
 * or of the room the host had: our published tail + size - 4, so a ring
 * full of stale headers is a violation) and one look at the slot its id
 * names (a free slot has id 0, which no
 * record names) before the callback; the host's session is read once per
 * pass.  Pads, control messages, dropped messages and violations leave
 * that path for rx_other().
 */
#include <stddef.h>
#include <stdint.h>

#include "rproc/link_abi.h"
#include "rproc/rsc_table.h"
#include "rpfw/link.h"
#include "rpfw/rpmsg_port.h"

/* The vendor and carveout bodies without "packed": a table and its
 * entries are 4-byte aligned (checked), so each field is one load on
 * every core (RV32 would assemble packed ones byte by byte). */
struct vendor {
	uint32_t version, flags, notify_h2r, notify_r2h, size_h2r, size_r2h;
};

struct carveout {
	uint32_t da, pa, len;
};

/* The words of a line (struct link_prod, struct link_cons). */
#define W_IDX 0 /* head / tail */
#define W_SES 1 /* session / ack */
#define W_EVT 2 /* space_event / data_event */

#define WORD(p) (*(volatile uint32_t *)(void *)(p))

#define SAME(a, b, f) (offsetof(a, f) == offsetof(b, f))
_Static_assert(SAME(struct vendor, struct fw_rsc_link, flags) &&
		       SAME(struct vendor, struct fw_rsc_link, notify_r2h) &&
		       SAME(struct vendor, struct fw_rsc_link, size_r2h),
	       "vendor");
_Static_assert(SAME(struct carveout, struct fw_rsc_carveout, da) &&
		       SAME(struct carveout, struct fw_rsc_carveout, len),
	       "carveout");
/* rx_drain() may read the word after the host -> remote data area: the
 * first word of our producer line (version 1's head; we write only 0) */
_Static_assert(LINK_OFF_R2H_PROD(0) == LINK_OFF_H2R_DATA && W_IDX == 0,
	       "our producer line follows the receive area");
_Static_assert(offsetof(struct link_prod, head) == 4 * W_IDX &&
		       offsetof(struct link_cons, tail) == 4 * W_IDX &&
		       offsetof(struct link_prod, session) == 4 * W_SES &&
		       offsetof(struct link_cons, ack) == 4 * W_SES &&
		       offsetof(struct link_prod, space_event) == 4 * W_EVT &&
		       offsetof(struct link_cons, data_event) == 4 * W_EVT,
	       "both lines alike");

/* struct rpfw_link_ept.pending */
#define P_BIND 1u
#define P_ACK 2u
#define P_UNBIND 4u /* destroyed while bound: the slot waits for room */

/* In the id of a destroyed endpoint whose UNBIND waits: no record's id
 * (16 bits) matches it, and the slot stays taken. */
#define ID_DYING 0x10000u

/* Endpoint ids: slot + 1 in the low byte, a generation that changes at
 * each creation in the high one, so a message the host sent to an
 * endpoint destroyed meanwhile does not reach the next one in its slot.
 * A low byte past the slots is a violation.  A free slot's id is 0. */
#define ID_SLOT(id) (((id)&0xFFu) - 1u)
/* l->hot_id when no endpoint is l->hot: no record's id (16 bits) */
#define ID_NONE 0xFFFFFFFFu
#define END(l) ((l)->ept + RPFW_LINK_MAX_EPT)

#if defined(__GNUC__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
#else
#define likely(x) (x)
#define unlikely(x) (x)
#define NOINLINE
#endif

static void event(struct rpfw_link *l, int ev, struct rpfw_link_ept *e)
{
	if (l->event)
		l->event(l, ev, e);
}

/* Ring the host now, unless inside a poll (which rings once at its end). */
static void kick(struct rpfw_link *l)
{
	if (l->kick && !l->busy) {
		l->kick = 0;
		rpfw_port_notify(l->port, l->notify_id);
	}
}

/* What a call gets while the link is not up: the sticky error, if any. */
static int down_err(const struct rpfw_link *l)
{
	return l->err ? l->err : RPFW_ENOTCONN;
}

/* "Left" (or "restarting"): session 0 and ack 0 in our lines. */
static void say_left(struct rpfw_link *l)
{
	l->tx.mine[W_SES] = 0;
	l->rx.mine[W_SES] = 0;
	l->kick = 1;
}

/* The host broke the protocol: stop for good (the host sees us leave;
 * rx_drain() stops at the record, or the callback, that found it: no
 * record fits below rx_end any more). */
static void fail(struct rpfw_link *l)
{
	if (!l->err) {
		l->err = RPFW_EPROTO;
		l->up = 0;
		say_left(l);
	}
	l->rx_end = l->rx.data;
}

/*
 * Our index of ring @r moved from @old to @idx (records written, or read
 * and the tail stored; interrupts masked): a doorbell if that passed the
 * host's event.  The full fence orders our stores before the load of its
 * event, which it stores before it looks at the ring again.
 */
static void kick_past(struct rpfw_link *l, struct rpfw_link_ring *r,
		      uint32_t idx, uint32_t old)
{
	rpfw_port_mb();
	if (link_need_event(r->theirs[W_EVT], idx, old))
		l->kick = 1;
}

/*
 * A new session of ours (interrupts masked): a number that is neither 0
 * nor what the host acknowledges now, our producer and consumer state
 * back to 0 and 0 at position 0 of the tx area, where the host starts
 * reading (the session word says "restarting" meanwhile, so the host
 * reads nothing of the old one with the new one), every endpoint unbound
 * and to be announced again.  @stale: the host session not to
 * accept, the one before.
 */
static void renew(struct rpfw_link *l, uint32_t stale)
{
	uint32_t s = l->me + 1, a = l->tx.theirs[W_SES];
	struct rpfw_link_ept *e;

	while (!s || s == a)
		s++;
	say_left(l);
	rpfw_port_wmb();
	l->tx.mine[W_IDX] = 0;
	l->tx.mine[W_EVT] = LINK_EVENT_NONE;
	l->rx.mine[W_IDX] = 0;
	l->rx.mine[W_EVT] = 0;
	WORD(l->tx.data) = 0; /* the stop word of the new session */
	rpfw_port_wmb();
	l->tx.mine[W_SES] = s;
	l->me = s;
	l->peer = 0;
	l->stale = stale;
	l->up = 0;
	l->tx.idx = l->tx.peer = l->rx.idx = l->rx.peer = 0;
	l->resv_len = 0;
	for (e = l->ept; e < END(l); e++) {
		e->remote = 0;
		if (e->id & ID_DYING)
			e->id = 0; /* the host forgets it with the session */
		e->pending = e->id ? P_BIND : 0;
	}
	l->pend = 1;
}

/*
 * Follow the host's session @s and its ack @a of ours (interrupts masked;
 * sync() has the fast path): a change of its session (or of its ack
 * while up) is a reset; a new session is accepted (our tail for it at 0,
 * then the ack); up once it acknowledged ours.  Returns 1 up, 0 not yet,
 * or the sticky error.
 */
static NOINLINE int sync_slow(struct rpfw_link *l, uint32_t s, uint32_t a)
{
	struct rpfw_link_ring *r = &l->rx;

	if (l->err)
		return l->err;
	if ((l->peer && s != l->peer) || (l->up && a != l->me)) {
		renew(l, l->peer);
		event(l, RPFW_LINK_EV_RESET, NULL);
	}
	if (!l->peer && s && s != l->stale) {
		r->mine[W_IDX] = 0;
		r->mine[W_EVT] = 0;
		rpfw_port_wmb();
		r->mine[W_SES] = s;
		l->peer = s;
		r->idx = r->peer = 0;
		l->kick = 1;
		/* its session before the ring: it wrote 0 at position 0
		 * before publishing it */
		rpfw_port_rmb();
	}
	if (!l->up && l->peer && a == l->me) {
		l->up = 1;
		event(l, RPFW_LINK_EV_UP, NULL);
	}
	return l->up;
}

static inline int sync(struct rpfw_link *l)
{
	uint32_t s = l->rx.theirs[W_SES], a = l->tx.theirs[W_SES];

	if (l->up && s == l->peer && a == l->me)
		return 1; /* up (so no error) and nothing changed */
	return sync_slow(l, s, a);
}

/*
 * Room for a record of @len payload bytes and its stop word (interrupts
 * masked).  A record that would cross the end starts at position 0, after
 * a pad to the end (written by tx_commit()).  l->resv: the head where the
 * record starts.  Without room the host's tail is read (between two reads
 * of its ack: a restarting host zeroes the ack before the tail) and
 * checked (forward, not past our head, in whole words); still without,
 * the host is asked for a doorbell once it freed enough, and the tail
 * read once more.
 */
static int tx_reserve(struct rpfw_link *l, uint32_t len)
{
	struct rpfw_link_ring *r = &l->tx;
	uint32_t size = r->mask + 1, head = r->idx, pos = head & r->mask;
	uint32_t rec = LINK_REC_SIZE(len), end = size - pos;
	uint32_t need = (rec > end ? end + rec : rec) + LINK_HDR_LEN, a, t;
	int look = 0;

	if (!l->up)
		return down_err(l);
	if (l->resv_len)
		return RPFW_EBUSY;
	if (len > l->mtu)
		return RPFW_EMSGSIZE;
	while (size - (head - r->peer) < need) {
		if (look++) {
			if (look > 2)
				return RPFW_EAGAIN;
			r->mine[W_EVT] = head + need - size - 1;
			rpfw_port_mb();
		}
		a = r->theirs[W_SES];
		rpfw_port_rmb();
		t = r->theirs[W_IDX];
		rpfw_port_rmb();
		if (a != l->me || r->theirs[W_SES] != l->me)
			return RPFW_ENOTCONN; /* the host restarts: sync() sees */
		if (t - r->peer > head - r->peer || (t & 3)) {
			fail(l);
			return RPFW_EPROTO;
		}
		r->peer = t;
	}
	l->resv = rec > end ? head + end : head;
	return 0;
}

/* The reserved record (its header; the payload follows). */
static inline uint8_t *tx_rec(struct rpfw_link *l)
{
	return l->tx.data + (l->resv & l->tx.mask);
}

/*
 * Publish the reserved record @p, its payload written (interrupts
 * masked): the stop word after it, and 0 at @p, then the release fence,
 * then the pad before it if any, and its header.  (0 at @p: when a pad
 * precedes, position 0 is the pad's stop word, and holds a header of the
 * last lap until then; else it is our stop word already.)  A doorbell if
 * the host waits for data (its event against our head before the pad).
 */
static void tx_commit(struct rpfw_link *l, uint8_t *p, uint32_t id,
		      uint32_t len)
{
	struct rpfw_link_ring *r = &l->tx;
	uint32_t old = r->idx, head = l->resv + LINK_REC_SIZE(len);

	WORD(r->data + (head & r->mask)) = 0;
	WORD(p) = 0;
	rpfw_port_wmb();
	if (l->resv != old)
		WORD(r->data + (old & r->mask)) = LINK_REC(LINK_EPT_PAD, 0);
	WORD(p) = LINK_REC(id, len);
	r->idx = head;
	kick_past(l, r, head, old);
}

static int ctl_send(struct rpfw_link *l, uint32_t op, struct rpfw_link_ept *e)
{
	struct link_ctl *m;
	uint8_t *p;
	uint32_t i;
	char ch = 1;
	int ret = tx_reserve(l, sizeof(*m));

	if (ret)
		return ret;
	p = tx_rec(l);
	m = (struct link_ctl *)(void *)(p + LINK_HDR_LEN);
	m->op = op;
	m->id = e->id & ~ID_DYING;
	/* the name, NUL-padded (at most 31 bytes: checked at creation) */
	for (i = 0; i < LINK_NAME_LEN; i++) {
		ch = ch ? e->name[i] : 0;
		m->name[i] = ch;
	}
	tx_commit(l, p, LINK_EPT_CTL, sizeof(*m));
	return 0;
}

/*
 * Send the announcements and acknowledgements the endpoints owe, in slot
 * order, as far as there is room (interrupts masked).  Returns 0 (all
 * sent, or the link not up: they go when it is), or why one could not go.
 */
static int ctl_flush(struct rpfw_link *l)
{
	struct rpfw_link_ept *e;
	int ret;

	if (!l->pend || !l->up)
		return 0;
	for (e = l->ept; e < END(l); e++)
		if (e->pending) {
			ret = ctl_send(l,
				       e->pending & P_BIND  ? LINK_CTL_BIND
				       : e->pending & P_ACK ? LINK_CTL_ACK
							    : LINK_CTL_UNBIND,
				       e);
			if (ret)
				return ret;
			if (e->pending == P_UNBIND)
				e->id = 0; /* told: the slot is free */
			e->pending = 0;
		}
	l->pend = 0;
	return 0;
}

/*
 * Room for @len bytes from @e (interrupts masked).  The control messages
 * owed (@e's ACK, its announcement, and those of the slots before it) go
 * first, so nothing sent after the binding overtakes them.
 */
static inline __attribute__((always_inline)) int
tx_begin(struct rpfw_link_ept *e, uint32_t len)
{
	struct rpfw_link *l = e->link;
	int ret;

	if (!e->remote)
		return down_err(l);
	if (e->pending && (ret = ctl_flush(l)))
		return ret;
	return tx_reserve(l, len);
}

/* The endpoint named @name (LINK_NAME_LEN bytes, maybe unterminated: an
 * unterminated name matches none), or NULL. */
static struct rpfw_link_ept *ept_by_name(struct rpfw_link *l, const char *name)
{
	struct rpfw_link_ept *e;
	uint32_t i;
	char c;

	for (e = l->ept; e < END(l); e++)
		for (i = 0; e->cb && i < LINK_NAME_LEN; i++) {
			c = name[i];
			if (e->name[i] != c)
				break;
			if (!c)
				return e;
		}
	return NULL;
}

/* A control message (read once into locals); malformed ones and names
 * we do not have are dropped. */
static void ctl_rx(struct rpfw_link *l, const uint8_t *data, uint32_t len)
{
	const volatile struct link_ctl *m = (const volatile void *)data;
	struct rpfw_link_ept *e;
	char name[LINK_NAME_LEN];
	uint32_t op, id, i;

	if (len != sizeof(*m))
		return;
	op = m->op;
	id = m->id;
	for (i = 0; i < LINK_NAME_LEN; i++)
		name[i] = m->name[i];
	if (!id || id > LINK_EPT_MAX || op - 1 > LINK_CTL_UNBIND - 1 ||
	    !(e = ept_by_name(l, name)))
		return;
	if (op == LINK_CTL_UNBIND) {
		if (e->remote == id) {
			e->remote = 0;
			event(l, RPFW_LINK_EV_UNBOUND, e);
		}
		return;
	}
	if (op == LINK_CTL_BIND) {
		e->pending |= P_ACK;
		l->pend = 1;
	}
	if (e->remote != id) {
		e->remote = id;
		event(l, RPFW_LINK_EV_BOUND, e);
	}
}

/*
 * A record the fast path of rx_drain() does not deliver (interrupts
 * masked): a pad, a control message, one for a free slot or for an
 * earlier endpoint of its slot (dropped), or a violation.  @q: the record
 * (at @q, an index's position), @h its header, @room the bytes from @q
 * to the end of the data area or to the end of the room the host had,
 * whichever comes first: the record must not cross it; a pad skips to
 * the end of the area, which must be within that room, and is a
 * violation at position 0 (a producer never needs one there).  Returns
 * its size (a violation: after fail(), anything).
 */
static uint32_t rx_other(struct rpfw_link *l, uint32_t h, uint8_t *q,
			 uint32_t room)
{
	uint32_t id = LINK_REC_EPT(h), len = LINK_REC_PLEN(h);
	uint32_t rec = LINK_REC_SIZE(len);

	if (id == LINK_EPT_PAD) {
		if (q != l->rx.data &&
		    room == l->rx.mask + 1 - (uint32_t)(q - l->rx.data))
			return room;
	} else if (rec <= room && id == LINK_EPT_CTL) {
		ctl_rx(l, q + LINK_HDR_LEN, len);
		return rec;
	} else if (rec <= room && ID_SLOT(id) < RPFW_LINK_MAX_EPT) {
		return rec; /* destroyed meanwhile: dropped */
	}
	fail(l);
	return 0;
}

/*
 * The end of a polled pass (rpfw_link_set_polled()) that read up to
 * @tail: published only when the host waits for room past what we
 * published (its space_event, in the line we read its session from),
 * with a doorbell, or when a quarter of the ring is unpublished; no
 * doorbell armed for us.  Every polled pass gets here, one that took
 * nothing too.  Returns @n.
 */
static int publish_polled(struct rpfw_link *l, uint32_t tail, int n)
{
	struct rpfw_link_ring *r = &l->rx;
	uint32_t pub = r->peer;
	int ev = link_need_event(r->theirs[W_EVT], tail, pub);

	r->idx = tail;
	if (ev || tail - pub >= (r->mask + 1) / 4) {
		/* our reads of the records before the tail frees them */
		rpfw_port_wmb();
		r->mine[W_IDX] = tail;
		r->peer = tail;
		l->kick |= (uint32_t)ev;
	}
	return n;
}

/* Where the records read from @tail on must end (rx_drain()): the end
 * of the data area, the room the host had (@lim) or a ring's worth from
 * @start, whichever comes first. */
static inline uint32_t rx_limit(uint32_t tail, uint32_t mask, uint32_t lim,
				uint32_t start)
{
	uint32_t end = (tail | mask) + 1;

	if (lim - tail < end - tail)
		end = lim;
	if (start + mask + 1 - tail < end - tail)
		end = start + mask + 1;
	return end;
}

/*
 * Receive what the host wrote (interrupts masked), in passes: the host's
 * session checked (a change means it restarted under us, and *@again
 * asks for a sync first), then the records walked by their ready words
 * up to a 0, a record kept for later or the budget, then one tail store
 * per pass, the arm for the next doorbell (data_event) and one more look
 * at the word at the tail.  At most one ring's worth per call, so a host
 * that keeps producing cannot keep us here (interrupts masked) for ever:
 * past that, l->more asks the caller to poll again.  Returns the records
 * delivered (a violation: l->err).
 */
/* A pass of rx_drain() past its fast path (struct, so the fast path
 * keeps none of it in registers across the callbacks). */
struct rx_pass {
	uint8_t *q0;	/* where the records at tail start */
	uint32_t tail;	/* the index at q0 */
	uint32_t start; /* the index the poll started at */
	uint32_t lim;	/* records end before this index: the host's room */
	uint32_t end;	/* ... and before this one (rx_limit()) */
	int stop;	/* a record kept, or the budget reached */
};

/* Records from @tail on, up to p->end (rx_limit()): q0, tail, end set;
 * the fast path's bound in l->rx_end.  Returns where they start. */
static uint8_t *rx_from(struct rpfw_link *l, struct rx_pass *p, uint32_t tail)
{
	struct rpfw_link_ring *r = &l->rx;

	p->tail = tail;
	p->end = rx_limit(tail, r->mask, p->lim, p->start);
	p->q0 = r->data + (tail & r->mask);
	l->rx_end = p->q0 + (p->end - tail);
	return p->q0;
}

/*
 * The record at @q with header @h (0: the end of the area was reached)
 * did not take rx_drain()'s fast path: the budget reached (p->stop, more),
 * the end of the area (on from its start), nothing left (a 0 at the end
 * of the area and of the room), or rx_other() (a pad, a control message,
 * a dropped record, a violation).  Returns where to go on, or NULL to end
 * the pass at @q (p->tail its index; a violation: l->err).  Out of line:
 * the fast path keeps nothing of it in registers across the callbacks.
 */
static NOINLINE uint8_t *rx_edge(struct rpfw_link *l, struct rx_pass *p,
				 uint32_t h, uint8_t *q)
{
	uint32_t at = p->tail + (uint32_t)(q - p->q0);
	uint32_t size = l->rx.mask + 1, end = p->end;

	p->tail = at;
	p->q0 = q;
	/* a violation here or in a callback's send */
	if (l->err)
		return NULL;
	if (end == p->start + size &&
	    (LINK_REC_SIZE(LINK_REC_PLEN(h)) > end - at ||
	     LINK_REC_EPT(h) == LINK_EPT_PAD)) {
		l->more = 1; /* the budget: poll again */
		p->stop = 1;
		return NULL;
	}
	if (at == end && end != p->lim)
		return rx_from(l, p, at); /* the end of the area */
	if (!h)
		return NULL;
	q += rx_other(l, h, q, end - at);
	return l->err ? NULL : q;
}

/* rx_drain()'s look-up of endpoint @id when it is not l->hot_id's: one of
 * ours (then l->hot from now on) or not (0). */
static inline int ept_warm(struct rpfw_link *l, uint32_t id)
{
	uint32_t slot = ID_SLOT(id);

	if (slot >= RPFW_LINK_MAX_EPT || l->ept[slot].id != id)
		return 0;
	l->hot = &l->ept[slot];
	l->hot_id = id;
	return 1;
}

static int rx_drain(struct rpfw_link *l, int *again)
{
	struct rpfw_link_ring *r = &l->rx;
	uint32_t size = r->mask + 1, tail = r->idx, old;
	uint32_t h, id, len, rec;
	struct rpfw_link_ept *e;
	struct rx_pass p;
	uint8_t *q;
	int n = 0;

	p.start = tail;
	p.stop = 0;
	for (;;) {
		if (r->theirs[W_SES] != l->peer) {
			*again = 1;
			return n;
		}
		/* records end within the room the host had, our published
		 * tail + size - 4 (their stop word had to fit), and before
		 * the end of the area; and a poll reads at most a ring's worth
		 * (from p.start): p.end, the nearest of the three */
		p.lim = r->peer + size - LINK_HDR_LEN;
		q = rx_from(l, &p, tail);
		for (;;) {
			/* (at the end of the area this reads the first word
			 * of our producer line, which follows it: in the
			 * memory, and the rest below takes it whatever it
			 * holds) */
			h = WORD(q);
			if (unlikely(!h) && q != r->data + size)
				break;
			/* the header before what it covers */
			rpfw_port_rmb();
			id = LINK_REC_EPT(h);
			len = LINK_REC_PLEN(h);
			rec = LINK_REC_SIZE(len);
			/* the endpoint of the last record, or found now;
			 * (signed: rx_end is below q after a violation) */
			if (likely((id == l->hot_id || ept_warm(l, id)) &&
				   (intptr_t)rec <= l->rx_end - q)) {
				e = l->hot;
				if (e->cb(e, q + LINK_HDR_LEN, len, e->priv) ==
				    RPFW_EAGAIN) {
					p.stop = 1;
					break;
				}
				n++;
				q += rec;
			} else {
				q = rx_edge(l, &p, h, q);
				if (!q)
					break;
			}
		}
		if (unlikely(l->err))
			return n;
		tail = q ? p.tail + (uint32_t)(q - p.q0) : p.tail;
		if (l->polled)
			return publish_polled(l, tail, n);
		/* nothing to publish and the wish stands (or none is made):
		 * no store, which would take our line from the host */
		old = r->peer;
		if (tail == old && (p.stop || r->mine[W_EVT] == tail))
			return n;
		/* our reads of the records before the tail frees them; and,
		 * unless we stopped early, a doorbell for the next */
		rpfw_port_wmb();
		r->mine[W_IDX] = tail;
		r->idx = r->peer = tail;
		if (!p.stop)
			r->mine[W_EVT] = tail;
		kick_past(l, r, tail, old);
		if (p.stop || !WORD(r->data + (tail & r->mask)))
			return n;
	}
}

int rpfw_link_set_polled(struct rpfw_link *l, int on)
{
	l->polled = (uint32_t)on;
	return on ? 0 : rpfw_link_poll(l);
}

/*
 * Handshake and receive (interrupts masked by the caller or here: they
 * nest), then the control messages owed, then the doorbell this raised.
 */
int rpfw_link_poll(struct rpfw_link *l)
{
	uint32_t irq = rpfw_port_irq_save();
	int n = 0, again = 1, i;

	l->busy = 1;
	l->more = 0;
	/* a host restarting under us: follow it, a few times at most */
	for (i = 0; again && i < 4; i++) {
		again = 0;
		if (sync(l) >= 0 && l->peer)
			n += rx_drain(l, &again);
	}
	if (unlikely(l->pend))
		ctl_flush(l);
	l->busy = 0;
	kick(l);
	rpfw_port_irq_restore(irq);
	return l->err ? l->err : n;
}

int rpfw_link_notified(struct rpfw_link *l, uint32_t word)
{
	return word == l->kick_id ? rpfw_link_poll(l) : RPFW_ENOENT;
}

int rpfw_link_ready(struct rpfw_link *l)
{
	int ret = rpfw_link_poll(l);

	return ret < 0 ? ret : (int)l->up;
}

int rpfw_link_wait_ready(struct rpfw_link *l)
{
	uint32_t irq;
	int ret;

	do {
		/* masked from the poll to the idle: a doorbell after the
		 * check still wakes the idle */
		irq = rpfw_port_irq_save();
		ret = rpfw_link_ready(l);
		if (!ret)
			rpfw_port_idle();
		rpfw_port_irq_restore(irq);
	} while (!ret);
	return ret;
}

/* Our view of a ring whose producer line is at @prod, of @size bytes;
 * @tx: we produce. */
static void ring_init(struct rpfw_link_ring *r, uint8_t *prod, uint32_t size,
		      int tx)
{
	volatile uint32_t *p = (volatile uint32_t *)(void *)prod;
	volatile uint32_t *c = p + LINK_LINE / 4;

	r->mine = tx ? p : c;
	r->theirs = tx ? c : p;
	r->data = prod + 2 * LINK_LINE;
	r->mask = size - 1;
}

int rpfw_link_init(struct rpfw_link *l, const void *rsc, const void *shm,
		   void *port)
{
	const volatile struct vendor *v = rsc;
	const volatile struct carveout *c = shm;
	uint32_t n1, n2, da, irq;
	uint8_t *base;

	if (((uintptr_t)v | (uintptr_t)c) & 3)
		return RPFW_EINVAL;
	n1 = v->size_h2r;
	n2 = v->size_r2h;
	da = c->da;
	if (v->version != LINK_VERSION || v->flags || !link_size_ok(n1) ||
	    !link_size_ok(n2) || da == FW_RSC_ADDR_ANY ||
	    c->len < LINK_SHM_SIZE(n1, n2))
		return RPFW_EINVAL;
	base = rpfw_port_da_to_va(port, da);
	if (!base || ((uintptr_t)base & 3))
		return RPFW_EINVAL;
	*l = (struct rpfw_link){.port = port,
				.kick_id = v->notify_h2r,
				.notify_id = v->notify_r2h,
				.mtu = link_mtu(n2),
				.hot_id = ID_NONE};
	ring_init(&l->rx, base + LINK_OFF_H2R_PROD, n1, 0);
	ring_init(&l->tx, base + LINK_OFF_R2H_PROD(n1), n2, 1);
	irq = rpfw_port_irq_save();
	/* after the session of our previous life, and not accepting the
	 * host session it accepted (the host renews it when it sees us) */
	l->me = l->tx.mine[W_SES];
	renew(l, l->rx.mine[W_SES]);
	kick(l);
	rpfw_port_irq_restore(irq);
	return 0;
}

struct rpfw_link_ept *rpfw_link_create_ept(struct rpfw_link *l,
					   const char *name, rpfw_link_cb cb,
					   void *priv)
{
	struct rpfw_link_ept *e = NULL;
	uint32_t irq, i, n = 0;

	while (name && n < LINK_NAME_LEN && name[n])
		n++;
	if (!cb || !n || n >= LINK_NAME_LEN)
		return NULL;
	irq = rpfw_port_irq_save();
	for (i = 0; i < RPFW_LINK_MAX_EPT && l->ept[i].id; i++)
		;
	if (i < RPFW_LINK_MAX_EPT && !ept_by_name(l, name)) {
		e = &l->ept[i];
		e->link = l;
		e->cb = cb;
		e->priv = priv;
		e->name = name;
		e->remote = 0;
		e->pending = P_BIND;
		l->pend = 1;
		/* one generation on from the slot's previous endpoint (never
		 * the pad id: generations 0..254) */
		e->gen = e->gen < 254 ? e->gen + 1 : 0;
		e->id = (i + 1) | e->gen << 8;
		ctl_flush(l);
		kick(l);
	}
	rpfw_port_irq_restore(irq);
	return e;
}

void rpfw_link_destroy_ept(struct rpfw_link_ept *e)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();

	e->cb = NULL;
	l->hot_id = ID_NONE; /* (its id changes below) */
	if (e->remote) {
		/* UNBIND now, after what the slots before owe, or as soon
		 * as there is room (the slot stays taken until then) */
		e->remote = 0;
		e->id |= ID_DYING;
		e->pending = P_UNBIND;
		l->pend = 1;
		ctl_flush(l);
	} else {
		e->id = 0;
		e->pending = 0;
	}
	kick(l);
	rpfw_port_irq_restore(irq);
}

int rpfw_link_send(struct rpfw_link_ept *e, const void *data, uint32_t len)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();
	int ret = tx_begin(e, len);
	uint8_t *p;

	if (!ret) {
		p = tx_rec(l);
		__builtin_memcpy(p + LINK_HDR_LEN, data, len);
		tx_commit(l, p, e->remote, len);
		kick(l);
	}
	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_link_reserve(struct rpfw_link_ept *e, uint32_t len, void **buf)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();
	int ret;

	l->resv_len = 0; /* a reserve without commit is forgotten */
	ret = tx_begin(e, len);
	if (!ret) {
		l->resv_len = len + 1;
		*buf = tx_rec(l) + LINK_HDR_LEN;
	}
	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_link_commit(struct rpfw_link_ept *e, uint32_t n)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();
	int ret = RPFW_EINVAL;

	if (l->resv_len && n < l->resv_len) {
		l->resv_len = 0;
		ret = down_err(l);
		if (l->up && e->remote) {
			tx_commit(l, tx_rec(l), e->remote, n);
			kick(l);
			ret = 0;
		}
	}
	rpfw_port_irq_restore(irq);
	return ret;
}
