/*
 * Unit tests for the command table (controller/proxy/command.c and the
 * generated command_table.c): lookup of commands and subcommands, arity,
 * flags, and the keys of requests as Redis 7.0's key specs find them.
 * Expected keys: `COMMAND GETKEYS` of redis-server 7.0.15, except where a
 * test says why the proxy differs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "command.h"

#define MAX_ARGS 32

struct request {
	size_t argc;
	struct resp_slice argv[MAX_ARGS];
	char text[256];
};

/* Split a request on spaces; `""` is an empty argument. */
static void parse(struct request *r, const char *line)
{
	char *save = NULL, *tok;

	assert_true(strlen(line) < sizeof(r->text));
	strcpy(r->text, line);
	r->argc = 0;
	for (tok = strtok_r(r->text, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		assert_true(r->argc < MAX_ARGS);
		if (!strcmp(tok, "\"\""))
			tok[0] = '\0';
		r->argv[r->argc].ptr = tok;
		r->argv[r->argc].len = strlen(tok);
		r->argc++;
	}
}

static const struct command_info *lookup(const char *line)
{
	struct request r;

	parse(&r, line);
	return command_lookup(r.argc, r.argv);
}

static void expect_name(const char *line, const char *name)
{
	const struct command_info *cmd = lookup(line);

	if (!cmd)
		fail_msg("%s: not found", line);
	assert_string_equal(cmd->name, name);
}

/* The keys of `line` as "1 3", or the error, against `want`. */
static void expect_keys_of(const struct command_info *cmd, const char *line,
			   const char *want)
{
	struct request r;
	size_t pos[MAX_ARGS];
	char got[128] = "";
	int n;

	parse(&r, line);
	if (!cmd)
		cmd = command_lookup(r.argc, r.argv);
	if (!cmd)
		fail_msg("%s: not found", line);
	n = command_keys(cmd, r.argc, r.argv, pos, MAX_ARGS);
	if (n == -EINVAL) {
		strcpy(got, "EINVAL");
	} else {
		assert_in_range(n, 0, MAX_ARGS);
		for (int i = 0; i < n; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 "%s%zu", i ? " " : "", pos[i]);
	}
	if (strcmp(got, want))
		fail_msg("%s: keys [%s], expected [%s]", line, got, want);
}

static void expect_keys(const char *line, const char *want)
{
	expect_keys_of(NULL, line, want);
}

static void test_lookup_any_case(void **state)
{
	(void)state;
	expect_name("GET k", "get");
	expect_name("get k", "get");
	expect_name("gEt k", "get");
	expect_name("ZUNIONSTORE d 1 a", "zunionstore");
	expect_name("restore-asking k 0 x", "restore-asking");
	expect_name("CLIENT SETNAME x", "client|setname");
	expect_name("client setname x", "client|setname");
	expect_name("Config Set maxmemory 1", "config|set");
	expect_name("OBJECT encoding k", "object|encoding");
	expect_name("xinfo STREAM s", "xinfo|stream");
	/* The first and the last of the table. */
	expect_name("ACL WHOAMI", "acl|whoami");
	expect_name("zunionstore d 1 a", "zunionstore");
}

static void test_lookup_unknown(void **state)
{
	static const struct resp_slice nul = { "get\0", 4 };

	(void)state;
	assert_null(command_lookup(0, NULL));
	assert_null(lookup("NOSUCH"));
	assert_null(lookup("\"\""));
	assert_null(lookup("ge k"));
	assert_null(lookup("gett k"));
	assert_null(command_lookup(1, &nul));
	/* A container needs a subcommand it knows; alone it is itself,
	 * for its arity to refuse. */
	expect_name("CLIENT", "client");
	assert_false(command_arity_ok(lookup("CLIENT"), 1));
	assert_null(lookup("CLIENT NOSUCH"));
	assert_null(lookup("CLIENT SETNAMEX x"));
	assert_null(lookup("CONFIG \"\""));
	/* Subcommands only by two arguments, not by their table name. */
	assert_null(lookup("client|setname x"));
	assert_null(lookup("CLIENT client|setname x"));
	/* A plain command ignores what follows it. */
	expect_name("GET SETNAME", "get");
}

static void test_arity(void **state)
{
	const struct command_info *get = lookup("GET"), *set = lookup("SET"),
				  *setname = lookup("CLIENT SETNAME");

	(void)state;
	assert_non_null(get);
	assert_false(command_arity_ok(get, 1));
	assert_true(command_arity_ok(get, 2));
	assert_false(command_arity_ok(get, 3));
	assert_non_null(set); /* -3: at least three */
	assert_false(command_arity_ok(set, 2));
	assert_true(command_arity_ok(set, 3));
	assert_true(command_arity_ok(set, 7));
	assert_non_null(setname); /* counts CLIENT too */
	assert_true(command_arity_ok(setname, 3));
	assert_false(command_arity_ok(setname, 2));
	assert_true(command_arity_ok(lookup("PING"), 1));
	assert_true(command_arity_ok(lookup("PING"), 2));
}

static uint32_t flags(const char *line)
{
	const struct command_info *cmd = lookup(line);

	if (!cmd)
		fail_msg("%s: not found", line);
	return cmd->flags;
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(flags("GET"), CMD_READONLY | CMD_FAST);
	assert_int_equal(flags("SET"), CMD_WRITE | CMD_DENYOOM);
	/* Redis 7.0 does not flag FLUSHALL admin (its ACL category is). */
	assert_int_equal(flags("FLUSHALL"), CMD_WRITE);
	assert_int_equal(flags("CONFIG SET"),
			 CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE);
	assert_int_equal(flags("SUBSCRIBE"),
			 CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE);
	assert_int_equal(flags("BLPOP"),
			 CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING);
	assert_int_equal(flags("EVAL"),
			 CMD_NOSCRIPT | CMD_MOVABLEKEYS | CMD_STALE);
	assert_int_equal(flags("HELLO"), CMD_NOSCRIPT | CMD_FAST | CMD_NO_AUTH |
					     CMD_LOADING | CMD_STALE);
	assert_true(flags("SAVE") & CMD_NO_MULTI);
	assert_true(flags("CLIENT KILL x") & CMD_ADMIN);
}

static void test_keys_simple(void **state)
{
	(void)state;
	expect_keys("GET k", "1");
	expect_keys("SET k v", "1");
	expect_keys("SET k v GET", "1");
	expect_keys("PING", "");
	expect_keys("PING hello", "");
	expect_keys("SMOVE s d m", "1 2");
	expect_keys("RENAME a b", "1 2");
	expect_keys("OBJECT ENCODING k", "2");
	expect_keys("XINFO STREAM s", "2");
	expect_keys("CLIENT SETNAME x", "");
}

static void test_keys_ranges(void **state)
{
	(void)state;
	expect_keys("MSET k1 v1 k2 v2", "1 3");
	expect_keys("MGET a b c", "1 2 3");
	expect_keys("DEL a b", "1 2");
	expect_keys("BLPOP a b 0", "1 2");
	expect_keys("BLMOVE src dst LEFT RIGHT 0", "1 2");
	expect_keys("BITOP AND d a b c", "2 3 4 5");
	expect_keys("PFMERGE d a b", "1 2 3");
	/* The same key twice is two positions. */
	expect_keys("EXISTS a b a", "1 2 3");
}

static void test_keys_keynum(void **state)
{
	(void)state;
	expect_keys("EVAL script 2 k1 k2 a1", "3 4");
	expect_keys("eval script 0", "");
	expect_keys("EVAL script 0 a1 a2", "");
	expect_keys("EVALSHA abc 1 k1 a", "3");
	expect_keys("EVAL_RO s 1 k", "3");
	expect_keys("FCALL f 2 a b c", "3 4");
	expect_keys("FCALL_RO f 1 a", "3");
	expect_keys("ZUNIONSTORE dst 2 a b WEIGHTS 1 2", "1 3 4");
	expect_keys("ZUNION 2 a b", "2 3");
	expect_keys("LMPOP 2 a b LEFT", "2 3");
	expect_keys("BLMPOP 0 2 a b LEFT", "3 4");
	expect_keys("SINTERCARD 2 a b LIMIT 1", "2 3");
}

static void test_keys_keyword(void **state)
{
	(void)state;
	expect_keys("XREAD COUNT 2 STREAMS s1 s2 0 0", "4 5");
	expect_keys("xread block 0 streams a b c 1 2 3", "4 5 6");
	expect_keys("XREAD STREAMS s 0", "2");
	expect_keys("XREADGROUP GROUP g c STREAMS s 0", "5");
	expect_keys("XREADGROUP GROUP g c COUNT 1 STREAMS s1 s2 > >", "7 8");
	expect_keys("GEORADIUS k 0 0 1 km", "1");
	expect_keys("GEORADIUS k 0 0 1 km STORE dst", "1 7");
	expect_keys("GEORADIUS k 0 0 1 km storedist dst", "1 7");
	/* Argument order, where Redis lists STORE's key before STOREDIST's
	 * (the order of the specs). */
	expect_keys("GEORADIUS k 0 0 1 km STOREDIST a STORE b", "1 7 9");
	/* STORE as the last argument has no key after it: not searched. */
	expect_keys("GEORADIUS k 0 0 1 km STORE", "1");
	/* GEORADIUS searches for STORE from argument 6 on, BYMEMBER 5. */
	expect_keys("GEORADIUS STORE d 0 1 km", "1");
	expect_keys("GEORADIUSBYMEMBER k m 1 km STORE d", "1 6");
}

/* Redis's key specs give up on these; command_keys does what Redis's
 * sortGetKeys and migrateGetKeys do (command.h). */
static void test_keys_unknown_specs(void **state)
{
	(void)state;
	/* SORT's BY/GET and STORE specs are of unknown kind. */
	expect_keys("SORT k STORE dst", "1 3");
	expect_keys("SORT k", "1");
	expect_keys("SORT_RO k", "1");
	expect_keys("SORT k BY w_* LIMIT 0 5 GET o_* GET # DESC ALPHA STORE d",
		    "1 14");
	/* a pattern or a limit argument named STORE is not the option */
	expect_keys("SORT k GET STORE BY STORE LIMIT STORE STORE", "1");
	expect_keys("SORT k STORE a STORE b", "1 5");
	/* MIGRATE's KEYS spec is INCOMPLETE: the keys follow KEYS when the
	 * key argument is empty. */
	expect_keys("MIGRATE host port \"\" 0 5000 KEYS a b", "7 8");
	expect_keys("MIGRATE host port \"\" 0 5000 COPY KEYS a", "8");
	expect_keys("MIGRATE host port k 0 5000", "3");
	expect_keys("MIGRATE host port k 0 5000 COPY REPLACE", "3");
	expect_keys("MIGRATE host port k 0 5000 KEYS a", "3");
}

/* Shard channels (NOT_KEY specs) count as keys, to route by their slot as
 * Redis Cluster does; plain channels do not. */
static void test_keys_shard_channels(void **state)
{
	(void)state;
	expect_keys("SPUBLISH ch msg", "1");
	expect_keys("SSUBSCRIBE a b", "1 2");
	expect_keys("SUNSUBSCRIBE a", "1");
	expect_keys("PUBLISH ch msg", "");
	expect_keys("SUBSCRIBE a b", "");
}

/* A count that is not a number or runs past argc. Redis's key specs
 * refuse these too (its fallback, evalGetKeys, then finds no keys). */
static void test_keys_malformed(void **state)
{
	(void)state;
	expect_keys("EVAL script x k1", "EINVAL");
	expect_keys("EVAL script \"\" k1", "EINVAL");
	expect_keys("EVAL script 3 k1 k2", "EINVAL");
	expect_keys("EVAL script 99999999999999999999999 k1", "EINVAL");
	expect_keys("EVAL script -1 k1", "EINVAL");
	expect_keys("EVAL script +1 k1", "EINVAL");
	expect_keys("EVAL script 01 k1", "EINVAL");
	expect_keys("EVAL script 1a k1", "EINVAL");
	/* No count at all (arity is the caller's check). */
	expect_keys("EVAL script", "EINVAL");
	expect_keys("ZUNIONSTORE dst 3 a b", "EINVAL");
	expect_keys("LMPOP 1", "EINVAL");
	/* Too little after STREAMS; nothing at all is no keyword, as a
	 * keyword is not looked for in the last argument. */
	expect_keys("XREAD STREAMS s", "EINVAL");
	expect_keys("XREAD STREAMS", "");
	expect_keys("GET", "EINVAL");
}

static void test_keys_max(void **state)
{
	struct request r;
	size_t pos[3] = { 0, 0, 77 };

	(void)state;
	parse(&r, "MGET a b c d e");
	assert_int_equal(command_keys(lookup("MGET"), r.argc, r.argv, pos, 2),
			 5);
	assert_int_equal(pos[0], 1);
	assert_int_equal(pos[1], 2);
	assert_int_equal(pos[2], 77);
	assert_int_equal(command_keys(lookup("MGET"), r.argc, r.argv, NULL, 0),
			 5);
}

/* Specs no Redis 7.0 command has: overlapping ones, a backwards keyword
 * search, the limit, a step, and kinds command_keys does not know. */
static void test_keys_synthetic(void **state)
{
	static const struct command_key_spec all_and_store[] = {
		{ .begin = CMD_BEGIN_INDEX, .index = 1, .find = CMD_FIND_RANGE,
		  .lastkey = -1, .keystep = 1 },
		{ .begin = CMD_BEGIN_KEYWORD, .keyword = "STORE",
		  .startfrom = 1, .find = CMD_FIND_RANGE, .keystep = 1 },
	};
	static const struct command_key_spec backwards[] = {
		{ .begin = CMD_BEGIN_KEYWORD, .keyword = "KEYS",
		  .startfrom = -2, .find = CMD_FIND_RANGE, .lastkey = -1,
		  .keystep = 1 },
	};
	static const struct command_key_spec thirds[] = {
		{ .begin = CMD_BEGIN_INDEX, .index = 1, .find = CMD_FIND_RANGE,
		  .lastkey = -1, .keystep = 2, .limit = 3 },
	};
	static const struct command_key_spec unknown_begin[] = {
		{ .begin = CMD_BEGIN_UNKNOWN, .find = CMD_FIND_RANGE,
		  .keystep = 1 },
	};
	static const struct command_key_spec zero_step[] = {
		{ .begin = CMD_BEGIN_INDEX, .index = 1, .find = CMD_FIND_RANGE,
		  .keystep = 0 },
	};
	const struct command_info c1 = { "c1", -2, 0, all_and_store, 2,
					 NULL, 0 },
				  c2 = { "c2", -2, 0, backwards, 1, NULL, 0 },
				  c3 = { "c3", -2, 0, thirds, 1, NULL, 0 },
				  c4 = { "c4", -2, 0, unknown_begin, 1, NULL,
					 0 },
				  c5 = { "c5", -2, 0, zero_step, 1, NULL, 0 };

	(void)state;
	/* A position two specs find is reported once. */
	expect_keys_of(&c1, "c1 a STORE b", "1 2 3");
	expect_keys_of(&c1, "c1 a b", "1 2");
	/* Backwards from the second to last argument, down to argv[2]. */
	expect_keys_of(&c2, "c2 x KEYS KEYS a b", "4 5");
	expect_keys_of(&c2, "c2 KEYS a b", "");
	/* The first third of the rest, every other one. */
	expect_keys_of(&c3, "c3 a b c d e f g h i", "1 3");
	expect_keys_of(&c4, "c4 a", "EINVAL");
	expect_keys_of(&c5, "c5 a", "EINVAL");
}

static void check_sorted(const struct command_info *t, size_t n,
			 const char *parent)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = t[i].name;

		if (i && strcmp(t[i - 1].name, name) >= 0)
			fail_msg("%s is not after %s", name, t[i - 1].name);
		for (const char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				fail_msg("%s is not lower case", name);
		if (parent && (strncmp(name, parent, strlen(parent)) ||
			       name[strlen(parent)] != '|'))
			fail_msg("%s is not a subcommand of %s", name, parent);
		assert_true(!t[i].nkey_specs || t[i].key_specs);
		assert_true(t[i].nsubcommands ? !parent && t[i].subcommands
					      : !t[i].subcommands);
		check_sorted(t[i].subcommands, t[i].nsubcommands, name);
	}
}

