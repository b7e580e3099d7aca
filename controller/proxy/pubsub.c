#define _GNU_SOURCE /* memmem */
#include "pubsub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dispatch.h"
#include "log.h"
#include "proxy.h"

#define CROSSSLOT_ERR "CROSSSLOT Keys in request don't hash to the same slot"

/* A set of names (channels or patterns). Subscribers hold few: a list. */
struct name_set {
	struct resp_slice *items; /* each ptr malloc'd */
	size_t n, cap;
};

/* Confirmations a connection owes, in the order its commands went out:
 * `left` more for `req` (NULL: swallowed, a pattern's echo from a shard
 * other than the first). */
struct owed {
	struct request *req;
	size_t left;
	bool sharded; /* counts shard channels */
	struct owed *next;
};

struct pubsub {
	struct backend *conn[RH_MAX_SHARDS];
	struct owed *owed_head[RH_MAX_SHARDS], *owed_tail[RH_MAX_SHARDS];
	struct name_set channels, patterns, schannels;
};

/* ---- sets ----------------------------------------------------------- */

static ssize_t set_find(const struct name_set *s, const char *p, size_t len)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].len == len && !memcmp(s->items[i].ptr, p, len))
			return (ssize_t)i;
	return -1;
}

static int set_add(struct name_set *s, const char *p, size_t len)
{
	char *copy;

	if (set_find(s, p, len) >= 0)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct resp_slice *items = realloc(s->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		s->items = items;
		s->cap = cap;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, p, len);
	s->items[s->n++] = (struct resp_slice){ copy, len };
	return 0;
}

static void set_remove(struct name_set *s, const char *p, size_t len)
{
	ssize_t i = set_find(s, p, len);

	if (i < 0)
		return;
	free((char *)s->items[i].ptr);
	s->items[i] = s->items[--s->n];
}

