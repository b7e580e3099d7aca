/*
 * Unit tests for key distribution (controller/common/keyslot.c): Redis
 * Cluster slots with their hashtag rules, slot ranges, twemproxy's hashes,
 * the ketama ring, modula and hash-tag. Their agreement with a real
 * nutcracker is checked end to end in tests/e2e/test_keyslot.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "keyslot.h"

#define HEAD "interface gw0\nvip 198.18.0.100\n"
#define THREE "shard s1 port 7001\nshard s2 port 7002\nshard s3 port 7003\n"

static struct config cfg;
static struct keyslot_ring ring, ring2;
static char err[CONFIG_ERR_MAX];

static void load(const char *text)
{
	if (config_parse(&cfg, "t.conf", text, err, sizeof(err)))
		fail_msg("unexpected config error: %s", err);
}

static uint16_t slot(const char *key)
{
	return keyslot_crc16(key, strlen(key));
}

static size_t shard_of(const struct keyslot_ring *r, const char *key)
{
	size_t s = 99;

	assert_int_equal(keyslot_shard(&cfg, r, key, strlen(key), &s), 0);
	return s;
}

/* Expected slots: `CLUSTER KEYSLOT` of redis-server 7 (cluster-enabled). */
static void test_crc16_vectors(void **state)
{
	(void)state;
	assert_int_equal(slot("123456789"), 12739);
	assert_int_equal(slot("foo"), 12182);
	assert_int_equal(slot("hello"), 866);
	assert_int_equal(slot(""), 0);
}

static void test_crc16_hashtags(void **state)
{
	(void)state;
	assert_int_equal(slot("{user1000}.following"), 3443);
	assert_int_equal(slot("{user1000}.followers"), 3443);
	/* An empty first tag: the whole key. */
	assert_int_equal(slot("foo{}{bar}"), 8363);
	/* The tag runs from the first '{' to the first '}' after it. */
	assert_int_equal(slot("foo{{bar}}zap"), slot("{bar"));
	assert_int_equal(slot("foo{{bar}}zap"), 4015);
	/* Only the first tag counts. */
	assert_int_equal(slot("foo{bar}{zap}"), slot("bar"));
	assert_int_equal(slot("foo{bar}{zap}"), 5061);
	/* No closing brace: the whole key. */
	assert_int_equal(slot("foo{bar"), keyslot_crc16("foo{bar", 7));
	assert_int_not_equal(slot("foo{bar"), slot("bar"));
}

static void test_slots_even_split(void **state)
{
	uint16_t first, last;

	(void)state;
	load(HEAD THREE);
	config_shard_slots(&cfg, 0, &first, &last);
	assert_int_equal(first, 0);
	assert_int_equal(last, 5460);
	config_shard_slots(&cfg, 2, &first, &last);
	assert_int_equal(first, 10923);
	assert_int_equal(last, 16383);
	assert_int_equal(shard_of(NULL, "123456789"), 2); /* 12739 */
	assert_int_equal(shard_of(NULL, "hello"), 0);	   /* 866 */
	assert_int_equal(shard_of(NULL, "{user1000}.x"), 0); /* 3443 */
	assert_int_equal(shard_of(NULL, "foo{}{bar}"), 1);  /* 8363 */
	assert_int_equal(shard_of(NULL, "foo{bar}"), 0);    /* 5061 */
}

static void test_slots_middle_range(void **state)
{
	uint16_t first, last;

	(void)state;
	load(HEAD THREE);
	config_shard_slots(&cfg, 1, &first, &last);
	assert_int_equal(first, 5461);
	assert_int_equal(last, 10922);
	assert_int_equal(shard_of(NULL, "foo"), 2); /* 12182 */
}

static void test_slots_configured_ranges(void **state)
{
	(void)state;
	load(HEAD "shard a port 7001 slots 0-12000\n"
		  "shard b port 7002 slots 12001-12500\n"
		  "shard c port 7003 slots 12501-16383\n");
	assert_int_equal(shard_of(NULL, "foo"), 1);	   /* 12182 */
	assert_int_equal(shard_of(NULL, "123456789"), 2); /* 12739 */
	assert_int_equal(shard_of(NULL, "hello"), 0);	   /* 866 */
}

static uint32_t hash(enum config_hash h, const char *key)
{
	return keyslot_hash(h, key, strlen(key));
}

