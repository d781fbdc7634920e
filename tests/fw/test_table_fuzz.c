/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * table_fuzz: the walker on every single-byte corruption and every
 * truncation of a valid table, plus seeded random multi-byte corruptions.
 * Any return code is fine; under ASan/UBSan nothing may read outside the
 * table.  Each walk runs on a heap copy of exactly the table's length, so
 * an overread by even one byte is caught, and the callback reads every
 * byte it is handed.
 */
#include <stdlib.h>

#include "fw_test.h"
#include "table_fixture.h"

static struct table_fixture fx;
static unsigned long sink;

static int touch(void *ctx, const struct rproc_rsc_entry *e)
{
	const uint8_t *p = e->body;
	size_t i;

	(void)ctx;
	for (i = 0; i < e->body_len; i++)
		sink += p[i];
	/* the type word too */
	sink += p[-4] + p[-1];
	return 0;
}

static int walk_copy(const uint8_t *src, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct rproc_diag d;
	int ret;

	assert_non_null(copy);
	memcpy(copy, src, len);
	d.msg[0] = 0;
	ret = rproc_table_walk(copy, len, touch, NULL, &d);
	/* a failure always leaves a message */
	if (ret)
		assert_true(strncmp(d.msg, "resource table: ", 16) == 0);
	free(copy);
	return ret;
}

static void every_byte(void **state)
{
	static const uint8_t values[] = {0xFF, 0x00, 0x80, 0x01, 0x7F};
	uint8_t t[FIX_CAP];
	size_t pos;
	unsigned v, failures = 0;

	(void)state;
	fixture_build(&fx);
	assert_int_equal(walk_copy(fx.buf, fx.len), 0);
	for (pos = 0; pos < fx.len; pos++) {
		for (v = 0; v < sizeof(values); v++) {
			memcpy(t, fx.buf, fx.len);
			t[pos] = values[v];
			failures += walk_copy(t, fx.len) != 0;
		}
	}
	/* sanity: the corruptions did find something */
	assert_true(failures > 100);
}

static void every_truncation(void **state)
{
	size_t len;

	(void)state;
	fixture_build(&fx);
	for (len = 0; len <= fx.len; len++)
		walk_copy(fx.buf, len);
	/* cut tables with a corrupted byte as well */
	for (len = 16; len <= fx.len; len += 7) {
		uint8_t t[FIX_CAP];

		memcpy(t, fx.buf, fx.len);
		t[len / 2] ^= 0xFF;
		walk_copy(t, len);
	}
}

static uint32_t rnd_state = 0x12345678;

static uint32_t rnd(void)
{
	/* xorshift32: reproducible everywhere */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void random_corruptions(void **state)
{
	static const uint32_t words[] = {0,	1,	2,	    3,
					 4,	16,	20,	    0x7F,
					 0x80,	0xFF,	0x100,	    0x200,
					 0x201, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF};
	uint8_t t[FIX_CAP];
	unsigned iter, n;

	(void)state;
	fixture_build(&fx);
	for (iter = 0; iter < 20000; iter++) {
		size_t len = fx.len;

		memcpy(t, fx.buf, fx.len);
		for (n = 1 + rnd() % 4; n; n--) {
			size_t pos = rnd() % fx.len;

			if (rnd() & 1)
				t[pos] = (uint8_t)rnd();
			else if (pos + 4 <= fx.len)
				fix_put32(t + pos,
					  words[rnd() % (sizeof(words) /
							 sizeof(words[0]))]);
		}
		if (!(rnd() % 4))
			len = rnd() % (fx.len + 1);
		walk_copy(t, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_byte),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(random_corruptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
