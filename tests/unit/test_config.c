/*
 * Unit tests for the configuration parser (controller/common/config.c and
 * its private config_directives.c, config_lex.c), through config.h: one
 * behaviour per test. Errors are checked as the full "file:line: reason"
 * text an operator would read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* The smallest valid files: the lines a test adds start at line 3 or 4. */
#define HEAD "interface gw0\nvip 198.18.0.100\n"
#define BASE HEAD "proxy-port 6379\n"

static struct config cfg;
static char err[CONFIG_ERR_MAX];
/* Room for generated files: 1025 ACL lines, 65 shards, a too-long line. */
static char text[64 * 1024];
static size_t text_len;

static void expect_ok(const char *conf)
{
	if (config_parse(&cfg, "t.conf", conf, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
}

static void expect_error(const char *conf, const char *want)
{
	int r = config_parse(&cfg, "t.conf", conf, err, sizeof(err));

	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, want);
}

/* Append a formatted line to `text`. */
__attribute__((format(printf, 1, 2))) static void text_add(const char *fmt,
							    ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text + text_len, sizeof(text) - text_len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(text) - text_len);
	text_len += (size_t)n;
}

/* Start `text` over with `start`. */
static void text_reset(const char *start)
{
	text_len = 0;
	text[0] = '\0';
	text_add("%s", start);
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* A temporary file holding `len` bytes of `data`; its path goes to `path`. */
static void write_file(char *path, size_t size, const void *data, size_t len)
{
	int fd;

	assert_true((size_t)snprintf(path, size, "/tmp/test_config.XXXXXX") <
		    size);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* --- the file as a whole --- */

static void test_config_design_example_parses(void **state)
{
	(void)state;
	expect_ok("interface        gw0\n"
		  "vip              198.18.0.100\n"
		  "proxy-port       6379\n"
		  "shard            s1 port 7001\n"
		  "shard            s2 port 7002\n"
		  "shard            s3 port 7003\n"
		  "sentinel         198.18.1.21:26379\n"
		  "sentinel         198.18.1.22:26379\n"
		  "sentinel         198.18.1.23:26379\n"
		  "distribution     slots            # or: ketama fnv1a_64\n"
		  "allow            198.18.0.0/24\n"
		  "requirepass      <secret>\n"
		  "metrics          127.0.0.1:9860\n"
		  "vrrp             vrid 51 priority 150 advert-ms 100\n");
	assert_string_equal(cfg.interfaces[0], "gw0");
	assert_int_equal(cfg.nvips, 1);
	assert_int_equal(cfg.proxy_port, 6379);
	assert_int_equal(cfg.nshards, 3);
	assert_string_equal(cfg.shards[2].name, "s3");
	assert_int_equal(cfg.nsentinels, 3);
	assert_int_equal(cfg.distribution, CONFIG_DIST_SLOTS);
	assert_int_equal(cfg.nacl, 1);
	assert_string_equal(cfg.requirepass, "<secret>");
	assert_true(cfg.has_metrics);
	assert_true(cfg.vrrp.enabled);
}

static void test_config_init_sets_defaults(void **state)
{
	(void)state;
	config_init(&cfg);
	assert_string_equal(cfg.instance, "default");
	assert_int_equal(cfg.ninterfaces, 0);
	assert_int_equal(cfg.xdp_mode, CONFIG_XDP_NATIVE);
	assert_int_equal(cfg.proxy_port, 0);
	assert_int_equal(cfg.distribution, CONFIG_DIST_SLOTS);
	assert_string_equal(cfg.hash_tag, "");
	assert_int_equal(cfg.sentinel_follow, CONFIG_FOLLOW_SWITCH_MASTER);
	assert_int_equal(cfg.reconcile_ms, 1000);
	assert_int_equal(cfg.snat_addr, 0);
	assert_int_equal(cfg.snat_port_min, 10000);
	assert_int_equal(cfg.snat_port_max, 29999);
	assert_int_equal(cfg.flow_timeout_ms, 300000);
	assert_int_equal(cfg.closing_timeout_ms, 10000);
	assert_int_equal(cfg.role, CONFIG_ROLE_ACTIVE);
	assert_int_equal(cfg.deadman_ms, 1000);
	assert_int_equal(cfg.garp_count, 5);
	assert_int_equal(cfg.garp_interval_ms, 200);
	assert_false(cfg.vrrp.enabled);
	assert_true(cfg.vrrp.preempt);
	assert_int_equal(cfg.vrrp.track_sentinel_decrement, 0);
	assert_string_equal(cfg.requirepass, "");
	assert_false(cfg.has_metrics);
	assert_int_equal(cfg.log_level, CONFIG_LOG_INFO);
	assert_false(cfg.log_syslog);
}

static void test_config_parse_stores_path(void **state)
{
	(void)state;
	expect_ok(BASE);
	assert_string_equal(cfg.path, "t.conf");
}

static void test_config_path_too_long_rejected(void **state)
{
	char name[300];
	int r;

	(void)state;
	memset(name, 'p', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	r = config_parse(&cfg, name, BASE, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(err, ": path longer than 255 bytes"));
}

static void test_config_empty_file_rejected(void **state)
{
	(void)state;
	expect_error("", "t.conf: no interface configured");
}

static void test_config_no_interface_rejected(void **state)
{
	(void)state;
	expect_error("vip 198.18.0.100\nproxy-port 6379\n",
		     "t.conf: no interface configured");
}

static void test_config_no_vip_rejected(void **state)
{
	(void)state;
	expect_error("interface gw0\nproxy-port 6379\n",
		     "t.conf: no vip configured");
}

static void test_config_nothing_to_serve_rejected(void **state)
{
	(void)state;
	expect_error(HEAD, "t.conf: no shard and no proxy-port: nothing to serve");
}

static void test_config_shard_only_serves(void **state)
{
	(void)state;
	expect_ok(HEAD "shard s1 port 7001\n");
	assert_int_equal(cfg.proxy_port, 0);
}

/* --- splitting lines into words --- */

static void test_config_blank_and_comment_lines_ignored(void **state)
{
	(void)state;
	expect_ok("\n   \n\t\n# a comment\n   # indented\n" BASE);
}

static void test_config_comment_after_arguments_ignored(void **state)
{
	(void)state;
	expect_ok(BASE "xdp-mode generic # not native\n");
	assert_int_equal(cfg.xdp_mode, CONFIG_XDP_GENERIC);
}

static void test_config_hash_inside_word_is_literal(void **state)
{
	(void)state;
	expect_ok(BASE "requirepass abc#def\n");
	assert_string_equal(cfg.requirepass, "abc#def");
}

static void test_config_tabs_separate_words(void **state)
{
	(void)state;
	expect_ok(HEAD "proxy-port\t\t6379\t\n");
	assert_int_equal(cfg.proxy_port, 6379);
}

static void test_config_quotes_group_blanks(void **state)
{
	(void)state;
	expect_ok(BASE "requirepass \"a b\tc\"\n");
	assert_string_equal(cfg.requirepass, "a b\tc");
}

static void test_config_quotes_unescape(void **state)
{
	(void)state;
	expect_ok(BASE "requirepass \"a\\\"b\\\\c\"\n");
	assert_string_equal(cfg.requirepass, "a\"b\\c");
}

static void test_config_quoted_hash_is_not_comment(void **state)
{
	(void)state;
	expect_ok(BASE "requirepass \"#x\"\n");
	assert_string_equal(cfg.requirepass, "#x");
}

static void test_config_quoted_directive_name(void **state)
{
	(void)state;
	expect_ok(BASE "\"xdp-mode\" generic\n");
	assert_int_equal(cfg.xdp_mode, CONFIG_XDP_GENERIC);
}

static void test_config_unterminated_quote_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass \"abc\n",
		     "t.conf:4: unterminated quote");
}

static void test_config_quote_ending_in_backslash_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass \"abc\\\n",
		     "t.conf:4: unterminated quote");
}

static void test_config_unknown_escape_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass \"a\\nb\"\n",
		     "t.conf:4: unknown escape '\\n' in quotes (only \\\" and \\\\)");
}

static void test_config_text_after_closing_quote_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass \"abc\"def\n",
		     "t.conf:4: closing quote must be followed by a blank");
}

static void test_config_quote_inside_word_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass ab\"c\"\n",
		     "t.conf:4: '\"' inside a word: quote the whole word");
}

static void test_config_crlf_tolerated(void **state)
{
	(void)state;
	expect_ok("interface gw0\r\nvip 198.18.0.100\r\nrequirepass x\r\n"
		  "proxy-port 6379\r\n");
	assert_string_equal(cfg.requirepass, "x");
	assert_int_equal(cfg.proxy_port, 6379);
}

