/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The raw binary firmware format (DESIGN §2 topic 3): a flat image copied
 * to one address, with no headers and so no resources of its own.  Where it
 * goes, how large it may be and where it starts all come from the platform
 * (rproc_fw_raw_layout()); the core builds the resource table.
 */
#include <errno.h>

#include "rproc/fw_format.h"

static int raw_sanity_check(struct rproc *rproc, const struct rproc_fw *fw,
			    struct rproc_diag *d)
{
	(void)rproc;
	if (!fw || !fw->data || !fw->size)
		return rproc_diag_set(d, -ENOEXEC, "raw: empty image");
	return 0;
}

static int raw_layout(struct rproc *rproc, uint64_t *load_da, uint64_t *entry,
		      uint64_t *max_len, struct rproc_diag *d)
{
	int ret = rproc_fw_raw_layout(rproc, load_da, entry, max_len);

	if (ret == -ENOENT)
		return rproc_diag_set(
			d, ret,
			"raw: no load address (set load_da in the config or "
			"give the platform a \"firmware\" carveout)");
	if (ret)
		return rproc_diag_set(d, ret, "raw: no layout for the image");
	return 0;
}

static int raw_load(struct rproc *rproc, const struct rproc_fw *fw,
		    struct rproc_diag *d)
{
	uint64_t load_da, entry, max_len;
	int ret;

	ret = raw_sanity_check(rproc, fw, d);
	if (ret)
		return ret;
	ret = raw_layout(rproc, &load_da, &entry, &max_len, d);
	if (ret)
		return ret;
	if ((uint64_t)fw->size > max_len)
		return rproc_diag_set(
			d, -E2BIG,
			"raw: image 0x%zx bytes larger than region 0x%llx",
			fw->size, (unsigned long long)max_len);
	return rproc_fw_load_segment(rproc, load_da, fw->data, fw->size,
				     fw->size, d);
}

static int raw_boot_addr(struct rproc *rproc, const struct rproc_fw *fw,
			 uint64_t *addr)
{
	uint64_t load_da, entry, max_len;
	int ret;

	(void)fw;
	ret = rproc_fw_raw_layout(rproc, &load_da, &entry, &max_len);
	if (ret)
		return ret;
	*addr = entry;
	return 0;
}

const struct rproc_fw_ops rproc_fw_raw = {
	.name = "raw",
	.sanity_check = raw_sanity_check,
	.parse = NULL, /* resources come from the platform */
	.load = raw_load,
	.install_table = NULL, /* the core builds and installs the table */
	.boot_addr = raw_boot_addr,
};
