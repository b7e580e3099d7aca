/*
 * packet: crafted frames for BPF_PROG_TEST_RUN tests.
 *
 * pkt_build_tcp4 writes Ethernet (optionally VLAN-tagged), IPv4 and TCP with
 * correct checksums computed from scratch, so a test can compare what the
 * program rewrote with an independent computation.
 */
#ifndef REDISHA_TEST_PACKET_H
#define REDISHA_TEST_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_VLANS 2
#define PKT_MAX_FRAME 2048

struct pkt_tcp4 {
	uint8_t src_mac[6], dst_mac[6];
	uint16_t vlan_tpid[PKT_MAX_VLANS]; /* host order, outer first */
	size_t nvlans;
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
size_t pkt_build_tcp4(uint8_t *buf, size_t cap, const struct pkt_tcp4 *spec);

/* The Internet checksum of len bytes, folded and complemented. */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);

/* A dotted quad in network order; aborts on a malformed literal. */
uint32_t pkt_ip(const char *dotted);

#endif /* REDISHA_TEST_PACKET_H */
