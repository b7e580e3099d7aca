/*
 * route: the routing rules of docs/proxy.md. A short table names the
 * commands that are not routed by their keys alone (answered here, split,
 * sent everywhere, or refused); every other command goes to the shard of
 * its keys, as its Redis 7.0 key specs locate them (command.c).
 */
#include "route.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CROSSSLOT_ERR "CROSSSLOT Keys in request don't hash to the same slot"

enum rule_gate {
	GATE_NONE = 0,
	GATE_ADMIN, /* only with proxy-allow-admin yes */
	GATE_KEYS,  /* only with proxy-allow-keys yes */
	GATE_LATER, /* not served by this version of the proxy */
};

struct route_rule {
	const char *name; /* a command or "container|subcommand" */
	enum route_kind kind;
	enum route_merge merge;
	size_t key_step; /* ROUTE_SPLIT */
	enum rule_gate gate;
	bool tx;
};

#define LOCAL(n) { .name = (n), .kind = ROUTE_LOCAL }
#define SPLIT(n, m, step) \
	{ .name = (n), .kind = ROUTE_SPLIT, .merge = (m), .key_step = (step) }
#define ALL(n, m, g) { .name = (n), .kind = ROUTE_ALL, .merge = (m), .gate = (g) }
#define ANY(n) { .name = (n), .kind = ROUTE_SHARD } /* shard 0 */
#define TXN(n) { .name = (n), .kind = ROUTE_LOCAL, .tx = true }
#define LATER(n) { .name = (n), .kind = ROUTE_ERROR, .gate = GATE_LATER }

static const struct route_rule rules[] = {
	/* the connection's own state: answered by the proxy */
	LOCAL("ping"),
	LOCAL("echo"),
	LOCAL("quit"),
	LOCAL("select"),
	LOCAL("info"),
	LOCAL("client|setname"),
	LOCAL("client|getname"),
	LOCAL("client|id"),
	LOCAL("client|info"),
	LOCAL("auth"),
	LOCAL("hello"),
	LOCAL("reset"),
	/* transactions: on the client's own backend connection (tx.c) */
	TXN("multi"),
	TXN("exec"),
	TXN("discard"),
	TXN("unwatch"),
	/* keys spread over shards: one sub-request per shard */
	SPLIT("mget", MERGE_ARRAY, 1),
	SPLIT("mset", MERGE_OK, 2),
	SPLIT("del", MERGE_SUM, 1),
	SPLIT("unlink", MERGE_SUM, 1),
	SPLIT("exists", MERGE_SUM, 1),
	SPLIT("touch", MERGE_SUM, 1),
	/* about the whole keyspace: every shard */
	ALL("dbsize", MERGE_SUM, GATE_NONE),
	ALL("keys", MERGE_CONCAT, GATE_KEYS),
	ALL("flushdb", MERGE_FIRST, GATE_ADMIN),
	ALL("flushall", MERGE_FIRST, GATE_ADMIN),
	ALL("swapdb", MERGE_FIRST, GATE_ADMIN),
	/* scripts and functions: loaded everywhere, so EVALSHA and FCALL
	 * find them on whichever shard their keys are */
	ALL("script|load", MERGE_FIRST, GATE_NONE),
	ALL("script|flush", MERGE_FIRST, GATE_NONE),
	ALL("script|exists", MERGE_FIRST, GATE_NONE),
	ALL("script|kill", MERGE_FIRST, GATE_NONE),
	ALL("function|load", MERGE_FIRST, GATE_NONE),
	ALL("function|delete", MERGE_FIRST, GATE_NONE),
	ALL("function|flush", MERGE_FIRST, GATE_NONE),
	ALL("function|kill", MERGE_FIRST, GATE_NONE),
	ALL("function|restore", MERGE_FIRST, GATE_NONE),
	ANY("function|list"),
	ANY("function|dump"),
	ANY("function|stats"),
	/* same answer from any shard */
	ANY("time"),
	ANY("command"),
	ANY("command|count"),
	ANY("command|info"),
	ANY("command|docs"),
	ANY("command|list"),
	ANY("command|getkeys"),
	ANY("command|getkeysandflags"),
	ANY("lolwut"),
	/* keyspace walks: a cursor per shard, a key from any */
	{ .name = "scan", .kind = ROUTE_SHARD, .merge = MERGE_SCAN },
	ALL("randomkey", MERGE_ANY, GATE_NONE),
	/* WAIT counts the replicas of this connection's writes; the shared
	 * connections carry everyone's: proxy-wait-replicas replaces it */
	LATER("wait"),
};

