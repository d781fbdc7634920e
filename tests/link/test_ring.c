/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_ring: the host link against a hostile remote that the test plays
 * itself, writing the shared memory word by word (no firmware code, no
 * threads: rproc_link_poll() runs the host side).  The handshake, binding
 * and echo by the book, pads at the end of the ring both ways; then index
 * jumps past the ring, misaligned heads, records longer than what was
 * written or crossing the end, endpoint ids out of range (-EPROTO: the
 * link goes down, endpoints unbind, the host says "left", the next boot
 * brings it back); messages to unknown endpoints and malformed control
 * messages (dropped and counted, the link stays up); a session change in
 * the middle of a stream (nothing of the old session delivered, peer
 * reset, a new handshake); a tail that moves backwards or past our head;
 * an idle poll that stores nothing (the shared memory read-only).
 * Polled mode (rproc_link_set_polled()): the tail published only when we
 * wait for room inside what the host consumed (with a doorbell) or a
 * quarter of the ring is unpublished, nothing stored otherwise, no
 * doorbell armed; turning it off publishes and arms.
 * Then a seeded fuzz loop.  The shared memory ends where the native
 * remote's window ends: any access past it hits the PROT_NONE guard page.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "nostore.h"

/* The remote as the test plays it. */
struct fr {
	struct harness *h;
	volatile struct link_prod *hp; /* h2r producer: the host's */
	volatile struct link_cons *hc; /* h2r consumer: ours */
	uint8_t *hd;
	volatile struct link_prod *rp; /* r2h producer: ours */
	volatile struct link_cons *rc; /* r2h consumer: the host's */
	uint8_t *rd;
	uint32_t n1, n2;
	uint32_t head; /* ours, r2h */
	uint32_t tail; /* ours, h2r */
};

static struct fr F;

/* What the host's endpoints got. */
static struct {
	int rx, unbinds, reason, bound, up, down, down_reason, resets;
	char last[4096];
	size_t last_len;
	char log[512]; /* the first byte of each message, in order */
	size_t nlog;
	char destroy_on; /* a message starting so destroys victim */
	struct rproc_link_ept *victim;
	void (*on_rx)(const void *data, size_t len); /* a check, if set */
} G;

static int rx_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		 void *priv)
{
	(void)ept;
	(void)priv;
	G.rx++;
	G.last_len = len;
	memcpy(G.last, data, len < sizeof(G.last) ? len : sizeof(G.last));
	if (len && G.nlog < sizeof(G.log) - 1)
		G.log[G.nlog++] = *(const char *)data;
	if (len && G.victim && *(const char *)data == G.destroy_on) {
		rproc_link_ept_destroy(G.victim); /* another endpoint's */
		G.victim = NULL;
	}
	if (G.on_rx)
		G.on_rx(data, len);
	return 0;
}

static void unbind_cb(struct rproc_link_ept *ept, int reason, void *priv)
{
	(void)ept;
	(void)priv;
	G.unbinds++;
	G.reason = reason;
}

static void ev_up(void *ctx, struct rproc_link *l)
{
	(void)ctx;
	(void)l;
	G.up++;
}

static void ev_down(void *ctx, struct rproc_link *l, int reason)
{
	(void)ctx;
	(void)l;
	G.down++;
	G.down_reason = reason;
}

static void ev_reset(void *ctx, struct rproc_link *l)
{
	(void)ctx;
	(void)l;
	G.resets++;
}

static void ev_bound(void *ctx, struct rproc_link_ept *e)
{
	(void)ctx;
	(void)e;
	G.bound++;
}

static const struct rproc_link_ops g_ops = {
	.up = ev_up,
	.down = ev_down,
	.peer_reset = ev_reset,
	.bound = ev_bound,
};

static void fr_init(struct harness *h)
{
	uint8_t *shm = lh_shm(h), *win;
	size_t win_size;

	assert_non_null(shm);
	/* the shared memory ends where the window ends: past it is the
	 * guard page */
	win = rproc_native_mem(h->nr, &win_size);
	assert_ptr_equal(shm + LINK_SHM_SIZE(h->cfg.size_h2r, h->cfg.size_r2h),
			 win + win_size);
	F = (struct fr){
		.h = h,
		.n1 = h->cfg.size_h2r,
		.n2 = h->cfg.size_r2h,
		.hp = (volatile void *)(shm + LINK_OFF_H2R_PROD),
		.hc = (volatile void *)(shm + LINK_OFF_H2R_CONS),
		.hd = shm + LINK_OFF_H2R_DATA,
	};
	F.rp = (volatile void *)(shm + LINK_OFF_R2H_PROD(F.n1));
	F.rc = (volatile void *)(shm + LINK_OFF_R2H_CONS(F.n1));
	F.rd = shm + LINK_OFF_R2H_DATA(F.n1);
}

/* Our side of a handshake with session @s: our lines reset, the host's
 * session accepted (acknowledged).  The host completes it at its poll. */
static void fr_handshake(uint32_t s)
{
	F.rp->session = 0;
	F.hc->ack = 0;
	F.rp->head = 0;
	F.rp->space_event = LINK_EVENT_NONE;
	F.hc->tail = 0;
	F.hc->data_event = 0;
	F.head = F.tail = 0;
	F.rp->session = s;
	F.hc->ack = F.hp->session;
}

/* The next record the host wrote (pads skipped): false when none.  Out of
 * step with the host (the fuzz loop scribbles over our lines): catch up. */
