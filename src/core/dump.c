/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Coredumps of a crashed remote (DESIGN §2 topic 6, §8): which segments,
 * which registers, and when the bytes are written.
 *
 * Taken right after the remote is halted and before anything is reloaded.
 * Inline mode streams from remote memory into the sink before recovery goes
 * on; enabled mode copies the whole core into memory, lets recovery restart
 * the remote, then writes the copy.
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

static int add_seg(struct rproc *rproc, uint64_t da, uint64_t size,
		   int (*read)(void *, uint64_t, void *, size_t), void *priv,
		   bool from_fw)
{
	struct rproc_dump_seg *s, **pp;

	s = rproc_zalloc(sizeof(*s));
	if (!s)
		return rproc_err(rproc, -ENOMEM,
				 "out of memory adding a dump segment");
	s->seg.da = da;
	s->seg.size = size;
	s->seg.read = read;
	s->seg.priv = priv;
	s->from_fw = from_fw;
	for (pp = &rproc->dump_segs; *pp; pp = &(*pp)->next)
		;
	*pp = s;
	return 0;
}

int rproc_coredump_add_segment(struct rproc *rproc, uint64_t da, uint64_t size)
{
	return add_seg(rproc, da, size, NULL, NULL, false);
}

int rproc_coredump_add_custom_segment(struct rproc *rproc, uint64_t da,
				      uint64_t size,
				      int (*read)(void *priv, uint64_t offset,
						  void *dst, size_t len),
				      void *priv)
{
	if (!read)
		return -EINVAL;
	return add_seg(rproc, da, size, read, priv, false);
}

void __rproc_dump_segs_clear(struct rproc *rproc, bool fw_only)
{
	struct rproc_dump_seg **pp = &rproc->dump_segs;

	while (*pp) {
		struct rproc_dump_seg *s = *pp;

		if (fw_only && !s->from_fw) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		rproc_free(s);
	}
}

int __rproc_dump_seg_loaded(struct rproc *rproc, uint64_t da, uint64_t size)
{
	for (struct rproc_dump_seg *s = rproc->dump_segs; s; s = s->next)
		if (s->from_fw && s->seg.da == da && s->seg.size == size)
			return 0; /* reloaded during recovery */
	return add_seg(rproc, da, size, NULL, NULL, true);
}

static int signal_of(enum rproc_crash_type type)
{
	switch (type) {
	case RPROC_CRASH_MMUFAULT:
		return 11; /* SIGSEGV */
	case RPROC_CRASH_EXCEPTION:
		return 4; /* SIGILL */
	default:
		return 6; /* SIGABRT */
	}
}

struct dump_build {
	struct rproc_dump_desc desc;
	struct rproc_dump_segment *segs;
	struct rproc_dump_thread threads[RPROC_DUMP_MAX_THREADS];
};

/* Is @s wholly inside another segment of the list (a firmware segment
 * inside a whole memory the driver registered)?  Identical ranges keep the
 * first.  gdb wants no overlapping PT_LOADs. */
static bool seg_covered(const struct rproc *rproc,
			const struct rproc_dump_seg *s)
{
	uint64_t end = s->seg.da + s->seg.size;
	bool earlier = true;

	for (const struct rproc_dump_seg *t = rproc->dump_segs; t;
	     t = t->next) {
		if (t == s) {
			earlier = false;
			continue;
		}
		if (t->seg.da <= s->seg.da && end <= t->seg.da + t->seg.size &&
		    (earlier || t->seg.size > s->seg.size))
			return true;
	}
	return false;
}

