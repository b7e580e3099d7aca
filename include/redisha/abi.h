/*
 * redisha ABI: everything the XDP program and userspace share.
 *
 * Map names, pin layout, map key/value structs, the statistics counters and
 * the limits that size the maps. Both sides include this one header, so a
 * change here is a change of the ABI: bump RH_ABI_VERSION with it. Every
 * struct has fixed-width fields, explicit padding and a size assertion, so
 * clang's BPF target and gcc lay them out identically.
 *
 * Byte order: addresses and ports are stored in network order (as they sit
 * in the packet), everything else in host order.
 */
#ifndef REDISHA_ABI_H
#define REDISHA_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Bumped on any change to this file that alters a map's layout or meaning. */
#define RH_ABI_VERSION 2

/* Pins live under RH_PIN_ROOT/<instance>/<map name>. */
#define RH_PIN_ROOT "/sys/fs/bpf/redisha"

/* Map names: the kernel keeps 15 characters; pins and the CLI use the same. */
#define RH_MAP_CONFIG "rh_config"
#define RH_MAP_SERVICES "rh_services"
#define RH_MAP_SHARDS "rh_shards"
#define RH_MAP_ACL "rh_acl"
#define RH_MAP_FLOWS "rh_flows"
#define RH_MAP_STATS "rh_stats"
#define RH_MAP_VIPS "rh_vips"
#define RH_MAP_IFACES "rh_ifaces"
#define RH_MAP_TX_PORTS "rh_tx_ports"

/* Limits; each sizes a map or a config table and can be overridden with -D. */
#ifndef RH_MAX_SHARDS
#define RH_MAX_SHARDS 64 /* rh_shards entries: shard ids 0..RH_MAX_SHARDS-1 */
#endif
#ifndef RH_MAX_VIPS
#define RH_MAX_VIPS 8
#endif
/* rh_services: one proxy service and one per shard, for every VIP. */
#define RH_MAX_SERVICES (RH_MAX_VIPS * (RH_MAX_SHARDS + 1))
#ifndef RH_MAX_ACL_RULES
#define RH_MAX_ACL_RULES 1024
#endif
#ifndef RH_MAX_FLOWS
#define RH_MAX_FLOWS 262144 /* LRU; both directions of a flow take one each */
#endif
#ifndef RH_MAX_IFACES
#define RH_MAX_IFACES 64 /* rh_ifaces and rh_tx_ports entries */
#endif
#define RH_SHARD_NAME_MAX 64 /* Sentinel master name, with its NUL */

/* rh_config: one entry, written by redishad, read on every packet. */
enum rh_config_flags {
	RH_CONFIG_ACTIVE = 1u << 0,	       /* this gateway owns the VIPs */
	RH_CONFIG_RESET_ON_FAILOVER = 1u << 1, /* RST flows of a deposed master */
	/* rh_acl holds rules: a source that matches none of them is dropped.
	 * Set by whoever writes rh_acl, since a program cannot count a trie. */
	RH_CONFIG_ACL_ACTIVE = 1u << 2,
};

struct rh_config {
	__u32 abi_version;     /* RH_ABI_VERSION of the writer */
	__u32 flags;	       /* enum rh_config_flags */
	__u32 snat_addr;       /* gateway's back address, network order */
	__u16 snat_port_min;   /* SNAT port range, host order, inclusive */
	__u16 snat_port_max;
	/* Times are CLOCK_MONOTONIC nanoseconds, as bpf_ktime_get_coarse_ns. */
	__u64 heartbeat_ns;    /* controller's last heartbeat */
	__u64 deadman_ns;      /* ARP for the VIP stops this long after it */
	__u64 flow_timeout_ns; /* idle established flow expiry */
	__u64 closing_timeout_ns; /* after FIN or RST, and for unanswered SYNs */
	__u64 nh_cache_ns;	  /* a flow re-resolves its next hop after this */
};
_Static_assert(sizeof(struct rh_config) == 56, "rh_config layout");

/* rh_services: {vip, port} -> what the gateway does with it. */
enum rh_service_kind {
	RH_SERVICE_SHARD = 1, /* full NAT to the shard's current master */
	RH_SERVICE_PROXY = 2, /* passed to redisha-proxy on the local stack */
};

struct rh_service_key {
	__u32 addr; /* VIP, network order */
	__u16 port; /* network order */
	__u16 pad;
};
_Static_assert(sizeof(struct rh_service_key) == 8, "rh_service_key layout");

