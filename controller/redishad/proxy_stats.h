/*
 * proxy_stats: redisha-proxy's statistics as redishad's /metrics exports
 * them, read from the INFO text the proxy writes each second to
 * /run/redisha/<instance>.proxy (controller/proxy/stats.h). A file older
 * than PROXY_STATS_STALE_S (or none) means no proxy is running.
 */
#ifndef REDISHA_PROXY_STATS_H
#define REDISHA_PROXY_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROXY_STATS_STALE_S 5
#define PROXY_STATS_COMMANDS 256 /* more than Redis 7.0 has */
#define PROXY_STATS_BUCKETS 32
#define PROXY_STATS_NAME_MAX 64

struct proxy_stats {
	bool up; /* a fresh file was read */
	uint64_t connected_clients, connections_received, rejected_connections,
		commands, error_replies, protocol_errors, backend_failures,
		failover_aborts;
	struct {
		char name[PROXY_STATS_NAME_MAX];
		uint64_t requests;
	} shards[RH_MAX_SHARDS];
	size_t nshards;
	struct {
		char name[PROXY_STATS_NAME_MAX];
		uint64_t calls, usec, failed;
	} cmds[PROXY_STATS_COMMANDS];
	size_t ncmds;
	/* cumulative: requests under le_us[i] microseconds (0: +Inf) */
	uint64_t le_us[PROXY_STATS_BUCKETS], le_count[PROXY_STATS_BUCKETS];
	size_t nbuckets;
};

/* Read the proxy's file for cfg's instance; `now` is time(NULL). Never
 * fails: a missing, stale or unreadable file gives up == false. */
void proxy_stats_read(struct proxy_stats *ps, const struct config *cfg,
		      long long now);

/* Parse INFO text (for tests and proxy_stats_read). */
void proxy_stats_parse(struct proxy_stats *ps, const char *text, long long now);

#endif /* REDISHA_PROXY_STATS_H */
