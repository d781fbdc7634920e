/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC's board: parse its devicetree (binding:
 * docs/bindings/rproc,vsoc.txt) into a struct vsoc_board_desc.
 *
 * The blob is untrusted input.  It is validated as a whole first
 * (fdt_check_full), then every libfdt result is checked, every property's
 * length is checked before a byte of it is read, and strings must be
 * NUL-terminated inside their property.  Every failure is -EINVAL with one
 * message, "<node path>: property '<name>': <what>" or "<node path>: <what>",
 * formatted by prop_err() / node_err() only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "rproc/diag.h"
#include "rproc/driver.h"
#include "rproc/rsc_table.h"
#include "rproc/vsoc_regs.h"

#include "board.h"

#define PAGE_SIZE 0x1000u
#define CORE_SPACE_END (1ull << 32) /* both core arches are 32-bit */
#define VTOR_ALIGN 128u		    /* VTOR.TBLOFF starts at bit 7 */
#define VRING_NUM_MAX 32768u
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct parser {
	const void *fdt;
	struct vsoc_board_desc *b;
	struct rproc_diag *d;
	int root_ac, root_sc;
	int resmem;			   /* /reserved-memory, or -1 */
	int region_node[VSOC_MAX_REGIONS]; /* node of each desc region */
};

/* One range of a core's device address space, for the overlap check. */
struct dev_range {
	uint64_t da, size;
	int node; /* the node describing it (memory, mailbox, region) */
};

/* The core being parsed. */
struct core_ctx {
	struct vsoc_core_desc *c;
	int node;
	int ac, sc; /* the core node's #address-cells / #size-cells */
	int mbox_node;
	struct dev_range dev[VSOC_MAX_CORE_MEMS + 1]; /* mems + mailbox */
	size_t ndev;
};

/* ---- messages ------------------------------------------------------------ */

static const char *path_of(const struct parser *p, int node, char *buf,
			   size_t len)
{
	if (fdt_get_path(p->fdt, node, buf, (int)len) < 0)
		snprintf(buf, len, "<node at offset %d>", node);
	return buf;
}

__attribute__((format(printf, 4, 0))) static int
verr(struct parser *p, int node, const char *prop, const char *fmt, va_list ap)
{
	char path[RPROC_DIAG_LEN], what[RPROC_DIAG_LEN];

	vsnprintf(what, sizeof(what), fmt, ap);
	path_of(p, node, path, sizeof(path));
	if (prop)
		return rproc_diag_set(p->d, -EINVAL, "%s: property '%s': %s",
				      path, prop, what);
	return rproc_diag_set(p->d, -EINVAL, "%s: %s", path, what);
}

/* "<path of node>: property '<prop>': <what>"; returns -EINVAL. */
__attribute__((format(printf, 4, 5))) static int
prop_err(struct parser *p, int node, const char *prop, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verr(p, node, prop, fmt, ap);
	va_end(ap);
	return ret;
}

/* "<path of node>: <what>"; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int
node_err(struct parser *p, int node, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verr(p, node, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- properties: one helper per kind ------------------------------------- */

static uint32_t ld32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* @n (1 or 2) big-endian cells. */
static uint64_t ld_cells(const uint8_t *b, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | ld32(b + 4 * i);
	return v;
}

/* 1 and the value when @name is present, 0 when absent (an error if
 * @required), or the error. */
static int prop_get(struct parser *p, int node, const char *name, bool required,
		    const uint8_t **val, int *len)
{
	int l;
	const void *v = fdt_getprop(p->fdt, node, name, &l);

	if (!v) {
		if (l != -FDT_ERR_NOTFOUND)
			return prop_err(p, node, name, "libfdt: %s",
					fdt_strerror(l));
		return required ? prop_err(p, node, name, "missing") : 0;
	}
	if (l < 0)
		return prop_err(p, node, name, "libfdt: %s", fdt_strerror(l));
	*val = v;
	*len = l;
	return 1;
}

/* A boolean: present and empty. */
static int prop_bool(struct parser *p, int node, const char *name, bool *out)
{
	const uint8_t *v;
	int len, ret = prop_get(p, node, name, false, &v, &len);

	if (ret < 0)
		return ret;
	if (ret && len)
		return prop_err(
			p, node, name,
			"wrong length: %d bytes, expected 0 (a boolean)", len);
	*out = ret;
	return 0;
}

/* One u32; *@out untouched when absent.  1 present, 0 absent, or error. */
static int prop_u32(struct parser *p, int node, const char *name, bool required,
		    uint32_t *out)
{
	const uint8_t *v;
	int len, ret = prop_get(p, node, name, required, &v, &len);

	if (ret <= 0)
		return ret;
	if (len != 4)
		return prop_err(p, node, name,
				"wrong length: %d bytes, expected 4 (one u32)",
				len);
	*out = ld32(v);
	return 1;
}

