/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_format_elf_real: the ELF reader and table walker on firmware built at
 * build time by the real cross toolchains (tiny_fw.c, for Cortex-M4 with
 * arm-none-eabi-gcc and for RV32 with riscv64-unknown-elf-gcc), so the
 * checks are proven against what linkers really emit, e.g. RISC-V's
 * PT_RISCV_ATTRIBUTES segment with memsz 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fw_test.h"
#include "rproc/elf.h"
#include "rproc/table.h"

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

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

static uint32_t get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void check_firmware(const char *path, uint16_t machine,
			   uint64_t text_base)
{
	struct rproc_diag d = {{0}};
	struct rproc_elf elf;
	struct rproc_elf_phdr ph;
	struct rproc_elf_shdr sh;
	unsigned i, nload = 0;
	bool table_loaded = false;
	size_t size;
	uint8_t *img = slurp(path, &size);

	assert_ok(rproc_elf_open(&elf, img, size, &d), &d);
	assert_int_equal(elf.cls, RPROC_ELFCLASS32);
	assert_int_equal(elf.machine, machine);
	assert_ok(rproc_elf_check_segments(&elf, &d), &d);

	assert_ok(rproc_elf_find_section(&elf, ".resource_table", &sh, &d), &d);
	assert_int_equal(sh.size, 16 + 12 + 56 + 72 + 48);
	assert_true(sh.addr >= text_base);

	/* the table is inside a loaded segment, at the same place */
	for (i = 0; i < elf.phnum; i++) {
		assert_ok(rproc_elf_phdr(&elf, i, &ph, &d), &d);
		if (ph.type != RPROC_PT_LOAD || !ph.memsz)
			continue;
		nload++;
		if (sh.addr >= ph.vaddr &&
		    sh.addr + sh.size <= ph.vaddr + ph.filesz) {
			assert_int_equal(sh.offset - ph.offset,
					 sh.addr - ph.vaddr);
			table_loaded = true;
		}
	}
	assert_true(nload >= 2); /* text+table, bss */
	assert_true(table_loaded);

	nseen = 0;
	assert_ok(rproc_table_walk(img + sh.offset, (size_t)sh.size, record,
				   NULL, &d),
		  &d);
	assert_int_equal(nseen, 3);
	assert_int_equal(seen[0].type, RSC_CARVEOUT);
	assert_int_equal(get32(seen[0].body), 0x20010000);
	assert_string_equal((const char *)seen[0].body + 20, "heap");
	assert_int_equal(seen[1].type, RSC_VDEV);
	assert_int_equal(seen[1].body_len, 24 + 2 * 20 + 4);
	assert_int_equal(get32(seen[1].body), RPROC_VIRTIO_ID_RPMSG);
	assert_int_equal(seen[2].type, RSC_TRACE);
	assert_string_equal((const char *)seen[2].body + 12, "trace0");
	free(img);
}

static void arm_firmware(void **state)
{
	(void)state;
	check_firmware(TINY_FW_ARM, 40 /* EM_ARM */, 0x10000);
}

static void rv32_firmware(void **state)
{
	(void)state;
	check_firmware(TINY_FW_RV32, 243 /* EM_RISCV */, 0x80000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm_firmware),
		cmocka_unit_test(rv32_firmware),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
