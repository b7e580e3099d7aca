/*
 * test_xdp_pass: what the gateway does not own passes byte-for-byte
 * unchanged with the counter of its reason; the ARP responder answers for
 * the VIP only while the gateway is active; the ACL drops the sources it
 * does not allow. Through BPF_PROG_TEST_RUN in the fixture's namespace
 * (xdp_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <linux/if_arp.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <string.h>

#include "xdp_fixture.h"

#define CLIENT_PORT 40000
#define SHARD0_PORT FX_SHARD_PORT
#define SSH_PORT 22
#define GATEWAY_FRONT "198.18.0.2" /* front0's own address */
#define OUTSIDER "198.19.0.10"	   /* outside 198.18.0.0/24 */
#define CLIENT_NET "198.18.0.0"
#define ETHERTYPE_LLDP 0x88CC
#define ICMP_ECHO_LEN 8
#define UDP_HDR_LEN 8

static const uint8_t BROADCAST_MAC[ETH_ALEN] = { 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff };


/* An ARP frame as it sits on the wire, for reading a reply field by field. */
struct arp_frame {
	struct ethhdr eth;
	struct arphdr hdr;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
} __attribute__((packed));

/*
 * Run `pkt` as received on `ifindex` and check the verdict, and that rx,
 * the verdict total and `reason` each moved by exactly one: every packet
 * lands in one verdict counter, and this one in the expected one.
 */
static void run_expect(const char *what, const uint8_t *pkt, size_t len,
		       int ifindex, int verdict, uint32_t reason,
		       struct xdp_result *res)
{
	struct fx_counts before = fx_counts_read(reason), after;

	fx_run(pkt, len, ifindex, res);
	after = fx_counts_read(reason);
	FX_EXPECT_EQ(what, "verdict", res->verdict, verdict);
	FX_EXPECT_EQ(what, "rx delta", after.rx - before.rx, 1);
	FX_EXPECT_EQ(what, "verdict total delta", after.verdicts - before.verdicts,
		  1);
	FX_EXPECT_EQ(what, "reason counter delta", after.reason - before.reason,
		  1);
}

/* As run_expect, and the frame must come back byte-for-byte as sent. */
static void expect_unchanged(const char *what, const uint8_t *pkt, size_t len,
			     int ifindex, int verdict, uint32_t reason)
{
	struct xdp_result res;

	run_expect(what, pkt, len, ifindex, verdict, reason, &res);
	FX_EXPECT_EQ(what, "output length", res.out_len, len);
	FX_EXPECT_MEM(what, "output bytes", res.out, pkt, len);
}

/* A TCP packet from the client on front0's wire. */
static size_t tcp_from(uint8_t *buf, const char *saddr, const char *daddr,
		       uint16_t dport, uint8_t flags)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, dport, flags);

	spec.saddr = pkt_ip(saddr);
	spec.daddr = pkt_ip(daddr);
	return fx_build(buf, &spec);
}

static size_t arp_build(uint8_t *buf, const struct pkt_arp_spec *spec)
{
	size_t len = pkt_build_arp(buf, PKT_MAX_FRAME, spec);

	assert_true(len > 0);
	return len;
}

/* A broadcast ARP request from `mac`/`spa` for `tpa`. */
static struct pkt_arp_spec arp_request(const uint8_t *mac, const char *spa,
				       const char *tpa)
{
	struct pkt_arp_spec spec = {
		.op = ARPOP_REQUEST,
		.spa = pkt_ip(spa),
		.tpa = pkt_ip(tpa),
	};

	memcpy(spec.src_mac, mac, ETH_ALEN);
	memcpy(spec.dst_mac, BROADCAST_MAC, ETH_ALEN);
	memcpy(spec.sha, mac, ETH_ALEN);
	return spec;
}

static void acl_add(const char *addr, uint32_t prefixlen, uint32_t action)
{
	struct rh_acl_key key = { .prefixlen = prefixlen,
				  .addr = pkt_ip(addr) };
	struct rh_acl_rule rule = { .action = action };

	assert_int_equal(bpf_map__update_elem(fx.skel->maps.rh_acl, &key,
					      sizeof(key), &rule, sizeof(rule),
					      BPF_ANY),
			 0);
}

