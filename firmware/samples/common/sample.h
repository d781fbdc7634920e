/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the sample firmware shares: start-up (trace, heartbeat, mailbox,
 * READY), the commands every sample answers (rpfw/proto.h), one deferred
 * command slot for work that runs outside the interrupt handler, and the
 * standard resource table (sample_rsc.c: the local memories as carveouts
 * and "trace0").
 */
#ifndef RPFW_SAMPLE_H
#define RPFW_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpfw/rpfw.h"
#include "rpfw/proto.h"

#define SAMPLE_TRACE_LEN 4096

/* sample_rsc.c: the standard table and its trace buffer "trace0". */
struct sample_rsc_table {
	struct rpfw_rsc_header hdr;
#if defined(__arm__)
	uint32_t offset[3];
	struct rpfw_rsc_carveout tcm;
	struct rpfw_rsc_carveout sram;
#else
	uint32_t offset[2];
	struct rpfw_rsc_carveout ram;
#endif
	struct rpfw_rsc_trace trace;
};

/* Samples with a table of another shape (echo) define SAMPLE_OWN_TABLE
 * before including this header: one object, one type. */
#ifndef SAMPLE_OWN_TABLE
extern struct sample_rsc_table rpfw_resource_table;
#endif
extern char sample_trace_buf[SAMPLE_TRACE_LEN];

/* A sample's own commands, called from the mailbox interrupt for each word
 * the common handler does not know; returns false for an unknown word. */
typedef bool (*sample_cmd_fn)(uint32_t word);

/*
 * Trace into @trace_buf (NULL: no trace) the greeting line and the version
 * line ("rpfw <version> <@name> <arch>"), answer PING and TRACE (and
 * @cmd's commands) from the mailbox interrupt, start the heartbeat, enable
 * interrupts, and send RPFW_MSG_READY.
 */
void sample_start(char *trace_buf, size_t trace_len, const char *greeting,
		  const char *name, sample_cmd_fn cmd);

/* defer.c: hand a command over to main (from a sample_cmd_fn): one slot; a
 * second command before main took the first is traced and dropped. */
void sample_defer(uint32_t word);
/* Wait for the next deferred command and take it.  Race-free idle: the
 * slot is checked with interrupts masked, then wfi (which wakes on a
 * pending interrupt even when masked), then interrupts are unmasked so the
 * handler runs. */
uint32_t sample_wait(void);

#endif /* RPFW_SAMPLE_H */
