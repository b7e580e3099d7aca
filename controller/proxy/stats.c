#include "stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "evloop.h"
#include "proxy.h"

#define PATH_BYTES 192

uint64_t stats_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static size_t bucket_of(uint64_t us)
{
	size_t b = 0;

	while (b < STATS_LATENCY_BUCKETS - 1 && us >= (1ull << b))
		b++;
	return b;
}

void stats_record(struct worker *w, int cmd, uint64_t start_us, bool failed)
{
	uint64_t us = w->now_us > start_us ? w->now_us - start_us : 0;

	STATS_ADD(w->stats.latency[bucket_of(us)], 1);
	if (cmd < 0)
		return;
	STATS_ADD(w->cmdstats[cmd].calls, 1);
	STATS_ADD(w->cmdstats[cmd].usec, us);
	if (failed)
		STATS_ADD(w->cmdstats[cmd].failed, 1);
}

/* ---- INFO ------------------------------------------------------------- */

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define SUM(px, field)                                                    \
	({                                                                \
		uint64_t s_ = 0;                                          \
		for (size_t i_ = 0; i_ < (px)->nworkers; i_++)            \
			s_ += LOAD((px)->workers[i_].field);              \
		s_;                                                       \
	})

struct text {
	struct buf *out;
	int err;
};

static void add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (!t->err)
		t->err = buf_append(t->out, line, (size_t)n);
}

static void server(struct text *t, const struct proxy *px)
{
	add(t, "# Server\r\nserver:redisha-proxy\r\nredis_version:%s\r\n"
	       "redis_mode:standalone\r\nprocess_id:%ld\r\n"
	       "proxy_threads:%zu\r\nuptime_in_seconds:%" PRIu64 "\r\n"
	       "topology:%s\r\ninstance:%s\r\nunix_time:%lld\r\n\r\n",
	    PROXY_REDIS_VERSION, (long)getpid(), px->nworkers,
	    (evloop_now_ms() - px->start_ms) / 1000,
	    px->static_topology ? "static" : "pinned", px->cfg.instance,
	    (long long)time(NULL));
}

static void clients(struct text *t, const struct proxy *px)
{
	add(t, "# Clients\r\nconnected_clients:%" PRIu64 "\r\nmaxclients:%u\r\n\r\n",
	    (uint64_t)LOAD(px->nclients), px->cfg.proxy_max_clients);
}

static void totals(struct text *t, const struct proxy *px)
{
	add(t, "# Stats\r\ntotal_connections_received:%" PRIu64 "\r\n"
	       "rejected_connections:%" PRIu64 "\r\n"
	       "total_commands_processed:%" PRIu64 "\r\n"
	       "proxy_error_replies:%" PRIu64 "\r\n"
	       "protocol_errors:%" PRIu64 "\r\n"
	       "backend_failures:%" PRIu64 "\r\n"
	       "failover_aborted_requests:%" PRIu64 "\r\n\r\n",
	    SUM(px, stats.connections_received),
	    SUM(px, stats.rejected_connections), SUM(px, stats.commands),
	    SUM(px, stats.error_replies), SUM(px, stats.protocol_errors),
	    SUM(px, stats.backend_failures), SUM(px, stats.failover_aborts));
}

static void shards(struct text *t, const struct proxy *px,
		   const struct worker *w)
{
	add(t, "# Shards\r\n");
	for (size_t s = 0; s < px->cfg.nshards; s++) {
		uint64_t reqs = SUM(px, stats.shard_requests[s]);

		add(t, "shard_%s:", px->cfg.shards[s].name);
		if (w) {
			const struct master *m = &w->masters.shard[s];
			char ip[INET_ADDRSTRLEN] = "none";

			if (m->generation)
				inet_ntop(AF_INET, &m->addr, ip, sizeof(ip));
			add(t, "master=%s,port=%u,generation=%u,state=%s,",
			    ip, ntohs(m->port), m->generation,
			    m->up ? "up" : "down");
		}
		add(t, "requests=%" PRIu64 "\r\n", reqs);
	}
	add(t, "\r\n");
}

