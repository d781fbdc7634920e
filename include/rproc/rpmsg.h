/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg on the host: the virtio *driver* side of every rpmsg vdev (virtio id
 * 7) of a remote, wire-compatible with Linux and OpenAMP firmware (DESIGN
 * §6, include/rproc/virtio_abi.h).
 *
 * The bus is a subdevice of the remote: at each start it binds every rpmsg
 * vdev found in the remote's resources (features negotiated through
 * dfeatures/gfeatures, buffer sizes from the config space when
 * VIRTIO_RPMSG_F_BUFSZ is offered, else 512 B; buffers from the
 * "vdev<N>buffer" carveout; rings from the allocated vrings; status written
 * DRIVER_OK last).  When the remote stops or crashes every device goes
 * down: endpoint owners get their unbind callback, blocked senders wake with
 * -ENOTCONN, nothing hangs.  After recovery the devices come back up and the
 * remote's name-service announcements create the channels again.
 *
 * Threads.  Receive callbacks run in the doorbell context: the driver's
 * thread that called rproc_notify() (the vsoc: the core's emulation
 * thread), or the caller of rproc_rpmsg_poll(); and, for what arrived
 * before the first doorbell, the lifecycle thread at the start.  They must
 * not block for long; they may send (trysend, or send with a timeout) and
 * hold buffers.  Every other function may be called from any thread.
 *
 * All callbacks of one device (receive, unbind, and the bus events of
 * struct rpmsg_bus_ops) are serialised: at most one runs at a time, in
 * the order of the events, and none runs with a lock of the bus held, so
 * each may call any function of this header (but see rpmsg_destroy_ept()).
 * A blocking send from a receive callback waits for the remote, which may
 * itself wait for the doorbell thread: use rpmsg_trysend() or a timeout
 * there.
 *
 * Buffer sizes (VIRTIO_RPMSG_F_BUFSZ): each offered size must be 17..65551
 * (header + at least one byte, at most a 16-bit length); other values fail
 * the start of the remote (-EINVAL, the precise message logged) and write
 * VIRTIO_CONFIG_S_FAILED.  Any size is accepted, aligned or not: buffers
 * are placed 8 bytes apart at least, each exactly the offered size.  The
 * pool ("vdev<N>buffer", 4-byte aligned) is split in halves: host RX
 * buffers (vring0), then host TX buffers (vring1), as many as fit and as
 * the ring holds; none fitting fails the start (-ENOSPC), no pool too
 * (-ENOENT).
 *
 * Addresses: 0..1023 reserved (53 = name service); endpoints created with
 * RPMSG_ADDR_ANY get dynamic addresses from 1024.
 */
#ifndef RPROC_RPMSG_H
#define RPROC_RPMSG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/error.h"
#include "rproc/rproc.h"
#include "rproc/virtio_abi.h"

struct rproc_rpmsg;    /* the bus of one remote */
struct rpmsg_device;   /* one rpmsg vdev of it */
struct rpmsg_endpoint; /* a local address on a device */

/* Events of the bus, all optional.  They run where receive callbacks run
 * (doorbell context, rproc_rpmsg_poll(), the lifecycle thread at start and
 * stop), or, for a transmit ring found broken while sending, on that
 * sending thread when no callback is running. */
struct rpmsg_bus_ops {
	/* The vdev is up (DRIVER_OK written): rpmsg_device_index() says
	 * which.  Called at each start of the remote (the same @rdev again
	 * after a recovery). */
	void (*device_up)(void *ctx, struct rpmsg_device *rdev);
	/* It went down: -ESHUTDOWN remote stopped, -EIO remote crashed,
	 * -EPROTO the remote broke the ring protocol (the device then stays
	 * down until the remote's next start).  Every endpoint got its
	 * unbind callback before; every channel is gone (no channel_down
	 * for them). */
	void (*device_down)(void *ctx, struct rpmsg_device *rdev, int reason);
	/* The remote announced / withdrew a channel (name service).
	 * Malformed announcements (size, unterminated name, unknown flags),
	 * duplicates and withdrawals of unknown channels are dropped and
	 * counted (struct rpmsg_device_stats). */
	void (*channel_up)(void *ctx, struct rpmsg_device *rdev,
			   const char *name, uint32_t remote_addr);
	void (*channel_down)(void *ctx, struct rpmsg_device *rdev,
			     const char *name, uint32_t remote_addr);
};

