#include "gateway.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "datapath_setup.h"
#include "flows.h"
#include "garp.h"
#include "log.h"
#include "netlink.h"

#define SWEEP_MS 1000
#define HEARTBEATS_PER_DEADMAN 4
#define VIP_PREFIX 32
#define SYSCTL_PATH_MAX 128
#define SYSCTL_VALUE_MAX 32

/* Set /proc/sys/<key> to `value` if it differs, logging the change. */
static int sysctl_set(const char *key, const char *value, char *err,
		      size_t errlen)
{
	char path[SYSCTL_PATH_MAX], old[SYSCTL_VALUE_MAX] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	n = read(fd, old, sizeof(old) - 1);
	if (n < 0)
		goto fail_fd;
	old[n] = '\0';
	old[strcspn(old, "\n")] = '\0';
	if (!strcmp(old, value)) {
		close(fd);
		return 0;
	}
	if (pwrite(fd, value, strlen(value), 0) != (ssize_t)strlen(value))
		goto fail_fd;
	close(fd);
	log_info("gateway", "sysctl %s: %s -> %s", key, old, value);
	return 0;
fail_fd:
	close(fd);
fail:
	snprintf(err, errlen, "sysctl %s: %s", path, strerror(errno));
	return -errno;
}

/* net/ipv4/conf/<dev>/<knob> for "all" and every configured interface. */
static int sysctl_conf_all(const struct config *cfg, size_t ndevs,
			   const char *knob, const char *value, char *err,
			   size_t errlen)
{
	char key[SYSCTL_PATH_MAX];
	int r;

	snprintf(key, sizeof(key), "net/ipv4/conf/all/%s", knob);
	if ((r = sysctl_set(key, value, err, errlen)))
		return r;
	for (size_t i = 0; i < ndevs; i++) {
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/%s",
			 cfg->interfaces[i], knob);
		if ((r = sysctl_set(key, value, err, errlen)))
			return r;
	}
	return 0;
}

/*
 * What the datapath needs from the kernel (docs/datapath.md): forwarding
 * of what XDP passes up, packets from its own addresses accepted, no ICMP
 * redirects for hairpinned flows, and no ARP answers for the VIP on lo
 * from the front interface (the first one), which the program gives.
 */
static int set_sysctls(const struct config *cfg, char *err, size_t errlen)
{
	size_t n = cfg->ninterfaces;
	int r;

	if ((r = sysctl_set("net/ipv4/ip_forward", "1", err, errlen)) ||
	    (r = sysctl_conf_all(cfg, n, "accept_local", "1", err, errlen)) ||
	    (r = sysctl_conf_all(cfg, n, "rp_filter", "0", err, errlen)) ||
	    (r = sysctl_conf_all(cfg, n, "send_redirects", "0", err, errlen)) ||
	    (r = sysctl_conf_all(cfg, 1, "arp_ignore", "1", err, errlen)) ||
	    (r = sysctl_conf_all(cfg, 1, "arp_announce", "2", err, errlen)))
		return r;
	return 0;
}

/*
 * Rewrite rh_config with a fresh heartbeat and the `set`/`clear` flags,
 * starting from what the map holds: redisha-ctl edits the ACL flag there,
 * and a write from an old copy would undo it four times per dead-man
 * interval. (A ctl write landing between this read and write is lost; it
 * takes microseconds, and the next `acl` command sets the flag again.)
 */
static int write_config(struct gateway *gw, uint32_t set, uint32_t clear,
			char *err, size_t errlen)
{
	struct rh_config rc;
	__u32 zero = 0;
	int r;

	if ((r = datapath_lookup(gw->dp, DP_MAP_CONFIG, &zero, &rc, err,
				 errlen)))
		return r;
	gw->rc.flags = (rc.flags & ~clear) | set;
	gw->rc.heartbeat_ns = datapath_now_ns();
	return datapath_update(gw->dp, DP_MAP_CONFIG, &zero, &gw->rc, err,
			       errlen);
}

static void heartbeat(struct evloop *loop, void *data)
{
	struct gateway *gw = data;
	char err[256];

	if (write_config(gw, 0, 0, err, sizeof(err)))
		log_err("gateway", "heartbeat: %s", err);
	evloop_timer_start(loop, &gw->heartbeat,
			   gw->cfg->deadman_ms / HEARTBEATS_PER_DEADMAN,
			   heartbeat, gw);
}