/* Whoever writes rules sets RH_CONFIG_ACL_ACTIVE with them (abi.h). */
static void acl_activate(void)
{
	struct rh_config cfg = fx_config_default();

	cfg.flags |= RH_CONFIG_ACL_ACTIVE;
	fx_config_write(&cfg);
}

/* The client on front0 asking who has the VIP. */
static struct pkt_arp_spec client_arp_for_vip(void)
{
	return arp_request(FX_CLIENT_MAC, FX_CLIENT, FX_VIP);
}

/*
 * Send an ARP request for the VIP from `mac`/`spa` on `ifindex` and check
 * the reply field by field: it goes back to the requester, from the
 * interface's own MAC, saying the VIP is at that MAC.
 */
static void expect_arp_reply(const char *what, int ifindex,
			     const uint8_t *mac, const char *spa,
			     const uint8_t *iface_mac)
{
	struct pkt_arp_spec spec = arp_request(mac, spa, FX_VIP);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);
	struct xdp_result res;
	struct arp_frame out;

	run_expect(what, pkt, len, ifindex, XDP_TX, RH_STAT_TX_ARP_REPLY,
		   &res);
	FX_EXPECT_EQ(what, "output length", res.out_len, len);
	memcpy(&out, res.out, sizeof(out));
	FX_EXPECT_MEM(what, "eth dst", out.eth.h_dest, mac, ETH_ALEN);
	FX_EXPECT_MEM(what, "eth src", out.eth.h_source, iface_mac, ETH_ALEN);
	FX_EXPECT_EQ(what, "eth type", ntohs(out.eth.h_proto), ETH_P_ARP);
	FX_EXPECT_EQ(what, "hrd", ntohs(out.hdr.ar_hrd), ARPHRD_ETHER);
	FX_EXPECT_EQ(what, "pro", ntohs(out.hdr.ar_pro), ETH_P_IP);
	FX_EXPECT_EQ(what, "hln", out.hdr.ar_hln, ETH_ALEN);
	FX_EXPECT_EQ(what, "pln", out.hdr.ar_pln, sizeof(uint32_t));
	FX_EXPECT_EQ(what, "op", ntohs(out.hdr.ar_op), ARPOP_REPLY);
	FX_EXPECT_MEM(what, "sha", out.sha, iface_mac, ETH_ALEN);
	FX_EXPECT_EQ(what, "spa", out.spa, pkt_ip(FX_VIP));
	FX_EXPECT_MEM(what, "tha", out.tha, mac, ETH_ALEN);
	FX_EXPECT_EQ(what, "tpa", out.tpa, pkt_ip(spa));
}

/* ---- the object ---------------------------------------------------------- */

/* The verifier accepted it, and userspace sizes agree with abi.h. */
static void test_pass_object_loads_with_abi_map_sizes(void **state)
{
	const struct redisha_bpf *s = fx.skel;

	(void)state;
	assert_true(bpf_program__fd(s->progs.redisha_xdp) >= 0);
	FX_EXPECT_EQ("rh_config", "max_entries",
		  bpf_map__max_entries(s->maps.rh_config), 1);
	FX_EXPECT_EQ("rh_config", "value size",
		  bpf_map__value_size(s->maps.rh_config),
		  sizeof(struct rh_config));
	FX_EXPECT_EQ("rh_services", "max_entries",
		  bpf_map__max_entries(s->maps.rh_services), RH_MAX_SERVICES);
	FX_EXPECT_EQ("rh_shards", "max_entries",
		  bpf_map__max_entries(s->maps.rh_shards), RH_MAX_SHARDS);
	FX_EXPECT_EQ("rh_acl", "max_entries",
		  bpf_map__max_entries(s->maps.rh_acl), RH_MAX_ACL_RULES);
	FX_EXPECT_EQ("rh_flows", "max_entries",
		  bpf_map__max_entries(s->maps.rh_flows), RH_MAX_FLOWS);
	FX_EXPECT_EQ("rh_flows", "key size", bpf_map__key_size(s->maps.rh_flows),
		  sizeof(struct rh_flow_key));
	FX_EXPECT_EQ("rh_flows", "value size",
		  bpf_map__value_size(s->maps.rh_flows),
		  sizeof(struct rh_flow));
	FX_EXPECT_EQ("rh_vips", "max_entries",
		  bpf_map__max_entries(s->maps.rh_vips), RH_MAX_VIPS);
	FX_EXPECT_EQ("rh_ifaces", "max_entries",
		  bpf_map__max_entries(s->maps.rh_ifaces), RH_MAX_IFACES);
	FX_EXPECT_EQ("rh_tx_ports", "max_entries",
		  bpf_map__max_entries(s->maps.rh_tx_ports), RH_MAX_IFACES);
	FX_EXPECT_EQ("rh_stats", "max_entries",
		  bpf_map__max_entries(s->maps.rh_stats), RH_STAT_MAX);
	assert_string_equal(bpf_map__name(s->maps.rh_services),
			    RH_MAP_SERVICES);
	assert_string_equal(bpf_map__name(s->maps.rh_flows), RH_MAP_FLOWS);
	assert_string_equal(bpf_map__name(s->maps.rh_stats), RH_MAP_STATS);
}

