/* SPDX-License-Identifier: BSD-3-Clause */
/* The host side of the link tests' harness (harness.h): the driver, the
 * firmware image, the doorbell thread and the link events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rproc/table.h"

struct harness *H;

uint64_t lh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void lh_event(struct harness *h)
{
	pthread_cond_broadcast(&h->ev_cond);
}

static struct harness *h_of(struct rproc *rproc)
{
	return rproc_priv(rproc);
}

/* ---- the driver --------------------------------------------------------- */

static void *h_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	struct harness *h = h_of(rproc);

	if (da < FAKE_MEM_DA || len > LH_MEM_SIZE ||
	    da - FAKE_MEM_DA > LH_MEM_SIZE - len)
		return NULL;
	return h->mem + (da - FAKE_MEM_DA);
}

static int h_da_to_pa(struct rproc *rproc, uint64_t da, size_t len,
		      uint64_t *pa)
{
	if (!h_da_to_va(rproc, da, len))
		return -EFAULT;
	*pa = da - FAKE_MEM_DA + FAKE_MEM_PA;
	return 0;
}

/* Top down from the end of the memory block, 64-byte granular: the link's
 * shared memory ends where the heap block ends, so ASan sees any access
 * past it. */
static int h_mem_alloc(struct rproc *rproc, struct rproc_resource *r)
{
	struct harness *h = h_of(rproc);
	uint64_t len = (r->d.len + 63) & ~63ull;

	if (h->alloc_next + len > LH_MEM_SIZE / 2)
		return -ENOMEM;
	h->alloc_next += len;
	r->d.da = FAKE_MEM_DA + LH_MEM_SIZE - h->alloc_next;
	r->d.pa = r->d.da - FAKE_MEM_DA + FAKE_MEM_PA;
	r->va = h->mem + (r->d.da - FAKE_MEM_DA);
	h->alloc_live++;
	return 0;
}

static void h_mem_free(struct rproc *rproc, struct rproc_resource *r)
{
	struct harness *h = h_of(rproc);

	(void)r;
	if (--h->alloc_live == 0)
		h->alloc_next = 0;
}

static void h_kick(struct rproc *rproc, uint32_t id)
{
	struct harness *h = h_of(rproc);

	if (h->cfg.raw) {
		h->raw_kicks++;
		return;
	}
	pthread_mutex_lock(&h->lock);
	h->to_remote |= 1ull << (id & 63);
	h->kicks++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* The link resource belongs to the link subdevice: handled. */
static int h_vendor(struct rproc *rproc, uint32_t type, const void *body,
		    size_t avail)
{
	(void)rproc;
	(void)body;
	(void)avail;
	return type == RSC_VENDOR_LINK ? 0 : 1;
}

/* The host's interrupt thread: the remote's doorbells to rproc_notify().
 * One that finds no running subdevice (the link still starting: the core
 * drops those) is retried, so the tests do not depend on that window. */
static void *doorbell_main(void *arg)
{
	struct harness *h = arg;
	uint64_t bits, retry = 0;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->stop && !h->to_host && !retry)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stop)
			break;
		bits = h->to_host | retry;
		h->to_host = 0;
		retry = 0;
		pthread_mutex_unlock(&h->lock);
		for (uint32_t id = 0; id < 64; id++)
			if ((bits >> id) & 1 && rproc_notify(h->rproc, id)) {
				retry |= 1ull << id;
				usleep(1000);
			}
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static int h_start(struct rproc *rproc, uint64_t boot)
{
	struct harness *h = h_of(rproc);

	(void)boot;
	if (h->cfg.raw)
		return 0;
	pthread_mutex_lock(&h->lock);
	h->stop = false;
	h->paused = false;
	h->to_host = h->to_remote = 0;
	h->threads = true;
	pthread_mutex_unlock(&h->lock);
	nr_start(h);
	if (pthread_create(&h->doorbell, NULL, doorbell_main, h))
		abort();
	return 0;
}

static int h_stop(struct rproc *rproc)
{
	struct harness *h = h_of(rproc);

	if (!h->threads)
		return 0;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	h->threads = false;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->doorbell, NULL);
	nr_stop(h);
	return 0;
}

static const struct rproc_ops h_ops = {
	.start = h_start,
	.stop = h_stop,
	.kick = h_kick,
	.da_to_va = h_da_to_va,
	.da_to_pa = h_da_to_pa,
	.mem_alloc = h_mem_alloc,
	.mem_free = h_mem_free,
	.handle_vendor_rsc = h_vendor,
};

void lh_pause(struct harness *h, bool paused)
{
	pthread_mutex_lock(&h->lock);
	h->paused = paused;
	pthread_cond_broadcast(&h->cond);
	/* synchronous: the remote is not in the middle of a doorbell */
	while (paused && h->remote_busy)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
}

/* ---- link events ---------------------------------------------------------- */

