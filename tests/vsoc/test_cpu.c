// SPDX-License-Identifier: BSD-3-Clause
/*
 * The emulated cores (src/drivers/vsoc/cpu.h) running the assembly programs
 * of tests/vsoc/cpu_fw on both architectures.  `test_cpu <group>` runs one
 * group (one ctest each, see cpu.cmake).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpu.h"
#include "rproc/vsoc_regs.h"

#include "arm_test_syms.h"
#include "rv32_test_syms.h"

/* ---- a small board: memory, a core, what the firmware sent ---------------- */

#define ARM_MEM0 0x00000000u /* tcm, executable */
#define ARM_MEM1 0x20000000u /* sram, not executable */
#define ARM_MBOX 0x40000000u
#define RV_MEM0 0x80000000u
#define RV_MEM1 0x80100000u
#define RV_MBOX 0x10000000u
#define MEM0_SIZE 0x40000u
#define MEM1_SIZE 0x10000u
#define RSC_DA 0x1234u

struct board {
	enum vsoc_arch arch;
	void *mem[2];
	struct vsoc_cpu_map maps[2];
	struct vsoc_cpu *cpu;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t *rx;
	size_t rx_n, rx_cap;
	int faults;
	enum vsoc_fault fault;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = {.tv_sec = us / 1000000u,
			      .tv_nsec = (long)(us % 1000000u) * 1000};

	nanosleep(&ts, NULL);
}

