/*
 * test_xdp_malformed: frames the parsers must refuse (truncated, impossible
 * header lengths, fragments) pass untouched and create no flow; then a
 * seeded corpus of mutated frames checks that the program never aborts and
 * never rewrites a frame it does not own, against a reference classifier
 * written here independently of bpf/parse.h. Through BPF_PROG_TEST_RUN in
 * the fixture's namespace (xdp_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <linux/if_arp.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xdp_fixture.h"

#define CLIENT_PORT 40000
#define SHARD0_PORT FX_SHARD_PORT
#define SHARD_COUNT 3 /* xdp_fixture.c configures shards 0..2 */
#define NS_PER_SEC 1000000000ull

#define IPV4_VERSION 4
#define IPV4_MIN_IHL 5 /* 32-bit words */
#define IPV4_MAX_IHL 15
#define TCP_MIN_DOFF 5
#define TCP_MAX_DOFF 15
#define IP_FRAG_OFFSET_16 0x0010 /* offset field counts 8-byte units */
#define TCP_DOFF_BYTE 12	     /* data offset in the high nibble */
#define ARP_IPV4_LEN 28		     /* RFC 826 body for IPv4 over Ethernet */
#define VLAN_TAG_LEN 4
#define VLAN_MAX_DEPTH 2

#define FUZZ_PACKETS 100000
#define FUZZ_SEED_DEFAULT 0x5eed2024c0ffee01ull
#define FUZZ_SEED_ENV "XDP_FUZZ_SEED"
/* Packets between resets of rh_flows: mutated SYNs claim SNAT ports, and a
 * fresh table keeps the live bases live. */
#define FUZZ_CHUNK 5000
#define FUZZ_MAX_FLIPS 4


/*
 * Run `pkt` on front0 and check: verdict, rx, the verdict total and
 * `reason` each moved by one, the frame back byte-for-byte, no flow.
 */
static void expect_unchanged(const char *what, const uint8_t *pkt, size_t len,
			     int verdict, uint32_t reason)
{
	struct fx_counts before = fx_counts_read(reason), after;
	struct xdp_result res;

	fx_run(pkt, len, fx.front_ifindex, &res);
	after = fx_counts_read(reason);
	FX_EXPECT_EQ(what, "verdict", res.verdict, verdict);
	FX_EXPECT_EQ(what, "rx delta", after.rx - before.rx, 1);
	FX_EXPECT_EQ(what, "verdict total delta", after.verdicts - before.verdicts,
		  1);
	FX_EXPECT_EQ(what, "reason counter delta", after.reason - before.reason,
		  1);
	FX_EXPECT_EQ(what, "output length", res.out_len, len);
	FX_EXPECT_MEM(what, "output bytes", res.out, pkt, len);
	FX_EXPECT_EQ(what, "flows", fx_flow_count(), 0);
}

static void expect_malformed(const char *what, const uint8_t *pkt, size_t len)
{
	expect_unchanged(what, pkt, len, XDP_PASS, RH_STAT_PASS_MALFORMED);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Four bytes as they sit in the frame: network order, like pkt_ip(). */
static uint32_t rd32_net(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Checksums are refreshed after each edit, so a case has exactly one defect:
 * should the program ever verify checksums, these cases still test the
 * header check they name rather than the checksum.
 */
static void ip_csum_refresh(uint8_t *ip)
{
	uint16_t zero = 0, csum;

	memcpy(ip + offsetof(struct iphdr, check), &zero, sizeof(zero));
	csum = pkt_csum(ip, sizeof(struct iphdr), 0);
	memcpy(ip + offsetof(struct iphdr, check), &csum, sizeof(csum));
}

/* `tcp` holds `len` bytes of segment; addresses come from the IP header. */
static void tcp_csum_refresh(const uint8_t *ip, uint8_t *tcp, size_t len)
{
	uint32_t s = ntohl(rd32_net(ip + offsetof(struct iphdr, saddr)));
	uint32_t d = ntohl(rd32_net(ip + offsetof(struct iphdr, daddr)));
	uint32_t pseudo = (s >> 16) + (s & 0xffff) + (d >> 16) +
			  (d & 0xffff) + IPPROTO_TCP + (uint32_t)len;
	uint16_t zero = 0, csum;

	memcpy(tcp + offsetof(struct tcphdr, check), &zero, sizeof(zero));
	csum = pkt_csum(tcp, len, pseudo);
	memcpy(tcp + offsetof(struct tcphdr, check), &csum, sizeof(csum));
}

/* The client's SYN to shard 0, untagged and without options. */
static size_t shard_syn(uint8_t *buf)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);

	return fx_build(buf, &spec);
}

