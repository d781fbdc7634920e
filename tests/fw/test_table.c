/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * table_walk: the resource table walker (include/rproc/table.h) on a valid
 * table with every entry kind, then with each check broken in turn.  Every
 * case asserts the exact return code and the key part of the message.
 */
#include <stdio.h>

#include "fw_test.h"
#include "table_fixture.h"

static struct table_fixture fx;
static struct rproc_diag diag;

#define MAX_SEEN 16
static struct rproc_rsc_entry seen[MAX_SEEN];
static unsigned nseen;
static int fail_at = -1;

static int record(void *ctx, const struct rproc_rsc_entry *e)
{
	(void)ctx;
	if (nseen < MAX_SEEN)
		seen[nseen] = *e;
	if ((int)nseen++ == fail_at)
		return -EIO;
	return 0;
}

static int walk_len(size_t len)
{
	nseen = 0;
	memset(&diag, 0, sizeof(diag));
	return rproc_table_walk(fx.buf, len, record, NULL, &diag);
}

static int walk(void)
{
	return walk_len(fx.len);
}

static int setup(void **state)
{
	(void)state;
	fixture_build(&fx);
	fail_at = -1;
	return fx.len ? 0 : -1;
}

static uint8_t *entry(unsigned i)
{
	return fx.buf + fx.off[i];
}

static void valid_all_types(void **state)
{
	static const uint32_t types[FIX_NUM] = {RSC_CARVEOUT, RSC_DEVMEM,
						RSC_TRACE, RSC_VDEV, 128};
	static const size_t lens[FIX_NUM] = {52, 52, 44, 68, 8};
	unsigned i;

	(void)state;
	assert_int_equal(fx.len, 280);
	assert_ok(walk(), &diag);
	assert_int_equal(nseen, FIX_NUM);
	for (i = 0; i < FIX_NUM; i++) {
		assert_int_equal(seen[i].index, i);
		assert_int_equal(seen[i].type, types[i]);
		assert_int_equal(seen[i].offset, fx.off[i]);
		assert_ptr_equal(seen[i].body, entry(i) + 4);
		assert_int_equal(seen[i].body_len, lens[i]);
	}
	assert_int_equal(fx.off[0], 16 + 4 * FIX_NUM);
	/* NULL callback: check only */
	assert_ok(rproc_table_walk(fx.buf, fx.len, NULL, NULL, &diag), &diag);
	/* an empty table is fine */
	fix_put32(fx.buf + 4, 0);
	assert_ok(walk_len(16), &diag);
	assert_int_equal(nseen, 0);
}

static void callback_error_stops(void **state)
{
	(void)state;
	fail_at = 2;
	assert_int_equal(walk(), -EIO);
	assert_int_equal(nseen, 3);
}

static void nothing_seen_before_bad_entry(void **state)
{
	(void)state;
	fix_put32(entry(3) + VRING(1, num), 0);
	assert_diag(walk(), -EINVAL, &diag, "entry 3 (vdev)");
	assert_int_equal(nseen, 0);
}

static void short_header(void **state)
{
	size_t len;

	(void)state;
	for (len = 0; len < 16; len++)
		assert_diag(walk_len(len), -EBADMSG, &diag,
			    "smaller than its 0x10-byte header");
	assert_diag(rproc_table_walk(NULL, 0, NULL, NULL, &diag), -EBADMSG,
		    &diag, "resource table: 0x0 bytes");
}

static void bad_version(void **state)
{
	(void)state;
	fix_put32(fx.buf, 2);
	assert_diag(walk(), -EINVAL, &diag,
		    "resource table: version 2, expected 1");
	fix_put32(fx.buf, 0);
	assert_diag(walk(), -EINVAL, &diag, "version 0, expected 1");
}

static void header_reserved(void **state)
{
	(void)state;
	fix_put32(fx.buf + 8, 1);
	assert_diag(walk(), -EINVAL, &diag,
		    "resource table: reserved header words 0x1 0x0 are not "
		    "zero");
	fix_put32(fx.buf + 8, 0);
	fix_put32(fx.buf + 12, 0x80000000);
	assert_diag(walk(), -EINVAL, &diag, "0x0 0x80000000 are not zero");
}

