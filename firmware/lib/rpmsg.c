// SPDX-License-Identifier: BSD-3-Clause
/*
 * The rpmsg remote over one vdev (rpfw/rpmsg.h).  Portable C11; platform
 * hooks in rpfw/rpmsg_port.h.  The rings are checked by vring.c; here only
 * the message header needs care: it is read once (volatile), its length
 * checked against the buffer, and a buffer that is too short or misaligned
 * is given back unread.
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
	struct {
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

/* The send path: in line where instructions count (the native remote on
 * the host), one copy where bytes do (-Os firmware). */
#ifdef __OPTIMIZE_SIZE__
#define TX_INLINE __attribute__((noinline))
#else
#define TX_INLINE inline
#endif

int rpfw_rpmsg_init(struct rpfw_rpmsg *rp, void *vdev, const void *shm,
		    void *port)
{
	const struct vdev *vd = vdev;

	if (((uintptr_t)vd & 3) || vd->id != VIRTIO_ID_RPMSG ||
	    vd->num_of_vrings != 2)
		return RPFW_EINVAL;
	*rp = (struct rpfw_rpmsg){.vdev = vdev, .shm = shm, .port = port};
	return 0;
}

static struct rpfw_rpmsg_ept *ept_find(struct rpfw_rpmsg *rp, uint32_t addr)
{
	struct rpfw_rpmsg_ept *e;

	for (e = rp->ept; e < rp->ept + RPFW_RPMSG_MAX_EPT; e++)
		if (e->cb && e->addr == addr)
			return e;
	return NULL;
}

/* Notify the host about vring @q if it wants.  Interrupts masked. */
static inline void notify(struct rpfw_rpmsg *rp, uint32_t q)
{
	if (rpfw_vring_need_notify(&rp->vr[q]))
		rpfw_port_notify(rp->port, rp->notifyid[q]);
}

/* Give buffer @head back on vring @q with @len bytes written, notify the
 * host if it wants.  Interrupts masked. */
static inline int put(struct rpfw_rpmsg *rp, uint32_t q, uint32_t head,
		      uint32_t len)
{
	int ret = rpfw_vring_push(&rp->vr[q], head, len);

	if (!ret)
		notify(rp, q);
	return ret;
}

/* Push back a buffer we just popped from @vr: nothing to check where
 * instructions count; where bytes do, rpfw_vring_push() (one copy). */
static inline void push_popped(struct rpfw_vring *vr, uint32_t head,
			       uint32_t len)
{
#ifdef __OPTIMIZE_SIZE__
	rpfw_vring_push(vr, head, len);
#else
	__rpfw_vring_push(vr, head, len);
#endif
}

/* Pop a buffer to send @len bytes in: returns its head (>= 0) and its
 * header in *@h, or an error.  Interrupts masked. */
static inline int tx_get(struct rpfw_rpmsg *rp, struct hdr **h, uint32_t len)
{
	struct rpfw_vring_buf b;
	int ret;

	if (!rp->ready)
		return RPFW_ENODEV;
	if (len > rp->tx_size - sizeof(struct hdr))
		return RPFW_EMSGSIZE;
	/* none free: kick us when buffers come back (then look again) */
	ret = __rpfw_vring_pop(&rp->vr[TX], &b, 1);
	if (ret)
		return ret;
	if (b.len < rp->tx_size || ((uintptr_t)b.data & 3))
		return rpfw_vring_fail(&rp->vr[TX], RPFW_EBADMSG);
	*h = b.data;
	return b.head;
}

/* Fill in the header of @h (a buffer from tx_get()) but its length. */
static inline void tx_hdr(struct hdr *h, uint32_t src, uint32_t dst)
{
	h->src = src;
	h->dst = dst;
	h->reserved = 0;
	h->flags = 0;
}

/* Send buffer @head from tx_get() with @len bytes of payload at @h.
 * Interrupts masked. */
