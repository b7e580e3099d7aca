#include "datapath_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define NS_PER_MS 1000000ull
#define NH_CACHE_MS 1000 /* re-resolve a flow's next hop after a second */

/* One SIOCGIF* ioctl on `ifname`; fills ifr. */
static int iface_ioctl(const char *ifname, unsigned long req,
		       struct ifreq *ifr, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), e = 0;

	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, req, ifr))
		e = errno;
	if (fd >= 0)
		close(fd);
	if (e)
		snprintf(err, errlen, "interface %s: %s", ifname, strerror(e));
	return -e;
}

int datapath_iface_addr(const char *ifname, uint32_t *addr, char *err,
			size_t errlen)
{
	struct ifreq ifr;
	int r = iface_ioctl(ifname, SIOCGIFADDR, &ifr, err, errlen);

	if (!r)
		*addr = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr;
	return r;
}

int datapath_setup_services(const struct datapath *dp, const struct config *cfg,
			    char *err, size_t errlen)
{
	struct rh_vip vip = { 0 };
	int r = 0;

	for (size_t v = 0; v < cfg->nvips && !r; v++) {
		struct rh_service_key key = { .addr = cfg->vips[v] };
		struct rh_service svc = { .kind = RH_SERVICE_PROXY };

		r = datapath_update(dp, DP_MAP_VIPS, &cfg->vips[v], &vip, err,
				    errlen);
		key.port = htons(cfg->proxy_port);
		if (!r && cfg->proxy_port)
			r = datapath_update(dp, DP_MAP_SERVICES, &key, &svc,
					    err, errlen);
		for (size_t i = 0; i < cfg->nshards && !r; i++) {
			key.port = htons(cfg->shards[i].port);
			svc.kind = RH_SERVICE_SHARD;
			svc.shard_id = (__u16)i;
			r = datapath_update(dp, DP_MAP_SERVICES, &key, &svc,
					    err, errlen);
		}
	}
	for (size_t i = 0; i < cfg->nacl && !r; i++) {
		struct rh_acl_key key = { .prefixlen = cfg->acl[i].len,
					  .addr = cfg->acl[i].addr };
		struct rh_acl_rule rule = { .action = cfg->acl[i].action };

		r = datapath_update(dp, DP_MAP_ACL, &key, &rule, err, errlen);
	}
	return r;
}

int datapath_setup_interfaces(const struct datapath *dp,
			      const struct config *cfg, char *err,
			      size_t errlen)
{
	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		const char *name = cfg->interfaces[i];
		__u32 ifindex = if_nametoindex(name);
		struct rh_iface iface = { 0 };
		struct ifreq ifr;
		int r;

		if (!ifindex) {
			snprintf(err, errlen, "interface %s: %s", name,
				 strerror(errno));
			return -ENODEV;
		}
		if ((r = iface_ioctl(name, SIOCGIFHWADDR, &ifr, err, errlen)))
			return r;
		memcpy(iface.mac, ifr.ifr_hwaddr.sa_data, RH_ETH_ALEN);
		if ((r = datapath_update(dp, DP_MAP_IFACES, &ifindex, &iface,
					 err, errlen)) ||
		    (r = datapath_update(dp, DP_MAP_TX_PORTS, &ifindex,
					 &ifindex, err, errlen)) ||
		    (r = datapath_attach(dp, (int)ifindex,
					 cfg->xdp_mode == CONFIG_XDP_GENERIC,
					 err, errlen)))
			return r;
	}
	return 0;
}

int datapath_setup_config(const struct datapath *dp, const struct config *cfg,
			  uint32_t flags, unsigned long long deadman_ms,
			  char *err, size_t errlen)
{
	struct rh_config rc = {
		.abi_version = RH_ABI_VERSION,
		.flags = flags | (cfg->nacl ? RH_CONFIG_ACL_ACTIVE : 0),
		.snat_addr = cfg->snat_addr,
		.snat_port_min = cfg->snat_port_min,
		.snat_port_max = cfg->snat_port_max,
		.heartbeat_ns = datapath_now_ns(),
		.deadman_ns = deadman_ms * NS_PER_MS,
		.flow_timeout_ns = cfg->flow_timeout_ms * NS_PER_MS,
		.closing_timeout_ns = cfg->closing_timeout_ms * NS_PER_MS,
		.nh_cache_ns = NH_CACHE_MS * NS_PER_MS,
	};
	__u32 zero = 0;
	int r;

	if (!rc.snat_addr && cfg->ninterfaces &&
	    (r = datapath_iface_addr(cfg->interfaces[cfg->ninterfaces - 1],
				     &rc.snat_addr, err, errlen)))
		return r;
	return datapath_update(dp, DP_MAP_CONFIG, &zero, &rc, err, errlen);
}
