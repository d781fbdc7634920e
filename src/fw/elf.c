/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ELF firmware format (DESIGN §2 topic 3): ELF32 and ELF64 executables,
 * little-endian, with or without a ".resource_table" section.
 *
 * Without the section the image registers no resources: they come from the
 * platform and the core builds the table (topic 4).  The core may call any
 * op without the others having run (recovery reloads without parsing, a
 * caller may skip sanity_check), so every op re-opens and re-checks the
 * image; the checks are linear and cheap next to copying the segments.
 */
#include <errno.h>

#include "rproc/elf.h"
#include "rproc/fw_format.h"
#include "rproc/resource.h"
#include "rproc/rsc_table.h"

#define SHF_ALLOC 0x2
#define SHT_NOBITS 8
#define RSC_TABLE_SECTION ".resource_table"

static int elf_open_checked(struct rproc_elf *elf, const struct rproc_fw *fw,
			    struct rproc_diag *d)
{
	int ret;

	if (!fw)
		return rproc_diag_set(d, -EINVAL, "ELF: no image");
	ret = rproc_elf_open(elf, fw->data, fw->size, d);
	if (ret)
		return ret;
	return rproc_elf_check_segments(elf, d);
}

static int elf_sanity_check(struct rproc *rproc, const struct rproc_fw *fw,
			    struct rproc_diag *d)
{
	struct rproc_elf_phdr ph;
	struct rproc_elf elf;
	unsigned i;
	int ret;

	(void)rproc;
	ret = elf_open_checked(&elf, fw, d);
	if (ret)
		return ret;
	for (i = 0; i < elf.phnum; i++) {
		ret = rproc_elf_phdr(&elf, i, &ph, d);
		if (ret)
			return ret;
		if (ph.type == RPROC_PT_LOAD && ph.memsz)
			return 0;
	}
	return rproc_diag_set(d, -ENOEXEC, "ELF: no loadable segment");
}

static int elf_parse(struct rproc *rproc, const struct rproc_fw *fw,
		     struct rproc_diag *d)
{
	struct rproc_elf_shdr sh;
	struct rproc_elf elf;
	uint64_t da;
	int ret;

	ret = elf_open_checked(&elf, fw, d);
	if (ret)
		return ret;
	rproc_fw_set_core_info(rproc, elf.cls, elf.machine, elf.flags);

	ret = rproc_elf_find_section(&elf, RSC_TABLE_SECTION, &sh, d);
	if (ret == -ENOENT)
		return 0; /* table-less: resources come from the platform */
	if (ret)
		return ret;
	if (sh.type == SHT_NOBITS)
		return rproc_diag_set(
			d, -EBADMSG,
			"ELF: " RSC_TABLE_SECTION
			" has no contents in the image (SHT_NOBITS)");
	/* find_section checked the range; a second look costs nothing and
	 * keeps the pointer arithmetic below obviously safe. */
	if (sh.offset > fw->size || sh.size > fw->size - sh.offset)
		return rproc_diag_set(d, -EBADMSG,
				      "ELF: " RSC_TABLE_SECTION
				      " at 0x%llx size 0x%llx past end of "
				      "image (0x%zx bytes)",
				      (unsigned long long)sh.offset,
				      (unsigned long long)sh.size, fw->size);
	if (sh.size < sizeof(struct resource_table))
		return rproc_diag_set(d, -EBADMSG,
				      "ELF: " RSC_TABLE_SECTION
				      " of 0x%llx bytes is smaller than a "
				      "table header (0x%zx bytes)",
				      (unsigned long long)sh.size,
				      sizeof(struct resource_table));
	/* A section that is not SHF_ALLOC is not loaded anywhere: the core
	 * must find the table a home, as for a table it builds. */
	da = (sh.flags & SHF_ALLOC) ? sh.addr : RPROC_ANY;
	return rproc_fw_set_table(rproc, fw->data + sh.offset, (size_t)sh.size,
				  da, d);
}

static int elf_load(struct rproc *rproc, const struct rproc_fw *fw,
		    struct rproc_diag *d)
{
	struct rproc_elf_phdr ph;
	struct rproc_elf elf;
	unsigned i;
	int ret;

	ret = elf_open_checked(&elf, fw, d);
	if (ret)
		return ret;
	/* Idempotent; set here too because recovery and callers without a
	 * parse step load directly. */
	rproc_fw_set_core_info(rproc, elf.cls, elf.machine, elf.flags);
	for (i = 0; i < elf.phnum; i++) {
		ret = rproc_elf_phdr(&elf, i, &ph, d);
		if (ret)
			return ret;
		if (ph.type != RPROC_PT_LOAD || !ph.memsz)
			continue;
		ret = rproc_fw_load_segment(rproc, ph.paddr,
					    fw->data + ph.offset, ph.filesz,
					    ph.memsz, d);
		if (ret)
			return ret;
	}
	return 0;
}

static int elf_boot_addr(struct rproc *rproc, const struct rproc_fw *fw,
			 uint64_t *addr)
{
	struct rproc_elf elf;
	int ret;

	(void)rproc;
	ret = rproc_elf_open(&elf, fw ? fw->data : NULL, fw ? fw->size : 0,
			     NULL);
	if (ret)
		return ret;
	*addr = elf.entry;
	return 0;
}

const struct rproc_fw_ops rproc_fw_elf = {
	.name = "elf",
	.sanity_check = elf_sanity_check,
	.parse = elf_parse,
	.load = elf_load,
	.install_table = NULL, /* the core knows whether a table was found */
	.boot_addr = elf_boot_addr,
};
