/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_fw_ring: the firmware library's link (firmware/lib/link.c, built
 * for the host with the default host port hooks defined here) against a
 * hostile host the test plays, writing the shared memory word by word.
 * Set-up errors; the handshake, binding, echo and pads by the book; then
 * index jumps, misaligned heads, records longer than what was written or
 * crossing the end, pads past the head, endpoint ids out of range, tails
 * moving backwards or past our head: each a sticky RPFW_EPROTO, our lines
 * saying "left", nothing outside the shared memory touched (it is its own
 * heap block: ASan).  Unknown endpoints and malformed control messages are
 * dropped.  A host restarting mid-stream: nothing of its old session
 * delivered, a reset, our new session; a restarted firmware refuses the
 * host session its previous life accepted.  Callbacks that keep a message
 * for later, zero copy, notification suppression both ways.  An idle poll
 * stores nothing (the shared memory read-only meanwhile).  Polled mode
 * (rpfw_link_set_polled()): the tail published only when the host waits
 * for room past it (rung then) or a quarter of the ring is unpublished,
 * no data_event armed, never past a kept record, from 0 again after a
 * host restart; turned off, the tail published and the doorbell armed.
 * A seeded fuzz loop.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/link.h"
#include "rpfw/rpmsg_port.h"
#include "nostore.h"

#define N1 1024u
#define N2 1024u
#define SHM_DA 0x60000000u
#define KICK_ID 0x4C000001u
#define NOTIFY_ID 0x4C000002u

static uint8_t *shm;	  /* exactly LINK_SHM_SIZE(N1, N2) bytes */
static size_t shm_mapped; /* or on pages of its own (mmap): their bytes */
static unsigned notifies;

static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* ---- port hooks ------------------------------------------------------------ */

void rpfw_port_notify(void *port, uint32_t id)
{
	(void)port;
	assert_int_equal(id, NOTIFY_ID);
	notifies++;
}

void *rpfw_port_da_to_va(void *port, uint32_t da)
{
	(void)port;
	return da == SHM_DA ? shm : NULL;
}

void rpfw_port_idle(void)
{
}

/* ---- the host as the test plays it ---------------------------------------- */

static struct {
	volatile struct link_prod *tp; /* h2r producer: ours (host) */
	volatile struct link_cons *tc; /* h2r consumer: the firmware's */
	uint8_t *td;
	volatile struct link_prod *rp; /* r2h producer: the firmware's */
	volatile struct link_cons *rc; /* r2h consumer: ours */
	uint8_t *rd;
	uint32_t head, tail;
} H;

static struct fw_rsc_link rsc;
static struct fw_rsc_carveout co;
static struct rpfw_link L;

/* What the firmware's callbacks saw. */
static struct {
	int rx, up, reset, bound, unbound, keep;
	uint32_t refill; /* the host writes another message to this id */
	int written;
	uint32_t last_len;
	uint8_t last[1024];
	struct rpfw_link_ept *last_ept;
	char log[256]; /* the first byte of each message, in order */
	unsigned nlog;
	int keep_at;  /* keep (RPFW_EAGAIN) the message after this many */
	int echo;     /* send each message back (rpfw_link_send) */
	int echo_ret; /* what the last echo returned */
} G;

static void host_refill(void);

static int rx_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		 void *priv)
{
	(void)priv;
	if (G.keep) {
		G.keep--;
		return RPFW_EAGAIN;
	}
	if (G.keep_at && G.rx == G.keep_at) {
		G.keep_at = 0;
		return RPFW_EAGAIN;
	}
	G.rx++;
	if (len && G.nlog < sizeof(G.log) - 1)
		G.log[G.nlog++] = *(const char *)data;
	if (G.echo)
		G.echo_ret = rpfw_link_send(ept, data, len);
	G.last_ept = ept;
	if (G.refill)
		host_refill();
	G.last_len = len;
	memcpy(G.last, data, len < sizeof(G.last) ? len : sizeof(G.last));
	return 0;
}

static void ev_cb(struct rpfw_link *l, int ev, struct rpfw_link_ept *ept)
{
	(void)l;
	(void)ept;
	switch (ev) {
	case RPFW_LINK_EV_UP:
		G.up++;
		break;
	case RPFW_LINK_EV_RESET:
		G.reset++;
		break;
	case RPFW_LINK_EV_BOUND:
		G.bound++;
		break;
	case RPFW_LINK_EV_UNBOUND:
		G.unbound++;
		break;
	}
}

