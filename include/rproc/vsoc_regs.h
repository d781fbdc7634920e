/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC's mailbox peripheral: the register ABI shared by the vsoc
 * driver (host) and the firmware library.  Depends on <stdint.h> only.
 *
 * One mailbox per remote core, at the address the board gives in the reg of
 * the core's "rproc,vsoc-mailbox" child (a device address, in the core's own
 * view).  All registers are 32 bits wide and must be accessed with 32-bit
 * loads and stores.  One interrupt line per core: Cortex-M IRQ 0 (vector
 * 16), RV32 the supervisor external interrupt (mip.SEIP, mcause
 * 0x80000009).  The line is
 * level-triggered: it is asserted while IRQ_STATUS & IRQ_EN is non-zero.
 */
#ifndef RPROC_VSOC_REGS_H
#define RPROC_VSOC_REGS_H

#include <stdint.h>

#define VSOC_MBOX_SIZE 0x1000u /* bytes of MMIO space */

/* W: send a word to the host (a doorbell: a notify id, or a message the
 *    host side agreed on).  Every store made before it is visible to the
 *    host when the host sees the word. */
#define VSOC_MBOX_TX 0x00u
/* R: pop the oldest word the host sent; VSOC_MBOX_EMPTY when none. */
#define VSOC_MBOX_RX 0x04u
/* R: VSOC_MBOX_ST_* bits. */
#define VSOC_MBOX_STATUS 0x08u
/* RW: VSOC_MBOX_IRQ_* bits: which causes raise the interrupt line. */
#define VSOC_MBOX_IRQ_EN 0x0Cu
/* R: pending causes (VSOC_MBOX_IRQ_*), whether enabled or not.
 * W: write 1 to clear VSOC_MBOX_IRQ_TIMER (RX clears itself when the inbox
 *    is empty). */
#define VSOC_MBOX_IRQ_STATUS 0x10u
/* W: pet the watchdog.  The first write arms it (the board's watchdog
 *    timeout); from then on a gap longer than the timeout is a crash. */
#define VSOC_MBOX_HEARTBEAT 0x14u
/* W: device address of a NUL-terminated panic message (write it first). */
#define VSOC_MBOX_PANIC_MSG 0x18u
/* W: report a panic with this code.  The core is halted precisely at the
 *    start of the next basic block: the firmware must not return from its
 *    panic routine (spin: `for (;;) ;`). */
#define VSOC_MBOX_PANIC 0x1Cu
/* R: microseconds since the core was started (wraps at 2^32). */
#define VSOC_MBOX_TIME_US 0x20u
/* W: raise VSOC_MBOX_IRQ_TIMER once TIME_US reaches this value (compared
 *    modulo 2^32: fires when (int32_t)(TIME_US - value) >= 0); writing
 *    re-arms, writing VSOC_MBOX_TIMER_OFF disarms. */
#define VSOC_MBOX_TIMER 0x24u
/* R: VSOC_MBOX_MAGIC. */
#define VSOC_MBOX_ID 0x28u
/* RW: device address of the resource table.  Firmware that wants to be
 *    attached to writes where its table is; reads return the last value
 *    written, or at start the address of the board's "rsc-table" region
 *    (0 if the core has none), where the host installs tables it builds. */
#define VSOC_MBOX_RSC_TABLE 0x2Cu

#define VSOC_MBOX_EMPTY 0xFFFFFFFFu
#define VSOC_MBOX_MAGIC 0x56534F43u /* "VSOC" */
#define VSOC_MBOX_TIMER_OFF 0u

#define VSOC_MBOX_ST_RX_PENDING (1u << 0)

#define VSOC_MBOX_IRQ_RX (1u << 0)
#define VSOC_MBOX_IRQ_TIMER (1u << 1)

/* Depth of the host-to-firmware queue of words.  A host send into a full
 * queue fails (-EAGAIN); nothing is dropped silently.  Firmware-to-host words
 * are not queued: each TX store is delivered to the host before the store
 * completes. */
#define VSOC_MBOX_DEPTH 64u

#endif /* RPROC_VSOC_REGS_H */
