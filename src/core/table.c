/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resource table walker and builder (include/rproc/table.h; ABI in
 * include/rproc/rsc_table.h; rules in docs/resource-table.md).
 *
 * The table comes from the firmware image, or from remote memory when we
 * attach, so it is hostile input: the walker checks the whole table before
 * it hands a single entry to its callback, so a caller never has to undo
 * work for the entries before a bad one.  Fields are decoded byte by byte
 * (little-endian, as the ABI says) so an entry at any offset can be read
 * without unaligned accesses.  Nothing here allocates.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rproc/resource.h"
#include "rproc/table.h"

#define HDR_SIZE sizeof(struct resource_table)
#define VRING_MAX_NUM 32768u

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case RSC_CARVEOUT:
		return "carveout";
	case RSC_DEVMEM:
		return "devmem";
	case RSC_TRACE:
		return "trace";
	case RSC_VDEV:
		return "vdev";
	default:
		if (type >= RSC_VENDOR_START && type <= RSC_VENDOR_END)
			return "vendor";
		return "unknown";
	}
}

/* Every entry message reads "resource table: entry N (type) at offset 0xO:
 * what is wrong", so the table can be fixed without a debugger. */
__attribute__((format(printf, 5, 6))) static int
entry_err(struct rproc_diag *d, int err, const struct rproc_rsc_entry *e,
	  bool typed, const char *fmt, ...)
{
	char what[RPROC_DIAG_LEN];
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!typed)
		return rproc_diag_set(
			d, err, "resource table: entry %u at offset 0x%x: %s",
			(unsigned)e->index, (unsigned)e->offset, what);
	return rproc_diag_set(
		d, err, "resource table: entry %u (%s) at offset 0x%x: %s",
		(unsigned)e->index, type_name(e->type), (unsigned)e->offset,
		what);
}

size_t rproc_table_vdev_size(uint32_t nvrings, uint32_t config_len)
{
	uint64_t n = sizeof(struct fw_rsc_vdev) +
		     (uint64_t)nvrings * sizeof(struct fw_rsc_vdev_vring) +
		     config_len; /* at most ~2^37: no 64-bit overflow */

	return n > SIZE_MAX ? 0 : (size_t)n;
}

/* A name field: at most 31 characters, then a NUL inside the 32 bytes. */
static int check_name(const struct rproc_rsc_entry *e, const uint8_t *name,
		      struct rproc_diag *d)
{
	if (!memchr(name, '\0', RPROC_RSC_NAME_LEN))
		return entry_err(d, -EINVAL, e, true,
				 "name not NUL-terminated within %u bytes",
				 RPROC_RSC_NAME_LEN);
	return 0;
}

static int check_vdev(const struct rproc_rsc_entry *e, size_t room,
		      struct rproc_diag *d)
{
	const uint8_t *body = e->body;
	unsigned config_len, align, num, i;
	uint8_t nvrings;
	size_t need;