/* ---- traffic that is not ours -------------------------------------------- */

static void test_pass_non_vip_tcp_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_MASTER, FX_REDIS_PORT, TH_SYN);

	(void)state;
	expect_unchanged("tcp to a master", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_NOT_OURS);
}

/* Only configured ports of the VIP are services. */
static void test_pass_vip_port_without_service_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_VIP, SSH_PORT, TH_SYN);

	(void)state;
	expect_unchanged("tcp to vip:22", pkt, len, fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_NOT_OURS);
}

/* The gateway's own SSH on its back address is outside the SNAT range. */
static void test_pass_ssh_to_gateway_unchanged(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SSH_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.saddr = pkt_ip(FX_MASTER);
	spec.daddr = pkt_ip(FX_SNAT);
	memcpy(spec.src_mac, FX_MASTER_MAC, ETH_ALEN);
	memcpy(spec.dst_mac, FX_BACK_MAC, ETH_ALEN); /* on back0's wire */
	len = fx_build(pkt, &spec);
	expect_unchanged("ssh to snat addr", pkt, len, fx.back_ifindex,
			 XDP_PASS, RH_STAT_PASS_NOT_OURS);
}

static void test_pass_proxy_port_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_VIP, FX_PROXY_PORT, TH_SYN);

	(void)state;
	expect_unchanged("syn to proxy", pkt, len, fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_PROXY);
}

/* Two VLAN tags, IP options and TCP options still reach the service. */
static void test_pass_vlans_and_options_reach_proxy(void **state)
{
	struct pkt_spec spec =
		fx_client_spec(CLIENT_PORT, FX_PROXY_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	fx_qinq(&spec);
	spec.ip_opts_len = 8;
	spec.tcp_opts_len = 12;
	len = fx_build(pkt, &spec);
	expect_unchanged("qinq syn to proxy", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_PROXY);
}

/* An echo request to the VIP: the kernel answers it, not the program. */
static void test_pass_icmp_to_vip_unchanged(void **state)
{
	uint8_t echo[ICMP_ECHO_LEN] = { ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1 };
	struct pkt_spec spec = fx_client_spec(0, 0, 0);
	uint8_t pkt[PKT_MAX_FRAME];
	uint16_t csum = pkt_csum(echo, sizeof(echo), 0);
	size_t len;

	(void)state;
	memcpy(echo + offsetof(struct icmphdr, checksum), &csum, sizeof(csum));
	spec.protocol = IPPROTO_ICMP;
	spec.payload = echo;
	spec.payload_len = sizeof(echo);
	len = fx_build(pkt, &spec);
	expect_unchanged("icmp echo to vip", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_NOT_TCP);
}

/* UDP to a shard port number is still not a shard flow. */
static void test_pass_udp_to_vip_unchanged(void **state)
{
	uint16_t udp[UDP_HDR_LEN / 2] = { htons(CLIENT_PORT),
					  htons(SHARD0_PORT),
					  htons(UDP_HDR_LEN), 0 /* none */ };
	struct pkt_spec spec = fx_client_spec(0, 0, 0);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.protocol = IPPROTO_UDP;
	spec.payload = udp;
	spec.payload_len = sizeof(udp);
	len = fx_build(pkt, &spec);
	expect_unchanged("udp to vip:7001", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_NOT_TCP);
}

static void test_pass_ipv6_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = pkt_build_ipv6(pkt, sizeof(pkt));

	(void)state;
	assert_true(len > 0);
	expect_unchanged("ipv6", pkt, len, fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_IPV6);
}