static int setup(void **state)
{
	(void)state;
	if (shm_mapped) {
		shm = mmap(NULL, shm_mapped, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(shm != MAP_FAILED);
	} else {
		shm = calloc(1, LINK_SHM_SIZE(N1, N2));
		assert_non_null(shm);
	}
	rsc = (struct fw_rsc_link){.version = LINK_VERSION,
				   .notify_h2r = KICK_ID,
				   .notify_r2h = NOTIFY_ID,
				   .size_h2r = N1,
				   .size_r2h = N2,
				   .carveout = "link0"};
	co = (struct fw_rsc_carveout){.da = SHM_DA,
				      .pa = 0x90000000u,
				      .len = LINK_SHM_SIZE(N1, N2),
				      .name = "link0"};
	H.tp = (volatile void *)(shm + LINK_OFF_H2R_PROD);
	H.tc = (volatile void *)(shm + LINK_OFF_H2R_CONS);
	H.td = shm + LINK_OFF_H2R_DATA;
	H.rp = (volatile void *)(shm + LINK_OFF_R2H_PROD(N1));
	H.rc = (volatile void *)(shm + LINK_OFF_R2H_CONS(N1));
	H.rd = shm + LINK_OFF_R2H_DATA(N1);
	H.head = H.tail = 0;
	memset(&G, 0, sizeof(G));
	notifies = 0;
	return 0;
}

/* setup() with the shared memory on pages of its own, for mprotect() */
static int setup_mapped(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	shm_mapped = (LINK_SHM_SIZE(N1, N2) + pg - 1) & ~(pg - 1);
	return setup(state);
}

static int teardown(void **state)
{
	(void)state;
	if (shm_mapped)
		munmap(shm, shm_mapped);
	else
		free(shm);
	shm_mapped = 0;
	return 0;
}

/* ---- stores that must not happen ----------------------------------------- */

/* The host's side of a (new) session @s: our lines reset, published. */
static void host_session(uint32_t s)
{
	H.tp->session = 0;
	H.rc->ack = 0;
	H.tp->head = 0;
	H.tp->space_event = LINK_EVENT_NONE;
	H.rc->tail = 0;
	H.rc->data_event = 0;
	H.head = H.tail = 0;
	H.tp->session = s;
}

/* The host accepts the firmware's session (it acknowledged ours). */
static void host_accept(void)
{
	H.rc->tail = 0;
	H.rc->data_event = 0;
	H.tail = 0;
	H.rc->ack = H.rp->session;
}

static void host_write(uint32_t id, const void *data, uint32_t len)
{
	uint32_t pos = H.head & (N1 - 1), rec = LINK_REC_SIZE(len), h;

	if (rec > N1 - pos) {
		h = LINK_REC(LINK_EPT_PAD, 0);
		memcpy(H.td + pos, &h, 4);
		H.head += N1 - pos;
		pos = 0;
	}
	h = LINK_REC(id, len);
	memcpy(H.td + pos, &h, 4);
	memcpy(H.td + pos + 4, data, len);
	H.head += rec;
	H.tp->head = H.head;
}

static void host_raw(uint32_t hdr, uint32_t advance)
{
	memcpy(H.td + (H.head & (N1 - 1)), &hdr, 4);
	H.head += advance;
	H.tp->head = H.head;
}

static void host_ctl(uint32_t op, uint32_t id, const char *name)
{
	struct link_ctl m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.id = id;
	strncpy(m.name, name, sizeof(m.name));
	host_write(LINK_EPT_CTL, &m, sizeof(m));
}

/* The next record of the firmware, pads skipped. */
static bool host_read(uint32_t *id, void *buf, uint32_t *len)
{
	uint32_t head = H.rp->head, h, pos;

	for (;;) {
		if (H.tail == head)
			return false;
		pos = H.tail & (N2 - 1);
		memcpy(&h, H.rd + pos, 4);
		assert_true(head - H.tail <= N2);
		if (LINK_REC_EPT(h) == LINK_EPT_PAD) {
			H.tail += N2 - pos;
			continue;
		}
		*id = LINK_REC_EPT(h);
		*len = LINK_REC_PLEN(h);
		assert_true(LINK_REC_SIZE(*len) <= N2 - pos);
		memcpy(buf, H.rd + pos + 4, *len);
		H.tail += LINK_REC_SIZE(*len);
		H.rc->tail = H.tail;
		return true;
	}
}

static void expect_ctl(uint32_t op, const char *name, uint32_t *id)
{
	struct link_ctl m;
	uint32_t rid, len;

	assert_true(host_read(&rid, &m, &len));
	assert_int_equal(rid, LINK_EPT_CTL);
	assert_int_equal(len, sizeof(m));
	assert_int_equal(m.op, op);
	assert_string_equal(m.name, name);
	*id = m.id;
}

/* Init, endpoint "a", handshake with host session 5, bound to host id 9;
 * returns the endpoint, *@id its id. */
static struct rpfw_link_ept *up_and_bound(uint32_t *id)
{
	struct rpfw_link_ept *e;

	assert_int_equal(rpfw_link_init(&L, &rsc, &co, NULL), 0);
	L.event = ev_cb;
	assert_int_equal(notifies, 1); /* our session is out */
	assert_int_not_equal(H.rp->session, 0);
	e = rpfw_link_create_ept(&L, "a", rx_cb, NULL);
	assert_non_null(e);
	assert_int_equal(rpfw_link_send(e, "x", 1), RPFW_ENOTCONN);
	assert_int_equal(rpfw_link_ready(&L), 0);
	host_session(5);
	assert_int_equal(rpfw_link_notified(&L, KICK_ID), 0);
	assert_int_equal(H.tc->ack, 5);
	assert_int_equal(rpfw_link_ready(&L), 0); /* our session not acked */
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	assert_int_equal(G.up, 1);
	expect_ctl(LINK_CTL_BIND, "a", id);
	assert_int_equal(*id, e->id);
	host_ctl(LINK_CTL_ACK, 9, "a");
	assert_int_equal(rpfw_link_poll(&L), 0); /* control only */
	assert_int_equal(G.bound, 1);
	assert_true(rpfw_link_bound(e));
	assert_int_equal(e->remote, 9);
	return e;
}

/* Sticky RPFW_EPROTO, our lines saying "left", the host rung. */
static void expect_proto(struct rpfw_link_ept *e)
{
	unsigned n = notifies;

	assert_int_equal(rpfw_link_poll(&L), RPFW_EPROTO);
	assert_int_equal(rpfw_link_poll(&L), RPFW_EPROTO);
	assert_int_equal(rpfw_link_ready(&L), RPFW_EPROTO);
	assert_int_equal(rpfw_link_send(e, "x", 1), RPFW_EPROTO);
	assert_int_equal(H.rp->session, 0);
	assert_int_equal(H.tc->ack, 0);
	(void)n;
}

/* From a callback: the host, producing without end, writes one more
 * message if the firmware's published tail leaves room. */
static void host_refill(void)
{
	if (H.head + LINK_REC_SIZE(8) - H.tc->tail > N1)
		return;
	host_write(G.refill, "12345678", 8);
	G.written++;
}

/* ---- tests ------------------------------------------------------------------- */

static const char *const names[] = {"e2", "e3", "e4", "e5", "e6", "e7"};
_Static_assert(RPFW_LINK_MAX_EPT == 8, "the default");

static void init_errors(void **state)
{
	struct fw_rsc_link r;
	struct fw_rsc_carveout c;
	uint8_t unaligned[80];

	(void)state;
	r = rsc;
	r.version = 2;
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	r = rsc;
	r.flags = 1;
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	r = rsc;
	r.size_h2r = 1000;
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	r.size_h2r = 32;
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	r.size_h2r = 1u << 31;
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	c = co;
	c.da = FW_RSC_ADDR_ANY;
	assert_int_equal(rpfw_link_init(&L, &rsc, &c, NULL), RPFW_EINVAL);
	c = co;
	c.da = SHM_DA + 64; /* no memory there */
	assert_int_equal(rpfw_link_init(&L, &rsc, &c, NULL), RPFW_EINVAL);
	c = co;
	c.len = LINK_SHM_SIZE(N1, N2) - 1;
	assert_int_equal(rpfw_link_init(&L, &rsc, &c, NULL), RPFW_EINVAL);
	memcpy(unaligned + 1, &rsc, sizeof(rsc));
	assert_int_equal(rpfw_link_init(&L, unaligned + 1, &co, NULL),
			 RPFW_EINVAL);
	assert_int_equal(notifies, 0);
	assert_int_equal(H.rp->session, 0); /* nothing written */
	assert_int_equal(rpfw_link_mtu(&L), 0);
	assert_int_equal(rpfw_link_init(&L, &rsc, &co, NULL), 0);
	assert_int_equal(rpfw_link_mtu(&L), link_mtu(N2));
	assert_int_equal(rpfw_link_notified(&L, KICK_ID + 1), RPFW_ENOENT);
	/* endpoints: names, duplicates, slots */
	assert_null(rpfw_link_create_ept(&L, "a", NULL, NULL));
	assert_null(rpfw_link_create_ept(&L, "", rx_cb, NULL));
	assert_null(rpfw_link_create_ept(&L, NULL, rx_cb, NULL));
	assert_null(rpfw_link_create_ept(
		&L, "0123456789012345678901234567890123", rx_cb, NULL));
	assert_non_null(rpfw_link_create_ept(
		&L, "0123456789012345678901234567890", rx_cb, NULL));
	assert_non_null(rpfw_link_create_ept(&L, "a", rx_cb, NULL));
	assert_null(rpfw_link_create_ept(&L, "a", rx_cb, NULL));
	/* names are kept by pointer: static ones */
	for (int i = 2; i < RPFW_LINK_MAX_EPT; i++)
		assert_non_null(
			rpfw_link_create_ept(&L, names[i - 2], rx_cb, NULL));
	assert_null(rpfw_link_create_ept(&L, "full", rx_cb, NULL));
}

static void echo_and_pads(void **state)
{
	struct rpfw_link_ept *e;
	uint32_t id, rid, len, hid = 9;
	uint8_t buf[600], got[600];

	(void)state;
	e = up_and_bound(&id);
	for (uint32_t i = 0; i < 300; i++) {
		uint32_t n = (i * 97u) % (link_mtu(N1) + 1);

		memset(buf, (int)i, n);
		host_write(id, buf, n);
		assert_int_equal(rpfw_link_poll(&L), 1);
		assert_ptr_equal(G.last_ept, e);
		assert_int_equal(G.last_len, n);
		assert_memory_equal(G.last, buf, n);
		assert_int_equal(rpfw_link_send(e, buf, n), 0);
		assert_true(host_read(&rid, got, &len));
		assert_int_equal(rid, hid);
		assert_int_equal(len, n);
		assert_memory_equal(got, buf, n);
	}
	assert_int_equal(rpfw_link_send(e, buf, link_mtu(N2) + 1),
			 RPFW_EMSGSIZE);
	/* a host BIND is answered with an ACK */
	host_ctl(LINK_CTL_BIND, 11, "a");
	rpfw_link_poll(&L);
	expect_ctl(LINK_CTL_ACK, "a", &rid);
	assert_int_equal(e->remote, 11);
	/* UNBIND for another id: ignored; for ours: unbound */
	host_ctl(LINK_CTL_UNBIND, 9, "a");
	rpfw_link_poll(&L);
	assert_true(rpfw_link_bound(e));
	host_ctl(LINK_CTL_UNBIND, 11, "a");
	rpfw_link_poll(&L);
	assert_false(rpfw_link_bound(e));
	assert_int_equal(G.unbound, 1);
	assert_int_equal(rpfw_link_send(e, "x", 1), RPFW_ENOTCONN);
	/* created while up: announced at once; destroyed: UNBIND */
	host_ctl(LINK_CTL_BIND, 12, "b");
	rpfw_link_poll(&L);
	assert_false(host_read(&rid, got, &len)); /* no "b" yet */
	e = rpfw_link_create_ept(&L, "b", rx_cb, NULL);
	expect_ctl(LINK_CTL_BIND, "b", &rid);
	assert_int_equal(rid, e->id);
	host_ctl(LINK_CTL_ACK, 12, "b");
	rpfw_link_poll(&L);
	assert_int_equal(e->remote, 12);
	rpfw_link_destroy_ept(e);
	expect_ctl(LINK_CTL_UNBIND, "b", &id);
	assert_int_equal(id, rid);
	/* a message for the destroyed id, and one for the next endpoint in
	 * its slot (new id): only the latter is delivered */
	e = rpfw_link_create_ept(&L, "b", rx_cb, NULL);
	assert_int_not_equal(e->id, rid);
	assert_int_equal(e->id & 0xFF, rid & 0xFF); /* the same slot */
	G.rx = 0;
	host_write(rid, "old", 3);
	host_write(e->id, "new", 3);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.rx, 1);
	assert_memory_equal(G.last, "new", 3);
}

