/*
 * Unit tests for netlink.c (VIP addresses) and garp.c (gratuitous ARP)
 * against the real kernel, in a network namespace of the test's own so
 * nothing touches the host: lo, plus a veth pair whose ends have fixed
 * MACs. `ip` is the reference for what an address should look like.
 * One behaviour per test; addresses come from 198.18.0.0/15.
 */
#define _GNU_SOURCE /* unshare */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "garp.h"
#include "netlink.h"

#define TX_IF "rhg0"
#define RX_IF "rhg1"
#define TX_MAC "02:00:00:00:00:01"
#define RX_MAC "02:00:00:00:00:02"
#define VIP "198.18.0.100"
/* A fresh namespace has lo and our veth pair: index 999999 is free. */
#define BAD_IFINDEX 999999
/* How long the veth ends may take to be up, and a GARP to arrive. */
#define LINK_WAIT_MS 2000
#define RX_TIMEOUT_MS 2000
/* Frames the receiver reads before deciding the GARP is not coming. */
#define RX_MAX_FRAMES 32

static int lo_ifindex, tx_ifindex, rx_ifindex;
static char err[256];

/* Run a shell command in the test's namespace; fail the test if it fails. */
static void sys(const char *cmd)
{
	int st = system(cmd);

	if (st != 0)
		fail_msg("`%s` exited with status %d", cmd, st);
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void mac_parse(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];

	assert_int_equal(sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2],
				&b[3], &b[4], &b[5]),
			 ETH_ALEN);
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
}

static void hex(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < len && o + 4 <= outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%02x",
				      i ? ":" : "", p[i]);
}

/* Labelled field check: names the field and prints both values. */
static void check_bytes(const char *label, const void *got, const void *want,
			size_t len)
{
	char g[64], w[64];

	if (memcmp(got, want, len) == 0)
		return;
	hex(got, len, g, sizeof(g));
	hex(want, len, w, sizeof(w));
	fail_msg("%s: got %s, want %s", label, g, w);
}

static void check_u16(const char *label, uint16_t got_be, uint16_t want)
{
	if (ntohs(got_be) != want)
		fail_msg("%s: got 0x%04x, want 0x%04x", label, ntohs(got_be),
			 want);
}

static void expect_err_has(const char *needle)
{
	if (!strstr(err, needle))
		fail_msg("error text \"%s\" does not name \"%s\"", err, needle);
}

/*
 * The `ip -4 -o addr show dev IFNAME` line for `addr` (without the
 * lifetimes), or "" when `ip` does not list it.
 */
static void ip_addr_line(const char *ifname, const char *addr, char *line,
			 size_t len)
{
	char cmd[128], buf[512], needle[64];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -4 -o addr show dev %s", ifname);
	snprintf(needle, sizeof(needle), " inet %s/", addr);
	line[0] = '\0';
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f)) {
		char *start = strstr(buf, needle), *end;

		if (!start)
			continue;
		/* -o puts the lifetimes after a backslash on the same line. */
		end = strchr(start, '\\');
		if (end)
			*end = '\0';
		snprintf(line, len, "%s", start + 1);
	}
	assert_int_equal(pclose(f), 0);
}

/* The word after "scope" in an `ip addr` line. */
static void scope_of(const char *line, char *scope, size_t len)
{
	const char *p = strstr(line, " scope ");

	if (!p)
		fail_msg("no scope in \"%s\"", line);
	assert_int_equal(sscanf(p, " scope %31s", scope), 1);
	assert_true(strlen(scope) < len);
}

static void add_ok(int ifindex, const char *addr, uint8_t plen, bool *existed)
{
	int r = nl_addr_add(ifindex, ip(addr), plen, existed, err,
			    sizeof(err));

	if (r)
		fail_msg("nl_addr_add %s/%u: %d %s", addr, plen, r, err);
}

static void del_ok(int ifindex, const char *addr, uint8_t plen)
{
	int r = nl_addr_del(ifindex, ip(addr), plen, err, sizeof(err));

	if (r)
		fail_msg("nl_addr_del %s/%u: %d %s", addr, plen, r, err);
}

