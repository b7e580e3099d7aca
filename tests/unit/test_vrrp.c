/*
 * Unit tests for VRRPv3 (RFC 5798): the packet codec (vrrp_packet.c)
 * against adverts captured from keepalived and against crafted bad
 * packets, and the state machine (vrrp.c) driven by a fake clock.
 * Addresses come from 198.18.0.0/15.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vrrp.h"
#include "vrrp_packet.h"

#define IP_HDR 20

/*
 * Adverts sent by Debian 12's keepalived 2.2.7, captured as follows: in a
 * network namespace of their own (rhv-test-<pid>, deleted afterwards), a
 * veth pair veth0 (198.18.0.1/24) and veth1 (198.18.0.2/24); keepalived in
 * the foreground (`keepalived -n -l -D -P -f ...`) on veth0 with
 * vrrp_version 3 and one vrrp_instance: state BACKUP, virtual_router_id 51,
 * priority 100. It became master after 3 * 1 s + skew and the frames were
 * read off veth1 with an AF_PACKET socket (a throwaway Python script), the
 * Ethernet header cut off; then keepalived got SIGTERM and sent the
 * priority 0 advert ("sent 0 priority" in its log).
 *
 * Multicast: advert_int 1, virtual_ipaddress 198.18.0.100 and .101, to
 * 224.0.0.18.
 */
static const uint8_t ka_mcast[] = {
	0x45, 0xc0, 0x00, 0x24, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70,
	0x14, 0x83, 0xc6, 0x12, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x12,
	0x31, 0x33, 0x64, 0x02, 0x00, 0x64, 0x36, 0xd1, 0xc6, 0x12,
	0x00, 0x64, 0xc6, 0x12, 0x00, 0x65,
};
static const uint8_t ka_mcast_stop[] = {
	0x45, 0xc0, 0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0xff, 0x70,
	0x14, 0x80, 0xc6, 0x12, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x12,
	0x31, 0x33, 0x00, 0x02, 0x00, 0x64, 0x9a, 0xd1, 0xc6, 0x12,
	0x00, 0x64, 0xc6, 0x12, 0x00, 0x65,
};
/*
 * Unicast: advert_int 0.1, unicast_src_ip 198.18.0.1, unicast_peer
 * 198.18.0.3 (a static neighbour entry pointing at veth1's MAC, so the
 * adverts left through veth1's peer), virtual_ipaddress 198.18.0.100. The
 * pseudo-header holds the unicast destination, not 224.0.0.18.
 */
static const uint8_t ka_ucast[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70,
	0x2e, 0x84, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x03,
	0x31, 0x33, 0x64, 0x01, 0x00, 0x0a, 0x17, 0xa5, 0xc6, 0x12,
	0x00, 0x64,
};
static const uint8_t ka_ucast_stop[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x04, 0x00, 0x00, 0xff, 0x70,
	0x2e, 0x81, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x03,
	0x31, 0x33, 0x00, 0x01, 0x00, 0x0a, 0x7b, 0xa5, 0xc6, 0x12,
	0x00, 0x64,
};

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint32_t mcast(void)
{
	return htonl(VRRP_MCAST_GROUP);
}

/* ---- packets ---------------------------------------------------------- */

/* The checksum again, written apart from vrrp_packet.c so that each checks
 * the other: RFC 1071 over the IPv4 pseudo-header and the VRRP message of
 * an IP packet built by wrap(). */
static void fix_csum(uint8_t *pkt)
{
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
	size_t n = ((size_t)pkt[2] << 8 | pkt[3]) - ihl;
	uint8_t *v = pkt + ihl;
	uint32_t sum = 0;

	v[6] = v[7] = 0;
	for (size_t i = 12; i < 20; i += 2)
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	sum += VRRP_IPPROTO + (uint32_t)n;
	for (size_t i = 0; i < n; i += 2)
		sum += (uint32_t)v[i] << 8 | v[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	v[6] = (uint8_t)(~sum >> 8);
	v[7] = (uint8_t)~sum;
}

/* An IPv4 header as the kernel writes it (IHL 5 + opt_words), then msg. */
static size_t wrap(uint8_t *pkt, uint32_t src, uint32_t dst, const uint8_t *msg,
		   size_t n, size_t opt_words)
{
	size_t ihl = IP_HDR + 4 * opt_words;
	size_t tot = ihl + n;

	memset(pkt, 0, ihl);
	pkt[0] = (uint8_t)(0x40 | ihl / 4);
	pkt[1] = 0xc0;
	pkt[2] = (uint8_t)(tot >> 8);
	pkt[3] = (uint8_t)tot;
	pkt[8] = VRRP_TTL;
	pkt[9] = VRRP_IPPROTO;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	if (opt_words)
		memset(pkt + IP_HDR, 1, 4 * opt_words); /* NOP options */
	memcpy(pkt + ihl, msg, n);
	return tot;
}

/* A valid advert for the drop tests: VRID 51, priority 100, two VIPs. */
static size_t good_packet(uint8_t *pkt)
{
	struct vrrp_advert a = { .vrid = 51, .priority = 100, .advert_cs = 100,
				 .naddrs = 2 };
	uint8_t msg[VRRP_MAX_LEN];
	int n;

	a.addrs[0] = ip4("198.18.0.100");
	a.addrs[1] = ip4("198.18.0.101");
	n = vrrp_encode(&a, ip4("198.18.0.1"), mcast(), msg, sizeof(msg));
	assert_int_equal(n, 16);
	return wrap(pkt, ip4("198.18.0.1"), mcast(), msg, (size_t)n, 0);
}

/* Decode len bytes from a heap copy of exactly that size, so that ASan
 * sees any read past the end; the reason it gave. */
static enum vrrp_drop decode_copy(const uint8_t *pkt, size_t len,
				  struct vrrp_advert *out, uint32_t *src)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum vrrp_drop why = VRRP_DROP_COUNT;
	int rc;

	assert_non_null(copy);
	memcpy(copy, pkt, len);
	rc = vrrp_decode(copy, len, out, src, &why);
	free(copy);
	assert_int_equal(rc, why == VRRP_DROP_NONE ? 0 : -EINVAL);
	return why;
}

