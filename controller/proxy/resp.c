/*
 * resp: requests from clients, replies from backends, and the proxy's own
 * answers (resp.h).
 *
 * Both parsers keep offsets from the start of the message, never pointers,
 * so the caller may move its buffer between calls. Both read their lines
 * through line_find(), which remembers how far it has searched: a line that
 * arrives a byte at a time is still scanned once. Every limit is checked
 * against the bytes as they arrive, so a verdict never depends on how the
 * input was split.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"

/* A request parser's arrays start this small and double with the
 * arguments that actually arrive. */
#define ARGS_INITIAL 8
/* Arrays larger than this, left by one huge request, are given back before
 * the next request. */
#define ARGS_KEEP 1024
/* "<type><int64>\r\n" and its NUL. */
#define HDR_MAX 32

enum line_status {
	LINE_OK,
	LINE_MORE,    /* no end yet */
	LINE_TOO_BIG, /* no newline within the line's limit */
	LINE_BAD,     /* complete, but no CRLF at its end, or not a number */
};

/* Steps of the reply scanner besides RESP_INCOMPLETE and RESP_PROTO_ERROR. */
enum {
	STEP_ELEMENT = RESP_PROTO_ERROR + 1, /* an element is complete */
	STEP_OPEN,			     /* an aggregate or a bulk began */
};

__attribute__((format(printf, 3, 4))) static int
proto_error(char *err, size_t errlen, const char *fmt, ...)
{
	char msg[RESP_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "Protocol error: %s", msg);
	return RESP_PROTO_ERROR;
}

/* ---- lines and numbers, shared by both parsers --------------------------- */

/*
 * The line at buf[start]: on LINE_OK, *eol is the offset of its '\n'. A
 * line holds at most `max` bytes before its '\n'; more is LINE_TOO_BIG as
 * soon as they have arrived, as Redis does for PROTO_INLINE_MAX_SIZE.
 * *scan is where the search resumes on the next call.
 */
static enum line_status line_find(const char *buf, size_t len, size_t start,
				  size_t *scan, size_t max, size_t *eol)
{
	size_t avail = len - start;
	size_t limit = avail > max ? start + max + 1 : len;
	size_t from = *scan > start ? *scan : start;
	const char *nl = NULL;

	if (from < limit)
		nl = memchr(buf + from, '\n', limit - from);
	if (nl) {
		*eol = (size_t)(nl - buf);
		return LINE_OK;
	}
	*scan = limit;
	return avail > max ? LINE_TOO_BIG : LINE_MORE;
}

/* A CRLF-terminated line at buf[start]: on LINE_OK its text ends at *end
 * (the '\r'). On LINE_OK and LINE_BAD (a bare '\n' ended it) *next is past
 * the line. */
static enum line_status read_line(const char *buf, size_t len, size_t start,
				  size_t *scan, size_t max, size_t *end,
				  size_t *next)
{
	size_t eol;
	enum line_status st = line_find(buf, len, start, scan, max, &eol);

	if (st != LINE_OK)
		return st;
	*next = eol + 1;
	if (eol == start || buf[eol - 1] != '\r')
		return LINE_BAD;
	*end = eol - 1;
	return LINE_OK;
}

/* An int64 written as Redis's string2ll() reads one: an optional '-', then
 * digits without a leading zero; nothing else, not even blanks. */
