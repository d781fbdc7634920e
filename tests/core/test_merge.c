/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 2: registrations from firmware, platform and API merge by type and
 * name, or the later one is rejected with a message naming both. */
#include "common.h"

static struct rproc_rsc_desc carve(const char *name, uint64_t da, uint64_t pa,
				   uint64_t len)
{
	struct rproc_rsc_desc d;

	rproc_rsc_desc_init(&d, RSC_CARVEOUT, name);
	d.da = da;
	d.pa = pa;
	d.len = len;
	return d;
}

static void expect_error(struct rproc *r, const char *text)
{
	char msg[256];

	rproc_last_error(r, msg, sizeof(msg));
	assert_string_equal(msg, text);
}

static void test_any_takes_other(void **state)
{
	struct fake f;
	struct rproc_rsc_desc a = carve("buf", 0x1000, RPROC_ANY, 0x100);
	struct rproc_rsc_desc b = carve("buf", RPROC_ANY, 0x9000, 0x100);
	struct rproc_resource *r;

	(void)state;
	fake_init(&f);
	fake_rproc(&f, "m", "x", false, false);
	b.flags = 5;
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_PLATFORM, &a), 0);
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &b),
			 0);
	r = rproc_resource_find(f.rproc, RSC_CARVEOUT, "buf");
	assert_non_null(r);
	assert_int_equal(r->d.da, 0x1000);
	assert_int_equal(r->d.pa, 0x9000);
	assert_int_equal(r->d.len, 0x100);
	assert_int_equal(r->d.flags, 5);
	assert_int_equal(r->sources,
			 (1u << RPROC_SRC_PLATFORM) | (1u << RPROC_SRC_API));
	/* a different type with the same name is another resource */
	struct rproc_rsc_desc t;
	rproc_rsc_desc_init(&t, RSC_TRACE, "buf");
	t.da = 0x5000;
	t.len = 64;
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &t),
			 0);
	assert_int_equal(
		rproc_resource_find(f.rproc, RSC_CARVEOUT, "buf")->d.da,
		0x1000);
	fake_fini(&f);
}

static void test_equal_values_conflict(void **state)
{
	struct fake f;
	struct rproc_rsc_desc a = carve("buf", 0x1000, 0x1000, 0x100);
	struct rproc_rsc_desc b = carve("buf", 0x1000, 0x2000, 0x100);

	(void)state;
	fake_init(&f);
	fake_rproc(&f, "m", "x", false, false);
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_PLATFORM, &a), 0);
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &b),
			 -EINVAL);
	expect_error(f.rproc, "carveout \"buf\": platform pa 0x1000 conflicts "
			      "with api pa 0x2000; api registration rejected");
	/* the rejected registration left nothing behind */
	assert_int_equal(
		rproc_resource_find(f.rproc, RSC_CARVEOUT, "buf")->d.pa,
		0x1000);
	assert_int_equal(
		rproc_resource_find(f.rproc, RSC_CARVEOUT, "buf")->sources,
		1u << RPROC_SRC_PLATFORM);
	fake_fini(&f);
}

static void test_coverage_rules(void **state)
{
	struct fake f;
	struct rproc_rsc_desc p = carve("region", 0x10000, 0x80010000, 0x4000);
	struct rproc_rsc_desc in = carve("region", 0x11000, RPROC_ANY, 0x1000);
	struct rproc_rsc_desc big =
		carve("region", RPROC_ANY, RPROC_ANY, 0x8000);
	struct rproc_rsc_desc out = carve("region", 0x13800, RPROC_ANY, 0x1000);
	struct rproc_resource *r;

	(void)state;
	fake_init(&f);
	fake_rproc(&f, "m", "x", false, false);
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_PLATFORM, &p), 0);
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &big),
		-EINVAL);
	expect_error(f.rproc,
		     "carveout \"region\": firmware len 0x8000 exceeds "
		     "platform region len 0x4000; firmware "
		     "registration rejected");
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &out),
		-EINVAL);
	expect_error(f.rproc, "carveout \"region\": firmware da 0x13800 len "
			      "0x1000 outside platform region da 0x10000 len "
			      "0x4000; firmware registration rejected");
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &in), 0);
	r = rproc_resource_find(f.rproc, RSC_CARVEOUT, "region");
	assert_int_equal(r->d.da, 0x11000);
	assert_int_equal(r->d.pa, 0x80011000); /* pa follows the offset */
	assert_int_equal(r->d.len, 0x1000);
	/* a fixed firmware pa that does not match the region's */
	struct rproc_rsc_desc badpa =
		carve("region", 0x11000, 0x12345000, 0x1000);
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &badpa),
		-EINVAL);
	expect_error(f.rproc, "carveout \"region\": firmware pa 0x12345000 "
			      "conflicts with platform pa 0x80011000; "
			      "firmware registration rejected");
	fake_fini(&f);
}

