// SPDX-License-Identifier: BSD-3-Clause
/*
 * rpfw_panic(): report to the host and stop (rpfw/panic.h).
 */
#include <stdarg.h>
#include <stdint.h>

#include "rproc/vsoc_regs.h"
#include "rpfw/arch.h"
#include "rpfw/mbox.h"
#include "rpfw/panic.h"
#include "rpfw/trace.h"

static char panic_msg[RPFW_PANIC_MSG_LEN];

/*
 * The work, in an ordinary function: GCC saves no callee-saved register in
 * a noreturn function on ARM, so doing it in rpfw_panic() itself would
 * leave the callers' registers wrong in a debugger's backtrace.
 */
static __attribute__((noinline)) void panic_report(uint32_t code,
						   const char *fmt, va_list ap)
{
	rpfw_irq_disable();
	rpfw_vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	rpfw_printf("panic 0x%x: %s\n", (unsigned int)code, panic_msg);
	rpfw_mbox_write(VSOC_MBOX_PANIC_MSG, (uint32_t)(uintptr_t)panic_msg);
	rpfw_barrier();
	rpfw_mbox_write(VSOC_MBOX_PANIC, code);
}

void rpfw_panic(uint32_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_report(code, fmt, ap);
	va_end(ap);
	for (;;)
		; /* the host halts the core at the next block */
}
