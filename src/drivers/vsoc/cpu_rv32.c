// SPDX-License-Identifier: BSD-3-Clause
/*
 * RV32 specifics of the emulated core (machine mode).  The mailbox line is
 * mip.SEIP: QEMU takes the trap itself (mtvec, mcause 0x80000009, mret), so
 * the host only keeps SEIP equal to the line.  Synchronous exceptions never
 * reach the firmware: with UC_HOOK_INTR installed unicorn hands them to the
 * hook without setting mepc/mcause, and the host reports them as faults.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cpu_priv.h"

#define MIP_SEIP (1u << 9)

/* QEMU's RISC-V exception causes, as UC_HOOK_INTR reports them. */
#define RV_EXCP_INST_ADDR_MIS 0
#define RV_EXCP_INST_ACCESS_FAULT 1
#define RV_EXCP_ILLEGAL_INST 2
#define RV_EXCP_BREAKPOINT 3
#define RV_EXCP_LOAD_ADDR_MIS 4
#define RV_EXCP_LOAD_ACCESS_FAULT 5
#define RV_EXCP_STORE_AMO_ADDR_MIS 6
#define RV_EXCP_STORE_AMO_ACCESS_FAULT 7
#define RV_EXCP_U_ECALL 8
#define RV_EXCP_S_ECALL 9
#define RV_EXCP_M_ECALL 11
#define RV_EXCP_INST_PAGE_FAULT 12
#define RV_EXCP_LOAD_PAGE_FAULT 13
#define RV_EXCP_STORE_PAGE_FAULT 15

static int rv_setup(struct vsoc_cpu *cpu)
{
	(void)cpu;
	return 0;
}

static int rv_reset(struct vsoc_cpu *cpu, uint32_t vtor, uint64_t entry,
		    uint64_t *pc)
{
	(void)cpu;
	(void)vtor;
	if ((entry & 1) || entry > 0xFFFFFFFFull)
		return -ENOEXEC;
	*pc = entry;
	return 0;
}

static uint64_t rv_begin(uint64_t pc)
{
	return pc;
}

static unsigned rv_insn_len(const uint8_t *p)
{
	return (p[0] & 3) == 3 ? 4 : 2;
}

static bool rv_wfi(struct vsoc_cpu *cpu, uint64_t *pc)
{
	uint32_t v = vsoc_rd(cpu, UC_RISCV_REG_PC);
	const uint8_t *p = vsoc_cpu_host_ptr(cpu, v - 4ull, 4);

	*pc = v;
	return p && p[0] == 0x73 && p[1] == 0x00 && p[2] == 0x50 &&
	       p[3] == 0x10; /* 10500073 */
}

static void rv_capture(struct vsoc_cpu *cpu, uint64_t pc, uint32_t *regs)
{
	regs[0] = (uint32_t)pc;
	for (int i = 1; i < 32; i++)
		regs[i] = vsoc_rd(cpu, UC_RISCV_REG_X0 + i);
}

static void set_seip(struct vsoc_cpu *cpu, bool on)
{
	uint32_t mip = vsoc_rd(cpu, UC_RISCV_REG_MIP);

	if (on)
		mip |= MIP_SEIP;
	else
		mip &= ~MIP_SEIP;
	vsoc_wr(cpu, UC_RISCV_REG_MIP, mip);
	cpu->seip = on;
}

/* Raising SEIP from a hook does not interrupt the running engine (measured:
 * the trap is never taken); between runs it is taken as soon as
 * uc_emu_start begins, with mepc = the pc we start at. */
static bool rv_irq_sync(struct vsoc_cpu *cpu, bool line,
			struct vsoc_fault_rec *f)
{
	(void)f;
	if (line != cpu->seip) {
		set_seip(cpu, line);
		if (line)
			vsoc_cpu_count_irq(cpu);
	}
	return false;
}

static bool rv_irq_wakes(struct vsoc_cpu *cpu)
{
	return (vsoc_rd(cpu, UC_RISCV_REG_MIE) & MIP_SEIP) != 0;
}

static bool rv_irq_unmasked(struct vsoc_cpu *cpu)
{
	(void)cpu;
	return false; /* QEMU masks and unmasks by itself */
}

/* Dropping SEIP from a mailbox callback is safe (it only clears
 * interrupt_request) and keeps mret from trapping again. */
static void rv_irq_line_dropped(struct vsoc_cpu *cpu)
{
	if (cpu->seip)
		set_seip(cpu, false);
}

static uint32_t insn_at(struct vsoc_cpu *cpu, uint32_t pc)
{
	const uint8_t *p = vsoc_cpu_host_ptr(cpu, pc, 2);
	uint32_t v;

	if (!p)
		return 0;
	v = p[0] | (uint32_t)p[1] << 8;
	if (rv_insn_len(p) == 4 && vsoc_cpu_host_ptr(cpu, pc + 2ull, 2))
		v |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return v;
}

