"""redisha-proxy on the lab's gateway rh-gw1, behind the VIP: clients in rh-client reach it at
VIP:6379 (the XDP program passes the proxy port to the kernel), it reads the masters from the maps
redishad pins, follows a failover mid-pipeline, and serves a twemproxy pool's keys where
nutcracker put them."""

import threading
import time
from contextlib import contextmanager

import pytest
import redis

from gateway import CONFIG, GATEWAY, Redishad, RedishaProxy, wait_until_serving
from lab import BACK_ADDR, REDIS_PORT, SHARDS, VIP, wait_for
from netns import inside
from nutcracker import LISTEN, MASTERS, Nutcracker, redis_cli
from proxy_host import answers
from test_proxy import keys_on_each_shard, shard_of

PROXY_PORT = 6379


@pytest.fixture(scope="module")
def gateway(lab):
    daemon = Redishad(lab, "--cleanup")
    proxy = None
    try:
        wait_until_serving(lab)
        proxy = RedishaProxy(lab)
        wait_for("redisha-proxy through the VIP",
                 lambda: [] if lab.redis_cli("rh-client", VIP, PROXY_PORT, "PING", check=False)
                 == "PONG" else ["no PONG"], 10)
        yield daemon, proxy
    finally:
        if proxy:
            status = proxy.stop()
            assert status == 0, proxy.log()[-4000:]
        daemon.stop()


@contextmanager
def extra_proxy(lab, tmp_path, name, port, directives):
    """Another redisha-proxy in rh-gw1, on its back address:`port`: the lab's configuration
    without proxy-port, plus `directives`; it must stop cleanly (status 0) at the end."""
    conf = tmp_path / f"{name}.conf"
    conf.write_text(CONFIG.read_text().replace("proxy-port       6379\n", "")
                    + f"proxy-listen {LISTEN}:{port}\nproxy-threads 1\n{directives}")
    proxy = RedishaProxy(lab, config=conf, name=f"redisha-proxy-{name}")
    try:
        yield proxy
    finally:
        assert proxy.stop() == 0, proxy.log()[-4000:]


def master_host(lab, shard):
    address = lab.sentinel_master("rh-sen1", shard)
    return next(h for h in SHARDS[shard] if BACK_ADDR[h] == address), address


def test_clients_reach_the_proxy_through_the_vip(gateway, lab):
    keys = keys_on_each_shard("vip", 2)
    assert lab.redis_cli("rh-client", VIP, PROXY_PORT, "MSET",
                         *[x for k in keys for x in (k, k.upper())]) == "OK"
    assert lab.redis_cli("rh-client", VIP, PROXY_PORT, "MGET", *keys).split("\n") == \
        [k.upper() for k in keys]
    for key in keys:
        host, address = master_host(lab, shard_of(key))
        assert lab.redis_cli(host, address, REDIS_PORT, "GET", key) == key.upper(), key


def test_a_twemproxy_pool_moves_with_every_key(gateway, lab, tmp_path):
    """10,000 keys written through nutcracker (ketama, fnv1a_64, servers s1 s2 s3) are all
    found through redisha-proxy configured with the same pool."""
    nkeys = 10_000
    keys = [f"tw:{i}:{'é' if i % 7 == 0 else ''}" for i in range(nkeys)]
    nutcracker = Nutcracker(lab.state, "fnv1a_64", (1, 1, 1), 22140, 22240)
    try:
        replies = redis_cli(LISTEN, 22140, [f"SET {k} v{i}" for i, k in enumerate(keys)])
        assert replies == ["OK"] * nkeys, [r for r in replies if r != "OK"][:5]
    finally:
        nutcracker.stop()
    try:
        with extra_proxy(lab, tmp_path, "ketama", 16380, "distribution ketama fnv1a_64\n"), \
                inside(GATEWAY):
            client = redis.Redis(host=LISTEN, port=16380, socket_timeout=10)
            wait_for("the ketama proxy", lambda: answers(client.ping), 10)
            got = []
            for start in range(0, nkeys, 1000):
                got += client.mget(keys[start:start + 1000])
            client.close()
        missing = [k for k, v, i in zip(keys, got, range(nkeys)) if v != f"v{i}".encode()]
        assert not missing, f"{len(missing)} of {nkeys} not found, e.g. {missing[:5]}"
        # each master holds a share: a proxy sending all to one shard would fail above
        for name, host in MASTERS.items():
            assert int(redis_cli(host, REDIS_PORT, ["DBSIZE"])[0]) > 0, name
    finally:
        for host in MASTERS.values():
            redis_cli(host, REDIS_PORT, ["FLUSHALL"])