/* One address of 1 or 2 cells (4 or 8 bytes), required. */
static int prop_addr(struct parser *p, int node, const char *name,
		     uint64_t *out)
{
	const uint8_t *v;
	int len, ret = prop_get(p, node, name, true, &v, &len);

	if (ret < 0)
		return ret;
	if (len != 4 && len != 8)
		return prop_err(p, node, name,
				"wrong length: %d bytes, expected 4 or 8 "
				"(1 or 2 cells)",
				len);
	*out = ld_cells(v, len / 4);
	return 0;
}

/* #address-cells / #size-cells: 1 or 2, @def when absent. */
static int prop_ncells(struct parser *p, int node, const char *name, int def,
		       int *out)
{
	uint32_t v = (uint32_t)def;
	int ret = prop_u32(p, node, name, false, &v);

	if (ret < 0)
		return ret;
	if (v != 1 && v != 2)
		return prop_err(p, node, name, "must be 1 or 2, not %" PRIu32,
				v);
	*out = (int)v;
	return 0;
}

/* One non-empty NUL-terminated string of at most @size - 1 bytes, copied
 * into @buf.  1 present, 0 absent (buf untouched), or error. */
static int prop_string(struct parser *p, int node, const char *name,
		       bool required, char *buf, size_t size)
{
	const uint8_t *v;
	int len, ret = prop_get(p, node, name, required, &v, &len);

	if (ret <= 0)
		return ret;
	if (len < 1 || v[len - 1] || memchr(v, 0, (size_t)len - 1))
		return prop_err(p, node, name, "not a NUL-terminated string");
	if (len == 1)
		return prop_err(p, node, name, "empty string");
	if ((size_t)len > size)
		return prop_err(p, node, name,
				"string too long: %d bytes, at most %zu",
				len - 1, size - 1);
	memcpy(buf, v, (size_t)len);
	return 1;
}

/*
 * A string (@list: or a string list, as "compatible") that must be one of
 * @names: *@idx is the index of the first string of the property that is in
 * @names.  1 present, 0 absent, or error naming the value.
 */
static int prop_enum(struct parser *p, int node, const char *name,
		     const char *const *names, size_t n, bool list,
		     bool required, size_t *idx)
{
	const uint8_t *v;
	int len, ret = prop_get(p, node, name, required, &v, &len);
	const char *s, *end;

	if (ret <= 0)
		return ret;
	if (len < 1 || v[len - 1] || (!list && memchr(v, 0, (size_t)len - 1)))
		return prop_err(p, node, name, "not a NUL-terminated string%s",
				list ? " list" : "");
	s = (const char *)v;
	end = s + len;
	for (const char *q = s; q < end; q += strlen(q) + 1) {
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(q, names[i])) {
				*idx = i;
				return 1;
			}
		}
	}
	return prop_err(p, node, name, "unsupported value \"%s\"", s);
}

/* A list of @min..@max tuples of @tcells cells each.  1 present, 0 absent,
 * or error. */
static int prop_tuples(struct parser *p, int node, const char *name, int tcells,
		       unsigned min, unsigned max, bool required,
		       const uint8_t **val, unsigned *n)
{
	int len, ret = prop_get(p, node, name, required, val, &len);
	unsigned tbytes = 4u * (unsigned)tcells;

	if (ret <= 0)
		return ret;
	if (min == max && (unsigned)len != min * tbytes)
		return prop_err(p, node, name,
				"wrong length: %d bytes, expected %u "
				"(%u cells)",
				len, min * tbytes, min * (unsigned)tcells);
	if ((unsigned)len % tbytes)
		return prop_err(p, node, name,
				"wrong length: %d bytes, not a multiple of %u "
				"(%d cells per entry)",
				len, tbytes, tcells);
	*n = (unsigned)len / tbytes;
	if (*n < min || *n > max)
		return prop_err(p, node, name, "%u entries, expected %u to %u",
				*n, min, max);
	return 1;
}

/* reg = <base size>: exactly one entry of @ac + @sc cells, required. */
static int prop_reg(struct parser *p, int node, int ac, int sc, uint64_t *base,
		    uint64_t *size)
{
	const uint8_t *v;
	unsigned n;
	int ret = prop_tuples(p, node, "reg", ac + sc, 1, 1, true, &v, &n);

	if (ret < 0)
		return ret;
	*base = ld_cells(v, ac);
	*size = ld_cells(v + 4 * ac, sc);
	return 0;
}

/* ---- names, ranges -------------------------------------------------------- */

/* The node's name without its unit address, at most VSOC_NAME_LEN - 1. */
static int node_name(struct parser *p, int node, char *buf, size_t size)
{
	int len;
	const char *name = fdt_get_name(p->fdt, node, &len);
	const char *at;
	size_t n;

	if (!name)
		return node_err(p, node, "libfdt: %s", fdt_strerror(len));
	at = memchr(name, '@', (size_t)len);
	n = at ? (size_t)(at - name) : (size_t)len;
	if (!n)
		return node_err(p, node, "empty node name");
	if (n >= size)
		return node_err(p, node,
				"name too long: %zu bytes, at most %zu", n,
				size - 1);
	memcpy(buf, name, n);
	buf[n] = '\0';
	return 0;
}

