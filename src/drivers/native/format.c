/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The native image format (rproc/native.h): a 64-byte header naming the
 * entry function, then the resource table.  Like every format it treats
 * the image as hostile: each op checks it again (recovery calls load
 * alone).  The whole image is loaded at the "firmware" carveout (or the
 * config's load_da, rproc_fw_raw_layout()), so the table is installed
 * where the remote finds it and the header is where the remote "starts":
 * the driver reads the entry name back from remote memory at each start.
 *
 * Also the builders of images and of the common rpmsg table.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rproc/table.h"
#include "rproc/virtio_abi.h"

#include "native_internal.h"

#define EM_NONE 0
#define EM_X86_64 62
#define EM_AARCH64 183

_Static_assert(sizeof(struct rproc_native_image_hdr) == 64, "image header");
_Static_assert(offsetof(struct rproc_native_image_hdr, entry) == 32,
	       "image header");

int __native_image_check(const void *img, size_t avail,
			 const struct rproc_native_image_hdr **out,
			 const char **why)
{
	const struct rproc_native_image_hdr *h = img;
	uint32_t off, len;

	if (avail < sizeof(*h) || memcmp(h->magic, RPROC_NATIVE_MAGIC, 4)) {
		*why = "not a native image (magic)";
		return -ENOEXEC;
	}
	if (h->version != RPROC_NATIVE_VERSION || h->hdr_size != sizeof(*h)) {
		*why = "unknown version or header size";
		return -ENOEXEC;
	}
	if (h->reserved[0] || h->reserved[1] || h->reserved[2]) {
		*why = "reserved header fields not zero";
		return -EBADMSG;
	}
	if (!h->entry[0] || !memchr(h->entry, 0, sizeof(h->entry))) {
		*why = "entry name empty or not NUL-terminated in 32 bytes";
		return -EBADMSG;
	}
	off = h->table_off;
	len = h->table_len;
	if (!off && !len) {
		*out = h;
		return 0;
	}
	if (off < sizeof(*h) || off % 8 || off > avail || len > avail - off ||
	    len < sizeof(struct resource_table)) {
		*why = "table outside the image, misaligned or too short";
		return -EBADMSG;
	}
	*out = h;
	return 0;
}

static int check(const struct rproc_fw *fw,
		 const struct rproc_native_image_hdr **h, struct rproc_diag *d)
{
	const char *why;
	int ret;

	if (!fw || !fw->data)
		return rproc_diag_set(d, -ENOEXEC, "native: empty image");
	ret = __native_image_check(fw->data, fw->size, h, &why);
	if (ret)
		return rproc_diag_set(d, ret, "native: %s", why);
	return 0;
}

static int layout(struct rproc *rproc, uint64_t *load_da, uint64_t *max_len,
		  struct rproc_diag *d)
{
	uint64_t entry;
	int ret = rproc_fw_raw_layout(rproc, load_da, &entry, max_len);

	if (ret)
		return rproc_diag_set(
			d, ret,
			"native: no load address (no \"firmware\" carveout, "
			"no load_da)");
	return 0;
}

static int native_sanity_check(struct rproc *rproc, const struct rproc_fw *fw,
			       struct rproc_diag *d)
{
	const struct rproc_native_image_hdr *h;

	(void)rproc;
	return check(fw, &h, d);
}

/* The host's own identity: the "core" is a host thread. */
static void core_info(struct rproc *rproc)
{
#if defined(__x86_64__)
	rproc_fw_set_core_info(rproc, 2, EM_X86_64, 0);
#elif defined(__aarch64__)
	rproc_fw_set_core_info(rproc, 2, EM_AARCH64, 0);
#else
	rproc_fw_set_core_info(rproc, sizeof(void *) == 8 ? 2 : 1, EM_NONE, 0);
#endif
}

static int native_parse(struct rproc *rproc, const struct rproc_fw *fw,
			struct rproc_diag *d)
{
	const struct rproc_native_image_hdr *h;
	uint64_t load_da, max_len;
	int ret;

	ret = check(fw, &h, d);
	if (!ret)
		ret = layout(rproc, &load_da, &max_len, d);
	if (ret)
		return ret;
	core_info(rproc);
	if (!h->table_len)
		return 0; /* table-less: the core builds one */
	return rproc_fw_set_table(rproc, fw->data + h->table_off, h->table_len,
				  load_da + h->table_off, d);
}

static int native_load(struct rproc *rproc, const struct rproc_fw *fw,
		       struct rproc_diag *d)
{
	const struct rproc_native_image_hdr *h;
	uint64_t load_da, max_len;
	int ret;

	ret = check(fw, &h, d);
	if (!ret)
		ret = layout(rproc, &load_da, &max_len, d);
	if (ret)
		return ret;
	if ((uint64_t)fw->size > max_len)
		return rproc_diag_set(d, -E2BIG,
				      "native: image 0x%zx bytes larger than "
				      "the firmware region (0x%llx)",
				      fw->size, (unsigned long long)max_len);
	core_info(rproc);
	return rproc_fw_load_segment(rproc, load_da, fw->data, fw->size,
				     fw->size, d);
}

static int native_boot_addr(struct rproc *rproc, const struct rproc_fw *fw,
			    uint64_t *addr)
{
	uint64_t entry, max_len;

	(void)fw;
	return rproc_fw_raw_layout(rproc, addr, &entry, &max_len);
}

const struct rproc_fw_ops rproc_fw_native = {
	.name = "native",
	.sanity_check = native_sanity_check,
	.parse = native_parse,
	.load = native_load,
	.install_table = NULL, /* where it was loaded */
	.boot_addr = native_boot_addr,
};

/* ---- builders ------------------------------------------------------------ */

int rproc_native_image(void *buf, size_t cap, const char *entry,
		       const void *table, size_t tlen, size_t *len)
{
	struct rproc_native_image_hdr h;
	size_t n, size;

	if (!buf || !entry || !len || (tlen && !table))
		return -EINVAL;
	n = strlen(entry);
	if (!n || n >= sizeof(h.entry) || tlen > UINT32_MAX - sizeof(h))
		return -EINVAL;
	size = sizeof(h) + tlen;
	if (size > cap)
		return -ENOSPC;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, RPROC_NATIVE_MAGIC, 4);
	h.version = RPROC_NATIVE_VERSION;
	h.hdr_size = sizeof(h);
	h.table_off = tlen ? (uint32_t)sizeof(h) : 0;
	h.table_len = (uint32_t)tlen;
	memcpy(h.entry, entry, n);
	memcpy(buf, &h, sizeof(h));
	if (tlen)
		memcpy((uint8_t *)buf + sizeof(h), table, tlen);
	*len = size;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rproc_native_image_write(const char *dir, const char *file,
			     const char *entry, const void *table, size_t tlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t cap = sizeof(struct rproc_native_image_hdr) + tlen, len;
	uint8_t *img;
	int fd, ret;

	if (!dir || !file || strchr(file, '/'))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
		    sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, file) >=
		    sizeof(tmp))
		return -ENAMETOOLONG;
	img = malloc(cap);
	if (!img)
		return -ENOMEM;
	ret = rproc_native_image(img, cap, entry, table, tlen, &len);
	if (ret)
		goto free_img;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		goto free_img;
	}
	ret = write_all(fd, img, len);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
