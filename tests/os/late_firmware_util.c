/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the late_firmware_* tests (late_firmware_util.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

void late_rx_init(struct late_rx *rx)
{
	pthread_condattr_t attr;

	memset(rx, 0, sizeof(*rx));
	pthread_mutex_init(&rx->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&rx->cond, &attr);
	pthread_condattr_destroy(&attr);
	rx->caller = pthread_self();
}

void late_rx_cb(void *ctx, struct rproc_os_fw *fw, int err)
{
	struct late_rx *rx = ctx;

	pthread_mutex_lock(&rx->lock);
	rx->calls++;
	rx->err = err;
	if (pthread_equal(pthread_self(), rx->caller))
		rx->on_caller = true;
	if (rx->fw)
		rproc_os_fw_release(rx->fw);
	rx->fw = fw;
	pthread_cond_broadcast(&rx->cond);
	pthread_mutex_unlock(&rx->lock);
}

int late_rx_wait(struct late_rx *rx, int ms)
{
	struct timespec deadline;
	int calls;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&rx->lock);
	while (!rx->calls && pthread_cond_timedwait(&rx->cond, &rx->lock,
						    &deadline) != ETIMEDOUT)
		;
	calls = rx->calls;
	pthread_mutex_unlock(&rx->lock);
	return calls;
}

int late_rx_calls(struct late_rx *rx)
{
	int calls;

	pthread_mutex_lock(&rx->lock);
	calls = rx->calls;
	pthread_mutex_unlock(&rx->lock);
	return calls;
}

void late_rx_destroy(struct late_rx *rx)
{
	rproc_os_fw_release(rx->fw);
	rx->fw = NULL;
	pthread_cond_destroy(&rx->cond);
	pthread_mutex_destroy(&rx->lock);
}

struct rproc_os_fw_waiter *late_wait(const char *name, struct late_rx *rx)
{
	struct rproc_os_fw_waiter *w = NULL;

	rx->caller = pthread_self();
	assert_int_equal(rproc_os_fw_wait(name, late_rx_cb, rx, &w), 0);
	assert_non_null(w);
	return w;
}

void late_expect_fw(struct late_rx *rx, const char *path, size_t len,
		    unsigned int seed)
{
	uint8_t *want = late_pattern(len, seed);

	pthread_mutex_lock(&rx->lock);
	assert_int_equal(rx->calls, 1);
	assert_int_equal(rx->err, 0);
	assert_false(rx->on_caller);
	assert_non_null(rx->fw);
	assert_int_equal(rx->fw->size, len);
	if (len)
		assert_memory_equal(rx->fw->data, want, len);
	if (path)
		assert_string_equal(rx->fw->path, path);
	pthread_mutex_unlock(&rx->lock);
	free(want);
}

char *late_tmpdir(void)
{
	char tmpl[] = "/tmp/rproc-late-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return strdup(tmpl);
}

static int rm_entry(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void late_tmpdir_free(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	free(dir);
}

char *late_path(const char *a, const char *b)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

uint8_t *late_pattern(size_t len, unsigned int seed)
{
	uint8_t *p = malloc(len ? len : 1);
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
	return p;
}

void late_write_file(const char *path, size_t len, unsigned int seed)
{
	uint8_t *data = late_pattern(len, seed);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	free(data);
}

void late_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void late_watchdog(unsigned int seconds)
{
	/* SIGALRM's default action ends the process: a hang fails the test
	 * instead of blocking ctest until its own timeout. */
	alarm(seconds);
}
