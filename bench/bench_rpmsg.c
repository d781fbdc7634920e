/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messaging benchmarks: the host's rpmsg bus (src/rpmsg) against the
 * firmware library's rpmsg stack (firmware/lib), and the host link
 * (src/link) against the firmware's (firmware/lib/link.c), on a native
 * remote in polled mode (rproc/native.h), each figure against a baseline
 * measured in the same run, interleaved, several rounds (docs/native.md):
 *
 *   <t>.rt_16B_ns        16-byte echo round trip, host and remote polling
 *                        on two pinned CPUs (host: send, then poll until
 *                        the echo is in; remote: poll, echo each message),
 *                        median of each round's samples, vs a raw
 *                        cache-line ping-pong between the same two CPUs
 *                        (one line each way), measured right before in
 *                        the same round; ratio: the median of the rounds'
 *                        ratios (and _ratio_min/_max);
 *   <t>.rt_16B_p99_ns    the same, 99th percentile;
 *   <t>.rt_16B_index_floor_ns, rpmsg.rt_16B_vring_floor_ns
 *                        reference rows, no software: a 16-byte record
 *                        behind an index each way; and the split rings'
 *                        own accesses for a 16-byte echo (struct
 *                        vring_floor), the least any wire-compatible
 *                        rpmsg touches;
 *   <t>.oneway_16B_*     one-way throughput (host sends as fast as the
 *                        ring lets it, the remote only counts): msg/s and
 *                        MB/s of payload, vs a raw single-producer ring of
 *                        16-byte slots (release/acquire indices, the
 *                        consumer drains in batches) between the CPUs;
 *   <t>.oneway_496B_*    the same with 496-byte payloads (a full 512-byte
 *                        buffer), vs memcpy of 496 bytes on one CPU;
 *   <t>.insn_per_msg_16B instructions per 16-byte message, both ends on
 *                        one thread (--loop, run under callgrind by
 *                        scripts/bench), vs the goal (rpmsg 200, link
 *                        120).  A message is
 *                        the host's send (take a buffer, copy, post,
 *                        decide on and ring the kick), the remote's
 *                        receive (pop, check, call the endpoint, which
 *                        reads the payload) and the buffer's return (the
 *                        remote pushes it to the used ring; the host
 *                        reclaims it when it next needs one).  Sent in
 *                        bursts of 16, each drained by one remote poll;
 *                        _batch1: one at a time; _echo: the remote sends
 *                        each back and the host receives it (and re-posts
 *                        the buffer), per message = per round trip / 2.
 *
 * Usage:
 *   bench_rpmsg [--callgrind FILE]... [results.json]
 *   bench_rpmsg --loop <transport> <oneway|echo> <messages> <batch> [polled]
 *   bench_rpmsg --rt <transport> [rounds]
 * The first runs the cross-core figures and adds the instruction counts
 * of callgrind output files made by the second (run as
 *   valgrind --tool=callgrind --toggle-collect='bench_loop*' \
 *            --callgrind-out-file=FILE bench_rpmsg --loop rpmsg oneway 20000 16
 * the file's "cmd:" line says what was measured; "polled": in the
 * round trips' polled mode, set_polled()).  The third times round trips
 * only, in blocks (no clock read per trip), for comparing builds.
 *
 * Transports: struct xport_ops below, each gets every figure under its
 * name: "rpmsg.*" (the host bus, firmware/lib/rpmsg.c) and "link.*" (the
 * host link, include/rproc/link.h, against firmware/lib/link.c built into
 * this program: 64 KiB rings each way, so a 496-byte payload fits).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "rpfw/link.h"
#include "rpfw/rpmsg.h"
#include "rproc/link.h"
#include "rproc/native.h"
#include "rproc/os.h"
#include "rproc/rpmsg.h"
#include "rproc/table.h"

#define ROUNDS 7
#define RT_SAMPLES 20000
#define TPUT_16 300000 /* one-way messages per round */
#define TPUT_496 150000
#define RING_16 3000000	   /* raw ring messages per round */
#define MEMCPY_496 1000000 /* memcpy calls per round */
#define RING_SLOTS 128	   /* = the rpmsg rings' entries */
/* the goals: instructions per 16 B message (rpmsg; the link is
 * the lean alternative and must do better) */
#define INSN_GOAL 200
#define INSN_GOAL_LINK 120
#define SPIN_LIMIT_NS 10e9 /* a wedged peer fails the run */

/* ---- a transport under test ------------------------------------------------ */

struct xport;

/*
 * Everything the figures need from a transport, polled on both sides.
 * Hot-path calls: send (host), host_poll (host: count what arrived in
 * x->host_rx), remote_poll (remote: count in x->remote_rx, echo each back
 * when x->echo).  The remote side runs on the native remote's entry
 * (remote_open once per boot), on the remote's pinned thread, or on the
 * caller's thread in --loop mode.
 *
 * To add a transport: write the functions, fill a struct xport_ops, and
 * add it to transports[].  host_open runs with the remote polling the
 * transport (its thread in PH_SINK, or x->remote_inline: the host's
 * thread drives it), so a handshake can complete there.
 */
struct xport_ops {
	const char *name; /* the figures' prefix */
	bool vring_floor; /* its wire is virtio's: the split-ring floor too */
	/* the firmware's resource table */
	int (*table)(void *buf, size_t cap, size_t *len);
	/* host: before rproc_add (subdevices), after boot, at the end */
	int (*host_attach)(struct xport *x);
	int (*host_open)(struct xport *x);
	void (*host_close)(struct xport *x);
	void (*host_detach)(struct xport *x);
	/* remote: its set-up after each start, on the remote's thread */
	int (*remote_open)(struct xport *x);
	/* host: send @len bytes to the remote: 0 or -EAGAIN (no room) */
	int (*send)(struct xport *x, const void *data, size_t len);
	void (*host_poll)(struct xport *x);
	void (*remote_poll)(struct xport *x);
	/* host, between phases: busy-polling mode on or off for each side
	 * that has one (x->polled; a remote follows at its next poll); NULL:
	 * none */
	void (*set_polled)(struct xport *x, bool on);
};

struct xport {
	const struct xport_ops *ops;
	struct rproc_native *nr;
	struct rproc *rproc;
	void *host, *remote; /* the transport's state */
	bool polled;	     /* set_polled(): written between phases */
	/* host thread only, on a line of its own: the fields above are read
	 * by the remote's thread at each poll, and a counter the host bumps
	 * at each echo beside them would cost the remote a miss per message
	 * (the harness's, not the transport's) */
	alignas(64) uint64_t host_rx;
	/* remote thread only (published below for the host) */
	alignas(64) uint64_t remote_rx;
	uint64_t remote_sum; /* bytes looked at */
	uint64_t remote_err;
	bool echo;
	bool remote_inline; /* no remote thread: the host's thread drives it
			       (--loop), also during host_open */
};

/* ---- rpmsg ------------------------------------------------------------------ */

#define RPMSG_REMOTE_ADDR 1024

struct rpmsg_host {
	struct rproc_rpmsg *bus;
	struct rpmsg_endpoint *ept;
};

struct rpmsg_remote {
	struct rpfw_rpmsg rp;
	struct rpfw_rpmsg_ept *ept;
};

/* 256 buffers of 512 bytes (128 each way), as the peers were measured
 * (../shared/notes/benchmarking.md); event idx negotiated: kicks only
 * when the other side asked for one. */
static int rpmsg_x_table(void *buf, size_t cap, size_t *len)
{
	struct rproc_native_rpmsg_desc d;

	rproc_native_rpmsg_desc_init(&d);
	d.dfeatures =
		(1u << VIRTIO_RPMSG_F_NS) | (1u << VIRTIO_RING_F_EVENT_IDX);
	d.num = RING_SLOTS;
	d.pool_len = 2 * RING_SLOTS * 512;
	return rproc_native_rpmsg_table(buf, cap, &d, len);
}

static int rpmsg_x_host_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
			   uint32_t src, void *priv)
{
	struct xport *x = priv;

	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	x->host_rx++;
	return 0;
}

