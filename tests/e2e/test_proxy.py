"""redisha-proxy against real redis-servers, without the lab (tests/e2e/proxy_host.py): three
masters behind the proxy and an oracle server holding the same data. Every reply through the
proxy must equal the oracle's — single-key commands, multi-key commands split over the shards
and merged, pipelines, errors — and the proxy must hold up under many clients, a 64 MiB value,
malformed input and a dead shard."""

import random
import re
import resource
import selectors
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from lab import wait_for
from proxy_host import (HOST, MASTER_PORTS, NETNS, ORACLE_PORT, PROXY, PROXY_PORT, ProxyHost,
                        answers)
from resp_client import RespClient
from slots import shard_of


def keys_on_each_shard(prefix, per_shard):
    """Keys named prefix:N, per_shard of them on each shard, in an interleaved order."""
    found = {name: [] for name in MASTER_PORTS}
    n = 0
    while any(len(v) < per_shard for v in found.values()):
        key = f"{prefix}:{n}"
        if len(found[shard_of(key)]) < per_shard:
            found[shard_of(key)].append(key)
        n += 1
    return [k for group in zip(*found.values()) for k in group]


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    state = tmp_path_factory.mktemp("proxy")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    with ProxyHost(state) as h:
        h.start_proxy(h.write_config("proxy-threads 2\n"))
        yield h
        # a clean stop: no sanitizer report, no leak, exit status 0
        status = h.stop("proxy")
        assert status == 0, h.proxy_log.read_text()[-4000:]
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def clients(host):
    """(proxy, oracle) redis-py clients, both databases emptied first."""
    proxy = redis.Redis(host=HOST, port=PROXY_PORT, socket_timeout=10)
    oracle = redis.Redis(host=HOST, port=ORACLE_PORT, socket_timeout=10)
    for port in [*MASTER_PORTS.values(), ORACLE_PORT]:
        redis.Redis(host=HOST, port=port).flushall()
    yield proxy, oracle
    proxy.close()
    oracle.close()
    assert host.proxy_alive(), "redisha-proxy died during the test"


def outcome(client, *args):
    """The reply, or ("error", message) for an error reply: errors are compared too."""
    try:
        return client.execute_command(*args)
    except redis.ResponseError as e:
        return ("error", str(e))


