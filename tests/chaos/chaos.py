#!/usr/bin/python3
"""The chaos run (issue 8): writers through both paths of the lab's gateway while faults hit the
fleet one at a time, then every acknowledged write is read back.

    make chaos     CHAOS_FAULTS=N (default 20), CHAOS_SEED=S (default 1),
                   CHAOS_FOLLOW=switch-master|promoted (redishad's sentinel-follow, default switch-master)

Two gateways run redishad (VRRP, rh-gw1 the master) and redisha-proxy each. Writers run in
rh-client: one through the XDP path (round-robin over VIP:7001..7003, a key written
through VIP:700N lands on shard sN's master) and one through redisha-proxy (VIP:6379, run with
`proxy-wait-replicas 1 WAIT_MS`). Each writes unique keys chaos:<path>:<seq> = seq every
WRITE_INTERVAL and records every op (start, end, ok, error). Faults (FAULT_KINDS) are chosen by a
seeded RNG; after each the fleet is brought back (the dead daemon restarted) and the run waits until
every shard has a linked replica and all Sentinels agree. A thread per Sentinel timestamps
+switch-master; redishad's log gives "map written N ms after it". After a deposed master comes
back (kill+restart, SIGSTOP, link down) the VIP ports and the proxy are sampled: steering to it
while it says role:master is a dual master.

Writes build/chaos/report.json and prints a table. Exit status 0 unless the harness failed or a
redisha process crashed: the numbers are measurements. tests/e2e/test_chaos.py runs a short run
through run_chaos() on the e2e suite's lab.
"""

import datetime
import json
import logging
import os
import platform
import random
import re
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))

from gateway import (CONFIG, CONFIG2, GATEWAY, GATEWAY2, INSTANCE, INSTANCE2,  # noqa: E402
                     SHARD_PORTS, Redishad, RedishaProxy, ctl, wait_until_serving)
from lab import (BACK_ADDR, ROOT, SENTINEL_PORT, SENTINELS, SHARDS, VIP, Lab,  # noqa: E402
                 LabError, process_alive, wait_for)
from netns import inside  # noqa: E402
from slots import shard_of  # noqa: E402
from vrrp import wait_master, wait_states  # noqa: E402

log = logging.getLogger("redisha.chaos")

CLIENT = "rh-client"
PROXY_PORT = 6379
WAIT_MS = 1000  # proxy-wait-replicas 1 WAIT_MS
WRITE_INTERVAL = 0.015
OP_TIMEOUT = 2.0  # socket timeouts of the writers
RECOVERY_TIMEOUT = 60.0
KILLED_FOR = 3.0  # seconds a SIGKILLed master stays down after the switch (master-kill)
DEPOSED_WATCH = 15.0  # seconds a deposed master that came back is watched
REPORT = ROOT / "build" / "chaos" / "report.json"
FAULT_KINDS = ("master-kill", "master-kill-restart", "master-sigstop", "sentinel-kill",
               "proxy-restart", "master-link-down", "gateway-kill")
ON_BACKUP_FOR = 2.0  # seconds the writers run through rh-gw2 after gateway-kill
SWITCH_LINE = re.compile(r"shard (\S+): master (\S+) -> (\S+), generation (\d+) \((.*)\); "
                         r"map written (\d+) ms after it")
CONFIRM_LINE = re.compile(r"shard (\S+): \+switch-master.* confirms the promotion written (\d+) ms "
                          r"before it")


def host_of(address):
    """The lab host namespace with back address `address` (or "ip:port")."""
    ip = (address or "").split(":")[0]
    return next((ns for ns, a in BACK_ADDR.items() if a == ip), None)


# ---- writers ---------------------------------------------------------------------------------

@dataclass
class Op:
    start: float
    end: float
    shard: str
    key: str
    error: str  # "" when the write got a success reply