static const struct route_rule *find_rule(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	return NULL;
}

static bool is_admin(const struct command_info *cmd);
static bool is_stream(const struct command_info *cmd);

/* Commands whose effect reaches past the keyspace or the connection: the
 * proxy refuses them unless proxy-allow-admin, then sends them to every
 * shard. */
static bool is_admin(const struct command_info *cmd)
{
	static const char *const dangerous[] = {
		"bgrewriteaof", "bgsave", "config", "debug", "failover",
		"migrate", "module", "monitor", "psync", "replicaof", "save",
		"shutdown", "slaveof", "sync", "cluster", "acl", "latency",
		"slowlog", "memory", "object|freq",
	};
	size_t base_len = strcspn(cmd->name, "|");

	if (cmd->flags & CMD_ADMIN)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(dangerous); i++) {
		const char *d = dangerous[i];

		if (!strcmp(d, cmd->name) ||
		    (strlen(d) == base_len && !strncmp(d, cmd->name, base_len)))
			return true;
	}
	return false;
}

/*
 * What route_request needs to know of each command by name (its rule, if
 * any; admin; a stream), found once for every command of the table and
 * kept by the command's address: no string is compared per request.
 */
#define CLASS_SLOTS 1024 /* a power of 2 over twice the commands */

struct command_class {
	const struct command_info *cmd;
	const struct route_rule *rule;
	bool admin, stream;
};

static struct command_class classes[CLASS_SLOTS];
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static size_t class_slot(const struct command_info *cmd)
{
	return (size_t)(((uintptr_t)cmd >> 3) * 2654435761u) & (CLASS_SLOTS - 1);
}

static void add_class(const struct command_info *cmd)
{
	size_t i = class_slot(cmd);

	while (classes[i].cmd)
		i = (i + 1) & (CLASS_SLOTS - 1);
	classes[i] = (struct command_class){
		.cmd = cmd,
		.rule = find_rule(cmd->name),
		.admin = is_admin(cmd),
		.stream = is_stream(cmd),
	};
}

static void build_classes(void)
{
	for (size_t i = 0; i < command_table_len; i++) {
		add_class(&command_table[i]);
		for (size_t j = 0; j < command_table[i].nsubcommands; j++)
			add_class(&command_table[i].subcommands[j]);
	}
}

static const struct command_class *class_of(const struct command_info *cmd)
{
	size_t i;

	pthread_once(&classes_once, build_classes);
	for (i = class_slot(cmd); classes[i].cmd != cmd;
	     i = (i + 1) & (CLASS_SLOTS - 1))
		;
	return &classes[i];
}

