#include "request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resp.h"

/* Single-fragment requests, by far the most, are kept for reuse by the
 * thread that freed them: no malloc/free per request. */
#define CACHE_MAX 1024
#define ONE_FRAG_SIZE (sizeof(struct request) + sizeof(struct fragment))

static __thread struct request *cache;
static __thread size_t ncached;

void request_cache_clear(void)
{
	while (cache) {
		struct request *req = cache;

		cache = req->next;
		free(req);
	}
	ncached = 0;
}

struct request *request_new(struct client *c, enum route_merge merge,
			    size_t nfrags, size_t nkeys)
{
	struct request *req;

	if (nfrags == 1 && !nkeys && cache) {
		req = cache;
		cache = req->next;
		ncached--;
		memset(req, 0, ONE_FRAG_SIZE);
	} else {
		req = calloc(1, sizeof(*req) + nfrags * sizeof(req->frags[0]));
		if (!req)
			return NULL;
	}
	if (nkeys && !(req->key_frag = calloc(nkeys, sizeof(*req->key_frag)))) {
		free(req);
		return NULL;
	}
	req->client = c;
	req->merge = merge;
	req->nfrags = req->pending = nfrags;
	req->nkeys = nkeys;
	for (size_t i = 0; i < nfrags; i++)
		req->frags[i].req = req;
	req->done = nfrags == 0;
	return req;
}

void request_free(struct request *req)
{
	for (size_t i = 0; i < req->nfrags; i++)
		buf_free(&req->frags[i].reply);
	buf_free(&req->reply);
	free(req->key_frag);
	if (req->nfrags == 1 && !req->key_frag && ncached < CACHE_MAX) {
		req->next = cache;
		cache = req;
		ncached++;
		return;
	}
	free(req);
}