static void host_rx(void *ctx, uint32_t word)
{
	struct board *b = ctx;

	pthread_mutex_lock(&b->lock);
	if (b->rx_n == b->rx_cap) {
		b->rx_cap = b->rx_cap ? 2 * b->rx_cap : 1024;
		b->rx = realloc(b->rx, b->rx_cap * sizeof(*b->rx));
		assert_non_null(b->rx);
	}
	b->rx[b->rx_n++] = word;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void on_fault(void *ctx, enum vsoc_fault fault)
{
	struct board *b = ctx;

	pthread_mutex_lock(&b->lock);
	b->faults++;
	b->fault = fault;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void load(struct board *b, const char *name)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s_%s.bin", CPU_FW_DIR,
		 b->arch == VSOC_ARCH_RV32 ? "rv32" : "arm", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	memset(b->mem[0], 0, MEM0_SIZE);
	n = fread(b->mem[0], 1, MEM0_SIZE, f);
	assert_true(n > 0);
	fclose(f);
}

static void board_init(struct board *b, enum vsoc_arch arch,
		       uint32_t watchdog_ms)
{
	struct vsoc_cpu_config cfg;
	struct rproc_diag d = {{0}};
	bool rv = arch == VSOC_ARCH_RV32;

	memset(b, 0, sizeof(*b));
	b->arch = arch;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->mem[0] = aligned_alloc(4096, MEM0_SIZE);
	b->mem[1] = aligned_alloc(4096, MEM1_SIZE);
	assert_non_null(b->mem[0]);
	assert_non_null(b->mem[1]);
	memset(b->mem[1], 0, MEM1_SIZE);
	b->maps[0] = (struct vsoc_cpu_map){
		.da = rv ? RV_MEM0 : ARM_MEM0,
		.size = MEM0_SIZE,
		.host = b->mem[0],
		.exec = true,
	};
	b->maps[1] = (struct vsoc_cpu_map){
		.da = rv ? RV_MEM1 : ARM_MEM1,
		.size = MEM1_SIZE,
		.host = b->mem[1],
		.exec = false,
	};
	load(b, "test");
	cfg = (struct vsoc_cpu_config){
		.name = rv ? "rv" : "m4",
		.arch = arch,
		.maps = b->maps,
		.nmaps = 2,
		.mbox_base = rv ? RV_MBOX : ARM_MBOX,
		.rsc_table_da = RSC_DA,
		.watchdog_ms = watchdog_ms,
		.host_rx = host_rx,
		.on_fault = on_fault,
		.ctx = b,
	};
	assert_int_equal(vsoc_cpu_create(&cfg, &b->cpu, &d), 0);
}

static void board_fini(struct board *b)
{
	vsoc_cpu_destroy(b->cpu);
	free(b->mem[0]);
	free(b->mem[1]);
	free(b->rx);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
}

static void rx_clear(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	b->rx_n = 0;
	b->faults = 0;
	b->fault = VSOC_FAULT_NONE;
	pthread_mutex_unlock(&b->lock);
}

/* Wait until @n words arrived (true) or @ms passed (false). */
static bool wait_rx(struct board *b, size_t n, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	bool ok;

	pthread_mutex_lock(&b->lock);
	while (b->rx_n < n && now_ns() < end) {
		pthread_mutex_unlock(&b->lock);
		sleep_us(200);
		pthread_mutex_lock(&b->lock);
	}
	ok = b->rx_n >= n;
	pthread_mutex_unlock(&b->lock);
	return ok;
}

static bool wait_fault(struct board *b, unsigned ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
	bool ok;

	pthread_mutex_lock(&b->lock);
	while (!b->faults && now_ns() < end) {
		pthread_mutex_unlock(&b->lock);
		sleep_us(200);
		pthread_mutex_lock(&b->lock);
	}
	ok = b->faults > 0;
	pthread_mutex_unlock(&b->lock);
	return ok;
}

/* A program by the names of its entry points on each architecture. */
struct prog {
	uint32_t arm_vtor;
	uint32_t rv_entry;
};

#define PROG(arm_vt, rv_start)                                                 \
	((struct prog){.arm_vtor = ARM_TEST_##arm_vt,                          \
		       .rv_entry = RV32_TEST_##rv_start})

static int start(struct board *b, struct prog p)
{
	rx_clear(b);
	if (b->arch == VSOC_ARCH_RV32)
		return vsoc_cpu_start(b->cpu, 0, p.rv_entry);
	return vsoc_cpu_start(b->cpu, p.arm_vtor, 0);
}

/* The pc, a register (r4 / s4) and the link register of a halt. */
static uint32_t halt_pc(struct board *b, const struct vsoc_cpu_halt *h)
{
	return b->arch == VSOC_ARCH_RV32 ? h->regs[0] : h->regs[15];
}

static uint32_t halt_counter(struct board *b, const struct vsoc_cpu_halt *h)
{
	return b->arch == VSOC_ARCH_RV32 ? h->regs[20] /* s4 = x20 */
					 : h->regs[4];
}

static uint32_t halt_lr(struct board *b, const struct vsoc_cpu_halt *h)
{
	return b->arch == VSOC_ARCH_RV32 ? h->regs[1] : h->regs[14];
}

static const enum vsoc_arch arches[] = {VSOC_ARCH_CORTEX_M4, VSOC_ARCH_RV32};
#define FOR_EACH_ARCH(a)                                                       \
	for (size_t a##_i = 0; a##_i < 2 && ((a = arches[a##_i]), 1); a##_i++)

/* ---- config -------------------------------------------------------------- */

static void test_config_errors(void **state)
{
	static uint8_t buf[8192] __attribute__((aligned(4096)));
	struct vsoc_cpu_map maps[2] = {
		{.da = 0x0, .size = 0x1000, .host = buf, .exec = true},
		{.da = 0x1000, .size = 0x1000, .host = buf + 4096},
	};
	struct vsoc_cpu_config cfg = {
		.name = "bad",
		.arch = VSOC_ARCH_CORTEX_M4,
		.maps = maps,
		.nmaps = 2,
		.mbox_base = 0x40000000,
	};
	struct vsoc_cpu *cpu = NULL;
	struct rproc_diag d = {{0}};

	(void)state;
	cfg.arch = (enum vsoc_arch)7;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "architecture"));
	cfg.arch = VSOC_ARCH_CORTEX_M4;

	maps[1].da = 0x800;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "4 KiB"));
	maps[1].da = 0x0;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "overlaps"));
	maps[1].da = 0x1000;

	cfg.mbox_base = 0x1000;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "mailbox"));
	cfg.mbox_base = 0xE000E000;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "system-control"));
	cfg.mbox_base = 0x40000000;

	cfg.nmaps = 0;
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), -EINVAL);
	cfg.nmaps = 2;
	assert_null(cpu);

	/* fine: created, never started */
	assert_int_equal(vsoc_cpu_create(&cfg, &cpu, &d), 0);
	assert_false(vsoc_cpu_running(cpu));
	{
		struct vsoc_cpu_halt h;
		struct vsoc_cpu_stats st;

		assert_int_equal(vsoc_cpu_halt_info(cpu, &h), -ENODATA);
		assert_int_equal(vsoc_cpu_send(cpu, 1), -ENODEV);
		assert_int_equal(vsoc_cpu_stop(cpu), 0);
		vsoc_cpu_stats(cpu, &st);
		assert_int_equal(st.blocks, 0);
	}
	/* vector table outside memory, reset vector without the Thumb bit */
	assert_int_equal(vsoc_cpu_start(cpu, 0x30000000, 0), -EINVAL);
	memset(buf, 0, 8);
	assert_int_equal(vsoc_cpu_start(cpu, 0, 0), -ENOEXEC);
	assert_false(vsoc_cpu_running(cpu));
	vsoc_cpu_destroy(cpu);
	vsoc_cpu_destroy(NULL);
}

