"""Debian's keepalived as a VRRPv3 peer (or stand-in) of redishad in a lab gateway, for the
interop test and `make bench-ha`: VRRP only, in the foreground, its configuration written here,
its two processes (the parent and its VRRP child) tracked by pid."""

import os
import re
import signal
import subprocess

from gateway import in_gateway
from lab import VIP, process_alive, wait_for

STATE = re.compile(r"\(VI_\d+\) Entering (\w+) STATE")


class Keepalived:
    """keepalived in `gateway` for `vrid` on front0, holding the VIP as keepalived does: on the
    interface itself while MASTER. Its log is keepalived-<gateway>.log in the lab's state."""

    def __init__(self, lab, gateway, priority, advert_ms, vrid=51):
        self.gateway = gateway
        self.dir = lab.state / f"keepalived-{gateway}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "keepalived.conf"
        self.conf.write_text(
            "global_defs {\n"
            f"  router_id {gateway}\n"
            "  vrrp_version 3\n"
            "}\n"
            f"vrrp_instance VI_{vrid} {{\n"
            "  state BACKUP\n"
            "  interface front0\n"
            f"  virtual_router_id {vrid}\n"
            f"  priority {priority}\n"
            f"  advert_int {advert_ms / 1000:g}\n"
            f"  virtual_ipaddress {{\n    {VIP}/32\n  }}\n"
            "}\n")
        self.pid_file = self.dir / "keepalived.pid"
        self.vrrp_pid_file = self.dir / "vrrp.pid"
        self.log_path = lab.state / f"keepalived-{gateway}.log"
        self.start()

    def start(self):
        for stale in (self.pid_file, self.vrrp_pid_file):
            stale.unlink(missing_ok=True)
        self.run_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "a") as log_file:
            self.proc = subprocess.Popen(
                [*in_gateway(self.gateway), "keepalived", "--dont-fork", "--log-console",
                 "--log-detail", "--no-syslog", "--vrrp", "--dont-respawn",
                 "--use-file", str(self.conf), "--pid", str(self.pid_file),
                 "--vrrp_pid", str(self.vrrp_pid_file)],
                stdout=log_file, stderr=subprocess.STDOUT)
        try:
            wait_for(f"keepalived's VRRP process in {self.gateway}",
                     lambda: [] if self.vrrp_pid() else self.exited(), 10)
        except BaseException:
            self.stop(signal.SIGKILL)
            raise

    def exited(self):
        if self.proc.poll() is not None:
            return [f"keepalived exited with {self.proc.returncode}: {self.log()[-2000:]}"]
        return ["no pid file yet"]

    def vrrp_pid(self):
        try:
            return int(self.vrrp_pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def log(self):
        """What this run of keepalived logged (the file keeps earlier runs too)."""
        return self.log_path.read_bytes()[self.run_start:].decode(errors="replace")

    def state(self):
        """The state keepalived last logged entering: MASTER, BACKUP, FAULT; or "dead"."""
        if self.proc.poll() is not None:
            return "dead"
        seen = STATE.findall(self.log())
        return seen[-1] if seen else "INIT"

    def wait_state(self, want, timeout=5):
        wait_for(f"keepalived in {self.gateway} to be {want}",
                 lambda: [] if self.state() == want else [self.state()], timeout)

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM: keepalived's clean stop (a priority 0 advert, the VIP released). SIGKILL: both
        processes die at once, as with a crash; the VIP stays on front0, as it would."""
        vrrp = self.send_signal(sig)
        self.proc.wait(timeout=10)
        if vrrp:
            wait_for("keepalived's VRRP process to exit",
                     lambda: ["alive"] if process_alive(vrrp) else [], 10)
        return self.proc.returncode

    def send_signal(self, sig):
        """Sends sig without waiting (see stop): to the parent, and with SIGKILL first to the
        VRRP process too, so that it cannot learn of the parent's death before its own and stop
        cleanly (a priority 0 advert would make the takeover look faster). Returns the VRRP
        process's pid (None if unknown)."""
        pids = [self.proc.pid]
        vrrp = self.vrrp_pid()
        if sig == signal.SIGKILL and vrrp:
            pids.insert(0, vrrp)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return vrrp

    def remove_vip(self):
        """What an operator does after a keepalived crash: the VIP off front0 (idempotent)."""
        subprocess.run([*in_gateway(self.gateway), "ip", "addr", "del", f"{VIP}/32", "dev",
                        "front0"], capture_output=True, check=False)
