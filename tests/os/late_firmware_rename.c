/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_rename: a firmware written under another name (or in another
 * directory) and rename()d into place is delivered; one renamed into place
 * while still open for writing is delivered only after the close.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

static void test_rename_into_place(void **state)
{
	char *dir = late_tmpdir();
	char *tmp = late_path(dir, ".r.bin.part");
	char *file = late_path(dir, "r.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("r.bin", &rx);
	late_write_file(tmp, 4096, 11);
	assert_int_equal(late_rx_wait(&rx, 200), 0);
	assert_int_equal(rename(tmp, file), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 4096, 11);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(tmp);
	free(file);
	late_tmpdir_free(dir);
}

static void test_rename_from_other_dir(void **state)
{
	char *dir = late_tmpdir();
	char *stage = late_path(dir, "stage");
	char *fwdir = late_path(dir, "fw");
	char *tmp = late_path(stage, "x");
	char *file = late_path(fwdir, "r2.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(mkdir(stage, 0755), 0);
	assert_int_equal(mkdir(fwdir, 0755), 0);
	assert_int_equal(rproc_os_fw_set_search_path(fwdir), 0);
	late_rx_init(&rx);
	w = late_wait("r2.bin", &rx);
	late_write_file(tmp, 777, 12);
	assert_int_equal(late_rx_wait(&rx, 100), 0);
	assert_int_equal(rename(tmp, file), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 777, 12);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(tmp);
	free(file);
	free(stage);
	free(fwdir);
	late_tmpdir_free(dir);
}

static void test_rename_while_open(void **state)
{
	char *dir = late_tmpdir();
	char *tmp = late_path(dir, "open.part");
	char *file = late_path(dir, "open.bin");
	uint8_t *data = late_pattern(8192, 13);
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;
	int fd;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("open.bin", &rx);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, 4096), 4096);
	assert_int_equal(rename(tmp, file), 0);
	assert_int_equal(late_rx_wait(&rx, 200), 0);
	assert_int_equal(write(fd, data + 4096, 4096), 4096);
	assert_int_equal(close(fd), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 8192, 13);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(data);
	free(tmp);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_into_place),
		cmocka_unit_test(test_rename_from_other_dir),
		cmocka_unit_test(test_rename_while_open),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