K = keys_on_each_shard("k", 4)  # 12 keys, 4 per shard
ORACLE_SCRIPT = [
    # strings
    ("SET", K[0], "v0"), ("GET", K[0]), ("APPEND", K[0], "-more"), ("STRLEN", K[0]),
    ("SETNX", K[0], "x"), ("SETNX", K[1], "x"), ("GETSET", K[1], "y"), ("GETDEL", K[1]),
    ("SETRANGE", K[2], 3, "abc"), ("GETRANGE", K[2], 0, -1), ("SET", K[3], 10),
    ("INCR", K[3]), ("INCRBY", K[3], 5), ("DECR", K[3]), ("INCRBYFLOAT", K[3], "1.5"),
    ("INCR", K[0]), ("TYPE", K[0]), ("TYPE", "missing"), ("GET", "missing"),
    # split over the shards and merged
    ("MSET", *[x for i, k in enumerate(K) for x in (k, f"m{i}")]),
    ("MGET", *K, "missing", K[0], K[5]),
    ("EXISTS", *K, "missing", K[0], K[0]), ("TOUCH", K[1], K[2], "missing"),
    ("DEL", K[4], K[5], "missing"), ("UNLINK", K[6], K[7], K[6]), ("MGET", *K),
    ("DBSIZE",),
    # hashes
    ("HSET", K[8], "a", 1, "b", 2), ("HGET", K[8], "a"), ("HGETALL", K[8]),
    ("HINCRBY", K[8], "a", 10), ("HMGET", K[8], "a", "zz", "b"), ("HDEL", K[8], "b"),
    ("HLEN", K[8]), ("HKEYS", K[8]), ("HVALS", K[8]), ("HEXISTS", K[8], "a"),
    # lists
    ("RPUSH", K[9], "a", "b", "c", "d"), ("LPUSH", K[9], "z"), ("LRANGE", K[9], 0, -1),
    ("LPOP", K[9]), ("RPOP", K[9], 2), ("LLEN", K[9]), ("LINDEX", K[9], 1),
    ("LSET", K[9], 0, "q"), ("LREM", K[9], 0, "q"), ("LRANGE", K[9], 0, -1),
    # sets and sorted sets, multi-key on one shard through a hash tag
    ("SADD", "{t}a", 1, 2, 3, "x"), ("SADD", "{t}b", 2, 3, 4), ("SINTER", "{t}a", "{t}b"),
    ("SUNIONSTORE", "{t}c", "{t}a", "{t}b"), ("SCARD", "{t}c"), ("SISMEMBER", "{t}a", "x"),
    ("SMOVE", "{t}a", "{t}b", "x"), ("SMEMBERS", "{t}b"),
    ("ZADD", K[10], 1, "a", 2, "b", 3, "c"), ("ZRANGE", K[10], 0, -1, "WITHSCORES"),
    ("ZINCRBY", K[10], 5, "a"), ("ZRANK", K[10], "a"), ("ZSCORE", K[10], "a"),
    ("ZRANGEBYSCORE", K[10], 2, "+inf"), ("ZREM", K[10], "b"), ("ZCARD", K[10]),
    ("RENAME", "{t}a", "{t}renamed"), ("MSETNX", "{u}1", "a", "{u}2", "b"),
    ("EVAL", "return redis.call('get', KEYS[1])", 1, K[11]),
    ("EXPIRE", K[11], 1000), ("PERSIST", K[11]), ("TTL", K[11]),
    # errors, in redis-server's words
    ("GET", K[9]), ("INCR", K[8]), ("GET",), ("SET", K[0]), ("NOSUCHCOMMAND", "a", "b"),
    ("HSET", K[8], "odd"), ("LPUSH",), ("MGET",), ("ZADD", K[10], "notanumber", "m"),
    ("CLIENT", "NOSUCHSUB"),
    # answered by the proxy, as Redis answers them
    ("PING",), ("PING", "hello"), ("ECHO", "echo"), ("SELECT", 0), ("SELECT", "x"),
    ("CLIENT", "SETNAME", "me"), ("CLIENT", "GETNAME"),
    ("DBSIZE",),
]


@pytest.mark.parametrize("args,status", [([], 2), (["--bogus"], 2), (["-c"], 2),
                                         (["-c", "x", "extra"], 2), (["--help"], 0)])
def test_command_line(args, status):
    proc = subprocess.run([str(PROXY), *args], capture_output=True, text=True, timeout=10)
    assert proc.returncode == status
    assert "usage: redisha-proxy -c FILE [options]" in (proc.stdout if status == 0 else proc.stderr)
    assert "--static-topology" in proc.stdout + proc.stderr


def test_static_topology_needs_every_master(host):
    """A configuration error, found before anything listens: exit status 2."""
    conf = host.write_config(name="nomaster").read_text()
    path = host.state / "nomaster.conf"
    path.write_text(conf.replace(f" master {HOST}:{MASTER_PORTS['s2']}", ""))
    proc = subprocess.run([str(PROXY), "-c", str(path), "-f", "-s"], capture_output=True,
                          text=True, timeout=10)
    assert proc.returncode == 2, proc.stderr
    assert "shard 's2' has no `master ADDR:PORT`" in proc.stderr


def test_every_reply_equals_one_redis_server(clients):
    proxy, oracle = clients
    mismatches = []
    for args in ORACLE_SCRIPT:
        got, want = outcome(proxy, *args), outcome(oracle, *args)
        if got != want:
            mismatches.append(f"{args}: proxy {got!r}, redis-server {want!r}")
    assert not mismatches, "\n".join(mismatches)


def test_keys_land_on_the_shard_their_slot_names(clients, host):
    proxy, _ = clients
    keys = keys_on_each_shard("placed", 20)
    proxy.mset({k: k for k in keys})
    for name, port in MASTER_PORTS.items():
        master = redis.Redis(host=HOST, port=port)
        want = sorted(k for k in keys if shard_of(k) == name)
        assert sorted(x.decode() for x in master.keys("placed:*")) == want, name


