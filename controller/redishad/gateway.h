/*
 * gateway: the host side of the datapath (DESIGN.md §5). Sets what the
 * kernel must do for the XDP program (forwarding, accept_local, no ARP
 * answers for the VIP), holds the VIP on loopback through netlink, writes
 * rh_config with the active flag and refreshes its heartbeat (the program's
 * dead-man switch), sweeps expired flows, and announces the VIP with
 * gratuitous ARPs on becoming active.
 */
#ifndef REDISHA_GATEWAY_H
#define REDISHA_GATEWAY_H

#include <stdbool.h>

#include "config.h"
#include "datapath.h"
#include "evloop.h"

struct gateway {
	struct evloop *loop;
	const struct config *cfg;
	const struct datapath *dp;
	struct rh_config rc; /* as last written */
	int lo_ifindex, front_ifindex;
	uint8_t front_mac[6];
	struct ev_timer heartbeat, sweep, garp;
	unsigned garp_left;
	bool active; /* RH_CONFIG_ACTIVE as this redishad last set it */
};

/* Everything above; `err` says what failed. Safe to call on maps adopted
 * from a running gateway: flows are untouched. */
int gateway_start(struct gateway *gw, struct evloop *loop,
		  const struct config *cfg, const struct datapath *dp,
		  char *err, size_t errlen) __attribute__((warn_unused_result));

/* After the configuration changed in place (reload.c): VIPs on lo added
 * and removed against `old_vips`, rh_config's timeouts and ACL flag. */
int gateway_reload(struct gateway *gw, const uint32_t *old_vips,
		   size_t old_nvips, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Set or clear the active flag (the datapath answers ARP for the VIPs);
 * becoming active sends the gratuitous ARP burst. For `role` and VRRP. */
int gateway_set_active(struct gateway *gw, bool active, char *err,
		       size_t errlen) __attribute__((warn_unused_result));

/* While active, the gratuitous ARP burst again, unless one is under way;
 * whether a burst began. */
bool gateway_announce(struct gateway *gw);

/* Clear the active flag and remove the VIPs (clean stop). */
void gateway_stop(struct gateway *gw);

#endif /* REDISHA_GATEWAY_H */
