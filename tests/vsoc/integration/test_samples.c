/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sample firmware on both architectures through the core: hello on the
 * default board (auto-boot), table-less and raw firmware with board-supplied
 * resources, a board/firmware resource conflict, reload of different
 * firmware at the same addresses, the host CPU an idle firmware costs, and
 * a heartbeat that survives a flooded mailbox.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/proto.h"
#include "vsoc_test.h"

static const char *const cores[] = {"m4", "rv"};
static const char *const greet[] = {"hello from cortex-m4", "hello from rv32"};

static void ping(struct rproc *r, struct vt_rx *rx, uint32_t n)
{
	assert_int_equal(vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_PING, n)), 0);
	assert_true(vt_rx_wait(rx, RPFW_MSG_PONG | n, 5000));
}

/* The default board added (m4 and rv boot on their own), the words both
 * send to the host recorded in @rx; and the end of it. */
static struct vsoc_board *open_both(struct vt_rx rx[2])
{
	struct vsoc_board *b = vt_open("vsoc");

	for (int i = 0; i < 2; i++)
		vt_rx_attach(&rx[i], vsoc_board_find(b, cores[i]));
	assert_int_equal(vsoc_board_add(b), 0);
	return b;
}

static void close_both(struct vsoc_board *b, struct vt_rx rx[2])
{
	vsoc_board_close(b);
	for (int i = 0; i < 2; i++)
		vt_rx_detach(&rx[i], NULL);
}

/* The default board: m4 and rv boot on their own as soon as the board is
 * added (always-on), say hello, answer pings; the boot-ROM-started aon core
 * is attached. */
static void hello_autoboot(void **state)
{
	struct vsoc_board *b = vt_open("vsoc");
	struct vt_rx rx[2];
	char line[32];

	(void)state;
	assert_int_equal(vsoc_board_count(b), 3);
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_non_null(r);
		assert_true(rproc_always_on(r));
		vt_rx_attach(&rx[i], r);
	}
	assert_int_equal(vsoc_board_add(b), 0);
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 5000), 0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
		assert_true(vt_trace_wait(r, greet[i], 2000));
		for (uint32_t n = 1; n <= 20; n++)
			ping(r, &rx[i], n);
		assert_true(vt_trace_wait(r, "ping 20\n", 2000));
		assert_int_equal(vt_rx_count(&rx[i], RPFW_MSG_PONG | 7), 1);
	}
	assert_int_equal(rproc_wait_state(vsoc_board_find(b, "aon"),
					  RPROC_ATTACHED, 5000),
			 0);
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_int_equal(rproc_ctl_stop(r), 0);
		assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
		/* a stopped core takes no mail */
		assert_int_equal(vsoc_mbox_send(r, 1), -ENODEV);
		vt_rx_detach(&rx[i], r);
	}
	snprintf(line, sizeof(line), "%s",
		 vsoc_arch_name(vsoc_board_find(b, "rv")));
	assert_string_equal(line, "rv32");
	vsoc_board_close(b);
}

/* Boot @fw on core @core of @board by request, wait for READY and @greeting,
 * ping it; leaves it running. */
static struct rproc *boot_sample(struct vsoc_board *b, const char *core,
				 struct vt_rx *rx, const char *greeting)
{
	struct rproc *r = vsoc_board_find(b, core);

