/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lifecycle of a remote (DESIGN §2 topics 1, 6, 7; §5 sequences).
 *
 * One state machine: every state change goes through set_state() with the
 * remote's lock held, and every request checks the state first.  Boot,
 * shutdown, recovery, attach and detach are straight-line sequences whose
 * failure paths unwind exactly what was done, in reverse.
 *
 * Crash reports and firmware arrivals come from other threads (even signal
 * handlers): they only set atomics and kick the remote's worker, which takes
 * the lock and acts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void set_state(struct rproc *rproc, enum rproc_state state)
{
	if (rproc->state != state)
		rproc_info(rproc, "%s -> %s", rproc_state_name(rproc->state),
			   rproc_state_name(state));
	rproc->state = state;
	rproc_os_cond_broadcast(rproc->state_cond);
}

static void drop_all_refs(struct rproc *rproc)
{
	rproc->power = 0;
	rproc->ctl_ref = false;
	rproc->auto_ref = false;
}

static void release_fw(struct rproc *rproc)
{
	rproc_os_fw_release(rproc->fw);
	rproc->fw = NULL;
}

static void to_rproc_fw(const struct rproc_os_fw *o, struct rproc_fw *fw)
{
	fw->data = o->data;
	fw->size = o->size;
	fw->name = o->name;
}

static int request_fw(struct rproc *rproc, struct rproc_os_fw **fw)
{
	int ret;

	if (!rproc->firmware)
		return rproc_err(rproc, -ENOENT, "no firmware name set");
	ret = rproc_os_fw_request(rproc->firmware, fw);
	if (ret)
		return rproc_err(rproc, ret, "firmware \"%s\": %s",
				 rproc->firmware, rproc_strerror(ret));
	return 0;
}

/* ---- boot ---------------------------------------------------------------- */

/*
 * OFFLINE -> RUNNING with @ofw (owned: kept on success, released on
 * failure).  The sequence of DESIGN §5.
 */
static int start_locked(struct rproc *rproc, struct rproc_os_fw *ofw)
{
	const struct rproc_fw_ops *fmt = rproc->fw_ops;
	struct rproc_diag d = {{0}};
	struct rproc_fw fw;
	uint64_t boot_addr = 0;
	int ret;

	to_rproc_fw(ofw, &fw);
	rproc->last_error[0] = 0;
	ret = fmt->sanity_check(rproc, &fw, &d);
	if (ret) {
		rproc_err_diag(rproc, ret, "firmware", &d);
		goto release_fw;
	}
	/* What the driver registers while booting lasts until the stop. */
	rproc->in_boot = true;
	ret = rproc_op_prepare(rproc);
	if (ret) {
		rproc_err(rproc, ret, "driver prepare failed: %s",
			  rproc_strerror(ret));
		goto drop_registrations;
	}
	ret = rproc_fwop_parse(rproc, &fw, &d);
	if (ret) {
		rproc_err_diag(rproc, ret, "firmware", &d);
		goto release_resources;
	}
	ret = __rproc_resources_allocate(rproc);
	if (ret)
		goto release_resources;
	ret = __rproc_table_writeback(rproc);
	if (ret)
		goto release_resources;
	ret = fmt->load(rproc, &fw, &d);
	if (ret) {
		rproc_err_diag(rproc, ret, "firmware", &d);
		goto release_resources;
	}
	ret = fmt->boot_addr(rproc, &fw, &boot_addr);
	if (ret) {
		rproc_err(rproc, ret, "firmware: no boot address: %s",
			  rproc_strerror(ret));
		goto release_resources;
	}
	ret = __rproc_table_install(rproc, &fw);
	if (ret)
		goto reset_table;
	ret = __rproc_subdevs_prepare(rproc);
	if (ret)
		goto reset_table;
	ret = rproc->ops->start(rproc, boot_addr);
	if (ret) {
		rproc_err(rproc, ret, "driver start failed: %s",
			  rproc_strerror(ret));
		goto unprepare_subdevs;
	}
	ret = __rproc_subdevs_start(rproc);
	if (ret)
		goto stop_rproc;
	rproc->in_boot = false;
	rproc->fw = ofw;
	set_state(rproc, RPROC_RUNNING);
	return 0;

stop_rproc:
	rproc->ops->stop(rproc);
unprepare_subdevs:
	__rproc_subdevs_unprepare(rproc);
reset_table:
	__rproc_table_reset(rproc);
release_resources:
	__rproc_resources_release(rproc);
	__rproc_dump_segs_clear(rproc, true);
	rproc->core_class = 0;
	rproc->in_boot = false;
	rproc_op_unprepare(rproc);
	goto release_fw;
drop_registrations:
	__rproc_resources_release(rproc);
	rproc->in_boot = false;
release_fw:
	rproc_os_fw_release(ofw);
	return ret;
}