def test_keys_on_two_shards_get_crossslot(clients):
    proxy, _ = clients
    a, b = keys_on_each_shard("x", 1)[:2]
    proxy.set(a, 1)
    for args in (("RENAME", a, b), ("SMOVE", a, b, "m"), ("SINTERSTORE", a, a, b),
                 ("MSETNX", a, 1, b, 2), ("LMOVE", a, b, "LEFT", "RIGHT"),
                 ("EVAL", "return 1", 2, a, b)):
        assert outcome(proxy, *args) == (
            "error", "CROSSSLOT Keys in request don't hash to the same slot"), args
    assert proxy.get(a) == b"1"


def test_ten_thousand_pipelined_mixed_commands(clients):
    proxy, oracle = clients
    rng = random.Random(6379)
    keys = [f"p:{i}" for i in range(300)]
    script = []
    for _ in range(10_000):
        k = rng.choice(keys)
        kind = rng.randrange(8)
        if kind == 0:
            script.append(("SET", k, rng.randrange(1000)))
        elif kind == 1:
            script.append(("GET", k))
        elif kind == 2:
            script.append(("INCR", f"c:{rng.randrange(50)}"))
        elif kind == 3:
            script.append(("MGET", *rng.sample(keys, 5)))
        elif kind == 4:
            script.append(("MSET", *[x for key in rng.sample(keys, 3) for x in (key, rng.randrange(9))]))
        elif kind == 5:
            script.append(("DEL", *rng.sample(keys, 2)))
        elif kind == 6:
            script.append(("EXISTS", *rng.sample(keys, 4)))
        else:
            script.append(("RPUSH", f"l:{rng.randrange(20)}", k))
    results = []
    for client in (proxy, oracle):
        pipe = client.pipeline(transaction=False)
        for args in script:
            pipe.execute_command(*args)
        results.append(pipe.execute(raise_on_error=False))
    assert len(results[0]) == len(script)
    diff = [(script[i], a, b) for i, (a, b) in enumerate(zip(*results)) if a != b]
    assert not diff, f"{len(diff)} replies differ, first: {diff[:3]}"


def test_a_thousand_concurrent_clients(clients):
    """1,000 connections open at once, each with its own pipelined SET/GET/DEL; every reply is
    its own, in its own order."""
    n = 1000
    socks = [socket.create_connection((HOST, PROXY_PORT)) for _ in range(n)]
    try:
        sel = selectors.DefaultSelector()
        want = {}
        for i, s in enumerate(socks):
            key, value = f"conc:{i}", f"value-{i}"
            s.sendall(f"SET {key} {value}\r\nGET {key}\r\nDEL {key}\r\n".encode())
            s.setblocking(False)
            want[s] = f"+OK\r\n${len(value)}\r\n{value}\r\n:1\r\n".encode()
            sel.register(s, selectors.EVENT_READ, bytearray())
        pending = set(socks)
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for keyobj, _ in sel.select(timeout=1):
                data = keyobj.fileobj.recv(4096)
                assert data, "the proxy closed a client"
                keyobj.data.extend(data)
                if len(keyobj.data) >= len(want[keyobj.fileobj]):
                    assert bytes(keyobj.data) == want[keyobj.fileobj]
                    sel.unregister(keyobj.fileobj)
                    pending.discard(keyobj.fileobj)
        assert not pending, f"{len(pending)} clients got no full answer"
    finally:
        for s in socks:
            s.close()


def test_a_64_mib_value_goes_through_byte_exact(clients):
    proxy, oracle = clients
    value = random.Random(64).randbytes(64 * 1024 * 1024)
    assert proxy.set("big", value)
    assert proxy.get("big") == value
    assert proxy.strlen("big") == len(value)
    assert proxy.mget("big", "missing") == [value, None]


# Malformed requests and what redis-server 7.0 answers before it closes the connection.
MALFORMED = [
    b"*1\r\n$-5\r\n", b"*1\r\n$abc\r\n", b"*abc\r\n", b"*2\r\n:1\r\n", b"*1000000\r\n",
    b"*1\r\n$999999999999\r\n", b'SET "unbalanced\r\n', b"*1\r\n$" + b"9" * 70000,
    b"*" + b"1" * 70000, b"*1\r\n*1\r\n$4\r\nPING\r\n", b"*2\r\n$3\r\nGET\r\n$-1\r\n",
]


def read_until_closed(port, data, timeout=5):
    s = socket.create_connection((HOST, port))
    s.settimeout(timeout)
    s.sendall(data)
    got = b""
    try:
        while chunk := s.recv(65536):
            got += chunk
    except socket.timeout:
        got += b"<still open>"
    s.close()
    return got


