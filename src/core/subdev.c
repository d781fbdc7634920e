/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Subdevices (DESIGN §2 topic 5): prepared and started in registration
 * order around the remote's start, stopped and unprepared in reverse, and a
 * failure unwinds exactly the ones already done.
 */
#include <stdio.h>

#include "internal.h"

int rproc_subdev_add(struct rproc *rproc, struct rproc_subdev *sd)
{
	struct rproc_subdev **pp;
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state != RPROC_OFFLINE && rproc->state != RPROC_DETACHED) {
		ret = rproc_err(rproc, -EBUSY,
				"subdevice %s: remote is %s, not offline",
				sd->name ? sd->name : "?",
				rproc_state_name(rproc->state));
		goto out;
	}
	for (pp = &rproc->subdevs; *pp; pp = &(*pp)->next) {
		if (*pp == sd) {
			ret = -EEXIST;
			goto out;
		}
		if (sd->unique && (*pp)->start == sd->start) {
			ret = rproc_err(rproc, -EBUSY,
					"subdevice %s: one per remote, and "
					"one is attached",
					sd->name ? sd->name : "?");
			goto out;
		}
	}
	sd->rproc = rproc;
	sd->next = NULL;
	sd->running = false;
	rproc_os_mutex_lock(rproc->notify_lock);
	*pp = sd;
	rproc_os_mutex_unlock(rproc->notify_lock);
out:
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_subdev_remove(struct rproc *rproc, struct rproc_subdev *sd)
{
	struct rproc_subdev **pp;
	int ret = -ENOENT;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state != RPROC_OFFLINE && rproc->state != RPROC_DETACHED &&
	    rproc->state != RPROC_DELETED) {
		ret = -EBUSY;
		goto out;
	}
	for (pp = &rproc->subdevs; *pp; pp = &(*pp)->next)
		if (*pp == sd) {
			rproc_os_mutex_lock(rproc->notify_lock);
			*pp = sd->next;
			rproc_os_mutex_unlock(rproc->notify_lock);
			sd->next = NULL;
			sd->rproc = NULL;
			ret = 0;
			break;
		}
out:
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

/* Subdevices before @upto, last first. */
static void unprepare_before(struct rproc *rproc, struct rproc_subdev *upto)
{
	struct rproc_subdev *sd, *last;

	for (;;) {
		last = NULL;
		for (sd = rproc->subdevs; sd != upto; sd = sd->next)
			last = sd;
		if (!last)
			return;
		if (last->unprepare)
			last->unprepare(last);
		upto = last;
	}
}

/*
 * Mark @sd running or not under the notify lock: no notify runs past this
 * point.  A started subdevice then gets one notify(RPROC_NOTIFY_ALL): a
 * doorbell the remote rang between the end of its start and now found it
 * not running yet and was dropped.
 */
static void set_running(struct rproc *rproc, struct rproc_subdev *sd,
			bool running)
{
	rproc_os_mutex_lock(rproc->notify_lock);
	sd->running = running;
	if (running && sd->notify)
		sd->notify(sd, RPROC_NOTIFY_ALL);
	rproc_os_mutex_unlock(rproc->notify_lock);
}

static void stop_before(struct rproc *rproc, struct rproc_subdev *upto,
			bool crashed)
{
	struct rproc_subdev *sd, *last;

	for (;;) {
		last = NULL;
		for (sd = rproc->subdevs; sd != upto; sd = sd->next)
			last = sd;
		if (!last)
			return;
		/* stopped already: at the crash, with recovery disabled */
		if (last->running) {
			set_running(rproc, last, false);
			if (last->stop)
				last->stop(last, crashed);
		}
		upto = last;
	}
}

/*
 * @sd's @what failed with @ret.  Its own message (rproc_err() from its
 * callback, kept as the last error; the caller cleared it before the call)
 * is the precise one: keep it behind the subdevice's name, else say
 * @ret.  Logged once more as the remote's error either way.
 */
static int subdev_failed(struct rproc *rproc, struct rproc_subdev *sd,
			 const char *what, int ret)
{
	char why[RPROC_DIAG_LEN];

	if (rproc->last_error[0])
		snprintf(why, sizeof(why), "%s", rproc->last_error);
	else
		snprintf(why, sizeof(why), "%s", rproc_strerror(ret));
	return rproc_err(rproc, ret, "subdevice %s: %s failed: %s",
			 sd->name ? sd->name : "?", what, why);
}

int __rproc_subdevs_prepare(struct rproc *rproc)
{
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next) {
		int ret;

		rproc->last_error[0] = 0;
		ret = sd->prepare ? sd->prepare(sd) : 0;
		if (ret) {
			unprepare_before(rproc, sd);
			return subdev_failed(rproc, sd, "prepare", ret);
		}
	}
	return 0;
}

int __rproc_subdevs_start(struct rproc *rproc)
{
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next) {
		int ret;

		rproc->last_error[0] = 0;
		ret = sd->start ? sd->start(sd) : 0;
		if (!ret) {
			set_running(rproc, sd, true);
		} else {
			stop_before(rproc, sd, false);
			return subdev_failed(rproc, sd, "start", ret);
		}
	}
	return 0;
}

void __rproc_subdevs_stop(struct rproc *rproc, bool crashed)
{
	stop_before(rproc, NULL, crashed);
}

void __rproc_subdevs_unprepare(struct rproc *rproc)
{
	unprepare_before(rproc, NULL);
}

bool __rproc_subdevs_own_vendor(struct rproc *rproc, uint32_t type)
{
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next)
		if (sd->vendor_type == type)
			return true;
	return false;
}

int rproc_notify(struct rproc *rproc, uint32_t notifyid)
{
	int ret = -ENOENT;

	rproc_os_mutex_lock(rproc->notify_lock);
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next)
		if (sd->running && sd->notify) {
			sd->notify(sd, notifyid);
			ret = 0;
		}
	rproc_os_mutex_unlock(rproc->notify_lock);
	return ret;
}

int rproc_kick(struct rproc *rproc, uint32_t notifyid)
{
	if (!rproc->ops->kick)
		return -ENOTSUP;
	rproc->ops->kick(rproc, notifyid);
	return 0;
}
