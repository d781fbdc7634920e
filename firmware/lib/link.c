// SPDX-License-Identifier: BSD-3-Clause
/*
 * The remote side of the link (rpfw/link.h; ABI rproc/link_abi.h;
 * docs/link.md).  Portable C11; platform hooks in rpfw/rpmsg_port.h.
 *
 * We write two lines of the shared memory: the producer line of the
 * remote -> host ring (tx) and the consumer line of the host -> remote
 * ring (rx); every other word is the host's, read once (volatile) into a
 * local and checked before use.  Ordering: a release fence before each
 * index we publish (the records, or our reads of them, come first), an
 * acquire fence after each index we read, and a full fence only where a
 * doorbell is armed (our index store before the load of the other side's
 * wish, which it stores before loading our index).
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

/* The parts of a ring (struct rpfw_link_ring). */
#define PROD(r) ((volatile struct link_prod *)(void *)(r)->line)
#define CONS(r) ((volatile struct link_cons *)(void *)((r)->line + LINK_LINE))
#define DATA(r) ((r)->line + 2 * LINK_LINE)

#define SAME(a, b, f) (offsetof(a, f) == offsetof(b, f))
_Static_assert(SAME(struct vendor, struct fw_rsc_link, flags) &&
		       SAME(struct vendor, struct fw_rsc_link, notify_r2h) &&
		       SAME(struct vendor, struct fw_rsc_link, size_r2h),
	       "vendor");
_Static_assert(SAME(struct carveout, struct fw_rsc_carveout, da) &&
		       SAME(struct carveout, struct fw_rsc_carveout, len),
	       "carveout");

/* struct rpfw_link_ept.pending */
#define P_BIND 1u
#define P_ACK 2u

/* Endpoint ids: slot + 1 in the low byte, a generation that changes at
 * each creation in the high one, so a message the host sent to an
 * endpoint destroyed meanwhile does not reach the next one in its slot.
 * A low byte past the slots is a violation. */
#define ID_SLOT(id) (((id)&0xFFu) - 1u)
#define END(l) ((l)->ept + RPFW_LINK_MAX_EPT)

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

/* Stop for good; "left" in both our lines tells the host. */
static int fail(struct rpfw_link *l, int err)
{
	if (!l->err) {
		l->err = (int8_t)err;
		l->up = 0;
		PROD(&l->tx)->session = 0;
		CONS(&l->rx)->ack = 0;
		l->kick = 1;
	}
	return l->err;
}

/*
 * A new session of ours (interrupts masked): a number that is neither 0
 * nor what the host acknowledges now, our producer and consumer state
 * back to 0 (the session word says "restarting" meanwhile, so the host
 * reads no index of the old one with the new one), every endpoint
 * unbound and to be announced again.  @stale: the host session not to
 * accept, the one before.
 */
static void renew(struct rpfw_link *l, uint32_t stale)
{
	volatile struct link_prod *p = PROD(&l->tx);
	volatile struct link_cons *c = CONS(&l->rx);
	uint32_t s = l->me + 1, a = CONS(&l->tx)->ack;
	struct rpfw_link_ept *e;

	while (!s || s == a)
		s++;
	p->session = 0;
	c->ack = 0;
	rpfw_port_wmb();
	p->head = 0;
	p->space_event = LINK_EVENT_NONE;
	c->tail = 0;
	c->data_event = 0;
	rpfw_port_wmb();
	p->session = s;
	l->me = s;
	l->peer = 0;
	l->stale = stale;
	l->up = 0;
	l->tx.idx = l->tx.peer = l->rx.idx = 0;
	l->resv_len = 0;
	for (e = l->ept; e < END(l); e++) {
		e->remote = 0;
		e->pending = P_BIND;
	}
	l->pend = 1;
	l->kick = 1;
}