static void ev_up(void *ctx, struct rproc_link *link)
{
	struct harness *h = ctx;

	(void)link;
	pthread_mutex_lock(&h->ev_lock);
	h->up++;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_down(void *ctx, struct rproc_link *link, int reason)
{
	struct harness *h = ctx;

	(void)link;
	pthread_mutex_lock(&h->ev_lock);
	h->down++;
	h->down_reason = reason;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_peer_reset(void *ctx, struct rproc_link *link)
{
	struct harness *h = ctx;

	(void)link;
	pthread_mutex_lock(&h->ev_lock);
	h->peer_reset++;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_bound(void *ctx, struct rproc_link_ept *ept)
{
	struct harness *h = ctx;

	if (h->on_bound)
		h->on_bound(h, ept);
	pthread_mutex_lock(&h->ev_lock);
	h->bound++;
	lh_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static const struct rproc_link_ops h_link_ops = {
	.up = ev_up,
	.down = ev_down,
	.peer_reset = ev_peer_reset,
	.bound = ev_bound,
};

/* ---- set-up ------------------------------------------------------------------ */

void lh_cfg_default(struct lh_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size_h2r = cfg->size_r2h = 4096;
	cfg->carveout = "link0";
	cfg->version = LINK_VERSION;
	cfg->nept = 4;
}

/* The firmware's resource table: the carveout, then the link entry. */
static size_t h_table(const struct lh_cfg *cfg, uint8_t *buf, size_t cap)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c;
	struct fw_rsc_link v;
	size_t len;

	if (rproc_table_builder_init(&b, buf, cap,
				     !cfg->no_carveout + !cfg->no_vendor))
		abort();
	if (!cfg->no_carveout) {
		memset(&c, 0, sizeof(c));
		c.da = FW_RSC_ADDR_ANY;
		c.pa = FW_RSC_ADDR_ANY;
		c.len = cfg->shm_len
				? cfg->shm_len
				: LINK_SHM_SIZE(cfg->size_h2r, cfg->size_r2h);
		snprintf((char *)c.name, sizeof(c.name), "%s", "link0");
		if (rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c),
					    NULL))
			abort();
	}
	if (!cfg->no_vendor) {
		memset(&v, 0, sizeof(v));
		v.version = cfg->version;
		v.notify_h2r = LH_KICK_ID;
		v.notify_r2h = LH_NOTIFY_ID;
		v.size_h2r = cfg->size_h2r;
		v.size_r2h = cfg->size_r2h;
		snprintf((char *)v.carveout, sizeof(v.carveout), "%s",
			 cfg->carveout);
		if (rproc_table_builder_add(&b, RSC_VENDOR_LINK, &v, sizeof(v),
					    NULL))
			abort();
	}
	if (rproc_table_builder_finish(&b, &len))
		abort();
	return len;
}

void lh_find_table(struct harness *h, void **vendor, void **carveout)
{
	uint8_t *t = h->mem + h->table_off;
	uint32_t num, off, type, i;

	*vendor = *carveout = NULL;
	memcpy(&num, t + 4, 4);
	for (i = 0; i < num; i++) {
		memcpy(&off, t + 16 + 4 * i, 4);
		memcpy(&type, t + off, 4);
		if (type == RSC_VENDOR_LINK && !*vendor)
			*vendor = t + off + 4;
		else if (type == RSC_CARVEOUT && !*carveout)
			*carveout = t + off + 4;
	}
}

uint8_t *lh_shm(struct harness *h)
{
	struct rproc_resource *r =
		rproc_resource_find(h->rproc, RSC_CARVEOUT, "link0");

	return r ? r->va : NULL;
}

struct harness *lh_new(const struct lh_cfg *cfg)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct rproc_config rc;
	uint8_t table[512], img[1024];
	size_t tlen, len;

	if (!h)
		abort();
	H = h;
	h->cfg = *cfg;
	if (posix_memalign((void **)&h->mem, 4096, LH_MEM_SIZE))
		abort();
	memset(h->mem, 0, LH_MEM_SIZE);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	pthread_mutex_init(&h->ev_lock, NULL);
	pthread_cond_init(&h->ev_cond, NULL);

	h->dir = fake_fw_dir();
	tlen = h_table(cfg, table, sizeof(table));
	len = fake_image(img, sizeof(img), "native remote!!", 16, table, tlen);
	fake_write_file(h->dir, "link.fw", img, len);
	h->table_off = 0x100 + 16; /* fake format: payload at 0x100 */

	rproc_config_init(&rc);
	rc.name = "lk";
	rc.ops = &h_ops;
	rc.fw_ops = &fake_fw_ops;
	rc.firmware = "link.fw";
	rc.always_on = false;
	rc.priv = h;
	if (rproc_alloc(&rc, &h->rproc))
		abort();
	h->f.rproc = h->rproc;
	rproc_set_coredump(h->rproc, RPROC_DUMP_DISABLED);
	if (rproc_link_attach(h->rproc, &h_link_ops, h, &h->link))
		abort();
	if (rproc_add(h->rproc))
		abort();
	return h;
}

int lh_boot(struct harness *h)
{
	return rproc_boot(h->rproc);
}

static int log_saved = -1;
static FILE *log_file;

void lh_log_begin(void)
{
	fflush(stderr);
	log_file = tmpfile();
	if (!log_file)
		abort();
	log_saved = dup(2);
	dup2(fileno(log_file), 2);
}

const char *lh_log_end(bool echo)
{
	static char buf[8192];
	size_t n;

	fflush(stderr);
	dup2(log_saved, 2);
	close(log_saved);
	log_saved = -1;
	rewind(log_file);
	n = fread(buf, 1, sizeof(buf) - 1, log_file);
	buf[n] = 0;
	fclose(log_file);
	log_file = NULL;
	if (echo)
		fputs(buf, stderr);
	return buf;
}

const char *lh_last_error(struct harness *h)
{
	static char buf[RPROC_DIAG_LEN];

	rproc_last_error(h->rproc, buf, sizeof(buf));
	return buf;
}

void lh_free(struct harness *h)
{
	while (rproc_power_count(h->rproc))
		if (rproc_shutdown(h->rproc))
			break;
	rproc_link_detach(h->link);
	rproc_del(h->rproc);
	rproc_destroy(h->rproc);
	nr_free(h);
	fake_rm_dir(h->dir);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->ev_lock);
	pthread_cond_destroy(&h->ev_cond);
	free(h->mem);
	free(h);
	if (H == h)
		H = NULL;
}