static int rpmsg_x_host_attach(struct xport *x)
{
	static const struct rpmsg_bus_ops no_events;
	struct rpmsg_host *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	x->host = h;
	return rproc_rpmsg_attach(x->rproc, &no_events, NULL, &h->bus);
}

static int rpmsg_x_host_open(struct xport *x)
{
	struct rpmsg_host *h = x->host;
	struct rpmsg_device *rdev = rproc_rpmsg_device(h->bus, 0);

	if (!rdev)
		return -ENODEV;
	return rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY, RPMSG_REMOTE_ADDR,
				rpmsg_x_host_rx, NULL, x, &h->ept);
}

static void rpmsg_x_host_close(struct xport *x)
{
	struct rpmsg_host *h = x->host;

	rpmsg_destroy_ept(h->ept);
	h->ept = NULL;
}

static void rpmsg_x_host_detach(struct xport *x)
{
	struct rpmsg_host *h = x->host;

	rproc_rpmsg_detach(h->bus);
	free(h);
	x->host = NULL;
}

static void rpmsg_x_remote_rx(struct rpfw_rpmsg_ept *ept, void *data,
			      uint32_t len, uint32_t src, void *priv)
{
	struct xport *x = priv;

	x->remote_rx++;
	x->remote_sum += *(const volatile uint8_t *)data;
	if (x->echo && rpfw_rpmsg_send(ept, src, data, len))
		x->remote_err++;
}

static int rpmsg_x_remote_open(struct xport *x)
{
	struct rpmsg_remote *r = x->remote;
	int ret;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		x->remote = r;
	}
	ret = rproc_native_rpmsg_init(x->nr, &r->rp, 0);
	if (ret)
		return ret;
	r->ept = rpfw_rpmsg_create_ept(&r->rp, NULL, RPMSG_REMOTE_ADDR,
				       rpmsg_x_remote_rx, x);
	if (!r->ept)
		return -ENOSPC;
	ret = rproc_native_rpmsg_wait_ready(x->nr, &r->rp);
	return ret == 1 ? 0 : ret < 0 ? ret : -EIO;
}

static int rpmsg_x_send(struct xport *x, const void *data, size_t len)
{
	return rpmsg_trysend(((struct rpmsg_host *)x->host)->ept,
			     RPMSG_REMOTE_ADDR, data, len);
}

static void rpmsg_x_host_poll(struct xport *x)
{
	rproc_rpmsg_poll(((struct rpmsg_host *)x->host)->bus);
}

static void rpmsg_x_remote_poll(struct xport *x)
{
	rpfw_rpmsg_poll(&((struct rpmsg_remote *)x->remote)->rp);
}

/* Busy polling on the host's side (rproc_rpmsg_set_polled(): no doorbell
 * asked for what the remote sends).  The firmware has no such mode: its
 * poll stores avail_event only when it changed already. */
static void rpmsg_x_set_polled(struct xport *x, bool on)
{
	rproc_rpmsg_set_polled(((struct rpmsg_host *)x->host)->bus, on);
	x->polled = on;
}

static const struct xport_ops rpmsg_xport = {
	.name = "rpmsg",
	.vring_floor = true,
	.set_polled = rpmsg_x_set_polled,
	.table = rpmsg_x_table,
	.host_attach = rpmsg_x_host_attach,
	.host_open = rpmsg_x_host_open,
	.host_close = rpmsg_x_host_close,
	.host_detach = rpmsg_x_host_detach,
	.remote_open = rpmsg_x_remote_open,
	.send = rpmsg_x_send,
	.host_poll = rpmsg_x_host_poll,
	.remote_poll = rpmsg_x_remote_poll,
};

/* ---- link (include/rproc/link.h, firmware/lib/link.c) ---------------------- */

/*
 * One byte ring per direction of LINK_RING bytes: the shared memory of
 * the rpmsg configuration above (128 buffers of 512 bytes each way), and
 * room for a 496-byte payload (the MTU is LINK_RING / 2 - 4 = 32764; the
 * link's default 4 KiB rings would allow 2044, and 1 KiB rings 508).
 * Doorbell words 1 (host -> remote) and 2: the native remote's bits.
 * Notification suppression is always on (event indices).
 */
#define LINK_RING (64u * 1024u)
#define LINK_KICK_ID 1u
#define LINK_NOTIFY_ID 2u
#define LINK_EPT "bench"

struct link_host {
	struct rproc_link *link;
	struct rproc_link_ept *ept;
};

struct link_remote {
	struct rpfw_link link; /* first: the event callback gets it */
	struct rpfw_link_ept *ept;
	struct xport *x;
	atomic_bool bound; /* the remote's endpoint (for host_open) */
	bool polled;	   /* what we told rpfw_link_set_polled() */
};

static int link_x_table(void *buf, size_t cap, size_t *len)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c;
	struct fw_rsc_link v;
	int ret;

	memset(&c, 0, sizeof(c));
	c.da = FW_RSC_ADDR_ANY;
	c.pa = FW_RSC_ADDR_ANY;
	c.len = LINK_SHM_SIZE(LINK_RING, LINK_RING);
	memcpy(c.name, "link0", sizeof("link0"));
	memset(&v, 0, sizeof(v));
	v.version = LINK_VERSION;
	v.notify_h2r = LINK_KICK_ID;
	v.notify_r2h = LINK_NOTIFY_ID;
	v.size_h2r = LINK_RING;
	v.size_r2h = LINK_RING;
	memcpy(v.carveout, "link0", sizeof("link0"));
	ret = rproc_table_builder_init(&b, buf, cap, 2);
	if (!ret)
		ret = rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c),
					      NULL);
	if (!ret)
		ret = rproc_table_builder_add(&b, RSC_VENDOR_LINK, &v,
					      sizeof(v), NULL);
	if (!ret)
		ret = rproc_table_builder_finish(&b, len);
	return ret;
}

static int link_x_host_rx(struct rproc_link_ept *ept, const void *data,
			  size_t len, void *priv)
{
	struct xport *x = priv;

	(void)ept;
	(void)data;
	(void)len;
	x->host_rx++;
	return 0;
}

static int link_x_host_attach(struct xport *x)
{
	static const struct rproc_link_ops no_events;
	struct link_host *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	x->host = h;
	return rproc_link_attach(x->rproc, &no_events, NULL, &h->link);
}

/* The endpoint, then the handshake and the binding, both sides polled:
 * the remote by its thread (setup() puts it in PH_SINK meanwhile) or
 * here (--loop: x->remote_inline).  Done when both ends are bound. */
static int link_x_host_open(struct xport *x)
{
	struct link_host *h = x->host;
	struct link_remote *r = x->remote;
	double t0 = bench_now_ns();
	int ret;

	ret = rproc_link_ept_create(h->link, LINK_EPT, link_x_host_rx, NULL, x,
				    &h->ept);
	if (ret)
		return ret;
	while (!rproc_link_ept_bound(h->ept) || !atomic_load(&r->bound)) {
		if (bench_now_ns() - t0 > SPIN_LIMIT_NS)
			return -ETIMEDOUT;
		rproc_link_poll(h->link);
		if (x->remote_inline)
			x->ops->remote_poll(x);
	}
	if (rproc_link_mtu(h->link) < 496)
		return -EMSGSIZE;
	return 0;
}

static void link_x_host_close(struct xport *x)
{
	struct link_host *h = x->host;

	rproc_link_ept_destroy(h->ept);
	h->ept = NULL;
}

static void link_x_host_detach(struct xport *x)
{
	struct link_host *h = x->host;

	rproc_link_detach(h->link);
	free(h);
	x->host = NULL;
}

/* An echo that finds no room leaves the message in the ring (delivered
 * again at the next poll): counted once, when it is done with. */
static int link_x_remote_rx(struct rpfw_link_ept *ept, void *data, uint32_t len,
			    void *priv)
{
	struct xport *x = priv;

	if (x->echo) {
		int ret = rpfw_link_send(ept, data, len);

		if (ret == RPFW_EAGAIN)
			return RPFW_EAGAIN;
		if (ret)
			x->remote_err++;
	}
	x->remote_rx++;
	x->remote_sum += *(const volatile uint8_t *)data;
	return 0;
}