static enum vrrp_drop drop_of(const uint8_t *pkt, size_t len)
{
	struct vrrp_advert out;
	uint32_t src;

	return decode_copy(pkt, len, &out, &src);
}

/* Decode a keepalived advert, then encode the same fields for the same
 * addresses: the VRRP bytes must be keepalived's own. */
static void check_keepalived(const uint8_t *pkt, size_t len, uint8_t prio,
			     uint16_t cs, size_t naddrs)
{
	struct vrrp_advert a;
	uint32_t src, dst;
	uint8_t msg[VRRP_MAX_LEN];
	int n;

	assert_int_equal(decode_copy(pkt, len, &a, &src), VRRP_DROP_NONE);
	assert_int_equal(src, ip4("198.18.0.1"));
	assert_int_equal(a.vrid, 51);
	assert_int_equal(a.priority, prio);
	assert_int_equal(a.advert_cs, cs);
	assert_int_equal(a.naddrs, naddrs);
	assert_int_equal(a.addrs[0], ip4("198.18.0.100"));
	if (naddrs > 1)
		assert_int_equal(a.addrs[1], ip4("198.18.0.101"));
	memcpy(&dst, pkt + 16, 4);
	n = vrrp_encode(&a, src, dst, msg, sizeof(msg));
	assert_int_equal(n, (int)(len - IP_HDR));
	assert_memory_equal(msg, pkt + IP_HDR, (size_t)n);
}

static void test_keepalived_multicast(void **state)
{
	(void)state;
	check_keepalived(ka_mcast, sizeof(ka_mcast), 100, 100, 2);
	check_keepalived(ka_mcast_stop, sizeof(ka_mcast_stop), 0, 100, 2);
}

static void test_keepalived_unicast(void **state)
{
	struct vrrp_advert a;
	uint32_t src;
	uint8_t pkt[64], msg[VRRP_MAX_LEN];
	int n;

	(void)state;
	check_keepalived(ka_ucast, sizeof(ka_ucast), 100, 10, 1);
	check_keepalived(ka_ucast_stop, sizeof(ka_ucast_stop), 0, 10, 1);
	/* keepalived before 1.3.7 (or with old_unicast_checksum) sums
	 * 224.0.0.18 into a unicast advert's pseudo-header: not accepted. */
	assert_int_equal(decode_copy(ka_ucast, sizeof(ka_ucast), &a, &src),
			 VRRP_DROP_NONE);
	n = vrrp_encode(&a, src, mcast(), msg, sizeof(msg));
	assert_int_equal(n, 12);
	assert_memory_not_equal(msg, ka_ucast + IP_HDR, 12);
	assert_int_equal(wrap(pkt, src, ip4("198.18.0.3"), msg, (size_t)n, 0),
			 sizeof(ka_ucast));
	assert_int_equal(drop_of(pkt, sizeof(ka_ucast)), VRRP_DROP_CHECKSUM);
}

static void round_trip(const struct vrrp_advert *a, size_t opt_words)
{
	uint8_t msg[VRRP_MAX_LEN], pkt[IP_HDR + 40 + VRRP_MAX_LEN];
	struct vrrp_advert out;
	uint32_t src = ip4("198.18.0.2"), got_src = 0;
	size_t len;
	int n;

	n = vrrp_encode(a, src, mcast(), msg, sizeof(msg));
	assert_int_equal(n, VRRP_HDR_LEN + 4 * (int)a->naddrs);
	len = wrap(pkt, src, mcast(), msg, (size_t)n, opt_words);
	memset(&out, 0xaa, sizeof(out));
	assert_int_equal(decode_copy(pkt, len, &out, &got_src), VRRP_DROP_NONE);
	assert_int_equal(got_src, src);
	assert_int_equal(out.vrid, a->vrid);
	assert_int_equal(out.priority, a->priority);
	assert_int_equal(out.advert_cs, a->advert_cs);
	assert_int_equal(out.naddrs, a->naddrs);
	if (a->naddrs)
		assert_memory_equal(out.addrs, a->addrs, 4 * a->naddrs);
	/* fix_csum agrees with vrrp_encode's checksum */
	fix_csum(pkt);
	assert_memory_equal(pkt + len - (size_t)n, msg, (size_t)n);
}

