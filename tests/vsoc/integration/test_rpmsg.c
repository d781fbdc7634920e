/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsoc_rpmsg: rpmsg between the host bus (src/rpmsg) and the echo firmware
 * (firmware/samples/echo, the firmware library's rpmsg stack) on the
 * virtual SoC's Cortex-M4 and RV32 cores, booted by the always-on policy.
 * The m4 sees the shared memory at other addresses than the host's bus
 * addresses (dma-ranges), so every descriptor is translated.
 *
 *  - echo_both_archs: name service announces "rpmsg-echo"; negotiated
 *    features and MTU; many endpoints at once, every payload size from 1 to
 *    the MTU, each echo checked byte for byte and in order per endpoint.
 *  - crash_mid_traffic: senders blocked and busy on several endpoints, the
 *    firmware faults in its mailbox interrupt: every sender gets -ENOTCONN
 *    within a bound, every endpoint its unbind (-EIO), the device goes
 *    down; recovery reloads the firmware, the channel is announced again
 *    and echo works on new endpoints.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/proto.h"
#include "rproc/rpmsg.h"
#include "vsoc_test.h"

static const char *const cores[] = {"m4", "rv"};
static const char *const images[] = {"echo-m4.elf", "echo-rv32.elf"};

#define N_EPT 8
#define PER_EPT 120
#define N_SENDERS 4
#define WAKE_BOUND_MS 2000

/* One core's bus and what its events said (lock). */
struct side {
	struct rproc *r;
	struct rproc_rpmsg *bus;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rpmsg_device *rdev;
	int ups, downs, down_reason, channels;
	uint32_t echo_addr;
};

static bool side_wait(struct side *s, int *field, int value, int ms)
{
	struct timespec ts;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (*field < value && ok)
		ok = !pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	ok = *field >= value;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void ev_up(void *ctx, struct rpmsg_device *rdev)
{
	struct side *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->rdev = rdev;
	s->ups++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void ev_down(void *ctx, struct rpmsg_device *rdev, int reason)
{
	struct side *s = ctx;

	(void)rdev;
	pthread_mutex_lock(&s->lock);
	s->down_reason = reason;
	s->echo_addr = 0;
	s->downs++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void ev_channel(void *ctx, struct rpmsg_device *rdev, const char *name,
		       uint32_t addr)
{
	struct side *s = ctx;

	(void)rdev;
	if (strcmp(name, "rpmsg-echo"))
		return;
	pthread_mutex_lock(&s->lock);
	s->echo_addr = addr;
	s->channels++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static const struct rpmsg_bus_ops ops = {
	.device_up = ev_up,
	.device_down = ev_down,
	.channel_up = ev_channel,
};

/* The default board with echo on m4 and rv, the buses attached before the
 * board is added (the always-on policy boots both then). */
static struct vsoc_board *open_echo_board(struct side s[2])
{
	struct vsoc_board *b = vt_open("vsoc");

	for (int i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		pthread_mutex_init(&s[i].lock, NULL);
		pthread_cond_init(&s[i].cond, NULL);
		s[i].r = vsoc_board_find(b, cores[i]);
		assert_non_null(s[i].r);
		assert_int_equal(rproc_set_firmware(s[i].r, images[i]), 0);
		assert_int_equal(
			rproc_set_coredump(s[i].r, RPROC_DUMP_DISABLED), 0);
		assert_int_equal(
			rproc_rpmsg_attach(s[i].r, &ops, &s[i], &s[i].bus), 0);
	}
	assert_int_equal(vsoc_board_add(b), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rproc_wait_state(s[i].r, RPROC_RUNNING, 5000),
				 0);
		assert_true(side_wait(&s[i], &s[i].channels, 1, 5000));
	}
	return b;
}

/* Stop both (the bus comes off an offline remote only), then close. */
static void close_echo_board(struct vsoc_board *b, struct side s[2])
{
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rproc_ctl_stop(s[i].r), 0);
		assert_int_equal(rproc_state_get(s[i].r), RPROC_OFFLINE);
		assert_int_equal(s[i].down_reason, -ESHUTDOWN);
		rproc_rpmsg_detach(s[i].bus);
	}
	vsoc_board_close(b);
	for (int i = 0; i < 2; i++) {
		pthread_cond_destroy(&s[i].cond);
		pthread_mutex_destroy(&s[i].lock);
	}
}

/* ---- echo ----------------------------------------------------------------- */

/* Message @seq of endpoint @ept: its length and its bytes. */
static size_t msg_len(unsigned seq, size_t mtu)
{
	return 1 + (seq * 37u) % mtu;
}

static uint8_t msg_byte(unsigned ept, unsigned seq, size_t i)
{
	return (uint8_t)(ept * 31u + seq * 7u + i);
}

struct ept_state {
	struct rpmsg_endpoint *ept;
	unsigned idx;
	size_t mtu;
	atomic_uint got, bad;
};

static int echo_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	struct ept_state *e = priv;
	unsigned seq = atomic_load(&e->got);
	const uint8_t *p = data;
	bool ok = len == msg_len(seq, e->mtu);

	(void)ept;
	(void)src;
	for (size_t i = 0; ok && i < len; i++)
		ok = p[i] == msg_byte(e->idx, seq, i);
	if (!ok)
		atomic_fetch_add(&e->bad, 1);
	atomic_fetch_add(&e->got, 1);
	return 0;
}

static void echo_both_archs(void **state)
{
	static struct ept_state e[2][N_EPT];
	/* static: after a failed assertion the board lives on, calling back
	 * into these */
	static struct side s[2];
	struct vsoc_board *b;
	uint8_t buf[RPMSG_BUF_SIZE_DEFAULT];

	(void)state;
	b = open_echo_board(s);
	for (int c = 0; c < 2; c++) {
		struct rpmsg_device *rdev = rproc_rpmsg_device(s[c].bus, 0);

		assert_ptr_equal(rdev, s[c].rdev);
		assert_int_equal(rpmsg_device_mtu(rdev), 496);
		assert_int_equal(rpmsg_device_rx_mtu(rdev), 496);
		assert_true(rpmsg_device_features(rdev) &
			    (1u << VIRTIO_RPMSG_F_NS));
		assert_true(rpmsg_device_features(rdev) &
			    (1u << VIRTIO_RPMSG_F_BUFSZ));
		assert_true(s[c].echo_addr >= RPMSG_RESERVED_ADDRESSES);
		assert_true(vt_trace_wait(s[c].r, "echo: rpmsg ready, mtu 496",
					  2000));
		for (unsigned i = 0; i < N_EPT; i++) {
			e[c][i] = (struct ept_state){.idx = i, .mtu = 496};
			assert_int_equal(
				rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY,
						 s[c].echo_addr, echo_rx, NULL,
						 &e[c][i], &e[c][i].ept),
				0);
		}
	}
	/* both cores at once, the endpoints interleaved */
	for (unsigned seq = 0; seq < PER_EPT; seq++)
		for (unsigned i = 0; i < N_EPT; i++)
			for (int c = 0; c < 2; c++) {
				size_t len = msg_len(seq, 496);

				for (size_t k = 0; k < len; k++)
					buf[k] = msg_byte(i, seq, k);
				assert_int_equal(
					rpmsg_send(e[c][i].ept, buf, len), 0);
			}
	for (int c = 0; c < 2; c++)
		for (unsigned i = 0; i < N_EPT; i++) {
			for (int w = 0;
			     w < 10000 && atomic_load(&e[c][i].got) < PER_EPT;
			     w++)
				usleep(1000);
			assert_int_equal(atomic_load(&e[c][i].got), PER_EPT);
			assert_int_equal(atomic_load(&e[c][i].bad), 0);
			rpmsg_destroy_ept(e[c][i].ept);
		}
	for (int c = 0; c < 2; c++) {
		struct rpmsg_device_stats st;

		rpmsg_device_get_stats(s[c].rdev, &st);
		print_message("%s: %llu messages echoed on %d endpoints, "
			      "every size 1..496\n",
			      cores[c], (unsigned long long)st.rx, N_EPT);
		assert_int_equal(st.rx, N_EPT * PER_EPT);
		assert_int_equal(st.rx_bad_len + st.rx_no_ept + st.ns_bad, 0);
	}
	close_echo_board(b, s);
}

