#include "topology.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define ROLE_TIMEOUT_MS 500
#define ADDR_STR 32

static const char *addr_str(const struct sentinel_addr *a, char *buf)
{
	return sentinel_addr_str(a, buf, ADDR_STR);
}

static struct sentinel_addr master_of(const struct shard_state *s)
{
	struct sentinel_addr a = { .ip = s->map.master_addr,
				   .port = s->map.master_port };

	return a;
}

static int write_shard(struct shard_state *s, const struct rh_shard *next)
{
	char err[256];

	if (datapath_update(s->topo->dp, DP_MAP_SHARDS, &s->id, next, err,
			    sizeof(err))) {
		log_err("topology", "shard %s: %s", s->name, err);
		return -1;
	}
	s->map = *next;
	return 0;
}

/* Shard `i` of `cfg`, as the map has it now (kept across restarts). */
static int shard_init(struct topology *t, const struct config *cfg,
		      uint32_t i, char *err, size_t errlen)
{
	struct shard_state *s = &t->shards[i];
	char a[ADDR_STR];
	int r;

	memset(s, 0, sizeof(*s));
	s->topo = t;
	s->id = i;
	s->name = cfg->shards[i].name;
	if ((r = datapath_lookup(t->dp, DP_MAP_SHARDS, &i, &s->map, err,
				 errlen)))
		return r;
	if (s->map.state != RH_SHARD_NO_MASTER &&
	    s->map.name_hash != rh_shard_name_hash(s->name)) {
		struct rh_shard none = { .name_hash =
						 rh_shard_name_hash(s->name) };

		log_warn("topology",
			 "shard %s: the pinned entry for id %u belonged to another shard: cleared",
			 s->name, i);
		s->map.generation++; /* flows of the old shard are reset */
		none.generation = s->map.generation;
		if (write_shard(s, &none))
			return -EIO;
	}
	if (s->map.state != RH_SHARD_NO_MASTER) {
		struct sentinel_addr m = master_of(s);

		log_info("topology",
			 "shard %s: kept master %s generation %u from the pinned maps",
			 s->name, addr_str(&m, a), s->map.generation);
	}
	return 0;
}

int topology_init(struct topology *t, struct evloop *loop,
		  const struct datapath *dp, const struct config *cfg,
		  char *err, size_t errlen)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->loop = loop;
	t->dp = dp;
	t->nshards = cfg->nshards;
	for (uint32_t i = 0; i < cfg->nshards; i++)
		if ((r = shard_init(t, cfg, i, err, errlen)))
			return r;
	return 0;
}

void topology_add_shards(struct topology *t, const struct config *cfg,
			 size_t from)
{
	char err[256];

	for (size_t i = from; i < cfg->nshards; i++) {
		if (shard_init(t, cfg, (uint32_t)i, err, sizeof(err))) {
			log_err("topology", "%s", err);
			break;
		}
		t->nshards = i + 1;
		log_info("topology", "shard %s added (port %u)",
			 cfg->shards[i].name, cfg->shards[i].port);
	}
}

struct shard_state *topology_shard(struct topology *t, const char *name)
{
	for (size_t i = 0; i < t->nshards; i++)
		if (!strcmp(t->shards[i].name, name))
			return &t->shards[i];
	return NULL;
}

bool topology_is_master(const struct shard_state *s,
			const struct sentinel_addr *a)
{
	return s->map.state != RH_SHARD_NO_MASTER &&
	       s->map.master_addr == a->ip && s->map.master_port == a->port;
}

static void check_done(struct shard_state *s)
{
	s->checking = false;
	s->poll_until_ms = 0;
	evloop_timer_stop(s->topo->loop, &s->poll_timer);
	redis_conn_close(&s->role_conn);
}

/* The candidate answered ROLE master: make it the shard's master. */
static void switch_master(struct shard_state *s)
{
	struct sentinel_addr old = master_of(s);
	struct rh_shard next = {
		.master_addr = s->candidate.ip,
		.master_port = s->candidate.port,
		.state = RH_SHARD_UP,
		.generation = s->map.generation + 1,
		.name_hash = rh_shard_name_hash(s->name),
	};
	char from[ADDR_STR], to[ADDR_STR];
	bool had_master = s->map.state != RH_SHARD_NO_MASTER;

	if (write_shard(s, &next))
		return;
	s->written_ms = evloop_now_ms();
	s->written_after_ms = s->written_ms - s->event_ms;
	if (had_master)
		s->topo->failovers++;
	s->promoted_ms = s->poll_until_ms ? evloop_now_ms() : 0;
	log_info("topology",
		 "shard %s: master %s -> %s, generation %u (%s); map written %llu ms after it",
		 s->name, had_master ? addr_str(&old, from) : "none",
		 addr_str(&s->candidate, to), next.generation, s->reason,
		 (unsigned long long)s->written_after_ms);
}

static void role_reply(redisAsyncContext *ac, void *r, void *privdata);

static void ask_role_again(struct evloop *loop, void *data)
{
	struct shard_state *s = data;

	(void)loop;
	if (!s->role_conn.ac ||
	    redisAsyncCommand(s->role_conn.ac, role_reply, s, "ROLE") !=
		    REDIS_OK)
		check_done(s);
}

