/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STATUS (kept current; whoever continues starts here)
 *   done:  bus attach/detach as a subdevice; bind at start (features,
 *          BUFSZ config checked, pool split, rings, RX posted, DRIVER_OK
 *          last; FAILED written when refused); notify/poll: RX drain in
 *          batches (disable/enable_cb for bursts), name service (channels,
 *          hardened, capped), endpoint dispatch, TX reclaim waking
 *          senders; stop/crash/-EPROTO: device down, senders woken
 *          (-ENOTCONN), unbind + device_down; endpoints (hash by address,
 *          dynamic addresses from 1024, announce), send/trysend/timeout,
 *          zero copy TX, RX hold/release; stats; several vdevs.
 *          Tests: tests/rpmsg (rpmsg_echo, _zero_copy, _bufsz, _down,
 *          _contention, _hostile, on the native remote), tests/vsoc
 *          vsoc_rpmsg (real Cortex-M4/RV32 firmware), green in the
 *          normal, ASan and TSan builds.  Cost: bench/bench_rpmsg (make
 *          bench).
 *   not done: a buffer pool the bus allocates itself (a vdev without
 *          "vdev<N>buffer" fails the start); attaching to a remote whose
 *          rpmsg is already live (we re-initialise the rings, which only
 *          works if the remote waits for DRIVER_OK again); indirect
 *          descriptors; more than one descriptor per buffer.
 *   cost:  the 200-instruction goal is met: bench_rpmsg (callgrind)
 *          counts 197.2 per one-way 16 B message in bursts of 16 (350.0
 *          one by one, 444.6 per echo round trip; were 214.4, 368.1,
 *          463.3 before this round, 325.8, 482.3, 632.7 at first): host
 *          send 71, reclaim 20, the firmware's receive 76, the bench
 *          loop's ~26 (docs/rpmsg.md, Cost and size, lists what each
 *          step removed).  Next, if more is wanted: rpmsg_send_batch (one
 *          lock and one publish per burst).  The round trip did not
 *          follow the instructions: a polled receive path 108 shorter per
 *          round trip (callback sections under the lock, one look per
 *          poll) measured 0.3-0.4x slower (docs/rpmsg.md, Round trip).
 *
 * The host rpmsg bus: the virtio driver side of every rpmsg vdev of a
 * remote (include/rproc/rpmsg.h is the spec), a subdevice of the remote.
 *
 * Locking.  One lock per bus (bus->lk, a light lock: src/core/xlock.h,
 * one atomic exchange each way while uncontended, the OS mutex and
 * condition variable only to sleep on) guards every field of the bus, its
 * devices and endpoints but the atomics, and serialises the two
 * virtqueues of each device (virtqueue.h requires it).  Not recursive.
 * One event per bus (bus->ev, every sleeper woken) wakes blocked senders,
 * rpmsg_destroy_ept() and the stop waiting for the dispatcher: a sleeper
 * counts itself and looks at its condition with the lock held, and every
 * waker changes the condition and wakes with the lock held, or takes the
 * lock once after a change made without it (bus_sleep(), cb_wake()), so
 * no wakeup is lost.  Lock order: the remote's lock (start, stop) and
 * the core's notify_lock (notify) come before bus->lk; under bus->lk the
 * bus calls only the virtqueue, the allocator, the log and rproc_kick()
 * (the driver's kick op must not call back into the bus).
 *
 * The dispatcher.  User callbacks never run with the lock held.  Per
 * device, one thread at a time holds the "busy" role (rdev->busy, under the
 * lock): the doorbell thread in notify, a caller of rproc_rpmsg_poll(), the
 * lifecycle thread at start (device_up, first drain), or whoever finds the
 * device failed when nobody is busy (stop, a sender that finds the TX ring
 * broken).  Only the busy holder calls callbacks, so every callback of a
 * device is serialised and in order.  The holder collects up to RX_BATCH
 * messages from vring0 under the lock, unlocks, calls the callbacks,
 * relocks, re-posts the buffers (unless held) and goes on until the ring is
 * empty.  A doorbell that arrives while another thread is busy only sets
 * rdev->again: the busy thread loops once more (no lost messages, order
 * kept).  Before giving up the role, it runs the pending down work (unbind
 * callbacks, device_down).
 *
 * Endpoint lifetime.  A batch pins the endpoints of its messages
 * (ept->pins, under the lock); rpmsg_destroy_ept() of a pinned endpoint
 * leaves the free to the last unpin.  Whether a callback may still run is
 * decided without the lock with two seq_cst atomics (Dekker): the
 * dispatcher sets ept->running then checks ept->flags; destroy sets
 * EPT_DESTROYED then, under the lock, waits while ept->running.  So destroy
 * from another endpoint's callback works (only the running endpoint has
 * running set) and the hot path takes no extra lock per message.
 *
 * The remote is untrusted: the rings are validated by virtqueue.c; here
 * every header field is read once (volatile) and checked: used length >=
 * header, payload length within what the remote wrote, a known endpoint,
 * name-service messages of exactly 40 bytes with a terminated name and
 * known flags.  Drops are counted (struct rpmsg_device_stats) and the first
 * of each kind per binding is logged.  A broken virtqueue takes the device
 * down with -EPROTO.
 *
 * Hot path (one message each way): no allocation, no division, one lock
 * round trip to send and no call but a kick the remote asked for; to
 * receive one per batch plus one to re-post, two seq_cst stores per run
 * of messages for one endpoint.  Every buffer is pinned to a descriptor
 * of its own at bind (rproc_vq_pin()), so sending and re-posting only
 * queue its id, without the queue's checks: the bus's free lists and
 * batches prove them (do_send(), dev_repost()); what the remote returns
 * is checked in full, in line for the pinned buffers
 * (rproc_vq_get_used_each()), a batch at a time.  Divisions only in the
 * zero-copy pointer checks and at bind.  Portable core code: OS calls
 * through os.h only.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"
#include "rproc/rpmsg.h"
#include "rproc/rsc_table.h"
#include "virtqueue.h"
#include "xlock.h"

#define F_BIT(b) (1u << (b))

/* The message path is a handful of small functions: keep them in line
 * (but where bytes count, -Os: the compiler decides). */
#if defined(__GNUC__) && defined(__OPTIMIZE_SIZE__)
#define HOT_INLINE inline
#define NOINLINE __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#elif defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#else
#define HOT_INLINE inline
#define NOINLINE
#define likely(x) (x)
#define unlikely(x) (x)
#endif
#define SUPPORTED                                                              \
	(F_BIT(VIRTIO_RPMSG_F_NS) | F_BIT(VIRTIO_RPMSG_F_BUFSZ) |              \
	 F_BIT(VIRTIO_RING_F_EVENT_IDX))

#define HASH_SIZE 64u /* endpoint buckets (power of two) */
#define RX_BATCH 16u  /* messages collected per lock hold */
#define MAX_CHANNELS 128u
#define BUF_MIN ((uint32_t)sizeof(struct rpmsg_hdr) + 1u)
#define BUF_MAX (65535u + (uint32_t)sizeof(struct rpmsg_hdr))
#define HDR_LEN ((uint32_t)sizeof(struct rpmsg_hdr))
#define NS_DESTROY_TIMEOUT_NS 1000000000LL

/* The live vdev entry (after its type word): struct fw_rsc_vdev, two
 * vrings, then the config space. */
#define VDEV_DFEATURES 8u
#define VDEV_GFEATURES 12u
#define VDEV_CONFIG_LEN 16u
#define VDEV_STATUS 20u
#define VDEV_CONFIG                                                            \
	(sizeof(struct fw_rsc_vdev) + 2 * sizeof(struct fw_rsc_vdev_vring))

_Static_assert(offsetof(struct fw_rsc_vdev, dfeatures) == VDEV_DFEATURES,
	       "vdev");
_Static_assert(offsetof(struct fw_rsc_vdev, gfeatures) == VDEV_GFEATURES,
	       "vdev");
_Static_assert(offsetof(struct fw_rsc_vdev, config_len) == VDEV_CONFIG_LEN,
	       "vdev");
_Static_assert(offsetof(struct fw_rsc_vdev, status) == VDEV_STATUS, "vdev");
_Static_assert(VDEV_CONFIG == 64, "vdev config");

/* struct rpmsg_hdr without "packed": buffers are 4-byte aligned (checked
 * at bind), so each field is one load or store. */
struct hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved;
	uint16_t len;
	uint16_t flags;
};

_Static_assert(sizeof(struct hdr) == sizeof(struct rpmsg_hdr), "hdr");
_Static_assert(offsetof(struct hdr, len) == offsetof(struct rpmsg_hdr, len),
	       "hdr");

/* ept->flags */
#define EPT_UNBOUND 1u	 /* its device went down: no callbacks, no sends */
#define EPT_DESTROYED 2u /* rpmsg_destroy_ept() started */

struct rpmsg_endpoint {
	struct rpmsg_device *rdev;
	struct rproc_xlock *lk; /* &rdev->bus->lk: the send path's first load */
	struct rpmsg_endpoint *hnext; /* address hash chain (bound only) */
	struct rpmsg_endpoint *dnext; /* pending unbind list */
	struct rpmsg_endpoint *prev, *next; /* every endpoint of the device */
	rpmsg_rx_cb cb;
	rpmsg_unbind_cb unbind;
	void *priv;
	uint32_t addr;
	uint32_t dst;
	unsigned pins; /* batch entries and unbind lists naming it */
	bool announced;
	bool free_pending;   /* destroyed while pinned: the last unpin frees */
	atomic_uint flags;   /* EPT_* */
	atomic_bool running; /* one of its callbacks may run */
	atomic_bool waiter;  /* rpmsg_destroy_ept() waits for !running */
	char name[RPMSG_NAME_SIZE];
};