static inline int tx_put(struct rpfw_rpmsg *rp, struct hdr *h, uint32_t head,
			 uint32_t len)
{
	h->len = (uint16_t)len;
	return put(rp, TX, head, len + sizeof(*h));
}

#define NS_NONE 0xFFFFFFFFu

/* Send @len bytes from @ept to @dst in a fresh host buffer: a copy of
 * @data, or with @ns not NS_NONE @ept's name-service message with flags
 * @ns, built in place.  Interrupts masked. */
static TX_INLINE int tx_msg(struct rpfw_rpmsg_ept *ept, uint32_t dst,
			    const void *data, uint32_t len, uint32_t ns)
{
	struct rpfw_rpmsg *rp = ept->rp;
	struct hdr *h = NULL;
	int head = tx_get(rp, &h, len);

	if (head < 0)
		return head;
	/* the header first: fewer values live across the copy */
	tx_hdr(h, ept->addr, dst);
	h->len = (uint16_t)len;
	if (ns == NS_NONE) {
		__builtin_memcpy(h->data, data, len);
	} else {
		struct ns_msg *m = (struct ns_msg *)h->data;
		const char *name = ept->name;
		uint32_t i;

		/* at most 31 bytes, NUL-padded: the name stays terminated */
		for (i = 0; i < RPMSG_NAME_SIZE; i++) {
			char c = i < RPMSG_NAME_SIZE - 1 ? *name : 0;

			m->name[i] = c;
			name += c != 0;
		}
		m->addr = ept->addr;
		m->flags = ns;
	}
	push_popped(&rp->vr[TX], (uint32_t)head, len + sizeof(*h));
	notify(rp, TX);
	return 0;
}

/* The name-service message for @ept (@flags RPMSG_NS_CREATE, _DESTROY),
 * if it has a name and the host offers the service.  Without a free
 * buffer it waits in ept->ns_pending (ns_flush() sends it).  Interrupts
 * masked. */
static int ns_announce(struct rpfw_rpmsg_ept *ept, uint32_t flags)
{
	struct rpfw_rpmsg *rp = ept->rp;
	int ret;

	ept->ns_pending = 0;
	if (!ept->name || !rp->ready ||
	    !(rp->features & F_BIT(VIRTIO_RPMSG_F_NS)))
		return 0;
	ret = tx_msg(ept, RPMSG_NS_ADDR, NULL, sizeof(struct ns_msg), flags);
	if (ret == RPFW_EAGAIN) {
		/* tx_get() asked the host to kick vring0 for buffers */
		ept->ns_pending = (uint8_t)(flags + 1);
		rp->ns_pending = 1;
		return 0;
	}
	return ret;
}

/* Send the announcements that wait for a buffer, in slot order, until
 * one must wait again or fails.  Returns 0 or the first error.
 * Interrupts masked. */
static int ns_flush(struct rpfw_rpmsg *rp)
{
	struct rpfw_rpmsg_ept *e;
	int ret = 0;

	rp->ns_pending = 0;
	for (e = rp->ept; e < rp->ept + RPFW_RPMSG_MAX_EPT; e++)
		if (e->ns_pending && !rp->ns_pending && !ret)
			ret = ns_announce(e, e->ns_pending - 1u);
	return ret;
}

