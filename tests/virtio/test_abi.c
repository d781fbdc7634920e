/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio_abi: byte-for-byte golden images of every structure of
 * include/rproc/virtio_abi.h and include/rproc/rsc_table.h (DESIGN §6),
 * each built field by field through the structures and compared with a
 * hand-written little-endian byte array; vring_size() and the ring offsets
 * against arithmetic done by hand; vring_need_event() edge cases.
 *
 * STATUS: complete (all structures, three ring geometries, need_event
 * wrap-around).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/rsc_table.h"
#include "rproc/virtio_abi.h"

static void check_le(void)
{
	const uint32_t one = 1;
	uint8_t b;

	memcpy(&b, &one, 1);
	/* The golden images are little-endian, like every remote. */
	assert_int_equal(b, 1);
}

static void assert_image(const void *got, const uint8_t *want, size_t len)
{
	const uint8_t *g = got;
	size_t i;

	for (i = 0; i < len; i++) {
		if (g[i] != want[i])
			fail_msg("byte %zu: got 0x%02x, want 0x%02x", i, g[i],
				 want[i]);
	}
}

/* ---- virtio_abi.h ---------------------------------------------------------- */

static void test_vring_desc(void **state)
{
	static const uint8_t want[16] = {
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* addr */
		0xcc, 0xbb, 0xaa, 0x99,				/* len */
		0xee, 0xdd,					/* flags */
		0x02, 0x01,					/* next */
	};
	struct vring_desc d;

	(void)state;
	check_le();
	memset(&d, 0x5a, sizeof(d));
	d.addr = 0x1122334455667788ull;
	d.len = 0x99aabbccu;
	d.flags = 0xddee;
	d.next = 0x0102;
	assert_int_equal(sizeof(d), sizeof(want));
	assert_image(&d, want, sizeof(want));
}

static void test_vring_avail(void **state)
{
	/* num = 2: flags, idx, ring[2], used_event */
	static const uint8_t want[10] = {
		0x01, 0x00, /* flags = VRING_AVAIL_F_NO_INTERRUPT */
		0xef, 0xbe, /* idx */
		0x02, 0x01, /* ring[0] */
		0x04, 0x03, /* ring[1] */
		0xfe, 0xca, /* used_event */
	};
	_Alignas(8) uint8_t buf[16];
	struct vring_avail *a = (struct vring_avail *)buf;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	a->flags = VRING_AVAIL_F_NO_INTERRUPT;
	a->idx = 0xbeef;
	a->ring[0] = 0x0102;
	a->ring[1] = 0x0304;
	a->ring[2] = 0xcafe; /* used_event sits right after ring[num] */
	assert_image(buf, want, sizeof(want));
	assert_int_equal(offsetof(struct vring_avail, ring), 4);
}

static void test_vring_used(void **state)
{
	/* num = 2: flags, idx, ring[2] {id, len}, avail_event */
	static const uint8_t want[22] = {
		0x01, 0x00,		/* flags = VRING_USED_F_NO_NOTIFY */
		0x34, 0x12,		/* idx */
		0x44, 0x33, 0x22, 0x11, /* ring[0].id */
		0x88, 0x77, 0x66, 0x55, /* ring[0].len */
		0x01, 0x00, 0x00, 0x00, /* ring[1].id */
		0x02, 0x00, 0x00, 0x00, /* ring[1].len */
		0xcd, 0xab,		/* avail_event */
	};
	_Alignas(8) uint8_t buf[24];
	struct vring_used *u = (struct vring_used *)buf;
	struct vring_used_elem e = {.id = 1, .len = 2};

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	u->flags = VRING_USED_F_NO_NOTIFY;
	u->idx = 0x1234;
	u->ring[0].id = 0x11223344u;
	u->ring[0].len = 0x55667788u;
	u->ring[1] = e;
	memcpy(&u->ring[2], &(uint16_t){0xabcd}, 2); /* avail_event */
	assert_image(buf, want, sizeof(want));
	assert_image(&e, want + 12, sizeof(e));
	assert_int_equal(offsetof(struct vring_used, ring), 4);
}

