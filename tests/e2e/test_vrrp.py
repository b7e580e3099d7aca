"""Two gateways elect the VIP's owner with VRRPv3 (issue 7, DESIGN.md §5): redishad in rh-gw1
(tests/lab/redisha.conf, priority 150) and in rh-gw2 (tests/lab/redisha-gw2.conf, priority 100),
VRID 51, an advertisement every 100 ms, and redisha-proxy on each. The tests start both, kill or
stop one, and read the daemons' logs, the datapath's active flag (redisha-ctl status), rh-client's
neighbour table and SETs from rh-client through VIP:7001 and VIP:6379."""

import json
import re
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from gateway import CONFIG, CONFIG2, GATEWAY, GATEWAY2, RedishaProxy, ctl, wait_until_serving
from keepalived import Keepalived
from lab import FRONT_ADDR, VIP, wait_for
from vrrp import (INSTANCES, answers_for_vip, front_mac, master_down_ms, restart_pair,
                  skew_ms, start_pair, state, transitions, vrrp_status, wait_master,
                  wait_states)

VRRP_SEND = Path(__file__).resolve().parent / "vrrp_send.py"

ADVERT_MS = 100
# Master_Down_Interval (RFC 5798 §6.1) and Skew_Time of each gateway.
MASTER_DOWN_MS = {GATEWAY: master_down_ms(ADVERT_MS, 150), GATEWAY2: master_down_ms(ADVERT_MS, 100)}
SKEW_MS = {GATEWAY: skew_ms(ADVERT_MS, 150), GATEWAY2: skew_ms(ADVERT_MS, 100)}
# The issue's allowance past the interval: scheduling, and the log line written after the takeover.
MARGIN_MS = 100


def active(gateway):
    """The datapath's active flag in `gateway` (it answers ARP for the VIP while set); False
    when its redishad stopped with --cleanup and took the maps along."""
    out = ctl("status", "--json", gateway=gateway, instance=INSTANCES[gateway])
    return out.returncode == 0 and json.loads(out.stdout)["active"]


def client_neighbour(lab):
    """The MAC rh-client holds for the VIP, or None."""
    entries = json.loads(lab.ns_exec("rh-client", "ip", "-j", "neigh", "show", VIP).stdout)
    return entries[0].get("lladdr") if entries else None


# The two paths through the VIP: a shard port (the datapath) and the proxy port (redisha-proxy,
# one on each gateway).
PATHS = (7001, 6379)


def set_ok(lab, port=7001):
    """One SET from rh-client through VIP:port."""
    return lab.redis_cli("rh-client", VIP, port, "SET", "vrrp", "x", check=False, timeout=1) == "OK"


def wait_owner(lab, owner, other, timeout=5):
    """The datapath flags say `owner` alone is active, and rh-client's entry for the VIP is its MAC."""
    wait_for(f"{owner} alone active",
             lambda: [] if (active(owner), active(other)) == (True, False) else ["not yet"], timeout)
    mac = front_mac(lab, owner)
    wait_for(f"rh-client's neighbour entry for the VIP at {owner}'s {mac}",
             lambda: [] if client_neighbour(lab) == mac else [str(client_neighbour(lab))], timeout)


def rh_gw2_takes_over(gw2, report, label):
    """rh-gw2 becomes MASTER for want of adverts, within its Master_Down_Interval of the last
    one it accepted (measured by rh-gw2: the issue's measure); its transition."""
    wait_master(gw2)
    took = transitions(gw2)[-1]
    assert took[3] == "no advertisement within Master_Down_Interval", took
    assert took[5] is not None and took[5] <= MASTER_DOWN_MS[GATEWAY2] + MARGIN_MS, took
    report(f"{label}last advert -> rh-gw2 MASTER (its log)", took[5], "ms")
    return took


def first_sets_after(lab, start, report, label, timeout=10):
    """A loop of SETs from rh-client through VIP:7001 and VIP:6379 until each has succeeded once;
    reports, and returns, the seconds from `start` (time.monotonic) to each one's first success."""
    deadline, resumed = start + timeout, {}
    while time.monotonic() < deadline and len(resumed) < len(PATHS):
        for port in PATHS:
            if port not in resumed and set_ok(lab, port):
                resumed[port] = time.monotonic() - start
        time.sleep(0.01)
    missing = [port for port in PATHS if port not in resumed]
    assert not missing, f"no SET through {VIP}:{missing} within {timeout} s"
    for port, seconds in resumed.items():
        report(f"{label} -> first SET through VIP:{port}", seconds, "s")
    return resumed


