/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture what the library logs (the POSIX OS layer writes to stderr)
 * between begin and end, for tests that check a message. */
#ifndef RPROC_TEST_LOGCAP_H
#define RPROC_TEST_LOGCAP_H

#include <stdbool.h>

void logcap_begin(void);
/* What was logged since logcap_begin() (a static buffer, the first 8 KiB);
 * with @echo it is written to stderr too. */
const char *logcap_end(bool echo);

#endif /* RPROC_TEST_LOGCAP_H */
