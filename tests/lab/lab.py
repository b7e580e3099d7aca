#!/usr/bin/python3
"""The redisha lab: Redis shards, Sentinels, gateways and a client in network namespaces.

CLI:  lab.py up | down | status      (run as root; see tests/lab/README.md)

Topology (DESIGN.md §8). The switch namespace rh-sw holds two bridges:
  front 198.18.0.0/24  rh-client .10, rh-gw1 .2, rh-gw2 .3 (the VIP .100 is left to the gateways)
  back  198.18.1.0/24  rh-gw1 .2, rh-gw2 .3, shards s1..s3 on rh-sNa .N1 (master) and
                       rh-sNb .N2 (replica), Sentinels rh-sen1..3 .41-.43
Every host joins a bridge through a veth pair; the switch-side peers of the gateways' veths get
`tx off` and an XDP_PASS program, as the XDP datapath needs (xdp-veth-facts.md).

State (configs, recorded command lines, pid files, logs, data) lives in build/lab/<namespace>/ and
is kept after `down` for post-mortems; `up` starts from a fresh directory.

Python API (the e2e tests import this module):
  lab = Lab()                      up(), down(), status() -> [ShardStatus], pids() -> {ns: pid},
                                   namespaces() -> the rh- namespaces that exist
  lab.ns_exec(ns, *argv)           run a command in a namespace -> CompletedProcess
  lab.redis_cli(ns, host, port, *args) -> reply text; lab.answers_ping(ns, host, port) -> bool
  lab.redis_info(host_ns, section) -> {field: value} of that host's redis-server
  lab.sentinel_master(sen_ns, shard) -> master address; lab.sentinel_masters(shard) -> {sen_ns: address}
  lab.kill_redis(host_ns, sig), lab.restart_redis(host_ns)
  wait_for(what, pending, timeout), process_alive(pid), format_status(rows), LabError
  Addresses: FRONT_ADDR / BACK_ADDR {namespace: address}, SHARDS, SENTINELS, VIP, *_PORT.
"""

import argparse
import collections
import concurrent.futures
import fcntl
import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("redisha.lab")

ROOT = Path(__file__).resolve().parents[2]
NS_PREFIX = "rh-"
SWITCH = "rh-sw"
BRIDGES = ("front", "back")
PREFIX_LEN = 24
VIP = "198.18.0.100"
REDIS_PORT = 6379
SENTINEL_PORT = 26379
QUORUM = 2
BPF_FS = Path("/sys/fs/bpf")
BPF_PIN_DIR = BPF_FS / "redisha"
LOCK_PATH = Path("/run/lock/redisha-lab.lock")  # machine-wide: one lab whatever the checkout
DAEMONS = ("redis-server", "redis-sentinel")


@dataclass(frozen=True)
class Link:
    """A veth pair: `ifname` with `address` in host namespace `ns`, `port` on `bridge` in rh-sw."""

    ns: str
    ifname: str
    port: str
    bridge: str
    address: str