def sets_work(lab, timeout=5):
    wait_for("SETs through both paths",
             lambda: [f"VIP:{port}" for port in PATHS if not set_ok(lab, port)], timeout)


METRICS = "127.0.0.1:9860"  # rh-gw1's, in its namespace
FETCH = ("import sys, urllib.request; "
         "print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())")


def vrrp_drops(lab):
    """rh-gw1's redisha_vrrp_dropped_total by reason."""
    body = lab.ns_exec(GATEWAY, sys.executable, "-c", FETCH, f"http://{METRICS}/metrics").stdout
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r'^redisha_vrrp_dropped_total\{reason="(\w+)"\} (\d+)$', body, re.M)}


@pytest.fixture(scope="module")
def pair(lab, tmp_path_factory):
    config = tmp_path_factory.mktemp("vrrp") / "redisha.conf"
    config.write_text(CONFIG.read_text() + f"metrics {METRICS}\n")  # for the drop counters
    gw1, gw2 = start_pair(lab, config, CONFIG2)
    started = [gw1, gw2]
    try:
        # redisha-proxy on both gateways, for VIP:6379 (each reads its own redishad's maps).
        started.append(RedishaProxy(lab, config=config))
        started.append(RedishaProxy(lab, config=CONFIG2, gateway=GATEWAY2,
                                    name="redisha-proxy-rh-gw2"))
        wait_until_serving(lab)
        sets_work(lab)
        yield gw1, gw2
    finally:
        for program in reversed(started):
            program.stop()


def test_one_master_and_sets_through_it(pair, lab, report):
    gw1, gw2 = pair
    wait_owner(lab, GATEWAY, GATEWAY2)
    # rh-gw1 alone at first: it took over after its Master_Down_Interval without any advert.
    first = transitions(gw1)[-1]
    assert first[1:4] == ("BACKUP", "MASTER", "no advertisement within Master_Down_Interval")
    assert MASTER_DOWN_MS[GATEWAY] <= first[4] <= MASTER_DOWN_MS[GATEWAY] + MARGIN_MS, first
    assert not [t for t in transitions(gw2) if t[2] == "MASTER"]
    assert all(set_ok(lab, port) for port in PATHS)
    # redisha-ctl status: the election as each redishad publishes it (every second).
    want = {GATEWAY: {"state": "MASTER", "priority": 150, "master": "198.18.0.2"},
            GATEWAY2: {"state": "BACKUP", "priority": 100, "master": "198.18.0.2"}}
    wait_for("redisha-ctl status to show the election",
             lambda: [f"{gw}: {vrrp_status(gw)}" for gw in want if vrrp_status(gw) != want[gw]], 3)
    # No split brain: one active flag at every sample over 30 s, and rh-client's entry for the
    # VIP at rh-gw1 all along.
    mac, samples, end = front_mac(lab, GATEWAY), 0, time.monotonic() + 30
    while time.monotonic() < end:
        assert (active(GATEWAY), active(GATEWAY2)) == (True, False)
        assert client_neighbour(lab) == mac
        assert (state(gw1), state(gw2)) == ("MASTER", "BACKUP")
        samples += 1
        time.sleep(0.05)
    report("samples of one active gateway over 30 s", samples, "")


def send_advert(lab, vrid, priority, flaw):
    lab.ns_exec("rh-client", sys.executable, str(VRRP_SEND), FRONT_ADDR["rh-client"], "eth0",
                str(vrid), str(priority), VIP, flaw)


