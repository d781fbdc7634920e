/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resource registry (DESIGN §2 topics 2 and 4, §4).
 *
 * Registrations are kept as given.  Registrations with the same type and
 * name merge into one resource: each side (firmware; platform/API/core) is
 * folded with the equality rule (a field "any" takes the other's value,
 * equal values agree, different values conflict), then the firmware's
 * request is fitted into the platform's region (coverage rule).  A
 * registration that does not merge is rejected, with a message naming both
 * sources and values, and leaves nothing behind.
 *
 * Parsing only registers.  At boot the merged resources are allocated
 * (carveouts mapped or allocated, vrings placed, notify ids assigned), the
 * results are written into the core's copy of the table, and the table is
 * installed into remote memory (or built, for firmware without one).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "rproc/table.h"

#define ANY RPROC_ANY

void rproc_rsc_desc_init(struct rproc_rsc_desc *desc, uint32_t type,
			 const char *name)
{
	memset(desc, 0, sizeof(*desc));
	desc->type = type;
	if (name) {
		/* A name too long stays unterminated: registration rejects it
		 * with -ENAMETOOLONG rather than using a truncated name. */
		size_t n = strlen(name);

		memcpy(desc->name, name,
		       n < sizeof(desc->name) ? n + 1 : sizeof(desc->name));
	}
	desc->da = ANY;
	desc->pa = ANY;
	desc->len = ANY;
	desc->flags = ANY;
	desc->vdev.dfeatures = ANY;
	for (int i = 0; i < RPROC_MAX_VRINGS; i++)
		desc->vdev.vring[i].da = ANY;
}

static bool rsc_is_memory(uint32_t type)
{
	return type == RSC_CARVEOUT || type == RSC_DEVMEM || type == RSC_TRACE;
}

/* ---- merging -------------------------------------------------------------- */

struct merge_ctx {
	struct rproc *rproc;
	const struct rproc_rsc_desc *what;
	enum rproc_rsc_source new_src; /* the registration being added */
	int err;
};

static int merge_conflict(struct merge_ctx *m, const char *field,
			  enum rproc_rsc_source a_src, uint64_t a,
			  enum rproc_rsc_source b_src, uint64_t b)
{
	m->err = rproc_err(m->rproc, -EINVAL,
			   "%s \"%s\": %s %s 0x%" PRIx64
			   " conflicts with %s %s 0x%" PRIx64
			   "; %s registration rejected",
			   rproc_rsc_type_name(m->what->type), m->what->name,
			   rproc_rsc_source_name(a_src), field, a,
			   rproc_rsc_source_name(b_src), field, b,
			   rproc_rsc_source_name(m->new_src));
	return m->err;
}

/* The equality rule for one field. */
static int merge_u64(struct merge_ctx *m, const char *field, uint64_t *acc,
		     enum rproc_rsc_source acc_src, uint64_t val,
		     enum rproc_rsc_source val_src)
{
	if (val == ANY || *acc == val)
		return 0;
	if (*acc == ANY) {
		*acc = val;
		return 0;
	}
	return merge_conflict(m, field, acc_src, *acc, val_src, val);
}

static int merge_u32(struct merge_ctx *m, const char *field, uint32_t *acc,
		     enum rproc_rsc_source acc_src, uint32_t val,
		     enum rproc_rsc_source val_src)
{
	uint64_t a = *acc == UINT32_MAX ? ANY : *acc;
	uint64_t v = val == UINT32_MAX ? ANY : val;
	int ret = merge_u64(m, field, &a, acc_src, v, val_src);

	*acc = a == ANY ? UINT32_MAX : (uint32_t)a;
	return ret;
}

/* Fold @b into @a with the equality rule on every field. */
static int merge_equal(struct merge_ctx *m, struct rproc_rsc_desc *a,
		       enum rproc_rsc_source as, const struct rproc_rsc_desc *b,
		       enum rproc_rsc_source bs)
{
	if (merge_u64(m, "da", &a->da, as, b->da, bs) ||
	    merge_u64(m, "pa", &a->pa, as, b->pa, bs) ||
	    merge_u64(m, "len", &a->len, as, b->len, bs) ||
	    merge_u64(m, "flags", &a->flags, as, b->flags, bs))
		return m->err;
	if (a->type != RSC_VDEV)
		return 0;
	/* For vdevs, 0 / "any" both mean "not said" for id and counts. */
	if (merge_u32(m, "id", &a->vdev.id, as,
		      b->vdev.id ? b->vdev.id : UINT32_MAX, bs) ||
	    merge_u64(m, "dfeatures", &a->vdev.dfeatures, as, b->vdev.dfeatures,
		      bs) ||
	    merge_u32(m, "config_len", &a->vdev.config_len, as,
		      b->vdev.config_len ? b->vdev.config_len : UINT32_MAX,
		      bs) ||
	    merge_u32(m, "num_of_vrings", &a->vdev.num_vrings, as,
		      b->vdev.num_vrings ? b->vdev.num_vrings : UINT32_MAX, bs))
		return m->err;
	for (int i = 0; i < RPROC_MAX_VRINGS; i++) {
		struct rproc_rsc_vring *va = &a->vdev.vring[i];
		const struct rproc_rsc_vring *vb = &b->vdev.vring[i];

		if (merge_u64(m, "vring da", &va->da, as, vb->da, bs) ||
		    merge_u32(m, "vring align", &va->align, as,
			      vb->align ? vb->align : UINT32_MAX, bs) ||
		    merge_u32(m, "vring num", &va->num, as,
			      vb->num ? vb->num : UINT32_MAX, bs))
			return m->err;
	}
	return 0;
}