/* The part keyslot_tag picks, as a string. */
static const char *tag_part(const char *key, const char *tag)
{
	static char part[64];
	size_t len;
	const char *p = keyslot_tag(key, strlen(key), tag[0], tag[1], &len);

	assert_true(len < sizeof(part));
	memcpy(part, p, len);
	part[len] = '\0';
	return part;
}

static void test_tag_extraction(void **state)
{
	(void)state;
	assert_string_equal(tag_part("{user1000}.following", "{}"), "user1000");
	assert_string_equal(tag_part("a{b}c{d}", "{}"), "b"); /* the first */
	assert_string_equal(tag_part("a{{b}}", "{}"), "{b");
	assert_string_equal(tag_part("a}b{c}", "{}"), "c");
	/* An empty first tag, or none closed: the whole key, without
	 * looking for a later tag (nutcracker's server_pool_idx, Redis's
	 * keyHashSlot). */
	assert_string_equal(tag_part("a{}{b}", "{}"), "a{}{b}");
	assert_string_equal(tag_part("a{b", "{}"), "a{b");
	assert_string_equal(tag_part("{", "{}"), "{");
	assert_string_equal(tag_part("", "{}"), "");
	assert_string_equal(tag_part("nobraces", "{}"), "nobraces");
	/* Any two characters, the same twice included. */
	assert_string_equal(tag_part("x<y>z", "<>"), "y");
	assert_string_equal(tag_part("x{y}z", "<>"), "x{y}z");
	assert_string_equal(tag_part("a$b$c$", "$$"), "b");
	assert_string_equal(tag_part("a$$b$", "$$"), "a$$b$");
}

/*
 * FNV and one_at_a_time: a separate Python transcription of twemproxy's
 * src/hashkit/nc_fnv.c and nc_one_at_a_time.c (bytes >= 0x80 sign-extended
 * as x86's char; fnv1a_64 as nutcracker's 32-bit variant). fnv1a_32
 * "foobar" = 0xbf9cf968 is also the published FNV test vector.
 */
static void test_hash_fnv(void **state)
{
	(void)state;
	assert_int_equal(hash(CONFIG_HASH_FNV1A_64, ""), 2216829733u);
	assert_int_equal(hash(CONFIG_HASH_FNV1A_64, "a"), 2248273036u);
	assert_int_equal(hash(CONFIG_HASH_FNV1A_64, "foobar"), 4147734504u);
	assert_int_equal(hash(CONFIG_HASH_FNV1A_64, "\xff\x80z"), 1912617008u);
	assert_int_equal(hash(CONFIG_HASH_FNV1_64, "a"), 2248259518u);
	assert_int_equal(hash(CONFIG_HASH_FNV1_64, "foobar"), 2765990338u);
	assert_int_equal(hash(CONFIG_HASH_FNV1_64, "\xff\x80z"), 1813151706u);
	assert_int_equal(hash(CONFIG_HASH_FNV1A_32, "foobar"), 0xbf9cf968u);
	assert_int_equal(hash(CONFIG_HASH_FNV1A_32, "\xff\x80z"), 2547836304u);
	assert_int_equal(hash(CONFIG_HASH_FNV1_32, "foobar"), 837857890u);
	assert_int_equal(hash(CONFIG_HASH_FNV1_32, "\xff\x80z"), 817040666u);
	assert_int_equal(hash(CONFIG_HASH_ONE_AT_A_TIME, "a"), 3392050242u);
	assert_int_equal(hash(CONFIG_HASH_ONE_AT_A_TIME, "foobar"),
			 4182965735u);
	assert_int_equal(hash(CONFIG_HASH_ONE_AT_A_TIME, "\xff\x80z"),
			 2816916234u);
}

/* md5: Python's hashlib.md5(k).digest()[:4] read little-endian; crc32a:
 * Python's binascii.crc32(k); crc32: (binascii.crc32(k) >> 16) & 0x7fff. */
