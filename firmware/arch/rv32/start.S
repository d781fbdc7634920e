/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RV32 start-up (machine mode): the entry point (first in the image: the
 * host starts at e_entry, a raw image at its first byte), the trap entry,
 * and a "null guard": CFI for address 0 so that gdb unwinds from pc 0, where
 * a call through a NULL function pointer lands (with ra = the caller's
 * return address).  The guard is in a non-allocated section placed at 0 by
 * link.ld: it is never loaded and page 0 stays unmapped.
 */
#include "rpfw/panic.h"

#define MCAUSE_MBOX 0x80000009 /* interrupt, supervisor external (SEIP) */

	.cfi_sections .debug_frame

	.section .text.start, "ax", @progbits
	.global _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined ra	/* the outermost frame */
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, _stack_top
	la t0, rpfw_trap_entry
	csrw mtvec, t0		/* direct mode: bits 1:0 zero */
	/* zero .bss: the loader zero-fills memsz, but a raw image or a
	 * restart without reload does not */
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sw zero, 0(t0)
	addi t0, t0, 4
	j 1b
2:	call main
	li a0, RPFW_PANIC_RETURN
	la a1, msg_return
	call rpfw_panic
	.cfi_endproc
	.size _start, . - _start

/* Every trap comes here.  The mailbox interrupt calls rpfw_mbox_isr() with
 * the caller-saved registers saved; anything else panics (on the vsoc the
 * host reports exceptions itself and never runs this). */
	.section .text.rpfw_trap_entry, "ax", @progbits
	.balign 4
	.global rpfw_trap_entry
	.type rpfw_trap_entry, @function
rpfw_trap_entry:
	addi sp, sp, -64
	sw ra, 0(sp)
	sw t0, 4(sp)
	sw t1, 8(sp)
	sw t2, 12(sp)
	sw a0, 16(sp)
	sw a1, 20(sp)
	sw a2, 24(sp)
	sw a3, 28(sp)
	sw a4, 32(sp)
	sw a5, 36(sp)
	sw a6, 40(sp)
	sw a7, 44(sp)
	sw t3, 48(sp)
	sw t4, 52(sp)
	sw t5, 56(sp)
	sw t6, 60(sp)
	csrr a2, mcause
	li t0, MCAUSE_MBOX
	bne a2, t0, 1f
	call rpfw_mbox_isr
	lw ra, 0(sp)
	lw t0, 4(sp)
	lw t1, 8(sp)
	lw t2, 12(sp)
	lw a0, 16(sp)
	lw a1, 20(sp)
	lw a2, 24(sp)
	lw a3, 28(sp)
	lw a4, 32(sp)
	lw a5, 36(sp)
	lw a6, 40(sp)
	lw a7, 44(sp)
	lw t3, 48(sp)
	lw t4, 52(sp)
	lw t5, 56(sp)
	lw t6, 60(sp)
	addi sp, sp, 64
	mret
1:	csrr a3, mepc
	li a0, RPFW_PANIC_EXCEPTION
	la a1, msg_trap
	call rpfw_panic
	.size rpfw_trap_entry, . - rpfw_trap_entry

	.section .rodata.rpfw_start, "a", @progbits
msg_return:
	.asciz "main returned"
msg_trap:
	.asciz "unexpected trap mcause 0x%x mepc 0x%x"

/* At address 0, never loaded (see above and link.ld). */
	.section .rpfw_null_guard, "ax", @progbits
	.global rpfw_null_guard
	.type rpfw_null_guard, @function
rpfw_null_guard:
	.cfi_startproc
	.4byte 0
	.cfi_endproc
	.size rpfw_null_guard, . - rpfw_null_guard
