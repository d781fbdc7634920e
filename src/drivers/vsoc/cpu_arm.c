// SPDX-License-Identifier: BSD-3-Clause
/*
 * Cortex-M4 specifics of the emulated core: reset from the vector table,
 * exception entry and return emulated by hand (unicorn 2.0.1 has no NVIC),
 * register capture and fault decoding.  Unicorn runs the core as a
 * Cortex-M33 whatever the model asked for; the firmware sees an M4 without
 * NVIC, SysTick or MPU (a fake system-control space reads as zero, except
 * SCB->VTOR).  One interrupt: IRQ 0 (exception 16), the mailbox.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu_priv.h"
#include "rproc/os.h"

/* QEMU's exception numbers, as UC_HOOK_INTR reports them. */
#define EXCP_UDEF 1
#define EXCP_SWI 2
#define EXCP_PREFETCH_ABORT 3
#define EXCP_DATA_ABORT 4
#define EXCP_BKPT 7
#define EXCP_EXCEPTION_EXIT 8
#define EXCP_NOCP 17
#define EXCP_INVSTATE 18
#define EXCP_STKOF 19
#define EXCP_UNALIGNED 22

#define XPSR_T (1u << 24)
#define XPSR_FRAME_ALIGN (1u << 9)
#define EXC_RETURN_THREAD_MSP 0xFFFFFFF9u
#define IRQ0_EXCEPTION 16u

/* The fake system-control space (0xE000E000): reads 0, writes ignored,
 * except SCB->VTOR, which moves the vector table interrupts use. */
static uint64_t scs_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct vsoc_cpu *cpu = user;

	(void)uc;
	if (off == VSOC_SCS_VTOR && size == 4)
		return cpu->vtor;
	return 0;
}

static void scs_write(uc_engine *uc, uint64_t off, unsigned size,
		      uint64_t value, void *user)
{
	struct vsoc_cpu *cpu = user;

	(void)uc;
	if (off == VSOC_SCS_VTOR && size == 4 && !cpu->probing)
		cpu->vtor = (uint32_t)value & ~0x7Fu;
}

static int arm_setup(struct vsoc_cpu *cpu)
{
	uc_err e = uc_mmio_map(cpu->uc, VSOC_SCS_BASE, VSOC_SCS_SIZE, scs_read,
			       cpu, scs_write, cpu);

	if (e != UC_ERR_OK) {
		snprintf(cpu->create_msg, sizeof(cpu->create_msg),
			 "%s: mapping the system-control space: %s", cpu->name,
			 uc_strerror(e));
		return -EIO;
	}
	return 0;
}

static int arm_reset(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry,
		     uint64_t *pc)
{
	const uint8_t *vt = vsoc_cpu_host_ptr(cpu, vtor, 8);
	uint32_t sp, reset;

	if (!vt)
		return -EINVAL;
	memcpy(&sp, vt, 4);
	memcpy(&reset, vt + 4, 4);
	if (!(reset & 1))
		return -ENOEXEC;
	if ((entry & ~1ull) != (reset & ~1u)) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "%s: entry 0x%llx is not the reset vector 0x%x: "
			 "starting at the reset vector",
			 cpu->name, (unsigned long long)entry, reset);
		rproc_os_log(RPROC_LOG_DEBUG, msg);
	}
	vsoc_wr(cpu, UC_ARM_REG_SP, sp);
	cpu->vtor = vtor;
	*pc = reset & ~1u;
	return 0;
}

static uint64_t arm_begin(uint64_t pc)
{
	return pc | 1;
}

static unsigned arm_insn_len(const uint8_t *p)
{
	unsigned hw = p[0] | (unsigned)p[1] << 8;

	return (hw >> 11) >= 0x1D ? 4 : 2;
}

static bool arm_wfi(struct vsoc_cpu *cpu, uint64_t *pc)
{
	uint32_t v = vsoc_rd(cpu, UC_ARM_REG_PC) & ~1u;
	const uint8_t *p2 = vsoc_cpu_host_ptr(cpu, v - 2ull, 2);
	const uint8_t *p4 = vsoc_cpu_host_ptr(cpu, v - 4ull, 4);

	*pc = v;
	/* wfi (bf30) or wfi.w (f3af 8003) */
	if (p2 && p2[0] == 0x30 && p2[1] == 0xbf)
		return true;
	return p4 && p4[0] == 0xaf && p4[1] == 0xf3 && p4[2] == 0x03 &&
	       p4[3] == 0x80;
}

