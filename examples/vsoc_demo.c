/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `make demo`: the virtual SoC of boards/vsoc.dts with real Cortex-M4 and
 * RV32 firmware.
 *
 *   1. open the board: two remotes that boot by themselves (always-on) and
 *      one the boot ROM started at power-on;
 *   2. add them: m4 and rv boot, aon is attached; show their resources and
 *      trace output, ping them through the mailbox;
 *   3. crash the m4 (a NULL function call three calls deep), watch it
 *      recover, and print gdb's backtrace from the coredump;
 *   4. rpmsg with the rv: the echo firmware announces "rpmsg-echo" (name
 *      service), the host echoes messages over four endpoints; the rv
 *      crashes in the middle of the traffic, the senders get -ENOTCONN,
 *      recovery brings the channel back;
 *   5. detach from aon (it keeps running), attach again;
 *   6. shut everything down.
 *
 * Usage: vsoc_demo [board.dtb [firmware-dir [dump-dir]]]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rpfw/proto.h"
#include "rproc/coredump.h"
#include "rproc/driver.h"
#include "rproc/os.h"
#include "rproc/rpmsg.h"
#include "rproc/rproc.h"
#include "rproc/vsoc.h"

static const char *dump_dir = "build/demo";

/* ---- mailbox replies ------------------------------------------------------ */

struct inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t last[16];
	unsigned n;
};

static void on_word(void *ctx, uint32_t w)
{
	struct inbox *in = ctx;

	pthread_mutex_lock(&in->lock);
	in->last[in->n++ % 16] = w;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

static bool wait_word(struct inbox *in, uint32_t w, int ms)
{
	struct timespec ts;
	bool found = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000 + 1;
	pthread_mutex_lock(&in->lock);
	while (!found) {
		for (unsigned i = 0; i < 16 && !found; i++)
			found = in->last[i] == w;
		if (!found && pthread_cond_timedwait(&in->cond, &in->lock,
						     &ts) == ETIMEDOUT)
			break;
	}
	memset(in->last, 0, sizeof(in->last));
	pthread_mutex_unlock(&in->lock);
	return found;
}

/* ---- output --------------------------------------------------------------- */

static void step(const char *title)
{
	printf("\n== %s\n", title);
}

static int print_rsc(void *ctx, const struct rproc_resource *r)
{
	static const char *const src[] = {"fw", "board", "api", "core"};
	char from[32] = "";

	(void)ctx;
	for (int s = 0; s < 4; s++)
		if (r->sources & (1u << s))
			snprintf(from + strlen(from),
				 sizeof(from) - strlen(from), "%s%s",
				 from[0] ? "+" : "", src[s]);
	if (r->d.type == RSC_VDEV) {
		printf("     %-9s %-12s (virtio id %u)  from %s\n", "vdev",
		       r->d.name, (unsigned)r->d.vdev.id, from);
		return 0;
	}
	printf("     %-9s %-12s da 0x%08" PRIx64 "  pa 0x%08" PRIx64
	       "  0x%06" PRIx64 " bytes  from %s\n",
	       rproc_rsc_type_name(r->d.type), r->d.name, r->d.da,
	       r->d.pa == RPROC_ANY ? 0 : r->d.pa, r->d.len, from);
	return 0;
}

static void print_trace(struct rproc *r)
{
	char buf[4096];
	int n = rproc_trace_read(r, 0, buf, sizeof(buf) - 1);

	if (n < 0) {
		printf("   (no trace: %s)\n", rproc_strerror(n));
		return;
	}
	buf[n] = '\0';
	printf("   trace of %s:\n", rproc_name(r));
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		printf("     | %s\n", line);
}

static void print_state(struct rproc *r)
{
	char fw[128] = "";

	rproc_get_firmware(r, fw, sizeof(fw));
	printf("   %-4s %-9s %-10s firmware %-16s crashes %u\n", rproc_name(r),
	       vsoc_arch_name(r), rproc_state_name(rproc_state_get(r)), fw,
	       (unsigned)rproc_crash_count(r));
}

static void die(const char *what, int err, struct rproc *r)
{
	char msg[256] = "";

	if (r)
		rproc_last_error(r, msg, sizeof(msg));
	fprintf(stderr, "vsoc_demo: %s: %s%s%s\n", what, rproc_strerror(err),
		msg[0] ? ": " : "", msg);
	exit(1);
}

static void ping(struct rproc *r, struct inbox *in, uint32_t n)
{
	int ret = vsoc_mbox_send(r, RPFW_WORD(RPFW_CMD_PING, n));

	if (ret)
		die("mailbox send", ret, r);
	if (!wait_word(in, RPFW_MSG_PONG | n, 3000))
		die("no pong", -ETIMEDOUT, r);
	printf("   %s: ping %u -> pong %u (mailbox interrupt, both ways)\n",
	       rproc_name(r), (unsigned)n, (unsigned)n);
}

/* ---- coredumps ------------------------------------------------------------ */

static int open_dump(void *ctx, struct rproc *r, uint32_t count,
		     struct rproc_dump_sink *sink)
{
	char path[512];

	(void)ctx;
	snprintf(path, sizeof(path), "%s/%s-%u.core", dump_dir, rproc_name(r),
		 (unsigned)count);
	return rproc_dump_sink_file(sink, path);
}

static void gdb_bt(const char *elf, const char *core)
{
	char cmd[8500], line[512], prev[512] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "gdb-multiarch -nx -batch -ex bt '%s' '%s' 2>&1", elf, core);
	printf("   $ gdb-multiarch -batch -ex bt %s %s\n", elf, core);
	p = popen(cmd, "r");
	if (!p)
		return;
	/* gdb prints frame #0 when it loads the core, then bt: once */
	while (fgets(line, sizeof(line), p)) {
		if ((line[0] == '#' || strstr(line, "terminated")) &&
		    strcmp(line, prev))
			printf("     | %s", line);
		snprintf(prev, sizeof(prev), "%s", line);
	}
	pclose(p);
}

