/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few architecture-specific operations the firmware library needs, for
 * the two cores of the virtual SoC (Cortex-M4 in Thumb-2, RV32 in machine
 * mode), selected by the compiler's predefined macros.  Everything here is
 * inline.
 *
 * Interrupt masking: Cortex-M PRIMASK (cpsid/cpsie i); RV32 mstatus.MIE.
 */
#ifndef RPFW_ARCH_H
#define RPFW_ARCH_H

#include <stdint.h>

#if defined(__arm__)

#define RPFW_ARCH_NAME "cortex-m4"
/* The mailbox's device address (the board's "mbox-base"). */
#ifndef RPFW_MBOX_BASE
#define RPFW_MBOX_BASE 0x40000000u
#endif

static inline void rpfw_irq_enable(void)
{
	__asm__ volatile("cpsie i" ::: "memory");
}

static inline void rpfw_irq_disable(void)
{
	__asm__ volatile("cpsid i" ::: "memory");
}

/* Mask interrupts; returns the previous state for rpfw_irq_restore(). */
static inline uint32_t rpfw_irq_save(void)
{
	uint32_t primask;

	__asm__ volatile("mrs %0, primask\n\tcpsid i"
			 : "=r"(primask)
			 :
			 : "memory");
	return primask;
}

static inline void rpfw_irq_restore(uint32_t state)
{
	__asm__ volatile("msr primask, %0" : : "r"(state) : "memory");
}

/* Order every earlier memory access before every later one. */
static inline void rpfw_barrier(void)
{
	__asm__ volatile("dmb" ::: "memory");
}

static inline void rpfw_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* Let the mailbox line interrupt the core.  No NVIC on this board: IRQ 0 is
 * always enabled, PRIMASK is the only mask. */
static inline void rpfw_arch_mbox_irq_unmask(void)
{
}

#elif defined(__riscv) && __riscv_xlen == 32

#define RPFW_ARCH_NAME "rv32"
#ifndef RPFW_MBOX_BASE
#define RPFW_MBOX_BASE 0x10000000u
#endif

#define RPFW_MSTATUS_MIE (1u << 3)
#define RPFW_MIE_SEIE (1u << 9) /* the mailbox line: mip.SEIP */

static inline void rpfw_irq_enable(void)
{
	__asm__ volatile("csrs mstatus, %0"
			 :
			 : "r"(RPFW_MSTATUS_MIE)
			 : "memory");
}

static inline void rpfw_irq_disable(void)
{
	__asm__ volatile("csrc mstatus, %0"
			 :
			 : "r"(RPFW_MSTATUS_MIE)
			 : "memory");
}

static inline uint32_t rpfw_irq_save(void)
{
	uint32_t mstatus;

	__asm__ volatile("csrrc %0, mstatus, %1"
			 : "=r"(mstatus)
			 : "r"(RPFW_MSTATUS_MIE)
			 : "memory");
	return mstatus & RPFW_MSTATUS_MIE;
}

static inline void rpfw_irq_restore(uint32_t state)
{
	__asm__ volatile("csrs mstatus, %0" : : "r"(state) : "memory");
}

static inline void rpfw_barrier(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static inline void rpfw_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void rpfw_arch_mbox_irq_unmask(void)
{
	__asm__ volatile("csrs mie, %0" : : "r"(RPFW_MIE_SEIE) : "memory");
}

#else
#error "rpfw: unsupported architecture (Cortex-M4 or RV32 only)"
#endif

#endif /* RPFW_ARCH_H */
