// SPDX-License-Identifier: BSD-3-Clause
/*
 * The rpmsg remote over one vdev (rpfw/rpmsg.h).  Portable C11; platform
 * hooks in rpfw/rpmsg_port.h.  The rings are checked by rpfw/vring.h; here
 * only the message header needs care: it is read once (volatile), its
 * length checked against the buffer, and a buffer that is too short or
 * misaligned is given back unread.
 *
 * STATUS (kept current; whoever continues starts here)
 *   size: Cortex-M4 -Os (scripts/size): rpmsg.o + vring.o as objects
 *          1,248 + 286 = 1,534 B, as linked in echo 1,150 + 286 = 1,436 B
 *          (goal 1,536; were 1,786 + 52 = 1,838 and 1,534 + 52 = 1,586);
 *          RV32 1,658 + 354 = 2,012, linked 1,404 + 354 = 1,758 (were
 *          2,438 and 1,928).  How: every step is one copy (one service()
 *          behind notified, poll, ready and wait_ready; one tx_msg() behind
 *          send, get_tx_buffer, send_nocopy and the name service; one
 *          ns_flush() for every announcement; pop and the checked push in
 *          vring.c); the fields reached from rp and vr sit where 16-bit
 *          Thumb loads reach them (struct rpfw_rpmsg, struct rpfw_vring).
 *          The margin is 2 bytes: run scripts/size after any change here
 *          (GCC 12; a field moved or a helper inlined costs tens).
 *   cost: x86 instructions per message in the native remote (bench_rpmsg
 *          --loop under callgrind, rx_drain and the poll): receive 76 in
 *          bursts of 16 (was 81: the first endpoint tested before the
 *          lookup loop, FAST_PATH), 173 one by one (was 182); the echo's
 *          send 109.  The avail index, its check and the read barrier
 *          come once per batch.  Not done: the 55 hoped for the receive;
 *          what is left per message is the validation, the callback and
 *          the reloads after it.  Tried, not kept: popping a batch into
 *          a local array before the callbacks run (+9, not the -13
 *          estimated: the array and two calls per drain cost more than
 *          the reloads); used->idx stored once per drain (+8 one by
 *          one).
 *   tests: tests/fwrpmsg (fw_vring_adversarial, fw_rpmsg_remote, both
 *          also built -Os: the firmware's variants), the host's rpmsg
 *          tests on the native remote, vsoc_rpmsg (this code built -Os on
 *          the emulated Cortex-M4 and RV32).
 */
#include <stddef.h>
#include <stdint.h>

#include "rproc/rsc_table.h"
#include "rproc/virtio_abi.h"
#include "rpfw/rpmsg.h"
#include "rpfw/rpmsg_port.h"
#include "rpfw/vring.h"

/* struct rpmsg_hdr without "packed": buffers are 4-byte aligned (checked),
 * so its fields take single loads and stores on every core. */
struct hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved; /* ours while held / filled zero-copy: the head */
	uint16_t len;
	uint16_t flags;
	uint8_t data[];
};

_Static_assert(sizeof(struct hdr) == sizeof(struct rpmsg_hdr), "hdr");
_Static_assert(offsetof(struct hdr, len) == offsetof(struct rpmsg_hdr, len),
	       "hdr");

/*
 * The vdev entry's body with its two vrings and the rpmsg config space, and
 * a carveout's body, without "packed": a resource table is 4-byte aligned
 * and so is every entry (checked for the vdev), so the fields take single
 * loads on every core (RV32 would assemble packed ones byte by byte).
 */
struct vdev {
	uint32_t id, notifyid, dfeatures, gfeatures, config_len;
	uint8_t status, num_of_vrings, reserved[2];
	struct vdev_vring {
		uint32_t da, align, num, notifyid, pa;
	} vring[2];
	struct {
		uint32_t h2r_buf_size, r2h_buf_size;
	} cfg;
};

struct carveout {
	uint32_t da, pa, len;
};

struct ns_msg {
	char name[RPMSG_NAME_SIZE];
	uint32_t addr, flags;
};

#define SAME(a, b, f) (offsetof(a, f) == offsetof(b, f))
_Static_assert(SAME(struct vdev, struct fw_rsc_vdev, gfeatures) &&
		       SAME(struct vdev, struct fw_rsc_vdev, config_len) &&
		       SAME(struct vdev, struct fw_rsc_vdev, status) &&
		       SAME(struct vdev, struct fw_rsc_vdev, num_of_vrings) &&
		       SAME(struct vdev, struct fw_rsc_vdev, vring),
	       "vdev");