/* A poll of an idle link, up, with our tail and wish out already, stores
 * nothing (the shared memory is read-only meanwhile); what the host
 * writes after it comes. */
static void idle_poll_stores_nothing(void **state)
{
	uint32_t id;
	int i;

	(void)state;
	up_and_bound(&id);
	host_write(id, "hi", 2);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
	for (i = 0; i < 3; i++)
		assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)),
				 0);
	host_write(id, "there", 5);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.last_len, 5);
	assert_memory_equal(G.last, "there", 5);
	assert_int_equal(H.tc->tail, H.head);
}

static void head_jump(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	H.tp->head = H.head + N1 + 4;
	expect_proto(e);
}

static void head_misaligned(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	H.tp->head = H.head + 1;
	expect_proto(e);
}

static void len_past_head(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_raw(LINK_REC(id, 64), 8);
	expect_proto(e);
	assert_int_equal(G.rx, 0);
}

static void record_crosses_end(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t big[N1];

	(void)state;
	memset(big, 0, sizeof(big));
	host_write(id, big, N1 - 8 - H.head - 4);
	assert_int_equal(H.head, N1 - 8);
	assert_int_equal(rpfw_link_poll(&L), 1);
	host_raw(LINK_REC(id, 32), 36);
	expect_proto(e);
}

static void pad_past_head(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_raw(LINK_REC(LINK_EPT_PAD, 0), 4);
	expect_proto(e);
}

static void ept_ids_past_slots(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	/* a free slot, another generation of ours: dropped */
	host_write(id + 1, "x", 1);
	host_write(id + 0x3700, "x", 1);
	host_write(RPFW_LINK_MAX_EPT | 0xFE00, "x", 1);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 0);
	/* past the slots: a violation */
	host_write(RPFW_LINK_MAX_EPT + 1, "x", 1);
	expect_proto(e);
}

