/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A checked reader of ELF32/ELF64 little-endian executables
 * (include/rproc/elf.h).
 *
 * Firmware images come from a file system or a network and may be truncated,
 * corrupted or crafted.  Every field is decoded byte by byte (no pointer
 * casts into the image, so neither alignment nor the host's byte order
 * matters) and every offset and size is checked against the image with
 * arithmetic that cannot overflow before anything points into it.  Each
 * failure leaves one message in the diag, starting with "ELF: " and giving
 * the offending numbers in hex.  Nothing here allocates, and no check is
 * worse than linear in the image size.
 */
#include <errno.h>
#include <string.h>

#include "rproc/elf.h"

#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT 1
#define ET_EXEC 2
#define PT_NULL 0
#define SHT_NOBITS 8

#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56
#define SHDR32_SIZE 40
#define SHDR64_SIZE 64

/*
 * The overlap check compares every pair of non-empty PT_LOAD segments.  A
 * real firmware has a handful; capping their number keeps a hostile image
 * with 65535 program headers from costing billions of comparisons, without
 * needing memory to sort them.
 */
#define ELF_MAX_LOAD_SEGMENTS 256

/* Some newlib builds lack PRIx64: print 64-bit values as %llx. */
#define X64(v) ((unsigned long long)(v))

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Section header @idx; rproc_elf_open() checked the table is in the image.
 * The name is resolved by the caller. */
static void read_shdr(const struct rproc_elf *elf, unsigned idx,
		      uint32_t *name_off, struct rproc_elf_shdr *out)
{
	const uint8_t *sh =
		elf->data + elf->shoff + (size_t)idx * elf->shentsize;

	*name_off = get32(sh);
	out->name = NULL;
	out->type = get32(sh + 4);
	if (elf->cls == RPROC_ELFCLASS32) {
		out->flags = get32(sh + 8);
		out->addr = get32(sh + 12);
		out->offset = get32(sh + 16);
		out->size = get32(sh + 20);
	} else {
		out->flags = get64(sh + 8);
		out->addr = get64(sh + 16);
		out->offset = get64(sh + 24);
		out->size = get64(sh + 32);
	}
}

/* Is [off, off + len) inside an object of @size bytes?  Never overflows. */
static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

int rproc_elf_open(struct rproc_elf *elf, const void *data, size_t size,
		   struct rproc_diag *d)
{
	const uint8_t *p = data;
	size_t ehsize, phentsize, shentsize;
	uint64_t len;

	if (!elf || (!data && size))
		return rproc_diag_set(d, -EINVAL, "ELF: no image");
	memset(elf, 0, sizeof(*elf));
	if (size < EI_NIDENT)
		return rproc_diag_set(d, -ENOEXEC,
				      "ELF: image of 0x%zx bytes is too small "
				      "for an ELF header",
				      size);
	if (memcmp(p, "\177ELF", 4) != 0)
		return rproc_diag_set(d, -ENOEXEC,
				      "ELF: bad magic %02x %02x %02x %02x",
				      p[0], p[1], p[2], p[3]);
	if (p[EI_DATA] == ELFDATA2MSB)
		return rproc_diag_set(
			d, -ENOEXEC,
			"ELF: big-endian images are not supported");
	if (p[EI_DATA] != ELFDATA2LSB)
		return rproc_diag_set(
			d, -ENOEXEC, "ELF: bad data encoding 0x%x", p[EI_DATA]);
	switch (p[EI_CLASS]) {
	case RPROC_ELFCLASS32:
		ehsize = EHDR32_SIZE;
		phentsize = PHDR32_SIZE;
		shentsize = SHDR32_SIZE;
		break;
	case RPROC_ELFCLASS64:
		ehsize = EHDR64_SIZE;
		phentsize = PHDR64_SIZE;
		shentsize = SHDR64_SIZE;
		break;
	default:
		return rproc_diag_set(d, -ENOEXEC, "ELF: bad class 0x%x",
				      p[EI_CLASS]);
	}
	if (p[EI_VERSION] != EV_CURRENT)
		return rproc_diag_set(d, -ENOEXEC, "ELF: bad version 0x%x",
				      p[EI_VERSION]);
	/* Truncated headers are "not an ELF executable" like a bad magic:
	 * there is nothing to load either way. */
	if (size < ehsize)
		return rproc_diag_set(
			d, -ENOEXEC,
			"ELF: image of 0x%zx bytes is too small for an ELF%u "
			"header (0x%zx bytes)",
			size, p[EI_CLASS] == RPROC_ELFCLASS32 ? 32u : 64u,
			ehsize);