def test_wait_replicas_acknowledged_write_is_on_the_replica(gateway, lab, tmp_path):
    """proxy-wait-replicas 1: a write answered +OK is already on the shard's replica."""
    keys = keys_on_each_shard("acked", 3)
    with extra_proxy(lab, tmp_path, "wait", 16381, "proxy-wait-replicas 1 1000\n"):
        with inside(GATEWAY):
            client = redis.Redis(host=LISTEN, port=16381, socket_timeout=10)
            wait_for("the WAIT proxy", lambda: answers(client.ping), 10)
            for i, key in enumerate(keys):
                assert client.set(key, i)
            assert client.mset({k: "m" for k in keys})
            client.close()
        for key in keys:
            shard = shard_of(key)
            _, master = master_host(lab, shard)
            replica = next(h for h in SHARDS[shard] if BACK_ADDR[h] != master)
            assert lab.redis_cli(replica, BACK_ADDR[replica], REDIS_PORT, "GET", key) == "m", key


def test_failover_mid_pipeline_fails_in_flight_then_serves(gateway, lab, report):
    """(Last in the module: it leaves s1 without a replica.) A loop of pipelines on shard s1's keys while s1's master is SIGKILLed: requests that
    cannot be answered get error replies (none hangs: every pipeline returns), and once redishad
    writes the new master the proxy sends to it."""
    _, proxy = gateway
    keys = [k for k in keys_on_each_shard("fo", 30) if shard_of(k) == "s1"]
    old_host, old = master_host(lab, "s1")
    stop = threading.Event()
    outcomes = []  # (time the pipeline started, n ok, [errors])

    def writer():
        with inside(GATEWAY):
            client = redis.Redis(host=VIP, port=PROXY_PORT, socket_timeout=10)
            seq = 0
            while not stop.is_set():
                started = time.monotonic()
                pipe = client.pipeline(transaction=False)
                for k in keys:
                    pipe.set(k, seq)
                    seq += 1
                try:
                    replies = pipe.execute(raise_on_error=False)
                except redis.ConnectionError as e:  # includes timeouts: a hang
                    outcomes.append((started, 0, [f"connection: {e}"]))
                    break
                errors = [str(r) for r in replies if isinstance(r, Exception)]
                outcomes.append((started, len(replies) - len(errors), errors))
            client.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.5)
        lab.kill_redis(old_host)  # returns once it is gone
        killed = time.monotonic()
        wait_for("the proxy to write to s1's new master", lambda: [] if any(
            t > killed and ok == len(keys) for t, ok, _ in outcomes) else ["not yet"], 20)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive(), "a pipeline hung"
    errors = [e for t, _, errs in outcomes if t > killed for e in errs]
    assert not any(e.startswith("connection:") for e in errors), errors[:3]
    assert errors, "a killed master should fail some requests"
    kinds = {e.split(" ")[0] for e in errors}
    assert kinds <= {"TRYAGAIN", "redisha-proxy:", "CLUSTERDOWN"}, errors[:5]
    first_ok = next(t for t, ok, _ in outcomes if t > killed and ok == len(keys))
    report("s1 master SIGKILL -> pipelines served again through the proxy", first_ok - killed, "s")
    new_host, new = master_host(lab, "s1")
    assert new != old
    assert lab.redis_cli(new_host, new, REDIS_PORT, "EXISTS", keys[0]) == "1"
    info = lab.redis_cli("rh-client", VIP, PROXY_PORT, "INFO")
    assert f"shard_s1:master={new},port=6379" in info, info