@pytest.mark.parametrize("data", MALFORMED, ids=lambda d: repr(d[:24]))
def test_malformed_requests_answered_as_redis_server_does(clients, data):
    proxy, _ = clients
    assert read_until_closed(PROXY_PORT, data) == read_until_closed(ORACLE_PORT, data)
    assert proxy.ping()  # other clients unaffected


def test_missing_crlf_after_a_bulk_is_a_protocol_error(clients):
    """redis-server skips two bytes after a bulk whatever they are; the proxy checks them (it
    forwards the request, and must not forward bytes it did not understand)."""
    got = read_until_closed(PROXY_PORT, b"*1\r\n$4\r\nPINGxx")
    assert got.startswith(b"-ERR Protocol error: ") and got.endswith(b"\r\n")


def test_more_than_a_million_arguments_is_a_protocol_error(clients):
    """redis-server takes any count up to INT_MAX and waits; the proxy bounds the memory a
    request's argument list may take (docs/proxy.md)."""
    got = read_until_closed(PROXY_PORT, b"*1048577\r\n")
    assert got == b"-ERR Protocol error: invalid multibulk length\r\n"


def test_requests_before_a_protocol_error_are_answered(clients):
    got = read_until_closed(PROXY_PORT, b"PING\r\n*1\r\n$-5\r\n")
    assert got == b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"


def test_inline_commands_as_redis_server_accepts_them(clients):
    data = b'SET inl "a b\\x41"\r\nGET inl\nPING\r\n\r\nECHO \'x y\'\r\nQUIT\r\n'
    assert read_until_closed(PROXY_PORT, data) == read_until_closed(ORACLE_PORT, data)


def test_a_dead_shard_fails_fast_and_serves_again_once_back(clients, host):
    proxy, _ = clients
    keys = keys_on_each_shard("dead", 1)
    on = dict(zip(("s1", "s2", "s3"), keys))
    host.stop("s2", signal.SIGKILL)
    try:
        started = time.monotonic()
        with pytest.raises(redis.ResponseError) as err:
            proxy.get(on["s2"])
        assert time.monotonic() - started < 2
        assert "shard 's2'" in str(err.value)
        assert proxy.set(on["s1"], 1) and proxy.set(on["s3"], 3)
        # an MGET over all three gets the dead shard's error, not a partial answer
        with pytest.raises(redis.ResponseError):
            proxy.mget(keys)
    finally:
        host.start_redis("s2", MASTER_PORTS["s2"])
    wait_for("shard s2 served again", lambda: answers(lambda: proxy.set(on["s2"], 2)), 5)
    assert proxy.mget(keys) == [b"1", b"2", b"3"]


def hello_without_id(raw):
    """A HELLO reply with its connection id blanked: the one field that differs by design."""
    return re.sub(rb"\$2\r\nid\r\n:\d+\r\n", b"$2\r\nid\r\n:ID\r\n", raw)


RESP3_SCRIPT = [
    ("HSET", K[8], "a", 1, "b", 2), ("HGETALL", K[8]), ("GET", "missing"),
    ("MSET", K[0], "x", K[1], "y"), ("MGET", K[0], "missing", K[1], K[2]),
    ("ZADD", K[10], "1.5", "a", 2, "b"), ("ZRANGE", K[10], 0, -1, "WITHSCORES"),
    ("ZSCORE", K[10], "a"), ("SADD", K[3], "m"), ("SMEMBERS", K[3]), ("SISMEMBER", K[3], "m"),
    ("INCRBYFLOAT", "f", "2.5"), ("EXISTS", K[0], K[1], "missing"), ("DEL", K[0], K[1]),
    ("CLIENT", "GETNAME"), ("PING",), ("GET", K[8]), ("LPOP", "missing"), ("HELLO", 2),
    ("HGETALL", K[8]), ("GET", "missing"), ("HELLO", 3), ("RESET",), ("GET", "missing"),
]


