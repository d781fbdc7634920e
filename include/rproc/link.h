/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link on the host: a lean message channel to a remote that is not
 * virtio (docs/link.md; binary ABI rproc/link_abi.h).  One
 * single-producer/single-consumer byte ring per direction in a carveout,
 * a doorbell word per direction, a session handshake through which each
 * side sees the other restart, and any number of named endpoints.
 *
 * The link is a subdevice of the remote.  At each prepare it finds the
 * first RSC_VENDOR_LINK entry of the installed table (none: the link stays
 * off for that run, no error) and the carveout it names, checks both, and
 * publishes a new host session.  The remote accepts it; the host accepts
 * the remote's session once the remote acknowledged the host's current one
 * (proof that it runs: a dead remote's words predate it), and the link is
 * up (event: up).  A remote that restarts or leaves changes its session or
 * its acknowledgement: the host sees it, unbinds, publishes a new session
 * and the handshake runs again (event: peer_reset, then up).  The state
 * machine is in docs/link.md.
 *
 * Endpoints belong to the link, not to one run: create them whenever you
 * like.  Each is announced by name when the link comes up (and at creation
 * while up) and bound when the remote has an endpoint of that name
 * (event: bound); sends need a bound endpoint.  When the link goes down or
 * the remote restarts, every bound endpoint gets its unbind callback with
 * the reason and binds again by name when the link is back.
 *
 * Reasons (unbind, down): -ESHUTDOWN the remote stopped, -EIO it crashed,
 * -EPROTO it broke the protocol (the link then stays down until the
 * remote's next start), -ECONNRESET it restarted (peer_reset; the link
 * comes back up by itself), -ENOENT (unbind only) the remote destroyed
 * its endpoint of that name.
 *
 * The remote is untrusted: every word read from the shared memory is read
 * once and checked (indices, record lengths and positions, endpoint ids,
 * control messages); a violation is -EPROTO, never an access outside the
 * carveout.  Malformed control messages and messages to endpoints that
 * no longer exist are dropped and counted (struct rproc_link_stats).
 *
 * Threads.  Receive callbacks and events run in the doorbell context:
 * the driver's thread that called rproc_notify() (the vsoc: the core's
 * emulation thread), or the caller of rproc_link_poll(); and, for a stop
 * or a protocol error found while sending, the lifecycle or the sending
 * thread.  All callbacks of one link are serialised: at most one runs at
 * a time, in the order of the events, and none runs with a lock of the
 * link held, so each may call any function of this header (but see
 * rproc_link_ept_destroy()).  They must not block for long; a blocking
 * send from a callback waits for the remote, which may wait for the
 * doorbell thread: use rproc_link_trysend() or a timeout there.  Every
 * other function may be called from any thread.
 */
#ifndef RPROC_LINK_H
#define RPROC_LINK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/error.h"
#include "rproc/link_abi.h"
#include "rproc/rproc.h"

/* Endpoint ids of one link: 1..RPROC_LINK_MAX_EPT (endpoints alive at
 * once: as many). */
#define RPROC_LINK_MAX_EPT 256u

struct rproc_link;     /* the link of one remote */
struct rproc_link_ept; /* a named endpoint on it */

/* Events of a link, all optional (context: see the top). */
struct rproc_link_ops {
	/* The handshake completed: both sessions accepted; our endpoints
	 * are being announced. */
	void (*up)(void *ctx, struct rproc_link *link);
	/* The link went down (reason: see the top; not -ECONNRESET, which
	 * is peer_reset).  Every bound endpoint got its unbind before.
	 * Only after an up. */
	void (*down)(void *ctx, struct rproc_link *link, int reason);
	/* The remote restarted (a new session) or left: every bound
	 * endpoint got its unbind (-ECONNRESET) before; up follows once the
	 * remote is back. */
	void (*peer_reset)(void *ctx, struct rproc_link *link);
	/* @ept got bound to the remote's endpoint of the same name. */
	void (*bound)(void *ctx, struct rproc_link_ept *ept);
};

/* Put a link on @rproc (OFFLINE or DETACHED, not yet started).  -EINVAL,
 * -EBUSY (the remote has a link already, or is not offline), -ENOMEM. */
int rproc_link_attach(struct rproc *rproc, const struct rproc_link_ops *ops,
		      void *ctx, struct rproc_link **out);
/* Take it off (OFFLINE / DETACHED / DELETED; while the remote is up it
 * only logs an error and does nothing).  Endpoints not destroyed yet are
 * freed: their pointers become invalid.  NULL is a no-op. */
void rproc_link_detach(struct rproc_link *link);

enum rproc_link_state {
	RPROC_LINK_OFF = 0, /* not prepared, stopped, or no link resource */
	RPROC_LINK_WAIT,    /* our session published, handshake not done */
	RPROC_LINK_UP,
	RPROC_LINK_ERROR, /* -EPROTO: until the remote's next start */
};

enum rproc_link_state rproc_link_state(struct rproc_link *link);

/* Process pending doorbells now (polled use, benchmarks): callbacks run
 * in the caller.  Returns the messages delivered. */
