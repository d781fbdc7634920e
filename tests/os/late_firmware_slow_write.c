/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_slow_write: a firmware written in 10 chunks with pauses, by
 * this process and by another process, is delivered complete.  The other
 * process matters: the layer must see writers it knows nothing about.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

#define CHUNKS 10
#define CHUNK 4096
#define PAUSE_MS 40

/* Write the pattern in chunks with pauses; async-signal-safe calls only, so
 * it may run in a forked child of this multi-threaded process. */
static int slow_write(const char *path, const uint8_t *data)
{
	struct timespec pause = {0, PAUSE_MS * 1000000L};
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i < CHUNKS; i++) {
		if (write(fd, data + i * CHUNK, CHUNK) != CHUNK)
			return -1;
		nanosleep(&pause, NULL);
	}
	return close(fd);
}

static void test_slow_write_here(void **state)
{
	char *dir = late_tmpdir();
	char *file = late_path(dir, "slow.bin");
	uint8_t *data = late_pattern(CHUNKS * CHUNK, 21);
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("slow.bin", &rx);
	assert_int_equal(slow_write(file, data), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, CHUNKS * CHUNK, 21);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(data);
	free(file);
	late_tmpdir_free(dir);
}

static void test_slow_write_other_process(void **state)
{
	char *dir = late_tmpdir();
	char *file = late_path(dir, "slow2.bin");
	uint8_t *data = late_pattern(CHUNKS * CHUNK, 22);
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("slow2.bin", &rx);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(slow_write(file, data) ? 1 : 0);
	/* Not before the child is done. */
	assert_int_equal(late_rx_wait(&rx, CHUNKS * PAUSE_MS / 2), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, CHUNKS * CHUNK, 22);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	free(data);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_write_here),
		cmocka_unit_test(test_slow_write_other_process),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
