// SPDX-License-Identifier: BSD-3-Clause
/*
 * bench: loops with an exact instruction count (rpfw/proto.h), run from
 * main on command, with interrupts enabled (the heartbeat keeps running);
 * the reply says when a loop is done.
 */
#include "sample.h"

/* On a page of its own: a store into a page holding translated code makes
 * the emulator (QEMU's self-modifying-code check) discard and retranslate
 * it, ten times slower, and on RV32 code and data share one memory. */
static uint32_t store_buf[4] __attribute__((aligned(4096)));
static volatile uint32_t bench_sink;

/* RPFW_BENCH_ALU_INSNS per iteration: 8 ALU, decrement, branch. */
static void bench_alu(uint32_t n)
{
	uint32_t a = 1, b = 2, c = 3;

#if defined(__arm__)
	__asm__ volatile("1:\n\t"
			 "add %1, %1, %2\n\t"
			 "eor %2, %2, %1\n\t"
			 "add %3, %3, %1\n\t"
			 "eor %1, %1, %3\n\t"
			 "add %2, %2, %3\n\t"
			 "eor %3, %3, %2\n\t"
			 "add %1, %1, %2\n\t"
			 "eor %2, %2, %1\n\t"
			 "subs %0, %0, #1\n\t"
			 "bne 1b"
			 : "+r"(n), "+r"(a), "+r"(b), "+r"(c)
			 :
			 : "cc");
#else
	__asm__ volatile("1:\n\t"
			 "add %1, %1, %2\n\t"
			 "xor %2, %2, %1\n\t"
			 "add %3, %3, %1\n\t"
			 "xor %1, %1, %3\n\t"
			 "add %2, %2, %3\n\t"
			 "xor %3, %3, %2\n\t"
			 "add %1, %1, %2\n\t"
			 "xor %2, %2, %1\n\t"
			 "addi %0, %0, -1\n\t"
			 "bnez %0, 1b"
			 : "+r"(n), "+r"(a), "+r"(b), "+r"(c));
#endif
	bench_sink = a ^ b ^ c;
}

/* RPFW_BENCH_STORE_INSNS per iteration: 4 stores, increment, decrement,
 * branch. */
static void bench_store(uint32_t n)
{
	uint32_t v = 0;
	uint32_t *p = store_buf;

#if defined(__arm__)
	__asm__ volatile("1:\n\t"
			 "str %1, [%2]\n\t"
			 "str %1, [%2, #4]\n\t"
			 "str %1, [%2, #8]\n\t"
			 "str %1, [%2, #12]\n\t"
			 "add %1, %1, #1\n\t"
			 "subs %0, %0, #1\n\t"
			 "bne 1b"
			 : "+r"(n), "+r"(v)
			 : "r"(p)
			 : "cc", "memory");
#else
	__asm__ volatile("1:\n\t"
			 "sw %1, 0(%2)\n\t"
			 "sw %1, 4(%2)\n\t"
			 "sw %1, 8(%2)\n\t"
			 "sw %1, 12(%2)\n\t"
			 "addi %1, %1, 1\n\t"
			 "addi %0, %0, -1\n\t"
			 "bnez %0, 1b"
			 : "+r"(n), "+r"(v)
			 : "r"(p)
			 : "memory");
#endif
}

static void bench_run(uint32_t word)
{
	uint32_t units = RPFW_ARG(word);
	bool alu = RPFW_CMD(word) == RPFW_CMD_BENCH_ALU;

	if (units && units <= RPFW_BENCH_MAX_UNITS) {
		if (alu)
			bench_alu(units * RPFW_BENCH_UNIT);
		else
			bench_store(units * RPFW_BENCH_UNIT);
		rpfw_printf("bench %s %u done\n", alu ? "alu" : "store",
			    (unsigned int)units);
	} else {
		rpfw_printf("bench: %u units out of range\n",
			    (unsigned int)units);
	}
	rpfw_mbox_send(alu ? RPFW_MSG_BENCH_ALU_DONE
			   : RPFW_MSG_BENCH_STORE_DONE);
}

static bool bench_cmd(uint32_t word)
{
	if (RPFW_CMD(word) != RPFW_CMD_BENCH_ALU &&
	    RPFW_CMD(word) != RPFW_CMD_BENCH_STORE)
		return false;
	sample_defer(word);
	return true;
}

int main(void)
{
	sample_start(sample_trace_buf, SAMPLE_TRACE_LEN, "bench up", "bench",
		     bench_cmd);
	for (;;)
		bench_run(sample_wait());
}
