/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ELF core writer (DESIGN §8, include/rproc/coredump.h).
 *
 * A dump is streamed: the layout is computed from the description alone, the
 * sink is told the exact size, then headers and notes go out through a small
 * fixed buffer and each segment goes straight from its source.  That keeps
 * peak memory constant however large the remote's RAM is, which matters both
 * on a small host and for the "inline" mode where the remote's memory is read
 * before it is restarted.  Every multi-byte field is stored byte by byte in
 * little-endian order, so nothing depends on the host's endianness or on
 * alignment, and the file builds on bare-metal targets (no <elf.h>, no OS).
 *
 * File layout (offsets are from the start of the file):
 *   ELF header (52 or 64 bytes), e_phoff right after it;
 *   program headers: PT_NOTE, then one PT_LOAD per segment;
 *   notes: NT_PRSTATUS per thread, NT_PRPSINFO, "RPROC" type 0x52505243;
 *   segment data, each segment's p_offset rounded up to 8 (zero padding).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rproc/alloc.h"
#include "rproc/coredump.h"
#include "rproc/diag.h"

/* The few ELF constants we need; <elf.h> does not exist on every target. */
enum {
	RPROC_ELFCLASS32 = 1,
	RPROC_ELFCLASS64 = 2,
	RPROC_ELFDATA2LSB = 1,
	RPROC_EV_CURRENT = 1,
	RPROC_ET_CORE = 4,
	RPROC_PT_LOAD = 1,
	RPROC_PT_NOTE = 4,
	RPROC_PF_RWX = 7,
	RPROC_NT_PRSTATUS = 1,
	RPROC_NT_PRPSINFO = 3,
	RPROC_NT_RPROC_INFO =
		0x52505243, /* "CRPR": never a Linux core note type */
	/* e_phnum 0xffff (PN_XNUM) would need a section header. */
	RPROC_PHNUM_MAX = 0xfffe,
};

/* Sizes and offsets of the structures, per class (Linux elf_prstatus and
 * elf_prpsinfo as gdb's BFD backends recognise them). */
struct elf_geom {
	uint32_t ehsize;
	uint32_t phentsize;
	uint32_t prstatus_reg;	 /* offset of pr_reg */
	uint32_t prstatus_pid;	 /* offset of pr_pid */
	uint32_t prstatus_align; /* descsz is rounded up to this */
	uint32_t prpsinfo_size;
	uint32_t prpsinfo_pid;
	uint32_t prpsinfo_fname;  /* char pr_fname[16] */
	uint32_t prpsinfo_psargs; /* char pr_psargs[80] */
};

static const struct elf_geom geom32 = {
	.ehsize = 52,
	.phentsize = 32,
	.prstatus_reg = 72,
	.prstatus_pid = 24,
	.prstatus_align = 4,
	.prpsinfo_size = 124,
	.prpsinfo_pid = 12,
	.prpsinfo_fname = 28,
	.prpsinfo_psargs = 44,
};

static const struct elf_geom geom64 = {
	.ehsize = 64,
	.phentsize = 56,
	.prstatus_reg = 112,
	.prstatus_pid = 32,
	.prstatus_align = 8,
	.prpsinfo_size = 136,
	.prpsinfo_pid = 24,
	.prpsinfo_fname = 40,
	.prpsinfo_psargs = 56,
};

#define PRSTATUS_CURSIG 12
#define PRPSINFO_FNAME_LEN 16
#define PRPSINFO_PSARGS_LEN 80
#define NOTE_HDR_SIZE 12
#define MAX_REGS_SIZE 512
#define SEG_ALIGN 8
#define CHUNK_MAX (64 * 1024)
/* Headers and notes are staged here; every fixed structure fits in one go. */
#define STAGE_SIZE 512

static const char note_core[] = "CORE";
static const char note_rproc[] = "RPROC";

