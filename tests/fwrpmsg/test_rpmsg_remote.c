/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STATUS: done: readiness (DRIVER_OK, features, BUFSZ config, bad
 * configs), name service create/destroy, echo, batching and notification
 * suppression, polled receive, hostile messages and descriptors, hold and
 * release, zero copy, running out of buffers (vring0 kicks on/off),
 * endpoint addresses, delivery to each endpoint slot (a freed one gets
 * nothing), wait_ready, event idx, which kick does what (a vring1 kick
 * sends waiting announcements, a vring0 kick receives nothing), a failed
 * announcement freeing its slot, sends before ready.
 * Not done: two threads.
 *
 * fw_rpmsg_remote: the firmware's rpmsg remote (firmware/lib/rpmsg.c) built
 * for the host, driven by a minimal virtio driver written here over plain
 * memory: the vdev and carveout entries, two rings, a buffer pool at bus
 * address PA_BUF that the remote sees at DA_BUF (different, as on the
 * vsoc's m4).  The port hooks (rpfw/rpmsg_port.h) map the table's device
 * addresses to this memory and record notifications.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/rsc_table.h"
#include "rproc/virtio_abi.h"
#include "rpfw/rpmsg.h"
#include "rpfw/rpmsg_port.h"

#define NUM 8u /* entries per ring */
#define ALIGN 64u
#define BUF_SIZE 512u	     /* every buffer in the pool */
#define PA_BUF 0x90008000ull /* bus address */
#define DA_BUF 0x60008000u
#define DA_RING0 0x60000000u
#define DA_RING1 0x60004000u
#define ID_VDEV 0u
#define ID_TX 1u /* vring0 */
#define ID_RX 2u /* vring1 */
#define HOST_ADDR 0x400u

/* The vdev entry as it sits in a table: body, 2 vrings, config. */
struct vdev_entry {
	uint32_t id, notifyid, dfeatures, gfeatures, config_len;
	uint8_t status, num_of_vrings, reserved[2];
	struct fw_rsc_vdev_vring vring[2];
	struct rpmsg_virtio_config cfg;
} RPROC_RSC_PACKED;

struct host {
	struct vdev_entry vdev;
	struct fw_rsc_carveout shm;
	uint8_t *ring[2];
	uint8_t *buf; /* 2 * NUM buffers: host RX first, then host TX */
	uint16_t used_seen[2];
	uint16_t tx_free; /* bitmap of free host TX buffers */
	unsigned notified[3];
	unsigned idles;
	unsigned ok_after_idles; /* rpfw_port_idle sets DRIVER_OK then */
	struct rpfw_rpmsg rp;
};

static struct host *H;

/* ---- port hooks (rpfw/rpmsg_port.h, host defaults) ---------------------- */

void rpfw_port_notify(void *port, uint32_t notifyid)
{
	assert_ptr_equal(port, H);
	assert_true(notifyid < 3);
	H->notified[notifyid]++;
}

void *rpfw_port_da_to_va(void *port, uint32_t da)
{
	assert_ptr_equal(port, H);
	switch (da) {
	case DA_RING0:
		return H->ring[0];
	case DA_RING1:
		return H->ring[1];
	case DA_BUF:
		return H->buf;
	}
	return NULL;
}

void rpfw_port_idle(void)
{
	if (++H->idles == H->ok_after_idles)
		H->vdev.status |= VIRTIO_CONFIG_S_DRIVER_OK;
}

/* ---- the host's virtio driver ------------------------------------------- */

static struct vring_desc *desc(int q, uint32_t i)
{
	return (struct vring_desc *)H->ring[q] + i;
}

static struct vring_avail *avail(int q)
{
	return (void *)(H->ring[q] + vring_avail_offset(NUM));
}

static struct vring_used *used(int q)
{
	return (void *)(H->ring[q] + vring_used_offset(NUM, ALIGN));
}

static void avail_add(int q, uint16_t head)
{
	avail(q)->ring[avail(q)->idx % NUM] = head;
	avail(q)->idx++;
}

/* Host RX buffer @i (vring0): NUM of them at the start of the pool. */
static void rx_buf_give(uint32_t i)
{
	*desc(0, i) = (struct vring_desc){PA_BUF + BUF_SIZE * i, BUF_SIZE,
					  VRING_DESC_F_WRITE, 0};
	avail_add(0, (uint16_t)i);
}

static int setup(void **state)
{
	uint32_t i;

	(void)state;
	H = calloc(1, sizeof(*H));
	assert_non_null(H);
	for (i = 0; i < 2; i++) {
		H->ring[i] = calloc(1, vring_size(NUM, ALIGN));
		assert_non_null(H->ring[i]);
	}
	H->buf = calloc(2 * NUM, BUF_SIZE);
	assert_non_null(H->buf);
	/* stale bytes in the host's receive buffers: the remote must write
	 * every byte of what it sends (headers, name-service padding) */
	memset(H->buf, 0xA5, NUM * BUF_SIZE);
	H->vdev = (struct vdev_entry){
		.id = VIRTIO_ID_RPMSG,
		.notifyid = ID_VDEV,
		.dfeatures = (1u << VIRTIO_RPMSG_F_NS) |
			     (1u << VIRTIO_RPMSG_F_BUFSZ),
		.gfeatures = (1u << VIRTIO_RPMSG_F_NS) |
			     (1u << VIRTIO_RPMSG_F_BUFSZ),
		.config_len = sizeof(struct rpmsg_virtio_config),
		.num_of_vrings = 2,
		.vring = {{DA_RING0, ALIGN, NUM, ID_TX, 0},
			  {DA_RING1, ALIGN, NUM, ID_RX, 0}},
		.cfg = {BUF_SIZE, BUF_SIZE},
	};
	H->shm = (struct fw_rsc_carveout){.da = DA_BUF,
					  .pa = (uint32_t)PA_BUF,
					  .len = 2 * NUM * BUF_SIZE};
	H->tx_free = (1u << NUM) - 1;
	assert_int_equal(rpfw_rpmsg_init(&H->rp, (void *)&H->vdev, &H->shm, H),
			 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(H->ring[0]);
	free(H->ring[1]);
	free(H->buf);
	free(H);
	return 0;
}

static void go_ready(void)
{
	uint32_t i;

	for (i = 0; i < NUM; i++)
		rx_buf_give(i);
	H->vdev.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			 VIRTIO_CONFIG_S_DRIVER_OK;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), 1);
}

