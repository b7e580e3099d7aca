"""Tests of the vm-test harness itself (make vm-test-self): vm-test/run's exit
codes, output, results share and cleanup, on the kernel `make vm-setup`
prepared. Each test boots one VM (about 4 s under TCG). The qemu backend is
forced: the panic, timeout and lost codes are its contract."""

import dataclasses
import hashlib
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
import vmtest  # noqa: E402

RUN = HERE / "run"
ENV = {**os.environ, "VM_BACKEND": "qemu"}


def vm(*command, timeout=120, results=None, kernel=None):
    """vm-test/run -- command: the CompletedProcess (bytes), after checking
    that neither its run directory nor its qemu outlived it."""
    argv = [str(RUN), "--timeout", str(timeout)]
    if results is not None:
        argv += ["--results", str(results)]
    if kernel is not None:
        argv += ["--kernel", str(kernel)]
    proc = subprocess.run([*argv, "--", *command], capture_output=True, env=ENV,
                          cwd=vmtest.ROOT, timeout=timeout + 60)
    assert_left_nothing(proc)
    return proc


def describe(proc):
    return (f"command {proc.args}\nexit {proc.returncode}\n"
            f"stdout:\n{proc.stdout.decode(errors='replace')}\n"
            f"stderr:\n{proc.stderr.decode(errors='replace')}")


def run_directory(stderr):
    m = re.search(r"run directory (\S+)", stderr)
    assert m, f"no run directory in the log:\n{stderr}"
    return m.group(1)


def processes_mentioning(text):
    """pids whose command line contains text (qemu's names the run directory)."""
    found = []
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if text.encode() in cmdline:
            found.append(int(proc_dir.name))
    return found


def assert_left_nothing(proc):
    rundir = run_directory(proc.stderr.decode(errors="replace"))
    assert not Path(rundir).exists(), f"{rundir} left behind\n{describe(proc)}"
    assert not processes_mentioning(rundir), f"qemu of {rundir} still running\n{describe(proc)}"


def test_usage_error_is_harness_code():
    proc = subprocess.run([str(RUN), "--timeout", "5"], capture_output=True, env=ENV)
    assert proc.returncode == vmtest.EXIT_HARNESS, describe(proc)


@pytest.mark.parametrize("code", [0, 1, 42])
def test_exit_code_comes_back_exactly(code):
    proc = vm("sh", "-c", f"exit {code}")
    assert proc.returncode == code, describe(proc)


def test_runs_as_root_in_current_directory_on_another_kernel():
    proc = vm("sh", "-c", 'id -u; pwd; uname -r; echo "VM_TEST=$VM_TEST"')
    assert proc.returncode == 0, describe(proc)
    uid, cwd, release, flag = proc.stdout.decode().splitlines()
    assert uid == "0", describe(proc)
    assert cwd == str(vmtest.ROOT), describe(proc)
    assert release != platform.release(), f"guest runs the host's kernel\n{describe(proc)}"
    assert flag == "VM_TEST=1", describe(proc)


def test_output_is_byte_exact():
    # Every byte value, CR and LF included: the serial port is raw.
    script = "import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)"
    proc = vm("python3", "-c", script)
    assert proc.returncode == 0, describe(proc)
    want = bytes(range(256)) * 64
    assert hashlib.sha256(proc.stdout).hexdigest() == hashlib.sha256(want).hexdigest(), \
        f"{len(proc.stdout)} bytes came back, {len(want)} sent"


def test_results_written_in_guest_are_on_host(tmp_path):
    results = tmp_path / "results"
    proc = vm("sh", "-c", 'uname -r > "$VM_RESULTS/guest-kernel"', results=results)
    assert proc.returncode == 0, describe(proc)
    written = results / "guest-kernel"
    assert written.exists(), describe(proc)
    assert written.read_text().strip() not in ("", platform.release()), describe(proc)


def test_guest_root_is_throwaway(tmp_path):
    marker = vmtest.ROOT / "build" / "vm" / f"written-by-guest-{os.getpid()}"
    proc = vm("sh", "-c", f"echo x > {marker} && cat {marker}")
    assert proc.returncode == 0 and proc.stdout == b"x\n", describe(proc)
    assert not marker.exists(), "a write to the guest's root reached the host"


def test_panic_gives_panic_code_and_console_tail():
    proc = vm("sh", "-c", "echo c > /proc/sysrq-trigger; sleep 30")
    assert proc.returncode == vmtest.EXIT_PANIC, describe(proc)
    stderr = proc.stderr.decode(errors="replace")
    assert "console output" in stderr and vmtest.PANIC_MARK in stderr, describe(proc)


def test_guest_power_off_during_command_is_lost_code():
    proc = vm("sh", "-c", "sync; echo o > /proc/sysrq-trigger; sleep 30")
    assert proc.returncode == vmtest.EXIT_LOST, describe(proc)


def test_guest_that_never_starts_command_is_no_boot_code(tmp_path):
    # An initramfs whose /init powers off at once: the kernel boots, the
    # command never starts.
    stage = tmp_path / "stage"
    (stage / "bin").mkdir(parents=True)
    (stage / "bin" / "busybox").write_bytes(vmtest.BUSYBOX.read_bytes())
    (stage / "bin" / "busybox").chmod(0o755)
    (stage / "init").write_text("#!/bin/busybox sh\n/bin/busybox poweroff -f\n")
    (stage / "init").chmod(0o755)
    cpio = tmp_path / "initramfs.cpio"
    with open(cpio, "wb") as out:
        subprocess.run([vmtest.BUSYBOX, "cpio", "-o", "-H", "newc"], cwd=stage, check=True,
                       input=b"bin\nbin/busybox\ninit\n", stdout=out, stderr=subprocess.DEVNULL)
    kernel = dataclasses.replace(vmtest.debian_kernel(), initramfs=cpio)
    run = vmtest.QemuRun(kernel, ["true"], "/", tmp_path / "results", 60, "tcg", quiet=True)
    assert run.run() == vmtest.EXIT_NO_BOOT, run.failure
    assert not run.rundir.exists()


def test_kernel_path_boots_that_image():
    image = vmtest.debian_kernel().image  # .../root/boot/vmlinuz-<release>
    proc = vm("uname", "-r", kernel=image)
    assert proc.returncode == 0, describe(proc)
    assert proc.stdout.decode().strip() == image.name[len("vmlinuz-"):], describe(proc)


def test_command_past_timeout_gives_timeout_code():
    started = time.monotonic()
    proc = vm("sleep", "300", timeout=15)
    took = time.monotonic() - started
    assert proc.returncode == vmtest.EXIT_TIMEOUT, describe(proc)
    assert took < 45, f"took {took:.0f} s for a 15 s timeout"
    assert "console output" in proc.stderr.decode(errors="replace"), describe(proc)


def test_ctrl_c_stops_vm_and_cleans_up():
    proc = subprocess.Popen([str(RUN), "--", "sleep", "300"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV, cwd=vmtest.ROOT)
    stderr = b""
    try:
        # Wait until qemu runs, and a little longer, so the guest is busy.
        while b"run directory" not in stderr:
            line = proc.stderr.readline()
            assert line, f"vm-test/run ended early:\n{stderr.decode()}"
            stderr += line
        time.sleep(3)
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    done = subprocess.CompletedProcess(proc.args, proc.returncode, b"", stderr + rest)
    assert done.returncode == vmtest.EXIT_INTERRUPTED, describe(done)
    assert_left_nothing(done)
