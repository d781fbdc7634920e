/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named resources (DESIGN §2 topic 2, §4).
 *
 * Resources are registered by the firmware parser, by the platform (driver,
 * devicetree) and through the API.  Registrations with the same type and name
 * merge into one resource, or the later one is rejected (rules in
 * docs/resources.md).  Allocation happens at boot.
 */
#ifndef RPROC_RESOURCE_H
#define RPROC_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/rsc_table.h"

/* "Any" for every address, length and flag field of a registration. */
#define RPROC_ANY UINT64_MAX

#define RPROC_MAX_VRINGS 2

enum rproc_rsc_source {
	RPROC_SRC_FIRMWARE = 0, /* the firmware's resource table or headers */
	RPROC_SRC_PLATFORM = 1, /* the driver / devicetree */
	RPROC_SRC_API = 2,	/* the application */
	RPROC_SRC_CORE = 3,	/* made up by the core */
};

const char *rproc_rsc_source_name(enum rproc_rsc_source src);
const char *rproc_rsc_type_name(uint32_t type);

struct rproc_rsc_vring {
	uint64_t da; /* remote's view; RPROC_ANY: allocate */
	uint64_t pa; /* host physical / bus address (after allocation) */
	uint32_t align;
	uint32_t num;
	uint32_t notifyid; /* assigned at allocation */
	void *va;	   /* host view (after allocation) */
	size_t size;	   /* bytes of the split ring */
};

/*
 * A registration, and (as struct rproc_resource) the merged result.
 * For carveout, devmem and trace: da, pa, len, flags.  For vdev: the vdev
 * fields below (name is "vdev<N>", N counting vdevs in table order); the
 * rings' memory is found by name ("vdev<N>vring<M>" carveouts, Linux's
 * reserved-memory names) or allocated.  For vendor types: the raw body.
 */
struct rproc_rsc_desc {
	uint32_t type;
	char name[RPROC_RSC_NAME_LEN];
	uint64_t da;
	uint64_t pa;
	uint64_t len;
	uint64_t flags;
	struct {
		uint32_t id;
		uint64_t dfeatures;
		uint32_t config_len;
		uint32_t num_vrings;
		struct rproc_rsc_vring vring[RPROC_MAX_VRINGS];
	} vdev;
	const void *vendor_body; /* vendor types: body bytes (not copied) */
	size_t vendor_len;
};

/* A merged resource as the core holds it.  Read-only for users. */
struct rproc_resource {
	struct rproc_rsc_desc d; /* merged values */
	uint32_t sources;     /* bit (1 << enum rproc_rsc_source) per source */
	int64_t table_offset; /* firmware entry offset in the table, or -1 */
	void *va;	      /* host view after allocation (NULL if none) */
	uint32_t notifyid;    /* vdev: assigned at allocation */
	bool allocated;	      /* memory obtained at boot by the core */
	bool mapped;	      /* driver mem_map'ed it */
	struct rproc_resource *next;
};

#endif /* RPROC_RESOURCE_H */
