// SPDX-License-Identifier: BSD-3-Clause
/*
 * Start-up and the common commands of the sample firmware (sample.h).
 */
#include "sample.h"

static sample_cmd_fn sample_cmd;

static void on_word(uint32_t word)
{
	uint32_t arg = RPFW_ARG(word);

	switch (RPFW_CMD(word)) {
	case RPFW_CMD_PING:
		rpfw_printf("ping %u\n", (unsigned int)arg);
		rpfw_mbox_send(RPFW_MSG_PONG | arg);
		return;
	case RPFW_CMD_TRACE:
		rpfw_printf("trace %u\n", (unsigned int)arg);
		rpfw_mbox_send(RPFW_MSG_TRACED | arg);
		return;
	}
	if (sample_cmd && sample_cmd(word))
		return;
	rpfw_printf("unknown command 0x%08x\n", (unsigned int)word);
	rpfw_mbox_send(RPFW_MSG_UNKNOWN | RPFW_CMD(word));
}

void sample_start(char *trace_buf, size_t trace_len, const char *greeting,
		  const char *name, sample_cmd_fn cmd)
{
	/* Cortex-M resets with PRIMASK clear: mask until READY is out */
	rpfw_irq_disable();
	rpfw_trace_init(trace_buf, trace_buf ? trace_len : 0);
	rpfw_puts(greeting);
	rpfw_printf("rpfw %s %s %s\n", RPFW_VERSION, name, RPFW_ARCH_NAME);
	sample_cmd = cmd;
	rpfw_mbox_set_rx_handler(on_word);
	rpfw_heartbeat_start(RPFW_HEARTBEAT_PERIOD_US);
	/* READY before the first command can be answered: a host that sent
	 * something early sees READY first, then the reply */
	rpfw_mbox_send(RPFW_MSG_READY);
	rpfw_irq_enable();
}
