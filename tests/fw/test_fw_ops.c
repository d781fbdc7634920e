/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_format_ops: the ELF and raw firmware formats (include/rproc/fw_format.h)
 * against a mock core.  This executable links the formats' objects but not
 * the core: the helpers the formats call (rproc_fw_set_table,
 * rproc_fw_load_segment, rproc_fw_set_core_info, rproc_fw_raw_layout) are
 * defined here and record their calls, so we can check the arguments, the
 * order, and that the formats pass the core's errors back unchanged.
 */
#include <stdio.h>

#include "elf_build.h"
#include "fw_test.h"
#include "rproc/elf.h"
#include "rproc/fw_format.h"
#include "rproc/resource.h"

/* ---- the mock core ------------------------------------------------------ */

struct load_call {
	uint64_t da;
	const void *src;
	uint64_t filesz, memsz;
};

static struct {
	struct rproc *rproc; /* what every call must receive */
	int bad_rproc;

	int set_table_calls;
	const void *table;
	size_t table_len;
	uint64_t table_da;
	int set_table_ret;

	unsigned nload;
	struct load_call load[16];
	int load_ret;
	unsigned load_fail_at;

	int core_info_calls;
	uint8_t cls;
	uint16_t machine;
	uint32_t flags;

	int layout_calls;
	int layout_ret;
	uint64_t load_da, entry, max_len;
} mock;

static int fake_rproc_storage;
#define RPROC ((struct rproc *)&fake_rproc_storage)

int rproc_fw_set_table(struct rproc *rproc, const void *table, size_t len,
		       uint64_t da, struct rproc_diag *d)
{
	mock.bad_rproc |= rproc != mock.rproc;
	mock.set_table_calls++;
	mock.table = table;
	mock.table_len = len;
	mock.table_da = da;
	if (mock.set_table_ret)
		return rproc_diag_set(d, mock.set_table_ret, "mock: table");
	return 0;
}

int rproc_fw_load_segment(struct rproc *rproc, uint64_t da, const void *src,
			  uint64_t filesz, uint64_t memsz, struct rproc_diag *d)
{
	unsigned i = mock.nload++;

	mock.bad_rproc |= rproc != mock.rproc;
	if (i < 16)
		mock.load[i] = (struct load_call){da, src, filesz, memsz};
	if (mock.load_ret && i == mock.load_fail_at)
		return rproc_diag_set(d, mock.load_ret, "mock: load %u", i);
	return 0;
}

void rproc_fw_set_core_info(struct rproc *rproc, uint8_t elf_class,
			    uint16_t machine, uint32_t flags)
{
	mock.bad_rproc |= rproc != mock.rproc;
	mock.core_info_calls++;
	mock.cls = elf_class;
	mock.machine = machine;
	mock.flags = flags;
}

int rproc_fw_raw_layout(struct rproc *rproc, uint64_t *load_da, uint64_t *entry,
			uint64_t *max_len)
{
	mock.bad_rproc |= rproc != mock.rproc;
	mock.layout_calls++;
	if (mock.layout_ret)
		return mock.layout_ret;
	*load_da = mock.load_da;
	*entry = mock.entry;
	*max_len = mock.max_len;
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static struct telf img;
static struct rproc_fw fw;
static struct rproc_diag diag;

static int reset(void **state)
{
	(void)state;
	memset(&mock, 0, sizeof(mock));
	mock.rproc = RPROC;
	memset(&diag, 0, sizeof(diag));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mock.bad_rproc, 0);
	return 0;
}

static void use(const struct telf_spec *s)
{
	telf_build(&img, s);
	fw.data = img.buf;
	fw.size = img.size;
	fw.name = "test.elf";
}

static const uint8_t table16[16] = {1}; /* ver 1, no entries */

/* ---- ELF ---------------------------------------------------------------- */

static void ops_shape(void **state)
{
	(void)state;
	assert_string_equal(rproc_fw_elf.name, "elf");
	assert_non_null(rproc_fw_elf.sanity_check);
	assert_non_null(rproc_fw_elf.parse);
	assert_non_null(rproc_fw_elf.load);
	assert_null(rproc_fw_elf.install_table);
	assert_non_null(rproc_fw_elf.boot_addr);
	assert_string_equal(rproc_fw_raw.name, "raw");
	assert_non_null(rproc_fw_raw.sanity_check);
	assert_null(rproc_fw_raw.parse);
	assert_non_null(rproc_fw_raw.load);
	assert_null(rproc_fw_raw.install_table);
	assert_non_null(rproc_fw_raw.boot_addr);
}

