#!/usr/bin/python3
"""redisha-proxy against nutcracker (twemproxy) through the namespace lab, with redis-benchmark.

usage: bench_proxy.py [OUT.json] [--proxy-threads N] [--scale X]     (root; `make bench-proxy`)

Brings the lab up (tests/lab/lab.py), starts redishad and redisha-proxy in rh-gw1 with the lab's
config (VIP 198.18.0.100:6379, masters from the pinned maps, distribution slots), and nutcracker in
rh-gw1 with a pool of the same three masters (ketama, fnv1a_64) on VIP:22121: rh-client cannot
reach rh-gw1's back address, and the XDP program passes the VIP's unknown ports to the kernel, so
both proxies are reached the same way. After a correctness probe through each and a fill of the
key space, it runs from rh-client, for every case, `redis-benchmark -c 50 -r 100000 -n N --csv`
through one proxy and then the other (the first alternates from case to case).

Writes {"cases": [{"name", "redisha": {ops, p50_ms, p99_ms}, "nutcracker": {...}, "ratio"}],
"machine": {nproc, kernel}, "date"}, ratio = redisha ops / nutcracker ops, and prints a table.
It asserts nothing about speed: it exits non-zero only when something did not work (a process
died, redis-benchmark failed or reported an error, a probe read back the wrong value, the file
could not be written). Everything it starts is stopped by pid, and the lab taken down, even then.
--proxy-threads N runs redisha-proxy with a copy of the config that sets proxy-threads N.
"""

import argparse
import csv
import math
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "lab"), str(ROOT / "tests" / "e2e")]

import redis  # noqa: E402

from gateway import CONFIG, Redishad, RedishaProxy, wait_until_serving  # noqa: E402
from lab import BACK_ADDR, REDIS_PORT, SHARDS, VIP, Lab, LabError, wait_for  # noqa: E402
from netns import inside  # noqa: E402
from nutcracker import Nutcracker  # noqa: E402
from benchlib import run, take_down, write_results  # noqa: E402

CLIENT = "rh-client"
PROXY_PORT = 6379  # proxy-port in the lab's config
NUTCRACKER_PORT = 22121  # twemproxy's usual port, on the VIP
NUTCRACKER_STATS_PORT = 22222
CLIENTS = 50
KEYSPACE = 100_000  # -r: redis-benchmark's keys are key:%012d below this
BENCH_TIMEOUT = 120.0  # s per redis-benchmark run: one that hangs fails the benchmark
MGET10 = ["MGET"] + ["key:__rand_int__"] * 10  # -r replaces each __rand_int__ on its own

# (name, redis-benchmark arguments, -n). N is chosen for about 3 s a run on the 2-core machine.
CASES = (
    ("SET P1", ["-P", "1", "-t", "set"], 150_000),
    ("SET P16", ["-P", "16", "-t", "set"], 800_000),
    ("GET P1", ["-P", "1", "-t", "get"], 200_000),
    ("GET P16", ["-P", "16", "-t", "get"], 1_200_000),
    ("MSET10 P1", ["-P", "1", "-t", "mset"], 90_000),
    ("MSET10 P16", ["-P", "16", "-t", "mset"], 160_000),
    ("MGET10 P1", ["-P", "1", *MGET10], 120_000),
    ("MGET10 P16", ["-P", "16", *MGET10], 220_000),
)
CSV_FIELDS = ["test", "rps", "avg_latency_ms", "min_latency_ms", "p50_latency_ms",
              "p95_latency_ms", "p99_latency_ms", "max_latency_ms"]
# The proxies answer CONFIG GET with an error; redis-benchmark says so and goes on.
BENIGN_STDERR = ("WARNING: Could not fetch server CONFIG",)


class BenchError(Exception):
    """Something did not work; the message says what."""


def redis_benchmark(port, args, n):
    """One redis-benchmark run from rh-client against VIP:port -> {ops, p50_ms, p99_ms}.
    redis-benchmark 7.0 exits 1 on the first error reply or closed connection (-e is gone)."""
    argv = ["ip", "netns", "exec", CLIENT, "redis-benchmark", "-h", VIP, "-p", str(port),
            "-c", str(CLIENTS), "-r", str(KEYSPACE), "-n", str(n), "--csv", *args]
    shown = " ".join(argv[4:])
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=BENCH_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{shown}: no result after {BENCH_TIMEOUT:g} s (a hang?)") from None
    stderr = [line for line in proc.stderr.splitlines()
              if line.strip() and not line.startswith(BENIGN_STDERR)]
    if proc.returncode != 0 or stderr:
        raise BenchError(f"{shown}: exit status {proc.returncode}\nstderr: {proc.stderr.strip()}\n"
                         f"stdout: {proc.stdout.strip()[-2000:]}")
    rows = [row for row in csv.reader(proc.stdout.splitlines()) if len(row) == len(CSV_FIELDS)]
    if len(rows) != 2 or rows[0] != CSV_FIELDS:
        raise BenchError(f"{shown}: unexpected output:\n{proc.stdout.strip()[-2000:]}")
    result = dict(zip(CSV_FIELDS, rows[1]))
    try:
        ops, p50, p99 = (float(result[f]) for f in ("rps", "p50_latency_ms", "p99_latency_ms"))
    except ValueError:
        raise BenchError(f"{shown}: unparsable result {rows[1]}") from None
    if not all(math.isfinite(x) for x in (ops, p50, p99)) or ops <= 0:
        raise BenchError(f"{shown}: unusable result {rows[1]} (n too small?)")
    return {"ops": round(ops), "p50_ms": p50, "p99_ms": p99}


