// SPDX-License-Identifier: BSD-3-Clause
/*
 * linkecho: a remote on the link, the alternative transport
 * (docs/link.md).  Endpoints "echo0".."echo3" send every message back on
 * the same endpoint; one the host has no room for stays in the ring until
 * it frees some (the callback says RPFW_EAGAIN).  The host rings by
 * writing LINKECHO_KICK into the mailbox: the interrupt handler only
 * notes it, main polls the link (each poll is bounded and interrupts are
 * enabled between polls, so the heartbeat keeps running under any load).
 * Other words go to the common sample commands (PING, TRACE:
 * rpfw/proto.h), and CRASH kind faults at once, in the interrupt handler:
 * RPFW_CRASH_PANIC panics, RPFW_CRASH_HANG spins with interrupts masked
 * (the link stops, senders block on the full ring, the watchdog fires),
 * anything else loads from an unmapped address.  Resource table: rsc.c.
 */
#define SAMPLE_OWN_TABLE /* rsc.c defines the table, with its own type */
#include "sample.h"
#include "rpfw/link.h"
#include "linkecho.h"

#define NEPT 4

static struct rpfw_link link;
static int link_error;
static volatile uint32_t kicked; /* a doorbell since main last looked */
static const char *const names[NEPT] = {"echo0", "echo1", "echo2", "echo3"};

static int echo_cb(struct rpfw_link_ept *ept, void *data, uint32_t len,
		   void *priv)
{
	int ret = rpfw_link_send(ept, data, len);

	(void)priv;
	if (ret == RPFW_EAGAIN)
		return RPFW_EAGAIN; /* again when the host freed room */
	if (ret)
		rpfw_printf("linkecho: %s: %u bytes dropped: %d\n", ept->name,
			    (unsigned int)len, ret);
	return 0;
}

static void on_event(struct rpfw_link *l, int event, struct rpfw_link_ept *e)
{
	(void)l;
	(void)e;
	if (event == RPFW_LINK_EV_UP)
		rpfw_puts("linkecho: link up\n");
	else if (event == RPFW_LINK_EV_RESET)
		rpfw_puts("linkecho: the host restarted\n");
}

/* From the mailbox interrupt: a doorbell, a crash, or a word for
 * sample.c. */
static bool on_word(uint32_t word)
{
	if (word == LINKECHO_KICK) {
		kicked = 1;
		return true;
	}
	if (RPFW_CMD(word) != RPFW_CMD_CRASH)
		return false;
	if (RPFW_ARG(word) == RPFW_CRASH_PANIC)
		rpfw_panic(RPFW_CRASH_PANIC_CODE, RPFW_CRASH_PANIC_MSG);
	if (RPFW_ARG(word) == RPFW_CRASH_HANG)
		for (;;)
			rpfw_irq_disable();
	(void)*(volatile uint32_t *)RPFW_CRASH_BAD_ADDR;
	return true;
}

int main(void)
{
	int ret;

	if (rpfw_link_init(&link, linkecho_rsc, linkecho_shm, NULL))
		rpfw_panic(0x11E0, "linkecho: link set-up");
	link.event = on_event;
	for (int i = 0; i < NEPT; i++)
		if (!rpfw_link_create_ept(&link, names[i], echo_cb, NULL))
			rpfw_panic(0x11E1, "linkecho: endpoint");
	sample_start(linkecho_trace_buf, LINKECHO_TRACE_LEN, "linkecho up",
		     "linkecho", on_word);
	/* the host's session (it published it before we started) */
	ret = rpfw_link_wait_ready(&link);
	if (ret < 0)
		rpfw_printf("linkecho: link: %d\n", ret);
	else
		rpfw_printf("linkecho: ready, mtu %u\n",
			    (unsigned int)rpfw_link_mtu(&link));
	for (;;) {
		/* race-free idle: a doorbell while we look still wakes the
		 * wfi (interrupts masked), and is noted when they open */
		rpfw_irq_disable();
		if (!kicked && !rpfw_link_pending(&link))
			rpfw_wfi();
		kicked = 0;
		rpfw_irq_enable();
		ret = rpfw_link_poll(&link);
		if (ret < 0 && !link_error) {
			link_error = ret;
			rpfw_printf("linkecho: link error %d\n", ret);
		}
	}
}
