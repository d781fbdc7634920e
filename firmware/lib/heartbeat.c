// SPDX-License-Identifier: BSD-3-Clause
/*
 * Periodic watchdog heartbeat from the mailbox timer (rpfw/heartbeat.h).
 */
#include <stdint.h>

#include "rpfw/heartbeat.h"
#include "rpfw/mbox.h"

static uint32_t period;

static void beat(void)
{
	rpfw_heartbeat_pet();
	rpfw_timer_set(rpfw_time_us() + period, beat);
}

void rpfw_heartbeat_start(uint32_t period_us)
{
	period = period_us;
	beat();
}
