#include "keyslot.h"

#include "errmsg.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRC16_POLY 0x1021 /* CCITT, as XMODEM: init 0, no reflection */
#define CRC32_POLY 0xedb88320u /* reflected IEEE 802.3 */
#define FNV_64_INIT UINT64_C(0xcbf29ce484222325)
#define FNV_64_PRIME UINT64_C(0x100000001b3)
#define FNV_32_INIT UINT32_C(2166136261)
#define FNV_32_PRIME UINT32_C(16777619)
#define KETAMA_POINTS_PER_HASH 4 /* an MD5 digest gives four 32-bit points */

/* ---- MD5, RFC 1321 -------------------------------------------------- */

struct md5 {
	uint32_t h[4];
	uint64_t nbytes;
	uint8_t block[64];
	size_t fill;
};

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const uint8_t md5_s[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t rotl32(uint32_t x, unsigned int s)
{
	return (x << s) | (x >> (32 - s));
}

static void md5_transform(struct md5 *m)
{
	uint32_t x[16], a = m->h[0], b = m->h[1], c = m->h[2], d = m->h[3];

	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)m->block[4 * i] |
		       (uint32_t)m->block[4 * i + 1] << 8 |
		       (uint32_t)m->block[4 * i + 2] << 16 |
		       (uint32_t)m->block[4 * i + 3] << 24;
	for (int i = 0; i < 64; i++) {
		uint32_t f, t;
		int g;

		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		t = d;
		d = c;
		c = b;
		b += rotl32(a + f + md5_k[i] + x[g], md5_s[i]);
		a = t;
	}
	m->h[0] += a;
	m->h[1] += b;
	m->h[2] += c;
	m->h[3] += d;
}

static void md5_update(struct md5 *m, const uint8_t *p, size_t len)
{
	m->nbytes += len;
	while (len--) {
		m->block[m->fill++] = *p++;
		if (m->fill == sizeof(m->block)) {
			md5_transform(m);
			m->fill = 0;
		}
	}
}