/* The next message the remote sent, or NULL; its buffer goes back. */
static struct rpmsg_hdr *host_recv(uint32_t *len)
{
	struct vring_used *u = used(0);
	struct vring_used_elem e;
	struct rpmsg_hdr *h;

	if (u->idx == H->used_seen[0])
		return NULL;
	e = u->ring[H->used_seen[0]++ % NUM];
	assert_true(e.id < NUM);
	assert_true(e.len >= sizeof(*h) && e.len <= BUF_SIZE);
	h = (void *)(H->buf + BUF_SIZE * e.id);
	assert_int_equal(h->len + sizeof(*h), e.len);
	*len = e.len;
	rx_buf_give(e.id);
	return h;
}

/* Queue a message for the remote (no kick); returns its head. */
static uint16_t host_queue(uint32_t src, uint32_t dst, const void *data,
			   uint32_t len, uint32_t desc_len)
{
	uint16_t j;
	struct rpmsg_hdr *h;

	/* reclaim what the remote gave back */
	while (used(1)->idx != H->used_seen[1]) {
		uint32_t id = used(1)->ring[H->used_seen[1]++ % NUM].id;

		assert_true(id < NUM);
		H->tx_free |= (uint16_t)(1u << id);
	}
	assert_true(H->tx_free != 0);
	j = (uint16_t)__builtin_ctz(H->tx_free);
	H->tx_free &= (uint16_t) ~(1u << j);
	h = (void *)(H->buf + BUF_SIZE * (NUM + j));
	h->src = src;
	h->dst = dst;
	h->reserved = 0;
	h->len = (uint16_t)len;
	h->flags = 0;
	memcpy(h->data, data, len);
	*desc(1, j) = (struct vring_desc){PA_BUF + BUF_SIZE * (NUM + j),
					  desc_len, 0, 0};
	avail_add(1, j);
	return j;
}

