/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the vsoc integration tests: boards, mailbox collection, trace,
 * coredump files and gdb. */
#ifndef VSOC_TEST_H
#define VSOC_TEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/driver.h"
#include "rproc/rproc.h"
#include "rproc/vsoc.h"

/* Words a firmware sent to the host, collected on the emulation thread. */
struct vt_rx {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t words[4096];
	size_t n;
};

/* Firmware search path = the built firmware; coredumps into a fresh
 * temporary directory (vt_dump_dir()). */
void vt_init(void);
const char *vt_dump_dir(void);
/* Open boards/<name>.dtb (built from boards/ or tests/vsoc/integration/). */
struct vsoc_board *vt_open(const char *name);
/* Path of a built firmware image. */
const char *vt_fw_path(const char *name, char *buf, size_t len);

void vt_rx_attach(struct vt_rx *rx, struct rproc *r);
/* Stop collecting (@r NULL: the board is already closed). */
void vt_rx_detach(struct vt_rx *rx, struct rproc *r);
/* Wait until @word has been received (any time since attach or the last
 * reset); false after @timeout_ms. */
bool vt_rx_wait(struct vt_rx *rx, uint32_t word, int timeout_ms);
void vt_rx_reset(struct vt_rx *rx);
size_t vt_rx_count(struct vt_rx *rx, uint32_t word);

/* Poll the remote's trace buffer 0 until it contains @text. */
bool vt_trace_wait(struct rproc *r, const char *text, int timeout_ms);
/* Wait until rproc_crash_count() reaches @count. */
bool vt_crash_wait(struct rproc *r, uint32_t count, int timeout_ms);

/* Send coredumps of @r to <dump dir>/<remote>-<count>.core. */
void vt_dump_to_files(struct rproc *r);
const char *vt_core_path(struct rproc *r, uint32_t count, char *buf,
			 size_t len);
/* Wait until the core file exists (the enabled mode writes it after the
 * restart). */
bool vt_file_wait(const char *path, int timeout_ms);

/* `gdb-multiarch -batch -ex bt <elf> <core>`: the output (malloc'ed). */
char *vt_gdb_bt(const char *elf, const char *core);

/* Process CPU time in nanoseconds. */
uint64_t vt_cpu_ns(void);
uint64_t vt_now_ns(void);

#endif /* VSOC_TEST_H */
