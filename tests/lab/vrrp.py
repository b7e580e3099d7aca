"""A redishad VRRP pair on the lab's gateways, read from the outside: the transitions each
redishad logs, its published status (redisha-ctl status), and whether a gateway's MAC answers ARP
for the VIP. Shared by tests/e2e/test_vrrp.py and tests/bench/bench_ha.py."""

import json
import re
from datetime import datetime

from gateway import CONFIG2, GATEWAY, GATEWAY2, INSTANCE, INSTANCE2, Redishad, ctl
from lab import FRONT_ADDR, VIP, LabError, wait_for

INSTANCES = {GATEWAY: INSTANCE, GATEWAY2: INSTANCE2}
TRANSITION = re.compile(r"^(\S+Z) \S+ vrrp: (\w+) -> (\w+) \((.*?); (\d+) ms in \w+, "
                        r"last advertisement accepted (?:none seen|(\d+) ms ago)\)", re.M)


def master_down_ms(advert_ms, priority):
    """Master_Down_Interval (RFC 5798 §6.1): 3 x interval + Skew_Time, (256 - priority) x
    interval / 256, as redishad computes it."""
    return 3 * advert_ms + skew_ms(advert_ms, priority)


def skew_ms(advert_ms, priority):
    return (256 - priority) * advert_ms // 256


def transitions(daemon):
    """[(time, from, to, reason, ms in from, ms since the last accepted advert or None)] of the
    daemon's current run."""
    return [(datetime.fromisoformat(m.group(1).replace("Z", "+00:00")), m.group(2), m.group(3),
             m.group(4), int(m.group(5)), int(m.group(6)) if m.group(6) else None)
            for m in TRANSITION.finditer(daemon.run_log())]


def state(daemon):
    """The VRRP state its log last reported, or "dead"."""
    if daemon.proc.poll() is not None:
        return "dead"
    seen = transitions(daemon)
    return seen[-1][2] if seen else "INIT"


def vrrp_status(gateway):
    """The "vrrp" object of `gateway`'s redisha-ctl status --json."""
    out = ctl("status", "--json", gateway=gateway, instance=INSTANCES[gateway])
    if out.returncode != 0:
        raise LabError(f"redisha-ctl status in {gateway}: exit status {out.returncode}: "
                       f"{out.stderr.strip()}")
    return json.loads(out.stdout)["vrrp"]


def wait_states(gw1, gw2, want1, want2, timeout=5):
    wait_for(f"rh-gw1 {want1} and rh-gw2 {want2}",
             lambda: [] if (state(gw1), state(gw2)) == (want1, want2)
             else [f"rh-gw1 {state(gw1)}, rh-gw2 {state(gw2)}"], timeout)


def wait_master(daemon, timeout=3):
    wait_for(f"{daemon.gateway} to become MASTER",
             lambda: [] if state(daemon) == "MASTER" else [state(daemon)], timeout)


def backup_follows(gw1, gw2, timeout=3):
    """rh-gw1 MASTER, rh-gw2 BACKUP and following rh-gw1's adverts (its status names rh-gw1:
    published every second), so that a takeover is measured from an advert rh-gw2 heard."""
    wait_states(gw1, gw2, "MASTER", "BACKUP", timeout=max(timeout, 5))
    wait_for("rh-gw2 to follow rh-gw1's adverts",
             lambda: [] if vrrp_status(GATEWAY2)["master"] == FRONT_ADDR[GATEWAY] else
             [str(vrrp_status(GATEWAY2))], timeout)


def start_pair(lab, config1, config2=CONFIG2, timeout=3):
    """redishad (--cleanup) in rh-gw1 with config1, alone until it is MASTER, then in rh-gw2 with
    config2 until it follows rh-gw1 (see restart_pair) -> (gw1, gw2). If that fails, what it
    started is stopped again (SIGTERM) before the error goes up."""
    gw1 = Redishad(lab, "--cleanup", config=config1)
    gw2 = None
    try:
        wait_master(gw1, timeout)
        gw2 = Redishad(lab, "--cleanup", config=config2, gateway=GATEWAY2)
        backup_follows(gw1, gw2, timeout)
    except BaseException:
        for daemon in (gw2, gw1):
            if daemon:
                daemon.stop()
        raise
    return gw1, gw2


def restart_pair(gw1, gw2, config1=None, config2=None):
    """Both redishads stopped (if running) and started again with these configs, or the ones they
    last ran with: rh-gw1 first and alone until it is MASTER, since started together a slow start
    of rh-gw1 (the sanitizers, a busy machine) would let rh-gw2's timer run out first."""
    for daemon in (gw2, gw1):
        daemon.stop()
    gw1.start("--cleanup", config=config1)
    wait_master(gw1)
    gw2.start("--cleanup", config=config2)
    backup_follows(gw1, gw2)


def front_mac(lab, gateway):
    return json.loads(lab.ns_exec(gateway, "ip", "-j", "link", "show", "front0").stdout)[0]["address"]


def answers_for_vip(lab, gateway):
    """Whether `gateway`'s MAC answers an ARP request for the VIP from rh-client (1 s)."""
    out = lab.ns_exec("rh-client", "arping", "-c", "2", "-w", "1", "-i", "eth0", VIP,
                      check=False).stdout.lower()
    return front_mac(lab, gateway) in out