/* DETACHED -> ATTACHED: take over a running remote without loading. */
static int attach_locked(struct rproc *rproc)
{
	void *table = NULL;
	size_t len = 0;
	int ret;

	rproc->last_error[0] = 0;
	rproc->in_boot = true;
	ret = rproc_op_prepare(rproc);
	if (ret) {
		__rproc_resources_release(rproc);
		rproc->in_boot = false;
		return rproc_err(rproc, ret, "driver prepare failed: %s",
				 rproc_strerror(ret));
	}
	if (rproc->ops->get_loaded_table) {
		ret = rproc->ops->get_loaded_table(rproc, &table, &len);
		if (ret) {
			rproc_err(rproc, ret, "no loaded resource table: %s",
				  rproc_strerror(ret));
			goto release_resources;
		}
		ret = __rproc_table_adopt_loaded(rproc, table, len);
		if (ret)
			goto release_resources;
	}
	ret = __rproc_resources_allocate(rproc);
	if (ret)
		goto release_resources;
	ret = __rproc_table_writeback(rproc);
	if (ret)
		goto release_resources;
	ret = __rproc_table_install(rproc, NULL);
	if (ret)
		goto restore_table;
	ret = __rproc_subdevs_prepare(rproc);
	if (ret)
		goto restore_table;
	ret = rproc_op_attach(rproc);
	if (ret) {
		rproc_err(rproc, ret, "driver attach failed: %s",
			  rproc_strerror(ret));
		goto unprepare_subdevs;
	}
	ret = __rproc_subdevs_start(rproc);
	if (ret)
		goto detach_rproc;
	rproc->in_boot = false;
	set_state(rproc, RPROC_ATTACHED);
	return 0;

detach_rproc:
	rproc_op_detach(rproc);
unprepare_subdevs:
	__rproc_subdevs_unprepare(rproc);
restore_table:
	__rproc_table_restore_pristine(rproc);
	__rproc_table_reset(rproc);
release_resources:
	__rproc_resources_release(rproc);
	rproc->in_boot = false;
	rproc_op_unprepare(rproc);
	return ret;
}

/* ---- shutdown -------------------------------------------------------------- */

/*
 * RUNNING / ATTACHED / CRASHED -> OFFLINE: stop the remote, take the
 * coredump of a crashed one, then release its resources.
 */
static void stop_locked(struct rproc *rproc)
{
	bool crashed = rproc->state == RPROC_CRASHED;
	int ret;

	__rproc_subdevs_stop(rproc, crashed);
	ret = rproc->ops->stop(rproc);
	if (ret)
		rproc_err(rproc, ret, "driver stop failed: %s",
			  rproc_strerror(ret));
	if (crashed)
		__rproc_coredump_take(rproc);
	__rproc_subdevs_unprepare(rproc);
	__rproc_table_reset(rproc);
	__rproc_resources_release(rproc);
	__rproc_dump_segs_clear(rproc, true);
	rproc->core_class = 0;
	rproc_op_unprepare(rproc);
	release_fw(rproc);
	atomic_store(&rproc->crash_pending, 0);
	drop_all_refs(rproc);
	set_state(rproc, RPROC_OFFLINE);
	__rproc_coredump_flush_pending(rproc);
}

