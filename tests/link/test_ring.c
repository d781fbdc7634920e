/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_ring: the host link against a hostile remote that the test plays
 * itself, writing the shared memory word by word (no firmware code, no
 * threads: rproc_link_poll() runs the host side).  Wire protocol version
 * 2 (rproc/link_abi.h): the record header is the ready word, nobody reads
 * a head index.  We produce by the book (the payload, a 0 stop word where
 * the next record starts, then the header with release order; 0 at
 * position 0 before a pad and before a new session), and consume the way
 * the firmware does (the word at our tail, 0 for nothing), checking the
 * host's side: a 0 stop word after every record it wrote (what we
 * consumed is left poisoned with stale headers, so a missing one is read),
 * no record past the room it had or across the end, no pad at position
 * 0, its head word never written.  Where the platform allows (x86-64
 * Linux) a send's stores into the ring are traced one by one (the pages
 * read-only, each store single-stepped): the stop words before the
 * header, the header last, 0 at position 0 before a pad header and, at a
 * new session, before the session word.
 *
 * The handshake, binding and echo by the book, pads at the end of the
 * ring both ways; then records crossing the end, pads at position 0,
 * records ending past the room we had (our published tail + size - 4: a
 * ring full of stale headers is a violation within one ring, not a loop),
 * endpoint ids out of range (-EPROTO: the link goes down, endpoints
 * unbind, the host says "left", the next boot brings it back); the head
 * word of version 1 (ignored), garbage in a payload (delivered as it is)
 * and past the stop word (never read); messages to unknown endpoints and
 * malformed control messages (dropped and counted, the link stays up); a
 * session change in the middle of a stream (nothing of the old session
 * delivered, peer reset, a new handshake); a tail that moves backwards or
 * past the host's head; an idle poll that stores nothing (the shared
 * memory read-only).
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
	bool lax;      /* fr_read() without checks (the fuzz loop) */
};

static struct fr F;

/*
 * What fr_read() leaves in the bytes it consumed: a stale word that looks
 * like a record header (no endpoint of the tests has id 0xBAD).  A host
 * that left no stop word after a record has us read one.
 */
#define POISON LINK_REC(0xBADu, 4u)

/* The word at byte position @pos (4-aligned) of data area @a. */
static uint32_t wget(const uint8_t *a, uint32_t pos)
{
	return __atomic_load_n((const uint32_t *)(const void *)(a + pos),
			       __ATOMIC_ACQUIRE);
}

static void wput(uint8_t *a, uint32_t pos, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(a + pos), v, __ATOMIC_RELAXED);
}

static void wput_rel(uint8_t *a, uint32_t pos, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(a + pos), v, __ATOMIC_RELEASE);
}

/* @len bytes of the host's ring from position @pos: stale headers. */
static void poison(uint32_t pos, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 4)
		wput(F.hd, pos + i, POISON);
}

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

/* Our side of a handshake with session @s: our lines reset, the stop word
 * of our new session at position 0 before the session, the host's
 * session accepted (acknowledged).  The host completes it at its poll.
 * (Our producer line's head word is version 1's: never written.) */
static void fr_handshake(uint32_t s)
{
	F.rp->session = 0;
	F.hc->ack = 0;
	F.rp->space_event = LINK_EVENT_NONE;
	F.hc->tail = 0;
	F.hc->data_event = 0;
	F.head = F.tail = 0;
	wput(F.rd, 0, 0);
	__atomic_store_n((uint32_t *)(uintptr_t)&F.rp->session, s,
			 __ATOMIC_RELEASE);
	F.hc->ack = F.hp->session;
}

/* A check of the host's ring that fails the test, unless lax. */
#define fr_bad(...)                                                            \
	do {                                                                   \
		if (!F.lax)                                                    \
			fail_msg(__VA_ARGS__);                                 \
		return false;                                                  \
	} while (0)

/*
 * The next record the host wrote (pads skipped): false when none (0 at our
 * tail).  Checked: the host's head word still 0, no stale word at our
 * tail (the host wrote a stop word after its last record), no pad at
 * position 0, no record past the MTU, across the end or past the room it
 * had (the tail we published + size - 4), a stop word or a header (not a
 * stale word)
 * right after the record.  What we consume is poisoned (stale headers),
 * then our tail published.  Lax (the fuzz loop scribbles over our lines
 * and the host's): no failures, false at anything odd.
 */
