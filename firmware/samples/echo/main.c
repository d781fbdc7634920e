// SPDX-License-Identifier: BSD-3-Clause
/*
 * echo: an rpmsg remote.  Announces the channel "rpmsg-echo" to the host's
 * name service once the host set DRIVER_OK, and sends every message it
 * gets back to where it came from, in order.  When the host has no free
 * buffer to answer in, the message's buffer is held (zero copy: no copy is
 * made) and answered when the host returns buffers; past ECHO_HOLD_MAX
 * held messages it is dropped and counted.  The host kicks by writing a
 * vring's notify id into the mailbox; other words go to the common sample
 * commands (PING, TRACE: rpfw/proto.h), and RPFW_CMD_CRASH makes it write
 * to an unmapped address from the interrupt handler, in the middle of
 * whatever traffic is going on.  Resource table: rsc.c.
 */
#define SAMPLE_OWN_TABLE /* rsc.c defines the table, with its own type */
#include "sample.h"
#include "rpfw/rpmsg.h"
#include "echo.h"

#define ECHO_HOLD_MAX 16 /* a power of two */

static struct rpfw_rpmsg rp;
static int vring_error;

/* Messages held until the host returns a buffer to answer in. */
static struct {
	struct rpfw_rpmsg_ept *ept;
	void *data;
	uint32_t len, src;
} held[ECHO_HOLD_MAX];
static uint32_t held_first, held_n, dropped;

/* Answer held messages in order while buffers last.  Interrupt context. */
static void flush(void)
{
	while (held_n) {
		uint32_t i = held_first % ECHO_HOLD_MAX;
		int ret = rpfw_rpmsg_send(held[i].ept, held[i].src,
					  held[i].data, held[i].len);

		if (ret == RPFW_EAGAIN)
			return; /* the host kicks vring0 when it has some */
		if (ret)
			dropped++;
		rpfw_rpmsg_release_rx_buffer(held[i].ept, held[i].data);
		held_first++;
		held_n--;
	}
}

static void echo_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		    uint32_t src, void *priv)
{
	uint32_t i;
	int ret = RPFW_EAGAIN;

	(void)priv;
	if (!held_n)
		ret = rpfw_rpmsg_send(ept, src, data, len);
	if (ret != RPFW_EAGAIN) {
		if (ret)
			dropped++;
		return;
	}
	if (held_n == ECHO_HOLD_MAX) {
		if (!dropped++)
			rpfw_printf("echo: too many messages held: dropping\n");
		return;
	}
	i = (held_first + held_n++) % ECHO_HOLD_MAX;
	held[i].ept = ept;
	held[i].data = data;
	held[i].len = len;
	held[i].src = src;
	rpfw_rpmsg_hold_rx_buffer(ept, data);
}

/* From the mailbox interrupt: a kick, a crash request, or a word for
 * sample.c. */
static bool on_word(uint32_t word)
{
	int ret;

	if (RPFW_CMD(word) == RPFW_CMD_CRASH) {
		*(volatile uint32_t *)(uintptr_t)RPFW_CRASH_BAD_ADDR = word;
		return true;
	}
	ret = rpfw_rpmsg_notified(&rp, word);
	if (ret == RPFW_ENOENT)
		return false;
	if (ret < 0 && !vring_error) {
		vring_error = ret;
		rpfw_printf("echo: rpmsg error %d\n", ret);
	}
	flush();
	return true;
}

int main(void)
{
	int ret;

	if (rpfw_rpmsg_init(&rp, echo_vdev, echo_shm, NULL) ||
	    !rpfw_rpmsg_create_ept(&rp, "rpmsg-echo", RPMSG_ADDR_ANY, echo_cb,
				   NULL))
		rpfw_panic(0xEC40, "echo: rpmsg set-up");
	sample_start(echo_trace_buf, ECHO_TRACE_LEN, "echo up", "echo",
		     on_word);
	/* DRIVER_OK; "rpmsg-echo" is announced then */
	ret = rpfw_rpmsg_wait_ready(&rp);
	if (ret < 0)
		rpfw_printf("echo: rpmsg: %d\n", ret);
	if (rpfw_rpmsg_mtu(&rp))
		rpfw_printf("echo: rpmsg ready, mtu %u\n",
			    (unsigned int)rpfw_rpmsg_mtu(&rp));
	for (;;)
		rpfw_wait_for_interrupt();
}
