/*
 * arp.h: the ARP responder for the VIPs (DESIGN.md §5).
 *
 * The VIPs sit on the gateway's loopback with arp_ignore set, so the kernel
 * never answers for them; this program does, and only while the controller
 * says the gateway is active and its heartbeat is fresh. A controller that
 * dies therefore stops drawing traffic within the dead-man interval, while
 * the flows already steered keep forwarding.
 */
#ifndef REDISHA_BPF_ARP_H
#define REDISHA_BPF_ARP_H

#include "maps.h"
#include "parse.h"
#include "stats.h"

static __always_inline bool gateway_active(const struct rh_config *cfg)
{
	/* Signed: a heartbeat written just now may lead the coarse clock. */
	__s64 age = (__s64)(bpf_ktime_get_coarse_ns() - cfg->heartbeat_ns);

	return (cfg->flags & RH_CONFIG_ACTIVE) && age <= (__s64)cfg->deadman_ns;
}

/* Turn a request for a VIP into the reply, in place, and send it back. */
static __always_inline int arp_respond(struct xdp_md *ctx,
				       const struct rh_config *cfg,
				       struct ethhdr *eth, struct arp_ipv4 *arp)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct rh_iface *iface;
	__be32 vip = arp->tpa;

	/* Replies, and gratuitous announcements of others, are not ours. */
	if (arp->hdr.ar_op != bpf_htons(ARPOP_REQUEST) || arp->spa == arp->tpa)
		return verdict(XDP_PASS, RH_STAT_PASS_ARP);
	if (!bpf_map_lookup_elem(&rh_vips, &vip))
		return verdict(XDP_PASS, RH_STAT_PASS_ARP);
	if (!gateway_active(cfg))
		return verdict(XDP_PASS, RH_STAT_PASS_ARP_INACTIVE);
	iface = bpf_map_lookup_elem(&rh_ifaces, &ifindex);
	if (!iface)
		return verdict(XDP_PASS, RH_STAT_PASS_ARP_NO_IFACE);

	arp->hdr.ar_op = bpf_htons(ARPOP_REPLY);
	__builtin_memcpy(arp->tha, arp->sha, ETH_ALEN);
	arp->tpa = arp->spa;
	__builtin_memcpy(arp->sha, iface->mac, ETH_ALEN);
	arp->spa = vip;
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, iface->mac, ETH_ALEN);
	return verdict(XDP_TX, RH_STAT_TX_ARP_REPLY);
}

#endif /* REDISHA_BPF_ARP_H */
