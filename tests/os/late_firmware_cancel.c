/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_cancel: after rproc_os_fw_wait_cancel() returns the callback
 * is not running and never runs.  Cancel before the file appears: no call
 * even when it appears.  Cancel racing a delivery, 200 times: each waiter
 * is called at most once, and never after its cancel returned.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "late_firmware_util.h"

#define RACES 200

static void test_cancel_before(void **state)
{
	char *dir = late_tmpdir();
	char *file = late_path(dir, "c.bin");
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_rx_init(&rx);
	w = late_wait("c.bin", &rx);
	late_sleep_ms(20);
	rproc_os_fw_wait_cancel(w);
	late_write_file(file, 100, 1);
	assert_int_equal(late_rx_wait(&rx, 300), 0);
	late_rx_destroy(&rx);
	free(file);
	late_tmpdir_free(dir);
}

/* One race: the callback checks that its cancel has not returned yet. */
struct race {
	atomic_int calls;
	atomic_int late_calls; /* calls after cancel returned */
	atomic_bool cancelled; /* cancel has returned */
	atomic_bool in_cb;
};

static void race_cb(void *ctx, struct rproc_os_fw *fw, int err)
{
	struct race *r = ctx;

	atomic_store(&r->in_cb, true);
	if (atomic_load(&r->cancelled))
		atomic_fetch_add(&r->late_calls, 1);
	atomic_fetch_add(&r->calls, 1);
	/* Widen the window in which cancel must wait for us. */
	if (!err && fw->size & 1) {
		struct timespec ts = {0, 200000};

		nanosleep(&ts, NULL);
	}
	rproc_os_fw_release(fw);
	atomic_store(&r->in_cb, false);
}

static void test_cancel_races_delivery(void **state)
{
	static struct race races[RACES];
	char *dir = late_tmpdir();
	char *file = late_path(dir, "race.bin");
	unsigned int seed = 12345;
	int i, delivered = 0;

	(void)state;
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	late_write_file(file, 4097, 2);
	for (i = 0; i < RACES; i++) {
		struct race *r = &races[i];
		struct rproc_os_fw_waiter *w = NULL;
		struct timespec ts = {0, 0};

		assert_int_equal(rproc_os_fw_wait("race.bin", race_cb, r, &w),
				 0);
		/* Cancel at varying points: before, during and after. */
		seed = seed * 1103515245u + 12345u;
		ts.tv_nsec = (long)((seed >> 8) % 400) * 1000L;
		if (i % 4)
			nanosleep(&ts, NULL);
		rproc_os_fw_wait_cancel(w);
		assert_false(atomic_load(&r->in_cb));
		atomic_store(&r->cancelled, true);
	}
	late_sleep_ms(300);
	for (i = 0; i < RACES; i++) {
		assert_in_range(atomic_load(&races[i].calls), 0, 1);
		assert_int_equal(atomic_load(&races[i].late_calls), 0);
		delivered += atomic_load(&races[i].calls);
	}
	print_message("races: %d of %d delivered before cancel\n", delivered,
		      RACES);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cancel_before),
		cmocka_unit_test(test_cancel_races_delivery),
	};

	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