static int host_send(uint32_t src, uint32_t dst, const void *data, uint32_t len)
{
	host_queue(src, dst, data, len,
		   (uint32_t)sizeof(struct rpmsg_hdr) + len);
	return rpfw_rpmsg_notified(&H->rp, ID_RX);
}

/* ---- endpoints used by the tests ---------------------------------------- */

struct seen {
	unsigned calls;
	uint32_t src, len;
	uint8_t data[BUF_SIZE];
	int echo, hold;
	void *held;
};

static void record_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		      uint32_t src, void *priv)
{
	struct seen *s = priv;

	s->calls++;
	s->src = src;
	s->len = len;
	memcpy(s->data, data, len);
	if (s->echo)
		assert_int_equal(rpfw_rpmsg_send(ept, src, data, len), 0);
	if (s->hold) {
		rpfw_rpmsg_hold_rx_buffer(ept, data);
		s->held = data;
	}
}

static void expect_ns(const char *name, uint32_t addr, uint32_t flags)
{
	struct rpmsg_hdr *h;
	struct rpmsg_ns_msg m;
	uint32_t len;
	size_t i;

	h = host_recv(&len);
	assert_non_null(h);
	assert_int_equal(h->dst, RPMSG_NS_ADDR);
	assert_int_equal(h->src, addr);
	assert_int_equal(h->len, sizeof(m));
	memcpy(&m, h->data, sizeof(m));
	assert_int_equal(m.addr, addr);
	assert_int_equal(m.flags, flags);
	assert_int_equal(m.name[RPMSG_NAME_SIZE - 1], 0);
	assert_string_equal(m.name, name);
	/* NUL-padded, whatever the buffer held (setup fills them) */
	for (i = strlen(name); i < RPMSG_NAME_SIZE; i++)
		assert_int_equal(m.name[i], 0);
}

/* ---- tests -------------------------------------------------------------- */

static void before_ready(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	uint32_t size, len;

	(void)state;
	e = rpfw_rpmsg_create_ept(&H->rp, "early", RPMSG_ADDR_ANY, record_cb,
				  &s);
	assert_non_null(e);
	assert_int_equal(e->addr, RPMSG_RESERVED_ADDRESSES);
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), 0);
	assert_int_equal(rpfw_rpmsg_mtu(&H->rp), 0);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), RPFW_ENOENT);
	assert_int_equal(rpfw_rpmsg_poll(&H->rp), RPFW_ENODEV);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "x", 1), RPFW_ENODEV);
	assert_null(rpfw_rpmsg_get_tx_buffer(e, &size));
	/* DRIVER_OK: the early endpoint is announced now */
	go_ready();
	assert_int_equal(rpfw_rpmsg_mtu(&H->rp), BUF_SIZE - 16);
	expect_ns("early", RPMSG_RESERVED_ADDRESSES, RPMSG_NS_CREATE);
	assert_int_equal(H->notified[ID_TX], 1);
	/* ready once: no second announcement */
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), 1);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 0);
	assert_null(host_recv(&len));
	/* not our ids */
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_VDEV), RPFW_ENOENT);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, 0x01000005), RPFW_ENOENT);
}

