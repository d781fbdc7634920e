// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device side of a legacy split virtqueue over host memory (rpfw/vring.h).
 * Portable C11: the host builds it too (native remote, tests).  Every field
 * the host writes is read once through a volatile pointer into a local and
 * checked there, so a host changing it meanwhile cannot get past a check.
 */
#include <stdint.h>

#include "rproc/virtio_abi.h"
#include "rpfw/rpmsg_port.h"
#include "rpfw/vring.h"

#define KICKS_OFF 0x80u /* in flags: the host was asked not to kick */

/* The u16 after used->ring[num]: where the host should kick. */
static inline volatile uint16_t *avail_event(struct rpfw_vring *vr)
{
	return (volatile uint16_t *)&vr->used->ring[vr->mask + 1u];
}

void rpfw_vring_kicks(struct rpfw_vring *vr, int on)
{
	if (!on) {
		vr->flags |= KICKS_OFF;
		vr->used->flags = VRING_USED_F_NO_NOTIFY;
		return;
	}
	vr->flags &= (uint8_t)~KICKS_OFF;
	if (vr->flags & RPFW_VRING_F_EVENT_IDX)
		*avail_event(vr) = vr->last_avail;
	else
		vr->used->flags = 0;
	rpfw_port_mb();
}