/* Everything about the file that follows from the description alone. */
struct layout {
	const struct elf_geom *g;
	uint32_t phnum;
	uint64_t notes_off;
	uint64_t notes_size;
	uint64_t text_len;    /* "RPROC" note text, without its NUL */
	uint32_t text_descsz; /* text_len + 1 or 2: see rproc_text_descsz() */
	uint64_t data_off;    /* end of notes: segment data starts after this */
	uint64_t total;
	const char *basename;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* An address-sized field: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
static void put_addr(uint8_t *p, bool is64, uint64_t v)
{
	if (is64)
		put_le64(p, v);
	else
		put_le32(p, (uint32_t)v);
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static uint32_t prstatus_descsz(const struct elf_geom *g, size_t regs_size)
{
	/* pr_reg, then int pr_fpvalid, then the struct's tail padding. */
	return (uint32_t)align_up(g->prstatus_reg + regs_size + 4,
				  g->prstatus_align);
}

static uint64_t note_size(size_t namesz, uint64_t descsz)
{
	return NOTE_HDR_SIZE + align_up(namesz, 4) + align_up(descsz, 4);
}

/*
 * The "RPROC" note must not use type 1: BFD (gdb, objdump) hands every
 * type-1 note of a core to the NT_PRSTATUS parser whatever its owner name, so
 * a text of the machine's prstatus size would appear as a bogus thread.
 */
static uint32_t rproc_text_descsz(uint64_t text_len)
{
	return (uint32_t)text_len + 1;
}

/* Decimal digits of @v into @out (no NUL); returns how many. */
static size_t u32_to_dec(uint32_t v, char out[10])
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/*
 * Check @desc and compute where everything goes.  The same walk over the
 * segments is repeated when the program headers and the data are written, so
 * the offsets here and there agree by construction.
 */
static int layout_compute(const struct rproc_dump_desc *desc, struct layout *l,
			  struct rproc_diag *d)
{
	uint64_t off, notes = 0;
	char digits[10];
	bool is64;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!desc)
		return rproc_diag_set(d, -EINVAL, "coredump: no description");
	if (desc->elf_class != RPROC_ELFCLASS32 &&
	    desc->elf_class != RPROC_ELFCLASS64)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: ELF class %u is neither 1 "
				      "(ELFCLASS32) nor 2 (ELFCLASS64)",
				      (unsigned int)desc->elf_class);
	is64 = desc->elf_class == RPROC_ELFCLASS64;
	l->g = is64 ? &geom64 : &geom32;

	if (desc->nthreads > RPROC_DUMP_MAX_THREADS)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: %zu threads, at most %d",
				      desc->nthreads, RPROC_DUMP_MAX_THREADS);
	if (desc->nthreads && !desc->threads)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: %zu threads but no array",
				      desc->nthreads);
	for (i = 0; i < desc->nthreads; i++) {
		const struct rproc_dump_thread *t = &desc->threads[i];

		if (!t->regs || !t->regs_size)
			return rproc_diag_set(d, -EINVAL,
					      "coredump: thread %zu has no "
					      "registers",
					      i);
		if (t->regs_size > MAX_REGS_SIZE)
			return rproc_diag_set(d, -EINVAL,
					      "coredump: thread %zu has %zu "
					      "register bytes, at most %d",
					      i, t->regs_size, MAX_REGS_SIZE);
		notes += note_size(sizeof(note_core),
				   prstatus_descsz(l->g, t->regs_size));
	}
	notes += note_size(sizeof(note_core), l->g->prpsinfo_size);

	/* Strings are bounded only by memory, so add them up in 64 bits. */
	l->text_len = strlen("remote=\nfirmware=\ncrash=\ncount=\n");
	l->text_len += strlen(str_or_empty(desc->remote));
	l->text_len += strlen(str_or_empty(desc->firmware));
	l->text_len += strlen(str_or_empty(desc->crash));
	l->text_len += u32_to_dec(desc->crash_count, digits);
	if (l->text_len >= UINT32_MAX - 4)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: names too long for a note");
	l->text_descsz = rproc_text_descsz(l->text_len);
	notes += note_size(sizeof(note_rproc), l->text_descsz);
	l->basename = path_basename(str_or_empty(desc->firmware));

	if (desc->nsegs && !desc->segs)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: %zu segments but no array",
				      desc->nsegs);
	if (desc->nsegs >= RPROC_PHNUM_MAX)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: %zu segments, at most %d",
				      desc->nsegs, RPROC_PHNUM_MAX - 1);
	l->phnum = (uint32_t)desc->nsegs + 1;
	l->notes_off = l->g->ehsize + (uint64_t)l->phnum * l->g->phentsize;
	l->notes_size = notes;
	l->data_off = l->notes_off + notes;

	off = l->data_off;
	for (i = 0; i < desc->nsegs; i++) {
		const struct rproc_dump_segment *s = &desc->segs[i];

		if (!s->va && !s->read)
			return rproc_diag_set(
				d, -EINVAL,
				"coredump: segment %zu (da 0x%llx) has "
				"neither va nor read",
				i, (unsigned long long)s->da);
		if (off > UINT64_MAX - (SEG_ALIGN - 1) ||
		    s->size > UINT64_MAX - align_up(off, SEG_ALIGN))
			return rproc_diag_set(
				d, -EINVAL,
				"coredump: segment %zu (size 0x%llx) "
				"overflows the file size",
				i, (unsigned long long)s->size);
		off = align_up(off, SEG_ALIGN);
		/* ELFCLASS32 fields are 32 bits: the data must be reachable. */
		if (!is64 && (s->da > UINT32_MAX || s->size > UINT32_MAX ||
			      s->size > (uint64_t)UINT32_MAX + 1 - s->da ||
			      off > UINT32_MAX))
			return rproc_diag_set(
				d, -EINVAL,
				"coredump: segment %zu (da 0x%llx, size "
				"0x%llx) does not fit ELFCLASS32",
				i, (unsigned long long)s->da,
				(unsigned long long)s->size);
		off += s->size;
	}
	l->total = off;
	return 0;
}

