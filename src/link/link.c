// SPDX-License-Identifier: BSD-3-Clause
/*
 * STATUS (kept current; whoever continues starts here)
 *   done:  subdevice (prepare: vendor entry + carveout checked, session
 *          published; start; stop(crashed): endpoints unbound, senders
 *          woken with -ENOTCONN, "left" written; unprepare), the handshake
 *          with peer-reset detection both ways, named endpoints bound by
 *          name through control messages, send/trysend/timeout with
 *          notification suppression (event indices) both ways, blocked
 *          senders woken by the remote's doorbell, poll, polled mode
 *          (rproc_link_set_polled()), stats, -EPROTO on any violation.
 *          Wire version 2: the header is the ready word (rproc/link_abi.h).
 *          Tests: tests/link (link_echo, _reset, _down, _ring, _fw_ring,
 *          _pin; link_bench for instructions),
 *          tests/vsoc/integration/test_link.c; normal, ASan, TSan.
 *          Measured (docs/link.md): bench_rpmsg --loop link (callgrind,
 *          x86-64 gcc -O2, per 16-byte message, the harness's ~28
 *          included): one-way in bursts of 16 115.6 (goal 120; version 1
 *          117.5), one by one 303.1, echo 151.2 per message.  Round trip
 *          16 B polled 1.22-1.68x the raw ping-pong depending on the VM's
 *          placement (goal 1.5x), 1.4-2.3x armed.  Firmware link.o -Os as
 *          linked into linkecho: 2238 B on Cortex-M4, 2622 B on RV32.
 *          Wakers that change what a sleeper looks at without the lock
 *          take it once before waking (lk_wake_unlocked()).
 *   not done: more than one link per remote (the first RSC_VENDOR_LINK
 *          entry only); zero-copy on the host side; the firmware's 1.2 KB
 *          goal (what is left is the handshake, the control protocol and
 *          the checks: docs/link.md); a firmware send fast path (its
 *          send is ~110 instructions of an echo's round trip, and the
 *          remote's turnaround is half of what software is left in a
 *          polled round trip).
 *
 * The link on the host (include/rproc/link.h is the spec; the ABI is
 * rproc/link_abi.h; docs/link.md has the protocol), a subdevice of the
 * remote.
 *
 * Roles and locks.
 *  - The link's lock (link_lock(): src/core/xlock.h, an atomic word, with
 *    the OS layer's mutex and condition variable to sleep on) guards
 *    the endpoint list, every endpoint's remote id and pending control
 *    messages, the transmit ring's producer state, the state and the
 *    sessions.  Sleeping for an event (room, the busy role, a callback
 *    to end) drops it: lk_sleep() / lk_wake().
 *  - The busy role (link->busy, an atomic flag) belongs to the receive
 *    side: one thread at a time follows the handshake, drains the receive
 *    ring and calls the user's callbacks, so those are serialised and in
 *    order.  A doorbell or a poll that finds the role taken raises
 *    link->again and the holder loops once more.  State changes happen
 *    only in the busy role and with the lock held, so the holder reads the
 *    state without the lock and senders read it with the lock.  The
 *    lifecycle callbacks take the role too (busy_enter_locked()).
 *  - Endpoint lifetime without a lock per message: the holder announces
 *    the id whose callbacks it is about to run in the busy word itself
 *    (PIN(id): the role and the pin are one word), then looks the
 *    endpoint up in tab[id]; destroy clears tab[id], then waits while the
 *    busy word pins that id (both seq_cst: Dekker).  So destroy from
 *    another endpoint's callback works and the message path takes no
 *    lock.  The holder keeps an endpoint pinned for a run of records to
 *    it, lets go as soon as it sees it being destroyed (F_DESTROYED,
 *    doomed()), and otherwise until it gives the role back; it takes the
 *    role with the endpoint it pinned last already pinned (a guess, looked
 *    up only when a record names it), so steady traffic to one endpoint
 *    costs one locked instruction to take the role and one to give it
 *    back, and none for the pin.  Anything that runs a callback other
 *    than an endpoint's (link events) unpins first.
 *
 * We write the tx data area, two lines of the shared memory: the
 * producer line of the host -> remote ring (tx: session, space_event)
 * and the consumer line of the remote -> host ring (rx: tail, ack,
 * data_event), and the informational header.  Every other word is the
 * remote's: loaded once into a local (32-bit atomics over the ABI's plain
 * words) and checked before use.  Wire version 2 (rproc/link_abi.h): a
 * record's header is its ready word, published with a release store
 * after its payload and the 0 stop word where the next one goes; the
 * consumer reads the word at its tail with acquire order, and no head
 * index exists on the wire.  Where a doorbell is armed (a send: our
 * header before the remote's data_event; a drain: our tail and
 * data_event before its space_event and the word at our tail) a fence or
 * a seq_cst store, and seq_cst loads.
 *
 * Hot path.  A send (send_fast(), inline in each send function, only tail
 * calls) takes the lock (one exchange each way uncontended), looks at one
 * word of the endpoint (tx_hdr: up, bound, nothing owed) and one of the
 * link (tx_lim: how far records fit without a pad or a look at the
 * remote's tail), moves an 8..16-byte payload in line, stores the stop
 * word and the header and rings only if the remote asked (data_event).
 * Anything else goes to send_any() (other sizes) or send_slow()
 * (everything checked again).  A drain takes no lock: per record one
 * acquire load of its header, one bound check (the end of the area, the
 * room the remote had) and the callback, the endpoint pinned once per run
 * of records to the same id (the busy word, tab[id]); per pass one
 * release store of the tail and one seq_cst store to arm for the next
 * doorbell (polled: nothing, mostly).  Portable core code: OS calls
 * through os.h only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "rproc/link.h"
#include "rproc/link_abi.h"
#include "rproc/rsc_table.h"
#include "rproc/subdev.h"
#include "xlock.h"

#if defined(__GNUC__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define likely(x) (x)
#define unlikely(x) (x)
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t) &&
		       _Alignof(_Atomic uint32_t) == _Alignof(uint32_t),
	       "32-bit atomics over the ABI's words");

_Static_assert(LINK_OFF_H2R_CONS - LINK_OFF_H2R_PROD == LINK_LINE &&
		       LINK_OFF_H2R_DATA - LINK_OFF_H2R_PROD == 2 * LINK_LINE,
	       "a ring's consumer line and data follow its producer line");

#define CTL_LEN ((uint32_t)sizeof(struct link_ctl))
#define DESTROY_TIMEOUT_NS 1000000000LL

/* ept->flags */
#define F_DESTROYED 1u
#define F_UNBIND 2u /* an unbind callback to run (reason in ept->reason) */
#define F_BOUND 4u  /* a bound event to run */

/* ept->pending: control messages to send */
#define P_BIND 1u
#define P_ACK 2u

/* One ring as the host sees it. */
struct lring {
	struct link_prod *prod;
	struct link_cons *cons;
	uint8_t *data;
	uint32_t size, mask;
};

struct rproc_link_ept {
	struct rproc_link *link;
	struct rproc_link_ept *next; /* link->epts (lock) */
	rproc_link_rx_cb cb;
	rproc_link_unbind_cb unbind;
	void *priv;
	atomic_uint flags; /* F_* */
	uint32_t remote;   /* the remote's id, 0 unbound (see the top) */
	unsigned pending;  /* P_* (lock) */
	uint32_t tx_hdr;   /* fast path of a send: LINK_REC(remote, 0) (lock) */
	int reason;	   /* of the pending unbind (lock) */
	uint16_t id;
	char name[LINK_NAME_LEN];
};

struct rproc_link {
	struct rproc_xlock lk; /* the link's lock (src/core/xlock.h); first:
				* the send's fast path takes it at the
				* link's address */
	struct rproc_subdev sd;
	struct rproc *rproc;
	struct rproc_link_ops ops;
	void *ctx;
	struct rproc_xevent wait; /* sleeping with it dropped (lk_sleep()) */