def client_for(port):
    """A redis-py client of VIP:port; use it inside(CLIENT)."""
    return redis.Redis(host=VIP, port=port, socket_timeout=10, decode_responses=True)


def master_clients():
    """{master address: redis-py client}; use them inside an rh- namespace of the back network."""
    return {BACK_ADDR[hosts[0]]: redis.Redis(host=BACK_ADDR[hosts[0]], port=REDIS_PORT,
                                             socket_timeout=10, decode_responses=True)
            for hosts in SHARDS.values()}


def probe(name, port, nkeys=300):
    """SET keys through the proxy on VIP:port, read them back through it with GET and MGET, and
    find each on exactly one master, with every master holding some: a proxy that loses,
    misroutes or sends all to one shard fails here."""
    keys = [f"probe:{name}:{i}" for i in range(nkeys)]
    values = [f"{name}-{i}" for i in range(nkeys)]
    with inside(CLIENT):
        client = client_for(port)
        pipe = client.pipeline(transaction=False)
        for key, value in zip(keys, values):
            pipe.set(key, value)
        replies = pipe.execute(raise_on_error=False)
        if replies != [True] * nkeys:
            raise BenchError(f"probe through {name}: SET replies {[r for r in replies if r is not True][:3]}")
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.get(key)
        got, mgot = pipe.execute(raise_on_error=False), client.mget(keys)
        client.close()
    for how, answer in (("GET", got), ("MGET", mgot)):
        wrong = [(k, v, a) for k, v, a in zip(keys, values, answer) if a != v]
        if wrong:
            raise BenchError(f"probe through {name}: {how} read back {len(wrong)} wrong values, "
                             f"e.g. (key, wrote, read) {wrong[:3]}")
    with inside("rh-gw1"):
        masters = master_clients()
        found = {address: m.mget(keys) for address, m in masters.items()}
        for m in masters.values():
            m.close()
    holders = [[a for a in found if found[a][i] == values[i]] for i in range(nkeys)]
    misplaced = [(keys[i], h) for i, h in enumerate(holders) if len(h) != 1]
    if misplaced:
        raise BenchError(f"probe through {name}: keys not on exactly one master: {misplaced[:3]}")
    idle = [a for a in found if not any(h == [a] for h in holders)]
    if idle:
        raise BenchError(f"probe through {name}: no probe key went to master(s) {idle}")


def fill(name, port):
    """Every key redis-benchmark can pick, through the proxy on VIP:port (the two proxies place a
    key differently: slots against ketama), so GET and MGET find values."""
    keys = [f"key:{i:012d}" for i in range(KEYSPACE)]
    with inside(CLIENT):
        client = client_for(port)
        for start in range(0, KEYSPACE, 1000):
            batch = keys[start:start + 1000]
            if client.mset({k: "xxx" for k in batch}) is not True:
                raise BenchError(f"fill through {name}: MSET did not answer OK")
        missing = sum(v != "xxx" for start in range(0, KEYSPACE, 1000)
                      for v in client.mget(keys[start:start + 1000]))
        client.close()
    if missing:
        raise BenchError(f"fill through {name}: {missing} of {KEYSPACE} keys not read back")


def proxy_stats():
    """redisha-proxy's INFO stats as a dict."""
    with inside(CLIENT):
        client = client_for(PROXY_PORT)
        info = client.info()
        client.close()
    return info


def check_alive(procs):
    """procs: {name: Popen}. Raises BenchError naming any that has exited."""
    dead = [f"{name} exited with status {p.poll()}" for name, p in procs.items() if p.poll() is not None]
    if dead:
        raise BenchError("; ".join(dead))


def warnings_in(path):
    """Lines of log `path` that look like trouble: redishad and redisha-proxy write the level
    ("warning", "error") after the time; nutcracker has no levels in its lines, only words."""
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return []
    words = (" warning ", " error ", "fatal", "failed", "abort")
    return [line for line in lines if any(word in line.lower() for word in words)]


