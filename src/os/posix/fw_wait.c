/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: waiting for a firmware file that appears later
 * (rproc_os_fw_wait / rproc_os_fw_wait_cancel), without polling loops.
 *
 * One watcher thread serves the whole process.  It is started by the first
 * wait and then lives as long as the process, blocked in poll() on:
 *   - an inotify descriptor,
 *   - /proc/self/mountinfo, which reports POLLPRI | POLLERR after any mount
 *     or unmount in our namespace (re-read from offset 0 afterwards),
 *   - an eventfd that wait() and cancel() write to wake it.
 *
 * Every waiter has one target per search directory: the directory that will
 * hold the file (search dir + the name's own directories) and the file's last
 * component.  The target is watched on that directory when it exists, else
 * on its nearest existing ancestor.  An inotify watch follows the inode, not
 * the path, so on every mount-table change, on any sign that a watched
 * directory went away, and when a missing component of a target appears in
 * the watched ancestor, the watcher "resolves" again: it re-adds a watch for
 * every target by path (which attaches to whatever file system is there now)
 * and drops the watches no target uses any more.  A watch that lands on an
 * ancestor is followed by a look at the component below: created between
 * the failed watch on it and the ancestor's, it sent its event to nobody,
 * so the watch starts again from the top.
 *
 * A waiter is looked at ("scanned": every target tried in search-path order)
 * when it is new, after every resolve, and when an event names its file in
 * the watched directory: IN_CLOSE_WRITE, IN_MOVED_TO or IN_CREATE.  Watches
 * are always in place before the scan that follows them, so a file is never
 * missed between a scan and its event.
 *
 * Half-written files.  A scan never delivers a file someone has open for
 * writing: the loader takes and drops a read lease, which the kernel refuses
 * while any writer exists (rproc_os__fw_load with RPROC_OS__FW_NO_WRITERS),
 * and checks again after reading.  Such a file is delivered on the writer's
 * IN_CLOSE_WRITE instead.  Where leases are not available (not the file's
 * owner without CAP_LEASE, leases disabled, a file system without them), a
 * scan caused only by IN_CREATE does not deliver (the close will follow);
 * scans caused by close, rename, a new waiter or a mount change do.
 *
 * Delivery and cancel.  All watcher state is guarded by one mutex, W.lock.
 * A waiter is WAITING, BUSY (the watcher is loading its file or running its
 * callback, both without the lock) or DONE.  Cancel takes the lock; if the
 * waiter is BUSY it sets @cancelled and sleeps on W.idle until the watcher
 * sets the waiter DONE.  The watcher checks @cancelled under the lock after
 * loading and before calling the callback, so a cancel that wins the lock
 * first prevents the call, and one that comes later waits for the callback
 * to return.  Either way, when cancel returns the callback is not running and
 * never will; then cancel frees the waiter, which the watcher no longer
 * touches once it is DONE.
 *
 * Allocation: waiters are allocated with rproc_malloc() (they belong to a
 * request); the watcher's own table of watch descriptors uses
 * rproc_os_malloc() and stays reachable from W until exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os_posix.h"
#include "rproc/alloc.h"
#include "rproc/os.h"

/* IN_UNMOUNT, IN_IGNORED and IN_Q_OVERFLOW are always reported. */
#define WATCH_MASK                                                             \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |            \
	 IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_GONE (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)

enum waiter_state {
	WAITER_WAITING, /* on W.waiters */
	WAITER_BUSY,	/* the watcher is loading or calling back, unlocked */
	WAITER_DONE,	/* off the list; the watcher will not touch it again */
};

/* Where one search directory would hold the file. */
struct fw_target {
	const char *dir;    /* search directory */
	const char *parent; /* directory that holds the file */
	const char *base;   /* the file's last component */
	size_t parent_len;
	int wd;		    /* watch on @parent or an ancestor; -1: none */
	size_t watched_len; /* length of the watched prefix of @parent */
};

struct rproc_os_fw_waiter {
	struct rproc_os_fw_waiter *next; /* W.waiters, while WAITING */
	const char *name;
	rproc_os_fw_cb cb;
	void *ctx;
	/* All below guarded by W.lock. */
	enum waiter_state state;
	bool cancelled;	 /* cancel came while BUSY: do not call back */
	bool free_after; /* cancelled from its own callback */
	bool scan;	 /* try the files at the next chance */
	bool scan_weak;	 /* ...only because of IN_CREATE (see top) */
	int err;	 /* waiting became impossible: report this */
	size_t ntargets;
	struct fw_target targets[];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* a waiter left BUSY */
	bool started;
	int setup_err; /* inotify or mountinfo unusable: fail every waiter */
	int ifd, mfd, efd;
	bool resolve; /* re-add every watch before the next scan */
	struct rproc_os_fw_waiter *waiters;
	struct rproc_os_fw_waiter *calling; /* callback running for it */
	int *wds; /* watches we hold, to drop the unused ones */
	size_t nwds, wds_cap;
} W = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.ifd = -1,
	.mfd = -1,
	.efd = -1,
};