static bool fr_read(uint32_t *id, void *buf, uint32_t *len)
{
	uint32_t m = F.n1 - 1, pos, h, rec, pub = F.hc->tail, next;

	if (F.hp->head)
		fr_bad("the host wrote its head word: %u",
		       (unsigned)F.hp->head);
	for (;;) {
		pos = F.tail & m;
		h = wget(F.hd, pos);
		if (!h)
			return false;
		if (h == POISON)
			fr_bad("a stale word at our tail %u: no stop word",
			       (unsigned)F.tail);
		if (LINK_REC_EPT(h) == LINK_EPT_PAD) {
			if (!pos)
				fr_bad("a pad at position 0 (index %u)",
				       (unsigned)F.tail);
			poison(pos, F.n1 - pos);
			F.tail += F.n1 - pos;
			continue;
		}
		if (LINK_REC_PLEN(h) > link_mtu(F.n1))
			fr_bad("a record of %u bytes at %u: past the MTU",
			       (unsigned)LINK_REC_PLEN(h), (unsigned)F.tail);
		rec = LINK_REC_SIZE(LINK_REC_PLEN(h));
		if (rec > F.n1 - pos)
			fr_bad("a record of %u bytes at %u across the end",
			       (unsigned)rec, (unsigned)F.tail);
		if (F.tail + rec - pub > F.n1 - LINK_HDR_LEN)
			fr_bad("a record of %u bytes at %u past the room it "
			       "had (our tail %u)",
			       (unsigned)rec, (unsigned)F.tail, (unsigned)pub);
		next = wget(F.hd, (F.tail + rec) & m);
		if (next == POISON)
			fr_bad("no stop word after the record at %u",
			       (unsigned)F.tail);
		*id = LINK_REC_EPT(h);
		*len = LINK_REC_PLEN(h);
		memcpy(buf, F.hd + pos + LINK_HDR_LEN, *len);
		poison(pos, rec);
		F.tail += rec;
		__atomic_store_n((uint32_t *)(uintptr_t)&F.hc->tail, F.tail,
				 __ATOMIC_RELEASE);
		return true;
	}
}

/* The host's head, found from our tail (its records up to its stop word,
 * unread): the host publishes none. */
static uint32_t fr_host_head(void)
{
	uint32_t t = F.tail, pos, h;

	for (;;) {
		pos = t & (F.n1 - 1);
		h = wget(F.hd, pos);
		if (!h)
			break;
		assert_int_not_equal(h, POISON);
		t += LINK_REC_EPT(h) == LINK_EPT_PAD
			     ? F.n1 - pos
			     : LINK_REC_SIZE(LINK_REC_PLEN(h));
		assert_true(t - F.tail <= F.n1 - LINK_HDR_LEN);
	}
	return t;
}

/* A record by the book (pad first if it would cross the end): the
 * payload, the stop word where the next record starts, the header
 * (release); a pad: 0 at position 0, then the pad header (release). */
static void fr_write(uint32_t id, const void *data, uint32_t len)
{
	uint32_t m = F.n2 - 1, pos = F.head & m, rec = LINK_REC_SIZE(len);

	if (rec > F.n2 - pos) {
		wput(F.rd, 0, 0);
		wput_rel(F.rd, pos, LINK_REC(LINK_EPT_PAD, 0));
		F.head += F.n2 - pos;
		pos = 0;
	}
	if (len)
		memcpy(F.rd + pos + LINK_HDR_LEN, data, len);
	wput(F.rd, (F.head + rec) & m, 0);
	wput_rel(F.rd, pos, LINK_REC(id, len));
	F.head += rec;
}

/* A raw header at our head (release), nothing else: no stop word, the
 * head not moved. */
static void fr_raw(uint32_t hdr)
{
	wput_rel(F.rd, F.head & (F.n2 - 1), hdr);
}

/* Records by the book for @id (none across the end: no pad, at most 1000
 * bytes of payload each) until our head is @to.  Returns how many. */
