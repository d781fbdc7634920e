// SPDX-License-Identifier: BSD-3-Clause
/*
 * Finding entries in an installed resource table (rpfw/rsc.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "rproc/rsc_table.h"
#include "rpfw/rsc.h"

static int name_is(const uint8_t *ename, const char *name)
{
	size_t i;

	for (i = 0; i < RPROC_RSC_NAME_LEN; i++) {
		if (ename[i] != (uint8_t)name[i])
			return 0;
		if (!name[i])
			return 1;
	}
	return 0;
}

void *rpfw_rsc_find(const struct resource_table *table, uint32_t type,
		    const char *name)
{
	uint32_t i;

	if (!table || table->ver != RSC_TABLE_VERSION)
		return NULL;
	for (i = 0; i < table->num; i++) {
		const struct fw_rsc_hdr *h =
			(const void *)((const uint8_t *)table +
				       table->offset[i]);
		size_t name_off;

		if (h->type != type)
			continue;
		if (!name)
			return (void *)h->data;
		if (type == RSC_CARVEOUT || type == RSC_DEVMEM)
			name_off = offsetof(struct fw_rsc_carveout, name);
		else if (type == RSC_TRACE)
			name_off = offsetof(struct fw_rsc_trace, name);
		else
			continue; /* no name to match */
		if (name_is(h->data + name_off, name))
			return (void *)h->data;
	}
	return NULL;
}