static void entry_reserved(void **state)
{
	(void)state;
	fix_put32(entry(0) + CARVEOUT_RESERVED, 1);
	assert_diag(walk(), -EINVAL, &diag,
		    "resource table: entry 0 (carveout) at offset 0x24: "
		    "reserved field 0x1 is not zero");
	setup(NULL);
	fix_put32(entry(1) + CARVEOUT_RESERVED, 0xdead);
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 1 (devmem) at offset 0x5c: reserved field 0xdead");
	setup(NULL);
	fix_put32(entry(2) + TRACE_RESERVED, 2);
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 2 (trace) at offset 0x94: reserved field 0x2");
	setup(NULL);
	entry(3)[VDEV_RESERVED] = 1;
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 3 (vdev) at offset 0xc4: reserved bytes 0x01 0x00");
	setup(NULL);
	entry(3)[VDEV_RESERVED + 1] = 0x80;
	assert_diag(walk(), -EINVAL, &diag, "reserved bytes 0x00 0x80");
}

static void too_many_entries(void **state)
{
	(void)state;
	fix_put32(fx.buf + 4, RPROC_TABLE_MAX_ENTRIES + 1);
	assert_diag(walk(), -EINVAL, &diag,
		    "resource table: 257 entries, at most 256");
	fix_put32(fx.buf + 4, 0xFFFFFFFF);
	assert_diag(walk(), -EINVAL, &diag, "4294967295 entries");
}

static void offset_array_past_end(void **state)
{
	(void)state;
	assert_diag(walk_len(16 + 4 * FIX_NUM - 1), -EBADMSG, &diag,
		    "resource table: offset array of 5 entries past end of "
		    "table (0x23 bytes)");
	/* 200 entries fit the limit but not this table */
	fix_put32(fx.buf + 4, 200);
	assert_diag(walk(), -EBADMSG, &diag, "offset array of 200 entries");
	/* 6 entries: the array now covers entry 0's type word */
	fix_put32(fx.buf + 4, 6);
	assert_diag(walk(), -EBADMSG, &diag,
		    "entry 0 at offset 0x24: inside the header or offset array "
		    "(entries start at 0x28)");
}

static void entry_offset_bad(void **state)
{
	(void)state;
	fix_put32(fx.buf + 16 + 4 * 2, (uint32_t)fx.len);
	assert_diag(walk(), -EBADMSG, &diag,
		    "resource table: entry 2 at offset 0x118: type word past "
		    "end of table (0x118 bytes)");
	fix_put32(fx.buf + 16 + 4 * 2, (uint32_t)fx.len - 3);
	assert_diag(walk(), -EBADMSG, &diag, "entry 2 at offset 0x115");
	fix_put32(fx.buf + 16 + 4 * 2, 0xFFFFFFFF);
	assert_diag(walk(), -EBADMSG, &diag,
		    "entry 2 at offset 0xffffffff: type word past end");
	fix_put32(fx.buf + 16, 16);
	assert_diag(
		walk(), -EBADMSG, &diag,
		"entry 0 at offset 0x10: inside the header or offset array");
	/* the type word may be the table's last 4 bytes (vendor, empty) */
	setup(NULL);
	fix_put32(fx.buf + 16 + 4 * 4, (uint32_t)fx.len - 4);
	fix_put32(fx.buf + fx.len - 4, 200);
	assert_ok(walk(), &diag);
	assert_int_equal(seen[4].body_len, 0);
}

static void unaligned_entry(void **state)
{
	uint8_t t[16 + 4 + 1 + 56] = {0};
	const size_t at = 21;

	(void)state;
	/* One carveout at an odd offset: Linux accepts this, and reading it
	 * must not trip UBSan's alignment checks. */
	fix_put32(t, 1);
	fix_put32(t + 4, 1);
	fix_put32(t + 16, at);
	fix_put32(t + at, RSC_CARVEOUT);
	fix_put32(t + at + 4, 0x1234);
	memcpy(t + at + CARVEOUT_NAME, "odd", 4);
	nseen = 0;
	assert_ok(rproc_table_walk(t, sizeof(t), record, NULL, &diag), &diag);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen[0].offset, 21);
	assert_int_equal(seen[0].body_len, 52);
}