static void ept_id_zero_slot(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_write(0x0100, "x", 1); /* slot byte 0: no slot */
	expect_proto(e);
}

static void bad_control(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	struct link_ctl m;
	uint8_t got[64];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.op = LINK_CTL_BIND;
	m.id = 20;
	memcpy(m.name, "a", 2);
	host_write(LINK_EPT_CTL, &m, sizeof(m) - 4); /* short */
	m.op = 0;
	host_write(LINK_EPT_CTL, &m, sizeof(m));
	m.op = 9;
	host_write(LINK_EPT_CTL, &m, sizeof(m));
	m.op = LINK_CTL_BIND;
	m.id = 0;
	host_write(LINK_EPT_CTL, &m, sizeof(m));
	m.id = LINK_EPT_PAD;
	host_write(LINK_EPT_CTL, &m, sizeof(m));
	m.id = 20;
	memset(m.name, 'a', sizeof(m.name)); /* unterminated "aaa..." */
	host_write(LINK_EPT_CTL, &m, sizeof(m));
	rpfw_link_poll(&L);
	assert_int_equal(e->remote, 9);
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(rpfw_link_ready(&L), 1);
}

static void bad_tail(uint32_t tail_off)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t buf[400];
	int ret;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(rpfw_link_send(e, buf, sizeof(buf)), 0);
	assert_true(host_read(&rid, buf, &len));
	while (!(ret = rpfw_link_send(e, buf, sizeof(buf))))
		;
	assert_int_equal(ret, RPFW_EAGAIN);
	/* it asked for a doorbell when room comes */
	assert_int_not_equal(H.rp->space_event, LINK_EVENT_NONE);
	H.rc->tail = H.tail + tail_off;
	assert_int_equal(rpfw_link_send(e, buf, sizeof(buf)), RPFW_EPROTO);
	expect_proto(e);
}

static void tail_backwards(void **state)
{
	(void)state;
	bad_tail((uint32_t)-4);
}

static void tail_past_head(void **state)
{
	(void)state;
	bad_tail(N2); /* the host's tail past our head */
}

static void tail_misaligned(void **state)
{
	(void)state;
	bad_tail(2);
}

/* The host restarts with records of its old session in the ring. */
static void host_restarts_mid_stream(void **state)
{
	uint32_t id, rid, len, old;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t got[64];

	(void)state;
	old = H.rp->session;
	host_write(id, "one", 3);
	host_write(id, "two", 3);
	host_session(6);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 0);
	assert_int_equal(G.reset, 1);
	assert_false(rpfw_link_bound(e));
	/* our new session, the host's accepted */
	assert_int_not_equal(H.rp->session, old);
	assert_int_not_equal(H.rp->session, 0);
	assert_int_equal(H.tc->ack, 6);
	assert_int_equal(H.rp->head, 0);
	assert_int_equal(rpfw_link_send(e, "x", 1), RPFW_ENOTCONN);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	assert_int_equal(G.up, 2);
	expect_ctl(LINK_CTL_BIND, "a", &rid);
	host_ctl(LINK_CTL_ACK, 9, "a");
	host_write(id, "hi", 2);
	assert_int_equal(rpfw_link_poll(&L), 1); /* the ACK, then "hi" */
	assert_int_equal(G.rx, 1);
	assert_int_equal(rpfw_link_send(e, "yo", 2), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(rid, 9);
	/* the host leaves: reset, waiting */
	H.tp->session = 0;
	assert_int_equal(rpfw_link_ready(&L), 0);
	assert_int_equal(G.reset, 2);
	/* the host acknowledging something else while up is a reset too */
	host_session(7);
	rpfw_link_poll(&L);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	H.rc->ack = 12345;
	assert_int_equal(rpfw_link_ready(&L), 0);
	assert_int_equal(G.reset, 3);
}

/* A restarted firmware does not accept the host session its previous life
 * had accepted (the host does not know yet): it waits for the host's next. */
static void firmware_restart_refuses_stale_session(void **state)
{
	uint32_t id, s0;

	(void)state;
	up_and_bound(&id);
	s0 = H.rp->session;
	host_write(id, "in flight", 9);
	/* reboot: static storage cleared, the same shared memory */
	memset(&L, 0, sizeof(L));
	assert_int_equal(rpfw_link_init(&L, &rsc, &co, NULL), 0);
	L.event = ev_cb;
	assert_int_not_equal(H.rp->session, s0);
	assert_int_not_equal(H.rp->session, 0);
	assert_non_null(rpfw_link_create_ept(&L, "a", rx_cb, NULL));
	G.rx = 0;
	assert_int_equal(rpfw_link_ready(&L), 0);
	assert_int_equal(H.tc->ack, 0); /* session 5 not accepted again */
	assert_int_equal(G.rx, 0);
	/* the host saw the new session: its own new one is accepted */
	host_session(6);
	assert_int_equal(rpfw_link_ready(&L), 0);
	assert_int_equal(H.tc->ack, 6);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	assert_int_equal(G.rx, 0);
}

static void keep_for_later(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint32_t t0 = H.tc->tail;

	(void)state;

	host_write(id, "one", 3);
	host_write(id, "two", 3);
	G.keep = 1; /* the first delivery says "later" */
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 0);
	assert_int_equal(H.tc->tail, t0); /* nothing consumed */
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(G.rx, 2);
	assert_memory_equal(G.last, "two", 3);
	(void)e;
}

/* A host that keeps producing: one poll stops after a ring's worth (its
 * interrupts masked that long at most), pending says "again", nothing is
 * lost. */
static void bounded_poll(void **state)
{
	uint32_t id;
	int n, polls = 0, total;

	(void)state;
	up_and_bound(&id);
	G.refill = id;
	host_write(id, "12345678", 8);
	G.written = 1;
	n = rpfw_link_poll(&L);
	assert_true(n > 0);
	assert_true(n * LINK_REC_SIZE(8) <= N1 + LINK_REC_SIZE(8));
	assert_true(rpfw_link_pending(&L));
	total = n;
	G.refill = 0;
	while (rpfw_link_pending(&L) && polls++ < 10) {
		n = rpfw_link_poll(&L);
		assert_true(n >= 0);
		total += n;
	}
	assert_false(rpfw_link_pending(&L));
	assert_int_equal(total, G.written);
	assert_int_equal(G.rx, G.written);
	assert_int_equal(H.tc->tail, H.head);
}

