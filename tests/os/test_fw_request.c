/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * os_fw_request: looking a firmware up now.  Found in the second search
 * directory; name rules; -ENOENT; a directory or FIFO instead of a file;
 * symlinks inside the directory work, ones leading out do not; exact
 * content; the search path rules; every allocation failing in turn gives
 * -ENOMEM and leaks nothing.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "rproc/os.h"

static char root[] = "/tmp/rproc-fwreq-XXXXXX";
static char dir1[64], dir2[64], outside[64];

static void write_file(const char *dir, const char *name, const void *data,
		       size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	if (!mkdtemp(root))
		return -1;
	snprintf(dir1, sizeof(dir1), "%s/one", root);
	snprintf(dir2, sizeof(dir2), "%s/two", root);
	snprintf(outside, sizeof(outside), "%s/outside", root);
	mkdir(dir1, 0755);
	mkdir(dir2, 0755);
	mkdir(outside, 0755);
	write_file(dir2, "second.bin", "in dir two", 10);
	write_file(dir1, "both.bin", "one", 3);
	write_file(dir2, "both.bin", "two", 3);
	write_file(outside, "secret.bin", "secret", 6);
	snprintf(path, sizeof(path), "%s/sub", dir2);
	mkdir(path, 0755);
	write_file(path, "deep.bin", "deep", 4);
	snprintf(path, sizeof(path), "%s/adir.bin", dir1);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fifo.bin", dir1);
	mkfifo(path, 0644);
	snprintf(path, sizeof(path), "%s/link.bin", dir2);
	if (symlink("sub/deep.bin", path))
		return -1;
	snprintf(path, sizeof(path), "%s/escape.bin", dir2);
	if (symlink("../outside/secret.bin", path))
		return -1;
	snprintf(path, sizeof(path), "%s/abs.bin", dir2);
	if (symlink("/etc/hostname", path))
		return -1;
	snprintf(path, sizeof(path), "%s:%s", dir1, dir2);
	return rproc_os_fw_set_search_path(path);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void expect_fw(const char *name, const char *dir, const char *content)
{
	struct rproc_os_fw *fw = NULL;
	char path[256];

	assert_int_equal(rproc_os_fw_request(name, &fw), 0);
	assert_non_null(fw);
	assert_int_equal(fw->size, strlen(content));
	assert_memory_equal(fw->data, content, fw->size);
	assert_string_equal(fw->name, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_string_equal(fw->path, path);
	rproc_os_fw_release(fw);
}

static void test_found_in_second_dir(void **state)
{
	(void)state;
	expect_fw("second.bin", dir2, "in dir two");
	expect_fw("both.bin", dir1, "one"); /* first directory wins */
	expect_fw("sub/deep.bin", dir2, "deep");
	expect_fw("link.bin", dir2, "deep"); /* symlink inside: fine */
	rproc_os_fw_release(NULL);
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"",	"../x",
		"/abs", "a/../b",
		"a//b", "a/",
		"..",	".",
		"./a",	"a/.",
		"a/..", "/",
		"//",	"x/../../etc/passwd",
	};
	struct rproc_os_fw *fw = NULL;
	char longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rproc_os_fw_request(bad[i], &fw) != -EINVAL)
			fail_msg("name \"%s\" not refused", bad[i]);
	}
	assert_int_equal(rproc_os_fw_request(NULL, &fw), -EINVAL);
	memset(longname, 'a', sizeof(longname));
	longname[256] = '\0';
	assert_int_equal(rproc_os_fw_request(longname, &fw), -EINVAL);
	/* 255 bytes is allowed (and simply not there). */
	longname[255] = '\0';
	assert_int_equal(rproc_os_fw_request(longname, &fw), -ENOENT);
	assert_null(fw);
}