/* As Redis 7: cmdstat_NAME:calls=,usec=,usec_per_call=,failed_calls=. */
static void commands(struct text *t, const struct proxy *px)
{
	add(t, "# Commandstats\r\n");
	for (size_t i = 0; i < command_table_len; i++) {
		uint64_t calls = SUM(px, cmdstats[i].calls);
		uint64_t usec = SUM(px, cmdstats[i].usec);

		if (!calls)
			continue;
		add(t, "cmdstat_%s:calls=%" PRIu64 ",usec=%" PRIu64
		       ",usec_per_call=%.2f,failed_calls=%" PRIu64 "\r\n",
		    command_table[i].name, calls, usec,
		    (double)usec / (double)calls, SUM(px, cmdstats[i].failed));
	}
	add(t, "\r\n");
}

/* Cumulative buckets (as Prometheus has them) and three percentiles, from
 * the histogram: a percentile is the upper bound of its bucket. */
static void latency(struct text *t, const struct proxy *px)
{
	static const double pct[] = { 50, 99, 99.9 };
	uint64_t count[STATS_LATENCY_BUCKETS], total = 0, acc = 0;

	for (size_t b = 0; b < STATS_LATENCY_BUCKETS; b++)
		total += count[b] = SUM(px, stats.latency[b]);
	add(t, "# Latency\r\n");
	for (size_t b = 0; b + 1 < STATS_LATENCY_BUCKETS; b++) {
		acc += count[b];
		add(t, "latency_usec_le_%llu:%" PRIu64 "\r\n", 1ull << b, acc);
	}
	add(t, "latency_usec_le_inf:%" PRIu64 "\r\n", total);
	add(t, "latency_percentiles_usec:");
	for (size_t p = 0; p < sizeof(pct) / sizeof(pct[0]); p++) {
		uint64_t want = (uint64_t)((double)total * pct[p] / 100.0);
		size_t b = 0;

		for (acc = 0; b < STATS_LATENCY_BUCKETS; b++) {
			acc += count[b];
			if (acc >= want && acc)
				break;
		}
		add(t, "%sp%g=%llu", p ? "," : "", pct[p],
		    b < STATS_LATENCY_BUCKETS - 1 ? 1ull << b : 0ull);
	}
	add(t, "\r\n\r\n");
}

static bool wanted(const char *name, const char *section, size_t len)
{
	if (!section)
		return true;
	if ((len == 3 && !strncasecmp(section, "all", 3)) ||
	    (len == 7 && !strncasecmp(section, "default", 7)) ||
	    (len == 10 && !strncasecmp(section, "everything", 10)))
		return true;
	return strlen(name) == len && !strncasecmp(name, section, len);
}

int stats_info(const struct proxy *px, const struct worker *w,
	       const char *section, size_t section_len, struct buf *out)
{
	struct text t = { .out = out };

	if (wanted("server", section, section_len))
		server(&t, px);
	if (wanted("clients", section, section_len))
		clients(&t, px);
	if (wanted("stats", section, section_len))
		totals(&t, px);
	if (wanted("shards", section, section_len))
		shards(&t, px, w);
	if (wanted("commandstats", section, section_len))
		commands(&t, px);
	if (wanted("latency", section, section_len))
		latency(&t, px);
	return t.err;
}

/* ---- the file redishad reads ---------------------------------------- */

static void stats_path(const struct proxy *px, char *path, size_t len,
		       const char *suffix)
{
	/* The instance name is at most 63 bytes: this cannot truncate. */
	snprintf(path, len, "%s/%s.proxy%s", STATS_DIR, px->cfg.instance,
		 suffix);
}

int stats_write_file(const struct proxy *px)
{
	char path[PATH_BYTES], tmp[PATH_BYTES];
	struct buf text = { 0 };
	FILE *f;
	int r;

	if (mkdir(STATS_DIR, 0755) && errno != EEXIST)
		return -errno;
	if ((r = stats_info(px, NULL, NULL, 0, &text))) {
		buf_free(&text);
		return r;
	}
	stats_path(px, path, sizeof(path), "");
	stats_path(px, tmp, sizeof(tmp), ".tmp");
	f = fopen(tmp, "w");
	if (!f) {
		r = -errno;
		buf_free(&text);
		return r;
	}
	r = fwrite(buf_head(&text), 1, buf_len(&text), f) == buf_len(&text)
		    ? 0
		    : -EIO;
	if (fclose(f) && !r)
		r = -errno;
	buf_free(&text);
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

void stats_remove_file(const struct proxy *px)
{
	char path[PATH_BYTES];

	stats_path(px, path, sizeof(path), "");
	unlink(path);
}
