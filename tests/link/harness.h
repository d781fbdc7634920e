/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link tests' harness: a remote processor over host memory whose
 * "firmware" is the firmware library's link (firmware/lib/link.c) running
 * in a native remote thread (native_remote.c).  Modelled on tests/rpmsg's
 * harness, of its own (that one is becoming src/drivers/native).
 *
 * Driver: a 1 MiB window of host memory at device address FAKE_MEM_DA,
 * carveouts without a fixed address allocated top down from its end (so
 * the firmware finds the shared memory through the da the host writes
 * back, and an access past it leaves the heap block: ASan).
 * The image is the fake format (tests/common/fake.c) with a resource
 * table: the carveout "link0" and the RSC_VENDOR_LINK entry naming it,
 * doorbell words LH_KICK_ID (host -> remote) and LH_NOTIFY_ID.
 *
 * Doorbells: the driver's kick op sets the word's bit for the remote thread
 * and wakes it; the remote's rpfw_port_notify() sets a bit for the doorbell
 * thread (the host's "interrupt thread"), which calls rproc_notify().  Both
 * threads start at the driver's start op and are joined at its stop op.
 * keep_remote: the remote's state survives the stop (a remote that the
 * host restart does not reset): the next start resumes it without a new
 * rpfw_link_init(), so it must notice the host's new session by itself.
 * raw: no threads; the test plays the remote (writes the shared memory
 * itself) or drives the firmware code directly.
 *
 * The remote application: endpoints "echo0".."echo<n-1>" send each message
 * back (a full ring leaves it in the ring: RPFW_EAGAIN, retried when the
 * host frees room); "cmd" takes commands (LH_CMD_*).
 */
#ifndef LINK_TEST_HARNESS_H
#define LINK_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fake.h"
#include "rproc/link.h"

#define LH_MEM_SIZE (1024u * 1024u)
#define LH_KICK_ID 1u	/* host -> remote doorbell word */
#define LH_NOTIFY_ID 2u /* remote -> host */
#define LH_MAX_EPT 40	/* RPFW_LINK_MAX_EPT of the native remote */

struct lh_cfg {
	uint32_t size_h2r, size_r2h; /* default 4096 each */
	uint32_t shm_len;	     /* carveout bytes; 0: LINK_SHM_SIZE */
	const char *carveout;	     /* default "link0" */
	uint32_t version;	     /* default LINK_VERSION */
	bool no_vendor;		     /* no RSC_VENDOR_LINK entry */
	bool no_carveout;
	bool raw;
	bool keep_remote;
	unsigned nept; /* remote echo endpoints (default 4) */
};

/* Commands to "cmd": a u32 opcode, then u32 arguments. */
enum {
	LH_CMD_BIG = 1,	    /* arg n: n bytes of lh_pattern(n, i) back */
	LH_CMD_RESTART = 2, /* the firmware restarts: rpfw_link_init again */
	LH_CMD_DESTROY = 3, /* destroy "echo0" */
	LH_CMD_CREATE = 4,  /* create "echo0" again */
};

struct harness {
	struct fake f; /* first: the fake format uses rproc_priv() as one */
	struct lh_cfg cfg;
	char *dir;
	struct rproc *rproc;
	struct rproc_link *link;
	uint8_t *mem;
	uint64_t alloc_next;
	int alloc_live;
	uint32_t table_off; /* where the table is loaded in mem */

	/* doorbells and the threads (lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t to_remote; /* words kicked, for the remote (bits) */
	uint64_t to_host;   /* words the remote rang (bits) */
	bool threads;
	bool stop;
	bool paused;	  /* the remote ignores doorbells meanwhile */
	bool remote_busy; /* the remote handles a doorbell */
	unsigned kicks;
	pthread_t doorbell;
	pthread_t remote;
	/* raw mode: counted without a lock (one thread) */
	unsigned raw_kicks, raw_notifies;

	/* host events (ev_lock; ev_cond broadcast at each) */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	int up, down, down_reason, peer_reset, bound;
	/* what the remote saw */
	int fw_up, fw_reset, fw_bound, fw_unbound, fw_errors, fw_echoed;
	int fw_restarts;
	int fw_err; /* the last error of the remote's link calls */
	void (*on_bound)(struct harness *h, struct rproc_link_ept *ept);
	void *test;

	void *nr; /* native remote state (native_remote.c) */
};

extern struct harness *H;

void lh_cfg_default(struct lh_cfg *cfg);
/* Create the remote (added, not booted) with the link attached. */
struct harness *lh_new(const struct lh_cfg *cfg);
int lh_boot(struct harness *h);
/* Shut down (if up), detach, delete, free. */
void lh_free(struct harness *h);
const char *lh_last_error(struct harness *h);
/* Stop / resume the remote's handling of doorbells (they are kept); on
 * return from a pause it handles none. */
void lh_pause(struct harness *h, bool paused);
/* The live bodies of the vendor entry and of the link carveout in the
 * installed table (NULL if missing). */
void lh_find_table(struct harness *h, void **vendor, void **carveout);
/* The shared memory as the host allocated it (NULL before boot). */
uint8_t *lh_shm(struct harness *h);

/* Capture what the library logs (stderr) between begin and end. */
void lh_log_begin(void);
const char *lh_log_end(bool echo);

#define LH_WAIT(h, cond, ms)                                                   \
	({                                                                     \
		struct timespec ts_;                                           \
		bool ok_;                                                      \
		clock_gettime(CLOCK_REALTIME, &ts_);                           \
		ts_.tv_sec += (ms) / 1000;                                     \
		ts_.tv_nsec += ((ms) % 1000) * 1000000L;                       \
		if (ts_.tv_nsec >= 1000000000L) {                              \
			ts_.tv_sec++;                                          \
			ts_.tv_nsec -= 1000000000L;                            \
		}                                                              \
		pthread_mutex_lock(&(h)->ev_lock);                             \
		while (!(ok_ = (cond)) &&                                      \
		       !pthread_cond_timedwait(&(h)->ev_cond, &(h)->ev_lock,   \
					       &ts_))                          \
			;                                                      \
		if (!ok_)                                                      \
			ok_ = (cond);                                          \
		pthread_mutex_unlock(&(h)->ev_lock);                           \
		ok_;                                                           \
	})

void lh_event(struct harness *h);

static inline uint8_t lh_pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)((seed * 2654435761u + i * 40503u) >> 11);
}

static inline uint32_t lh_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

uint64_t lh_now_ms(void);

/* The native remote (native_remote.c): start/stop its thread. */
void nr_start(struct harness *h);
void nr_stop(struct harness *h);
/* Free its state (keep_remote keeps it across stops). */
void nr_free(struct harness *h);

#endif /* LINK_TEST_HARNESS_H */
