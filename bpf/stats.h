/*
 * stats.h: counting verdicts. Every packet is counted once on entry
 * (RH_STAT_RX) and once by the reason for its verdict.
 */
#ifndef REDISHA_BPF_STATS_H
#define REDISHA_BPF_STATS_H

#include "maps.h"

static __always_inline void stat_inc(__u32 id)
{
	__u64 *count = bpf_map_lookup_elem(&rh_stats, &id);

	/* Per-CPU slot: a plain increment cannot race. */
	if (count)
		*count += 1;
}

/* Count the reason and return the verdict, so exits read as one line. */
static __always_inline int verdict(int action, __u32 reason)
{
	stat_inc(reason);
	return action;
}

#endif /* REDISHA_BPF_STATS_H */
