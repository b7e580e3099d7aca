/*
 * csum.h: Internet checksum arithmetic (RFC 1071, RFC 1624).
 *
 * The one's complement sum does not depend on byte order as long as every
 * operand is read the same way, so these helpers add raw network-order
 * words without swapping them.
 */
#ifndef REDISHA_BPF_CSUM_H
#define REDISHA_BPF_CSUM_H

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Add the change from `from` to `to` to a running difference (RFC 1624). */
static __always_inline __u32 csum_diff4(__u32 diff, __be32 from, __be32 to)
{
	__u32 nfrom = ~from;

	return diff + (nfrom >> 16) + (nfrom & 0xffff) + (to >> 16) +
	       (to & 0xffff);
}

static __always_inline __u32 csum_diff2(__u32 diff, __be16 from, __be16 to)
{
	return diff + (__u16)~from + to;
}

/* Apply a difference from csum_diff4/csum_diff2 to a stored checksum. */
static __always_inline void csum_apply(__sum16 *check, __u32 diff)
{
	*check = csum_fold((__u16)~*check + diff);
}

/* The unfolded sum of `words` 16-bit words, for headers built in place. */
static __always_inline __u32 csum_words(const __u16 *p, int words)
{
	__u32 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < words; i++)
		sum += p[i];
	return sum;
}

/* Pseudo-header sum for a TCP segment of `len` bytes (RFC 793 §3.1). */
static __always_inline __u32 csum_tcp_pseudo(__be32 saddr, __be32 daddr,
					     __u16 len)
{
	return (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) +
	       (daddr & 0xffff) + bpf_htons(IPPROTO_TCP) + bpf_htons(len);
}

#endif /* REDISHA_BPF_CSUM_H */
