/*
 * bench_xdp: nanoseconds per packet of the XDP program on each of its paths,
 * through BPF_PROG_TEST_RUN with `repeat`, beside two reference programs
 * timed in the same run: ref_trivial (returns XDP_PASS) and ref_lookup
 * (parses to TCP and does one hash lookup that hits). It measures and
 * writes build/bench/xdp.json; it asserts only that each repeat took the
 * path it claims to time.
 *
 * Non-live test runs feed each repeat the previous repeat's output, so:
 * - established_fwd and reverse use two flow entries that translate into
 *   each other (client A's packet is rewritten into client B's, and back),
 *   and run in batches of TTL_BATCH repeats from TTL 255: each repeat
 *   decrements the TTL once, so the TTL left proves every repeat forwarded;
 * - new_flow cannot repeat a SYN (the rewritten SYN is no longer one), so
 *   it runs single repeats with a fresh client port each, and the flow
 *   table is flushed every FLUSH_EVERY flows so SNAT ports never run out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows.h"
#include "ref_lookup.skel.h"
#include "ref_trivial.skel.h"
#include "xdp_fixture.h"

#define REPEAT 1000000u
#define TTL_START 255
#define TTL_BATCH 250u /* repeats per run: the TTL must stay above 1 */
#define NEW_FLOWS 100000u
#define FLUSH_EVERY 4096u
#define CLIENT_A "198.18.0.10"
#define CLIENT_B "198.18.0.11"

struct measure {
	const char *name;
	double ns;
	uint64_t packets;
};

static int die(const char *what)
{
	fprintf(stderr, "bench_xdp: %s\n", what);
	exit(1);
}

/* Which counters moved: what path the packet took instead. */
static void print_counters(void)
{
	static const char *const names[] = {
#define RH_STAT_NAME(id, name, kind) name,
		RH_STATS(RH_STAT_NAME)
#undef RH_STAT_NAME
	};

	for (uint32_t id = 0; id < RH_STAT_MAX; id++)
		if (fx.skel && fx_stat(id))
			fprintf(stderr, "  %s %llu\n", names[id],
				(unsigned long long)fx_stat(id));
}

