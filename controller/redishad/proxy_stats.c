#include "proxy_stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define FILE_MAX (256 * 1024)

/* `key:value` where key is `name`: the value, else NULL. */
static const char *value_of(const char *line, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(line, name, n) && line[n] == ':' ? line + n + 1 : NULL;
}

/* A `NAME:field=N,field=N...` line's field. */
static uint64_t field(const char *v, const char *name)
{
	const char *p = strstr(v, name);
	size_t n = strlen(name);

	while (p && !((p == v || p[-1] == ',') && p[n] == '='))
		p = strstr(p + 1, name);
	return p ? strtoull(p + n + 1, NULL, 10) : 0;
}

/* The name between `prefix` and ':' into out. */
static bool name_after(const char *line, const char *prefix, char *out)
{
	size_t n = strlen(prefix);
	const char *colon;

	if (strncmp(line, prefix, n) || !(colon = strchr(line + n, ':')) ||
	    (size_t)(colon - line - n) >= PROXY_STATS_NAME_MAX)
		return false;
	memcpy(out, line + n, (size_t)(colon - line - n));
	out[colon - line - n] = '\0';
	return true;
}

static void parse_line(struct proxy_stats *ps, const char *line,
		       long long *written)
{
	static const struct {
		const char *key;
		size_t off;
	} totals[] = {
#define TOTAL(key, f) { key, offsetof(struct proxy_stats, f) }
		TOTAL("connected_clients", connected_clients),
		TOTAL("total_connections_received", connections_received),
		TOTAL("rejected_connections", rejected_connections),
		TOTAL("total_commands_processed", commands),
		TOTAL("proxy_error_replies", error_replies),
		TOTAL("protocol_errors", protocol_errors),
		TOTAL("backend_failures", backend_failures),
		TOTAL("failover_aborted_requests", failover_aborts),
#undef TOTAL
	};
	const char *v;
	char name[PROXY_STATS_NAME_MAX];

	if ((v = value_of(line, "unix_time"))) {
		*written = strtoll(v, NULL, 10);
		return;
	}
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		if ((v = value_of(line, totals[i].key))) {
			*(uint64_t *)((char *)ps + totals[i].off) =
				strtoull(v, NULL, 10);
			return;
		}
	}
	if (name_after(line, "shard_", name) && ps->nshards < RH_MAX_SHARDS) {
		memcpy(ps->shards[ps->nshards].name, name, sizeof(name));
		ps->shards[ps->nshards++].requests =
			field(strchr(line, ':') + 1, "requests");
	} else if (name_after(line, "cmdstat_", name) &&
		   ps->ncmds < PROXY_STATS_COMMANDS) {
		v = strchr(line, ':') + 1;
		memcpy(ps->cmds[ps->ncmds].name, name, sizeof(name));
		ps->cmds[ps->ncmds].calls = field(v, "calls");
		ps->cmds[ps->ncmds].usec = field(v, "usec");
		ps->cmds[ps->ncmds++].failed = field(v, "failed_calls");
	} else if (name_after(line, "latency_usec_le_", name) &&
		   ps->nbuckets < PROXY_STATS_BUCKETS) {
		ps->le_us[ps->nbuckets] =
			strcmp(name, "inf") ? strtoull(name, NULL, 10) : 0;
		ps->le_count[ps->nbuckets++] =
			strtoull(strchr(line, ':') + 1, NULL, 10);
	}
}

void proxy_stats_parse(struct proxy_stats *ps, const char *text, long long now)
{
	long long written = 0;

	memset(ps, 0, sizeof(*ps));
	while (*text) {
		size_t n = strcspn(text, "\r\n");
		char line[512];

		if (n < sizeof(line)) {
			memcpy(line, text, n);
			line[n] = '\0';
			parse_line(ps, line, &written);
		}
		text += n;
		text += strspn(text, "\r\n");
	}
	ps->up = written && now - written <= PROXY_STATS_STALE_S;
}

void proxy_stats_read(struct proxy_stats *ps, const struct config *cfg,
		      long long now)
{
	char path[192], *text = malloc(FILE_MAX + 1);
	FILE *f;
	size_t n;

	memset(ps, 0, sizeof(*ps));
	snprintf(path, sizeof(path), "%s/%s.proxy", STATE_DIR, cfg->instance);
	if (!text)
		return;
	f = fopen(path, "r");
	if (f) {
		n = fread(text, 1, FILE_MAX, f);
		fclose(f);
		text[n] = '\0';
		proxy_stats_parse(ps, text, now);
	}
	free(text);
}
