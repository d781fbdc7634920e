/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * coredump_layout_arm: write ELF cores into the memory sink and parse the
 * bytes back field by field, so a layout mistake shows up as the one field
 * that differs rather than as "gdb does not like it".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cd_common.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"

#define BIG_SEG (200 * 1024)
#define ARM_PC 0x08000125u

static uint8_t small_ram[1001]; /* odd: the next segment needs padding */

struct reader {
	int calls;
	size_t max_len;
	void *first_dst;
	bool dst_changed;
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9) + 3);
}

static int read_pattern(void *priv, uint64_t offset, void *dst, size_t len)
{
	struct reader *r = priv;
	uint8_t *p = dst;
	size_t i;

	r->calls++;
	if (len > r->max_len)
		r->max_len = len;
	if (!r->first_dst)
		r->first_dst = dst;
	else if (dst != r->first_dst)
		r->dst_changed = true;
	for (i = 0; i < len; i++)
		p[i] = pattern(offset + i);
	return 0;
}

static void fill_arm_regs(uint32_t regs[18])
{
	int i;

	for (i = 0; i < 18; i++)
		regs[i] = 0xa0000000u + (uint32_t)i * 0x01010101u;
	regs[13] = 0x20001ff0; /* sp */
	regs[15] = ARM_PC;
	regs[16] = 0x01000000; /* xPSR, Thumb */
	regs[17] = 0;
}

/* One note: returns the offset after it. */
struct note {
	uint32_t namesz, descsz, type;
	const char *name;
	const uint8_t *desc;
};

static size_t parse_note(const uint8_t *buf, size_t off, struct note *n)
{
	n->namesz = cd_le32(buf + off);
	n->descsz = cd_le32(buf + off + 4);
	n->type = cd_le32(buf + off + 8);
	n->name = (const char *)buf + off + 12;
	n->desc = buf + off + 12 + ((n->namesz + 3) & ~3u);
	return off + 12 + ((n->namesz + 3) & ~3u) + ((n->descsz + 3) & ~3u);
}

static void check_ident(const uint8_t *b, int cls)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	int i;

	assert_memory_equal(b, magic, 4);
	assert_int_equal(b[4], cls);
	assert_int_equal(b[5], 1); /* ELFDATA2LSB */
	assert_int_equal(b[6], 1); /* EV_CURRENT */
	assert_int_equal(b[7], 0); /* ELFOSABI_NONE */
	for (i = 8; i < 16; i++)
		assert_int_equal(b[i], 0);
}

