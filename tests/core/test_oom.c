/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every allocation in boot fails in turn: each failure returns -ENOMEM,
 * leaves the remote OFFLINE with nothing held, and leaks nothing (this test
 * counts live allocations; the ASan build's LeakSanitizer checks too).
 */
#include <stdlib.h>

#include "common.h"

static long fail_at = -1, count, live;

static void *t_malloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	if (fail_at >= 0 && count++ == fail_at)
		return NULL;
	p = malloc(size);
	if (p)
		live++;
	return p;
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	live--;
	free(p);
}

static void test_boot_oom_loop(void **state)
{
	const struct rproc_alloc_hooks hooks = {t_malloc, t_free, NULL};
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;
	long points = 0;

	(void)state;
	std_image(dir, "fw.bin", true);
	rproc_set_alloc_hooks(&hooks);
	fake_init(&f);
	r = fake_rproc(&f, "oom", "fw.bin", false, false);
	fake_add_subdevs(&f, 2);
	assert_int_equal(rproc_add(r), 0);
	long base = live;
	for (fail_at = 0;; fail_at++) {
		int ret;

		count = 0;
		ret = rproc_boot(r);
		if (ret == 0) {
			assert_int_equal(rproc_shutdown(r), 0);
			assert_int_equal(live, base);
			break;
		}
		points++;
		if (ret != -ENOMEM)
			fail_msg("allocation %ld: got %s, expected ENOMEM",
				 fail_at, rproc_err_name(ret));
		assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
		if (live != base)
			fail_msg("allocation %ld failing leaked %ld blocks",
				 fail_at, live - base);
	}
	print_message("%ld allocation points in boot, each unwound\n", points);
	assert_true(points >= 8);
	fail_at = -1;
	fake_fini(&f);
	rproc_set_alloc_hooks(NULL);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_oom_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
