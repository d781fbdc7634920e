// SPDX-License-Identifier: BSD-3-Clause
/*
 * echo's resource table: the standard one (the local memories as
 * carveouts, "trace0") plus one rpmsg vdev, id 7, offering the name
 * service and buffer sizes (config space: 512 bytes each way), two vrings
 * of 256 entries aligned to 4096 placed by the host, and the carveout
 * "vdev0buffer" where the host puts the buffers: the host writes its da,
 * pa and len back, which is how the firmware translates the bus addresses
 * in the descriptors (the board's m4 sees that memory at another address
 * than the host's).
 */
#include "rpfw/rpfw.h"
#include "rproc/virtio_abi.h"
#include "echo.h"

#define ECHO_VRING_NUM 256
#define ECHO_VRING_ALIGN 4096
/* 2 x 256 buffers of 512 bytes: the board's vdev0buffer regions */
#define ECHO_BUF_LEN 0x40000

struct echo_rsc_table {
	struct rpfw_rsc_header hdr;
#if defined(__arm__)
	uint32_t offset[5];
	struct rpfw_rsc_carveout tcm;
	struct rpfw_rsc_carveout sram;
#else
	uint32_t offset[4];
	struct rpfw_rsc_carveout ram;
#endif
	struct rpfw_rsc_carveout vbuf;
	struct rpfw_rsc_trace trace;
	RPFW_RSC_VDEV_T(2) vdev;
	struct rpmsg_virtio_config config;
};

#define OFF(member) RPFW_RSC_OFFSET(struct echo_rsc_table, member)

#define ECHO_VDEV                                                              \
	{                                                                      \
		.type = RSC_VDEV, .id = VIRTIO_ID_RPMSG,                       \
		.dfeatures = (1u << VIRTIO_RPMSG_F_NS) |                       \
			     (1u << VIRTIO_RPMSG_F_BUFSZ),                     \
		.config_len = sizeof(struct rpmsg_virtio_config),              \
		.num_of_vrings = 2, .vring = {                                 \
			RPFW_RSC_VRING(ECHO_VRING_NUM, ECHO_VRING_ALIGN),      \
			RPFW_RSC_VRING(ECHO_VRING_NUM, ECHO_VRING_ALIGN),      \
		}                                                              \
	}

char echo_trace_buf[ECHO_TRACE_LEN];

RPFW_RSC_TABLE(struct echo_rsc_table) = {
#if defined(__arm__)
	.hdr = RPFW_RSC_HEADER(5),
	.offset = {OFF(tcm), OFF(sram), OFF(vbuf), OFF(trace), OFF(vdev)},
	.tcm = RPFW_RSC_CARVEOUT(0x00000000, 0x40000, "tcm"),
	.sram = RPFW_RSC_CARVEOUT(0x20000000, 0x20000, "sram"),
#else
	.hdr = RPFW_RSC_HEADER(4),
	.offset = {OFF(ram), OFF(vbuf), OFF(trace), OFF(vdev)},
	.ram = RPFW_RSC_CARVEOUT(0x80000000, 0x40000, "ram"),
#endif
	.vbuf = RPFW_RSC_CARVEOUT(FW_RSC_ADDR_ANY, ECHO_BUF_LEN, "vdev0buffer"),
	.trace = RPFW_RSC_TRACE(echo_trace_buf, ECHO_TRACE_LEN, "trace0"),
	.vdev = ECHO_VDEV,
	.config = {.h2r_buf_size = 512, .r2h_buf_size = 512},
};

struct fw_rsc_vdev *const echo_vdev =
	(struct fw_rsc_vdev *)&rpfw_resource_table.vdev.id;
const struct fw_rsc_carveout *const echo_shm = &rpfw_resource_table.vbuf.body;
