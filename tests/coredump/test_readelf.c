/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * coredump_readelf: the cores must be what the real tools expect.  readelf
 * checks the container (type, machine, NOTE first, LOADs, note sizes), and
 * gdb-multiarch must pick the thread registers out of NT_PRSTATUS for ARM,
 * RV32 and x86-64 (gdb reads a core without an executable once the
 * architecture is set).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cd_common.h"
#include "rproc/coredump.h"

static char tmpdir[] = "/tmp/coredump_readelf_XXXXXX";
static uint8_t ram_a[4096];
static uint8_t ram_b[300];

/* Registers as little-endian bytes, whatever the host. */
static void put_regs32(uint8_t *dst, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		dst[4 * i] = (uint8_t)v[i];
		dst[4 * i + 1] = (uint8_t)(v[i] >> 8);
		dst[4 * i + 2] = (uint8_t)(v[i] >> 16);
		dst[4 * i + 3] = (uint8_t)(v[i] >> 24);
	}
}

static void put_regs64(uint8_t *dst, const uint64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		put_regs32(dst + 8 * i, (const uint32_t[]){(uint32_t)v[i]}, 1);
		put_regs32(dst + 8 * i + 4,
			   (const uint32_t[]){(uint32_t)(v[i] >> 32)}, 1);
	}
}

static int read_zero(void *priv, uint64_t offset, void *dst, size_t len)
{
	(void)priv;
	memset(dst, (int)(offset & 0xff), len);
	return 0;
}

static void write_core(const struct rproc_dump_desc *desc, const char *path)
{
	struct rproc_dump_sink sink;
	struct rproc_dump_mem m;
	struct rproc_diag d = {{0}};
	FILE *f;

	rproc_dump_sink_mem(&sink, &m);
	assert_int_equal(rproc_coredump_write(desc, &sink, &d), 0);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(m.buf, 1, m.len, f), m.len);
	assert_int_equal(fclose(f), 0);
	rproc_dump_mem_release(&m);
}

/* Run @cmd; its stdout and stderr in a malloc'd string. */
static char *run(const char *cmd)
{
	char full[1024];
	size_t cap = 1 << 16, len = 0, n;
	char *out = malloc(cap);
	FILE *p;

	assert_non_null(out);
	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	assert_non_null(p);
	while ((n = fread(out + len, 1, cap - 1 - len, p)) > 0)
		len += n;
	out[len] = '\0';
	pclose(p);
	return out;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" not found in output:\n%s", needle, hay);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static bool have_tool(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* readelf -h -l -n of @path must show a core of @machine with @nsegs LOADs,
 * @nthreads NT_PRSTATUS of @descsz (as readelf prints it). */
static void check_readelf(const char *path, const char *machine, int nsegs,
			  int nthreads, const char *descsz)
{
	char cmd[512], line[128];
	char *out, *ph;

	snprintf(cmd, sizeof(cmd), "readelf -W -h -l -n %s", path);
	out = run(cmd);
	assert_contains(out,
			"Type:                              CORE (Core file)");
	assert_contains(out, machine);
	ph = strstr(out, "Program Headers:");
	assert_non_null(ph);
	/* The first entry after the column titles is the NOTE. */
	ph = strstr(ph, "\n  Type");
	assert_non_null(ph);
	ph = strchr(ph + 1, '\n');
	assert_non_null(ph);
	if (strncmp(ph + 1, "  NOTE", 6))
		fail_msg("first program header is not NOTE:\n%s", out);
	assert_int_equal(count_of(out, "\n  LOAD "), nsegs);
	snprintf(line, sizeof(line), "CORE                 %s\tNT_PRSTATUS",
		 descsz);
	assert_int_equal(count_of(out, line), nthreads);
	/* the RPROC note has its own type: never taken for a prstatus */
	assert_int_equal(count_of(out, "NT_PRSTATUS"), nthreads);
	assert_contains(out, "NT_PRPSINFO");
	assert_contains(out, "RPROC");
	free(out);
}

/* gdb-multiarch on the core alone, running @cmds; its output. */
static char *gdb_core(const char *arch, const char *path, const char *cmds)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "gdb-multiarch -nx -batch -ex 'set architecture %s' "
		 "-ex 'core-file %s' %s",
		 arch, path, cmds);
	return run(cmd);
}

static void test_arm(void **state)
{
	uint32_t v[18];
	uint8_t regs[72];
	struct rproc_dump_thread th[2] = {
		{.tid = 1, .signo = 11, .regs = regs, .regs_size = 72},
		{.tid = 2, .signo = 11, .regs = regs, .regs_size = 72},
	};
	struct rproc_dump_segment segs[2] = {
		{.da = 0x20000000, .size = sizeof(ram_a), .va = ram_a},
		{.da = 0x10000000, .size = 70000, .read = read_zero},
	};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000200,
		.remote = "m4",
		.firmware = "/lib/firmware/blinky.elf",
		.crash = "fault",
		.crash_count = 1,
		.threads = th,
		.nthreads = 1,
		.segs = segs,
		.nsegs = 2,
	};
	char path[256];
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < 18; i++)
		v[i] = 0x100 + (uint32_t)i;
	v[13] = 0x20000ff8;
	v[15] = 0x08000124; /* stacked pc: even, Thumb state in xPSR */
	v[16] = 0x01000000;
	put_regs32(regs, v, 18);
	memcpy(ram_a + 0xff8, "\x11\x22\x33\x44", 4);
	snprintf(path, sizeof(path), "%s/arm.core", tmpdir);
	write_core(&desc, path);
	check_readelf(path, "Machine:                           ARM", 2, 1,
		      "0x00000094");

	out = gdb_core("arm", path,
		       "-ex 'info registers pc' -ex 'info registers sp' "
		       "-ex 'x/wx 0x20000ff8' -ex 'info threads'");
	assert_contains(out, "pc             0x8000124");
	assert_contains(out, "sp             0x20000ff8");
	assert_contains(out, "0x44332211");
	assert_contains(out, "SIGSEGV");
	assert_int_equal(count_of(out, "[New LWP "), 1);
	free(out);

	/* Two threads appear as two LWPs. */
	desc.nthreads = 2;
	write_core(&desc, path);
	out = gdb_core("arm", path, "-ex 'info threads'");
	assert_int_equal(count_of(out, "[New LWP "), 2);
	assert_contains(out, "LWP 1 ");
	assert_contains(out, "LWP 2 ");
	free(out);
	unlink(path);
}

