#include "local.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "log.h"
#include "proxy.h"
#include "pubsub.h"

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

/* CLIENT SETNAME's rules; on a bad name, the error is in `out` and the
 * name unchanged. Returns whether it was set. */
static bool set_name(struct client *c, const struct resp_slice *name,
		     struct buf *out, int *r)
{
	*r = 0;
	for (size_t i = 0; i < name->len; i++) {
		if (name->ptr[i] <= ' ' || name->ptr[i] > '~') {
			*r = resp_add_error(out, "ERR Client names cannot contain spaces, newlines or special characters.");
			return false;
		}
	}
	if (name->len >= sizeof(c->name)) {
		*r = resp_add_error(out, "ERR client name longer than %zu bytes",
				    sizeof(c->name) - 1);
		return false;
	}
	memcpy(c->name, name->ptr, name->len);
	c->name[name->len] = '\0';
	return true;
}

static int client_setname(struct client *c, size_t argc,
			  const struct resp_slice *argv, struct buf *out)
{
	int r;

	(void)argc;
	if (!set_name(c, &argv[2], out, &r))
		return r;
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

/* CLIENT INFO: Redis's fields that mean something through the proxy. */
static int client_info(struct client *c, size_t argc,
		       const struct resp_slice *argv, struct buf *out)
{
	char line[512];
	int n;

	(void)argc;
	(void)argv;
	n = snprintf(line, sizeof(line),
		     "id=%llu addr=%s fd=%d name=%s db=0 sub=%zu psub=%zu ssub=%zu multi=%d qbuf=%zu obl=%zu resp=%d user=%s\n",
		     (unsigned long long)c->id, c->addr, c->fd, c->name,
		     pubsub_count(c, PUBSUB_CHANNELS),
		     pubsub_count(c, PUBSUB_PATTERNS),
		     pubsub_count(c, PUBSUB_SHARD_CHANNELS),
		     c->in_multi ? 1 : -1, buf_len(&c->in), buf_len(&c->out),
		     c->proto, c->user);
	return resp_add_bulk(out, line, n < 0 ? 0
					: (size_t)n < sizeof(line) ? (size_t)n
								   : sizeof(line) - 1);
}

/* ---- who the client is: AUTH, HELLO, RESET ------------------------ */

#define WRONGPASS "WRONGPASS invalid username-password pair or user is disabled."

static bool same(const struct resp_slice *s, const char *word)
{
	return s->len == strlen(word) && !strncasecmp(s->ptr, word, s->len);
}

/* Check credentials; on failure the error is in `out` and logged with the
 * client's address. */
static bool authenticate(struct client *c, const struct resp_slice *user,
			 const struct resp_slice *password, struct buf *out,
			 int *r)
{
	enum auth_result res = auth_check(&c->w->px->cfg, user, password);
	size_t len;

	*r = 0;
	if (res == AUTH_OK) {
		len = user ? (user->len < sizeof(c->user) - 1 ? user->len
						      : sizeof(c->user) - 1)
			   : strlen("default");
		memcpy(c->user, user ? user->ptr : "default", len);
		c->user[len] = '\0';
		c->authenticated = true;
		return true;
	}
	if (res == AUTH_NO_PASSWORD) {
		*r = resp_add_error(out, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
		return false;
	}
	log_warn("auth", "%s: AUTH failed for user '%.*s'", c->addr,
		 user ? (int)(user->len < 64 ? user->len : 64) : 7,
		 user ? user->ptr : "default");
	*r = resp_add_error(out, WRONGPASS);
	return false;
}

static int auth(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	int r;

	if (argc > 3)
		return resp_add_error(out, "ERR syntax error");
	if (!authenticate(c, argc == 3 ? &argv[1] : NULL, &argv[argc - 1], out,
			  &r))
		return r;
	return resp_add_simple(out, "OK");
}

static int hello_reply(struct client *c, struct buf *out)
{
	int r = resp_add_map(out, 7, c->proto);

	r = r ?: resp_add_bulk(out, "server", 6);
	r = r ?: resp_add_bulk(out, "redis", 5);
	r = r ?: resp_add_bulk(out, "version", 7);
	r = r ?: resp_add_bulk(out, PROXY_REDIS_VERSION,
			       strlen(PROXY_REDIS_VERSION));
	r = r ?: resp_add_bulk(out, "proto", 5);
	r = r ?: resp_add_int(out, c->proto);
	r = r ?: resp_add_bulk(out, "id", 2);
	r = r ?: resp_add_int(out, (int64_t)c->id);
	r = r ?: resp_add_bulk(out, "mode", 4);
	r = r ?: resp_add_bulk(out, "standalone", 10);
	r = r ?: resp_add_bulk(out, "role", 4);
	r = r ?: resp_add_bulk(out, "master", 6);
	r = r ?: resp_add_bulk(out, "modules", 7);
	return r ?: resp_add_array(out, 0);
}

/* HELLO [protover [AUTH user pass] [SETNAME name]], as Redis 7.0 checks
 * it: version, options, credentials, then the need to be authenticated. */
static int hello(struct client *c, size_t argc, const struct resp_slice *argv,
		 struct buf *out)
{
	const struct resp_slice *user = NULL, *password = NULL, *name = NULL;
	long long ver = 0;
	int r;

	if (argc >= 2) {
		if (!parse_int(&argv[1], &ver))
			return resp_add_error(out, "ERR Protocol version is not an integer or out of range");
		if (ver < 2 || ver > 3)
			return resp_add_error(out, "NOPROTO unsupported protocol version");
	}
	for (size_t j = 2; j < argc; j++) {
		size_t more = argc - 1 - j;

		if (same(&argv[j], "auth") && more >= 2) {
			user = &argv[j + 1];
			password = &argv[j + 2];
			j += 2;
		} else if (same(&argv[j], "setname") && more) {
			name = &argv[++j];
		} else {
			return resp_add_error(out, "ERR Syntax error in HELLO option '%.*s'",
					      (int)(argv[j].len < 128 ? argv[j].len : 128),
					      argv[j].ptr);
		}
	}
	if (user && !authenticate(c, user, password, out, &r))
		return r;
	if (!c->authenticated)
		return resp_add_error(out, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
	if (name && !set_name(c, name, out, &r))
		return r;
	if (ver)
		c->proto = (enum resp_proto)ver;
	return hello_reply(c, out);
}

/* RESET: the connection as new (Redis 7.0's resetCommand). */
static int reset(struct client *c, size_t argc, const struct resp_slice *argv,
		 struct buf *out)
{
	(void)argc;
	(void)argv;
	c->name[0] = '\0';
	c->proto = RESP2;
	c->authenticated = !auth_required(&c->w->px->cfg);
	snprintf(c->user, sizeof(c->user), "default");
	return resp_add_simple(out, "RESET");
}

/* ---- INFO: stats.c writes it ---------------------------------------- */

static int info(struct client *c, size_t argc, const struct resp_slice *argv,
		struct buf *out)
{
	struct buf text = { 0 };
	int r = stats_info(c->w->px, c->w, argc > 1 ? argv[1].ptr : NULL,
			   argc > 1 ? argv[1].len : 0, &text);

	if (!r && c->proto == RESP3) {
		/* RESP3: a verbatim string of format txt, as redis-server */
		char head[32];
		int n = snprintf(head, sizeof(head), "=%zu\r\ntxt:",
				 buf_len(&text) + 4);

		r = buf_append(out, head, (size_t)n);
		r = r ?: buf_append(out, buf_head(&text), buf_len(&text));
		r = r ?: buf_append(out, "\r\n", 2);
	} else if (!r) {
		r = resp_add_bulk(out, buf_head(&text), buf_len(&text));
	}
	buf_free(&text);
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
	{ "client|info", client_info },
	{ "auth", auth },
	{ "hello", hello },
	{ "reset", reset },
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