static void role_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct shard_state *s = privdata;
	redisReply *reply = r;
	char a[ADDR_STR];
	bool master;

	(void)ac;
	if (!reply) /* the connection went away; on_down reports it */
		return;
	master = reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
		 reply->element[0]->type == REDIS_REPLY_STRING &&
		 !strcmp(reply->element[0]->str, "master");
	if (!master && evloop_now_ms() < s->poll_until_ms) {
		/* Promoted mode: not master yet, ask again shortly. */
		evloop_timer_start(s->topo->loop, &s->poll_timer,
				   TOPOLOGY_POLL_MS, ask_role_again, s);
		return;
	}
	if (master) {
		switch_master(s);
	} else {
		s->refused = s->candidate;
		s->refused_ms = evloop_now_ms();
		log_warn("topology",
			 "shard %s: %s does not answer ROLE master (%s): not switching",
			 s->name, addr_str(&s->candidate, a), s->reason);
	}
	check_done(s);
}

static void role_up(struct redis_conn *conn, const char *why)
{
	struct shard_state *s = conn->data;

	(void)why;
	if (redisAsyncCommand(conn->ac, role_reply, s, "ROLE") != REDIS_OK) {
		log_warn("topology", "shard %s: ROLE to %s could not be sent",
			 s->name, conn->addr);
		check_done(s);
	}
}

static void reconnect(struct evloop *loop, void *data)
{
	struct shard_state *s = data;
	char ip[INET_ADDRSTRLEN];

	(void)loop;
	inet_ntop(AF_INET, &s->candidate.ip, ip, sizeof(ip));
	if (redis_conn_open(&s->role_conn, s->topo->loop, ip,
			    ntohs(s->candidate.port), ROLE_TIMEOUT_MS))
		check_done(s);
}

static void role_down(struct redis_conn *conn, const char *why)
{
	struct shard_state *s = conn->data;

	if (!s->checking)
		return;
	/* Promoted mode: Sentinel kills the clients of the replica it
	 * promotes (CLIENT KILL), ours included; connect again. */
	if (evloop_now_ms() < s->poll_until_ms) {
		evloop_timer_start(s->topo->loop, &s->poll_timer,
				   TOPOLOGY_POLL_MS, reconnect, s);
		return;
	}
	s->checking = false;
	log_warn("topology", "shard %s: ROLE check of %s failed (%s): not switching",
		 s->name, conn->addr, why ? why : "?");
}

/* Start checking `addr` with ROLE, once or (poll_ms) until it says master. */
static void check_candidate(struct shard_state *s,
			    const struct sentinel_addr *addr, const char *reason,
			    uint64_t poll_ms)
{
	char ip[INET_ADDRSTRLEN], a[ADDR_STR];

	if (s->checking)
		check_done(s);
	s->checking = true;
	s->candidate = *addr;
	s->event_ms = evloop_now_ms();
	s->poll_until_ms = poll_ms ? s->event_ms + poll_ms : 0;
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
	log_info("topology", "shard %s: %s names %s master; %s", s->name,
		 reason, addr_str(addr, a),
		 poll_ms ? "polling ROLE until it is" : "checking ROLE");
	s->role_conn.on_up = role_up;
	s->role_conn.on_down = role_down;
	s->role_conn.data = s;
	inet_ntop(AF_INET, &addr->ip, ip, sizeof(ip));
	if (redis_conn_open(&s->role_conn, s->topo->loop, ip, ntohs(addr->port),
			    ROLE_TIMEOUT_MS)) {
		log_warn("topology", "shard %s: cannot connect to %s", s->name,
			 addr_str(addr, a));
		s->checking = false;
	}
}

void topology_propose(struct shard_state *s, const struct sentinel_addr *addr,
		      const char *reason)
{
	if (topology_is_master(s, addr) && s->map.state == RH_SHARD_UP) {
		if (s->promoted_ms && !strncmp(reason, "+switch-master", 14)) {
			log_info("topology",
				 "shard %s: %s confirms the promotion written %llu ms before it",
				 s->name, reason,
				 (unsigned long long)(evloop_now_ms() -
						      s->promoted_ms));
			s->promoted_ms = 0;
		}
		return;
	}
	if (s->checking && s->candidate.ip == addr->ip &&
	    s->candidate.port == addr->port)
		return; /* the same word twice (several Sentinels) */
	/* A reconcile naming a server just refused waits (no log flood);
	 * Sentinel's own events are always checked. */
	if (reason[0] != '+' && s->refused.ip == addr->ip &&
	    s->refused.port == addr->port &&
	    evloop_now_ms() - s->refused_ms < TOPOLOGY_RECHECK_MS)
		return;
	check_candidate(s, addr, reason, 0);
}

void topology_follow_promotion(struct shard_state *s,
			       const struct sentinel_addr *addr,
			       const char *reason)
{
	if (topology_is_master(s, addr) ||
	    (s->checking && s->candidate.ip == addr->ip &&
	     s->candidate.port == addr->port))
		return;
	check_candidate(s, addr, reason, TOPOLOGY_POLL_FOR_MS);
}

void topology_mark_down(struct shard_state *s, const struct sentinel_addr *addr,
			bool down)
{
	struct rh_shard next = s->map;
	char a[ADDR_STR];

	if (!topology_is_master(s, addr))
		return; /* about an instance that is not the master we use */
	next.state = down ? RH_SHARD_DOWN : RH_SHARD_UP;
	if (next.state == s->map.state || write_shard(s, &next))
		return;
	log_info("topology", "shard %s: master %s is %s", s->name,
		 addr_str(addr, a),
		 down ? "objectively down: new flows are refused"
		      : "up again");
}

void topology_close(struct topology *t)
{
	for (size_t i = 0; i < t->nshards; i++)
		if (t->shards[i].checking)
			check_done(&t->shards[i]);
}