static void test_hash_md5_crc32(void **state)
{
	uint8_t d[16];
	static const uint8_t fox[16] = { 0x9e, 0x10, 0x7d, 0x9d, 0x37, 0x2b,
					 0xb6, 0x82, 0x6b, 0xd8, 0x1d, 0x35,
					 0x42, 0xa4, 0x19, 0xd6 };

	(void)state;
	keyslot_md5("The quick brown fox jumps over the lazy dog", 43, d);
	assert_memory_equal(d, fox, 16);
	assert_int_equal(hash(CONFIG_HASH_MD5, ""), 3649838548u);
	assert_int_equal(hash(CONFIG_HASH_MD5, "foobar"), 586569784u);
	assert_int_equal(hash(CONFIG_HASH_MD5, "\xff\x80z"), 289677374u);
	assert_int_equal(hash(CONFIG_HASH_CRC32A, "foobar"), 2666930069u);
	assert_int_equal(hash(CONFIG_HASH_CRC32A, "\xff\x80z"), 3398102422u);
	assert_int_equal(hash(CONFIG_HASH_CRC32, "foobar"), 7926);
	assert_int_equal(hash(CONFIG_HASH_CRC32, "hello"), 13840);
}

/* MD5 across block boundaries: hashlib.md5(b"a" * n).hexdigest()[:8]. */
static void test_md5_lengths(void **state)
{
	static const struct {
		size_t n;
		uint32_t first; /* the digest's first 4 bytes, big-endian */
	} v[] = { { 55, 0xef1772b6 }, { 56, 0x3b0c8ac7 }, { 64, 0x014842d4 },
		  { 1000, 0xcabe45dc } };
	char a[1000];

	(void)state;
	memset(a, 'a', sizeof(a));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t d[16];

		keyslot_md5(a, v[i].n, d);
		assert_int_equal((uint32_t)d[0] << 24 | d[1] << 16 |
					 d[2] << 8 | d[3],
				 v[i].first);
	}
}

/*
 * Every hash on "apple": nutcracker 0.5's own src/test_all.c, which says they
 * equal libmemcached's tests/hash_results.h.
 */
static void test_hash_nutcracker_apple(void **state)
{
	static const uint32_t want[] = {
		[CONFIG_HASH_FNV1A_64] = 1488911807u,
		[CONFIG_HASH_FNV1_64] = 473199127u,
		[CONFIG_HASH_FNV1A_32] = 280767167u,
		[CONFIG_HASH_FNV1_32] = 67176023u,
		[CONFIG_HASH_MD5] = 3195025439u,
		[CONFIG_HASH_CRC16] = 3662830516u,
		[CONFIG_HASH_CRC32] = 10542u,
		[CONFIG_HASH_CRC32A] = 2838417488u,
		[CONFIG_HASH_HSIEH] = 3738850110u,
		[CONFIG_HASH_MURMUR] = 4142305122u,
		[CONFIG_HASH_JENKINS] = 1442444624u,
		[CONFIG_HASH_ONE_AT_A_TIME] = 2297466611u,
	};

	(void)state;
	for (enum config_hash h = 0; h <= CONFIG_HASH_ONE_AT_A_TIME; h++)
		assert_int_equal(hash(h, "apple"), want[h]);
}

/*
 * hsieh, murmur, jenkins: a separate Python transcription of twemproxy
 * 0.5.0's nc_hsieh.c, nc_murmur.c and nc_jenkins.c, the same as those files
 * compiled on x86-64 (jenkins on aligned and unaligned keys). Lengths 0 to
 * 4 cover each tail case, 12 and 13 jenkins' last full block and one more,
 * 43 several blocks. "ab\xff" is hsieh's signed-char quirk (3485144093
 * with an unsigned byte).
 */
static void test_hash_hsieh_murmur_jenkins(void **state)
{
	static const struct {
		const char *key;
		uint32_t hsieh, murmur, jenkins;
	} v[] = {
		{ "", 0, 0, 3735928572u },
		{ "a", 2472816263u, 1262581116u, 3768813200u },
		{ "ab", 1535905475u, 3820310011u, 3249891675u },
		{ "abc", 3843582778u, 2064434216u, 2403423744u },
		{ "foobar", 128288300u, 2884435735u, 266177376u },
		{ "\xff\x80z", 850028070u, 3709053664u, 1217046158u },
		{ "ab\xff", 1977393110u, 3968893618u, 3920586603u },
		{ "hello world!", 326258531u, 2139946157u, 465987074u },
		{ "hello world!!", 4199177507u, 1305796159u, 2070802191u },
		{ "The quick brown fox jumps over the lazy dog", 471461527u,
		  818385189u, 314054204u },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(hash(CONFIG_HASH_HSIEH, v[i].key), v[i].hsieh);
		assert_int_equal(hash(CONFIG_HASH_MURMUR, v[i].key),
				 v[i].murmur);
		assert_int_equal(hash(CONFIG_HASH_JENKINS, v[i].key),
				 v[i].jenkins);
	}
}