int request_fail(struct request *req, const char *fmt, ...)
{
	char msg[RESP_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	req->done = true;
	return resp_add_error(&req->reply, "%s", msg);
}

/* The first error among the fragments' replies, if any. */
static struct fragment *first_error(struct request *req)
{
	for (size_t i = 0; i < req->nfrags; i++) {
		const struct buf *r = &req->frags[i].reply;

		if (buf_len(r) && (buf_head(r)[0] == '-' || buf_head(r)[0] == '!'))
			return &req->frags[i];
	}
	return NULL;
}

static int merge_sum(struct request *req)
{
	int64_t sum = 0;

	for (size_t i = 0; i < req->nfrags; i++) {
		const struct buf *r = &req->frags[i].reply;
		struct resp_header h;

		if (resp_reply_header(buf_head(r), buf_len(r), &h) ||
		    h.type != ':')
			return resp_add_error(&req->reply,
					      "ERR redisha-proxy: a shard answered '%c' where an integer was due",
					      buf_len(r) ? buf_head(r)[0] : '?');
		if (__builtin_add_overflow(sum, h.num, &sum))
			return resp_add_error(&req->reply,
					      "ERR redisha-proxy: the shards' counts overflow a 64-bit integer");
	}
	return resp_add_int(&req->reply, sum);
}

/* Where each fragment's next element starts, stepping through arrays. */
struct cursor {
	const char *p;
	size_t left;
};

static int open_array(const struct buf *r, struct cursor *c, int64_t *n)
{
	struct resp_header h;

	if (resp_reply_header(buf_head(r), buf_len(r), &h) ||
	    (h.type != '*' && h.type != '~') || h.num < 0)
		return -EPROTO;
	c->p = buf_head(r) + h.hdr_len;
	c->left = buf_len(r) - h.hdr_len;
	*n = h.num;
	return 0;
}

static int take_element(struct cursor *c, struct buf *out)
{
	size_t len = resp_reply_length(c->p, c->left);

	if (!len)
		return -EPROTO;
	if (buf_append(out, c->p, len))
		return -ENOMEM;
	c->p += len;
	c->left -= len;
	return 0;
}

/* MGET: element i of the reply is the next element of the fragment that
 * holds key i; KEYS: all of each fragment's in turn. */
static int merge_arrays(struct request *req)
{
	struct cursor *cur = calloc(req->nfrags, sizeof(*cur));
	int64_t total = 0;
	int r = 0;

	if (!cur)
		return -ENOMEM;
	for (size_t i = 0; i < req->nfrags && !r; i++) {
		int64_t n;

		r = open_array(&req->frags[i].reply, &cur[i], &n);
		total += n;
	}
	if (r) {
		free(cur);
		return resp_add_error(&req->reply,
				      "ERR redisha-proxy: a shard answered something else than an array");
	}
	if (req->merge == MERGE_ARRAY)
		total = (int64_t)req->nkeys;
	r = resp_add_array(&req->reply, total);
	if (req->merge == MERGE_ARRAY) {
		for (size_t k = 0; k < req->nkeys && !r; k++)
			r = take_element(&cur[req->key_frag[k]], &req->reply);
	} else {
		for (size_t i = 0; i < req->nfrags && !r; i++)
			while (cur[i].left && !r)
				r = take_element(&cur[i], &req->reply);
	}
	free(cur);
	if (r == -EPROTO) {
		buf_consume(&req->reply, buf_len(&req->reply));
		return resp_add_error(&req->reply,
				      "ERR redisha-proxy: a shard's array reply was malformed");
	}
	return r;
}

/* SCAN: *2 $cursor *keys, with the shard's cursor made the proxy's. */
static int merge_scan(struct request *req)
{
	const struct buf *r = &req->frags[0].reply;
	const char *p = buf_head(r);
	size_t left = buf_len(r);
	struct resp_header top, cur;
	uint64_t v = 0;
	char num[24];
	int n;

	if (resp_reply_header(p, left, &top) || top.type != '*' || top.num != 2 ||
	    resp_reply_header(p + top.hdr_len, left - top.hdr_len, &cur) ||
	    cur.type != '$' || cur.num <= 0 || cur.num > 20)
		return resp_add_error(&req->reply,
				      "ERR redisha-proxy: a shard's SCAN reply was malformed");
	p += top.hdr_len + cur.hdr_len;
	left -= top.hdr_len + cur.hdr_len;
	if (left < (size_t)cur.num + 2)
		return resp_add_error(&req->reply,
				      "ERR redisha-proxy: a shard's SCAN reply was malformed");
	for (int64_t i = 0; i < cur.num; i++) {
		if (p[i] < '0' || p[i] > '9')
			return resp_add_error(&req->reply,
					      "ERR redisha-proxy: a shard's SCAN cursor was not a number");
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	p += cur.num + 2;
	left -= (size_t)cur.num + 2;
	v = route_scan_cursor(v, req->shard, req->nshards);
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	if (resp_add_array(&req->reply, 2) ||
	    resp_add_bulk(&req->reply, num, (size_t)n) ||
	    buf_append(&req->reply, p, left))
		return -ENOMEM;
	return 0;
}

/* RANDOMKEY: a non-null reply, looking first at fragment `pick`. */
static int merge_any(struct request *req)
{
	struct fragment *take = &req->frags[0];

	for (size_t i = 0; i < req->nfrags; i++) {
		struct fragment *f = &req->frags[(req->pick + i) % req->nfrags];
		struct resp_header h;

		if (!resp_reply_header(buf_head(&f->reply), buf_len(&f->reply),
				       &h) &&
		    h.type != '_' && h.num != -1) {
			take = f;
			break;
		}
	}
	req->reply = take->reply;
	take->reply = (struct buf){ 0 };
	return 0;
}

static int merge(struct request *req)
{
	struct fragment *err = first_error(req);
	struct fragment *src = err ? err : &req->frags[0];

	if (err || req->merge == MERGE_NONE || req->merge == MERGE_FIRST ||
	    req->merge == MERGE_OK) {
		/* MSET's fragments all say +OK when none failed. */
		req->reply = src->reply;
		src->reply = (struct buf){ 0 };
		return 0;
	}
	switch (req->merge) {
	case MERGE_SUM:
		return merge_sum(req);
	case MERGE_SCAN:
		return merge_scan(req);
	case MERGE_ANY:
		return merge_any(req);
	default:
		return merge_arrays(req);
	}
}

bool request_fragment_done(struct fragment *frag)
{
	struct request *req = frag->req;

	frag->done = true;
	if (--req->pending)
		return false;
	if (merge(req)) {
		/* Out of memory while merging: the client learns it. */
		buf_free(&req->reply);
		if (resp_add_error(&req->reply, "ERR redisha-proxy: out of memory"))
			buf_free(&req->reply);
	}
	req->done = true;
	return true;
}