	elf->data = p;
	elf->size = size;
	elf->cls = p[EI_CLASS];
	elf->type = get16(p + 16);
	elf->machine = get16(p + 18);
	if (elf->cls == RPROC_ELFCLASS32) {
		elf->entry = get32(p + 24);
		elf->phoff = get32(p + 28);
		elf->shoff = get32(p + 32);
		elf->flags = get32(p + 36);
		p += 42;
	} else {
		elf->entry = get64(p + 24);
		elf->phoff = get64(p + 32);
		elf->shoff = get64(p + 40);
		elf->flags = get32(p + 48);
		p += 54;
	}
	elf->phentsize = get16(p);
	elf->phnum = get16(p + 2);
	elf->shentsize = get16(p + 4);
	elf->shnum = get16(p + 6);
	elf->shstrndx = get16(p + 8);

	if (elf->type != ET_EXEC)
		return rproc_diag_set(d, -ENOEXEC,
				      "ELF: e_type 0x%x is not ET_EXEC (0x2)",
				      elf->type);

	if (elf->phnum) {
		if (elf->phentsize != phentsize)
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: e_phentsize 0x%x, expected 0x%zx",
				elf->phentsize, phentsize);
		/* At most 0xffff * 0x38: cannot overflow 64 bits. */
		len = (uint64_t)elf->phnum * elf->phentsize;
		if (!range_ok(elf->phoff, len, size))
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: program headers at 0x%llx (0x%x x 0x%x "
				"bytes) past end of image (0x%zx bytes)",
				X64(elf->phoff), elf->phnum, elf->phentsize,
				size);
	}

	if (elf->shnum) {
		struct rproc_elf_shdr strtab;
		uint32_t name_off;

		if (elf->shentsize != shentsize)
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: e_shentsize 0x%x, expected 0x%zx",
				elf->shentsize, shentsize);
		len = (uint64_t)elf->shnum * elf->shentsize;
		if (!range_ok(elf->shoff, len, size))
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: section headers at 0x%llx (0x%x x 0x%x "
				"bytes) past end of image (0x%zx bytes)",
				X64(elf->shoff), elf->shnum, elf->shentsize,
				size);
		/* SHN_UNDEF: no section names (find_section finds nothing);
		 * SHN_XINDEX (0xffff) is rejected as out of range. */
		if (elf->shstrndx == 0)
			return 0;
		if (elf->shstrndx >= elf->shnum)
			return rproc_diag_set(d, -EBADMSG,
					      "ELF: e_shstrndx 0x%x out of "
					      "range (e_shnum 0x%x)",
					      elf->shstrndx, elf->shnum);
		read_shdr(elf, elf->shstrndx, &name_off, &strtab);
		if (strtab.type == SHT_NOBITS ||
		    !range_ok(strtab.offset, strtab.size, size))
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: section name table (section 0x%x) at "
				"0x%llx size 0x%llx past end of image (0x%zx "
				"bytes)",
				elf->shstrndx, X64(strtab.offset),
				X64(strtab.size), size);
		/* The ELF spec makes the last byte NUL.  Checking it once
		 * makes every name offset inside the table a terminated
		 * string, so lookups never scan for terminators. */
		if (strtab.size == 0 ||
		    elf->data[strtab.offset + strtab.size - 1] != '\0')
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: section name table (section 0x%x, 0x%llx "
				"bytes) is not NUL-terminated",
				elf->shstrndx, X64(strtab.size));
	}
	return 0;
}

int rproc_elf_phdr(const struct rproc_elf *elf, unsigned idx,
		   struct rproc_elf_phdr *out, struct rproc_diag *d)
{
	const uint8_t *p;
	uint64_t limit;

	if (idx >= elf->phnum)
		return rproc_diag_set(
			d, -ERANGE,
			"ELF: program header %u out of range (e_phnum 0x%x)",
			idx, elf->phnum);
	/* rproc_elf_open() checked the table lies inside the image. */
	p = elf->data + elf->phoff + (size_t)idx * elf->phentsize;
	out->type = get32(p);
	if (elf->cls == RPROC_ELFCLASS32) {
		out->offset = get32(p + 4);
		out->vaddr = get32(p + 8);
		out->paddr = get32(p + 12);
		out->filesz = get32(p + 16);
		out->memsz = get32(p + 20);
		out->flags = get32(p + 24);
		out->align = get32(p + 28);
		limit = UINT64_C(1) << 32;
	} else {
		out->flags = get32(p + 4);
		out->offset = get64(p + 8);
		out->vaddr = get64(p + 16);
		out->paddr = get64(p + 24);
		out->filesz = get64(p + 32);
		out->memsz = get64(p + 40);
		out->align = get64(p + 48);
		limit = UINT64_MAX;
	}

