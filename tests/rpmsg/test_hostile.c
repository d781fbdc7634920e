/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_hostile: a remote that writes into the rings and buffers itself
 * (no firmware stack): messages longer than their buffer, shorter than a
 * header, to nobody; name-service messages of the wrong size, with
 * unterminated names, unknown flags, duplicates, withdrawals of unknown
 * channels: dropped and counted, the device stays up and every buffer goes
 * back to the ring.  Used-ring garbage on either ring takes the device
 * down with -EPROTO (unbind, device_down, senders -ENOTCONN), and the next
 * boot brings it back.  Transmit buffers are sent again in the order the
 * remote returned them.  Then a seeded fuzz loop.  Never a crash: run it
 * under ASan (the pool and rings are inside the native remote's window,
 * between two PROT_NONE guard pages; the bus's bookkeeping is exact-size
 * heap blocks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

struct raw {
	struct harness *h;
	uint8_t *ring[2];
	struct vring_desc *desc[2];
	struct vring_avail *avail[2];
	struct vring_used *used[2];
	uint32_t num[2], align[2], id[2];
	uint16_t last_avail[2];
	uint8_t *pool;
	uint64_t pool_pa;
	uint32_t pool_len;
	volatile uint8_t *vdev; /* live table entry body */
};

static struct raw R;
static struct rpmsg_device *RDEV; /* the same across bindings */
static bool fuzzing; /* the ring may be scribbled: don't trust it */
static int delivered, unbinds, unbind_reason;
static char last_msg[64];
static size_t last_len;
static struct rpmsg_endpoint *EP;

static int rx_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		 uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	(void)priv;
	delivered++;
	last_len = len;
	memcpy(last_msg, data, len < sizeof(last_msg) ? len : sizeof(last_msg));
	return 0;
}

static void on_unbind(struct rpmsg_endpoint *ept, int reason, void *priv)
{
	(void)ept;
	(void)priv;
	unbinds++;
	unbind_reason = reason;
}

/* The rings, pool and live entry of vdev @idx, as the remote sees them. */
static void raw_init_idx(struct raw *r, struct harness *h, unsigned idx)
{
	char name[32];
	struct rproc_resource *vd, *co;
	size_t len;

	snprintf(name, sizeof(name), "vdev%u", idx);
	vd = rproc_resource_find(h->rproc, RSC_VDEV, name);
	snprintf(name, sizeof(name), "vdev%ubuffer", idx);
	co = rproc_resource_find(h->rproc, RSC_CARVEOUT, name);
	assert_non_null(vd);
	assert_non_null(co);
	memset(r, 0, sizeof(*r));
	r->h = h;
	for (int q = 0; q < 2; q++) {
		r->ring[q] = vd->d.vdev.vring[q].va;
		r->num[q] = vd->d.vdev.vring[q].num;
		r->align[q] = vd->d.vdev.vring[q].align;
		r->id[q] = vd->d.vdev.vring[q].notifyid;
		r->desc[q] = (struct vring_desc *)r->ring[q];
		r->avail[q] =
			(struct vring_avail *)(r->ring[q] +
					       vring_avail_offset(r->num[q]));
		r->used[q] =
			(struct vring_used *)(r->ring[q] +
					      vring_used_offset(r->num[q],
								r->align[q]));
	}
	r->pool = co->va;
	r->pool_pa = co->d.pa;
	r->pool_len = (uint32_t)co->d.len;
	r->vdev = rproc_resource_entry(h->rproc, vd, &len);
	assert_non_null(r->vdev);
}

static void raw_init(struct harness *h)
{
	raw_init_idx(&R, h, 0);
}

static void boot(struct harness *h)
{
	assert_int_equal(h_boot(h), 0);
	assert_non_null(h->rdev);
	RDEV = h->rdev;
	raw_init(h);
	delivered = unbinds = unbind_reason = 0;
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, 2000, 1024, rx_cb,
					  on_unbind, NULL, &EP),
			 0);
}

/* A booted raw remote of 16-entry rings, with @features offered on top
 * of the harness's defaults. */