	assert_non_null(r);
	vt_rx_attach(rx, r);
	assert_int_equal(rproc_boot(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	assert_true(vt_rx_wait(rx, RPFW_MSG_READY, 5000));
	assert_true(vt_trace_wait(r, greeting, 2000));
	ping(r, rx, 42);
	assert_true(vt_trace_wait(r, "ping 42\n", 2000));
	return r;
}

static int find_rsc(void *ctx, const struct rproc_resource *res)
{
	const struct rproc_resource **out = ctx;

	if (res->d.type == RSC_TRACE && !strcmp(res->d.name, "trace0")) {
		*out = res;
		return 1;
	}
	return 0;
}

/* No .resource_table: the trace buffer comes from the board, the core
 * builds the table into rsc-table, the firmware finds its trace there. */
static void notable_board_resources(void **state)
{
	static const char *const board[] = {"notable", "raw"};
	static const char *const up[] = {"notable up", "raw up"};

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct vsoc_board *b = vt_open(board[k]);

		assert_int_equal(vsoc_board_add(b), 0);
		for (int i = 0; i < 2; i++) {
			const struct rproc_resource *tr = NULL;
			struct vt_rx rx;
			struct rproc *r = boot_sample(b, cores[i], &rx, up[k]);

			assert_int_equal(
				rproc_resource_foreach(r, find_rsc, &tr), 1);
			assert_true(tr->sources & (1u << RPROC_SRC_PLATFORM));
			assert_false(tr->sources & (1u << RPROC_SRC_FIRMWARE));
			assert_int_equal(tr->d.da,
					 i == 0 ? 0x20010000u : 0x80030000u);
			assert_int_equal(rproc_shutdown(r), 0);
			vt_rx_detach(&rx, r);
		}
		vsoc_board_close(b);
	}
}

/* The board's "sram" is elsewhere than the firmware's table says: boot
 * refused, message names both sides, nothing runs. */
static void resource_conflict_refused(void **state)
{
	struct vsoc_board *b = vt_open("conflict");
	struct rproc *r = vsoc_board_find(b, "m4");
	char msg[256];

	(void)state;
	assert_int_equal(vsoc_board_add(b), 0);
	assert_int_equal(rproc_boot(r), -EINVAL);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_int_equal(rproc_power_count(r), 0);
	rproc_last_error(r, msg, sizeof(msg));
	assert_non_null(strstr(msg, "sram"));
	assert_non_null(strstr(msg, "firmware"));
	assert_non_null(strstr(msg, "platform"));
	assert_non_null(strstr(msg, "0x21000000"));
	assert_non_null(strstr(msg, "0x20000000"));
	vsoc_board_close(b);
}

/* Stop, load different firmware at the same addresses, start: the new
 * code runs (translated code of the old one was flushed).  The cores are
 * always-on: a new firmware name boots them by itself. */
static void reload_runs_new_code(void **state)
{
	static const char *const fw[2][2] = {
		{"crash-m4.elf", "hello-m4.elf"},
		{"crash-rv32.elf", "hello-rv32.elf"},
	};
	static const char *const up[2][2] = {
		{"crash up", "hello from cortex-m4"},
		{"crash up", "hello from rv32"},
	};
	struct vsoc_board *b;
	struct vt_rx rx[2];

	(void)state;
	b = open_both(rx);
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 5000), 0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
		for (int round = 0; round < 6; round++) {
			int k = round % 2;

			assert_int_equal(rproc_ctl_stop(r), 0);
			vt_rx_reset(&rx[i]);
			assert_int_equal(rproc_set_firmware(r, fw[i][k]), 0);
			assert_int_equal(
				rproc_wait_state(r, RPROC_RUNNING, 5000), 0);
			assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
			assert_true(vt_trace_wait(r, up[i][k], 2000));
			ping(r, &rx[i], (uint32_t)round);
		}
	}
	close_both(b, rx);
}

/* An idle firmware (wfi, a 10 Hz heartbeat timer) costs < 5 % of a host
 * core over one second, on both architectures at once. */
static void idle_costs_no_cpu(void **state)
{
	struct vsoc_board *b;
	struct vt_rx rx[2];
	uint64_t cpu0, t0, cpu, t;
	struct vsoc_stats st;

	(void)state;
	b = open_both(rx);
	for (int i = 0; i < 2; i++)
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
	assert_int_equal(rproc_wait_state(vsoc_board_find(b, "aon"),
					  RPROC_ATTACHED, 5000),
			 0);
	t0 = vt_now_ns();
	cpu0 = vt_cpu_ns();
	usleep(1000 * 1000);
	cpu = vt_cpu_ns() - cpu0;
	t = vt_now_ns() - t0;
	printf("idle: three remotes cost %.2f %% of a core over %.2f s\n",
	       100.0 * (double)cpu / (double)t, (double)t / 1e9);
	assert_true(cpu * 20 < t);
	/* they really were woken by their heartbeat timers meanwhile */
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_int_equal(vsoc_stats(r, &st), 0);
		assert_true(st.wakeups >= 5);
		ping(r, &rx[i], 7);
	}
	close_both(b, rx);
}

/* A host that keeps the inbox full for longer than the watchdog timeout
 * must not starve the firmware's heartbeat timer: the mailbox interrupt
 * takes the timer between words, not only when it is entered.  Each core
 * is flooded with pings for 1.3 s; the vsoc board's watchdog times out at
 * 1 s. */
struct flood {
	struct rproc *r;
	uint64_t end_ns;
	unsigned long sent, full;
};

