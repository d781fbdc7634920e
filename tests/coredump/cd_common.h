/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the coredump tests: little-endian readers for parsing the
 * produced bytes, a recording sink with fault injection, and allocation hooks
 * that count outstanding blocks and can fail the n-th allocation.
 */
#ifndef CD_COMMON_H
#define CD_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/coredump.h"

uint16_t cd_le16(const uint8_t *p);
uint32_t cd_le32(const uint8_t *p);
uint64_t cd_le64(const uint8_t *p);

/* Records every call; optionally keeps the bytes and fails on command. */
struct cd_rec {
	int begins, writes, ends;
	uint64_t announced; /* begin's total */
	uint64_t bytes;	    /* sum of write lengths */
	size_t max_write;   /* largest single write */
	int end_status;	    /* status end() was given */
	int begin_err;	    /* begin returns this when nonzero */
	int fail_write_at;  /* 1-based write call that fails, 0 = never */
	int write_err;
	int end_err;   /* end(0) returns this */
	uint8_t *data; /* when keep: malloc'd copy of the stream */
	bool keep;
};
void cd_rec_sink(struct rproc_dump_sink *sink, struct cd_rec *r);
void cd_rec_free(struct cd_rec *r);

/* Allocation hooks: count live blocks; fail allocation number fail_at
 * (1-based, 0 = never), or every allocation from then on if fail_sticky. */
struct cd_alloc {
	long live;
	long calls;
	long fail_at;
	bool fail_sticky;
};
extern struct cd_alloc cd_alloc;
void cd_alloc_install(long fail_at, bool sticky);
void cd_alloc_uninstall(void);

#endif /* CD_COMMON_H */
