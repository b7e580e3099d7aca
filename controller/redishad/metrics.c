#define _GNU_SOURCE /* accept4 */
#include "metrics.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <time.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flows.h"
#include "log.h"

#define LISTEN_BACKLOG 64
#define ACCEPT_PAUSE_MS 100
#define ERR_MAX 256
#define NS_PER_S 1e9
#define MS_PER_S 1e3
#define METRICS_PATH "/metrics"
#define TYPE_EXPOSITION "text/plain; version=0.0.4"
#define TYPE_TEXT "text/plain; charset=utf-8"

static const char ST_OK[] = "200 OK", ST_BAD[] = "400 Bad Request",
		  ST_NOT_FOUND[] = "404 Not Found",
		  ST_METHOD[] = "405 Method Not Allowed",
		  ST_ERROR[] = "500 Internal Server Error";

/* rh_stats as the metrics label it (abi.h's X-macro). */
#define KIND_V "verdict"
#define KIND_E "event"
static const struct counter {
	const char *reason, *kind;
} counters[] = {
#define COUNTER(id, name, kind) { name, KIND_##kind },
	RH_STATS(COUNTER)
#undef COUNTER
};
_Static_assert(sizeof(counters) / sizeof(counters[0]) == RH_STAT_MAX,
	       "one label pair per counter");

/* ---- the exposition ---- */

/* A body being written; `full` once anything did not fit. */
struct out {
	char *p;
	size_t len, cap;
	bool full;
};

static void vput(struct out *o, const char *fmt, va_list ap)
{
	int n;

	if (o->full)
		return;
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static __attribute__((format(printf, 2, 3))) void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(o, fmt, ap);
	va_end(ap);
}

/* A label value, escaped as the exposition format asks: \\, \" and \n. */
static void put_label(struct out *o, const char *v)
{
	for (; *v && !o->full; v++) {
		if (*v == '\\' || *v == '"')
			put(o, "\\%c", *v);
		else if (*v == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *v);
	}
}

static void put_family(struct out *o, const char *name, const char *type,
		       const char *help)
{
	put(o, "# HELP redisha_%s %s\n# TYPE redisha_%s %s\n", name, help,
	    name, type);
}

/* `redisha_NAME{shard="S"`, then `fmt`: more labels, "}" and the value. */
static __attribute__((format(printf, 4, 5))) void
put_shard(struct out *o, const char *name, const struct shard_state *s,
	  const char *fmt, ...)
{
	va_list ap;

	put(o, "redisha_%s{shard=\"", name);
	put_label(o, s->name);
	put(o, "\"");
	va_start(ap, fmt);
	vput(o, fmt, ap);
	va_end(ap);
}

static void put_shards(struct out *o, const struct topology *t)
{
	const struct shard_state *s, *end = t->shards + t->nshards;
	char ip[INET_ADDRSTRLEN];

	put_family(o, "shard_master", "gauge",
		   "The shard's master in rh_shards (no sample before one is known).");
	for (s = t->shards; s < end; s++)
		if (s->map.state != RH_SHARD_NO_MASTER &&
		    inet_ntop(AF_INET, &s->map.master_addr, ip, sizeof(ip)))
			put_shard(o, "shard_master", s, ",address=\"%s:%u\"} 1\n",
				  ip, ntohs(s->map.master_port));
	put_family(o, "shard_generation", "gauge",
		   "Bumped on each master change of the shard (rh_shards).");
	for (s = t->shards; s < end; s++)
		put_shard(o, "shard_generation", s, "} %u\n",
			  s->map.generation);
	put_family(o, "shard_up", "gauge",
		   "1 if the shard has a master that is not objectively down.");
	for (s = t->shards; s < end; s++)
		put_shard(o, "shard_up", s, "} %d\n",
			  s->map.state == RH_SHARD_UP);
	put_family(o, "last_failover_event_to_map_seconds", "gauge",
		   "From the Sentinel word to the map write, for the shard's last master change by this redishad.");
	for (s = t->shards; s < end; s++)
		if (s->written_ms) /* a change written since start */
			put_shard(o, "last_failover_event_to_map_seconds", s,
				  "} %.3f\n", s->written_after_ms / MS_PER_S);
}

/* redisha-proxy's statistics (proxy_stats.h): only `up` when no proxy
 * wrote its file lately. */
