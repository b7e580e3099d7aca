/*
 * Unit tests for redisha-proxy's routing rules (controller/proxy/route.c):
 * which requests the proxy answers, sends to one shard, splits, sends to
 * every shard or refuses, and the refusals in redis-server's own words
 * (Redis 7.0's processCommand and commandCheckArity, and Redis Cluster's
 * CROSSSLOT). Requests are written as one string split on spaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "keyslot.h"
#include "route.h"

#define BASE	  "interface lo\nvip 198.18.0.100\nproxy-port 6379\n"
#define THREE	  "shard s1 port 7001\nshard s2 port 7002\nshard s3 port 7003\n"
#define CROSSSLOT "CROSSSLOT Keys in request don't hash to the same slot"

/* Slots 0-5460 are s1 (0), 5461-10922 s2 (1), 10923-16383 s3 (2). Keys by
 * shard, from CLUSTER KEYSLOT: foo 12182, 123456789 12739, a 15495 -> s3;
 * bar 5061, b 3300, hello 866, {user1000}.* 3443 -> s1; c 7365 -> s2. */

static struct config cfg;
static struct route_ctx ctx;
static struct route rt;
static struct keyslot_ring *ring; /* large: allocated for the whole run */
static char err[CONFIG_ERR_MAX];

#define MAX_ARGS 64
static char line[4096];
static struct resp_slice args[MAX_ARGS];

static void load(const char *text)
{
	if (config_parse(&cfg, "t.conf", text, err, sizeof(err)))
		fail_msg("unexpected config error: %s", err);
	ctx.cfg = &cfg;
	ctx.ring = NULL;
}

static void three(void)
{
	load(BASE THREE);
}

/* Split `cmdline` on spaces into args; returns argc. */
static size_t split(const char *cmdline)
{
	size_t argc = 0, len = strlen(cmdline);
	char *p = line, *end;

	assert_true(len < sizeof(line));
	memcpy(line, cmdline, len + 1);
	end = line + len;
	while (p < end) {
		char *sp;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		sp = strchr(p, ' ');
		if (!sp)
			sp = end;
		assert_true(argc < MAX_ARGS);
		args[argc].ptr = p;
		args[argc].len = (size_t)(sp - p);
		argc++;
		p = sp;
	}
	assert_true(argc >= 1);
	return argc;
}

static const struct route *route(const char *cmdline)
{
	size_t argc = split(cmdline);

	assert_int_equal(route_request(&ctx, argc, args, &rt), 0);
	return &rt;
}

/* Route an argv given as C strings (for arguments with spaces or long). */
static const struct route *route_v(size_t argc, const char *const *v)
{
	struct resp_slice a[MAX_ARGS];

	assert_true(argc <= MAX_ARGS);
	for (size_t i = 0; i < argc; i++) {
		a[i].ptr = v[i];
		a[i].len = strlen(v[i]);
	}
	assert_int_equal(route_request(&ctx, argc, a, &rt), 0);
	return &rt;
}

static void expect_kind(const char *cmdline, enum route_kind kind)
{
	const struct route *r = route(cmdline);

	if (r->kind != kind)
		fail_msg("'%s': kind %d, want %d (err '%s')", cmdline, r->kind,
			 kind, r->kind == ROUTE_ERROR ? r->err : "");
}

static void expect_shard(const char *cmdline, size_t shard)
{
	const struct route *r = route(cmdline);

	if (r->kind != ROUTE_SHARD)
		fail_msg("'%s': kind %d, want ROUTE_SHARD (err '%s')", cmdline,
			 r->kind, r->kind == ROUTE_ERROR ? r->err : "");
	if (r->shard != shard)
		fail_msg("'%s': shard %zu, want %zu", cmdline, r->shard, shard);
	assert_non_null(r->cmd);
}

static void expect_error(const char *cmdline, const char *want)
{
	const struct route *r = route(cmdline);

	if (r->kind != ROUTE_ERROR)
		fail_msg("'%s': kind %d, want ROUTE_ERROR", cmdline, r->kind);
	assert_string_equal(r->err, want);
}

/* A refusal whose text mentions `word` (a directive, a command name). */
static void expect_error_naming(const char *cmdline, const char *word)
{
	const struct route *r = route(cmdline);

	if (r->kind != ROUTE_ERROR)
		fail_msg("'%s': kind %d, want ROUTE_ERROR", cmdline, r->kind);
	assert_true(!strncmp(r->err, "ERR ", 4));
	if (!strstr(r->err, word))
		fail_msg("'%s': error '%s' does not name '%s'", cmdline, r->err,
			 word);
}

