/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of the emulated core (cpu.c), shared with the architecture
 * parts (cpu_arm.c, cpu_rv32.c).  See docs/vsoc-cpu.md for the design.
 *
 * Ownership of the fields:
 *   - "const": set by vsoc_cpu_create() before the threads start.
 *   - "lock": under cpu->lock (any thread).
 *   - "emu": the emulation thread only (hooks and callbacks run there).
 *   - atomics: any thread.
 */
#ifndef RPROC_VSOC_CPU_PRIV_H
#define RPROC_VSOC_CPU_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include "cpu.h"
#include "rproc/vsoc_regs.h"

/* Where uc_emu_start() is told to stop: odd, so never a Thumb or RV32 pc. */
#define VSOC_UNTIL 0xFFFFFFFFull

/* The fake Cortex-M system-control space. */
#define VSOC_SCS_BASE 0xE000E000ull
#define VSOC_SCS_SIZE 0x1000u
#define VSOC_SCS_VTOR 0xD08u

/* Bytes of a panic message kept (before escaping). */
#define VSOC_PANIC_MSG_MAX 100u

enum vsoc_state {
	VSOC_ST_OFF = 0, /* never started */
	VSOC_ST_RUNNING, /* executing (or about to) */
	VSOC_ST_IDLE,	 /* in wfi, the thread sleeps */
	VSOC_ST_HALTED,	 /* stopped or faulted */
};

enum vsoc_cmd {
	VSOC_CMD_NONE = 0,
	VSOC_CMD_START,
	VSOC_CMD_STOP,
	VSOC_CMD_DESTROY,
};

/* A fault found on the emulation thread, before it is published. */
struct vsoc_fault_rec {
	enum vsoc_fault fault;
	uint64_t pc;
	uint64_t addr;
	char info[128];
};

struct vsoc_cpu;

/* What differs between the architectures.  Every function runs on the
 * emulation thread. */
struct vsoc_arch_ops {
	const char *name;
	uc_arch uc_arch;
	uc_mode uc_mode;
	size_t regs_size; /* bytes of struct vsoc_cpu_halt.regs used */
	/* Extra mappings and hooks after the common ones (0 or -EIO). */
	int (*setup)(struct vsoc_cpu *cpu);
	/* Registers were reset: set SP (Cortex-M) and the start pc in @pc.
	 * 0 or a negative errno (bad vector table or entry). */
	int (*reset)(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry,
		     uint64_t *pc);
	/* The value for uc_emu_start's begin (Thumb bit). */
	uint64_t (*begin)(uint64_t pc);
	/* The general registers (unicorn ids), for the data-fault pc
	 * search; at most 64. */
	const int *gprs;
	unsigned ngprs;
	/* Length in bytes of the instruction starting with @p (2 or 4). */
	unsigned (*insn_len)(const uint8_t *p);
	/* uc_emu_start returned without a stop or a fault: whether the core
	 * executed a wfi (the pc is after it); reads the pc. */
	bool (*wfi)(struct vsoc_cpu *cpu, uint64_t *pc);
	/* Read the registers into @regs (pr_reg layout), pc forced to @pc. */
	void (*capture)(struct vsoc_cpu *cpu, uint64_t pc, uint32_t *regs);
	/* The interrupt line is @line: make the core see it before it runs
	 * from cpu->pc (may change cpu->pc).  Returns true and fills @f if
	 * delivering faulted. */
	bool (*irq_sync)(struct vsoc_cpu *cpu, bool line,
			 struct vsoc_fault_rec *f);
	/* Whether a pending interrupt wakes the core from wfi (the line is
	 * asserted).  Called when the core goes idle: the answer holds while
	 * it sleeps. */
	bool (*irq_wakes)(struct vsoc_cpu *cpu);
	/* The block hook polls this while cpu->poll_irq: true when the
	 * pending interrupt became deliverable (unmasked). */
	bool (*irq_unmasked)(struct vsoc_cpu *cpu);
	/* Called from the mailbox callbacks when the line dropped. */
	void (*irq_line_dropped)(struct vsoc_cpu *cpu);
	/* UC_HOOK_INTR. */
	void (*intr)(struct vsoc_cpu *cpu, uint32_t intno);
	/* uc_emu_start returned @err: classify (data faults excepted: the
	 * caller resolves their pc). */
	void (*decode_err)(struct vsoc_cpu *cpu, uc_err err,
			   struct vsoc_fault_rec *f);
};

extern const struct vsoc_arch_ops vsoc_arch_arm;
extern const struct vsoc_arch_ops vsoc_arch_rv32;

struct vsoc_undo {
	uint8_t *host;
	unsigned size;
	uint8_t old[8];
};

#define VSOC_UNDO_MAX 64

