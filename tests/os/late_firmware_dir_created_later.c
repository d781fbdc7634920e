/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_dir_created_later: the search directory (or the name's own
 * subdirectory) does not exist when the wait starts; it is created later,
 * component by component or renamed into place with the file already in it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

static void test_mkdir_parents_later(void **state)
{
	char *dir = late_tmpdir();
	char *a = late_path(dir, "a"), *b = late_path(a, "b");
	char *fw = late_path(b, "fw"), *file = late_path(fw, "d.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("d.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(mkdir(a, 0755), 0);
	late_sleep_ms(20);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(mkdir(fw, 0755), 0);
	assert_int_equal(late_rx_wait(&rx, 100), 0);
	late_write_file(file, 1234, 31);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 1234, 31);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(a);
	free(b);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

static void test_subdir_of_name_later(void **state)
{
	char *dir = late_tmpdir();
	char *sub = late_path(dir, "vendor"), *file = late_path(sub, "e.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("vendor/e.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(mkdir(sub, 0755), 0);
	late_write_file(file, 99, 32);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 99, 32);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(sub);
	free(file);
	late_tmpdir_free(dir);
}

/* The directory arrives by rename with the file already inside: no event
 * names the file, only the ancestor sees the directory appear. */
static void test_dir_renamed_into_place(void **state)
{
	char *dir = late_tmpdir();
	char *stage = late_path(dir, "stage"),
	     *sfile = late_path(stage, "f.bin");
	char *fw = late_path(dir, "fw"), *file = late_path(fw, "f.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("f.bin", &rx);
	assert_int_equal(mkdir(stage, 0755), 0);
	late_write_file(sfile, 2048, 33);
	assert_int_equal(late_rx_wait(&rx, 100), 0);
	assert_int_equal(rename(stage, fw), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 2048, 33);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(stage);
	free(sfile);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

/* The search directory is deleted and created again while waiting. */
static void test_dir_recreated(void **state)
{
	char *dir = late_tmpdir();
	char *fw = late_path(dir, "fw"), *file = late_path(fw, "g.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(mkdir(fw, 0755), 0);
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("g.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(rmdir(fw), 0);
	late_sleep_ms(50);
	assert_int_equal(mkdir(fw, 0755), 0);
	late_sleep_ms(20);
	late_write_file(file, 64, 34);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 64, 34);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkdir_parents_later),
		cmocka_unit_test(test_subdir_of_name_later),
		cmocka_unit_test(test_dir_renamed_into_place),
		cmocka_unit_test(test_dir_recreated),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
