"""redishad's Prometheus endpoint (`metrics ADDR:PORT`, docs/operations.md) on the lab: redishad
runs in rh-gw1 with tests/lab/redisha.conf plus a `metrics` line on rh-gw1's back address, and
every request is made from inside rh-gw1 with Python's urllib or raw sockets."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from gateway import (CONFIG, GATEWAY, REDISHAD, Redishad, RedishaProxy, held_connection,
                     wait_until_serving)
from lab import BACK_ADDR, REDIS_PORT, ROOT, SHARDS, VIP, wait_for

CLIENT_PY = Path(__file__).resolve().parent / "lab_client.py"
METRICS_ADDR = f"{BACK_ADDR[GATEWAY]}:9860"
PYTHON = "/usr/bin/python3"
TIMEOUT_S = 2.0  # METRICS_TIMEOUT_MS in controller/redishad/metrics.h
MAX_CLIENTS = 16  # METRICS_MAX_CLIENTS
REQUEST_MAX = 4096  # METRICS_REQUEST_MAX
FAMILIES = {
    "build_info": "gauge", "shard_master": "gauge", "shard_generation": "gauge",
    "shard_up": "gauge", "last_failover_event_to_map_seconds": "gauge",
    "failovers_total": "counter", "sentinels": "gauge", "sentinels_connected": "gauge",
    "vip_owned": "gauge", "heartbeat_age_seconds": "gauge", "flows": "gauge",
    "flows_max": "gauge", "xdp_packets_total": "counter", "proxy_up": "gauge",
    # The lab's configuration has `vrrp`.
    "vrrp_state": "gauge", "vrrp_priority": "gauge", "vrrp_transitions_total": "counter",
    "vrrp_dropped_total": "counter",
}
ABI_H = (ROOT / "include" / "redisha" / "abi.h").read_text()
# The RH_STATS X-macro: every counter's name and kind, as the metric must label them.
COUNTERS = {name: {"V": "verdict", "E": "event"}[kind]
            for name, kind in re.findall(r'X\(RH_STAT_\w+, "(\w+)", ([VE])\)', ABI_H)}
ABI_VERSION = re.search(r"#define RH_ABI_VERSION (\d+)", ABI_H).group(1)
MAX_FLOWS = int(re.search(r"#define RH_MAX_FLOWS (\d+)", ABI_H).group(1))

# Run in rh-gw1: one HTTP request; prints status, Content-Type, Allow and body as JSON.
FETCH = """
import json, sys, urllib.error, urllib.request
url, method = sys.argv[1], sys.argv[2]
try:
    r = urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5)
except urllib.error.HTTPError as error:
    r = error
print(json.dumps({"status": r.status, "type": r.headers.get("Content-Type"),
                  "allow": r.headers.get("Allow"), "body": r.read().decode()}))
"""

# Run in rh-gw1: `count` connections that send `payload` (bytes as latin-1) and nothing more, then
# one GET /metrics; then how each held connection ended (what it received, and when).
HOLD = """
import json, socket, sys, time, urllib.error, urllib.request
host, port, count, payload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
started = time.monotonic()
held = [socket.create_connection((host, port), timeout=10) for _ in range(count)]
for sock in held:
    sock.sendall(payload.encode("latin-1"))
t = time.monotonic()
try:
    status = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5).status
except urllib.error.HTTPError as error:
    status = error.code
other = {"status": status, "seconds": time.monotonic() - t}
ends = []
for sock in held:
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        data = b""
    ends.append({"received": data.decode("latin-1"), "after": time.monotonic() - started})
print(json.dumps({"other": other, "held": ends}))
"""


def in_gateway(code, *args, timeout=30):
    """Runs Python `code` in rh-gw1 and returns what it printed as JSON; a failure shows the
    command, stdout and stderr."""
    argv = ["ip", "netns", "exec", GATEWAY, PYTHON, "-c", code, *map(str, args)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{argv[:4]} -c ... {args}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    return json.loads(proc.stdout)


def fetch(path="/metrics", method="GET"):
    return in_gateway(FETCH, f"http://{METRICS_ADDR}{path}", method)


SAMPLE = re.compile(r"^(\w+)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(body):
    """{metric name: [(labels dict, value)]} from a text exposition."""
    samples = {}
    for line in body.splitlines():
        if line.startswith("#") or not line:
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = dict(LABEL.findall(match.group(2) or ""))
        samples.setdefault(match.group(1), []).append((labels, float(match.group(3))))
    return samples


def scrape():
    reply = fetch()
    assert reply["status"] == 200, reply
    return parse(reply["body"])


def value(samples, name, **labels):
    """The one sample of `name` whose labels include `labels`; fails if there is not one."""
    found = [v for have, v in samples.get(f"redisha_{name}", [])
             if all(have.get(k) == want for k, want in labels.items())]
    assert len(found) == 1, f"redisha_{name}{labels}: {len(found)} samples in {samples.get(f'redisha_{name}')}"
    return found[0]


def masters(samples):
    return {labels["shard"]: labels["address"] for labels, _ in samples.get("redisha_shard_master", [])}


@pytest.fixture(scope="module")
def metrics_config(tmp_path_factory):
    """The lab's configuration plus the metrics endpoint."""
    config = tmp_path_factory.mktemp("metrics") / "metrics.conf"
    config.write_text(CONFIG.read_text() + f"metrics {METRICS_ADDR}\n")
    return config