static void sweep(struct evloop *loop, void *data)
{
	struct gateway *gw = data;
	char err[256];
	long n = flows_sweep(gw->dp, &gw->rc, datapath_now_ns(), err,
			     sizeof(err));

	if (n < 0)
		log_err("gateway", "%s", err);
	else if (n)
		log_debug("gateway", "swept %ld expired flow entries", n);
	evloop_timer_start(loop, &gw->sweep, SWEEP_MS, sweep, gw);
}

static void announce(struct evloop *loop, void *data)
{
	struct gateway *gw = data;
	char err[256];

	for (size_t i = 0; i < gw->cfg->nvips; i++)
		if (garp_send(gw->front_ifindex, gw->front_mac,
			      gw->cfg->vips[i], err, sizeof(err)))
			log_warn("gateway", "gratuitous ARP: %s", err);
	if (--gw->garp_left)
		evloop_timer_start(loop, &gw->garp, gw->cfg->garp_interval_ms,
				   announce, gw);
}

static int hold_vips(struct gateway *gw, char *err, size_t errlen)
{
	for (size_t i = 0; i < gw->cfg->nvips; i++) {
		bool existed;
		int r = nl_addr_add(gw->lo_ifindex, gw->cfg->vips[i],
				    VIP_PREFIX, &existed, err, errlen);

		if (r)
			return r;
		if (!existed)
			log_info("gateway", "VIP %s added on lo",
				 inet_ntoa((struct in_addr){ gw->cfg->vips[i] }));
	}
	return 0;
}

/*
 * The one way in and out of the active state, for `role` at start and
 * reload and for the VRRP election: the flag makes the datapath answer ARP
 * for the VIPs, and a burst of gratuitous ARPs moves neighbours that cached
 * another gateway's MAC. Setting what is already set does nothing, so a
 * reload that keeps `role active` sends no burst.
 */
bool gateway_announce(struct gateway *gw)
{
	if (!gw->active || gw->garp_left || !gw->cfg->garp_count)
		return false;
	gw->garp_left = gw->cfg->garp_count;
	announce(gw->loop, gw);
	return true;
}

int gateway_set_active(struct gateway *gw, bool active, char *err,
		       size_t errlen)
{
	int r;

	if (active == gw->active)
		return 0;
	if ((r = write_config(gw, active ? RH_CONFIG_ACTIVE : 0,
			      active ? 0 : RH_CONFIG_ACTIVE, err, errlen)))
		return r;
	gw->active = active;
	evloop_timer_stop(gw->loop, &gw->garp);
	gw->garp_left = 0;
	if (active)
		gateway_announce(gw);
	log_info("gateway", "%s",
		 active ? "active: answering ARP for the VIP"
			: "inactive: no longer answering ARP for the VIP");
	return 0;
}

/* One line per interface: how the program runs there, and why. */
static void log_attachments(const struct config *cfg,
			    const struct datapath_attachment *got)
{
	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		const char *mode = got[i].generic ? "generic" : "native";

		if (!got[i].legacy)
			log_info("gateway", "%s: %s XDP via the libxdp dispatcher, "
				 "%u earlier redisha program(s) taken off",
				 cfg->interfaces[i], mode, got[i].replaced);
		else if (got[i].replaced)
			log_info("gateway", "%s: %s XDP as a legacy single program, "
				 "in place of the earlier redisha one attached "
				 "that way", cfg->interfaces[i], mode);
		else
			log_info("gateway", "%s: %s XDP as a legacy single program "
				 "(libxdp's dispatcher is unavailable here)",
				 cfg->interfaces[i], mode);
	}
}

