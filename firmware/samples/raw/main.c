// SPDX-License-Identifier: BSD-3-Clause
/*
 * raw: the notable program, linked to be flattened into a raw binary
 * (objcopy -O binary): Cortex-M4 at 0x0 starting with the vector table,
 * RV32 at 0x80000000 starting with the entry point.  It has no resource
 * table either (a raw binary cannot carry one): it finds the trace buffer
 * in the table the host installs.
 */
#define NOTABLE_NAME "raw"
#include "../notable/main.c"
