/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native remote as an rproc driver (rproc/native.h): the ops over the
 * window (mem.c), the remote thread that runs the firmware's entry, and
 * the doorbell thread that hands the remote's doorbells to rproc_notify().
 *
 * The doorbell thread lives as long as the driver instance, not the run,
 * like a host's interrupt thread: stopping the remote (with the remote's
 * lock held, from the lifecycle thread) never waits for a user callback
 * that rproc_notify() is running on it, which may itself be waiting for
 * the remote (a blocking send from a receive callback).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/os.h"
#include "rproc/subdev.h"
#include "rproc/table.h"

#include "native_internal.h"

#define PAGE 4096u

static const struct rproc_ops native_ops;

/* The native remote whose entry runs on this thread. */
static _Thread_local struct rproc_native *current_remote;

static void nlog(const struct rproc_native *nr, enum rproc_log_level lvl,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void nlog(const struct rproc_native *nr, enum rproc_log_level lvl,
		 const char *fmt, ...)
{
	char buf[256];
	int n;
	va_list ap;

	n = snprintf(buf, sizeof(buf), "native %s: ", nr->cfg.name);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	rproc_os_log(lvl, buf);
}

static struct rproc_native *nr_of(struct rproc *rproc)
{
	return rproc_priv(rproc);
}

struct rproc_native *rproc_native_of(struct rproc *rproc)
{
	if (!rproc || rproc_get_ops(rproc) != &native_ops)
		return NULL;
	return rproc_priv(rproc);
}

struct rproc_native *rproc_native_current(void)
{
	return current_remote;
}

/* ---- memory ----------------------------------------------------------------- */

static bool in_window(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return a >= base && len <= size && a - base <= size - len;
}

void *rproc_native_va(const struct rproc_native *nr, uint64_t da, size_t len)
{
	if (!in_window(da, len, nr->cfg.da, nr->mem.size))
		return NULL;
	return nr->mem.base + (da - nr->cfg.da);
}

static void *op_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	return rproc_native_va(nr_of(rproc), da, len);
}

static int op_da_to_pa(struct rproc *rproc, uint64_t da, size_t len,
		       uint64_t *pa)
{
	struct rproc_native *nr = nr_of(rproc);

	if (!rproc_native_va(nr, da, len))
		return -EFAULT;
	*pa = da - nr->cfg.da + nr->cfg.pa;
	return 0;
}

/* A carveout or vring with no fixed pa: from the pool, zeroed (as a DMA
 * allocation is: the rings of the last run must not show through); a
 * fixed da is honoured when it lies in the window. */
static int op_mem_alloc(struct rproc *rproc, struct rproc_resource *r)
{
	struct rproc_native *nr = nr_of(rproc);
	int64_t off;

	if (r->d.da != RPROC_ANY) {
		r->va = rproc_native_va(nr, r->d.da, (size_t)r->d.len);
		if (!r->va)
			return -EFAULT;
		r->d.pa = r->d.da - nr->cfg.da + nr->cfg.pa;
		return 0;
	}
	off = __native_mem_alloc(&nr->mem, r->d.len);
	if (off < 0)
		return (int)off;
	r->va = nr->mem.base + off;
	r->d.da = nr->cfg.da + (uint64_t)off;
	r->d.pa = nr->cfg.pa + (uint64_t)off;
	memset(r->va, 0, (size_t)r->d.len);
	return 0;
}

static void op_mem_free(struct rproc *rproc, struct rproc_resource *r)
{
	struct rproc_native *nr = nr_of(rproc);
	uint8_t *va = r->va;

	if (va >= nr->mem.base && va < nr->mem.base + nr->mem.size)
		__native_mem_free(&nr->mem, (size_t)(va - nr->mem.base));
}

/* A fixed pa (the "firmware" carveout, platform regions): the window's
 * bus addresses; the remote must see the same bytes at da. */
static int op_mem_map(struct rproc *rproc, struct rproc_resource *r)
{
	struct rproc_native *nr = nr_of(rproc);
	uint64_t off;

	if (!in_window(r->d.pa, r->d.len, nr->cfg.pa, nr->mem.size))
		return -EFAULT;
	off = r->d.pa - nr->cfg.pa;
	if (r->d.da == RPROC_ANY)
		r->d.da = nr->cfg.da + off;
	else if (r->d.da != nr->cfg.da + off)
		return -EINVAL;
	r->va = nr->mem.base + off;
	return 0;
}

/* ---- the firmware ------------------------------------------------------------ */