static bool iface_running(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up;

	if (fd < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 &&
	     (ifr.ifr_flags & IFF_RUNNING);
	close(fd);
	return up;
}

/*
 * IFF_RUNNING follows the operational state, which linkwatch sets after
 * carrier comes on, in the same pass that swaps the noop qdisc (which
 * drops every frame) for a real one: wait for it before sending.
 */
static int wait_running(const char *name)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

	for (int ms = 0; ms < LINK_WAIT_MS; ms += 10) {
		if (iface_running(name))
			return 0;
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "%s not running after %d ms\n", name, LINK_WAIT_MS);
	return -1;
}

static int group_setup(void **state)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add " TX_IF " address " TX_MAC
		" type veth peer name " RX_IF " address " RX_MAC,
		"ip link set " TX_IF " up",
		"ip link set " RX_IF " up",
	};

	(void)state;
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s (run as root)\n",
			strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		if (system(cmds[i]) != 0) {
			fprintf(stderr, "failed: %s\n", cmds[i]);
			return -1;
		}
	}
	lo_ifindex = (int)if_nametoindex("lo");
	tx_ifindex = (int)if_nametoindex(TX_IF);
	rx_ifindex = (int)if_nametoindex(RX_IF);
	if (!lo_ifindex || !tx_ifindex || !rx_ifindex)
		return -1;
	if (wait_running(TX_IF) || wait_running(RX_IF))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	/* The namespace and its veth pair go with the process. */
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	err[0] = '\0';
	return 0;
}

/* Remove whatever a test added, even when it failed half-way; with `ip`,
 * so cleanup does not depend on the code under test. */
static int test_teardown(void **state)
{
	(void)state;
	if (system("ip -4 addr flush dev lo to 198.18.0.0/15") ||
	    system("ip -4 addr flush dev " TX_IF)) {
		fprintf(stderr, "ip addr flush failed\n");
		return -1;
	}
	return 0;
}

/* ---- netlink ------------------------------------------------------------ */

static void test_addr_add_then_exists(void **state)
{
	bool existed = true;

	(void)state;
	add_ok(lo_ifindex, VIP, 32, &existed);
	assert_false(existed);
	assert_int_equal(nl_addr_exists(lo_ifindex, ip(VIP)), 1);
}

static void test_addr_add_looks_like_iproute2(void **state)
{
	char ours[256], theirs[256], scope_ours[32], scope_theirs[32];

	(void)state;
	add_ok(lo_ifindex, VIP, 32, NULL);
	/* The reference: the same kind of address added by `ip` itself. */
	sys("ip addr add 198.18.0.101/32 dev lo");
	ip_addr_line("lo", VIP, ours, sizeof(ours));
	ip_addr_line("lo", "198.18.0.101", theirs, sizeof(theirs));
	if (!*ours)
		fail_msg("`ip addr show dev lo` does not list " VIP);
	scope_of(ours, scope_ours, sizeof(scope_ours));
	scope_of(theirs, scope_theirs, sizeof(scope_theirs));
	assert_string_equal(scope_ours, scope_theirs);
	/* iproute2 uses host scope only for 127.0.0.0/8 (default_scope). */
	assert_string_equal(scope_ours, "global");
	assert_string_equal(ours, "inet " VIP "/32 scope global lo");
}

static void test_addr_add_again_reports_existed(void **state)
{
	bool existed = false;

	(void)state;
	add_ok(lo_ifindex, VIP, 32, NULL);
	add_ok(lo_ifindex, VIP, 32, &existed);
	assert_true(existed);
	assert_int_equal(nl_addr_exists(lo_ifindex, ip(VIP)), 1);
}

static void test_addr_del_removes(void **state)
{
	char line[256];

	(void)state;
	add_ok(lo_ifindex, VIP, 32, NULL);
	del_ok(lo_ifindex, VIP, 32);
	assert_int_equal(nl_addr_exists(lo_ifindex, ip(VIP)), 0);
	ip_addr_line("lo", VIP, line, sizeof(line));
	assert_string_equal(line, "");
}

static void test_addr_del_missing_is_ok(void **state)
{
	(void)state;
	del_ok(lo_ifindex, VIP, 32);
	del_ok(lo_ifindex, VIP, 32);
}

static void test_addr_prefix24_on_veth(void **state)
{
	char line[256];

	(void)state;
	add_ok(tx_ifindex, "198.18.1.1", 24, NULL);
	ip_addr_line(TX_IF, "198.18.1.1", line, sizeof(line));
	/* iproute2 prints "brd" only when one was asked for; we ask none. */
	assert_string_equal(line, "inet 198.18.1.1/24 scope global " TX_IF);
	del_ok(tx_ifindex, "198.18.1.1", 24);
	assert_int_equal(nl_addr_exists(tx_ifindex, ip("198.18.1.1")), 0);
}

