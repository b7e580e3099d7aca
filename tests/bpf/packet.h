/*
 * packet: crafted frames for BPF_PROG_TEST_RUN tests, and a reading of the
 * frames the program hands back.
 *
 * Builders compute every checksum from scratch, and pkt_parse re-checks
 * them from scratch, so a test compares the program's incremental rewrite
 * with an independent computation.
 */
#ifndef REDISHA_TEST_PACKET_H
#define REDISHA_TEST_PACKET_H

#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_VLANS 2
#define PKT_MAX_FRAME 2048

/* An IPv4 frame; TCP unless `protocol` names another (then no L4 header). */
struct pkt_spec {
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	uint16_t vlan_tpid[PKT_MAX_VLANS]; /* host order, outer first */
	size_t nvlans;
	uint8_t protocol;      /* 0: IPPROTO_TCP */
	uint16_t frag_off;     /* host order, flags and offset; 0: DF */
	uint8_t ttl;	       /* 0: 64 */
	uint32_t saddr, daddr; /* network order */
	uint16_t sport, dport; /* host order */
	uint8_t tcp_flags;     /* TH_SYN, TH_ACK, ... */
	uint32_t seq, ack;     /* host order */
	size_t ip_opts_len;    /* multiple of 4, filled with NOPs */
	size_t tcp_opts_len;   /* multiple of 4, filled with NOPs */
	const void *payload;
	size_t payload_len;
};

/* Write the frame into buf; returns its length, or 0 when cap is too small. */
size_t pkt_build(uint8_t *buf, size_t cap, const struct pkt_spec *spec);

/* An ARP frame for IPv4 over Ethernet (RFC 826); addresses network order. */
struct pkt_arp_spec {
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	uint16_t op; /* 1 request, 2 reply */
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
};

size_t pkt_build_arp(uint8_t *buf, size_t cap, const struct pkt_arp_spec *spec);

/* An IPv6 frame with an empty TCP-less payload: the program must pass it. */
size_t pkt_build_ipv6(uint8_t *buf, size_t cap);

/* A frame as read back: headers copied out (aligned), checksums verified. */
struct pkt_view {
	struct ethhdr eth;
	size_t l3_off;
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t tcp_flags;
	size_t payload_len;
	bool ip_csum_ok, tcp_csum_ok;
};

/* Read an untagged or VLAN-tagged IPv4/TCP frame; false if it is not one. */
bool pkt_parse(const uint8_t *frame, size_t len, struct pkt_view *v);

/* The Internet checksum of len bytes, folded and complemented. */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);

/* A dotted quad in network order; aborts on a malformed literal. */
uint32_t pkt_ip(const char *dotted);

#endif /* REDISHA_TEST_PACKET_H */
