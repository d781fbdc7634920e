/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "logcap.h"

static int log_saved = -1;
static FILE *log_file;

void logcap_begin(void)
{
	fflush(stderr);
	log_file = tmpfile();
	if (!log_file)
		abort();
	log_saved = dup(2);
	dup2(fileno(log_file), 2);
}

const char *logcap_end(bool echo)
{
	static char buf[8192];
	size_t n;

	fflush(stderr);
	dup2(log_saved, 2);
	close(log_saved);
	log_saved = -1;
	rewind(log_file);
	n = fread(buf, 1, sizeof(buf) - 1, log_file);
	buf[n] = 0;
	fclose(log_file);
	log_file = NULL;
	if (echo)
		fputs(buf, stderr);
	return buf;
}
