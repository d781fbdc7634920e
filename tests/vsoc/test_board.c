/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC's devicetree board parser (src/drivers/vsoc/board.c,
 * binding docs/bindings/rproc,vsoc.txt).
 *
 * Groups (argument; none: "parse"):
 *   parse  boards/vsoc.dts and tests/vsoc/boards/wide.dts parse to the right
 *          values; every known board parses; vsoc_board_pa_to_da.
 *   bad    one mutation of a good blob per rule (libfdt's read-write API):
 *          -EINVAL and a message "<node path>: [property '<name>': ]...".
 *   fuzz   random byte flips and lengths: 0 or a negative error, no crash
 *          (run under ASan by make test-asan).
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "rproc/rsc_table.h"
#include "rproc/vsoc_regs.h"

#include "board.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SLACK 0x4000 /* room for mutations */

struct blob {
	void *fdt;
	size_t len;
};

static struct blob vsoc_blob, wide_blob;

static struct blob load(const char *path)
{
	struct blob b = {0};
	FILE *f = fopen(path, "rb");
	long n;

	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		exit(1);
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: cannot size\n", path);
		exit(1);
	}
	b.len = (size_t)n;
	b.fdt = malloc(b.len);
	if (!b.fdt || fread(b.fdt, 1, b.len, f) != b.len) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	return b;
}

static struct vsoc_board_desc *parse_ok(const struct blob *b)
{
	struct vsoc_board_desc *desc = NULL;
	struct rproc_diag d = {{0}};
	int ret = vsoc_board_parse(b->fdt, b->len, &desc, &d);

	if (ret)
		fail_msg("parse: %d: %s", ret, d.msg);
	assert_non_null(desc);
	return desc;
}

static const struct vsoc_core_desc *core(const struct vsoc_board_desc *b,
					 const char *name)
{
	for (size_t i = 0; i < b->ncores; i++) {
		if (!strcmp(b->cores[i].name, name))
			return &b->cores[i];
	}
	fail_msg("no core %s", name);
	return NULL;
}

/* The core's mems entry for region @name: its region (and da in *da). */
static const struct vsoc_region *mem(const struct vsoc_board_desc *b,
				     const struct vsoc_core_desc *c,
				     const char *name, uint64_t *da)
{
	for (size_t i = 0; i < c->nmems; i++) {
		const struct vsoc_region *r = &b->regions[c->mems[i].region];

		assert_true(c->mems[i].region < b->nregions);
		if (!strcmp(r->name, name)) {
			*da = c->mems[i].da;
			return r;
		}
	}
	fail_msg("core %s: no memory %s", c->name, name);
	return NULL;
}

static void expect_mem(const struct vsoc_board_desc *b,
		       const struct vsoc_core_desc *c, const char *name,
		       uint64_t pa, uint64_t size, uint64_t da, bool local,
		       bool pool)
{
	uint64_t got_da = 0;
	const struct vsoc_region *r = mem(b, c, name, &got_da);

	assert_int_equal(r->pa, pa);
	assert_int_equal(r->size, size);
	assert_int_equal(got_da, da);
	assert_int_equal(r->local, local);
	assert_int_equal(r->pool, pool);
}

/* ---- parse --------------------------------------------------------------- */

static void test_vsoc_cores(void **state)
{
	struct vsoc_board_desc *b = parse_ok(&vsoc_blob);
	const struct vsoc_core_desc *m4, *rv, *aon;

	(void)state;
	assert_string_equal(b->model, "rproc virtual SoC");
	assert_int_equal(b->ncores, 3);
	assert_string_equal(b->cores[0].name, "m4");
	assert_string_equal(b->cores[1].name, "rv");
	assert_string_equal(b->cores[2].name, "aon");
	m4 = core(b, "m4");
	rv = core(b, "rv");
	aon = core(b, "aon");
	assert_string_equal(m4->path, "/remoteproc/m4@0");
	assert_string_equal(rv->path, "/remoteproc/rv@1");
	assert_string_equal(aon->path, "/remoteproc/aon@2");
	assert_int_equal(m4->arch, VSOC_ARCH_CORTEX_M4);
	assert_int_equal(rv->arch, VSOC_ARCH_RV32);
	assert_int_equal(aon->arch, VSOC_ARCH_CORTEX_M4);
	assert_string_equal(m4->firmware, "hello-m4.elf");
	assert_string_equal(rv->firmware, "hello-rv32.elf");
	assert_string_equal(aon->firmware, "preboot-m4.elf");
	for (size_t i = 0; i < b->ncores; i++) {
		const struct vsoc_core_desc *c = &b->cores[i];

		assert_true(c->auto_boot);
		assert_int_equal(c->watchdog_ms, 1000);
		assert_false(c->raw);
		assert_int_equal(c->load_da, RPROC_ANY);
		assert_int_equal(c->entry, RPROC_ANY);
		assert_int_equal(c->vtor, 0);
		assert_int_equal(c->nrscs, 0);
	}
	assert_false(m4->started_at_power_on);
	assert_false(rv->started_at_power_on);
	assert_true(aon->started_at_power_on);
	assert_string_equal(m4->boot_firmware, "");
	assert_string_equal(aon->boot_firmware, "preboot-m4.elf");
	assert_int_equal(m4->mbox_base, 0x40000000);
	assert_int_equal(rv->mbox_base, 0x10000000);
	assert_int_equal(aon->mbox_base, 0x40000000);
	assert_int_equal(m4->nranges, 1);
	assert_int_equal(m4->ranges[0].da, 0x60000000);
	assert_int_equal(m4->ranges[0].pa, 0x90000000);
	assert_int_equal(m4->ranges[0].size, 0x100000);
	assert_int_equal(rv->nranges, 0);
	assert_int_equal(aon->nranges, 1);
	assert_int_equal(aon->ranges[0].pa, 0x90200000);
	vsoc_board_desc_free(b);
}

