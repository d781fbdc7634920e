/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_vring_adversarial's port hooks (rpfw/rpmsg_port.h, RPFW_PORT_HEADER):
 * the full barrier calls test_mb_hook(), where the test plays the host
 * writing at the worst moment.
 */
#ifndef VRING_TEST_PORT_H
#define VRING_TEST_PORT_H

void test_mb_hook(void);

#define rpfw_port_mb() test_mb_hook()

#endif /* VRING_TEST_PORT_H */