/* RUNNING / ATTACHED -> DETACHED: let go, leave the remote running. */
static int detach_locked(struct rproc *rproc)
{
	int ret;

	if (!rproc->ops->detach)
		return rproc_err(rproc, -ENOTSUP,
				 "the driver cannot detach this remote");
	for (struct rproc_resource *r = rproc->rscs; r; r = r->next)
		if (r->allocated)
			return rproc_err(rproc, -EBUSY,
					 "cannot detach: %s \"%s\" was "
					 "allocated by the host and would be "
					 "freed under the running remote",
					 rproc_rsc_type_name(r->d.type),
					 r->d.name);
	__rproc_subdevs_stop(rproc, false);
	ret = rproc->ops->detach(rproc);
	if (ret) {
		__rproc_subdevs_start(rproc);
		return rproc_err(rproc, ret, "driver detach failed: %s",
				 rproc_strerror(ret));
	}
	__rproc_subdevs_unprepare(rproc);
	__rproc_table_restore_pristine(rproc);
	__rproc_table_reset(rproc);
	__rproc_resources_release(rproc);
	__rproc_dump_segs_clear(rproc, true);
	rproc->core_class = 0;
	rproc_op_unprepare(rproc);
	release_fw(rproc);
	drop_all_refs(rproc);
	set_state(rproc, RPROC_DETACHED);
	return 0;
}

/* ---- recovery --------------------------------------------------------------- */

/* A recovery that cannot finish: the defined end state is OFFLINE with no
 * references and nothing held; a later start works. */
static int recovery_failed(struct rproc *rproc, int ret)
{
	__rproc_table_reset(rproc);
	__rproc_resources_release(rproc);
	__rproc_dump_segs_clear(rproc, true);
	rproc->core_class = 0;
	rproc_op_unprepare(rproc);
	release_fw(rproc);
	atomic_store(&rproc->crash_pending, 0);
	drop_all_refs(rproc);
	set_state(rproc, RPROC_OFFLINE);
	__rproc_coredump_flush_pending(rproc);
	return ret;
}

/*
 * CRASHED -> RUNNING (DESIGN §5): halt first (accurate snapshot), stop the
 * subdevices, dump, reload the segments and reinstall the table without
 * releasing carveouts, then start everything again.
 */
static int recover_locked(struct rproc *rproc)
{
	struct rproc_diag d = {{0}};
	unsigned power = rproc->power;
	bool ctl = rproc->ctl_ref, aut = rproc->auto_ref;
	struct rproc_os_fw *ofw;
	struct rproc_fw fw;
	uint64_t boot_addr = 0;
	int ret;

	rproc_info(rproc, "recovering from crash %u (%s)",
		   (unsigned)rproc->crash_count,
		   rproc_crash_name(rproc->last_crash));
	if (!rproc->fw) {
		/* Attached: we never loaded it; reboot it from its firmware
		 * keeping the references. */
		stop_locked(rproc);
		ret = request_fw(rproc, &ofw);
		if (!ret)
			ret = start_locked(rproc, ofw);
		if (ret)
			return rproc_err(rproc, ret,
					 "recovery failed: %s (remote offline)",
					 rproc_strerror(ret));
		rproc->power = power;
		rproc->ctl_ref = ctl;
		rproc->auto_ref = aut;
		return 0;
	}
	to_rproc_fw(rproc->fw, &fw);
	ret = rproc->ops->stop(rproc);
	if (ret) {
		rproc_err(rproc, ret, "recovery: driver stop failed: %s",
			  rproc_strerror(ret));
		__rproc_subdevs_stop(rproc, true);
		__rproc_subdevs_unprepare(rproc);
		return recovery_failed(rproc, ret);
	}
	__rproc_subdevs_stop(rproc, true);
	__rproc_coredump_take(rproc);
	__rproc_subdevs_unprepare(rproc);

	ret = rproc->fw_ops->load(rproc, &fw, &d);
	if (ret) {
		rproc_err_diag(rproc, ret, "recovery: reload", &d);
		return recovery_failed(rproc, ret);
	}
	ret = rproc->fw_ops->boot_addr(rproc, &fw, &boot_addr);
	if (ret)
		return recovery_failed(rproc, ret);
	ret = __rproc_table_install(rproc, &fw);
	if (ret)
		return recovery_failed(rproc, ret);
	ret = __rproc_subdevs_prepare(rproc);
	if (ret)
		return recovery_failed(rproc, ret);
	/* From here a new crash is a new crash. */
	atomic_store(&rproc->crash_pending, 0);
	ret = rproc->ops->start(rproc, boot_addr);
	if (ret) {
		rproc_err(rproc, ret, "recovery: driver start failed: %s",
			  rproc_strerror(ret));
		goto unprepare_subdevs;
	}
	ret = __rproc_subdevs_start(rproc);
	if (ret)
		goto stop_rproc;
	set_state(rproc, RPROC_RUNNING);
	__rproc_coredump_flush_pending(rproc);
	return 0;

stop_rproc:
	rproc->ops->stop(rproc);
unprepare_subdevs:
	__rproc_subdevs_unprepare(rproc);
	return recovery_failed(rproc, ret);
}