static int dump_build(struct rproc *rproc, struct dump_build *b)
{
	size_t n = 0, nthreads = 0;
	struct rproc_dump_seg *s;
	int ret;

	memset(b, 0, sizeof(*b));
	b->desc.elf_class =
		rproc->core_class ? rproc->core_class : rproc->cfg.elf_class;
	b->desc.machine = rproc->core_class ? rproc->core_machine
					    : rproc->cfg.elf_machine;
	b->desc.flags =
		rproc->core_class ? rproc->core_flags : rproc->cfg.elf_flags;
	if (!b->desc.elf_class) {
		rproc_warn(rproc, "coredump skipped: machine unknown");
		return -ENOEXEC;
	}
	for (s = rproc->dump_segs; s; s = s->next)
		n++;
	b->segs = rproc_calloc(n ? n : 1, sizeof(*b->segs));
	if (!b->segs)
		return rproc_err(rproc, -ENOMEM, "coredump: out of memory");
	n = 0;
	for (s = rproc->dump_segs; s; s = s->next) {
		struct rproc_dump_segment seg = s->seg;

		if (seg_covered(rproc, s))
			continue;
		if (!seg.read) {
			seg.va = rproc_da_to_va(rproc, seg.da, seg.size);
			if (!seg.va) {
				rproc_warn(rproc,
					   "coredump: segment da 0x%" PRIx64
					   " not addressable, left out",
					   seg.da);
				continue;
			}
		}
		b->segs[n++] = seg;
	}
	ret = rproc_op_get_regs(rproc, b->threads, RPROC_DUMP_MAX_THREADS,
				&nthreads);
	if (ret) {
		rproc_warn(rproc, "coredump: no registers: %s",
			   rproc_strerror(ret));
		nthreads = 0;
	}
	for (size_t i = 0; i < nthreads; i++)
		if (!b->threads[i].signo)
			b->threads[i].signo = signal_of(rproc->last_crash);
	b->desc.remote = rproc->name;
	b->desc.firmware = rproc->firmware;
	b->desc.crash = rproc_crash_name(rproc->last_crash);
	b->desc.crash_count = rproc->crash_count;
	b->desc.threads = b->threads;
	b->desc.nthreads = nthreads;
	b->desc.segs = b->segs;
	b->desc.nsegs = n;
	return 0;
}

static int dump_open(struct rproc *rproc, struct rproc_dump_sink *sink)
{
	int ret;

	if (!rproc->dump_open) {
		rproc_warn(rproc, "coredump skipped: no sink configured");
		return -ENOENT;
	}
	ret = rproc->dump_open(rproc->dump_ctx, rproc, rproc->crash_count,
			       sink);
	if (ret)
		rproc_warn(rproc, "coredump skipped: sink: %s",
			   rproc_strerror(ret));
	return ret;
}

static int dump_inline(struct rproc *rproc)
{
	struct rproc_diag d = {{0}};
	struct rproc_dump_sink sink;
	struct dump_build b;
	int ret;

	ret = dump_build(rproc, &b);
	if (ret)
		goto out;
	ret = dump_open(rproc, &sink);
	if (ret)
		goto out;
	ret = rproc_coredump_write(&b.desc, &sink, &d);
	if (ret)
		rproc_err_diag(rproc, ret, "coredump", &d);
	else
		rproc_info(rproc, "coredump written (crash %u)",
			   (unsigned)rproc->crash_count);
out:
	rproc_free(b.segs);
	return ret;
}

void __rproc_coredump_take(struct rproc *rproc)
{
	struct rproc_diag d = {{0}};
	struct rproc_dump_sink sink;
	struct dump_build b;
	int ret;

	switch (rproc->dump_mode) {
	case RPROC_DUMP_DISABLED:
		return;
	case RPROC_DUMP_INLINE:
		dump_inline(rproc);
		return;
	case RPROC_DUMP_ENABLED:
		break;
	}
	/* Copy now; written once the remote runs again. */
	if (rproc->pending_dump_valid) {
		rproc_dump_mem_release(&rproc->pending_dump);
		rproc->pending_dump_valid = false;
	}
	if (dump_build(rproc, &b))
		goto out;
	rproc_dump_sink_mem(&sink, &rproc->pending_dump);
	ret = rproc_coredump_write(&b.desc, &sink, &d);
	if (ret)
		rproc_err_diag(rproc, ret, "coredump copy", &d);
	else
		rproc->pending_dump_valid = true;
out:
	rproc_free(b.segs);
}

void __rproc_coredump_flush_pending(struct rproc *rproc)
{
	struct rproc_dump_mem *m = &rproc->pending_dump;
	struct rproc_dump_sink sink;
	int ret;

	if (!rproc->pending_dump_valid)
		return;
	rproc->pending_dump_valid = false;
	if (dump_open(rproc, &sink) == 0) {
		ret = sink.begin ? sink.begin(sink.ctx, m->len) : 0;
		if (!ret)
			ret = sink.write(sink.ctx, m->buf, (size_t)m->len);
		if (sink.end) {
			int e = sink.end(sink.ctx, ret);

			if (!ret)
				ret = e;
		}
		if (ret)
			rproc_err(rproc, ret, "coredump: writing failed: %s",
				  rproc_strerror(ret));
		else
			rproc_info(rproc, "coredump written (crash %u)",
				   (unsigned)rproc->crash_count);
	}
	rproc_dump_mem_release(m);
}

int rproc_coredump_now(struct rproc *rproc)
{
	int ret;

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_RUNNING:
	case RPROC_CRASHED:
	case RPROC_ATTACHED:
		ret = dump_inline(rproc);
		break;
	default:
		ret = rproc_err(rproc, -EINVAL, "coredump: remote is %s",
				rproc_state_name(rproc->state));
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}