static void body_past_end(void **state)
{
	static const char *const names[] = {"carveout", "devmem", "trace"};
	static const size_t need[] = {52, 52, 44};
	char want[128];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		size_t len = fx.off[i] + 4 + need[i] - 1;

		snprintf(want, sizeof(want),
			 "entry %u (%s) at offset 0x%x: 0x%zx-byte body past "
			 "end of table (0x%zx bytes left)",
			 i, names[i], (unsigned)fx.off[i], need[i],
			 need[i] - 1);
		assert_diag(walk_len(len), -EBADMSG, &diag, want);
		/* one more byte and it fits: the next entry is cut */
		snprintf(want, sizeof(want),
			 "entry %u at offset 0x%x: type word past end", i + 1,
			 (unsigned)fx.off[i + 1]);
		assert_diag(walk_len(len + 1), -EBADMSG, &diag, want);
	}
	/* vdev: fixed part, vrings, config */
	assert_diag(walk_len(fx.off[3] + 4 + 23), -EBADMSG, &diag,
		    "entry 3 (vdev) at offset 0xc4: 0x18-byte body past end of "
		    "table (0x17 bytes left)");
	assert_diag(walk_len(fx.off[3] + 4 + 24 + 39), -EBADMSG, &diag,
		    "entry 3 (vdev) at offset 0xc4: 2 vrings + config_len 0x4 "
		    "past end of table (0x3f bytes left)");
	assert_diag(walk_len(fx.off[3] + 4 + 67), -EBADMSG, &diag,
		    "config_len 0x4 past end of table (0x43 bytes left)");
	/* vendor entry at the very end: nothing to overrun */
	assert_ok(walk_len(fx.len - 8), &diag);
	assert_int_equal(seen[4].body_len, 0);
}

static void vdev_config_len(void **state)
{
	(void)state;
	fix_put32(entry(3) + VDEV_CONFIG_LEN, 0xFFFFFFFF);
	assert_diag(walk(), -EBADMSG, &diag,
		    "entry 3 (vdev) at offset 0xc4: 2 vrings + config_len "
		    "0xffffffff past end of table");
	fix_put32(entry(3) + VDEV_CONFIG_LEN, 0xFFFFFFFF - 60);
	assert_diag(walk(), -EBADMSG, &diag, "past end of table");
	/* config may extend into the next entry's bytes: only the table end
	 * bounds it (Linux does the same) */
	fix_put32(entry(3) + VDEV_CONFIG_LEN, 12);
	assert_ok(walk(), &diag);
	assert_int_equal(seen[3].body_len, 24 + 40 + 12);
	assert_int_equal(rproc_table_vdev_size(2, 12), 76);
}

static void vdev_vrings(void **state)
{
	(void)state;
	entry(3)[VDEV_NUM_VRINGS] = 3;
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 3 (vdev) at offset 0xc4: num_of_vrings 3 exceeds 2");
	entry(3)[VDEV_NUM_VRINGS] = 255;
	assert_diag(walk(), -EINVAL, &diag, "num_of_vrings 255 exceeds 2");
	/* fewer vrings: the config follows the first ring */
	entry(3)[VDEV_NUM_VRINGS] = 1;
	assert_ok(walk(), &diag);
	assert_int_equal(seen[3].body_len, 24 + 20 + 4);
	entry(3)[VDEV_NUM_VRINGS] = 0;
	assert_ok(walk(), &diag);
	assert_int_equal(seen[3].body_len, 24 + 4);
}

