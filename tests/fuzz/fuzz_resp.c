/*
 * libFuzzer target for redisha-proxy's RESP layer (controller/proxy/resp.c):
 * the input is read as a pipeline of requests and, separately, as a
 * pipeline of replies. Each message is parsed twice: whole, and fed in
 * growing prefixes cut at positions drawn from the input, every prefix in a
 * fresh malloc'd copy (so a pointer kept across calls is a use after free).
 * Both ways must agree exactly; complete messages must lie within the input;
 * a parsed request re-encoded by resp_add_command must parse back the same.
 * The first byte also picks the limits and the way of cutting.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "resp.h"

#define check(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

/* Large enough that no request the fuzzer makes is refused by them. */
static const struct resp_limits roomy = { UINT64_MAX, UINT32_MAX };

/* The way a message is cut: a seed, and whether a byte at a time. */
struct cutter {
	uint64_t rng;
	int bytewise;
};

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The next prefix length after `cut`, in (cut, avail]. */
static size_t next_cut(struct cutter *c, size_t cut, size_t avail)
{
	if (c->bytewise)
		return cut + 1;
	return cut + 1 + (size_t)(next_random(&c->rng) % (avail - cut));
}

static char *copy(const uint8_t *data, size_t len)
{
	char *c = malloc(len ? len : 1);

	check(c);
	memcpy(c, data, len);
	return c;
}

static int within(const char *p, size_t len, const char *base, size_t size)
{
	return p >= base && len <= size && p - base <= (ptrdiff_t)(size - len);
}

static int same_args(const struct resp_request *a,
		     const struct resp_request *b)
{
	if (a->argc != b->argc)
		return 0;
	for (size_t i = 0; i < a->argc; i++)
		if (a->argv[i].len != b->argv[i].len ||
		    (a->argv[i].len &&
		     memcmp(a->argv[i].ptr, b->argv[i].ptr, a->argv[i].len)))
			return 0;
	return 1;
}

/* A complete request lies within its message (multibulk) or within the
 * parser's scratch space (inline), and keeps the limits. */
static void check_request(const struct resp_request_parser *p,
			  const struct resp_limits *lim, const char *buf,
			  size_t avail, const struct resp_request *req)
{
	int multibulk = buf[0] == '*';
	const char *base = multibulk ? buf : p->scratch;
	size_t size = multibulk ? req->len : p->scratch_cap;

	check(req->len > 0 && req->len <= avail);
	check(req->argc <= lim->max_multibulk);
	for (size_t i = 0; i < req->argc; i++) {
		check(within(req->argv[i].ptr, req->argv[i].len, base, size));
		check(!multibulk || req->argv[i].len <= lim->max_bulk_len);
	}
}

/* resp_add_command's bytes parse back into the same arguments. */
static void check_round_trip(const struct resp_request *req)
{
	struct resp_request_parser p;
	struct resp_request back;
	struct buf b = { 0 };
	char err[RESP_ERR_MAX];

	check(resp_add_command(&b, req->argc, req->argv) == 0);
	resp_request_parser_init(&p, &roomy);
	check(resp_request_parse(&p, buf_head(&b), buf_len(&b), &back, err,
				 sizeof(err)) == RESP_COMPLETE);
	check(back.len == buf_len(&b));
	check(same_args(req, &back));
	resp_request_parser_free(&p);
	buf_free(&b);
}

/* The request at msg[0..avail) fed in prefixes: the result must be the
 * whole parse's. Returns that result. */
static int split_request(struct resp_request_parser *p,
			 const struct resp_limits *lim, struct cutter *c,
			 const uint8_t *msg, size_t avail, int want,
			 const struct resp_request *whole,
			 const char *whole_err)
{
	struct resp_request req;
	char err[RESP_ERR_MAX];
	size_t cut = 0;
	int r;

	do {
		char *part;

		cut = next_cut(c, cut, avail);
		part = copy(msg, cut);
		r = resp_request_parse(p, part, cut, &req, err, sizeof(err));
		check(r == RESP_INCOMPLETE || r == want);
		if (r == RESP_COMPLETE) {
			check_request(p, lim, part, cut, &req);
			check(req.len == whole->len && same_args(&req, whole));
		}
		if (r == RESP_PROTO_ERROR)
			check(strcmp(err, whole_err) == 0);
		free(part);
	} while (r == RESP_INCOMPLETE && cut < avail);
	check(r == want);
	return r;
}

