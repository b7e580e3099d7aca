/*
 * consts.h: protocol numbers and header constants of the datapath.
 *
 * Network-order constants are converted at compile time (bpf_htons on a
 * constant folds), so the hot path compares without swapping.
 */
#ifndef REDISHA_BPF_CONSTS_H
#define REDISHA_BPF_CONSTS_H

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8

/* IEEE 802.1ad allows a service tag over a customer tag: two at most. */
#define VLAN_MAX_DEPTH 2

#define IPV4_MIN_IHL 5 /* 32-bit words: a header without options */
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF

#define TCP_MIN_DOFF 5 /* 32-bit words: a header without options */

#endif /* REDISHA_BPF_CONSTS_H */
