#!/usr/bin/python3
"""`make demo`: the gateway's main job on the built-in lab, step by step. Exits 0 only if every
step held; always takes everything down again.

  1. the lab: three shards (master + replica) and three Sentinels in namespaces
  2. redishad on rh-gw1: the XDP datapath, the VIP 198.18.0.100, Sentinel followed
  3. redisha-ctl status and shards
  4. traffic through every shard port, checked on each master
  5. s2's master killed while a client writes through VIP:7002 every 10 ms: Sentinel promotes
     the replica, redishad writes the map, the writes resume; the timings
  6. the shards again, and everything taken down
"""

import re
import sys
import threading
import time

from gateway import SHARD_PORTS, Redishad, ctl, wait_until_serving
from lab import BACK_ADDR, REDIS_PORT, SHARDS, VIP, Lab, LabError, wait_for

WRITE_EVERY_S = 0.01
STATE_PUBLISHED_S = 1.2  # redishad rewrites its state file every second


def step(text):
    print(f"\n==== {text}", flush=True)


def show_ctl(*args):
    proc = ctl(*args)
    print(proc.stdout.rstrip() or proc.stderr.rstrip())
    if proc.returncode:
        raise LabError(f"redisha-ctl {' '.join(args)} failed: {proc.stderr.strip()}")


class Writer(threading.Thread):
    """Writes through VIP:port until stopped; records when writes fail and succeed again."""

    def __init__(self, lab, port):
        super().__init__(daemon=True)
        self.lab, self.port = lab, port
        self.stopping = threading.Event()
        self.first_failure = self.recovered = None
        self.ok = self.failed = 0

    def run(self):
        i = 0
        while not self.stopping.is_set():
            reply = self.lab.redis_cli("rh-client", VIP, self.port, "SET", f"demo:{i}", str(i),
                                       check=False, timeout=2)
            now = time.monotonic()
            if reply == "OK":
                self.ok += 1
                if self.first_failure and not self.recovered:
                    self.recovered = now
            else:
                self.failed += 1
                self.first_failure = self.first_failure or now
            i += 1
            time.sleep(WRITE_EVERY_S)


def demo(lab):
    step("1. the lab")
    lab.up()

    step("2. redishad on rh-gw1")
    redishad = Redishad(lab, "--cleanup")
    try:
        wait_until_serving(lab)
        print("every shard port answers through", VIP)
        time.sleep(STATE_PUBLISHED_S)  # redishad's state file, which redisha-ctl reads

        step("3. redisha-ctl")
        show_ctl("status")
        show_ctl("shards")

        step("4. traffic through every shard port")
        for shard, port in SHARD_PORTS.items():
            master = BACK_ADDR[SHARDS[shard][0]]
            assert lab.redis_cli("rh-client", VIP, port, "SET", f"hello:{shard}", str(port)) == "OK"
            stored = lab.redis_cli(SHARDS[shard][0], master, REDIS_PORT, "GET", f"hello:{shard}")
            print(f"SET through {VIP}:{port} -> found on {shard}'s master {master}: {stored}")
            assert stored == str(port)

        step("5. s2's master killed under writes through VIP:7002")
        writer = Writer(lab, 7002)
        writer.start()
        time.sleep(0.5)
        killed = time.monotonic()
        lab.kill_redis("rh-s2a")
        print(f"SIGKILL redis-server on rh-s2a ({BACK_ADDR['rh-s2a']})")
        wait_for("writes through VIP:7002 to succeed again",
                 lambda: [] if writer.recovered else ["not yet"], timeout=20)
        writer.stopping.set()
        writer.join()
        for line in redishad.log().splitlines():
            if re.search(r"shard s2: (master \S+ -> |\+switch-master|master .* objectively)", line) \
                    or "+switch-master s2" in line:
                print(line)
        print(f"writes through VIP:7002: {writer.ok} ok, {writer.failed} failed; outage "
              f"{(writer.recovered - writer.first_failure) * 1000:.0f} ms (first failure -> first "
              f"success), {(writer.recovered - killed):.2f} s after the kill")

        step("6. the shards after the failover")
        show_ctl("shards")
    finally:
        redishad.stop()


def main():
    lab = Lab()
    status = 0
    try:
        demo(lab)
        step("every step held")
    except (LabError, AssertionError) as error:
        print(f"\nDEMO FAILED: {error}", file=sys.stderr)
        status = 1
    finally:
        step("taking everything down")
        lab.down()
    return status


if __name__ == "__main__":
    sys.exit(main())