static int node_path(struct parser *p, int node, char *buf, size_t size)
{
	int ret = fdt_get_path(p->fdt, node, buf, (int)size);

	if (ret == -FDT_ERR_NOSPACE)
		return node_err(p, node,
				"node path too long (at most %zu "
				"bytes)",
				size - 1);
	if (ret < 0)
		return node_err(p, node, "libfdt: %s", fdt_strerror(ret));
	return 0;
}

static uint64_t last(uint64_t base, uint64_t size)
{
	return base + (size - 1);
}

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a <= last(b, bs) && b <= last(a, as);
}

static bool inside(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a >= b && last(a, as) <= last(b, bs);
}

/* A span described by @prop: size > 0, 4 KiB aligned, no wrap-around. */
static int check_span(struct parser *p, int node, const char *prop,
		      const char *what, uint64_t base, uint64_t size)
{
	if (!size)
		return prop_err(p, node, prop, "size is 0");
	if ((base | size) & (PAGE_SIZE - 1))
		return prop_err(p, node, prop,
				"%s 0x%" PRIx64 " size 0x%" PRIx64
				" not 4 KiB aligned",
				what, base, size);
	if (size - 1 > UINT64_MAX - base)
		return prop_err(p, node, prop,
				"%s 0x%" PRIx64 " size 0x%" PRIx64
				" wraps around",
				what, base, size);
	return 0;
}

/* The device address of [pa, pa + size) through the core's dma-ranges
 * (identity without any), or -EFAULT. */
static int ranges_translate(const struct vsoc_core_desc *c, uint64_t pa,
			    uint64_t size, uint64_t *da)
{
	if (!c->nranges) {
		*da = pa;
		return 0;
	}
	for (size_t i = 0; i < c->nranges && i < VSOC_MAX_RANGES; i++) {
		if (inside(pa, size, c->ranges[i].pa, c->ranges[i].size)) {
			*da = c->ranges[i].da + (pa - c->ranges[i].pa);
			return 0;
		}
	}
	return -EFAULT;
}

/* ---- regions -------------------------------------------------------------- */

/* A new board region at @pa (from @node's @prop), not overlapping any. */
static int add_region(struct parser *p, int node, const char *prop, uint64_t pa,
		      uint64_t size, bool local, unsigned *idx)
{
	struct vsoc_board_desc *b = p->b;
	struct vsoc_region *r;
	int ret;

	if (b->nregions >= VSOC_MAX_REGIONS)
		return node_err(p, node,
				"too many memory regions on the board (at "
				"most %d)",
				VSOC_MAX_REGIONS);
	for (size_t i = 0; i < b->nregions; i++) {
		if (overlaps(pa, size, b->regions[i].pa, b->regions[i].size))
			return prop_err(p, node, prop,
					"physical range 0x%" PRIx64
					"-0x%" PRIx64 " overlaps %s",
					pa, last(pa, size), b->regions[i].path);
	}
	r = &b->regions[b->nregions];
	memset(r, 0, sizeof(*r));
	ret = node_name(p, node, r->name, sizeof(r->name));
	if (!ret)
		ret = node_path(p, node, r->path, sizeof(r->path));
	if (ret)
		return ret;
	r->pa = pa;
	r->size = size;
	r->local = local;
	p->region_node[b->nregions] = node;
	*idx = (unsigned)b->nregions++;
	return 0;
}

static int parse_reserved_region(struct parser *p, int node, int ac, int sc)
{
	static const char *const compat[] = {"shared-dma-pool"};
	struct vsoc_region *r;
	uint64_t pa = 0, size = 0;
	unsigned idx;
	size_t ci;
	int pool, ret;
	bool no_map;

	pool = prop_enum(p, node, "compatible", compat, ARRAY_SIZE(compat),
			 true, false, &ci);
	if (pool < 0)
		return pool;
	ret = prop_bool(p, node, "no-map", &no_map);
	if (!ret)
		ret = prop_reg(p, node, ac, sc, &pa, &size);
	if (!ret)
		ret = check_span(p, node, "reg", "pa", pa, size);
	if (!ret)
		ret = add_region(p, node, "reg", pa, size, false, &idx);
	if (ret)
		return ret;
	r = &p->b->regions[idx];
	r->pool = pool;
	r->no_map = no_map;
	return 0;
}