def same_session(script, proxy_port=PROXY_PORT):
    """The script's commands on one connection to the proxy and one to the oracle: every raw
    reply equal (HELLO's connection id aside); returns the proxy's replies."""
    proxy, oracle = RespClient(HOST, proxy_port), RespClient(HOST, ORACLE_PORT)
    replies = []
    try:
        for args in script:
            got, want = proxy.call(*args), oracle.call(*args)
            if args[0] == "HELLO":
                got, want = hello_without_id(got), hello_without_id(want)
            assert got == want, args
            replies.append(got)
    finally:
        proxy.close()
        oracle.close()
    return replies


def test_resp3_after_hello_3_byte_exact(clients):
    replies = same_session([("HELLO", 3), *RESP3_SCRIPT])
    assert replies[0].startswith(b"%7\r\n")
    # INFO's text differs from a server's; its RESP3 form does not: verbatim, txt
    c = RespClient(HOST, PROXY_PORT)
    c.call("HELLO", 3)
    info = c.call("INFO", "server")
    c.close()
    length = int(info[1:info.index(b"\r\n")])
    assert info.startswith(b"=") and b"\r\ntxt:# Server\r\n" in info
    assert len(info) == info.index(b"\r\n") + 2 + length + 2


def test_hello_errors_as_redis_server(clients):
    same_session([("HELLO", 4), ("HELLO", "x"), ("HELLO", 3, "BOGUS"), ("HELLO", 3, "AUTH", "u"),
                  ("HELLO", 2, "SETNAME", "a b"), ("AUTH", "pw"), ("AUTH", "a", "b", "c")])


AUTH_SCRIPT = [
    ("GET", "k"), ("NOSUCH",), ("GET",), ("HELLO", 3), ("PING",), ("AUTH", "wrong"),
    ("AUTH", "app", "wrong"), ("AUTH", "off-user", "x"), ("AUTH", "nobody", "x"), ("GET", "k"),
    ("AUTH", "s3cret"), ("GET", "k"), ("AUTH", "app", "apppass"), ("SET", "k", "v"),
    ("RESET",), ("GET", "k"), ("HELLO", 3, "AUTH", "app", "apppass"), ("GET", "k"),
    ("HELLO", 2, "AUTH", "default", "bad"),
]


def test_auth_as_redis_server_with_requirepass_and_users(clients, host):
    """The proxy with requirepass and ACL-style users answers a session like a redis-server
    configured with the same password and users; a failed AUTH is logged with the client."""
    conf = host.write_config("requirepass s3cret\nuser app on >apppass\nuser off-user off >x\n",
                             port=16390, name="auth")
    host.start_proxy(conf, port=16390, name="auth")
    setup = redis.Redis(host=HOST, port=ORACLE_PORT)
    setup.execute_command("ACL", "SETUSER", "app", "on", ">apppass", "allcommands", "allkeys")
    setup.execute_command("ACL", "SETUSER", "off-user", "off", ">x", "allcommands", "allkeys")
    setup.config_set("requirepass", "s3cret")
    try:
        same_session(AUTH_SCRIPT, proxy_port=16390)
    finally:
        restore = RespClient(HOST, ORACLE_PORT)
        restore.call("AUTH", "s3cret")
        restore.call("CONFIG", "SET", "requirepass", "")
        restore.call("ACL", "DELUSER", "app", "off-user")
        restore.close()
        assert host.stop("auth") == 0, host.log("auth")[-4000:]
    log = host.log("auth")
    assert "AUTH failed for user 'default'" in log and "AUTH failed for user 'app'" in log
    assert f"{HOST}:" in log and "s3cret" not in log and "wrong" not in log


def test_masterauth_authenticates_to_the_masters(clients, host):
    masters = [redis.Redis(host=HOST, port=port) for port in MASTER_PORTS.values()]
    good = host.write_config("masterauth fleetpw\n", port=16391, name="masterauth")
    bad = host.write_config("masterauth nope\nproxy-threads 1\n", port=16392, name="badauth")
    for m in masters:
        m.config_set("requirepass", "fleetpw")
    try:
        host.start_proxy(good, port=16391, name="masterauth")
        host.start_proxy(bad, port=16392, name="badauth")
        keys = keys_on_each_shard("ma", 1)
        for proto in (2, 3):
            c = RespClient(HOST, 16391)
            if proto == 3:
                assert c.call("HELLO", 3).startswith(b"%7")
            assert c.call("MSET", *[x for k in keys for x in (k, proto)]) == b"+OK\r\n"
            assert c.call("GET", keys[0]) == b"$1\r\n%d\r\n" % proto
            c.close()
        c = RespClient(HOST, 16392)
        err = c.call("GET", keys[0])
        c.close()
        assert err.startswith(b"-ERR redisha-proxy: shard 's") and b"refused AUTH" in err, err
        assert b"WRONGPASS" in err
    finally:
        for m in masters:
            m.execute_command("AUTH", "fleetpw")
            m.config_set("requirepass", "")
        for name in ("masterauth", "badauth"):
            if name in host.procs:
                assert host.stop(name) == 0, host.log(name)[-4000:]


