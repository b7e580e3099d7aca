/*
 * redisha-proxy: the key-sharding RESP proxy on the proxy port
 * (DESIGN.md §2, docs/proxy.md). Reads the configuration redishad reads,
 * starts proxy-threads workers that each listen on every address (the
 * kernel spreads connections with SO_REUSEPORT), and waits for a signal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cmdline.h"
#include "config.h"
#include "evloop.h"
#include "keyslot.h"
#include "log.h"
#include "proxy.h"
#include "request.h"
#include "stats.h"
#include "worker.h"

#define ERR_MAX 512
#define EXIT_CONFIG 2

struct options {
	const char *config;
	bool foreground, static_topology;
};

#define SYNOPSIS "redisha-proxy -c FILE [options]"

static const struct cmdline_option options[] = {
	CMDLINE_CONFIG,
	CMDLINE_FOREGROUND,
	{ { "static-topology", no_argument, NULL, 's' }, NULL,
	  "masters from each shard's `master` option, not from redishad's maps" },
	CMDLINE_HELP,
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void on_option(int letter, const char *arg, void *data)
{
	struct options *o = data;

	switch (letter) {
	case 'c': o->config = arg; break;
	case 'f': o->foreground = true; break;
	case 's': o->static_topology = true; break;
	}
}

/* Everything that follows from the configuration alone; errors here are
 * configuration errors (exit 2), found before anything listens. */
static int prepare(struct proxy *px, const struct options *o, char *err,
		   size_t errlen)
{
	struct config_endpoint eps[PROXY_MAX_LISTEN];
	long cpus;

	if (config_load(&px->cfg, o->config, err, errlen))
		return -1;
	if (!px->cfg.nshards) {
		snprintf(err, errlen, "%s: no shard: nothing to route to",
			 px->cfg.path);
		return -1;
	}
	if (!worker_endpoints(&px->cfg, eps)) {
		snprintf(err, errlen,
			 "%s: nothing to listen on: give proxy-port (with a vip) or proxy-listen",
			 px->cfg.path);
		return -1;
	}
	if (px->cfg.distribution == CONFIG_DIST_KETAMA) {
		px->ring = malloc(sizeof(*px->ring));
		if (!px->ring) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (keyslot_ring_build(px->ring, &px->cfg, err, errlen))
			return -1;
	}
	px->route = (struct route_ctx){ .cfg = &px->cfg, .ring = px->ring };
	px->limits = (struct resp_limits){
		.max_bulk_len = px->cfg.proto_max_bulk_len,
		/* Redis takes any int; a million arguments bound the
		 * argument arrays (32 bytes each) at 32 MiB a client */
		.max_multibulk = 1024 * 1024,
	};
	px->static_topology = o->static_topology;
	for (size_t i = 0; px->static_topology && i < px->cfg.nshards; i++) {
		const struct config_shard *s = &px->cfg.shards[i];

		if (!s->has_master) {
			snprintf(err, errlen,
				 "%s:%d: shard '%s' has no `master ADDR:PORT` (--static-topology needs one per shard)",
				 px->cfg.path, s->line, s->name);
			return -1;
		}
	}
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	px->nworkers = px->cfg.proxy_threads ? px->cfg.proxy_threads
		     : cpus > 0		     ? (size_t)cpus
						     : 1;
	return 0;
}

/* Room for max clients plus each worker's backends and listeners, as
 * redis-server raises its own limit for maxclients: the soft limit goes
 * up to what is needed, within the hard limit. */
static void raise_fd_limit(const struct proxy *px)
{
	rlim_t want = (rlim_t)px->cfg.proxy_max_clients + 64 +
		      px->nworkers * (px->cfg.nshards *
					      px->cfg.proxy_server_connections +
				      PROXY_MAX_LISTEN + 8);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("proxy", "cannot raise the open file limit: %s",
			 strerror(errno));
	else if (rl.rlim_cur < want)
		log_warn("proxy", "open file limit %llu (the hard limit) is below the %llu that proxy-max-clients %u needs",
			 (unsigned long long)rl.rlim_cur,
			 (unsigned long long)want, px->cfg.proxy_max_clients);
}

/* Wait for SIGTERM or SIGINT, writing the stats file for redishad every
 * second meanwhile; SIGHUP is logged and ignored (the configuration is
 * read at start only). */
static void wait_for_stop(const struct proxy *px, const sigset_t *set)
{
	const struct timespec second = { .tv_sec = 1 };
	bool warned = false;

	for (;;) {
		int sig = sigtimedwait(set, NULL, &second);
		int r;

		if (sig < 0) {
			if (errno != EAGAIN)
				continue;
			r = stats_write_file(px);
			if (r && !warned)
				log_warn("proxy", "stats file in %s: %s", STATS_DIR,
					 strerror(-r));
			warned = r != 0;
			continue;
		}
		if (sig == SIGHUP) {
			log_warn("proxy", "SIGHUP: redisha-proxy does not reload its configuration; restart it");
			continue;
		}
		log_info("proxy", "signal %d: stopping", sig);
		return;
	}
}

int main(int argc, char **argv)
{
	static struct proxy px; /* large: off the stack */
	struct options o = { 0 };
	char err[ERR_MAX];
	sigset_t set;
	size_t started = 0;
	int status = 0;

	if (cmdline_parse(argc, argv, SYNOPSIS, options, NOPTIONS, 'c', on_option,
			  &o))
		return EXIT_CONFIG;
	if (prepare(&px, &o, err, sizeof(err))) {
		fprintf(stderr, "redisha-proxy: %s\n", err);
		return EXIT_CONFIG;
	}
	if (!o.foreground && daemon(0, 0)) {
		fprintf(stderr, "redisha-proxy: daemon: %s\n", strerror(errno));
		return 1;
	}
	log_init("redisha-proxy", (enum log_level)px.cfg.log_level,
		 px.cfg.log_syslog || !o.foreground);
	/* Workers inherit the mask: only this thread takes the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_err("proxy", "signals: %s", strerror(errno));
		return 1;
	}
	raise_fd_limit(&px);
	px.start_ms = evloop_now_ms();
	px.workers = calloc(px.nworkers, sizeof(*px.workers));
	if (!px.workers) {
		log_err("proxy", "out of memory");
		return 1;
	}
	for (size_t i = 0; i < px.nworkers; i++) {
		if (worker_init(&px.workers[i], &px, i, err, sizeof(err))) {
			log_err("proxy", "%s", err);
			status = 1;
			break;
		}
		if ((errno = pthread_create(&px.workers[i].thread, NULL,
					    worker_run, &px.workers[i]))) {
			log_err("proxy", "thread: %s", strerror(errno));
			status = 1;
			break;
		}
		started++;
	}
	if (!status) {
		log_info("proxy", "serving %zu shards with %zu threads, masters from %s",
			 px.cfg.nshards, px.nworkers,
			 px.static_topology ? "the configuration" : "redishad's maps");
		wait_for_stop(&px, &set);
	}
	for (size_t i = 0; i < started; i++) {
		worker_stop(&px.workers[i]);
		pthread_join(px.workers[i].thread, NULL);
	}
	for (size_t i = 0; i < px.nworkers; i++)
		if (px.workers[i].px)
			worker_free(&px.workers[i]);
	request_cache_clear(); /* what worker_free released on this thread */
	stats_remove_file(&px);
	free(px.workers);
	free(px.ring);
	log_info("proxy", "stopped");
	return status;
}