/*
 * Follow the host's session (interrupts masked): a change of its session
 * (or of its acknowledgement of ours while up) is a reset; a new session
 * is accepted (our tail for it at 0, then the ack); up once it
 * acknowledged ours.  Returns 1 up, 0 not yet, or the sticky error.
 */
static int sync(struct rpfw_link *l)
{
	volatile struct link_cons *c = CONS(&l->rx);
	uint32_t s = PROD(&l->rx)->session, a = CONS(&l->tx)->ack;

	if (l->err)
		return l->err;
	if ((l->peer && s != l->peer) || (l->up && a != l->me)) {
		renew(l, l->peer);
		event(l, RPFW_LINK_EV_RESET, NULL);
	}
	if (!l->peer && s && s != l->stale) {
		c->tail = 0;
		c->data_event = 0;
		rpfw_port_wmb();
		c->ack = s;
		l->peer = s;
		l->rx.idx = 0;
		l->kick = 1;
	}
	if (!l->up && l->peer && a == l->me) {
		l->up = 1;
		event(l, RPFW_LINK_EV_UP, NULL);
	}
	return l->up;
}

/*
 * The host's tail (interrupts masked), read between two reads of its ack
 * (a restarting host zeroes the ack before the tail) and checked: it moves
 * forward, not past our head, in whole words.
 */
static int tx_tail(struct rpfw_link *l)
{
	struct rpfw_link_ring *r = &l->tx;
	volatile struct link_cons *c = CONS(r);
	uint32_t a = c->ack, t;

	rpfw_port_rmb();
	t = c->tail;
	rpfw_port_rmb();
	if (a != l->me || c->ack != l->me)
		return RPFW_ENOTCONN; /* the host restarts: sync() will see */
	if (t - r->peer > r->idx - r->peer || (t & 3))
		return fail(l, RPFW_EPROTO);
	r->peer = t;
	return 0;
}

/*
 * Room for a record of @len payload bytes (interrupts masked).  A record
 * that would cross the end is preceded by a pad to it.  l->resv: the head
 * where the record starts.  When there is no room, the host is asked for
 * a doorbell once it freed enough, and the tail read once more.
 */
static int tx_reserve(struct rpfw_link *l, uint32_t len)
{
	struct rpfw_link_ring *r = &l->tx;
	uint32_t size = r->mask + 1, head = r->idx, pos = head & r->mask;
	uint32_t rec = LINK_REC_SIZE(len), end = size - pos;
	uint32_t need = rec > end ? end + rec : rec;
	int ret;

	if (!l->up)
		return l->err ? l->err : RPFW_ENOTCONN;
	if (l->resv_len)
		return RPFW_EBUSY;
	if (len > l->mtu)
		return RPFW_EMSGSIZE;
	if (size - (head - r->peer) < need) {
		ret = tx_tail(l);
		if (!ret && size - (head - r->peer) < need) {
			PROD(r)->space_event = head + need - size - 1;
			rpfw_port_mb();
			ret = tx_tail(l);
			if (!ret && size - (head - r->peer) < need)
				ret = RPFW_EAGAIN;
		}
		if (ret)
			return ret;
	}
	if (rec > end) {
		*(volatile uint32_t *)(void *)(DATA(r) + pos) =
			LINK_REC(LINK_EPT_PAD, 0);
		head += end;
	}
	l->resv = head;
	return 0;
}

static inline uint8_t *tx_payload(struct rpfw_link *l)
{
	return DATA(&l->tx) + (l->resv & l->tx.mask) + LINK_HDR_LEN;
}

/* Publish the reserved record (interrupts masked); a doorbell if the host
 * waits for data. */
static void tx_commit(struct rpfw_link *l, uint32_t id, uint32_t len)
{
	struct rpfw_link_ring *r = &l->tx;
	uint32_t old = r->idx, head = l->resv + LINK_REC_SIZE(len);

	*(volatile uint32_t *)(void *)(tx_payload(l) - LINK_HDR_LEN) =
		LINK_REC(id, len);
	rpfw_port_wmb();
	PROD(r)->head = head;
	r->idx = head;
	rpfw_port_mb();
	if (link_need_event(CONS(r)->data_event, head, old))
		l->kick = 1;
}

