/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC as an rproc driver: the board's physical memory (host
 * memory), one emulated core (cpu.c) and one struct rproc per remote core of
 * the devicetree (board.c), glued together with struct rproc_ops.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "rproc/driver.h"
#include "rproc/elf.h"
#include "rproc/error.h"
#include "rproc/fw_format.h"
#include "rproc/os.h"
#include "rproc/vsoc.h"
#include "rproc/vsoc_regs.h"

#include "board.h"
#include "cpu.h"

#define EM_ARM 40
#define EM_RISCV 243
#define ARM_EABI5_SOFT 0x05000200u
#define RV_FLAG_RVC 0x1u

#define MAX_DTB_SIZE (1u << 20)
#define POOL_MAX_BLOCKS 32
#define PAGE 4096u

/* One allocation from a "shared-dma-pool" region. */
struct pool_block {
	uint64_t off, len; /* off: physical address */
	bool used;
};

struct vsoc_core {
	struct vsoc_board *board;
	const struct vsoc_core_desc *desc;
	struct vsoc_cpu *cpu;
	struct rproc *rproc;
	struct vsoc_cpu_map maps[VSOC_MAX_CORE_MEMS];
	size_t nmaps;
	/* host_rx: fn/ctx swapped under rx_lock, which the emulation thread
	 * holds while calling fn (so after vsoc_set_host_rx() returns the old
	 * fn is not running). */
	pthread_mutex_t rx_lock;
	void (*rx_fn)(void *ctx, uint32_t w);
	void *rx_ctx;
	atomic_uint_fast64_t rx_dropped;
	struct pool_block blocks[POOL_MAX_BLOCKS];
	struct vsoc_cpu_halt halt; /* filled by get_regs */
	uint32_t rsc_table_da;	   /* the "rsc-table" region, or 0 */
};

struct vsoc_board {
	struct vsoc_board_desc *desc;
	void *mem[VSOC_MAX_REGIONS]; /* host memory of each region */
	struct vsoc_core cores[VSOC_MAX_CORES];
	size_t ncores;
};

static const struct rproc_ops vsoc_ops;

static void vlog(enum rproc_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vlog(enum rproc_log_level lvl, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rproc_os_log(lvl, buf);
}

static struct vsoc_core *core_of(struct rproc *rproc)
{
	return rproc_priv(rproc);
}

/* Is @rproc one of ours?  The ops pointer is the proof. */
static struct vsoc_core *vsoc_core_get(struct rproc *rproc)
{
	if (!rproc || rproc_get_ops(rproc) != &vsoc_ops)
		return NULL;
	return rproc_priv(rproc);
}

/* ---- the core's view of memory ------------------------------------------- */

static bool in_range(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a >= base && len <= size && a - base <= size - len;
}

static const struct vsoc_core_mem *mem_by_da(const struct vsoc_core *c,
					     uint64_t da, uint64_t len)
{
	const struct vsoc_board_desc *b = c->board->desc;

	for (size_t i = 0; i < c->desc->nmems; i++) {
		const struct vsoc_core_mem *m = &c->desc->mems[i];

		if (in_range(da, len, m->da, b->regions[m->region].size))
			return m;
	}
	return NULL;
}

static const struct vsoc_core_mem *mem_by_pa(const struct vsoc_core *c,
					     uint64_t pa, uint64_t len)
{
	const struct vsoc_board_desc *b = c->board->desc;

	for (size_t i = 0; i < c->desc->nmems; i++) {
		const struct vsoc_core_mem *m = &c->desc->mems[i];
		const struct vsoc_region *r = &b->regions[m->region];

		if (in_range(pa, len, r->pa, r->size))
			return m;
	}
	return NULL;
}

static void *op_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	struct vsoc_core *c = core_of(rproc);
	const struct vsoc_core_mem *m = mem_by_da(c, da, len);

	if (!m)
		return NULL;
	return (uint8_t *)c->board->mem[m->region] + (da - m->da);
}

