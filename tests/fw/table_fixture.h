/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A valid resource table with one entry of every kind, for the walker,
 * fuzz and format tests:
 *   0 carveout "text", 1 devmem "regs", 2 trace "trace0",
 *   3 vdev (rpmsg, 2 vrings of 8, 4 bytes of config), 4 vendor 128 (8 bytes).
 * Field positions are given so tests can break one field at a time.
 */
#ifndef RPROC_TESTS_TABLE_FIXTURE_H
#define RPROC_TESTS_TABLE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rproc/rsc_table.h"
#include "rproc/table.h"

#define FIX_NUM 5
#define FIX_CAP 512

struct table_fixture {
	uint8_t buf[FIX_CAP];
	size_t len;
	uint32_t off[FIX_NUM]; /* entry offsets (type word) */
};

/* Body positions (from the entry's type word). */
#define BODY(f) (4 + (f))
#define CARVEOUT_RESERVED BODY(offsetof(struct fw_rsc_carveout, reserved))
#define CARVEOUT_NAME BODY(offsetof(struct fw_rsc_carveout, name))
#define TRACE_RESERVED BODY(offsetof(struct fw_rsc_trace, reserved))
#define TRACE_NAME BODY(offsetof(struct fw_rsc_trace, name))
#define VDEV_CONFIG_LEN BODY(offsetof(struct fw_rsc_vdev, config_len))
#define VDEV_NUM_VRINGS BODY(offsetof(struct fw_rsc_vdev, num_of_vrings))
#define VDEV_RESERVED BODY(offsetof(struct fw_rsc_vdev, reserved))
#define VRING(i, f)                                                            \
	BODY(sizeof(struct fw_rsc_vdev) +                                      \
	     (i) * sizeof(struct fw_rsc_vdev_vring) +                          \
	     offsetof(struct fw_rsc_vdev_vring, f))

static inline void fix_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void fixture_build(struct table_fixture *f)
{
	struct rproc_table_builder b;
	uint8_t carveout[52] = {0}, devmem[52] = {0}, trace[44] = {0};
	uint8_t vdev[24 + 40 + 4] = {0};
	static const uint8_t vendor[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	int ret = 0;

	fix_put32(carveout + 0, 0x10000);
	fix_put32(carveout + 4, FW_RSC_ADDR_ANY);
	fix_put32(carveout + 8, 0x8000);
	memcpy(carveout + 20, "text", 5);
	fix_put32(devmem + 0, 0x40000000);
	fix_put32(devmem + 4, 0x40000000);
	fix_put32(devmem + 8, 0x1000);
	memcpy(devmem + 20, "regs", 5);
	fix_put32(trace + 0, 0x20000);
	fix_put32(trace + 4, 0x400);
	memcpy(trace + 12, "trace0", 7);
	fix_put32(vdev + 0, RPROC_VIRTIO_ID_RPMSG);
	fix_put32(vdev + 8, 1); /* VIRTIO_RPMSG_F_NS */
	fix_put32(vdev + 16, 4);
	vdev[21] = 2;
	fix_put32(vdev + 24 + 0, FW_RSC_ADDR_ANY);
	fix_put32(vdev + 24 + 4, 16);
	fix_put32(vdev + 24 + 8, 8);
	fix_put32(vdev + 44 + 0, FW_RSC_ADDR_ANY);
	fix_put32(vdev + 44 + 4, 16);
	fix_put32(vdev + 44 + 8, 8);
	memcpy(vdev + 64, "cfg", 4);

	memset(f, 0, sizeof(*f));
	ret |= rproc_table_builder_init(&b, f->buf, sizeof(f->buf), FIX_NUM);
	ret |= rproc_table_builder_add(&b, RSC_CARVEOUT, carveout,
				       sizeof(carveout), &f->off[0]);
	ret |= rproc_table_builder_add(&b, RSC_DEVMEM, devmem, sizeof(devmem),
				       &f->off[1]);
	ret |= rproc_table_builder_add(&b, RSC_TRACE, trace, sizeof(trace),
				       &f->off[2]);
	ret |= rproc_table_builder_add(&b, RSC_VDEV, vdev, sizeof(vdev),
				       &f->off[3]);
	ret |= rproc_table_builder_add(&b, RSC_VENDOR_START, vendor,
				       sizeof(vendor), &f->off[4]);
	ret |= rproc_table_builder_finish(&b, &f->len);
	if (ret)
		f->len = 0; /* the tests then fail loudly */
}

#endif /* RPROC_TESTS_TABLE_FIXTURE_H */
