/*
 * test_xdp_nat: full NAT of shard flows, their resets and their conntrack,
 * through BPF_PROG_TEST_RUN in the fixture's namespace (xdp_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <string.h>
#include <unistd.h>

#include "flows.h"
#include "xdp_fixture.h"

#define CLIENT_PORT 40000
#define COARSE_CLOCK_TICK_US 20000 /* > one jiffy at HZ=100 */
#define SHARD0_PORT FX_SHARD_PORT
#define SHARD1_PORT (FX_SHARD_PORT + 1)
#define SHARD2_PORT (FX_SHARD_PORT + 2)

struct sent {
	struct xdp_result res;
	struct pkt_view out;
	bool parsed;
};

/* Build `spec`, run it as received on `ifindex`, read back what came out. */
static void send_pkt(const struct pkt_spec *spec, int ifindex, struct sent *s)
{
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = fx_build(pkt, spec);

	fx_run(pkt, len, ifindex, &s->res);
	s->parsed = pkt_parse(s->res.out, s->res.out_len, &s->out);
}

static void client_send(uint16_t sport, uint16_t dport, uint8_t flags,
			struct sent *s)
{
	struct pkt_spec spec = fx_client_spec(sport, dport, flags);

	send_pkt(&spec, fx.front_ifindex, s);
}

/* Checks that `s` went out to `mac` with correct checksums and TTL 63. */
static void expect_forwarded(const struct sent *s, const uint8_t *src_mac,
			     const uint8_t *dst_mac)
{
	assert_true(s->parsed);
	assert_true(s->out.ip_csum_ok);
	assert_true(s->out.tcp_csum_ok);
	assert_int_equal(s->out.ip.ttl, 63);
	assert_memory_equal(s->out.eth.h_source, src_mac, ETH_ALEN);
	assert_memory_equal(s->out.eth.h_dest, dst_mac, ETH_ALEN);
}

/* A client SYN to shard 0, forwarded; returns the SNAT binding it got. */
static struct rh_flow_key open_flow(uint16_t sport)
{
	struct sent s;

	client_send(sport, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	assert_true(s.parsed);
	return fx_binding_of(&s.out);
}

/* SYN, SYN-ACK, ACK: a flow in ESTABLISHED. */
static struct rh_flow_key establish_flow(uint16_t sport)
{
	struct rh_flow_key bind = open_flow(sport);
	struct pkt_spec synack = fx_master_spec(&bind, TH_SYN | TH_ACK);
	struct sent s;

