/*
 * maps.h: the datapath's maps (DESIGN.md §6). Names, keys and values come
 * from include/redisha/abi.h; userspace pins and reads them by those names.
 */
#ifndef REDISHA_BPF_MAPS_H
#define REDISHA_BPF_MAPS_H

#include "redisha/abi.h"

/* Gateway-wide settings and the controller's heartbeat: one entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rh_config);
} rh_config SEC(".maps");

/* {VIP, port} -> shard or proxy service. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RH_MAX_SERVICES);
	__type(key, struct rh_service_key);
	__type(value, struct rh_service);
} rh_services SEC(".maps");

/* Shard id -> current master and its generation. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RH_MAX_SHARDS);
	__type(key, __u32);
	__type(value, struct rh_shard);
} rh_shards SEC(".maps");

/* Client prefix -> allow or deny; empty means everyone is allowed. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RH_MAX_ACL_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the kernel requires it */
	__type(key, struct rh_acl_key);
	__type(value, struct rh_acl_rule);
} rh_acl SEC(".maps");

/* Conntrack: each direction of a NATed flow -> its rewrite. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RH_MAX_FLOWS);
	__type(key, struct rh_flow_key);
	__type(value, struct rh_flow);
} rh_flows SEC(".maps");

/* The gateway's VIPs, for the ARP responder. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RH_MAX_VIPS);
	__type(key, __be32);
	__type(value, struct rh_vip);
} rh_vips SEC(".maps");

/* Attached interfaces -> their MAC, the sender of ARP replies. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RH_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct rh_iface);
} rh_ifaces SEC(".maps");

/* Egress interfaces for bpf_redirect_map, keyed by ifindex. Not pinned:
 * it is rebuilt from the configuration at every start (datapath.c). */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, RH_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} rh_tx_ports SEC(".maps");

/* One counter per verdict reason (enum rh_stat_id), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RH_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} rh_stats SEC(".maps");

#endif /* REDISHA_BPF_MAPS_H */