static void test_not_found_and_not_regular(void **state)
{
	struct rproc_os_fw *fw = NULL;

	(void)state;
	assert_int_equal(rproc_os_fw_request("nothere.bin", &fw), -ENOENT);
	assert_int_equal(rproc_os_fw_request("second.bin/x", &fw), -ENOENT);
	assert_int_equal(rproc_os_fw_request("adir.bin", &fw), -EINVAL);
	assert_int_equal(rproc_os_fw_request("fifo.bin", &fw), -EINVAL);
	assert_null(fw);
}

static void test_symlink_escape(void **state)
{
	struct rproc_os_fw *fw = NULL;
	int ret;

	(void)state;
	ret = rproc_os_fw_request("escape.bin", &fw);
	if (ret == 0) {
		/* Kernel without openat2: documented fallback. */
		rproc_os_fw_release(fw);
		skip();
	}
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(rproc_os_fw_request("abs.bin", &fw), -EINVAL);
}

static void test_search_path_rules(void **state)
{
	char path[256];

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path("relative/dir"), -EINVAL);
	assert_int_equal(rproc_os_fw_set_search_path("/a::/b"), -EINVAL);
	assert_int_equal(rproc_os_fw_set_search_path("/a:"), -EINVAL);
	assert_int_equal(rproc_os_fw_set_search_path(""), -EINVAL);
	assert_int_equal(rproc_os_fw_set_search_path(NULL), -EINVAL);
	/* A trailing '/' is the same directory. */
	snprintf(path, sizeof(path), "%s/", dir2);
	assert_int_equal(rproc_os_fw_set_search_path(path), 0);
	expect_fw("second.bin", dir2, "in dir two");
	snprintf(path, sizeof(path), "%s:%s", dir1, dir2);
	assert_int_equal(rproc_os_fw_set_search_path(path), 0);
}

static void test_content_exact(void **state)
{
	static uint8_t big[300000];
	struct rproc_os_fw *fw = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 9));
	write_file(dir1, "big.bin", big, sizeof(big));
	write_file(dir1, "empty.bin", "", 0);
	assert_int_equal(rproc_os_fw_request("big.bin", &fw), 0);
	assert_int_equal(fw->size, sizeof(big));
	assert_memory_equal(fw->data, big, sizeof(big));
	rproc_os_fw_release(fw);
	assert_int_equal(rproc_os_fw_request("empty.bin", &fw), 0);
	assert_int_equal(fw->size, 0);
	assert_non_null(fw->data);
	rproc_os_fw_release(fw);
}

/* Allocation hooks that fail the n-th allocation and count live blocks. */
static int alloc_fail_at, alloc_count, alloc_live;

static void *oom_malloc(void *ctx, size_t size)
{
	(void)ctx;
	if (alloc_count++ == alloc_fail_at)
		return NULL;
	alloc_live++;
	return malloc(size);
}

static void oom_free(void *ctx, void *ptr)
{
	(void)ctx;
	alloc_live--;
	free(ptr);
}

static void test_out_of_memory(void **state)
{
	const struct rproc_alloc_hooks hooks = {oom_malloc, oom_free, NULL};
	struct rproc_os_fw *fw;
	int ret, failures = 0;

	(void)state;
	rproc_set_alloc_hooks(&hooks);
	for (alloc_fail_at = 0;; alloc_fail_at++) {
		alloc_count = alloc_live = 0;
		fw = NULL;
		ret = rproc_os_fw_request("second.bin", &fw);
		if (ret == 0)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_null(fw);
		assert_int_equal(alloc_live, 0);
		failures++;
	}
	assert_true(failures >= 2); /* image and data */
	assert_int_equal(fw->size, 10);
	rproc_os_fw_release(fw);
	assert_int_equal(alloc_live, 0);
	rproc_set_alloc_hooks(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_in_second_dir),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_not_found_and_not_regular),
		cmocka_unit_test(test_symlink_escape),
		cmocka_unit_test(test_search_path_rules),
		cmocka_unit_test(test_content_exact),
		cmocka_unit_test(test_out_of_memory),
	};

	alarm(50);
	return cmocka_run_group_tests(tests, setup, teardown);
}