static void test_config_start_twice(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct vsoc_cpu_halt h;

		board_init(&b, a, 0);
		assert_int_equal(vsoc_cpu_rsc_table(b.cpu), RSC_DA);
		assert_int_equal(start(&b, PROG(vt_sleep, sleep_start)), 0);
		assert_true(vsoc_cpu_running(b.cpu));
		assert_int_equal(start(&b, PROG(vt_sleep, sleep_start)),
				 -EBUSY);
		assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
		assert_false(vsoc_cpu_running(b.cpu));
		assert_int_equal(vsoc_cpu_stop(b.cpu), 0); /* idempotent */
		assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
		assert_int_equal(h.fault, VSOC_FAULT_NONE);
		assert_int_equal(h.regs_size, a == VSOC_ARCH_RV32 ? 128 : 72);
		/* halted in the sleep loop */
		if (a == VSOC_ARCH_RV32)
			assert_true(halt_pc(&b, &h) >= RV32_TEST_sleep_start &&
				    halt_pc(&b, &h) < RV32_TEST_alu_start);
		else
			assert_true(halt_pc(&b, &h) >= ARM_TEST_sleep_reset &&
				    halt_pc(&b, &h) < ARM_TEST_vt_alu);
		board_fini(&b);
	}
}

/* ---- mailbox echo --------------------------------------------------------- */

#define ECHO_N 10000u

static void echo(struct board *b, struct prog p, bool irq)
{
	struct vsoc_cpu_stats st;
	uint64_t t0;

	assert_int_equal(start(b, p), 0);
	t0 = now_ns();
	for (uint32_t i = 1; i <= ECHO_N; i++) {
		int r;

		while ((r = vsoc_cpu_send(b->cpu, i)) == -EAGAIN)
			sleep_us(20);
		assert_int_equal(r, 0);
	}
	assert_true(wait_rx(b, ECHO_N, 10000));
	sleep_us(20000); /* nothing more may come */
	pthread_mutex_lock(&b->lock);
	assert_int_equal(b->rx_n, ECHO_N);
	for (uint32_t i = 0; i < ECHO_N; i++)
		if (b->rx[i] != i + 2)
			fail_msg("word %u: got 0x%x, want 0x%x", i, b->rx[i],
				 i + 2);
	pthread_mutex_unlock(&b->lock);
	vsoc_cpu_stats(b->cpu, &st);
	assert_int_equal(st.host_rx, ECHO_N);
	assert_true(st.blocks > 0);
	if (irq)
		assert_true(st.irqs > 0);
	else
		assert_int_equal(st.irqs, 0);
	print_message(
		"%s %s echo: %u words in %.1f ms (%.1f us each), "
		"%llu irqs, %llu wakeups\n",
		b->arch == VSOC_ARCH_RV32 ? "rv32" : "m4", irq ? "irq" : "poll",
		ECHO_N, (now_ns() - t0) / 1e6, (now_ns() - t0) / 1e3 / ECHO_N,
		(unsigned long long)st.irqs, (unsigned long long)st.wakeups);
	assert_int_equal(vsoc_cpu_stop(b->cpu), 0);
}

