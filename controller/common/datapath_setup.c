#include "datapath_setup.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define NS_PER_MS 1000000ull
#define NH_CACHE_MS 1000 /* re-resolve a flow's next hop after a second */

/* prune() holds every key of the largest map it walks. */
#define PRUNE_MAX_KEYS RH_MAX_ACL_RULES
#define PRUNE_KEY_MAX 16
_Static_assert(RH_MAX_ACL_RULES >= RH_MAX_SERVICES &&
		       RH_MAX_ACL_RULES >= RH_MAX_VIPS,
	       "prune() sized for the largest map");
_Static_assert(sizeof(struct rh_service_key) <= PRUNE_KEY_MAX &&
		       sizeof(struct rh_acl_key) <= PRUNE_KEY_MAX,
	       "prune() key size");

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

static bool has_vip(const struct config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < cfg->nvips; i++)
		if (cfg->vips[i] == addr)
			return true;
	return false;
}

static bool has_service(const struct config *cfg,
			const struct rh_service_key *key)
{
	uint16_t port = ntohs(key->port);

	if (!has_vip(cfg, key->addr))
		return false;
	if (cfg->proxy_port && port == cfg->proxy_port)
		return true;
	for (size_t i = 0; i < cfg->nshards; i++)
		if (cfg->shards[i].port == port)
			return true;
	return false;
}

static bool has_prefix(const struct config *cfg, const struct rh_acl_key *key)
{
	for (size_t i = 0; i < cfg->nacl; i++)
		if (cfg->acl[i].addr == key->addr &&
		    cfg->acl[i].len == key->prefixlen)
			return true;
	return false;
}

/*
 * Delete the entries of `map` that `wanted` says the configuration no
 * longer has. Keys are collected first: deleting while walking a hash map
 * restarts the walk.
 */
static int prune(const struct datapath *dp, enum datapath_map map,
		 size_t key_size, const struct config *cfg,
		 bool (*wanted)(const struct config *, const void *),
		 char *err, size_t errlen)
{
	_Alignas(8) unsigned char keys[PRUNE_MAX_KEYS][PRUNE_KEY_MAX];
	_Alignas(8) unsigned char key[PRUNE_KEY_MAX];
	size_t n = 0;
	const void *prev = NULL;
	int fd = dp->fds[map];

	while (n < PRUNE_MAX_KEYS && bpf_map_get_next_key(fd, prev, key) == 0) {
		memcpy(keys[n], key, key_size);
		prev = keys[n++];
	}
	for (size_t i = 0; i < n; i++)
		if (!wanted(cfg, keys[i]) && bpf_map_delete_elem(fd, keys[i]) &&
		    errno != ENOENT) {
			snprintf(err, errlen, "delete from %s: %s",
				 datapath_map_names[map], strerror(errno));
			return -errno;
		}
	return 0;
}

static bool vip_wanted(const struct config *cfg, const void *key)
{
	return has_vip(cfg, *(const uint32_t *)key);
}

static bool service_wanted(const struct config *cfg, const void *key)
{
	return has_service(cfg, key);
}

static bool prefix_wanted(const struct config *cfg, const void *key)
{
	return has_prefix(cfg, key);
}

int datapath_setup_services(const struct datapath *dp, const struct config *cfg,
			    char *err, size_t errlen)
{
	struct rh_vip vip = { 0 };
	int r;

	/* What an earlier configuration left in the pinned maps goes. */
	if ((r = prune(dp, DP_MAP_SERVICES, sizeof(struct rh_service_key), cfg,
		       service_wanted, err, errlen)) ||
	    (r = prune(dp, DP_MAP_VIPS, sizeof(uint32_t), cfg, vip_wanted, err,
		       errlen)) ||
	    (r = prune(dp, DP_MAP_ACL, sizeof(struct rh_acl_key), cfg,
		       prefix_wanted, err, errlen)))
		return r;
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
			      const struct config *cfg,
			      struct datapath_attachment *got, char *err,
			      size_t errlen)
{
	__u32 ifindex[CONFIG_MAX_INTERFACES];
	int r;

	/* Every devmap port before any attach: once the previous program is
	 * off one interface, the new one may redirect to any other. */
	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		const char *name = cfg->interfaces[i];
		struct rh_iface iface = { 0 };
		struct ifreq ifr;

		if (!(ifindex[i] = if_nametoindex(name))) {
			snprintf(err, errlen, "interface %s: %s", name,
				 strerror(errno));
			return -ENODEV;
		}
		if ((r = iface_ioctl(name, SIOCGIFHWADDR, &ifr, err, errlen)))
			return r;
		memcpy(iface.mac, ifr.ifr_hwaddr.sa_data, RH_ETH_ALEN);
		if ((r = datapath_update(dp, DP_MAP_IFACES, &ifindex[i], &iface,
					 err, errlen)) ||
		    (r = datapath_update(dp, DP_MAP_TX_PORTS, &ifindex[i],
					 &ifindex[i], err, errlen)))
			return r;
	}
	for (size_t i = 0; i < cfg->ninterfaces; i++)
		if ((r = datapath_attach(dp, (int)ifindex[i],
					 cfg->xdp_mode == CONFIG_XDP_GENERIC,
					 &got[i], err, errlen)))
			return r;
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