T = keys_on_each_shard("tx", 2)  # T[0], T[3] on s1; T[1], T[4] on s2...
TX_SESSIONS = [
    [("MULTI",), ("SET", "{t}a", 1), ("INCR", "{t}a"), ("GET", "{t}a"), ("EXEC",)],
    [("MULTI",), ("EXEC",)],
    [("MULTI",), ("SET", "{t}b", 1), ("DISCARD",), ("GET", "{t}b")],
    [("EXEC",), ("DISCARD",), ("UNWATCH",)],
    [("MULTI",), ("MULTI",), ("SET", "{t}c", "v"), ("EXEC",)],
    [("MULTI",), ("SET", "{t}d"), ("SET", "{t}d", "v"), ("EXEC",), ("GET", "{t}d")],
    [("MULTI",), ("NOSUCH",), ("EXEC",)],
    [("MULTI",), ("WATCH", "{t}a"), ("PING",), ("EXEC",)],
    [("WATCH", "{t}a"), ("MULTI",), ("INCR", "{t}a"), ("EXEC",)],
    [("WATCH", "{t}a"), ("UNWATCH",), ("MULTI",), ("INCR", "{t}a"), ("EXEC",)],
    [("WATCH", "{t}a"), ("MULTI",), ("EXEC",)],
    [("MULTI",), ("MSET", "{t}x", 1, "{t}y", 2), ("MGET", "{t}x", "{t}y"), ("DEL", "{t}x"),
     ("EXEC",)],
    [("MULTI",), ("GET", T[0]), ("HSET", T[3], "f", 1), ("EXEC",)],
    [("RPUSH", "{t}l", "a"), ("BLPOP", "{t}l", 1), ("BLPOP", "{t}l", "0.1")],
    [("MULTI",), ("BLPOP", "{t}l", 0), ("EXEC",)],
    [("MULTI",), ("SET", "{t}a", 1), ("RESET",), ("EXEC",)],
    # keyless first: run on the shard of the keys that follow (kept until then)
    [("MULTI",), ("PING",), ("ECHO", "e"), ("SET", T[1], "k"), ("GET", T[1]), ("EXEC",)],
    [("MULTI",), ("PING",), ("EXEC",)],
    [("MULTI",), ("PING",), ("DISCARD",), ("PING",)],
]


@pytest.mark.parametrize("session", TX_SESSIONS, ids=lambda s: " ".join(a[0] for a in s))
def test_transactions_and_blocking_as_redis_server(clients, session):
    same_session(session)


def test_exec_sees_a_watched_key_changed_by_another_client(clients):
    proxy, oracle = clients
    for port in (PROXY_PORT, ORACLE_PORT):
        c = RespClient(HOST, port)
        other = redis.Redis(host=HOST, port=port)
        assert c.call("WATCH", T[0]) == b"+OK\r\n"
        other.set(T[0], "changed")
        assert c.call("MULTI") == b"+OK\r\n"
        assert c.call("SET", T[0], "mine") == b"+QUEUED\r\n"
        assert c.call("EXEC") == b"*-1\r\n", port
        c.close()
    assert proxy.get(T[0]) == b"changed"


def test_transaction_over_two_shards_is_aborted(clients):
    proxy, _ = clients
    c = RespClient(HOST, PROXY_PORT)
    assert c.call("MULTI") == b"+OK\r\n"
    assert c.call("SET", T[0], 1) == b"+QUEUED\r\n"
    assert c.call("SET", T[1], 2) == b"-CROSSSLOT Keys in request don't hash to the same slot\r\n"
    assert c.call("SET", T[3], 3) == b"+QUEUED\r\n"
    assert c.call("EXEC") == b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    assert c.call("GET", T[0]) == b"$-1\r\n"  # nothing ran, and the client goes on
    c.close()
    assert proxy.mget(T[0], T[1], T[3]) == [None, None, None]