	send_pkt(&synack, fx.back_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	client_send(sport, SHARD0_PORT, TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	return bind;
}

static struct rh_flow_key client_key(uint16_t sport, uint16_t dport)
{
	struct rh_flow_key k = {
		.saddr = pkt_ip(FX_CLIENT),
		.daddr = pkt_ip(FX_VIP),
		.sport = htons(sport),
		.dport = htons(dport),
	};

	return k;
}

/* Checks `s` is a reset to the client from VIP:dport with these numbers. */
static void expect_rst_to_client(const struct sent *s, uint16_t sport,
				 uint16_t dport, uint32_t seq, uint32_t ack,
				 uint8_t flags)
{
	assert_true(s->parsed);
	assert_true(s->out.ip_csum_ok);
	assert_true(s->out.tcp_csum_ok);
	assert_int_equal(s->res.out_len, ETH_HLEN + 40); /* bare headers */
	assert_int_equal(s->out.ip.saddr, pkt_ip(FX_VIP));
	assert_int_equal(s->out.ip.daddr, pkt_ip(FX_CLIENT));
	assert_int_equal(ntohs(s->out.tcp.source), dport);
	assert_int_equal(ntohs(s->out.tcp.dest), sport);
	assert_int_equal(s->out.tcp_flags, flags);
	assert_int_equal(ntohl(s->out.tcp.seq), seq);
	assert_int_equal(ntohl(s->out.tcp.ack_seq), ack);
	assert_int_equal(s->out.payload_len, 0);
	assert_memory_equal(s->out.eth.h_dest, FX_CLIENT_MAC, ETH_ALEN);
	assert_memory_equal(s->out.eth.h_source, FX_FRONT_MAC, ETH_ALEN);
}

static void test_nat_syn_to_shard_is_natted(void **state)
{
	uint64_t redirects = fx_stat(RH_STAT_REDIRECT_NAT);
	uint64_t created = fx_stat(RH_STAT_FLOW_NEW);
	struct rh_flow_key key = client_key(CLIENT_PORT, SHARD0_PORT);
	struct rh_flow fwd, rev;
	struct sent s;
	uint16_t port;

	(void)state;
	client_send(CLIENT_PORT, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	expect_forwarded(&s, FX_BACK_MAC, FX_MASTER_MAC);
	assert_int_equal(s.out.ip.saddr, pkt_ip(FX_SNAT));
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER));
	port = ntohs(s.out.tcp.source);
	assert_in_range(port, FX_SNAT_MIN, FX_SNAT_MAX);
	assert_int_equal(ntohs(s.out.tcp.dest), FX_REDIS_PORT);
	assert_int_equal(ntohl(s.out.tcp.seq), 1000); /* sequence untouched */
	assert_int_equal(s.out.tcp_flags, TH_SYN);
	assert_int_equal(fx_stat(RH_STAT_REDIRECT_NAT), redirects + 1);
	assert_int_equal(fx_stat(RH_STAT_FLOW_NEW), created + 1);

	/* Both directions are tracked and point at each other. */
	assert_true(fx_flow_lookup(&key, &fwd));
	assert_int_equal(fwd.dir, RH_FLOW_FORWARD);
	assert_int_equal(fwd.shard_id, 0);
	assert_int_equal(fwd.generation, 1);
	assert_int_equal(fwd.tcp_state, RH_TCP_SYN_SENT);
	assert_int_equal(fwd.nh_ifindex, fx.back_ifindex);
	struct rh_flow_key bind = fx_binding_of(&s.out);
	assert_true(fx_flow_lookup(&bind, &rev));
	assert_int_equal(rev.dir, RH_FLOW_REVERSE);
	assert_int_equal(rev.nat.saddr, pkt_ip(FX_VIP));
	assert_int_equal(rev.nat.daddr, pkt_ip(FX_CLIENT));
	assert_int_equal(ntohs(rev.nat.sport), SHARD0_PORT);
	assert_int_equal(ntohs(rev.nat.dport), CLIENT_PORT);
}

static void test_nat_reverse_is_natted_back(void **state)
{
	struct rh_flow_key bind = open_flow(CLIENT_PORT);
	struct pkt_spec synack = fx_master_spec(&bind, TH_SYN | TH_ACK);
	struct rh_flow rev;
	struct sent s;

	(void)state;
	send_pkt(&synack, fx.back_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	expect_forwarded(&s, FX_FRONT_MAC, FX_CLIENT_MAC);
	assert_int_equal(s.out.ip.saddr, pkt_ip(FX_VIP));
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_CLIENT));
	assert_int_equal(ntohs(s.out.tcp.source), SHARD0_PORT);
	assert_int_equal(ntohs(s.out.tcp.dest), CLIENT_PORT);
	assert_int_equal(ntohl(s.out.tcp.seq), 5000);
	assert_int_equal(ntohl(s.out.tcp.ack_seq), 1001);
	assert_true(fx_flow_lookup(&bind, &rev));
	assert_int_equal(rev.tcp_state, RH_TCP_ESTABLISHED);
}

static void test_nat_data_payload_checksums(void **state)
{
	static const char cmd[] = "*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n";
	struct pkt_spec spec =
		fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_ACK | TH_PUSH);
	struct sent s;

	(void)state;
	establish_flow(CLIENT_PORT);
	spec.payload = cmd;
	spec.payload_len = sizeof(cmd) - 1;
	spec.tcp_opts_len = 12; /* timestamps, as Linux sends them */
	send_pkt(&spec, fx.front_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	expect_forwarded(&s, FX_BACK_MAC, FX_MASTER_MAC);
	assert_int_equal(s.out.payload_len, sizeof(cmd) - 1);
	assert_memory_equal(s.res.out + s.res.out_len - (sizeof(cmd) - 1), cmd,
			    sizeof(cmd) - 1);
}

static void test_nat_one_armed_master_uses_xdp_tx(void **state)
{
	uint64_t tx = fx_stat(RH_STAT_TX_NAT);
	struct sent s;

	(void)state;
	client_send(CLIENT_PORT, SHARD1_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	expect_forwarded(&s, FX_FRONT_MAC, FX_MASTER_FRONT_MAC);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER_FRONT));
	assert_int_equal(fx_stat(RH_STAT_TX_NAT), tx + 1);
}