static void test_table_sorted(void **state)
{
	(void)state;
	assert_true(command_table_len > 200);
	check_sorted(command_table, command_table_len, NULL);
}

static struct resp_slice upper(char *buf, size_t size, const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		assert_true(i < size);
		buf[i] = name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A'
							  : name[i];
	}
	return (struct resp_slice){ buf, i };
}

/* Every entry is found by its own name, in upper case. */
static void test_table_lookup_all(void **state)
{
	char buf[2][64];
	struct resp_slice argv[2];

	(void)state;
	for (size_t i = 0; i < command_table_len; i++) {
		const struct command_info *cmd = &command_table[i];

		argv[0] = upper(buf[0], sizeof(buf[0]), cmd->name);
		if (!cmd->nsubcommands)
			assert_ptr_equal(command_lookup(1, argv), cmd);
		for (size_t j = 0; j < cmd->nsubcommands; j++) {
			const struct command_info *sub = &cmd->subcommands[j];

			argv[1] = upper(buf[1], sizeof(buf[1]),
					sub->name + argv[0].len + 1);
			assert_ptr_equal(command_lookup(2, argv), sub);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_any_case),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_arity),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_keys_simple),
		cmocka_unit_test(test_keys_ranges),
		cmocka_unit_test(test_keys_keynum),
		cmocka_unit_test(test_keys_keyword),
		cmocka_unit_test(test_keys_unknown_specs),
		cmocka_unit_test(test_keys_shard_channels),
		cmocka_unit_test(test_keys_malformed),
		cmocka_unit_test(test_keys_max),
		cmocka_unit_test(test_keys_synthetic),
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_table_lookup_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
