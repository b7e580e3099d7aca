/*
 * redishad: the redisha controller (DESIGN.md §1, §4, §5). Loads the XDP
 * datapath (adopting its pinned maps when a previous redishad left them),
 * fills it from the configuration, follows Sentinel and writes each new
 * master into the maps, and holds the VIP. See docs/operations.md.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include "cmdline.h"
#include "config.h"
#include "datapath.h"
#include "election.h"
#include "evloop.h"
#include "gateway.h"
#include "log.h"
#include "metrics.h"
#include "reload.h"
#include "sentinel.h"
#include "state.h"
#include "topology.h"

#define ERR_MAX 512
#define EXIT_CONFIG 2
#define STATE_EVERY_MS 1000

struct options {
	const char *config;
	bool foreground, keep_datapath, cleanup;
};

#define SYNOPSIS "redishad -c FILE [options]"

static const struct cmdline_option options[] = {
	CMDLINE_CONFIG,
	CMDLINE_FOREGROUND,
	{ { "keep-datapath", no_argument, NULL, 'k' }, NULL,
	  "on stop, leave the XDP program attached (flows keep forwarding)" },
	{ { "cleanup", no_argument, NULL, 'C' }, NULL,
	  "on stop, also remove the pinned maps" },
	CMDLINE_HELP,
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void on_option(int letter, const char *arg, void *data)
{
	struct options *o = data;

	switch (letter) {
	case 'c': o->config = arg; break;
	case 'f': o->foreground = true; break;
	case 'k': o->keep_datapath = true; break;
	case 'C': o->cleanup = true; break;
	}
}

struct daemon_state {
	struct evloop loop;
	struct config cfg;
	struct datapath dp;
	struct gateway gw;
	struct election election; /* with `vrrp` only */
	struct topology topo;
	struct sentinel_watch watch;
	struct metrics metrics;
	struct ev_timer state_timer;
	int sigfd;
};

/* Publish the state for redisha-ctl (state.h), every second. */
static void publish_state(struct evloop *loop, void *data)
{
	struct daemon_state *d = data;
	char err[ERR_MAX];

	if (state_write(&d->cfg, &d->topo, &d->watch,
			d->gw.rc.flags & RH_CONFIG_ACTIVE,
			d->cfg.vrrp.enabled ? &d->election.vrrp : NULL, err,
			sizeof(err)))
		log_warn("redishad", "%s", err);
	evloop_timer_start(loop, &d->state_timer, STATE_EVERY_MS, publish_state,
			   d);
}

static void reload(struct daemon_state *d)
{
	struct reload_target t = {
		.cfg = &d->cfg,
		.loop = &d->loop,
		.dp = &d->dp,
		.gw = &d->gw,
		.topo = &d->topo,
		.watch = &d->watch,
	};
	char err[ERR_MAX];

	if (reload_config(&t, err, sizeof(err)))
		log_err("redishad",
			"SIGHUP: configuration not reloaded, the running one stays: %s",
			err);
}

static void on_signal(struct evloop *loop, int fd, unsigned events,
		      void *data)
{
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload(data);
		return;
	}
	log_info("redishad", "signal %u: stopping", si.ssi_signo);
	evloop_stop(loop);
}

static int watch_signals(struct daemon_state *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0)
		return -errno;
	return evloop_watch(&d->loop, d->sigfd, EV_READ, on_signal, d);
}

/*
 * libbpf's and libxdp's messages into the log (to syslog when daemonized,
 * where stderr goes nowhere), one level quieter as xdp-tools does: their
 * warnings as info, the rest at debug. redishad logs each outcome itself,
 * and libxdp's dispatcher probe makes libbpf warn on every kernel that
 * refuses the dispatcher. Both number their levels alike; each message
 * carries its library's name.
 */
static int log_library(bool warning, const char *fmt, va_list ap)
{
	char line[ERR_MAX];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	size_t len;

	if (n < 0)
		return n;
	len = strlen(line);
	if (len && line[len - 1] == '\n') /* the log adds its own */
		line[len - 1] = '\0';
	log_msg(warning ? LOG_LVL_INFO : LOG_LVL_DEBUG, "datapath", "%s", line);
	return n;
}

static int log_libbpf(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	return log_library(level == LIBBPF_WARN, fmt, ap);
}

