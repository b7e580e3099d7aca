/*
 * Unit tests for controller/redishad/sentinel_event.c, through its header:
 * one behaviour per test. Payloads follow Sentinel's own formats
 * (sentinelEvent() in Redis's src/sentinel.c):
 *
 *   "%@"             <type> <name> <ip> <port> [@ <master> <m-ip> <m-port>]
 *                    the "@ ..." part only when the instance is not a master
 *   +odown           "%@ #quorum <votes>/<quorum>"
 *   +switch-master   <master> <old-ip> <old-port> <new-ip> <new-port>
 *
 * A slave is named "ip:port" and a Sentinel by its 40-hex run id.
 * Addresses come from 198.18.0.0/15, as in DESIGN.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sentinel_event.h"

#define RUNID "2f0e1a9c4b7d8e3f5a6b1c0d9e8f7a6b5c4d3e2f"
#define SLAVE "198.18.1.22:6379 198.18.1.22 6379"
#define AT_S2 "@ s2 198.18.1.21 6379"

/* What a payload must parse to; ip/port strings, converted when checked. */
struct want {
	const char *payload;
	const char *type;
	const char *master;
	const char *ip, *port;		/* the instance (old master for switch) */
	const char *new_ip, *new_port;	/* +switch-master only */
};

/* One realistic message per channel, indexed by kind. */
#define INSTANCE(t, m, i, p) .type = t, .master = m, .ip = i, .port = p

static const struct want realistic[SE_COUNT] = {
	[SE_SWITCH_MASTER] = { .payload = "s2 198.18.1.21 6379 198.18.1.22 6379",
			       INSTANCE("", "s2", "198.18.1.21", "6379"),
			       .new_ip = "198.18.1.22", .new_port = "6379" },
	[SE_SDOWN] = { .payload = "master s2 198.18.1.21 6379",
		       INSTANCE("master", "s2", "198.18.1.21", "6379") },
	[SE_SDOWN_END] = { .payload = "slave " SLAVE " " AT_S2,
			   INSTANCE("slave", "s2", "198.18.1.22", "6379") },
	[SE_ODOWN] = { .payload = "master s2 198.18.1.21 6379 #quorum 2/2",
		       INSTANCE("master", "s2", "198.18.1.21", "6379") },
	[SE_ODOWN_END] = { .payload = "master s2 198.18.1.21 6379",
			   INSTANCE("master", "s2", "198.18.1.21", "6379") },
	[SE_SELECTED_SLAVE] = { .payload = "slave " SLAVE " " AT_S2,
				INSTANCE("slave", "s2", "198.18.1.22",
					 "6379") },
	[SE_SEND_SLAVEOF_NOONE] = { .payload = "slave " SLAVE " " AT_S2,
				    INSTANCE("slave", "s2", "198.18.1.22",
					     "6379") },
	[SE_PROMOTED_SLAVE] = { .payload = "slave " SLAVE " " AT_S2,
				INSTANCE("slave", "s2", "198.18.1.22",
					 "6379") },
	[SE_FAILOVER_END] = { .payload = "master s2 198.18.1.21 6379",
			      INSTANCE("master", "s2", "198.18.1.21",
				       "6379") },
	/* a slave that claims to be a master, told to follow s2 again */
	[SE_CONVERT_TO_SLAVE] = { .payload = "slave 198.18.1.23:6379 "
					     "198.18.1.23 6379 " AT_S2,
				  INSTANCE("slave", "s2", "198.18.1.23",
					   "6379") },
	[SE_CONFIG_UPDATE_FROM] = { .payload = "sentinel " RUNID
					       " 198.18.1.41 26379 " AT_S2,
				    INSTANCE("sentinel", "s2", "198.18.1.41",
					     "26379") },
	[SE_RESET_MASTER] = { .payload = "master s2 198.18.1.21 6379",
			      INSTANCE("master", "s2", "198.18.1.21",
				       "6379") },
};

/*
 * The payload shapes, as words, for building broken variants: where the
 * master name sits, where each parsed address sits (its port follows), and
 * how many words the parser needs.
 */
