// SPDX-License-Identifier: BSD-3-Clause
/*
 * crash: crashes on command (RPFW_CMD_CRASH, kinds in rpfw/proto.h), so the
 * host's crash detection, recovery and coredumps can be tested.
 *
 * The interrupt handler only records the command; main runs it from its
 * idle loop, so the fault happens in thread context, at the bottom of
 *   main -> crash_run -> crash_level1 -> crash_level2 -> fault_<kind>
 * (names the host tests look for in gdb backtraces).  Every function is
 * noinline/noclone and stores to crash_sink after its call, so no call is
 * turned into a tail call and the chain stays in the backtrace.
 */
#include "sample.h"

#define CHAIN __attribute__((noinline, noclone))

typedef void (*fn_t)(void);

static volatile uint32_t crash_sink;
static fn_t volatile null_fn;

static CHAIN void fault_bad_read(void)
{
	crash_sink = *(volatile uint32_t *)(uintptr_t)RPFW_CRASH_BAD_ADDR;
}

static CHAIN void fault_bad_write(void)
{
	*(volatile uint32_t *)(uintptr_t)RPFW_CRASH_BAD_ADDR = 0xBAD;
	crash_sink = 2;
}

static CHAIN void fault_undef(void)
{
#if defined(__arm__)
	__asm__ volatile("udf #0");
#else
	/* the 32-bit unimp (csrrw x0, cycle, x0: a write to a read-only
	 * CSR); a 16-bit c.unimp would leave the host's "pc + 4" wrong */
	__asm__ volatile(".insn 0xc0001073");
#endif
	crash_sink = 3;
}

static CHAIN void fault_null_call(void)
{
	null_fn();
	crash_sink = 4;
}

static CHAIN void fault_jump_unmapped(void)
{
#if defined(__arm__)
	fn_t volatile fn = (fn_t)(RPFW_CRASH_BAD_ADDR | 1); /* Thumb */
#else
	fn_t volatile fn = (fn_t)RPFW_CRASH_BAD_ADDR;
#endif
	fn();
	crash_sink = 5;
}

static CHAIN void fault_panic(void)
{
	rpfw_panic(RPFW_CRASH_PANIC_CODE, RPFW_CRASH_PANIC_MSG);
}

static CHAIN void fault_hang(void)
{
	rpfw_irq_disable();
	for (;;)
		crash_sink++;
}

static CHAIN void crash_level2(uint32_t kind)
{
	switch (kind) {
	case RPFW_CRASH_BAD_READ:
		fault_bad_read();
		break;
	case RPFW_CRASH_BAD_WRITE:
		fault_bad_write();
		break;
	case RPFW_CRASH_UNDEF:
		fault_undef();
		break;
	case RPFW_CRASH_NULL_CALL:
		fault_null_call();
		break;
	case RPFW_CRASH_JUMP_UNMAPPED:
		fault_jump_unmapped();
		break;
	case RPFW_CRASH_PANIC:
		fault_panic();
		break;
	case RPFW_CRASH_HANG:
		fault_hang();
		break;
	default:
		rpfw_printf("crash: unknown kind %u\n", (unsigned int)kind);
		break;
	}
	crash_sink = kind;
}

static CHAIN void crash_level1(uint32_t kind)
{
	crash_level2(kind);
	crash_sink = kind;
}

static CHAIN void crash_run(uint32_t kind)
{
	rpfw_printf("crash %u\n", (unsigned int)kind);
	crash_level1(kind);
	crash_sink = kind;
}

static bool crash_cmd(uint32_t word)
{
	if (RPFW_CMD(word) != RPFW_CMD_CRASH)
		return false;
	sample_defer(word);
	return true;
}

int main(void)
{
	sample_start(sample_trace_buf, SAMPLE_TRACE_LEN, "crash up", "crash",
		     crash_cmd);
	for (;;)
		crash_run(RPFW_ARG(sample_wait()));
}