static void test_round_trip(void **state)
{
	static const struct {
		uint8_t vrid, prio;
		uint16_t cs;
		size_t naddrs, opt_words;
	} cases[] = {
		{ 1, 100, 1, 1, 0 },
		{ 255, 255, 0xfff, 3, 0 },
		{ 51, 0, 100, 2, 0 },
		{ 7, 1, 10, 0, 0 },
		{ 51, 150, 100, 1, 1 },
		{ 51, 150, 100, 1, 10 },
		{ 42, 254, 2000, VRRP_MAX_ADDRS, 0 },
	};
	struct vrrp_advert a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.vrid = cases[i].vrid;
		a.priority = cases[i].prio;
		a.advert_cs = cases[i].cs;
		a.naddrs = cases[i].naddrs;
		for (size_t j = 0; j < a.naddrs; j++)
			a.addrs[j] = htonl(0xc6120000u + (uint32_t)j * 257);
		round_trip(&a, cases[i].opt_words);
	}
}

static void test_encode_errors(void **state)
{
	struct vrrp_advert a = { .vrid = 51, .priority = 100, .advert_cs = 100,
				 .naddrs = 2 };
	uint8_t msg[VRRP_MAX_LEN];
	uint32_t s = ip4("198.18.0.1");

	(void)state;
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, 15), -ENOSPC);
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, 0), -ENOSPC);
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, 16), 16);
	a.vrid = 0;
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, sizeof(msg)),
			 -EINVAL);
	a.vrid = 51;
	a.advert_cs = 0;
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, sizeof(msg)),
			 -EINVAL);
	a.advert_cs = VRRP_MAX_ADVERT_CS + 1;
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, sizeof(msg)),
			 -EINVAL);
	a.advert_cs = 100;
	a.naddrs = VRRP_MAX_ADDRS + 1;
	assert_int_equal(vrrp_encode(&a, s, mcast(), msg, sizeof(msg)),
			 -EINVAL);
}

static void test_drop_ttl(void **state)
{
	static const uint8_t ttls[] = { 0, 1, 64, 254 };
	uint8_t pkt[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(ttls); i++) {
		len = good_packet(pkt);
		pkt[8] = ttls[i];
		assert_int_equal(drop_of(pkt, len), VRRP_DROP_TTL);
	}
}

static void test_drop_version_and_type(void **state)
{
	uint8_t pkt[64];
	size_t len;

	(void)state;
	/* VRRPv2 (RFC 3768), checksum valid for the packet as it is */
	len = good_packet(pkt);
	pkt[IP_HDR] = 0x21;
	fix_csum(pkt);
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_VERSION);
	pkt[IP_HDR] = 0x41;
	fix_csum(pkt);
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_VERSION);
	/* type 2 (none is defined but 1) and 0 */
	len = good_packet(pkt);
	pkt[IP_HDR] = 0x32;
	fix_csum(pkt);
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_TYPE);
	pkt[IP_HDR] = 0x30;
	fix_csum(pkt);
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_TYPE);
}

static void test_drop_checksum(void **state)
{
	struct vrrp_advert a;
	uint32_t src;
	uint8_t pkt[64];
	size_t len;

	(void)state;
	/* a bit flipped in every byte of the VRRP message but the version/
	 * type and count bytes, whose checks come first */
	for (size_t i = IP_HDR + 1; i < IP_HDR + 16; i++) {
		if (i == IP_HDR + 3)
			continue;
		len = good_packet(pkt);
		pkt[i] ^= 0x10;
		assert_int_equal(drop_of(pkt, len), VRRP_DROP_CHECKSUM);
	}
	/* the pseudo-header's source and destination are covered */
	len = good_packet(pkt);
	pkt[15] ^= 1;
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_CHECKSUM);
	len = good_packet(pkt);
	pkt[19] ^= 1;
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_CHECKSUM);
	/* the Rsvd bits are covered by the checksum but ignored in value */
	len = good_packet(pkt);
	pkt[IP_HDR + 4] |= 0xf0;
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_CHECKSUM);
	fix_csum(pkt);
	assert_int_equal(decode_copy(pkt, len, &a, &src), VRRP_DROP_NONE);
	assert_int_equal(a.advert_cs, 100);
}

static void test_drop_addr_count(void **state)
{
	static const uint8_t counts[] = { 0, 1, 3, 4, 255 };
	uint8_t pkt[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(counts); i++) {
		len = good_packet(pkt); /* two addresses */
		pkt[IP_HDR + 3] = counts[i];
		fix_csum(pkt);
		assert_int_equal(drop_of(pkt, len), VRRP_DROP_ADDR_COUNT);
	}
	/* a length that is no whole number of addresses */
	len = good_packet(pkt);
	pkt[3] -= 1;
	assert_int_equal(drop_of(pkt, len - 1), VRRP_DROP_ADDR_COUNT);
}

static void test_drop_proto(void **state)
{
	uint8_t pkt[64];
	size_t len;

	(void)state;
	len = good_packet(pkt);
	pkt[9] = 17;
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_PROTO);
	len = good_packet(pkt);
	pkt[0] = 0x65; /* IP version 6 */
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_PROTO);
}