/* Put the bus on @rproc (OFFLINE or DETACHED, not yet started).  -EBUSY,
 * -ENOMEM. */
int rproc_rpmsg_attach(struct rproc *rproc, const struct rpmsg_bus_ops *ops,
		       void *ctx, struct rproc_rpmsg **out);
/* Take it off again (OFFLINE / DETACHED / DELETED; while the remote is
 * up it only logs an error and does nothing).  Endpoints not destroyed
 * yet are freed: their pointers become invalid.  NULL is a no-op. */
void rproc_rpmsg_detach(struct rproc_rpmsg *bus);

/* The rpmsg device of vdev @index ("vdev<index>"), or NULL while it is
 * not up. */
struct rpmsg_device *rproc_rpmsg_device(struct rproc_rpmsg *bus,
					unsigned index);
/* Process pending doorbells now (polled use, benchmarks): receive
 * callbacks run in the caller.  Returns the messages delivered. */
int rproc_rpmsg_poll(struct rproc_rpmsg *bus);

/*
 * Polled mode, for a caller that calls rproc_rpmsg_poll() all the time
 * (busy polling).  While it is on, the host asks the remote for no
 * doorbell for what it sends (vring0 callbacks stay disabled, a lone
 * message included): a steady exchange then writes nothing to used_event
 * (or avail->flags), which the remote reads at each of its sends, and
 * takes no fence for it.  Doorbells that still come are served.  Keep
 * polling while it is on.  Turning it off runs a poll, which enables the
 * callbacks again once it finds vring0 empty (callbacks may run in the
 * caller), so the caller may then wait for doorbells.  Off after attach;
 * it lasts across restarts.  Returns 0 (on), the messages delivered
 * (off), or -EINVAL.
 */
int rproc_rpmsg_set_polled(struct rproc_rpmsg *bus, bool on);

/* Negotiated: buffer payload sizes per direction (buffer size minus the
 * 16-byte header): rpmsg_device_mtu() host -> remote (the most one can
 * send), rpmsg_device_rx_mtu() remote -> host; and the feature bits
 * (gfeatures).  Values of the last binding (also while down). */
size_t rpmsg_device_mtu(const struct rpmsg_device *rdev);
size_t rpmsg_device_rx_mtu(const struct rpmsg_device *rdev);
uint32_t rpmsg_device_features(const struct rpmsg_device *rdev);
/* The vdev index N of "vdev<N>". */
unsigned rpmsg_device_index(const struct rpmsg_device *rdev);

/* What the device saw since its last start. */
struct rpmsg_device_stats {
	uint64_t rx;	     /* messages given to receive callbacks */
	uint64_t tx;	     /* messages sent */
	uint32_t rx_bad_len; /* dropped: shorter than a header, or its len
				past the bytes the remote wrote */
	uint32_t rx_no_ept;  /* dropped: no endpoint at dst */
	uint32_t ns_bad;     /* name-service messages dropped */
	uint32_t rx_held;    /* receive buffers held now */
	int down_reason;     /* 0 while up, else as device_down */
	char vq_error[80];   /* what the remote did when -EPROTO, else "" */
};
void rpmsg_device_get_stats(const struct rpmsg_device *rdev,
			    struct rpmsg_device_stats *st);

/*
 * A message for @ept: @data/@len valid during the call only, unless the
 * callback holds the buffer (rpmsg_hold_rx_buffer()).  Returns 0.
 */
typedef int (*rpmsg_rx_cb)(struct rpmsg_endpoint *ept, void *data, size_t len,
			   uint32_t src, void *priv);