struct rh_service {
	__u8 kind; /* enum rh_service_kind */
	__u8 pad;
	__u16 shard_id; /* index into rh_shards, for RH_SERVICE_SHARD */
	__u32 flags;	/* reserved, 0 */
};
_Static_assert(sizeof(struct rh_service) == 8, "rh_service layout");

/* rh_shards: shard id -> its current master, as Sentinel last said. */
enum rh_shard_state {
	RH_SHARD_NO_MASTER = 0, /* never learned: new flows are reset */
	RH_SHARD_UP = 1,
	RH_SHARD_DOWN = 2, /* objectively down: new flows are reset */
};

struct rh_shard {
	__u32 master_addr; /* network order */
	__u16 master_port; /* network order */
	__u8 state;	   /* enum rh_shard_state */
	__u8 pad;
	__u32 generation; /* bumped on every master change */
	/* rh_shard_name_hash() of the shard's name, so a controller started
	 * with other shards at this id does not inherit this master. */
	__u32 name_hash;
};
_Static_assert(sizeof(struct rh_shard) == 16, "rh_shard layout");

/* FNV-1a, 32 bits, of a shard's name. */
static inline __u32 rh_shard_name_hash(const char *name)
{
	__u32 h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (__u8)*name) * 16777619u;
	return h;
}

/* rh_acl: LPM trie over the client's address. */
enum rh_acl_action {
	RH_ACL_ALLOW = 1,
	RH_ACL_DENY = 2,
};

struct rh_acl_key {
	__u32 prefixlen; /* LPM trie convention: bits that count */
	__u32 addr;	 /* network order */
};
_Static_assert(sizeof(struct rh_acl_key) == 8, "rh_acl_key layout");

struct rh_acl_rule {
	__u32 action; /* enum rh_acl_action */
};
_Static_assert(sizeof(struct rh_acl_rule) == 4, "rh_acl_rule layout");

/* rh_vips: the gateway's virtual addresses (network order) -> settings. */
struct rh_vip {
	__u32 flags; /* reserved, 0 */
};
_Static_assert(sizeof(struct rh_vip) == 4, "rh_vip layout");

#define RH_ETH_ALEN 6

/* rh_ifaces: ifindex of each attached interface -> its MAC, for ARP. */
struct rh_iface {
	__u8 mac[RH_ETH_ALEN];
	__u16 pad;
};
_Static_assert(sizeof(struct rh_iface) == 8, "rh_iface layout");

/* rh_tx_ports: a devmap, ifindex -> ifindex, for bpf_redirect_map. */

/* rh_flows: one entry per direction of a NATed TCP flow. */
struct rh_flow_key {
	__u32 saddr; /* network order, as in the packet */
	__u32 daddr;
	__u16 sport;
	__u16 dport;
};
_Static_assert(sizeof(struct rh_flow_key) == 12, "rh_flow_key layout");

enum rh_flow_dir {
	RH_FLOW_FORWARD = 1, /* client -> VIP, rewritten to SNAT -> master */
	RH_FLOW_REVERSE = 2, /* master -> SNAT, rewritten to VIP -> client */
};

enum rh_tcp_state {
	RH_TCP_SYN_SENT = 1,
	RH_TCP_ESTABLISHED = 2,
	RH_TCP_CLOSING = 3, /* FIN or RST seen: short timeout */
};

/*
 * The key of the other direction is always the reverse of `nat`: a forward
 * entry's nat tuple is {snat -> master}, whose reverse is the master's reply
 * key; a reverse entry's is {vip -> client}, whose reverse is the client's.
 */
struct rh_flow {
	struct rh_flow_key nat; /* the packet's tuple after rewriting */
	__u8 dir;		/* enum rh_flow_dir */
	__u8 tcp_state;		/* enum rh_tcp_state */
	__u16 shard_id;
	__u32 generation; /* the shard's generation when the flow began */
	/* Next-hop cache, so established packets skip bpf_fib_lookup. */
	__u32 nh_ifindex; /* 0: not resolved */
	__u64 last_seen_ns;
	__u64 nh_cached_ns; /* when the cache was filled */
	__u8 nh_smac[RH_ETH_ALEN];
	__u8 nh_dmac[RH_ETH_ALEN];
	__u32 pad;
};
_Static_assert(sizeof(struct rh_flow) == 56, "rh_flow layout");

