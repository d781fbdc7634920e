/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-side helpers over resource table images (ABI in rproc/rsc_table.h):
 * a checking walker and a builder.  Pure functions; no allocation.
 */
#ifndef RPROC_TABLE_H
#define RPROC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"
#include "rproc/rsc_table.h"

/* Upper bound on entries we accept in one table (hostile input). */
#define RPROC_TABLE_MAX_ENTRIES 256

struct rproc_rsc_entry {
	uint32_t index; /* position in offset[] */
	uint32_t type;
	uint32_t offset;  /* of the entry (its type word) from table start */
	const void *body; /* just after the type word */
	size_t body_len;  /* known types: their exact size (vdev: with
			       vrings and config); others: up to table end */
};

/*
 * Check the whole table and call @fn for each entry in order (if @fn is not
 * NULL).  Checks: len >= header; ver == 1; reserved zero; num <=
 * RPROC_TABLE_MAX_ENTRIES; offset[] inside; every offset leaves room for the
 * type word and, for known types, the whole body (vdev: vrings and config,
 * overflow-safe); reserved fields of known types zero; names NUL-terminated
 * within 32 bytes; vdev: num_of_vrings <= RPROC_MAX_VRINGS... (see
 * docs/resource-table.md).  Unknown non-vendor types are passed to @fn (the
 * caller warns and skips them).
 * Returns 0, -EBADMSG / -EINVAL with a message naming the entry, or what
 * @fn returned (non-zero stops the walk).
 */
int rproc_table_walk(const void *table, size_t len,
		     int (*fn)(void *ctx, const struct rproc_rsc_entry *e),
		     void *ctx, struct rproc_diag *d);

/* Build a table in a caller's buffer: init with the exact number of
 * entries, add each, then finish.  -ENOSPC when @cap is too small. */
struct rproc_table_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;   /* bytes used so far */
	uint32_t num; /* entries announced */
	uint32_t added;
};
int rproc_table_builder_init(struct rproc_table_builder *b, void *buf,
			     size_t cap, uint32_t num);
/* Append an entry: type word then @body_len bytes of @body.  *@offset (if
 * not NULL) receives the entry's offset. */
int rproc_table_builder_add(struct rproc_table_builder *b, uint32_t type,
			    const void *body, size_t body_len,
			    uint32_t *offset);
/* -EINVAL unless exactly @num entries were added.  *@len = table size. */
int rproc_table_builder_finish(struct rproc_table_builder *b, size_t *len);

/* Size of a vdev entry body with @nvrings and @config_len, or 0 on
 * overflow. */
size_t rproc_table_vdev_size(uint32_t nvrings, uint32_t config_len);

#endif /* RPROC_TABLE_H */
