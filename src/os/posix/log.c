/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX OS layer: logging to stderr as "rproc: <level>: <msg>\n".
 *
 * The threshold comes from the environment variable RPROC_LOG (err, warn,
 * info or debug; default warn), read once at the first message.  Each line
 * goes out in one write(2) so lines from several threads never interleave;
 * a line longer than LOG_LINE_MAX is cut and ends with "...".
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os_posix.h"
#include "rproc/os.h"

#define LOG_LINE_MAX 1024

static const char *const level_names[] = {
	[RPROC_LOG_ERR] = "err",
	[RPROC_LOG_WARN] = "warn",
	[RPROC_LOG_INFO] = "info",
	[RPROC_LOG_DEBUG] = "debug",
};

static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static int log_threshold = RPROC_LOG_WARN; /* written once, under log_once */

static void log_init(void)
{
	const char *env = getenv("RPROC_LOG");
	size_t i;

	if (!env)
		return;
	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcmp(env, level_names[i])) {
			log_threshold = (int)i;
			return;
		}
	}
}

void rproc_os_log(enum rproc_log_level level, const char *msg)
{
	char line[LOG_LINE_MAX];
	unsigned int lvl = (unsigned int)level;
	size_t len;
	int n;

	pthread_once(&log_once, log_init);
	if (lvl > RPROC_LOG_DEBUG)
		lvl = RPROC_LOG_DEBUG;
	if ((int)lvl > log_threshold)
		return;
	/* Leave one byte for the newline. */
	n = snprintf(line, sizeof(line) - 1, "rproc: %s: %s", level_names[lvl],
		     msg ? msg : "");
	if (n < 0)
		return;
	len = (size_t)n;
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
}

void rproc_os__logf(enum rproc_log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rproc_os_log(level, msg);
}
