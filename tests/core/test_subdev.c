/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 5: subdevices in order, reverse on the way down, unwinding. */
#include "common.h"

static void test_three_subdevs(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	r = fake_rproc(&f, "sd", "fw.bin", false, false);
	fake_add_subdevs(&f, 3);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd1.prepare "
		       "sd2.prepare start sd0.start sd1.start sd2.start");
	/* no add/remove while running */
	struct rproc_subdev extra = {.name = "x"};
	assert_int_equal(rproc_subdev_add(r, &extra), -EBUSY);
	assert_int_equal(rproc_subdev_remove(r, &f.sd[0]), -EBUSY);
	fake_clear_log(&f);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_log(&f, "sd2.stop sd1.stop sd0.stop stop sd2.unprepare "
		       "sd1.unprepare sd0.unprepare unmap unprepare");
	/* a middle start failure unwinds the started ones only */
	fake_clear_log(&f);
	f.fail_op = "sd2.start";
	f.fail_code = -ENODEV;
	assert_int_equal(rproc_boot(r), -ENODEV);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd1.prepare "
		       "sd2.prepare start sd0.start sd1.start sd2.start "
		       "sd1.stop sd0.stop stop sd2.unprepare sd1.unprepare "
		       "sd0.unprepare unmap unprepare");
	/* removal while offline */
	assert_int_equal(rproc_subdev_remove(r, &f.sd[1]), 0);
	assert_int_equal(rproc_subdev_remove(r, &f.sd[1]), -ENOENT);
	fake_clear_log(&f);
	assert_int_equal(rproc_boot(r), 0);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd2.prepare "
		       "start sd0.start sd2.start");
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_subdevs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
