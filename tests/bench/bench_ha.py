#!/usr/bin/python3
"""Gateway takeover: a redishad pair against a keepalived pair (VRRPv3) on the namespace lab.

usage: bench_ha.py [OUT.json] [--reps N] [--intervals MS[,MS...]]    (root; `make bench-ha`)

Brings the lab up (tests/lab/lab.py) and, for each advertisement interval (100 ms and 1 s) and
each fault, runs REPS trials of each implementation, the first alternating from one repetition to
the next. A trial starts both gateways afresh: rh-gw1 (priority 150) alone until it is MASTER,
then rh-gw2 (priority 100) until it follows rh-gw1's adverts, VRID 51, on front0.
  redisha:    redishad --cleanup in each gateway (tests/lab/redisha.conf and redisha-gw2.conf,
              with advert-ms rewritten for intervals other than 100 ms); VIP:7001 is shard s1's
              port of the datapath, which SNATs to the gateway's snat-address.
  keepalived: Debian's keepalived (vrrp_version 3, tests/lab/keepalived.py) in each gateway, and,
              as a keepalived + proxy deployment has, haproxy (mode tcp) in each gateway bound to
              VIP:7001 (net.ipv4.ip_nonlocal_bind=1 in that gateway for the trial) with shard s1's
              master, as Sentinel names it, for backend.
From rh-client, tests/bench/ha_probe.py opens a connection to VIP:7001 every 10 ms and learns from
CLIENT INFO which gateway forwarded it (rh-gw1 198.18.1.2, rh-gw2 198.18.1.3). Once replies come
through rh-gw1, and KILL_AFTER after an advertisement of rh-gw1's seen in rh-client (a raw socket
for VRRP there), the fault:
  host-death:     rh-gw1's daemon SIGKILLed (redishad; both keepalived processes) and at once its
                  front0 and back0 set down;
  daemon-sigkill: the daemon SIGKILLed, nothing else.
takeover = the kill -> the first reply through rh-gw2 (CLOCK_MONOTONIC, the probe's and this
script's); null when none came within 3 x Master_Down_Interval + 5 s. The takeover is rh-gw2's
Master_Down_Interval less the time since rh-gw1's last advert, plus what the implementation adds:
so the kill comes at the same point after an advert for both implementations in one repetition,
(rep + 0.5) / REPS of the interval (the repetitions spread over the cycle), and the time from the
advert to the kill is recorded (kill_after_advert_ms). After a daemon-sigkill
takeover it also records whether rh-gw1 still claims the VIP 2 s later: whether rh-gw1's MAC
answers rh-client's ARP requests for the VIP (redishad's dead-man switch ends that within
deadman-ms; keepalived leaves the VIP on front0). Between trials the links come back up, every
process of the trial is stopped, keepalived's VIP removed and a killed redishad's datapath taken
away (it is started again with --cleanup and stopped); a trial starts only if neither gateway has
an XDP program, the VIP or pinned maps left.

Writes {"cases": [{"name": "host-death 100ms", "interval_ms", "fault", "redisha_ms": [..],
"keepalived_ms": [..], "medians_ms": {..}, "dead_host_still_claims_vip": {"redisha": [..],
"keepalived": [..]} (daemon-sigkill only), "trials": [..]}], "machine": {nproc, kernel}, "date"}
and prints the medians with min and max. It asserts nothing about speed: it exits non-zero only
when something did not work (a daemon died or did not come up, the probe could not run or never
got through rh-gw1, the file could not be written). Everything it starts is stopped by pid, and
the lab taken down, even then.
"""

import argparse
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "lab")]

from gateway import CONFIG, CONFIG2, GATEWAY, GATEWAY2, in_gateway  # noqa: E402
from keepalived import Keepalived  # noqa: E402
from lab import (BACK_ADDR, BPF_PIN_DIR, FRONT_ADDR, REDIS_PORT, VIP, Lab,  # noqa: E402
                 LabError, wait_for)
from netns import inside  # noqa: E402
from benchlib import run, take_down, write_results  # noqa: E402
from vrrp import answers_for_vip, master_down_ms, start_pair, state  # noqa: E402

