/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 1: always-on remotes boot as soon as their firmware is there and are
 * shut down when removed; others only on request; set_firmware rules. */
#include "common.h"

static void test_always_on_boots_when_present(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	fake_rproc(&f, "ao", "fw.bin", true, false);
	assert_true(rproc_always_on(f.rproc));
	assert_int_equal(rproc_add(f.rproc), 0);
	assert_int_equal(rproc_wait_state(f.rproc, RPROC_RUNNING, 2000), 0);
	assert_int_equal(rproc_power_count(f.rproc), 1);
	/* a control start neither fails the remote nor pins it */
	assert_int_equal(rproc_ctl_start(f.rproc), -EBUSY);
	assert_int_equal(rproc_power_count(f.rproc), 1);
	/* a user reference on top, then removal stops it anyway */
	assert_int_equal(rproc_boot(f.rproc), 0);
	fake_clear_log(&f);
	assert_int_equal(rproc_del(f.rproc), 0);
	assert_int_equal(rproc_state_get(f.rproc), RPROC_DELETED);
	assert_non_null(strstr(fake_log(&f), "stop"));
	assert_int_equal(rproc_boot(f.rproc), -ENODEV);
	fake_fini(&f);
	fake_rm_dir(dir);
}

static void test_not_always_on_waits_for_request(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	fake_rproc(&f, "na", "fw.bin", false, false);
	assert_int_equal(rproc_add(f.rproc), 0);
	usleep(100000);
	assert_int_equal(rproc_state_get(f.rproc), RPROC_OFFLINE);
	assert_string_equal(fake_log(&f), "");
	assert_int_equal(rproc_ctl_start(f.rproc), 0);
	assert_int_equal(rproc_state_get(f.rproc), RPROC_RUNNING);
	assert_int_equal(rproc_ctl_stop(f.rproc), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* The always-on reference is dropped by the control stop. */
static void test_ctl_stop_drops_auto_ref(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	fake_rproc(&f, "ao2", "fw.bin", true, false);
	assert_int_equal(rproc_add(f.rproc), 0);
	assert_int_equal(rproc_wait_state(f.rproc, RPROC_RUNNING, 2000), 0);
	assert_int_equal(rproc_ctl_stop(f.rproc), 0);
	assert_int_equal(rproc_state_get(f.rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_power_count(f.rproc), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

static void test_set_firmware_offline_only(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	char name[64];

	(void)state;
	std_image(dir, "a.bin", false);
	std_image(dir, "b.bin", false);
	fake_init(&f);
	fake_rproc(&f, "sf", "a.bin", true, false);
	assert_int_equal(rproc_add(f.rproc), 0);
	assert_int_equal(rproc_wait_state(f.rproc, RPROC_RUNNING, 2000), 0);
	assert_int_equal(rproc_set_firmware(f.rproc, "b.bin"), -EBUSY);
	assert_int_equal(rproc_get_firmware(f.rproc, name, sizeof(name)), 0);
	assert_string_equal(name, "a.bin");
	assert_int_equal(rproc_ctl_stop(f.rproc), 0);
	/* offline + always-on: the new firmware boots it */
	assert_int_equal(rproc_set_firmware(f.rproc, "b.bin"), 0);
	assert_int_equal(rproc_wait_state(f.rproc, RPROC_RUNNING, 2000), 0);
	assert_int_equal(rproc_get_firmware(f.rproc, name, sizeof(name)), 0);
	assert_string_equal(name, "b.bin");
	assert_int_equal(rproc_set_firmware(f.rproc, ""), -EINVAL);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A bad firmware: auto-boot fails with a clear error, the remote stays
 * OFFLINE, and a later start with good firmware works. */
static void test_bad_firmware_stays_offline(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	char msg[256];

	(void)state;
	fake_write_file(dir, "bad.bin", "JUNKJUNKJUNKJUNK", 16);
	std_image(dir, "good.bin", false);
	fake_init(&f);
	fake_rproc(&f, "bad", "bad.bin", false, false);
	assert_int_equal(rproc_add(f.rproc), 0);
	assert_int_equal(rproc_ctl_start(f.rproc), -ENOEXEC);
	rproc_last_error(f.rproc, msg, sizeof(msg));
	assert_string_equal(msg, "firmware: not a FAKE image");
	assert_int_equal(rproc_state_get(f.rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_set_firmware(f.rproc, "missing.bin"), 0);
	assert_int_equal(rproc_ctl_start(f.rproc), -ENOENT);
	rproc_last_error(f.rproc, msg, sizeof(msg));
	assert_non_null(strstr(msg, "missing.bin"));
	assert_int_equal(rproc_set_firmware(f.rproc, "good.bin"), 0);
	assert_int_equal(rproc_ctl_start(f.rproc), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_always_on_boots_when_present),
		cmocka_unit_test(test_not_always_on_waits_for_request),
		cmocka_unit_test(test_ctl_stop_drops_auto_ref),
		cmocka_unit_test(test_set_firmware_offline_only),
		cmocka_unit_test(test_bad_firmware_stays_offline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
