/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cortex-M4 start-up: the vector table (at device address 0: the host's
 * reset loads SP from word 0 and PC from word 1) and the reset handler.
 *
 * The vector table is wrapped in CFI (CFA = sp, return address = lr, the
 * defaults) so that gdb unwinds from pc 0, where a call through a NULL
 * function pointer lands with lr = the caller's return address.
 */
#include "rpfw/panic.h"

	.syntax unified
	.thumb
	.cfi_sections .debug_frame

	.section .vectors, "ax", %progbits
	.align 2
	.global rpfw_vectors
	.type rpfw_vectors, %function
rpfw_vectors:
	.cfi_startproc
	.word _stack_top	/* 0: initial SP */
	.word rpfw_reset	/* 1: reset (a Thumb symbol: bit 0 set) */
	.rept 14		/* 2..15: system exceptions */
	.word rpfw_default_isr
	.endr
	.word rpfw_mbox_isr	/* 16: IRQ 0, the mailbox */
	.cfi_endproc
	.size rpfw_vectors, . - rpfw_vectors

	.section .text.rpfw_reset, "ax", %progbits
	.global rpfw_reset
	.type rpfw_reset, %function
	.thumb_func
rpfw_reset:
	.cfi_startproc
	.cfi_undefined lr	/* the outermost frame */
	ldr r0, =_stack_top
	mov sp, r0
	/* zero .bss: the loader zero-fills memsz, but a raw image or a
	 * restart without reload does not */
	ldr r0, =__bss_start
	ldr r1, =__bss_end
	movs r2, #0
1:	cmp r0, r1
	bhs 2f
	str r2, [r0], #4
	b 1b
2:	bl main
	movs r0, #RPFW_PANIC_RETURN
	ldr r1, =msg_return
	bl rpfw_panic
	.cfi_endproc
	.size rpfw_reset, . - rpfw_reset

/* Exceptions this firmware does not expect.  On the vsoc the host reports
 * faults itself and never runs these; real hardware would. */
	.section .text.rpfw_default_isr, "ax", %progbits
	.weak rpfw_default_isr
	.type rpfw_default_isr, %function
	.thumb_func
rpfw_default_isr:
	.cfi_startproc
	mrs r2, ipsr
	movs r0, #RPFW_PANIC_EXCEPTION
	ldr r1, =msg_exception
	bl rpfw_panic
	.cfi_endproc
	.size rpfw_default_isr, . - rpfw_default_isr

	.section .rodata.rpfw_start, "a", %progbits
msg_return:
	.asciz "main returned"
msg_exception:
	.asciz "unexpected exception %u"
