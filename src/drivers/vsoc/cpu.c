// SPDX-License-Identifier: BSD-3-Clause
/*
 * One emulated remote core: the emulation thread that owns the unicorn
 * engine, the clock thread (timer and watchdog), the mailbox and the fault
 * capture.  The architecture parts are in cpu_arm.c and cpu_rv32.c; the
 * design and the unicorn 2.0.1 facts it relies on are in docs/vsoc-cpu.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu_priv.h"
#include "rproc/os.h"

/* ---- small helpers ------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t vsoc_rd(struct vsoc_cpu *cpu, int reg)
{
	uint32_t v = 0;

	uc_reg_read(cpu->uc, reg, &v);
	return v;
}

void vsoc_wr(struct vsoc_cpu *cpu, int reg, uint32_t v)
{
	uc_reg_write(cpu->uc, reg, &v);
}

void vsoc_fault_other(struct vsoc_fault_rec *f, uc_err err, uint32_t pc)
{
	if (err == UC_ERR_EXCEPTION) {
		f->fault = VSOC_FAULT_UNDEF;
		snprintf(f->info, sizeof(f->info),
			 "unhandled exception at 0x%x", pc);
	} else {
		f->fault = VSOC_FAULT_INTERNAL;
		snprintf(f->info, sizeof(f->info), "unicorn: %s (pc 0x%x)",
			 uc_strerror(err), pc);
	}
}

static void stat_inc(atomic_uint_fast64_t *c)
{
	/* single writer (the emulation thread): no locked read-modify-write */
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

const char *vsoc_fault_name(enum vsoc_fault f)
{
	static const char *const names[VSOC_FAULT_COUNT] = {
		[VSOC_FAULT_NONE] = "none",
		[VSOC_FAULT_READ] = "read",
		[VSOC_FAULT_WRITE] = "write",
		[VSOC_FAULT_FETCH] = "fetch",
		[VSOC_FAULT_UNDEF] = "undef",
		[VSOC_FAULT_INVSTATE] = "invstate",
		[VSOC_FAULT_PANIC] = "panic",
		[VSOC_FAULT_WATCHDOG] = "watchdog",
		[VSOC_FAULT_INTERNAL] = "internal",
	};

	if ((unsigned)f >= VSOC_FAULT_COUNT)
		return "?";
	return names[f];
}

void *vsoc_cpu_host_ptr(struct vsoc_cpu *cpu, uint64_t da, uint64_t len)
{
	for (size_t i = 0; i < cpu->nmaps; i++) {
		const struct vsoc_cpu_map *m = &cpu->maps[i];

		if (da >= m->da && da - m->da <= m->size &&
		    len <= m->size - (da - m->da))
			return (uint8_t *)m->host + (da - m->da);
	}
	return NULL;
}

void vsoc_cpu_request_attention(struct vsoc_cpu *cpu)
{
	atomic_store_explicit(&cpu->attention, true, memory_order_release);
}

void vsoc_cpu_count_irq(struct vsoc_cpu *cpu)
{
	stat_inc(&cpu->st_irqs);
}

