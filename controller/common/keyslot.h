/*
 * keyslot: which shard a key belongs to (DESIGN.md §3). Three
 * distributions: Redis Cluster's hash slots (CRC16 of the key or its
 * {hashtag}, mod 16384, then the shard whose slot range holds the slot), and
 * twemproxy's `ketama` ring and `modula`, with its hashes and hash_tag,
 * rebuilt here from the shard names and weights so a nutcracker pool moves
 * to redisha with every key on the shard it is on. Nothing here allocates: a
 * ring is a fixed-size struct its caller owns.
 */
#ifndef REDISHA_KEYSLOT_H
#define REDISHA_KEYSLOT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define KEYSLOT_POINTS_PER_SERVER 160 /* twemproxy's, at weight 1 */
/* Points of a ring: at most 160 per shard at the average weight (the
 * floors of the shares sum to no more), plus slack for float rounding. */
#define KEYSLOT_RING_MAX (RH_MAX_SHARDS * KEYSLOT_POINTS_PER_SERVER + 64)
#define KEYSLOT_ERR_MAX 256

struct keyslot_point {
	uint32_t value;
	uint32_t shard; /* index into config.shards */
};

/* A ketama continuum, sorted by value, with what hashes a key onto it. */
struct keyslot_ring {
	enum config_hash hash;
	char hash_tag[CONFIG_HASH_TAG_LEN + 1]; /* as config.hash_tag */
	size_t nshards;
	size_t npoints;
	struct keyslot_point points[KEYSLOT_RING_MAX];
};

/*
 * The part of a key that is hashed under the tag open..close: what lies
 * between the first `open` and the first `close` after it when that is not
 * empty, else the whole key; its length into *part_len. Redis Cluster's
 * rule with '{' '}', and nutcracker's hash_tag with any two characters (the
 * two may be the same). Cannot fail.
 */
const void *keyslot_tag(const void *key, size_t len, char open, char close,
			size_t *part_len);

/*
 * Redis Cluster's slot of a key: CRC16-XMODEM of the key, or of its
 * {hashtag} (keyslot_tag), mod 16384. Cannot fail.
 */
uint16_t keyslot_crc16(const void *key, size_t len);

/*
 * twemproxy's hash `hash` of a key, as nutcracker 0.5 computes it on x86,
 * quirks included (fnv1a_64 is a 32-bit FNV with truncated constants; bytes
 * >= 0x80 are sign-extended as x86's signed char where nutcracker reads
 * them as char; murmur is seeded with the key's length). `hash` must be an
 * enum config_hash value.
 */
uint32_t keyslot_hash(enum config_hash hash, const void *key, size_t len);

/*
 * Build the ketama ring of cfg's shards (names, weights, cfg->hash,
 * cfg->hash_tag) into `ring`, as nutcracker's ketama_update does with every
 * server live. Returns 0 or -EINVAL (no shards, a zero weight, too many
 * points), with the reason in `err`. Call once per configuration; the ring
 * is then read-only and may be shared.
 */
int keyslot_ring_build(struct keyslot_ring *ring, const struct config *cfg,
		       char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The shard index of a key on a built ring (nutcracker's server_pool_idx
 * with ketama_dispatch: the key's hash-tag part, if any, is hashed). Cannot
 * fail. */
size_t keyslot_ring_lookup(const struct keyslot_ring *ring, const void *key,
			   size_t len);

/*
 * The shard index of a key under cfg->distribution into *shard. `ring` is
 * the ring keyslot_ring_build made from cfg for ketama; slots and modula
 * need none and ignore it (NULL is fine). Returns 0, or -EINVAL when cfg
 * has no shards, a ketama config comes without a ring, or no shard holds
 * the slot or the modula entry (a config that did not come from
 * config_load).
 */
int keyslot_shard(const struct config *cfg, const struct keyslot_ring *ring,
		  const void *key, size_t len, size_t *shard)
	__attribute__((warn_unused_result));

/* The MD5 digest (RFC 1321) of `len` bytes into `out`. Cannot fail. */
void keyslot_md5(const void *data, size_t len, uint8_t out[16]);

#endif /* REDISHA_KEYSLOT_H */
