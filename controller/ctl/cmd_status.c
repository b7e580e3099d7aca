/* status: the gateway at a glance, from rh_config, the maps and the
 * state file. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <string.h>

#include "cmd.h"

#define NS_PER_S 1e9

/* The VIPs, sorted, into `vips`; how many, or -errno. */
static int read_vips(const struct ctl *c, uint32_t *vips, char *err,
		     size_t errlen)
{
	int fd = c->dp.fds[DP_MAP_VIPS], n = 0;
	uint32_t key, prev_key;
	const uint32_t *prev = NULL;

	while (n < RH_MAX_VIPS && bpf_map_get_next_key(fd, prev, &key) == 0) {
		vips[n++] = key;
		prev_key = key;
		prev = &prev_key;
	}
	if (n < RH_MAX_VIPS && errno != ENOENT) {
		snprintf(err, errlen, "read %s: %s", RH_MAP_VIPS,
			 strerror(errno));
		return -errno;
	}
	for (int i = 1; i < n; i++) /* insertion sort: at most 8 */
		for (int k = i; k > 0 && ntohl(vips[k]) < ntohl(vips[k - 1]);
		     k--) {
			uint32_t x = vips[k];

			vips[k] = vips[k - 1];
			vips[k - 1] = x;
		}
	return n;
}

/* What status reports, gathered before it is printed either way. */
struct status {
	uint32_t vips[RH_MAX_VIPS];
	int nvips, nshards, shards_up;
	long acl_rules;
	struct cmd_flows_tally flows;
	double heartbeat_age_s, deadman_s;
	bool heartbeat_fresh;
};

static int gather(const struct ctl *c, struct status *s, char *err,
		  size_t errlen)
{
	uint32_t ids[RH_MAX_SHARDS];
	struct rh_shard sh;
	int r;

	memset(s, 0, sizeof(*s));
	if ((s->nvips = read_vips(c, s->vips, err, errlen)) < 0)
		return s->nvips;
	if ((s->nshards = ctl_shard_ids(c, ids, err, errlen)) < 0)
		return s->nshards;
	for (int i = 0; i < s->nshards; i++) {
		if ((r = datapath_lookup(&c->dp, DP_MAP_SHARDS, &ids[i], &sh,
					 err, errlen)))
			return r;
		s->shards_up += sh.state == RH_SHARD_UP;
	}
	if ((s->acl_rules = cmd_acl_count(c, err, errlen)) < 0)
		return (int)s->acl_rules;
	if ((r = cmd_flows_tally(c, &s->flows, err, errlen)))
		return r;
	s->heartbeat_age_s = ctl_age_s(c->cfg.heartbeat_ns);
	s->deadman_s = (double)c->cfg.deadman_ns / NS_PER_S;
	s->heartbeat_fresh = c->cfg.heartbeat_ns &&
			     s->heartbeat_age_s * NS_PER_S <
				     (double)c->cfg.deadman_ns;
	return 0;
}