static void test_layout_arm(void **state)
{
	uint32_t regs32[18];
	uint8_t regs[72];
	struct reader rd = {0};
	struct rproc_dump_thread th = {
		.tid = 7, .signo = 11, .regs = regs, .regs_size = sizeof(regs)};
	struct rproc_dump_segment segs[2] = {
		{.da = 0x20000000, .size = sizeof(small_ram), .va = small_ram},
		{.da = 0x10000000,
		 .size = BIG_SEG,
		 .read = read_pattern,
		 .priv = &rd},
	};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000200,
		.remote = "m4f",
		.firmware = "/lib/firmware/remote-r5-firmware-v2.elf",
		.crash = "watchdog",
		.crash_count = 42,
		.threads = &th,
		.nthreads = 1,
		.segs = segs,
		.nsegs = 2,
	};
	static const char text[] = "remote=m4f\n"
				   "firmware=/lib/firmware/"
				   "remote-r5-firmware-v2.elf\n"
				   "crash=watchdog\ncount=42\n";
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	struct rproc_diag d = {{0}};
	const uint8_t *b;
	struct note n;
	uint64_t size, end;
	uint32_t notes_off, notes_size, off0, off1;
	size_t i, off;

	(void)state;
	fill_arm_regs(regs32);
	for (i = 0; i < 18; i++) {
		regs[i * 4] = (uint8_t)regs32[i];
		regs[i * 4 + 1] = (uint8_t)(regs32[i] >> 8);
		regs[i * 4 + 2] = (uint8_t)(regs32[i] >> 16);
		regs[i * 4 + 3] = (uint8_t)(regs32[i] >> 24);
	}
	for (i = 0; i < sizeof(small_ram); i++)
		small_ram[i] = (uint8_t)(255 - i);

	cd_alloc_install(0, false);
	size = rproc_coredump_size(&desc);
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(rproc_coredump_write(&desc, &sink, &d), 0);
	assert_string_equal(d.msg, "");
	assert_int_equal(m.len, size);
	assert_int_equal(m.cap, size);
	b = m.buf;

	/* Chunked reads: at most 64 KiB, always into the same buffer. */
	assert_int_equal(rd.calls, 4); /* 200 KiB = 3 x 64 KiB + 8 KiB */
	assert_int_equal(rd.max_len, 64 * 1024);
	assert_false(rd.dst_changed);

	/* ELF header */
	check_ident(b, 1);
	assert_int_equal(cd_le16(b + 16), 4);  /* ET_CORE */
	assert_int_equal(cd_le16(b + 18), 40); /* EM_ARM */
	assert_int_equal(cd_le32(b + 20), 1);  /* e_version */
	assert_int_equal(cd_le32(b + 24), 0);  /* e_entry */
	assert_int_equal(cd_le32(b + 28), 52); /* e_phoff */
	assert_int_equal(cd_le32(b + 32), 0);  /* e_shoff */
	assert_int_equal(cd_le32(b + 36), 0x05000200);
	assert_int_equal(cd_le16(b + 40), 52); /* e_ehsize */
	assert_int_equal(cd_le16(b + 42), 32); /* e_phentsize */
	assert_int_equal(cd_le16(b + 44), 3);  /* e_phnum */
	assert_int_equal(cd_le16(b + 46), 0);  /* e_shentsize */
	assert_int_equal(cd_le16(b + 48), 0);  /* e_shnum */
	assert_int_equal(cd_le16(b + 50), 0);  /* e_shstrndx */

	/* PT_NOTE */
	notes_off = 52 + 3 * 32;
	assert_int_equal(cd_le32(b + 52), 4);
	assert_int_equal(cd_le32(b + 52 + 4), notes_off);
	assert_int_equal(cd_le32(b + 52 + 8), 0);
	assert_int_equal(cd_le32(b + 52 + 16), cd_le32(b + 52 + 20));
	assert_int_equal(cd_le32(b + 52 + 24), 0);
	assert_int_equal(cd_le32(b + 52 + 28), 4);
	notes_size = cd_le32(b + 52 + 16);
	/* prstatus 20+148, prpsinfo 20+124, RPROC 12+8+align4(descsz) */
	assert_int_equal(notes_size,
			 168 + 144 + 20 + ((sizeof(text) + 3) & ~3u));

	/* Notes */
	off = parse_note(b, notes_off, &n);
	assert_int_equal(n.namesz, 5);
	assert_string_equal(n.name, "CORE");
	assert_int_equal(n.type, 1);
	assert_int_equal(n.descsz, 148);
	assert_int_equal(cd_le32(n.desc + 0), 11);  /* si_signo */
	assert_int_equal(cd_le32(n.desc + 4), 0);   /* si_code */
	assert_int_equal(cd_le32(n.desc + 8), 0);   /* si_errno */
	assert_int_equal(cd_le16(n.desc + 12), 11); /* pr_cursig */
	assert_int_equal(cd_le32(n.desc + 24), 7);  /* pr_pid */
	assert_memory_equal(n.desc + 72, regs, sizeof(regs));
	assert_int_equal(cd_le32(n.desc + 72 + 15 * 4), ARM_PC);
	assert_int_equal(cd_le32(n.desc + 144), 0); /* pr_fpvalid */

	off = parse_note(b, off, &n);
	assert_string_equal(n.name, "CORE");
	assert_int_equal(n.type, 3);
	assert_int_equal(n.descsz, 124);
	assert_int_equal(cd_le32(n.desc + 12), 7); /* pr_pid */
	assert_string_equal((const char *)n.desc + 28, "remote-r5-firmw");
	assert_string_equal((const char *)n.desc + 44,
			    "remote-r5-firmware-v2.elf");

	off = parse_note(b, off, &n);
	assert_int_equal(n.namesz, 6);
	assert_string_equal(n.name, "RPROC");
	assert_int_equal(n.type, 0x52505243); /* never 1: see coredump.c */
	assert_string_equal((const char *)n.desc, text);
	assert_int_equal(n.descsz, sizeof(text));
	assert_int_equal(off, notes_off + notes_size);

	/* PT_LOADs: 8-aligned offsets right after the notes, data intact */
	for (i = 0; i < 2; i++) {
		const uint8_t *ph = b + 52 + 32 * (i + 1);

		assert_int_equal(cd_le32(ph), 1);
		assert_int_equal(cd_le32(ph + 4) % 8, 0);
		assert_int_equal(cd_le32(ph + 8), segs[i].da);
		assert_int_equal(cd_le32(ph + 12), segs[i].da);
		assert_int_equal(cd_le32(ph + 16), segs[i].size);
		assert_int_equal(cd_le32(ph + 20), segs[i].size);
		assert_int_equal(cd_le32(ph + 24), 7);
		assert_int_equal(cd_le32(ph + 28), 1);
	}
	off0 = cd_le32(b + 52 + 32 + 4);
	off1 = cd_le32(b + 52 + 64 + 4);
	assert_int_equal(off0, (notes_off + notes_size + 7) & ~7u);
	assert_int_equal(off1, (off0 + sizeof(small_ram) + 7) & ~7u);
	for (i = notes_off + notes_size; i < off0; i++)
		assert_int_equal(b[i], 0);
	for (i = off0 + sizeof(small_ram); i < off1; i++)
		assert_int_equal(b[i], 0);
	assert_memory_equal(b + off0, small_ram, sizeof(small_ram));
	for (i = 0; i < BIG_SEG; i++)
		if (b[off1 + i] != pattern(i))
			fail_msg("segment 1 byte %zu: 0x%02x != 0x%02x", i,
				 b[off1 + i], pattern(i));
	end = off1 + (uint64_t)BIG_SEG;
	assert_int_equal(end, size);

	rproc_dump_mem_release(&m);
	assert_null(m.buf);
	assert_int_equal(cd_alloc.live, 0);
	cd_alloc_uninstall();
}