static void test_echo_irq(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct vsoc_cpu_halt h;

		board_init(&b, a, 0);
		echo(&b, PROG(vt_echo, echo_start), true);
		/* the exception frame was popped: sp is back where the
		 * thread left it (4 mod 8 on the Cortex-M4) */
		assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
		if (a == VSOC_ARCH_CORTEX_M4)
			assert_int_equal(h.regs[13], 0x20010000 - 4);
		else
			assert_int_equal(h.regs[2], 0x80110000);
		board_fini(&b);
	}
}

static void test_echo_poll(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;

		board_init(&b, a, 0);
		echo(&b, PROG(vt_poll, poll_start), false);
		board_fini(&b);
	}
}

/* ---- idle ------------------------------------------------------------------ */

static void test_idle(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct vsoc_cpu_stats st;
		uint64_t c0, t0, c1, t1;
		double pct;

		board_init(&b, a, 0);
		assert_int_equal(start(&b, PROG(vt_echo, echo_start)), 0);
		sleep_us(50000);
		c0 = cpu_time_ns();
		t0 = now_ns();
		sleep_us(1000000);
		c1 = cpu_time_ns();
		t1 = now_ns();
		pct = 100.0 * (double)(c1 - c0) / (double)(t1 - t0);
		print_message("%s idle: %.2f %% of a core\n",
			      a == VSOC_ARCH_RV32 ? "rv32" : "m4", pct);
		assert_true(pct < 5.0);
		vsoc_cpu_stats(b.cpu, &st);
		assert_int_equal(st.wakeups, 0);
		assert_int_equal(vsoc_cpu_send(b.cpu, 41), 0);
		assert_true(wait_rx(&b, 1, 2000));
		assert_int_equal(b.rx[0], 42);
		vsoc_cpu_stats(b.cpu, &st);
		assert_int_equal(st.wakeups, 1);
		assert_int_equal(st.irqs, 1);
		board_fini(&b);
	}
}

/* ---- timer and watchdog ---------------------------------------------------- */

static void test_timer(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		uint64_t t0, dt;

		board_init(&b, a, 0);
		t0 = now_ns();
		assert_int_equal(start(&b, PROG(vt_timer, timer_start)), 0);
		assert_true(wait_rx(&b, 1, 2000));
		dt = now_ns() - t0;
		print_message("%s timer: 50 ms timer fired at TIME_US %u, "
			      "host saw %.1f ms\n",
			      a == VSOC_ARCH_RV32 ? "rv32" : "m4", b.rx[0],
			      dt / 1e6);
		assert_true(b.rx[0] >= 50000 && b.rx[0] < 150000);
		assert_true(dt >= 50000000 && dt < 250000000);
		sleep_us(100000); /* one shot: nothing more */
		assert_int_equal(b.rx_n, 1);
		board_fini(&b);
	}
}

#define WD_MS 300u

static void test_watchdog_spin(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct vsoc_cpu_halt h;
		uint64_t t0, dt;
		uint32_t pc;
		char want[64];

		board_init(&b, a, WD_MS);
		t0 = now_ns();
		assert_int_equal(start(&b, PROG(vt_wd_spin, wd_spin_start)), 0);
		assert_true(wait_fault(&b, 3000));
		dt = now_ns() - t0;
		assert_int_equal(b.fault, VSOC_FAULT_WATCHDOG);
		assert_false(vsoc_cpu_running(b.cpu));
		assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
		pc = halt_pc(&b, &h);
		print_message("%s watchdog: fired after %.1f ms at pc 0x%x: "
			      "%s\n",
			      a == VSOC_ARCH_RV32 ? "rv32" : "m4", dt / 1e6, pc,
			      h.info);
		assert_true(dt >= WD_MS * 1000000ull &&
			    dt < (WD_MS + 500) * 1000000ull);
		assert_int_equal(h.fault, VSOC_FAULT_WATCHDOG);
		if (a == VSOC_ARCH_RV32)
			assert_true(pc >= RV32_TEST_wd_spin &&
				    pc < RV32_TEST_wd_spin_end);
		else
			assert_true(pc >= ARM_TEST_wd_spin &&
				    pc < ARM_TEST_wd_spin_end);
		assert_true(halt_counter(&b, &h) > 0);
		snprintf(want, sizeof(want), "watchdog: no heartbeat for %u ms",
			 WD_MS);
		assert_non_null(strstr(h.info, want));
		/* the core is halted: stop keeps the fault */
		assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
		assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
		assert_int_equal(h.fault, VSOC_FAULT_WATCHDOG);
		assert_int_equal(vsoc_cpu_send(b.cpu, 1), -ENODEV);
		board_fini(&b);
	}
}