static void fault_set(struct vsoc_fault_rec *f, enum vsoc_fault fault,
		      uint64_t pc, uint64_t addr, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static void fault_set(struct vsoc_fault_rec *f, enum vsoc_fault fault,
		      uint64_t pc, uint64_t addr, const char *fmt, va_list ap)
{
	f->fault = fault;
	f->pc = pc;
	f->addr = addr;
	vsnprintf(f->info, sizeof(f->info), fmt, ap);
}

static void fault_setf(struct vsoc_fault_rec *f, enum vsoc_fault fault,
		       uint64_t pc, uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void fault_setf(struct vsoc_fault_rec *f, enum vsoc_fault fault,
		       uint64_t pc, uint64_t addr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_set(f, fault, pc, addr, fmt, ap);
	va_end(ap);
}

void vsoc_cpu_hook_fault(struct vsoc_cpu *cpu, enum vsoc_fault fault,
			 uint64_t pc, uint64_t addr, const char *fmt, ...)
{
	va_list ap;

	if (cpu->hook_fault_set)
		return;
	va_start(ap, fmt);
	fault_set(&cpu->hook_fault, fault, pc, addr, fmt, ap);
	va_end(ap);
	cpu->ops->capture(cpu, pc, cpu->hook_regs);
	cpu->hook_fault_set = true;
	uc_emu_stop(cpu->uc);
}

/* ---- the interrupt line (lock) ------------------------------------------- */

static uint32_t irq_status_locked(struct vsoc_cpu *cpu)
{
	return (cpu->in_count ? VSOC_MBOX_IRQ_RX : 0) |
	       (cpu->timer_fired ? VSOC_MBOX_IRQ_TIMER : 0);
}

static bool irq_line_locked(struct vsoc_cpu *cpu)
{
	return (irq_status_locked(cpu) & cpu->irq_en) != 0;
}

/* Recompute the line after a change.  A rising line needs the engine's
 * attention (deliver, or wake from wfi); returns true if the line dropped
 * (the caller, on the emulation thread, tells the architecture). */
static bool line_update_locked(struct vsoc_cpu *cpu)
{
	bool now = irq_line_locked(cpu);
	bool was = atomic_exchange(&cpu->line, now);

	if (now && !was) {
		vsoc_cpu_request_attention(cpu);
		pthread_cond_broadcast(&cpu->emu_cond);
	}
	return was && !now;
}

/* ---- the mailbox (emulation thread, inside uc_emu_start) ----------------- */

static void panic_read_msg(struct vsoc_cpu *cpu)
{
	char *out = cpu->panic_msg;
	char *end = cpu->panic_msg + sizeof(cpu->panic_msg) - 1;
	uint32_t da = cpu->panic_msg_da;

	*out = '\0';
	if (!da)
		return;
	for (unsigned i = 0; i < VSOC_PANIC_MSG_MAX; i++) {
		const uint8_t *p = vsoc_cpu_host_ptr(cpu, (uint64_t)da + i, 1);
		int n;

		if (!p) {
			if (i == 0)
				snprintf(cpu->panic_msg, sizeof(cpu->panic_msg),
					 "<message at unmapped 0x%x>", da);
			return;
		}
		if (*p == '\0')
			break;
		if (*p == '\\')
			n = snprintf(out, (size_t)(end - out + 1), "\\\\");
		else if (*p == '\n')
			n = snprintf(out, (size_t)(end - out + 1), "\\n");
		else if (*p < 0x20 || *p > 0x7e)
			n = snprintf(out, (size_t)(end - out + 1), "\\x%02x",
				     *p);
		else
			n = snprintf(out, (size_t)(end - out + 1), "%c", *p);
		if (n < 0 || out + n > end)
			break;
		out += n;
	}
}

static uint64_t mbox_read(uc_engine *uc, uint64_t off, unsigned size,
			  void *user)
{
	struct vsoc_cpu *cpu = user;
	uint32_t v = 0;
	bool dropped = false;

	(void)uc;
	if (cpu->probing || size != 4)
		return 0;
	switch (off) {
	case VSOC_MBOX_RX:
		pthread_mutex_lock(&cpu->lock);
		if (cpu->in_count) {
			v = cpu->inbox[cpu->in_head];
			cpu->in_head = (cpu->in_head + 1) % VSOC_MBOX_DEPTH;
			cpu->in_count--;
			dropped = line_update_locked(cpu);
		} else {
			v = VSOC_MBOX_EMPTY;
		}
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_STATUS:
		pthread_mutex_lock(&cpu->lock);
		v = cpu->in_count ? VSOC_MBOX_ST_RX_PENDING : 0;
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_IRQ_EN:
		pthread_mutex_lock(&cpu->lock);
		v = cpu->irq_en;
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_IRQ_STATUS:
		pthread_mutex_lock(&cpu->lock);
		v = irq_status_locked(cpu);
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_TIME_US:
		/* start_ns is written by this thread only */
		v = (uint32_t)((mono_ns() - cpu->start_ns) / 1000u);
		break;
	case VSOC_MBOX_ID:
		v = VSOC_MBOX_MAGIC;
		break;
	case VSOC_MBOX_RSC_TABLE:
		v = atomic_load(&cpu->rsc_table);
		break;
	default:
		break;
	}
	if (dropped)
		cpu->ops->irq_line_dropped(cpu);
	return v;
}

static void timer_write_locked(struct vsoc_cpu *cpu, uint32_t v)
{
	uint64_t now_us, now = mono_ns();
	int32_t delta;

	if (v == VSOC_MBOX_TIMER_OFF) {
		cpu->timer_armed = false;
		return;
	}
	now_us = (now - cpu->start_ns) / 1000u;
	delta = (int32_t)(v - (uint32_t)now_us);
	if (delta <= 0) {
		cpu->timer_armed = false;
		cpu->timer_fired = true;
		return;
	}
	cpu->timer_armed = true;
	cpu->timer_deadline =
		cpu->start_ns + (now_us + (uint64_t)delta) * 1000u;
	pthread_cond_signal(&cpu->clock_cond);
}

static void mbox_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t value, void *user)
{
	struct vsoc_cpu *cpu = user;
	uint32_t v = (uint32_t)value;
	bool dropped = false;

	(void)uc;
	if (cpu->probing || size != 4)
		return;
	switch (off) {
	case VSOC_MBOX_TX:
		/* the doorbell publishes every earlier guest store */
		atomic_thread_fence(memory_order_seq_cst);
		stat_inc(&cpu->st_host_rx);
		if (cpu->host_rx)
			cpu->host_rx(cpu->ctx, v);
		break;
	case VSOC_MBOX_IRQ_EN:
		pthread_mutex_lock(&cpu->lock);
		cpu->irq_en = v & (VSOC_MBOX_IRQ_RX | VSOC_MBOX_IRQ_TIMER);
		dropped = line_update_locked(cpu);
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_IRQ_STATUS:
		pthread_mutex_lock(&cpu->lock);
		if (v & VSOC_MBOX_IRQ_TIMER)
			cpu->timer_fired = false;
		dropped = line_update_locked(cpu);
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_HEARTBEAT:
		if (!cpu->watchdog_ms)
			break;
		pthread_mutex_lock(&cpu->lock);
		cpu->wd_deadline =
			mono_ns() + (uint64_t)cpu->watchdog_ms * 1000000u;
		if (!cpu->wd_armed) {
			/* later pets only move the deadline: the clock thread
			 * notices when it wakes for the old one */
			cpu->wd_armed = true;
			pthread_cond_signal(&cpu->clock_cond);
		}
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_PANIC_MSG:
		cpu->panic_msg_da = v;
		break;
	case VSOC_MBOX_PANIC:
		/* never stop here: the block hook halts at the next block */
		cpu->panic_code = v;
		panic_read_msg(cpu);
		cpu->panic_pending = true;
		vsoc_cpu_request_attention(cpu);
		break;
	case VSOC_MBOX_TIMER:
		pthread_mutex_lock(&cpu->lock);
		timer_write_locked(cpu, v);
		dropped = line_update_locked(cpu);
		pthread_mutex_unlock(&cpu->lock);
		break;
	case VSOC_MBOX_RSC_TABLE:
		pthread_mutex_lock(&cpu->lock);
		atomic_store(&cpu->rsc_table, v);
		pthread_cond_broadcast(&cpu->ctl_cond); /* table waiters */
		pthread_mutex_unlock(&cpu->lock);
		break;
	default:
		break;
	}
	if (dropped)
		cpu->ops->irq_line_dropped(cpu);
}

/* ---- hooks (emulation thread) -------------------------------------------- */

static void hook_block(uc_engine *uc, uint64_t address, uint32_t size,
		       void *user)
{
	struct vsoc_cpu *cpu = user;

	if (cpu->probing)
		return;
	stat_inc(&cpu->st_blocks);
	cpu->tb_start = address;
	cpu->tb_size = size;
	if (atomic_load_explicit(&cpu->attention, memory_order_relaxed) ||
	    (cpu->poll_irq && cpu->ops->irq_unmasked(cpu))) {
		/* nothing of this block has run yet: a precise stop */
		cpu->stop_pc = address;
		cpu->hook_stopped = true;
		uc_emu_stop(uc);
	}
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct vsoc_cpu *cpu = user;

	if (cpu->probing) {
		uc_emu_stop(uc);
		return;
	}
	cpu->ops->intr(cpu, intno);
}

/* UC_HOOK_MEM_INVALID: only invalid accesses come here (normal ones keep
 * their fast path).  Remember the address and let the fault happen. */
static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t address,
			 int size, int64_t value, void *user)
{
	struct vsoc_cpu *cpu = user;

	(void)uc;
	(void)size;
	(void)value;
	if (!cpu->bad_valid) {
		cpu->bad_valid = true;
		cpu->bad_type = type;
		cpu->bad_addr = address;
	}
	return false;
}