static uint32_t fr_fill(uint32_t id, uint32_t to)
{
	static const uint8_t junk[1000];
	uint32_t n = 0;

	assert_true(to - F.head < 4 * F.n2 && !(to & 3));
	while (F.head != to) {
		uint32_t rec = to - F.head, end = F.n2 - (F.head & (F.n2 - 1));

		rec = rec < end ? rec : end;
		rec = rec < sizeof(junk) + 4 ? rec : sizeof(junk) + 4;
		fr_write(id, junk, rec - LINK_HDR_LEN);
		n++;
	}
	return n;
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

/* A message of @n bytes for sequence number @seq. */
static void seq_fill(uint8_t *buf, uint32_t seq, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seq * 7u + i);
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

/* The head word of version 1 in our producer line: ignored, whatever it
 * says (past the ring, misaligned, backwards); the records by the book
 * around it are delivered, the link stays up. */
static void head_word_ignored(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound(&e, &hid);
	F.rp->head = F.head + F.n2 + 4; /* v1: past the ring */
	assert_int_equal(rproc_link_poll(h->link), 0);
	F.rp->head = F.head + 2; /* v1: misaligned */
	assert_int_equal(rproc_link_poll(h->link), 0);
	fr_write(hid, "abcd", 4);
	F.rp->head = F.head - 8; /* v1: a huge step forward */
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_memory_equal(G.last, "abcd", 4);
	fr_write(hid, "ef", 2);
	F.rp->head = 0;
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.rx, 2);
	assert_int_equal(G.down, 0);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(F.rc->tail, F.head);
	lh_free(h);
}

/* A record whose payload is whatever is in the ring (version 1: a length
 * past the head, a violation; now nothing tells): delivered as it is. */
static void garbage_payload(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, pos;

	(void)state;
	h = bound(&e, &hid);
	pos = F.head & (F.n2 - 1);
	memset(F.rd + pos + LINK_HDR_LEN, 0xEE, 100);
	wput(F.rd, pos + LINK_REC_SIZE(100), 0);
	fr_raw(LINK_REC(hid, 100));
	F.head += LINK_REC_SIZE(100);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.last_len, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal((uint8_t)G.last[i], 0xEE);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	assert_int_equal(F.rc->tail, F.head);
	fr_write(hid, "ok", 2);
	assert_int_equal(rproc_link_poll(h->link), 1);
	assert_int_equal(G.rx, 2);
	lh_free(h);
}

/* Valid headers past the stop word (stale records of an older lap, all
 * around the ring to the record before it): never read.  The next record
 * by the book puts its header on the stop word. */
static void garbage_past_stop_word(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, stop, i;

	(void)state;
	h = bound(&e, &hid);
	for (int r = 0; r < 3; r++) {
		fr_write(hid, "one", 3);
		stop = F.head & (F.n2 - 1);
		for (i = 4; i <= F.n2 - 12; i += 4)
			wput(F.rd, (stop + i) & (F.n2 - 1),
			     i & 4 ? LINK_REC(hid, 0)
				   : LINK_REC(LINK_EPT_PAD, 0));
		assert_int_equal(wget(F.rd, stop), 0);
		assert_int_equal(rproc_link_poll(h->link), 1);
		assert_int_equal(rproc_link_poll(h->link), 0);
		assert_int_equal(G.rx, 2 * r + 1);
		assert_int_equal(F.rc->tail, F.head);
		fr_write(hid, "two", 3);
		assert_int_equal(rproc_link_poll(h->link), 1);
		assert_int_equal(G.rx, 2 * r + 2);
		assert_memory_equal(G.last, "two", 3);
		assert_int_equal(F.rc->tail, F.head);
	}
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
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
	fr_raw(LINK_REC(hid, 100));
	rproc_link_poll(h->link);
	expect_proto(h, e, "record of 104 bytes at 4088: past the end");
	assert_int_equal(G.rx, 2);
	lh_free(h);
}

/* Bound, our head and the host's tail at the start of the ring's second
 * lap (records by the book to the end, delivered). */
static struct harness *bound_at_start(struct rproc_link_ept **e, uint32_t *hid)
{
	struct harness *h = bound(e, hid);
	uint32_t n = fr_fill(*hid, F.n2);

	assert_int_equal(rproc_link_poll(h->link), (int)n);
	assert_int_equal(F.rc->tail, F.n2);
	G.rx = 0;
	return h;
}

/* A record at position 0 longer than the ring: past the end, whatever
 * the position. */
static void record_crosses_end_at_start(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound_at_start(&e, &hid);
	fr_raw(LINK_REC(hid, 0xFFFF));
	rproc_link_poll(h->link);
	expect_proto(h, e, "record of 65540 bytes at 4096: past the end");
	assert_int_equal(G.rx, 0);
	lh_free(h);
}

/* A pad at position 0: a producer never needs one there (a record always
 * fits at 0), and it would skip a whole ring. */