static int ctl_send(struct rpfw_link *l, uint32_t op, struct rpfw_link_ept *e)
{
	struct link_ctl *m;
	uint32_t i;
	char ch = 1;
	int ret = tx_reserve(l, sizeof(*m));

	if (ret)
		return ret;
	m = (struct link_ctl *)(void *)tx_payload(l);
	m->op = op;
	m->id = e->id;
	/* the name, NUL-padded (at most 31 bytes: checked at creation) */
	for (i = 0; i < LINK_NAME_LEN; i++) {
		ch = ch ? e->name[i] : 0;
		m->name[i] = ch;
	}
	tx_commit(l, LINK_EPT_CTL, sizeof(*m));
	return 0;
}

/* Announcements and acknowledgements waiting for room (interrupts
 * masked). */
static void ctl_flush(struct rpfw_link *l)
{
	struct rpfw_link_ept *e;

	if (!l->pend || !l->up)
		return;
	for (e = l->ept; e < END(l); e++)
		if (e->cb && e->pending) {
			if (ctl_send(l,
				     e->pending & P_BIND ? LINK_CTL_BIND
							 : LINK_CTL_ACK,
				     e))
				return;
			e->pending = 0;
		}
	l->pend = 0;
}

/*
 * Room for @len bytes from @e (interrupts masked).  A control message @e
 * still owes the host (its ACK, its announcement) goes first, so nothing
 * sent after the binding overtakes it.
 */
static int tx_begin(struct rpfw_link_ept *e, uint32_t len)
{
	struct rpfw_link *l = e->link;
	int ret;

	if (!e->remote)
		return l->err ? l->err : RPFW_ENOTCONN;
	if (e->pending) {
		ret = ctl_send(
			l, e->pending & P_BIND ? LINK_CTL_BIND : LINK_CTL_ACK,
			e);
		if (ret)
			return ret;
		e->pending = 0;
	}
	return tx_reserve(l, len);
}

/* @theirs (32 bytes, maybe unterminated) equals our name?  Never for a
 * name that is not terminated within LINK_NAME_LEN. */
static int name_eq(const char *ours, const char *theirs)
{
	uint32_t i;

	for (i = 0; i < LINK_NAME_LEN; i++) {
		if (ours[i] != theirs[i])
			return 0;
		if (!ours[i])
			return 1;
	}
	return 0;
}

static struct rpfw_link_ept *ept_by_name(struct rpfw_link *l, const char *name)
{
	struct rpfw_link_ept *e;

	for (e = l->ept; e < END(l); e++)
		if (e->cb && name_eq(e->name, name))
			return e;
	return NULL;
}

/* A control message (read once into locals); malformed ones and names we
 * do not have are dropped. */
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
		e->remote = (uint16_t)id;
		event(l, RPFW_LINK_EV_BOUND, e);
	}
}

/* One record for endpoint @id: 1 given to a callback, 0 control or
 * dropped, RPFW_EAGAIN (leave it), or an error. */
static int deliver(struct rpfw_link *l, uint32_t id, uint8_t *data,
		   uint32_t len)
{
	struct rpfw_link_ept *e;

	if (id == LINK_EPT_CTL) {
		ctl_rx(l, data, len);
		return 0;
	}
	if (ID_SLOT(id) >= RPFW_LINK_MAX_EPT)
		return fail(l, RPFW_EPROTO);
	e = &l->ept[ID_SLOT(id)];
	if (!e->cb || e->id != id)
		return 0; /* destroyed meanwhile: dropped */
	return e->cb(e, data, len, e->priv) == RPFW_EAGAIN ? RPFW_EAGAIN : 1;
}