static void test_vsoc_memories(void **state)
{
	struct vsoc_board_desc *b = parse_ok(&vsoc_blob);
	const struct vsoc_core_desc *m4 = core(b, "m4");
	const struct vsoc_core_desc *rv = core(b, "rv");
	const struct vsoc_core_desc *aon = core(b, "aon");

	(void)state;
	/* 11 reserved + m4 2 + rv 1 + aon 2 local */
	assert_int_equal(b->nregions, 16);
	assert_int_equal(m4->nmems, 7);
	assert_int_equal(rv->nmems, 6);
	assert_int_equal(aon->nmems, 3);
	/* Local memories first, in node order. */
	assert_true(b->regions[m4->mems[0].region].local);
	assert_string_equal(b->regions[m4->mems[0].region].name, "tcm");
	assert_string_equal(b->regions[m4->mems[1].region].name, "sram");
	assert_string_equal(b->regions[m4->mems[2].region].name, "vdev0vring0");
	assert_string_equal(b->regions[m4->mems[2].region].path,
			    "/reserved-memory/vdev0vring0@90000000");
	expect_mem(b, m4, "tcm", 0x30000000, 0x40000, 0, true, false);
	expect_mem(b, m4, "sram", 0x30040000, 0x20000, 0x20000000, true, false);
	/* The m4 sees its shared regions through dma-ranges. */
	expect_mem(b, m4, "vdev0vring0", 0x90000000, 0x4000, 0x60000000, false,
		   false);
	expect_mem(b, m4, "vdev0vring1", 0x90004000, 0x4000, 0x60004000, false,
		   false);
	expect_mem(b, m4, "vdev0buffer", 0x90008000, 0x40000, 0x60008000, false,
		   false);
	expect_mem(b, m4, "rsc-table", 0x90048000, 0x1000, 0x60048000, false,
		   false);
	expect_mem(b, m4, "pool", 0x90050000, 0x20000, 0x60050000, false, true);
	/* The rv: identity. */
	expect_mem(b, rv, "ram", 0x31000000, 0x40000, 0x80000000, true, false);
	expect_mem(b, rv, "vdev0vring0", 0x90100000, 0x4000, 0x90100000, false,
		   false);
	expect_mem(b, rv, "vdev0vring1", 0x90104000, 0x4000, 0x90104000, false,
		   false);
	expect_mem(b, rv, "vdev0buffer", 0x90108000, 0x40000, 0x90108000, false,
		   false);
	expect_mem(b, rv, "rsc-table", 0x90148000, 0x1000, 0x90148000, false,
		   false);
	expect_mem(b, rv, "pool", 0x90150000, 0x20000, 0x90150000, false, true);
	expect_mem(b, aon, "tcm", 0x32000000, 0x40000, 0, true, false);
	expect_mem(b, aon, "sram", 0x32040000, 0x20000, 0x20000000, true,
		   false);
	expect_mem(b, aon, "rsc-table", 0x90248000, 0x1000, 0x60048000, false,
		   false);
	for (size_t i = 0; i < b->nregions; i++)
		assert_int_equal(b->regions[i].no_map, !b->regions[i].local);
	vsoc_board_desc_free(b);
}

static void test_wide(void **state)
{
	struct vsoc_board_desc *b = parse_ok(&wide_blob);
	const struct vsoc_core_desc *m4 = core(b, "m4");
	const struct vsoc_core_desc *rv = core(b, "rv");
	const struct rproc_rsc_desc *r;

	(void)state;
	assert_string_equal(b->model, "vsoc test: wide addresses");
	assert_int_equal(b->nregions, 5);
	assert_true(m4->raw);
	assert_string_equal(m4->firmware, "blob-m4.bin");
	assert_int_equal(m4->load_da, 0);
	assert_int_equal(m4->entry, 0x101);
	assert_int_equal(m4->vtor, 0x200);
	assert_false(m4->auto_boot);
	assert_int_equal(m4->watchdog_ms, 0);
	assert_int_equal(m4->nranges, 2);
	assert_int_equal(m4->ranges[1].da, 0x80000000);
	assert_int_equal(m4->ranges[1].pa, 0x100010000);
	assert_int_equal(m4->ranges[1].size, 0x10000);
	expect_mem(b, m4, "flash", 0x200000000, 0x10000, 0, true, false);
	expect_mem(b, m4, "vdev0vring0", 0x100000000, 0x4000, 0x70000000, false,
		   false);
	expect_mem(b, m4, "pool", 0x100010000, 0x10000, 0x80000000, false,
		   true);
	assert_int_equal(m4->mbox_base, 0x40000000);

	assert_int_equal(m4->nrscs, 2);
	r = &m4->rscs[0];
	assert_int_equal(r->type, RSC_TRACE);
	assert_string_equal(r->name, "trace0");
	assert_int_equal(r->da, 0x8000);
	assert_int_equal(r->len, 0x800);
	assert_int_equal(r->pa, RPROC_ANY);
	r = &m4->rscs[1];
	assert_int_equal(r->type, RSC_VDEV);
	assert_string_equal(r->name, "vdev0");
	assert_int_equal(r->vdev.id, 7);
	assert_int_equal(r->vdev.dfeatures, 1);
	assert_int_equal(r->vdev.config_len, 16);
	assert_int_equal(r->vdev.num_vrings, 2);
	assert_int_equal(r->vdev.vring[0].num, 256);
	assert_int_equal(r->vdev.vring[0].align, 4096);
	assert_int_equal(r->vdev.vring[0].da, RPROC_ANY);
	assert_int_equal(r->vdev.vring[1].num, 128);
	assert_int_equal(r->vdev.vring[1].align, 64);
	assert_int_equal(r->vdev.vring[1].da, RPROC_ANY);

	/* 2-cell device addresses, 8-byte rproc,pa, defaults. */
	assert_false(rv->raw);
	assert_int_equal(rv->load_da, RPROC_ANY);
	assert_int_equal(rv->entry, RPROC_ANY);
	assert_string_equal(rv->firmware, "");
	expect_mem(b, rv, "ram", 0x40000000, 0x10000, 0x80000000, true, false);
	expect_mem(b, rv, "shared", 0x50000000, 0x1000, 0x50000000, false,
		   false);
	assert_int_equal(rv->mbox_base, 0x10000000);
	assert_int_equal(rv->nrscs, 1);
	r = &rv->rscs[0];
	assert_string_equal(r->name, "vdev1");
	assert_int_equal(r->vdev.dfeatures, RPROC_ANY); /* not said */
	assert_int_equal(r->vdev.config_len, 0);
	assert_int_equal(r->vdev.num_vrings, 1);
	assert_int_equal(r->vdev.vring[0].num, 64);
	assert_int_equal(r->vdev.vring[0].align, 16);
	vsoc_board_desc_free(b);
}

/* libfdt refuses blobs that are not 8-byte aligned: the parser copies. */
static void test_unaligned(void **state)
{
	uint8_t *buf = malloc(vsoc_blob.len + 8);
	struct blob b = {buf + 4, vsoc_blob.len};
	struct vsoc_board_desc *desc;

	(void)state;
	assert_non_null(buf);
	memcpy(b.fdt, vsoc_blob.fdt, b.len);
	desc = parse_ok(&b);
	assert_int_equal(desc->ncores, 3);
	assert_string_equal(desc->cores[2].boot_firmware, "preboot-m4.elf");
	vsoc_board_desc_free(desc);
	free(buf);
}