static int setup_with(void **state, uint32_t features)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	cfg.raw = true;
	cfg.num = 16;
	cfg.align = 64;
	cfg.pool_len = 32 * 512;
	cfg.dfeatures |= features;
	h = h_new(&cfg);
	boot(h);
	*state = h;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

/* setup() with VIRTIO_RING_F_EVENT_IDX offered (and taken) */
static int setup_event_idx(void **state)
{
	setup_with(state, 1u << VIRTIO_RING_F_EVENT_IDX);
	assert_true(*(volatile uint32_t *)(R.vdev + 12) &
		    (1u << VIRTIO_RING_F_EVENT_IDX));
	return 0;
}

static int teardown(void **state)
{
	rpmsg_destroy_ept(EP);
	EP = NULL;
	h_free(*state);
	return 0;
}

/* The next buffer the host made available on ring @q: its descriptor id
 * (or -1), where it is and how long. */
static int raw_pop(int q, uint8_t **buf, uint32_t *len)
{
	uint16_t id;
	uint64_t off;

	if (R.last_avail[q] == R.avail[q]->idx)
		return -1;
	id = R.avail[q]->ring[R.last_avail[q]++ % R.num[q]];
	if (fuzzing && id >= R.num[q])
		return -1;
	assert_true(id < R.num[q]);
	off = R.desc[q][id].addr - R.pool_pa;
	*len = R.desc[q][id].len;
	if (fuzzing && (off > R.pool_len - 512 || *len > 512))
		return -1;
	assert_true(off < R.pool_len);
	*buf = R.pool + off;
	return id;
}

static void raw_push(int q, uint32_t id, uint32_t len)
{
	struct vring_used *u = R.used[q];

	u->ring[u->idx % R.num[q]] = (struct vring_used_elem){id, len};
	u->idx++;
}

/* The remote sends: a header claiming @hlen, @plen payload bytes, and
 * @used as the length it reports (0: header + plen). */
static void raw_send(uint32_t src, uint32_t dst, uint32_t hlen,
		     const void *payload, uint32_t plen, uint32_t used)
{
	struct rpmsg_hdr h = {.src = src, .dst = dst, .len = (uint16_t)hlen};
	uint8_t *buf;
	uint32_t len;
	int id = raw_pop(0, &buf, &len);

	if (fuzzing && (id < 0 || len != 512))
		return;
	assert_true(id >= 0);
	assert_int_equal(len, 512);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, plen);
	raw_push(0, (uint32_t)id, used ? used : (uint32_t)sizeof(h) + plen);
}

static void ring(int q)
{
	assert_int_equal(rproc_notify(R.h->rproc, R.id[q]), 0);
}

static void raw_ns(const char *name, size_t name_len, uint32_t addr,
		   uint32_t flags, uint32_t size)
{
	union {
		struct rpmsg_ns_msg m;
		uint8_t b[64];
	} u;

	memset(&u, 0, sizeof(u));
	memcpy(u.m.name, name, name_len);
	u.m.addr = addr;
	u.m.flags = flags;
	raw_send(addr, RPMSG_NS_ADDR, size, &u, size, 0);
}

static struct rpmsg_device_stats stats(void)
{
	struct rpmsg_device_stats st;

	rpmsg_device_get_stats(RDEV, &st);
	return st;
}

/* Every receive buffer is available to the remote again. */
static void all_rx_posted(void)
{
	assert_int_equal((uint16_t)(R.avail[0]->idx - R.last_avail[0]),
			 R.num[0]);
}

/* Whether the host asks for a doorbell for the next buffer the remote
 * returns on vring0 (event idx: used_event; else avail->flags). */
