#include "vrrp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define REASON_TIMEOUT	"no advertisement within Master_Down_Interval"
#define REASON_RESIGNED "the master resigned (priority 0)"
#define REASON_PREEMPT	"preempting a lower priority master"

int vrrp_init(struct vrrp *v, const struct vrrp_config *cfg, uint32_t my_addr)
{
	/* VRID and priority 0 are not valid (§5.2.3, §5.2.4: 0 only says
	 * "stopping"); the interval travels as 1..4095 centiseconds (§5.2.7);
	 * the primary address breaks ties (§6.4.3), so it must exist. */
	if (!cfg->vrid || !cfg->priority || cfg->advert_ms % 10 ||
	    cfg->advert_ms < 10 || cfg->advert_ms > VRRP_MAX_ADVERT_CS * 10 ||
	    !my_addr)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->cfg = *cfg;
	v->my_addr = my_addr;
	v->priority = cfg->priority;
	v->state = VRRP_INIT;
	v->master_adver_ms = cfg->advert_ms;
	return 0;
}

/* §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256. In
 * milliseconds, truncated: keepalived computes it in microseconds, so ours
 * is at most 1 ms shorter; in centiseconds it would be up to 9 ms shorter. */
uint32_t vrrp_skew_ms(const struct vrrp *v)
{
	return (256u - v->priority) * v->master_adver_ms / 256u;
}

/* §6.1: Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
uint32_t vrrp_master_down_ms(const struct vrrp *v)
{
	return 3 * v->master_adver_ms + vrrp_skew_ms(v);
}

static void act_begin(const struct vrrp *v, struct vrrp_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->from = act->to = v->state;
}

static void enter(struct vrrp *v, enum vrrp_state s, uint64_t now_ms,
		  const char *reason, struct vrrp_actions *act)
{
	v->state = act->to = s;
	v->since_ms = now_ms;
	act->reason = reason;
}

static void send_advert(struct vrrp *v, uint8_t priority, uint64_t now_ms,
			struct vrrp_actions *act)
{
	act->send_advert = true;
	act->advert_priority = priority;
	v->adver_at_ms = now_ms + v->cfg.advert_ms;
}

/* §6.4.1 (owner) and §6.4.2 (timer): send an advertisement, broadcast
 * gratuitous ARPs, start the Adver_Timer. */
static void become_master(struct vrrp *v, uint64_t now_ms, const char *reason,
			  struct vrrp_actions *act)
{
	enter(v, VRRP_MASTER, now_ms, reason, act);
	send_advert(v, v->priority, now_ms, act);
	act->became_master = true;
	v->master_addr = v->my_addr;
	v->master_priority = v->priority;
}

/* A master's advertisement that a BACKUP accepts (§6.4.2) or that sends a
 * MASTER back to BACKUP (§6.4.3): learn its interval, restart the
 * Master_Down_Timer with it, remember who the master is. */
static void follow(struct vrrp *v, const struct vrrp_advert *a, uint32_t src,
		   uint64_t now_ms)
{
	/* An interval of 0 is outside the field's 1..4095 (RFC 6527's
	 * vrrpv3OperationsAdvInterval) and would make the down timer fire
	 * at once: keep the interval known so far. */
	if (a->advert_cs)
		v->master_adver_ms = (uint32_t)a->advert_cs * 10;
	v->down_at_ms = now_ms + vrrp_master_down_ms(v);
	v->down_reason = REASON_TIMEOUT;
	v->master_addr = src;
	v->master_priority = a->priority;
	v->last_advert_ms = now_ms;
}

void vrrp_start(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act)
{
	act_begin(v, act);
	if (v->state != VRRP_INIT)
		return;
	if (v->priority == VRRP_PRIO_OWNER) {
		become_master(v, now_ms, "address owner (priority 255)", act);
		return;
	}
	v->master_adver_ms = v->cfg.advert_ms;
	v->down_at_ms = now_ms + vrrp_master_down_ms(v);
	v->down_reason = REASON_TIMEOUT;
	enter(v, VRRP_BACKUP, now_ms, "started", act);
}

