/*
 * lab_gateway: stands in for redishad in the lab until the controller
 * exists. It loads and attaches the XDP program in the caller's network
 * namespace, fills the maps from a redisha configuration file and masters
 * given on the command line, and edits shards the way a failover would.
 * Run it with `nsenter --net=/run/netns/rh-gw1` (not `ip netns exec`, which
 * remounts /sys and so hides the bpffs pins). It writes the heartbeat once
 * and never again, so it sets a dead-man interval of an hour instead of the
 * configured one: the VIP keeps being answered for as long as a test runs.
 *
 *   lab_gateway up CONFIG NAME=ADDR:PORT...        load, attach, fill maps
 *   lab_gateway set-master CONFIG NAME ADDR:PORT   new master, generation+1
 *   lab_gateway flows CONFIG                       count rh_flows entries
 *   lab_gateway sweep CONFIG                       delete expired entries
 *   lab_gateway down CONFIG                        detach and unpin
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datapath.h"
#include "datapath_setup.h"
#include "flows.h"

#define ERR_MAX 512
#define DEADMAN_MS (3600 * 1000ull)

static char err[ERR_MAX];

static int usage(void)
{
	fprintf(stderr,
		"usage: lab_gateway up CONFIG NAME=ADDR:PORT...\n"
		"       lab_gateway set-master CONFIG NAME ADDR:PORT\n"
		"       lab_gateway flows CONFIG\n"
		"       lab_gateway sweep CONFIG\n"
		"       lab_gateway down CONFIG\n");
	return 2;
}

static int shard_id(const struct config *cfg, const char *name, size_t len)
{
	for (size_t i = 0; i < cfg->nshards; i++)
		if (strlen(cfg->shards[i].name) == len &&
		    !strncmp(cfg->shards[i].name, name, len))
			return (int)i;
	snprintf(err, sizeof(err), "no shard '%.*s' in %s", (int)len, name,
		 cfg->path);
	return -1;
}

static int parse_endpoint(const char *s, struct rh_shard *shard)
{
	char addr[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, (size_t)(colon - s));
	addr[colon - s] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &shard->master_addr) != 1 || *end ||
	    errno || port == 0 || port > 65535)
		goto bad;
	shard->master_port = htons((uint16_t)port);
	return 0;
bad:
	snprintf(err, sizeof(err), "bad ADDR:PORT '%s'", s);
	return -1;
}

static int set_master(const struct datapath *dp, int id, const char *endpoint)
{
	struct rh_shard shard;
	__u32 key = (__u32)id;

	if (datapath_lookup(dp, DP_MAP_SHARDS, &key, &shard, err,
			    sizeof(err)) ||
	    parse_endpoint(endpoint, &shard))
		return -1;
	shard.generation++;
	shard.state = RH_SHARD_UP;
	return datapath_update(dp, DP_MAP_SHARDS, &key, &shard, err,
			       sizeof(err));
}

static int cmd_up(const struct config *cfg, int argc, char **argv)
{
	struct datapath_attachment got[CONFIG_MAX_INTERFACES];
	struct datapath dp;
	int r = datapath_load(&dp, cfg->instance, err, sizeof(err));

	if (r)
		return r;
	r = datapath_setup_services(&dp, cfg, err, sizeof(err));
	for (int i = 0; i < argc && !r; i++) {
		const char *eq = strchr(argv[i], '=');
		int id = eq ? shard_id(cfg, argv[i], (size_t)(eq - argv[i]))
			    : -1;

		if (!eq)
			snprintf(err, sizeof(err), "expected NAME=ADDR:PORT: %s",
				 argv[i]);
		r = id < 0 ? -1 : set_master(&dp, id, eq + 1);
	}
	/* rh_config last: ARP for the VIP starts once the rest is there. */
	if (!r)
		r = datapath_setup_interfaces(&dp, cfg, got, err,
					      sizeof(err)) ||
		    datapath_setup_config(&dp, cfg,
					  RH_CONFIG_ACTIVE |
						  RH_CONFIG_RESET_ON_FAILOVER,
					  DEADMAN_MS, err, sizeof(err));
	datapath_close(&dp);
	return r;
}

static int cmd_set_master(const struct config *cfg, int argc, char **argv)
{
	struct datapath dp;
	int id, r;

	if (argc != 2)
		return usage();
	id = shard_id(cfg, argv[0], strlen(argv[0]));
	if (id < 0)
		return -1;
	r = datapath_open_pinned(&dp, cfg->instance, err, sizeof(err));
	if (r)
		return r;
	r = set_master(&dp, id, argv[1]);
	datapath_close(&dp);
	return r;
}

/* `flows` prints the entry count, `sweep` how many expired entries it
 * deleted, under the timeouts the datapath itself uses (rh_config). */
static int cmd_flows(const struct config *cfg, bool sweep)
{
	struct rh_config rc;
	struct datapath dp;
	__u32 zero = 0;
	long n;
	int r = datapath_open_pinned(&dp, cfg->instance, err, sizeof(err));

	if (r)
		return r;
	if (!sweep) {
		n = flows_count(&dp);
		if (n < 0)
			snprintf(err, sizeof(err), "count %s: %s",
				 RH_MAP_FLOWS, strerror((int)-n));
	} else {
		n = datapath_lookup(&dp, DP_MAP_CONFIG, &zero, &rc, err,
				    sizeof(err));
		if (!n)
			n = flows_sweep(&dp, &rc, datapath_now_ns(), err,
					sizeof(err));
	}
	datapath_close(&dp);
	if (n < 0)
		return -1;
	printf("%ld\n", n);
	return 0;
}

static int cmd_down(const struct config *cfg)
{
	int r = 0;

	for (size_t i = 0; i < cfg->ninterfaces; i++) {
		int ifindex = (int)if_nametoindex(cfg->interfaces[i]);

		if (ifindex && datapath_detach(ifindex, err, sizeof(err)))
			r = -1;
	}
	if (datapath_unpin(cfg->instance, err, sizeof(err)))
		r = -1;
	return r;
}

int main(int argc, char **argv)
{
	static struct config cfg; /* large: keep it off the stack */
	const char *cmd;
	int r;

	if (argc < 3)
		return usage();
	cmd = argv[1];
	if (config_load(&cfg, argv[2], err, sizeof(err))) {
		fprintf(stderr, "lab_gateway: %s\n", err);
		return 2;
	}
	if (!strcmp(cmd, "up"))
		r = cmd_up(&cfg, argc - 3, argv + 3);
	else if (!strcmp(cmd, "set-master"))
		r = cmd_set_master(&cfg, argc - 3, argv + 3);
	else if (!strcmp(cmd, "flows") || !strcmp(cmd, "sweep"))
		r = cmd_flows(&cfg, !strcmp(cmd, "sweep"));
	else if (!strcmp(cmd, "down"))
		r = cmd_down(&cfg);
	else
		return usage();
	if (r == 2)
		return 2;
	if (r) {
		fprintf(stderr, "lab_gateway %s: %s\n", cmd,
			err[0] ? err : "failed");
		return 1;
	}
	return 0;
}
