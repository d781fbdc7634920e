/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Report a fatal error to the host and stop.  rpfw_panic() masks interrupts,
 * formats the message (rpfw_printf() syntax, at most RPFW_PANIC_MSG_LEN - 1
 * bytes), copies it to the trace as "panic <code>: <message>", writes its
 * address to VSOC_MBOX_PANIC_MSG and the code to VSOC_MBOX_PANIC, then
 * spins: the host halts the core at the next basic block, so the registers
 * and stack it captures are the panicking call's.
 */
#ifndef RPFW_PANIC_H
#define RPFW_PANIC_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define RPFW_PANIC_MSG_LEN 96

/* Codes the library and the start code use; applications use their own
 * (any value; these are small to stay out of the way). */
#define RPFW_PANIC_EXCEPTION 1 /* unexpected exception or trap */
#define RPFW_PANIC_RETURN 2    /* main() returned */

#ifndef __ASSEMBLER__
void rpfw_panic(uint32_t code, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
#endif

#endif /* RPFW_PANIC_H */