/* jenkins reads the key byte by byte wherever it lies; nutcracker's word
 * reads of an aligned key must give the same. */
static void test_hash_jenkins_any_alignment(void **state)
{
	_Alignas(8) char buf[64];
	const char *key = "The quick brown fox jumps";

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		memcpy(buf + off, key, strlen(key));
		assert_int_equal(keyslot_hash(CONFIG_HASH_JENKINS, buf + off,
					      strlen(key)),
				 hash(CONFIG_HASH_JENKINS, key));
	}
}

static void test_ketama_deterministic(void **state)
{
	char key[32];

	(void)state;
	load(HEAD "distribution ketama fnv1a_64\n" THREE);
	assert_int_equal(keyslot_ring_build(&ring, &cfg, err, sizeof(err)), 0);
	assert_int_equal(keyslot_ring_build(&ring2, &cfg, err, sizeof(err)), 0);
	assert_int_equal(ring.npoints, 3 * KEYSLOT_POINTS_PER_SERVER);
	assert_memory_equal(ring.points, ring2.points,
			    ring.npoints * sizeof(ring.points[0]));
	for (size_t i = 1; i < ring.npoints; i++)
		assert_true(ring.points[i - 1].value <= ring.points[i].value);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "key:%d", i);
		assert_int_equal(shard_of(&ring, key), shard_of(&ring2, key));
	}
	/* A ketama config needs its ring. */
	size_t s;
	assert_int_equal(keyslot_shard(&cfg, NULL, "a", 1, &s), -EINVAL);
}

static void shares(const char *conf, size_t count[3])
{
	char key[32];

	load(conf);
	assert_int_equal(keyslot_ring_build(&ring, &cfg, err, sizeof(err)), 0);
	memset(count, 0, 3 * sizeof(count[0]));
	for (int i = 0; i < 30000; i++) {
		snprintf(key, sizeof(key), "user:%d", i);
		count[shard_of(&ring, key)]++;
	}
}

static void test_ketama_weights(void **state)
{
	size_t even[3], weighted[3];

	(void)state;
	shares(HEAD "distribution ketama fnv1a_64\n" THREE, even);
	for (int i = 0; i < 3; i++)
		assert_in_range(even[i], 7000, 13000); /* 10000 each, ideally */
	shares(HEAD "distribution ketama md5\n"
		    "shard s1 port 7001 weight 1\nshard s2 port 7002 weight 1\n"
		    "shard s3 port 7003 weight 4\n",
	       weighted);
	/* 160 points per shard at the average weight: 80, 80, 320. */
	assert_int_equal(ring.npoints, 480);
	assert_in_range(weighted[2], 16000, 24000); /* 2/3 of 30000 */
	assert_true(weighted[0] < even[0] && weighted[1] < even[1]);
}

static void test_ketama_single_shard(void **state)
{
	(void)state;
	load(HEAD "distribution ketama fnv1a_64\nshard only port 7001\n");
	assert_int_equal(keyslot_ring_build(&ring, &cfg, err, sizeof(err)), 0);
	assert_int_equal(shard_of(&ring, "anything"), 0);
	assert_int_equal(shard_of(&ring, ""), 0);
}

/*
 * modula: fnv1a_64 hash mod the total weight, the shards holding `weight`
 * consecutive entries in file order (nutcracker's modula_update). Expected
 * shards from the fnv1a_64 values: apple 1488911807 (mod 3 = 2, mod 6 = 5),
 * foobar 4147734504 (0, 0), a 2248273036 (1, 4), user:1 1963465963 (1, 1);
 * murmur: apple 4142305122 (mod 5 = 2), user:2 2296679484 (4), user:4
 * 343630938 (3).
 */