static void elf_sanity(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = telf_default_spec(cls);

		use(&s);
		assert_ok(rproc_fw_elf.sanity_check(RPROC, &fw, &diag), &diag);
	}
	/* registers nothing */
	assert_int_equal(
		mock.set_table_calls + mock.nload + mock.core_info_calls, 0);

	/* the reader's errors */
	img.buf[0] = 0;
	assert_diag(rproc_fw_elf.sanity_check(RPROC, &fw, &diag), -ENOEXEC,
		    &diag, "ELF: bad magic");
	{
		struct telf_spec s = telf_default_spec(1);

		use(&s);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x1010);
		assert_diag(rproc_fw_elf.sanity_check(RPROC, &fw, &diag),
			    -EBADMSG, &diag, "program headers 0 and 1 overlap");
	}
	assert_diag(rproc_fw_elf.sanity_check(RPROC, NULL, &diag), -EINVAL,
		    &diag, "ELF: no image");
}

static void elf_no_loadable_segment(void **state)
{
	struct telf_spec s = telf_default_spec(2);

	(void)state;
	s.seg[0].filesz = s.seg[0].memsz = 0;
	s.seg[1].type = RPROC_PT_NOTE;
	use(&s);
	assert_diag(rproc_fw_elf.sanity_check(RPROC, &fw, &diag), -ENOEXEC,
		    &diag, "ELF: no loadable segment");
	s.nseg = 0;
	use(&s);
	assert_diag(rproc_fw_elf.sanity_check(RPROC, &fw, &diag), -ENOEXEC,
		    &diag, "ELF: no loadable segment");
	/* bss only is loadable */
	s = telf_default_spec(2);
	s.nseg = 1;
	s.seg[0].filesz = 0;
	use(&s);
	assert_ok(rproc_fw_elf.sanity_check(RPROC, &fw, &diag), &diag);
}

static void elf_parse_table(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = telf_default_spec(cls);

		reset(NULL);
		s.table = table16;
		s.table_len = sizeof(table16);
		s.table_addr = cls == 1 ? 0x1040 : 0x100001040ull;
		use(&s);
		assert_ok(rproc_fw_elf.parse(RPROC, &fw, &diag), &diag);
		assert_int_equal(mock.set_table_calls, 1);
		assert_ptr_equal(mock.table, img.buf + img.table_off);
		assert_int_equal(mock.table_len, 16);
		assert_int_equal(mock.table_da, s.table_addr);
		assert_int_equal(mock.core_info_calls, 1);
		assert_int_equal(mock.cls, cls);
		assert_int_equal(mock.machine, s.machine);
		assert_int_equal(mock.flags, 0x5000400);
		assert_int_equal(mock.nload, 0);
	}
}

static void elf_parse_table_not_loaded(void **state)
{
	struct telf_spec s = telf_default_spec(1);

	(void)state;
	s.table = table16;
	s.table_len = sizeof(table16);
	s.table_addr = 0;
	s.table_not_alloc = true;
	use(&s);
	assert_ok(rproc_fw_elf.parse(RPROC, &fw, &diag), &diag);
	assert_int_equal(mock.set_table_calls, 1);
	assert_true(mock.table_da == RPROC_ANY);
}

static void elf_parse_no_table(void **state)
{
	struct telf_spec s = telf_default_spec(2);

	(void)state;
	use(&s);
	assert_ok(rproc_fw_elf.parse(RPROC, &fw, &diag), &diag);
	assert_int_equal(mock.set_table_calls, 0);
	assert_int_equal(mock.core_info_calls, 1);
	assert_int_equal(mock.cls, 2);
	assert_int_equal(mock.machine, 243);
	/* nor without any section headers */
	s.no_sections = true;
	use(&s);
	assert_ok(rproc_fw_elf.parse(RPROC, &fw, &diag), &diag);
	assert_int_equal(mock.set_table_calls, 0);
}

