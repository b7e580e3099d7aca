#include "dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "local.h"
#include "proxy.h"
#include "pubsub.h"
#include "tx.h"

void dispatch_enqueue(struct client *c, struct request *req)
{
	req->cmd = c->cur_cmd;
	req->start_us = c->cur_start_us;
	if (c->tail)
		c->tail->next = req;
	else
		c->head = req;
	c->tail = req;
	c->nqueued++;
}

void dispatch_error(struct client *c, const char *fmt, ...)
{
	struct request *req = request_new(c, MERGE_NONE, 0, 0);
	char msg[RESP_ERR_MAX];
	va_list ap;

	if (!req) {
		c->closing = true; /* the order of replies cannot be kept */
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	STATS_ADD(c->w->stats.error_replies, 1);
	if (request_fail(req, "%s", msg))
		c->closing = true;
	dispatch_enqueue(c, req);
	client_drain(c);
}

static struct backend *pick_backend(struct client *c, size_t shard)
{
	size_t conns = c->w->px->cfg.proxy_server_connections;

	return worker_backend(c->w, c->proto, shard, c->w->next_conn++ % conns);
}

/* Whether `b` takes `frag` now, and where its bytes will start in the
 * backend's output (*mark); if not, the fragment has failed with the
 * reason. */
static bool open_on(struct backend *b, struct fragment *frag, size_t *mark)
{
	char why[RESP_ERR_MAX];

	if (!backend_ready(b, why, sizeof(why))) {
		client_fragment_error(frag, "%s", why);
		return false;
	}
	*mark = buf_len(backend_out(b));
	return true;
}

/* The backend of `shard` that takes `frag`, or NULL as open_on. */
static struct backend *open_fragment(struct client *c, size_t shard,
				     struct fragment *frag, size_t *mark)
{
	struct backend *b = pick_backend(c, shard);

	return open_on(b, frag, mark) ? b : NULL;
}

bool dispatch_wants_wait(const struct client *c,
			 const struct command_info *cmd)
{
	/* Scripts and functions may write without the write flag. */
	return c->w->px->cfg.proxy_wait_replicas && cmd &&
	       ((cmd->flags & CMD_WRITE) || !strcmp(cmd->name, "eval") ||
		!strcmp(cmd->name, "evalsha") || !strcmp(cmd->name, "fcall") ||
		!strcmp(cmd->name, "exec"));
}

/* WAIT numreplicas timeout, after a write on the same connection. */
static int add_wait(struct backend *b)
{
	const struct config *cfg = &b->w->px->cfg;
	char n[16], ms[16];
	struct resp_slice argv[3] = {
		{ "WAIT", 4 },
		{ n, (size_t)snprintf(n, sizeof(n), "%u", cfg->proxy_wait_replicas) },
		{ ms, (size_t)snprintf(ms, sizeof(ms), "%u",
				       cfg->proxy_wait_timeout_ms) },
	};

	return resp_add_command(backend_out(b), 3, argv);
}

/* The fragment's bytes are written (r == 0), or writing them failed:
 * then they are taken back out, so the backend's stream stays whole. */
static void close_fragment(struct backend *b, struct fragment *frag,
			   size_t mark, int r)
{
	if (!r && frag->req->wait) {
		r = add_wait(b);
		frag->wait_due = true;
	}
	if (r) {
		buf_truncate(backend_out(b), mark);
		client_fragment_error(frag, "ERR redisha-proxy: out of memory");
		return;
	}
	STATS_ADD(b->w->stats.shard_requests[b->shard], 1);
	backend_push(b, frag);
}

static int add_args(struct buf *out, size_t n, const struct resp_slice *argv)
{
	for (size_t i = 0; i < n; i++)
		if (resp_add_bulk(out, argv[i].ptr, argv[i].len))
			return -1;
	return 0;
}

void dispatch_send(struct backend *b, struct fragment *frag,
		   const struct resp_request *preq, const char *raw)
{
	size_t mark;
	int r;

	if (!open_on(b, frag, &mark))
		return;
	if (raw && raw[0] == '*')
		r = buf_append(backend_out(b), raw, preq->len);
	else
		r = resp_add_command(backend_out(b), preq->argc, preq->argv);
	close_fragment(b, frag, mark, r);
}

static void send_everywhere(struct client *c, struct request *req,
			    const struct resp_request *preq)
{
	for (size_t s = 0; s < req->nfrags; s++) {
		struct fragment *frag = &req->frags[s];
		struct backend *b;
		size_t mark;

		b = open_fragment(c, s, frag, &mark);
		if (b)
			close_fragment(b, frag, mark,
				       resp_add_command(backend_out(b),
							preq->argc,
							preq->argv));
	}
}

/*
 * MGET, MSET, DEL...: one sub-request per shard with the keys it holds
 * (and their values), keys in request order. shard_of[k] is key k's
 * shard, frag_of[s] the fragment of shard s.
 */
static void send_split(struct client *c, struct request *req, size_t step,
		       const struct resp_request *preq, const size_t *shard_of,
		       const size_t *frag_of, const size_t *count)
{
	size_t nkeys = (preq->argc - 1) / step;

	for (size_t s = 0; s < c->w->px->cfg.nshards; s++) {
		struct fragment *frag;
		struct backend *b;
		size_t mark;
		int r;

		if (!count[s])
			continue;
		frag = &req->frags[frag_of[s]];
		b = open_fragment(c, s, frag, &mark);
		if (!b)
			continue;
		r = resp_add_array(backend_out(b), (int64_t)(1 + count[s] * step));
		r = r ?: add_args(backend_out(b), 1, preq->argv);
		for (size_t k = 0; k < nkeys && !r; k++)
			if (shard_of[k] == s)
				r = add_args(backend_out(b), step,
					     &preq->argv[1 + k * step]);
		close_fragment(b, frag, mark, r);
	}
}

static void split(struct client *c, const struct route *rt,
		  const struct resp_request *preq)
{
	const struct proxy *px = c->w->px;
	size_t nkeys = (preq->argc - 1) / rt->key_step;
	size_t frag_of[RH_MAX_SHARDS], count[RH_MAX_SHARDS] = { 0 };
	size_t *shard_of = malloc(nkeys * sizeof(*shard_of));
	size_t nfrags = 0;
	struct request *req;

	if (!shard_of) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	for (size_t k = 0; k < nkeys; k++) {
		const struct resp_slice *key = &preq->argv[1 + k * rt->key_step];

		shard_of[k] = route_key_shard(&px->route, key->ptr, key->len);
		if (!count[shard_of[k]]++)
			frag_of[shard_of[k]] = nfrags++;
	}
	req = request_new(c, rt->merge, nfrags,
			  rt->merge == MERGE_ARRAY ? nkeys : 0);
	if (!req) {
		free(shard_of);
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	for (size_t k = 0; k < req->nkeys; k++)
		req->key_frag[k] = (uint32_t)frag_of[shard_of[k]];
	req->wait = dispatch_wants_wait(c, rt->cmd);
	dispatch_enqueue(c, req);
	send_split(c, req, rt->key_step, preq, shard_of, frag_of, count);
	free(shard_of);
}

/* SCAN on the shard its cursor names, with that shard's own cursor. */
static void scan(struct client *c, struct request *req, const struct route *rt,
		 const struct resp_request *preq)
{
	struct resp_slice *argv = malloc(preq->argc * sizeof(*argv));
	struct resp_request sub = *preq;
	char cursor[24];

	req->shard = rt->shard;
	req->nshards = c->w->px->cfg.nshards;
	if (!argv) {
		client_fragment_error(&req->frags[0], "ERR redisha-proxy: out of memory");
		return;
	}
	memcpy(argv, preq->argv, preq->argc * sizeof(*argv));
	argv[1].ptr = cursor;
	argv[1].len = (size_t)snprintf(cursor, sizeof(cursor), "%llu",
				       (unsigned long long)rt->scan_cursor);
	sub.argv = argv;
	dispatch_send(pick_backend(c, rt->shard), &req->frags[0], &sub, NULL);
	free(argv);
}

static void answer_locally(struct client *c, const struct route *rt,
			   const struct resp_request *preq)
{
	struct request *req = request_new(c, MERGE_NONE, 0, 0);

	if (!req) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	if (local_execute(c, rt->cmd, preq->argc, preq->argv, &req->reply)) {
		request_free(req);
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	dispatch_enqueue(c, req);
	client_drain(c);
}

/* The command_table index stats count a request under: a subcommand
 * under its container, as Redis's INFO does not split them. */
static int stats_index(const struct command_info *cmd,
		       const struct resp_request *preq)
{
	if (cmd && cmd >= command_table && cmd < command_table + command_table_len)
		return (int)(cmd - command_table);
	cmd = command_lookup(1, preq->argv);
	return cmd ? (int)(cmd - command_table) : -1;
}

void dispatch_request(struct client *c, const struct resp_request *preq,
		      const char *raw)
{
	struct proxy *px = c->w->px;
	struct request *req;
	struct route rt;
	size_t nfrags;

	STATS_ADD(c->w->stats.commands, 1);
	c->cur_cmd = -1;
	if (!c->authenticated) {
		/* As redis-server: an unknown command or a wrong arity is
		 * reported first, then anything but AUTH, HELLO, QUIT and
		 * RESET needs authentication. */
		const struct command_info *cmd =
			command_lookup(preq->argc, preq->argv);

		if (cmd && command_arity_ok(cmd, preq->argc) &&
		    !(cmd->flags & CMD_NO_AUTH)) {
			dispatch_error(c, "NOAUTH Authentication required.");
			return;
		}
	}
	if (route_request(&px->route, preq->argc, preq->argv, &rt)) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	c->cur_cmd = stats_index(rt.cmd, preq);
	if (pubsub_dispatch(c, &rt, preq) || tx_dispatch(c, &rt, preq, raw))
		return;
	switch (rt.kind) {
	case ROUTE_ERROR:
		dispatch_error(c, "%s", rt.err);
		return;
	case ROUTE_LOCAL:
		answer_locally(c, &rt, preq);
		return;
	case ROUTE_SPLIT:
		split(c, &rt, preq);
		return;
	case ROUTE_SHARD:
	case ROUTE_ALL:
		break;
	}
	nfrags = rt.kind == ROUTE_ALL ? px->cfg.nshards : 1;
	req = request_new(c, rt.merge, nfrags, 0);
	if (!req) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	req->wait = dispatch_wants_wait(c, rt.cmd);
	dispatch_enqueue(c, req);
	if (rt.merge == MERGE_SCAN) {
		scan(c, req, &rt, preq);
	} else if (rt.kind == ROUTE_ALL) {
		req->pick = c->w->next_conn++ % nfrags;
		send_everywhere(c, req, preq);
	} else {
		dispatch_send(pick_backend(c, rt.shard), &req->frags[0], preq,
			      raw);
	}
}