/*
 * The RPROC note has type 1 like NT_PRSTATUS; BFD parses any type-1 note of
 * the prstatus size as a thread.  A firmware name that makes the text + NUL
 * exactly 148 bytes must still give gdb one thread.
 */
static void test_arm_no_phantom_thread(void **state)
{
	uint32_t v[18] = {0};
	uint8_t regs[72];
	char fw[200];
	struct rproc_dump_thread th = {
		.tid = 1, .signo = 11, .regs = regs, .regs_size = 72};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 40,
		.flags = 0x05000200,
		.remote = "r5",
		.crash = "wdog",
		.crash_count = 3,
		.threads = &th,
		.nthreads = 1,
	};
	size_t fixed = strlen("remote=r5\nfirmware=\ncrash=wdog\ncount=3\n");
	char path[256];
	char *out;

	(void)state;
	v[15] = 0x08000200;
	put_regs32(regs, v, 18);
	memset(fw, 'x', sizeof(fw));
	fw[147 - fixed] = '\0'; /* text 147 bytes + NUL = 148 */
	desc.firmware = fw;
	snprintf(path, sizeof(path), "%s/phantom.core", tmpdir);
	write_core(&desc, path);
	out = gdb_core("arm", path, "-ex 'info threads'");
	assert_int_equal(count_of(out, "[New LWP "), 1);
	free(out);
	unlink(path);
}

static void test_riscv32(void **state)
{
	uint32_t v[32];
	uint8_t regs[128];
	struct rproc_dump_thread th = {
		.tid = 1, .signo = 4, .regs = regs, .regs_size = 128};
	struct rproc_dump_segment seg = {
		.da = 0x80000000, .size = sizeof(ram_b), .va = ram_b};
	struct rproc_dump_desc desc = {
		.elf_class = 1,
		.machine = 243,
		.flags = 0x1,
		.remote = "rv",
		.firmware = "rv.elf",
		.crash = "illegal",
		.threads = &th,
		.nthreads = 1,
		.segs = &seg,
		.nsegs = 1,
	};
	char path[256];
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		v[i] = 0x80000000u + 4 * (uint32_t)i;
	v[0] = 0x80000abc; /* pc */
	v[2] = 0x80000100; /* sp */
	put_regs32(regs, v, 32);
	snprintf(path, sizeof(path), "%s/rv32.core", tmpdir);
	write_core(&desc, path);
	check_readelf(path, "RISC-V", 1, 1, "0x000000cc");
	out = gdb_core("riscv:rv32", path,
		       "-ex 'info registers pc' -ex 'info registers sp'");
	assert_contains(out, "pc             0x80000abc");
	assert_contains(out, "sp             0x80000100");
	assert_contains(out, "SIGILL");
	free(out);
	unlink(path);
}

static void test_x86_64(void **state)
{
	uint64_t v[27];
	uint8_t regs[216];
	struct rproc_dump_thread th = {
		.tid = 9, .signo = 6, .regs = regs, .regs_size = 216};
	struct rproc_dump_segment segs[3] = {
		{.da = 0x400000, .size = sizeof(ram_a), .va = ram_a},
		{.da = 0x7ffff000, .size = sizeof(ram_b), .va = ram_b},
		{.da = 0x600000, .size = 5, .read = read_zero},
	};
	struct rproc_dump_desc desc = {
		.elf_class = 2,
		.machine = 62,
		.remote = "host",
		.firmware = "a.out",
		.crash = "abort",
		.threads = &th,
		.nthreads = 1,
		.segs = segs,
		.nsegs = 3,
	};
	char path[256];
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < 27; i++)
		v[i] = 0x1000 + i;
	v[16] = 0x401234;   /* rip */
	v[17] = 0x33;	    /* cs */
	v[19] = 0x7ffff100; /* rsp */
	v[20] = 0x2b;	    /* ss */
	put_regs64(regs, v, 27);
	snprintf(path, sizeof(path), "%s/x86_64.core", tmpdir);
	write_core(&desc, path);
	check_readelf(path, "Advanced Micro Devices X86-64", 3, 1,
		      "0x00000150");
	out = gdb_core("i386:x86-64", path,
		       "-ex 'info registers rip' -ex 'info registers rsp'");
	assert_contains(out, "rip            0x401234");
	assert_contains(out, "rsp            0x7ffff100");
	assert_contains(out, "SIGABRT");
	free(out);
	unlink(path);
}

static int setup(void **state)
{
	(void)state;
	if (!have_tool("readelf") || !have_tool("gdb-multiarch")) {
		print_message("readelf or gdb-multiarch missing\n");
		return -1;
	}
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm),
		cmocka_unit_test(test_arm_no_phantom_thread),
		cmocka_unit_test(test_riscv32),
		cmocka_unit_test(test_x86_64),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
