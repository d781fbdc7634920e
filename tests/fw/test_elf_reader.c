/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_format_elf_reader: the checked ELF reader (include/rproc/elf.h) against
 * images made field by field, valid and broken in every way we reject.
 * Each case asserts the exact return code and the key part of the message.
 */
#include <stdlib.h>

#include "elf_build.h"
#include "fw_test.h"
#include "rproc/elf.h"

static struct telf img;
static struct rproc_diag diag;
static struct rproc_elf elf;

static void build(uint8_t cls)
{
	struct telf_spec s = telf_default_spec(cls);

	telf_build(&img, &s);
}

static int open_img(void)
{
	memset(&diag, 0, sizeof(diag));
	return rproc_elf_open(&elf, img.buf, img.size, &diag);
}

/* open + check_segments, as the ELF format does. */
static int check_img(void)
{
	int ret = open_img();

	return ret ? ret : rproc_elf_check_segments(&elf, &diag);
}

static void check_valid(uint8_t cls)
{
	struct rproc_elf_phdr ph;
	struct rproc_elf_shdr sh;

	build(cls);
	assert_ok(open_img(), &diag);
	assert_int_equal(elf.cls, cls);
	assert_int_equal(elf.type, 2);
	assert_int_equal(elf.machine, cls == 1 ? 40 : 243);
	assert_int_equal(elf.flags, 0x5000400);
	assert_int_equal(elf.entry, 0x1001);
	assert_int_equal(elf.phnum, 2);
	assert_int_equal(elf.shnum, 2);
	assert_ok(rproc_elf_check_segments(&elf, &diag), &diag);

	assert_ok(rproc_elf_phdr(&elf, 0, &ph, &diag), &diag);
	assert_int_equal(ph.type, RPROC_PT_LOAD);
	assert_int_equal(ph.offset, img.seg_off[0]);
	assert_int_equal(ph.paddr, 0x1000);
	assert_int_equal(ph.vaddr, 0x1000);
	assert_int_equal(ph.filesz, 0x40);
	assert_int_equal(ph.memsz, 0x80);
	assert_int_equal(ph.flags, 7);
	assert_int_equal(ph.align, 4);
	assert_ok(rproc_elf_phdr(&elf, 1, &ph, &diag), &diag);
	assert_int_equal(ph.paddr, 0x2000);
	assert_int_equal(img.buf[ph.offset], 0x22);

	assert_diag(rproc_elf_phdr(&elf, 2, &ph, &diag), -ERANGE, &diag,
		    "program header 2 out of range");

	memset(&diag, 0, sizeof(diag));
	assert_int_equal(
		rproc_elf_find_section(&elf, ".resource_table", &sh, &diag),
		-ENOENT);
	assert_string_equal(diag.msg, ""); /* absence is not an error */
	assert_ok(rproc_elf_find_section(&elf, ".shstrtab", &sh, &diag), &diag);
	assert_string_equal(sh.name, ".shstrtab");
	assert_int_equal(sh.offset, img.shstrtab_off);
	/* A prefix of a name is not that name. */
	assert_int_equal(rproc_elf_find_section(&elf, ".shstr", &sh, &diag),
			 -ENOENT);
}

static void valid_elf32(void **state)
{
	(void)state;
	check_valid(1);
}

static void valid_elf64(void **state)
{
	(void)state;
	check_valid(2);
}

static void with_table(void **state)
{
	static const uint8_t table[32] = {1, 0, 0, 0};
	struct rproc_elf_shdr sh;
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = telf_default_spec(cls);

		s.table = table;
		s.table_len = sizeof(table);
		s.table_addr = 0x1040;
		telf_build(&img, &s);
		assert_ok(check_img(), &diag);
		assert_ok(rproc_elf_find_section(&elf, ".resource_table", &sh,
						 &diag),
			  &diag);
		assert_string_equal(sh.name, ".resource_table");
		assert_int_equal(sh.offset, img.table_off);
		assert_int_equal(sh.size, sizeof(table));
		assert_int_equal(sh.addr, 0x1040);
		assert_int_equal(sh.type, TELF_SHT_PROGBITS);
		assert_int_equal(sh.flags, TELF_SHF_ALLOC);
	}
}