/* A host receive buffer (vring0), pinned to descriptor @id (its index in
 * rdev->rxb).  Its address is the token. */
struct rxb {
	uint8_t *buf;
	uint16_t id;
	bool held;     /* rpmsg_hold_rx_buffer() */
	bool in_batch; /* taken from the ring, being delivered */
};

/* A host transmit buffer (vring1), pinned to descriptor @id likewise. */
struct txb {
	uint8_t *buf;
	struct txb *next; /* free list */
	uint16_t id;
	bool user; /* handed out by rpmsg_get_tx_buffer() */
};

struct channel {
	struct channel *next;
	uint32_t addr;
	char name[RPMSG_NAME_SIZE];
};

/* One entry of a batch: a message (ept set) or a name-service event
 * (ept NULL, ns[] index in len). */
struct rx_msg {
	struct rpmsg_endpoint *ept;
	struct rxb *b;
	uint32_t len;
	uint32_t src;
};

struct ns_event {
	char name[RPMSG_NAME_SIZE];
	uint32_t addr;
	bool up;
};

struct rpmsg_device {
	struct rproc_rpmsg *bus;
	struct rpmsg_device *next;
	unsigned index;

	/* Set at bind, cleared at unbind (lifecycle thread, lock held);
	 * notify reads the ids without the lock (never concurrent). */
	bool bound;
	uint32_t rx_id, tx_id, vdev_id;
	volatile uint8_t *entry; /* live vdev entry in the table */
	struct rproc_vq rvq;	 /* vring0: host RX */
	struct rproc_vq tvq;	 /* vring1: host TX */
	uint8_t *rx_base, *tx_base;
	uint32_t rx_size, tx_size; /* buffer sizes, header included */
	uint32_t tx_mtu;	   /* tx_size - HDR_LEN */
	uint32_t rx_stride, tx_stride;
	uint32_t nrx, ntx;
	struct rxb *rxb;
	struct txb *txb;
	uint32_t features;
	uint32_t gen; /* binding count: waiters of an old one ignore this */

	/* lock */
	bool up;
	bool busy;	   /* the dispatcher role is taken */
	bool again;	   /* a doorbell came while busy */
	bool rx_cb_on;	   /* vring0 callbacks enabled */
	bool down_pending; /* unbind callbacks + device_down to run */
	unsigned busy_waiters;
	unsigned tx_waiters;
	int down_reason;
	unsigned warned; /* WARN_* logged this binding */
	uint32_t next_addr;
	struct txb *tx_free;
	struct rpmsg_endpoint *hash[HASH_SIZE];
	struct rpmsg_endpoint *epts;	  /* all, until destroyed */
	struct rpmsg_endpoint *down_list; /* unbind callbacks to run */
	struct channel *channels;
	unsigned nchannels;
	struct rpmsg_device_stats st;

	/* the busy holder's */
	bool start_kick;
	unsigned nns;
	struct rx_msg batch[RX_BATCH];
	struct ns_event ns[RX_BATCH]; /* the batch's name-service events */
};

struct rproc_rpmsg {
	struct rproc_subdev sd; /* first: container of */
	struct rproc *rproc;
	struct rpmsg_bus_ops ops;
	void *ctx;
	struct rproc_xlock lk;	   /* the bus's lock (see the top) */
	struct rproc_xevent ev;	   /* sleeping with it dropped: bus_sleep() */
	struct rpmsg_device *devs; /* by index, kept until detach */
	bool polled;		   /* rproc_rpmsg_set_polled() */
};

enum {
	WARN_LEN = 1u,
	WARN_DST = 2u,
	WARN_NS = 4u,
};

/* ---- small helpers -------------------------------------------------------- */

static inline struct rproc_rpmsg *bus_of(struct rproc_subdev *sd)
{
	return (struct rproc_rpmsg *)sd;
}

static inline void bus_lock(struct rproc_rpmsg *bus)
{
	rproc_xlock_lock(&bus->lk);
}

static inline void bus_unlock(struct rproc_rpmsg *bus)
{
	rproc_xlock_unlock(&bus->lk);
}

/*
 * Sleep with the lock dropped (held on entry and on return) until
 * bus_wake() or @timeout_ns (< 0: none); 0 or -ETIMEDOUT, and a wake may
 * be spurious.  No wakeup is lost: a sleeper looks at what it waits for
 * with the lock held and is asleep (xlock.h) before the lock is free, and
 * every bus_wake() is called with the lock held, after the change it
 * announces (a change made without it: cb_wake()).
 */
static int bus_sleep(struct rproc_rpmsg *bus, int64_t timeout_ns)
{
	return rproc_xevent_sleep(&bus->ev, &bus->lk, timeout_ns);
}

/* Wake every sleeper of the bus (lock held: see bus_sleep()). */
static void bus_wake(struct rproc_rpmsg *bus)
{
	rproc_xevent_wake(&bus->ev);
}

static inline uint32_t ld32(const volatile uint8_t *p)
{
	return *(const volatile uint32_t *)(const volatile void *)p;
}

static inline void st32(volatile uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)(volatile void *)p = v;
}

/* "vdev<idx><suffix>" into @out (RPROC_RSC_NAME_LEN bytes). */
static void vdev_name(char *out, unsigned idx, const char *suffix)
{
	char tmp[12];
	size_t n = 0, pos = 4;

	memcpy(out, "vdev", 4);
	do {
		tmp[n++] = (char)('0' + idx % 10);
		idx /= 10;
	} while (idx);
	while (n)
		out[pos++] = tmp[--n];
	while (*suffix && pos < RPROC_RSC_NAME_LEN - 1)
		out[pos++] = *suffix++;
	out[pos] = '\0';
}

/* The payload copy of the send fast path: a short message (8..16 bytes,
 * the common rpmsg size) as two overlapping 8-byte moves in line. */
static HOT_INLINE void copy_8_16(uint8_t *dst, const void *src, size_t len)
{
	uint64_t head, tail;

	memcpy(&head, src, 8);
	memcpy(&tail, (const uint8_t *)src + len - 8, 8);
	memcpy(dst, &head, 8);
	memcpy(dst + len - 8, &tail, 8);
}

static inline int64_t ms_to_ns(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000;
}

/* ---- endpoints: address table ---------------------------------------------- */

static inline struct rpmsg_endpoint *ept_lookup(const struct rpmsg_device *rdev,
						uint32_t addr)
{
	struct rpmsg_endpoint *e = rdev->hash[addr & (HASH_SIZE - 1)];

	while (e && e->addr != addr)
		e = e->hnext;
	return e;
}

static void ept_hash_del(struct rpmsg_device *rdev, struct rpmsg_endpoint *e)
{
	struct rpmsg_endpoint **pp = &rdev->hash[e->addr & (HASH_SIZE - 1)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			e->hnext = NULL;
			return;
		}
}