/* A whole ring, num 1 align 4, through the offset helpers. */
static void test_vring_whole(void **state)
{
	static const uint8_t want[38] = {
		/* 0: desc[0] */
		0x00, 0x10, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, /* addr */
		0x00, 0x02, 0x00, 0x00,				/* len 512 */
		0x02, 0x00,					/* WRITE */
		0x00, 0x00,					/* next */
		/* 16: avail */
		0x00, 0x00, /* flags */
		0x01, 0x00, /* idx */
		0x00, 0x00, /* ring[0] */
		0x07, 0x00, /* used_event */
		/* 24: used (22 is rounded up to 4: 24) */
		0x00, 0x00,		/* flags */
		0x01, 0x00,		/* idx */
		0x00, 0x00, 0x00, 0x00, /* ring[0].id */
		0x10, 0x00, 0x00, 0x00, /* ring[0].len */
		0x09, 0x00,		/* avail_event */
	};
	_Alignas(16) uint8_t ring[40];
	struct vring_desc *d = (struct vring_desc *)ring;
	struct vring_avail *a =
		(struct vring_avail *)(ring + vring_avail_offset(1));
	struct vring_used *u =
		(struct vring_used *)(ring + vring_used_offset(1, 4));

	(void)state;
	memset(ring, 0, sizeof(ring));
	d[0].addr = 0xf00001000ull;
	d[0].len = 512;
	d[0].flags = VRING_DESC_F_WRITE;
	a->idx = 1;
	a->ring[0] = 0;
	a->ring[1] = 7;
	u->idx = 1;
	u->ring[0].id = 0;
	u->ring[0].len = 16;
	memcpy(&u->ring[1], &(uint16_t){9}, 2); /* avail_event */
	assert_int_equal(vring_size(1, 4), sizeof(want));
	assert_image(ring, want, sizeof(want));
}

static void test_rpmsg_msgs(void **state)
{
	static const uint8_t want[56] = {
		0x00, 0x04, 0x00, 0x00, /* src 1024 */
		0x35, 0x00, 0x00, 0x00, /* dst 53 */
		0x00, 0x00, 0x00, 0x00, /* reserved */
		0x28, 0x00,		/* len 40 */
		0x00, 0x00,		/* flags */
		/* name "rpmsg-tty", NUL padded to 32 */
		'r', 'p', 'm', 's', 'g', '-', 't', 't', 'y', 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x04,
		0x00, 0x00,		/* addr 1025 */
		0x01, 0x00, 0x00, 0x00, /* flags: destroy */
	};
	static const uint8_t want_cfg[8] = {
		0x00, 0x02, 0x00, 0x00, /* h2r 512 */
		0x00, 0x10, 0x00, 0x00, /* r2h 4096 */
	};
	_Alignas(8) uint8_t buf[56];
	struct rpmsg_hdr *h = (struct rpmsg_hdr *)buf;
	struct rpmsg_ns_msg *ns = (struct rpmsg_ns_msg *)h->data;
	struct rpmsg_virtio_config cfg;

	(void)state;
	memset(buf, 0, sizeof(buf));
	h->src = RPMSG_RESERVED_ADDRESSES;
	h->dst = RPMSG_NS_ADDR;
	h->len = sizeof(*ns);
	strcpy(ns->name, "rpmsg-tty");
	ns->addr = 1025;
	ns->flags = RPMSG_NS_DESTROY;
	assert_image(buf, want, sizeof(want));

	memset(&cfg, 0x5a, sizeof(cfg));
	cfg.h2r_buf_size = RPMSG_BUF_SIZE_DEFAULT;
	cfg.r2h_buf_size = 4096;
	assert_image(&cfg, want_cfg, sizeof(want_cfg));
}

