"""redishad on the lab's gateways (rh-gw1; rh-gw2 for VRRP), for the e2e tests and the demo.

redishad runs in rh-gw1's network namespace through nsenter, not `ip netns exec`: the latter
remounts /sys, which hides the bpffs pins that redishad and redisha-ctl share."""

import json
import os
import signal
import subprocess
import sys
from contextlib import contextmanager

from lab import ROOT, VIP, wait_for

GATEWAY = "rh-gw1"
CONFIG = ROOT / "tests" / "lab" / "redisha.conf"
INSTANCE = "lab"  # `instance` in CONFIG
# rh-gw2, rh-gw1's VRRP backup: its own instance, as pins and state are per instance.
GATEWAY2 = "rh-gw2"
CONFIG2 = ROOT / "tests" / "lab" / "redisha-gw2.conf"
INSTANCE2 = "lab2"  # `instance` in CONFIG2
# REDISHA_BIN=build/sanitize runs the programs built with `make SANITIZE=1`.
BIN = ROOT / os.environ.get("REDISHA_BIN", "build")
REDISHAD = BIN / "redishad"
REDISHA_CTL = BIN / "redisha-ctl"
REDISHA_PROXY = BIN / "redisha-proxy"
SHARD_PORTS = {"s1": 7001, "s2": 7002, "s3": 7003}


def in_gateway(gateway):
    """The prefix that runs a command in `gateway`'s network namespace (nsenter: see above)."""
    return ["nsenter", f"--net=/run/netns/{gateway}"]


IN_GATEWAY = in_gateway(GATEWAY)
CLIENT_PY = ROOT / "tests" / "e2e" / "lab_client.py"


class GatewayProgram:
    """A program of redisha in `gateway`'s namespace with `config`, tracked by its Popen; its log
    goes to the lab's state directory as <name>.log."""

    def __init__(self, program, lab, *flags, config, gateway, name):
        self.program, self.gateway, self.config = program, gateway, config
        self.log_path = lab.state / f"{name}.log"
        self.start(*flags)

    def start(self, *flags, config=None):
        """Starts it (again), with `config` or the one it last ran with."""
        self.config = config or self.config
        self.run_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "a") as log_file:
            self.proc = subprocess.Popen(
                [*in_gateway(self.gateway), str(self.program), "-c", str(self.config),
                 "--foreground", *flags],
                stdout=log_file, stderr=subprocess.STDOUT)

    def log(self):
        return self.log_path.read_text()

    def run_log(self):
        """The log of the current (or last) run alone: what it wrote since start()."""
        return self.log_path.read_bytes()[self.run_start:].decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        """Signals it and returns its exit status once it is gone."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        return self.proc.returncode


class Redishad(GatewayProgram):
    """redishad in `gateway` (rh-gw1 by default); its log is redishad.log for rh-gw1 and
    redishad-<gateway>.log for another."""

    def __init__(self, lab, *flags, config=CONFIG, gateway=GATEWAY):
        name = "redishad" if gateway == GATEWAY else f"redishad-{gateway}"
        super().__init__(REDISHAD, lab, *flags, config=config, gateway=gateway, name=name)


class RedishaProxy(GatewayProgram):
    """redisha-proxy in rh-gw1 (or `gateway`) with `config` (the lab's by default: VIP:6379,
    masters from the pinned maps of its instance)."""

    def __init__(self, lab, *flags, config=CONFIG, name="redisha-proxy", gateway=GATEWAY):
        super().__init__(REDISHA_PROXY, lab, *flags, config=config, gateway=gateway, name=name)


def xdp_programs(gateway=GATEWAY):
    """`xdp-loader status` in `gateway` (with the pins, which it reads the dispatcher's programs
    through): {ifname: [(program, mode, id, via the dispatcher?)]}, the dispatcher itself left
    out."""
    proc = subprocess.run([*in_gateway(gateway), "xdp-loader", "status"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, f"xdp-loader status: {proc.returncode}\n{proc.stdout}{proc.stderr}"
    programs, ifname, mode = {}, None, None
    lines = proc.stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))  # under the header
    for fields in (line.split() for line in lines[rule + 1:] if line.strip()):
        if fields[0] == "=>":  # => prio name id tag actions: run by the dispatcher above
            programs[ifname].append((fields[2], mode, int(fields[3]), True))
            continue
        ifname, programs[fields[0]] = fields[0], []
        if fields[1] not in ("<No", "xdp_dispatcher"):  # ifname name mode id tag
            programs[ifname].append((fields[1], fields[2], int(fields[3]), False))
        mode = fields[2]
    return programs


def wait_until_serving(lab, timeout=10):
    """Every shard port answers PING through the VIP."""
    def pending():
        return [f"{shard} via {port}" for shard, port in SHARD_PORTS.items()
                if lab.redis_cli("rh-client", VIP, port, "PING", check=False) != "PONG"]
    wait_for("the shard ports to answer through the VIP", pending, timeout)


def ctl(*args, gateway=GATEWAY, instance=INSTANCE):
    """redisha-ctl for the lab's instance, in rh-gw1 (or `gateway`, `instance`); the
    CompletedProcess."""
    return subprocess.run([*in_gateway(gateway), str(REDISHA_CTL), "--instance", instance, *args],
                          capture_output=True, text=True, timeout=30)


class HeldConnection:
    """A connection from rh-client to VIP:port that has answered one PING; `local` is the
    client's address, poke() sends another PING and says what became of the connection."""

    def __init__(self, proc, first):
        self.proc, self.local = proc, first["local"]

    def poke(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())


@contextmanager
def held_connection(port):
    """lab_client.py's `hold` in rh-client, for the duration of the block."""
    proc = subprocess.Popen(
        ["ip", "netns", "exec", "rh-client", sys.executable, str(CLIENT_PY), "hold", VIP, str(port)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        first = json.loads(proc.stdout.readline())
        assert first["first"] == "+PONG\r\n", first
        yield HeldConnection(proc, first)
    finally:
        proc.kill()
        proc.wait()
