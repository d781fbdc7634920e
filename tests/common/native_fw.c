// SPDX-License-Identifier: BSD-3-Clause
/*
 * A native remote for tests (native_fw.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rproc/os.h"

#include "native_fw.h"

void native_fw_create(struct native_fw *f, const char *name, const char *tag,
		      const void *table, size_t tlen, rproc_native_entry_fn fn,
		      void *arg, bool polled, void *priv)
{
	struct rproc_native_config nc;

	snprintf(f->dir, sizeof(f->dir), "/tmp/rproc-%s-XXXXXX", tag);
	snprintf(f->file, sizeof(f->file), "%s.fw", tag);
	if (!mkdtemp(f->dir) || rproc_os_fw_set_search_path(f->dir) ||
	    rproc_native_image_write(f->dir, f->file, tag, table, tlen))
		abort();
	f->entry = (struct rproc_native_entry){tag, fn, arg};
	rproc_native_config_init(&nc);
	nc.name = name;
	nc.firmware = f->file;
	nc.polled = polled;
	nc.entries = &f->entry;
	nc.nentries = 1;
	nc.priv = priv;
	if (rproc_native_create(&nc, &f->nr))
		abort();
	f->rproc = rproc_native_rproc(f->nr);
}

void native_fw_destroy(struct native_fw *f)
{
	char path[sizeof(f->dir) + sizeof(f->file) + 1];

	rproc_native_destroy(f->nr);
	f->nr = NULL;
	f->rproc = NULL;
	snprintf(path, sizeof(path), "%s/%s", f->dir, f->file);
	unlink(path);
	rmdir(f->dir);
}