static bool fr_read(uint32_t *id, void *buf, uint32_t *len)
{
	uint32_t head = F.hp->head, h, pos;

	for (;;) {
		if (F.tail == head)
			return false;
		pos = F.tail & (F.n1 - 1);
		memcpy(&h, F.hd + pos, 4);
		if (head - F.tail > F.n1 ||
		    (LINK_REC_EPT(h) != LINK_EPT_PAD &&
		     LINK_REC_SIZE(LINK_REC_PLEN(h)) > F.n1 - pos)) {
			F.tail = head;
			F.hc->tail = F.tail;
			return false;
		}
		if (LINK_REC_EPT(h) == LINK_EPT_PAD) {
			F.tail += F.n1 - pos;
			continue;
		}
		*id = LINK_REC_EPT(h);
		*len = LINK_REC_PLEN(h);
		memcpy(buf, F.hd + pos + 4, *len);
		F.tail += LINK_REC_SIZE(*len);
		F.hc->tail = F.tail;
		return true;
	}
}

/* A record by the book (pad first if it would cross the end). */
static void fr_write(uint32_t id, const void *data, uint32_t len)
{
	uint32_t pos = F.head & (F.n2 - 1), rec = LINK_REC_SIZE(len), h;

	if (rec > F.n2 - pos) {
		h = LINK_REC(LINK_EPT_PAD, 0);
		memcpy(F.rd + pos, &h, 4);
		F.head += F.n2 - pos;
		pos = 0;
	}
	h = LINK_REC(id, len);
	memcpy(F.rd + pos, &h, 4);
	memcpy(F.rd + pos + 4, data, len);
	F.head += rec;
	F.rp->head = F.head;
}

/* A raw header at our head, and the head moved by @advance. */
static void fr_raw(uint32_t hdr, uint32_t advance)
{
	memcpy(F.rd + (F.head & (F.n2 - 1)), &hdr, 4);
	F.head += advance;
	F.rp->head = F.head;
}

static void fr_ctl(uint32_t op, uint32_t id, const char *name)
{
	struct link_ctl m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.id = id;
	strncpy(m.name, name, sizeof(m.name));
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
}

/* Expect a control message from the host. */
static void fr_expect_ctl(uint32_t op, const char *name, uint32_t *id)
{
	struct link_ctl m;
	uint32_t rid, len;

	assert_true(fr_read(&rid, &m, &len));
	assert_int_equal(rid, LINK_EPT_CTL);
	assert_int_equal(len, sizeof(m));
	assert_int_equal(m.op, op);
	assert_string_equal(m.name, name);
	*id = m.id;
}

static struct harness *raw_boot(void)
{
	struct lh_cfg cfg;
	struct harness *h;

	lh_cfg_default(&cfg);
	cfg.raw = true;
	h = lh_new(&cfg);
	rproc_link_detach(h->link);
	assert_int_equal(rproc_link_attach(h->rproc, &g_ops, NULL, &h->link),
			 0);
	memset(&G, 0, sizeof(G));
	assert_int_equal(lh_boot(h), 0);
	fr_init(h);
	return h;
}

/* Boot, handshake, bind the host's "a" (id *@hid) to our id 5. */
static struct harness *bound(struct rproc_link_ept **e, uint32_t *hid)
{
	struct harness *h = raw_boot();

	assert_int_equal(
		rproc_link_ept_create(h->link, "a", rx_cb, unbind_cb, NULL, e),
		0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_WAIT);
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_WAIT);
	fr_handshake(7);
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(G.up, 1);
	assert_int_equal(F.rc->ack, 7);
	fr_expect_ctl(LINK_CTL_BIND, "a", hid);
	fr_ctl(LINK_CTL_ACK, 5, "a");
	rproc_link_poll(h->link);
	assert_int_equal(G.bound, 1);
	assert_true(rproc_link_ept_bound(*e));
	return h;
}

/* The link went down with -EPROTO and says "left". */
static void expect_proto(struct harness *h, struct rproc_link_ept *e,
			 const char *words)
{
	struct rproc_link_stats st;

	rproc_link_get_stats(h->link, &st);
	assert_int_equal(st.state, RPROC_LINK_ERROR);
	if (!strstr(st.error, words)) {
		fprintf(stderr, "error \"%s\" lacks \"%s\"\n", st.error, words);
		fail();
	}
	assert_int_equal(G.down, 1);
	assert_int_equal(G.down_reason, -EPROTO);
	assert_int_equal(G.unbinds, 1);
	assert_int_equal(G.reason, -EPROTO);
	assert_int_equal(F.hp->session, 0);
	assert_int_equal(F.rc->ack, 0);
	assert_int_equal(rproc_link_trysend(e, "x", 1), -ENOTCONN);
	assert_int_equal(rproc_link_poll(h->link), 0);
	/* the next boot brings it back */
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(lh_boot(h), 0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_WAIT);
	fr_init(h);
	fr_handshake(99);
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
}