static void no_sections(void **state)
{
	struct telf_spec s = telf_default_spec(1);
	struct rproc_elf_shdr sh;

	(void)state;
	s.no_sections = true;
	telf_build(&img, &s);
	assert_ok(check_img(), &diag);
	assert_int_equal(
		rproc_elf_find_section(&elf, ".resource_table", &sh, &diag),
		-ENOENT);
	/* e_shstrndx SHN_UNDEF: sections but no names, so nothing found */
	build(1);
	telf_set_ehdr(&img, TELF_E_SHSTRNDX, 0);
	assert_ok(check_img(), &diag);
	assert_int_equal(rproc_elf_find_section(&elf, ".shstrtab", &sh, &diag),
			 -ENOENT);
}

static void truncated_header(void **state)
{
	size_t len;
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		build(cls);
		for (len = 0; len < (cls == 1 ? 52u : 64u); len++) {
			memset(&diag, 0, sizeof(diag));
			assert_diag(rproc_elf_open(&elf, img.buf, len, &diag),
				    -ENOEXEC, &diag, "too small");
		}
	}
	build(1);
	assert_diag(rproc_elf_open(&elf, img.buf, 51, &diag), -ENOEXEC, &diag,
		    "ELF: image of 0x33 bytes is too small for an ELF32 "
		    "header (0x34 bytes)");
	assert_diag(rproc_elf_open(&elf, NULL, 0, &diag), -ENOEXEC, &diag,
		    "too small");
}

static void bad_ident(void **state)
{
	(void)state;
	build(1);
	img.buf[1] = 'e';
	assert_diag(open_img(), -ENOEXEC, &diag, "ELF: bad magic 7f 65 4c 46");
	build(1);
	img.buf[5] = 2;
	assert_diag(open_img(), -ENOEXEC, &diag,
		    "ELF: big-endian images are not supported");
	build(2);
	img.buf[5] = 2;
	assert_diag(open_img(), -ENOEXEC, &diag, "big-endian");
	build(1);
	img.buf[5] = 0;
	assert_diag(open_img(), -ENOEXEC, &diag, "ELF: bad data encoding 0x0");
	build(1);
	img.buf[4] = 3;
	assert_diag(open_img(), -ENOEXEC, &diag, "ELF: bad class 0x3");
	build(1);
	img.buf[6] = 2;
	assert_diag(open_img(), -ENOEXEC, &diag, "ELF: bad version 0x2");
}

static void not_exec(void **state)
{
	static const unsigned types[] = {0, 1, 3, 4, 0xfe00};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		build(2);
		telf_set_ehdr(&img, TELF_E_TYPE, types[i]);
		assert_diag(open_img(), -ENOEXEC, &diag, "is not ET_EXEC");
	}
	build(1);
	telf_set_ehdr(&img, TELF_E_TYPE, 3);
	assert_diag(open_img(), -ENOEXEC, &diag,
		    "ELF: e_type 0x3 is not ET_EXEC (0x2)");
}

static void bad_phdr_table(void **state)
{
	(void)state;
	build(1);
	telf_set_ehdr(&img, TELF_E_PHENTSIZE, 56);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "ELF: e_phentsize 0x38, expected 0x20");
	build(2);
	telf_set_ehdr(&img, TELF_E_PHENTSIZE, 32);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "ELF: e_phentsize 0x20, expected 0x38");
	/* phentsize is not looked at without program headers */
	build(1);
	telf_set_ehdr(&img, TELF_E_PHNUM, 0);
	telf_set_ehdr(&img, TELF_E_PHENTSIZE, 0);
	assert_ok(open_img(), &diag);

	build(1);
	telf_set_ehdr(&img, TELF_E_PHOFF, img.size);
	assert_diag(open_img(), -EBADMSG, &diag, "ELF: program headers at 0x");
	build(1);
	telf_set_ehdr(&img, TELF_E_PHOFF, img.size - 63); /* one byte short */
	assert_diag(open_img(), -EBADMSG, &diag, "past end of image");
	build(1);
	telf_set_ehdr(&img, TELF_E_PHOFF, img.size - 64); /* just fits */
	assert_ok(open_img(), &diag);
}

static void phdr_table_overflow(void **state)
{
	(void)state;
	/* phoff + phnum * phentsize wraps around */
	build(1);
	telf_set_ehdr(&img, TELF_E_PHOFF, 0xFFFFFFF0);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "program headers at 0xfffffff0 (0x2 x 0x20 bytes) past "
		    "end of image");
	build(2);
	telf_set_ehdr(&img, TELF_E_PHOFF, 0xFFFFFFFFFFFFFFF0ull);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "program headers at 0xfffffffffffffff0 (0x2 x 0x38 bytes)");
	build(2);
	telf_set_ehdr(&img, TELF_E_PHNUM, 0xFFFF);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "program headers at 0x40 (0xffff x 0x38 bytes) past end");
}

