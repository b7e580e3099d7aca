/*
 * sentinel: watching every configured Sentinel (DESIGN.md §4). For each
 * one, a command connection asks SENTINEL get-master-addr-by-name for every
 * shard (at connect and on each reconcile tick) and a pub/sub connection
 * receives the failover events. +switch-master from any Sentinel proposes
 * the new master; a reconcile proposes only what a majority of the
 * reachable Sentinels agree on. Lost connections come back with
 * exponential backoff; meanwhile the topology stays as it is.
 */
#ifndef REDISHA_SENTINEL_H
#define REDISHA_SENTINEL_H

#include "config.h"
#include "evloop.h"
#include "redis_async.h"
#include "sentinel_event.h"
#include "topology.h"

struct sentinel_watch;

struct sentinel {
	struct sentinel_watch *watch;
	char addr[32]; /* "ip:port" */
	char ip[16];
	int port;
	struct redis_conn cmd, sub;
	unsigned backoff_ms;
	struct ev_timer retry;
	/* Its answer per shard in the round it was asked in (0: none). */
	struct sentinel_addr answer[RH_MAX_SHARDS];
	uint64_t answer_round[RH_MAX_SHARDS];
	uint64_t asked_round; /* of the queries in flight */
};

struct sentinel_watch {
	struct evloop *loop;
	struct topology *topo;
	unsigned reconcile_ms;
	bool follow_promoted; /* sentinel-follow promoted */
	size_t n;
	struct sentinel sentinels[CONFIG_MAX_SENTINELS];
	struct ev_timer reconcile;
	uint64_t round; /* reconcile rounds, from 1 */
};

/* A reconcile never moves a shard whose master changed this recently:
 * Sentinels that have not heard of the switch yet would outvote it. */
#define SENTINEL_RECONCILE_HOLD_MS 3000

void sentinel_watch_start(struct sentinel_watch *w, struct evloop *loop,
			  struct topology *topo, const struct config *cfg);
void sentinel_watch_stop(struct sentinel_watch *w);

/* How many Sentinels answer on their command connection now. */
size_t sentinel_watch_reachable(const struct sentinel_watch *w);

#endif /* REDISHA_SENTINEL_H */
