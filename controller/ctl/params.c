#include "params.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sentinel_event.h"

#define HELP_COLUMN 24 /* where option descriptions start */
#define LEFT_MAX 64

__attribute__((format(printf, 4, 5))) static int
fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

int params_parse_endpoint(const char *s, struct params_endpoint *out,
			  char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	struct sentinel_addr a;
	size_t n;

	if (!colon)
		return fail(err, errlen, -EINVAL,
			    "bad address '%s': expected IP:PORT", s);
	n = (size_t)(colon - s);
	if (n >= sizeof(ip))
		return fail(err, errlen, -EINVAL,
			    "bad address '%s': not an IPv4 address", s);
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (sentinel_addr_parse(ip, colon + 1, &a))
		return fail(err, errlen, -EINVAL,
			    "bad address '%s': expected IPv4:PORT, "
			    "port 1-65535",
			    s);
	out->addr = a.ip;
	out->port = a.port;
	return 0;
}

int params_parse_prefix(const char *s, struct params_prefix *out, char *err,
			size_t errlen)
{
	char ip[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long len = 32;
	struct in_addr a;
	uint32_t mask;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(ip))
		return fail(err, errlen, -EINVAL,
			    "bad CIDR '%s': not an IPv4 address", s);
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		return fail(err, errlen, -EINVAL,
			    "bad CIDR '%s': '%s' is not an IPv4 address", s,
			    ip);
	if (slash) {
		char *end;

		/* Digits only: strtoul alone takes signs and blanks. */
		if (!slash[1] || strspn(slash + 1, "0123456789") !=
					 strlen(slash + 1))
			return fail(err, errlen, -EINVAL,
				    "bad CIDR '%s': prefix length must be 0-32",
				    s);
		len = strtoul(slash + 1, &end, 10);
		if (len > 32)
			return fail(err, errlen, -EINVAL,
				    "bad CIDR '%s': prefix length must be 0-32",
				    s);
	}
	mask = len ? htonl(~0u << (32 - len)) : 0;
	if (a.s_addr & ~mask) {
		struct in_addr base = { a.s_addr & mask };

		inet_ntop(AF_INET, &base, net, sizeof(net));
		return fail(err, errlen, -EINVAL,
			    "bad CIDR '%s': host bits set "
			    "(did you mean %s/%lu?)",
			    s, net, len);
	}
	out->addr = a.s_addr;
	out->len = (uint32_t)len;
	return 0;
}

static int parse_uint(const struct params_opt *o, const char *s,
		      unsigned long *v, char *err, size_t errlen)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		goto bad;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v < o->min || *v > o->max)
		goto bad;
	return 0;
bad:
	return fail(err, errlen, PARAMS_EVALUE,
		    "%s%s: '%s' is not a number from %lu to %lu",
		    o->positional ? "" : "--", o->name, s, o->min, o->max);
}

/* Convert `s` by the kind of `o` into its field of `cfg`. */
static int store(const struct params_opt *o, void *cfg, const char *s,
		 char *err, size_t errlen)
{
	void *field = (char *)cfg + o->offset;
	unsigned long v = 0;

	switch (o->kind) {
	case PARAMS_FLAG:
		*(bool *)field = true;
		return 0;
	case PARAMS_UINT:
		if (parse_uint(o, s, &v, err, errlen))
			return PARAMS_EVALUE;
		*(unsigned long *)field = v;
		return 0;
	case PARAMS_STRING:
		*(const char **)field = s;
		return 0;
	case PARAMS_ENUM:
		for (const struct params_choice *c = o->choices; c->name; c++)
			if (!strcmp(c->name, s)) {
				*(unsigned int *)field = c->value;
				return 0;
			}
		return fail(err, errlen, PARAMS_EVALUE, "%s: '%s' is not %s",
			    o->name, s, o->metavar);
	case PARAMS_ENDPOINT:
		return params_parse_endpoint(s, field, err, errlen)
			       ? PARAMS_EVALUE
			       : 0;
	case PARAMS_PREFIX:
		return params_parse_prefix(s, field, err, errlen)
			       ? PARAMS_EVALUE
			       : 0;
	}
	return fail(err, errlen, PARAMS_EVALUE, "%s: no kind", o->name);
}

static bool matches(const struct params_opt *o, const char *name,
		    size_t namelen, char short_opt)
{
	if (o->positional)
		return false;
	if (short_opt)
		return o->short_opt == short_opt;
	return strlen(o->name) == namelen && !strncmp(o->name, name, namelen);
}

/* The option of any set called `name` (namelen bytes, for --name) or
 * `short_opt` (-x); NULL if none. */
