/* stats: the datapath's counters, summed over CPUs, once or as rates. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "table.h"

#define WATCH_MAX_S 3600

const struct params_opt cmd_stats_params[] = {
	{ .name = "watch", .short_opt = 'w', .kind = PARAMS_UINT,
	  PARAMS_FIELD(struct cmd_stats_opts, watch), .metavar = "SECONDS",
	  .help = "print per-second rates every SECONDS until interrupted",
	  .min = 1, .max = WATCH_MAX_S },
	PARAMS_END,
};

const struct cmd_stats_opts cmd_stats_defaults = { .watch = 0 };

/* Names and kinds from abi.h's one list, so they cannot disagree. */
#define KIND_V true
#define KIND_E false
static const struct {
	const char *name;
	bool verdict;
} counters[] = {
#define COUNTER(id, name, kind) { name, KIND_##kind },
	RH_STATS(COUNTER)
#undef COUNTER
};
_Static_assert(sizeof(counters) / sizeof(counters[0]) == RH_STAT_MAX,
	       "one name per counter");

static const char *kind_name(size_t i)
{
	return counters[i].verdict ? "verdict" : "event";
}

/* Every counter summed over the possible CPUs into `sum`. */
static int read_counters(const struct ctl *c, unsigned long long *sum,
			 char *err, size_t errlen)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *per_cpu;

	if (ncpus < 0) {
		snprintf(err, errlen, "possible CPUs: %s", strerror(-ncpus));
		return ncpus;
	}
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (!per_cpu) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (__u32 id = 0; id < RH_STAT_MAX; id++) {
		if (bpf_map_lookup_elem(c->dp.fds[DP_MAP_STATS], &id,
					per_cpu)) {
			int e = errno;

			snprintf(err, errlen, "read %s[%s]: %s", RH_MAP_STATS,
				 counters[id].name, strerror(e));
			free(per_cpu);
			return -e;
		}
		sum[id] = 0;
		for (int cpu = 0; cpu < ncpus; cpu++)
			sum[id] += per_cpu[cpu];
	}
	free(per_cpu);
	return 0;
}

static int print_once(struct ctl *c, const unsigned long long *v)
{
	static const struct table_col cols[] = {
		{ "COUNTER", false }, { "KIND", false }, { "VALUE", true },
	};
	struct table t;
	int r = CTL_EXIT_OK;

	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		json_key(&c->js, "counters");
		json_object_begin(&c->js);
		for (size_t i = 0; i < RH_STAT_MAX; i++) {
			json_key(&c->js, counters[i].name);
			json_object_begin(&c->js);
			json_kv_string(&c->js, "kind", kind_name(i));
			json_kv_uint(&c->js, "value", v[i]);
			json_object_end(&c->js);
		}
		json_object_end(&c->js);
		json_object_end(&c->js);
		return r;
	}
	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < RH_STAT_MAX && r == CTL_EXIT_OK; i++) {
		char value[24];

		snprintf(value, sizeof(value), "%llu", v[i]);
		if (table_row(&t, (const char *[]){ counters[i].name,
						     kind_name(i), value })) {
			ctl_error("out of memory");
			r = CTL_EXIT_ERROR;
		}
	}
	if (r == CTL_EXIT_OK)
		table_print(&t, stdout);
	table_free(&t);
	return r;
}

/* A counter's growth; maps recreated under us start again from 0. */
static double delta(unsigned long long prev, unsigned long long now)
{
	return (double)(now >= prev ? now - prev : now);
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* The rates of one interval; counters that did not move are left out of
 * the table (the JSON object has them all). */
static int print_rates(struct ctl *c, const unsigned long long *prev,
		       const unsigned long long *now, double dt)
{
	static const struct table_col cols[] = {
		{ "COUNTER", false }, { "KIND", false }, { "PER_SECOND", true },
	};
	struct table t;
	char when[32];
	time_t wall = time(NULL);
	int r = CTL_EXIT_OK;

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&wall));
	if (c->json) {
		json_object_begin(&c->js);
		json_kv_string(&c->js, "instance", c->instance);
		json_kv_uint(&c->js, "time", (unsigned long long)wall);
		json_kv_double(&c->js, "interval_s", dt, 3);
		json_key(&c->js, "rates");
		json_object_begin(&c->js);
		for (size_t i = 0; i < RH_STAT_MAX; i++)
			json_kv_double(&c->js, counters[i].name,
				       delta(prev[i], now[i]) / dt, 1);
		json_object_end(&c->js);
		json_object_end(&c->js);
		fflush(stdout);
		return r;
	}
	printf("%s, per second over %.1f s:\n", when, dt);
	table_init(&t, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < RH_STAT_MAX && r == CTL_EXIT_OK; i++) {
		char rate[32];

		if (now[i] == prev[i] && i != RH_STAT_RX)
			continue;
		snprintf(rate, sizeof(rate), "%.1f",
			 delta(prev[i], now[i]) / dt);
		if (table_row(&t, (const char *[]){ counters[i].name,
						     kind_name(i), rate })) {
			ctl_error("out of memory");
			r = CTL_EXIT_ERROR;
		}
	}
	if (r == CTL_EXIT_OK) {
		table_print(&t, stdout);
		putchar('\n');
	}
	table_free(&t);
	fflush(stdout);
	return r;
}

/* Sleep `s` seconds unless a signal asks to stop first. */
static void nap(unsigned long s)
{
	struct timespec left = { .tv_sec = (time_t)s };

	while (!stop && nanosleep(&left, &left))
		;
}

/* Rates until SIGINT or SIGTERM, which end the watch with success. */
static int watch(struct ctl *c, unsigned long every_s)
{
	unsigned long long a[RH_STAT_MAX], b[RH_STAT_MAX], *prev = a, *now = b;
	struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART */
	char err[CTL_ERR_MAX];
	double t0, t1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (read_counters(c, prev, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	t0 = (double)datapath_now_ns() / 1e9;
	for (;;) {
		unsigned long long *swap;

		nap(every_s);
		if (stop)
			return CTL_EXIT_OK;
		if (read_counters(c, now, err, sizeof(err))) {
			ctl_error("%s", err);
			return CTL_EXIT_ERROR;
		}
		t1 = (double)datapath_now_ns() / 1e9;
		if (print_rates(c, prev, now, t1 - t0))
			return CTL_EXIT_ERROR;
		swap = prev;
		prev = now;
		now = swap;
		t0 = t1;
	}
}

int cmd_stats(struct ctl *c, const void *opts)
{
	const struct cmd_stats_opts *o = opts;
	unsigned long long v[RH_STAT_MAX];
	char err[CTL_ERR_MAX];

	if (o->watch)
		return watch(c, o->watch);
	if (read_counters(c, v, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	return print_once(c, v);
}