/* While probing: remember what a store overwrites, to undo it. */
static void hook_undo(uc_engine *uc, uc_mem_type type, uint64_t address,
		      int size, int64_t value, void *user)
{
	struct vsoc_cpu *cpu = user;
	struct vsoc_undo *u;
	uint8_t *host;

	(void)uc;
	(void)type;
	(void)value;
	if (!cpu->probing || size <= 0 || size > 8)
		return;
	host = vsoc_cpu_host_ptr(cpu, address, (uint64_t)size);
	if (!host)
		return;
	if (cpu->undo_n == VSOC_UNDO_MAX) {
		cpu->undo_overflow = true;
		uc_emu_stop(cpu->uc);
		return;
	}
	u = &cpu->undo[cpu->undo_n++];
	u->host = host;
	u->size = (unsigned)size;
	memcpy(u->old, host, (size_t)size);
}

/* While probing: let probe_count instructions run, stop before the next.
 * (Not uc_emu_start's count: in 2.0.1 its hook survives into later runs and
 * stops them after one instruction.) */
static void hook_step(uc_engine *uc, uint64_t address, uint32_t size,
		      void *user)
{
	struct vsoc_cpu *cpu = user;

	(void)address;
	(void)size;
	if (cpu->probe_steps++ == cpu->probe_count)
		uc_emu_stop(uc);
}

/* ---- the exact pc of a data fault ----------------------------------------- */

static void flush_code(struct vsoc_cpu *cpu)
{
	for (size_t i = 0; i < cpu->nmaps; i++)
		uc_ctl_remove_cache(
			cpu->uc, (uint64_t)cpu->maps[i].da,
			(uint64_t)(cpu->maps[i].da + cpu->maps[i].size));
}

static bool is_data_fault(uc_err err)
{
	switch (err) {
	case UC_ERR_READ_UNMAPPED:
	case UC_ERR_READ_PROT:
	case UC_ERR_READ_UNALIGNED:
	case UC_ERR_WRITE_UNMAPPED:
	case UC_ERR_WRITE_PROT:
	case UC_ERR_WRITE_UNALIGNED:
		return true;
	default:
		return false;
	}
}

static bool is_read_fault(uc_err err)
{
	return err == UC_ERR_READ_UNMAPPED || err == UC_ERR_READ_PROT ||
	       err == UC_ERR_READ_UNALIGNED;
}

/*
 * Unicorn 2.0.1 leaves the pc at the start of the translation block (or
 * older) when a load or store faults: only the other registers are exact.
 * The block hook told us which block ran (straight-line code).  Each of its
 * instructions is run alone from the registers at the fault ("probes": a
 * code hook stops the run; stores are undone; the mailbox has no side
 * effects): the faulting one faults the same way at the same address.
 * Usually one does.  When several do (compilers reuse registers:
 * `str r2,[r3]; ldr r3,=x; movs r2,#2; str r2,[r3]` faulting at the first
 * store), a later one is only kept if the registers at the fault are
 * consistent with everything before it having run:
 *   - the earlier match must have been able to run without faulting: an
 *     instruction in between writes one of its address registers;
 *   - for each address register of the later match, the instructions from
 *     its last writer that does not read it (a literal load, `lui`, a move)
 *     up to the later match, replayed from the registers at the fault, must
 *     leave the value it has at the fault.
 * Which registers an instruction depends on or writes is found by probing
 * it with that register moved by PERTURB.
 */
#define PROBE_MAX 512
#define PERTURB 0x40u

struct probe {
	struct vsoc_cpu *cpu;
	uc_context *snap; /* the registers at the fault */
	uc_err err;	  /* the fault to explain */
	uint64_t addr;
	uint64_t cand[PROBE_MAX];
	unsigned n;
};

static uint32_t reg_get(struct vsoc_cpu *cpu, int id)
{
	uint32_t v = 0;

	uc_reg_read(cpu->uc, id, &v);
	return v;
}

static uint32_t snap_reg(struct probe *pr, int id)
{
	uc_context_restore(pr->cpu->uc, pr->snap);
	return reg_get(pr->cpu, id);
}

/* Run @count instructions from cand[i] with the registers at the fault,
 * register @reg (-1: none) set to @val. */
static uc_err probe_run(struct probe *pr, unsigned i, unsigned count, int reg,
			uint32_t val)
{
	struct vsoc_cpu *cpu = pr->cpu;
	uc_err e;

	uc_context_restore(cpu->uc, pr->snap);
	if (reg >= 0)
		uc_reg_write(cpu->uc, reg, &val);
	cpu->bad_valid = false;
	cpu->undo_n = 0;
	cpu->undo_overflow = false;
	cpu->probe_steps = 0;
	cpu->probe_count = count;
	e = uc_emu_start(cpu->uc, cpu->ops->begin(pr->cand[i]), VSOC_UNTIL, 0,
			 0);
	while (cpu->undo_n) {
		struct vsoc_undo *u = &cpu->undo[--cpu->undo_n];

		memcpy(u->host, u->old, u->size);
	}
	if (e == UC_ERR_OK && (cpu->undo_overflow || cpu->probe_steps <= count))
		e = UC_ERR_EXCEPTION; /* did not run as asked */
	return e;
}

static bool probe_faults_same(struct probe *pr, uc_err e)
{
	return is_data_fault(e) && is_read_fault(e) == is_read_fault(pr->err) &&
	       pr->cpu->bad_valid && pr->cpu->bad_addr == pr->addr;
}

/* Bit g set if cand[i]'s faulting address depends on gprs[g]. */
static uint64_t probe_addr_regs(struct probe *pr, unsigned i)
{
	const struct vsoc_arch_ops *ops = pr->cpu->ops;
	uint64_t deps = 0;

	for (unsigned g = 0; g < ops->ngprs; g++) {
		uint32_t v = snap_reg(pr, ops->gprs[g]) + PERTURB;

		if (!probe_faults_same(pr,
				       probe_run(pr, i, 1, ops->gprs[g], v)))
			deps |= 1ull << g;
	}
	return deps;
}

