/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 5: subdevices in order, reverse on the way down, unwinding. */
#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

static void test_three_subdevs(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	r = fake_rproc(&f, "sd", "fw.bin", false, false);
	fake_add_subdevs(&f, 3);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd1.prepare "
		       "sd2.prepare start sd0.start sd1.start sd2.start");
	/* no add/remove while running */
	struct rproc_subdev extra = {.name = "x"};
	assert_int_equal(rproc_subdev_add(r, &extra), -EBUSY);
	assert_int_equal(rproc_subdev_remove(r, &f.sd[0]), -EBUSY);
	fake_clear_log(&f);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_log(&f, "sd2.stop sd1.stop sd0.stop stop sd2.unprepare "
		       "sd1.unprepare sd0.unprepare unmap unprepare");
	/* a middle start failure unwinds the started ones only */
	fake_clear_log(&f);
	f.fail_op = "sd2.start";
	f.fail_code = -ENODEV;
	assert_int_equal(rproc_boot(r), -ENODEV);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd1.prepare "
		       "sd2.prepare start sd0.start sd1.start sd2.start "
		       "sd1.stop sd0.stop stop sd2.unprepare sd1.unprepare "
		       "sd0.unprepare unmap unprepare");
	/* removal while offline */
	assert_int_equal(rproc_subdev_remove(r, &f.sd[1]), 0);
	assert_int_equal(rproc_subdev_remove(r, &f.sd[1]), -ENOENT);
	fake_clear_log(&f);
	assert_int_equal(rproc_boot(r), 0);
	assert_log(&f, "sanity prepare parse map load sd0.prepare sd2.prepare "
		       "start sd0.start sd2.start");
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A subdevice that counts doorbells and checks it only gets them between
 * its start and its stop. */
struct bell {
	struct rproc_subdev sd;
	atomic_int live; /* 1 between start and stop */
	atomic_uint rung, outside, all;
	atomic_uint last;
};

static int bell_start(struct rproc_subdev *sd)
{
	struct bell *b = (struct bell *)sd;

	atomic_store(&b->live, 1);
	return 0;
}

static void bell_stop(struct rproc_subdev *sd, bool crashed)
{
	struct bell *b = (struct bell *)sd;

	(void)crashed;
	atomic_store(&b->live, 0);
}

static void bell_notify(struct rproc_subdev *sd, uint32_t id)
{
	struct bell *b = (struct bell *)sd;

	if (!atomic_load(&b->live))
		atomic_fetch_add(&b->outside, 1);
	if (id == RPROC_NOTIFY_ALL) { /* once after each start */
		atomic_fetch_add(&b->all, 1);
		return;
	}
	atomic_fetch_add(&b->rung, 1);
	atomic_store(&b->last, id);
}

struct ringer {
	struct rproc *r;
	atomic_bool stop;
	atomic_uint delivered;
};

static void *ring_loop(void *arg)
{
	struct ringer *g = arg;

	for (uint32_t i = 0; !atomic_load(&g->stop); i++)
		if (!rproc_notify(g->r, i))
			atomic_fetch_add(&g->delivered, 1);
	return NULL;
}

/* Doorbells reach running subdevices only, also while another thread
 * boots and stops the remote; rproc_kick reaches the driver. */
static void test_notify(void **state)
{
	char *dir = fake_fw_dir();
	struct bell b = {.sd = {.name = "bell",
				.start = bell_start,
				.stop = bell_stop,
				.notify = bell_notify}};
	struct ringer g = {0};
	struct fake f;
	struct rproc *r;
	pthread_t t;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	r = fake_rproc(&f, "bell", "fw.bin", false, false);
	assert_int_equal(rproc_subdev_add(r, &b.sd), 0);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_notify(r, 7), -ENOENT); /* not running */
	assert_int_equal(rproc_boot(r), 0);
	assert_int_equal(atomic_load(&b.all), 1);
	assert_int_equal(rproc_notify(r, 7), 0);
	assert_int_equal(atomic_load(&b.last), 7);
	assert_int_equal(rproc_kick(r, 3), 0);
	assert_int_equal(f.kicks, 1);
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_notify(r, 8), -ENOENT);

	g.r = r;
	assert_int_equal(pthread_create(&t, NULL, ring_loop, &g), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(rproc_boot(r), 0);
		assert_int_equal(rproc_shutdown(r), 0);
	}
	atomic_store(&g.stop, true);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&b.outside), 0);
	assert_int_equal(atomic_load(&b.rung), atomic_load(&g.delivered) + 1);
	assert_int_equal(atomic_load(&b.all), 201);
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A subdevice that says why its start failed: the core keeps its words. */
static int says_start(struct rproc_subdev *sd)
{
	return rproc_subdev_err(sd, -EPROTO, "vdev0: ring %u misaligned", 1u);
}

static void test_start_failure_message(void **state)
{
	char *dir = fake_fw_dir();
	struct rproc_subdev sd = {.name = "says", .start = says_start};
	char msg[256];
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	r = fake_rproc(&f, "msg", "fw.bin", false, false);
	assert_int_equal(rproc_subdev_add(r, &sd), 0);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), -EPROTO);
	rproc_last_error(r, msg, sizeof(msg));
	assert_string_equal(msg, "subdevice says: start failed: vdev0: ring 1 "
				 "misaligned");
	assert_int_equal(rproc_state_get(r), RPROC_OFFLINE);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_subdevs),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_start_failure_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
