/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg_contention: the bus's light lock (src/core/xlock.h) and its sleeps
 * under contention, against the firmware's rpmsg stack (native remote).
 *
 *  - traffic: 4 senders (send, send_timeout, trysend) on a ring of 8
 *    buffers each way, so senders sleep for buffers, while 2 threads poll
 *    the bus next to the doorbell thread (the lock taken from 7 threads,
 *    the dispatcher role fought over); every echo arrives once, in order;
 *  - destroy waits for its endpoint's running callback and wakes when it
 *    returns;
 *  - a stop waits for the dispatcher (a poller, the remote raw: nothing
 *    else delivers) to leave the role and wakes when it does; the unbind
 *    callback and device_down still run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "rproc/driver.h"
#include "rproc/rsc_table.h"

#define N_SENDERS 4
#define N_POLLERS 2
#define PER_SENDER 2500
#define WINDOW 24 /* echoes a sender may wait for: the remote's backlog */

static int setup(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	cfg.num = 8; /* few buffers: senders wait for them */
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->rdev && h->echo_addr, 5000));
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	return 0;
}

/* ---- traffic ------------------------------------------------------------------ */

struct flow {
	struct rpmsg_endpoint *ept;
	unsigned id;
	atomic_uint got;   /* echoes in order */
	atomic_uint bad;   /* out of order or garbled */
	atomic_uint fails; /* sends that failed */
	pthread_t th;
};

struct poller {
	struct harness *h;
	atomic_bool stop;
	unsigned long polls;
	long delivered;
	int errors; /* negative returns */
	pthread_t th;
};

static int flow_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	struct flow *f = priv;
	uint32_t w[2];

	(void)ept;
	(void)src;
	if (len != sizeof(w)) {
		atomic_fetch_add(&f->bad, 1);
		return 0;
	}
	memcpy(w, data, sizeof(w));
	if (w[0] != f->id || w[1] != atomic_load(&f->got))
		atomic_fetch_add(&f->bad, 1);
	atomic_fetch_add(&f->got, 1);
	return 0;
}

static void *sender_main(void *arg)
{
	struct flow *f = arg;

	for (uint32_t k = 0; k < PER_SENDER; k++) {
		uint32_t w[2] = {f->id, k};
		int ret;

		/* a bounded window: the remote's backlog never overflows */
		for (int i = 0; k - atomic_load(&f->got) >= WINDOW; i++) {
			if (i > 200000) { /* 20 s: something is stuck */
				atomic_fetch_add(&f->fails, 1);
				return NULL;
			}
			usleep(100);
		}
		switch ((f->id + k) % 3) {
		case 0:
			ret = rpmsg_send(f->ept, w, sizeof(w));
			break;
		case 1:
			ret = rpmsg_send_timeout(f->ept, rpmsg_ept_dst(f->ept),
						 w, sizeof(w), 20000);
			break;
		default:
			while ((ret = rpmsg_trysend(f->ept,
						    rpmsg_ept_dst(f->ept), w,
						    sizeof(w))) == -EAGAIN)
				sched_yield();
		}
		if (ret)
			atomic_fetch_add(&f->fails, 1);
	}
	return NULL;
}

static void *poller_main(void *arg)
{
	struct poller *p = arg;

	while (!atomic_load(&p->stop)) {
		int n = rproc_rpmsg_poll(p->h->bus);

		if (n < 0)
			p->errors++;
		else
			p->delivered += n;
		p->polls++;
		if (!n)
			sched_yield();
	}
	return NULL;
}

