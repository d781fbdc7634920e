/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc: the users' API of a remote processor.
 *
 * A remote is created and registered by its driver (include/rproc/driver.h);
 * users boot it, stop it, read its state and trace, configure recovery and
 * coredumps.  Every function here is thread-safe and may sleep, except
 * rproc_report_crash() which never sleeps.  Every function returns 0 or a
 * negative errno code (include/rproc/error.h); rproc_last_error() then
 * holds one precise message.
 */
#ifndef RPROC_RPROC_H
#define RPROC_RPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/coredump.h"
#include "rproc/error.h"
#include "rproc/resource.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rproc;

/* States, with the Linux sysfs names. */
enum rproc_state {
	RPROC_OFFLINE = 0,
	RPROC_SUSPENDED,
	RPROC_RUNNING,
	RPROC_CRASHED,
	RPROC_DELETED,
	RPROC_ATTACHED,
	RPROC_DETACHED,
	RPROC_STATE_COUNT
};
const char *rproc_state_name(enum rproc_state state);

enum rproc_crash_type {
	RPROC_CRASH_MMUFAULT = 0, /* bad memory access */
	RPROC_CRASH_WATCHDOG,	  /* missed heartbeat */
	RPROC_CRASH_FATAL_ERROR,  /* firmware-reported panic */
	RPROC_CRASH_EXCEPTION,	  /* undefined instruction, bad state */
	RPROC_CRASH_TYPE_COUNT
};
const char *rproc_crash_name(enum rproc_crash_type type);

enum rproc_dump_mode {
	RPROC_DUMP_DISABLED = 0,
	RPROC_DUMP_ENABLED, /* copy the dump, restart the remote, then write it */
	RPROC_DUMP_INLINE, /* stream from remote memory before restarting */
};
const char *rproc_dump_mode_name(enum rproc_dump_mode mode);

/* ---- lifecycle ----------------------------------------------------------- */

/*
 * Take a reference and boot the remote if it was OFFLINE (or attach if it
 * was DETACHED).  A remote already up (or crashed and recovering) only gains
 * the reference.  Blocks until the boot finished.
 * -ENODEV deleted, -ENOENT firmware missing, -EINVAL/-ENOEXEC/-EBADMSG bad
 * firmware or table, -ENOMEM, or the driver's code.  On failure no reference
 * is held and the remote is OFFLINE (or DETACHED).
 */
int rproc_boot(struct rproc *rproc);

/* Drop a reference taken by rproc_boot(); the last one stops the remote
 * (ATTACHED remotes are stopped too; use rproc_detach() to leave them
 * running).  -EINVAL when no reference is held. */
int rproc_shutdown(struct rproc *rproc);

/*
 * The control interface (sysfs "state"): start / stop / detach.
 * ctl_start boots or attaches a remote that is OFFLINE or DETACHED and holds
 * one control reference; on a remote that is already up it fails with -EBUSY
 * and takes no reference (a repeated start never pins the remote).
 * ctl_stop drops the control reference and the always-on reference; if
 * users still hold references it returns -EBUSY and the remote stays up.
 * ctl_detach detaches an ATTACHED or RUNNING remote whose driver can detach.
 */
int rproc_ctl_start(struct rproc *rproc);
int rproc_ctl_stop(struct rproc *rproc);
int rproc_detach(struct rproc *rproc);

enum rproc_state rproc_state_get(struct rproc *rproc);
/* Wait until the state is @state; @timeout_ms < 0 waits forever.
 * -ETIMEDOUT, or -ENODEV if the remote is deleted meanwhile. */
int rproc_wait_state(struct rproc *rproc, enum rproc_state state,
		     int64_t timeout_ms);
/* References currently held (0 when OFFLINE). */
unsigned rproc_power_count(struct rproc *rproc);

/* Firmware name; only while OFFLINE (else -EBUSY).  An always-on remote
 * starts waiting for the new firmware at once. */
int rproc_set_firmware(struct rproc *rproc, const char *name);
int rproc_get_firmware(struct rproc *rproc, char *buf, size_t len);

const char *rproc_name(const struct rproc *rproc);
bool rproc_always_on(const struct rproc *rproc);

/* The message of the last failure on this remote ("" if none).  Valid
 * until the next call on the remote; copy it. */
int rproc_last_error(struct rproc *rproc, char *buf, size_t len);

/* ---- crashes, recovery, coredumps --------------------------------------- */

/*
 * Report a crash.  Safe from any thread and from signal handlers: it only
 * marks the crash and kicks the remote's worker, which marks the remote
 * CRASHED and recovers it.  Only the first report of one crash is acted on
 * (later ones return -EALREADY); a report while the remote is not up is
 * ignored by the worker.
 */
int rproc_report_crash(struct rproc *rproc, enum rproc_crash_type type);
uint32_t rproc_crash_count(struct rproc *rproc);
/* The type of the last crash acted on (valid when crash_count > 0). */
enum rproc_crash_type rproc_last_crash(struct rproc *rproc);

/* Recovery on by default.  Disabled: a crashed remote stays CRASHED until
 * rproc_recover() (one recovery) or a stop. */
int rproc_set_recovery(struct rproc *rproc, bool enabled);
bool rproc_recovery_enabled(struct rproc *rproc);
/* Recover a CRASHED remote once, now (blocks).  -EINVAL if not crashed. */
int rproc_recover(struct rproc *rproc);

int rproc_set_coredump(struct rproc *rproc, enum rproc_dump_mode mode);
enum rproc_dump_mode rproc_get_coredump(struct rproc *rproc);

/*
 * Where coredumps go: at each dump the core calls @open (with the remote's
 * lock held; it must not call back into this remote) to get a sink.  With no
 * sink or when @open fails, the dump is skipped with a warning.
 */
typedef int (*rproc_dump_open_fn)(void *ctx, struct rproc *rproc,
				  uint32_t crash_count,
				  struct rproc_dump_sink *sink);
void rproc_set_dump_sink(struct rproc *rproc, rproc_dump_open_fn open,
			 void *ctx);

/* Write a coredump of the remote now (CRASHED or running) with the current
 * sink.  Used by tools; recovery dumps on its own. */
int rproc_coredump_now(struct rproc *rproc);

/* ---- trace buffers and resources --------------------------------------- */

/* Number of trace buffers of the running remote. */
unsigned rproc_trace_count(struct rproc *rproc);
/* Copy trace buffer @idx into @buf (at most @len bytes, up to the first NUL
 * of the buffer).  Returns the number of bytes copied, or -ENOENT. */
int rproc_trace_read(struct rproc *rproc, unsigned idx, char *buf, size_t len);

/* Call @fn for each merged resource (with the lock held; do not call back). */
int rproc_resource_foreach(struct rproc *rproc,
			   int (*fn)(void *ctx, const struct rproc_resource *r),
			   void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* RPROC_RPROC_H */
