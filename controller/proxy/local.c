#include "local.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evloop.h"
#include "proxy.h"

#define INFO_MAX (64 * 1024)

static int ping(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	(void)c;
	if (argc == 2)
		return resp_add_bulk(out, argv[1].ptr, argv[1].len);
	return resp_add_simple(out, "PONG");
}

static int echo(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	(void)c;
	(void)argc;
	return resp_add_bulk(out, argv[1].ptr, argv[1].len);
}

static int quit(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	(void)argc;
	(void)argv;
	c->closing = true;
	return resp_add_simple(out, "OK");
}

/* Parse a whole decimal int64 as Redis's string2ll does. */
static bool parse_int(const struct resp_slice *s, long long *v)
{
	char tmp[32];
	char *end;

	if (!s->len || s->len >= sizeof(tmp))
		return false;
	memcpy(tmp, s->ptr, s->len);
	tmp[s->len] = '\0';
	errno = 0;
	*v = strtoll(tmp, &end, 10);
	return !errno && *end == '\0' && !(tmp[0] == '0' && s->len > 1) &&
	       tmp[0] != '+' && tmp[0] != ' ';
}

/* Every shard serves database 0: the keyspace is one across shards. */
static int select_db(struct client *c, size_t argc,
		     const struct resp_slice *argv, struct buf *out)
{
	long long db;

	(void)c;
	(void)argc;
	if (!parse_int(&argv[1], &db))
		return resp_add_error(out, "ERR value is not an integer or out of range");
	if (db != 0)
		return resp_add_error(out, "ERR DB index is out of range (redisha-proxy serves database 0 only)");
	return resp_add_simple(out, "OK");
}

static int client_setname(struct client *c, size_t argc,
			  const struct resp_slice *argv, struct buf *out)
{
	const struct resp_slice *name = &argv[2];

	(void)argc;
	for (size_t i = 0; i < name->len; i++)
		if (name->ptr[i] <= ' ' || name->ptr[i] > '~')
			return resp_add_error(out, "ERR Client names cannot contain spaces, newlines or special characters.");
	if (name->len >= sizeof(c->name))
		return resp_add_error(out, "ERR client name longer than %zu bytes",
				      sizeof(c->name) - 1);
	memcpy(c->name, name->ptr, name->len);
	c->name[name->len] = '\0';
	return resp_add_simple(out, "OK");
}

static int client_getname(struct client *c, size_t argc,
			  const struct resp_slice *argv, struct buf *out)
{
	(void)argc;
	(void)argv;
	if (!c->name[0])
		return resp_add_null(out, c->proto);
	return resp_add_bulk(out, c->name, strlen(c->name));
}

static int client_id(struct client *c, size_t argc,
		     const struct resp_slice *argv, struct buf *out)
{
	(void)argc;
	(void)argv;
	return resp_add_int(out, (int64_t)c->id);
}

/* ---- INFO ----------------------------------------------------------- */

struct info {
	char text[INFO_MAX];
	size_t len;
};

static void info_add(struct info *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void info_add(struct info *in, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (in->len >= sizeof(in->text))
		return;
	va_start(ap, fmt);
	n = vsnprintf(in->text + in->len, sizeof(in->text) - in->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		in->len += (size_t)n;
	if (in->len > sizeof(in->text))
		in->len = sizeof(in->text);
}

#define SUM(px, field)                                                    \
	({                                                                \
		uint64_t s_ = 0;                                          \
		for (size_t i_ = 0; i_ < (px)->nworkers; i_++)            \
			s_ += atomic_load_explicit(                       \
				&(px)->workers[i_].stats.field,           \
				memory_order_relaxed);                    \
		s_;                                                       \
	})

static void info_shards(struct info *in, const struct worker *w)
{
	const struct proxy *px = w->px;

	info_add(in, "# Shards\r\n");
	for (size_t s = 0; s < px->cfg.nshards; s++) {
		const struct master *m = &w->masters.shard[s];
		char ip[INET_ADDRSTRLEN] = "none";
		uint64_t reqs = SUM(px, shard_requests[s]);

		if (m->generation)
			inet_ntop(AF_INET, &m->addr, ip, sizeof(ip));
		info_add(in, "shard_%s:master=%s,port=%u,generation=%u,state=%s,requests=%" PRIu64 "\r\n",
			 px->cfg.shards[s].name, ip, ntohs(m->port),
			 m->generation, m->up ? "up" : "down", reqs);
	}
}

static int info(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	const struct proxy *px = c->w->px;
	struct info *in = malloc(sizeof(*in));
	int r;

	(void)argc;
	(void)argv;
	if (!in)
		return -ENOMEM;
	in->len = 0;
	info_add(in, "# Server\r\nserver:redisha-proxy\r\n"
		     "redis_mode:standalone\r\n"
		     "proxy_threads:%zu\r\nuptime_in_seconds:%" PRIu64 "\r\n"
		     "topology:%s\r\n\r\n",
		 px->nworkers,
		 (evloop_now_ms() - px->start_ms) / 1000,
		 px->static_topology ? "static" : "pinned");
	info_add(in, "# Clients\r\nconnected_clients:%" PRIu64 "\r\n"
		     "maxclients:%u\r\n\r\n",
		 (uint64_t)atomic_load(&px->nclients), px->cfg.proxy_max_clients);
	info_add(in, "# Stats\r\ntotal_connections_received:%" PRIu64 "\r\n"
		     "rejected_connections:%" PRIu64 "\r\n"
		     "total_commands_processed:%" PRIu64 "\r\n"
		     "proxy_error_replies:%" PRIu64 "\r\n"
		     "protocol_errors:%" PRIu64 "\r\n"
		     "backend_failures:%" PRIu64 "\r\n"
		     "failover_aborted_requests:%" PRIu64 "\r\n\r\n",
		 SUM(px, connections_received), SUM(px, rejected_connections),
		 SUM(px, commands), SUM(px, error_replies),
		 SUM(px, protocol_errors), SUM(px, backend_failures),
		 SUM(px, failover_aborts));
	info_shards(in, c->w);
	r = resp_add_bulk(out, in->text, in->len);
	free(in);
	return r;
}

/* ---- the table ---------------------------------------------------- */

struct local_command {
	const char *name;
	int (*run)(struct client *c, size_t argc, const struct resp_slice *argv,
		   struct buf *out);
};

static const struct local_command commands[] = {
	{ "ping", ping },
	{ "echo", echo },
	{ "quit", quit },
	{ "select", select_db },
	{ "info", info },
	{ "client|setname", client_setname },
	{ "client|getname", client_getname },
	{ "client|id", client_id },
};

int local_execute(struct client *c, const struct command_info *cmd,
		  size_t argc, const struct resp_slice *argv, struct buf *out)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cmd->name))
			return commands[i].run(c, argc, argv, out);
	/* route.c names no local command that is not here */
	return resp_add_error(out, "ERR redisha-proxy: no local handler for '%s'",
			      cmd->name);
}