CLIENT = "rh-client"
PORT = 7001  # shard s1's port on the VIP
SHARD = "s1"
PROBE = ROOT / "tests" / "bench" / "ha_probe.py"
PROBE_EVERY_MS = 10
PROBE_TIMEOUT = 1.0  # s an attempt may take
PRIORITY = {GATEWAY: 150, GATEWAY2: 100}
VIA = {BACK_ADDR[GATEWAY]: GATEWAY, BACK_ADDR[GATEWAY2]: GATEWAY2}  # snat / haproxy source
IMPLS = ("redisha", "keepalived")
FAULTS = ("host-death", "daemon-sigkill")
INTERVALS = (100, 1000)
REPS = 5
WARMUP = 20  # consecutive replies through rh-gw1 before the kill
CLAIM_AFTER = 2.0  # s after the takeover that rh-gw1's claim on the VIP is checked
FOLLOW_MARGIN = 0.3  # s past rh-gw2's Master_Down_Interval that keepalived must stay BACKUP
HAPROXY_CFG = """\
# written by tests/bench/bench_ha.py: VIP:{port} to shard {shard}'s master, in TCP
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend vip
    bind {vip}:{port}
    default_backend {shard}
backend {shard}
    server {shard} {backend}:{redis_port}
"""


class BenchError(Exception):
    """Something did not work; the message says what."""


class AdvertWatch:
    """VRRP advertisements as rh-client receives them: a raw socket for IP protocol 112, made in
    its namespace and joined to 224.0.0.18 there."""

    def __init__(self):
        with inside(CLIENT):
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
        group = socket.inet_aton("224.0.0.18") + socket.inet_aton(FRONT_ADDR[CLIENT])
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)

    def next_from(self, sender, timeout):
        """CLOCK_MONOTONIC when the next advert from `sender` arrives (earlier ones queued in the
        socket are skipped)."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(2048):
                pass
        except BlockingIOError:
            pass
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                packet = self.sock.recv(2048)
            except socket.timeout:
                break
            if socket.inet_ntoa(packet[12:16]) == sender:  # the IPv4 header's source
                return time.monotonic()
        raise BenchError(f"no advertisement from {sender} seen in {CLIENT} within {timeout} s")

    def close(self):
        self.sock.close()


def give_up_s(ms):
    """How long a trial waits for the first reply through rh-gw2."""
    return 3 * master_down_ms(ms, PRIORITY[GATEWAY2]) / 1000 + 5


def links(lab, how):
    """rh-gw1's front0 and back0 set `how` (up, down) in one `ip -batch`."""
    batch = "".join(f"link set dev {ifname} {how}\n" for ifname in ("front0", "back0"))
    proc = subprocess.run(["ip", "-n", GATEWAY, "-batch", "-"], input=batch, text=True,
                          capture_output=True, timeout=10)
    if proc.returncode != 0:
        raise BenchError(f"rh-gw1 links {how}: {proc.stderr.strip()}")


def leftovers(lab):
    """What a trial left that the next must not find: an XDP program on a gateway interface,
    the VIP on a gateway interface, a listener on port 7001, pinned maps of the lab's instances."""
    found = []
    for gateway in (GATEWAY, GATEWAY2):
        for entry in json.loads(lab.ns_exec(gateway, "ip", "-j", "addr", "show").stdout):
            if "xdp" in entry:
                found.append(f"{gateway}: an XDP program on {entry['ifname']}")
            if any(a.get("local") == VIP for a in entry.get("addr_info", [])):
                found.append(f"{gateway}: the VIP on {entry['ifname']}")
        if lab.ns_exec(gateway, "ss", "-Hltn", f"sport = :{PORT}").stdout.strip():
            found.append(f"{gateway}: something listens on port {PORT}")
    found += [f"pinned maps in {pins}" for pins in (BPF_PIN_DIR / "lab", BPF_PIN_DIR / "lab2")
              if pins.exists()]
    return found


