/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper: write small ELF32/ELF64 executables byte by byte, so that
 * every header field can afterwards be set to any value, however wrong.
 *
 * Layout: ELF header, program headers, segment contents (each filled with
 * the byte 0x11 * (index + 1)), ".shstrtab" and ".resource_table" contents,
 * then the section headers: [0] NULL, [1] .resource_table (if any), last
 * .shstrtab.
 */
#ifndef RPROC_TESTS_ELF_BUILD_H
#define RPROC_TESTS_ELF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELF_MAX_SEG 8
#define TELF_CAP 16384

#define TELF_SHF_ALLOC 0x2
#define TELF_SHT_PROGBITS 1
#define TELF_SHT_NOBITS 8

struct telf_seg {
	uint32_t type;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

struct telf_spec {
	uint8_t cls; /* 1 or 2 */
	uint16_t machine;
	uint32_t flags;
	uint64_t entry;
	unsigned nseg;
	struct telf_seg seg[TELF_MAX_SEG];
	const void *table; /* contents of .resource_table, NULL: none */
	size_t table_len;
	uint64_t table_addr;
	bool table_not_alloc; /* clear SHF_ALLOC on .resource_table */
	bool no_sections;     /* e_shnum = 0 */
};

struct telf {
	uint8_t buf[TELF_CAP];
	size_t size;
	uint8_t cls;
	size_t phoff, shoff;
	size_t seg_off[TELF_MAX_SEG];
	size_t shstrtab_off, shstrtab_len;
	size_t table_off;
	unsigned table_idx; /* 0 when there is no table */
	unsigned shstrtab_idx, shnum;
};

enum telf_ehdr_field {
	TELF_E_TYPE,
	TELF_E_MACHINE,
	TELF_E_VERSION,
	TELF_E_ENTRY,
	TELF_E_PHOFF,
	TELF_E_SHOFF,
	TELF_E_FLAGS,
	TELF_E_EHSIZE,
	TELF_E_PHENTSIZE,
	TELF_E_PHNUM,
	TELF_E_SHENTSIZE,
	TELF_E_SHNUM,
	TELF_E_SHSTRNDX,
};

enum telf_phdr_field {
	TELF_P_TYPE,
	TELF_P_FLAGS,
	TELF_P_OFFSET,
	TELF_P_VADDR,
	TELF_P_PADDR,
	TELF_P_FILESZ,
	TELF_P_MEMSZ,
	TELF_P_ALIGN,
};

enum telf_shdr_field {
	TELF_SH_NAME,
	TELF_SH_TYPE,
	TELF_SH_FLAGS,
	TELF_SH_ADDR,
	TELF_SH_OFFSET,
	TELF_SH_SIZE,
};

/* A spec with one PT_LOAD of 0x40 bytes (memsz 0x80) at 0x1000 and a
 * second of 0x20 bytes at 0x2000, no table. */
struct telf_spec telf_default_spec(uint8_t cls);
void telf_build(struct telf *e, const struct telf_spec *s);
void telf_set_ehdr(struct telf *e, enum telf_ehdr_field f, uint64_t v);
void telf_set_phdr(struct telf *e, unsigned idx, enum telf_phdr_field f,
		   uint64_t v);
void telf_set_shdr(struct telf *e, unsigned idx, enum telf_shdr_field f,
		   uint64_t v);
/* Little-endian store of @width bytes. */
void telf_put(uint8_t *p, unsigned width, uint64_t v);

#endif /* RPROC_TESTS_ELF_BUILD_H */