def test_malformed_adverts_change_nothing(pair, lab):
    """rh-client sends adverts of priority 254 for VRID 51, each broken in one way, and one for
    another VRID: no gateway changes state. The same advert well formed makes rh-gw1 step down
    (the control), and with no more of them rh-gw1 takes the VIP back."""
    gw1, gw2 = pair
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    before = (len(transitions(gw1)), len(transitions(gw2)))
    drops = vrrp_drops(lab)
    for flaw in ("checksum", "ttl", "version", "count", "short"):
        send_advert(lab, 51, 254, flaw)
    send_advert(lab, 52, 254, "good")
    time.sleep(0.5)  # past both Master_Down_Intervals: a broken advert taken would show by now
    assert (len(transitions(gw1)), len(transitions(gw2))) == before
    assert (state(gw1), state(gw2)) == ("MASTER", "BACKUP")
    counted = {reason: n - drops[reason] for reason, n in vrrp_drops(lab).items()
               if n != drops[reason]}
    assert counted == {"checksum": 1, "ttl": 1, "version": 1, "addr_count": 1, "short": 1,
                       "other_vrid": 1}, counted

    send_advert(lab, 51, 254, "good")
    wait_for("rh-gw1 to step down for the well-formed advert",
             lambda: [] if any(t[1:4] == ("MASTER", "BACKUP", "higher priority advertisement")
                               for t in transitions(gw1)[before[0]:]) else ["not yet"], timeout=2)
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    wait_owner(lab, GATEWAY, GATEWAY2)


def test_sigkill_of_the_master_backup_takes_over(pair, lab, report):
    """redishad dies, its datapath stays attached: rh-gw2 stops hearing adverts and takes over
    after its Master_Down_Interval; its gratuitous ARPs move rh-client to its MAC, and rh-gw1's
    dead-man switch stops it claiming the VIP."""
    gw1, gw2 = pair
    wait_owner(lab, GATEWAY, GATEWAY2)
    killed = time.monotonic()
    gw1.stop(signal.SIGKILL)
    rh_gw2_takes_over(gw2, report, "")
    mac = front_mac(lab, GATEWAY2)
    wait_for("rh-client's neighbour entry to move to rh-gw2",
             lambda: [] if client_neighbour(lab) == mac else [str(client_neighbour(lab))], 3)
    first_sets_after(lab, killed, report, "SIGKILL (outage)")
    # rh-gw1's datapath, with nobody refreshing its heartbeat, lets go of the VIP.
    wait_for("rh-gw1's dead-man switch", lambda: [] if not answers_for_vip(lab, GATEWAY) else
             ["rh-gw1 still answers ARP"], timeout=3)


def test_restarted_higher_priority_gateway_preempts(pair, lab, report):
    gw1, gw2 = pair
    if gw1.proc.poll() is None:
        pytest.skip("needs rh-gw1's redishad killed by the previous test")
    gw1.start("--cleanup")
    started = time.monotonic()
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    report("restart of rh-gw1 -> MASTER again (seen in logs)", time.monotonic() - started, "s")
    assert transitions(gw1)[-1][3] == "preempting a lower priority master"
    assert transitions(gw2)[-1][3] == "higher priority advertisement"
    wait_owner(lab, GATEWAY, GATEWAY2)
    sets_work(lab)


def test_sigterm_of_the_master_hands_over_after_skew(pair, lab, report):
    """A clean stop sends priority 0: rh-gw2 takes over after its Skew_Time, not the whole
    Master_Down_Interval."""
    gw1, gw2 = pair
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    stopped = time.monotonic()
    assert gw1.stop() == 0
    wait_master(gw2)
    left = [t for t in transitions(gw1) if t[1] == "MASTER"][-1]
    took = transitions(gw2)[-1]
    assert left[2:4] == ("INIT", "shutdown"), left
    assert took[3] == "the master resigned (priority 0)", took
    handover_ms = (took[0] - left[0]).total_seconds() * 1000
    report("rh-gw1 shutdown -> rh-gw2 MASTER (log timestamps)", handover_ms, "ms")
    assert handover_ms <= SKEW_MS[GATEWAY2] + MARGIN_MS
    wait_owner(lab, GATEWAY2, GATEWAY)
    first_sets_after(lab, stopped, report, "SIGTERM")
    # Back as at the start, for whatever runs next.
    gw1.start("--cleanup")
    wait_states(gw1, gw2, "MASTER", "BACKUP")