static void ip_set_version_ihl(uint8_t *pkt, unsigned version, unsigned ihl)
{
	uint8_t *ip = pkt + ETH_HLEN;

	ip[0] = (uint8_t)(version << 4 | ihl);
	ip_csum_refresh(ip);
}

static void tcp_set_doff(uint8_t *pkt, size_t len, unsigned doff)
{
	uint8_t *ip = pkt + ETH_HLEN, *tcp = ip + sizeof(struct iphdr);

	tcp[TCP_DOFF_BYTE] = (uint8_t)(doff << 4);
	tcp_csum_refresh(ip, tcp, len - ETH_HLEN - sizeof(struct iphdr));
}

/*
 * Every cut of `spec`'s frame, from a bare Ethernet header to one byte
 * short, ends inside some header: each is passed as malformed. The whole
 * frame is then NATed, so the cuts were of a frame the program acts on.
 */
static void expect_every_cut_malformed(const char *what,
				       const struct pkt_spec *spec)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = fx_build(pkt, spec);
	struct xdp_result res;
	char label[96];

	for (size_t cut = ETH_HLEN; cut < len; cut++) {
		snprintf(label, sizeof(label), "%s cut to %zu of %zu", what,
			 cut, len);
		expect_malformed(label, pkt, cut);
	}
	fx_run(pkt, len, fx.front_ifindex, &res);
	FX_EXPECT_EQ(what, "whole frame verdict", res.verdict, XDP_REDIRECT);
}

/* ---- malformed input ----------------------------------------------------- */

static void test_malformed_truncated_syn_passes_unchanged(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);

	(void)state;
	expect_every_cut_malformed("syn", &spec);
}

static void test_malformed_truncated_qinq_syn_passes_unchanged(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);

	(void)state;
	fx_qinq(&spec);
	expect_every_cut_malformed("qinq syn", &spec);
}

/*
 * Read with IHL 4, TCP would start at the IP header's daddr, and the real
 * ack_seq's first byte would be its data offset: 0x50 makes that a valid
 * TCP header, so only the IHL check keeps this from counting as TCP.
 */
static void test_malformed_ihl_below_five_passes(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.ack = 0x50000000; /* no ACK flag: the field is otherwise unread */
	len = fx_build(pkt, &spec);
	ip_set_version_ihl(pkt, IPV4_VERSION, IPV4_MIN_IHL - 1);
	expect_malformed("ihl 4", pkt, len);
}

/* 60 bytes of IP header claimed, 40 bytes of IP and TCP present. */
static void test_malformed_ihl_past_end_passes(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = shard_syn(pkt);

	(void)state;
	ip_set_version_ihl(pkt, IPV4_VERSION, IPV4_MAX_IHL);
	expect_malformed("ihl 15", pkt, len);
}

/* EtherType IPv4 carrying a version 6 header is not IPv4. */
static void test_malformed_ip_version_not_four_passes(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = shard_syn(pkt);

	(void)state;
	ip_set_version_ihl(pkt, 6, IPV4_MIN_IHL);
	expect_malformed("ip version 6", pkt, len);
}

/* Fragments are the kernel's to reassemble: even a first fragment, which
 * has the ports, must not open a flow. */
