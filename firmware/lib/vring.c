// SPDX-License-Identifier: BSD-3-Clause
/*
 * Device side of a legacy split virtqueue over host memory (rpfw/vring.h).
 * The code lives in the header, inline, so that the host's native remote
 * runs the message path without calls; where bytes count
 * (RPFW_VRING_OUTLINE: -Os, the firmware) this file holds the one copy of
 * pop and of the checked push.  Portable C11: the host builds it too
 * (native remote, tests).
 */
#include <stdint.h>

#include "rproc/virtio_abi.h"
#include "rpfw/rpmsg_port.h"
#include "rpfw/vring.h"

#if RPFW_VRING_OUTLINE
int rpfw_vring_pop(struct rpfw_vring *vr, struct rpfw_vring_buf *buf)
{
	return __rpfw_vring_pop_inline(vr, buf);
}

int rpfw_vring_push(struct rpfw_vring *vr, uint32_t head, uint32_t len)
{
	return __rpfw_vring_push_checked(vr, head, len);
}
#endif
