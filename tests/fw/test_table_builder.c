/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * table_builder: the resource table builder (include/rproc/table.h): exact
 * bytes, round trip through the walker, alignment, -ENOSPC and wrong
 * entry counts.
 */
#include "fw_test.h"
#include "table_fixture.h"

#define MAX_SEEN 8
static struct rproc_rsc_entry seen[MAX_SEEN];
static unsigned nseen;

static int record(void *ctx, const struct rproc_rsc_entry *e)
{
	(void)ctx;
	if (nseen < MAX_SEEN)
		seen[nseen] = *e;
	nseen++;
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void exact_bytes(void **state)
{
	struct rproc_table_builder b;
	uint8_t buf[80], body[52] = {0};
	uint32_t off = 0;
	size_t len = 0;

	(void)state;
	memset(buf, 0xAA, sizeof(buf));
	body[0] = 0x11;
	memcpy(body + 20, "fw", 3);
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 1), 0);
	assert_int_equal(rproc_table_builder_add(&b, RSC_CARVEOUT, body,
						 sizeof(body), &off),
			 0);
	assert_int_equal(off, 20);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(len, 20 + 4 + 52);
	assert_int_equal(get32(buf), 1);      /* ver */
	assert_int_equal(get32(buf + 4), 1);  /* num */
	assert_int_equal(get32(buf + 8), 0);  /* reserved */
	assert_int_equal(get32(buf + 12), 0); /* reserved */
	assert_int_equal(get32(buf + 16), 20);
	assert_int_equal(get32(buf + 20), RSC_CARVEOUT);
	assert_memory_equal(buf + 24, body, sizeof(body));
}

static void round_trip(void **state)
{
	struct table_fixture fx;
	struct rproc_diag d = {{0}};
	static const uint32_t types[FIX_NUM] = {0, 1, 2, 3, 128};
	unsigned i;

	(void)state;
	fixture_build(&fx);
	assert_int_not_equal(fx.len, 0);
	nseen = 0;
	assert_ok(rproc_table_walk(fx.buf, fx.len, record, NULL, &d), &d);
	assert_int_equal(nseen, FIX_NUM);
	for (i = 0; i < FIX_NUM; i++) {
		assert_int_equal(seen[i].type, types[i]);
		assert_int_equal(seen[i].offset, fx.off[i]);
		assert_int_equal(get32(fx.buf + 16 + 4 * i), fx.off[i]);
	}
	assert_string_equal((const char *)seen[0].body + 20, "text");
	assert_string_equal((const char *)seen[2].body + 12, "trace0");
	assert_string_equal((const char *)seen[3].body + 64, "cfg");
	assert_int_equal(((const uint8_t *)seen[4].body)[7], 8);
}

static void entries_aligned(void **state)
{
	struct rproc_table_builder b;
	uint8_t buf[128], odd[3] = {1, 2, 3}, trace[44] = {0};
	uint32_t off[3];
	struct rproc_diag d = {{0}};
	size_t len;

	(void)state;
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 3), 0);
	assert_int_equal(rproc_table_builder_add(&b, 200, odd, 3, &off[0]), 0);
	assert_int_equal(
		rproc_table_builder_add(&b, RSC_TRACE, trace, 44, &off[1]), 0);
	/* an empty body is fine */
	assert_int_equal(rproc_table_builder_add(&b, 201, NULL, 0, &off[2]), 0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(off[0], 28);
	assert_int_equal(off[1], 28 + 4 + 3 + 1); /* padded to 4 */
	assert_int_equal(buf[35], 0);		  /* padding is zero */
	assert_int_equal(off[2], 36 + 48);
	assert_int_equal(len, 36 + 48 + 4);
	nseen = 0;
	assert_ok(rproc_table_walk(buf, len, record, NULL, &d), &d);
	assert_int_equal(nseen, 3);
	assert_int_equal(seen[2].body_len, 0);
}

static void no_space(void **state)
{
	struct rproc_table_builder b;
	uint8_t buf[16 + 8 + 4 + 52 + 4 + 8], body[52] = {0};
	size_t len;

	(void)state;
	/* the header and offset array must fit */
	assert_int_equal(rproc_table_builder_init(&b, buf, 23, 2), -ENOSPC);
	assert_int_equal(rproc_table_builder_init(&b, NULL, 0, 0), -ENOSPC);
	/* exactly enough */
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 2), 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, 52, NULL), 0);
	assert_int_equal(rproc_table_builder_add(&b, 130, body, 8, NULL), 0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(len, sizeof(buf));
	/* one byte short: the second add fails and changes nothing */
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf) - 1, 2),
			 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, 52, NULL), 0);
	assert_int_equal(rproc_table_builder_add(&b, 130, body, 8, NULL),
			 -ENOSPC);
	assert_int_equal(b.len, 16 + 8 + 56);
	assert_int_equal(b.added, 1);
	assert_int_equal(rproc_table_builder_add(&b, 130, body, 7, NULL), 0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	/* huge body lengths do not wrap */
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 1), 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, SIZE_MAX, NULL),
			 -ENOSPC);
	assert_int_equal(
		rproc_table_builder_add(&b, 0, body, SIZE_MAX - 3, NULL),
		-ENOSPC);
}

static void wrong_count(void **state)
{
	struct rproc_table_builder b;
	uint8_t buf[256], body[52] = {0};
	size_t len = 0;

	(void)state;
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 2), 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, 52, NULL), 0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), -EINVAL);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, 52, NULL), 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, body, 52, NULL),
			 -EINVAL);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(len, 16 + 8 + 2 * 56);
	/* limits and bad arguments */
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf),
						  RPROC_TABLE_MAX_ENTRIES + 1),
			 -EINVAL);
	assert_int_equal(rproc_table_builder_init(&b, NULL, 16, 0), -EINVAL);
	assert_int_equal(rproc_table_builder_init(&b, buf, sizeof(buf), 1), 0);
	assert_int_equal(rproc_table_builder_add(&b, 0, NULL, 52, NULL),
			 -EINVAL);
	/* zero entries is a valid, empty table */
	assert_int_equal(rproc_table_builder_init(&b, buf, 16, 0), 0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(len, 16);
}

static void vdev_size(void **state)
{
	(void)state;
	assert_int_equal(rproc_table_vdev_size(0, 0), 24);
	assert_int_equal(rproc_table_vdev_size(2, 4), 68);
	if (SIZE_MAX > 0xFFFFFFFFu)
		assert_int_equal(rproc_table_vdev_size(0xFFFFFFFF, 0xFFFFFFFF),
				 24 + 20 * 0xFFFFFFFFull + 0xFFFFFFFFull);
	else
		assert_int_equal(rproc_table_vdev_size(2, 0xFFFFFFFF), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_bytes),	   cmocka_unit_test(round_trip),
		cmocka_unit_test(entries_aligned), cmocka_unit_test(no_space),
		cmocka_unit_test(wrong_count),	   cmocka_unit_test(vdev_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
