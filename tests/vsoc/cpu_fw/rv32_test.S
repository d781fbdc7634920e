/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RV32 test programs for tests/vsoc/test_cpu.c, linked at 0x80000000 (ram,
 * 256 KiB, executable); data and stacks at 0x80100000 (64 KiB, not
 * executable); the mailbox at 0x10000000; page 0 unmapped.  The test starts
 * each program at its label (found in the generated rv32_test_syms.h).
 * Interrupts: mtvec direct, mie.SEIE, mstatus.MIE; mcause 0x80000009.
 */
#define MBOX 0x10000000
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
#define DATA 0x80100000
#define STACK 0x80110000

	.text
	.global _start
_start:
	j .

/* ---- echo with interrupts: each word + 1 back to the host; idles in wfi */
echo_start:
	li s5, MBOX
	li sp, STACK
	la t0, echo_trap
	csrw mtvec, t0
	li t0, 1		/* IRQ_RX */
	sw t0, IRQ_EN(s5)
	li t0, 0x200		/* mie.SEIE */
	csrs mie, t0
	li s4, 0
	csrsi mstatus, 8	/* MIE */
echo_idle:
	wfi
	addi s4, s4, 1
	j echo_idle

	.balign 4
echo_trap:
	addi sp, sp, -16
	sw t0, 0(sp)
	sw t1, 4(sp)
	sw t2, 8(sp)
	li t2, MBOX
1:	lw t0, RX(t2)
	addi t1, t0, 1
	beqz t1, 2f		/* VSOC_MBOX_EMPTY */
	sw t1, TX(t2)
	j 1b
2:	lw t0, 0(sp)
	lw t1, 4(sp)
	lw t2, 8(sp)
	addi sp, sp, 16
	mret

/* ---- echo by polling, interrupts off */
poll_start:
	li s5, MBOX
1:	lw a0, RX(s5)
	addi a1, a0, 1
	beqz a1, 1b
	sw a1, TX(s5)
	j 1b

/* ---- the timer: fires after 50 ms; the trap sends TIME_US */
timer_start:
	li s5, MBOX
	la t0, timer_trap
	csrw mtvec, t0
	lw a0, TIME_US(s5)
	li a1, 50000
	add a0, a0, a1
	sw a0, TIMER(s5)
	li t0, 2		/* IRQ_TIMER */
	sw t0, IRQ_EN(s5)
	li t0, 0x200
	csrs mie, t0
	csrsi mstatus, 8
1:	wfi
	j 1b

	.balign 4
timer_trap:
	li t0, 2
	sw t0, IRQ_STATUS(s5)	/* W1C */
	lw t0, TIME_US(s5)
	sw t0, TX(s5)
	mret

/* ---- watchdog: pets once, then spins without petting */
wd_spin_start:
	li s5, MBOX
	sw zero, HEARTBEAT(s5)
	li s4, 0
wd_spin:
	addi s4, s4, 1
	j wd_spin
wd_spin_end:

/* ---- watchdog: pets every 100 ms from the timer interrupt, idles */
wd_pet_start:
	li s5, MBOX
	la t0, wd_pet_trap
	csrw mtvec, t0
	sw zero, HEARTBEAT(s5)
	lw a0, TIME_US(s5)
	li a1, 100000
	add a0, a0, a1
	sw a0, TIMER(s5)
	li t0, 2
	sw t0, IRQ_EN(s5)
	li t0, 0x200
	csrs mie, t0
	csrsi mstatus, 8
1:	wfi
	j 1b

	.balign 4
wd_pet_trap:
	li t0, 2
	sw t0, IRQ_STATUS(s5)
	sw t0, HEARTBEAT(s5)
	lw t0, TIME_US(s5)
	li t1, 100000
	add t0, t0, t1
	sw t0, TIMER(s5)
	mret

/* ---- faults.  Each *_insn label is the instruction that faults. */
bad_read:
	li s5, MBOX
	li s0, DATA
	li a1, 0x30000000
	sw a1, 4(s0)		/* data[1] = the bad pointer */
	li a2, 0x55
	sw a2, 8(s0)		/* a store the pc search must undo */
	mv a1, s0
	j 1f
1:	lw a0, 0(a1)		/* ok: data[0] = 0 */
	sw a0, 16(s0)		/* data[4] = 0 */
	addi a0, a0, 5		/* a probe of that store would write 5 */
	lw a1, 4(a1)		/* a1 = 0x30000000 */
	lw a3, STATUS(s5)	/* a mailbox read in the same block */
	sw a2, 12(s0)
bad_read_insn:
	lw a0, 0(a1)		/* same form as the first load: faults */
	j .

bad_write:
	li a1, 0x30000010
	li a2, 7
	j 1f
1:	addi a2, a2, 1
	nop
bad_write_insn:
	sw a2, 0(a1)
	j .

/* the same store form again after the fault, with the address register
 * reloaded in between */
bad_write2:
	li a5, 0x30000000
	li a4, 0xbad
	j 1f
1:	nop
bad_write2_insn:
	sw a4, 0(a5)
	li a5, 0x80100004
	li a4, 2
	sw a4, 0(a5)
	j .

/* the same load twice in a row: the first one faults */
bad_read2:
	li a1, 0x30000000
	j 1f
1:	nop
bad_read2_insn:
	lw a0, 0(a1)
	lw a2, 0(a1)
	j .

undef32:
	li a0, 1
	j 1f
1:	addi a0, a0, 1
undef32_insn:
	.4byte 0xc0001073	/* csrrw zero, cycle, zero: illegal */
	j .

	.balign 4
undef16:
	li a0, 1
	j 1f
1:	c.nop			/* puts the next one at 4n + 2 */
undef16_insn:
	.2byte 0		/* c.unimp */
	j .

null_call:
	li a0, 0
	j 1f
1:	nop
null_call_insn:
	jalr a0
null_call_ret:
	j .

jump_unmapped:
	li a0, 0x30000000
jump_unmapped_insn:
	jr a0

jump_xn:
	li a0, 0x80100100	/* data: no execute permission */
	jr a0

panic_prog:
	li s5, MBOX
	la a0, panic_msg
	sw a0, PANIC_MSG(s5)
	li a0, 3
	sw a0, PANIC(s5)
panic_spin:
	j panic_spin

ecall_prog:
	nop
ecall_insn:
	ecall
	j .

ebreak_prog:
	nop
ebreak_insn:
	ebreak
	j .

/* ---- stop precision: s4 counts iterations; each reads RX once and sends
 * what it read */
count_start:
	li s5, MBOX
	li s4, 0
count_loop:
	lw a0, RX(s5)
	addi s4, s4, 1
	sw a0, TX(s5)
	j count_loop

/* ---- spin and sleep, for destroy / queue tests */
spin_start:
	addi s4, s4, 1
	j spin_start

sleep_start:
	wfi
	j sleep_start

/* ---- speed: a tight ALU loop and a store loop, stopped by the host */
alu_start:
	addi s4, s4, 1
	xor s5, s5, s4
	add s6, s5, s4
	j alu_start

store_start:
	li a1, DATA
1:	addi s4, s4, 1
	sw s4, 0(a1)
	sw s4, 4(a1)
	j 1b

	.section .rodata
panic_msg:
	.asciz "sensor lost\001!"
