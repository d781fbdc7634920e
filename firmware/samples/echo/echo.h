/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo: what rsc.c (the resource table) gives main.c.  The table has a type
 * of its own, so it lives in a file that does not include sample.h.
 */
#ifndef RPFW_ECHO_H
#define RPFW_ECHO_H

#include "rproc/rsc_table.h"

#define ECHO_TRACE_LEN 4096

extern char echo_trace_buf[ECHO_TRACE_LEN];
/* The bodies of the rpmsg vdev and of the "vdev0buffer" carveout in the
 * loaded table (the host updates them in place). */
extern struct fw_rsc_vdev *const echo_vdev;
extern const struct fw_rsc_carveout *const echo_shm;

#endif /* RPFW_ECHO_H */