static void echo(void **state)
{
	struct seen s = {.echo = 1};
	struct rpfw_rpmsg_ept *e;
	struct rpmsg_hdr *h;
	uint32_t len, i;
	char msg[32];

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, "rpmsg-echo", RPMSG_ADDR_ANY,
				  record_cb, &s);
	assert_non_null(e);
	expect_ns("rpmsg-echo", e->addr, RPMSG_NS_CREATE);
	for (i = 0; i < 3 * NUM; i++) {
		snprintf(msg, sizeof(msg), "hello %u", (unsigned)i);
		assert_int_equal(host_send(HOST_ADDR + i, e->addr, msg,
					   (uint32_t)strlen(msg)),
				 1);
		assert_int_equal(s.calls, i + 1);
		assert_int_equal(s.src, HOST_ADDR + i);
		assert_int_equal(s.len, strlen(msg));
		h = host_recv(&len);
		assert_non_null(h);
		assert_int_equal(h->src, e->addr);
		assert_int_equal(h->dst, HOST_ADDR + i);
		assert_int_equal(h->len, strlen(msg));
		assert_memory_equal(h->data, msg, strlen(msg));
	}
	/* the remote notified for every reply and every returned buffer */
	assert_int_equal(H->notified[ID_TX], 1 + 3 * NUM);
	assert_int_equal(H->notified[ID_RX], 3 * NUM);
	/* batch: several queued, one kick; each reply told at once (the
	 * host may need the buffers back before the drain ends), the four
	 * buffers given back once, at the end */
	for (i = 0; i < 4; i++)
		host_queue(HOST_ADDR, e->addr, "abcd", 4, 20);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 4);
	assert_int_equal(H->notified[ID_RX], 3 * NUM + 1);
	assert_int_equal(H->notified[ID_TX], 1 + 3 * NUM + 4);
	for (i = 0; i < 4; i++)
		assert_non_null(host_recv(&len));
	/* the host asks for no interrupts */
	avail(1)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	avail(0)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	assert_int_equal(host_send(HOST_ADDR, e->addr, "q", 1), 1);
	assert_int_equal(H->notified[ID_RX], 3 * NUM + 1);
	assert_int_equal(H->notified[ID_TX], 1 + 3 * NUM + 4);
	assert_non_null(host_recv(&len));
	/* polled */
	host_queue(HOST_ADDR, e->addr, "p", 1, 17);
	assert_int_equal(rpfw_rpmsg_poll(&H->rp), 1);
	assert_non_null(host_recv(&len));
	/* destroy: announced, and messages to it are dropped */
	rpfw_rpmsg_destroy_ept(e);
	expect_ns("rpmsg-echo", RPMSG_RESERVED_ADDRESSES, RPMSG_NS_DESTROY);
	assert_int_equal(host_send(HOST_ADDR, RPMSG_RESERVED_ADDRESSES, "z", 1),
			 1);
	assert_null(host_recv(&len));
}

static void bad_messages(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	uint16_t before;

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 77, record_cb, &s);
	assert_non_null(e);
	/* unknown destination: dropped, buffer back */
	assert_int_equal(host_send(HOST_ADDR, 78, "x", 1), 1);
	assert_int_equal(s.calls, 0);
	/* header len beyond the descriptor */
	host_queue(HOST_ADDR, 77, "abcdef", 6, 16 + 5);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 1);
	/* descriptor shorter than a header */
	host_queue(HOST_ADDR, 77, "abcdef", 6, 15);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 1);
	/* a misaligned buffer */
	before = used(1)->idx;
	desc(1, host_queue(HOST_ADDR, 77, "a", 1, 17))->addr += 2;
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 1);
	assert_int_equal(s.calls, 0);
	assert_int_equal((uint16_t)(used(1)->idx - before), 1);
	/* exact fit still works */
	assert_int_equal(host_send(HOST_ADDR, 77, "abcdef", 6), 1);
	assert_int_equal(s.calls, 1);
	/* a descriptor outside the pool: the ring fails, sticky */
	desc(1, host_queue(HOST_ADDR, 77, "a", 1, 17))->addr = PA_BUF - 512;
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), RPFW_EFAULT);
	assert_int_equal(rpfw_rpmsg_poll(&H->rp), RPFW_EFAULT);
	assert_int_equal(s.calls, 1);
}

static void truncated_address(void **state)
{
	struct seen s = {0};

	(void)state;
	go_ready();
	assert_non_null(rpfw_rpmsg_create_ept(&H->rp, NULL, 77, record_cb, &s));
	/* inside the pool but for bit 32: must not be truncated */
	desc(1, host_queue(HOST_ADDR, 77, "a", 1, 17))->addr += 1ull << 32;
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), RPFW_EFAULT);
	assert_int_equal(s.calls, 0);
}