class Probe:
    """ha_probe.py in rh-client, its lines read by a thread into `lines` (dicts, in order)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", CLIENT, sys.executable, str(PROBE), VIP, str(PORT),
             str(PROBE_EVERY_MS), str(PROBE_TIMEOUT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                self.lines.put({"t": time.monotonic(), "error": f"unparsable: {line[:80]!r}"})
        self.lines.put(None)  # the probe is gone

    def next(self, deadline):
        """The next line, or None at the deadline; BenchError if the probe exited."""
        try:
            line = self.lines.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            return None
        if line is None:
            raise BenchError(f"the probe exited with status {self.proc.wait()}: "
                             f"{self.proc.stderr.read().strip()[-1000:]}")
        self.seen.append(line)
        return line

    def wait_through(self, gateway, count, timeout):
        """Until `count` consecutive replies came through `gateway`; BenchError otherwise."""
        deadline, streak, last = time.monotonic() + timeout, 0, None
        while streak < count:
            line = self.next(deadline)
            if line is None:
                raise BenchError(f"no {count} replies in a row through {gateway} in {timeout:g} s; "
                                 f"the last attempt: {last}")
            last = line
            streak = streak + 1 if VIA.get(line.get("via")) == gateway else 0

    def first_through(self, gateway, after, timeout):
        """The first line (at or past `after`) of a reply through `gateway`, or None."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next(deadline)
            if line is None:
                return None
            if line["t"] >= after and VIA.get(line.get("via")) == gateway:
                return line

    def stop(self):
        """EOF on its stdin; it exits once its attempts have ended (at most PROBE_TIMEOUT)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=PROBE_TIMEOUT + 5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)
        while True:  # what came after the takeover, for the trial's counts
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)


class RedishadPair:
    """redishad in both gateways with the interval's configs (see the module's docstring)."""

    def __init__(self, lab, configs):
        self.lab, self.configs = lab, configs
        self.gw1 = self.gw2 = self.killed = None
        self.problems = []  # what went wrong in stop()

    def start(self, ms):
        timeout = 2 * master_down_ms(ms, PRIORITY[GATEWAY]) / 1000 + 3
        self.gw1, self.gw2 = start_pair(self.lab, *self.configs, timeout=timeout)

    def dead(self):
        """What exited that was not killed on purpose."""
        return [f"redishad in {d.gateway} exited with status {d.proc.returncode}"
                for d in (self.gw1, self.gw2) if d is not self.killed and d.proc.poll() is not None]

    def kill(self):
        """SIGKILL to rh-gw1's redishad, not waiting for it (see reap)."""
        self.killed = self.gw1
        self.gw1.proc.send_signal(signal.SIGKILL)

    def reap(self):
        self.killed.stop(signal.SIGKILL)

    def stop(self):
        """rh-gw2's redishad stopped; the killed one in rh-gw1 started again with --cleanup and,
        once it has taken the datapath over (its VRRP state left INIT), stopped: it takes the
        datapath, the VIP and the maps along."""
        for daemon in (self.gw2, self.gw1):
            if daemon is None:
                continue
            try:
                if daemon is self.killed:
                    daemon.start("--cleanup")
                    wait_for(f"redishad in {daemon.gateway} to start again (to clean up)",
                             lambda: [] if state(daemon) not in ("INIT", "dead") else [state(daemon)], 10)
                status = daemon.stop()
                if status != 0:
                    self.problems.append(f"redishad in {daemon.gateway} exited with status {status}")
            except (LabError, subprocess.SubprocessError) as error:
                self.problems.append(f"stopping redishad in {daemon.gateway}: {error}")


class Haproxy:
    """haproxy in `gateway`, foreground, VIP:7001 -> `backend`:6379 in TCP."""

    def __init__(self, lab, gateway, backend):
        self.gateway = gateway
        self.config = lab.state / f"haproxy-{gateway}.cfg"
        self.config.write_text(HAPROXY_CFG.format(port=PORT, shard=SHARD, vip=VIP, backend=backend,
                                                  redis_port=REDIS_PORT))
        self.log_path = lab.state / f"haproxy-{gateway}.log"
        with open(self.log_path, "a") as log_file:
            self.proc = subprocess.Popen([*in_gateway(gateway), "haproxy", "-db", "-f", str(self.config)],
                                         stdout=log_file, stderr=subprocess.STDOUT)

        def pending():
            if self.proc.poll() is not None:
                raise BenchError(f"haproxy in {gateway} exited with status {self.proc.returncode}: "
                                 f"{self.log_path.read_text()[-1000:]}")
            listening = lab.ns_exec(gateway, "ss", "-Hltn", f"sport = :{PORT}").stdout
            return [] if f"{VIP}:{PORT}" in listening else ["not listening yet"]

        try:
            wait_for(f"haproxy in {gateway} to listen on {VIP}:{PORT}", pending, 10)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        return self.proc.returncode