static void put_proxy(struct out *o, const struct proxy_stats *ps)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} totals[] = {
#define TOTAL(n, t, h, f) { n, t, h, offsetof(struct proxy_stats, f) }
		TOTAL("proxy_connected_clients", "gauge",
		      "Clients connected to redisha-proxy.", connected_clients),
		TOTAL("proxy_connections_received_total", "counter",
		      "Connections redisha-proxy accepted.", connections_received),
		TOTAL("proxy_rejected_connections_total", "counter",
		      "Connections refused at proxy-max-clients.",
		      rejected_connections),
		TOTAL("proxy_commands_total", "counter", "Commands read.",
		      commands),
		TOTAL("proxy_error_replies_total", "counter",
		      "Error replies redisha-proxy made itself.", error_replies),
		TOTAL("proxy_protocol_errors_total", "counter",
		      "Clients closed for malformed RESP.", protocol_errors),
		TOTAL("proxy_backend_failures_total", "counter",
		      "Backend connections that failed.", backend_failures),
		TOTAL("proxy_failover_aborted_requests_total", "counter",
		      "Requests failed with TRYAGAIN by a master change.",
		      failover_aborts),
#undef TOTAL
	};
	uint64_t usec = 0;

	put_family(o, "proxy_up", "gauge",
		   "1 if redisha-proxy wrote its statistics in the last 5 s.");
	put(o, "redisha_proxy_up %d\n", ps->up);
	if (!ps->up)
		return;
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
		put_family(o, totals[i].name, totals[i].type, totals[i].help);
		put(o, "redisha_%s %" PRIu64 "\n", totals[i].name,
		    *(const uint64_t *)((const char *)ps + totals[i].off));
	}
	put_family(o, "proxy_shard_requests_total", "counter",
		   "Requests (or parts of split ones) sent to each shard.");
	for (size_t i = 0; i < ps->nshards; i++) {
		put(o, "redisha_proxy_shard_requests_total{shard=\"");
		put_label(o, ps->shards[i].name);
		put(o, "\"} %" PRIu64 "\n", ps->shards[i].requests);
	}
	put_family(o, "proxy_command_calls_total", "counter",
		   "Calls of each command through redisha-proxy.");
	for (size_t i = 0; i < ps->ncmds; i++)
		put(o, "redisha_proxy_command_calls_total{command=\"%s\"} %" PRIu64 "\n",
		    ps->cmds[i].name, ps->cmds[i].calls);
	put_family(o, "proxy_command_failed_total", "counter",
		   "Calls answered with an error.");
	for (size_t i = 0; i < ps->ncmds; i++)
		put(o, "redisha_proxy_command_failed_total{command=\"%s\"} %" PRIu64 "\n",
		    ps->cmds[i].name, ps->cmds[i].failed);
	put_family(o, "proxy_request_duration_seconds", "histogram",
		   "From a request read to its reply queued, in redisha-proxy.");
	for (size_t i = 0; i < ps->nbuckets; i++) {
		if (ps->le_us[i])
			put(o, "redisha_proxy_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
			    (double)ps->le_us[i] / 1e6, ps->le_count[i]);
		else
			put(o, "redisha_proxy_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
			    ps->le_count[i]);
	}
	for (size_t i = 0; i < ps->ncmds; i++)
		usec += ps->cmds[i].usec;
	put(o, "redisha_proxy_request_duration_seconds_sum %.6f\n",
	    (double)usec / 1e6);
	put(o, "redisha_proxy_request_duration_seconds_count %" PRIu64 "\n",
	    ps->nbuckets ? ps->le_count[ps->nbuckets - 1] : 0);
}

/* Sum every rh_stats counter over the possible CPUs into `sum`. */
static int read_stats(struct metrics *m, __u64 *sum, char *err, size_t errlen)
{
	for (__u32 id = 0; id < RH_STAT_MAX; id++) {
		if (bpf_map_lookup_elem(m->dp->fds[DP_MAP_STATS], &id,
					m->per_cpu)) {
			int e = errno;

			snprintf(err, errlen, "read %s[%s]: %s", RH_MAP_STATS,
				 counters[id].reason, strerror(e));
			return -e;
		}
		sum[id] = 0;
		for (int cpu = 0; cpu < m->ncpus; cpu++)
			sum[id] += m->per_cpu[cpu];
	}
	return 0;
}