uint64_t rproc_coredump_size(const struct rproc_dump_desc *desc)
{
	struct layout l;

	if (layout_compute(desc, &l, NULL))
		return 0;
	return l.total;
}

/*
 * The staging buffer for headers and notes.  After the first error every
 * call is a no-op, so the build-up code reads as straight-line writes and the
 * error is checked once at the points where data leaves for the sink.
 */
struct stage {
	const struct rproc_dump_sink *sink;
	struct rproc_diag *d;
	size_t fill;
	int err;
	uint8_t buf[STAGE_SIZE];
};

static int sink_write(struct stage *st, const void *p, size_t n)
{
	int ret;

	if (st->err)
		return st->err;
	ret = st->sink->write(st->sink->ctx, p, n);
	if (ret < 0)
		st->err = rproc_diag_set(st->d, ret,
					 "coredump: sink write of %zu bytes "
					 "failed (%d)",
					 n, ret);
	return st->err;
}

static int stage_flush(struct stage *st)
{
	size_t n = st->fill;

	st->fill = 0;
	if (!n)
		return st->err;
	return sink_write(st, st->buf, n);
}

/* @n zeroed bytes in the buffer for the caller to fill (n <= STAGE_SIZE). */
static uint8_t *stage_reserve(struct stage *st, size_t n)
{
	uint8_t *p;

	if (st->fill + n > sizeof(st->buf))
		stage_flush(st);
	p = st->buf + st->fill;
	memset(p, 0, n);
	/* After an error the space is scratch: keep reusing it. */
	if (!st->err)
		st->fill += n;
	return p;
}

static void stage_bytes(struct stage *st, const void *src, size_t n)
{
	const uint8_t *s = src;

	while (n && !st->err) {
		size_t room = sizeof(st->buf) - st->fill, k;

		if (!room) {
			stage_flush(st);
			continue;
		}
		k = n < room ? n : room;
		memcpy(st->buf + st->fill, s, k);
		st->fill += k;
		s += k;
		n -= k;
	}
}

static void stage_str(struct stage *st, const char *s)
{
	stage_bytes(st, s, strlen(s));
}

static void stage_zeros(struct stage *st, uint64_t n)
{
	while (n && !st->err) {
		size_t k = n < sizeof(st->buf) ? (size_t)n : sizeof(st->buf);

		stage_reserve(st, k);
		n -= k;
	}
}

