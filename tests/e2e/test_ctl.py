"""redisha-ctl against a live redishad in rh-gw1 (issue: redishad and redisha-ctl). redishad runs
with tests/lab/redisha.conf, started by tests/lab/gateway.py as in test_redishad.py; redisha-ctl
runs in the gateway's network namespace through nsenter (not `ip netns exec`, which remounts /sys
and hides the bpffs pins). Every test puts back what it changed (ACL rules, master overrides, a
stopped redishad); the one that kills a Sentinel runs last, since the lab does not bring it back."""

import json
import os
import re
import shlex
import signal
import subprocess

import pytest

from lab import BACK_ADDR, FRONT_ADDR, REDIS_PORT, ROOT, SENTINEL_PORT, SENTINELS, VIP, wait_for
from gateway import GATEWAY, REDISHA_CTL, Redishad, held_connection, wait_until_serving

CTL = REDISHA_CTL
ABI_H = ROOT / "include" / "redisha" / "abi.h"
INSTANCE = "lab"  # tests/lab/redisha.conf
PORTS = {"s1": 7001, "s2": 7002, "s3": 7003}
MASTERS = {"s1": "198.18.1.11", "s2": "198.18.1.21", "s3": "198.18.1.31"}
CLIENT = FRONT_ADDR["rh-client"]
SNAT = BACK_ADDR["rh-gw1"]

# Connects, PINGs, prints its own address and the reply as JSON, holds the connection until stdin
# gives a line.
def ctl(*args, instance=INSTANCE, timeout=10):
    """redisha-ctl in rh-gw1 -> CompletedProcess."""
    argv = ["nsenter", f"--net=/run/netns/{GATEWAY}", str(CTL), "--instance", instance, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def shown(proc):
    """A finished redisha-ctl for an assertion message: command, status, stdout, stderr."""
    return (f"\ncommand: {shlex.join(proc.args)}\nexit status: {proc.returncode}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")


def ctl_ok(*args, **kwargs):
    proc = ctl(*args, **kwargs)
    assert proc.returncode == 0, shown(proc)
    return proc


def ctl_json(*args, **kwargs):
    """--json output, which must be exactly one JSON object on one line."""
    proc = ctl_ok("--json", *args, **kwargs)
    assert proc.stdout.count("\n") == 1, shown(proc)
    return json.loads(proc.stdout)


def shards_by_name():
    return {shard["name"]: shard for shard in ctl_json("shards")["shards"]}


def sentinels_reachable():
    status = ctl_json("status")
    return status["sentinels"] and (status["sentinels"]["reachable"], status["sentinels"]["total"])


def wait_until_ctl_sees_everything(timeout=15):
    """redishad writes its state file every second: wait until it names every Sentinel up."""
    wanted = (len(SENTINELS), len(SENTINELS))
    wait_for("redishad's state file to show every Sentinel reachable",
             lambda: [] if sentinels_reachable() == wanted else [f"reachable: {sentinels_reachable()}"],
             timeout)


@pytest.fixture(scope="module")
def redishad(lab):
    daemon = Redishad(lab, "--cleanup")
    try:
        wait_until_serving(lab)
        wait_until_ctl_sees_everything()
        yield daemon
    finally:
        daemon.stop()


def counters():
    return {name: c["value"] for name, c in ctl_json("stats")["counters"].items()}


def ping_through_vip(lab, port, timeout=3.0):
    return lab.redis_cli("rh-client", VIP, port, "PING", check=False, timeout=timeout)


# ---- reading -------------------------------------------------------------------------------

def test_status_reports_redishad_vip_and_counts(redishad):
    status = ctl_json("status")
    assert status["instance"] == INSTANCE
    assert status["redishad"] == {"running": True, "pid": redishad.proc.pid, "reason": None}
    abi_h = (ROOT / "include" / "redisha" / "abi.h").read_text()
    assert status["abi_version"] == int(re.search(r"#define RH_ABI_VERSION (\d+)", abi_h).group(1))
    assert status["active"] is True
    assert status["heartbeat_fresh"] is True
    assert 0 <= status["heartbeat_age_s"] < status["deadman_s"]
    assert status["vips"] == [VIP]
    assert status["snat"]["addr"] == SNAT
    assert (status["shards"], status["shards_up"]) == (3, 3)
    assert status["sentinels"] == {"reachable": 3, "total": 3}
    assert status["acl_active"] is False and status["acl_rules"] == 0

    table = ctl_ok("status").stdout
    assert re.search(rf"^redishad +running, pid {redishad.proc.pid}$", table, re.M), table
    assert re.search(rf"^vips +{re.escape(VIP)}$", table, re.M), table
    assert re.search(r"^sentinels +3/3 reachable$", table, re.M), table


def test_shards_name_the_lab_masters(redishad):
    shards = shards_by_name()
    assert sorted(shards) == ["s1", "s2", "s3"]
    for name, shard in shards.items():
        assert shard["port"] == PORTS[name], shard
        assert shard["master"] == f"{MASTERS[name]}:{REDIS_PORT}", shard
        assert (shard["master_ip"], shard["master_port"]) == (MASTERS[name], REDIS_PORT), shard
        assert shard["state"] == "up", shard
        assert shard["generation"] >= 1, shard

    lines = ctl_ok("shards").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "PORT", "MASTER", "STATE", "GENERATION"], lines
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    for name, shard in shards.items():
        assert rows[name] == [str(shard["id"]), name, str(PORTS[name]), shard["master"], "up",
                              str(shard["generation"])], lines
    # Aligned: every row starts its columns where the header does.
    assert len({line.index(" ", 3) for line in lines[1:]}) == 1, lines