static void pad_at_start(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	(void)state;
	h = bound_at_start(&e, &hid);
	/* a record by the book after it: not reached */
	wput(F.rd, 4, LINK_REC(hid, 0));
	wput(F.rd, 8, 0);
	fr_raw(LINK_REC(LINK_EPT_PAD, 0));
	rproc_link_poll(h->link);
	expect_proto(h, e, "pad of 4096 bytes at 4096: a pad at the start");
	assert_int_equal(G.rx, 0);
	lh_free(h);
}

/*
 * Records must end within the room we had: the host's published tail +
 * size - 4 (our stop word had to fit).  Records by the book to exactly
 * there: delivered.  From the tail that publishes, records to 4 bytes
 * short of it, then one of 8 bytes (4 past it, where our stop word had
 * to be): the records before it delivered, then -EPROTO.
 */
static void record_past_room(void **state)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid, pub, n;
	char want[64];

	(void)state;
	h = bound(&e, &hid);
	pub = F.rc->tail;
	assert_int_equal(pub, F.head);
	n = fr_fill(hid, pub + F.n2 - 4);
	assert_int_equal(rproc_link_poll(h->link), (int)n);
	assert_int_equal(G.rx, (int)n);
	assert_int_equal(F.rc->tail, F.head);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	/* again from there, 4 bytes too far */
	pub = F.rc->tail;
	G.rx = 0;
	n = fr_fill(hid, pub + F.n2 - 8);
	fr_raw(LINK_REC(hid, 4));
	rproc_link_poll(h->link);
	snprintf(want, sizeof(want),
		 "record of 8 bytes at %u: past the room it had",
		 (unsigned)F.head);
	expect_proto(h, e, want);
	assert_int_equal(G.rx, (int)n);
	lh_free(h);
}

/*
 * A ring of stale headers and no stop word anywhere (a producer that
 * forgot it, or a ring of an older lap): every word a header of an empty
 * record for our endpoint.  The host delivers what fits in the room we
 * had (a ring less 4 bytes: size / 4 - 1 records), then -EPROTO: no
 * endless loop.  Polled too (its published tail lags: the room is
 * counted from it).
 */
static void stale_ring(bool polled)
{
	struct rproc_link_ept *e;
	struct harness *h;
	uint32_t hid;

	h = bound(&e, &hid);
	if (polled) {
		/* consumed, not published: the room still counts from
		 * the published tail */
		assert_int_equal(rproc_link_set_polled(h->link, true), 0);
		fr_write(hid, "abc", 3);
		assert_int_equal(rproc_link_poll(h->link), 1);
		assert_int_equal(F.rc->tail, F.head - 8);
		G.rx = 0;
	}
	for (uint32_t i = 0; i < F.n2; i += 4)
		wput(F.rd, i, LINK_REC(hid, 0));
	rproc_link_poll(h->link);
	assert_int_equal(G.rx, (int)(F.n2 / 4 - 1 - (polled ? 2 : 0)));
	expect_proto(h, e, "past the room it had");
	lh_free(h);
}

static void stale_ring_busy(void **state)
{
	(void)state;
	stale_ring(false);
}

