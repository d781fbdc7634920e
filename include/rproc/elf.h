/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A checked reader of ELF32/ELF64 little-endian images.
 *
 * The image is hostile input: every offset and size is checked against the
 * image with overflow-safe arithmetic before it is used, and each failure
 * leaves one precise message in the diag (e.g. "ELF: program header 2:
 * segment offset 0x1000 + filesz 0x2000 past end of image (0x2800 bytes)").
 * Nothing here allocates.
 */
#ifndef RPROC_ELF_H
#define RPROC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"

#define RPROC_ELFCLASS32 1
#define RPROC_ELFCLASS64 2
#define RPROC_PT_LOAD 1
#define RPROC_PT_NOTE 4

struct rproc_elf {
	const uint8_t *data;
	size_t size;
	uint8_t cls;	  /* RPROC_ELFCLASS32 or 64 */
	uint16_t type;	  /* e_type */
	uint16_t machine; /* e_machine */
	uint32_t flags;	  /* e_flags */
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum;
	uint16_t phentsize;
	uint64_t shoff;
	uint16_t shnum;
	uint16_t shentsize;
	uint16_t shstrndx;
};

struct rproc_elf_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

struct rproc_elf_shdr {
	const char *name; /* points into the image; NUL-terminated (checked) */
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size;
};

/*
 * Check the ELF header, that the program header table (and the section
 * header table and its string table, when present) lie inside the image, and
 * fill @elf.  -ENOEXEC (not ELF / wrong class / big-endian / not
 * executable), -EBADMSG (malformed).
 */
int rproc_elf_open(struct rproc_elf *elf, const void *data, size_t size,
		   struct rproc_diag *d);

/* Program header @idx, with [offset, offset+filesz) checked inside the image,
 * filesz <= memsz, and paddr+memsz not overflowing the class's address
 * space.  -ERANGE for a bad index, -EBADMSG. */
int rproc_elf_phdr(const struct rproc_elf *elf, unsigned idx,
		   struct rproc_elf_phdr *out, struct rproc_diag *d);

/* Check every PT_LOAD segment (as rproc_elf_phdr) and that no two overlap
 * in load (p_paddr) space.  -EBADMSG. */
int rproc_elf_check_segments(const struct rproc_elf *elf, struct rproc_diag *d);

/* Find a section by name; its [offset, offset+size) is checked inside the
 * image unless it is SHT_NOBITS.  -ENOENT (no diag) when absent, -EBADMSG
 * when the section headers are malformed. */
int rproc_elf_find_section(const struct rproc_elf *elf, const char *name,
			   struct rproc_elf_shdr *out, struct rproc_diag *d);

#endif /* RPROC_ELF_H */
