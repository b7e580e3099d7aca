// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * ref_lookup.bpf.c: the bench's floor for a conntrack-based datapath:
 * parse Ethernet, IPv4 and TCP with the datapath's own parsers, then one
 * hash lookup that hits (the bench fills the map), then XDP_PASS.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "parse.h"
#include "redisha/abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct rh_flow_key);
	__type(value, struct rh_flow);
} ref_flows SEC(".maps");

SEC("xdp")
int ref_lookup(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct rh_flow_key key;
	struct ethhdr *eth;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__be16 proto;

	if (parse_ethhdr(&c, &eth, &proto) < 0 ||
	    proto != bpf_htons(ETH_P_IP) || parse_iphdr(&c, &ip) < 0 ||
	    ip->protocol != IPPROTO_TCP || parse_tcphdr(&c, &tcp) < 0)
		return XDP_ABORTED;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = tcp->source;
	key.dport = tcp->dest;
	/* A miss means the bench set up the wrong packet: fail loudly. */
	return bpf_map_lookup_elem(&ref_flows, &key) ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
