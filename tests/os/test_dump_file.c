/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * os_dump_file: the file sink for core dumps.  Success leaves exactly the
 * bytes, mode 0600 whatever the umask, and no temporary file; a failure
 * midway leaves neither the final file nor a temporary one; an existing file
 * is replaced only on success; a sink never begun still frees its context.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/alloc.h"
#include "rproc/coredump.h"

static char dir[] = "/tmp/rproc-dump-XXXXXX";
static char path[128];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/core.remote0", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Number of entries in the directory other than "." and "..". */
static int count_entries(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static size_t read_back(char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_success(void **state)
{
	struct rproc_dump_sink sink;
	char buf[64];
	struct stat st;
	mode_t old;

	(void)state;
	old = umask(0); /* would make a 0666 file without the fchmod */
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.begin(sink.ctx, 11), 0);
	assert_int_equal(sink.write(sink.ctx, "hello ", 6), 0);
	assert_int_equal(sink.write(sink.ctx, "world", 5), 0);
	assert_int_equal(sink.end(sink.ctx, 0), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(read_back(buf, sizeof(buf)), 11);
	assert_memory_equal(buf, "hello world", 11);
	assert_int_equal(count_entries(), 1);
	unlink(path);
}

static void test_failure_midway(void **state)
{
	struct rproc_dump_sink sink;

	(void)state;
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.begin(sink.ctx, 100), 0);
	assert_int_equal(sink.write(sink.ctx, "partial", 7), 0);
	assert_int_equal(count_entries(), 1); /* the temporary file */
	assert_int_equal(sink.end(sink.ctx, -EIO), 0);
	assert_int_equal(count_entries(), 0);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_replace_only_on_success(void **state)
{
	struct rproc_dump_sink sink;
	char buf[64];
	FILE *f;

	(void)state;
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("old dump", f);
	fclose(f);

	/* Failure: the old file is intact. */
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.begin(sink.ctx, 8), 0);
	assert_int_equal(sink.write(sink.ctx, "new ", 4), 0);
	assert_int_equal(sink.end(sink.ctx, -ENOSPC), 0);
	assert_int_equal(read_back(buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "old dump", 8);
	assert_int_equal(count_entries(), 1);

	/* A short dump (less than announced) is a failure too. */
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.begin(sink.ctx, 8), 0);
	assert_int_equal(sink.write(sink.ctx, "new ", 4), 0);
	assert_int_equal(sink.end(sink.ctx, 0), -EIO);
	assert_int_equal(read_back(buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "old dump", 8);
	assert_int_equal(count_entries(), 1);

	/* Success: replaced. */
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.begin(sink.ctx, 8), 0);
	assert_int_equal(sink.write(sink.ctx, "new dump", 8), 0);
	assert_int_equal(sink.end(sink.ctx, 0), 0);
	assert_int_equal(read_back(buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "new dump", 8);
	assert_int_equal(count_entries(), 1);
	unlink(path);
}

static void test_end_without_begin(void **state)
{
	struct rproc_dump_sink sink;

	(void)state;
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.end(sink.ctx, -EINVAL), 0);
	assert_int_equal(rproc_dump_sink_file(&sink, path), 0);
	assert_int_equal(sink.end(sink.ctx, 0), -EINVAL);
	assert_int_equal(count_entries(), 0);
	assert_int_equal(rproc_dump_sink_file(&sink, ""), -EINVAL);
}

static void test_begin_fails(void **state)
{
	struct rproc_dump_sink sink;
	char bad[160];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/no/such/dir/core", dir);
	assert_int_equal(rproc_dump_sink_file(&sink, bad), 0);
	assert_int_equal(sink.begin(sink.ctx, 1), -ENOENT);
	assert_int_equal(sink.end(sink.ctx, -ENOENT), 0);
	assert_int_equal(count_entries(), 0);
}

static int fail_at, nalloc, live;

static void *oom_malloc(void *ctx, size_t size)
{
	(void)ctx;
	if (nalloc++ == fail_at)
		return NULL;
	live++;
	return malloc(size);
}

static void oom_free(void *ctx, void *ptr)
{
	(void)ctx;
	live--;
	free(ptr);
}

static void test_out_of_memory(void **state)
{
	const struct rproc_alloc_hooks hooks = {oom_malloc, oom_free, NULL};
	struct rproc_dump_sink sink;
	int ret;

	(void)state;
	rproc_set_alloc_hooks(&hooks);
	for (fail_at = 0;; fail_at++) {
		nalloc = live = 0;
		ret = rproc_dump_sink_file(&sink, path);
		if (!ret)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(live, 0);
	}
	assert_true(fail_at > 0);
	assert_int_equal(sink.begin(sink.ctx, 2), 0);
	assert_int_equal(sink.write(sink.ctx, "ok", 2), 0);
	assert_int_equal(sink.end(sink.ctx, 0), 0);
	assert_int_equal(live, 0);
	rproc_set_alloc_hooks(NULL);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_failure_midway),
		cmocka_unit_test(test_replace_only_on_success),
		cmocka_unit_test(test_end_without_begin),
		cmocka_unit_test(test_begin_fails),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