static void fail(struct route *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Commands never sent through the proxy, even with proxy-allow-admin:
 * after them a connection carries a stream, not replies (MONITOR, SYNC),
 * or they act on a server, not on the keyspace, and sent to every master
 * would stop or reshape the whole fleet (SHUTDOWN, REPLICAOF...). */
static bool is_stream(const struct command_info *cmd)
{
	static const char *const never[] = {
		"monitor", "sync", "psync", "shutdown", "replicaof", "slaveof",
		"failover", "debug", "cluster", "module",
	};
	size_t base_len = strcspn(cmd->name, "|");

	for (size_t i = 0; i < ARRAY_SIZE(never); i++)
		if (strlen(never[i]) == base_len &&
		    !strncmp(never[i], cmd->name, base_len))
			return true;
	return false;
}

static bool same(const struct resp_slice *arg, const char *word)
{
	return arg->len == strlen(word) && !strncasecmp(arg->ptr, word, arg->len);
}

/* XREAD and XREADGROUP block only with a BLOCK option: options come
 * before STREAMS, GROUP with two values, COUNT and BLOCK with one. */
static bool blocks(const struct command_info *cmd, size_t argc,
		   const struct resp_slice *argv)
{
	if (!(cmd->flags & CMD_BLOCKING))
		return false;
	if (strcmp(cmd->name, "xread") && strcmp(cmd->name, "xreadgroup"))
		return true;
	for (size_t i = 1; i < argc; i++) {
		if (same(&argv[i], "streams"))
			return false;
		if (same(&argv[i], "block"))
			return true;
		if (same(&argv[i], "group"))
			i += 2;
		else if (same(&argv[i], "count"))
			i += 1;
	}
	return false;
}


static void fail(struct route *out, const char *fmt, ...)
{
	va_list ap;

	out->kind = ROUTE_ERROR;
	va_start(ap, fmt);
	vsnprintf(out->err, sizeof(out->err), fmt, ap);
	va_end(ap);
}

/* redis-server's words for a command or subcommand it does not know
 * (server.c). */
static void fail_unknown(struct route *out, size_t argc,
			 const struct resp_slice *argv)
{
	const struct command_info *container = command_lookup(1, argv);
	char args[160];
	size_t n = 0;

	if (container && container->nsubcommands) {
		char upper[64];
		size_t len = strlen(container->name);

		for (size_t i = 0; i <= len && i < sizeof(upper); i++)
			upper[i] = (char)toupper((unsigned char)container->name[i]);
		upper[sizeof(upper) - 1] = '\0';
		fail(out, "ERR unknown subcommand '%.*s'. Try %s HELP.",
		     (int)(argv[1].len < 128 ? argv[1].len : 128), argv[1].ptr,
		     upper);
		return;
	}

	args[0] = '\0';
	for (size_t i = 1; i < argc && n < 128; i++) {
		int w = snprintf(args + n, sizeof(args) - n, "'%.*s' ",
				 (int)(argv[i].len < 128 - n ? argv[i].len
							     : 128 - n),
				 argv[i].ptr);

		if (w < 0 || (size_t)w >= sizeof(args) - n)
			break;
		n += (size_t)w;
	}
	fail(out, "ERR unknown command '%.*s', with args beginning with: %s",
	     (int)(argv[0].len < 128 ? argv[0].len : 128), argv[0].ptr, args);
}

/* SCAN's cursor: which shard, and where in it. */
static void route_scan(const struct route_ctx *ctx,
		       const struct resp_slice *cursor, struct route *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < cursor->len; i++) {
		unsigned d = (unsigned char)cursor->ptr[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			break;
		v = v * 10 + d;
	}
	out->shard = v & ((1u << ROUTE_SCAN_SHARD_BITS) - 1);
	out->scan_cursor = v >> ROUTE_SCAN_SHARD_BITS;
	if (!cursor->len || i < cursor->len || out->shard >= ctx->cfg->nshards)
		fail(out, "ERR invalid cursor");
}

size_t route_key_shard(const struct route_ctx *ctx, const char *key,
		       size_t len)
{
	size_t shard = 0;

	/* Only a config that did not come from config_load has a slot
	 * without a shard; shard 0 keeps the proxy serving. */
	if (keyslot_shard(ctx->cfg, ctx->ring, key, len, &shard))
		return 0;
	return shard;
}

/* A command routed by its keys: the one shard they all live on. */
static int route_by_keys(const struct route_ctx *ctx, size_t argc,
			 const struct resp_slice *argv, struct route *out)
{
	size_t few[16]; /* most commands: no allocation */
	size_t *pos = argc <= 16 ? few : malloc(argc * sizeof(*pos));
	int nkeys;

	if (!pos)
		return -ENOMEM;
	/* Without keys (EVAL with numkeys 0) any shard will do; with key
	 * arguments Redis refuses (a bad numkeys), shard 0 answers in
	 * Redis's own words. */
	nkeys = command_keys(out->cmd, argc, argv, pos, argc);
	out->kind = ROUTE_SHARD;
	out->shard = 0;
	for (int i = 0; i < nkeys && i < (int)argc; i++) {
		const struct resp_slice *k = &argv[pos[i]];
		size_t shard = route_key_shard(ctx, k->ptr, k->len);

		if (i == 0) {
			out->shard = shard;
		} else if (shard != out->shard) {
			fail(out, CROSSSLOT_ERR);
			break;
		}
	}
	if (pos != few)
		free(pos);
	return 0;
}

/* Channels live on the shard their name hashes to, as keys do: PUBLISH
 * and PUBSUB NUMSUB go there; subscriptions are the client's (pubsub.c);
 * patterns and channel lists concern every shard. */
static int route_pubsub(const struct route_ctx *ctx, size_t argc,
			const struct resp_slice *argv, struct route *out)
{
	const char *name = out->cmd->name;
	size_t first = 1;

	out->kind = ROUTE_SHARD;
	if (strstr(name, "subscribe")) {
		out->kind = ROUTE_LOCAL;
		out->pubsub = true;
		return 0;
	}
	if (!strcmp(name, "pubsub|channels") ||
	    !strcmp(name, "pubsub|shardchannels")) {
		out->kind = ROUTE_ALL;
		out->merge = MERGE_CONCAT;
		return 0;
	}
	if (!strcmp(name, "pubsub|numpat"))
		return 0; /* patterns are on every shard: shard 0 counts */
	if (!strcmp(name, "pubsub|numsub") || !strcmp(name, "pubsub|shardnumsub"))
		first = 2;
	for (size_t i = first; i < argc; i++) {
		size_t shard = route_key_shard(ctx, argv[i].ptr, argv[i].len);

		if (i > first && shard != out->shard) {
			fail(out, CROSSSLOT_ERR);
			return 0;
		}
		out->shard = shard;
		if (first == 1)
			break; /* PUBLISH channel message */
	}
	return 0;
}

int route_request(const struct route_ctx *ctx, size_t argc,
		  const struct resp_slice *argv, struct route *out)
{
	const struct route_rule *rule;

	const struct command_class *cls;

	/* all but the error text, which is written only on failure */
	memset(out, 0, offsetof(struct route, err) + 1);
	out->cmd = command_lookup(argc, argv);
	if (!out->cmd) {
		fail_unknown(out, argc, argv);
		return 0;
	}
	if (!command_arity_ok(out->cmd, argc)) {
		fail(out, "ERR wrong number of arguments for '%s' command",
		     out->cmd->name);
		return 0;
	}
	cls = class_of(out->cmd);
	rule = cls->rule;
	if (rule) {
		if (rule->gate == GATE_LATER) {
			fail(out, "ERR redisha-proxy does not serve '%s' yet",
			     out->cmd->name);
			return 0;
		}
		if (rule->gate == GATE_KEYS && !ctx->cfg->proxy_allow_keys) {
			fail(out, "ERR '%s' scans every shard: disabled by proxy-allow-keys no",
			     out->cmd->name);
			return 0;
		}
		if (rule->gate == GATE_ADMIN && !ctx->cfg->proxy_allow_admin) {
			fail(out, "ERR '%s' is an admin command: disabled by proxy-allow-admin no",
			     out->cmd->name);
			return 0;
		}
		out->kind = rule->kind;
		out->merge = rule->merge;
		out->key_step = rule->key_step;
		out->tx = rule->tx;
		if (rule->kind == ROUTE_SPLIT &&
		    (argc - 1) % rule->key_step != 0) {
			fail(out, "ERR wrong number of arguments for '%s' command",
			     out->cmd->name);
		}
		if (rule->merge == MERGE_SCAN)
			route_scan(ctx, &argv[1], out);
		return 0;
	}
	if (cls->stream) {
		fail(out, "ERR '%s' is not served through redisha-proxy: run it on the server itself",
		     out->cmd->name);
		return 0;
	}
	if (cls->admin) {
		if (!ctx->cfg->proxy_allow_admin) {
			fail(out, "ERR '%s' is an admin command: disabled by proxy-allow-admin no",
			     out->cmd->name);
			return 0;
		}
		/* About one key (MEMORY USAGE, OBJECT FREQ): its shard;
		 * about the server: every shard, the first one answers. */
		if (out->cmd->nkey_specs)
			return route_by_keys(ctx, argc, argv, out);
		out->kind = ROUTE_ALL;
		out->merge = MERGE_FIRST;
		return 0;
	}
	if (out->cmd->flags & CMD_PUBSUB)
		return route_pubsub(ctx, argc, argv, out);
	if (!out->cmd->nkey_specs) {
		fail(out, "ERR '%s' has no key to route by: not served through redisha-proxy",
		     out->cmd->name);
		return 0;
	}
	out->tx = out->cmd->name[0] == 'w' && !strcmp(out->cmd->name, "watch");
	out->blocking = blocks(out->cmd, argc, argv);
	return route_by_keys(ctx, argc, argv, out);
}