static void ept_list_del(struct rpmsg_device *rdev, struct rpmsg_endpoint *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else if (rdev->epts == e)
		rdev->epts = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

/* Lock held. */
static inline void ept_unpin(struct rpmsg_endpoint *e)
{
	if (!--e->pins && e->free_pending)
		rproc_free(e);
}

/* A free dynamic address (lock held).  Terminates: fewer endpoints than
 * addresses. */
static uint32_t ept_new_addr(struct rpmsg_device *rdev)
{
	for (;;) {
		uint32_t a = rdev->next_addr++;

		if (rdev->next_addr == RPMSG_ADDR_ANY)
			rdev->next_addr = RPMSG_RESERVED_ADDRESSES;
		if (!ept_lookup(rdev, a))
			return a;
	}
}

/* A destroyer waits for @e's callback to end (ept->waiter), whose end
 * was stored without the lock: wake it (xlock.h).  Cold. */
static NOINLINE void cb_wake(struct rpmsg_endpoint *e)
{
	struct rproc_rpmsg *bus = e->rdev->bus;

	rproc_xevent_wake_unlocked(&bus->ev, &bus->lk);
}

/* May a callback of @e run now?  Without the lock; see the top comment. */
static inline bool cb_begin(struct rpmsg_endpoint *e, unsigned mask)
{
	atomic_store(&e->running, true);
	if (!(atomic_load(&e->flags) & mask))
		return true;
	atomic_store(&e->running, false);
	/* a destroyer may wait for this */
	if (atomic_load(&e->waiter))
		cb_wake(e);
	return false;
}

static inline void cb_end(struct rpmsg_endpoint *e)
{
	atomic_store(&e->running, false);
	if (atomic_load(&e->waiter))
		cb_wake(e);
}

/* ---- device down ------------------------------------------------------------ */

static void channels_free(struct rpmsg_device *rdev)
{
	struct channel *c;

	while ((c = rdev->channels)) {
		rdev->channels = c->next;
		rproc_free(c);
	}
	rdev->nchannels = 0;
}

/*
 * Take the device down (lock held): no more traffic, every endpoint
 * unbound (its address free again), blocked senders woken.  The unbind
 * callbacks and device_down are left to the busy holder (dev_idle).
 */
static void dev_fail(struct rpmsg_device *rdev, int reason)
{
	struct rpmsg_endpoint *e;
	const char *why;
	unsigned i;

	if (!rdev->up)
		return;
	rdev->up = false;
	rdev->down_reason = reason;
	rdev->st.down_reason = reason;
	if (reason == -EPROTO) {
		why = rproc_vq_error(&rdev->rvq);
		if (!why)
			why = rproc_vq_error(&rdev->tvq);
		if (!why)
			why = "ring protocol error";
		strncpy(rdev->st.vq_error, why, sizeof(rdev->st.vq_error) - 1);
		rproc_warn(rdev->bus->rproc,
			   "rpmsg vdev%u: the remote broke the ring protocol "
			   "(%s): device down",
			   rdev->index, why);
	}
	for (i = 0; i < HASH_SIZE; i++)
		while ((e = rdev->hash[i])) {
			rdev->hash[i] = e->hnext;
			e->hnext = NULL;
			atomic_fetch_or(&e->flags, EPT_UNBOUND);
			e->pins++;
			e->dnext = rdev->down_list;
			rdev->down_list = e;
		}
	channels_free(rdev);
	rdev->down_pending = true;
	bus_wake(rdev->bus);
}

/* The busy holder runs the down callbacks (lock held on entry and exit,
 * dropped around the callbacks). */
static NOINLINE void dev_run_down(struct rpmsg_device *rdev)
{
	struct rproc_rpmsg *bus = rdev->bus;

	while (rdev->down_pending) {
		struct rpmsg_endpoint *list = rdev->down_list, *e, *n;
		int reason = rdev->down_reason;

		rdev->down_list = NULL;
		rdev->down_pending = false;
		bus_unlock(bus);
		for (e = list; e; e = e->dnext)
			if (e->unbind && cb_begin(e, EPT_DESTROYED)) {
				e->unbind(e, reason, e->priv);
				cb_end(e);
			}
		if (bus->ops.device_down)
			bus->ops.device_down(bus->ctx, rdev, reason);
		bus_lock(bus);
		for (e = list; e; e = n) {
			n = e->dnext;
			e->dnext = NULL;
			ept_unpin(e);
		}
	}
}

/* Give up the busy role (lock held), after the pending down work. */
static inline void dev_idle(struct rpmsg_device *rdev)
{
	if (unlikely(rdev->down_pending))
		dev_run_down(rdev);
	rdev->busy = false;
	if (rdev->busy_waiters)
		bus_wake(rdev->bus);
}

/* After dev_fail() outside the dispatcher: run the down work now unless a
 * busy holder will (lock held). */
static void dev_down_work(struct rpmsg_device *rdev)
{
	if (!rdev->down_pending || rdev->busy)
		return;
	rdev->busy = true;
	dev_idle(rdev);
}

/* Wait for the busy role and take it (lock held). */
static void dev_busy_enter(struct rpmsg_device *rdev)
{
	rdev->busy_waiters++;
	while (rdev->busy)
		bus_sleep(rdev->bus, -1);
	rdev->busy_waiters--;
	rdev->busy = true;
}

/* ---- receive ---------------------------------------------------------------- */

/* Queue host RX buffer @b on vring0 again (lock held; published later). */
static inline void rx_post(struct rpmsg_device *rdev, struct rxb *b)
{
	if (rdev->up)
		rproc_vq_add_pinned(&rdev->rvq, b->id, 0);
}

/* Publish re-posted buffers; kick if the remote wants (lock held). */
static inline void rx_publish(struct rpmsg_device *rdev)
{
	if (rdev->up && rproc_vq_kick_prepare(&rdev->rvq))
		rproc_kick(rdev->bus->rproc, rdev->rx_id);
}

static void rx_warn(struct rpmsg_device *rdev, unsigned kind, const char *what,
		    uint32_t a, uint32_t b)
{
	if (rdev->warned & kind)
		return;
	rdev->warned |= kind;
	rproc_warn(rdev->bus->rproc,
		   "rpmsg vdev%u: dropped a message from the remote: %s (%u, "
		   "%u); further ones are only counted",
		   rdev->index, what, (unsigned)a, (unsigned)b);
}

static void ns_bad(struct rpmsg_device *rdev, const char *what, uint32_t a,
		   uint32_t b)
{
	rdev->st.ns_bad++;
	rx_warn(rdev, WARN_NS, what, a, b);
}

static struct channel *channel_find(struct rpmsg_device *rdev, const char *name,
				    uint32_t addr)
{
	struct channel *c;

	for (c = rdev->channels; c; c = c->next)
		if (c->addr == addr && !strcmp(c->name, name))
			return c;
	return NULL;
}

/* A name-service message (lock held): @len payload bytes in @b, which goes
 * back to the ring at once (everything is copied).  Returns the batch's
 * new length (@n, or @n + 1 with an event for the channel callbacks). */
static NOINLINE unsigned rx_ns(struct rpmsg_device *rdev, struct rxb *b,
			       uint32_t len, unsigned n)
{
	const volatile uint32_t *src =
		(const volatile uint32_t *)(const volatile void *)(b->buf +
								   HDR_LEN);
	union {
		struct rpmsg_ns_msg m;
		uint32_t w[sizeof(struct rpmsg_ns_msg) / 4];
	} u;
	struct channel *c, **pp;
	struct ns_event *ev;
	struct rx_msg *m;
	unsigned i;

	if (len != sizeof(u.m)) {
		rx_post(rdev, b);
		ns_bad(rdev, "name service: message length, expected 40", len,
		       0);
		return n;
	}
	for (i = 0; i < sizeof(u.w) / sizeof(u.w[0]); i++)
		u.w[i] = src[i];
	rx_post(rdev, b);
	if (!memchr(u.m.name, 0, sizeof(u.m.name)) || !u.m.name[0]) {
		ns_bad(rdev, "name service: name empty or not terminated",
		       u.m.addr, u.m.flags);
		return n;
	}
	if (u.m.flags > RPMSG_NS_DESTROY) {
		ns_bad(rdev, "name service: unknown flags", u.m.addr,
		       u.m.flags);
		return n;
	}
	c = channel_find(rdev, u.m.name, u.m.addr);
	if (u.m.flags == RPMSG_NS_CREATE) {
		if (c) {
			ns_bad(rdev, "name service: channel announced twice",
			       u.m.addr, 0);
			return n;
		}
		if (rdev->nchannels >= MAX_CHANNELS ||
		    !(c = rproc_zalloc(sizeof(*c)))) {
			ns_bad(rdev, "name service: too many channels",
			       u.m.addr, rdev->nchannels);
			return n;
		}
		memcpy(c->name, u.m.name, sizeof(c->name));
		c->addr = u.m.addr;
		c->next = rdev->channels;
		rdev->channels = c;
		rdev->nchannels++;
	} else {
		if (!c) {
			ns_bad(rdev, "name service: unknown channel withdrawn",
			       u.m.addr, 0);
			return n;
		}
		for (pp = &rdev->channels; *pp != c; pp = &(*pp)->next)
			;
		*pp = c->next;
		rproc_free(c);
		rdev->nchannels--;
	}
	ev = &rdev->ns[rdev->nns];
	memcpy(ev->name, u.m.name, sizeof(ev->name));
	ev->addr = u.m.addr;
	ev->up = u.m.flags == RPMSG_NS_CREATE;
	m = &rdev->batch[n];
	m->ept = NULL;
	m->b = NULL;
	m->len = rdev->nns++;
	return n + 1;
}

/* dev_collect()'s state: the batch's length, and the last endpoint looked
 * up (a batch is mostly for one): valid while the lock is held, as the
 * hash is. */
struct rx_collect {
	struct rpmsg_device *rdev;
	unsigned n;
	uint32_t dst;		  /* RPMSG_ADDR_ANY: no endpoint has it */
	struct rpmsg_endpoint *e; /* ept_lookup(rdev, dst) */
};

/* One buffer the remote filled (lock held): into the batch, or dropped
 * and re-posted.  dev_collect()'s step per buffer
 * (rproc_vq_get_used_each(): in line); @ctx is its struct rx_collect,
 * @token the struct rxb. */
static HOT_INLINE void rx_one(void *ctx, void *token, uint32_t used)
{
	struct rx_collect *c = ctx;
	struct rxb *b = token;
	const volatile struct hdr *h =
		(const volatile struct hdr *)(const volatile void *)b->buf;
	struct rpmsg_device *rdev = c->rdev;
	struct rpmsg_endpoint *e;
	struct rx_msg *m;
	uint32_t len, dst;

	if (unlikely(used < HDR_LEN)) {
		len = 0;
		goto bad_len;
	}
	len = h->len;
	if (unlikely(len > used - HDR_LEN))
		goto bad_len;
	dst = h->dst;
	if (unlikely(dst == RPMSG_NS_ADDR) &&
	    (rdev->features & F_BIT(VIRTIO_RPMSG_F_NS))) {
		c->n = rx_ns(rdev, b, len, c->n);
		return;
	}
	if (likely(dst == c->dst)) {
		e = c->e;
	} else {
		e = ept_lookup(rdev, dst);
		c->dst = dst;
		c->e = e;
	}
	if (unlikely(!e || !e->cb)) {
		rdev->st.rx_no_ept++;
		rx_warn(rdev, WARN_DST, "no endpoint at dst", dst, len);
		rx_post(rdev, b);
		return;
	}
	m = &rdev->batch[c->n++];
	m->ept = e;
	m->b = b;
	m->len = len;
	m->src = h->src;
	e->pins++;
	b->in_batch = true;
	return;
bad_len:
	rdev->st.rx_bad_len++;
	rx_warn(rdev, WARN_LEN, "length (header len, bytes written)", len,
		used);
	rx_post(rdev, b);
}

/*
 * Collect a batch from vring0 (lock held, busy).  Callbacks stay enabled
 * while the ring is idle and for a lone message (nothing can be missed
 * while they are on: after taking, the queue asks for the next one, and
 * the next look at used->idx comes after that), so the common doorbell
 * costs a look or two at used->idx; they are disabled when a burst shows
 * up and enabled again (with the race check) when the ring is found
 * empty.  The buffers come a batch at a time (rproc_vq_get_used_each(),
 * in line: the queue's bookkeeping once per batch).
 */
static unsigned dev_collect(struct rpmsg_device *rdev)
{
	struct rproc_vq *vq = &rdev->rvq;
	struct rx_collect c = {rdev, 0, RPMSG_ADDR_ANY, NULL};
	struct rxb *b;
	unsigned got;

	rdev->nns = 0;
	if (!rdev->up)
		return 0;
	/* the next buffer's header on its way (rproc_vq_guess_next()): while
	 * its used entry is read, or while we wait for it */
	b = rproc_vq_guess_next(vq);
	if (b)
		__builtin_prefetch(b->buf);
	if (vq->last_used == vq->used_idx && !__rproc_vq_fetch_used_idx(vq)) {
		/* nothing new (or broken: the loop below sees); the entry's
		 * line on its way too */
		__builtin_prefetch(&vq->used->ring[vq->last_used & vq->mask]);
		got = 0;
	} else {
		got = rproc_vq_get_used_each(vq, RX_BATCH, rx_one, &c);
	}
	if (rdev->rx_cb_on) {
		/* idle; or one, and nothing after it on the look that
		 * follows the queue's request for the next one (polled:
		 * callbacks off) */
		if (!rdev->bus->polled &&
		    (!got ||
		     (got == 1 && !(got = rproc_vq_get_used_each(
					    vq, RX_BATCH - c.n, rx_one, &c)))))
			goto out;
		rproc_vq_disable_cb(vq);
		rdev->rx_cb_on = false;
	}
	while (c.n < RX_BATCH && !rproc_vq_broken(vq)) {
		if (!got) {
			/* empty: callbacks on again (with the race check),
			 * unless polled */
			if (rdev->bus->polled)
				break;
			if (rproc_vq_enable_cb(vq)) {
				rdev->rx_cb_on = true;
				break;
			}
		}
		got = rproc_vq_get_used_each(vq, RX_BATCH - c.n, rx_one, &c);
	}
out:
	if (unlikely(rproc_vq_broken(vq)))
		dev_fail(rdev, -EPROTO);
	return c.n;
}

/* A name-service event of a batch: the channel callback (without the
 * lock, busy). */
static NOINLINE void dev_ns_event(struct rpmsg_device *rdev,
				  const struct ns_event *ev)
{
	struct rproc_rpmsg *bus = rdev->bus;

	if (ev->up && bus->ops.channel_up)
		bus->ops.channel_up(bus->ctx, rdev, ev->name, ev->addr);
	else if (!ev->up && bus->ops.channel_down)
		bus->ops.channel_down(bus->ctx, rdev, ev->name, ev->addr);
}

/* Call the callbacks of a batch (without the lock, busy).  Returns the
 * messages delivered.  A run of messages for one endpoint is one callback
 * section for the destroy handshake (cb_begin(), its flags looked at
 * again before each message): the common batch, all for one endpoint,
 * costs two seq_cst stores, not two per message. */
static unsigned dev_dispatch(struct rpmsg_device *rdev, unsigned n)
{
	struct rpmsg_endpoint *run = NULL; /* running set: its section */
	unsigned i, count = 0;

	for (i = 0; i < n; i++) {
		struct rx_msg *m = &rdev->batch[i];
		struct rpmsg_endpoint *e = m->ept;

		if (unlikely(e != run || !e)) {
			/* a new run (or a name-service event) */
			if (run) {
				cb_end(run);
				run = NULL;
			}
			if (!e) {
				dev_ns_event(rdev, &rdev->ns[m->len]);
				continue;
			}
			if (!cb_begin(e, EPT_UNBOUND | EPT_DESTROYED))
				continue;
			run = e;
		} else if (unlikely(atomic_load(&e->flags) &
				    (EPT_UNBOUND | EPT_DESTROYED))) {
			continue; /* the section ends with the run */
		}
		e->cb(e, m->b->buf + HDR_LEN, m->len, m->src, e->priv);
		count++;
	}
	if (run)
		cb_end(run);
	return count;
}

/* dev_repost()'s step per message: done with it; the buffer's id if it
 * goes back to the ring (not held), else RPROC_VQ_NO_ID. */
static HOT_INLINE uint32_t rx_done_one(void *ctx, unsigned i)
{
	struct rpmsg_device *rdev = ctx;
	struct rx_msg *m = &rdev->batch[i];
	struct rxb *b = m->b;

	if (unlikely(!m->ept))
		return RPROC_VQ_NO_ID; /* a name-service event */
	ept_unpin(m->ept);
	b->in_batch = false;
	return likely(!b->held) ? b->id : RPROC_VQ_NO_ID;
}

/*
 * After a batch (lock held): unpin, re-post what is not held, publish.
 * The queue's checks are skipped (rproc_vq_post_pinned_each_unchecked):
 * the bus's bookkeeping proves them.  b->id < nrx <= the ring's num
 * (dev_bind()); the buffer is device-writable and the driver's:
 * dev_collect() took it from the queue and nobody queued it since
 * (in_batch keeps rpmsg_release_rx_buffer() off it, the busy role every
 * other collector and the teardown); and an up device's queues are not
 * broken (do_send() says why).  Nothing of it is read from shared memory.
 */
static void dev_repost(struct rpmsg_device *rdev, unsigned n, unsigned count)
{
	unsigned i;

	rdev->st.rx += count;
	if (likely(rdev->up)) {
		if (rproc_vq_post_pinned_each_unchecked(&rdev->rvq, n,
							rx_done_one, rdev))
			rproc_kick(rdev->bus->rproc, rdev->rx_id);
		return;
	}
	for (i = 0; i < n; i++) /* down: the ring is not touched */
		rx_done_one(rdev, i);
}

/* Drain vring0 and deliver (lock held; dropped around the callbacks).
 * Returns the messages given to callbacks. */
static int dev_rx_locked(struct rpmsg_device *rdev)
{
	struct rproc_rpmsg *bus = rdev->bus;
	unsigned n, count, total = 0;

	if (!rdev->up)
		return 0;
	if (rdev->busy) {
		rdev->again = true;
		return 0;
	}
	rdev->busy = true;
	for (;;) {
		rdev->again = false;
		n = dev_collect(rdev);
		if (n) {
			bus_unlock(bus);
			count = dev_dispatch(rdev, n);
			bus_lock(bus);
			dev_repost(rdev, n, count);
			total += count;
			continue;
		}
		if (!rdev->again || !rdev->up)
			break;
	}
	rx_publish(rdev); /* dropped messages' buffers */
	dev_idle(rdev);
	return (int)total;
}

/* dev_rx_locked(), taking the lock. */
static int dev_rx(struct rpmsg_device *rdev)
{
	int n;

	bus_lock(rdev->bus);
	n = dev_rx_locked(rdev);
	bus_unlock(rdev->bus);
	return n;
}

/* ---- transmit --------------------------------------------------------------- */

/* The transmit buffers the remote gave back, linked as they come
 * (rproc_vq_get_used_each(): in line, in registers): @tail is where the
 * next one goes (the caller's list head at first), so appending takes
 * no test. */
struct tx_back {
	struct txb **tail;
};

static HOT_INLINE void tx_back_one(void *ctx, void *token, uint32_t len)
{
	struct tx_back *c = ctx;
	struct txb *b = token;

	(void)len; /* device-readable: 0 */
	*c->tail = b;
	c->tail = &b->next;
}

/*
 * Take the buffers the remote returned on vring1 onto the free list (lock
 * held), in the order they came: sent again in that order, a steady
 * stream cycles through the descriptors in turn, which the remote can
 * predict (rpfw/vring.h: __rpfw_vring_predict()).  The queue checks each
 * used entry (id < num, a buffer in flight) before it hands back its
 * token, the txb pinned to that descriptor, so a buffer comes back at most
 * once and only after it was sent.
 */
static void tx_reclaim(struct rpmsg_device *rdev)
{
	struct txb *head;
	/* not in @c: a struct with a field's address in it stays in memory */
	struct tx_back c = {&head};

	rproc_vq_get_used_each(&rdev->tvq, UINT_MAX, tx_back_one, &c);
	*c.tail = rdev->tx_free;
	rdev->tx_free = head;
	if (unlikely(rproc_vq_broken(&rdev->tvq))) {
		dev_fail(rdev, -EPROTO);
		dev_down_work(rdev);
	}
}

/* A vring1 doorbell: wake the senders waiting for buffers (lock held). */
static void dev_tx_done_locked(struct rpmsg_device *rdev)
{
	if (rdev->up && rdev->tx_waiters) {
		tx_reclaim(rdev);
		bus_wake(rdev->bus);
	}
}

static void dev_tx_done(struct rpmsg_device *rdev)
{
	bus_lock(rdev->bus);
	dev_tx_done_locked(rdev);
	bus_unlock(rdev->bus);
}

/*
 * A free transmit buffer for @e (lock held), waiting up to @timeout_ns
 * (< 0: forever, 0: not at all).  Fresh and returned buffers first, then
 * the used ring; before sleeping, vring1 callbacks are enabled (the first
 * waiter does it; the last one disables them again).
 */
static int tx_get(struct rpmsg_device *rdev, struct rpmsg_endpoint *e,
		  int64_t timeout_ns, struct txb **out)
{
	struct rproc_rpmsg *bus = rdev->bus;
	uint64_t deadline = 0, now;
	int64_t left = -1;
	bool timed_out = false;
	struct txb *b;
	uint32_t gen;
	int ret;

	for (;;) {
		if (atomic_load_explicit(&e->flags, memory_order_relaxed))
			return -ENOTCONN;
		b = rdev->tx_free;
		if (!b) {
			/* all the remote returned: the next sends pop */
			tx_reclaim(rdev);
			b = rdev->tx_free;
		}
		if (b) {
			rdev->tx_free = b->next;
			*out = b;
			return 0;
		}
		if (!rdev->up)
			continue; /* broken just now: -ENOTCONN */
		if (!timeout_ns)
			return -EAGAIN;
		if (timed_out)
			return -ETIMEDOUT;
		if (!rdev->tx_waiters && !rproc_vq_enable_cb(&rdev->tvq)) {
			/* returned meanwhile */
			rproc_vq_disable_cb(&rdev->tvq);
			continue;
		}
		if (unlikely(rproc_vq_broken(&rdev->tvq))) {
			/* the look at used->idx found it bad: down now, not
			 * after the sleep (an up device's queues are sound:
			 * the send fast path counts on it) */
			dev_fail(rdev, -EPROTO);
			dev_down_work(rdev);
			continue; /* -ENOTCONN */
		}
		if (timeout_ns > 0) {
			now = rproc_os_monotonic_ns();
			if (!deadline)
				deadline = now + (uint64_t)timeout_ns;
			left = deadline > now ? (int64_t)(deadline - now) : 0;
		}
		gen = rdev->gen;
		rdev->tx_waiters++;
		ret = bus_sleep(bus, left);
		if (rdev->gen != gen)
			continue; /* the binding is gone: -ENOTCONN */
		if (!--rdev->tx_waiters && rdev->up)
			rproc_vq_disable_cb(&rdev->tvq);
		if (ret == -ETIMEDOUT)
			timed_out = true; /* one more look, then give up */
	}
}

/* vring1 refused a buffer (put back on the free list): only a broken
 * queue does.  Lock held. */
static NOINLINE void tx_refused(struct rpmsg_device *rdev)
{
	dev_fail(rdev, -EPROTO);
	dev_down_work(rdev);
}

/* The header of a message of @len (<= the MTU, so < 64 KiB) bytes into
 * @buf. */
static HOT_INLINE void tx_header(uint8_t *buf, uint32_t src, uint32_t dst,
				 uint32_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* four 4-byte stores: src, dst, reserved (0), len and flags (0: len
	 * < 64 KiB) in one; each value stored as it is.  Volatile: not
	 * assembled into wider words first (a shift and an or each, or
	 * vector moves), which costs more instructions than it saves. */
	_Static_assert(offsetof(struct hdr, dst) == 4 &&
			       offsetof(struct hdr, reserved) == 8 &&
			       offsetof(struct hdr, flags) == 14 &&
			       BUF_MAX - HDR_LEN <= UINT16_MAX,
		       "hdr layout");
	st32(buf, src);
	st32(buf + 4, dst);
	st32(buf + 8, 0);
	st32(buf + 12, len);
#else
	struct hdr *h = (struct hdr *)(void *)buf;

	h->src = src;
	h->dst = dst;
	h->reserved = 0;
	h->len = (uint16_t)len;
	h->flags = 0;
#endif
}

/*
 * Fill in the header of @b and queue it on vring1 (lock held); @data NULL:
 * the payload is in place (zero copy).  Returns 0 and in *@kick whether to
 * kick, or -ENOTCONN.  Every check of the queue made (the slow paths).
 */
static int tx_put(struct rpmsg_device *rdev, struct rpmsg_endpoint *e,
		  struct txb *b, uint32_t dst, const void *data, uint32_t len,
		  bool *kick)
{
	tx_header(b->buf, e->addr, dst, len);
	if (data && len)
		memcpy(b->buf + HDR_LEN, data, len);
	b->user = false;
	if (unlikely(rproc_vq_add_pinned(&rdev->tvq, b->id, HDR_LEN + len))) {
		b->next = rdev->tx_free;
		rdev->tx_free = b;
		tx_refused(rdev);
		return -ENOTCONN;
	}
	/* st.tx: counted by the queue (rpmsg_device_get_stats()) */
	*kick = rproc_vq_kick_prepare(&rdev->tvq);
	return 0;
}

/* do_send() from the lock on (held on entry, released here) when the
 * fast path does not apply: the errors, waiting for a buffer. */
static NOINLINE int do_send_slow(struct rpmsg_endpoint *e, uint32_t dst,
				 const void *data, size_t len,
				 int64_t timeout_ns)
{
	struct rpmsg_device *rdev = e->rdev;
	struct rproc_rpmsg *bus = rdev->bus;
	bool kick = false;
	uint32_t id;
	struct txb *b;
	int ret;

	/* do_send() leaves this check to here and to its fast path: the
	 * same error, before anything else but the destination's */
	if (len && !data)
		ret = -EINVAL;
	else if (atomic_load_explicit(&e->flags, memory_order_relaxed))
		ret = -ENOTCONN;
	else if (len > rdev->tx_size - HDR_LEN)
		ret = -EMSGSIZE;
	else
		ret = tx_get(rdev, e, timeout_ns, &b);
	if (!ret)
		ret = tx_put(rdev, e, b, dst, data, (uint32_t)len, &kick);
	id = rdev->tx_id;
	bus_unlock(bus);
	if (kick)
		rproc_kick(bus->rproc, id);
	return ret;
}

/* do_send() that found the lock taken: wait for it (the slow half of
 * rproc_xlock_lock(): the fast half's exchange may have cleared the
 * "wanted" mark, the slow half sets it again), then as do_send_slow(). */
static NOINLINE int do_send_contended(struct rpmsg_endpoint *e, uint32_t dst,
				      const void *data, size_t len,
				      int64_t timeout_ns)
{
	rproc_xlock_lock_slow(&e->rdev->bus->lk);
	return do_send_slow(e, dst, data, len, timeout_ns);
}

/* The end of a send that must kick (lock held, released here).  Out of
 * line: the message path keeps no register across a call. */
static NOINLINE int tx_kick_unlock(struct rpmsg_device *rdev)
{
	struct rproc_rpmsg *bus = rdev->bus;
	uint32_t id = rdev->tx_id; /* the binding's: read under the lock */

	bus_unlock(bus);
	rproc_kick(bus->rproc, id);
	return 0;
}

/*
 * Queue buffer @id (header and payload written) on vring1, publish it and
 * release the lock; kick if the remote asked.  No check of the queue: the
 * caller took the buffer from the free list for an endpoint whose flags
 * are 0, and @len is within the MTU, which (do_send() says why) is all the
 * queue would check.
 */
static HOT_INLINE int tx_queue(struct rpmsg_device *rdev,
			       struct rproc_xlock *lk, uint16_t id,
			       uint32_t len)
{
	/* st.tx: counted by the queue (rpmsg_device_get_stats()) */
	if (unlikely(rproc_vq_post_pinned_unchecked(&rdev->tvq, id,
						    HDR_LEN + len)))
		return tx_kick_unlock(rdev);
	rproc_xlock_unlock(lk);
	return 0;
}

/* do_send() of a payload that is not 8..16 bytes long, from its fast path
 * (lock held, released here; @b is rdev->tx_free): by memcpy, out of
 * line.  A NULL @data with a payload fails as before anything was taken:
 * do_send_slow() (-EINVAL). */
static NOINLINE int tx_copy_send(struct rpmsg_endpoint *e, struct txb *b,
				 uint32_t dst, const void *data, size_t len)
{
	struct rpmsg_device *rdev = e->rdev;

	if (len && !data)
		return do_send_slow(e, dst, data, len, 0); /* -EINVAL */
	rdev->tx_free = b->next;
	tx_header(b->buf, e->addr, dst, (uint32_t)len);
	if (len)
		memcpy(b->buf + HDR_LEN, data, len);
	return tx_queue(rdev, &rdev->bus->lk, b->id, (uint32_t)len);
}

/*
 * The message path: a free buffer at hand, the endpoint bound.  One lock
 * round trip (an exchange each way); the header and payload written, the
 * buffer's pinned descriptor queued (only its length written) and
 * published; no call but a kick the remote asked for.
 *
 * The queue's own checks are skipped here (rproc_vq_post_pinned_unchecked)
 * because the bus's bookkeeping, all under the lock, proves them:
 *  - a txb on rdev->tx_free is pinned to descriptor b->id < ntx <= the
 *    ring's num (dev_bind) and is the driver's, neither queued nor
 *    handed out: it leaves the list only to be queued (here, tx_put()) or
 *    given to the user (b->user), and goes back on it only when the queue
 *    gave it back (tx_reclaim()) or unqueued (a refused tx_put(),
 *    rpmsg_release_tx_buffer());
 *  - an endpoint whose flags are 0 is bound to an up device (dev_fail()
 *    marks every bound endpoint EPT_UNBOUND), and an up device's queues
 *    are not broken: whatever may break one (taking used buffers,
 *    enabling callbacks: tx_reclaim(), tx_get(), dev_collect()) is
 *    followed by dev_fail() before the lock is released;
 *  - every TX descriptor is pinned with tx_size bytes, so HDR_LEN + len
 *    is 1..tx_size once len <= tx_size - HDR_LEN.
 * Nothing of it is read from shared memory.
 */
static HOT_INLINE int do_send(struct rpmsg_endpoint *e, uint32_t dst,
			      const void *data, size_t len, int64_t timeout_ns)
{
	struct rpmsg_device *rdev = e->rdev;
	/* in a local: the stores into the buffer below (char-typed) would
	 * make the compiler load it again to give it back */
	struct rproc_xlock *lk = e->lk;
	struct txb *b;
	uint8_t *buf;
	uint16_t id;

	if (unlikely(dst == RPMSG_ADDR_ANY))
		return -EDESTADDRREQ;
	/* len && !data (-EINVAL): checked by each way below before it
	 * takes anything (do_send_slow() first of all, tx_copy_send(), and
	 * for 8..16 bytes !data here): the same error, one test less */
	/* the lock's fast half (xlock.h); taken: its slow half, out of line,
	 * so that the message path keeps no register across a call */
	if (unlikely(!rproc_xlock_trylock_fast(lk)))
		return do_send_contended(e, dst, data, len, timeout_ns);
	b = rdev->tx_free;
	if (unlikely(!b ||
		     atomic_load_explicit(&e->flags, memory_order_relaxed) ||
		     len > rdev->tx_mtu))
		return do_send_slow(e, dst, data, len, timeout_ns);
	if (unlikely(len - 8 > 8))
		return tx_copy_send(e, b, dst, data, len);
	if (unlikely(!data))
		return do_send_slow(e, dst, data, len, timeout_ns);
	/* buffers on the free list are not the user's (b->user false) */
	rdev->tx_free = b->next;
	buf = b->buf;
	id = b->id;
	tx_header(buf, e->addr, dst, (uint32_t)len);
	copy_8_16(buf + HDR_LEN, data, len);
	return tx_queue(rdev, lk, id, (uint32_t)len);
}

int rpmsg_send(struct rpmsg_endpoint *ept, const void *data, size_t len)
{
	return do_send(ept, ept->dst, data, len, -1);
}

int rpmsg_sendto(struct rpmsg_endpoint *ept, uint32_t dst, const void *data,
		 size_t len)
{
	return do_send(ept, dst, data, len, -1);
}

int rpmsg_trysend(struct rpmsg_endpoint *ept, uint32_t dst, const void *data,
		  size_t len)
{
	return do_send(ept, dst, data, len, 0);
}

int rpmsg_send_timeout(struct rpmsg_endpoint *ept, uint32_t dst,
		       const void *data, size_t len, int timeout_ms)
{
	return do_send(ept, dst, data, len, ms_to_ns(timeout_ms));
}

/* ---- zero copy ------------------------------------------------------------- */

/* The buffer whose payload is at @p, or NULL (lock held; bound). */
static struct txb *tx_lookup(struct rpmsg_device *rdev, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)rdev->tx_base;
	uint32_t i;

	if (!rdev->txb || off < HDR_LEN)
		return NULL;
	off -= HDR_LEN;
	i = (uint32_t)(off / rdev->tx_stride);
	if (off % rdev->tx_stride || i >= rdev->ntx)
		return NULL;
	return &rdev->txb[i];
}