static void stale_ring_polled(void **state)
{
	(void)state;
	stale_ring(true);
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

/* ---- the host as producer ---------------------------------------------------- */

/* The host's next record after index @hh, of @len payload bytes: its
 * header's position (*@pad: a pad at @hh's position before it), its stop
 * word's, and the index after it. */
static uint32_t host_next(uint32_t hh, uint32_t len, uint32_t *rpos,
			  uint32_t *stop, bool *pad)
{
	uint32_t pos = hh & (F.n1 - 1), rec = LINK_REC_SIZE(len);

	*pad = rec > F.n1 - pos;
	if (*pad) {
		hh += F.n1 - pos;
		pos = 0;
	}
	*rpos = pos;
	*stop = (pos + rec) & (F.n1 - 1);
	return hh + rec;
}

/* The host's record of @len bytes for @id after index *@hh, checked in
 * the ring: the pad before it if it needs one, its header, 0 at the
 * position after it; *@hh moved past it.  Counts pads and records ending
 * at the end of the area. */
static void host_check_rec(uint32_t *hh, uint32_t id, uint32_t len,
			   uint32_t *pads, uint32_t *at_end)
{
	uint32_t old = *hh, rpos, stop;
	bool pad;

	*hh = host_next(old, len, &rpos, &stop, &pad);
	if (pad)
		assert_int_equal(wget(F.hd, old & (F.n1 - 1)),
				 LINK_REC(LINK_EPT_PAD, 0));
	assert_int_equal(wget(F.hd, rpos), LINK_REC(id, len));
	assert_int_equal(wget(F.hd, stop), 0);
	assert_int_equal(F.hp->head, 0);
	*pads += pad;
	*at_end += !stop;
}

/*
 * The host as producer, over many laps of the ring with assorted sizes
 * (the fast path's 8..16 bytes, other payloads, NULL and empty, the MTU,
 * control messages; pads at the end at many offsets, records ending
 * exactly at the end): after every send, its head word still 0, the pad
 * where it had to be, the record's header, and 0 at the position after
 * the record (position 0 after one ending at the end).  What we consume
 * is poisoned, and before the first send the whole ring but the current
 * stop word: every stop word checked was written by the host.  Every
 * message arrives once, in order, intact.
 */
static void host_stop_words(void **state)
{
	static const uint32_t sizes[] = {
		12, 8,	16, 0,	 100, 9, 2040, 13, 1,  700, 15, 44,
		3,  10, 16, 999, 4,   8, 1500, 11, 40, 14,  0,	333,
	};
	const uint32_t ns = sizeof(sizes) / sizeof(sizes[0]);
	static uint32_t sent[4096];
	struct rproc_link_ept *e, *b;
	struct harness *h;
	uint32_t hid, hh, id, len, n, seq = 0, rseq = 0;
	uint32_t pads = 0, at_end = 0, ctls = 0, seed = 0xB0A7u, r;
	uint8_t buf[2048], got[2048];
	int ret;

	(void)state;
	h = bound(&e, &hid);
	assert_int_equal(F.hp->head, 0);
	hh = fr_host_head();
	assert_int_equal(hh, F.tail);
	for (uint32_t i = 0; i < F.n1; i += 4)
		if (i != (hh & (F.n1 - 1)))
			wput(F.hd, i, POISON);
	while (seq < 3000) {
		uint32_t to_end = F.n1 - (hh & (F.n1 - 1));

		if (seq % 101 == 50) {
			/* control messages: BIND of a new endpoint, ACKed,
			 * then its UNBIND (room first: all read) */
			while (fr_read(&id, got, &len)) {
				assert_int_equal(id, 5);
				assert_int_equal(len, sent[rseq % 4096]);
				seq_fill(buf, rseq, len);
				assert_memory_equal(got, buf, len);
				rseq++;
			}
			assert_int_equal(rproc_link_ept_create(h->link, "b",
							       rx_cb, NULL,
							       NULL, &b),
					 0);
			host_check_rec(&hh, LINK_EPT_CTL,
				       sizeof(struct link_ctl), &pads, &at_end);
			fr_expect_ctl(LINK_CTL_BIND, "b", &id);
			fr_ctl(LINK_CTL_ACK, 11, "b");
			rproc_link_poll(h->link);
			assert_true(rproc_link_ept_bound(b));
			rproc_link_ept_destroy(b);
			host_check_rec(&hh, LINK_EPT_CTL,
				       sizeof(struct link_ctl), &pads, &at_end);
			fr_expect_ctl(LINK_CTL_UNBIND, "b", &id);
			assert_int_equal(F.tail, hh);
			ctls += 2;
		}
		r = lh_rand(&seed);
		n = r & 3 ? sizes[(r >> 2) % ns] : (r >> 8) % 2041;
		/* every 13th: a record ending at the end, when it can */
		if (seq % 13 == 3 && to_end >= 4 && to_end - 4 <= 2040)
			n = to_end - 4;
		seq_fill(buf, seq, n);
		ret = rproc_link_trysend(e, (n || (seq & 1)) ? buf : NULL, n);
		if (ret == -EAGAIN) {
			/* full: read all, then it goes */
			while (fr_read(&id, got, &len)) {
				assert_int_equal(id, 5);
				assert_int_equal(len, sent[rseq % 4096]);
				seq_fill(buf, rseq, len);
				assert_memory_equal(got, buf, len);
				rseq++;
			}
			assert_int_equal(F.tail, hh);
			assert_int_equal(rseq, seq);
			seq_fill(buf, seq, n);
			ret = rproc_link_trysend(
				e, (n || (seq & 1)) ? buf : NULL, n);
		}
		assert_int_equal(ret, 0);
		host_check_rec(&hh, 5, n, &pads, &at_end);
		sent[seq % 4096] = n;
		seq++;
	}
	while (fr_read(&id, got, &len)) {
		assert_int_equal(len, sent[rseq % 4096]);
		seq_fill(buf, rseq, len);
		assert_memory_equal(got, buf, len);
		rseq++;
	}
	assert_int_equal(rseq, seq);
	print_message("host stop words: %u sends, %u control messages, %u "
		      "pads, %u records to the end\n",
		      seq, ctls, pads, at_end);
	assert_true(pads > 100 && at_end > 100 && ctls > 40);
	assert_int_equal(rproc_link_state(h->link), RPROC_LINK_UP);
	lh_free(h);
}

/* ---- the host's stores, one by one ------------------------------------------- */

#if defined(__x86_64__) && defined(__linux__)
#define HAVE_TRACE 1
#include <ucontext.h>

/*
 * Stores into the host's ring traced in order: the pages from its
 * producer line to the end of its data area read-only; a store there
 * faults, the pages are made writable and the store single-stepped (the
 * trap flag), then its address and the word there after it are logged
 * and the pages read-only again.  Single-threaded: only the test's own
 * calls into the host run meanwhile.
 */
#define TRACE_MAX 16384
static struct {
	uint8_t *lo;
	size_t len;
	uintptr_t at;
	unsigned n;
	bool overflow;
	uintptr_t addr[TRACE_MAX];
	uint32_t val[TRACE_MAX];
	struct sigaction old_segv, old_trap;
} T;

static void tr_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uintptr_t a = (uintptr_t)si->si_addr;

	if (a - (uintptr_t)T.lo >= T.len) {
		/* not ours: fault for real */
		signal(sig, SIG_DFL);
		return;
	}
	T.at = a;
	mprotect(T.lo, T.len, PROT_READ | PROT_WRITE);
	uc->uc_mcontext.gregs[REG_EFL] |= 0x100;
}

