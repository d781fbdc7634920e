/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resource tables for firmware: declaring one in the image (section
 * ".resource_table", the Linux remoteproc version 1 layout of
 * rproc/rsc_table.h) and finding entries in a table the host installed.
 *
 * Declaring a table: a struct with the header, offset[] and the entries, in
 * that order, initialised with the macros below:
 *
 *	static char trace_buf[4096];
 *
 *	struct my_rsc_table {
 *		struct rpfw_rsc_header hdr;
 *		uint32_t offset[2];
 *		struct rpfw_rsc_trace trace;
 *		struct rpfw_rsc_carveout sram;
 *	};
 *
 *	RPFW_RSC_TABLE(struct my_rsc_table) = {
 *		.hdr = RPFW_RSC_HEADER(2),
 *		.offset = {
 *			RPFW_RSC_OFFSET(struct my_rsc_table, trace),
 *			RPFW_RSC_OFFSET(struct my_rsc_table, sram),
 *		},
 *		.trace = RPFW_RSC_TRACE(trace_buf, sizeof(trace_buf), "trace0"),
 *		.sram = RPFW_RSC_CARVEOUT(0x20000000, 0x20000, "sram"),
 *	};
 *
 * The table is a writable object named rpfw_resource_table: the host
 * updates the loaded copy (vdev status, vring addresses) in place.  Every
 * entry struct is a multiple of 4 bytes, so offsets stay aligned.
 */
#ifndef RPFW_RSC_H
#define RPFW_RSC_H

#include <stddef.h>
#include <stdint.h>

#include "rproc/rsc_table.h"
#include "rproc/vsoc_regs.h"
#include "rpfw/mbox.h"

struct rpfw_rsc_header {
	uint32_t ver;
	uint32_t num;
	uint32_t reserved[2];
};

/* Entries as they sit in a table: the type word, then the body. */
struct rpfw_rsc_carveout {
	uint32_t type;
	struct fw_rsc_carveout body;
} RPROC_RSC_PACKED;

struct rpfw_rsc_devmem {
	uint32_t type;
	struct fw_rsc_devmem body;
} RPROC_RSC_PACKED;

struct rpfw_rsc_trace {
	uint32_t type;
	struct fw_rsc_trace body;
} RPROC_RSC_PACKED;

/* A vdev entry with @nvrings vrings and no config space (add a config
 * member after it yourself and set .config_len). */
#define RPFW_RSC_VDEV_T(nvrings)                                               \
	struct {                                                               \
		uint32_t type;                                                 \
		uint32_t id, notifyid, dfeatures, gfeatures, config_len;       \
		uint8_t status, num_of_vrings, reserved[2];                    \
		struct fw_rsc_vdev_vring vring[nvrings];                       \
	} RPROC_RSC_PACKED

_Static_assert(sizeof(struct rpfw_rsc_carveout) == 56, "carveout entry");
_Static_assert(sizeof(struct rpfw_rsc_devmem) == 56, "devmem entry");
_Static_assert(sizeof(struct rpfw_rsc_trace) == 48, "trace entry");
_Static_assert(sizeof(RPFW_RSC_VDEV_T(2)) == 4 + 24 + 2 * 20, "vdev entry");

/* Define the image's table (one per image) of type @type. */
#define RPFW_RSC_TABLE(type)                                                   \
	__attribute__((section(".resource_table"), used, aligned(4)))          \
	type rpfw_resource_table

#define RPFW_RSC_HEADER(n)                                                     \
	{                                                                      \
		.ver = RSC_TABLE_VERSION, .num = (n)                           \
	}

#define RPFW_RSC_OFFSET(type, member) ((uint32_t)offsetof(type, member))

/* A device address of an object in the image, for an initialiser. */
#define RPFW_DA(obj) ((uint32_t)(uintptr_t)(obj))

#define RPFW_RSC_CARVEOUT(da_, len_, name_)                                    \
	{                                                                      \
		.type = RSC_CARVEOUT, .body = {                                \
			.da = (da_),                                           \
			.pa = FW_RSC_ADDR_ANY,                                 \
			.len = (len_),                                         \
			.name = name_,                                         \
		}                                                              \
	}

#define RPFW_RSC_DEVMEM(da_, pa_, len_, name_)                                 \
	{                                                                      \
		.type = RSC_DEVMEM, .body = {                                  \
			.da = (da_),                                           \
			.pa = (pa_),                                           \
			.len = (len_),                                         \
			.name = name_,                                         \
		}                                                              \
	}

#define RPFW_RSC_TRACE(buf, len_, name_)                                       \
	{                                                                      \
		.type = RSC_TRACE, .body = {                                   \
			.da = RPFW_DA(buf),                                    \
			.len = (len_),                                         \
			.name = name_,                                         \
		}                                                              \
	}

/* A vdev of virtio @id_ with the vrings given as RPFW_RSC_VRING()s, e.g.
 *	.vdev = RPFW_RSC_VDEV(RPROC_VIRTIO_ID_RPMSG, 1, 2,
 *			      RPFW_RSC_VRING(16, 16), RPFW_RSC_VRING(16, 16)),
 * for a member declared RPFW_RSC_VDEV_T(2) vdev. */
#define RPFW_RSC_VDEV(id_, dfeatures_, nvrings, ...)                           \
	{                                                                      \
		.type = RSC_VDEV, .id = (id_), .dfeatures = (dfeatures_),      \
		.num_of_vrings = (nvrings), .vring = {                         \
			__VA_ARGS__                                            \
		}                                                              \
	}

/* A vring of @num descriptors aligned to @align, placed by the host. */
#define RPFW_RSC_VRING(num_, align_)                                           \
	{                                                                      \
		.da = FW_RSC_ADDR_ANY, .align = (align_), .num = (num_)        \
	}

/*
 * Find an entry in an installed table: the first of @type whose name is
 * @name (carveout, devmem and trace entries), or the first of @type when
 * @name is NULL.  Returns the entry's body (just after the type word, e.g.
 * a struct fw_rsc_trace *), or NULL if @table is NULL, not a version 1
 * table, or has no such entry.  The table is trusted (the host built it);
 * only its header is checked.
 */
void *rpfw_rsc_find(const struct resource_table *table, uint32_t type,
		    const char *name);

/* The table the host installed for us (VSOC_MBOX_RSC_TABLE), or NULL. */
static inline struct resource_table *rpfw_rsc_installed(void)
{
	return (struct resource_table *)(uintptr_t)rpfw_mbox_read(
		VSOC_MBOX_RSC_TABLE);
}

/* Tell the host where our own table is (a firmware the boot ROM started
 * does it so the host can attach). */
static inline void rpfw_rsc_publish(const void *table)
{
	rpfw_barrier();
	rpfw_mbox_write(VSOC_MBOX_RSC_TABLE, (uint32_t)(uintptr_t)table);
}

#endif /* RPFW_RSC_H */