static void expect_split(const char *cmdline, enum route_merge merge,
			 size_t step)
{
	const struct route *r = route(cmdline);

	if (r->kind != ROUTE_SPLIT)
		fail_msg("'%s': kind %d, want ROUTE_SPLIT (err '%s')", cmdline,
			 r->kind, r->kind == ROUTE_ERROR ? r->err : "");
	assert_int_equal(r->merge, merge);
	assert_int_equal(r->key_step, step);
}

static void expect_all(const char *cmdline, enum route_merge merge)
{
	const struct route *r = route(cmdline);

	if (r->kind != ROUTE_ALL)
		fail_msg("'%s': kind %d, want ROUTE_ALL (err '%s')", cmdline,
			 r->kind, r->kind == ROUTE_ERROR ? r->err : "");
	assert_int_equal(r->merge, merge);
}

static size_t key_shard(const char *key)
{
	return route_key_shard(&ctx, key, strlen(key));
}

/* `n` times `c` into dst[0..n], which must hold n + 1 bytes; returns dst.
 * Stack buffers, not the heap: a failed assertion longjmps out of a test
 * and must not leak. */
static char *repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
	return dst;
}

/* ---- answered by the proxy ----------------------------------------------- */

static void test_connection_commands_are_local(void **state)
{
	(void)state;
	three();
	expect_kind("PING", ROUTE_LOCAL);
	expect_kind("PING hi", ROUTE_LOCAL);
	expect_kind("ECHO hi", ROUTE_LOCAL);
	expect_kind("QUIT", ROUTE_LOCAL);
	expect_kind("SELECT 0", ROUTE_LOCAL);
	expect_kind("INFO", ROUTE_LOCAL);
	expect_kind("INFO server", ROUTE_LOCAL);
	assert_string_equal(route("PING")->cmd->name, "ping");
}

static void test_auth_hello_reset_are_local(void **state)
{
	(void)state;
	three();
	expect_kind("AUTH secret", ROUTE_LOCAL);
	expect_kind("AUTH user secret", ROUTE_LOCAL);
	expect_kind("HELLO", ROUTE_LOCAL);
	expect_kind("HELLO 3", ROUTE_LOCAL);
	expect_kind("RESET", ROUTE_LOCAL);
}

static void test_client_name_and_id_are_local(void **state)
{
	(void)state;
	three();
	expect_kind("CLIENT SETNAME app", ROUTE_LOCAL);
	assert_string_equal(rt.cmd->name, "client|setname");
	expect_kind("CLIENT GETNAME", ROUTE_LOCAL);
	assert_string_equal(rt.cmd->name, "client|getname");
	expect_kind("CLIENT ID", ROUTE_LOCAL);
	assert_string_equal(rt.cmd->name, "client|id");
}

/* ---- one shard ----------------------------------------------------------- */

static void test_key_shard_follows_slot_ranges(void **state)
{
	(void)state;
	three();
	assert_int_equal(keyslot_crc16("foo", 3), 12182);
	assert_int_equal(keyslot_crc16("123456789", 9), 12739);
	assert_int_equal(keyslot_crc16("bar", 3), 5061);
	assert_int_equal(keyslot_crc16("c", 1), 7365);
	assert_int_equal(key_shard("foo"), 2);
	assert_int_equal(key_shard("123456789"), 2);
	assert_int_equal(key_shard("bar"), 0);
	assert_int_equal(key_shard("c"), 1);
}

static void test_get_goes_to_the_shard_of_its_slot(void **state)
{
	(void)state;
	three();
	expect_shard("GET foo", 2);
	expect_shard("GET 123456789", 2);
	expect_shard("GET bar", 0);
	expect_shard("GET c", 1);
	expect_shard("SET c v", 1);
	assert_int_equal(rt.merge, MERGE_NONE);
}

static void test_hashtag_keys_share_a_shard(void **state)
{
	(void)state;
	three();
	assert_int_equal(keyslot_crc16("{user1000}.following", 20), 3443);
	assert_int_equal(key_shard("{user1000}.following"),
			 key_shard("{user1000}.followers"));
	expect_shard("GET {user1000}.following", 0);
	expect_shard("GET {user1000}.followers", 0);
	expect_shard("RENAME {user1000}.following {user1000}.followers", 0);
}