/* Every board of the tree (boards/, the integration tests', ours). */
static void test_all_boards(void **state)
{
	char list[] = VB_ALL_DTBS;
	int n = 0;

	(void)state;
	for (char *path = strtok(list, ":"); path; path = strtok(NULL, ":")) {
		struct blob b = load(path);
		struct vsoc_board_desc *desc = NULL;
		struct rproc_diag d = {{0}};
		int ret = vsoc_board_parse(b.fdt, b.len, &desc, &d);

		if (ret)
			fail_msg("%s: %d: %s", path, ret, d.msg);
		vsoc_board_desc_free(desc);
		free(b.fdt);
		n++;
	}
	assert_true(n >= 2);
}

static void expect_da(const struct vsoc_board_desc *b,
		      const struct vsoc_core_desc *c, uint64_t pa, uint64_t len,
		      int ret, uint64_t da)
{
	uint64_t got = 0x1234;

	assert_int_equal(vsoc_board_pa_to_da(b, c, pa, len, &got), ret);
	if (!ret)
		assert_int_equal(got, da);
}

static void test_pa_to_da(void **state)
{
	struct vsoc_board_desc *b = parse_ok(&vsoc_blob);
	const struct vsoc_core_desc *m4 = core(b, "m4");
	const struct vsoc_core_desc *rv = core(b, "rv");

	(void)state;
	expect_da(b, m4, 0x90000000, 0x1000, 0, 0x60000000);
	expect_da(b, m4, 0x900ff000, 0x1000, 0, 0x600ff000);
	expect_da(b, m4, 0x90000000, 0x100000, 0, 0x60000000);
	expect_da(b, m4, 0x90000000, 0x100001, -EFAULT, 0);
	expect_da(b, m4, 0x900ff000, 0x2000, -EFAULT, 0);
	expect_da(b, m4, 0x8ffff000, 0x2000, -EFAULT, 0);
	expect_da(b, m4, 0x90100000, 0x1000, -EFAULT, 0); /* the rv's */
	expect_da(b, m4, 0x90050010, 0, 0, 0x60050010);	  /* len 0: the byte */
	/* Local memories: seen at their device address. */
	expect_da(b, m4, 0x30040100, 0x100, 0, 0x20000100);
	expect_da(b, m4, 0x30000000, 0x40000, 0, 0);
	expect_da(b, rv, 0x31000000, 0x1000, 0, 0x80000000);
	/* No dma-ranges: identity. */
	expect_da(b, rv, 0x90100000, 0x1000, 0, 0x90100000);
	expect_da(b, rv, 0x12345678, 0x10, 0, 0x12345678);
	expect_da(b, rv, UINT64_MAX - 0xf, 0x20, -EFAULT, 0); /* wraps */
	vsoc_board_desc_free(b);
}

/* ---- bad ------------------------------------------------------------------ */

/* A writable copy of @src with room to grow. */
static void *rw_copy(const struct blob *src, size_t *len)
{
	size_t n = src->len + SLACK;
	void *fdt = malloc(n);

	assert_non_null(fdt);
	assert_int_equal(fdt_open_into(src->fdt, fdt, (int)n), 0);
	*len = n;
	return fdt;
}

static int off(void *fdt, const char *path)
{
	int o = fdt_path_offset(fdt, path);

	if (o < 0)
		fail_msg("%s: %s", path, fdt_strerror(o));
	return o;
}

static void set_raw(void *fdt, const char *path, const char *prop,
		    const void *v, int len)
{
	assert_int_equal(fdt_setprop(fdt, off(fdt, path), prop, v, len), 0);
}

static void set_str(void *fdt, const char *path, const char *prop,
		    const char *s)
{
	assert_int_equal(fdt_setprop_string(fdt, off(fdt, path), prop, s), 0);
}

static void set_u32(void *fdt, const char *path, const char *prop, uint32_t v)
{
	assert_int_equal(fdt_setprop_u32(fdt, off(fdt, path), prop, v), 0);
}

static void set_empty(void *fdt, const char *path, const char *prop)
{
	assert_int_equal(fdt_setprop_empty(fdt, off(fdt, path), prop), 0);
}

/* @n cells (at most 32). */
static void set_cells(void *fdt, const char *path, const char *prop, int n, ...)
{
	fdt32_t c[32];
	va_list ap;

	assert_true(n <= 32);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	va_end(ap);
	set_raw(fdt, path, prop, c, 4 * n);
}

static void del_prop(void *fdt, const char *path, const char *prop)
{
	assert_int_equal(fdt_delprop(fdt, off(fdt, path), prop), 0);
}

static void del_node(void *fdt, const char *path)
{
	assert_int_equal(fdt_del_node(fdt, off(fdt, path)), 0);
}

static int add_node(void *fdt, const char *parent, const char *name)
{
	int o = fdt_add_subnode(fdt, off(fdt, parent), name);

	if (o < 0)
		fail_msg("add %s/%s: %s", parent, name, fdt_strerror(o));
	return o;
}

static void rename_node(void *fdt, const char *path, const char *name)
{
	assert_int_equal(fdt_set_name(fdt, off(fdt, path), name), 0);
}

#define M4 "/remoteproc/m4@0"
#define RV "/remoteproc/rv@1"
#define AON "/remoteproc/aon@2"
#define VRING0 "/reserved-memory/vdev0vring0@90000000"
#define VRING1 "/reserved-memory/vdev0vring1@90004000"
#define BUFFER "/reserved-memory/vdev0buffer@90008000"
#define POOL "/reserved-memory/pool@90050000"
#define TCM M4 "/tcm@0"
#define SRAM M4 "/sram@20000000"
#define MBOX M4 "/mailbox@40000000"
#define W_M4 "/remoteproc/m4@0"
#define W_RV "/remoteproc/rv@1"
#define W_VDEV W_M4 "/resources/vdev0"
#define W_TRACE W_M4 "/resources/trace0"

/* A mutation: a function of the writable blob. */
#define MUT(name) static void name(void *fdt)

