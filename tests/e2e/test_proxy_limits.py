"""redisha-proxy's limits against clients and servers that misbehave (tests/e2e/proxy_host.py, no
lab): a client that never reads its replies, slow and idle clients, a master that stops
answering. Each is answered or cut off as configured, while the other clients go on, and the
proxy's memory stays bounded."""

import signal
import socket
import time

import pytest
import redis

from lab import wait_for
from proxy_host import HOST, MASTER_PORTS, PROXY_PORT, ProxyHost, answers
from test_proxy import keys_on_each_shard

LIMITS = ("proxy-threads 1\nproxy-client-output-limit 4194304\nproxy-client-timeout 1\n"
          "proxy-timeout-ms 500\n")


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    with ProxyHost(tmp_path_factory.mktemp("limits")) as h:
        # Under ASan, freed memory sits in a quarantine and RSS only grows: without
        # it, RSS measures the proxy's own holding (harmless for a plain build).
        h.start_proxy(h.write_config(LIMITS), env={"ASAN_OPTIONS": "quarantine_size_mb=0"})
        yield h
        status = h.stop("proxy")
        assert status == 0, h.proxy_log.read_text()[-4000:]


@pytest.fixture
def proxy(host):
    client = redis.Redis(host=HOST, port=PROXY_PORT, socket_timeout=10)
    for port in MASTER_PORTS.values():
        redis.Redis(host=HOST, port=port).flushall()
    yield client
    client.close()
    assert host.proxy_alive(), "redisha-proxy died during the test"


def closed_by_peer(sock, timeout):
    """Reads (and drops) what sock receives until the peer closes it; False on timeout."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(1 << 20):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    return False


def test_a_client_that_never_reads_is_cut_off(proxy, host, report):
    proxy.set("big", b"x" * (1 << 20))
    rss_before = host.rss_kib("proxy")
    greedy = socket.create_connection((HOST, PROXY_PORT))
    greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    greedy.sendall(b"GET big\r\n" * 300)  # 300 MiB of replies it will not read
    # The proxy closes its side (what the kernel still holds for the client trickles out
    # through a 4 KiB window: not worth waiting for); the others go on meanwhile.
    wait_for("the proxy to drop the greedy client",
             lambda: [] if proxy.info("clients")["connected_clients"] == 1 else ["still there"], 10)
    assert proxy.ping()
    greedy.close()
    rss_after = host.rss_kib("proxy")
    report("proxy RSS growth after a 300 MiB non-reading client", (rss_after - rss_before) / 1024, "MiB")
    assert rss_after - rss_before < 64 * 1024, (rss_before, rss_after)
    assert "proxy-client-output-limit" in host.log()


def test_slow_clients_do_not_hold_the_others(proxy, host, report):
    """200 slowloris connections, each dribbling a request a byte at a time: the others are
    served throughout, the slow ones get their answers, memory stays flat."""
    rss_before = host.rss_kib("proxy")
    request = b"*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$5\r\nvalue\r\n"
    slow = [socket.create_connection((HOST, PROXY_PORT)) for _ in range(200)]
    try:
        for i in range(len(request)):
            for s in slow:
                s.send(request[i:i + 1])
            assert proxy.get("missing") is None
            time.sleep(0.02)  # within the idle timeout of 1 s
        for s in slow:
            s.settimeout(5)
            assert s.recv(16) == b"+OK\r\n"
    finally:
        for s in slow:
            s.close()
    rss_after = host.rss_kib("proxy")
    report("proxy RSS growth with 200 slowloris clients", (rss_after - rss_before) / 1024, "MiB")
    assert rss_after - rss_before < 16 * 1024


def test_an_idle_client_is_closed_after_the_timeout(proxy):
    idle = socket.create_connection((HOST, PROXY_PORT))
    blocked = socket.create_connection((HOST, PROXY_PORT))
    listener = socket.create_connection((HOST, PROXY_PORT))
    blocked.sendall(b"BLPOP idle:list 3\r\n")
    listener.sendall(b"SUBSCRIBE idle:news\r\n")
    listener.settimeout(5)
    assert listener.recv(64).startswith(b"*3\r\n$9\r\nsubscribe")
    assert closed_by_peer(idle, 5), "an idle client outlived proxy-client-timeout 1"
    # a client waiting on a blocking command is not idle: it gets its nil
    blocked.settimeout(5)
    assert blocked.recv(64) == b"*-1\r\n"
    # nor is a subscriber (as in Redis): it still hears its channel
    assert proxy.publish("idle:news", "still here") == 1
    assert b"still here" in listener.recv(128)
    idle.close()
    blocked.close()
    listener.close()


def test_max_clients_refused_as_redis_does(proxy, host):
    conf = host.write_config("proxy-max-clients 3\nproxy-allow-keys yes\nproxy-allow-admin yes\n",
                             port=16395, name="small")
    host.start_proxy(conf, port=16395, name="small")
    try:
        first = redis.Redis(host=HOST, port=16395, socket_timeout=5)
        # the start-up probe's connection may not be closed yet on the proxy's side
        wait_for("only this client", lambda: [] if first.info("clients")["connected_clients"]
                 == 1 else ["more"], 5)
        held = [socket.create_connection((HOST, 16395)) for _ in range(2)]
        for s in held:
            s.sendall(b"PING\r\n")
            assert s.recv(16) == b"+PONG\r\n"
        extra = socket.create_connection((HOST, 16395))
        extra.settimeout(5)
        assert extra.recv(64) == b"-ERR max number of clients reached\r\n"
        assert extra.recv(64) == b""
        extra.close()
        held.pop().close()
        wait_for("a free client slot", lambda: answers(
            redis.Redis(host=HOST, port=16395, socket_timeout=5).ping), 5)
        for s in held:
            s.close()
        first.close()
    finally:
        assert host.stop("small") == 0, host.log("small")[-4000:]


def test_keys_and_admin_when_allowed_reach_every_shard(proxy, host):
    conf = host.write_config("proxy-allow-keys yes\nproxy-allow-admin yes\n", port=16396,
                             name="open")
    host.start_proxy(conf, port=16396, name="open")
    try:
        client = redis.Redis(host=HOST, port=16396, socket_timeout=5)
        keys = keys_on_each_shard("all", 2)
        client.mset({k: 1 for k in keys})
        assert sorted(k.decode() for k in client.keys("all:*")) == sorted(keys)
        assert client.flushall()
        for port in MASTER_PORTS.values():
            assert redis.Redis(host=HOST, port=port).dbsize() == 0
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        with pytest.raises(redis.ResponseError, match="run it on the server itself"):
            client.execute_command("SHUTDOWN")
        client.close()
    finally:
        assert host.stop("open") == 0, host.log("open")[-4000:]


def test_a_stopped_master_fails_its_requests_after_the_timeout(proxy, host):
    keys = dict(zip(MASTER_PORTS, keys_on_each_shard("stop", 1)))
    master = host.procs["s3"]
    master.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(redis.ResponseError, match="no reply within 500 ms"):
            proxy.get(keys["s3"])
        waited = time.monotonic() - started
        assert 0.4 < waited < 5, waited
        assert proxy.set(keys["s1"], 1) and proxy.set(keys["s2"], 2)
    finally:
        master.send_signal(signal.SIGCONT)
    wait_for("s3 served again", lambda: answers(lambda: proxy.set(keys["s3"], 3)), 5)
