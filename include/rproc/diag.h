/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A diagnostic: the one precise message a parser or checker leaves behind
 * when it fails.  Pure modules (ELF and table parsers, the coredump writer)
 * write here instead of logging, so callers and tests see the exact text.
 */
#ifndef RPROC_DIAG_H
#define RPROC_DIAG_H

#include <stddef.h>

#define RPROC_DIAG_LEN 256

struct rproc_diag {
	char msg[RPROC_DIAG_LEN];
};

/* Format into @d (NULL is allowed and ignored); returns @err unchanged so a
 * failure reads: return rproc_diag_set(d, -EBADMSG, "...", ...); */
int rproc_diag_set(struct rproc_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* RPROC_DIAG_H */