/* ELF64: pr_reg at 112, descsz 336 for x86-64's 27 registers. */
static void test_layout_x86_64(void **state)
{
	uint64_t regs[27];
	uint8_t ram[13];
	struct rproc_dump_thread th[2] = {
		{.tid = 100, .signo = 6, .regs = regs, .regs_size = 216},
		{.tid = 101, .signo = 4, .regs = regs, .regs_size = 216},
	};
	struct rproc_dump_segment seg = {
		.da = 0xffff800000001000ull, .size = sizeof(ram), .va = ram};
	struct rproc_dump_desc desc = {
		.elf_class = 2,
		.machine = 62,
		.flags = 0,
		.remote = "x",
		.firmware = "fw",
		.crash = "c",
		.threads = th,
		.nthreads = 2,
		.segs = &seg,
		.nsegs = 1,
	};
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	const uint8_t *b;
	struct note n;
	size_t i, off;
	uint64_t notes_off, notes_size, data_off;

	(void)state;
	for (i = 0; i < 27; i++)
		regs[i] = 0x1111111111111111ull * (i % 15 + 1);
	memset(ram, 0x5a, sizeof(ram));
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(rproc_coredump_write(&desc, &sink, NULL), 0);
	b = m.buf;
	check_ident(b, 2);
	assert_int_equal(cd_le16(b + 16), 4);
	assert_int_equal(cd_le16(b + 18), 62);
	assert_int_equal(cd_le64(b + 32), 64); /* e_phoff */
	assert_int_equal(cd_le64(b + 40), 0);  /* e_shoff */
	assert_int_equal(cd_le16(b + 52), 64);
	assert_int_equal(cd_le16(b + 54), 56);
	assert_int_equal(cd_le16(b + 56), 2);
	assert_int_equal(cd_le16(b + 60), 0);

	assert_int_equal(cd_le32(b + 64), 4);	  /* PT_NOTE */
	assert_int_equal(cd_le32(b + 64 + 4), 0); /* p_flags */
	notes_off = cd_le64(b + 64 + 8);
	notes_size = cd_le64(b + 64 + 32);
	assert_int_equal(notes_off, 64 + 2 * 56);
	assert_int_equal(cd_le64(b + 64 + 48), 4);

	off = notes_off;
	for (i = 0; i < 2; i++) {
		off = parse_note(b, off, &n);
		assert_int_equal(n.type, 1);
		assert_int_equal(n.descsz, 336);
		assert_int_equal(cd_le32(n.desc), (uint32_t)th[i].signo);
		assert_int_equal(cd_le16(n.desc + 12), th[i].signo);
		assert_int_equal(cd_le32(n.desc + 32), th[i].tid);
		assert_memory_equal(n.desc + 112, regs, 216);
		assert_int_equal(cd_le32(n.desc + 328), 0);
	}
	off = parse_note(b, off, &n);
	assert_int_equal(n.type, 3);
	assert_int_equal(n.descsz, 136);
	assert_int_equal(cd_le32(n.desc + 24), 100);
	assert_string_equal((const char *)n.desc + 40, "fw");
	assert_string_equal((const char *)n.desc + 56, "fw");
	off = parse_note(b, off, &n);
	assert_string_equal(n.name, "RPROC");
	assert_string_equal((const char *)n.desc,
			    "remote=x\nfirmware=fw\ncrash=c\ncount=0\n");
	assert_int_equal(off, notes_off + notes_size);

	assert_int_equal(cd_le32(b + 120), 1); /* PT_LOAD */
	assert_int_equal(cd_le32(b + 124), 7);
	data_off = cd_le64(b + 128);
	assert_int_equal(data_off, (notes_off + notes_size + 7) & ~7ull);
	assert_int_equal(cd_le64(b + 136), seg.da);
	assert_int_equal(cd_le64(b + 144), seg.da);
	assert_int_equal(cd_le64(b + 152), sizeof(ram));
	assert_int_equal(cd_le64(b + 160), sizeof(ram));
	assert_int_equal(cd_le64(b + 168), 1);
	assert_memory_equal(b + data_off, ram, sizeof(ram));
	assert_int_equal(m.len, data_off + sizeof(ram));
	rproc_dump_mem_release(&m);
}

