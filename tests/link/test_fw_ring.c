/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_fw_ring: the firmware library's link (firmware/lib/link.c, built
 * for the host with the default host port hooks defined here) against a
 * hostile host the test plays, writing the shared memory word by word,
 * with wire version 2 (rproc/link_abi.h: the header is the ready word;
 * no head index).  Both data areas start full of garbage, and the host
 * poisons what it has read of the firmware's ring, so only the stop
 * words the firmware writes end what the host reads: each read checks
 * that everything the firmware produced is well formed up to a 0 word
 * and that it never wrote its producer line's head.
 *
 * Set-up errors (version 1 refused); the handshake, binding, echo and
 * pads by the book.  Received: records crossing the end of the data area
 * (control ones too), a pad at position 0, endpoint ids out of range
 * (each a sticky RPFW_EPROTO, our lines saying "left", nothing outside
 * the shared memory touched: it is its own heap block, ASan); a header
 * whose payload was not written (delivered as what is there, its length
 * checked: no violation), control records of a wrong length (dropped; of
 * length 0 the header is 0, the stop word), stale records of the last
 * lap and garbage beyond the stop word or after a pad (not read), the
 * host's old head word (ignored).  Sent: a 0 stop word after each record
 * and 0 at position 0 for a new session, the room for it (a record needs
 * its size plus 4 bytes, plus the end with a pad), tails moving
 * backwards or past our head (violations), and the order of the stores,
 * observed with the shared memory split over two pages, each store to
 * the other page faulting first: at every switch the host's view is
 * consistent (payload and stop word before the header, 0 at position 0
 * before a pad header, before a new session's number).  A host
 * restarting mid-stream: nothing of its old session delivered, a reset,
 * our new session; a restarted firmware refuses the host session its
 * previous life accepted.  Callbacks that keep a message for later, a
 * host producing faster than we poll (each poll bounded), zero copy,
 * notification suppression both ways.  An idle poll stores nothing (the
 * shared memory read-only meanwhile).  Polled mode
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

/* Garbage the data areas start with, and what the host leaves where it
 * read: as a header, endpoint 0xEEEE (past our slots) of 0xEEEE bytes
 * (past the end). */
#define POISON 0xEE
#define POISON32 0xEEEEEEEEu

static uint8_t *shm;	   /* exactly LINK_SHM_SIZE(N1, N2) bytes */
static size_t shm_mapped;  /* or on pages of its own (mmap): their bytes */
static uint8_t *shm_map;   /* where they start */
static uint32_t shm_split; /* setup_split(): a page starts at shm + this */
static unsigned notifies;

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

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
	uint32_t head, tail; /* ours: h2r head, r2h tail */
	uint32_t seen, done; /* h2r: the record being delivered, its end */
} H;

static struct fw_rsc_link rsc;
static struct fw_rsc_carveout co;
static struct rpfw_link L;

/* What the firmware's callbacks saw. */
static struct {
	int rx, up, reset, bound, unbound, keep;
	uint32_t refill; /* the host writes more messages to this id */
	int written;
	int trap; /* tail_trap(): the memory read-only after each message */
	uint32_t last_len;
	uint8_t last[1024];
	struct rpfw_link_ept *last_ept;
	char log[256]; /* the first byte of each message, in order */
	unsigned nlog;
	int keep_at;  /* keep (RPFW_EAGAIN) the message after this many */
	int echo;     /* send each message back (rpfw_link_send) */
	int echo_ret; /* what the last echo returned */
} G;

static void tail_trap(void);