static void test_config_last_line_without_newline(void **state)
{
	(void)state;
	expect_ok(HEAD "proxy-port 6379");
	assert_int_equal(cfg.proxy_port, 6379);
}

static void test_config_line_of_max_length_accepted(void **state)
{
	(void)state;
	text_reset(BASE "#");
	memset(text + text_len, 'x', CONFIG_LINE_MAX - 1);
	text_len += CONFIG_LINE_MAX - 1;
	text_add("\r\n");
	expect_ok(text);
}

static void test_config_line_too_long_rejected(void **state)
{
	(void)state;
	text_reset(BASE "#");
	memset(text + text_len, 'x', CONFIG_LINE_MAX);
	text_len += CONFIG_LINE_MAX;
	text_add("\n");
	expect_error(text, "t.conf:4: line longer than 4096 bytes");
}

static void test_config_too_many_words_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface a b c d e f g h i j k l m n o p\n",
		     "t.conf:4: too many words (at most 16)");
}

/* --- directives in general --- */

static void test_config_unknown_directive_rejected(void **state)
{
	(void)state;
	expect_error(BASE "foo bar\n", "t.conf:4: unknown directive 'foo'");
}

static void test_config_directive_names_case_insensitive(void **state)
{
	(void)state;
	expect_ok("INTERFACE gw0\nVip 198.18.0.100\nProxy-Port 6379\n");
	assert_int_equal(cfg.proxy_port, 6379);
}

static void test_config_keywords_case_insensitive(void **state)
{
	(void)state;
	expect_ok(BASE "xdp-mode GENERIC\nshard s1 PORT 7001\n");
	assert_int_equal(cfg.xdp_mode, CONFIG_XDP_GENERIC);
	assert_int_equal(cfg.shards[0].port, 7001);
}

static void test_config_values_case_sensitive(void **state)
{
	(void)state;
	expect_ok(BASE "instance Gw-A\nshard s1 port 7001\nshard S1 port 7002\n");
	assert_string_equal(cfg.instance, "Gw-A");
	assert_string_equal(cfg.shards[1].name, "S1");
}

static void test_config_missing_argument_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip\n",
		     "t.conf:4: wrong number of arguments (syntax: vip ADDR)");
}

static void test_config_extra_argument_rejected(void **state)
{
	(void)state;
	expect_error(BASE "garp 5 200 7\n",
		     "t.conf:4: wrong number of arguments (syntax: garp COUNT INTERVAL_MS)");
}

static void test_config_repeated_setting_rejected(void **state)
{
	(void)state;
	expect_error(BASE "reconcile-ms 500\nreconcile-ms 600\n",
		     "t.conf:5: duplicate directive 'reconcile-ms' (first on line 4)");
}

static void test_config_error_truncated_with_marker(void **state)
{
	char small[16];
	int r;

	(void)state;
	r = config_parse(&cfg, "t.conf", BASE "foo\n", small, sizeof(small));
	assert_int_equal(r, -EINVAL);
	assert_string_equal(small, "t.conf:4: un...");
}

static void test_config_error_without_buffer(void **state)
{
	char untouched[] = "x";
	int r;

	(void)state;
	r = config_parse(&cfg, "t.conf", BASE "foo\n", untouched, 0);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(untouched, "x");
}

/* --- instance --- */

static void test_config_instance_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "instance edge_1.a-b\n");
	assert_string_equal(cfg.instance, "edge_1.a-b");
}

static void test_config_instance_bad_character_rejected(void **state)
{
	(void)state;
	expect_error(BASE "instance a/b\n",
		     "t.conf:4: instance 'a/b': character '/' not allowed");
}

static void test_config_instance_dotdot_rejected(void **state)
{
	(void)state;
	expect_error(BASE "instance ..\n",
		     "t.conf:4: instance '..': not a valid name");
}

static void test_config_instance_empty_rejected(void **state)
{
	(void)state;
	expect_error(BASE "instance \"\"\n", "t.conf:4: instance '': empty name");
}

static void test_config_instance_63_characters_accepted(void **state)
{
	(void)state;
	text_reset(BASE "instance ");
	memset(text + text_len, 'i', CONFIG_INSTANCE_MAX - 1);
	text_len += CONFIG_INSTANCE_MAX - 1;
	text_add("\n");
	expect_ok(text);
	assert_int_equal(strlen(cfg.instance), CONFIG_INSTANCE_MAX - 1);
}

static void test_config_instance_too_long_rejected(void **state)
{
	(void)state;
	expect_error(BASE "instance 0123456789012345678901234567890123456789012345678901234567890123\n",
		     "t.conf:4: instance '0123456789012345678901234567890123456789012345678901234567890123': longer than 63 characters");
}

/* --- interface --- */

static void test_config_interface_several_names(void **state)
{
	(void)state;
	expect_ok(BASE "interface eth1 eth2.100\ninterface veth-x\n");
	assert_int_equal(cfg.ninterfaces, 4);
	assert_string_equal(cfg.interfaces[0], "gw0");
	assert_string_equal(cfg.interfaces[1], "eth1");
	assert_string_equal(cfg.interfaces[2], "eth2.100");
	assert_string_equal(cfg.interfaces[3], "veth-x");
}

static void test_config_interface_duplicate_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface eth1 gw0\n",
		     "t.conf:4: duplicate interface 'gw0' (first on line 1)");
}

static void test_config_interface_too_many_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface a b c d e f g h\n",
		     "t.conf:4: too many interfaces (at most 8)");
}

static void test_config_interface_15_characters_accepted(void **state)
{
	(void)state;
	expect_ok(BASE "interface abcdefghijklmno\n");
	assert_string_equal(cfg.interfaces[1], "abcdefghijklmno");
}

static void test_config_interface_too_long_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface abcdefghijklmnop\n",
		     "t.conf:4: interface 'abcdefghijklmnop': longer than 15 characters");
}

static void test_config_interface_slash_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface a/b\n",
		     "t.conf:4: interface 'a/b': character '/' not allowed");
}

static void test_config_interface_blank_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface \"a b\"\n",
		     "t.conf:4: interface 'a b': character ' ' not allowed");
}

static void test_config_interface_dot_rejected(void **state)
{
	(void)state;
	expect_error(BASE "interface .\n",
		     "t.conf:4: interface '.': not a valid name");
}

/* --- xdp-mode --- */

static void test_config_xdp_mode_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "xdp-mode native\n");
	assert_int_equal(cfg.xdp_mode, CONFIG_XDP_NATIVE);
}

static void test_config_xdp_mode_unknown_rejected(void **state)
{
	(void)state;
	expect_error(BASE "xdp-mode offload\n",
		     "t.conf:4: xdp-mode 'offload': expected native|generic");
}

/* --- vip --- */

static void test_config_vip_parsed_in_network_order(void **state)
{
	(void)state;
	expect_ok(BASE "vip 198.18.0.101\n");
	assert_int_equal(cfg.nvips, 2);
	assert_int_equal(cfg.vips[0], ip("198.18.0.100"));
	assert_int_equal(cfg.vips[1], ip("198.18.0.101"));
	assert_int_equal(((const uint8_t *)&cfg.vips[1])[3], 101);
}

static void test_config_vip_not_an_address_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 198.18.0\n",
		     "t.conf:4: vip '198.18.0': not an IPv4 address");
}

static void test_config_vip_leading_zero_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 198.018.0.1\n",
		     "t.conf:4: vip '198.018.0.1': not an IPv4 address");
}

static void test_config_vip_ipv6_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 2001:db8::1\n",
		     "t.conf:4: vip '2001:db8::1': IPv6 is not supported yet");
}

static void test_config_vip_unspecified_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 0.0.0.0\n",
		     "t.conf:4: vip '0.0.0.0': unspecified address");
}

static void test_config_vip_broadcast_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 255.255.255.255\n",
		     "t.conf:4: vip '255.255.255.255': broadcast address");
}

static void test_config_vip_multicast_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 239.1.2.3\n",
		     "t.conf:4: vip '239.1.2.3': multicast address");
}

static void test_config_vip_duplicate_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vip 198.18.0.100\n",
		     "t.conf:4: duplicate vip '198.18.0.100' (first on line 2)");
}

static void test_config_vip_too_many_rejected(void **state)
{
	(void)state;
	text_reset(BASE);
	for (int i = 1; i <= RH_MAX_VIPS; i++)
		text_add("vip 198.18.0.%d\n", i);
	expect_error(text, "t.conf:11: too many vips (at most 8)");
}

/* --- proxy-port and numbers --- */

static void test_config_proxy_port_parsed(void **state)
{
	(void)state;
	expect_ok(HEAD "proxy-port 65535\n");
	assert_int_equal(cfg.proxy_port, 65535);
}

