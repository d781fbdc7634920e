/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 6: crash reports (any thread, signal handlers), first report wins,
 * recovery reloads segments and the table without releasing carveouts,
 * disabled recovery and one-shot recover. */
#include <pthread.h>
#include <signal.h>

#include "common.h"

static struct rproc *sig_rproc;

static void on_signal(int sig)
{
	(void)sig;
	rproc_report_crash(sig_rproc, RPROC_CRASH_FATAL_ERROR);
}

struct env {
	struct fake f;
	char *dir;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	fake_init(&e->f);
	e->dir = fake_fw_dir();
	std_image(e->dir, "fw.bin", true);
	fake_rproc(&e->f, "rc", "fw.bin", false, false);
	rproc_set_coredump(e->f.rproc, RPROC_DUMP_DISABLED);
	assert_int_equal(rproc_add(e->f.rproc), 0);
	assert_int_equal(rproc_boot(e->f.rproc), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fake_fini(&e->f);
	fake_rm_dir(e->dir);
	free(e);
	return 0;
}

static void wait_count(struct rproc *r, uint32_t n)
{
	for (int i = 0; i < 1000 && rproc_crash_count(r) < n; i++)
		usleep(1000);
	assert_int_equal(rproc_crash_count(r), n);
	assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 2000), 0);
}

static void test_reload_keeps_carveouts(void **state)
{
	struct env *e = *state;
	struct rproc *r = e->f.rproc;
	struct rproc_resource *vd = rproc_resource_find(r, RSC_VDEV, "vdev0");
	void *ring0 = vd->d.vdev.vring[0].va;
	void *table = r->table_ptr;
	uint8_t saved[64];

	memcpy(saved, table, sizeof(saved));
	/* the remote scribbles over its code and its table, then dies */
	memset(e->f.mem + 0x100, 0xEE, 16);
	memset(table, 0xEE, 64);
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT), 0);
	wait_count(r, 1);
	assert_memory_equal(e->f.mem + 0x100, "hello, remote!!", 16);
	assert_memory_equal(table, saved, sizeof(saved));
	assert_ptr_equal(r->table_ptr, table);
	/* same vring memory: carveouts were not released */
	vd = rproc_resource_find(r, RSC_VDEV, "vdev0");
	assert_ptr_equal(vd->d.vdev.vring[0].va, ring0);
	assert_int_equal(rproc_last_crash(r), RPROC_CRASH_MMUFAULT);
	assert_int_equal(rproc_power_count(r), 1);
}

static void *reporter(void *arg)
{
	rproc_report_crash(arg, RPROC_CRASH_WATCHDOG);
	return NULL;
}

static void test_first_report_wins(void **state)
{
	struct env *e = *state;
	struct rproc *r = e->f.rproc;
	pthread_t t[8];

	/* hold the lock so every report lands before the worker acts */
	rproc_os_mutex_lock(r->lock);
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, reporter, r);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT),
			 -EALREADY);
	rproc_os_mutex_unlock(r->lock);
	wait_count(r, 1);
	usleep(50000);
	assert_int_equal(rproc_crash_count(r), 1);
	assert_int_equal(rproc_last_crash(r), RPROC_CRASH_WATCHDOG);
	/* a later crash is a new one */
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_FATAL_ERROR), 0);
	wait_count(r, 2);
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_TYPE_COUNT),
			 -EINVAL);
}

static void test_report_from_signal_handler(void **state)
{
	struct env *e = *state;

	sig_rproc = e->f.rproc;
	signal(SIGUSR1, on_signal);
	raise(SIGUSR1);
	wait_count(e->f.rproc, 1);
	assert_int_equal(rproc_last_crash(e->f.rproc), RPROC_CRASH_FATAL_ERROR);
	signal(SIGUSR1, SIG_DFL);
}

static void test_disabled_then_recover(void **state)
{
	struct env *e = *state;
	struct rproc *r = e->f.rproc;

	assert_true(rproc_recovery_enabled(r));
	rproc_set_recovery(r, false);
	assert_false(rproc_recovery_enabled(r));
	fake_clear_log(&e->f);
	rproc_report_crash(r, RPROC_CRASH_WATCHDOG);
	assert_int_equal(rproc_wait_state(r, RPROC_CRASHED, 2000), 0);
	usleep(50000);
	assert_int_equal(rproc_state_get(r), RPROC_CRASHED);
	assert_string_equal(fake_log(&e->f), ""); /* left for post-mortem */
	assert_int_equal(rproc_recover(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	/* still disabled: the next crash waits again */
	rproc_report_crash(r, RPROC_CRASH_WATCHDOG);
	assert_int_equal(rproc_wait_state(r, RPROC_CRASHED, 2000), 0);
	assert_int_equal(rproc_crash_count(r), 2);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reload_keeps_carveouts,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_report_wins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_report_from_signal_handler,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_then_recover,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