MUT(root_no_compatible)
{
	del_prop(fdt, "/", "compatible");
}
MUT(root_bad_compatible)
{
	set_str(fdt, "/", "compatible", "acme,board");
}
MUT(root_address_cells_3)
{
	set_u32(fdt, "/", "#address-cells", 3);
}
MUT(root_size_cells_0)
{
	set_u32(fdt, "/", "#size-cells", 0);
}
MUT(model_not_string)
{
	set_raw(fdt, "/", "model", "abcd", 4);
}
MUT(model_too_long)
{
	set_str(fdt, "/", "model",
		"a model name that is far too long for the sixty-four bytes "
		"of the description");
}
MUT(resmem_ranges)
{
	set_cells(fdt, "/reserved-memory", "ranges", 3, 0, 0, 1);
}
MUT(resmem_cells)
{
	set_u32(fdt, "/reserved-memory", "#size-cells", 5);
}
MUT(region_no_reg)
{
	del_prop(fdt, VRING0, "reg");
}
MUT(region_reg_short)
{
	set_u32(fdt, VRING0, "reg", 0x90000000);
}
MUT(region_reg_long)
{
	set_cells(fdt, VRING0, "reg", 3, 0x90000000, 0, 0x1);
}
MUT(region_unaligned)
{
	set_cells(fdt, VRING0, "reg", 2, 0x90000100, 0x3000);
}
MUT(region_size_unaligned)
{
	set_cells(fdt, VRING0, "reg", 2, 0x90000000, 0x3ff0);
}
MUT(region_size_zero)
{
	set_cells(fdt, VRING0, "reg", 2, 0x90000000, 0);
}
MUT(region_wraps)
{
	set_cells(fdt, "/reserved-memory/shared@50000000", "reg", 4, 0xffffffff,
		  0xfffff000, 0x0, 0x2000);
}
MUT(region_overlap)
{
	set_cells(fdt, VRING1, "reg", 2, 0x90002000, 0x4000);
}
MUT(region_overlaps_local)
{
	int o = add_node(fdt, "/reserved-memory", "stolen@30010000");
	fdt32_t reg[] = {cpu_to_fdt32(0x30010000), cpu_to_fdt32(0x1000)};

	assert_int_equal(fdt_setprop(fdt, o, "reg", reg, sizeof(reg)), 0);
}
MUT(region_bad_compatible)
{
	set_str(fdt, POOL, "compatible", "cma-pool");
}
MUT(region_no_map_value)
{
	set_u32(fdt, VRING0, "no-map", 1);
}
MUT(region_name_too_long)
{
	rename_node(fdt, VRING0, "a-reserved-region-name-of-40-bytes-xxxxx");
}
MUT(no_remoteproc)
{
	del_node(fdt, "/remoteproc");
}
MUT(zero_cores)
{
	del_node(fdt, M4);
	del_node(fdt, RV);
	del_node(fdt, AON);
}
MUT(core_no_compatible)
{
	del_prop(fdt, M4, "compatible");
}
MUT(core_bad_compatible)
{
	set_str(fdt, M4, "compatible", "rproc,vsoc-cortex-a53");
}
MUT(core_compatible_not_string)
{
	set_raw(fdt, M4, "compatible", "rpro", 4);
}
MUT(fw_name_not_string)
{
	set_raw(fdt, M4, "firmware-name", "m4.elf", 6);
}
MUT(fw_name_embedded_nul)
{
	set_raw(fdt, M4, "firmware-name", "a\0b", 4);
}
MUT(fw_name_empty)
{
	set_raw(fdt, M4, "firmware-name", "", 1);
}
MUT(fw_name_u32)
{
	set_u32(fdt, M4, "firmware-name", 0x41424344);
}
MUT(fw_name_too_long)
{
	char name[VSOC_FW_NAME_LEN + 1];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	set_str(fdt, M4, "firmware-name", name);
}
MUT(auto_boot_value)
{
	set_u32(fdt, M4, "rproc,auto-boot", 1);
}
MUT(watchdog_long)
{
	set_cells(fdt, M4, "rproc,watchdog-timeout-ms", 2, 0, 1);
}
MUT(watchdog_empty)
{
	set_empty(fdt, M4, "rproc,watchdog-timeout-ms");
}
MUT(vtor_on_rv32)
{
	set_u32(fdt, RV, "rproc,vtor", 0);
}
MUT(vtor_unaligned)
{
	set_u32(fdt, M4, "rproc,vtor", 0x104);
}
MUT(format_unknown)
{
	set_str(fdt, M4, "rproc,firmware-format", "ihex");
}
MUT(format_list)
{
	set_raw(fdt, M4, "rproc,firmware-format", "raw\0elf", 8);
}
MUT(load_address_on_elf)
{
	set_u32(fdt, M4, "rproc,load-address", 0);
}
MUT(entry_on_elf)
{
	set_u32(fdt, RV, "rproc,entry", 0x80000000);
}
MUT(power_on_no_boot_fw)
{
	del_prop(fdt, AON, "rproc,boot-firmware");
}
MUT(boot_fw_not_power_on)
{
	set_str(fdt, M4, "rproc,boot-firmware", "preboot-m4.elf");
}
MUT(power_on_value)
{
	set_u32(fdt, AON, "rproc,started-at-power-on", 1);
}
MUT(duplicate_core)
{
	rename_node(fdt, RV, "m4@1");
}
MUT(core_name_too_long)
{
	rename_node(fdt, RV, "a-core-name-of-thirty-two-bytes-@1");
}
MUT(core_address_cells)
{
	set_u32(fdt, M4, "#address-cells", 3);
}
MUT(core_unknown_child)
{
	int o = add_node(fdt, M4, "timer@50000000");

	assert_int_equal(fdt_setprop_string(fdt, o, "compatible", "acme,timer"),
			 0);
}
MUT(core_child_no_compatible)
{
	add_node(fdt, M4, "timer@50000000");
}
MUT(too_many_cores)
{
	for (int i = 3; i < 3 + VSOC_MAX_CORES; i++) {
		char name[16];
		int c, m;
		fdt32_t reg[] = {0, cpu_to_fdt32(VSOC_MBOX_SIZE)};

		snprintf(name, sizeof(name), "c%d@%d", i, i);
		c = add_node(fdt, "/remoteproc", name);
		assert_int_equal(fdt_setprop_string(fdt, c, "compatible",
						    "rproc,vsoc-rv32"),
				 0);
		assert_int_equal(fdt_setprop_u32(fdt, c, "#address-cells", 1),
				 0);
		assert_int_equal(fdt_setprop_u32(fdt, c, "#size-cells", 1), 0);
		m = fdt_add_subnode(fdt, c, "mailbox@0");
		assert_true(m >= 0);
		assert_int_equal(fdt_setprop_string(fdt, m, "compatible",
						    "rproc,vsoc-mailbox"),
				 0);
		assert_int_equal(fdt_setprop(fdt, m, "reg", reg, sizeof(reg)),
				 0);
	}
}
MUT(no_mailbox)
{
	del_node(fdt, MBOX);
}
MUT(mailbox_size)
{
	set_cells(fdt, MBOX, "reg", 2, 0x40000000, 0x2000);
}
MUT(mailbox_unaligned)
{
	set_cells(fdt, MBOX, "reg", 2, 0x40000800, 0x1000);
}
MUT(mailbox_reg_long)
{
	set_cells(fdt, MBOX, "reg", 4, 0x40000000, 0x1000, 0x0, 0x1000);
}
MUT(mailbox_no_reg)
{
	del_prop(fdt, MBOX, "reg");
}
MUT(two_mailboxes)
{
	int o = add_node(fdt, M4, "mailbox@50000000");
	fdt32_t reg[] = {cpu_to_fdt32(0x50000000), cpu_to_fdt32(0x1000)};

	assert_int_equal(
		fdt_setprop_string(fdt, o, "compatible", "rproc,vsoc-mailbox"),
		0);
	assert_int_equal(fdt_setprop(fdt, o, "reg", reg, sizeof(reg)), 0);
}
MUT(mailbox_overlaps_mem)
{
	set_cells(fdt, MBOX, "reg", 2, 0x20010000, 0x1000);
}
MUT(mem_da_unaligned)
{
	set_cells(fdt, TCM, "reg", 2, 0x100, 0x40000);
}
MUT(mem_size_unaligned)
{
	set_cells(fdt, TCM, "reg", 2, 0x0, 0x40010);
}
MUT(mem_pa_unaligned)
{
	set_u32(fdt, TCM, "rproc,pa", 0x30000800);
}
MUT(mem_no_pa)
{
	del_prop(fdt, TCM, "rproc,pa");
}
MUT(mem_pa_3_cells)
{
	set_cells(fdt, TCM, "rproc,pa", 3, 0, 0, 0x30000000);
}
MUT(mem_pa_short)
{
	set_raw(fdt, TCM, "rproc,pa", "\x30\x00", 2);
}
MUT(mem_reg_short)
{
	set_u32(fdt, TCM, "reg", 0);
}
MUT(mem_pa_overlap)
{
	set_u32(fdt, SRAM, "rproc,pa", 0x30020000);
}
MUT(mem_da_overlap)
{
	set_cells(fdt, SRAM, "reg", 2, 0x30000, 0x20000);
}
MUT(mem_beyond_4g)
{
	set_cells(fdt, W_RV "/ram@80000000", "reg", 4, 1, 0, 0, 0x10000);
}
MUT(region_da_overlaps_mem)
{
	set_cells(fdt, M4, "dma-ranges", 3, 0x0, 0x90000000, 0x100000);
}
MUT(region_twice)
{
	uint32_t ph = fdt_get_phandle(fdt, off(fdt, VRING0));

	set_cells(fdt, M4, "memory-region", 2, ph, ph);
}
MUT(phandle_dangling)
{
	set_cells(fdt, M4, "memory-region", 1, 0x1234);
}
MUT(phandle_zero)
{
	set_cells(fdt, M4, "memory-region", 1, 0);
}
MUT(phandle_not_region)
{
	set_u32(fdt, RV, "phandle", 0x777);
	set_cells(fdt, M4, "memory-region", 1, 0x777);
}
MUT(memory_region_short)
{
	set_raw(fdt, M4, "memory-region", "\0\0\0", 3);
}
MUT(memory_region_too_many)
{
	fdt32_t ph[VSOC_MAX_CORE_MEMS + 1];

	for (size_t i = 0; i < ARRAY_SIZE(ph); i++)
		ph[i] = cpu_to_fdt32(fdt_get_phandle(fdt, off(fdt, VRING0)));
	set_raw(fdt, M4, "memory-region", ph, sizeof(ph));
}
MUT(region_outside_ranges)
{
	set_cells(fdt, M4, "dma-ranges", 3, 0x60000000, 0x90000000, 0x10000);
}
MUT(region_between_ranges)
{
	set_cells(fdt, M4, "dma-ranges", 6, 0x60000000, 0x90000000, 0x6000,
		  0x70000000, 0x90006000, 0xfa000);
}
MUT(dma_ranges_length)
{
	set_cells(fdt, M4, "dma-ranges", 4, 0, 0, 0, 0);
}
MUT(dma_ranges_size_zero)
{
	set_cells(fdt, M4, "dma-ranges", 3, 0x60000000, 0x90000000, 0);
}
MUT(dma_ranges_too_many)
{
	fdt32_t r[3 * (VSOC_MAX_RANGES + 1)];

	for (size_t i = 0; i < ARRAY_SIZE(r); i += 3) {
		r[i] = cpu_to_fdt32(0x60000000 + (uint32_t)i * 0x100000);
		r[i + 1] = cpu_to_fdt32(0x90000000 + (uint32_t)i * 0x100000);
		r[i + 2] = cpu_to_fdt32(0x100000);
	}
	set_raw(fdt, M4, "dma-ranges", r, sizeof(r));
}
MUT(vring_num_not_pow2)
{
	set_cells(fdt, W_VDEV, "rproc,vrings", 4, 100, 4096, 128, 64);
}
MUT(vring_num_zero)
{
	set_cells(fdt, W_VDEV, "rproc,vrings", 2, 0, 4096);
}
MUT(vring_align_not_pow2)
{
	set_cells(fdt, W_VDEV, "rproc,vrings", 4, 256, 4096, 128, 48);
}
MUT(vrings_3_pairs)
{
	set_cells(fdt, W_VDEV, "rproc,vrings", 6, 256, 4096, 256, 4096, 256,
		  4096);
}
MUT(vrings_odd)
{
	set_cells(fdt, W_VDEV, "rproc,vrings", 3, 256, 4096, 256);
}
MUT(vrings_missing)
{
	del_prop(fdt, W_VDEV, "rproc,vrings");
}
MUT(vdev_no_id)
{
	del_prop(fdt, W_VDEV, "rproc,virtio-id");
}
MUT(vdev_id_zero)
{
	set_u32(fdt, W_VDEV, "rproc,virtio-id", 0);
}
MUT(vdev_features_long)
{
	set_cells(fdt, W_VDEV, "rproc,features", 2, 0, 1);
}
MUT(vdev_bad_name)
{
	rename_node(fdt, W_VDEV, "virtio0");
}
MUT(vdev_name_no_digits)
{
	rename_node(fdt, W_VDEV, "vdevx");
}
MUT(trace_no_len)
{
	del_prop(fdt, W_TRACE, "rproc,len");
}
MUT(trace_no_da)
{
	del_prop(fdt, W_TRACE, "rproc,da");
}
MUT(trace_len_zero)
{
	set_u32(fdt, W_TRACE, "rproc,len", 0);
}
MUT(resource_bad_compatible)
{
	set_str(fdt, W_TRACE, "compatible", "rproc,vsoc-carveout");
}
MUT(resource_duplicate_trace)
{
	int o = add_node(fdt, W_M4 "/resources", "trace0@1");

	assert_int_equal(
		fdt_setprop_string(fdt, o, "compatible", "rproc,vsoc-trace"),
		0);
	assert_int_equal(fdt_setprop_u32(fdt, o, "rproc,da", 0x9000), 0);
	assert_int_equal(fdt_setprop_u32(fdt, o, "rproc,len", 0x100), 0);
}
MUT(too_many_resources)
{
	for (int i = 1; i < VSOC_MAX_CORE_RSCS; i++) {
		char name[16];
		int o;

		snprintf(name, sizeof(name), "trace%d", i);
		o = add_node(fdt, W_M4 "/resources", name);
		assert_int_equal(fdt_setprop_string(fdt, o, "compatible",
						    "rproc,vsoc-trace"),
				 0);
		assert_int_equal(fdt_setprop_u32(fdt, o, "rproc,da", 0x9000),
				 0);
		assert_int_equal(fdt_setprop_u32(fdt, o, "rproc,len", 0x100),
				 0);
	}
}
MUT(raw_load_address_long)
{
	set_cells(fdt, W_M4, "rproc,load-address", 2, 0, 0);
}
MUT(wide_pa_one_cell_region)
{
	set_cells(fdt, "/reserved-memory/shared@50000000", "reg", 2, 0x50000000,
		  0x1000);
}
MUT(wide_rv_mem_reg_1_cell)
{
	set_cells(fdt, W_RV "/ram@80000000", "reg", 2, 0x80000000, 0x10000);
}
MUT(wide_dma_ranges_1_cell_pa)
{
	set_cells(fdt, W_M4, "dma-ranges", 3, 0x70000000, 0x00000000, 0x8000);
}