static int rx_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		 void *priv)
{
	uint32_t pos = (uint32_t)((uint8_t *)data - LINK_HDR_LEN - H.td);

	(void)priv;
	H.seen += (pos - H.seen) & (N1 - 1);
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
	H.done = H.seen + LINK_REC_SIZE(len);
	if (G.trap)
		tail_trap();
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
		shm_map = mmap(NULL, shm_mapped, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(shm_map != MAP_FAILED);
		shm = shm_map;
		if (shm_split)
			shm += (size_t)sysconf(_SC_PAGESIZE) - shm_split;
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
	H.head = H.tail = H.seen = H.done = 0;
	memset(H.td, POISON, N1);
	memset(H.rd, POISON, N2);
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

/* setup() with a page boundary at shm + shm_split (the offset set by the
 * two wrappers below): two pages at least, the shared memory not page
 * aligned. */
static int setup_split(void **state)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	assert_true(shm_split && shm_split <= pg);
	shm_mapped =
		(pg - shm_split + LINK_SHM_SIZE(N1, N2) + pg - 1) & ~(pg - 1);
	return setup(state);
}

/* ... at position SPLIT_POS of the r2h data area */
#define SPLIT_POS 512u
static int setup_split_r2h(void **state)
{
	shm_split = LINK_OFF_R2H_DATA(N1) + SPLIT_POS;
	return setup_split(state);
}

/* ... at the start of the r2h data area (our lines before it) */
static int setup_split_r2h_data(void **state)
{
	shm_split = LINK_OFF_R2H_DATA(N1);
	return setup_split(state);
}

static int teardown(void **state)
{
	(void)state;
	if (shm_mapped)
		munmap(shm_map, shm_mapped);
	else
		free(shm);
	shm_mapped = 0;
	shm_split = 0;
	return 0;
}

/* ---- stores that must not happen ----------------------------------------- */

/* The host's side of a (new) session @s: our lines reset, 0 at position
 * 0 of our data area, then the session published. */
static void host_session(uint32_t s)
{
	H.tp->session = 0;
	H.rc->ack = 0;
	H.tp->head = 0; /* unused since version 2 */
	H.tp->space_event = LINK_EVENT_NONE;
	H.rc->tail = 0;
	H.rc->data_event = 0;
	wr32(H.td, 0);
	H.head = H.tail = H.seen = H.done = 0;
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

/* A record as a version 2 producer writes it: a pad to the end first if
 * it does not fit (0 at position 0, then the pad header), then the
 * payload, the stop word after it, and the header last. */
static void host_write(uint32_t id, const void *data, uint32_t len)
{
	uint32_t pos = H.head & (N1 - 1), rec = LINK_REC_SIZE(len);

	if (rec > N1 - pos) {
		wr32(H.td, 0);
		wr32(H.td + pos, LINK_REC(LINK_EPT_PAD, 0));
		H.head += N1 - pos;
		pos = 0;
	}
	memcpy(H.td + pos + LINK_HDR_LEN, data, len);
	wr32(H.td + ((pos + rec) & (N1 - 1)), 0);
	wr32(H.td + pos, LINK_REC(id, len));
	H.head += rec;
}

/* A header @hdr alone at the host's head (no payload, no stop word),
 * which moves by @advance. */
static void host_raw(uint32_t hdr, uint32_t advance)
{
	wr32(H.td + (H.head & (N1 - 1)), hdr);
	H.head += advance;
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

/* Messages @s, one per character (9..16 bytes each), for @id. */
static void host_msgs(uint32_t id, const char *s)
{
	char msg[16];

	for (unsigned i = 0; s[i]; i++) {
		memset(msg, s[i], sizeof(msg));
		host_write(id, msg, 9 + i % 8);
	}
}

/*
 * The host's view of what the firmware produced and it has not read yet:
 * the records from its tail by ready words, up to a 0 word, each inside
 * the data area (a pad not at position 0) and, unless @pat < 0, @pat in
 * every payload byte; a ring's worth at most.  *@head (if not NULL): the
 * index of the 0 word, the firmware's head.  Reads only (also called
 * from a signal handler).
 */
static bool fw_walk(uint32_t *head, int pat)
{
	uint32_t t = H.tail, h, pos, len, rec, i;

	while (t - H.tail < N2) {
		pos = t & (N2 - 1);
		h = rd32(H.rd + pos);
		if (!h) {
			if (head)
				*head = t;
			return true;
		}
		if (LINK_REC_EPT(h) == LINK_EPT_PAD) {
			if (!pos)
				return false;
			t += N2 - pos;
			continue;
		}
		len = LINK_REC_PLEN(h);
		rec = LINK_REC_SIZE(len);
		if (rec > N2 - pos)
			return false;
		for (i = 0; pat >= 0 && i < len; i++)
			if (H.rd[pos + LINK_HDR_LEN + i] != pat)
				return false;
		t += rec;
	}
	return false;
}

/* The firmware's head as the host sees it (fw_walk()), everything before
 * it well formed; its producer line's head never written. */
static uint32_t fw_head(void)
{
	uint32_t head = 0;

	assert_true(fw_walk(&head, -1));
	assert_int_equal(H.rp->head, 0);
	return head;
}

/* The next record of the firmware, pads skipped, or false at a 0 word.
 * What was read is poisoned (a stop word missing after it would show). */
static bool host_read(uint32_t *id, void *buf, uint32_t *len)
{
	uint32_t h, pos, rec;

	fw_head();
	for (;;) {
		pos = H.tail & (N2 - 1);
		h = rd32(H.rd + pos);
		if (!h)
			return false;
		if (LINK_REC_EPT(h) == LINK_EPT_PAD) {
			memset(H.rd + pos, POISON, N2 - pos);
			H.tail += N2 - pos;
			continue;
		}
		*id = LINK_REC_EPT(h);
		*len = LINK_REC_PLEN(h);
		rec = LINK_REC_SIZE(*len);
		memcpy(buf, H.rd + pos + LINK_HDR_LEN, *len);
		memset(H.rd + pos, POISON, rec);
		H.tail += rec;
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
	/* 0 at position 0 of our data area, garbage after it */
	assert_int_equal(rd32(H.rd), 0);
	assert_int_equal(rd32(H.rd + 4), POISON32);
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

/*
 * A host as fast as the firmware, without threads: from a callback
 * (G.trap), the shared memory is made read-only, so the firmware's next
 * store to it, its tail at the end of the pass, faults; the handler lets
 * it through and runs on_tail(), the host acting at that moment, having
 * seen that tail (H.done: all the firmware took).  What it writes is
 * there when the firmware looks at the ring once more.  trap_bad: a
 * store faulted that was not the tail's.
 */
static void (*on_tail)(void);
static int trap_bad, trap_hits;

static void tail_trap(void)
{
	mprotect(shm_map, shm_mapped, PROT_READ);
}

static void trap_segv(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	(void)uc;
	if (a < shm_map || a >= shm_map + shm_mapped) {
		signal(sig, SIG_DFL); /* not ours: faults again, fatal */
		return;
	}
	trap_hits++;
	trap_bad += a != (volatile uint8_t *)&H.tc->tail;
	mprotect(shm_map, shm_mapped, PROT_READ | PROT_WRITE);
	on_tail();
}

/* One poll with tail_trap() on; its value. */
static int poll_trapped(void (*fn)(void))
{
	struct sigaction sa = {.sa_sigaction = trap_segv,
			       .sa_flags = SA_SIGINFO},
			 old;
	int ret;

	assert_non_null(shm_map); /* setup_mapped() */
	on_tail = fn;
	trap_bad = trap_hits = 0;
	assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
	G.trap = 1;
	ret = rpfw_link_poll(&L);
	G.trap = 0;
	mprotect(shm_map, shm_mapped, PROT_READ | PROT_WRITE);
	sigaction(SIGSEGV, &old, NULL);
	assert_int_equal(trap_bad, 0);
	return ret;
}

/* The host fills the room it sees (fill_max messages in all at most). */
static int fill_max = 400;

static void host_fill(void)
{
	while (H.head + LINK_REC_SIZE(8) + 4 - H.done <= N1 &&
	       G.written < fill_max) {
		host_write(G.refill, "12345678", 8);
		G.written++;
	}
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
	r.version = 1; /* the head index: not spoken any more */
	assert_int_equal(rpfw_link_init(&L, &r, &co, NULL), RPFW_EINVAL);
	r.version = LINK_VERSION + 1;
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

/* The host's head word (version 1) is nobody's business any more: a
 * jump past a ring's worth, a misaligned value, both ignored. */
static void head_word_ignored(void **state)
{
	uint32_t id;

	(void)state;
	up_and_bound(&id);
	H.tp->head = H.head + N1 + 4;
	assert_int_equal(rpfw_link_poll(&L), 0);
	H.tp->head = H.head + 1;
	assert_int_equal(rpfw_link_poll(&L), 0);
	host_write(id, "x", 1);
	H.tp->head = 3;
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(rpfw_link_ready(&L), 1);
	assert_int_equal(H.tc->tail, H.head);
}

/* A header whose payload (and stop word) the host did not write: it is
 * delivered with the bytes that are there, of the length it says (inside
 * the data area: memory safety is all the firmware can check); what
 * follows is the word that is there (here a stale 0). */
static void payload_not_written(void **state)
{
	uint32_t id, pos;

	(void)state;
	up_and_bound(&id);
	pos = H.head & (N1 - 1);
	memset(H.td + pos + 4, 'S', 64); /* stale */
	wr32(H.td + pos + 68, 0);
	host_raw(LINK_REC(id, 64), 68);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(G.last_len, 64);
	assert_int_equal(G.last[0], 'S');
	assert_int_equal(G.last[63], 'S');
	assert_int_equal(H.tc->tail, H.head);
	host_write(id, "ok", 2);
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_memory_equal(G.last, "ok", 2);
	assert_int_equal(rpfw_link_ready(&L), 1);
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

/* The host's head to position 0 (the messages on the way delivered). */
static void host_to_zero(uint32_t id)
{
	host_near_end(id, 16);
	host_write(id, "0123456789ab", 12);
	assert_int_equal(H.head & (N1 - 1), 0);
	assert_int_equal(rpfw_link_poll(&L), 1);
	G.rx = 0;
	G.nlog = 0;
}

/* A record crossing the end of the data area (its header 8 bytes before
 * the end): a violation, nothing delivered. */
static void record_crosses_end(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_near_end(id, 8);
	host_raw(LINK_REC(id, 8), 12); /* 12 bytes, 8 to the end */
	expect_proto(e);
	assert_int_equal(G.rx, 0);
}

/* The same for a record to a free slot (which would be dropped). */
static void dropped_record_crosses_end(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_near_end(id, 8);
	host_raw(LINK_REC(id + 1, 5), 12);
	expect_proto(e);
}

/* A pad at position 0 (a producer never needs one there): a violation,
 * at the start of a session, or after a wrap with what follows it
 * looking valid. */
static void pad_at_zero(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_session(6);
	assert_int_equal(rpfw_link_poll(&L), 0);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	host_raw(LINK_REC(LINK_EPT_PAD, 0), 4);
	expect_proto(e);
}

static void pad_at_zero_after_wrap(void **state)
{
	uint32_t id;
	struct rpfw_link_ept *e = up_and_bound(&id);

	(void)state;
	host_to_zero(id);
	host_write(id, "x", 1); /* at 0 ... */
	H.head -= 8;
	host_raw(LINK_REC(LINK_EPT_PAD, 0), N1); /* ... under a pad */
	expect_proto(e);
	assert_int_equal(G.rx, 0);
}

/* Control records of a wrong length are dropped (the walk goes on by
 * their length); one of length 0 has header 0, the stop word: nothing
 * after it is read; one crossing the end is a violation. */
static void ctl_wrong_length(void **state)
{
	uint32_t id, t0;
	struct rpfw_link_ept *e = up_and_bound(&id);
	struct link_ctl m[2];

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].op = LINK_CTL_BIND;
	m[0].id = 20;
	memcpy(m[0].name, "a", 2);
	host_write(LINK_EPT_CTL, m, sizeof(m[0]) - 4);
	host_write(LINK_EPT_CTL, m, sizeof(m[0]) + 4);
	host_write(LINK_EPT_CTL, m, sizeof(m)); /* 80 bytes */
	host_msgs(id, "a");
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(e->remote, 9);
	assert_false(host_read(&t0, m, &t0)); /* no ACK */
	assert_int_equal(H.tc->tail, H.head);
	/* length 0: the ready word is 0 */
	t0 = H.head;
	host_write(LINK_EPT_CTL, m, 0);
	host_msgs(id, "b");
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(H.tc->tail, t0);
	assert_int_equal(rpfw_link_ready(&L), 1);
	/* crossing the end */
	H.head = t0;
	host_near_end(id, 12);
	host_raw(LINK_REC(LINK_EPT_CTL, sizeof(m[0])), 44);
	expect_proto(e);
	assert_int_equal(G.rx, 0);
}

/* Nothing beyond a stop word is read: neither garbage that would be a
 * violation, nor valid records of the last lap (with the host's old head
 * word pointing past them), nor a valid record between a pad and the
 * end. */
/*
 * A ring full of stale headers (valid ones, no stop word anywhere): the
 * host could not have written them, since a record must end within our
 * published tail + size - 4.  The records up to that limit are delivered,
 * the one past it is a violation; the firmware neither loops round the
 * ring nor asks to be polled again.
 */
static void stale_ring_is_violation(void **state)
{
	struct rpfw_link_ept *e;
	uint32_t id, i, t;

	(void)state;
	e = up_and_bound(&id);
	t = H.tc->tail;
	for (i = 0; i < N1; i += 4)
		wr32(H.td + ((t + i) & (N1 - 1)), LINK_REC(id, 0));
	G.rx = 0;
	assert_int_equal(rpfw_link_poll(&L), RPFW_EPROTO);
	assert_int_equal(G.rx, (N1 - LINK_HDR_LEN) / 4);
	assert_false(rpfw_link_pending(&L));
	expect_proto(e);
}

static void stale_not_delivered(void **state)
{
	uint32_t id, pos;

	(void)state;
	up_and_bound(&id);
	/* a violation right after the stop word */
	host_msgs(id, "a");
	wr32(H.td + (H.head & (N1 - 1)) + 4,
	     LINK_REC(RPFW_LINK_MAX_EPT + 1, 0));
	assert_int_equal(rpfw_link_poll(&L), 1);
	assert_int_equal(rpfw_link_ready(&L), 1);
	assert_int_equal(H.tc->tail, H.head);
	/* "b".."i" from position 0; on the next lap "1" there, shorter: its
	 * stop word falls in "b", and "c".."i" stay after it */
	host_to_zero(id);
	host_msgs(id, "bcdefghi");
	assert_int_equal(rpfw_link_poll(&L), 8);
	host_to_zero(id);
	host_write(id, "1", 1);
	assert_int_equal(rd32(H.td + 16), LINK_REC(id, 10)); /* "c" */
	H.tp->head = H.head + 200; /* as a version 1 host would */
	assert_int_equal(rpfw_link_poll(&L), 1);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "1");
	assert_int_equal(H.tc->tail, H.head);
	/* a pad over "y", "z" after it */
	host_near_end(id, 100);
	host_msgs(id, "cd");
	pos = H.head & (N1 - 1);
	host_msgs(id, "yz");
	H.head -= 32;
	wr32(H.td, 0);
	wr32(H.td + pos, LINK_REC(LINK_EPT_PAD, 0));
	H.head += N1 - pos;
	host_msgs(id, "e");
	assert_int_equal(rpfw_link_poll(&L), 3);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, "cde");
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(rpfw_link_ready(&L), 1);
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

/* A host that keeps producing (valid records, in the room each tail we
 * publish leaves it): the firmware looks again after each pass, and one
 * poll stops after a ring's worth (its interrupts masked that long at
 * most; a record that would end past it waits), pending says "again",
 * nothing is lost.  The first fill is half a ring, so the look after the
 * first pass finds the refill. */
static void bounded_poll(void **state)
{
	uint32_t id;
	int n, polls = 0, total, w0;

	(void)state;
	up_and_bound(&id);
	G.refill = id;
	H.done = H.tc->tail;
	fill_max = N1 / 2 / LINK_REC_SIZE(8);
	host_fill();
	fill_max = 400;
	w0 = G.written; /* half a ring's worth */
	assert_int_equal(w0, N1 / 2 / LINK_REC_SIZE(8));
	n = poll_trapped(host_fill);
	assert_true(trap_hits >= 2);
	/* more than was there: the firmware looked again after a pass */
	assert_true(n > w0);
	assert_true((uint32_t)n * LINK_REC_SIZE(8) <= N1);
	assert_true((uint32_t)n * LINK_REC_SIZE(8) > N1 - 2 * LINK_REC_SIZE(8));
	assert_true(rpfw_link_pending(&L));
	total = n;
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

/* The host writes one more record right after our tail store, then
 * restarts: the look at the ring after the pass finds the record, and the
 * next pass checks the session before reading it: not delivered, a
 * reset, our new session, the host's accepted. */
static void host_restart_at_tail(void)
{
	assert_int_not_equal(H.head & (N1 - 1), 0);
	host_write(G.refill, "late", 4);
	host_session(6);
}

static void host_restarts_between_passes(void **state)
{
	uint32_t id;

	(void)state;
	up_and_bound(&id);
	G.refill = id;
	host_msgs(id, "ab");
	assert_int_equal(poll_trapped(host_restart_at_tail), 2);
	assert_int_equal(trap_hits, 1);
	assert_int_equal(G.rx, 2);
	assert_int_equal(G.reset, 1);
	assert_int_equal(H.tc->ack, 6);
	assert_int_equal(H.tc->tail, 0);
	assert_int_equal(rpfw_link_poll(&L), 0);
	assert_int_equal(G.rx, 2);
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

/* The firmware's head (and the host's tail) to position @pos of its data
 * area, by messages of 'P' bytes the host reads at once. */
static void fw_head_to(struct rpfw_link_ept *e, uint32_t pos)
{
	static uint8_t buf[N2], got[N2];
	uint32_t id, len, cur, rec;

	memset(buf, 'P', sizeof(buf));
	while ((cur = fw_head() & (N2 - 1)) != pos) {
		rec = (pos - cur) & (N2 - 1);
		if (rec > N2 - cur)
			rec = N2 - cur;
		if (rec > LINK_REC_SIZE(link_mtu(N2)))
			rec = LINK_REC_SIZE(link_mtu(N2));
		assert_int_equal(rpfw_link_send(e, buf, rec - LINK_HDR_LEN), 0);
		assert_true(host_read(&id, got, &len));
		assert_int_equal(len, rec - LINK_HDR_LEN);
	}
	assert_int_equal(H.tail, fw_head());
}

/* Send @n bytes of 'P' zero copy. */
static int zc_send(struct rpfw_link_ept *e, uint32_t n)
{
	void *p;
	int ret = rpfw_link_reserve(e, n, &p);

	if (ret)
		return ret;
	memset(p, 'P', n);
	return rpfw_link_commit(e, n);
}

/*
 * What the firmware sends, by ready words, over laps: each record where
 * its head was (or at position 0 after a pad to the end, when it does
 * not fit before), followed by a 0 stop word with garbage beyond
 * (host_read() and fw_head() check it all, and that the head word of its
 * producer line stays 0), sent by copy and zero copy (committing less
 * than reserved: the stop word after what was committed, the pad decided
 * by what was reserved).
 */
static void tx_ready_words(void **state)
{
	uint32_t id, rid, len, i, n, r, head, pos, at;
	uint32_t qn[256], qb[256], qh = 0, qt = 0;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t buf[600], got[600];
	void *p;
	int ret;

	(void)state;
	for (i = 0; i < 600; i++) {
		n = (i * 37u) % (link_mtu(N2) + 1);
		r = i & 1 ? n : n + (i % 5) * 12; /* reserved */
		if (r > link_mtu(N2))
			r = n;
		memset(buf, (int)i, n);
		for (;;) {
			head = fw_head();
			if (i & 1) {
				ret = rpfw_link_send(e, buf, n);
			} else {
				ret = rpfw_link_reserve(e, r, &p);
				if (!ret) {
					memcpy(p, buf, n);
					ret = rpfw_link_commit(e, n);
				}
			}
			if (ret != RPFW_EAGAIN)
				break;
			/* no room: the host reads everything */
			while (host_read(&rid, got, &len)) {
				assert_int_equal(len, qn[qh % 256]);
				assert_true(!len || (got[0] == qb[qh % 256] &&
						     got[len - 1] == got[0]));
				qh++;
			}
			assert_int_equal(qh, qt);
		}
		assert_int_equal(ret, 0);
		pos = head & (N2 - 1);
		at = LINK_REC_SIZE(r) > N2 - pos ? head + N2 - pos : head;
		if (at != head)
			assert_int_equal(rd32(H.rd + pos),
					 LINK_REC(LINK_EPT_PAD, 0));
		assert_int_equal(rd32(H.rd + (at & (N2 - 1))), LINK_REC(9, n));
		assert_int_equal(fw_head(), at + LINK_REC_SIZE(n));
		qn[qt % 256] = n;
		qb[qt % 256] = i & 0xFF;
		qt++;
		assert_true(qt - qh <= 256);
	}
	while (host_read(&rid, got, &len))
		qh++;
	assert_int_equal(qh, qt);
}

/*
 * Room: a record needs its size and the 4 bytes of its stop word free,
 * and with a pad the bytes to the end too; without, RPFW_EAGAIN, nothing
 * written (no pad either), and the host asked for a doorbell once its
 * tail is past head + need - size - 1.
 */
static void tx_room(void **state)
{
	uint32_t id, rid, len, head;
	struct rpfw_link_ept *e = up_and_bound(&id);
	static uint8_t buf[N2];

	(void)state;
	memset(buf, 'P', sizeof(buf));
	/* at 600 on both sides: to the end (the stop word at 0), then 204
	 * bytes at 0: 396 free */
	fw_head_to(e, 600);
	head = fw_head();
	assert_int_equal(rpfw_link_send(e, buf, 420), 0);
	assert_int_equal(fw_head(), head + 424);
	assert_int_equal(rd32(H.rd), 0);
	assert_int_equal(rpfw_link_send(e, buf, 200), 0);
	head = fw_head();
	assert_int_equal(N2 - (head - H.tail), 396);
	assert_int_equal(rpfw_link_send(e, buf, 392), RPFW_EAGAIN); /* 400 */
	assert_int_equal(H.rp->space_event, head + 400 - N2 - 1);
	assert_int_equal(fw_head(), head);
	assert_int_equal(rpfw_link_send(e, buf, 388), 0); /* 396 */
	assert_int_equal(N2 - (fw_head() - H.tail), 4);
	assert_int_equal(rpfw_link_send(e, buf, 0), RPFW_EAGAIN); /* 8 */
	assert_int_equal(zc_send(e, 0), RPFW_EAGAIN);
	while (host_read(&rid, buf, &len))
		;
	memset(buf, 'P', sizeof(buf));
	/* at 104 on both sides; 896 bytes sent, unread: the head at 1000,
	 * 24 bytes to the end, 128 free */
	fw_head_to(e, 104);
	assert_int_equal(rpfw_link_send(e, buf, 500), 0);
	assert_int_equal(rpfw_link_send(e, buf, 388), 0);
	head = fw_head();
	assert_int_equal(head & (N2 - 1), 1000);
	assert_int_equal(N2 - (head - H.tail), 128);
	assert_int_equal(rpfw_link_send(e, buf, 100), RPFW_EAGAIN); /* 132 */
	assert_int_equal(H.rp->space_event, head + 132 - N2 - 1);
	assert_int_equal(fw_head(), head);
	assert_int_equal(zc_send(e, 100), RPFW_EAGAIN);
	assert_int_equal(fw_head(), head);
	assert_int_equal(rpfw_link_send(e, buf, 96), 0); /* 24 + 100 + 4 */
	assert_int_equal(fw_head(), head + 24 + 100);
	assert_int_equal(rpfw_link_send(e, buf, 0), RPFW_EAGAIN);
	assert_true(host_read(&rid, buf, &len));
	assert_int_equal(len, 500);
	assert_true(host_read(&rid, buf, &len));
	assert_int_equal(len, 388);
	assert_true(host_read(&rid, buf, &len));
	assert_int_equal(len, 96);
	assert_false(host_read(&rid, buf, &len));
}

/* A reserve that needs a pad, forgotten for a smaller one that fits
 * before the end: nothing of the first was visible (the pad is written
 * by the commit), the record goes where the head was. */
static void reserve_forgotten_pad(void **state)
{
	uint32_t id, rid, len, head;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t got[128];
	void *p;

	(void)state;
	fw_head_to(e, N2 - 40);
	head = fw_head();
	assert_int_equal(rpfw_link_reserve(e, 100, &p), 0);
	assert_ptr_equal(p, H.rd + LINK_HDR_LEN);
	memset(p, 'X', 100);
	assert_int_equal(rd32(H.rd + N2 - 40), 0);
	assert_int_equal(fw_head(), head);
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(rpfw_link_reserve(e, 20, &p), 0);
	assert_ptr_equal(p, H.rd + N2 - 40 + LINK_HDR_LEN);
	memset(p, 'Y', 20);
	assert_int_equal(rpfw_link_commit(e, 20), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 20);
	assert_int_equal(got[19], 'Y');
	assert_false(host_read(&rid, got, &len));
	assert_int_equal(fw_head(), head + 24);
}

/* ---- the order of the firmware's stores ------------------------------------ */

/*
 * TRACE(expr, ok, min): evaluate @expr with the pages of the shared memory
 * (setup_split(): two) read-only but one: a store to another page faults,
 * and before it is let through (its page writable, the others read-only
 * again) ok() judges the memory as the host could see it then.  With the
 * page boundary between two words the firmware writes, ok() sees the
 * memory after the first store and before the second.  The test fails
 * if ok() said no at a switch or at the end, or the stores switched pages
 * fewer than @min times (the geometry is not what the test meant).
 * Returns @expr.  (Program order only: the fences themselves are not
 * seen.)
 */
static struct {
	size_t pg;
	int switches, bad;
	bool (*ok)(void);
} TR;

static void tr_open(uint8_t *page)
{
	mprotect(shm_map, shm_mapped, PROT_READ);
	if (page)
		mprotect(page, TR.pg, PROT_READ | PROT_WRITE);
}

static void tr_segv(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	(void)uc;
	if (a < shm_map || a >= shm_map + shm_mapped || TR.switches > 1000) {
		signal(sig, SIG_DFL); /* not ours: faults again, fatal */
		return;
	}
	TR.switches++;
	if (!TR.ok() && !TR.bad)
		TR.bad = TR.switches;
	tr_open(shm_map + ((size_t)(a - shm_map) & ~(TR.pg - 1)));
}

#define TRACE(expr, okf, min)                                                  \
	({                                                                     \
		struct sigaction sa_ = {.sa_sigaction = tr_segv,               \
					.sa_flags = SA_SIGINFO},               \
				 old_;                                         \
		__typeof__(expr) ret_;                                         \
                                                                               \
		TR.pg = (size_t)sysconf(_SC_PAGESIZE);                         \
		TR.switches = TR.bad = 0;                                      \
		TR.ok = okf;                                                   \
		assert_int_equal(sigaction(SIGSEGV, &sa_, &old_), 0);          \
		tr_open(NULL);                                                 \
		ret_ = (expr);                                                 \
		mprotect(shm_map, shm_mapped, PROT_READ | PROT_WRITE);         \
		sigaction(SIGSEGV, &old_, NULL);                               \
		if (TR.bad)                                                    \
			fail_msg("%s: wrong before store switch %d of %d",     \
				 #expr, TR.bad, TR.switches);                  \
		assert_true(okf());                                            \
		assert_true(TR.switches >= (min));                             \
		ret_;                                                          \
	})

/* What the firmware sent and the host has not read: well formed to a 0
 * word, 'P' in every payload byte (or any bytes). */
static bool tx_ok(void)
{
	return fw_walk(NULL, 'P');
}

static bool tx_ok_any(void)
{
	return fw_walk(NULL, -1);
}

/* Our session before the trace: a new one is not out before 0 at
 * position 0 of our data area. */
static uint32_t tr_ses;

static bool ses_ok(void)
{
	uint32_t s = H.rp->session;

	return !s || s == tr_ses || !rd32(H.rd);
}

/* A record's header in the last word of a page, its payload and stop word
 * on the next (shared memory split at SPLIT_POS of our data area): the
 * header is stored last, by copy, zero copy, empty, control. */
static void tx_store_order(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id), *b;
	uint8_t buf[200], got[200];

	(void)state;
	memset(buf, 'P', sizeof(buf));
	fw_head_to(e, SPLIT_POS - 4);
	assert_int_equal(rd32(H.rd + SPLIT_POS), POISON32);
	assert_int_equal(TRACE(rpfw_link_send(e, buf, 100), tx_ok, 2), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 100);
	fw_head_to(e, SPLIT_POS - 4);
	assert_int_equal(TRACE(zc_send(e, 100), tx_ok, 2), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 100);
	fw_head_to(e, SPLIT_POS - 4);
	assert_int_equal(TRACE(rpfw_link_send(e, buf, 0), tx_ok, 2), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 0);
	fw_head_to(e, SPLIT_POS - 4);
	b = TRACE(rpfw_link_create_ept(&L, "b", rx_cb, NULL), tx_ok_any, 2);
	assert_non_null(b);
	expect_ctl(LINK_CTL_BIND, "b", &rid);
}

/* A record after a pad, the pad on the second page, the record at 0 on
 * the first: 0 at position 0 (a stale header there) before the pad
 * header, the payload and stop word before the record's header. */
static void tx_store_order_pad(void **state)
{
	uint32_t id, rid, len;
	struct rpfw_link_ept *e = up_and_bound(&id);
	uint8_t buf[200], got[200];

	(void)state;
	memset(buf, 'P', sizeof(buf));
	fw_head_to(e, N2 - 24);
	assert_int_equal(rd32(H.rd), POISON32);
	assert_int_equal(TRACE(rpfw_link_send(e, buf, 100), tx_ok, 3), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 100);
	fw_head_to(e, N2 - 24);
	assert_int_equal(rd32(H.rd), POISON32);
	assert_int_equal(TRACE(zc_send(e, 100), tx_ok, 3), 0);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 100);
}

/* Our lines on one page, our data area on the next: a new session (the
 * host restarted; a reboot) is published after 0 at position 0, where a
 * header of the old one was. */
static void session_store_order(void **state)
{
	uint32_t id, rid;

	(void)state;
	up_and_bound(&id);
	assert_int_equal(rd32(H.rd), POISON32); /* the BIND, read */
	tr_ses = H.rp->session;
	host_session(6);
	assert_int_equal(TRACE(rpfw_link_poll(&L), ses_ok, 3), 0);
	assert_int_equal(G.reset, 1);
	assert_int_not_equal(H.rp->session, tr_ses);
	assert_int_equal(rd32(H.rd), 0);
	host_accept();
	assert_int_equal(rpfw_link_ready(&L), 1);
	expect_ctl(LINK_CTL_BIND, "a", &rid);
	assert_int_equal(rd32(H.rd), POISON32);
	/* reboot: static storage cleared, the same shared memory */
	memset(&L, 0, sizeof(L));
	tr_ses = H.rp->session;
	assert_int_equal(TRACE(rpfw_link_init(&L, &rsc, &co, NULL), ses_ok, 3),
			 0);
	assert_int_not_equal(H.rp->session, tr_ses);
	assert_int_equal(rd32(H.rd), 0);
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
	H.rc->data_event = fw_head() - 1;
	n = notifies;
	for (int i = 0; i < 5; i++)
		assert_int_equal(rpfw_link_send(e, "abcd", 4), 0);
	assert_int_equal(notifies, n);
	/* idle at our head: one doorbell, for the first only */
	H.rc->data_event = fw_head();
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
	H.rc->data_event = fw_head();
	H.tp->space_event = LINK_EVENT_NONE;
	n = notifies;
	G.rx = 0;
	for (int i = 0; i < 3; i++)
		host_write(id, "e", 1);
	assert_int_equal(rpfw_link_poll(&L), 3);
	assert_int_equal(notifies, n);
	/* a record after a pad: the host idle where the pad goes (its
	 * data_event at our head before the pad) gets a doorbell */
	fw_head_to(e, N2 - 8);
	H.rc->data_event = fw_head();
	n = notifies;
	assert_int_equal(rpfw_link_send(e, got, 20), 0);
	assert_int_equal(notifies, n + 1);
	assert_true(host_read(&rid, got, &len));
	assert_int_equal(len, 20);
	assert_int_equal(H.tail & (N2 - 1), 24);
}

/* One poll delivers a batch that crosses the end of the data area (a pad
 * in it), in order, and frees all of it. */
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

/*
 * Records that end exactly at the end of the area, no pad: the firmware's
 * walk reads the word after the area (the first of its own producer line,
 * version 1's head) before it goes on from position 0.  Whatever that
 * word holds (0, as the firmware leaves it, or garbage a hostile host
 * wrote there), every record is delivered once, in order.
 */
static void records_end_at_end(void **state)
{
	uint32_t id, word[2] = {0, 0xDEADBEEFu};

	(void)state;
	up_and_bound(&id);
	for (int i = 0; i < 2; i++) {
		host_near_end(id, 64); /* 8 records of 8 bytes to the end */
		H.rp->head = word[i];
		host_msgs(id, "abcdefghijkl");
		assert_int_equal(rpfw_link_poll(&L), 12);
		G.log[G.nlog] = 0;
		assert_string_equal(G.log, "abcdefghijkl");
		assert_int_equal(H.tc->tail, H.head);
		assert_int_equal(rpfw_link_ready(&L), 1);
		assert_int_equal(H.rp->head, word[i]);
	}
}

/* A message kept for later after the pad: what came before is
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
	while (!(ret = rpfw_link_send(e, buf, 1))) /* to the stop word's */
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

/* hot_endpoint()'s second endpoint: the first byte of each message to
 * the log at @priv; "X" destroys it. */
static int hot_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		  void *priv)
{
	char *log = priv, c = *(const char *)data;
	size_t n = strlen(log);

	(void)len;
	assert_true(n < 15);
	log[n] = c;
	if (c == 'X')
		rpfw_link_destroy_ept(ept);
	return 0;
}

/* A poll delivers @n messages; then the first endpoint's log (G.log) is
 * @a, the log at @lb is @b. */
static void poll_logs(int n, const char *a, const char *lb, const char *b)
{
	assert_int_equal(rpfw_link_poll(&L), n);
	G.log[G.nlog] = 0;
	assert_string_equal(G.log, a);
	assert_string_equal(lb, b);
}

/* The endpoint of the last record is kept (l->hot), the others looked up:
 * records for two endpoints in turn each reach their own; an endpoint
 * destroyed in its callback gets nothing more, in the same batch either,
 * and the next one in its slot gets nothing sent to the old id. */
static void hot_endpoint(void **state)
{
	uint32_t id, bid, rid;
	char blog[16] = "", nlog[16] = "";
	struct rpfw_link_ept *e = up_and_bound(&id), *b;

	(void)state;
	b = rpfw_link_create_ept(&L, "b", hot_cb, blog);
	assert_non_null(b);
	expect_ctl(LINK_CTL_BIND, "b", &bid);
	host_ctl(LINK_CTL_ACK, 21, "b");
	host_msgs(id, "ab");
	host_msgs(bid, "cd");
	host_msgs(id, "e");
	poll_logs(5, "abe", blog, "cd");
	/* destroyed in its callback, two more for it after that */
	host_msgs(bid, "fXgh");
	host_msgs(id, "i");
	host_msgs(bid, "j");
	poll_logs(3, "abei", blog, "cdfX");
	expect_ctl(LINK_CTL_UNBIND, "b", &rid);
	assert_int_equal(rid, bid);
	/* the next endpoint in the slot: the old id's records dropped */
	b = rpfw_link_create_ept(&L, "b", hot_cb, nlog);
	assert_non_null(b);
	assert_int_equal(b->id & 0xFF, bid & 0xFF);
	assert_int_not_equal(b->id, bid);
	host_msgs(bid, "k");
	host_msgs(b->id, "l");
	host_msgs(bid, "m");
	host_msgs(id, "n");
	poll_logs(2, "abein", nlog, "l");
	assert_string_equal(blog, "cdfX");
	assert_int_equal(H.tc->tail, H.head);
	assert_int_equal(rpfw_link_ready(&L), 1);
	(void)e;
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
	H.head = H.seen = H.done = x;
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
	uint32_t id, seed = 0xC0FFEEu, rid, len, k, *w;
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
			if (r & 32)
				host_write(r & 16 ? id : rnd(&seed) % 200, buf,
					   rnd(&seed) % 500);
			else /* a header alone, the head moved anyhow */
				host_raw(r & 16 ? LINK_REC(id, rnd(&seed) % 600)
						: rnd(&seed),
					 (rnd(&seed) % 128) * 4);
			break;
		case 4:
			rpfw_link_send(e, buf, rnd(&seed) % 520);
			break;
		case 5:
			/* read by ready words, a ring's worth at most (out of
			 * step after a renew of the firmware's: what is
			 * there), and publish the tail */
			for (k = 0; k < N2 / 4; k++) {
				uint32_t h = rd32(H.rd + (H.tail & (N2 - 1)));
				uint32_t pos = H.tail & (N2 - 1), rec;

				if (!h)
					break;
				rec = LINK_REC_EPT(h) == LINK_EPT_PAD
					      ? N2 - pos
					      : LINK_REC_SIZE(LINK_REC_PLEN(h));
				if (rec > N2 - pos)
					break;
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
		T(head_word_ignored),
		T(payload_not_written),
		T(record_crosses_end),
		T(dropped_record_crosses_end),
		T(pad_at_zero),
		T(pad_at_zero_after_wrap),
		T(ctl_wrong_length),
		T(stale_ring_is_violation),
		T(stale_not_delivered),
		T(ept_ids_past_slots),
		T(ept_id_zero_slot),
		T(bad_control),
		T(tail_backwards),
		T(tail_past_head),
		T(tail_misaligned),
		T(host_restarts_mid_stream),
		T(firmware_restart_refuses_stale_session),
		T(keep_for_later),
		cmocka_unit_test_setup_teardown(bounded_poll, setup_mapped,
						teardown),
		cmocka_unit_test_setup_teardown(host_restarts_between_passes,
						setup_mapped, teardown),
		T(zero_copy),
		T(tx_ready_words),
		T(tx_room),
		T(reserve_forgotten_pad),
		cmocka_unit_test_setup_teardown(tx_store_order, setup_split_r2h,
						teardown),
		cmocka_unit_test_setup_teardown(tx_store_order_pad,
						setup_split_r2h, teardown),
		cmocka_unit_test_setup_teardown(session_store_order,
						setup_split_r2h_data, teardown),
		T(unbind_waits_for_room),
		T(unbind_forgotten_by_reset),
		T(suppression),
		T(batch_across_end),
		T(records_end_at_end),
		T(keep_after_end),
		T(violation_after_end),
		T(fail_in_callback),
		T(mixed_batch),
		T(hot_endpoint),
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
