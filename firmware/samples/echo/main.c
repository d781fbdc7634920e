// SPDX-License-Identifier: BSD-3-Clause
/*
 * echo: an rpmsg remote.  Announces the channel "rpmsg-echo" to the host's
 * name service once the host set DRIVER_OK, and sends every message it
 * gets back to where it came from.  The host kicks by writing a vring's
 * notify id into the mailbox; words that are not ours go to the common
 * sample commands (PING, TRACE: rpfw/proto.h).  Resource table: rsc.c.
 */
#define SAMPLE_OWN_TABLE /* rsc.c defines the table, with its own type */
#include "sample.h"
#include "rpfw/rpmsg.h"
#include "echo.h"

static struct rpfw_rpmsg rp;
static int vring_error;

static void echo_cb(struct rpfw_rpmsg_ept *ept, void *data, uint32_t len,
		    uint32_t src, void *priv)
{
	int ret = rpfw_rpmsg_send(ept, src, data, len);

	(void)priv;
	if (ret)
		rpfw_printf("echo: %u bytes to %u dropped: %d\n",
			    (unsigned int)len, (unsigned int)src, ret);
}

/* From the mailbox interrupt: a kick, or a word for sample.c. */
static bool on_word(uint32_t word)
{
	int ret = rpfw_rpmsg_notified(&rp, word);

	if (ret == RPFW_ENOENT)
		return false;
	if (ret < 0 && !vring_error) {
		vring_error = ret;
		rpfw_printf("echo: rpmsg error %d\n", ret);
	}
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