static void segment_offset_past_end(void **state)
{
	struct rproc_elf_phdr ph;
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_OFFSET, img.size + 1);
		assert_ok(open_img(), &diag);
		assert_diag(rproc_elf_check_segments(&elf, &diag), -EBADMSG,
			    &diag, "ELF: program header 1: segment offset 0x");
		assert_diag(rproc_elf_phdr(&elf, 1, &ph, &diag), -EBADMSG,
			    &diag, "past end of image");
		/* filesz one byte too long */
		build(cls);
		telf_set_phdr(&img, 0, TELF_P_OFFSET, img.size - 0x3f);
		assert_diag(check_img(), -EBADMSG, &diag,
			    "+ filesz 0x40 past end of image");
	}
}

static void offset_filesz_overflow(void **state)
{
	(void)state;
	build(1);
	telf_set_phdr(&img, 0, TELF_P_OFFSET, 0xFFFFFFF0);
	telf_set_phdr(&img, 0, TELF_P_FILESZ, 0x20);
	assert_diag(check_img(), -EBADMSG, &diag,
		    "ELF: program header 0: segment offset 0xfffffff0 + filesz "
		    "0x20 past end of image");
	build(2);
	telf_set_phdr(&img, 0, TELF_P_OFFSET, 0xFFFFFFFFFFFFFFF0ull);
	telf_set_phdr(&img, 0, TELF_P_FILESZ, 0x20);
	assert_diag(check_img(), -EBADMSG, &diag,
		    "segment offset 0xfffffffffffffff0 + filesz 0x20 past end");
	build(2);
	telf_set_phdr(&img, 0, TELF_P_OFFSET, 0x10);
	telf_set_phdr(&img, 0, TELF_P_FILESZ, 0xFFFFFFFFFFFFFFF8ull);
	telf_set_phdr(&img, 0, TELF_P_MEMSZ, 0xFFFFFFFFFFFFFFF8ull);
	assert_diag(check_img(), -EBADMSG, &diag, "past end of image");
}

static void filesz_gt_memsz(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		build(cls);
		telf_set_phdr(&img, 0, TELF_P_MEMSZ, 0x10);
		assert_diag(check_img(), -EBADMSG, &diag,
			    "ELF: program header 0: filesz 0x40 > memsz 0x10");
	}
}

static void paddr_memsz_overflow(void **state)
{
	(void)state;
	/* ELF32: the end must fit in 32 bits... */
	build(1);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0xFFFFF000);
	telf_set_phdr(&img, 1, TELF_P_MEMSZ, 0x2000);
	assert_diag(check_img(), -EBADMSG, &diag,
		    "ELF: program header 1: paddr 0xfffff000 + memsz 0x2000 "
		    "overflows the ELF32 address space");
	/* ...but may be exactly 2^32. */
	build(1);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0xFFFFF000);
	telf_set_phdr(&img, 1, TELF_P_MEMSZ, 0x1000);
	assert_ok(check_img(), &diag);

	build(2);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0xFFFFFFFFFFFFF000ull);
	telf_set_phdr(&img, 1, TELF_P_MEMSZ, 0x2000);
	assert_diag(check_img(), -EBADMSG, &diag,
		    "overflows the ELF64 address space");
	/* ELF64 segments above 4 GiB are fine. */
	build(2);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0x100000000ull);
	assert_ok(check_img(), &diag);
	/* An ELF64 end must stay below 2^64, so that it can be written. */
	build(2);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0xFFFFFFFFFFFFFFE0ull);
	assert_diag(check_img(), -EBADMSG, &diag,
		    "paddr 0xffffffffffffffe0 + memsz 0x20 overflows");
	build(2);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0xFFFFFFFFFFFFFFC0ull);
	assert_ok(check_img(), &diag);
}

