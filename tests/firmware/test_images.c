/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firmware_images: static checks of the vsoc firmware the build
 * cross-compiles (firmware/, docs/firmware.md), read with the host's own ELF
 * reader and resource table walker: machine and flags, load segments inside
 * the board's local memories with p_paddr == p_vaddr, the Cortex-M4 vector
 * table, the RV32 entry and unmapped page 0, the resource tables (or their
 * absence), the raw binaries, the crash sample's function names, and the
 * CFI that lets gdb unwind from pc 0 and from the crash sample's unmapped
 * address.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fw_test.h"
#include "rproc/elf.h"
#include "rproc/table.h"
#include "rpfw/proto.h"

#define EM_ARM_ 40
#define EM_RISCV_ 243
#define ET_EXEC_ 2
#define SHF_ALLOC_ 0x2u
#define STT_FUNC_ 2

struct mem {
	uint32_t da, len;
	const char *name;
};

struct arch {
	const char *sfx;
	uint16_t machine;
	uint32_t flags;
	struct mem mem[2];
	unsigned int nmem;
	uint32_t ram_da, ram_len; /* where data, bss and trace go */
};

static const struct arch archs[] = {
	{
		.sfx = "m4",
		.machine = EM_ARM_,
		.flags = 0x05000200, /* EABI5, soft float */
		.mem = {{0x00000000, 0x40000, "tcm"},
			{0x20000000, 0x20000, "sram"}},
		.nmem = 2,
		.ram_da = 0x20000000,
		.ram_len = 0x20000,
	},
	{
		.sfx = "rv32",
		.machine = EM_RISCV_,
		.flags = 0x1, /* RVC, soft float */
		.mem = {{0x80000000, 0x40000, "ram"}},
		.nmem = 1,
		.ram_da = 0x80000000,
		.ram_len = 0x40000,
	},
};

static const char *const samples[] = {"hello", "crash",	  "notable",
				      "raw",   "preboot", "bench",
				      "echo",  "linkecho"};
static const char *const with_table[] = {"hello", "crash", "preboot", "bench"};
/* Samples whose linked library objects leave no function to
 * --gc-sections.  In echo and linkecho it removes unused rpmsg / link API
 * functions, and their .debug_frame FDEs are relocated to pc 0 (GNU ld
 * 2.40 ignores -z dead-reloc-in-nonalloc for these targets), so gdb sees
 * 7 FDEs at 0 there: a NULL call in those two would unwind ambiguously. */
static const char *const cfi_clean[] = {"hello", "crash",   "notable",
					"raw",	 "preboot", "bench"};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct image {
	uint8_t *data;
	size_t size;
	struct rproc_elf elf;
	char path[512];
};

static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void open_image(struct image *im, const char *sample,
		       const struct arch *a)
{
	struct rproc_diag d = {{0}};

	snprintf(im->path, sizeof(im->path), "%s/%s-%s.elf", RPROC_FIRMWARE_DIR,
		 sample, a->sfx);
	im->data = slurp(im->path, &im->size);
	assert_ok(rproc_elf_open(&im->elf, im->data, im->size, &d), &d);
	assert_ok(rproc_elf_check_segments(&im->elf, &d), &d);
}

static uint32_t get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static const struct mem *mem_of(const struct arch *a, uint64_t da, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < a->nmem; i++)
		if (da >= a->mem[i].da &&
		    da + len <= (uint64_t)a->mem[i].da + a->mem[i].len)
			return &a->mem[i];
	return NULL;
}

/* The PT_LOAD holding [da, da + len) in its file image, or fail. */
static const uint8_t *loaded(const struct image *im, uint64_t da, uint64_t len)
{
	struct rproc_diag d = {{0}};
	struct rproc_elf_phdr ph;
	unsigned int i;

	for (i = 0; i < im->elf.phnum; i++) {
		assert_ok(rproc_elf_phdr(&im->elf, i, &ph, &d), &d);
		if (ph.type == RPROC_PT_LOAD && da >= ph.paddr &&
		    da + len <= ph.paddr + ph.filesz)
			return im->data + ph.offset + (da - ph.paddr);
	}
	fail_msg("%s: 0x%llx+0x%llx not in a loaded segment", im->path,
		 (unsigned long long)da, (unsigned long long)len);
	return NULL;
}

