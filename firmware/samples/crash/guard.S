/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CFI for RPFW_CRASH_BAD_ADDR, where fault_jump_unmapped() jumps: the
 * address is unmapped, so gdb cannot analyse code there and, on RV32, would
 * stop the backtrace at frame 0.  With this FDE (CFA = sp, return address =
 * lr / ra: the caller's) it unwinds into fault_jump_unmapped().  Like the
 * null guard of the RV32 start code, the section is non-allocated (link.ld
 * places it at the address with type INFO): it is never loaded.
 */
	.cfi_sections .debug_frame
#if defined(__arm__)
	.syntax unified
	.thumb
	.section .rpfw_bad_addr_guard, "ax", %progbits
#else
	.section .rpfw_bad_addr_guard, "ax", @progbits
#endif
	.global crash_bad_addr_guard
crash_bad_addr_guard:
	.cfi_startproc
	.4byte 0
	.cfi_endproc