void keyslot_md5(const void *data, size_t len, uint8_t out[16])
{
	struct md5 m = { .h = { 0x67452301, 0xefcdab89, 0x98badcfe,
				0x10325476 } };
	uint64_t bits;
	uint8_t pad = 0x80, zero = 0, lenbuf[8];

	md5_update(&m, data, len);
	bits = m.nbytes * 8;
	/* RFC 1321 §3.1-3.2: a 1 bit, zeroes to 56 mod 64, the bit count. */
	md5_update(&m, &pad, 1);
	while (m.fill != 56)
		md5_update(&m, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenbuf[i] = (uint8_t)(bits >> (8 * i));
	md5_update(&m, lenbuf, sizeof(lenbuf));
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(m.h[i] >> (8 * j));
}

/* ---- CRCs ------------------------------------------------------------ */

/* Byte-at-a-time tables, filled once: the proxy hashes every key. */
static uint16_t crc16_lut[256];
static uint32_t crc32_lut[256];
static pthread_once_t luts_once = PTHREAD_ONCE_INIT;

static void fill_luts(void)
{
	for (unsigned idx = 0; idx < 256; idx++) {
		uint16_t t16 = (uint16_t)(idx << 8);
		uint32_t t32 = idx;

		for (int i = 0; i < 8; i++) {
			t16 = (uint16_t)((t16 & 0x8000) ? (t16 << 1) ^ CRC16_POLY
							: t16 << 1);
			t32 = (t32 & 1) ? (t32 >> 1) ^ CRC32_POLY : t32 >> 1;
		}
		crc16_lut[idx] = t16;
		crc32_lut[idx] = t32;
	}
}


static uint16_t crc16(const uint8_t *p, size_t len)
{
	uint16_t crc = 0;

	pthread_once(&luts_once, fill_luts);
	while (len--)
		crc = (uint16_t)((crc << 8) ^
				 crc16_lut[(uint8_t)((crc >> 8) ^ *p++)]);
	return crc;
}

/* ---- hash tags and slots ------------------------------------------- */

const void *keyslot_tag(const void *key, size_t len, char open, char close,
			size_t *part_len)
{
	const uint8_t *k = key, *start = memchr(k, open, len), *end;

	*part_len = len;
	if (!start)
		return key;
	end = memchr(start + 1, close, len - (size_t)(start - k) - 1);
	if (!end || end == start + 1)
		return key;
	*part_len = (size_t)(end - start - 1);
	return start + 1;
}

uint16_t keyslot_crc16(const void *key, size_t len)
{
	const void *part = keyslot_tag(key, len, '{', '}', &len);

	return crc16(part, len) & (CONFIG_SLOTS - 1);
}

/* ---- twemproxy's hashes ------------------------------------------------ */

/* twemproxy reads keys as `const char` and, in most hashes, widens each
 * byte: signed on x86, so bytes >= 0x80 become 0xffffff80.. before they are
 * mixed in. */
static uint32_t widen32(uint8_t b)
{
	return (uint32_t)(int32_t)(int8_t)b;
}

static uint32_t fnv1a_64(const uint8_t *p, size_t len)
{
	/* nutcracker's quirk: a 32-bit hash with the 64-bit constants cut to
	 * 32 bits, not the low half of FNV-1a 64. */
	uint32_t h = (uint32_t)FNV_64_INIT;

	while (len--)
		h = (h ^ widen32(*p++)) * (uint32_t)FNV_64_PRIME;
	return h;
}

static uint32_t fnv1_64(const uint8_t *p, size_t len)
{
	uint64_t h = FNV_64_INIT;

	while (len--)
		h = (h * FNV_64_PRIME) ^ (uint64_t)(int64_t)(int8_t)*p++;
	return (uint32_t)h;
}

static uint32_t fnv1a_32(const uint8_t *p, size_t len)
{
	uint32_t h = FNV_32_INIT;

	while (len--)
		h = (h ^ widen32(*p++)) * FNV_32_PRIME;
	return h;
}

static uint32_t fnv1_32(const uint8_t *p, size_t len)
{
	uint32_t h = FNV_32_INIT;

	while (len--)
		h = (h * FNV_32_PRIME) ^ widen32(*p++);
	return h;
}

static uint32_t one_at_a_time(const uint8_t *p, size_t len)
{
	uint32_t h = 0;

	while (len--) {
		h += widen32(*p++);
		h += h << 10;
		h ^= h >> 6;
	}
	h += h << 3;
	h ^= h >> 11;
	h += h << 15;
	return h;
}

/* Four bytes as a little-endian word: how x86 loads the words that
 * ketama_hash, murmur and jenkins read from memory. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

/* Word `alignment` (0..3) of an MD5 digest, as nutcracker's ketama_hash. */
static uint32_t digest_word(const uint8_t d[16], unsigned int alignment)
{
	return le32(d + 4 * alignment);
}

static uint32_t md5_hash(const uint8_t *p, size_t len)
{
	uint8_t d[16];

	keyslot_md5(p, len, d);
	return digest_word(d, 0);
}

/* nutcracker's crc16 never masks its register: the bits shifted past 16
 * stay in the 32-bit result. */
static uint32_t crc16_nutcracker(const uint8_t *p, size_t len)
{
	uint32_t crc = 0;

	pthread_once(&luts_once, fill_luts);
	while (len--)
		crc = (crc << 8) ^ crc16_lut[(uint8_t)((crc >> 8) ^ *p++)];
	return crc;
}

static uint32_t crc32_raw(const uint8_t *p, size_t len)
{
	uint32_t crc = UINT32_MAX;

	pthread_once(&luts_once, fill_luts);
	while (len--)
		crc = (crc >> 8) ^ crc32_lut[(uint8_t)(crc ^ *p++)];
	return ~crc;
}

/* Paul Hsieh's SuperFastHash, as nutcracker's hash_hsieh: 16-bit
 * little-endian reads (nutcracker's byte-wise get16bits off i386). */
static uint32_t hsieh(const uint8_t *p, size_t len)
{
	uint32_t h = 0;

	for (size_t n = len / 4; n; n--, p += 4) {
		h += le16(p);
		h = (h << 16) ^ (le16(p + 2) << 11) ^ h;
		h += h >> 11;
	}
	switch (len & 3) {
	case 3:
		h += le16(p);
		h ^= h << 16;
		/* nutcracker's quirk: this one byte is read as a signed char,
		 * so above 0x7f its sign bits land in bits 26-31. */
		h ^= widen32(p[2]) << 18;
		h += h >> 11;
		break;
	case 2:
		h += le16(p);
		h ^= h << 11;
		h += h >> 17;
		break;
	case 1:
		h += p[0];
		h ^= h << 10;
		h += h >> 1;
		break;
	}
	/* The final avalanche; it keeps an empty key at 0, the value
	 * nutcracker returns for one without computing it. */
	h ^= h << 3;
	h += h >> 5;
	h ^= h << 4;
	h += h >> 17;
	h ^= h << 25;
	h += h >> 6;
	return h;
}

#define MURMUR_M 0x5bd1e995u

/* MurmurHash2, as nutcracker's hash_murmur (and Debian's endian-neutral
 * patch of it, the same on x86). */
static uint32_t murmur(const uint8_t *p, size_t len)
{
	uint32_t n = (uint32_t)len;
	/* nutcracker's quirk: the seed is not a constant but 0xdeadbeef
	 * times the length, then xored with the length as usual. */
	uint32_t h = (0xdeadbeefu * n) ^ n;

	for (; len >= 4; len -= 4, p += 4) {
		uint32_t k = le32(p) * MURMUR_M;

		k ^= k >> 24;
		h = (h * MURMUR_M) ^ (k * MURMUR_M);
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		h ^= p[0];
		h *= MURMUR_M;
	}
	h ^= h >> 13;
	h *= MURMUR_M;
	h ^= h >> 15;
	return h;
}

/* lookup3's mix step, x -= z; x ^= z <<< r; z += y. */
static void lookup3_mix_step(uint32_t *x, uint32_t y, uint32_t *z,
			     unsigned int r)
{
	*x -= *z;
	*x ^= rotl32(*z, r);
	*z += y;
}

/* lookup3's final step, x ^= y; x -= y <<< r. */
static void lookup3_final_step(uint32_t *x, uint32_t y, unsigned int r)
{
	*x ^= y;
	*x -= rotl32(y, r);
}

#define JENKINS_INITVAL 13 /* nutcracker's initval */

/*
 * Bob Jenkins' lookup3 hashlittle(), as nutcracker's hash_jenkins. Its word
 * and half-word paths for aligned keys give the bytes' little-endian value
 * (the bytes past the end masked off), so reading bytes matches them all.
 */
static uint32_t jenkins(const uint8_t *p, size_t len)
{
	uint32_t a, b, c;
	uint8_t tail[12] = { 0 };

	a = b = c = 0xdeadbeefu + (uint32_t)len + JENKINS_INITVAL;
	if (len == 0)
		return c; /* lookup3 skips the final mix */
	while (len > 12) {
		a += le32(p);
		b += le32(p + 4);
		c += le32(p + 8);
		lookup3_mix_step(&a, b, &c, 4);
		lookup3_mix_step(&b, c, &a, 6);
		lookup3_mix_step(&c, a, &b, 8);
		lookup3_mix_step(&a, b, &c, 16);
		lookup3_mix_step(&b, c, &a, 19);
		lookup3_mix_step(&c, a, &b, 4);
		len -= 12;
		p += 12;
	}
	/* The last 1..12 bytes, zero-padded: what the masks leave. */
	memcpy(tail, p, len);
	a += le32(tail);
	b += le32(tail + 4);
	c += le32(tail + 8);
	lookup3_final_step(&c, b, 14);
	lookup3_final_step(&a, c, 11);
	lookup3_final_step(&b, a, 25);
	lookup3_final_step(&c, b, 16);
	lookup3_final_step(&a, c, 4);
	lookup3_final_step(&b, a, 14);
	lookup3_final_step(&c, b, 24);
	return c;
}

uint32_t keyslot_hash(enum config_hash hash, const void *key, size_t len)
{
	const uint8_t *p = key;

	switch (hash) {
	case CONFIG_HASH_FNV1A_64:
		return fnv1a_64(p, len);
	case CONFIG_HASH_FNV1_64:
		return fnv1_64(p, len);
	case CONFIG_HASH_FNV1A_32:
		return fnv1a_32(p, len);
	case CONFIG_HASH_FNV1_32:
		return fnv1_32(p, len);
	case CONFIG_HASH_MD5:
		return md5_hash(p, len);
	case CONFIG_HASH_CRC16:
		return crc16_nutcracker(p, len);
	case CONFIG_HASH_CRC32:
		/* libmemcached's variant, kept by twemproxy: 15 bits. */
		return (crc32_raw(p, len) >> 16) & 0x7fff;
	case CONFIG_HASH_CRC32A:
		return crc32_raw(p, len);
	case CONFIG_HASH_HSIEH:
		return hsieh(p, len);
	case CONFIG_HASH_MURMUR:
		return murmur(p, len);
	case CONFIG_HASH_JENKINS:
		return jenkins(p, len);
	case CONFIG_HASH_ONE_AT_A_TIME:
		return one_at_a_time(p, len);
	}
	/* Not an enum config_hash: config_parse never stores one, so only a
	 * struct config corrupted or built by hand gets here. */
	abort();
}

/*
 * nutcracker's server_pool_idx before the dispatch: with a hash tag (`tag`,
 * "" for none), only the key's tagged part is hashed; server_pool_hash then
 * gives an empty key 0 without hashing it.
 */
static uint32_t pool_hash(enum config_hash hash, const char *tag,
			  const void *key, size_t len)
{
	if (tag[0])
		key = keyslot_tag(key, len, tag[0], tag[1], &len);
	return len ? keyslot_hash(hash, key, len) : 0;
}

/* ---- ketama ------------------------------------------------------------ */

static int compare_points(const void *a, const void *b)
{
	const struct keyslot_point *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* Points of one shard, computed with nutcracker's float arithmetic so the
 * rounding is the same: floor(share * 160 / 4 * n + 1e-10) * 4. */
static uint32_t shard_points(uint32_t weight, uint32_t total, size_t n)
{
	float pct = (float)weight / (float)total;
	float quarter = (float)(pct * KEYSLOT_POINTS_PER_SERVER / 4 *
				(float)n + 0.0000000001);

	return (uint32_t)quarter * KETAMA_POINTS_PER_HASH;
}

int keyslot_ring_build(struct keyslot_ring *ring, const struct config *cfg,
		       char *err, size_t errlen)
{
	uint32_t total = 0;
	size_t n = cfg->nshards;

	ring->hash = cfg->hash;
	memcpy(ring->hash_tag, cfg->hash_tag, sizeof(ring->hash_tag));
	ring->nshards = n;
	ring->npoints = 0;
	if (n == 0)
		return errmsg_fail(err, errlen, EINVAL, "%s: no shards",
			    cfg->path);
	for (size_t i = 0; i < n; i++) {
		if (cfg->shards[i].weight == 0)
			return errmsg_fail(err, errlen, EINVAL,
				    "%s:%d: shard '%s' has weight 0",
				    cfg->path, cfg->shards[i].line,
				    cfg->shards[i].name);
		total += cfg->shards[i].weight;
	}
	for (size_t i = 0; i < n; i++) {
		const struct config_shard *s = &cfg->shards[i];
		uint32_t points = shard_points(s->weight, total, n);

		if (ring->npoints + points > KEYSLOT_RING_MAX)
			return errmsg_fail(err, errlen, EINVAL,
				    "%s: ketama ring over %d points",
				    cfg->path, KEYSLOT_RING_MAX);
		for (uint32_t p = 0; p < points / KETAMA_POINTS_PER_HASH; p++) {
			char host[RH_SHARD_NAME_MAX + 16];
			int hostlen = snprintf(host, sizeof(host), "%s-%u",
					       s->name, p);
			uint8_t d[16];

			if (hostlen < 0 || (size_t)hostlen >= sizeof(host))
				return errmsg_fail(err, errlen, EINVAL,
					    "%s: shard name '%s' too long",
					    cfg->path, s->name);
			keyslot_md5(host, (size_t)hostlen, d);
			for (unsigned int x = 0; x < KETAMA_POINTS_PER_HASH;
			     x++)
				ring->points[ring->npoints++] =
					(struct keyslot_point){
						.value = digest_word(d, x),
						.shard = (uint32_t)i,
					};
		}
	}
	qsort(ring->points, ring->npoints, sizeof(ring->points[0]),
	      compare_points);
	return 0;
}

size_t keyslot_ring_lookup(const struct keyslot_ring *ring, const void *key,
			   size_t len)
{
	size_t left = 0, right = ring->npoints;
	uint32_t hash;

	/* nutcracker: one server takes everything, unhashed. */
	if (ring->nshards <= 1 || ring->npoints == 0)
		return 0;
	hash = pool_hash(ring->hash, ring->hash_tag, key, len);
	/* The first point at or above the hash, wrapping to the first. */
	while (left < right) {
		size_t mid = left + (right - left) / 2;

		if (ring->points[mid].value < hash)
			left = mid + 1;
		else
			right = mid;
	}
	if (right == ring->npoints)
		right = 0;
	return ring->points[right].shard;
}

/*
 * nutcracker's modula_update gives each server `weight` consecutive entries
 * of the continuum, in config order, and modula_dispatch takes entry hash mod
 * their number: walking the weights finds that entry's shard without the
 * table.
 */
static int modula_shard(const struct config *cfg, uint32_t hash, size_t *shard)
{
	uint32_t total = 0, entry;

	for (size_t i = 0; i < cfg->nshards; i++)
		total += cfg->shards[i].weight;
	if (total == 0)
		return -EINVAL;
	entry = hash % total;
	for (size_t i = 0;; i++) {
		if (entry < cfg->shards[i].weight) {
			*shard = i;
			return 0;
		}
		entry -= cfg->shards[i].weight;
	}
}

int keyslot_shard(const struct config *cfg, const struct keyslot_ring *ring,
		  const void *key, size_t len, size_t *shard)
{
	uint16_t slot, first, last;

	if (cfg->nshards == 0)
		return -EINVAL;
	switch (cfg->distribution) {
	case CONFIG_DIST_KETAMA:
		if (!ring)
			return -EINVAL;
		*shard = keyslot_ring_lookup(ring, key, len);
		return 0;
	case CONFIG_DIST_MODULA:
		return modula_shard(cfg,
				    pool_hash(cfg->hash, cfg->hash_tag, key,
					      len),
				    shard);
	case CONFIG_DIST_SLOTS:
		break;
	}
	slot = keyslot_crc16(key, len);
	for (size_t i = 0; i < cfg->nshards; i++) {
		config_shard_slots(cfg, i, &first, &last);
		if (slot >= first && slot <= last) {
			*shard = i;
			return 0;
		}
	}
	return -EINVAL;
}
