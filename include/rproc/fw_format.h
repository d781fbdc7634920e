/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firmware formats (DESIGN §2 topic 3): how an image is checked, parsed for
 * resources, loaded and how its resource table is installed.
 *
 * Ops run with the remote's lock held during boot and recovery.  @fw is
 * valid for the call only.  Each op returns 0 or a negative code and, on
 * failure, one precise message in @d.
 */
#ifndef RPROC_FW_FORMAT_H
#define RPROC_FW_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"

struct rproc;

struct rproc_fw {
	const uint8_t *data;
	size_t size;
	const char *name;
};

struct rproc_fw_ops {
	const char *name;
	/* Is this image well-formed for this format?  Nothing registered. */
	int (*sanity_check)(struct rproc *rproc, const struct rproc_fw *fw,
			    struct rproc_diag *d);
	/* Register the image's resources (rproc_fw_set_table() and/or
	 * rproc_resource_register()).  Optional. */
	int (*parse)(struct rproc *rproc, const struct rproc_fw *fw,
		     struct rproc_diag *d);
	/* Copy the segments into remote memory (rproc_fw_load_segment()). */
	int (*load)(struct rproc *rproc, const struct rproc_fw *fw,
		    struct rproc_diag *d);
	/* Install the (updated) table into remote memory.  Optional: the
	 * core then installs the table where it was loaded, or builds one. */
	int (*install_table)(struct rproc *rproc, const struct rproc_fw *fw,
			     struct rproc_diag *d);
	/* Where the remote starts. */
	int (*boot_addr)(struct rproc *rproc, const struct rproc_fw *fw,
			 uint64_t *addr);
};

/* ELF32 and ELF64, little-endian, with or without ".resource_table". */
extern const struct rproc_fw_ops rproc_fw_elf;
/* A flat binary: loaded at the config's load_da; resources from the
 * platform; the table is built by the core. */
extern const struct rproc_fw_ops rproc_fw_raw;

/* ---- helpers the formats call (defined by the core) --------------------- */

/* Validate a resource table image, cache a copy, register its resources
 * (RPROC_SRC_FIRMWARE).  @da is where the table lives once loaded
 * (RPROC_ANY if nowhere). */
int rproc_fw_set_table(struct rproc *rproc, const void *table, size_t len,
		       uint64_t da, struct rproc_diag *d);
/* Copy @filesz bytes to remote address @da and zero up to @memsz.  The
 * whole [da, da+memsz) must be known memory (-EFAULT).  Records the region
 * as a default coredump segment. */
int rproc_fw_load_segment(struct rproc *rproc, uint64_t da, const void *src,
			  uint64_t filesz, uint64_t memsz,
			  struct rproc_diag *d);
/* Identity of the firmware for coredumps. */
void rproc_fw_set_core_info(struct rproc *rproc, uint8_t elf_class,
			    uint16_t machine, uint32_t flags);
/* The raw format's load address and entry (config, or the platform
 * carveout "firmware"): -ENOENT if neither says. */
int rproc_fw_raw_layout(struct rproc *rproc, uint64_t *load_da, uint64_t *entry,
			uint64_t *max_len);

#endif /* RPROC_FW_FORMAT_H */