static int op_da_to_pa(struct rproc *rproc, uint64_t da, size_t len,
		       uint64_t *pa)
{
	struct vsoc_core *c = core_of(rproc);
	const struct vsoc_core_mem *m = mem_by_da(c, da, len);

	if (!m)
		return -EFAULT;
	*pa = c->board->desc->regions[m->region].pa + (da - m->da);
	return 0;
}

/* A carveout with a fixed physical address: find it in the core's view. */
static int op_mem_map(struct rproc *rproc, struct rproc_resource *r)
{
	struct vsoc_core *c = core_of(rproc);
	const struct vsoc_core_mem *m = mem_by_pa(c, r->d.pa, r->d.len);
	uint64_t da;

	if (!m) {
		vlog(RPROC_LOG_ERR,
		     "%s: %s \"%s\": pa 0x%" PRIx64 " len 0x%" PRIx64
		     " is not memory this core can reach",
		     c->desc->name, rproc_rsc_type_name(r->d.type), r->d.name,
		     r->d.pa, r->d.len);
		return -EFAULT;
	}
	da = m->da + (r->d.pa - c->board->desc->regions[m->region].pa);
	if (r->d.da != RPROC_ANY && r->d.da != da) {
		vlog(RPROC_LOG_ERR,
		     "%s: %s \"%s\": pa 0x%" PRIx64
		     " is at device address 0x%" PRIx64 ", not 0x%" PRIx64,
		     c->desc->name, rproc_rsc_type_name(r->d.type), r->d.name,
		     r->d.pa, da, r->d.da);
		return -EFAULT;
	}
	r->d.da = da;
	r->va = op_da_to_va(rproc, da, (size_t)r->d.len);
	return 0;
}

static void op_mem_unmap(struct rproc *rproc, struct rproc_resource *r)
{
	(void)rproc;
	(void)r;
}

/* The pool regions of the core, in memory-region order. */
static const struct vsoc_core_mem *pool_next(const struct vsoc_core *c,
					     size_t *i)
{
	for (; *i < c->desc->nmems; (*i)++) {
		const struct vsoc_core_mem *m = &c->desc->mems[*i];

		if (c->board->desc->regions[m->region].pool)
			return m;
	}
	return NULL;
}

/* First fit over the core's pools, in memory-region order.  A block is
 * keyed by its physical address (pools never overlap), page granular. */