static void test_drop_short_headers(void **state)
{
	uint8_t pkt[64];
	size_t len;

	(void)state;
	len = good_packet(pkt);
	pkt[0] = 0x44; /* IHL below 5 */
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_SHORT);
	pkt[0] = 0x4f; /* IHL 60 bytes, past the packet */
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_SHORT);
	len = good_packet(pkt);
	pkt[2] = 0;
	pkt[3] = IP_HDR + VRRP_HDR_LEN - 1; /* no room for the VRRP header */
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_SHORT);
	pkt[3] = (uint8_t)(len + 1); /* more than was received */
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_SHORT);
}

/* Every prefix of a valid packet: the IP total length says more than is
 * there, so SHORT; and with the total length rewritten to match the
 * prefix, SHORT while the VRRP header is cut, ADDR_COUNT after. */
static void test_truncated_everywhere(void **state)
{
	uint8_t pkt[64], cut[64];
	size_t len;

	(void)state;
	len = good_packet(pkt);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(drop_of(pkt, n), VRRP_DROP_SHORT);
		memcpy(cut, pkt, n);
		if (n >= 4) {
			cut[2] = 0;
			cut[3] = (uint8_t)n;
		}
		assert_int_equal(drop_of(cut, n), n < IP_HDR + VRRP_HDR_LEN
						      ? VRRP_DROP_SHORT
						      : VRRP_DROP_ADDR_COUNT);
	}
	assert_int_equal(drop_of(pkt, len), VRRP_DROP_NONE);
}

/* Link-layer padding after the IP total length is not part of the packet
 * (a 36-byte packet in a minimum Ethernet frame carries 10 more). */
static void test_padding_ignored(void **state)
{
	uint8_t pkt[64];
	size_t len;

	(void)state;
	len = good_packet(pkt);
	memset(pkt + len, 0xee, 10);
	assert_int_equal(drop_of(pkt, len + 10), VRRP_DROP_NONE);
}

/* Mutations of a valid packet, with a fixed seed: whatever the bytes, a
 * reason in range and no read outside the buffer (ASan). */
static void test_mutations(void **state)
{
	uint8_t pkt[64];
	uint32_t seed = 12345;
	size_t len, accepted = 0;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		len = good_packet(pkt);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			pkt[(seed >> 16) % len] ^= (uint8_t)(seed >> 8);
		}
		seed = seed * 1103515245u + 12345u;
		len -= (seed >> 16) % 3 == 0 ? (seed >> 20) % len : 0;
		enum vrrp_drop why = drop_of(pkt, len);

		assert_true(why < VRRP_DROP_COUNT);
		accepted += why == VRRP_DROP_NONE;
	}
	/* the mutations mostly land where they must be caught */
	assert_true(accepted < 20000 / 2);
}

static void test_drop_names(void **state)
{
	(void)state;
	assert_string_equal(vrrp_drop_name(VRRP_DROP_SHORT), "short");
	assert_string_equal(vrrp_drop_name(VRRP_DROP_TTL), "ttl");
	for (int i = 0; i < VRRP_DROP_COUNT; i++) {
		assert_non_null(vrrp_drop_name(i));
		assert_string_not_equal(vrrp_drop_name(i), "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vrrp_drop_name(i),
						vrrp_drop_name(j));
	}
	assert_string_equal(vrrp_drop_name(VRRP_DROP_COUNT), "unknown");
}

/* ---- state machine ---------------------------------------------------- */

#define ME   "198.18.0.1"
#define PEER "198.18.0.2"
#define T0   1000 /* the fake clock starts here, in ms */

static struct vrrp_actions act;

static void setup_vrrp(struct vrrp *v, uint8_t prio, uint32_t ms,
		       bool nopreempt, const char *addr)
{
	struct vrrp_config cfg = { .vrid = 51, .priority = prio,
				   .advert_ms = ms, .preempt = !nopreempt };

	assert_int_equal(vrrp_init(v, &cfg, ip4(addr)), 0);
	assert_int_equal(v->state, VRRP_INIT);
	assert_int_equal(vrrp_next_deadline(v), UINT64_MAX);
}

static void start(struct vrrp *v, uint8_t prio, uint32_t ms, bool nopreempt)
{
	setup_vrrp(v, prio, ms, nopreempt, ME);
	vrrp_start(v, T0, &act);
}

static void advert(struct vrrp *v, uint8_t prio, uint16_t cs, const char *from,
		   uint64_t now)
{
	struct vrrp_advert a = { .vrid = 51, .priority = prio, .advert_cs = cs,
				 .naddrs = 1 };

	a.addrs[0] = ip4("198.18.0.100");
	vrrp_receive(v, &a, ip4(from), now, &act);
}

static void tick(struct vrrp *v, uint64_t now)
{
	vrrp_tick(v, now, &act);
}

/* Tick at t - 1 (nothing happens) and t (v becomes MASTER). */
static void master_exactly_at(struct vrrp *v, uint64_t t)
{
	assert_int_equal(vrrp_next_deadline(v), t);
	tick(v, t - 1);
	assert_int_equal(v->state, VRRP_BACKUP);
	assert_false(act.send_advert || act.became_master);
	tick(v, t);
	assert_int_equal(v->state, VRRP_MASTER);
	assert_true(act.became_master);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, v->priority);
	assert_int_equal(act.from, VRRP_BACKUP);
	assert_int_equal(act.to, VRRP_MASTER);
	assert_non_null(act.reason);
	assert_int_equal(v->master_addr, v->my_addr);
	assert_int_equal(vrrp_next_deadline(v), t + v->cfg.advert_ms);
}

