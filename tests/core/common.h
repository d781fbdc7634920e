/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared set-up of the core tests: a firmware dir and standard images. */
#ifndef RPROC_TEST_CORE_COMMON_H
#define RPROC_TEST_CORE_COMMON_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake.h"
#include "internal.h"
#include "rproc/table.h"

/* Standard tables.  "full": a carveout with a fixed pa (mapped by the
 * driver), a trace buffer and an rpmsg vdev with two rings the core places.
 * "simple": the carveout and the trace only (detachable). */
static inline size_t std_table(uint8_t *buf, size_t cap, bool with_vdev)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c = {0};
	struct fw_rsc_trace t = {0};
	uint8_t vdev[24 + 2 * 20 + 8] = {0};
	struct fw_rsc_vdev vh = {0};
	size_t len;

	assert_int_equal(
		rproc_table_builder_init(&b, buf, cap, with_vdev ? 3 : 2), 0);
	c.da = FW_RSC_ADDR_ANY;
	c.pa = FAKE_MEM_PA + 0x10000;
	c.len = 0x1000;
	strcpy((char *)c.name, "fwmem");
	assert_int_equal(
		rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c), NULL),
		0);
	t.da = FAKE_MEM_DA + 0x20000;
	t.len = 256;
	strcpy((char *)t.name, "trace0");
	assert_int_equal(
		rproc_table_builder_add(&b, RSC_TRACE, &t, sizeof(t), NULL), 0);
	if (with_vdev) {
		vh.id = RPROC_VIRTIO_ID_RPMSG;
		vh.dfeatures = 1;
		vh.config_len = 8;
		vh.num_of_vrings = 2;
		memcpy(vdev, &vh, sizeof(vh));
		for (int i = 0; i < 2; i++) {
			struct fw_rsc_vdev_vring v = {
				.da = FW_RSC_ADDR_ANY, .align = 16, .num = 16};
			memcpy(vdev + 24 + 20 * i, &v, sizeof(v));
		}
		assert_int_equal(rproc_table_builder_add(&b, RSC_VDEV, vdev,
							 sizeof(vdev), NULL),
				 0);
	}
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	return len;
}

/* Write a fake image with the standard table to @dir/@name. */
static inline void std_image(const char *dir, const char *name, bool vdev)
{
	uint8_t table[512], img[1024];
	size_t tlen = std_table(table, sizeof(table), vdev);
	size_t len = fake_image(img, sizeof(img), "hello, remote!!", 16, table,
				tlen);

	fake_write_file(dir, name, img, len);
}

#define assert_log(f, expected) assert_string_equal(fake_log(f), expected)

#endif
