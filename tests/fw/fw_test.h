/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the firmware-format and resource-table tests: an assertion on
 * a return code *and* the diag message, printing both sides on failure.
 */
#ifndef RPROC_TESTS_FW_TEST_H
#define RPROC_TESTS_FW_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rproc/diag.h"
#include "rproc/error.h"

#define assert_diag(ret, want, d, substr)                                      \
	do {                                                                   \
		int got_ = (ret);                                              \
		if (got_ != (want) || !strstr((d)->msg, (substr)))             \
			fail_msg("got %d (%s) \"%s\"; expected %d (%s) with "  \
				 "\"%s\"",                                     \
				 got_, rproc_err_name(got_), (d)->msg, (want), \
				 rproc_err_name(want), (substr));              \
	} while (0)

#define assert_ok(ret, d)                                                      \
	do {                                                                   \
		int got_ = (ret);                                              \
		if (got_ != 0)                                                 \
			fail_msg("got %d (%s) \"%s\"; expected 0", got_,       \
				 rproc_err_name(got_), (d)->msg);              \
	} while (0)

#endif /* RPROC_TESTS_FW_TEST_H */