struct bad_case {
	const char *name;
	bool wide; /* start from tests/vsoc/boards/wide.dts */
	void (*mutate)(void *fdt);
	const char *path; /* the message starts with "<path>: " */
	const char *prop; /* it then says "property '<prop>': " */
	const char *text; /* and contains this */
};

#define BAD(fn, path, prop, text)                                              \
	{                                                                      \
#fn, false, fn, path, prop, text                               \
	}
#define WBAD(fn, path, prop, text)                                             \
	{                                                                      \
#fn, true, fn, path, prop, text                                \
	}

static const struct bad_case bad_cases[] = {
	BAD(root_no_compatible, "/", "compatible", "missing"),
	BAD(root_bad_compatible, "/", "compatible", "\"acme,board\""),
	BAD(root_address_cells_3, "/", "#address-cells", "1 or 2"),
	BAD(root_size_cells_0, "/", "#size-cells", "1 or 2"),
	BAD(model_not_string, "/", "model", "not a NUL-terminated string"),
	BAD(model_too_long, "/", "model", "too long"),
	BAD(resmem_ranges, "/reserved-memory", "ranges", "empty"),
	BAD(resmem_cells, "/reserved-memory", "#size-cells", "1 or 2"),
	BAD(region_no_reg, VRING0, "reg", "missing"),
	BAD(region_reg_short, VRING0, "reg", "wrong length"),
	BAD(region_reg_long, VRING0, "reg", "wrong length"),
	BAD(region_unaligned, VRING0, "reg", "not 4 KiB aligned"),
	BAD(region_size_unaligned, VRING0, "reg", "not 4 KiB aligned"),
	BAD(region_size_zero, VRING0, "reg", "size is 0"),
	WBAD(region_wraps, "/reserved-memory/shared@50000000", "reg", "wraps"),
	BAD(region_overlap, VRING1, "reg", "overlaps " VRING0),
	BAD(region_overlaps_local, TCM, "rproc,pa",
	    "overlaps /reserved-memory/stolen@30010000"),
	BAD(region_bad_compatible, POOL, "compatible", "\"cma-pool\""),
	BAD(region_no_map_value, VRING0, "no-map", "boolean"),
	BAD(region_name_too_long, "/reserved-memory/a-reserved-region", NULL,
	    "name too long"),
	BAD(no_remoteproc, "/", NULL, "no remoteproc node"),
	BAD(zero_cores, "/remoteproc", NULL, "no remote cores"),
	BAD(core_no_compatible, M4, "compatible", "missing"),
	BAD(core_bad_compatible, M4, "compatible",
	    "unsupported value \"rproc,vsoc-cortex-a53\""),
	BAD(core_compatible_not_string, M4, "compatible", "NUL-terminated"),
	BAD(fw_name_not_string, M4, "firmware-name",
	    "not a NUL-terminated string"),
	BAD(fw_name_embedded_nul, M4, "firmware-name",
	    "not a NUL-terminated string"),
	BAD(fw_name_empty, M4, "firmware-name", "empty"),
	BAD(fw_name_u32, M4, "firmware-name", "not a NUL-terminated string"),
	BAD(fw_name_too_long, M4, "firmware-name", "too long"),
	BAD(auto_boot_value, M4, "rproc,auto-boot", "boolean"),
	BAD(watchdog_long, M4, "rproc,watchdog-timeout-ms", "wrong length"),
	BAD(watchdog_empty, M4, "rproc,watchdog-timeout-ms", "wrong length"),
	BAD(vtor_on_rv32, RV, "rproc,vtor", "Cortex-M"),
	BAD(vtor_unaligned, M4, "rproc,vtor", "aligned"),
	BAD(format_unknown, M4, "rproc,firmware-format", "\"ihex\""),
	BAD(format_list, M4, "rproc,firmware-format", "NUL-terminated"),
	BAD(load_address_on_elf, M4, "rproc,load-address", "raw"),
	BAD(entry_on_elf, RV, "rproc,entry", "raw"),
	BAD(power_on_no_boot_fw, AON, "rproc,boot-firmware", "missing"),
	BAD(boot_fw_not_power_on, M4, "rproc,boot-firmware",
	    "rproc,started-at-power-on"),
	BAD(power_on_value, AON, "rproc,started-at-power-on", "boolean"),
	BAD(duplicate_core, "/remoteproc/m4@1", NULL,
	    "duplicate core name \"m4\""),
	BAD(core_name_too_long, "/remoteproc/a-core-name", NULL,
	    "name too long"),
	BAD(core_address_cells, M4, "#address-cells", "1 or 2"),
	BAD(core_unknown_child, M4 "/timer@50000000", "compatible",
	    "\"acme,timer\""),
	BAD(core_child_no_compatible, M4 "/timer@50000000", "compatible",
	    "missing"),
	/* fdt_add_subnode() adds the new nodes first: the 9th is m4. */
	BAD(too_many_cores, M4, NULL, "too many remote cores"),
	BAD(no_mailbox, M4, NULL, "no \"rproc,vsoc-mailbox\" child"),
	BAD(mailbox_size, MBOX, "reg", "mailbox size 0x2000"),
	BAD(mailbox_unaligned, MBOX, "reg", "not 4 KiB aligned"),
	BAD(mailbox_reg_long, MBOX, "reg", "wrong length"),
	BAD(mailbox_no_reg, MBOX, "reg", "missing"),
	BAD(two_mailboxes, MBOX, NULL, "second"), /* the new one is first */
	BAD(mailbox_overlaps_mem, MBOX, "reg", "overlaps " SRAM),
	BAD(mem_da_unaligned, TCM, "reg", "not 4 KiB aligned"),
	BAD(mem_size_unaligned, TCM, "reg", "not 4 KiB aligned"),
	BAD(mem_pa_unaligned, TCM, "rproc,pa", "not 4 KiB aligned"),
	BAD(mem_no_pa, TCM, "rproc,pa", "missing"),
	BAD(mem_pa_3_cells, TCM, "rproc,pa", "wrong length"),
	BAD(mem_pa_short, TCM, "rproc,pa", "wrong length"),
	BAD(mem_reg_short, TCM, "reg", "wrong length"),
	BAD(mem_pa_overlap, SRAM, "rproc,pa", "overlaps " TCM),
	BAD(mem_da_overlap, SRAM, "reg", "overlaps " TCM),
	WBAD(mem_beyond_4g, W_RV "/ram@80000000", "reg", "32-bit"),
	BAD(region_da_overlaps_mem, M4, "memory-region",
	    "of " VRING0 " overlaps " TCM),
	BAD(region_twice, M4, "memory-region", "overlaps " VRING0),
	BAD(phandle_dangling, M4, "memory-region",
	    "phandle 0x1234 does not resolve"),
	BAD(phandle_zero, M4, "memory-region", "does not resolve"),
	BAD(phandle_not_region, M4, "memory-region",
	    RV " is not a /reserved-memory child"),
	BAD(memory_region_short, M4, "memory-region", "wrong length"),
	BAD(memory_region_too_many, M4, "memory-region", "17 entries"),
	BAD(region_outside_ranges, M4, "memory-region",
	    BUFFER " (pa 0x90008000-0x90047fff) is not inside one dma-ranges"),
	BAD(region_between_ranges, M4, "memory-region",
	    VRING1 " (pa 0x90004000-0x90007fff) is not inside one dma-ranges"),
	BAD(dma_ranges_length, M4, "dma-ranges", "wrong length"),
	BAD(dma_ranges_size_zero, M4, "dma-ranges", "size 0x0"),
	BAD(dma_ranges_too_many, M4, "dma-ranges", "9 entries"),
	WBAD(vring_num_not_pow2, W_VDEV, "rproc,vrings",
	     "vring 0: num 100 not a power of two"),
	WBAD(vring_num_zero, W_VDEV, "rproc,vrings", "num 0"),
	WBAD(vring_align_not_pow2, W_VDEV, "rproc,vrings",
	     "vring 1: align 48 not a power of two"),
	WBAD(vrings_3_pairs, W_VDEV, "rproc,vrings", "3 entries"),
	WBAD(vrings_odd, W_VDEV, "rproc,vrings", "wrong length"),
	WBAD(vrings_missing, W_VDEV, "rproc,vrings", "missing"),
	WBAD(vdev_no_id, W_VDEV, "rproc,virtio-id", "missing"),
	WBAD(vdev_id_zero, W_VDEV, "rproc,virtio-id", "is 0"),
	WBAD(vdev_features_long, W_VDEV, "rproc,features", "wrong length"),
	WBAD(vdev_bad_name, W_M4 "/resources/virtio0", NULL, "vdev<N>"),
	WBAD(vdev_name_no_digits, W_M4 "/resources/vdevx", NULL, "vdev<N>"),
	WBAD(trace_no_len, W_TRACE, "rproc,len", "missing"),
	WBAD(trace_no_da, W_TRACE, "rproc,da", "missing"),
	WBAD(trace_len_zero, W_TRACE, "rproc,len", "is 0"),
	WBAD(resource_bad_compatible, W_TRACE, "compatible",
	     "\"rproc,vsoc-carveout\""),
	WBAD(resource_duplicate_trace, W_TRACE, NULL,
	     "duplicate resource name \"trace0\""),
	WBAD(too_many_resources, W_VDEV, NULL,
	     "too many resources for core m4"),
	WBAD(raw_load_address_long, W_M4, "rproc,load-address", "wrong length"),
	WBAD(wide_pa_one_cell_region, "/reserved-memory/shared@50000000", "reg",
	     "wrong length"),
	WBAD(wide_rv_mem_reg_1_cell, W_RV "/ram@80000000", "reg",
	     "wrong length"),
	WBAD(wide_dma_ranges_1_cell_pa, W_M4, "dma-ranges", "wrong length"),
};

