/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every state x every request: the return code and the state after
 * (DESIGN §2 topic 1, the Linux sysfs vocabulary).  SUSPENDED is not
 * reachable (no power management yet) and so not in the table.
 */
#include "common.h"

enum req {
	BOOT,
	SHUTDOWN,
	CTL_START,
	CTL_STOP,
	DETACH,
	SET_FW,
	RECOVER,
	CRASH,
	NREQ
};
static const char *const req_names[NREQ] = {
	"boot",	  "shutdown",	  "ctl_start", "ctl_stop",
	"detach", "set_firmware", "recover",   "crash"};

struct expect {
	int ret;
	enum rproc_state after;
};

/* How each starting state is reached, and what each request gives. */
static const struct {
	enum rproc_state state;
	struct expect e[NREQ];
} table[] = {
	{RPROC_OFFLINE,
	 {[BOOT] = {0, RPROC_RUNNING},
	  [SHUTDOWN] = {-EINVAL, RPROC_OFFLINE},
	  [CTL_START] = {0, RPROC_RUNNING},
	  [CTL_STOP] = {-EINVAL, RPROC_OFFLINE},
	  [DETACH] = {-EINVAL, RPROC_OFFLINE},
	  [SET_FW] = {0, RPROC_OFFLINE},
	  [RECOVER] = {-EINVAL, RPROC_OFFLINE},
	  [CRASH] = {0, RPROC_OFFLINE}}},
	{RPROC_RUNNING, /* started through the control interface */
	 {[BOOT] = {0, RPROC_RUNNING},
	  [SHUTDOWN] = {-EINVAL, RPROC_RUNNING},
	  [CTL_START] = {-EBUSY, RPROC_RUNNING},
	  [CTL_STOP] = {0, RPROC_OFFLINE},
	  [DETACH] = {0, RPROC_DETACHED},
	  [SET_FW] = {-EBUSY, RPROC_RUNNING},
	  [RECOVER] = {-EINVAL, RPROC_RUNNING},
	  [CRASH] = {0, RPROC_CRASHED}}},
	{RPROC_CRASHED, /* recovery disabled */
	 {[BOOT] = {0, RPROC_CRASHED},
	  [SHUTDOWN] = {-EINVAL, RPROC_CRASHED},
	  [CTL_START] = {-EBUSY, RPROC_CRASHED},
	  [CTL_STOP] = {0, RPROC_OFFLINE},
	  [DETACH] = {-EINVAL, RPROC_CRASHED},
	  [SET_FW] = {-EBUSY, RPROC_CRASHED},
	  [RECOVER] = {0, RPROC_RUNNING},
	  [CRASH] = {-EALREADY, RPROC_CRASHED}}},
	{RPROC_ATTACHED,
	 {[BOOT] = {0, RPROC_ATTACHED},
	  [SHUTDOWN] = {-EINVAL, RPROC_ATTACHED},
	  [CTL_START] = {-EBUSY, RPROC_ATTACHED},
	  [CTL_STOP] = {0, RPROC_OFFLINE},
	  [DETACH] = {0, RPROC_DETACHED},
	  [SET_FW] = {-EBUSY, RPROC_ATTACHED},
	  [RECOVER] = {-EINVAL, RPROC_ATTACHED},
	  [CRASH] = {0, RPROC_CRASHED}}},
	{RPROC_DETACHED,
	 {[BOOT] = {0, RPROC_ATTACHED},
	  [SHUTDOWN] = {-EINVAL, RPROC_DETACHED},
	  [CTL_START] = {0, RPROC_ATTACHED},
	  [CTL_STOP] = {-EINVAL, RPROC_DETACHED},
	  [DETACH] = {-EINVAL, RPROC_DETACHED},
	  [SET_FW] = {-EBUSY, RPROC_DETACHED},
	  [RECOVER] = {-EINVAL, RPROC_DETACHED},
	  [CRASH] = {0, RPROC_DETACHED}}},
	{RPROC_DELETED,
	 {[BOOT] = {-ENODEV, RPROC_DELETED},
	  [SHUTDOWN] = {-ENODEV, RPROC_DELETED},
	  [CTL_START] = {-ENODEV, RPROC_DELETED},
	  [CTL_STOP] = {-ENODEV, RPROC_DELETED},
	  [DETACH] = {-ENODEV, RPROC_DELETED},
	  [SET_FW] = {-ENODEV, RPROC_DELETED},
	  [RECOVER] = {-ENODEV, RPROC_DELETED},
	  [CRASH] = {0, RPROC_DELETED}}},
};