struct vsoc_cpu {
	/* const */
	char *name;
	enum vsoc_arch arch;
	const struct vsoc_arch_ops *ops;
	struct vsoc_cpu_map *maps;
	size_t nmaps;
	uint64_t mbox_base;
	uint32_t rsc_table_init;
	uint32_t watchdog_ms;
	void (*host_rx)(void *ctx, uint32_t word);
	void (*on_fault)(void *ctx, enum vsoc_fault fault);
	void *ctx;

	pthread_t emu_thread;
	pthread_t clock_thread;
	bool emu_started, clock_started;

	pthread_mutex_t lock;
	pthread_cond_t emu_cond;   /* the emulation thread sleeps here */
	pthread_cond_t ctl_cond;   /* controlling threads wait for acks */
	pthread_cond_t clock_cond; /* the clock thread sleeps here */

	/* Set by anyone who needs the running engine to look at the shared
	 * state; the block hook stops the engine when it sees it. */
	atomic_bool attention;
	/* Level of the interrupt line (copy of irq_line(), for the hooks). */
	atomic_bool line;
	_Atomic int state; /* enum vsoc_state; written under lock */
	atomic_uint rsc_table;

	/* lock: the command slot */
	enum vsoc_cmd cmd;
	uint64_t cmd_seq, cmd_ack;
	int cmd_result;
	uint32_t cmd_vtor;
	uint64_t cmd_entry;
	int create_result;
	char create_msg[RPROC_DIAG_LEN];
	bool created;
	bool clock_exit;

	/* lock: the mailbox, timer and watchdog */
	uint32_t inbox[VSOC_MBOX_DEPTH];
	unsigned in_head, in_count;
	uint32_t irq_en;
	bool timer_fired;
	bool timer_armed;
	uint64_t timer_deadline; /* CLOCK_MONOTONIC ns */
	bool wd_armed;
	bool wd_pending;
	uint64_t wd_deadline;
	uint64_t start_ns;

	/* lock: the last halt */
	struct vsoc_cpu_halt halt;
	bool have_halt;

	/* emu */
	uc_engine *uc;
	uc_context *ctx0; /* registers right after open + map */
	uc_hook h_block, h_intr, h_inval, h_undo, h_step;
	uint64_t pc;	   /* where the core (re)starts */
	bool hook_stopped; /* the block hook stopped the engine */
	uint64_t stop_pc;
	uint64_t tb_start; /* the block being executed (block hook) */
	uint32_t tb_size;
	bool poll_irq; /* poll ops->irq_unmasked() in the block hook */
	bool panic_pending;
	uint32_t panic_code;
	uint32_t panic_msg_da;
	char panic_msg[4 * VSOC_PANIC_MSG_MAX + 1];
	bool bad_valid; /* first invalid access of this run */
	uc_mem_type bad_type;
	uint64_t bad_addr;
	bool hook_fault_set; /* a hook found a fatal fault */
	struct vsoc_fault_rec hook_fault;
	uint32_t hook_regs[32];
	bool probing; /* finding the pc of a data fault */
	unsigned probe_steps, probe_count;
	struct vsoc_undo undo[VSOC_UNDO_MAX];
	unsigned undo_n;
	bool undo_overflow;
	/* arch state */
	uint32_t vtor;	   /* Cortex-M: vector table (SCB->VTOR) */
	bool in_handler;   /* Cortex-M: we entered the IRQ handler */
	bool seip;	   /* RV32: what mip.SEIP was last set to */
	bool wake_enabled; /* RV32: mie.SEIE when the core went idle */

	/* stats */
	atomic_uint_fast64_t st_blocks, st_wakeups, st_irqs, st_host_rx;
};

/* Host pointer for [da, da + len) inside one mapping, or NULL. */
void *vsoc_cpu_host_ptr(struct vsoc_cpu *cpu, uint64_t da, uint64_t len);
/* A fatal fault found inside a hook: record it with the registers and
 * stop the engine. */
void vsoc_cpu_hook_fault(struct vsoc_cpu *cpu, enum vsoc_fault fault,
			 uint64_t pc, uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Ask the block hook to stop at the next block (emulation thread). */
void vsoc_cpu_request_attention(struct vsoc_cpu *cpu);
/* The fault for an emulator error neither architecture decodes itself
 * (UC_ERR_EXCEPTION and anything unexpected). */
void vsoc_fault_other(struct vsoc_fault_rec *f, uc_err err, uint32_t pc);
/* A 32-bit register (no error: unicorn only fails on a bad reg id). */
uint32_t vsoc_rd(struct vsoc_cpu *cpu, int reg);
void vsoc_wr(struct vsoc_cpu *cpu, int reg, uint32_t v);
void vsoc_cpu_count_irq(struct vsoc_cpu *cpu);

#endif /* RPROC_VSOC_CPU_PRIV_H */