static _Thread_local bool on_watcher;

static void watcher_wake(void)
{
	uint64_t one = 1;

	while (write(W.efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* ---- waiter list ---------------------------------------------------------- */

static void waiter_unlink(struct rproc_os_fw_waiter *w)
{
	struct rproc_os_fw_waiter **pp;

	for (pp = &W.waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			w->next = NULL;
			return;
		}
	}
}

static void waiter_mark(struct rproc_os_fw_waiter *w, bool weak)
{
	if (!w->scan)
		w->scan_weak = weak;
	else if (!weak)
		w->scan_weak = false;
	w->scan = true;
}

static void mark_all(void)
{
	struct rproc_os_fw_waiter *w;

	for (w = W.waiters; w; w = w->next)
		waiter_mark(w, false);
}

/* ---- watches -------------------------------------------------------------- */

static void wd_remember(int wd);

/* Does the component of @t's directory below its prefix of @len bytes
 * exist? */
static bool next_exists(const struct fw_target *t, size_t len)
{
	char path[PATH_MAX];
	size_t end = len;
	struct stat st;

	if (t->parent[end] == '/')
		end++;
	end += strcspn(t->parent + end, "/");
	memcpy(path, t->parent, end);
	path[end] = '\0';
	return !stat(path, &st);
}

/*
 * Watch @t's directory, or its nearest existing ancestor.  On an ancestor,
 * the component below may have been created between our look for it and
 * the watch (its event went to nobody): if it exists now, start again from
 * the top.  The ancestor's watch is remembered, so that resolve_all()
 * drops it when unused.
 */
static int target_watch(struct fw_target *t)
{
	char path[PATH_MAX];
	size_t len;
	int wd, tries = 0;

again:
	len = t->parent_len;
	memcpy(path, t->parent, len + 1);
	for (;;) {
		wd = inotify_add_watch(W.ifd, path, WATCH_MASK);
		if (wd >= 0) {
			if (len < t->parent_len && tries++ < 8 &&
			    next_exists(t, len)) {
				wd_remember(wd);
				goto again;
			}
			t->wd = wd;
			t->watched_len = len;
			return 0;
		}
		if ((errno != ENOENT && errno != ENOTDIR) || len <= 1)
			return -errno;
		/* Drop the last component: "/a/b" -> "/a" -> "/". */
		while (len > 1 && path[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
		path[len] = '\0';
	}
}

static bool wd_in_use(int wd)
{
	struct rproc_os_fw_waiter *w;
	size_t i;

	for (w = W.waiters; w; w = w->next)
		for (i = 0; i < w->ntargets; i++)
			if (w->targets[i].wd == wd)
				return true;
	return false;
}

/* Remember @wd in W.wds.  If the table cannot grow, the watch is simply
 * never dropped: harmless. */
static void wd_remember(int wd)
{
	size_t i;

	for (i = 0; i < W.nwds; i++)
		if (W.wds[i] == wd)
			return;
	if (W.nwds == W.wds_cap) {
		size_t cap = W.wds_cap ? 2 * W.wds_cap : 16;
		int *wds = rproc_os_malloc(cap * sizeof(*wds));

		if (!wds)
			return;
		if (W.nwds)
			memcpy(wds, W.wds, W.nwds * sizeof(*wds));
		rproc_os_free(W.wds);
		W.wds = wds;
		W.wds_cap = cap;
	}
	W.wds[W.nwds++] = wd;
}

/* Re-add every target's watch by path and drop the watches left unused.
 * W.lock held. */
static void resolve_all(void)
{
	struct rproc_os_fw_waiter *w;
	size_t i, kept = 0;

	for (w = W.waiters; w; w = w->next) {
		for (i = 0; i < w->ntargets; i++) {
			struct fw_target *t = &w->targets[i];
			int ret = target_watch(t);

			if (ret) {
				t->wd = -1;
				if (!w->err) {
					rproc_os__logf(RPROC_LOG_ERR,
						       "cannot watch %s: %s",
						       t->parent,
						       strerror(-ret));
					w->err = ret;
				}
				continue;
			}
			wd_remember(t->wd);
		}
		/* A directory may have appeared with the file in it. */
		waiter_mark(w, false);
	}
	for (i = 0; i < W.nwds; i++) {
		if (wd_in_use(W.wds[i]))
			W.wds[kept++] = W.wds[i];
		else
			inotify_rm_watch(W.ifd, W.wds[i]);
	}
	W.nwds = kept;
}

/* ---- events --------------------------------------------------------------- */

/* Is @name the next missing component of @t below its watched ancestor? */
static bool is_next_component(const struct fw_target *t, const char *name)
{
	const char *comp = t->parent + t->watched_len;
	size_t clen;

	if (*comp == '/')
		comp++;
	clen = strcspn(comp, "/");
	return clen && strlen(name) == clen && !memcmp(comp, name, clen);
}

/* Classify one inotify event.  W.lock held. */
static void handle_event(const struct inotify_event *ev)
{
	struct rproc_os_fw_waiter *w;
	size_t i;

	if (ev->mask & IN_Q_OVERFLOW) {
		W.resolve = true;
		mark_all();
		return;
	}
	for (w = W.waiters; w; w = w->next) {
		for (i = 0; i < w->ntargets; i++) {
			const struct fw_target *t = &w->targets[i];

			if (t->wd != ev->wd)
				continue;
			if (ev->mask & WATCH_GONE) {
				W.resolve = true;
			} else if (!ev->len) {
				continue;
			} else if (t->watched_len < t->parent_len) {
				if (is_next_component(t, ev->name))
					W.resolve = true;
			} else if (!strcmp(ev->name, t->base)) {
				if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
					waiter_mark(w, false);
				else if (ev->mask & IN_CREATE)
					waiter_mark(w, true);
			}
		}
	}
}

static void read_events(void)
{
	char buf[8192]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;
	char *p;

	for (;;) {
		len = read(W.ifd, buf, sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return;
		pthread_mutex_lock(&W.lock);
		for (p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const void *)p;

			handle_event(ev);
			p += sizeof(*ev) + ev->len;
		}
		pthread_mutex_unlock(&W.lock);
	}
}

/* Read the mount table to its end: this re-arms its POLLPRI. */
static void mountinfo_drain(void)
{
	char buf[4096];
	ssize_t n;

	if (lseek(W.mfd, 0, SEEK_SET) < 0)
		return;
	do {
		n = read(W.mfd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
}

/* ---- delivery ------------------------------------------------------------- */

/*
 * Try @w's targets in search-path order.  Returns 0 and *@fw, 1 when no
 * complete file is there yet, or a negative code that ends the wait.
 */
static int waiter_load(struct rproc_os_fw_waiter *w, bool weak,
		       struct rproc_os_fw **fw)
{
	unsigned int flags = RPROC_OS__FW_NO_WRITERS;
	size_t i;
	int ret;

	if (weak)
		flags |= RPROC_OS__FW_PROVEN;
	for (i = 0; i < w->ntargets; i++) {
		ret = rproc_os__fw_load(w->targets[i].dir, w->name, flags, fw);
		switch (ret) {
		case 0:
			return 0;
		case -ENOENT:
		case -ENOTDIR:
		case -EBUSY:  /* being written: its close will tell */
		case -EAGAIN: /* changed while read: an event will follow */
		case -EINVAL: /* not a regular file (yet) */
		case -EACCES: /* may be fixed by chmod */
		case -ELOOP:
			continue;
		default:
			return ret;
		}
	}
	return 1;
}

/*
 * Scan @w and deliver if its file (or an error) is there.  Called and returns
 * with W.lock held; drops it while loading and calling back, with @w BUSY.
 */
static void waiter_try(struct rproc_os_fw_waiter *w)
{
	struct rproc_os_fw *fw = NULL;
	bool weak = w->scan_weak;
	int ret = w->err;

	w->scan = false;
	w->state = WAITER_BUSY;
	pthread_mutex_unlock(&W.lock);
	if (!ret)
		ret = waiter_load(w, weak, &fw);
	pthread_mutex_lock(&W.lock);

	if (ret == 1 && !w->cancelled) {
		w->state = WAITER_WAITING;
		return;
	}
	waiter_unlink(w);
	W.resolve = true; /* its watches may be unused now */
	if (!w->cancelled && ret != 1) {
		W.calling = w;
		pthread_mutex_unlock(&W.lock);
		w->cb(w->ctx, ret ? NULL : fw, ret);
		fw = NULL; /* the callback owns it */
		pthread_mutex_lock(&W.lock);
		W.calling = NULL;
	}
	rproc_os_fw_release(fw);
	w->state = WAITER_DONE;
	pthread_cond_broadcast(&W.idle);
	if (w->free_after) {
		pthread_mutex_unlock(&W.lock);
		rproc_free(w);
		pthread_mutex_lock(&W.lock);
	}
}

/* Resolve when asked, then scan every marked waiter.  W.lock held. */
static void watcher_work(void)
{
	struct rproc_os_fw_waiter *w;

	for (;;) {
		/* Watches before scans, so nothing slips between them. */
		if (W.resolve && W.ifd >= 0) {
			W.resolve = false;
			resolve_all();
		}
		for (w = W.waiters; w; w = w->next)
			if (w->scan && w->state == WAITER_WAITING)
				break;
		if (!w)
			return;
		waiter_try(w);
	}
}

static void *watcher_main(void *arg)
{
	(void)arg;
	on_watcher = true;
	pthread_mutex_lock(&W.lock);
	for (;;) {
		struct pollfd pfd[3] = {
			{.fd = W.efd, .events = POLLIN},
			{.fd = W.ifd, .events = POLLIN},
			{.fd = W.mfd, .events = POLLPRI},
		};
		uint64_t count;

		watcher_work();
		pthread_mutex_unlock(&W.lock);

		if (poll(pfd, 3, -1) < 0) {
			/* EINTR cannot happen (signals are blocked); ENOMEM
			 * is transient: try again. */
			pthread_mutex_lock(&W.lock);
			continue;
		}
		if (pfd[0].revents & POLLIN)
			while (read(W.efd, &count, sizeof(count)) < 0 &&
			       errno == EINTR)
				;
		if (pfd[2].revents & (POLLPRI | POLLERR)) {
			mountinfo_drain();
			pthread_mutex_lock(&W.lock);
			W.resolve = true;
			pthread_mutex_unlock(&W.lock);
		}
		if (pfd[1].revents & POLLIN)
			read_events();
		pthread_mutex_lock(&W.lock);
		if (W.setup_err) {
			struct rproc_os_fw_waiter *w;

			for (w = W.waiters; w; w = w->next) {
				w->err = W.setup_err;
				waiter_mark(w, false);
			}
		}
	}
	return NULL;
}

/*
 * Open the descriptors and start the thread.  W.lock held.  Only a missing
 * eventfd or thread fails the wait itself; an unusable inotify or mount
 * table is reported to each waiter's callback (W.setup_err).
 */
static int watcher_start(void)
{
	pthread_t thread;
	int ret;

	W.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (W.efd < 0)
		return -errno;
	W.ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (W.ifd < 0) {
		W.setup_err = -errno;
		rproc_os__logf(RPROC_LOG_ERR, "inotify: %s", strerror(errno));
	}
	W.mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (W.mfd < 0) {
		if (!W.setup_err)
			W.setup_err = -errno;
		rproc_os__logf(RPROC_LOG_ERR, "/proc/self/mountinfo: %s",
			       strerror(errno));
	} else {
		mountinfo_drain();
	}
	ret = rproc_os__thread_start(&thread, watcher_main, NULL,
				     "rproc-fw-watch");
	if (ret) {
		if (W.mfd >= 0)
			close(W.mfd);
		if (W.ifd >= 0)
			close(W.ifd);
		close(W.efd);
		W.mfd = W.ifd = W.efd = -1;
		W.setup_err = 0;
		return ret;
	}
	/* Never joined: it lives as long as the process. */
	pthread_detach(thread);
	W.started = true;
	return 0;
}

/* ---- API ------------------------------------------------------------------ */

/*
 * One allocation: the waiter, its targets, the name, and per target the
 * search directory and the directory that would hold the file.
 */
static struct rproc_os_fw_waiter *
waiter_new(const char *name, const struct rproc_os__search_path *sp)
{
	const char *slash = strrchr(name, '/');
	size_t nlen = strlen(name), sub = slash ? (size_t)(slash - name) : 0;
	size_t size, i;
	struct rproc_os_fw_waiter *w;
	char *p;

	size = sizeof(*w) + sp->ndirs * sizeof(w->targets[0]) + nlen + 1;
	for (i = 0; i < sp->ndirs; i++)
		size += 2 * (strlen(sp->dirs[i]) + 1) + 1 + sub;
	w = rproc_zalloc(size);
	if (!w)
		return NULL;
	p = (char *)&w->targets[sp->ndirs];
	memcpy(p, name, nlen + 1);
	w->name = p;
	p += nlen + 1;
	w->ntargets = sp->ndirs;
	for (i = 0; i < sp->ndirs; i++) {
		struct fw_target *t = &w->targets[i];
		size_t dlen = strlen(sp->dirs[i]);
		char *parent;

		memcpy(p, sp->dirs[i], dlen + 1);
		t->dir = p;
		p += dlen + 1;
		parent = p;
		memcpy(parent, sp->dirs[i], dlen);
		if (sub) {
			if (dlen > 1)
				parent[dlen++] = '/';
			memcpy(parent + dlen, name, sub);
			dlen += sub;
		}
		parent[dlen] = '\0';
		p += dlen + 1;
		t->parent = parent;
		t->parent_len = dlen;
		t->base = slash ? w->name + sub + 1 : w->name;
		t->wd = -1;
	}
	return w;
}

int rproc_os_fw_wait(const char *name, rproc_os_fw_cb cb, void *ctx,
		     struct rproc_os_fw_waiter **out)
{
	struct rproc_os__search_path *sp;
	struct rproc_os_fw_waiter *w, **tail;
	int ret;

	if (!cb || !out)
		return -EINVAL;
	ret = rproc_os__fw_name_check(name);
	if (ret)
		return ret;
	sp = rproc_os__search_path_get();
	w = waiter_new(name, sp);
	rproc_os__search_path_put(sp);
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->ctx = ctx;
	w->state = WAITER_WAITING;

	pthread_mutex_lock(&W.lock);
	if (!W.started) {
		ret = watcher_start();
		if (ret) {
			pthread_mutex_unlock(&W.lock);
			rproc_free(w);
			return ret;
		}
	}
	w->err = W.setup_err;
	waiter_mark(w, false);
	W.resolve = true;
	*out = w;
	for (tail = &W.waiters; *tail; tail = &(*tail)->next)
		;
	*tail = w;
	pthread_mutex_unlock(&W.lock);
	watcher_wake();
	return 0;
}

void rproc_os_fw_wait_cancel(struct rproc_os_fw_waiter *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&W.lock);
	if (on_watcher && W.calling == w) {
		/* From its own callback (os.h forbids it): waiting for the
		 * callback to return would deadlock; free it afterwards. */
		rproc_os_log(RPROC_LOG_ERR,
			     "rproc_os_fw_wait_cancel() called from the "
			     "waiter's callback");
		w->cancelled = true;
		w->free_after = true;
		pthread_mutex_unlock(&W.lock);
		return;
	}
	while (w->state == WAITER_BUSY) {
		w->cancelled = true;
		pthread_cond_wait(&W.idle, &W.lock);
	}
	if (w->state == WAITER_WAITING) {
		waiter_unlink(w);
		w->state = WAITER_DONE;
		W.resolve = true; /* drop its watches */
	}
	pthread_mutex_unlock(&W.lock);
	watcher_wake();
	rproc_free(w);
}