static void fuzz_requests(const struct resp_limits *lim, struct cutter *c,
			  const uint8_t *data, size_t size)
{
	struct resp_request_parser whole, split;
	struct resp_request req;
	char err[RESP_ERR_MAX];
	size_t off = 0;
	int r;

	resp_request_parser_init(&whole, lim);
	resp_request_parser_init(&split, lim);
	while (off < size) {
		const char *msg = (const char *)data + off;

		r = resp_request_parse(&whole, msg, size - off, &req, err,
				       sizeof(err));
		check(r == RESP_COMPLETE || r == RESP_INCOMPLETE ||
		      r == RESP_PROTO_ERROR);
		if (r == RESP_COMPLETE) {
			check_request(&whole, lim, msg, size - off, &req);
			check_round_trip(&req);
		}
		split_request(&split, lim, c, data + off, size - off, r, &req,
			      err);
		if (r != RESP_COMPLETE)
			break;
		off += req.len;
	}
	resp_request_parser_free(&whole);
	resp_request_parser_free(&split);
}

/* As split_request, for the reply at msg[0..avail). */
static void split_reply(const struct resp_limits *lim, struct cutter *c,
			const uint8_t *msg, size_t avail, int want,
			size_t want_len, const char *whole_err)
{
	struct resp_reply_scanner s;
	char err[RESP_ERR_MAX];
	size_t cut = 0, n = 0;
	int r;

	resp_reply_scanner_reset(&s);
	do {
		char *part;

		cut = next_cut(c, cut, avail);
		part = copy(msg, cut);
		r = resp_reply_scan(&s, lim, part, cut, &n, err, sizeof(err));
		free(part);
		check(r == RESP_INCOMPLETE || r == want);
	} while (r == RESP_INCOMPLETE && cut < avail);
	check(r == want);
	check(r != RESP_COMPLETE || n == want_len);
	check(r != RESP_PROTO_ERROR || strcmp(err, whole_err) == 0);
}

/* A complete reply within limits is one without them, whose header
 * reads. */
static void check_reply(const char *msg, size_t avail, size_t len)
{
	struct resp_header h;

	check(len > 0 && len <= avail);
	check(resp_reply_length(msg, avail) == len);
	check(resp_reply_length(msg, len) == len);
	check(resp_reply_length(msg, len - 1) == 0);
	check(resp_reply_header(msg, len, &h) == 0);
	check(h.type == msg[0] && h.hdr_len <= len);
}

static void fuzz_replies(const struct resp_limits *lim, struct cutter *c,
			 const uint8_t *data, size_t size)
{
	struct resp_reply_scanner s;
	char err[RESP_ERR_MAX];
	size_t off = 0, n = 0;
	int r;

	resp_reply_scanner_reset(&s);
	while (off < size) {
		const char *msg = (const char *)data + off;

		r = resp_reply_scan(&s, lim, msg, size - off, &n, err,
				    sizeof(err));
		check(r == RESP_COMPLETE || r == RESP_INCOMPLETE ||
		      r == RESP_PROTO_ERROR);
		if (r == RESP_COMPLETE)
			check_reply(msg, size - off, n);
		split_reply(lim, c, data + off, size - off, r, n, err);
		if (r != RESP_COMPLETE)
			break;
		off += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resp_limits lim = { 1 << 20, 1024 };
	struct cutter c = { 0x9e3779b97f4a7c15ull, 0 };

	if (size == 0)
		return 0;
	/* Small limits, so that inputs can reach them. */
	if (data[0] & 1)
		lim.max_bulk_len = 16;
	if (data[0] & 2)
		lim.max_multibulk = 4;
	c.bytewise = data[0] & 4;
	for (size_t i = 0; i < size; i++) /* FNV-1a: cuts depend on input */
		c.rng = (c.rng ^ data[i]) * 0x100000001b3ull;
	c.rng |= 1; /* xorshift never leaves 0 */
	fuzz_requests(&lim, &c, data, size);
	fuzz_replies(&lim, &c, data, size);
	return 0;
}
