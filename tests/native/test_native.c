/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * native_remote: the native remote driver library (rproc/native.h) with
 * trivial firmware entries: boot/stop cycles, crashes (the entry returns,
 * the firmware reports one, the host reports one, recovery disabled) and
 * recoveries, doorbells both ways (ids past the bitmap too), the memory
 * window (translation, carveouts written back, guard pages, the memfd
 * shares it), the
 * image format's and the config's checks, and polled mode (no threads:
 * doorbells on the caller's thread, rproc_native_run(), an rpmsg echo
 * driven by hand on both sides).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpfw/rpmsg.h"
#include "rproc/native.h"
#include "rproc/os.h"
#include "rproc/rpmsg.h"
#include "rproc/subdev.h"
#include "rproc/table.h"

#define ID_CRASH_RETURN 1 /* the entry returns -5 */
#define ID_CRASH_REPORT 2 /* the entry reports a watchdog crash */
#define ID_ECHO_BASE 3	  /* ids 3..40: the entry rings id + 10 back */
#define ID_BIG 100	  /* rung back as 100: past the bitmap */
#define MEM_PATTERN 0x5a

/* What the firmware and the host's subdevice saw. */
struct env {
	char dir[64];
	struct rproc_native *nr;
	struct rproc *rproc;
	struct rproc_subdev sd;
	atomic_int runs;	    /* entry runs started */
	atomic_int returned;	    /* entry runs that returned 0 (stopped) */
	atomic_uint_fast64_t heard; /* notify ids the subdevice got (< 64) */
	atomic_int all;		    /* RPROC_NOTIFY_ALL calls */
	atomic_bool mem_done;	    /* "mem" wrote its pattern */
	atomic_int bad;		    /* the firmware saw something wrong */
	uint32_t mem_da, mem_pa;    /* as the firmware saw them */
	pthread_t notify_thread;    /* the last notify's thread */
};

static struct env *E;

/* ---- firmware ------------------------------------------------------------- */

/* Wait for doorbells until asked to stop; act on a few ids. */
static int fw_idle(struct rproc_native *nr, void *arg)
{
	struct env *e = arg;
	int ret;

	/* no cmocka asserts on the remote thread: count, check later */
	if (rproc_native_current() != nr)
		atomic_fetch_add(&e->bad, 1);
	atomic_fetch_add(&e->runs, 1);
	while ((ret = rproc_native_wait(nr, -1)) != -ESHUTDOWN) {
		uint64_t bits = rproc_native_doorbells(nr);

		for (uint32_t id = 0; id < 64; id++) {
			if (!(bits >> id & 1))
				continue;
			if (id == ID_CRASH_RETURN)
				return -5;
			if (id == ID_CRASH_REPORT)
				rproc_native_crash(nr, RPROC_CRASH_WATCHDOG);
			else if (id == RPROC_NATIVE_BELL_ALL)
				rproc_native_ring_host(nr, ID_BIG);
			else if (id >= ID_ECHO_BASE)
				rproc_native_ring_host(nr, id + 10);
		}
	}
	atomic_fetch_add(&e->returned, 1);
	return 0;
}

/* Write a pattern into the carveout "mem" through the remote's view. */
static int fw_mem(struct rproc_native *nr, void *arg)
{
	struct env *e = arg;
	struct fw_rsc_carveout c;
	size_t len;
	void *body = rproc_native_rsc(nr, RSC_CARVEOUT, "mem", &len);
	uint8_t *p;

	atomic_fetch_add(&e->runs, 1);
	if (!body || len != sizeof(c)) {
		atomic_fetch_add(&e->bad, 1);
		return -1;
	}
	memcpy(&c, body, sizeof(c));
	e->mem_da = c.da;
	e->mem_pa = c.pa;
	p = rproc_native_va(nr, c.da, c.len);
	if (!p) {
		atomic_fetch_add(&e->bad, 1);
		return -1;
	}
	memset(p, MEM_PATTERN, c.len);
	atomic_store(&e->mem_done, true);
	while (rproc_native_wait(nr, -1) != -ESHUTDOWN)
		rproc_native_doorbells(nr);
	atomic_fetch_add(&e->returned, 1);
	return 0;
}