static struct rxb *rx_lookup(struct rpmsg_device *rdev, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)rdev->rx_base;
	uint32_t i;

	if (!rdev->rxb || off < HDR_LEN)
		return NULL;
	off -= HDR_LEN;
	i = (uint32_t)(off / rdev->rx_stride);
	if (off % rdev->rx_stride || i >= rdev->nrx)
		return NULL;
	return &rdev->rxb[i];
}

void *rpmsg_get_tx_buffer(struct rpmsg_endpoint *ept, size_t *size,
			  int timeout_ms)
{
	struct rpmsg_device *rdev = ept->rdev;
	struct txb *b = NULL;
	void *p = NULL;

	bus_lock(rdev->bus);
	if (!tx_get(rdev, ept, ms_to_ns(timeout_ms), &b)) {
		b->user = true;
		if (size)
			*size = rdev->tx_size - HDR_LEN;
		/* under the lock: a stop frees the txb array (the buffer
		 * itself stays in the pool; send_nocopy then says
		 * -ENOTCONN) */
		p = b->buf + HDR_LEN;
	}
	bus_unlock(rdev->bus);
	return p;
}

int rpmsg_send_nocopy(struct rpmsg_endpoint *ept, uint32_t dst, void *buf,
		      size_t len)
{
	struct rpmsg_device *rdev = ept->rdev;
	struct rproc_rpmsg *bus = rdev->bus;
	bool kick = false;
	struct txb *b;
	uint32_t id;
	int ret;

	if (dst == RPMSG_ADDR_ANY)
		return -EDESTADDRREQ;
	bus_lock(bus);
	if (atomic_load_explicit(&ept->flags, memory_order_relaxed))
		ret = -ENOTCONN;
	else if (!(b = tx_lookup(rdev, buf)) || !b->user)
		ret = -EINVAL;
	else if (len > rdev->tx_size - HDR_LEN)
		ret = -EMSGSIZE;
	else
		ret = tx_put(rdev, ept, b, dst, NULL, (uint32_t)len, &kick);
	id = rdev->tx_id;
	bus_unlock(bus);
	if (kick)
		rproc_kick(bus->rproc, id);
	return ret;
}

