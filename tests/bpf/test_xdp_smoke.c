/*
 * test_xdp_smoke: the XDP object loads through its skeleton and passes the
 * verifier; traffic that is not for a shard passes byte-for-byte unchanged
 * with the right counter; the ACL drops what it denies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "redisha/abi.h"
#include "redisha.skel.h"

#define VIP "198.18.0.100"
#define CLIENT "198.18.0.10"
#define MASTER "198.18.1.11"
#define PROXY_PORT 6379
#define CLIENT_PORT 40000

struct fixture {
	struct redisha_bpf *skel;
	int ncpus;
};

static struct fixture fx;

struct run_result {
	int retval;
	uint8_t out[PKT_MAX_FRAME];
	uint32_t out_len;
};

/* Run the program once on `pkt`; fails the test if the run itself fails. */
static void run_xdp(const uint8_t *pkt, size_t len, struct run_result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = (uint32_t)len, .data_out = res->out,
		    .data_size_out = sizeof(res->out), .repeat = 1);
	int err = bpf_prog_test_run_opts(
		bpf_program__fd(fx.skel->progs.redisha_xdp), &opts);

	assert_int_equal(err, 0);
	res->retval = (int)opts.retval;
	res->out_len = opts.data_size_out;
}

/* A counter summed over every CPU. */
static uint64_t stat_read(uint32_t id)
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

static void config_write(uint32_t flags)
{
	struct rh_config cfg = { .abi_version = RH_ABI_VERSION,
				 .flags = flags };
	uint32_t zero = 0;

	assert_int_equal(bpf_map__update_elem(fx.skel->maps.rh_config, &zero,
					      sizeof(zero), &cfg, sizeof(cfg),
					      BPF_ANY),
			 0);
}

static void service_add(const char *vip, uint16_t port, uint8_t kind)
{
	struct rh_service_key key = { .addr = pkt_ip(vip),
				      .port = htons(port) };
	struct rh_service svc = { .kind = kind };

	assert_int_equal(bpf_map__update_elem(fx.skel->maps.rh_services, &key,
					      sizeof(key), &svc, sizeof(svc),
					      BPF_ANY),
			 0);
}

/* A client's SYN to dst:port. */
static size_t syn_to(uint8_t *buf, const char *dst, uint16_t port)
{
	struct pkt_tcp4 spec = {
		.src_mac = { 0x02, 0, 0, 0, 0, 0x10 },
		.dst_mac = { 0x02, 0, 0, 0, 0, 0x02 },
		.saddr = pkt_ip(CLIENT),
		.daddr = pkt_ip(dst),
		.sport = CLIENT_PORT,
		.dport = port,
		.tcp_flags = TH_SYN,
		.seq = 1000,
	};
	size_t len = pkt_build_tcp4(buf, PKT_MAX_FRAME, &spec);

	assert_true(len > 0);
	return len;
}

/* Runs `pkt` and checks: verdict, unchanged bytes, one count of `reason`. */
static void expect_verdict_unchanged(const uint8_t *pkt, size_t len,
				     int verdict, uint32_t reason)
{
	uint64_t rx = stat_read(RH_STAT_RX), before = stat_read(reason);
	struct run_result res;

	run_xdp(pkt, len, &res);
	assert_int_equal(res.retval, verdict);
	assert_int_equal(res.out_len, len);
	assert_memory_equal(res.out, pkt, len);
	assert_int_equal(stat_read(RH_STAT_RX), rx + 1);
	assert_int_equal(stat_read(reason), before + 1);
}