_Static_assert(sizeof(((struct vdev *)0)->vring[0]) ==
			       sizeof(struct fw_rsc_vdev_vring) &&
		       offsetof(struct vdev, cfg) ==
			       sizeof(struct fw_rsc_vdev) +
				       2 * sizeof(struct fw_rsc_vdev_vring),
	       "vdev vrings");
_Static_assert(SAME(struct carveout, struct fw_rsc_carveout, pa) &&
		       SAME(struct carveout, struct fw_rsc_carveout, len),
	       "carveout");
_Static_assert(SAME(struct ns_msg, struct rpmsg_ns_msg, addr) &&
		       sizeof(struct ns_msg) == sizeof(struct rpmsg_ns_msg),
	       "ns_msg");

#define TX 0 /* vring0: remote -> host */
#define RX 1 /* vring1: host -> remote */
#define HDR(payload) ((struct hdr *)(payload)-1)
#define F_BIT(bit) (1u << (bit))
#define NS_CREATE (RPMSG_NS_CREATE + 1u) /* in ept->ns_pending */
#define NS_DESTROY (RPMSG_NS_DESTROY + 1u)

/*
 * Where bytes count (-Os: the firmware), FAST_PATH is 0: every helper is
 * one copy (MSG_INLINE, SIZE_NOINLINE are noinline), every push is the
 * checked rpfw_vring_push() (RPFW_VRING_OUTLINE) and the message path
 * takes the shortest code.  Where instructions count (the native remote
 * on the host), the message path is in line (MSG_INLINE) and pushes a
 * buffer it just popped without checks.
 */
#ifdef __OPTIMIZE_SIZE__
#define FAST_PATH 0
#define MSG_INLINE __attribute__((noinline))
#define SIZE_NOINLINE __attribute__((noinline))
#else
#define FAST_PATH 1
#define MSG_INLINE inline
#define SIZE_NOINLINE
#endif

int rpfw_rpmsg_init(struct rpfw_rpmsg *rp, void *vdev, const void *shm,
		    void *port)
{
	const struct vdev *vd = vdev;

	if (((uintptr_t)vd & 3) || vd->id != VIRTIO_ID_RPMSG ||
	    vd->num_of_vrings != 2)
		return RPFW_EINVAL;
	/* vring0 fails with RPFW_ENODEV until ready_locked() attaches it:
	 * tx_msg() needs no check of its own */
	*rp = (struct rpfw_rpmsg){.q[TX].vr.err = RPFW_ENODEV,
				  .vdev = vdev,
				  .shm = shm,
				  .port = port};
	return 0;
}

#define Q(rp, i) (&(rp)->q[i]) /* vring @i and its notify id */

/* Notify the host about queue @q if it wants.  Interrupts masked. */
static MSG_INLINE void notify(struct rpfw_rpmsg *rp, struct rpfw_rpmsg_queue *q)
{
	if (rpfw_vring_need_notify(&q->vr))
		rpfw_port_notify(rp->port, q->notifyid);
}

#define TX_NOCOPY ((void **)1) /* tx_msg(): send a zero-copy buffer */

/*
 * The send path, one copy for every kind: take a free host buffer for @len
 * bytes of payload and send a copy of @data from @ept to @dst in it; with
 * @zc, keep it instead (zero copy: its head waits in the header's reserved
 * field), its payload address in *@zc, and return its capacity; with @zc
 * TX_NOCOPY, send the zero-copy buffer whose payload is @data (its head
 * comes back through shared memory: the push checks it).  Returns 0 (or
 * the capacity) or an error.  Masks interrupts.
 */
