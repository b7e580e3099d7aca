// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * redisha.bpf.c: the XDP entry point and its verdict flow (docs/datapath.md).
 *
 * A TCP flow to VIP:shard-port is fully NATed to the shard's current master
 * (DNAT to the master, SNAT to the gateway's back address and a port of its
 * own), and the master's replies are NATed back. The proxy port is passed to
 * the local stack; ARP requests for a VIP are answered while the gateway is
 * active. Traffic that is not ours is always passed untouched, so the
 * gateway's own SSH, Sentinel and ARP traffic never notices the program.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "arp.h"
#include "flow.h"
#include "fwd.h"
#include "maps.h"
#include "parse.h"
#include "rst.h"
#include "stats.h"

static __always_inline struct rh_config *config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rh_config, &zero);
}

/*
 * The longest matching prefix decides; a source no rule matches is allowed
 * only while the ACL is empty. RH_CONFIG_ACL_ACTIVE says it is not, and
 * spares the trie lookup on every packet when it is.
 */
static __always_inline bool acl_allows(const struct rh_config *cfg,
				       __be32 saddr)
{
	struct rh_acl_key key = { .prefixlen = 32, .addr = saddr };
	struct rh_acl_rule *rule;

	if (!(cfg->flags & RH_CONFIG_ACL_ACTIVE))
		return true;
	rule = bpf_map_lookup_elem(&rh_acl, &key);
	return rule && rule->action == RH_ACL_ALLOW;
}

/* A packet from a client to VIP:shard-port. */
static __always_inline int shard_forward(struct pkt *p,
					 const struct rh_config *cfg,
					 const struct rh_service *svc)
{
	struct rh_flow_key key = flow_key_of(p);
	__u32 shard_id = svc->shard_id;
	struct rh_shard *shard;
	struct rh_flow *f;
	bool syn = p->tcp->syn && !p->tcp->ack;
	__u64 now = bpf_ktime_get_coarse_ns();

	shard = bpf_map_lookup_elem(&rh_shards, &shard_id);
	if (!shard) /* a service naming a shard id past the array */
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_OURS);
	if (p->ip->ttl <= 1)
		return verdict(XDP_DROP, RH_STAT_DROP_TTL);

	f = bpf_map_lookup_elem(&rh_flows, &key);
	if (f && !rh_flow_live(cfg, f, now))
		f = NULL;
	if (syn) {
		/* A retransmitted SYN keeps its binding; any other SYN on a
		 * known tuple is a client reusing its port: a new flow. */
		if (f && (f->tcp_state != RH_TCP_SYN_SENT ||
			  f->generation != shard->generation)) {
			flow_delete(&key, f);
			stat_inc(RH_STAT_FLOW_PORT_REUSE);
			f = NULL;
		}
		if (!f) {
			if (shard->state != RH_SHARD_UP)
				return rst_reply(p, RH_STAT_TX_RST_NO_MASTER);
			f = flow_create(p, cfg, shard, shard_id, now);
			if (!f)
				return rst_reply(p, RH_STAT_TX_RST_SNAT_FULL);
		}
	} else if (!f) {
		/* Never answer a reset with a reset (RFC 793). */
		if (p->tcp->rst)
			return verdict(XDP_DROP, RH_STAT_DROP_RST_NO_FLOW);
		return rst_reply(p, RH_STAT_TX_RST_NO_FLOW);
	} else if (shard->state == RH_SHARD_DOWN ||
		   (f->generation != shard->generation &&
		    (cfg->flags & RH_CONFIG_RESET_ON_FAILOVER))) {
		flow_delete(&key, f);
		if (p->tcp->rst)
			return verdict(XDP_DROP, RH_STAT_DROP_RST_NO_FLOW);
		return rst_reply(p, RH_STAT_TX_RST_FAILOVER);
	}

	flow_track(f, p->tcp, now);
	nat_rewrite(p, &f->nat);
	return forward(p, cfg, f, now);
}

/* A packet from a master to one of the gateway's SNAT bindings. */
static __always_inline int shard_reverse(struct pkt *p,
					 const struct rh_config *cfg,
					 struct rh_flow *f)
{
	struct rh_flow_key key = flow_key_of(p);
	__u32 shard_id = f->shard_id;
	struct rh_shard *shard;
	__u64 now = bpf_ktime_get_coarse_ns();
	int action;

