#include "flows.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Walk the hash map. Deleting the key just read keeps `prev` valid, so the
 * walk goes on from it; if the datapath deletes `prev` meanwhile, the walk
 * restarts from the first key, and the bound stops a walk that keeps
 * restarting under churn.
 */
long flows_sweep(const struct datapath *dp, const struct rh_config *cfg,
		 unsigned long long now_ns, char *err, size_t errlen)
{
	int fd = dp->fds[DP_MAP_FLOWS];
	struct rh_flow_key key, prev_key;
	const struct rh_flow_key *prev = NULL;
	long deleted = 0;
	struct rh_flow f;

	for (long steps = 0; steps < 2L * RH_MAX_FLOWS; steps++) {
		if (bpf_map_get_next_key(fd, prev, &key)) {
			if (errno == ENOENT)
				return deleted;
			break;
		}
		if (bpf_map_lookup_elem(fd, &key, &f) == 0 &&
		    !rh_flow_live(cfg, &f, now_ns)) {
			if (bpf_map_delete_elem(fd, &key) == 0)
				deleted++;
			else if (errno != ENOENT)
				break;
			continue;
		}
		prev_key = key;
		prev = &prev_key;
	}
	snprintf(err, errlen, "sweep %s: %s", RH_MAP_FLOWS,
		 errno ? strerror(errno) : "too many restarts");
	return errno ? -errno : -EAGAIN;
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
