// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * redisha.bpf.c: the XDP entry point and its verdict flow.
 *
 * This first version classifies: it parses down to TCP, finds the service a
 * packet is addressed to and applies the source ACL. Traffic that is not
 * ours (no service for its destination) is always passed untouched, so the
 * gateway's own SSH, Sentinel and ARP traffic never notices the program.
 * Full NAT to the shard masters builds on this (docs/datapath.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "parse.h"
#include "stats.h"

static __always_inline struct rh_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rh_config, &zero);
}

/*
 * The longest matching prefix decides; a source no rule matches is allowed
 * only while the ACL is empty (RH_CONFIG_ACL_ACTIVE clear).
 */
static __always_inline bool acl_allows(const struct rh_config *cfg,
				       __be32 saddr)
{
	struct rh_acl_key key = { .prefixlen = 32, .addr = saddr };
	struct rh_acl_rule *rule;

	rule = bpf_map_lookup_elem(&rh_acl, &key);
	if (rule)
		return rule->action == RH_ACL_ALLOW;
	return !(cfg->flags & RH_CONFIG_ACL_ACTIVE);
}

SEC("xdp")
int redisha_xdp(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct rh_service_key skey = {};
	struct rh_service *svc;
	struct rh_config *cfg;
	struct tcphdr *tcp;
	struct ethhdr *eth;
	struct iphdr *ip;
	__be16 proto;

	stat_inc(RH_STAT_RX);

	if (parse_ethhdr(&c, &eth, &proto) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);
	if (proto == bpf_htons(ETH_P_IPV6))
		return verdict(XDP_PASS, RH_STAT_PASS_IPV6);
	if (proto != bpf_htons(ETH_P_IP))
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_IPV4);
	if (parse_iphdr(&c, &ip) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);
	if (ip->protocol != IPPROTO_TCP)
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_TCP);
	/* Only the first fragment has ports; the kernel reassembles. */
	if (ip_is_fragment(ip))
		return verdict(XDP_PASS, RH_STAT_PASS_FRAGMENT);
	if (parse_tcphdr(&c, &tcp) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);

	skey.addr = ip->daddr;
	skey.port = tcp->dest;
	svc = bpf_map_lookup_elem(&rh_services, &skey);
	if (!svc)
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_OURS);
	cfg = config_get();
	if (!cfg) /* an array map always has index 0 */
		return verdict(XDP_ABORTED, RH_STAT_ABORT_NO_CONFIG);
	if (!acl_allows(cfg, ip->saddr))
		return verdict(XDP_DROP, RH_STAT_DROP_ACL);
	if (svc->kind == RH_SERVICE_PROXY)
		return verdict(XDP_PASS, RH_STAT_PASS_PROXY);
	return verdict(XDP_PASS, RH_STAT_PASS_SHARD_NO_NAT);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