static struct rproc_native_entry entries[] = {
	{"idle", fw_idle, NULL},
	{"mem", fw_mem, NULL},
};

/* ---- the host's subdevice ------------------------------------------------------ */

static void sd_notify(struct rproc_subdev *sd, uint32_t id)
{
	(void)sd;
	E->notify_thread = pthread_self();
	if (id == RPROC_NOTIFY_ALL)
		atomic_fetch_add(&E->all, 1);
	else if (id < 64)
		atomic_fetch_or(&E->heard, 1ull << id);
}

/* ---- helpers ----------------------------------------------------------------- */

static void wait_until(atomic_bool *flag)
{
	for (int i = 0; i < 5000 && !atomic_load(flag); i++)
		usleep(1000);
	assert_true(atomic_load(flag));
}

static void wait_heard(uint32_t id)
{
	for (int i = 0; i < 5000 && !(atomic_load(&E->heard) >> id & 1); i++)
		usleep(1000);
	assert_true(atomic_load(&E->heard) >> id & 1);
}

static void wait_int(atomic_int *v, int n)
{
	for (int i = 0; i < 5000 && atomic_load(v) < n; i++)
		usleep(1000);
	assert_int_equal(atomic_load(v), n);
}

/* The protection of the mapping holding @p, as /proc/self/maps shows it. */
static const char *prot_of(const void *p)
{
	static char prot[8];
	unsigned long lo, hi;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	strcpy(prot, "none");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, prot) == 3 &&
		    (uintptr_t)p >= lo && (uintptr_t)p < hi)
			break;
		else
			strcpy(prot, "none");
	if (f)
		fclose(f);
	return prot;
}