int gateway_start(struct gateway *gw, struct evloop *loop,
		  const struct config *cfg, const struct datapath *dp,
		  char *err, size_t errlen)
{
	struct datapath_attachment got[CONFIG_MAX_INTERFACES];
	__u32 zero = 0;
	int r;

	memset(gw, 0, sizeof(*gw));
	gw->loop = loop;
	gw->cfg = cfg;
	gw->dp = dp;
	gw->lo_ifindex = (int)if_nametoindex("lo");
	gw->front_ifindex = (int)if_nametoindex(cfg->interfaces[0]);
	if (!gw->lo_ifindex || !gw->front_ifindex) {
		snprintf(err, errlen, "interface %s or lo: %s",
			 cfg->interfaces[0], strerror(errno));
		return -ENODEV;
	}
	/* Inactive until gateway_set_active: with VRRP, a gateway restarted
	 * while it was the master starts again as a backup (RFC 5798 §6.4.1
	 * for a priority below 255), so the flag a previous redishad left in
	 * the adopted map must not stand. */
	if ((r = set_sysctls(cfg, err, errlen)) ||
	    (r = garp_iface_mac(gw->front_ifindex, gw->front_mac, err,
				errlen)) ||
	    (r = hold_vips(gw, err, errlen)) ||
	    (r = datapath_setup_services(dp, cfg, err, errlen)) ||
	    (r = datapath_setup_interfaces(dp, cfg, got, err, errlen)) ||
	    (r = datapath_setup_config(dp, cfg, RH_CONFIG_RESET_ON_FAILOVER,
				       cfg->deadman_ms, err, errlen)) ||
	    (r = datapath_lookup(dp, DP_MAP_CONFIG, &zero, &gw->rc, err,
				 errlen)))
		return r;
	log_attachments(cfg, got);
	log_info("gateway", "datapath attached to %zu interface(s), %s",
		 cfg->ninterfaces,
		 cfg->vrrp.enabled ? "active when elected by VRRP"
		 : cfg->role == CONFIG_ROLE_ACTIVE ? "role active"
						   : "role backup");
	heartbeat(loop, gw);
	sweep(loop, gw);
	if (!cfg->vrrp.enabled && cfg->role == CONFIG_ROLE_ACTIVE)
		return gateway_set_active(gw, true, err, errlen);
	return 0;
}

static bool listed(const uint32_t *addrs, size_t n, uint32_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (addrs[i] == addr)
			return true;
	return false;
}

int gateway_reload(struct gateway *gw, const uint32_t *old_vips,
		   size_t old_nvips, char *err, size_t errlen)
{
	const struct config *cfg = gw->cfg;
	int r;

	for (size_t i = 0; i < old_nvips; i++) {
		if (listed(cfg->vips, cfg->nvips, old_vips[i]))
			continue;
		if ((r = nl_addr_del(gw->lo_ifindex, old_vips[i], VIP_PREFIX,
				     err, errlen)))
			return r;
		log_info("gateway", "VIP %s removed from lo",
			 inet_ntoa((struct in_addr){ old_vips[i] }));
	}
	if ((r = hold_vips(gw, err, errlen)))
		return r;
	gw->rc.deadman_ns = cfg->deadman_ms * 1000000ull;
	gw->rc.flow_timeout_ns = cfg->flow_timeout_ms * 1000000ull;
	gw->rc.closing_timeout_ns = cfg->closing_timeout_ms * 1000000ull;
	/* The ACL now holds exactly the configuration's rules. */
	if ((r = write_config(gw, cfg->nacl ? RH_CONFIG_ACL_ACTIVE : 0,
			      RH_CONFIG_ACL_ACTIVE, err, errlen)))
		return r;
	/* With VRRP the election keeps the flag (reload.c refuses a change
	 * of the vrrp directives). */
	if (cfg->vrrp.enabled)
		return 0;
	return gateway_set_active(gw, cfg->role == CONFIG_ROLE_ACTIVE, err,
				  errlen);
}

void gateway_stop(struct gateway *gw)
{
	char err[256];

	evloop_timer_stop(gw->loop, &gw->heartbeat);
	evloop_timer_stop(gw->loop, &gw->sweep);
	evloop_timer_stop(gw->loop, &gw->garp);
	if (write_config(gw, 0, RH_CONFIG_ACTIVE, err, sizeof(err)))
		log_err("gateway", "clearing the active flag: %s", err);
	gw->active = false;
	for (size_t i = 0; i < gw->cfg->nvips; i++)
		if (nl_addr_del(gw->lo_ifindex, gw->cfg->vips[i], VIP_PREFIX,
				err, sizeof(err)))
			log_err("gateway", "%s", err);
	log_info("gateway", "inactive: VIP released");
}