static void test_config_proxy_port_zero_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port 0\n",
		     "t.conf:3: proxy-port '0': out of range 1..65535");
}

static void test_config_proxy_port_too_big_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port 65536\n",
		     "t.conf:3: proxy-port '65536': out of range 1..65535");
}

static void test_config_number_with_sign_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port +6379\n",
		     "t.conf:3: proxy-port '+6379': not a number");
}

static void test_config_number_with_trailing_garbage_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port 6379x\n",
		     "t.conf:3: proxy-port '6379x': not a number");
}

static void test_config_number_overflow_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port 4294967302\n",
		     "t.conf:3: proxy-port '4294967302': out of range 1..65535");
}

static void test_config_number_hex_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "proxy-port 0x18eb\n",
		     "t.conf:3: proxy-port '0x18eb': not a number");
}

/* --- shard --- */

static void test_config_shard_parsed(void **state)
{
	const struct config_shard *s;

	(void)state;
	expect_ok(BASE "distribution ketama fnv1a_64\n"
		       "shard cache-1 port 7001 weight 3\n");
	s = &cfg.shards[0];
	assert_string_equal(s->name, "cache-1");
	assert_int_equal(s->port, 7001);
	assert_int_equal(s->weight, 3);
	assert_false(s->has_slots);
	assert_int_equal(s->line, 5);
}

static void test_config_shard_weight_defaults_to_1(void **state)
{
	(void)state;
	expect_ok(BASE "shard s1 port 7001\n");
	assert_int_equal(cfg.shards[0].weight, 1);
}

static void test_config_shard_slots_parsed(void **state)
{
	const struct config_shard *s;

	(void)state;
	expect_ok(BASE "shard s1 port 7001 slots 0-16383\n");
	s = &cfg.shards[0];
	assert_true(s->has_slots);
	assert_int_equal(s->slot_first, 0);
	assert_int_equal(s->slot_last, 16383);
}

static void test_config_shard_weight_and_slots_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "shard s1 port 7001 weight 1 slots 0-16383\n");
	assert_true(cfg.shards[0].has_slots);
}

static void test_config_shard_missing_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1\n",
		     "t.conf:4: wrong number of arguments (syntax: shard NAME port PORT [weight N] [slots FIRST-LAST] [master ADDR:PORT])");
}

static void test_config_shard_misspelt_keyword_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 prot 7001\n",
		     "t.conf:4: unexpected 'prot' (syntax: shard NAME port PORT [weight N] [slots FIRST-LAST] [master ADDR:PORT])");
}

static void test_config_shard_options_out_of_order_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-16383 weight 2\n",
		     "t.conf:4: unexpected 'weight' (syntax: shard NAME port PORT [weight N] [slots FIRST-LAST] [master ADDR:PORT])");
}

static void test_config_shard_option_without_value_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 weight\n",
		     "t.conf:4: unexpected 'weight' (syntax: shard NAME port PORT [weight N] [slots FIRST-LAST] [master ADDR:PORT])");
}

static void test_config_shard_bad_name_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s:1 port 7001\n",
		     "t.conf:4: shard 's:1': character ':' not allowed");
}

static void test_config_shard_bad_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 70000\n",
		     "t.conf:4: shard port '70000': out of range 1..65535");
}

static void test_config_shard_duplicate_name_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001\nshard s1 port 7002\n",
		     "t.conf:5: duplicate shard 's1' (first on line 4)");
}

static void test_config_shard_duplicate_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001\nshard s2 port 7001\n",
		     "t.conf:5: shard 's2' port 7001 already used by shard 's1' (line 4)");
}

static void test_config_shard_port_equal_proxy_port_rejected(void **state)
{
	(void)state;
	expect_error(HEAD "shard s1 port 6379\nproxy-port 6379\n",
		     "t.conf:3: shard 's1' port 6379 clashes with proxy-port on line 4");
}

static void test_config_shard_weight_zero_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 weight 0\n",
		     "t.conf:4: shard weight '0': out of range 1..1000000");
}

static void test_config_shard_weight_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 weight 1000001\n",
		     "t.conf:4: shard weight '1000001': out of range 1..1000000");
}

static void test_config_shard_weight_needs_ketama(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 weight 2\n",
		     "t.conf:4: shard 's1': weight applies only to distribution ketama and modula");
	expect_ok(BASE "distribution modula crc32\nshard s1 port 7001 weight 2\n");
	assert_int_equal(cfg.shards[0].weight, 2);
}

static void test_config_shard_slots_need_slots_distribution(void **state)
{
	(void)state;
	expect_error(BASE "distribution ketama md5\n"
			  "shard s1 port 7001 slots 0-16383\n",
		     "t.conf:5: shard 's1': slots apply only to distribution slots");
	expect_error(BASE "shard s1 port 7001 slots 0-16383\n"
			  "distribution modula md5\n",
		     "t.conf:4: shard 's1': slots apply only to distribution slots");
}

static void test_config_shard_slots_reversed_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 10-5\n",
		     "t.conf:4: shard slots '10-5': first is greater than last");
}

static void test_config_shard_slots_out_of_range_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-16384\n",
		     "t.conf:4: shard slots '0-16384': out of range 0..16383");
}

static void test_config_shard_slots_not_a_range_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 5\n",
		     "t.conf:4: shard slots '5': expected FIRST-LAST");
}

static void test_config_shard_slots_negative_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots -1-5\n",
		     "t.conf:4: shard slots '-1-5': expected FIRST-LAST");
}

static void test_config_shard_too_many_rejected(void **state)
{
	(void)state;
	text_reset(BASE);
	for (int i = 0; i <= RH_MAX_SHARDS; i++)
		text_add("shard s%d port %d\n", i, 7000 + i);
	expect_error(text, "t.conf:68: too many shards (at most 64)");
}

/* --- slot coverage and the even split --- */

static void test_config_slots_tiling_accepted_in_any_order(void **state)
{
	uint16_t first, last;

	(void)state;
	expect_ok(BASE "shard s2 port 7002 slots 100-16383\n"
		       "shard s1 port 7001 slots 0-99\n");
	config_shard_slots(&cfg, 1, &first, &last);
	assert_int_equal(first, 0);
	assert_int_equal(last, 99);
}

static void test_config_slots_gap_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-99\n"
			  "shard s2 port 7002 slots 200-16383\n",
		     "t.conf: slots 100-199 are not assigned to any shard");
}

static void test_config_slots_start_uncovered_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 1-16383\n",
		     "t.conf: slots 0-0 are not assigned to any shard");
}

static void test_config_slots_end_uncovered_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-16000\n",
		     "t.conf: slots 16001-16383 are not assigned to any shard");
}

static void test_config_slots_overlap_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-8191\n"
			  "shard s2 port 7002 slots 8192-16383\n"
			  "shard s3 port 7003 slots 8000-8100\n",
		     "t.conf:6: shard 's3' slots 8000-8100 overlap shard 's1' (line 4)");
}

static void test_config_slots_on_some_shards_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 slots 0-16383\n"
			  "shard s2 port 7002\n",
		     "t.conf:5: shard 's2' has no slots but shard 's1' (line 4) has: give slots to every shard or none");
}

static void test_config_even_split_three_shards(void **state)
{
	static const uint16_t want[3][2] = {
		{ 0, 5460 }, { 5461, 10922 }, { 10923, 16383 }
	};
	uint16_t first, last;

	(void)state;
	expect_ok(BASE "shard a port 7001\nshard b port 7002\nshard c port 7003\n");
	for (size_t i = 0; i < 3; i++) {
		config_shard_slots(&cfg, i, &first, &last);
		assert_int_equal(first, want[i][0]);
		assert_int_equal(last, want[i][1]);
	}
}

static void test_config_even_split_one_shard_takes_all(void **state)
{
	uint16_t first, last;

	(void)state;
	expect_ok(BASE "shard a port 7001\n");
	config_shard_slots(&cfg, 0, &first, &last);
	assert_int_equal(first, 0);
	assert_int_equal(last, CONFIG_SLOTS - 1);
}

static void test_config_even_split_max_shards_tiles(void **state)
{
	uint16_t first, last;
	uint32_t next = 0;

	(void)state;
	text_reset(BASE);
	for (int i = 0; i < RH_MAX_SHARDS; i++)
		text_add("shard s%d port %d\n", i, 7000 + i);
	expect_ok(text);
	for (size_t i = 0; i < RH_MAX_SHARDS; i++) {
		config_shard_slots(&cfg, i, &first, &last);
		assert_int_equal(first, next);
		/* 16384 / 64 = 256 exactly: every share is the same. */
		assert_int_equal(last - first + 1,
				 CONFIG_SLOTS / RH_MAX_SHARDS);
		next = last + 1u;
	}
	assert_int_equal(next, CONFIG_SLOTS);
}

