/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake driver, format and subdevices of the core tests (fake.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake.h"
#include "rproc/os.h"

static struct fake *fake_of(struct rproc *rproc)
{
	return rproc_priv(rproc);
}

int fake_call(struct fake *f, const char *op)
{
	size_t len = strlen(f->log);

	snprintf(f->log + len, sizeof(f->log) - len, "%s ", op);
	if (f->fail_op && !strcmp(f->fail_op, op)) {
		int code = f->fail_code ? f->fail_code : -EIO;

		if (!f->fail_always)
			f->fail_op = NULL;
		return code;
	}
	return 0;
}

const char *fake_log(struct fake *f)
{
	size_t len = strlen(f->log);

	while (len && f->log[len - 1] == ' ')
		f->log[--len] = 0;
	return f->log;
}

void fake_clear_log(struct fake *f)
{
	f->log[0] = 0;
}

static int op_prepare(struct rproc *rproc)
{
	struct fake *f = fake_of(rproc);
	int ret = fake_call(f, "prepare");

	for (int i = 0; !ret && i < f->nplat; i++)
		ret = rproc_resource_register(rproc, RPROC_SRC_PLATFORM,
					      &f->plat[i]);
	return ret;
}

static void op_unprepare(struct rproc *rproc)
{
	fake_call(fake_of(rproc), "unprepare");
}

static int op_start(struct rproc *rproc, uint64_t boot_addr)
{
	(void)boot_addr;
	return fake_call(fake_of(rproc), "start");
}

static int op_stop(struct rproc *rproc)
{
	return fake_call(fake_of(rproc), "stop");
}

static int op_attach(struct rproc *rproc)
{
	return fake_call(fake_of(rproc), "attach");
}

static int op_detach(struct rproc *rproc)
{
	return fake_call(fake_of(rproc), "detach");
}

static int op_get_loaded_table(struct rproc *rproc, void **table, size_t *len)
{
	struct fake *f = fake_of(rproc);
	int ret = fake_call(f, "get_loaded_table");

	if (ret)
		return ret;
	if (!f->loaded_table)
		return -ENOENT;
	*table = f->loaded_table;
	*len = f->loaded_len;
	return 0;
}

static void op_kick(struct rproc *rproc, uint32_t id)
{
	(void)id;
	fake_of(rproc)->kicks++;
}

static void *op_da_to_va(struct rproc *rproc, uint64_t da, size_t len)
{
	struct fake *f = fake_of(rproc);

	if (da < FAKE_MEM_DA || len > FAKE_MEM_SIZE ||
	    da - FAKE_MEM_DA > FAKE_MEM_SIZE - len)
		return NULL;
	return f->mem + (da - FAKE_MEM_DA);
}

static int op_da_to_pa(struct rproc *rproc, uint64_t da, size_t len,
		       uint64_t *pa)
{
	if (!op_da_to_va(rproc, da, len))
		return -EFAULT;
	*pa = da - FAKE_MEM_DA + FAKE_MEM_PA;
	return 0;
}

static int op_mem_map(struct rproc *rproc, struct rproc_resource *r)
{
	struct fake *f = fake_of(rproc);
	int ret = fake_call(f, "map");
	uint64_t da;

	if (ret)
		return ret;
	/* pa -> da in our one window */
	if (r->d.pa < FAKE_MEM_PA)
		return -EFAULT;
	da = r->d.pa - FAKE_MEM_PA + FAKE_MEM_DA;
	if (r->d.da == RPROC_ANY)
		r->d.da = da;
	r->va = op_da_to_va(rproc, r->d.da, (size_t)r->d.len);
	return r->va ? 0 : -EFAULT;
}

/* Carveouts without a fixed pa come from the top quarter of the window. */
static int op_mem_alloc(struct rproc *rproc, struct rproc_resource *r)
{
	struct fake *f = fake_of(rproc);
	uint64_t len = (r->d.len + 4095) & ~4095ull;

	if (f->alloc_next + len > FAKE_MEM_SIZE / 4)
		return -ENOMEM;
	r->d.da = FAKE_MEM_DA + 3 * (FAKE_MEM_SIZE / 4) + f->alloc_next;
	r->d.pa = r->d.da - FAKE_MEM_DA + FAKE_MEM_PA;
	r->va = f->mem + (r->d.da - FAKE_MEM_DA);
	f->alloc_next += len;
	f->alloc_live++;
	return 0;
}

static void op_mem_free(struct rproc *rproc, struct rproc_resource *r)
{
	struct fake *f = fake_of(rproc);

	(void)r;
	if (--f->alloc_live == 0)
		f->alloc_next = 0;
}

static void op_mem_unmap(struct rproc *rproc, struct rproc_resource *r)
{
	(void)r;
	fake_call(fake_of(rproc), "unmap");
}

static int op_get_regs(struct rproc *rproc, struct rproc_dump_thread *t,
		       size_t max, size_t *n)
{
	struct fake *f = fake_of(rproc);

	if (max < 1)
		return -ENOSPC;
	t[0].tid = 1;
	t[0].signo = 0;
	t[0].regs = f->regs;
	t[0].regs_size = sizeof(f->regs);
	*n = 1;
	return 0;
}

static int op_vendor(struct rproc *rproc, uint32_t type, const void *body,
		     size_t avail)
{
	char name[32];

	(void)body;
	(void)avail;
	snprintf(name, sizeof(name), "vendor%u", type);
	return fake_call(fake_of(rproc), name) ? -EINVAL : 0;
}

const struct rproc_ops fake_ops = {
	.prepare = op_prepare,
	.unprepare = op_unprepare,
	.start = op_start,
	.stop = op_stop,
	.attach = op_attach,
	.detach = op_detach,
	.get_loaded_table = op_get_loaded_table,
	.kick = op_kick,
	.da_to_va = op_da_to_va,
	.da_to_pa = op_da_to_pa,
	.mem_alloc = op_mem_alloc,
	.mem_free = op_mem_free,
	.mem_map = op_mem_map,
	.mem_unmap = op_mem_unmap,
	.get_regs = op_get_regs,
	.handle_vendor_rsc = op_vendor,
};

const struct rproc_ops fake_ops_no_attach = {
	.prepare = op_prepare,
	.unprepare = op_unprepare,
	.start = op_start,
	.stop = op_stop,
	.da_to_va = op_da_to_va,
	.da_to_pa = op_da_to_pa,
	.mem_alloc = op_mem_alloc,
	.mem_free = op_mem_free,
	.mem_map = op_mem_map,
	.mem_unmap = op_mem_unmap,
};

/* ---- the fake format --------------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int fmt_sanity(struct rproc *rproc, const struct rproc_fw *fw,
		      struct rproc_diag *d)
{
	int ret = fake_call(fake_of(rproc), "sanity");

	if (ret)
		return rproc_diag_set(d, ret, "injected");
	if (fw->size < 12 || memcmp(fw->data, "FAKE", 4))
		return rproc_diag_set(d, -ENOEXEC, "not a FAKE image");
	if (rd32(fw->data + 8) > fw->size - 12)
		return rproc_diag_set(d, -EBADMSG, "payload past end");
	return 0;
}

static int fmt_parse(struct rproc *rproc, const struct rproc_fw *fw,
		     struct rproc_diag *d)
{
	int ret = fake_call(fake_of(rproc), "parse");
	uint32_t plen = rd32(fw->data + 8);
	size_t toff = 12 + plen;

	if (ret)
		return rproc_diag_set(d, ret, "injected");
	if (fw->size == toff)
		return 0; /* table-less */
	/* The table is loaded right after the payload. */
	return rproc_fw_set_table(rproc, fw->data + toff, fw->size - toff,
				  FAKE_MEM_DA + rd32(fw->data + 4) + plen, d);
}

