/*
 * client: one connection from a Redis client. Reads requests, parses them
 * (resp.c), routes them (route.c) and sends their fragments to backends,
 * then writes the replies back strictly in request order, whichever shard
 * answers first. Reading pauses while too many replies wait to be read by
 * the client or too many requests are in flight.
 */
#ifndef REDISHA_CLIENT_H
#define REDISHA_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "request.h"
#include "resp.h"

struct worker;

#define CLIENT_NAME_MAX 128
#define CLIENT_ADDR_MAX 48

struct client {
	struct worker *w;
	struct client *prev, *next; /* the worker's list */
	int fd;
	uint64_t id;
	char addr[CLIENT_ADDR_MAX]; /* ip:port, for logs and CLIENT INFO */
	char name[CLIENT_NAME_MAX]; /* CLIENT SETNAME */
	enum resp_proto proto; /* HELLO 3 switches it */
	bool authenticated;
	char user[CONFIG_USER_MAX];
	/* tx.c: the client's own backend connection, and its transaction */
	struct backend *own;
	bool in_multi;	   /* after MULTI, until EXEC or DISCARD */
	bool multi_sent;   /* MULTI went to `own` */
	bool multi_failed; /* an error while queuing: EXEC aborts */
	struct buf multi_deferred; /* keyless commands before the first key */
	size_t ndeferred;
	bool watching;	   /* WATCH went to `own` */
	bool watch_lost;   /* `own` failed while watching: EXEC gets nil */
	bool blocked;	   /* a blocking command is out on `own`: as in
			    * Redis, nothing after it runs until it ends */
	struct pubsub *ps; /* pubsub.c: subscriptions, NULL if none ever */
	struct buf push;   /* messages, out once the replies before are */
	struct buf in, out;
	struct resp_request_parser parser;
	struct request *head, *tail; /* in request order */
	int cur_cmd;	       /* the request being dispatched, for stats */
	uint64_t cur_start_us;
	size_t nqueued;
	bool paused;	 /* not reading: too much pending */
	bool closing;	 /* QUIT or a protocol error: close once written */
	const char *drop; /* why it must be closed at the end of the event */
	uint64_t last_ms; /* last request read, for proxy-client-timeout */
	unsigned watched; /* EV_* currently asked of the loop */
	bool dirty;
	struct client *dirty_next;
};

/* A connection accepted on one of the worker's listeners. */
void client_accept(struct worker *w, int fd);

/* A backend's reply to `frag` (or, with p == NULL, the error `err`). */
void client_fragment_reply(struct fragment *frag, const char *p, size_t len);
void client_fragment_error(struct fragment *frag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Requests were queued (or completed): write out, in order, the replies
 * that are ready at the head of the queue. */
void client_drain(struct client *c);

/* End of an event: write what is ready, resume a paused client. */
void client_flush(struct client *c);

void client_close(struct client *c, const char *why);

/* Close the client if it has been idle (nothing read, nothing pending)
 * for longer than proxy-client-timeout. */
void client_check_idle(struct client *c, uint64_t now_ms);

#endif /* REDISHA_CLIENT_H */