static void test_watchdog_pet(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct vsoc_cpu_stats st;

		board_init(&b, a, WD_MS);
		assert_int_equal(start(&b, PROG(vt_wd_pet, wd_pet_start)), 0);
		sleep_us(3 * WD_MS * 1000 + 100000);
		assert_true(vsoc_cpu_running(b.cpu));
		assert_int_equal(b.faults, 0);
		vsoc_cpu_stats(b.cpu, &st);
		/* woken by the 100 ms timer ~10 times */
		assert_true(st.wakeups >= 5);
		assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
		board_fini(&b);
	}
}

/* ---- faults ------------------------------------------------------------------ */

struct fault_case {
	const char *name;
	struct prog prog;
	enum vsoc_fault fault;
	uint32_t pc;
	uint64_t addr;
	bool check_lr;
	uint32_t lr;
	const char *info;
};

static void run_fault(enum vsoc_arch a, const struct fault_case *c)
{
	struct board b;
	struct vsoc_cpu_halt h;

	board_init(&b, a, 0);
	assert_int_equal(start(&b, c->prog), 0);
	if (!wait_fault(&b, 3000))
		fail_msg("%s: no fault", c->name);
	assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
	print_message("%s %-14s %-8s pc 0x%08x addr 0x%08llx lr 0x%08x: %s\n",
		      a == VSOC_ARCH_RV32 ? "rv32" : "m4", c->name,
		      vsoc_fault_name(h.fault), halt_pc(&b, &h),
		      (unsigned long long)h.fault_addr, halt_lr(&b, &h),
		      h.info);
	assert_int_equal(b.fault, c->fault);
	assert_int_equal(h.fault, c->fault);
	if (halt_pc(&b, &h) != c->pc)
		fail_msg("%s: pc 0x%x, want 0x%x", c->name, halt_pc(&b, &h),
			 c->pc);
	assert_int_equal(h.fault_addr, c->addr);
	if (c->check_lr)
		assert_int_equal(halt_lr(&b, &h), c->lr);
	if (c->info && !strstr(h.info, c->info))
		fail_msg("%s: info \"%s\" lacks \"%s\"", c->name, h.info,
			 c->info);
	assert_false(vsoc_cpu_running(b.cpu));
	if (c->fault == VSOC_FAULT_READ && !strcmp(c->name, "bad read")) {
		/* the pc search ran the block's store again with other
		 * registers: it must have been undone */
		assert_int_equal(((uint32_t *)b.mem[1])[4], 0);
		assert_int_equal(((uint32_t *)b.mem[1])[3], 0x55);
	}
	if (c->fault == VSOC_FAULT_PANIC)
		assert_int_equal(h.panic_code, 3);
	board_fini(&b);
}