static void link_x_remote_event(struct rpfw_link *link, int ev,
				struct rpfw_link_ept *ept)
{
	struct link_remote *r = (struct link_remote *)(void *)link;

	if (ev == RPFW_LINK_EV_BOUND && ept == r->ept)
		atomic_store(&r->bound, true);
	else if (ev == RPFW_LINK_EV_RESET ||
		 (ev == RPFW_LINK_EV_UNBOUND && ept == r->ept))
		atomic_store(&r->bound, false);
}

/* What a firmware does at boot: the link from its table (the vendor
 * entry, the carveout it names), its endpoint.  The handshake runs in
 * the polls that follow. */
static int link_x_remote_open(struct xport *x)
{
	struct link_remote *r = x->remote;
	const struct fw_rsc_link *v;
	void *shm;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		x->remote = r;
	}
	atomic_store(&r->bound, false);
	r->x = x;
	v = rproc_native_rsc(x->nr, RSC_VENDOR_LINK, "", NULL);
	if (!v)
		return -ENOENT;
	shm = rproc_native_rsc(x->nr, RSC_CARVEOUT, (const char *)v->carveout,
			       NULL);
	if (!shm)
		return -ENOENT;
	if (rpfw_link_init(&r->link, v, shm, x->nr))
		return -EINVAL;
	r->link.event = link_x_remote_event;
	r->polled = false; /* rpfw_link_init() turned it off */
	r->ept = rpfw_link_create_ept(&r->link, LINK_EPT, link_x_remote_rx, x);
	return r->ept ? 0 : -ENOSPC;
}

static int link_x_send(struct xport *x, const void *data, size_t len)
{
	return rproc_link_trysend(((struct link_host *)x->host)->ept, data,
				  len);
}

static void link_x_host_poll(struct xport *x)
{
	rproc_link_poll(((struct link_host *)x->host)->link);
}

static void link_x_remote_poll(struct xport *x)
{
	struct link_remote *r = x->remote;

	if (r->polled != x->polled) {
		r->polled = x->polled;
		rpfw_link_set_polled(&r->link, r->polled);
	}
	rpfw_link_poll(&r->link);
}

/* Busy polling on both sides (rproc_link_set_polled(),
 * rpfw_link_set_polled()): no doorbells asked for, tails published
 * lazily. */
static void link_x_set_polled(struct xport *x, bool on)
{
	rproc_link_set_polled(((struct link_host *)x->host)->link, on);
	x->polled = on;
}

static const struct xport_ops link_xport = {
	.name = "link",
	.table = link_x_table,
	.host_attach = link_x_host_attach,
	.host_open = link_x_host_open,
	.host_close = link_x_host_close,
	.host_detach = link_x_host_detach,
	.remote_open = link_x_remote_open,
	.send = link_x_send,
	.host_poll = link_x_host_poll,
	.remote_poll = link_x_remote_poll,
	.set_polled = link_x_set_polled,
};

static const struct xport_ops *const transports[] = {
	&rpmsg_xport,
	&link_xport,
};

/* ---- the run: a polled native remote, the remote's thread, phases ---------- */

enum phase {
	PH_START, /* the remote is setting up */
	PH_IDLE,
	PH_PINGPONG,  /* raw cache-line ping-pong */
	PH_PINGPONG2, /* ping-pong of 16-byte records behind an index */
	PH_VFLOOR,    /* the split rings' accesses of an echo, no software */
	PH_RING,      /* raw 16-byte ring, consumer */
	PH_ECHO,      /* transport: receive and echo */
	PH_SINK,      /* transport: receive and count */
	PH_FAILED,    /* remote_open failed */
};

struct raw_ring {
	alignas(64) atomic_uint head; /* producer (host) */
	alignas(64) atomic_uint tail; /* consumer (remote) */
	alignas(64) uint8_t slot[RING_SLOTS][16];
};

/*
 * The virtio split-ring floor: what any rpmsg wire-compatible with Linux
 * and OpenAMP must touch for a polled 16-byte echo, with nothing else
 * around it (no checks, no endpoints, no notification decisions).  Two
 * rings of RING_SLOTS entries like the real ones, pinned buffers used in
 * turn, descriptors written once at set-up.  Host -> remote: the buffer
 * (header + payload), the avail entry, avail->idx; the remote reads them
 * back in that chain (idx, entry, descriptor, buffer) and returns the
 * buffer on the used ring.  Remote -> host: a host receive buffer from the
 * other ring's avail entry and descriptor, the echo written into it, the
 * used entry, used->idx; the host reads idx, entry, buffer, and posts the
 * buffer again.  While each side waits it prefetches the lines of the
 * message it expects (the next ring entry, the buffer it guesses), as the
 * stacks' polls do: a wait for idx then costs about one line's transfer,
 * not a chain of them.
 */
struct vring_floor {
	alignas(4096) struct vring_desc desc[2][RING_SLOTS];
	alignas(64) struct {
		uint16_t flags, idx, ring[RING_SLOTS];
	} avail[2];
	alignas(64) struct {
		alignas(64) uint16_t flags, idx;
		struct vring_used_elem ring[RING_SLOTS];
	} used[2];
	alignas(64) uint8_t buf[2][RING_SLOTS][64];
	/* each side's private positions */
	alignas(64) uint16_t h_avail[2], h_used[2];
	alignas(64) uint16_t r_avail[2], r_used[2];
};

struct bench {
	char dir[64];
	struct xport x;
	struct rproc_native *nr;
	pthread_t remote_thread;
	int cpu[2]; /* host, remote; -1: not pinned */
	/* host -> remote: what to do; remote -> host: doing it */
	alignas(64) atomic_int phase;
	alignas(64) atomic_int ack;
	alignas(64) atomic_uint_fast64_t remote_seen; /* x.remote_rx */
	alignas(64) atomic_uint_fast64_t ping;
	alignas(64) atomic_uint_fast64_t pong;
	/* PH_PINGPONG2: a record line and an index line each way */
	alignas(64) uint64_t rec_h2r[2];
	alignas(64) atomic_uint_fast64_t idx_h2r;
	alignas(64) uint64_t rec_r2h[2];
	alignas(64) atomic_uint_fast64_t idx_r2h;
	struct raw_ring ring;
	uint64_t ring_sum;
	struct vring_floor vf;
	uint64_t vf_seq;
};

static volatile uint64_t b_sink; /* what must not be optimised away */

static void fail(const char *what, int err)
{
	fprintf(stderr, "bench_rpmsg: %s: %s\n", what, rproc_strerror(err));
	exit(1);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* A spin that gives up (and fails the run) after SPIN_LIMIT_NS: the
 * clock is read every 2^16 turns only. */
#define SPIN_UNTIL(cond, what)                                                 \
	do {                                                                   \
		double t0_ = 0;                                                \
		for (uint32_t n_ = 1; !(cond); n_++)                           \
			if (!(n_ & 0xFFFF)) {                                  \
				double now_ = bench_now_ns();                  \
				if (!t0_)                                      \
					t0_ = now_;                            \
				else if (now_ - t0_ > SPIN_LIMIT_NS)           \
					fail(what, -ETIMEDOUT);                \
			}                                                      \
	} while (0)

static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The first two CPUs we may run on. */
static int pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int n = 0;

	cpu[0] = cpu[1] = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	return n;
}

/* ---- the remote's side ------------------------------------------------------ */

static void raw_pong(struct bench *b)
{
	/* what it answered last, not what the host sent: the host may send
	 * as soon as it sees the phase acknowledged, before this reads */
	uint64_t seen = atomic_load_explicit(&b->pong, memory_order_relaxed);

	while (atomic_load_explicit(&b->phase, memory_order_relaxed) ==
	       PH_PINGPONG) {
		uint64_t v =
			atomic_load_explicit(&b->ping, memory_order_acquire);

		if (v != seen) {
			seen = v;
			atomic_store_explicit(&b->pong, v,
					      memory_order_release);
		}
	}
}