static void zero_copy(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t got[600];
	void *buf;

	(void)state;
	assert_int_equal(rpfw_link_commit(e, 0), RPFW_EINVAL);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(rpfw_link_reserve(e, 500, &buf), 0);
		assert_int_equal((uintptr_t)buf & 3, 0);
		assert_true((uint8_t *)buf >= H.rd &&
			    (uint8_t *)buf + 500 <= H.rd + N2);
		assert_int_equal(rpfw_link_send(e, "x", 1), RPFW_EBUSY);
		memset(buf, i, 300);
		assert_int_equal(rpfw_link_commit(e, 501), RPFW_EINVAL);
		assert_int_equal(rpfw_link_commit(e, 300), 0);
		assert_int_equal(rpfw_link_commit(e, 300), RPFW_EINVAL);
		assert_true(host_read(&rid, got, &len));
		assert_int_equal(len, 300);
		assert_int_equal(got[299], i);
	}
	/* a reserve without commit is forgotten */
	assert_int_equal(rpfw_link_reserve(e, 100, &buf), 0);
	assert_int_equal(rpfw_link_reserve(e, 100, &buf), 0);
	assert_int_equal(rpfw_link_commit(e, 4), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 4);
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(rpfw_link_reserve(e, link_mtu(N2) + 1, &buf),
			 RPFW_EMSGSIZE);
}

/* An endpoint destroyed while bound, with no room in the ring for its
 * UNBIND: no more callbacks, its slot stays taken (and records for it are
 * dropped) until there is room; then the UNBIND goes out with its id and
 * name, and the slot is free again. */
static void unbind_waits_for_room(void **state)
{
	uint32_t id, rid, len, n = 0;
	struct rpfw_link_ept *e = up_and_bound(&id), *c, *d;
	uint8_t got[128];

	(void)state;
	/* fill the ring: less room than an UNBIND's 44 bytes is left */
	while (rpfw_link_send(e, got, 100) == 0)
		n++;
	while (rpfw_link_send(e, got, 4) == 0)
		n++;
	assert_true(n > 8);
	rpfw_link_destroy_ept(e);
	assert_null(e->cb);
	assert_false(rpfw_link_bound(e));
	/* the slot is taken: a new endpoint (even of the same name) gets
	 * another one */
	c = rpfw_link_create_ept(&L, "a", rx_cb, NULL);
	assert_non_null(c);
	assert_ptr_not_equal(c, e);
	/* a message the host sent before it heard: dropped */
	host_write(id, "late", 4);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 0);
	/* the host reads everything: room; the next poll sends the UNBIND,
	 * then the new endpoint's BIND */
	while (n--)
		assert_true(host_read(&rid, got, &len));
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(rpfw_link_poll(&L), 0);
	expect_ctl(LINK_CTL_UNBIND, "a", &rid);
	assert_int_equal(rid, id);
	expect_ctl(LINK_CTL_BIND, "a", &rid);
	assert_int_equal(rid, c->id);
	assert_false(host_read(&rid, got, &len));
	/* the slot is free again, for an endpoint of a new generation */
	d = rpfw_link_create_ept(&L, "d", rx_cb, NULL);
	assert_ptr_equal(d, e);
	assert_int_not_equal(d->id, id);
	assert_int_equal(d->id & 0xFF, id & 0xFF);
}

/* And a new session forgets an UNBIND still waiting: the host has
 * forgotten the binding with its own session. */
static void unbind_forgotten_by_reset(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t got[128];

	(void)state;
	while (rpfw_link_send(e, got, 100) == 0)
		;
	while (rpfw_link_send(e, got, 4) == 0)
		;
	rpfw_link_destroy_ept(e);
	/* the host restarts: session 6, everything it had forgotten */
	host_session(6);
	assert_int_equal(rpfw_link_poll(&L), 0);
	host_accept();
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(rpfw_link_ready(&L), 1);
	/* nothing about "a" in the new session, and its slot is free */
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(e->id, 0);
	assert_ptr_equal(rpfw_link_create_ept(&L, "e", rx_cb, NULL), e);
}

/* Doorbells only when the other side asked. */
static void suppression(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t got[64];
	unsigned n;

	(void)state;
	/* the host busy (its data_event behind our head): no doorbell */
	H.rc->data_event = H.rp->head - 1;
	n = notifies;
	for (int i = 0; i < 5; i++)
		assert_int_equal(rpfw_link_send(e, "abcd", 4), 0);
	assert_int_equal(notifies, n);
	/* idle at our head: one doorbell, for the first only */
	H.rc->data_event = H.rp->head;
	assert_int_equal(rpfw_link_send(e, "abcd", 4), 0);
	assert_int_equal(rpfw_link_send(e, "abcd", 4), 0);
	assert_int_equal(notifies, n + 1);
	while (host_read(&rid, got, &len))
		;
	/* the firmware, idle, arms its data_event at its tail */
	assert_int_equal(H.tc->data_event, H.tc->tail);
	/* consuming rings the host only past its space_event */
	H.tp->space_event = H.tc->tail + 100;
	n = notifies;
	host_write(id, "0123456789", 10);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(notifies, n);
	host_write(id, got, 60);
	host_write(id, got, 60);
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(notifies, n + 1);
	/* a poll delivering replies rings once for all */
	H.rc->data_event = H.rp->head;
	H.tp->space_event = LINK_EVENT_NONE;
	n = notifies;
	G.rx = 0;
	for (int i = 0; i < 3; i++)
		host_write(id, "e", 1);
	assert_int_equal(rpfw_link_poll(&L), 3);
	assert_int_equal(notifies, n);
}

/* The host's head @n bytes before the end of the data area (one message
 * delivered to get there). */
static void host_near_end(uint32_t id, uint32_t n)
{
	static uint8_t big[N1];

	memset(big, 0, sizeof(big));
	host_write(id, big, N1 - n - (H.head & (N1 - 1)) - 4);
	assert_int_equal(H.head & (N1 - 1), N1 - n);
	assert_int_equal(rpfw_link_poll(&L), 1);
	G.rx = 0;
	G.nlog = 0;
}

