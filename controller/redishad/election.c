#include "election.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath_setup.h"
#include "log.h"

/* The largest IPv4 header (60 bytes) and the largest advertisement. */
#define RECV_MAX (60 + VRRP_MAX_LEN)
#define ERR_MAX	 256
/* vrrp-track-sentinel: a just-started redishad gets this long to reach its
 * Sentinels before their absence counts; checks come every advertisement
 * interval, but not more often than TRACK_MIN_MS (each asks the kernel
 * about every interface). */
#define TRACK_GRACE_MS 1000
#define TRACK_MIN_MS   100

static const char *ip(uint32_t addr)
{
	return inet_ntoa((struct in_addr){addr});
}

static int set_opt(int fd, int level, int name, const void *val, socklen_t len,
		   const char *what, char *err, size_t errlen)
{
	int e;

	if (setsockopt(fd, level, name, val, len) == 0)
		return 0;
	e = errno; /* snprintf may change it */
	snprintf(err, errlen, "vrrp: %s: %s", what, strerror(e));
	return -e;
}

/*
 * A raw socket for protocol 112 on the front interface. It is not bound to
 * an address: a raw socket bound to one receives only packets sent to it,
 * and the adverts go to 224.0.0.18. The source is set per packet
 * (IP_PKTINFO) instead. TTL 255 both ways (§5.1.1.3: receivers drop
 * anything else); no loopback of our own multicast adverts.
 */
static int open_socket(struct election *e, char *err, size_t errlen)
{
	const char *ifname = e->cfg->interfaces[0];
	struct ip_mreqn group = {
	    .imr_multiaddr.s_addr = htonl(VRRP_MCAST_GROUP),
	    .imr_address.s_addr = e->addr,
	    .imr_ifindex = e->ifindex,
	};
	int ttl = VRRP_TTL, off = 0;
	int r;

	e->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       VRRP_IPPROTO);
	if (e->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "vrrp: raw socket for protocol %d: %s",
			 VRRP_IPPROTO, strerror(-r));
		return r;
	}
	if ((r = set_opt(e->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			 (socklen_t)strlen(ifname), "SO_BINDTODEVICE", err,
			 errlen)) ||
	    (r = set_opt(e->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl), "IP_TTL",
			 err, errlen)) ||
	    (r = set_opt(e->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl),
			 "IP_MULTICAST_TTL", err, errlen)) ||
	    (r = set_opt(e->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off,
			 sizeof(off), "IP_MULTICAST_LOOP", err, errlen)) ||
	    (r = set_opt(e->fd, IPPROTO_IP, IP_MULTICAST_IF, &group,
			 sizeof(group), "IP_MULTICAST_IF", err, errlen)))
		return r;
	/* Unicast peers send to our address: no group to join then. */
	if (!e->cfg->vrrp.npeers &&
	    (r = set_opt(e->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group,
			 sizeof(group), "joining 224.0.0.18", err, errlen)))
		return r;
	return 0;
}

static int send_to(struct election *e, const struct vrrp_advert *a,
		   uint32_t dst)
{
	uint8_t buf[VRRP_MAX_LEN];
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} control = {0};
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = dst};
	struct iovec iov = {.iov_base = buf};
	struct msghdr msg = {
	    .msg_name = &to,
	    .msg_namelen = sizeof(to),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct in_pktinfo info = {.ipi_ifindex = e->ifindex,
				  .ipi_spec_dst.s_addr = e->addr};
	int n = vrrp_encode(a, e->addr, dst, buf, sizeof(buf));

	if (n < 0)
		return n;
	iov.iov_len = (size_t)n;
	/* The checksum covers the source address: it must be the one the
	 * kernel puts in the header. */
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(info));
	memcpy(CMSG_DATA(cm), &info, sizeof(info));
	if (sendmsg(e->fd, &msg, 0) != n)
		return -errno;
	return 0;
}

static void send_advert(struct election *e, uint8_t priority)
{
	const struct config *cfg = e->cfg;
	struct vrrp_advert a = {
	    .vrid = cfg->vrrp.vrid,
	    .priority = priority,
	    .advert_cs = (uint16_t)(cfg->vrrp.advert_ms / 10),
	    .naddrs = cfg->nvips,
	};
	int r = 0;

	memcpy(a.addrs, cfg->vips, cfg->nvips * sizeof(cfg->vips[0]));
	if (!cfg->vrrp.npeers)
		r = send_to(e, &a, htonl(VRRP_MCAST_GROUP));
	for (size_t i = 0; i < cfg->vrrp.npeers; i++) {
		int ri = send_to(e, &a, cfg->vrrp.peers[i]);

		if (ri && !r)
			r = ri;
	}
	if (r && !e->send_failing)
		log_warn("vrrp",
			 "sending advertisements on %s: %s (logged once until "
			 "one goes out)",
			 cfg->interfaces[0], strerror(-r));
	else if (!r && e->send_failing)
		log_info("vrrp", "advertisements go out again on %s%s",
			 cfg->interfaces[0],
			 /* The link is back: hosts may have followed another
			  * gateway meanwhile. */
			 gateway_announce(e->gw) ? "; VIP announced again" : "");
	e->send_failing = r != 0;
}

