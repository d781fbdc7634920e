/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * link_bench (not a ctest): the cost of 16-byte messages through the link,
 * sender and receiver interleaved on one thread: host rproc_link_trysend()
 * -> the firmware's rpfw_link_poll() (receive; echo back with
 * rpfw_link_send()) -> the host's rproc_link_poll() (receive).  The
 * harness in raw mode (a polled native remote whose entry nobody runs:
 * the doorbells are only marked pending and counted), the firmware link
 * (firmware/lib/link.c) driven here.
 *
 *   link_bench [iterations] [batch] [oneway]
 *
 * Prints ns per round trip.  For instructions (stable, unlike time on a
 * shared VM: see docs/link.md):
 *
 *   valgrind --tool=callgrind --toggle-collect=bench_loop \
 *	./link_bench 100000 1
 *
 * and divide the instructions collected by 2 x (iterations + 1000 of
 * warm-up) for one message (a round trip is two messages: one each way,
 * each sent and received), or by (iterations + 1000) with "oneway" (the
 * firmware only receives; the host does not poll: as bench/bench_rpmsg
 * --loop <transport> oneway).  @batch messages are sent before the remote
 * and the host poll (1: ping-pong, every message rings a doorbell both
 * ways; more: the consumer drains many per wake-up and the producer rings
 * once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "rpfw/link.h"

static struct rpfw_link fw;
static unsigned received, fw_received;
static int oneway;

static int fw_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		 void *priv)
{
	(void)priv;
	fw_received++;
	if (oneway)
		return 0;
	return rpfw_link_send(ept, data, len) == RPFW_EAGAIN ? RPFW_EAGAIN : 0;
}

static int host_cb(struct rproc_link_ept *ept, const void *data, size_t len,
		   void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)priv;
	received++;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* noinline: callgrind's inclusive cost of this function is the figure */
__attribute__((noinline)) static void bench_loop(struct rproc_link *link,
						 struct rproc_link_ept *e,
						 unsigned iters, unsigned batch)
{
	static const uint8_t msg[16] = "0123456789abcde";

	for (unsigned i = 0; i < iters; i += batch) {
		for (unsigned k = 0; k < batch; k++)
			rproc_link_trysend(e, msg, sizeof(msg));
		rpfw_link_poll(&fw);
		if (!oneway)
			rproc_link_poll(link);
	}
}

int main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : 100000;
	unsigned batch = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
	struct rproc_link_ept *e;
	struct harness *h;
	struct lh_cfg cfg;
	void *v, *c;
	uint64_t t0, t1, kicks, notifies;

	oneway = argc > 3 && !strcmp(argv[3], "oneway");
	if (batch < 1 || batch > 64)
		batch = 1;
	iters -= iters % batch;
	lh_cfg_default(&cfg);
	cfg.raw = true;
	h = lh_new(&cfg);
	if (lh_boot(h))
		return 1;
	lh_find_table(h, &v, &c);
	if (rpfw_link_init(&fw, v, c, h->nr) ||
	    !rpfw_link_create_ept(&fw, "bench", fw_cb, NULL) ||
	    rproc_link_ept_create(h->link, "bench", host_cb, NULL, NULL, &e))
		return 1;
	/* the handshake and the binding, polled */
	for (int i = 0; i < 10 && !rproc_link_ept_bound(e); i++) {
		rpfw_link_poll(&fw);
		rproc_link_poll(h->link);
	}
	rpfw_link_poll(&fw);
	if (!rproc_link_ept_bound(e) || !fw.ept[0].remote)
		return 1;
	/* warm up */
	bench_loop(h->link, e, 1000, batch);
	received = fw_received = 0;
	kicks = lh_kicks(h);
	notifies = lh_notifies(h);
	t0 = now_ns();
	bench_loop(h->link, e, iters, batch);
	t1 = now_ns();
	printf("%u %s (batch %u): %.1f ns each; %u received by the firmware, "
	       "%u back; doorbells: %llu to the firmware, %llu to the host\n",
	       iters, oneway ? "one-way messages" : "round trips", batch,
	       (double)(t1 - t0) / iters, fw_received, received,
	       (unsigned long long)(lh_kicks(h) - kicks),
	       (unsigned long long)(lh_notifies(h) - notifies));
	rproc_link_ept_destroy(e);
	lh_free(h);
	return fw_received == iters && received == (oneway ? 0 : iters) ? 0 : 1;
}
