/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake driver, fake firmware format and fake subdevices for core tests.
 * Every op call is appended to fake->log ("prepare parse start ..."), and any
 * op can be made to fail once (or always) with a chosen code.
 */
#ifndef RPROC_TEST_FAKE_H
#define RPROC_TEST_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "rproc/driver.h"
#include "rproc/fw_format.h"
#include "rproc/subdev.h"

#define FAKE_MEM_DA 0x20000000u /* remote's view of its memory */
#define FAKE_MEM_PA 0x80000000u /* the "physical" address of it */
#define FAKE_MEM_SIZE (256u * 1024u)

struct fake {
	char log[8192];
	const char
		*fail_op; /* op name to fail, e.g. "start" or "sd1.prepare" */
	int fail_code;
	bool fail_always; /* else only the first time */
	struct rproc *rproc;
	uint8_t *mem;		       /* FAKE_MEM_SIZE bytes, 4 KiB aligned */
	struct rproc_rsc_desc plat[8]; /* registered in prepare */
	int nplat;
	void *loaded_table; /* for attach */
	size_t loaded_len;
	uint32_t kicks;
	uint64_t alloc_next; /* mem_alloc bump pointer */
	int alloc_live;
	uint32_t regs[18]; /* ARM-style registers for coredumps */
	struct rproc_subdev sd[3];
	int nsd;
};

extern const struct rproc_ops fake_ops;
extern const struct rproc_ops fake_ops_no_attach;
extern const struct rproc_fw_ops fake_fw_ops;

void fake_init(struct fake *f);
void fake_fini(struct fake *f);
/* Create (not add) a remote with the fake driver and format. */
struct rproc *fake_rproc(struct fake *f, const char *name, const char *fw,
			 bool always_on, bool preboot);
/* Append "word " to the log; returns the injected failure for @op or 0. */
int fake_call(struct fake *f, const char *op);
void fake_clear_log(struct fake *f);
/* Register fake subdevices sd0..sd(n-1). */
void fake_add_subdevs(struct fake *f, int n);

/*
 * A fake firmware image: "FAKE" + u32 load offset into fake memory + u32
 * payload length + payload + an optional resource table (to the end).
 */
size_t fake_image(uint8_t *buf, size_t cap, const void *payload, uint32_t plen,
		  const void *table, size_t tlen);

/* Test helpers for files: a fresh temp dir set as the search path. */
char *fake_fw_dir(void);
void fake_write_file(const char *dir, const char *name, const void *data,
		     size_t len);
void fake_rm_dir(char *dir);

/* Strip leading/trailing spaces of the log for comparisons. */
const char *fake_log(struct fake *f);

#endif /* RPROC_TEST_FAKE_H */