struct walk {
	struct rproc_native *nr;
	uint8_t *table;
	unsigned vdevs;
};

/* Remember where each entry is, named as the core names them. */
static int walk_entry(void *ctx, const struct rproc_rsc_entry *e)
{
	struct walk *w = ctx;
	struct rproc_native *nr = w->nr;
	struct native_rsc *r;
	size_t name_off = 0;

	if (nr->nrsc == RPROC_NATIVE_MAX_RSC)
		return 0; /* more than the remote can look up: the rest */
	r = &nr->rsc[nr->nrsc++];
	r->type = e->type;
	r->body = w->table + e->offset + sizeof(uint32_t);
	r->len = e->body_len;
	r->name[0] = 0;
	switch (e->type) {
	case RSC_CARVEOUT:
	case RSC_DEVMEM:
		name_off = offsetof(struct fw_rsc_carveout, name);
		break;
	case RSC_TRACE:
		name_off = offsetof(struct fw_rsc_trace, name);
		break;
	case RSC_VDEV:
		snprintf(r->name, sizeof(r->name), "vdev%u", w->vdevs++);
		break;
	}
	/* the walk checked that names are terminated within 32 bytes */
	if (name_off)
		memcpy(r->name, (const uint8_t *)e->body + name_off,
		       sizeof(r->name));
	return 0;
}

/* At each start: the image the core loaded at @boot (its header is the
 * "code" the remote starts at), its entry, its installed table. */
static int load_firmware(struct rproc_native *nr, uint64_t boot)
{
	const struct rproc_native_image_hdr *h;
	struct rproc_diag d = {{0}};
	struct walk w = {nr, NULL, 0};
	const char *why;
	uint8_t *img = rproc_native_va(nr, boot, 1);
	int ret;

	nr->entry = NULL;
	nr->nrsc = 0;
	if (!img) {
		nlog(nr, RPROC_LOG_ERR,
		     "boot address 0x%" PRIx64 " outside the window", boot);
		return -EFAULT;
	}
	ret = __native_image_check(img, nr->mem.size - (boot - nr->cfg.da), &h,
				   &why);
	if (ret) {
		nlog(nr, RPROC_LOG_ERR, "at 0x%" PRIx64 ": %s", boot, why);
		return ret;
	}
	for (size_t i = 0; i < nr->cfg.nentries; i++)
		if (!strncmp(nr->cfg.entries[i].name, h->entry,
			     sizeof(h->entry))) {
			nr->entry = &nr->cfg.entries[i];
			break;
		}
	if (!nr->entry) {
		nlog(nr, RPROC_LOG_ERR, "no entry \"%s\" registered", h->entry);
		return -ENOEXEC;
	}
	if (!h->table_len)
		return 0;
	w.table = img + h->table_off;
	ret = rproc_table_walk(w.table, h->table_len, walk_entry, &w, &d);
	if (ret) {
		nlog(nr, RPROC_LOG_ERR, "installed table: %s", d.msg);
		nr->entry = NULL;
		nr->nrsc = 0;
	}
	return ret;
}

int __native_run_entry(struct rproc_native *nr)
{
	const struct rproc_native_entry *e = nr->entry;
	int ret;

	current_remote = nr;
	ret = e->fn(nr, e->arg);
	current_remote = NULL;
	if (!atomic_load(&nr->stopping) &&
	    !atomic_exchange(&nr->crashed, true)) {
		nlog(nr, RPROC_LOG_ERR,
		     "entry \"%s\" returned %d while running: crashed", e->name,
		     ret);
		atomic_fetch_add(&nr->crashes, 1);
		rproc_report_crash(nr->rproc, RPROC_CRASH_FATAL_ERROR);
	}
	return ret;
}

static void *remote_main(void *arg)
{
	__native_run_entry(arg);
	return NULL;
}

static int op_start(struct rproc *rproc, uint64_t boot)
{
	struct rproc_native *nr = nr_of(rproc);
	int ret = load_firmware(nr, boot);

	if (ret)
		return ret;
	/* kicks meant for the last run are not this one's */
	__native_bell_take(&nr->to_remote);
	atomic_store(&nr->stopping, false);
	atomic_store(&nr->crashed, false);
	atomic_fetch_add(&nr->starts, 1);
	pthread_mutex_lock(&nr->lock);
	nr->started = true;
	if (!nr->cfg.polled) {
		ret = -pthread_create(&nr->remote_thread, NULL, remote_main,
				      nr);
		nr->have_remote_thread = !ret;
		if (ret)
			nr->started = false;
	}
	pthread_mutex_unlock(&nr->lock);
	if (ret)
		nlog(nr, RPROC_LOG_ERR, "cannot start the remote thread: %s",
		     strerror(-ret));
	return ret;
}

