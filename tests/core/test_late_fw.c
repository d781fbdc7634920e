/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Topic 7 through the core: an always-on remote whose firmware is not there
 * yet boots when it appears, including on a file system mounted later over
 * the search directory (in a private mount namespace); removal cancels.
 */
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common.h"

static bool have_ns;

static void test_appears_later(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;

	(void)state;
	fake_init(&f);
	r = fake_rproc(&f, "late", "fw.bin", true, false);
	assert_int_equal(rproc_add(r), 0);
	usleep(100000);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	std_image(dir, "fw.bin", false); /* written then renamed in */
	assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 1000), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

static void test_removal_cancels(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;

	(void)state;
	fake_init(&f);
	r = fake_rproc(&f, "cancel", "fw.bin", true, false);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_del(r), 0);
	std_image(dir, "fw.bin", false);
	usleep(200000);
	assert_int_equal(rproc_state_get(r), RPROC_DELETED);
	assert_string_equal(fake_log(&f), "");
	fake_fini(&f);
	fake_rm_dir(dir);
}

static void test_mounted_later(void **state)
{
	char *dir;
	struct fake f;
	struct rproc *r;
	uint64_t t0;

	(void)state;
	if (!have_ns)
		skip();
	dir = fake_fw_dir();
	fake_init(&f);
	r = fake_rproc(&f, "mnt", "fw.bin", true, false);
	assert_int_equal(rproc_add(r), 0);
	usleep(50000);
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=1m"), 0);
	t0 = rproc_os_monotonic_ns();
	std_image(dir, "fw.bin", false);
	assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 1000), 0);
	print_message("running %.1f ms after the copy into the new mount\n",
		      (double)(rproc_os_monotonic_ns() - t0) / 1e6);
	fake_fini(&f);
	assert_int_equal(umount(dir), 0);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appears_later),
		cmocka_unit_test(test_removal_cancels),
		cmocka_unit_test(test_mounted_later),
	};

	/* A private mount namespace, before any thread exists. */
	have_ns = unshare(CLONE_NEWNS) == 0 &&
		  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
