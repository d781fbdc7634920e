/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The drivers' API: how a platform driver describes a remote processor to the
 * core.  A driver fills struct rproc_ops, creates the remote with
 * rproc_alloc(), may register platform resources, then rproc_add()s it.
 *
 * Calling context of every op: the thread driving the lifecycle (a caller of
 * the users' API or the remote's worker), with the remote's lock held.  Ops
 * may sleep.  They must not call the users' lifecycle API of the same remote;
 * they may call rproc_resource_register(), rproc_da_to_va(),
 * rproc_coredump_add_*() and rproc_report_crash().
 */
#ifndef RPROC_DRIVER_H
#define RPROC_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rproc/coredump.h"
#include "rproc/resource.h"
#include "rproc/rproc.h"

struct rproc_fw_ops;

struct rproc_ops {
	/* Power up; register platform resources (RPROC_SRC_PLATFORM).  Before
	 * parsing, at every boot and attach.  Optional. */
	int (*prepare)(struct rproc *rproc);
	/* Undo prepare; after resources are released.  Optional. */
	void (*unprepare)(struct rproc *rproc);
	/* Start executing at @boot_addr.  Required. */
	int (*start)(struct rproc *rproc, uint64_t boot_addr);
	/* Halt the remote now (also a crashed one).  Required. */
	int (*stop)(struct rproc *rproc);
	/* Take over / let go of a remote started by someone else.  Optional:
	 * without attach the remote cannot be attached, without detach it
	 * cannot be detached (-ENOTSUP). */
	int (*attach)(struct rproc *rproc);
	int (*detach)(struct rproc *rproc);
	/* The resource table a pre-booted remote already uses, in remote
	 * memory (attach).  Optional: without it, attach runs table-less. */
	int (*get_loaded_table)(struct rproc *rproc, void **table, size_t *len);
	/* Ring the remote's doorbell for @notifyid.  Optional.  Unlike the
	 * other ops it is called from any thread without the remote's lock
	 * (subdevices call it through rproc_kick()): it must be thread-safe
	 * and must not sleep for long. */
	void (*kick)(struct rproc *rproc, uint32_t notifyid);
	/* Host view of [da, da+len) if it lies wholly inside the remote's
	 * memory known to the driver, else NULL.  Optional. */
	void *(*da_to_va)(struct rproc *rproc, uint64_t da, size_t len);
	/* Physical (bus) address of [da, da+len), or -EFAULT.  Optional:
	 * default pa = da. */
	int (*da_to_pa)(struct rproc *rproc, uint64_t da, size_t len,
			uint64_t *pa);
	/* Allocate memory for a carveout or vring with no fixed pa: fill
	 * r->va, r->d.pa and r->d.da when it is RPROC_ANY.  Optional: default
	 * allocates host memory (pa = host address, da = pa if ANY). */
	int (*mem_alloc)(struct rproc *rproc, struct rproc_resource *r);
	void (*mem_free)(struct rproc *rproc, struct rproc_resource *r);
	/* Map a carveout with a fixed pa: fill r->va.  Optional: default
	 * r->va = da_to_va(r->d.da, r->d.len). */
	int (*mem_map)(struct rproc *rproc, struct rproc_resource *r);
	void (*mem_unmap)(struct rproc *rproc, struct rproc_resource *r);
	/* Registers for a coredump: fill up to @max threads, set *@n.
	 * Optional: a dump without registers. */
	int (*get_regs)(struct rproc *rproc, struct rproc_dump_thread *threads,
			size_t max, size_t *n);
	/* A vendor resource (type 128..512) from the table: 0 handled, 1
	 * ignored, negative fails the boot.  Optional: ignored. */
	int (*handle_vendor_rsc)(struct rproc *rproc, uint32_t type,
				 const void *body, size_t avail);
};

/* Static configuration of a remote; copied by rproc_alloc(). */
struct rproc_config {
	const char *name;		   /* required, at most 31 bytes */
	const struct rproc_ops *ops;	   /* required */
	const struct rproc_fw_ops *fw_ops; /* NULL: ELF */
	const char *firmware;		   /* may be NULL */
	bool always_on; /* boot as soon as firmware is there */
	bool preboot;	/* already running: starts DETACHED */
	void *priv;	/* the driver's */
	/* For formats without headers (raw): where to load, where to start.
	 * RPROC_ANY: the platform carveout named "firmware" (load) and its
	 * start (entry). */
	uint64_t load_da;
	uint64_t entry;
	/* Coredump identity for firmware that does not carry it (raw). */
	uint8_t elf_class;
	uint16_t elf_machine;
	uint32_t elf_flags;
};

/* Initialise @cfg with the defaults: always_on true, RPROC_ANY addresses. */
void rproc_config_init(struct rproc_config *cfg);

/* Create a remote (OFFLINE, or DETACHED if preboot).  -EINVAL, -ENOMEM. */
int rproc_alloc(const struct rproc_config *cfg, struct rproc **out);
/* Make it available: an always-on remote starts waiting for its firmware
 * and boots when it appears (or attaches if DETACHED). */
int rproc_add(struct rproc *rproc);
/* Remove it: cancel waits, stop it whatever references are held, DELETED.
 * Users' calls fail with -ENODEV from then on. */
int rproc_del(struct rproc *rproc);
/* Free a remote that was never added or was deleted.  NULL is a no-op. */
void rproc_destroy(struct rproc *rproc);

void *rproc_priv(const struct rproc *rproc);
/* The ops the remote was created with: lets a driver recognise its own
 * remotes before trusting rproc_priv(). */
const struct rproc_ops *rproc_get_ops(const struct rproc *rproc);

/*
 * Register a resource.  Between rproc_alloc() and rproc_add() the
 * registration is permanent; from inside the boot (driver prepare, format
 * parse) it lasts until the remote is stopped.  A conflict with an earlier
 * registration of the same type and name rejects this one: -EINVAL with a
 * message naming both sources and values (rproc_last_error()).
 * Not thread-safe against the lifecycle: call it before rproc_add() or from
 * an op.
 */
int rproc_resource_register(struct rproc *rproc, enum rproc_rsc_source src,
			    const struct rproc_rsc_desc *desc);
/* Initialise @desc for @type and @name with every field "any". */
void rproc_rsc_desc_init(struct rproc_rsc_desc *desc, uint32_t type,
			 const char *name);
/* The merged resource of @type and @name, or NULL. */
struct rproc_resource *rproc_resource_find(struct rproc *rproc, uint32_t type,
					   const char *name);

/*
 * The remote rang the host's doorbell for @notifyid: hand it to the running
 * subdevices (their notify callbacks).  Call it from the driver's doorbell
 * path on any thread (not from a signal handler), never with the remote's
 * lock held; it takes only a short internal lock.  -ENOENT when no running
 * subdevice listens.
 */
int rproc_notify(struct rproc *rproc, uint32_t notifyid);

/* Host view of [da, da+len): allocated carveouts first, then the driver. */
void *rproc_da_to_va(struct rproc *rproc, uint64_t da, size_t len);

/* Extra coredump segments (kept across boots).  -ENOMEM. */
int rproc_coredump_add_segment(struct rproc *rproc, uint64_t da, uint64_t size);
int rproc_coredump_add_custom_segment(struct rproc *rproc, uint64_t da,
				      uint64_t size,
				      int (*read)(void *priv, uint64_t offset,
						  void *dst, size_t len),
				      void *priv);

#endif /* RPROC_DRIVER_H */