/* One test run; returns the kernel's mean ns per repeat. */
static uint32_t run(int prog_fd, const void *pkt, size_t len, int ifindex,
		    uint32_t repeat, int expect, uint8_t *out, uint32_t *out_len)
{
	uint8_t scratch[PKT_MAX_FRAME];
	struct xdp_md ctx = { .data_end = (uint32_t)len,
			      .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = (uint32_t)len,
		    .data_out = out ? out : scratch,
		    .data_size_out = PKT_MAX_FRAME, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		die(strerror(errno));
	if ((int)opts.retval != expect) {
		fprintf(stderr, "bench_xdp: verdict %u, expected %d\n",
			opts.retval, expect);
		print_counters();
		exit(1);
	}
	if (out_len)
		*out_len = opts.data_size_out;
	return opts.duration;
}

static size_t client_packet(uint8_t *buf, const char *client, uint16_t sport,
			    uint8_t flags)
{
	struct pkt_spec spec = fx_client_spec(sport, FX_SHARD_PORT, flags);

	spec.saddr = pkt_ip(client);
	spec.ttl = TTL_START;
	return pkt_build(buf, PKT_MAX_FRAME, &spec);
}

static struct rh_flow_key tuple(const char *saddr, const char *daddr,
				uint16_t sport, uint16_t dport)
{
	struct rh_flow_key k = { .saddr = pkt_ip(saddr),
				 .daddr = pkt_ip(daddr),
				 .sport = htons(sport),
				 .dport = htons(dport) };

	return k;
}

/* Entries a -> b and b -> a, established, next hop cached on `ifindex`. */
static void flow_cycle(struct rh_flow_key a, struct rh_flow_key b,
		       uint8_t dir, int ifindex, const uint8_t *dmac,
		       const uint8_t *smac)
{
	struct rh_flow f = {
		.dir = dir,
		.tcp_state = RH_TCP_ESTABLISHED,
		.generation = 1,
		.nh_ifindex = (uint32_t)ifindex,
		.last_seen_ns = fx_now_ns(),
		.nh_cached_ns = fx_now_ns(),
	};

	memcpy(f.nh_smac, smac, ETH_ALEN);
	memcpy(f.nh_dmac, dmac, ETH_ALEN);
	f.nat = b;
	if (bpf_map__update_elem(fx.skel->maps.rh_flows, &a, sizeof(a), &f,
				 sizeof(f), BPF_ANY))
		die("flow a");
	f.nat = a;
	if (bpf_map__update_elem(fx.skel->maps.rh_flows, &b, sizeof(b), &f,
				 sizeof(f), BPF_ANY))
		die("flow b");
}

/* Batches of TTL_BATCH repeats; the TTL left shows each one forwarded. */
static double time_cycle(const uint8_t *pkt, size_t len, int ifindex)
{
	int fd = bpf_program__fd(fx.skel->progs.redisha_xdp);
	uint64_t total_ns = 0, packets = 0;
	uint8_t out[PKT_MAX_FRAME];
	struct pkt_view v;
	uint32_t out_len;

	while (packets < REPEAT) {
		total_ns += (uint64_t)run(fd, pkt, len, ifindex, TTL_BATCH,
					  XDP_REDIRECT, out, &out_len) *
			    TTL_BATCH;
		packets += TTL_BATCH;
	}
	if (!pkt_parse(out, out_len, &v) || v.ip.ttl != TTL_START - TTL_BATCH ||
	    !v.ip_csum_ok || !v.tcp_csum_ok)
		die("a repeat did not take the forwarding path");
	return (double)total_ns / (double)packets;
}

static double time_new_flows(void)
{
	int fd = bpf_program__fd(fx.skel->progs.redisha_xdp);
	struct datapath dp = fx_datapath();
	struct rh_config cfg = fx_config_default();
	uint8_t pkt[PKT_MAX_FRAME];
	uint64_t total_ns = 0;
	char err[128];

	for (uint32_t i = 0; i < NEW_FLOWS; i++) {
		size_t len = client_packet(pkt, CLIENT_A,
					   (uint16_t)(1024 + i % 60000),
					   TH_SYN);

		if (i % FLUSH_EVERY == 0 &&
		    flows_sweep(&dp, &cfg, UINT64_MAX / 2, err, sizeof(err)) < 0)
			die(err);
		total_ns += run(fd, pkt, len, fx.front_ifindex, 1,
				XDP_REDIRECT, NULL, NULL);
	}
	return (double)total_ns / NEW_FLOWS;
}

static double time_repeat(int prog_fd, const void *pkt, size_t len,
			  int expect)
{
	uint8_t out[PKT_MAX_FRAME];
	uint32_t out_len;
	uint32_t ns = run(prog_fd, pkt, len, fx.front_ifindex, REPEAT, expect,
			  out, &out_len);

	if (out_len != len || memcmp(out, pkt, len))
		die("a pass-through packet was changed");
	return ns;
}

int main(int argc, char **argv)
{
	const char *json_path = argc > 1 ? argv[1] : "build/bench/xdp.json";
	struct ref_trivial_bpf *trivial;
	struct ref_lookup_bpf *lookup;
	struct measure m[6];
	struct rh_config cfg;
	uint8_t pkt[PKT_MAX_FRAME];
	struct rh_flow key_value = { 0 };
	struct rh_flow_key k;
	size_t len;
	FILE *json;

	if (fx_setup(NULL))
		die("setup");
	/*
	 * A test run with repeat > 1 adds the program to the kernel's XDP
	 * dispatcher and removes it again, rebuilding its image each time
	 * (≈ 16 ms here); the batched cycles below make thousands of such
	 * runs. Attached to an interface, the program stays in the dispatcher
	 * and a run only counts a reference.
	 */
	if (bpf_xdp_attach((int)if_nametoindex("front1"),
			   bpf_program__fd(fx.skel->progs.redisha_xdp),
			   XDP_FLAGS_DRV_MODE, NULL))
		die("attach to front1");
	/* The cycles' packets go to a VIP, which the FIB cannot resolve:
	 * keep the next-hop cache for the whole run, as for a busy flow. */
	cfg = fx_config_default();
	cfg.nh_cache_ns = UINT64_MAX / 4;
	fx_config_write(&cfg);
	trivial = ref_trivial_bpf__open_and_load();
	lookup = ref_lookup_bpf__open_and_load();
	if (!trivial || !lookup)
		die("load the reference programs");

	len = client_packet(pkt, CLIENT_A, 40000, TH_ACK);
	m[0] = (struct measure){ "trivial",
				 time_repeat(bpf_program__fd(trivial->progs.ref_trivial),
					     pkt, len, XDP_PASS),
				 REPEAT };
	k = tuple(CLIENT_A, FX_VIP, 40000, FX_SHARD_PORT);
	if (bpf_map__update_elem(lookup->maps.ref_flows, &k, sizeof(k),
				 &key_value, sizeof(key_value), BPF_ANY))
		die("ref_flows");
	m[1] = (struct measure){ "ref_lookup",
				 time_repeat(bpf_program__fd(lookup->progs.ref_lookup),
					     pkt, len, XDP_PASS),
				 REPEAT };

	{
		struct pkt_spec spec = fx_client_spec(40000, 6379, TH_ACK);

		spec.daddr = pkt_ip(FX_MASTER); /* not a VIP */
		len = pkt_build(pkt, sizeof(pkt), &spec);
	}
	m[2] = (struct measure){
		"pass_through",
		time_repeat(bpf_program__fd(fx.skel->progs.redisha_xdp), pkt,
			    len, XDP_PASS),
		REPEAT
	};

	flow_cycle(tuple(CLIENT_A, FX_VIP, 40000, FX_SHARD_PORT),
		   tuple(CLIENT_B, FX_VIP, 40001, FX_SHARD_PORT),
		   RH_FLOW_FORWARD, fx.back_ifindex, FX_MASTER_MAC,
		   FX_BACK_MAC);
	len = client_packet(pkt, CLIENT_A, 40000, TH_ACK);
	m[3] = (struct measure){ "established_fwd",
				 time_cycle(pkt, len, fx.front_ifindex),
				 REPEAT };

	flow_cycle(tuple(FX_MASTER, FX_SNAT, FX_REDIS_PORT, FX_SNAT_MIN),
		   tuple(FX_MASTER, FX_SNAT, FX_REDIS_PORT, FX_SNAT_MIN + 1),
		   RH_FLOW_REVERSE, fx.front_ifindex, FX_CLIENT_MAC,
		   FX_FRONT_MAC);
	{
		struct rh_flow_key bind =
			tuple(FX_MASTER, FX_SNAT, FX_REDIS_PORT, FX_SNAT_MIN);
		struct pkt_spec spec = fx_master_spec(&bind, TH_ACK);

		spec.ttl = TTL_START;
		len = pkt_build(pkt, sizeof(pkt), &spec);
	}
	m[4] = (struct measure){ "reverse",
				 time_cycle(pkt, len, fx.back_ifindex),
				 REPEAT };
	m[5] = (struct measure){ "new_flow", time_new_flows(), NEW_FLOWS };

	printf("%-16s %10s %12s\n", "path", "ns/packet", "packets");
	for (size_t i = 0; i < 6; i++)
		printf("%-16s %10.1f %12llu\n", m[i].name, m[i].ns,
		       (unsigned long long)m[i].packets);
	printf("established_fwd / ref_lookup = %.2f (target <= 3)\n",
	       m[3].ns / m[1].ns);

	json = fopen(json_path, "w");
	if (!json)
		die(json_path);
	fprintf(json, "{");
	for (size_t i = 0; i < 6; i++)
		fprintf(json, "%s\"%s\": %.1f", i ? ", " : "", m[i].name,
			m[i].ns);
	fprintf(json, "}\n");
	if (fclose(json))
		die(json_path);
	ref_lookup_bpf__destroy(lookup);
	ref_trivial_bpf__destroy(trivial);
	fx_teardown(NULL);
	return 0;
}
