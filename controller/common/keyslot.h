/*
 * keyslot: which shard a key belongs to (DESIGN.md §3). Two distributions:
 * Redis Cluster's hash slots (CRC16 of the key or its {hashtag}, mod 16384,
 * then the shard whose slot range holds the slot) and twemproxy's `ketama`
 * ring, rebuilt here point for point from the shard names and weights so a
 * nutcracker pool moves to redisha with every key on the shard it is on.
 * Nothing here allocates: a ring is a fixed-size struct its caller owns.
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

/* A ketama continuum, sorted by value. */
struct keyslot_ring {
	enum config_hash hash;
	size_t nshards;
	size_t npoints;
	struct keyslot_point points[KEYSLOT_RING_MAX];
};

/*
 * Redis Cluster's slot of a key: CRC16-XMODEM of the key, or of the part
 * between the first '{' and the next '}' when that part is non-empty,
 * mod 16384. Cannot fail.
 */
uint16_t keyslot_crc16(const void *key, size_t len);

/*
 * twemproxy's hash `hash` of a key, with its quirks (fnv1a_64 is a 32-bit
 * FNV with truncated constants; bytes >= 0x80 are sign-extended as on
 * x86's signed char). Returns 0 with *out, or -ENOTSUP for hsieh, murmur
 * and jenkins, which are not implemented.
 */
int keyslot_hash(enum config_hash hash, const void *key, size_t len,
		 uint32_t *out) __attribute__((warn_unused_result));

/*
 * Build the ketama ring of cfg's shards (names, weights, cfg->hash) into
 * `ring`, as nutcracker's ketama_update does with every server live.
 * Returns 0, -ENOTSUP (an unimplemented hash) or -EINVAL (no shards, a
 * zero weight, too many points), with the reason in `err`. Call once per
 * configuration; the ring is then read-only and may be shared.
 */
int keyslot_ring_build(struct keyslot_ring *ring, const struct config *cfg,
		       char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The shard index of a key on a built ring (nutcracker's ketama_dispatch).
 * Cannot fail. */
size_t keyslot_ring_lookup(const struct keyslot_ring *ring, const void *key,
			   size_t len);

/*
 * The shard index of a key under cfg->distribution into *shard. `ring` is
 * the ring keyslot_ring_build made from cfg for ketama, and may be NULL for
 * slots. Returns 0, or -EINVAL when cfg has no shards, a ketama config
 * comes without a ring, or no shard holds the slot (a config that did not
 * come from config_load).
 */
int keyslot_shard(const struct config *cfg, const struct keyslot_ring *ring,
		  const void *key, size_t len, size_t *shard)
	__attribute__((warn_unused_result));

/* The MD5 digest (RFC 1321) of `len` bytes into `out`. Cannot fail. */
void keyslot_md5(const void *data, size_t len, uint8_t out[16]);

#endif /* REDISHA_KEYSLOT_H */