def test_services_list_proxy_and_shard_ports(redishad):
    services = {(s["vip"], s["port"]): (s["kind"], s["shard"]) for s in ctl_json("services")["services"]}
    assert services == {(VIP, 6379): ("proxy", None), (VIP, 7001): ("shard", "s1"),
                        (VIP, 7002): ("shard", "s2"), (VIP, 7003): ("shard", "s3")}

    table = ctl_ok("services").stdout
    assert re.search(rf"^{re.escape(VIP)}:7002 +shard +s2$", table, re.M), table
    assert re.search(rf"^{re.escape(VIP)}:6379 +proxy +-$", table, re.M), table


def test_flows_show_a_held_connection(redishad):
    with held_connection(7001) as held:
        client = held.local
        assert client.startswith(f"{CLIENT}:")
        listing = ctl_json("flows")
        flow = next((f for f in listing["flows"] if f["client"] == client), None)
        assert flow is not None, listing
        assert flow["vip"] == f"{VIP}:7001"
        assert flow["master"] == f"{MASTERS['s1']}:{REDIS_PORT}"
        assert flow["snat"].startswith(f"{SNAT}:")
        assert (flow["shard"], flow["state"]) == ("s1", "established"), flow
        assert 0 <= flow["idle_s"] < 10

        assert any(f["client"] == client for f in ctl_json("flows", "--shard", "s1")["flows"])
        assert not any(f["client"] == client for f in ctl_json("flows", "--shard", "s2")["flows"])
        limited = ctl_json("flows", "--limit", "1")
        assert limited["shown"] == len(limited["flows"]) == 1 and limited["limit"] == 1, limited

        table = ctl_ok("flows").stdout
        row = next((line.split() for line in table.splitlines() if line.startswith(client + " ")), None)
        assert row is not None, table
        assert row[:6] == [client, f"{VIP}:7001", flow["master"], flow["snat"], "s1", "established"], table
        assert float(row[6]) < 10, table
        status = ctl_json("status")
        assert status["flows"] >= 1 and status["flow_entries"] >= 2, status


def stat_names_from_abi():
    """(name, kind) of every counter in abi.h's RH_STATS list."""
    return re.findall(r'X\(RH_STAT_\w+, "(\w+)", ([VE])\)', ABI_H.read_text())