/* Interrupts masked. */
static int ready_locked(struct rpfw_rpmsg *rp)
{
	volatile struct vdev *vd = rp->vdev;
	const volatile struct carveout *shm = rp->shm;
	struct rpfw_rpmsg_ept *e;
	uint32_t i, size = RPMSG_BUF_SIZE_DEFAULT, flags = 0;
	int ret = 0;

	if (rp->ready)
		return 1;
	if (!(vd->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return 0;
	/* what the host wrote before DRIVER_OK */
	rpfw_port_rmb();
	rp->features = vd->gfeatures & vd->dfeatures;
	if (rp->features & F_BIT(VIRTIO_RPMSG_F_BUFSZ)) {
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
	if (rp->features & F_BIT(VIRTIO_RING_F_EVENT_IDX))
		flags = RPFW_VRING_F_EVENT_IDX;
	for (i = 0; i < 2; i++) {
		uint32_t da = vd->vring[i].da;

		rp->notifyid[i] = vd->vring[i].notifyid;
		if (da == FW_RSC_ADDR_ANY ||
		    rpfw_vring_init(&rp->vr[i],
				    rpfw_port_da_to_va(rp->port, da),
				    vd->vring[i].num, vd->vring[i].align,
				    &rp->region, flags))
			return RPFW_EINVAL;
	}
	/* kicks for vring0 only when we run out of buffers to send in */
	rpfw_vring_kicks(&rp->vr[TX], 0);
	rp->ready = 1;
	/* announce every endpoint (ns_announce() skips the unnamed) */
	for (e = rp->ept; e < rp->ept + RPFW_RPMSG_MAX_EPT; e++)
		if (e->cb)
			e->ns_pending = RPMSG_NS_CREATE + 1;
	ret = ns_flush(rp);
	return ret ? ret : 1;
}

/* ready_locked() for the message path: ready already, in line. */
static inline int ready_fast(struct rpfw_rpmsg *rp)
{
	return rp->ready ? 1 : ready_locked(rp);
}

int rpfw_rpmsg_ready(struct rpfw_rpmsg *rp)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = ready_locked(rp);

	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_rpmsg_wait_ready(struct rpfw_rpmsg *rp)
{
	uint32_t irq;
	int ret;

	do {
		/* a kick after the check still wakes the idle */
		irq = rpfw_port_irq_save();
		ret = ready_locked(rp);
		if (!ret)
			rpfw_port_idle();
		rpfw_port_irq_restore(irq);
	} while (!ret);
	return ret;
}

/* Receive every pending message: the buffers go back with one
 * notification for the lot.  Interrupts masked. */
static int rx_drain(struct rpfw_rpmsg *rp)
{
	struct rpfw_vring_buf b;
	int n = 0, ret;

	while (!(ret = rpfw_vring_pop(&rp->vr[RX], &b))) {
		const volatile struct hdr *h = b.data;

		n++;
		rp->rx_held = 0;
		if (!((uintptr_t)h & 3) && b.len >= sizeof(*h)) {
			uint32_t src = h->src, len = h->len;
			struct rpfw_rpmsg_ept *e = ept_find(rp, h->dst);

			if (e && len <= b.len - sizeof(*h)) {
				rp->rx_head = b.head;
				e->cb(e, (void *)h->data, len, src, e->priv);
			}
		}
		if (!rp->rx_held)
			push_popped(&rp->vr[RX], b.head, 0);
	}
	notify(rp, RX);
	return ret == RPFW_EAGAIN ? n : ret;
}

int rpfw_rpmsg_poll(struct rpfw_rpmsg *rp)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = ready_fast(rp);

	if (ret > 0) {
		if (rp->ns_pending)
			ns_flush(rp);
		ret = rx_drain(rp);
	} else if (!ret) {
		ret = RPFW_ENODEV;
	}
	rpfw_port_irq_restore(irq);
	return ret;
}

int rpfw_rpmsg_notified(struct rpfw_rpmsg *rp, uint32_t notifyid)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = RPFW_ENOENT;

	if (ready_fast(rp) > 0) {
		if (notifyid == rp->notifyid[RX]) {
			ret = rx_drain(rp);
		} else if (notifyid == rp->notifyid[TX]) {
			rpfw_vring_kicks(&rp->vr[TX], 0);
			if (rp->ns_pending)
				ns_flush(rp);
			ret = 0;
		}
	}
	rpfw_port_irq_restore(irq);
	return ret;
}

struct rpfw_rpmsg_ept *rpfw_rpmsg_create_ept(struct rpfw_rpmsg *rp,
					     const char *name, uint32_t addr,
					     rpfw_rpmsg_cb cb, void *priv)
{
	struct rpfw_rpmsg_ept *e = NULL, *it;
	uint32_t irq, any = addr == RPMSG_ADDR_ANY;

	if (!cb)
		return NULL;
	if (any)
		addr = RPMSG_RESERVED_ADDRESSES;
	irq = rpfw_port_irq_save();
	/* a free slot; a dynamic address above all those in use */
	for (it = rp->ept; it < rp->ept + RPFW_RPMSG_MAX_EPT; it++) {
		if (!it->cb && !it->ns_pending) {
			if (!e)
				e = it;
		} else if (any ? it->addr >= addr : it->addr == addr) {
			if (!any)
				break;
			addr = it->addr + 1;
		}
	}
	if (e && it == rp->ept + RPFW_RPMSG_MAX_EPT) {
		*e = (struct rpfw_rpmsg_ept){rp, cb, priv, name, addr, 0};
		if (ns_announce(e, RPMSG_NS_CREATE)) {
			e->cb = NULL;
			e = NULL;
		}
	} else {
		e = NULL;
	}
	rpfw_port_irq_restore(irq);
	return e;
}

void rpfw_rpmsg_destroy_ept(struct rpfw_rpmsg_ept *ept)
{
	uint32_t irq = rpfw_port_irq_save();

	/* a creation still waiting was never seen: nothing to withdraw */
	if (ept->ns_pending == RPMSG_NS_CREATE + 1)
		ept->ns_pending = 0;
	else
		ns_announce(ept, RPMSG_NS_DESTROY);
	ept->cb = NULL;
	rpfw_port_irq_restore(irq);
}

int rpfw_rpmsg_send(struct rpfw_rpmsg_ept *ept, uint32_t dst, const void *data,
		    uint32_t len)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = tx_msg(ept, dst, data, len, NS_NONE);

	rpfw_port_irq_restore(irq);
	return ret;
}

