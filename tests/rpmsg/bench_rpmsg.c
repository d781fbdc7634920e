/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_bench (not a ctest): the cost of one 16-byte message end to end,
 * polled in one thread: host rpmsg_trysend() -> the firmware's
 * rpfw_rpmsg_poll() (receive, echo back) -> the host's doorbell path
 * rproc_notify() (receive, re-post).  The harness in raw mode (no threads),
 * the firmware stack driven here.
 *
 *   rpmsg_bench [iterations] [batch] [event]
 *
 * prints ns per round trip; for instructions run it under callgrind (or
 * scripts: tests/rpmsg/bench_cost.sh) and divide the inclusive cost of
 * bench_loop by the iterations.  @batch messages are sent before the
 * remote and the host poll (1: ping-pong); "event" offers
 * VIRTIO_RING_F_EVENT_IDX (kicks only when the other side waits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "rpfw/rpmsg.h"

static struct rpfw_rpmsg rp;
static unsigned received;

static void echo_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		    uint32_t src, void *priv)
{
	(void)priv;
	rpfw_rpmsg_send(ept, src, data, len);
}

static int host_cb(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	received++;
	return 0;
}

static void find_table(struct harness *h, void **vdev, void **shm)
{
	uint8_t *t = h->mem + h->table_off;
	uint32_t num, off, type;

	memcpy(&num, t + 4, 4);
	for (uint32_t i = 0; i < num; i++) {
		memcpy(&off, t + 16 + 4 * i, 4);
		memcpy(&type, t + off, 4);
		if (type == RSC_VDEV)
			*vdev = t + off + 4;
		else if (type == RSC_CARVEOUT)
			*shm = t + off + 4;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* noinline: callgrind's inclusive cost of this function is the figure */
__attribute__((noinline)) static void bench_loop(struct rpmsg_endpoint *e,
						 uint32_t dst, uint32_t rx_id,
						 unsigned iters, unsigned batch)
{
	static const uint8_t msg[16] = "0123456789abcde";

	for (unsigned i = 0; i < iters; i += batch) {
		for (unsigned k = 0; k < batch; k++)
			rpmsg_trysend(e, dst, msg, sizeof(msg));
		rpfw_rpmsg_poll(&rp);
		rproc_notify(H->rproc, rx_id);
	}
}

int main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
	unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	struct rproc_resource *vd;
	struct rpfw_rpmsg_ept *echo;
	struct rpmsg_endpoint *e;
	struct harness *h;
	struct h_cfg cfg;
	void *vdev = NULL, *shm = NULL;
	uint64_t t0, t1;

	h_cfg_default(&cfg);
	cfg.raw = true;
	if (argc > 3 && !strcmp(argv[3], "event"))
		cfg.dfeatures |= 1u << VIRTIO_RING_F_EVENT_IDX;
	h = h_new(&cfg);
	if (h_boot(h))
		return 1;
	find_table(h, &vdev, &shm);
	if (rpfw_rpmsg_init(&rp, vdev, shm, h))
		return 1;
	echo = rpfw_rpmsg_create_ept(&rp, NULL, 1024, echo_cb, NULL);
	if (!echo || rpfw_rpmsg_ready(&rp) != 1)
		return 1;
	vd = rproc_resource_find(h->rproc, RSC_VDEV, "vdev0");
	if (rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY, 1024, host_cb, NULL,
			     NULL, &e))
		return 1;
	if (batch < 1 || batch > 32)
		batch = 1;
	/* warm up */
	bench_loop(e, 1024, vd->d.vdev.vring[0].notifyid, 1000, batch);
	received = 0;
	t0 = now_ns();
	bench_loop(e, 1024, vd->d.vdev.vring[0].notifyid, iters, batch);
	t1 = now_ns();
	printf("%u round trips (batch %u): %.1f ns each, %u received, %u "
	       "kicks\n",
	       iters, batch, (double)(t1 - t0) / iters, received, h->kicks);
	rpmsg_destroy_ept(e);
	h_free(h);
	return received == iters ? 0 : 1;
}