/* Messages @s, one per character (9..16 bytes each), for @id. */
static void host_msgs(uint32_t id, const char *s)
{
	char msg[16];

	for (unsigned i = 0; s[i]; i++) {
		memset(msg, s[i], sizeof(msg));
		host_write(id, msg, 9 + i % 8);
	}
}

/* One poll delivers a batch that crosses the end of the data area (a pad
 * in it; two pieces), in order, and frees all of it. */
static void batch_across_end(void **state)
{
	uint32_t id;

	(void)state;
	up_and_bound(&id);
	host_near_end(id, 60);
	host_msgs(id, "abcdefghijklmnopqrst");
	assert_true(H.head > N1);
	assert_int_equal(rpfw_link_poll(&L), 20);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcdefghijklmnopqrst");
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
}

/* A message kept for later in the second piece: what came before is
 * freed (the tail published at the kept one), the rest comes next poll. */
static void keep_after_end(void **state)
{
	uint32_t id, kept;

	(void)state;
	up_and_bound(&id);
	host_near_end(id, 60);
	host_msgs(id, "abcdefghij");
	G.keep_at = 7; /* "h", after the pad */
	assert_int_equal(rpfw_link_poll(&L), 7);
	kept = H.tc->tail;
	assert_true(kept > N1 && kept < H.head);
	assert_int_equal(rpfw_link_poll(&L), 3);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcdefghij");
	assert_int_equal(H.tc->tail, H.head);
}

/* A violation after good records of the same batch, past the end: the
 * good ones delivered, nothing after it, nothing freed, the link failed. */
static void violation_after_end(void **state)
{
	uint32_t id, t0;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_near_end(id, 60);
	t0 = H.tc->tail;
	host_msgs(id, "abcdef");
	host_write(RPFW_LINK_MAX_EPT + 1, "x", 1); /* past the slots */
	host_msgs(id, "gh");
	assert_int_equal(rpfw_link_poll(&L), RPFW_EPROTO);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcdef");
	assert_int_equal(H.tc->tail, t0);
	expect_proto(e);
	assert_int_equal(G.rx, 6);
}

/* A callback's send finds the host's tail bad: the link fails at once,
 * and the rest of the batch is not delivered. */
static void fail_in_callback(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t buf[400];
	int ret;

	(void)state;
	memset(buf, 0, sizeof(buf));
	/* our ring full, the host's view of it stale */
	assert_int_equal(rpfw_link_send(e, buf, sizeof(buf)), 0);
	assert_true(host_read(&rid, buf, &len));
	while (!(ret = rpfw_link_send(e, buf, 1))) /* to the last word */
		;
	assert_int_equal(ret, RPFW_EAGAIN);
	H.rc->tail = H.tail - 4; /* backwards */
	G.echo = 1;
	host_msgs(id, "abcd");
	assert_int_equal(rpfw_link_poll(&L), RPFW_EPROTO);
	assert_int_equal(G.echo_ret, RPFW_EPROTO);
	assert_int_equal(G.rx, 1);
	expect_proto(e);
	assert_int_equal(G.rx, 1);
}

/* Control messages and messages for free slots between deliveries, in
 * one batch: each handled in order. */
static void mixed_batch(void **state)
{
	uint32_t id, rid;
	struct rpfw_link_ept *e = up_and_bound(&id), *b;

	(void)state;
	b = rpfw_link_create_ept(&L, "b", rx_cb, NULL);
	assert_non_null(b);
	expect_ctl(LINK_CTL_BIND, "b", &rid);
	host_msgs(id, "ab");
	host_ctl(LINK_CTL_ACK, 21, "b");
	host_msgs(b->id, "cd");
	host_write(b->id + 1, "x", 1); /* a free slot: dropped */
	host_msgs(id, "ef");
	host_ctl(LINK_CTL_UNBIND, 9, "a");
	host_msgs(b->id, "g");
	assert_int_equal(rpfw_link_poll(&L), 7);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcdefg");
	assert_int_equal(b->remote, 21);
	assert_false(rpfw_link_bound(e));
	assert_int_equal(H.tc->tail, H.head);
}

/* Up, bound (endpoint id in *@id) and polled (turning it on stores
 * nothing); the host waits for no room. */
static struct rpfw_link_ept *up_polled(uint32_t *id)
{
	struct rpfw_link_ept *e = up_and_bound(id);

	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tp->space_event, LINK_EVENT_NONE);
	if (shm_mapped)
		assert_int_equal(
			NO_STORE(shm, shm_mapped, rpfw_link_set_polled(&L, 1)),
			0);
	else
		assert_int_equal(rpfw_link_set_polled(&L, 1), 0);
	return e;
}

/* Polled, records are delivered while our tail and data_event stay as
 * they were: a delivering poll stores nothing to the shared memory (read
 * only meanwhile).  Four bytes short of a quarter of the ring consumed
 * and unpublished, still nothing; a quarter exactly: the tail is published,
 * at the host's head, without a doorbell, and the count starts again. */
static void polled_publishes_lazily(void **state)
{
	static uint8_t big[N1 / 4];
	uint32_t id, t0, ev0;
	unsigned n0;
	int i;

	(void)state;
	up_polled(&id);
	t0 = H.tc->tail;
	ev0 = H.tc->data_event;
	n0 = notifies;
	for (i = 1; i <= 4; i++) {
		host_write(id, "abcd", 4);
		assert_int_equal(rpfw_link_poll(&L), 1);
		assert_int_equal(G.rx, i);
		assert_int_equal(H.tc->tail, t0);
		assert_int_equal(H.tc->data_event, ev0);
	}
	host_write(id, "e", 1);
	assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)), 1);
	assert_int_equal(G.rx, 5);
	assert_int_equal(G.last_len, 1);
	assert_memory_equal(G.last, "e", 1);
	assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)), 0);
	/* to four bytes short of a quarter */
	memset(big, 'B', sizeof(big));
	host_write(id, big, N1 / 4 - (H.head - t0) - 8);
	assert_int_equal(H.head - t0, N1 / 4 - 4);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.rx, 6);
	assert_int_equal(H.tc->tail, t0);
	/* an empty message: a quarter exactly */
	host_write(id, "", 0);
	assert_int_equal(H.head - t0, N1 / 4);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.rx, 7);
	assert_int_equal(G.last_len, 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, ev0);
	assert_int_equal(notifies, n0);
	/* counted from the new publication: nothing stored again */
	t0 = H.tc->tail;
	host_write(id, "f", 1);
	assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)), 1);
	assert_int_equal(G.rx, 8);
	assert_int_equal(H.tc->tail, t0);
	assert_int_equal(H.tc->data_event, ev0);
	assert_int_equal(notifies, n0);
}

