/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ELF core files of a remote (DESIGN §8), written through a sink.
 *
 * The layout gdb-multiarch reads: ET_CORE of the remote's class and machine,
 * e_flags copied from the firmware, no section headers; program headers are
 * one PT_NOTE first, then one PT_LOAD per segment (p_vaddr = p_paddr = the
 * device address, p_filesz = p_memsz = size).  Notes, each "CORE" unless
 * said otherwise:
 *   - NT_PRSTATUS per thread: Linux elf_prstatus of the class (32-bit:
 *     pr_reg at 72, descsz 72 + regs + 4; 64-bit: pr_reg at 112, descsz
 *     112 + regs + 8), si_signo and pr_cursig = signal, pr_pid = thread id;
 *   - NT_PRPSINFO with the firmware's basename in pr_fname and pr_psargs;
 *   - "RPROC" note type 0x52505243: text lines "remote=", "firmware=", "crash=",
 *     "count=", NUL-terminated.
 */
#ifndef RPROC_COREDUMP_H
#define RPROC_COREDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"

/*
 * Where a dump goes.  The writer calls begin once with the exact total size,
 * then write with consecutive pieces, then end once (also after a failure,
 * with the negative code, so the sink can discard what it has).  Each returns
 * 0 or a negative code; a failing begin/write stops the dump.
 */
struct rproc_dump_sink {
	int (*begin)(void *ctx, uint64_t total_size);
	int (*write)(void *ctx, const void *buf, size_t len);
	int (*end)(void *ctx, int status);
	void *ctx;
};

/* A memory region to dump.  Either @va is the host view of the bytes, or
 * @read copies @len bytes at @offset into @dst (for memory the host cannot
 * address directly). */
struct rproc_dump_segment {
	uint64_t da;
	uint64_t size;
	const void *va;
	int (*read)(void *priv, uint64_t offset, void *dst, size_t len);
	void *priv;
};

/* One thread of execution (a core, or a synthetic caller frame). */
struct rproc_dump_thread {
	uint32_t tid;	  /* pr_pid */
	int signo;	  /* SIGSEGV 11, SIGILL 4, SIGABRT 6, ... */
	const void *regs; /* pr_reg bytes in the machine's layout */
	size_t regs_size; /* ARM 72, RV32 128, x86_64 216 */
};

#define RPROC_DUMP_MAX_THREADS 4

/* Everything one core file contains. */
struct rproc_dump_desc {
	uint8_t elf_class;  /* 1 = ELFCLASS32, 2 = ELFCLASS64 */
	uint16_t machine;   /* e_machine: 40 ARM, 243 RISC-V, 62 x86-64, ... */
	uint32_t flags;	    /* e_flags from the firmware */
	const char *remote; /* remote's name */
	const char *firmware; /* firmware name (path allowed; basename used) */
	const char *crash;    /* crash type name */
	uint32_t crash_count;
	const struct rproc_dump_thread *threads;
	size_t nthreads;
	const struct rproc_dump_segment *segs;
	size_t nsegs;
};

/* The exact size the writer will produce, or 0 if @desc is invalid. */
uint64_t rproc_coredump_size(const struct rproc_dump_desc *desc);

/*
 * Stream the core file to @sink (begin, write..., end).  If @sink has a
 * write op, end() is called exactly once whatever the outcome (also when
 * @desc is invalid or memory runs out before begin(), which then was not
 * called) with 0 or the final negative code, so a sink can always free its
 * context there.  Peak extra memory is
 * a small constant: segment bytes go straight from their source to the sink
 * (in pieces of at most 64 KiB through @read).  -EINVAL for a bad @desc
 * (message in @d), or the sink's or a reader's code.
 */
int rproc_coredump_write(const struct rproc_dump_desc *desc,
			 const struct rproc_dump_sink *sink,
			 struct rproc_diag *d);

/*
 * A sink into memory owned by the sink: grows to the announced total at
 * begin.  After a successful end, @buf/@len hold the dump; free with
 * rproc_dump_mem_release().  On failure the buffer is freed.
 */
struct rproc_dump_mem {
	uint8_t *buf;
	uint64_t len;
	uint64_t cap;
};
void rproc_dump_sink_mem(struct rproc_dump_sink *sink,
			 struct rproc_dump_mem *m);
void rproc_dump_mem_release(struct rproc_dump_mem *m);

/*
 * A sink into a file (POSIX OS layer): writes "<path>.tmp.XXXXXX" created
 * 0600 in the same directory, fsyncs and renames it to @path on a successful
 * end; unlinks it on failure.  Never a partial file under @path.
 * The sink owns its context; end() frees it.
 */
int rproc_dump_sink_file(struct rproc_dump_sink *sink, const char *path);

#endif /* RPROC_COREDUMP_H */
