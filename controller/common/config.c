/*
 * config: parse the redisha configuration file (docs/configuration.md).
 *
 * config_parse() cuts the text into lines and hands each to
 * config_directives.c, which splits it into words (config_lex.c), looks its
 * directive up in one table and sets the fields of struct config; every error
 * reads "file:line: reason". Checks that need the whole file (slot coverage,
 * port clashes, ...) run here once the last line is in. config_load() reads
 * the file; config_hash_name() sits with the keyword tables in
 * config_directives.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_directives.h"
#include "config_lex.h"

static void sort_by_first_slot(const struct config_shard **s, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct config_shard *x = s[i];
		size_t j = i;

		for (; j > 0 && s[j - 1]->slot_first > x->slot_first; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
}

/* Slots are given for every shard or none; given, they tile 0..16383. */
static int check_slots(const struct config_parser *p)
{
	const struct config_lex *lx = &p->lex;
	const struct config *cfg = p->cfg;
	const struct config_shard *order[RH_MAX_SHARDS];
	const struct config_shard *with = NULL, *without = NULL;
	uint32_t next = 0;

	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = &cfg->shards[i];

		if (s->has_slots && !with)
			with = s;
		if (!s->has_slots && !without)
			without = s;
		order[i] = s;
	}
	if (!with)
		return 0;
	if (without)
		return config_lex_fail_at(lx, without->line, "shard '%s' has no slots but shard '%s' (line %d) has: give slots to every shard or none",
					  without->name, with->name,
					  with->line);
	sort_by_first_slot(order, cfg->nshards);
	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = order[i];

		if (s->slot_first > next)
			return config_lex_fail_at(lx, 0, "slots %u-%u are not assigned to any shard",
						  next, s->slot_first - 1u);
		/*
		 * Only a later shard can start below next (nothing is below
		 * slot 0), and as the ones before are sorted and disjoint,
		 * the one just before is the one it overlaps.
		 */
		if (s->slot_first < next)
			return config_lex_fail_at(lx, s->line, "shard '%s' slots %u-%u overlap shard '%s' (line %d)",
						  s->name, s->slot_first,
						  s->slot_last,
						  order[i - 1]->name,
						  order[i - 1]->line);
		next = s->slot_last + 1u;
	}
	if (next < CONFIG_SLOTS)
		return config_lex_fail_at(lx, 0, "slots %u-%u are not assigned to any shard",
					  next, CONFIG_SLOTS - 1u);
	return 0;
}

/* What a single line cannot tell: missing pieces, clashes between lines. */
static int check_config(const struct config_parser *p)
{
	const struct config_lex *lx = &p->lex;
	const struct config *cfg = p->cfg;
	/* Where to point errors that concern these directives. */
	int proxy_port_line = config_directives_first_line(p, "proxy-port");
	int track_line = config_directives_first_line(p, "vrrp-track-sentinel");
	bool slots = cfg->distribution == CONFIG_DIST_SLOTS;

	if (!cfg->ninterfaces)
		return config_lex_fail_at(lx, 0, "no interface configured");
	if (!cfg->nvips)
		return config_lex_fail_at(lx, 0, "no vip configured");
	if (!cfg->nshards && !cfg->proxy_port)
		return config_lex_fail_at(lx, 0, "no shard and no proxy-port: nothing to serve");
	for (size_t i = 0; i < cfg->nshards; i++) {
		const struct config_shard *s = &cfg->shards[i];

		if (s->port == cfg->proxy_port)
			return config_lex_fail_at(lx, s->line, "shard '%s' port %u clashes with proxy-port on line %d",
						  s->name, s->port,
						  proxy_port_line);
		if (s->has_slots && !slots)
			return config_lex_fail_at(lx, s->line, "shard '%s': slots apply only to distribution slots",
						  s->name);
		if (s->weight != 1 && slots)
			return config_lex_fail_at(lx, s->line, "shard '%s': weight applies only to distribution ketama and modula",
						  s->name);
	}
	/* Refused rather than ignored: slots already hash the {...} part of
	 * a key, by Redis Cluster's rule, and a tag that silently does
	 * nothing would hide a pool converted from twemproxy half-way. */
	if (cfg->hash_tag[0] && slots)
		return config_lex_fail_at(lx, config_directives_first_line(p, "hash-tag"),
					  "hash-tag applies only to distribution ketama and modula (slots hash the {...} part of a key as Redis Cluster does)");
	if (cfg->vrrp.npeers && !cfg->vrrp.enabled)
		return config_lex_fail_at(lx, p->peer_lines[0],
					  "vrrp-peer without vrrp");
	/* Refused rather than ignored: a `role active` left in a file that
	 * gains `vrrp` would look as if it pinned this gateway active. */
	if (cfg->vrrp.enabled && config_directives_first_line(p, "role"))
		return config_lex_fail_at(lx, config_directives_first_line(p, "role"),
					  "role and vrrp: VRRP elects the active gateway, remove role");
	if (cfg->vrrp.track_sentinel_decrement && !cfg->vrrp.enabled)
		return config_lex_fail_at(lx, track_line,
					  "vrrp-track-sentinel without vrrp");
	return check_slots(p);
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->instance, "default", sizeof("default"));
	cfg->xdp_mode = CONFIG_XDP_NATIVE;
	cfg->distribution = CONFIG_DIST_SLOTS;
	cfg->hash = CONFIG_HASH_FNV1A_64; /* twemproxy's usual ketama hash */
	cfg->hash_tag[0] = '\0'; /* none, as nutcracker without hash_tag */
	cfg->sentinel_follow = CONFIG_FOLLOW_SWITCH_MASTER;
	cfg->reconcile_ms = 1000;
	/*
	 * Below the kernel's default ip_local_port_range (32768-60999), where
	 * the gateway's own sockets to the masters and Sentinels take their
	 * ports: a SNAT binding on such a port toward the same master would
	 * share that socket's 4-tuple.
	 */
	cfg->snat_port_min = 10000;
	cfg->snat_port_max = 29999;
	cfg->flow_timeout_ms = 300000;
	cfg->closing_timeout_ms = 10000;
	cfg->role = CONFIG_ROLE_ACTIVE;
	cfg->deadman_ms = 1000;
	cfg->garp_count = 5;
	cfg->garp_interval_ms = 200;
	cfg->vrrp.preempt = true;
	cfg->proxy_threads = 0;
	cfg->proxy_server_connections = 1;
	cfg->proxy_max_clients = 10000;
	cfg->proxy_connect_timeout_ms = 1000;
	cfg->proxy_timeout_ms = 5000;
	cfg->proxy_client_timeout = 0; /* as Redis's `timeout` */
	cfg->proxy_client_output_limit = 1024u * 1024 * 1024;
	cfg->proto_max_bulk_len = 512u * 1024 * 1024; /* Redis's default */
	cfg->log_level = CONFIG_LOG_INFO;
	cfg->log_syslog = false;
}