static void elf_parse_bad_table(void **state)
{
	static const uint8_t small[8] = {1};
	struct telf_spec s = telf_default_spec(1);

	(void)state;
	s.table = small;
	s.table_len = sizeof(small);
	use(&s);
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "ELF: .resource_table of 0x8 bytes is smaller than a table "
		    "header (0x10 bytes)");

	s.table = table16;
	s.table_len = sizeof(table16);
	use(&s);
	telf_set_shdr(&img, img.table_idx, TELF_SH_SIZE, img.size);
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "ELF: section 1 (.resource_table) at 0x");
	use(&s);
	telf_set_shdr(&img, img.table_idx, TELF_SH_OFFSET, 0xFFFFFFF8);
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "past end of image");
	use(&s);
	telf_set_shdr(&img, img.table_idx, TELF_SH_TYPE, TELF_SHT_NOBITS);
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "ELF: .resource_table has no contents in the image");
	assert_int_equal(mock.set_table_calls, 0);

	/* parse re-validates the whole image */
	use(&s);
	telf_set_phdr(&img, 0, TELF_P_FILESZ, 0x100);
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "filesz 0x100 > memsz 0x80");
	use(&s);
	img.buf[5] = 2;
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -ENOEXEC, &diag,
		    "big-endian");
	assert_int_equal(mock.set_table_calls, 0);
}

static void elf_parse_propagates(void **state)
{
	struct telf_spec s = telf_default_spec(1);

	(void)state;
	s.table = table16;
	s.table_len = sizeof(table16);
	use(&s);
	mock.set_table_ret = -EINVAL;
	assert_diag(rproc_fw_elf.parse(RPROC, &fw, &diag), -EINVAL, &diag,
		    "mock: table");
	mock.set_table_ret = -ENOMEM;
	assert_int_equal(rproc_fw_elf.parse(RPROC, &fw, &diag), -ENOMEM);
}

/* Segments: 0 LOAD, 1 NOTE, 2 empty LOAD, 3 bss-only LOAD, 4 LOAD. */
static struct telf_spec load_spec(uint8_t cls)
{
	struct telf_spec s = telf_default_spec(cls);

	s.nseg = 5;
	s.seg[1] = (struct telf_seg){RPROC_PT_NOTE, 0x1010, 0x10, 0x10};
	s.seg[2] = (struct telf_seg){RPROC_PT_LOAD, 0x1020, 0, 0};
	s.seg[3] = (struct telf_seg){RPROC_PT_LOAD, 0x3000, 0, 0x100};
	s.seg[4] = (struct telf_seg){RPROC_PT_LOAD, 0x2000, 0x20, 0x20};
	if (cls == 2)
		s.seg[4].paddr = 0x200000000ull;
	return s;
}

static void elf_load_segments(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = load_spec(cls);

		reset(NULL);
		use(&s);
		assert_ok(rproc_fw_elf.load(RPROC, &fw, &diag), &diag);
		assert_int_equal(mock.nload, 3);
		/* in program header order, zero-size segments skipped */
		assert_int_equal(mock.load[0].da, 0x1000);
		assert_ptr_equal(mock.load[0].src, img.buf + img.seg_off[0]);
		assert_int_equal(mock.load[0].filesz, 0x40);
		assert_int_equal(mock.load[0].memsz, 0x80);
		assert_int_equal(mock.load[1].da, 0x3000);
		assert_int_equal(mock.load[1].filesz, 0);
		assert_int_equal(mock.load[1].memsz, 0x100);
		assert_int_equal(mock.load[2].da, s.seg[4].paddr);
		assert_ptr_equal(mock.load[2].src, img.buf + img.seg_off[4]);
		assert_int_equal(mock.load[2].filesz, 0x20);
		assert_int_equal(mock.load[2].memsz, 0x20);
		assert_int_equal(((const uint8_t *)mock.load[2].src)[0], 0x55);
		/* no resources registered, identity recorded */
		assert_int_equal(mock.set_table_calls, 0);
		assert_int_equal(mock.core_info_calls, 1);
		assert_int_equal(mock.cls, cls);
	}
}

static void elf_load_propagates(void **state)
{
	struct telf_spec s = load_spec(1);

	(void)state;
	use(&s);
	mock.load_ret = -EFAULT;
	mock.load_fail_at = 1;
	assert_diag(rproc_fw_elf.load(RPROC, &fw, &diag), -EFAULT, &diag,
		    "mock: load 1");
	assert_int_equal(mock.nload, 2); /* stopped at the failure */
}