/* The endpoint's device went down (reason as device_down); the endpoint
 * stays allocated until rpmsg_destroy_ept(). */
typedef void (*rpmsg_unbind_cb)(struct rpmsg_endpoint *ept, int reason,
				void *priv);

/*
 * Create an endpoint at @src (RPMSG_ADDR_ANY: a free dynamic address) that
 * sends to @dst by default (RPMSG_ADDR_ANY: rpmsg_send() fails until one
 * is given with rpmsg_sendto()).  With a non-empty @name and the name
 * service negotiated, the endpoint is announced to the remote (create;
 * this waits for a transmit buffer like rpmsg_send()).  @cb NULL: messages
 * to it are dropped (counted as rx_no_ept).  An endpoint belongs to one
 * binding of the device: after the device went down it stays unbound
 * (sends -ENOTCONN) even when the device comes back; create a new one.
 * -EADDRINUSE (also 53 while the name service is negotiated), -ENOTCONN
 * device down, -ENAMETOOLONG name over 31 bytes, -EINVAL no @rdev/@out,
 * -EMSGSIZE the announcement does not fit a buffer, -ENOMEM.
 */
int rpmsg_create_ept(struct rpmsg_device *rdev, const char *name, uint32_t src,
		     uint32_t dst, rpmsg_rx_cb cb, rpmsg_unbind_cb unbind,
		     void *priv, struct rpmsg_endpoint **out);
/* Announce the destruction (if announced and the device is up; waiting
 * at most a second for a buffer), wait until no callback of the endpoint
 * runs, free it.  Not from the endpoint's own callbacks (receive, unbind);
 * from another endpoint's callback it is fine. */
void rpmsg_destroy_ept(struct rpmsg_endpoint *ept);

uint32_t rpmsg_ept_addr(const struct rpmsg_endpoint *ept);
uint32_t rpmsg_ept_dst(const struct rpmsg_endpoint *ept);

/*
 * Send a copy of @data.  rpmsg_send/sendto wait for a free buffer as long
 * as it takes (woken when the remote returns one: no polling);
 * rpmsg_trysend fails at once with -EAGAIN; rpmsg_send_timeout waits at
 * most @timeout_ms (-ETIMEDOUT; 0 is trysend, < 0 forever).  All:
 * -EMSGSIZE above the MTU, -ENOTCONN when the device is (or goes) down,
 * -EDESTADDRREQ without a destination, -EINVAL @data NULL with a @len.
 */
int rpmsg_send(struct rpmsg_endpoint *ept, const void *data, size_t len);
int rpmsg_sendto(struct rpmsg_endpoint *ept, uint32_t dst, const void *data,
		 size_t len);
int rpmsg_trysend(struct rpmsg_endpoint *ept, uint32_t dst, const void *data,
		  size_t len);
int rpmsg_send_timeout(struct rpmsg_endpoint *ept, uint32_t dst,
		       const void *data, size_t len, int timeout_ms);

/*
 * Zero copy.  TX: get a buffer (waiting at most @timeout_ms; < 0 forever),
 * fill up to *@size bytes, send it (ownership passes to the remote) or
 * give it back unused.  RX: inside the receive callback, hold @data; it
 * stays valid (and out of the ring) until released, from any thread.
 * -EINVAL for a pointer that is not such a buffer (or not held).  Once the
 * endpoint's device went down, send_nocopy fails with -ENOTCONN and both
 * releases only forget the buffer (0): the remote restarts with fresh
 * rings, and the memory may be reused by the next binding.
 */
void *rpmsg_get_tx_buffer(struct rpmsg_endpoint *ept, size_t *size,
			  int timeout_ms);
int rpmsg_send_nocopy(struct rpmsg_endpoint *ept, uint32_t dst, void *buf,
		      size_t len);
int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *buf);
int rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *data);
int rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *data);

#endif /* RPROC_RPMSG_H */