/* Whether cand[i] writes gprs[g] (true when it cannot be told). */
static bool probe_writes(struct probe *pr, unsigned i, unsigned g)
{
	int id = pr->cpu->ops->gprs[g];
	uint32_t v = snap_reg(pr, id) + PERTURB;

	if (probe_run(pr, i, 1, id, v) != UC_ERR_OK)
		return true;
	return reg_get(pr->cpu, id) != v;
}

/* Whether what cand[i] writes to gprs[g] does not depend on gprs[g]. */
static bool probe_anchors(struct probe *pr, unsigned i, unsigned g)
{
	int id = pr->cpu->ops->gprs[g];
	uint32_t v = snap_reg(pr, id) + PERTURB;
	uint32_t o1, o2;

	if (probe_run(pr, i, 1, -1, 0) != UC_ERR_OK)
		return false;
	o1 = reg_get(pr->cpu, id);
	if (probe_run(pr, i, 1, id, v) != UC_ERR_OK)
		return false;
	o2 = reg_get(pr->cpu, id);
	return o1 == o2;
}

/* Could cand[h] be the faulting instruction, given that the earlier match
 * cand[p] (or none: p < 0) ran before it? */
static bool probe_plausible(struct probe *pr, unsigned h, int p)
{
	const struct vsoc_arch_ops *ops = pr->cpu->ops;
	unsigned lo = p < 0 ? 0 : (unsigned)p + 1;
	uint64_t deps;

	if (p >= 0) {
		bool explained = false;

		deps = probe_addr_regs(pr, (unsigned)p);
		for (unsigned j = lo; j < h && !explained; j++)
			for (unsigned g = 0; g < ops->ngprs && !explained; g++)
				if ((deps & (1ull << g)) &&
				    probe_writes(pr, j, g))
					explained = true;
		if (!explained)
			return false; /* cand[p] would have faulted first */
	}
	deps = probe_addr_regs(pr, h);
	for (unsigned g = 0; g < ops->ngprs; g++) {
		uint32_t at_fault;

		if (!(deps & (1ull << g)))
			continue;
		for (unsigned j = h; j-- > lo;) {
			if (!probe_writes(pr, j, g))
				continue;
			if (!probe_anchors(pr, j, g))
				continue; /* `addi a5,a5,4`: look further */
			at_fault = snap_reg(pr, ops->gprs[g]);
			if (probe_run(pr, j, h - j, -1, 0) == UC_ERR_OK &&
			    reg_get(pr->cpu, ops->gprs[g]) != at_fault)
				return false;
			break;
		}
	}
	return true;
}

static bool find_fault_pc(struct vsoc_cpu *cpu, uc_err err, uint64_t addr,
			  uint64_t *pc)
{
	static const unsigned max_matches = 8;
	struct probe *pr;
	unsigned match[8], nm = 0;
	uint64_t start = cpu->tb_start;
	uint32_t size = cpu->tb_size;
	const uint8_t *code;
	bool found = false;

	*pc = start;
	if (!size || size > 4096)
		size = 64; /* unknown: look at the first instructions */
	code = vsoc_cpu_host_ptr(cpu, start, size);
	if (!code || !cpu->bad_valid)
		return false;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return false;
	pr->cpu = cpu;
	pr->err = err;
	pr->addr = addr;
	for (uint32_t off = 0; off + 2 <= size && pr->n < PROBE_MAX;) {
		pr->cand[pr->n++] = start + off;
		off += cpu->ops->insn_len(code + off);
	}
	if (uc_context_alloc(cpu->uc, &pr->snap) != UC_ERR_OK)
		goto out;
	uc_context_save(cpu->uc, pr->snap);
	cpu->probing = true;
	if (uc_hook_add(cpu->uc, &cpu->h_undo, UC_HOOK_MEM_WRITE, hook_undo,
			cpu, 1, 0) != UC_ERR_OK)
		cpu->h_undo = 0;
	if (uc_hook_add(cpu->uc, &cpu->h_step, UC_HOOK_CODE, hook_step, cpu, 1,
			0) != UC_ERR_OK)
		cpu->h_step = 0;
	/* blocks translated without the step hook must go */
	flush_code(cpu);
	for (unsigned i = 0; i < pr->n && nm < max_matches; i++)
		if (probe_faults_same(pr, probe_run(pr, i, 1, -1, 0)))
			match[nm++] = i;
	for (unsigned k = nm; k-- > 0 && !found;) {
		if (k == 0 ||
		    probe_plausible(pr, match[k], (int)match[k - 1])) {
			*pc = pr->cand[match[k]];
			found = true;
		}
	}
	uc_context_restore(cpu->uc, pr->snap);
	if (cpu->h_undo)
		uc_hook_del(cpu->uc, cpu->h_undo);
	if (cpu->h_step)
		uc_hook_del(cpu->uc, cpu->h_step);
	cpu->h_undo = 0;
	cpu->h_step = 0;
	/* and blocks translated with it */
	flush_code(cpu);
	cpu->probing = false;
out:
	if (pr->snap)
		uc_context_free(pr->snap);
	free(pr);
	cpu->bad_valid = true;
	cpu->bad_addr = addr;
	return found;
}

static void decode_data_fault(struct vsoc_cpu *cpu, uc_err err,
			      struct vsoc_fault_rec *f)
{
	bool rd = is_read_fault(err);
	uint64_t addr = cpu->bad_valid ? cpu->bad_addr : 0;
	uint64_t pc;
	bool exact = find_fault_pc(cpu, err, addr, &pc);

	fault_setf(f, rd ? VSOC_FAULT_READ : VSOC_FAULT_WRITE, pc, addr,
		   "data abort: %s at 0x%llx (pc 0x%llx%s)",
		   rd ? "read" : "write", (unsigned long long)addr,
		   (unsigned long long)pc, exact ? "" : ", block start");
}

/* ---- halting (emulation thread) ------------------------------------------- */