static MSG_INLINE int tx_msg(struct rpfw_rpmsg_ept *ept, uint32_t dst,
			     const void *data, uint32_t len, void **zc)
{
	struct rpfw_rpmsg *rp = ept->rp;
	struct rpfw_vring *vr = &Q(rp, TX)->vr;
	struct rpfw_vring_buf b;
	struct hdr *h;
	uint32_t irq, head;
	int ret = RPFW_EMSGSIZE;

	irq = rpfw_port_irq_save();
	/* not ready: tx_size 0 passes, and vring0 fails with RPFW_ENODEV
	 * (masked: ready_locked() may run in between, from an interrupt) */
	if (len > rp->tx_size - sizeof(*h))
		goto out;
	if (zc == TX_NOCOPY) {
		h = HDR(data);
	} else {
		/* none free: kicks (off until now) go on, we hear when
		 * buffers come back */
		ret = rpfw_vring_pop(vr, &b);
		if (ret)
			goto out;
		h = b.data;
		if (b.len < rp->tx_size || ((uintptr_t)h & 3)) {
			ret = rpfw_vring_fail(vr, RPFW_EBADMSG);
			goto out;
		}
		/* ours until sent: the head waits in the header */
		head = b.head;
		h->reserved = head;
		if (zc) {
			*zc = h->data;
			ret = (int)(rp->tx_size - sizeof(*h));
			goto out;
		}
		__builtin_memcpy(h->data, data, len);
	}
	/* where bytes count, one path for all: the head from the header (a
	 * host that changed it gets a wrong, checked, used entry) */
	if (!FAST_PATH || zc == TX_NOCOPY)
		head = h->reserved;
	h->src = ept->addr;
	h->dst = dst;
	h->reserved = 0;
	h->len = (uint16_t)len;
	h->flags = 0;
	if (FAST_PATH && zc != TX_NOCOPY) {
		/* just popped: nothing to check */
		__rpfw_vring_push(vr, head, len + sizeof(*h));
	} else {
		ret = rpfw_vring_push(vr, head, len + sizeof(*h));
		if (ret)
			goto out;
	}
	notify(rp, Q(rp, TX));
out:
	rpfw_port_irq_restore(irq);
	return ret;
}

/*
 * Send the name-service messages that wait (ept->ns_pending: every
 * creation and destruction goes through here), in slot order, until one
 * must wait for a buffer (tx_msg() asked the host to kick vring0 when it
 * returns some: service() calls us again) or fails.  Those of unnamed
 * endpoints, or without the host's name service, are dropped.  Nothing
 * before ready (ready_locked() calls us then).  Returns 0 or the first
 * error.  Interrupts masked.
 */
static int ns_flush(struct rpfw_rpmsg *rp)
{
	struct rpfw_rpmsg_ept *e = rp->ept;
	uint32_t n;

	rp->ns_pending = 0;
	if (!rp->ready)
		return 0;
	for (n = RPFW_RPMSG_MAX_EPT; n; n--, e++) {
		const char *name = e->name;
		struct ns_msg m;
		uint32_t i;
		int ret;

		if (!e->ns_pending)
			continue;
		if (name && (rp->features & F_BIT(VIRTIO_RPMSG_F_NS))) {
			/* at most 31 bytes, NUL-padded: stays terminated */
			for (i = 0; i < RPMSG_NAME_SIZE; i++) {
				char c = i < RPMSG_NAME_SIZE - 1 ? *name : 0;

				m.name[i] = c;
				name += c != 0;
			}
			m.addr = e->addr;
			m.flags = e->ns_pending - 1u;
			ret = rpfw_rpmsg_send(e, RPMSG_NS_ADDR, &m, sizeof(m));
			if (ret == RPFW_EAGAIN) {
				rp->ns_pending = 1;
				return 0;
			}
			if (ret) {
				e->ns_pending = 0;
				return ret;
			}
		}
		e->ns_pending = 0;
	}
	return 0;
}

/* Attach queue @q to the vring the host placed, as its vdev entry @e
 * says; @flags for rpfw_vring_init().  Returns 0 or RPFW_EINVAL.
 * Interrupts masked. */
static SIZE_NOINLINE int attach(struct rpfw_rpmsg *rp,
				struct rpfw_rpmsg_queue *q,
				const volatile struct vdev_vring *e,
				uint32_t flags)
{
	uint32_t da = e->da;

	q->notifyid = e->notifyid;
	if (da == FW_RSC_ADDR_ANY)
		return RPFW_EINVAL;
	return rpfw_vring_init(&q->vr, rpfw_port_da_to_va(rp->port, da), e->num,
			       e->align, &rp->region, flags);
}