/* The log line of a transition: from, to, why, and the times that tell
 * how long the takeover took (`entered` is when `from` began). */
static void log_transition(const struct election *e,
			   const struct vrrp_actions *act, uint64_t now,
			   uint64_t entered)
{
	const struct vrrp *v = &e->vrrp;
	char seen[64] = "none seen";

	if (v->last_advert_ms)
		snprintf(seen, sizeof(seen), "%llu ms ago",
			 (unsigned long long)(now - v->last_advert_ms));
	log_info(
	    "vrrp",
	    "%s -> %s (%s; %llu ms in %s, last advertisement accepted %s); "
	    "priority %u, master %s priority %u, Master_Down_Interval %u ms",
	    vrrp_state_name(act->from), vrrp_state_name(act->to), act->reason,
	    (unsigned long long)(now - entered), vrrp_state_name(act->from),
	    seen, v->priority, v->master_addr ? ip(v->master_addr) : "unknown",
	    v->master_priority, vrrp_master_down_ms(v));
}

static void on_timer(struct evloop *loop, void *data);

/* Carry out what a vrrp_* call asked, then rearm the timer. The advert
 * goes first (§6.4.2: advertise, then ARP). */
static void apply(struct election *e, const struct vrrp_actions *act,
		  uint64_t now, uint64_t entered)
{
	uint64_t due = vrrp_next_deadline(&e->vrrp);
	char err[ERR_MAX];

	if (act->send_advert)
		send_advert(e, act->advert_priority);
	if (act->reason) {
		e->transitions[act->to]++;
		log_transition(e, act, now, entered);
	}
	if ((act->became_master || act->left_master) &&
	    gateway_set_active(e->gw, act->became_master, err, sizeof(err)))
		log_err("vrrp", "%s the active flag: %s",
			act->became_master ? "setting" : "clearing", err);
	if (due == UINT64_MAX)
		evloop_timer_stop(e->loop, &e->timer);
	else
		evloop_timer_start(e->loop, &e->timer,
				   due > now ? due - now : 0, on_timer, e);
}

static void on_timer(struct evloop *loop, void *data)
{
	struct election *e = data;
	uint64_t now = evloop_now_ms(), entered = e->vrrp.since_ms;
	struct vrrp_actions act;

	(void)loop;
	vrrp_tick(&e->vrrp, now, &act);
	apply(e, &act, now, entered);
}

static bool is_peer(const struct config_vrrp *v, uint32_t addr)
{
	for (size_t i = 0; i < v->npeers; i++)
		if (v->peers[i] == addr)
			return true;
	return false;
}

/* One received packet: dropped (counted, logged at debug, never a state
 * change), or handed to the state machine. */
static void receive(struct election *e, const uint8_t *pkt, size_t len)
{
	const struct config_vrrp *cv = &e->cfg->vrrp;
	struct vrrp_advert a;
	struct vrrp_actions act;
	enum vrrp_drop why;
	uint32_t src;
	uint64_t now, entered;

	if (vrrp_decode(pkt, len, &a, &src, &why)) {
		e->drops[why]++;
		log_debug("vrrp",
			  "dropped a packet of %zu bytes: %s (%llu so far)",
			  len, vrrp_drop_name(why),
			  (unsigned long long)e->drops[why]);
		return;
	}
	/* Another virtual router on the same link is normal: not logged. */
	if (a.vrid != cv->vrid) {
		e->other_vrid++;
		return;
	}
	/* Our own advert, if the kernel loops one back after all (another
	 * socket's multicast setting, a vrrp-peer naming this gateway). */
	if (src == e->addr)
		return;
	if (cv->npeers && !is_peer(cv, src)) {
		e->not_peer++;
		log_debug("vrrp",
			  "dropped an advertisement from %s: not a vrrp-peer",
			  ip(src));
		return;
	}
	now = evloop_now_ms();
	entered = e->vrrp.since_ms;
	vrrp_receive(&e->vrrp, &a, src, now, &act);
	apply(e, &act, now, entered);
	/* Logged once a burst, not once an advert. */
	if (act.reannounce && gateway_announce(e->gw))
		log_info("vrrp",
			 "%s claims MASTER at priority %u, ours is %u: "
			 "advertising and announcing the VIP again",
			 ip(src), a.priority, e->vrrp.priority);
}

static void on_readable(struct evloop *loop, int fd, unsigned events,
			void *data)
{
	uint8_t pkt[RECV_MAX];
	ssize_t n;

	(void)loop;
	(void)events;
	while ((n = recv(fd, pkt, sizeof(pkt), 0)) >= 0)
		receive(data, pkt, (size_t)n);
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		log_warn("vrrp", "receiving: %s", strerror(errno));
}

