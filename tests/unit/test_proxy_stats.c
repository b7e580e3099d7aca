/* proxy_stats_parse: redisha-proxy's INFO text read back by redishad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proxy_stats.h"

static const char INFO[] =
	"# Server\r\nserver:redisha-proxy\r\nunix_time:1000\r\n\r\n"
	"# Clients\r\nconnected_clients:7\r\nmaxclients:10000\r\n\r\n"
	"# Stats\r\ntotal_connections_received:12\r\nrejected_connections:1\r\n"
	"total_commands_processed:99\r\nproxy_error_replies:3\r\n"
	"protocol_errors:2\r\nbackend_failures:4\r\nfailover_aborted_requests:5\r\n\r\n"
	"# Shards\r\nshard_s1:requests=40\r\n"
	"shard_s2:master=198.18.1.21,port=6379,generation=2,state=up,requests=59\r\n\r\n"
	"# Commandstats\r\ncmdstat_get:calls=60,usec=120,usec_per_call=2.00,failed_calls=0\r\n"
	"cmdstat_set:calls=39,usec=90,usec_per_call=2.31,failed_calls=3\r\n\r\n"
	"# Latency\r\nlatency_usec_le_1:0\r\nlatency_usec_le_2:50\r\nlatency_usec_le_inf:99\r\n";

static void test_every_field_read(void **state)
{
	struct proxy_stats ps;

	(void)state;
	proxy_stats_parse(&ps, INFO, 1002);
	assert_true(ps.up);
	assert_int_equal(ps.connected_clients, 7);
	assert_int_equal(ps.connections_received, 12);
	assert_int_equal(ps.rejected_connections, 1);
	assert_int_equal(ps.commands, 99);
	assert_int_equal(ps.error_replies, 3);
	assert_int_equal(ps.protocol_errors, 2);
	assert_int_equal(ps.backend_failures, 4);
	assert_int_equal(ps.failover_aborts, 5);
	assert_int_equal(ps.nshards, 2);
	assert_string_equal(ps.shards[1].name, "s2");
	assert_int_equal(ps.shards[1].requests, 59);
	assert_int_equal(ps.ncmds, 2);
	assert_string_equal(ps.cmds[1].name, "set");
	assert_int_equal(ps.cmds[1].calls, 39);
	assert_int_equal(ps.cmds[1].usec, 90);
	assert_int_equal(ps.cmds[1].failed, 3);
	assert_int_equal(ps.nbuckets, 3);
	assert_int_equal(ps.le_us[1], 2);
	assert_int_equal(ps.le_count[1], 50);
	assert_int_equal(ps.le_us[2], 0); /* +Inf */
	assert_int_equal(ps.le_count[2], 99);
}

static void test_stale_or_empty_is_down(void **state)
{
	struct proxy_stats ps;

	(void)state;
	proxy_stats_parse(&ps, INFO, 1000 + PROXY_STATS_STALE_S + 1);
	assert_false(ps.up);
	proxy_stats_parse(&ps, "", 1000);
	assert_false(ps.up);
	proxy_stats_parse(&ps, "garbage without colons\nunix_time:x\n", 1000);
	assert_false(ps.up);
}

static void test_long_or_odd_lines_ignored(void **state)
{
	char text[2048] = "unix_time:1000\r\ncmdstat_";
	struct proxy_stats ps;

	(void)state;
	memset(text + strlen(text), 'x', 1000);
	strcat(text, ":calls=1\r\nshard_:requests=3\r\ncmdstat_get\r\n");
	proxy_stats_parse(&ps, text, 1000);
	assert_true(ps.up);
	assert_int_equal(ps.ncmds, 0);
	assert_int_equal(ps.nshards, 1); /* an empty name is still a line */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_read),
		cmocka_unit_test(test_stale_or_empty_is_down),
		cmocka_unit_test(test_long_or_odd_lines_ignored),
	};

	return cmocka_run_group_tests_name("proxy_stats", tests, NULL, NULL);
}
