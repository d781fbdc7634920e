/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * late_firmware_mount: firmware that appears because a file system is
 * mounted, in a private mount namespace of this process:
 *   - tmpfs mounted over the (empty) search directory, then written to;
 *   - a directory that already holds the file bind-mounted over it (nothing
 *     but the mount table reports it);
 *   - tmpfs mounted under a path component that did not exist at wait time.
 * Skipped when the process may not create a mount namespace (not root).
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "late_firmware_util.h"

static int ns_err; /* why there is no private mount namespace, or 0 */

static void need_namespace(void)
{
	if (ns_err) {
		print_message("no private mount namespace (%s): skipped\n",
			      strerror(ns_err));
		skip();
	}
}

static void test_tmpfs_over_search_dir(void **state)
{
	char *dir, *fw, *file;
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	need_namespace();
	dir = late_tmpdir();
	fw = late_path(dir, "fw");
	file = late_path(fw, "m.bin");
	assert_int_equal(mkdir(fw, 0755), 0);
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("m.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(mount("tmpfs", fw, "tmpfs", 0, NULL), 0);
	late_write_file(file, 10000, 41);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 10000, 41);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	assert_int_equal(umount2(fw, MNT_DETACH), 0);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

static void test_bind_mount_with_file(void **state)
{
	char *dir, *src, *sfile, *fw, *file;
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	need_namespace();
	dir = late_tmpdir();
	src = late_path(dir, "src");
	sfile = late_path(src, "b.bin");
	fw = late_path(dir, "fw");
	file = late_path(fw, "b.bin");
	assert_int_equal(mkdir(src, 0755), 0);
	assert_int_equal(mkdir(fw, 0755), 0);
	late_write_file(sfile, 5000, 42);
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("b.bin", &rx);
	assert_int_equal(late_rx_wait(&rx, 100), 0);
	assert_int_equal(mount(src, fw, NULL, MS_BIND, NULL), 0);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 5000, 42);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	assert_int_equal(umount2(fw, MNT_DETACH), 0);
	free(src);
	free(sfile);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

static void test_mount_under_missing_component(void **state)
{
	char *dir, *mnt, *sub, *fw, *file;
	struct rproc_os_fw_waiter *w;
	struct late_rx rx;

	(void)state;
	need_namespace();
	dir = late_tmpdir();
	mnt = late_path(dir, "mnt");
	sub = late_path(mnt, "sub");
	fw = late_path(sub, "fw");
	file = late_path(fw, "u.bin");
	/* dir/mnt/sub/fw: nothing below dir exists yet. */
	assert_int_equal(rproc_os_fw_set_search_path(fw), 0);
	late_rx_init(&rx);
	w = late_wait("u.bin", &rx);
	late_sleep_ms(50);
	assert_int_equal(mkdir(mnt, 0755), 0);
	assert_int_equal(mount("tmpfs", mnt, "tmpfs", 0, NULL), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkdir(fw, 0755), 0);
	late_write_file(file, 3333, 43);
	assert_int_equal(late_rx_wait(&rx, 1000), 1);
	late_expect_fw(&rx, file, 3333, 43);
	rproc_os_fw_wait_cancel(w);
	late_rx_destroy(&rx);
	assert_int_equal(umount2(mnt, MNT_DETACH), 0);
	free(mnt);
	free(sub);
	free(fw);
	free(file);
	late_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpfs_over_search_dir),
		cmocka_unit_test(test_bind_mount_with_file),
		cmocka_unit_test(test_mount_under_missing_component),
	};

	/* Before any thread exists: unshare(CLONE_NEWNS) is per process. */
	if (geteuid() != 0)
		ns_err = EPERM;
	else if (unshare(CLONE_NEWNS))
		ns_err = errno;
	else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		ns_err = errno;
	late_watchdog(50);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