static void overlapping_segments(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		/* seg 0 is [0x1000, 0x1080) */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x107f);
		assert_diag(check_img(), -EBADMSG, &diag,
			    "ELF: program headers 0 and 1 overlap: [0x1000, "
			    "0x1080) and [0x107f, 0x109f)");
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0xff0);
		assert_diag(check_img(), -EBADMSG, &diag,
			    "program headers 0 and 1 overlap");
		/* one inside the other */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x1010);
		assert_diag(check_img(), -EBADMSG, &diag, "overlap");
		/* adjacent is fine */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x1080);
		assert_ok(check_img(), &diag);
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0xfe0);
		assert_ok(check_img(), &diag);
		/* empty segments overlap nothing */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x1010);
		telf_set_phdr(&img, 1, TELF_P_FILESZ, 0);
		telf_set_phdr(&img, 1, TELF_P_MEMSZ, 0);
		assert_ok(check_img(), &diag);
		/* only PT_LOAD segments count */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_PADDR, 0x1010);
		telf_set_phdr(&img, 1, TELF_P_TYPE, RPROC_PT_NOTE);
		assert_ok(check_img(), &diag);
		/* overlap by virtual address only is fine: load space is
		 * physical */
		build(cls);
		telf_set_phdr(&img, 1, TELF_P_VADDR, 0x1010);
		assert_ok(check_img(), &diag);
	}
}

static void other_segment_types(void **state)
{
	struct rproc_elf_phdr ph;

	(void)state;
	/* Like PT_RISCV_ATTRIBUTES: file bytes, no memory. */
	build(1);
	telf_set_phdr(&img, 1, TELF_P_TYPE, 0x70000003);
	telf_set_phdr(&img, 1, TELF_P_MEMSZ, 0);
	telf_set_phdr(&img, 1, TELF_P_PADDR, 0);
	assert_ok(check_img(), &diag);
	/* but their file range is still checked */
	telf_set_phdr(&img, 1, TELF_P_OFFSET, img.size);
	assert_diag(check_img(), -EBADMSG, &diag, "program header 1");
	/* PT_NULL slots are ignored entirely */
	build(2);
	telf_set_phdr(&img, 1, TELF_P_TYPE, 0);
	telf_set_phdr(&img, 1, TELF_P_OFFSET, 0xFFFFFFFFFFFFFFFFull);
	telf_set_phdr(&img, 1, TELF_P_FILESZ, 0xFFFF);
	assert_ok(check_img(), &diag);
	assert_ok(rproc_elf_phdr(&elf, 1, &ph, &diag), &diag);
	assert_int_equal(ph.type, 0);
}

/* Build an ELF32 with @n PT_LOAD headers of 0x10 bytes each, disjoint. */
static uint8_t *many_segments(unsigned n, uint32_t memsz, size_t *size)
{
	size_t len = 52 + (size_t)n * 32;
	uint8_t *buf = calloc(1, len);
	unsigned i;

	assert_non_null(buf);
	build(1);
	memcpy(buf, img.buf, 52);
	telf_put(buf + 32, 4, 0); /* e_shoff */
	telf_put(buf + 44, 2, n); /* e_phnum */
	telf_put(buf + 48, 2, 0); /* e_shnum */
	for (i = 0; i < n; i++) {
		uint8_t *ph = buf + 52 + (size_t)i * 32;

		telf_put(ph, 4, RPROC_PT_LOAD);
		telf_put(ph + 4, 4, 0);		    /* offset */
		telf_put(ph + 12, 4, 0x10000u * i); /* paddr */
		telf_put(ph + 20, 4, memsz);
	}
	*size = len;
	return buf;
}

static void many_segments_capped(void **state)
{
	uint8_t *buf;
	size_t size;

	(void)state;
	buf = many_segments(256, 0x10, &size);
	assert_ok(rproc_elf_open(&elf, buf, size, &diag), &diag);
	assert_ok(rproc_elf_check_segments(&elf, &diag), &diag);
	free(buf);

	buf = many_segments(257, 0x10, &size);
	assert_ok(rproc_elf_open(&elf, buf, size, &diag), &diag);
	assert_diag(rproc_elf_check_segments(&elf, &diag), -EBADMSG, &diag,
		    "ELF: more than 256 non-empty PT_LOAD segments");
	free(buf);

	/* 65535 empty segments: accepted, in linear time. */
	buf = many_segments(0xFFFF, 0, &size);
	assert_ok(rproc_elf_open(&elf, buf, size, &diag), &diag);
	assert_ok(rproc_elf_check_segments(&elf, &diag), &diag);
	free(buf);
}

