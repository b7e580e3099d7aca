#include "tx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dispatch.h"
#include "proxy.h"

#define CROSSSLOT_ERR "CROSSSLOT Keys in request don't hash to the same slot"

/* A reply of the proxy's own, queued in order. */
static void reply(struct client *c, int (*add)(struct client *, struct buf *))
{
	struct request *req = request_new(c, MERGE_NONE, 0, 0);

	if (!req || add(c, &req->reply)) {
		if (req)
			request_free(req);
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	dispatch_enqueue(c, req);
	client_drain(c);
}

static int add_ok(struct client *c, struct buf *out)
{
	(void)c;
	return resp_add_simple(out, "OK");
}

static int add_queued(struct client *c, struct buf *out)
{
	(void)c;
	return resp_add_simple(out, "QUEUED");
}

static int add_empty_array(struct client *c, struct buf *out)
{
	(void)c;
	return resp_add_array(out, 0);
}

/* EXEC's answer when a WATCHed key may have changed. */
static int add_nil_array(struct client *c, struct buf *out)
{
	return c->proto == RESP3 ? resp_add_null(out, RESP3)
				 : resp_add_array(out, -1);
}

static void reset(struct client *c)
{
	c->in_multi = c->multi_sent = c->multi_failed = false;
	c->watching = c->watch_lost = false;
	buf_free(&c->multi_deferred);
	c->ndeferred = 0;
}

/* The client's own connection to `shard`, in its protocol: the one it
 * has, or a new one if it has none or one that holds nothing (no
 * transaction, no WATCH, nothing in flight) elsewhere. NULL, with the
 * reason, when the one it has is busy on another shard. */
static struct backend *own_for(struct client *c, size_t shard,
			       const char **why)
{
	struct backend *b = c->own;

	if (b && b->shard == shard && b->proto == c->proto)
		return b;
	if (b && (b->inflight || c->watching || c->multi_sent)) {
		*why = c->watching || c->multi_sent
			       ? CROSSSLOT_ERR
			       : "ERR redisha-proxy: a blocking command is pending on another shard";
		return NULL;
	}
	if (b) {
		backend_close(b);
	} else {
		b = malloc(sizeof(*b));
		if (!b) {
			*why = "ERR redisha-proxy: out of memory";
			return NULL;
		}
		c->own = b;
	}
	backend_init(b, c->w, shard, c->proto);
	b->owner = c;
	return b;
}

/* A request the client sees the reply of, on its own connection; `cmd`
 * says whether WAIT follows it (EXEC, a blocking write). */
static void send_own(struct client *c, struct backend *b,
		     const struct command_info *cmd,
		     const struct resp_request *preq, const char *raw)
{
	struct request *req = request_new(c, MERGE_NONE, 1, 0);

	if (!req) {
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	req->wait = dispatch_wants_wait(c, cmd);
	dispatch_enqueue(c, req);
	dispatch_send(b, &req->frags[0], preq, raw);
}

/* Commands of the proxy's own, `n` of them in `bytes` (MULTI sent late,
 * the keyless commands queued before it, DISCARD, UNWATCH): their replies
 * go nowhere, as their request has no client. Returns false if they could
 * not be sent (the transaction is then lost). */
static bool send_internal_bytes(struct backend *b, const void *bytes,
				size_t len, size_t n)
{
	struct request *req = request_new(NULL, MERGE_NONE, n, 0);
	char why[RESP_ERR_MAX];

	if (!req || !backend_ready(b, why, sizeof(why)) ||
	    buf_append(backend_out(b), bytes, len)) {
		if (req)
			request_free(req);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		backend_push(b, &req->frags[i]);
	return true;
}

static bool send_internal(struct backend *b, const char *cmd)
{
	struct resp_slice argv[1] = { { cmd, strlen(cmd) } };
	struct buf bytes = { 0 };
	bool ok = !resp_add_command(&bytes, 1, argv) &&
		  send_internal_bytes(b, buf_head(&bytes), buf_len(&bytes), 1);

	buf_free(&bytes);
	return ok;
}

/* End the transaction or WATCH on the client's own connection; if even
 * that cannot be sent, the connection goes (its server forgets both). */
static void end_on_server(struct client *c, const char *cmd)
{
	if (!send_internal(c->own, cmd))
		backend_close(c->own);
}

/* The transaction's shard is known: MULTI, then what was queued before
 * (keyless commands, answered QUEUED by the proxy meanwhile). */
static void begin_multi(struct client *c, struct backend *b)
{
	if (!send_internal(b, "MULTI") ||
	    (c->ndeferred &&
	     !send_internal_bytes(b, buf_head(&c->multi_deferred),
				  buf_len(&c->multi_deferred), c->ndeferred)))
		c->multi_failed = true; /* EXEC aborts rather than half run */
	buf_free(&c->multi_deferred);
	c->ndeferred = 0;
	c->multi_sent = true;
}

/* A keyless command before the transaction has a shard: kept for
 * begin_multi, answered QUEUED now as Redis would. */
static void defer(struct client *c, const struct resp_request *preq)
{
	if (resp_add_command(&c->multi_deferred, preq->argc, preq->argv)) {
		c->multi_failed = true;
		dispatch_error(c, "ERR redisha-proxy: out of memory");
		return;
	}
	c->ndeferred++;
	reply(c, add_queued);
}

/* The one shard all of a split command's keys are on, or false. */
static bool split_shard(const struct client *c, const struct route *rt,
			const struct resp_request *preq, size_t *shard)
{
	const struct route_ctx *ctx = &c->w->px->route;

	for (size_t i = 1; i < preq->argc; i += rt->key_step) {
		size_t s = route_key_shard(ctx, preq->argv[i].ptr,
					   preq->argv[i].len);

		if (i > 1 && s != *shard)
			return false;
		*shard = s;
	}
	return true;
}

/* The shard a command queued in MULTI runs on, or an error for it;
 * *keyless when it has no key (it runs where the rest does). */
static const char *multi_shard(const struct client *c, const struct route *rt,
			       const struct resp_request *preq, size_t *shard,
			       bool *keyless)
{
	const char *name = rt->cmd->name;

	*shard = c->own && (c->watching || c->multi_sent) ? c->own->shard : 0;
	*keyless = false;
	if (rt->merge == MERGE_SCAN)
		return "ERR redisha-proxy: SCAN is not allowed inside MULTI";
	switch (rt->kind) {
	case ROUTE_SHARD:
		*keyless = !rt->cmd->nkey_specs;
		if (!*keyless)
			*shard = rt->shard;
		return NULL;
	case ROUTE_SPLIT:
		return split_shard(c, rt, preq, shard) ? NULL : CROSSSLOT_ERR;
	case ROUTE_LOCAL:
		*keyless = true;
		if (!strcmp(name, "ping") || !strcmp(name, "echo") ||
		    !strcmp(name, "unwatch"))
			return NULL;
		return "ERR redisha-proxy: this command is not allowed inside MULTI";
	case ROUTE_ALL:
		return "ERR redisha-proxy: a command for every shard is not allowed inside MULTI";
	case ROUTE_ERROR:
		break;
	}
	return "ERR redisha-proxy: cannot queue this command";
}

static void queue_in_multi(struct client *c, const struct route *rt,
			   const struct resp_request *preq, const char *raw)
{
	const char *why;
	struct backend *b;
	bool keyless;
	size_t shard;

	why = multi_shard(c, rt, preq, &shard, &keyless);
	if (!why && c->multi_failed) {
		/* EXEC will abort: Redis still answers QUEUED. */
		reply(c, add_queued);
		return;
	}
	if (!why && keyless && !c->multi_sent && !c->watching) {
		defer(c, preq);
		return;
	}
	b = why ? NULL : own_for(c, shard, &why);
	if (!b) {
		c->multi_failed = true;
		dispatch_error(c, "%s", why);
		return;
	}
	if (!c->multi_sent)
		begin_multi(c, b);
	send_own(c, b, NULL, preq, raw);
}

static void exec(struct client *c, const struct command_info *cmd,
		 const struct resp_request *preq, const char *raw)
{
	if (!c->in_multi) {
		dispatch_error(c, "ERR EXEC without MULTI");
		return;
	}
	if (c->multi_failed || c->watch_lost) {
		if (c->multi_sent && c->own)
			end_on_server(c, "DISCARD");
		if (c->multi_failed)
			dispatch_error(c, "EXECABORT Transaction discarded because of previous errors.");
		else
			reply(c, add_nil_array);
	} else if (c->multi_sent || c->watching || c->ndeferred) {
		const char *why = NULL;
		/* only keyless commands: any shard runs them */
		struct backend *b = c->own ? c->own : own_for(c, 0, &why);

		if (!b) {
			dispatch_error(c, "%s", why);
		} else {
			if (!c->multi_sent)
				begin_multi(c, b);
			if (c->multi_failed)
				dispatch_error(c, "EXECABORT Transaction discarded because of previous errors.");
			else
				send_own(c, b, cmd, preq, raw);
		}
	} else {
		reply(c, add_empty_array);
	}
	reset(c);
}

static void discard(struct client *c, const struct resp_request *preq,
		    const char *raw)
{
	if (!c->in_multi) {
		dispatch_error(c, "ERR DISCARD without MULTI");
		return;
	}
	if (c->multi_sent) {
		send_own(c, c->own, NULL, preq, raw);
	} else {
		if (c->watching)
			end_on_server(c, "UNWATCH");
		reply(c, add_ok);
	}
	reset(c);
}

static void watch(struct client *c, const struct route *rt,
		  const struct resp_request *preq, const char *raw)
{
	const char *why = NULL;
	struct backend *b;

	if (c->in_multi) {
		dispatch_error(c, "ERR WATCH inside MULTI is not allowed");
		return;
	}
	b = own_for(c, rt->shard, &why);
	if (!b) {
		dispatch_error(c, "%s", why);
		return;
	}
	send_own(c, b, NULL, preq, raw);
	c->watching = true;
}

static void unwatch(struct client *c, const struct resp_request *preq,
		    const char *raw)
{
	if (c->watching)
		send_own(c, c->own, NULL, preq, raw);
	else
		reply(c, add_ok);
	c->watching = c->watch_lost = false;
}

static void blocking(struct client *c, const struct route *rt,
		     const struct resp_request *preq, const char *raw)
{
	const char *why = NULL;
	struct backend *b = own_for(c, rt->shard, &why);

	if (!b) {
		dispatch_error(c, "%s", why);
		return;
	}
	send_own(c, b, rt->cmd, preq, raw);
	c->blocked = true;
}

bool tx_dispatch(struct client *c, const struct route *rt,
		 const struct resp_request *preq, const char *raw)
{
	const char *name = rt->cmd ? rt->cmd->name : "";

	if (rt->kind == ROUTE_ERROR) {
		/* Redis refuses it and, inside MULTI, aborts the EXEC. */
		if (c->in_multi && strcmp(name, "watch"))
			c->multi_failed = true;
		return false;
	}
	/* most requests: nothing of a transaction about them */
	if (!rt->tx && !rt->blocking && !c->in_multi && !c->own)
		return false;
	if (!strcmp(name, "reset") || !strcmp(name, "quit")) {
		/* Not queued; RESET also ends the transaction. */
		if (!strcmp(name, "reset") && c->own &&
		    (c->multi_sent || c->watching))
			end_on_server(c, c->multi_sent ? "DISCARD" : "UNWATCH");
		if (!strcmp(name, "reset"))
			reset(c);
		return false;
	}
	if (!strcmp(name, "multi")) {
		if (c->in_multi) {
			dispatch_error(c, "ERR MULTI calls can not be nested");
		} else {
			c->in_multi = true;
			reply(c, add_ok);
		}
		return true;
	}
	if (!strcmp(name, "exec")) {
		exec(c, rt->cmd, preq, raw);
		return true;
	}
	if (!strcmp(name, "discard")) {
		discard(c, preq, raw);
		return true;
	}
	if (!strcmp(name, "watch")) {
		watch(c, rt, preq, raw);
		return true;
	}
	if (c->in_multi) {
		queue_in_multi(c, rt, preq, raw);
		return true;
	}
	if (!strcmp(name, "unwatch")) {
		unwatch(c, preq, raw);
		return true;
	}
	if (rt->blocking && rt->kind == ROUTE_SHARD) {
		blocking(c, rt, preq, raw);
		return true;
	}
	return false;
}

void tx_own_failed(struct client *c)
{
	/* The server forgot the transaction and the WATCH: what follows
	 * must not run as if they held. */
	if (c->multi_sent)
		c->multi_failed = true;
	c->multi_sent = false;
	if (c->watching)
		c->watch_lost = true;
	c->watching = false;
}

void tx_master_changed(struct client *c, size_t shard)
{
	if (!c->own || c->own->shard != shard)
		return;
	if (c->own->state == BACKEND_UP || c->own->state == BACKEND_CONNECTING)
		tx_own_failed(c);
	backend_master_changed(c->own);
}

void tx_close(struct client *c)
{
	buf_free(&c->multi_deferred);
	if (!c->own)
		return;
	backend_close(c->own);
	free(c->own);
	c->own = NULL;
}