static void handshake_bind_echo(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, id, len, s0;
	char buf[64];

	(void)state;
	h = bound(&e, &hid);
	assert_int_equal(rproc_link_send(e, "hello", 5), 0);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 5);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	fr_write(hid, "world", 5);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.rx, 1);
	assert_memory_equal(G.last, "world", 5);
	/* a BIND of ours is answered with an ACK, and rebinds */
	fr_ctl(LINK_CTL_BIND, 6, "a");
	rproc_link_poll(h->link);
	fr_expect_ctl(LINK_CTL_ACK, "a", &id);
	assert_int_equal(id, hid);
	assert_int_equal(rproc_link_send(e, "x", 1), 0);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 6);
	/* names we do not have: ignored */
	fr_ctl(LINK_CTL_BIND, 8, "zz");
	rproc_link_poll(h->link);
	assert_false(fr_read(&id, buf, &len));
	/* UNBIND with another id: ignored; with ours: unbound, -ENOENT */
	fr_ctl(LINK_CTL_UNBIND, 5, "a");
	rproc_link_poll(h->link);
	assert_true(rproc_link_ept_bound(e));
	fr_ctl(LINK_CTL_UNBIND, 6, "a");
	rproc_link_poll(h->link);
	assert_false(rproc_link_ept_bound(e));
	assert_int_equal(G.unbinds, 1);
	assert_int_equal(G.reason, -ENOENT);
	assert_int_equal(rproc_link_trysend(e, "x", 1), -ENOTCONN);
	/* our session in the host's stats */
	{
		struct rproc_link_stats st;

		rproc_link_get_stats(h->link, &st);
		assert_int_equal(st.peer_session, 7);
		s0 = st.session;
		assert_int_equal(s0, F.hp->session);
		assert_int_equal(s0, F.hc->ack);
	}
	lh_free(h);
}

/* ---- stores that must not happen ----------------------------------------- */

/* A poll of an idle link, up, with its tail and wish out already, stores
 * nothing (the pages of the shared memory, to the end of the window, are
 * read-only meanwhile); what we write after it comes. */
static void idle_poll_stores_nothing(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), win_size;
	uint8_t *win, *lo;
	int i;

	(void)state;
	h = bound(&e, &hid);
	fr_write(hid, "hi", 2);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, F.head);
	win = rproc_native_mem(h->nr, &win_size);
	lo = (uint8_t *)((uintptr_t)lh_shm(h) & ~(uintptr_t)(pg - 1));
	for (i = 0; i < 3; i++)
		assert_int_equal(NO_STORE(lo, (size_t)(win + win_size - lo),
					  rproc_link_poll(h->link)),
				 0);
	fr_write(hid, "there", 5);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.last_len, 5);
	assert_memory_equal(G.last, "there", 5);
	assert_int_equal(F.rc->tail, F.head);
	lh_free(h);
}

/* Records across the end of the ring, both ways, by the book. */
static void pads_both_ways(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, id, len, i;
	uint8_t buf[2048], got[2048];

	(void)state;
	h = bound(&e, &hid);
	for (i = 0; i < 200; i++) {
		uint32_t n = 1 + (i * 733u) % 2000;

		memset(buf, (int)i, n);
		assert_int_equal(rproc_link_trysend(e, buf, n), 0);
		assert_true(fr_read(&id, got, &len));
		assert_int_equal(len, n);
		assert_memory_equal(got, buf, n);
		fr_write(hid, buf, n);
		assert_int_equal(rproc_link_poll(h->link), 1);
		assert_int_equal(G.last_len, n);
		assert_memory_equal(G.last, buf, n);
	}
	assert_int_equal(G.rx, 200);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	lh_free(h);
}

static void head_jump(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	F.rp->head = F.head + F.n2 + 4;
	rproc_link_poll(h->link);
	expect_proto(h, e, "past the ring");
	lh_free(h);
}

static void head_misaligned(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	F.rp->head = F.head + 2;
	rproc_link_poll(h->link);
	expect_proto(h, e, "misaligned");
	lh_free(h);
}

static void head_backwards(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	fr_write(hid, "abcd", 4);
	rproc_link_poll(h->link);
	F.rp->head = F.head - 8; /* a huge step forward */
	rproc_link_poll(h->link);
	expect_proto(h, e, "past the ring");
	lh_free(h);
}

static void len_past_head(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	fr_raw(LINK_REC(hid, 100), 8);
	rproc_link_poll(h->link);
	expect_proto(h, e, "past its head");
	assert_int_equal(G.rx, 0);
	lh_free(h);
}

static void record_crosses_end(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;
	uint8_t big[4096];

	(void)state;
	h = bound(&e, &hid);
	memset(big, 1, sizeof(big));
	/* two records to 8 bytes before the end */
	fr_write(hid, big, 2000);
	fr_write(hid, big, F.n2 - 8 - F.head - 4);
	assert_int_equal(F.head, F.n2 - 8);
	assert_int_equal(rproc_link_poll(h->link), 2);
	fr_raw(LINK_REC(hid, 100), 104);
	rproc_link_poll(h->link);
	expect_proto(h, e, "past the end of the ring");
	assert_int_equal(G.rx, 2);
	lh_free(h);
}

static void pad_past_head(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	/* a pad means "to the end": more than the head gives */
	fr_raw(LINK_REC(LINK_EPT_PAD, 0), 8);
	rproc_link_poll(h->link);
	expect_proto(h, e, "past its head");
	lh_free(h);
}

static void ept_out_of_range(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	fr_write(RPROC_LINK_MAX_EPT + 1, "x", 1);
	rproc_link_poll(h->link);
	expect_proto(h, e, "endpoint id 257 out of range");
	lh_free(h);
}

static void ept_unknown_and_bad_control(void **state)
{
	struct rproc_link_stats st;
	struct rproc_link_ept *e;
	struct harness *h;
	struct link_ctl m;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	logcap_begin();
	fr_write(hid + 1, "x", 1); /* nobody there */
	fr_write(RPROC_LINK_MAX_EPT, "x", 1);
	memset(&m, 0, sizeof(m));
	m.op = LINK_CTL_BIND;
	m.id = 3;
	memcpy(m.name, "a", 2);
	fr_write(LINK_EPT_CTL, &m, sizeof(m) - 1); /* short */
	m.op = 0;
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	m.op = 4;
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	m.op = LINK_CTL_BIND;
	m.id = 0;
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	m.id = LINK_EPT_PAD;
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	m.id = 3;
	memset(m.name, 'x', sizeof(m.name)); /* unterminated */
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	m.name[0] = 0; /* empty */
	fr_write(LINK_EPT_CTL, &m, sizeof(m));
	rproc_link_poll(h->link);
	logcap_end(false);
	rproc_link_get_stats(h->link, &st);
	assert_int_equal(st.rx_no_ept, 2);
	assert_int_equal(st.ctl_bad, 7);
	assert_int_equal(st.state, RPROC_LINK_UP);
	assert_true(rproc_link_ept_bound(e));
	assert_int_equal(G.rx, 0);
	/* still fine */
	fr_write(hid, "ok", 2);
	assert_int_equal(rproc_link_poll(h->link), 1);
	lh_free(h);
}