static void test_constants(void **state)
{
	(void)state;
	/* DESIGN §6 and the virtio 1.x / Linux values. */
	assert_int_equal(VIRTIO_CONFIG_S_ACKNOWLEDGE, 1);
	assert_int_equal(VIRTIO_CONFIG_S_DRIVER, 2);
	assert_int_equal(VIRTIO_CONFIG_S_DRIVER_OK, 4);
	assert_int_equal(VIRTIO_CONFIG_S_FEATURES_OK, 8);
	assert_int_equal(VIRTIO_CONFIG_S_NEEDS_RESET, 0x40);
	assert_int_equal(VIRTIO_CONFIG_S_FAILED, 0x80);
	assert_int_equal(VIRTIO_RING_F_INDIRECT_DESC, 28);
	assert_int_equal(VIRTIO_RING_F_EVENT_IDX, 29);
	assert_int_equal(VRING_DESC_F_NEXT, 1);
	assert_int_equal(VRING_DESC_F_WRITE, 2);
	assert_int_equal(VRING_DESC_F_INDIRECT, 4);
	assert_int_equal(VRING_AVAIL_F_NO_INTERRUPT, 1);
	assert_int_equal(VRING_USED_F_NO_NOTIFY, 1);
	assert_int_equal(VRING_MAX_NUM, 32768);
	assert_int_equal(VIRTIO_ID_RPMSG, 7);
	assert_int_equal(RPROC_VIRTIO_ID_RPMSG, 7);
	assert_int_equal(VIRTIO_RPMSG_F_NS, 0);
	assert_int_equal(RPMSG_NS_ADDR, 53);
	assert_int_equal(RPMSG_RESERVED_ADDRESSES, 1024);
	assert_int_equal(RPMSG_NAME_SIZE, 32);
	assert_int_equal(RPMSG_NS_CREATE, 0);
	assert_int_equal(RPMSG_NS_DESTROY, 1);
	assert_int_equal(RPMSG_BUF_SIZE_DEFAULT, 512);
	assert_int_equal(RSC_CARVEOUT, 0);
	assert_int_equal(RSC_DEVMEM, 1);
	assert_int_equal(RSC_TRACE, 2);
	assert_int_equal(RSC_VDEV, 3);
	assert_int_equal(RSC_VENDOR_START, 128);
	assert_int_equal(RSC_VENDOR_END, 512);
	assert_int_equal(FW_RSC_ADDR_ANY, 0xffffffffu);
	assert_int_equal(RPROC_VIRTIO_STATUS_DRIVER_OK,
			 VIRTIO_CONFIG_S_DRIVER_OK);
}

/* ---- rsc_table.h ------------------------------------------------------------- */

/*
 * Header (16) + offset[3] (12) = 28; carveout entry at 28: type (4) + body
 * (52) = 56 -> 84; trace at 84: 4 + 44 = 48 -> 132; vdev at 132: 4 + 24 +
 * 2 x 20 + 8 (config) = 76 -> 208.
 */
#define TABLE_LEN 208
static const uint8_t table_want[TABLE_LEN] = {
	/* 0: header */
	0x01, 0x00, 0x00, 0x00,				/* ver 1 */
	0x03, 0x00, 0x00, 0x00,				/* num 3 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved[2] */
	0x1c, 0x00, 0x00, 0x00,				/* offset[0] 28 */
	0x54, 0x00, 0x00, 0x00,				/* offset[1] 84 */
	0x84, 0x00, 0x00, 0x00,				/* offset[2] 132 */
	/* 28: carveout */
	0x00, 0x00, 0x00, 0x00, /* type RSC_CARVEOUT */
	0x00, 0x00, 0x00, 0x10, /* da 0x10000000 */
	0x00, 0x00, 0x00, 0x8f, /* pa 0x8f000000 */
	0x00, 0x00, 0x10, 0x00, /* len 1 MiB */
	0x05, 0x00, 0x00, 0x00, /* flags */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	'c', 'a', 'r', 'v', 'e', 'o', 'u', 't', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 84: trace */
	0x02, 0x00, 0x00, 0x00, /* type RSC_TRACE */
	0x00, 0x10, 0x00, 0x20, /* da 0x20001000 */
	0x00, 0x04, 0x00, 0x00, /* len 1024 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	't', 'r', 'a', 'c', 'e', '0', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 132: vdev */
	0x03, 0x00, 0x00, 0x00, /* type RSC_VDEV */
	0x07, 0x00, 0x00, 0x00, /* id rpmsg */
	0x21, 0x00, 0x00, 0x00, /* notifyid */
	0x01, 0x00, 0x00, 0x20, /* dfeatures NS | EVENT_IDX */
	0x01, 0x00, 0x00, 0x00, /* gfeatures NS */
	0x08, 0x00, 0x00, 0x00, /* config_len */
	0x07,			/* status ACK | DRIVER | DRIVER_OK */
	0x02,			/* num_of_vrings */
	0x00, 0x00,		/* reserved */
	/* 160: vring0 */
	0x00, 0x00, 0x01, 0x20, /* da 0x20010000 */
	0x00, 0x10, 0x00, 0x00, /* align 4096 */
	0x00, 0x01, 0x00, 0x00, /* num 256 */
	0x00, 0x00, 0x00, 0x00, /* notifyid 0 */
	0x00, 0x00, 0x01, 0x8f, /* pa 0x8f010000 */
	/* 180: vring1 */
	0xff, 0xff, 0xff, 0xff, /* da FW_RSC_ADDR_ANY */
	0x10, 0x00, 0x00, 0x00, /* align 16 */
	0x10, 0x00, 0x00, 0x00, /* num 16 */
	0x01, 0x00, 0x00, 0x00, /* notifyid 1 */
	0x78, 0x56, 0x34, 0x12, /* pa 0x12345678 */
	/* 200: config */
	0x00, 0x02, 0x00, 0x00, /* h2r_buf_size 512 */
	0x00, 0x10, 0x00, 0x00, /* r2h_buf_size 4096 */
};