static void test_malformed_first_fragment_passes(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.frag_off = IP_MF;
	len = fx_build(pkt, &spec);
	expect_unchanged("more fragments", pkt, len, XDP_PASS,
			 RH_STAT_PASS_FRAGMENT);
}

static void test_malformed_later_fragment_passes(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.frag_off = IP_FRAG_OFFSET_16;
	len = fx_build(pkt, &spec);
	expect_unchanged("fragment offset 16", pkt, len, XDP_PASS,
			 RH_STAT_PASS_FRAGMENT);
}

static void test_malformed_tcp_doff_below_five_passes(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = shard_syn(pkt);

	(void)state;
	tcp_set_doff(pkt, len, TCP_MIN_DOFF - 1);
	expect_malformed("tcp doff 4", pkt, len);
}

/* 60 bytes of TCP header claimed, 20 present. */
static void test_malformed_tcp_doff_past_end_passes(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = shard_syn(pkt);

	(void)state;
	tcp_set_doff(pkt, len, TCP_MAX_DOFF);
	expect_malformed("tcp doff 15", pkt, len);
}

/* The odd but valid neighbour of the cases above: NATed as usual. */
static void test_malformed_syn_with_ip_options_is_natted(void **state)
{
	static const char *what = "syn with ip options";
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint64_t redirects = fx_stat(RH_STAT_REDIRECT_NAT);
	uint64_t rx = fx_stat(RH_STAT_RX), verdicts = fx_verdict_total();
	size_t opts_at = ETH_HLEN + sizeof(struct iphdr);
	uint8_t pkt[PKT_MAX_FRAME];
	struct xdp_result res;
	struct pkt_view v;
	size_t len;

	(void)state;
	spec.ip_opts_len = 8;
	len = fx_build(pkt, &spec);
	fx_run(pkt, len, fx.front_ifindex, &res);
	FX_EXPECT_EQ(what, "verdict", res.verdict, XDP_REDIRECT);
	FX_EXPECT_EQ(what, "redirect_nat delta",
		  fx_stat(RH_STAT_REDIRECT_NAT) - redirects, 1);
	FX_EXPECT_EQ(what, "rx delta", fx_stat(RH_STAT_RX) - rx, 1);
	FX_EXPECT_EQ(what, "verdict total delta", fx_verdict_total() - verdicts,
		  1);
	FX_EXPECT_EQ(what, "output length", res.out_len, len);
	assert_true(pkt_parse(res.out, res.out_len, &v));
	FX_EXPECT_EQ(what, "ihl", v.ip.ihl, IPV4_MIN_IHL + spec.ip_opts_len / 4);
	FX_EXPECT_MEM(what, "ip options", res.out + opts_at, pkt + opts_at,
		   spec.ip_opts_len);
	FX_EXPECT_EQ(what, "ip checksum ok", v.ip_csum_ok, true);
	FX_EXPECT_EQ(what, "tcp checksum ok", v.tcp_csum_ok, true);
	FX_EXPECT_EQ(what, "saddr", v.ip.saddr, pkt_ip(FX_SNAT));
	FX_EXPECT_EQ(what, "daddr", v.ip.daddr, pkt_ip(FX_MASTER));
	FX_EXPECT_EQ(what, "dport", ntohs(v.tcp.dest), FX_REDIS_PORT);
	assert_in_range(ntohs(v.tcp.source), FX_SNAT_MIN, FX_SNAT_MAX);
	FX_EXPECT_EQ(what, "ttl", v.ip.ttl, 64 - 1); /* one hop from pkt_build */
	FX_EXPECT_EQ(what, "payload length", v.payload_len, 0);
	FX_EXPECT_EQ(what, "flows", fx_flow_count(), 2);
}

/* ---- the mutation corpus ------------------------------------------------- */

/* xorshift64* (Vigna, 2016): tiny, and the same stream on every libc. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform enough below n: n is tiny next to 2^32. */
static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((rng_next(s) >> 32) % n);
}

