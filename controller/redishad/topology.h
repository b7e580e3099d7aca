/*
 * topology: the shards' masters as the datapath sees them (rh_shards), and
 * the only code that changes them. A new master is written only after it
 * answers ROLE with "master" (DESIGN.md §4: never on a server's own claim,
 * never without Sentinel's word), with the generation bumped so the
 * datapath resets the flows of the old one.
 */
#ifndef REDISHA_TOPOLOGY_H
#define REDISHA_TOPOLOGY_H

#include "config.h"
#include "datapath.h"
#include "evloop.h"
#include "redis_async.h"
#include "sentinel_event.h"

#define TOPOLOGY_REASON_MAX 96

struct shard_state {
	struct topology *topo;
	uint32_t id; /* index in the configuration and in rh_shards */
	const char *name;
	struct rh_shard map; /* as last written */
	/* A candidate being checked with ROLE. */
	bool checking;
	struct sentinel_addr candidate;
	struct redis_conn role_conn;
	uint64_t event_ms; /* when the word that named it arrived */
	char reason[TOPOLOGY_REASON_MAX];
};

struct topology {
	struct evloop *loop;
	const struct datapath *dp;
	size_t nshards;
	struct shard_state shards[RH_MAX_SHARDS];
	uint64_t failovers; /* master changes written */
};

/* Read the current rh_shards entries (kept across restarts). */
int topology_init(struct topology *t, struct evloop *loop,
		  const struct datapath *dp, const struct config *cfg,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

/* The shard named `name`, or NULL. */
struct shard_state *topology_shard(struct topology *t, const char *name);

/* Whether `a` is the shard's master in the map now. */
bool topology_is_master(const struct shard_state *s,
			const struct sentinel_addr *a);

/*
 * Sentinel names `addr` master of the shard (`reason` says who and how):
 * check it with ROLE and, if it answers master, write it. Nothing happens
 * when it already is the master and the shard is up.
 */
void topology_propose(struct shard_state *s, const struct sentinel_addr *addr,
		      const char *reason);

/* Sentinel says the master at `addr` is (no longer) objectively down. */
void topology_mark_down(struct shard_state *s, const struct sentinel_addr *addr,
			bool down);

void topology_close(struct topology *t);

#endif /* REDISHA_TOPOLOGY_H */