static void halt_locked(struct vsoc_cpu *cpu, const struct vsoc_fault_rec *f,
			const uint32_t *regs)
{
	struct vsoc_cpu_halt *h = &cpu->halt;

	memset(h, 0, sizeof(*h));
	memcpy(h->regs, regs, cpu->ops->regs_size);
	h->regs_size = cpu->ops->regs_size;
	if (f) {
		h->fault = f->fault;
		h->fault_addr = f->addr;
		snprintf(h->info, sizeof(h->info), "%s", f->info);
		if (f->fault == VSOC_FAULT_PANIC)
			h->panic_code = cpu->panic_code;
	}
	cpu->have_halt = true;
	atomic_store(&cpu->state, VSOC_ST_HALTED);
	cpu->timer_armed = false;
	cpu->wd_armed = false;
	cpu->wd_pending = false;
}

/* Halt on a fault and tell the owner (lock not held). */
static void publish_fault(struct vsoc_cpu *cpu, const struct vsoc_fault_rec *f,
			  const uint32_t *regs)
{
	uint32_t r[32] = {0};

	if (!regs) {
		cpu->ops->capture(cpu, f->pc, r);
		regs = r;
	}
	pthread_mutex_lock(&cpu->lock);
	halt_locked(cpu, f, regs);
	pthread_mutex_unlock(&cpu->lock);
	if (cpu->on_fault)
		cpu->on_fault(cpu->ctx, f->fault);
}

/* ---- running (emulation thread) ------------------------------------------- */

static void run_once(struct vsoc_cpu *cpu, bool line)
{
	struct vsoc_fault_rec f;
	uint64_t pc = 0;
	uc_err err;

	memset(&f, 0, sizeof(f));
	if (cpu->ops->irq_sync(cpu, line, &f)) {
		publish_fault(cpu, &f, NULL);
		return;
	}
	cpu->hook_stopped = false;
	cpu->hook_fault_set = false;
	cpu->bad_valid = false;
	err = uc_emu_start(cpu->uc, cpu->ops->begin(cpu->pc), VSOC_UNTIL, 0, 0);
	if (cpu->hook_fault_set) {
		publish_fault(cpu, &cpu->hook_fault, cpu->hook_regs);
		return;
	}
	if (err != UC_ERR_OK) {
		if (is_data_fault(err))
			decode_data_fault(cpu, err, &f);
		else
			cpu->ops->decode_err(cpu, err, &f);
		publish_fault(cpu, &f, NULL);
		return;
	}
	if (cpu->hook_stopped) {
		cpu->pc = cpu->stop_pc;
		return;
	}
	if (!cpu->ops->wfi(cpu, &pc)) {
		/* not a wfi (nothing else should return here): go on */
		cpu->pc = pc;
		return;
	}
	cpu->pc = pc;
	cpu->wake_enabled = cpu->ops->irq_wakes(cpu);
	pthread_mutex_lock(&cpu->lock);
	if (atomic_load(&cpu->state) == VSOC_ST_RUNNING)
		atomic_store(&cpu->state, VSOC_ST_IDLE);
	pthread_mutex_unlock(&cpu->lock);
}

static int reset_locked(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry)
{
	uint64_t pc = 0;
	int err;

	/* the memory was (re)loaded: translated code is stale.
	 * (uc_ctl_flush_tlb works too but costs 25 ms to 1 s in 2.0.1) */
	flush_code(cpu);
	uc_context_restore(cpu->uc, cpu->ctx0);

	cpu->in_head = 0;
	cpu->in_count = 0;
	cpu->irq_en = 0;
	cpu->timer_fired = false;
	cpu->timer_armed = false;
	cpu->wd_armed = false;
	cpu->wd_pending = false;
	cpu->start_ns = mono_ns();
	atomic_store(&cpu->line, false);
	atomic_store(&cpu->rsc_table, cpu->rsc_table_init);
	cpu->panic_pending = false;
	cpu->panic_code = 0;
	cpu->panic_msg_da = 0;
	cpu->panic_msg[0] = '\0';
	cpu->poll_irq = false;
	cpu->in_handler = false;
	cpu->seip = false;
	cpu->tb_start = 0;
	cpu->tb_size = 0;
	atomic_store(&cpu->st_blocks, 0);
	atomic_store(&cpu->st_wakeups, 0);
	atomic_store(&cpu->st_irqs, 0);
	atomic_store(&cpu->st_host_rx, 0);

	err = cpu->ops->reset(cpu, vtor, entry, &pc);
	if (err)
		return err;
	cpu->pc = pc;
	atomic_store(&cpu->state, VSOC_ST_RUNNING);
	return 0;
}

/* Returns true when the thread must exit. */
static bool handle_cmd_locked(struct vsoc_cpu *cpu)
{
	int st = atomic_load(&cpu->state);
	bool quit = false;
	uint32_t regs[32] = {0};

	cpu->cmd_result = 0;
	switch (cpu->cmd) {
	case VSOC_CMD_START:
		if (st == VSOC_ST_RUNNING || st == VSOC_ST_IDLE)
			cpu->cmd_result = -EBUSY;
		else
			cpu->cmd_result = reset_locked(cpu, cpu->cmd_vtor,
						       cpu->cmd_entry);
		break;
	case VSOC_CMD_STOP:
		if (st == VSOC_ST_RUNNING || st == VSOC_ST_IDLE) {
			cpu->ops->capture(cpu, cpu->pc, regs);
			halt_locked(cpu, NULL, regs);
		}
		break;
	case VSOC_CMD_DESTROY:
		if (st == VSOC_ST_RUNNING || st == VSOC_ST_IDLE)
			atomic_store(&cpu->state, VSOC_ST_HALTED);
		quit = true;
		break;
	default:
		break;
	}
	cpu->cmd = VSOC_CMD_NONE;
	cpu->cmd_ack = cpu->cmd_seq;
	pthread_cond_broadcast(&cpu->ctl_cond);
	return quit;
}