static void test_addr_exists_is_per_interface(void **state)
{
	(void)state;
	add_ok(lo_ifindex, VIP, 32, NULL);
	assert_int_equal(nl_addr_exists(tx_ifindex, ip(VIP)), 0);
}

static void test_addr_add_bad_prefixlen(void **state)
{
	(void)state;
	assert_int_equal(nl_addr_add(lo_ifindex, ip(VIP), 33, NULL, err,
				     sizeof(err)),
			 -EINVAL);
	expect_err_has("RTM_NEWADDR " VIP "/33 on lo (ifindex");
}

/* The kernel would ack it and add nothing. */
static void test_addr_add_zero_refused(void **state)
{
	(void)state;
	assert_int_equal(nl_addr_add(lo_ifindex, 0, 32, NULL, err,
				     sizeof(err)),
			 -EINVAL);
	expect_err_has("RTM_NEWADDR 0.0.0.0/32 on lo (ifindex");
}

static void test_addr_add_bad_ifindex(void **state)
{
	(void)state;
	assert_int_equal(nl_addr_add(BAD_IFINDEX, ip(VIP), 32, NULL, err,
				     sizeof(err)),
			 -ENODEV);
	expect_err_has("RTM_NEWADDR " VIP "/32 on ifindex 999999: ");
	expect_err_has(strerror(ENODEV));
}

static void test_addr_del_bad_ifindex(void **state)
{
	(void)state;
	assert_int_equal(nl_addr_del(BAD_IFINDEX, ip(VIP), 32, err,
				     sizeof(err)),
			 -ENODEV);
	expect_err_has("RTM_DELADDR " VIP "/32 on ifindex 999999: ");
	expect_err_has(strerror(ENODEV));
}

static void test_addr_exists_bad_ifindex(void **state)
{
	(void)state;
	assert_int_equal(nl_addr_exists(BAD_IFINDEX, ip(VIP)), -ENODEV);
}

/* ---- garp --------------------------------------------------------------- */

static void test_iface_mac_reads_veth(void **state)
{
	uint8_t got[ETH_ALEN], want[ETH_ALEN];

	(void)state;
	mac_parse(TX_MAC, want);
	if (garp_iface_mac(tx_ifindex, got, err, sizeof(err)))
		fail_msg("garp_iface_mac: %s", err);
	check_bytes("mac of " TX_IF, got, want, ETH_ALEN);
}

static void test_iface_mac_rejects_loopback(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	assert_int_equal(garp_iface_mac(lo_ifindex, mac, err, sizeof(err)),
			 -EAFNOSUPPORT);
	expect_err_has("SIOCGIFHWADDR lo (ifindex");
	expect_err_has("not Ethernet");
}

static void test_iface_mac_bad_ifindex(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	assert_int_equal(garp_iface_mac(BAD_IFINDEX, mac, err, sizeof(err)),
			 -ENXIO);
	expect_err_has("if_indextoname ifindex 999999: ");
}

/* A socket that receives the ARP frames arriving on `ifindex`. */
static int open_arp_rx(int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ARP),
				   .sll_ifindex = ifindex };
	struct timeval tv = { .tv_sec = RX_TIMEOUT_MS / 1000,
			      .tv_usec = RX_TIMEOUT_MS % 1000 * 1000 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));

	if (fd < 0)
		fail_msg("socket(AF_PACKET): %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		close(fd);
		fail_msg("bind/SO_RCVTIMEO on " RX_IF ": %s", strerror(errno));
	}
	return fd;
}

/*
 * Read frames until an ARP whose target is `tpa` arrives; its length, or
 * -1 (after RX_MAX_FRAMES others or a timeout).
 */
static ssize_t recv_arp_for(int fd, uint32_t tpa, uint8_t *frame, size_t len)
{
	struct ether_arp arp;
	ssize_t n;

	for (int i = 0; i < RX_MAX_FRAMES; i++) {
		n = recv(fd, frame, len, 0);
		if (n < 0)
			return -1;
		if ((size_t)n < sizeof(struct ether_header) + sizeof(arp))
			continue;
		memcpy(&arp, frame + sizeof(struct ether_header), sizeof(arp));
		if (!memcmp(arp.arp_tpa, &tpa, sizeof(tpa)))
			return n;
	}
	return -1;
}