static void vring_values(void **state)
{
	static const uint32_t bad_num[] = {0,	  3,	      6,
					   65536, 0x80000000, 0xFFFFFFFF};
	static const uint32_t bad_align[] = {0, 3, 24, 0xFFFFFFFF};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
		setup(NULL);
		fix_put32(entry(3) + VRING(1, num), bad_num[i]);
		assert_diag(walk(), -EINVAL, &diag,
			    "entry 3 (vdev) at offset 0xc4: vring 1: num ");
		assert_non_null(strstr(diag.msg, "is not a power of two in "
						 "1..32768"));
	}
	setup(NULL);
	fix_put32(entry(3) + VRING(0, num), 0);
	assert_diag(walk(), -EINVAL, &diag,
		    "vring 0: num 0 is not a power of two");
	for (i = 0; i < sizeof(bad_align) / sizeof(bad_align[0]); i++) {
		setup(NULL);
		fix_put32(entry(3) + VRING(0, align), bad_align[i]);
		assert_diag(walk(), -EINVAL, &diag, "vring 0: align 0x");
	}
	setup(NULL);
	fix_put32(entry(3) + VRING(0, num), 32768);
	fix_put32(entry(3) + VRING(0, align), 4096);
	assert_ok(walk(), &diag);
	fix_put32(entry(3) + VRING(0, num), 1);
	fix_put32(entry(3) + VRING(0, align), 1);
	assert_ok(walk(), &diag);
}

static void name_not_terminated(void **state)
{
	(void)state;
	memset(entry(0) + CARVEOUT_NAME, 'A', 32);
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 0 (carveout) at offset 0x24: name not "
		    "NUL-terminated within 32 bytes");
	setup(NULL);
	memset(entry(1) + CARVEOUT_NAME, 'A', 32);
	assert_diag(walk(), -EINVAL, &diag, "entry 1 (devmem)");
	setup(NULL);
	memset(entry(2) + TRACE_NAME, 'A', 32);
	assert_diag(walk(), -EINVAL, &diag,
		    "entry 2 (trace) at offset 0x94: name not NUL-terminated");
	/* 31 characters and a NUL is the longest name */
	setup(NULL);
	memset(entry(2) + TRACE_NAME, 'A', 31);
	entry(2)[TRACE_NAME + 31] = 0;
	assert_ok(walk(), &diag);
}

static void vendor_and_unknown(void **state)
{
	(void)state;
	/* vendor types 128..512: body up to the end of the table */
	fix_put32(entry(4), 512);
	assert_ok(walk(), &diag);
	assert_int_equal(seen[4].type, 512);
	assert_int_equal(seen[4].body_len, 8);
	/* a vendor entry before others also gets the bytes to the end */
	setup(NULL);
	fix_put32(entry(2), 300);
	assert_ok(walk(), &diag);
	assert_int_equal(seen[2].type, 300);
	assert_int_equal(seen[2].body_len, fx.len - fx.off[2] - 4);
	/* unknown types are passed through for the caller to skip */
	setup(NULL);
	fix_put32(entry(2), 77);
	memset(entry(2) + 4, 0xFF, 44); /* its "reserved" means nothing */
	assert_ok(walk(), &diag);
	assert_int_equal(nseen, FIX_NUM);
	assert_int_equal(seen[2].type, 77);
	assert_int_equal(seen[2].body_len, fx.len - fx.off[2] - 4);
	fix_put32(entry(2), 513);
	assert_ok(walk(), &diag);
	fix_put32(entry(2), RSC_LAST);
	assert_ok(walk(), &diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(valid_all_types, setup),
		cmocka_unit_test_setup(callback_error_stops, setup),
		cmocka_unit_test_setup(nothing_seen_before_bad_entry, setup),
		cmocka_unit_test_setup(short_header, setup),
		cmocka_unit_test_setup(bad_version, setup),
		cmocka_unit_test_setup(header_reserved, setup),
		cmocka_unit_test_setup(entry_reserved, setup),
		cmocka_unit_test_setup(too_many_entries, setup),
		cmocka_unit_test_setup(offset_array_past_end, setup),
		cmocka_unit_test_setup(entry_offset_bad, setup),
		cmocka_unit_test_setup(unaligned_entry, setup),
		cmocka_unit_test_setup(body_past_end, setup),
		cmocka_unit_test_setup(vdev_config_len, setup),
		cmocka_unit_test_setup(vdev_vrings, setup),
		cmocka_unit_test_setup(vring_values, setup),
		cmocka_unit_test_setup(name_not_terminated, setup),
		cmocka_unit_test_setup(vendor_and_unknown, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
