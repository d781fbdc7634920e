/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private interface between the files of the POSIX OS layer: the thread
 * helper, formatted logging, firmware name rules, the shared search path and
 * the one-directory firmware loader that both rproc_os_fw_request() and the
 * firmware watcher (fw_wait.c) use.  Nothing here is visible to the core.
 */
#ifndef RPROC_OS_POSIX_H
#define RPROC_OS_POSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "rproc/os.h"

/* Longest firmware name, in bytes, without the NUL (os.h). */
#define RPROC_OS_FW_NAME_MAX 255

/*
 * Start a thread with every signal blocked, so process-directed signals are
 * never delivered to a layer thread and its blocking calls never see EINTR.
 * @name (may be NULL) is truncated to the 15 bytes Linux keeps.
 * Returns 0 or a negative errno.
 */
int rproc_os__thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
			   const char *name);

/* rproc_os_log() with printf formatting. */
void rproc_os__logf(enum rproc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* 0 when @name is a valid firmware name (os.h), else -EINVAL. */
int rproc_os__fw_name_check(const char *name);

/*
 * An immutable snapshot of the search path.  rproc_os_fw_set_search_path()
 * publishes a new one; readers take a reference so a concurrent change never
 * frees the directories they are walking.  Directories are absolute, have no
 * trailing '/' (except "/" itself) and leave room for '/' and a name within
 * PATH_MAX.
 */
struct rproc_os__search_path {
	unsigned int refs; /* atomic; unused for the static default */
	bool is_static;
	size_t ndirs;
	const char *const *dirs;
};

struct rproc_os__search_path *rproc_os__search_path_get(void);
void rproc_os__search_path_put(struct rproc_os__search_path *sp);

/* Flags of rproc_os__fw_load(). */
enum {
	/* Refuse (-EBUSY) a file some process has open for writing, as far as
	 * a read lease can tell. */
	RPROC_OS__FW_NO_WRITERS = 1u << 0,
	/* With NO_WRITERS: also -EBUSY when leases cannot tell. */
	RPROC_OS__FW_PROVEN = 1u << 1,
};

/*
 * Load @name from the one search directory @dir into memory allocated with
 * rproc_malloc().  Symlinks are followed but must stay beneath @dir (openat2
 * RESOLVE_BENEATH where the kernel has it).
 *
 * Returns 0 and *@out, or: -ENOENT / -ENOTDIR (not there), -EINVAL (not a
 * regular file, or resolves outside @dir), -EBUSY (open for writing, see
 * flags), -EAGAIN (kept changing while read), -EFBIG, -ENOMEM, or the errno
 * of a failing system call.
 */
int rproc_os__fw_load(const char *dir, const char *name, unsigned int flags,
		      struct rproc_os_fw **out);

#endif /* RPROC_OS_POSIX_H */
