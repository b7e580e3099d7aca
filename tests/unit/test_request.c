/*
 * Unit tests for redisha-proxy's requests (controller/proxy/request.c):
 * fragments counted in, and the reply merged from theirs under each of
 * route.h's merge rules. Fragment replies are written by hand as raw RESP,
 * as a backend would send them; merged replies are compared byte for byte.
 * No client is needed: request->client stays NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "request.h"
#include "resp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The request under test; the teardown frees it, so a failed assertion
 * does not leak it. */
static struct request *req;

static int free_req(void **state)
{
	(void)state;
	if (req)
		request_free(req);
	req = NULL;
	return 0;
}

static struct request *new_req(enum route_merge merge, size_t nfrags,
			       size_t nkeys)
{
	free_req(NULL);
	req = request_new(NULL, merge, nfrags, nkeys);
	assert_non_null(req);
	return req;
}

/* Fragment i's reply: `len` raw bytes. */
static void put_n(size_t i, const void *raw, size_t len)
{
	assert_true(i < req->nfrags);
	assert_int_equal(buf_append(&req->frags[i].reply, raw, len), 0);
}

static void put(size_t i, const char *raw)
{
	put_n(i, raw, strlen(raw));
}

/* Fragment i is in: false unless it was the last one due. */
static bool done(size_t i)
{
	return request_fragment_done(&req->frags[i]);
}

/* Every fragment in, in order; only the last completes the request. */
static void all_done(void)
{
	for (size_t i = 0; i < req->nfrags; i++) {
		assert_false(req->done);
		assert_int_equal(done(i), i + 1 == req->nfrags);
	}
	assert_true(req->done);
}

static void expect_reply_n(const void *want, size_t len)
{
	assert_true(req->done);
	if (buf_len(&req->reply) != len ||
	    memcmp(buf_head(&req->reply), want, len))
		fail_msg("reply '%.*s' (%zu bytes), want '%.*s' (%zu bytes)",
			 (int)buf_len(&req->reply), buf_head(&req->reply),
			 buf_len(&req->reply), (int)len, (const char *)want,
			 len);
}

static void expect_reply(const char *want)
{
	expect_reply_n(want, strlen(want));
}

/* An error of the proxy's own: "-ERR redisha-proxy: ...\r\n", one line. */
static void expect_proxy_error(void)
{
	const char *r = buf_head(&req->reply);
	size_t len = buf_len(&req->reply);
	static const char prefix[] = "-ERR redisha-proxy:";

	assert_true(req->done);
	if (len < sizeof(prefix) - 1 + 2 ||
	    memcmp(r, prefix, sizeof(prefix) - 1))
		fail_msg("reply '%.*s' is not a redisha-proxy error", (int)len,
			 r);
	assert_memory_equal(r + len - 2, "\r\n", 2);
	assert_null(memchr(r, '\n', len - 1));
}

/* ---- fragments and completion -------------------------------------------- */

static void test_new_request_links_its_fragments(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 3, 0);
	assert_null(req->client);
	assert_int_equal(req->merge, MERGE_SUM);
	assert_int_equal(req->nfrags, 3);
	assert_int_equal(req->pending, 3);
	assert_false(req->done);
	for (size_t i = 0; i < 3; i++) {
		assert_ptr_equal(req->frags[i].req, req);
		assert_false(req->frags[i].done);
		assert_int_equal(buf_len(&req->frags[i].reply), 0);
	}
	assert_int_equal(buf_len(&req->reply), 0);
}

static void test_fragment_done_true_only_for_the_last(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 3, 0);
	put(0, ":1\r\n");
	put(1, ":2\r\n");
	put(2, ":3\r\n");
	assert_false(done(2));
	assert_true(req->frags[2].done);
	assert_false(req->done);
	assert_int_equal(req->pending, 2);
	assert_false(done(0));
	assert_false(req->done);
	assert_true(done(1));
	assert_true(req->done);
	assert_int_equal(req->pending, 0);
	expect_reply(":6\r\n");
}

static void test_no_fragments_is_done_at_once(void **state)
{
	(void)state;
	new_req(MERGE_NONE, 0, 0);
	assert_true(req->done);
	assert_int_equal(req->pending, 0);
	assert_int_equal(buf_len(&req->reply), 0);
}

static void test_fail_makes_the_error_the_reply(void **state)
{
	(void)state;
	new_req(MERGE_NONE, 0, 0);
	assert_int_equal(request_fail(req, "ERR unknown command '%s'", "x"), 0);
	expect_reply("-ERR unknown command 'x'\r\n");
}

