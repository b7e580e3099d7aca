/*
 * check: a Nagios plugin (Monitoring Plugins guidelines). One status line,
 * "REDISHA <STATUS> - <text> | <perfdata>", and the exit status says it:
 * 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *
 *   CRITICAL  no maps (the datapath is not there), rh_config never
 *             written, a shard without a master
 *   WARNING   redishad not running (no live state file) or its heartbeat
 *             older than 3 dead-man intervals, a shard down, a Sentinel
 *             unreachable
 *   UNKNOWN   the maps cannot be read (permissions, another ABI)
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cmd.h"

#define STALE_DEADMANS 3 /* heartbeat older than this many dead-man spans */
#define MAX_PROBLEMS 32
#define PROBLEM_MAX 200
#define TEXT_MAX 2048

enum check_status {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

static const char *const status_names[] = { "OK", "WARNING", "CRITICAL",
					     "UNKNOWN" };

struct check {
	enum check_status status;
	char problems[MAX_PROBLEMS][PROBLEM_MAX];
	size_t nproblems, dropped;
	bool maps; /* the maps were read: the counts below mean something */
	int nshards, shards_up;
	bool sentinels_known;
	size_t sentinels_up, sentinels;
	unsigned long flows;
};

/* Severity, for the worst-wins rule: a known CRITICAL outranks not
 * knowing, which outranks a WARNING. */
static int rank(enum check_status s)
{
	static const int ranks[] = {
		[CHECK_OK] = 0,
		[CHECK_WARNING] = 1,
		[CHECK_UNKNOWN] = 2,
		[CHECK_CRITICAL] = 3,
	};

	return ranks[s];
}

static void raise_to(struct check *k, enum check_status s)
{
	if (rank(s) > rank(k->status))
		k->status = s;
}

__attribute__((format(printf, 3, 4))) static void
problem(struct check *k, enum check_status s, const char *fmt, ...)
{
	va_list ap;

	raise_to(k, s);
	if (k->nproblems == MAX_PROBLEMS) {
		k->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(k->problems[k->nproblems++], PROBLEM_MAX, fmt, ap);
	va_end(ap);
}

static void check_shards(struct ctl *c, struct check *k)
{
	uint32_t ids[RH_MAX_SHARDS];
	char err[CTL_ERR_MAX], id_s[12];
	struct rh_shard s;

	if ((k->nshards = ctl_shard_ids(c, ids, err, sizeof(err))) < 0) {
		problem(k, CHECK_UNKNOWN, "%s", err);
		k->nshards = 0;
		return;
	}
	for (int i = 0; i < k->nshards; i++) {
		const char *label = ctl_shard_label(c, ids[i], id_s,
						    sizeof(id_s));

		if (datapath_lookup(&c->dp, DP_MAP_SHARDS, &ids[i], &s, err,
				    sizeof(err))) {
			problem(k, CHECK_UNKNOWN, "shard %s: %s", label, err);
			continue;
		}
		if (s.state == RH_SHARD_UP)
			k->shards_up++;
		else if (s.state == RH_SHARD_DOWN)
			problem(k, CHECK_WARNING, "shard %s is down", label);
		else
			problem(k, CHECK_CRITICAL, "shard %s has no master",
				label);
	}
}

static void check_controller(struct ctl *c, struct check *k)
{
	double age = ctl_age_s(c->cfg.heartbeat_ns);
	double deadman = (double)c->cfg.deadman_ns / 1e9;

	if (!c->running)
		problem(k, CHECK_WARNING, "%s", c->why_not);
	if (!c->cfg.heartbeat_ns)
		problem(k, CHECK_WARNING, "no heartbeat ever written");
	else if (age > STALE_DEADMANS * deadman)
		problem(k, CHECK_WARNING,
			"heartbeat %.1f s old (dead-man %.1f s): the VIP is "
			"not answered here",
			age, deadman);
	if (!c->running)
		return;
	k->sentinels_known = true;
	k->sentinels = c->st.nsentinels;
	k->sentinels_up = statefile_sentinels_up(&c->st);
	for (size_t i = 0; i < c->st.nsentinels; i++)
		if (!c->st.sentinels[i].up)
			problem(k, CHECK_WARNING, "sentinel %s unreachable",
				c->st.sentinels[i].addr);
}

static void run_checks(struct ctl *c, struct check *k)
{
	char err[CTL_ERR_MAX];
	struct cmd_flows_tally t;
	int r = ctl_open(c, err, sizeof(err));

	if (r == -ENOENT) {
		problem(k, CHECK_CRITICAL,
			"datapath not attached for instance %s (no maps in "
			"%s/%s)",
			c->instance, RH_PIN_ROOT, c->instance);
		return;
	}
	if (r) {
		problem(k, CHECK_UNKNOWN, "%s", err);
		return;
	}
	if (c->cfg.abi_version == 0) {
		problem(k, CHECK_CRITICAL,
			"datapath not initialised (%s was never written)",
			RH_MAP_CONFIG);
		return;
	}
	k->maps = true;
	ctl_load_state(c);
	check_shards(c, k);
	check_controller(c, k);
	if (cmd_flows_tally(c, &t, err, sizeof(err)))
		problem(k, CHECK_UNKNOWN, "%s", err);
	k->flows = t.connections;
}

/* "<problems>; <summary> | <perfdata>" (the part after "REDISHA X - "). */
static void format_text(const struct check *k, char *buf, size_t len)
{
	size_t n = 0;

#define ADD(...)                                                        \
	do {                                                            \
		if (n < len)                                            \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); \
	} while (0)
	for (size_t i = 0; i < k->nproblems; i++)
		ADD("%s%s", i ? "; " : "", k->problems[i]);
	if (k->dropped)
		ADD("; and %zu more", k->dropped);
	if (!k->maps)
		return;
	ADD("%s", k->nproblems ? "; " : "");
	if (k->shards_up == k->nshards)
		ADD("%d shards up", k->nshards);
	else
		ADD("%d/%d shards up", k->shards_up, k->nshards);
	if (k->sentinels_known)
		ADD(", %zu/%zu sentinels", k->sentinels_up, k->sentinels);
	else
		ADD(", sentinels unknown");
	ADD(" | shards_up=%d;;;0;%d", k->shards_up, k->nshards);
	if (k->sentinels_known)
		ADD(" sentinels=%zu;;;0;%zu", k->sentinels_up, k->sentinels);
	ADD(" flows=%lu", k->flows);
#undef ADD
}

static void print_json(struct ctl *c, const struct check *k, const char *line)
{
	struct json *j = &c->js;

	json_object_begin(j);
	json_kv_string(j, "instance", c->instance);
	json_kv_string(j, "status", status_names[k->status]);
	json_kv_uint(j, "exit_code", k->status);
	json_kv_string(j, "line", line);
	json_key(j, "problems");
	json_array_begin(j);
	for (size_t i = 0; i < k->nproblems; i++)
		json_string(j, k->problems[i]);
	json_array_end(j);
	json_kv_bool(j, "redishad_running", c->running);
	json_key(j, "shards");
	k->maps ? json_uint(j, (unsigned)k->nshards) : json_null(j);
	json_key(j, "shards_up");
	k->maps ? json_uint(j, (unsigned)k->shards_up) : json_null(j);
	json_key(j, "sentinels");
	if (k->sentinels_known) {
		json_object_begin(j);
		json_kv_uint(j, "reachable", k->sentinels_up);
		json_kv_uint(j, "total", k->sentinels);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "flows");
	k->maps ? json_uint(j, k->flows) : json_null(j);
	json_object_end(j);
}

int cmd_check(struct ctl *c, const void *opts)
{
	static struct check k;
	char text[TEXT_MAX], line[TEXT_MAX + 32];

	(void)opts;
	memset(&k, 0, sizeof(k));
	run_checks(c, &k);
	format_text(&k, text, sizeof(text));
	snprintf(line, sizeof(line), "REDISHA %s - %s", status_names[k.status],
		 text);
	if (c->json)
		print_json(c, &k, line);
	else
		puts(line);
	return (int)k.status;
}