/* No neighbour yet: the rewritten packet goes to the kernel, which
 * forwards it and resolves the neighbour. */
static void test_nat_no_neighbour_passes_rewritten(void **state)
{
	uint64_t passed = fx_stat(RH_STAT_PASS_NAT_NO_NEIGH);
	struct sent s;

	(void)state;
	client_send(CLIENT_PORT, SHARD2_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_PASS);
	assert_true(s.parsed);
	assert_true(s.out.ip_csum_ok);
	assert_true(s.out.tcp_csum_ok);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER_UNRESOLVED));
	assert_int_equal(s.out.ip.saddr, pkt_ip(FX_SNAT));
	assert_int_equal(s.out.ip.ttl, 64); /* the kernel decrements it */
	assert_memory_equal(s.out.eth.h_dest, FX_FRONT_MAC, ETH_ALEN);
	assert_int_equal(fx_stat(RH_STAT_PASS_NAT_NO_NEIGH), passed + 1);
}

/* An egress interface missing from the devmap: the NATed packet goes to
 * the kernel untouched otherwise (MACs, TTL), which forwards it. */
static void test_nat_egress_not_in_devmap_passes_rewritten(void **state)
{
	uint32_t back = (uint32_t)fx.back_ifindex;
	uint64_t passed = fx_stat(RH_STAT_PASS_NAT_NO_TX_PORT);
	struct sent s;

	(void)state;
	assert_int_equal(bpf_map__delete_elem(fx.skel->maps.rh_tx_ports, &back,
					      sizeof(back), 0),
			 0);
	client_send(CLIENT_PORT, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_PASS);
	assert_true(s.parsed);
	assert_true(s.out.ip_csum_ok);
	assert_true(s.out.tcp_csum_ok);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER));
	assert_int_equal(s.out.ip.ttl, 64);
	assert_memory_equal(s.out.eth.h_dest, FX_FRONT_MAC, ETH_ALEN);
	assert_int_equal(fx_stat(RH_STAT_PASS_NAT_NO_TX_PORT), passed + 1);
}

static void test_nat_generation_bump_resets_client(void **state)
{
	struct rh_flow_key key = client_key(CLIENT_PORT, SHARD0_PORT);
	struct rh_flow_key bind = establish_flow(CLIENT_PORT);
	uint64_t resets = fx_stat(RH_STAT_TX_RST_FAILOVER);
	struct pkt_spec data =
		fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_ACK | TH_PUSH);
	struct sent s;

	(void)state;
	fx_shard_write(0, FX_MASTER_NEW, RH_SHARD_UP, 2);
	data.payload = "PING\r\n";
	data.payload_len = 6;
	send_pkt(&data, fx.front_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	/* RFC 793: the client's ACK set, so the reset carries SEQ = its ACK. */
	expect_rst_to_client(&s, CLIENT_PORT, SHARD0_PORT, data.ack, 0,
			     TH_RST);
	assert_int_equal(fx_stat(RH_STAT_TX_RST_FAILOVER), resets + 1);
	assert_false(fx_flow_lookup(&key, NULL));
	assert_false(fx_flow_lookup(&bind, NULL));
}