static char *dir;
static uint8_t table_img[512];
static size_t table_len;

static void reach(struct fake *f, enum rproc_state s)
{
	bool preboot = s == RPROC_ATTACHED || s == RPROC_DETACHED;
	struct rproc *r;

	fake_init(f);
	r = fake_rproc(f, "st", "fw.bin", false, preboot);
	f->loaded_table = f->mem + 0x30000;
	f->loaded_len = table_len;
	memcpy(f->loaded_table, table_img, table_len);
	rproc_set_recovery(r, false);
	rproc_set_coredump(r, RPROC_DUMP_DISABLED);
	assert_int_equal(rproc_add(r), 0);
	switch (s) {
	case RPROC_RUNNING:
	case RPROC_ATTACHED:
		assert_int_equal(rproc_ctl_start(r), 0);
		break;
	case RPROC_CRASHED:
		assert_int_equal(rproc_ctl_start(r), 0);
		assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT),
				 0);
		assert_int_equal(rproc_wait_state(r, RPROC_CRASHED, 2000), 0);
		break;
	case RPROC_DELETED:
		assert_int_equal(rproc_del(r), 0);
		break;
	default:
		break;
	}
	assert_int_equal(rproc_state_get(r), s);
}

static int request(struct rproc *r, enum req q)
{
	switch (q) {
	case BOOT:
		return rproc_boot(r);
	case SHUTDOWN:
		return rproc_shutdown(r);
	case CTL_START:
		return rproc_ctl_start(r);
	case CTL_STOP:
		return rproc_ctl_stop(r);
	case DETACH:
		return rproc_detach(r);
	case SET_FW:
		return rproc_set_firmware(r, "fw.bin");
	case RECOVER:
		return rproc_recover(r);
	case CRASH:
		return rproc_report_crash(r, RPROC_CRASH_MMUFAULT);
	default:
		return -1;
	}
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		for (int q = 0; q < NREQ; q++) {
			struct fake f;
			enum rproc_state after;
			int ret;

			reach(&f, table[i].state);
			ret = request(f.rproc, (enum req)q);
			if (q == CRASH) {
				/* the worker acts: give it time */
				rproc_wait_state(f.rproc, table[i].e[q].after,
						 2000);
				usleep(20000);
			}
			after = rproc_state_get(f.rproc);
			if (ret != table[i].e[q].ret ||
			    after != table[i].e[q].after)
				fail_msg("%s + %s: got %d (%s) -> %s, expected "
					 "%d -> %s",
					 rproc_state_name(table[i].state),
					 req_names[q], ret, rproc_err_name(ret),
					 rproc_state_name(after),
					 table[i].e[q].ret,
					 rproc_state_name(table[i].e[q].after));
			fake_fini(&f);
		}
	}
}

/* A control-interface start never pins a reference (Linux's bug). */
static void test_ctl_start_no_pin(void **state)
{
	struct fake f;
	struct rproc *r;

	(void)state;
	reach(&f, RPROC_OFFLINE);
	r = f.rproc;
	assert_int_equal(rproc_boot(r), 0);	      /* a user */
	assert_int_equal(rproc_ctl_start(r), -EBUSY); /* no pin */
	assert_int_equal(rproc_ctl_start(r), -EBUSY);
	assert_int_equal(rproc_power_count(r), 1);
	assert_int_equal(rproc_ctl_stop(r), -EBUSY); /* user holds it */
	char msg[256];
	rproc_last_error(r, msg, sizeof(msg));
	assert_string_equal(msg, "stop: remote still in use by 1 user");
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	/* refcounting: two users, the second shutdown stops */
	assert_int_equal(rproc_boot(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	assert_int_equal(rproc_power_count(r), 2);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_RUNNING);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	assert_int_equal(rproc_shutdown(r), -EINVAL);
	fake_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_ctl_start_no_pin),
	};
	int ret;

	dir = fake_fw_dir();
	std_image(dir, "fw.bin", false);
	table_len = std_table(table_img, sizeof(table_img), false);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	fake_rm_dir(dir);
	return ret;
}