static int pool_alloc(struct vsoc_core *c, uint64_t len, uint64_t *pa_out)
{
	const struct vsoc_board_desc *b = c->board->desc;
	size_t i = 0;

	len = (len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	for (const struct vsoc_core_mem *m; (m = pool_next(c, &i)); i++) {
		const struct vsoc_region *r = &b->regions[m->region];
		uint64_t start = r->pa;

		for (;;) {
			bool clash = false;

			if (!in_range(start, len, r->pa, r->size))
				break;
			for (size_t k = 0; k < POOL_MAX_BLOCKS; k++) {
				struct pool_block *blk = &c->blocks[k];

				if (blk->used && start < blk->off + blk->len &&
				    blk->off < start + len) {
					start = blk->off + blk->len;
					clash = true;
				}
			}
			if (clash)
				continue;
			for (size_t k = 0; k < POOL_MAX_BLOCKS; k++) {
				if (!c->blocks[k].used) {
					c->blocks[k] = (struct pool_block){
						start, len, true};
					*pa_out = start;
					return 0;
				}
			}
			return -ENOMEM;
		}
	}
	return -ENOMEM;
}

static void pool_free(struct vsoc_core *c, uint64_t pa)
{
	for (size_t k = 0; k < POOL_MAX_BLOCKS; k++)
		if (c->blocks[k].used && c->blocks[k].off == pa)
			c->blocks[k].used = false;
}

/*
 * A carveout or vring without a fixed pa.  With a fixed da inside the
 * core's memory it is that memory (nothing to allocate); otherwise it comes
 * from the core's shared-dma-pool regions.
 */
static int op_mem_alloc(struct rproc *rproc, struct rproc_resource *r)
{
	struct vsoc_core *c = core_of(rproc);
	const struct vsoc_core_mem *m;
	uint64_t pa;
	int ret;

	if (r->d.da != RPROC_ANY) {
		r->va = op_da_to_va(rproc, r->d.da, (size_t)r->d.len);
		if (!r->va) {
			vlog(RPROC_LOG_ERR,
			     "%s: %s \"%s\": da 0x%" PRIx64 " len 0x%" PRIx64
			     " is not in the core's memory",
			     c->desc->name, rproc_rsc_type_name(r->d.type),
			     r->d.name, r->d.da, r->d.len);
			return -EFAULT;
		}
		return op_da_to_pa(rproc, r->d.da, (size_t)r->d.len, &r->d.pa);
	}
	ret = pool_alloc(c, r->d.len, &pa);
	if (ret) {
		vlog(RPROC_LOG_ERR,
		     "%s: %s \"%s\": no room for 0x%" PRIx64
		     " bytes in the core's shared-dma-pool regions",
		     c->desc->name, rproc_rsc_type_name(r->d.type), r->d.name,
		     r->d.len);
		return ret;
	}
	m = mem_by_pa(c, pa, r->d.len);
	r->d.pa = pa;
	r->d.da = m->da + (pa - c->board->desc->regions[m->region].pa);
	r->va = op_da_to_va(rproc, r->d.da, (size_t)r->d.len);
	memset(r->va, 0, (size_t)r->d.len);
	return 0;
}

static void op_mem_free(struct rproc *rproc, struct rproc_resource *r)
{
	pool_free(core_of(rproc), r->d.pa);
}

/* ---- lifecycle ops ------------------------------------------------------- */

static int op_start(struct rproc *rproc, uint64_t boot_addr)
{
	struct vsoc_core *c = core_of(rproc);

	return vsoc_cpu_start(c->cpu, c->desc->vtor, boot_addr);
}

static int op_stop(struct rproc *rproc)
{
	return vsoc_cpu_stop(core_of(rproc)->cpu);
}

static int op_attach(struct rproc *rproc)
{
	struct vsoc_core *c = core_of(rproc);

	if (!vsoc_cpu_running(c->cpu)) {
		vlog(RPROC_LOG_ERR,
		     "%s: cannot attach: the core is not running",
		     c->desc->name);
		return -EINVAL;
	}
	return 0;
}

static int op_detach(struct rproc *rproc)
{
	(void)rproc; /* the core keeps running */
	return 0;
}

/* The table a running firmware published in VSOC_MBOX_RSC_TABLE: the
 * length is unknown to the hardware, so hand over the rest of the memory
 * it lives in (at most 64 KiB); the core's walker checks inside that. */
static int op_get_loaded_table(struct rproc *rproc, void **table, size_t *len)
{
	struct vsoc_core *c = core_of(rproc);
	uint32_t da = vsoc_cpu_rsc_table(c->cpu);
	const struct vsoc_core_mem *m = mem_by_da(c, da, 16);
	uint64_t avail;

	if (!da || !m) {
		vlog(RPROC_LOG_ERR,
		     "%s: the running firmware published no resource table "
		     "(VSOC_MBOX_RSC_TABLE = 0x%x)",
		     c->desc->name, (unsigned)da);
		return -ENOENT;
	}
	avail = c->board->desc->regions[m->region].size - (da - m->da);
	*table = op_da_to_va(rproc, da, 16);
	*len = (size_t)(avail < 65536 ? avail : 65536);
	return 0;
}

/*
 * Ring the doorbell, unless the same one still waits in the mailbox: the
 * firmware looks at the rings when it reads it, so a second one carries
 * nothing, and a stream of sends would otherwise fill the mailbox with
 * kicks (and shut out every other word).  A full queue means the firmware
 * has 64 words it has not read yet; likewise nothing is lost.
 */
static void op_kick(struct rproc *rproc, uint32_t notifyid)
{
	struct vsoc_core *c = core_of(rproc);
	int ret = vsoc_cpu_send_once(c->cpu, notifyid);

	if (ret && ret != -EAGAIN)
		vlog(RPROC_LOG_WARN, "%s: kick %u: %s", c->desc->name,
		     (unsigned)notifyid, rproc_strerror(ret));
}

static int fault_signal(enum vsoc_fault f)
{
	switch (f) {
	case VSOC_FAULT_READ:
	case VSOC_FAULT_WRITE:
	case VSOC_FAULT_FETCH:
		return SIGSEGV;
	case VSOC_FAULT_UNDEF:
	case VSOC_FAULT_INVSTATE:
		return SIGILL;
	case VSOC_FAULT_PANIC:
	case VSOC_FAULT_INTERNAL:
		return SIGABRT;
	case VSOC_FAULT_WATCHDOG:
		return SIGALRM;
	default:
		return SIGSTOP; /* halted on request */
	}
}

static int op_get_regs(struct rproc *rproc, struct rproc_dump_thread *t,
		       size_t max, size_t *n)
{
	struct vsoc_core *c = core_of(rproc);

	*n = 0;
	if (!max || vsoc_cpu_halt_info(c->cpu, &c->halt) || !c->halt.regs_size)
		return 0;
	t[0] = (struct rproc_dump_thread){
		.tid = 1,
		.signo = fault_signal(c->halt.fault),
		.regs = c->halt.regs,
		.regs_size = c->halt.regs_size,
	};
	*n = 1;
	return 0;
}

static const struct rproc_ops vsoc_ops = {
	.start = op_start,
	.stop = op_stop,
	.attach = op_attach,
	.detach = op_detach,
	.get_loaded_table = op_get_loaded_table,
	.kick = op_kick,
	.da_to_va = op_da_to_va,
	.da_to_pa = op_da_to_pa,
	.mem_alloc = op_mem_alloc,
	.mem_free = op_mem_free,
	.mem_map = op_mem_map,
	.mem_unmap = op_mem_unmap,
	.get_regs = op_get_regs,
};

/* ---- emulation-thread callbacks ------------------------------------------ */

/* A word from the firmware: a doorbell for the core's subdevices (virtio
 * devices listen for their notify ids), and for the user's callback. */
static void core_host_rx(void *ctx, uint32_t word)
{
	struct vsoc_core *c = ctx;

	rproc_notify(c->rproc, word);
	pthread_mutex_lock(&c->rx_lock);
	if (c->rx_fn)
		c->rx_fn(c->rx_ctx, word);
	else
		atomic_fetch_add(&c->rx_dropped, 1);
	pthread_mutex_unlock(&c->rx_lock);
}

static enum rproc_crash_type crash_type(enum vsoc_fault f)
{
	switch (f) {
	case VSOC_FAULT_READ:
	case VSOC_FAULT_WRITE:
	case VSOC_FAULT_FETCH:
		return RPROC_CRASH_MMUFAULT;
	case VSOC_FAULT_WATCHDOG:
		return RPROC_CRASH_WATCHDOG;
	case VSOC_FAULT_PANIC:
	case VSOC_FAULT_INTERNAL:
		return RPROC_CRASH_FATAL_ERROR;
	default:
		return RPROC_CRASH_EXCEPTION;
	}
}

static void core_on_fault(void *ctx, enum vsoc_fault fault)
{
	struct vsoc_core *c = ctx;

	rproc_report_crash(c->rproc, crash_type(fault));
}

/* ---- the board's boot ROM ------------------------------------------------ */

/*
 * A real host attaches long after power-on; here the board is opened and
 * attached within microseconds.  Give the firmware the time a boot takes
 * to publish its resource table (VSOC_MBOX_RSC_TABLE), at most 2 s; a
 * firmware that publishes none is attached to and fails there, clearly.
 */
static void wait_table_published(struct vsoc_core *c)
{
	if (vsoc_cpu_wait_rsc_table(c->cpu, c->rsc_table_da, 2000))
		vlog(RPROC_LOG_WARN,
		     "%s: boot ROM: %s published no resource table in 2 s",
		     c->desc->name, c->desc->boot_firmware);
}

/* Load @name's PT_LOAD segments into the core's memory and start it, as a
 * boot ROM would at power-on. */
static int boot_rom(struct vsoc_core *c, struct rproc_diag *d)
{
	struct rproc_os_fw *fw = NULL;
	struct rproc_diag ed = {{0}};
	struct rproc_elf elf;
	const char *name = c->desc->boot_firmware;
	int ret = rproc_os_fw_request(name, &fw);

	if (ret)
		return rproc_diag_set(d, ret, "%s: boot ROM: firmware %s: %s",
				      c->desc->path, name, rproc_strerror(ret));
	/* the reader's message goes into @ed, then under the core's name */
	ret = rproc_elf_open(&elf, fw->data, fw->size, &ed);
	if (!ret)
		ret = rproc_elf_check_segments(&elf, &ed);
	for (unsigned i = 0; !ret && i < elf.phnum; i++) {
		struct rproc_elf_phdr ph;
		uint8_t *dst;

		ret = rproc_elf_phdr(&elf, i, &ph, &ed);
		if (ret || ph.type != RPROC_PT_LOAD || !ph.memsz)
			continue;
		dst = op_da_to_va(c->rproc, ph.paddr, (size_t)ph.memsz);
		if (!dst) {
			ret = rproc_diag_set(&ed, -ENOEXEC,
					     "segment at 0x%" PRIx64
					     " (0x%" PRIx64
					     " bytes) is outside "
					     "the core's memory",
					     ph.paddr, ph.memsz);
			break;
		}
		memcpy(dst, fw->data + ph.offset, (size_t)ph.filesz);
		memset(dst + ph.filesz, 0, (size_t)(ph.memsz - ph.filesz));
	}
	if (ret)
		ret = rproc_diag_set(d, -ENOEXEC, "%s: boot ROM: %s: %s",
				     c->desc->path, name, ed.msg);
	if (!ret)
		ret = vsoc_cpu_start(c->cpu, c->desc->vtor, elf.entry);
	rproc_os_fw_release(fw);
	if (!ret)
		wait_table_published(c);
	return ret;
}

/* ---- board open / close -------------------------------------------------- */

static int register_platform(struct vsoc_core *c, struct rproc_diag *d)
{
	const struct vsoc_board_desc *b = c->board->desc;
	struct rproc_rsc_desc rd;
	char err[RPROC_DIAG_LEN];
	int ret;

	for (size_t i = 0; i < c->desc->nmems; i++) {
		const struct vsoc_core_mem *m = &c->desc->mems[i];
		const struct vsoc_region *r = &b->regions[m->region];

		if (r->pool)
			continue;
		rproc_rsc_desc_init(&rd, RSC_CARVEOUT, r->name);
		rd.da = m->da;
		rd.pa = r->pa;
		rd.len = r->size;
		rd.flags = 0;
		ret = rproc_resource_register(c->rproc, RPROC_SRC_PLATFORM,
					      &rd);
		if (ret)
			goto fail;
	}
	for (size_t i = 0; i < c->desc->nrscs; i++) {
		ret = rproc_resource_register(c->rproc, RPROC_SRC_PLATFORM,
					      &c->desc->rscs[i]);
		if (ret)
			goto fail;
	}
	/* Coredumps hold every local memory whole (stacks and heaps live
	 * outside the loaded segments); the core drops the loaded segments
	 * they contain. */
	for (size_t i = 0; i < c->desc->nmems; i++) {
		const struct vsoc_core_mem *m = &c->desc->mems[i];

		if (!b->regions[m->region].local)
			continue;
		ret = rproc_coredump_add_segment(c->rproc, m->da,
						 b->regions[m->region].size);
		if (ret)
			return rproc_diag_set(d, ret, "%s: out of memory",
					      c->desc->path);
	}
	return 0;
fail:
	rproc_last_error(c->rproc, err, sizeof(err));
	return rproc_diag_set(d, ret, "%s: %s", c->desc->path, err);
}

static int core_open(struct vsoc_board *b, size_t idx, struct rproc_diag *d)
{
	struct vsoc_core *c = &b->cores[idx];
	const struct vsoc_core_desc *cd = &b->desc->cores[idx];
	struct vsoc_cpu_config cc = {0};
	struct rproc_config cfg;
	uint64_t rsc_da = 0;
	int ret;

	c->board = b;
	c->desc = cd;
	pthread_mutex_init(&c->rx_lock, NULL);
	for (size_t i = 0; i < cd->nmems; i++) {
		const struct vsoc_region *r =
			&b->desc->regions[cd->mems[i].region];

		c->maps[i] = (struct vsoc_cpu_map){
			.da = cd->mems[i].da,
			.size = r->size,
			.host = b->mem[cd->mems[i].region],
			.exec = true,
		};
		if (!strcmp(r->name, "rsc-table"))
			rsc_da = cd->mems[i].da;
	}
	c->nmaps = cd->nmems;

	rproc_config_init(&cfg);
	cfg.name = cd->name;
	cfg.ops = &vsoc_ops;
	cfg.firmware = cd->firmware[0] ? cd->firmware : NULL;
	cfg.always_on = cd->auto_boot;
	cfg.preboot = cd->started_at_power_on;
	cfg.priv = c;
	cfg.elf_class = RPROC_ELFCLASS32;
	if (cd->arch == VSOC_ARCH_CORTEX_M4) {
		cfg.elf_machine = EM_ARM;
		cfg.elf_flags = ARM_EABI5_SOFT;
	} else {
		cfg.elf_machine = EM_RISCV;
		cfg.elf_flags = RV_FLAG_RVC;
	}
	if (cd->raw) {
		cfg.fw_ops = &rproc_fw_raw;
		cfg.load_da = cd->load_da != RPROC_ANY ? cd->load_da
			      : cd->nmems	       ? cd->mems[0].da
						       : RPROC_ANY;
		cfg.entry = cd->entry != RPROC_ANY ? cd->entry : cfg.load_da;
	}
	ret = rproc_alloc(&cfg, &c->rproc);
	if (ret)
		return rproc_diag_set(d, ret,
				      "%s: cannot create the remote: %s",
				      cd->path, rproc_strerror(ret));
	ret = register_platform(c, d);
	if (ret)
		return ret;

	cc.name = cd->name;
	cc.arch = cd->arch;
	cc.maps = c->maps;
	cc.nmaps = c->nmaps;
	cc.mbox_base = cd->mbox_base;
	cc.rsc_table_da = (uint32_t)rsc_da;
	c->rsc_table_da = cc.rsc_table_da;
	cc.watchdog_ms = cd->watchdog_ms;
	cc.host_rx = core_host_rx;
	cc.on_fault = core_on_fault;
	cc.ctx = c;
	ret = vsoc_cpu_create(&cc, &c->cpu, d);
	if (ret)
		return ret;
	if (cd->started_at_power_on)
		return boot_rom(c, d);
	return 0;
}

static void core_close(struct vsoc_core *c)
{
	rproc_destroy(c->rproc); /* deletes it first if it was added */
	vsoc_cpu_destroy(c->cpu);
	pthread_mutex_destroy(&c->rx_lock);
}

int vsoc_board_open_blob(const void *dtb, size_t len, struct vsoc_board **out,
			 struct rproc_diag *d)
{
	struct vsoc_board *b;
	int ret;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return rproc_diag_set(d, -ENOMEM, "out of memory");
	ret = vsoc_board_parse(dtb, len, &b->desc, d);
	if (ret) {
		free(b);
		return ret;
	}
	for (size_t i = 0; i < b->desc->nregions; i++) {
		void *p = mmap(NULL, (size_t)b->desc->regions[i].size,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			ret = rproc_diag_set(d, -ENOMEM,
					     "%s: cannot back 0x%" PRIx64
					     " bytes of memory",
					     b->desc->regions[i].path,
					     b->desc->regions[i].size);
			goto fail;
		}
		b->mem[i] = p;
	}
	for (size_t i = 0; i < b->desc->ncores; i++) {
		b->ncores = i + 1;
		ret = core_open(b, i, d);
		if (ret)
			goto fail;
	}
	*out = b;
	return 0;
fail:
	vsoc_board_close(b);
	return ret;
}

int vsoc_board_open(const char *dtb_path, struct vsoc_board **out,
		    struct rproc_diag *d)
{
	FILE *f = fopen(dtb_path, "rb");
	struct stat st;
	void *blob;
	int ret;

	*out = NULL;
	if (!f)
		return rproc_diag_set(d, -errno, "%s: %s", dtb_path,
				      strerror(errno));
	if (fstat(fileno(f), &st) || st.st_size <= 0 ||
	    st.st_size > MAX_DTB_SIZE) {
		fclose(f);
		return rproc_diag_set(d, -EINVAL,
				      "%s: not a devicetree blob (size %lld)",
				      dtb_path, (long long)st.st_size);
	}
	blob = malloc((size_t)st.st_size);
	if (!blob) {
		fclose(f);
		return rproc_diag_set(d, -ENOMEM, "out of memory");
	}
	if (fread(blob, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		ret = rproc_diag_set(d, -EIO, "%s: read error", dtb_path);
	} else {
		ret = vsoc_board_open_blob(blob, (size_t)st.st_size, out, d);
	}
	fclose(f);
	free(blob);
	return ret;
}

int vsoc_board_add(struct vsoc_board *b)
{
	for (size_t i = 0; i < b->ncores; i++) {
		int ret = rproc_add(b->cores[i].rproc);

		if (ret)
			return ret;
	}
	return 0;
}

void vsoc_board_close(struct vsoc_board *b)
{
	if (!b)
		return;
	for (size_t i = b->ncores; i-- > 0;)
		core_close(&b->cores[i]);
	for (size_t i = 0; b->desc && i < b->desc->nregions; i++)
		if (b->mem[i])
			munmap(b->mem[i], (size_t)b->desc->regions[i].size);
	vsoc_board_desc_free(b->desc);
	free(b);
}

/* ---- queries ------------------------------------------------------------- */

const char *vsoc_board_model(const struct vsoc_board *b)
{
	return b->desc->model;
}

size_t vsoc_board_count(const struct vsoc_board *b)
{
	return b->ncores;
}

struct rproc *vsoc_board_rproc(const struct vsoc_board *b, size_t i)
{
	return i < b->ncores ? b->cores[i].rproc : NULL;
}

struct rproc *vsoc_board_find(const struct vsoc_board *b, const char *name)
{
	for (size_t i = 0; i < b->ncores; i++)
		if (!strcmp(b->cores[i].desc->name, name))
			return b->cores[i].rproc;
	return NULL;
}

const char *vsoc_arch_name(struct rproc *rproc)
{
	struct vsoc_core *c = vsoc_core_get(rproc);

	if (!c)
		return NULL;
	return c->desc->arch == VSOC_ARCH_CORTEX_M4 ? "cortex-m4" : "rv32";
}

int vsoc_mbox_send(struct rproc *rproc, uint32_t word)
{
	struct vsoc_core *c = vsoc_core_get(rproc);

	return c ? vsoc_cpu_send(c->cpu, word) : -EINVAL;
}

void vsoc_set_host_rx(struct rproc *rproc, void (*fn)(void *ctx, uint32_t w),
		      void *ctx)
{
	struct vsoc_core *c = vsoc_core_get(rproc);

	if (!c)
		return;
	pthread_mutex_lock(&c->rx_lock);
	c->rx_fn = fn;
	c->rx_ctx = ctx;
	pthread_mutex_unlock(&c->rx_lock);
}

int vsoc_last_fault(struct rproc *rproc, char *buf, size_t len)
{
	struct vsoc_core *c = vsoc_core_get(rproc);
	struct vsoc_cpu_halt h;

	if (!c || !len)
		return -EINVAL;
	if (vsoc_cpu_halt_info(c->cpu, &h) || h.fault == VSOC_FAULT_NONE)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%s", h.info);
	return 0;
}

int vsoc_stats(struct rproc *rproc, struct vsoc_stats *out)
{
	struct vsoc_core *c = vsoc_core_get(rproc);
	struct vsoc_cpu_stats s;

	if (!c)
		return -EINVAL;
	vsoc_cpu_stats(c->cpu, &s);
	out->blocks = s.blocks;
	out->wakeups = s.wakeups;
	out->irqs = s.irqs;
	out->host_rx = s.host_rx;
	return 0;
}
