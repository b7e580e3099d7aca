#include "flows.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The keys a sweep deletes, gathered first (static: 3 MiB, bounded by the
 * map's size, not by traffic). */
static struct rh_flow_key expired[RH_MAX_FLOWS];

/*
 * Walk the whole map once, gathering the expired keys, then delete them.
 * Deleting during the walk would be quadratic: once the key before the
 * cursor is gone, the kernel's get_next_key starts again from the first
 * bucket. If the datapath deletes the cursor meanwhile the walk restarts;
 * the bound stops a walk that keeps restarting under churn.
 */
long flows_sweep(const struct datapath *dp, const struct rh_config *cfg,
		 unsigned long long now_ns, char *err, size_t errlen)
{
	int fd = dp->fds[DP_MAP_FLOWS];
	struct rh_flow_key key, prev_key;
	const struct rh_flow_key *prev = NULL;
	size_t n = 0;
	long deleted = 0, steps;
	struct rh_flow f;

	for (steps = 0; steps < 2L * RH_MAX_FLOWS; steps++) {
		if (bpf_map_get_next_key(fd, prev, &key))
			break;
		if (bpf_map_lookup_elem(fd, &key, &f) == 0 &&
		    !rh_flow_live(cfg, &f, now_ns) && n < RH_MAX_FLOWS)
			expired[n++] = key;
		prev_key = key;
		prev = &prev_key;
	}
	if (steps == 2L * RH_MAX_FLOWS || errno != ENOENT) {
		snprintf(err, errlen, "sweep %s: %s", RH_MAP_FLOWS,
			 steps == 2L * RH_MAX_FLOWS ? "too many restarts"
						    : strerror(errno));
		return steps == 2L * RH_MAX_FLOWS ? -EAGAIN : -errno;
	}
	/* A packet may refresh an entry between the walk and its delete; that
	 * flow is then reset, as after any expiry (flows.h). */
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_delete_elem(fd, &expired[i]) == 0)
			deleted++;
		else if (errno != ENOENT) {
			snprintf(err, errlen, "sweep %s: delete: %s",
				 RH_MAP_FLOWS, strerror(errno));
			return -errno;
		}
	}
	return deleted;
}

long flows_count(const struct datapath *dp)
{
	struct rh_flow_key key, prev_key;
	const struct rh_flow_key *prev = NULL;
	long n = 0;

	while (bpf_map_get_next_key(dp->fds[DP_MAP_FLOWS], prev, &key) == 0) {
		prev_key = key;
		prev = &prev_key;
		n++;
	}
	return errno == ENOENT ? n : -errno;
}
