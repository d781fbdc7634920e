/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host endpoints of the threaded link tests: each checks what comes back
 * (a sequence number first, then lh_pattern(seq, i), in order), counts
 * unbinds, and signals the harness's events (LH_WAIT on its fields).
 */
#ifndef LINK_TEST_LT_EPT_H
#define LINK_TEST_LT_EPT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct lt_ept {
	struct rproc_link_ept *e;
	char name[32];
	/* ev_lock */
	uint32_t rx;	 /* messages received */
	uint32_t expect; /* next sequence number */
	uint32_t bad;	 /* out of order or corrupt */
	uint32_t unbinds;
	int reason; /* of the last unbind */
	uint64_t rx_bytes;
	uint32_t last;	/* sequence number of the last message */
	bool any_order; /* do not check the order (resets lose some) */
};

#define LT_MARKER 0xFFFFFFF0u

/* A message of @len >= 4 bytes: seq, then the pattern. */
static inline void lt_fill(uint8_t *buf, uint32_t seq, size_t len)
{
	memcpy(buf, &seq, 4);
	for (size_t i = 4; i < len; i++)
		buf[i] = lh_pattern(seq, (uint32_t)i);
}

static inline int lt_rx(struct rproc_link_ept *ept, const void *data,
			size_t len, void *priv)
{
	struct lt_ept *t = priv;
	const uint8_t *p = data;
	uint32_t seq = 0;
	bool ok = len >= 4;

	(void)ept;
	if (!len) { /* an empty message: only counted */
		pthread_mutex_lock(&H->ev_lock);
		t->rx++;
		lh_event(H);
		pthread_mutex_unlock(&H->ev_lock);
		return 0;
	}
	if (ok)
		memcpy(&seq, p, 4);
	for (size_t i = 4; ok && i < len; i++)
		ok = p[i] == lh_pattern(seq, (uint32_t)i);
	pthread_mutex_lock(&H->ev_lock);
	if (!ok || (!t->any_order && seq != t->expect)) {
		if (t->bad++ < 3)
			fprintf(stderr,
				"%s: message %u (%zu bytes) expected "
				"%u: %s\n",
				t->name, seq, len, t->expect,
				ok ? "out of order" : "corrupt");
	}
	t->expect = seq + 1;
	t->last = seq;
	t->rx++;
	t->rx_bytes += len;
	lh_event(H);
	pthread_mutex_unlock(&H->ev_lock);
	return 0;
}

static inline void lt_unbind(struct rproc_link_ept *ept, int reason, void *priv)
{
	struct lt_ept *t = priv;

	(void)ept;
	pthread_mutex_lock(&H->ev_lock);
	t->unbinds++;
	t->reason = reason;
	lh_event(H);
	pthread_mutex_unlock(&H->ev_lock);
}

static inline int lt_create(struct harness *h, struct lt_ept *t,
			    const char *name)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	return rproc_link_ept_create(h->link, name, lt_rx, lt_unbind, t, &t->e);
}

/* Expect sequence number @expect next, in order (ev_lock: late echoes may
 * still arrive). */
static inline void lt_expect(struct lt_ept *t, uint32_t expect)
{
	pthread_mutex_lock(&H->ev_lock);
	t->any_order = false;
	t->expect = expect;
	pthread_mutex_unlock(&H->ev_lock);
}

/* After traffic of unknown fate (resets, crashes): send a marker and wait
 * for its echo.  Each direction is in order, so nothing sent before it is
 * still on its way afterwards. */
static inline bool lt_settle(struct lt_ept *t, int ms)
{
	uint8_t buf[8];

	lt_fill(buf, LT_MARKER, sizeof(buf));
	if (rproc_link_send_timeout(t->e, buf, sizeof(buf), ms))
		return false;
	return LH_WAIT(H, t->last == LT_MARKER, ms);
}

/* Wait until @t is bound (at most @ms). */
static inline bool lt_wait_bound(struct lt_ept *t, int ms)
{
	return LH_WAIT(H, rproc_link_ept_bound(t->e), ms);
}

#endif /* LINK_TEST_LT_EPT_H */
