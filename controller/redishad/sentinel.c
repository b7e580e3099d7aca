#include "sentinel.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define CONNECT_TIMEOUT_MS 1000
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define REASON_MAX TOPOLOGY_REASON_MAX

static void connect_both(struct sentinel *s);

size_t sentinel_watch_reachable(const struct sentinel_watch *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n; i++)
		n += w->sentinels[i].cmd.connected;
	return n;
}

/*
 * A majority of the reachable Sentinels names the shard's master, all of
 * them having answered in this round: answers from an earlier round may
 * predate a switch, and one Sentinel's word never outvotes the others.
 */
static void decide(struct sentinel_watch *w, struct shard_state *shard)
{
	struct sentinel_addr answers[CONFIG_MAX_SENTINELS], winner;
	size_t n = 0, agree, reachable = sentinel_watch_reachable(w);
	char reason[REASON_MAX];

	for (size_t i = 0; i < w->n; i++) {
		struct sentinel *s = &w->sentinels[i];

		if (s->cmd.connected && s->answer_round[shard->id] == w->round)
			answers[n++] = s->answer[shard->id];
	}
	if (n < reachable ||
	    evloop_now_ms() - shard->written_ms < SENTINEL_RECONCILE_HOLD_MS)
		return;
	agree = sentinel_majority(answers, n, &winner);
	if (agree * 2 <= reachable || topology_is_master(shard, &winner))
		return;
	snprintf(reason, sizeof(reason), "%zu of %zu reachable Sentinels", agree,
		 reachable);
	topology_propose(shard, &winner, reason);
}

static void master_addr_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = ac->data ? ((struct redis_conn *)ac->data)->data
				      : NULL;
	struct shard_state *shard = privdata;
	redisReply *reply = r;
	struct sentinel_addr a;

	if (!reply || !s)
		return;
	if (reply->type == REDIS_REPLY_NIL) {
		log_warn("sentinel", "%s does not monitor shard %s", s->addr,
			 shard->name);
		return;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
	    reply->element[0]->type != REDIS_REPLY_STRING ||
	    reply->element[1]->type != REDIS_REPLY_STRING ||
	    sentinel_addr_parse(reply->element[0]->str, reply->element[1]->str,
				&a)) {
		log_warn("sentinel",
			 "%s: unexpected reply to get-master-addr-by-name %s: ignored",
			 s->addr, shard->name);
		return;
	}
	s->answer[shard->id] = a;
	s->answer_round[shard->id] = s->asked_round;
	decide(s->watch, shard);
}

static void query_masters(struct sentinel *s)
{
	struct topology *t = s->watch->topo;

	s->asked_round = s->watch->round;
	for (size_t i = 0; i < t->nshards; i++) {
		if (redisAsyncCommand(s->cmd.ac, master_addr_reply,
				      &t->shards[i],
				      "SENTINEL get-master-addr-by-name %s",
				      t->shards[i].name) != REDIS_OK)
			log_warn("sentinel", "%s: cannot send a query",
				 s->addr);
	}
}

static void handle_event(struct sentinel *s, const char *channel,
			 const char *payload)
{
	struct sentinel_event ev;
	struct shard_state *shard;
	char reason[REASON_MAX];

	if (sentinel_event_parse(channel, payload, &ev)) {
		log_warn("sentinel", "%s: malformed %s message ignored: %.120s",
			 s->addr, channel, payload);
		return;
	}
	shard = topology_shard(s->watch->topo, ev.master);
	if (!shard)
		return; /* a master this gateway does not serve */
	log_info("sentinel", "%s: %s %s", s->addr, channel, payload);
	switch (ev.kind) {
	case SE_SWITCH_MASTER:
		snprintf(reason, sizeof(reason), "+switch-master from %s",
			 s->addr);
		topology_propose(shard, &ev.new_master, reason);
		break;
	case SE_SEND_SLAVEOF_NOONE:
		if (s->watch->follow_promoted && !strcmp(ev.type, "slave")) {
			snprintf(reason, sizeof(reason),
				 "+failover-state-send-slaveof-noone from %s",
				 s->addr);
			topology_follow_promotion(shard, &ev.instance, reason);
		}
		break;
	case SE_ODOWN:
	case SE_ODOWN_END:
		if (!strcmp(ev.type, "master"))
			topology_mark_down(shard, &ev.instance,
					   ev.kind == SE_ODOWN);
		break;
	default:
		break; /* logged above; the reconcile covers the rest */
	}
}

