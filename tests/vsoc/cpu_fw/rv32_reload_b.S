/* SPDX-License-Identifier: BSD-3-Clause */
/* Reload test, program B: rv32_reload_a.S sending 0xB. */
#define WORD 0xB
#include "rv32_reload_a.S"
