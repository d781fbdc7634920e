/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual SoC benchmarks, each against the physical baseline it competes
 * with, measured in the same run:
 *
 *   vsoc.<arch>.ips_alu     emulated instructions/s of the bench sample's ALU
 *                           loop (8 ALU ops + 2 loop insns per iteration) vs
 *                           the same loop shape run natively on the host
 *   vsoc.<arch>.ips_store   the store loop (4 stores + 3) vs native
 *   vsoc.<arch>.boot_us     start request -> firmware READY (rproc_ctl_start
 *                           of an OFFLINE remote) vs fork+exec+wait of
 *                           /bin/true (starting a trivial host program)
 *   vsoc.<arch>.recover_us  crash injected -> firmware READY again vs the
 *                           same process baseline
 *
 * Usage: bench_vsoc <board.dtb> <firmware-dir> <results.json>
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_util.h"
#include "rpfw/proto.h"
#include "rproc/os.h"
#include "rproc/rproc.h"
#include "rproc/vsoc.h"

extern char **environ;

#define RUNS 5
#define BOOTS 21

struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t want;
	int got;
};

static void on_word(void *ctx, uint32_t w)
{
	struct inbox *in = ctx;

	pthread_mutex_lock(&in->lock);
	if (w == in->want)
		in->got = 1;
	pthread_cond_signal(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

static void arm(struct inbox *in, uint32_t want)
{
	pthread_mutex_lock(&in->lock);
	in->want = want;
	in->got = 0;
	pthread_mutex_unlock(&in->lock);
}

static int wait_got(struct inbox *in)
{
	struct timespec ts;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	pthread_mutex_lock(&in->lock);
	while (!in->got && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&in->cond, &in->lock, &ts);
	ret = in->got ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

static void fail(const char *what, int err)
{
	fprintf(stderr, "bench_vsoc: %s: %s\n", what, rproc_strerror(err));
	exit(1);
}

/* ---- native baselines (x86-64 host) -------------------------------------- */

static double native_alu_ips(uint64_t iters)
{
	double t0 = bench_now_ns();
	uint64_t a = 1, b = 2, c = 3, n = iters;

	/* 8 ALU instructions + dec + jnz = 10, like the firmware's loop */
	__asm__ volatile("1:\n\t"
			 "add %1, %0\n\t"
			 "xor %0, %2\n\t"
			 "add %2, %1\n\t"
			 "sub %0, %2\n\t"
			 "or %1, %0\n\t"
			 "and %2, %1\n\t"
			 "add %0, %2\n\t"
			 "xor %2, %1\n\t"
			 "dec %3\n\t"
			 "jnz 1b"
			 : "+r"(a), "+r"(b), "+r"(c), "+r"(n));
	return (double)iters * 10 / ((bench_now_ns() - t0) / 1e9);
}

static double native_store_ips(uint64_t iters)
{
	static volatile uint32_t buf[16];
	double t0 = bench_now_ns();
	uint64_t n = iters;
	uint32_t v = 0;

	/* 4 stores + inc + dec + jnz = 7, like the firmware's loop */
	__asm__ volatile("1:\n\t"
			 "movl %1, (%2)\n\t"
			 "movl %1, 4(%2)\n\t"
			 "movl %1, 8(%2)\n\t"
			 "movl %1, 12(%2)\n\t"
			 "incl %1\n\t"
			 "dec %0\n\t"
			 "jnz 1b"
			 : "+r"(n), "+r"(v)
			 : "r"(buf)
			 : "memory");
	return (double)iters * 7 / ((bench_now_ns() - t0) / 1e9);
}

static double spawn_true_us(void)
{
	char *argv[] = {"/bin/true", NULL};
	double t0 = bench_now_ns();
	pid_t pid;
	int st;

	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ))
		return 0;
	waitpid(pid, &st, 0);
	return (bench_now_ns() - t0) / 1e3;
}

/* ---- the emulated side ---------------------------------------------------- */

static double run_loop(struct rproc *r, struct inbox *in, uint32_t cmd,
		       uint32_t done, uint32_t units, unsigned insns)
{
	double t0 = bench_now_ns();

	arm(in, done);
	if (vsoc_mbox_send(r, RPFW_WORD(cmd, units)))
		fail("send", -EIO);
	if (wait_got(in))
		fail("bench loop", -ETIMEDOUT);
	return (double)units * RPFW_BENCH_UNIT * insns /
	       ((bench_now_ns() - t0) / 1e9);
}

struct fig {
	double v[BOOTS];
	double base[BOOTS];
	size_t n;
};

static void fig_add(struct bench_result *res, size_t *nres, char *name,
		    const char *unit, struct fig *f)
{
	double v = bench_median(f->v, f->n);
	double b = bench_median(f->base, f->n);

	res[*nres] = (struct bench_result){name, v, unit, b, b ? v / b : 0};
	(*nres)++;
}

int main(int argc, char **argv)
{
	static const char *const cores[] = {"m4", "rv"};
	static const char *const archs[] = {"m4", "rv32"};
	static const char *const own[] = {"vsoc."};
	static char names[8][64];
	struct bench_result res[8];
	struct rproc_diag d = {{0}};
	struct vsoc_board *b;
	size_t nres = 0, nn = 0;
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_vsoc <board.dtb> <firmware-dir> "
				"<results.json>\n");
		return 2;
	}
	rproc_os_fw_set_search_path(argv[2]);
	ret = vsoc_board_open(argv[1], &b, &d);
	if (ret) {
		fprintf(stderr, "bench_vsoc: %s\n", d.msg);
		return 1;
	}
	printf("%-24s %14s %14s %9s\n", "figure", "result", "baseline",
	       "ratio");
	for (int a = 0; a < 2; a++) {
		struct rproc *r = vsoc_board_find(b, cores[a]);
		struct inbox in = {PTHREAD_MUTEX_INITIALIZER,
				   PTHREAD_COND_INITIALIZER, 0, 0};
		struct fig alu = {0}, st = {0}, boot = {0}, rec = {0};
		char fw[64];

		snprintf(fw, sizeof(fw), "bench-%s.elf", archs[a]);
		vsoc_set_host_rx(r, on_word, &in);
		rproc_set_coredump(r, RPROC_DUMP_DISABLED);
		if ((ret = rproc_set_firmware(r, fw)))
			fail(fw, ret);
		for (int i = 0; i < BOOTS; i++) {
			double t0 = bench_now_ns();

			arm(&in, RPFW_MSG_READY);
			if ((ret = rproc_ctl_start(r)) || (ret = wait_got(&in)))
				fail("boot", ret);
			boot.v[i] = (bench_now_ns() - t0) / 1e3;
			boot.base[i] = spawn_true_us();
			boot.n++;
			if (i + 1 < BOOTS && (ret = rproc_ctl_stop(r)))
				fail("stop", ret);
		}
		for (int i = 0; i < RUNS; i++) {
			alu.v[i] = run_loop(r, &in, RPFW_CMD_BENCH_ALU,
					    RPFW_MSG_BENCH_ALU_DONE, 16384,
					    RPFW_BENCH_ALU_INSNS);
			alu.base[i] = native_alu_ips(16384ull * 1024 * 4);
			st.v[i] = run_loop(r, &in, RPFW_CMD_BENCH_STORE,
					   RPFW_MSG_BENCH_STORE_DONE, 1024,
					   RPFW_BENCH_STORE_INSNS);
			st.base[i] = native_store_ips(16384ull * 1024 * 4);
			alu.n++;
			st.n++;
		}
		/* a crash reported by the host (as its watchdog would):
		 * halt, reload, restart, READY */
		for (int i = 0; i < BOOTS; i++) {
			double t0 = bench_now_ns();

			arm(&in, RPFW_MSG_READY);
			if ((ret = rproc_report_crash(r,
						      RPROC_CRASH_FATAL_ERROR)))
				fail("crash", ret);
			if ((ret = wait_got(&in)))
				fail("recovery", ret);
			rec.v[i] = (bench_now_ns() - t0) / 1e3;
			rec.base[i] = spawn_true_us();
			rec.n++;
			rproc_wait_state(r, RPROC_RUNNING, 5000);
		}
		snprintf(names[nn], 64, "vsoc.%s.ips_alu", archs[a]);
		fig_add(res, &nres, names[nn++], "insn/s", &alu);
		snprintf(names[nn], 64, "vsoc.%s.ips_store", archs[a]);
		fig_add(res, &nres, names[nn++], "insn/s", &st);
		snprintf(names[nn], 64, "vsoc.%s.boot_us", archs[a]);
		fig_add(res, &nres, names[nn++], "us", &boot);
		snprintf(names[nn], 64, "vsoc.%s.recover_us", archs[a]);
		fig_add(res, &nres, names[nn++], "us", &rec);
		rproc_ctl_stop(r);
		vsoc_set_host_rx(r, NULL, NULL);
	}
	for (size_t i = 0; i < nres; i++)
		printf("%-24s %14.4g %14.4g %9.3g  (%s)\n", res[i].name,
		       res[i].value, res[i].baseline, res[i].ratio,
		       res[i].unit);
	printf("ips: emulated vs the same loop natively; boot/recover: vs "
	       "posix_spawn+wait of /bin/true\n");
	vsoc_board_close(b);
	if (bench_results_write(argv[3], res, nres, own, 1)) {
		fprintf(stderr, "bench_vsoc: cannot write %s\n", argv[3]);
		return 1;
	}
	return 0;
}
