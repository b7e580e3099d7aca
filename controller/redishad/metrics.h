/*
 * metrics: redishad's Prometheus endpoint (`metrics ADDR:PORT`,
 * docs/operations.md). A small HTTP/1.0 server on the event loop: GET
 * /metrics answers the text exposition format 0.0.4 and closes; other paths
 * get 404, other methods 405. Everything is read when a scrape arrives, from
 * the same places as the state file (state.h) plus the maps: shards'
 * masters, Sentinel reachability, rh_config, rh_flows and rh_stats; and
 * redisha-proxy's statistics from its file (proxy_stats.h).
 *
 * Bounded: at most METRICS_MAX_CLIENTS connections at once (more get 503),
 * a request larger than METRICS_REQUEST_MAX or a connection older than
 * METRICS_TIMEOUT_MS is dropped, and every buffer is fixed, inside struct
 * metrics: a body that would not fit its buffer is answered with 500.
 */
#ifndef REDISHA_METRICS_H
#define REDISHA_METRICS_H

#include <stddef.h>

#include "config.h"
#include "datapath.h"
#include "election.h"
#include "evloop.h"
#include "proxy_stats.h"
#include "sentinel.h"
#include "topology.h"

/* What redisha_build_info reports; a packager may set it with -D. */
#ifndef REDISHA_VERSION
#define REDISHA_VERSION "0.1.0-dev"
#endif

#define METRICS_MAX_CLIENTS 16
#define METRICS_REQUEST_MAX 4096 /* request line and headers */
#define METRICS_TIMEOUT_MS 2000	 /* from accept to the last byte sent */
/* Enough for RH_MAX_SHARDS shards with names of RH_SHARD_NAME_MAX bytes
 * (about 500 bytes each) plus every XDP counter. */
#define METRICS_BODY_MAX (256 * 1024) /* + redisha-proxy's per command */
#define METRICS_HEAD_MAX 256 /* status line and headers of a response */
#define METRICS_MAX_CPUS 4096 /* per-CPU values read from rh_stats */

struct metrics;

struct metrics_client {
	struct metrics *m;
	int fd; /* -1: the slot is free */
	struct ev_timer deadline;
	size_t in_len;
	char in[METRICS_REQUEST_MAX + 1]; /* NUL-terminated */
	size_t out_len, out_sent; /* out_len 0: still reading the request */
	char out[METRICS_HEAD_MAX + METRICS_BODY_MAX];
};

struct metrics {
	struct evloop *loop;
	const struct datapath *dp;
	const struct topology *topo;
	const struct sentinel_watch *watch;
	const struct config *cfg;
	const struct election *election; /* NULL without `vrrp` */
	struct proxy_stats proxy; /* read at each scrape */
	int listen_fd; /* -1: not serving */
	char addr[24];	/* "ip:port" it listens on, for logs */
	int ncpus;     /* possible CPUs: values per rh_stats entry */
	struct ev_timer accept_pause; /* out of descriptors: accept later */
	struct metrics_client clients[METRICS_MAX_CLIENTS];
	__u64 per_cpu[METRICS_MAX_CPUS];
	char body[METRICS_BODY_MAX];
};

/*
 * Listen on cfg->metrics when cfg->has_metrics (else do nothing and return
 * 0). The other pointers are only read while a request is answered, from
 * evloop_run on, so they may be filled after this call; they must outlive
 * metrics_stop. Returns 0 or -errno, with `err` naming the call and the
 * address ("bind 198.18.1.2:9860: Address already in use").
 */
int metrics_start(struct metrics *m, struct evloop *loop,
		  const struct config *cfg, const struct datapath *dp,
		  const struct topology *topo,
		  const struct sentinel_watch *watch, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Close the listening socket and every client. Call it only after
 * metrics_start, whatever that returned. */
void metrics_stop(struct metrics *m);

#endif /* REDISHA_METRICS_H */
