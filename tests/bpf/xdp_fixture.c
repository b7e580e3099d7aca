#define _GNU_SOURCE /* unshare */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "xdp_fixture.h"

#include "flows.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000ull

const uint8_t FX_CLIENT_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x00, 0x10 };
const uint8_t FX_FRONT_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x00, 0x02 };
const uint8_t FX_BACK_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x02 };
const uint8_t FX_MASTER_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x11 };
const uint8_t FX_MASTER_NEW_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x12 };
const uint8_t FX_MASTER_FRONT_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x00, 0x21 };

struct xdp_fixture fx;

/* The network of xdp_fixture.h; veth, because devmaps take only devices
 * that can transmit XDP frames. */
static const char *const netns_setup[] = {
	"ip link set dev lo up",
	/* bpf_fib_lookup answers FWD_DISABLED without it, as the kernel would. */
	"sysctl -qw net.ipv4.ip_forward=1",
	"ip link add name front0 type veth peer name front1",
	"ip link add name back0 type veth peer name back1",
	"ip link set dev front0 address 02:00:00:00:00:02",
	"ip link set dev back0 address 02:00:00:00:01:02",
	"ip link set dev front0 up",
	"ip link set dev front1 up",
	"ip link set dev back0 up",
	"ip link set dev back1 up",
	"ip addr add 198.18.0.2/24 dev front0",
	"ip addr add 198.18.1.2/24 dev back0",
	"ip addr add 198.18.0.100/32 dev lo",
	"ip neigh replace 198.18.0.10 lladdr 02:00:00:00:00:10 nud permanent dev front0",
	"ip neigh replace 198.18.0.21 lladdr 02:00:00:00:00:21 nud permanent dev front0",
	"ip neigh replace 198.18.1.11 lladdr 02:00:00:00:01:11 nud permanent dev back0",
	"ip neigh replace 198.18.1.12 lladdr 02:00:00:00:01:12 nud permanent dev back0",
};

static const char *const shard_masters[] = {
	FX_MASTER,
	FX_MASTER_FRONT,
	FX_MASTER_UNRESOLVED,
};
#define FX_NSHARDS (sizeof(shard_masters) / sizeof(shard_masters[0]))

static int update(struct bpf_map *map, const void *key, size_t ksz,
		  const void *val, size_t vsz)
{
	int err = bpf_map__update_elem(map, key, ksz, val, vsz, BPF_ANY);

	if (err)
		fprintf(stderr, "update %s: %s\n", bpf_map__name(map),
			strerror(-err));
	return err;
}

struct rh_config fx_config_default(void)
{
	struct rh_config cfg = {
		.abi_version = RH_ABI_VERSION,
		.flags = RH_CONFIG_ACTIVE | RH_CONFIG_RESET_ON_FAILOVER,
		.snat_addr = pkt_ip(FX_SNAT),
		.snat_port_min = FX_SNAT_MIN,
		.snat_port_max = FX_SNAT_MAX,
		.heartbeat_ns = fx_now_ns(),
		.deadman_ns = 60000 * NS_PER_MS,
		.flow_timeout_ns = 300000 * NS_PER_MS,
		.closing_timeout_ns = 10000 * NS_PER_MS,
		.nh_cache_ns = 1000 * NS_PER_MS,
	};

	return cfg;
}

void fx_config_write(const struct rh_config *cfg)
{
	uint32_t zero = 0;

	assert_int_equal(update(fx.skel->maps.rh_config, &zero, sizeof(zero),
				cfg, sizeof(*cfg)),
			 0);
}

void fx_shard_write(uint32_t id, const char *master, uint8_t state,
		    uint32_t generation)
{
	struct rh_shard s = {
		.master_addr = master ? pkt_ip(master) : 0,
		.master_port = htons(FX_REDIS_PORT),
		.state = state,
		.generation = generation,
	};

	assert_int_equal(update(fx.skel->maps.rh_shards, &id, sizeof(id), &s,
				sizeof(s)),
			 0);
}

struct rh_shard fx_shard_read(uint32_t id)
{
	struct rh_shard s;

	assert_int_equal(bpf_map__lookup_elem(fx.skel->maps.rh_shards, &id,
					      sizeof(id), &s, sizeof(s), 0),
			 0);
	return s;
}