static void test_fail_before_any_fragment_is_sent(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 3, 0);
	assert_int_equal(
	    request_fail(
		req, "%s",
		"CROSSSLOT Keys in request don't hash to the same slot"),
	    0);
	expect_reply(
	    "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
}

static void test_fail_turns_newlines_into_spaces(void **state)
{
	(void)state;
	new_req(MERGE_NONE, 0, 0);
	assert_int_equal(request_fail(req, "ERR a\r\nb"), 0);
	expect_reply("-ERR a  b\r\n");
}

/* ---- MERGE_NONE ---------------------------------------------------------- */

static void test_none_passes_the_reply_byte_exact(void **state)
{
	static const char bulk[] = "$6\r\na\0b\r\nc\r\n";

	(void)state;
	new_req(MERGE_NONE, 1, 0);
	put_n(0, bulk, sizeof(bulk) - 1);
	assert_true(done(0));
	expect_reply_n(bulk, sizeof(bulk) - 1);
}

static void test_none_passes_resp3_and_nested_replies(void **state)
{
	static const char *const replies[] = {
	    "%2\r\n+server\r\n$5\r\nredis\r\n+proto\r\n:3\r\n",
	    "*3\r\n*1\r\n:1\r\n_\r\n,3.14\r\n",
	    "_\r\n",
	    "$-1\r\n",
	    "*-1\r\n",
	    "+OK\r\n",
	    "(3492890328409238509324850943850943825024385\r\n",
	    "=15\r\ntxt:Some string\r\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(replies); i++) {
		new_req(MERGE_NONE, 1, 0);
		put(0, replies[i]);
		assert_true(done(0));
		expect_reply(replies[i]);
	}
}

/* ---- MERGE_ARRAY --------------------------------------------------------- */

/* MGET k0 k1 k2 k3 k4 k5 with k1 k2 on fragment 0, k0 k4 on 1, k3 k5 on
 * 2: each fragment answers for its keys in request order. */
static void test_array_puts_values_back_in_key_order(void **state)
{
	static const uint32_t map[] = {1, 0, 0, 2, 1, 2};

	(void)state;
	new_req(MERGE_ARRAY, 3, ARRAY_SIZE(map));
	memcpy(req->key_frag, map, sizeof(map));
	put(0, "*2\r\n$2\r\nv1\r\n$2\r\nv2\r\n");
	put(1, "*2\r\n$2\r\nv0\r\n$2\r\nv4\r\n");
	put(2, "*2\r\n$2\r\nv3\r\n$2\r\nv5\r\n");
	all_done();
	expect_reply("*6\r\n$2\r\nv0\r\n$2\r\nv1\r\n$2\r\nv2\r\n$2\r\nv3\r\n"
		     "$2\r\nv4\r\n$2\r\nv5\r\n");
}

static void test_array_keeps_resp2_nulls_and_empty_values(void **state)
{
	static const uint32_t map[] = {0, 1, 2, 0, 1};

	(void)state;
	new_req(MERGE_ARRAY, 3, ARRAY_SIZE(map));
	memcpy(req->key_frag, map, sizeof(map));
	put(0, "*2\r\n$-1\r\n$1\r\nd\r\n");
	put(1, "*2\r\n$0\r\n\r\n$-1\r\n");
	put(2, "*1\r\n$3\r\nc\r\n\r\n"); /* a value holding CRLF */
	/* In any order. */
	assert_false(done(1));
	assert_false(done(2));
	assert_true(done(0));
	expect_reply(
	    "*5\r\n$-1\r\n$0\r\n\r\n$3\r\nc\r\n\r\n$1\r\nd\r\n$-1\r\n");
}

static void test_array_keeps_resp3_nulls(void **state)
{
	static const uint32_t map[] = {2, 0, 1};

	(void)state;
	new_req(MERGE_ARRAY, 3, ARRAY_SIZE(map));
	memcpy(req->key_frag, map, sizeof(map));
	put(0, "*1\r\n_\r\n");
	put(1, "*1\r\n$1\r\nb\r\n");
	put(2, "*1\r\n_\r\n");
	all_done();
	expect_reply("*3\r\n_\r\n_\r\n$1\r\nb\r\n");
}

static void test_array_of_one_fragment(void **state)
{
	static const uint32_t map[] = {0, 0, 0};

	(void)state;
	new_req(MERGE_ARRAY, 1, ARRAY_SIZE(map));
	memcpy(req->key_frag, map, sizeof(map));
	put(0, "*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n");
	all_done();
	expect_reply("*3\r\n$1\r\na\r\n$-1\r\n$0\r\n\r\n");
}