@pytest.fixture(scope="module")
def redishad(lab, metrics_config):
    daemon = Redishad(lab, "--cleanup", config=metrics_config)
    try:
        wait_until_serving(lab)
        wait_for("redishad to connect to every Sentinel",
                 lambda: [] if value(scrape(), "sentinels_connected") == 3 else ["not yet"],
                 timeout=10)
        yield daemon
    finally:
        daemon.stop()


def test_metrics_is_prometheus_text_with_help_and_type(redishad):
    reply = fetch()
    assert reply["status"] == 200, reply
    assert reply["type"] == "text/plain; version=0.0.4", reply["type"]
    for family, kind in FAMILIES.items():
        assert f"# HELP redisha_{family} " in reply["body"], family
        assert f"# TYPE redisha_{family} {kind}\n" in reply["body"], family
    samples = parse(reply["body"])
    assert value(samples, "build_info", abi=ABI_VERSION) == 1
    assert value(samples, "flows_max") == MAX_FLOWS


def promtool_check(body):
    proc = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, f"promtool check metrics: {proc.returncode}\n{proc.stdout}{proc.stderr}"


def test_promtool_accepts_the_exposition(redishad):
    promtool_check(fetch()["body"])


def test_proxy_statistics_exported_while_the_proxy_runs(redishad, lab, metrics_config):
    """redisha-proxy writes its statistics each second; redishad exports them as
    redisha_proxy_* and says redisha_proxy_up 0 once the proxy is gone."""
    assert value(scrape(), "proxy_up") == 0
    proxy = RedishaProxy(lab, config=metrics_config)
    try:
        wait_for("redisha-proxy through the VIP",
                 lambda: [] if lab.redis_cli("rh-client", VIP, 6379, "PING", check=False) == "PONG"
                 else ["no PONG"], 10)
        for i in range(20):
            assert lab.redis_cli("rh-client", VIP, 6379, "SET", f"m:{i}", str(i)) == "OK"
        assert lab.redis_cli("rh-client", VIP, 6379, "NOSUCH").startswith("ERR unknown")
        wait_for("the proxy's statistics in /metrics", lambda: [] if value(
            scrape(), "proxy_up") == 1 and value(scrape(), "proxy_command_calls_total",
                                                 command="set") >= 20 else ["not yet"], 10)
        samples = scrape()
        assert value(samples, "proxy_command_failed_total", command="set") == 0
        assert sum(v for _, v in samples["redisha_proxy_shard_requests_total"]) >= 20
        assert value(samples, "proxy_request_duration_seconds_count") >= 22
        assert value(samples, "proxy_request_duration_seconds_bucket", le="+Inf") >= 22
        assert value(samples, "proxy_error_replies_total") >= 1
        promtool_check(fetch()["body"])
    finally:
        assert proxy.stop() == 0, proxy.log()[-4000:]
    assert value(scrape(), "proxy_up") == 0


def test_shard_masters_match_the_lab(redishad, lab):
    samples = scrape()
    expected = {shard: f"{lab.sentinel_master('rh-sen1', shard)}:{REDIS_PORT}" for shard in SHARDS}
    assert masters(samples) == expected
    assert expected["s1"] == f"{BACK_ADDR['rh-s1a']}:{REDIS_PORT}"  # the lab's first master
    for shard in SHARDS:
        assert value(samples, "shard_up", shard=shard) == 1, shard
        assert value(samples, "shard_generation", shard=shard) >= 1, shard


