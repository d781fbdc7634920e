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

struct rproc;

struct rproc_subdev {
	const char *name; /* for diagnostics */
	int (*prepare)(struct rproc_subdev *sd);
	int (*start)(struct rproc_subdev *sd);
	void (*stop)(struct rproc_subdev *sd, bool crashed);
	void (*unprepare)(struct rproc_subdev *sd);

	/* owned by the core */
	struct rproc *rproc;
	struct rproc_subdev *next;
};

/* Add/remove while the remote is OFFLINE or DETACHED (else -EBUSY).
 * @sd stays owned by the caller and must outlive its registration. */
int rproc_subdev_add(struct rproc *rproc, struct rproc_subdev *sd);
int rproc_subdev_remove(struct rproc *rproc, struct rproc_subdev *sd);

#endif /* RPROC_SUBDEV_H */