struct shape {
	const char *channel;
	const char *words[8];
	int nwords;
	int min_words;
	int name_at;
	int addr_at[2]; /* -1: unused */
};

static const struct shape shapes[] = {
	{ "+switch-master",
	  { "s2", "198.18.1.21", "6379", "198.18.1.22", "6379" },
	  5, 5, 0, { 1, 3 } },
	{ "+odown",
	  { "master", "s2", "198.18.1.21", "6379", "#quorum", "2/2" },
	  6, 4, 1, { 2, -1 } },
	{ "+promoted-slave",
	  { "slave", "198.18.1.22:6379", "198.18.1.22", "6379", "@", "s2",
	    "198.18.1.21", "6379" },
	  8, 8, 5, { 2, -1 } },
	{ "+config-update-from",
	  { "sentinel", RUNID, "198.18.1.41", "26379", "@", "s2",
	    "198.18.1.21", "6379" },
	  8, 8, 5, { 2, -1 } },
};

#define N_SHAPES (sizeof(shapes) / sizeof(shapes[0]))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const bad_ips[] = { "198.18.1.300", "::1", "abc" };
/* "" is missing here: in a payload an empty word is just a missing word. */
static const char *const bad_ports[] = { "0", "65536", "-1", "+5", "12a" };

/* Fail at the caller's line, with a message naming case and field. */
#define fail_at(file, line, fmt, ...)                  \
	do {                                           \
		print_error(fmt "\n", ##__VA_ARGS__);  \
		_fail(file, line);                     \
	} while (0)

static uint32_t ip_be(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint16_t port_be(const char *s)
{
	return htons((uint16_t)atoi(s));
}

static struct sentinel_addr addr(const char *ip, const char *port)
{
	return (struct sentinel_addr){ .ip = ip_be(ip), .port = port_be(port) };
}

static void check_addr(const char *file, int line, const char *label,
		       const struct sentinel_addr *got, const char *ip,
		       const char *port)
{
	char buf[INET_ADDRSTRLEN + 6];

	if (got->ip != ip_be(ip) || got->port != port_be(port))
		fail_at(file, line, "%s: got %s, want %s:%s (network order)",
			label, sentinel_addr_str(got, buf, sizeof(buf)), ip,
			port);
}

static void check_str(const char *file, int line, const char *label,
		      const char *got, const char *want)
{
	if (strcmp(got, want))
		fail_at(file, line, "%s: got \"%s\", want \"%s\"", label, got,
			want);
}

#define expect_event(channel, kind, w) \
	check_event(__FILE__, __LINE__, channel, kind, w)

/* `w->payload` on `channel` parses, to every field of `w`. */
static void check_event(const char *file, int line, const char *channel,
			enum sentinel_event_kind kind, const struct want *w)
{
	struct sentinel_event ev;
	char label[128];
	int r;

	r = sentinel_event_parse(channel, w->payload, &ev);
	if (r)
		fail_at(file, line, "%s \"%s\": returned %d, want 0", channel,
			w->payload, r);
	if (ev.kind != kind)
		fail_at(file, line, "%s: kind %d, want %d", channel, ev.kind,
			kind);
	snprintf(label, sizeof(label), "%s master", channel);
	check_str(file, line, label, ev.master, w->master);
	snprintf(label, sizeof(label), "%s type", channel);
	check_str(file, line, label, ev.type, w->type);
	snprintf(label, sizeof(label), "%s instance", channel);
	check_addr(file, line, label, &ev.instance, w->ip, w->port);
	if (kind == SE_SWITCH_MASTER) {
		snprintf(label, sizeof(label), "%s new_master", channel);
		check_addr(file, line, label, &ev.new_master, w->new_ip,
			   w->new_port);
	}
}

#define expect_rejected(channel, payload) \
	check_rejected(__FILE__, __LINE__, channel, payload)

static void check_rejected(const char *file, int line, const char *channel,
			   const char *payload)
{
	struct sentinel_event ev;
	int r = sentinel_event_parse(channel, payload, &ev);

	if (r != -EINVAL)
		fail_at(file, line, "\"%s\" \"%s\": returned %d, want -EINVAL",
			channel, payload, r);
}

/*
 * The payload of `s`, words joined by `sep`, the first `n` words only,
 * word `at` replaced by `word` (at -1: none replaced).
 */
static const char *build(const struct shape *s, const char *sep, int n,
			 int at, const char *word, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int r = snprintf(buf + used, len - used, "%s%s",
				 i ? sep : "", i == at ? word : s->words[i]);

		assert_true(r >= 0 && (size_t)r < len - used);
		used += (size_t)r;
	}
	return buf;
}

static const char *with_word(const struct shape *s, int at, const char *word,
			     char *buf, size_t len)
{
	return build(s, " ", s->nwords, at, word, buf, len);
}

/* --- each channel, with the payload Sentinel publishes on it --- */

static void test_event_parses(void **state)
{
	enum sentinel_event_kind kind = (enum sentinel_event_kind)(
		(const struct want *)*state - realistic);

	if (!realistic[kind].payload)
		fail_msg("%s: no realistic payload in this test",
			 sentinel_event_channels[kind]);
	expect_event(sentinel_event_channels[kind], kind, &realistic[kind]);
}

static void test_sdown_of_sentinel_parses(void **state)
{
	const struct want w = {
		.payload = "sentinel " RUNID " 198.18.1.41 26379 " AT_S2,
		INSTANCE("sentinel", "s2", "198.18.1.41", "26379"),
	};

	(void)state;
	expect_event("+sdown", SE_SDOWN, &w);
}

static void test_odown_quorum_tail_ignored(void **state)
{
	const struct want w = {
		.payload = "master s2 198.18.1.21 6379 #quorum 3/2",
		INSTANCE("master", "s2", "198.18.1.21", "6379"),
	};

	(void)state;
	expect_event("+odown", SE_ODOWN, &w);
}

static void test_shape_payloads_parse(void **state)
{
	char buf[512];

	(void)state;
	/* the fixtures the garbage tests break must themselves be valid */
	for (size_t i = 0; i < N_SHAPES; i++) {
		struct sentinel_event ev;
		const char *p = with_word(&shapes[i], -1, NULL, buf,
					  sizeof(buf));

		if (sentinel_event_parse(shapes[i].channel, p, &ev))
			fail_msg("%s \"%s\" rejected", shapes[i].channel, p);
	}
}

/* --- garbage is rejected with -EINVAL --- */

static void test_unknown_channel_rejected(void **state)
{
	static const char *const channels[] = {
		"+tilt", "+sdownx", "sdown", "+SDOWN", "+switch-maste", "",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(channels); i++)
		expect_rejected(channels[i], "master s2 198.18.1.21 6379");
}

static void test_empty_payload_rejected(void **state)
{
	(void)state;
	for (int k = 0; k < SE_COUNT; k++)
		expect_rejected(sentinel_event_channels[k], "");
}

static void test_blank_payload_rejected(void **state)
{
	(void)state;
	for (int k = 0; k < SE_COUNT; k++)
		expect_rejected(sentinel_event_channels[k], "     ");
}

static void test_too_few_words_rejected(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < N_SHAPES; i++)
		for (int n = 1; n < shapes[i].min_words; n++)
			expect_rejected(shapes[i].channel,
					build(&shapes[i], " ", n, -1, NULL, buf,
					      sizeof(buf)));
}