static void expect_einval(const void *fdt, size_t len, const char *path,
			  const char *prop, const char *text)
{
	struct vsoc_board_desc *desc = (void *)1;
	struct rproc_diag d = {{0}};
	char want[512];
	int ret = vsoc_board_parse(fdt, len, &desc, &d);

	if (ret != -EINVAL)
		fail_msg("parse returned %d (want -EINVAL): \"%s\"", ret,
			 d.msg);
	assert_null(desc);
	if (path) {
		snprintf(want, sizeof(want), "%s", path);
		if (strncmp(d.msg, want, strlen(want)))
			fail_msg("message \"%s\" does not start with \"%s\"",
				 d.msg, want);
	}
	if (prop) {
		snprintf(want, sizeof(want), ": property '%s': ", prop);
		if (!strstr(d.msg, want))
			fail_msg("message \"%s\" lacks \"%s\"", d.msg, want);
	}
	if (text && !strstr(d.msg, text))
		fail_msg("message \"%s\" lacks \"%s\"", d.msg, text);
}

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	size_t len;
	void *fdt = rw_copy(c->wide ? &wide_blob : &vsoc_blob, &len);
	struct vsoc_board_desc *desc;
	struct rproc_diag d = {{0}};

	/* The copy parses before the mutation... */
	assert_int_equal(vsoc_board_parse(fdt, len, &desc, &d), 0);
	vsoc_board_desc_free(desc);
	c->mutate(fdt);
	/* ...and fails with the right message after it (also packed). */
	expect_einval(fdt, len, c->path, c->prop, c->text);
	assert_int_equal(fdt_pack(fdt), 0);
	expect_einval(fdt, fdt_totalsize(fdt), c->path, c->prop, c->text);
	free(fdt);
}