/* name, program, fault, pc, fault_addr, check lr, lr, info */
#define ARM_CASE(name, vt, fault, pc, addr, chk, lr, info)                     \
	{                                                                      \
		name, {ARM_TEST_##vt, 0}, VSOC_FAULT_##fault, pc, addr, chk,   \
			lr, info                                               \
	}
#define RV_CASE(name, start, fault, pc, addr, chk, lr, info)                   \
	{                                                                      \
		name, {0, RV32_TEST_##start}, VSOC_FAULT_##fault, pc, addr,    \
			chk, lr, info                                          \
	}

static void test_faults_arm(void **state)
{
	/* clang-format off */
	const struct fault_case cases[] = {
		ARM_CASE("bad read", vt_bad_read, READ, ARM_TEST_bad_read_insn,
			 0x30000000, false, 0, "data abort: read at 0x30000000"),
		ARM_CASE("bad write", vt_bad_write, WRITE,
			 ARM_TEST_bad_write_insn, 0x30000010, false, 0,
			 "data abort: write at 0x30000010"),
		ARM_CASE("bad write2", vt_bad_write2, WRITE,
			 ARM_TEST_bad_write2_insn, 0x30000000, false, 0, NULL),
		ARM_CASE("bad read2", vt_bad_read2, READ,
			 ARM_TEST_bad_read2_insn, 0x30000000, false, 0, NULL),
		ARM_CASE("undef", vt_undef, UNDEF, ARM_TEST_undef_insn,
			 ARM_TEST_undef_insn, false, 0,
			 "undefined instruction 0xde42"),
		ARM_CASE("undef32", vt_undef32, UNDEF, ARM_TEST_undef32_insn,
			 ARM_TEST_undef32_insn, false, 0,
			 "undefined instruction"),
		ARM_CASE("null call", vt_null_call, INVSTATE, 0, 0, true,
			 ARM_TEST_null_call_ret | 1, "invalid state"),
		ARM_CASE("jump unmapped", vt_jump_unmapped, FETCH, 0x30000000,
			 0x30000000, false, 0, "prefetch abort at 0x30000000"),
		ARM_CASE("jump xn", vt_jump_xn, FETCH, 0x20000100, 0x20000100,
			 false, 0, "prefetch abort"),
		ARM_CASE("panic", vt_panic, PANIC, ARM_TEST_panic_spin, 0,
			 false, 0, "panic 0x3: sensor lost\\x01!"),
		ARM_CASE("svc", vt_svc, UNDEF, ARM_TEST_svc_insn,
			 ARM_TEST_svc_insn, false, 0, "svc"),
	};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_fault(VSOC_ARCH_CORTEX_M4, &cases[i]);
}

static void test_faults_rv32(void **state)
{
	/* clang-format off */
	const struct fault_case cases[] = {
		RV_CASE("bad read", bad_read, READ, RV32_TEST_bad_read_insn,
			0x30000000, false, 0, "data abort: read at 0x30000000"),
		RV_CASE("bad write", bad_write, WRITE,
			RV32_TEST_bad_write_insn, 0x30000010, false, 0,
			"data abort: write at 0x30000010"),
		RV_CASE("bad write2", bad_write2, WRITE,
			RV32_TEST_bad_write2_insn, 0x30000000, false, 0, NULL),
		RV_CASE("bad read2", bad_read2, READ, RV32_TEST_bad_read2_insn,
			0x30000000, false, 0, NULL),
		RV_CASE("undef32", undef32, UNDEF, RV32_TEST_undef32_insn,
			RV32_TEST_undef32_insn, false, 0,
			"illegal instruction 0xc0001073"),
		RV_CASE("undef16", undef16, UNDEF, RV32_TEST_undef16_insn,
			RV32_TEST_undef16_insn, false, 0,
			"illegal instruction 0x0 "),
		RV_CASE("null call", null_call, FETCH, 0, 0, true,
			RV32_TEST_null_call_ret, "fetch fault at 0x0"),
		RV_CASE("jump unmapped", jump_unmapped, FETCH, 0x30000000,
			0x30000000, false, 0, "fetch fault at 0x30000000"),
		RV_CASE("jump xn", jump_xn, FETCH, 0x80100100, 0x80100100,
			false, 0, "fetch fault"),
		RV_CASE("panic", panic_prog, PANIC, RV32_TEST_panic_spin, 0,
			false, 0, "panic 0x3: sensor lost\\x01!"),
		RV_CASE("ecall", ecall_prog, UNDEF, RV32_TEST_ecall_insn,
			RV32_TEST_ecall_insn, false, 0, "ecall"),
		RV_CASE("ebreak", ebreak_prog, UNDEF, RV32_TEST_ebreak_insn,
			RV32_TEST_ebreak_insn, false, 0, "breakpoint"),
	};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_fault(VSOC_ARCH_RV32, &cases[i]);
}

/* ---- stop precision ---------------------------------------------------------- */

#define STOP_ROUNDS 1000u

static void test_stop(void **state)
{
	enum vsoc_arch a;
	unsigned seed = 1;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		uint64_t total = 0;

		board_init(&b, a, 0);
		for (unsigned round = 0; round < STOP_ROUNDS; round++) {
			struct vsoc_cpu_halt h;
			uint32_t sent = 0, got = 0, count;

			assert_int_equal(start(&b, PROG(vt_count, count_start)),
					 0);
			/* each send makes the engine stop and restart */
			for (unsigned k = 0; k < 3; k++) {
				sleep_us(rand_r(&seed) % 100);
				if (vsoc_cpu_send(b.cpu, 0x1000 * round + k) ==
				    0)
					sent++;
			}
			sleep_us(rand_r(&seed) % 100);
			assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
			assert_int_equal(vsoc_cpu_halt_info(b.cpu, &h), 0);
			assert_int_equal(h.fault, VSOC_FAULT_NONE);
			count = halt_counter(&b, &h);
			pthread_mutex_lock(&b.lock);
			/* one TX per iteration: the host saw exactly as many
			 * iterations as the register counted */
			if (b.rx_n != count)
				fail_msg(
					"round %u: %zu words for %u iterations",
					round, b.rx_n, count);
			/* each RX read popped one word, in order, once */
			for (size_t i = 0; i < b.rx_n; i++) {
				if (b.rx[i] == VSOC_MBOX_EMPTY)
					continue;
				if (b.rx[i] != 0x1000 * round + got)
					fail_msg("round %u: word %zu is 0x%x",
						 round, i, b.rx[i]);
				got++;
			}
			pthread_mutex_unlock(&b.lock);
			assert_true(got <= sent);
			total += count;
		}
		print_message("%s stop: %u stop/start rounds, %llu iterations, "
			      "no replay\n",
			      a == VSOC_ARCH_RV32 ? "rv32" : "m4", STOP_ROUNDS,
			      (unsigned long long)total);
		board_fini(&b);
	}
}

/* ---- reload -------------------------------------------------------------------- */

static void test_reload(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		struct prog p = {0, RV_MEM0};
		static const char *const order[] = {"reload_a", "reload_b",
						    "reload_a"};
		static const uint32_t want[] = {0xA, 0xB, 0xA};

		board_init(&b, a, 0);
		for (int i = 0; i < 3; i++) {
			if (i)
				assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
			/* same addresses, other code: translated blocks of
			 * the previous program must not run */
			load(&b, order[i]);
			assert_int_equal(start(&b, p), 0);
			assert_true(wait_rx(&b, 1, 2000));
			assert_int_equal(b.rx[0], want[i]);
		}
		board_fini(&b);
	}
}