/* Why this gateway cannot serve now (written into `why`), or false. */
static bool track_fault(const struct election *e, char *why, size_t len)
{
	const struct config *cfg = e->cfg;

	if (evloop_now_ms() - e->started_ms >= TRACK_GRACE_MS &&
	    !sentinel_watch_reachable(e->watch)) {
		snprintf(why, len, "no Sentinel reachable");
		return true;
	}
	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		int ifindex = (int)if_nametoindex(cfg->interfaces[i]);

		if (!ifindex || !datapath_attached(e->gw->dp, ifindex)) {
			snprintf(why, len, "the datapath is not attached to %s",
				 cfg->interfaces[i]);
			return true;
		}
	}
	return false;
}

/* The priority follows the fault: vrrp.c applies it from the next advert
 * and timer on (a backup that now outranks this master takes over). */
static void on_track(struct evloop *loop, void *data)
{
	struct election *e = data;
	const struct config_vrrp *cv = &e->cfg->vrrp;
	char why[64];
	bool fault = track_fault(e, why, sizeof(why));
	int want = cv->priority - (fault ? (int)cv->track_sentinel_decrement : 0);

	if (want < 1)
		want = 1;
	if (want != e->vrrp.priority) {
		if (fault)
			log_warn("vrrp", "priority %u -> %d: %s", e->vrrp.priority,
				 want, why);
		else
			log_info("vrrp",
				 "priority %u -> %d: Sentinels reachable and "
				 "the datapath attached again",
				 e->vrrp.priority, want);
		vrrp_set_priority(&e->vrrp, want);
	}
	evloop_timer_start(loop, &e->track,
			   cv->advert_ms > TRACK_MIN_MS ? cv->advert_ms
							: TRACK_MIN_MS,
			   on_track, e);
}

int election_init(struct election *e, const struct config *cfg, char *err,
		  size_t errlen)
{
	const char *ifname = cfg->interfaces[0];
	struct vrrp_config vc = {
	    .vrid = cfg->vrrp.vrid,
	    .priority = cfg->vrrp.priority,
	    .advert_ms = cfg->vrrp.advert_ms,
	    .preempt = cfg->vrrp.preempt,
	};
	char why[ERR_MAX];
	int r;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->fd = -1;
	/* The primary address is the adverts' source and breaks priority
	 * ties (§6.4.3). */
	if (datapath_iface_addr(ifname, &e->addr, why, sizeof(why))) {
		snprintf(
		    err, errlen,
		    "vrrp: the front interface %s (the first `interface`) "
		    "needs an IPv4 address to send advertisements from: %s",
		    ifname, why);
		return -EADDRNOTAVAIL;
	}
	if ((r = vrrp_init(&e->vrrp, &vc, e->addr))) {
		snprintf(err, errlen,
			 "vrrp: vrid %u priority %u advert-ms %u: %s", vc.vrid,
			 vc.priority, vc.advert_ms, strerror(-r));
		return r;
	}
	return 0;
}

int election_start(struct election *e, struct evloop *loop, struct gateway *gw,
		   const struct sentinel_watch *watch, char *err,
		   size_t errlen)
{
	const struct config_vrrp *cv = &e->cfg->vrrp;
	struct vrrp_actions act;
	uint64_t now;
	int r;

	e->loop = loop;
	e->gw = gw;
	e->watch = watch;
	e->ifindex = gw->front_ifindex;
	r = open_socket(e, err, errlen);
	if (!r && (r = evloop_watch(loop, e->fd, EV_READ, on_readable, e)))
		snprintf(err, errlen, "vrrp: event loop: %s", strerror(-r));
	if (r) {
		if (e->fd >= 0)
			close(e->fd);
		e->fd = -1;
		return r;
	}
	log_info("vrrp",
		 "vrid %u on %s from %s, priority %u, advertisements every %u "
		 "ms %s, %s",
		 cv->vrid, e->cfg->interfaces[0], ip(e->addr), cv->priority,
		 cv->advert_ms,
		 cv->npeers ? "to the vrrp-peers" : "to 224.0.0.18",
		 cv->preempt ? "preempt" : "nopreempt");
	now = evloop_now_ms();
	e->started_ms = now;
	if (cv->track_sentinel_decrement) {
		log_info("vrrp",
			 "vrrp-track-sentinel: priority %u while no Sentinel "
			 "is reachable or the datapath is not attached",
			 cv->priority > cv->track_sentinel_decrement
			     ? cv->priority - cv->track_sentinel_decrement
			     : 1);
		on_track(loop, e);
	}
	vrrp_start(&e->vrrp, now, &act);
	apply(e, &act, now, now);
	return 0;
}

void election_stop(struct election *e)
{
	uint64_t now = evloop_now_ms(), entered = e->vrrp.since_ms;
	struct vrrp_actions act;
	int r;

	evloop_timer_stop(e->loop, &e->track);
	vrrp_shutdown(&e->vrrp, now, &act);
	apply(e, &act, now, entered);
	if ((r = evloop_watch(e->loop, e->fd, 0, NULL, NULL)))
		log_warn("vrrp", "event loop: %s", strerror(-r));
	close(e->fd);
	e->fd = -1;
}