static void test_skew_arithmetic(void **state)
{
	/* Skew_Time = ((256 - prio) * interval) / 256, truncated to ms;
	 * Master_Down_Interval = 3 * interval + Skew_Time (§6.1). */
	static const struct {
		uint8_t prio;
		uint32_t ms, skew, down;
	} cases[] = {
		{ 100, 100, 60, 360 },    /* 15600 / 256 = 60.94 */
		{ 150, 100, 41, 341 },    /* 10600 / 256 = 41.41 */
		{ 254, 100, 0, 300 },     /* 200 / 256 = 0.78 */
		{ 100, 1000, 609, 3609 }, /* 156000 / 256 = 609.38 */
		{ 150, 1000, 414, 3414 }, /* 106000 / 256 = 414.06 */
		{ 254, 1000, 7, 3007 },   /* 2000 / 256 = 7.81 */
		{ 1, 40950, 40790, 163640 },
	};
	struct vrrp v;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start(&v, cases[i].prio, cases[i].ms, false);
		assert_int_equal(v.state, VRRP_BACKUP);
		assert_int_equal(vrrp_skew_ms(&v), cases[i].skew);
		assert_int_equal(vrrp_master_down_ms(&v), cases[i].down);
		master_exactly_at(&v, T0 + cases[i].down);
	}
}

static void test_start_backup_then_master(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	assert_int_equal(act.from, VRRP_INIT);
	assert_int_equal(act.to, VRRP_BACKUP);
	assert_false(act.send_advert || act.became_master || act.left_master);
	assert_int_equal(v.master_addr, 0);
	assert_int_equal(v.since_ms, T0);
	master_exactly_at(&v, T0 + 360);
	assert_int_equal(v.since_ms, T0 + 360);
	/* then an advert every interval, on time */
	tick(&v, T0 + 459);
	assert_false(act.send_advert);
	tick(&v, T0 + 460);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, 100);
	assert_null(act.reason);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 560);
	/* starting again does nothing */
	vrrp_start(&v, T0 + 500, &act);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_false(act.send_advert || act.became_master);
}

static void test_backup_follows_higher_master(void **state)
{
	struct vrrp v;
	uint64_t t;

	(void)state;
	start(&v, 100, 100, false);
	for (t = T0 + 50; t < T0 + 5000; t += 100) {
		advert(&v, 150, 10, PEER, t);
		assert_int_equal(vrrp_next_deadline(&v), t + 360);
		tick(&v, t + 99);
		assert_int_equal(v.state, VRRP_BACKUP);
		assert_false(act.send_advert);
	}
	assert_int_equal(v.master_addr, ip4(PEER));
	assert_int_equal(v.master_priority, 150);
	assert_int_equal(v.last_advert_ms, t - 100);
	/* the master dies: MASTER one Master_Down_Interval after its last */
	master_exactly_at(&v, t - 100 + 360);
}

/* §6.4.2: an equal priority is followed too, whatever the addresses (the
 * tie break is the MASTER's to make). */
static void test_backup_follows_equal_master(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	for (uint64_t t = T0 + 50; t < T0 + 1000; t += 100) {
		advert(&v, 100, 10, "198.18.0.0", t);
		assert_int_equal(vrrp_next_deadline(&v), t + 360);
		tick(&v, t + 99);
		assert_int_equal(v.state, VRRP_BACKUP);
	}
	assert_int_equal(v.master_priority, 100);
}

static void test_master_preempted_by_higher(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 150, 100, false);
	master_exactly_at(&v, T0 + 341);
	advert(&v, 200, 10, PEER, T0 + 400);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_true(act.left_master);
	assert_false(act.send_advert || act.became_master);
	assert_int_equal(act.from, VRRP_MASTER);
	assert_int_equal(act.to, VRRP_BACKUP);
	assert_non_null(act.reason);
	assert_int_equal(v.master_addr, ip4(PEER));
	assert_int_equal(v.master_priority, 200);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 400 + 341);
}

static void test_master_discards_lower(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 150, 100, false);
	master_exactly_at(&v, T0 + 341);
	advert(&v, 100, 10, PEER, T0 + 400);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_false(act.left_master);
	assert_null(act.reason);
	/* the lower router claims MASTER: advertise now (its Adver_Timer
	 * restarts) and announce the VIP again */
	assert_true(act.send_advert && act.reannounce);
	assert_int_equal(act.advert_priority, 150);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 500);
	/* equal priority from a lower address: the same */
	advert(&v, 150, 10, "198.18.0.0", T0 + 450);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(act.send_advert && act.reannounce);
	/* an ordinary timer tick does not announce */
	tick(&v, T0 + 550);
	assert_true(act.send_advert);
	assert_false(act.reannounce);
}

/* A higher priority backup with preemption: the master's adverts are
 * discarded and it takes over one Master_Down_Interval after starting. */