/* The remote restarts with records of the old session in the ring: none
 * is delivered, peer reset, a new handshake. */
static void session_change_mid_stream(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, old, id, len;
	char buf[64];

	(void)state;
	h = bound(&e, &hid);
	old = F.hp->session;
	fr_write(hid, "one", 3);
	fr_write(hid, "two", 3);
	fr_write(hid, "six", 3);
	/* restart under it: "restarting", indices back, a new session */
	fr_handshake(8);
	F.hc->ack = 0; /* not accepted the host's yet */
	rproc_link_poll(h->link);
	assert_int_equal(G.rx, 0);
	assert_int_equal(G.resets, 1);
	assert_int_equal(G.unbinds, 1);
	assert_int_equal(G.reason, -ECONNRESET);
	assert_int_equal(G.down, 0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_WAIT);
	/* the host started a new session too */
	assert_int_not_equal(F.hp->session, old);
	assert_int_not_equal(F.hp->session, 0);
	assert_int_equal(F.rc->ack, 0);
	assert_int_equal(rproc_link_trysend(e, "x", 1), -ENOTCONN);
	/* we accept it: up, announced again, bound by name again */
	F.tail = 0;
	F.hc->tail = 0;
	F.hc->ack = F.hp->session;
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(G.up, 2);
	assert_int_equal(F.rc->ack, 8);
	fr_expect_ctl(LINK_CTL_BIND, "a", &id);
	fr_ctl(LINK_CTL_ACK, 5, "a");
	rproc_link_poll(h->link);
	assert_int_equal(G.bound, 2);
	assert_int_equal(rproc_link_send(e, "hi", 2), 0);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 5);
	/* the remote leaves (session 0): peer reset, waiting */
	F.rp->session = 0;
	rproc_link_poll(h->link);
	assert_int_equal(G.resets, 2);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_WAIT);
	lh_free(h);
}

/* The host's tail check when it needs room. */
static void bad_tail(bool backwards)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, id, len;
	uint8_t buf[1000];
	int ret;

	h = bound(&e, &hid);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(rproc_link_trysend(e, buf, sizeof(buf)), 0);
	assert_true(fr_read(&id, buf, &len)); /* tail moves on */
	while (!(ret = rproc_link_trysend(e, buf, sizeof(buf))))
		;
	assert_int_equal(ret, -EAGAIN);
	F.hc->tail = backwards ? F.tail - 4 : F.hp->head + 4;
	logcap_begin();
	assert_int_equal(rproc_link_trysend(e, buf, sizeof(buf)), -ENOTCONN);
	logcap_end(false);
	expect_proto(h, e, "its tail went from");
	lh_free(h);
}

static void tail_backwards(void **state)
{
	(void)state;
	bad_tail(true);
}

static void tail_past_head(void **state)
{
	(void)state;
	bad_tail(false);
}

/* A message of @n bytes for sequence number @seq. */
static void seq_fill(uint8_t *buf, uint32_t seq, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seq * 7u + i);
}

/*
 * The send's fast path (8..16 bytes moved in line; other sizes and NULL
 * data the other ways) over many laps of the ring: the host looks at our
 * tail only when the window it knows (tx_lim) is used up, so its view is
 * stale most of the time; pads land at every offset; a full ring gives
 * -EAGAIN with nothing written, and room comes back as we consume.  Every
 * message arrives once, in order, intact, never more than a ring ahead.
 */
static void fast_path_laps(void **state)
{
	static const uint32_t sizes[] = {
		8,  12,	 16, 9,	 13, 1,	 7, 17, 0,  15,
		10, 200, 11, 14, 4,  16, 3, 8,	40,
	};
	const uint32_t ns = sizeof(sizes) / sizeof(sizes[0]);
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, id, len, seq = 0, rseq = 0, k;
	uint8_t buf[256], got[256];
	int ret;

	(void)state;
	h = bound(&e, &hid);
	for (unsigned lap = 0; lap < 60; lap++) {
		/* fill until it is full */
		for (;;) {
			uint32_t n = sizes[seq % ns];

			seq_fill(buf, seq, n);
			ret = rproc_link_trysend(e, n ? buf : NULL, n);
			if (ret == -EAGAIN)
				break;
			assert_int_equal(ret, 0);
			seq++;
			assert_true(F.hp->head - F.tail <= F.n1);
		}
		/* full: less than the next record's room is left */
		assert_true(F.n1 - (F.hp->head - F.tail) <
			    LINK_REC_SIZE(sizes[seq % ns]) + F.n1 -
				    (F.hp->head & (F.n1 - 1)));
		/* consume some (all, every third lap) */
		k = lap % 3 ? (seq - rseq) / (2 + lap % 5) + 1 : seq - rseq;
		for (uint32_t i = 0; i < k; i++) {
			uint32_t n = sizes[rseq % ns];

			assert_true(fr_read(&id, got, &len));
			assert_int_equal(id, 5);
			assert_int_equal(len, n);
			seq_fill(buf, rseq, n);
			assert_memory_equal(got, buf, n);
			rseq++;
		}
	}
	while (fr_read(&id, got, &len)) {
		assert_int_equal(len, sizes[rseq % ns]);
		seq_fill(buf, rseq, len);
		assert_memory_equal(got, buf, len);
		rseq++;
	}
	assert_int_equal(rseq, seq);
	assert_true(seq > 60 * 20);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	lh_free(h);
}

