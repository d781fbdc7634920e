/* SPDX-License-Identifier: BSD-3-Clause */
/* Reload test, program B: arm_reload_a.S sending 0xB. */
#define WORD 0xB
#include "arm_reload_a.S"
