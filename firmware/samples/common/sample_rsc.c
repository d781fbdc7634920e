// SPDX-License-Identifier: BSD-3-Clause
/*
 * The standard resource table of the samples that carry one (hello, crash,
 * bench, preboot): one carveout per local memory, named as the board names
 * them, then the trace buffer "trace0" (in sram / ram).
 */
#include "sample.h"

#define OFF(member) RPFW_RSC_OFFSET(struct sample_rsc_table, member)

char sample_trace_buf[SAMPLE_TRACE_LEN];

#if defined(__arm__)

RPFW_RSC_TABLE(struct sample_rsc_table) = {
	.hdr = RPFW_RSC_HEADER(3),
	.offset = {OFF(tcm), OFF(sram), OFF(trace)},
	.tcm = RPFW_RSC_CARVEOUT(0x00000000, 0x40000, "tcm"),
	.sram = RPFW_RSC_CARVEOUT(0x20000000, 0x20000, "sram"),
	.trace = RPFW_RSC_TRACE(sample_trace_buf, SAMPLE_TRACE_LEN, "trace0"),
};

#else

RPFW_RSC_TABLE(struct sample_rsc_table) = {
	.hdr = RPFW_RSC_HEADER(2),
	.offset = {OFF(ram), OFF(trace)},
	.ram = RPFW_RSC_CARVEOUT(0x80000000, 0x40000, "ram"),
	.trace = RPFW_RSC_TRACE(sample_trace_buf, SAMPLE_TRACE_LEN, "trace0"),
};

#endif