/* ---- the worker ---------------------------------------------------------- */

/* The always-on policy: boot with the firmware that just arrived. */
static void auto_boot_locked(struct rproc *rproc, struct rproc_os_fw *fw)
{
	int ret;

	if (!rproc->always_on || !rproc->added) {
		rproc_os_fw_release(fw);
		return;
	}
	if (rproc->state != RPROC_OFFLINE) {
		/* Someone booted it meanwhile; the policy still claims it. */
		if (!rproc->auto_ref && (rproc->state == RPROC_RUNNING ||
					 rproc->state == RPROC_ATTACHED)) {
			rproc->power++;
			rproc->auto_ref = true;
		}
		rproc_os_fw_release(fw);
		return;
	}
	ret = start_locked(rproc, fw);
	if (ret) {
		rproc_err(rproc, ret, "auto-boot failed: %s",
			  rproc->last_error);
		return;
	}
	rproc->power = 1;
	rproc->auto_ref = true;
}

static void worker_fn(void *ctx)
{
	struct rproc *rproc = ctx;
	unsigned work = atomic_exchange(&rproc->work, 0);
	struct rproc_os_fw *fw;
	int pend, err;

	rproc_os_mutex_lock(rproc->lock);
	if (work & RPROC_WORK_FW) {
		fw = atomic_exchange(&rproc->fw_arrived, NULL);
		err = atomic_exchange(&rproc->fw_arrived_err, 0);
		if (fw || err) {
			rproc_os_fw_wait_cancel(rproc->waiter);
			rproc->waiter = NULL;
		}
		if (rproc->state == RPROC_DELETED || rproc->deleting)
			rproc_os_fw_release(fw);
		else if (fw)
			auto_boot_locked(rproc, fw);
		else if (err)
			rproc_err(rproc, err, "waiting for firmware failed: %s",
				  rproc_strerror(err));
	}
	pend = atomic_load(&rproc->crash_pending);
	if (pend) {
		switch (rproc->state) {
		case RPROC_RUNNING:
		case RPROC_ATTACHED:
			rproc->last_crash = (enum rproc_crash_type)(pend - 1);
			rproc->crash_count++;
			rproc_err(rproc, -EIO, "crashed: %s (crash %u)",
				  rproc_crash_name(rproc->last_crash),
				  (unsigned)rproc->crash_count);
			if (rproc->recovery_disabled) {
				/* their users must not wait for a recover
				 * (and are down once CRASHED is seen) */
				__rproc_subdevs_stop(rproc, true);
				set_state(rproc, RPROC_CRASHED);
			} else {
				set_state(rproc, RPROC_CRASHED);
				recover_locked(rproc);
			}
			break;
		case RPROC_CRASHED:
			break; /* waiting for recover or stop */
		default:
			/* not up: nothing crashed */
			atomic_store(&rproc->crash_pending, 0);
		}
	}
	rproc_os_mutex_unlock(rproc->lock);
}

