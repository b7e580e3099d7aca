/*
 * route: where a request goes (docs/proxy.md, "Routing"). Pure: it looks
 * at the command and its keys, never at connections, so every rule is
 * unit-testable. The worker turns a route into fragments (request.c).
 */
#ifndef REDISHA_ROUTE_H
#define REDISHA_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"
#include "config.h"
#include "keyslot.h"
#include "resp.h"

enum route_kind {
	ROUTE_LOCAL = 0, /* answered by the proxy (local.c) */
	ROUTE_SHARD,	 /* the whole request to one shard */
	ROUTE_SPLIT,	 /* one sub-request per shard holding some keys */
	ROUTE_ALL,	 /* the same request to every shard */
	ROUTE_ERROR,	 /* refused with route.err */
};

/* How the replies of a split or fan-out become one. */
enum route_merge {
	MERGE_NONE = 0, /* one fragment: its reply as is */
	MERGE_ARRAY,	/* MGET: the elements back in key order */
	MERGE_SUM,	/* DEL, EXISTS, DBSIZE...: integers added */
	MERGE_OK,	/* MSET: +OK unless a shard failed */
	MERGE_FIRST,	/* admin fan-out: the first shard's reply */
	MERGE_CONCAT,	/* KEYS: the arrays one after another */
	MERGE_SCAN,	/* SCAN: the shard's cursor made the proxy's */
	MERGE_ANY,	/* RANDOMKEY: the first non-null, from a turning start */
};

struct route_ctx {
	const struct config *cfg;
	const struct keyslot_ring *ring; /* ketama only */
};

struct route {
	enum route_kind kind;
	enum route_merge merge;
	const struct command_info *cmd; /* NULL for ROUTE_ERROR on unknown */
	size_t shard;			/* ROUTE_SHARD */
	size_t key_step;		/* ROUTE_SPLIT: argv per key (MSET: 2) */
	uint64_t scan_cursor;		/* MERGE_SCAN: the shard's own cursor */
	bool tx;       /* MULTI, EXEC, DISCARD, WATCH, UNWATCH (tx.c) */
	bool blocking; /* BLPOP...: on the client's own connection (tx.c) */
	bool pubsub;   /* (P|S)(UN)SUBSCRIBE: the client's own (pubsub.c) */
	/* last: route_request clears only what comes before it */
	char err[RESP_ERR_MAX]; /* ROUTE_ERROR: without the '-' */
};

/*
 * Route the request argv[0..argc) (argc >= 1). Always fills `out`: a
 * request the proxy refuses (unknown command, wrong arity, keys on two
 * shards, a disabled or unsupported command) becomes ROUTE_ERROR with the
 * error redis-server or Redis Cluster would give. Returns 0, or -ENOMEM.
 */
int route_request(const struct route_ctx *ctx, size_t argc,
		  const struct resp_slice *argv, struct route *out)
	__attribute__((warn_unused_result));

/* SCAN's cursor through the proxy: the shard's cursor, shifted, with the
 * shard's index in the low bits (RH_MAX_SHARDS is 64). A shard cursor has
 * as many bits as the shard's hash table has buckets: far below 2^58. */
#define ROUTE_SCAN_SHARD_BITS 6
static inline uint64_t route_scan_cursor(uint64_t shard_cursor, size_t shard,
					 size_t nshards)
{
	/* A shard done: the next one from its start, or the end. */
	if (!shard_cursor)
		return shard + 1 < nshards ? shard + 1 : 0;
	return shard_cursor << ROUTE_SCAN_SHARD_BITS | shard;
}

/* The shard of one key under the configured distribution. */
size_t route_key_shard(const struct route_ctx *ctx, const char *key,
		       size_t len);

#endif /* REDISHA_ROUTE_H */
