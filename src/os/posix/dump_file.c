/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: a core-dump sink into a file (include/rproc/coredump.h).
 *
 * The dump is written to "<path>.tmp.XXXXXX" (mkostemp, same directory so
 * the final rename stays on one file system), made 0600 whatever the umask.
 * A successful end checks that exactly the announced size was written, then
 * fsyncs, closes and rename()s it over @path (atomic: readers see the old
 * file or the new one, never a partial one) and fsyncs the directory so the
 * rename survives a power cut.  A failing write or a failing end unlinks the
 * temporary file at once; @path is never touched on failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_posix.h"
#include "rproc/alloc.h"
#include "rproc/coredump.h"

#define TMP_SUFFIX ".tmp.XXXXXX"

struct dump_file {
	int fd;		/* -1 before begin and after discard */
	uint64_t total; /* announced by begin */
	uint64_t written;
	char *path; /* final name */
	char *tmp;  /* temporary name, filled in by mkostemp */
	char *dir;  /* directory of both, fsynced after the rename */
};

/* Close and unlink the temporary file, if any. */
static void dump_discard(struct dump_file *df)
{
	if (df->fd < 0)
		return;
	close(df->fd);
	unlink(df->tmp);
	df->fd = -1;
}

static int dump_begin(void *ctx, uint64_t total_size)
{
	struct dump_file *df = ctx;

	if (df->fd >= 0)
		return -EBUSY;
	df->fd = mkostemp(df->tmp, O_CLOEXEC);
	if (df->fd < 0)
		return -errno;
	/* mkostemp already asks for 0600, but through the umask. */
	if (fchmod(df->fd, 0600)) {
		int ret = -errno;

		dump_discard(df);
		return ret;
	}
	df->total = total_size;
	df->written = 0;
	return 0;
}

static int dump_write(void *ctx, const void *buf, size_t len)
{
	struct dump_file *df = ctx;
	const uint8_t *p = buf;
	int ret;

	if (df->fd < 0)
		return -EBADF;
	while (len) {
		ssize_t n = write(df->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* write() returning 0 for len > 0: treat as full. */
			ret = n < 0 ? -errno : -ENOSPC;
			dump_discard(df);
			return ret;
		}
		p += n;
		len -= (size_t)n;
		df->written += (uint64_t)n;
	}
	return 0;
}

/* fsync the directory holding the dump so the rename in it is durable. */
static int fsync_dir(const char *dir)
{
	int fd, ret = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Some file systems cannot fsync a directory: nothing to do then. */
	if (fsync(fd) && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

/* Publish the temporary file under the final name. */
static int dump_commit(struct dump_file *df)
{
	int fd = df->fd;

	if (fd < 0)
		return -EINVAL; /* never begun, or a write failed */
	if (df->written != df->total)
		return -EIO;
	if (fsync(fd))
		return -errno;
	df->fd = -1;
	if (close(fd)) {
		int ret = -errno;

		unlink(df->tmp);
		return ret;
	}
	if (rename(df->tmp, df->path)) {
		int ret = -errno;

		unlink(df->tmp);
		return ret;
	}
	return fsync_dir(df->dir);
}

static int dump_end(void *ctx, int status)
{
	struct dump_file *df = ctx;
	int ret = 0;

	if (status == 0)
		ret = dump_commit(df);
	dump_discard(df);
	rproc_free(df->path);
	rproc_free(df);
	return ret;
}

int rproc_dump_sink_file(struct rproc_dump_sink *sink, const char *path)
{
	const char *slash;
	struct dump_file *df;
	size_t len, dlen;

	if (!sink || !path || !*path)
		return -EINVAL;
	len = strlen(path);
	slash = strrchr(path, '/');
	dlen = slash ? (size_t)(slash - path) : 0;
	df = rproc_zalloc(sizeof(*df));
	if (!df)
		return -ENOMEM;
	df->fd = -1;
	/* One allocation, so end() never allocates: path, the temporary name
	 * (path + suffix) and the directory ("." or "/" at least), each
	 * NUL-terminated. */
	df->path = rproc_malloc(2 * len + sizeof(TMP_SUFFIX) + dlen + 2);
	if (!df->path) {
		rproc_free(df);
		return -ENOMEM;
	}
	memcpy(df->path, path, len + 1);
	df->tmp = df->path + len + 1;
	memcpy(df->tmp, path, len);
	memcpy(df->tmp + len, TMP_SUFFIX, sizeof(TMP_SUFFIX));
	df->dir = df->tmp + len + sizeof(TMP_SUFFIX);
	if (!slash) {
		strcpy(df->dir, ".");
	} else if (!dlen) {
		strcpy(df->dir, "/");
	} else {
		memcpy(df->dir, path, dlen);
		df->dir[dlen] = '\0';
	}

	sink->begin = dump_begin;
	sink->write = dump_write;
	sink->end = dump_end;
	sink->ctx = df;
	return 0;
}