static int log_libxdp(enum libxdp_print_level level, const char *fmt,
		      va_list ap)
{
	return log_library(level == LIBXDP_WARN, fmt, ap);
}

static void detach_all(const struct config *cfg)
{
	char err[ERR_MAX];

	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		int ifindex = (int)if_nametoindex(cfg->interfaces[i]);

		if (ifindex && datapath_detach(ifindex, err, sizeof(err)))
			log_warn("redishad", "%s", err);
	}
}

int main(int argc, char **argv)
{
	static struct daemon_state d; /* large: off the stack */
	struct options o = { 0 };
	char err[ERR_MAX];
	int r;

	if (cmdline_parse(argc, argv, SYNOPSIS, options, NOPTIONS, 'c', on_option,
			  &o))
		return EXIT_CONFIG;
	/* Nothing is attached until the configuration parses. */
	if (config_load(&d.cfg, o.config, err, sizeof(err))) {
		fprintf(stderr, "redishad: %s\n", err);
		return EXIT_CONFIG;
	}
	if (!o.foreground && daemon(0, 0)) {
		fprintf(stderr, "redishad: daemon: %s\n", strerror(errno));
		return 1;
	}
	log_init("redishad", (enum log_level)d.cfg.log_level,
		 d.cfg.log_syslog || !o.foreground);
	libbpf_set_print(log_libbpf);
	libxdp_set_print(log_libxdp);
	if ((r = evloop_init(&d.loop)) || (r = watch_signals(&d))) {
		log_err("redishad", "event loop: %s", strerror(-r));
		return 1;
	}
	/* Bound before anything is attached: a taken port changes nothing.
	 * Requests are answered from evloop_run on, when all is set up. */
	if (metrics_start(&d.metrics, &d.loop, &d.cfg, &d.dp, &d.topo,
			  &d.watch, err, sizeof(err))) {
		log_err("redishad", "%s", err);
		return 1;
	}
	if (d.cfg.vrrp.enabled &&
	    election_init(&d.election, &d.cfg, err, sizeof(err))) {
		log_err("redishad", "%s", err);
		return 1;
	}
	if (datapath_load(&d.dp, d.cfg.instance, err, sizeof(err))) {
		log_err("redishad", "%s", err);
		return 1;
	}
	log_info("redishad", "instance %s: maps in %s", d.cfg.instance,
		 d.dp.pin_dir);
	if (topology_init(&d.topo, &d.loop, &d.dp, &d.cfg, err, sizeof(err)) ||
	    gateway_start(&d.gw, &d.loop, &d.cfg, &d.dp, err, sizeof(err))) {
		log_err("redishad", "%s", err);
		datapath_close(&d.dp);
		return 1;
	}
	if (d.cfg.vrrp.enabled &&
	    election_start(&d.election, &d.loop, &d.gw, &d.watch, err,
			   sizeof(err))) {
		log_err("redishad", "%s", err);
		gateway_stop(&d.gw);
		datapath_close(&d.dp);
		return 1;
	}
	if (d.cfg.vrrp.enabled)
		d.metrics.election = &d.election;
	sentinel_watch_start(&d.watch, &d.loop, &d.topo, &d.cfg);
	publish_state(&d.loop, &d);

	r = evloop_run(&d.loop);
	if (r)
		log_err("redishad", "event loop: %s", strerror(-r));

	metrics_stop(&d.metrics);
	evloop_timer_stop(&d.loop, &d.state_timer);
	state_remove(&d.cfg);
	sentinel_watch_stop(&d.watch);
	topology_close(&d.topo);
	/* The priority 0 advertisement first: the backup takes over after
	 * its Skew_Time instead of the whole Master_Down_Interval. */
	if (d.cfg.vrrp.enabled)
		election_stop(&d.election);
	gateway_stop(&d.gw);
	if (!o.keep_datapath)
		detach_all(&d.cfg);
	datapath_close(&d.dp);
	if (o.cleanup && datapath_unpin(d.cfg.instance, err, sizeof(err)))
		log_err("redishad", "%s", err);
	log_info("redishad", "stopped%s%s",
		 o.keep_datapath ? ", datapath left attached" : "",
		 o.cleanup ? ", pins removed" : "");
	evloop_close(&d.loop);
	return r ? 1 : 0;
}