/* --- distribution --- */

static void test_config_distribution_slots_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "distribution slots\n");
	assert_int_equal(cfg.distribution, CONFIG_DIST_SLOTS);
}

static void test_config_distribution_ketama_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "distribution ketama murmur\n");
	assert_int_equal(cfg.distribution, CONFIG_DIST_KETAMA);
	assert_int_equal(cfg.hash, CONFIG_HASH_MURMUR);
}

static void test_config_distribution_modula_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "distribution MODULA Jenkins\n");
	assert_int_equal(cfg.distribution, CONFIG_DIST_MODULA);
	assert_int_equal(cfg.hash, CONFIG_HASH_JENKINS);
}

static void test_config_hash_names_round_trip(void **state)
{
	(void)state;
	for (int h = 0; h <= CONFIG_HASH_ONE_AT_A_TIME; h++) {
		const char *name = config_hash_name(h);

		assert_non_null(name);
		text_reset(BASE);
		text_add("distribution ketama %s\n", name);
		expect_ok(text);
		assert_int_equal(cfg.hash, h);
	}
}

static void test_config_hash_name_out_of_range_is_null(void **state)
{
	(void)state;
	assert_null(config_hash_name(CONFIG_HASH_ONE_AT_A_TIME + 1));
}

static void test_config_hash_names_are_twemproxy_names(void **state)
{
	(void)state;
	assert_string_equal(config_hash_name(CONFIG_HASH_FNV1A_64), "fnv1a_64");
	assert_string_equal(config_hash_name(CONFIG_HASH_ONE_AT_A_TIME),
			    "one_at_a_time");
}

static void test_config_distribution_ketama_needs_hash(void **state)
{
	(void)state;
	expect_error(BASE "distribution ketama\n",
		     "t.conf:4: wrong number of arguments (syntax: distribution slots|ketama HASH|modula HASH)");
	expect_error(BASE "distribution modula\n",
		     "t.conf:4: wrong number of arguments (syntax: distribution slots|ketama HASH|modula HASH)");
}

static void test_config_distribution_slots_takes_no_hash(void **state)
{
	(void)state;
	expect_error(BASE "distribution slots md5\n",
		     "t.conf:4: wrong number of arguments (syntax: distribution slots|ketama HASH|modula HASH)");
}

static void test_config_distribution_unknown_rejected(void **state)
{
	(void)state;
	/* nutcracker's third, random, has no place where keys must stay put */
	expect_error(BASE "distribution random\n",
		     "t.conf:4: distribution 'random': expected slots|ketama|modula");
}

static void test_config_distribution_unknown_hash_rejected(void **state)
{
	(void)state;
	expect_error(BASE "distribution ketama sha1\n",
		     "t.conf:4: ketama hash 'sha1': expected fnv1a_64|fnv1_64|fnv1a_32|fnv1_32|md5|crc16|crc32|crc32a|hsieh|murmur|jenkins|one_at_a_time");
	expect_error(BASE "distribution modula sha1\n",
		     "t.conf:4: modula hash 'sha1': expected fnv1a_64|fnv1_64|fnv1a_32|fnv1_32|md5|crc16|crc32|crc32a|hsieh|murmur|jenkins|one_at_a_time");
}

/* --- hash-tag --- */

static void test_config_hash_tag_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "distribution ketama fnv1a_64\nhash-tag \"{}\"\n");
	assert_string_equal(cfg.hash_tag, "{}");
	/* unquoted, any two characters, before the distribution */
	expect_ok(BASE "hash-tag $$\ndistribution modula md5\n");
	assert_string_equal(cfg.hash_tag, "$$");
	/* a '#' that starts a word needs the quotes */
	expect_ok(BASE "distribution modula md5\nhash-tag \"#|\"\n");
	assert_string_equal(cfg.hash_tag, "#|");
}

static void test_config_hash_tag_needs_two_characters(void **state)
{
	(void)state;
	expect_error(BASE "distribution ketama md5\nhash-tag {\n",
		     "t.conf:5: hash-tag '{': expected two characters, such as \"{}\"");
	expect_error(BASE "distribution ketama md5\nhash-tag \"{{}\"\n",
		     "t.conf:5: hash-tag '{{}': expected two characters, such as \"{}\"");
	expect_error(BASE "distribution ketama md5\nhash-tag \"\"\n",
		     "t.conf:5: hash-tag '': expected two characters, such as \"{}\"");
	expect_error(BASE "distribution ketama md5\nhash-tag\n",
		     "t.conf:5: wrong number of arguments (syntax: hash-tag XY)");
}

static void test_config_hash_tag_once(void **state)
{
	(void)state;
	expect_error(BASE "distribution ketama md5\nhash-tag {}\nhash-tag <>\n",
		     "t.conf:6: duplicate directive 'hash-tag' (first on line 5)");
}

static void test_config_hash_tag_refused_with_slots(void **state)
{
	(void)state;
	expect_error(BASE "hash-tag {}\n",
		     "t.conf:4: hash-tag applies only to distribution ketama and modula (slots hash the {...} part of a key as Redis Cluster does)");
	expect_error(BASE "hash-tag {}\ndistribution slots\n",
		     "t.conf:4: hash-tag applies only to distribution ketama and modula (slots hash the {...} part of a key as Redis Cluster does)");
}

/* --- sentinel --- */

static void test_config_sentinel_parsed_in_network_order(void **state)
{
	(void)state;
	expect_ok(BASE "sentinel 198.18.1.21:26379\nsentinel 198.18.1.21:26380\n");
	assert_int_equal(cfg.nsentinels, 2);
	assert_int_equal(cfg.sentinels[0].addr, ip("198.18.1.21"));
	assert_int_equal(cfg.sentinels[0].port, htons(26379));
	assert_int_equal(cfg.sentinels[1].port, htons(26380));
}

static void test_config_sentinel_without_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel 198.18.1.21\n",
		     "t.conf:4: sentinel '198.18.1.21': expected ADDR:PORT");
}

static void test_config_sentinel_port_zero_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel 198.18.1.21:0\n",
		     "t.conf:4: port '0': out of range 1..65535");
}

static void test_config_sentinel_bad_address_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel sentinel-1:26379\n",
		     "t.conf:4: sentinel 'sentinel-1': not an IPv4 address");
}

static void test_config_sentinel_ipv6_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel ::1:26379\n",
		     "t.conf:4: sentinel '::1': IPv6 is not supported yet");
}

static void test_config_sentinel_unspecified_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel 0.0.0.0:26379\n",
		     "t.conf:4: sentinel '0.0.0.0': unspecified address");
}

static void test_config_sentinel_duplicate_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel 198.18.1.21:26379\nsentinel 198.18.1.21:26379\n",
		     "t.conf:5: duplicate sentinel '198.18.1.21:26379' (first on line 4)");
}

static void test_config_sentinel_too_many_rejected(void **state)
{
	(void)state;
	text_reset(BASE);
	for (int i = 0; i <= CONFIG_MAX_SENTINELS; i++)
		text_add("sentinel 198.18.1.%d:26379\n", i + 1);
	expect_error(text, "t.conf:20: too many sentinels (at most 16)");
}

/* --- sentinel-follow, reconcile-ms --- */

static void test_config_sentinel_follow_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "sentinel-follow promoted\n");
	assert_int_equal(cfg.sentinel_follow, CONFIG_FOLLOW_PROMOTED);
}

static void test_config_sentinel_follow_unknown_rejected(void **state)
{
	(void)state;
	expect_error(BASE "sentinel-follow odown\n",
		     "t.conf:4: sentinel-follow 'odown': expected switch-master|promoted");
}

static void test_config_reconcile_ms_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "reconcile-ms 3600000\n");
	assert_int_equal(cfg.reconcile_ms, 3600000);
}

static void test_config_reconcile_ms_too_small_rejected(void **state)
{
	(void)state;
	expect_error(BASE "reconcile-ms 9\n",
		     "t.conf:4: reconcile-ms '9': out of range 10..3600000");
}

static void test_config_reconcile_ms_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "reconcile-ms 3600001\n",
		     "t.conf:4: reconcile-ms '3600001': out of range 10..3600000");
}

/* --- allow, deny --- */

static void test_config_acl_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "allow 198.18.0.0/15\ndeny 198.18.7.0/24\n");
	assert_int_equal(cfg.nacl, 2);
	assert_int_equal(cfg.acl[0].addr, ip("198.18.0.0"));
	assert_int_equal(cfg.acl[0].len, 15);
	assert_int_equal(cfg.acl[0].action, RH_ACL_ALLOW);
	assert_int_equal(cfg.acl[1].addr, ip("198.18.7.0"));
	assert_int_equal(cfg.acl[1].len, 24);
	assert_int_equal(cfg.acl[1].action, RH_ACL_DENY);
}

