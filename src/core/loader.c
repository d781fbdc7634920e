/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the core offers firmware formats (include/rproc/fw_format.h):
 * loading a segment into known remote memory, the firmware's identity for
 * coredumps, and the layout of headerless images.
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

int rproc_fw_load_segment(struct rproc *rproc, uint64_t da, const void *src,
			  uint64_t filesz, uint64_t memsz, struct rproc_diag *d)
{
	uint8_t *va;

	if (filesz > memsz)
		return rproc_diag_set(d, -EINVAL,
				      "segment at da 0x%" PRIx64
				      ": filesz 0x%" PRIx64
				      " larger than memsz 0x%" PRIx64,
				      da, filesz, memsz);
	if (memsz > SIZE_MAX || (memsz && da > UINT64_MAX - memsz))
		return rproc_diag_set(d, -EFAULT,
				      "segment at da 0x%" PRIx64
				      ": memsz 0x%" PRIx64 " too large",
				      da, memsz);
	if (!memsz)
		return 0;
	va = rproc_da_to_va(rproc, da, (size_t)memsz);
	if (!va)
		return rproc_diag_set(d, -EFAULT,
				      "segment da 0x%" PRIx64
				      " memsz 0x%" PRIx64
				      " is outside the remote's known memory",
				      da, memsz);
	memcpy(va, src, (size_t)filesz);
	memset(va + filesz, 0, (size_t)(memsz - filesz));
	if (__rproc_dump_seg_loaded(rproc, da, memsz))
		return rproc_diag_set(d, -ENOMEM,
				      "out of memory recording a segment");
	return 0;
}

void rproc_fw_set_core_info(struct rproc *rproc, uint8_t elf_class,
			    uint16_t machine, uint32_t flags)
{
	rproc->core_class = elf_class;
	rproc->core_machine = machine;
	rproc->core_flags = flags;
}

int rproc_fw_raw_layout(struct rproc *rproc, uint64_t *load_da, uint64_t *entry,
			uint64_t *max_len)
{
	struct rproc_resource *r;

	if (rproc->cfg.load_da != RPROC_ANY) {
		*load_da = rproc->cfg.load_da;
		*max_len = UINT64_MAX - *load_da;
	} else {
		r = rproc_resource_find(rproc, RSC_CARVEOUT, "firmware");
		if (!r || r->d.da == RPROC_ANY || r->d.len == RPROC_ANY)
			return -ENOENT;
		*load_da = r->d.da;
		*max_len = r->d.len;
	}
	*entry = rproc->cfg.entry != RPROC_ANY ? rproc->cfg.entry : *load_da;
	return 0;
}