static void arm_capture(struct vsoc_cpu *cpu, uint64_t pc, uint32_t *regs)
{
	static const int ids[15] = {
		UC_ARM_REG_R0,	UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
		UC_ARM_REG_R4,	UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
		UC_ARM_REG_R8,	UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
		UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,
	};

	for (int i = 0; i < 15; i++)
		regs[i] = vsoc_rd(cpu, ids[i]);
	regs[15] = (uint32_t)pc & ~1u;
	/* UC_ARM_REG_XPSR may lack the EPSR bits */
	regs[16] =
		vsoc_rd(cpu, UC_ARM_REG_XPSR) | vsoc_rd(cpu, UC_ARM_REG_EPSR);
	regs[17] = 0;
}

static bool arm_masked(struct vsoc_cpu *cpu)
{
	return ((vsoc_rd(cpu, UC_ARM_REG_PRIMASK) |
		 vsoc_rd(cpu, UC_ARM_REG_FAULTMASK)) &
		1) != 0;
}

/* Exception entry for IRQ 0 at cpu->pc (thread mode, main stack). */
static bool arm_enter_irq(struct vsoc_cpu *cpu, struct vsoc_fault_rec *f)
{
	uint32_t sp = vsoc_rd(cpu, UC_ARM_REG_SP);
	uint32_t psr =
		vsoc_rd(cpu, UC_ARM_REG_XPSR) | vsoc_rd(cpu, UC_ARM_REG_EPSR);
	uint32_t align = (sp & 4) ? 1 : 0;
	uint32_t fp = (sp - 32) & ~(align << 2);
	uint32_t frame[8], vec;
	const uint8_t *vp = vsoc_cpu_host_ptr(
		cpu, (uint64_t)cpu->vtor + 4 * IRQ0_EXCEPTION, 4);
	uint8_t *host = vsoc_cpu_host_ptr(cpu, fp, 32);

	if (!host) {
		snprintf(f->info, sizeof(f->info),
			 "exception entry: stack write at 0x%x (sp 0x%x, "
			 "pc 0x%llx)",
			 fp, sp, (unsigned long long)cpu->pc);
		f->fault = VSOC_FAULT_WRITE;
		f->pc = cpu->pc;
		f->addr = fp;
		return true;
	}
	vec = 0;
	if (vp)
		memcpy(&vec, vp, 4);
	if (!(vec & 1)) {
		snprintf(f->info, sizeof(f->info),
			 "exception entry: IRQ 0 vector 0x%x at 0x%x is not a "
			 "Thumb address (pc 0x%llx)",
			 vec, cpu->vtor + 4 * IRQ0_EXCEPTION,
			 (unsigned long long)cpu->pc);
		f->fault = VSOC_FAULT_INVSTATE;
		f->pc = cpu->pc;
		f->addr = vec;
		return true;
	}
	frame[0] = vsoc_rd(cpu, UC_ARM_REG_R0);
	frame[1] = vsoc_rd(cpu, UC_ARM_REG_R1);
	frame[2] = vsoc_rd(cpu, UC_ARM_REG_R2);
	frame[3] = vsoc_rd(cpu, UC_ARM_REG_R3);
	frame[4] = vsoc_rd(cpu, UC_ARM_REG_R12);
	frame[5] = vsoc_rd(cpu, UC_ARM_REG_LR);
	frame[6] = (uint32_t)cpu->pc & ~1u;
	frame[7] = (psr | XPSR_T) | (align ? XPSR_FRAME_ALIGN : 0);
	memcpy(host, frame, sizeof(frame));
	vsoc_wr(cpu, UC_ARM_REG_SP, fp);
	vsoc_wr(cpu, UC_ARM_REG_LR, EXC_RETURN_THREAD_MSP);
	vsoc_wr(cpu, UC_ARM_REG_IPSR, IRQ0_EXCEPTION);
	vsoc_wr(cpu, UC_ARM_REG_EPSR, XPSR_T); /* ITSTATE cleared */
	cpu->pc = vec & ~1u;
	cpu->in_handler = true;
	vsoc_cpu_count_irq(cpu);
	return false;
}