enum base_id {
	BASE_SHARD_SYN,
	BASE_SHARD_DATA,
	BASE_MASTER_REPLY,
	BASE_ARP_VIP,
	BASE_PROXY_SYN,
	BASE_NOT_OURS,
	BASE_ICMP,
	BASE_COUNT,
};

/* An unmutated frame, where it arrives and what it gets as it stands. */
struct base {
	const char *name;
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;
	int ifindex;
	int verdict;
};

/* Addresses the reference classifier compares with, network order. */
struct ref_net {
	uint32_t vip, snat;
};

struct fuzz {
	uint64_t seed, rng;
	struct ref_net net;
	struct base bases[BASE_COUNT];
	uint64_t sent; /* every fx_run, setup packets included */
	uint64_t by_verdict[XDP_REDIRECT + 1];
	uint64_t rewritten;
};

/* Ethernet and up to two VLAN tags; the offset of L3 and its EtherType. */
static bool ref_l2(const uint8_t *p, size_t len, size_t *off, uint16_t *type)
{
	size_t o = ETH_HLEN;
	uint16_t t;

	if (len < ETH_HLEN)
		return false;
	t = rd16(p + offsetof(struct ethhdr, h_proto));
	for (int i = 0; i < VLAN_MAX_DEPTH &&
			(t == ETH_P_8021Q || t == ETH_P_8021AD);
	     i++) {
		if (len < o + VLAN_TAG_LEN)
			return false;
		t = rd16(p + o + 2); /* after the tag control information */
		o += VLAN_TAG_LEN;
	}
	*off = o;
	*type = t;
	return true;
}

/* An ARP request for IPv4 over Ethernet whose target is the VIP. */
static bool ref_arp_for_vip(const struct ref_net *net, const uint8_t *a,
			    size_t len)
{
	return len >= ARP_IPV4_LEN && rd16(a) == ARPHRD_ETHER &&
	       rd16(a + 2) == ETH_P_IP && a[4] == ETH_ALEN &&
	       a[5] == sizeof(uint32_t) && rd16(a + 6) == ARPOP_REQUEST &&
	       rd32_net(a + 24) == net->vip;
}

/*
 * Well-formed, unfragmented IPv4/TCP to a shard service or to a SNAT port.
 * The proxy service is left out on purpose: with the ACL empty it must pass
 * untouched too, so it is held to the stricter rule.
 */
static bool ref_tcp_natable(const struct ref_net *net, const uint8_t *ip,
			    size_t len)
{
	size_t ihl, doff;
	const uint8_t *tcp;
	uint32_t daddr;
	uint16_t dport;

	if (len < sizeof(struct iphdr) || ip[0] >> 4 != IPV4_VERSION)
		return false;
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < sizeof(struct iphdr) || ihl > len)
		return false;
	if (rd16(ip + offsetof(struct iphdr, frag_off)) & (IP_MF | IP_OFFMASK))
		return false;
	if (ip[offsetof(struct iphdr, protocol)] != IPPROTO_TCP)
		return false;
	tcp = ip + ihl;
	len -= ihl;
	if (len < sizeof(struct tcphdr))
		return false;
	doff = (tcp[TCP_DOFF_BYTE] >> 4) * 4u;
	if (doff < sizeof(struct tcphdr) || doff > len)
		return false;
	daddr = rd32_net(ip + offsetof(struct iphdr, daddr));
	dport = rd16(tcp + offsetof(struct tcphdr, dest));
	if (daddr == net->vip)
		return dport >= FX_SHARD_PORT &&
		       dport < FX_SHARD_PORT + SHARD_COUNT;
	if (daddr == net->snat)
		return dport >= FX_SNAT_MIN && dport <= FX_SNAT_MAX;
	return false;
}