static void test_config_acl_bare_address_is_host(void **state)
{
	(void)state;
	expect_ok(BASE "deny 198.18.0.7\n");
	assert_int_equal(cfg.acl[0].addr, ip("198.18.0.7"));
	assert_int_equal(cfg.acl[0].len, 32);
}

static void test_config_acl_default_route_accepted(void **state)
{
	(void)state;
	expect_ok(BASE "deny 0.0.0.0/0\n");
	assert_int_equal(cfg.acl[0].addr, 0);
	assert_int_equal(cfg.acl[0].len, 0);
}

static void test_config_acl_host_bits_rejected(void **state)
{
	(void)state;
	expect_error(BASE "allow 198.18.0.1/24\n",
		     "t.conf:4: allow '198.18.0.1/24': host bits set (did you mean 198.18.0.0/24?)");
}

static void test_config_acl_host_bits_with_short_prefix_rejected(void **state)
{
	(void)state;
	expect_error(BASE "deny 198.19.0.0/15\n",
		     "t.conf:4: deny '198.19.0.0/15': host bits set (did you mean 198.18.0.0/15?)");
}

static void test_config_acl_prefix_length_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "allow 198.18.0.0/33\n",
		     "t.conf:4: prefix length '33': out of range 0..32");
}

static void test_config_acl_empty_prefix_length_rejected(void **state)
{
	(void)state;
	expect_error(BASE "allow 198.18.0.0/\n",
		     "t.conf:4: prefix length '': not a number");
}

static void test_config_acl_bad_address_rejected(void **state)
{
	(void)state;
	expect_error(BASE "deny 198.18.0/24\n",
		     "t.conf:4: deny '198.18.0': not an IPv4 address");
}

static void test_config_acl_same_prefix_twice_rejected(void **state)
{
	(void)state;
	expect_error(BASE "allow 198.18.0.0/24\ndeny 198.18.0.0/24\n",
		     "t.conf:5: duplicate prefix '198.18.0.0/24' (first on line 4)");
}

static void test_config_acl_same_address_other_length_accepted(void **state)
{
	(void)state;
	expect_ok(BASE "allow 198.18.0.0/16\ndeny 198.18.0.0/24\n");
	assert_int_equal(cfg.nacl, 2);
}

static void test_config_acl_too_many_rejected(void **state)
{
	(void)state;
	text_reset(BASE);
	for (int i = 0; i <= RH_MAX_ACL_RULES; i++)
		text_add("allow 198.18.%d.%d\n", i >> 8, i & 0xff);
	expect_error(text, "t.conf:1028: too many allow/deny rules (at most 1024)");
}

/* --- snat-address, snat-ports --- */

static void test_config_snat_address_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "snat-address 198.18.2.1\n");
	assert_int_equal(cfg.snat_addr, ip("198.18.2.1"));
}

static void test_config_snat_address_unspecified_rejected(void **state)
{
	(void)state;
	expect_error(BASE "snat-address 0.0.0.0\n",
		     "t.conf:4: snat-address '0.0.0.0': unspecified address");
}

static void test_config_snat_ports_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "snat-ports 1024-65535\n");
	assert_int_equal(cfg.snat_port_min, 1024);
	assert_int_equal(cfg.snat_port_max, 65535);
}

/*
 * The kernel's default ip_local_port_range, where the gateway's own sockets
 * to the masters and Sentinels take their source ports.
 */
#define LOCAL_PORT_FIRST 32768
#define LOCAL_PORT_LAST 60999

static void test_config_snat_ports_default_below_local_port_range(void **state)
{
	(void)state;
	config_init(&cfg);
	assert_true(cfg.snat_port_min <= cfg.snat_port_max);
	assert_true(cfg.snat_port_max < LOCAL_PORT_FIRST);
}

/* No check: an operator may have moved ip_local_port_range elsewhere. */
static void test_config_snat_ports_overlapping_local_port_range_accepted(void **state)
{
	(void)state;
	expect_ok(BASE "snat-ports 32768-60999\n");
	assert_int_equal(cfg.snat_port_min, LOCAL_PORT_FIRST);
	assert_int_equal(cfg.snat_port_max, LOCAL_PORT_LAST);
}

static void test_config_snat_ports_privileged_rejected(void **state)
{
	(void)state;
	expect_error(BASE "snat-ports 1023-2000\n",
		     "t.conf:4: snat-ports '1023-2000': out of range 1024..65535");
}

static void test_config_snat_ports_reversed_rejected(void **state)
{
	(void)state;
	expect_error(BASE "snat-ports 60999-32768\n",
		     "t.conf:4: snat-ports '60999-32768': first is greater than last");
}

static void test_config_snat_ports_trailing_garbage_rejected(void **state)
{
	(void)state;
	expect_error(BASE "snat-ports 2000-3000x\n",
		     "t.conf:4: snat-ports '2000-3000x': expected FIRST-LAST");
}

/* --- timeouts --- */

static void test_config_flow_timeouts_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "flow-timeout-ms 86400000\nclosing-timeout-ms 100\n");
	assert_int_equal(cfg.flow_timeout_ms, 86400000);
	assert_int_equal(cfg.closing_timeout_ms, 100);
}

static void test_config_flow_timeout_too_small_rejected(void **state)
{
	(void)state;
	expect_error(BASE "flow-timeout-ms 99\n",
		     "t.conf:4: flow-timeout-ms '99': out of range 100..86400000");
}

static void test_config_closing_timeout_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "closing-timeout-ms 86400001\n",
		     "t.conf:4: closing-timeout-ms '86400001': out of range 100..86400000");
}

/* --- role, deadman-ms, garp --- */

static void test_config_role_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "role backup\n");
	assert_int_equal(cfg.role, CONFIG_ROLE_BACKUP);
}

static void test_config_role_unknown_rejected(void **state)
{
	(void)state;
	expect_error(BASE "role master\n",
		     "t.conf:4: role 'master': expected active|backup");
}

static void test_config_deadman_ms_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "deadman-ms 50\n");
	assert_int_equal(cfg.deadman_ms, 50);
}

static void test_config_deadman_ms_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "deadman-ms 60001\n",
		     "t.conf:4: deadman-ms '60001': out of range 50..60000");
}

static void test_config_garp_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "garp 0 10000\n");
	assert_int_equal(cfg.garp_count, 0);
	assert_int_equal(cfg.garp_interval_ms, 10000);
}

static void test_config_garp_count_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "garp 101 200\n",
		     "t.conf:4: garp count '101': out of range 0..100");
}

static void test_config_garp_interval_too_small_rejected(void **state)
{
	(void)state;
	expect_error(BASE "garp 5 9\n",
		     "t.conf:4: garp interval '9': out of range 10..10000");
}

/* --- vrrp, vrrp-peer, vrrp-track-sentinel --- */

static void test_config_vrrp_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "vrrp vrid 255 priority 1 advert-ms 40950\n");
	assert_true(cfg.vrrp.enabled);
	assert_int_equal(cfg.vrrp.vrid, 255);
	assert_int_equal(cfg.vrrp.priority, 1);
	assert_int_equal(cfg.vrrp.advert_ms, 40950);
	assert_true(cfg.vrrp.preempt);
}

static void test_config_vrrp_nopreempt_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "vrrp vrid 1 priority 255 advert-ms 10 nopreempt\n");
	assert_false(cfg.vrrp.preempt);
}

static void test_config_vrrp_keywords_out_of_order_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp priority 150 vrid 51 advert-ms 100\n",
		     "t.conf:4: unexpected 'priority' (syntax: vrrp vrid N priority P advert-ms M [nopreempt])");
}

static void test_config_vrrp_unknown_flag_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp vrid 51 priority 150 advert-ms 100 preempt\n",
		     "t.conf:4: unexpected 'preempt' (syntax: vrrp vrid N priority P advert-ms M [nopreempt])");
}

static void test_config_vrrp_vrid_zero_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp vrid 0 priority 150 advert-ms 100\n",
		     "t.conf:4: vrrp vrid '0': out of range 1..255");
}

static void test_config_vrrp_priority_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp vrid 51 priority 256 advert-ms 100\n",
		     "t.conf:4: vrrp priority '256': out of range 1..255");
}

static void test_config_vrrp_advert_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp vrid 51 priority 150 advert-ms 40960\n",
		     "t.conf:4: vrrp advert-ms '40960': out of range 10..40950");
}

static void test_config_vrrp_advert_not_centiseconds_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp vrid 51 priority 150 advert-ms 105\n",
		     "t.conf:4: vrrp advert-ms '105': not a multiple of 10 (VRRP counts centiseconds)");
}