static void test_backup_preempts_lower(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 150, 100, false);
	for (uint64_t t = T0; t < T0 + 341; t += 100) {
		advert(&v, 100, 10, PEER, t);
		assert_int_equal(vrrp_next_deadline(&v), T0 + 341);
		assert_int_equal(v.master_addr, ip4(PEER));
		assert_int_equal(v.master_priority, 100);
	}
	assert_int_equal(v.last_advert_ms, 0);
	master_exactly_at(&v, T0 + 341);
	assert_string_equal(act.reason, "preempting a lower priority master");
	/* the old master's next adverts: discarded, still MASTER */
	advert(&v, 100, 10, PEER, T0 + 350);
	assert_int_equal(v.state, VRRP_MASTER);
}

static void test_nopreempt_accepts_lower(void **state)
{
	struct vrrp v;
	uint64_t t;

	(void)state;
	start(&v, 150, 100, true);
	for (t = T0; t < T0 + 5000; t += 100) {
		advert(&v, 100, 10, PEER, t);
		tick(&v, t + 99);
		assert_int_equal(v.state, VRRP_BACKUP);
	}
	assert_int_equal(v.master_priority, 100);
	master_exactly_at(&v, t - 100 + 341);
}

/* §6.1: the owner always preempts, nopreempt or not. */
static void test_owner_ignores_nopreempt(void **state)
{
	struct vrrp v;

	(void)state;
	setup_vrrp(&v, 255, 100, true, PEER);
	vrrp_start(&v, T0, &act);
	assert_int_equal(v.state, VRRP_MASTER);
	/* another owner with a higher address wins the tie */
	advert(&v, 255, 10, "198.18.0.3", T0 + 10);
	assert_int_equal(v.state, VRRP_BACKUP);
	/* a lower priority master now: discarded, the owner takes over */
	advert(&v, 200, 10, "198.18.0.3", T0 + 200);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 10 + 300);
}

static void test_priority_zero_backup(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	advert(&v, 150, 10, PEER, T0 + 100);
	advert(&v, 0, 10, PEER, T0 + 150);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_false(act.send_advert);
	assert_int_equal(v.master_addr, 0);
	assert_int_equal(v.master_priority, 0);
	/* Skew_Time after the priority 0 advert, not Master_Down_Interval */
	master_exactly_at(&v, T0 + 150 + 60);
	assert_string_equal(act.reason, "the master resigned (priority 0)");
}

static void test_priority_zero_master(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 150, 100, false);
	master_exactly_at(&v, T0 + 341);
	advert(&v, 0, 10, PEER, T0 + 370);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, 150);
	assert_false(act.left_master || act.became_master);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 470);
}

static void test_equal_priority_tie(void **state)
{
	struct vrrp v;

	(void)state;
	/* the higher address wins */
	setup_vrrp(&v, 100, 100, false, ME);
	vrrp_start(&v, T0, &act);
	master_exactly_at(&v, T0 + 360);
	advert(&v, 100, 10, PEER, T0 + 400);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_true(act.left_master);

	/* the lower address loses */
	setup_vrrp(&v, 100, 100, false, PEER);
	vrrp_start(&v, T0, &act);
	master_exactly_at(&v, T0 + 360);
	advert(&v, 100, 10, ME, T0 + 400);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_false(act.left_master);

	/* compared in network byte order: 198.18.1.1 > 198.18.0.2 even
	 * though the little-endian words compare the other way */
	setup_vrrp(&v, 100, 100, false, "198.18.0.2");
	vrrp_start(&v, T0, &act);
	master_exactly_at(&v, T0 + 360);
	advert(&v, 100, 10, "198.18.1.1", T0 + 400);
	assert_int_equal(v.state, VRRP_BACKUP);

	/* our own advert looped back: neither greater, discarded */
	setup_vrrp(&v, 100, 100, false, ME);
	vrrp_start(&v, T0, &act);
	master_exactly_at(&v, T0 + 360);
	advert(&v, 100, 10, ME, T0 + 400);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_false(act.left_master || act.send_advert || act.reannounce);
}

static void test_owner_starts_master(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 255, 100, false);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(act.became_master);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, 255);
	assert_int_equal(act.from, VRRP_INIT);
	assert_int_equal(act.to, VRRP_MASTER);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 100);
	/* lower priorities never move it */
	advert(&v, 254, 10, "198.18.0.200", T0 + 10);
	assert_int_equal(v.state, VRRP_MASTER);
}

static void test_shutdown(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	master_exactly_at(&v, T0 + 360);
	vrrp_shutdown(&v, T0 + 400, &act);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, 0);
	assert_true(act.left_master);
	assert_false(act.became_master);
	assert_int_equal(act.from, VRRP_MASTER);
	assert_int_equal(act.to, VRRP_INIT);
	assert_int_equal(v.state, VRRP_INIT);
	assert_int_equal(v.master_addr, 0);
	assert_int_equal(vrrp_next_deadline(&v), UINT64_MAX);
	/* in INIT: nothing to do, adverts ignored, timers idle */
	vrrp_shutdown(&v, T0 + 500, &act);
	assert_false(act.send_advert || act.left_master);
	assert_null(act.reason);
	advert(&v, 0, 10, PEER, T0 + 600);
	assert_int_equal(v.state, VRRP_INIT);
	tick(&v, T0 + 100000);
	assert_int_equal(v.state, VRRP_INIT);
	assert_false(act.send_advert);

	/* a BACKUP leaves quietly */
	start(&v, 100, 100, false);
	vrrp_shutdown(&v, T0 + 10, &act);
	assert_int_equal(v.state, VRRP_INIT);
	assert_false(act.send_advert || act.left_master);
	assert_int_equal(act.from, VRRP_BACKUP);
	/* and can start again */
	vrrp_start(&v, T0 + 20, &act);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 20 + 360);
}

