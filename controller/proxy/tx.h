/*
 * tx: what must run on a backend connection of the client's own, not on
 * the shared pipelined ones — MULTI ... EXEC/DISCARD, WATCH, and blocking
 * commands (BLPOP...). The client's own connection goes to the shard of
 * the transaction's keys, all of which must be on that shard (else
 * -CROSSSLOT and, as Redis does for an error while queuing, EXECABORT).
 * MULTI itself is sent only with the transaction's first command, once
 * the shard is known.
 */
#ifndef REDISHA_TX_H
#define REDISHA_TX_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "resp.h"
#include "route.h"

/* Serve the request if it is a transaction command, comes inside MULTI,
 * or blocks. Returns false when it is none of those (route it as usual). */
bool tx_dispatch(struct client *c, const struct route *rt,
		 const struct resp_request *preq, const char *raw);

/* The client's own connection failed: its transaction and WATCH are gone
 * (the client sees the errors of what was in flight). */
void tx_own_failed(struct client *c);

/* The master of `shard` changed: the client's own connection to it drops
 * what is in flight (-TRYAGAIN), like the shared ones. */
void tx_master_changed(struct client *c, size_t shard);

/* Close the client's own connection (the client is closing). */
void tx_close(struct client *c);

#endif /* REDISHA_TX_H */