static void images_headers_and_segments(void **state)
{
	unsigned int i, s, p;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		const struct arch *a = &archs[i];

		for (s = 0; s < ARRAY_SIZE(samples); s++) {
			struct rproc_diag d = {{0}};
			struct rproc_elf_phdr ph;
			struct image im;
			unsigned int nload = 0;

			open_image(&im, samples[s], a);
			assert_int_equal(im.elf.cls, RPROC_ELFCLASS32);
			assert_int_equal(im.elf.type, ET_EXEC_);
			assert_int_equal(im.elf.machine, a->machine);
			assert_int_equal(im.elf.flags, a->flags);
			for (p = 0; p < im.elf.phnum; p++) {
				assert_ok(rproc_elf_phdr(&im.elf, p, &ph, &d),
					  &d);
				if (ph.type != RPROC_PT_LOAD || !ph.memsz)
					continue;
				nload++;
				/* the loader uses p_paddr: keep LMA == VMA */
				assert_int_equal(ph.paddr, ph.vaddr);
				if (!mem_of(a, ph.paddr, ph.memsz))
					fail_msg("%s: segment 0x%llx+0x%llx "
						 "outside the local memories",
						 im.path,
						 (unsigned long long)ph.paddr,
						 (unsigned long long)ph.memsz);
			}
			assert_true(nload >= 1);
			free(im.data);
		}
	}
}

static void images_m4_vector_table(void **state)
{
	unsigned int s;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(samples); s++) {
		const uint8_t *vec;
		uint32_t sp, reset, irq0;
		struct image im;

		open_image(&im, samples[s], &archs[0]);
		vec = loaded(&im, 0, 17 * 4);
		sp = get32(vec);
		reset = get32(vec + 4);
		irq0 = get32(vec + 16 * 4);
		/* initial SP: the top of sram, 8-byte aligned */
		assert_int_equal(sp, 0x20020000);
		/* reset and IRQ 0: Thumb addresses in tcm */
		assert_true(reset & 1);
		assert_true((reset & ~1u) < 0x40000);
		assert_int_equal(im.elf.entry, reset);
		assert_true(irq0 & 1);
		assert_true((irq0 & ~1u) < 0x40000);
		free(im.data);
	}
}

static void images_rv32_entry_and_page0(void **state)
{
	struct rproc_diag d = {{0}};
	struct rproc_elf_phdr ph;
	unsigned int s, p;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(samples); s++) {
		struct image im;

		open_image(&im, samples[s], &archs[1]);
		/* the entry is the first byte of ram (and of a raw image) */
		assert_int_equal(im.elf.entry, 0x80000000);
		loaded(&im, 0x80000000, 4);
		for (p = 0; p < im.elf.phnum; p++) {
			assert_ok(rproc_elf_phdr(&im.elf, p, &ph, &d), &d);
			if (ph.type == RPROC_PT_LOAD && ph.memsz &&
			    ph.paddr < 0x1000)
				fail_msg("%s: PT_LOAD at 0x%llx maps page 0",
					 im.path, (unsigned long long)ph.paddr);
		}
		free(im.data);
	}
}

#define MAX_SEEN 8
static struct rproc_rsc_entry seen[MAX_SEEN];
static unsigned int nseen;

static int record(void *ctx, const struct rproc_rsc_entry *e)
{
	(void)ctx;
	if (nseen < MAX_SEEN)
		seen[nseen] = *e;
	nseen++;
	return 0;
}

