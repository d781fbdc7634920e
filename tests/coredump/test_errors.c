/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * coredump_errors: every invalid description is refused with -EINVAL and a
 * precise message before the sink is touched; every sink, reader and
 * allocation failure propagates, end() runs exactly once with the failing
 * status once begin() was called, and nothing leaks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cd_common.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"

static uint8_t regs[512];
static uint8_t ram[5000];

struct reader {
	int calls;
	int fail_at;
	int err;
};

static int read_fail(void *priv, uint64_t offset, void *dst, size_t len)
{
	struct reader *r = priv;

	(void)offset;
	if (++r->calls == r->fail_at)
		return r->err;
	memset(dst, 0xab, len);
	return 0;
}

struct fixture {
	struct rproc_dump_thread th[RPROC_DUMP_MAX_THREADS + 1];
	struct rproc_dump_segment segs[3];
	struct reader rd;
	struct rproc_dump_desc desc;
};

/* A valid desc: 2 threads, a va segment, a 150000-byte read segment (three
 * chunks) and a small va segment, so every kind of write is exercised. */
static void fixture_init(struct fixture *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < RPROC_DUMP_MAX_THREADS + 1; i++) {
		f->th[i].tid = (uint32_t)i + 1;
		f->th[i].signo = 11;
		f->th[i].regs = regs;
		f->th[i].regs_size = 72;
	}
	f->segs[0] = (struct rproc_dump_segment){
		.da = 0x20000000, .size = sizeof(ram), .va = ram};
	f->segs[1] = (struct rproc_dump_segment){.da = 0x10000000,
						 .size = 150000,
						 .read = read_fail,
						 .priv = &f->rd};
	f->segs[2] = (struct rproc_dump_segment){
		.da = 0x30000000, .size = 3, .va = ram};
	f->desc = (struct rproc_dump_desc){
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000200,
		.remote = "r",
		.firmware = "f.elf",
		.crash = "c",
		.threads = f->th,
		.nthreads = 2,
		.segs = f->segs,
		.nsegs = 3,
	};
}

static void assert_msg(const struct rproc_diag *d, const char *want)
{
	if (!strstr(d->msg, want))
		fail_msg("diag \"%s\" does not contain \"%s\"", d->msg, want);
}

/* @desc must be refused with -EINVAL, @want in the message; the sink is
 * only ended (so an owning sink can free itself), never begun or written. */
static void expect_invalid(const struct rproc_dump_desc *desc, const char *want)
{
	struct cd_rec rec = {0};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};

	cd_rec_sink(&sink, &rec);
	cd_alloc_install(0, false);
	assert_int_equal(rproc_coredump_write(desc, &sink, &d), -EINVAL);
	assert_msg(&d, want);
	assert_int_equal(rproc_coredump_size(desc), 0);
	assert_int_equal(rec.begins, 0);
	assert_int_equal(rec.writes, 0);
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, -EINVAL);
	assert_int_equal(cd_alloc.calls, 0);
	/* A NULL diag is allowed. */
	assert_int_equal(rproc_coredump_write(desc, &sink, NULL), -EINVAL);
	assert_int_equal(rec.ends, 2);
	cd_alloc_uninstall();
}

