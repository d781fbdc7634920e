/* SPDX-License-Identifier: BSD-3-Clause */
/* The host side of the link tests' harness (harness.h): the native remote
 * with the test firmware's image, pausing the remote, the link events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "rproc/os.h"
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

uint64_t lh_kicks(struct harness *h)
{
	struct rproc_native_stats st;

	rproc_native_get_stats(h->nr, &st);
	return st.kicks;
}

uint64_t lh_notifies(struct harness *h)
{
	struct rproc_native_stats st;

	rproc_native_get_stats(h->nr, &st);
	return st.doorbells;
}

/* ---- link events ---------------------------------------------------------- */

static void ev_up(void *ctx, struct rproc_link *link)
{
	struct harness *h = ctx;

	(void)link;
	if (h->on_up)
		h->on_up(h);
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

/* The firmware's resource table: the carveout, then the link entry.  The
 * carveout ends where the window ends (a fixed pa, da "any": see
 * harness.h). */
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
		c.len = cfg->shm_len
				? cfg->shm_len
				: LINK_SHM_SIZE(cfg->size_h2r, cfg->size_r2h);
		c.da = FW_RSC_ADDR_ANY;
		c.pa = RPROC_NATIVE_PA + RPROC_NATIVE_MEM_SIZE - c.len;
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
	const struct fw_rsc_link *v =
		rproc_native_rsc(h->nr, RSC_VENDOR_LINK, "", NULL);

	*vendor = (void *)v;
	*carveout = v ? rproc_native_rsc(h->nr, RSC_CARVEOUT,
					 (const char *)v->carveout, NULL)
		      : NULL;
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
	uint8_t table[512];
	size_t tlen;

	if (!h)
		abort();
	H = h;
	h->cfg = *cfg;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	pthread_mutex_init(&h->ev_lock, NULL);
	pthread_cond_init(&h->ev_cond, NULL);

	tlen = h_table(cfg, table, sizeof(table));
	native_fw_create(&h->fw, "lk", "link-test", table, tlen, lh_firmware, h,
			 cfg->raw, h);
	h->nr = h->fw.nr;
	h->rproc = h->fw.rproc;
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
	rproc_del(h->rproc);
	rproc_link_detach(h->link);
	native_fw_destroy(&h->fw);
	lh_firmware_free(h);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->ev_lock);
	pthread_cond_destroy(&h->ev_cond);
	free(h);
	if (H == h)
		H = NULL;
}
