/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A native remote for tests: its firmware image (the resource table
 * given, one entry) written to a fresh temporary directory that becomes
 * the firmware search path, and the remote created from it, not yet
 * added.  Set-up failures abort (they are the test machine's, not the
 * code's under test).
 */
#ifndef RPROC_TEST_NATIVE_FW_H
#define RPROC_TEST_NATIVE_FW_H

#include <stdbool.h>
#include <stddef.h>

#include "rproc/native.h"

struct native_fw {
	char dir[64];
	char file[40];
	struct rproc_native_entry entry; /* the config points here */
	struct rproc_native *nr;
	struct rproc *rproc;
};

/* Remote @name running @fn(@arg) as entry @tag (also the image's file,
 * "<tag>.fw"); @polled: no doorbell threads; @priv: the config's. */
void native_fw_create(struct native_fw *f, const char *name, const char *tag,
		      const void *table, size_t tlen, rproc_native_entry_fn fn,
		      void *arg, bool polled, void *priv);
/* The remote destroyed (not added any more), the image and the directory
 * removed. */
void native_fw_destroy(struct native_fw *f);

#endif /* RPROC_TEST_NATIVE_FW_H */