/*
 * When an entry is gone: the datapath treats it as absent from then on and
 * the controller's sweep deletes it, so both sides use this one rule.
 * Signed: a timestamp written just now may lead the reader's clock.
 */
static inline __u64 rh_flow_timeout_ns(const struct rh_config *cfg,
				       const struct rh_flow *f)
{
	return f->tcp_state == RH_TCP_ESTABLISHED ? cfg->flow_timeout_ns
						  : cfg->closing_timeout_ns;
}

static inline int rh_flow_live(const struct rh_config *cfg,
			       const struct rh_flow *f, __u64 now_ns)
{
	return (__s64)(now_ns - f->last_seen_ns) <
	       (__s64)rh_flow_timeout_ns(cfg, f);
}

/*
 * rh_stats: per-CPU counters. Every packet bumps RH_STAT_RX and exactly one
 * verdict counter (kind V), so the verdict counters add up to rx; event
 * counters (kind E) count what happened on the way. The X-macro keeps the
 * enum, the names redisha-ctl prints and the kinds in one list.
 */
#define RH_STATS(X)                                                           \
	X(RH_STAT_RX, "rx", E)                                                \
	X(RH_STAT_PASS_NOT_IPV4, "pass_not_ipv4", V)                          \
	X(RH_STAT_PASS_IPV6, "pass_ipv6", V)                                  \
	X(RH_STAT_PASS_MALFORMED, "pass_malformed", V)                        \
	X(RH_STAT_PASS_FRAGMENT, "pass_fragment", V)                          \
	X(RH_STAT_PASS_NOT_TCP, "pass_not_tcp", V)                            \
	X(RH_STAT_PASS_NOT_OURS, "pass_not_ours", V)                          \
	X(RH_STAT_PASS_OTHER_HOST, "pass_other_host", V)                      \
	X(RH_STAT_PASS_PROXY, "pass_proxy", V)                                \
	X(RH_STAT_DROP_ACL, "drop_acl", V)                                    \
	X(RH_STAT_PASS_ARP, "pass_arp", V)                                    \
	X(RH_STAT_PASS_ARP_INACTIVE, "pass_arp_inactive", V)                  \
	X(RH_STAT_PASS_ARP_NO_IFACE, "pass_arp_no_iface", V)                  \
	X(RH_STAT_TX_ARP_REPLY, "tx_arp_reply", V)                            \
	X(RH_STAT_TX_RST_NO_MASTER, "tx_rst_no_master", V)                    \
	X(RH_STAT_TX_RST_SNAT_FULL, "tx_rst_snat_full", V)                    \
	X(RH_STAT_TX_RST_NO_FLOW, "tx_rst_no_flow", V)                        \
	X(RH_STAT_TX_RST_FAILOVER, "tx_rst_failover", V)                      \
	X(RH_STAT_FWD_RST_FAILOVER, "fwd_rst_failover", E)                    \
	X(RH_STAT_DROP_RST_NO_FLOW, "drop_rst_no_flow", V)                    \
	X(RH_STAT_DROP_TTL, "drop_ttl", V)                                    \
	X(RH_STAT_TX_NAT, "tx_nat", V)                                        \
	X(RH_STAT_REDIRECT_NAT, "redirect_nat", V)                            \
	X(RH_STAT_PASS_NAT_NO_NEIGH, "pass_nat_no_neigh", V)                  \
	X(RH_STAT_PASS_NAT_FIB, "pass_nat_fib", V)                            \
	X(RH_STAT_PASS_NAT_NO_TX_PORT, "pass_nat_no_tx_port", V)              \
	X(RH_STAT_ABORT_NO_CONFIG, "abort_no_config", V)                      \
	X(RH_STAT_ABORT_ADJUST_TAIL, "abort_adjust_tail", V)                  \
	X(RH_STAT_FLOW_NEW, "flow_new", E)                                    \
	X(RH_STAT_FLOW_PORT_REUSE, "flow_port_reuse", E)                      \
	X(RH_STAT_FIB_LOOKUP, "fib_lookup", E)

enum rh_stat_id {
#define RH_STAT_ENUM(id, name, kind) id,
	RH_STATS(RH_STAT_ENUM)
#undef RH_STAT_ENUM
	RH_STAT_MAX
};

#endif /* REDISHA_ABI_H */
