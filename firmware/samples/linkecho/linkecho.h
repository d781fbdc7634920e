/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linkecho: what rsc.c (the resource table) gives main.c.  The table has a
 * type of its own, so it lives in a file that does not include sample.h.
 */
#ifndef RPFW_LINKECHO_H
#define RPFW_LINKECHO_H

#include "rproc/link_abi.h"
#include "rproc/rsc_table.h"

#define LINKECHO_TRACE_LEN 4096
#define LINKECHO_RING 4096 /* data bytes each way */
/* The doorbell words: command byte 'L', which no sample command uses. */
#define LINKECHO_KICK 0x4C000001u   /* host -> remote */
#define LINKECHO_NOTIFY 0x4C000002u /* remote -> host */

extern char linkecho_trace_buf[LINKECHO_TRACE_LEN];
/* The bodies of the RSC_VENDOR_LINK entry and of the "link0" carveout in
 * the loaded table (the host writes the carveout's da back in place). */
extern const struct fw_rsc_link *const linkecho_rsc;
extern const struct fw_rsc_carveout *const linkecho_shm;

#endif /* RPFW_LINKECHO_H */
