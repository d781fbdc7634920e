/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_create: a firmware created after the wait started is
 * delivered after its writer closes it, never while it is half written.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

#define FW_LEN 65536

static void test_create_write_close(void **state)
{
	char *dir = late_tmpdir();
	char *file = late_path(dir, "c.bin");
	uint8_t *data = late_pattern(FW_LEN, 7);
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;
	int fd;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("c.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(late_rx_calls(&rx), 0);

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, FW_LEN / 2), FW_LEN / 2);
	/* Created and half written: must not be delivered. */
	assert_int_equal(late_rx_wait(&rx, 200), 0);
	assert_int_equal(write(fd, data + FW_LEN / 2, FW_LEN / 2), FW_LEN / 2);
	/* Complete but still open for writing: still not. */
	assert_int_equal(late_rx_wait(&rx, 100), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, FW_LEN, 7);

	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(data);
	free(file);
	late_tmpdir_free(dir);
}

/* Another file in the same directory must not wake the waiter. */
static void test_other_name_ignored(void **state)
{
	char *dir = late_tmpdir();
	char *other = late_path(dir, "other.bin");
	char *file = late_path(dir, "mine.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("mine.bin", &rx);
	late_write_file(other, 10, 1);
	assert_int_equal(late_rx_wait(&rx, 200), 0);
	late_write_file(file, 20, 2);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 20, 2);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(other);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_write_close),
		cmocka_unit_test(test_other_name_ignored),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
