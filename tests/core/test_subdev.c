/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 5: subdevices in order, reverse on the way down, unwinding. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common.h"
#include "rproc/link.h"
#include "rproc/rpmsg.h"
#include "rproc/table.h"

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

/* A subdevice that owns vendor type 200: the driver never sees those
 * entries (type 201 it still does), and the subdevice finds the live body
 * of each with rproc_vendor_entry() from its prepare. */
struct owner {
	struct rproc_subdev sd;
	uint8_t *body[3];
	size_t len[3];
};

static int owner_prepare(struct rproc_subdev *sd)
{
	struct owner *o = (struct owner *)sd;

	for (unsigned i = 0; i < 3; i++)
		o->body[i] = rproc_vendor_entry(sd->rproc, 200, i, &o->len[i]);
	return 0;
}

static void test_vendor_owner(void **state)
{
	char *dir = fake_fw_dir();
	struct owner o = {.sd = {.name = "owner",
				 .prepare = owner_prepare,
				 .vendor_type = 200}};
	struct rproc_table_builder tb;
	uint8_t table[256], img[512];
	uint32_t v1[2] = {0x11, 0x12}, v2[3] = {0x21, 0x22, 0x23}, v3 = 0x31;
	size_t tlen, len, dummy;
	struct fake f;
	struct rproc *r;

	(void)state;
	assert_int_equal(rproc_table_builder_init(&tb, table, sizeof(table), 3),
			 0);
	assert_int_equal(
		rproc_table_builder_add(&tb, 200, v1, sizeof(v1), NULL), 0);
	assert_int_equal(
		rproc_table_builder_add(&tb, 201, &v3, sizeof(v3), NULL), 0);
	assert_int_equal(
		rproc_table_builder_add(&tb, 200, v2, sizeof(v2), NULL), 0);
	assert_int_equal(rproc_table_builder_finish(&tb, &tlen), 0);
	len = fake_image(img, sizeof(img), "vendor payload!", 16, table, tlen);
	fake_write_file(dir, "v.bin", img, len);
	fake_init(&f);
	r = fake_rproc(&f, "vend", "v.bin", false, false);
	assert_int_equal(rproc_subdev_add(r, &o.sd), 0);
	assert_int_equal(rproc_add(r), 0);
	assert_null(rproc_vendor_entry(r, 200, 0, &dummy)); /* no table yet */
	assert_int_equal(rproc_boot(r), 0);
	/* the driver saw 201 only */
	assert_non_null(strstr(fake_log(&f), "vendor201"));
	assert_null(strstr(fake_log(&f), "vendor200"));
	/* the bodies in table order (len: up to the end of the table) */
	assert_non_null(o.body[0]);
	assert_non_null(o.body[1]);
	assert_null(o.body[2]);
	assert_true(o.len[0] >= sizeof(v1) && o.len[1] >= sizeof(v2));
	assert_memory_equal(o.body[0], v1, sizeof(v1));
	assert_memory_equal(o.body[1], v2, sizeof(v2));
	/* live: in the installed table */
	assert_ptr_equal(rproc_vendor_entry(r, 200, 1, &dummy), o.body[1]);
	/* not a vendor type */
	assert_null(rproc_vendor_entry(r, RSC_CARVEOUT, 0, &dummy));
	assert_int_equal(rproc_shutdown(r), 0);
	assert_null(rproc_vendor_entry(r, 200, 0, &dummy));
	fake_fini(&f);
	fake_rm_dir(dir);
}

/* A unique subdevice is one of its kind (its start callback) per remote;
 * others of the same kind and other kinds still come in. */
static int kind_a(struct rproc_subdev *sd)
{
	(void)sd;
	return 0;
}

static int kind_b(struct rproc_subdev *sd)
{
	(void)sd;
	return 0;
}

static void test_unique(void **state)
{
	char *dir = fake_fw_dir();
	struct rproc_subdev a1 = {
		.name = "a1", .start = kind_a, .unique = true};
	struct rproc_subdev a2 = {
		.name = "a2", .start = kind_a, .unique = true};
	struct rproc_subdev a3 = {.name = "a3", .start = kind_a};
	struct rproc_subdev b = {.name = "b", .start = kind_b, .unique = true};
	struct rproc_rpmsg *bus, *bus2;
	struct rproc_link *link, *link2;
	char msg[128];
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	r = fake_rproc(&f, "uq", "fw.bin", false, false);
	assert_int_equal(rproc_subdev_add(r, &a1), 0);
	assert_int_equal(rproc_subdev_add(r, &a2), -EBUSY);
	assert_int_equal(rproc_last_error(r, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "a2: one per remote"));
	assert_int_equal(rproc_subdev_add(r, &a1), -EEXIST);
	/* not unique itself: the first one's flag does not keep it out */
	assert_int_equal(rproc_subdev_add(r, &a3), 0);
	assert_int_equal(rproc_subdev_add(r, &b), 0);
	/* the kind is free again once the first one is removed... */
	assert_int_equal(rproc_subdev_remove(r, &a1), 0);
	assert_int_equal(rproc_subdev_add(r, &a2), -EBUSY); /* a3 is kind a */
	assert_int_equal(rproc_subdev_remove(r, &a3), 0);
	assert_int_equal(rproc_subdev_add(r, &a2), 0);
	/* the rpmsg bus and the link are unique kinds */
	assert_int_equal(rproc_rpmsg_attach(r, NULL, NULL, &bus), 0);
	assert_int_equal(rproc_rpmsg_attach(r, NULL, NULL, &bus2), -EBUSY);
	assert_int_equal(rproc_link_attach(r, NULL, NULL, &link), 0);
	assert_int_equal(rproc_link_attach(r, NULL, NULL, &link2), -EBUSY);
	rproc_link_detach(link);
	rproc_rpmsg_detach(bus);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	assert_int_equal(rproc_shutdown(r), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_subdevs),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_start_failure_message),
		cmocka_unit_test(test_vendor_owner),
		cmocka_unit_test(test_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