/* Whether the program may touch the frame at all: else it must pass it. */
static bool ref_may_rewrite(const struct ref_net *net, const uint8_t *p,
			    size_t len)
{
	size_t off;
	uint16_t type;

	if (!ref_l2(p, len, &off, &type))
		return false;
	if (type == ETH_P_ARP)
		return ref_arp_for_vip(net, p + off, len - off);
	if (type == ETH_P_IP)
		return ref_tcp_natable(net, p + off, len - off);
	return false;
}

static void hex_dump(const char *name, const uint8_t *p, size_t len)
{
	char line[3 * 16 + 1];

	print_error("%s (%zu bytes):\n", name, len);
	for (size_t i = 0; i < len; i += 16) {
		size_t n = len - i < 16 ? len - i : 16;

		for (size_t j = 0; j < n; j++)
			snprintf(line + 3 * j, 4, " %02x", p[i + j]);
		print_error("  %04zx%s\n", i, line);
	}
}

static void fuzz_fail(const struct fuzz *fz, const char *base,
		      const uint8_t *in, size_t len,
		      const struct xdp_result *res, const char *why)
{
	print_error("corpus frame %" PRIu64 " (base %s, seed %#" PRIx64
		    "): %s; verdict %d\n",
		    fz->sent, base, fz->seed, why, res->verdict);
	hex_dump("input", in, len);
	hex_dump("output", res->out, res->out_len);
	fail_msg("replay with %s=%#" PRIx64, FUZZ_SEED_ENV, fz->seed);
}

/* Run one frame and hold the result to the corpus invariants. */
static void fuzz_send(struct fuzz *fz, const char *base, const uint8_t *pkt,
		      size_t len, int ifindex, struct xdp_result *res)
{
	bool changed;

	fx_run(pkt, len, ifindex, res);
	fz->sent++;
	if (res->verdict != XDP_PASS && res->verdict != XDP_DROP &&
	    res->verdict != XDP_TX && res->verdict != XDP_REDIRECT)
		fuzz_fail(fz, base, pkt, len, res, "verdict not one of "
						   "PASS, DROP, TX, REDIRECT");
	fz->by_verdict[res->verdict]++;
	/* No path grows a frame: a reset is cut down, NAT keeps the size. */
	if (res->out_len > len)
		fuzz_fail(fz, base, pkt, len, res, "frame grew");
	changed = res->out_len != len || memcmp(res->out, pkt, len);
	fz->rewritten += changed;
	if (ref_may_rewrite(&fz->net, pkt, len))
		return;
	if (res->verdict != XDP_PASS)
		fuzz_fail(fz, base, pkt, len, res,
			  "not ours, yet not XDP_PASS");
	if (changed)
		fuzz_fail(fz, base, pkt, len, res, "not ours, yet rewritten");
}

