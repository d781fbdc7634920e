/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helper: small ELF images with every field settable (elf_build.h). */
#include <assert.h>
#include <string.h>

#include "elf_build.h"

struct field {
	unsigned off32, w32, off64, w64;
};

static const struct field ehdr_fields[] = {
	[TELF_E_TYPE] = {16, 2, 16, 2},	     [TELF_E_MACHINE] = {18, 2, 18, 2},
	[TELF_E_VERSION] = {20, 4, 20, 4},   [TELF_E_ENTRY] = {24, 4, 24, 8},
	[TELF_E_PHOFF] = {28, 4, 32, 8},     [TELF_E_SHOFF] = {32, 4, 40, 8},
	[TELF_E_FLAGS] = {36, 4, 48, 4},     [TELF_E_EHSIZE] = {40, 2, 52, 2},
	[TELF_E_PHENTSIZE] = {42, 2, 54, 2}, [TELF_E_PHNUM] = {44, 2, 56, 2},
	[TELF_E_SHENTSIZE] = {46, 2, 58, 2}, [TELF_E_SHNUM] = {48, 2, 60, 2},
	[TELF_E_SHSTRNDX] = {50, 2, 62, 2},
};

static const struct field phdr_fields[] = {
	[TELF_P_TYPE] = {0, 4, 0, 4},	 [TELF_P_FLAGS] = {24, 4, 4, 4},
	[TELF_P_OFFSET] = {4, 4, 8, 8},	 [TELF_P_VADDR] = {8, 4, 16, 8},
	[TELF_P_PADDR] = {12, 4, 24, 8}, [TELF_P_FILESZ] = {16, 4, 32, 8},
	[TELF_P_MEMSZ] = {20, 4, 40, 8}, [TELF_P_ALIGN] = {28, 4, 48, 8},
};

static const struct field shdr_fields[] = {
	[TELF_SH_NAME] = {0, 4, 0, 4},	   [TELF_SH_TYPE] = {4, 4, 4, 4},
	[TELF_SH_FLAGS] = {8, 4, 8, 8},	   [TELF_SH_ADDR] = {12, 4, 16, 8},
	[TELF_SH_OFFSET] = {16, 4, 24, 8}, [TELF_SH_SIZE] = {20, 4, 32, 8},
};

static const char shstrtab[] = "\0.shstrtab\0.resource_table";
#define NAME_SHSTRTAB 1
#define NAME_RESOURCE_TABLE 11