static void hold_release(void **state)
{
	struct seen s = {.hold = 1};
	struct rpfw_rpmsg_ept *e;
	void *first;

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 90, record_cb, &s);
	assert_non_null(e);
	assert_int_equal(host_send(HOST_ADDR, 90, "one", 3), 1);
	first = s.held;
	assert_int_equal(used(1)->idx, 0);
	assert_int_equal(host_send(HOST_ADDR, 90, "two", 3), 1);
	assert_int_equal(used(1)->idx, 0);
	/* still readable while held */
	assert_memory_equal(first, "one", 3);
	assert_int_equal(rpfw_rpmsg_release_rx_buffer(e, s.held), 0);
	assert_int_equal(used(1)->idx, 1);
	assert_int_equal(used(1)->ring[0].id, 1);
	assert_int_equal(rpfw_rpmsg_release_rx_buffer(e, first), 0);
	assert_int_equal(used(1)->idx, 2);
	assert_int_equal(used(1)->ring[1].id, 0);
	/* nothing left to give back */
	assert_int_equal(rpfw_rpmsg_release_rx_buffer(e, first), RPFW_EINVAL);
	assert_int_equal(H->notified[ID_RX], 2);
}

static void zero_copy(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	struct rpmsg_hdr *h;
	uint32_t size, len;
	char *p;

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 100, record_cb, &s);
	assert_non_null(e);
	p = rpfw_rpmsg_get_tx_buffer(e, &size);
	assert_non_null(p);
	assert_int_equal(size, BUF_SIZE - 16);
	memset(p, 'z', size);
	assert_int_equal(rpfw_rpmsg_send_nocopy(e, HOST_ADDR, p, size + 1),
			 RPFW_EMSGSIZE);
	assert_null(host_recv(&len));
	assert_int_equal(rpfw_rpmsg_send_nocopy(e, HOST_ADDR, p, size), 0);
	h = host_recv(&len);
	assert_non_null(h);
	assert_int_equal(len, BUF_SIZE);
	assert_int_equal(h->src, 100);
	assert_int_equal(h->dst, HOST_ADDR);
	assert_int_equal(h->reserved, 0);
	assert_int_equal(h->data[size - 1], 'z');
	/* copy send: too long */
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, p, size + 1),
			 RPFW_EMSGSIZE);
}

static void tx_exhausted(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	uint32_t i, len;

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 100, record_cb, &s);
	assert_non_null(e);
	/* vring0 kicks are off once ready */
	assert_int_equal(used(0)->flags, VRING_USED_F_NO_NOTIFY);
	for (i = 0; i < NUM; i++)
		assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), 0);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), RPFW_EAGAIN);
	/* ... and on while we wait for buffers */
	assert_int_equal(used(0)->flags, 0);
	assert_non_null(host_recv(&len));
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_TX), 0);
	assert_int_equal(used(0)->flags, VRING_USED_F_NO_NOTIFY);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), 0);
	/* a host buffer smaller than the negotiated size: ring error */
	while (host_recv(&len))
		;
	for (i = 0; i < NUM; i++)
		desc(0, i)->len = BUF_SIZE - 1;
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), RPFW_EBADMSG);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), RPFW_EBADMSG);
}

static void endpoints(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e[RPFW_RPMSG_MAX_EPT], *x;
	uint32_t i;

	(void)state;
	assert_null(rpfw_rpmsg_create_ept(&H->rp, NULL, 5, NULL, &s));
	e[0] = rpfw_rpmsg_create_ept(&H->rp, NULL, 2000, record_cb, &s);
	assert_non_null(e[0]);
	assert_null(rpfw_rpmsg_create_ept(&H->rp, NULL, 2000, record_cb, &s));
	for (i = 1; i < RPFW_RPMSG_MAX_EPT; i++) {
		e[i] = rpfw_rpmsg_create_ept(&H->rp, NULL, RPMSG_ADDR_ANY,
					     record_cb, &s);
		assert_non_null(e[i]);
		/* above every address in use */
		assert_int_equal(e[i]->addr, 2000 + i);
	}
	assert_null(rpfw_rpmsg_create_ept(&H->rp, NULL, 9, record_cb, &s));
	rpfw_rpmsg_destroy_ept(e[3]);
	x = rpfw_rpmsg_create_ept(&H->rp, NULL, 2003, record_cb, &s);
	assert_ptr_equal(x, e[3]);
	/* a long name is cut at 31 bytes */
	rpfw_rpmsg_destroy_ept(e[4]);
	x = rpfw_rpmsg_create_ept(&H->rp, "0123456789abcdef0123456789abcdefXYZ",
				  3000, record_cb, &s);
	assert_non_null(x);
	go_ready();
	expect_ns("0123456789abcdef0123456789abcde", 3000, RPMSG_NS_CREATE);
}