/* The floor of any ring whose index is not in the record's line: wait
 * for the index, read the 16-byte record it publishes, write one back,
 * publish its index (two lines each way, the second load depending on
 * the first). */
static void raw_pong2(struct bench *b)
{
	uint64_t seen = atomic_load_explicit(&b->idx_r2h, memory_order_relaxed);

	while (atomic_load_explicit(&b->phase, memory_order_relaxed) ==
	       PH_PINGPONG2) {
		uint64_t v =
			atomic_load_explicit(&b->idx_h2r, memory_order_acquire);

		if (v != seen) {
			seen = v;
			b->rec_r2h[0] = b->rec_h2r[0];
			b->rec_r2h[1] = b->rec_h2r[1];
			atomic_store_explicit(&b->idx_r2h, v,
					      memory_order_release);
		}
	}
}

/* Ring 1 (host -> remote) and ring 0 (remote -> host), set up with every
 * descriptor pinned and ring 0's buffers all posted. */
static void vfloor_init(struct vring_floor *v)
{
	memset(v, 0, sizeof(*v));
	for (int r = 0; r < 2; r++)
		for (unsigned i = 0; i < RING_SLOTS; i++) {
			v->desc[r][i].addr = (uint64_t)(uintptr_t)v->buf[r][i];
			v->desc[r][i].len = r ? 32 : 64;
		}
	for (unsigned i = 0; i < RING_SLOTS; i++)
		v->avail[0].ring[i] = (uint16_t)i;
	atomic_store_explicit((_Atomic uint16_t *)&v->avail[0].idx, RING_SLOTS,
			      memory_order_release);
	v->h_avail[0] = RING_SLOTS;
}

static inline uint16_t ld16_acq(uint16_t *p)
{
	return atomic_load_explicit((_Atomic uint16_t *)p,
				    memory_order_acquire);
}

static inline void st16_rel(uint16_t *p, uint16_t v)
{
	atomic_store_explicit((_Atomic uint16_t *)p, v, memory_order_release);
}

static void raw_vfloor(struct bench *b)
{
	struct vring_floor *v = &b->vf;
	uint16_t seen = v->r_avail[1], avail0 = ld16_acq(&v->avail[0].idx);
	uint16_t last = (uint16_t)(seen - 1u) % RING_SLOTS;

	while (atomic_load_explicit(&b->phase, memory_order_relaxed) ==
	       PH_VFLOOR) {
		uint16_t idx = ld16_acq(&v->avail[1].idx), id, id0;
		const uint8_t *in;
		uint8_t *out;

		if (idx == seen) {
			/* idle: the next entry's line and the next buffer's
			 * (the one after the last: buffers come in turn) on
			 * their way, as the stack's poll does */
			__builtin_prefetch(
				&v->avail[1].ring[v->r_avail[1] % RING_SLOTS]);
			__builtin_prefetch(
				(const void *)(uintptr_t)v
					->desc[1][(last + 1) % RING_SLOTS]
					.addr);
			continue;
		}
		seen = idx;
		/* the host's message: entry, descriptor, buffer */
		id = v->avail[1].ring[v->r_avail[1]++ % RING_SLOTS];
		last = id;
		in = (const uint8_t *)(uintptr_t)v->desc[1][id].addr;
		/* a host receive buffer (avail->idx read again only when
		 * the ones seen are used up) */
		if (v->r_avail[0] == avail0)
			avail0 = ld16_acq(&v->avail[0].idx);
		id0 = v->avail[0].ring[v->r_avail[0]++ % RING_SLOTS];
		out = (uint8_t *)(uintptr_t)v->desc[0][id0].addr;
		memcpy(out, in, 32);
		v->used[0].ring[v->r_used[0] % RING_SLOTS] =
			(struct vring_used_elem){id0, 32};
		st16_rel(&v->used[0].idx, ++v->r_used[0]);
		/* the message's buffer back */
		v->used[1].ring[v->r_used[1] % RING_SLOTS] =
			(struct vring_used_elem){id, 0};
		st16_rel(&v->used[1].idx, ++v->r_used[1]);
	}
}

