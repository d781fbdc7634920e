/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cortex-M4 test programs for tests/vsoc/test_cpu.c, linked at 0 (the tcm,
 * 256 KiB); data and stacks in the sram at 0x20000000 (not executable); the
 * mailbox at 0x40000000.  Each program has its own vector table (vt_*,
 * passed as vtor to vsoc_cpu_start); the test finds every label here by
 * name in the generated arm_test_syms.h.
 */
	.syntax unified
	.thumb

#define MBOX 0x40000000
#define TX 0x00
#define RX 0x04
#define STATUS 0x08
#define IRQ_EN 0x0C
#define IRQ_STATUS 0x10
#define HEARTBEAT 0x14
#define PANIC_MSG 0x18
#define PANIC 0x1C
#define TIME_US 0x20
#define TIMER 0x24
#define STACK 0x20010000

	.macro vectors name, reset, irq
	.balign 128
\name:
	.word STACK
	.word \reset
	.rept 14
	.word 0
	.endr
	.word \irq
	.endm

	.text
	.word 0 /* address 0: a NULL call lands here (vector table) */

/* ---- echo with interrupts: each word + 1 back to the host; idles in wfi.
 * The thread pushes a word so that exception entry sees sp = 4 mod 8. */
	vectors vt_echo, echo_reset, echo_isr
	.thumb_func
