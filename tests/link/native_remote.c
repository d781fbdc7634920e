/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware of the link tests (harness.h): the entry function the
 * native remote runs on its remote thread, the firmware library's link
 * with the test application, as firmware runs it on a remote core.
 * Everything the remote side does is in this file and in
 * firmware/lib/link.c (tsan.supp names them: their races with the host are
 * the shared-memory ring protocol, ordered by fences TSan does not model).
 * The port hooks are the native remote's (src/drivers/native/port.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "rpfw/link.h"

_Static_assert(RPFW_LINK_MAX_EPT == LH_MAX_EPT, "built with LH_MAX_EPT");

#define PAUSE_NS 1000000 /* paused: look for a stop this often */

struct lh_remote {
	struct harness *h;
	struct rproc_native *native;
	struct rpfw_link link;
	struct rpfw_link_ept *echo[LH_MAX_EPT], *cmd;
	char names[LH_MAX_EPT][16];
	bool inited;
	bool restart; /* LH_CMD_RESTART: init again after the poll */
};

/* ---- the application ---------------------------------------------------- */

static struct lh_remote *remote_of(struct rpfw_link *link)
{
	return (struct lh_remote *)(void *)((char *)link -
					    offsetof(struct lh_remote, link));
}

static void remote_error(struct harness *h, int err)
{
	pthread_mutex_lock(&h->ev_lock);
	h->fw_errors++;
	h->fw_err = err;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void fw_event(struct rpfw_link *link, int ev, struct rpfw_link_ept *ept)
{
	struct harness *h = remote_of(link)->h;

	(void)ept;
	pthread_mutex_lock(&h->ev_lock);
	switch (ev) {
	case RPFW_LINK_EV_UP:
		h->fw_up++;
		break;
	case RPFW_LINK_EV_RESET:
		h->fw_reset++;
		break;
	case RPFW_LINK_EV_BOUND:
		h->fw_bound++;
		break;
	case RPFW_LINK_EV_UNBOUND:
		h->fw_unbound++;
		break;
	}
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static int echo_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		   void *priv)
{
	struct lh_remote *r = priv;
	int ret = rpfw_link_send(ept, data, len);

	if (ret == RPFW_EAGAIN)
		return RPFW_EAGAIN; /* again once the host freed room */
	if (ret)
		remote_error(r->h, ret);
	pthread_mutex_lock(&r->h->ev_lock);
	r->h->fw_echoed++;
	pthread_mutex_unlock(&r->h->ev_lock);
	return 0;
}

static int cmd_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		  void *priv)
{
	struct lh_remote *r = priv;
	uint32_t w[2] = {0, 0}, i;
	uint8_t *buf;
	int ret;

	memcpy(w, data, len < sizeof(w) ? len : sizeof(w));
	switch (w[0]) {
	case LH_CMD_BIG:
		/* zero copy: the pattern straight into the ring */
		ret = rpfw_link_reserve(ept, w[1], (void **)&buf);
		if (ret == RPFW_EAGAIN)
			return RPFW_EAGAIN;
		if (!ret) {
			for (i = 0; i < w[1]; i++)
				buf[i] = lh_pattern(w[1], i);
			ret = rpfw_link_commit(ept, w[1]);
		}
		if (ret)
			remote_error(r->h, ret);
		break;
	case LH_CMD_RESTART:
		r->restart = true;
		break;
	case LH_CMD_DESTROY:
		if (r->echo[0])
			rpfw_link_destroy_ept(r->echo[0]);
		r->echo[0] = NULL;
		break;
	case LH_CMD_CREATE:
		if (!r->echo[0])
			r->echo[0] = rpfw_link_create_ept(&r->link, r->names[0],
							  echo_cb, r);
		break;
	default:
		remote_error(r->h, -1);
	}
	return 0;
}

/* What a firmware does at boot: the link from its table, its endpoints. */
static int remote_init(struct lh_remote *r)
{
	struct harness *h = r->h;
	void *v, *c;
	int ret;

	lh_find_table(h, &v, &c);
	if (!v || !c)
		return -1;
	ret = rpfw_link_init(&r->link, v, c, r->native);
	if (ret)
		return ret;
	r->link.event = fw_event;
	for (unsigned i = 0; i < h->cfg.nept && i < LH_MAX_EPT - 1; i++) {
		snprintf(r->names[i], sizeof(r->names[i]), "echo%u", i);
		r->echo[i] =
			rpfw_link_create_ept(&r->link, r->names[i], echo_cb, r);
		if (!r->echo[i])
			return -1;
	}
	r->cmd = rpfw_link_create_ept(&r->link, "cmd", cmd_cb, r);
	if (!r->cmd)
		return -1;
	r->inited = true;
	pthread_mutex_lock(&h->ev_lock);
	h->fw_restarts++;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
	return 0;
}

/* Paused (lh_pause()): doorbells stay pending until it goes on.  False
 * when asked to stop meanwhile.  Else marks the remote busy. */
static bool remote_enter(struct lh_remote *r)
{
	struct harness *h = r->h;
	struct timespec ts;

	pthread_mutex_lock(&h->lock);
	while (h->paused) {
		if (rproc_native_stopping(r->native)) {
			pthread_mutex_unlock(&h->lock);
			return false;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += PAUSE_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	}
	h->remote_busy = true;
	pthread_mutex_unlock(&h->lock);
	return true;
}

static void remote_leave(struct lh_remote *r)
{
	struct harness *h = r->h;

	pthread_mutex_lock(&h->lock);
	h->remote_busy = false;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static void run(struct lh_remote *r)
{
	struct harness *h = r->h;
	uint64_t bits;
	int ret;

	/* doorbells only, no timeout: a lost one shows as a hang */
	while (rproc_native_wait(r->native, -1) != -ESHUTDOWN) {
		if (!remote_enter(r))
			break;
		bits = rproc_native_doorbells(r->native);
		for (uint32_t id = 0; id < 64; id++) {
			if (!((bits >> id) & 1))
				continue;
			/* ids past the bitmap: look at everything */
			ret = id == RPROC_NATIVE_BELL_ALL
				      ? rpfw_link_poll(&r->link)
				      : rpfw_link_notified(&r->link, id);
			if (ret < 0 && ret != RPFW_ENOENT)
				remote_error(h, ret);
		}
		/* a poll stops after a ring's worth: the rest now */
		while (rpfw_link_pending(&r->link))
			if ((ret = rpfw_link_poll(&r->link)) < 0)
				remote_error(h, ret);
		if (r->restart) {
			r->restart = false;
			memset(r->echo, 0, sizeof(r->echo));
			ret = remote_init(r);
			if (ret)
				remote_error(h, ret);
		}
		remote_leave(r);
	}
}

int lh_firmware(struct rproc_native *native, void *arg)
{
	struct harness *h = arg;
	struct lh_remote *r = h->remote;
	int ret;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		h->remote = r;
	} else if (!h->cfg.keep_remote) {
		memset(r, 0, sizeof(*r));
	}
	r->h = h;
	r->native = native;
	/* a pause lasts until the remote stops */
	pthread_mutex_lock(&h->lock);
	h->paused = false;
	pthread_mutex_unlock(&h->lock);
	if (!r->inited && (ret = remote_init(r))) {
		/* a remote that cannot talk: it idles until stopped */
		remote_error(h, ret);
		while (rproc_native_wait(native, -1) != -ESHUTDOWN)
			rproc_native_doorbells(native);
		return 0;
	}
	run(r);
	return 0;
}

void lh_firmware_free(struct harness *h)
{
	free(h->remote);
	h->remote = NULL;
}
