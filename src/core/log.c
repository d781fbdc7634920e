/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messages of a remote: one line per event through the OS layer, errors also
 * kept as the remote's last error so callers and tests can read the text.
 * Names are data, never format strings: they only ever appear as "%s"
 * arguments.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void rproc_vlog(struct rproc *rproc, enum rproc_log_level level,
		       char *keep, size_t keep_len, const char *fmt, va_list ap)
{
	char msg[RPROC_DIAG_LEN];
	char line[RPROC_DIAG_LEN + RPROC_RSC_NAME_LEN + 16];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (keep)
		snprintf(keep, keep_len, "%s", msg);
	snprintf(line, sizeof(line), "%s: %s", rproc ? rproc->name : "rproc",
		 msg);
	rproc_os_log(level, line);
}

int rproc_err(struct rproc *rproc, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, RPROC_LOG_ERR, rproc ? rproc->last_error : NULL,
		   sizeof(rproc->last_error), fmt, ap);
	va_end(ap);
	return err;
}

int rproc_subdev_err(struct rproc_subdev *sd, int err, const char *fmt, ...)
{
	struct rproc *rproc = sd->rproc;
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, RPROC_LOG_ERR, rproc ? rproc->last_error : NULL,
		   rproc ? sizeof(rproc->last_error) : 0, fmt, ap);
	va_end(ap);
	return err;
}

void rproc_warn(struct rproc *rproc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, RPROC_LOG_WARN, NULL, 0, fmt, ap);
	va_end(ap);
}

void rproc_info(struct rproc *rproc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, RPROC_LOG_INFO, NULL, 0, fmt, ap);
	va_end(ap);
}

int rproc_err_diag(struct rproc *rproc, int err, const char *what,
		   const struct rproc_diag *d)
{
	if (d->msg[0])
		return rproc_err(rproc, err, "%s: %s", what, d->msg);
	return rproc_err(rproc, err, "%s: %s", what, rproc_strerror(err));
}
