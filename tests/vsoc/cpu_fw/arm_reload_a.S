/* SPDX-License-Identifier: BSD-3-Clause */
/* Reload test, program A (Cortex-M4, linked at 0): sends 0xA, idles.
 * Program B (arm_reload_b.S) is the same code sending 0xB. */
	.syntax unified
	.thumb
#ifndef WORD
#define WORD 0xA
#endif
	.text
	.word 0x20010000
	.word reset
	.thumb_func
reset:
	ldr r5, =0x40000000
	movs r0, #WORD
	str r0, [r5]
1:	wfi
	b 1b
	.ltorg