/* For vdevs, 0 means "not said" for id, counts and ring sizes: fold them
 * as "any" (UINT32_MAX) and turn them back afterwards. */
static void vdev_zero_to_unsaid(struct rproc_rsc_desc *d)
{
	if (d->type != RSC_VDEV)
		return;
	if (!d->vdev.id)
		d->vdev.id = UINT32_MAX;
	if (!d->vdev.config_len)
		d->vdev.config_len = UINT32_MAX;
	if (!d->vdev.num_vrings)
		d->vdev.num_vrings = UINT32_MAX;
	for (int i = 0; i < RPROC_MAX_VRINGS; i++) {
		if (!d->vdev.vring[i].align)
			d->vdev.vring[i].align = UINT32_MAX;
		if (!d->vdev.vring[i].num)
			d->vdev.vring[i].num = UINT32_MAX;
	}
}

/* Undo the "0 means unsaid" encoding used while folding vdevs. */
static void vdev_unsaid_to_zero(struct rproc_rsc_desc *d)
{
	if (d->type != RSC_VDEV)
		return;
	if (d->vdev.id == UINT32_MAX)
		d->vdev.id = 0;
	if (d->vdev.config_len == UINT32_MAX)
		d->vdev.config_len = 0;
	if (d->vdev.num_vrings == UINT32_MAX)
		d->vdev.num_vrings = 0;
	for (int i = 0; i < RPROC_MAX_VRINGS; i++) {
		if (d->vdev.vring[i].align == UINT32_MAX)
			d->vdev.vring[i].align = 0;
		if (d->vdev.vring[i].num == UINT32_MAX)
			d->vdev.vring[i].num = 0;
	}
}

/*
 * The coverage rule: the firmware's request @f must fit in the platform's
 * region @p.  The result is the firmware's request with the region's
 * addresses filled in.
 */
static int merge_cover(struct merge_ctx *m, struct rproc_rsc_desc *res,
		       const struct rproc_rsc_desc *p, enum rproc_rsc_source ps,
		       const struct rproc_rsc_desc *f)
{
	const enum rproc_rsc_source fs = RPROC_SRC_FIRMWARE;
	uint64_t len = f->len, off = 0;

	*res = *f;
	if (p->len == ANY) /* not a region: plain field equality */
		return merge_equal(m, res, fs, p, ps);

	if (len == ANY)
		len = p->len;
	if (len > p->len) {
		m->err = rproc_err(m->rproc, -EINVAL,
				   "%s \"%s\": firmware len 0x%" PRIx64
				   " exceeds %s region len 0x%" PRIx64
				   "; %s registration rejected",
				   rproc_rsc_type_name(f->type), f->name, len,
				   rproc_rsc_source_name(ps), p->len,
				   rproc_rsc_source_name(m->new_src));
		return m->err;
	}
	res->len = len;
	if (p->da != ANY) {
		if (f->da == ANY) {
			res->da = p->da;
		} else if (f->da < p->da || f->da - p->da > p->len - len) {
			m->err = rproc_err(
				m->rproc, -EINVAL,
				"%s \"%s\": firmware da 0x%" PRIx64
				" len 0x%" PRIx64
				" outside %s region da 0x%" PRIx64
				" len 0x%" PRIx64 "; %s registration rejected",
				rproc_rsc_type_name(f->type), f->name, f->da,
				len, rproc_rsc_source_name(ps), p->da, p->len,
				rproc_rsc_source_name(m->new_src));
			return m->err;
		}
		off = res->da - p->da;
	}
	if (p->pa != ANY) {
		uint64_t pa = p->pa + off;

		if (merge_u64(m, "pa", &res->pa, fs, pa, ps))
			return m->err;
	}
	return merge_u64(m, "flags", &res->flags, fs, p->flags, ps);
}

/* Merge every registration of (type, name), plus @extra if not NULL. */
static int merge_all(struct rproc *rproc, const struct rproc_rsc_desc *what,
		     const struct rproc_reg *extra, struct rproc_rsc_desc *out,
		     uint32_t *sources, int64_t *table_offset)
{
	struct merge_ctx m = {.rproc = rproc, .what = what};
	struct rproc_rsc_desc side[2];
	enum rproc_rsc_source side_src[2] = {RPROC_SRC_FIRMWARE,
					     RPROC_SRC_PLATFORM};
	bool have[2] = {false, false};
	const struct rproc_reg *r = rproc->regs;

	m.new_src = extra ? extra->src : RPROC_SRC_CORE;
	*sources = 0;
	*table_offset = -1;
	for (;; r = r->next) {
		if (!r) {
			if (!extra)
				break;
			r = extra;
			extra = NULL;
		}
		if (r->d.type != what->type || strcmp(r->d.name, what->name))
			continue;
		int s = r->src == RPROC_SRC_FIRMWARE ? 0 : 1;

		if (!have[s]) {
			side[s] = r->d;
			vdev_zero_to_unsaid(&side[s]);
			side_src[s] = r->src;
			have[s] = true;
		} else if (merge_equal(&m, &side[s], side_src[s], &r->d,
				       r->src)) {
			return m.err;
		}
		*sources |= 1u << r->src;
		if (r->table_offset >= 0)
			*table_offset = r->table_offset;
	}
	if (have[0] && have[1]) {
		if (rsc_is_memory(what->type)) {
			if (merge_cover(&m, out, &side[1], side_src[1],
					&side[0]))
				return m.err;
		} else {
			*out = side[0];
			if (merge_equal(&m, out, side_src[0], &side[1],
					side_src[1]))
				return m.err;
		}
	} else {
		*out = have[0] ? side[0] : side[1];
	}
	vdev_unsaid_to_zero(out);
	return 0;
}

