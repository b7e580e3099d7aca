/*
 * redis_async: hiredis's asynchronous API driven by our evloop, plus a
 * connection wrapper that adds what hiredis 0.14 lacks: a connect timeout.
 *
 * A struct redis_conn is owned by its caller. hiredis frees the context
 * itself after a disconnect; the wrapper clears `ac` then and calls the
 * caller's on_down once, never from inside a hiredis reply callback's
 * stack in a way that frees the context twice.
 */
#ifndef REDISHA_REDIS_ASYNC_H
#define REDISHA_REDIS_ASYNC_H

#include <hiredis/async.h>

#include "evloop.h"

struct redis_conn;

typedef void (*redis_conn_cb)(struct redis_conn *conn, const char *why);

struct redis_conn {
	struct evloop *loop;
	redisAsyncContext *ac; /* NULL while not connected */
	bool connected;	       /* the connect callback said so */
	struct ev_timer connect_timer;
	redis_conn_cb on_up;   /* connected: commands may be sent */
	redis_conn_cb on_down; /* failed to connect, or lost; `why` says */
	void *data;	       /* the caller's */
	char addr[64];	       /* "ip:port", for logs */
};

/*
 * Start connecting to ip:port; on_up or on_down follows from the loop.
 * Returns 0, or -1 when hiredis could not even start (on_down is not
 * called then).
 */
int redis_conn_open(struct redis_conn *conn, struct evloop *loop,
		    const char *ip, int port, unsigned timeout_ms)
	__attribute__((warn_unused_result));

/* Drop the connection without calling on_down; safe when not open. */
void redis_conn_close(struct redis_conn *conn);

#endif /* REDISHA_REDIS_ASYNC_H */