/* The head of a zero-copy buffer waits in its header's reserved field
 * (the buffer is ours until sent; whatever the host writes there, the
 * vring refuses a head >= num). */
void *rpfw_rpmsg_get_tx_buffer(struct rpfw_rpmsg_ept *ept, uint32_t *size)
{
	struct rpfw_rpmsg *rp = ept->rp;
	uint32_t irq = rpfw_port_irq_save();
	struct hdr *h = NULL;
	int head = tx_get(rp, &h, 0);

	if (head >= 0)
		h->reserved = (uint32_t)head;
	rpfw_port_irq_restore(irq);
	if (head < 0)
		return NULL;
	*size = rp->tx_size - sizeof(*h);
	return h->data;
}

int rpfw_rpmsg_send_nocopy(struct rpfw_rpmsg_ept *ept, uint32_t dst, void *data,
			   uint32_t len)
{
	struct rpfw_rpmsg *rp = ept->rp;
	uint32_t irq = rpfw_port_irq_save();
	int ret = RPFW_EMSGSIZE;

	if (len <= rp->tx_size - sizeof(struct hdr)) {
		struct hdr *h = HDR(data);
		uint32_t head = h->reserved;

		tx_hdr(h, ept->addr, dst);
		ret = tx_put(rp, h, head, len);
	}
	rpfw_port_irq_restore(irq);
	return ret;
}

/* Held receive buffers keep their head in the header's reserved field
 * likewise (OpenAMP does the same). */
void rpfw_rpmsg_hold_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data)
{
	ept->rp->rx_held = 1;
	HDR(data)->reserved = ept->rp->rx_head;
}

int rpfw_rpmsg_release_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data)
{
	uint32_t irq = rpfw_port_irq_save();
	int ret = put(ept->rp, RX, HDR(data)->reserved, 0);

	rpfw_port_irq_restore(irq);
	return ret;
}