static void test_nat_old_master_reply_after_bump_resets_client(void **state)
{
	struct rh_flow_key key = client_key(CLIENT_PORT, SHARD0_PORT);
	struct rh_flow_key bind = establish_flow(CLIENT_PORT);
	uint64_t resets = fx_stat(RH_STAT_FWD_RST_FAILOVER);
	struct pkt_spec reply = fx_master_spec(&bind, TH_ACK | TH_PUSH);
	struct sent s;

	(void)state;
	fx_shard_write(0, FX_MASTER_NEW, RH_SHARD_UP, 2);
	reply.payload = "+PONG\r\n";
	reply.payload_len = 7;
	send_pkt(&reply, fx.back_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	/* In sequence with what the client expects from the master. */
	assert_true(s.parsed);
	assert_int_equal(s.out.ip.ttl, 63); /* forwarded like any reply */
	assert_int_equal(s.out.tcp_flags, TH_RST);
	assert_int_equal(ntohl(s.out.tcp.seq), reply.seq);
	assert_int_equal(s.out.ip.saddr, pkt_ip(FX_VIP));
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_CLIENT));
	assert_int_equal(ntohs(s.out.tcp.source), SHARD0_PORT);
	assert_int_equal(ntohs(s.out.tcp.dest), CLIENT_PORT);
	assert_true(s.out.ip_csum_ok);
	assert_true(s.out.tcp_csum_ok);
	assert_int_equal(s.out.payload_len, 0);
	assert_int_equal(fx_stat(RH_STAT_FWD_RST_FAILOVER), resets + 1);
	assert_false(fx_flow_lookup(&key, NULL));
	assert_false(fx_flow_lookup(&bind, NULL));
}

/* Without reset-on-failover, flows of the old master drain to it. */
static void test_nat_no_reset_flag_lets_old_flows_drain(void **state)
{
	struct rh_config cfg = fx_config_default();
	struct sent s;

	(void)state;
	establish_flow(CLIENT_PORT);
	cfg.flags &= ~RH_CONFIG_RESET_ON_FAILOVER;
	fx_config_write(&cfg);
	fx_shard_write(0, FX_MASTER_NEW, RH_SHARD_UP, 2);
	client_send(CLIENT_PORT, SHARD0_PORT, TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER));
}

static void test_nat_syn_to_down_shard_is_refused(void **state)
{
	uint8_t states[] = { RH_SHARD_DOWN, RH_SHARD_NO_MASTER };

	(void)state;
	for (size_t i = 0; i < sizeof(states); i++) {
		uint64_t refused = fx_stat(RH_STAT_TX_RST_NO_MASTER);
		struct sent s;

		fx_shard_write(0, i ? NULL : FX_MASTER, states[i], 1);
		client_send(CLIENT_PORT, SHARD0_PORT, TH_SYN, &s);
		assert_int_equal(s.res.verdict, XDP_TX);
		/* No ACK in a SYN: SEQ 0, ACK = its SEQ + 1 for the SYN. */
		expect_rst_to_client(&s, CLIENT_PORT, SHARD0_PORT, 0, 1001,
				     TH_RST | TH_ACK);
		assert_int_equal(fx_stat(RH_STAT_TX_RST_NO_MASTER),
				 refused + 1);
		assert_int_equal(fx_flow_count(), 0);
	}
}