echo_reset:
	ldr r5, =MBOX
	movs r0, #1		/* IRQ_RX */
	str r0, [r5, #IRQ_EN]
	movs r0, #0
	push {r0}
	movs r4, #0
	cpsie i
echo_idle:
	wfi
	adds r4, #1		/* wakeups seen by the thread */
	b echo_idle

	.thumb_func
echo_isr:
	ldr r3, =MBOX
1:	ldr r0, [r3, #RX]
	adds r1, r0, #1
	beq 2f			/* VSOC_MBOX_EMPTY */
	str r1, [r3, #TX]
	b 1b
2:	bx lr

/* ---- echo by polling, interrupts off */
	vectors vt_poll, poll_reset, 0
	.thumb_func
poll_reset:
	ldr r5, =MBOX
1:	ldr r0, [r5, #RX]
	adds r1, r0, #1
	beq 1b
	str r1, [r5, #TX]
	b 1b

/* ---- the timer: fires after r0 = 50 ms; the ISR sends TIME_US */
	vectors vt_timer, timer_reset, timer_isr
	.thumb_func
timer_reset:
	ldr r5, =MBOX
	ldr r0, [r5, #TIME_US]
	ldr r1, =50000
	add r0, r1
	str r0, [r5, #TIMER]
	movs r0, #2		/* IRQ_TIMER */
	str r0, [r5, #IRQ_EN]
	cpsie i
1:	wfi
	b 1b

	.thumb_func
timer_isr:
	ldr r3, =MBOX
	movs r0, #2
	str r0, [r3, #IRQ_STATUS]	/* W1C */
	ldr r0, [r3, #TIME_US]
	str r0, [r3, #TX]
	bx lr

/* ---- watchdog: pets once, then spins without petting */
	vectors vt_wd_spin, wd_spin_reset, 0
	.thumb_func
wd_spin_reset:
	ldr r5, =MBOX
	str r0, [r5, #HEARTBEAT]
	movs r4, #0
wd_spin:
	adds r4, #1
	b wd_spin
wd_spin_end:

/* ---- watchdog: pets every 100 ms from the timer interrupt, idles */
	vectors vt_wd_pet, wd_pet_reset, wd_pet_isr
	.thumb_func
wd_pet_reset:
	ldr r5, =MBOX
	str r0, [r5, #HEARTBEAT]
	ldr r0, [r5, #TIME_US]
	ldr r1, =100000
	add r0, r1
	str r0, [r5, #TIMER]
	movs r0, #2
	str r0, [r5, #IRQ_EN]
	cpsie i
1:	wfi
	b 1b

	.thumb_func
wd_pet_isr:
	ldr r3, =MBOX
	movs r0, #2
	str r0, [r3, #IRQ_STATUS]
	str r0, [r3, #HEARTBEAT]
	ldr r0, [r3, #TIME_US]
	ldr r1, =100000
	add r0, r1
	str r0, [r3, #TIMER]
	bx lr

/* ---- faults.  Each *_insn label is the instruction that faults. */
	vectors vt_bad_read, bad_read, 0
	.thumb_func
bad_read:
	ldr r5, =MBOX
	ldr r6, =0x20000000
	ldr r1, =0x30000000
	str r1, [r6, #4]	/* sram[1] = the bad pointer */
	movs r2, #0x55
	str r2, [r6, #8]	/* a store the pc search must undo */
	mov r1, r6
	b 1f
1:	ldr r0, [r1]		/* ok: sram[0] = 0 */
	str r0, [r6, #16]	/* sram[4] = 0 */
	adds r0, #5		/* a probe of that store would write 5 */
	ldr r1, [r1, #4]	/* r1 = 0x30000000 */
	ldr r3, [r5, #STATUS]	/* a mailbox read in the same block */
	str r2, [r6, #12]
bad_read_insn:
	ldr r0, [r1]		/* same form as the first load: faults */
	b .

	vectors vt_bad_write, bad_write, 0
	.thumb_func
bad_write:
	ldr r1, =0x30000010
	movs r2, #7
	b 1f
1:	adds r2, #1
	nop
bad_write_insn:
	str r2, [r1]
	b .

/* the same store form again after the fault, with the address register
 * reloaded in between (GCC's code for two stores through one register) */
	vectors vt_bad_write2, bad_write2, 0
	.thumb_func
bad_write2:
	ldr r3, =0x30000000
	movw r2, #0xbad
	b 1f
1:	nop
bad_write2_insn:
	str r2, [r3]
	ldr r3, =0x20000004
	movs r2, #2
	str r2, [r3]
	b .

/* the same load twice in a row: the first one faults */
	vectors vt_bad_read2, bad_read2, 0
	.thumb_func
bad_read2:
	ldr r1, =0x30000000
	b 1f
1:	nop
bad_read2_insn:
	ldr r0, [r1]
	ldr r2, [r1]
	b .

	vectors vt_undef, undef, 0
	.thumb_func
undef:
	movs r0, #1
	b 1f
1:	adds r0, #1
undef_insn:
	udf #0x42
	b .

	vectors vt_undef32, undef32, 0
	.thumb_func
undef32:
	movs r0, #1
	b 1f
1:	nop
undef32_insn:
	udf.w #0x1234
	b .

	vectors vt_null_call, null_call, 0
	.thumb_func
null_call:
	movs r0, #0
	b 1f
1:	nop
null_call_insn:
	blx r0
null_call_ret:
	b .

	vectors vt_jump_unmapped, jump_unmapped, 0
	.thumb_func
jump_unmapped:
	ldr r0, =0x30000001
jump_unmapped_insn:
	bx r0

	vectors vt_jump_xn, jump_xn, 0
	.thumb_func
jump_xn:
	ldr r0, =0x20000101	/* sram: no execute permission */
	bx r0

	vectors vt_panic, panic_prog, 0
	.thumb_func
panic_prog:
	ldr r5, =MBOX
	ldr r0, =panic_msg
	str r0, [r5, #PANIC_MSG]
	movs r0, #3
	str r0, [r5, #PANIC]
panic_spin:
	b panic_spin

	vectors vt_svc, svc_prog, 0
	.thumb_func
svc_prog:
	nop
svc_insn:
	svc #1
	b .

/* ---- stop precision: r4 counts iterations; each reads RX once and sends
 * what it read */
	vectors vt_count, count_reset, 0
	.thumb_func
count_reset:
	ldr r5, =MBOX
	movs r4, #0
count_loop:
	ldr r0, [r5, #RX]
	adds r4, #1
	str r0, [r5, #TX]
	b count_loop

/* ---- spin and sleep, for destroy / queue tests */
	vectors vt_spin, spin_reset, 0
	.thumb_func
spin_reset:
	adds r4, #1
	b spin_reset

	vectors vt_sleep, sleep_reset, 0
	.thumb_func
sleep_reset:
	wfi
	b sleep_reset

/* ---- speed: a tight ALU loop and a store loop, stopped by the host */
	vectors vt_alu, alu_reset, 0
	.thumb_func
alu_reset:
	adds r4, #1
	eors r5, r4
	adds r6, r5, r4
	b alu_reset

	vectors vt_store, store_reset, 0
	.thumb_func
store_reset:
	ldr r1, =0x20000000
1:	adds r4, #1
	str r4, [r1]
	str r4, [r1, #4]
	b 1b

	.ltorg

	.section .rodata
panic_msg:
	.asciz "sensor lost\001!"
