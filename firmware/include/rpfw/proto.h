/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The protocol of the sample firmware (firmware/samples/), shared with the
 * host tests.  Depends on <stdint.h> only.
 *
 * Every message is one 32-bit mailbox word: the top byte is the command,
 * the low 24 bits its argument.  Replies set bit 31 of the command byte.
 * A sample writes a command's trace line before it sends the reply, so a
 * host that got the reply finds the line in the trace.
 *
 * host -> firmware (all samples unless noted):
 *   PING n         reply RPFW_MSG_PONG | n; trace "ping <n>"
 *   TRACE n        trace "trace <n>"; reply RPFW_MSG_TRACED | n
 *   CRASH kind     crash sample only: crash as RPFW_CRASH_* says (no reply)
 *   BENCH_ALU n    bench sample only: run the ALU loop n * 1024 times;
 *                  reply RPFW_MSG_BENCH_ALU_DONE
 *   BENCH_STORE n  bench sample only: the store loop, n * 1024 times;
 *                  reply RPFW_MSG_BENCH_STORE_DONE
 *   anything else  trace "unknown command 0x<word>"; reply
 *                  RPFW_MSG_UNKNOWN | command byte
 * firmware -> host:
 *   RPFW_MSG_READY once, when initialised (trace, heartbeat and interrupts
 *   are up): hosts measure boot latency with it.
 *
 * Boot trace of every sample: a greeting line ("hello from cortex-m4",
 * "hello from rv32", "preboot up", "crash up", "bench up", "notable up",
 * "raw up"), then "rpfw <version> <sample> <arch>".
 */
#ifndef RPFW_PROTO_H
#define RPFW_PROTO_H

#include <stdint.h>

#define RPFW_CMD(word) ((uint32_t)(word) >> 24)
#define RPFW_ARG(word) ((uint32_t)(word)&0x00FFFFFFu)
#define RPFW_WORD(cmd, arg)                                                    \
	(((uint32_t)(cmd) << 24) | ((uint32_t)(arg)&0x00FFFFFFu))

/* host -> firmware: command bytes */
#define RPFW_CMD_PING 0x01u
#define RPFW_CMD_CRASH 0x02u
#define RPFW_CMD_BENCH_ALU 0x03u
#define RPFW_CMD_BENCH_STORE 0x04u
#define RPFW_CMD_TRACE 0x05u

/* firmware -> host: whole words (OR in the argument where noted) */
#define RPFW_MSG_PONG 0x81000000u /* | n */
#define RPFW_MSG_BENCH_ALU_DONE 0x83000000u
#define RPFW_MSG_BENCH_STORE_DONE 0x84000000u
#define RPFW_MSG_TRACED 0x85000000u /* | n */
#define RPFW_MSG_READY 0x8F000000u
#define RPFW_MSG_UNKNOWN 0xFE000000u /* | the command byte */

/*
 * Crash kinds (argument of RPFW_CMD_CRASH).  The interrupt handler only
 * records the command; main() runs it from its idle loop, through
 * non-inlined functions, so a backtrace of the crash reads (innermost
 * first):
 *   <fault function> <- crash_level2 <- crash_level1 <- crash_run <- main
 * with the fault function named below (PANIC has rpfw_panic above
 * fault_panic).  An unknown kind is traced and ignored.
 */
/* fault_bad_read: a load from RPFW_CRASH_BAD_ADDR */
#define RPFW_CRASH_BAD_READ 1
/* fault_bad_write: a store to RPFW_CRASH_BAD_ADDR */
#define RPFW_CRASH_BAD_WRITE 2
/* fault_undef: an undefined instruction (Thumb "udf #0"; RV32 the 32-bit
 * unimp 0xc0001073, "csrrw x0, cycle, x0") */
#define RPFW_CRASH_UNDEF 3
/* fault_null_call: a call through a NULL function pointer */
#define RPFW_CRASH_NULL_CALL 4
/* fault_jump_unmapped: a call to RPFW_CRASH_BAD_ADDR (| 1 on Thumb) */
#define RPFW_CRASH_JUMP_UNMAPPED 5
/* fault_panic: rpfw_panic(RPFW_CRASH_PANIC_CODE, RPFW_CRASH_PANIC_MSG) */
#define RPFW_CRASH_PANIC 6
/* fault_hang: mask interrupts and spin (the heartbeat stops: watchdog) */
#define RPFW_CRASH_HANG 7

/* Unmapped on both cores (and not execute-only MMIO on the Cortex-M4). */
#define RPFW_CRASH_BAD_ADDR 0x0C000000u
#define RPFW_CRASH_PANIC_CODE 0xDEADu
#define RPFW_CRASH_PANIC_MSG "crash requested"

/*
 * Benchmark loops (bench sample), in inline assembly so their instruction
 * counts are exact, the same on both cores.  Per iteration, including the
 * counter decrement and the loop branch:
 *   ALU:   8 register-only ALU instructions + 2 = 10 instructions
 *   STORE: 4 word stores to local RAM (sram / ram) + 3 = 7 instructions
 * An argument n runs n * 1024 iterations; n must be 1..RPFW_BENCH_MAX_UNITS
 * (the counter is 32 bits): for any other n the sample traces an error and
 * replies at once, without running the loop.
 */
#define RPFW_BENCH_ALU_INSNS 10u
#define RPFW_BENCH_STORE_INSNS 7u
#define RPFW_BENCH_STORE_STORES 4u
#define RPFW_BENCH_UNIT 1024u
#define RPFW_BENCH_MAX_UNITS 0x3FFFFFu

#endif /* RPFW_PROTO_H */
