/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exact op order of boot, shutdown, crash -> recovery, and the exact
 * unwind with a failure injected at each step of boot (DESIGN §5).
 */
#include "common.h"

#define BOOT                                                                   \
	"sanity prepare parse map load sd0.prepare sd1.prepare start "         \
	"sd0.start sd1.start"
#define SHUTDOWN                                                               \
	"sd1.stop sd0.stop stop sd1.unprepare sd0.unprepare unmap "            \
	"unprepare"

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
	fake_rproc(&e->f, "r0", "fw.bin", false, false);
	fake_add_subdevs(&e->f, 2);
	assert_int_equal(rproc_add(e->f.rproc), 0);
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

static void test_boot_shutdown_order(void **state)
{
	struct env *e = *state;
	struct rproc *r = e->f.rproc;

	assert_int_equal(rproc_boot(r), 0);
	assert_log(&e->f, BOOT);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	fake_clear_log(&e->f);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_log(&e->f, SHUTDOWN);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_int_equal(rproc_power_count(r), 0);
}

static void test_recovery_order(void **state)
{
	struct env *e = *state;
	struct rproc *r = e->f.rproc;

	rproc_set_coredump(r, RPROC_DUMP_DISABLED);
	assert_int_equal(rproc_boot(r), 0);
	fake_clear_log(&e->f);
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_WATCHDOG), 0);
	/* wait for the worker to finish: crash count then RUNNING */
	for (int i = 0; i < 500 && rproc_crash_count(r) == 0; i++)
		usleep(2000);
	assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 2000), 0);
	assert_int_equal(rproc_crash_count(r), 1);
	/* halt first, subdevices see crashed, carveouts not unmapped,
	 * no prepare/parse: segments reloaded and table reinstalled */
	assert_log(&e->f, "stop sd1.stop(crashed) sd0.stop(crashed) "
			  "sd1.unprepare sd0.unprepare load sd0.prepare "
			  "sd1.prepare start sd0.start sd1.start");
	assert_int_equal(rproc_power_count(r), 1);
	assert_int_equal(rproc_shutdown(r), 0);
}

/* Inject a failure at each boot step: exact unwind, OFFLINE, then a clean
 * boot works. */
static void test_boot_unwind(void **state)
{
	static const struct {
		const char *op;
		const char *log;
	} cases[] = {
		{"sanity", "sanity"},
		{"prepare", "sanity prepare"},
		{"parse", "sanity prepare parse unprepare"},
		{"map", "sanity prepare parse map unprepare"},
		{"load", "sanity prepare parse map load unmap unprepare"},
		{"sd0.prepare", "sanity prepare parse map load sd0.prepare "
				"unmap unprepare"},
		{"sd1.prepare", "sanity prepare parse map load sd0.prepare "
				"sd1.prepare sd0.unprepare unmap unprepare"},
		{"start", "sanity prepare parse map load sd0.prepare "
			  "sd1.prepare start sd1.unprepare sd0.unprepare "
			  "unmap unprepare"},
		{"sd0.start", "sanity prepare parse map load sd0.prepare "
			      "sd1.prepare start sd0.start stop sd1.unprepare "
			      "sd0.unprepare unmap unprepare"},
		{"sd1.start", "sanity prepare parse map load sd0.prepare "
			      "sd1.prepare start sd0.start sd1.start sd0.stop "
			      "stop sd1.unprepare sd0.unprepare unmap "
			      "unprepare"},
	};
	struct env *e = *state;
	struct rproc *r = e->f.rproc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_clear_log(&e->f);
		e->f.fail_op = cases[i].op;
		e->f.fail_code = -EIO;
		assert_int_equal(rproc_boot(r), -EIO);
		assert_log(&e->f, cases[i].log);
		assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
		assert_int_equal(rproc_power_count(r), 0);
		assert_null(r->table_ptr);
		assert_null(r->cached_table);
		assert_null(r->fw);
		/* only permanent registrations remain: none */
		assert_null(r->regs);
		assert_null(r->rscs);

		fake_clear_log(&e->f);
		assert_int_equal(rproc_boot(r), 0);
		assert_log(&e->f, BOOT);
		assert_int_equal(rproc_shutdown(r), 0);
	}
}

/* Recovery failing at each step ends OFFLINE with nothing held; a later
 * start works. */
static void test_recovery_unwind(void **state)
{
	static const struct {
		const char *op;
		const char *log;
	} cases[] = {
		{"stop", "stop "
			 "sd1.unprepare sd0.unprepare unmap unprepare"},
		{"load", "stop "
			 "sd1.unprepare sd0.unprepare load unmap unprepare"},
		{"sd1.prepare", "stop "
				"sd1.unprepare sd0.unprepare load sd0.prepare "
				"sd1.prepare sd0.unprepare unmap unprepare"},
		{"start", "stop "
			  "sd1.unprepare sd0.unprepare load sd0.prepare "
			  "sd1.prepare start sd1.unprepare sd0.unprepare "
			  "unmap unprepare"},
		{"sd1.start", "stop "
			      "sd1.unprepare sd0.unprepare load sd0.prepare "
			      "sd1.prepare start sd0.start sd1.start sd0.stop "
			      "stop sd1.unprepare sd0.unprepare unmap "
			      "unprepare"},
	};
	struct env *e = *state;
	struct rproc *r = e->f.rproc;

	rproc_set_coredump(r, RPROC_DUMP_DISABLED);
	rproc_set_recovery(r, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(rproc_ctl_start(r), 0);
		fake_clear_log(&e->f);
		assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT),
				 0);
		assert_int_equal(rproc_wait_state(r, RPROC_CRASHED, 2000), 0);
		/* recovery disabled: the subdevices stop at the crash, not
		 * at the recover (their users must not wait for it) */
		assert_log(&e->f, "sd1.stop(crashed) sd0.stop(crashed)");
		fake_clear_log(&e->f);
		e->f.fail_op = cases[i].op;
		e->f.fail_code = -EIO;
		assert_int_equal(rproc_recover(r), -EIO);
		assert_log(&e->f, cases[i].log);
		assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
		assert_int_equal(rproc_power_count(r), 0);
		assert_null(r->rscs);
		assert_null(r->fw);
		assert_null(r->table_ptr);
		/* a new crash report is not swallowed as a duplicate */
		assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT),
				 0);
		usleep(20000);
		assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
		fake_clear_log(&e->f);
		assert_int_equal(rproc_ctl_start(r), 0);
		assert_log(&e->f, BOOT);
		assert_int_equal(rproc_ctl_stop(r), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_shutdown_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recovery_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_boot_unwind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recovery_unwind, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
