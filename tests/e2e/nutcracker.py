"""Debian's nutcracker (twemproxy) in rh-gw1, with a pool of the lab's three masters keyed on the
names s1 s2 s3: the reference that redisha's ketama and modula distributions must match key for
key."""

import json
import subprocess

from lab import wait_for
from gateway import GATEWAY

LISTEN = "198.18.1.2"  # rh-gw1's back address
MASTERS = {"s1": "198.18.1.11", "s2": "198.18.1.21", "s3": "198.18.1.31"}
IN_GATEWAY = ["ip", "netns", "exec", GATEWAY]


def redis_cli(host, port, commands):
    """Commands, one a line, through redis-cli in rh-gw1 -> its reply lines."""
    proc = subprocess.run([*IN_GATEWAY, "redis-cli", "-h", host, "-p", str(port)],
                          input="".join(f"{c}\n" for c in commands).encode(),
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout.decode(errors="replace").splitlines()


class Nutcracker:
    """nutcracker in the foreground in rh-gw1, tracked by its Popen and killed by stop().
    It listens on listen:port; the default, rh-gw1's back address, is out of rh-client's reach
    (the benchmark passes the VIP, whose unknown ports the XDP program passes to the kernel).
    distribution is nutcracker.yml's (ketama or modula); hash_tag, two characters such as "{}",
    sets the pool's hash_tag."""

    def __init__(self, state, hash_name, weights, port, stats_port, listen=LISTEN,
                 distribution="ketama", hash_tag=None):
        self.dir = state / f"nutcracker-{port}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.listen = listen
        self.port = port
        servers = "".join(f"   - {MASTERS[name]}:6379:{weight} {name}\n"
                          for name, weight in zip(MASTERS, weights))
        conf = self.dir / "nutcracker.yml"
        # json.dumps: a YAML double-quoted scalar, whatever the two characters are.
        tag = f"  hash_tag: {json.dumps(hash_tag)}\n" if hash_tag else ""
        conf.write_text(f"lab:\n  listen: {listen}:{port}\n  hash: {hash_name}\n"
                        f"  distribution: {distribution}\n{tag}  redis: true\n"
                        f"  auto_eject_hosts: false\n  servers:\n{servers}")
        self.log = self.dir / "nutcracker.log"
        self.proc = subprocess.Popen(
            [*IN_GATEWAY, "nutcracker", "-c", str(conf), "-o", str(self.log),
             "-p", str(self.dir / "nutcracker.pid"), "-s", str(stats_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            wait_for(f"nutcracker on {listen}:{port}", self.pending, 10)
        except BaseException:
            self.stop()  # the caller gets no object to stop
            raise

    def pending(self):
        if self.proc.poll() is not None:
            return [f"exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}"]
        probe = subprocess.run([*IN_GATEWAY, "redis-cli", "-h", self.listen, "-p", str(self.port),
                                "SET", "rh-keyslot-probe", "1"], capture_output=True, text=True)
        return [] if probe.stdout.strip() == "OK" else [probe.stdout + probe.stderr]

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
