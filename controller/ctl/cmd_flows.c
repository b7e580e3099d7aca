/* flows: the NATed connections, one forward entry of rh_flows each. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "table.h"

const struct params_opt cmd_flows_params[] = {
	{ .name = "limit", .short_opt = 'n', .kind = PARAMS_UINT,
	  PARAMS_FIELD(struct cmd_flows_opts, limit), .metavar = "N",
	  .help = "show at most N flows", .min = 1, .max = RH_MAX_FLOWS },
	{ .name = "shard", .short_opt = 's', .kind = PARAMS_STRING,
	  PARAMS_FIELD(struct cmd_flows_opts, shard), .metavar = "SHARD",
	  .help = "only the flows of SHARD (name or id)" },
	PARAMS_END,
};

const struct cmd_flows_opts cmd_flows_defaults = { .limit = 100 };

struct flow {
	struct rh_flow_key key;
	struct rh_flow f;
};

/*
 * Visit every entry. The walk restarts from the first key when the entry
 * it stands on is deleted meanwhile (the datapath's LRU, the sweep), so it
 * is bounded like flows_sweep's; under such churn an entry may be seen
 * twice or not at all, which a snapshot for people can afford.
 */
static int walk(const struct ctl *c,
		int (*visit)(const struct rh_flow_key *, const struct rh_flow *,
			     void *),
		void *data, char *err, size_t errlen)
{
	int fd = c->dp.fds[DP_MAP_FLOWS], r;
	struct rh_flow_key key, prev_key;
	const struct rh_flow_key *prev = NULL;
	struct rh_flow f;

	for (long steps = 0; steps < 2L * RH_MAX_FLOWS; steps++) {
		if (bpf_map_get_next_key(fd, prev, &key)) {
			if (errno == ENOENT)
				return 0;
			break;
		}
		if (bpf_map_lookup_elem(fd, &key, &f) == 0 &&
		    (r = visit(&key, &f, data)))
			return r;
		prev_key = key;
		prev = &prev_key;
	}
	snprintf(err, errlen, "read %s: %s", RH_MAP_FLOWS,
		 errno ? strerror(errno) : "too many restarts");
	return errno ? -errno : -EAGAIN;
}

struct tally {
	struct cmd_flows_tally *t;
	const struct rh_config *cfg;
	unsigned long long now;
};

static int count(const struct rh_flow_key *k, const struct rh_flow *f,
		 void *data)
{
	struct tally *x = data;

	(void)k;
	x->t->entries++;
	if (f->dir == RH_FLOW_FORWARD && rh_flow_live(x->cfg, f, x->now))
		x->t->connections++;
	return 0;
}

int cmd_flows_tally(const struct ctl *c, struct cmd_flows_tally *t, char *err,
		    size_t errlen)
{
	struct tally x = { t, &c->cfg, datapath_now_ns() };

	memset(t, 0, sizeof(*t));
	return walk(c, count, &x, err, errlen);
}

struct collect {
	struct flow *v;
	size_t n, cap;
	bool filter;
	uint32_t shard;
};

static int collect(const struct rh_flow_key *k, const struct rh_flow *f,
		   void *data)
{
	struct collect *x = data;

	if (f->dir != RH_FLOW_FORWARD || (x->filter && f->shard_id != x->shard))
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		void *p = realloc(x->v, cap * sizeof(*x->v));

		if (!p)
			return -ENOMEM;
		x->v = p;
		x->cap = cap;
	}
	x->v[x->n].key = *k;
	x->v[x->n++].f = *f;
	return 0;
}

/* Most recently active first; then by client, for a stable order. */
static int by_idle(const void *a, const void *b)
{
	const struct flow *x = a, *y = b;

	if (x->f.last_seen_ns != y->f.last_seen_ns)
		return x->f.last_seen_ns > y->f.last_seen_ns ? -1 : 1;
	if (x->key.saddr != y->key.saddr)
		return ntohl(x->key.saddr) < ntohl(y->key.saddr) ? -1 : 1;
	return ntohs(x->key.sport) < ntohs(y->key.sport) ? -1
	       : ntohs(x->key.sport) > ntohs(y->key.sport);
}

/* Expired entries wait for redishad's sweep; the datapath ignores them. */
static const char *state_name(const struct ctl *c, const struct rh_flow *f,
			      unsigned long long now)
{
	if (!rh_flow_live(&c->cfg, f, now))
		return "expired";
	switch (f->tcp_state) {
	case RH_TCP_SYN_SENT: return "syn-sent";
	case RH_TCP_ESTABLISHED: return "established";
	case RH_TCP_CLOSING: return "closing";
	}
	return "unknown";
}