/* Neither IPv4, IPv6 nor ARP: an LLDP frame from the switch. */
static void test_pass_other_ethertype_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = pkt_build_ipv6(pkt, sizeof(pkt));
	uint16_t type = htons(ETHERTYPE_LLDP);

	(void)state;
	assert_true(len > 0);
	memcpy(pkt + offsetof(struct ethhdr, h_proto), &type, sizeof(type));
	expect_unchanged("lldp", pkt, len, fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_NOT_IPV4);
}

/* ---- ARP ----------------------------------------------------------------- */

/* A request for the gateway's own address is the kernel's to answer. */
static void test_pass_arp_not_for_vip_unchanged(void **state)
{
	struct pkt_arp_spec spec =
		arp_request(FX_CLIENT_MAC, FX_CLIENT, GATEWAY_FRONT);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);

	(void)state;
	expect_unchanged("arp for front0 addr", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_ARP);
}

static void test_pass_arp_reply_unchanged(void **state)
{
	struct pkt_arp_spec spec = client_arp_for_vip();
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len;

	(void)state;
	spec.op = ARPOP_REPLY;
	len = arp_build(pkt, &spec);
	expect_unchanged("arp reply about vip", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_ARP);
}

/* A peer announcing the VIP (spa == tpa) is not asking us anything. */
static void test_pass_gratuitous_arp_for_vip_unchanged(void **state)
{
	struct pkt_arp_spec spec =
		arp_request(FX_MASTER_FRONT_MAC, FX_VIP, FX_VIP);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);

	(void)state;
	expect_unchanged("gratuitous arp for vip", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_ARP);
}

static void test_arp_request_for_vip_answered_on_front(void **state)
{
	(void)state;
	expect_arp_reply("arp for vip on front0", fx.front_ifindex,
			 FX_CLIENT_MAC, FX_CLIENT, FX_FRONT_MAC);
}

/* The reply names the interface it leaves by, not a fixed MAC. */
static void test_arp_request_for_vip_answered_on_back(void **state)
{
	(void)state;
	expect_arp_reply("arp for vip on back0", fx.back_ifindex,
			 FX_MASTER_MAC, FX_MASTER, FX_BACK_MAC);
}

static void test_arp_inactive_gateway_passes(void **state)
{
	struct pkt_arp_spec spec = client_arp_for_vip();
	struct rh_config cfg = fx_config_default();
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);

	(void)state;
	cfg.flags &= ~RH_CONFIG_ACTIVE;
	fx_config_write(&cfg);
	expect_unchanged("arp for vip, inactive", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_ARP_INACTIVE);
}

/* A controller that stopped beating stops drawing traffic (dead man). */
static void test_arp_stale_heartbeat_passes(void **state)
{
	struct pkt_arp_spec spec = client_arp_for_vip();
	struct rh_config cfg = fx_config_default();
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);

	(void)state;
	/* The default beats now; twice the interval back is clear of the
	 * coarse clock's jitter. It wraps on a machine up for less than that,
	 * and the program's age (now - heartbeat) wraps back with it. */
	cfg.heartbeat_ns -= 2 * cfg.deadman_ns;
	fx_config_write(&cfg);
	expect_unchanged("arp for vip, stale heartbeat", pkt, len,
			 fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_ARP_INACTIVE);
}

/* Without the interface's MAC there is nothing to answer with. */
static void test_arp_unknown_iface_passes(void **state)
{
	struct pkt_arp_spec spec = client_arp_for_vip();
	uint32_t ifindex = (uint32_t)fx.front_ifindex;
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = arp_build(pkt, &spec);

	(void)state;
	assert_int_equal(bpf_map__delete_elem(fx.skel->maps.rh_ifaces, &ifindex,
					      sizeof(ifindex), 0),
			 0);
	expect_unchanged("arp for vip, no iface", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_ARP_NO_IFACE);
}

/* ---- ACL ----------------------------------------------------------------- */

static void test_acl_deny_drops(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_VIP, FX_PROXY_PORT, TH_SYN);

	(void)state;
	acl_add(CLIENT_NET, 24, RH_ACL_DENY);
	acl_activate();
	expect_unchanged("denied client to proxy", pkt, len, fx.front_ifindex,
			 XDP_DROP, RH_STAT_DROP_ACL);
}