struct rproc_resource *rproc_resource_find(struct rproc *rproc, uint32_t type,
					   const char *name)
{
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next)
		if (r->d.type == type && !strcmp(r->d.name, name))
			return r;
	return NULL;
}

static int check_desc(struct rproc *rproc, const struct rproc_rsc_desc *desc)
{
	if (!memchr(desc->name, 0, sizeof(desc->name)))
		return rproc_err(rproc, -ENAMETOOLONG,
				 "%s resource name longer than %d bytes",
				 rproc_rsc_type_name(desc->type),
				 RPROC_RSC_NAME_LEN - 1);
	if (!desc->name[0])
		return rproc_err(rproc, -EINVAL, "%s resource without a name",
				 rproc_rsc_type_name(desc->type));
	if (desc->type > RSC_VDEV)
		return rproc_err(
			rproc, -EINVAL,
			"resource \"%s\": type %u cannot be registered",
			desc->name, (unsigned)desc->type);
	if (desc->type == RSC_VDEV && desc->vdev.num_vrings > RPROC_MAX_VRINGS)
		return rproc_err(rproc, -EINVAL,
				 "vdev \"%s\": %u vrings, at most %d",
				 desc->name, (unsigned)desc->vdev.num_vrings,
				 RPROC_MAX_VRINGS);
	if (desc->len != ANY && desc->da != ANY && desc->len &&
	    desc->da > UINT64_MAX - desc->len)
		return rproc_err(rproc, -EINVAL,
				 "%s \"%s\": da 0x%" PRIx64 " + len 0x%" PRIx64
				 " overflows",
				 rproc_rsc_type_name(desc->type), desc->name,
				 desc->da, desc->len);
	return 0;
}

static int register_one(struct rproc *rproc, enum rproc_rsc_source src,
			const struct rproc_rsc_desc *desc, int64_t table_offset)
{
	struct rproc_reg *reg, **tail;
	struct rproc_resource *res;
	struct rproc_rsc_desc merged;
	uint32_t sources;
	int64_t toff;
	int ret;

	ret = check_desc(rproc, desc);
	if (ret)
		return ret;
	reg = rproc_zalloc(sizeof(*reg));
	if (!reg)
		return rproc_err(rproc, -ENOMEM, "out of memory registering %s",
				 desc->name);
	reg->d = *desc;
	reg->src = src;
	reg->transient = rproc->in_boot || src == RPROC_SRC_FIRMWARE;
	reg->table_offset = table_offset;

	ret = merge_all(rproc, desc, reg, &merged, &sources, &toff);
	if (ret)
		goto free_reg;

	res = rproc_resource_find(rproc, desc->type, desc->name);
	if (!res) {
		struct rproc_resource **rt = &rproc->rscs;

		res = rproc_zalloc(sizeof(*res));
		if (!res) {
			ret = rproc_err(rproc, -ENOMEM,
					"out of memory registering %s",
					desc->name);
			goto free_reg;
		}
		while (*rt)
			rt = &(*rt)->next;
		*rt = res;
	}
	res->d = merged;
	res->sources = sources;
	res->table_offset = toff;

	for (tail = &rproc->regs; *tail; tail = &(*tail)->next)
		;
	*tail = reg;
	return 0;

free_reg:
	rproc_free(reg);
	return ret;
}

int rproc_resource_register(struct rproc *rproc, enum rproc_rsc_source src,
			    const struct rproc_rsc_desc *desc)
{
	if (!rproc || !desc || (unsigned)src > RPROC_SRC_CORE)
		return -EINVAL;
	return register_one(rproc, src, desc, -1);
}

/* Drop transient registrations and rebuild the merged view from the rest.
 * The permanent ones merged before, so re-merging them cannot fail. */
static void registry_drop_transient(struct rproc *rproc)
{
	struct rproc_reg **pp = &rproc->regs;
	struct rproc_resource **rp = &rproc->rscs;

	while (*pp) {
		struct rproc_reg *r = *pp;

		if (r->transient) {
			*pp = r->next;
			rproc_free(r);
		} else {
			pp = &r->next;
		}
	}
	/*
	 * Re-merge each resource from what the permanent registrations say and
	 * forget those nobody permanent describes.  They merged before, so this
	 * neither fails nor allocates: releasing never loses a resource.
	 */
	while (*rp) {
		struct rproc_resource *res = *rp;
		struct rproc_rsc_desc merged;
		uint32_t sources;
		int64_t toff;

		merge_all(rproc, &res->d, NULL, &merged, &sources, &toff);
		if (!sources) {
			*rp = res->next;
			rproc_free(res);
			continue;
		}
		*res = (struct rproc_resource){.d = merged,
					       .sources = sources,
					       .table_offset = toff,
					       .next = res->next};
		rp = &res->next;
	}
}

void __rproc_registry_clear(struct rproc *rproc)
{
	while (rproc->regs) {
		struct rproc_reg *r = rproc->regs;

		rproc->regs = r->next;
		rproc_free(r);
	}
	while (rproc->rscs) {
		struct rproc_resource *r = rproc->rscs;

		rproc->rscs = r->next;
		rproc_free(r);
	}
}