static void test_eval_goes_to_the_shard_of_its_keys(void **state)
{
	(void)state;
	three();
	expect_shard("EVAL return 1 foo", 2);
	expect_shard("EVAL return 2 c {c}x", 1);
	expect_shard("EVALSHA abc 1 bar arg", 0);
	expect_shard("EVAL return 2 {user1000}.a {user1000}.b x y", 0);
}

static void test_eval_without_keys_goes_to_shard_0(void **state)
{
	(void)state;
	three();
	expect_shard("EVAL return 0", 0);
	expect_shard("EVAL return 0 foo-is-an-arg", 0);
}

static void test_sort_store_on_one_shard(void **state)
{
	(void)state;
	three();
	expect_shard("SORT foo", 2);
	expect_shard("SORT {c}src STORE {c}dst", 1);
	expect_shard("SORT foo LIMIT 0 10 ALPHA STORE a", 2); /* a: 15495 */
}

static void test_sort_store_on_two_shards_is_crossslot(void **state)
{
	(void)state;
	three();
	expect_error("SORT foo STORE bar", CROSSSLOT);
	expect_error("SORT c ALPHA STORE b", CROSSSLOT);
}

static void test_publish_goes_to_the_shard_of_its_channel(void **state)
{
	(void)state;
	three();
	expect_shard("PUBLISH foo hello", 2);
	expect_shard("PUBLISH bar hello", 0);
	expect_shard("PUBLISH c hello", 1);
}

static void test_keyless_commands_go_to_shard_0(void **state)
{
	(void)state;
	three();
	expect_shard("TIME", 0);
	expect_shard("COMMAND", 0);
	expect_shard("COMMAND COUNT", 0);
	expect_shard("COMMAND INFO get", 0);
	expect_shard("LOLWUT", 0);
}

/* ---- split over shards --------------------------------------------------- */

static void test_mget_splits_into_an_array(void **state)
{
	(void)state;
	three();
	expect_split("MGET foo bar c", MERGE_ARRAY, 1);
	expect_split("MGET foo", MERGE_ARRAY, 1);
	assert_string_equal(rt.cmd->name, "mget");
}

static void test_mset_splits_by_pairs(void **state)
{
	(void)state;
	three();
	expect_split("MSET foo 1 bar 2 c 3", MERGE_OK, 2);
	expect_split("MSET foo 1", MERGE_OK, 2);
}

static void test_del_unlink_exists_touch_split_into_a_sum(void **state)
{
	(void)state;
	three();
	expect_split("DEL foo bar c", MERGE_SUM, 1);
	expect_split("UNLINK foo bar", MERGE_SUM, 1);
	expect_split("EXISTS foo bar foo", MERGE_SUM, 1);
	expect_split("TOUCH foo", MERGE_SUM, 1);
}

static void test_mset_with_odd_arguments_is_arity_error(void **state)
{
	(void)state;
	three();
	expect_error("MSET foo 1 bar",
		     "ERR wrong number of arguments for 'mset' command");
	expect_error("MSET foo",
		     "ERR wrong number of arguments for 'mset' command");
}

/* ---- every shard --------------------------------------------------------- */

static void test_dbsize_goes_everywhere_summed(void **state)
{
	(void)state;
	three();
	expect_all("DBSIZE", MERGE_SUM);
}

static void test_keys_refused_without_allow_keys(void **state)
{
	(void)state;
	three();
	expect_error_naming("KEYS *", "proxy-allow-keys");
	assert_non_null(rt.cmd);
	load(BASE THREE "proxy-allow-admin yes\n");
	expect_error_naming("KEYS *", "proxy-allow-keys");
}

static void test_keys_with_allow_keys_concatenates(void **state)
{
	(void)state;
	load(BASE THREE "proxy-allow-keys yes\n");
	expect_all("KEYS *", MERGE_CONCAT);
	expect_all("keys user:*", MERGE_CONCAT);
}

static void test_flush_refused_without_allow_admin(void **state)
{
	(void)state;
	three();
	expect_error_naming("FLUSHALL", "proxy-allow-admin");
	expect_error_naming("FLUSHDB", "proxy-allow-admin");
	expect_error_naming("FLUSHALL ASYNC", "proxy-allow-admin");
	load(BASE THREE "proxy-allow-keys yes\n");
	expect_error_naming("FLUSHDB", "proxy-allow-admin");
}

static void test_flush_with_allow_admin_goes_everywhere(void **state)
{
	(void)state;
	load(BASE THREE "proxy-allow-admin yes\n");
	expect_all("FLUSHALL", MERGE_FIRST);
	expect_all("FLUSHDB", MERGE_FIRST);
	expect_all("FLUSHDB SYNC", MERGE_FIRST);
}

