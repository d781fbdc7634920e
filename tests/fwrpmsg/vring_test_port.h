/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_vring_adversarial's port hooks (rpfw/rpmsg_port.h, RPFW_PORT_HEADER):
 * the full barrier calls test_mb_hook(), where the test plays the host
 * writing at the worst moment; the prefetch hint is recorded (the address
 * of the last one and how many there were) instead of issued.
 */
#ifndef VRING_TEST_PORT_H
#define VRING_TEST_PORT_H

void test_mb_hook(void);

extern const void *test_prefetch_addr;
extern unsigned test_prefetch_count;

#define rpfw_port_mb() test_mb_hook()
#define rpfw_port_prefetch(p)                                                  \
	((void)(test_prefetch_addr = (const void *)(p), test_prefetch_count++))

#endif /* VRING_TEST_PORT_H */