static void rv_intr(struct vsoc_cpu *cpu, uint32_t intno)
{
	/* unicorn adds 4 to the pc of the faulting instruction before
	 * calling the hook, whatever the instruction's length (measured
	 * with 16- and 32-bit illegal instructions at 4n and 4n+2) */
	uint32_t pc = vsoc_rd(cpu, UC_RISCV_REG_PC) - 4;
	uint64_t bad = cpu->bad_valid ? cpu->bad_addr : 0;

	if (intno & 0x80000000u)
		return; /* an interrupt cause: never fatal */
	switch (intno) {
	case RV_EXCP_ILLEGAL_INST:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "illegal instruction 0x%x at 0x%x",
				    insn_at(cpu, pc), pc);
		return;
	case RV_EXCP_BREAKPOINT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "breakpoint at 0x%x", pc);
		return;
	case RV_EXCP_U_ECALL:
	case RV_EXCP_S_ECALL:
	case RV_EXCP_M_ECALL:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "ecall at 0x%x: no handler on the vsoc",
				    pc);
		return;
	case RV_EXCP_INST_ADDR_MIS:
	case RV_EXCP_INST_ACCESS_FAULT:
	case RV_EXCP_INST_PAGE_FAULT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_FETCH, pc, pc,
				    "instruction fetch fault at 0x%x", pc);
		return;
	case RV_EXCP_LOAD_ADDR_MIS:
	case RV_EXCP_LOAD_ACCESS_FAULT:
	case RV_EXCP_LOAD_PAGE_FAULT:
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_READ, pc, bad,
				    "load fault (cause %u) at 0x%llx (pc 0x%x)",
				    intno, (unsigned long long)bad, pc);
		return;
	case RV_EXCP_STORE_AMO_ADDR_MIS:
	case RV_EXCP_STORE_AMO_ACCESS_FAULT:
	case RV_EXCP_STORE_PAGE_FAULT:
		vsoc_cpu_hook_fault(
			cpu, VSOC_FAULT_WRITE, pc, bad,
			"store fault (cause %u) at 0x%llx (pc 0x%x)", intno,
			(unsigned long long)bad, pc);
		return;
	default:
		if (intno >= 0x10000)
			return; /* QEMU internal: not a fault */
		vsoc_cpu_hook_fault(cpu, VSOC_FAULT_UNDEF, pc, pc,
				    "exception %u at 0x%x", intno, pc);
		return;
	}
}

static void rv_decode_err(struct vsoc_cpu *cpu, uc_err err,
			  struct vsoc_fault_rec *f)
{
	uint32_t pc = vsoc_rd(cpu, UC_RISCV_REG_PC);
	uint32_t ra = vsoc_rd(cpu, UC_RISCV_REG_RA);
	uint32_t insn;

	f->pc = pc;
	f->addr = pc;
	switch (err) {
	case UC_ERR_FETCH_UNMAPPED:
	case UC_ERR_FETCH_PROT:
	case UC_ERR_FETCH_UNALIGNED:
		f->fault = VSOC_FAULT_FETCH;
		snprintf(f->info, sizeof(f->info),
			 "instruction fetch fault at 0x%x (ra 0x%x)", pc, ra);
		break;
	case UC_ERR_INSN_INVALID:
		/* ebreak: unicorn stops with the exact pc */
		insn = insn_at(cpu, pc);
		f->fault = VSOC_FAULT_UNDEF;
		if (insn == 0x00100073u || insn == 0x9002u)
			snprintf(f->info, sizeof(f->info), "breakpoint at 0x%x",
				 pc);
		else
			snprintf(f->info, sizeof(f->info),
				 "illegal instruction 0x%x at 0x%x", insn, pc);
		break;
	default:
		vsoc_fault_other(f, err, pc);
		break;
	}
}

static const int rv_gprs[] = {
	UC_RISCV_REG_X1,  UC_RISCV_REG_X2,  UC_RISCV_REG_X3,  UC_RISCV_REG_X4,
	UC_RISCV_REG_X5,  UC_RISCV_REG_X6,  UC_RISCV_REG_X7,  UC_RISCV_REG_X8,
	UC_RISCV_REG_X9,  UC_RISCV_REG_X10, UC_RISCV_REG_X11, UC_RISCV_REG_X12,
	UC_RISCV_REG_X13, UC_RISCV_REG_X14, UC_RISCV_REG_X15, UC_RISCV_REG_X16,
	UC_RISCV_REG_X17, UC_RISCV_REG_X18, UC_RISCV_REG_X19, UC_RISCV_REG_X20,
	UC_RISCV_REG_X21, UC_RISCV_REG_X22, UC_RISCV_REG_X23, UC_RISCV_REG_X24,
	UC_RISCV_REG_X25, UC_RISCV_REG_X26, UC_RISCV_REG_X27, UC_RISCV_REG_X28,
	UC_RISCV_REG_X29, UC_RISCV_REG_X30, UC_RISCV_REG_X31,
};

const struct vsoc_arch_ops vsoc_arch_rv32 = {
	.name = "rv32",
	.uc_arch = UC_ARCH_RISCV,
	.uc_mode = UC_MODE_RISCV32,
	.regs_size = 32 * 4,
	.setup = rv_setup,
	.reset = rv_reset,
	.begin = rv_begin,
	.gprs = rv_gprs,
	.ngprs = sizeof(rv_gprs) / sizeof(rv_gprs[0]),
	.insn_len = rv_insn_len,
	.wfi = rv_wfi,
	.capture = rv_capture,
	.irq_sync = rv_irq_sync,
	.irq_wakes = rv_irq_wakes,
	.irq_unmasked = rv_irq_unmasked,
	.irq_line_dropped = rv_irq_line_dropped,
	.intr = rv_intr,
	.decode_err = rv_decode_err,
};