/* ---- the firmware's table ------------------------------------------------- */

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t any32(uint32_t v)
{
	return v == FW_RSC_ADDR_ANY ? ANY : v;
}

struct table_reg_ctx {
	struct rproc *rproc;
	unsigned nvdev;
};

/* Register one table entry (the walker checked its bounds and fields). */
static int table_register_entry(void *ctx, const struct rproc_rsc_entry *e)
{
	struct table_reg_ctx *c = ctx;
	struct rproc *rproc = c->rproc;
	const uint8_t *b = e->body;
	struct rproc_rsc_desc d;
	int ret;

	switch (e->type) {
	case RSC_CARVEOUT:
	case RSC_DEVMEM:
		rproc_rsc_desc_init(&d, e->type, (const char *)b + 20);
		d.da = any32(get_u32(b));
		d.pa = any32(get_u32(b + 4));
		d.len = get_u32(b + 8);
		d.flags = get_u32(b + 12);
		break;
	case RSC_TRACE:
		rproc_rsc_desc_init(&d, e->type, (const char *)b + 12);
		d.da = any32(get_u32(b));
		d.len = get_u32(b + 4);
		break;
	case RSC_VDEV: {
		char name[RPROC_RSC_NAME_LEN];

		snprintf(name, sizeof(name), "vdev%u", c->nvdev++);
		rproc_rsc_desc_init(&d, e->type, name);
		d.vdev.id = get_u32(b);
		d.vdev.dfeatures = get_u32(b + 8);
		d.vdev.config_len = get_u32(b + 16);
		d.vdev.num_vrings = b[21];
		for (unsigned i = 0; i < d.vdev.num_vrings; i++) {
			const uint8_t *v = b + 24 + 20 * i;

			d.vdev.vring[i].da = any32(get_u32(v));
			d.vdev.vring[i].align = get_u32(v + 4);
			d.vdev.vring[i].num = get_u32(v + 8);
		}
		break;
	}
	default:
		if (e->type >= RSC_VENDOR_START && e->type <= RSC_VENDOR_END) {
			if (__rproc_subdevs_own_vendor(rproc, e->type))
				return 0; /* rproc_vendor_entry() finds it */
			ret = rproc_op_vendor_rsc(rproc, e->type, e->body,
						  e->body_len);
			if (ret < 0)
				return rproc_err(
					rproc, ret,
					"vendor resource %u (entry %u) "
					"refused by the driver: %s",
					(unsigned)e->type, (unsigned)e->index,
					rproc_strerror(ret));
			if (ret > 0)
				rproc_warn(rproc,
					   "vendor resource %u (entry %u) "
					   "ignored",
					   (unsigned)e->type,
					   (unsigned)e->index);
			return 0;
		}
		rproc_warn(rproc, "resource entry %u: unknown type %u skipped",
			   (unsigned)e->index, (unsigned)e->type);
		return 0;
	}
	return register_one(rproc, RPROC_SRC_FIRMWARE, &d, e->offset);
}

static int table_register_all(struct rproc *rproc, const uint8_t *table,
			      size_t len)
{
	struct table_reg_ctx c = {.rproc = rproc};
	struct rproc_diag d = {{0}};
	int ret;

	ret = rproc_table_walk(table, len, table_register_entry, &c, &d);
	if (ret && d.msg[0])
		return rproc_err_diag(rproc, ret, "firmware", &d);
	return ret;
}

int rproc_fw_set_table(struct rproc *rproc, const void *table, size_t len,
		       uint64_t da, struct rproc_diag *d)
{
	uint8_t *copy;
	int ret;

	if (rproc->cached_table)
		return rproc_diag_set(d, -EEXIST, "resource table set twice");
	ret = rproc_table_walk(table, len, NULL, NULL, d);
	if (ret)
		return ret;
	copy = rproc_malloc(len);
	if (!copy)
		return rproc_diag_set(d, -ENOMEM,
				      "out of memory copying the table");
	memcpy(copy, table, len);
	rproc->cached_table = copy;
	rproc->table_len = len;
	rproc->table_da = da;
	rproc->table_built = false;
	ret = table_register_all(rproc, copy, len);
	if (ret) {
		rproc_diag_set(d, ret, "%s", rproc->last_error);
		/* registrations made so far are transient: dropped by the
		 * caller's unwind, together with the copy */
	}
	return ret;
}

int __rproc_table_adopt_loaded(struct rproc *rproc, void *table, size_t len)
{
	struct rproc_diag d = {{0}};
	int ret;

	ret = rproc_fw_set_table(rproc, table, len, ANY, &d);
	if (ret)
		return rproc_err_diag(rproc, ret, "loaded resource table", &d);
	rproc->pristine_table = rproc_malloc(len);
	if (!rproc->pristine_table)
		return rproc_err(rproc, -ENOMEM,
				 "out of memory saving the loaded table");
	memcpy(rproc->pristine_table, table, len);
	rproc->loaded_table = table;
	return 0;
}

int __rproc_table_restore_pristine(struct rproc *rproc)
{
	if (rproc->loaded_table && rproc->pristine_table)
		memcpy(rproc->loaded_table, rproc->pristine_table,
		       rproc->table_len);
	return 0;
}

void __rproc_table_reset(struct rproc *rproc)
{
	rproc->table_ptr = rproc->cached_table;
}