static bool arm_irq_sync(struct vsoc_cpu *cpu, bool line,
			 struct vsoc_fault_rec *f)
{
	cpu->poll_irq = false;
	if (!line)
		return false;
	/* no nesting: the exception return looks again */
	if (vsoc_rd(cpu, UC_ARM_REG_IPSR) & 0x1FF)
		return false;
	if (arm_masked(cpu)) {
		/* PRIMASK changes without telling anyone: poll it */
		cpu->poll_irq = true;
		return false;
	}
	return arm_enter_irq(cpu, f);
}

static bool arm_irq_wakes(struct vsoc_cpu *cpu)
{
	(void)cpu;
	return true; /* wfi wakes on a pending interrupt, masked or not */
}

static bool arm_irq_unmasked(struct vsoc_cpu *cpu)
{
	return !arm_masked(cpu);
}

static void arm_irq_line_dropped(struct vsoc_cpu *cpu)
{
	(void)cpu;
}

/* `bx lr` with EXC_RETURN in handler mode: pop the frame we pushed. */
static void arm_exc_return(struct vsoc_cpu *cpu)
{
	uint32_t exc = vsoc_rd(cpu, UC_ARM_REG_PC) | 1;
	uint32_t sp = vsoc_rd(cpu, UC_ARM_REG_SP);
	const uint8_t *host = vsoc_cpu_host_ptr(cpu, sp, 32);
	uint32_t frame[8];

	if (!cpu->in_handler || exc != EXC_RETURN_THREAD_MSP) {
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_INVSTATE, exc & ~1u, exc,
				    "exception return 0x%x not supported "
				    "(sp 0x%x)",
				    exc, sp);
		return;
	}
	if (!host) {
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_READ, exc & ~1u, sp,
				    "exception return: stack read at 0x%x", sp);
		return;
	}
	memcpy(frame, host, sizeof(frame));
	vsoc_wr(cpu, UC_ARM_REG_R0, frame[0]);
	vsoc_wr(cpu, UC_ARM_REG_R1, frame[1]);
	vsoc_wr(cpu, UC_ARM_REG_R2, frame[2]);
	vsoc_wr(cpu, UC_ARM_REG_R3, frame[3]);
	vsoc_wr(cpu, UC_ARM_REG_R12, frame[4]);
	vsoc_wr(cpu, UC_ARM_REG_LR, frame[5]);
	sp += 32 + ((frame[7] & XPSR_FRAME_ALIGN) ? 4 : 0);
	vsoc_wr(cpu, UC_ARM_REG_SP, sp);
	/* flags, IPSR (0: thread mode), ITSTATE and T */
	vsoc_wr(cpu, UC_ARM_REG_XPSR, frame[7] & ~XPSR_FRAME_ALIGN);
	cpu->in_handler = false;
	/* a pc write inside a hook resumes there without leaving
	 * uc_emu_start */
	vsoc_wr(cpu, UC_ARM_REG_PC, frame[6] | 1);
	if (atomic_load(&cpu->line))
		vsoc_cpu_request_attention(cpu); /* tail-chain */
}

static uint32_t insn_at(struct vsoc_cpu *cpu, uint32_t pc)
{
	const uint8_t *p = vsoc_cpu_host_ptr(cpu, pc, 2);
	uint32_t v;

	if (!p)
		return 0;
	v = p[0] | (uint32_t)p[1] << 8;
	if (arm_insn_len(p) == 4 && vsoc_cpu_host_ptr(cpu, pc + 2ull, 2))
		v = v << 16 | p[2] | (uint32_t)p[3] << 8;
	return v;
}