static const char *const admin_commands[] = {
    "CONFIG GET x",	"CONFIG SET maxmemory 1", "SAVE",
    "BGSAVE",		"BGREWRITEAOF",
};

static void test_admin_commands_refused_without_allow_admin(void **state)
{
	(void)state;
	three();
	for (size_t i = 0; i < sizeof(admin_commands) / sizeof(*admin_commands);
	     i++)
		expect_error_naming(admin_commands[i], "proxy-allow-admin");
	/* The error names the command as Redis does, subcommand included. */
	expect_error_naming("CONFIG GET x", "'config|get'");
	expect_error_naming("save", "'save'");
}

static void test_admin_commands_with_allow_admin_go_everywhere(void **state)
{
	(void)state;
	load(BASE THREE "proxy-allow-admin yes\n");
	for (size_t i = 0; i < sizeof(admin_commands) / sizeof(*admin_commands);
	     i++)
		expect_all(admin_commands[i], MERGE_FIRST);
}

/* An admin command about one key goes to that key's shard. */
static void test_admin_commands_about_a_key_go_to_its_shard(void **state)
{
	(void)state;
	load(BASE THREE "proxy-allow-admin yes\n");
	expect_shard("MEMORY USAGE foo", 2);
	expect_shard("OBJECT FREQ bar", 0);
	expect_all("MEMORY STATS", MERGE_FIRST);
}

/* A connection that carries a stream cannot be shared: never served. */
static void test_stream_commands_refused_even_with_allow_admin(void **state)
{
	(void)state;
	load(BASE THREE "proxy-allow-admin yes\n");
	expect_error("MONITOR",
		     "ERR 'monitor' is not served through redisha-proxy: run it on the server itself");
	expect_error("SYNC",
		     "ERR 'sync' is not served through redisha-proxy: run it on the server itself");
	expect_error("PSYNC ? -1",
		     "ERR 'psync' is not served through redisha-proxy: run it on the server itself");
	/* acting on a server, sent to every master they would stop or
	 * reshape the fleet */
	expect_error("SHUTDOWN",
		     "ERR 'shutdown' is not served through redisha-proxy: run it on the server itself");
	expect_error("REPLICAOF no one",
		     "ERR 'replicaof' is not served through redisha-proxy: run it on the server itself");
	expect_error("DEBUG SLEEP 0",
		     "ERR 'debug' is not served through redisha-proxy: run it on the server itself");
	expect_error("CLUSTER INFO",
		     "ERR 'cluster|info' is not served through redisha-proxy: run it on the server itself");
}

/* Scripts and functions are loaded on every shard, so EVALSHA and FCALL
 * find them wherever their keys are. */
static void test_scripts_and_functions_loaded_everywhere(void **state)
{
	(void)state;
	three();
	expect_all("SCRIPT LOAD x", MERGE_FIRST);
	expect_all("SCRIPT FLUSH", MERGE_FIRST);
	expect_all("FUNCTION LOAD x", MERGE_FIRST);
	expect_all("FUNCTION DELETE lib", MERGE_FIRST);
	expect_shard("FUNCTION LIST", 0);
}

/* ---- CROSSSLOT ----------------------------------------------------------- */

static void test_keys_on_two_shards_are_crossslot(void **state)
{
	(void)state;
	three();
	expect_error("RENAME foo bar", CROSSSLOT);
	expect_error("RENAMENX foo c", CROSSSLOT);
	expect_error("SMOVE foo bar member", CROSSSLOT);
	expect_error("SINTERSTORE dst foo bar", CROSSSLOT);
	expect_error("SINTERSTORE foo foo bar", CROSSSLOT);
	expect_error("LMOVE foo bar LEFT RIGHT", CROSSSLOT);
	expect_error("MSETNX foo 1 bar 2", CROSSSLOT);
	expect_error("EVAL return 2 foo bar", CROSSSLOT);
	expect_error("EVALSHA abc 2 c foo", CROSSSLOT);
	assert_non_null(rt.cmd);
}