static void receive_backup(struct vrrp *v, const struct vrrp_advert *a,
			   uint32_t src, uint64_t now_ms)
{
	/* §6.1: the owner always preempts, whatever Preempt_Mode says. */
	bool preempt = v->cfg.preempt || v->cfg.priority == VRRP_PRIO_OWNER;

	if (a->priority == VRRP_PRIO_STOP) {
		/* The master is leaving: take over after Skew_Time alone, so
		 * the highest priority backup answers first. */
		v->down_at_ms = now_ms + vrrp_skew_ms(v);
		v->down_reason = REASON_RESIGNED;
		v->master_addr = 0;
		v->master_priority = 0;
	} else if (!preempt || a->priority >= v->priority) {
		follow(v, a, src, now_ms);
	} else {
		/* Discarded: the timer runs on and this router takes over when
		 * it expires. The sender is the master until then. */
		v->down_reason = REASON_PREEMPT;
		v->master_addr = src;
		v->master_priority = a->priority;
	}
}

static void receive_master(struct vrrp *v, const struct vrrp_advert *a,
			   uint32_t src, uint64_t now_ms,
			   struct vrrp_actions *act)
{
	if (a->priority == VRRP_PRIO_STOP) {
		/* §6.4.3: another router that thought it was master is
		 * leaving; tell the backups at once that this one is here. */
		send_advert(v, v->priority, now_ms, act);
	} else if (a->priority > v->priority) {
		/* §6.4.3: a higher priority master; back to BACKUP with its
		 * interval. */
		follow(v, a, src, now_ms);
		enter(v, VRRP_BACKUP, now_ms, "higher priority advertisement",
		      act);
		act->left_master = true;
	} else if (a->priority == v->priority &&
		   ntohl(src) > ntohl(v->my_addr)) {
		/* The tie break compares the addresses as unsigned numbers in
		 * network byte order (§6.4.3). */
		follow(v, a, src, now_ms);
		enter(v, VRRP_BACKUP, now_ms,
		      "equal priority advertisement from a higher address",
		      act);
		act->left_master = true;
	} else if (src != v->my_addr) {
		/* A lower priority router claims MASTER: it does not hear us
		 * (a partition healing, a one-way loss). §6.4.3 discards the
		 * advert; like keepalived, also advertise at once so that it
		 * steps down, and announce the VIP again so that hosts that
		 * followed its gratuitous ARPs come back. */
		send_advert(v, v->priority, now_ms, act);
		act->reannounce = true;
	}
	/* Else our own, looped back: discarded. */
}

void vrrp_receive(struct vrrp *v, const struct vrrp_advert *a, uint32_t src,
		  uint64_t now_ms, struct vrrp_actions *act)
{
	act_begin(v, act);
	/* §7.1: "MUST verify that the VRID is configured on the receiving
	 * interface"; one struct vrrp is one VRID. */
	if (a->vrid != v->cfg.vrid)
		return;
	if (v->state == VRRP_BACKUP)
		receive_backup(v, a, src, now_ms);
	else if (v->state == VRRP_MASTER)
		receive_master(v, a, src, now_ms, act);
}

void vrrp_tick(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act)
{
	act_begin(v, act);
	if (v->state == VRRP_BACKUP && now_ms >= v->down_at_ms)
		become_master(v, now_ms, v->down_reason, act);
	else if (v->state == VRRP_MASTER && now_ms >= v->adver_at_ms)
		send_advert(v, v->priority, now_ms, act);
}

void vrrp_shutdown(struct vrrp *v, uint64_t now_ms, struct vrrp_actions *act)
{
	act_begin(v, act);
	if (v->state == VRRP_INIT)
		return;
	if (v->state == VRRP_MASTER) {
		send_advert(v, VRRP_PRIO_STOP, now_ms, act);
		act->left_master = true;
	}
	v->master_addr = 0;
	v->master_priority = 0;
	enter(v, VRRP_INIT, now_ms, "shutdown", act);
}

void vrrp_set_priority(struct vrrp *v, int priority)
{
	if (priority < 1)
		priority = 1;
	else if (priority > VRRP_PRIO_OWNER)
		priority = VRRP_PRIO_OWNER;
	v->priority = (uint8_t)priority;
	if (v->state == VRRP_MASTER)
		v->master_priority = v->priority;
}

uint64_t vrrp_next_deadline(const struct vrrp *v)
{
	switch (v->state) {
	case VRRP_BACKUP:
		return v->down_at_ms;
	case VRRP_MASTER:
		return v->adver_at_ms;
	case VRRP_INIT:
		break;
	}
	return UINT64_MAX;
}

const char *vrrp_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_INIT:
		return "INIT";
	case VRRP_BACKUP:
		return "BACKUP";
	case VRRP_MASTER:
		return "MASTER";
	}
	return "unknown";
}