static void put_ehdr(struct stage *st, const struct rproc_dump_desc *desc,
		     const struct layout *l)
{
	bool is64 = desc->elf_class == RPROC_ELFCLASS64;
	uint8_t *p = stage_reserve(st, l->g->ehsize);
	/* From e_entry on the two classes differ by the address size. */
	size_t a = is64 ? 8 : 4;

	p[0] = 0x7f;
	p[1] = 'E';
	p[2] = 'L';
	p[3] = 'F';
	p[4] = desc->elf_class;
	p[5] = RPROC_ELFDATA2LSB;
	p[6] = RPROC_EV_CURRENT;
	/* EI_OSABI 0 (System V); gdb picks GNU/Linux by default anyway. */
	put_le16(p + 16, RPROC_ET_CORE);
	put_le16(p + 18, desc->machine);
	put_le32(p + 20, RPROC_EV_CURRENT);
	/* e_entry 0, e_phoff, e_shoff 0 */
	put_addr(p + 24 + a, is64, l->g->ehsize);
	put_le32(p + 24 + 3 * a, desc->flags);
	put_le16(p + 28 + 3 * a, (uint16_t)l->g->ehsize);
	put_le16(p + 30 + 3 * a, (uint16_t)l->g->phentsize);
	put_le16(p + 32 + 3 * a, (uint16_t)l->phnum);
	/* e_shentsize, e_shnum, e_shstrndx 0: no section headers. */
}

static void put_phdr(struct stage *st, bool is64, uint32_t type, uint32_t flags,
		     uint64_t offset, uint64_t addr, uint64_t size,
		     uint64_t align)
{
	uint8_t *p = stage_reserve(st, is64 ? 56 : 32);

	put_le32(p, type);
	if (is64) {
		put_le32(p + 4, flags);
		put_le64(p + 8, offset);
		put_le64(p + 16, addr);
		put_le64(p + 24, addr);
		put_le64(p + 32, size);
		put_le64(p + 40, size);
		put_le64(p + 48, align);
	} else {
		put_le32(p + 4, (uint32_t)offset);
		put_le32(p + 8, (uint32_t)addr);
		put_le32(p + 12, (uint32_t)addr);
		put_le32(p + 16, (uint32_t)size);
		put_le32(p + 20, (uint32_t)size);
		put_le32(p + 24, flags);
		put_le32(p + 28, (uint32_t)align);
	}
}

static void put_phdrs(struct stage *st, const struct rproc_dump_desc *desc,
		      const struct layout *l)
{
	bool is64 = desc->elf_class == RPROC_ELFCLASS64;
	uint64_t off = l->data_off;
	size_t i;

	/* The notes carry no address; Linux cores use flags 0, align 4. */
	put_phdr(st, is64, RPROC_PT_NOTE, 0, l->notes_off, 0, l->notes_size, 4);
	for (i = 0; i < desc->nsegs; i++) {
		const struct rproc_dump_segment *s = &desc->segs[i];

		off = align_up(off, SEG_ALIGN);
		/* p_align 1: da need not be congruent to the file offset. */
		put_phdr(st, is64, RPROC_PT_LOAD, RPROC_PF_RWX, off, s->da,
			 s->size, 1);
		off += s->size;
	}
}

/* Note header and name; the caller writes the descriptor and its padding. */
static void put_note_hdr(struct stage *st, const char *name, size_t namesz,
			 uint32_t descsz, uint32_t type)
{
	uint8_t *p = stage_reserve(st, NOTE_HDR_SIZE + align_up(namesz, 4));

	put_le32(p, (uint32_t)namesz);
	put_le32(p + 4, descsz);
	put_le32(p + 8, type);
	memcpy(p + NOTE_HDR_SIZE, name, namesz);
}

static void put_prstatus(struct stage *st, const struct layout *l,
			 const struct rproc_dump_thread *t)
{
	const struct elf_geom *g = l->g;
	uint32_t descsz = prstatus_descsz(g, t->regs_size);
	uint8_t *p;

	put_note_hdr(st, note_core, sizeof(note_core), descsz,
		     RPROC_NT_PRSTATUS);
	p = stage_reserve(st, g->prstatus_reg);
	put_le32(p, (uint32_t)t->signo); /* si_signo; si_code, si_errno 0 */
	put_le16(p + PRSTATUS_CURSIG, (uint16_t)t->signo);
	put_le32(p + g->prstatus_pid, t->tid);
	stage_bytes(st, t->regs, t->regs_size);
	/* pr_fpvalid 0 and padding up to descsz, then to the note's 4. */
	stage_zeros(st, align_up(descsz, 4) - g->prstatus_reg - t->regs_size);
}

