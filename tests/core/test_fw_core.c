/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 3 through the real core: the ELF format with and without a table,
 * the raw format, and malformed images refused with the remote OFFLINE. */
#include <stdio.h>

#include "common.h"
#include "elf_build.h"

static char *dir;

static struct rproc *make(struct fake *f, const char *fw,
			  const struct rproc_fw_ops *ops, uint64_t load_da)
{
	struct rproc_config cfg;
	struct rproc *r;

	fake_init(f);
	rproc_config_init(&cfg);
	cfg.name = "elf";
	cfg.ops = &fake_ops;
	cfg.fw_ops = ops;
	cfg.firmware = fw;
	cfg.always_on = false;
	cfg.priv = f;
	cfg.load_da = load_da;
	assert_int_equal(rproc_alloc(&cfg, &r), 0);
	f->rproc = r;
	assert_int_equal(rproc_add(r), 0);
	return r;
}

static void write_elf(const char *name, uint64_t paddr, bool table)
{
	uint8_t tb[512];
	struct telf e;
	struct telf_spec s = telf_default_spec(1);

	s.machine = 40;
	s.entry = paddr;
	s.nseg = 1;
	s.seg[0] = (struct telf_seg){
		.type = 1, .paddr = paddr, .filesz = 0x100, .memsz = 0x800};
	if (table) {
		s.table = tb;
		s.table_len = std_table(tb, sizeof(tb), true);
		s.table_addr = FAKE_MEM_DA + 0x8000;
	}
	telf_build(&e, &s);
	fake_write_file(dir, name, e.buf, e.size);
}

static void test_elf_with_table(void **state)
{
	struct fake f;
	struct rproc *r;

	(void)state;
	write_elf("t.elf", FAKE_MEM_DA, true);
	r = make(&f, "t.elf", &rproc_fw_elf, RPROC_ANY);
	assert_int_equal(rproc_boot(r), 0);
	assert_ptr_equal(r->table_ptr, f.mem + 0x8000);
	assert_int_equal(f.mem[0], 0x11);  /* segment 0's fill byte */
	assert_int_equal(f.mem[0x100], 0); /* bss zeroed up to memsz */
	assert_non_null(rproc_resource_find(r, RSC_VDEV, "vdev0"));
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
}

static void test_elf_without_table(void **state)
{
	struct fake f;
	struct rproc *r;

	(void)state;
	write_elf("n.elf", FAKE_MEM_DA, false);
	r = make(&f, "n.elf", &rproc_fw_elf, RPROC_ANY);
	assert_int_equal(rproc_boot(r), 0);
	assert_null(r->table_ptr); /* nothing to build, nowhere to put it */
	assert_int_equal(f.mem[0], 0x11);
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
}

static void test_segment_outside_memory(void **state)
{
	struct fake f;
	struct rproc *r;
	char msg[256];

	(void)state;
	write_elf("o.elf", FAKE_MEM_DA + FAKE_MEM_SIZE - 0x400, true);
	r = make(&f, "o.elf", &rproc_fw_elf, RPROC_ANY);
	assert_int_equal(rproc_boot(r), -EFAULT);
	rproc_last_error(r, msg, sizeof(msg));
	assert_non_null(strstr(msg, "outside the remote's known memory"));
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_null(r->rscs);
	assert_null(r->cached_table);
	assert_null(r->fw);
	fake_fini(&f);
}

static void test_truncated_elf(void **state)
{
	struct fake f;
	struct rproc *r;
	char msg[256];

	(void)state;
	fake_write_file(dir, "short.elf",
			"\x7f"
			"ELF\x01\x01\x01",
			7);
	r = make(&f, "short.elf", &rproc_fw_elf, RPROC_ANY);
	assert_int_equal(rproc_boot(r), -ENOEXEC);
	rproc_last_error(r, msg, sizeof(msg));
	assert_non_null(strstr(msg, "firmware: ELF: "));
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_string_equal(fake_log(&f), ""); /* refused before prepare */
	fake_fini(&f);
}

static void test_raw(void **state)
{
	struct fake f;
	struct rproc *r;
	uint8_t img[64];

	(void)state;
	memset(img, 0x5a, sizeof(img));
	fake_write_file(dir, "fw.raw", img, sizeof(img));
	r = make(&f, "fw.raw", &rproc_fw_raw, FAKE_MEM_DA + 0x4000);
	assert_int_equal(rproc_boot(r), 0);
	assert_memory_equal(f.mem + 0x4000, img, sizeof(img));
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
	/* no load address anywhere: refused, offline */
	r = make(&f, "fw.raw", &rproc_fw_raw, RPROC_ANY);
	assert_int_equal(rproc_boot(r), -ENOENT);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	fake_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_with_table),
		cmocka_unit_test(test_elf_without_table),
		cmocka_unit_test(test_segment_outside_memory),
		cmocka_unit_test(test_truncated_elf),
		cmocka_unit_test(test_raw),
	};
	int ret;

	dir = fake_fw_dir();
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	fake_rm_dir(dir);
	return ret;
}
