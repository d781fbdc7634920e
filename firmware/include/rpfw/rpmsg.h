/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A lean rpmsg remote: the device side of one rpmsg virtio device from the
 * firmware's resource table (rproc/virtio_abi.h, DESIGN §6).  No heap: the
 * caller provides the struct rpfw_rpmsg (static in firmware), endpoints
 * live in a fixed array of RPFW_RPMSG_MAX_EPT.  Portable C11: the host
 * builds it too, as a "native remote" (platform hooks: rpfw/rpmsg_port.h).
 *
 * vring0 carries remote -> host messages (we pop the host's empty RX
 * buffers, fill and push them), vring1 host -> remote (we pop, call the
 * endpoint, push back).  Buffer addresses are bus addresses, translated
 * with the shared buffer carveout (its pa, da and len as the host wrote
 * them back into the table); anything outside is refused (rpfw/vring.h).
 *
 * Use:
 *
 *	static struct rpfw_rpmsg rp;
 *
 *	rpfw_rpmsg_init(&rp, vdev, buf_carveout, NULL);
 *	ept = rpfw_rpmsg_create_ept(&rp, "rpmsg-echo", RPMSG_ADDR_ANY, cb, p);
 *	rpfw_rpmsg_wait_ready(&rp);		(DRIVER_OK; announces "rpmsg-echo")
 *	... from the mailbox receive callback, for each word:
 *	rpfw_rpmsg_notified(&rp, word);		(runs the callbacks)
 *
 * Context: every function but rpfw_rpmsg_wait_ready() may be called from
 * thread or interrupt context; each masks interrupts (rpfw_port_irq_save)
 * around what it shares with the receive path.  Receive callbacks run with
 * interrupts masked, from rpfw_rpmsg_notified() or rpfw_rpmsg_poll(); they
 * may send, hold their buffer, create and destroy endpoints, but not call
 * those two.  Return codes: RPFW_E* (rpfw/vring.h).
 *
 * Buffers: every buffer must be 4-byte aligned (a transmit buffer that is
 * not, or is smaller than the negotiated size, puts vring0 in the error
 * state; a received one that is not, or is shorter than its header says,
 * is given back unread).  A buffer held or filled zero-copy keeps its
 * descriptor index in its header's reserved field meanwhile, as OpenAMP
 * does (so does one being sent, -Os: one code path); a host that changes
 * it only gets a wrong (checked: < num, one outstanding) used entry.
 */
#ifndef RPFW_RPMSG_H
#define RPFW_RPMSG_H

#include <stdint.h>

#include "rproc/rsc_table.h"
#include "rproc/virtio_abi.h"
#include "rpfw/vring.h"

#ifndef RPFW_RPMSG_MAX_EPT
#define RPFW_RPMSG_MAX_EPT 8
#endif

struct rpfw_rpmsg;
struct rpfw_rpmsg_ept;

/*
 * A message for @ept from address @src: @len bytes at @data, valid until
 * the callback returns unless it holds the buffer
 * (rpfw_rpmsg_hold_rx_buffer).  Interrupts are masked.
 */
typedef void (*rpfw_rpmsg_cb)(struct rpfw_rpmsg_ept *ept, void *data,
			      uint32_t len, uint32_t src, void *priv);

/* An endpoint.  Fields read-only for users. */
struct rpfw_rpmsg_ept {
	struct rpfw_rpmsg *rp;
	rpfw_rpmsg_cb cb; /* NULL: free slot (unless ns_pending) */
	void *priv;
	const char *name; /* announced when not NULL */
	uint32_t addr;
	/* a name-service message waiting for a buffer: RPMSG_NS_CREATE + 1
	 * or RPMSG_NS_DESTROY + 1 (a destroyed endpoint keeps its slot and
	 * address until its destruction is announced), else 0 */
	uint8_t ns_pending;
};

/* A vring and the notify id the host gave it.  Private. */
struct rpfw_rpmsg_queue {
	struct rpfw_vring vr;
	uint32_t notifyid;
};

/* One rpmsg device.  Fields private.  Ordered for the Cortex-M4's short
 * (16-bit) loads and stores: the bytes first, so that vring0's small
 * fields stay below offset 32 (firmware/lib/rpmsg.c, STATUS). */
struct rpfw_rpmsg {
	uint8_t ready;
	uint8_t ns_pending; /* some endpoint's ns_pending may be set */
	struct rpfw_rpmsg_queue q[2]; /* vring0 remote -> host, vring1 back */
	int32_t rx_head;   /* head of the message being received; negated
			      (~) once its callback held it */
	uint32_t tx_size;  /* remote -> host buffer size, header included */
	uint32_t features; /* negotiated (gfeatures & dfeatures) */
	struct rpfw_vring_region region;
	void *vdev;	 /* struct fw_rsc_vdev + 2 vrings + config */
	const void *shm; /* struct fw_rsc_carveout */
	void *port;
	struct rpfw_rpmsg_ept ept[RPFW_RPMSG_MAX_EPT];
};

/*
 * Set up @rp for the rpmsg vdev whose body (a struct fw_rsc_vdev, 4-byte
 * aligned, with two vrings and the struct rpmsg_virtio_config) is at @vdev
 * in the installed table: the host writes status, gfeatures, vring da and
 * notify ids there.  Buffers are in the carveout whose body (a struct
 * fw_rsc_carveout) is at @shm: the host writes back its da, pa and len.
 * @port goes to the rpfw_port_* hooks.  Reads nothing the host writes.
 * Returns 0 or RPFW_EINVAL (misaligned, not rpmsg, not two vrings).
 */
