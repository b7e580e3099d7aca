#include "vrrp_packet.h"

#include <errno.h>
#include <string.h>

#define IPV4_MIN_HDR 20 /* RFC 791: IHL 5 */

/* The Internet checksum's running sum (RFC 1071) over n bytes read as
 * big-endian 16-bit words. n is always even here: the pseudo-header is 12
 * bytes and a VRRP message 8 + 4 * count. The sum of at most 520 words
 * cannot overflow 32 bits, so folding once at the end is enough. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	return acc;
}

/* RFC 5798 §5.2.8: the 16-bit one's complement of the one's complement sum
 * of a pseudo-header and the VRRP message. The RFC cites IPv6's
 * pseudo-header (RFC 2460 §8.1); over IPv4 it is the UDP-style one of
 * RFC 768 (source, destination, zero, protocol 112, VRRP length), which is
 * what keepalived builds. Over a message whose checksum field is filled,
 * a correct checksum gives 0. */
static uint16_t vrrp_csum(uint32_t src, uint32_t dst, const uint8_t *msg,
			  size_t n)
{
	uint8_t ph[12];
	uint32_t acc;

	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = VRRP_IPPROTO;
	ph[10] = (uint8_t)(n >> 8);
	ph[11] = (uint8_t)n;
	acc = sum16(sum16(0, ph, sizeof(ph)), msg, n);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

int vrrp_encode(const struct vrrp_advert *a, uint32_t src, uint32_t dst,
		uint8_t *buf, size_t len)
{
	size_t n;
	uint16_t csum;

	/* VRID 0 does not exist (§5.2.3: 1..255); an interval must fit the
	 * 12-bit field and be above 0, which the VRRPv3 MIB (RFC 6527,
	 * vrrpv3OperationsAdvInterval 1..4095) also excludes. */
	if (!a->vrid || !a->advert_cs || a->advert_cs > VRRP_MAX_ADVERT_CS ||
		a->naddrs > VRRP_MAX_ADDRS)
		return -EINVAL;
	n = VRRP_HDR_LEN + 4 * a->naddrs;
	if (len < n)
		return -ENOSPC;
	buf[0] = VRRP_VERSION << 4 | VRRP_TYPE_ADVERT;
	buf[1] = a->vrid;
	buf[2] = a->priority;
	buf[3] = (uint8_t)a->naddrs;
	/* The top 4 bits are Rsvd, zero on transmission (§5.2.6). */
	buf[4] = (uint8_t)(a->advert_cs >> 8);
	buf[5] = (uint8_t)a->advert_cs;
	buf[6] = buf[7] = 0; /* the checksum is computed with a zero field */
	for (size_t i = 0; i < a->naddrs; i++)
		memcpy(buf + VRRP_HDR_LEN + 4 * i, &a->addrs[i], 4);
	csum = vrrp_csum(src, dst, buf, n);
	buf[6] = (uint8_t)(csum >> 8);
	buf[7] = (uint8_t)csum;
	return (int)n;
}

/* The checks of RFC 5798 §7.1 in the order that each one's inputs are
 * known to lie inside the packet: the IP header's fixed part, then its
 * lengths, then the VRRP fields. Returns the reason, VRRP_DROP_NONE if the
 * packet is an advertisement. */
static enum vrrp_drop parse(const uint8_t *p, size_t len,
				struct vrrp_advert *out, uint32_t *src)
{
	size_t ihl, tot, vlen;
	const uint8_t *v;
	uint32_t dst;

	if (len < IPV4_MIN_HDR)
		return VRRP_DROP_SHORT;
	/* A raw IPPROTO_VRRP socket only gets protocol 112 over IPv4; a
	 * caller feeding other packets gets them counted, not parsed. */
	if (p[0] >> 4 != 4 || p[9] != VRRP_IPPROTO)
		return VRRP_DROP_PROTO;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR || ihl > len)
		return VRRP_DROP_SHORT;
	/* The IP total length bounds the VRRP message: bytes past it are
	 * link-layer padding (keepalived allows for Ethernet's minimum frame
	 * the same way), bytes missing from it are truncation. */
	tot = (size_t)p[2] << 8 | p[3];
	if (tot > len || tot < ihl + VRRP_HDR_LEN)
		return VRRP_DROP_SHORT;
	/* §7.1: "MUST verify that the IPv4 TTL ... is 255": a packet from
	 * off the link has been decremented by a router. */
	if (p[8] != VRRP_TTL)
		return VRRP_DROP_TTL;
	v = p + ihl;
	vlen = tot - ihl;
	if (v[0] >> 4 != VRRP_VERSION)
		return VRRP_DROP_VERSION;
	/* §5.2.2: advertisement is the only type; others are discarded. */
	if ((v[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_DROP_TYPE;
	/* §7.1: the complete packet, fixed fields and every address. An
	 * exact match, so the checksum below covers what the count says. */
	if (vlen != VRRP_HDR_LEN + 4 * (size_t)v[3])
		return VRRP_DROP_ADDR_COUNT;
	memcpy(src, p + 12, 4);
	memcpy(&dst, p + 16, 4);
	if (vrrp_csum(*src, dst, v, vlen))
		return VRRP_DROP_CHECKSUM;
	out->vrid = v[1];
	out->priority = v[2];
	out->naddrs = v[3];
	/* §5.2.6: Rsvd is ignored on reception. */
	out->advert_cs = (uint16_t)((v[4] & 0x0f) << 8 | v[5]);
	for (size_t i = 0; i < out->naddrs; i++)
		memcpy(&out->addrs[i], v + VRRP_HDR_LEN + 4 * i, 4);
	return VRRP_DROP_NONE;
}

int vrrp_decode(const uint8_t *ip_packet, size_t len, struct vrrp_advert *out,
		uint32_t *src, enum vrrp_drop *why)
{
	*why = parse(ip_packet, len, out, src);
	return *why == VRRP_DROP_NONE ? 0 : -EINVAL;
}

const char *vrrp_drop_name(enum vrrp_drop why)
{
	static const char *const names[VRRP_DROP_COUNT] = {
		[VRRP_DROP_NONE] = "none",
		[VRRP_DROP_SHORT] = "short",
		[VRRP_DROP_TTL] = "ttl",
		[VRRP_DROP_VERSION] = "version",
		[VRRP_DROP_TYPE] = "type",
		[VRRP_DROP_CHECKSUM] = "checksum",
		[VRRP_DROP_ADDR_COUNT] = "addr_count",
		[VRRP_DROP_PROTO] = "proto",
	};

	return (unsigned)why < VRRP_DROP_COUNT ? names[why] : "unknown";
}