static void test_vdev_and_names(void **state)
{
	struct fake f;
	struct rproc_rsc_desc a, b;

	(void)state;
	fake_init(&f);
	fake_rproc(&f, "m", "x", false, false);
	rproc_rsc_desc_init(&a, RSC_VDEV, "vdev0");
	a.vdev.id = 7;
	a.vdev.dfeatures = 1;
	a.vdev.num_vrings = 2;
	b = a;
	b.vdev.dfeatures = 3;
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_PLATFORM, &a), 0);
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &b),
		-EINVAL);
	expect_error(f.rproc,
		     "vdev \"vdev0\": firmware dfeatures 0x3 conflicts "
		     "with platform dfeatures 0x1; firmware "
		     "registration rejected");
	/* vring sizes: unsaid (0) takes the other's value */
	b = a;
	b.vdev.num_vrings = 0;
	b.vdev.vring[0].num = 64;
	assert_int_equal(
		rproc_resource_register(f.rproc, RPROC_SRC_FIRMWARE, &b), 0);
	assert_int_equal(rproc_resource_find(f.rproc, RSC_VDEV, "vdev0")
				 ->d.vdev.vring[0]
				 .num,
			 64);
	assert_int_equal(rproc_resource_find(f.rproc, RSC_VDEV, "vdev0")
				 ->d.vdev.num_vrings,
			 2);

	rproc_rsc_desc_init(&a, RSC_CARVEOUT,
			    "a_name_that_is_longer_than_31_bytes");
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &a),
			 -ENAMETOOLONG);
	/* names are data: a format string in a name is printed as is */
	rproc_rsc_desc_init(&a, RSC_CARVEOUT, "%s%n%x");
	a.len = 1;
	a.pa = 1;
	b = a;
	b.pa = 2;
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &a),
			 0);
	assert_int_equal(rproc_resource_register(f.rproc, RPROC_SRC_API, &b),
			 -EINVAL);
	expect_error(f.rproc, "carveout \"%s%n%x\": api pa 0x1 conflicts with "
			      "api pa 0x2; api registration rejected");
	fake_fini(&f);
}

/* A platform region that cannot hold what the firmware's table asks for:
 * boot refused with the message, remote OFFLINE. */
static void test_boot_refused_on_conflict(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;

	(void)state;
	std_image(dir, "fw.bin", false);
	fake_init(&f);
	fake_rproc(&f, "m", "fw.bin", false, false);
	f.plat[0] = carve("fwmem", FAKE_MEM_DA + 0x10000, FAKE_MEM_PA + 0x10000,
			  0x800);
	f.nplat = 1;
	assert_int_equal(rproc_add(f.rproc), 0);
	assert_int_equal(rproc_boot(f.rproc), -EINVAL);
	expect_error(f.rproc,
		     "firmware: carveout \"fwmem\": firmware len 0x1000 "
		     "exceeds platform region len 0x800; firmware "
		     "registration rejected");
	assert_int_equal(rproc_state_get(f.rproc), RPROC_OFFLINE);
	assert_null(f.rproc->rscs);
	/* a region large enough: the firmware's carveout lands in it and the
	 * installed table says where */
	f.plat[0].len = 0x4000;
	assert_int_equal(rproc_boot(f.rproc), 0);
	struct rproc_resource *r =
		rproc_resource_find(f.rproc, RSC_CARVEOUT, "fwmem");
	assert_int_equal(r->d.da, FAKE_MEM_DA + 0x10000);
	assert_int_equal(r->sources, (1u << RPROC_SRC_PLATFORM) |
					     (1u << RPROC_SRC_FIRMWARE));
	assert_int_equal(rproc_shutdown(f.rproc), 0);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_takes_other),
		cmocka_unit_test(test_equal_values_conflict),
		cmocka_unit_test(test_coverage_rules),
		cmocka_unit_test(test_vdev_and_names),
		cmocka_unit_test(test_boot_refused_on_conflict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