/*
 * Receive what the host wrote (interrupts masked), in batches: one tail
 * store per batch, then the arm for the next doorbell (data_event) and
 * one more look.  At most one ring's worth per call, so a host that keeps
 * producing cannot keep us here (interrupts masked) for ever: past that,
 * l->more asks the caller to poll again.  Its session is read after its
 * head: a change means it restarted under us, and *@again asks for a sync
 * first.  Returns the records delivered or the error.
 */
static int rx_drain(struct rpfw_link *l, int *again)
{
	struct rpfw_link_ring *r = &l->rx;
	volatile struct link_prod *p = PROD(r);
	uint32_t size = r->mask + 1, tail = r->idx, old = tail, start = tail;
	uint32_t head, h, id, pos, rec;
	int n = 0, stop = 0, ret;

	for (;;) {
		if (tail - start >= size) {
			l->more = 1;
			return n;
		}
		head = p->head;
		rpfw_port_rmb();
		if (p->session != l->peer) {
			*again = 1;
			return n;
		}
		if (head - tail > size || (head & 3))
			return fail(l, RPFW_EPROTO);
		while (tail != head) {
			pos = tail & r->mask;
			h = *(volatile uint32_t *)(void *)(DATA(r) + pos);
			id = LINK_REC_EPT(h);
			rec = id == LINK_EPT_PAD
				      ? size - pos
				      : LINK_REC_SIZE(LINK_REC_PLEN(h));
			/* inside the data area and what the host wrote */
			if (rec > size - pos || rec > head - tail)
				return fail(l, RPFW_EPROTO);
			if (id != LINK_EPT_PAD) {
				ret = deliver(l, id,
					      DATA(r) + pos + LINK_HDR_LEN,
					      LINK_REC_PLEN(h));
				if (ret == RPFW_EAGAIN) {
					stop = 1;
					break;
				}
				if (l->err)
					return l->err;
				n += ret;
			}
			tail += rec;
		}
		/* our reads of the records before the tail frees them; and,
		 * unless we keep one for later, a doorbell for the next */
		rpfw_port_wmb();
		CONS(r)->tail = tail;
		r->idx = tail;
		if (!stop)
			CONS(r)->data_event = tail;
		rpfw_port_mb();
		if (link_need_event(p->space_event, tail, old))
			l->kick = 1;
		old = tail;
		if (stop || p->head == tail)
			return n;
	}
}

static int poll_locked(struct rpfw_link *l)
{
	int n = 0, ret, again, i = 0;

	l->busy = 1;
	l->more = 0;
	/* a host restarting under us: follow it, a few times at most */
	do {
		again = 0;
		ret = sync(l);
		if (ret >= 0 && l->peer) {
			ret = rx_drain(l, &again);
			n += ret > 0 ? ret : 0;
		}
	} while (again && ++i < 4);
	ctl_flush(l);
	l->busy = 0;
	kick(l);
	return l->err ? l->err : n;
}

int rpfw_link_poll(struct rpfw_link *l)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = poll_locked(l);

	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_link_notified(struct rpfw_link *l, uint32_t word)
{
	return word == l->kick_id ? rpfw_link_poll(l) : RPFW_ENOENT;
}

int rpfw_link_ready(struct rpfw_link *l)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = poll_locked(l);

	ret = ret < 0 ? ret : l->up;
	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_link_wait_ready(struct rpfw_link *l)
{
	uint32_t irq;
	int ret;

	do {
		/* a doorbell after the check still wakes the idle */
		irq = rpfw_port_irq_save();
		ret = poll_locked(l);
		ret = ret < 0 ? ret : l->up;
		if (!ret)
			rpfw_port_idle();
		rpfw_port_irq_restore(irq);
	} while (!ret);
	return ret;
}