static int setup(void **state)
{
	(void)state;
	fx.ncpus = libbpf_num_possible_cpus();
	if (fx.ncpus <= 0)
		return -1;
	fx.skel = redisha_bpf__open_and_load();
	if (!fx.skel) {
		fprintf(stderr, "redisha_bpf__open_and_load: %s\n",
			strerror(errno));
		return -1;
	}
	config_write(0);
	service_add(VIP, PROXY_PORT, RH_SERVICE_PROXY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	redisha_bpf__destroy(fx.skel);
	return 0;
}

static void test_xdp_maps_sized_from_abi(void **state)
{
	(void)state;
	assert_true(bpf_program__fd(fx.skel->progs.redisha_xdp) >= 0);
	assert_int_equal(bpf_map__max_entries(fx.skel->maps.rh_shards),
			 RH_MAX_SHARDS);
	assert_int_equal(bpf_map__max_entries(fx.skel->maps.rh_stats),
			 RH_STAT_MAX);
	assert_int_equal(bpf_map__value_size(fx.skel->maps.rh_flows),
			 sizeof(struct rh_flow));
	assert_string_equal(bpf_map__name(fx.skel->maps.rh_services),
			    RH_MAP_SERVICES);
}

static void test_xdp_non_vip_tcp_passes_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = syn_to(pkt, MASTER, PROXY_PORT);

	(void)state;
	expect_verdict_unchanged(pkt, len, XDP_PASS, RH_STAT_PASS_NOT_OURS);
}

static void test_xdp_proxy_port_passes_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = syn_to(pkt, VIP, PROXY_PORT);

	(void)state;
	expect_verdict_unchanged(pkt, len, XDP_PASS, RH_STAT_PASS_PROXY);
}

/* Every cut of a valid frame, from a bare Ethernet header on, is passed. */
static void test_xdp_truncated_frames_pass_unchanged(void **state)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = syn_to(pkt, VIP, PROXY_PORT);

	(void)state;
	for (size_t cut = ETH_HLEN; cut < len; cut++) {
		struct run_result res;

		run_xdp(pkt, cut, &res);
		assert_int_equal(res.retval, XDP_PASS);
		assert_int_equal(res.out_len, cut);
		assert_memory_equal(res.out, pkt, cut);
	}
}

/* Two VLAN tags, IP options and TCP options still reach the service. */
static void test_xdp_vlans_and_options_parsed(void **state)
{
	struct pkt_tcp4 spec = {
		.vlan_tpid = { ETH_P_8021AD, ETH_P_8021Q },
		.nvlans = 2,
		.saddr = pkt_ip(CLIENT),
		.daddr = pkt_ip(VIP),
		.sport = CLIENT_PORT,
		.dport = PROXY_PORT,
		.tcp_flags = TH_SYN,
		.ip_opts_len = 8,
		.tcp_opts_len = 12,
	};
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = pkt_build_tcp4(pkt, sizeof(pkt), &spec);

	(void)state;
	assert_true(len > 0);
	expect_verdict_unchanged(pkt, len, XDP_PASS, RH_STAT_PASS_PROXY);
}

static void test_xdp_acl_deny_drops(void **state)
{
	struct rh_acl_key key = { .prefixlen = 24,
				  .addr = pkt_ip("198.18.0.0") };
	struct rh_acl_rule deny = { .action = RH_ACL_DENY };
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = syn_to(pkt, VIP, PROXY_PORT);
	struct run_result res;
	uint64_t drops = stat_read(RH_STAT_DROP_ACL);

	(void)state;
	assert_int_equal(bpf_map__update_elem(fx.skel->maps.rh_acl, &key,
					      sizeof(key), &deny, sizeof(deny),
					      BPF_ANY),
			 0);
	config_write(RH_CONFIG_ACL_ACTIVE);
	run_xdp(pkt, len, &res);
	assert_int_equal(res.retval, XDP_DROP);
	assert_int_equal(stat_read(RH_STAT_DROP_ACL), drops + 1);

	assert_int_equal(bpf_map__delete_elem(fx.skel->maps.rh_acl, &key,
					      sizeof(key), 0),
			 0);
	config_write(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_maps_sized_from_abi),
		cmocka_unit_test(test_xdp_non_vip_tcp_passes_unchanged),
		cmocka_unit_test(test_xdp_proxy_port_passes_unchanged),
		cmocka_unit_test(test_xdp_truncated_frames_pass_unchanged),
		cmocka_unit_test(test_xdp_vlans_and_options_parsed),
		cmocka_unit_test(test_xdp_acl_deny_drops),
	};

	return cmocka_run_group_tests_name("xdp smoke", tests, setup, teardown);
}