/* No threads, no segments, NULL strings: still a valid core. */
static void test_layout_minimal(void **state)
{
	struct rproc_dump_desc desc = {.elf_class = 1, .machine = 243};
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	struct note n;
	size_t off;

	(void)state;
	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(rproc_coredump_write(&desc, &sink, NULL), 0);
	assert_int_equal(m.len, rproc_coredump_size(&desc));
	assert_int_equal(cd_le16(m.buf + 44), 1); /* only PT_NOTE */
	off = parse_note(m.buf, 52 + 32, &n);
	assert_int_equal(n.type, 3);
	assert_string_equal((const char *)n.desc + 28, "");
	assert_int_equal(cd_le32(n.desc + 12), 0);
	off = parse_note(m.buf, off, &n);
	assert_string_equal((const char *)n.desc,
			    "remote=\nfirmware=\ncrash=\ncount=0\n");
	assert_int_equal(off, m.len);
	rproc_dump_mem_release(&m);
}

/* The RPROC note's descsz is never a multiple of 4 (so never a prstatus
 * size) and its text always ends in NUL, whatever the name lengths. */
static void test_rproc_note_sizes(void **state)
{
	char name[16];
	struct rproc_dump_desc desc = {
		.elf_class = 1, .machine = 40, .crash_count = 4294967295u};
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	struct note n;
	size_t len, off, text_len;

	(void)state;
	for (len = 0; len < 8; len++) {
		memset(name, 'a', len);
		name[len] = '\0';
		desc.remote = name;
		rproc_dump_sink_mem(&sink, &m);
		assert_int_equal(rproc_coredump_write(&desc, &sink, NULL), 0);
		off = parse_note(m.buf, 52 + 32, &n);
		off = parse_note(m.buf, off, &n);
		text_len = strlen("remote=\nfirmware=\ncrash=\ncount="
				  "4294967295\n") +
			   len;
		assert_int_equal(strlen((const char *)n.desc), text_len);
		assert_int_equal(n.descsz, text_len + 1);
		assert_int_equal(n.desc[n.descsz - 1], 0);
		assert_int_equal(off, m.len);
		rproc_dump_mem_release(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_arm),
		cmocka_unit_test(test_layout_x86_64),
		cmocka_unit_test(test_layout_minimal),
		cmocka_unit_test(test_rproc_note_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
