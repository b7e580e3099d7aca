#include "packet.h"

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <stdlib.h>
#include <string.h>

#define VLAN_TAG_LEN 4
#define IPOPT_NOP_BYTE 1
#define TCPOPT_NOP_BYTE 1
#define TCP_FLAGS_BYTE 13 /* offset of the flags in the TCP header */
#define IPV6_HLEN 40

uint16_t pkt_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Sum of the TCP pseudo-header, not folded (RFC 793 §3.1). */
static uint32_t pseudo_header_sum(uint32_t saddr, uint32_t daddr,
				  size_t tcp_len)
{
	uint32_t s = ntohl(saddr), d = ntohl(daddr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) +
	       IPPROTO_TCP + (uint32_t)tcp_len;
}

/* Ethernet and VLAN tags up to the EtherType; returns the L3 offset. */
static size_t put_l2(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		     const uint16_t *tpids, size_t nvlans, uint16_t proto)
{
	uint8_t *p = buf + ETH_ALEN * 2;
	uint16_t type = htons(proto);

	memcpy(buf, dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, src, ETH_ALEN);
	for (size_t i = 0; i < nvlans; i++) {
		uint16_t tag[2] = { htons(tpids[i]),
				    htons((uint16_t)(100 + i)) /* VLAN id */ };

		memcpy(p, tag, sizeof(tag));
		p += VLAN_TAG_LEN;
	}
	memcpy(p, &type, sizeof(type));
	return (size_t)(p - buf) + sizeof(type);
}

/*
 * Headers are filled in aligned locals and copied into the frame: a VLAN
 * tag leaves the IP header at an offset that is not 4-byte aligned.
 */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *spec)
{
	bool tcp_l4 = !spec->protocol || spec->protocol == IPPROTO_TCP;
	size_t l2 = ETH_HLEN + spec->nvlans * VLAN_TAG_LEN;
	size_t ip_len = sizeof(struct iphdr) + spec->ip_opts_len;
	size_t l4_hdr = tcp_l4 ? sizeof(struct tcphdr) + spec->tcp_opts_len : 0;
	size_t l4_len = l4_hdr + spec->payload_len;
	size_t total = l2 + ip_len + l4_len;
	uint8_t *ip_at = buf + l2, *l4_at = buf + l2 + ip_len;
	struct iphdr ip = {
		.version = 4,
		.ihl = (unsigned)(ip_len / 4),
		.tot_len = htons((uint16_t)(ip_len + l4_len)),
		.id = htons(0x1234),
		.frag_off = htons(spec->frag_off ? spec->frag_off : IP_DF),
		.ttl = spec->ttl ? spec->ttl : 64,
		.protocol = tcp_l4 ? IPPROTO_TCP : spec->protocol,
		.saddr = spec->saddr,
		.daddr = spec->daddr,
	};
	struct tcphdr tcp = {
		.source = htons(spec->sport),
		.dest = htons(spec->dport),
		.seq = htonl(spec->seq),
		.ack_seq = htonl(spec->ack),
		.doff = (unsigned)(l4_hdr / 4),
		.window = htons(65535),
	};
	uint16_t csum;

	if (total > cap || spec->nvlans > PKT_MAX_VLANS ||
	    spec->ip_opts_len % 4 || spec->tcp_opts_len % 4)
		return 0;
	put_l2(buf, spec->dst_mac, spec->src_mac, spec->vlan_tpid,
	       spec->nvlans, ETH_P_IP);

	memcpy(ip_at, &ip, sizeof(ip));
	memset(ip_at + sizeof(ip), IPOPT_NOP_BYTE, spec->ip_opts_len);
	csum = pkt_csum(ip_at, ip_len, 0);
	memcpy(ip_at + offsetof(struct iphdr, check), &csum, sizeof(csum));

	if (tcp_l4) {
		memcpy(l4_at, &tcp, sizeof(tcp));
		l4_at[TCP_FLAGS_BYTE] = spec->tcp_flags;
		memset(l4_at + sizeof(tcp), TCPOPT_NOP_BYTE,
		       spec->tcp_opts_len);
	}
	if (spec->payload_len)
		memcpy(l4_at + l4_hdr, spec->payload, spec->payload_len);
	if (tcp_l4) {
		csum = pkt_csum(l4_at, l4_len,
				pseudo_header_sum(ip.saddr, ip.daddr, l4_len));
		memcpy(l4_at + offsetof(struct tcphdr, check), &csum,
		       sizeof(csum));
	}
	return total;
}