/* Copy at most @max - 1 bytes of @s and keep the NUL the field was zeroed
 * with. */
static void put_cstr(uint8_t *dst, const char *s, size_t max)
{
	size_t n = strlen(s);

	memcpy(dst, s, n < max ? n : max - 1);
}

static void put_prpsinfo(struct stage *st, const struct rproc_dump_desc *desc,
			 const struct layout *l)
{
	const struct elf_geom *g = l->g;
	uint8_t *p;

	put_note_hdr(st, note_core, sizeof(note_core), g->prpsinfo_size,
		     RPROC_NT_PRPSINFO);
	p = stage_reserve(st, g->prpsinfo_size);
	p[1] = 'R'; /* pr_sname: it was running when it stopped */
	if (desc->nthreads)
		put_le32(p + g->prpsinfo_pid, desc->threads[0].tid);
	/* The basename makes gdb's "core file may not match" check pass. */
	put_cstr(p + g->prpsinfo_fname, l->basename, PRPSINFO_FNAME_LEN);
	put_cstr(p + g->prpsinfo_psargs, l->basename, PRPSINFO_PSARGS_LEN);
}

static void put_rproc_note(struct stage *st, const struct rproc_dump_desc *desc,
			   const struct layout *l)
{
	char digits[10];
	size_t ndig = u32_to_dec(desc->crash_count, digits);
	uint32_t descsz = l->text_descsz;

	put_note_hdr(st, note_rproc, sizeof(note_rproc), descsz,
		     RPROC_NT_RPROC_INFO);
	stage_str(st, "remote=");
	stage_str(st, str_or_empty(desc->remote));
	stage_str(st, "\nfirmware=");
	stage_str(st, str_or_empty(desc->firmware));
	stage_str(st, "\ncrash=");
	stage_str(st, str_or_empty(desc->crash));
	stage_str(st, "\ncount=");
	stage_bytes(st, digits, ndig);
	stage_str(st, "\n");
	/* The NUL(s) and the padding to 4. */
	stage_zeros(st, align_up(descsz, 4) - l->text_len);
}

static int put_segment(struct stage *st, const struct rproc_dump_segment *s,
		       size_t idx, uint8_t *chunk, size_t chunk_size)
{
	uint64_t off = 0;
	int ret;

	if (stage_flush(st))
		return st->err;
	if (s->va) {
		/* Straight from the source: no copy, however large. */
		const uint8_t *src = s->va;

		while (off < s->size) {
			uint64_t rem = s->size - off;
			size_t n = (size_t)rem;

			/* Only a 32-bit host could see a piece > SIZE_MAX. */
			if ((uint64_t)n != rem)
				n = SIZE_MAX;
			if (sink_write(st, src + off, n))
				return st->err;
			off += n;
		}
		return 0;
	}
	while (off < s->size) {
		uint64_t rem = s->size - off;
		size_t n = rem < chunk_size ? (size_t)rem : chunk_size;

		ret = s->read(s->priv, off, chunk, n);
		if (ret < 0)
			return st->err = rproc_diag_set(
				       st->d, ret,
				       "coredump: reading segment %zu at "
				       "offset 0x%llx failed (%d)",
				       idx, (unsigned long long)off, ret);
		if (sink_write(st, chunk, n))
			return st->err;
		off += n;
	}
	return 0;
}

static int write_body(struct stage *st, const struct rproc_dump_desc *desc,
		      const struct layout *l, uint8_t *chunk, size_t chunk_size)
{
	uint64_t off = l->data_off;
	size_t i;

	put_ehdr(st, desc, l);
	put_phdrs(st, desc, l);
	for (i = 0; i < desc->nthreads; i++)
		put_prstatus(st, l, &desc->threads[i]);
	put_prpsinfo(st, desc, l);
	put_rproc_note(st, desc, l);

	for (i = 0; i < desc->nsegs && !st->err; i++) {
		const struct rproc_dump_segment *s = &desc->segs[i];

		stage_zeros(st, align_up(off, SEG_ALIGN) - off);
		off = align_up(off, SEG_ALIGN) + s->size;
		if (put_segment(st, s, i, chunk, chunk_size))
			break;
	}
	stage_flush(st);
	return st->err;
}