def test_stats_list_every_counter_and_grow_with_traffic(redishad, lab):
    stats = ctl_json("stats")["counters"]
    expected = stat_names_from_abi()
    assert len(expected) > 20
    assert {name: c["kind"] for name, c in stats.items()} == \
        {name: "verdict" if kind == "V" else "event" for name, kind in expected}

    before = counters()
    for _ in range(5):
        assert ping_through_vip(lab, 7001) == "PONG"
    after = counters()
    assert after["rx"] > before["rx"]
    assert after["flow_new"] >= before["flow_new"] + 5
    nat = ("tx_nat", "redirect_nat", "pass_nat_no_neigh", "pass_nat_fib")
    assert sum(after[n] for n in nat) > sum(before[n] for n in nat)

    table = ctl_ok("stats").stdout.splitlines()
    assert table[0].split() == ["COUNTER", "KIND", "VALUE"]
    assert [line.split()[0] for line in table[1:]] == [name for name, _ in expected]


def test_stats_watch_prints_rates_until_sigint(redishad):
    for mode in ([], ["--json"]):
        argv = ["nsenter", f"--net=/run/netns/{GATEWAY}", str(CTL), "--instance", INSTANCE, *mode,
                "stats", "--watch", "1"]
        # nsenter execs redisha-ctl: the signal below reaches it, not a wrapper.
        watch = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first = watch.stdout.readline()
            if mode:
                rates = json.loads(first)
                assert rates["interval_s"] > 0.5 and "rx" in rates["rates"], rates
            else:
                assert "per second over" in first, first
                assert watch.stdout.readline().split() == ["COUNTER", "KIND", "PER_SECOND"]
            watch.send_signal(signal.SIGINT)
            out, err = watch.communicate(timeout=5)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.wait()
        assert watch.returncode == 0, (mode, out, err)


# ---- editing -------------------------------------------------------------------------------

def acl_state():
    listing = ctl_json("acl", "list")
    return listing["acl_active"], {rule["prefix"]: rule["action"] for rule in listing["rules"]}


def test_acl_add_and_del_keep_the_flag_in_step_with_the_rules(redishad):
    """The command's own report: rule written, RH_CONFIG_ACL_ACTIVE set with the first rule and
    cleared with the last (what the flag is later is up to redishad, see the test below)."""
    rules = {"198.18.0.0/24": "allow", f"{CLIENT}/32": "deny"}
    assert acl_state() == (False, {})
    try:
        first = ctl("--json", "acl", "add", "198.18.0.0/24", "allow")
        assert first.returncode == 0, shown(first)
        assert "clients that match no rule are now dropped" not in first.stderr  # --json: no notes
        assert json.loads(first.stdout) == {
            "instance": INSTANCE, "prefix": "198.18.0.0/24", "action": "allow", "result": "added",
            "previous": None, "rules": 1, "acl_active": True}
        # An LPM trie's lookup answers the longest match: the /24 must not pass for the /32.
        missing = ctl("acl", "del", f"{CLIENT}/32")
        assert missing.returncode == 1 and "no such rule" in missing.stderr, shown(missing)
        added = ctl_json("acl", "add", f"{CLIENT}/32", "deny")
        assert (added["result"], added["rules"], added["acl_active"]) == ("added", 2, True), added
        changed = ctl_json("acl", "add", f"{CLIENT}/32", "allow")
        assert (changed["result"], changed["previous"], changed["rules"]) == ("changed", "deny", 2), changed
        ctl_json("acl", "add", f"{CLIENT}/32", "deny")
        assert acl_state()[1] == rules

        table = ctl_ok("acl", "list").stdout.splitlines()
        assert table[1].split() == ["PREFIX", "ACTION"], table
        assert [line.split() for line in table[2:]] == [["198.18.0.0/24", "allow"], [f"{CLIENT}/32", "deny"]]

        kept = ctl_json("acl", "del", "198.18.0.0/24")
        assert (kept["result"], kept["rules"], kept["acl_active"]) == ("deleted", 1, True), kept
        last = ctl_json("acl", "del", f"{CLIENT}/32")
        assert (last["result"], last["action"], last["rules"], last["acl_active"]) == \
            ("deleted", "deny", 0, False), last
        assert acl_state() == (False, {})
    finally:
        for prefix in rules:
            ctl("acl", "del", prefix)


