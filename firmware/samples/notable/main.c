// SPDX-License-Identifier: BSD-3-Clause
/*
 * notable: a firmware without a resource table (no ".resource_table"
 * section).  The host builds a table for it and installs it where
 * VSOC_MBOX_RSC_TABLE points; the firmware traces into the first RSC_TRACE
 * buffer it finds there, or runs without a trace.  Then as hello: READY,
 * PING, TRACE.  The raw sample is this program as a flat binary.
 */
#include "sample.h"

#ifndef NOTABLE_NAME
#define NOTABLE_NAME "notable"
#endif

int main(void)
{
	struct fw_rsc_trace *trace =
		rpfw_rsc_find(rpfw_rsc_installed(), RSC_TRACE, NULL);

	sample_start(trace ? (char *)(uintptr_t)trace->da : NULL,
		     trace ? trace->len : 0, NOTABLE_NAME " up", NOTABLE_NAME,
		     NULL);
	for (;;)
		rpfw_wait_for_interrupt();
}