static void raw_ring_consume(struct bench *b)
{
	struct raw_ring *r = &b->ring;
	unsigned tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint8_t msg[16];

	while (atomic_load_explicit(&b->phase, memory_order_relaxed) ==
	       PH_RING) {
		unsigned head =
			atomic_load_explicit(&r->head, memory_order_acquire);

		if (head == tail)
			continue;
		/* drain the batch, then one release of the index */
		for (; tail != head; tail++) {
			memcpy(msg, r->slot[tail % RING_SLOTS], sizeof(msg));
			b->ring_sum += msg[0];
		}
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
}

/* The firmware: set the transport up, then do what the phase says. */
static int bench_fw(struct rproc_native *nr, void *arg)
{
	struct bench *b = arg;
	struct xport *x = &b->x;
	uint64_t seen = x->remote_rx;
	int ret = x->ops->remote_open(x);

	if (ret) {
		fprintf(stderr, "bench_rpmsg: remote set-up: %s\n",
			rproc_strerror(ret));
		atomic_store(&b->ack, PH_FAILED);
		while (!rproc_native_stopping(nr))
			usleep(1000);
		return 0;
	}
	while (!rproc_native_stopping(nr)) {
		int ph = atomic_load_explicit(&b->phase, memory_order_acquire);

		if (atomic_load_explicit(&b->ack, memory_order_relaxed) != ph)
			atomic_store_explicit(&b->ack, ph,
					      memory_order_release);
		switch (ph) {
		case PH_PINGPONG:
			raw_pong(b);
			break;
		case PH_PINGPONG2:
			raw_pong2(b);
			break;
		case PH_VFLOOR:
			raw_vfloor(b);
			break;
		case PH_RING:
			raw_ring_consume(b);
			break;
		case PH_ECHO:
		case PH_SINK:
			x->echo = ph == PH_ECHO;
			x->ops->remote_poll(x);
			/* the host reads it at the end of a run only */
			if (x->remote_rx != seen) {
				seen = x->remote_rx;
				atomic_store_explicit(&b->remote_seen, seen,
						      memory_order_release);
			}
			break;
		default:
			cpu_relax();
		}
	}
	return 0;
}

static void *remote_main(void *arg)
{
	struct bench *b = arg;
	int ret = pin(b->cpu[1]);

	if (ret)
		fail("pinning the remote thread", ret);
	ret = rproc_native_run(b->nr);
	if (ret)
		fail("the remote's entry", ret);
	return NULL;
}

/* ---- set-up ------------------------------------------------------------------ */

static struct rproc_native_entry bench_entry = {"bench", bench_fw, NULL};

static void phase(struct bench *b, enum phase ph);

/* A polled native remote running the transport's firmware image,
 * booted, the host side open.  @thread: the remote side runs on its own
 * pinned thread (else the caller drives it). */
static void setup(struct bench *b, const struct xport_ops *ops, bool thread)
{
	struct rproc_native_config cfg;
	uint8_t table[1024];
	size_t tlen;
	int ret;

	strcpy(b->dir, "/tmp/rproc-bench-XXXXXX");
	if (!mkdtemp(b->dir))
		fail("mkdtemp", -errno);
	if ((ret = rproc_os_fw_set_search_path(b->dir)) ||
	    (ret = ops->table(table, sizeof(table), &tlen)) ||
	    (ret = rproc_native_image_write(b->dir, "bench.fw", "bench", table,
					    tlen)))
		fail("firmware image", ret);
	bench_entry.arg = b;
	rproc_native_config_init(&cfg);
	cfg.name = ops->name;
	cfg.firmware = "bench.fw";
	cfg.polled = true;
	cfg.entries = &bench_entry;
	cfg.nentries = 1;
	if ((ret = rproc_native_create(&cfg, &b->nr)))
		fail("rproc_native_create", ret);
	b->x.ops = ops;
	b->x.nr = b->nr;
	b->x.rproc = rproc_native_rproc(b->nr);
	rproc_set_coredump(b->x.rproc, RPROC_DUMP_DISABLED);
	if ((ret = ops->host_attach(&b->x)) || (ret = rproc_add(b->x.rproc)) ||
	    (ret = rproc_boot(b->x.rproc)))
		fail("boot", ret);
	vfloor_init(&b->vf);
	atomic_store(&b->phase, PH_IDLE);
	if (thread) {
		if ((ret = -pthread_create(&b->remote_thread, NULL, remote_main,
					   b)))
			fail("pthread_create", ret);
		SPIN_UNTIL(atomic_load(&b->ack) == PH_IDLE ||
				   atomic_load(&b->ack) == PH_FAILED,
			   "the remote's set-up");
		if (atomic_load(&b->ack) == PH_FAILED)
			exit(1);
	} else if ((ret = ops->remote_open(&b->x))) {
		fail("the remote's set-up", ret);
	}
	b->x.remote_inline = !thread;
	/* the remote polls meanwhile (a handshake to complete: link) */
	if (thread)
		phase(b, PH_SINK);
	if ((ret = ops->host_open(&b->x)))
		fail("the host's set-up", ret);
	if (thread)
		phase(b, PH_IDLE);
}

static void teardown(struct bench *b, bool thread)
{
	char path[128];

	b->x.ops->host_close(&b->x);
	/* the stop op waits for the entry, which sees it stopping */
	rproc_shutdown(b->x.rproc);
	if (thread)
		pthread_join(b->remote_thread, NULL);
	rproc_del(b->x.rproc);
	b->x.ops->host_detach(&b->x);
	rproc_native_destroy(b->nr);
	free(b->x.remote);
	snprintf(path, sizeof(path), "%s/bench.fw", b->dir);
	unlink(path);
	rmdir(b->dir);
}

/* Switch the remote to @ph and wait until it is there. */
static void phase(struct bench *b, enum phase ph)
{
	atomic_store(&b->phase, ph);
	SPIN_UNTIL(atomic_load(&b->ack) == (int)ph, "phase change");
}

/* ---- the host's measurements ----------------------------------------------- */

static double percentile(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

struct rt {
	double median, p99;
};

/* raw_pong2()'s host side: a 16-byte record and its index, and back. */
static double pingpong2(struct bench *b, double *s, size_t n)
{
	uint64_t v = atomic_load(&b->idx_h2r);

	phase(b, PH_PINGPONG2);
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();

		b->rec_h2r[0] = ++v;
		b->rec_h2r[1] = ~v;
		atomic_store_explicit(&b->idx_h2r, v, memory_order_release);
		SPIN_UNTIL(atomic_load_explicit(&b->idx_r2h,
						memory_order_acquire) == v,
			   "index ping-pong");
		if (b->rec_r2h[0] != v || b->rec_r2h[1] != ~v)
			fail("index ping-pong: the record came back wrong",
			     -EIO);
		s[i] = bench_now_ns() - t0;
	}
	phase(b, PH_IDLE);
	return bench_median(s, n);
}

/* One echo through the floor's rings (raw_vfloor()'s host side); the
 * host takes its sent buffers back a ring at a time. */
static inline void vfloor_once(struct vring_floor *v, uint64_t seq)
{
	uint16_t id = v->h_avail[1] % RING_SLOTS, got = v->h_used[0];
	const uint8_t *in;
	uint64_t hdr[2] = {seq, 16}, echo;

	memcpy(v->buf[1][id], hdr, sizeof(hdr));
	memcpy(v->buf[1][id] + 16, hdr, sizeof(hdr));
	v->avail[1].ring[v->h_avail[1] % RING_SLOTS] = id;
	st16_rel(&v->avail[1].idx, ++v->h_avail[1]);
	/* idle: the used entry's line and the buffer posted at that position
	 * on their way, as the stack's poll does */
	SPIN_UNTIL((__builtin_prefetch(
			    v->buf[0][v->avail[0].ring[got % RING_SLOTS]]),
		    __builtin_prefetch(&v->used[0].ring[got % RING_SLOTS]),
		    ld16_acq(&v->used[0].idx) != got),
		   "virtio floor");
	id = (uint16_t)v->used[0].ring[got % RING_SLOTS].id;
	in = (const uint8_t *)(uintptr_t)v->desc[0][id].addr;
	memcpy(&echo, in + 16, sizeof(echo));
	if (echo != seq)
		fail("virtio floor: the echo came back wrong", -EIO);
	v->h_used[0]++;
	v->avail[0].ring[v->h_avail[0] % RING_SLOTS] = id;
	st16_rel(&v->avail[0].idx, ++v->h_avail[0]);
	if (!(v->h_avail[1] % RING_SLOTS)) {
		/* a ring's worth sent: all back (read them, as a reclaim) */
		SPIN_UNTIL(ld16_acq(&v->used[1].idx) == v->h_avail[1],
			   "virtio floor reclaim");
		for (unsigned i = 0; i < RING_SLOTS; i++)
			echo += v->used[1].ring[i].id;
		v->h_used[1] = v->h_avail[1];
		b_sink = echo;
	}
}

static double vfloor(struct bench *b, double *s, size_t n)
{
	phase(b, PH_VFLOOR);
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();

		vfloor_once(&b->vf, b->vf_seq++);
		s[i] = bench_now_ns() - t0;
	}
	phase(b, PH_IDLE);
	return bench_median(s, n);
}

static struct rt pingpong(struct bench *b, double *s, size_t n)
{
	uint64_t v = atomic_load(&b->ping);
	struct rt r;

	phase(b, PH_PINGPONG);
	for (size_t i = 0; i < n; i++) {
		double t0 = bench_now_ns();

		atomic_store_explicit(&b->ping, ++v, memory_order_release);
		SPIN_UNTIL(atomic_load_explicit(&b->pong,
						memory_order_acquire) == v,
			   "ping-pong");
		s[i] = bench_now_ns() - t0;
	}
	phase(b, PH_IDLE);
	r.p99 = percentile(s, n, 0.99);
	r.median = bench_median(s, n);
	return r;
}

static struct rt round_trips(struct bench *b, double *s, size_t n)
{
	static const uint8_t msg[16] = "0123456789abcde";
	struct xport *x = &b->x;
	struct rt r;

	phase(b, PH_ECHO);
	for (size_t i = 0; i < n; i++) {
		uint64_t want = x->host_rx + 1;
		double t0 = bench_now_ns();

		SPIN_UNTIL(!x->ops->send(x, msg, sizeof(msg)), "send");
		SPIN_UNTIL((x->ops->host_poll(x), x->host_rx == want), "echo");
		s[i] = bench_now_ns() - t0;
	}
	phase(b, PH_IDLE);
	r.p99 = percentile(s, n, 0.99);
	r.median = bench_median(s, n);
	return r;
}

/*
 * Throughputs are timed in CHUNKS pieces on the sending side and the
 * median piece is the round's figure: a preemption (the machine is
 * shared) spoils one piece, not the round.  The sender runs at most a
 * ring ahead of the receiver, so a piece of thousands of messages is
 * timed to a fraction of a percent.
 */
#define CHUNKS 10

/* Raw ring: messages per second. */
static double ring_tput(struct bench *b, uint64_t n)
{
	static const uint8_t msg[16] = "0123456789abcde";
	struct raw_ring *r = &b->ring;
	unsigned head = atomic_load(&r->head);
	unsigned tail = atomic_load(&r->tail);
	uint64_t piece = n / CHUNKS;
	double rate[CHUNKS];

	phase(b, PH_RING);
	for (int c = 0; c < CHUNKS; c++) {
		unsigned end = head + (unsigned)piece;
		double t0 = bench_now_ns();

		while (head != end) {
			if (head - tail == RING_SLOTS) {
				SPIN_UNTIL((tail = atomic_load_explicit(
						    &r->tail,
						    memory_order_acquire)) !=
						   head - RING_SLOTS,
					   "raw ring");
			}
			memcpy(r->slot[head % RING_SLOTS], msg, sizeof(msg));
			atomic_store_explicit(&r->head, ++head,
					      memory_order_release);
		}
		rate[c] = (double)piece / ((bench_now_ns() - t0) / 1e9);
	}
	SPIN_UNTIL(atomic_load_explicit(&r->tail, memory_order_acquire) == head,
		   "raw ring drain");
	phase(b, PH_IDLE);
	return bench_median(rate, CHUNKS);
}

