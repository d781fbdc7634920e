// SPDX-License-Identifier: BSD-3-Clause
/*
 * The deferred command slot of the samples that run commands from main
 * (crash, bench): see sample.h.  A file of its own so that samples without
 * deferred commands do not link dead code (whose debug information
 * --gc-sections would leave at address 0).
 */
#include "sample.h"

static volatile uint32_t deferred;

void sample_defer(uint32_t word)
{
	if (deferred) {
		rpfw_printf("busy: dropped 0x%08x\n", (unsigned int)word);
		return;
	}
	deferred = word;
}

uint32_t sample_wait(void)
{
	for (;;) {
		uint32_t word;

		rpfw_irq_disable();
		word = deferred;
		deferred = 0;
		if (!word)
			rpfw_wfi();
		rpfw_irq_enable();
		if (word)
			return word;
	}
}