static void bad_section_table(void **state)
{
	(void)state;
	build(1);
	telf_set_ehdr(&img, TELF_E_SHENTSIZE, 64);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "ELF: e_shentsize 0x40, expected 0x28");
	build(2);
	telf_set_ehdr(&img, TELF_E_SHOFF, img.size - 64);
	assert_diag(open_img(), -EBADMSG, &diag, "ELF: section headers at 0x");
	build(2);
	telf_set_ehdr(&img, TELF_E_SHOFF, 0xFFFFFFFFFFFFFFC0ull);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "section headers at 0xffffffffffffffc0 (0x2 x 0x40 bytes) "
		    "past end of image");
	/* shentsize is not looked at without sections */
	build(1);
	telf_set_ehdr(&img, TELF_E_SHNUM, 0);
	telf_set_ehdr(&img, TELF_E_SHENTSIZE, 0);
	telf_set_ehdr(&img, TELF_E_SHSTRNDX, 7);
	assert_ok(open_img(), &diag);
}

static void shstrndx_out_of_range(void **state)
{
	(void)state;
	build(1);
	telf_set_ehdr(&img, TELF_E_SHSTRNDX, 2);
	assert_diag(open_img(), -EBADMSG, &diag,
		    "ELF: e_shstrndx 0x2 out of range (e_shnum 0x2)");
	build(2);
	telf_set_ehdr(&img, TELF_E_SHSTRNDX, 0xFFFF); /* SHN_XINDEX */
	assert_diag(open_img(), -EBADMSG, &diag, "e_shstrndx 0xffff");
}

static void bad_string_table(void **state)
{
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		build(cls);
		telf_set_shdr(&img, img.shstrtab_idx, TELF_SH_OFFSET,
			      img.size - 4);
		assert_diag(open_img(), -EBADMSG, &diag,
			    "ELF: section name table (section 0x1) at 0x");
		build(cls);
		telf_set_shdr(&img, img.shstrtab_idx, TELF_SH_SIZE, 0xFFFFFFFF);
		assert_diag(open_img(), -EBADMSG, &diag, "past end of image");
		build(cls);
		telf_set_shdr(&img, img.shstrtab_idx, TELF_SH_TYPE,
			      TELF_SHT_NOBITS);
		assert_diag(open_img(), -EBADMSG, &diag, "section name table");
		build(cls);
		telf_set_shdr(&img, img.shstrtab_idx, TELF_SH_SIZE, 0);
		assert_diag(open_img(), -EBADMSG, &diag, "not NUL-terminated");
	}
}

static void name_not_terminated(void **state)
{
	struct rproc_elf_shdr sh;

	(void)state;
	/* The last name runs off the end of the string table. */
	build(1);
	img.buf[img.shstrtab_off + img.shstrtab_len - 1] = 'X';
	assert_diag(open_img(), -EBADMSG, &diag,
		    "ELF: section name table (section 0x1, 0x1b bytes) is not "
		    "NUL-terminated");
	/* The same with a shorter table that cuts ".resource_table". */
	build(2);
	telf_set_shdr(&img, img.shstrtab_idx, TELF_SH_SIZE, 14);
	assert_diag(open_img(), -EBADMSG, &diag, "not NUL-terminated");
	/* A name offset outside the table. */
	build(1);
	telf_set_shdr(&img, 0, TELF_SH_NAME, 0x1b);
	assert_ok(open_img(), &diag);
	assert_diag(rproc_elf_find_section(&elf, ".shstrtab", &sh, &diag),
		    -EBADMSG, &diag,
		    "ELF: section 0: name offset 0x1b outside the section name "
		    "table (0x1b bytes)");
	build(2);
	telf_set_shdr(&img, 1, TELF_SH_NAME, 0xFFFFFFFF);
	assert_ok(open_img(), &diag);
	assert_diag(rproc_elf_find_section(&elf, ".resource_table", &sh, &diag),
		    -EBADMSG, &diag, "section 1: name offset 0xffffffff");
}