static void test_blob_garbage(void **state)
{
	uint8_t junk[256];

	(void)state;
	memset(junk, 0xa5, sizeof(junk));
	expect_einval(junk, sizeof(junk), NULL, NULL, "not a valid FDT blob");
	memset(junk, 0, sizeof(junk));
	expect_einval(junk, sizeof(junk), NULL, NULL, "not a valid FDT blob");
	expect_einval(NULL, 100, NULL, NULL, "not a valid FDT blob");
}

static void test_blob_short(void **state)
{
	size_t n = vsoc_blob.len;
	uint8_t *copy = malloc(n);

	(void)state;
	assert_non_null(copy);
	/* Lengths below the header, below totalsize: refused before any read
	 * past @len (ASan: the copy is exactly @len bytes). */
	for (size_t len = 0; len < n; len += len < 64 ? 1 : 97) {
		uint8_t *b = malloc(len ? len : 1);

		memcpy(b, vsoc_blob.fdt, len);
		expect_einval(b, len, NULL, NULL, "not a valid FDT blob");
		free(b);
	}
	/* A totalsize larger than the buffer. */
	memcpy(copy, vsoc_blob.fdt, n);
	expect_einval(copy, n - 1, NULL, NULL, "totalsize");
	/* A header claiming a struct block past the end. */
	((struct fdt_header *)copy)->size_dt_struct = cpu_to_fdt32(0x100000);
	expect_einval(copy, n, NULL, NULL, "not a valid FDT blob");
	free(copy);
}