int rpfw_rpmsg_init(struct rpfw_rpmsg *rp, void *vdev, const void *shm,
		    void *port);

/*
 * Once the host set DRIVER_OK: read the negotiated features (gfeatures,
 * masked with what we offered) and, with VIRTIO_RPMSG_F_BUFSZ, the remote
 * -> host buffer size from the config space (17..65551, else 512; received
 * messages are checked against their own buffers), attach both vrings,
 * and announce the named endpoints.  Returns 1
 * when ready (now or before), 0 while DRIVER_OK is not set, RPFW_EINVAL
 * for a configuration it cannot use (vrings, buffer sizes), or the error
 * of an announcement.  Called by rpfw_rpmsg_notified() and _poll() too.
 */
int rpfw_rpmsg_ready(struct rpfw_rpmsg *rp);

/* Wait, idle (rpfw_port_idle: wfi), until rpfw_rpmsg_ready() is not 0;
 * returns its value.  Thread context. */
int rpfw_rpmsg_wait_ready(struct rpfw_rpmsg *rp);

/*
 * The host kicked vring @notifyid (a mailbox word).  For vring0 (buffers
 * to send into came back): ask for no more such kicks, then send the
 * name-service announcements that waited for a buffer (one that still
 * waits asks for them again).  For vring1: send those announcements too,
 * then receive every pending message.  Returns the number of messages
 * received (0 for vring0), RPFW_ENOENT if @notifyid is not one of ours (or
 * not ready yet: the word may be meant for someone else), or a vring
 * error.
 */
int rpfw_rpmsg_notified(struct rpfw_rpmsg *rp, uint32_t notifyid);

/* Send the announcements that wait, receive what is pending, without a
 * kick (polled use).  Returns the number of messages, RPFW_ENODEV if not
 * ready (or the error of rpfw_rpmsg_ready()), or a vring error. */
int rpfw_rpmsg_poll(struct rpfw_rpmsg *rp);

/*
 * Take a free endpoint slot for address @addr (RPMSG_ADDR_ANY: one above
 * every address in use, from RPMSG_RESERVED_ADDRESSES) calling
 * @cb(..., @priv).  @name
 * (kept by pointer, at most 31 bytes are sent), if not NULL, is announced
 * to the host's name service once ready, and at once when ready already;
 * when no host buffer is free the announcement waits for one (sent from
 * rpfw_rpmsg_notified() or _poll() when the host returns buffers).
 * Returns the endpoint, or NULL: @cb NULL, no free slot, @addr in use, or
 * the announcement failed (vring error, message too long).
 */
struct rpfw_rpmsg_ept *rpfw_rpmsg_create_ept(struct rpfw_rpmsg *rp,
					     const char *name, uint32_t addr,
					     rpfw_rpmsg_cb cb, void *priv);

/* Announce the destruction (named endpoints, when ready) and free the
 * slot; if no buffer is free the slot (and its address) stay taken until
 * the announcement could be sent.  A creation still waiting is simply
 * dropped. */
void rpfw_rpmsg_destroy_ept(struct rpfw_rpmsg_ept *ept);

/*
 * Send @len bytes at @data from @ept to address @dst.  Copies into a free
 * host buffer and notifies the host if it wants.  Returns 0,
 * RPFW_EMSGSIZE (longer than rpfw_rpmsg_mtu()), RPFW_EAGAIN (no free
 * buffer: the host is asked to kick vring0 when it returns some; retry
 * then), RPFW_ENODEV (not ready), or a vring error.
 */
int rpfw_rpmsg_send(struct rpfw_rpmsg_ept *ept, uint32_t dst, const void *data,
		    uint32_t len);

/*
 * Zero copy: take a free host buffer and return where its payload goes
 * (*@size: its capacity, rpfw_rpmsg_mtu()), or NULL (no buffer as for
 * RPFW_EAGAIN above, not ready, vring error).  The buffer is ours until
 * rpfw_rpmsg_send_nocopy() sends it; it cannot be given back otherwise.
 */
void *rpfw_rpmsg_get_tx_buffer(struct rpfw_rpmsg_ept *ept, uint32_t *size);

/* Send @len bytes already in @data, a buffer from rpfw_rpmsg_get_tx_buffer,
 * to @dst.  Returns 0, RPFW_EMSGSIZE (the buffer stays ours), or a vring
 * error. */
int rpfw_rpmsg_send_nocopy(struct rpfw_rpmsg_ept *ept, uint32_t dst, void *data,
			   uint32_t len);

/*
 * From a receive callback, once: keep the message's buffer (@data as
 * passed to the callback) after the callback returns, until
 * rpfw_rpmsg_release_rx_buffer(@data) (any context) gives it back to the
 * host.  The host sends no more messages in it meanwhile, so hold few.
 * Release returns 0, RPFW_EINVAL (nothing held, or the header's reserved
 * field was changed to a bad index), or a vring error.
 */
void rpfw_rpmsg_hold_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data);
int rpfw_rpmsg_release_rx_buffer(struct rpfw_rpmsg_ept *ept, void *data);

/* The largest payload a message can carry (0 before ready). */
static inline uint32_t rpfw_rpmsg_mtu(const struct rpfw_rpmsg *rp)
{
	return rp->ready ? rp->tx_size - (uint32_t)sizeof(struct rpmsg_hdr) : 0;
}

#endif /* RPFW_RPMSG_H */