static void images_resource_tables(void **state)
{
	unsigned int i, s, e;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		const struct arch *a = &archs[i];

		for (s = 0; s < ARRAY_SIZE(with_table); s++) {
			struct rproc_diag d = {{0}};
			struct rproc_elf_shdr sh;
			const uint8_t *table;
			struct image im;
			unsigned int ntrace = 0;

			open_image(&im, with_table[s], a);
			assert_ok(rproc_elf_find_section(
					  &im.elf, ".resource_table", &sh, &d),
				  &d);
			/* loaded where the section says (tcm on the M4) */
			table = loaded(&im, sh.addr, sh.size);
			assert_ptr_equal(table, im.data + sh.offset);
			assert_non_null(mem_of(a, sh.addr, sh.size));
			if (i == 0)
				assert_true(sh.addr < 0x40000);

			nseen = 0;
			assert_ok(rproc_table_walk(table, (size_t)sh.size,
						   record, NULL, &d),
				  &d);
			assert_int_equal(nseen, a->nmem + 1);
			/* one carveout per local memory, as the board names
			 * them, then "trace0" in data memory */
			for (e = 0; e < a->nmem; e++) {
				const uint8_t *b = seen[e].body;

				assert_int_equal(seen[e].type, RSC_CARVEOUT);
				assert_int_equal(get32(b), a->mem[e].da);
				assert_int_equal(get32(b + 4), FW_RSC_ADDR_ANY);
				assert_int_equal(get32(b + 8), a->mem[e].len);
				assert_int_equal(get32(b + 12), 0);
				assert_string_equal((const char *)b + 20,
						    a->mem[e].name);
			}
			for (e = 0; e < nseen; e++) {
				const uint8_t *b = seen[e].body;
				uint32_t da = get32(b), len = get32(b + 4);

				if (seen[e].type != RSC_TRACE)
					continue;
				ntrace++;
				assert_string_equal((const char *)b + 12,
						    "trace0");
				assert_true(len >= 256);
				assert_true(da >= a->ram_da &&
					    (uint64_t)da + len <=
						    (uint64_t)a->ram_da +
							    a->ram_len);
			}
			assert_int_equal(ntrace, 1);
			free(im.data);
		}
	}
}

static void images_without_table(void **state)
{
	const char *const names[] = {"notable", "raw"};
	unsigned int i, s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		for (s = 0; s < ARRAY_SIZE(names); s++) {
			struct rproc_diag d = {{0}};
			struct rproc_elf_shdr sh;
			struct image im;

			open_image(&im, names[s], &archs[i]);
			assert_int_equal(
				rproc_elf_find_section(
					&im.elf, ".resource_table", &sh, &d),
				-ENOENT);
			free(im.data);
		}
	}
}

static void images_raw_binaries(void **state)
{
	struct rproc_diag d = {{0}};
	struct rproc_elf_phdr ph, first = {0};
	unsigned int i, p;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		const struct arch *a = &archs[i];
		char path[512];
		struct image im;
		uint8_t *bin;
		size_t size;
		bool found = false;

		open_image(&im, "raw", a);
		for (p = 0; p < im.elf.phnum; p++) {
			assert_ok(rproc_elf_phdr(&im.elf, p, &ph, &d), &d);
			if (ph.type != RPROC_PT_LOAD || !ph.filesz)
				continue;
			if (!found || ph.paddr < first.paddr)
				first = ph;
			found = true;
		}
		assert_true(found);
		/* linked at the start of the first memory */
		assert_int_equal(first.paddr, a->mem[0].da);

		snprintf(path, sizeof(path), "%s/raw-%s.bin",
			 RPROC_FIRMWARE_DIR, a->sfx);
		bin = slurp(path, &size);
		assert_true(size >= first.filesz);
		assert_true(size <= a->mem[0].len);
		assert_memory_equal(bin, im.data + first.offset,
				    (size_t)first.filesz);
		free(bin);
		free(im.data);
	}
}

/* How many FDEs of .debug_frame cover @pc (32-bit DWARF, 4-byte addresses,
 * no segment selector: what both toolchains emit). */
static unsigned int fdes_covering(const struct image *im, uint32_t pc)
{
	unsigned int n = 0;
	struct rproc_diag d = {{0}};
	struct rproc_elf_shdr sh;
	const uint8_t *f;
	size_t off = 0;

	assert_ok(rproc_elf_find_section(&im->elf, ".debug_frame", &sh, &d),
		  &d);
	f = im->data + sh.offset;
	while (off + 16 <= sh.size) {
		uint32_t len = get32(f + off);

		assert_true(len != 0xFFFFFFFFu && len <= sh.size - off - 4);
		if (get32(f + off + 4) != 0xFFFFFFFFu) { /* an FDE */
			uint32_t start = get32(f + off + 8);
			uint32_t range = get32(f + off + 12);

			if (pc >= start && pc - start < range)
				n++;
		}
		off += 4 + (size_t)len;
	}
	return n;
}

