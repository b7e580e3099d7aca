/*
 * xdp_fixture: what every XDP test shares. The program is loaded through
 * its skeleton (the kernel verifier checks it) inside a private network
 * namespace holding the gateway's two interfaces, with permanent neighbour
 * entries, so bpf_fib_lookup answers as on a real gateway:
 *
 *   front0 198.18.0.2/24  client 198.18.0.10, one-armed master 198.18.0.21
 *   back0  198.18.1.2/24  masters 198.18.1.11 and .12; .31 has no neighbour
 *
 * Helpers fail the running cmocka test on any error.
 */
#ifndef REDISHA_TEST_XDP_FIXTURE_H
#define REDISHA_TEST_XDP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath.h"
#include "packet.h"
#include "redisha.skel.h"
#include "redisha/abi.h"

#define FX_VIP "198.18.0.100"
#define FX_CLIENT "198.18.0.10"
#define FX_SNAT "198.18.1.2"
#define FX_MASTER "198.18.1.11"	  /* shard 0, behind back0 */
#define FX_MASTER_NEW "198.18.1.12"  /* shard 0 after a failover */
#define FX_MASTER_FRONT "198.18.0.21" /* shard 1, one-armed: behind front0 */
#define FX_MASTER_UNRESOLVED "198.18.1.31" /* shard 2, no neighbour entry */
#define FX_PROXY_PORT 6379
#define FX_SHARD_PORT 7001 /* + shard id */
#define FX_REDIS_PORT 6379
#define FX_SNAT_MIN 20000
#define FX_SNAT_MAX 29999

extern const uint8_t FX_CLIENT_MAC[ETH_ALEN], FX_FRONT_MAC[ETH_ALEN],
	FX_BACK_MAC[ETH_ALEN], FX_MASTER_MAC[ETH_ALEN],
	FX_MASTER_NEW_MAC[ETH_ALEN], FX_MASTER_FRONT_MAC[ETH_ALEN];

struct xdp_fixture {
	struct redisha_bpf *skel;
	int ncpus;
	int front_ifindex, back_ifindex;
};

extern struct xdp_fixture fx;

struct xdp_result {
	int verdict;
	uint8_t out[PKT_MAX_FRAME];
	uint32_t out_len;
};

/* cmocka group setup/teardown: netns, interfaces, skeleton, default maps. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* cmocka per-test setup: flows flushed, every map back to its defaults. */
int fx_reset(void **state);

/* Run the program once on `pkt` as if received on `ifindex`. */
void fx_run(const void *pkt, size_t len, int ifindex, struct xdp_result *res);

/* A counter summed over every CPU; the sum of all verdict counters. */
uint64_t fx_stat(uint32_t id);
uint64_t fx_verdict_total(void);

void fx_config_write(const struct rh_config *cfg);
struct rh_config fx_config_default(void);
void fx_shard_write(uint32_t id, const char *master, uint8_t state,
		    uint32_t generation);
struct rh_shard fx_shard_read(uint32_t id);

/* Whether rh_flows holds `key`; its value in *out when it does. */
bool fx_flow_lookup(const struct rh_flow_key *key, struct rh_flow *out);
size_t fx_flow_count(void);

/* The skeleton's maps as the controller's code sees them (no pins). */
struct datapath fx_datapath(void);

/* CLOCK_MONOTONIC ns, the clock of heartbeats and flow timestamps. */
uint64_t fx_now_ns(void);

/* A TCP packet from the client (port sport) to VIP:dport. */
struct pkt_spec fx_client_spec(uint16_t sport, uint16_t dport, uint8_t flags);
/* The reply of a flow's master, addressed to the SNAT binding `bind`. */
struct pkt_spec fx_master_spec(const struct rh_flow_key *bind, uint8_t flags);
size_t fx_build(uint8_t *buf, const struct pkt_spec *spec);

/* The SNAT binding {master -> snat:port} a forward packet was rewritten to. */
struct rh_flow_key fx_binding_of(const struct pkt_view *forwarded);

/* Two VLAN tags, an 802.1ad service tag over an 802.1Q one (QinQ). */
void fx_qinq(struct pkt_spec *spec);

/* The counters every run must move: rx, the verdict total, its reason. */
struct fx_counts {
	uint64_t rx, verdicts, reason;
};

struct fx_counts fx_counts_read(uint32_t reason);

/* cmocka names the line and both values; the label names case and field.
 * For files that include cmocka.h before this header. */
#define FX_EXPECT_EQ(what, field, got, want)                                  \
	do {                                                                  \
		uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);    \
		if (got_ != want_)                                            \
			print_error("%s: %s\n", (what), (field));             \
		assert_int_equal(got_, want_);                                \
	} while (0)

#define FX_EXPECT_MEM(what, field, got, want, len)                            \
	do {                                                                  \
		if (memcmp((got), (want), (len)))                             \
			print_error("%s: %s\n", (what), (field));             \
		assert_memory_equal((got), (want), (len));                    \
	} while (0)

#endif /* REDISHA_TEST_XDP_FIXTURE_H */
