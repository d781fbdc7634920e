/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the benchmarks: a monotonic clock, median/min/max of a
 * few runs, and the results file.
 *
 * The results file is a JSON list with exactly one object per line:
 *   [
 *   {"name":"...","value":1.5,"unit":"ms","baseline":1.2,"ratio":1.25},
 *   ...
 *   ]
 * Each benchmark rewrites only its own entries (bench_results_write drops the
 * lines whose name starts with one of its prefixes and keeps every other
 * object line), so benchmarks can run in any order and be rerun.
 * scripts/bench deletes the file first for a clean run.
 */
#ifndef RPROC_BENCH_UTIL_H
#define RPROC_BENCH_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct bench_result {
	const char *name;
	double value;
	const char *unit;
	double baseline;
	double ratio;
};

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @v in place; returns the median (mean of the middle two if even). */
static inline double bench_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* mkdir -p of the directory part of @path. */
static inline int bench_mkdir_parent(const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static inline int bench_line_is_ours(const char *line, const char *const *own,
				     size_t nown)
{
	const char *n = strstr(line, "\"name\"");

	if (!n)
		return 0;
	n = strchr(n + 6, '"');
	if (!n)
		return 0;
	for (size_t i = 0; i < nown; i++)
		if (!strncmp(n + 1, own[i], strlen(own[i])))
			return 1;
	return 0;
}

/* Rewrite @path: keep other benchmarks' objects, replace those whose name
 * starts with one of @own by @res.  Written to "<path>.tmp" then renamed. */
static inline int bench_results_write(const char *path,
				      const struct bench_result *res,
				      size_t nres, const char *const *own,
				      size_t nown)
{
	char tmp[4096], line[1024];
	size_t nout = 0;
	FILE *in, *out;

	if (bench_mkdir_parent(path))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	out = fopen(tmp, "w");
	if (!out)
		return -1;
	fputs("[\n", out);
	in = fopen(path, "r");
	while (in && fgets(line, sizeof(line), in)) {
		char *p = line, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '{' || bench_line_is_ours(p, own, nown))
			continue;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == ',' ||
				 e[-1] == ' ' || e[-1] == '\r'))
			*--e = 0;
		fprintf(out, "%s%s", nout++ ? ",\n" : "", p);
	}
	if (in)
		fclose(in);
	for (size_t i = 0; i < nres; i++)
		fprintf(out,
			"%s{\"name\":\"%s\",\"value\":%.10g,\"unit\":\"%s\","
			"\"baseline\":%.10g,\"ratio\":%.6g}",
			nout++ ? ",\n" : "", res[i].name, res[i].value,
			res[i].unit, res[i].baseline, res[i].ratio);
	fputs("\n]\n", out);
	if (fclose(out))
		return -1;
	return rename(tmp, path) ? -1 : 0;
}

#endif /* RPROC_BENCH_UTIL_H */