/* The value of FUNC symbol @name, or fail. */
static uint32_t func_symbol(const struct image *im, const char *name)
{
	struct rproc_diag d = {{0}};
	struct rproc_elf_shdr symtab, strtab;
	size_t off;

	assert_ok(rproc_elf_find_section(&im->elf, ".symtab", &symtab, &d), &d);
	assert_ok(rproc_elf_find_section(&im->elf, ".strtab", &strtab, &d), &d);
	for (off = 0; off + 16 <= symtab.size; off += 16) {
		const uint8_t *sym = im->data + symtab.offset + off;
		uint32_t noff = get32(sym);

		if (noff < strtab.size && (sym[12] & 0xf) == STT_FUNC_ &&
		    !strncmp((const char *)im->data + strtab.offset + noff,
			     name, strtab.size - noff))
			return get32(sym + 4);
	}
	fail_msg("%s: no function %s", im->path, name);
	return 0;
}

static void images_crash_chain(void **state)
{
	const char *const names[] = {
		"main",		"crash_run",	   "crash_level1",
		"crash_level2", "fault_bad_read",  "fault_bad_write",
		"fault_undef",	"fault_null_call", "fault_jump_unmapped",
		"fault_panic",	"fault_hang",	   "rpfw_panic",
	};
	unsigned int i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		struct image im;

		open_image(&im, "crash", &archs[i]);
		for (n = 0; n < ARRAY_SIZE(names); n++)
			assert_non_null(mem_of(&archs[i],
					       func_symbol(&im, names[n]), 2));
		free(im.data);
	}
}

static void images_cfi_for_gdb(void **state)
{
	struct rproc_diag d = {{0}};
	unsigned int i, s;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		for (s = 0; s < ARRAY_SIZE(cfi_clean); s++) {
			struct image im;

			open_image(&im, cfi_clean[s], &archs[i]);
			/* A NULL call lands at 0: the vector table's (M4) or
			 * the null guard's (RV32) CFI, and no other.  Code
			 * --gc-sections removed keeps its debug information,
			 * relocated to 0: the samples link none. */
			if (fdes_covering(&im, 0) != 1)
				fail_msg("%s: %u FDEs for pc 0, expected 1",
					 im.path, fdes_covering(&im, 0));
			if (i == 1) {
				/* RV32: the null guard is symbol and CFI
				 * only: not allocated, so never loaded */
				struct rproc_elf_shdr sh;

				assert_ok(rproc_elf_find_section(
						  &im.elf, ".rpfw_null_guard",
						  &sh, &d),
					  &d);
				assert_int_equal(sh.addr, 0);
				assert_false(sh.flags & SHF_ALLOC_);
				assert_int_equal(
					func_symbol(&im, "rpfw_null_guard"), 0);
			}
			if (!strcmp(samples[s], "crash") &&
			    fdes_covering(&im, RPFW_CRASH_BAD_ADDR) != 1)
				fail_msg("%s: no CFI for RPFW_CRASH_BAD_ADDR",
					 im.path);
			free(im.data);
		}
	}
}

static void images_libraries(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(archs); i++) {
		char path[512];
		uint8_t *lib;
		size_t size;

		snprintf(path, sizeof(path), "%s/librpfw-%s.a",
			 RPROC_FIRMWARE_DIR, archs[i].sfx);
		lib = slurp(path, &size);
		assert_true(size > 8);
		assert_memory_equal(lib, "!<arch>\n", 8);
		free(lib);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(images_headers_and_segments),
		cmocka_unit_test(images_m4_vector_table),
		cmocka_unit_test(images_rv32_entry_and_page0),
		cmocka_unit_test(images_resource_tables),
		cmocka_unit_test(images_without_table),
		cmocka_unit_test(images_raw_binaries),
		cmocka_unit_test(images_crash_chain),
		cmocka_unit_test(images_cfi_for_gdb),
		cmocka_unit_test(images_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
