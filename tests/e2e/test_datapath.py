"""The XDP datapath on rh-gw1 steers the lab's shard ports to their masters (issue: XDP datapath).
tests/lab/lab_gateway stands in for redishad: it loads the program, attaches it to front0 and
back0 and fills the maps from tests/lab/redisha.conf; this module sets what redishad will set on
the gateway (VIP on lo, forwarding, accept_local, ARP sysctls)."""

import json
import sys
import time
from pathlib import Path

import pytest

from gateway import held_connection
from lab import BACK_ADDR, REDIS_PORT, ROOT, SHARDS, VIP, LabError, run

GATEWAY = "rh-gw1"
CONFIG = ROOT / "tests" / "lab" / "redisha.conf"
LAB_GATEWAY = ROOT / "build" / "tests" / "lab" / "lab_gateway"
CLIENT_PY = Path(__file__).resolve().parent / "lab_client.py"
SHARD_PORTS = {"s1": 7001, "s2": 7002, "s3": 7003}
CLOSING_TIMEOUT_S = 1.0  # closing-timeout-ms in CONFIG
# What redishad sets on the gateway (DESIGN.md §5, xdp-veth-facts.md): the kernel forwards what
# XDP passes up (ip_forward, accept_local for packets from its own addresses), never answers ARP
# for the VIP on lo (arp_ignore/arp_announce), and sends no ICMP redirects for hairpinned flows.
GATEWAY_SYSCTLS = [
    "net.ipv4.ip_forward=1",
    *(f"net.ipv4.conf.{dev}.{key}" for dev in ("all", "front0", "back0")
      for key in ("accept_local=1", "rp_filter=0", "send_redirects=0")),
    *(f"net.ipv4.conf.{dev}.{key}" for dev in ("all", "front0") for key in ("arp_ignore=1", "arp_announce=2")),
]


def gateway_tool(*args, check=True):
    """lab_gateway in rh-gw1's network namespace; nsenter keeps /sys, hence the bpffs pins."""
    return run(["nsenter", f"--net=/run/netns/{GATEWAY}", str(LAB_GATEWAY), *args], check=check)


def flow_count():
    return int(gateway_tool("flows", str(CONFIG)).stdout)


def sweep():
    """What redishad's periodic sweep does: delete the entries the datapath treats as expired."""
    return int(gateway_tool("sweep", str(CONFIG)).stdout)


def client(*args, timeout=120):
    """lab_client.py in rh-client; its JSON result."""
    proc = run(["ip", "netns", "exec", "rh-client", sys.executable, str(CLIENT_PY), *args], timeout=timeout)
    return json.loads(proc.stdout)


def master_of(shard, lab):
    """The address of the lab host that is master of shard now (the 'a' host unless failed over)."""
    for host in SHARDS[shard]:
        if lab.redis_info(host).get("role") == "master":
            return BACK_ADDR[host]
    raise LabError(f"no master for {shard}")


@pytest.fixture(scope="module")
def gateway(lab):
    lab.ns_exec(GATEWAY, "sysctl", "-q", "-w", *GATEWAY_SYSCTLS)
    lab.ns_exec(GATEWAY, "ip", "addr", "add", f"{VIP}/32", "dev", "lo")
    masters = [f"{shard}={BACK_ADDR[hosts[0]]}:{REDIS_PORT}" for shard, hosts in SHARDS.items()]
    gateway_tool("up", str(CONFIG), *masters)
    try:
        yield lab
    finally:
        gateway_tool("down", str(CONFIG), check=False)


@pytest.mark.parametrize("shard", SHARD_PORTS)
def test_shard_port_reaches_its_master(gateway, shard):
    key, value = f"route:{shard}", f"via-{SHARD_PORTS[shard]}"
    assert gateway.redis_cli("rh-client", VIP, SHARD_PORTS[shard], "SET", key, value) == "OK"
    master = master_of(shard, gateway)
    host = next(h for h in SHARDS[shard] if BACK_ADDR[h] == master)
    assert gateway.redis_cli(host, master, REDIS_PORT, "GET", key) == value
    for other, hosts in SHARDS.items():
        if other != shard:
            assert gateway.redis_cli(hosts[0], BACK_ADDR[hosts[0]], REDIS_PORT, "EXISTS", key) == "0"


def test_one_mebibyte_value_round_trips(gateway):
    assert client("roundtrip", VIP, "7001", str(1 << 20)) == {"size": 1 << 20, "equal": True}


def test_sequential_connections_succeed_and_their_flows_expire(gateway, report):
    started = time.monotonic()
    result = client("sequential", VIP, "7001", "1000")
    report("1000 sequential connections through VIP:7001", time.monotonic() - started, "s")
    assert result["failures"] == []
    assert flow_count() >= 2  # the last flows are still closing
    # Once the closing timeout has passed, every entry is expired and a sweep removes them all.
    time.sleep(CLOSING_TIMEOUT_S + 0.1)
    swept = sweep()
    assert flow_count() == 0
    report("entries swept after close + closing timeout", swept, "entries")


def test_pipelined_benchmark_has_no_errors(gateway):
    proc = gateway.ns_exec("rh-client", "redis-benchmark", "-h", VIP, "-p", "7001", "-P", "16",
                           "-c", "50", "-n", "100000", "-r", "100000", "-t", "set,get", "--csv",
                           timeout=120)
    lines = proc.stdout.strip().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ['"SET"', '"GET"'], proc.stdout
    assert "error" not in (proc.stdout + proc.stderr).lower(), proc.stderr


def test_master_change_resets_open_connection_and_steers_new_ones(gateway, report):
    new_master = BACK_ADDR["rh-s2b"]
    with held_connection(7002) as held:
        gateway_tool("set-master", str(CONFIG), "s2", f"{new_master}:{REDIS_PORT}")
        result = held.poke()
    assert result["outcome"] == "reset", result
    report("old connection reset after the master change", result["seconds"], "s")
    via_vip = gateway.redis_cli("rh-client", VIP, 7002, "INFO", "server")
    direct = gateway.redis_cli("rh-s2b", new_master, REDIS_PORT, "INFO", "server")
    run_id = [line for line in direct.splitlines() if line.startswith("run_id:")]
    assert run_id and run_id[0] in via_vip
