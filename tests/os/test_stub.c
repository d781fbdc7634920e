/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * os_stub: the bare-metal stub layer (src/os/stub/stub.c), built for the
 * host.  Its heap allocates, frees and coalesces; workers run only from
 * rproc_os_stub_poll(), kicks coalesce and a kick during fn gives one more
 * call; firmware functions are -ENOTSUP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/coredump.h"
#include "rproc/os.h"

void rproc_os_stub_poll(void);

static void test_heap(void **state)
{
	void *p[64];
	void *big;
	size_t i, n = 0;

	(void)state;
	/* Fill the heap with small blocks, then free them all: the heap must
	 * coalesce back into one block big enough for nearly everything. */
	while (n < 64 && (p[n] = rproc_os_malloc(200)))
		memset(p[n++], 0xa5, 200);
	assert_true(n > 40);
	assert_null(rproc_os_malloc(8 * 1024));
	for (i = 0; i < n; i += 2)
		rproc_os_free(p[i]);
	for (i = 1; i < n; i += 2)
		rproc_os_free(p[i]);
	big = rproc_os_malloc(15 * 1024);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 8, 0);
	rproc_os_free(big);
	assert_null(rproc_os_malloc(SIZE_MAX));
	rproc_os_free(NULL);
}

struct counter {
	int calls;
	int kick_inside;
	struct rproc_os_worker *w;
};

static void count_fn(void *ctx)
{
	struct counter *c = ctx;

	c->calls++;
	assert_true(rproc_os_worker_is_current(c->w));
	if (c->kick_inside) {
		c->kick_inside--;
		rproc_os_worker_kick(c->w);
	}
}

static void test_workers(void **state)
{
	struct counter c = {0};

	(void)state;
	assert_int_equal(rproc_os_worker_new("w", count_fn, &c, &c.w), 0);
	rproc_os_stub_poll();
	assert_int_equal(c.calls, 0);
	rproc_os_worker_kick(c.w);
	rproc_os_worker_kick(c.w);
	assert_int_equal(c.calls, 0); /* never inside kick */
	rproc_os_stub_poll();
	assert_int_equal(c.calls, 1);
	c.kick_inside = 1;
	rproc_os_worker_kick(c.w);
	rproc_os_stub_poll();
	assert_int_equal(c.calls, 3);
	assert_false(rproc_os_worker_is_current(c.w));
	rproc_os_worker_kick(c.w);
	rproc_os_worker_free(c.w); /* pending kick dropped */
	rproc_os_stub_poll();
	assert_int_equal(c.calls, 3);
}

static void test_sync_and_rest(void **state)
{
	struct rproc_os_mutex *m;
	struct rproc_os_cond *c;
	struct rproc_os_fw *fw;
	struct rproc_os_fw_waiter *w;
	struct rproc_dump_sink sink;

	(void)state;
	assert_int_equal(rproc_os_mutex_new(&m), 0);
	assert_int_equal(rproc_os_cond_new(&c), 0);
	rproc_os_mutex_lock(m);
	assert_int_equal(rproc_os_cond_wait(c, m, 1000), -ETIMEDOUT);
	rproc_os_mutex_unlock(m);
	rproc_os_cond_free(c);
	rproc_os_mutex_free(m);
	assert_int_equal(rproc_os_monotonic_ns(), 0);
	rproc_os_log(RPROC_LOG_ERR, "ignored");
	assert_int_equal(rproc_os_fw_set_search_path("/x"), -ENOTSUP);
	assert_int_equal(rproc_os_fw_request("a", &fw), -ENOTSUP);
	assert_int_equal(rproc_os_fw_wait("a", NULL, NULL, &w), -ENOTSUP);
	assert_int_equal(rproc_dump_sink_file(&sink, "/x"), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_sync_and_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
