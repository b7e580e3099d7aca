/*
 * pubsub: a client's subscriptions. Channels live on the shard their name
 * hashes to (PUBLISH goes there), so a subscriber holds one connection of
 * its own to each shard it listens on; patterns may match a channel on
 * any shard, so PSUBSCRIBE goes to every shard. The proxy keeps the
 * client's sets of channels and patterns to give the counts Redis gives
 * in its confirmations, and passes messages through as they come.
 * Subscriptions cannot move: if a subscriber's connection to a shard
 * fails or its master changes, the client is disconnected so that it
 * subscribes again (client libraries do that on reconnect).
 */
#ifndef REDISHA_PUBSUB_H
#define REDISHA_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "resp.h"
#include "route.h"

struct backend;

/* Serve a (P|S)(UN)SUBSCRIBE, or what a RESP2 subscriber may send
 * (PING) or not. Returns false for anything else (routed as usual). */
bool pubsub_dispatch(struct client *c, const struct route *rt,
		     const struct resp_request *preq);

/* A reply or message from one of the client's pub/sub connections. */
void pubsub_reply(struct backend *b, const char *p, size_t len);

/* One of them failed, or a master changed: the client must go. */
void pubsub_lost(struct client *c, const char *why);
void pubsub_master_changed(struct client *c, size_t shard);

enum pubsub_kind { PUBSUB_CHANNELS, PUBSUB_PATTERNS, PUBSUB_SHARD_CHANNELS };

/* How many of a kind the client is subscribed to (CLIENT INFO). */
size_t pubsub_count(const struct client *c, enum pubsub_kind kind);

/* Leave every subscription (RESET, or the client closing). */
void pubsub_close(struct client *c);

#endif /* REDISHA_PUBSUB_H */