static void test_config_vrrp_peer_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "vrrp-peer 198.18.0.2\nvrrp vrid 51 priority 150 advert-ms 100\n"
		       "vrrp-peer 198.18.0.3\n");
	assert_int_equal(cfg.vrrp.npeers, 2);
	assert_int_equal(cfg.vrrp.peers[0], ip("198.18.0.2"));
	assert_int_equal(cfg.vrrp.peers[1], ip("198.18.0.3"));
}

static void test_config_vrrp_peer_duplicate_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp-peer 198.18.0.2\nvrrp-peer 198.18.0.2\n",
		     "t.conf:5: duplicate vrrp-peer '198.18.0.2' (first on line 4)");
}

static void test_config_vrrp_peer_multicast_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp-peer 224.0.0.18\n",
		     "t.conf:4: vrrp-peer '224.0.0.18': multicast address");
}

static void test_config_vrrp_peer_too_many_rejected(void **state)
{
	(void)state;
	text_reset(BASE);
	for (int i = 0; i <= CONFIG_MAX_VRRP_PEERS; i++)
		text_add("vrrp-peer 198.18.0.%d\n", i + 1);
	expect_error(text, "t.conf:12: too many vrrp-peers (at most 8)");
}

static void test_config_vrrp_peer_without_vrrp_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp-peer 198.18.0.2\n",
		     "t.conf:4: vrrp-peer without vrrp");
}

static void test_config_role_with_vrrp_rejected(void **state)
{
	(void)state;
	expect_error(BASE "role active\n"
			  "vrrp vrid 51 priority 150 advert-ms 100\n",
		     "t.conf:4: role and vrrp: VRRP elects the active gateway, remove role");
}

static void test_config_vrrp_track_sentinel_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "vrrp vrid 51 priority 150 advert-ms 100\n"
		       "vrrp-track-sentinel 254\n");
	assert_int_equal(cfg.vrrp.track_sentinel_decrement, 254);
}

static void test_config_vrrp_track_sentinel_too_big_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp-track-sentinel 255\n",
		     "t.conf:4: vrrp-track-sentinel '255': out of range 1..254");
}

static void test_config_vrrp_track_sentinel_without_vrrp_rejected(void **state)
{
	(void)state;
	expect_error(BASE "vrrp-track-sentinel 50\n",
		     "t.conf:4: vrrp-track-sentinel without vrrp");
}

/* --- requirepass, metrics, logging --- */

static void test_config_requirepass_longest_accepted(void **state)
{
	(void)state;
	text_reset(BASE "requirepass ");
	memset(text + text_len, 's', CONFIG_PASSWORD_MAX - 1);
	text_len += CONFIG_PASSWORD_MAX - 1;
	text_add("\n");
	expect_ok(text);
	assert_int_equal(strlen(cfg.requirepass), CONFIG_PASSWORD_MAX - 1);
}

static void test_config_requirepass_too_long_rejected_without_echo(void **state)
{
	(void)state;
	text_reset(BASE "requirepass ");
	memset(text + text_len, 's', CONFIG_PASSWORD_MAX);
	text_len += CONFIG_PASSWORD_MAX;
	text_add("\n");
	expect_error(text, "t.conf:4: requirepass: longer than 511 bytes");
}

static void test_config_requirepass_empty_rejected(void **state)
{
	(void)state;
	expect_error(BASE "requirepass \"\"\n",
		     "t.conf:4: requirepass: empty password");
}

static void test_config_metrics_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "metrics 0.0.0.0:9860\n");
	assert_true(cfg.has_metrics);
	assert_int_equal(cfg.metrics.addr, 0);
	assert_int_equal(cfg.metrics.port, htons(9860));
}

static void test_config_metrics_bad_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "metrics 127.0.0.1:http\n",
		     "t.conf:4: port 'http': not a number");
}

static void test_config_proxy_defaults(void **state)
{
	(void)state;
	expect_ok(BASE);
	assert_int_equal(cfg.nproxy_listen, 0);
	assert_int_equal(cfg.proxy_threads, 0);
	assert_int_equal(cfg.proxy_server_connections, 1);
	assert_int_equal(cfg.proxy_max_clients, 10000);
	assert_int_equal(cfg.proxy_connect_timeout_ms, 1000);
	assert_int_equal(cfg.proxy_timeout_ms, 5000);
	assert_int_equal(cfg.proxy_client_timeout, 0);
	assert_int_equal(cfg.proxy_client_output_limit, 1024u * 1024 * 1024);
	assert_int_equal(cfg.nusers, 0);
	assert_string_equal(cfg.masterauth, "");
	assert_int_equal(cfg.proto_max_bulk_len, 512u * 1024 * 1024);
	assert_false(cfg.proxy_allow_admin);
	assert_false(cfg.proxy_allow_keys);
}

static void test_config_proxy_directives_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "proxy-listen 127.0.0.1:16379\n"
		       "proxy-listen 0.0.0.0:6380\n"
		       "proxy-threads 4\n"
		       "proxy-server-connections 2\n"
		       "proxy-max-clients 50\n"
		       "proxy-connect-timeout-ms 250\n"
		       "proto-max-bulk-len 1048576\n"
		       "proxy-allow-admin yes\n"
		       "proxy-allow-keys yes\n"
		       "proxy-timeout-ms 0\n"
		       "proxy-wait-replicas 1 250\n"
		       "proxy-client-timeout 300\n"
		       "proxy-client-output-limit 2097152\n"
		       "masteruser fleet\n"
		       "masterauth fleetpw\n"
		       "user app on >pw1\n"
		       "user old off >pw2\n");
	assert_int_equal(cfg.nproxy_listen, 2);
	assert_int_equal(cfg.proxy_listen[0].addr, htonl(0x7f000001));
	assert_int_equal(cfg.proxy_listen[0].port, htons(16379));
	assert_int_equal(cfg.proxy_listen[1].addr, 0);
	assert_int_equal(cfg.proxy_threads, 4);
	assert_int_equal(cfg.proxy_server_connections, 2);
	assert_int_equal(cfg.proxy_max_clients, 50);
	assert_int_equal(cfg.proxy_connect_timeout_ms, 250);
	assert_int_equal(cfg.proto_max_bulk_len, 1048576);
	assert_true(cfg.proxy_allow_admin);
	assert_true(cfg.proxy_allow_keys);
	assert_int_equal(cfg.proxy_timeout_ms, 0);
	assert_int_equal(cfg.proxy_wait_replicas, 1);
	assert_int_equal(cfg.proxy_wait_timeout_ms, 250);
	assert_int_equal(cfg.proxy_client_timeout, 300);
	assert_int_equal(cfg.proxy_client_output_limit, 2097152);
	assert_string_equal(cfg.masteruser, "fleet");
	assert_string_equal(cfg.masterauth, "fleetpw");
	assert_int_equal(cfg.nusers, 2);
	assert_string_equal(cfg.users[0].name, "app");
	assert_true(cfg.users[0].on);
	assert_string_equal(cfg.users[0].password, "pw1");
	assert_false(cfg.users[1].on);
}

static void test_config_user_errors(void **state)
{
	(void)state;
	expect_error(BASE "user app maybe >pw\n",
		     "t.conf:4: unexpected 'maybe' (syntax: user NAME on|off >PASSWORD)");
	expect_error(BASE "user app on pw\n",
		     "t.conf:4: unexpected 'pw' (syntax: user NAME on|off >PASSWORD)");
	expect_error(BASE "user app on >\n", "t.conf:4: user: empty password");
	expect_error(BASE "user default on >pw\n",
		     "t.conf:4: user 'default': give its password with requirepass");
	expect_error(BASE "user app on >a\nuser app off >b\n",
		     "t.conf:5: duplicate user 'app' (first on line 4)");
	expect_error(BASE "masterauth \"\"\n", "t.conf:4: masterauth: empty password");
	expect_error(BASE "proxy-wait-replicas 1 0\n",
		     "t.conf:4: proxy-wait-replicas timeout '0': out of range 1..3600000");
}

static void test_config_proxy_listen_duplicate_rejected(void **state)
{
	(void)state;
	expect_error(BASE "proxy-listen 127.0.0.1:16379\n"
			  "proxy-listen 127.0.0.1:16379\n",
		     "t.conf:5: duplicate proxy-listen '127.0.0.1:16379' (first on line 4)");
}

static void test_config_proxy_server_connections_zero_rejected(void **state)
{
	(void)state;
	expect_error(BASE "proxy-server-connections 0\n",
		     "t.conf:4: proxy-server-connections '0': out of range 1..64");
}