static void test_traffic(void **state)
{
	struct harness *h = *state;
	struct flow f[N_SENDERS];
	struct poller p[N_POLLERS];
	struct rpmsg_device_stats st;
	long delivered = 0;

	memset(f, 0, sizeof(f));
	for (unsigned i = 0; i < N_SENDERS; i++) {
		f[i].id = i;
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  h->echo_addr, flow_rx, NULL,
						  &f[i], &f[i].ept),
				 0);
	}
	for (unsigned i = 0; i < N_POLLERS; i++) {
		p[i] = (struct poller){.h = h};
		assert_int_equal(
			pthread_create(&p[i].th, NULL, poller_main, &p[i]), 0);
	}
	for (unsigned i = 0; i < N_SENDERS; i++)
		assert_int_equal(
			pthread_create(&f[i].th, NULL, sender_main, &f[i]), 0);
	for (unsigned i = 0; i < N_SENDERS; i++)
		pthread_join(f[i].th, NULL);
	for (unsigned i = 0; i < N_SENDERS; i++)
		for (int w = 0;
		     w < 20000 && atomic_load(&f[i].got) < PER_SENDER; w++)
			usleep(1000);
	for (unsigned i = 0; i < N_POLLERS; i++) {
		atomic_store(&p[i].stop, true);
		pthread_join(p[i].th, NULL);
		assert_int_equal(p[i].errors, 0);
		delivered += p[i].delivered;
	}
	print_message("%d messages each way from %d senders; %ld delivered "
		      "by %d pollers (%lu polls), the rest by the doorbell "
		      "thread\n",
		      N_SENDERS * PER_SENDER, N_SENDERS, delivered, N_POLLERS,
		      p[0].polls + p[1].polls);
	for (unsigned i = 0; i < N_SENDERS; i++) {
		assert_int_equal(atomic_load(&f[i].fails), 0);
		assert_int_equal(atomic_load(&f[i].bad), 0);
		assert_int_equal(atomic_load(&f[i].got), PER_SENDER);
	}
	/* the counters are updated after the batch's callbacks returned */
	for (int i = 0; i < 1000; i++) {
		rpmsg_device_get_stats(h->rdev, &st);
		if (st.rx == N_SENDERS * PER_SENDER)
			break;
		usleep(1000);
	}
	assert_int_equal(st.tx, N_SENDERS * PER_SENDER);
	assert_int_equal(st.rx, N_SENDERS * PER_SENDER);
	assert_int_equal(st.rx_no_ept + st.rx_bad_len + st.ns_bad, 0);
	assert_int_equal(h->remote_errors, 0);
	for (unsigned i = 0; i < N_SENDERS; i++)
		rpmsg_destroy_ept(f[i].ept);
}

/* ---- a callback that blocks ------------------------------------------------ */

/* The callback blocks (its first call) until released. */
struct blocker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool in, release, out;
	atomic_int calls, unbinds;
};

static struct blocker B;

static void blocker_init(void)
{
	memset(&B, 0, sizeof(B));
	pthread_mutex_init(&B.lock, NULL);
	pthread_cond_init(&B.cond, NULL);
}

static void blocker_fini(void)
{
	pthread_cond_destroy(&B.cond);
	pthread_mutex_destroy(&B.lock);
}

static int block_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		    uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	atomic_fetch_add(&B.calls, 1);
	pthread_mutex_lock(&B.lock);
	if (!B.in) {
		B.in = true;
		pthread_cond_broadcast(&B.cond);
		while (!B.release)
			pthread_cond_wait(&B.cond, &B.lock);
		B.out = true;
	}
	pthread_mutex_unlock(&B.lock);
	return 0;
}

static void block_unbind(struct rpmsg_endpoint *ept, int reason, void *priv)
{
	(void)ept;
	(void)reason;
	(void)priv;
	atomic_fetch_add(&B.unbinds, 1);
}

/* Wait (at most @ms) until @what holds, with B.lock held for the look. */
#define B_WAIT(what, ms)                                                       \
	({                                                                     \
		bool ok_;                                                      \
		for (int i_ = 0;; i_++) {                                      \
			pthread_mutex_lock(&B.lock);                           \
			ok_ = (what);                                          \
			pthread_mutex_unlock(&B.lock);                         \
			if (ok_ || i_ >= (ms))                                 \
				break;                                         \
			usleep(1000);                                          \
		}                                                              \
		ok_;                                                           \
	})

static void b_release(void)
{
	pthread_mutex_lock(&B.lock);
	B.release = true;
	pthread_cond_broadcast(&B.cond);
	pthread_mutex_unlock(&B.lock);
}

struct destroyer {
	struct rpmsg_endpoint *ept;
	atomic_bool done;
	pthread_t th;
};

static void *destroyer_main(void *arg)
{
	struct destroyer *d = arg;

	rpmsg_destroy_ept(d->ept);
	atomic_store(&d->done, true);
	return NULL;
}

/* Destroy from another thread while the endpoint's callback runs: it
 * returns only after the callback did. */
static void test_destroy_waits(void **state)
{
	struct harness *h = *state;
	struct destroyer d = {0};

	blocker_init();
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
					  h->echo_addr, block_rx, block_unbind,
					  NULL, &d.ept),
			 0);
	assert_int_equal(rpmsg_send(d.ept, "wait", 4), 0);
	assert_true(B_WAIT(B.in, 5000));
	assert_int_equal(pthread_create(&d.th, NULL, destroyer_main, &d), 0);
	usleep(100 * 1000);
	assert_false(atomic_load(&d.done)); /* the callback still runs */
	b_release();
	pthread_join(d.th, NULL);
	assert_true(atomic_load(&d.done));
	assert_true(B_WAIT(B.out, 0));
	assert_int_equal(atomic_load(&B.unbinds), 0);
	/* the bus goes on */
	{
		struct flow f = {0};

		f.id = 7;
		assert_int_equal(rpmsg_create_ept(h->rdev, NULL, RPMSG_ADDR_ANY,
						  h->echo_addr, flow_rx, NULL,
						  &f, &f.ept),
				 0);
		for (uint32_t k = 0; k < 8; k++) {
			uint32_t w[2] = {7, k};

			assert_int_equal(rpmsg_send(f.ept, w, sizeof(w)), 0);
		}
		for (int i = 0; i < 5000 && atomic_load(&f.got) < 8; i++)
			usleep(1000);
		assert_int_equal(atomic_load(&f.got), 8);
		assert_int_equal(atomic_load(&f.bad), 0);
		rpmsg_destroy_ept(f.ept);
	}
	blocker_fini();
}