/* Halt: the entry returns (it was asked to), its thread is joined, or the
 * caller's rproc_native_run() has returned. */
static int op_stop(struct rproc *rproc)
{
	struct rproc_native *nr = nr_of(rproc);
	bool join;

	atomic_store(&nr->stopping, true);
	__native_bell_wake(&nr->to_remote);
	pthread_mutex_lock(&nr->lock);
	join = nr->have_remote_thread;
	nr->have_remote_thread = false;
	nr->started = false;
	while (nr->running)
		pthread_cond_wait(&nr->cond, &nr->lock);
	pthread_mutex_unlock(&nr->lock);
	if (join)
		pthread_join(nr->remote_thread, NULL);
	return 0;
}

static void op_kick(struct rproc *rproc, uint32_t notifyid)
{
	__native_bell_ring(&nr_of(rproc)->to_remote, notifyid);
}

static const struct rproc_ops native_ops = {
	.start = op_start,
	.stop = op_stop,
	.kick = op_kick,
	.da_to_va = op_da_to_va,
	.da_to_pa = op_da_to_pa,
	.mem_alloc = op_mem_alloc,
	.mem_free = op_mem_free,
	.mem_map = op_mem_map,
};

int rproc_native_run(struct rproc_native *nr)
{
	int ret;

	if (!nr->cfg.polled)
		return -ENOTSUP;
	pthread_mutex_lock(&nr->lock);
	if (!nr->started || atomic_load(&nr->stopping))
		ret = -ENODEV;
	else if (nr->running)
		ret = -EBUSY;
	else
		ret = 0;
	nr->running = !ret;
	pthread_mutex_unlock(&nr->lock);
	if (ret)
		return ret;
	ret = __native_run_entry(nr);
	pthread_mutex_lock(&nr->lock);
	nr->running = false;
	pthread_cond_broadcast(&nr->cond);
	pthread_mutex_unlock(&nr->lock);
	return ret;
}

/* ---- the host's doorbells ------------------------------------------------ */

static int deliver(struct rproc_native *nr, uint64_t bits)
{
	int n = 0;

	while (bits) {
		uint32_t bit = (uint32_t)__builtin_ctzll(bits);
		uint32_t id =
			bit == RPROC_NATIVE_BELL_ALL ? RPROC_NOTIFY_ALL : bit;

		bits &= bits - 1;
		if (rproc_notify(nr->rproc, id) == -ENOENT) {
			atomic_fetch_add(&nr->unheard, 1);
		} else {
			atomic_fetch_add(&nr->delivered, 1);
			n++;
		}
	}
	return n;
}

static void *doorbell_main(void *arg)
{
	struct rproc_native *nr = arg;

	while (!atomic_load(&nr->host_stop)) {
		uint64_t bits = __native_bell_take(&nr->to_host);

		if (bits)
			deliver(nr, bits);
		else
			__native_bell_sleep(&nr->to_host, -1);
	}
	return NULL;
}

int rproc_native_host_poll(struct rproc_native *nr)
{
	uint64_t bits;

	if (!nr->cfg.polled)
		return 0;
	bits = __native_bell_take(&nr->to_host);
	return bits ? deliver(nr, bits) : 0;
}

/* ---- create / destroy ---------------------------------------------------- */

void rproc_native_config_init(struct rproc_native_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = RPROC_NATIVE_MEM_SIZE;
	cfg->fw_size = RPROC_NATIVE_MEM_SIZE / 2;
	cfg->da = RPROC_NATIVE_DA;
	cfg->pa = RPROC_NATIVE_PA;
}

/* Table fields are 32 bits: the window must be addressable with them. */
static bool config_ok(const struct rproc_native_config *cfg)
{
	return cfg->name && cfg->entries && cfg->nentries && cfg->mem_size &&
	       cfg->fw_size && !(cfg->mem_size % PAGE) &&
	       !(cfg->fw_size % PAGE) && cfg->fw_size < cfg->mem_size &&
	       cfg->mem_size <= UINT32_MAX && cfg->da <= UINT32_MAX &&
	       cfg->pa <= UINT32_MAX &&
	       cfg->da + cfg->mem_size - 1 <= FW_RSC_ADDR_ANY - 1 &&
	       cfg->pa + cfg->mem_size - 1 <= FW_RSC_ADDR_ANY - 1;
}