static void test_config_shard_master_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "shard s1 port 7001 master 198.18.1.11:6379\n");
	assert_true(cfg.shards[0].has_master);
	assert_int_equal(cfg.shards[0].master.addr, htonl(0xc612010b));
	assert_int_equal(cfg.shards[0].master.port, htons(6379));
}

static void test_config_shard_master_needs_port_rejected(void **state)
{
	(void)state;
	expect_error(BASE "shard s1 port 7001 master 198.18.1.11\n",
		     "t.conf:4: shard master '198.18.1.11': expected ADDR:PORT");
}

static void test_config_log_level_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "log-level warning\n");
	assert_int_equal(cfg.log_level, CONFIG_LOG_WARNING);
}

static void test_config_log_level_unknown_rejected(void **state)
{
	(void)state;
	expect_error(BASE "log-level verbose\n",
		     "t.conf:4: log-level 'verbose': expected debug|info|warning|error");
}

static void test_config_syslog_parsed(void **state)
{
	(void)state;
	expect_ok(BASE "syslog yes\n");
	assert_true(cfg.log_syslog);
}

static void test_config_syslog_unknown_rejected(void **state)
{
	(void)state;
	expect_error(BASE "syslog true\n",
		     "t.conf:4: syslog 'true': expected no|yes");
}

/* --- config_load --- */

static void test_config_load_reads_file(void **state)
{
	static const char conf[] = BASE "shard s1 port 7001\n";
	char path[64];
	int r;

	(void)state;
	write_file(path, sizeof(path), conf, sizeof(conf) - 1);
	r = config_load(&cfg, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	if (r)
		fail_msg("unexpected error: %s", err);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.nshards, 1);
}

