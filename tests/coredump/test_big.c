/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * coredump_big: a 64 MiB segment the host can address goes to the sink in
 * one write straight from its memory: no copy, no allocation, and the byte
 * count matches the announced size exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "cd_common.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"

#define BIG (64ull * 1024 * 1024)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_big_va_segment(void **state)
{
	uint8_t regs[72] = {0};
	struct rproc_dump_thread th = {
		.tid = 1, .signo = 11, .regs = regs, .regs_size = sizeof(regs)};
	struct rproc_dump_segment segs[2] = {
		{.da = 0x80000000, .size = BIG},
		{.da = 0x20000000, .size = 3},
	};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000200,
		.threads = &th,
		.nthreads = 1,
		.segs = segs,
		.nsegs = 2,
	};
	struct cd_rec rec = {0};
	struct rproc_dump_sink sink;
	uint8_t *ram;
	double t0, dt;

	(void)state;
	/* calloc: untouched zero pages, never copied by the writer. */
	ram = calloc(1, BIG);
	assert_non_null(ram);
	segs[0].va = ram;
	segs[1].va = ram;
	cd_rec_sink(&sink, &rec);
	cd_alloc_install(0, false);
	t0 = now_s();
	assert_int_equal(rproc_coredump_write(&desc, &sink, NULL), 0);
	dt = now_s() - t0;
	assert_int_equal(rec.announced, rproc_coredump_size(&desc));
	assert_int_equal(rec.bytes, rec.announced);
	assert_true(rec.announced > BIG);
	assert_int_equal(rec.max_write, BIG); /* the segment, in one call */
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, 0);
	assert_int_equal(cd_alloc.calls, 0);
	cd_alloc_uninstall();
	free(ram);
	if (dt > 1.0)
		fail_msg("64 MiB dump took %.3f s", dt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_va_segment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