int rproc_native_create(const struct rproc_native_config *cfg,
			struct rproc_native **out)
{
	struct rproc_native *nr;
	struct rproc_config rc;
	struct rproc_rsc_desc fw;
	int ret;

	if (!cfg || !out || !config_ok(cfg))
		return -EINVAL;
	for (size_t i = 0; i < cfg->nentries; i++)
		if (!cfg->entries[i].fn || !cfg->entries[i].name ||
		    !cfg->entries[i].name[0] ||
		    strlen(cfg->entries[i].name) > 31)
			return -EINVAL;
	nr = calloc(1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	nr->cfg = *cfg;
	nr->mem.fd = -1;
	nr->mem.pool_off = cfg->fw_size;
	ret = __native_mem_map(&nr->mem, cfg->name, cfg->mem_size);
	if (ret)
		goto free_nr;
	ret = __native_bell_init(&nr->to_remote, !cfg->polled);
	if (ret)
		goto unmap;
	ret = __native_bell_init(&nr->to_host, !cfg->polled);
	if (ret)
		goto fini_to_remote;
	pthread_mutex_init(&nr->lock, NULL);
	pthread_cond_init(&nr->cond, NULL);

	rproc_config_init(&rc);
	rc.name = cfg->name;
	rc.ops = &native_ops;
	rc.fw_ops = &rproc_fw_native;
	rc.firmware = cfg->firmware;
	rc.always_on = cfg->always_on;
	rc.priv = nr;
	ret = rproc_alloc(&rc, &nr->rproc);
	if (ret)
		goto destroy_sync;
	/* where images go: the raw layout's platform carveout */
	rproc_rsc_desc_init(&fw, RSC_CARVEOUT, "firmware");
	fw.da = cfg->da;
	fw.pa = cfg->pa;
	fw.len = cfg->fw_size;
	ret = rproc_resource_register(nr->rproc, RPROC_SRC_PLATFORM, &fw);
	if (ret)
		goto destroy_rproc;
	if (!cfg->polled) {
		ret = -pthread_create(&nr->doorbell_thread, NULL, doorbell_main,
				      nr);
		if (ret)
			goto destroy_rproc;
		nr->have_doorbell_thread = true;
	}
	*out = nr;
	return 0;

destroy_rproc:
	rproc_destroy(nr->rproc);
destroy_sync:
	pthread_cond_destroy(&nr->cond);
	pthread_mutex_destroy(&nr->lock);
	__native_bell_fini(&nr->to_host);
fini_to_remote:
	__native_bell_fini(&nr->to_remote);
unmap:
	__native_mem_unmap(&nr->mem);
free_nr:
	free(nr);
	return ret;
}

void rproc_native_destroy(struct rproc_native *nr)
{
	if (!nr)
		return;
	/* stops the remote (the stop op joins its thread); -ENODEV if the
	 * user deleted it already */
	rproc_del(nr->rproc);
	if (nr->have_doorbell_thread) {
		atomic_store(&nr->host_stop, true);
		__native_bell_wake(&nr->to_host);
		pthread_join(nr->doorbell_thread, NULL);
	}
	rproc_destroy(nr->rproc);
	pthread_cond_destroy(&nr->cond);
	pthread_mutex_destroy(&nr->lock);
	__native_bell_fini(&nr->to_host);
	__native_bell_fini(&nr->to_remote);
	__native_mem_unmap(&nr->mem);
	free(nr);
}

struct rproc *rproc_native_rproc(const struct rproc_native *nr)
{
	return nr->rproc;
}

void *rproc_native_priv(const struct rproc_native *nr)
{
	return nr->cfg.priv;
}

void *rproc_native_mem(const struct rproc_native *nr, size_t *size)
{
	if (size)
		*size = nr->mem.size;
	return nr->mem.base;
}

int rproc_native_memfd(const struct rproc_native *nr)
{
	return nr->mem.fd;
}

void rproc_native_get_stats(const struct rproc_native *nr,
			    struct rproc_native_stats *st)
{
	/* the counters are atomics; the struct is const for the user */
	struct rproc_native *m = (struct rproc_native *)nr;

	st->kicks = atomic_load(&m->to_remote.rung);
	st->doorbells = atomic_load(&m->to_host.rung);
	st->delivered = atomic_load(&m->delivered);
	st->unheard = atomic_load(&m->unheard);
	st->starts = atomic_load(&m->starts);
	st->crashes = atomic_load(&m->crashes);
}
