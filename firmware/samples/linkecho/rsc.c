// SPDX-License-Identifier: BSD-3-Clause
/*
 * linkecho's resource table: the standard one (the local memories as
 * carveouts, "trace0") plus the link (docs/link.md): the carveout "link0"
 * for its shared memory, placed by the host (da "any": the board's
 * shared-dma-pool; the host writes back where, and the m4 sees it at
 * another address than the host's), and the RSC_VENDOR_LINK entry naming
 * it, with rings of 4 KiB each way and the doorbell words.
 */
#include "rpfw/rpfw.h"
#include "rproc/link_abi.h"
#include "linkecho.h"

struct rpfw_rsc_link {
	uint32_t type;
	struct fw_rsc_link body;
} RPROC_RSC_PACKED;

_Static_assert(sizeof(struct rpfw_rsc_link) == 68, "link entry");

struct linkecho_rsc_table {
	struct rpfw_rsc_header hdr;
#if defined(__arm__)
	uint32_t offset[5];
	struct rpfw_rsc_carveout tcm;
	struct rpfw_rsc_carveout sram;
#else
	uint32_t offset[4];
	struct rpfw_rsc_carveout ram;
#endif
	struct rpfw_rsc_trace trace;
	struct rpfw_rsc_carveout shm;
	struct rpfw_rsc_link link;
};

#define OFF(member) RPFW_RSC_OFFSET(struct linkecho_rsc_table, member)

char linkecho_trace_buf[LINKECHO_TRACE_LEN];

RPFW_RSC_TABLE(struct linkecho_rsc_table) = {
#if defined(__arm__)
	.hdr = RPFW_RSC_HEADER(5),
	.offset = {OFF(tcm), OFF(sram), OFF(trace), OFF(shm), OFF(link)},
	.tcm = RPFW_RSC_CARVEOUT(0x00000000, 0x40000, "tcm"),
	.sram = RPFW_RSC_CARVEOUT(0x20000000, 0x20000, "sram"),
#else
	.hdr = RPFW_RSC_HEADER(4),
	.offset = {OFF(ram), OFF(trace), OFF(shm), OFF(link)},
	.ram = RPFW_RSC_CARVEOUT(0x80000000, 0x40000, "ram"),
#endif
	.trace = RPFW_RSC_TRACE(linkecho_trace_buf, LINKECHO_TRACE_LEN,
				"trace0"),
	.shm = RPFW_RSC_CARVEOUT(FW_RSC_ADDR_ANY,
				 LINK_SHM_SIZE(LINKECHO_RING, LINKECHO_RING),
				 "link0"),
	.link =
		{
			.type = RSC_VENDOR_LINK,
			.body =
				{
					.version = LINK_VERSION,
					.notify_h2r = LINKECHO_KICK,
					.notify_r2h = LINKECHO_NOTIFY,
					.size_h2r = LINKECHO_RING,
					.size_r2h = LINKECHO_RING,
					.carveout = "link0",
				},
		},
};

const struct fw_rsc_link *const linkecho_rsc = &rpfw_resource_table.link.body;
const struct fw_rsc_carveout *const linkecho_shm =
	&rpfw_resource_table.shm.body;