static void table_section_past_end(void **state)
{
	static const uint8_t table[16] = {1};
	struct rproc_elf_shdr sh;
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = telf_default_spec(cls);

		s.table = table;
		s.table_len = sizeof(table);
		telf_build(&img, &s);
		telf_set_shdr(&img, 1, TELF_SH_OFFSET, img.size - 8);
		assert_ok(check_img(), &diag);
		assert_diag(rproc_elf_find_section(&elf, ".resource_table", &sh,
						   &diag),
			    -EBADMSG, &diag,
			    "ELF: section 1 (.resource_table) at 0x");
		telf_build(&img, &s);
		telf_set_shdr(&img, 1, TELF_SH_OFFSET, 0xFFFFFFF8);
		telf_set_shdr(&img, 1, TELF_SH_SIZE, 0x10);
		assert_ok(check_img(), &diag);
		assert_diag(rproc_elf_find_section(&elf, ".resource_table", &sh,
						   &diag),
			    -EBADMSG, &diag,
			    "at 0xfffffff8 size 0x10 past end of image");
		/* SHT_NOBITS has no file range to check */
		telf_set_shdr(&img, 1, TELF_SH_TYPE, TELF_SHT_NOBITS);
		assert_ok(rproc_elf_find_section(&elf, ".resource_table", &sh,
						 &diag),
			  &diag);
		assert_int_equal(sh.type, TELF_SHT_NOBITS);
	}
}

/* Every single-byte corruption and every truncation of a valid image with a
 * table, on an exact-size heap copy: whatever the reader accepts must lie
 * inside the image (ASan checks as we read it all), and a failure always
 * leaves an "ELF: " message. */
static unsigned long sink;

static void touch(const uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		sink += p[i];
}

static void read_all(const uint8_t *src, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct rproc_elf_phdr ph;
	struct rproc_elf_shdr sh;
	struct rproc_elf e;
	unsigned i;
	int ret;

	assert_non_null(buf);
	memcpy(buf, src, size);
	diag.msg[0] = 0;
	ret = rproc_elf_open(&e, buf, size, &diag);
	if (!ret)
		ret = rproc_elf_check_segments(&e, &diag);
	if (!ret) {
		for (i = 0; i < e.phnum; i++) {
			assert_ok(rproc_elf_phdr(&e, i, &ph, &diag), &diag);
			if (ph.type)
				touch(buf + ph.offset, ph.filesz);
		}
		ret = rproc_elf_find_section(&e, ".resource_table", &sh, &diag);
		if (!ret) {
			sink += (unsigned char)sh.name[strlen(sh.name)];
			if (sh.type != TELF_SHT_NOBITS)
				touch(buf + sh.offset, sh.size);
		}
	}
	if (ret && ret != -ENOENT)
		assert_true(strncmp(diag.msg, "ELF: ", 5) == 0);
	free(buf);
}

static void fuzz_bytes(void **state)
{
	static const uint8_t table[64] = {1};
	static const uint8_t values[] = {0xFF, 0x00, 0x80, 0x01};
	uint8_t copy[TELF_CAP];
	size_t pos, len;
	unsigned v;
	uint8_t cls;

	(void)state;
	for (cls = 1; cls <= 2; cls++) {
		struct telf_spec s = telf_default_spec(cls);

		s.table = table;
		s.table_len = sizeof(table);
		telf_build(&img, &s);
		read_all(img.buf, img.size);
		for (pos = 0; pos < img.size; pos++) {
			for (v = 0; v < sizeof(values); v++) {
				memcpy(copy, img.buf, img.size);
				copy[pos] = values[v];
				read_all(copy, img.size);
			}
		}
		for (len = 0; len < img.size; len++)
			read_all(img.buf, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_elf32),
		cmocka_unit_test(valid_elf64),
		cmocka_unit_test(with_table),
		cmocka_unit_test(no_sections),
		cmocka_unit_test(truncated_header),
		cmocka_unit_test(bad_ident),
		cmocka_unit_test(not_exec),
		cmocka_unit_test(bad_phdr_table),
		cmocka_unit_test(phdr_table_overflow),
		cmocka_unit_test(segment_offset_past_end),
		cmocka_unit_test(offset_filesz_overflow),
		cmocka_unit_test(filesz_gt_memsz),
		cmocka_unit_test(paddr_memsz_overflow),
		cmocka_unit_test(overlapping_segments),
		cmocka_unit_test(other_segment_types),
		cmocka_unit_test(many_segments_capped),
		cmocka_unit_test(bad_section_table),
		cmocka_unit_test(shstrndx_out_of_range),
		cmocka_unit_test(bad_string_table),
		cmocka_unit_test(name_not_terminated),
		cmocka_unit_test(table_section_past_end),
		cmocka_unit_test(fuzz_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