/* The exposition into `o`; 0, or -errno with `err` when a map read fails. */
/* Only with `vrrp`: the election's state and what it received. */
static void put_vrrp(struct out *o, const struct election *e)
{
	static const enum vrrp_state states[] = { VRRP_INIT, VRRP_BACKUP,
						  VRRP_MASTER };

	put_family(o, "vrrp_state", "gauge",
		   "1 for the VRRP state this gateway is in, 0 for the others.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		put(o, "redisha_vrrp_state{state=\"%s\"} %d\n",
		    vrrp_state_name(states[i]), e->vrrp.state == states[i]);
	put_family(o, "vrrp_priority", "gauge",
		   "The priority this gateway advertises.");
	put(o, "redisha_vrrp_priority %u\n", e->vrrp.priority);
	put_family(o, "vrrp_transitions_total", "counter",
		   "Changes of VRRP state since start, by the state entered.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		put(o, "redisha_vrrp_transitions_total{to=\"%s\"} %llu\n",
		    vrrp_state_name(states[i]),
		    (unsigned long long)e->transitions[states[i]]);
	put_family(o, "vrrp_dropped_total", "counter",
		   "VRRP packets received and not acted on, by reason.");
	for (int i = VRRP_DROP_NONE + 1; i < VRRP_DROP_COUNT; i++)
		put(o, "redisha_vrrp_dropped_total{reason=\"%s\"} %llu\n",
		    vrrp_drop_name((enum vrrp_drop)i),
		    (unsigned long long)e->drops[i]);
	put(o, "redisha_vrrp_dropped_total{reason=\"other_vrid\"} %llu\n",
	    (unsigned long long)e->other_vrid);
	put(o, "redisha_vrrp_dropped_total{reason=\"not_peer\"} %llu\n",
	    (unsigned long long)e->not_peer);
}

static int render(struct metrics *m, struct out *o, char *err, size_t errlen)
{
	__u64 sum[RH_STAT_MAX], zero = 0, now_ns;
	struct rh_config rc;
	long flows;
	int r;

	if ((r = datapath_lookup(m->dp, DP_MAP_CONFIG, &zero, &rc, err,
				 errlen)) ||
	    (r = read_stats(m, sum, err, errlen)))
		return r;
	/* A walk of rh_flows: one syscall per entry, in the loop's time. */
	if ((flows = flows_count(m->dp)) < 0) {
		snprintf(err, errlen, "count %s: %s", RH_MAP_FLOWS,
			 strerror((int)-flows));
		return (int)flows;
	}
	now_ns = datapath_now_ns();

	put_family(o, "build_info", "gauge",
		   "redishad's version and the datapath ABI it speaks.");
	put(o, "redisha_build_info{version=\"");
	put_label(o, REDISHA_VERSION);
	put(o, "\",abi=\"%d\"} 1\n", RH_ABI_VERSION);
	put_shards(o, m->topo);
	put_family(o, "failovers_total", "counter",
		   "Master changes written over an earlier master since start.");
	put(o, "redisha_failovers_total %llu\n",
	    (unsigned long long)m->topo->failovers);
	put_family(o, "sentinels", "gauge", "Sentinels configured.");
	put(o, "redisha_sentinels %zu\n", m->watch->n);
	put_family(o, "sentinels_connected", "gauge",
		   "Sentinels whose command connection is up.");
	put(o, "redisha_sentinels_connected %zu\n",
	    sentinel_watch_reachable(m->watch));
	put_family(o, "vip_owned", "gauge",
		   "1 if rh_config marks this gateway active (it answers ARP for the VIPs).");
	put(o, "redisha_vip_owned %d\n", !!(rc.flags & RH_CONFIG_ACTIVE));
	put_family(o, "heartbeat_age_seconds", "gauge",
		   "Age of the heartbeat in rh_config (the datapath's dead-man switch).");
	put(o, "redisha_heartbeat_age_seconds %.3f\n",
	    now_ns > rc.heartbeat_ns ? (now_ns - rc.heartbeat_ns) / NS_PER_S
				     : 0.0);
	put_family(o, "flows", "gauge",
		   "Entries in rh_flows (one per direction of a NATed flow).");
	put(o, "redisha_flows %ld\n", flows);
	put_family(o, "flows_max", "gauge", "Capacity of rh_flows.");
	put(o, "redisha_flows_max %d\n", RH_MAX_FLOWS);
	put_family(o, "xdp_packets_total", "counter",
		   "rh_stats counters summed over CPUs; kind verdict: one per packet, kind event: on the way.");
	for (size_t i = 0; i < RH_STAT_MAX; i++)
		put(o, "redisha_xdp_packets_total{reason=\"%s\",kind=\"%s\"} %llu\n",
		    counters[i].reason, counters[i].kind,
		    (unsigned long long)sum[i]);
	if (m->election)
		put_vrrp(o, m->election);
	proxy_stats_read(&m->proxy, m->cfg, (long long)time(NULL));
	put_proxy(o, &m->proxy);
	return 0;
}

/* ---- connections ---- */

static void drop(struct metrics_client *c)
{
	int r;

	if (c->fd < 0)
		return;
	evloop_timer_stop(c->m->loop, &c->deadline);
	if ((r = evloop_watch(c->m->loop, c->fd, 0, NULL, NULL)))
		log_warn("metrics", "unwatch fd %d: %s", c->fd, strerror(-r));
	close(c->fd);
	c->fd = -1;
}

/* Send what is left of the response, then close: HTTP/1.0 ends it so. */
static void send_rest(struct evloop *loop, int fd, unsigned events,
		      void *data)
{
	struct metrics_client *c = data;
	int r;

	(void)events;
	while (c->out_sent < c->out_len) {
		ssize_t n = send(fd, c->out + c->out_sent,
				 c->out_len - c->out_sent, MSG_NOSIGNAL);

		if (n >= 0) {
			c->out_sent += (size_t)n;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (!(r = evloop_watch(loop, fd, EV_WRITE, send_rest, c)))
				return;
			log_warn("metrics", "watch fd %d: %s", fd, strerror(-r));
			break;
		} else if (errno != EINTR) {
			log_debug("metrics", "send on fd %d: %s", fd,
				  strerror(errno));
			break;
		}
	}
	drop(c);
}

/* The status for the complete request in c->in; its body goes to `o`. */
static const char *route(struct metrics_client *c, struct out *o)
{
	char method[8], target[256], err[ERR_MAX];

	/* Longer words are cut, and then match nothing. */
	if (sscanf(c->in, "%7s %255s", method, target) != 2)
		return ST_BAD;
	if (strcmp(method, "GET"))
		return ST_METHOD;
	/* A query string is ignored, as Prometheus's own exporters do. */
	target[strcspn(target, "?")] = '\0';
	if (strcmp(target, METRICS_PATH))
		return ST_NOT_FOUND;
	if (render(c->m, o, err, sizeof(err))) {
		log_err("metrics", "GET %s: %s", METRICS_PATH, err);
		return ST_ERROR;
	}
	if (o->full) {
		log_err("metrics", "GET %s: the body is over %d bytes",
			METRICS_PATH, METRICS_BODY_MAX);
		return ST_ERROR;
	}
	return ST_OK;
}

static void answer(struct metrics_client *c)
{
	struct out o = { .p = c->m->body, .cap = sizeof(c->m->body) };
	const char *status = route(c, &o);
	int n;

	if (status != ST_OK) { /* the status as the body, for curl users */
		o = (struct out){ .p = c->m->body, .cap = sizeof(c->m->body) };
		put(&o, "%s\n", status);
	}
	n = snprintf(c->out, METRICS_HEAD_MAX,
		     "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, status == ST_OK ? TYPE_EXPOSITION : TYPE_TEXT,
		     o.len, status == ST_METHOD ? "Allow: GET\r\n" : "");
	/* Constant text and a number: can only fail on a bug. */
	if (n < 0 || n >= METRICS_HEAD_MAX) {
		log_err("metrics", "response head over %d bytes: dropped",
			METRICS_HEAD_MAX);
		drop(c);
		return;
	}
	memcpy(c->out + n, o.p, o.len);
	c->out_len = (size_t)n + o.len;
	c->out_sent = 0;
	send_rest(c->m->loop, c->fd, EV_WRITE, c);
}

/* Read until the blank line that ends the request's headers. */
static void read_request(struct evloop *loop, int fd, unsigned events,
			 void *data)
{
	struct metrics_client *c = data;
	ssize_t n = recv(fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len,
			 0);

	(void)loop;
	(void)events;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) { /* an error, or the client gave up before the end */
		if (n < 0)
			log_debug("metrics", "recv on fd %d: %s", fd,
				  strerror(errno));
		drop(c);
		return;
	}
	c->in_len += (size_t)n;
	c->in[c->in_len] = '\0';
	if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n")) {
		answer(c);
	} else if (c->in_len == sizeof(c->in) - 1) {
		log_warn("metrics", "request over %d bytes: dropped",
			 METRICS_REQUEST_MAX);
		drop(c);
	}
}