/*
 * What closes the fast path: an ACK owed (it goes first, even when the
 * ring was full when it became owed), the endpoint unbound, the remote
 * restarting (until bound again).  12-byte messages, the fast path's.
 */
static void fast_path_gates(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, id, len;
	uint8_t buf[64], got[64];

	(void)state;
	h = bound(&e, &hid);
	memset(buf, 'm', sizeof(buf));
	/* 32 bytes left in the ring, the end of the data area not among
	 * them, all within what the host knows of our tail (it looked when
	 * it reached the end): room for a 12-byte message, not for the ACK
	 * the remote's BIND asks */
	assert_int_equal(F.tail, F.hp->head);
	assert_true((F.tail & (F.n1 - 1)) > 32);
	for (;;) {
		uint32_t room = F.n1 - (F.hp->head - F.tail);
		uint32_t to_end = F.n1 - (F.hp->head & (F.n1 - 1));
		uint32_t rec = room - 32 < to_end ? room - 32 : to_end;

		if (room == 32)
			break;
		rec = rec < 40 ? rec : 40;
		assert_int_equal(rproc_link_trysend(e, buf, rec - 4), 0);
	}
	fr_ctl(LINK_CTL_BIND, 6, "a");
	rproc_link_poll(h->link);
	/* owed: no message before it, even one that fits */
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), -EAGAIN);
	while (fr_read(&id, got, &len))
		assert_int_equal(id, 5); /* no ACK among them */
	/* room now: the ACK, then the message, to the new id */
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), 0);
	fr_expect_ctl(LINK_CTL_ACK, "a", &id);
	assert_int_equal(id, hid);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 6);
	assert_int_equal(len, 12);
	assert_memory_equal(buf, "0123456789ab", 12);
	assert_false(fr_read(&id, buf, &len));
	/* unbound: nothing goes */
	fr_ctl(LINK_CTL_UNBIND, 6, "a");
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), -ENOTCONN);
	assert_false(fr_read(&id, buf, &len));
	/* bound again, then the remote restarts: nothing until bound */
	fr_ctl(LINK_CTL_ACK, 7, "a");
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), 0);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 7);
	fr_handshake(9);
	rproc_link_poll(h->link); /* peer reset: a new host session */
	assert_int_equal(G.resets, 1);
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), -ENOTCONN);
	F.tail = 0;
	F.hc->tail = 0;
	F.hc->ack = F.hp->session;
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12),
			 -ENOTCONN); /* up, not bound: the BIND is out */
	fr_expect_ctl(LINK_CTL_BIND, "a", &id);
	fr_ctl(LINK_CTL_ACK, 8, "a");
	rproc_link_poll(h->link);
	assert_int_equal(rproc_link_trysend(e, "0123456789ab", 12), 0);
	assert_true(fr_read(&id, buf, &len));
	assert_int_equal(id, 8);
	lh_free(h);
}

/*
 * One poll, one batch crossing the end of the ring (a pad in it): runs of
 * records for two endpoints (the receive side pins an endpoint once per
 * run), a control message between them, and an endpoint destroyed from
 * the other's callback in the middle of a run for it: what follows for it
 * is dropped (counted), the rest delivered in order.
 */
static void batch_across_end(void **state)
{
	static const char seq1[] = "aaabbbaCbbaaab";
	struct rproc_link_stats st;
	struct rproc_link_ept *e, *b;
	struct harness *h;
	uint32_t hid, bid, id;
	uint8_t big[4096];
	char msg[24];
	int n = 0;

	(void)state;
	h = bound(&e, &hid);
	assert_int_equal(
		rproc_link_ept_create(h->link, "b", rx_cb, unbind_cb, NULL, &b),
		0);
	fr_expect_ctl(LINK_CTL_BIND, "b", &bid);
	fr_ctl(LINK_CTL_ACK, 11, "b");
	rproc_link_poll(h->link);
	assert_true(rproc_link_ept_bound(b));
	/* our head 100 bytes before the end */
	memset(big, 0, sizeof(big));
	fr_write(hid, big, F.n2 - 100 - F.head - 4);
	assert_int_equal(rproc_link_poll(h->link), 1);
	G.nlog = 0;
	G.rx = 0;
	for (unsigned r = 0; r < 2; r++)
		for (const char *c = seq1; *c; c++) {
			if (*c == 'C') {
				fr_ctl(LINK_CTL_BIND, 12, "zz"); /* ignored */
				continue;
			}
			memset(msg, *c, sizeof(msg));
			msg[1] = (char)('0' + r);
			fr_write(*c == 'a' ? hid : bid, msg, 9 + (n++ % 8));
		}
	assert_true(F.head > F.n2); /* crossed */
	assert_int_equal(rproc_link_poll(h->link), 26);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "aaabbbabbaaabaaabbbabbaaab");
	assert_int_equal(F.rc->tail, F.head);
	/* "b" destroyed by "a"'s callback in the middle of a run for "b" */
	G.nlog = 0;
	G.destroy_on = 'x';
	G.victim = b;
	fr_write(bid, "b", 1);
	fr_write(bid, "b", 1);
	fr_write(hid, "x", 1);
	fr_write(bid, "b", 1);
	fr_write(bid, "b", 1);
	fr_write(hid, "a", 1);
	logcap_begin();
	assert_int_equal(rproc_link_poll(h->link), 4);
	logcap_end(false);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "bbxa");
	assert_null(G.victim);
	fr_expect_ctl(LINK_CTL_UNBIND, "b", &id);
	assert_int_equal(id, bid);
	rproc_link_get_stats(h->link, &st);
	assert_int_equal(st.rx_no_ept, 2);
	assert_int_equal(st.state, RPROC_LINK_UP);
	lh_free(h);
}