	/* PT_NULL entries are unused slots: their fields mean nothing. */
	if (out->type == PT_NULL)
		return 0;
	if (!range_ok(out->offset, out->filesz, elf->size))
		return rproc_diag_set(
			d, -EBADMSG,
			"ELF: program header %u: segment offset 0x%llx + "
			"filesz 0x%llx past end of image (0x%zx bytes)",
			idx, X64(out->offset), X64(out->filesz), elf->size);
	/* Only loadable segments have a meaningful memory size: RISC-V's
	 * PT_RISCV_ATTRIBUTES, for one, has filesz > 0 and memsz 0. */
	if (out->type != RPROC_PT_LOAD)
		return 0;
	if (out->filesz > out->memsz)
		return rproc_diag_set(
			d, -EBADMSG,
			"ELF: program header %u: filesz 0x%llx > memsz 0x%llx",
			idx, X64(out->filesz), X64(out->memsz));
	/* The end address (exclusive) may be the top of the address space
	 * (2^32 for ELF32) but not beyond it. */
	if (out->paddr > limit || out->memsz > limit - out->paddr)
		return rproc_diag_set(
			d, -EBADMSG,
			"ELF: program header %u: paddr 0x%llx + memsz 0x%llx "
			"overflows the ELF%u address space",
			idx, X64(out->paddr), X64(out->memsz),
			elf->cls == RPROC_ELFCLASS32 ? 32u : 64u);
	return 0;
}

/* Does the PT_LOAD at @idx occupy memory?  Fills @ph; errors as
 * rproc_elf_phdr(). */
static int load_segment_at(const struct rproc_elf *elf, unsigned idx,
			   struct rproc_elf_phdr *ph, bool *loadable,
			   struct rproc_diag *d)
{
	int ret = rproc_elf_phdr(elf, idx, ph, d);

	*loadable = !ret && ph->type == RPROC_PT_LOAD && ph->memsz;
	return ret;
}

int rproc_elf_check_segments(const struct rproc_elf *elf, struct rproc_diag *d)
{
	uint16_t load[ELF_MAX_LOAD_SEGMENTS];
	struct rproc_elf_phdr a, b;
	unsigned i, j, nload = 0;
	bool loadable;
	int ret;

	for (i = 0; i < elf->phnum; i++) {
		ret = load_segment_at(elf, i, &a, &loadable, d);
		if (ret)
			return ret;
		if (!loadable)
			continue;
		if (nload == ELF_MAX_LOAD_SEGMENTS)
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: more than %u non-empty PT_LOAD segments",
				ELF_MAX_LOAD_SEGMENTS);
		load[nload++] = (uint16_t)i;
	}

	/* The segments were checked above, so these reads cannot fail.
	 * Ends are computed as last byte (paddr + memsz - 1): with memsz > 0
	 * and the overflow check above, that never wraps. */
	for (i = 0; i < nload; i++) {
		load_segment_at(elf, load[i], &a, &loadable, NULL);
		for (j = i + 1; j < nload; j++) {
			load_segment_at(elf, load[j], &b, &loadable, NULL);
			if (a.paddr <= b.paddr + (b.memsz - 1) &&
			    b.paddr <= a.paddr + (a.memsz - 1))
				return rproc_diag_set(
					d, -EBADMSG,
					"ELF: program headers %u and %u "
					"overlap: [0x%llx, 0x%llx) and "
					"[0x%llx, 0x%llx)",
					load[i], load[j], X64(a.paddr),
					X64(a.paddr + a.memsz), X64(b.paddr),
					X64(b.paddr + b.memsz));
		}
	}
	return 0;
}

int rproc_elf_find_section(const struct rproc_elf *elf, const char *name,
			   struct rproc_elf_shdr *out, struct rproc_diag *d)
{
	const size_t want = strlen(name) + 1; /* with its NUL */
	struct rproc_elf_shdr strtab, sh;
	uint32_t name_off;
	bool found = false;
	unsigned i;

	if (!elf->shnum || !elf->shstrndx)
		return -ENOENT;
	/* rproc_elf_open() checked the string table lies in the image and
	 * ends with a NUL. */
	read_shdr(elf, elf->shstrndx, &name_off, &strtab);

	/* Check every name, so a malformed table is reported the same way
	 * whichever section is asked for. */
	for (i = 0; i < elf->shnum; i++) {
		read_shdr(elf, i, &name_off, &sh);
		if (name_off >= strtab.size)
			return rproc_diag_set(
				d, -EBADMSG,
				"ELF: section %u: name offset 0x%x outside the "
				"section name table (0x%llx bytes)",
				i, (unsigned)name_off, X64(strtab.size));
		if (found || !range_ok(name_off, want, strtab.size) ||
		    memcmp(elf->data + strtab.offset + name_off, name, want))
			continue;
		if (sh.type != SHT_NOBITS &&
		    !range_ok(sh.offset, sh.size, elf->size))
			return rproc_diag_set(d, -EBADMSG,
					      "ELF: section %u (%s) at 0x%llx "
					      "size 0x%llx past "
					      "end of image (0x%zx bytes)",
					      i, name, X64(sh.offset),
					      X64(sh.size), elf->size);
		sh.name = (const char *)elf->data + strtab.offset + name_off;
		*out = sh;
		found = true;
	}
	return found ? 0 : -ENOENT;
}