static void test_rsc_table(void **state)
{
	_Alignas(8) uint8_t img[TABLE_LEN];
	struct resource_table *t = (struct resource_table *)img;
	struct fw_rsc_hdr *h;
	struct fw_rsc_carveout *c;
	struct fw_rsc_trace *tr;
	struct fw_rsc_vdev *v;
	struct rpmsg_virtio_config *cfg;

	(void)state;
	memset(img, 0x5a, sizeof(img));
	t->ver = RSC_TABLE_VERSION;
	t->num = 3;
	t->reserved[0] = 0;
	t->reserved[1] = 0;
	t->offset[0] = 28;
	t->offset[1] = 84;
	t->offset[2] = 132;

	h = (struct fw_rsc_hdr *)(img + t->offset[0]);
	h->type = RSC_CARVEOUT;
	c = (struct fw_rsc_carveout *)h->data;
	c->da = 0x10000000;
	c->pa = 0x8f000000;
	c->len = 0x100000;
	c->flags = 5;
	c->reserved = 0;
	memset(c->name, 0, sizeof(c->name));
	memcpy(c->name, "carveout0", 9);

	h = (struct fw_rsc_hdr *)(img + t->offset[1]);
	h->type = RSC_TRACE;
	tr = (struct fw_rsc_trace *)h->data;
	tr->da = 0x20001000;
	tr->len = 1024;
	tr->reserved = 0;
	memset(tr->name, 0, sizeof(tr->name));
	memcpy(tr->name, "trace0", 6);

	h = (struct fw_rsc_hdr *)(img + t->offset[2]);
	h->type = RSC_VDEV;
	v = (struct fw_rsc_vdev *)h->data;
	v->id = RPROC_VIRTIO_ID_RPMSG;
	v->notifyid = 0x21;
	v->dfeatures = 1u << VIRTIO_RPMSG_F_NS | 1u << VIRTIO_RING_F_EVENT_IDX;
	v->gfeatures = 1u << VIRTIO_RPMSG_F_NS;
	v->config_len = sizeof(*cfg);
	v->status = RPROC_VIRTIO_STATUS_ACKNOWLEDGE |
		    RPROC_VIRTIO_STATUS_DRIVER | RPROC_VIRTIO_STATUS_DRIVER_OK;
	v->num_of_vrings = 2;
	v->reserved[0] = 0;
	v->reserved[1] = 0;
	v->vring[0].da = 0x20010000;
	v->vring[0].align = 4096;
	v->vring[0].num = 256;
	v->vring[0].notifyid = 0;
	v->vring[0].pa = 0x8f010000;
	v->vring[1].da = FW_RSC_ADDR_ANY;
	v->vring[1].align = 16;
	v->vring[1].num = 16;
	v->vring[1].notifyid = 1;
	v->vring[1].pa = 0x12345678;
	cfg = (struct rpmsg_virtio_config *)&v->vring[2];
	cfg->h2r_buf_size = 512;
	cfg->r2h_buf_size = 4096;
	assert_ptr_equal((uint8_t *)(cfg + 1), img + TABLE_LEN);

	assert_image(img, table_want, TABLE_LEN);

	/* devmem has the carveout's layout. */
	{
		struct fw_rsc_devmem dm;

		memset(&dm, 0, sizeof(dm));
		dm.da = 0x10000000;
		dm.pa = 0x8f000000;
		dm.len = 0x100000;
		dm.flags = 5;
		memcpy(dm.name, "carveout0", 9);
		assert_image(&dm, table_want + 32, sizeof(dm));
	}
}

/* ---- ring geometry ------------------------------------------------------------ */

struct geom {
	uint32_t num, align;
	size_t avail, used_event, used, avail_event, size;
};