/* ---- polled mode ------------------------------------------------------------ */

/* Doorbells the host link rang so far (its stats). */
static uint32_t host_kicks(struct harness *h)
{
	struct rproc_link_stats st;

	rproc_link_get_stats(h->link, &st);
	return st.kicks;
}

/* The pages of the shared memory, to the end of the window: what
 * NO_STORE() makes read-only. */
static uint8_t *shm_pages(struct harness *h, size_t *len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), win_size;
	uint8_t *win = rproc_native_mem(h->nr, &win_size), *lo;

	lo = (uint8_t *)((uintptr_t)lh_shm(h) & ~(uintptr_t)(pg - 1));
	*len = (size_t)(win + win_size - lo);
	return lo;
}

/*
 * Polled, with nobody waiting for room: polls deliver and store nothing
 * at all (the shared memory read-only), the tail stays where it was
 * published and the wish (data_event) as it was, until a quarter of the
 * ring is unpublished: then the tail goes out, exactly the consumed
 * index, without a doorbell.  A quarter less one word is not enough.
 */
static void polled_publishes_lazily(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, t0, ev0, q, k0, rec;
	uint8_t *lo, buf[1024];
	char msg[16];
	size_t len;

	(void)state;
	h = bound(&e, &hid);
	t0 = F.rc->tail;
	ev0 = F.rc->data_event;
	assert_int_equal(t0, F.head);
	assert_int_equal(ev0, F.head);
	q = F.n2 / 4;
	k0 = host_kicks(h);
	lo = shm_pages(h, &len);
	assert_int_equal(
		NO_STORE(lo, len, rproc_link_set_polled(h->link, true)), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "small %d", i);
		fr_write(hid, msg, (uint32_t)strlen(msg));
		assert_int_equal(rproc_link_poll(h->link), 1);
		assert_int_equal(G.rx, i + 1);
		assert_int_equal(G.last_len, strlen(msg));
		assert_memory_equal(G.last, msg, strlen(msg));
		assert_int_equal(F.rc->tail, t0);
		assert_int_equal(F.rc->data_event, ev0);
	}
	/* a poll that delivers and an idle one store nothing */
	fr_write(hid, "quiet", 5);
	assert_int_equal(NO_STORE(lo, len, rproc_link_poll(h->link)), 1);
	assert_int_equal(G.rx, 4);
	assert_memory_equal(G.last, "quiet", 5);
	assert_int_equal(NO_STORE(lo, len, rproc_link_poll(h->link)), 0);
	/* a quarter less one word unpublished: still nothing */
	rec = q - 4 - (F.head - t0);
	assert_true(rec - LINK_HDR_LEN <= sizeof(buf));
	memset(buf, 'q', sizeof(buf));
	fr_write(hid, buf, rec - LINK_HDR_LEN);
	assert_int_equal(F.head - t0, q - 4);
	assert_int_equal(NO_STORE(lo, len, rproc_link_poll(h->link)), 1);
	assert_int_equal(G.last_len, rec - LINK_HDR_LEN);
	assert_int_equal(F.rc->tail, t0);
	/* an empty record, one word: a quarter, published as it is */
	fr_write(hid, "", 0);
	assert_int_equal(F.head - t0, q);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.rx, 6);
	assert_int_equal(G.last_len, 0);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, ev0);
	assert_int_equal(host_kicks(h), k0);
	/* counted from there again */
	t0 = F.head;
	fr_write(hid, "next", 4);
	assert_int_equal(NO_STORE(lo, len, rproc_link_poll(h->link)), 1);
	assert_int_equal(F.rc->tail, t0);
	assert_int_equal(host_kicks(h), k0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	lh_free(h);
}

/* Polled, our space_event at @ev, the host's tail published at @pub: a
 * poll that has nothing to take stores nothing and rings nobody. */
static void polled_quiet(struct harness *h, uint32_t ev, uint32_t pub)
{
	uint32_t k0 = host_kicks(h);
	uint8_t *lo;
	size_t len;

	F.rp->space_event = ev;
	lo = shm_pages(h, &len);
	assert_int_equal(NO_STORE(lo, len, rproc_link_poll(h->link)), 0);
	assert_int_equal(F.rc->tail, pub);
	assert_int_equal(host_kicks(h), k0);
}

/*
 * Polled, we wait for room (our space_event) inside what the host
 * consumed and did not publish: its next poll, with nothing new to take,
 * publishes the consumed tail and rings us, once.  A space_event before
 * the published tail, at or past the consumed one, or none: no store, no
 * doorbell.  Inside: the first word, one in the middle, the last.
 */