int config_parse(struct config *cfg, const char *name, const char *text,
		 char *err, size_t errlen)
{
	struct config_parser p = {
		.lex = { .name = name, .err = err, .errlen = errlen },
		.cfg = cfg,
	};
	char line[CONFIG_LINE_MAX + 1];
	size_t name_len = strlen(name);

	config_init(cfg);
	if (name_len >= sizeof(cfg->path))
		return config_lex_fail_at(&p.lex, 0, "path longer than %zu bytes",
					  sizeof(cfg->path) - 1);
	memcpy(cfg->path, name, name_len + 1);

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		size_t n = len;
		int r;

		p.lex.line++;
		if (n && text[n - 1] == '\r')
			n--;
		if (n > CONFIG_LINE_MAX)
			return config_lex_fail(&p.lex, "line longer than %d bytes",
					       CONFIG_LINE_MAX);
		memcpy(line, text, n);
		line[n] = '\0';
		r = config_directives_parse_line(&p, line);
		if (r)
			return r;
		text += nl ? len + 1 : len;
	}
	return check_config(&p);
}

/* "path: strerror(e)"; returns -e. */
static int fail_errno(const struct config_lex *lx, int e)
{
	config_lex_fail_at(lx, 0, "%s", strerror(e));
	return -e;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	const struct config_lex lx = { .name = path, .err = err,
				       .errlen = errlen };
	size_t used = 0;
	char *buf = NULL;
	int fd, r;

	config_init(cfg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(&lx, errno);
	/* One byte more than allowed tells "too large" from "just fits". */
	buf = malloc(CONFIG_FILE_MAX + 2);
	if (!buf) {
		r = fail_errno(&lx, ENOMEM);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, CONFIG_FILE_MAX + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = fail_errno(&lx, errno);
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > CONFIG_FILE_MAX) {
			r = config_lex_fail_at(&lx, 0, "file too large (more than %d bytes)",
					       CONFIG_FILE_MAX);
			goto out;
		}
	}
	/* The parser works on a C string: a NUL would silently end the file. */
	if (memchr(buf, '\0', used)) {
		r = config_lex_fail_at(&lx, 0, "contains a NUL byte");
		goto out;
	}
	buf[used] = '\0';
	r = config_parse(cfg, path, buf, err, errlen);
out:
	free(buf);
	close(fd);
	return r;
}

void config_shard_slots(const struct config *cfg, size_t i, uint16_t *first,
			uint16_t *last)
{
	const struct config_shard *s = &cfg->shards[i];
	size_t n = cfg->nshards;

	if (s->has_slots) {
		*first = s->slot_first;
		*last = s->slot_last;
		return;
	}
	/*
	 * Shard i starts at round(i * 16384 / n), as redis-cli --cluster
	 * create does with its float cursor (same result for n <= 64).
	 */
	*first = (uint16_t)((2 * i * CONFIG_SLOTS + n) / (2 * n));
	*last = (uint16_t)((2 * (i + 1) * CONFIG_SLOTS + n) / (2 * n) - 1);
}