def test_acl_deny_blocks_the_client_and_del_restores_it(redishad, lab):
    rule = f"{CLIENT}/32"
    assert acl_state() == (False, {})
    try:
        added = ctl_json("acl", "add", rule, "deny")
        assert (added["result"], added["acl_active"], added["rules"]) == ("added", True, 1), added

        dropped = counters()["drop_acl"]
        assert ping_through_vip(lab, 7001) != "PONG"
        assert counters()["drop_acl"] > dropped
        # Still enforced after several of redishad's heartbeats, which rewrite rh_config.
        assert acl_state() == (True, {rule: "deny"})
        assert ctl_json("status")["acl_active"] is True

        deleted = ctl_json("acl", "del", rule)
        assert (deleted["result"], deleted["acl_active"], deleted["rules"]) == ("deleted", False, 0)
        assert acl_state() == (False, {})
        assert ping_through_vip(lab, 7001) == "PONG"
    finally:
        ctl("acl", "del", rule)


def test_acl_rejects_a_prefix_with_host_bits(redishad):
    proc = ctl("acl", "add", "198.18.0.10/24", "deny")
    assert proc.returncode == 1, shown(proc)
    assert proc.stdout == ""
    assert proc.stderr.strip() == \
        "redisha-ctl: bad CIDR '198.18.0.10/24': host bits set (did you mean 198.18.0.0/24?)"
    assert acl_state() == (False, {})


def test_acl_del_of_a_missing_rule_is_an_error(redishad):
    proc = ctl("acl", "del", "198.18.7.0/24")
    assert proc.returncode == 1, shown(proc)
    assert "no such rule" in proc.stderr


def test_set_master_overrides_with_the_next_generation(redishad):
    before = shards_by_name()["s3"]
    replica = BACK_ADDR["rh-s3b"]
    try:
        out = ctl_json("set-master", "s3", f"{replica}:{REDIS_PORT}")
        assert out["shard"] == "s3"
        assert out["old"] == {"master": before["master"], "state": "up", "generation": before["generation"]}
        assert out["new"] == {"master": f"{replica}:{REDIS_PORT}", "state": "up",
                              "generation": before["generation"] + 1}
        now = shards_by_name()["s3"]
        assert (now["master"], now["state"], now["generation"]) == \
            (f"{replica}:{REDIS_PORT}", "up", before["generation"] + 1)
        assert shards_by_name()["s1"]["master"] == f"{MASTERS['s1']}:{REDIS_PORT}"
    finally:
        back = ctl("set-master", "s3", before["master"])
    assert back.returncode == 0, shown(back)
    assert back.stdout.startswith(f"shard s3 (id 2): master {replica}:{REDIS_PORT} -> {before['master']}, "
                                  f"generation {before['generation'] + 1} -> {before['generation'] + 2}")
    restored = shards_by_name()["s3"]
    assert (restored["master"], restored["state"]) == (before["master"], "up")


def test_set_master_of_an_unknown_shard_is_an_error(redishad):
    proc = ctl("set-master", "s9", f"{MASTERS['s1']}:{REDIS_PORT}")
    assert proc.returncode == 1, shown(proc)
    assert proc.stderr.startswith("redisha-ctl: unknown shard 's9'"), shown(proc)
    proc = ctl("flows", "--shard", "s9")
    assert proc.returncode == 1 and "unknown shard 's9'" in proc.stderr, shown(proc)


def test_set_master_with_a_bad_address_is_an_error(redishad):
    before = shards_by_name()["s3"]
    for bad in (MASTERS["s3"], f"{MASTERS['s3']}:0", "198.18.1.300:6379", "s3b:6379"):
        proc = ctl("set-master", "s3", bad)
        assert proc.returncode == 1, shown(proc)
        assert proc.stderr.startswith(f"redisha-ctl: bad address '{bad}'"), shown(proc)
    assert shards_by_name()["s3"] == before