static void set_free(struct name_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((char *)s->items[i].ptr);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* ---- connections ---------------------------------------------------- */

static struct pubsub *state(struct client *c)
{
	if (!c->ps)
		c->ps = calloc(1, sizeof(*c->ps));
	return c->ps;
}

static struct backend *conn_for(struct client *c, size_t shard)
{
	struct pubsub *ps = c->ps;

	if (!ps->conn[shard]) {
		struct backend *b = malloc(sizeof(*b));

		if (!b)
			return NULL;
		backend_init(b, c->w, shard, c->proto);
		b->owner = c;
		b->pubsub = true;
		ps->conn[shard] = b;
	}
	return ps->conn[shard];
}

/* Send `cmd` with `n` arguments to shard's connection, owing `owe`
 * confirmations to `req`. Returns NULL, or the error (maybe in `why`). */
static const char *send_sub(struct client *c, size_t shard, const char *cmd,
			    const struct resp_slice *args, size_t n,
			    struct request *req, size_t owe, bool sharded,
			    char why[RESP_ERR_MAX])
{
	struct backend *b = conn_for(c, shard);
	struct owed *o = calloc(1, sizeof(*o));
	struct buf *out;
	int r;

	if (!b || !o) {
		free(o);
		return "ERR redisha-proxy: out of memory";
	}
	if (!backend_ready(b, why, RESP_ERR_MAX)) {
		free(o);
		return why;
	}
	out = backend_out(b);
	r = resp_add_array(out, (int64_t)n + 1);
	r = r ?: resp_add_bulk(out, cmd, strlen(cmd));
	for (size_t i = 0; i < n && !r; i++)
		r = resp_add_bulk(out, args[i].ptr, args[i].len);
	if (r) {
		free(o);
		backend_close(b); /* a half-written command: start over */
		return "ERR redisha-proxy: out of memory";
	}
	*o = (struct owed){ .req = req, .left = owe, .sharded = sharded };
	if (c->ps->owed_tail[shard])
		c->ps->owed_tail[shard]->next = o;
	else
		c->ps->owed_head[shard] = o;
	c->ps->owed_tail[shard] = o;
	worker_mark_backend(c->w, b);
	return NULL;
}

/* ---- replies of the proxy's own -------------------------------------- */

/* A confirmation in Redis's shape: [kind, name or nil, count]. */
static int add_confirmation(struct buf *out, enum resp_proto proto,
			    const char *kind, const struct resp_slice *name,
			    int64_t count)
{
	int r = proto == RESP3 ? buf_append(out, ">3\r\n", 4)
			       : resp_add_array(out, 3);

	r = r ?: resp_add_bulk(out, kind, strlen(kind));
	r = r ?: name ? resp_add_bulk(out, name->ptr, name->len)
		      : resp_add_null(out, proto);
	return r ?: resp_add_int(out, count);
}

static int64_t count(const struct pubsub *ps, bool sharded)
{
	return sharded ? (int64_t)ps->schannels.n
		       : (int64_t)(ps->channels.n + ps->patterns.n);
}

/* A request whose reply the confirmations will make, `n` of them. */
static struct request *confirmations_due(struct client *c, size_t n)
{
	struct request *req = request_new(c, MERGE_NONE, 0, 0);

	if (!req)
		return NULL;
	req->done = n == 0;
	req->pending = n;
	dispatch_enqueue(c, req);
	return req;
}

/* Nothing to leave: Redis still confirms, with a nil name. */
static void confirm_nothing(struct client *c, const char *kind, bool sharded)
{
	struct request *req = confirmations_due(c, 0);

	if (!req || add_confirmation(&req->reply, c->proto, kind, NULL,
				     count(c->ps, sharded)))
		c->drop = "out of memory";
	client_drain(c);
}

/* ---- commands ------------------------------------------------------- */

static size_t shard_of(const struct client *c, const struct resp_slice *ch)
{
	return route_key_shard(&c->w->px->route, ch->ptr, ch->len);
}

/* Channels, grouped by shard, each group one command to that shard. */
static const char *by_channel(struct client *c, const char *cmd,
			      const struct resp_slice *chans, size_t n,
			      struct request *req, bool sharded,
			      char why[RESP_ERR_MAX])
{
	struct resp_slice *group = malloc(n * sizeof(*group));
	const char *err = NULL;

	if (!group)
		return "ERR redisha-proxy: out of memory";
	for (size_t s = 0; s < c->w->px->cfg.nshards && !err; s++) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (shard_of(c, &chans[i]) == s)
				group[k++] = chans[i];
		if (k)
			err = send_sub(c, s, cmd, group, k, req, k, sharded,
				       why);
	}
	free(group);
	return err;
}

/* Patterns: to every shard; the first shard's confirmations answer. */
static const char *everywhere(struct client *c, const char *cmd,
			      const struct resp_slice *pats, size_t n,
			      size_t owed, struct request *req,
			      char why[RESP_ERR_MAX])
{
	const char *err = NULL;

	for (size_t s = 0; s < c->w->px->cfg.nshards && !err; s++)
		err = send_sub(c, s, cmd, pats, n, s ? NULL : req, owed, false,
			       why);
	return err;
}

/* The names of `set` on shard s, for an argument-less unsubscribe. */
static size_t on_shard(const struct client *c, const struct name_set *set,
		       size_t s)
{
	size_t k = 0;

	for (size_t i = 0; i < set->n; i++)
		k += shard_of(c, &set->items[i]) == s;
	return k;
}

static const char *unsubscribe_all(struct client *c, const char *cmd,
				   const struct name_set *set,
				   struct request *req, bool sharded,
				   char why[RESP_ERR_MAX])
{
	const char *err = NULL;

	for (size_t s = 0; s < c->w->px->cfg.nshards && !err; s++) {
		size_t k = on_shard(c, set, s);

		if (k)
			err = send_sub(c, s, cmd, NULL, 0, req, k, sharded,
				       why);
	}
	return err;
}

