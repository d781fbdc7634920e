/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resource table ABI, version 1 (DESIGN §6).
 *
 * Binary compatible with the Linux kernel's remoteproc and with OpenAMP:
 * firmware built for either works with rproc, and the other way round.
 * Every structure is packed and little-endian (the byte order of every remote
 * we support).  This header is shared by the host and the firmware library,
 * so it depends on nothing but <stdint.h> and <stddef.h>.
 */
#ifndef RPROC_RSC_TABLE_H
#define RPROC_RSC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define RPROC_RSC_PACKED __attribute__((packed))

#define RSC_TABLE_VERSION 1
#define FW_RSC_ADDR_ANY 0xFFFFFFFFu

/* Resource types. 128..512 inclusive are vendor types, handed to the driver. */
enum fw_resource_type {
	RSC_CARVEOUT = 0,
	RSC_DEVMEM = 1,
	RSC_TRACE = 2,
	RSC_VDEV = 3,
	RSC_LAST = 4,
	RSC_VENDOR_START = 128,
	RSC_VENDOR_END = 512,
};

#define RPROC_RSC_NAME_LEN 32 /* 31 bytes + NUL */

/* Table header; followed by offset[num], the byte offset of each entry. */
struct resource_table {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
	uint32_t offset[];
} RPROC_RSC_PACKED;

/* Every entry starts with its type. */
struct fw_rsc_hdr {
	uint32_t type;
	uint8_t data[];
} RPROC_RSC_PACKED;

struct fw_rsc_carveout {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	uint8_t name[RPROC_RSC_NAME_LEN];
} RPROC_RSC_PACKED;

struct fw_rsc_devmem {
	uint32_t da;
	uint32_t pa;
	uint32_t len;
	uint32_t flags;
	uint32_t reserved;
	uint8_t name[RPROC_RSC_NAME_LEN];
} RPROC_RSC_PACKED;

struct fw_rsc_trace {
	uint32_t da;
	uint32_t len;
	uint32_t reserved;
	uint8_t name[RPROC_RSC_NAME_LEN];
} RPROC_RSC_PACKED;

struct fw_rsc_vdev_vring {
	uint32_t da; /* remote's address; host writes it when ANY */
	uint32_t align;
	uint32_t num;
	uint32_t notifyid; /* host writes */
	uint32_t pa;	   /* host writes the physical (bus) address */
} RPROC_RSC_PACKED;

struct fw_rsc_vdev {
	uint32_t id; /* virtio device id, rpmsg = 7 */
	uint32_t notifyid;
	uint32_t dfeatures;
	uint32_t gfeatures; /* host writes */
	uint32_t config_len;
	uint8_t status; /* host writes; DRIVER_OK = 0x4 */
	uint8_t num_of_vrings;
	uint8_t reserved[2];
	struct fw_rsc_vdev_vring vring[];
	/* followed by config_len bytes of config space */
} RPROC_RSC_PACKED;

#define RPROC_VIRTIO_ID_RPMSG 7
#define RPROC_VIRTIO_STATUS_ACKNOWLEDGE 0x1
#define RPROC_VIRTIO_STATUS_DRIVER 0x2
#define RPROC_VIRTIO_STATUS_DRIVER_OK 0x4
#define RPROC_VIRTIO_STATUS_FEATURES_OK 0x8
#define RPROC_VIRTIO_STATUS_FAILED 0x80

_Static_assert(sizeof(struct resource_table) == 16, "resource_table header");
_Static_assert(sizeof(struct fw_rsc_hdr) == 4, "fw_rsc_hdr");
_Static_assert(sizeof(struct fw_rsc_carveout) == 52, "fw_rsc_carveout");
_Static_assert(sizeof(struct fw_rsc_devmem) == 52, "fw_rsc_devmem");
_Static_assert(sizeof(struct fw_rsc_trace) == 44, "fw_rsc_trace");
_Static_assert(sizeof(struct fw_rsc_vdev_vring) == 20, "fw_rsc_vdev_vring");
_Static_assert(sizeof(struct fw_rsc_vdev) == 24, "fw_rsc_vdev");
_Static_assert(offsetof(struct fw_rsc_carveout, name) == 20, "carveout name");
_Static_assert(offsetof(struct fw_rsc_trace, name) == 12, "trace name");
_Static_assert(offsetof(struct fw_rsc_vdev, status) == 20, "vdev status");
_Static_assert(offsetof(struct fw_rsc_vdev, vring) == 24, "vdev vrings");

#endif /* RPROC_RSC_TABLE_H */
