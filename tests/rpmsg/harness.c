/* SPDX-License-Identifier: BSD-3-Clause */
/* The host side of the rpmsg tests' harness (harness.h): the native
 * remote with the test firmware's image, and the bus events. */
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

uint64_t h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void h_event(struct harness *h)
{
	pthread_cond_broadcast(&h->ev_cond);
}

void h_pause(struct harness *h, bool paused)
{
	atomic_store(&h->paused, paused);
}

/* ---- bus events ------------------------------------------------------------ */

static void ev_device_up(void *ctx, struct rpmsg_device *rdev)
{
	struct harness *h = ctx;

	pthread_mutex_lock(&h->ev_lock);
	h->rdev = rdev;
	h->device_up++;
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_device_down(void *ctx, struct rpmsg_device *rdev, int reason)
{
	struct harness *h = ctx;

	(void)rdev;
	if (h->on_device_down)
		h->on_device_down(h, reason);
	pthread_mutex_lock(&h->ev_lock);
	h->rdev = NULL;
	h->device_down++;
	h->down_reason = reason;
	h->echo_addr = h->cmd_addr = 0;
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_channel_up(void *ctx, struct rpmsg_device *rdev,
			  const char *name, uint32_t addr)
{
	struct harness *h = ctx;

	(void)rdev;
	if (h->on_channel_up)
		h->on_channel_up(h, name, addr);
	pthread_mutex_lock(&h->ev_lock);
	h->channel_up++;
	if (!strcmp(name, "rpmsg-echo"))
		h->echo_addr = addr;
	else if (!strcmp(name, "rpmsg-cmd"))
		h->cmd_addr = addr;
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static void ev_channel_down(void *ctx, struct rpmsg_device *rdev,
			    const char *name, uint32_t addr)
{
	struct harness *h = ctx;

	(void)rdev;
	(void)addr;
	pthread_mutex_lock(&h->ev_lock);
	h->channel_down++;
	if (!strcmp(name, "rpmsg-echo"))
		h->echo_addr = 0;
	h_event(h);
	pthread_mutex_unlock(&h->ev_lock);
}

static const struct rpmsg_bus_ops h_bus_ops = {
	.device_up = ev_device_up,
	.device_down = ev_device_down,
	.channel_up = ev_channel_up,
	.channel_down = ev_channel_down,
};

/* ---- set-up ------------------------------------------------------------------ */

void h_cfg_default(struct h_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->dfeatures =
		(1u << VIRTIO_RPMSG_F_NS) | (1u << VIRTIO_RPMSG_F_BUFSZ);
	cfg->h2r = cfg->r2h = 512;
	cfg->config_len = sizeof(struct rpmsg_virtio_config);
	cfg->num = 64;
	cfg->align = 4096;
	cfg->pool_len = 64 * 1024;
	cfg->nvdev = 1;
	cfg->vdev_id[0] = cfg->vdev_id[1] = VIRTIO_ID_RPMSG;
}

/* The firmware's resource table: for each vdev its buffer carveout (rpmsg
 * ones), then the vdev. */
static size_t h_table(const struct h_cfg *cfg, uint8_t *buf, size_t cap)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c;
	uint8_t vdev[24 + 2 * 20 + 8];
	struct fw_rsc_vdev vh;
	struct rpmsg_virtio_config vc = {cfg->h2r, cfg->r2h};
	unsigned n = 0, pools = 0;
	size_t len;

	for (unsigned i = 0; i < cfg->nvdev; i++)
		pools += !cfg->no_pool && cfg->vdev_id[i] == VIRTIO_ID_RPMSG;
	if (rproc_table_builder_init(&b, buf, cap, cfg->nvdev + pools))
		abort();
	for (unsigned i = 0; i < cfg->nvdev; i++) {
		if (!cfg->no_pool && cfg->vdev_id[i] == VIRTIO_ID_RPMSG) {
			memset(&c, 0, sizeof(c));
			c.da = FW_RSC_ADDR_ANY;
			c.pa = FW_RSC_ADDR_ANY;
			c.len = cfg->pool_len;
			snprintf((char *)c.name, sizeof(c.name), "vdev%ubuffer",
				 i);
			if (rproc_table_builder_add(&b, RSC_CARVEOUT, &c,
						    sizeof(c), NULL))
				abort();
			n++;
		}
		memset(&vh, 0, sizeof(vh));
		memset(vdev, 0, sizeof(vdev));
		vh.id = cfg->vdev_id[i];
		vh.dfeatures = cfg->dfeatures;
		vh.config_len = cfg->config_len;
		vh.num_of_vrings = 2;
		memcpy(vdev, &vh, sizeof(vh));
		for (int r = 0; r < 2; r++) {
			struct fw_rsc_vdev_vring v = {.da = FW_RSC_ADDR_ANY,
						      .align = cfg->align,
						      .num = cfg->num};

			memcpy(vdev + 24 + 20 * r, &v, sizeof(v));
		}
		memcpy(vdev + 64, &vc, sizeof(vc));
		if (rproc_table_builder_add(
			    &b, RSC_VDEV, vdev,
			    64 + (cfg->config_len < 8 ? cfg->config_len : 8),
			    NULL))
			abort();
	}
	if (rproc_table_builder_finish(&b, &len))
		abort();
	return len;
}

struct harness *h_new(const struct h_cfg *cfg)
{
	struct harness *h = calloc(1, sizeof(*h));
	uint8_t table[1024];
	size_t tlen;

	if (!h)
		abort();
	H = h;
	h->cfg = *cfg;
	atomic_init(&h->paused, false);
	pthread_mutex_init(&h->ev_lock, NULL);
	pthread_cond_init(&h->ev_cond, NULL);

	tlen = h_table(cfg, table, sizeof(table));
	native_fw_create(&h->fw, "rp", "rpmsg-test", table, tlen, h_firmware, h,
			 cfg->raw, h);
	h->nr = h->fw.nr;
	h->rproc = h->fw.rproc;
	rproc_set_coredump(h->rproc, RPROC_DUMP_DISABLED);
	if (rproc_rpmsg_attach(h->rproc, &h_bus_ops, h, &h->bus))
		abort();
	if (rproc_add(h->rproc))
		abort();
	return h;
}

int h_boot(struct harness *h)
{
	return rproc_boot(h->rproc);
}

const char *h_last_error(struct harness *h)
{
	static char buf[RPROC_DIAG_LEN];

	rproc_last_error(h->rproc, buf, sizeof(buf));
	return buf;
}

void h_free(struct harness *h)
{
	while (rproc_power_count(h->rproc))
		if (rproc_shutdown(h->rproc))
			break;
	rproc_del(h->rproc);
	rproc_rpmsg_detach(h->bus);
	native_fw_destroy(&h->fw);
	pthread_mutex_destroy(&h->ev_lock);
	pthread_cond_destroy(&h->ev_cond);
	free(h);
	if (H == h)
		H = NULL;
}