int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *buf)
{
	struct rpmsg_device *rdev = ept->rdev;
	struct txb *b;
	int ret = 0;

	bus_lock(rdev->bus);
	if (atomic_load_explicit(&ept->flags, memory_order_relaxed)) {
		/* the binding is gone: nothing to give back */
	} else if (!(b = tx_lookup(rdev, buf)) || !b->user) {
		ret = -EINVAL;
	} else {
		b->user = false;
		b->next = rdev->tx_free;
		rdev->tx_free = b;
		if (rdev->tx_waiters)
			bus_wake(rdev->bus);
	}
	bus_unlock(rdev->bus);
	return ret;
}

int rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *data)
{
	struct rpmsg_device *rdev = ept->rdev;
	struct rxb *b;
	int ret = 0;

	bus_lock(rdev->bus);
	if (atomic_load_explicit(&ept->flags, memory_order_relaxed))
		ret = -ENOTCONN;
	else if (!(b = rx_lookup(rdev, data)) || !b->in_batch || b->held)
		ret = -EINVAL;
	else {
		b->held = true;
		rdev->st.rx_held++;
	}
	bus_unlock(rdev->bus);
	return ret;
}

int rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *data)
{
	struct rpmsg_device *rdev = ept->rdev;
	struct rxb *b;
	int ret = 0;

	bus_lock(rdev->bus);
	if (atomic_load_explicit(&ept->flags, memory_order_relaxed)) {
		/* the binding is gone: nothing to give back */
	} else if (!(b = rx_lookup(rdev, data)) || !b->held) {
		ret = -EINVAL;
	} else {
		b->held = false;
		rdev->st.rx_held--;
		if (!b->in_batch) {
			rx_post(rdev, b);
			rx_publish(rdev);
		}
	}
	bus_unlock(rdev->bus);
	return ret;
}

