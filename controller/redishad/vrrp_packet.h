/*
 * vrrp_packet: VRRPv3 advertisements for IPv4 (RFC 5798 §5), built and
 * checked without sockets. The IP header is the kernel's on send (a raw
 * socket with protocol VRRP_IPPROTO, 112) and arrives with the packet on
 * receive, so vrrp_encode writes the VRRP message alone and vrrp_decode
 * reads a whole IPv4 packet. The kernel's header must then match what
 * vrrp_encode was told: TTL 255 (IP_MULTICAST_TTL, whose default is 1, and
 * IP_TTL for unicast) and the source address passed in (bind the socket to
 * it), or receivers drop the advert for its TTL or checksum.
 *
 * The checksum covers the IPv4 pseudo-header (source, destination, zero,
 * protocol 112, VRRP length) and the VRRP message (RFC 5798 §5.2.8). The
 * destination is the packet's own: 224.0.0.18 for multicast, the peer's
 * address for unicast. keepalived (1.3.7 and later, Debian 12's 2.2.7) does
 * the same; older keepalived, or a newer one with `old_unicast_checksum`,
 * puts 224.0.0.18 in the pseudo-header of unicast adverts too, and those
 * fail the checksum here.
 *
 * Addresses are in network byte order throughout.
 */
#ifndef REDISHA_VRRP_PACKET_H
#define REDISHA_VRRP_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define VRRP_IPPROTO	 112	     /* RFC 5798 §5.1.1.4 */
#define VRRP_MCAST_GROUP 0xe0000012u /* 224.0.0.18, host order (§5.1.1.2) */
#define VRRP_TTL	 255	     /* §5.1.1.3: sent and required */
#define VRRP_VERSION	 3
#define VRRP_TYPE_ADVERT 1
#define VRRP_HDR_LEN	 8
/* The Count IPvX Addr field is one octet (§5.2.5). Its minimum is 1, but
 * keepalived sends 0 for an instance without VIPs, so 0 passes both ways. */
#define VRRP_MAX_ADDRS 255
/* Max Adver Int is 12 bits of centiseconds (§5.2.7). */
#define VRRP_MAX_ADVERT_CS 0xfff
#define VRRP_MAX_LEN	   (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS)

struct vrrp_advert {
	uint8_t vrid, priority;
	uint16_t advert_cs; /* centiseconds, 12 bits */
	uint32_t addrs[VRRP_MAX_ADDRS];
	size_t naddrs;
};

/* Why vrrp_decode dropped a packet, one counter each. */
enum vrrp_drop {
	VRRP_DROP_NONE,
	VRRP_DROP_SHORT,      /* truncated, or a length below its minimum */
	VRRP_DROP_TTL,	      /* IP TTL not 255 */
	VRRP_DROP_VERSION,    /* VRRP version not 3 */
	VRRP_DROP_TYPE,	      /* not an advertisement */
	VRRP_DROP_CHECKSUM,   /* pseudo-header checksum mismatch */
	VRRP_DROP_ADDR_COUNT, /* Count IPvX Addr disagrees with the length */
	VRRP_DROP_PROTO,      /* not IPv4, or not protocol 112 */
	VRRP_DROP_COUNT
};

/* Write a's VRRP message for an IP packet from src to dst into buf:
 * its length, -ENOSPC if buf is too small, -EINVAL for a VRID of 0, an
 * interval outside 1..4095 cs or more than VRRP_MAX_ADDRS addresses. */
int vrrp_encode(const struct vrrp_advert *a, uint32_t src, uint32_t dst,
		uint8_t *buf, size_t len);

/* Check a received IPv4 packet (IP header included) as RFC 5798 §7.1 asks,
 * except the VRID, which is the caller's to filter. 0 with *out and *src
 * (the IP source) filled, or -EINVAL with *why set. Bytes past the IP total
 * length (link-layer padding) are ignored. */
int vrrp_decode(const uint8_t *ip_packet, size_t len, struct vrrp_advert *out,
		uint32_t *src, enum vrrp_drop *why);

/* A short name for metrics and logs ("short", "ttl", ...). */
const char *vrrp_drop_name(enum vrrp_drop why);

#endif /* REDISHA_VRRP_PACKET_H */
