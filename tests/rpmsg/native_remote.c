/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware of the rpmsg tests (harness.h): the entry function the
 * native remote runs on its remote thread, the firmware library's rpmsg
 * stack with the test application, as firmware runs it on a remote core.
 * Everything the remote side does is in this file and in firmware/lib
 * (tsan.supp names them: their races with the host are the shared-memory
 * ring protocol, ordered by fences TSan does not model).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "rpfw/rpmsg.h"

#define BACKLOG 512
#define WAKE_NS 5000000 /* a timed wait: DRIVER_OK, and the backlog */
#define PAUSE_US 200

/* A message the host had no buffer for yet. */
struct pending {
	struct rpfw_rpmsg_ept *ept;
	uint32_t dst;
	void *data;
	uint32_t len;
	void *held; /* a received buffer to give back once sent */
	void *heap; /* to free once sent */
};

struct nr {
	struct harness *h;
	struct rpfw_rpmsg rp;
	struct rpfw_rpmsg_ept *echo, *cmd, *ns;
	struct pending q[BACKLOG];
	unsigned head, n;
	bool ready;
};

/* ---- the application ---------------------------------------------------- */

static void remote_error(struct harness *h)
{
	pthread_mutex_lock(&h->ev_lock);
	h->remote_errors++;
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

/* Send, or queue behind what waits already (order kept).  Returns false
 * when queued. */
static bool send_or_queue(struct nr *nr, struct rpfw_rpmsg_ept *ept,
			  uint32_t dst, void *data, uint32_t len, void *held,
			  void *heap)
{
	struct pending *p;
	int ret = RPFW_EAGAIN;

	if (!nr->n)
		ret = rpfw_rpmsg_send(ept, dst, data, len);
	if (!ret) {
		free(heap);
		return true;
	}
	if (ret != RPFW_EAGAIN || nr->n == BACKLOG) {
		remote_error(nr->h);
		free(heap);
		return true;
	}
	if (held)
		rpfw_rpmsg_hold_rx_buffer(ept, held);
	p = &nr->q[(nr->head + nr->n++) % BACKLOG];
	*p = (struct pending){ept, dst, data, len, held, heap};
	return false;
}

static void flush(struct nr *nr)
{
	while (nr->n) {
		struct pending *p = &nr->q[nr->head];
		int ret = rpfw_rpmsg_send(p->ept, p->dst, p->data, p->len);

		if (ret == RPFW_EAGAIN)
			return;
		if (ret)
			remote_error(nr->h);
		if (p->held)
			rpfw_rpmsg_release_rx_buffer(p->ept, p->held);
		free(p->heap);
		nr->head = (nr->head + 1) % BACKLOG;
		nr->n--;
	}
}

static void echo_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		    uint32_t src, void *priv)
{
	struct nr *nr = priv;

	send_or_queue(nr, ept, src, data, len, data, NULL);
	pthread_mutex_lock(&nr->h->ev_lock);
	nr->h->remote_echoed++;
	pthread_mutex_unlock(&nr->h->ev_lock);
}

static void cmd_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		   uint32_t src, void *priv)
{
	struct nr *nr = priv;
	uint32_t w[2] = {0, 0}, i;
	uint8_t *buf;

	memcpy(w, data, len < sizeof(w) ? len : sizeof(w));
	switch (w[0]) {
	case H_CMD_BIG:
		buf = malloc(w[1] ? w[1] : 1);
		for (i = 0; i < w[1]; i++)
			buf[i] = h_pattern(w[1], i);
		send_or_queue(nr, ept, src, buf, w[1], NULL, buf);
		break;
	case H_CMD_DESTROY:
		if (nr->echo)
			rpfw_rpmsg_destroy_ept(nr->echo);
		nr->echo = NULL;
		break;
	case H_CMD_CREATE:
		if (!nr->echo)
			nr->echo = rpfw_rpmsg_create_ept(&nr->rp, "rpmsg-echo",
							 RPMSG_ADDR_ANY,
							 echo_cb, nr);
		break;
	default:
		remote_error(nr->h);
	}
}

/* The host's name-service announcements. */
static void ns_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		  uint32_t src, void *priv)
{
	struct nr *nr = priv;
	struct harness *h = nr->h;
	struct rpmsg_ns_msg m;

	(void)ept;
	(void)src;
	pthread_mutex_lock(&h->ev_lock);
	if (len == sizeof(m)) {
		memcpy(&m, data, sizeof(m));
		m.name[31] = 0;
		if (m.flags == RPMSG_NS_CREATE)
			h->remote_ns_create++;
		else
			h->remote_ns_destroy++;
		memcpy(h->remote_ns_name, m.name, sizeof(m.name));
		h->remote_ns_addr = m.addr;
	} else {
		h->remote_errors++;
	}
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

/* Idle until asked to stop (a remote whose set-up failed). */
static int idle(struct rproc_native *native)
{
	while (rproc_native_wait(native, -1) != -ESHUTDOWN)
		rproc_native_doorbells(native);
	return 0;
}

static void run(struct nr *nr, struct rproc_native *native)
{
	struct harness *h = nr->h;
	uint64_t bits;
	int ret;

	nr->echo = rpfw_rpmsg_create_ept(&nr->rp, "rpmsg-echo", RPMSG_ADDR_ANY,
					 echo_cb, nr);
	nr->cmd = rpfw_rpmsg_create_ept(&nr->rp, "rpmsg-cmd", RPMSG_ADDR_ANY,
					cmd_cb, nr);
	nr->ns = rpfw_rpmsg_create_ept(&nr->rp, NULL, RPMSG_NS_ADDR, ns_cb, nr);
	if (!nr->echo || !nr->cmd || !nr->ns)
		remote_error(h);

	while (rproc_native_wait(native, WAKE_NS) != -ESHUTDOWN) {
		/* paused: doorbells stay pending until it goes on */
		if (atomic_load(&h->paused)) {
			usleep(PAUSE_US);
			continue;
		}
		bits = rproc_native_doorbells(native);
		if (!nr->ready) {
			ret = rpfw_rpmsg_ready(&nr->rp);
			if (ret < 0)
				remote_error(h);
			nr->ready = ret == 1;
		}
		for (uint32_t id = 0; nr->ready && id < 64; id++) {
			if (!((bits >> id) & 1))
				continue;
			/* ids past the bitmap: look at everything */
			ret = id == RPROC_NATIVE_BELL_ALL
				      ? rpfw_rpmsg_poll(&nr->rp)
				      : rpfw_rpmsg_notified(&nr->rp, id);
			if (ret < 0 && ret != RPFW_ENOENT)
				remote_error(h);
		}
		if (nr->ready)
			flush(nr);
	}
}

int h_firmware(struct rproc_native *native, void *arg)
{
	struct harness *h = arg;
	struct nr *nr = calloc(1, sizeof(*nr));

	if (!nr)
		abort();
	nr->h = h;
	/* a pause lasts until the remote stops (h_pause()) */
	atomic_store(&h->paused, false);
	/* the first rpmsg vdev and its pool (a table without them is a
	 * remote that cannot talk: it idles) */
	if (rproc_native_rpmsg_init(native, &nr->rp, 0)) {
		remote_error(h);
		free(nr);
		return idle(native);
	}
	run(nr, native);
	for (; nr->n; nr->n--) {
		free(nr->q[nr->head].heap);
		nr->head = (nr->head + 1) % BACKLOG;
	}
	free(nr);
	return 0;
}