static void tr_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	if (T.n < TRACE_MAX) {
		T.addr[T.n] = T.at;
		T.val[T.n] = *(volatile uint32_t *)(T.at & ~(uintptr_t)3);
		T.n++;
	} else {
		T.overflow = true;
	}
	uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)0x100;
	mprotect(T.lo, T.len, PROT_READ);
}

static void trace_on(void)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)F.hp & ~(pg - 1);
	uintptr_t hi = ((uintptr_t)(F.hd + F.n1) + pg - 1) & ~(pg - 1);
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO;
	T.lo = (uint8_t *)lo;
	T.len = hi - lo;
	T.n = 0;
	T.overflow = false;
	sa.sa_sigaction = tr_segv;
	assert_int_equal(sigaction(SIGSEGV, &sa, &T.old_segv), 0);
	sa.sa_sigaction = tr_trap;
	assert_int_equal(sigaction(SIGTRAP, &sa, &T.old_trap), 0);
	assert_int_equal(mprotect(T.lo, T.len, PROT_READ), 0);
}

static void trace_off(void)
{
	assert_int_equal(mprotect(T.lo, T.len, PROT_READ | PROT_WRITE), 0);
	sigaction(SIGSEGV, &T.old_segv, NULL);
	sigaction(SIGTRAP, &T.old_trap, NULL);
	assert_false(T.overflow);
}

/* @expr (an int) with the host's stores traced. */
#define TRACED(expr)                                                           \
	({                                                                     \
		int ret_;                                                      \
		trace_on();                                                    \
		ret_ = (expr);                                                 \
		trace_off();                                                   \
		ret_;                                                          \
	})

/*
 * The trace of one record of @len bytes for @id placed after the host's
 * index @hh: stores into the data area only; with a pad, 0 at position 0
 * before the pad header; the payload into the record; 0 where the next
 * record starts; the header last of all.
 */