static bool host_wants_irq(void)
{
	uint32_t gf = *(volatile uint32_t *)(R.vdev + 12);
	uint16_t old = R.used[0]->idx;

	if (gf & (1u << VIRTIO_RING_F_EVENT_IDX))
		return vring_need_event(R.avail[0]->ring[R.num[0]],
					(uint16_t)(old + 1), old);
	return !(R.avail[0]->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/* Polled mode: no doorbell asked for what the remote sends, from the
 * call on (a lone message included, which otherwise keeps them asked
 * for), messages taken by polling, doorbells that come anyway served;
 * turned off, what waits is delivered and the doorbell asked for again
 * before it returns. */
static void test_polled(void **state)
{
	struct harness *h = *state;

	assert_true(host_wants_irq());
	raw_send(1024, 2000, 1, "a", 1, 0);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 1);
	assert_true(host_wants_irq());
	assert_int_equal(rproc_rpmsg_set_polled(h->bus, true), 0);
	assert_false(host_wants_irq());
	raw_send(1024, 2000, 1, "b", 1, 0);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 1);
	assert_false(host_wants_irq());
	for (int i = 0; i < 16; i++) /* every buffer */
		raw_send(1024, 2000, 1, "c", 1, 0);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 16);
	assert_false(host_wants_irq());
	assert_int_equal(rproc_rpmsg_poll(h->bus), 0);
	raw_send(1024, 2000, 1, "d", 1, 0);
	ring(0);
	assert_int_equal(delivered, 19);
	assert_false(host_wants_irq());
	/* it lasts across a restart (the binding asks at first) */
	rpmsg_destroy_ept(EP);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	boot(h);
	raw_send(1024, 2000, 1, "x", 1, 0);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 1);
	assert_false(host_wants_irq());
	delivered = 19;
	/* off: delivers, then asks */
	raw_send(1024, 2000, 1, "e", 1, 0);
	assert_int_equal(rproc_rpmsg_set_polled(h->bus, false), 1);
	assert_true(host_wants_irq());
	assert_int_equal(last_msg[0], 'e');
	raw_send(1024, 2000, 1, "f", 1, 0);
	ring(0);
	assert_int_equal(delivered, 21);
	assert_int_equal(last_msg[0], 'f');
	all_rx_posted();
	assert_int_equal(rproc_rpmsg_set_polled(NULL, true), -EINVAL);
}

static void test_negotiation(void **state)
{
	struct harness *h = *state;

	(void)h;
	assert_int_equal(R.vdev[20], VIRTIO_CONFIG_S_ACKNOWLEDGE |
					     VIRTIO_CONFIG_S_DRIVER |
					     VIRTIO_CONFIG_S_FEATURES_OK |
					     VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(*(volatile uint32_t *)(R.vdev + 12),
			 (1u << VIRTIO_RPMSG_F_NS) |
				 (1u << VIRTIO_RPMSG_F_BUFSZ));
	all_rx_posted();
	/* 16 buffers each way (the ring size; the pool has room for 16) */
	assert_int_equal(R.avail[0]->idx, 16);
	assert_int_equal(R.avail[1]->idx, 0);
}

static void test_malformed(void **state)
{
	struct harness *h = *state;
	struct rpmsg_device_stats st;
	char long_name[32];

	raw_send(1024, 2000, 5, "hello", 5, 0);
	ring(0);
	assert_int_equal(delivered, 1);
	assert_int_equal(last_len, 5);
	assert_memory_equal(last_msg, "hello", 5);

	/* shorter than a header */
	raw_send(1024, 2000, 5, "hello", 5, 8);
	/* len past what was written, past the buffer, the 16-bit max */
	raw_send(1024, 2000, 100, "hello", 5, 16 + 50);
	raw_send(1024, 2000, 497, "hello", 5, 512);
	raw_send(1024, 2000, 65535, "hello", 5, 0);
	/* to nobody */
	raw_send(1024, 7777, 5, "hello", 5, 0);
	ring(0);
	st = stats();
	assert_int_equal(delivered, 1);
	assert_int_equal(st.rx_bad_len, 4);
	assert_int_equal(st.rx_no_ept, 1);
	/* exactly at the limit is fine */
	raw_send(1024, 2000, 496, "hello", 5, 512);
	ring(0);
	assert_int_equal(delivered, 2);
	assert_int_equal(last_len, 496);

	/* name service */
	memset(long_name, 'x', sizeof(long_name));
	raw_ns("svc", 3, 1030, RPMSG_NS_CREATE, 39);	  /* size */
	raw_ns("svc", 3, 1030, RPMSG_NS_CREATE, 41);	  /* size */
	raw_ns(long_name, 32, 1030, RPMSG_NS_CREATE, 40); /* no NUL */
	raw_ns("", 0, 1030, RPMSG_NS_CREATE, 40);	  /* empty */
	raw_ns("svc", 3, 1030, 7, 40);			  /* flags */
	raw_ns("svc", 3, 1030, RPMSG_NS_DESTROY, 40);	  /* unknown */
	ring(0);
	st = stats();
	assert_int_equal(st.ns_bad, 6);
	assert_int_equal(h->channel_up, 0);
	raw_ns("svc", 3, 1030, RPMSG_NS_CREATE, 40);
	raw_ns("svc", 3, 1030, RPMSG_NS_CREATE, 40); /* twice */
	raw_ns(long_name, 31, 1031, RPMSG_NS_CREATE, 40);
	ring(0);
	assert_int_equal(h->channel_up, 2);
	assert_int_equal(stats().ns_bad, 7);
	raw_ns("svc", 3, 1030, RPMSG_NS_DESTROY, 40);
	raw_ns("svc", 3, 1031, RPMSG_NS_DESTROY, 40); /* other addr */
	ring(0);
	assert_int_equal(h->channel_down, 1);
	assert_int_equal(stats().ns_bad, 8);

	/* through it all the device stayed up and every buffer came back */
	assert_non_null(rproc_rpmsg_device(h->bus, 0));
	all_rx_posted();
	raw_send(1024, 2000, 2, "ok", 2, 0);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 1);
	assert_int_equal(delivered, 3);
	assert_int_equal(stats().down_reason, 0);
}

