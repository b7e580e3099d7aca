"""The lab's Sentinels fail a shard over when its master dies, and take the old master back as a
replica when it restarts: the behaviour the gateway will follow (sentinel-facts.md)."""

import signal
import time

from lab import BACK_ADDR, SENTINELS, wait_for


def mismatches(actual, expected):
    """The fields of `expected` that `actual` does not match, as "field=actual" strings."""
    return [f"{field}={actual.get(field)}" for field, value in expected.items() if actual.get(field) != value]


def test_failover_promotes_replica_and_old_master_rejoins(lab, report):
    old_master, new_master = BACK_ADDR["rh-s2a"], BACK_ADDR["rh-s2b"]
    assert lab.sentinel_masters("s2") == dict.fromkeys(SENTINELS, old_master)

    killed = time.monotonic()
    lab.kill_redis("rh-s2a", signal.SIGKILL)
    wait_for(
        "all Sentinels to name rh-s2b master of s2",
        lambda: [f"{sen} names {ip}" for sen, ip in lab.sentinel_masters("s2").items() if ip != new_master],
        timeout=15,
    )
    report("s2 promotion (SIGKILL of master -> all Sentinels agree)", time.monotonic() - killed, "s")

    restarted = time.monotonic()
    lab.restart_redis("rh-s2a")
    # It comes back as a master and Sentinel converts it ≈ 10 s later (sentinel-facts.md), up to
    # ≈ 20 s here: Sentinel asks a replica for INFO every 10 s once it is no longer down.
    wait_for(
        "rh-s2a to rejoin as a replica of rh-s2b",
        lambda: mismatches(
            lab.redis_info("rh-s2a"),
            {"role": "slave", "master_host": new_master, "master_link_status": "up"},
        ),
        timeout=40,
    )
    report("rh-s2a rejoin (restart -> replica with link up)", time.monotonic() - restarted, "s")