static int parse_reserved(struct parser *p)
{
	const uint8_t *v;
	int node, child, ac, sc, len, ret;

	p->resmem = -1;
	node = fdt_path_offset(p->fdt, "/reserved-memory");
	if (node == -FDT_ERR_NOTFOUND)
		return 0;
	if (node < 0)
		return rproc_diag_set(p->d, -EINVAL,
				      "/reserved-memory: libfdt: %s",
				      fdt_strerror(node));
	p->resmem = node;
	ret = prop_ncells(p, node, "#address-cells", p->root_ac, &ac);
	if (!ret)
		ret = prop_ncells(p, node, "#size-cells", p->root_sc, &sc);
	if (!ret)
		ret = prop_get(p, node, "ranges", false, &v, &len);
	if (ret < 0)
		return ret;
	if (ret && len)
		return prop_err(p, node, "ranges",
				"must be empty (identity), got %d bytes", len);
	fdt_for_each_subnode(child, p->fdt, node)
	{
		ret = parse_reserved_region(p, child, ac, sc);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return node_err(p, node, "libfdt: %s", fdt_strerror(child));
	return 0;
}

/* ---- one core: its device address space ---------------------------------- */

/* A range of the core's address space (from @node's @prop) that describes
 * @what: below 4 GiB and overlapping no other. */
static int add_dev(struct parser *p, struct core_ctx *cx, int node,
		   const char *prop, int what, uint64_t da, uint64_t size)
{
	char a[128], o[128];

	if (size > CORE_SPACE_END || da > CORE_SPACE_END - size)
		return prop_err(p, node, prop,
				"device range 0x%" PRIx64 "-0x%" PRIx64
				" of %s beyond the core's 32-bit address space",
				da, last(da, size),
				path_of(p, what, a, sizeof(a)));
	for (size_t i = 0; i < cx->ndev; i++) {
		const struct dev_range *r = &cx->dev[i];

		if (overlaps(da, size, r->da, r->size))
			return prop_err(p, node, prop,
					"device range 0x%" PRIx64 "-0x%" PRIx64
					" of %s overlaps %s",
					da, last(da, size),
					path_of(p, what, a, sizeof(a)),
					path_of(p, r->node, o, sizeof(o)));
	}
	if (cx->ndev >= ARRAY_SIZE(cx->dev))
		return node_err(p, node, "too many device ranges");
	cx->dev[cx->ndev++] = (struct dev_range){da, size, what};
	return 0;
}

/* Room for one more mems entry (described by @node)? */
static int mems_room(struct parser *p, struct core_ctx *cx, int node)
{
	if (cx->c->nmems >= VSOC_MAX_CORE_MEMS)
		return node_err(p, node,
				"too many memories for core %s (at most %d)",
				cx->c->name, VSOC_MAX_CORE_MEMS);
	return 0;
}

static int add_mem(struct parser *p, struct core_ctx *cx, int node,
		   unsigned region, uint64_t da)
{
	struct vsoc_core_desc *c = cx->c;
	int ret = mems_room(p, cx, node);

	if (ret)
		return ret;
	c->mems[c->nmems].region = region;
	c->mems[c->nmems].da = da;
	c->nmems++;
	return 0;
}

static int parse_local_mem(struct parser *p, struct core_ctx *cx, int node)
{
	uint64_t da = 0, size = 0, pa = 0;
	unsigned idx;
	int ret;

	ret = mems_room(p, cx, node);
	if (!ret)
		ret = prop_reg(p, node, cx->ac, cx->sc, &da, &size);
	if (!ret)
		ret = check_span(p, node, "reg", "da", da, size);
	if (!ret)
		ret = prop_addr(p, node, "rproc,pa", &pa);
	if (!ret)
		ret = check_span(p, node, "rproc,pa", "pa", pa, size);
	if (!ret)
		ret = add_dev(p, cx, node, "reg", node, da, size);
	if (!ret)
		ret = add_region(p, node, "rproc,pa", pa, size, true, &idx);
	if (!ret)
		ret = add_mem(p, cx, node, idx, da);
	return ret;
}

static int parse_mailbox(struct parser *p, struct core_ctx *cx, int node)
{
	uint64_t da = 0, size = 0;
	int ret;

	if (cx->mbox_node >= 0)
		return node_err(p, node,
				"a second \"rproc,vsoc-mailbox\" child of the "
				"core (one only)");
	ret = prop_reg(p, node, cx->ac, cx->sc, &da, &size);
	if (ret)
		return ret;
	if (size != VSOC_MBOX_SIZE)
		return prop_err(p, node, "reg",
				"mailbox size 0x%" PRIx64 ", must be 0x%x",
				size, VSOC_MBOX_SIZE);
	if (da & (PAGE_SIZE - 1))
		return prop_err(
			p, node, "reg",
			"mailbox address 0x%" PRIx64 " not 4 KiB aligned", da);
	ret = add_dev(p, cx, node, "reg", node, da, size);
	if (ret)
		return ret;
	cx->c->mbox_base = da;
	cx->mbox_node = node;
	return 0;
}

/* dma-ranges = <da pa size>...: da and size in the core's cells, pa in the
 * root's.  Absent or empty: identity. */
static int parse_dma_ranges(struct parser *p, struct core_ctx *cx)
{
	struct vsoc_core_desc *c = cx->c;
	int tc = cx->ac + p->root_ac + cx->sc;
	const uint8_t *v;
	unsigned n = 0;
	int ret;

	ret = prop_tuples(p, cx->node, "dma-ranges", tc, 0, VSOC_MAX_RANGES,
			  false, &v, &n);
	if (ret <= 0)
		return ret;
	for (unsigned i = 0; i < n; i++, v += 4 * tc) {
		uint64_t da = ld_cells(v, cx->ac);
		uint64_t pa = ld_cells(v + 4 * cx->ac, p->root_ac);
		uint64_t size = ld_cells(v + 4 * (cx->ac + p->root_ac), cx->sc);

		if (!size || size - 1 > UINT64_MAX - da ||
		    size - 1 > UINT64_MAX - pa)
			return prop_err(p, cx->node, "dma-ranges",
					"entry %u: size 0x%" PRIx64
					" is 0 or wraps around",
					i, size);
		c->ranges[i].da = da;
		c->ranges[i].pa = pa;
		c->ranges[i].size = size;
	}
	c->nranges = n;
	return 0;
}

/* The desc region of a /reserved-memory child, or -1. */
static int region_of_node(const struct parser *p, int node)
{
	for (size_t i = 0; i < p->b->nregions; i++) {
		if (!p->b->regions[i].local && p->region_node[i] == node)
			return (int)i;
	}
	return -1;
}

static int parse_memory_region(struct parser *p, struct core_ctx *cx,
			       unsigned i, uint32_t ph)
{
	const char *prop = "memory-region";
	const struct vsoc_region *r;
	char path[128];
	int node, parent, idx, ret;
	uint64_t da;

	node = fdt_node_offset_by_phandle(p->fdt, ph);
	if (node < 0)
		return prop_err(p, cx->node, prop,
				"entry %u: phandle 0x%" PRIx32
				" does not resolve (%s)",
				i, ph, fdt_strerror(node));
	parent = fdt_parent_offset(p->fdt, node);
	idx = region_of_node(p, node);
	if (parent < 0 || p->resmem < 0 || parent != p->resmem || idx < 0)
		return prop_err(p, cx->node, prop,
				"entry %u: %s is not a /reserved-memory child",
				i, path_of(p, node, path, sizeof(path)));
	r = &p->b->regions[idx];
	if (ranges_translate(cx->c, r->pa, r->size, &da))
		return prop_err(p, cx->node, prop,
				"%s (pa 0x%" PRIx64 "-0x%" PRIx64
				") is not inside one dma-ranges window",
				r->path, r->pa, last(r->pa, r->size));
	ret = add_dev(p, cx, cx->node, prop, node, da, r->size);
	return ret ? ret : add_mem(p, cx, cx->node, (unsigned)idx, da);
}

static int parse_memory_regions(struct parser *p, struct core_ctx *cx)
{
	const uint8_t *v;
	unsigned n = 0;
	int ret;

	ret = prop_tuples(p, cx->node, "memory-region", 1, 1,
			  VSOC_MAX_CORE_MEMS, false, &v, &n);
	if (ret <= 0)
		return ret;
	for (unsigned i = 0; i < n; i++) {
		ret = parse_memory_region(p, cx, i, ld32(v + 4 * i));
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- one core: board resources ------------------------------------------- */

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int parse_trace(struct parser *p, int node, struct rproc_rsc_desc *r)
{
	uint32_t da = 0, len = 0;
	int ret;

	ret = prop_u32(p, node, "rproc,da", true, &da);
	if (ret > 0)
		ret = prop_u32(p, node, "rproc,len", true, &len);
	if (ret < 0)
		return ret;
	if (!len)
		return prop_err(p, node, "rproc,len", "is 0");
	r->da = da;
	r->len = len;
	return 0;
}

static int parse_vrings(struct parser *p, int node, struct rproc_rsc_desc *r)
{
	const char *prop = "rproc,vrings";
	const uint8_t *v;
	unsigned n;
	int ret;

	ret = prop_tuples(p, node, prop, 2, 1, RPROC_MAX_VRINGS, true, &v, &n);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < n; i++) {
		uint32_t num = ld32(v + 8 * i), align = ld32(v + 8 * i + 4);

		if (!is_pow2(num) || num > VRING_NUM_MAX)
			return prop_err(p, node, prop,
					"vring %u: num %" PRIu32
					" not a power of two up to %u",
					i, num, VRING_NUM_MAX);
		if (!is_pow2(align))
			return prop_err(p, node, prop,
					"vring %u: align %" PRIu32
					" not a power of two",
					i, align);
		r->vdev.vring[i].num = num;
		r->vdev.vring[i].align = align;
	}
	r->vdev.num_vrings = n;
	return 0;
}

static int parse_vdev(struct parser *p, int node, struct rproc_rsc_desc *r)
{
	const char *digits = r->name + 4;
	uint32_t features, config_len = 0;
	int ret;

	if (strncmp(r->name, "vdev", 4) || !*digits ||
	    strspn(digits, "0123456789") != strlen(digits))
		return node_err(p, node,
				"a \"rproc,vsoc-vdev\" node must be named "
				"vdev<N>");
	ret = prop_u32(p, node, "rproc,virtio-id", true, &r->vdev.id);
	if (ret < 0)
		return ret;
	if (!r->vdev.id)
		return prop_err(p, node, "rproc,virtio-id", "is 0");
	ret = prop_u32(p, node, "rproc,features", false, &features);
	if (ret < 0)
		return ret;
	if (ret) /* absent: RPROC_ANY, the firmware's or 0 */
		r->vdev.dfeatures = features;
	ret = prop_u32(p, node, "rproc,config-len", false, &config_len);
	if (ret < 0)
		return ret;
	r->vdev.config_len = config_len;
	return parse_vrings(p, node, r);
}

static int parse_resource(struct parser *p, struct core_ctx *cx, int node)
{
	static const char *const compat[] = {"rproc,vsoc-trace",
					     "rproc,vsoc-vdev"};
	static const uint32_t type[] = {RSC_TRACE, RSC_VDEV};
	struct vsoc_core_desc *c = cx->c;
	char name[RPROC_RSC_NAME_LEN];
	struct rproc_rsc_desc *r;
	size_t ci;
	int ret;

	if (c->nrscs >= VSOC_MAX_CORE_RSCS)
		return node_err(p, node,
				"too many resources for core %s (at most %d)",
				c->name, VSOC_MAX_CORE_RSCS);
	ret = prop_enum(p, node, "compatible", compat, ARRAY_SIZE(compat), true,
			true, &ci);
	if (ret < 0)
		return ret;
	ret = node_name(p, node, name, sizeof(name));
	if (ret)
		return ret;
	for (size_t i = 0; i < c->nrscs; i++) {
		if (c->rscs[i].type == type[ci] &&
		    !strcmp(c->rscs[i].name, name))
			return node_err(p, node,
					"duplicate resource name \"%s\"", name);
	}
	r = &c->rscs[c->nrscs];
	rproc_rsc_desc_init(r, type[ci], name);
	ret = type[ci] == RSC_TRACE ? parse_trace(p, node, r)
				    : parse_vdev(p, node, r);
	if (ret)
		return ret;
	c->nrscs++;
	return 0;
}

static int parse_resources(struct parser *p, struct core_ctx *cx, int node)
{
	int child, ret;

	fdt_for_each_subnode(child, p->fdt, node)
	{
		ret = parse_resource(p, cx, child);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return node_err(p, node, "libfdt: %s", fdt_strerror(child));
	return 0;
}

/* ---- one core: properties ------------------------------------------------- */

/* firmware-name, format, load address and entry. */
static int parse_core_firmware(struct parser *p, struct core_ctx *cx)
{
	static const char *const formats[] = {"elf", "raw"};
	static const char *const raw_only[] = {"rproc,load-address",
					       "rproc,entry"};
	struct vsoc_core_desc *c = cx->c;
	uint64_t *raw_val[] = {&c->load_da, &c->entry};
	size_t fmt = 0;
	int ret;

	ret = prop_string(p, cx->node, "firmware-name", false, c->firmware,
			  sizeof(c->firmware));
	if (ret >= 0)
		ret = prop_enum(p, cx->node, "rproc,firmware-format", formats,
				ARRAY_SIZE(formats), false, false, &fmt);
	if (ret < 0)
		return ret;
	c->raw = fmt == 1;
	for (size_t i = 0; i < ARRAY_SIZE(raw_only); i++) {
		uint32_t v;

		*raw_val[i] = RPROC_ANY;
		ret = prop_u32(p, cx->node, raw_only[i], false, &v);
		if (ret < 0)
			return ret;
		if (ret && !c->raw)
			return prop_err(p, cx->node, raw_only[i],
					"only valid with "
					"rproc,firmware-format = \"raw\"");
		if (ret)
			*raw_val[i] = v;
	}
	return 0;
}

/* rproc,started-at-power-on and rproc,boot-firmware: both or neither. */
static int parse_core_power_on(struct parser *p, struct core_ctx *cx)
{
	struct vsoc_core_desc *c = cx->c;
	const char *bf = "rproc,boot-firmware";
	int ret;

	ret = prop_bool(p, cx->node, "rproc,started-at-power-on",
			&c->started_at_power_on);
	if (ret)
		return ret;
	ret = prop_string(p, cx->node, bf, false, c->boot_firmware,
			  sizeof(c->boot_firmware));
	if (ret < 0)
		return ret;
	if (!ret && c->started_at_power_on)
		return prop_err(p, cx->node, bf,
				"missing (required by "
				"rproc,started-at-power-on)");
	if (ret && !c->started_at_power_on)
		return prop_err(p, cx->node, bf,
				"only valid with rproc,started-at-power-on");
	return 0;
}

static int parse_core_misc(struct parser *p, struct core_ctx *cx)
{
	struct vsoc_core_desc *c = cx->c;
	int ret;

	ret = prop_bool(p, cx->node, "rproc,auto-boot", &c->auto_boot);
	if (!ret)
		ret = prop_u32(p, cx->node, "rproc,watchdog-timeout-ms", false,
			       &c->watchdog_ms);
	if (ret >= 0)
		ret = prop_u32(p, cx->node, "rproc,vtor", false, &c->vtor);
	if (ret <= 0)
		return ret;
	if (c->arch != VSOC_ARCH_CORTEX_M4)
		return prop_err(p, cx->node, "rproc,vtor",
				"only valid for Cortex-M cores");
	if (c->vtor % VTOR_ALIGN)
		return prop_err(p, cx->node, "rproc,vtor",
				"0x%" PRIx32 " not %u-byte aligned", c->vtor,
				VTOR_ALIGN);
	return 0;
}

/* compatible, name (unique on the board), path. */
static int parse_core_id(struct parser *p, struct core_ctx *cx)
{
	static const char *const compat[] = {"rproc,vsoc-cortex-m4",
					     "rproc,vsoc-rv32"};
	static const enum vsoc_arch arch[] = {VSOC_ARCH_CORTEX_M4,
					      VSOC_ARCH_RV32};
	struct vsoc_core_desc *c = cx->c;
	size_t ci;
	int ret;

	ret = prop_enum(p, cx->node, "compatible", compat, ARRAY_SIZE(compat),
			true, true, &ci);
	if (ret < 0)
		return ret;
	c->arch = arch[ci];
	ret = node_name(p, cx->node, c->name, sizeof(c->name));
	if (!ret)
		ret = node_path(p, cx->node, c->path, sizeof(c->path));
	if (ret)
		return ret;
	for (size_t i = 0; i < p->b->ncores; i++) {
		if (!strcmp(p->b->cores[i].name, c->name))
			return node_err(p, cx->node,
					"duplicate core name \"%s\" (also %s)",
					c->name, p->b->cores[i].path);
	}
	return 0;
}

static int parse_core_child(struct parser *p, struct core_ctx *cx, int node)
{
	static const char *const compat[] = {"rproc,vsoc-memory",
					     "rproc,vsoc-mailbox"};
	const char *name = fdt_get_name(p->fdt, node, NULL);
	size_t ci;
	int ret;

	if (name && !strcmp(name, "resources"))
		return parse_resources(p, cx, node);
	ret = prop_enum(p, node, "compatible", compat, ARRAY_SIZE(compat), true,
			true, &ci);
	if (ret < 0)
		return ret;
	return ci ? parse_mailbox(p, cx, node) : parse_local_mem(p, cx, node);
}

static int parse_core_children(struct parser *p, struct core_ctx *cx)
{
	int child, ret;

	fdt_for_each_subnode(child, p->fdt, cx->node)
	{
		ret = parse_core_child(p, cx, child);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return node_err(p, cx->node, "libfdt: %s", fdt_strerror(child));
	if (cx->mbox_node < 0)
		return node_err(p, cx->node, "no \"rproc,vsoc-mailbox\" child");
	return 0;
}

static int parse_core(struct parser *p, int node)
{
	struct core_ctx cx = {.node = node, .mbox_node = -1};
	int ret;

	if (p->b->ncores >= VSOC_MAX_CORES)
		return node_err(p, node, "too many remote cores (at most %d)",
				VSOC_MAX_CORES);
	cx.c = &p->b->cores[p->b->ncores];
	memset(cx.c, 0, sizeof(*cx.c));
	ret = parse_core_id(p, &cx);
	if (!ret)
		ret = parse_core_firmware(p, &cx);
	if (!ret)
		ret = parse_core_power_on(p, &cx);
	if (!ret)
		ret = parse_core_misc(p, &cx);
	if (!ret)
		ret = prop_ncells(p, node, "#address-cells", 2, &cx.ac);
	if (!ret)
		ret = prop_ncells(p, node, "#size-cells", 1, &cx.sc);
	if (!ret)
		ret = parse_dma_ranges(p, &cx);
	if (!ret)
		ret = parse_core_children(p, &cx);
	if (!ret)
		ret = parse_memory_regions(p, &cx);
	if (ret)
		return ret;
	p->b->ncores++;
	return 0;
}

/* ---- the board ------------------------------------------------------------ */

static int parse_cores(struct parser *p)
{
	int node, child, ret;

	node = fdt_path_offset(p->fdt, "/remoteproc");
	if (node == -FDT_ERR_NOTFOUND)
		return rproc_diag_set(p->d, -EINVAL,
				      "/: no remoteproc node (required)");
	if (node < 0)
		return rproc_diag_set(p->d, -EINVAL, "/remoteproc: libfdt: %s",
				      fdt_strerror(node));
	fdt_for_each_subnode(child, p->fdt, node)
	{
		ret = parse_core(p, child);
		if (ret)
			return ret;
	}
	if (child != -FDT_ERR_NOTFOUND)
		return node_err(p, node, "libfdt: %s", fdt_strerror(child));
	if (!p->b->ncores)
		return node_err(p, node, "no remote cores");
	return 0;
}

static int parse_root(struct parser *p)
{
	static const char *const compat[] = {"rproc,vsoc"};
	size_t ci;
	int root = fdt_path_offset(p->fdt, "/");
	int ret;

	if (root < 0)
		return rproc_diag_set(p->d, -EINVAL, "/: libfdt: %s",
				      fdt_strerror(root));
	ret = prop_enum(p, root, "compatible", compat, ARRAY_SIZE(compat), true,
			true, &ci);
	if (ret >= 0)
		ret = prop_string(p, root, "model", false, p->b->model,
				  sizeof(p->b->model));
	if (ret >= 0)
		ret = prop_ncells(p, root, "#address-cells", 2, &p->root_ac);
	if (!ret)
		ret = prop_ncells(p, root, "#size-cells", 1, &p->root_sc);
	return ret;
}

static int check_blob(const void *fdt, size_t len, struct rproc_diag *d)
{
	int ret;

	if (len < sizeof(struct fdt_header))
		return rproc_diag_set(d, -EINVAL,
				      "not a valid FDT blob: %zu bytes, "
				      "shorter than the header",
				      len);
	ret = fdt_check_header(fdt);
	if (ret)
		return rproc_diag_set(d, -EINVAL, "not a valid FDT blob: %s",
				      fdt_strerror(ret));
	if (fdt_totalsize(fdt) > len)
		return rproc_diag_set(d, -EINVAL,
				      "not a valid FDT blob: totalsize %" PRIu32
				      " exceeds the %zu bytes given",
				      (uint32_t)fdt_totalsize(fdt), len);
	ret = fdt_check_full(fdt, len);
	if (ret)
		return rproc_diag_set(d, -EINVAL, "not a valid FDT blob: %s",
				      fdt_strerror(ret));
	return 0;
}

static int parse_blob(struct parser *p, size_t len)
{
	int ret = check_blob(p->fdt, len, p->d);

	if (ret)
		return ret;
	p->b = calloc(1, sizeof(*p->b));
	if (!p->b)
		return rproc_diag_set(
			p->d, -ENOMEM,
			"out of memory for the board description");
	ret = parse_root(p);
	if (!ret)
		ret = parse_reserved(p);
	if (!ret)
		ret = parse_cores(p);
	if (ret) {
		free(p->b);
		p->b = NULL;
	}
	return ret;
}

int vsoc_board_parse(const void *fdt, size_t len, struct vsoc_board_desc **out,
		     struct rproc_diag *d)
{
	struct parser p = {.fdt = fdt, .d = d};
	void *copy = NULL;
	int ret;

	if (!out)
		return rproc_diag_set(d, -EINVAL, "no place for the result");
	*out = NULL;
	if (!fdt)
		return rproc_diag_set(d, -EINVAL, "not a valid FDT blob: NULL");
	/* libfdt wants the blob 8-byte aligned; the description keeps no
	 * pointer into it, so a copy will do. */
	if ((uintptr_t)fdt % 8) {
		copy = malloc(len ? len : 1);
		if (!copy)
			return rproc_diag_set(d, -ENOMEM,
					      "out of memory for a copy of the "
					      "blob");
		memcpy(copy, fdt, len);
		p.fdt = copy;
	}
	ret = parse_blob(&p, len);
	free(copy);
	if (!ret)
		*out = p.b;
	return ret;
}

void vsoc_board_desc_free(struct vsoc_board_desc *desc)
{
	free(desc);
}

/* The core's local memories first (it sees them at their mems da), then its
 * dma-ranges windows (identity without any). */
int vsoc_board_pa_to_da(const struct vsoc_board_desc *b,
			const struct vsoc_core_desc *core, uint64_t pa,
			uint64_t len, uint64_t *da)
{
	uint64_t n = len ? len : 1;

	if (!b || !core || !da || n - 1 > UINT64_MAX - pa)
		return -EFAULT;
	for (size_t i = 0; i < core->nmems && i < VSOC_MAX_CORE_MEMS; i++) {
		const struct vsoc_core_mem *m = &core->mems[i];
		const struct vsoc_region *r;

		if (m->region >= b->nregions)
			continue;
		r = &b->regions[m->region];
		if (r->local && inside(pa, n, r->pa, r->size)) {
			*da = m->da + (pa - r->pa);
			return 0;
		}
	}
	return ranges_translate(core, pa, n, da);
}