struct row {
	char client[CTL_ADDR_MAX], vip[CTL_ADDR_MAX], master[CTL_ADDR_MAX],
		snat[CTL_ADDR_MAX], shard[RH_SHARD_NAME_MAX], idle[24];
	const char *state;
	double idle_s;
};

/* A forward entry's key is client -> VIP; its nat tuple SNAT -> master. */
static void format_row(const struct ctl *c, const struct flow *fl,
		       unsigned long long now, struct row *r)
{
	const struct rh_flow_key *k = &fl->key, *n = &fl->f.nat;
	const char *label;

	ctl_endpoint_str(k->saddr, k->sport, r->client, sizeof(r->client));
	ctl_endpoint_str(k->daddr, k->dport, r->vip, sizeof(r->vip));
	ctl_endpoint_str(n->daddr, n->dport, r->master, sizeof(r->master));
	ctl_endpoint_str(n->saddr, n->sport, r->snat, sizeof(r->snat));
	label = ctl_shard_label(c, fl->f.shard_id, r->shard, sizeof(r->shard));
	if (label != r->shard) /* a name, not the id written into r->shard */
		snprintf(r->shard, sizeof(r->shard), "%s", label);
	r->state = state_name(c, &fl->f, now);
	r->idle_s = (long long)(now - fl->f.last_seen_ns) > 0
			    ? (double)(now - fl->f.last_seen_ns) / 1e9
			    : 0.0;
	snprintf(r->idle, sizeof(r->idle), "%.1f", r->idle_s);
}

static void flow_json(struct ctl *c, const struct flow *fl, const struct row *r)
{
	struct json *j = &c->js;

	json_object_begin(j);
	json_kv_string(j, "client", r->client);
	json_kv_string(j, "vip", r->vip);
	json_kv_string(j, "master", r->master);
	json_kv_string(j, "snat", r->snat);
	json_kv_uint(j, "shard_id", fl->f.shard_id);
	json_kv_string(j, "shard", ctl_shard_name(c, fl->f.shard_id));
	json_kv_uint(j, "generation", fl->f.generation);
	json_kv_string(j, "state", r->state);
	json_kv_double(j, "idle_s", r->idle_s, 3);
	json_object_end(j);
}

static int print_flows(struct ctl *c, const struct collect *x, size_t shown)
{
	static const struct table_col cols[] = {
		{ "CLIENT", false }, { "VIP:PORT", false }, { "MASTER", false },
		{ "SNAT", false },   { "SHARD", false },    { "STATE", false },
		{ "IDLE", true },
	};
	unsigned long long now = datapath_now_ns();
	struct table t;
	int r = CTL_EXIT_OK;

	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < shown; i++) {
		struct row w;

		format_row(c, &x->v[i], now, &w);
		if (c->json) {
			flow_json(c, &x->v[i], &w);
		} else if (table_row(&t, (const char *[]){ w.client, w.vip,
							   w.master, w.snat,
							   w.shard, w.state,
							   w.idle })) {
			ctl_error("out of memory");
			r = CTL_EXIT_ERROR;
			break;
		}
	}
	if (!c->json) {
		table_print(&t, stdout);
		if (shown < x->n)
			printf("(%zu of %zu flows shown; --limit N for more)\n",
			       shown, x->n);
	}
	table_free(&t);
	return r;
}

int cmd_flows(struct ctl *c, const void *opts)
{
	const struct cmd_flows_opts *o = opts;
	struct collect x = { 0 };
	char err[CTL_ERR_MAX];
	size_t shown;
	int r;

	if (o->shard) {
		if (ctl_shard_resolve(c, o->shard, &x.shard, err,
				      sizeof(err))) {
			ctl_error("%s", err);
			return CTL_EXIT_ERROR;
		}
		x.filter = true;
	}
	if ((r = walk(c, collect, &x, err, sizeof(err)))) {
		if (r == -ENOMEM)
			ctl_error("out of memory reading %s", RH_MAP_FLOWS);
		else
			ctl_error("%s", err);
		free(x.v);
		return CTL_EXIT_ERROR;
	}
	if (x.n)
		qsort(x.v, x.n, sizeof(*x.v), by_idle);
	shown = x.n < o->limit ? x.n : o->limit;
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		json_kv_uint(&c->js, "total", x.n);
		json_kv_uint(&c->js, "shown", shown);
		json_kv_uint(&c->js, "limit", o->limit);
		json_key(&c->js, "flows");
		json_array_begin(&c->js);
	}
	r = print_flows(c, &x, shown);
	if (c->json) {
		json_array_end(&c->js);
		json_object_end(&c->js);
	}
	free(x.v);
	return r;
}