static int fmt_load(struct rproc *rproc, const struct rproc_fw *fw,
		    struct rproc_diag *d)
{
	int ret = fake_call(fake_of(rproc), "load");
	uint32_t off = rd32(fw->data + 4);

	if (ret)
		return rproc_diag_set(d, ret, "injected");
	/* payload and table as one segment */
	return rproc_fw_load_segment(rproc, FAKE_MEM_DA + off, fw->data + 12,
				     fw->size - 12, fw->size - 12 + 64, d);
}

static int fmt_boot_addr(struct rproc *rproc, const struct rproc_fw *fw,
			 uint64_t *addr)
{
	(void)fw;
	(void)rproc;
	*addr = FAKE_MEM_DA;
	return 0;
}

const struct rproc_fw_ops fake_fw_ops = {
	.name = "fake",
	.sanity_check = fmt_sanity,
	.parse = fmt_parse,
	.load = fmt_load,
	.boot_addr = fmt_boot_addr,
};

size_t fake_image(uint8_t *buf, size_t cap, const void *payload, uint32_t plen,
		  const void *table, size_t tlen)
{
	uint32_t off = 0x100;
	size_t len = 12 + plen + tlen;

	if (len > cap)
		abort();
	memcpy(buf, "FAKE", 4);
	memcpy(buf + 4, &off, 4);
	memcpy(buf + 8, &plen, 4);
	if (plen)
		memcpy(buf + 12, payload, plen);
	if (tlen)
		memcpy(buf + 12 + plen, table, tlen);
	return len;
}

