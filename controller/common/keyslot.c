#include "keyslot.h"

#include "errmsg.h"

#include <errno.h>
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

static uint16_t crc16_table(uint8_t idx)
{
	uint16_t t = (uint16_t)(idx << 8);

	for (int i = 0; i < 8; i++)
		t = (uint16_t)((t & 0x8000) ? (t << 1) ^ CRC16_POLY : t << 1);
	return t;
}

static uint32_t crc32_table(uint8_t idx)
{
	uint32_t t = idx;

	for (int i = 0; i < 8; i++)
		t = (t & 1) ? (t >> 1) ^ CRC32_POLY : t >> 1;
	return t;
}

static uint16_t crc16(const uint8_t *p, size_t len)
{
	uint16_t crc = 0;

	while (len--)
		crc = (uint16_t)((crc << 8) ^
				 crc16_table((uint8_t)((crc >> 8) ^ *p++)));
	return crc;
}

uint16_t keyslot_crc16(const void *key, size_t len)
{
	const uint8_t *k = key, *open, *close;

	/* Redis cluster spec: the first '{', the first '}' after it, and
	 * only when something lies between them. */
	open = memchr(k, '{', len);
	if (open) {
		size_t rest = len - (size_t)(open - k) - 1;

		close = memchr(open + 1, '}', rest);
		if (close && close > open + 1)
			return crc16(open + 1, (size_t)(close - open - 1)) &
			       (CONFIG_SLOTS - 1);
	}
	return crc16(k, len) & (CONFIG_SLOTS - 1);
}

/* ---- twemproxy's hashes ------------------------------------------------ */

/* twemproxy reads keys as `const char` and widens each byte: signed on
 * x86, so bytes >= 0x80 become 0xffffff80.. before they are mixed in. */
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

/* The first four digest bytes, little-endian (ketama_hash at alignment 0). */
static uint32_t digest_word(const uint8_t d[16], unsigned int alignment)
{
	const uint8_t *w = d + 4 * alignment;

	return (uint32_t)w[3] << 24 | (uint32_t)w[2] << 16 |
	       (uint32_t)w[1] << 8 | w[0];
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

	while (len--)
		crc = (crc << 8) ^ crc16_table((uint8_t)((crc >> 8) ^ *p++));
	return crc;
}

static uint32_t crc32_raw(const uint8_t *p, size_t len)
{
	uint32_t crc = UINT32_MAX;

	while (len--)
		crc = (crc >> 8) ^ crc32_table((uint8_t)(crc ^ *p++));
	return ~crc;
}

int keyslot_hash(enum config_hash hash, const void *key, size_t len,
		 uint32_t *out)
{
	const uint8_t *p = key;

	switch (hash) {
	case CONFIG_HASH_FNV1A_64:
		*out = fnv1a_64(p, len);
		return 0;
	case CONFIG_HASH_FNV1_64:
		*out = fnv1_64(p, len);
		return 0;
	case CONFIG_HASH_FNV1A_32:
		*out = fnv1a_32(p, len);
		return 0;
	case CONFIG_HASH_FNV1_32:
		*out = fnv1_32(p, len);
		return 0;
	case CONFIG_HASH_MD5:
		*out = md5_hash(p, len);
		return 0;
	case CONFIG_HASH_CRC16:
		*out = crc16_nutcracker(p, len);
		return 0;
	case CONFIG_HASH_CRC32:
		/* libmemcached's variant, kept by twemproxy: 15 bits. */
		*out = (crc32_raw(p, len) >> 16) & 0x7fff;
		return 0;
	case CONFIG_HASH_CRC32A:
		*out = crc32_raw(p, len);
		return 0;
	case CONFIG_HASH_ONE_AT_A_TIME:
		*out = one_at_a_time(p, len);
		return 0;
	case CONFIG_HASH_HSIEH:
	case CONFIG_HASH_MURMUR:
	case CONFIG_HASH_JENKINS:
		break;
	}
	return -ENOTSUP;
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
	uint32_t total = 0, probe;
	size_t n = cfg->nshards;

	ring->hash = cfg->hash;
	ring->nshards = n;
	ring->npoints = 0;
	if (keyslot_hash(cfg->hash, "", 0, &probe))
		return errmsg_fail(err, errlen, ENOTSUP,
			    "%s: hash %s is not supported by redisha (use "
			    "fnv1a_64, fnv1_64, fnv1a_32, fnv1_32, md5, crc16, "
			    "crc32, crc32a or one_at_a_time)",
			    cfg->path, config_hash_name(cfg->hash));
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
	uint32_t hash = 0;

	/* nutcracker: one server takes everything; an empty key hashes to 0. */
	if (ring->nshards <= 1 || ring->npoints == 0)
		return 0;
	if (len && keyslot_hash(ring->hash, key, len, &hash))
		return 0; /* unreachable: the ring was built with this hash */
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

int keyslot_shard(const struct config *cfg, const struct keyslot_ring *ring,
		  const void *key, size_t len, size_t *shard)
{
	uint16_t slot, first, last;

	if (cfg->nshards == 0)
		return -EINVAL;
	if (cfg->distribution == CONFIG_DIST_KETAMA) {
		if (!ring)
			return -EINVAL;
		*shard = keyslot_ring_lookup(ring, key, len);
		return 0;
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
