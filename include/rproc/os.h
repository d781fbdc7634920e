/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OS layer: everything the core needs from an operating system.
 *
 * The core calls the OS only through these functions.  One implementation per
 * platform, chosen at link time: src/os/posix (Linux and POSIX hosts) and
 * src/os/stub (bare metal; returns -ENOTSUP where there is no OS service).
 *
 * All functions return 0 or a negative errno code unless stated otherwise.
 * Objects are opaque and created by the layer; the caller frees them.
 */
#ifndef RPROC_OS_H
#define RPROC_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- memory ----------------------------------------------------------- */

/* Plain heap allocation.  The core never calls these directly: it goes
 * through rproc_malloc() (include/rproc/rproc.h), whose hooks a test may
 * replace to inject failures. */
void *rproc_os_malloc(size_t size);
void rproc_os_free(void *ptr);

/* ---- locks and condition variables --------------------------------------- */

struct rproc_os_mutex;
struct rproc_os_cond;

int rproc_os_mutex_new(struct rproc_os_mutex **out);
void rproc_os_mutex_free(struct rproc_os_mutex *m); /* NULL is a no-op */
void rproc_os_mutex_lock(struct rproc_os_mutex *m);
void rproc_os_mutex_unlock(struct rproc_os_mutex *m);

int rproc_os_cond_new(struct rproc_os_cond **out);
void rproc_os_cond_free(struct rproc_os_cond *c); /* NULL is a no-op */
/* Wait with @m held; @timeout_ns < 0 waits forever.
 * Returns 0 when woken (possibly spuriously) or -ETIMEDOUT. */
int rproc_os_cond_wait(struct rproc_os_cond *c, struct rproc_os_mutex *m,
		       int64_t timeout_ns);
void rproc_os_cond_broadcast(struct rproc_os_cond *c);

/* ---- time ---------------------------------------------------------------- */

/* Monotonic clock in nanoseconds. */
uint64_t rproc_os_monotonic_ns(void);

/* ---- workers --------------------------------------------------------------- */

/*
 * A worker is a thread that calls @fn(@ctx) after each kick.  Kicks coalesce:
 * several kicks before @fn runs give at least one call; a kick while @fn runs
 * gives one more call after it returns.  @fn must read its own pending state.
 */
struct rproc_os_worker;

int rproc_os_worker_new(const char *name, void (*fn)(void *ctx), void *ctx,
			struct rproc_os_worker **out);
/* Async-signal-safe and callable from any thread, including @fn itself. */
void rproc_os_worker_kick(struct rproc_os_worker *w);
/* True when called from the worker's own thread (from inside @fn). */
bool rproc_os_worker_is_current(const struct rproc_os_worker *w);
/* Stops the worker: waits for a running @fn to return; pending kicks are
 * dropped; @fn is never called again.  Must not be called from @fn.  NULL is
 * a no-op. */
void rproc_os_worker_free(struct rproc_os_worker *w);

/* ---- logging ------------------------------------------------------------- */

enum rproc_log_level {
	RPROC_LOG_ERR = 0,
	RPROC_LOG_WARN = 1,
	RPROC_LOG_INFO = 2,
	RPROC_LOG_DEBUG = 3,
};

/* Emit one formatted, NUL-terminated line (no trailing newline). */
void rproc_os_log(enum rproc_log_level level, const char *msg);

/* ---- firmware files ------------------------------------------------------ */

/*
 * Firmware is looked up by name in a search path.  A name is relative, has
 * no ".." component, no empty component, is at most 255 bytes and never
 * escapes the search directories: anything else is -EINVAL.
 *
 * The image is read completely into memory: its bytes stay valid and
 * unchanged until rproc_os_fw_release(), whatever happens to the file.
 */
struct rproc_os_fw {
	const uint8_t *data;
	size_t size;
	const char *name; /* as requested */
	const char *path; /* where it was found */
};

/* Set the search path: absolute directories separated by ':'.  Applies to
 * requests made afterwards.  Default: "/lib/firmware". */
int rproc_os_fw_set_search_path(const char *dirs);

/* Look the firmware up now.  -ENOENT when no search directory holds it. */
int rproc_os_fw_request(const char *name, struct rproc_os_fw **out);
void rproc_os_fw_release(struct rproc_os_fw *fw); /* NULL is a no-op */

/*
 * Wait for a firmware that may appear later: now, by creation, by rename into
 * place, or on a file system mounted later over (or under) a search
 * directory.  A file still being written is not delivered until it is
 * closed.  No polling loops: the POSIX layer uses inotify and the mount table.
 *
 * @cb runs exactly once, on the layer's watcher thread (never inside this
 * call), with the image (ownership passes to @cb) and 0, or with NULL and a
 * negative code when waiting became impossible.  It must not block for long
 * and must not call rproc_os_fw_wait_cancel().
 */
struct rproc_os_fw_waiter;
typedef void (*rproc_os_fw_cb)(void *ctx, struct rproc_os_fw *fw, int err);

int rproc_os_fw_wait(const char *name, rproc_os_fw_cb cb, void *ctx,
		     struct rproc_os_fw_waiter **out);
/* Cancel and free: after return, @cb is not running and will never run
 * (if it already ran, this only frees).  NULL is a no-op. */
void rproc_os_fw_wait_cancel(struct rproc_os_fw_waiter *w);

#ifdef __cplusplus
}
#endif

#endif /* RPROC_OS_H */