static void trace_check_rec(uint32_t hh, uint32_t id, uint32_t len)
{
	uintptr_t d = (uintptr_t)F.hd;
	uint32_t rpos, stop, ppos = hh & (F.n1 - 1), off, last;
	int i0 = -1, ip = -1, is = -1;
	bool pad;

	host_next(hh, len, &rpos, &stop, &pad);
	assert_true(T.n >= 2);
	last = T.n - 1;
	if (T.addr[last] != d + rpos || T.val[last] != LINK_REC(id, len))
		fail_msg("the last store: %#x at %ld, not the header %#x at %u",
			 (unsigned)T.val[last], (long)(T.addr[last] - d),
			 (unsigned)LINK_REC(id, len), (unsigned)rpos);
	for (uint32_t i = 0; i < last; i++) {
		if (T.addr[i] - d >= F.n1)
			fail_msg("a store outside the data area, at %ld from "
				 "it",
				 (long)(T.addr[i] - d));
		off = (uint32_t)(T.addr[i] - d);
		if (pad && off == 0 && i0 < 0 && ip < 0) {
			/* the pad's stop word */
			assert_int_equal(T.val[i], 0);
			i0 = (int)i;
		} else if (pad && off == ppos) {
			assert_int_equal(T.val[i], LINK_REC(LINK_EPT_PAD, 0));
			ip = (int)i;
		} else if (off == stop) {
			assert_int_equal(T.val[i], 0);
			is = (int)i;
		} else if (off - rpos - LINK_HDR_LEN >= len) {
			fail_msg("a store at %u: the record (%u bytes) is at "
				 "%u, its stop word at %u",
				 (unsigned)off, (unsigned)len, (unsigned)rpos,
				 (unsigned)stop);
		}
	}
	if (is < 0)
		fail_msg("no stop word at %u before the header at %u",
			 (unsigned)stop, (unsigned)rpos);
	if (pad && (i0 < 0 || ip < i0))
		fail_msg("the pad at %u without 0 at position 0 before it",
			 (unsigned)ppos);
}

/*
 * Each send traced (sizes and positions as in host_stop_words: the fast
 * path, other payloads, NULL, the MTU, pads at many offsets, records to
 * the end) and control messages (BIND, UNBIND): see trace_check_rec().
 */
static void host_store_order(void **state)
{
	static const uint32_t sizes[] = {
		12, 8,	16, 0,	 100, 9, 2040, 13, 1,  700, 15, 44,
		3,  10, 16, 999, 4,   8, 1500, 11, 40, 14,  0,	333,
	};
	const uint32_t ns = sizeof(sizes) / sizeof(sizes[0]);
	struct rproc_link_ept *e, *b;
	struct harness *h;
	uint32_t hid, hh, id, len, n, pads = 0, at_end = 0, rpos, stop;
	uint32_t seed = 0x5EEDu, r;
	uint8_t buf[2048], got[2048];
	bool pad;

	(void)state;
	h = bound(&e, &hid);
	for (uint32_t seq = 0; seq < 600; seq++) {
		hh = fr_host_head();
		assert_int_equal(hh, F.tail);
		r = lh_rand(&seed);
		n = r & 3 ? sizes[(r >> 2) % ns] : (r >> 8) % 2041;
		if (seq % 11 == 2 && F.n1 - (hh & (F.n1 - 1)) - 4 <= 2040)
			n = F.n1 - (hh & (F.n1 - 1)) - 4;
		seq_fill(buf, seq, n);
		assert_int_equal(TRACED(rproc_link_trysend(
					 e, (n || (seq & 1)) ? buf : NULL, n)),
				 0);
		trace_check_rec(hh, 5, n);
		host_next(hh, n, &rpos, &stop, &pad);
		pads += pad;
		at_end += !stop;
		assert_true(fr_read(&id, got, &len));
		assert_int_equal(len, n);
		assert_memory_equal(got, buf, n);
		if (seq % 50 == 25) {
			hh = F.tail;
			assert_int_equal(
				TRACED(rproc_link_ept_create(
					h->link, "b", rx_cb, NULL, NULL, &b)),
				0);
			trace_check_rec(hh, LINK_EPT_CTL,
					sizeof(struct link_ctl));
			fr_expect_ctl(LINK_CTL_BIND, "b", &id);
			fr_ctl(LINK_CTL_ACK, 11, "b");
			rproc_link_poll(h->link);
			assert_true(rproc_link_ept_bound(b));
			hh = F.tail;
			assert_int_equal(TRACED((rproc_link_ept_destroy(b), 0)),
					 0);
			trace_check_rec(hh, LINK_EPT_CTL,
					sizeof(struct link_ctl));
			fr_expect_ctl(LINK_CTL_UNBIND, "b", &id);
		}
	}
	print_message("host store order: 600 sends, %u pads, %u records to "
		      "the end\n",
		      pads, at_end);
	assert_true(pads > 10 && at_end > 10);
	lh_free(h);
}

/* The trace of a poll that renews the host's session: 0 at position 0 of
 * its data area before its new session is published. */
static void trace_check_renew(void)
{
	uintptr_t s = (uintptr_t)&F.hp->session;
	int i0 = -1, is = -1;

	for (uint32_t i = 0; i < T.n; i++) {
		if (T.addr[i] == (uintptr_t)F.hd && !T.val[i] && is < 0)
			i0 = (int)i;
		if (T.addr[i] == s && T.val[i])
			is = (int)i;
	}
	if (is < 0)
		fail_msg("no new session stored");
	if (i0 < 0)
		fail_msg("no 0 at position 0 before the new session");
}
#else
static void host_store_order(void **state)
{
	(void)state;
	skip();
}
#endif

