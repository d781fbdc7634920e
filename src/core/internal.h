/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core's private state and the wrappers around optional ops.
 *
 * Locking: every field below "guarded by lock" is read and written with
 * rproc->lock held.  Fields marked atomic are the only ones touched from
 * rproc_report_crash() and from the firmware watcher's callback, which must
 * not take the lock.
 */
#ifndef RPROC_CORE_INTERNAL_H
#define RPROC_CORE_INTERNAL_H

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/alloc.h"
#include "rproc/coredump.h"
#include "rproc/diag.h"
#include "rproc/driver.h"
#include "rproc/fw_format.h"
#include "rproc/os.h"
#include "rproc/rproc.h"
#include "rproc/subdev.h"

/* newlib's <inttypes.h> (arm-none-eabi, -std=c11) lacks PRIx64; there
 * uint64_t is unsigned long long. */
#ifndef PRIx64
#define PRIx64 "llx"
#endif

/* One registration, as given (the merged view lives in rproc->rscs). */
struct rproc_reg {
	struct rproc_rsc_desc d;
	enum rproc_rsc_source src;
	bool transient;	      /* registered during a boot: dropped at stop */
	int64_t table_offset; /* firmware entry offset, or -1 */
	struct rproc_reg *next;
};

/* A coredump segment: default ones come from loading, extra ones from the
 * driver and survive boots. */
struct rproc_dump_seg {
	struct rproc_dump_segment seg;
	bool from_fw;
	struct rproc_dump_seg *next;
};

/* Work the per-remote worker picks up. */
#define RPROC_WORK_FW 0x1u    /* a waited-for firmware arrived */
#define RPROC_WORK_CRASH 0x2u /* a crash was reported */

struct rproc {
	/* constant after rproc_alloc() */
	char name[RPROC_RSC_NAME_LEN];
	struct rproc_config cfg; /* cfg.name points at name */
	const struct rproc_ops *ops;
	const struct rproc_fw_ops *fw_ops;
	struct rproc_os_mutex *lock;
	/* Guards the subdevice list links and each subdevice's running flag
	 * against rproc_notify(), which never takes lock (the driver's
	 * doorbell path may run while the lifecycle holds lock and waits for
	 * that very path, e.g. a driver stop joining its IRQ thread).  Taken
	 * inside lock, held only for list edits and flag flips. */
	struct rproc_os_mutex *notify_lock;
	struct rproc_os_cond *state_cond;
	struct rproc_os_worker *worker;

	/* guarded by lock */
	enum rproc_state state;
	unsigned power; /* references, including the two below */
	bool ctl_ref;	/* the control interface holds one */
	bool auto_ref;	/* the always-on policy holds one */
	bool always_on;
	bool added;
	bool deleting;
	bool recovery_disabled;
	bool in_boot; /* registrations are transient */
	enum rproc_dump_mode dump_mode;
	rproc_dump_open_fn dump_open;
	void *dump_ctx;
	char *firmware;
	char last_error[RPROC_DIAG_LEN];
	uint32_t crash_count;
	enum rproc_crash_type last_crash;

	struct rproc_reg *regs;	     /* registrations, in order */
	struct rproc_resource *rscs; /* merged, in first-registration order */
	uint32_t next_notifyid;

	uint8_t *cached_table; /* the core's copy (allocation results in) */
	size_t table_len;
	uint64_t table_da;	 /* where the firmware's table is loaded */
	uint8_t *pristine_table; /* attach: the table as we found it */
	void *loaded_table;	 /* attach: the live table in remote memory */
	void *table_ptr;	 /* installed copy, or cached_table, or NULL */
	bool table_built;	 /* cached_table was built by the core */

	struct rproc_os_fw *fw; /* held while the remote is up */
	struct rproc_os_fw_waiter *waiter;
	struct rproc_subdev *subdevs;
	struct rproc_dump_seg *dump_segs;
	uint8_t core_class;
	uint16_t core_machine;
	uint32_t core_flags;
	struct rproc_dump_mem pending_dump; /* enabled mode: written later */
	bool pending_dump_valid;