class Writer(threading.Thread):
    """Writes chaos:<path>:<seq> = seq from rh-client until stopped. path "xdp" cycles over the
    shard ports (key -> shard sN by port), "proxy" writes through VIP:6379 (shard by keyslot)."""

    def __init__(self, path):
        super().__init__(name=f"writer-{path}", daemon=True)
        self.path = path
        self.ops = []
        self.stopping = threading.Event()
        self.failure = None

    def run(self):
        try:
            with inside(CLIENT):
                if self.path == "xdp":
                    clients = {shard: self._client(port) for shard, port in SHARD_PORTS.items()}
                else:
                    proxy = self._client(PROXY_PORT)
                    clients = {shard: proxy for shard in SHARD_PORTS}
                shards = list(SHARD_PORTS)
                seq = 0
                while not self.stopping.is_set():
                    key = f"chaos:{self.path}:{seq}"
                    shard = shards[seq % len(shards)] if self.path == "xdp" else shard_of(key)
                    start = time.monotonic()
                    try:
                        ok = clients[shard].set(key, seq)
                        error = "" if ok else f"unexpected reply {ok!r}"
                    except redis.RedisError as e:
                        error = f"{type(e).__name__}: {e}"
                    self.ops.append(Op(start, time.monotonic(), shard, key, error))
                    seq += 1
                    time.sleep(WRITE_INTERVAL)
                for client in set(clients.values()):
                    client.close()
        except BaseException as e:  # reported by the harness: a writer must not die silently
            self.failure = e

    @staticmethod
    def _client(port):
        return redis.Redis(host=VIP, port=port, socket_timeout=OP_TIMEOUT,
                           socket_connect_timeout=OP_TIMEOUT)

    def stop(self):
        self.stopping.set()
        self.join(timeout=OP_TIMEOUT * 3)
        if self.is_alive():
            raise RuntimeError(f"{self.name} did not stop")
        if self.failure:
            raise RuntimeError(f"{self.name} failed: {self.failure!r}")


# ---- Sentinel events -------------------------------------------------------------------------

class SwitchWatcher(threading.Thread):
    """Subscribes to one Sentinel's +switch-master from rh-gw1 (reconnecting while it is down) and
    records (monotonic time, shard, old ip, new ip)."""

    def __init__(self, sentinel, events):
        super().__init__(name=f"watch-{sentinel}", daemon=True)
        self.sentinel, self.events = sentinel, events
        self.stopping = threading.Event()

    def run(self):
        with inside("rh-gw1"):
            while not self.stopping.is_set():
                try:
                    client = redis.Redis(host=BACK_ADDR[self.sentinel], port=SENTINEL_PORT,
                                         socket_timeout=1, socket_connect_timeout=1)
                    pubsub = client.pubsub()
                    try:
                        pubsub.subscribe("+switch-master")
                        while not self.stopping.is_set():
                            message = pubsub.get_message(timeout=0.2)
                            if message and message["type"] in ("message", b"message"):
                                shard, old, _, new, _ = message["data"].decode().split()
                                self.events.append((time.monotonic(), shard, old, new))
                    finally:
                        pubsub.close()
                except (redis.RedisError, OSError):
                    self.stopping.wait(0.2)


# ---- the run ---------------------------------------------------------------------------------

@dataclass
class Fault:
    kind: str
    shard: str = None
    target: str = None  # the namespace hit
    start: float = 0.0
    recovered: float = 0.0
    switch: float = None  # first +switch-master seen for the shard after start
    # Sentinel may fail over more than once (a just-promoted master wrongly found down): the
    # last +switch-master before the recovery, and how many masters the shard went through.
    last_switch: float = None
    switches: int = 0
    switch_to_map_ms: int = None
    notes: list = field(default_factory=list)
    resets: dict = field(default_factory=dict)  # the datapath's RST counters that moved
    deposed_samples: int = 0
    deposed_answers: int = 0  # samples in which both VIP:700N and the proxy answered
    dual_master: bool = False
    on_backup: tuple = None  # gateway-kill: (rh-gw2 MASTER, rh-gw1's redishad restarted)
    stranded: int = 0  # gateway-kill: rh-gw1's live flows at the kill (see report())


