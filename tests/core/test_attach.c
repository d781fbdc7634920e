/* SPDX-License-Identifier: BSD-3-Clause */
/* Attach to a remote started by a boot loader: read its table in place, no
 * load; detach restores the pristine table and leaves it running. */
#include "common.h"

static void test_attach_detach(void **state)
{
	char *dir = fake_fw_dir();
	uint8_t pristine[512];
	struct fake f;
	struct rproc *r;
	size_t len;

	(void)state;
	fake_init(&f);
	len = std_table(f.mem + 0x30000, 512, false);
	memcpy(pristine, f.mem + 0x30000, len);
	f.loaded_table = f.mem + 0x30000;
	f.loaded_len = len;
	r = fake_rproc(&f, "pre", NULL, true, true);
	fake_add_subdevs(&f, 2);
	assert_int_equal(rproc_state_get(r), RPROC_DETACHED);
	assert_int_equal(rproc_add(r), 0); /* always-on: attaches */
	assert_int_equal(rproc_state_get(r), RPROC_ATTACHED);
	assert_log(&f, "prepare get_loaded_table map sd0.prepare sd1.prepare "
		       "attach sd0.start sd1.start");
	assert_ptr_equal(r->table_ptr, f.mem + 0x30000);
	/* allocation results are in the live table */
	assert_memory_not_equal(f.mem + 0x30000, pristine, len);
	char buf[32];
	memcpy(f.mem + 0x20000, "pre-booted", 11);
	assert_int_equal(rproc_trace_read(r, 0, buf, sizeof(buf)), 10);

	fake_clear_log(&f);
	assert_int_equal(rproc_detach(r), 0);
	assert_log(&f, "sd1.stop sd0.stop detach sd1.unprepare sd0.unprepare "
		       "unmap unprepare");
	assert_int_equal(rproc_state_get(r), RPROC_DETACHED);
	assert_memory_equal(f.mem + 0x30000, pristine, len);
	assert_null(r->table_ptr);
	/* and again */
	assert_int_equal(rproc_ctl_start(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_ATTACHED);
	/* a failing attach unwinds and stays DETACHED */
	assert_int_equal(rproc_detach(r), 0);
	fake_clear_log(&f);
	f.fail_op = "attach";
	assert_int_equal(rproc_ctl_start(r), -EIO);
	assert_log(&f, "prepare get_loaded_table map sd0.prepare sd1.prepare "
		       "attach sd1.unprepare sd0.unprepare unmap unprepare");
	assert_int_equal(rproc_state_get(r), RPROC_DETACHED);
	assert_memory_equal(f.mem + 0x30000, pristine, len);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A driver that cannot detach says so. */
static void test_detach_unsupported(void **state)
{
	char *dir = fake_fw_dir();
	struct rproc_config cfg;
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	rproc_config_init(&cfg);
	cfg.name = "nd";
	cfg.ops = &fake_ops_no_attach;
	cfg.fw_ops = &fake_fw_ops;
	cfg.firmware = "fw.bin";
	cfg.always_on = false;
	cfg.priv = &f;
	assert_int_equal(rproc_alloc(&cfg, &r), 0);
	f.rproc = r;
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_ctl_start(r), 0);
	assert_int_equal(rproc_detach(r), -ENOTSUP);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_detach),
		cmocka_unit_test(test_detach_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