/* The table of every test image: one carveout "mem" placed by the host. */
static size_t mem_table(uint8_t *buf, size_t cap)
{
	struct rproc_table_builder b;
	struct fw_rsc_carveout c;
	size_t len;

	memset(&c, 0, sizeof(c));
	c.da = FW_RSC_ADDR_ANY;
	c.pa = FW_RSC_ADDR_ANY;
	c.len = 8192;
	memcpy(c.name, "mem", 4);
	assert_int_equal(rproc_table_builder_init(&b, buf, cap, 1), 0);
	assert_int_equal(
		rproc_table_builder_add(&b, RSC_CARVEOUT, &c, sizeof(c), NULL),
		0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	return len;
}

static void write_image(const char *file, const char *entry)
{
	uint8_t table[256];
	size_t tlen = mem_table(table, sizeof(table));

	assert_int_equal(
		rproc_native_image_write(E->dir, file, entry, table, tlen), 0);
}

/* A remote (added, not booted) with the test subdevice. */
static void make(bool polled, const char *firmware, size_t fw_size)
{
	struct rproc_native_config cfg;

	rproc_native_config_init(&cfg);
	cfg.name = "nat";
	cfg.firmware = firmware;
	cfg.polled = polled;
	cfg.entries = entries;
	cfg.nentries = 2;
	if (fw_size)
		cfg.fw_size = fw_size;
	assert_int_equal(rproc_native_create(&cfg, &E->nr), 0);
	E->rproc = rproc_native_rproc(E->nr);
	assert_ptr_equal(rproc_native_of(E->rproc), E->nr);
	rproc_set_coredump(E->rproc, RPROC_DUMP_DISABLED);
	E->sd.name = "test";
	E->sd.notify = sd_notify;
	assert_int_equal(rproc_subdev_add(E->rproc, &E->sd), 0);
	assert_int_equal(rproc_add(E->rproc), 0);
}

static int setup(void **state)
{
	E = calloc(1, sizeof(*E));
	assert_non_null(E);
	strcpy(E->dir, "/tmp/rproc-native-XXXXXX");
	assert_non_null(mkdtemp(E->dir));
	assert_int_equal(rproc_os_fw_set_search_path(E->dir), 0);
	for (size_t i = 0; i < 2; i++)
		entries[i].arg = E;
	write_image("idle.fw", "idle");
	write_image("mem.fw", "mem");
	*state = E;
	return 0;
}

static int teardown(void **state)
{
	static const char *const files[] = {"idle.fw", "mem.fw", "bad.fw",
					    "nope.fw", "big.fw"};
	char path[128];

	(void)state;
	rproc_native_destroy(E->nr);
	assert_int_equal(atomic_load(&E->bad), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", E->dir, files[i]);
		unlink(path);
	}
	rmdir(E->dir);
	free(E);
	E = NULL;
	return 0;
}

/* ---- threaded mode --------------------------------------------------------- */

static void test_boot_stop_cycles(void **state)
{
	struct rproc_native_stats st;

	(void)state;
	make(false, "idle.fw", 0);
	for (int i = 1; i <= 5; i++) {
		assert_int_equal(rproc_boot(E->rproc), 0);
		assert_int_equal(rproc_state_get(E->rproc), RPROC_RUNNING);
		wait_int(&E->runs, i);
		/* the core's "look at every queue" after the start */
		assert_int_equal(atomic_load(&E->all), i);
		assert_int_equal(rproc_shutdown(E->rproc), 0);
		assert_int_equal(rproc_state_get(E->rproc), RPROC_OFFLINE);
		/* the stop op returned after the entry did */
		assert_int_equal(atomic_load(&E->returned), i);
	}
	rproc_native_get_stats(E->nr, &st);
	assert_int_equal(st.starts, 5);
	assert_int_equal(st.crashes, 0);
	assert_int_equal(rproc_crash_count(E->rproc), 0);
	/* not polled: the caller cannot run the entry */
	assert_int_equal(rproc_native_run(E->nr), -ENOTSUP);
	assert_int_equal(rproc_native_host_poll(E->nr), 0);
}

static void test_crash_recover(void **state)
{
	struct rproc_native_stats st;

	(void)state;
	make(false, "idle.fw", 0);
	assert_int_equal(rproc_boot(E->rproc), 0);
	wait_int(&E->runs, 1);

	/* the entry returns on its own: a fatal error, recovered */
	assert_int_equal(rproc_kick(E->rproc, ID_CRASH_RETURN), 0);
	wait_int(&E->runs, 2);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_RUNNING, 5000), 0);
	assert_int_equal(rproc_crash_count(E->rproc), 1);
	assert_int_equal(rproc_last_crash(E->rproc), RPROC_CRASH_FATAL_ERROR);
	assert_int_equal(atomic_load(&E->returned), 0);

	/* the firmware reports a watchdog crash and waits to be stopped */
	assert_int_equal(rproc_kick(E->rproc, ID_CRASH_REPORT), 0);
	wait_int(&E->runs, 3);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_RUNNING, 5000), 0);
	assert_int_equal(rproc_crash_count(E->rproc), 2);
	assert_int_equal(rproc_last_crash(E->rproc), RPROC_CRASH_WATCHDOG);
	assert_int_equal(atomic_load(&E->returned), 1);

	/* the host reports one (its watchdog): the entry is stopped */
	assert_int_equal(rproc_report_crash(E->rproc, RPROC_CRASH_MMUFAULT), 0);
	wait_int(&E->runs, 4);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_RUNNING, 5000), 0);
	assert_int_equal(rproc_crash_count(E->rproc), 3);
	assert_int_equal(atomic_load(&E->returned), 2);

	/* recovery disabled: CRASHED until recovered by hand */
	assert_int_equal(rproc_set_recovery(E->rproc, false), 0);
	assert_int_equal(rproc_kick(E->rproc, ID_CRASH_RETURN), 0);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_CRASHED, 5000), 0);
	assert_int_equal(atomic_load(&E->runs), 4);
	assert_int_equal(rproc_recover(E->rproc), 0);
	assert_int_equal(rproc_state_get(E->rproc), RPROC_RUNNING);
	wait_int(&E->runs, 5);

	rproc_native_get_stats(E->nr, &st);
	assert_int_equal(st.crashes, 3); /* the host's report is not ours */
	assert_int_equal(st.starts, 5);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
}