/* ---- endpoints ------------------------------------------------------------- */

static int ns_send(struct rpmsg_endpoint *e, uint32_t flags, int64_t timeout)
{
	struct rpmsg_ns_msg m;

	memset(&m, 0, sizeof(m));
	memcpy(m.name, e->name, sizeof(m.name));
	m.addr = e->addr;
	m.flags = flags;
	return do_send(e, RPMSG_NS_ADDR, &m, sizeof(m), timeout);
}

int rpmsg_create_ept(struct rpmsg_device *rdev, const char *name, uint32_t src,
		     uint32_t dst, rpmsg_rx_cb cb, rpmsg_unbind_cb unbind,
		     void *priv, struct rpmsg_endpoint **out)
{
	struct rproc_rpmsg *bus;
	struct rpmsg_endpoint *e;
	bool announce = false;
	int ret = 0;

	if (!rdev || !out)
		return -EINVAL;
	if (name && !memchr(name, 0, RPMSG_NAME_SIZE))
		return -ENAMETOOLONG;
	bus = rdev->bus;
	e = rproc_zalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->rdev = rdev;
	e->lk = &bus->lk;
	e->cb = cb;
	e->unbind = unbind;
	e->priv = priv;
	e->dst = dst;
	if (name)
		strcpy(e->name, name);

	bus_lock(bus);
	if (!rdev->up) {
		ret = -ENOTCONN;
	} else if (src == RPMSG_ADDR_ANY) {
		src = ept_new_addr(rdev);
	} else if (ept_lookup(rdev, src) ||
		   (src == RPMSG_NS_ADDR &&
		    (rdev->features & F_BIT(VIRTIO_RPMSG_F_NS)))) {
		ret = -EADDRINUSE;
	}
	if (!ret && e->name[0] && (rdev->features & F_BIT(VIRTIO_RPMSG_F_NS))) {
		announce = true;
		if (rdev->tx_size - HDR_LEN < sizeof(struct rpmsg_ns_msg))
			ret = -EMSGSIZE;
	}
	if (!ret) {
		struct rpmsg_endpoint **slot =
			&rdev->hash[src & (HASH_SIZE - 1)];

		e->addr = src;
		e->hnext = *slot;
		*slot = e;
		e->next = rdev->epts;
		if (e->next)
			e->next->prev = e;
		rdev->epts = e;
	}
	bus_unlock(bus);
	if (ret) {
		rproc_free(e);
		return ret;
	}
	if (announce) {
		ret = ns_send(e, RPMSG_NS_CREATE, -1);
		if (ret) {
			rpmsg_destroy_ept(e);
			return ret;
		}
		bus_lock(bus);
		e->announced = true;
		bus_unlock(bus);
	}
	*out = e;
	return 0;
}

void rpmsg_destroy_ept(struct rpmsg_endpoint *ept)
{
	struct rpmsg_device *rdev;
	struct rproc_rpmsg *bus;
	unsigned flags;
	bool announce;

	if (!ept)
		return;
	rdev = ept->rdev;
	bus = rdev->bus;
	bus_lock(bus);
	announce = ept->announced && rdev->up &&
		   !atomic_load_explicit(&ept->flags, memory_order_relaxed);
	bus_unlock(bus);
	if (announce)
		ns_send(ept, RPMSG_NS_DESTROY, NS_DESTROY_TIMEOUT_NS);

	bus_lock(bus);
	flags = atomic_fetch_or(&ept->flags, EPT_DESTROYED);
	if (!(flags & EPT_UNBOUND))
		ept_hash_del(rdev, ept);
	ept_list_del(rdev, ept);
	atomic_store(&ept->waiter, true);
	while (atomic_load(&ept->running))
		bus_sleep(bus, -1);
	if (ept->pins)
		ept->free_pending = true;
	else
		rproc_free(ept);
	bus_unlock(bus);
}

uint32_t rpmsg_ept_addr(const struct rpmsg_endpoint *ept)
{
	return ept->addr;
}

uint32_t rpmsg_ept_dst(const struct rpmsg_endpoint *ept)
{
	return ept->dst;
}

