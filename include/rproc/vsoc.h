/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual SoC: remote cores (Cortex-M4, RV32) emulated with unicorn,
 * described by a devicetree board (docs/bindings/rproc,vsoc.txt), driven by
 * the rproc core like any hardware.  Link with librproc_vsoc.
 *
 * A board owns the SoC's physical memory (host memory), one emulated core per
 * remote and one struct rproc per core.  Opening a board allocates all of it,
 * registers every board memory and resource with the core (permanent
 * platform registrations) and powers on the cores the boot ROM starts
 * ("rproc,started-at-power-on": their remotes begin DETACHED).  The remotes
 * are not added yet: configure them (dump sinks, recovery, ...) and call
 * vsoc_board_add().
 */
#ifndef RPROC_VSOC_H
#define RPROC_VSOC_H

#include <stddef.h>
#include <stdint.h>

#include "rproc/diag.h"
#include "rproc/rproc.h"

struct vsoc_board;

/* Open a board from a compiled devicetree (.dtb) file or blob.  Errors:
 * -ENOENT / -EIO reading the file, -EINVAL bad devicetree (message in @d
 * naming the node and the property), -ENOEXEC a boot-firmware image the
 * boot ROM cannot load, -ENOMEM. */
int vsoc_board_open(const char *dtb_path, struct vsoc_board **out,
		    struct rproc_diag *d);
int vsoc_board_open_blob(const void *dtb, size_t len, struct vsoc_board **out,
			 struct rproc_diag *d);
/* rproc_add() every remote (always-on ones start waiting for firmware).
 * Stops at the first failure and returns it. */
int vsoc_board_add(struct vsoc_board *b);
/* rproc_del() and destroy every remote, power everything off, free the
 * board.  NULL is a no-op. */
void vsoc_board_close(struct vsoc_board *b);

const char *vsoc_board_model(const struct vsoc_board *b);
size_t vsoc_board_count(const struct vsoc_board *b);
/* The remote of core @i (devicetree order), or NULL. */
struct rproc *vsoc_board_rproc(const struct vsoc_board *b, size_t i);
/* The remote named @name (the core node's name), or NULL. */
struct rproc *vsoc_board_find(const struct vsoc_board *b, const char *name);

/* "cortex-m4" or "rv32" for a remote of a vsoc board, else NULL. */
const char *vsoc_arch_name(struct rproc *rproc);

/* Send a 32-bit word to the firmware's mailbox (VSOC_MBOX_RX) and raise its
 * interrupt.  Any thread.  -EAGAIN queue full, -ENODEV not running, -EINVAL
 * not a vsoc remote. */
int vsoc_mbox_send(struct rproc *rproc, uint32_t word);

/* Receive the firmware's VSOC_MBOX_TX words: @fn runs on the core's
 * emulation thread for each word, before the firmware's store completes
 * (after the word went to rproc_notify(): a doorbell for the remote's
 * running subdevices).
 * It must not block for long and must not call the lifecycle API of the
 * remote; vsoc_mbox_send() is allowed.  NULL restores the default (words
 * are counted and dropped). */
void vsoc_set_host_rx(struct rproc *rproc, void (*fn)(void *ctx, uint32_t w),
		      void *ctx);

/* The last halt of the core: one line describing the fault ("data abort
 * at 0x0, pc 0x1a2", "panic 0x3: sensor lost", "watchdog: no heartbeat for
 * 200 ms") or "" if it never faulted.  -EINVAL not a vsoc remote. */
int vsoc_last_fault(struct rproc *rproc, char *buf, size_t len);

struct vsoc_stats {
	uint64_t blocks;  /* basic blocks entered since the last start */
	uint64_t wakeups; /* idle (wfi) periods ended */
	uint64_t irqs;	  /* interrupts delivered to the firmware */
	uint64_t host_rx; /* words the firmware sent to the host */
};
int vsoc_stats(struct rproc *rproc, struct vsoc_stats *out);

#endif /* RPROC_VSOC_H */