static void test_bad_args(void **state)
{
	struct rproc_diag d = {{0}};

	(void)state;
	assert_int_equal(
		vsoc_board_parse(vsoc_blob.fdt, vsoc_blob.len, NULL, &d),
		-EINVAL);
	/* A NULL diag is allowed. */
	assert_int_equal(
		vsoc_board_parse("", 0, &(struct vsoc_board_desc *){0}, NULL),
		-EINVAL);
	vsoc_board_desc_free(NULL);
}

/* ---- fuzz ----------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 16);
}

/* Flip 1..4 bytes of @src (sometimes cut it short) and parse an exact-size
 * copy: 0 or a negative error, never a crash or an overread. */
static void fuzz(const struct blob *src, int iterations, int *ok)
{
	for (int it = 0; it < iterations; it++) {
		size_t len = src->len;
		uint8_t *b;
		struct vsoc_board_desc *desc = NULL;
		struct rproc_diag d = {{0}};
		int ret, flips = 1 + (int)(rnd() % 4);

		if (rnd() % 16 == 0)
			len = rnd() % src->len;
		b = malloc(len ? len : 1);
		assert_non_null(b);
		memcpy(b, src->fdt, len);
		for (int i = 0; len && i < flips; i++) {
			size_t at = rnd() % len;

			/* Mostly small values: cell counts, lengths, NULs. */
			b[at] = rnd() % 2 ? (uint8_t)(rnd() % 5)
					  : (uint8_t)rnd();
		}
		ret = vsoc_board_parse(b, len, &desc, &d);
		if (ret > 0 || (ret == 0) != (desc != NULL))
			fail_msg("iteration %d: %d", it, ret);
		if (ret)
			assert_true(d.msg[0] != '\0');
		else
			(*ok)++;
		vsoc_board_desc_free(desc);
		free(b);
	}
}

/* The name of a random property of a random node of @fdt, or NULL. */
static const char *random_prop(void *fdt, int *node)
{
	int n = 0, o, pick, prop, nprops = 0;
	const char *name = NULL;

	for (o = 0; o >= 0; o = fdt_next_node(fdt, o, NULL))
		n++;
	pick = (int)(rnd() % (uint32_t)n);
	for (o = 0; pick--;)
		o = fdt_next_node(fdt, o, NULL);
	*node = o;
	fdt_for_each_property_offset(prop, fdt, o) nprops++;
	if (!nprops)
		return NULL;
	pick = (int)(rnd() % (uint32_t)nprops);
	fdt_for_each_property_offset(prop, fdt, o)
	{
		if (!pick--)
			fdt_getprop_by_offset(fdt, prop, &name, NULL);
	}
	return name;
}

/* Replace 1..3 random properties' values with random bytes of a random
 * length (mostly whole cells of small values): every property helper sees
 * wrong lengths, missing NULs, odd cell counts. */
static void fuzz_props(const struct blob *src, int iterations, int *ok)
{
	for (int it = 0; it < iterations; it++) {
		size_t len;
		void *fdt = rw_copy(src, &len);
		struct vsoc_board_desc *desc = NULL;
		struct rproc_diag d = {{0}};
		int ret, changes = 1 + (int)(rnd() % 3);

		for (int i = 0; i < changes; i++) {
			uint8_t v[20];
			int node, n = (int)(rnd() % 21);
			char name[64];
			const char *p = random_prop(fdt, &node);

			if (!p)
				continue;
			snprintf(name, sizeof(name), "%s", p);
			if (rnd() % 2)
				n &= ~3;
			for (int k = 0; k < n; k++)
				v[k] = rnd() % 3 ? (uint8_t)(rnd() % 3)
						 : (uint8_t)rnd();
			assert_int_equal(fdt_setprop(fdt, node, name, v, n), 0);
		}
		ret = vsoc_board_parse(fdt, len, &desc, &d);
		if (ret > 0 || (ret == 0) != (desc != NULL))
			fail_msg("iteration %d: %d", it, ret);
		if (!ret)
			(*ok)++;
		vsoc_board_desc_free(desc);
		free(fdt);
	}
}

static void test_fuzz(void **state)
{
	int ok = 0;

	(void)state;
	fuzz(&vsoc_blob, 10000, &ok);
	fuzz(&wide_blob, 5000, &ok);
	/* Some flips land on bytes nobody reads (node names' unit addresses,
	 * padding): those still parse. */
	print_message("fuzz: %d of 15000 byte-flipped blobs still parse\n", ok);
	ok = 0;
	fuzz_props(&vsoc_blob, 3000, &ok);
	fuzz_props(&wide_blob, 3000, &ok);
	print_message("fuzz: %d of 6000 blobs with random values still parse\n",
		      ok);
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *group = argc > 1 ? argv[1] : "parse";
	struct CMUnitTest bad[ARRAY_SIZE(bad_cases) + 4];
	const struct CMUnitTest parse[] = {
		cmocka_unit_test(test_vsoc_cores),
		cmocka_unit_test(test_vsoc_memories),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_all_boards),
		cmocka_unit_test(test_pa_to_da),
	};
	const struct CMUnitTest fuzzing[] = {
		cmocka_unit_test(test_fuzz),
	};
	size_t n = 0;
	int ret;

	vsoc_blob = load(VB_VSOC_DTB);
	wide_blob = load(VB_WIDE_DTB);
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		bad[n++] = (struct CMUnitTest){
			.name = bad_cases[i].name,
			.test_func = test_bad,
			.initial_state = (void *)&bad_cases[i],
		};
	}
	bad[n++] = (struct CMUnitTest)cmocka_unit_test(test_blob_garbage);
	bad[n++] = (struct CMUnitTest)cmocka_unit_test(test_blob_short);
	bad[n++] = (struct CMUnitTest)cmocka_unit_test(test_bad_args);

	if (!strcmp(group, "parse"))
		ret = cmocka_run_group_tests_name("vsoc_board_parse", parse,
						  NULL, NULL);
	else if (!strcmp(group, "bad"))
		ret = _cmocka_run_group_tests("vsoc_board_bad", bad, n, NULL,
					      NULL);
	else if (!strcmp(group, "fuzz"))
		ret = cmocka_run_group_tests_name("vsoc_board_fuzz", fuzzing,
						  NULL, NULL);
	else
		ret = 2, fprintf(stderr, "unknown group %s\n", group);
	free(vsoc_blob.fdt);
	free(wide_blob.fdt);
	return ret;
}