/* Transport one-way: messages per second of @len bytes. */
static double oneway_tput(struct bench *b, size_t len, uint64_t n)
{
	static uint8_t msg[496];
	struct xport *x = &b->x;
	uint64_t piece = n / CHUNKS;
	uint64_t end = atomic_load(&b->remote_seen) + piece * CHUNKS;
	double rate[CHUNKS];

	memset(msg, 0x3c, sizeof(msg));
	phase(b, PH_SINK);
	for (int c = 0; c < CHUNKS; c++) {
		double t0 = bench_now_ns();

		for (uint64_t i = 0; i < piece; i++)
			SPIN_UNTIL(!x->ops->send(x, msg, len), "send");
		rate[c] = (double)piece / ((bench_now_ns() - t0) / 1e9);
	}
	SPIN_UNTIL(atomic_load_explicit(&b->remote_seen,
					memory_order_acquire) == end,
		   "one-way drain");
	phase(b, PH_IDLE);
	return bench_median(rate, CHUNKS);
}

/* memcpy of 496 bytes into a pool of 128 buffers: copies per second. */
static double memcpy_rate(uint64_t n)
{
	static uint8_t pool[RING_SLOTS][512], src[496];
	uint64_t piece = n / CHUNKS;
	double rate[CHUNKS];

	for (int c = 0; c < CHUNKS; c++) {
		double t0 = bench_now_ns();

		for (uint64_t i = 0; i < piece; i++) {
			memcpy(pool[i % RING_SLOTS], src, sizeof(src));
			__asm__ volatile("" : : "r"(pool) : "memory");
		}
		rate[c] = (double)piece / ((bench_now_ns() - t0) / 1e9);
	}
	return bench_median(rate, CHUNKS);
}

/* ---- figures ------------------------------------------------------------------ */

#define MAX_RESULTS 32

struct report {
	struct bench_result res[MAX_RESULTS];
	char names[MAX_RESULTS][64];
	char rows[MAX_RESULTS][4][64]; /* the printed table */
	size_t n, nrows;
	char prefix[8][32];
	const char *own[8];
	size_t nown;
};

static void add(struct report *rp, const char *prefix, const char *name,
		double value, const char *unit, double baseline, double ratio)
{
	struct bench_result *r = &rp->res[rp->n];

	snprintf(rp->names[rp->n], sizeof(rp->names[0]), "%s.%s", prefix, name);
	*r = (struct bench_result){rp->names[rp->n], value, unit, baseline,
				   ratio};
	rp->n++;
}

static void row(struct report *rp, const char *figure, const char *result,
		const char *baseline, const char *ratio)
{
	char(*r)[64] = rp->rows[rp->nrows++];

	snprintf(r[0], 64, "%s", figure);
	snprintf(r[1], 64, "%s", result);
	snprintf(r[2], 64, "%s", baseline);
	snprintf(r[3], 64, "%s", ratio);
}

/* Median of @v (sorted in place), its min and max. */
struct stat3 {
	double med, lo, hi;
};

static struct stat3 stat3(double *v, size_t n)
{
	struct stat3 s;

	s.med = bench_median(v, n);
	s.lo = v[0];
	s.hi = v[n - 1];
	return s;
}

/* The transport's busy-polling mode (between phases), if it has one. */
static void set_polled(struct bench *b, bool on)
{
	if (b->x.ops->set_polled)
		b->x.ops->set_polled(&b->x, on);
}

/* A time figure of the rounds @v (ns) with their ratios @r to the
 * ping-pong (median @base, described by @bl): results.json entry @name
 * and a table row. */
static void ns_row(struct report *rp, const char *p, const char *name,
		   const char *label, double *v, double *r, double base,
		   const char *bl)
{
	struct stat3 s = stat3(v, ROUNDS), ratio = stat3(r, ROUNDS);
	char f[64], vs[64], rs[64];

	add(rp, p, name, s.med, "ns", base, ratio.med);
	snprintf(f, sizeof(f), "%s %s", p, label);
	snprintf(vs, sizeof(vs), "%.0f ns (%.0f-%.0f)", s.med, s.lo, s.hi);
	snprintf(rs, sizeof(rs), "%.2fx (%.2f-%.2f)", ratio.med, ratio.lo,
		 ratio.hi);
	row(rp, f, vs, bl, rs);
}

static void cross_core(struct report *rp, const struct xport_ops *ops,
		       int cpu[2])
{
	static double samples[RT_SAMPLES];
	double rt[ROUNDS], raw[ROUNDS], rt99[ROUNDS], raw99[ROUNDS];
	double rtr[ROUNDS], rtr99[ROUNDS], idx[ROUNDS], idxr[ROUNDS];
	double vfl[ROUNDS], vflr[ROUNDS], arm[ROUNDS], armr[ROUNDS];
	double t16[ROUNDS], ring[ROUNDS], r16[ROUNDS];
	double t496[ROUNDS], mc[ROUNDS], r496[ROUNDS];
	struct stat3 s, base, ratio;
	struct bench *b = calloc(1, sizeof(*b));
	const char *p = ops->name;
	char f[64], v[64], bl[64], r[64];

	if (!b)
		fail("calloc", -ENOMEM);
	b->cpu[0] = cpu[0];
	b->cpu[1] = cpu[1];
	setup(b, ops, true);
	/* busy polling on both sides, as measured here (the figures with
	 * doorbells armed: the "armed" row) */
	set_polled(b, true);
	/* warm-up: every phase once, not recorded */
	pingpong(b, samples, RT_SAMPLES / 10);
	pingpong2(b, samples, RT_SAMPLES / 10);
	vfloor(b, samples, RT_SAMPLES / 10);
	round_trips(b, samples, RT_SAMPLES / 10);
	ring_tput(b, RING_16 / 10);
	oneway_tput(b, 16, TPUT_16 / 10);
	oneway_tput(b, 496, TPUT_496 / 10);
	memcpy_rate(MEMCPY_496 / 10);
	for (int i = 0; i < ROUNDS; i++) {
		struct rt a = pingpong(b, samples, RT_SAMPLES);
		struct rt c = round_trips(b, samples, RT_SAMPLES);

		raw[i] = a.median;
		raw99[i] = a.p99;
		rt[i] = c.median;
		rt99[i] = c.p99;
		rtr[i] = c.median / a.median;
		rtr99[i] = c.p99 / a.p99;
		idx[i] = pingpong2(b, samples, RT_SAMPLES);
		idxr[i] = idx[i] / a.median;
		vfl[i] = vfloor(b, samples, RT_SAMPLES);
		vflr[i] = vfl[i] / a.median;
		if (ops->set_polled) {
			set_polled(b, false);
			arm[i] = round_trips(b, samples, RT_SAMPLES).median;
			armr[i] = arm[i] / a.median;
			set_polled(b, true);
		}
		ring[i] = ring_tput(b, RING_16);
		t16[i] = oneway_tput(b, 16, TPUT_16);
		r16[i] = t16[i] / ring[i];
		mc[i] = memcpy_rate(MEMCPY_496);
		t496[i] = oneway_tput(b, 496, TPUT_496);
		r496[i] = t496[i] / mc[i];
	}
	if (b->x.remote_err)
		fail("the remote could not echo", -EIO);
	teardown(b, true);
	free(b);

	base = stat3(raw, ROUNDS);
	ratio = stat3(rtr, ROUNDS);
	snprintf(bl, 64, "ping-pong %.0f ns (%.0f-%.0f)", base.med, base.lo,
		 base.hi);
	ns_row(rp, p, "rt_16B_ns", "round trip 16 B", rt, rtr, base.med, bl);
	add(rp, p, "rt_16B_ratio_min", ratio.lo, "x", 1, ratio.lo);
	add(rp, p, "rt_16B_ratio_max", ratio.hi, "x", 1, ratio.hi);
	ns_row(rp, p, "rt_16B_index_floor_ns", "index-ring floor (ref.)", idx,
	       idxr, base.med, bl);
	if (ops->set_polled)
		ns_row(rp, p, "rt_16B_armed_ns", "round trip 16 B, armed", arm,
		       armr, base.med, bl);
	if (ops->vring_floor)
		ns_row(rp, p, "rt_16B_vring_floor_ns",
		       "split-ring floor (ref.)", vfl, vflr, base.med, bl);

	base = stat3(raw99, ROUNDS);
	snprintf(bl, 64, "ping-pong %.0f ns (%.0f-%.0f)", base.med, base.lo,
		 base.hi);
	ns_row(rp, p, "rt_16B_p99_ns", "round trip 16 B p99", rt99, rtr99,
	       base.med, bl);

	s = stat3(t16, ROUNDS);
	base = stat3(ring, ROUNDS);
	ratio = stat3(r16, ROUNDS);
	add(rp, p, "oneway_16B_msg_s", s.med, "msg/s", base.med, ratio.med);
	add(rp, p, "oneway_16B_MB_s", s.med * 16 / 1e6, "MB/s",
	    base.med * 16 / 1e6, ratio.med);
	snprintf(f, 64, "%s one-way 16 B", p);
	snprintf(v, 64, "%.2f M/s (%.2f-%.2f) %.0f MB/s", s.med / 1e6,
		 s.lo / 1e6, s.hi / 1e6, s.med * 16 / 1e6);
	snprintf(bl, 64, "raw ring %.1f M/s (%.1f-%.1f)", base.med / 1e6,
		 base.lo / 1e6, base.hi / 1e6);
	snprintf(r, 64, "%.3f (%.3f-%.3f)", ratio.med, ratio.lo, ratio.hi);
	row(rp, f, v, bl, r);

	s = stat3(t496, ROUNDS);
	base = stat3(mc, ROUNDS);
	ratio = stat3(r496, ROUNDS);
	add(rp, p, "oneway_496B_msg_s", s.med, "msg/s", base.med, ratio.med);
	add(rp, p, "oneway_496B_MB_s", s.med * 496 / 1e6, "MB/s",
	    base.med * 496 / 1e6, ratio.med);
	snprintf(f, 64, "%s one-way 496 B", p);
	snprintf(v, 64, "%.2f M/s (%.2f-%.2f) %.0f MB/s", s.med / 1e6,
		 s.lo / 1e6, s.hi / 1e6, s.med * 496 / 1e6);
	snprintf(bl, 64, "memcpy 496 B %.0f MB/s (%.0f-%.0f)",
		 base.med * 496 / 1e6, base.lo * 496 / 1e6,
		 base.hi * 496 / 1e6);
	snprintf(r, 64, "%.3f (%.3f-%.3f)", ratio.med, ratio.lo, ratio.hi);
	row(rp, f, v, bl, r);
}