static void test_kicks_both_ways(void **state)
{
	struct rproc_native_stats st;

	(void)state;
	make(false, "idle.fw", 0);
	assert_int_equal(rproc_boot(E->rproc), 0);
	wait_int(&E->runs, 1);
	for (uint32_t id = ID_ECHO_BASE; id < ID_ECHO_BASE + 8; id++) {
		assert_int_equal(rproc_kick(E->rproc, id), 0);
		wait_heard(id + 10);
	}
	/* an id past the bitmap reaches the remote as "all", and the
	 * remote's reaches the subdevice as RPROC_NOTIFY_ALL */
	assert_int_equal(rproc_kick(E->rproc, 1000), 0);
	wait_int(&E->all, 2);
	assert_false(pthread_equal(E->notify_thread, pthread_self()));
	rproc_native_get_stats(E->nr, &st);
	assert_int_equal(st.kicks, 9);
	assert_int_equal(st.doorbells, 9);
	assert_int_equal(st.delivered, 9);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
	/* the remote is down: its subdevice no longer listens */
	rproc_native_ring_host(E->nr, 5);
	for (int i = 0; i < 1000; i++) {
		rproc_native_get_stats(E->nr, &st);
		if (st.unheard)
			break;
		usleep(1000);
	}
	assert_int_equal(st.unheard, 1);
}

static void test_memory(void **state)
{
	struct rproc_resource *r, *fw;
	size_t size;
	uint8_t *mem, *shared;
	int fd;

	(void)state;
	make(false, "mem.fw", 0);
	assert_int_equal(rproc_boot(E->rproc), 0);
	wait_until(&E->mem_done);
	mem = rproc_native_mem(E->nr, &size);
	assert_int_equal(size, RPROC_NATIVE_MEM_SIZE);

	/* the carveout: from the pool (the upper half), device and bus
	 * addresses different, both written back for the firmware */
	r = rproc_resource_find(E->rproc, RSC_CARVEOUT, "mem");
	assert_non_null(r);
	assert_int_equal(r->d.len, 8192);
	assert_true(r->d.da >= RPROC_NATIVE_DA + RPROC_NATIVE_MEM_SIZE / 2);
	assert_true(r->d.da + r->d.len <= RPROC_NATIVE_DA + size);
	assert_int_equal(r->d.pa - RPROC_NATIVE_PA, r->d.da - RPROC_NATIVE_DA);
	assert_int_not_equal(r->d.da, r->d.pa);
	assert_int_equal(E->mem_da, r->d.da);
	assert_int_equal(E->mem_pa, r->d.pa);
	assert_ptr_equal(r->va, mem + (r->d.da - RPROC_NATIVE_DA));
	assert_ptr_equal(rproc_da_to_va(E->rproc, r->d.da, 8192), r->va);
	for (size_t i = 0; i < 8192; i++)
		assert_int_equal(((uint8_t *)r->va)[i], MEM_PATTERN);
	/* the image went to the "firmware" carveout at the window's start */
	fw = rproc_resource_find(E->rproc, RSC_CARVEOUT, "firmware");
	assert_non_null(fw);
	assert_int_equal(fw->d.da, RPROC_NATIVE_DA);
	assert_int_equal(fw->d.pa, RPROC_NATIVE_PA);
	assert_memory_equal(mem, RPROC_NATIVE_MAGIC, 4);
	/* outside the window: nothing */
	assert_null(rproc_native_va(E->nr, RPROC_NATIVE_DA - 1, 1));
	assert_null(rproc_native_va(E->nr, RPROC_NATIVE_DA + size - 4, 8));
	assert_null(rproc_native_va(E->nr, RPROC_NATIVE_PA, 1));

	/* guard pages on both ends: no access (what /proc/self/maps says,
	 * rather than a fault in a forked child, which sanitizers intercept) */
	assert_string_equal(prot_of(mem - 1), "---p");
	assert_string_equal(prot_of(mem + size), "---p");
	assert_string_equal(prot_of(mem), "rw-s");

	/* the memfd is the same memory: what another process would map */
	fd = rproc_native_memfd(E->nr);
	assert_true(fd >= 0);
	shared = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(shared != MAP_FAILED);
	assert_int_equal(shared[r->d.da - RPROC_NATIVE_DA], MEM_PATTERN);
	assert_memory_equal(shared, RPROC_NATIVE_MAGIC, 4);
	munmap(shared, size);

	/* freed at stop and allocated again (zeroed) at the next boot */
	assert_int_equal(rproc_shutdown(E->rproc), 0);
	atomic_store(&E->mem_done, false);
	assert_int_equal(rproc_boot(E->rproc), 0);
	wait_until(&E->mem_done);
	r = rproc_resource_find(E->rproc, RSC_CARVEOUT, "mem");
	assert_int_equal(E->mem_da, r->d.da);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
}