class KeepalivedPair:
    """haproxy and keepalived in both gateways (see the module's docstring)."""

    def __init__(self, lab, backend):
        self.lab, self.backend = lab, backend
        self.nonlocal_bind = {}  # gateway -> its value before the trial
        self.haproxies, self.keepaliveds = [], []
        self.killed = None
        self.problems = []

    def start(self, ms):
        for gateway in (GATEWAY, GATEWAY2):
            key = "net.ipv4.ip_nonlocal_bind"
            self.nonlocal_bind[gateway] = self.lab.ns_exec(gateway, "sysctl", "-n", key).stdout.strip()
            self.lab.ns_exec(gateway, "sysctl", "-q", "-w", f"{key}=1")
            self.haproxies.append(Haproxy(self.lab, gateway, self.backend))
        ka1 = Keepalived(self.lab, GATEWAY, PRIORITY[GATEWAY], ms)
        self.keepaliveds.append(ka1)
        ka1.wait_state("MASTER", 2 * master_down_ms(ms, PRIORITY[GATEWAY]) / 1000 + 3)
        ka2 = Keepalived(self.lab, GATEWAY2, PRIORITY[GATEWAY2], ms)
        self.keepaliveds.append(ka2)
        ka2.wait_state("BACKUP")
        # keepalived says nothing when it hears an advert: still BACKUP past its
        # Master_Down_Interval, it follows rh-gw1's.
        time.sleep(master_down_ms(ms, PRIORITY[GATEWAY2]) / 1000 + FOLLOW_MARGIN)
        if (ka1.state(), ka2.state()) != ("MASTER", "BACKUP"):
            raise BenchError(f"keepalived: rh-gw1 {ka1.state()}, rh-gw2 {ka2.state()} after start")

    def dead(self):
        """What exited that was not killed on purpose."""
        return [f"{p.gateway}'s {name} exited with status {p.proc.returncode}"
                for name, group in (("haproxy", self.haproxies), ("keepalived", self.keepaliveds))
                for p in group if p is not self.killed and p.proc.poll() is not None]

    def kill(self):
        """SIGKILL to rh-gw1's keepalived processes, not waiting for them (see reap)."""
        self.killed = self.keepaliveds[0]
        self.killed.send_signal(signal.SIGKILL)

    def reap(self):
        self.killed.stop(signal.SIGKILL)

    def stop(self):
        """keepalived stopped (SIGTERM) where it runs, the VIP taken off front0 where a killed
        one left it, haproxy stopped, ip_nonlocal_bind as it was."""
        steps = [(f"keepalived in {k.gateway}", k.stop) for k in reversed(self.keepaliveds)
                 if k.proc.poll() is None]
        steps += [(f"the VIP off {k.gateway}'s front0", k.remove_vip) for k in self.keepaliveds]
        steps += [(f"haproxy in {h.gateway}", h.stop) for h in self.haproxies]
        steps += [(f"ip_nonlocal_bind in {gateway}",
                   lambda g=gateway, v=value: self.lab.ns_exec(g, "sysctl", "-q", "-w",
                                                               f"net.ipv4.ip_nonlocal_bind={v}"))
                  for gateway, value in self.nonlocal_bind.items()]
        for what, step in steps:
            try:
                step()
            except (LabError, OSError, subprocess.SubprocessError) as error:
                self.problems.append(f"stopping {what}: {error}")