struct stopper {
	struct harness *h;
	int ret;
	atomic_bool done;
	pthread_t th;
};

static void *stopper_main(void *arg)
{
	struct stopper *s = arg;

	s->ret = rproc_shutdown(s->h->rproc);
	atomic_store(&s->done, true);
	return NULL;
}

static int setup_raw(void **state)
{
	struct h_cfg cfg;
	struct harness *h;

	h_cfg_default(&cfg);
	cfg.raw = true; /* no firmware: only this test fills the rings */
	cfg.num = 8;
	h = h_new(&cfg);
	assert_int_equal(h_boot(h), 0);
	assert_non_null(h->rdev);
	*state = h;
	return 0;
}

/* As the remote would: one message from @src to @dst in the next receive
 * buffer the host made available (the first ones of a binding in turn). */
static void raw_send(struct harness *h, uint32_t src, uint32_t dst,
		     const void *payload, uint32_t plen)
{
	struct rproc_resource *vd =
		rproc_resource_find(h->rproc, RSC_VDEV, "vdev0");
	struct rproc_resource *co =
		rproc_resource_find(h->rproc, RSC_CARVEOUT, "vdev0buffer");
	struct rpmsg_hdr hdr = {.src = src, .dst = dst, .len = (uint16_t)plen};
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint8_t *ring, *buf;
	uint32_t num;
	uint16_t id;

	assert_non_null(vd);
	assert_non_null(co);
	ring = vd->d.vdev.vring[0].va;
	num = vd->d.vdev.vring[0].num;
	desc = (struct vring_desc *)ring;
	avail = (struct vring_avail *)(ring + vring_avail_offset(num));
	used = (struct vring_used *)(ring +
				     vring_used_offset(
					     num, vd->d.vdev.vring[0].align));
	assert_true(avail->idx != used->idx);
	id = avail->ring[used->idx % num];
	assert_true(id < num);
	buf = (uint8_t *)co->va + (desc[id].addr - co->d.pa);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, plen);
	used->ring[used->idx % num] =
		(struct vring_used_elem){id, (uint32_t)sizeof(hdr) + plen};
	atomic_thread_fence(memory_order_release);
	used->idx++;
}

/* A poller holds the dispatcher role in a callback; a stop from another
 * thread waits for the role (no doorbell thread delivers here: the remote
 * is raw) and goes on once the poller leaves it, after the unbind
 * callback and device_down ran. */
static void test_stop_waits_for_dispatcher(void **state)
{
	struct harness *h = *state;
	struct poller p = {.h = h};
	struct stopper s = {.h = h};
	struct rpmsg_endpoint *e;

	blocker_init();
	assert_int_equal(rpmsg_create_ept(h->rdev, NULL, 2000, 1024, block_rx,
					  block_unbind, NULL, &e),
			 0);
	raw_send(h, 1024, 2000, "poll", 4);
	assert_int_equal(pthread_create(&p.th, NULL, poller_main, &p), 0);
	assert_true(B_WAIT(B.in, 5000));
	assert_int_equal(pthread_create(&s.th, NULL, stopper_main, &s), 0);
	usleep(100 * 1000);
	assert_false(atomic_load(&s.done)); /* waits for the dispatcher */
	assert_int_equal(h->device_down, 0);
	assert_int_equal(atomic_load(&B.unbinds), 0);
	b_release();
	pthread_join(s.th, NULL);
	assert_int_equal(s.ret, 0);
	atomic_store(&p.stop, true);
	pthread_join(p.th, NULL);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.delivered, 1);
	assert_int_equal(atomic_load(&B.calls), 1);
	assert_true(H_WAIT(h, h->device_down == 1, 5000));
	assert_int_equal(h->down_reason, -ESHUTDOWN);
	assert_int_equal(atomic_load(&B.unbinds), 1);
	assert_int_equal(rpmsg_send(e, "x", 1), -ENOTCONN);
	rpmsg_destroy_ept(e);
	/* and up again */
	assert_int_equal(h_boot(h), 0);
	assert_true(H_WAIT(h, h->device_up == 2, 5000));
	blocker_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_traffic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_waits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_waits_for_dispatcher,
						setup_raw, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