static const struct params_opt *find(const struct params_set *sets,
				     size_t nsets, const char *name,
				     size_t namelen, char short_opt,
				     void **cfg)
{
	for (size_t i = 0; i < nsets; i++)
		for (const struct params_opt *o = sets[i].opts; o->name; o++)
			if (matches(o, name, namelen, short_opt)) {
				*cfg = sets[i].cfg;
				return o;
			}
	return NULL;
}

/* One option at argv[*i]; advances *i past its value. */
static int parse_option(const struct params_set *sets, size_t nsets,
			int argc, char **argv, int *i, char *err,
			size_t errlen)
{
	const char *arg = argv[*i], *value = NULL, *name;
	const struct params_opt *o;
	size_t namelen;
	void *cfg;

	if (arg[1] == '-') {
		name = arg + 2;
		value = strchr(name, '=');
		namelen = value ? (size_t)(value - name) : strlen(name);
		if (value)
			value++;
		o = find(sets, nsets, name, namelen, 0, &cfg);
	} else {
		o = find(sets, nsets, NULL, 0, arg[1], &cfg);
		/* -n5 is -n 5; flags are not bundled (-jh). */
		if (o && arg[2] && o->kind != PARAMS_FLAG)
			value = arg + 2;
		else if (arg[2])
			o = NULL;
	}
	if (!o)
		return fail(err, errlen, PARAMS_EUSAGE, "unknown option '%s'",
			    arg);
	if (o->kind == PARAMS_FLAG) {
		if (value)
			return fail(err, errlen, PARAMS_EUSAGE,
				    "--%s takes no value", o->name);
		return store(o, cfg, NULL, err, errlen);
	}
	if (!value) {
		if (*i + 1 >= argc)
			return fail(err, errlen, PARAMS_EUSAGE,
				    "--%s needs a value (%s)", o->name,
				    o->metavar);
		value = argv[++*i];
	}
	return store(o, cfg, value, err, errlen);
}

int params_parse(const struct params_set *sets, size_t nsets, int argc,
		 char **argv, bool stop_at_word, int *next, char *err,
		 size_t errlen)
{
	const struct params_opt *pos = sets[0].opts;
	bool options_done = false;
	int i, r;

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && !strcmp(arg, "--")) {
			options_done = true;
			continue;
		}
		if (!options_done && arg[0] == '-' && arg[1]) {
			if ((r = parse_option(sets, nsets, argc, argv, &i, err,
					      errlen)))
				return r;
			continue;
		}
		if (stop_at_word)
			break;
		while (pos->name && !pos->positional)
			pos++;
		if (!pos->name)
			return fail(err, errlen, PARAMS_EUSAGE,
				    "unexpected argument '%s'", arg);
		if ((r = store(pos, sets[0].cfg, arg, err, errlen)))
			return r;
		pos++;
	}
	*next = i;
	if (stop_at_word)
		return 0;
	for (; pos->name; pos++)
		if (pos->positional)
			return fail(err, errlen, PARAMS_EUSAGE, "missing %s",
				    pos->name);
	return 0;
}

void params_print_synopsis(FILE *out, const struct params_opt *opts)
{
	for (const struct params_opt *o = opts; o->name; o++) {
		if (o->positional)
			fprintf(out, " %s", o->name);
		else if (o->kind == PARAMS_FLAG)
			fprintf(out, " [--%s]", o->name);
		else
			fprintf(out, " [--%s %s]", o->name, o->metavar);
	}
}

static void print_default(FILE *out, const struct params_opt *o,
			  const void *defaults)
{
	const void *field = (const char *)defaults + o->offset;

	if (o->kind == PARAMS_UINT && *(const unsigned long *)field)
		fprintf(out, " (default: %lu)", *(const unsigned long *)field);
	else if (o->kind == PARAMS_STRING && *(const char *const *)field)
		fprintf(out, " (default: %s)", *(const char *const *)field);
}

void params_print_help(FILE *out, const struct params_opt *opts,
		       const void *defaults)
{
	for (const struct params_opt *o = opts; o->name; o++) {
		char left[LEFT_MAX];
		const char *meta = o->kind == PARAMS_FLAG ? "" : o->metavar;

		if (o->positional)
			snprintf(left, sizeof(left), "%s", o->name);
		else if (o->short_opt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 o->short_opt, o->name, *meta ? " " : "", meta);
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 *meta ? " " : "", meta);
		fprintf(out, "  %-*s %s", HELP_COLUMN - 3, left, o->help);
		if (o->kind == PARAMS_ENUM) {
			fprintf(out, ":");
			for (const struct params_choice *c = o->choices;
			     c->name; c++)
				fprintf(out, "%s%s",
					c == o->choices ? " " : "|", c->name);
		}
		if (defaults)
			print_default(out, o, defaults);
		fputc('\n', out);
	}
}