	shard = bpf_map_lookup_elem(&rh_shards, &shard_id);
	if (!shard || !rh_flow_live(cfg, f, now))
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_OURS);
	if (p->ip->ttl <= 1)
		return verdict(XDP_DROP, RH_STAT_DROP_TTL);

	if (shard->state == RH_SHARD_DOWN ||
	    (f->generation != shard->generation &&
	     (cfg->flags & RH_CONFIG_RESET_ON_FAILOVER))) {
		/* A deposed master still talking: reset its client instead,
		 * in sequence with what the client expects from it. */
		if (rst_build(p, &f->nat, p->tcp->seq, 0, TCP_FLAG_RST) < 0)
			return verdict(XDP_ABORTED, RH_STAT_ABORT_ADJUST_TAIL);
		stat_inc(RH_STAT_FWD_RST_FAILOVER);
		action = forward(p, cfg, f, now);
		flow_delete(&key, f);
		return action;
	}

	flow_track(f, p->tcp, now);
	nat_rewrite(p, &f->nat);
	return forward(p, cfg, f, now);
}

static __always_inline bool snat_port(const struct rh_config *cfg,
				      __be16 port)
{
	__u16 h = bpf_ntohs(port);

	return h >= cfg->snat_port_min && h <= cfg->snat_port_max;
}

/*
 * Whether the frame is addressed to the MAC of the interface it came in
 * on. A bridge floods frames for a MAC it has lost (the master gateway's,
 * when its host died), and a NIC in promiscuous mode hands up frames for
 * other hosts: the kernel drops those as PACKET_OTHERHOST, and so must the
 * datapath, or a backup gateway would forward what clients send to the
 * master.
 */
static __always_inline bool to_this_host(const struct pkt *p)
{
	__u32 ifindex = p->ctx->ingress_ifindex;
	const struct rh_iface *iface;
	const __u8 *dst = p->eth->h_dest;

	iface = bpf_map_lookup_elem(&rh_ifaces, &ifindex);
	if (!iface)
		return false;
	return !((dst[0] ^ iface->mac[0]) | (dst[1] ^ iface->mac[1]) |
		 (dst[2] ^ iface->mac[2]) | (dst[3] ^ iface->mac[3]) |
		 (dst[4] ^ iface->mac[4]) | (dst[5] ^ iface->mac[5]));
}

static __always_inline int handle_tcp(struct pkt *p, struct rh_config *cfg)
{
	struct rh_service_key skey = {
		.addr = p->ip->daddr,
		.port = p->tcp->dest,
	};
	struct rh_flow_key key;
	struct rh_service *svc;
	struct rh_flow *f;

	if (!to_this_host(p))
		return verdict(XDP_PASS, RH_STAT_PASS_OTHER_HOST);
	svc = bpf_map_lookup_elem(&rh_services, &skey);
	if (svc) {
		if (!acl_allows(cfg, p->ip->saddr))
			return verdict(XDP_DROP, RH_STAT_DROP_ACL);
		if (svc->kind == RH_SERVICE_SHARD)
			return shard_forward(p, cfg, svc);
		return verdict(XDP_PASS, RH_STAT_PASS_PROXY);
	}
	if (p->ip->daddr == cfg->snat_addr && snat_port(cfg, p->tcp->dest)) {
		key = flow_key_of(p);
		f = bpf_map_lookup_elem(&rh_flows, &key);
		if (f && f->dir == RH_FLOW_REVERSE)
			return shard_reverse(p, cfg, f);
	}
	return verdict(XDP_PASS, RH_STAT_PASS_NOT_OURS);
}

SEC("xdp")
int redisha_xdp(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	struct pkt p = { .ctx = ctx };
	struct rh_config *cfg;
	struct arp_ipv4 *arp;
	__be16 proto;

	stat_inc(RH_STAT_RX);
	cfg = config_get();
	if (!cfg) /* an array map always has index 0 */
		return verdict(XDP_ABORTED, RH_STAT_ABORT_NO_CONFIG);

	if (parse_ethhdr(&c, &p.eth, &proto) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);
	if (proto == bpf_htons(ETH_P_ARP)) {
		if (parse_arp_ipv4(&c, &arp) < 0)
			return verdict(XDP_PASS, RH_STAT_PASS_ARP);
		return arp_respond(ctx, cfg, p.eth, arp);
	}
	if (proto == bpf_htons(ETH_P_IPV6))
		return verdict(XDP_PASS, RH_STAT_PASS_IPV6);
	if (proto != bpf_htons(ETH_P_IP))
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_IPV4);
	p.l3_off = c.pos - (void *)(long)ctx->data;
	if (parse_iphdr(&c, &p.ip) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);
	if (p.ip->protocol != IPPROTO_TCP)
		return verdict(XDP_PASS, RH_STAT_PASS_NOT_TCP);
	/* Only the first fragment has ports; the kernel reassembles. */
	if (ip_is_fragment(p.ip))
		return verdict(XDP_PASS, RH_STAT_PASS_FRAGMENT);
	if (parse_tcphdr(&c, &p.tcp) < 0)
		return verdict(XDP_PASS, RH_STAT_PASS_MALFORMED);
	return handle_tcp(&p, cfg);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
