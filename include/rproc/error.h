/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One error space for all of rproc: public functions return 0 or a negative
 * errno code from <errno.h>.  RPROC_ERRNO_MAP is the one list that gives each
 * code we use its name and its message (libuv's habit).
 */
#ifndef RPROC_ERROR_H
#define RPROC_ERROR_H

#include <errno.h>

/* newlib (bare-metal hosts) has it only among its Linux extensions. */
#ifndef ESHUTDOWN
#define ESHUTDOWN 108
#endif

#define RPROC_ERRNO_MAP(X)                                                     \
	X(EPERM, "operation not permitted")                                    \
	X(ENOENT, "no such file or resource")                                  \
	X(EIO, "input/output error")                                           \
	X(E2BIG, "too big")                                                    \
	X(ENOEXEC, "bad firmware format")                                      \
	X(EAGAIN, "try again")                                                 \
	X(ENOMEM, "out of memory")                                             \
	X(EACCES, "permission denied")                                         \
	X(EFAULT, "address outside known memory")                              \
	X(EBUSY, "busy")                                                       \
	X(EEXIST, "already exists")                                            \
	X(ENODEV, "no such device (remote deleted)")                           \
	X(EINVAL, "invalid argument")                                          \
	X(ENOSPC, "no space left")                                             \
	X(ERANGE, "out of range")                                              \
	X(ENAMETOOLONG, "name too long")                                       \
	X(ENOSYS, "not implemented")                                           \
	X(EBADMSG, "malformed data")                                           \
	X(EOVERFLOW, "value too large")                                        \
	X(ENOTSUP, "not supported")                                            \
	X(ETIMEDOUT, "timed out")                                              \
	X(EALREADY, "already in progress")                                     \
	X(ECANCELED, "cancelled")                                              \
	X(ECONNRESET, "peer reset")                                            \
	X(ENOTCONN, "not connected (device down)")                             \
	X(EPROTO, "protocol error (the remote broke the ring)")                \
	X(ESHUTDOWN, "remote stopped")                                         \
	X(EMSGSIZE, "message too long")                                        \
	X(EADDRINUSE, "address in use")                                        \
	X(EDESTADDRREQ, "no destination address")

/* "ENOMEM" for -ENOMEM or ENOMEM; "E?" for codes not in the list. */
const char *rproc_err_name(int err);
/* Human-readable message for -err or err; never NULL. */
const char *rproc_strerror(int err);

#endif /* RPROC_ERROR_H */
