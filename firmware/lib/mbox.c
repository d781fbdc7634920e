// SPDX-License-Identifier: BSD-3-Clause
/*
 * The mailbox interrupt, its receive and timer callbacks (rpfw/mbox.h).
 */
#include <stdint.h>

#include "rproc/vsoc_regs.h"
#include "rpfw/arch.h"
#include "rpfw/mbox.h"

static rpfw_mbox_rx_fn rx_fn;
static rpfw_timer_fn timer_fn;

/* Interrupts masked by the caller. */
static void irq_en_update(uint32_t set, uint32_t clear)
{
	uint32_t en = rpfw_mbox_read(VSOC_MBOX_IRQ_EN);

	rpfw_mbox_write(VSOC_MBOX_IRQ_EN, (en & ~clear) | set);
	rpfw_arch_mbox_irq_unmask();
}

void rpfw_mbox_set_rx_handler(rpfw_mbox_rx_fn fn)
{
	uint32_t irq = rpfw_irq_save();

	rx_fn = fn;
	if (fn)
		irq_en_update(VSOC_MBOX_IRQ_RX, 0);
	else
		irq_en_update(0, VSOC_MBOX_IRQ_RX);
	rpfw_irq_restore(irq);
}

void rpfw_timer_set(uint32_t at_us, rpfw_timer_fn fn)
{
	uint32_t irq = rpfw_irq_save();

	timer_fn = fn;
	/* forget an expiry not handled yet */
	rpfw_mbox_write(VSOC_MBOX_IRQ_STATUS, VSOC_MBOX_IRQ_TIMER);
	if (fn) {
		/* 0 would disarm: be 1 us late instead */
		rpfw_mbox_write(VSOC_MBOX_TIMER, at_us ? at_us : 1);
		irq_en_update(VSOC_MBOX_IRQ_TIMER, 0);
	} else {
		rpfw_mbox_write(VSOC_MBOX_TIMER, VSOC_MBOX_TIMER_OFF);
		irq_en_update(0, VSOC_MBOX_IRQ_TIMER);
	}
	rpfw_irq_restore(irq);
}

/* One source at a time until neither is pending, the timer looked at again
 * before every word: a host that keeps the inbox full (it can, it is
 * faster) must not hold off the timer, which the heartbeat rides on. */
void rpfw_mbox_isr(void)
{
	for (;;) {
		uint32_t status = rpfw_mbox_read(VSOC_MBOX_IRQ_STATUS);
		uint32_t word;

		if ((status & VSOC_MBOX_IRQ_TIMER) && timer_fn) {
			rpfw_mbox_write(VSOC_MBOX_IRQ_STATUS,
					VSOC_MBOX_IRQ_TIMER);
			timer_fn();
		}
		/* the line stays asserted until the inbox is empty */
		if (!(status & VSOC_MBOX_IRQ_RX) || !rx_fn)
			return;
		word = rpfw_mbox_read(VSOC_MBOX_RX);
		if (word == VSOC_MBOX_EMPTY)
			return;
		rx_fn(word);
	}
}