void telf_put(uint8_t *p, unsigned width, uint64_t v)
{
	unsigned i;

	for (i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void set(struct telf *e, size_t base, const struct field *f, uint64_t v)
{
	bool is32 = e->cls == 1;
	size_t off = base + (is32 ? f->off32 : f->off64);
	unsigned w = is32 ? f->w32 : f->w64;

	assert(off + w <= sizeof(e->buf));
	telf_put(e->buf + off, w, v);
}

void telf_set_ehdr(struct telf *e, enum telf_ehdr_field f, uint64_t v)
{
	set(e, 0, &ehdr_fields[f], v);
}

void telf_set_phdr(struct telf *e, unsigned idx, enum telf_phdr_field f,
		   uint64_t v)
{
	set(e, e->phoff + idx * (e->cls == 1 ? 32u : 56u), &phdr_fields[f], v);
}

void telf_set_shdr(struct telf *e, unsigned idx, enum telf_shdr_field f,
		   uint64_t v)
{
	set(e, e->shoff + idx * (e->cls == 1 ? 40u : 64u), &shdr_fields[f], v);
}

struct telf_spec telf_default_spec(uint8_t cls)
{
	struct telf_spec s = {
		.cls = cls,
		.machine = cls == 1 ? 40 : 243, /* EM_ARM, EM_RISCV */
		.flags = 0x5000400,
		.entry = 0x1001,
		.nseg = 2,
		.seg =
			{
				{.type = 1,
				 .paddr = 0x1000,
				 .filesz = 0x40,
				 .memsz = 0x80},
				{.type = 1,
				 .paddr = 0x2000,
				 .filesz = 0x20,
				 .memsz = 0x20},
			},
	};
	return s;
}

static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

void telf_build(struct telf *e, const struct telf_spec *s)
{
	const bool is32 = s->cls == 1;
	const size_t ehsize = is32 ? 52 : 64, phentsize = is32 ? 32 : 56;
	const size_t shentsize = is32 ? 40 : 64;
	size_t pos;
	unsigned i;

	memset(e, 0, sizeof(*e));
	e->cls = s->cls;
	memcpy(e->buf, "\177ELF", 4);
	e->buf[4] = s->cls;
	e->buf[5] = 1;			  /* little-endian */
	e->buf[6] = 1;			  /* EV_CURRENT */
	telf_set_ehdr(e, TELF_E_TYPE, 2); /* ET_EXEC */
	telf_set_ehdr(e, TELF_E_MACHINE, s->machine);
	telf_set_ehdr(e, TELF_E_VERSION, 1);
	telf_set_ehdr(e, TELF_E_ENTRY, s->entry);
	telf_set_ehdr(e, TELF_E_FLAGS, s->flags);
	telf_set_ehdr(e, TELF_E_EHSIZE, ehsize);

	e->phoff = ehsize;
	telf_set_ehdr(e, TELF_E_PHOFF, s->nseg ? e->phoff : 0);
	telf_set_ehdr(e, TELF_E_PHENTSIZE, phentsize);
	telf_set_ehdr(e, TELF_E_PHNUM, s->nseg);
	pos = e->phoff + s->nseg * phentsize;
	for (i = 0; i < s->nseg; i++) {
		const struct telf_seg *g = &s->seg[i];

		pos = align4(pos);
		assert(pos + g->filesz <= sizeof(e->buf));
		e->seg_off[i] = pos;
		memset(e->buf + pos, 0x11 * (int)(i + 1), g->filesz);
		telf_set_phdr(e, i, TELF_P_TYPE, g->type);
		telf_set_phdr(e, i, TELF_P_FLAGS, 7);
		telf_set_phdr(e, i, TELF_P_OFFSET, pos);
		telf_set_phdr(e, i, TELF_P_VADDR, g->paddr);
		telf_set_phdr(e, i, TELF_P_PADDR, g->paddr);
		telf_set_phdr(e, i, TELF_P_FILESZ, g->filesz);
		telf_set_phdr(e, i, TELF_P_MEMSZ, g->memsz);
		telf_set_phdr(e, i, TELF_P_ALIGN, 4);
		pos += g->filesz;
	}

	if (s->no_sections) {
		e->size = pos;
		return;
	}
	e->shstrtab_off = pos;
	e->shstrtab_len = sizeof(shstrtab); /* with the final NUL */
	memcpy(e->buf + pos, shstrtab, sizeof(shstrtab));
	pos += sizeof(shstrtab);
	if (s->table) {
		pos = align4(pos);
		assert(pos + s->table_len <= sizeof(e->buf));
		e->table_off = pos;
		memcpy(e->buf + pos, s->table, s->table_len);
		pos += s->table_len;
	}
	e->shoff = align4(pos);
	e->shnum = s->table ? 3 : 2;
	e->table_idx = s->table ? 1 : 0;
	e->shstrtab_idx = e->shnum - 1;
	assert(e->shoff + e->shnum * shentsize <= sizeof(e->buf));
	telf_set_ehdr(e, TELF_E_SHOFF, e->shoff);
	telf_set_ehdr(e, TELF_E_SHENTSIZE, shentsize);
	telf_set_ehdr(e, TELF_E_SHNUM, e->shnum);
	telf_set_ehdr(e, TELF_E_SHSTRNDX, e->shstrtab_idx);
	if (s->table) {
		telf_set_shdr(e, 1, TELF_SH_NAME, NAME_RESOURCE_TABLE);
		telf_set_shdr(e, 1, TELF_SH_TYPE, TELF_SHT_PROGBITS);
		telf_set_shdr(e, 1, TELF_SH_FLAGS,
			      s->table_not_alloc ? 0 : TELF_SHF_ALLOC);
		telf_set_shdr(e, 1, TELF_SH_ADDR, s->table_addr);
		telf_set_shdr(e, 1, TELF_SH_OFFSET, e->table_off);
		telf_set_shdr(e, 1, TELF_SH_SIZE, s->table_len);
	}
	telf_set_shdr(e, e->shstrtab_idx, TELF_SH_NAME, NAME_SHSTRTAB);
	telf_set_shdr(e, e->shstrtab_idx, TELF_SH_TYPE, 3); /* SHT_STRTAB */
	telf_set_shdr(e, e->shstrtab_idx, TELF_SH_OFFSET, e->shstrtab_off);
	telf_set_shdr(e, e->shstrtab_idx, TELF_SH_SIZE, e->shstrtab_len);
	e->size = e->shoff + e->shnum * shentsize;
}