class Chaos:
    """One chaos run on an up lab: run() starts redishad and the proxy, the writers and the
    faults, reads back and returns the report (a dict). Everything it starts it stops."""

    def __init__(self, lab, faults, seed, kinds=FAULT_KINDS, follow="switch-master", plan=None):
        """faults chosen from kinds by the seeded RNG, or the kinds of `plan` in its order."""
        self.lab, self.seed, self.kinds, self.follow = lab, seed, kinds, follow
        self.plan = list(plan) if plan else None
        self.nfaults = len(self.plan) if plan else faults
        self.rng = random.Random(seed)
        self.faults = []
        self.switch_events = []
        self.crashes = []
        # name -> GatewayProgram, in start order; redishad and redisha-proxy in each gateway.
        self.programs = {}
        self.restarted = set()  # names of the programs a fault restarted

    @property
    def redishad(self):
        return self.programs.get("redishad")

    # -- processes --

    def config(self, name, base, extra):
        path = self.lab.state / f"chaos-{name}.conf"
        path.write_text(base.read_text() + extra)
        return path

    def start_redishad(self, gateway):
        """redishad in `gateway` with the lab's config for it and the run's sentinel-follow; it
        adopts the pins a killed one left (and removes them when stopped)."""
        name = "redishad" if gateway == GATEWAY else f"redishad-{gateway}"
        base = CONFIG if gateway == GATEWAY else CONFIG2
        config = self.config(name, base, f"sentinel-follow {self.follow}\n")
        if name in self.programs:
            self.programs[name].start("--cleanup")
        else:
            self.programs[name] = Redishad(self.lab, "--cleanup", config=config, gateway=gateway)
        return self.programs[name]

    def start_proxy(self, gateway=GATEWAY):
        """redisha-proxy in `gateway`, proxy-wait-replicas 1 WAIT_MS."""
        name = "proxy" if gateway == GATEWAY else f"proxy-{gateway}"
        base = CONFIG if gateway == GATEWAY else CONFIG2
        config = self.config(name, base, f"proxy-wait-replicas 1 {WAIT_MS}\n")
        self.programs[name] = RedishaProxy(self.lab, config=config, gateway=gateway,
                                           name=f"chaos-{name}")
        if gateway == GATEWAY:
            wait_for("redisha-proxy through the VIP", lambda: [] if self.lab.redis_cli(
                CLIENT, VIP, PROXY_PORT, "PING", check=False) == "PONG" else ["no PONG"], 10)

    def wait_vrrp(self, want1, want2):
        """rh-gw1's and rh-gw2's redishad in these VRRP states."""
        wait_states(self.redishad, self.programs[f"redishad-{GATEWAY2}"], want1, want2)

    def check_alive(self, when):
        for name, program in self.programs.items():
            if program.proc.poll() is not None:
                self.crashes.append(f"{name} exited with status {program.proc.returncode} {when}")
                raise RuntimeError(self.crashes[-1])

    def rss_kib(self, daemon):
        for line in Path(f"/proc/{daemon.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return None

    @staticmethod
    def rst_counters():
        """The datapaths' counters of TCP resets (tx_rst_*, fwd_rst_failover) from redisha-ctl,
        summed over both gateways."""
        total = {}
        for gateway, instance in ((GATEWAY, INSTANCE), (GATEWAY2, INSTANCE2)):
            counters = json.loads(ctl("--json", "stats", gateway=gateway,
                                      instance=instance).stdout)["counters"]
            for name, c in counters.items():
                if "rst" in name:
                    total[name] = total.get(name, 0) + c["value"]
        return total

    @staticmethod
    def live_flows():
        return json.loads(ctl("--json", "status").stdout).get("flows")

    def resources(self):
        """RSS of every program (KiB) and rh-gw1's live flows."""
        status = json.loads(ctl("--json", "status").stdout)
        found = {f"{name}_rss_kib": self.rss_kib(program) for name, program in self.programs.items()}
        found.update(flows=status.get("flows"), flow_entries=status.get("flow_entries"))
        return found

    # -- fleet --

    def master_of(self, shard):
        """The host most Sentinels name master of shard (None while they do not agree by majority)."""
        named = [a for a in self.lab.sentinel_masters(shard).values() if a]
        best = max(set(named), key=named.count) if named else None
        return host_of(best) if best and named.count(best) >= 2 else None

    def wait_switched(self, shard, old_host, timeout=20.0):
        wait_for(f"Sentinels to move {shard} off {old_host}", lambda: [] if (
            self.master_of(shard) not in (None, old_host)) else ["not yet"], timeout, interval=0.1)

    def wait_healthy(self):
        def pending():
            problems = [f"{r.shard}: master {r.master} link {r.link} {r.agreeing} agree"
                        for r in self.lab.status() if not r.healthy]
            problems += [f"{ns} down" for ns in (*SENTINELS, *(h for p in SHARDS.values() for h in p))
                         if ns not in self.lab.pids()]
            return problems
        wait_for("the fleet to recover", pending, RECOVERY_TIMEOUT, interval=0.25)

    # -- faults --

    def inject(self, fault):
        lab = self.lab
        if fault.kind == "sentinel-kill":
            fault.target = self.rng.choice(SENTINELS)
            pid = lab.pids()[fault.target]
            fault.start = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            wait_for("the Sentinel to exit", lambda: ["alive"] if process_alive(pid) else [], 10)
            time.sleep(1.0)
            lab.restart_redis(fault.target)
            return
        if fault.kind == "proxy-restart":
            fault.start = time.monotonic()
            self.programs["proxy"].stop(signal.SIGKILL)
            self.start_proxy()
            self.restarted.add("proxy")
            return
        if fault.kind == "gateway-kill":
            # The master gateway's redishad dies; its datapath and proxy stay, the dead-man
            # switch ends its ARP answers and rh-gw2 takes over. Then it comes back (adopting its
            # pins) and preempts: both moves reset the flows of the other gateway.
            fault.target = GATEWAY
            fault.stranded = self.live_flows()
            fault.start = time.monotonic()
            self.redishad.stop(signal.SIGKILL)
            self.wait_vrrp("dead", "MASTER")
            took_over = time.monotonic()
            time.sleep(ON_BACKUP_FOR)
            fault.on_backup = (took_over, time.monotonic())
            self.start_redishad(GATEWAY)
            self.restarted.add("redishad")
            self.wait_vrrp("MASTER", "BACKUP")
            return
        fault.shard = self.rng.choice(list(SHARDS))
        fault.target = self.master_of(fault.shard)
        if fault.target is None:
            raise LabError(f"{fault.shard}: Sentinels do not agree on a master")
        fault.start = time.monotonic()
        if fault.kind == "master-kill":
            lab.kill_redis(fault.target)
            self.wait_switched(fault.shard, fault.target)
            time.sleep(KILLED_FOR)  # the shard runs without a replica for a while
            lab.restart_redis(fault.target)  # it comes back a master with its old data
            self.watch_deposed(fault)
        elif fault.kind == "master-kill-restart":
            lab.kill_redis(fault.target)
            self.wait_switched(fault.shard, fault.target)
            lab.restart_redis(fault.target)  # a master with its old data until Sentinel converts it
            self.watch_deposed(fault)
        elif fault.kind == "master-sigstop":
            lab.kill_redis(fault.target, signal.SIGSTOP, wait=False)
            try:
                self.wait_switched(fault.shard, fault.target)
            finally:
                lab.kill_redis(fault.target, signal.SIGCONT, wait=False)
            self.watch_deposed(fault)
        elif fault.kind == "master-link-down":
            lab.ns_exec(fault.target, "ip", "link", "set", "eth0", "down")
            try:
                time.sleep(3.0)
            finally:
                lab.ns_exec(fault.target, "ip", "link", "set", "eth0", "up")
            self.watch_deposed(fault)
        else:
            raise ValueError(fault.kind)

    def watch_deposed(self, fault):
        """For DEPOSED_WATCH seconds after the old master is back (or until it is a replica): what
        answers through VIP:700N and whom the proxy names. Steered to the deposed host while it
        says role:master and the Sentinels name another: a dual master."""
        port = SHARD_PORTS[fault.shard]
        deposed = fault.target
        deadline = time.monotonic() + DEPOSED_WATCH
        with inside(CLIENT):
            via_vip = redis.Redis(host=VIP, port=port, socket_timeout=1, socket_connect_timeout=1)
            via_proxy = redis.Redis(host=VIP, port=PROXY_PORT, socket_timeout=1, socket_connect_timeout=1)
            try:
                while time.monotonic() < deadline:
                    deposed_info = self.lab.redis_info(deposed, "server")
                    deposed_role = self.lab.redis_info(deposed).get("role")
                    sentinel_master = self.master_of(fault.shard)
                    steered, answered = [], 0
                    try:
                        if via_vip.info("server").get("run_id") == deposed_info.get("run_id"):
                            steered.append(f"VIP:{port}")
                        answered += 1
                    except redis.RedisError:
                        pass
                    try:
                        named = via_proxy.info().get(f"shard_{fault.shard}", {})
                        if isinstance(named, dict) and host_of(named.get("master")) == deposed:
                            steered.append("proxy")
                        answered += 1
                    except redis.RedisError:
                        pass
                    fault.deposed_answers += answered == 2
                    fault.deposed_samples += 1
                    if steered and deposed_role == "master" and sentinel_master not in (None, deposed):
                        fault.dual_master = True
                        fault.notes.append(f"{'+'.join(steered)} led to deposed {deposed} (role master)")
                    if deposed_role == "slave" and fault.deposed_samples > 1:
                        break
                    time.sleep(0.2)
            finally:
                via_vip.close()
                via_proxy.close()

    def after_fault(self, fault, log_offset):
        """The switch timings of fault from the Sentinel events and redishad's log."""
        if fault.shard is None:
            return
        events = sorted((t, new) for t, shard, _, new in self.switch_events
                        if shard == fault.shard and t >= fault.start)
        fault.switch = events[0][0] if events else None
        fault.last_switch = events[-1][0] if events else None
        # Each Sentinel announces a switch: count the changes of the named master.
        fault.switches = sum(1 for i, (_, new) in enumerate(events)
                             if i == 0 or new != events[i - 1][1])
        if fault.switches > 1:
            fault.notes.append(f"Sentinel failed over {fault.switches} times: "
                               f"{' -> '.join(new for i, (_, new) in enumerate(events) if i == 0 or new != events[i - 1][1])}")
        text = self.redishad.log()[log_offset:]
        for match in SWITCH_LINE.finditer(text):
            if match.group(1) == fault.shard:
                fault.switch_to_map_ms = int(match.group(6))
                fault.notes.append(f"redishad: {match.group(5)}")
                break
        for match in CONFIRM_LINE.finditer(text):  # sentinel-follow promoted: written before it
            if match.group(1) == fault.shard:
                fault.switch_to_map_ms = -int(match.group(2))
                fault.notes.append(f"redishad: map written {match.group(2)} ms before +switch-master")
                break

    # -- run --

    def run(self):
        lab = self.lab
        watchers = [SwitchWatcher(sen, self.switch_events) for sen in SENTINELS]
        writers = [Writer("xdp"), Writer("proxy")]
        started = time.monotonic()
        try:
            # rh-gw1 first, MASTER before rh-gw2 starts (as tests/lab/vrrp.py's start_pair).
            wait_master(self.start_redishad(GATEWAY))
            self.start_redishad(GATEWAY2)
            self.wait_vrrp("MASTER", "BACKUP")
            wait_until_serving(lab)
            self.start_proxy(GATEWAY2)
            self.start_proxy()
            for thread in watchers + writers:
                thread.start()
            time.sleep(3.0)
            baseline = self.resources()
            for n in range(self.nfaults):
                fault = Fault(self.plan[n] if self.plan else self.rng.choice(self.kinds))
                self.faults.append(fault)
                log_offset = len(self.redishad.log())
                resets = self.rst_counters()
                log.info("fault %d/%d: %s", n + 1, self.nfaults, fault.kind)
                self.inject(fault)
                self.wait_healthy()
                time.sleep(1.0)  # the writers show the recovered fleet
                fault.recovered = time.monotonic()
                self.after_fault(fault, log_offset)
                fault.resets = {name: value - resets.get(name, 0)
                                for name, value in self.rst_counters().items() if value != resets.get(name, 0)}
                self.check_alive(f"after fault {n + 1} ({fault.kind})")
            final = self.resources()
        finally:
            for thread in writers:
                thread.stopping.set()
            for thread in watchers:
                thread.stopping.set()
        for thread in writers:
            thread.stop()
        for thread in watchers:
            thread.join(timeout=5)
        self.check_alive("at the end")
        lost = {w.path: self.read_back(w) for w in writers}
        return self.report(writers, lost, baseline, final, time.monotonic() - started)

    def stop(self):
        """Stops every program run() got to start, the last started first; their exit statuses."""
        return {name: self.programs[name].stop() for name in reversed(self.programs)}

    def read_back(self, writer):
        """The acknowledged writes of writer not found with their value: XDP-path keys on their
        shard's current master through VIP:700N, proxy keys through the proxy."""
        acked = [op for op in writer.ops if not op.error]
        lost = []
        with inside(CLIENT):
            clients = {shard: redis.Redis(host=VIP, port=PROXY_PORT if writer.path == "proxy" else port,
                                          socket_timeout=10) for shard, port in SHARD_PORTS.items()}
            try:
                for shard, client in clients.items():
                    ops = [op for op in acked if op.shard == shard]
                    for start in range(0, len(ops), 500):
                        batch = ops[start:start + 500]
                        values = client.mget([op.key for op in batch])
                        lost += [op for op, value in zip(batch, values)
                                 if value != op.key.rpartition(":")[2].encode()]
            finally:
                for client in clients.values():
                    client.close()
        return lost

    # -- report --

    def outage(self, writer, fault):
        """ms from the first failed op after fault.start to the first success after it (only the
        fault's shard for shard faults), 0 if none failed; and the same to the first reply that
        was not a connection error (NOREPL: the write reached a master but no replica)."""
        ops = [op for op in writer.ops if fault.start <= op.start < (fault.recovered or float("inf"))
               and (fault.shard is None or op.shard == fault.shard)]
        first_fail = next((op for op in ops if op.error), None)
        if first_fail is None:
            return 0, 0, None
        after = [op for op in ops if op.start > first_fail.start]
        ok = next((op for op in after if not op.error), None)
        served = next((op for op in after if not op.error or "NOREPL" in op.error), None)

        def ms(end):
            return round(((end if end else fault.recovered) - first_fail.start) * 1000)
        # served: when the op that reached a master was sent (a NOREPL reply comes WAIT_MS later)
        return ms(ok and ok.end), ms(served and served.start), first_fail.start

    def report(self, writers, lost, baseline, final, seconds):
        faults = []
        for fault in self.faults:
            entry = {"kind": fault.kind, "shard": fault.shard, "target": fault.target,
                     "outage_ms": {}, "served_ms": {}, "errors": {}}
            first_fail = []
            for w in writers:
                outage, served, first = self.outage(w, fault)
                entry["outage_ms"][w.path], entry["served_ms"][w.path] = outage, served
                if first:
                    first_fail.append(first)
                errors = [op.error for op in w.ops if fault.start <= op.start < fault.recovered]
                entry["errors"][w.path] = summarize(errors)
                entry.setdefault("acked_lost", {})[w.path] = sum(
                    1 for op in lost[w.path] if fault.start <= op.start < fault.recovered)
            entry["fault_to_switch_ms"] = ms_between(fault.start, fault.switch)
            entry["fault_to_last_switch_ms"] = ms_between(fault.start, fault.last_switch)
            entry["sentinel_failovers"] = fault.switches
            entry["switch_to_map_ms"] = fault.switch_to_map_ms
            first_ok = [op.end for w in writers for op in w.ops if fault.switch and op.start > fault.switch
                        and not op.error and op.shard == fault.shard]
            entry["switch_to_first_success_ms"] = ms_between(fault.switch, min(first_ok) if first_ok else None)
            entry["recovery_s"] = round(fault.recovered - fault.start, 1)
            entry["flows_reset"] = fault.resets
            entry["dual_master_seen"] = fault.dual_master
            entry["deposed_samples"] = fault.deposed_samples
            entry["deposed_samples_answered"] = fault.deposed_answers
            entry["notes"] = fault.notes
            if fault.on_backup:
                # rh-gw1's flows at the kill stay in its table until flow-timeout: their
                # clients were reset by rh-gw2 and reconnected, and rh-gw1 never saw them close.
                entry["flows_stranded"] = fault.stranded
                took_over, back = fault.on_backup
                entry["acked_through_rh_gw2"] = {w.path: sum(
                    1 for op in w.ops if took_over <= op.start and op.end <= back and not op.error)
                    for w in writers}
            faults.append(entry)
        totals = {}
        for w in writers:
            acked = sum(1 for op in w.ops if not op.error)
            totals[w.path] = {"ops": len(w.ops), "acked": acked, "acked_lost": len(lost[w.path]),
                              "lost_keys": [op.key for op in lost[w.path][:20]],
                              "max_outage_ms": max((f["outage_ms"][w.path] for f in faults), default=0),
                              "errors": summarize([op.error for op in w.ops if op.error])}
        switch_ms = [f["switch_to_map_ms"] for f in faults if f["switch_to_map_ms"] is not None]
        totals["max_switch_to_map_ms"] = max(switch_ms, default=None)
        totals["dual_master_seen"] = any(f.dual_master for f in self.faults)
        totals["crashes"] = len(self.crashes)
        resources = {"baseline": baseline, "end": final, "restarted": sorted(self.restarted)}
        for name in baseline:
            if baseline[name] and final[name] is not None:
                resources[f"{name}_change"] = round(final[name] / baseline[name] - 1, 3)
        return {"seed": self.seed, "faults_requested": self.nfaults,
                "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
                           f"Linux {platform.release()}",
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "duration_s": round(seconds, 1), "proxy_wait_replicas": f"1 {WAIT_MS}",
                "sentinel_follow": self.follow,
                "down_after_ms": self.lab.down_after_ms,
                "faults": faults, "totals": totals, "resources": resources, "crashes": self.crashes}


def ms_between(a, b):
    return None if a is None or b is None else round((b - a) * 1000)


def summarize(errors):
    """{error kind: count}: the error's first words (class and Redis error code)."""
    counts = {}
    for error in errors:
        kind = " ".join(error.split()[:2]).rstrip(":")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def format_table(report):
    """The report as text: one line per fault, then the totals."""
    def cell(value):
        return "-" if value is None else str(value)
    lines = [f"{'#':>2} {'fault':<20} {'shard':<5} {'xdp out':>8} {'proxy out':>9} {'proxy srv':>9} "
             f"{'f->switch':>9} {'sw->map':>7} {'sw->ok':>7} {'lost x/p':>8} {'rst':>4} {'dual':>4}"]
    for n, f in enumerate(report["faults"], 1):
        lost = f"{f['acked_lost']['xdp']}/{f['acked_lost']['proxy']}"
        lines.append(
            f"{n:>2} {f['kind']:<20} {cell(f['shard']):<5} {f['outage_ms']['xdp']:>8} "
            f"{f['outage_ms']['proxy']:>9} {f['served_ms']['proxy']:>9} {cell(f['fault_to_switch_ms']):>9} "
            f"{cell(f['switch_to_map_ms']):>7} {cell(f['switch_to_first_success_ms']):>7} {lost:>8} "
            f"{sum(f['flows_reset'].values()):>4} "
            f"{'YES' if f['dual_master_seen'] else 'no':>4}")
    t = report["totals"]
    for path in ("xdp", "proxy"):
        lines.append(f"{path}: {t[path]['acked']} acked of {t[path]['ops']} writes, "
                     f"{t[path]['acked_lost']} acked lost, max outage {t[path]['max_outage_ms']} ms, "
                     f"errors {t[path]['errors']}")
    lines.append(f"max +switch-master -> map written {t['max_switch_to_map_ms']} ms; dual master seen: "
                 f"{t['dual_master_seen']}; crashes: {t['crashes']}")
    lines.append(f"resources (baseline -> end): {report['resources']}")
    lines.append(f"seed {report['seed']}, sentinel-follow {report['sentinel_follow']}, "
                 f"{len(report['faults'])} faults in {report['duration_s']} s, "
                 f"{report['machine']}, {report['date']}")
    return "\n".join(lines)


def run_chaos(lab, faults, seed, kinds=FAULT_KINDS, report_path=REPORT, follow="switch-master",
              plan=None):
    """One run on an up lab; writes report_path and returns the report. Raises if the harness or
    a redisha process failed."""
    chaos = Chaos(lab, faults, seed, kinds, follow, plan)
    try:
        report = chaos.run()
    finally:
        statuses = chaos.stop()
        # The programs' logs beside the report: the lab's state goes with the next `up`.
        logs = report_path.parent / f"{report_path.stem}-logs"
        logs.mkdir(parents=True, exist_ok=True)
        for program in chaos.programs.values():
            shutil.copyfile(program.log_path, logs / program.log_path.name)
    report["exit_statuses"] = statuses
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main():
    logging.basicConfig(level=logging.INFO, format="chaos: %(message)s")
    faults = int(os.environ.get("CHAOS_FAULTS", "20"))
    seed = int(os.environ.get("CHAOS_SEED", "1"))
    follow = os.environ.get("CHAOS_FOLLOW", "switch-master")
    lab = Lab()
    try:
        lab.up()
        report = run_chaos(lab, faults, seed, follow=follow)
    except Exception as error:
        log.exception("chaos run failed: %s", error)
        return 1
    finally:
        lab.down()
    print(format_table(report))
    print(f"report: {REPORT}")
    if report["crashes"] or any(status not in (0, None) for status in report["exit_statuses"].values()):
        print(f"FAILED: a redisha process crashed or exited badly: {report['crashes']} "
              f"{report['exit_statuses']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