static void test_bad_ip_rejected(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < N_SHAPES; i++)
		for (int a = 0; a < 2 && shapes[i].addr_at[a] >= 0; a++)
			for (size_t b = 0; b < ARRAY_LEN(bad_ips); b++)
				expect_rejected(shapes[i].channel,
						with_word(&shapes[i],
							  shapes[i].addr_at[a],
							  bad_ips[b], buf,
							  sizeof(buf)));
}

static void test_bad_port_rejected(void **state)
{
	char buf[512];

	(void)state;
	for (size_t i = 0; i < N_SHAPES; i++)
		for (int a = 0; a < 2 && shapes[i].addr_at[a] >= 0; a++)
			for (size_t b = 0; b < ARRAY_LEN(bad_ports); b++)
				expect_rejected(shapes[i].channel,
						with_word(&shapes[i],
							  shapes[i].addr_at[a] + 1,
							  bad_ports[b], buf,
							  sizeof(buf)));
}

/*
 * Beyond the brief: the header promises -EINVAL for a bad address, and the
 * "@ <master> <ip> <port>" tail of a replica event is an address too.
 */
static void test_replica_event_bad_master_addr_rejected(void **state)
{
	const struct shape *s = &shapes[2]; /* +promoted-slave */
	char buf[512];

	(void)state;
	for (size_t b = 0; b < ARRAY_LEN(bad_ips); b++)
		expect_rejected(s->channel, with_word(s, 6, bad_ips[b], buf,
						      sizeof(buf)));
	for (size_t b = 0; b < ARRAY_LEN(bad_ports); b++)
		expect_rejected(s->channel, with_word(s, 7, bad_ports[b], buf,
						      sizeof(buf)));
}

