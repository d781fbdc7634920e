/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The link tests' harness: a native remote (rproc/native.h, the library in
 * src/drivers/native) whose firmware is the firmware library's link
 * (firmware/lib/link.c) running the test application of native_remote.c
 * on the remote thread, as tests/rpmsg's harness runs the rpmsg stack.
 *
 * The native remote's defaults: a 2 MiB window, device addresses at
 * RPROC_NATIVE_DA, bus addresses at RPROC_NATIVE_PA, doorbells both ways
 * with the host's doorbell thread calling rproc_notify().  The firmware
 * image is a native image naming the entry "link-test", with a resource
 * table: the carveout "link0" and the RSC_VENDOR_LINK entry naming it,
 * doorbell words LH_KICK_ID (host -> remote) and LH_NOTIFY_ID.  The
 * carveout has a fixed pa that puts it at the very end of the window and
 * da "any": the firmware finds the shared memory through the da the host
 * writes back, and an access past it hits the window's PROT_NONE guard
 * page (a fault in every build, not only under ASan).  The firmware
 * finds its entries with rproc_native_rsc(); the firmware library's port
 * hooks are the native remote's (the port is the struct rproc_native).
 *
 * keep_remote: the firmware's state survives the stop (a remote that the
 * host restart does not reset): the next start resumes it without a new
 * rpfw_link_init(), so it must notice the host's new session by itself.
 * raw: a polled native remote whose entry nobody runs; the test plays the
 * remote (writes the shared memory itself) or drives the firmware code
 * directly.
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

#include "logcap.h" /* logcap_begin/_end: what the library logs */
#include <time.h>

#include "native_fw.h"
#include "rproc/link.h"
#include "rproc/native.h"

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
	struct lh_cfg cfg;
	struct native_fw fw; /* the remote and its image */
	struct rproc_native *nr;
	struct rproc *rproc;
	struct rproc_link *link;

	/* pausing the remote (lock; cond broadcast at each change) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool paused;	  /* the remote ignores doorbells meanwhile */
	bool remote_busy; /* the remote handles a doorbell */

	/* host events (ev_lock; ev_cond broadcast at each) */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	int up, down, down_reason, peer_reset, bound;
	/* what the remote saw */
	int fw_up, fw_reset, fw_bound, fw_unbound, fw_errors, fw_echoed;
	int fw_restarts;
	int fw_err; /* the last error of the remote's link calls */
	/* called first in the link's up and bound events, when set */
	void (*on_up)(struct harness *h);
	void (*on_bound)(struct harness *h, struct rproc_link_ept *ept);
	void *test;

	void *remote; /* the firmware's state (native_remote.c) */
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
/* The bodies of the vendor entry and of the carveout it names in the
 * running firmware's installed table (NULL if missing or not started). */
void lh_find_table(struct harness *h, void **vendor, void **carveout);
/* The shared memory as the host allocated it (NULL before boot). */
uint8_t *lh_shm(struct harness *h);
/* Doorbells rung so far: host -> remote (kicks), remote -> host. */
uint64_t lh_kicks(struct harness *h);
uint64_t lh_notifies(struct harness *h);

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

/* The firmware (native_remote.c): the native remote's entry, @arg the
 * harness. */
int lh_firmware(struct rproc_native *nr, void *arg);
/* Free its state (keep_remote keeps it across stops). */
void lh_firmware_free(struct harness *h);

#endif /* LINK_TEST_HARNESS_H */
