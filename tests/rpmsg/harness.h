/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rpmsg bus tests' harness: a native remote (rproc/native.h, the
 * library in src/drivers/native) whose firmware is the firmware library's
 * rpmsg stack (firmware/lib/rpmsg.c, vring.c) running the test
 * application of native_remote.c on the remote thread.
 *
 * The native remote's defaults: a 2 MiB window, device addresses at
 * RPROC_NATIVE_DA, bus addresses at RPROC_NATIVE_PA (so descriptors carry
 * addresses the remote must translate), carveouts without a fixed pa
 * allocated from the upper half, doorbells both ways with the host's
 * doorbell thread calling rproc_notify().  The firmware image is a native
 * image naming the entry "rpmsg-test", with a resource table: the
 * "vdev0buffer" carveout and one rpmsg vdev with two rings the core
 * places, features and config from struct h_cfg.  In raw mode (hostile
 * tests) the remote is polled and nobody runs the entry: the test writes
 * into the rings itself and calls rproc_notify().
 *
 * The remote application: "rpmsg-echo" sends each message back to its
 * source (in order; when the host has no free buffer it holds the message
 * and retries on the next doorbell); "rpmsg-cmd" takes commands (H_CMD_*);
 * an endpoint at 53 records the host's name-service announcements.
 */
#ifndef RPMSG_TEST_HARNESS_H
#define RPMSG_TEST_HARNESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "logcap.h" /* logcap_begin/_end: what the library logs */

#include "native_fw.h"
#include "rproc/native.h"
#include "rproc/rpmsg.h"
#include "rproc/subdev.h"

struct h_cfg {
	uint32_t dfeatures;  /* default NS | BUFSZ */
	uint32_t h2r, r2h;   /* config space sizes (default 512/512) */
	uint32_t config_len; /* default 8 */
	uint32_t num;	     /* entries per vring (default 64) */
	uint32_t align;	     /* default 4096 */
	uint32_t pool_len;   /* vdev0buffer bytes; default 64 KiB */
	bool no_pool;	     /* no vdev0buffer carveout */
	bool raw;	     /* polled remote, no firmware running */
	/* vdevs in the table (default 1, id 7); each rpmsg one gets its
	 * "vdev<N>buffer" before it (the firmware serves vdev0) */
	unsigned nvdev;
	uint32_t vdev_id[2];
};

/* Commands to "rpmsg-cmd": a u32 opcode, then u32 arguments. */
enum {
	H_CMD_BIG = 1,	   /* arg: n: n bytes (h_pattern(n, i)) to the sender */
	H_CMD_DESTROY = 2, /* destroy "rpmsg-echo" (announces it) */
	H_CMD_CREATE = 3,  /* create it again */
};

struct harness {
	struct h_cfg cfg;
	struct native_fw fw; /* the remote and its image */
	struct rproc_native *nr;
	struct rproc *rproc;
	struct rproc_rpmsg *bus;
	atomic_bool paused; /* the remote ignores doorbells meanwhile (until
			       it stops: each start clears it) */

	/* events (ev_lock; ev_cond broadcast at each) */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	struct rpmsg_device *rdev; /* from device_up, NULL after down */
	int device_up, device_down, down_reason;
	int channel_up, channel_down;
	uint32_t echo_addr, cmd_addr; /* remote channels, 0 while down */
	/* what the remote saw */
	int remote_ns_create, remote_ns_destroy;
	char remote_ns_name[32];
	uint32_t remote_ns_addr;
	int remote_errors;
	int remote_echoed;
	void (*on_channel_up)(struct harness *h, const char *name,
			      uint32_t addr);
	void (*on_device_down)(struct harness *h, int reason);
	void *test; /* the test's */
};

extern struct harness *H; /* the one remote of the running test */

void h_cfg_default(struct h_cfg *cfg);
/* Create the remote (added, not booted) with the bus attached. */
struct harness *h_new(const struct h_cfg *cfg);
int h_boot(struct harness *h);
/* Shut down (if up), detach, delete, free. */
void h_free(struct harness *h);
/* rproc_last_error() of the remote. */
const char *h_last_error(struct harness *h);

void h_pause(struct harness *h, bool paused);

/* Wait until @cond (an expression over @h's event fields, evaluated with
 * ev_lock held) holds, at most @ms milliseconds.  True if it does. */
#define H_WAIT(h, cond, ms)                                                    \
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

/* Signal an event change (after updating fields under ev_lock). */
void h_event(struct harness *h);

/* A byte of test pattern @i of a message of kind/seq @seed. */
static inline uint8_t h_pattern(uint32_t seed, uint32_t i)
{
	return (uint8_t)((seed * 2654435761u + i * 40503u) >> 11);
}

/* xorshift32 */
static inline uint32_t h_rand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

uint64_t h_now_ms(void);

/* The firmware (native_remote.c): the native remote's entry, @arg the
 * harness. */
int h_firmware(struct rproc_native *nr, void *arg);

#endif /* RPMSG_TEST_HARNESS_H */