/* ---- sessions and tails ---------------------------------------------------- */

/* The remote restarts with records of the old session in the ring (0 at
 * position 0 before its new session): none is delivered, peer reset, a
 * new handshake.  The host's new session starts with 0 at position 0 of
 * its ring (before the session word, traced where we can), and writes
 * nothing else there until it is up. */
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
	F.hc->ack = 0;	 /* not accepted the host's yet */
	poison(0, F.n1); /* the host's old session: stale words */
#ifdef HAVE_TRACE
	assert_int_equal(TRACED(rproc_link_poll(h->link)), 0);
	trace_check_renew();
#else
	assert_int_equal(rproc_link_poll(h->link), 0);
#endif
	assert_int_equal(wget(F.hd, 0), 0);
	for (uint32_t i = 4; i < F.n1; i += 4)
		assert_int_equal(wget(F.hd, i), POISON);
	assert_int_equal(F.hp->head, 0);
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
	assert_int_equal(wget(F.hd, 0), 0);
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
	F.hc->tail = backwards ? F.tail - 4 : fr_host_head() + 4;
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
	uint32_t hid, id, len, seq = 0, rseq = 0, k, hh, rec, end;
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
			hh = fr_host_head();
			assert_true(hh - F.tail <= F.n1 - LINK_HDR_LEN);
		}
		/* full: less than the next record (a pad before it if it
		 * needs one) and its stop word need is left, with our tail
		 * as published */
		hh = fr_host_head();
		rec = LINK_REC_SIZE(sizes[seq % ns]);
		end = F.n1 - (hh & (F.n1 - 1));
		assert_true(F.n1 - (hh - F.tail) <
			    (rec > end ? end + rec : rec) + LINK_HDR_LEN);
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
	 * it reached the end): room for a 12-byte message and its stop
	 * word, not for the ACK the remote's BIND asks (44 and 4) */
	assert_int_equal(F.tail, fr_host_head());
	assert_true((F.tail & (F.n1 - 1)) > 32);
	for (;;) {
		uint32_t hh = fr_host_head();
		uint32_t room = F.n1 - (hh - F.tail);
		uint32_t to_end = F.n1 - (hh & (F.n1 - 1));
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
	14, 4,	16, 3, 8,  40, 700, 5,	1500, 33, 2040, 999, 12,
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
	assert_int_equal(rproc_link_rx_mtu(h->link), 2040);
	ev0 = F.rc->data_event;
	start = F.head;
	lap_seq = lap_bad = 0;
	G.on_rx = lap_rx;
	assert_int_equal(rproc_link_set_polled(h->link, true), 0);
	while (F.head - start < 200 * F.n2) {
		uint32_t n = lap_sizes[seq % LAP_NS], pos = F.head & (F.n2 - 1);
		uint32_t rec = LINK_REC_SIZE(n), pub, ev, k, c, want;
		uint32_t need = (rec > F.n2 - pos ? F.n2 - pos + rec : rec) +
				LINK_HDR_LEN; /* the stop word */
		bool waiting = false, ring, publish;

		if (F.n2 - (F.head - F.rc->tail) >= need) {
			pads += need != rec + LINK_HDR_LEN;
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
	F.lax = true;
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
		case 5: /* (a stale ring could go on forever) */
			for (int k = 0; k < 2000 && fr_read(&id, buf, &len);
			     k++)
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
			F.lax = true;
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
		cmocka_unit_test(host_stop_words),
		cmocka_unit_test(host_store_order),
		cmocka_unit_test(head_word_ignored),
		cmocka_unit_test(garbage_payload),
		cmocka_unit_test(garbage_past_stop_word),
		cmocka_unit_test(record_crosses_end),
		cmocka_unit_test(record_crosses_end_at_start),
		cmocka_unit_test(pad_at_start),
		cmocka_unit_test(record_past_room),
		cmocka_unit_test(stale_ring_busy),
		cmocka_unit_test(stale_ring_polled),
		cmocka_unit_test(ept_out_of_range),
		cmocka_unit_test(ept_unknown_and_bad_control),
		cmocka_unit_test(session_change_mid_stream),
		cmocka_unit_test(tail_backwards),
		cmocka_unit_test(tail_past_head),
		cmocka_unit_test(fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
