/*
 * parse.h: header parsers for the XDP program.
 *
 * Each parser takes a cursor into the frame, checks that its whole header
 * lies before data_end before reading any of it, and on success advances
 * the cursor past the header. They return 0 on success and -1 when the
 * packet is too short or malformed; the caller decides the verdict.
 * Values handed back are in network order unless a comment says otherwise.
 */
#ifndef REDISHA_BPF_PARSE_H
#define REDISHA_BPF_PARSE_H

#include "consts.h"

struct cursor {
	void *pos;
	void *end;
};

/* A parsed IPv4/TCP frame; l3_off is where the IP header starts. */
struct pkt {
	struct xdp_md *ctx;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u64 l3_off;
};

/* Bytes of TCP payload, from the IP total length (frames may be padded). */
static __always_inline __u32 tcp_payload_len(const struct pkt *p)
{
	return bpf_ntohs(p->ip->tot_len) - p->ip->ihl * 4 - p->tcp->doff * 4;
}

/* Ethernet plus up to VLAN_MAX_DEPTH tags; *proto is the inner EtherType. */
static __always_inline int parse_ethhdr(struct cursor *c, struct ethhdr **eth,
					__be16 *proto)
{
	struct ethhdr *e = c->pos;
	struct vlan_hdr *vlan;
	__be16 type;
	int i;

	if ((void *)(e + 1) > c->end)
		return -1;
	c->pos = e + 1;
	type = e->h_proto;

#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (type != bpf_htons(ETH_P_8021Q) &&
		    type != bpf_htons(ETH_P_8021AD))
			break;
		vlan = c->pos;
		if ((void *)(vlan + 1) > c->end)
			return -1;
		c->pos = vlan + 1;
		type = vlan->h_vlan_encapsulated_proto;
	}
	*eth = e;
	*proto = type;
	return 0;
}

/* ARP for IPv4 over Ethernet (RFC 826), the only kind the gateway answers. */
struct arp_ipv4 {
	struct arphdr hdr;
	__u8 sha[ETH_ALEN];
	__be32 spa;
	__u8 tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

static __always_inline int parse_arp_ipv4(struct cursor *c,
					  struct arp_ipv4 **arp)
{
	struct arp_ipv4 *a = c->pos;

	if ((void *)(a + 1) > c->end)
		return -1;
	if (a->hdr.ar_hrd != bpf_htons(ARPHRD_ETHER) ||
	    a->hdr.ar_pro != bpf_htons(ETH_P_IP) || a->hdr.ar_hln != ETH_ALEN ||
	    a->hdr.ar_pln != sizeof(__be32))
		return -1;
	c->pos = a + 1;
	*arp = a;
	return 0;
}

/* IPv4 with options; a header length below 5 words or past the end fails. */
static __always_inline int parse_iphdr(struct cursor *c, struct iphdr **iph)
{
	struct iphdr *ip = c->pos;
	__u32 hdrsize;

	if ((void *)(ip + 1) > c->end)
		return -1;
	if (ip->version != 4 || ip->ihl < IPV4_MIN_IHL)
		return -1;
	hdrsize = ip->ihl * 4;
	if (c->pos + hdrsize > c->end)
		return -1;
	c->pos += hdrsize;
	*iph = ip;
	return 0;
}

static __always_inline bool ip_is_fragment(const struct iphdr *ip)
{
	return (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)) != 0;
}

/* TCP with options; a data offset below 5 words or past the end fails. */
static __always_inline int parse_tcphdr(struct cursor *c, struct tcphdr **tcph)
{
	struct tcphdr *tcp = c->pos;
	__u32 hdrsize;

	if ((void *)(tcp + 1) > c->end)
		return -1;
	if (tcp->doff < TCP_MIN_DOFF)
		return -1;
	hdrsize = tcp->doff * 4;
	if (c->pos + hdrsize > c->end)
		return -1;
	c->pos += hdrsize;
	*tcph = tcp;
	return 0;
}

#endif /* REDISHA_BPF_PARSE_H */