static void polled_space_event(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, pub, c, k0, ev0;
	uint64_t n0;

	(void)state;
	h = bound(&e, &hid);
	ev0 = F.rc->data_event;
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	for (int r = 0; r < 3; r++) {
		pub = F.rc->tail;
		fr_write(hid, "one", 3);
		fr_write(hid, "three", 5);
		fr_write(hid, "seven", 5);
		assert_int_equal(rproc_link_poll(h->link), 3);
		c = F.head;
		assert_int_equal(F.rc->tail, pub);
		polled_quiet(h, LINK_EVENT_NONE, pub);
		polled_quiet(h, pub - 4, pub);
		polled_quiet(h, c, pub);
		polled_quiet(h, c + 4, pub);
		F.rp->space_event = r == 0 ? pub : r == 1 ? pub + 8 : c - 4;
		k0 = host_kicks(h);
		n0 = lh_kicks(h);
		assert_int_equal(rproc_link_poll(h->link), 0);
		assert_int_equal(F.rc->tail, c);
		assert_int_equal(F.rc->data_event, ev0);
		assert_int_equal(host_kicks(h), k0 + 1);
		assert_int_equal(lh_kicks(h), n0 + 1);
		/* once: the wish is behind the published tail now */
		polled_quiet(h, F.rp->space_event, c);
		assert_int_equal(lh_kicks(h), n0 + 1);
	}
	assert_int_equal(G.rx, 9);
	lh_free(h);
}

/*
 * Polled off: a poll publishes the consumed tail and arms the doorbell
 * at it before it returns, and rings us if we wait for room inside what
 * it publishes; what was pending is delivered then, counted in the
 * return.  Off without anything consumed stores nothing; off again is
 * the usual mode (every poll that takes something publishes).
 */
static void polled_off_arms(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, t0, ev0, k0, pub;
	uint8_t *lo;
	size_t len;

	(void)state;
	h = bound(&e, &hid);
	t0 = F.rc->tail;
	ev0 = F.rc->data_event;
	lo = shm_pages(h, &len);
	k0 = host_kicks(h);
	/* on and off with nothing in between: nothing to say */
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	assert_int_equal(
		NO_STORE(lo, len, rproc_link_set_polled(h->link, false)), 0);
	/* consumed, not published; off: 0 (nothing new), published, armed */
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	fr_write(hid, "alpha", 5);
	fr_write(hid, "beta", 4);
	assert_int_equal(rproc_link_poll(h->link), 2);
	assert_int_equal(F.rc->tail, t0);
	assert_int_equal(F.rc->data_event, ev0);
	assert_int_equal(rproc_link_set_polled(h->link, false), 0);
	assert_int_equal(G.rx, 2);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, F.head);
	assert_int_equal(host_kicks(h), k0);
	/* off: the next record published at its poll */
	fr_write(hid, "gamma", 5);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, F.head);
	/* a record consumed polled, another pending when it goes off: 1 */
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	t0 = F.head;
	fr_write(hid, "delta", 5);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(F.rc->tail, t0);
	assert_int_equal(F.rc->data_event, t0);
	fr_write(hid, "epsilon", 7);
	assert_int_equal(rproc_link_set_polled(h->link, false), 1);
	assert_int_equal(G.rx, 5);
	assert_int_equal(G.last_len, 7);
	assert_memory_equal(G.last, "epsilon", 7);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, F.head);
	assert_int_equal(host_kicks(h), k0);
	/* consumed polled while we came to wait for room in it: off rings */
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	pub = F.head;
	fr_write(hid, "zeta", 4);
	fr_write(hid, "eta", 3);
	assert_int_equal(rproc_link_poll(h->link), 2);
	assert_int_equal(F.rc->tail, pub);
	F.rp->space_event = pub + 4;
	assert_int_equal(rproc_link_set_polled(h->link, false), 0);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(F.rc->data_event, F.head);
	assert_int_equal(host_kicks(h), k0 + 1);
	assert_int_equal(rproc_link_set_polled(NULL, true), -EINVAL);
	assert_int_equal(rproc_link_set_polled(NULL, false), -EINVAL);
	lh_free(h);
}

/* polled_fast_path_laps: the messages' sizes, and the callback's check of
 * each (in order, intact). */
static const uint32_t lap_sizes[] = {
	8,  12, 16, 9, 13, 1,  7,   17, 0,    15, 10,	200, 11,
	14, 4,	16, 3, 8,  40, 700, 5,	1500, 33, 2044, 999, 12,
};
#define LAP_NS (sizeof(lap_sizes) / sizeof(lap_sizes[0]))
static uint32_t lap_seq, lap_bad;

static void lap_rx(const void *data, size_t len)
{
	uint8_t want[2048];
	uint32_t n = lap_sizes[lap_seq % LAP_NS];

	seq_fill(want, lap_seq, n);
	if (len != n || memcmp(data, want, n))
		lap_bad++;
	lap_seq++;
}

/*
 * Polled, many laps of the ring with records of assorted sizes (pads at
 * the end among them, up to the MTU), we a producer by the book: we
 * write only into what the host published as consumed, and when that
 * has no room for the next record we arm our space_event and wait for
 * its doorbell.  Every message arrives once, in order, intact; at each
 * poll the published tail stays where it was or becomes the consumed
 * index exactly (never behind, never past what was consumed): the latter
 * with a doorbell when we wait inside it, without one when a quarter was
 * unpublished, and in no other case.  The wish (data_event) never moves.
 */