static void on_deadline(struct evloop *loop, void *data)
{
	struct metrics_client *c = data;

	(void)loop;
	log_warn("metrics", "client on fd %d: not done within %d ms: dropped",
		 c->fd, METRICS_TIMEOUT_MS);
	drop(c);
}

static void on_accept(struct evloop *loop, int fd, unsigned events,
		      void *data);

static void resume_accepting(struct evloop *loop, void *data)
{
	struct metrics *m = data;
	int r = evloop_watch(loop, m->listen_fd, EV_READ, on_accept, m);

	if (r)
		log_err("metrics", "watch %s: %s; no longer serving", m->addr,
			strerror(-r));
}

/* One connection per call: epoll (level-triggered) calls again while the
 * backlog holds more, so the rest of the loop runs in between. */
static void on_accept(struct evloop *loop, int fd, unsigned events,
		      void *data)
{
	/* Said at once to a client over the limit, rather than leaving it in
	 * the backlog; it fits any socket buffer, so one send does. */
	static const char busy[] =
		"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	struct metrics *m = data;
	struct metrics_client *c = NULL;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), r;

	(void)events;
	if (cfd < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR && errno != ECONNABORTED) {
		/* Out of descriptors or memory: the socket stays readable,
		 * so stop watching it for a while rather than spin. */
		log_warn("metrics", "accept on %s: %s; pausing %d ms", m->addr,
			 strerror(errno), ACCEPT_PAUSE_MS);
		if ((r = evloop_watch(loop, fd, 0, NULL, NULL)))
			log_err("metrics", "unwatch %s: %s", m->addr,
				strerror(-r));
		evloop_timer_start(loop, &m->accept_pause, ACCEPT_PAUSE_MS,
				   resume_accepting, m);
	}
	if (cfd < 0)
		return;
	for (size_t i = 0; i < METRICS_MAX_CLIENTS && !c; i++)
		if (m->clients[i].fd < 0)
			c = &m->clients[i];
	if (!c) {
		if (send(cfd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
			log_debug("metrics", "send 503: %s", strerror(errno));
		close(cfd);
		return;
	}
	if ((r = evloop_watch(loop, cfd, EV_READ, read_request, c))) {
		log_warn("metrics", "watch fd %d: %s", cfd, strerror(-r));
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->in_len = c->out_len = c->out_sent = 0;
	evloop_timer_start(loop, &c->deadline, METRICS_TIMEOUT_MS, on_deadline,
			   c);
}

/* ---- start and stop ---- */

int metrics_start(struct metrics *m, struct evloop *loop,
		  const struct config *cfg, const struct datapath *dp,
		  const struct topology *topo,
		  const struct sentinel_watch *watch, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = cfg->metrics.addr,
				  .sin_port = cfg->metrics.port };
	char ip[INET_ADDRSTRLEN] = "?";
	const char *call;
	int one = 1, fd = -1, r;

	/* Field by field: the buffers are large and need no zeroes. */
	m->loop = loop;
	m->dp = dp;
	m->topo = topo;
	m->watch = watch;
	m->cfg = cfg;
	m->listen_fd = -1;
	m->accept_pause = (struct ev_timer){ 0 };
	for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++)
		m->clients[i] = (struct metrics_client){ .m = m, .fd = -1 };
	if (!cfg->has_metrics)
		return 0;
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(m->addr, sizeof(m->addr), "%s:%u", ip, ntohs(sa.sin_port));
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus < 0) {
		snprintf(err, errlen, "metrics: possible CPUs: %s",
			 strerror(-m->ncpus));
		return m->ncpus;
	}
	if (m->ncpus > METRICS_MAX_CPUS) {
		snprintf(err, errlen, "metrics: %d possible CPUs, at most %d",
			 m->ncpus, METRICS_MAX_CPUS);
		return -E2BIG;
	}
	call = "socket";
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0)) < 0)
		goto fail;
	/* A restarted redishad binds while the old sockets sit in TIME_WAIT. */
	call = "setsockopt SO_REUSEADDR";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	call = "bind";
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	call = "listen";
	if (listen(fd, LISTEN_BACKLOG))
		goto fail;
	call = "watch";
	if ((r = evloop_watch(loop, fd, EV_READ, on_accept, m))) {
		errno = -r;
		goto fail;
	}
	m->listen_fd = fd;
	log_info("metrics", "serving http://%s%s", m->addr, METRICS_PATH);
	return 0;
fail:
	r = -errno;
	snprintf(err, errlen, "metrics: %s %s: %s", call, m->addr,
		 strerror(-r));
	if (fd >= 0)
		close(fd);
	return r;
}

void metrics_stop(struct metrics *m)
{
	int r;

	evloop_timer_stop(m->loop, &m->accept_pause);
	for (size_t i = 0; i < METRICS_MAX_CLIENTS; i++)
		drop(&m->clients[i]);
	if (m->listen_fd < 0)
		return;
	if ((r = evloop_watch(m->loop, m->listen_fd, 0, NULL, NULL)))
		log_warn("metrics", "unwatch %s: %s", m->addr, strerror(-r));
	close(m->listen_fd);
	m->listen_fd = -1;
}