/* §6.4.2: Master_Adver_Interval is the master's, from its adverts. */
static void test_learned_interval(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);	     /* ours: 100 ms */
	advert(&v, 150, 100, PEER, T0 + 50); /* the master's: 1 s */
	assert_int_equal(v.master_adver_ms, 1000);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 50 + 3609);
	/* an interval of 0 is not learned */
	advert(&v, 150, 0, PEER, T0 + 1050);
	assert_int_equal(v.master_adver_ms, 1000);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 1050 + 3609);
	/* priority 0: the Skew_Time of the learned interval */
	advert(&v, 0, 100, PEER, T0 + 2000);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 2000 + 609);
	master_exactly_at(&v, T0 + 2609);
	/* as MASTER it sends at its own interval */
	assert_int_equal(vrrp_next_deadline(&v), T0 + 2609 + 100);
	/* preempted: the new master's interval, 2 s */
	advert(&v, 200, 200, PEER, T0 + 2650);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.master_adver_ms, 2000);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 2650 + 6000 + 1218);
	/* a restart forgets it */
	vrrp_shutdown(&v, T0 + 3000, &act);
	vrrp_start(&v, T0 + 3000, &act);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 3000 + 360);
}

static void test_other_vrid_ignored(void **state)
{
	struct vrrp_advert a = { .vrid = 52, .priority = 0, .advert_cs = 10 };
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	vrrp_receive(&v, &a, ip4(PEER), T0 + 100, &act);
	assert_int_equal(vrrp_next_deadline(&v), T0 + 360);
	assert_int_equal(v.master_addr, 0);
	master_exactly_at(&v, T0 + 360);
	a.priority = 255;
	vrrp_receive(&v, &a, ip4(PEER), T0 + 400, &act);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_false(act.left_master || act.send_advert);
}

/* Tracking: the effective priority decides elections and goes on the
 * wire; the configured one stays. */
static void test_set_priority(void **state)
{
	struct vrrp v;

	(void)state;
	start(&v, 100, 100, false);
	advert(&v, 150, 10, PEER, T0 + 100);
	vrrp_set_priority(&v, 200);
	/* the master is now lower: its adverts are discarded and the timer
	 * that its last accepted one set runs out */
	advert(&v, 150, 10, PEER, T0 + 200);
	master_exactly_at(&v, T0 + 100 + 360);
	assert_int_equal(act.advert_priority, 200);
	assert_int_equal(v.master_priority, 200);
	/* a MASTER lowered: the next advert carries it, then it yields */
	vrrp_set_priority(&v, 50);
	assert_int_equal(v.master_priority, 50);
	tick(&v, T0 + 460 + 100);
	assert_true(act.send_advert);
	assert_int_equal(act.advert_priority, 50);
	advert(&v, 150, 10, PEER, T0 + 570);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.cfg.priority, 100);
	/* clamped to 1..255 */
	vrrp_set_priority(&v, -5);
	assert_int_equal(v.priority, 1);
	vrrp_set_priority(&v, 300);
	assert_int_equal(v.priority, 255);
}

static void test_init_rejects(void **state)
{
	static const struct vrrp_config bad[] = {
		{ .vrid = 0, .priority = 100, .advert_ms = 100 },
		{ .vrid = 1, .priority = 0, .advert_ms = 100 },
		{ .vrid = 1, .priority = 100, .advert_ms = 0 },
		{ .vrid = 1, .priority = 100, .advert_ms = 5 },
		{ .vrid = 1, .priority = 100, .advert_ms = 105 },
		{ .vrid = 1, .priority = 100, .advert_ms = 40960 },
	};
	struct vrrp_config ok = { .vrid = 1, .priority = 100,
				  .advert_ms = 40950 };
	struct vrrp v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vrrp_init(&v, &bad[i], ip4(ME)), -EINVAL);
	assert_int_equal(vrrp_init(&v, &ok, 0), -EINVAL);
	assert_int_equal(vrrp_init(&v, &ok, ip4(ME)), 0);
	ok.advert_ms = 10;
	assert_int_equal(vrrp_init(&v, &ok, ip4(ME)), 0);
	assert_string_equal(vrrp_state_name(VRRP_INIT), "INIT");
	assert_string_equal(vrrp_state_name(VRRP_BACKUP), "BACKUP");
	assert_string_equal(vrrp_state_name(VRRP_MASTER), "MASTER");
}

/* ---- two routers on one fake link ------------------------------------- */

struct router {
	struct vrrp v;
	const char *addr;
	bool up;		/* its adverts reach the other */
	uint64_t was_master_ms; /* total time as MASTER */
};

