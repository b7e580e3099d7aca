/*
 * flow.h: conntrack for NATed flows, in rh_flows.
 *
 * A flow has two entries, one per direction, each holding the tuple its
 * packets are rewritten to. The forward entry is keyed by the client's
 * tuple {client -> VIP}, the reverse entry by the master's reply tuple
 * {master -> SNAT address:port}, so the reverse key is also the SNAT
 * binding: claiming it with BPF_NOEXIST is what makes a SNAT port unique
 * per master. An entry idle past its state's timeout counts as gone here;
 * the controller's sweep (controller/common/flows.c) deletes it, and the
 * LRU bounds memory meanwhile. Per-entry bpf_timers were tried and dropped:
 * on this kernel bpf_timer_init fails with -ENOMEM under a burst of new
 * flows (its allocator cannot refill in softirq), leaving entries behind.
 */
#ifndef REDISHA_BPF_FLOW_H
#define REDISHA_BPF_FLOW_H

#include "csum.h"
#include "maps.h"
#include "parse.h"
#include "stats.h"

static __always_inline struct rh_flow_key flow_reverse(const struct rh_flow_key *k)
{
	struct rh_flow_key r = {
		.saddr = k->daddr,
		.daddr = k->saddr,
		.sport = k->dport,
		.dport = k->sport,
	};

	return r;
}

static __always_inline struct rh_flow_key flow_key_of(const struct pkt *p)
{
	struct rh_flow_key k = {
		.saddr = p->ip->saddr,
		.daddr = p->ip->daddr,
		.sport = p->tcp->source,
		.dport = p->tcp->dest,
	};

	return k;
}

/* Remove both entries of the flow that `f`, stored at `key`, belongs to. */
static __always_inline void flow_delete(const struct rh_flow_key *key,
					const struct rh_flow *f)
{
	struct rh_flow_key peer = flow_reverse(&f->nat);

	bpf_map_delete_elem(&rh_flows, &peer);
	bpf_map_delete_elem(&rh_flows, key);
}

/*
 * Bind a new flow from the packet's client to the shard's master: claim a
 * free SNAT port and store both entries. Returns the forward
 * entry, or NULL when every port tried is bound to a live flow.
 */
static __always_inline struct rh_flow *
flow_create(const struct pkt *p, const struct rh_config *cfg,
	    const struct rh_shard *shard, __u16 shard_id, __u64 now)
{
	struct rh_flow_key key = flow_key_of(p);
	struct rh_flow_key bind = {
		.saddr = shard->master_addr,
		.daddr = cfg->snat_addr,
		.sport = shard->master_port,
	};
	struct rh_flow rev = {
		.nat = flow_reverse(&key),
		.dir = RH_FLOW_REVERSE,
		.tcp_state = RH_TCP_SYN_SENT,
		.shard_id = shard_id,
		.generation = shard->generation,
		.last_seen_ns = now,
	};
	struct rh_flow fwd = rev;
	__u32 range, start, i;
	struct rh_flow *old;
	bool bound = false;

	if (cfg->snat_port_max < cfg->snat_port_min)
		return NULL;
	range = (__u32)cfg->snat_port_max - cfg->snat_port_min + 1;
	start = bpf_get_prandom_u32();
	for (i = 0; i < SNAT_PROBES && i < range; i++) {
		bind.dport = bpf_htons(cfg->snat_port_min + (start + i) % range);
		old = bpf_map_lookup_elem(&rh_flows, &bind);
		/* Never take over a live binding; an idle one is free. */
		if (old && rh_flow_live(cfg, old, now))
			continue;
		if (bpf_map_update_elem(&rh_flows, &bind, &rev,
					old ? BPF_EXIST : BPF_NOEXIST) == 0) {
			bound = true;
			break;
		}
	}
	if (!bound)
		return NULL;

	fwd.nat = flow_reverse(&bind);
	fwd.dir = RH_FLOW_FORWARD;
	if (bpf_map_update_elem(&rh_flows, &key, &fwd, BPF_ANY)) {
		bpf_map_delete_elem(&rh_flows, &bind);
		return NULL;
	}
	stat_inc(RH_STAT_FLOW_NEW);
	return bpf_map_lookup_elem(&rh_flows, &key);
}

/* Follow the TCP state of one direction; FIN or RST closes both. */
static __always_inline void flow_track(struct rh_flow *f,
				       const struct tcphdr *tcp, __u64 now)
{
	struct rh_flow_key peer_key;
	struct rh_flow *peer;

	f->last_seen_ns = now;
	if (tcp->fin || tcp->rst) {
		if (f->tcp_state == RH_TCP_CLOSING)
			return;
		f->tcp_state = RH_TCP_CLOSING;
		peer_key = flow_reverse(&f->nat);
		peer = bpf_map_lookup_elem(&rh_flows, &peer_key);
		if (peer) {
			peer->tcp_state = RH_TCP_CLOSING;
			peer->last_seen_ns = now;
		}
	} else if (f->tcp_state == RH_TCP_SYN_SENT && tcp->ack) {
		f->tcp_state = RH_TCP_ESTABLISHED;
	}
}

/* Rewrite addresses and ports to `to`, checksums updated incrementally. */
static __always_inline void nat_rewrite(struct pkt *p,
					const struct rh_flow_key *to)
{
	struct iphdr *ip = p->ip;
	struct tcphdr *tcp = p->tcp;
	__u32 diff = 0;

	diff = csum_diff4(diff, ip->saddr, to->saddr);
	diff = csum_diff4(diff, ip->daddr, to->daddr);
	csum_apply(&ip->check, diff);
	/* The TCP checksum covers the addresses through the pseudo-header. */
	diff = csum_diff2(diff, tcp->source, to->sport);
	diff = csum_diff2(diff, tcp->dest, to->dport);
	csum_apply(&tcp->check, diff);
	ip->saddr = to->saddr;
	ip->daddr = to->daddr;
	tcp->source = to->sport;
	tcp->dest = to->dport;
}

#endif /* REDISHA_BPF_FLOW_H */
