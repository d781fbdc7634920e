/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtual SoC board as its devicetree describes it (binding:
 * docs/bindings/rproc,vsoc.txt).  Pure data: parsing allocates nothing but
 * the description itself and touches no emulator.
 */
#ifndef RPROC_VSOC_BOARD_H
#define RPROC_VSOC_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"
#include "rproc/resource.h"

#include "cpu.h"

#define VSOC_NAME_LEN 32 /* names: at most 31 bytes + NUL */
#define VSOC_FW_NAME_LEN 128
#define VSOC_MAX_REGIONS 64 /* per board */
#define VSOC_MAX_CORES 8
#define VSOC_MAX_CORE_MEMS 16 /* local memories + memory-region per core */
#define VSOC_MAX_RANGES 8     /* dma-ranges entries per core */
#define VSOC_MAX_CORE_RSCS 8  /* board resources (trace, vdev) per core */

/* A piece of the SoC's physical memory the board backs with host memory. */
struct vsoc_region {
	char name[VSOC_NAME_LEN]; /* node name without the unit address */
	char path[128];		  /* full node path, for messages */
	uint64_t pa;
	uint64_t size; /* multiple of 4 KiB, pa aligned to 4 KiB */
	bool local;    /* a core's local memory (child of the core node) */
	bool pool;     /* compatible "shared-dma-pool": allocations come from
			 * it; not registered as a carveout */
	bool no_map;   /* "no-map" (informational) */
};

/* How a core sees one region: index into vsoc_board_desc.regions and the
 * device address it appears at. */
struct vsoc_core_mem {
	unsigned region;
	uint64_t da;
};

struct vsoc_core_desc {
	char name[VSOC_NAME_LEN]; /* node name without the unit address */
	char path[128];
	enum vsoc_arch arch;
	char firmware[VSOC_FW_NAME_LEN]; /* "" if no firmware-name */
	bool auto_boot;			 /* rproc,auto-boot */
	bool raw;			 /* rproc,firmware-format = "raw" */
	uint64_t load_da;     /* raw: rproc,load-address or RPROC_ANY */
	uint64_t entry;	      /* raw: rproc,entry or RPROC_ANY */
	uint32_t vtor;	      /* Cortex-M vector table (default 0) */
	uint64_t mbox_base;   /* the mailbox child's reg */
	uint32_t watchdog_ms; /* 0: none */
	bool started_at_power_on;
	char boot_firmware[VSOC_FW_NAME_LEN]; /* rproc,boot-firmware */
	/* Local memories first (in node order), then memory-region entries
	 * (in phandle order). */
	struct vsoc_core_mem mems[VSOC_MAX_CORE_MEMS];
	size_t nmems;
	/* dma-ranges: <da pa size> windows through which the core sees
	 * physical memory outside its local memories.  None: identity. */
	struct {
		uint64_t da, pa, size;
	} ranges[VSOC_MAX_RANGES];
	size_t nranges;
	/* Board-supplied non-memory resources (trace, vdev), ready to be
	 * registered with RPROC_SRC_PLATFORM. */
	struct rproc_rsc_desc rscs[VSOC_MAX_CORE_RSCS];
	size_t nrscs;
};

struct vsoc_board_desc {
	char model[64];
	struct vsoc_region regions[VSOC_MAX_REGIONS];
	size_t nregions;
	struct vsoc_core_desc cores[VSOC_MAX_CORES];
	size_t ncores;
};

/*
 * Parse a flattened devicetree blob.  Checks everything the binding says
 * (required properties, sizes and alignment, overlapping physical regions,
 * memory-region phandles, dma-ranges covering every referenced region,
 * unique core names) and fails with -EINVAL and a message in @d naming the
 * node and the property, e.g.
 *   "/remoteproc/m4@0: property 'firmware-name': not a NUL-terminated
 *   string".
 * -ENOMEM if @out cannot be allocated.  Free *@out with
 * vsoc_board_desc_free().
 */
int vsoc_board_parse(const void *fdt, size_t len, struct vsoc_board_desc **out,
		     struct rproc_diag *d);
void vsoc_board_desc_free(struct vsoc_board_desc *desc);

/* The device address at which @core sees physical address [pa, pa+len), or
 * -EFAULT if no single window covers it. */
int vsoc_board_pa_to_da(const struct vsoc_board_desc *b,
			const struct vsoc_core_desc *core, uint64_t pa,
			uint64_t len, uint64_t *da);

#endif /* RPROC_VSOC_BOARD_H */