/*
 * By hand (desc 16 B, avail = 2 x (3 + num), used = 6 + 8 x num):
 *
 * num 256, align 4096: desc 256 x 16 = 4096 -> avail at 4096, ring to
 *   4096 + 4 + 512 = 4612 where used_event sits, avail ends at 4614,
 *   rounded up to 4096: used at 8192; avail_event at 8192 + 4 + 2048 =
 *   10244; size 8192 + 6 + 2048 = 10246 (Linux's vring_size(256, 4096)).
 * num 16, align 16: desc 256 -> avail at 256, used_event at 256 + 4 + 32
 *   = 292, avail ends 256 + 38 = 294, rounded up to 16: used at 304;
 *   avail_event at 304 + 4 + 128 = 436; size 304 + 6 + 128 = 438.
 * num 1, align 4: desc 16 -> avail at 16, used_event at 16 + 4 + 2 = 22,
 *   avail ends 16 + 8 = 24, already a multiple of 4: used at 24;
 *   avail_event at 24 + 4 + 8 = 36; size 24 + 6 + 8 = 38.
 */
static const struct geom geoms[] = {
	{256, 4096, 4096, 4612, 8192, 10244, 10246},
	{16, 16, 256, 292, 304, 436, 438},
	{1, 4, 16, 22, 24, 36, 38},
};

static void test_vring_geometry(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(geoms) / sizeof(geoms[0]); i++) {
		const struct geom *g = &geoms[i];
		size_t avail = vring_avail_offset(g->num);
		size_t used = vring_used_offset(g->num, g->align);

		assert_int_equal(avail, g->avail);
		assert_int_equal(avail + offsetof(struct vring_avail, ring) +
					 2 * (size_t)g->num,
				 g->used_event);
		assert_int_equal(used, g->used);
		assert_int_equal(used + offsetof(struct vring_used, ring) +
					 8 * (size_t)g->num,
				 g->avail_event);
		assert_int_equal(vring_size(g->num, g->align), g->size);
	}
	/* The largest ring: 32768 x 16 = 524288; avail 2 x 32771 = 65542 ->
	 * 589830, rounded to 4096: 593920; + 6 + 262144 = 856070. */
	assert_int_equal(vring_size(VRING_MAX_NUM, 4096), 856070);
}

/* ---- vring_need_event ------------------------------------------------------- */

static void test_need_event(void **state)
{
	(void)state;
	/* Notify iff event_idx is in [old, new), modulo 2^16. */
	assert_true(vring_need_event(0, 1, 0));
	assert_false(vring_need_event(1, 1, 0));   /* not reached yet */
	assert_false(vring_need_event(0, 0, 0));   /* nothing moved */
	assert_false(vring_need_event(5, 5, 5));   /* nothing moved */
	assert_true(vring_need_event(4, 5, 4));	   /* just crossed */
	assert_false(vring_need_event(3, 5, 4));   /* already behind */
	assert_true(vring_need_event(3, 10, 0));   /* inside a batch */
	assert_true(vring_need_event(9, 10, 0));   /* batch's last */
	assert_false(vring_need_event(10, 10, 0)); /* just past the batch */
	/* Wrap-around at 65535. */
	assert_true(vring_need_event(65535, 0, 65535));
	assert_true(vring_need_event(65535, 1, 65534));
	assert_true(vring_need_event(0, 1, 65535));
	assert_false(vring_need_event(1, 1, 65535));
	assert_false(vring_need_event(65534, 0, 65535)); /* behind old */
	assert_true(vring_need_event(65535, 2, 65530));
	assert_false(vring_need_event(2, 2, 65530));
	/* The largest batch (VRING_MAX_NUM). */
	assert_true(vring_need_event(100 + 32767, 100 + 32768, 100));
	assert_true(vring_need_event(100, 100 + 32768, 100));
	assert_false(vring_need_event(99, 100 + 32768, 100));
	assert_true(vring_need_event(65535, 32767, 65535));
	assert_false(vring_need_event(32767, 32767, 65535));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vring_desc),
		cmocka_unit_test(test_vring_avail),
		cmocka_unit_test(test_vring_used),
		cmocka_unit_test(test_vring_whole),
		cmocka_unit_test(test_rpmsg_msgs),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_rsc_table),
		cmocka_unit_test(test_vring_geometry),
		cmocka_unit_test(test_need_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