static void subscribe_family(struct client *c, const char *name,
			     const struct resp_request *preq)
{
	const struct resp_slice *args = preq->argv + 1;
	size_t n = preq->argc - 1;
	bool sharded = !strcmp(name, "ssubscribe") ||
		       !strcmp(name, "sunsubscribe");
	bool pattern = name[0] == 'p';
	bool leave = strstr(name, "unsubscribe") != NULL;
	struct pubsub *ps = state(c);
	const struct name_set *set;
	char why[RESP_ERR_MAX];
	struct request *req;
	const char *err;

	if (!ps) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	if (c->in_multi) {
		/* refused while queuing: EXEC aborts, as for other errors */
		c->multi_failed = true;
		dispatch_error(c, "ERR redisha-proxy: '%s' is not allowed inside MULTI",
			       name);
		return;
	}
	if (sharded && n) {
		for (size_t i = 1; i < n; i++) {
			if (shard_of(c, &args[i]) != shard_of(c, &args[0])) {
				dispatch_error(c, CROSSSLOT_ERR);
				return;
			}
		}
	}
	set = pattern ? &ps->patterns : sharded ? &ps->schannels : &ps->channels;
	if (leave && !n && !set->n) {
		confirm_nothing(c, name, sharded);
		return;
	}
	req = confirmations_due(c, n ? n : set->n);
	if (!req) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	if (pattern)
		err = everywhere(c, name, args, n, n ? n : set->n, req, why);
	else if (n)
		err = by_channel(c, name, args, n, req, sharded, why);
	else
		err = unsubscribe_all(c, name, set, req, sharded, why);
	if (err) {
		/* The confirmations will not all come: the client cannot
		 * know what it is subscribed to. */
		log_warn("pubsub", "%s: %s", c->addr, err);
		c->drop = "a subscription could not be sent";
	}
}

bool pubsub_dispatch(struct client *c, const struct route *rt,
		     const struct resp_request *preq)
{
	const char *name = rt->cmd ? rt->cmd->name : "";
	bool subscribed;

	if (!rt->pubsub && !c->ps)
		return false; /* never subscribed: most clients */
	subscribed = c->ps && (c->ps->channels.n || c->ps->patterns.n ||
			       c->ps->schannels.n);
	if (rt->pubsub) {
		subscribe_family(c, name, preq);
		return true;
	}
	if (!strcmp(name, "reset")) {
		pubsub_close(c);
		return false;
	}
	if (!subscribed || c->proto != RESP2 || rt->kind == ROUTE_ERROR ||
	    !strcmp(name, "quit"))
		return false;
	if (!strcmp(name, "ping")) {
		/* Redis's answer to PING in subscribed RESP2 mode. */
		struct request *req = confirmations_due(c, 0);
		int r = !req;

		r = r ?: resp_add_array(&req->reply, 2);
		r = r ?: resp_add_bulk(&req->reply, "pong", 4);
		r = r ?: resp_add_bulk(&req->reply,
				       preq->argc > 1 ? preq->argv[1].ptr : "",
				       preq->argc > 1 ? preq->argv[1].len : 0);
		if (r)
			c->drop = "out of memory";
		client_drain(c);
		return true;
	}
	dispatch_error(c, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
		       name);
	return true;
}

/* ---- what the connections send ----------------------------------------- */

static bool is(const char *p, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(p, word, len);
}

/* A confirmation from shard s: the client's sets, then its count, in the
 * reply of the request that owes it. */
static void confirmed(struct client *c, size_t s, const char *kind,
		      size_t kind_len, const char *name_p, size_t name_len,
		      bool has_name)
{
	struct pubsub *ps = c->ps;
	struct owed *o = ps->owed_head[s];
	struct resp_slice name = { name_p, name_len };
	char k[16];
	int r = 0;

	if (!o) {
		log_debug("pubsub", "%s: a confirmation nobody waits for", c->addr);
		return;
	}
	if (o->req) {
		bool pat = kind_len && kind[0] == 'p';
		bool leave = memmem(kind, kind_len, "unsubscribe", 11) != NULL;
		struct name_set *set = pat ? &ps->patterns
				     : o->sharded ? &ps->schannels
						  : &ps->channels;

		if (has_name) {
			if (leave)
				set_remove(set, name_p, name_len);
			else
				r = set_add(set, name_p, name_len);
		}
		snprintf(k, sizeof(k), "%.*s", (int)kind_len, kind);
		r = r ?: add_confirmation(&o->req->reply, c->proto, k,
					  has_name ? &name : NULL,
					  count(ps, o->sharded));
		if (r)
			c->drop = "out of memory";
		if (--o->req->pending == 0) {
			o->req->done = true;
			client_drain(c);
		}
	}
	if (--o->left == 0) {
		ps->owed_head[s] = o->next;
		if (!o->next)
			ps->owed_tail[s] = NULL;
		free(o);
	}
}