static void test_replica_event_without_at_rejected(void **state)
{
	(void)state;
	/* '@' dropped: 7 words */
	expect_rejected("+promoted-slave",
			"slave " SLAVE " s2 198.18.1.21 6379");
	/* '@' replaced: 8 words, but not Sentinel's */
	expect_rejected("+promoted-slave",
			"slave " SLAVE " at s2 198.18.1.21 6379");
	expect_rejected("+config-update-from",
			"sentinel " RUNID " 198.18.1.41 26379 "
			"s2 198.18.1.21 6379 x");
}

static void test_master_name_of_64_chars_rejected(void **state)
{
	char name[RH_SHARD_NAME_MAX + 8], buf[512];

	(void)state;
	for (size_t len = RH_SHARD_NAME_MAX; len < sizeof(name); len++) {
		memset(name, 'n', len);
		name[len] = '\0';
		for (size_t i = 0; i < N_SHAPES; i++)
			expect_rejected(shapes[i].channel,
					with_word(&shapes[i], shapes[i].name_at,
						  name, buf, sizeof(buf)));
	}
}

static void test_master_name_of_63_chars_accepted(void **state)
{
	char name[RH_SHARD_NAME_MAX], buf[512];

	(void)state;
	/* the longest name that fits master[] with its NUL */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (size_t i = 0; i < N_SHAPES; i++) {
		struct sentinel_event ev;
		const char *p = with_word(&shapes[i], shapes[i].name_at, name,
					  buf, sizeof(buf));

		if (sentinel_event_parse(shapes[i].channel, p, &ev))
			fail_msg("%s: 63-char name rejected", shapes[i].channel);
		check_str(__FILE__, __LINE__, shapes[i].channel, ev.master,
			  name);
	}
}

static void test_600_byte_payload_rejected(void **state)
{
	static const char head[] = "master s2 198.18.1.21 6379 #quorum 2/2 ";
	char payload[600 + 1];

	(void)state;
	/* valid up front, so only its size can make it fail */
	memcpy(payload, head, sizeof(head) - 1);
	memset(payload + sizeof(head) - 1, 'x',
	       sizeof(payload) - sizeof(head));
	payload[sizeof(payload) - 1] = '\0';
	assert_int_equal(strlen(payload), 600);
	expect_rejected("+odown", payload);
}

static void test_words_separated_by_many_spaces_rejected(void **state)
{
	char buf[512];

	(void)state;
	/* Sentinel separates words with exactly one space */
	for (size_t i = 0; i < N_SHAPES; i++)
		expect_rejected(shapes[i].channel,
				build(&shapes[i], "    ", shapes[i].nwords, -1,
				      NULL, buf, sizeof(buf)));
}

static void test_truncated_payloads_return_0_or_einval(void **state)
{
	char buf[512];

	(void)state;
	/* every prefix of every message: ASan/UBSan watch the reads */
	for (int k = 0; k < SE_COUNT; k++) {
		const char *p = realistic[k].payload;

		for (size_t n = 0; p && n <= strlen(p); n++) {
			struct sentinel_event ev;
			int r;

			memcpy(buf, p, n);
			buf[n] = '\0';
			r = sentinel_event_parse(sentinel_event_channels[k], buf,
						 &ev);
			if (r != 0 && r != -EINVAL)
				fail_msg("%s \"%s\": returned %d",
					 sentinel_event_channels[k], buf, r);
		}
	}
}

