/*
 * fwd.h: sending a rewritten packet on to its next hop.
 *
 * The next hop comes from bpf_fib_lookup and is cached in the flow entry,
 * so established packets skip the lookup until the cache goes stale. When
 * the kernel has no neighbour entry yet, the rewritten packet is passed up:
 * the kernel forwards it (accept_local lets it take a packet from one of its
 * own addresses) and resolves the neighbour for the packets that follow.
 */
#ifndef REDISHA_BPF_FWD_H
#define REDISHA_BPF_FWD_H

#include "consts.h"
#include "maps.h"
#include "parse.h"
#include "stats.h"

/* RFC 1624 update for a TTL decrement, as the kernel's ip_decrease_ttl. */
static __always_inline void ip_decrease_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__sum16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

/*
 * struct bpf_fib_lookup as the UAPI fixes it, declared here rather than
 * taken from vmlinux.h: vmlinux.h marks every type for CO-RE relocation,
 * and libbpf 1.1 relocates the anonymous unions at its end to offset 0,
 * which overwrote `family` and broke every lookup. The layout is UAPI, so
 * it needs no relocation.
 */
struct fib_params {
	__u8 family;
	__u8 l4_protocol;
	__be16 sport;
	__be16 dport;
	__u16 tot_len; /* in; mtu_result out */
	__u32 ifindex;
	__u32 tos; /* u8 tos in the first byte, for IPv4 */
	__be32 ipv4_src;
	__u32 ipv6_src_rest[3];
	__be32 ipv4_dst;
	__u32 ipv6_dst_rest[3];
	__be16 h_vlan_proto;
	__be16 h_vlan_tci;
	__u8 smac[ETH_ALEN];
	__u8 dmac[ETH_ALEN];
};
_Static_assert(sizeof(struct fib_params) == 64, "UAPI bpf_fib_lookup");

/* Fill the flow's next-hop cache. Returns a BPF_FIB_LKUP_RET_* code. */
static __always_inline int nexthop_resolve(const struct pkt *p,
					   struct rh_flow *f, __u64 now)
{
	struct fib_params fib = {
		.family = AF_INET,
		.l4_protocol = IPPROTO_TCP,
		.tos = p->ip->tos,
		.tot_len = bpf_ntohs(p->ip->tot_len),
		.ipv4_src = p->ip->saddr,
		.ipv4_dst = p->ip->daddr,
		.ifindex = p->ctx->ingress_ifindex,
	};
	int rc;

	stat_inc(RH_STAT_FIB_LOOKUP);
	rc = bpf_fib_lookup(p->ctx, (struct bpf_fib_lookup *)&fib, sizeof(fib),
			    0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	f->nh_ifindex = fib.ifindex;
	__builtin_memcpy(f->nh_smac, fib.smac, ETH_ALEN);
	__builtin_memcpy(f->nh_dmac, fib.dmac, ETH_ALEN);
	f->nh_cached_ns = now;
	return rc;
}

/*
 * Send the rewritten packet to its next hop: XDP_TX when it leaves by the
 * interface it came in on, a devmap redirect otherwise, XDP_PASS to the
 * kernel when the next hop is not known yet.
 */
static __always_inline int forward(struct pkt *p, const struct rh_config *cfg,
				   struct rh_flow *f, __u64 now)
{
	__u32 ifindex;
	int action, rc;

	if (!f->nh_ifindex ||
	    (__s64)(now - f->nh_cached_ns) > (__s64)cfg->nh_cache_ns) {
		rc = nexthop_resolve(p, f, now);
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return verdict(XDP_PASS, RH_STAT_PASS_NAT_NO_NEIGH);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return verdict(XDP_PASS, RH_STAT_PASS_NAT_FIB);
	}
	ifindex = f->nh_ifindex;
	if (ifindex == p->ctx->ingress_ifindex) {
		action = XDP_TX;
	} else {
		/* The lower bits of the flags are the verdict when the devmap
		 * has no such port; the frame is not touched before then, so
		 * the kernel can still forward it. */
		action = bpf_redirect_map(&rh_tx_ports, ifindex, XDP_PASS);
		if (action != XDP_REDIRECT)
			return verdict(XDP_PASS, RH_STAT_PASS_NAT_NO_TX_PORT);
	}
	ip_decrease_ttl(p->ip);
	__builtin_memcpy(p->eth->h_source, f->nh_smac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, f->nh_dmac, ETH_ALEN);
	return verdict(action, action == XDP_TX ? RH_STAT_TX_NAT
						: RH_STAT_REDIRECT_NAT);
}

#endif /* REDISHA_BPF_FWD_H */
