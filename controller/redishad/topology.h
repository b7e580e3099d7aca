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
	/* Promoted mode: ROLE is asked again until this time. */
	uint64_t poll_until_ms;
	struct ev_timer poll_timer;
	/* When a promotion was written ahead of +switch-master, 0 after the
	 * confirmation. */
	uint64_t promoted_ms;
	uint64_t written_ms; /* when the master last changed in the map */
	uint64_t written_after_ms; /* that change: from event_ms to the write */
	/* The last candidate that did not answer ROLE master, and when: a
	 * reconcile re-checks it only every TOPOLOGY_RECHECK_MS. */
	struct sentinel_addr refused;
	uint64_t refused_ms;
};

#define TOPOLOGY_RECHECK_MS 10000

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

/* Shards `from`.. of `cfg` appended after a reload (earlier ones stay). */
void topology_add_shards(struct topology *t, const struct config *cfg,
			 size_t from);

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

/*
 * The failover leader has told the replica at `addr` to become master
 * (sentinel-follow promoted): ask it ROLE every TOPOLOGY_POLL_MS until it
 * answers master, then write it, ahead of +switch-master, which must then
 * confirm it (if it names another address, that one wins).
 */
void topology_follow_promotion(struct shard_state *s,
			       const struct sentinel_addr *addr,
			       const char *reason);

#define TOPOLOGY_POLL_MS 20
#define TOPOLOGY_POLL_FOR_MS 10000 /* Sentinel's default failover-timeout is longer */

/* Sentinel says the master at `addr` is (no longer) objectively down. */
void topology_mark_down(struct shard_state *s, const struct sentinel_addr *addr,
			bool down);

void topology_close(struct topology *t);

#endif /* REDISHA_TOPOLOGY_H */
