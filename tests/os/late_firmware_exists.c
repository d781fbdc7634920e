/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_exists: a firmware that is already there when the wait
 * starts is delivered once, on the watcher thread and not inside
 * rproc_os_fw_wait(); found in a later search directory and in a
 * subdirectory; several waiters for one name each get their own copy; bad
 * arguments fail the wait itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "late_firmware_util.h"

static char *set_path(const char *dir)
{
	char *missing = late_path(dir, "missing");
	char *path = NULL;

	assert_true(asprintf(&path, "%s:%s", missing, dir) > 0);
	assert_int_equal(rproc_os_fw_set_search_path(path), 0);
	free(missing);
	return path;
}

static void test_exists_now(void **state)
{
	char *dir = late_tmpdir(), *sp = set_path(dir);
	char *file = late_path(dir, "a.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	late_write_file(file, 3000, 1);
	late_rx_init(&rx);
	w = late_wait("a.bin", &rx);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 3000, 1);
	assert_string_equal(rx.fw->name, "a.bin");
	/* Exactly once, even if the file changes afterwards. */
	late_write_file(file, 10, 2);
	late_sleep_ms(200);
	assert_int_equal(late_rx_calls(&rx), 1);
	rproc_os_fw_wait_cancel(w); /* only frees */
	late_rx_destroy(&rx);
	free(file);
	free(sp);
	late_tmpdir_free(dir);
}

static void test_exists_subdir_and_empty(void **state)
{
	char *dir = late_tmpdir(), *sp = set_path(dir);
	char *sub = late_path(dir, "vendor");
	char *file = late_path(sub, "b.bin");
	char *empty = late_path(dir, "empty.bin");
	struct rproc_os_fw_waiter *w1, *w2;
	struct late_rx rx1, rx2;

	(void)state;
	assert_int_equal(mkdir(sub, 0755), 0);
	late_write_file(file, 100, 3);
	late_write_file(empty, 0, 0);
	late_rx_init(&rx1);
	late_rx_init(&rx2);
	w1 = late_wait("vendor/b.bin", &rx1);
	w2 = late_wait("empty.bin", &rx2);
	assert_int_equal(late_rx_wait(&rx1, 1000), 1);
	assert_int_equal(late_rx_wait(&rx2, 1000), 1);
	late_expect_fw(&rx1, file, 100, 3);
	late_expect_fw(&rx2, empty, 0, 0);
	rproc_os_fw_wait_cancel(w1);
	rproc_os_fw_wait_cancel(w2);
	late_rx_destroy(&rx1);
	late_rx_destroy(&rx2);
	free(file);
	free(empty);
	free(sub);
	free(sp);
	late_tmpdir_free(dir);
}

static void test_same_name_twice(void **state)
{
	char *dir = late_tmpdir(), *sp = set_path(dir);
	char *file = late_path(dir, "twice.bin");
	struct rproc_os_fw_waiter *w1, *w2;
	struct late_rx rx1, rx2;

	(void)state;
	late_write_file(file, 512, 4);
	late_rx_init(&rx1);
	late_rx_init(&rx2);
	w1 = late_wait("twice.bin", &rx1);
	w2 = late_wait("twice.bin", &rx2);
	assert_int_equal(late_rx_wait(&rx1, 1000), 1);
	assert_int_equal(late_rx_wait(&rx2, 1000), 1);
	late_expect_fw(&rx1, file, 512, 4);
	late_expect_fw(&rx2, file, 512, 4);
	assert_ptr_not_equal(rx1.fw, rx2.fw);
	rproc_os_fw_wait_cancel(w2);
	rproc_os_fw_wait_cancel(w1);
	late_rx_destroy(&rx1);
	late_rx_destroy(&rx2);
	free(file);
	free(sp);
	late_tmpdir_free(dir);
}

static void test_bad_arguments(void **state)
{
	struct rproc_os_fw_waiter *w = NULL;
	struct late_rx rx;

	(void)state;
	late_rx_init(&rx);
	assert_int_equal(rproc_os_fw_wait("../x", late_rx_cb, &rx, &w),
			 -EINVAL);
	assert_int_equal(rproc_os_fw_wait("/abs", late_rx_cb, &rx, &w),
			 -EINVAL);
	assert_int_equal(rproc_os_fw_wait("a", NULL, &rx, &w), -EINVAL);
	assert_null(w);
	rproc_os_fw_wait_cancel(NULL);
	late_rx_destroy(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exists_now),
		cmocka_unit_test(test_exists_subdir_and_empty),
		cmocka_unit_test(test_same_name_twice),
		cmocka_unit_test(test_bad_arguments),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