/* ---- images and configs ------------------------------------------------------ */

static void test_bad_images(void **state)
{
	static const uint8_t junk[96] = "NOPE", zeros[4900];
	struct rproc_native_image_hdr h;
	uint8_t buf[8192], table[6000];
	struct rproc_table_builder b;
	char path[128];
	size_t len;
	FILE *f;

	(void)state;
	/* the builder */
	assert_int_equal(
		rproc_native_image(buf, sizeof(buf), "", NULL, 0, &len),
		-EINVAL);
	assert_int_equal(
		rproc_native_image(buf, sizeof(buf),
				   "0123456789012345678901234567890123", NULL,
				   0, &len),
		-EINVAL);
	assert_int_equal(rproc_native_image(buf, 63, "idle", NULL, 0, &len),
			 -ENOSPC);
	assert_int_equal(
		rproc_native_image(buf, sizeof(buf), "idle", NULL, 0, &len), 0);
	assert_int_equal(len, sizeof(h));
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.table_off, 0);
	assert_string_equal(h.entry, "idle");

	make(false, "bad.fw", 4096);
	/* not an image */
	snprintf(path, sizeof(path), "%s/bad.fw", E->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	fclose(f);
	assert_int_equal(rproc_boot(E->rproc), -ENOEXEC);
	/* reserved bits, a table outside the image */
	assert_int_equal(
		rproc_native_image(buf, sizeof(buf), "idle", NULL, 0, &len), 0);
	buf[24] = 1;
	f = fopen(path, "w");
	fwrite(buf, 1, len, f);
	fclose(f);
	assert_int_equal(rproc_boot(E->rproc), -EBADMSG);
	buf[24] = 0;
	h.table_off = 64;
	h.table_len = 16;
	memcpy(buf, &h, sizeof(h));
	f = fopen(path, "w");
	fwrite(buf, 1, len, f);
	fclose(f);
	assert_int_equal(rproc_boot(E->rproc), -EBADMSG);
	assert_int_equal(rproc_state_get(E->rproc), RPROC_OFFLINE);

	/* an entry nobody registered */
	write_image("nope.fw", "nope");
	assert_int_equal(rproc_set_firmware(E->rproc, "nope.fw"), 0);
	assert_int_equal(rproc_boot(E->rproc), -ENOEXEC);
	assert_int_equal(rproc_state_get(E->rproc), RPROC_OFFLINE);
	assert_int_equal(atomic_load(&E->runs), 0);

	/* larger than the 4 KiB "firmware" carveout (a big vendor entry) */
	memset(table, 0, sizeof(table));
	assert_int_equal(rproc_table_builder_init(&b, table, sizeof(table), 1),
			 0);
	assert_int_equal(
		rproc_table_builder_add(&b, 200, zeros, sizeof(zeros), NULL),
		0);
	assert_int_equal(rproc_table_builder_finish(&b, &len), 0);
	assert_int_equal(
		rproc_native_image_write(E->dir, "big.fw", "idle", table, len),
		0);
	assert_int_equal(rproc_set_firmware(E->rproc, "big.fw"), 0);
	assert_int_equal(rproc_boot(E->rproc), -E2BIG);

	/* and a good one still boots (table-less is fine too) */
	assert_int_equal(
		rproc_native_image_write(E->dir, "nope.fw", "idle", NULL, 0),
		0);
	assert_int_equal(rproc_set_firmware(E->rproc, "nope.fw"), 0);
	assert_int_equal(rproc_boot(E->rproc), 0);
	wait_int(&E->runs, 1);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
}