	if (room < sizeof(struct fw_rsc_vdev))
		return entry_err(
			d, -EBADMSG, e, true,
			"0x%zx-byte body past end of table (0x%zx bytes left)",
			sizeof(struct fw_rsc_vdev), room);
	config_len = get32(body + offsetof(struct fw_rsc_vdev, config_len));
	nvrings = body[offsetof(struct fw_rsc_vdev, num_of_vrings)];
	if (nvrings > RPROC_MAX_VRINGS)
		return entry_err(d, -EINVAL, e, true,
				 "num_of_vrings %u exceeds %u", nvrings,
				 RPROC_MAX_VRINGS);
	need = rproc_table_vdev_size(nvrings, config_len);
	if (!need || need > room)
		return entry_err(d, -EBADMSG, e, true,
				 "%u vrings + config_len 0x%x past end of "
				 "table (0x%zx bytes left)",
				 nvrings, config_len, room);
	if (body[offsetof(struct fw_rsc_vdev, reserved)] ||
	    body[offsetof(struct fw_rsc_vdev, reserved) + 1])
		return entry_err(
			d, -EINVAL, e, true,
			"reserved bytes 0x%02x 0x%02x are not zero",
			body[offsetof(struct fw_rsc_vdev, reserved)],
			body[offsetof(struct fw_rsc_vdev, reserved) + 1]);
	for (i = 0; i < nvrings; i++) {
		const uint8_t *vr = body + sizeof(struct fw_rsc_vdev) +
				    i * sizeof(struct fw_rsc_vdev_vring);

		align = get32(vr + offsetof(struct fw_rsc_vdev_vring, align));
		num = get32(vr + offsetof(struct fw_rsc_vdev_vring, num));
		if (!is_pow2(num) || num > VRING_MAX_NUM)
			return entry_err(d, -EINVAL, e, true,
					 "vring %u: num %u is not a power of "
					 "two in 1..%u",
					 i, num, VRING_MAX_NUM);
		if (!is_pow2(align))
			return entry_err(
				d, -EINVAL, e, true,
				"vring %u: align 0x%x is not a power of two", i,
				align);
	}
	return 0;
}

/*
 * Check entry @idx of a table whose header and offset array are already
 * checked, and describe it in @e.
 */
static int check_entry(const uint8_t *t, size_t len, uint32_t idx,
		       struct rproc_rsc_entry *e, struct rproc_diag *d)
{
	const size_t first = HDR_SIZE + (size_t)4 * get32(t + 4);
	size_t room, need = 0, reserved_at = 0;
	const uint8_t *body;

	e->index = idx;
	e->offset = get32(t + HDR_SIZE + (size_t)4 * idx);
	e->type = 0;
	if (e->offset < first)
		return entry_err(d, -EBADMSG, e, false,
				 "inside the header or offset array (entries "
				 "start at 0x%zx)",
				 first);
	if (e->offset > len || len - e->offset < sizeof(struct fw_rsc_hdr))
		return entry_err(d, -EBADMSG, e, false,
				 "type word past end of table (0x%zx bytes)",
				 len);
	e->type = get32(t + e->offset);
	body = t + e->offset + sizeof(struct fw_rsc_hdr);
	room = len - e->offset - sizeof(struct fw_rsc_hdr);
	e->body = body;
	e->body_len = room;

	switch (e->type) {
	case RSC_CARVEOUT:
	case RSC_DEVMEM:
		need = sizeof(struct fw_rsc_carveout);
		reserved_at = offsetof(struct fw_rsc_carveout, reserved);
		break;
	case RSC_TRACE:
		need = sizeof(struct fw_rsc_trace);
		reserved_at = offsetof(struct fw_rsc_trace, reserved);
		break;
	case RSC_VDEV: {
		int ret = check_vdev(e, room, d);

		if (ret)
			return ret;
		e->body_len = rproc_table_vdev_size(
			body[offsetof(struct fw_rsc_vdev, num_of_vrings)],
			get32(body + offsetof(struct fw_rsc_vdev, config_len)));
		return 0;
	}
	default:
		/* Vendor and unknown types: their size is theirs to know; the
		 * driver (vendor) or the caller (unknown: warn, skip) gets
		 * the bytes up to the end of the table. */
		return 0;
	}

	if (need > room)
		return entry_err(
			d, -EBADMSG, e, true,
			"0x%zx-byte body past end of table (0x%zx bytes left)",
			need, room);
	e->body_len = need;
	if (get32(body + reserved_at))
		return entry_err(d, -EINVAL, e, true,
				 "reserved field 0x%x is not zero",
				 (unsigned)get32(body + reserved_at));
	/* carveout, devmem and trace all end with their name. */
	return check_name(e, body + need - RPROC_RSC_NAME_LEN, d);
}