def trial(lab, impl, fault, ms, phase, configs, backend, adverts):
    """One trial -> {impl, fault, interval_ms, takeover_ms, ...}, the kill `phase` (0..1) of the
    interval after an advert of rh-gw1's (see the module's docstring)."""
    found = leftovers(lab)
    if found:
        raise BenchError(f"before a {impl} trial: {'; '.join(found)}")
    pair = RedishadPair(lab, configs[ms]) if impl == "redisha" else KeepalivedPair(lab, backend)
    probe = None
    links_down = False
    result = {"impl": impl, "fault": fault, "interval_ms": ms}
    try:
        pair.start(ms)
        probe = Probe()
        probe.wait_through(GATEWAY, WARMUP, 5)
        if pair.dead():
            raise BenchError("; ".join(pair.dead()))
        advert = adverts.next_from(FRONT_ADDR[GATEWAY], 3 * ms / 1000 + 1)
        time.sleep(max(advert + phase * ms / 1000 - time.monotonic(), 0))
        killed = time.monotonic()
        result["kill_after_advert_ms"] = round((killed - advert) * 1000, 1)
        pair.kill()
        if fault == "host-death":
            links_down = True
            links(lab, "down")
            result["kill_to_links_down_ms"] = round((time.monotonic() - killed) * 1000, 1)
        pair.reap()
        first = probe.first_through(GATEWAY2, killed, give_up_s(ms))
        probe.stop()
        # The attempts started between the kill and the takeover, and the replies through rh-gw1
        # after the kill (the dead host's datapath or proxy still serving).
        window = [line for line in probe.seen
                  if killed <= line["sent"] < (first["t"] if first else float("inf"))]
        through_gw1 = [line["t"] for line in probe.seen
                       if line["t"] >= killed and VIA.get(line.get("via")) == GATEWAY]
        result.update({
            "takeover_ms": round((first["t"] - killed) * 1000, 1) if first else None,
            "attempts": len(window),
            "failed_attempts": sum("error" in line for line in window),
            "errors": sorted({line["error"].split(":")[0] for line in window if "error" in line}),
            "last_reply_through_rh_gw1_ms": (round((max(through_gw1) - killed) * 1000, 1)
                                             if through_gw1 else None),
        })
        if first and fault == "daemon-sigkill":
            time.sleep(max(first["t"] + CLAIM_AFTER - time.monotonic(), 0))
            result["dead_host_still_claims_vip"] = answers_for_vip(lab, GATEWAY)
        if pair.dead():  # the other gateway's daemon, or a proxy, died during the trial
            raise BenchError("; ".join(pair.dead()))
    finally:
        if probe:
            probe.stop()
        try:
            if links_down:
                links(lab, "up")
        finally:
            pair.stop()
    if pair.problems:
        raise BenchError("; ".join(pair.problems))
    return result


def median(values):
    """The median with None (no takeover within the bound) counted as longer than any; None
    if that is where the median falls."""
    ordered = sorted(values, key=lambda v: float("inf") if v is None else v)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    low, high = ordered[mid - 1], ordered[mid]
    return None if high is None else round((low + high) / 2, 1)


def summarize(trials, intervals):
    cases = []
    for ms in intervals:
        for fault in FAULTS:
            mine = [t for t in trials if t["interval_ms"] == ms and t["fault"] == fault]
            case = {"name": f"{fault} {ms}ms", "interval_ms": ms, "fault": fault}
            for impl in IMPLS:
                case[f"{impl}_ms"] = [t["takeover_ms"] for t in mine if t["impl"] == impl]
            case["medians_ms"] = {impl: median(case[f"{impl}_ms"]) for impl in IMPLS}
            if fault == "daemon-sigkill":
                case["dead_host_still_claims_vip"] = {
                    impl: [t.get("dead_host_still_claims_vip") for t in mine if t["impl"] == impl]
                    for impl in IMPLS}
            case["trials"] = mine
            cases.append(case)
    return cases


def fmt(value):
    return "none" if value is None else f"{value:.0f}"