/* Pub/sub replies: ["message", channel, payload] or subscribe acks. */
static void sub_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct sentinel *s = privdata;
	redisReply *reply = r;

	(void)ac;
	if (!reply)
		return;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
	    reply->element[0]->type != REDIS_REPLY_STRING) {
		log_warn("sentinel", "%s: unexpected pub/sub reply ignored",
			 s->addr);
		return;
	}
	if (strcmp(reply->element[0]->str, "message"))
		return; /* subscribe confirmations */
	if (reply->element[1]->type != REDIS_REPLY_STRING ||
	    reply->element[2]->type != REDIS_REPLY_STRING) {
		log_warn("sentinel", "%s: malformed message ignored", s->addr);
		return;
	}
	handle_event(s, reply->element[1]->str, reply->element[2]->str);
}

static void subscribe(struct sentinel *s)
{
	const char *argv[SE_COUNT + 1] = { "SUBSCRIBE" };

	for (int i = 0; i < SE_COUNT; i++)
		argv[i + 1] = sentinel_event_channels[i];
	if (redisAsyncCommandArgv(s->sub.ac, sub_reply, s, SE_COUNT + 1, argv,
				  NULL) != REDIS_OK)
		log_warn("sentinel", "%s: cannot subscribe", s->addr);
}

static void retry(struct evloop *loop, void *data)
{
	(void)loop;
	connect_both(data);
}

/* Either connection is down: drop both and come back later. */
static void conn_down(struct redis_conn *conn, const char *why)
{
	struct sentinel *s = conn->data;
	bool was_up = s->cmd.connected || s->sub.connected ||
		      s->backoff_ms == BACKOFF_MIN_MS;

	redis_conn_close(conn == &s->cmd ? &s->sub : &s->cmd);
	memset(s->answer_round, 0, sizeof(s->answer_round));
	if (was_up)
		log_warn("sentinel", "%s unreachable (%s); retrying, topology kept",
			 s->addr, why ? why : "?");
	evloop_timer_start(s->watch->loop, &s->retry, s->backoff_ms, retry, s);
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							   : s->backoff_ms * 2;
}

static void conn_up(struct redis_conn *conn, const char *why)
{
	struct sentinel *s = conn->data;

	(void)why;
	if (!s->cmd.connected || !s->sub.connected)
		return;
	s->backoff_ms = BACKOFF_MIN_MS;
	log_info("sentinel", "%s connected", s->addr);
	query_masters(s);
	subscribe(s);
}

static void connect_both(struct sentinel *s)
{
	struct redis_conn *conns[] = { &s->cmd, &s->sub };

	for (size_t i = 0; i < 2; i++) {
		conns[i]->on_up = conn_up;
		conns[i]->on_down = conn_down;
		conns[i]->data = s;
		if (redis_conn_open(conns[i], s->watch->loop, s->ip, s->port,
				    CONNECT_TIMEOUT_MS)) {
			conn_down(conns[i], "cannot create a connection");
			return;
		}
	}
}

static void reconcile(struct evloop *loop, void *data)
{
	struct sentinel_watch *w = data;

	w->round++;
	for (size_t i = 0; i < w->n; i++)
		if (w->sentinels[i].cmd.connected)
			query_masters(&w->sentinels[i]);
	evloop_timer_start(loop, &w->reconcile, w->reconcile_ms, reconcile, w);
}

void sentinel_watch_start(struct sentinel_watch *w, struct evloop *loop,
			  struct topology *topo, const struct config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->loop = loop;
	w->topo = topo;
	w->reconcile_ms = cfg->reconcile_ms;
	w->follow_promoted = cfg->sentinel_follow == CONFIG_FOLLOW_PROMOTED;
	w->n = cfg->nsentinels;
	w->round = 1;
	for (size_t i = 0; i < w->n; i++) {
		struct sentinel *s = &w->sentinels[i];
		const struct config_endpoint *e = &cfg->sentinels[i];

		s->watch = w;
		inet_ntop(AF_INET, &e->addr, s->ip, sizeof(s->ip));
		s->port = ntohs(e->port);
		snprintf(s->addr, sizeof(s->addr), "%s:%d", s->ip, s->port);
		s->backoff_ms = BACKOFF_MIN_MS;
		connect_both(s);
	}
	evloop_timer_start(loop, &w->reconcile, w->reconcile_ms, reconcile, w);
}

void sentinel_watch_stop(struct sentinel_watch *w)
{
	evloop_timer_stop(w->loop, &w->reconcile);
	for (size_t i = 0; i < w->n; i++) {
		evloop_timer_stop(w->loop, &w->sentinels[i].retry);
		redis_conn_close(&w->sentinels[i].cmd);
		redis_conn_close(&w->sentinels[i].sub);
	}
}