/* ---- a crash in the middle of traffic ------------------------------------- */

struct sender {
	struct rpmsg_endpoint *ept;
	int mode; /* 0 send, 1 send_timeout, 2 get_tx_buffer + nocopy */
	int ret;
	atomic_uint sent, echoed, unbound;
	atomic_int unbind_reason;
	uint64_t end_ns;
};

static int count_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		    uint32_t src, void *priv)
{
	struct sender *s = priv;

	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	atomic_fetch_add(&s->echoed, 1);
	return 0;
}

static void on_unbind(struct rpmsg_endpoint *ept, int reason, void *priv)
{
	struct sender *s = priv;

	(void)ept;
	atomic_store(&s->unbind_reason, reason);
	atomic_fetch_add(&s->unbound, 1);
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t msg[64];

	memset(msg, 0x5a, sizeof(msg));
	for (;;) {
		if (s->mode == 0) {
			s->ret = rpmsg_send(s->ept, msg, sizeof(msg));
		} else if (s->mode == 1) {
			s->ret = rpmsg_send_timeout(s->ept,
						    rpmsg_ept_dst(s->ept), msg,
						    sizeof(msg), 60000);
		} else {
			size_t size;
			void *b = rpmsg_get_tx_buffer(s->ept, &size, -1);

			s->ret = b ? rpmsg_send_nocopy(s->ept,
						       rpmsg_ept_dst(s->ept), b,
						       16)
				   : -ENOTCONN;
		}
		if (s->ret)
			break;
		atomic_fetch_add(&s->sent, 1);
	}
	s->end_ns = vt_now_ns();
	return NULL;
}