/* Name-service announcements wait for host buffers instead of failing:
 * sent in slot order as buffers come back (the vring0 kick), a destroyed
 * endpoint keeps its address until its destruction went out, and a
 * creation still waiting is dropped by its destruction. */
static void ns_waits_for_buffers(void **state)
{
	static const char *names[] = {"ns-a", "ns-b", "ns-c", "ns-d"};
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e[4], *x;
	uint32_t i, len;

	(void)state;
	for (i = 0; i < 4; i++) {
		e[i] = rpfw_rpmsg_create_ept(&H->rp, names[i], 1100 + i,
					     record_cb, &s);
		assert_non_null(e[i]);
	}
	/* two host buffers only */
	rx_buf_give(0);
	rx_buf_give(1);
	H->vdev.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			 VIRTIO_CONFIG_S_DRIVER_OK;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), 1);
	/* the rest wait, and the host is asked to kick for buffers */
	assert_int_equal(used(0)->flags, 0);
	expect_ns("ns-a", 1100, RPMSG_NS_CREATE); /* gives a buffer back */
	expect_ns("ns-b", 1101, RPMSG_NS_CREATE);
	assert_null(host_recv(&len));
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_TX), 0);
	expect_ns("ns-c", 1102, RPMSG_NS_CREATE);
	expect_ns("ns-d", 1103, RPMSG_NS_CREATE);
	assert_null(host_recv(&len));
	/* all out: kicks off again */
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_TX), 0);
	assert_int_equal(used(0)->flags, VRING_USED_F_NO_NOTIFY);
	assert_null(host_recv(&len));

	/* no buffer free: both are filled, the host has not read them */
	assert_int_equal(rpfw_rpmsg_send(e[0], HOST_ADDR, "f", 1), 0);
	assert_int_equal(rpfw_rpmsg_send(e[0], HOST_ADDR, "f", 1), 0);
	assert_int_equal(rpfw_rpmsg_send(e[0], HOST_ADDR, "f", 1), RPFW_EAGAIN);
	rpfw_rpmsg_destroy_ept(e[1]); /* waits */
	assert_null(rpfw_rpmsg_create_ept(&H->rp, NULL, 1101, record_cb, &s));
	x = rpfw_rpmsg_create_ept(&H->rp, "ns-e", 1200, record_cb, &s);
	assert_non_null(x);	   /* its creation waits */
	rpfw_rpmsg_destroy_ept(x); /* ... and is dropped */
	for (i = 0; i < 2; i++) {
		assert_non_null(host_recv(&len));
		assert_int_equal(len, sizeof(struct rpmsg_hdr) + 1);
	}
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_TX), 0);
	expect_ns("ns-b", 1101, RPMSG_NS_DESTROY);
	assert_null(host_recv(&len)); /* nothing about ns-e */
	/* the address is free now */
	x = rpfw_rpmsg_create_ept(&H->rp, NULL, 1101, record_cb, &s);
	assert_ptr_equal(x, e[1]);
}

/* Each message reaches the endpoint at its destination, whichever slot it
 * is in; a freed slot keeps its address but gets nothing. */
