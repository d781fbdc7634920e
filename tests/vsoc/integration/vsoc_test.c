/* SPDX-License-Identifier: BSD-3-Clause */
#include "vsoc_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rproc/coredump.h"
#include "rproc/os.h"

static char dump_dir[256];

uint64_t vt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vt_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

void vt_init(void)
{
	if (rproc_os_fw_set_search_path(VT_FW_DIR)) {
		fprintf(stderr, "cannot set the firmware path %s\n", VT_FW_DIR);
		abort();
	}
	if (!dump_dir[0]) {
		snprintf(dump_dir, sizeof(dump_dir), "/tmp/vsoc-test-XXXXXX");
		if (!mkdtemp(dump_dir))
			abort();
	}
}

const char *vt_dump_dir(void)
{
	return dump_dir;
}

struct vsoc_board *vt_open(const char *name)
{
	struct rproc_diag d = {{0}};
	struct vsoc_board *b = NULL;
	char path[512];
	int ret;

	snprintf(path, sizeof(path), "%s/%s.dtb", VT_BOARD_DIR, name);
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%s/%s.dtb", VT_MAIN_BOARD_DIR,
			 name);
	ret = vsoc_board_open(path, &b, &d);
	if (ret) {
		fprintf(stderr, "vsoc_board_open(%s): %d: %s\n", path, ret,
			d.msg);
		abort();
	}
	return b;
}

const char *vt_fw_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", VT_FW_DIR, name);
	return buf;
}

static void rx_fn(void *ctx, uint32_t w)
{
	struct vt_rx *rx = ctx;

	pthread_mutex_lock(&rx->lock);
	if (rx->n < sizeof(rx->words) / sizeof(rx->words[0]))
		rx->words[rx->n++] = w;
	pthread_cond_broadcast(&rx->cond);
	pthread_mutex_unlock(&rx->lock);
}

void vt_rx_attach(struct vt_rx *rx, struct rproc *r)
{
	pthread_mutex_init(&rx->lock, NULL);
	pthread_cond_init(&rx->cond, NULL);
	rx->n = 0;
	vsoc_set_host_rx(r, rx_fn, rx);
}

void vt_rx_detach(struct vt_rx *rx, struct rproc *r)
{
	if (r)
		vsoc_set_host_rx(r, NULL, NULL);
	pthread_cond_destroy(&rx->cond);
	pthread_mutex_destroy(&rx->lock);
}

void vt_rx_reset(struct vt_rx *rx)
{
	pthread_mutex_lock(&rx->lock);
	rx->n = 0;
	pthread_mutex_unlock(&rx->lock);
}

static size_t count_locked(struct vt_rx *rx, uint32_t word)
{
	size_t c = 0;

	for (size_t i = 0; i < rx->n; i++)
		c += rx->words[i] == word;
	return c;
}

size_t vt_rx_count(struct vt_rx *rx, uint32_t word)
{
	size_t c;

	pthread_mutex_lock(&rx->lock);
	c = count_locked(rx, word);
	pthread_mutex_unlock(&rx->lock);
	return c;
}

bool vt_rx_wait(struct vt_rx *rx, uint32_t word, int timeout_ms)
{
	struct timespec ts;
	bool found;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&rx->lock);
	while (!(found = count_locked(rx, word) > 0))
		if (pthread_cond_timedwait(&rx->cond, &rx->lock, &ts) ==
		    ETIMEDOUT) {
			found = count_locked(rx, word) > 0;
			break;
		}
	pthread_mutex_unlock(&rx->lock);
	return found;
}

bool vt_trace_wait(struct rproc *r, const char *text, int timeout_ms)
{
	static char buf[8192];

	for (int t = 0; t <= timeout_ms; t += 5) {
		int n = rproc_trace_read(r, 0, buf, sizeof(buf) - 1);

		if (n >= 0) {
			buf[n] = '\0';
			if (strstr(buf, text))
				return true;
		}
		sleep_ms(5);
	}
	fprintf(stderr, "trace of %s lacks \"%s\":\n%s\n", rproc_name(r), text,
		buf);
	return false;
}

bool vt_crash_wait(struct rproc *r, uint32_t count, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 2) {
		if (rproc_crash_count(r) >= count)
			return true;
		sleep_ms(2);
	}
	return false;
}

const char *vt_core_path(struct rproc *r, uint32_t count, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s-%u.core", dump_dir, rproc_name(r),
		 (unsigned)count);
	return buf;
}

static int open_dump(void *ctx, struct rproc *r, uint32_t count,
		     struct rproc_dump_sink *sink)
{
	char path[512];

	(void)ctx;
	return rproc_dump_sink_file(sink,
				    vt_core_path(r, count, path, sizeof(path)));
}

void vt_dump_to_files(struct rproc *r)
{
	rproc_set_dump_sink(r, open_dump, NULL);
}

bool vt_file_wait(const char *path, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t += 5) {
		if (access(path, R_OK) == 0)
			return true;
		sleep_ms(5);
	}
	return false;
}

char *vt_gdb_bt(const char *elf, const char *core)
{
	char cmd[1024];
	size_t cap = 1 << 16, n = 0;
	char *out = calloc(1, cap);
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "gdb-multiarch -nx -batch -ex 'set pagination off' "
		 "-ex bt '%s' '%s' 2>&1",
		 elf, core);
	p = popen(cmd, "r");
	if (!p || !out)
		abort();
	while (n < cap - 1) {
		size_t got = fread(out + n, 1, cap - 1 - n, p);

		if (!got)
			break;
		n += got;
	}
	pclose(p);
	out[n] = '\0';
	return out;
}
