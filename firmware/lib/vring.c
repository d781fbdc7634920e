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

int rpfw_vring_init(struct rpfw_vring *vr, void *mem, uint32_t num,
		    uint32_t align, const struct rpfw_vring_region *region,
		    uint32_t flags)
{
	uint8_t *p = mem;

	if (!p || num - 1 >= VRING_MAX_NUM || (num & (num - 1)) ||
	    (align & (align - 1)) || !align)
		return RPFW_EINVAL;
	vr->desc = (void *)p;
	vr->avail = (void *)(p + vring_avail_offset(num));
	vr->used = (void *)(p + vring_used_offset(num, align));
	vr->region = region;
	vr->mask = (uint16_t)(num - 1);
	vr->last_avail = vr->avail_idx = vr->used_idx = vr->signalled = 0;
	vr->flags = (uint8_t)(flags & RPFW_VRING_F_EVENT_IDX);
	vr->err = 0;
	vr->used->flags = 0;
	return 0;
}

int rpfw_vring_fail(struct rpfw_vring *vr, int err)
{
	vr->err = (int8_t)err;
	return err;
}

/* pop found the ring empty.  With event idx and kicks wanted, ask for a
 * kick at the next buffer and return 1: pop reads the avail idx once more
 * (the host may have added a buffer before it saw the request).  Else 0. */
int __rpfw_vring_arm(struct rpfw_vring *vr)
{
	if (vr->flags != RPFW_VRING_F_EVENT_IDX)
		return 0;
	*avail_event(vr) = vr->last_avail;
	rpfw_port_mb();
	return 1;
}

/* A buffer whose head descriptor @d has @flags NEXT or INDIRECT: indirect
 * is refused (never negotiated); a chain is walked, every next index
 * < num, every segment inside the region, at most num descriptors in all
 * (more is a loop).  Each field read once.  Returns 0 or the error the
 * vring is now in. */
int __rpfw_vring_chain(struct rpfw_vring *vr, volatile struct vring_desc *d,
		       uint32_t flags)
{
	const struct rpfw_vring_region *r = vr->region;
	uint32_t hops, i;
	int ret = RPFW_EBADMSG;

	for (hops = 1; !(flags & VRING_DESC_F_INDIRECT); hops++) {
		uint64_t off;
		uint32_t len;

		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = d->next;
		ret = RPFW_ELOOP;
		if (hops > vr->mask)
			break;
		ret = RPFW_ERANGE;
		if (i > vr->mask)
			break;
		d = &vr->desc[i];
		off = d->addr - r->pa;
		len = d->len;
		flags = d->flags;
		ret = RPFW_EFAULT;
		if (off >= r->len || len > r->len - (uint32_t)off)
			break;
		ret = RPFW_EBADMSG;
	}
	return rpfw_vring_fail(vr, ret);
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