/* ---- instructions: --loop, and reading callgrind's output ------------------- */

void bench_loop(struct xport *x, uint64_t n, unsigned batch, bool echo)
	__attribute__((noinline, noclone));
void warm_loop(struct xport *x, uint64_t n, unsigned batch, bool echo)
	__attribute__((noinline, noclone));

/* The loop itself: @batch sends, the remote drains them, (@echo: the host
 * receives the echoes).  Inline in both wrappers: callgrind counts the
 * inclusive cost of bench_loop only. */
static inline __attribute__((always_inline)) void
loop(struct xport *x, uint64_t n, unsigned batch, bool echo)
{
	static const uint8_t msg[16] = "0123456789abcde";
	const struct xport_ops *ops = x->ops;

	for (uint64_t i = 0; i < n; i += batch) {
		for (unsigned k = 0; k < batch; k++)
			if (ops->send(x, msg, sizeof(msg)))
				x->remote_err++;
		ops->remote_poll(x);
		if (echo)
			ops->host_poll(x);
	}
}

void bench_loop(struct xport *x, uint64_t n, unsigned batch, bool echo)
{
	loop(x, n, batch, echo);
}

void warm_loop(struct xport *x, uint64_t n, unsigned batch, bool echo)
{
	loop(x, n, batch, echo);
}

static const struct xport_ops *find_xport(const char *name)
{
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (!strcmp(transports[i]->name, name))
			return transports[i];
	return NULL;
}

static int loop_main(int argc, char **argv)
{
	bool polled = argc == 7 && !strcmp(argv[6], "polled");
	bool args = argc == 6 || polled;
	const struct xport_ops *ops = args ? find_xport(argv[2]) : NULL;
	bool echo = args && !strcmp(argv[3], "echo");
	uint64_t n = args ? strtoull(argv[4], NULL, 0) : 0;
	unsigned batch = args ? (unsigned)atoi(argv[5]) : 0;
	uint64_t warm = 4 * RING_SLOTS;
	struct bench *b = calloc(1, sizeof(*b));
	bool ok;

	if (!ops || !b || (!echo && strcmp(argv[3], "oneway")) || !batch ||
	    batch > RING_SLOTS / 2 || n % batch) {
		fprintf(stderr,
			"usage: bench_rpmsg --loop <transport> "
			"<oneway|echo> <messages> <batch> [polled]\n"
			"  (batch 1..%u, messages a multiple of it)\n",
			RING_SLOTS / 2);
		return 2;
	}
	b->cpu[0] = b->cpu[1] = -1;
	setup(b, ops, false);
	if (polled)
		set_polled(b, true);
	b->x.echo = echo;
	warm_loop(&b->x, warm - warm % batch, batch, echo);
	b->x.host_rx = b->x.remote_rx = 0;
	bench_loop(&b->x, n, batch, echo);
	ok = !b->x.remote_err && b->x.remote_rx == n &&
	     b->x.host_rx == (echo ? n : 0);
	if (ok)
		printf("%s %s: %" PRIu64 " messages in bursts of %u\n",
		       ops->name, echo ? "echo" : "oneway", n, batch);
	else
		fprintf(stderr,
			"bench_rpmsg: loop: %" PRIu64 " sent, %" PRIu64
			" received, %" PRIu64 " echoes, %" PRIu64 " errors\n",
			n, b->x.remote_rx, b->x.host_rx, b->x.remote_err);
	teardown(b, false);
	free(b);
	return ok ? 0 : 1;
}

/*
 * --rt: round trips only, for comparing changes.  Each figure is the median
 * of BLOCKS blocks of round trips, each block timed as a whole (no clock
 * read per trip, so neither the clock's cost nor its granularity is in
 * it); ping-pong, index floor and the transport's echo interleaved,
 * @rounds times; prints each round and the medians.
 */
static double block_ns(struct bench *b, int what, uint64_t n)
{
	static const uint8_t msg[16] = "0123456789abcde";
	struct xport *x = &b->x;
	uint64_t v;
	double t0;

	if (what == 0) {
		v = atomic_load(&b->ping);
		phase(b, PH_PINGPONG);
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < n; i++) {
			atomic_store_explicit(&b->ping, ++v,
					      memory_order_release);
			SPIN_UNTIL(atomic_load_explicit(
					   &b->pong, memory_order_acquire) == v,
				   "ping-pong");
		}
	} else if (what == 1) {
		v = atomic_load(&b->idx_h2r);
		phase(b, PH_PINGPONG2);
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < n; i++) {
			b->rec_h2r[0] = ++v;
			b->rec_h2r[1] = ~v;
			atomic_store_explicit(&b->idx_h2r, v,
					      memory_order_release);
			SPIN_UNTIL(atomic_load_explicit(&b->idx_r2h,
							memory_order_acquire) ==
					   v,
				   "index ping-pong");
		}
	} else if (what == 4) {
		set_polled(b, false);
		t0 = block_ns(b, 2, n);
		set_polled(b, true);
		return t0;
	} else if (what == 3) {
		phase(b, PH_VFLOOR);
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < n; i++)
			vfloor_once(&b->vf, b->vf_seq++);
	} else {
		phase(b, PH_ECHO);
		t0 = bench_now_ns();
		for (uint64_t i = 0; i < n; i++) {
			uint64_t want = x->host_rx + 1;

			SPIN_UNTIL(!x->ops->send(x, msg, sizeof(msg)), "send");
			SPIN_UNTIL((x->ops->host_poll(x), x->host_rx == want),
				   "echo");
		}
	}
	t0 = (bench_now_ns() - t0) / (double)n;
	phase(b, PH_IDLE);
	return t0;
}