static void test_acl_allowed_prefix_reaches_proxy(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_VIP, FX_PROXY_PORT, TH_SYN);

	(void)state;
	acl_add(CLIENT_NET, 24, RH_ACL_ALLOW);
	acl_activate();
	expect_unchanged("allowed client to proxy", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_PROXY);
}

/* With rules present, a source no rule matches is denied by default. */
static void test_acl_source_outside_allow_prefixes_dropped(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, OUTSIDER, FX_VIP, FX_PROXY_PORT, TH_SYN);

	(void)state;
	acl_add(CLIENT_NET, 24, RH_ACL_ALLOW);
	acl_activate();
	expect_unchanged("unlisted source to proxy", pkt, len,
			 fx.front_ifindex, XDP_DROP, RH_STAT_DROP_ACL);
}

/* The /32 deny beats the /24 allow for that host only. */
static void test_acl_longest_prefix_deny_wins(void **state)
{
	uint8_t denied[PKT_MAX_FRAME], neighbour[PKT_MAX_FRAME];
	size_t denied_len = tcp_from(denied, FX_CLIENT, FX_VIP, FX_PROXY_PORT,
				     TH_SYN);
	size_t neighbour_len = tcp_from(neighbour, "198.18.0.11", FX_VIP,
					FX_PROXY_PORT, TH_SYN);

	(void)state;
	acl_add(CLIENT_NET, 24, RH_ACL_ALLOW);
	acl_add(FX_CLIENT, 32, RH_ACL_DENY);
	acl_activate();
	expect_unchanged("/32 deny in /24 allow", denied, denied_len,
			 fx.front_ifindex, XDP_DROP, RH_STAT_DROP_ACL);
	expect_unchanged("/24 allow next to /32 deny", neighbour,
			 neighbour_len, fx.front_ifindex, XDP_PASS,
			 RH_STAT_PASS_PROXY);
}

/* No rules and the flag clear: everyone is allowed. */
static void test_acl_empty_allows_all(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, OUTSIDER, FX_VIP, FX_PROXY_PORT, TH_SYN);

	(void)state;
	expect_unchanged("no acl, any source", pkt, len, fx.front_ifindex,
			 XDP_PASS, RH_STAT_PASS_PROXY);
}

/* A denied SYN to a shard is dropped before it can claim a SNAT port. */
static void test_acl_applies_to_shard_ports(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = tcp_from(pkt, FX_CLIENT, FX_VIP, SHARD0_PORT, TH_SYN);

	(void)state;
	acl_add(CLIENT_NET, 24, RH_ACL_DENY);
	acl_activate();
	expect_unchanged("denied syn to shard", pkt, len, fx.front_ifindex,
			 XDP_DROP, RH_STAT_DROP_ACL);
	FX_EXPECT_EQ("denied syn to shard", "flows", fx_flow_count(), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, fx_reset)
	const struct CMUnitTest tests[] = {
		T(test_pass_object_loads_with_abi_map_sizes),
		T(test_pass_non_vip_tcp_unchanged),
		T(test_pass_vip_port_without_service_unchanged),
		T(test_pass_ssh_to_gateway_unchanged),
		T(test_pass_proxy_port_unchanged),
		T(test_pass_vlans_and_options_reach_proxy),
		T(test_pass_icmp_to_vip_unchanged),
		T(test_pass_udp_to_vip_unchanged),
		T(test_pass_ipv6_unchanged),
		T(test_pass_other_ethertype_unchanged),
		T(test_pass_arp_not_for_vip_unchanged),
		T(test_pass_arp_reply_unchanged),
		T(test_pass_gratuitous_arp_for_vip_unchanged),
		T(test_arp_request_for_vip_answered_on_front),
		T(test_arp_request_for_vip_answered_on_back),
		T(test_arp_inactive_gateway_passes),
		T(test_arp_stale_heartbeat_passes),
		T(test_arp_unknown_iface_passes),
		T(test_acl_deny_drops),
		T(test_acl_allowed_prefix_reaches_proxy),
		T(test_acl_source_outside_allow_prefixes_dropped),
		T(test_acl_longest_prefix_deny_wins),
		T(test_acl_empty_allows_all),
		T(test_acl_applies_to_shard_ports),
	};
#undef T

	return cmocka_run_group_tests_name("xdp pass", tests, fx_setup,
					   fx_teardown);
}