static void endpoint_lookup(void **state)
{
	struct seen s[3] = {{0}};
	struct rpfw_rpmsg_ept *e[3];
	uint16_t before;
	uint32_t i;

	(void)state;
	go_ready();
	for (i = 0; i < 3; i++) {
		e[i] = rpfw_rpmsg_create_ept(&H->rp, NULL, 100 + i, record_cb,
					     &s[i]);
		assert_ptr_equal(e[i], &H->rp.ept[i]);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(host_send(HOST_ADDR, 100 + i, "ab", 2), 1);
		assert_int_equal(s[i].calls, 1);
		assert_int_equal(s[i].len, 2);
	}
	assert_int_equal(s[0].calls + s[1].calls + s[2].calls, 3);
	/* slot 0 freed: its address matches, nobody gets the message, the
	 * buffer goes back */
	rpfw_rpmsg_destroy_ept(e[0]);
	assert_int_equal(H->rp.ept[0].addr, 100);
	before = used(1)->idx;
	assert_int_equal(host_send(HOST_ADDR, 100, "cd", 2), 1);
	assert_int_equal((uint16_t)(used(1)->idx - before), 1);
	assert_int_equal(s[0].calls + s[1].calls + s[2].calls, 3);
	/* the others behind it still get theirs */
	assert_int_equal(host_send(HOST_ADDR, 102, "ef", 2), 1);
	assert_int_equal(s[2].calls, 2);
	assert_memory_equal(s[2].data, "ef", 2);
	assert_int_equal(host_send(HOST_ADDR, 101, "gh", 2), 1);
	assert_int_equal(s[1].calls, 2);
	assert_int_equal(s[0].calls, 1);
}

static void config_checks(void **state)
{
	(void)state;
	H->vdev.status = VIRTIO_CONFIG_S_DRIVER_OK;
	H->vdev.cfg.r2h_buf_size = 16;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), RPFW_EINVAL);
	H->vdev.cfg.r2h_buf_size = 65536 + 16;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), RPFW_EINVAL);
	H->vdev.cfg.r2h_buf_size = 17;
	H->vdev.config_len = 7;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), RPFW_EINVAL);
	H->vdev.config_len = 8;
	H->vdev.vring[1].da = FW_RSC_ADDR_ANY;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), RPFW_EINVAL);
	H->vdev.vring[1].da = DA_RING1;
	H->vdev.vring[1].num = 6;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), RPFW_EINVAL);
	H->vdev.vring[1].num = NUM;
	assert_int_equal(rpfw_rpmsg_ready(&H->rp), 1);
	assert_int_equal(rpfw_rpmsg_mtu(&H->rp), 1);
}

static void no_bufsz_no_ns(void **state)
{
	struct seen s = {0};
	uint32_t len;

	(void)state;
	/* offered, not taken: 512-byte buffers, no name service; and the
	 * host cannot switch on what the remote did not offer */
	H->vdev.gfeatures = 1u << VIRTIO_RING_F_EVENT_IDX;
	H->vdev.cfg.r2h_buf_size = 64;
	assert_non_null(rpfw_rpmsg_create_ept(&H->rp, "quiet", RPMSG_ADDR_ANY,
					      record_cb, &s));
	go_ready();
	assert_int_equal(rpfw_rpmsg_mtu(&H->rp), 512 - 16);
	assert_null(host_recv(&len));
	assert_int_equal(H->rp.features, 0);
}

static void wait_ready(void **state)
{
	(void)state;
	H->ok_after_idles = 3;
	assert_int_equal(rpfw_rpmsg_wait_ready(&H->rp), 1);
	assert_int_equal(H->idles, 3);
}

static void event_idx(void **state)
{
	struct seen s = {.echo = 1};
	struct rpfw_rpmsg_ept *e;
	uint16_t *used_event0, *avail_event1;
	uint32_t len;

	(void)state;
	H->vdev.dfeatures |= 1u << VIRTIO_RING_F_EVENT_IDX;
	H->vdev.gfeatures |= 1u << VIRTIO_RING_F_EVENT_IDX;
	go_ready();
	used_event0 = &avail(0)->ring[NUM];
	avail_event1 = (uint16_t *)&used(1)->ring[NUM];
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 50, record_cb, &s);
	assert_non_null(e);
	/* the host wants to hear about vring0 only at its 3rd used entry */
	*used_event0 = 2;
	assert_int_equal(host_send(HOST_ADDR, 50, "a", 1), 1);
	assert_int_equal(H->notified[ID_TX], 0);
	assert_int_equal(host_send(HOST_ADDR, 50, "b", 1), 1);
	assert_int_equal(H->notified[ID_TX], 0);
	assert_int_equal(host_send(HOST_ADDR, 50, "c", 1), 1);
	assert_int_equal(H->notified[ID_TX], 1);
	/* the remote asks for a kick at the next vring1 buffer */
	assert_int_equal(*avail_event1, 3);
	while (host_recv(&len))
		;
}