/* ---- queue and destroy ---------------------------------------------------------- */

static void test_queue(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;

		board_init(&b, a, 0);
		/* sleeps in wfi with no interrupt enabled: nothing reads */
		assert_int_equal(start(&b, PROG(vt_sleep, sleep_start)), 0);
		/* a doorbell still waiting is not queued twice (kicks)... */
		assert_int_equal(vsoc_cpu_send_once(b.cpu, 0), 0);
		assert_int_equal(vsoc_cpu_send_once(b.cpu, 0), 0);
		/* ... but other words and plain sends are: the queue holds
		 * 0 once, then 1..63 */
		for (unsigned i = 1; i < VSOC_MBOX_DEPTH; i++)
			assert_int_equal(vsoc_cpu_send(b.cpu, i), 0);
		assert_int_equal(vsoc_cpu_send(b.cpu, 99), -EAGAIN);
		assert_int_equal(vsoc_cpu_send_once(b.cpu, 5), 0); /* queued */
		assert_int_equal(vsoc_cpu_send_once(b.cpu, 99), -EAGAIN);
		assert_true(vsoc_cpu_running(b.cpu));
		assert_int_equal(vsoc_cpu_stop(b.cpu), 0);
		assert_int_equal(vsoc_cpu_send(b.cpu, 1), -ENODEV);
		/* a start empties the queue */
		assert_int_equal(start(&b, PROG(vt_sleep, sleep_start)), 0);
		assert_int_equal(vsoc_cpu_send(b.cpu, 1), 0);
		board_fini(&b);
	}
}

static void test_destroy(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		uint64_t t0;

		/* running */
		board_init(&b, a, 0);
		assert_int_equal(start(&b, PROG(vt_spin, spin_start)), 0);
		sleep_us(20000);
		t0 = now_ns();
		board_fini(&b);
		assert_true(now_ns() - t0 < 500000000ull);

		/* idle */
		board_init(&b, a, 0);
		assert_int_equal(start(&b, PROG(vt_sleep, sleep_start)), 0);
		sleep_us(20000);
		board_fini(&b);

		/* busy with mailbox traffic and a watchdog armed */
		board_init(&b, a, 1000);
		assert_int_equal(start(&b, PROG(vt_echo, echo_start)), 0);
		for (uint32_t i = 0; i < 100; i++)
			vsoc_cpu_send(b.cpu, i);
		board_fini(&b);
	}
}