void __rproc_table_free(struct rproc *rproc)
{
	rproc_free(rproc->cached_table);
	rproc_free(rproc->pristine_table);
	rproc->cached_table = NULL;
	rproc->pristine_table = NULL;
	rproc->loaded_table = NULL;
	rproc->table_ptr = NULL;
	rproc->table_len = 0;
	rproc->table_da = ANY;
	rproc->table_built = false;
}

/* ---- address translation --------------------------------------------------- */

static bool range_in(uint64_t da, uint64_t len, uint64_t base, uint64_t size)
{
	return da >= base && len <= size && da - base <= size - len;
}

void *rproc_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next) {
		if ((r->d.type != RSC_CARVEOUT && r->d.type != RSC_DEVMEM) ||
		    !r->va || r->d.da == ANY)
			continue;
		if (range_in(da, len, r->d.da, r->d.len))
			return (uint8_t *)r->va + (da - r->d.da);
	}
	return rproc_op_da_to_va(rproc, da, len);
}

/* ---- allocation ------------------------------------------------------------- */

/* Host memory for carveouts without a driver allocator: aligned to 4 KiB
 * (vrings need their alignment); the raw pointer is kept just before. */
#define CORE_ALIGN 4096u

static void *core_alloc(size_t len)
{
	uint8_t *raw, *p;

	if (len > SIZE_MAX - CORE_ALIGN - sizeof(void *))
		return NULL;
	raw = rproc_zalloc(len + CORE_ALIGN + sizeof(void *));
	if (!raw)
		return NULL;
	p = (uint8_t *)(((uintptr_t)raw + sizeof(void *) + CORE_ALIGN - 1) &
			~(uintptr_t)(CORE_ALIGN - 1));
	memcpy(p - sizeof(void *), &raw, sizeof(raw));
	return p;
}

static void core_free(void *p)
{
	void *raw;

	if (!p)
		return;
	memcpy(&raw, (uint8_t *)p - sizeof(void *), sizeof(raw));
	rproc_free(raw);
}

static int carveout_alloc(struct rproc *rproc, struct rproc_resource *r)
{
	int ret;

	if (r->d.len == ANY || r->d.len == 0 || r->d.len > SIZE_MAX)
		return rproc_err(rproc, -EINVAL,
				 "%s \"%s\": no length to allocate",
				 rproc_rsc_type_name(r->d.type), r->d.name);
	if (r->d.pa != ANY || r->d.type == RSC_DEVMEM) {
		if (rproc->ops->mem_map) {
			ret = rproc->ops->mem_map(rproc, r);
			if (ret)
				return rproc_err(rproc, ret,
						 "%s \"%s\": driver could not "
						 "map pa 0x%" PRIx64 ": %s",
						 rproc_rsc_type_name(r->d.type),
						 r->d.name, r->d.pa,
						 rproc_strerror(ret));
		} else {
			if (r->d.da == ANY)
				r->d.da = r->d.pa;
			r->va = rproc_op_da_to_va(rproc, r->d.da, r->d.len);
		}
		if (!r->va)
			return rproc_err(rproc, -EFAULT,
					 "%s \"%s\": da 0x%" PRIx64
					 " len 0x%" PRIx64
					 " is not in the remote's memory",
					 rproc_rsc_type_name(r->d.type),
					 r->d.name, r->d.da, r->d.len);
		r->mapped = true;
		if (r->d.pa == ANY &&
		    rproc_op_da_to_pa(rproc, r->d.da, r->d.len, &r->d.pa))
			r->d.pa = ANY;
		return 0;
	}
	if (rproc->ops->mem_alloc) {
		ret = rproc->ops->mem_alloc(rproc, r);
		if (ret)
			return rproc_err(rproc, ret,
					 "carveout \"%s\": driver could not "
					 "allocate 0x%" PRIx64 " bytes: %s",
					 r->d.name, r->d.len,
					 rproc_strerror(ret));
	} else {
		r->va = core_alloc((size_t)r->d.len);
		if (!r->va)
			return rproc_err(rproc, -ENOMEM,
					 "carveout \"%s\": out of memory for "
					 "0x%" PRIx64 " bytes",
					 r->d.name, r->d.len);
		r->d.pa = (uintptr_t)r->va;
		if (r->d.da == ANY)
			r->d.da = r->d.pa;
	}
	r->allocated = true;
	return 0;
}

static void carveout_release(struct rproc *rproc, struct rproc_resource *r)
{
	if (r->allocated) {
		if (rproc->ops->mem_alloc) {
			if (rproc->ops->mem_free)
				rproc->ops->mem_free(rproc, r);
		} else {
			core_free(r->va);
		}
	} else if (r->mapped && rproc->ops->mem_unmap) {
		rproc->ops->mem_unmap(rproc, r);
	}
	r->va = NULL;
	r->allocated = false;
	r->mapped = false;
}

