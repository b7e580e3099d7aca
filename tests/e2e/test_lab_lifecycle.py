"""lab.py brings the lab up and down leaving nothing behind (namespaces, daemons), also from a lab
left half built or a failed up. These tests need the lab down, so they take it down before and
after each test; they run after test_lab.py, whose module-scoped lab is down by then."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from lab import REDIS_HOSTS, REDIS_PORT, SENTINELS, Lab, LabError, process_alive, run, wait_for

LAB_PY = Path(__file__).resolve().parents[1] / "lab" / "lab.py"


def lab_cli(command):
    """`lab.py COMMAND` run the way the Makefile runs it."""
    argv = ["/usr/bin/python3", str(LAB_PY), command]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def daemons_in_state_dir(lab):
    """Live processes working in the lab's state directory, as its daemons do (Redis and Sentinel
    chdir to their `dir`): what would be left if down missed one, pid file or not."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if cwd.is_relative_to(lab.state) and process_alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def make_half_built_lab(*namespaces):
    """Namespaces as a crashed up would leave them, joined to the switch's first one by a veth."""
    for ns in namespaces:
        run(["ip", "netns", "add", ns])
        run(["ip", "-n", ns, "link", "set", "dev", "lo", "up"])
    for ns in namespaces[1:]:
        run(["ip", "-n", namespaces[0], "link", "add", "name", ns[3:], "type", "veth",
             "peer", "name", "eth0", "netns", ns])


@pytest.fixture
def down_lab():
    """A Lab that is down when the test starts and is taken down after it, whatever happened."""
    lab = Lab()
    lab.down()
    yield lab
    lab.down()


def test_cli_up_then_down_leaves_nothing(down_lab, report):
    started = time.monotonic()
    up = lab_cli("up")
    report("lab.py up", time.monotonic() - started, "s")
    assert up.returncode == 0, up.stderr
    assert up.stdout.count(f"{len(SENTINELS)}/{len(SENTINELS)} agree") == 3, up.stdout
    pids = down_lab.pids()
    assert sorted(pids) == sorted(REDIS_HOSTS + SENTINELS)
    assert lab_cli("status").returncode == 0

    started = time.monotonic()
    down = lab_cli("down")
    report("lab.py down", time.monotonic() - started, "s")
    assert down.returncode == 0, down.stderr
    assert down_lab.namespaces() == []
    assert [pid for pid in pids.values() if process_alive(pid)] == []
    assert daemons_in_state_dir(down_lab) == []

    assert lab_cli("down").returncode == 0
    status = lab_cli("status")
    assert (status.returncode, status.stdout.strip()) == (3, "lab is down")


def test_down_cleans_half_built_lab_and_spares_strangers(down_lab, tmp_path):
    make_half_built_lab("rh-sw", "rh-s1a")
    # A redis-server in a lab namespace without a pid file: down must find and stop it.
    orphan = subprocess.Popen(
        ["ip", "netns", "exec", "rh-s1a", "redis-server", "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    # A stale pid file naming a process that is not the lab's: down must leave it alone.
    stranger = subprocess.Popen(["sleep", "60"])
    pidfile = down_lab.state / "rh-s1b" / "redis.pid"
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{stranger.pid}\n")
    try:
        wait_for(
            "the orphan redis-server to answer",
            lambda: [] if down_lab.answers_ping("rh-s1a", "127.0.0.1", REDIS_PORT) else ["no PONG"],
            timeout=5,
        )
        down_lab.down()
        assert down_lab.namespaces() == []
        assert orphan.wait(timeout=5) is not None
        assert stranger.poll() is None
    finally:
        for child in (orphan, stranger):
            child.kill()
            child.wait()


def test_up_over_half_built_lab_and_failed_up_leave_nothing(down_lab):
    make_half_built_lab("rh-sw", "rh-gw1")
    down_lab.up()
    assert all(row.healthy for row in down_lab.status())
    down_lab.down()

    impatient = Lab(ready_timeout=0)
    with pytest.raises(LabError, match="not ready"):
        impatient.up()
    assert impatient.namespaces() == []
    assert daemons_in_state_dir(impatient) == []