static bool wait_file(const char *path, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		if (!access(path, R_OK))
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- rpmsg ------------------------------------------------------------------ */

struct bus_events {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rpmsg_device *rdev;
	uint32_t echo_addr;
	int channels, downs, down_reason;
};

static void ev_up(void *ctx, struct rpmsg_device *rdev)
{
	struct bus_events *ev = ctx;

	pthread_mutex_lock(&ev->lock);
	ev->rdev = rdev;
	pthread_mutex_unlock(&ev->lock);
	printf("   rpmsg: vdev%u up: features 0x%x, mtu %zu bytes each way\n",
	       rpmsg_device_index(rdev), (unsigned)rpmsg_device_features(rdev),
	       rpmsg_device_mtu(rdev));
}

static void ev_down(void *ctx, struct rpmsg_device *rdev, int reason)
{
	struct bus_events *ev = ctx;

	printf("   rpmsg: vdev%u down: %s\n", rpmsg_device_index(rdev),
	       rproc_strerror(reason));
	pthread_mutex_lock(&ev->lock);
	ev->downs++;
	ev->down_reason = reason;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

static void ev_channel(void *ctx, struct rpmsg_device *rdev, const char *name,
		       uint32_t addr)
{
	struct bus_events *ev = ctx;

	(void)rdev;
	printf("   rpmsg: the remote announced \"%s\" at address %u\n", name,
	       (unsigned)addr);
	pthread_mutex_lock(&ev->lock);
	if (!strcmp(name, "rpmsg-echo"))
		ev->echo_addr = addr;
	ev->channels++;
	pthread_cond_broadcast(&ev->cond);
	pthread_mutex_unlock(&ev->lock);
}

static bool ev_wait(struct bus_events *ev, int *field, int value, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000 + 1;
	pthread_mutex_lock(&ev->lock);
	while (*field < value &&
	       pthread_cond_timedwait(&ev->cond, &ev->lock, &ts) != ETIMEDOUT)
		;
	ms = *field >= value;
	pthread_mutex_unlock(&ev->lock);
	return ms;
}

struct echo_ept {
	struct rpmsg_endpoint *ept;
	pthread_t th;
	int ret;
	unsigned sent;
	_Atomic unsigned echoed;
};

static int echo_rx(struct rpmsg_endpoint *ept, void *data, size_t len,
		   uint32_t src, void *priv)
{
	struct echo_ept *e = priv;

	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	e->echoed++;
	return 0;
}

static void *echo_sender(void *arg)
{
	struct echo_ept *e = arg;
	char msg[64];

	for (;;) {
		int n = snprintf(msg, sizeof(msg), "message %u", e->sent);

		e->ret = rpmsg_send(e->ept, msg, (size_t)n + 1);
		if (e->ret)
			break;
		e->sent++;
	}
	return NULL;
}

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Step 4 on the rv, which runs echo-rv32.elf with @bus attached. */
static void rpmsg_demo(struct rproc *rv, struct bus_events *ev)
{
	struct echo_ept e[4];
	struct timespec t0, t1;
	unsigned total = 0;

	for (int i = 0; i < 4; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		if (rpmsg_create_ept(ev->rdev, NULL, RPMSG_ADDR_ANY,
				     ev->echo_addr, echo_rx, NULL, &e[i],
				     &e[i].ept))
			die("rpmsg endpoint", -ENOMEM, rv);
	}
	printf("   4 host endpoints (addresses %u..%u) echo through "
	       "\"rpmsg-echo\"; let them run 200 ms ...\n",
	       (unsigned)rpmsg_ept_addr(e[0].ept),
	       (unsigned)rpmsg_ept_addr(e[3].ept));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 4; i++)
		pthread_create(&e[i].th, NULL, echo_sender, &e[i]);
	usleep(200 * 1000);
	printf("   ... and crash the rv (a store to an unmapped address in "
	       "its mailbox interrupt)\n");
	vsoc_mbox_send(rv, RPFW_WORD(RPFW_CMD_CRASH, 0));
	for (int i = 0; i < 4; i++) {
		pthread_join(e[i].th, NULL);
		total += e[i].echoed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("   %u messages echoed in %.2f s (%.0f round trips/s through "
	       "the "
	       "emulated RV32); every sender then got %s\n",
	       total, secs(&t0, &t1), total / secs(&t0, &t1),
	       rproc_strerror(e[0].ret));
	for (int i = 0; i < 4; i++)
		rpmsg_destroy_ept(e[i].ept);
	if (!ev_wait(ev, &ev->channels, 2, 5000))
		die("rpmsg after recovery", -ETIMEDOUT, rv);
	print_state(rv);
	if (rpmsg_create_ept(ev->rdev, NULL, RPMSG_ADDR_ANY, ev->echo_addr,
			     echo_rx, NULL, &e[0], &e[0].ept))
		die("rpmsg endpoint", -ENOMEM, rv);
	e[0].echoed = 0;
	for (unsigned i = 0; i < 100; i++)
		rpmsg_send(e[0].ept, "again", 6);
	for (int w = 0; w < 5000 && e[0].echoed < 100; w++)
		usleep(1000);
	printf("   after recovery: 100 messages sent, %u echoed\n",
	       e[0].echoed);
	rpmsg_destroy_ept(e[0].ept);
}

int main(int argc, char **argv)
{
	const char *dtb = argc > 1 ? argv[1] : DEMO_BOARD;
	const char *fwarg = argc > 2 ? argv[2] : DEMO_FW_DIR;
	char fwdir[4096];
	struct rproc_diag d = {{0}};
	struct vsoc_board *b;
	struct rproc *m4, *rv, *aon;
	struct inbox in[3];
	char elf[4200], core[4200], fault[160];
	static const struct rpmsg_bus_ops bus_ops = {
		.device_up = ev_up,
		.device_down = ev_down,
		.channel_up = ev_channel,
	};
	struct bus_events ev = {.lock = PTHREAD_MUTEX_INITIALIZER,
				.cond = PTHREAD_COND_INITIALIZER};
	struct rproc_rpmsg *bus;
	int ret;

	if (argc > 3)
		dump_dir = argv[3];
	mkdir(dump_dir, 0755);
	/* the search path wants absolute directories */
	if (!realpath(fwarg, fwdir)) {
		perror(fwarg);
		return 1;
	}
	rproc_os_fw_set_search_path(fwdir);

	step("1. open the board");
	ret = vsoc_board_open(dtb, &b, &d);
	if (ret) {
		fprintf(stderr, "vsoc_demo: %s\n", d.msg);
		return 1;
	}
	printf("   %s: %zu remote cores (%s), firmware from %s\n",
	       vsoc_board_model(b), vsoc_board_count(b), dtb, fwdir);
	m4 = vsoc_board_find(b, "m4");
	rv = vsoc_board_find(b, "rv");
	aon = vsoc_board_find(b, "aon");
	if (!m4 || !rv || !aon) {
		fprintf(stderr, "vsoc_demo: the board lacks m4, rv or aon\n");
		return 1;
	}
	for (int i = 0; i < 3; i++) {
		struct rproc *r = vsoc_board_rproc(b, (size_t)i);

		pthread_mutex_init(&in[i].lock, NULL);
		pthread_cond_init(&in[i].cond, NULL);
		in[i].n = 0;
		memset(in[i].last, 0, sizeof(in[i].last));
		vsoc_set_host_rx(r, on_word, &in[i]);
		rproc_set_dump_sink(r, open_dump, NULL);
		print_state(r);
	}
	printf("   (aon was started by the boot ROM: it runs, the host has "
	       "not attached)\n");

	step("2. add the remotes: m4 and rv boot (always-on), aon is attached");
	ret = vsoc_board_add(b);
	if (ret)
		die("add", ret, NULL);
	if (!wait_word(&in[0], RPFW_MSG_READY, 5000) ||
	    !wait_word(&in[1], RPFW_MSG_READY, 5000))
		die("boot", -ETIMEDOUT, NULL);
	rproc_wait_state(aon, RPROC_ATTACHED, 5000);
	for (int i = 0; i < 3; i++)
		print_state(vsoc_board_rproc(b, (size_t)i));
	printf("   resources of m4 (its shared memory is at pa 0x9000_0000, "
	       "the core sees it at 0x6000_0000):\n");
	rproc_resource_foreach(m4, print_rsc, NULL);
	ping(m4, &in[0], 1);
	ping(rv, &in[1], 2);
	ping(aon, &in[2], 3);
	print_trace(m4);
	print_trace(rv);
	print_trace(aon);

	step("3. crash the m4: a NULL function call, three calls deep");
	rproc_set_coredump(m4, RPROC_DUMP_INLINE);
	ret = rproc_ctl_stop(m4);
	if (ret)
		die("stop m4", ret, m4);
	ret = rproc_set_firmware(m4, "crash-m4.elf"); /* always-on: boots */
	if (ret || !wait_word(&in[0], RPFW_MSG_READY, 5000))
		die("boot crash-m4.elf", ret ? ret : -ETIMEDOUT, m4);
	print_state(m4);
	printf("   sending RPFW_CMD_CRASH(NULL_CALL) to m4 ...\n");
	vsoc_mbox_send(m4, RPFW_WORD(RPFW_CMD_CRASH, RPFW_CRASH_NULL_CALL));
	if (!wait_word(&in[0], RPFW_MSG_READY, 5000))
		die("recovery", -ETIMEDOUT, m4);
	vsoc_last_fault(m4, fault, sizeof(fault));
	printf("   crash detected: %s (%s); recovered, firmware restarted\n",
	       rproc_crash_name(rproc_last_crash(m4)), fault);
	print_state(m4);
	snprintf(core, sizeof(core), "%s/m4-1.core", dump_dir);
	snprintf(elf, sizeof(elf), "%s/crash-m4.elf", fwdir);
	if (!wait_file(core, 3000))
		die("coredump", -ENOENT, m4);
	printf("   coredump written: %s\n", core);
	gdb_bt(elf, core);

	step("4. rpmsg: the echo firmware on the rv, a crash mid-traffic");
	ret = rproc_ctl_stop(rv);
	if (ret)
		die("stop rv", ret, rv);
	ret = rproc_rpmsg_attach(rv, &bus_ops, &ev, &bus);
	if (ret)
		die("rpmsg attach", ret, rv);
	rproc_set_coredump(rv, RPROC_DUMP_DISABLED);
	ret = rproc_set_firmware(rv, "echo-rv32.elf"); /* always-on: boots */
	if (ret || !ev_wait(&ev, &ev.channels, 1, 5000))
		die("boot echo-rv32.elf", ret ? ret : -ETIMEDOUT, rv);
	print_state(rv);
	rpmsg_demo(rv, &ev);

	step("5. detach from aon (it keeps running), attach again");
	ret = rproc_detach(aon);
	if (ret)
		die("detach", ret, aon);
	print_state(aon);
	ping(aon, &in[2], 4);
	ret = rproc_ctl_start(aon);
	if (ret)
		die("attach", ret, aon);
	print_state(aon);
	print_trace(aon);

	step("6. shut down");
	rproc_ctl_stop(rv); /* the bus comes off an offline remote */
	rproc_rpmsg_detach(bus);
	vsoc_board_close(b);
	printf("   all remotes stopped, board closed.\n");
	return 0;
}
