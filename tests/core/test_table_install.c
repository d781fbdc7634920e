/* SPDX-License-Identifier: BSD-3-Clause */
/* Topics 3/4: the firmware's table installed with allocation results; a
 * table built and installed for table-less firmware; table_ptr falls back
 * to the core's copy on errors and at shutdown. */
#include "common.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A subdevice reading its vdev's live table entry at start. */
struct entry_sd {
	struct rproc_subdev sd;
	void *entry;
	size_t len;
	void *no_entry; /* of a resource without a table entry */
};

static int entry_sd_start(struct rproc_subdev *sd)
{
	struct entry_sd *e = (struct entry_sd *)sd;
	struct rproc_resource *vd =
		rproc_resource_find(sd->rproc, RSC_VDEV, "vdev0");

	struct rproc_resource none = {.table_offset = -1};
	size_t len = 0;

	e->entry = vd ? rproc_resource_entry(sd->rproc, vd, &e->len) : NULL;
	e->no_entry = rproc_resource_entry(sd->rproc, &none, &len);
	return 0;
}

static void test_installed_table_has_results(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;
	uint8_t *t;

	(void)state;
	std_image(dir, "fw.bin", true);
	fake_init(&f);
	r = fake_rproc(&f, "ti", "fw.bin", false, false);
	struct entry_sd esd = {
		.sd = {.name = "entry", .start = entry_sd_start}};
	assert_int_equal(rproc_subdev_add(r, &esd.sd), 0);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	/* the table lives right after the 16-byte payload at 0x100 */
	t = f.mem + 0x100 + 16;
	assert_ptr_equal(r->table_ptr, t);
	assert_int_equal(rd32(t), 1);
	assert_int_equal(rd32(t + 4), 3);
	/* carveout: da filled from the driver's mapping of pa */
	uint32_t c = rd32(t + 16);
	assert_int_equal(rd32(t + c), RSC_CARVEOUT);
	assert_int_equal(rd32(t + c + 4), FAKE_MEM_DA + 0x10000);
	assert_int_equal(rd32(t + c + 8), FAKE_MEM_PA + 0x10000);
	/* vdev: notify ids and ring addresses written back */
	uint32_t v = rd32(t + 24);
	struct rproc_resource *vd = rproc_resource_find(r, RSC_VDEV, "vdev0");
	assert_non_null(vd);
	assert_int_equal(rd32(t + v + 4 + 4), vd->notifyid);
	for (int i = 0; i < 2; i++) {
		const uint8_t *ring = t + v + 4 + 24 + 20 * i;

		assert_int_not_equal(rd32(ring), FW_RSC_ADDR_ANY);
		assert_int_equal(rd32(ring), (uint32_t)vd->d.vdev.vring[i].da);
		assert_int_equal(rd32(ring + 12), vd->d.vdev.vring[i].notifyid);
	}
	assert_int_not_equal(vd->d.vdev.vring[0].notifyid,
			     vd->d.vdev.vring[1].notifyid);
	/* subdevices reach the live vdev entry (status, features, config) */
	assert_ptr_equal(esd.entry, t + v + 4);
	assert_int_equal(esd.len, r->table_len - v - 4);
	assert_int_equal(rd32(esd.entry), vd->d.vdev.id);
	assert_null(esd.no_entry);
	/* trace readable */
	memcpy(f.mem + 0x20000, "hello trace", 12);
	char buf[64];
	assert_int_equal(rproc_trace_count(r), 1);
	assert_int_equal(rproc_trace_read(r, 0, buf, sizeof(buf)), 11);
	assert_memory_equal(buf, "hello trace", 11);
	assert_int_equal(rproc_trace_read(r, 1, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_null(r->table_ptr);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* Table-less firmware: the core builds a table from the platform's
 * resources and installs it in the "rsc-table" region. */
static void test_built_table(void **state)
{
	char *dir = fake_fw_dir();
	uint8_t img[256];
	struct fake f;
	struct rproc *r;

	(void)state;
	fake_write_file(dir, "bare.bin", img,
			fake_image(img, sizeof(img), "payload", 8, NULL, 0));
	fake_init(&f);
	r = fake_rproc(&f, "tb", "bare.bin", false, false);
	rproc_rsc_desc_init(&f.plat[0], RSC_CARVEOUT, "rsc-table");
	f.plat[0].pa = FAKE_MEM_PA + 0x30000;
	f.plat[0].len = 0x400;
	rproc_rsc_desc_init(&f.plat[1], RSC_TRACE, "trace0");
	f.plat[1].da = FAKE_MEM_DA + 0x20000;
	f.plat[1].len = 128;
	f.nplat = 2;
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	assert_ptr_equal(r->table_ptr, f.mem + 0x30000);
	assert_true(r->table_built);
	/* the installed table walks and holds the trace */
	struct rproc_diag d = {{0}};
	assert_int_equal(
		rproc_table_walk(f.mem + 0x30000, 0x400, NULL, NULL, &d), 0);
	assert_int_equal(rd32(f.mem + 0x30000 + 4), 1);
	uint32_t off = rd32(f.mem + 0x30000 + 16);
	assert_int_equal(rd32(f.mem + 0x30000 + off), RSC_TRACE);
	assert_int_equal(rd32(f.mem + 0x30000 + off + 4),
			 FAKE_MEM_DA + 0x20000);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_null(r->table_ptr);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A table that is malformed: precise error, OFFLINE, nothing held. */
static void test_bad_table_rejected(void **state)
{
	char *dir = fake_fw_dir();
	uint8_t table[512], img[1024];
	size_t tlen;
	struct fake f;
	struct rproc *r;
	char msg[256];

	(void)state;
	tlen = std_table(table, sizeof(table), true);
	table[0] = 2; /* version 2 */
	fake_write_file(dir, "v2.bin", img,
			fake_image(img, sizeof(img), "xyz", 4, table, tlen));
	fake_init(&f);
	r = fake_rproc(&f, "bt", "v2.bin", false, false);
	assert_int_equal(rproc_add(r), 0);
	assert_int_not_equal(rproc_boot(r), 0);
	rproc_last_error(r, msg, sizeof(msg));
	assert_non_null(strstr(msg, "version 2"));
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_null(r->cached_table);
	assert_null(r->rscs);
	assert_log(&f, "sanity prepare parse unprepare");
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed_table_has_results),
		cmocka_unit_test(test_built_table),
		cmocka_unit_test(test_bad_table_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
