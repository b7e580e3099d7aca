/*
 * config_lex: split a configuration line into words, convert the words into
 * values (numbers, ports, ranges, addresses, keywords, names) and append
 * items to the repeatable tables, writing every error as "file:line: reason".
 * The contracts are in config_lex.h.
 */
#include "config_lex.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

__attribute__((format(printf, 3, 0))) static int
vfail_at(const struct config_lex *lx, int line, const char *fmt, va_list ap)
{
	static const char cut[] = "...";
	int n;

	if (!lx->errlen)
		return -EINVAL;
	if (line)
		n = snprintf(lx->err, lx->errlen, "%s:%d: ", lx->name, line);
	else
		n = snprintf(lx->err, lx->errlen, "%s: ", lx->name);
	if (n >= 0 && (size_t)n < lx->errlen) {
		int m = vsnprintf(lx->err + n, lx->errlen - n, fmt, ap);

		n = m < 0 ? m : n + m;
	}
	/* A cut message still names the place; mark the cut. */
	if ((n < 0 || (size_t)n >= lx->errlen) && lx->errlen >= sizeof(cut))
		memcpy(lx->err + lx->errlen - sizeof(cut), cut, sizeof(cut));
	return -EINVAL;
}

int config_lex_fail_at(const struct config_lex *lx, int line, const char *fmt,
		       ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(lx, line, fmt, ap);
	va_end(ap);
	return r;
}

int config_lex_fail(const struct config_lex *lx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail_at(lx, lx->line, fmt, ap);
	va_end(ap);
	return r;
}

int config_lex_split(const struct config_lex *lx, char *line, char **argv)
{
	char *in = line, *out;
	int argc = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in || *in == '#')
			break;
		if (argc == CONFIG_LEX_ARGS_MAX)
			return config_lex_fail(lx, "too many words (at most %d)",
					       CONFIG_LEX_ARGS_MAX);
		/* Unescaping only shrinks a word, so out never passes in. */
		argv[argc++] = out = in;
		if (*in == '"') {
			for (in++; *in != '"'; in++) {
				bool escaped = *in == '\\';

				if (escaped)
					in++;
				if (!*in)
					return config_lex_fail(lx, "unterminated quote");
				if (escaped && *in != '"' && *in != '\\')
					return config_lex_fail(lx, "unknown escape '\\%c' in quotes (only \\\" and \\\\)",
							       *in);
				*out++ = *in;
			}
			in++;
			if (*in && *in != ' ' && *in != '\t')
				return config_lex_fail(lx, "closing quote must be followed by a blank");
		} else {
			for (; *in && *in != ' ' && *in != '\t'; in++) {
				if (*in == '"')
					return config_lex_fail(lx, "'\"' inside a word: quote the whole word");
			}
			out = in;
		}
		if (*in)
			in++;
		*out = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

const char *config_lex_take_option(char ***arg, const char *kw)
{
	char **a = *arg;

	if (!a[0] || !a[1] || strcasecmp(a[0], kw))
		return NULL;
	*arg = a + 2;
	return a[1];
}

