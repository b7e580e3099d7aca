/*
 * proxy: the types redisha-proxy's worker threads share. One struct proxy
 * per process (the configuration and what is derived from it, read-only
 * once the workers run); one struct worker per thread, owning its event
 * loop, its clients, its backend connections and its copy of the masters.
 * Nothing mutable crosses threads but the atomic counters.
 */
#ifndef REDISHA_PROXY_H
#define REDISHA_PROXY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "evloop.h"
#include "keyslot.h"
#include "masters.h"
#include "resp.h"
#include "route.h"
#include "stats.h"

/* The Redis whose commands the proxy serves (command_table.c), as HELLO
 * reports it. */
#define PROXY_REDIS_VERSION "7.0.15"
#define PROXY_MAX_LISTEN (CONFIG_MAX_PROXY_LISTEN + RH_MAX_VIPS)
/* A client's replies past this many bytes pause reading its requests. */
#define PROXY_CLIENT_OUT_SOFT (1024 * 1024)
/* Requests of one client in flight at most; more pause its reading. */
#define PROXY_CLIENT_MAX_INFLIGHT 4096
/* Redis's client-query-buffer-limit: one request's bytes at most. */
#define PROXY_QUERY_MAX (1024ull * 1024 * 1024)
#define PROXY_READ_CHUNK (64 * 1024)
/* A client's buffers: small while it idles (thousands of clients), larger
 * reads while a big request is coming in. Emptied buffers bigger than
 * PROXY_CLIENT_BUF_KEEP are given back. */
#define PROXY_CLIENT_READ_IDLE (16 * 1024)
#define PROXY_CLIENT_READ_BUSY (256 * 1024)
#define PROXY_CLIENT_BUF_KEEP (16 * 1024)
#define PROXY_TIMEOUT_CHECK_MS 100
#define PROXY_BACKOFF_MIN_MS 100
#define PROXY_BACKOFF_MAX_MS 2000

/* Counters of one worker; INFO adds them up. */
struct worker_stats {
	atomic_uint_fast64_t connections_received;
	atomic_uint_fast64_t rejected_connections;
	atomic_uint_fast64_t connected_clients;
	atomic_uint_fast64_t commands;
	atomic_uint_fast64_t error_replies; /* errors the proxy made */
	atomic_uint_fast64_t protocol_errors;
	atomic_uint_fast64_t backend_failures;
	atomic_uint_fast64_t failover_aborts; /* requests failed by a
						 master change */
	atomic_uint_fast64_t shard_requests[RH_MAX_SHARDS];
	atomic_uint_fast64_t latency[STATS_LATENCY_BUCKETS];
};

struct proxy;
struct client;
struct backend;

struct worker {
	struct proxy *px;
	size_t id;
	pthread_t thread;
	struct evloop loop;
	int listen_fds[PROXY_MAX_LISTEN];
	size_t nlisten;
	int wake_fd; /* eventfd: the main thread asks the loop to stop */
	struct ev_timer accept_timer; /* out of fds: listeners rest */
	struct masters masters;
	struct ev_timer masters_timer;
	struct ev_timer timeouts_timer; /* backend replies, idle clients */
	uint64_t next_idle_check_ms;
	/* stats_now_us() at the last read (of a client or a backend): the
	 * clock of the replies that read completes, read once per batch */
	uint64_t now_us;
	/* proxy-server-connections per shard, for RESP2 clients and, opened
	 * with HELLO 3 when one comes, for RESP3 clients: see
	 * worker_backend() */
	struct backend *backends;
	size_t nbackends;
	size_t next_conn; /* round robin over a shard's connections */
	struct client *clients; /* all, for INFO and shutdown */
	/* touched during one event: written or resumed before the loop
	 * waits again */
	struct client *dirty_clients;
	struct backend *dirty_backends;
	struct worker_stats stats;
	struct command_stat *cmdstats; /* one per command_table entry */
};

struct proxy {
	struct config cfg;
	struct keyslot_ring *ring; /* ketama only */
	struct route_ctx route;
	struct resp_limits limits;
	bool static_topology;
	size_t nworkers;
	struct worker *workers;
	atomic_uint_fast64_t nclients; /* over all workers, for max clients */
	atomic_uint_fast64_t next_client_id;
	uint64_t start_ms;
};

/* Connection `i` of `shard` for clients speaking `proto`. */
struct backend *worker_backend(struct worker *w, enum resp_proto proto,
			       size_t shard, size_t i);

/* Queue a client or backend for the end of the current event. */
void worker_mark_client(struct worker *w, struct client *c);
void worker_mark_backend(struct worker *w, struct backend *b);

#endif /* REDISHA_PROXY_H */