def test_host_death_links_down_backup_takes_over(pair, lab, report):
    """rh-gw1's links go down, as when its host dies (its redishad still runs, alone): rh-gw2
    takes over after its Master_Down_Interval, rh-client moves to its MAC and the SETs resume.
    With the links back, rh-gw2 hears the higher priority and steps down, and rh-gw1, which
    stayed MASTER alone, hears rh-gw2's adverts and announces the VIP again: rh-client returns."""
    gw1, gw2 = pair
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    wait_owner(lab, GATEWAY, GATEWAY2)
    down = time.monotonic()
    try:
        for ifname in ("front0", "back0"):
            lab.ns_exec(GATEWAY, "ip", "link", "set", ifname, "down")
        rh_gw2_takes_over(gw2, report, "links down: ")
        mac = front_mac(lab, GATEWAY2)
        wait_for("rh-client's neighbour entry to move to rh-gw2",
                 lambda: [] if client_neighbour(lab) == mac else [str(client_neighbour(lab))], 3)
        first_sets_after(lab, down, report, "links down (outage)")
    finally:
        for ifname in ("front0", "back0"):
            lab.ns_exec(GATEWAY, "ip", "link", "set", ifname, "up")
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    assert transitions(gw2)[-1][3] == "higher priority advertisement"
    wait_owner(lab, GATEWAY, GATEWAY2)
    sets_work(lab)
    wait_until_serving(lab)


@contextmanager
def vrrp_dropped(lab, gateway, hook, tmp_path):
    """nftables in `gateway` drops IP protocol 112 (VRRP) on `hook` (input: the gateway hears no
    adverts; output: none of its own go out), until the block ends."""
    rules = tmp_path / f"vrrp-{gateway}-{hook}.nft"
    rules.write_text(f"table ip rh_vrrp_block {{\n  chain {hook} {{\n"
                     f"    type filter hook {hook} priority 0; policy accept;\n"
                     f"    ip protocol vrrp counter drop\n  }}\n}}\n")
    lab.ns_exec(gateway, "nft", "-f", str(rules))
    try:
        yield
        # The rule did drop: otherwise the test proved nothing.
        counted = lab.ns_exec(gateway, "nft", "list", "table", "ip", "rh_vrrp_block").stdout
        assert not re.search(r"counter packets 0 ", counted), counted
    finally:
        lab.ns_exec(gateway, "nft", "delete", "table", "ip", "rh_vrrp_block", check=False)


def test_rh_gw2_deaf_both_master_then_converge(pair, lab, tmp_path, report):
    """rh-gw2 hears no adverts: as RFC 5798 §6.4.2 says it becomes MASTER after its
    Master_Down_Interval, while rh-gw1 stays MASTER and discards its lower priority adverts
    (§6.4.3). Both claim the VIP; rh-gw1, hearing another master, advertises and announces the
    VIP again, so rh-client stays with it. Unblocked, rh-gw2 hears rh-gw1 and steps down."""
    gw1, gw2 = pair
    wait_owner(lab, GATEWAY, GATEWAY2)
    gw1_before = len(transitions(gw1))
    with vrrp_dropped(lab, GATEWAY2, "input", tmp_path):
        rh_gw2_takes_over(gw2, report, "rh-gw2 deaf: ")
        wait_for("both gateways active", lambda: [] if (active(GATEWAY), active(GATEWAY2)) ==
                 (True, True) else ["not yet"], 3)
        wait_for("rh-gw1 to announce the VIP again",
                 lambda: [] if f"{FRONT_ADDR[GATEWAY2]} claims MASTER at priority 100, ours is 150"
                 in gw1.run_log() else ["not yet"], 3)
        wait_for("rh-client's neighbour entry back at rh-gw1",
                 lambda: [] if client_neighbour(lab) == front_mac(lab, GATEWAY) else
                 [str(client_neighbour(lab))], 3)
        time.sleep(1)
        assert len(transitions(gw1)) == gw1_before  # rh-gw1 MASTER throughout
        assert state(gw2) == "MASTER"
        assert all(set_ok(lab, port) for port in PATHS)
    healed = time.monotonic()
    wait_states(gw1, gw2, "MASTER", "BACKUP")
    assert transitions(gw2)[-1][3] == "higher priority advertisement"
    report("unblocked -> one master (rh-gw2 BACKUP)", time.monotonic() - healed, "s")
    wait_owner(lab, GATEWAY, GATEWAY2)
    assert len(transitions(gw1)) == gw1_before


