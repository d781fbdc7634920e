/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attach and detach: the default board's "aon" core is started by the boot
 * ROM at power-on with preboot-m4.elf, which publishes its resource table in
 * the mailbox's RSC_TABLE register.  The host attaches to it (always-on),
 * detaches (it keeps running), attaches again, stops it and boots it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/proto.h"
#include "rproc/os.h"
#include "vsoc_test.h"

static void ping(struct rproc *r, struct vt_rx *rx, uint32_t n)
{
	assert_int_equal(vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_PING, n)), 0);
	assert_true(vt_rx_wait(rx, RPFW_MSG_PONG | n, 5000));
}

static int count_fw_trace(void *ctx, const struct rproc_resource *res)
{
	int *n = ctx;

	if (res->d.type == RSC_TRACE &&
	    (res->sources & (1u << RPROC_SRC_FIRMWARE)))
		(*n)++;
	return 0;
}

static void attach_detach_cycle(const char *board)
{
	struct vsoc_board *b = vt_open(board);
	struct rproc *r = vsoc_board_find(b, "aon");
	struct vt_rx rx;
	char buf[64];
	int n = 0;

	vt_rx_attach(&rx, r);
	/* running since power-on, before the host knows about it */
	assert_int_equal(rproc_state_get(r), RPROC_DETACHED);
	ping(r, &rx, 1);
	/* its power-on READY (if it came after vt_rx_attach) preceded the
	 * pong: from here on, any READY would mean a reboot */
	vt_rx_reset(&rx);

	assert_int_equal(vsoc_board_add(b), 0);
	assert_int_equal(rproc_wait_state(r, RPROC_ATTACHED, 5000), 0);
	assert_true(vt_trace_wait(r, "preboot up", 2000));
	assert_true(vt_trace_wait(r, "ping 1\n", 2000));
	assert_int_equal(rproc_resource_foreach(r, count_fw_trace, &n), 0);
	assert_int_equal(n, 1);
	/* attached, not rebooted: no second READY */
	assert_int_equal(vt_rx_count(&rx, RPFW_MSG_READY), 0);

	for (int round = 0; round < 3; round++) {
		assert_int_equal(rproc_detach(r), 0);
		assert_int_equal(rproc_state_get(r), RPROC_DETACHED);
		assert_int_equal(rproc_trace_count(r), 0);
		ping(r, &rx, 10 + (uint32_t)round); /* still running */
		assert_int_equal(rproc_ctl_start(r), 0);
		assert_int_equal(rproc_state_get(r), RPROC_ATTACHED);
		snprintf(buf, sizeof(buf), "ping %d\n", 10 + round);
		assert_true(vt_trace_wait(r, buf, 2000));
	}
	assert_int_equal(vt_rx_count(&rx, RPFW_MSG_READY), 0);

	/* stop really stops it; a start then boots the firmware */
	assert_int_equal(rproc_ctl_stop(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_int_equal(vsoc_mbox_send(r, 1), -ENODEV);
	assert_int_equal(rproc_ctl_start(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	assert_true(vt_rx_wait(&rx, RPFW_MSG_READY, 5000));
	assert_true(vt_trace_wait(r, "preboot up", 2000));
	ping(r, &rx, 99);
	vsoc_board_close(b);
	vt_rx_detach(&rx, NULL);
}

static void attach_detach_m4(void **state)
{
	(void)state;
	attach_detach_cycle("vsoc");
}

static void attach_detach_rv32(void **state)
{
	(void)state;
	attach_detach_cycle("preboot_rv");
}

/* The boot ROM cannot find its firmware: the board does not open, and the
 * message names the core and the image. */
static void boot_rom_firmware_missing(void **state)
{
	struct rproc_diag d = {{0}};
	struct vsoc_board *b = NULL;
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/vsoc.dtb", VT_MAIN_BOARD_DIR);
	assert_int_equal(rproc_os_fw_set_search_path("/nonexistent"), 0);
	assert_int_equal(vsoc_board_open(path, &b, &d), -ENOENT);
	assert_null(b);
	printf("%s\n", d.msg);
	assert_non_null(strstr(d.msg, "aon"));
	assert_non_null(strstr(d.msg, "preboot-m4.elf"));
	vt_init();
}

/* The boot ROM's image is not an ELF: the board does not open, and the
 * message names the core, the image and what is wrong with it. */
static void boot_rom_firmware_corrupt(void **state)
{
	struct rproc_diag d = {{0}};
	struct vsoc_board *b = NULL;
	char dir[] = "/tmp/vsoc-badfw-XXXXXX", path[512];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/preboot-m4.elf", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("this is not an ELF image, just some bytes of text", f);
	fclose(f);
	assert_int_equal(rproc_os_fw_set_search_path(dir), 0);
	snprintf(path, sizeof(path), "%s/vsoc.dtb", VT_MAIN_BOARD_DIR);
	assert_int_equal(vsoc_board_open(path, &b, &d), -ENOEXEC);
	assert_null(b);
	printf("%s\n", d.msg);
	assert_non_null(strstr(d.msg, "/remoteproc/aon@2: boot ROM: "
				      "preboot-m4.elf: ELF"));
	snprintf(path, sizeof(path), "%s/preboot-m4.elf", dir);
	unlink(path);
	rmdir(dir);
	vt_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_detach_m4),
		cmocka_unit_test(attach_detach_rv32),
		cmocka_unit_test(boot_rom_firmware_missing),
		cmocka_unit_test(boot_rom_firmware_corrupt),
	};

	vt_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
