/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * make demo: one remote walked through its life, printing each step.
 *
 * The remote here is a stand-in driver over host memory (the virtual SoC
 * with real emulated cores comes later): 256 KiB of "remote RAM" seen by the
 * remote at 0x20000000 and by the host at 0x80000000.  The firmware is a
 * real ELF32 image with a .resource_table (a carveout, a trace buffer and an
 * rpmsg vdev), written to a temporary firmware directory and found through
 * the search path like any firmware.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_build.h"
#include "rproc/driver.h"
#include "rproc/fw_format.h"
#include "rproc/os.h"
#include "rproc/rproc.h"
#include "rproc/table.h"

#define MEM_DA 0x20000000u
#define MEM_PA 0x80000000u
#define MEM_SIZE (256u * 1024u)

struct demo_soc {
	uint8_t *mem;
	uint64_t next_alloc;
	uint32_t regs[18];
	int runs;
};

static void step(const char *what)
{
	printf("\n== %s\n", what);
}

static void *soc_da_to_va(struct rproc *r, uint64_t da, size_t len)
{
	struct demo_soc *s = rproc_priv(r);

	if (da < MEM_DA || len > MEM_SIZE || da - MEM_DA > MEM_SIZE - len)
		return NULL;
	return s->mem + (da - MEM_DA);
}

static int soc_da_to_pa(struct rproc *r, uint64_t da, size_t len, uint64_t *pa)
{
	if (!soc_da_to_va(r, da, len))
		return -EFAULT;
	*pa = da - MEM_DA + MEM_PA;
	return 0;
}

/* Carveouts and vrings come from the top quarter of remote RAM. */
static int soc_mem_alloc(struct rproc *r, struct rproc_resource *res)
{
	struct demo_soc *s = rproc_priv(r);
	uint64_t len = (res->d.len + 4095) & ~4095ull;

	if (s->next_alloc + len > MEM_SIZE / 4)
		return -ENOMEM;
	res->d.da = MEM_DA + 3 * (MEM_SIZE / 4) + s->next_alloc;
	res->d.pa = res->d.da - MEM_DA + MEM_PA;
	res->va = s->mem + (res->d.da - MEM_DA);
	s->next_alloc += len;
	return 0;
}

static void soc_mem_free(struct rproc *r, struct rproc_resource *res)
{
	(void)res;
	((struct demo_soc *)rproc_priv(r))->next_alloc = 0;
}

static int soc_start(struct rproc *r, uint64_t boot_addr)
{
	struct demo_soc *s = rproc_priv(r);
	char line[96];
	int n;

	printf("   driver: start at 0x%llx\n", (unsigned long long)boot_addr);
	/* "The firmware" writes its trace buffer. */
	n = snprintf(line, sizeof(line), "firmware: hello from run %d\n",
		     ++s->runs);
	memcpy(s->mem + 0x20000, line, (size_t)n + 1);
	s->regs[15] = (uint32_t)boot_addr; /* pc */
	s->regs[13] = MEM_DA + 0x10000;	   /* sp */
	return 0;
}

static int soc_stop(struct rproc *r)
{
	(void)r;
	printf("   driver: halt\n");
	return 0;
}

static int soc_get_regs(struct rproc *r, struct rproc_dump_thread *t,
			size_t max, size_t *n)
{
	struct demo_soc *s = rproc_priv(r);

	if (!max)
		return -ENOSPC;
	t[0] = (struct rproc_dump_thread){
		.tid = 1, .regs = s->regs, .regs_size = sizeof(s->regs)};
	*n = 1;
	return 0;
}

static const struct rproc_ops soc_ops = {
	.start = soc_start,
	.stop = soc_stop,
	.da_to_va = soc_da_to_va,
	.da_to_pa = soc_da_to_pa,
	.mem_alloc = soc_mem_alloc,
	.mem_free = soc_mem_free,
	.get_regs = soc_get_regs,
};

/* The firmware's resource table: carveout, trace, rpmsg vdev. */
static size_t make_table(uint8_t *buf, size_t cap)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c = {
		.da = FW_RSC_ADDR_ANY, .pa = FW_RSC_ADDR_ANY, .len = 0x2000};
	struct fw_rsc_trace t = {.da = MEM_DA + 0x20000, .len = 256};
	uint8_t vdev[24 + 2 * 20] = {0};
	struct fw_rsc_vdev vh = {.id = RPROC_VIRTIO_ID_RPMSG,
				 .dfeatures = 1,
				 .num_of_vrings = 2};
	size_t len = 0;

	strcpy((char *)c.name, "heap");
	strcpy((char *)t.name, "trace0");
	memcpy(vdev, &vh, sizeof(vh));
	for (int i = 0; i < 2; i++) {
		struct fw_rsc_vdev_vring v = {
			.da = FW_RSC_ADDR_ANY, .align = 16, .num = 8};
		memcpy(vdev + 24 + 20 * i, &v, sizeof(v));
	}
	if (rproc_table_builder_init(&b, buf, cap, 3) ||
	    rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c), NULL) ||
	    rproc_table_builder_add(&b, RSC_TRACE, &t, sizeof(t), NULL) ||
	    rproc_table_builder_add(&b, RSC_VDEV, vdev, sizeof(vdev), NULL) ||
	    rproc_table_builder_finish(&b, &len))
		abort();
	return len;
}