static void elf_load_revalidates(void **state)
{
	struct telf_spec s = load_spec(2);

	(void)state;
	/* overlapping segments: nothing may be copied at all */
	use(&s);
	telf_set_phdr(&img, 4, TELF_P_PADDR, 0x30f0);
	assert_diag(rproc_fw_elf.load(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "program headers 3 and 4 overlap");
	assert_int_equal(mock.nload, 0);
	/* a segment past the end, after good ones: nothing copied either */
	use(&s);
	telf_set_phdr(&img, 4, TELF_P_OFFSET, img.size);
	assert_diag(rproc_fw_elf.load(RPROC, &fw, &diag), -EBADMSG, &diag,
		    "program header 4: segment offset");
	assert_int_equal(mock.nload, 0);
	fw.size = 10;
	assert_diag(rproc_fw_elf.load(RPROC, &fw, &diag), -ENOEXEC, &diag,
		    "too small");
	assert_int_equal(mock.nload, 0);
}

static void elf_boot_addr(void **state)
{
	uint64_t addr = 0;
	struct telf_spec s = telf_default_spec(1);

	(void)state;
	use(&s);
	assert_int_equal(rproc_fw_elf.boot_addr(RPROC, &fw, &addr), 0);
	assert_int_equal(addr, 0x1001);
	s = telf_default_spec(2);
	s.entry = 0x8000000000001000ull;
	use(&s);
	assert_int_equal(rproc_fw_elf.boot_addr(RPROC, &fw, &addr), 0);
	assert_true(addr == 0x8000000000001000ull);
	img.buf[1] = 0;
	assert_int_equal(rproc_fw_elf.boot_addr(RPROC, &fw, &addr), -ENOEXEC);
}

/* ---- raw ---------------------------------------------------------------- */

static uint8_t blob[0x1001];

static void use_blob(size_t size)
{
	fw.data = blob;
	fw.size = size;
	fw.name = "test.bin";
	mock.load_da = 0x8000;
	mock.entry = 0x8004;
	mock.max_len = 0x1000;
}

static void raw_sanity(void **state)
{
	(void)state;
	use_blob(1);
	assert_ok(rproc_fw_raw.sanity_check(RPROC, &fw, &diag), &diag);
	use_blob(0);
	assert_diag(rproc_fw_raw.sanity_check(RPROC, &fw, &diag), -ENOEXEC,
		    &diag, "raw: empty image");
	assert_diag(rproc_fw_raw.sanity_check(RPROC, NULL, &diag), -ENOEXEC,
		    &diag, "raw: empty image");
	assert_int_equal(mock.layout_calls + (int)mock.nload, 0);
}

static void raw_load(void **state)
{
	(void)state;
	use_blob(0x1000); /* exactly the region */
	assert_ok(rproc_fw_raw.load(RPROC, &fw, &diag), &diag);
	assert_int_equal(mock.nload, 1);
	assert_int_equal(mock.load[0].da, 0x8000);
	assert_ptr_equal(mock.load[0].src, blob);
	assert_int_equal(mock.load[0].filesz, 0x1000);
	assert_int_equal(mock.load[0].memsz, 0x1000);
	assert_int_equal(mock.set_table_calls, 0);

	use_blob(0x1001);
	assert_diag(rproc_fw_raw.load(RPROC, &fw, &diag), -E2BIG, &diag,
		    "raw: image 0x1001 bytes larger than region 0x1000");
	assert_int_equal(mock.nload, 1);

	use_blob(0);
	assert_diag(rproc_fw_raw.load(RPROC, &fw, &diag), -ENOEXEC, &diag,
		    "raw: empty image");
}

static void raw_propagates(void **state)
{
	uint64_t addr = 0;

	(void)state;
	use_blob(16);
	mock.layout_ret = -ENOENT;
	assert_diag(rproc_fw_raw.load(RPROC, &fw, &diag), -ENOENT, &diag,
		    "raw: no load address");
	assert_int_equal(rproc_fw_raw.boot_addr(RPROC, &fw, &addr), -ENOENT);
	mock.layout_ret = -EIO;
	assert_diag(rproc_fw_raw.load(RPROC, &fw, &diag), -EIO, &diag, "raw: ");
	mock.layout_ret = 0;
	mock.load_ret = -EFAULT;
	mock.load_fail_at = 0;
	assert_diag(rproc_fw_raw.load(RPROC, &fw, &diag), -EFAULT, &diag,
		    "mock: load 0");
}

static void raw_boot_addr(void **state)
{
	uint64_t addr = 0;

	(void)state;
	use_blob(16);
	assert_int_equal(rproc_fw_raw.boot_addr(RPROC, &fw, &addr), 0);
	assert_int_equal(addr, 0x8004);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(ops_shape),
		T(elf_sanity),
		T(elf_no_loadable_segment),
		T(elf_parse_table),
		T(elf_parse_table_not_loaded),
		T(elf_parse_no_table),
		T(elf_parse_bad_table),
		T(elf_parse_propagates),
		T(elf_load_segments),
		T(elf_load_propagates),
		T(elf_load_revalidates),
		T(elf_boot_addr),
		T(raw_sanity),
		T(raw_load),
		T(raw_propagates),
		T(raw_boot_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
