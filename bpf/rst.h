/*
 * rst.h: turning the packet in hand into a TCP reset.
 *
 * A reset is how the gateway tells a client at once that its flow is gone
 * (the master changed, the shard is down, the flow went through a gateway
 * that died) instead of letting it time out. The frame keeps its Ethernet
 * and VLAN headers and is cut down to a bare IPv4 + TCP header.
 */
#ifndef REDISHA_BPF_RST_H
#define REDISHA_BPF_RST_H

#include "csum.h"
#include "parse.h"
#include "stats.h"

#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10
#define TCP_FLAGS_OFFSET 13 /* byte of the TCP header holding the flags */

/*
 * Rewrite the frame into a reset for `t` with the given sequence numbers.
 * Old packet pointers are invalid afterwards; p's are renewed. Returns 0, or
 * -1 when the frame could not be cut.
 */
static __always_inline int rst_build(struct pkt *p, const struct rh_flow_key *t,
				     __be32 seq, __be32 ack, __u8 flags)
{
	struct xdp_md *ctx = p->ctx;
	__u64 off = p->l3_off;
	int len = (int)bpf_xdp_get_buff_len(ctx);
	int delta = (int)(off + sizeof(struct iphdr) + sizeof(struct tcphdr)) -
		    len;
	struct iphdr *ip;
	struct tcphdr *tcp;
	void *data, *end;

	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (off > L3_MAX_OFFSET) /* known already */
		return -1;
	/*
	 * Bound the very register added to the packet pointer: clang reloads
	 * `off` from the stack after the check above, and the 6.1 verifier
	 * (unlike 6.18's) does not carry the check over to the reloaded copy.
	 */
	asm volatile("%0 &= %1" : "+r"(off) : "i"(L3_OFFSET_MASK));
	ip = data + off;
	tcp = (void *)(ip + 1);
	/* Both checks: the verifier does not carry the second to `data`. */
	if ((void *)(tcp + 1) > end || data + sizeof(struct ethhdr) > end)
		return -1;

	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = IPV4_MIN_IHL;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*tcp));
	ip->frag_off = bpf_htons(IP_DF);
	ip->ttl = IP_DEFAULT_TTL;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = t->saddr;
	ip->daddr = t->daddr;
	ip->check = csum_fold(csum_words((__u16 *)ip, sizeof(*ip) / 2));

	__builtin_memset(tcp, 0, sizeof(*tcp));
	tcp->source = t->sport;
	tcp->dest = t->dport;
	tcp->seq = seq;
	tcp->ack_seq = ack;
	tcp->doff = TCP_MIN_DOFF;
	((__u8 *)tcp)[TCP_FLAGS_OFFSET] = flags;
	tcp->check = csum_fold(
		csum_tcp_pseudo(t->saddr, t->daddr, sizeof(*tcp)) +
		csum_words((__u16 *)tcp, sizeof(*tcp) / 2));

	p->eth = data;
	p->ip = ip;
	p->tcp = tcp;
	return 0;
}

/*
 * Answer the sender of the packet in hand with a reset, as a TCP stack
 * would (RFC 793, "Reset Generation"), back out of the ingress interface.
 */
static __always_inline int rst_reply(struct pkt *p, __u32 reason)
{
	struct tcphdr *tcp = p->tcp;
	struct rh_flow_key back = {
		.saddr = p->ip->daddr,
		.daddr = p->ip->saddr,
		.sport = tcp->dest,
		.dport = tcp->source,
	};
	__u32 seg_len = tcp_payload_len(p) + tcp->syn + tcp->fin;
	__u8 mac[ETH_ALEN];
	__be32 seq, ack;
	__u8 flags;

	if (tcp->ack) {
		seq = tcp->ack_seq;
		ack = 0;
		flags = TCP_FLAG_RST;
	} else {
		seq = 0;
		ack = bpf_htonl(bpf_ntohl(tcp->seq) + seg_len);
		flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	if (rst_build(p, &back, seq, ack, flags) < 0)
		return verdict(XDP_ABORTED, RH_STAT_ABORT_ADJUST_TAIL);
	__builtin_memcpy(mac, p->eth->h_source, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, p->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, mac, ETH_ALEN);
	return verdict(XDP_TX, reason);
}

#endif /* REDISHA_BPF_RST_H */