/* Polled, the host waiting for room (its space_event) at an index in
 * [published tail, consumed tail): the next poll, delivering nothing,
 * publishes the consumed tail and rings the host, once.  A space_event
 * outside it (none, at the consumed tail, before the published one, or
 * ahead) gets neither: no store at all.  Records taken in the pass that
 * passes the space_event count too. */
static void polled_space_event(void **state)
{
	uint32_t id, pub, ev0, outside[4];
	unsigned n0, i;

	(void)state;
	up_polled(&id);
	pub = H.tc->tail;
	ev0 = H.tc->data_event;
	n0 = notifies;
	host_msgs(id, "abc");
	assert_true(H.head - pub < N1 / 4);
	assert_int_equal(rpfw_link_poll(&L), 3);
	assert_int_equal(H.tc->tail, pub);
	assert_int_equal(notifies, n0);
	/* none; at the consumed tail; before the published one; ahead of
	 * the consumed one */
	outside[0] = LINK_EVENT_NONE;
	outside[1] = H.head;
	outside[2] = pub - 4;
	outside[3] = H.head + 100;
	for (i = 0; i < 4; i++) {
		H.tp->space_event = outside[i];
		assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)),
				 0);
		assert_int_equal(H.tc->tail, pub);
		assert_int_equal(notifies, n0);
	}
	/* at the published tail: published, rung once */
	H.tp->space_event = pub;
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, ev0);
	assert_int_equal(notifies, n0 + 1);
	/* published now: the same space_event is behind it */
	assert_int_equal(NO_STORE(shm, shm_mapped, rpfw_link_poll(&L)), 0);
	assert_int_equal(notifies, n0 + 1);
	/* a space_event inside what one poll takes: published and rung by
	 * that poll */
	pub = H.tc->tail;
	host_msgs(id, "de");
	H.tp->space_event = pub + 8;
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, ev0);
	assert_int_equal(notifies, n0 + 2);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(notifies, n0 + 2);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcde");
}

/* Turning polled mode off publishes what was consumed and arms the
 * doorbell (data_event at the tail): with nothing pending it returns 0;
 * with a record pending it delivers it (1) and publishes past it; with
 * the tail published already (a quarter) it still arms.  Off, a poll
 * publishes at once again. */
static void polled_off_arms(void **state)
{
	static uint8_t big[N1 / 4];
	uint32_t id, t0;
	unsigned n0;

	(void)state;
	up_polled(&id);
	t0 = H.tc->tail;
	n0 = notifies;
	host_msgs(id, "ab");
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(H.tc->tail, t0);
	assert_int_equal(H.tc->data_event, t0);
	assert_int_equal(rpfw_link_set_polled(&L, 0), 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
	assert_int_equal(G.rx, 2);
	/* a record consumed, another pending when it is turned off */
	assert_int_equal(rpfw_link_set_polled(&L, 1), 0);
	t0 = H.tc->tail;
	host_msgs(id, "c");
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(H.tc->tail, t0);
	host_msgs(id, "d");
	assert_int_equal(rpfw_link_set_polled(&L, 0), 1);
	assert_int_equal(G.rx, 4);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
	/* the tail published by the quarter rule, data_event behind it */
	assert_int_equal(rpfw_link_set_polled(&L, 1), 0);
	t0 = H.tc->tail;
	memset(big, 'e', sizeof(big));
	host_write(id, big, N1 / 4 - 4);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, t0);
	assert_int_equal(rpfw_link_set_polled(&L, 0), 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
	/* off: the next record published by its poll */
	host_msgs(id, "f");
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
	assert_int_equal(notifies, n0);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "abcdef");
}

/* Polled, a callback keeping its message for later (RPFW_EAGAIN): the
 * next poll delivers it again, and what is published, by the quarter rule
 * or for the host's space_event, stops at the kept record. */
static void polled_keep(void **state)
{
	static uint8_t big[N1 / 4];
	uint32_t id, t0, kept;
	unsigned n0;

	(void)state;
	up_polled(&id);
	t0 = H.tc->tail;
	n0 = notifies;
	/* a quarter, then "k" kept and "z" behind it */
	memset(big, 'B', sizeof(big));
	host_write(id, big, N1 / 4 - 4);
	kept = H.head;
	host_msgs(id, "kz");
	G.keep_at = 1;
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.rx, 1);
	assert_int_equal(kept - t0, N1 / 4);
	assert_int_equal(H.tc->tail, kept);
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(G.rx, 3);
	assert_int_equal(H.tc->tail, kept); /* 2 records unpublished */
	/* "p" kept with the host waiting for room just before it */
	kept = H.head;
	host_msgs(id, "pq");
	H.tp->space_event = kept - 4;
	G.keep = 1;
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 3);
	assert_int_equal(H.tc->tail, kept);
	assert_int_equal(notifies, n0 + 1);
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(H.tc->tail, kept);
	assert_int_equal(notifies, n0 + 1);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "Bkzpq");
	assert_int_equal(rpfw_link_set_polled(&L, 0), 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(H.tc->data_event, H.head);
}

/* Polled, with a quarter published and more consumed unpublished, the
 * host restarts (records of its old session in the ring): after the new
 * handshake our tail is 0, the new session's records are delivered from
 * position 0 and published from 0 (not before a quarter; at the host's
 * space_event 0). */
static void polled_reset(void **state)
{
	static uint8_t big[N1 / 4];
	uint32_t id, rid, t0;
	struct rpfw_link_ept *e = up_polled(&id);
	unsigned n0;

	(void)state;
	t0 = H.tc->tail;
	memset(big, 'B', sizeof(big));
	host_write(id, big, N1 / 4 - 4);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(H.tc->tail, t0 + N1 / 4);
	host_msgs(id, "ab");
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(H.tc->tail, t0 + N1 / 4);
	host_msgs(id, "cd"); /* not read */
	host_session(6);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 3);
	assert_int_equal(G.reset, 1);
	assert_int_equal(H.tc->ack, 6);
	assert_int_equal(H.tc->tail, 0);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	expect_ctl(LINK_CTL_BIND, "a", &rid);
	host_ctl(LINK_CTL_ACK, 9, "a");
	host_msgs(id, "xy");
	assert_true(H.head < N1 / 4);
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(e->remote, 9); /* the ACK at position 0 */
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "Babxy");
	assert_int_equal(H.tc->tail, 0);
	assert_int_equal(H.tc->data_event, 0);
	n0 = notifies;
	H.tp->space_event = 0;
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(notifies, n0 + 1);
}