	/* The run (prepare .. unprepare; set in the busy role, lock held). */
	bool active; /* started and not stopped: the rings may be touched */
	uint32_t kick_id, notify_id;
	struct lring tx, rx; /* tx: host -> remote */
	size_t tx_mtu;	     /* size_t: one compare with a send's length */
	uint32_t rx_mtu;

	/* The state (changed in the busy role with the lock held). */
	enum rproc_link_state state;
	bool up_seen;	   /* an up event since the last down */
	uint32_t me, peer; /* sessions: ours, the remote's (0: none yet) */
	uint32_t gen;	   /* changes when waiting senders must leave */
	int down_reason;
	uint32_t peer_resets;
	char error[96];

	/* Transmit (lock). */
	uint32_t tx_head, tx_tail; /* ours; the remote's, last seen */
	uint32_t tx_lim;	   /* records fit up to here (tx_reserve()) */
	uint32_t tx_resv;	   /* where the reserved record starts */
	uint64_t tx_count;
	char fault[96]; /* a sender found the remote's tail bad */
	atomic_bool faulted;

	/* Receive (busy role). */
	uint32_t rx_pos;    /* what we consumed */
	uint32_t rx_tail;   /* what we published (rx_pos unless polled) */
	atomic_bool polled; /* rproc_link_set_polled() */
	bool kick;	    /* ring the remote at the end of this round */
	bool warned_ept, warned_ctl;

	/* Endpoints. */
	struct rproc_link_ept *epts; /* lock */
	unsigned nept;		     /* lock */
	uint16_t next_id;	     /* lock */
	atomic_bool ctl_pending;     /* some ept->pending is set */
	_Atomic(struct rproc_link_ept *) tab[RPROC_LINK_MAX_EPT + 1];

	/* Roles and waiters. */
	atomic_uint busy; /* 0 free, else PIN(the endpoint pinned, or 0) */
	atomic_uint again;
	atomic_uint pin_id; /* what busy pins (written in the busy role),
			     * kept as the next holder's guess */
	atomic_uint busy_waiters, cb_waiters, tx_waiters;

	/* Counters written without the lock (one writer at a time). */
	atomic_uint rx_count, rx_no_ept, ctl_bad, kicks;
};

/* ---- small helpers --------------------------------------------------------- */

static inline struct rproc_link *link_of(struct rproc_subdev *sd)
{
	return (struct rproc_link *)(void *)((char *)sd -
					     offsetof(struct rproc_link, sd));
}

/* The link's lock and sleeping with it dropped: xlock.h. */
static inline void link_lock(struct rproc_link *l)
{
	rproc_xlock_lock(&l->lk);
}

static inline void link_unlock(struct rproc_link *l)
{
	rproc_xlock_unlock(&l->lk);
}

static int lk_sleep(struct rproc_link *l, int64_t timeout_ns)
{
	return rproc_xevent_sleep(&l->wait, &l->lk, timeout_ns);
}

static void lk_wake(struct rproc_link *l)
{
	rproc_xevent_wake(&l->wait);
}

/* Wake the sleepers after a change made without the lock (the remote's
 * tail, the busy word): xlock.h says why the lock is taken once first. */
static void lk_wake_unlocked(struct rproc_link *l)
{
	rproc_xevent_wake_unlocked(&l->wait, &l->lk);
}

static inline uint32_t ld(uint32_t *p)
{
	return atomic_load_explicit((_Atomic uint32_t *)p,
				    memory_order_relaxed);
}

static inline uint32_t ld_acq(uint32_t *p)
{
	return atomic_load_explicit((_Atomic uint32_t *)p,
				    memory_order_acquire);
}

static inline void st(uint32_t *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_relaxed);
}

static inline void st_rel(uint32_t *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}

/*
 * Arming a doorbell needs our store ordered before a later load of the
 * other side's word (it stores its word, then loads ours): a seq_cst
 * store and seq_cst loads (x86 xchg; Arm stlr/ldar) instead of a fence,
 * which ThreadSanitizer does not model.
 */
static inline void st_sc(uint32_t *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_seq_cst);
}

static inline uint32_t ld_sc(uint32_t *p)
{
	return atomic_load_explicit((_Atomic uint32_t *)p,
				    memory_order_seq_cst);
}