/* Bytes of a legacy split virtqueue (the Linux vring_size()). */
static uint64_t vring_bytes(uint32_t num, uint32_t align)
{
	uint64_t a = align;
	uint64_t first = 16ull * num + 2ull * (3 + num);

	return ((first + a - 1) & ~(a - 1)) + 2ull * 3 + 8ull * num;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int vring_place(struct rproc *rproc, struct rproc_resource *vdev,
		       unsigned i)
{
	struct rproc_rsc_vring *v = &vdev->d.vdev.vring[i];
	char name[RPROC_RSC_NAME_LEN + 16];
	struct rproc_resource *co;
	struct rproc_rsc_desc d;
	int ret;

	if (!is_pow2(v->num) || v->num > 32768 || !is_pow2(v->align))
		return rproc_err(rproc, -EINVAL,
				 "%s vring %u: num %u / align %u must be "
				 "powers of two (num at most 32768)",
				 vdev->d.name, i, (unsigned)v->num,
				 (unsigned)v->align);
	v->size = (size_t)vring_bytes(v->num, v->align);
	if ((size_t)snprintf(name, sizeof(name), "%svring%u", vdev->d.name,
			     i) >= RPROC_RSC_NAME_LEN)
		return rproc_err(rproc, -ENAMETOOLONG,
				 "%s: vring name too long", vdev->d.name);
	co = rproc_resource_find(rproc, RSC_CARVEOUT, name);
	if (!co && v->da != ANY) {
		/* a fixed address in the remote's own memory */
		v->va = rproc_da_to_va(rproc, v->da, v->size);
		if (!v->va)
			return rproc_err(rproc, -EFAULT,
					 "%s vring %u: da 0x%" PRIx64
					 " size 0x%zx is not in the remote's "
					 "memory",
					 vdev->d.name, i, v->da, v->size);
		if (rproc_op_da_to_pa(rproc, v->da, v->size, &v->pa))
			v->pa = v->da;
		goto assign_id;
	}
	if (!co) {
		/* Nothing said where: allocate a carveout of our own. */
		rproc_rsc_desc_init(&d, RSC_CARVEOUT, name);
		d.len = v->size;
		ret = register_one(rproc, RPROC_SRC_CORE, &d, -1);
		if (ret)
			return ret;
		co = rproc_resource_find(rproc, RSC_CARVEOUT, name);
		ret = carveout_alloc(rproc, co);
		if (ret)
			return ret;
	}
	if (!co->va || co->d.len < v->size)
		return rproc_err(rproc, -EINVAL,
				 "%s vring %u needs 0x%zx bytes; carveout "
				 "\"%s\" has 0x%" PRIx64,
				 vdev->d.name, i, v->size, name, co->d.len);
	if (v->da != ANY && v->da != co->d.da)
		return rproc_err(rproc, -EINVAL,
				 "%s vring %u: firmware da 0x%" PRIx64
				 " differs from carveout \"%s\" da 0x%" PRIx64,
				 vdev->d.name, i, v->da, name, co->d.da);
	v->da = co->d.da;
	v->pa = co->d.pa;
	v->va = co->va;
assign_id:
	v->notifyid = rproc->next_notifyid++;
	return 0;
}

int __rproc_resources_allocate(struct rproc *rproc)
{
	struct rproc_resource *r;
	int ret;

	rproc->next_notifyid = 0;
	/* Memory first (vrings and traces may live in carveouts) ... */
	for (r = rproc->rscs; r; r = r->next) {
		if (r->d.type != RSC_CARVEOUT && r->d.type != RSC_DEVMEM)
			continue;
		ret = carveout_alloc(rproc, r);
		if (ret)
			return ret; /* the caller releases what was done */
	}
	/* ... then vdevs, then traces. */
	for (r = rproc->rscs; r; r = r->next) {
		if (r->d.type != RSC_VDEV)
			continue;
		if (r->d.vdev.num_vrings == 0)
			return rproc_err(rproc, -EINVAL, "%s has no vrings",
					 r->d.name);
		for (unsigned i = 0; i < r->d.vdev.num_vrings; i++) {
			ret = vring_place(rproc, r, i);
			if (ret)
				return ret;
		}
		r->notifyid = rproc->next_notifyid++;
	}
	for (r = rproc->rscs; r; r = r->next) {
		if (r->d.type != RSC_TRACE)
			continue;
		if (r->d.da == ANY || r->d.len == ANY || !r->d.len)
			return rproc_err(rproc, -EINVAL,
					 "trace \"%s\": needs da and len",
					 r->d.name);
		r->va = rproc_da_to_va(rproc, r->d.da, (size_t)r->d.len);
		if (!r->va)
			return rproc_err(rproc, -EFAULT,
					 "trace \"%s\": da 0x%" PRIx64
					 " len 0x%" PRIx64
					 " is not in the remote's memory",
					 r->d.name, r->d.da, r->d.len);
	}
	return 0;
}

void __rproc_resources_release(struct rproc *rproc)
{
	struct rproc_resource *r;

	for (r = rproc->rscs; r; r = r->next) {
		if (r->d.type == RSC_CARVEOUT || r->d.type == RSC_DEVMEM)
			carveout_release(rproc, r);
		else
			r->va = NULL;
		if (r->d.type == RSC_VDEV)
			for (unsigned i = 0; i < RPROC_MAX_VRINGS; i++)
				r->d.vdev.vring[i].va = NULL;
	}
	registry_drop_transient(rproc);
	__rproc_table_free(rproc);
	rproc->next_notifyid = 0;
}

/* ---- write-back and install -------------------------------------------- */

static int put_addr(struct rproc *rproc, uint8_t *p, uint64_t v,
		    const char *what, const char *name)
{
	if (v == ANY) {
		put_u32(p, FW_RSC_ADDR_ANY);
		return 0;
	}
	if (v >= FW_RSC_ADDR_ANY)
		return rproc_err(rproc, -ERANGE,
				 "%s of \"%s\" (0x%" PRIx64
				 ") does not fit the 32-bit table",
				 what, name, v);
	put_u32(p, (uint32_t)v);
	return 0;
}

int __rproc_table_writeback(struct rproc *rproc)
{
	uint8_t *t = rproc->cached_table;
	int ret = 0;

	if (!t || rproc->table_built)
		return 0;
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next) {
		uint8_t *b;

		if (r->table_offset < 0)
			continue;
		b = t + r->table_offset + 4;
		switch (r->d.type) {
		case RSC_CARVEOUT:
			ret = put_addr(rproc, b, r->d.da, "da", r->d.name);
			if (!ret)
				ret = put_addr(rproc, b + 4, r->d.pa, "pa",
					       r->d.name);
			break;
		case RSC_VDEV:
			put_u32(b + 4, r->notifyid);
			for (unsigned i = 0; i < r->d.vdev.num_vrings && !ret;
			     i++) {
				uint8_t *v = b + 24 + 20 * i;
				struct rproc_rsc_vring *vr =
					&r->d.vdev.vring[i];

				ret = put_addr(rproc, v, vr->da, "vring da",
					       r->d.name);
				put_u32(v + 12, vr->notifyid);
				if (!ret)
					ret = put_addr(rproc, v + 16, vr->pa,
						       "vring pa", r->d.name);
			}
			break;
		default:
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static bool built_skips(const struct rproc_resource *r)
{
	unsigned a, b;
	char tail;

	if (r->d.type != RSC_CARVEOUT)
		return false;
	if (!strcmp(r->d.name, "rsc-table"))
		return true;
	/* vring memory is described by its vdev entry */
	return sscanf(r->d.name, "vdev%uvring%u%c", &a, &b, &tail) == 2;
}

static uint32_t u32_or_any(uint64_t v)
{
	return v == ANY || v >= FW_RSC_ADDR_ANY ? FW_RSC_ADDR_ANY : (uint32_t)v;
}

/* Build a table from the merged resources (firmware without one). */
static int table_build(struct rproc *rproc)
{
	struct rproc_table_builder b;
	struct rproc_resource *r;
	uint32_t num = 0;
	size_t cap = sizeof(struct resource_table), len;
	uint8_t *buf;
	int ret;

	for (r = rproc->rscs; r; r = r->next) {
		if (built_skips(r) || r->d.type > RSC_VDEV)
			continue;
		num++;
		cap += 4 + 4 +
		       (r->d.type == RSC_VDEV
				? rproc_table_vdev_size(r->d.vdev.num_vrings,
							r->d.vdev.config_len)
				: sizeof(struct fw_rsc_carveout));
	}
	if (!num)
		return 0;
	buf = rproc_zalloc(cap);
	if (!buf)
		return rproc_err(rproc, -ENOMEM,
				 "out of memory building the table");
	ret = rproc_table_builder_init(&b, buf, cap, num);
	for (r = rproc->rscs; r && !ret; r = r->next) {
		uint32_t off;

		if (built_skips(r) || r->d.type > RSC_VDEV)
			continue;
		if (r->d.type == RSC_CARVEOUT || r->d.type == RSC_DEVMEM) {
			struct fw_rsc_carveout c = {0};

			c.da = u32_or_any(r->d.da);
			c.pa = u32_or_any(r->d.pa);
			c.len = (uint32_t)r->d.len;
			c.flags = r->d.flags == ANY ? 0 : (uint32_t)r->d.flags;
			memcpy(c.name, r->d.name, sizeof(c.name));
			ret = rproc_table_builder_add(&b, r->d.type, &c,
						      sizeof(c), &off);
		} else if (r->d.type == RSC_TRACE) {
			struct fw_rsc_trace t = {0};

			t.da = u32_or_any(r->d.da);
			t.len = (uint32_t)r->d.len;
			memcpy(t.name, r->d.name, sizeof(t.name));
			ret = rproc_table_builder_add(&b, RSC_TRACE, &t,
						      sizeof(t), &off);
		} else {
			size_t vlen = rproc_table_vdev_size(
				r->d.vdev.num_vrings, r->d.vdev.config_len);
			uint8_t *v = rproc_zalloc(vlen);
			struct fw_rsc_vdev hdr = {0};

			if (!v) {
				ret = -ENOMEM;
				break;
			}
			hdr.id = r->d.vdev.id;
			hdr.notifyid = r->notifyid;
			hdr.dfeatures =
				(uint32_t)(r->d.vdev.dfeatures == ANY
						   ? 0
						   : r->d.vdev.dfeatures);
			hdr.config_len = r->d.vdev.config_len;
			hdr.num_of_vrings = (uint8_t)r->d.vdev.num_vrings;
			memcpy(v, &hdr, sizeof(hdr));
			for (unsigned i = 0; i < r->d.vdev.num_vrings; i++) {
				const struct rproc_rsc_vring *vr =
					&r->d.vdev.vring[i];
				struct fw_rsc_vdev_vring e = {
					.da = u32_or_any(vr->da),
					.align = vr->align,
					.num = vr->num,
					.notifyid = vr->notifyid,
					.pa = u32_or_any(vr->pa),
				};
				memcpy(v + sizeof(hdr) + i * sizeof(e), &e,
				       sizeof(e));
			}
			ret = rproc_table_builder_add(&b, RSC_VDEV, v, vlen,
						      &off);
			rproc_free(v);
		}
		if (!ret)
			r->table_offset = off;
	}
	if (!ret)
		ret = rproc_table_builder_finish(&b, &len);
	if (ret) {
		rproc_free(buf);
		for (r = rproc->rscs; r; r = r->next)
			if (!(r->sources & (1u << RPROC_SRC_FIRMWARE)))
				r->table_offset = -1;
		return rproc_err(rproc, ret, "building the resource table: %s",
				 rproc_strerror(ret));
	}
	rproc->cached_table = buf;
	rproc->table_len = len;
	rproc->table_built = true;
	return 0;
}

/*
 * Install the table: the firmware's (updated) table where the firmware
 * loaded it; or, for firmware without a table, a table built from the
 * resources, into the platform's "rsc-table" carveout when there is one.
 */
int __rproc_table_install(struct rproc *rproc, const struct rproc_fw *fw)
{
	struct rproc_diag d = {{0}};
	struct rproc_resource *where;
	void *va;
	int ret;

	if (rproc->fw_ops->install_table && fw) {
		ret = rproc->fw_ops->install_table(rproc, fw, &d);
		if (ret)
			return rproc_err_diag(rproc, ret,
					      "installing the table", &d);
		return 0;
	}
	if (rproc->loaded_table) { /* attached: update the live table */
		memcpy(rproc->loaded_table, rproc->cached_table,
		       rproc->table_len);
		rproc->table_ptr = rproc->loaded_table;
		return 0;
	}
	if (!rproc->cached_table) {
		ret = table_build(rproc);
		if (ret)
			return ret;
		if (!rproc->cached_table) {
			rproc->table_ptr = NULL;
			return 0;
		}
	}
	if (!rproc->table_built && rproc->table_da != ANY) {
		va = rproc_da_to_va(rproc, rproc->table_da, rproc->table_len);
		if (!va)
			return rproc_err(rproc, -EFAULT,
					 "resource table at da 0x%" PRIx64
					 " len 0x%zx is not in loaded memory",
					 rproc->table_da, rproc->table_len);
		memcpy(va, rproc->cached_table, rproc->table_len);
		rproc->table_ptr = va;
		return 0;
	}
	where = rproc_resource_find(rproc, RSC_CARVEOUT, "rsc-table");
	if (!where || !where->va) {
		rproc->table_ptr = rproc->cached_table;
		return 0;
	}
	if (where->d.len < rproc->table_len)
		return rproc_err(rproc, -ENOSPC,
				 "built resource table (0x%zx bytes) does not "
				 "fit carveout \"rsc-table\" (0x%" PRIx64 ")",
				 rproc->table_len, where->d.len);
	memcpy(where->va, rproc->cached_table, rproc->table_len);
	rproc->table_ptr = where->va;
	return 0;
}

/* ---- users' view ---------------------------------------------------------- */

unsigned rproc_trace_count(struct rproc *rproc)
{
	unsigned n = 0;

	rproc_os_mutex_lock(rproc->lock);
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next)
		n += r->d.type == RSC_TRACE && r->va;
	rproc_os_mutex_unlock(rproc->lock);
	return n;
}

int rproc_trace_read(struct rproc *rproc, unsigned idx, char *buf, size_t len)
{
	int ret = -ENOENT;

	rproc_os_mutex_lock(rproc->lock);
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next) {
		if (r->d.type != RSC_TRACE || !r->va || idx--)
			continue;
		size_t n = len < r->d.len ? len : (size_t)r->d.len;
		const char *src = r->va;
		const char *nul = memchr(src, 0, n);

		if (nul)
			n = (size_t)(nul - src);
		memcpy(buf, src, n);
		ret = n > INT32_MAX ? INT32_MAX : (int)n;
		break;
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_resource_foreach(struct rproc *rproc,
			   int (*fn)(void *ctx, const struct rproc_resource *r),
			   void *ctx)
{
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	for (struct rproc_resource *r = rproc->rscs; r && !ret; r = r->next)
		ret = fn(ctx, r);
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

void *rproc_resource_entry(struct rproc *rproc, const struct rproc_resource *r,
			   size_t *len)
{
	size_t off;

	if (!rproc->table_ptr || r->table_offset < 0)
		return NULL;
	off = (size_t)r->table_offset + sizeof(uint32_t);
	if (off > rproc->table_len)
		return NULL;
	*len = rproc->table_len - off;
	return (uint8_t *)rproc->table_ptr + off;
}

struct vendor_find {
	uint32_t type;
	unsigned nth;
	const struct rproc_rsc_entry *found;
	struct rproc_rsc_entry e;
};

static int vendor_find_fn(void *ctx, const struct rproc_rsc_entry *e)
{
	struct vendor_find *f = ctx;

	if (e->type != f->type || f->nth--)
		return 0;
	f->e = *e;
	f->found = &f->e;
	return 1;
}

void *rproc_vendor_entry(struct rproc *rproc, uint32_t type, unsigned nth,
			 size_t *len)
{
	struct vendor_find f = {.type = type, .nth = nth};
	struct rproc_diag d;

	if (!rproc->table_ptr || type < RSC_VENDOR_START ||
	    type > RSC_VENDOR_END)
		return NULL;
	if (rproc_table_walk(rproc->table_ptr, rproc->table_len, vendor_find_fn,
			     &f, &d) < 0 ||
	    !f.found)
		return NULL;
	*len = f.e.body_len;
	return (uint8_t *)rproc->table_ptr + f.e.offset + sizeof(uint32_t);
}