/* The host -> remote indices of both sides, idle and caught up, moved to
 * @x, at the same position in the data area: a session that has carried
 * nearly 4 GiB without passing it through.  The firmware's private ones
 * too (rx.idx consumed, rx.peer published): white box. */
static void h2r_skip_to(uint32_t x)
{
	assert_int_equal(x & (N1 - 1), H.head & (N1 - 1));
	assert_int_equal(L.rx.idx, H.head);
	assert_int_equal(L.rx.peer, H.head);
	assert_int_equal(H.tc->tail, H.head);
	H.head = x;
	H.tp->head = x;
	H.tc->tail = x;
	H.tc->data_event = x;
	L.rx.idx = L.rx.peer = x;
}

/* polled_reset() where the old session's published tail lies less than a
 * quarter before 2^32 (and 0): the first pass of the new session, at 0,
 * does not publish for it, so a published tail kept from the old session
 * would count the new session's first records as a quarter unpublished.
 * Our published tail starts from 0 too: not published before a quarter. */
static void polled_reset_near_wrap(void **state)
{
	static uint8_t big[N1 / 4];
	uint32_t id, rid, pub;
	int i;

	(void)state;
	up_polled(&id);
	h2r_skip_to(-N1 + (H.head & (N1 - 1)));
	memset(big, 'B', sizeof(big));
	for (i = 0; i < 3; i++) {
		host_write(id, big, N1 / 4 - 4);
		assert_int_equal(rpfw_link_poll(&L), 1);
		assert_int_equal(H.tc->tail, H.head);
	}
	pub = H.tc->tail;
	assert_true(-pub < N1 / 4);
	host_msgs(id, "ab");
	assert_int_equal(rpfw_link_poll(&L), 2);
	assert_int_equal(H.tc->tail, pub);
	/* the host restarts; the new session's first records */
	host_session(6);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(H.tc->ack, 6);
	assert_int_equal(H.tc->tail, 0);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	expect_ctl(LINK_CTL_BIND, "a", &rid);
	host_ctl(LINK_CTL_ACK, 9, "a");
	host_msgs(id, "xy");
	assert_true(H.head < N1 / 4 && H.head - pub >= N1 / 4);
	assert_int_equal(rpfw_link_poll(&L), 2);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "BBBabxy");
	assert_int_equal(H.tc->tail, 0);
}

static void fuzz(void **state)
{
	uint32_t id, seed = 0xC0FFEEu, rid, len, *w;
	uint8_t buf[600], got[1100];
	struct rpfw_link_ept *e = up_and_bound(&id);
	int protos = 0;

	(void)state;
	memset(buf, 7, sizeof(buf));
	for (int i = 0; i < 30000; i++) {
		uint32_t r = rnd(&seed);

		switch (r % 8) {
		case 0:
			w = (uint32_t *)(void *)(uintptr_t)H.tp;
			w[rnd(&seed) % 3] = rnd(&seed) & (r & 8 ? 0x7FFu : ~0u);
			break;
		case 1:
			w = (uint32_t *)(void *)(uintptr_t)H.rc;
			w[rnd(&seed) % 3] = rnd(&seed) & (r & 8 ? 0x7FFu : ~0u);
			break;
		case 2:
			w = (uint32_t *)(void *)H.td;
			w[rnd(&seed) % (N1 / 4)] = rnd(&seed);
			break;
		case 3:
			host_write(r & 16 ? id : rnd(&seed) % 200, buf,
				   rnd(&seed) % 500);
			break;
		case 4:
			rpfw_link_send(e, buf, rnd(&seed) % 520);
			break;
		case 5:
			if (H.rp->head - H.tail > N2)
				H.tail = H.rp->head;
			while (H.tail != H.rp->head) {
				uint32_t h, pos = H.tail & (N2 - 1), rec;

				memcpy(&h, H.rd + pos, 4);
				rec = LINK_REC_EPT(h) == LINK_EPT_PAD
					      ? N2 - pos
					      : LINK_REC_SIZE(LINK_REC_PLEN(h));
				/* out of step after a renew: catch up */
				if (rec > H.rp->head - H.tail)
					rec = H.rp->head - H.tail;
				H.tail += rec;
			}
			H.rc->tail = H.tail;
			break;
		default:
			rpfw_link_poll(&L);
		}
		if (L.err || (r % 1024) == 5) {
			protos += L.err != 0;
			memset(&L, 0, sizeof(L));
			assert_int_equal(rpfw_link_init(&L, &rsc, &co, NULL),
					 0);
			e = rpfw_link_create_ept(&L, "a", rx_cb, NULL);
			host_session(rnd(&seed) | 1);
			rpfw_link_poll(&L);
			host_accept();
		}
	}
	print_message("fuzz: 30000 steps, %d protocol errors caught\n", protos);
	assert_true(protos > 0);
	(void)rid;
	(void)len;
	(void)got;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(init_errors),
		T(echo_and_pads),
		cmocka_unit_test_setup_teardown(idle_poll_stores_nothing,
						setup_mapped, teardown),
		T(head_jump),
		T(head_misaligned),
		T(len_past_head),
		T(record_crosses_end),
		T(pad_past_head),
		T(ept_ids_past_slots),
		T(ept_id_zero_slot),
		T(bad_control),
		T(tail_backwards),
		T(tail_past_head),
		T(tail_misaligned),
		T(host_restarts_mid_stream),
		T(firmware_restart_refuses_stale_session),
		T(keep_for_later),
		T(bounded_poll),
		T(zero_copy),
		T(unbind_waits_for_room),
		T(unbind_forgotten_by_reset),
		T(suppression),
		T(batch_across_end),
		T(keep_after_end),
		T(violation_after_end),
		T(fail_in_callback),
		T(mixed_batch),
		cmocka_unit_test_setup_teardown(polled_publishes_lazily,
						setup_mapped, teardown),
		cmocka_unit_test_setup_teardown(polled_space_event,
						setup_mapped, teardown),
		T(polled_off_arms),
		T(polled_keep),
		T(polled_reset),
		T(polled_reset_near_wrap),
		T(fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
