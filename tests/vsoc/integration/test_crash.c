/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every crash kind of the crash sample on both architectures: the right
 * crash type reaches the core, the remote recovers and runs again, a
 * coredump is written, and gdb-multiarch's backtrace of it names the
 * faulting function and its callers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpfw/proto.h"
#include "vsoc_test.h"

struct kind {
	int kind;
	const char *fn;	    /* the faulting function in the backtrace */
	const char *signal; /* as gdb prints it */
	enum rproc_crash_type type[2]; /* m4, rv32 */
	const char *fault;	       /* vsoc_last_fault() contains */
};

static const struct kind kinds[] = {
	{RPFW_CRASH_BAD_READ,
	 "fault_bad_read",
	 "SIGSEGV",
	 {RPROC_CRASH_MMUFAULT, RPROC_CRASH_MMUFAULT},
	 "0xc000000"},
	{RPFW_CRASH_BAD_WRITE,
	 "fault_bad_write",
	 "SIGSEGV",
	 {RPROC_CRASH_MMUFAULT, RPROC_CRASH_MMUFAULT},
	 "0xc000000"},
	{RPFW_CRASH_UNDEF,
	 "fault_undef",
	 "SIGILL",
	 {RPROC_CRASH_EXCEPTION, RPROC_CRASH_EXCEPTION},
	 ""},
	/* Cortex-M: a branch to an even address is an INVSTATE usage fault;
	 * RV32: page 0 is unmapped, the fetch faults. */
	{RPFW_CRASH_NULL_CALL,
	 "fault_null_call",
	 NULL,
	 {RPROC_CRASH_EXCEPTION, RPROC_CRASH_MMUFAULT},
	 ""},
	{RPFW_CRASH_JUMP_UNMAPPED,
	 "fault_jump_unmapped",
	 "SIGSEGV",
	 {RPROC_CRASH_MMUFAULT, RPROC_CRASH_MMUFAULT},
	 ""},
	{RPFW_CRASH_PANIC,
	 "fault_panic",
	 "SIGABRT",
	 {RPROC_CRASH_FATAL_ERROR, RPROC_CRASH_FATAL_ERROR},
	 RPFW_CRASH_PANIC_MSG},
	{RPFW_CRASH_HANG,
	 "fault_hang",
	 "SIGALRM",
	 {RPROC_CRASH_WATCHDOG, RPROC_CRASH_WATCHDOG},
	 "watchdog"},
};

static const char *const cores[] = {"m4", "rv"};
static const char *const fw[] = {"crash-m4.elf", "crash-rv32.elf"};

static void check_bt(const char *bt, const struct kind *k)
{
	static const char *const callers[] = {"crash_level2", "crash_level1",
					      "crash_run", "main"};
	const char *at = strstr(bt, k->fn);
	bool ok = at != NULL;

	/* innermost first: fn, then each caller in order */
	for (size_t i = 0; ok && i < sizeof(callers) / sizeof(callers[0]);
	     i++) {
		at = strstr(at, callers[i]);
		ok = at != NULL;
	}
	if (ok && k->signal)
		ok = strstr(bt, k->signal) != NULL;
	if (!ok)
		fprintf(stderr, "backtrace for %s lacks the chain:\n%s\n",
			k->fn, bt);
	assert_true(ok);
}

static void crash_all_kinds(int arch, enum rproc_dump_mode mode)
{
	struct vsoc_board *b = vt_open("vsoc");
	struct rproc *r = vsoc_board_find(b, cores[arch]);
	char elf[512], core[512], fault[160];
	struct vt_rx rx;

	vt_rx_attach(&rx, r);
	vt_dump_to_files(r);
	assert_int_equal(rproc_set_coredump(r, mode), 0);
	assert_int_equal(vsoc_board_add(b), 0);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	assert_int_equal(rproc_ctl_stop(r), 0);
	vt_rx_reset(&rx);
	assert_int_equal(rproc_set_firmware(r, fw[arch]), 0);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	vt_fw_path(fw[arch], elf, sizeof(elf));

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct kind *k = &kinds[i];
		uint32_t count = (uint32_t)i + 1;
		char *bt;

		vt_rx_reset(&rx);
		assert_int_equal(
			vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_CRASH, k->kind)),
			0);
		assert_true(vt_crash_wait(r, count, 5000));
		assert_int_equal(rproc_last_crash(r), k->type[arch]);
		/* recovered: the firmware restarted and said READY again */
		assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
		assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 5000), 0);
		assert_int_equal(vsoc_last_fault(r, fault, sizeof(fault)), 0);
		printf("%s %s: %s -> %s\n", cores[arch], k->fn,
		       rproc_crash_name(rproc_last_crash(r)), fault);
		assert_non_null(strstr(fault, k->fault));
		vt_core_path(r, count, core, sizeof(core));
		assert_true(vt_file_wait(core, 5000));
		bt = vt_gdb_bt(elf, core);
		check_bt(bt, k);
		free(bt);
	}
	assert_int_equal(rproc_crash_count(r), 7);
	vsoc_board_close(b);
	vt_rx_detach(&rx, NULL);
}

static void crash_m4_inline(void **state)
{
	(void)state;
	crash_all_kinds(0, RPROC_DUMP_INLINE);
}

static void crash_rv32_enabled(void **state)
{
	(void)state;
	crash_all_kinds(1, RPROC_DUMP_ENABLED);
}

static void crash_m4_enabled(void **state)
{
	(void)state;
	crash_all_kinds(0, RPROC_DUMP_ENABLED);
}

static void crash_rv32_inline(void **state)
{
	(void)state;
	crash_all_kinds(1, RPROC_DUMP_INLINE);
}

/* Recovery disabled: the remote stays CRASHED with the registers of the
 * fault until rproc_recover(). */
static void crash_waits_for_recover(void **state)
{
	struct vsoc_board *b = vt_open("vsoc");
	struct rproc *r = vsoc_board_find(b, "rv");
	struct vt_rx rx;

	(void)state;
	vt_rx_attach(&rx, r);
	assert_int_equal(vsoc_board_add(b), 0);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	assert_int_equal(rproc_ctl_stop(r), 0);
	assert_int_equal(rproc_set_recovery(r, false), 0);
	vt_rx_reset(&rx);
	assert_int_equal(rproc_set_firmware(r, "crash-rv32.elf"), 0);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	vt_rx_reset(&rx);
	assert_int_equal(vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_CRASH,
						     RPFW_CRASH_BAD_WRITE)),
			 0);
	assert_int_equal(rproc_wait_state(r, RPROC_CRASHED, 5000), 0);
	assert_int_equal(vsoc_mbox_send(r, 1), -ENODEV);
	assert_int_equal(vt_rx_count(&rx, RPFW_MSG_READY), 0);
	assert_int_equal(rproc_recover(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	vsoc_board_close(b);
	vt_rx_detach(&rx, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crash_m4_inline),
		cmocka_unit_test(crash_rv32_enabled),
		cmocka_unit_test(crash_m4_enabled),
		cmocka_unit_test(crash_rv32_inline),
		cmocka_unit_test(crash_waits_for_recover),
	};

	vt_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