def test_scan_and_subscribe_inside_multi_abort_exec(clients):
    c = RespClient(HOST, PROXY_PORT)
    for refused in (("SCAN", 0), ("SUBSCRIBE", "ch")):
        assert c.call("MULTI") == b"+OK\r\n"
        assert c.call(*refused).startswith(b"-ERR redisha-proxy: ")
        assert c.call("EXEC").startswith(b"-EXECABORT")
    c.close()


def test_a_blocked_client_does_not_block_the_others(clients):
    proxy, _ = clients
    blocked = RespClient(HOST, PROXY_PORT)
    blocked.send("BLPOP", T[1], 0)
    blocked.send("GET", T[4])  # queued behind the BLPOP, in order
    for i in range(200):
        assert proxy.set(T[4], i) and proxy.get(T[1]) is None
    proxy.rpush(T[1], "wake")
    assert blocked.reply() == b"*2\r\n$%d\r\n%s\r\n$4\r\nwake\r\n" % (len(T[1]), T[1].encode())
    assert blocked.reply() == b"$3\r\n199\r\n"
    blocked.close()


def test_scan_walks_every_shard_once(clients):
    proxy, _ = clients
    keys = {f"scan:{i}" for i in range(3000)}
    proxy.mset({k: 1 for k in keys})
    proxy.set("other", 1)
    seen, cursor, rounds = [], 0, 0
    while True:
        cursor, batch = proxy.scan(cursor, match="scan:*", count=200)
        seen += [k.decode() for k in batch]
        rounds += 1
        if cursor == 0:
            break
        assert rounds < 10_000
    assert sorted(seen) == sorted(keys)  # all of them, none twice
    assert proxy.dbsize() == len(keys) + 1
    with pytest.raises(redis.ResponseError, match="invalid cursor"):
        proxy.scan(3)  # shard 3 of 3 does not exist


def test_client_info_and_admin_refusal(clients):
    proxy, _ = clients
    proxy.client_setname("inspector")
    info = proxy.execute_command("CLIENT", "INFO").decode()
    assert "name=inspector" in info and "db=0" in info and "resp=2" in info and "user=default" in info
    for args in (("FLUSHALL",), ("CONFIG", "GET", "maxmemory"), ("SHUTDOWN",), ("MONITOR",),
                 ("DEBUG", "SLEEP", "0"), ("REPLICAOF", "no", "one")):
        with pytest.raises(redis.ResponseError):
            proxy.execute_command(*args)
    assert proxy.ping()


def test_randomkey_and_keys(clients):
    proxy, _ = clients
    assert proxy.randomkey() is None
    keys = keys_on_each_shard("rk", 1)
    proxy.set(keys[2], 1)
    assert proxy.randomkey() == keys[2].encode()
    with pytest.raises(redis.ResponseError, match="proxy-allow-keys"):
        proxy.keys("*")


def test_wait_replicas_turns_an_unreplicated_write_into_noreply(clients, host):
    """With proxy-wait-replicas 1 and masters that have no replica, a write is done on the
    master but answered -NOREPL (never a success it cannot stand behind); reads are not
    waited on; an error stays the command's own."""
    conf = host.write_config("proxy-wait-replicas 1 100\n", port=16394, name="wait")
    host.start_proxy(conf, port=16394, name="wait")
    try:
        c = RespClient(HOST, 16394)
        keys = keys_on_each_shard("w", 1)
        noreply = (b"-NOREPL the write was done on the master but reached 0 of 1 replicas "
                   b"within 100 ms\r\n")
        assert c.call("SET", keys[0], "v") == noreply
        assert c.call("GET", keys[0]) == b"$1\r\nv\r\n"
        assert c.call("MSET", *[x for k in keys for x in (k, "m")]) == noreply
        assert c.call("INCR", "{w}s") == noreply
        assert c.call("HSET", keys[0], "f", "v").startswith(b"-WRONGTYPE")
        assert c.call("MULTI") == b"+OK\r\n"
        assert c.call("SET", "{w}t", 1) == b"+QUEUED\r\n"
        assert c.call("EXEC") == noreply
        assert c.call("GET", "{w}t") == b"$1\r\n1\r\n"
        c.close()
    finally:
        assert host.stop("wait") == 0, host.log("wait")[-4000:]