/* Open a shard 0 flow from the client's `sport`: its SNAT binding. */
static struct rh_flow_key fuzz_open_flow(struct fuzz *fz, uint16_t sport)
{
	struct pkt_spec spec = fx_client_spec(sport, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = fx_build(pkt, &spec);
	struct xdp_result res;
	struct pkt_view v;

	fuzz_send(fz, "flow setup syn", pkt, len, fx.front_ifindex, &res);
	FX_EXPECT_EQ("flow setup syn", "verdict", res.verdict, XDP_REDIRECT);
	assert_true(pkt_parse(res.out, res.out_len, &v));
	return fx_binding_of(&v);
}

static void base_set(struct base *b, const char *name, size_t len,
		     int ifindex, int verdict)
{
	assert_true(len > ETH_HLEN);
	b->name = name;
	b->len = len;
	b->ifindex = ifindex;
	b->verdict = verdict;
}

static void base_tcp(struct base *b, const char *name,
		     const struct pkt_spec *spec, int ifindex, int verdict)
{
	base_set(b, name, fx_build(b->pkt, spec), ifindex, verdict);
}

/*
 * Fresh flows, then the bases. The client's data and the master's reply
 * ride separate flows, so a mutated data packet that reopens or closes its
 * flow cannot take the reply's binding with it.
 */
static void fuzz_bases_build(struct fuzz *fz)
{
	static const char cmd[] = "*1\r\n$4\r\nPING\r\n", pong[] = "+PONG\r\n";
	static const uint8_t echo[] = { ICMP_ECHO, 0, 0xf7, 0xff, 0, 0, 0, 0 };
	struct rh_flow_key bind;
	struct pkt_spec spec;
	struct pkt_arp_spec arp = {
		.dst_mac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		.op = ARPOP_REQUEST,
		.spa = pkt_ip(FX_CLIENT),
		.tpa = pkt_ip(FX_VIP),
	};
	struct base *b = fz->bases;
	struct xdp_result res;

	assert_int_equal(fx_reset(NULL), 0);
	fuzz_open_flow(fz, CLIENT_PORT);
	bind = fuzz_open_flow(fz, CLIENT_PORT + 1);

	spec = fx_client_spec(CLIENT_PORT + 2, SHARD0_PORT, TH_SYN);
	base_tcp(&b[BASE_SHARD_SYN], "client syn to shard", &spec,
		 fx.front_ifindex, XDP_REDIRECT);
	spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_ACK | TH_PUSH);
	spec.payload = cmd;
	spec.payload_len = sizeof(cmd) - 1;
	base_tcp(&b[BASE_SHARD_DATA], "client data to shard", &spec,
		 fx.front_ifindex, XDP_REDIRECT);
	spec = fx_master_spec(&bind, TH_ACK | TH_PUSH);
	spec.payload = pong;
	spec.payload_len = sizeof(pong) - 1;
	base_tcp(&b[BASE_MASTER_REPLY], "master reply to snat", &spec,
		 fx.back_ifindex, XDP_REDIRECT);
	memcpy(arp.src_mac, FX_CLIENT_MAC, ETH_ALEN);
	memcpy(arp.sha, FX_CLIENT_MAC, ETH_ALEN);
	base_set(&b[BASE_ARP_VIP], "arp request for vip",
		 pkt_build_arp(b[BASE_ARP_VIP].pkt, PKT_MAX_FRAME, &arp),
		 fx.front_ifindex, XDP_TX);
	spec = fx_client_spec(CLIENT_PORT, FX_PROXY_PORT, TH_SYN);
	base_tcp(&b[BASE_PROXY_SYN], "client syn to proxy", &spec,
		 fx.front_ifindex, XDP_PASS);
	spec = fx_client_spec(CLIENT_PORT, FX_REDIS_PORT, TH_ACK);
	spec.daddr = pkt_ip(FX_MASTER);
	base_tcp(&b[BASE_NOT_OURS], "tcp to a master", &spec, fx.front_ifindex,
		 XDP_PASS);
	spec = fx_client_spec(0, 0, 0);
	spec.protocol = IPPROTO_ICMP;
	spec.payload = echo; /* checksum precomputed for these bytes */
	spec.payload_len = sizeof(echo);
	base_tcp(&b[BASE_ICMP], "icmp echo to vip", &spec, fx.front_ifindex,
		 XDP_PASS);

	/* Each base, unmutated, does what it stands for: the corpus is
	 * mutating live traffic, not frames the program already ignores. */
	for (int i = 0; i < BASE_COUNT; i++) {
		fuzz_send(fz, b[i].name, b[i].pkt, b[i].len, b[i].ifindex,
			  &res);
		FX_EXPECT_EQ(b[i].name, "unmutated verdict", res.verdict,
			  b[i].verdict);
	}
}

/* Flip 1-4 bytes, or cut to a length of at least 14, or cut then flip. */
static size_t mutate(uint64_t *rng, uint8_t *pkt, size_t len)
{
	uint32_t mode = rng_below(rng, 3), flips;

	if (mode != 0)
		len = ETH_HLEN + rng_below(rng, (uint32_t)(len - ETH_HLEN));
	if (mode == 1)
		return len;
	flips = 1 + rng_below(rng, FUZZ_MAX_FLIPS);
	for (uint32_t i = 0; i < flips; i++)
		/* A non-zero mask, so every flip changes its byte. */
		pkt[rng_below(rng, (uint32_t)len)] ^=
			(uint8_t)(1 + rng_below(rng, 0xff));
	return len;
}