/* A flood of name-service creates is capped. */
static void test_channel_cap(void **state)
{
	struct harness *h = *state;

	for (uint32_t i = 0; i < 200; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%u", i);
		raw_ns(name, strlen(name), 5000 + i, RPMSG_NS_CREATE, 40);
		if (i % 8 == 7)
			ring(0);
	}
	ring(0);
	assert_int_equal(h->channel_up, 128);
	assert_int_equal(stats().ns_bad, 72);
}

static void expect_down(struct harness *h, const char *what)
{
	struct rpmsg_device_stats st;

	assert_int_equal(h->device_down, 1);
	assert_int_equal(h->down_reason, -EPROTO);
	assert_int_equal(unbinds, 1);
	assert_int_equal(unbind_reason, -EPROTO);
	assert_null(rproc_rpmsg_device(h->bus, 0));
	assert_int_equal(rpmsg_trysend(EP, 1024, "x", 1), -ENOTCONN);
	rpmsg_device_get_stats(RDEV, &st);
	print_message("%s: %s\n", what, st.vq_error);
	assert_int_equal(st.down_reason, -EPROTO);
	assert_non_null(strstr(st.vq_error, what));
	/* the remote itself still runs; a later doorbell is harmless */
	assert_int_equal(rproc_state_get(h->rproc), RPROC_RUNNING);
	rproc_notify(h->rproc, R.id[0]);
	rproc_notify(h->rproc, R.id[1]);
	assert_int_equal(rproc_rpmsg_poll(h->bus), 0);
	/* and the next boot binds from scratch */
	rpmsg_destroy_ept(EP);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(h->device_down, 1); /* not twice */
	h->device_down = 0;
	h->down_reason = 0;
	boot(h);
	raw_send(1024, 2000, 2, "ok", 2, 0);
	ring(0);
	assert_int_equal(delivered, 1);
}

static void test_used_garbage_rx(void **state)
{
	struct harness *h = *state;
	uint8_t *buf;
	uint32_t len;
	int id;

	/* an id >= num */
	raw_push(0, 16, 20);
	ring(0);
	expect_down(h, "id 16 >= num 16");

	/* a len past the buffer */
	id = raw_pop(0, &buf, &len);
	raw_push(0, (uint32_t)id, 513);
	ring(0);
	expect_down(h, "len 513 > posted len 512");

	/* the same buffer twice */
	id = raw_pop(0, &buf, &len);
	memset(buf, 0, 16);
	raw_push(0, (uint32_t)id, 16);
	raw_push(0, (uint32_t)id, 16);
	ring(0);
	expect_down(h, "is not in flight");

	/* used idx far ahead */
	R.used[0]->idx += 1000;
	ring(0);
	expect_down(h, "advanced by 1000");
}