def pubsub_session(port, publish_port):
    """A subscriber's session on `port`, messages published through `publish_port`: the raw
    replies in order."""
    sub, pub = RespClient(HOST, port), RespClient(HOST, publish_port)
    got = [sub.call("SUBSCRIBE", "{c}a", "{c}b")]
    got.append(sub.reply())  # the second confirmation
    got.append(sub.call("PSUBSCRIBE", "news.*"))
    got.append(pub.call("PUBLISH", "{c}a", "hello"))
    got.append(sub.reply())
    got.append(pub.call("PUBLISH", "news.today", "extra"))
    got.append(sub.reply())
    for args in (("PING",), ("PING", "x"), ("GET", "k"), ("UNSUBSCRIBE", "{c}a"),
                 ("PUNSUBSCRIBE",), ("UNSUBSCRIBE",)):
        got.append(sub.call(*args))
    got.append(sub.call("UNSUBSCRIBE"))  # nothing left: a nil confirmation
    got.append(sub.call("PING"))  # not subscribed any more: +PONG
    sub.close()
    pub.close()
    return got


def test_pubsub_session_as_redis_server(clients):
    assert pubsub_session(PROXY_PORT, PROXY_PORT) == pubsub_session(ORACLE_PORT, ORACLE_PORT)


def test_pubsub_resp3_as_redis_server(clients):
    same_session([("HELLO", 3), ("SUBSCRIBE", "{c}a"), ("SET", "{c}k", 1), ("GET", "{c}k"),
                  ("SSUBSCRIBE", "{c}s"), ("SUNSUBSCRIBE",), ("RESET",)])


def test_subscribers_hear_channels_on_every_shard(clients):
    proxy, _ = clients
    channels = keys_on_each_shard("chan", 2)
    sub = proxy.pubsub()
    sub.subscribe(*channels)
    sub.psubscribe("chan:*")
    confirmations = [sub.get_message(timeout=5) for _ in range(len(channels) + 1)]
    assert sorted(m["channel"].decode() for m in confirmations if m["type"] == "subscribe") == \
        sorted(channels)
    assert [m["data"] for m in confirmations] and max(m["data"] for m in confirmations) == 7
    for ch in channels:
        assert proxy.publish(ch, f"to {ch}") == 2  # the channel and the pattern
    heard = {}
    deadline = time.monotonic() + 10
    while len(heard) < 2 * len(channels) and time.monotonic() < deadline:
        m = sub.get_message(timeout=1)
        if m and m["type"] in ("message", "pmessage"):
            heard[(m["type"], m["channel"].decode())] = m["data"].decode()
    assert heard == {**{("message", ch): f"to {ch}" for ch in channels},
                     **{("pmessage", ch): f"to {ch}" for ch in channels}}
    assert proxy.execute_command("PUBSUB", "NUMSUB", channels[0]) == [channels[0].encode(), 1]
    assert sorted(proxy.execute_command("PUBSUB", "CHANNELS", "chan:*")) == \
        sorted(c.encode() for c in channels)
    sub.close()


def test_info_counts_commands_shards_and_latency(clients, host):
    proxy, _ = clients
    before = proxy.info("commandstats").get("cmdstat_hset", {}).get("calls", 0)
    for i in range(10):
        proxy.hset(f"i:{i}", "f", i)
    with pytest.raises(redis.ResponseError):
        proxy.execute_command("HSET", "i:0", "odd")
    stats = proxy.info("commandstats")["cmdstat_hset"]
    assert stats["calls"] == before + 11 and stats["failed_calls"] >= 1
    latency = proxy.info("latency")
    assert latency["latency_usec_le_inf"] >= 11
    shards = proxy.info("shards")
    assert sum(v["requests"] for k, v in shards.items() if k.startswith("shard_")) >= 10
    assert set(proxy.info("server")) >= {"server", "proxy_threads", "uptime_in_seconds"}
    # the same text, every second, for redishad's /metrics
    stats_file = Path("/run/redisha") / f"{NETNS}.proxy"
    wait_for("the proxy's stats file", lambda: [] if stats_file.exists() and "cmdstat_hset:"
             in stats_file.read_text() else ["not written"], 5)
    assert "# Latency" in stats_file.read_text()
