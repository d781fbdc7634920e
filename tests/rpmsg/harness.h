/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rpmsg bus tests' harness: a remote processor over host memory whose
 * "firmware" is the firmware library's rpmsg stack (firmware/lib/rpmsg.c,
 * vring.c) running in a native remote thread (native_remote.c).
 *
 * Driver: a 2 MiB window of host memory, device addresses at FAKE_MEM_DA,
 * bus addresses at FAKE_MEM_PA (so descriptors carry addresses the remote
 * must translate), carveouts without a fixed pa allocated from the upper
 * half.  The firmware image is the fake format (tests/common/fake.c) with a
 * resource table: the "vdev0buffer" carveout and one rpmsg vdev with two
 * rings the core places, features and config from struct h_cfg.
 *
 * Doorbells: the driver's kick op sets the notify id's bit for the remote
 * thread and wakes it; the remote's rpfw_port_notify() sets a bit for the
 * doorbell thread (the host's "interrupt thread"), which calls
 * rproc_notify().  Both threads start at the driver's start op and are
 * joined at its stop op.  In raw mode (hostile tests) there are no threads:
 * the test writes into the rings itself and calls rproc_notify().
 *
 * The remote application: "rpmsg-echo" sends each message back to its
 * source (in order; when the host has no free buffer it holds the message
 * and retries on the next doorbell); "rpmsg-cmd" takes commands (H_CMD_*);
 * an endpoint at 53 records the host's name-service announcements.
 */
#ifndef RPMSG_TEST_HARNESS_H
#define RPMSG_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fake.h"
#include "rproc/rpmsg.h"

#define H_MEM_SIZE (2u * 1024 * 1024)

struct h_cfg {
	uint32_t dfeatures;  /* default NS | BUFSZ */
	uint32_t h2r, r2h;   /* config space sizes (default 512/512) */
	uint32_t config_len; /* default 8 */
	uint32_t num;	     /* entries per vring (default 64) */
	uint32_t align;	     /* default 4096 */
	uint32_t pool_len;   /* vdev0buffer bytes; default 64 KiB */
	bool no_pool;	     /* no vdev0buffer carveout */
	bool raw;	     /* no native remote */
	/* vdevs in the table (default 1, id 7); each rpmsg one gets its
	 * "vdev<N>buffer" before it (the native remote serves the first) */
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
	struct fake f; /* first: the fake format uses rproc_priv() as one */
	struct h_cfg cfg;
	char *dir;
	struct rproc *rproc;
	struct rproc_rpmsg *bus;
	uint8_t *mem;
	uint64_t alloc_next;
	int alloc_live;
	uint32_t table_off; /* where the table is loaded in mem */

	/* doorbells and the threads (lock) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t to_remote; /* notify ids kicked, for the remote */
	uint64_t to_host;   /* notify ids the remote rang */
	bool threads;
	bool stop;
	bool paused; /* the remote ignores doorbells meanwhile */
	unsigned kicks;
	pthread_t doorbell;
	unsigned enoent; /* rproc_notify() found no listener (retried) */

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

	void *nr; /* native remote state (native_remote.c) */
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

/* Capture what the library logs (stderr) between begin and end; end
 * returns it (static buffer, the first 8 KiB) and, if @echo, writes it to
 * stderr too. */
void h_log_begin(void);
const char *h_log_end(bool echo);

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

/* The native remote (native_remote.c). */
void nr_start(struct harness *h);
void nr_stop(struct harness *h);

#endif /* RPMSG_TEST_HARNESS_H */
