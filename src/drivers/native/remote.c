/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware's side of the native remote (rproc/native.h): what the
 * entry function calls instead of a mailbox, wfi and its linker script.
 * None of it reads memory the host writes, except through the firmware
 * library it sets up: the places of the table's entries were found by the
 * driver at start, before the remote ran.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpfw/rpmsg.h"

#include "native_internal.h"

#define READY_POLL_NS 1000000 /* DRIVER_OK comes without a doorbell */

bool rproc_native_stopping(const struct rproc_native *nr)
{
	return atomic_load_explicit(&nr->stopping, memory_order_acquire);
}

int rproc_native_wait(struct rproc_native *nr, int64_t timeout_ns)
{
	if (rproc_native_stopping(nr))
		return -ESHUTDOWN;
	if (__native_bell_pending(&nr->to_remote))
		return 1;
	__native_bell_sleep(&nr->to_remote, timeout_ns);
	if (rproc_native_stopping(nr))
		return -ESHUTDOWN;
	return __native_bell_pending(&nr->to_remote);
}

uint64_t rproc_native_doorbells(struct rproc_native *nr)
{
	return __native_bell_take(&nr->to_remote);
}

void rproc_native_ring_host(struct rproc_native *nr, uint32_t notifyid)
{
	__native_bell_ring(&nr->to_host, notifyid);
}

void *rproc_native_rsc(const struct rproc_native *nr, uint32_t type,
		       const char *name, size_t *len)
{
	for (unsigned i = 0; i < nr->nrsc; i++) {
		const struct native_rsc *r = &nr->rsc[i];

		if (r->type == type &&
		    !strncmp(r->name, name, sizeof(r->name))) {
			if (len)
				*len = r->len;
			return r->body;
		}
	}
	return NULL;
}

void rproc_native_crash(struct rproc_native *nr, enum rproc_crash_type type)
{
	if (atomic_exchange(&nr->crashed, true))
		return;
	atomic_fetch_add(&nr->crashes, 1);
	rproc_report_crash(nr->rproc, type);
}

int rproc_native_rpmsg_init(struct rproc_native *nr, struct rpfw_rpmsg *rp,
			    unsigned index)
{
	char name[32];
	void *vdev, *shm;

	snprintf(name, sizeof(name), "vdev%u", index);
	vdev = rproc_native_rsc(nr, RSC_VDEV, name, NULL);
	snprintf(name, sizeof(name), "vdev%ubuffer", index);
	shm = rproc_native_rsc(nr, RSC_CARVEOUT, name, NULL);
	if (!vdev || !shm)
		return -ENOENT;
	return rpfw_rpmsg_init(rp, vdev, shm, nr) ? -EINVAL : 0;
}

int rproc_native_rpmsg_wait_ready(struct rproc_native *nr,
				  struct rpfw_rpmsg *rp)
{
	int ret;

	while (!(ret = rpfw_rpmsg_ready(rp))) {
		if (rproc_native_stopping(nr))
			return -ESHUTDOWN;
		/* sleeps on wake-ups only: kicks stay pending for later */
		__native_bell_sleep(&nr->to_remote, READY_POLL_NS);
	}
	return ret;
}