int rproc_link_poll(struct rproc_link *link);

/*
 * Polled mode, for a caller that calls rproc_link_poll() all the time
 * (busy polling).  While it is on, the host asks the remote for no
 * doorbells for what it sends, and tells the remote how far it read only
 * when the remote waits for room, or when a quarter of the ring has been
 * read since it last told it.  A steady exchange then writes nothing to
 * the host's consumer line, which the remote reads at each of its sends
 * (docs/link.md, "Polled mode").  The remote's doorbells for room (for
 * blocked senders) still come.  Its trysend may find the ring full while
 * the host has read up to a quarter of it without saying so.  Keep
 * polling while it is on: a remote waiting for room is seen at the next
 * poll.  Turning it off publishes what was read and arms the doorbell
 * before it returns (running a poll: callbacks may run in the caller),
 * so the caller may then wait for doorbells.  Off after attach.  Returns
 * 0 (on), the messages delivered (off), or -EINVAL.
 */
int rproc_link_set_polled(struct rproc_link *link, bool on);

/* The largest payload host -> remote and remote -> host, from the link
 * resource of the last prepare (0 before any). */
size_t rproc_link_mtu(struct rproc_link *link);
size_t rproc_link_rx_mtu(struct rproc_link *link);

/* What the link saw since it was attached (counters) and now (the rest). */
struct rproc_link_stats {
	uint64_t tx;	       /* messages sent (control messages too) */
	uint32_t rx;	       /* messages given to callbacks (wraps) */
	uint32_t rx_no_ept;    /* dropped: no endpoint (any more) at that id */
	uint32_t ctl_bad;      /* malformed control messages dropped */
	uint32_t kicks;	       /* doorbells rung (wraps) */
	uint32_t peer_resets;  /* restarts of the remote seen */
	uint32_t session;      /* ours, now */
	uint32_t peer_session; /* the remote's, accepted; 0 none */
	enum rproc_link_state state;
	int down_reason; /* of the last down, 0 if none */
	char error[96];	 /* what the remote did when -EPROTO, else "" */
};
void rproc_link_get_stats(struct rproc_link *link, struct rproc_link_stats *st);

/*
 * A message for @ept: @len bytes at @data, in the ring, valid during the
 * call only (the remote may not touch them meanwhile, but it is
 * untrusted: copy before you check).  Returns 0.
 */
typedef int (*rproc_link_rx_cb)(struct rproc_link_ept *ept, const void *data,
				size_t len, void *priv);
/* @ept lost its peer (reason: see the top).  It stays allocated, and binds
 * again by name when the remote announces its endpoint again. */
typedef void (*rproc_link_unbind_cb)(struct rproc_link_ept *ept, int reason,
				     void *priv);

/*
 * Create the endpoint @name (1..31 bytes, unique on the link) calling
 * @rx_cb (NULL: its messages are dropped, counted as rx_no_ept) and
 * @unbind (optional) with @priv.  Announced to the remote now if the link
 * is up (later if there is no room yet), else when it comes up.
 * -EINVAL (@link, @name or @out missing, empty name), -ENAMETOOLONG,
 * -EEXIST, -ENOSPC (RPROC_LINK_MAX_EPT alive), -ENOMEM.
 */
int rproc_link_ept_create(struct rproc_link *link, const char *name,
			  rproc_link_rx_cb rx_cb, rproc_link_unbind_cb unbind,
			  void *priv, struct rproc_link_ept **out);
/*
 * Tell the remote (if bound and up; waiting at most a second for room),
 * wait until no callback of the endpoint runs, free it.  Not from the
 * endpoint's own callbacks (receive, unbind, bound); from another
 * endpoint's, or from a link event, it is fine.  NULL is a no-op.
 */
void rproc_link_ept_destroy(struct rproc_link_ept *ept);

const char *rproc_link_ept_name(const struct rproc_link_ept *ept);
/* Bound to the remote's endpoint of the same name (a snapshot). */
bool rproc_link_ept_bound(struct rproc_link_ept *ept);
struct rproc_link *rproc_link_ept_link(const struct rproc_link_ept *ept);

/*
 * Send a copy of @len bytes at @data to @ept's peer.  rproc_link_send
 * waits for room as long as it takes (woken when the remote frees some:
 * no polling); rproc_link_trysend fails at once with -EAGAIN;
 * rproc_link_send_timeout waits at most @timeout_ms (-ETIMEDOUT; 0 is
 * trysend, < 0 forever).  All: -ENOTCONN when the link is not up or the
 * endpoint not bound, or either goes away while waiting (remote stopped,
 * crashed, restarted); -EMSGSIZE above rproc_link_mtu(); -EINVAL @data
 * NULL with a @len.
 */
int rproc_link_send(struct rproc_link_ept *ept, const void *data, size_t len);
int rproc_link_trysend(struct rproc_link_ept *ept, const void *data,
		       size_t len);
int rproc_link_send_timeout(struct rproc_link_ept *ept, const void *data,
			    size_t len, int timeout_ms);

#endif /* RPROC_LINK_H */