LINKS = (
    Link("rh-client", "eth0", "client", "front", "198.18.0.10"),
    Link("rh-gw1", "front0", "gw1-front", "front", "198.18.0.2"),
    Link("rh-gw1", "back0", "gw1-back", "back", "198.18.1.2"),
    Link("rh-gw2", "front0", "gw2-front", "front", "198.18.0.3"),
    Link("rh-gw2", "back0", "gw2-back", "back", "198.18.1.3"),
    Link("rh-s1a", "eth0", "s1a", "back", "198.18.1.11"),
    Link("rh-s1b", "eth0", "s1b", "back", "198.18.1.12"),
    Link("rh-s2a", "eth0", "s2a", "back", "198.18.1.21"),
    Link("rh-s2b", "eth0", "s2b", "back", "198.18.1.22"),
    Link("rh-s3a", "eth0", "s3a", "back", "198.18.1.31"),
    Link("rh-s3b", "eth0", "s3b", "back", "198.18.1.32"),
    Link("rh-sen1", "eth0", "sen1", "back", "198.18.1.41"),
    Link("rh-sen2", "eth0", "sen2", "back", "198.18.1.42"),
    Link("rh-sen3", "eth0", "sen3", "back", "198.18.1.43"),
)
FRONT_ADDR = {link.ns: link.address for link in LINKS if link.bridge == "front"}
BACK_ADDR = {link.ns: link.address for link in LINKS if link.bridge == "back"}
GATEWAYS = ("rh-gw1", "rh-gw2")
SHARDS = {"s1": ("rh-s1a", "rh-s1b"), "s2": ("rh-s2a", "rh-s2b"), "s3": ("rh-s3a", "rh-s3b")}
"""Shard name -> (host of the initial master, host of the initial replica)."""
REDIS_HOSTS = tuple(host for pair in SHARDS.values() for host in pair)
SENTINELS = ("rh-sen1", "rh-sen2", "rh-sen3")
NAMESPACES = (SWITCH, *dict.fromkeys(link.ns for link in LINKS))


class LabError(Exception):
    """A lab step failed; the message names the step, and for commands their output."""


@dataclass(frozen=True)
class ShardStatus:
    """One shard as the lab sees it: whom the Sentinels name master and how the replica follows."""

    shard: str
    master: str  # host namespace of the master most Sentinels name, "?" if none answers
    replica: str  # the shard's other host
    link: str  # the replica's master_link_status, "?" when it does not answer
    agreeing: int  # Sentinels naming that master

    @property
    def healthy(self):
        """Replica linked and every Sentinel agreeing."""
        return self.link == "up" and self.agreeing == len(SENTINELS)


def run(argv, check=True, timeout=10.0):
    """Runs argv capturing text output. With check, failure raises LabError showing the command,
    its exit status, stdout and stderr; without, a timeout comes back as returncode None."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        proc = subprocess.CompletedProcess(argv, None, expired.stdout or "", f"timed out after {timeout:g} s")
    if check and proc.returncode != 0:
        raise LabError(
            f"command failed (exit status {proc.returncode}): {shlex.join(argv)}\n"
            f"stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}"
        )
    return proc


def wait_for(what, pending, timeout, interval=0.05):
    """Polls pending(), which lists what is not ready yet, until it returns nothing.
    On timeout raises LabError naming `what` and the last list, so the error says what is stuck."""
    deadline = time.monotonic() + timeout
    while True:
        problems = pending()
        if not problems:
            return
        if time.monotonic() >= deadline:
            raise LabError(f"{what}: not ready after {timeout:g} s: " + "; ".join(problems))
        time.sleep(interval)


def parallel(fn, items):
    """fn(item) for every item, concurrently, results in order. Threads suffice: the work is
    done by the subprocesses they wait on."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(len(items), 1)) as pool:
        return list(pool.map(fn, items))


def process_alive(pid):
    """True while pid exists and is not a zombie (dead daemons are reparented to an init that
    reaps them late, so /proc/PID alone is not proof of life)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _proc_cmdline(pid):
    """pid's command line as one string, "" when it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _is_lab_daemon(pid):
    """Whether pid is a live redis-server/redis-sentinel outside our own network namespace: the
    only processes the lab may signal (a pid file can be stale and its pid reused by anything)."""
    try:
        netns = os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return False
    name = os.path.basename(_proc_cmdline(pid).split(" ")[0])  # Redis's title: "redis-server ADDR:PORT"
    return name in DAEMONS and netns != os.readlink("/proc/self/ns/net") and process_alive(pid)


