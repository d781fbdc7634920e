/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote of the link tests (harness.h): the firmware library's
 * link in a thread, over the harness's memory, as firmware runs it on a
 * remote core.  Everything the remote side does is in this file and in
 * firmware/lib/link.c (tsan.supp names them: their races with the host are
 * the shared-memory ring protocol, ordered by fences TSan does not model).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rpfw/link.h"
#include "rpfw/rpmsg_port.h"

_Static_assert(RPFW_LINK_MAX_EPT == LH_MAX_EPT, "built with LH_MAX_EPT");

struct nr {
	struct harness *h;
	struct rpfw_link link;
	struct rpfw_link_ept *echo[LH_MAX_EPT], *cmd;
	char names[LH_MAX_EPT][16];
	bool inited;
	bool restart; /* LH_CMD_RESTART: init again after the poll */
};

/* ---- port hooks (rpfw/rpmsg_port.h, host defaults) ---------------------- */

void rpfw_port_notify(void *port, uint32_t notifyid)
{
	struct harness *h = port;

	if (h->cfg.raw) {
		h->raw_notifies++;
		return;
	}
	pthread_mutex_lock(&h->lock);
	h->to_host |= 1ull << (notifyid & 63);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

void *rpfw_port_da_to_va(void *port, uint32_t da)
{
	struct harness *h = port;

	if (da < FAKE_MEM_DA || da - FAKE_MEM_DA >= LH_MEM_SIZE)
		return NULL;
	return h->mem + (da - FAKE_MEM_DA);
}

void rpfw_port_idle(void)
{
	usleep(100);
}

/* ---- the application ---------------------------------------------------- */

static struct nr *nr_of(struct rpfw_link *link)
{
	return (struct nr *)(void *)((char *)link - offsetof(struct nr, link));
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
	struct harness *h = nr_of(link)->h;

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
	struct nr *nr = priv;
	int ret = rpfw_link_send(ept, data, len);

	if (ret == RPFW_EAGAIN)
		return RPFW_EAGAIN; /* again once the host freed room */
	if (ret)
		remote_error(nr->h, ret);
	pthread_mutex_lock(&nr->h->ev_lock);
	nr->h->fw_echoed++;
	pthread_mutex_unlock(&nr->h->ev_lock);
	return 0;
}

static int cmd_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		  void *priv)
{
	struct nr *nr = priv;
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
			remote_error(nr->h, ret);
		break;
	case LH_CMD_RESTART:
		nr->restart = true;
		break;
	case LH_CMD_DESTROY:
		if (nr->echo[0])
			rpfw_link_destroy_ept(nr->echo[0]);
		nr->echo[0] = NULL;
		break;
	case LH_CMD_CREATE:
		if (!nr->echo[0])
			nr->echo[0] = rpfw_link_create_ept(
				&nr->link, nr->names[0], echo_cb, nr);
		break;
	default:
		remote_error(nr->h, -1);
	}
	return 0;
}

/* What a firmware does at boot: the link from its table, its endpoints. */
static int nr_init(struct nr *nr)
{
	struct harness *h = nr->h;
	void *v, *c;
	int ret;

	lh_find_table(h, &v, &c);
	if (!v || !c)
		return -1;
	ret = rpfw_link_init(&nr->link, v, c, h);
	if (ret)
		return ret;
	nr->link.event = fw_event;
	for (unsigned i = 0; i < h->cfg.nept && i < LH_MAX_EPT - 1; i++) {
		snprintf(nr->names[i], sizeof(nr->names[i]), "echo%u", i);
		nr->echo[i] = rpfw_link_create_ept(&nr->link, nr->names[i],
						   echo_cb, nr);
		if (!nr->echo[i])
			return -1;
	}
	nr->cmd = rpfw_link_create_ept(&nr->link, "cmd", cmd_cb, nr);
	if (!nr->cmd)
		return -1;
	nr->inited = true;
	pthread_mutex_lock(&h->ev_lock);
	h->fw_restarts++;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
	return 0;
}

static void *remote_main(void *arg)
{
	struct nr *nr = arg;
	struct harness *h = nr->h;
	uint64_t bits;
	int ret;

	if (!nr->inited && (ret = nr_init(nr))) {
		remote_error(h, ret);
		return NULL;
	}
	pthread_mutex_lock(&h->lock);
	for (;;) {
		/* doorbells only: a lost one shows as a hang */
		while (!h->stop && (h->paused || !h->to_remote))
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stop)
			break;
		bits = h->to_remote;
		h->to_remote = 0;
		h->remote_busy = true;
		pthread_mutex_unlock(&h->lock);
		for (uint32_t id = 0; id < 64; id++)
			if ((bits >> id) & 1) {
				ret = rpfw_link_notified(&nr->link, id);
				if (ret < 0 && ret != RPFW_ENOENT)
					remote_error(h, ret);
			}
		/* a poll stops after a ring's worth: the rest now */
		while (rpfw_link_pending(&nr->link))
			if ((ret = rpfw_link_poll(&nr->link)) < 0)
				remote_error(h, ret);
		if (nr->restart) {
			nr->restart = false;
			memset(nr->echo, 0, sizeof(nr->echo));
			ret = nr_init(nr);
			if (ret)
				remote_error(h, ret);
		}
		pthread_mutex_lock(&h->lock);
		h->remote_busy = false;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

void nr_start(struct harness *h)
{
	struct nr *nr = h->nr;

	if (!nr) {
		nr = calloc(1, sizeof(*nr));
		if (!nr)
			abort();
		nr->h = h;
		h->nr = nr;
	} else if (!h->cfg.keep_remote) {
		memset(nr, 0, sizeof(*nr));
		nr->h = h;
	}
	if (pthread_create(&h->remote, NULL, remote_main, nr))
		abort();
}

void nr_stop(struct harness *h)
{
	pthread_join(h->remote, NULL);
}

void nr_free(struct harness *h)
{
	free(h->nr);
	h->nr = NULL;
}