free_img:
	free(img);
	return ret;
}

void rproc_native_rpmsg_desc_init(struct rproc_native_rpmsg_desc *desc)
{
	memset(desc, 0, sizeof(*desc));
	desc->dfeatures = 1u << VIRTIO_RPMSG_F_NS;
	desc->num = 64;
	desc->align = 4096;
	desc->pool_len = 64 * 2 * RPMSG_BUF_SIZE_DEFAULT;
	desc->h2r_buf_size = RPMSG_BUF_SIZE_DEFAULT;
	desc->r2h_buf_size = RPMSG_BUF_SIZE_DEFAULT;
}

int rproc_native_rpmsg_table(void *buf, size_t cap,
			     const struct rproc_native_rpmsg_desc *desc,
			     size_t *len)
{
	/* vdev header, two vrings, config space (a flexible array member
	 * cannot be embedded: bytes) */
	uint8_t v[sizeof(struct fw_rsc_vdev) +
		  2 * sizeof(struct fw_rsc_vdev_vring) +
		  sizeof(struct rpmsg_virtio_config)];
	struct rpmsg_virtio_config config = {desc->h2r_buf_size,
					     desc->r2h_buf_size};
	struct fw_rsc_vdev vh;
	struct fw_rsc_carveout c;
	struct rproc_table_builder b;
	int ret;

	memset(&c, 0, sizeof(c));
	c.da = FW_RSC_ADDR_ANY;
	c.pa = FW_RSC_ADDR_ANY;
	c.len = desc->pool_len;
	memcpy(c.name, "vdev0buffer", sizeof("vdev0buffer"));
	memset(&vh, 0, sizeof(vh));
	vh.id = VIRTIO_ID_RPMSG;
	vh.dfeatures = desc->dfeatures;
	vh.config_len = sizeof(config);
	vh.num_of_vrings = 2;
	memcpy(v, &vh, sizeof(vh));
	for (int i = 0; i < 2; i++) {
		struct fw_rsc_vdev_vring r = {.da = FW_RSC_ADDR_ANY,
					      .align = desc->align,
					      .num = desc->num};

		memcpy(v + sizeof(vh) + i * sizeof(r), &r, sizeof(r));
	}
	memcpy(v + sizeof(vh) + 2 * sizeof(struct fw_rsc_vdev_vring), &config,
	       sizeof(config));

	ret = rproc_table_builder_init(&b, buf, cap, 2);
	if (!ret)
		ret = rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c),
					      NULL);
	if (!ret)
		ret = rproc_table_builder_add(&b, RSC_VDEV, v, sizeof(v), NULL);
	if (!ret)
		ret = rproc_table_builder_finish(&b, len);
	return ret;
}