@pytest.fixture
def tracking(pair, lab, tmp_path):
    """rh-gw1 restarted with `vrrp-track-sentinel 60` (priority 150 -> 90, below rh-gw2's 100)
    and MASTER again; afterwards back on the pair's config."""
    gw1, gw2 = pair
    plain = gw1.config
    tracked = tmp_path / "tracked.conf"
    tracked.write_text(plain.read_text() + "vrrp-track-sentinel 60\n")
    restart_pair(gw1, gw2, tracked)
    wait_owner(lab, GATEWAY, GATEWAY2)
    try:
        yield gw1, gw2
    finally:
        restart_pair(gw1, gw2, plain)


def yields_to_rh_gw2(lab, gw1, gw2, why):
    """rh-gw1 lowers its priority to 90 for `why`; rh-gw2 (100), no longer accepting its adverts,
    takes over and rh-gw1 steps down; the VIP moves."""
    wait_for(f"rh-gw1 to log its lower priority ({why})",
             lambda: [] if f"vrrp: priority 150 -> 90: {why}" in gw1.run_log() else ["not yet"], 3)
    wait_states(gw1, gw2, "BACKUP", "MASTER")
    assert transitions(gw2)[-1][3] == "preempting a lower priority master"
    assert transitions(gw1)[-1][3] == "higher priority advertisement"
    wait_for("rh-gw1's status to show priority 90",
             lambda: [] if vrrp_status(GATEWAY)["priority"] == 90 else ["not yet"], 3)
    wait_owner(lab, GATEWAY2, GATEWAY)
    sets_work(lab)


def test_track_sentinel_no_sentinel_reachable(tracking, lab):
    """All three Sentinels die: rh-gw1 (vrrp-track-sentinel 60) advertises 90 and rh-gw2 takes
    the VIP; the Sentinels back, rh-gw1 returns to 150 and preempts."""
    gw1, gw2 = tracking
    sentinels = ("rh-sen1", "rh-sen2", "rh-sen3")
    try:
        for sentinel in sentinels:
            lab.kill_redis(sentinel)
        yields_to_rh_gw2(lab, gw1, gw2, "no Sentinel reachable")
    finally:
        for sentinel in sentinels:
            lab.restart_redis(sentinel)
    wait_states(gw1, gw2, "MASTER", "BACKUP", timeout=10)  # Sentinel reconnect backoff: <= 5 s
    assert "Sentinels reachable and the datapath attached again" in gw1.run_log()
    assert transitions(gw1)[-1][3] == "preempting a lower priority master"
    wait_owner(lab, GATEWAY, GATEWAY2)


def test_track_sentinel_datapath_detached(tracking, lab):
    """Someone detaches rh-gw1's XDP program from back0: rh-gw1 can no longer forward, advertises
    90 and rh-gw2 takes the VIP."""
    gw1, gw2 = tracking
    for mode in ("xdpdrv", "xdpgeneric"):
        lab.ns_exec(GATEWAY, "ip", "link", "set", "dev", "back0", mode, "off")
    yields_to_rh_gw2(lab, gw1, gw2, "the datapath is not attached to back0")


def test_unicast_peers(pair, lab, tmp_path, report):
    """vrrp-peer: the same election with unicast adverts to the other gateway's address."""
    gw1, gw2 = pair
    plain = {GATEWAY: gw1.config, GATEWAY2: gw2.config}
    peers = {GATEWAY: FRONT_ADDR[GATEWAY2], GATEWAY2: FRONT_ADDR[GATEWAY]}
    configs = {}
    for gateway, peer in peers.items():
        configs[gateway] = tmp_path / f"{gateway}.conf"
        configs[gateway].write_text(plain[gateway].read_text() + f"vrrp-peer {peer}\n")
    restart_pair(gw1, gw2, configs[GATEWAY], configs[GATEWAY2])
    try:
        assert "advertisements every 100 ms to the vrrp-peers" in gw2.run_log()
        wait_owner(lab, GATEWAY, GATEWAY2)
        # The backup follows the master's unicast adverts: it stays BACKUP over 1 s.
        time.sleep(1)
        assert (state(gw1), state(gw2)) == ("MASTER", "BACKUP")
        killed = time.monotonic()
        gw1.stop(signal.SIGKILL)
        rh_gw2_takes_over(gw2, report, "unicast: ")
        first_sets_after(lab, killed, report, "unicast: SIGKILL")
    finally:
        restart_pair(gw1, gw2, plain[GATEWAY], plain[GATEWAY2])