static uint64_t fuzz_seed(void)
{
	const char *env = getenv(FUZZ_SEED_ENV);
	char *end;
	uint64_t seed;

	if (!env || !*env)
		return FUZZ_SEED_DEFAULT;
	seed = strtoull(env, &end, 0);
	if (*end)
		fail_msg("%s=%s: not a number", FUZZ_SEED_ENV, env);
	return seed;
}

static double elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / NS_PER_SEC;
}

/*
 * Mutated live traffic never aborts, and nothing the reference classifier
 * calls foreign is rewritten or withheld from the kernel. The ACL stays
 * empty (fx_reset), so no foreign frame has a reason to be dropped.
 */
static void test_malformed_mutation_corpus(void **state)
{
	static struct fuzz fz; /* bases are 14 KiB: off the stack */
	uint64_t rx = fx_stat(RH_STAT_RX), verdicts = fx_verdict_total();
	uint8_t pkt[PKT_MAX_FRAME];
	struct xdp_result res;
	struct timespec start;

	(void)state;
	memset(&fz, 0, sizeof(fz));
	fz.seed = fuzz_seed();
	/* xorshift never leaves the all-zero state. */
	fz.rng = fz.seed ? fz.seed : FUZZ_SEED_DEFAULT;
	fz.net.vip = pkt_ip(FX_VIP);
	fz.net.snat = pkt_ip(FX_SNAT);
	print_message("mutation corpus: %d packets, seed %#" PRIx64
		      " (override with %s)\n",
		      FUZZ_PACKETS, fz.seed, FUZZ_SEED_ENV);
	clock_gettime(CLOCK_MONOTONIC, &start);

	for (int i = 0; i < FUZZ_PACKETS; i++) {
		const struct base *b;
		size_t len;

		if (i % FUZZ_CHUNK == 0)
			fuzz_bases_build(&fz);
		b = &fz.bases[rng_below(&fz.rng, BASE_COUNT)];
		memcpy(pkt, b->pkt, b->len);
		len = mutate(&fz.rng, pkt, b->len);
		fuzz_send(&fz, b->name, pkt, len, b->ifindex, &res);
	}

	print_message("mutation corpus: %" PRIu64 " sent, %" PRIu64
		      " rewritten; pass %" PRIu64 ", drop %" PRIu64
		      ", tx %" PRIu64 ", redirect %" PRIu64 "; %.2f s\n",
		      fz.sent, fz.rewritten, fz.by_verdict[XDP_PASS],
		      fz.by_verdict[XDP_DROP], fz.by_verdict[XDP_TX],
		      fz.by_verdict[XDP_REDIRECT], elapsed_s(&start));
	FX_EXPECT_EQ("corpus", "verdict total delta",
		  fx_verdict_total() - verdicts, fz.sent);
	FX_EXPECT_EQ("corpus", "rx delta", fx_stat(RH_STAT_RX) - rx, fz.sent);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, fx_reset)
	const struct CMUnitTest tests[] = {
		T(test_malformed_truncated_syn_passes_unchanged),
		T(test_malformed_truncated_qinq_syn_passes_unchanged),
		T(test_malformed_ihl_below_five_passes),
		T(test_malformed_ihl_past_end_passes),
		T(test_malformed_ip_version_not_four_passes),
		T(test_malformed_first_fragment_passes),
		T(test_malformed_later_fragment_passes),
		T(test_malformed_tcp_doff_below_five_passes),
		T(test_malformed_tcp_doff_past_end_passes),
		T(test_malformed_syn_with_ip_options_is_natted),
		T(test_malformed_mutation_corpus),
	};
#undef T

	return cmocka_run_group_tests_name("xdp malformed", tests, fx_setup,
					   fx_teardown);
}