/* ---- device queries ------------------------------------------------------- */

size_t rpmsg_device_mtu(const struct rpmsg_device *rdev)
{
	size_t v;

	bus_lock(rdev->bus);
	v = rdev->tx_size - HDR_LEN;
	bus_unlock(rdev->bus);
	return v;
}

size_t rpmsg_device_rx_mtu(const struct rpmsg_device *rdev)
{
	size_t v;

	bus_lock(rdev->bus);
	v = rdev->rx_size - HDR_LEN;
	bus_unlock(rdev->bus);
	return v;
}

uint32_t rpmsg_device_features(const struct rpmsg_device *rdev)
{
	uint32_t v;

	bus_lock(rdev->bus);
	v = rdev->features;
	bus_unlock(rdev->bus);
	return v;
}

unsigned rpmsg_device_index(const struct rpmsg_device *rdev)
{
	return rdev->index;
}

void rpmsg_device_get_stats(const struct rpmsg_device *rdev,
			    struct rpmsg_device_stats *st)
{
	bus_lock(rdev->bus);
	*st = rdev->st;
	/* every message sent is one buffer published on vring1, and nothing
	 * else is: the queue counts them (none on a released one; those of
	 * the last binding are in st.tx, dev_unbind()) */
	st->tx += rproc_vq_published(&rdev->tvq);
	bus_unlock(rdev->bus);
}

struct rpmsg_device *rproc_rpmsg_device(struct rproc_rpmsg *bus, unsigned index)
{
	struct rpmsg_device *rdev;

	if (!bus)
		return NULL;
	bus_lock(bus);
	for (rdev = bus->devs; rdev && rdev->index != index; rdev = rdev->next)
		;
	if (rdev && !rdev->up)
		rdev = NULL;
	bus_unlock(bus);
	return rdev;
}

int rproc_rpmsg_poll(struct rproc_rpmsg *bus)
{
	struct rpmsg_device *rdev;
	int total = 0;

	/* one lock for the walk, dropped only around callbacks; a device
	 * stays on the list until the bus is detached */
	bus_lock(bus);
	for (rdev = bus->devs; rdev; rdev = rdev->next) {
		total += dev_rx_locked(rdev);
		dev_tx_done_locked(rdev);
	}
	bus_unlock(bus);
	return total;
}

int rproc_rpmsg_set_polled(struct rproc_rpmsg *bus, bool on)
{
	struct rpmsg_device *rdev;

	if (!bus)
		return -EINVAL;
	bus_lock(bus);
	bus->polled = on;
	/* off at once (the vring0 state is the lock's: a busy holder
	 * outside it, in the callbacks, looks at rx_cb_on again under it) */
	for (rdev = bus->devs; on && rdev; rdev = rdev->next)
		if (rdev->up && rdev->rx_cb_on) {
			rproc_vq_disable_cb(&rdev->rvq);
			rdev->rx_cb_on = false;
		}
	bus_unlock(bus);
	/* off: a poll finds vring0 empty and enables its callbacks */
	return on ? 0 : rproc_rpmsg_poll(bus);
}

/* ---- binding (lifecycle thread, the remote's lock held) ------------------- */

static bool bufsz_ok(uint32_t size)
{
	return size >= BUF_MIN && size <= BUF_MAX;
}

/* Forget a binding (lock held, down, not busy). */
static void dev_unbind(struct rpmsg_device *rdev)
{
	/* the messages sent, as rpmsg_device_get_stats() gives them */
	rdev->st.tx += rproc_vq_published(&rdev->tvq);
	rproc_vq_release(&rdev->rvq);
	rproc_vq_release(&rdev->tvq);
	rproc_free(rdev->rxb);
	rproc_free(rdev->txb);
	rdev->rxb = NULL;
	rdev->txb = NULL;
	rdev->tx_free = NULL;
	rdev->rx_base = rdev->tx_base = NULL;
	rdev->nrx = rdev->ntx = 0;
	channels_free(rdev);
	if (rdev->entry)
		rdev->entry[VDEV_STATUS] = 0; /* reset */
	rdev->entry = NULL;
	rdev->bound = false;
}

/* The failure path of dev_bind(): say so in the status too. */
static int bind_fail(struct rpmsg_device *rdev, int err)
{
	if (rdev->entry)
		rdev->entry[VDEV_STATUS] = VIRTIO_CONFIG_S_ACKNOWLEDGE |
					   VIRTIO_CONFIG_S_DRIVER |
					   VIRTIO_CONFIG_S_FAILED;
	rdev->entry = NULL;
	dev_unbind(rdev);
	return err;
}

/*
 * Bind @rdev to the rpmsg vdev @vd (lock held): negotiate, carve the pool,
 * set up both rings, post the receive buffers, DRIVER_OK last.  Returns 1
 * when vring0 must be kicked, 0, or a negative code (message logged and
 * kept as the remote's last error).
 */
static int dev_bind(struct rproc_rpmsg *bus, struct rpmsg_device *rdev,
		    const struct rproc_resource *vd)
{
	struct rproc *rproc = bus->rproc;
	const struct rproc_resource *pool;
	char pname[RPROC_RSC_NAME_LEN];
	struct rproc_vq_config cfg;
	struct rproc_diag diag;
	volatile uint8_t *ent;
	uint32_t dfeat, gfeat, h2r, r2h, i, len, half, cnt;
	size_t elen = 0;
	unsigned idx = rdev->index;
	int ret, kick;

	if (vd->d.vdev.num_vrings != 2)
		return rproc_err(rproc, -EINVAL,
				 "rpmsg vdev%u: needs 2 vrings, has %u", idx,
				 (unsigned)vd->d.vdev.num_vrings);
	ent = rproc_resource_entry(rproc, vd, &elen);
	if (!ent || elen < VDEV_CONFIG)
		return rproc_err(rproc, -EINVAL,
				 "rpmsg vdev%u: no resource table entry to "
				 "negotiate through",
				 idx);
	if ((uintptr_t)ent & 3)
		return rproc_err(rproc, -EINVAL,
				 "rpmsg vdev%u: table entry not 4-byte aligned",
				 idx);
	rdev->entry = ent;
	ent[VDEV_STATUS] = 0;
	ent[VDEV_STATUS] = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	ent[VDEV_STATUS] = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	dfeat = ld32(ent + VDEV_DFEATURES);
	gfeat = dfeat & SUPPORTED;
	h2r = r2h = RPMSG_BUF_SIZE_DEFAULT;
	if (gfeat & F_BIT(VIRTIO_RPMSG_F_BUFSZ)) {
		uint32_t clen = ld32(ent + VDEV_CONFIG_LEN);

		if (clen < sizeof(struct rpmsg_virtio_config) ||
		    elen - VDEV_CONFIG < sizeof(struct rpmsg_virtio_config))
			return bind_fail(
				rdev,
				rproc_err(rproc, -EINVAL,
					  "rpmsg vdev%u: VIRTIO_RPMSG_F_BUFSZ "
					  "offered without the 8-byte config "
					  "space (config_len %u)",
					  idx, (unsigned)clen));
		h2r = ld32(ent + VDEV_CONFIG +
			   offsetof(struct rpmsg_virtio_config, h2r_buf_size));
		r2h = ld32(ent + VDEV_CONFIG +
			   offsetof(struct rpmsg_virtio_config, r2h_buf_size));
		if (!bufsz_ok(h2r) || !bufsz_ok(r2h))
			return bind_fail(
				rdev,
				rproc_err(rproc, -EINVAL,
					  "rpmsg vdev%u: buffer sizes "
					  "offered (host to remote %u, "
					  "remote to host %u) refused: "
					  "each must be %u..%u",
					  idx, (unsigned)h2r, (unsigned)r2h,
					  (unsigned)BUF_MIN,
					  (unsigned)BUF_MAX));
	}

	vdev_name(pname, idx, "buffer");
	pool = rproc_resource_find(rproc, RSC_CARVEOUT, pname);
	if (!pool || !pool->va || !pool->d.len || pool->d.len == RPROC_ANY ||
	    pool->d.pa == RPROC_ANY)
		return bind_fail(rdev,
				 rproc_err(rproc, -ENOENT,
					   "rpmsg vdev%u: no carveout \"%s\" "
					   "for the buffers (the firmware or "
					   "the platform must provide one)",
					   idx, pname));
	if ((uintptr_t)pool->va & 3)
		return bind_fail(rdev, rproc_err(rproc, -EINVAL,
						 "rpmsg vdev%u: carveout "
						 "\"%s\" not 4-byte aligned",
						 idx, pname));
	/* more than 4 GiB of buffers is of no use */
	len = pool->d.len > UINT32_MAX || pool->d.len > (uint64_t)SIZE_MAX
		      ? UINT32_MAX
		      : (uint32_t)pool->d.len;

	rdev->rx_size = r2h;
	rdev->tx_size = h2r;
	rdev->tx_mtu = h2r - HDR_LEN;
	rdev->rx_stride = (r2h + 7u) & ~7u;
	rdev->tx_stride = (h2r + 7u) & ~7u;
	half = (len / 2) & ~7u;
	cnt = half / rdev->rx_stride;
	rdev->nrx =
		cnt < vd->d.vdev.vring[0].num ? cnt : vd->d.vdev.vring[0].num;
	cnt = (len - half) / rdev->tx_stride;
	rdev->ntx =
		cnt < vd->d.vdev.vring[1].num ? cnt : vd->d.vdev.vring[1].num;
	if (!rdev->nrx || !rdev->ntx)
		return bind_fail(
			rdev,
			rproc_err(rproc, -ENOSPC,
				  "rpmsg vdev%u: carveout \"%s\" (%u bytes) "
				  "too small for one buffer each way (%u, %u "
				  "bytes)",
				  idx, pname, (unsigned)len, (unsigned)r2h,
				  (unsigned)h2r));
	rdev->rx_base = pool->va;
	rdev->tx_base = (uint8_t *)pool->va + half;
	rdev->rxb = rproc_calloc(rdev->nrx, sizeof(*rdev->rxb));
	rdev->txb = rproc_calloc(rdev->ntx, sizeof(*rdev->txb));
	if (!rdev->rxb || !rdev->txb)
		return bind_fail(rdev,
				 rproc_err(rproc, -ENOMEM,
					   "rpmsg vdev%u: out of memory", idx));

	for (i = 0; i < 2; i++) {
		const struct rproc_rsc_vring *v = &vd->d.vdev.vring[i];

		cfg = (struct rproc_vq_config){
			.ring = v->va,
			.ring_len = v->size,
			.num = v->num,
			.align = v->align,
			.event_idx = gfeat & F_BIT(VIRTIO_RING_F_EVENT_IDX),
			.buf_va = pool->va,
			.buf_pa = pool->d.pa,
			.buf_len = (size_t)len,
		};
		diag.msg[0] = '\0';
		ret = rproc_vq_init(i ? &rdev->tvq : &rdev->rvq, &cfg, &diag);
		if (ret)
			return bind_fail(rdev,
					 rproc_err(rproc, ret,
						   "rpmsg vdev%u vring%u: "
						   "%s",
						   idx, (unsigned)i, diag.msg));
	}

	rdev->up = true; /* rx_post() posts only when up */
	rdev->features = gfeat;
	/* each buffer on a descriptor of its own for the binding: the hot
	 * path only queues ids (fresh rings: nothing can fail) */
	for (i = 0; i < rdev->nrx; i++) {
		rdev->rxb[i].buf = rdev->rx_base + (size_t)i * rdev->rx_stride;
		rdev->rxb[i].id = (uint16_t)i;
		rproc_vq_pin(&rdev->rvq, i, rdev->rxb[i].buf, r2h, true,
			     &rdev->rxb[i]);
		rx_post(rdev, &rdev->rxb[i]);
	}
	for (i = rdev->ntx; i--;) {
		rdev->txb[i].buf = rdev->tx_base + (size_t)i * rdev->tx_stride;
		rdev->txb[i].id = (uint16_t)i;
		rproc_vq_pin(&rdev->tvq, i, rdev->txb[i].buf, h2r, false,
			     &rdev->txb[i]);
		rdev->txb[i].next = rdev->tx_free;
		rdev->tx_free = &rdev->txb[i];
	}
	/* vring1: told only while a sender waits */
	rproc_vq_disable_cb(&rdev->tvq);
	rdev->rx_cb_on = true;
	rdev->rx_id = vd->d.vdev.vring[0].notifyid;
	rdev->tx_id = vd->d.vdev.vring[1].notifyid;
	rdev->vdev_id = vd->notifyid;
	rdev->gen++;
	rdev->tx_waiters = 0;
	rdev->again = false;
	rdev->down_reason = 0;
	rdev->warned = 0;
	rdev->next_addr = RPMSG_RESERVED_ADDRESSES;
	memset(&rdev->st, 0, sizeof(rdev->st));
	rdev->bound = true;

	st32(ent + VDEV_GFEATURES, gfeat);
	ent[VDEV_STATUS] = VIRTIO_CONFIG_S_ACKNOWLEDGE |
			   VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK;
	/* the buffers are published (release fence inside), then DRIVER_OK
	 * after everything else */
	kick = rproc_vq_kick_prepare(&rdev->rvq);
	atomic_thread_fence(memory_order_release);
	ent[VDEV_STATUS] =
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	atomic_thread_fence(memory_order_seq_cst);
	return kick;
}

