/*
 * election: the VRRPv3 election of the active gateway (DESIGN.md §5,
 * RFC 5798) on the front interface, when the configuration has `vrrp`.
 * It owns the raw socket (IP protocol 112), runs vrrp.c's state machine on
 * the event loop's clock and carries out what it asks: advertisements to
 * 224.0.0.18 (or to each `vrrp-peer`), and the gateway's active flag with
 * its gratuitous ARPs (gateway_set_active) on becoming or leaving MASTER.
 * With `vrrp-track-sentinel`, it lowers the priority it advertises while
 * no Sentinel answers or the datapath is not attached, so that a gateway
 * that cannot serve hands the VIP to one that can.
 */
#ifndef REDISHA_ELECTION_H
#define REDISHA_ELECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "evloop.h"
#include "gateway.h"
#include "sentinel.h"
#include "vrrp.h"

struct election {
	struct evloop *loop;
	const struct config *cfg;
	struct gateway *gw;
	struct vrrp vrrp;
	int fd;
	int ifindex;	       /* the front interface */
	uint32_t addr;	       /* its primary address: the adverts' source */
	struct ev_timer timer; /* at vrrp_next_deadline */
	const struct sentinel_watch *watch;
	struct ev_timer track; /* vrrp-track-sentinel's checks */
	uint64_t started_ms;
	bool send_failing;     /* logged once until a send succeeds again */
	/* For metrics: changes of state by the state entered, and received
	 * packets not acted on (vrrp_decode's reasons; another VRID; a
	 * sender not in the vrrp-peer list). */
	uint64_t transitions[VRRP_MASTER + 1];
	uint64_t drops[VRRP_DROP_COUNT];
	uint64_t other_vrid, not_peer;
};

/* Find the front interface's primary IPv4 address and set up the state
 * machine, for cfg->vrrp. Called before anything is attached, so that a
 * front interface without an address (named in `err`) changes nothing. */
int election_init(struct election *e, const struct config *cfg, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

/* Open the socket and enter BACKUP (or MASTER for priority 255), driving
 * `gw`, a started gateway; tracking reads `watch`. `err` says what failed
 * (a socket option). */
int election_start(struct election *e, struct evloop *loop, struct gateway *gw,
		   const struct sentinel_watch *watch, char *err,
		   size_t errlen)
    __attribute__((warn_unused_result));

/* Clean stop: a MASTER sends its priority 0 advertisement, so that a
 * backup takes over after its Skew_Time, and clears the active flag. */
void election_stop(struct election *e);

#endif /* REDISHA_ELECTION_H */