static void test_config_load_error_names_file_and_line(void **state)
{
	static const char conf[] = BASE "vip 1.2.3\n";
	char path[64], want[128];
	int r;

	(void)state;
	write_file(path, sizeof(path), conf, sizeof(conf) - 1);
	r = config_load(&cfg, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(r, -EINVAL);
	assert_true((size_t)snprintf(want, sizeof(want),
				     "%s:4: vip '1.2.3': not an IPv4 address",
				     path) < sizeof(want));
	assert_string_equal(err, want);
}

static void test_config_load_missing_file_rejected(void **state)
{
	int r;

	(void)state;
	r = config_load(&cfg, "/nonexistent/redisha.conf", err, sizeof(err));
	assert_int_equal(r, -ENOENT);
	assert_string_equal(err,
			    "/nonexistent/redisha.conf: No such file or directory");
}

static void test_config_load_directory_rejected(void **state)
{
	int r;

	(void)state;
	r = config_load(&cfg, "/", err, sizeof(err));
	assert_int_equal(r, -EISDIR);
	assert_string_equal(err, "/: Is a directory");
}

static void test_config_load_file_too_large_rejected(void **state)
{
	char path[64], want[128];
	char *big = malloc(CONFIG_FILE_MAX + 1);
	int r;

	(void)state;
	assert_non_null(big);
	memset(big, '\n', CONFIG_FILE_MAX + 1);
	write_file(path, sizeof(path), big, CONFIG_FILE_MAX + 1);
	free(big);
	r = config_load(&cfg, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(r, -EINVAL);
	assert_true((size_t)snprintf(want, sizeof(want),
				     "%s: file too large (more than 1048576 bytes)",
				     path) < sizeof(want));
	assert_string_equal(err, want);
}

static void test_config_load_nul_byte_rejected(void **state)
{
	static const char conf[] = BASE "requirepass a\0b\n";
	char path[64], want[128];
	int r;

	(void)state;
	write_file(path, sizeof(path), conf, sizeof(conf) - 1);
	r = config_load(&cfg, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(r, -EINVAL);
	assert_true((size_t)snprintf(want, sizeof(want),
				     "%s: contains a NUL byte", path) <
		    sizeof(want));
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_design_example_parses),
		cmocka_unit_test(test_config_init_sets_defaults),
		cmocka_unit_test(test_config_parse_stores_path),
		cmocka_unit_test(test_config_path_too_long_rejected),
		cmocka_unit_test(test_config_empty_file_rejected),
		cmocka_unit_test(test_config_no_interface_rejected),
		cmocka_unit_test(test_config_no_vip_rejected),
		cmocka_unit_test(test_config_nothing_to_serve_rejected),
		cmocka_unit_test(test_config_shard_only_serves),
		cmocka_unit_test(test_config_blank_and_comment_lines_ignored),
		cmocka_unit_test(test_config_comment_after_arguments_ignored),
		cmocka_unit_test(test_config_hash_inside_word_is_literal),
		cmocka_unit_test(test_config_tabs_separate_words),
		cmocka_unit_test(test_config_quotes_group_blanks),
		cmocka_unit_test(test_config_quotes_unescape),
		cmocka_unit_test(test_config_quoted_hash_is_not_comment),
		cmocka_unit_test(test_config_quoted_directive_name),
		cmocka_unit_test(test_config_unterminated_quote_rejected),
		cmocka_unit_test(test_config_quote_ending_in_backslash_rejected),
		cmocka_unit_test(test_config_unknown_escape_rejected),
		cmocka_unit_test(test_config_text_after_closing_quote_rejected),
		cmocka_unit_test(test_config_quote_inside_word_rejected),
		cmocka_unit_test(test_config_crlf_tolerated),
		cmocka_unit_test(test_config_last_line_without_newline),
		cmocka_unit_test(test_config_line_of_max_length_accepted),
		cmocka_unit_test(test_config_line_too_long_rejected),
		cmocka_unit_test(test_config_too_many_words_rejected),
		cmocka_unit_test(test_config_unknown_directive_rejected),
		cmocka_unit_test(test_config_directive_names_case_insensitive),
		cmocka_unit_test(test_config_keywords_case_insensitive),
		cmocka_unit_test(test_config_values_case_sensitive),
		cmocka_unit_test(test_config_missing_argument_rejected),
		cmocka_unit_test(test_config_extra_argument_rejected),
		cmocka_unit_test(test_config_repeated_setting_rejected),
		cmocka_unit_test(test_config_error_truncated_with_marker),
		cmocka_unit_test(test_config_error_without_buffer),
		cmocka_unit_test(test_config_instance_parsed),
		cmocka_unit_test(test_config_instance_bad_character_rejected),
		cmocka_unit_test(test_config_instance_dotdot_rejected),
		cmocka_unit_test(test_config_instance_empty_rejected),
		cmocka_unit_test(test_config_instance_63_characters_accepted),
		cmocka_unit_test(test_config_instance_too_long_rejected),
		cmocka_unit_test(test_config_interface_several_names),
		cmocka_unit_test(test_config_interface_duplicate_rejected),
		cmocka_unit_test(test_config_interface_too_many_rejected),
		cmocka_unit_test(test_config_interface_15_characters_accepted),
		cmocka_unit_test(test_config_interface_too_long_rejected),
		cmocka_unit_test(test_config_interface_slash_rejected),
		cmocka_unit_test(test_config_interface_blank_rejected),
		cmocka_unit_test(test_config_interface_dot_rejected),
		cmocka_unit_test(test_config_xdp_mode_parsed),
		cmocka_unit_test(test_config_xdp_mode_unknown_rejected),
		cmocka_unit_test(test_config_vip_parsed_in_network_order),
		cmocka_unit_test(test_config_vip_not_an_address_rejected),
		cmocka_unit_test(test_config_vip_leading_zero_rejected),
		cmocka_unit_test(test_config_vip_ipv6_rejected),
		cmocka_unit_test(test_config_vip_unspecified_rejected),
		cmocka_unit_test(test_config_vip_broadcast_rejected),
		cmocka_unit_test(test_config_vip_multicast_rejected),
		cmocka_unit_test(test_config_vip_duplicate_rejected),
		cmocka_unit_test(test_config_vip_too_many_rejected),
		cmocka_unit_test(test_config_proxy_port_parsed),
		cmocka_unit_test(test_config_proxy_port_zero_rejected),
		cmocka_unit_test(test_config_proxy_port_too_big_rejected),
		cmocka_unit_test(test_config_number_with_sign_rejected),
		cmocka_unit_test(test_config_number_with_trailing_garbage_rejected),
		cmocka_unit_test(test_config_number_overflow_rejected),
		cmocka_unit_test(test_config_number_hex_rejected),
		cmocka_unit_test(test_config_shard_parsed),
		cmocka_unit_test(test_config_shard_weight_defaults_to_1),
		cmocka_unit_test(test_config_shard_slots_parsed),
		cmocka_unit_test(test_config_shard_weight_and_slots_parsed),
		cmocka_unit_test(test_config_shard_missing_port_rejected),
		cmocka_unit_test(test_config_shard_misspelt_keyword_rejected),
		cmocka_unit_test(test_config_shard_options_out_of_order_rejected),
		cmocka_unit_test(test_config_shard_option_without_value_rejected),
		cmocka_unit_test(test_config_shard_bad_name_rejected),
		cmocka_unit_test(test_config_shard_bad_port_rejected),
		cmocka_unit_test(test_config_shard_duplicate_name_rejected),
		cmocka_unit_test(test_config_shard_duplicate_port_rejected),
		cmocka_unit_test(test_config_shard_port_equal_proxy_port_rejected),
		cmocka_unit_test(test_config_shard_weight_zero_rejected),
		cmocka_unit_test(test_config_shard_weight_too_big_rejected),
		cmocka_unit_test(test_config_shard_weight_needs_ketama),
		cmocka_unit_test(test_config_shard_slots_need_slots_distribution),
		cmocka_unit_test(test_config_shard_slots_reversed_rejected),
		cmocka_unit_test(test_config_shard_slots_out_of_range_rejected),
		cmocka_unit_test(test_config_shard_slots_not_a_range_rejected),
		cmocka_unit_test(test_config_shard_slots_negative_rejected),
		cmocka_unit_test(test_config_shard_too_many_rejected),
		cmocka_unit_test(test_config_slots_tiling_accepted_in_any_order),
		cmocka_unit_test(test_config_slots_gap_rejected),
		cmocka_unit_test(test_config_slots_start_uncovered_rejected),
		cmocka_unit_test(test_config_slots_end_uncovered_rejected),
		cmocka_unit_test(test_config_slots_overlap_rejected),
		cmocka_unit_test(test_config_slots_on_some_shards_rejected),
		cmocka_unit_test(test_config_even_split_three_shards),
		cmocka_unit_test(test_config_even_split_one_shard_takes_all),
		cmocka_unit_test(test_config_even_split_max_shards_tiles),
		cmocka_unit_test(test_config_distribution_slots_parsed),
		cmocka_unit_test(test_config_distribution_ketama_parsed),
		cmocka_unit_test(test_config_distribution_modula_parsed),
		cmocka_unit_test(test_config_hash_names_round_trip),
		cmocka_unit_test(test_config_hash_name_out_of_range_is_null),
		cmocka_unit_test(test_config_hash_names_are_twemproxy_names),
		cmocka_unit_test(test_config_distribution_ketama_needs_hash),
		cmocka_unit_test(test_config_distribution_slots_takes_no_hash),
		cmocka_unit_test(test_config_distribution_unknown_rejected),
		cmocka_unit_test(test_config_distribution_unknown_hash_rejected),
		cmocka_unit_test(test_config_hash_tag_parsed),
		cmocka_unit_test(test_config_hash_tag_needs_two_characters),
		cmocka_unit_test(test_config_hash_tag_once),
		cmocka_unit_test(test_config_hash_tag_refused_with_slots),
		cmocka_unit_test(test_config_sentinel_parsed_in_network_order),
		cmocka_unit_test(test_config_sentinel_without_port_rejected),
		cmocka_unit_test(test_config_sentinel_port_zero_rejected),
		cmocka_unit_test(test_config_sentinel_bad_address_rejected),
		cmocka_unit_test(test_config_sentinel_ipv6_rejected),
		cmocka_unit_test(test_config_sentinel_unspecified_rejected),
		cmocka_unit_test(test_config_sentinel_duplicate_rejected),
		cmocka_unit_test(test_config_sentinel_too_many_rejected),
		cmocka_unit_test(test_config_sentinel_follow_parsed),
		cmocka_unit_test(test_config_sentinel_follow_unknown_rejected),
		cmocka_unit_test(test_config_reconcile_ms_parsed),
		cmocka_unit_test(test_config_reconcile_ms_too_small_rejected),
		cmocka_unit_test(test_config_reconcile_ms_too_big_rejected),
		cmocka_unit_test(test_config_acl_parsed),
		cmocka_unit_test(test_config_acl_bare_address_is_host),
		cmocka_unit_test(test_config_acl_default_route_accepted),
		cmocka_unit_test(test_config_acl_host_bits_rejected),
		cmocka_unit_test(test_config_acl_host_bits_with_short_prefix_rejected),
		cmocka_unit_test(test_config_acl_prefix_length_too_big_rejected),
		cmocka_unit_test(test_config_acl_empty_prefix_length_rejected),
		cmocka_unit_test(test_config_acl_bad_address_rejected),
		cmocka_unit_test(test_config_acl_same_prefix_twice_rejected),
		cmocka_unit_test(test_config_acl_same_address_other_length_accepted),
		cmocka_unit_test(test_config_acl_too_many_rejected),
		cmocka_unit_test(test_config_snat_address_parsed),
		cmocka_unit_test(test_config_snat_address_unspecified_rejected),
		cmocka_unit_test(test_config_snat_ports_parsed),
		cmocka_unit_test(test_config_snat_ports_default_below_local_port_range),
		cmocka_unit_test(test_config_snat_ports_overlapping_local_port_range_accepted),
		cmocka_unit_test(test_config_snat_ports_privileged_rejected),
		cmocka_unit_test(test_config_snat_ports_reversed_rejected),
		cmocka_unit_test(test_config_snat_ports_trailing_garbage_rejected),
		cmocka_unit_test(test_config_flow_timeouts_parsed),
		cmocka_unit_test(test_config_flow_timeout_too_small_rejected),
		cmocka_unit_test(test_config_closing_timeout_too_big_rejected),
		cmocka_unit_test(test_config_role_parsed),
		cmocka_unit_test(test_config_role_unknown_rejected),
		cmocka_unit_test(test_config_deadman_ms_parsed),
		cmocka_unit_test(test_config_deadman_ms_too_big_rejected),
		cmocka_unit_test(test_config_garp_parsed),
		cmocka_unit_test(test_config_garp_count_too_big_rejected),
		cmocka_unit_test(test_config_garp_interval_too_small_rejected),
		cmocka_unit_test(test_config_vrrp_parsed),
		cmocka_unit_test(test_config_vrrp_nopreempt_parsed),
		cmocka_unit_test(test_config_vrrp_keywords_out_of_order_rejected),
		cmocka_unit_test(test_config_vrrp_unknown_flag_rejected),
		cmocka_unit_test(test_config_vrrp_vrid_zero_rejected),
		cmocka_unit_test(test_config_vrrp_priority_too_big_rejected),
		cmocka_unit_test(test_config_vrrp_advert_too_big_rejected),
		cmocka_unit_test(test_config_vrrp_advert_not_centiseconds_rejected),
		cmocka_unit_test(test_config_vrrp_peer_parsed),
		cmocka_unit_test(test_config_vrrp_peer_duplicate_rejected),
		cmocka_unit_test(test_config_vrrp_peer_multicast_rejected),
		cmocka_unit_test(test_config_vrrp_peer_too_many_rejected),
		cmocka_unit_test(test_config_vrrp_peer_without_vrrp_rejected),
		cmocka_unit_test(test_config_role_with_vrrp_rejected),
		cmocka_unit_test(test_config_vrrp_track_sentinel_parsed),
		cmocka_unit_test(test_config_vrrp_track_sentinel_too_big_rejected),
		cmocka_unit_test(test_config_vrrp_track_sentinel_without_vrrp_rejected),
		cmocka_unit_test(test_config_requirepass_longest_accepted),
		cmocka_unit_test(test_config_requirepass_too_long_rejected_without_echo),
		cmocka_unit_test(test_config_requirepass_empty_rejected),
		cmocka_unit_test(test_config_metrics_parsed),
		cmocka_unit_test(test_config_metrics_bad_port_rejected),
		cmocka_unit_test(test_config_proxy_defaults),
		cmocka_unit_test(test_config_proxy_directives_parsed),
		cmocka_unit_test(test_config_user_errors),
		cmocka_unit_test(test_config_proxy_listen_duplicate_rejected),
		cmocka_unit_test(test_config_proxy_server_connections_zero_rejected),
		cmocka_unit_test(test_config_shard_master_parsed),
		cmocka_unit_test(test_config_shard_master_needs_port_rejected),
		cmocka_unit_test(test_config_log_level_parsed),
		cmocka_unit_test(test_config_log_level_unknown_rejected),
		cmocka_unit_test(test_config_syslog_parsed),
		cmocka_unit_test(test_config_syslog_unknown_rejected),
		cmocka_unit_test(test_config_load_reads_file),
		cmocka_unit_test(test_config_load_error_names_file_and_line),
		cmocka_unit_test(test_config_load_missing_file_rejected),
		cmocka_unit_test(test_config_load_directory_rejected),
		cmocka_unit_test(test_config_load_file_too_large_rejected),
		cmocka_unit_test(test_config_load_nul_byte_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