/* rpfw_rpmsg_ready().  Interrupts masked. */
static SIZE_NOINLINE int ready_locked(struct rpfw_rpmsg *rp)
{
	volatile struct vdev *vd = rp->vdev;
	const volatile struct carveout *shm = rp->shm;
	uint32_t size = RPMSG_BUF_SIZE_DEFAULT, features, flags = 0;
	int ret;

	if (rp->ready)
		return 1;
	if (!(vd->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return 0;
	/* what the host wrote before DRIVER_OK */
	rpfw_port_rmb();
	features = vd->gfeatures & vd->dfeatures;
	rp->features = features;
	if (features & F_BIT(VIRTIO_RPMSG_F_BUFSZ)) {
		/* the host -> remote size is the host's business: each
		 * message is checked against its buffer */
		size = vd->cfg.r2h_buf_size;
		if (vd->config_len < sizeof(vd->cfg) ||
		    size - sizeof(struct hdr) - 1 > 0xFFFEu)
			return RPFW_EINVAL;
	}
	rp->tx_size = size;
	rp->region.pa = shm->pa;
	rp->region.base = rpfw_port_da_to_va(rp->port, shm->da);
	rp->region.len = shm->len;
	if (features & F_BIT(VIRTIO_RING_F_EVENT_IDX))
		flags = RPFW_VRING_F_EVENT_IDX;
	/* vring1 first: once vring0 (which tx_msg() pops) is attached, both
	 * are */
	if (attach(rp, Q(rp, RX), &vd->vring[RX], flags) ||
	    /* kicks for vring0 only when we run out of buffers to send in */
	    attach(rp, Q(rp, TX), &vd->vring[TX],
		   flags | RPFW_VRING_F_KICKS_OFF))
		return RPFW_EINVAL;
	rp->ready = 1;
	/* every endpoint created so far waits with NS_CREATE */
	ret = ns_flush(rp);
	return ret ? ret : 1;
}

/* ready_locked() for the message path: ready already, in line where
 * instructions count. */
static inline int ready_fast(struct rpfw_rpmsg *rp)
{
	return FAST_PATH && rp->ready ? 1 : ready_locked(rp);
}

/* Receive every pending message: the buffers go back with one
 * notification for the lot.  Returns the number of messages or the
 * vring's error.  Interrupts masked. */
static int rx_drain(struct rpfw_rpmsg *rp)
{
	struct rpfw_vring *vr = &Q(rp, RX)->vr;
	struct rpfw_vring_buf b;
	int n = 0, ret;

	while (!(ret = rpfw_vring_pop(vr, &b))) {
		const volatile struct hdr *h = b.data;
		struct rpfw_rpmsg_ept *e = rp->ept;
		uint32_t src, dst, len;

		n++;
		/* too short or misaligned: given back unread */
		if (((uintptr_t)h & 3) || b.len < sizeof(*h))
			goto give_back;
		src = h->src;
		dst = h->dst;
		len = h->len;
		/* where instructions count, the first endpoint (the usual
		 * case) outside the loop: no loop set up for it */
		if (!FAST_PATH || e->addr != dst || !e->cb)
			while (e->addr != dst || !e->cb)
				if (++e == rp->ept + RPFW_RPMSG_MAX_EPT)
					goto give_back;
		/* len < 64 KiB: no overflow */
		if (len + sizeof(*h) > b.len)
			goto give_back;
		rp->rx_head = (int32_t)b.head;
		e->cb(e, (void *)h->data, len, src, e->priv);
		/* held: rpfw_rpmsg_hold_rx_buffer() negated rx_head */
		if (rp->rx_head < 0)
			continue;
	give_back:
		/* just popped, no error since: nothing to check */
		__rpfw_vring_push(vr, b.head, 0);
	}
	notify(rp, Q(rp, RX));
	return ret == RPFW_EAGAIN ? n : ret;
}

/* What service() was called for. */
enum service_call { SVC_NOTIFIED, SVC_POLL, SVC_READY, SVC_WAIT_READY };

/*
 * The entry points that get ready first, one copy: rpfw_rpmsg_notified
 * (@notifyid), _poll, _ready and, called in a loop, _wait_ready (idles
 * while not ready, interrupts masked: a kick after the check still wakes
 * it).  Once ready, a vring0 kick (buffers came back) turns its kicks off
 * and sends the announcements that waited for a buffer; a vring1 kick or
 * a poll sends those and receives every pending message.
 */
static int service(struct rpfw_rpmsg *rp, uint32_t notifyid,
		   enum service_call call)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = ready_fast(rp);

	if (ret > 0) {
		if (call >= SVC_READY)
			goto out;
		if (call == SVC_NOTIFIED && notifyid != Q(rp, RX)->notifyid) {
			ret = RPFW_ENOENT;
			if (notifyid == Q(rp, TX)->notifyid) {
				/* buffers came back: rare, no need to look
				 * at ns_pending first */
				rpfw_vring_kicks(&Q(rp, TX)->vr, 0);
				ns_flush(rp);
				ret = 0;
			}
			goto out;
		}
		if (rp->ns_pending)
			ns_flush(rp);
		ret = rx_drain(rp);
	} else if (call == SVC_NOTIFIED) {
		/* not ready: the word may be meant for someone else */
		ret = RPFW_ENOENT;
	} else if (!ret) {
		if (call == SVC_POLL)
			ret = RPFW_ENODEV;
		else if (call == SVC_WAIT_READY)
			rpfw_port_idle();
	}
out:
	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_rpmsg_notified(struct rpfw_rpmsg *rp, uint32_t notifyid)
{
	return service(rp, notifyid, SVC_NOTIFIED);
}

int rpfw_rpmsg_poll(struct rpfw_rpmsg *rp)
{
	return service(rp, 0, SVC_POLL);
}

int rpfw_rpmsg_ready(struct rpfw_rpmsg *rp)
{
	return service(rp, 0, SVC_READY);
}

int rpfw_rpmsg_wait_ready(struct rpfw_rpmsg *rp)
{
	int ret;

	while (!(ret = service(rp, 0, SVC_WAIT_READY)))
		;
	return ret;
}

struct rpfw_rpmsg_ept *rpfw_rpmsg_create_ept(struct rpfw_rpmsg *rp,
					     const char *name, uint32_t addr,
					     rpfw_rpmsg_cb cb, void *priv)
{
	struct rpfw_rpmsg_ept *e = NULL, *it = rp->ept + RPFW_RPMSG_MAX_EPT;
	uint32_t irq, next = RPMSG_RESERVED_ADDRESSES;

	if (!cb)
		return NULL;
	irq = rpfw_port_irq_save();
	/* the first free slot (backwards: the last seen), @addr not in use;
	 * a dynamic address above all those in use */
	while (it != rp->ept) {
		it--;
		if (!it->cb && !it->ns_pending) {
			e = it;
			continue;
		}
		if (it->addr == addr)
			goto busy;
		if (it->addr >= next)
			next = it->addr + 1;
	}
	if (!e)
		goto busy;
	/* announced now if ready, else by ready_locked() */
	*e = (struct rpfw_rpmsg_ept){
		rp,	  cb, priv, name, addr == RPMSG_ADDR_ANY ? next : addr,
		NS_CREATE};
	if (!ns_flush(rp))
		goto out;
	e->cb = NULL;
	e->ns_pending = 0;
busy:
	e = NULL;
out:
	rpfw_port_irq_restore(irq);
	return e;
}

void rpfw_rpmsg_destroy_ept(struct rpfw_rpmsg_ept *ept)
{
	uint32_t irq = rpfw_port_irq_save();

	/* a creation still waiting was never seen: nothing to withdraw */
	ept->ns_pending = ept->ns_pending == NS_CREATE ? 0 : NS_DESTROY;
	ept->cb = NULL;
	ns_flush(ept->rp);
	rpfw_port_irq_restore(irq);
}

int rpfw_rpmsg_send(struct rpfw_rpmsg_ept *ept, uint32_t dst, const void *data,
		    uint32_t len)
{
	return tx_msg(ept, dst, data, len, NULL);
}

/* The head of a zero-copy buffer waits in its header's reserved field
 * (the buffer is ours until sent; whatever the host writes there, the
 * vring refuses a head >= num or with nothing outstanding). */
void *rpfw_rpmsg_get_tx_buffer(struct rpfw_rpmsg_ept *ept, uint32_t *size)
{
	void *data = NULL; /* set only on success */
	int ret = tx_msg(ept, 0, NULL, 0, &data);

	if (ret >= 0)
		*size = (uint32_t)ret;
	return data;
}

int rpfw_rpmsg_send_nocopy(struct rpfw_rpmsg_ept *ept, uint32_t dst, void *data,
			   uint32_t len)
{
	return tx_msg(ept, dst, data, len, TX_NOCOPY);
}

/* Held receive buffers keep their head in the header's reserved field
 * likewise (OpenAMP does the same); rx_drain() sees rx_head negated.  From
 * a receive callback (interrupts masked), once per message. */
void rpfw_rpmsg_hold_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data)
{
	struct rpfw_rpmsg *rp = ept->rp;

	HDR(data)->reserved = (uint32_t)rp->rx_head;
	rp->rx_head = ~rp->rx_head; /* negative */
}

int rpfw_rpmsg_release_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data)
{
	struct rpfw_rpmsg_queue *q = Q(ept->rp, RX);
	uint32_t irq = rpfw_port_irq_save();
	/* checked: the host may have changed the head (RPFW_EINVAL) */
	int ret = rpfw_vring_push(&q->vr, HDR(data)->reserved, 0);

	if (!ret)
		notify(ept->rp, q);
	rpfw_port_irq_restore(irq);
	return ret;
}
