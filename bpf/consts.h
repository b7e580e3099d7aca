/*
 * consts.h: protocol numbers, header constants and datapath limits.
 *
 * Network-order constants are converted at compile time (bpf_htons on a
 * constant folds), so the hot path compares without swapping.
 */
#ifndef REDISHA_BPF_CONSTS_H
#define REDISHA_BPF_CONSTS_H

#define ETH_ALEN 6
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

/* IEEE 802.1ad allows a service tag over a customer tag: two at most. */
#define VLAN_MAX_DEPTH 2
/* The IPv4 header starts at most this far into the frame. */
#define L3_MAX_OFFSET (sizeof(struct ethhdr) + VLAN_MAX_DEPTH * 4)
#define L3_OFFSET_MASK 0x1f /* covers L3_MAX_OFFSET: a bound for the verifier */

#define IPV4_MIN_IHL 5 /* 32-bit words: a header without options */
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define IP_DEFAULT_TTL 64

#define TCP_MIN_DOFF 5 /* 32-bit words: a header without options */

#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

#define AF_INET 2

/*
 * SNAT ports tried for a new flow before it is refused. Probing starts at a
 * random port, so a range under this size is searched whole, and a larger
 * one is refused only when nearly every port is bound to that master.
 */
#define SNAT_PROBES 64

#endif /* REDISHA_BPF_CONSTS_H */