static void test_bad_config(void **state)
{
	struct rproc_native_config cfg;
	struct rproc_native *nr;

	(void)state;
	rproc_native_config_init(&cfg);
	cfg.name = "x";
	assert_int_equal(rproc_native_create(&cfg, &nr), -EINVAL); /* entries */
	cfg.entries = entries;
	cfg.nentries = 2;
	cfg.fw_size = cfg.mem_size;
	assert_int_equal(rproc_native_create(&cfg, &nr), -EINVAL);
	cfg.fw_size = 1000;
	assert_int_equal(rproc_native_create(&cfg, &nr), -EINVAL);
	cfg.fw_size = 4096;
	cfg.mem_size = 8192 + 1;
	assert_int_equal(rproc_native_create(&cfg, &nr), -EINVAL);
	cfg.mem_size = 8192;
	cfg.da = 0xFFFFF000u; /* past 32 bits (table fields) */
	assert_int_equal(rproc_native_create(&cfg, &nr), -EINVAL);
	cfg.da = 0;
	cfg.pa = 0x1000; /* different, small: fine */
	assert_int_equal(rproc_native_create(&cfg, &nr), 0);
	rproc_native_destroy(nr);
	rproc_native_destroy(NULL);
}

/* ---- polled mode ------------------------------------------------------------- */

struct runner {
	pthread_t th;
	int ret;
};

static void *run_main(void *arg)
{
	struct runner *r = arg;

	r->ret = rproc_native_run(E->nr);
	return NULL;
}

static void test_polled(void **state)
{
	struct rproc_native_stats st;
	struct runner r = {0};

	(void)state;
	make(true, "idle.fw", 0);
	assert_int_equal(rproc_native_run(E->nr), -ENODEV); /* not started */
	assert_int_equal(rproc_boot(E->rproc), 0);
	assert_int_equal(atomic_load(&E->runs), 0); /* nobody runs it */

	/* doorbells wait for the caller, both ways */
	assert_int_equal(rproc_kick(E->rproc, 4), 0);
	assert_int_equal(rproc_kick(E->rproc, 4), 0);
	assert_int_equal(rproc_kick(E->rproc, 6), 0);
	assert_int_equal(rproc_native_doorbells(E->nr), (1u << 4) | (1u << 6));
	assert_int_equal(rproc_native_doorbells(E->nr), 0);
	assert_int_equal(rproc_native_wait(E->nr, 1000000000),
			 0); /* no sleep */
	rproc_native_ring_host(E->nr, 7);
	rproc_native_ring_host(E->nr, 70);
	usleep(10000);
	assert_int_equal(atomic_load(&E->heard), 0);
	assert_int_equal(rproc_native_host_poll(E->nr), 2);
	assert_int_equal(atomic_load(&E->heard), 1u << 7);
	assert_int_equal(atomic_load(&E->all), 2); /* the start's, and 70 */
	assert_true(pthread_equal(E->notify_thread, pthread_self()));
	assert_int_equal(rproc_native_host_poll(E->nr), 0);

	/* the entry on a thread of ours */
	assert_int_equal(pthread_create(&r.th, NULL, run_main, &r), 0);
	wait_int(&E->runs, 1);
	assert_int_equal(rproc_kick(E->rproc, 9), 0);
	for (int i = 0; i < 5000 && !(atomic_load(&E->heard) >> 19 & 1); i++) {
		rproc_native_host_poll(E->nr);
		usleep(1000);
	}
	assert_true(atomic_load(&E->heard) >> 19 & 1);
	assert_int_equal(rproc_native_run(E->nr), -EBUSY);
	/* a crash: the entry returns, recovery restarts it (the runner is
	 * done: the stop op does not wait for anyone) */
	assert_int_equal(rproc_kick(E->rproc, ID_CRASH_RETURN), 0);
	pthread_join(r.th, NULL);
	assert_int_equal(r.ret, -5);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_RUNNING, 5000), 0);
	for (int i = 0; i < 5000 && rproc_crash_count(E->rproc) < 1; i++)
		usleep(1000);
	assert_int_equal(rproc_crash_count(E->rproc), 1);
	assert_int_equal(rproc_wait_state(E->rproc, RPROC_RUNNING, 5000), 0);
	/* run again; the shutdown returns after the entry did */
	assert_int_equal(pthread_create(&r.th, NULL, run_main, &r), 0);
	wait_int(&E->runs, 2);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
	assert_int_equal(atomic_load(&E->returned), 1);
	pthread_join(r.th, NULL);
	assert_int_equal(r.ret, 0);
	rproc_native_get_stats(E->nr, &st);
	assert_int_equal(st.starts, 2);
	assert_int_equal(st.crashes, 1);
}

