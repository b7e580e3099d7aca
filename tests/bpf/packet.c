#include "packet.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VLAN_TAG_LEN 4
#define IPOPT_NOP_BYTE 1
#define TCPOPT_NOP_BYTE 1

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

/*
 * Headers are filled in aligned locals and copied into the frame: a VLAN
 * tag leaves the IP header at an offset that is not 4-byte aligned.
 */
size_t pkt_build_tcp4(uint8_t *buf, size_t cap, const struct pkt_tcp4 *spec)
{
	size_t l2 = ETH_HLEN + spec->nvlans * VLAN_TAG_LEN;
	size_t ip_len = sizeof(struct iphdr) + spec->ip_opts_len;
	size_t tcp_len = sizeof(struct tcphdr) + spec->tcp_opts_len +
			 spec->payload_len;
	size_t total = l2 + ip_len + tcp_len;
	uint8_t *ip_at = buf + l2, *tcp_at = buf + l2 + ip_len;
	struct ethhdr eth = { .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = {
		.version = 4,
		.ihl = (unsigned)(ip_len / 4),
		.tot_len = htons((uint16_t)(ip_len + tcp_len)),
		.id = htons(0x1234),
		.frag_off = htons(IP_DF),
		.ttl = 64,
		.protocol = IPPROTO_TCP,
		.saddr = spec->saddr,
		.daddr = spec->daddr,
	};
	struct tcphdr tcp = {
		.source = htons(spec->sport),
		.dest = htons(spec->dport),
		.seq = htonl(spec->seq),
		.ack_seq = htonl(spec->ack),
		.doff = (unsigned)((sizeof(tcp) + spec->tcp_opts_len) / 4),
		.window = htons(65535),
	};
	uint16_t csum;
	uint8_t *p;

	if (total > cap || spec->nvlans > PKT_MAX_VLANS ||
	    spec->ip_opts_len % 4 || spec->tcp_opts_len % 4)
		return 0;

	memcpy(eth.h_dest, spec->dst_mac, ETH_ALEN);
	memcpy(eth.h_source, spec->src_mac, ETH_ALEN);
	memcpy(buf, &eth, ETH_ALEN * 2);
	p = buf + ETH_ALEN * 2;
	for (size_t i = 0; i < spec->nvlans; i++) {
		uint16_t tag[2] = { htons(spec->vlan_tpid[i]),
				    htons((uint16_t)(100 + i)) /* VLAN id */ };

		memcpy(p, tag, sizeof(tag));
		p += VLAN_TAG_LEN;
	}
	memcpy(p, &eth.h_proto, sizeof(eth.h_proto));

	memcpy(ip_at, &ip, sizeof(ip));
	memset(ip_at + sizeof(ip), IPOPT_NOP_BYTE, spec->ip_opts_len);
	csum = pkt_csum(ip_at, ip_len, 0);
	memcpy(ip_at + offsetof(struct iphdr, check), &csum, sizeof(csum));

	memcpy(tcp_at, &tcp, sizeof(tcp));
	tcp_at[13] = spec->tcp_flags; /* the flags byte of RFC 793 */
	memset(tcp_at + sizeof(tcp), TCPOPT_NOP_BYTE, spec->tcp_opts_len);
	if (spec->payload_len)
		memcpy(tcp_at + sizeof(tcp) + spec->tcp_opts_len,
		       spec->payload, spec->payload_len);
	csum = pkt_csum(tcp_at, tcp_len,
			pseudo_header_sum(ip.saddr, ip.daddr, tcp_len));
	memcpy(tcp_at + offsetof(struct tcphdr, check), &csum, sizeof(csum));
	return total;
}

uint32_t pkt_ip(const char *dotted)
{
	struct in_addr a;

	if (inet_pton(AF_INET, dotted, &a) != 1)
		abort();
	return a.s_addr;
}