/* A vring0 kick (buffers came back) leaves vring1 alone (a paused remote
 * of the host's tests relies on it), and a vring1 kick sends the
 * announcements that wait too. */
static void kicks_and_announcements(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	uint32_t len;

	(void)state;
	go_ready();
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 60, record_cb, &s);
	assert_non_null(e);
	host_queue(HOST_ADDR, 60, "tx", 2, 18);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_TX), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(rpfw_rpmsg_notified(&H->rp, ID_RX), 1);
	assert_int_equal(s.calls, 1);
	assert_memory_equal(s.data, "tx", 2);
	assert_int_equal(used(1)->idx, 1);
	/* every host buffer filled and unread: the announcement waits */
	while (rpfw_rpmsg_send(e, HOST_ADDR, "f", 1) == 0)
		;
	assert_int_equal(used(0)->flags, 0); /* kick us for buffers */
	assert_non_null(
		rpfw_rpmsg_create_ept(&H->rp, "late", 61, record_cb, &s));
	/* the host reads one reply (its buffer back, no vring0 kick), then
	 * sends a message: the announcement goes out with it */
	assert_non_null(host_recv(&len));
	assert_int_equal(host_send(HOST_ADDR, 60, "rx", 2), 1);
	assert_int_equal(s.calls, 2);
	while (host_recv(&len) && len == sizeof(struct rpmsg_hdr) + 1)
		;
	/* host_recv() gave back what it read: the last one read was it */
	assert_int_equal(len, sizeof(struct rpmsg_hdr) +
				      sizeof(struct rpmsg_ns_msg));
}

/* An announcement that fails frees the endpoint's slot again. */
static void create_fails_on_ring_error(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	uint32_t i;

	(void)state;
	go_ready();
	/* host buffers smaller than the negotiated size: vring0 fails */
	for (i = 0; i < NUM; i++)
		desc(0, i)->len = BUF_SIZE - 1;
	assert_null(rpfw_rpmsg_create_ept(&H->rp, "named", 70, record_cb, &s));
	assert_int_equal(rpfw_rpmsg_send(&H->rp.ept[0], HOST_ADDR, "m", 1),
			 RPFW_EBADMSG);
	/* the slot and the address are free */
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 70, record_cb, &s);
	assert_ptr_equal(e, &H->rp.ept[0]);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, "m", 1), RPFW_EBADMSG);
}

/* Not ready: any send fails with RPFW_ENODEV, whatever its length (the
 * buffer size is not known yet), and nothing is read from the rings. */
static void send_before_ready(void **state)
{
	struct seen s = {0};
	struct rpfw_rpmsg_ept *e;
	static char big[4 * BUF_SIZE];

	(void)state;
	e = rpfw_rpmsg_create_ept(&H->rp, NULL, 80, record_cb, &s);
	assert_non_null(e);
	assert_int_equal(rpfw_rpmsg_send(e, HOST_ADDR, big, sizeof(big)),
			 RPFW_ENODEV);
	assert_int_equal(rpfw_rpmsg_send_nocopy(e, HOST_ADDR, big + 64, 4),
			 RPFW_ENODEV);
	assert_int_equal(rpfw_rpmsg_release_rx_buffer(e, big + 64),
			 RPFW_EINVAL);
	assert_int_equal(rpfw_rpmsg_mtu(&H->rp), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(before_ready),
		T(echo),
		T(bad_messages),
		T(truncated_address),
		T(hold_release),
		T(zero_copy),
		T(tx_exhausted),
		T(endpoints),
		T(endpoint_lookup),
		T(config_checks),
		T(no_bufsz_no_ns),
		T(wait_ready),
		T(event_idx),
		T(ns_waits_for_buffers),
		T(kicks_and_announcements),
		T(create_fails_on_ring_error),
		T(send_before_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