static void test_garp_send_announces_vip(void **state)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff };
	static const uint8_t zero[ETH_ALEN];
	uint8_t mac[ETH_ALEN], frame[128];
	uint32_t vip = ip(VIP);
	struct ether_header eth;
	struct ether_arp arp;
	ssize_t n;
	int fd;

	(void)state;
	mac_parse(TX_MAC, mac);
	fd = open_arp_rx(rx_ifindex);
	if (garp_send(tx_ifindex, mac, vip, err, sizeof(err))) {
		close(fd);
		fail_msg("garp_send: %s", err);
	}
	n = recv_arp_for(fd, vip, frame, sizeof(frame));
	close(fd);
	if (n < 0)
		fail_msg("no ARP for " VIP " on " RX_IF " within %d ms",
			 RX_TIMEOUT_MS);
	/* veth does not pad: the frame is exactly what garp_send wrote. */
	assert_int_equal(n, sizeof(eth) + sizeof(arp));
	memcpy(&eth, frame, sizeof(eth));
	memcpy(&arp, frame + sizeof(eth), sizeof(arp));
	check_bytes("eth dst", eth.ether_dhost, bcast, ETH_ALEN);
	check_bytes("eth src", eth.ether_shost, mac, ETH_ALEN);
	check_u16("eth type", eth.ether_type, ETHERTYPE_ARP);
	check_u16("arp hrd", arp.arp_hrd, ARPHRD_ETHER);
	check_u16("arp pro", arp.arp_pro, ETHERTYPE_IP);
	assert_int_equal(arp.arp_hln, ETH_ALEN);
	assert_int_equal(arp.arp_pln, sizeof(vip));
	/* RFC 5227 announcement, request form as keepalived sends it. */
	check_u16("arp op", arp.arp_op, ARPOP_REQUEST);
	check_bytes("arp sha", arp.arp_sha, mac, ETH_ALEN);
	check_bytes("arp spa", arp.arp_spa, &vip, sizeof(vip));
	check_bytes("arp tha", arp.arp_tha, zero, ETH_ALEN);
	check_bytes("arp tpa", arp.arp_tpa, &vip, sizeof(vip));
}

static void test_garp_send_bad_ifindex(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	mac_parse(TX_MAC, mac);
	assert_int_equal(garp_send(BAD_IFINDEX, mac, ip(VIP), err,
				   sizeof(err)),
			 -ENODEV);
	expect_err_has("gratuitous ARP on ifindex 999999: bind(AF_PACKET): ");
}

static void test_garp_send_iface_down(void **state)
{
	uint8_t mac[ETH_ALEN];
	int r;

	(void)state;
	mac_parse(TX_MAC, mac);
	sys("ip link set " TX_IF " down");
	r = garp_send(tx_ifindex, mac, ip(VIP), err, sizeof(err));
	sys("ip link set " TX_IF " up");
	assert_int_equal(wait_running(TX_IF), 0);
	assert_int_equal(wait_running(RX_IF), 0);
	assert_int_equal(r, -ENETDOWN);
	expect_err_has("gratuitous ARP on " TX_IF " (ifindex");
	expect_err_has("sendto: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_setup, test_teardown)
		T(test_addr_add_then_exists),
		T(test_addr_add_looks_like_iproute2),
		T(test_addr_add_again_reports_existed),
		T(test_addr_del_removes),
		T(test_addr_del_missing_is_ok),
		T(test_addr_prefix24_on_veth),
		T(test_addr_exists_is_per_interface),
		T(test_addr_add_bad_prefixlen),
		T(test_addr_add_zero_refused),
		T(test_addr_add_bad_ifindex),
		T(test_addr_del_bad_ifindex),
		T(test_addr_exists_bad_ifindex),
		T(test_iface_mac_reads_veth),
		T(test_iface_mac_rejects_loopback),
		T(test_iface_mac_bad_ifindex),
		T(test_garp_send_announces_vip),
		T(test_garp_send_bad_ifindex),
		T(test_garp_send_iface_down),
#undef T
	};

	return cmocka_run_group_tests_name("netlink_garp", tests, group_setup,
					   group_teardown);
}
