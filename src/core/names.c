/* SPDX-License-Identifier: BSD-3-Clause */
/* The words of the Linux sysfs vocabulary for states, crashes and modes. */
#include "rproc/rproc.h"

const char *rproc_state_name(enum rproc_state state)
{
	static const char *const names[RPROC_STATE_COUNT] = {
		[RPROC_OFFLINE] = "offline",   [RPROC_SUSPENDED] = "suspended",
		[RPROC_RUNNING] = "running",   [RPROC_CRASHED] = "crashed",
		[RPROC_DELETED] = "deleted",   [RPROC_ATTACHED] = "attached",
		[RPROC_DETACHED] = "detached",
	};
	return (unsigned)state < RPROC_STATE_COUNT ? names[state] : "invalid";
}

const char *rproc_crash_name(enum rproc_crash_type type)
{
	static const char *const names[RPROC_CRASH_TYPE_COUNT] = {
		[RPROC_CRASH_MMUFAULT] = "mmufault",
		[RPROC_CRASH_WATCHDOG] = "watchdog",
		[RPROC_CRASH_FATAL_ERROR] = "fatal error",
		[RPROC_CRASH_EXCEPTION] = "exception",
	};
	return (unsigned)type < RPROC_CRASH_TYPE_COUNT ? names[type]
						       : "unknown";
}

const char *rproc_dump_mode_name(enum rproc_dump_mode mode)
{
	switch (mode) {
	case RPROC_DUMP_DISABLED:
		return "disabled";
	case RPROC_DUMP_ENABLED:
		return "enabled";
	case RPROC_DUMP_INLINE:
		return "inline";
	}
	return "invalid";
}

const char *rproc_rsc_source_name(enum rproc_rsc_source src)
{
	switch (src) {
	case RPROC_SRC_FIRMWARE:
		return "firmware";
	case RPROC_SRC_PLATFORM:
		return "platform";
	case RPROC_SRC_API:
		return "api";
	case RPROC_SRC_CORE:
		return "core";
	}
	return "unknown";
}

const char *rproc_rsc_type_name(uint32_t type)
{
	switch (type) {
	case RSC_CARVEOUT:
		return "carveout";
	case RSC_DEVMEM:
		return "devmem";
	case RSC_TRACE:
		return "trace";
	case RSC_VDEV:
		return "vdev";
	}
	if (type >= RSC_VENDOR_START && type <= RSC_VENDOR_END)
		return "vendor";
	return "unknown";
}