/* Digits only (no sign, blank or base prefix): 0, -EINVAL, or -ERANGE. */
static int scan_u32(const char *s, const char *end, uint32_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int config_lex_number(const struct config_lex *lx, const char *what,
		      const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint32_t v;
	int r = scan_u32(s, s + strlen(s), &v);

	if (r == -EINVAL)
		return config_lex_fail(lx, "%s '%s': not a number", what, s);
	if (r || v < min || v > max)
		return config_lex_fail(lx, "%s '%s': out of range %u..%u", what,
				       s, min, max);
	*out = v;
	return 0;
}

int config_lex_port(const struct config_lex *lx, const char *what,
		    const char *s, uint16_t *out)
{
	uint32_t v;
	int r = config_lex_number(lx, what, s, 1, CONFIG_LEX_PORT_MAX, &v);

	if (!r)
		*out = (uint16_t)v;
	return r;
}

int config_lex_range(const struct config_lex *lx, const char *what,
		     const char *s, uint32_t min, uint32_t max, uint32_t *first,
		     uint32_t *last)
{
	const char *dash = strchr(s, '-');
	uint32_t f = 0, l = 0; /* gcc -O2 cannot see the early returns */
	int r1, r2;

	if (!dash)
		return config_lex_fail(lx, "%s '%s': expected FIRST-LAST", what,
				       s);
	r1 = scan_u32(s, dash, &f);
	r2 = scan_u32(dash + 1, dash + strlen(dash), &l);
	if (r1 == -EINVAL || r2 == -EINVAL)
		return config_lex_fail(lx, "%s '%s': expected FIRST-LAST", what,
				       s);
	if (r1 || r2 || f < min || f > max || l < min || l > max)
		return config_lex_fail(lx, "%s '%s': out of range %u..%u", what,
				       s, min, max);
	if (f > l)
		return config_lex_fail(lx, "%s '%s': first is greater than last",
				       what, s);
	*first = f;
	*last = l;
	return 0;
}

int config_lex_addr(const struct config_lex *lx, const char *what,
		    const char *s, size_t len, bool unicast, uint32_t *out)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a;
	uint32_t h;

	if (len >= sizeof(buf))
		return config_lex_fail(lx, "%s '%.*s': not an IPv4 address",
				       what, (int)len, s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return config_lex_fail(lx, "%s '%s': IPv6 is not supported yet",
					       what, buf);
		return config_lex_fail(lx, "%s '%s': not an IPv4 address",
				       what, buf);
	}
	h = ntohl(a.s_addr);
	if (unicast && h == INADDR_ANY)
		return config_lex_fail(lx, "%s '%s': unspecified address", what,
				       buf);
	if (unicast && h == INADDR_BROADCAST)
		return config_lex_fail(lx, "%s '%s': broadcast address", what,
				       buf);
	if (unicast && IN_MULTICAST(h))
		return config_lex_fail(lx, "%s '%s': multicast address", what,
				       buf);
	*out = a.s_addr;
	return 0;
}

int config_lex_endpoint(const struct config_lex *lx, const char *what,
			const char *s, bool unicast,
			struct config_endpoint *out)
{
	const char *colon = strrchr(s, ':');
	uint32_t addr;
	uint16_t port;
	int r;

	if (!colon)
		return config_lex_fail(lx, "%s '%s': expected ADDR:PORT", what,
				       s);
	r = config_lex_addr(lx, what, s, (size_t)(colon - s), unicast, &addr);
	if (r)
		return r;
	r = config_lex_port(lx, "port", colon + 1, &port);
	if (r)
		return r;
	out->addr = addr;
	out->port = htons(port);
	return 0;
}

int config_lex_keyword(const struct config_lex *lx, const char *what,
		       const char *s, const char *const *names, size_t n)
{
	char choices[256];
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(s, names[i]))
			return (int)i;
	/* Built from the table so the message cannot drift from it. */
	choices[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(choices); i++) {
		int m = snprintf(choices + used, sizeof(choices) - used,
				 "%s%s", i ? "|" : "", names[i]);

		if (m < 0)
			break;
		used += (size_t)m;
	}
	return config_lex_fail(lx, "%s '%s': expected %s", what, s, choices);
}

bool config_lex_is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool config_lex_is_ifname_char(int c)
{
	return c != '/' && c != ':' && !isspace(c);
}

int config_lex_name(const struct config_lex *lx, const char *what,
		    const char *s, size_t max, bool (*valid)(int c))
{
	size_t len = strlen(s);

	if (!len)
		return config_lex_fail(lx, "%s '': empty name", what);
	if (len > max)
		return config_lex_fail(lx, "%s '%s': longer than %zu characters",
				       what, s, max);
	for (const char *c = s; *c; c++)
		if (!valid((unsigned char)*c))
			return config_lex_fail(lx, "%s '%s': character '%c' not allowed",
					       what, s, *c);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return config_lex_fail(lx, "%s '%s': not a valid name", what, s);
	return 0;
}

int config_lex_append_unique(const struct config_lex *lx,
			     const struct config_lex_list *l, const void *item,
			     const char *text)
{
	for (size_t i = 0; i < *l->n; i++)
		if (!memcmp((const char *)l->items + i * l->size, item,
			    l->key_size))
			return config_lex_fail(lx, "duplicate %s '%s' (first on line %d)",
					       l->noun, text, l->lines[i]);
	if (*l->n == l->max)
		return config_lex_fail(lx, "too many %s (at most %zu)",
				       l->plural, l->max);
	memcpy((char *)l->items + *l->n * l->size, item, l->size);
	l->lines[(*l->n)++] = lx->line;
	return 0;
}

int config_lex_add_address(const struct config_lex *lx,
			   const struct config_lex_list *l, const char *s)
{
	uint32_t addr;
	int r = config_lex_addr(lx, l->noun, s, strlen(s), true, &addr);

	return r ? r : config_lex_append_unique(lx, l, &addr, s);
}