def table(cases):
    head = (f"{'case':<22} | {'redisha median':>14} {'min':>6} {'max':>6} | "
            f"{'keepalived median':>17} {'min':>6} {'max':>6} | dead host still claims the VIP")
    lines = [head, "-" * len(head)]
    for case in cases:
        cells = []
        for impl in IMPLS:
            got = [v for v in case[f"{impl}_ms"] if v is not None]
            cells.append((fmt(case["medians_ms"][impl]), fmt(min(got) if got else None),
                          fmt(max(got) if got else None)))
        claims = case.get("dead_host_still_claims_vip")
        claim = (", ".join(f"{impl} {sum(bool(c) for c in claims[impl])}/{len(claims[impl])}"
                           for impl in IMPLS) if claims else "-")
        (rm, rlo, rhi), (km, klo, khi) = cells
        lines.append(f"{case['name']:<22} | {rm:>14} {rlo:>6} {rhi:>6} | "
                     f"{km:>17} {klo:>6} {khi:>6} | {claim}")
    return "\n".join(lines)


def interval_configs(lab, intervals):
    """{ms: (rh-gw1's config, rh-gw2's)}: the lab's for 100 ms, copies with advert-ms ms else."""
    configs = {}
    for ms in intervals:
        if ms == 100:
            configs[ms] = (CONFIG, CONFIG2)
            continue
        pair = []
        for config in (CONFIG, CONFIG2):
            text, n = re.subn(r"^(vrrp\s.*\badvert-ms\s+)100\b", rf"\g<1>{ms}",
                              config.read_text(), flags=re.M)
            if n != 1:
                raise BenchError(f"{config}: no `vrrp ... advert-ms 100` line to rewrite")
            copy = lab.state / f"bench-ha-{ms}ms-{config.name}"
            copy.write_text(text)
            pair.append(copy)
        configs[ms] = tuple(pair)
    return configs


def bench(out, reps, intervals):
    lab = Lab()
    failures = []
    adverts = None
    try:
        lab.up()
        configs = interval_configs(lab, intervals)
        backend = lab.sentinel_master("rh-sen1", SHARD)
        if not backend:
            raise BenchError(f"Sentinel rh-sen1 names no master of {SHARD}")
        trials = []
        total = len(intervals) * len(FAULTS) * reps * len(IMPLS)
        adverts = AdvertWatch()  # after lab.up: rh-client exists
        for ms in intervals:
            for fault in FAULTS:
                for rep in range(reps):
                    phase = (rep + 0.5) / reps
                    for impl in (IMPLS if rep % 2 == 0 else IMPLS[::-1]):
                        started = time.monotonic()
                        result = trial(lab, impl, fault, ms, phase, configs, backend, adverts)
                        result["rep"] = rep
                        trials.append(result)
                        claim = result.get("dead_host_still_claims_vip")
                        print(f"  [{len(trials):>2}/{total}] {fault} {ms}ms {impl:<10} "
                              f"takeover {fmt(result['takeover_ms']):>5} ms, "
                              f"{result['failed_attempts']}/{result['attempts']} attempts failed"
                              + ("" if claim is None else f", dead host still claims the VIP: {claim}")
                              + f" ({time.monotonic() - started:.1f} s)", flush=True)
        cases = summarize(trials, intervals)
        write_results(out, cases, probe={"every_ms": PROBE_EVERY_MS, "timeout_s": PROBE_TIMEOUT,
                                         "port": PORT})
        print(f"\ntakeover (ms) = kill -> first reply through rh-gw2, {reps} trials each; "
              f"none = no reply within the bound\n{table(cases)}\n-> {out}")
    except (BenchError, LabError, OSError, subprocess.SubprocessError) as error:
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        if adverts:
            adverts.close()
        take_down(lab, failures)
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "build" / "bench" / "ha.json")
    parser.add_argument("--reps", type=int, default=REPS, help=f"trials per case and implementation "
                        f"(default {REPS})")
    parser.add_argument("--intervals", default=",".join(map(str, INTERVALS)),
                        help="advertisement intervals in ms, comma-separated, multiples of 10 "
                        "(default 100,1000)")
    args = parser.parse_args(argv)
    intervals = [int(ms) for ms in args.intervals.split(",")]
    if args.reps < 1 or any(ms < 10 or ms % 10 for ms in intervals):
        parser.error("--reps must be at least 1, intervals multiples of 10 ms")
    return run("bench-ha", lambda: bench(args.out, args.reps, intervals))


if __name__ == "__main__":
    sys.exit(main())