/* ---- speed ------------------------------------------------------------------------ */

static double ips(struct board *b, struct prog p, unsigned insns_per_iter)
{
	struct vsoc_cpu_halt h;
	uint64_t t0, dt;

	assert_int_equal(start(b, p), 0);
	t0 = now_ns();
	sleep_us(300000);
	assert_int_equal(vsoc_cpu_stop(b->cpu), 0);
	dt = now_ns() - t0;
	assert_int_equal(vsoc_cpu_halt_info(b->cpu, &h), 0);
	if (h.fault != VSOC_FAULT_NONE)
		fail_msg("%s", h.info);
	if (getenv("DBG")) {
		struct vsoc_cpu_stats st;

		vsoc_cpu_stats(b->cpu, &st);
		print_message("dbg: pc 0x%x counter %u blocks %llu\n",
			      halt_pc(b, &h), halt_counter(b, &h),
			      (unsigned long long)st.blocks);
	}
	return (double)halt_counter(b, &h) * insns_per_iter / (dt / 1e9);
}

static void test_speed(void **state)
{
	enum vsoc_arch a;

	(void)state;
	FOR_EACH_ARCH(a)
	{
		struct board b;
		double alu, store, alu2;
		const char *n = a == VSOC_ARCH_RV32 ? "rv32" : "m4";

		board_init(&b, a, 0);
		alu = ips(&b, PROG(vt_alu, alu_start), 4);
		store = ips(&b, PROG(vt_store, store_start), 4);
		/* a data fault runs the pc search (count = 1 runs): the next
		 * start must be as fast as before */
		assert_int_equal(start(&b, PROG(vt_bad_read, bad_read)), 0);
		assert_true(wait_fault(&b, 2000));
		alu2 = ips(&b, PROG(vt_alu, alu_start), 4);
		print_message("%s speed: ALU loop %.0f M insn/s (%.0f after a "
			      "data fault), store loop %.1f M insn/s\n",
			      n, alu / 1e6, alu2 / 1e6, store / 1e6);
		assert_true(alu2 > alu / 2);
		board_fini(&b);
	}
}

/* ---- groups ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const struct CMUnitTest config[] = {
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_start_twice),
	};
	const struct CMUnitTest echo_tests[] = {
		cmocka_unit_test(test_echo_irq),
		cmocka_unit_test(test_echo_poll),
	};
	const struct CMUnitTest idle[] = {cmocka_unit_test(test_idle)};
	const struct CMUnitTest timer[] = {cmocka_unit_test(test_timer)};
	const struct CMUnitTest watchdog[] = {
		cmocka_unit_test(test_watchdog_spin),
		cmocka_unit_test(test_watchdog_pet),
	};
	const struct CMUnitTest faults[] = {
		cmocka_unit_test(test_faults_arm),
		cmocka_unit_test(test_faults_rv32),
	};
	const struct CMUnitTest stop[] = {cmocka_unit_test(test_stop)};
	const struct CMUnitTest reload[] = {cmocka_unit_test(test_reload)};
	const struct CMUnitTest queue[] = {
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_destroy),
	};
	const struct CMUnitTest speed[] = {cmocka_unit_test(test_speed)};
	const char *g = argc > 1 ? argv[1] : "";

#define GROUP(name, tests)                                                     \
	if (!strcmp(g, name))                                                  \
		return cmocka_run_group_tests_name("vsoc_cpu_" name, tests,    \
						   NULL, NULL);
	GROUP("config", config);
	GROUP("echo", echo_tests);
	GROUP("idle", idle);
	GROUP("timer", timer);
	GROUP("watchdog", watchdog);
	GROUP("faults", faults);
	GROUP("stop", stop);
	GROUP("reload", reload);
	GROUP("queue", queue);
	GROUP("speed", speed);
#undef GROUP
	fprintf(stderr,
		"usage: %s config|echo|idle|timer|watchdog|faults|stop|reload|"
		"queue|speed\n",
		argv[0]);
	return 2;
}