static void fw_arrived(void *ctx, struct rproc_os_fw *fw, int err)
{
	struct rproc *rproc = ctx;

	if (fw)
		rproc_os_fw_release(atomic_exchange(&rproc->fw_arrived, fw));
	else
		atomic_store(&rproc->fw_arrived_err, err ? err : -EIO);
	atomic_fetch_or(&rproc->work, RPROC_WORK_FW);
	rproc_os_worker_kick(rproc->worker);
}

/* Start (or restart) waiting for the firmware of an always-on remote. */
static int wait_fw_locked(struct rproc *rproc)
{
	int ret;

	rproc_os_fw_wait_cancel(rproc->waiter);
	rproc->waiter = NULL;
	if (!rproc->always_on || !rproc->firmware ||
	    rproc->state != RPROC_OFFLINE)
		return 0;
	ret = rproc_os_fw_wait(rproc->firmware, fw_arrived, rproc,
			       &rproc->waiter);
	if (ret)
		return rproc_err(rproc, ret,
				 "cannot wait for firmware \"%s\": %s",
				 rproc->firmware, rproc_strerror(ret));
	return 0;
}

/* ---- creation ------------------------------------------------------------- */

void rproc_config_init(struct rproc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->always_on = true;
	cfg->load_da = RPROC_ANY;
	cfg->entry = RPROC_ANY;
}

int rproc_alloc(const struct rproc_config *cfg, struct rproc **out)
{
	struct rproc *rproc;
	char wname[48];
	int ret;

	*out = NULL;
	if (!cfg || !cfg->name || !cfg->name[0] || !cfg->ops ||
	    !cfg->ops->start || !cfg->ops->stop)
		return -EINVAL;
	if (strlen(cfg->name) >= RPROC_RSC_NAME_LEN)
		return -ENAMETOOLONG;
	rproc = rproc_zalloc(sizeof(*rproc));
	if (!rproc)
		return -ENOMEM;
	memcpy(rproc->name, cfg->name, strlen(cfg->name) + 1);
	rproc->cfg = *cfg;
	rproc->cfg.name = rproc->name;
	rproc->cfg.firmware = NULL;
	rproc->ops = cfg->ops;
	rproc->fw_ops = cfg->fw_ops ? cfg->fw_ops : &rproc_fw_elf;
	rproc->always_on = cfg->always_on;
	rproc->state = cfg->preboot ? RPROC_DETACHED : RPROC_OFFLINE;
	rproc->dump_mode = RPROC_DUMP_ENABLED;
	rproc->table_da = RPROC_ANY;
	atomic_init(&rproc->work, 0);
	atomic_init(&rproc->crash_pending, 0);
	atomic_init(&rproc->fw_arrived, NULL);
	atomic_init(&rproc->fw_arrived_err, 0);

	ret = -ENOMEM;
	if (cfg->firmware) {
		rproc->firmware = rproc_strdup(cfg->firmware);
		if (!rproc->firmware)
			goto free_rproc;
	}
	ret = rproc_os_mutex_new(&rproc->lock);
	if (ret)
		goto free_firmware;
	ret = rproc_os_mutex_new(&rproc->notify_lock);
	if (ret)
		goto free_lock;
	ret = rproc_os_cond_new(&rproc->state_cond);
	if (ret)
		goto free_notify_lock;
	snprintf(wname, sizeof(wname), "rproc-%s", rproc->name);
	ret = rproc_os_worker_new(wname, worker_fn, rproc, &rproc->worker);
	if (ret)
		goto free_cond;
	*out = rproc;
	return 0;

free_cond:
	rproc_os_cond_free(rproc->state_cond);
free_notify_lock:
	rproc_os_mutex_free(rproc->notify_lock);
free_lock:
	rproc_os_mutex_free(rproc->lock);
free_firmware:
	rproc_free(rproc->firmware);
free_rproc:
	rproc_free(rproc);
	return ret;
}

