/* SPDX-License-Identifier: BSD-3-Clause */
/* Diagnostics left by pure modules (include/rproc/diag.h). */
#include <stdarg.h>
#include <stdio.h>

#include "rproc/diag.h"

int rproc_diag_set(struct rproc_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}