/*
 * The read buffer: one for all segments read through a callback, sized to the
 * largest of them up to 64 KiB.  NULL in *@chunk when no segment needs it.
 */
static int chunk_alloc(const struct rproc_dump_desc *desc, uint8_t **chunk,
		       size_t *chunk_size, struct rproc_diag *d)
{
	size_t i, size = 0;

	for (i = 0; i < desc->nsegs; i++) {
		const struct rproc_dump_segment *s = &desc->segs[i];

		if (!s->va && s->size > size)
			size = s->size < CHUNK_MAX ? (size_t)s->size
						   : CHUNK_MAX;
	}
	*chunk = NULL;
	*chunk_size = size;
	if (!size)
		return 0;
	*chunk = rproc_malloc(size);
	if (!*chunk)
		return rproc_diag_set(d, -ENOMEM,
				      "coredump: no memory for a %zu-byte "
				      "read buffer",
				      size);
	return 0;
}

/*
 * Once the sink is usable, end() runs exactly once whatever happens: a file
 * sink owns its context and frees it in end(), so even a dump refused for a
 * bad description or a failed allocation (begin() never called) must end.
 */
int rproc_coredump_write(const struct rproc_dump_desc *desc,
			 const struct rproc_dump_sink *sink,
			 struct rproc_diag *d)
{
	struct stage st = {.sink = sink, .d = d};
	struct layout l;
	uint8_t *chunk = NULL;
	size_t chunk_size = 0;
	int ret, end_ret;

	if (!sink || !sink->write)
		return rproc_diag_set(d, -EINVAL,
				      "coredump: sink has no write");

	ret = layout_compute(desc, &l, d);
	/* Allocated before begin: an allocation failure leaves no output. */
	if (!ret)
		ret = chunk_alloc(desc, &chunk, &chunk_size, d);
	if (!ret && sink->begin) {
		ret = sink->begin(sink->ctx, l.total);
		if (ret < 0)
			rproc_diag_set(d, ret,
				       "coredump: sink begin(%llu) failed (%d)",
				       (unsigned long long)l.total, ret);
	}
	if (!ret)
		ret = write_body(&st, desc, &l, chunk, chunk_size);

	if (sink->end) {
		end_ret = sink->end(sink->ctx, ret);
		if (!ret && end_ret < 0)
			ret = rproc_diag_set(d, end_ret,
					     "coredump: sink end failed (%d)",
					     end_ret);
	}
	rproc_free(chunk);
	return ret;
}

/* ---- the memory sink ---------------------------------------------------- */

static int mem_begin(void *ctx, uint64_t total)
{
	struct rproc_dump_mem *m = ctx;
	size_t n = (size_t)total;

	rproc_free(m->buf);
	memset(m, 0, sizeof(*m));
	/* A dump larger than the address space cannot be held in memory. */
	if ((uint64_t)n != total)
		return -ENOMEM;
	m->buf = rproc_malloc(n);
	if (!m->buf)
		return -ENOMEM;
	m->cap = total;
	return 0;
}

static int mem_write(void *ctx, const void *buf, size_t len)
{
	struct rproc_dump_mem *m = ctx;

	if (!m->buf || len > m->cap - m->len)
		return -ENOSPC;
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static int mem_end(void *ctx, int status)
{
	struct rproc_dump_mem *m = ctx;

	if (status < 0)
		rproc_dump_mem_release(m);
	return 0;
}

void rproc_dump_sink_mem(struct rproc_dump_sink *sink, struct rproc_dump_mem *m)
{
	memset(m, 0, sizeof(*m));
	sink->begin = mem_begin;
	sink->write = mem_write;
	sink->end = mem_end;
	sink->ctx = m;
}

void rproc_dump_mem_release(struct rproc_dump_mem *m)
{
	rproc_free(m->buf);
	memset(m, 0, sizeof(*m));
}