/* Everything a test may change, back to the fixture's defaults. */
static int maps_default(void)
{
	struct rh_config cfg = fx_config_default();
	struct rh_vip vip = { 0 };
	uint32_t vip_addr = pkt_ip(FX_VIP), zero = 0;
	int ifindexes[] = { fx.front_ifindex, fx.back_ifindex };
	const uint8_t *macs[] = { FX_FRONT_MAC, FX_BACK_MAC };
	struct rh_service_key skey = { .addr = vip_addr,
				       .port = htons(FX_PROXY_PORT) };
	struct rh_service svc = { .kind = RH_SERVICE_PROXY };
	int err = 0;

	err |= update(fx.skel->maps.rh_config, &zero, sizeof(zero), &cfg,
		      sizeof(cfg));
	err |= update(fx.skel->maps.rh_vips, &vip_addr, sizeof(vip_addr),
		      &vip, sizeof(vip));
	err |= update(fx.skel->maps.rh_services, &skey, sizeof(skey), &svc,
		      sizeof(svc));
	for (uint32_t id = 0; id < FX_NSHARDS; id++) {
		struct rh_shard s = {
			.master_addr = pkt_ip(shard_masters[id]),
			.master_port = htons(FX_REDIS_PORT),
			.state = RH_SHARD_UP,
			.generation = 1,
		};

		skey.port = htons((uint16_t)(FX_SHARD_PORT + id));
		svc.kind = RH_SERVICE_SHARD;
		svc.shard_id = (uint16_t)id;
		err |= update(fx.skel->maps.rh_services, &skey, sizeof(skey),
			      &svc, sizeof(svc));
		err |= update(fx.skel->maps.rh_shards, &id, sizeof(id), &s,
			      sizeof(s));
	}
	for (size_t i = 0; i < 2; i++) {
		uint32_t ifindex = (uint32_t)ifindexes[i];
		struct rh_iface iface = { 0 };

		memcpy(iface.mac, macs[i], ETH_ALEN);
		err |= update(fx.skel->maps.rh_ifaces, &ifindex,
			      sizeof(ifindex), &iface, sizeof(iface));
		err |= update(fx.skel->maps.rh_tx_ports, &ifindex,
			      sizeof(ifindex), &ifindex, sizeof(ifindex));
	}
	return err ? -1 : 0;
}

static void flows_flush(void)
{
	struct rh_flow_key key;

	while (bpf_map__get_next_key(fx.skel->maps.rh_flows, NULL, &key,
				     sizeof(key)) == 0)
		assert_int_equal(bpf_map__delete_elem(fx.skel->maps.rh_flows,
						      &key, sizeof(key), 0),
				 0);
}

static void acl_flush(void)
{
	struct rh_acl_key key;

	while (bpf_map__get_next_key(fx.skel->maps.rh_acl, NULL, &key,
				     sizeof(key)) == 0)
		assert_int_equal(bpf_map__delete_elem(fx.skel->maps.rh_acl,
						      &key, sizeof(key), 0),
				 0);
}

int fx_setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(netns_setup) / sizeof(*netns_setup);
	     i++) {
		if (system(netns_setup[i]) != 0) {
			fprintf(stderr, "failed: %s\n", netns_setup[i]);
			return -1;
		}
	}
	fx.front_ifindex = (int)if_nametoindex("front0");
	fx.back_ifindex = (int)if_nametoindex("back0");
	fx.ncpus = libbpf_num_possible_cpus();
	if (!fx.front_ifindex || !fx.back_ifindex || fx.ncpus <= 0)
		return -1;
	fx.skel = redisha_bpf__open_and_load();
	if (!fx.skel) {
		fprintf(stderr, "redisha_bpf__open_and_load: %s\n",
			strerror(errno));
		return -1;
	}
	return maps_default();
}

int fx_teardown(void **state)
{
	(void)state;
	/* The namespace and its veths go with the process. */
	redisha_bpf__destroy(fx.skel);
	return 0;
}

int fx_reset(void **state)
{
	(void)state;
	flows_flush();
	acl_flush();
	return maps_default();
}