/* A counter with one writer at a time: no locked instruction. */
static inline void count(atomic_uint *c, unsigned n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline uint32_t *word_at(uint8_t *p)
{
	return (uint32_t *)(void *)p;
}

static void ring_kick(struct rproc_link *l, uint32_t id)
{
	atomic_fetch_add_explicit(&l->kicks, 1, memory_order_relaxed);
	rproc_kick(l->rproc, id);
}

static inline int64_t ms_to_ns(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
}

/* ---- roles -------------------------------------------------------------------- */

/* The busy word: the role taken, with endpoint @id pinned (0: none). */
#define PIN(id) (1u | (uint32_t)(id) << 1)
#define PINNED(w) ((uint32_t)(w) >> 1)

/* Take the busy role with PIN(@id) if it is free. */
static inline bool busy_try(struct rproc_link *l, unsigned id)
{
	unsigned free = 0;

	return atomic_compare_exchange_strong(&l->busy, &free, PIN(id));
}

/* Take the busy role, waiting for it (lock held). */
static void busy_enter_locked(struct rproc_link *l)
{
	atomic_fetch_add(&l->busy_waiters, 1);
	while (!busy_try(l, 0))
		lk_sleep(l, -1);
	atomic_fetch_sub(&l->busy_waiters, 1);
	atomic_store_explicit(&l->pin_id, 0, memory_order_relaxed);
}

/* Lock held. */
static void busy_leave(struct rproc_link *l)
{
	atomic_store(&l->busy, 0);
	if (unlikely(atomic_load(&l->busy_waiters) ||
		     atomic_load(&l->cb_waiters)))
		lk_wake(l);
}

/* The endpoint the busy word pins (busy role). */
static inline unsigned pinned_id(struct rproc_link *l)
{
	return atomic_load_explicit(&l->pin_id, memory_order_relaxed);
}

/* Pin endpoint @id instead (0: none; busy role, lock not held): a
 * destroyer waiting for the one pinned before may go on. */
static void pin(struct rproc_link *l, unsigned id)
{
	atomic_store(&l->busy, PIN(id));
	atomic_store_explicit(&l->pin_id, id, memory_order_relaxed);
	if (unlikely(atomic_load(&l->cb_waiters)))
		lk_wake_unlocked(l);
}

static void cb_leave(struct rproc_link *l)
{
	pin(l, 0);
}

/* The endpoint at @id, pinned by the caller, unless it is gone or being
 * destroyed. */
static inline struct rproc_link_ept *ept_at(struct rproc_link *l, unsigned id)
{
	struct rproc_link_ept *e = atomic_load(&l->tab[id]);

	if (likely(e &&
		   !(atomic_load_explicit(&e->flags, memory_order_relaxed) &
		     F_DESTROYED)))
		return e;
	return NULL;
}

/* The endpoint @id, pinned for a callback (busy role), or NULL (and
 * nothing pinned). */
static inline struct rproc_link_ept *cb_enter(struct rproc_link *l, unsigned id)
{
	struct rproc_link_ept *e;

	if (pinned_id(l) != id)
		pin(l, id);
	e = ept_at(l, id);
	if (!e)
		cb_leave(l);
	return e;
}

/* Endpoint @e (pinned) is being destroyed: leave it at once, the
 * destroyer waits. */
static inline bool doomed(struct rproc_link_ept *e)
{
	return atomic_load_explicit(&e->flags, memory_order_relaxed) &
	       F_DESTROYED;
}

/* The pending unbind / bound callbacks of endpoint @id (busy role). */
static void ept_events(struct rproc_link *l, unsigned id)
{
	struct rproc_link_ept *e = cb_enter(l, id);
	unsigned f;

	if (!e)
		return;
	f = atomic_fetch_and(&e->flags, ~(F_UNBIND | F_BOUND));
	if ((f & F_UNBIND) && e->unbind)
		e->unbind(e, e->reason, e->priv);
	if ((f & F_BOUND) && l->ops.bound)
		l->ops.bound(l->ctx, e);
	cb_leave(l);
}

static void all_ept_events(struct rproc_link *l)
{
	for (unsigned id = 1; id <= RPROC_LINK_MAX_EPT; id++)
		if (atomic_load_explicit(&l->tab[id], memory_order_relaxed))
			ept_events(l, id);
}

/* ---- state changes (busy role, lock held) ------------------------------------ */

/*
 * The fast path of a send (send_fast()) looks at one word of the
 * endpoint: its record header, set while the link is up, the endpoint
 * bound and no control message owed; 0 sends it the slow way, which
 * checks each.  Lock held; after any change of those.
 */
static void ept_tx_update(struct rproc_link *l, struct rproc_link_ept *e)
{
	e->tx_hdr = l->state == RPROC_LINK_UP && e->remote && !e->pending
			    ? LINK_REC(e->remote, 0)
			    : 0;
}

static void all_tx_update(struct rproc_link *l)
{
	for (struct rproc_link_ept *e = l->epts; e; e = e->next)
		ept_tx_update(l, e);
}

/*
 * Leave WAIT/UP for @state: every bound endpoint unbound (its callback
 * pending, with @reason), pending control messages dropped, waiting
 * senders woken (they leave: gen).
 */
static void link_down_locked(struct rproc_link *l, enum rproc_link_state state,
			     int reason)
{
	struct rproc_link_ept *e;

	l->state = state;
	for (e = l->epts; e; e = e->next) {
		if (e->remote) {
			e->remote = 0;
			e->reason = reason;
			atomic_fetch_or(&e->flags, F_UNBIND);
		}
		e->pending = 0;
		e->tx_hdr = 0;
	}
	atomic_store(&l->ctl_pending, false);
	l->gen++;
	lk_wake(l);
}

/* Say "left" in both our lines (the remote resets when it sees it). */
static void link_leave_locked(struct rproc_link *l)
{
	st(&l->tx.prod->session, 0);
	st(&l->rx.cons->ack, 0);
}

/*
 * A new session of ours: neither 0 nor what the remote acknowledges now
 * (a restarted remote refuses the session it acknowledged before), our
 * producer and consumer state back to 0.  The session word says
 * "restarting" (0) while the indices move, so the remote never reads an
 * index of the old session with the new one.
 */
static void renew_locked(struct rproc_link *l)
{
	uint32_t s = l->me + 1, a = ld(&l->tx.cons->ack);

	while (!s || s == a)
		s++;
	link_leave_locked(l);
	/* "restarting" before the indices move; the stop word of our new
	 * session at position 0 */
	st_rel(&l->tx.prod->head, 0);
	st(word_at(l->tx.data), 0);
	st_rel(&l->tx.prod->space_event, LINK_EVENT_NONE);
	st_rel(&l->rx.cons->tail, 0);
	st_rel(&l->rx.cons->data_event, 0);
	st_rel(&l->tx.prod->session, s);
	l->me = s;
	l->peer = 0;
	l->tx_head = l->tx_tail = l->tx_lim = 0;
	l->rx_tail = l->rx_pos = 0;
}

/* The remote broke the protocol (busy role, lock not held): down with
 * -EPROTO until its next start. */
static void proto_error(struct rproc_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void proto_error(struct rproc_link *l, const char *fmt, ...)
{
	char msg[sizeof(l->error)];
	bool down = false;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pinned_id(l))
		cb_leave(l); /* link events follow */
	link_lock(l);
	if (l->state == RPROC_LINK_WAIT || l->state == RPROC_LINK_UP) {
		memcpy(l->error, msg, sizeof(msg));
		link_down_locked(l, RPROC_LINK_ERROR, -EPROTO);
		link_leave_locked(l);
		down = l->up_seen;
		l->up_seen = false;
		l->down_reason = -EPROTO;
		l->kick = true;
	}
	link_unlock(l);
	rproc_warn(l->rproc,
		   "link: the remote broke the protocol (%s): link down", msg);
	all_ept_events(l);
	if (down && l->ops.down)
		l->ops.down(l->ctx, l, -EPROTO);
}

/* ---- transmit (lock held) ----------------------------------------------------- */

/*
 * The remote's tail, read between two reads of its ack (a restarting
 * remote zeroes the ack before the tail) and checked: forward, not past
 * our head, in whole words.  -ENOTCONN while the remote restarts,
 * -EPROTO (fault recorded for the busy role).
 */
static int tx_tail_locked(struct rproc_link *l)
{
	struct link_cons *c = l->tx.cons;
	uint32_t a = ld_sc(&c->ack), t = ld_sc(&c->tail);

	if (a != l->me || ld_sc(&c->ack) != l->me)
		return -ENOTCONN;
	if (unlikely(t - l->tx_tail > l->tx_head - l->tx_tail || (t & 3))) {
		if (!atomic_load(&l->faulted)) {
			snprintf(l->fault, sizeof(l->fault),
				 "its tail went from %u to %u, our head is %u",
				 (unsigned)l->tx_tail, (unsigned)t,
				 (unsigned)l->tx_head);
			atomic_store(&l->faulted, true);
		}
		return -EPROTO;
	}
	l->tx_tail = t;
	return 0;
}

/*
 * Room for a record of @len payload bytes and its stop word: 0 with the
 * position of its header in *@pos (a record that would cross the end is
 * preceded by a pad to it), or -EAGAIN, or tx_tail_locked()'s error.
 * With @arm, when there is no room, ask the remote for a doorbell once it
 * freed enough and look once more.
 */
static inline int tx_reserve(struct rproc_link *l, uint32_t len, uint32_t *pos,
			     bool arm)
{
	struct lring *r = &l->tx;
	uint32_t head = l->tx_head, p = head & r->mask;
	uint32_t rec = LINK_REC_SIZE(len), end = r->size - p;
	uint32_t need = (rec > end ? end + rec : rec) + LINK_HDR_LEN, room;
	int ret;

	if (unlikely(r->size - (head - l->tx_tail) < need)) {
		ret = tx_tail_locked(l);
		if (!ret && r->size - (head - l->tx_tail) < need && arm) {
			st_sc(&r->prod->space_event, head + need - r->size - 1);
			ret = tx_tail_locked(l);
		}
		if (!ret && r->size - (head - l->tx_tail) < need)
			ret = -EAGAIN;
		if (ret)
			return ret;
	}
	if (unlikely(rec > end)) {
		/* the pad's stop word, then the pad */
		st(word_at(r->data), 0);
		st_rel(word_at(r->data + p), LINK_REC(LINK_EPT_PAD, 0));
		head += end;
		p = 0;
		end = r->size;
	}
	l->tx_resv = head;
	*pos = p;
	/* the fast path writes records up to the tail we know (less the
	 * last one's stop word) or the end, without looking (at least this
	 * record fits); room and end are multiples of 4, so a record up to
	 * the end leaves its stop word's room too */
	room = r->size - (head - l->tx_tail) - LINK_HDR_LEN;
	l->tx_lim = head + (room < end ? room : end);
	return 0;
}

/* Publish the record reserved at @pos; true if the remote wants a
 * doorbell. */
static inline bool tx_commit(struct rproc_link *l, uint32_t pos, uint32_t id,
			     uint32_t len)
{
	struct lring *r = &l->tx;
	uint32_t old = l->tx_head, head = l->tx_resv + LINK_REC_SIZE(len);

	/* the payload and the next record's stop word before the header
	 * (the ready word); the header before the remote's wish (it stores
	 * the wish, then loads the word at its tail) */
	st(word_at(r->data + (head & r->mask)), 0);
	st_rel(word_at(r->data + pos), LINK_REC(id, len));
	atomic_thread_fence(memory_order_seq_cst);
	l->tx_head = head;
	l->tx_count++;
	return link_need_event(ld_sc(&r->cons->data_event), head, old);
}

/* Write and publish control message @op for @e at @pos (reserved); true
 * if the remote wants a doorbell. */
static bool ctl_commit(struct rproc_link *l, uint32_t pos, uint32_t op,
		       const struct rproc_link_ept *e)
{
	uint8_t *m = l->tx.data + pos + LINK_HDR_LEN;
	uint32_t i, w[LINK_NAME_LEN / 4];

	memcpy(w, e->name, sizeof(w));
	st(word_at(m), op);
	st(word_at(m + 4), e->id);
	for (i = 0; i < LINK_NAME_LEN / 4; i++)
		st(word_at(m + 8 + 4 * i), w[i]);
	return tx_commit(l, pos, LINK_EPT_CTL, CTL_LEN);
}

/* A control message @op for endpoint @e (lock held, link up); false when
 * there is no room (a doorbell asked for). */
static bool ctl_send_locked(struct rproc_link *l, uint32_t op,
			    const struct rproc_link_ept *e, bool *kick)
{
	uint32_t pos;

	if (tx_reserve(l, CTL_LEN, &pos, true))
		return false;
	*kick |= ctl_commit(l, pos, op, e);
	return true;
}

/* Send what the endpoints have pending (lock held), as far as there is
 * room. */
static void ctl_flush_locked(struct rproc_link *l, bool *kick)
{
	struct rproc_link_ept *e;

	if (l->state != RPROC_LINK_UP)
		return;
	for (e = l->epts; e; e = e->next) {
		if (!e->pending)
			continue;
		if (!ctl_send_locked(l,
				     e->pending & P_BIND ? LINK_CTL_BIND
							 : LINK_CTL_ACK,
				     e, kick))
			return;
		e->pending = 0;
		ept_tx_update(l, e);
	}
	atomic_store(&l->ctl_pending, false);
}

/*
 * Room for the next message of @len bytes of @e (lock held): 0 with its
 * position in *@pos.  A control message @e still owes the remote (its
 * ACK) goes first, so nothing sent after the bound event overtakes it.
 * Without room: -EAGAIN when @timeout_ns is 0, else wait (< 0: forever)
 * for the busy role to wake us after the remote rang (it rings once its
 * tail passed the space_event we armed as a registered waiter), or for the
 * link to change (gen: -ENOTCONN); -ETIMEDOUT.  -ENOTCONN also when @e is
 * not bound or the remote restarts; -EPROTO for a bad tail.
 */
static NOINLINE int tx_get(struct rproc_link *l, struct rproc_link_ept *e,
			   uint32_t len, int64_t timeout_ns, uint32_t *pos,
			   bool *kick)
{
	uint64_t deadline = 0, now;
	uint32_t gen = l->gen;
	bool waiter = false;
	int64_t left = -1;
	int ret;

	for (;;) {
		if (unlikely(l->state != RPROC_LINK_UP || !e->remote ||
			     l->gen != gen)) {
			ret = -ENOTCONN;
			break;
		}
		if (unlikely(e->pending))
			ctl_flush_locked(l, kick);
		ret = likely(!e->pending) ? tx_reserve(l, len, pos, waiter)
					  : -EAGAIN;
		if (likely(ret != -EAGAIN) || !timeout_ns)
			break;
		if (!waiter) {
			/* registered before the arm and the last look */
			waiter = true;
			atomic_fetch_add(&l->tx_waiters, 1);
			if (timeout_ns > 0)
				deadline = rproc_os_monotonic_ns() +
					   (uint64_t)timeout_ns;
			continue;
		}
		if (timeout_ns > 0) {
			now = rproc_os_monotonic_ns();
			left = deadline > now ? (int64_t)(deadline - now) : 0;
			if (!left) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		lk_sleep(l, left);
	}
	if (waiter)
		atomic_fetch_sub(&l->tx_waiters, 1);
	return ret;
}

/* ---- receive (busy role) -------------------------------------------------------- */

static struct rproc_link_ept *ept_by_name(struct rproc_link *l,
					  const char *name)
{
	struct rproc_link_ept *e;

	for (e = l->epts; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static void ctl_bad(struct rproc_link *l, const char *what, uint32_t a)
{
	count(&l->ctl_bad, 1);
	if (l->warned_ctl)
		return;
	l->warned_ctl = true;
	rproc_warn(l->rproc,
		   "link: dropped a control message from the remote: %s (%u); "
		   "further ones are only counted",
		   what, (unsigned)a);
}

/* A control message in the ring (read once into a local copy). */
static void ctl_rx(struct rproc_link *l, uint8_t *data, uint32_t len)
{
	uint32_t w[CTL_LEN / 4], op, rid, i;
	struct rproc_link_ept *e;
	bool events = false;
	char name[LINK_NAME_LEN];
	unsigned id = 0;

	if (len != CTL_LEN) {
		ctl_bad(l, "length, expected 40", len);
		return;
	}
	for (i = 0; i < CTL_LEN / 4; i++)
		w[i] = ld(word_at(data + 4 * i));
	op = w[0];
	rid = w[1];
	memcpy(name, &w[2], sizeof(name));
	if (op - 1 > LINK_CTL_UNBIND - 1) {
		ctl_bad(l, "unknown operation", op);
		return;
	}
	if (!rid || rid > LINK_EPT_MAX) {
		ctl_bad(l, "endpoint id out of range", rid);
		return;
	}
	if (!memchr(name, 0, sizeof(name)) || !name[0]) {
		ctl_bad(l, "name empty or not terminated", rid);
		return;
	}
	link_lock(l);
	e = ept_by_name(l, name);
	if (!e) {
		/* not ours (yet): announcing ours will bind it */
	} else if (op == LINK_CTL_UNBIND) {
		if (e->remote == rid) {
			e->remote = 0;
			e->tx_hdr = 0;
			e->reason = -ENOENT;
			atomic_fetch_or(&e->flags, F_UNBIND);
			events = true;
		}
	} else {
		if (op == LINK_CTL_BIND) {
			e->pending |= P_ACK;
			atomic_store(&l->ctl_pending, true);
		}
		if (e->remote != rid) {
			e->remote = rid;
			atomic_fetch_or(&e->flags, F_BOUND);
			events = true;
		}
		ept_tx_update(l, e);
	}
	if (e)
		id = e->id;
	link_unlock(l);
	if (events)
		ept_events(l, id);
}

static void no_ept(struct rproc_link *l, uint32_t id, uint32_t len)
{
	count(&l->rx_no_ept, 1);
	if (l->warned_ept)
		return;
	l->warned_ept = true;
	rproc_warn(l->rproc,
		   "link: dropped a message from the remote to endpoint %u "
		   "(%u bytes): no such endpoint; further ones are only "
		   "counted",
		   (unsigned)id, (unsigned)len);
}

/*
 * A record past the fast path of rx_drain() (busy role, nothing pinned):
 * a pad (not at position 0: a producer never needs one there), a
 * control message, or a violation (an endpoint id out of range, a record
 * crossing the end of the data area or ending in room the remote did not
 * have: past our published tail + size - 4, where its stop word had to
 * be).  @q: its header, @tail: its index, @lim: where records must end.
 * Returns its size, or 0 after a violation (the link is down).
 */
static NOINLINE uint32_t rx_other(struct rproc_link *l, uint32_t h, uint8_t *q,
				  uint32_t tail, uint32_t lim)
{
	uint32_t id = LINK_REC_EPT(h), len = LINK_REC_PLEN(h);
	uint32_t pos = tail & l->rx.mask, to_end = l->rx.size - pos;
	uint32_t rec = id == LINK_EPT_PAD ? to_end : LINK_REC_SIZE(len);

	/* (a pad at 0 covers the whole ring: past the room, named so) */
	if (rec > to_end || rec > lim - tail) {
		proto_error(l, "%s of %u bytes at %u: %s",
			    id == LINK_EPT_PAD ? "pad" : "record",
			    (unsigned)rec, (unsigned)tail,
			    id == LINK_EPT_PAD && !pos ? "a pad at the start"
			    : rec > to_end ? "past the end of the ring"
					   : "past the room it had");
		return 0;
	}
	if (id == LINK_EPT_CTL) {
		ctl_rx(l, q + LINK_HDR_LEN, len);
	} else if (id != LINK_EPT_PAD) {
		proto_error(l, "endpoint id %u out of range", (unsigned)id);
		return 0;
	}
	return rec;
}

/*
 * Polled (rproc_link_set_polled()): the end of a pass publishes our tail
 * only when the remote waits for room past what we published (its
 * space_event, in its producer line, which nobody writes in a steady
 * exchange: no extra miss), with a doorbell, or when a quarter of the
 * ring is unpublished; and never arms a doorbell for us.  So a steady
 * exchange writes nothing to our consumer line, which the remote reads at
 * every send.  Every poll gets here, one that took nothing too: a remote
 * that armed its space_event after our last look is seen at the next.
 */
static void rx_publish_polled(struct rproc_link *l, uint32_t tail)
{
	struct lring *r = &l->rx;
	uint32_t pub = l->rx_tail;
	bool ev = link_need_event(ld(&r->prod->space_event), tail, pub);

	l->rx_pos = tail;
	if (ev || tail - pub >= r->size / 4) {
		st_rel(&r->cons->tail, tail);
		l->rx_tail = tail;
		l->kick |= ev;
	}
}

/*
 * Drain the receive ring (version 2: rproc/link_abi.h): the word at our
 * tail is the next record's header, or 0 for nothing yet; read with
 * acquire order, checked, delivered, and so on to the first 0.  The
 * remote's session is read after the first header of a pass: a change
 * means it restarted under us, and *@again asks for a sync first.  A
 * record must end within the room the remote had, our published tail +
 * size - 4 (its stop word had to fit), so a pass takes at most a ring's
 * worth and a ring full of stale headers is a violation, not a loop.  At
 * the end of a pass the tail is published and a doorbell armed, then the
 * word at the tail looked at once more (polled: rx_publish_polled()
 * instead).
 *
 * Per record of the fast path: one check that it ends before the end of
 * the area and within that room, and the endpoint pinned once for a run
 * of records to the same id (cb_enter(): the busy word, then tab[id];
 * destroy waits while it is pinned), left at a change of id, before a
 * control message, as soon as the endpoint is being destroyed, and when
 * the role is given back (the pin then stays as the next holder's
 * guess).  Returns the messages delivered.
 */
static int rx_drain(struct rproc_link *l, bool *again)
{
	struct lring *r = &l->rx;
	uint32_t tail = l->rx_pos, h, id, len, rec, pub;
	uint32_t pinned = pinned_id(l);
	uint32_t lim = l->rx_tail + r->size - LINK_HDR_LEN;
	struct rproc_link_ept *e = NULL;
	uint8_t *q;
	int n = 0;

	for (;;) {
		q = r->data + (tail & r->mask);
		h = ld_acq(word_at(q));
		if (h && unlikely(ld(&r->prod->session) != l->peer)) {
			*again = true;
			break;
		}
		while (h) {
			id = LINK_REC_EPT(h);
			len = LINK_REC_PLEN(h);
			rec = LINK_REC_SIZE(len);
			if (unlikely(id - 1 >= RPROC_LINK_MAX_EPT ||
				     rec > (uint32_t)(r->data + r->size - q) ||
				     rec > lim - tail)) {
				if (pinned) {
					cb_leave(l);
					pinned = 0;
				}
				rec = rx_other(l, h, q, tail, lim);
				if (!rec)
					return n;
			} else {
				/* e is NULL after the role's guess: looked up
				 * at first use */
				if (id != pinned || !e || unlikely(doomed(e))) {
					e = cb_enter(l, id);
					pinned = e ? id : 0;
				}
				if (likely(pinned && e->cb)) {
					/* counted first: whoever saw the
					 * callback sees it */
					count(&l->rx_count, 1);
					e->cb(e, q + LINK_HDR_LEN, len,
					      e->priv);
					n++;
				} else {
					no_ept(l, id, len);
				}
			}
			tail += rec;
			q = r->data + (tail & r->mask);
			h = ld_acq(word_at(q));
		}
		/* (the pin stays until the role is given back) */
		if (atomic_load_explicit(&l->polled, memory_order_relaxed)) {
			rx_publish_polled(l, tail);
			break;
		}
		/* Nothing to publish and the wish stands: no store (an idle
		 * poll that wrote our line would take it from the remote,
		 * which reads it on every send) */
		pub = l->rx_tail;
		if (tail == pub && ld(&r->cons->data_event) == tail)
			break;
		if (tail != pub) {
			st_rel(&r->cons->tail, tail);
			l->rx_tail = l->rx_pos = tail;
			lim = tail + r->size - LINK_HDR_LEN;
		}
		/* our tail and wish before its wish and next header */
		st_sc(&r->cons->data_event, tail);
		if (link_need_event(ld_sc(&r->prod->space_event), tail, pub))
			l->kick = true;
		if (!ld_sc(word_at(r->data + (tail & r->mask))))
			break;
	}
	return n;
}

/* The handshake, past the fast path of link_sync(). */
static void sync_slow(struct rproc_link *l, uint32_t s, uint32_t a)
{
	struct rproc_link_ept *e;
	bool up = false;

	if (l->state != RPROC_LINK_WAIT && l->state != RPROC_LINK_UP)
		return;
	if (pinned_id(l))
		cb_leave(l); /* link events may follow */
	if (l->peer && (s != l->peer || a != l->me)) {
		/* the remote restarted or left: a new session of ours too,
		 * so nothing of the old one crosses */
		link_lock(l);
		l->peer_resets++;
		link_down_locked(l, RPROC_LINK_WAIT, -ECONNRESET);
		renew_locked(l);
		link_unlock(l);
		l->kick = true;
		all_ept_events(l);
		if (l->ops.peer_reset)
			l->ops.peer_reset(l->ctx, l);
		return; /* a != our new session */
	}
	if (!l->peer && s && a == l->me) {
		/* It acknowledged our current session, so it runs (a dead
		 * remote's words predate the session), and its own session
		 * came before that ack.  Accept it: our tail for it at 0,
		 * then the ack; that completes the handshake. */
		link_lock(l);
		st(&l->rx.cons->tail, 0);
		st(&l->rx.cons->data_event, 0);
		st_rel(&l->rx.cons->ack, s);
		l->rx_tail = l->rx_pos = 0;
		l->peer = s;
		l->kick = true;
		l->state = RPROC_LINK_UP;
		l->up_seen = true;
		l->down_reason = 0;
		for (e = l->epts; e; e = e->next) {
			e->pending = P_BIND;
			e->tx_hdr = 0;
		}
		atomic_store(&l->ctl_pending, l->epts != NULL);
		link_unlock(l);
		up = true;
	}
	if (up && l->ops.up)
		l->ops.up(l->ctx, l);
}

static inline void link_sync(struct rproc_link *l)
{
	/* the ack first: a remote's session precedes its ack of ours */
	uint32_t a = ld_acq(&l->tx.cons->ack);
	uint32_t s = ld_acq(&l->rx.prod->session);

	if (likely(l->state == RPROC_LINK_UP && s == l->peer && a == l->me))
		return;
	sync_slow(l, s, a);
}

/* One round of the busy role: what a sender found, the handshake, the
 * receive ring, pending control messages, blocked senders, the doorbell. */
static int process_once(struct rproc_link *l)
{
	bool again = true, kick = false;
	int n = 0;

	if (unlikely(!l->active))
		return 0;
	if (unlikely(atomic_load(&l->faulted))) {
		char msg[sizeof(l->fault)];

		link_lock(l);
		memcpy(msg, l->fault, sizeof(msg));
		atomic_store(&l->faulted, false);
		link_unlock(l);
		proto_error(l, "%s", msg);
	}
	/* a remote restarting under us: follow it, a few times at most */
	for (int i = 0; again && i < 4; i++) {
		again = false;
		link_sync(l);
		if (likely(l->state == RPROC_LINK_UP) ||
		    (l->state == RPROC_LINK_WAIT && l->peer))
			n += rx_drain(l, &again);
	}
	if (atomic_load_explicit(&l->ctl_pending, memory_order_relaxed)) {
		link_lock(l);
		ctl_flush_locked(l, &kick);
		link_unlock(l);
		l->kick |= kick;
	}
	/* the remote rang: maybe it freed room for blocked senders */
	if (unlikely(atomic_load(&l->tx_waiters)))
		lk_wake_unlocked(l);
	if (l->kick) {
		l->kick = false;
		ring_kick(l, l->kick_id);
	}
	return n;
}

/*
 * Take the busy role and process until nothing is left.  A caller that
 * finds the role taken raises link->again and tries once more (the holder
 * may have left meanwhile); the holder, after giving the role back, looks
 * at link->again (all seq_cst: either the holder sees the flag or the
 * caller gets the role).  Returns the messages delivered here.
 */
static int link_process(struct rproc_link *l)
{
	int n = 0;

	for (;;) {
		/* with the last holder's pin as a guess (see the top) */
		unsigned guess = pinned_id(l);

		if (unlikely(!busy_try(l, guess))) {
			atomic_store(&l->again, 1);
			if (!busy_try(l, guess))
				return n; /* the holder looks again */
		}
		atomic_store_explicit(&l->pin_id, guess, memory_order_relaxed);
		n += process_once(l);
		atomic_store(&l->busy, 0);
		if (unlikely(atomic_load(&l->busy_waiters) ||
			     atomic_load(&l->cb_waiters)))
			lk_wake_unlocked(l);
		if (likely(!atomic_load(&l->again)) ||
		    !atomic_exchange(&l->again, 0))
			return n;
	}
}

int rproc_link_poll(struct rproc_link *link)
{
	return link ? link_process(link) : -EINVAL;
}

int rproc_link_set_polled(struct rproc_link *link, bool on)
{
	if (!link)
		return -EINVAL;
	atomic_store(&link->polled, on);
	/* leaving: what we consumed published and a doorbell armed before
	 * we return (the busy role may be another thread's: it looks again) */
	return on ? 0 : link_process(link);
}

/* ---- sending ------------------------------------------------------------------- */

/* How send_slow() gets the lock. */
enum send_lock {
	LK_TAKE,   /* take it */
	LK_FINISH, /* its fast path found it taken: rproc_xlock_lock_slow() */
	LK_HELD,   /* held */
};

/*
 * The whole of a send, for what the fast path does not do (the lock
 * contended, @data NULL, the endpoint not ready, a message past the MTU
 * or past tx_lim, a wait for room).
 */
static NOINLINE int send_slow(struct rproc_link_ept *e, const void *data,
			      size_t len, int64_t timeout_ns,
			      enum send_lock lock)
{
	struct rproc_link *l = e->link;
	uint32_t pos, id = 0;
	bool kick = false;
	int ret;

	if (len && !data) /* lock: LK_TAKE */
		return -EINVAL;
	if (lock == LK_TAKE)
		link_lock(l);
	else if (lock == LK_FINISH)
		rproc_xlock_lock_slow(&l->lk);
	if (l->state != RPROC_LINK_UP || !e->remote) {
		ret = -ENOTCONN;
	} else if (len > l->tx_mtu) {
		ret = -EMSGSIZE;
	} else {
		ret = !e->pending ? tx_reserve(l, (uint32_t)len, &pos, false)
				  : -EAGAIN;
		if (ret == -EAGAIN)
			ret = tx_get(l, e, (uint32_t)len, timeout_ns, &pos,
				     &kick);
		if (!ret) {
			if (len)
				memcpy(l->tx.data + pos + LINK_HDR_LEN, data,
				       len);
			kick |= tx_commit(l, pos, e->remote, (uint32_t)len);
		} else if (ret == -EPROTO) {
			ret = -ENOTCONN;
		}
	}
	id = l->kick_id;
	link_unlock(l);
	if (kick)
		ring_kick(l, id);
	/* a bad tail: the busy role takes the link down (here, if free) */
	if (atomic_load_explicit(&l->faulted, memory_order_relaxed))
		link_process(l);
	return ret;
}

/* Give the lock back after a fast send (see send_fast()): the end of
 * rproc_xlock_unlock(), a tail call for its slow half.  Returns 0. */
static NOINLINE int send_unlock_slow(struct rproc_link *l)
{
	rproc_xlock_unlock_slow(&l->lk);
	return 0;
}

static inline int send_unlock(struct rproc_link *l)
{
	if (unlikely(rproc_xlock_unlock_fast(&l->lk)))
		return send_unlock_slow(l);
	return 0;
}

/* A doorbell for a fast send (lock held). */
static NOINLINE int send_kick(struct rproc_link *l)
{
	uint32_t id = l->kick_id;

	link_unlock(l);
	ring_kick(l, id);
	return 0;
}

/* Where the record at index @head of the transmit ring goes: the data
 * area from the producer line @prod (one pointer). */
static inline uint8_t *tx_at(struct rproc_link *l, struct link_prod *prod,
			     uint32_t head)
{
	return (uint8_t *)prod + 2 * LINK_LINE + (head & l->tx.mask);
}

/*
 * Publish a record of a fast send (lock held): @hdr | @len at @p, the
 * payload written after it, @rec bytes from @head.  Rings the remote if
 * it asked (its data_event), gives the lock back.  Returns 0.
 */
static inline int send_commit(struct rproc_link *l, struct link_prod *prod,
			      uint8_t *p, uint32_t hdr, uint32_t len,
			      uint32_t head, uint32_t rec)
{
	struct link_cons *cons =
		(struct link_cons *)(void *)((uint8_t *)prod + LINK_LINE);

	head += rec;
	/* the payload and the next record's stop word before the header
	 * (the ready word); the header before the remote's wish (it stores
	 * the wish, then loads the word at its tail) */
	st(word_at(tx_at(l, prod, head)), 0);
	st_rel(word_at(p), hdr | len);
	atomic_thread_fence(memory_order_seq_cst);
	l->tx_head = head;
	l->tx_count++;
	if (likely(!link_need_event(ld_sc(&cons->data_event), head,
				    head - rec)))
		return send_unlock(l);
	return send_kick(l);
}

/* send_fast() for any payload (memcpy): the same checks, the same
 * commit. */
static NOINLINE int send_any(struct rproc_link_ept *e, const void *data,
			     size_t len, int64_t timeout_ns)
{
	struct rproc_link *l = e->link;
	struct link_prod *prod;
	uint32_t head, rec;
	uint8_t *p;

	if (!data)
		return send_slow(e, data, len, timeout_ns, LK_TAKE);
	link_lock(l);
	head = l->tx_head;
	rec = LINK_REC_SIZE(len);
	if (!e->tx_hdr || len > l->tx_mtu || l->tx_lim - head < rec)
		return send_slow(e, data, len, timeout_ns, LK_HELD);
	prod = l->tx.prod; /* read before the payload's stores */
	p = tx_at(l, prod, head);
	memcpy(p + LINK_HDR_LEN, data, len);
	return send_commit(l, prod, p, e->tx_hdr, (uint32_t)len, head, rec);
}

_Static_assert(LINK_RING_MIN / 2 - 2 * LINK_HDR_LEN >= 16,
	       "send_fast(): 16 bytes within the MTU of any ring");

/*
 * A send's fast path, for the common small message (8..16 bytes; others
 * go to send_any()): the lock free at the first exchange, the endpoint
 * ready (its tx_hdr), the message before tx_lim (no pad, no look at the
 * remote's tail; within the MTU by its size): the payload as two overlapping
 * 8-byte moves, publish the head, ring if the remote asked.  The rest
 * goes to send_slow(), which checks everything again.  Inline in each
 * send function, with no call but tail calls: nothing to save on the way
 * in.
 */
static ALWAYS_INLINE int send_fast(struct rproc_link_ept *e, const void *data,
				   size_t len, int64_t timeout_ns)
{
	struct rproc_link *l = e->link;
	struct link_prod *prod;
	uint32_t hdr, head, rec;
	uint64_t w0, w1;
	uint8_t *p;

	if (unlikely(!data || len - 8 > 8))
		return send_any(e, data, len, timeout_ns);
	/* rproc_xlock_lock()'s fast half: taken, or the slow half next */
	if (unlikely(!rproc_xlock_trylock_fast(&l->lk)))
		return send_slow(e, data, len, timeout_ns, LK_FINISH);
	hdr = e->tx_hdr;
	head = l->tx_head;
	rec = LINK_REC_SIZE(len);
	/* (within every ring's MTU: no check) */
	if (unlikely(!hdr || l->tx_lim - head < rec))
		return send_slow(e, data, len, timeout_ns, LK_HELD);
	prod = l->tx.prod; /* read before the payload's stores */
	p = tx_at(l, prod, head);
	memcpy(&w0, data, 8);
	memcpy(&w1, (const uint8_t *)data + len - 8, 8);
	memcpy(p + LINK_HDR_LEN, &w0, 8);
	memcpy(p + LINK_HDR_LEN + len - 8, &w1, 8);
	return send_commit(l, prod, p, hdr, (uint32_t)len, head, rec);
}

int rproc_link_send(struct rproc_link_ept *ept, const void *data, size_t len)
{
	return send_fast(ept, data, len, -1);
}

int rproc_link_trysend(struct rproc_link_ept *ept, const void *data, size_t len)
{
	return send_fast(ept, data, len, 0);
}

int rproc_link_send_timeout(struct rproc_link_ept *ept, const void *data,
			    size_t len, int timeout_ms)
{
	return send_fast(ept, data, len, ms_to_ns(timeout_ms));
}

/* ---- endpoints ------------------------------------------------------------------ */

int rproc_link_ept_create(struct rproc_link *l, const char *name,
			  rproc_link_rx_cb rx_cb, rproc_link_unbind_cb unbind,
			  void *priv, struct rproc_link_ept **out)
{
	struct rproc_link_ept *e;
	const char *nul;
	bool kick = false;
	uint32_t kid = 0;
	size_t n;
	int ret = 0;

	if (!l || !name || !out || !name[0])
		return -EINVAL;
	nul = memchr(name, 0, LINK_NAME_LEN);
	if (!nul)
		return -ENAMETOOLONG;
	n = (size_t)(nul - name);
	e = rproc_zalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->link = l;
	e->cb = rx_cb;
	e->unbind = unbind;
	e->priv = priv;
	memcpy(e->name, name, n);

	link_lock(l);
	if (ept_by_name(l, name)) {
		ret = -EEXIST;
	} else if (l->nept >= RPROC_LINK_MAX_EPT) {
		ret = -ENOSPC;
	} else {
		/* round robin: an id comes back as late as possible, so a
		 * message for a destroyed endpoint reaches no new one */
		do
			l->next_id =
				(uint16_t)(l->next_id % RPROC_LINK_MAX_EPT) + 1;
		while (atomic_load_explicit(&l->tab[l->next_id],
					    memory_order_relaxed));
		e->id = l->next_id;
		e->next = l->epts;
		l->epts = e;
		l->nept++;
		e->pending = P_BIND;
		atomic_store(&l->ctl_pending, true);
		atomic_store(&l->tab[e->id], e);
		ctl_flush_locked(l, &kick);
		kid = l->kick_id;
	}
	link_unlock(l);
	if (ret) {
		rproc_free(e);
		return ret;
	}
	if (kick)
		ring_kick(l, kid);
	*out = e;
	return 0;
}

void rproc_link_ept_destroy(struct rproc_link_ept *e)
{
	struct rproc_link *l;
	struct rproc_link_ept **pp;
	bool kick = false;
	uint32_t pos, kid;

	if (!e)
		return;
	l = e->link;
	link_lock(l);
	if (e->remote && l->state == RPROC_LINK_UP &&
	    !tx_get(l, e, CTL_LEN, DESTROY_TIMEOUT_NS, &pos, &kick))
		kick |= ctl_commit(l, pos, LINK_CTL_UNBIND, e);
	kid = l->kick_id;
	for (pp = &l->epts; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	l->nept--;
	e->remote = 0;
	e->tx_hdr = 0;
	atomic_fetch_or(&e->flags, F_DESTROYED);
	atomic_store(&l->tab[e->id], NULL);
	atomic_fetch_add(&l->cb_waiters, 1);
	while (PINNED(atomic_load(&l->busy)) == e->id)
		lk_sleep(l, -1);
	atomic_fetch_sub(&l->cb_waiters, 1);
	link_unlock(l);
	if (kick)
		ring_kick(l, kid);
	rproc_free(e);
}

const char *rproc_link_ept_name(const struct rproc_link_ept *ept)
{
	return ept->name;
}

struct rproc_link *rproc_link_ept_link(const struct rproc_link_ept *ept)
{
	return ept->link;
}

bool rproc_link_ept_bound(struct rproc_link_ept *ept)
{
	struct rproc_link *l = ept->link;
	bool bound;

	link_lock(l);
	bound = l->state == RPROC_LINK_UP && ept->remote;
	link_unlock(l);
	return bound;
}

/* ---- queries -------------------------------------------------------------------- */

enum rproc_link_state rproc_link_state(struct rproc_link *l)
{
	enum rproc_link_state s;

	link_lock(l);
	s = l->state;
	link_unlock(l);
	return s;
}

size_t rproc_link_mtu(struct rproc_link *l)
{
	size_t v;

	link_lock(l);
	v = l->tx_mtu;
	link_unlock(l);
	return v;
}

size_t rproc_link_rx_mtu(struct rproc_link *l)
{
	size_t v;

	link_lock(l);
	v = l->rx_mtu;
	link_unlock(l);
	return v;
}

void rproc_link_get_stats(struct rproc_link *l, struct rproc_link_stats *st)
{
	memset(st, 0, sizeof(*st));
	link_lock(l);
	st->tx = l->tx_count;
	st->peer_resets = l->peer_resets;
	st->session = l->state == RPROC_LINK_OFF ? 0 : l->me;
	st->peer_session = l->peer;
	st->state = l->state;
	st->down_reason = l->down_reason;
	memcpy(st->error, l->error, sizeof(st->error));
	link_unlock(l);
	st->rx = atomic_load(&l->rx_count);
	st->rx_no_ept = atomic_load(&l->rx_no_ept);
	st->ctl_bad = atomic_load(&l->ctl_bad);
	st->kicks = atomic_load(&l->kicks);
}

/* ---- the subdevice (lifecycle thread, the remote's lock held) ----------------- */

/*
 * Find and check the link resource and its carveout; publish a new
 * session.  No RSC_VENDOR_LINK entry: the link stays off for this run.
 */
static int link_prepare(struct rproc_subdev *sd)
{
	struct rproc_link *l = link_of(sd);
	struct rproc *rproc = l->rproc;
	const struct rproc_resource *co;
	struct fw_rsc_link v;
	uint32_t mine;
	uint8_t *base;
	size_t len = 0;
	const void *body;

	body = rproc_vendor_entry(rproc, RSC_VENDOR_LINK, 0, &len);
	link_lock(l);
	busy_enter_locked(l);
	l->state = RPROC_LINK_OFF;
	all_tx_update(l);
	l->active = false;
	busy_leave(l);
	link_unlock(l);
	if (!body)
		return 0;
	if (len < sizeof(v))
		return rproc_subdev_err(sd, -EINVAL,
					"link: vendor resource %u: %zu bytes, "
					"needs %zu",
					RSC_VENDOR_LINK, len, sizeof(v));
	/* one copy: the table is remote memory */
	memcpy(&v, body, sizeof(v));
	if (v.version != LINK_VERSION || v.flags || v.reserved[0] ||
	    v.reserved[1])
		return rproc_subdev_err(
			sd, -EINVAL,
			"link: version %u, flags 0x%x, reserved "
			"0x%x 0x%x: needs version %u, the rest 0",
			(unsigned)v.version, (unsigned)v.flags,
			(unsigned)v.reserved[0], (unsigned)v.reserved[1],
			LINK_VERSION);
	if (!link_size_ok(v.size_h2r) || !link_size_ok(v.size_r2h))
		return rproc_subdev_err(sd, -EINVAL,
					"link: ring sizes %u and %u: each "
					"must be a power of two, %u..%u",
					(unsigned)v.size_h2r,
					(unsigned)v.size_r2h, LINK_RING_MIN,
					LINK_RING_MAX);
	if (!memchr(v.carveout, 0, sizeof(v.carveout)) || !v.carveout[0])
		return rproc_subdev_err(sd, -EINVAL,
					"link: carveout name empty or not "
					"terminated");
	co = rproc_resource_find(rproc, RSC_CARVEOUT, (const char *)v.carveout);
	if (!co || !co->va)
		return rproc_subdev_err(sd, -ENOENT,
					"link: no carveout \"%s\" for the "
					"shared memory",
					(const char *)v.carveout);
	if (co->d.len < LINK_SHM_SIZE(v.size_h2r, v.size_r2h))
		return rproc_subdev_err(
			sd, -ENOSPC,
			"link: carveout \"%s\" has %llu bytes, rings of %u and "
			"%u need %u",
			(const char *)v.carveout, (unsigned long long)co->d.len,
			(unsigned)v.size_h2r, (unsigned)v.size_r2h,
			(unsigned)LINK_SHM_SIZE(v.size_h2r, v.size_r2h));
	if ((uintptr_t)co->va & 3)
		return rproc_subdev_err(sd, -EINVAL,
					"link: carveout \"%s\" not 4-byte "
					"aligned",
					(const char *)v.carveout);

	base = co->va;
	link_lock(l);
	busy_enter_locked(l);
	l->kick_id = v.notify_h2r;
	l->notify_id = v.notify_r2h;
	l->tx = (struct lring){
		.prod = (struct link_prod *)(void *)(base + LINK_OFF_H2R_PROD),
		.cons = (struct link_cons *)(void *)(base + LINK_OFF_H2R_CONS),
		.data = base + LINK_OFF_H2R_DATA,
		.size = v.size_h2r,
		.mask = v.size_h2r - 1,
	};
	l->rx = (struct lring){
		.prod = (struct link_prod *)(void *)(base +
						     LINK_OFF_R2H_PROD(
							     v.size_h2r)),
		.cons = (struct link_cons *)(void *)(base +
						     LINK_OFF_R2H_CONS(
							     v.size_h2r)),
		.data = base + LINK_OFF_R2H_DATA(v.size_h2r),
		.size = v.size_r2h,
		.mask = v.size_r2h - 1,
	};
	l->tx_mtu = link_mtu(v.size_h2r);
	l->rx_mtu = link_mtu(v.size_r2h);
	st(word_at(base), LINK_MAGIC);
	st(word_at(base + 4), LINK_VERSION);
	st(word_at(base + 8), v.size_h2r);
	st(word_at(base + 12), v.size_r2h);
	/* Ours goes on from the one in the memory.  The remote's is
	 * accepted only once it acknowledged ours (sync_slow()). */
	mine = ld(&l->tx.prod->session);
	if (mine > l->me)
		l->me = mine;
	renew_locked(l);
	l->state = RPROC_LINK_WAIT;
	l->up_seen = false;
	l->down_reason = 0;
	l->error[0] = '\0';
	atomic_store(&l->faulted, false);
	l->warned_ctl = l->warned_ept = false;
	busy_leave(l);
	link_unlock(l);
	return 0;
}

static int link_start(struct rproc_subdev *sd)
{
	struct rproc_link *l = link_of(sd);
	bool on;

	link_lock(l);
	busy_enter_locked(l);
	on = l->active = l->state == RPROC_LINK_WAIT;
	busy_leave(l);
	link_unlock(l);
	/* our session is there: a remote already waiting looks */
	if (on)
		ring_kick(l, l->kick_id);
	return 0;
}

static void link_stop(struct rproc_subdev *sd, bool crashed)
{
	struct rproc_link *l = link_of(sd);
	int reason = crashed ? -EIO : -ESHUTDOWN;
	bool down = false, kick = false;

	link_lock(l);
	busy_enter_locked(l);
	l->active = false;
	if (l->state == RPROC_LINK_WAIT || l->state == RPROC_LINK_UP) {
		link_down_locked(l, RPROC_LINK_OFF, reason);
		link_leave_locked(l);
		down = l->up_seen;
		l->up_seen = false;
		l->down_reason = reason;
		/* a remote that still runs sees us leave */
		kick = !crashed;
	} else {
		l->state = RPROC_LINK_OFF;
		all_tx_update(l);
	}
	link_unlock(l);
	if (kick)
		ring_kick(l, l->kick_id);
	all_ept_events(l);
	if (down && l->ops.down)
		l->ops.down(l->ctx, l, reason);
	link_lock(l);
	busy_leave(l);
	link_unlock(l);
}

static void link_unprepare(struct rproc_subdev *sd)
{
	struct rproc_link *l = link_of(sd);

	link_lock(l);
	busy_enter_locked(l);
	l->state = RPROC_LINK_OFF;
	all_tx_update(l);
	l->active = false;
	memset(&l->tx, 0, sizeof(l->tx));
	memset(&l->rx, 0, sizeof(l->rx));
	busy_leave(l);
	link_unlock(l);
}

static void link_notify(struct rproc_subdev *sd, uint32_t id)
{
	struct rproc_link *l = link_of(sd);

	if (id == l->notify_id || id == RPROC_NOTIFY_ALL)
		link_process(l);
}

/* ---- attach / detach -------------------------------------------------------------- */

int rproc_link_attach(struct rproc *rproc, const struct rproc_link_ops *ops,
		      void *ctx, struct rproc_link **out)
{
	struct rproc_link *l;
	int ret;

	if (!rproc || !out)
		return -EINVAL;
	l = rproc_zalloc(sizeof(*l));
	if (!l)
		return -ENOMEM;
	ret = rproc_xlock_init(&l->lk);
	if (!ret)
		ret = rproc_xevent_init(&l->wait);
	if (ret)
		goto free_link;
	l->rproc = rproc;
	if (ops)
		l->ops = *ops;
	l->ctx = ctx;
	l->sd.name = "link";
	l->sd.prepare = link_prepare;
	l->sd.start = link_start;
	l->sd.stop = link_stop;
	l->sd.unprepare = link_unprepare;
	l->sd.notify = link_notify;
	l->sd.vendor_type = RSC_VENDOR_LINK; /* ours, not the driver's */
	l->sd.unique = true;		     /* one link per remote */
	ret = rproc_subdev_add(rproc, &l->sd);
	if (ret)
		goto free_link;
	*out = l;
	return 0;

free_link:
	rproc_xevent_fini(&l->wait);
	rproc_xlock_fini(&l->lk);
	rproc_free(l);
	return ret;
}

void rproc_link_detach(struct rproc_link *l)
{
	struct rproc_link_ept *e;
	int ret;

	if (!l)
		return;
	ret = rproc_subdev_remove(l->rproc, &l->sd);
	if (ret && ret != -ENOENT) {
		rproc_warn(l->rproc,
			   "link: detach while the remote is up: ignored");
		return;
	}
	while ((e = l->epts)) {
		l->epts = e->next;
		rproc_free(e);
	}
	rproc_xevent_fini(&l->wait);
	rproc_xlock_fini(&l->lk);
	rproc_free(l);
}
