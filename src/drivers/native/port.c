/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware library's platform hooks on the host (rpfw/rpmsg_port.h)
 * for code running on a native remote: the port pointer given to
 * rpfw_rpmsg_init() is the struct rproc_native (rproc_native_rpmsg_init()
 * passes it).  Alone in their file, so a program with hooks of its own
 * links those instead: the linker takes this object only for symbols
 * still missing.
 */
#include <sched.h>

#include "rpfw/rpmsg_port.h"

#include "native_internal.h"

#define IDLE_NS 1000000

void rpfw_port_notify(void *port, uint32_t notifyid)
{
	rproc_native_ring_host(port, notifyid);
}

void *rpfw_port_da_to_va(void *port, uint32_t da)
{
	return rproc_native_va(port, da, 1);
}

/* "Sleep until something may have changed": a wake-up, at most 1 ms
 * (the host writes DRIVER_OK without a doorbell).  Kicks stay pending
 * for the firmware.  Off a native remote's thread, or polled: yield. */
void rpfw_port_idle(void)
{
	struct rproc_native *nr = rproc_native_current();

	if (nr && nr->to_remote.fd >= 0 && !rproc_native_stopping(nr))
		__native_bell_sleep(&nr->to_remote, IDLE_NS);
	else
		sched_yield();
}
