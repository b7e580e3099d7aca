/*
 * flows: the controller's side of conntrack. The datapath stops using an
 * entry once it is idle past its timeout (rh_flow_live in abi.h) but cannot
 * delete it then; the controller sweeps such entries out of rh_flows.
 */
#ifndef REDISHA_FLOWS_H
#define REDISHA_FLOWS_H

#include <stddef.h>

#include "datapath.h"

/*
 * Delete every entry of rh_flows that is no longer live at `now_ns`
 * (CLOCK_MONOTONIC), under the timeouts of `cfg`. Returns how many were
 * deleted, or a negative errno with `err` filled. An entry a packet
 * refreshes between the read and the delete is lost; its flow is then
 * reset, as after any expiry.
 */
long flows_sweep(const struct datapath *dp, const struct rh_config *cfg,
		 unsigned long long now_ns, char *err, size_t errlen);

/* The number of entries in rh_flows, or a negative errno. */
long flows_count(const struct datapath *dp);

#endif /* REDISHA_FLOWS_H */
