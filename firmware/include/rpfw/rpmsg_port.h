/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few platform hooks of the vring and rpmsg code (rpfw/vring.h,
 * rpfw/rpmsg.h), so the same two files run on the remote cores and on the
 * host, as a "native remote" thread over shared memory.  Everything is a
 * macro or an inline function: no indirect call on the hot path.
 *
 * A build overrides any hook by defining it before this header is read,
 * most simply with -DRPFW_PORT_HEADER='"my_port.h"' (included first).
 *
 *   rpfw_port_mb()                 full barrier (store -> load included)
 *   rpfw_port_rmb()                later loads after earlier loads
 *   rpfw_port_wmb()                later stores after earlier stores
 *   rpfw_port_irq_save()           mask interrupts, return the old state;
 *   rpfw_port_irq_restore(state)   must nest (send from a receive callback)
 *   rpfw_port_notify(port, id)     tell the host about vring @id (a kick)
 *   rpfw_port_da_to_va(port, da)   a device address from the resource
 *                                  table as a pointer
 *   rpfw_port_idle()               sleep until something may have changed
 *
 * @port is the opaque pointer given to rpfw_rpmsg_init().
 *
 * Defaults: on the vsoc cores (Cortex-M4, RV32) C11 fences, PRIMASK /
 * mstatus.MIE, the notify id written to the mailbox (rpfw_mbox_send), da
 * == address, wfi.  Anywhere else (the host) C11 fences, no interrupt
 * masking, and rpfw_port_notify(), rpfw_port_da_to_va() and
 * rpfw_port_idle() are external functions the host program defines.
 */
#ifndef RPFW_RPMSG_PORT_H
#define RPFW_RPMSG_PORT_H

#include <stdatomic.h>
#include <stdint.h>

#ifdef RPFW_PORT_HEADER
#include RPFW_PORT_HEADER
#endif

#ifndef rpfw_port_mb
#define rpfw_port_mb() atomic_thread_fence(memory_order_seq_cst)
#endif
#ifndef rpfw_port_rmb
#define rpfw_port_rmb() atomic_thread_fence(memory_order_acquire)
#endif
#ifndef rpfw_port_wmb
#define rpfw_port_wmb() atomic_thread_fence(memory_order_release)
#endif

#if defined(__arm__) || (defined(__riscv) && __riscv_xlen == 32)

#include "rpfw/arch.h"
#include "rpfw/mbox.h"

#ifndef rpfw_port_irq_save
#define rpfw_port_irq_save() rpfw_irq_save()
#define rpfw_port_irq_restore(state) rpfw_irq_restore(state)
#endif
#ifndef rpfw_port_notify
#define rpfw_port_notify(port, id) ((void)(port), rpfw_mbox_send(id))
#endif
#ifndef rpfw_port_da_to_va
#define rpfw_port_da_to_va(port, da) ((void)(port), (void *)(uintptr_t)(da))
#endif
#ifndef rpfw_port_idle
#define rpfw_port_idle() rpfw_wfi()
#endif
#ifndef rpfw_port_prefetch
#define rpfw_port_prefetch(p) ((void)(p))
#endif

#else /* the host */

/* A hint that the line at @p is read soon: a prediction, maybe wrong (a
 * prefetch never faults).  Used only where code size does not count. */
#ifndef rpfw_port_prefetch
#define rpfw_port_prefetch(p) __builtin_prefetch((const void *)(p))
#endif

#ifndef rpfw_port_irq_save
#define rpfw_port_irq_save() 0u
#define rpfw_port_irq_restore(state) ((void)(state))
#endif
#ifndef rpfw_port_notify
void rpfw_port_notify(void *port, uint32_t notifyid);
#endif
#ifndef rpfw_port_da_to_va
void *rpfw_port_da_to_va(void *port, uint32_t da);
#endif
#ifndef rpfw_port_idle
void rpfw_port_idle(void);
#endif

#endif

#endif /* RPFW_RPMSG_PORT_H */