#define BLOCKS 64

static int rt_main(int argc, char **argv)
{
	static const char *const what[5] = {"ping-pong", "index floor",
					    "round trip", "split-ring floor",
					    "armed round trip"};
	const struct xport_ops *ops = argc >= 3 ? find_xport(argv[2]) : NULL;
	int rounds = argc >= 4 ? atoi(argv[3]) : 9;
	uint64_t n = 20000;
	double v[5][64], r[5][64];
	struct bench *b = calloc(1, sizeof(*b));
	int cpu[2], ret, nw;

	if (!ops || !b || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: bench_rpmsg --rt <transport> "
				"[rounds, 1..64]\n");
		return 2;
	}
	if (pick_cpus(cpu) < 2) {
		fprintf(stderr, "bench_rpmsg: --rt needs 2 CPUs\n");
		return 1;
	}
	if ((ret = pin(cpu[0])))
		fail("pinning the host thread", ret);
	b->cpu[0] = cpu[0];
	b->cpu[1] = cpu[1];
	setup(b, ops, true);
	set_polled(b, true); /* as cross_core() */
	nw = ops->set_polled ? 5 : 4;
	for (int w = 0; w < nw; w++)
		block_ns(b, w, n / 10);
	for (int i = 0; i < rounds; i++) {
		printf("%s:", ops->name);
		/* the median of short blocks: a preemption spoils one */
		for (int w = 0; w < nw; w++) {
			double blk[BLOCKS];

			for (int k = 0; k < BLOCKS; k++)
				blk[k] = block_ns(b, w, n / BLOCKS);
			v[w][i] = bench_median(blk, BLOCKS);
			r[w][i] = v[w][i] / v[0][i];
			printf(" %s %.1f ns (%.2fx)%s", what[w], v[w][i],
			       r[w][i], w < nw - 1 ? "," : "\n");
		}
	}
	printf("%s: median round trip %.2fx of the ping-pong (%.1f ns); "
	       "index floor %.2fx, split-ring floor %.2fx\n",
	       ops->name, bench_median(r[2], (size_t)rounds),
	       bench_median(v[2], (size_t)rounds),
	       bench_median(r[1], (size_t)rounds),
	       bench_median(r[3], (size_t)rounds));
	if (nw > 4)
		printf("%s: armed (doorbells asked for: the default mode) "
		       "%.2fx (%.1f ns)\n",
		       ops->name, bench_median(r[4], (size_t)rounds),
		       bench_median(v[4], (size_t)rounds));
	teardown(b, true);
	free(b);
	return 0;
}

/*
 * A callgrind output file of a --loop run: its command line (which
 * transport, mode, messages, batch) and the instructions counted.
 */
static int read_callgrind(struct report *rp, const char *path)
{
	char line[1024], xp[32] = "", mode[16] = "", name[64], g[32];
	unsigned long long n = 0, ir = 0;
	unsigned batch = 0, goal;
	double per, msgs;
	FILE *f = fopen(path, "r");
	char v[64], r[64], fig[64];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *a = strstr(line, "--loop ");

		if (!strncmp(line, "cmd:", 4) && a)
			sscanf(a, "--loop %31s %15s %llu %u", xp, mode, &n,
			       &batch);
		else if (!strncmp(line, "summary:", 8) ||
			 !strncmp(line, "totals:", 7))
			ir = strtoull(strchr(line, ':') + 1, NULL, 10);
	}
	fclose(f);
	if (!xp[0] || !n || !batch || !ir)
		return -EBADMSG;
	msgs = (double)n * (strcmp(mode, "echo") ? 1 : 2);
	per = (double)ir / msgs;
	snprintf(name, sizeof(name), "insn_per_msg_16B%s",
		 strcmp(mode, "echo") ? "" : "_echo");
	if (batch != 16)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 "_batch%u", batch);
	goal = strcmp(xp, "link") ? INSN_GOAL : INSN_GOAL_LINK;
	add(rp, xp, name, per, "insn", goal, per / goal);
	snprintf(fig, 64, "%s insn/msg 16 B %s%s", xp,
		 strcmp(mode, "echo") ? "one-way" : "echo",
		 batch == 1 ? ", 1 by 1" : "");
	snprintf(v, 64, "%.1f (callgrind, %llu msgs)", per, n);
	snprintf(r, 64, "%.2f", per / goal);
	snprintf(g, 32, "goal %u", goal);
	row(rp, fig, v, g, r);
	return 0;
}

static void print_table(const struct report *rp)
{
	int w[4] = {6, 6, 8, 5};

	for (size_t i = 0; i < rp->nrows; i++)
		for (int c = 0; c < 4; c++)
			if ((int)strlen(rp->rows[i][c]) > w[c])
				w[c] = (int)strlen(rp->rows[i][c]);
	printf("| %-*s | %-*s | %-*s | %-*s |\n", w[0], "figure", w[1],
	       "result", w[2], "baseline", w[3], "ratio");
	printf("|");
	for (int c = 0; c < 4; c++) {
		for (int k = 0; k < w[c] + 2; k++)
			putchar('-');
		putchar('|');
	}
	putchar('\n');
	for (size_t i = 0; i < rp->nrows; i++)
		printf("| %-*s | %-*s | %-*s | %-*s |\n", w[0], rp->rows[i][0],
		       w[1], rp->rows[i][1], w[2], rp->rows[i][2], w[3],
		       rp->rows[i][3]);
}

int main(int argc, char **argv)
{
	static struct report rp;
	const char *out = "build/bench/results.json";
	const char *cg[8];
	size_t ncg = 0;
	int cpu[2], ret;

	if (argc > 1 && !strcmp(argv[1], "--loop"))
		return loop_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--rt"))
		return rt_main(argc, argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--callgrind") && i + 1 < argc && ncg < 8)
			cg[ncg++] = argv[++i];
		else if (argv[i][0] != '-')
			out = argv[i];
		else {
			fprintf(stderr,
				"usage: bench_rpmsg [--callgrind FILE]... "
				"[results.json]\n"
				"       bench_rpmsg --loop <transport> "
				"<oneway|echo> <messages> <batch> [polled]\n"
				"       bench_rpmsg --rt <transport> "
				"[rounds]\n");
			return 2;
		}
	}
	/* each run rewrites every figure of its transports: "<name>." */
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]);
	     i++) {
		snprintf(rp.prefix[i], sizeof(rp.prefix[i]), "%s.",
			 transports[i]->name);
		rp.own[rp.nown++] = rp.prefix[i];
	}

	if (pick_cpus(cpu) < 2) {
		printf("bench_rpmsg: fewer than 2 CPUs: no cross-core "
		       "figures\n");
	} else {
		if ((ret = pin(cpu[0])))
			fail("pinning the host thread", ret);
		for (size_t i = 0;
		     i < sizeof(transports) / sizeof(transports[0]); i++)
			cross_core(&rp, transports[i], cpu);
	}
	for (size_t i = 0; i < ncg; i++)
		if ((ret = read_callgrind(&rp, cg[i])))
			fprintf(stderr, "bench_rpmsg: %s: %s\n", cg[i],
				rproc_strerror(ret));

	printf("bench_rpmsg: host CPU %d, remote CPU %d, %d rounds "
	       "interleaved (%d round trips each); median (min-max)\n",
	       cpu[0], cpu[1], ROUNDS, RT_SAMPLES);
	print_table(&rp);
	if (bench_results_write(out, rp.res, rp.n, rp.own, rp.nown)) {
		fprintf(stderr, "bench_rpmsg: cannot write %s\n", out);
		return 1;
	}
	return 0;
}