def _stop(pids, grace=5.0, resend=0.5):
    """SIGTERM, repeated every `resend` seconds (redis-server ignores one that comes while it
    writes its initial AOF after a full sync), then SIGKILL for what is left after `grace`
    seconds; raises LabError if anything survives that too."""
    alive = [pid for pid in pids if process_alive(pid)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if alive and sig == signal.SIGKILL:
            log.warning("pids %s ignored SIGTERM for %g s: sending SIGKILL", alive, grace)
        deadline = time.monotonic() + grace
        next_signal = 0.0
        while alive and time.monotonic() < deadline:
            if time.monotonic() >= next_signal:
                for pid in alive:
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
                next_signal = time.monotonic() + resend
            time.sleep(0.05)
            alive = [pid for pid in alive if process_alive(pid)]
    if alive:
        raise LabError(f"pids {alive} survived SIGKILL")


def _parse_info(text):
    """INFO's "field:value" lines as a dict."""
    fields = (line.partition(":") for line in text.splitlines() if ":" in line and not line.startswith("#"))
    return {key: value.strip() for key, _, value in fields}


def format_status(rows):
    """The fleet table printed by `up` and `status`."""
    lines = [f"{'shard':<6} {'master':<20} {'replica':<20} {'link':<5} sentinels"]
    for row in rows:
        hosts = [f"{ns} {BACK_ADDR.get(ns, '')}".strip() for ns in (row.master, row.replica)]
        agree = f"{row.agreeing}/{len(SENTINELS)} agree"
        lines.append(f"{row.shard:<6} {hosts[0]:<20} {hosts[1]:<20} {row.link:<5} {agree}")
    return "\n".join(lines)


class Lab:
    """The lab on this machine. Only one can be up at a time: namespace names are fixed."""

    def __init__(self, root=ROOT, down_after_ms=1000, failover_timeout_ms=10000, ready_timeout=30.0):
        """root: the repository (state goes to root/build/lab, the XDP object is read from
        root/build/bpf); down_after_ms, failover_timeout_ms: the Sentinels' settings for every
        shard; ready_timeout: seconds up waits for each stage (daemons, replication, Sentinels)."""
        self.root = Path(root)
        self.state = self.root / "build" / "lab"
        self.xdp_object = self.root / "build" / "bpf" / "xdp_pass.bpf.o"
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms
        self.ready_timeout = ready_timeout

    # ---- commands -------------------------------------------------------------------------

    def ns_exec(self, ns, *argv, check=True, timeout=10.0):
        """Runs argv inside namespace ns (see run())."""
        return run(["ip", "netns", "exec", ns, *argv], check=check, timeout=timeout)

    def redis_cli(self, ns, host, port, *args, check=True, timeout=5.0):
        """redis-cli from namespace ns; returns its output. Error replies come back as text
        ("ERR ..."); with check, failing to connect raises LabError."""
        proc = self.ns_exec(ns, "redis-cli", "-h", host, "-p", str(port), *args, check=check, timeout=timeout)
        return proc.stdout.strip()

    def answers_ping(self, ns, host, port):
        """Whether the server at host:port, seen from ns, answers PING (not LOADING, not down)."""
        return self.redis_cli(ns, host, port, "PING", check=False) == "PONG"

    def redis_info(self, host_ns, section="replication"):
        """INFO section of host_ns's redis-server as a dict; empty when it does not answer."""
        reply = self.redis_cli(host_ns, BACK_ADDR[host_ns], REDIS_PORT, "INFO", section, check=False)
        return _parse_info(reply)

    def sentinel_master(self, sen_ns, shard):
        """The master address Sentinel sen_ns gives for shard; None if it does not answer or know."""
        reply = self._sentinel_json(sen_ns, "get-master-addr-by-name", shard)
        return reply[0] if reply else None

    def sentinel_masters(self, shard):
        """{Sentinel namespace: master address it gives for shard}, asked of all at once."""
        return dict(zip(SENTINELS, parallel(lambda sen: self.sentinel_master(sen, shard), SENTINELS)))

    def _sentinel_views(self):
        """Per Sentinel, {shard: SENTINEL masters entry}; empty for a Sentinel that does not answer."""
        views = parallel(lambda sen: self._sentinel_json(sen, "masters") or [], SENTINELS)
        return [{master["name"]: master for master in view} for view in views]

    def _sentinel_json(self, sen_ns, *args):
        """A SENTINEL subcommand's reply decoded from redis-cli --json; None when there is none."""
        address = BACK_ADDR[sen_ns]
        reply = self.redis_cli(sen_ns, address, SENTINEL_PORT, "--json", "SENTINEL", *args, check=False)
        try:
            return json.loads(reply)
        except ValueError:
            return None

    @staticmethod
    def _ip(ns, *args):
        """`ip -n ns ARGS`, checked."""
        return run(["ip", "-n", ns, *args])

    # ---- lifecycle ------------------------------------------------------------------------

    def _acquire(self):
        """Takes the machine-wide lab lock (LOCK_PATH, the same for every checkout), waiting for
        another process's lab to come down: namespace names are fixed, so two labs at once would
        tear each other down. Held from up() to down(), or to the end of the holding process."""
        if getattr(self, "_lock", None):
            return
        LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
        lock = open(LOCK_PATH, "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another process holds the lab: waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        self._lock = lock

    def _release(self):
        lock, self._lock = getattr(self, "_lock", None), None
        if lock:
            lock.close()

    def up(self):
        """Builds the network, starts Redis and Sentinels and waits until the fleet is ready for
        a failover. A lab that is (partly) up is taken down first; if up fails, it tears down
        what it made and raises LabError. Waits while another process holds the lab."""
        self._preflight()
        self._acquire()
        if self.namespaces() or self.pids():
            log.warning("the lab is (partly) up: taking it down first")
            self._teardown()
        started = time.monotonic()
        try:
            shutil.rmtree(self.state, ignore_errors=True)
            self._mount_bpffs()
            self._build_network()
            self._start_fleet()
        except BaseException:
            log.error("lab up failed: tearing down what it made (logs stay in %s)", self.state)
            self._teardown()
            self._release()
            raise
        log.info("lab up in %.1f s", time.monotonic() - started)

    def down(self):
        """Stops the lab's daemons, deletes every rh- namespace and the bpffs pins. Safe to run
        twice or after a half-failed up; never signals a process that is not a lab daemon, and
        waits while another process holds the lab."""
        self._acquire()
        try:
            self._teardown()
        finally:
            self._release()

    def _teardown(self):
        namespaces = self.namespaces()
        daemons, strangers = set(), set()
        for pid in set(self.pids().values()) | {pid for ns in namespaces for pid in self._ns_pids(ns)}:
            (daemons if _is_lab_daemon(pid) else strangers).add(pid)
        for pid in sorted(strangers):
            log.warning("not stopping pid %d (%s): not a lab daemon", pid, _proc_cmdline(pid) or "gone")
        if daemons:
            log.info("stopping %d daemons", len(daemons))
            _stop(daemons)
        for pidfile in self.state.glob("*/*.pid"):
            pidfile.unlink()
        for ns in namespaces:
            run(["ip", "netns", "del", ns])
        shutil.rmtree(BPF_PIN_DIR, ignore_errors=True)
        log.info("lab is down")

    def status(self):
        """[ShardStatus] for every shard, or [] when the lab is down."""
        if not self.namespaces():
            return []
        views = self._sentinel_views()
        rows = []
        for shard, hosts in SHARDS.items():
            named = collections.Counter(view[shard]["ip"] for view in views if shard in view)
            address, agreeing = named.most_common(1)[0] if named else (None, 0)
            master = next((ns for ns in hosts if BACK_ADDR[ns] == address), None)
            if master is None:
                rows.append(ShardStatus(shard, "?", "?", "?", 0))
                continue
            replica = next(ns for ns in hosts if ns != master)
            link = self.redis_info(replica).get("master_link_status", "?")
            rows.append(ShardStatus(shard, master, replica, link, agreeing))
        return rows

    def pids(self):
        """{namespace: pid} of the daemons recorded in the state directory's live pid files."""
        pids = {}
        for pidfile in self.state.glob("*/*.pid"):
            try:
                pid = int(pidfile.read_text())
            except (ValueError, OSError):
                continue
            if _is_lab_daemon(pid):
                pids[pidfile.parent.name] = pid
        return pids

    # ---- faults ---------------------------------------------------------------------------

    def kill_redis(self, host_ns, sig=signal.SIGKILL, wait=True):
        """Sends sig to host_ns's redis-server and returns its pid; with wait (pass False for
        signals that do not end it, e.g. SIGSTOP) returns only once it is gone."""
        pid = self.pids().get(host_ns)
        if pid is None:
            raise LabError(f"{host_ns}: no running redis-server to kill")
        os.kill(pid, sig)
        if wait:
            wait_for(f"{host_ns} redis-server (pid {pid}) to exit",
                     lambda: ["still alive"] if process_alive(pid) else [], 10)
        return pid

    def restart_redis(self, host_ns):
        """(Re)starts host_ns's daemon (redis-server, or redis-sentinel in an rh-senN) with its
        recorded command line and config (which Sentinel may have rewritten) and returns its pid
        once it answers PING."""
        pid = self.pids().get(host_ns)
        if pid is not None:
            _stop([pid])
        pid = self._start_daemon(host_ns)
        port = SENTINEL_PORT if host_ns in SENTINELS else REDIS_PORT
        wait_for(f"{host_ns} {self._daemon(host_ns)[0]} to answer PING",
                 lambda: [] if self.answers_ping(host_ns, "127.0.0.1", port) else ["no PONG"],
                 self.ready_timeout)
        return pid

    # ---- building -------------------------------------------------------------------------

    def _preflight(self):
        """Fails early, before anything is made, on what would make up fail later."""
        if os.geteuid() != 0:
            raise LabError("the lab needs root (network namespaces, XDP)")
        tools = ("ip", "ethtool", "sysctl", "mount", "redis-cli", *DAEMONS)
        missing = [tool for tool in tools if not shutil.which(tool)]
        if missing:
            raise LabError(f"missing tools: {', '.join(missing)} (run tests/deps.sh)")
        if not self.xdp_object.is_file():
            raise LabError(f"{self.xdp_object} is missing: run make first")

    @staticmethod
    def namespaces():
        """The rh- namespaces that exist now."""
        lines = run(["ip", "netns", "list"]).stdout.splitlines()
        return [line.split()[0] for line in lines if line.startswith(NS_PREFIX)]

    @staticmethod
    def _ns_pids(ns):
        """Pids of the processes in namespace ns."""
        return [int(pid) for pid in run(["ip", "netns", "pids", ns], check=False).stdout.split()]

    @staticmethod
    def _mount_bpffs():
        """Mounts bpffs where pins go; these machines boot without it (xdp-veth-facts.md)."""
        if not os.path.ismount(BPF_FS):
            log.info("mounting bpffs on %s", BPF_FS)
            run(["mount", "-t", "bpf", "bpf", str(BPF_FS)])

    def _build_network(self):
        """Namespaces, the switch's bridges, a veth pair per link, the gateway ports' settings."""
        log.info("building %d namespaces", len(NAMESPACES))
        for ns in NAMESPACES:
            run(["ip", "netns", "add", ns])
        parallel(lambda ns: self._ip(ns, "link", "set", "dev", "lo", "up"), NAMESPACES)
        for bridge in BRIDGES:
            self._ip(SWITCH, "link", "add", "name", bridge, "up", "type", "bridge")
        # Bridged frames must skip the host's br_netfilter (lab-facts.md); -e: absent sysctls are fine.
        keys = [f"net.bridge.bridge-nf-call-{table}=0" for table in ("iptables", "ip6tables", "arptables")]
        self.ns_exec(SWITCH, "sysctl", "-q", "-e", "-w", *keys)
        parallel(self._add_link, LINKS)
        parallel(self._prepare_gateway_port, [link.port for link in LINKS if link.ns in GATEWAYS])

    def _add_link(self, link):
        """The veth pair of link, created from the switch, with its host side addressed and up."""
        self._ip(SWITCH, "link", "add", "name", link.port, "type", "veth",
                 "peer", "name", link.ifname, "netns", link.ns)
        self._ip(SWITCH, "link", "set", "dev", link.port, "master", link.bridge, "up")
        self._ip(link.ns, "addr", "add", f"{link.address}/{PREFIX_LEN}", "dev", link.ifname)
        self._ip(link.ns, "link", "set", "dev", link.ifname, "up")

    def _prepare_gateway_port(self, port):
        """tx off and XDP_PASS on a gateway veth's switch-side peer (xdp-veth-facts.md): the
        program lets the peer wake for XDP_TX frames; tx off makes the kernel finish checksums."""
        self.ns_exec(SWITCH, "ethtool", "-K", port, "tx", "off")

        def attach(mode, check):
            obj = str(self.xdp_object)
            return run(["ip", "-n", SWITCH, "link", "set", "dev", port, mode, "obj", obj, "sec", "xdp"],
                       check=check)

        native = attach("xdpdrv", check=False)
        if native.returncode != 0:
            log.warning("native XDP failed on %s (%s): using xdpgeneric", port, native.stderr.strip())
            attach("xdpgeneric", check=True)

    def _start_fleet(self):
        """Redis first, Sentinels once replication is up: a Sentinel learns replicas from its
        first INFO of the master, and otherwise would wait 10 s for the next one."""
        for host in REDIS_HOSTS:
            self._write_daemon_files(host, self._redis_config(host))
        log.info("starting %d redis-servers", len(REDIS_HOSTS))
        parallel(self._start_daemon, REDIS_HOSTS)
        wait_for("replication", self._replication_pending, self.ready_timeout)
        for sen in SENTINELS:
            self._write_daemon_files(sen, self._sentinel_config(sen))
        log.info("starting %d Sentinels", len(SENTINELS))
        parallel(self._start_daemon, SENTINELS)
        wait_for("Sentinels", self._sentinels_pending, self.ready_timeout)

    def _replication_pending(self):
        """Replicas whose link to their master is not up yet."""
        replicas = [replica for _, replica in SHARDS.values()]
        infos = parallel(self.redis_info, replicas)
        return [
            f"{replica} master_link_status={info.get('master_link_status', 'no answer')}"
            for replica, info in zip(replicas, infos)
            if info.get("master_link_status") != "up"
        ]

    def _sentinels_pending(self):
        """What keeps the Sentinels from being ready for a failover: each must name the initial
        masters and know the other Sentinels and a replica of every shard."""
        problems = []
        for sen, view in zip(SENTINELS, self._sentinel_views()):
            for shard, (master, _) in SHARDS.items():
                m = view.get(shard)
                if m is None:
                    problems.append(f"{sen} does not answer for {shard}")
                elif m["ip"] != BACK_ADDR[master]:
                    problems.append(f"{sen} names {m['ip']} master of {shard}")
                elif int(m["num-other-sentinels"]) != len(SENTINELS) - 1 or int(m["num-slaves"]) < 1:
                    known = f"{m['num-other-sentinels']} other Sentinels, {m['num-slaves']} replicas"
                    problems.append(f"{sen} knows {known} of {shard}")
        return problems

    # ---- daemons --------------------------------------------------------------------------

    @staticmethod
    def _daemon(ns):
        """(program, name of its files) of the daemon that runs in ns."""
        return ("redis-sentinel", "sentinel") if ns in SENTINELS else ("redis-server", "redis")

    def _file(self, ns, suffix):
        """build/lab/<ns>/redis.<suffix> or sentinel.<suffix>."""
        return self.state / ns / f"{self._daemon(ns)[1]}.{suffix}"

    def _cmdline_file(self, ns):
        return self.state / ns / "cmdline"

    def _common_config(self, ns, port, workdir):
        """Settings every daemon gets: its address, daemonized, files in the state directory."""
        return [
            f"bind {BACK_ADDR[ns]} 127.0.0.1",
            f"port {port}",
            "protected-mode no",
            "daemonize yes",
            f'pidfile "{self._file(ns, "pid")}"',
            f'logfile "{self._file(ns, "log")}"',
            f'dir "{workdir}"',
        ]

    def _redis_config(self, host):
        """Config lines of host's redis-server (and its data directory, made here)."""
        data = self.state / host / "data"
        data.mkdir(parents=True)
        lines = self._common_config(host, REDIS_PORT, data) + [
            "appendonly yes",
            "appendfsync everysec",
            "repl-diskless-sync-delay 0",  # sync a new replica at once, not after the default 5 s
        ]
        master = next(hosts[0] for hosts in SHARDS.values() if host in hosts)
        if host != master:
            lines.append(f"replicaof {BACK_ADDR[master]} {REDIS_PORT}")
        return lines

    def _sentinel_config(self, sen):
        """Config lines of Sentinel sen: every shard with its initial master and lab timings."""
        lines = self._common_config(sen, SENTINEL_PORT, self.state / sen)
        for shard, (master, _) in SHARDS.items():
            lines += [
                f"sentinel monitor {shard} {BACK_ADDR[master]} {REDIS_PORT} {QUORUM}",
                f"sentinel down-after-milliseconds {shard} {self.down_after_ms}",
                f"sentinel failover-timeout {shard} {self.failover_timeout_ms}",
            ]
        return lines

    def _write_daemon_files(self, ns, config_lines):
        """Writes ns's config and the command line that starts it (also what restart_redis runs)."""
        config = self._file(ns, "conf")
        config.parent.mkdir(parents=True, exist_ok=True)
        header = "# written by tests/lab/lab.py; Sentinel may rewrite it"
        config.write_text("\n".join([header, *config_lines]) + "\n")
        argv = ["ip", "netns", "exec", ns, self._daemon(ns)[0], str(config)]
        self._cmdline_file(ns).write_text(shlex.join(argv) + "\n")

    def _start_daemon(self, ns):
        """Runs ns's recorded command line; returns the daemon's pid once its pid file names a
        live daemon (the launcher exits at once: the daemon forks and is reparented). While
        there is none, the log's last line says why."""
        pidfile = self._file(ns, "pid")
        pidfile.unlink(missing_ok=True)
        run(shlex.split(self._cmdline_file(ns).read_text()))
        started = {}

        def pending():
            started.update(self.pids())
            return [] if ns in started else [f"{ns}: no live pid in {pidfile}; log: {self._log_tail(ns)}"]

        wait_for(f"{ns} {self._daemon(ns)[0]}", pending, self.ready_timeout)
        return started[ns]

    def _log_tail(self, ns):
        try:
            return self._file(ns, "log").read_text().rstrip().rpartition("\n")[2] or "empty"
        except OSError:
            return "none"


def main(argv=None):
    parser = argparse.ArgumentParser(description="The redisha namespace lab (run as root).")
    parser.add_argument("command", choices=("up", "down", "status"),
                        help="exit status of status: 0 healthy, 1 degraded, 3 down")
    command = parser.parse_args(argv).command
    logging.basicConfig(level=logging.INFO, format="lab: %(message)s")
    lab = Lab()
    try:
        if command == "up":
            lab.up()
        elif command == "down":
            lab.down()
            return 0
        rows = lab.status()
    except LabError as error:
        print(f"lab {command} failed: {error}", file=sys.stderr)
        return 1
    if not rows:
        print("lab is down")
        return 3
    print(format_status(rows))
    return 0 if all(row.healthy for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