def run_cases(scale, procs):
    """Every case through both proxies -> the cases list of the output."""
    targets = {"redisha": PROXY_PORT, "nutcracker": NUTCRACKER_PORT}
    cases = []
    for index, (name, args, n) in enumerate(CASES):
        n = max(1000, int(n * scale))
        order = ["redisha", "nutcracker"] if index % 2 == 0 else ["nutcracker", "redisha"]
        results = {}
        for who in order:
            started = time.monotonic()
            results[who] = redis_benchmark(targets[who], args, n)
            check_alive(procs)
            print(f"  {name:<11} {who:<10} n={n:<8} {results[who]['ops']:>9} ops/s "
                  f"p50 {results[who]['p50_ms']:.3f} ms p99 {results[who]['p99_ms']:.3f} ms "
                  f"({time.monotonic() - started:.1f} s)", flush=True)
        ratio = results["redisha"]["ops"] / results["nutcracker"]["ops"]
        cases.append({"name": name, "redisha": results["redisha"],
                      "nutcracker": results["nutcracker"], "ratio": round(ratio, 3)})
    return cases


def table(cases):
    head = (f"{'case':<11} | {'redisha ops/s':>13} {'p50 ms':>7} {'p99 ms':>7} | "
            f"{'nutcracker ops/s':>16} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>5}")
    lines = [head, "-" * len(head)]
    for c in cases:
        r, t = c["redisha"], c["nutcracker"]
        lines.append(f"{c['name']:<11} | {r['ops']:>13} {r['p50_ms']:>7.3f} {r['p99_ms']:>7.3f} | "
                     f"{t['ops']:>16} {t['p50_ms']:>7.3f} {t['p99_ms']:>7.3f} | {c['ratio']:>5.2f}")
    return "\n".join(lines)


def bench(out, proxy_threads, scale):
    lab = Lab()
    daemon = proxy = nutcracker = None
    failures = []
    try:
        lab.up()
        daemon = Redishad(lab, "--cleanup")
        wait_until_serving(lab)
        config = CONFIG
        if proxy_threads:
            config = lab.state / f"redisha-proxy-threads{proxy_threads}.conf"
            config.write_text(CONFIG.read_text() + f"proxy-threads {proxy_threads}\n")
        proxy = RedishaProxy(lab, config=config)
        nutcracker = Nutcracker(lab.state, "fnv1a_64", (1, 1, 1), NUTCRACKER_PORT,
                                NUTCRACKER_STATS_PORT, listen=VIP)
        procs = {"redishad": daemon.proc, "redisha-proxy": proxy.proc, "nutcracker": nutcracker.proc}
        wait_for("redisha-proxy through the VIP", lambda: [] if lab.redis_cli(
            CLIENT, VIP, PROXY_PORT, "PING", check=False) == "PONG" else ["no PONG"], 10)
        check_alive(procs)
        threads = proxy_stats().get("proxy_threads")
        print(f"redisha-proxy ({threads} threads) on {VIP}:{PROXY_PORT}, "
              f"nutcracker on {VIP}:{NUTCRACKER_PORT}", flush=True)
        for name, port in (("redisha", PROXY_PORT), ("nutcracker", NUTCRACKER_PORT)):
            probe(name, port)
            fill(name, port)
        print("probes passed, keys filled", flush=True)
        before = proxy_stats()
        cases = run_cases(scale, procs)
        for name, port in (("redisha", PROXY_PORT), ("nutcracker", NUTCRACKER_PORT)):
            probe(name, port)  # both still serve, and right
        after = proxy_stats()
        bad = {k: after.get(k, 0) - before.get(k, 0)
               for k in ("protocol_errors", "backend_failures", "failover_aborted_requests",
                         "rejected_connections")}
        if any(bad.values()):
            raise BenchError(f"redisha-proxy counted trouble during the run: {bad}")
        write_results(out, cases)
        print(f"\nredisha-proxy ({threads} threads) vs nutcracker, redis-benchmark -c {CLIENTS} "
              f"-r {KEYSPACE}; ratio = redisha ops / nutcracker ops\n{table(cases)}\n-> {out}")
    except (BenchError, LabError, redis.RedisError, OSError) as error:
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        for name, stop in (("nutcracker", nutcracker and nutcracker.stop),
                           ("redisha-proxy", proxy and proxy.stop),
                           ("redishad", daemon and daemon.stop)):
            if not stop:
                continue
            try:
                status = stop()
                if name != "nutcracker" and status != 0:
                    failures.append(f"{name} exited with status {status}")
            except Exception as error:  # keep stopping the others
                failures.append(f"stopping {name}: {error}")
        logs = [lab.state / "redisha-proxy.log", lab.state / "redishad.log",
                lab.state / f"nutcracker-{NUTCRACKER_PORT}" / "nutcracker.log"]
        for path in logs if daemon else []:  # no daemon: the logs are an older run's
            noted = warnings_in(path)
            if noted:
                print(f"{path.relative_to(ROOT)}: {len(noted)} warning/error lines, e.g.:")
                for line in noted[:10]:
                    print(f"  {line}")
        take_down(lab, failures)
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "build" / "bench" / "proxy.json")
    parser.add_argument("--proxy-threads", type=int, default=0,
                        help="proxy-threads for redisha-proxy (default: the config's, one per CPU)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every case's request count (for a quick try)")
    args = parser.parse_args(argv)
    return run("bench-proxy", lambda: bench(args.out, args.proxy_threads, args.scale))


if __name__ == "__main__":
    sys.exit(main())
