/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Subdevices (DESIGN §2 topic 5): prepared and started in registration
 * order around the remote's start, stopped and unprepared in reverse, and a
 * failure unwinds exactly the ones already done.
 */
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
	for (pp = &rproc->subdevs; *pp; pp = &(*pp)->next)
		if (*pp == sd) {
			ret = -EEXIST;
			goto out;
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

static void set_running(struct rproc *rproc, struct rproc_subdev *sd,
			bool running)
{
	rproc_os_mutex_lock(rproc->notify_lock);
	sd->running = running; /* no notify runs past this point */
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
		set_running(rproc, last, false);
		if (last->stop)
			last->stop(last, crashed);
		upto = last;
	}
}

int __rproc_subdevs_prepare(struct rproc *rproc)
{
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next) {
		int ret = sd->prepare ? sd->prepare(sd) : 0;

		if (ret) {
			unprepare_before(rproc, sd);
			return rproc_err(
				rproc, ret, "subdevice %s: prepare failed: %s",
				sd->name ? sd->name : "?", rproc_strerror(ret));
		}
	}
	return 0;
}

int __rproc_subdevs_start(struct rproc *rproc)
{
	for (struct rproc_subdev *sd = rproc->subdevs; sd; sd = sd->next) {
		int ret = sd->start ? sd->start(sd) : 0;

		if (!ret) {
			set_running(rproc, sd, true);
		} else {
			stop_before(rproc, sd, false);
			return rproc_err(
				rproc, ret, "subdevice %s: start failed: %s",
				sd->name ? sd->name : "?", rproc_strerror(ret));
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