static void test_array_non_array_reply_is_a_proxy_error(void **state)
{
	static const char *const bad[] = {":1\r\n",  "$-1\r\n", "*-1\r\n",
					  "+OK\r\n", "_\r\n",	"$1\r\n*\r\n"};
	static const uint32_t map[] = {0, 1};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		new_req(MERGE_ARRAY, 2, ARRAY_SIZE(map));
		memcpy(req->key_frag, map, sizeof(map));
		put(0, "*1\r\n$1\r\na\r\n");
		put(1, bad[i]);
		all_done();
		expect_proxy_error();
	}
}

/* A shard that answered fewer values than it was asked keys for. */
static void test_array_short_of_values_is_a_proxy_error(void **state)
{
	static const uint32_t map[] = {0, 1, 1};

	(void)state;
	new_req(MERGE_ARRAY, 2, ARRAY_SIZE(map));
	memcpy(req->key_frag, map, sizeof(map));
	put(0, "*1\r\n$1\r\na\r\n");
	put(1, "*1\r\n$1\r\nb\r\n");
	all_done();
	expect_proxy_error();
}

/* ---- MERGE_SUM ----------------------------------------------------------- */

static void test_sum_adds_integers(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 3, 0);
	put(0, ":3\r\n");
	put(1, ":0\r\n");
	put(2, ":2\r\n");
	all_done();
	expect_reply(":5\r\n");
}

static void test_sum_of_negatives(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 2, 0);
	put(0, ":-4\r\n");
	put(1, ":1\r\n");
	all_done();
	expect_reply(":-3\r\n");
}

static void test_sum_of_one_fragment(void **state)
{
	(void)state;
	new_req(MERGE_SUM, 1, 0);
	put(0, ":42\r\n");
	all_done();
	expect_reply(":42\r\n");
}

static void test_sum_non_integer_reply_is_a_proxy_error(void **state)
{
	static const char *const bad[] = {"+OK\r\n", "$1\r\n1\r\n", "_\r\n",
					  "*1\r\n:1\r\n", ",1.5\r\n"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		new_req(MERGE_SUM, 2, 0);
		put(0, ":1\r\n");
		put(1, bad[i]);
		all_done();
		expect_proxy_error();
	}
}

/* ---- MERGE_OK, MERGE_FIRST ----------------------------------------------- */

static void test_ok_gives_ok(void **state)
{
	(void)state;
	new_req(MERGE_OK, 3, 0);
	put(0, "+OK\r\n");
	put(1, "+OK\r\n");
	put(2, "+OK\r\n");
	assert_false(done(2));
	assert_false(done(1));
	assert_true(done(0));
	expect_reply("+OK\r\n");
}

static void test_first_gives_fragment_0s_reply(void **state)
{
	(void)state;
	new_req(MERGE_FIRST, 3, 0);
	put(0, "$5\r\nfirst\r\n");
	put(1, "$6\r\nsecond\r\n");
	put(2, "+OK\r\n");
	/* Fragment 0 in first or last: its reply all the same. */
	assert_false(done(2));
	assert_false(done(0));
	assert_true(done(1));
	expect_reply("$5\r\nfirst\r\n");
}

/* ---- MERGE_CONCAT -------------------------------------------------------- */