int rpfw_link_init(struct rpfw_link *l, const void *rsc, const void *shm,
		   void *port)
{
	const volatile struct vendor *v = rsc;
	const volatile struct carveout *c = shm;
	uint32_t n1, n2, da, len, i, irq;
	uint8_t *base;

	if (((uintptr_t)v & 3) || ((uintptr_t)c & 3))
		return RPFW_EINVAL;
	n1 = v->size_h2r;
	n2 = v->size_r2h;
	da = c->da;
	len = c->len;
	if (v->version != LINK_VERSION || v->flags || !link_size_ok(n1) ||
	    !link_size_ok(n2) || da == FW_RSC_ADDR_ANY ||
	    len < LINK_SHM_SIZE(n1, n2))
		return RPFW_EINVAL;
	base = rpfw_port_da_to_va(port, da);
	if (!base || ((uintptr_t)base & 3))
		return RPFW_EINVAL;
	*l = (struct rpfw_link){.port = port,
				.kick_id = v->notify_h2r,
				.notify_id = v->notify_r2h};
	l->rx.line = base + LINK_OFF_H2R_PROD;
	l->rx.mask = n1 - 1;
	l->tx.line = base + LINK_OFF_R2H_PROD(n1);
	l->tx.mask = n2 - 1;
	l->mtu = link_mtu(n2);
	for (i = 0; i < RPFW_LINK_MAX_EPT; i++)
		l->ept[i].link = l;
	irq = rpfw_port_irq_save();
	/* after the session of our previous life, and not accepting the
	 * host session it accepted (the host renews it when it sees us) */
	l->me = PROD(&l->tx)->session;
	renew(l, CONS(&l->rx)->ack);
	kick(l);
	rpfw_port_irq_restore(irq);
	return 0;
}

struct rpfw_link_ept *rpfw_link_create_ept(struct rpfw_link *l,
					   const char *name, rpfw_link_cb cb,
					   void *priv)
{
	struct rpfw_link_ept *e, *slot = NULL;
	uint32_t irq, gen, n = 0;

	while (name && n < LINK_NAME_LEN && name[n])
		n++;
	if (!cb || !n || n >= LINK_NAME_LEN)
		return NULL;
	irq = rpfw_port_irq_save();
	for (e = l->ept; e < END(l); e++)
		if (!e->cb) {
			if (!slot)
				slot = e;
		} else if (name_eq(e->name, name)) {
			break;
		}
	if (e == END(l) && slot) {
		slot->cb = cb;
		slot->priv = priv;
		slot->name = name;
		slot->remote = 0;
		slot->pending = P_BIND;
		l->pend = 1;
		/* one generation on from the slot's previous id (never the
		 * pad id: generations 0..254) */
		gen = (uint32_t)(slot->id >> 8) + 1u;
		slot->id = (uint16_t)((uint32_t)(slot - l->ept + 1) |
				      (gen % 255u) << 8);
		ctl_flush(l);
		kick(l);
	} else {
		slot = NULL;
	}
	rpfw_port_irq_restore(irq);
	return slot;
}

void rpfw_link_destroy_ept(struct rpfw_link_ept *e)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();

	if (e->remote)
		ctl_send(l, LINK_CTL_UNBIND, e);
	e->cb = NULL;
	e->remote = 0;
	e->pending = 0;
	kick(l);
	rpfw_port_irq_restore(irq);
}

int rpfw_link_send(struct rpfw_link_ept *e, const void *data, uint32_t len)
{
	struct rpfw_link *l = e->link;
	uint32_t irq = rpfw_port_irq_save();
	int ret = tx_begin(e, len);

	if (!ret) {
		__builtin_memcpy(tx_payload(l), data, len);
		tx_commit(l, e->remote, len);
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
		l->resv_len = (uint16_t)(len + 1);
		*buf = tx_payload(l);
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
		ret = l->err ? l->err : RPFW_ENOTCONN;
		if (l->up && e->remote) {
			tx_commit(l, e->remote, n);
			kick(l);
			ret = 0;
		}
	}
	rpfw_port_irq_restore(irq);
	return ret;
}