/* Garbage on the transmit ring: found by a sender (no doorbell), and by
 * the doorbell while a sender waits. */
static void *blocked_send(void *arg)
{
	intptr_t ret = rpmsg_send_timeout(EP, 1024, "late", 4, 10000);

	(void)arg;
	return (void *)ret;
}

static void test_used_garbage_tx(void **state)
{
	struct harness *h = *state;
	uint8_t *buf;
	uint32_t len;
	pthread_t th;
	void *ret;
	int n = 0;

	while (!rpmsg_trysend(EP, 1024, "abc", 3))
		n++;
	assert_int_equal(n, 16);
	/* the remote reads one properly... */
	assert_int_equal(raw_pop(1, &buf, &len), 0);
	assert_int_equal(len, 19);
	assert_memory_equal(buf + 16, "abc", 3);
	raw_push(1, 0, 0);
	assert_int_equal(rpmsg_trysend(EP, 1024, "abc", 3), 0);
	/* ...then returns one that does not exist */
	raw_push(1, 17, 0);
	assert_int_equal(rpmsg_trysend(EP, 1024, "abc", 3), -ENOTCONN);
	/* device_down ran on this (the sending) thread */
	expect_down(h, "id 17 >= num 16");

	/* a waiting sender, woken by the doorbell that finds garbage */
	while (!rpmsg_trysend(EP, 1024, "abc", 3))
		;
	assert_int_equal(pthread_create(&th, NULL, blocked_send, NULL), 0);
	usleep(50 * 1000);
	R.used[1]->idx += 100;
	ring(1);
	pthread_join(th, &ret);
	assert_int_equal((intptr_t)ret, -ENOTCONN);
	expect_down(h, "advanced by 100");
}

/* The remote scribbles over the parts of the rings the host owns: the host
 * never reads them back, traffic goes on. */
static void test_scribble_host_parts(void **state)
{
	struct harness *h = *state;

	memset(R.desc[0], 0xA5, 16 * sizeof(struct vring_desc));
	R.avail[0]->flags = 0xFFFF;
	R.avail[1]->idx = 0x1234;
	for (int i = 0; i < 5; i++)
		assert_int_equal(rpmsg_trysend(EP, 1024, "abc", 3), 0);
	assert_non_null(rproc_rpmsg_device(h->bus, 0));
	assert_int_equal(stats().down_reason, 0);
}

/* The remote takes the @n messages the host sent, in order: the
 * descriptor of each in @id, where it is in @buf; message k reads "m<k>". */
static void raw_take_sent(unsigned n, uint32_t *id, uint8_t **buf)
{
	char want[16];
	uint32_t len;

	for (unsigned k = 0; k < n; k++) {
		int d = raw_pop(1, &buf[k], &len);

		assert_true(d >= 0);
		id[k] = (uint32_t)d;
		snprintf(want, sizeof(want), "m%u", k);
		assert_int_equal(len, 16 + strlen(want));
		assert_memory_equal(buf[k] + 16, want, strlen(want));
	}
	assert_int_equal(raw_pop(1, &buf[n], &len), -1);
}

static void send_numbered(unsigned n)
{
	char msg[16];

	for (unsigned k = 0; k < n; k++) {
		snprintf(msg, sizeof(msg), "m%u", k);
		assert_int_equal(rpmsg_trysend(EP, 1024, msg, strlen(msg)), 0);
	}
}

/*
 * Transmit buffers are sent again in the order the remote gave them back
 * (the free list is FIFO): 16 sends use the 16 descriptors in turn; the
 * remote returns them all; the next send finds the free list empty, takes
 * them all back, and the 16 sends from there use the descriptors (and the
 * buffers) in the order they came back: the same order as the first 16
 * when returned in order, the remote's order when returned in another.
 */