size_t pkt_build_arp(uint8_t *buf, size_t cap, const struct pkt_arp_spec *spec)
{
	struct arphdr hdr = {
		.ar_hrd = htons(ARPHRD_ETHER),
		.ar_pro = htons(ETH_P_IP),
		.ar_hln = ETH_ALEN,
		.ar_pln = 4,
		.ar_op = htons(spec->op),
	};
	size_t off;

	if (cap < ETH_HLEN + sizeof(hdr) + 2 * (ETH_ALEN + 4))
		return 0;
	off = put_l2(buf, spec->dst_mac, spec->src_mac, NULL, 0, ETH_P_ARP);
	memcpy(buf + off, &hdr, sizeof(hdr));
	off += sizeof(hdr);
	memcpy(buf + off, spec->sha, ETH_ALEN);
	memcpy(buf + off + ETH_ALEN, &spec->spa, 4);
	memcpy(buf + off + ETH_ALEN + 4, spec->tha, ETH_ALEN);
	memcpy(buf + off + 2 * ETH_ALEN + 4, &spec->tpa, 4);
	return off + 2 * (ETH_ALEN + 4);
}

size_t pkt_build_ipv6(uint8_t *buf, size_t cap)
{
	static const uint8_t mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x66 };
	size_t off;

	if (cap < ETH_HLEN + IPV6_HLEN)
		return 0;
	off = put_l2(buf, mac, mac, NULL, 0, ETH_P_IPV6);
	memset(buf + off, 0, IPV6_HLEN);
	buf[off] = 0x60;	 /* version 6 */
	buf[off + 6] = IPPROTO_TCP; /* next header */
	buf[off + 7] = 64;	 /* hop limit */
	return off + IPV6_HLEN;
}

bool pkt_parse(const uint8_t *frame, size_t len, struct pkt_view *v)
{
	uint16_t type;
	size_t off = ETH_HLEN, ip_len, tcp_len, tot_len;
	uint8_t tcp_hdr[60];

	memset(v, 0, sizeof(*v));
	if (len < ETH_HLEN)
		return false;
	memcpy(&v->eth, frame, ETH_HLEN);
	type = ntohs(v->eth.h_proto);
	for (int i = 0; i < PKT_MAX_VLANS && (type == ETH_P_8021Q ||
					      type == ETH_P_8021AD); i++) {
		if (len < off + VLAN_TAG_LEN)
			return false;
		memcpy(&type, frame + off + 2, sizeof(type));
		type = ntohs(type);
		off += VLAN_TAG_LEN;
	}
	if (type != ETH_P_IP || len < off + sizeof(struct iphdr))
		return false;
	v->l3_off = off;
	memcpy(&v->ip, frame + off, sizeof(v->ip));
	ip_len = v->ip.ihl * 4u;
	tot_len = ntohs(v->ip.tot_len);
	if (v->ip.protocol != IPPROTO_TCP || ip_len < sizeof(struct iphdr) ||
	    tot_len < ip_len + sizeof(struct tcphdr) || len < off + tot_len)
		return false;
	memcpy(&v->tcp, frame + off + ip_len, sizeof(v->tcp));
	tcp_len = tot_len - ip_len;
	if (v->tcp.doff * 4u > tcp_len || v->tcp.doff < 5)
		return false;
	memcpy(tcp_hdr, frame + off + ip_len, v->tcp.doff * 4u);
	v->tcp_flags = tcp_hdr[TCP_FLAGS_BYTE];
	v->payload_len = tcp_len - v->tcp.doff * 4u;
	v->ip_csum_ok = pkt_csum(frame + off, ip_len, 0) == 0;
	v->tcp_csum_ok =
		pkt_csum(frame + off + ip_len, tcp_len,
			 pseudo_header_sum(v->ip.saddr, v->ip.daddr,
					   tcp_len)) == 0;
	return true;
}

uint32_t pkt_ip(const char *dotted)
{
	struct in_addr a;

	if (inet_pton(AF_INET, dotted, &a) != 1)
		abort();
	return a.s_addr;
}
