/* SPDX-License-Identifier: BSD-3-Clause */
/* Topic 6: coredumps from recovery in each mode, through a memory sink and
 * the atomic file sink, checked with readelf. */
#include <stdio.h>
#include <sys/stat.h>

#include "common.h"

static struct rproc_dump_mem mem;
static int opens;
static char file_path[256];

static int open_mem(void *ctx, struct rproc *rproc, uint32_t count,
		    struct rproc_dump_sink *sink)
{
	struct fake *f = ctx;

	(void)rproc;
	(void)count;
	fake_call(f, "dump");
	opens++;
	rproc_dump_mem_release(&mem);
	rproc_dump_sink_mem(sink, &mem);
	return 0;
}

static int open_file(void *ctx, struct rproc *rproc, uint32_t count,
		     struct rproc_dump_sink *sink)
{
	(void)ctx;
	snprintf(file_path, sizeof(file_path), "/tmp/rproc-core-%s-%u-%d.core",
		 rproc_name(rproc), count, (int)getpid());
	return rproc_dump_sink_file(sink, file_path);
}

static struct rproc *boot(struct fake *f, char *dir, enum rproc_dump_mode m)
{
	struct rproc *r;

	fake_init(f);
	r = fake_rproc(f, "cd", "fw.bin", false, false);
	rproc_set_coredump(r, m);
	rproc_set_dump_sink(r, open_mem, f);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_boot(r), 0);
	(void)dir;
	return r;
}

static void crash_and_wait(struct rproc *r, uint32_t n)
{
	assert_int_equal(rproc_report_crash(r, RPROC_CRASH_MMUFAULT), 0);
	for (int i = 0; i < 1000 && rproc_crash_count(r) < n; i++)
		usleep(1000);
	assert_int_equal(rproc_wait_state(r, RPROC_RUNNING, 2000), 0);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void check_core(void)
{
	assert_non_null(mem.buf);
	assert_memory_equal(mem.buf,
			    "\x7f"
			    "ELF",
			    4);
	assert_int_equal(mem.buf[4], 1);		  /* ELFCLASS32 */
	assert_int_equal(mem.buf[16], 4);		  /* ET_CORE */
	assert_int_equal(mem.buf[18], 40);		  /* EM_ARM */
	assert_int_equal(rd32(mem.buf + 36), 0x05000200); /* e_flags */
	assert_int_equal(rd32(mem.buf + 52), 4);	  /* PT_NOTE first */
}

static void test_modes(void **state)
{
	char *dir = fake_fw_dir();
	struct fake f;
	struct rproc *r;

	(void)state;
	std_image(dir, "fw.bin", true);

	/* inline: streamed after the halt, before the reload */
	r = boot(&f, dir, RPROC_DUMP_INLINE);
	fake_clear_log(&f);
	crash_and_wait(r, 1);
	assert_log(&f, "stop dump load start");
	check_core();
	/* the loaded segment's bytes are in the dump */
	assert_non_null(memmem(mem.buf, mem.len, "hello, remote!!", 15));
	fake_fini(&f);

	/* enabled: copied at the halt, written after the restart */
	r = boot(&f, dir, RPROC_DUMP_ENABLED);
	fake_clear_log(&f);
	crash_and_wait(r, 1);
	assert_log(&f, "stop load start dump");
	check_core();
	fake_fini(&f);

	/* disabled: nothing */
	opens = 0;
	r = boot(&f, dir, RPROC_DUMP_DISABLED);
	crash_and_wait(r, 1);
	assert_int_equal(opens, 0);
	fake_fini(&f);
	rproc_dump_mem_release(&mem);
	fake_rm_dir(dir);
}

static void test_file_readelf(void **state)
{
	char *dir = fake_fw_dir();
	char cmd[512], out[8192];
	struct fake f;
	struct rproc *r;
	struct stat st;
	FILE *p;
	size_t n;

	(void)state;
	std_image(dir, "fw.bin", true);
	r = boot(&f, dir, RPROC_DUMP_INLINE);
	rproc_set_dump_sink(r, open_file, NULL);
	crash_and_wait(r, 1);
	assert_int_equal(stat(file_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(cmd, sizeof(cmd), "readelf -W -h -l -n %s 2>&1", file_path);
	p = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	assert_non_null(strstr(out, "CORE (Core file)"));
	assert_non_null(strstr(out, "ARM"));
	assert_non_null(strstr(out, "NT_PRSTATUS"));
	assert_non_null(strstr(out, "0x00000094")); /* 148 bytes on ARM */
	/* PT_NOTE first, then one LOAD per loaded segment */
	char *note = strstr(out, "  NOTE");
	char *load = strstr(out, "  LOAD");
	assert_non_null(note);
	assert_non_null(load);
	assert_true(note < load);
	assert_null(strstr(load + 1, "  LOAD")); /* one loaded region */
	unlink(file_path);
	fake_fini(&f);
	fake_rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_file_readelf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