static void test_keys_with_one_hashtag_are_allowed(void **state)
{
	(void)state;
	three();
	expect_shard("RENAME {user1000}.following {user1000}.followers", 0);
	expect_shard("SMOVE {c}a {c}b member", 1);
	expect_shard("SINTERSTORE {foo}d {foo}1 {foo}2", 2);
	expect_shard("LMOVE {c}src {c}dst LEFT RIGHT", 1);
	expect_shard("MSETNX {bar}1 x {bar}2 y", 0);
	expect_shard("EVAL return 2 {foo}a {foo}b", 2);
	/* The same key twice is one slot. */
	expect_shard("RENAME foo foo", 2);
	expect_shard("SINTERSTORE foo foo 123456789", 2); /* both s3 */
}

/* ---- redis-server's refusals --------------------------------------------- */

static void test_unknown_command(void **state)
{
	(void)state;
	three();
	expect_error(
	    "foo a b",
	    "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
	assert_null(rt.cmd);
}

static void test_unknown_command_without_args(void **state)
{
	(void)state;
	three();
	expect_error(
	    "nosuchcmd",
	    "ERR unknown command 'nosuchcmd', with args beginning with: ");
}

static void test_unknown_command_keeps_its_case(void **state)
{
	(void)state;
	three();
	expect_error(
	    "FooBar X",
	    "ERR unknown command 'FooBar', with args beginning with: 'X' ");
}

/* Redis 7.0's processCommand: args are added while fewer than 128 bytes
 * were written, each cut to what is left of 128; the rest is dropped. */
static void test_unknown_command_args_cut_at_128(void **state)
{
	char a100[101], b100[101], x200[201], b25[26], x128[129];
	char want[512];

	(void)state;
	three();
	repeat(a100, 'a', 100);
	repeat(b100, 'b', 100);
	repeat(x200, 'x', 200);
	repeat(b25, 'b', 25);
	repeat(x128, 'x', 128);
	snprintf(
	    want, sizeof(want),
	    "ERR unknown command 'foo', with args beginning with: '%s' '%s' ",
	    a100, b25);
	route_v(4, (const char *const[]){"foo", a100, b100, "more"});
	assert_int_equal(rt.kind, ROUTE_ERROR);
	assert_string_equal(rt.err, want);

	snprintf(want, sizeof(want),
		 "ERR unknown command 'foo', with args beginning with: '%s' ",
		 x128);
	route_v(3, (const char *const[]){"foo", x200, "next"});
	assert_int_equal(rt.kind, ROUTE_ERROR);
	assert_string_equal(rt.err, want);
}

/* "unknown command '%.128s'": the name is cut at 128 bytes too. */
static void test_unknown_command_name_cut_at_128(void **state)
{
	char n200[201], n128[129];
	char want[512];

	(void)state;
	three();
	repeat(n200, 'n', 200);
	repeat(n128, 'n', 128);
	snprintf(want, sizeof(want),
		 "ERR unknown command '%s', with args beginning with: ", n128);
	route_v(1, (const char *const[]){n200});
	assert_int_equal(rt.kind, ROUTE_ERROR);
	assert_string_equal(rt.err, want);
}

/* Both cuts at once: redis-server's error is then 309 bytes long
 * (4 + 17 + 128 + 29 + 131), and it sends all of them. */
static void test_unknown_command_long_name_and_args_whole(void **state)
{
	char n200[201], n128[129], a200[201], a128[129];
	char want[512];

	(void)state;
	three();
	repeat(n200, 'n', 200);
	repeat(n128, 'n', 128);
	repeat(a200, 'a', 200);
	repeat(a128, 'a', 128);
	snprintf(want, sizeof(want),
		 "ERR unknown command '%s', with args beginning with: '%s' ",
		 n128, a128);
	assert_int_equal(strlen(want), 309);
	route_v(2, (const char *const[]){n200, a200});
	assert_int_equal(rt.kind, ROUTE_ERROR);
	assert_string_equal(rt.err, want);
}

static void test_unknown_subcommand(void **state)
{
	(void)state;
	three();
	expect_error("CLIENT x",
		     "ERR unknown subcommand 'x'. Try CLIENT HELP.");
	expect_error("client NoSuch a b",
		     "ERR unknown subcommand 'NoSuch'. Try CLIENT HELP.");
	expect_error("config nope",
		     "ERR unknown subcommand 'nope'. Try CONFIG HELP.");
	assert_null(rt.cmd);
}

static void test_unknown_subcommand_cut_at_128(void **state)
{
	char s200[201], s128[129];
	char want[512];

	(void)state;
	three();
	repeat(s200, 's', 200);
	repeat(s128, 's', 128);
	snprintf(want, sizeof(want),
		 "ERR unknown subcommand '%s'. Try OBJECT HELP.", s128);
	route_v(3, (const char *const[]){"object", s200, "k"});
	assert_int_equal(rt.kind, ROUTE_ERROR);
	assert_string_equal(rt.err, want);
}

static void test_wrong_arity(void **state)
{
	(void)state;
	three();
	expect_error("GET", "ERR wrong number of arguments for 'get' command");
	expect_error("GET a b",
		     "ERR wrong number of arguments for 'get' command");
	expect_error("MGET",
		     "ERR wrong number of arguments for 'mget' command");
	assert_non_null(rt.cmd);
}

static void test_wrong_arity_of_a_subcommand(void **state)
{
	(void)state;
	three();
	expect_error(
	    "CLIENT SETNAME",
	    "ERR wrong number of arguments for 'client|setname' command");
	expect_error(
	    "CLIENT SETNAME a b",
	    "ERR wrong number of arguments for 'client|setname' command");
	expect_error("CONFIG GET",
		     "ERR wrong number of arguments for 'config|get' command");
}

static void test_bare_container_is_arity_error(void **state)
{
	(void)state;
	three();
	expect_error("CLIENT",
		     "ERR wrong number of arguments for 'client' command");
	expect_error("config",
		     "ERR wrong number of arguments for 'config' command");
}

/* ---- not served (yet) ---------------------------------------------------- */

/* Blocking commands go to the shard of their keys, marked for the
 * client's own connection (tx.c); several keys must share a shard. */
static void expect_blocking(const char *cmdline, size_t shard)
{
	expect_shard(cmdline, shard);
	assert_true(rt.blocking);
}

static void test_blocking_commands_routed_and_marked(void **state)
{
	(void)state;
	three();
	expect_blocking("BLPOP foo 0", 2);
	expect_blocking("BRPOP bar 1", 0);
	expect_blocking("BLMOVE foo foo LEFT RIGHT 0", 2);
	expect_blocking("BZPOPMIN foo 0", 2);
	expect_blocking("XREAD BLOCK 0 STREAMS foo $", 2);
	expect_blocking("xread count 1 block 100 streams foo 0", 2);
	expect_blocking("XREADGROUP GROUP g c BLOCK 0 STREAMS foo >", 2);
	expect_error("BLPOP foo bar 0", CROSSSLOT);
	expect_shard("XREAD STREAMS foo 0", 2);
	assert_false(rt.blocking);
}

/* MULTI, EXEC, DISCARD and UNWATCH are the client's own (tx.c); WATCH
 * goes to the shard of its keys. */
static void test_transaction_commands_marked(void **state)
{
	(void)state;
	three();
	expect_kind("MULTI", ROUTE_LOCAL);
	assert_true(rt.tx);
	expect_kind("EXEC", ROUTE_LOCAL);
	assert_true(rt.tx);
	expect_kind("DISCARD", ROUTE_LOCAL);
	assert_true(rt.tx);
	expect_kind("UNWATCH", ROUTE_LOCAL);
	assert_true(rt.tx);
	expect_shard("WATCH foo", 2);
	assert_true(rt.tx);
	expect_error("WATCH foo bar", CROSSSLOT);
	expect_shard("GET foo", 2);
	assert_false(rt.tx);
}

static void test_xread_without_block_routes_by_its_streams(void **state)
{
	(void)state;
	three();
	expect_shard("XREAD STREAMS foo 0", 2);
	expect_shard("XREAD COUNT 10 STREAMS bar 0-0", 0);
	expect_shard("XREAD STREAMS {c}a {c}b 0 0", 1);
	/* A stream named "block" after STREAMS is a key, not the option. */
	expect_shard("XREAD STREAMS block 0", key_shard("block"));
	expect_shard("XREADGROUP GROUP g c COUNT 1 STREAMS bar >", 0);
	expect_error("XREAD STREAMS foo bar 0 0", CROSSSLOT);
}

/* Redis's xreadCommand takes GROUP's two arguments (group, consumer) as
 * names before looking for options: a group or consumer called "block"
 * is not the BLOCK option. */
static void test_xreadgroup_group_named_block_is_not_the_option(void **state)
{
	(void)state;
	three();
	expect_shard("XREADGROUP GROUP block c STREAMS bar >", 0);
	expect_shard("XREADGROUP GROUP g BLOCK STREAMS foo >", 2);
	expect_shard("XREADGROUP GROUP block block COUNT 1 STREAMS c >", 1);
}

/* Subscriptions are the client's own (pubsub.c); channel questions go
 * where the channel hashes, lists to every shard. */
static void test_pubsub_routes(void **state)
{
	(void)state;
	three();
	expect_kind("SUBSCRIBE news", ROUTE_LOCAL);
	assert_true(rt.pubsub);
	expect_kind("PSUBSCRIBE n*", ROUTE_LOCAL);
	assert_true(rt.pubsub);
	expect_kind("UNSUBSCRIBE", ROUTE_LOCAL);
	assert_true(rt.pubsub);
	expect_kind("SSUBSCRIBE foo", ROUTE_LOCAL);
	assert_true(rt.pubsub);
	expect_shard("PUBLISH foo hello", 2);
	assert_false(rt.pubsub);
	expect_shard("PUBLISH bar hello", 0);
	expect_shard("SPUBLISH foo hello", 2);
	expect_all("PUBSUB CHANNELS", MERGE_CONCAT);
	expect_all("PUBSUB SHARDCHANNELS n*", MERGE_CONCAT);
	expect_shard("PUBSUB NUMSUB foo", 2);
	expect_shard("PUBSUB NUMSUB", 0);
	expect_error("PUBSUB NUMSUB foo bar", CROSSSLOT);
	expect_shard("PUBSUB NUMPAT", 0);
}

static void test_commands_not_served_yet_refused_by_name(void **state)
{
	static const char *const later[][2] = {
	    {"WAIT 1 0", "wait"},
	};
	char want[128];

	(void)state;
	three();
	for (size_t i = 0; i < sizeof(later) / sizeof(*later); i++) {
		snprintf(want, sizeof(want),
			 "ERR redisha-proxy does not serve '%s' yet",
			 later[i][1]);
		expect_error(later[i][0], want);
	}
	/* Not even with every gate open. */
	load(BASE THREE "proxy-allow-admin yes\nproxy-allow-keys yes\n");
	expect_error("WAIT 1 0", "ERR redisha-proxy does not serve 'wait' yet");
}

/* SCAN's cursor holds the shard in its low 6 bits, the shard's cursor
 * above them; RANDOMKEY asks every shard. */
static void test_scan_cursor_names_shard_and_position(void **state)
{
	(void)state;
	three();
	expect_shard("SCAN 0", 0);
	assert_int_equal(rt.merge, MERGE_SCAN);
	assert_int_equal(rt.scan_cursor, 0);
	expect_shard("SCAN 2 MATCH a* COUNT 10", 2);
	assert_int_equal(rt.scan_cursor, 0);
	expect_shard("scan 449", 1); /* 7 << 6 | 1 */
	assert_int_equal(rt.scan_cursor, 7);
	expect_error("SCAN 3", "ERR invalid cursor"); /* no shard 3 */
	expect_error("SCAN x", "ERR invalid cursor");
	expect_error("SCAN -1", "ERR invalid cursor");
	expect_error("SCAN 99999999999999999999", "ERR invalid cursor");
	assert_int_equal(route_scan_cursor(7, 1, 3), 449);
	assert_int_equal(route_scan_cursor(0, 1, 3), 2);
	assert_int_equal(route_scan_cursor(0, 2, 3), 0);
	expect_all("RANDOMKEY", MERGE_ANY);
}

/* ---- ketama -------------------------------------------------------------- */

static void test_ketama_routes_by_the_ring(void **state)
{
	char key[32], cmd[64];
	size_t seen[3] = {0};

	(void)state;
	load(BASE "distribution ketama fnv1a_64\n" THREE);
	assert_int_equal(keyslot_ring_build(ring, &cfg, err, sizeof(err)), 0);
	ctx.ring = ring;
	for (int i = 0; i < 300; i++) {
		size_t want;

		snprintf(key, sizeof(key), "key:%d", i);
		snprintf(cmd, sizeof(cmd), "GET %s", key);
		want = keyslot_ring_lookup(ring, key, strlen(key));
		assert_int_equal(key_shard(key), want);
		expect_shard(cmd, want);
		seen[want]++;
	}
	/* The ring spreads keys: every shard got some. */
	assert_true(seen[0] && seen[1] && seen[2]);
	ctx.ring = NULL;
}

/* ---- case ---------------------------------------------------------------- */

static void test_commands_are_case_insensitive(void **state)
{
	(void)state;
	three();
	expect_shard("get foo", 2);
	expect_shard("GeT bar", 0);
	assert_string_equal(rt.cmd->name, "get");
	expect_kind("pInG", ROUTE_LOCAL);
	expect_kind("client setname x", ROUTE_LOCAL);
	expect_kind("cLiEnT GeTnAmE", ROUTE_LOCAL);
	expect_split("mget foo bar", MERGE_ARRAY, 1);
	expect_split("mSeT foo 1", MERGE_OK, 2);
	expect_all("dbsize", MERGE_SUM);
	expect_kind("multi", ROUTE_LOCAL);
	expect_blocking("Blpop foo 0", 2);
	expect_error("get", "ERR wrong number of arguments for 'get' command");
}

static int alloc_ring(void **state)
{
	(void)state;
	ring = calloc(1, sizeof(*ring));
	return ring ? 0 : -1;
}

static int free_ring(void **state)
{
	(void)state;
	free(ring);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connection_commands_are_local),
	    cmocka_unit_test(test_client_name_and_id_are_local),
	    cmocka_unit_test(test_auth_hello_reset_are_local),
	    cmocka_unit_test(test_key_shard_follows_slot_ranges),
	    cmocka_unit_test(test_get_goes_to_the_shard_of_its_slot),
	    cmocka_unit_test(test_hashtag_keys_share_a_shard),
	    cmocka_unit_test(test_eval_goes_to_the_shard_of_its_keys),
	    cmocka_unit_test(test_eval_without_keys_goes_to_shard_0),
	    cmocka_unit_test(test_sort_store_on_one_shard),
	    cmocka_unit_test(test_sort_store_on_two_shards_is_crossslot),
	    cmocka_unit_test(test_publish_goes_to_the_shard_of_its_channel),
	    cmocka_unit_test(test_keyless_commands_go_to_shard_0),
	    cmocka_unit_test(test_mget_splits_into_an_array),
	    cmocka_unit_test(test_mset_splits_by_pairs),
	    cmocka_unit_test(test_del_unlink_exists_touch_split_into_a_sum),
	    cmocka_unit_test(test_mset_with_odd_arguments_is_arity_error),
	    cmocka_unit_test(test_dbsize_goes_everywhere_summed),
	    cmocka_unit_test(test_keys_refused_without_allow_keys),
	    cmocka_unit_test(test_keys_with_allow_keys_concatenates),
	    cmocka_unit_test(test_flush_refused_without_allow_admin),
	    cmocka_unit_test(test_flush_with_allow_admin_goes_everywhere),
	    cmocka_unit_test(test_admin_commands_refused_without_allow_admin),
	    cmocka_unit_test(
		test_admin_commands_with_allow_admin_go_everywhere),
	    cmocka_unit_test(test_keys_on_two_shards_are_crossslot),
	    cmocka_unit_test(test_keys_with_one_hashtag_are_allowed),
	    cmocka_unit_test(test_unknown_command),
	    cmocka_unit_test(test_unknown_command_without_args),
	    cmocka_unit_test(test_unknown_command_keeps_its_case),
	    cmocka_unit_test(test_unknown_command_args_cut_at_128),
	    cmocka_unit_test(test_unknown_command_name_cut_at_128),
	    cmocka_unit_test(test_unknown_command_long_name_and_args_whole),
	    cmocka_unit_test(test_unknown_subcommand),
	    cmocka_unit_test(test_unknown_subcommand_cut_at_128),
	    cmocka_unit_test(test_wrong_arity),
	    cmocka_unit_test(test_wrong_arity_of_a_subcommand),
	    cmocka_unit_test(test_bare_container_is_arity_error),
	    cmocka_unit_test(test_blocking_commands_routed_and_marked),
	    cmocka_unit_test(test_transaction_commands_marked),
	    cmocka_unit_test(test_admin_commands_about_a_key_go_to_its_shard),
	    cmocka_unit_test(test_stream_commands_refused_even_with_allow_admin),
	    cmocka_unit_test(test_scripts_and_functions_loaded_everywhere),
	    cmocka_unit_test(test_xread_without_block_routes_by_its_streams),
	    cmocka_unit_test(
		test_xreadgroup_group_named_block_is_not_the_option),
	    cmocka_unit_test(test_pubsub_routes),
	    cmocka_unit_test(test_commands_not_served_yet_refused_by_name),
	    cmocka_unit_test(test_scan_cursor_names_shard_and_position),
	    cmocka_unit_test(test_ketama_routes_by_the_ring),
	    cmocka_unit_test(test_commands_are_case_insensitive),
	};

	return cmocka_run_group_tests(tests, alloc_ring, free_ring);
}