int rproc_add(struct rproc *rproc)
{
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->added || rproc->state == RPROC_DELETED) {
		ret = -EBUSY;
		goto out;
	}
	rproc->added = true;
	if (rproc->state == RPROC_DETACHED && rproc->always_on) {
		ret = attach_locked(rproc);
		if (!ret) {
			rproc->power = 1;
			rproc->auto_ref = true;
		}
		/* an attach failure leaves it DETACHED; add still succeeds */
		ret = 0;
	} else {
		ret = wait_fw_locked(rproc);
		if (ret)
			rproc->added = false;
	}
out:
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_del(struct rproc *rproc)
{
	struct rproc_os_fw_waiter *waiter;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state == RPROC_DELETED || rproc->deleting) {
		rproc_os_mutex_unlock(rproc->lock);
		return -ENODEV;
	}
	rproc->deleting = true;
	waiter = rproc->waiter;
	rproc->waiter = NULL;
	rproc_os_mutex_unlock(rproc->lock);

	/* Outside the lock: the callback never takes it, but be plain. */
	rproc_os_fw_wait_cancel(waiter);

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_RUNNING:
	case RPROC_ATTACHED:
	case RPROC_CRASHED:
		stop_locked(rproc);
		break;
	default: /* OFFLINE; DETACHED stays running, not ours */
		break;
	}
	rproc_os_fw_release(atomic_exchange(&rproc->fw_arrived, NULL));
	drop_all_refs(rproc);
	rproc->added = false;
	set_state(rproc, RPROC_DELETED);
	rproc_os_mutex_unlock(rproc->lock);
	return 0;
}

void rproc_destroy(struct rproc *rproc)
{
	if (!rproc)
		return;
	if (rproc->added)
		rproc_del(rproc);
	/* The worker may be running a last pass; it sees DELETED. */
	rproc_os_worker_free(rproc->worker);
	rproc_os_fw_wait_cancel(rproc->waiter);
	rproc_os_fw_release(atomic_exchange(&rproc->fw_arrived, NULL));
	release_fw(rproc);
	__rproc_registry_clear(rproc);
	__rproc_table_free(rproc);
	__rproc_dump_segs_clear(rproc, false);
	if (rproc->pending_dump_valid)
		rproc_dump_mem_release(&rproc->pending_dump);
	rproc_os_cond_free(rproc->state_cond);
	rproc_os_mutex_free(rproc->notify_lock);
	rproc_os_mutex_free(rproc->lock);
	rproc_free(rproc->firmware);
	rproc_free(rproc);
}

void *rproc_priv(const struct rproc *rproc)
{
	return rproc->cfg.priv;
}

const struct rproc_ops *rproc_get_ops(const struct rproc *rproc)
{
	return rproc->cfg.ops;
}

const char *rproc_name(const struct rproc *rproc)
{
	return rproc->name;
}

bool rproc_always_on(const struct rproc *rproc)
{
	return rproc->always_on;
}

/* ---- requests ------------------------------------------------------------ */

/* Bring the remote up for a new reference holder (boot or attach). */
static int up_locked(struct rproc *rproc)
{
	struct rproc_os_fw *fw;
	int ret;

	switch (rproc->state) {
	case RPROC_OFFLINE:
		ret = request_fw(rproc, &fw);
		if (ret)
			return ret;
		ret = start_locked(rproc, fw);
		break;
	case RPROC_DETACHED:
		ret = attach_locked(rproc);
		break;
	default:
		return rproc_err(rproc, -EINVAL, "cannot boot: remote is %s",
				 rproc_state_name(rproc->state));
	}
	if (!ret)
		rproc->power = 1;
	return ret;
}