static void test_invalid_desc(void **state)
{
	struct fixture f;

	(void)state;
	expect_invalid(NULL, "coredump: no description");

	fixture_init(&f);
	f.desc.elf_class = 0;
	expect_invalid(&f.desc, "ELF class 0 is neither 1 (ELFCLASS32) nor 2");
	f.desc.elf_class = 3;
	expect_invalid(&f.desc, "ELF class 3 is neither");

	fixture_init(&f);
	f.desc.nthreads = RPROC_DUMP_MAX_THREADS + 1;
	expect_invalid(&f.desc, "coredump: 5 threads, at most 4");

	fixture_init(&f);
	f.desc.threads = NULL;
	expect_invalid(&f.desc, "coredump: 2 threads but no array");

	fixture_init(&f);
	f.th[1].regs = NULL;
	expect_invalid(&f.desc, "coredump: thread 1 has no registers");
	fixture_init(&f);
	f.th[0].regs_size = 0;
	expect_invalid(&f.desc, "coredump: thread 0 has no registers");
	fixture_init(&f);
	f.th[1].regs_size = 513;
	expect_invalid(
		&f.desc,
		"coredump: thread 1 has 513 register bytes, at most 512");

	fixture_init(&f);
	f.desc.segs = NULL;
	expect_invalid(&f.desc, "coredump: 3 segments but no array");

	fixture_init(&f);
	f.segs[2].va = NULL;
	expect_invalid(&f.desc,
		       "coredump: segment 2 (da 0x30000000) has neither va "
		       "nor read");

	/* Sizes that wrap the 64-bit file offset. */
	fixture_init(&f);
	f.desc.elf_class = 2;
	f.segs[0].size = UINT64_MAX / 2;
	f.segs[2].size = UINT64_MAX / 2;
	expect_invalid(
		&f.desc,
		"coredump: segment 2 (size 0x7fffffffffffffff) overflows "
		"the file size");
	fixture_init(&f);
	f.desc.elf_class = 2;
	f.segs[0].size = UINT64_MAX - 100;
	expect_invalid(&f.desc,
		       "segment 0 (size 0xffffffffffffff9b) overflows");

	/* The end of segment 0 is so close to 2^64 that aligning wraps. */
	fixture_init(&f);
	f.desc.elf_class = 2;
	f.desc.nsegs = 2;
	f.segs[0].size = 0;
	f.segs[1].size = 0;
	f.segs[0].size = UINT64_MAX - rproc_coredump_size(&f.desc) - 3;
	expect_invalid(&f.desc, "segment 1 (size 0x0) overflows the file size");

	/* e_phnum 0xffff would mean PN_XNUM: refused before any segment is
	 * looked at. */
	fixture_init(&f);
	f.desc.nsegs = 0xfffe;
	expect_invalid(&f.desc, "coredump: 65534 segments, at most 65533");

	/* ELFCLASS32: addresses, sizes and offsets must fit 32 bits. */
	fixture_init(&f);
	f.segs[1].size = 0x100000000ull;
	expect_invalid(&f.desc,
		       "coredump: segment 1 (da 0x10000000, size 0x100000000) "
		       "does not fit ELFCLASS32");
	fixture_init(&f);
	f.segs[1].da = 0x100000000ull;
	expect_invalid(&f.desc, "segment 1 (da 0x100000000, size 0x249f0) "
				"does not fit ELFCLASS32");
	fixture_init(&f);
	f.segs[1].da = 0xffff0000;
	expect_invalid(&f.desc, "segment 1 (da 0xffff0000, size 0x249f0) "
				"does not fit ELFCLASS32");
	fixture_init(&f);
	f.segs[0].da = 0;
	f.segs[0].size = 0xffffff00; /* pushes segment 1 past 4 GiB */
	expect_invalid(&f.desc, "segment 1 (da 0x10000000, size 0x249f0) "
				"does not fit ELFCLASS32");
}

/* The limits themselves are accepted. */
static void test_limits_accepted(void **state)
{
	struct fixture f;
	struct cd_rec rec = {0};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};

	(void)state;
	fixture_init(&f);
	f.desc.nthreads = RPROC_DUMP_MAX_THREADS;
	f.th[3].regs_size = 512;
	f.segs[1].da = 0xfffdb610; /* ends exactly at 4 GiB */
	f.desc.remote = NULL;
	f.desc.firmware = NULL;
	f.desc.crash = NULL;
	cd_rec_sink(&sink, &rec);
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d), 0);
	assert_int_equal(rec.begins, 1);
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, 0);
	assert_int_equal(rec.bytes, rec.announced);
	assert_int_equal(rec.announced, rproc_coredump_size(&f.desc));
}

static void test_bad_sink(void **state)
{
	struct fixture f;
	struct rproc_dump_sink sink = {0};
	struct rproc_diag d = {{0}};

	(void)state;
	fixture_init(&f);
	assert_int_equal(rproc_coredump_write(&f.desc, NULL, &d), -EINVAL);
	assert_msg(&d, "coredump: sink has no write");
	memset(&d, 0, sizeof(d));
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d), -EINVAL);
	assert_msg(&d, "coredump: sink has no write");
	/* Checked before the description. */
	assert_int_equal(rproc_coredump_write(NULL, &sink, &d), -EINVAL);
	assert_msg(&d, "coredump: sink has no write");
}

static void test_begin_fails(void **state)
{
	struct fixture f;
	struct cd_rec rec = {.begin_err = -EACCES};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};

	(void)state;
	fixture_init(&f);
	cd_rec_sink(&sink, &rec);
	cd_alloc_install(0, false);
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d), -EACCES);
	assert_msg(&d, "sink begin(");
	assert_int_equal(rec.begins, 1);
	assert_int_equal(rec.writes, 0);
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, -EACCES);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

