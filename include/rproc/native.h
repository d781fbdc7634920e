/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote: an rproc driver whose "remote core" is a host thread
 * and whose memory is a window of host memory.  Its firmware is C code
 * linked into the program (an entry function) plus a resource table; the
 * firmware library's stacks (rpfw/rpmsg.h, rpfw/vring.h, built for the
 * host with this library's rpfw_port_* hooks) run on it exactly as on a
 * remote core.  For fast tests and benchmarks of the host stacks against
 * the real firmware code, and as the template of a Linux user-space
 * deployment (docs/native.md says which piece a real one replaces).
 * Link with rproc_native.
 *
 * Memory.  One window of @mem_size bytes (a memfd mapped shared, so
 * another process could map it too, between two PROT_NONE guard pages).
 * The remote sees it at device address @da, the host's bus ("physical")
 * address of it is @pa: the two differ by default, so every address that
 * crosses (table, vrings, descriptors) is translated for real.  The first
 * @fw_size bytes are the platform carveout "firmware" (the image is
 * loaded there); the rest is the pool the driver allocates carveouts and
 * vrings from.
 *
 * Firmware.  A native image (struct rproc_native_image_hdr): a header
 * naming the entry function, then the resource table.  Build one with
 * rproc_native_image() (the table from your bytes, from rproc/table.h's
 * builder, or from rproc_native_rpmsg_table()), put it in the firmware
 * search path (rproc_native_image_write()), name it in the config.  At
 * each start the driver reads the header from remote memory (where the
 * core loaded it) and looks the entry name up among the config's entries.
 *
 * Threads (threaded mode, the default).  The driver's start op runs the
 * entry in a new "remote thread"; its stop op asks the entry to return
 * (rproc_native_stopping(), rproc_native_wait()) and joins the thread.
 * An entry that returns while not asked to (or calls rproc_native_crash())
 * is a crash: the core recovers the remote like any other.  Doorbells:
 * the kick op (host -> remote) marks the notify id pending and wakes the
 * remote thread; the remote rings the host with rproc_native_ring_host()
 * (rpfw_port_notify() does), and the driver's doorbell thread, which
 * lives from rproc_native_create() to rproc_native_destroy(), hands each
 * id to rproc_notify() (the host's "interrupt thread").
 *
 * Polled mode (config @polled).  No thread at all: the caller drives both
 * sides.  Kicks only mark ids pending (rproc_native_doorbells() takes
 * them); the remote's doorbells wait until rproc_native_host_poll()
 * delivers them, on the caller's thread.  The caller may run the entry on
 * a thread of its own with rproc_native_run(), or drive the firmware code
 * directly (rproc_native_rpmsg_init() from any thread once booted).
 *
 * Notify ids 0..62 have a doorbell bit each; a larger id sets bit 63,
 * RPROC_NATIVE_BELL_ALL, which the doorbell thread passes on as
 * RPROC_NOTIFY_ALL (every subdevice looks at every queue) and the remote
 * should treat likewise.
 *
 * Return codes: 0 or a negative errno (rproc/error.h).  Linux only
 * (memfd, eventfd, pthreads).
 */
#ifndef RPROC_NATIVE_H
#define RPROC_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/driver.h"
#include "rproc/fw_format.h"
#include "rproc/rproc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rproc_native;
struct rpfw_rpmsg;

/* Defaults: the remote sees its 2 MiB at 0x20000000, the bus at
 * 0x80000000; the lower half for the firmware image. */
#define RPROC_NATIVE_DA 0x20000000u
#define RPROC_NATIVE_PA 0x80000000u
#define RPROC_NATIVE_MEM_SIZE (2u << 20)

#define RPROC_NATIVE_BELL_ALL 63u /* the doorbell bit of ids >= 63 */
#define RPROC_NATIVE_MAX_RSC 32	  /* table entries the remote can look up */

/*
 * The firmware: runs on the remote thread at each start (or on the caller
 * of rproc_native_run()).  It must return soon after it is asked to stop
 * (rproc_native_stopping() true, rproc_native_wait() -ESHUTDOWN): the
 * driver's stop op waits for it.  Returning while not asked to is a
 * crash (RPROC_CRASH_FATAL_ERROR unless rproc_native_crash() said
 * otherwise); the return value is only logged then.  Like a remote core
 * it cannot drive its own lifecycle: no rproc_boot()/rproc_shutdown() of
 * its own remote from here (the stop op waits for the entry).
 */
typedef int (*rproc_native_entry_fn)(struct rproc_native *nr, void *arg);

struct rproc_native_entry {
	const char *name; /* as in the image, 1..31 bytes */
	rproc_native_entry_fn fn;
	void *arg;
};

struct rproc_native_config {
	const char *name;     /* the remote's, required, at most 31 bytes */
	const char *firmware; /* image file in the search path, or NULL */
	bool always_on;	      /* boot when the firmware appears (false) */
	bool polled;	      /* no threads: the caller drives both sides */
	size_t mem_size;      /* window bytes, page multiple */
	size_t fw_size;	      /* of which the "firmware" carveout (half) */
	uint64_t da;	      /* the remote's view of the window */
	uint64_t pa;	      /* the host's bus address of it */
	/* the entries images may name; the array must outlive the remote */
	const struct rproc_native_entry *entries;
	size_t nentries;
	void *priv; /* the user's: rproc_native_priv() */
};

/* Defaults: not always-on, threaded, RPROC_NATIVE_* window. */
void rproc_native_config_init(struct rproc_native_config *cfg);

/*
 * Map the window, create the remote (rproc_alloc(); OFFLINE, not added)
 * with the native driver and format, register the "firmware" carveout
 * and, in threaded mode, start the doorbell thread.  Configure the remote
 * (rproc_native_rproc(): subdevices such as the rpmsg bus, recovery,
 * coredumps), then rproc_add() it.  -EINVAL (config: sizes not page
 * multiples, fw_size not below mem_size, da/pa + size wrapping, no
 * entries), -ENOMEM, or what mmap/memfd/eventfd/pthread_create said.
 */
int rproc_native_create(const struct rproc_native_config *cfg,
			struct rproc_native **out);
/*
 * Delete the remote (rproc_del(): stops it), stop the doorbell thread,
 * destroy the remote and unmap the window.  Detach subdevices first, or
 * between an rproc_del() of your own and this call.  NULL is a no-op.
 */
void rproc_native_destroy(struct rproc_native *nr);

struct rproc *rproc_native_rproc(const struct rproc_native *nr);
void *rproc_native_priv(const struct rproc_native *nr);
/* The native remote behind @rproc, or NULL if another driver's. */
struct rproc_native *rproc_native_of(struct rproc *rproc);

/* The window: host address, bytes, and the memfd behind it (-1 if the
 * kernel had no memfd_create and the window is anonymous memory).  The
 * fd stays the driver's: dup() it to hand it on. */
void *rproc_native_mem(const struct rproc_native *nr, size_t *size);
int rproc_native_memfd(const struct rproc_native *nr);

/* What the driver saw (counters since create; atomics, any thread). */
struct rproc_native_stats {
	uint64_t kicks;	    /* host -> remote doorbells (kick op) */
	uint64_t doorbells; /* remote -> host doorbells rung */
	uint64_t delivered; /* of those, handed to rproc_notify() */
	uint64_t unheard;   /* rproc_notify() found no running subdevice
			       (rung while the remote was not up: the core
			       sends RPROC_NOTIFY_ALL right after a start) */
	uint64_t starts;    /* entry runs started */
	uint64_t crashes;   /* crashes the driver reported */
};
void rproc_native_get_stats(const struct rproc_native *nr,
			    struct rproc_native_stats *st);

/* ---- polled mode: the host side ----------------------------------------- */

/* Hand the remote's pending doorbells to rproc_notify() on this thread.
 * Returns how many ids were delivered.  Threaded mode: 0 (the doorbell
 * thread does it). */
int rproc_native_host_poll(struct rproc_native *nr);

/*
 * Run the started firmware's entry on this thread; returns when it
 * returns (its value), -ENODEV when the remote is not started (or is
 * stopping), -EBUSY if it already runs, -ENOTSUP in threaded mode.  The
 * stop op waits until it returned.
 */
int rproc_native_run(struct rproc_native *nr);

/* ---- the firmware's side: call from the entry (any thread in polled mode) */

/* Asked to stop?  Cheap (one atomic load): poll it in busy loops. */
bool rproc_native_stopping(const struct rproc_native *nr);

/*
 * Sleep until a host doorbell is pending (not taken yet), a stop is asked
 * for, or @timeout_ns passed (< 0: no limit).  Returns 1 doorbells
 * pending, 0 timeout (or a spurious wake-up: loop), -ESHUTDOWN
 * stopping.  Polled mode: never sleeps.
 */
int rproc_native_wait(struct rproc_native *nr, int64_t timeout_ns);

/* Take the pending host doorbells: bit n for notify id n (n < 63), bit
 * RPROC_NATIVE_BELL_ALL for any larger id. */
uint64_t rproc_native_doorbells(struct rproc_native *nr);

/* Ring the host's doorbell for @notifyid (any thread, never sleeps). */
void rproc_native_ring_host(struct rproc_native *nr, uint32_t notifyid);

/* The remote's view: [da, da + len) inside the window, or NULL. */
void *rproc_native_va(const struct rproc_native *nr, uint64_t da, size_t len);

/*
 * The body (the bytes after the type word) of the entry of @type named
 * @name in the running firmware's installed table, *@len (if not NULL)
 * its bytes (vdev: with vrings and config).  Names: carveout, devmem and
 * trace entries by their own name; vdevs as the core names them,
 * "vdev<N>" counting vdevs in table order.  The driver walks (and
 * checks) the table at each start, before the remote runs, and keeps the
 * places: looking up reads nothing the host writes.  NULL when there is
 * none or no table.
 */
void *rproc_native_rsc(const struct rproc_native *nr, uint32_t type,
		       const char *name, size_t *len);

/* Report a crash of @type from the firmware; the entry should return
 * then.  Only the first report of a run counts. */
void rproc_native_crash(struct rproc_native *nr, enum rproc_crash_type type);

/* The native remote whose entry runs on this thread, or NULL (what
 * rpfw_port_idle() uses: it has no argument). */
struct rproc_native *rproc_native_current(void);

/*
 * rpmsg on the remote side: set @rp up for rpmsg vdev "vdev<@index>" with
 * its buffers in carveout "vdev<@index>buffer" (rpfw_rpmsg_init(), the
 * port being @nr).  -ENOENT either entry missing, -EINVAL not an rpmsg
 * vdev.
 */
int rproc_native_rpmsg_init(struct rproc_native *nr, struct rpfw_rpmsg *rp,
			    unsigned index);
/*
 * rpfw_rpmsg_wait_ready() that can be stopped (the firmware library's
 * waits for ever: do not call it on a native remote): 1 ready, a negative
 * RPFW_E* error (rpfw/vring.h), or -ESHUTDOWN when asked to stop.
 */
int rproc_native_rpmsg_wait_ready(struct rproc_native *nr,
				  struct rpfw_rpmsg *rp);

/* ---- the native image format -------------------------------------------- */

#define RPROC_NATIVE_MAGIC "RPNF"
#define RPROC_NATIVE_VERSION 1u

/* The image header (little-endian on every host we build for). */
struct rproc_native_image_hdr {
	char magic[4];	    /* RPROC_NATIVE_MAGIC */
	uint32_t version;   /* RPROC_NATIVE_VERSION */
	uint32_t hdr_size;  /* sizeof(struct rproc_native_image_hdr) */
	uint32_t table_off; /* from the image start, 8-aligned; 0: none */
	uint32_t table_len;
	uint32_t reserved[3]; /* zero */
	char entry[32];	      /* NUL-terminated, not empty */
};

/*
 * The format (rproc_native_create() gives it to the remote; another
 * driver may use it too).  The image is loaded whole at the platform
 * carveout "firmware" (or the config's load_da); its table, if any, is
 * installed where it was loaded; the remote starts at the load address
 * (the header).  Every field is checked: -ENOEXEC not a native image,
 * -EBADMSG malformed, -E2BIG larger than the "firmware" carveout.
 */
extern const struct rproc_fw_ops rproc_fw_native;

/* Build an image in @buf: header naming @entry, then @tlen bytes of
 * @table (none if 0).  *@len: its size.  -EINVAL bad entry name,
 * -ENOSPC @cap too small. */
int rproc_native_image(void *buf, size_t cap, const char *entry,
		       const void *table, size_t tlen, size_t *len);
/* Write such an image as @dir/@file, atomically (a temporary file, then
 * rename): a waiting remote never sees half of it. */
int rproc_native_image_write(const char *dir, const char *file,
			     const char *entry, const void *table, size_t tlen);

/* One rpmsg vdev with its buffer pool, the common table. */
struct rproc_native_rpmsg_desc {
	uint32_t dfeatures;    /* offered features (NS) */
	uint32_t num;	       /* entries per vring (64) */
	uint32_t align;	       /* vring alignment (4096) */
	uint32_t pool_len;     /* "vdev0buffer" bytes (num * 2 * 512) */
	uint32_t h2r_buf_size; /* config space, used with */
	uint32_t r2h_buf_size; /* VIRTIO_RPMSG_F_BUFSZ (512, 512) */
};
void rproc_native_rpmsg_desc_init(struct rproc_native_rpmsg_desc *desc);
/* The table: carveout "vdev0buffer" (da, pa "any"), then vdev0 (rpmsg,
 * two vrings placed by the host, the 8-byte config space).  -ENOSPC. */
int rproc_native_rpmsg_table(void *buf, size_t cap,
			     const struct rproc_native_rpmsg_desc *desc,
			     size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* RPROC_NATIVE_H */