static void test_modula_dispatch(void **state)
{
	(void)state;
	load(HEAD "distribution modula fnv1a_64\n" THREE);
	/* modula needs no ring */
	assert_int_equal(shard_of(NULL, "apple"), 2);
	assert_int_equal(shard_of(NULL, "foobar"), 0);
	assert_int_equal(shard_of(NULL, "a"), 1);
	/* entries s1 | s2 s2 | s3 s3 s3 */
	load(HEAD "distribution modula fnv1a_64\n"
		  "shard s1 port 7001\nshard s2 port 7002 weight 2\n"
		  "shard s3 port 7003 weight 3\n");
	assert_int_equal(shard_of(NULL, "apple"), 2);  /* entry 5 */
	assert_int_equal(shard_of(NULL, "foobar"), 0); /* entry 0 */
	assert_int_equal(shard_of(NULL, "a"), 2);      /* entry 4 */
	assert_int_equal(shard_of(NULL, "user:1"), 1); /* entry 1 */
	/* entries s1 s1 s1 | s2 | s3 */
	load(HEAD "distribution modula murmur\n"
		  "shard s1 port 7001 weight 3\nshard s2 port 7002\n"
		  "shard s3 port 7003\n");
	assert_int_equal(shard_of(NULL, "apple"), 0);  /* entry 2 */
	assert_int_equal(shard_of(NULL, "user:4"), 1); /* entry 3 */
	assert_int_equal(shard_of(NULL, "user:2"), 2); /* entry 4 */
	/* An empty key hashes to 0 (entry 0), as in nutcracker. */
	assert_int_equal(shard_of(NULL, ""), 0);
}

static void test_modula_single_shard(void **state)
{
	(void)state;
	load(HEAD "distribution modula md5\nshard only port 7001 weight 5\n");
	assert_int_equal(shard_of(NULL, "anything"), 0);
	assert_int_equal(shard_of(NULL, ""), 0);
}

/*
 * hash-tag: only the tagged part is hashed. Under modula fnv1a_64 on three
 * shards, "{apple}zzz" goes where apple does (2), not where the whole key
 * hashes (0); "{foobar}zzz" where foobar does (0), not 1.
 */
static void test_hash_tag_modula(void **state)
{
	(void)state;
	load(HEAD "distribution modula fnv1a_64\n" THREE);
	assert_int_equal(shard_of(NULL, "{apple}zzz"), 0);
	assert_int_equal(shard_of(NULL, "{foobar}zzz"), 1);
	load(HEAD "distribution modula fnv1a_64\nhash-tag \"{}\"\n" THREE);
	assert_int_equal(shard_of(NULL, "{apple}zzz"), 2);
	assert_int_equal(shard_of(NULL, "{foobar}zzz"), 0);
	/* an empty tag or an open one: the whole key */
	assert_int_equal(shard_of(NULL, "x{}apple"),
			 hash(CONFIG_HASH_FNV1A_64, "x{}apple") % 3);
	assert_int_equal(shard_of(NULL, "{apple"),
			 hash(CONFIG_HASH_FNV1A_64, "{apple") % 3);
}

static void test_hash_tag_ketama(void **state)
{
	char key[64], tagged[80];
	size_t seen[3] = { 0 };

	(void)state;
	load(HEAD "distribution ketama murmur\nhash-tag <>\n" THREE);
	assert_int_equal(keyslot_ring_build(&ring, &cfg, err, sizeof(err)), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "user:%d", i);
		snprintf(tagged, sizeof(tagged), "session<%s>:%d", key, i * 7);
		assert_int_equal(shard_of(&ring, tagged), shard_of(&ring, key));
		seen[shard_of(&ring, key)]++;
	}
	/* the tags spread over the shards: the test compared something */
	assert_true(seen[0] && seen[1] && seen[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc16_vectors),
		cmocka_unit_test(test_crc16_hashtags),
		cmocka_unit_test(test_slots_even_split),
		cmocka_unit_test(test_slots_middle_range),
		cmocka_unit_test(test_slots_configured_ranges),
		cmocka_unit_test(test_hash_fnv),
		cmocka_unit_test(test_hash_md5_crc32),
		cmocka_unit_test(test_md5_lengths),
		cmocka_unit_test(test_tag_extraction),
		cmocka_unit_test(test_hash_nutcracker_apple),
		cmocka_unit_test(test_hash_hsieh_murmur_jenkins),
		cmocka_unit_test(test_hash_jenkins_any_alignment),
		cmocka_unit_test(test_ketama_deterministic),
		cmocka_unit_test(test_ketama_weights),
		cmocka_unit_test(test_ketama_single_shard),
		cmocka_unit_test(test_modula_dispatch),
		cmocka_unit_test(test_modula_single_shard),
		cmocka_unit_test(test_hash_tag_modula),
		cmocka_unit_test(test_hash_tag_ketama),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
