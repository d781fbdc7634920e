/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Subdevices (DESIGN §2 topic 5): things that live and die with a remote's
 * run — virtio/rpmsg devices, alternative transports, trace readers.
 *
 * Order: prepare (all, in registration order) → driver start → start (all,
 * in order).  Down: stop(crashed) (all, reverse) → driver stop → unprepare
 * (all, reverse).  A failing prepare or start unwinds the ones already done,
 * in reverse.  Recovery calls stop(true) after the remote is halted.
 *
 * Every callback runs on the thread driving the lifecycle with the remote's
 * lock held: it may sleep, must not call the lifecycle API of the same
 * remote, and may call rproc_report_crash().  All callbacks are optional.
 */
#ifndef RPROC_SUBDEV_H
#define RPROC_SUBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rproc;

struct rproc_subdev {
	const char *name; /* for diagnostics */
	int (*prepare)(struct rproc_subdev *sd);
	int (*start)(struct rproc_subdev *sd);
	void (*stop)(struct rproc_subdev *sd, bool crashed);
	void (*unprepare)(struct rproc_subdev *sd);
	/* A doorbell the remote rang (rproc_notify()), for every notify id;
	 * the subdevice ignores ids it does not own.  Called only between a
	 * successful start and the following stop (never concurrently with
	 * either), from the driver's doorbell path on any thread, without
	 * the remote's lock: it must not sleep for long nor call the
	 * lifecycle API; it may call rproc_kick() and rproc_report_crash(). */
	void (*notify)(struct rproc_subdev *sd, uint32_t notifyid);

	/* owned by the core */
	struct rproc *rproc;
	struct rproc_subdev *next;
	bool running; /* started and not stopped (notify_lock) */
};

/* Add/remove while the remote is OFFLINE or DETACHED (else -EBUSY).
 * @sd stays owned by the caller and must outlive its registration. */
int rproc_subdev_add(struct rproc *rproc, struct rproc_subdev *sd);
int rproc_subdev_remove(struct rproc *rproc, struct rproc_subdev *sd);

struct rproc_resource;

/*
 * The live body of @r's entry in the remote's resource table (the bytes
 * after the entry's type word), where the host and the remote exchange
 * state: a vdev's status byte, gfeatures and config space.  NULL when @r
 * has no table entry or no table is installed.  *@len: the bytes from there
 * to the end of the table.  Call it from a subdevice callback (prepare ..
 * unprepare): the pointer stays valid until unprepare (recovery reinstalls
 * the table at the same place).
 */
void *rproc_resource_entry(struct rproc *rproc, const struct rproc_resource *r,
			   size_t *len);

/* Ring the remote's doorbell for @notifyid through the driver's kick op.
 * Any thread, without the remote's lock (drivers' kick ops are
 * thread-safe).  -ENOTSUP when the driver has no kick. */
int rproc_kick(struct rproc *rproc, uint32_t notifyid);

#endif /* RPROC_SUBDEV_H */