static void status_json(struct ctl *c, const struct status *s)
{
	struct json *j = &c->js;
	char ip[CTL_ADDR_MAX];

	json_object_begin(j);
	json_kv_string(j, "instance", c->instance);
	json_kv_string(j, "pin_dir", c->dp.pin_dir);
	json_kv_uint(j, "abi_version", c->cfg.abi_version);
	ctl_json_redishad(c);
	json_kv_bool(j, "active", c->cfg.flags & RH_CONFIG_ACTIVE);
	json_kv_bool(j, "reset_on_failover",
		     c->cfg.flags & RH_CONFIG_RESET_ON_FAILOVER);
	json_kv_bool(j, "acl_active", c->cfg.flags & RH_CONFIG_ACL_ACTIVE);
	json_kv_uint(j, "acl_rules", (unsigned long long)s->acl_rules);
	json_key(j, "heartbeat_age_s");
	if (c->cfg.heartbeat_ns)
		json_double(j, s->heartbeat_age_s, 3);
	else
		json_null(j);
	json_kv_double(j, "deadman_s", s->deadman_s, 3);
	json_kv_bool(j, "heartbeat_fresh", s->heartbeat_fresh);
	json_key(j, "snat");
	json_object_begin(j);
	json_kv_string(j, "addr", ctl_ip_str(c->cfg.snat_addr, ip, sizeof(ip)));
	json_kv_uint(j, "port_min", c->cfg.snat_port_min);
	json_kv_uint(j, "port_max", c->cfg.snat_port_max);
	json_object_end(j);
	json_key(j, "vips");
	json_array_begin(j);
	for (int i = 0; i < s->nvips; i++)
		json_string(j, ctl_ip_str(s->vips[i], ip, sizeof(ip)));
	json_array_end(j);
	json_kv_uint(j, "shards", (unsigned)s->nshards);
	json_kv_uint(j, "shards_up", (unsigned)s->shards_up);
	json_kv_uint(j, "flows", s->flows.connections);
	json_kv_uint(j, "flow_entries", s->flows.entries);
	json_key(j, "sentinels");
	if (c->running) {
		json_object_begin(j);
		json_kv_uint(j, "reachable", statefile_sentinels_up(&c->st));
		json_kv_uint(j, "total", c->st.nsentinels);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "failovers");
	if (c->running)
		json_uint(j, c->st.failovers);
	else
		json_null(j);
	/* null without `vrrp`, or while redishad is not running */
	json_key(j, "vrrp");
	if (c->running && c->st.has_vrrp) {
		json_object_begin(j);
		json_kv_string(j, "state", c->st.vrrp_state);
		json_kv_uint(j, "priority", c->st.vrrp_priority);
		json_kv_string(j, "master",
			       strcmp(c->st.vrrp_master, "-") ? c->st.vrrp_master
							     : NULL);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_object_end(j);
}

#define LINE(label, ...)                            \
	do {                                        \
		printf("%-11s", label);             \
		printf(__VA_ARGS__);                \
		putchar('\n');                      \
	} while (0)

static void status_table(const struct ctl *c, const struct status *s)
{
	char ip[CTL_ADDR_MAX];

	LINE("instance", "%s", c->instance);
	if (c->running)
		LINE("redishad", "running, pid %ld", c->st.pid);
	else
		LINE("redishad", "NOT RUNNING: %s", c->why_not);
	LINE("datapath", "%s, ABI %u", c->dp.pin_dir, c->cfg.abi_version);
	LINE("role", "%s",
	     c->cfg.flags & RH_CONFIG_ACTIVE ? "active" : "backup");
	if (c->running && c->st.has_vrrp)
		LINE("vrrp", "%s, priority %u, master %s", c->st.vrrp_state,
		     c->st.vrrp_priority, c->st.vrrp_master);
	if (c->cfg.heartbeat_ns)
		LINE("heartbeat", "%.1f s ago (dead-man %.1f s)%s",
		     s->heartbeat_age_s, s->deadman_s,
		     s->heartbeat_fresh ? "" : ", STALE: not answering ARP");
	else
		LINE("heartbeat", "never");
	printf("%-11s", "vips");
	for (int i = 0; i < s->nvips; i++)
		printf("%s%s", i ? " " : "",
		       ctl_ip_str(s->vips[i], ip, sizeof(ip)));
	printf("%s\n", s->nvips ? "" : "none");
	LINE("snat", "%s ports %u-%u",
	     ctl_ip_str(c->cfg.snat_addr, ip, sizeof(ip)), c->cfg.snat_port_min,
	     c->cfg.snat_port_max);
	if (c->cfg.flags & RH_CONFIG_ACL_ACTIVE)
		LINE("acl", "active, %ld rules", s->acl_rules);
	else
		LINE("acl", "inactive, %ld rules", s->acl_rules);
	LINE("shards", "%d, %d up", s->nshards, s->shards_up);
	LINE("flows", "%lu (%lu map entries)", s->flows.connections,
	     s->flows.entries);
	if (c->running) {
		LINE("sentinels", "%zu/%zu reachable",
		     statefile_sentinels_up(&c->st), c->st.nsentinels);
		LINE("failovers", "%llu", c->st.failovers);
	} else {
		LINE("sentinels", "unknown (redishad is not running)");
	}
}

int cmd_status(struct ctl *c, const void *opts)
{
	char err[CTL_ERR_MAX];
	struct status s;

	(void)opts;
	if (gather(c, &s, err, sizeof(err))) {
		ctl_error("%s", err);
		return CTL_EXIT_ERROR;
	}
	if (c->json)
		status_json(c, &s);
	else
		status_table(c, &s);
	return CTL_EXIT_OK;
}
