/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Core benchmarks, each against a plain-libc baseline measured in the same
 * process, interleaved:
 *   - ELF load of one 64 MiB PT_LOAD (sanity_check + load through a real
 *     struct rproc) vs memcpy of the same bytes;
 *   - inline coredump of a 64 MiB segment into the file sink vs write(2) +
 *     fsync + close of the same bytes, and the dump's peak extra heap.
 * Usage: bench_core [results.json]   (default build/bench/results.json)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"
#include "rproc/driver.h"
#include "rproc/fw_format.h"
#include "rproc/rproc.h"

#define RUNS 5
#define SEG_SIZE (64u << 20)
#define SEG_DA 0x10000000u
#define SEG_OFF 4096u /* file offset of the segment in the image */

/* ---- the remote's memory and a minimal driver ----------------------------- */

static uint8_t *remote_mem;

static int drv_start(struct rproc *rproc, uint64_t boot_addr)
{
	(void)rproc;
	(void)boot_addr;
	return 0;
}

static int drv_stop(struct rproc *rproc)
{
	(void)rproc;
	return 0;
}

static void *drv_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	(void)rproc;
	if (da < SEG_DA || len > SEG_SIZE || da - SEG_DA > SEG_SIZE - len)
		return NULL;
	return remote_mem + (da - SEG_DA);
}

static const struct rproc_ops drv_ops = {
	.start = drv_start,
	.stop = drv_stop,
	.da_to_va = drv_da_to_va,
};

/* ---- counting allocator ---------------------------------------------------- */

struct alloc_count {
	size_t live;
	size_t peak;
};

#define HDR 16 /* keeps malloc's alignment */

static void *count_malloc(void *ctx, size_t size)
{
	struct alloc_count *c = ctx;
	uint8_t *p = malloc(size + HDR);

	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	c->live += size;
	if (c->live > c->peak)
		c->peak = c->live;
	return p + HDR;
}

static void count_free(void *ctx, void *ptr)
{
	struct alloc_count *c = ctx;
	uint8_t *p;
	size_t size;

	if (!ptr)
		return;
	p = (uint8_t *)ptr - HDR;
	memcpy(&size, p, sizeof(size));
	c->live -= size;
	free(p);
}

/* ---- helpers --------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* ELF32 LE, ET_EXEC, EM_ARM, one PT_LOAD of SEG_SIZE random bytes. */
static uint8_t *make_elf(size_t *size)
{
	uint8_t *img = calloc(1, SEG_OFF + SEG_SIZE), *ph;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	if (!img)
		return NULL;
	memcpy(img,
	       "\x7f"
	       "ELF",
	       4);
	img[4] = 1;		     /* ELFCLASS32 */
	img[5] = 1;		     /* ELFDATA2LSB */
	img[6] = 1;		     /* EV_CURRENT */
	put16(img + 16, 2);	     /* ET_EXEC */
	put16(img + 18, 40);	     /* EM_ARM */
	put32(img + 20, 1);	     /* e_version */
	put32(img + 24, SEG_DA);     /* e_entry */
	put32(img + 28, 52);	     /* e_phoff */
	put32(img + 32, 0);	     /* e_shoff */
	put32(img + 36, 0x05000000); /* e_flags: EABI5 */
	put16(img + 40, 52);	     /* e_ehsize */
	put16(img + 42, 32);	     /* e_phentsize */
	put16(img + 44, 1);	     /* e_phnum */
	ph = img + 52;
	put32(ph + 0, 1);	  /* PT_LOAD */
	put32(ph + 4, SEG_OFF);	  /* p_offset */
	put32(ph + 8, SEG_DA);	  /* p_vaddr */
	put32(ph + 12, SEG_DA);	  /* p_paddr */
	put32(ph + 16, SEG_SIZE); /* p_filesz */
	put32(ph + 20, SEG_SIZE); /* p_memsz */
	put32(ph + 24, 7);	  /* RWX */
	put32(ph + 28, 4096);	  /* p_align */
	for (size_t i = 0; i < SEG_SIZE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(img + SEG_OFF + i, &x, 8);
	}
	*size = SEG_OFF + SEG_SIZE;
	return img;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd)) {
		close(fd);
		return -errno;
	}
	return close(fd) ? -errno : 0;
}

static void report(struct bench_result *r, const char *name, const char *unit,
		   double *v, double *b)
{
	double vmin, vmax;

	r->name = name;
	r->unit = unit;
	r->value = bench_median(v, RUNS);
	r->baseline = bench_median(b, RUNS);
	r->ratio = r->value / r->baseline;
	vmin = v[0];
	vmax = v[RUNS - 1];
	printf("%-28s %10.2f  %8.2f-%-8.2f %-5s %10.2f %7.2f\n", name, r->value,
	       vmin, vmax, unit, r->baseline, r->ratio);
}

