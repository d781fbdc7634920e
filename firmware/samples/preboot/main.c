// SPDX-License-Identifier: BSD-3-Clause
/*
 * preboot: the firmware a boot ROM starts at power-on, before the host runs
 * (the board's always-on core).  Like hello, but it first tells the host
 * where its resource table is (VSOC_MBOX_RSC_TABLE), so the host can attach
 * to it and find its trace buffer.
 */
#include "sample.h"

int main(void)
{
	rpfw_rsc_publish(&rpfw_resource_table);
	sample_start(sample_trace_buf, SAMPLE_TRACE_LEN, "preboot up",
		     "preboot", NULL);
	for (;;)
		rpfw_wait_for_interrupt();
}
