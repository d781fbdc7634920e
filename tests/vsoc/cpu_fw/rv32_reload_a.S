/* SPDX-License-Identifier: BSD-3-Clause */
/* Reload test, program A (RV32, linked at 0x80000000): sends 0xA, idles.
 * Program B (rv32_reload_b.S) is the same code sending 0xB. */
#ifndef WORD
#define WORD 0xA
#endif
	.text
	.global _start
_start:
	li s5, 0x10000000
	li a0, WORD
	sw a0, 0(s5)
1:	wfi
	j 1b