static void test_tx_fifo(void **state)
{
	uint32_t first[16], again[16], back[16];
	uint8_t *fbuf[17], *abuf[17];
	unsigned k;

	(void)state;
	send_numbered(16);
	assert_int_equal(rpmsg_trysend(EP, 1024, "m16", 3), -EAGAIN);
	raw_take_sent(16, first, fbuf);
	for (k = 0; k < 16; k++) {
		assert_int_equal(first[k], k); /* in turn from the start */
		for (unsigned j = 0; j < k; j++)
			assert_int_not_equal(first[j], first[k]);
	}
	/* all back, in the order they were taken */
	for (k = 0; k < 16; k++)
		raw_push(1, first[k], 0);
	send_numbered(16);
	raw_take_sent(16, again, abuf);
	for (k = 0; k < 16; k++) {
		assert_int_equal(again[k], first[k]);
		assert_ptr_equal(abuf[k], fbuf[k]);
	}
	/* all back in another order (7 is odd: a permutation) */
	for (k = 0; k < 16; k++) {
		back[k] = first[(7 * k + 3) % 16];
		raw_push(1, back[k], 0);
	}
	send_numbered(16);
	raw_take_sent(16, again, abuf);
	for (k = 0; k < 16; k++) {
		assert_int_equal(again[k], back[k]);
		assert_ptr_equal(abuf[k], fbuf[(7 * k + 3) % 16]);
	}
	assert_int_equal(stats().down_reason, 0);
}

/* Seeded fuzz: valid and invalid traffic, random garbage, random doorbells
 * and polls, random sends; reboot whenever the device went down. */
static void test_fuzz(void **state)
{
	struct harness *h = *state;
	uint32_t rnd = 0xC0FFEE;
	unsigned downs = 0, iters = 20000, total = 0;
	const char *log;

	fuzzing = true;
	logcap_begin();
	for (unsigned it = 0; it < iters; it++) {
		uint32_t op = h_rand(&rnd) % 16;
		uint8_t *buf;
		uint32_t len;
		int id;

		if (!rproc_rpmsg_device(h->bus, 0)) {
			downs++;
			total += (unsigned)delivered;
			rpmsg_destroy_ept(EP);
			assert_int_equal(rproc_shutdown(h->rproc), 0);
			boot(h);
			continue;
		}
		switch (op) {
		case 0: /* a plausible message with random header fields */
		case 1:
			id = raw_pop(0, &buf, &len);
			if (id < 0)
				break;
			for (unsigned i = 0; i < 16 + (op ? 32 : 0); i++)
				buf[i] = (uint8_t)h_rand(&rnd);
			if (op)
				((struct rpmsg_hdr *)buf)->dst =
					h_rand(&rnd) & 1 ? 2000 : RPMSG_NS_ADDR;
			/* a length past the buffer now and then */
			raw_push(0, (uint32_t)id,
				 h_rand(&rnd) %
					 (h_rand(&rnd) % 64 ? 513 : 530));
			break;
		case 2: /* a valid one */
			if (R.last_avail[0] != R.avail[0]->idx)
				raw_send(1024, 2000, 3, "abc", 3, 0);
			break;
		case 3: /* garbage used entry, rarely */
			if (h_rand(&rnd) % 8 == 0)
				raw_push(h_rand(&rnd) & 1, h_rand(&rnd) % 40,
					 h_rand(&rnd));
			break;
		case 4: /* the remote consumes a host message */
			id = raw_pop(1, &buf, &len);
			if (id >= 0)
				raw_push(1, (uint32_t)id, h_rand(&rnd));
			break;
		case 5:
			rpmsg_trysend(EP, h_rand(&rnd), "fuzz", 4);
			break;
		case 6: /* scribble over a random byte of either ring */
			R.ring[h_rand(&rnd) & 1]
			      [h_rand(&rnd) % vring_size(16, 64)] =
				(uint8_t)h_rand(&rnd);
			break;
		case 7:
			rproc_rpmsg_poll(h->bus);
			break;
		default:
			rproc_notify(h->rproc, h_rand(&rnd) % 4);
			break;
		}
		/* the remote's own view of avail cannot go past the host's */
		if ((uint16_t)(R.avail[0]->idx - R.last_avail[0]) > 16)
			R.last_avail[0] = R.avail[0]->idx;
		if ((uint16_t)(R.avail[1]->idx - R.last_avail[1]) > 16)
			R.last_avail[1] = R.avail[1]->idx;
	}
	fuzzing = false;
	total += (unsigned)delivered;
	log = logcap_end(false);
	print_message("fuzz: %u iterations, %u times down (-EPROTO), %u "
		      "delivered; %zu bytes of log, e.g.\n%.300s\n",
		      iters, downs, total, strlen(log), log);
	assert_true(downs > 0);
	assert_true(total > 100);
}