/* --- sentinel_addr_parse and sentinel_addr_str --- */

static void test_addr_parse_network_order(void **state)
{
	struct sentinel_addr a;

	(void)state;
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "6379", &a), 0);
	check_addr(__FILE__, __LINE__, "198.18.1.21:6379", &a, "198.18.1.21",
		   "6379");
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "65535", &a), 0);
	assert_int_equal(a.port, htons(65535));
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "1", &a), 0);
	assert_int_equal(a.port, htons(1));
}

static void test_addr_parse_rejects_bad_ip(void **state)
{
	struct sentinel_addr a;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_ips); i++)
		if (sentinel_addr_parse(bad_ips[i], "6379", &a) != -EINVAL)
			fail_msg("ip \"%s\" accepted", bad_ips[i]);
	assert_int_equal(sentinel_addr_parse("", "6379", &a), -EINVAL);
}

static void test_addr_parse_rejects_bad_port(void **state)
{
	struct sentinel_addr a;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_ports); i++)
		if (sentinel_addr_parse("198.18.1.21", bad_ports[i], &a) !=
		    -EINVAL)
			fail_msg("port \"%s\" accepted", bad_ports[i]);
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "", &a), -EINVAL);
	assert_int_equal(sentinel_addr_parse("198.18.1.21",
					     "18446744073709551617", &a),
			 -EINVAL);
}

/*
 * Beyond the brief: "+5" and "-1" are refused, so a port is digits only;
 * strtoul() would still skip leading white space.
 */
static void test_addr_parse_rejects_port_with_leading_space(void **state)
{
	struct sentinel_addr a;

	(void)state;
	assert_int_equal(sentinel_addr_parse("198.18.1.21", " 6379", &a),
			 -EINVAL);
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "\t6379", &a),
			 -EINVAL);
}

static void test_addr_str_round_trip(void **state)
{
	struct sentinel_addr a;
	char buf[INET_ADDRSTRLEN + 6];

	(void)state;
	assert_int_equal(sentinel_addr_parse("198.18.1.21", "6379", &a), 0);
	assert_string_equal(sentinel_addr_str(&a, buf, sizeof(buf)),
			    "198.18.1.21:6379");
}

static void test_addr_str_longest_fits_documented_buffer(void **state)
{
	struct sentinel_addr a;
	char buf[INET_ADDRSTRLEN + 6];

	(void)state;
	assert_int_equal(sentinel_addr_parse("255.255.255.255", "65535", &a),
			 0);
	assert_string_equal(sentinel_addr_str(&a, buf, sizeof(buf)),
			    "255.255.255.255:65535");
}

/* --- sentinel_majority --- */

#define expect_majority(answers, n, want_agree, want_ip, want_port)       \
	check_majority(__FILE__, __LINE__, answers, n, want_agree, want_ip, \
		       want_port)

static void check_majority(const char *file, int line,
			   const struct sentinel_addr *answers, size_t n,
			   size_t want_agree, const char *want_ip,
			   const char *want_port)
{
	struct sentinel_addr winner = { 0 };
	size_t agree = sentinel_majority(answers, n, &winner);

	if (agree != want_agree)
		fail_at(file, line, "%zu answers: %zu agree, want %zu", n,
			agree, want_agree);
	if (want_agree)
		check_addr(file, line, "winner", &winner, want_ip, want_port);
}

static void test_majority_three_equal(void **state)
{
	const struct sentinel_addr a[] = {
		addr("198.18.1.22", "6379"),
		addr("198.18.1.22", "6379"),
		addr("198.18.1.22", "6379"),
	};

	(void)state;
	expect_majority(a, 3, 3, "198.18.1.22", "6379");
}

static void test_majority_two_of_three_names_winner(void **state)
{
	/* the odd one out first, so the winner is not just answers[0] */
	const struct sentinel_addr a[] = {
		addr("198.18.1.21", "6379"),
		addr("198.18.1.22", "6379"),
		addr("198.18.1.22", "6379"),
	};

	(void)state;
	expect_majority(a, 3, 2, "198.18.1.22", "6379");
}