def test_sentinels_vip_and_heartbeat(redishad):
    samples = scrape()
    assert value(samples, "sentinels") == 3
    assert value(samples, "sentinels_connected") == 3
    assert value(samples, "vip_owned") == 1  # `role` defaults to active
    # Refreshed four times per deadman-ms (1 s by default).
    assert 0 <= value(samples, "heartbeat_age_seconds") < 0.5


def test_xdp_counters_present_and_growing_with_traffic(redishad, lab):
    before = scrape()
    for name, kind in COUNTERS.items():
        value(before, "xdp_packets_total", reason=name, kind=kind)
    assert len(before["redisha_xdp_packets_total"]) == len(COUNTERS)
    requests = 20
    for i in range(requests):
        assert lab.redis_cli("rh-client", VIP, 7001, "SET", f"metrics:{i}", str(i)) == "OK"
    after = scrape()

    def grew(reason):
        return (value(after, "xdp_packets_total", reason=reason, kind=COUNTERS[reason]) -
                value(before, "xdp_packets_total", reason=reason, kind=COUNTERS[reason]))

    # Each redis-cli is one connection: at least SYN, request, FIN each way.
    assert grew("rx") >= 3 * requests
    assert grew("tx_nat") + grew("redirect_nat") >= 3 * requests
    assert grew("flow_new") >= requests


def test_flows_counts_an_open_connection(redishad):
    with held_connection(7002):
        # One entry per direction of the held connection.
        assert value(scrape(), "flows") >= 2


def test_other_path_is_404_and_other_method_405(redishad):
    other = fetch("/other")
    assert other["status"] == 404, other
    assert fetch("/metricsx")["status"] == 404
    post = fetch("/metrics", "POST")
    assert (post["status"], post["allow"]) == (405, "GET"), post


def test_unfinished_request_does_not_block_another_client(redishad):
    result = in_gateway(HOLD, *METRICS_ADDR.split(":"), 1, "GET /metr")
    assert result["other"] == {"status": 200, "seconds": pytest.approx(0, abs=1)}, result
    # The unfinished one is dropped, without an answer, after TIMEOUT_S.
    (held,) = result["held"]
    assert held["received"] == "", held
    assert TIMEOUT_S - 0.2 <= held["after"] <= TIMEOUT_S + 1.5, held


def test_request_over_4_kib_is_dropped(redishad):
    headers = "GET /metrics HTTP/1.0\r\nX-Pad: " + "a" * REQUEST_MAX  # no blank line: never ends
    result = in_gateway(HOLD, *METRICS_ADDR.split(":"), 1, headers)
    (held,) = result["held"]
    assert held["received"] == "", held
    assert held["after"] < TIMEOUT_S - 0.5, held  # dropped at once, not at the timeout
    assert "request over 4096 bytes: dropped" in redishad.log()


def test_clients_over_the_limit_get_503(redishad):
    result = in_gateway(HOLD, *METRICS_ADDR.split(":"), MAX_CLIENTS, "GET /")
    assert result["other"]["status"] == 503, result
    assert all(held["received"] == "" for held in result["held"]), result
    # Once the held ones time out, scrapes are served again.
    assert fetch()["status"] == 200


def test_port_in_use_is_a_startup_error(redishad, metrics_config):
    """A second redishad on the same metrics address fails before it loads anything."""
    proc = subprocess.run(["nsenter", f"--net=/run/netns/{GATEWAY}", str(REDISHAD), "-c",
                           str(metrics_config), "--foreground"],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1, proc.stderr
    assert f"metrics: bind {METRICS_ADDR}: Address already in use" in proc.stderr, proc.stderr
    assert "maps in" not in proc.stderr, proc.stderr


def test_failover_moves_the_master_label_and_counts(redishad, lab):
    """Last: the lab's s2 stays on its replica."""
    old, new = (f"{BACK_ADDR[host]}:{REDIS_PORT}" for host in SHARDS["s2"])
    before = scrape()
    assert masters(before)["s2"] == old
    lab.kill_redis("rh-s2a")
    wait_for("the s2 master label to move",
             lambda: [] if masters(scrape()).get("s2") == new else ["not yet"], timeout=15)
    after = scrape()
    assert value(after, "failovers_total") == value(before, "failovers_total") + 1
    assert value(after, "shard_generation", shard="s2") == value(before, "shard_generation",
                                                                  shard="s2") + 1
    # The log line's "map written N ms after it", in seconds (test_redishad.py: at most 100 ms).
    assert 0 <= value(after, "last_failover_event_to_map_seconds", shard="s2") <= 0.1
    assert value(after, "shard_up", shard="s2") == 1
    assert masters(after)["s1"] == masters(before)["s1"]