/* A panic or a watchdog expiry waiting to halt the core. */
static bool async_fault_locked(struct vsoc_cpu *cpu, struct vsoc_fault_rec *f)
{
	if (cpu->panic_pending) {
		cpu->panic_pending = false;
		if (cpu->panic_msg[0])
			fault_setf(f, VSOC_FAULT_PANIC, cpu->pc, 0,
				   "panic 0x%x: %s", cpu->panic_code,
				   cpu->panic_msg);
		else
			fault_setf(f, VSOC_FAULT_PANIC, cpu->pc, 0,
				   "panic 0x%x", cpu->panic_code);
		return true;
	}
	if (cpu->wd_pending) {
		cpu->wd_pending = false;
		fault_setf(f, VSOC_FAULT_WATCHDOG, cpu->pc, 0,
			   "watchdog: no heartbeat for %u ms (pc 0x%llx)",
			   cpu->watchdog_ms, (unsigned long long)cpu->pc);
		return true;
	}
	return false;
}

static int engine_open(struct vsoc_cpu *cpu)
{
	const struct vsoc_arch_ops *ops = cpu->ops;
	uc_err e;

	e = uc_open(ops->uc_arch, ops->uc_mode, &cpu->uc);
	if (e != UC_ERR_OK) {
		cpu->uc = NULL;
		snprintf(cpu->create_msg, sizeof(cpu->create_msg),
			 "%s: uc_open: %s", cpu->name, uc_strerror(e));
		return -EIO;
	}
	for (size_t i = 0; i < cpu->nmaps; i++) {
		const struct vsoc_cpu_map *m = &cpu->maps[i];
		uint32_t perms = UC_PROT_READ | UC_PROT_WRITE;

		if (m->exec)
			perms |= UC_PROT_EXEC;
		e = uc_mem_map_ptr(cpu->uc, m->da, (size_t)m->size, perms,
				   m->host);
		if (e != UC_ERR_OK) {
			snprintf(cpu->create_msg, sizeof(cpu->create_msg),
				 "%s: mapping 0x%llx+0x%llx: %s", cpu->name,
				 (unsigned long long)m->da,
				 (unsigned long long)m->size, uc_strerror(e));
			return -EIO;
		}
	}
	e = uc_mmio_map(cpu->uc, cpu->mbox_base, VSOC_MBOX_SIZE, mbox_read, cpu,
			mbox_write, cpu);
	if (e == UC_ERR_OK && ops->setup(cpu))
		return -EIO; /* message set by setup */
	if (e == UC_ERR_OK)
		e = uc_hook_add(cpu->uc, &cpu->h_block, UC_HOOK_BLOCK,
				hook_block, cpu, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(cpu->uc, &cpu->h_intr, UC_HOOK_INTR, hook_intr,
				cpu, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_hook_add(cpu->uc, &cpu->h_inval, UC_HOOK_MEM_INVALID,
				hook_invalid, cpu, 1, 0);
	if (e == UC_ERR_OK)
		e = uc_context_alloc(cpu->uc, &cpu->ctx0);
	if (e == UC_ERR_OK)
		e = uc_context_save(cpu->uc, cpu->ctx0);
	if (e != UC_ERR_OK) {
		snprintf(cpu->create_msg, sizeof(cpu->create_msg),
			 "%s: setting up the engine: %s", cpu->name,
			 uc_strerror(e));
		return -EIO;
	}
	return 0;
}

static void engine_close(struct vsoc_cpu *cpu)
{
	if (cpu->ctx0)
		uc_context_free(cpu->ctx0);
	cpu->ctx0 = NULL;
	if (cpu->uc)
		uc_close(cpu->uc);
	cpu->uc = NULL;
}

static void *emu_main(void *arg)
{
	struct vsoc_cpu *cpu = arg;
	int err = engine_open(cpu);

	pthread_mutex_lock(&cpu->lock);
	cpu->create_result = err;
	cpu->created = true;
	pthread_cond_broadcast(&cpu->ctl_cond);
	if (err) {
		pthread_mutex_unlock(&cpu->lock);
		engine_close(cpu);
		return NULL;
	}
	for (;;) {
		struct vsoc_fault_rec f;
		int st;

		/* everything below looks at the current state: a later
		 * request sets the flag again */
		atomic_store(&cpu->attention, false);
		if (cpu->cmd != VSOC_CMD_NONE) {
			if (handle_cmd_locked(cpu))
				break;
			continue;
		}
		st = atomic_load(&cpu->state);
		if (st == VSOC_ST_RUNNING || st == VSOC_ST_IDLE) {
			memset(&f, 0, sizeof(f));
			if (async_fault_locked(cpu, &f)) {
				pthread_mutex_unlock(&cpu->lock);
				publish_fault(cpu, &f, NULL);
				pthread_mutex_lock(&cpu->lock);
				continue;
			}
		}
		if (st == VSOC_ST_IDLE && cpu->wake_enabled &&
		    irq_line_locked(cpu)) {
			atomic_store(&cpu->state, VSOC_ST_RUNNING);
			stat_inc(&cpu->st_wakeups);
			st = VSOC_ST_RUNNING;
		}
		if (st == VSOC_ST_RUNNING) {
			bool line = irq_line_locked(cpu);

			pthread_mutex_unlock(&cpu->lock);
			run_once(cpu, line);
			pthread_mutex_lock(&cpu->lock);
			continue;
		}
		pthread_cond_wait(&cpu->emu_cond, &cpu->lock);
	}
	pthread_mutex_unlock(&cpu->lock);
	engine_close(cpu);
	return NULL;
}

/* ---- the clock thread: timer and watchdog --------------------------------- */

static void *clock_main(void *arg)
{
	struct vsoc_cpu *cpu = arg;

	pthread_mutex_lock(&cpu->lock);
	while (!cpu->clock_exit) {
		uint64_t now = mono_ns();
		uint64_t next = UINT64_MAX;

		if (cpu->timer_armed) {
			if (now >= cpu->timer_deadline) {
				cpu->timer_armed = false;
				cpu->timer_fired = true;
				line_update_locked(cpu);
			} else {
				next = cpu->timer_deadline;
			}
		}
		if (cpu->wd_armed) {
			if (now >= cpu->wd_deadline) {
				cpu->wd_armed = false;
				cpu->wd_pending = true;
				vsoc_cpu_request_attention(cpu);
				pthread_cond_broadcast(&cpu->emu_cond);
			} else if (cpu->wd_deadline < next) {
				next = cpu->wd_deadline;
			}
		}
		if (next == UINT64_MAX) {
			pthread_cond_wait(&cpu->clock_cond, &cpu->lock);
		} else {
			struct timespec ts = {
				.tv_sec = (time_t)(next / 1000000000u),
				.tv_nsec = (long)(next % 1000000000u),
			};

			pthread_cond_timedwait(&cpu->clock_cond, &cpu->lock,
					       &ts);
		}
	}
	pthread_mutex_unlock(&cpu->lock);
	return NULL;
}

/* ---- the controlling side -------------------------------------------------- */

static int send_cmd(struct vsoc_cpu *cpu, enum vsoc_cmd cmd, uint32_t vtor,
		    uint64_t entry)
{
	uint64_t seq;
	int r;

	pthread_mutex_lock(&cpu->lock);
	while (cpu->cmd != VSOC_CMD_NONE)
		pthread_cond_wait(&cpu->ctl_cond, &cpu->lock);
	cpu->cmd = cmd;
	cpu->cmd_vtor = vtor;
	cpu->cmd_entry = entry;
	seq = ++cpu->cmd_seq;
	vsoc_cpu_request_attention(cpu);
	pthread_cond_broadcast(&cpu->emu_cond);
	while (cpu->cmd_ack < seq)
		pthread_cond_wait(&cpu->ctl_cond, &cpu->lock);
	r = cpu->cmd_result;
	pthread_mutex_unlock(&cpu->lock);
	return r;
}

static int check_config(const struct vsoc_cpu_config *cfg, struct rproc_diag *d)
{
	const char *name = cfg->name ? cfg->name : "vsoc";
	const uint64_t pg = 0xFFF;

	if (cfg->arch != VSOC_ARCH_CORTEX_M4 && cfg->arch != VSOC_ARCH_RV32)
		return rproc_diag_set(d, -EINVAL, "%s: unknown architecture %d",
				      name, (int)cfg->arch);
	if (!cfg->nmaps || !cfg->maps)
		return rproc_diag_set(d, -EINVAL, "%s: no memory", name);
	if ((cfg->mbox_base & pg) || cfg->mbox_base > 0xFFFFFFFFull - pg)
		return rproc_diag_set(d, -EINVAL,
				      "%s: mailbox at 0x%llx: not a 4 KiB page "
				      "of the 32-bit space",
				      name, (unsigned long long)cfg->mbox_base);
	if (cfg->arch == VSOC_ARCH_CORTEX_M4 && cfg->mbox_base == VSOC_SCS_BASE)
		return rproc_diag_set(d, -EINVAL,
				      "%s: mailbox on the system-control space",
				      name);
	for (size_t i = 0; i < cfg->nmaps; i++) {
		const struct vsoc_cpu_map *m = &cfg->maps[i];

		if (!m->host || ((uintptr_t)m->host & pg) || (m->da & pg) ||
		    !m->size || (m->size & pg) || m->da > 0x100000000ull ||
		    m->size > 0x100000000ull - m->da)
			return rproc_diag_set(
				d, -EINVAL,
				"%s: memory 0x%llx+0x%llx: needs 4 KiB aligned "
				"address, size and host buffer in the 32-bit "
				"space",
				name, (unsigned long long)m->da,
				(unsigned long long)m->size);
		if (cfg->mbox_base + VSOC_MBOX_SIZE > m->da &&
		    cfg->mbox_base < m->da + m->size)
			return rproc_diag_set(
				d, -EINVAL,
				"%s: mailbox 0x%llx overlaps "
				"memory 0x%llx+0x%llx",
				name, (unsigned long long)cfg->mbox_base,
				(unsigned long long)m->da,
				(unsigned long long)m->size);
		if (cfg->arch == VSOC_ARCH_CORTEX_M4 &&
		    VSOC_SCS_BASE + VSOC_SCS_SIZE > m->da &&
		    VSOC_SCS_BASE < m->da + m->size)
			return rproc_diag_set(
				d, -EINVAL,
				"%s: memory 0x%llx+0x%llx overlaps "
				"the system-control space",
				name, (unsigned long long)m->da,
				(unsigned long long)m->size);
		for (size_t j = 0; j < i; j++) {
			const struct vsoc_cpu_map *o = &cfg->maps[j];

			if (m->da < o->da + o->size && o->da < m->da + m->size)
				return rproc_diag_set(
					d, -EINVAL,
					"%s: memory 0x%llx+0x%llx overlaps "
					"0x%llx+0x%llx",
					name, (unsigned long long)m->da,
					(unsigned long long)m->size,
					(unsigned long long)o->da,
					(unsigned long long)o->size);
		}
	}
	return 0;
}

static void cpu_free(struct vsoc_cpu *cpu)
{
	pthread_cond_destroy(&cpu->clock_cond);
	pthread_cond_destroy(&cpu->ctl_cond);
	pthread_cond_destroy(&cpu->emu_cond);
	pthread_mutex_destroy(&cpu->lock);
	free(cpu->maps);
	free(cpu->name);
	free(cpu);
}

int vsoc_cpu_create(const struct vsoc_cpu_config *cfg, struct vsoc_cpu **out,
		    struct rproc_diag *d)
{
	struct vsoc_cpu *cpu;
	pthread_condattr_t ca;
	int err;

	if (!cfg || !out)
		return rproc_diag_set(d, -EINVAL, "vsoc cpu: no config");
	*out = NULL;
	err = check_config(cfg, d);
	if (err)
		return err;
	cpu = calloc(1, sizeof(*cpu));
	if (!cpu)
		return rproc_diag_set(d, -ENOMEM, "out of memory");
	cpu->name = strdup(cfg->name ? cfg->name : "vsoc");
	cpu->maps = calloc(cfg->nmaps, sizeof(*cpu->maps));
	if (!cpu->name || !cpu->maps) {
		free(cpu->name);
		free(cpu->maps);
		free(cpu);
		return rproc_diag_set(d, -ENOMEM, "out of memory");
	}
	memcpy(cpu->maps, cfg->maps, cfg->nmaps * sizeof(*cpu->maps));
	cpu->nmaps = cfg->nmaps;
	cpu->arch = cfg->arch;
	cpu->ops =
		cfg->arch == VSOC_ARCH_RV32 ? &vsoc_arch_rv32 : &vsoc_arch_arm;
	cpu->mbox_base = cfg->mbox_base;
	cpu->rsc_table_init = cfg->rsc_table_da;
	cpu->watchdog_ms = cfg->watchdog_ms;
	cpu->host_rx = cfg->host_rx;
	cpu->on_fault = cfg->on_fault;
	cpu->ctx = cfg->ctx;
	atomic_init(&cpu->attention, false);
	atomic_init(&cpu->line, false);
	atomic_init(&cpu->state, VSOC_ST_OFF);
	atomic_init(&cpu->rsc_table, cfg->rsc_table_da);
	atomic_init(&cpu->st_blocks, 0);
	atomic_init(&cpu->st_wakeups, 0);
	atomic_init(&cpu->st_irqs, 0);
	atomic_init(&cpu->st_host_rx, 0);

	pthread_mutex_init(&cpu->lock, NULL);
	pthread_cond_init(&cpu->emu_cond, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cpu->ctl_cond, &ca);
	pthread_cond_init(&cpu->clock_cond, &ca);
	pthread_condattr_destroy(&ca);

	if (pthread_create(&cpu->emu_thread, NULL, emu_main, cpu)) {
		cpu_free(cpu);
		return rproc_diag_set(d, -ENOMEM,
				      "%s: cannot start the emulation thread",
				      cfg->name ? cfg->name : "vsoc");
	}
	cpu->emu_started = true;
	pthread_mutex_lock(&cpu->lock);
	while (!cpu->created)
		pthread_cond_wait(&cpu->ctl_cond, &cpu->lock);
	err = cpu->create_result;
	pthread_mutex_unlock(&cpu->lock);
	if (err) {
		pthread_join(cpu->emu_thread, NULL);
		rproc_diag_set(d, err, "%s", cpu->create_msg);
		cpu_free(cpu);
		return err;
	}
	if (pthread_create(&cpu->clock_thread, NULL, clock_main, cpu)) {
		send_cmd(cpu, VSOC_CMD_DESTROY, 0, 0);
		pthread_join(cpu->emu_thread, NULL);
		cpu_free(cpu);
		return rproc_diag_set(d, -ENOMEM,
				      "%s: cannot start the clock thread",
				      cfg->name ? cfg->name : "vsoc");
	}
	cpu->clock_started = true;
	*out = cpu;
	return 0;
}

void vsoc_cpu_destroy(struct vsoc_cpu *cpu)
{
	if (!cpu)
		return;
	send_cmd(cpu, VSOC_CMD_DESTROY, 0, 0);
	pthread_join(cpu->emu_thread, NULL);
	pthread_mutex_lock(&cpu->lock);
	cpu->clock_exit = true;
	pthread_cond_signal(&cpu->clock_cond);
	pthread_mutex_unlock(&cpu->lock);
	pthread_join(cpu->clock_thread, NULL);
	cpu_free(cpu);
}

int vsoc_cpu_start(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry)
{
	return send_cmd(cpu, VSOC_CMD_START, vtor, entry);
}

int vsoc_cpu_stop(struct vsoc_cpu *cpu)
{
	return send_cmd(cpu, VSOC_CMD_STOP, 0, 0);
}

bool vsoc_cpu_running(struct vsoc_cpu *cpu)
{
	int st = atomic_load(&cpu->state);

	return st == VSOC_ST_RUNNING || st == VSOC_ST_IDLE;
}

int vsoc_cpu_halt_info(struct vsoc_cpu *cpu, struct vsoc_cpu_halt *out)
{
	int r = 0;

	pthread_mutex_lock(&cpu->lock);
	if (cpu->have_halt)
		*out = cpu->halt;
	else
		r = -ENODATA;
	pthread_mutex_unlock(&cpu->lock);
	return r;
}

/* @word waits in the inbox (the firmware has not read it yet). */
static bool queued_locked(const struct vsoc_cpu *cpu, uint32_t word)
{
	for (unsigned i = 0; i < cpu->in_count; i++)
		if (cpu->inbox[(cpu->in_head + i) % VSOC_MBOX_DEPTH] == word)
			return true;
	return false;
}

static int send_word(struct vsoc_cpu *cpu, uint32_t word, bool once)
{
	int st, r = 0;

	pthread_mutex_lock(&cpu->lock);
	st = atomic_load(&cpu->state);
	if (st != VSOC_ST_RUNNING && st != VSOC_ST_IDLE) {
		r = -ENODEV;
	} else if (once && queued_locked(cpu, word)) {
		r = 0;
	} else if (cpu->in_count == VSOC_MBOX_DEPTH) {
		r = -EAGAIN;
	} else {
		cpu->inbox[(cpu->in_head + cpu->in_count) % VSOC_MBOX_DEPTH] =
			word;
		cpu->in_count++;
		line_update_locked(cpu);
	}
	pthread_mutex_unlock(&cpu->lock);
	return r;
}

int vsoc_cpu_send(struct vsoc_cpu *cpu, uint32_t word)
{
	return send_word(cpu, word, false);
}

int vsoc_cpu_send_once(struct vsoc_cpu *cpu, uint32_t word)
{
	return send_word(cpu, word, true);
}

uint32_t vsoc_cpu_rsc_table(struct vsoc_cpu *cpu)
{
	return atomic_load(&cpu->rsc_table);
}

int vsoc_cpu_wait_rsc_table(struct vsoc_cpu *cpu, uint32_t from,
			    unsigned timeout_ms)
{
	uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000u;
	struct timespec ts = {
		.tv_sec = (time_t)(end / 1000000000u),
		.tv_nsec = (long)(end % 1000000000u),
	};
	int ret = 0;

	pthread_mutex_lock(&cpu->lock);
	while (atomic_load(&cpu->rsc_table) == from && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&cpu->ctl_cond, &cpu->lock, &ts);
	ret = atomic_load(&cpu->rsc_table) == from ? -ETIMEDOUT : 0;
	pthread_mutex_unlock(&cpu->lock);
	return ret;
}

void vsoc_cpu_stats(struct vsoc_cpu *cpu, struct vsoc_cpu_stats *out)
{
	out->blocks =
		atomic_load_explicit(&cpu->st_blocks, memory_order_relaxed);
	out->wakeups =
		atomic_load_explicit(&cpu->st_wakeups, memory_order_relaxed);
	out->irqs = atomic_load_explicit(&cpu->st_irqs, memory_order_relaxed);
	out->host_rx =
		atomic_load_explicit(&cpu->st_host_rx, memory_order_relaxed);
}