static void crash_mid_traffic(void **state)
{
	static struct side s[2]; /* as in echo_both_archs() */
	struct vsoc_board *b;

	(void)state;
	b = open_echo_board(s);
	for (int c = 0; c < 2; c++) {
		/* static, as s: endpoints and threads use them */
		static struct sender snd_of[2][N_SENDERS];
		struct sender *snd = snd_of[c];
		pthread_t th[N_SENDERS];
		struct rpmsg_endpoint *e;
		uint64_t t0, worst = 0;
		static struct sender again;

		for (int i = 0; i < N_SENDERS; i++) {
			memset(&snd[i], 0, sizeof(snd[i]));
			snd[i].mode = i % 3;
			assert_int_equal(rpmsg_create_ept(s[c].rdev, NULL,
							  RPMSG_ADDR_ANY,
							  s[c].echo_addr,
							  count_rx, on_unbind,
							  &snd[i], &snd[i].ept),
					 0);
			assert_int_equal(pthread_create(&th[i], NULL,
							sender_main, &snd[i]),
					 0);
		}
		/* traffic flows both ways on every endpoint ... */
		for (int i = 0; i < N_SENDERS; i++)
			for (int w = 0;
			     w < 5000 && atomic_load(&snd[i].echoed) < 50; w++)
				usleep(1000);
		for (int i = 0; i < N_SENDERS; i++)
			assert_true(atomic_load(&snd[i].echoed) >= 50);
		/* ... when the firmware faults */
		t0 = vt_now_ns();
		assert_int_equal(
			vsoc_mbox_send(s[c].r, RPFW_WORD(RPFW_CMD_CRASH, 0)),
			0);
		/* (the kicks of the busy senders are coalesced: the mailbox
		 * has room for the word) */
		for (int i = 0; i < N_SENDERS; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(snd[i].ret, -ENOTCONN);
			if (snd[i].end_ns - t0 > worst)
				worst = snd[i].end_ns - t0;
		}
		assert_true(worst < WAKE_BOUND_MS * 1000000ull);
		/* device_down comes after every endpoint's unbind */
		assert_true(side_wait(&s[c], &s[c].downs, 1, 5000));
		assert_int_equal(s[c].down_reason, -EIO);
		for (int i = 0; i < N_SENDERS; i++) {
			assert_int_equal(atomic_load(&snd[i].unbound), 1);
			assert_int_equal(atomic_load(&snd[i].unbind_reason),
					 -EIO);
		}
		assert_int_equal(rproc_crash_count(s[c].r), 1);
		assert_int_equal(rproc_last_crash(s[c].r),
				 RPROC_CRASH_MMUFAULT);
		/* the old endpoints stay unbound, even once the device is
		 * back */
		for (int i = 0; i < N_SENDERS; i++) {
			assert_int_equal(
				rpmsg_trysend(snd[i].ept, 1024, "x", 1),
				-ENOTCONN);
			rpmsg_destroy_ept(snd[i].ept);
		}
		/* recovery: the firmware announces the channel again */
		assert_int_equal(rproc_wait_state(s[c].r, RPROC_RUNNING, 5000),
				 0);
		assert_true(side_wait(&s[c], &s[c].channels, 2, 5000));
		assert_int_equal(s[c].ups, 2);
		memset(&again, 0, sizeof(again));
		assert_int_equal(rpmsg_create_ept(s[c].rdev, NULL,
						  RPMSG_ADDR_ANY,
						  s[c].echo_addr, count_rx,
						  on_unbind, &again, &e),
				 0);
		for (int i = 0; i < 100; i++)
			assert_int_equal(rpmsg_send(e, "again", 5), 0);
		for (int w = 0; w < 5000 && atomic_load(&again.echoed) < 100;
		     w++)
			usleep(1000);
		assert_int_equal(atomic_load(&again.echoed), 100);
		rpmsg_destroy_ept(e);
		print_message("%s: %d senders woke %.1f ms after the fault at "
			      "most; echo back after recovery\n",
			      cores[c], N_SENDERS, (double)worst / 1e6);
	}
	close_echo_board(b, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(echo_both_archs),
		cmocka_unit_test(crash_mid_traffic),
	};

	vt_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