static void test_majority_one_one_one_is_none(void **state)
{
	const struct sentinel_addr a[] = {
		addr("198.18.1.21", "6379"),
		addr("198.18.1.22", "6379"),
		addr("198.18.1.23", "6379"),
	};

	(void)state;
	expect_majority(a, 3, 0, NULL, NULL);
}

static void test_majority_tie_one_of_two_is_none(void **state)
{
	const struct sentinel_addr a[] = {
		addr("198.18.1.21", "6379"),
		addr("198.18.1.22", "6379"),
	};

	(void)state;
	expect_majority(a, 2, 0, NULL, NULL);
}

static void test_majority_two_of_two(void **state)
{
	const struct sentinel_addr a[] = {
		addr("198.18.1.22", "6379"),
		addr("198.18.1.22", "6379"),
	};

	(void)state;
	expect_majority(a, 2, 2, "198.18.1.22", "6379");
}

static void test_majority_one_of_one(void **state)
{
	const struct sentinel_addr a[] = { addr("198.18.1.22", "6379") };

	(void)state;
	/* one reachable Sentinel is its own majority */
	expect_majority(a, 1, 1, "198.18.1.22", "6379");
}

static void test_majority_no_answers_is_none(void **state)
{
	const struct sentinel_addr a[] = { addr("198.18.1.22", "6379") };

	(void)state;
	expect_majority(a, 0, 0, NULL, NULL);
}

static void test_majority_same_ip_other_port_differs(void **state)
{
	const struct sentinel_addr a[] = {
		addr("198.18.1.22", "6379"),
		addr("198.18.1.22", "6380"),
	};

	(void)state;
	expect_majority(a, 2, 0, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	/* one test per channel in SENTINEL_EVENTS, so a new one needs a payload */
#define SE_TEST(id, channel)                                            \
	{ "test_event_parses " channel, test_event_parses, NULL, NULL,  \
	  (void *)&realistic[id] },
		SENTINEL_EVENTS(SE_TEST)
#undef SE_TEST
		cmocka_unit_test(test_sdown_of_sentinel_parses),
		cmocka_unit_test(test_odown_quorum_tail_ignored),
		cmocka_unit_test(test_shape_payloads_parse),
		cmocka_unit_test(test_unknown_channel_rejected),
		cmocka_unit_test(test_empty_payload_rejected),
		cmocka_unit_test(test_blank_payload_rejected),
		cmocka_unit_test(test_too_few_words_rejected),
		cmocka_unit_test(test_bad_ip_rejected),
		cmocka_unit_test(test_bad_port_rejected),
		cmocka_unit_test(test_replica_event_bad_master_addr_rejected),
		cmocka_unit_test(test_replica_event_without_at_rejected),
		cmocka_unit_test(test_master_name_of_64_chars_rejected),
		cmocka_unit_test(test_master_name_of_63_chars_accepted),
		cmocka_unit_test(test_600_byte_payload_rejected),
		cmocka_unit_test(test_words_separated_by_many_spaces_rejected),
		cmocka_unit_test(test_truncated_payloads_return_0_or_einval),
		cmocka_unit_test(test_addr_parse_network_order),
		cmocka_unit_test(test_addr_parse_rejects_bad_ip),
		cmocka_unit_test(test_addr_parse_rejects_bad_port),
		cmocka_unit_test(test_addr_parse_rejects_port_with_leading_space),
		cmocka_unit_test(test_addr_str_round_trip),
		cmocka_unit_test(test_addr_str_longest_fits_documented_buffer),
		cmocka_unit_test(test_majority_three_equal),
		cmocka_unit_test(test_majority_two_of_three_names_winner),
		cmocka_unit_test(test_majority_one_one_one_is_none),
		cmocka_unit_test(test_majority_tie_one_of_two_is_none),
		cmocka_unit_test(test_majority_two_of_two),
		cmocka_unit_test(test_majority_one_of_one),
		cmocka_unit_test(test_majority_no_answers_is_none),
		cmocka_unit_test(test_majority_same_ip_other_port_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