# What keepalived logs about a VRRP packet it finds broken (vrrp.c of keepalived 2.2: bad TTL,
# version, length or checksum) or unlike its own configuration ("received an unexpected ip
# number count 2, expected 1!", "advertisement interval updated from 100ms to 200ms by master":
# both seen here with redishad misconfigured on purpose). Discarding a lower priority advert
# while preempting is normal and not matched.
KEEPALIVED_COMPLAINTS = re.compile(
    r"(?i)invalid|mismatch|unexpected|not present|checksum|wrong|too short|malformed|bad |"
    r"error|interval updated")


@pytest.fixture
def keepalived_in_gw2(pair, lab):
    """rh-gw2 runs keepalived (vrrp_version 3, VRID 51) instead of redishad; the caller sets
    its priority. Afterwards rh-gw2's redishad is back."""
    gw1, gw2 = pair
    assert gw2.stop() == 0
    started = []

    def start(priority):
        started.append(Keepalived(lab, GATEWAY2, priority, ADVERT_MS))
        return started[-1]

    try:
        yield start
    finally:
        for keepalived in started:
            if keepalived.proc.poll() is None:
                keepalived.stop()
            keepalived.remove_vip()
        restart_pair(gw1, gw2)


def test_keepalived_interop(pair, lab, keepalived_in_gw2, report):
    """keepalived in rh-gw2 and redishad in rh-gw1, one VRID: the higher priority is MASTER
    whichever daemon has it, each takes over when the other dies, and neither complains about
    the other's packets (keepalived's log; redishad's drop counters)."""
    gw1, _ = pair
    drops = vrrp_drops(lab)
    # redishad 150 over keepalived 100.
    keepalived = keepalived_in_gw2(100)
    keepalived.wait_state("BACKUP")
    time.sleep(1)  # ten adverts of redishad's: keepalived must stay BACKUP
    assert (state(gw1), keepalived.state()) == ("MASTER", "BACKUP")
    wait_owner(lab, GATEWAY, GATEWAY2)
    # redishad dies: keepalived takes over, its gratuitous ARPs move rh-client.
    killed = time.monotonic()
    gw1.stop(signal.SIGKILL)
    keepalived.wait_state("MASTER")
    report("redishad SIGKILL -> keepalived MASTER", time.monotonic() - killed, "s")
    mac = front_mac(lab, GATEWAY2)
    wait_for("rh-client's neighbour entry to move to rh-gw2",
             lambda: [] if client_neighbour(lab) == mac else [str(client_neighbour(lab))], 3)
    # redishad back: it preempts keepalived.
    gw1.start("--cleanup")
    wait_master(gw1)
    assert transitions(gw1)[-1][3] == "preempting a lower priority master"
    keepalived.wait_state("BACKUP")
    wait_owner(lab, GATEWAY, GATEWAY2)
    keepalived.stop()

    # keepalived 200 over redishad 150.
    keepalived = keepalived_in_gw2(200)
    keepalived.wait_state("MASTER")
    wait_for("rh-gw1 to step down", lambda: [] if state(gw1) == "BACKUP" else [state(gw1)], 3)
    assert transitions(gw1)[-1][3] == "higher priority advertisement"
    wait_for("rh-gw1's status to name keepalived's gateway the master",
             lambda: [] if vrrp_status(GATEWAY)["master"] == FRONT_ADDR[GATEWAY2] else
             [vrrp_status(GATEWAY)["master"]], 3)  # published every second
    time.sleep(1)
    assert (state(gw1), keepalived.state()) == ("BACKUP", "MASTER")
    # keepalived dies: redishad takes over after its Master_Down_Interval.
    keepalived.stop(signal.SIGKILL)
    keepalived.remove_vip()  # else rh-gw2's kernel would go on answering ARP for it
    wait_master(gw1)
    took = transitions(gw1)[-1]
    assert took[3] == "no advertisement within Master_Down_Interval", took
    assert took[5] <= MASTER_DOWN_MS[GATEWAY] + MARGIN_MS, took
    report("keepalived SIGKILL: last advert -> redishad MASTER", took[5], "ms")
    wait_owner(lab, GATEWAY, GATEWAY2)
    sets_work(lab)

    complaints = [line for line in keepalived.log().splitlines()
                  if KEEPALIVED_COMPLAINTS.search(line)]
    assert not complaints, complaints
    assert vrrp_drops(lab) == drops