static const char *addr(char *buf, uint64_t v)
{
	if (v == RPROC_ANY)
		return "any";
	snprintf(buf, 24, "0x%08llx", (unsigned long long)v);
	return buf;
}

static int print_rsc(void *ctx, const struct rproc_resource *r)
{
	char a[24], b[24];

	(void)ctx;
	if (r->d.type == RSC_VDEV) {
		printf("   %-8s %-12s id %u, notify id %u, %u vrings\n", "vdev",
		       r->d.name, r->d.vdev.id, r->notifyid,
		       r->d.vdev.num_vrings);
		return 0;
	}
	printf("   %-8s %-12s da %-10s pa %-10s len 0x%llx\n",
	       rproc_rsc_type_name(r->d.type), r->d.name, addr(a, r->d.da),
	       addr(b, r->d.pa), (unsigned long long)r->d.len);
	return 0;
}

static char dump_path[256];

static int open_dump(void *ctx, struct rproc *r, uint32_t count,
		     struct rproc_dump_sink *sink)
{
	snprintf(dump_path, sizeof(dump_path), "%s/%s-crash%u.core",
		 (const char *)ctx, rproc_name(r), count);
	return rproc_dump_sink_file(sink, dump_path);
}

static void show_trace(struct rproc *r)
{
	char buf[256];
	int n = rproc_trace_read(r, 0, buf, sizeof(buf) - 1);

	if (n >= 0) {
		buf[n] = 0;
		printf("   trace0: %s", buf);
	}
}

int main(void)
{
	char dir[] = "/tmp/rproc-demo-XXXXXX";
	struct demo_soc soc = {0};
	struct rproc_config cfg;
	struct telf elf;
	struct telf_spec spec;
	uint8_t table[256];
	struct rproc *r;
	char path[512], cmd[600];
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir) || posix_memalign((void **)&soc.mem, 4096, MEM_SIZE))
		return 1;
	memset(soc.mem, 0, MEM_SIZE);

	step("Writing firmware demo.elf (ELF32 ARM, .resource_table) to "
	     "the search path");
	spec = telf_default_spec(1);
	spec.machine = 40;
	spec.flags = 0x05000200;
	spec.entry = MEM_DA + 0x101;
	spec.nseg = 1;
	spec.seg[0] = (struct telf_seg){
		.type = 1, .paddr = MEM_DA, .filesz = 0x400, .memsz = 0x1000};
	spec.table = table;
	spec.table_len = make_table(table, sizeof(table));
	spec.table_addr = MEM_DA + 0x1000;
	telf_build(&elf, &spec);
	snprintf(path, sizeof(path), "%s/demo.elf", dir);
	f = fopen(path, "wb");
	fwrite(elf.buf, 1, elf.size, f);
	fclose(f);
	rproc_os_fw_set_search_path(dir);
	printf("   %s (%zu bytes)\n", path, elf.size);

	rproc_config_init(&cfg);
	cfg.name = "m4";
	cfg.ops = &soc_ops;
	cfg.firmware = "demo.elf";
	cfg.always_on = true;
	cfg.priv = &soc;
	if (rproc_alloc(&cfg, &r))
		return 1;
	rproc_set_coredump(r, RPROC_DUMP_INLINE);
	rproc_set_dump_sink(r, open_dump, dir);

	step("Registering an always-on remote: it boots when its "
	     "firmware is there");
	rproc_add(r);
	if (rproc_wait_state(r, RPROC_RUNNING, 2000))
		return 1;
	printf("   state: %s, references: %u\n",
	       rproc_state_name(rproc_state_get(r)), rproc_power_count(r));
	printf("   resources (firmware table merged, allocated, written "
	       "back):\n");
	rproc_resource_foreach(r, print_rsc, NULL);
	show_trace(r);

	step("A control-interface start on a running remote: refused, "
	     "no reference pinned");
	printf("   start -> %s, references: %u\n",
	       rproc_strerror(rproc_ctl_start(r)), rproc_power_count(r));

	step("The remote crashes (watchdog)");
	memset(soc.mem + 0x100, 0xEE, 64); /* it scribbled over its code */
	rproc_report_crash(r, RPROC_CRASH_WATCHDOG);
	while (rproc_crash_count(r) == 0)
		usleep(1000);
	rproc_wait_state(r, RPROC_RUNNING, 2000);
	printf("   recovered: state %s, crash count %u, code reloaded: %s\n",
	       rproc_state_name(rproc_state_get(r)), rproc_crash_count(r),
	       soc.mem[0x100] != 0xEE ? "yes" : "no");
	show_trace(r);

	step("The coredump, as readelf sees it");
	snprintf(cmd, sizeof(cmd),
		 "readelf -h -l -n %s | grep -E 'Type:|Machine|NOTE|LOAD|"
		 "NT_PRSTATUS|NT_PRPSINFO'",
		 dump_path);
	printf("   %s\n", dump_path);
	fflush(stdout);
	if (system(cmd) != 0)
		printf("   (readelf not available)\n");

	step("Shutdown: the control interface drops the always-on "
	     "reference");
	printf("   stop -> %s\n", rproc_strerror(rproc_ctl_stop(r)));
	printf("   state: %s, references: %u\n",
	       rproc_state_name(rproc_state_get(r)), rproc_power_count(r));

	rproc_del(r);
	rproc_destroy(r);
	unlink(dump_path);
	unlink(path);
	rmdir(dir);
	free(soc.mem);
	printf("\n== done\n");
	return 0;
}
