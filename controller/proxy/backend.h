/*
 * backend: one worker's connection to a shard's master. Fragments from any
 * number of clients are pipelined over it and matched to replies in order.
 * It connects on first use (authenticating with masteruser/masterauth,
 * and with HELLO 3 for RESP3 clients), follows the master the masters
 * table names,
 * and on any failure fails what is in flight at once (never re-sending a
 * write) and backs off before connecting again.
 */
#ifndef REDISHA_BACKEND_H
#define REDISHA_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "evloop.h"
#include "request.h"
#include "resp.h"

struct worker;

enum backend_state {
	BACKEND_IDLE = 0,   /* no socket; connects on the next send */
	BACKEND_CONNECTING, /* connect() in progress */
	BACKEND_UP,
	BACKEND_BACKOFF, /* failed recently: sends fail until the timer */
};

struct backend {
	struct worker *w;
	size_t shard;
	enum resp_proto proto; /* of its clients: RESP3 opens with HELLO 3 */
	struct client *owner;  /* a client's own connection (tx.c); NULL if shared */
	bool pubsub;	       /* a subscriber's (pubsub.c): no request queue */
	int fd;
	enum backend_state state;
	uint32_t addr; /* network order: the master it connected to */
	uint16_t port;
	uint32_t generation;
	struct buf in, out;
	struct resp_reply_scanner scan;
	struct fragment *head, *tail; /* awaiting replies, in send order */
	size_t inflight;
	unsigned handshake; /* replies due to HELLO/AUTH sent on connect */
	uint64_t last_rx_ms; /* bytes last came in: progress, for the timeout */
	struct ev_timer timer; /* connect timeout, or end of backoff */
	uint32_t backoff_ms;
	char error[128]; /* why the last connection failed */
	bool dirty;
	struct backend *dirty_next;
};

void backend_init(struct backend *b, struct worker *w, size_t shard,
		  enum resp_proto proto);

/*
 * Queue `frag`, whose request bytes the caller has just appended to
 * b->out (backend_out() gives the buffer, after backend_ready() said
 * yes). If the backend cannot take requests now, backend_ready() returns
 * false with the reason in `why`; the caller fails the fragment itself.
 */
bool backend_ready(struct backend *b, char *why, size_t whylen);
struct buf *backend_out(struct backend *b);
void backend_push(struct backend *b, struct fragment *frag);

/* Write what is queued (the worker calls it for dirty backends). */
void backend_flush(struct backend *b);

/* The shard's master changed: fail what is in flight with -TRYAGAIN and
 * drop the connection; the next send connects to the new master. */
void backend_master_changed(struct backend *b);

/* proxy-timeout-ms: fail the connection if requests wait on it and
 * nothing has come in for longer (a stopped server), unless it is a
 * client's own connection holding a blocking command. A server sending a
 * long reply makes progress, and is not timed out. */
void backend_check_timeout(struct backend *b, uint64_t now_ms);

/* Fail everything and close (worker shutdown). */
void backend_close(struct backend *b);

#endif /* REDISHA_BACKEND_H */
