/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * coredump_mem_sink: the memory sink holds exactly the announced size,
 * refuses to grow past it (-ENOSPC), frees on a failed end and keeps the
 * dump on a successful one until rproc_dump_mem_release().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cd_common.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"

static void test_overflow(void **state)
{
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;

	(void)state;
	cd_alloc_install(0, false);
	rproc_dump_sink_mem(&sink, &m);
	assert_ptr_equal(sink.ctx, &m);
	assert_int_equal(sink.begin(sink.ctx, 10), 0);
	assert_int_equal(m.cap, 10);
	assert_int_equal(m.len, 0);
	assert_int_equal(sink.write(sink.ctx, "abcdef", 6), 0);
	assert_int_equal(sink.write(sink.ctx, "ghijk", 5), -ENOSPC);
	assert_int_equal(m.len, 6);
	assert_int_equal(sink.write(sink.ctx, "ghij", 4), 0);
	assert_int_equal(m.len, 10);
	assert_memory_equal(m.buf, "abcdefghij", 10);
	assert_int_equal(sink.write(sink.ctx, "x", 1), -ENOSPC);
	assert_int_equal(sink.write(sink.ctx, "", 0), 0);

	/* A failed end frees and zeroes. */
	assert_int_equal(sink.end(sink.ctx, -ENOSPC), 0);
	assert_null(m.buf);
	assert_int_equal(m.len, 0);
	assert_int_equal(m.cap, 0);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

static void test_keep_and_release(void **state)
{
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;

	(void)state;
	cd_alloc_install(0, false);
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(sink.begin(sink.ctx, 3), 0);
	assert_int_equal(sink.write(sink.ctx, "xyz", 3), 0);
	assert_int_equal(sink.end(sink.ctx, 0), 0);
	assert_non_null(m.buf);
	assert_int_equal(m.len, 3);
	assert_memory_equal(m.buf, "xyz", 3);
	assert_int_equal(cd_alloc.live, 1);
	rproc_dump_mem_release(&m);
	assert_null(m.buf);
	assert_int_equal(m.len, 0);
	assert_int_equal(m.cap, 0);
	assert_int_equal(cd_alloc.live, 0);
	rproc_dump_mem_release(&m); /* twice is harmless */

	/* begin again on a sink still holding a dump replaces it. */
	assert_int_equal(sink.begin(sink.ctx, 4), 0);
	assert_int_equal(sink.begin(sink.ctx, 5), 0);
	assert_int_equal(cd_alloc.live, 1);
	assert_int_equal(m.cap, 5);
	rproc_dump_mem_release(&m);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

static void test_begin_nomem(void **state)
{
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;

	(void)state;
	cd_alloc_install(1, true);
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(sink.begin(sink.ctx, 100), -ENOMEM);
	assert_null(m.buf);
	assert_int_equal(sink.write(sink.ctx, "a", 1), -ENOSPC);
	assert_int_equal(sink.end(sink.ctx, -ENOMEM), 0);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

/* Through the writer: exactly the announced size, nothing more. */
static void test_writer_into_mem(void **state)
{
	static uint8_t ram[777];
	uint8_t regs[128] = {1, 2, 3};
	struct rproc_dump_thread th = {
		.tid = 1, .signo = 6, .regs = regs, .regs_size = sizeof(regs)};
	struct rproc_dump_segment seg = {
		.da = 0x80000000, .size = sizeof(ram), .va = ram};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 243,
		.flags = 1,
		.threads = &th,
		.nthreads = 1,
		.segs = &seg,
		.nsegs = 1,
	};
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;

	(void)state;
	memset(ram, 0xee, sizeof(ram));
	cd_alloc_install(0, false);
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(rproc_coredump_write(&desc, &sink, NULL), 0);
	assert_int_equal(m.len, rproc_coredump_size(&desc));
	assert_int_equal(m.cap, m.len);
	assert_memory_equal(m.buf + m.len - sizeof(ram), ram, sizeof(ram));
	assert_int_equal(cd_alloc.live, 1);
	rproc_dump_mem_release(&m);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_keep_and_release),
		cmocka_unit_test(test_begin_nomem),
		cmocka_unit_test(test_writer_into_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