static void *flood_main(void *arg)
{
	struct flood *f = arg;

	while (vt_now_ns() < f->end_ns) {
		int ret = vsoc_mbox_send(f->r, RPFW_WORD(RPFW_CMD_PING, 1));

		if (ret == -EAGAIN)
			f->full++;
		else if (ret)
			break;
		else
			f->sent++;
	}
	return NULL;
}

static void mail_flood_keeps_heartbeat(void **state)
{
	struct vsoc_board *b;
	struct vt_rx rx[2];

	(void)state;
	b = open_both(rx);
	/* one core at a time: the flooding thread and the emulator each
	 * have a host core, so the inbox never runs dry */
	for (int i = 0; i < 2; i++) {
		struct flood f = {
			.r = vsoc_board_find(b, cores[i]),
			.end_ns = vt_now_ns() + 1300000000ull,
		};
		int ret = -EAGAIN;

		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
		assert_true(vt_trace_wait(f.r, greet[i], 2000));
		flood_main(&f);
		printf("%s: %lu pings in 1.3 s, the inbox full %lu times\n",
		       cores[i], f.sent, f.full);
		/* the inbox really was kept full */
		assert_true(f.full > 0);
		assert_int_equal(rproc_state_get(f.r), RPROC_RUNNING);
		/* still the firmware's: the pings left in the inbox, answered
		 * in a few ms */
		vt_rx_reset(&rx[i]); /* room for the answer */
		for (int w = 0; w < 1000; w++) {
			ret = vsoc_mbox_send(f.r, RPFW_WORD(RPFW_CMD_PING, 9));
			if (ret != -EAGAIN)
				break;
			usleep(1000);
		}
		assert_int_equal(ret, 0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_PONG | 9, 5000));
		assert_int_equal(rproc_crash_count(f.r), 0);
	}
	close_both(b, rx);
}

/* The bench sample's loops run to completion on both cores and answer;
 * an out-of-range argument is refused at once. */
static void bench_sample_runs(void **state)
{
	static const char *const fw[] = {"bench-m4.elf", "bench-rv32.elf"};
	struct vsoc_board *b;
	struct vt_rx rx[2];

	(void)state;
	b = open_both(rx);
	for (int i = 0; i < 2; i++) {
		struct rproc *r = vsoc_board_find(b, cores[i]);

		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
		assert_int_equal(rproc_ctl_stop(r), 0);
		vt_rx_reset(&rx[i]);
		assert_int_equal(rproc_set_firmware(r, fw[i]), 0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_READY, 5000));
		assert_true(vt_trace_wait(r, "bench up", 2000));
		assert_int_equal(
			vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_BENCH_ALU, 64)),
			0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_BENCH_ALU_DONE, 5000));
		assert_int_equal(
			vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_BENCH_STORE, 16)),
			0);
		assert_true(
			vt_rx_wait(&rx[i], RPFW_MSG_BENCH_STORE_DONE, 5000));
		assert_true(vt_trace_wait(r, "bench store 16 done", 2000));
		vt_rx_reset(&rx[i]);
		assert_int_equal(
			vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_BENCH_ALU, 0)), 0);
		assert_true(vt_rx_wait(&rx[i], RPFW_MSG_BENCH_ALU_DONE, 5000));
		assert_true(vt_trace_wait(r, "0 units out of range", 2000));
		ping(r, &rx[i], 3);
	}
	close_both(b, rx);
}

/* Board errors surface at open with the node and property. */
static void bad_board_inputs(void **state)
{
	struct rproc_diag d = {{0}};
	struct vsoc_board *b = (struct vsoc_board *)1;
	static const uint8_t garbage[64] = {0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3};

	(void)state;
	assert_int_equal(vsoc_board_open("/nonexistent/board.dtb", &b, &d),
			 -ENOENT);
	assert_null(b);
	assert_non_null(strstr(d.msg, "/nonexistent/board.dtb"));
	assert_int_equal(vsoc_board_open_blob(garbage, sizeof(garbage), &b, &d),
			 -EINVAL);
	assert_null(b);
	assert_true(strlen(d.msg) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_autoboot),
		cmocka_unit_test(notable_board_resources),
		cmocka_unit_test(resource_conflict_refused),
		cmocka_unit_test(reload_runs_new_code),
		cmocka_unit_test(idle_costs_no_cpu),
		cmocka_unit_test(mail_flood_keeps_heartbeat),
		cmocka_unit_test(bench_sample_runs),
		cmocka_unit_test(bad_board_inputs),
	};

	vt_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
