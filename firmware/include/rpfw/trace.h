/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text trace into a buffer the host reads (an RSC_TRACE entry's buffer).
 *
 * The host reads the buffer as text from offset 0 up to the first NUL.
 * Each write (one rpfw_puts() or rpfw_printf() call) is appended after the
 * previous one and the buffer stays NUL-terminated after the newest byte.
 * When a write does not fit in the space left, the buffer wraps: the write
 * starts again at offset 0 and the older text is gone from the host's view.
 * A write longer than the buffer (less one byte for the NUL) is truncated.
 *
 * A write is published whole: its first byte replaces the old terminator
 * last, so a host reading while the core runs sees either all of a write or
 * none of it.  Writes mask interrupts, so interrupt handlers may trace too.
 *
 * Formats (rpfw_printf): %s %c %d %i %u %x %X %p %%, with a '0' flag and a
 * field width for numbers (e.g. "%08x", "%5u"); an 'l' is accepted and
 * ignored (long is 32 bits).  %p prints 0x and 8 hex digits.  Unknown
 * conversions are printed as they are and take no argument.
 */
#ifndef RPFW_TRACE_H
#define RPFW_TRACE_H

#include <stdarg.h>
#include <stddef.h>

/* Trace into @buf of @len bytes (a buffer shorter than 2 bytes disables
 * the trace); empties it.  Before the first call, tracing does nothing. */
void rpfw_trace_init(char *buf, size_t len);

/* Write @s and a newline, as puts(). */
void rpfw_puts(const char *s);

void rpfw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rpfw_vprintf(const char *fmt, va_list ap);

/* Format into @buf of @size bytes (always NUL-terminated if @size > 0);
 * returns the length the whole output would have had, as vsnprintf(). */
size_t rpfw_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif /* RPFW_TRACE_H */
