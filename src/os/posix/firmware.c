/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: firmware names, the search path and loading a firmware
 * file into memory (rproc_os_fw_request / rproc_os_fw_release).
 *
 * Names are checked before any file system access (os.h rules, plus "." is
 * refused so every file has one spelling).  A file is opened relative to its
 * search directory with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS):
 * symlinks inside the directory, common in /lib/firmware, keep working, but
 * one that leads outside it is refused with -EINVAL.  Kernels without
 * openat2 (before 5.6, or a seccomp filter that refuses it) fall back to
 * openat(), where the name rules alone keep the lookup in the directory and
 * symlinks are trusted like the directory itself.
 *
 * The image is read completely with pread() into a buffer from rproc_malloc()
 * and checked against the file's size and mtime before and after; a file
 * that changes while it is read is read again, up to FW_READ_TRIES times,
 * then -EAGAIN.  The bytes are a private copy, valid until release.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif
#endif

#include "os_posix.h"
#include "rproc/alloc.h"
#include "rproc/os.h"

#define FW_READ_TRIES 4
/* Room left in PATH_MAX for '/' + the longest name + NUL. */
#define FW_DIR_MAX (PATH_MAX - RPROC_OS_FW_NAME_MAX - 2)
/*
 * Signal sent by the kernel if a writer opens the file during the instant we
 * hold a read lease (see check_writers()).  The default, SIGIO, would kill
 * the process; SIGURG is ignored by default.
 */
#define FW_LEASE_SIGNAL SIGURG

/* The image and its strings; data is a separate allocation. */
struct fw_image {
	struct rproc_os_fw fw;
	char strings[]; /* name, NUL, path, NUL */
};

/* ---- names ---------------------------------------------------------------- */

int rproc_os__fw_name_check(const char *name)
{
	size_t len, i, start = 0;

	if (!name)
		return -EINVAL;
	len = strnlen(name, RPROC_OS_FW_NAME_MAX + 1);
	if (len == 0 || len > RPROC_OS_FW_NAME_MAX)
		return -EINVAL;
	/* Walk the components: a leading '/', "//" and a trailing '/' all show
	 * up as an empty component. */
	for (i = 0; i <= len; i++) {
		size_t clen;

		if (name[i] != '/' && name[i] != '\0')
			continue;
		clen = i - start;
		if (clen == 0)
			return -EINVAL;
		if (name[start] == '.' &&
		    (clen == 1 || (clen == 2 && name[start + 1] == '.')))
			return -EINVAL;
		start = i + 1;
	}
	return 0;
}

/* ---- search path ---------------------------------------------------------- */

static const char *const default_dirs[] = {"/lib/firmware"};
static struct rproc_os__search_path default_path = {
	.is_static = true,
	.ndirs = 1,
	.dirs = default_dirs,
};

static pthread_mutex_t search_lock = PTHREAD_MUTEX_INITIALIZER;
/* The current path; guarded by search_lock.  Stays reachable at exit. */
static struct rproc_os__search_path *search_path = &default_path;

struct rproc_os__search_path *rproc_os__search_path_get(void)
{
	struct rproc_os__search_path *sp;

	pthread_mutex_lock(&search_lock);
	sp = search_path;
	if (!sp->is_static)
		__atomic_add_fetch(&sp->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&search_lock);
	return sp;
}

