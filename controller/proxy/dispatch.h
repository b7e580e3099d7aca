/*
 * dispatch: a parsed request turned into work — routed (route.c), queued
 * on its client in order, and its fragments written to the backends of
 * the shards it needs, or answered by the proxy itself (local.c).
 */
#ifndef REDISHA_DISPATCH_H
#define REDISHA_DISPATCH_H

#include "client.h"
#include "resp.h"

/* `raw` is the start of the client's input buffer, where req's bytes are:
 * a multibulk request goes to a single shard as it came. */
void dispatch_request(struct client *c, const struct resp_request *req,
		      const char *raw);

/* Queue a request on its client: replies go out in this order. */
void dispatch_enqueue(struct client *c, struct request *req);

struct backend;

/* Send the whole request to backend `b` as `frag` (a multibulk request as
 * it came, when `raw` holds it); if `b` cannot take it, the fragment fails
 * with the reason. */
void dispatch_send(struct backend *b, struct fragment *frag,
		   const struct resp_request *preq, const char *raw);

/* Whether `cmd` is a write that proxy-wait-replicas follows with WAIT. */
bool dispatch_wants_wait(const struct client *c,
			 const struct command_info *cmd);

/* Queue an error reply of the proxy's own, in order. */
void dispatch_error(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* REDISHA_DISPATCH_H */
