/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the late_firmware_* tests: a callback that records what
 * the firmware watcher delivers, bounded waits for it, and temporary
 * directories and files.
 */
#ifndef LATE_FIRMWARE_UTIL_H
#define LATE_FIRMWARE_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/os.h"

/* What one waiter received. */
struct late_rx {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	pthread_t caller;    /* thread that called rproc_os_fw_wait() */
	int calls;
	int err;
	bool on_caller; /* a callback ran on the caller's thread */
	struct rproc_os_fw *fw;
};

void late_rx_init(struct late_rx *rx);
/* The rproc_os_fw_cb: records and keeps the image. */
void late_rx_cb(void *ctx, struct rproc_os_fw *fw, int err);
/* Wait up to @ms for at least one call; returns the number of calls. */
int late_rx_wait(struct late_rx *rx, int ms);
int late_rx_calls(struct late_rx *rx);
/* Release the image and destroy. */
void late_rx_destroy(struct late_rx *rx);

/* Start a wait with @rx as the callback context (asserts success). */
struct rproc_os_fw_waiter *late_wait(const char *name, struct late_rx *rx);

/* Check that @rx got exactly one call with @len bytes of late_pattern(@seed). */
void late_expect_fw(struct late_rx *rx, const char *path, size_t len,
		    unsigned int seed);

/* mkdtemp under /tmp; free with late_tmpdir_free (removes the tree). */
char *late_tmpdir(void);
void late_tmpdir_free(char *dir);
/* malloc'ed "a/b" */
char *late_path(const char *a, const char *b);
/* @len deterministic bytes; free() them. */
uint8_t *late_pattern(size_t len, unsigned int seed);
/* Create @path with @len bytes of late_pattern(@seed) in one go. */
void late_write_file(const char *path, size_t len, unsigned int seed);
void late_sleep_ms(int ms);
/* Call at the top of main: kills a hung test after @seconds. */
void late_watchdog(unsigned int seconds);

#endif /* LATE_FIRMWARE_UTIL_H */
