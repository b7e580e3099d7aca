/*
 * vrrp: the VRRPv3 state machine of RFC 5798 §6 for one virtual router,
 * without sockets or clocks of its own. The caller feeds it decoded
 * advertisements (vrrp_packet.h) and the time in milliseconds of a
 * monotonic clock, calls vrrp_tick at vrrp_next_deadline, and carries out
 * what each call reports in struct vrrp_actions: send an advertisement,
 * claim the VIP (gratuitous ARPs) or give it up.
 *
 * Intervals are kept in milliseconds; on the wire they are centiseconds,
 * so the configured one must be a multiple of 10. Addresses are in network
 * byte order.
 */
#ifndef REDISHA_VRRP_H
#define REDISHA_VRRP_H

#include <stdbool.h>
#include <stdint.h>

#include "vrrp_packet.h"

#define VRRP_PRIO_OWNER 255 /* §5.2.4: owns the addresses */
#define VRRP_PRIO_STOP	0   /* §5.2.4: the master is leaving */

enum vrrp_state { VRRP_INIT, VRRP_BACKUP, VRRP_MASTER };

struct vrrp_config {
	uint8_t vrid;	    /* 1..255 */
	uint8_t priority;   /* 1..255; 255: the address owner */
	uint32_t advert_ms; /* Advertisement_Interval: 10..40950, by 10s */
	/* Preempt_Mode (§6.1): the RFC's default, and config.c's, is true;
	 * `vrrp ... nopreempt` clears it. */
	bool preempt;
};

/* Read the fields, change them only through the functions below. */
struct vrrp {
	struct vrrp_config cfg;
	uint32_t my_addr; /* the primary address: ties (§6.4.3) */
	uint8_t priority; /* effective: cfg.priority unless tracked */
	enum vrrp_state state;
	uint64_t since_ms;	  /* when state was entered */
	uint32_t master_adver_ms; /* Master_Adver_Interval (§6.1) */
	uint64_t down_at_ms;	  /* Master_Down_Timer, in BACKUP */
	uint64_t adver_at_ms;	  /* Adver_Timer, in MASTER */
	/* The current master as known, for status: this router in MASTER,
	 * the last advertisement's sender in BACKUP, 0 if none is known
	 * (before the first advertisement, after a priority 0 one). */
	uint32_t master_addr;
	uint8_t master_priority;
	/* When an advertisement last reset the Master_Down_Timer, 0 if none
	 * has: a takeover's delay is measured from it. */
	uint64_t last_advert_ms;
	/* Why the Master_Down_Timer would expire, for the takeover's log. */
	const char *down_reason;
};

/* What the caller must do after a call; every call overwrites all of it. */
struct vrrp_actions {
	bool send_advert; /* now, with advert_priority */
	uint8_t advert_priority;
	bool became_master; /* set the active flag, send gratuitous ARPs */
	bool left_master;   /* clear the active flag */
	bool reannounce;    /* still MASTER: send gratuitous ARPs again */
	enum vrrp_state from, to; /* the state before and after the call */
	const char *reason;	  /* why it changed; NULL if it did not */
};

/* Set up v in INIT: 0, or -EINVAL for a VRID or priority of 0, an interval
 * outside 10..40950 ms or not a multiple of 10, or no address. */
int vrrp_init(struct vrrp *v, const struct vrrp_config *cfg, uint32_t my_addr);

/* Leave INIT (§6.4.1): the owner becomes MASTER at once, others BACKUP
 * with the Master_Down_Timer running. Does nothing outside INIT. */
void vrrp_start(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act);

/* A valid advertisement from src (vrrp_decode's output). Other VRIDs, and
 * anything in INIT, are ignored. */
void vrrp_receive(struct vrrp *v, const struct vrrp_advert *a, uint32_t src,
		  uint64_t now_ms, struct vrrp_actions *act);

/* Run the timers that are due at now_ms. */
void vrrp_tick(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act);

/* Back to INIT (§6.4.2, §6.4.3 Shutdown): a MASTER sends priority 0 first
 * so that a backup takes over after its Skew_Time. */
void vrrp_shutdown(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act);

/* The effective priority, for tracking; clamped to 1..255. It goes into
 * the next advertisements and the next timer computations (§6.4): a MASTER
 * that drops below a backup's priority is preempted by that backup, which
 * discards its adverts from then on. */
void vrrp_set_priority(struct vrrp *v, int priority);

/* When vrrp_tick next has work; UINT64_MAX in INIT. */
uint64_t vrrp_next_deadline(const struct vrrp *v);

/* Skew_Time and Master_Down_Interval (§6.1) for the current
 * Master_Adver_Interval and effective priority. */
uint32_t vrrp_skew_ms(const struct vrrp *v);
uint32_t vrrp_master_down_ms(const struct vrrp *v);

const char *vrrp_state_name(enum vrrp_state s);

#endif /* REDISHA_VRRP_H */
