/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's watchdog: the first write to VSOC_MBOX_HEARTBEAT arms it; from
 * then on a gap longer than the board's timeout (1000 ms on the vsoc board)
 * is reported as a crash.  rpfw_heartbeat_start() pets from the timer
 * interrupt, so an idle firmware (in wfi) and a busy one (interrupts
 * enabled) both keep it alive; a firmware that hangs with interrupts masked
 * does not.
 */
#ifndef RPFW_HEARTBEAT_H
#define RPFW_HEARTBEAT_H

#include <stdint.h>

#include "rproc/vsoc_regs.h"
#include "rpfw/mbox.h"

/* Recommended period: a tenth of the board's watchdog timeout. */
#define RPFW_HEARTBEAT_PERIOD_US 100000u

/* Pet the watchdog once (arming it if it was not). */
static inline void rpfw_heartbeat_pet(void)
{
	rpfw_mbox_write(VSOC_MBOX_HEARTBEAT, 1);
}

/* Pet now and then every @period_us from the timer interrupt (this owns the
 * timer).  Needs interrupts enabled to keep going. */
void rpfw_heartbeat_start(uint32_t period_us);

#endif /* RPFW_HEARTBEAT_H */