static struct rpmsg_device *dev_get(struct rproc_rpmsg *bus, unsigned index)
{
	struct rpmsg_device **pp, *rdev;

	for (pp = &bus->devs; *pp; pp = &(*pp)->next)
		if ((*pp)->index == index)
			return *pp;
	rdev = rproc_zalloc(sizeof(*rdev));
	if (!rdev)
		return NULL;
	rdev->bus = bus;
	rdev->index = index;
	rdev->tx_size = rdev->rx_size = RPMSG_BUF_SIZE_DEFAULT;
	rdev->tx_mtu = RPMSG_BUF_SIZE_DEFAULT - HDR_LEN;
	rproc_vq_release(&rdev->rvq);
	rproc_vq_release(&rdev->tvq);
	*pp = rdev;
	return rdev;
}

/* Take a bound device down and forget the binding (lock held). */
static void dev_teardown(struct rpmsg_device *rdev, int reason)
{
	dev_fail(rdev, reason);
	dev_busy_enter(rdev);
	dev_idle(rdev); /* runs the down work */
	dev_unbind(rdev);
}

static int bus_start(struct rproc_subdev *sd)
{
	struct rproc_rpmsg *bus = bus_of(sd);
	struct rproc *rproc = bus->rproc;
	const struct rproc_resource *vd;
	char name[RPROC_RSC_NAME_LEN];
	struct rpmsg_device *rdev;
	unsigned i;
	int ret = 0;

	bus_lock(bus);
	for (i = 0;; i++) {
		vdev_name(name, i, "");
		vd = rproc_resource_find(rproc, RSC_VDEV, name);
		if (!vd)
			break;
		if (vd->d.vdev.id != VIRTIO_ID_RPMSG)
			continue;
		rdev = dev_get(bus, i);
		if (!rdev) {
			ret = rproc_err(rproc, -ENOMEM,
					"rpmsg: out of memory for vdev%u", i);
			break;
		}
		ret = dev_bind(bus, rdev, vd);
		if (ret < 0)
			break;
		rdev->start_kick = ret;
		ret = 0;
	}
	if (ret) {
		/* never announced to the user: no callbacks */
		for (rdev = bus->devs; rdev; rdev = rdev->next)
			if (rdev->bound) {
				rdev->up = false;
				dev_unbind(rdev);
			}
		bus_unlock(bus);
		return ret;
	}
	bus_unlock(bus);

	for (rdev = bus->devs; rdev; rdev = rdev->next) {
		bus_lock(bus);
		if (!rdev->up) {
			bus_unlock(bus);
			continue;
		}
		if (rdev->start_kick)
			rproc_kick(rproc, rdev->rx_id);
		dev_busy_enter(rdev);
		bus_unlock(bus);
		if (bus->ops.device_up)
			bus->ops.device_up(bus->ctx, rdev);
		bus_lock(bus);
		dev_idle(rdev);
		bus_unlock(bus);
		/* what came before the doorbells reach us */
		dev_rx(rdev);
	}
	return 0;
}

static void bus_stop(struct rproc_subdev *sd, bool crashed)
{
	struct rproc_rpmsg *bus = bus_of(sd);
	struct rpmsg_device *rdev;

	bus_lock(bus);
	for (rdev = bus->devs; rdev; rdev = rdev->next)
		if (rdev->bound)
			dev_teardown(rdev, crashed ? -EIO : -ESHUTDOWN);
	bus_unlock(bus);
}

static void bus_notify(struct rproc_subdev *sd, uint32_t id)
{
	struct rpmsg_device *rdev;
	bool all = id == RPROC_NOTIFY_ALL;

	for (rdev = bus_of(sd)->devs; rdev; rdev = rdev->next) {
		if (!rdev->bound)
			continue;
		if (all || id == rdev->rx_id || id == rdev->vdev_id)
			dev_rx(rdev);
		if (all || id == rdev->tx_id || id == rdev->vdev_id)
			dev_tx_done(rdev);
	}
}

/* ---- attach / detach ------------------------------------------------------- */

int rproc_rpmsg_attach(struct rproc *rproc, const struct rpmsg_bus_ops *ops,
		       void *ctx, struct rproc_rpmsg **out)
{
	struct rproc_rpmsg *bus;
	int ret;

	if (!rproc || !out)
		return -EINVAL;
	bus = rproc_zalloc(sizeof(*bus));
	if (!bus)
		return -ENOMEM;
	ret = rproc_xlock_init(&bus->lk);
	if (!ret)
		ret = rproc_xevent_init(&bus->ev);
	if (ret)
		goto fail;
	bus->rproc = rproc;
	if (ops)
		bus->ops = *ops;
	bus->ctx = ctx;
	bus->sd.name = "rpmsg";
	bus->sd.start = bus_start;
	bus->sd.stop = bus_stop;
	bus->sd.notify = bus_notify;
	bus->sd.unique = true; /* one bus binds every rpmsg vdev */
	ret = rproc_subdev_add(rproc, &bus->sd);
	if (ret)
		goto fail;
	*out = bus;
	return 0;
fail:
	rproc_xevent_fini(&bus->ev);
	rproc_xlock_fini(&bus->lk);
	rproc_free(bus);
	return ret;
}

void rproc_rpmsg_detach(struct rproc_rpmsg *bus)
{
	struct rpmsg_device *rdev;
	struct rpmsg_endpoint *e;
	int ret;

	if (!bus)
		return;
	ret = rproc_subdev_remove(bus->rproc, &bus->sd);
	if (ret && ret != -ENOENT) {
		rproc_warn(bus->rproc,
			   "rpmsg: detach while the remote is up: ignored");
		return;
	}
	while ((rdev = bus->devs)) {
		bus->devs = rdev->next;
		if (rdev->bound) { /* not stopped: cannot happen */
			rdev->up = false;
			dev_unbind(rdev);
		}
		while ((e = rdev->epts)) {
			rdev->epts = e->next;
			rproc_free(e);
		}
		channels_free(rdev);
		rproc_free(rdev);
	}
	rproc_xevent_fini(&bus->ev);
	rproc_xlock_fini(&bus->lk);
	rproc_free(bus);
}