/* ---- subdevices ---------------------------------------------------------- */

static struct fake *sd_fake(struct rproc_subdev *sd)
{
	return fake_of(sd->rproc);
}

static int sd_call(struct rproc_subdev *sd, const char *what)
{
	char op[48];

	snprintf(op, sizeof(op), "%s.%s", sd->name, what);
	return fake_call(sd_fake(sd), op);
}

static int sd_prepare(struct rproc_subdev *sd)
{
	return sd_call(sd, "prepare");
}

static int sd_start(struct rproc_subdev *sd)
{
	return sd_call(sd, "start");
}

static void sd_stop(struct rproc_subdev *sd, bool crashed)
{
	sd_call(sd, crashed ? "stop(crashed)" : "stop");
}

static void sd_unprepare(struct rproc_subdev *sd)
{
	sd_call(sd, "unprepare");
}

void fake_add_subdevs(struct fake *f, int n)
{
	static const char *const names[] = {"sd0", "sd1", "sd2"};

	for (int i = 0; i < n; i++) {
		struct rproc_subdev *sd = &f->sd[i];

		memset(sd, 0, sizeof(*sd));
		sd->name = names[i];
		sd->prepare = sd_prepare;
		sd->start = sd_start;
		sd->stop = sd_stop;
		sd->unprepare = sd_unprepare;
		if (rproc_subdev_add(f->rproc, sd))
			abort();
	}
	f->nsd = n;
}

/* ---- setup ---------------------------------------------------------------- */

void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	if (posix_memalign((void **)&f->mem, 4096, FAKE_MEM_SIZE))
		abort();
	memset(f->mem, 0, FAKE_MEM_SIZE);
	for (int i = 0; i < 18; i++)
		f->regs[i] = 0x1000u + (uint32_t)i;
}

void fake_fini(struct fake *f)
{
	rproc_destroy(f->rproc);
	f->rproc = NULL;
	free(f->mem);
	f->mem = NULL;
}

struct rproc *fake_rproc(struct fake *f, const char *name, const char *fw,
			 bool always_on, bool preboot)
{
	struct rproc_config cfg;

	rproc_config_init(&cfg);
	cfg.name = name;
	cfg.ops = &fake_ops;
	cfg.fw_ops = &fake_fw_ops;
	cfg.firmware = fw;
	cfg.always_on = always_on;
	cfg.preboot = preboot;
	cfg.priv = f;
	cfg.elf_class = 1;
	cfg.elf_machine = 40;
	cfg.elf_flags = 0x05000200;
	if (rproc_alloc(&cfg, &f->rproc))
		abort();
	return f->rproc;
}

char *fake_fw_dir(void)
{
	char *dir = strdup("/tmp/rproc-test-XXXXXX");

	if (!dir || !mkdtemp(dir))
		abort();
	if (rproc_os_fw_set_search_path(dir))
		abort();
	return dir;
}

void fake_write_file(const char *dir, const char *name, const void *data,
		     size_t len)
{
	char path[512], tmp[520];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd))
		abort();
	if (rename(tmp, path))
		abort();
}

void fake_rm_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}
