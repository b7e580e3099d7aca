/*
 * state: what redishad knows that the maps do not hold (shard names,
 * Sentinel reachability, failover count), published for redisha-ctl in
 * STATE_DIR/<instance>.state. One record a line, words separated by single
 * spaces; the file is replaced atomically (rename), so readers never see
 * half of it. Format (docs/operations.md):
 *
 *   redisha-state 1
 *   pid PID
 *   updated UNIX_SECONDS
 *   active 0|1
 *   shard ID NAME PORT
 *   sentinel IP:PORT up|down
 *   failovers N
 *   vrrp INIT|BACKUP|MASTER PRIORITY MASTER_ADDR|-   (with `vrrp` only)
 */
#ifndef REDISHA_STATE_H
#define REDISHA_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "sentinel.h"
#include "topology.h"
#include "vrrp.h"

#define STATE_DIR "/run/redisha"
#define STATE_VERSION 1

/* Write the state file of `cfg->instance`; `vrrp` is the election's state
 * machine, NULL without `vrrp`. 0 or -errno with `err`. */
int state_write(const struct config *cfg, const struct topology *topo,
		const struct sentinel_watch *watch, bool active,
		const struct vrrp *vrrp, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Remove it (clean stop). */
void state_remove(const struct config *cfg);

#endif /* REDISHA_STATE_H */
