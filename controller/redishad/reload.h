/*
 * reload: SIGHUP. The configuration file is read again; a bad one is
 * refused and the running one stays. Services, VIPs, the ACL, timeouts,
 * Sentinels and new shards take effect without touching unchanged flows.
 * What would change the meaning of live flows or maps (interfaces, XDP
 * mode, instance, SNAT address and ports, existing shards' names and
 * order — shard ids are positions in the file), and the metrics listener,
 * need a restart.
 */
#ifndef REDISHA_RELOAD_H
#define REDISHA_RELOAD_H

#include "config.h"
#include "gateway.h"
#include "sentinel.h"
#include "topology.h"

struct reload_target {
	struct config *cfg; /* replaced in place: the others point into it */
	struct evloop *loop;
	const struct datapath *dp;
	struct gateway *gw;
	struct topology *topo;
	struct sentinel_watch *watch;
};

/* Reload cfg->path; 0, or -1 with `err` saying why nothing changed. */
int reload_config(struct reload_target *t, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif /* REDISHA_RELOAD_H */