/* Several vdevs: each rpmsg one binds its own pool and rings, doorbells
 * and messages go to the right device; a vdev that is not rpmsg (virtio
 * console, id 3) is skipped. */
static int cb_counts[2];

static int count_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		    uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	cb_counts[(uintptr_t)priv]++;
	return 0;
}

static void test_vdevs(void **state)
{
	struct rpmsg_endpoint *e[2];
	struct rpmsg_device *d[2];
	struct raw r[2], saved = R;
	struct harness *h;
	struct h_cfg cfg;
	uint8_t *buf;
	uint32_t len;

	(void)state;
	h_cfg_default(&cfg);
	cfg.raw = true;
	cfg.num = 16;
	cfg.align = 64;
	cfg.pool_len = 32 * 512;
	cfg.nvdev = 2;
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_int_equal(h->device_up, 2);
	for (unsigned i = 0; i < 2; i++) {
		d[i] = rproc_rpmsg_device(h->bus, i);
		assert_non_null(d[i]);
		assert_int_equal(rpmsg_device_index(d[i]), i);
		raw_init_idx(&r[i], h, i);
		/* the same local address on both devices */
		assert_int_equal(rpmsg_create_ept(d[i], NULL, 2000, 1024,
						  count_cb, NULL,
						  (void *)(uintptr_t)i, &e[i]),
				 0);
	}
	assert_ptr_not_equal(d[0], d[1]);
	assert_ptr_not_equal(r[0].pool, r[1].pool);
	assert_int_not_equal(r[0].id[0], r[1].id[0]);
	/* device 1's remote sends; only device 1's endpoint hears it */
	R = r[1];
	raw_send(1024, 2000, 2, "d1", 2, 0);
	rproc_notify(h->rproc, R.id[0]);
	r[1] = R;
	assert_int_equal(cb_counts[0], 0);
	assert_int_equal(cb_counts[1], 1);
	/* a doorbell for device 0 does not drain device 1 */
	R = r[1];
	raw_send(1024, 2000, 2, "d1", 2, 0);
	r[1] = R;
	rproc_notify(h->rproc, r[0].id[0]);
	assert_int_equal(cb_counts[1], 1);
	rproc_notify(h->rproc, r[1].id[0]);
	assert_int_equal(cb_counts[1], 2);
	/* sends go out on the endpoint's own device */
	assert_int_equal(rpmsg_trysend(e[0], 1024, "to0", 3), 0);
	R = r[0];
	assert_int_equal(raw_pop(1, &buf, &len), 0);
	assert_memory_equal(buf + 16, "to0", 3);
	R = r[1];
	assert_int_equal(raw_pop(1, &buf, &len), -1);
	R = saved;
	for (unsigned i = 0; i < 2; i++)
		rpmsg_destroy_ept(e[i]);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(h->device_down, 2);
	h_free(h);

	/* a virtio console first: skipped, the rpmsg one is vdev1 */
	cfg.vdev_id[0] = 3;
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_int_equal(h->device_up, 1);
	assert_null(rproc_rpmsg_device(h->bus, 0));
	assert_non_null(rproc_rpmsg_device(h->bus, 1));
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_negotiation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_channel_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_used_garbage_rx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_used_garbage_tx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scribble_host_parts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_polled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_polled, setup_event_idx,
						teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
		cmocka_unit_test(test_vdevs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
