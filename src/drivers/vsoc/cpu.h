/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One emulated remote core of the virtual SoC: a unicorn engine owned by its
 * own emulation thread, the core's mailbox (include/rproc/vsoc_regs.h), its
 * timer and its watchdog.  Knows nothing about the rproc core; the vsoc
 * driver (driver.c) glues it to struct rproc_ops.
 *
 * Threading (see ../shared/notes/unicorn-vsoc.md): every uc_* call happens on
 * the emulation thread.  Other threads only queue commands / mailbox words,
 * set the atomic attention flag and signal condition variables; the engine
 * acts on them in a UC_HOOK_BLOCK callback at the start of the next basic
 * block (precise: nothing of that block has run) or when it is idle after a
 * `wfi`.  uc_emu_stop is never called from another thread and the timeout
 * argument of uc_emu_start is never used.
 *
 * Every function except vsoc_cpu_send() and vsoc_cpu_stats() must be called
 * from one controlling thread at a time (the driver holds the remote's lock);
 * none may be called from the callbacks.
 */
#ifndef RPROC_VSOC_CPU_H
#define RPROC_VSOC_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"

enum vsoc_arch {
	VSOC_ARCH_CORTEX_M4 = 0,
	VSOC_ARCH_RV32 = 1,
};

/* Why a core halted on its own. */
enum vsoc_fault {
	VSOC_FAULT_NONE = 0,
	VSOC_FAULT_READ,     /* load from unmapped / protected memory */
	VSOC_FAULT_WRITE,    /* store to unmapped / protected memory */
	VSOC_FAULT_FETCH,    /* jump to unmapped / non-executable memory */
	VSOC_FAULT_UNDEF,    /* undefined instruction */
	VSOC_FAULT_INVSTATE, /* Cortex-M: branch without the Thumb bit (NULL
			       * call), other usage faults */
	VSOC_FAULT_PANIC,    /* firmware wrote VSOC_MBOX_PANIC */
	VSOC_FAULT_WATCHDOG, /* heartbeat missed */
	VSOC_FAULT_INTERNAL, /* the emulator failed (message in the info) */
	VSOC_FAULT_COUNT
};
const char *vsoc_fault_name(enum vsoc_fault f);

/* A piece of the core's address space backed by host memory.  @da and
 * @size are multiples of 4 KiB, @host is 4 KiB aligned and stays valid
 * while the cpu exists.  The engine maps it with uc_mem_map_ptr (shared
 * both ways, no copies). */
struct vsoc_cpu_map {
	uint64_t da;
	uint64_t size;
	void *host;
	bool exec; /* false: no execute permission (a jump there faults) */
};

/* What the core's registers were at the last halt, in the layout of the
 * pr_reg field of Linux's 32-bit elf_prstatus for the architecture:
 *   Cortex-M4: r0..r12, sp, lr, pc, xpsr (with the EPSR bits), 0
 *              (18 words, 72 bytes)
 *   RV32:      pc, x1..x31 (32 words, 128 bytes)
 * plus the fault details. */
struct vsoc_cpu_halt {
	uint32_t regs[32];
	size_t regs_size; /* 72 or 128; 0 if the core never ran */
	enum vsoc_fault fault;
	uint64_t fault_addr; /* the bad data address (READ/WRITE), the pc
			       * (FETCH/UNDEF/INVSTATE), else 0 */
	uint32_t panic_code; /* PANIC */
	char info[128];	     /* one line: "data abort at 0x0 (pc 0x1a2)",
			       * "panic 3: <message>", ... */
};

struct vsoc_cpu_config {
	const char *name; /* for messages; copied */
	enum vsoc_arch arch;
	const struct vsoc_cpu_map *maps; /* copied */
	size_t nmaps;
	uint64_t mbox_base;    /* da of the mailbox (VSOC_MBOX_SIZE bytes) */
	uint32_t rsc_table_da; /* initial VSOC_MBOX_RSC_TABLE value */
	uint32_t watchdog_ms;  /* 0: no watchdog */
	/* Called on the emulation thread for each VSOC_MBOX_TX word, before
	 * the store completes.  Must not block for long and must not call
	 * vsoc_cpu_* except vsoc_cpu_send(). */
	void (*host_rx)(void *ctx, uint32_t word);
	/* Called on the emulation thread once the core has halted on a fault
	 * (registers captured, vsoc_cpu_halt() valid).  Same rules as
	 * host_rx; it typically calls rproc_report_crash(). */
	void (*on_fault)(void *ctx, enum vsoc_fault fault);
	void *ctx;
};

struct vsoc_cpu;

/* Create the core, powered off: starts the emulation thread, opens the
 * engine there and maps memory and the mailbox.  -EINVAL (bad config,
 * message in @d), -ENOMEM, -EIO (unicorn failed, its message in @d). */
int vsoc_cpu_create(const struct vsoc_cpu_config *cfg, struct vsoc_cpu **out,
		    struct rproc_diag *d);
/* Halt (if running) and free everything.  NULL is a no-op. */
void vsoc_cpu_destroy(struct vsoc_cpu *cpu);

/*
 * Reset and run: flush all translated code (the memory was just reloaded),
 * reset every register, clear the mailbox queues, timer, interrupt state
 * and watchdog, then start.
 *   Cortex-M4: SP = word 0 and PC = word 1 of the vector table at @entry's
 *   containing vector table address @vtor (the hardware's reset), i.e. the
 *   reset handler; @entry is ignored except that it is checked against word
 *   1 (a mismatch is only logged at debug level).
 *   RV32: PC = @entry, M-mode, every other register 0.
 * Returns once the emulation thread runs the firmware.  -EBUSY if running.
 * Also -EINVAL if the vector table is not in the core's memory and -ENOEXEC
 * if its reset vector lacks the Thumb bit (RV32: an odd @entry); the core
 * stays halted.  Cortex-M4: the firmware may move the vector table with
 * SCB->VTOR (0xE000ED08); interrupts use the moved one.
 */
int vsoc_cpu_start(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry);

/* Halt a running core precisely at a block boundary (or where it idles) and
 * capture its registers.  Blocks until halted.  A core that already halted
 * on a fault keeps that fault's registers.  Idempotent. */
int vsoc_cpu_stop(struct vsoc_cpu *cpu);

/* Whether the core runs (started and not halted).  Attach uses it to adopt
 * a core the board's boot ROM started: nothing changes for the firmware. */
bool vsoc_cpu_running(struct vsoc_cpu *cpu);

/* Registers and fault of the last halt.  -ENODATA if never halted. */
int vsoc_cpu_halt_info(struct vsoc_cpu *cpu, struct vsoc_cpu_halt *out);

/* Queue a word for the firmware's VSOC_MBOX_RX and raise the RX interrupt;
 * wakes an idle core.  Any thread, never blocks.  -EAGAIN if the queue is
 * full, -ENODEV if the core is not running. */
int vsoc_cpu_send(struct vsoc_cpu *cpu, uint32_t word);
/* The same, but a @word already waiting in the queue is not queued again
 * (0): a doorbell says "look at the rings", and the firmware will. */
int vsoc_cpu_send_once(struct vsoc_cpu *cpu, uint32_t word);

/* The last value the firmware wrote to VSOC_MBOX_RSC_TABLE (or the
 * initial one). */
uint32_t vsoc_cpu_rsc_table(struct vsoc_cpu *cpu);
/* Block until the firmware writes VSOC_MBOX_RSC_TABLE with a value other
 * than @from, at most @timeout_ms.  0, or -ETIMEDOUT. */
int vsoc_cpu_wait_rsc_table(struct vsoc_cpu *cpu, uint32_t from,
			    unsigned timeout_ms);

struct vsoc_cpu_stats {
	uint64_t blocks;  /* basic blocks entered since the last start */
	uint64_t wakeups; /* idle periods ended */
	uint64_t irqs;	  /* interrupts delivered (RV32: times mip.SEIP
			       * was raised; the core takes the trap) */
	uint64_t host_rx; /* TX words delivered to the host */
};
/* Any thread; approximate while running. */
void vsoc_cpu_stats(struct vsoc_cpu *cpu, struct vsoc_cpu_stats *out);

#endif /* RPROC_VSOC_CPU_H */
