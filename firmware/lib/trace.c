// SPDX-License-Identifier: BSD-3-Clause
/*
 * The trace buffer writer and the small formatter behind rpfw_printf(),
 * rpfw_vsnprintf() and rpfw_panic().  Semantics in rpfw/trace.h.
 *
 * The formatter writes into a "sink" that holds the first character back
 * until the end: finish() writes the terminator, then the first character.
 * Appending at the trace's current terminator this way publishes a write
 * whole to a host reading the buffer concurrently.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpfw/arch.h"
#include "rpfw/trace.h"

struct sink {
	char *buf;  /* NULL: only count */
	size_t cap; /* characters that fit, not counting the NUL */
	size_t n;   /* characters produced so far */
	char first;
};

static struct {
	char *buf; /* NULL: no trace */
	size_t len;
	size_t pos; /* of the terminator */
} trace;

static void sink_init(struct sink *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->cap = cap;
	s->n = 0;
	s->first = '\0';
}

static void put(struct sink *s, char c)
{
	if (s->n < s->cap) {
		if (s->n)
			s->buf[s->n] = c;
		else
			s->first = c;
	}
	s->n++;
}

/* Terminate, then store the first character; returns the length written. */
static size_t finish(struct sink *s)
{
	size_t len = s->n < s->cap ? s->n : s->cap;

	if (s->buf) {
		s->buf[len] = '\0';
		rpfw_barrier();
		if (len)
			s->buf[0] = s->first;
	}
	return len;
}

static void put_num(struct sink *s, uint32_t v, unsigned int base,
		    unsigned int width, char pad, bool neg, char alpha)
{
	char digits[10];
	unsigned int i = 0;

	do {
		unsigned int d = v % base;

		digits[i++] = (char)(d < 10 ? '0' + d : alpha + d - 10);
		v /= base;
	} while (v);
	if (neg) {
		if (width)
			width--;
		if (pad == '0')
			put(s, '-');
	}
	for (; width > i; width--)
		put(s, pad);
	if (neg && pad != '0')
		put(s, '-');
	while (i)
		put(s, digits[--i]);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	char c;

	while ((c = *fmt++)) {
		unsigned int width = 0, base = 10, v;
		char pad = ' ', alpha = 'a';
		bool neg = false;
		const char *str;
		int i;

		if (c != '%') {
			put(s, c);
			continue;
		}
		if (*fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		if (*fmt == 'l')
			fmt++;
		switch (c = *fmt++) {
		case 's':
			str = va_arg(ap, const char *);
			for (str = str ? str : "(null)"; *str; str++)
				put(s, *str);
			continue;
		case 'c':
			put(s, (char)va_arg(ap, int));
			continue;
		case 'd':
		case 'i':
			i = va_arg(ap, int);
			neg = i < 0;
			v = neg ? 0u - (unsigned int)i : (unsigned int)i;
			break;
		case 'u':
			v = va_arg(ap, unsigned int);
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			v = (unsigned int)(uintptr_t)va_arg(ap, void *);
			width = 8;
			pad = '0';
			base = 16;
			break;
		case 'X':
			alpha = 'A';
			/* fall through */
		case 'x':
			v = va_arg(ap, unsigned int);
			base = 16;
			break;
		case '\0':
			return;
		default: /* "%%" and unknown conversions: as they are */
			put(s, c);
			continue;
		}
		put_num(s, v, base, width, pad, neg, alpha);
	}
}

size_t rpfw_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s;

	sink_init(&s, size ? buf : NULL, size ? size - 1 : 0);
	format(&s, fmt, ap);
	finish(&s);
	return s.n;
}

void rpfw_trace_init(char *buf, size_t len)
{
	uint32_t irq = rpfw_irq_save();

	trace.buf = len >= 2 ? buf : NULL;
	trace.len = len;
	trace.pos = 0;
	if (trace.buf)
		buf[0] = '\0';
	rpfw_irq_restore(irq);
}

void rpfw_vprintf(const char *fmt, va_list ap)
{
	struct sink s;
	size_t room;
	uint32_t irq;
	va_list count;

	if (!trace.buf)
		return;
	sink_init(&s, NULL, 0);
	va_copy(count, ap);
	format(&s, fmt, count);
	va_end(count);

	irq = rpfw_irq_save();
	room = trace.len - 1 - trace.pos;
	if (s.n > room) {
		/* wrap: the host sees an empty trace until this write lands */
		trace.buf[0] = '\0';
		trace.pos = 0;
		room = trace.len - 1;
	}
	sink_init(&s, trace.buf + trace.pos, room);
	format(&s, fmt, ap);
	trace.pos += finish(&s);
	rpfw_irq_restore(irq);
}

void rpfw_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rpfw_vprintf(fmt, ap);
	va_end(ap);
}

void rpfw_puts(const char *s)
{
	rpfw_printf("%s\n", s);
}