static void test_end_fails(void **state)
{
	struct fixture f;
	struct cd_rec rec = {.end_err = -EIO};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};

	(void)state;
	fixture_init(&f);
	cd_rec_sink(&sink, &rec);
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d), -EIO);
	assert_msg(&d, "coredump: sink end failed (-5)");
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, 0);
	assert_int_equal(rec.bytes, rec.announced);
}

/* Fail the k-th write for every k the dump makes. */
static void test_write_fails_at_each_call(void **state)
{
	struct fixture f;
	struct cd_rec rec = {0};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};
	int n, k;

	(void)state;
	fixture_init(&f);
	cd_rec_sink(&sink, &rec);
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, NULL), 0);
	n = rec.writes;
	/* At least the staged headers, seg0, three chunks and seg2. */
	assert_true(n >= 6);

	for (k = 1; k <= n; k++) {
		memset(&rec, 0, sizeof(rec));
		rec.fail_write_at = k;
		rec.write_err = -ENOSPC;
		fixture_init(&f);
		cd_alloc_install(0, false);
		memset(&d, 0, sizeof(d));
		assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d),
				 -ENOSPC);
		assert_msg(&d, "coredump: sink write of ");
		assert_int_equal(rec.writes, k);
		assert_int_equal(rec.begins, 1);
		assert_int_equal(rec.ends, 1);
		assert_int_equal(rec.end_status, -ENOSPC);
		assert_int_equal(cd_alloc.live, 0);
		cd_alloc_uninstall();
	}
}

/* Fail the k-th read for each of the three chunks. */
static void test_read_fails(void **state)
{
	struct fixture f;
	struct cd_rec rec;
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};
	int k;

	(void)state;
	for (k = 1; k <= 3; k++) {
		memset(&rec, 0, sizeof(rec));
		fixture_init(&f);
		f.rd.fail_at = k;
		f.rd.err = -EFAULT;
		cd_rec_sink(&sink, &rec);
		cd_alloc_install(0, false);
		assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d),
				 -EFAULT);
		assert_msg(&d, "coredump: reading segment 1 at offset 0x");
		assert_int_equal(f.rd.calls, k);
		assert_int_equal(rec.ends, 1);
		assert_int_equal(rec.end_status, -EFAULT);
		assert_int_equal(cd_alloc.live, 0);
		cd_alloc_uninstall();
	}
}

/* The chunk buffer cannot be allocated: -ENOMEM before begin; the sink is
 * still ended once. */
static void test_chunk_alloc_fails(void **state)
{
	struct fixture f;
	struct cd_rec rec = {0};
	struct rproc_dump_sink sink;
	struct rproc_diag d = {{0}};

	(void)state;
	fixture_init(&f);
	cd_rec_sink(&sink, &rec);
	cd_alloc_install(1, true);
	assert_int_equal(rproc_coredump_write(&f.desc, &sink, &d), -ENOMEM);
	assert_msg(&d, "coredump: no memory for a 65536-byte read buffer");
	assert_int_equal(cd_alloc.calls, 1);
	assert_int_equal(cd_alloc.live, 0);
	assert_int_equal(rec.begins, 0);
	assert_int_equal(rec.writes, 0);
	assert_int_equal(rec.ends, 1);
	assert_int_equal(rec.end_status, -ENOMEM);
	cd_alloc_uninstall();
}

/* libuv's OOM loop with the memory sink: fail allocation n for n = 1, 2...
 * until the dump succeeds; every failure is -ENOMEM and frees everything. */
static void test_oom_loop_mem_sink(void **state)
{
	struct fixture f;
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	long n;
	int ret;

	(void)state;
	for (n = 1;; n++) {
		fixture_init(&f);
		rproc_dump_sink_mem(&sink, &m);
		cd_alloc_install(n, false);
		ret = rproc_coredump_write(&f.desc, &sink, NULL);
		if (ret == 0) {
			assert_int_equal(m.len, rproc_coredump_size(&f.desc));
			rproc_dump_mem_release(&m);
			assert_int_equal(cd_alloc.live, 0);
			cd_alloc_uninstall();
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_null(m.buf);
		assert_int_equal(cd_alloc.live, 0);
		cd_alloc_uninstall();
	}
	/* Chunk buffer and the sink's buffer: two allocations to fail. */
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_desc),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_bad_sink),
		cmocka_unit_test(test_begin_fails),
		cmocka_unit_test(test_end_fails),
		cmocka_unit_test(test_write_fails_at_each_call),
		cmocka_unit_test(test_read_fails),
		cmocka_unit_test(test_chunk_alloc_fails),
		cmocka_unit_test(test_oom_loop_mem_sink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