static bool parse_int64(const char *s, size_t n, int64_t *v)
{
	uint64_t u = 0;
	bool neg = n > 0 && s[0] == '-';
	size_t i = neg;

	if (n == 1 && s[0] == '0') {
		*v = 0;
		return true;
	}
	if (i == n || s[i] < '1' || s[i] > '9')
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || u > (UINT64_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (u > (uint64_t)INT64_MAX + neg)
		return false;
	*v = neg ? -(int64_t)(u - 1) - 1 : (int64_t)u;
	return true;
}

/*
 * A count or length line, "<type><int64>\r\n" at buf[start]: the one
 * reader of such lines in requests and replies. On LINE_OK and LINE_BAD (a
 * complete line that is not such a line) *next is past it.
 */
static enum line_status number_line(const char *buf, size_t len,
				    size_t start, size_t *scan, int64_t *v,
				    size_t *next)
{
	size_t end;
	enum line_status st = read_line(buf, len, start, scan,
					RESP_INLINE_MAX, &end, next);

	if (st == LINE_OK &&
	    (end == start || !parse_int64(buf + start + 1, end - start - 1, v)))
		return LINE_BAD;
	return st;
}

/* Whether the `n` bytes of a bulk at buf[pos] and the CRLF after them have
 * arrived: LINE_BAD if that CRLF is something else. */
static enum line_status bulk_end(const char *buf, size_t len, size_t pos,
				 int64_t n)
{
	size_t at = pos + (size_t)n;

	if (len - pos < (size_t)n + 2)
		return LINE_MORE;
	return buf[at] == '\r' && buf[at + 1] == '\n' ? LINE_OK : LINE_BAD;
}

/* ---- requests ------------------------------------------------------------ */

static void request_restart(struct resp_request_parser *p)
{
	p->pos = 0;
	p->scan = 0;
	p->argc_expected = -1;
	p->bulk_len = -1;
	p->nargs = 0;
}

void resp_request_parser_init(struct resp_request_parser *p,
			      const struct resp_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->lim = lim;
	request_restart(p);
}

static void request_free_args(struct resp_request_parser *p)
{
	free(p->arg_off);
	free(p->arg_len);
	free(p->argv);
	p->arg_off = p->arg_len = NULL;
	p->argv = NULL;
	p->args_cap = p->argv_cap = 0;
}

void resp_request_parser_free(struct resp_request_parser *p)
{
	request_free_args(p);
	free(p->scratch);
	resp_request_parser_init(p, p->lim);
}

/* Record an argument. The arrays grow with the arguments that arrived,
 * doubling, never past `max` (at least one more than there are). */
static int args_push(struct resp_request_parser *p, size_t off, size_t len,
		     size_t max)
{
	if (p->nargs == p->args_cap) {
		size_t cap = p->args_cap ? p->args_cap * 2 : ARGS_INITIAL;
		size_t *a;

		if (cap > max)
			cap = max;
		a = reallocarray(p->arg_off, cap, sizeof(*a));
		if (!a)
			return -ENOMEM;
		p->arg_off = a;
		a = reallocarray(p->arg_len, cap, sizeof(*a));
		if (!a)
			return -ENOMEM;
		p->arg_len = a;
		p->args_cap = cap;
	}
	p->arg_off[p->nargs] = off;
	p->arg_len[p->nargs] = len;
	p->nargs++;
	return 0;
}

/* The request is complete: its arguments become slices of `base`. */
static int request_done(struct resp_request_parser *p, const char *base,
			size_t len, struct resp_request *req)
{
	if (p->nargs > p->argv_cap) {
		struct resp_slice *v =
			reallocarray(p->argv, p->args_cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->argv = v;
		p->argv_cap = p->args_cap;
	}
	for (size_t i = 0; i < p->nargs; i++) {
		p->argv[i].ptr = base + p->arg_off[i];
		p->argv[i].len = p->arg_len[i];
	}
	req->argc = p->nargs;
	req->argv = p->argv;
	req->len = len;
	request_restart(p);
	return RESP_COMPLETE;
}

/* `*N`: the count, within the limit. */
static int multibulk_count(struct resp_request_parser *p, const char *buf,
			   size_t len, int64_t *n, char *err, size_t errlen)
{
	size_t next;

	switch (number_line(buf, len, 0, &p->scan, n, &next)) {
	case LINE_MORE:
		return RESP_INCOMPLETE;
	case LINE_TOO_BIG:
		return proto_error(err, errlen, "too big mbulk count string");
	case LINE_BAD:
		return proto_error(err, errlen, "invalid multibulk length");
	case LINE_OK:
		break;
	}
	if (*n > (int64_t)p->lim->max_multibulk)
		return proto_error(err, errlen, "invalid multibulk length");
	p->pos = next;
	return RESP_COMPLETE;
}

/* `$N` before an argument, in the order Redis checks it. */
static int bulk_header(struct resp_request_parser *p, const char *buf,
		       size_t len, char *err, size_t errlen)
{
	int64_t n = 0;
	size_t next;
	enum line_status st = number_line(buf, len, p->pos, &p->scan, &n,
					  &next);

	if (st == LINE_MORE)
		return RESP_INCOMPLETE;
	if (st == LINE_TOO_BIG)
		return proto_error(err, errlen, "too big bulk count string");
	if (buf[p->pos] != '$')
		return proto_error(err, errlen, "expected '$', got '%c'",
				   buf[p->pos]);
	if (st == LINE_BAD || n < 0 || (uint64_t)n > p->lim->max_bulk_len)
		return proto_error(err, errlen, "invalid bulk length");
	p->pos = next;
	p->bulk_len = n;
	return RESP_COMPLETE;
}

static int parse_multibulk(struct resp_request_parser *p, const char *buf,
			   size_t len, struct resp_request *req, char *err,
			   size_t errlen)
{
	enum line_status st;
	int r;

	if (p->argc_expected < 0) {
		int64_t n;

		r = multibulk_count(p, buf, len, &n, err, errlen);
		if (r != RESP_COMPLETE)
			return r;
		/* Redis takes `*0` and any negative count for an empty
		 * request. */
		if (n <= 0)
			return request_done(p, buf, p->pos, req);
		p->argc_expected = n;
	}
	while (p->nargs < (size_t)p->argc_expected) {
		if (p->bulk_len < 0) {
			r = bulk_header(p, buf, len, err, errlen);
			if (r != RESP_COMPLETE)
				return r;
		}
		st = bulk_end(buf, len, p->pos, p->bulk_len);
		if (st == LINE_MORE)
			return RESP_INCOMPLETE;
		/* Redis skips those two bytes unread; a proxy that did would
		 * let a client desynchronise it from its backends. */
		if (st == LINE_BAD)
			return proto_error(err, errlen,
					   "expected CRLF after bulk data");
		if (args_push(p, p->pos, (size_t)p->bulk_len,
			      (size_t)p->argc_expected))
			return -ENOMEM;
		p->pos += (size_t)p->bulk_len + 2;
		p->bulk_len = -1;
	}
	return request_done(p, buf, p->pos, req);
}

/* isspace() in the C locale: what sdssplitargs() skips between
 * arguments and wants after a closing quote. */
static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* What ends an unquoted argument: not \v nor \f, which sdssplitargs()
 * keeps inside one. */
static bool ends_arg(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One character of a "double-quoted" argument at s[0..n): its byte in
 * *out; returns how many bytes of s it took. */
static size_t unescape_double(const char *s, size_t n, char *out)
{
	if (s[0] != '\\' || n < 2) {
		*out = s[0];
		return 1;
	}
	if (s[1] == 'x' && n >= 4 && hex_value(s[2]) >= 0 &&
	    hex_value(s[3]) >= 0) {
		*out = (char)(hex_value(s[2]) * 16 + hex_value(s[3]));
		return 4;
	}
	switch (s[1]) {
	case 'n':
		*out = '\n';
		break;
	case 'r':
		*out = '\r';
		break;
	case 't':
		*out = '\t';
		break;
	case 'b':
		*out = '\b';
		break;
	case 'a':
		*out = '\a';
		break;
	default: /* \\, \" and any other: the character itself */
		*out = s[1];
		break;
	}
	return 2;
}

/* Likewise in 'single quotes', where \' is the only escape. */
static size_t unescape_single(const char *s, size_t n, char *out)
{
	if (s[0] == '\\' && n >= 2 && s[1] == '\'') {
		*out = '\'';
		return 2;
	}
	*out = s[0];
	return 1;
}

/*
 * One argument of an inline request from s[*i], unescaped into out[*o], as
 * sdssplitargs() reads it: quotes may open anywhere in an argument, and a
 * closing quote must be followed by a blank or the end. Returns false for
 * unbalanced quotes.
 */
static bool inline_arg(const char *s, size_t n, size_t *i, char *out,
		       size_t *o)
{
	char quote = 0;
	size_t k = *i;

	while (k < n) {
		if (!quote) {
			if (ends_arg(s[k]))
				break;
			if (s[k] == '"' || s[k] == '\'')
				quote = s[k];
			else
				out[(*o)++] = s[k];
			k++;
		} else if (s[k] == quote) {
			if (k + 1 < n && !is_space(s[k + 1]))
				return false;
			*i = k + 1;
			return true;
		} else if (quote == '"') {
			k += unescape_double(s + k, n - k, out + (*o)++);
		} else {
			k += unescape_single(s + k, n - k, out + (*o)++);
		}
	}
	*i = k;
	return !quote;
}

/* The arguments of the inline line s[0..n), into p->scratch (never longer
 * than the line). */
static int split_inline(struct resp_request_parser *p, const char *s,
			size_t n, char *err, size_t errlen)
{
	size_t i = 0, o = 0;

	if (n > p->scratch_cap) {
		char *m = realloc(p->scratch, n);

		if (!m)
			return -ENOMEM;
		p->scratch = m;
		p->scratch_cap = n;
	}
	p->nargs = 0;
	for (;;) {
		size_t start = o;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			return RESP_COMPLETE;
		if (!inline_arg(s, n, &i, p->scratch, &o))
			return proto_error(err, errlen,
					   "unbalanced quotes in request");
		/* Redis has no such limit; the proxy's applies to any
		 * request. */
		if (p->nargs == p->lim->max_multibulk)
			return proto_error(err, errlen, "too many arguments "
						       "in inline request");
		if (args_push(p, start, o - start, p->lim->max_multibulk))
			return -ENOMEM;
	}
}

/* A line ended by \n with an optional \r before it; a blank one is an
 * empty request. */
static int parse_inline(struct resp_request_parser *p, const char *buf,
			size_t len, struct resp_request *req, char *err,
			size_t errlen)
{
	size_t eol, end;
	int r;

	switch (line_find(buf, len, 0, &p->scan, RESP_INLINE_MAX, &eol)) {
	case LINE_MORE:
		return RESP_INCOMPLETE;
	case LINE_TOO_BIG:
		return proto_error(err, errlen, "too big inline request");
	default:
		break;
	}
	end = eol > 0 && buf[eol - 1] == '\r' ? eol - 1 : eol;
	r = split_inline(p, buf, end, err, errlen);
	if (r != RESP_COMPLETE)
		return r;
	return request_done(p, p->scratch, eol + 1, req);
}

int resp_request_parse(struct resp_request_parser *p, const char *buf,
		       size_t len, struct resp_request *req, char *err,
		       size_t errlen)
{
	int r;

	if (len == 0)
		return RESP_INCOMPLETE;
	if (p->pos == 0 && p->args_cap > ARGS_KEEP)
		request_free_args(p);
	/* As Redis: a request is a multibulk if and only if it starts with
	 * '*'. */
	if (buf[0] == '*')
		r = parse_multibulk(p, buf, len, req, err, errlen);
	else
		r = parse_inline(p, buf, len, req, err, errlen);
	if (r == RESP_PROTO_ERROR)
		request_restart(p);
	return r;
}

/* ---- replies ------------------------------------------------------------- */

void resp_reply_scanner_reset(struct resp_reply_scanner *s)
{
	s->pos = 0;
	s->scan = 0;
	s->depth = 0;
	s->bulk_len = -1;
}

/* Types whose line is a number, and those whose line is text. */
static bool is_number_type(char c)
{
	return c && strchr("$*:%~>=!|", c);
}

static bool is_text_type(char c)
{
	return c && strchr("+-,#(_", c);
}

/* What the line of each type holds, for error messages. */
static const char *type_what(char type)
{
	switch (type) {
	case ':':
		return "integer";
	case '$':
	case '=':
	case '!':
		return "bulk length";
	case '#':
		return "boolean";
	case '(':
		return "big number";
	case '_':
		return "null";
	default:
		return "aggregate length";
	}
}

/* An element is complete: close the aggregates it completes. Returns
 * whether that completes the reply. */
static bool element_done(struct resp_reply_scanner *s)
{
	while (s->depth > 0) {
		if (--s->remaining[s->depth - 1] > 0)
			return false;
		s->depth--;
	}
	return true;
}

/* An aggregate of n entries of `per` elements each, plus `extra`. */
static int open_aggregate(struct resp_reply_scanner *s, int64_t n,
			  int64_t per, int64_t extra, char *err, size_t errlen)
{
	if (n < 0 || n > (INT64_MAX - extra) / per)
		return proto_error(err, errlen, "invalid aggregate length");
	if (n * per + extra == 0)
		return STEP_ELEMENT;
	if (s->depth == RESP_MAX_DEPTH)
		return proto_error(err, errlen, "reply nested too deep");
	s->remaining[s->depth++] = n * per + extra;
	return STEP_OPEN;
}

static int open_bulk(struct resp_reply_scanner *s,
		     const struct resp_limits *lim, char type, int64_t n,
		     char *err, size_t errlen)
{
	if (n == -1 && type == '$')
		return STEP_ELEMENT;
	if (n < 0)
		return proto_error(err, errlen, "invalid bulk length");
	if ((uint64_t)n > lim->max_bulk_len)
		return proto_error(err, errlen, "bulk reply too big");
	s->bulk_len = n;
	return STEP_OPEN;
}

static int reply_number(struct resp_reply_scanner *s,
			const struct resp_limits *lim, const char *buf,
			size_t len, char *err, size_t errlen)
{
	char type = buf[s->pos];
	int64_t n = 0;
	size_t next;

	switch (number_line(buf, len, s->pos, &s->scan, &n, &next)) {
	case LINE_MORE:
		return RESP_INCOMPLETE;
	case LINE_OK:
		break;
	default:
		return proto_error(err, errlen, "invalid %s", type_what(type));
	}
	s->pos = next;
	switch (type) {
	case ':':
		return STEP_ELEMENT;
	case '$':
	case '=':
	case '!':
		return open_bulk(s, lim, type, n, err, errlen);
	case '%':
		return open_aggregate(s, n, 2, 0, err, errlen);
	case '|':
		/* Its pairs, then the reply it annotates: one element for
		 * the level above. */
		return open_aggregate(s, n, 2, 1, err, errlen);
	default: /* * ~ > */
		if (n == -1 && type == '*')
			return STEP_ELEMENT;
		return open_aggregate(s, n, 1, 0, err, errlen);
	}
}

/* Optional sign, then at least one digit. */
static bool is_big_number(const char *t, size_t n)
{
	size_t i = n > 0 && (t[0] == '-' || t[0] == '+');

	if (i == n)
		return false;
	for (; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return true;
}

/* + - , are any text; the others have a form. */
static bool text_valid(char type, const char *t, size_t n)
{
	switch (type) {
	case '#':
		return n == 1 && (t[0] == 't' || t[0] == 'f');
	case '_':
		return n == 0;
	case '(':
		return is_big_number(t, n);
	default:
		return true;
	}
}

/* A text line is at most max_bulk_len bytes: it could have been a bulk. */
static int reply_text(struct resp_reply_scanner *s,
		      const struct resp_limits *lim, const char *buf,
		      size_t len, char *err, size_t errlen)
{
	size_t start = s->pos, end, next;

	switch (read_line(buf, len, start, &s->scan, lim->max_bulk_len, &end,
			  &next)) {
	case LINE_MORE:
		return RESP_INCOMPLETE;
	case LINE_TOO_BIG:
		return proto_error(err, errlen, "too big reply line");
	case LINE_BAD:
		return proto_error(err, errlen, "reply line not ended by CRLF");
	case LINE_OK:
		break;
	}
	if (!text_valid(buf[start], buf + start + 1, end - start - 1))
		return proto_error(err, errlen, "invalid %s",
				   type_what(buf[start]));
	s->pos = next;
	return STEP_ELEMENT;
}

static int reply_payload(struct resp_reply_scanner *s, const char *buf,
			 size_t len, char *err, size_t errlen)
{
	switch (bulk_end(buf, len, s->pos, s->bulk_len)) {
	case LINE_OK:
		break;
	case LINE_BAD:
		return proto_error(err, errlen,
				   "expected CRLF after bulk data");
	default:
		return RESP_INCOMPLETE;
	}
	s->pos += (size_t)s->bulk_len + 2;
	s->bulk_len = -1;
	return STEP_ELEMENT;
}

static int reply_step(struct resp_reply_scanner *s,
		      const struct resp_limits *lim, const char *buf,
		      size_t len, char *err, size_t errlen)
{
	char type;

	if (s->bulk_len >= 0)
		return reply_payload(s, buf, len, err, errlen);
	if (s->pos == len)
		return RESP_INCOMPLETE;
	type = buf[s->pos];
	if (is_number_type(type))
		return reply_number(s, lim, buf, len, err, errlen);
	if (is_text_type(type))
		return reply_text(s, lim, buf, len, err, errlen);
	return proto_error(err, errlen, "unknown reply type byte 0x%02x",
			   (unsigned char)type);
}

int resp_reply_scan(struct resp_reply_scanner *s,
		    const struct resp_limits *lim, const char *buf, size_t len,
		    size_t *reply_len, char *err, size_t errlen)
{
	for (;;) {
		switch (reply_step(s, lim, buf, len, err, errlen)) {
		case RESP_INCOMPLETE:
			return RESP_INCOMPLETE;
		case RESP_PROTO_ERROR:
			resp_reply_scanner_reset(s);
			return RESP_PROTO_ERROR;
		case STEP_ELEMENT:
			if (!element_done(s))
				break;
			*reply_len = s->pos;
			resp_reply_scanner_reset(s);
			return RESP_COMPLETE;
		default: /* STEP_OPEN */
			break;
		}
	}
}

int resp_reply_header(const char *buf, size_t len, struct resp_header *h)
{
	size_t scan = 0, end, next = 0;
	int64_t n = 0;

	if (len == 0)
		return -EINVAL;
	if (is_number_type(buf[0])) {
		if (number_line(buf, len, 0, &scan, &n, &next) != LINE_OK)
			return -EINVAL;
	} else if (!is_text_type(buf[0]) ||
		   read_line(buf, len, 0, &scan, SIZE_MAX, &end, &next) !=
			   LINE_OK) {
		return -EINVAL;
	}
	h->type = buf[0];
	h->num = n;
	h->hdr_len = next;
	return 0;
}

size_t resp_reply_length(const char *buf, size_t len)
{
	static const struct resp_limits unlimited = { UINT64_MAX, UINT32_MAX };
	struct resp_reply_scanner s;
	size_t n;

	resp_reply_scanner_reset(&s);
	if (resp_reply_scan(&s, &unlimited, buf, len, &n, NULL, 0) !=
	    RESP_COMPLETE)
		return 0;
	return n;
}

/* ---- the encoder --------------------------------------------------------- */

/* Append into room reserved beforehand, so that an encoder appends its
 * whole element or nothing. */
static void put(struct buf *out, const void *p, size_t n)
{
	if (n)
		memcpy(out->data + out->end, p, n);
	out->end += n;
}

static size_t format_header(char *h, char type, int64_t n)
{
	return (size_t)snprintf(h, HDR_MAX, "%c%" PRId64 "\r\n", type, n);
}

/* "<type><n>\r\n", with room reserved for `extra` bytes after it. */
static int add_header(struct buf *out, char type, int64_t n, size_t extra)
{
	char h[HDR_MAX];
	size_t hlen = format_header(h, type, n);

	if (buf_reserve(out, hlen + extra))
		return -ENOMEM;
	put(out, h, hlen);
	return 0;
}

/* A status or error line can hold neither CR nor LF. */
static void no_newlines(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n')
			s[i] = ' ';
}

int resp_add_simple(struct buf *out, const char *s)
{
	size_t n = strlen(s);

	if (buf_reserve(out, n + 3))
		return -ENOMEM;
	put(out, "+", 1);
	put(out, s, n);
	no_newlines(out->data + out->end - n, n);
	put(out, "\r\n", 2);
	return 0;
}

int resp_add_error(struct buf *out, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	/* '-', the message and CRLF; vsnprintf's NUL lands where CR goes. */
	if (n < 0 || buf_reserve(out, (size_t)n + 3)) {
		va_end(ap2);
		return n < 0 ? -EINVAL : -ENOMEM;
	}
	put(out, "-", 1);
	vsnprintf(out->data + out->end, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	no_newlines(out->data + out->end, (size_t)n);
	out->end += (size_t)n;
	put(out, "\r\n", 2);
	return 0;
}

int resp_add_int(struct buf *out, int64_t v)
{
	return add_header(out, ':', v, 0);
}

int resp_add_bulk(struct buf *out, const void *p, size_t len)
{
	if (add_header(out, '$', (int64_t)len, len + 2))
		return -ENOMEM;
	put(out, p, len);
	put(out, "\r\n", 2);
	return 0;
}

int resp_add_null(struct buf *out, enum resp_proto proto)
{
	if (proto == RESP3)
		return buf_append(out, "_\r\n", 3);
	return buf_append(out, "$-1\r\n", 5);
}

int resp_add_array(struct buf *out, int64_t n)
{
	return add_header(out, '*', n, 0);
}

int resp_add_map(struct buf *out, int64_t n, enum resp_proto proto)
{
	if (proto == RESP3)
		return add_header(out, '%', n, 0);
	return add_header(out, '*', n * 2, 0);
}

int resp_add_command(struct buf *out, size_t argc,
		     const struct resp_slice *argv)
{
	char h[HDR_MAX];
	size_t total = 0;

	for (size_t i = 0; i < argc; i++)
		total += format_header(h, '$', (int64_t)argv[i].len) +
			 argv[i].len + 2;
	if (add_header(out, '*', (int64_t)argc, total))
		return -ENOMEM;
	for (size_t i = 0; i < argc; i++) {
		put(out, h, format_header(h, '$', (int64_t)argv[i].len));
		put(out, argv[i].ptr, argv[i].len);
		put(out, "\r\n", 2);
	}
	return 0;
}
