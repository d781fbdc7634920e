// SPDX-License-Identifier: BSD-3-Clause
/*
 * hello: the default firmware of the vsoc board.  Traces a greeting,
 * answers PING and TRACE (rpfw/proto.h), keeps the watchdog happy, and
 * otherwise sleeps in wfi.  Standard resource table (sample_rsc.c).
 */
#include "sample.h"

int main(void)
{
	sample_start(sample_trace_buf, SAMPLE_TRACE_LEN,
		     "hello from " RPFW_ARCH_NAME, "hello", NULL);
	for (;;)
		rpfw_wait_for_interrupt();
}