void fx_run(const void *pkt, size_t len, int ifindex, struct xdp_result *res)
{
	struct xdp_md ctx = { .data_end = (uint32_t)len,
			      .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = (uint32_t)len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(
		bpf_program__fd(fx.skel->progs.redisha_xdp), &opts);

	if (err)
		fprintf(stderr, "bpf_prog_test_run_opts: %s\n", strerror(-err));
	assert_int_equal(err, 0);
	res->verdict = (int)opts.retval;
	res->out_len = opts.data_size_out;
}

uint64_t fx_stat(uint32_t id)
{
	uint64_t values[fx.ncpus];
	uint64_t sum = 0;

	assert_int_equal(bpf_map__lookup_elem(fx.skel->maps.rh_stats, &id,
					      sizeof(id), values,
					      sizeof(values), 0),
			 0);
	for (int i = 0; i < fx.ncpus; i++)
		sum += values[i];
	return sum;
}

uint64_t fx_verdict_total(void)
{
	static const char kinds[] = {
#define RH_STAT_KIND(id, name, kind) #kind[0],
		RH_STATS(RH_STAT_KIND)
#undef RH_STAT_KIND
	};
	uint64_t sum = 0;

	for (uint32_t id = 0; id < RH_STAT_MAX; id++)
		if (kinds[id] == 'V')
			sum += fx_stat(id);
	return sum;
}

bool fx_flow_lookup(const struct rh_flow_key *key, struct rh_flow *out)
{
	struct rh_flow f;

	if (bpf_map__lookup_elem(fx.skel->maps.rh_flows, key, sizeof(*key),
				 &f, sizeof(f), 0))
		return false;
	if (out)
		*out = f;
	return true;
}

struct datapath fx_datapath(void)
{
	struct datapath dp = { .prog_fd = -1 };

	for (int i = 0; i < DP_MAP_COUNT; i++)
		dp.fds[i] = bpf_map__fd(bpf_object__find_map_by_name(
			fx.skel->obj, datapath_map_names[i]));
	return dp;
}

size_t fx_flow_count(void)
{
	struct datapath dp = fx_datapath();
	long n = flows_count(&dp);

	assert_true(n >= 0);
	return (size_t)n;
}

uint64_t fx_now_ns(void)
{
	return datapath_now_ns();
}

struct pkt_spec fx_client_spec(uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct pkt_spec s = {
		.saddr = pkt_ip(FX_CLIENT),
		.daddr = pkt_ip(FX_VIP),
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
		.seq = 1000,
		.ack = (flags & TH_ACK) ? 5000 : 0,
	};

	memcpy(s.src_mac, FX_CLIENT_MAC, ETH_ALEN);
	memcpy(s.dst_mac, FX_FRONT_MAC, ETH_ALEN);
	return s;
}

struct pkt_spec fx_master_spec(const struct rh_flow_key *bind, uint8_t flags)
{
	struct pkt_spec s = {
		.saddr = bind->saddr,
		.daddr = bind->daddr,
		.sport = ntohs(bind->sport),
		.dport = ntohs(bind->dport),
		.tcp_flags = flags,
		.seq = 5000,
		.ack = 1001,
	};

	memcpy(s.src_mac, FX_MASTER_MAC, ETH_ALEN);
	memcpy(s.dst_mac, FX_BACK_MAC, ETH_ALEN);
	return s;
}

size_t fx_build(uint8_t *buf, const struct pkt_spec *spec)
{
	size_t len = pkt_build(buf, PKT_MAX_FRAME, spec);

	assert_true(len > 0);
	return len;
}

struct rh_flow_key fx_binding_of(const struct pkt_view *forwarded)
{
	struct rh_flow_key bind = {
		.saddr = forwarded->ip.daddr,
		.daddr = forwarded->ip.saddr,
		.sport = forwarded->tcp.dest,
		.dport = forwarded->tcp.source,
	};

	return bind;
}

void fx_qinq(struct pkt_spec *spec)
{
	spec->vlan_tpid[0] = ETH_P_8021AD;
	spec->vlan_tpid[1] = ETH_P_8021Q;
	spec->nvlans = 2;
}

struct fx_counts fx_counts_read(uint32_t reason)
{
	struct fx_counts c = {
		.rx = fx_stat(RH_STAT_RX),
		.verdicts = fx_verdict_total(),
		.reason = fx_stat(reason),
	};

	return c;
}