/* Deliver what r's last call asked for to the other one, through
 * vrrp_encode, an IP header and vrrp_decode. */
static void carry(struct router *r, struct router *other, uint64_t now)
{
	struct vrrp_advert a = {
		.vrid = r->v.cfg.vrid,
		.priority = act.advert_priority,
		.advert_cs = (uint16_t)(r->v.cfg.advert_ms / 10),
		.naddrs = 1,
	};
	uint8_t msg[VRRP_MAX_LEN], pkt[IP_HDR + VRRP_MAX_LEN];
	struct vrrp_advert got;
	uint32_t src;
	size_t len;
	int n;

	if (!act.send_advert || !r->up)
		return;
	a.addrs[0] = ip4("198.18.0.100");
	n = vrrp_encode(&a, ip4(r->addr), mcast(), msg, sizeof(msg));
	assert_true(n > 0);
	len = wrap(pkt, ip4(r->addr), mcast(), msg, (size_t)n, 0);
	assert_int_equal(decode_copy(pkt, len, &got, &src), VRRP_DROP_NONE);
	vrrp_receive(&other->v, &got, src, now, &act);
	/* an answer (to priority 0) goes back the same way */
	carry(other, r, now);
}

static void run(struct router *rs, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t < to; t++) {
		for (int i = 0; i < 2; i++) {
			vrrp_tick(&rs[i].v, t, &act);
			carry(&rs[i], &rs[1 - i], t);
		}
		for (int i = 0; i < 2; i++)
			rs[i].was_master_ms += rs[i].v.state == VRRP_MASTER;
	}
}

static void test_two_routers(void **state)
{
	struct router rs[2] = { { .addr = ME, .up = true },
				{ .addr = PEER, .up = true } };

	(void)state;
	setup_vrrp(&rs[0].v, 150, 100, false, ME);
	setup_vrrp(&rs[1].v, 100, 100, false, PEER);
	vrrp_start(&rs[1].v, T0, &act);
	run(rs, T0, T0 + 200);
	vrrp_start(&rs[0].v, T0 + 200, &act);
	/* rs[1] wins first (T0 + 360), rs[0] preempts it (T0 + 200 + 341) */
	run(rs, T0 + 200, T0 + 2000);
	assert_int_equal(rs[0].v.state, VRRP_MASTER);
	assert_int_equal(rs[1].v.state, VRRP_BACKUP);
	assert_int_equal(rs[1].v.master_addr, ip4(ME));
	assert_int_equal(rs[0].v.since_ms, T0 + 541);
	/* exactly one MASTER at every millisecond from then on */
	rs[0].was_master_ms = rs[1].was_master_ms = 0;
	run(rs, T0 + 2000, T0 + 32000);
	assert_int_equal(rs[0].was_master_ms, 30000);
	assert_int_equal(rs[1].was_master_ms, 0);
	/* adverts blocked both ways: both MASTER (§6.4.2, nothing heard) */
	rs[0].up = rs[1].up = false;
	run(rs, T0 + 32000, T0 + 33000);
	assert_int_equal(rs[0].v.state, VRRP_MASTER);
	assert_int_equal(rs[1].v.state, VRRP_MASTER);
	/* restored: the lower one yields at the higher one's next advert */
	rs[0].up = rs[1].up = true;
	run(rs, T0 + 33000, T0 + 33200);
	assert_int_equal(rs[0].v.state, VRRP_MASTER);
	assert_int_equal(rs[1].v.state, VRRP_BACKUP);
	/* clean shutdown of the master: the backup within Skew_Time */
	vrrp_shutdown(&rs[0].v, T0 + 33200, &act);
	carry(&rs[0], &rs[1], T0 + 33200);
	run(rs, T0 + 33200, T0 + 33200 + 60);
	assert_int_equal(rs[1].v.state, VRRP_BACKUP);
	run(rs, T0 + 33260, T0 + 33261);
	assert_int_equal(rs[1].v.state, VRRP_MASTER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalived_multicast),
		cmocka_unit_test(test_keepalived_unicast),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_drop_ttl),
		cmocka_unit_test(test_drop_version_and_type),
		cmocka_unit_test(test_drop_checksum),
		cmocka_unit_test(test_drop_addr_count),
		cmocka_unit_test(test_drop_proto),
		cmocka_unit_test(test_drop_short_headers),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_padding_ignored),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_skew_arithmetic),
		cmocka_unit_test(test_start_backup_then_master),
		cmocka_unit_test(test_backup_follows_higher_master),
		cmocka_unit_test(test_backup_follows_equal_master),
		cmocka_unit_test(test_master_preempted_by_higher),
		cmocka_unit_test(test_master_discards_lower),
		cmocka_unit_test(test_backup_preempts_lower),
		cmocka_unit_test(test_nopreempt_accepts_lower),
		cmocka_unit_test(test_owner_ignores_nopreempt),
		cmocka_unit_test(test_priority_zero_backup),
		cmocka_unit_test(test_priority_zero_master),
		cmocka_unit_test(test_equal_priority_tie),
		cmocka_unit_test(test_owner_starts_master),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_learned_interval),
		cmocka_unit_test(test_other_vrid_ignored),
		cmocka_unit_test(test_set_priority),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_two_routers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
