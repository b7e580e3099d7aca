"""redishad in rh-gw1 follows the lab's Sentinels and keeps the shard ports on the current
masters (issue: redishad and redisha-ctl). It runs with tests/lab/redisha.conf, as an operator
would run it: the test only starts it, kills masters and reads its log."""

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from gateway import (CONFIG, GATEWAY, REDISHAD, SHARD_PORTS, Redishad, ctl, held_connection,
                     wait_until_serving, xdp_programs)
from lab import BACK_ADDR, REDIS_PORT, SHARDS, VIP, wait_for

CLIENT_PY = Path(__file__).resolve().parent / "lab_client.py"
INTERFACES = ("front0", "back0")  # `interface` in CONFIG; xdp-mode native, the default
ATTACHED_LINE = re.compile(r"gateway: (\S+): (native|generic) XDP "
                           r"(via the libxdp dispatcher|as a legacy single program)(.*)")
SWITCH_LINE = re.compile(r"shard (\S+): master (\S+) -> (\S+), generation (\d+) \((.*)\); "
                         r"map written (\d+) ms after it")


@pytest.fixture(scope="module")
def redishad(lab):
    daemon = Redishad(lab, "--cleanup")
    try:
        wait_until_serving(lab)
        yield daemon
    finally:
        daemon.stop()


def test_shard_ports_reach_the_sentinel_masters(redishad, lab):
    for shard, port in SHARD_PORTS.items():
        assert lab.redis_cli("rh-client", VIP, port, "SET", f"via:{shard}", shard) == "OK"
        master = lab.sentinel_master("rh-sen1", shard)
        host = next(h for h in SHARDS[shard] if BACK_ADDR[h] == master)
        assert lab.redis_cli(host, master, REDIS_PORT, "GET", f"via:{shard}") == shard


def test_failover_written_fast_and_open_connection_reset(redishad, lab, report):
    old, new = BACK_ADDR["rh-s2a"], BACK_ADDR["rh-s2b"]
    with held_connection(7002) as connection:
        killed = time.monotonic()
        lab.kill_redis("rh-s2a")
        wait_for("redishad to switch s2",
                 lambda: [] if f"shard s2: master {old}:{REDIS_PORT} -> {new}:{REDIS_PORT}"
                 in redishad.log() else ["no switch logged yet"], timeout=15)
        report("SIGKILL of s2's master -> map written (redishad log seen)", time.monotonic() - killed, "s")
        held = connection.poke()
    # Not hung: the dead master's kernel closed it (FIN), or the gateway reset it.
    assert held["outcome"] in ("reset", "closed"), held

    switch = next(m for m in SWITCH_LINE.finditer(redishad.log())
                  if m.group(1) == "s2" and m.group(2) == f"{old}:{REDIS_PORT}")
    assert switch.group(5).startswith("+switch-master from "), switch.group(0)
    report("+switch-master -> map written", int(switch.group(6)), "ms")
    assert int(switch.group(6)) <= 100

    wait_for("SET through VIP:7002 on the new master",
             lambda: [] if lab.redis_cli("rh-client", VIP, 7002, "SET", "after", "failover",
                                         check=False) == "OK" else ["not yet"], timeout=5)
    assert lab.redis_cli("rh-s2b", new, REDIS_PORT, "GET", "after") == "failover"


def restart(redishad, *flags, config=CONFIG):
    assert redishad.stop() == 0
    redishad.start(*flags, config=config)