void rproc_os__search_path_put(struct rproc_os__search_path *sp)
{
	if (!sp || sp->is_static)
		return;
	if (__atomic_sub_fetch(&sp->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rproc_os_free(sp);
}

/*
 * Parse "dir:dir:..." into one allocation: the struct, the pointer array and
 * the strings.  Global state, not a request: plain rproc_os_malloc(), so a
 * test that swaps the allocator hooks does not see it.
 */
int rproc_os_fw_set_search_path(const char *dirs)
{
	struct rproc_os__search_path *sp, *old;
	size_t ndirs = 1, len, i;
	const char **vec;
	char *strings, *p;

	if (!dirs || !*dirs)
		return -EINVAL;
	len = strlen(dirs);
	for (i = 0; i < len; i++)
		ndirs += dirs[i] == ':';
	sp = rproc_os_malloc(sizeof(*sp) + ndirs * sizeof(char *) + len + 1);
	if (!sp)
		return -ENOMEM;
	vec = (const char **)(sp + 1);
	strings = (char *)(vec + ndirs);
	memcpy(strings, dirs, len + 1);

	p = strings;
	for (i = 0; i < ndirs; i++) {
		char *end = strchr(p, ':');
		size_t dlen;

		if (end)
			*end = '\0';
		dlen = strlen(p);
		if (p[0] != '/' || dlen > FW_DIR_MAX) {
			rproc_os_free(sp);
			return -EINVAL;
		}
		/* "/lib/firmware/" and "/lib/firmware" are one directory. */
		while (dlen > 1 && p[dlen - 1] == '/')
			p[--dlen] = '\0';
		vec[i] = p;
		p = end ? end + 1 : p + dlen;
	}
	sp->refs = 1; /* the reference held by search_path */
	sp->is_static = false;
	sp->ndirs = ndirs;
	sp->dirs = vec;

	pthread_mutex_lock(&search_lock);
	old = search_path;
	search_path = sp;
	pthread_mutex_unlock(&search_lock);
	rproc_os__search_path_put(old);
	return 0;
}

/* ---- loading -------------------------------------------------------------- */

/* Open @name beneath the directory @dfd, read-only.  Returns an fd or a
 * negative errno; -EINVAL when the name resolves outside the directory. */
static int open_beneath(int dfd, const char *name)
{
	/* O_NONBLOCK: a FIFO must not block the open; checked by fstat. */
	const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd;
#ifdef HAVE_OPENAT2
	static atomic_bool no_openat2;

	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		struct open_how how = {
			.flags = (uint64_t)flags,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		int tries = 0;

		do {
			fd = (int)syscall(SYS_openat2, dfd, name, &how,
					  sizeof(how));
		} while (fd < 0 &&
			 (errno == EINTR || (errno == EAGAIN && ++tries < 8)));
		if (fd >= 0)
			return fd;
		if (errno == EXDEV) {
			rproc_os__logf(RPROC_LOG_WARN,
				       "firmware '%s' leads outside its "
				       "search directory",
				       name);
			return -EINVAL;
		}
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		atomic_store_explicit(&no_openat2, true, memory_order_relaxed);
	}
#endif
	do {
		fd = openat(dfd, name, flags);
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

/*
 * Does anyone have the file open for writing?  A read lease cannot be taken
 * while any process (this one included) has the inode open for write, so
 * F_SETLEASE(F_RDLCK) answers the question; the lease is dropped at once.
 * Returns 1 (no writer), -EBUSY (a writer), or 0 (leases not available
 * here: not the owner without CAP_LEASE, leases disabled, or a file system
 * without them).
 */
static int check_writers(int fd)
{
	fcntl(fd, F_SETSIG, FW_LEASE_SIGNAL);
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		return 1;
	}
	return errno == EAGAIN ? -EBUSY : 0;
}

static bool same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_ino == b->st_ino &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Read all of @fd into a new rproc_malloc() buffer.  The size, inode and mtime
 * must be the same before and after, and there must be no byte past the end:
 * otherwise the file changed under us and it is read again.
 */
static int read_whole(int fd, uint8_t **data, size_t *size)
{
	int tries;

	for (tries = 0; tries < FW_READ_TRIES; tries++) {
		struct stat before, after;
		size_t got = 0, len;
		uint8_t *buf, extra;
		ssize_t n = 0;
		int ret;

		if (fstat(fd, &before))
			return -errno;
		if (!S_ISREG(before.st_mode))
			return -EINVAL;
		if ((uint64_t)before.st_size >= SIZE_MAX ||
		    before.st_size > (off_t)(SSIZE_MAX - 1))
			return -EFBIG;
		len = (size_t)before.st_size;
		buf = rproc_malloc(len);
		if (!buf)
			return -ENOMEM;
		while (got < len) {
			n = pread(fd, buf + got, len - got, (off_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (n < 0 && got < len) {
			ret = -errno;
			rproc_free(buf);
			return ret;
		}
		do {
			n = pread(fd, &extra, 1, (off_t)len);
		} while (n < 0 && errno == EINTR);
		if (got == len && n == 0 && !fstat(fd, &after) &&
		    same_file_state(&before, &after)) {
			*data = buf;
			*size = len;
			return 0;
		}
		rproc_free(buf);
	}
	return -EAGAIN;
}

/* Build the image around @data (ownership passes on success). */
static int image_new(const char *name, const char *dir, uint8_t *data,
		     size_t size, struct rproc_os_fw **out)
{
	size_t nlen = strlen(name), dlen = strlen(dir);
	bool root = dlen == 1; /* "/" needs no separator */
	struct fw_image *img;
	char *path;

	img = rproc_malloc(sizeof(*img) + nlen + 1 + dlen + 1 + nlen + 1);
	if (!img)
		return -ENOMEM;
	memcpy(img->strings, name, nlen + 1);
	path = img->strings + nlen + 1;
	memcpy(path, dir, dlen);
	if (!root)
		path[dlen++] = '/';
	memcpy(path + dlen, name, nlen + 1);
	img->fw.data = data;
	img->fw.size = size;
	img->fw.name = img->strings;
	img->fw.path = path;
	*out = &img->fw;
	return 0;
}

int rproc_os__fw_load(const char *dir, const char *name, unsigned int flags,
		      struct rproc_os_fw **out)
{
	uint8_t *data = NULL;
	size_t size = 0;
	int dfd, fd, ret, writers = 1;

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	fd = open_beneath(dfd, name);
	close(dfd);
	if (fd < 0)
		return fd;

	if (flags & RPROC_OS__FW_NO_WRITERS) {
		writers = check_writers(fd);
		if (writers < 0 ||
		    (writers == 0 && (flags & RPROC_OS__FW_PROVEN))) {
			ret = -EBUSY;
			goto close_fd;
		}
	}
	ret = read_whole(fd, &data, &size);
	if (ret)
		goto close_fd;
	/* A writer that opened it while we read: wait for its close. */
	if (writers > 0 && (flags & RPROC_OS__FW_NO_WRITERS) &&
	    check_writers(fd) < 0) {
		ret = -EBUSY;
		goto free_data;
	}
	ret = image_new(name, dir, data, size, out);
	if (ret)
		goto free_data;
	close(fd);
	return 0;

free_data:
	rproc_free(data);
close_fd:
	close(fd);
	return ret;
}

int rproc_os_fw_request(const char *name, struct rproc_os_fw **out)
{
	struct rproc_os__search_path *sp;
	size_t i;
	int ret;

	if (!out)
		return -EINVAL;
	ret = rproc_os__fw_name_check(name);
	if (ret)
		return ret;
	/* The first directory that holds the name decides, as in the
	 * kernel's loader: a later one is only tried when it is missing. */
	sp = rproc_os__search_path_get();
	ret = -ENOENT;
	for (i = 0; i < sp->ndirs; i++) {
		ret = rproc_os__fw_load(sp->dirs[i], name, 0, out);
		if (ret != -ENOENT && ret != -ENOTDIR)
			break;
		ret = -ENOENT;
	}
	rproc_os__search_path_put(sp);
	return ret;
}

void rproc_os_fw_release(struct rproc_os_fw *fw)
{
	if (!fw)
		return;
	rproc_free((void *)fw->data);
	rproc_free(fw);
}
