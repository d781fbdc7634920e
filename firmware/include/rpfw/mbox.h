/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC's mailbox, seen from the firmware: 32-bit words to and
 * from the host, the mailbox interrupt, the microsecond clock and the
 * one-shot timer.  Register ABI: rproc/vsoc_regs.h.
 *
 * Interrupt model: one level-triggered line, asserted while
 * IRQ_STATUS & IRQ_EN != 0.  rpfw_mbox_isr() is the handler (the Cortex-M4
 * vector table and the RV32 trap entry call it): until neither is pending,
 * it acknowledges an expired timer and calls the timer callback, then pops
 * one received word and calls the receive callback with it; words come in
 * order, and the timer is looked at again before each one, so a host that
 * keeps the inbox full cannot hold the timer (and the watchdog heartbeat)
 * off.  Both callbacks run in interrupt context with interrupts masked.
 */
#ifndef RPFW_MBOX_H
#define RPFW_MBOX_H

#include <stdint.h>

#include "rproc/vsoc_regs.h"
#include "rpfw/arch.h"

static inline uint32_t rpfw_mbox_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(RPFW_MBOX_BASE + reg);
}

static inline void rpfw_mbox_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)(RPFW_MBOX_BASE + reg) = val;
}

/* Send a word to the host.  A doorbell: every store made before it (trace
 * text, shared memory) is visible to the host when it sees the word. */
static inline void rpfw_mbox_send(uint32_t word)
{
	rpfw_barrier();
	rpfw_mbox_write(VSOC_MBOX_TX, word);
}

/* Pop the oldest word from the host, VSOC_MBOX_EMPTY if none (polling; the
 * host never sends VSOC_MBOX_EMPTY as a word).  Do not mix with a receive
 * callback. */
static inline uint32_t rpfw_mbox_recv(void)
{
	return rpfw_mbox_read(VSOC_MBOX_RX);
}

/* Microseconds since the core started (wraps at 2^32). */
static inline uint32_t rpfw_time_us(void)
{
	return rpfw_mbox_read(VSOC_MBOX_TIME_US);
}

/* Idle until an interrupt is pending (the host sleeps meanwhile).  Idle
 * loops must use it instead of spinning.  wfi wakes on a pending interrupt
 * even while interrupts are masked (Cortex-M PRIMASK, RISC-V mstatus.MIE;
 * the vsoc emulates that), so a loop that checks for work does it race-free:
 * rpfw_irq_disable(), check, wfi if there is none, rpfw_irq_enable() (the
 * handler runs there). */
static inline void rpfw_wait_for_interrupt(void)
{
	rpfw_wfi();
}

typedef void (*rpfw_mbox_rx_fn)(uint32_t word);
typedef void (*rpfw_timer_fn)(void);

/* Install @fn as the receive callback (NULL: none) and enable or disable the
 * RX interrupt accordingly.  Also unmasks the mailbox line at the core; the
 * caller enables interrupts (rpfw_irq_enable()). */
void rpfw_mbox_set_rx_handler(rpfw_mbox_rx_fn fn);

/* Arm the one-shot timer: @fn is called from the mailbox interrupt once
 * rpfw_time_us() reaches @at_us (modulo 2^32).  Setting it again replaces
 * the previous deadline and callback (the callback may re-arm); @fn NULL
 * disarms it. */
void rpfw_timer_set(uint32_t at_us, rpfw_timer_fn fn);

/* The mailbox interrupt handler.  Cortex-M4: vector 16 (IRQ 0).  RV32: called
 * by the trap entry for mcause 0x80000009. */
void rpfw_mbox_isr(void);

#endif /* RPFW_MBOX_H */
