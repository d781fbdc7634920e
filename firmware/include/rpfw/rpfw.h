/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The firmware library for the virtual SoC's remote cores: everything in
 * one include.  docs/firmware.md has the overview.
 */
#ifndef RPFW_RPFW_H
#define RPFW_RPFW_H

#ifndef RPFW_VERSION
#define RPFW_VERSION "0.1.0" /* the build passes the project's version */
#endif

#include "rpfw/arch.h"
#include "rpfw/heartbeat.h"
#include "rpfw/mbox.h"
#include "rpfw/panic.h"
#include "rpfw/rsc.h"
#include "rpfw/trace.h"

#endif /* RPFW_RPFW_H */