def test_restart_with_keep_datapath_loses_no_request(redishad, lab):
    """An operator who restarts redishad runs it with --keep-datapath: on SIGTERM the program
    stays attached, and the new redishad adopts its maps."""
    restart(redishad, "--keep-datapath")
    wait_until_serving(lab)
    bench = subprocess.Popen(
        ["ip", "netns", "exec", "rh-client", "redis-benchmark", "-h", VIP, "-p", "7001", "-c", "20",
         "-P", "16", "-n", "2000000", "-r", "100000", "-t", "set", "--csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1)
        restart(redishad, "--keep-datapath")
        time.sleep(1)
        restart(redishad, "--cleanup")
        out, err = bench.communicate(timeout=120)
    finally:
        if bench.poll() is None:
            bench.kill()
    assert bench.returncode == 0, err
    assert "error" not in (out + err).lower(), err
    assert '"SET"' in out, out
    log = redishad.log()
    assert "stopped, datapath left attached" in log
    assert log.count("kept master") >= 3


def xdp_prog_ids():
    links = subprocess.run(["ip", "-n", GATEWAY, "-j", "link", "show"], capture_output=True,
                           text=True, check=True).stdout
    return {link["ifname"]: link.get("xdp", {}).get("prog", {}).get("id") for link in json.loads(links)}


def start_and_wait(redishad, lab, *flags):
    """Starts redishad and waits until it has attached and VRRP made it active (a datapath left
    attached serves before that)."""
    started = ("datapath attached to", "active: answering ARP for the VIP")  # log lines, in order
    before = [redishad.log().count(line) for line in started]

    def pending():
        log = redishad.log()
        return [line for line, n in zip(started, before) if log.count(line) <= n]
    redishad.start(*flags)
    wait_for("redishad to attach and become active", pending, timeout=10)
    wait_until_serving(lab)


def attachments_logged(redishad):
    """What redishad's last start logged for each interface: {ifname: (mode, form, rest)}."""
    return {m.group(1): m.group(2, 3, 4) for m in ATTACHED_LINE.finditer(redishad.log())}


def redisha_programs():
    """The redisha programs on each configured interface, as xdp_programs() lists them."""
    programs = xdp_programs()
    return {ifname: [p for p in programs[ifname] if p[0] == "redisha_xdp"]
            for ifname in INTERFACES}


def test_attached_once_per_interface_as_logged(redishad):
    """One redisha program on each interface, native as configured, through libxdp's dispatcher
    or alone exactly as redishad's log says (alone on a kernel the dispatcher refuses)."""
    logged, programs = attachments_logged(redishad), redisha_programs()
    for ifname in INTERFACES:
        assert len(programs[ifname]) == 1, programs
        _, mode, _, dispatched = programs[ifname][0]
        assert mode == "native" and logged[ifname][0] == "native", (programs, logged)
        assert (logged[ifname][1] == "via the libxdp dispatcher") == dispatched, (programs, logged)


def test_restart_leaves_only_the_new_program(redishad, lab):
    """A restarted redishad attaches a program of its own and takes the previous one off: one
    redisha program per interface, not the previous one, and the log says one was taken off."""
    restart(redishad, "--keep-datapath")
    wait_until_serving(lab)
    before = redisha_programs()
    assert redishad.stop() == 0
    start_and_wait(redishad, lab, "--keep-datapath")
    after, logged = redisha_programs(), attachments_logged(redishad)
    for ifname in INTERFACES:
        assert len(after[ifname]) == 1, after
        assert after[ifname][0][2] != before[ifname][0][2], (before, after)
        assert logged[ifname][2] in (", 1 earlier redisha program(s) taken off",
                                     ", in place of the earlier redisha one attached that way"), logged
    assert redishad.stop() == 0
    start_and_wait(redishad, lab, "--cleanup")


def test_clean_stop_leaves_the_interfaces_without_xdp(redishad, lab):
    """Stopped without --keep-datapath, redishad takes its program off; as nothing else ran
    there, no XDP program is left on its interfaces."""
    assert redishad.stop() == 0
    try:
        assert redisha_programs() == {ifname: [] for ifname in INTERFACES}
        ids = xdp_prog_ids()
        assert [ids[ifname] for ifname in INTERFACES] == [None, None], ids
    finally:
        start_and_wait(redishad, lab, "--cleanup")


def test_foreign_single_program_left_alone_and_start_refused(redishad, lab, tmp_path):
    """An XDP program attached without libxdp's dispatcher is not redisha's to replace: redishad
    refuses to start, says which program is in the way, and leaves it attached."""
    xdp_pass = lab.xdp_object
    assert redishad.stop() == 0
    ip_front0 = ["ip", "-n", GATEWAY, "link", "set", "dev", "front0"]
    subprocess.run([*ip_front0, "xdpgeneric", "obj", str(xdp_pass), "sec", "xdp"], check=True)
    try:
        redishad.start("--cleanup")
        assert redishad.proc.wait(timeout=15) == 1
        assert "runs XDP program xdp_pass" in redishad.log()
        assert [p[0] for p in xdp_programs()["front0"]] == ["xdp_pass"]
    finally:
        subprocess.run([*ip_front0, "xdpgeneric", "off"], check=True)
        start_and_wait(redishad, lab, "--cleanup")


def test_bad_config_exits_2_and_attaches_nothing(redishad, tmp_path, lab):
    attached = xdp_prog_ids()
    bad = tmp_path / "bad.conf"
    bad.write_text(CONFIG.read_text() + "shard s9 port 99999\n")
    proc = subprocess.run(["nsenter", f"--net=/run/netns/{GATEWAY}", str(REDISHAD), "-c", str(bad),
                           "--foreground"], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2
    lines = len(CONFIG.read_text().splitlines()) + 1
    assert proc.stderr.startswith(f"redishad: {bad}:{lines}: "), proc.stderr
    assert "99999" in proc.stderr
    assert xdp_prog_ids() == attached


def arp_answered(lab):
    """Whether anything answers rh-client's ARP request for the VIP (one try, 1 s)."""
    proc = lab.ns_exec("rh-client", "arping", "-c", "1", "-w", "1", "-i", "eth0", VIP, check=False)
    return proc.returncode == 0


def test_dead_controller_stops_claiming_vip_but_flows_keep_going(redishad, lab, report):
    """The dead-man switch (DESIGN.md §5): a SIGKILLed redishad stops refreshing its heartbeat, so
    within deadman-ms (1 s by default) the datapath stops answering ARP for the VIP, while
    established flows through the shard ports keep forwarding."""
    assert arp_answered(lab)
    with held_connection(7001) as connection:
        killed = time.monotonic()
        redishad.stop(signal.SIGKILL)
        wait_for("the VIP to stop being answered", lambda: ["answered"] if arp_answered(lab) else [],
                 timeout=5)
        report("SIGKILL of redishad -> ARP for the VIP unanswered", time.monotonic() - killed, "s")
        held = connection.poke()
    assert held["outcome"] == "reply '+PONG\\r\\n'", held
    redishad.start("--cleanup")
    wait_for("the VIP to be answered again", lambda: [] if arp_answered(lab) else ["unanswered"],
             timeout=10)
    wait_until_serving(lab)


def test_sentinels_lost_topology_kept(redishad, lab):
    """One Sentinel gone changes nothing; all three gone: the last topology stays in force."""
    for sentinel in ("rh-sen1", "rh-sen2", "rh-sen3"):
        lab.kill_redis(sentinel)
        wait_until_serving(lab)
        assert lab.redis_cli("rh-client", VIP, 7003, "SET", "sentinels", sentinel) == "OK"
    wait_for("redishad to see every Sentinel gone",
             lambda: [] if redishad.log().count("unreachable") >= 3 else ["not yet"], timeout=10)
    assert redishad.proc.poll() is None
    # Nagios WARNING: no Sentinel reachable, the topology still served. Waited for: the state
    # file that check reads is rewritten every second, and may still count one Sentinel up.
    wait_for("redisha-ctl check to warn of 0/3 Sentinels",
             lambda: [] if (check := ctl("check")).returncode == 1 and "0/3" in check.stdout
             else [check.stdout.strip()], timeout=5)
    for sentinel in ("rh-sen1", "rh-sen2", "rh-sen3"):
        lab.restart_redis(sentinel)
    wait_for("redishad to reconnect to the Sentinels",
             lambda: [] if redishad.log().count("connected") >= 6 else ["not yet"], timeout=15)


PROMOTION_LINE = re.compile(r"shard s1: \+switch-master from \S+ confirms the promotion written "
                            r"(\d+) ms before it")


def test_promoted_mode_writes_the_map_before_switch_master(redishad, lab, tmp_path, report):
    """sentinel-follow promoted: redishad polls the replica the failover leader picked and writes
    the map the moment it answers ROLE master, ahead of +switch-master, which then confirms it."""
    promoted = tmp_path / "promoted.conf"
    promoted.write_text(CONFIG.read_text() + "sentinel-follow promoted\n")
    restart(redishad, "--cleanup", config=promoted)
    wait_until_serving(lab)
    old, new = BACK_ADDR["rh-s1a"], BACK_ADDR["rh-s1b"]
    lab.kill_redis("rh-s1a")
    wait_for("the promotion to be confirmed by +switch-master",
             lambda: [] if PROMOTION_LINE.search(redishad.log()) else ["not yet"], timeout=15)
    log = redishad.log()
    switch = next(m for m in SWITCH_LINE.finditer(log)
                  if m.group(1) == "s1" and m.group(2) == f"{old}:{REDIS_PORT}")
    assert switch.group(3) == f"{new}:{REDIS_PORT}"
    assert switch.group(5).startswith("+failover-state-send-slaveof-noone from "), switch.group(0)
    gained = int(PROMOTION_LINE.search(log).group(1))
    report("promoted mode: map written ahead of +switch-master by", gained, "ms")
    assert gained > 0
    assert lab.redis_cli("rh-client", VIP, 7001, "SET", "promoted", "yes") == "OK"
    assert lab.redis_cli("rh-s1b", new, REDIS_PORT, "GET", "promoted") == "yes"
    restart(redishad, "--cleanup")
    wait_until_serving(lab)


def test_sighup_reloads_services_acl_and_vips(redishad, lab, tmp_path):
    """SIGHUP applies a new ACL and a new VIP without a restart; a bad or incompatible file is
    refused and the running configuration stays."""
    live = tmp_path / "live.conf"
    live.write_text(CONFIG.read_text())
    restart(redishad, "--cleanup", config=live)
    wait_until_serving(lab)

    def reload(text, expect):
        live.write_text(text)
        before = redishad.log().count(expect)
        redishad.proc.send_signal(signal.SIGHUP)
        wait_for(f"redishad to log {expect!r}",
                 lambda: [] if redishad.log().count(expect) > before else ["not yet"], timeout=5)

    reload(CONFIG.read_text() + "deny 198.18.0.10/32\n", "configuration reloaded")
    # Dropped at the NIC: the connection attempt times out (1 s).
    denied = lab.ns_exec("rh-client", "redis-cli", "-t", "1", "-h", VIP, "-p", "7001", "PING",
                         check=False)
    assert denied.stdout.strip() != "PONG"

    second_vip = "198.18.0.101"
    reload(CONFIG.read_text() + f"vip {second_vip}\n", "configuration reloaded")
    wait_until_serving(lab)  # the ACL rule is gone again
    assert second_vip in lab.ns_exec(GATEWAY, "ip", "-4", "addr", "show", "dev", "lo").stdout
    assert lab.redis_cli("rh-client", second_vip, 7001, "PING") == "PONG"

    reload(CONFIG.read_text() + "shard s9 port 70000\n", "configuration not reloaded")
    reload(CONFIG.read_text().replace("interface        front0 back0", "interface front0"),
           "interface changed: restart redishad")
    # Both refused: the configuration with the second VIP is still the running one.
    assert redishad.proc.poll() is None
    assert lab.redis_cli("rh-client", second_vip, 7001, "PING") == "PONG"
    wait_until_serving(lab)
    restart(redishad, "--cleanup")
    wait_until_serving(lab)