static void test_concat_joins_arrays(void **state)
{
	(void)state;
	new_req(MERGE_CONCAT, 3, 0);
	put(0, "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
	put(1, "*0\r\n");
	put(2, "*1\r\n$2\r\ncc\r\n");
	all_done();
	expect_reply("*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\ncc\r\n");
}

static void test_concat_keeps_fragment_order(void **state)
{
	(void)state;
	new_req(MERGE_CONCAT, 2, 0);
	put(0, "*1\r\n$1\r\nx\r\n");
	put(1, "*1\r\n$1\r\ny\r\n");
	assert_false(done(1));
	assert_true(done(0));
	expect_reply("*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
}

static void test_concat_of_empty_arrays_is_empty(void **state)
{
	(void)state;
	new_req(MERGE_CONCAT, 3, 0);
	put(0, "*0\r\n");
	put(1, "*0\r\n");
	put(2, "*0\r\n");
	all_done();
	expect_reply("*0\r\n");
}

static void test_concat_non_array_reply_is_a_proxy_error(void **state)
{
	(void)state;
	new_req(MERGE_CONCAT, 2, 0);
	put(0, "*1\r\n$1\r\na\r\n");
	put(1, "+OK\r\n");
	all_done();
	expect_proxy_error();
}

/* ---- errors -------------------------------------------------------------- */

/* A valid, non-error fragment reply under each merge kind. */
static const char *good_reply(enum route_merge merge)
{
	switch (merge) {
	case MERGE_ARRAY:
	case MERGE_CONCAT:
		return "*1\r\n$1\r\nv\r\n";
	case MERGE_SUM:
		return ":1\r\n";
	case MERGE_OK:
		return "+OK\r\n";
	default:
		return "$1\r\nv\r\n";
	}
}

static const enum route_merge every_merge[] = {
    MERGE_NONE, MERGE_ARRAY, MERGE_SUM, MERGE_OK, MERGE_FIRST, MERGE_CONCAT,
};

static struct request *new_req_for(enum route_merge merge, size_t nfrags)
{
	new_req(merge, nfrags, merge == MERGE_ARRAY ? nfrags : 0);
	for (size_t k = 0; merge == MERGE_ARRAY && k < nfrags; k++)
		req->key_frag[k] = (uint32_t)k;
	return req;
}

static void test_an_error_is_the_reply_for_every_merge(void **state)
{
	(void)state;
	for (size_t m = 0; m < ARRAY_SIZE(every_merge); m++) {
		size_t n = every_merge[m] == MERGE_NONE ? 1 : 3;

		new_req_for(every_merge[m], n);
		for (size_t i = 0; i < n; i++)
			put(i, i == n - 1
				   ? "-WRONGTYPE Operation against a key "
				     "holding the wrong kind of value\r\n"
				   : good_reply(every_merge[m]));
		all_done();
		expect_reply("-WRONGTYPE Operation against a key holding the "
			     "wrong kind of value\r\n");
	}
}

/* The first error in fragment order, whatever order they came in. */
static void test_the_first_error_in_fragment_order_wins(void **state)
{
	(void)state;
	for (size_t m = 1; m < ARRAY_SIZE(every_merge); m++) {
		new_req_for(every_merge[m], 3);
		put(0, good_reply(every_merge[m]));
		put(1, "-ERR one\r\n");
		put(2, "-ERR two\r\n");
		assert_false(done(2));
		assert_false(done(1));
		assert_true(done(0));
		expect_reply("-ERR one\r\n");
	}
}

static void test_an_error_in_fragment_0_is_the_reply(void **state)
{
	(void)state;
	for (size_t m = 1; m < ARRAY_SIZE(every_merge); m++) {
		new_req_for(every_merge[m], 3);
		put(0, "-LOADING Redis is loading the dataset in memory\r\n");
		put(1, good_reply(every_merge[m]));
		put(2, "-ERR later\r\n");
		all_done();
		expect_reply(
		    "-LOADING Redis is loading the dataset in memory\r\n");
	}
}

static void test_a_resp3_blob_error_is_the_reply(void **state)
{
	(void)state;
	for (size_t m = 1; m < ARRAY_SIZE(every_merge); m++) {
		new_req_for(every_merge[m], 2);
		put(0, good_reply(every_merge[m]));
		put(1, "!21\r\nSYNTAX invalid syntax\r\n");
		all_done();
		expect_reply("!21\r\nSYNTAX invalid syntax\r\n");
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, free_req)
	const struct CMUnitTest tests[] = {
	    T(test_new_request_links_its_fragments),
	    T(test_fragment_done_true_only_for_the_last),
	    T(test_no_fragments_is_done_at_once),
	    T(test_fail_makes_the_error_the_reply),
	    T(test_fail_before_any_fragment_is_sent),
	    T(test_fail_turns_newlines_into_spaces),
	    T(test_none_passes_the_reply_byte_exact),
	    T(test_none_passes_resp3_and_nested_replies),
	    T(test_array_puts_values_back_in_key_order),
	    T(test_array_keeps_resp2_nulls_and_empty_values),
	    T(test_array_keeps_resp3_nulls),
	    T(test_array_of_one_fragment),
	    T(test_array_non_array_reply_is_a_proxy_error),
	    T(test_array_short_of_values_is_a_proxy_error),
	    T(test_sum_adds_integers),
	    T(test_sum_of_negatives),
	    T(test_sum_of_one_fragment),
	    T(test_sum_non_integer_reply_is_a_proxy_error),
	    T(test_ok_gives_ok),
	    T(test_first_gives_fragment_0s_reply),
	    T(test_concat_joins_arrays),
	    T(test_concat_keeps_fragment_order),
	    T(test_concat_of_empty_arrays_is_empty),
	    T(test_concat_non_array_reply_is_a_proxy_error),
	    T(test_an_error_is_the_reply_for_every_merge),
	    T(test_the_first_error_in_fragment_order_wins),
	    T(test_an_error_in_fragment_0_is_the_reply),
	    T(test_a_resp3_blob_error_is_the_reply),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