int main(int argc, char **argv)
{
	const char *out = argc > 1 ? argv[1] : "build/bench/results.json";
	static const char *const own[] = {"elf_load", "coredump_inline"};
	double load[RUNS], copy[RUNS], dump[RUNS], wr[RUNS], t;
	struct alloc_count cnt = {0};
	struct rproc_alloc_hooks hooks = {count_malloc, count_free, &cnt};
	struct bench_result res[3];
	struct rproc_diag d = {{0}};
	struct rproc_config cfg;
	struct rproc *rproc;
	struct rproc_fw fw;
	char core[64], base[64];
	size_t img_size, peak = 0;
	uint8_t *img;
	int ret;

	remote_mem = malloc(SEG_SIZE);
	img = make_elf(&img_size);
	if (!remote_mem || !img) {
		fprintf(stderr, "bench_core: out of memory\n");
		return 1;
	}
	memset(remote_mem, 0xa5, SEG_SIZE); /* prefault the destination */
	fw.data = img;
	fw.size = img_size;
	fw.name = "bench.elf";

	rproc_config_init(&cfg);
	cfg.name = "bench";
	cfg.ops = &drv_ops;
	cfg.fw_ops = &rproc_fw_elf;
	cfg.always_on = false;
	ret = rproc_alloc(&cfg, &rproc);
	if (ret) {
		fprintf(stderr, "bench_core: rproc_alloc: %d\n", ret);
		return 1;
	}

	/* 1. ELF load vs memcpy, interleaved; alternate which goes first. */
	for (int i = 0; i < RUNS; i++) {
		for (int k = 0; k < 2; k++) {
			if ((k + i) % 2 == 0) {
				t = bench_now_ns();
				ret = rproc_fw_elf.sanity_check(rproc, &fw, &d);
				if (!ret)
					ret = rproc_fw_elf.load(rproc, &fw, &d);
				load[i] = (bench_now_ns() - t) / 1e6;
				if (ret) {
					fprintf(stderr,
						"bench_core: load: %d %s\n",
						ret, d.msg);
					return 1;
				}
			} else {
				t = bench_now_ns();
				memcpy(remote_mem, img + SEG_OFF, SEG_SIZE);
				copy[i] = (bench_now_ns() - t) / 1e6;
			}
		}
	}
	if (memcmp(remote_mem, img + SEG_OFF, SEG_SIZE)) {
		fprintf(stderr, "bench_core: loaded bytes differ\n");
		return 1;
	}

	/* 2. Inline coredump into the file sink vs write + fsync + close. */
	uint8_t regs[72];
	struct rproc_dump_thread th = {
		.tid = 1, .signo = 6, .regs = regs, .regs_size = sizeof(regs)};
	struct rproc_dump_segment seg = {
		.da = SEG_DA, .size = SEG_SIZE, .va = remote_mem};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000000,
		.remote = "bench",
		.firmware = "bench.elf",
		.crash = "fatal error",
		.crash_count = 1,
		.threads = &th,
		.nthreads = 1,
		.segs = &seg,
		.nsegs = 1,
	};
	for (size_t i = 0; i < sizeof(regs); i++)
		regs[i] = (uint8_t)i;
	snprintf(core, sizeof(core), "/tmp/rproc-bench-%d.core", (int)getpid());
	snprintf(base, sizeof(base), "/tmp/rproc-bench-%d.base", (int)getpid());
	for (int i = 0; i < RUNS; i++) {
		for (int k = 0; k < 2; k++) {
			if ((k + i) % 2 == 0) {
				struct rproc_dump_sink sink;

				unlink(core);
				rproc_set_alloc_hooks(&hooks);
				cnt.peak = cnt.live = 0;
				t = bench_now_ns();
				ret = rproc_dump_sink_file(&sink, core);
				if (!ret)
					ret = rproc_coredump_write(&desc, &sink,
								   &d);
				dump[i] = (bench_now_ns() - t) / 1e6;
				rproc_set_alloc_hooks(NULL);
				if (cnt.peak > peak)
					peak = cnt.peak;
				if (ret) {
					fprintf(stderr,
						"bench_core: dump: %d %s\n",
						ret, d.msg);
					return 1;
				}
			} else {
				unlink(base);
				t = bench_now_ns();
				ret = write_file(base, remote_mem, SEG_SIZE);
				wr[i] = (bench_now_ns() - t) / 1e6;
				if (ret) {
					fprintf(stderr,
						"bench_core: write: %d\n", ret);
					return 1;
				}
			}
		}
	}
	unlink(core);
	unlink(base);

	printf("bench_core: %d runs each; median, min-max; baseline median\n",
	       RUNS);
	printf("%-28s %10s  %-17s %-5s %10s %7s\n", "name", "median", "min-max",
	       "unit", "baseline", "ratio");
	report(&res[0], "elf_load_64MiB", "ms", load, copy);
	report(&res[1], "coredump_inline_64MiB", "ms", dump, wr);
	res[2].name = "coredump_inline_peak_extra";
	res[2].unit = "bytes";
	res[2].value = (double)peak;
	res[2].baseline = SEG_SIZE;
	res[2].ratio = (double)peak / SEG_SIZE;
	printf("%-28s %10zu  %-17s %-5s %10u %7.1e\n", res[2].name, peak,
	       "(max of runs)", "bytes", SEG_SIZE, res[2].ratio);

	rproc_destroy(rproc);
	free(img);
	free(remote_mem);
	if (bench_results_write(out, res, 3, own, 2)) {
		fprintf(stderr, "bench_core: cannot write %s\n", out);
		return 1;
	}
	return 0;
}
