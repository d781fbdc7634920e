/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Doorbells of the native remote, one struct native_bell per direction
 * (native_internal.h says how bits and wake-ups pair up).  The eventfd is
 * the stand-in for an interrupt: in a real deployment the remote -> host
 * one is the mailbox's UIO fd (read() blocks until the interrupt, which
 * tells nothing about which id: look at every queue, or read the
 * mailbox's FIFO), and host -> remote is a store to the mailbox register.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "native_internal.h"

int __native_bell_init(struct native_bell *b, bool wakeups)
{
	atomic_init(&b->bits, 0);
	atomic_init(&b->rung, 0);
	b->fd = -1;
	if (!wakeups)
		return 0;
	b->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return b->fd < 0 ? -errno : 0;
}

void __native_bell_fini(struct native_bell *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

uint64_t __native_bell_bit(uint32_t notifyid)
{
	return 1ull << (notifyid < RPROC_NATIVE_BELL_ALL
				? notifyid
				: RPROC_NATIVE_BELL_ALL);
}

void __native_bell_wake(struct native_bell *b)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is full, the sleeper wakes anyway */
	if (b->fd >= 0 && write(b->fd, &one, sizeof(one)) < 0)
		(void)0;
}

void __native_bell_ring(struct native_bell *b, uint32_t notifyid)
{
	uint64_t bit = __native_bell_bit(notifyid), old;

	atomic_fetch_add_explicit(&b->rung, 1, memory_order_relaxed);
	if (b->fd < 0) {
		if (!(atomic_load_explicit(&b->bits, memory_order_relaxed) &
		      bit))
			atomic_fetch_or(&b->bits, bit);
		return;
	}
	old = atomic_fetch_or(&b->bits, bit);
	if (!old)
		__native_bell_wake(b);
}

uint64_t __native_bell_take(struct native_bell *b)
{
	if (!atomic_load_explicit(&b->bits, memory_order_relaxed))
		return 0;
	return atomic_exchange(&b->bits, 0);
}

void __native_bell_sleep(struct native_bell *b, int64_t timeout_ns)
{
	struct pollfd pfd = {.fd = b->fd, .events = POLLIN};
	struct timespec ts, *tsp = NULL;
	uint64_t v;

	if (b->fd < 0)
		return;
	if (timeout_ns >= 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000);
		ts.tv_nsec = (long)(timeout_ns % 1000000000);
		tsp = &ts;
	}
	if (ppoll(&pfd, 1, tsp, NULL) > 0 &&
	    read(b->fd, &v, sizeof(v)) < 0) /* raced with another reader */
		(void)0;
}