static void arm_intr(struct vsoc_cpu *cpu, uint32_t intno)
{
	uint32_t pc = vsoc_rd(cpu, UC_ARM_REG_PC) & ~1u;

	switch (intno) {
	case EXCP_EXCEPTION_EXIT:
		arm_exc_return(cpu);
		return;
	case EXCP_SWI: /* the pc is after the 16-bit svc */
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc - 2, pc - 2,
				    "svc at 0x%x: no handler on the vsoc",
				    pc - 2);
		return;
	case EXCP_PREFETCH_ABORT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_FETCH, pc, pc,
				    "prefetch abort at 0x%x (lr 0x%x)", pc,
				    vsoc_rd(cpu, UC_ARM_REG_LR));
		return;
	case EXCP_DATA_ABORT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_READ, pc,
				    cpu->bad_valid ? cpu->bad_addr : 0,
				    "data abort at 0x%llx (pc 0x%x)",
				    (unsigned long long)(cpu->bad_valid
								 ? cpu->bad_addr
								 : 0),
				    pc);
		return;
	case EXCP_BKPT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "breakpoint at 0x%x", pc);
		return;
	case EXCP_UDEF:
	case EXCP_NOCP:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "undefined instruction 0x%x at 0x%x",
				    insn_at(cpu, pc), pc);
		return;
	case EXCP_INVSTATE:
	case EXCP_STKOF:
	case EXCP_UNALIGNED:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_INVSTATE, pc, pc,
				    "usage fault (exception %u) at 0x%x", intno,
				    pc);
		return;
	default:
		if (intno >= 0x10000)
			return; /* QEMU internal (halt, yield): not a fault */
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "exception %u at 0x%x", intno, pc);
		return;
	}
}

static void arm_decode_err(struct vsoc_cpu *cpu, uc_err err,
			   struct vsoc_fault_rec *f)
{
	uint32_t pc = vsoc_rd(cpu, UC_ARM_REG_PC) & ~1u;
	uint32_t lr = vsoc_rd(cpu, UC_ARM_REG_LR);

	f->pc = pc;
	f->addr = pc;
	switch (err) {
	case UC_ERR_FETCH_UNMAPPED:
	case UC_ERR_FETCH_PROT:
	case UC_ERR_FETCH_UNALIGNED:
		f->fault = VSOC_FAULT_FETCH;
		snprintf(f->info, sizeof(f->info),
			 "prefetch abort at 0x%x (lr 0x%x)", pc, lr);
		break;
	case UC_ERR_INSN_INVALID:
		if (!(vsoc_rd(cpu, UC_ARM_REG_EPSR) & XPSR_T)) {
			/* a branch to an even address: a NULL call lands at
			 * pc 0 with lr = the caller's return address + 1 */
			f->fault = VSOC_FAULT_INVSTATE;
			snprintf(f->info, sizeof(f->info),
				 "invalid state (no Thumb bit) at 0x%x "
				 "(lr 0x%x)",
				 pc, lr);
		} else {
			f->fault = VSOC_FAULT_UNDEF;
			snprintf(f->info, sizeof(f->info),
				 "undefined instruction 0x%x at 0x%x",
				 insn_at(cpu, pc), pc);
		}
		break;
	default:
		vsoc_fault_other(f, err, pc);
		break;
	}
}

static const int arm_gprs[] = {
	UC_ARM_REG_R0,	UC_ARM_REG_R1, UC_ARM_REG_R2,  UC_ARM_REG_R3,
	UC_ARM_REG_R4,	UC_ARM_REG_R5, UC_ARM_REG_R6,  UC_ARM_REG_R7,
	UC_ARM_REG_R8,	UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
	UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR,
};

const struct vsoc_arch_ops vsoc_arch_arm = {
	.name = "cortex-m4",
	.uc_arch = UC_ARCH_ARM,
	.uc_mode = UC_MODE_THUMB | UC_MODE_MCLASS,
	.regs_size = 18 * 4,
	.setup = arm_setup,
	.reset = arm_reset,
	.begin = arm_begin,
	.gprs = arm_gprs,
	.ngprs = sizeof(arm_gprs) / sizeof(arm_gprs[0]),
	.insn_len = arm_insn_len,
	.wfi = arm_wfi,
	.capture = arm_capture,
	.irq_sync = arm_irq_sync,
	.irq_wakes = arm_irq_wakes,
	.irq_unmasked = arm_irq_unmasked,
	.irq_line_dropped = arm_irq_line_dropped,
	.intr = arm_intr,
	.decode_err = arm_decode_err,
};
