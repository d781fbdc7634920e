/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote of the rpmsg tests (harness.h): the firmware library's
 * rpmsg stack in a thread, over the harness's memory, as firmware runs it
 * on a remote core.  Everything the remote side does is in this file and in
 * firmware/lib (tsan.supp names them: their races with the host are the
 * shared-memory ring protocol, ordered by fences TSan does not model).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rpfw/rpmsg.h"
#include "rpfw/rpmsg_port.h"

#define BACKLOG 512

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

/* ---- port hooks (rpfw/rpmsg_port.h, host defaults) ---------------------- */

void rpfw_port_notify(void *port, uint32_t notifyid)
{
	struct harness *h = port;

	pthread_mutex_lock(&h->lock);
	h->to_host |= 1ull << (notifyid & 63);
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

void *rpfw_port_da_to_va(void *port, uint32_t da)
{
	struct harness *h = port;

	if (da < FAKE_MEM_DA || da - FAKE_MEM_DA >= H_MEM_SIZE)
		return NULL;
	return h->mem + (da - FAKE_MEM_DA);
}

void rpfw_port_idle(void)
{
	usleep(100);
}

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

/* The vdev and carveout bodies in the installed table. */
static void find_table(struct harness *h, void **vdev, void **shm)
{
	uint8_t *t = h->mem + h->table_off;
	uint32_t num, off, type, i;

	*vdev = *shm = NULL;
	memcpy(&num, t + 4, 4);
	for (i = 0; i < num; i++) {
		memcpy(&off, t + 16 + 4 * i, 4);
		memcpy(&type, t + off, 4);
		/* the first of each: vdev0buffer, vdev0 */
		if (type == RSC_VDEV && !*vdev)
			*vdev = t + off + 4;
		else if (type == RSC_CARVEOUT && !*shm)
			*shm = t + off + 4;
	}
}

static void *remote_main(void *arg)
{
	struct nr *nr = arg;
	struct harness *h = nr->h;
	static struct fw_rsc_carveout none;
	void *vdev, *shm;
	uint64_t bits;
	int ret;

	find_table(h, &vdev, &shm);
	if (!vdev || rpfw_rpmsg_init(&nr->rp, vdev, shm ? shm : &none, h)) {
		remote_error(h);
		return NULL;
	}
	nr->echo = rpfw_rpmsg_create_ept(&nr->rp, "rpmsg-echo", RPMSG_ADDR_ANY,
					 echo_cb, nr);
	nr->cmd = rpfw_rpmsg_create_ept(&nr->rp, "rpmsg-cmd", RPMSG_ADDR_ANY,
					cmd_cb, nr);
	nr->ns = rpfw_rpmsg_create_ept(&nr->rp, NULL, RPMSG_NS_ADDR, ns_cb, nr);
	if (!nr->echo || !nr->cmd || !nr->ns)
		remote_error(h);

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 5 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* a timed wait: waiting for DRIVER_OK, and the backlog */
		while (!h->stop && (h->paused || !h->to_remote) &&
		       !pthread_cond_timedwait(&h->cond, &h->lock, &ts))
			;
		if (h->stop)
			break;
		if (h->paused)
			continue;
		bits = h->to_remote;
		h->to_remote = 0;
		pthread_mutex_unlock(&h->lock);
		if (!nr->ready) {
			ret = rpfw_rpmsg_ready(&nr->rp);
			if (ret < 0)
				remote_error(h);
			nr->ready = ret == 1;
		}
		for (uint32_t id = 0; nr->ready && id < 64; id++)
			if ((bits >> id) & 1) {
				ret = rpfw_rpmsg_notified(&nr->rp, id);
				if (ret < 0 && ret != RPFW_ENOENT)
					remote_error(h);
			}
		if (nr->ready)
			flush(nr);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	for (; nr->n; nr->n--) {
		free(nr->q[nr->head].heap);
		nr->head = (nr->head + 1) % BACKLOG;
	}
	return NULL;
}

static pthread_t remote_thread;

void nr_start(struct harness *h)
{
	struct nr *nr = calloc(1, sizeof(*nr));

	if (!nr)
		abort();
	nr->h = h;
	h->nr = nr;
	if (pthread_create(&remote_thread, NULL, remote_main, nr))
		abort();
}

void nr_stop(struct harness *h)
{
	pthread_join(remote_thread, NULL);
	free(h->nr);
	h->nr = NULL;
}