def test_usage_errors_exit_2_with_the_usage(redishad):
    for args in ([], ["frobnicate"], ["acl"], ["flows", "--limit"], ["shards", "extra"]):
        proc = ctl(*args)
        assert proc.returncode == 2, shown(proc)
        assert proc.stderr.startswith("redisha-ctl: ") and "--help" in proc.stderr, shown(proc)


# ---- check ---------------------------------------------------------------------------------

def check_line(proc):
    """The one status line of a check, with its Nagios exit status."""
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and proc.stderr == "", shown(proc)
    return proc.returncode, lines[0]


def test_check_is_ok_with_everything_up(redishad):
    status, line = check_line(ctl("check"))
    assert status == 0, line
    assert re.fullmatch(r"REDISHA OK - 3 shards up, 3/3 sentinels \| "
                        r"shards_up=3;;;0;3 sentinels=3;;;0;3 flows=\d+", line), line
    result = ctl("--json", "check")
    assert result.returncode == 0
    assert json.loads(result.stdout)["status"] == "OK"


def test_check_is_critical_without_maps(redishad):
    status, line = check_line(ctl("check", instance="nosuch"))
    assert status == 2, line
    assert line == ("REDISHA CRITICAL - datapath not attached for instance nosuch "
                    "(no maps in /sys/fs/bpf/redisha/nosuch)")
    proc = ctl("status", instance="nosuch")
    assert proc.returncode == 1
    assert proc.stderr == ("redisha-ctl: redishad is not running for instance nosuch "
                           "(no maps in /sys/fs/bpf/redisha/nosuch)\n")


def test_maps_stay_readable_while_redishad_is_stopped(redishad, lab):
    """Stopped with --keep-datapath, redishad leaves the maps: redisha-ctl still shows them, by
    shard id, and check warns instead of failing."""
    assert redishad.stop() == 0
    redishad.start("--keep-datapath")
    wait_until_serving(lab)
    assert redishad.stop() == 0
    try:
        listing = ctl_json("shards")
        assert listing["redishad"]["running"] is False
        assert "redishad is not running for instance lab" in listing["redishad"]["reason"]
        assert [(s["id"], s["name"], s["master"]) for s in listing["shards"]] == \
            [(i, None, f"{MASTERS[n]}:{REDIS_PORT}") for i, n in enumerate(("s1", "s2", "s3"))]
        table = ctl_ok("shards")
        assert "redishad is not running" in table.stderr
        status, line = check_line(ctl("check"))
        assert status == 1, line
        assert line.startswith("REDISHA WARNING - redishad is not running for instance lab"), line
        assert "3 shards up, sentinels unknown | shards_up=3;;;0;3 flows=" in line, line
        proc = ctl("set-master", "s3", f"{MASTERS['s3']}:{REDIS_PORT}")
        assert proc.returncode == 1 and "names need a running redishad" in proc.stderr, shown(proc)
    finally:
        redishad.start("--cleanup")
        wait_until_serving(lab)
        wait_until_ctl_sees_everything()


def test_check_warns_when_a_sentinel_is_unreachable(redishad, lab):
    """Last: the killed Sentinel stays dead until the lab goes down."""
    victim = "rh-sen1"
    lab_pid = lab.pids()[victim]
    address = f"{BACK_ADDR[victim]}:{SENTINEL_PORT}"
    os.kill(lab_pid, signal.SIGKILL)

    def not_warning():
        status, line = check_line(ctl("check"))
        return [] if status == 1 else [f"exit {status}: {line}"]

    wait_for("check to report the dead Sentinel", not_warning, timeout=15)
    status, line = check_line(ctl("check"))
    assert line.startswith(f"REDISHA WARNING - sentinel {address} unreachable; "
                           "3 shards up, 2/3 sentinels | shards_up=3;;;0;3 sentinels=2;;;0;3 flows="), line
    assert ctl_json("status")["sentinels"] == {"reachable": 2, "total": 3}
    problems = json.loads(ctl("--json", "check").stdout)["problems"]
    assert problems == [f"sentinel {address} unreachable"]