	/* atomic: touched without the lock */
	atomic_uint work;	  /* RPROC_WORK_* */
	atomic_int crash_pending; /* 0, or crash type + 1 */
	_Atomic(struct rproc_os_fw *) fw_arrived;
	atomic_int fw_arrived_err;
};

/* ---- log.c ---------------------------------------------------------------- */
/* Log and remember as the remote's last error; returns @err. */
int rproc_err(struct rproc *rproc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rproc_warn(struct rproc *rproc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rproc_info(struct rproc *rproc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record a diag from a pure module as the last error. */
int rproc_err_diag(struct rproc *rproc, int err, const char *what,
		   const struct rproc_diag *d);

/* ---- resource.c ------------------------------------------------------------ */
int __rproc_resources_allocate(struct rproc *rproc);
void __rproc_resources_release(struct rproc *rproc);
void __rproc_registry_clear(struct rproc *rproc); /* everything (free) */
int __rproc_table_writeback(struct rproc *rproc);
int __rproc_table_install(struct rproc *rproc, const struct rproc_fw *fw);
void __rproc_table_reset(struct rproc *rproc);
void __rproc_table_free(struct rproc *rproc);
int __rproc_table_adopt_loaded(struct rproc *rproc, void *table, size_t len);
int __rproc_table_restore_pristine(struct rproc *rproc);

/* ---- subdev.c -------------------------------------------------------------- */
int __rproc_subdevs_prepare(struct rproc *rproc);
int __rproc_subdevs_start(struct rproc *rproc);
void __rproc_subdevs_stop(struct rproc *rproc, bool crashed);
void __rproc_subdevs_unprepare(struct rproc *rproc);
/* A subdevice owns vendor resource @type (lock held). */
bool __rproc_subdevs_own_vendor(struct rproc *rproc, uint32_t type);

/* ---- dump.c ---------------------------------------------------------------- */
/* Take the dump the mode asks for, right after the remote was halted. */
void __rproc_coredump_take(struct rproc *rproc);
/* Enabled mode: write the copy taken earlier (after the restart). */
void __rproc_coredump_flush_pending(struct rproc *rproc);
void __rproc_dump_segs_clear(struct rproc *rproc, bool fw_only);
/* A region the format loaded becomes a default dump segment (once). */
int __rproc_dump_seg_loaded(struct rproc *rproc, uint64_t da, uint64_t size);

/* ---- optional ops, one wrapper each ------------------------------------- */

static inline int rproc_op_prepare(struct rproc *r)
{
	return r->ops->prepare ? r->ops->prepare(r) : 0;
}

static inline void rproc_op_unprepare(struct rproc *r)
{
	if (r->ops->unprepare)
		r->ops->unprepare(r);
}

static inline int rproc_op_attach(struct rproc *r)
{
	return r->ops->attach ? r->ops->attach(r) : -ENOTSUP;
}

static inline int rproc_op_detach(struct rproc *r)
{
	return r->ops->detach ? r->ops->detach(r) : -ENOTSUP;
}

static inline void *rproc_op_da_to_va(struct rproc *r, uint64_t da, size_t len)
{
	return r->ops->da_to_va ? r->ops->da_to_va(r, da, len) : NULL;
}

static inline int rproc_op_da_to_pa(struct rproc *r, uint64_t da, size_t len,
				    uint64_t *pa)
{
	if (r->ops->da_to_pa)
		return r->ops->da_to_pa(r, da, len, pa);
	*pa = da;
	return 0;
}

static inline int rproc_op_get_regs(struct rproc *r,
				    struct rproc_dump_thread *t, size_t max,
				    size_t *n)
{
	*n = 0;
	return r->ops->get_regs ? r->ops->get_regs(r, t, max, n) : 0;
}

static inline int rproc_op_vendor_rsc(struct rproc *r, uint32_t type,
				      const void *body, size_t avail)
{
	return r->ops->handle_vendor_rsc
		       ? r->ops->handle_vendor_rsc(r, type, body, avail)
		       : 1;
}

static inline int rproc_fwop_parse(struct rproc *r, const struct rproc_fw *fw,
				   struct rproc_diag *d)
{
	return r->fw_ops->parse ? r->fw_ops->parse(r, fw, d) : 0;
}

#endif /* RPROC_CORE_INTERNAL_H */