/* An rpmsg echo with both sides driven by hand on this thread. */
static struct rpfw_rpmsg RP;
static char host_got[32];
static int host_n;

static void remote_echo(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
			uint32_t src, void *priv)
{
	(void)priv;
	assert_int_equal(rpfw_rpmsg_send(ept, src, data, len), 0);
}

static int host_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	(void)ept;
	(void)priv;
	assert_int_equal(src, 1024);
	memcpy(host_got, data, len < sizeof(host_got) ? len : sizeof(host_got));
	host_n++;
	return 0;
}

static void test_polled_rpmsg(void **state)
{
	static const struct rpmsg_bus_ops no_events;
	struct rproc_native_rpmsg_desc desc;
	struct rproc_native_config cfg;
	struct rproc_native_stats st;
	struct rpmsg_endpoint *ept;
	struct rproc_rpmsg *bus;
	struct rpmsg_device *rdev;
	uint8_t table[512];
	size_t tlen;

	(void)state;
	rproc_native_rpmsg_desc_init(&desc);
	desc.num = 16;
	desc.pool_len = 32 * 512;
	assert_int_equal(
		rproc_native_rpmsg_table(table, sizeof(table), &desc, &tlen),
		0);
	assert_int_equal(rproc_native_image_write(E->dir, "idle.fw", "idle",
						  table, tlen),
			 0);
	rproc_native_config_init(&cfg);
	cfg.name = "nat";
	cfg.firmware = "idle.fw";
	cfg.polled = true;
	cfg.entries = entries;
	cfg.nentries = 1;
	assert_int_equal(rproc_native_create(&cfg, &E->nr), 0);
	E->rproc = rproc_native_rproc(E->nr);
	assert_int_equal(rproc_rpmsg_attach(E->rproc, &no_events, NULL, &bus),
			 0);
	assert_int_equal(rproc_add(E->rproc), 0);
	assert_int_equal(rproc_boot(E->rproc), 0);
	rdev = rproc_rpmsg_device(bus, 0);
	assert_non_null(rdev);

	/* the remote's side, here */
	assert_int_equal(rproc_native_rpmsg_init(E->nr, &RP, 1), -ENOENT);
	assert_int_equal(rproc_native_rpmsg_init(E->nr, &RP, 0), 0);
	assert_non_null(
		rpfw_rpmsg_create_ept(&RP, NULL, 1024, remote_echo, NULL));
	assert_int_equal(rproc_native_rpmsg_wait_ready(E->nr, &RP), 1);

	assert_int_equal(rpmsg_create_ept(rdev, NULL, RPMSG_ADDR_ANY, 1024,
					  host_rx, NULL, NULL, &ept),
			 0);
	for (int i = 0; i < 100; i++) {
		char msg[16];

		snprintf(msg, sizeof(msg), "hello %d", i);
		assert_int_equal(rpmsg_trysend(ept, 1024, msg, strlen(msg) + 1),
				 0);
		assert_int_equal(rpfw_rpmsg_poll(&RP), 1);
		assert_int_equal(rproc_rpmsg_poll(bus), 1);
		assert_int_equal(host_n, i + 1);
		assert_string_equal(host_got, msg);
	}
	rproc_native_get_stats(E->nr, &st);
	assert_true(st.kicks > 0);
	rpmsg_destroy_ept(ept);
	assert_int_equal(rproc_shutdown(E->rproc), 0);
	rproc_rpmsg_detach(bus);
	rproc_native_destroy(E->nr);
	E->nr = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boot_stop_cycles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_recover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kicks_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_images, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_polled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_polled_rpmsg, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
