"""A host for redisha-proxy tests that need no lab: one network namespace made by the test
(`rhpx<pid>`, only its loopback up), three redis-servers as the shards' masters, a fourth as the
oracle (one server holding the same data, whose replies the proxy's must equal), and
redisha-proxy with --static-topology. The test process itself enters the namespace (setns on its
own thread) so redis-py connects to 127.0.0.1 there; every process started is tracked by its pid
and stopped, and the namespace deleted, even when a test fails."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from lab import ROOT, wait_for
from netns import inside

# Per process: two checkouts' test runs never share a namespace, and the proxy's instance name
# (its stats file under /run/redisha) is the namespace's.
NETNS = f"rhpx{os.getpid()}"
HOST = "127.0.0.1"
MASTER_PORTS = {"s1": 7101, "s2": 7102, "s3": 7103}
ORACLE_PORT = 7199
PROXY_PORT = 16379
BIN = ROOT / os.environ.get("REDISHA_BIN", "build")
PROXY = BIN / "redisha-proxy"


def answers(call):
    """For wait_for: [] once call() runs without a Redis error, else the error."""
    try:
        call()
        return []
    except redis.RedisError as e:
        return [str(e)]


def port_open(port):
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
        return True
    except OSError:
        return False


class ProxyHost:
    """Enter with `with ProxyHost(tmp) as host:`; host.proxy_config(...) then host.start_proxy()."""

    def __init__(self, state: Path):
        self.state = state
        self.procs = {}  # name -> Popen
        self._inside = None

    # ---- namespace -------------------------------------------------------------------------

    def __enter__(self):
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        try:
            subprocess.run(["ip", "-n", NETNS, "link", "set", "lo", "up"], check=True)
            self._inside = inside(NETNS)
            self._inside.__enter__()
            for name, port in {**MASTER_PORTS, "oracle": ORACLE_PORT}.items():
                self.start_redis(name, port)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for name in list(self.procs):
            self.stop(name)
        if self._inside is not None:
            self._inside.__exit__(None, None, None)
            self._inside = None
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)

    # ---- processes -------------------------------------------------------------------------

    def start_redis(self, name, port):
        log = open(self.state / f"redis-{name}.log", "w")
        self.procs[name] = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
             "--dir", str(self.state), "--dbfilename", f"{name}.rdb"],
            stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"redis-server {name} on {port}", lambda: [] if port_open(port) else [name], 10)

    def write_config(self, extra="", distribution="slots", port=PROXY_PORT, name="proxy"):
        shards = "".join(f"shard {shard} port {7000 + i + 1} master {HOST}:{master}\n"
                         for i, (shard, master) in enumerate(MASTER_PORTS.items()))
        path = self.state / f"{name}.conf"
        path.write_text(f"instance {NETNS}\ninterface lo\nvip 198.18.0.100\n"
                        f"proxy-listen {HOST}:{port}\n{shards}"
                        f"distribution {distribution}\n{extra}")
        return path

    def log(self, name="proxy"):
        return (self.state / f"{name}.log").read_text()

    def start_proxy(self, config, *flags, port=PROXY_PORT, name="proxy", env=None):
        """redisha-proxy --static-topology with `config`, tracked as `name`, its log in
        <state>/<name>.log; returns once it listens on `port`. `env`: more environment."""
        log_path = self.state / f"{name}.log"
        if name == "proxy":
            self.proxy_log = log_path
        with open(log_path, "a") as log:
            proc = subprocess.Popen([str(PROXY), "-c", str(config), "-f", "-s", *flags],
                                    stdout=log, stderr=subprocess.STDOUT,
                                    env={**os.environ, **(env or {})})
        self.procs[name] = proc

        def pending():
            if proc.poll() is not None:
                return [f"exited with {proc.returncode}: {log_path.read_text()[-2000:]}"]
            return [] if port_open(port) else ["not listening"]
        wait_for(f"redisha-proxy {name}", pending, 10)

    def stop(self, name, sig=signal.SIGTERM):
        """Stops a process by its pid; returns its exit status."""
        proc = self.procs.pop(name)
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def proxy_alive(self):
        proc = self.procs.get("proxy")
        return proc is not None and proc.poll() is None

    def rss_kib(self, name):
        for line in Path(f"/proc/{self.procs[name].pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def wait_gone(self, name, timeout=5):
        deadline = time.monotonic() + timeout
        while self.procs[name].poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
