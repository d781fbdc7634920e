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
 * A crash with recovery disabled stops the subdevices (stop(true)) at once,
 * so their users see the remote gone without waiting for rproc_recover()
 * or a stop; those then do not stop them again.
 *
 * Every callback runs on the thread driving the lifecycle with the remote's
 * lock held: it may sleep, must not call the lifecycle API of the same
 * remote, and may call rproc_report_crash().  All callbacks are optional.
 * A prepare or start that fails may say why with the remote's error
 * message, rproc_subdev_err(): the core keeps that message, behind the
 * subdevice's name, as the remote's last error (rproc_last_error()).
 */
#ifndef RPROC_SUBDEV_H
#define RPROC_SUBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rproc;

/* notify(): not one id but all of them (see struct rproc_subdev). */
#define RPROC_NOTIFY_ALL UINT32_MAX

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
	 * lifecycle API; it may call rproc_kick() and rproc_report_crash().
	 * Right after a successful start the core calls it once with
	 * RPROC_NOTIFY_ALL ("look at every queue"): a doorbell rung while
	 * start was returning found the subdevice not running yet. */
	void (*notify)(struct rproc_subdev *sd, uint32_t notifyid);
	/* 0, or the vendor resource type (128..512) this subdevice owns:
	 * entries of that type are its business (rproc_vendor_entry()),
	 * not handed to the driver's handle_vendor_rsc nor warned about. */
	uint32_t vendor_type;
	/* One of its kind per remote: rproc_subdev_add() refuses it (-EBUSY)
	 * while a subdevice with the same start callback is registered (the
	 * rpmsg bus, the link).  The check and the add are one step under
	 * the remote's lock, so two racing attaches cannot both get in. */
	bool unique;

	/* owned by the core */
	struct rproc *rproc;
	struct rproc_subdev *next;
	bool running; /* started and not stopped (notify_lock) */
};

/* Add/remove while the remote is OFFLINE or DETACHED (else -EBUSY; also
 * -EBUSY for a second unique one of its kind, -EEXIST for @sd itself again).
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

/* Log an error of @sd's remote (its name first) and keep it as the
 * remote's last error.  Returns @err, for "return rproc_subdev_err(...)". */
int rproc_subdev_err(struct rproc_subdev *sd, int err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/*
 * The body of the @nth (0: first) entry of vendor type @type (128..512) in
 * the remote's installed resource table, live like rproc_resource_entry();
 * *@len: the bytes from there to the end of the table.  NULL when there is
 * none, no table is installed, or @type is not a vendor type.  The table is
 * walked (and checked) at each call: call it from prepare, when the remote
 * does not run yet, and keep the pointer until unprepare.
 */
void *rproc_vendor_entry(struct rproc *rproc, uint32_t type, unsigned nth,
			 size_t *len);

/* Ring the remote's doorbell for @notifyid through the driver's kick op.
 * Any thread, without the remote's lock (drivers' kick ops are
 * thread-safe).  -ENOTSUP when the driver has no kick. */
int rproc_kick(struct rproc *rproc, uint32_t notifyid);

#endif /* RPROC_SUBDEV_H */