int rproc_boot(struct rproc *rproc)
{
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_DELETED:
		ret = -ENODEV;
		break;
	case RPROC_OFFLINE:
	case RPROC_DETACHED:
		ret = up_locked(rproc);
		break;
	default: /* up, or crashed and recovering */
		rproc->power++;
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

static unsigned user_refs(const struct rproc *rproc)
{
	return rproc->power - rproc->ctl_ref - rproc->auto_ref;
}

int rproc_shutdown(struct rproc *rproc)
{
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state == RPROC_DELETED) {
		ret = -ENODEV;
	} else if (user_refs(rproc) == 0) {
		ret = rproc_err(rproc, -EINVAL,
				"shutdown without a boot reference");
	} else if (--rproc->power == 0) {
		stop_locked(rproc);
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_ctl_start(struct rproc *rproc)
{
	int ret;

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_DELETED:
		ret = -ENODEV;
		break;
	case RPROC_OFFLINE:
	case RPROC_DETACHED:
		ret = up_locked(rproc);
		if (!ret)
			rproc->ctl_ref = true;
		break;
	default:
		/* Never pin a reference on a remote that is already up. */
		ret = rproc_err(rproc, -EBUSY, "start: remote is already %s",
				rproc_state_name(rproc->state));
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

/* The control interface may stop or detach a remote only when no user holds
 * a reference besides its own and the always-on one (which the stop or
 * detach then drops); otherwise say how many users hold it. */
static int refuse_if_users(struct rproc *rproc, const char *what)
{
	unsigned users = user_refs(rproc);

	if (users)
		return rproc_err(rproc, -EBUSY,
				 "%s: remote still in use by %u user%s", what,
				 users, users == 1 ? "" : "s");
	return 0;
}

int rproc_ctl_stop(struct rproc *rproc)
{
	int ret;

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_DELETED:
		ret = -ENODEV;
		break;
	case RPROC_RUNNING:
	case RPROC_ATTACHED:
	case RPROC_CRASHED:
		ret = refuse_if_users(rproc, "stop");
		if (!ret)
			stop_locked(rproc);
		break;
	default:
		ret = rproc_err(rproc, -EINVAL, "stop: remote is %s",
				rproc_state_name(rproc->state));
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_detach(struct rproc *rproc)
{
	int ret;

	rproc_os_mutex_lock(rproc->lock);
	switch (rproc->state) {
	case RPROC_DELETED:
		ret = -ENODEV;
		break;
	case RPROC_RUNNING:
	case RPROC_ATTACHED:
		ret = refuse_if_users(rproc, "detach");
		if (!ret)
			ret = detach_locked(rproc);
		break;
	default:
		ret = rproc_err(rproc, -EINVAL, "detach: remote is %s",
				rproc_state_name(rproc->state));
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

enum rproc_state rproc_state_get(struct rproc *rproc)
{
	enum rproc_state s;

	rproc_os_mutex_lock(rproc->lock);
	s = rproc->state;
	rproc_os_mutex_unlock(rproc->lock);
	return s;
}

unsigned rproc_power_count(struct rproc *rproc)
{
	unsigned n;

	rproc_os_mutex_lock(rproc->lock);
	n = rproc->power;
	rproc_os_mutex_unlock(rproc->lock);
	return n;
}

int rproc_wait_state(struct rproc *rproc, enum rproc_state state,
		     int64_t timeout_ms)
{
	uint64_t deadline = 0;
	int ret = 0;

	if (timeout_ms >= 0)
		deadline = rproc_os_monotonic_ns() +
			   (uint64_t)timeout_ms * 1000000u;
	rproc_os_mutex_lock(rproc->lock);
	while (rproc->state != state) {
		int64_t left = -1;

		if (rproc->state == RPROC_DELETED) {
			ret = -ENODEV;
			break;
		}
		if (timeout_ms >= 0) {
			uint64_t now = rproc_os_monotonic_ns();

			if (now >= deadline) {
				ret = -ETIMEDOUT;
				break;
			}
			left = (int64_t)(deadline - now);
		}
		rproc_os_cond_wait(rproc->state_cond, rproc->lock, left);
	}
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_set_firmware(struct rproc *rproc, const char *name)
{
	char *copy;
	int ret = 0;

	if (!name || !name[0])
		return -EINVAL;
	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state == RPROC_DELETED) {
		ret = -ENODEV;
		goto out;
	}
	if (rproc->state != RPROC_OFFLINE) {
		ret = rproc_err(rproc, -EBUSY,
				"firmware can only change while offline "
				"(remote is %s)",
				rproc_state_name(rproc->state));
		goto out;
	}
	copy = rproc_strdup(name);
	if (!copy) {
		ret = -ENOMEM;
		goto out;
	}
	rproc_free(rproc->firmware);
	rproc->firmware = copy;
	if (rproc->added)
		ret = wait_fw_locked(rproc);
out:
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_get_firmware(struct rproc *rproc, char *buf, size_t len)
{
	int ret = 0;

	rproc_os_mutex_lock(rproc->lock);
	if (!rproc->firmware)
		ret = -ENOENT;
	else if ((size_t)snprintf(buf, len, "%s", rproc->firmware) >= len)
		ret = -ENOSPC;
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_last_error(struct rproc *rproc, char *buf, size_t len)
{
	rproc_os_mutex_lock(rproc->lock);
	snprintf(buf, len, "%s", rproc->last_error);
	rproc_os_mutex_unlock(rproc->lock);
	return 0;
}

/* ---- crashes --------------------------------------------------------------- */

int rproc_report_crash(struct rproc *rproc, enum rproc_crash_type type)
{
	int expected = 0;

	if ((unsigned)type >= RPROC_CRASH_TYPE_COUNT)
		return -EINVAL;
	if (!atomic_compare_exchange_strong(&rproc->crash_pending, &expected,
					    (int)type + 1))
		return -EALREADY;
	atomic_fetch_or(&rproc->work, RPROC_WORK_CRASH);
	rproc_os_worker_kick(rproc->worker);
	return 0;
}

uint32_t rproc_crash_count(struct rproc *rproc)
{
	uint32_t n;

	rproc_os_mutex_lock(rproc->lock);
	n = rproc->crash_count;
	rproc_os_mutex_unlock(rproc->lock);
	return n;
}

enum rproc_crash_type rproc_last_crash(struct rproc *rproc)
{
	enum rproc_crash_type t;

	rproc_os_mutex_lock(rproc->lock);
	t = rproc->last_crash;
	rproc_os_mutex_unlock(rproc->lock);
	return t;
}

int rproc_set_recovery(struct rproc *rproc, bool enabled)
{
	rproc_os_mutex_lock(rproc->lock);
	rproc->recovery_disabled = !enabled;
	rproc_os_mutex_unlock(rproc->lock);
	return 0;
}

bool rproc_recovery_enabled(struct rproc *rproc)
{
	bool on;

	rproc_os_mutex_lock(rproc->lock);
	on = !rproc->recovery_disabled;
	rproc_os_mutex_unlock(rproc->lock);
	return on;
}

int rproc_recover(struct rproc *rproc)
{
	int ret;

	rproc_os_mutex_lock(rproc->lock);
	if (rproc->state == RPROC_DELETED)
		ret = -ENODEV;
	else if (rproc->state != RPROC_CRASHED)
		ret = rproc_err(rproc, -EINVAL, "recover: remote is %s",
				rproc_state_name(rproc->state));
	else
		ret = recover_locked(rproc);
	rproc_os_mutex_unlock(rproc->lock);
	return ret;
}

int rproc_set_coredump(struct rproc *rproc, enum rproc_dump_mode mode)
{
	if ((unsigned)mode > RPROC_DUMP_INLINE)
		return -EINVAL;
	rproc_os_mutex_lock(rproc->lock);
	rproc->dump_mode = mode;
	rproc_os_mutex_unlock(rproc->lock);
	return 0;
}

enum rproc_dump_mode rproc_get_coredump(struct rproc *rproc)
{
	enum rproc_dump_mode m;

	rproc_os_mutex_lock(rproc->lock);
	m = rproc->dump_mode;
	rproc_os_mutex_unlock(rproc->lock);
	return m;
}

void rproc_set_dump_sink(struct rproc *rproc, rproc_dump_open_fn open,
			 void *ctx)
{
	rproc_os_mutex_lock(rproc->lock);
	rproc->dump_open = open;
	rproc->dump_ctx = ctx;
	rproc_os_mutex_unlock(rproc->lock);
}