int rproc_table_walk(const void *table, size_t len,
		     int (*fn)(void *ctx, const struct rproc_rsc_entry *e),
		     void *ctx, struct rproc_diag *d)
{
	const uint8_t *t = table;
	struct rproc_rsc_entry e;
	unsigned ver, num, i;
	int ret;

	if (!table && len)
		return rproc_diag_set(d, -EINVAL, "resource table: no table");
	if (len < HDR_SIZE)
		return rproc_diag_set(d, -EBADMSG,
				      "resource table: 0x%zx bytes, smaller "
				      "than its 0x%zx-byte header",
				      len, HDR_SIZE);
	ver = get32(t);
	num = get32(t + 4);
	if (ver != RSC_TABLE_VERSION)
		return rproc_diag_set(d, -EINVAL,
				      "resource table: version %u, expected %u",
				      ver, RSC_TABLE_VERSION);
	if (get32(t + 8) || get32(t + 12))
		return rproc_diag_set(d, -EINVAL,
				      "resource table: reserved header words "
				      "0x%x 0x%x are not zero",
				      (unsigned)get32(t + 8),
				      (unsigned)get32(t + 12));
	if (num > RPROC_TABLE_MAX_ENTRIES)
		return rproc_diag_set(d, -EINVAL,
				      "resource table: %u entries, at most %u",
				      num, RPROC_TABLE_MAX_ENTRIES);
	if ((len - HDR_SIZE) / 4 < num)
		return rproc_diag_set(d, -EBADMSG,
				      "resource table: offset array of %u "
				      "entries past end of table (0x%zx bytes)",
				      num, len);

	/* Check everything first: the callback only ever sees a good table. */
	for (i = 0; i < num; i++) {
		ret = check_entry(t, len, i, &e, d);
		if (ret)
			return ret;
	}
	if (!fn)
		return 0;
	for (i = 0; i < num; i++) {
		check_entry(t, len, i, &e, NULL);
		ret = fn(ctx, &e);
		if (ret)
			return ret;
	}
	return 0;
}

int rproc_table_builder_init(struct rproc_table_builder *b, void *buf,
			     size_t cap, uint32_t num)
{
	size_t hdr;

	if (!b || (!buf && cap) || num > RPROC_TABLE_MAX_ENTRIES)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	hdr = HDR_SIZE + (size_t)4 * num;
	if (cap < hdr)
		return -ENOSPC;
	memset(buf, 0, hdr);
	b->buf = buf;
	b->cap = cap;
	b->len = hdr;
	b->num = num;
	put32(b->buf, RSC_TABLE_VERSION);
	put32(b->buf + 4, num);
	return 0;
}

int rproc_table_builder_add(struct rproc_table_builder *b, uint32_t type,
			    const void *body, size_t body_len, uint32_t *offset)
{
	/* Entries start 4-byte aligned, so a remote may read them with
	 * word accesses even after a vdev with an odd config_len. */
	size_t pad = (4 - (b->len & 3)) & 3;
	size_t at = b->len + pad;

	if (!b->buf || b->added >= b->num || (!body && body_len))
		return -EINVAL;
	if (pad > b->cap - b->len || b->cap - b->len - pad < 4 ||
	    body_len > b->cap - b->len - pad - 4)
		return -ENOSPC;
	/* Offsets are 32-bit.  (Two shifts: a plain compare is always false,
	 * and warned about, where size_t is 32 bits.) */
	if (at >> 16 >> 16)
		return -ERANGE;
	memset(b->buf + b->len, 0, pad);
	put32(b->buf + HDR_SIZE + (size_t)4 * b->added, (uint32_t)at);
	put32(b->buf + at, type);
	if (body_len)
		memcpy(b->buf + at + 4, body, body_len);
	b->len = at + 4 + body_len;
	b->added++;
	if (offset)
		*offset = (uint32_t)at;
	return 0;
}

int rproc_table_builder_finish(struct rproc_table_builder *b, size_t *len)
{
	if (!b->buf || b->added != b->num)
		return -EINVAL;
	if (len)
		*len = b->len;
	return 0;
}