static void test_nat_established_flow_reset_when_shard_down(void **state)
{
	struct sent s;

	(void)state;
	establish_flow(CLIENT_PORT);
	fx_shard_write(0, FX_MASTER, RH_SHARD_DOWN, 1);
	client_send(CLIENT_PORT, SHARD0_PORT, TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	expect_rst_to_client(&s, CLIENT_PORT, SHARD0_PORT, 5000, 0, TH_RST);
	assert_int_equal(fx_flow_count(), 0);
}

/* A flow that went through a gateway that died: reset, so the client
 * reconnects at once; a reset is never answered. */
static void test_nat_non_syn_without_flow(void **state)
{
	uint64_t resets = fx_stat(RH_STAT_TX_RST_NO_FLOW);
	uint64_t dropped = fx_stat(RH_STAT_DROP_RST_NO_FLOW);
	struct sent s;

	(void)state;
	client_send(CLIENT_PORT, SHARD0_PORT, TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	expect_rst_to_client(&s, CLIENT_PORT, SHARD0_PORT, 5000, 0, TH_RST);
	assert_int_equal(fx_stat(RH_STAT_TX_RST_NO_FLOW), resets + 1);

	client_send(CLIENT_PORT, SHARD0_PORT, TH_RST, &s);
	assert_int_equal(s.res.verdict, XDP_DROP);
	assert_int_equal(fx_stat(RH_STAT_DROP_RST_NO_FLOW), dropped + 1);
}

static void test_nat_snat_exhaustion_never_overwrites(void **state)
{
	enum { RANGE = 4 };
	struct rh_config cfg = fx_config_default();
	struct rh_flow_key binds[RANGE];
	uint64_t refused = fx_stat(RH_STAT_TX_RST_SNAT_FULL);
	struct sent s;

	(void)state;
	cfg.snat_port_max = (uint16_t)(cfg.snat_port_min + RANGE - 1);
	fx_config_write(&cfg);
	for (uint16_t i = 0; i < RANGE; i++) {
		binds[i] = open_flow((uint16_t)(CLIENT_PORT + i));
		for (uint16_t j = 0; j < i; j++)
			assert_int_not_equal(binds[i].dport, binds[j].dport);
	}
	client_send(CLIENT_PORT + RANGE, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	expect_rst_to_client(&s, CLIENT_PORT + RANGE, SHARD0_PORT, 0, 1001,
			     TH_RST | TH_ACK);
	assert_int_equal(fx_stat(RH_STAT_TX_RST_SNAT_FULL), refused + 1);
	for (uint16_t i = 0; i < RANGE; i++) {
		struct rh_flow rev;

		assert_true(fx_flow_lookup(&binds[i], &rev));
		assert_int_equal(ntohs(rev.nat.dport), CLIENT_PORT + i);
	}
}

/* The same port on another master is another binding. */
static void test_nat_snat_port_is_per_master(void **state)
{
	struct rh_config cfg = fx_config_default();
	struct sent s;

	(void)state;
	cfg.snat_port_max = cfg.snat_port_min; /* one port */
	fx_config_write(&cfg);
	open_flow(CLIENT_PORT);
	client_send(CLIENT_PORT, SHARD1_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	assert_true(s.parsed);
	assert_int_equal(ntohs(s.out.tcp.source), cfg.snat_port_min);
	assert_int_equal(s.out.tcp_flags, TH_SYN);
}

static void test_nat_syn_retransmit_keeps_binding(void **state)
{
	uint64_t created = fx_stat(RH_STAT_FLOW_NEW);
	struct rh_flow_key first = open_flow(CLIENT_PORT);
	struct rh_flow_key again = open_flow(CLIENT_PORT);

	(void)state;
	assert_memory_equal(&first, &again, sizeof(first));
	assert_int_equal(fx_stat(RH_STAT_FLOW_NEW), created + 1);
	assert_int_equal(fx_flow_count(), 2);
}

static void test_nat_port_reuse_after_failover_opens_new_flow(void **state)
{
	uint64_t reused = fx_stat(RH_STAT_FLOW_PORT_REUSE);
	struct rh_flow_key old = establish_flow(CLIENT_PORT);
	struct sent s;

	(void)state;
	fx_shard_write(0, FX_MASTER_NEW, RH_SHARD_UP, 2);
	client_send(CLIENT_PORT, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	expect_forwarded(&s, FX_BACK_MAC, FX_MASTER_NEW_MAC);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_MASTER_NEW));
	assert_int_equal(s.out.tcp_flags, TH_SYN);
	assert_int_equal(fx_stat(RH_STAT_FLOW_PORT_REUSE), reused + 1);
	assert_false(fx_flow_lookup(&old, NULL));
	assert_int_equal(fx_flow_count(), 2);
}

static void test_nat_port_reuse_after_close_opens_new_flow(void **state)
{
	struct rh_flow_key key = client_key(CLIENT_PORT, SHARD0_PORT);
	struct rh_flow fwd;
	struct sent s;

	(void)state;
	establish_flow(CLIENT_PORT);
	client_send(CLIENT_PORT, SHARD0_PORT, TH_FIN | TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	assert_true(fx_flow_lookup(&key, &fwd));
	assert_int_equal(fwd.tcp_state, RH_TCP_CLOSING);

	client_send(CLIENT_PORT, SHARD0_PORT, TH_SYN, &s);
	assert_int_equal(s.res.verdict, XDP_REDIRECT);
	assert_int_equal(s.out.tcp_flags, TH_SYN);
	assert_true(fx_flow_lookup(&key, &fwd));
	assert_int_equal(fwd.tcp_state, RH_TCP_SYN_SENT);
	assert_int_equal(fx_flow_count(), 2);
}

/* FIN closes both directions; once the closing timeout has passed, the
 * datapath treats the flow as gone and the sweep deletes both entries. */
static void test_nat_closed_flow_expires_and_is_swept(void **state)
{
	struct rh_config cfg = fx_config_default();
	struct rh_flow_key key = client_key(CLIENT_PORT, SHARD0_PORT);
	struct datapath dp = fx_datapath();
	struct rh_flow_key bind;
	char err[128];
	struct rh_flow rev;
	struct sent s;

	(void)state;
	bind = establish_flow(CLIENT_PORT);
	establish_flow(CLIENT_PORT + 1); /* stays open */
	client_send(CLIENT_PORT, SHARD0_PORT, TH_FIN | TH_ACK, &s);
	assert_true(fx_flow_lookup(&bind, &rev));
	assert_int_equal(rev.tcp_state, RH_TCP_CLOSING);
	assert_int_equal(flows_sweep(&dp, &cfg, fx_now_ns(), err, sizeof(err)),
			 0);

	/* Past the closing timeout: a late ACK finds no flow and is reset. */
	cfg.closing_timeout_ns = 1;
	fx_config_write(&cfg);
	usleep(COARSE_CLOCK_TICK_US); /* the datapath's clock is coarse */
	client_send(CLIENT_PORT, SHARD0_PORT, TH_ACK, &s);
	assert_int_equal(s.res.verdict, XDP_TX);
	assert_int_equal(s.out.tcp_flags, TH_RST);

	assert_int_equal(flows_sweep(&dp, &cfg, fx_now_ns(), err, sizeof(err)),
			 2);
	assert_false(fx_flow_lookup(&key, NULL));
	assert_false(fx_flow_lookup(&bind, NULL));
	assert_int_equal(fx_flow_count(), 2); /* the open flow stays */
}

/* Idle established flows expire after the flow timeout. */
static void test_nat_idle_established_flow_is_swept(void **state)
{
	struct rh_config cfg = fx_config_default();
	struct datapath dp = fx_datapath();
	char err[128];

	(void)state;
	establish_flow(CLIENT_PORT);
	assert_int_equal(flows_sweep(&dp, &cfg,
				     fx_now_ns() + cfg.flow_timeout_ns / 2,
				     err, sizeof(err)),
			 0);
	assert_int_equal(flows_sweep(&dp, &cfg,
				     fx_now_ns() + cfg.flow_timeout_ns + 1,
				     err, sizeof(err)),
			 2);
	assert_int_equal(fx_flow_count(), 0);
}

/* A packet that is neither for a service nor a live binding passes. */
static void test_nat_reply_to_unknown_binding_passes(void **state)
{
	struct rh_flow_key bind = {
		.saddr = pkt_ip(FX_MASTER),
		.daddr = pkt_ip(FX_SNAT),
		.sport = htons(FX_REDIS_PORT),
		.dport = htons(FX_SNAT_MIN),
	};
	struct pkt_spec spec = fx_master_spec(&bind, TH_ACK);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = fx_build(pkt, &spec);
	struct xdp_result res;

	(void)state;
	fx_run(pkt, len, fx.back_ifindex, &res);
	assert_int_equal(res.verdict, XDP_PASS);
	assert_int_equal(res.out_len, len);
	assert_memory_equal(res.out, pkt, len);
}

static void test_nat_ttl_expiring_is_dropped(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	size_t len = fx_build(pkt, &spec);
	struct xdp_result res;
	uint64_t dropped = fx_stat(RH_STAT_DROP_TTL);

	(void)state;
	pkt[ETH_HLEN + offsetof(struct iphdr, ttl)] = 1;
	fx_run(pkt, len, fx.front_ifindex, &res);
	assert_int_equal(res.verdict, XDP_DROP);
	assert_int_equal(fx_stat(RH_STAT_DROP_TTL), dropped + 1);
}

/* Two VLAN tags and IP options: NATed all the same, tags kept. */
static void test_nat_vlan_tagged_syn_with_ip_options(void **state)
{
	struct pkt_spec spec = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	uint8_t pkt[PKT_MAX_FRAME];
	struct xdp_result res;
	struct pkt_view v;
	size_t len;

	(void)state;
	fx_qinq(&spec);
	spec.ip_opts_len = 8;
	spec.tcp_opts_len = 20;
	len = fx_build(pkt, &spec);
	fx_run(pkt, len, fx.front_ifindex, &res);
	assert_int_equal(res.verdict, XDP_REDIRECT);
	assert_true(pkt_parse(res.out, res.out_len, &v));
	assert_int_equal(v.l3_off, ETH_HLEN + 8);
	assert_memory_equal(res.out + ETH_ALEN * 2, pkt + ETH_ALEN * 2, 8);
	assert_int_equal(v.ip.ihl, 7);
	assert_true(v.ip_csum_ok);
	assert_true(v.tcp_csum_ok);
	assert_int_equal(v.ip.daddr, pkt_ip(FX_MASTER));
}

/*
 * Frames for another host's MAC (a bridge flooding for the master gateway
 * whose host died) are the kernel's to drop: a client's SYN opens no flow,
 * and a master's reply to a live binding is not NATed back.
 */
static void test_nat_frames_for_another_host_pass(void **state)
{
	static const uint8_t other_gateway[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct pkt_spec syn = fx_client_spec(CLIENT_PORT, SHARD0_PORT, TH_SYN);
	struct rh_flow_key bind;
	struct pkt_spec reply;
	uint64_t before = fx_stat(RH_STAT_PASS_OTHER_HOST);
	struct sent s;

	(void)state;
	memcpy(syn.dst_mac, other_gateway, ETH_ALEN);
	send_pkt(&syn, fx.front_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_PASS);
	assert_int_equal(fx_flow_count(), 0);

	bind = establish_flow(CLIENT_PORT + 1);
	reply = fx_master_spec(&bind, TH_ACK | TH_PUSH);
	memcpy(reply.dst_mac, other_gateway, ETH_ALEN);
	send_pkt(&reply, fx.back_ifindex, &s);
	assert_int_equal(s.res.verdict, XDP_PASS);
	assert_int_equal(s.out.ip.daddr, pkt_ip(FX_SNAT)); /* untouched */
	assert_int_equal(fx_stat(RH_STAT_PASS_OTHER_HOST) - before, 2);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, fx_reset)
	const struct CMUnitTest tests[] = {
		T(test_nat_syn_to_shard_is_natted),
		T(test_nat_reverse_is_natted_back),
		T(test_nat_data_payload_checksums),
		T(test_nat_one_armed_master_uses_xdp_tx),
		T(test_nat_no_neighbour_passes_rewritten),
		T(test_nat_egress_not_in_devmap_passes_rewritten),
		T(test_nat_generation_bump_resets_client),
		T(test_nat_old_master_reply_after_bump_resets_client),
		T(test_nat_no_reset_flag_lets_old_flows_drain),
		T(test_nat_syn_to_down_shard_is_refused),
		T(test_nat_established_flow_reset_when_shard_down),
		T(test_nat_non_syn_without_flow),
		T(test_nat_snat_exhaustion_never_overwrites),
		T(test_nat_snat_port_is_per_master),
		T(test_nat_syn_retransmit_keeps_binding),
		T(test_nat_port_reuse_after_failover_opens_new_flow),
		T(test_nat_port_reuse_after_close_opens_new_flow),
		T(test_nat_closed_flow_expires_and_is_swept),
		T(test_nat_idle_established_flow_is_swept),
		T(test_nat_reply_to_unknown_binding_passes),
		T(test_nat_ttl_expiring_is_dropped),
		T(test_nat_vlan_tagged_syn_with_ip_options),
		T(test_nat_frames_for_another_host_pass),
	};
#undef T

	return cmocka_run_group_tests_name("xdp nat", tests, fx_setup,
					   fx_teardown);
}