void pubsub_reply(struct backend *b, const char *p, size_t len)
{
	struct client *c = b->owner;
	struct resp_header top, kind, name;
	const char *q = p;
	size_t left = len;

	/* [kind, name, count] or [kind, ...message...]; RESP2 or push */
	if (resp_reply_header(q, left, &top) ||
	    (top.type != '*' && top.type != '>') || top.num < 2)
		goto odd;
	q += top.hdr_len;
	left -= top.hdr_len;
	if (resp_reply_header(q, left, &kind) || kind.type != '$' ||
	    left < kind.hdr_len + (size_t)kind.num + 2)
		goto odd;
	if (is(q + kind.hdr_len, (size_t)kind.num, "message") ||
	    is(q + kind.hdr_len, (size_t)kind.num, "pmessage") ||
	    is(q + kind.hdr_len, (size_t)kind.num, "smessage")) {
		struct buf *to = c->head ? &c->push : &c->out;

		if (buf_append(to, p, len))
			c->drop = "out of memory for messages";
		client_drain(c);
		return;
	}
	{
		const char *k = q + kind.hdr_len;
		size_t klen = (size_t)kind.num;

		q += kind.hdr_len + klen + 2;
		left -= kind.hdr_len + klen + 2;
		if (resp_reply_header(q, left, &name) ||
		    (name.type == '$' && left < name.hdr_len + (size_t)name.num))
			goto odd;
		confirmed(c, b->shard, k, klen, q + name.hdr_len,
			  name.type == '$' ? (size_t)name.num : 0,
			  name.type == '$' && name.num >= 0);
	}
	return;
odd:
	log_warn("pubsub", "%s: a subscriber connection sent something else than a message or confirmation",
		 c->addr);
	c->drop = "pub/sub protocol out of step";
	worker_mark_client(c->w, c);
}

size_t pubsub_count(const struct client *c, enum pubsub_kind kind)
{
	if (!c->ps)
		return 0;
	return kind == PUBSUB_CHANNELS	 ? c->ps->channels.n
	       : kind == PUBSUB_PATTERNS ? c->ps->patterns.n
					 : c->ps->schannels.n;
}

void pubsub_lost(struct client *c, const char *why)
{
	log_info("pubsub", "%s: %s: closing the subscriber so that it subscribes again",
		 c->addr, why);
	c->drop = "its subscriptions were lost";
	worker_mark_client(c->w, c);
}

void pubsub_master_changed(struct client *c, size_t shard)
{
	if (c->ps && c->ps->conn[shard] &&
	    c->ps->conn[shard]->state != BACKEND_IDLE)
		pubsub_lost(c, "the master of a shard it listens on changed");
}

void pubsub_close(struct client *c)
{
	struct pubsub *ps = c->ps;

	if (!ps)
		return;
	for (size_t s = 0; s < RH_MAX_SHARDS; s++) {
		if (ps->conn[s]) {
			backend_close(ps->conn[s]);
			free(ps->conn[s]);
		}
		while (ps->owed_head[s]) {
			struct owed *o = ps->owed_head[s];

			ps->owed_head[s] = o->next;
			if (o->req && !o->req->done) {
				/* what will not come: said plainly */
				o->req->done = true;
				buf_free(&o->req->reply);
				if (resp_add_error(&o->req->reply, "ERR redisha-proxy: subscriptions reset"))
					c->drop = "out of memory";
			}
			free(o);
		}
	}
	set_free(&ps->channels);
	set_free(&ps->patterns);
	set_free(&ps->schannels);
	free(ps);
	c->ps = NULL;
}
