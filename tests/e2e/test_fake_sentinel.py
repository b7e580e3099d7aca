"""redishad against a Sentinel that lies and sends garbage (tests/e2e/fake_sentinel.py): it must
never switch to a server that does not answer ROLE master, must log and ignore malformed
messages, and must keep running."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lab import BACK_ADDR, REDIS_PORT, VIP, wait_for
from gateway import CONFIG, Redishad

FAKE_PY = Path(__file__).resolve().parent / "fake_sentinel.py"
FAKE_NS, FAKE_PORT = "rh-sen1", 26380
REPLICA_S1, REPLICA_S2 = BACK_ADDR["rh-s1b"], BACK_ADDR["rh-s2b"]
PUSHES = [
    ["message", "+switch-master", "garbage"],
    ["message", "+odown", "master"],
    ["message", "+switch-master", "s3 198.18.1.31 6379 198.18.1.32 notaport"],
    ["message", "+switch-master"],
    ["message", "+switch-master", 42],
    ["pmessage", "x", "y", "z"],
    # A replica announced as the new master: its ROLE says slave.
    ["message", "+switch-master", f"s2 {BACK_ADDR['rh-s2a']} 6379 {REPLICA_S2} 6379"],
]


@pytest.fixture(scope="module")
def fake_gateway(lab, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fake")
    pushes = tmp / "pushes.json"
    pushes.write_text(json.dumps(PUSHES))
    config = tmp / "fake.conf"
    lines = [line for line in CONFIG.read_text().splitlines() if not line.startswith("sentinel ")]
    config.write_text("\n".join(lines + [f"sentinel {BACK_ADDR[FAKE_NS]}:{FAKE_PORT}"]) + "\n")
    fake = subprocess.Popen(
        ["ip", "netns", "exec", FAKE_NS, sys.executable, str(FAKE_PY), "--bind", BACK_ADDR[FAKE_NS],
         "--port", str(FAKE_PORT), "--publish-file", str(pushes),
         # s1: a replica named master; s2, s3: the truth.
         "--master", f"s1={REPLICA_S1}:{REDIS_PORT}",
         "--master", f"s2={BACK_ADDR['rh-s2a']}:{REDIS_PORT}",
         "--master", f"s3={BACK_ADDR['rh-s3a']}:{REDIS_PORT}"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert fake.stdout.readline().strip() == "ready"
        daemon = Redishad(lab, "--cleanup", config=config)
        try:
            yield daemon
        finally:
            daemon.stop()
    finally:
        fake.kill()
        fake.wait()


def test_lying_sentinel_never_steers_to_a_replica(fake_gateway, lab):
    wait_for("the ROLE check of the replica named for s1",
             lambda: [] if f"{REPLICA_S1}:{REDIS_PORT} does not answer ROLE master"
             in fake_gateway.log() else ["not yet"], timeout=10)
    # s1 never got a master: its port refuses connections at once.
    refused = lab.ns_exec("rh-client", "redis-cli", "-h", VIP, "-p", "7001", "PING", check=False)
    assert "Connection refused" in refused.stdout + refused.stderr
    assert lab.redis_cli("rh-client", VIP, 7003, "PING") == "PONG"


def test_garbage_is_logged_and_ignored(fake_gateway, lab):
    wait_for("the replica announced for s2 to be refused",
             lambda: [] if f"{REPLICA_S2}:{REDIS_PORT} does not answer ROLE master"
             in fake_gateway.log() else ["not yet"], timeout=10)
    log = fake_gateway.log()
    assert log.count("malformed +switch-master message ignored") >= 2, log
    assert "malformed +odown message ignored" in log
    assert "malformed message ignored" in log or "unexpected pub/sub reply ignored" in log
    assert fake_gateway.proc.poll() is None
    # s2 stays on its real master.
    assert lab.redis_cli("rh-client", VIP, 7002, "SET", "fake", "ok") == "OK"
    assert lab.redis_cli("rh-s2a", BACK_ADDR["rh-s2a"], REDIS_PORT, "GET", "fake") == "ok"