static void polled_fast_path_laps(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, seed = 0xC0FFEEu, seq = 0, ev0, start;
	uint32_t waits = 0, rings = 0, quarters = 0, quiet = 0, pads = 0;
	uint8_t buf[2048];

	(void)state;
	h = bound(&e, &hid);
	assert_true(rproc_link_rx_mtu(h->link) >= 2044);
	ev0 = F.rc->data_event;
	start = F.head;
	lap_seq = lap_bad = 0;
	G.on_rx = lap_rx;
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	while (F.head - start < 200 * F.n2) {
		uint32_t n = lap_sizes[seq % LAP_NS], pos = F.head & (F.n2 - 1);
		uint32_t rec = LINK_REC_SIZE(n), pub, ev, k, c, want;
		uint32_t need = rec > F.n2 - pos ? F.n2 - pos + rec : rec;
		bool waiting = false, ring, publish;

		if (F.n2 - (F.head - F.rc->tail) >= need) {
			pads += need != rec;
			seq_fill(buf, seq, n);
			fr_write(hid, buf, n);
			seq++;
			if (lh_rand(&seed) % 3)
				continue;
		} else {
			/* no room: ring us once the tail passes what frees
			 * it, then look again */
			F.rp->space_event = F.head + need - F.n2 - 1;
			if (F.n2 - (F.head - F.rc->tail) >= need)
				continue;
			waiting = true;
			waits++;
		}
		/* the host's poll, against what it must do */
		pub = F.rc->tail;
		ev = F.rp->space_event;
		k = host_kicks(h);
		c = F.head;
		want = seq - lap_seq;
		ring = link_need_event(ev, c, pub);
		publish = ring || c - pub >= F.n2 / 4;
		assert_int_equal(rproc_link_poll(h->link), want);
		assert_int_equal(lap_seq, seq);
		assert_int_equal(lap_bad, 0);
		assert_true(F.rc->tail - pub <= c - pub);
		assert_int_equal(F.rc->tail, publish ? c : pub);
		assert_int_equal(host_kicks(h), k + ring);
		assert_int_equal(F.rc->data_event, ev0);
		assert_true(c - F.rc->tail < F.n2 / 4);
		if (waiting) {
			/* rung, and room now */
			assert_true(ring);
			assert_true(F.n2 - (F.head - F.rc->tail) >= need);
		}
		rings += ring;
		quarters += publish && !ring;
		quiet += !publish;
	}
	print_message("polled laps: %u messages, %u pads, %u waits, %u "
		      "rings, %u quarter publications, %u quiet polls\n",
		      seq, pads, waits, rings, quarters, quiet);
	assert_true(pads > 50 && waits > 50 && quarters > 50 && quiet > 50);
	assert_int_equal(rings, waits);
	G.on_rx = NULL;
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	lh_free(h);
}

/* Garbage in everything the remote writes, between by-the-book traffic:
 * never a crash, never an access outside (ASan), states stay sane. */
static void fuzz(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, seed = 0x1234567u, id, len, *w;
	uint8_t buf[2048];
	int protos = 0;

	(void)state;
	h = bound(&e, &hid);
	logcap_begin();
	for (int i = 0; i < 20000; i++) {
		uint32_t r = lh_rand(&seed);
		enum rproc_link_state s = rproc_link_state(h->link);

		switch (r % 8) {
		case 0: /* a word of our producer line */
			w = (uint32_t *)(void *)(uintptr_t)F.rp;
			w[lh_rand(&seed) % 3] =
				lh_rand(&seed) & (r & 8 ? 0xFFFu : ~0u);
			break;
		case 1: /* a word of our consumer line */
			w = (uint32_t *)(void *)(uintptr_t)F.hc;
			w[lh_rand(&seed) % 3] =
				lh_rand(&seed) & (r & 8 ? 0xFFFu : ~0u);
			break;
		case 2: /* a word of our data */
			w = (uint32_t *)(void *)F.rd;
			w[lh_rand(&seed) % (F.n2 / 4)] = lh_rand(&seed);
			break;
		case 3: /* a record by the book */
			fr_write(r & 16 ? hid : lh_rand(&seed) % 300, buf,
				 lh_rand(&seed) % 1500);
			break;
		case 4:
			rproc_link_trysend(e, buf, lh_rand(&seed) % 2100);
			break;
		case 5:
			while (fr_read(&id, buf, &len))
				;
			break;
		default:
			rproc_link_poll(h->link);
		}
		if (s == RPROC_LINK_ERROR || (r % 512) == 7) {
			protos += s == RPROC_LINK_ERROR;
			/* start over: a new boot, a clean handshake */
			rproc_shutdown(h->rproc);
			assert_int_equal(lh_boot(h), 0);
			fr_init(h);
			fr_handshake(lh_rand(&seed) | 1);
			rproc_link_poll(h->link);
		} else if (s == RPROC_LINK_WAIT && (r & 64)) {
			fr_handshake(lh_rand(&seed) | 1);
		}
	}
	logcap_end(false);
	print_message("fuzz: 20000 steps, %d protocol errors caught\n", protos);
	assert_true(protos > 0);
	lh_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_bind_echo),
		cmocka_unit_test(idle_poll_stores_nothing),
		cmocka_unit_test(pads_both_ways),
		cmocka_unit_test(fast_path_laps),
		cmocka_unit_test(fast_path_gates),
		cmocka_unit_test(batch_across_end),
		cmocka_unit_test(polled_publishes_lazily),
		cmocka_unit_test(polled_space_event),
		cmocka_unit_test(polled_off_arms),
		cmocka_unit_test(polled_fast_path_laps),
		cmocka_unit_test(head_jump),
		cmocka_unit_test(head_misaligned),
		cmocka_unit_test(head_backwards),
		cmocka_unit_test(len_past_head),
		cmocka_unit_test(record_crosses_end),
		cmocka_unit_test(pad_past_head),
		cmocka_unit_test(ept_out_of_range),
		cmocka_unit_test(ept_unknown_and_bad_control),
		cmocka_unit_test(session_change_mid_stream),
		cmocka_unit_test(tail_backwards),
		cmocka_unit_test(tail_past_head),
		cmocka_unit_test(fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
