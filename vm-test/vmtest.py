"""vm-test: run a command as root inside a throwaway VM on another kernel.

Library behind vm-test/run and vm-test/setup (see vm-test/README.md).

Kernels. "auto" is Debian's linux-image-amd64, resolved to the versioned
package it depends on now (linux-image-6.1.0-NN-amd64 on Debian 12),
fetched with `apt-get download` into build/vm/kernel/<package>_<version>/,
unpacked with dpkg-deb -x (never installed into /boot) and indexed with
depmod -b. Any other kernel is a PATH: a .deb, an unpacked package root, a
kernel build tree or an image file (see resolve_path_kernel).
Next to each kernel: `vmlinux`, the raw ELF extracted from the bzImage
(booted through PVH, about 3 s faster per boot under TCG than the bzImage),
and `initramfs.cpio`: busybox-static, vm-test/init and the 9p, virtio and
overlay modules in dependency order.

Backends. virtme-ng's `vng` when it is on the PATH (VM_BACKEND=qemu forces
ours); otherwise qemu directly: the host's / over 9p read-only with a tmpfs
overlay (vm-test/init), a per-run 9p share for the command and its exit
status, the results directory shared read-write at its host path.

Acceleration. KVM when a probe boot under KVM runs `true` successfully
(cached in build/vm/accel.json per host kernel, qemu and guest kernel),
TCG otherwise; VM_ACCEL=kvm|tcg forces one.

Exit codes of a run: COMMAND's own, or one of the EXIT_* constants below.
"""

import contextlib
import fcntl
import hashlib
import json
import lzma
import os
import platform
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "vm-test"
VM_DIR = ROOT / "build" / "vm"
KERNEL_DIR = VM_DIR / "kernel"
CUSTOM_DIR = VM_DIR / "custom"
DEFAULT_RESULTS = VM_DIR / "results"
ACCEL_CACHE = VM_DIR / "accel.json"
LOCK = VM_DIR / "setup.lock"

# Exit codes of vm-test/run besides COMMAND's own (documented in README.md).
EXIT_PANIC = 121  # the guest kernel panicked (console tail printed)
EXIT_NO_BOOT = 122  # the guest stopped before COMMAND started
EXIT_LOST = 123  # COMMAND started, the guest stopped without its status
EXIT_TIMEOUT = 124  # still running at --timeout: qemu killed
EXIT_HARNESS = 125  # the harness itself failed: usage, kernel, qemu
EXIT_INTERRUPTED = 130  # SIGINT (128 + signal number; SIGTERM gives 143)

DEFAULT_TIMEOUT = 1800  # seconds, generous: make vm-test takes ~25 s under TCG
PROBE_TIMEOUT = 10  # TCG boots and runs `true` in ~4 s; a slower KVM is no use
CONSOLE_TAIL = 40  # lines printed when the guest did not report a status
META_PACKAGE = "linux-image-amd64"
# Modules the initramfs loads to reach the shared root; their dependencies
# (virtio_ring, netfs, fscache, ...) come from modprobe --show-depends.
INITRAMFS_MODULES = ("virtio_pci", "9pnet_virtio", "9p", "overlay")
BUSYBOX = Path("/bin/busybox")
QEMU = "qemu-system-x86_64"
GUEST_CPUS = 2
GUEST_MEMORY = "2G"
GUEST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
KERNEL_ARGS = "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rw init=/init"
PANIC_MARK = "Kernel panic - not syncing"
# A power-off from inside the guest kills init on its way down, and the kernel
# may print a panic about that after it: not a panic of the kernel under test.
POWER_OFF_MARKS = ("sysrq: Power Off", "reboot: Power down")
# Tools the harness runs on the host, with the package that provides each
# (tests/deps.sh installs them).
TOOLS = {QEMU: "qemu-system-x86", "busybox": "busybox-static", "depmod": "kmod",
         "modprobe": "kmod", "apt-get": "apt", "apt-cache": "apt", "dpkg-deb": "dpkg"}


def _panicked(console_text):
    """A kernel panic on the console that no power-off started before it."""
    panic = console_text.find(PANIC_MARK)
    if panic < 0:
        return False
    return not any(0 <= console_text.find(mark) < panic for mark in POWER_OFF_MARKS)


class VmError(Exception):
    """The harness cannot go on; the message says which step failed."""


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; cleanup runs, then the run exits 128+signum."""

    def __init__(self, signum):
        super().__init__(f"signal {signum}")
        self.signum = signum


def log(msg):
    print(f"vm-test: {msg}", file=sys.stderr, flush=True)


def run(argv, **kw):
    """argv with output captured; failure raises VmError with command and output."""
    proc = subprocess.run(argv, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise VmError(f"{shlex.join(map(str, argv))} exited {proc.returncode}:\n"
                      f"{proc.stdout}{proc.stderr}".rstrip())
    return proc.stdout


def missing_tools():
    """The packages whose tools are not on the PATH (busybox must be static)."""
    missing = {pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None}
    if BUSYBOX.exists() and elf_info(BUSYBOX.read_bytes())["interp"]:
        missing.add("busybox-static")  # the dynamic busybox package
    elif not BUSYBOX.exists():
        missing.add("busybox-static")
    return sorted(missing)


@contextlib.contextmanager
def setup_lock():
    """Serialises kernel preparation between concurrent runs (flock on
    build/vm/setup.lock). Not re-entrant."""
    VM_DIR.mkdir(parents=True, exist_ok=True)
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# ---- kernel images ----------------------------------------------------------

def elf_info(data):
    """{'pvh': has the Xen PVH entry note, 'interp': dynamically linked} of an
    ELF64 image; both False for anything else."""
    info = {"pvh": False, "interp": False}
    if data[:5] != b"\x7fELF\x02":
        return info
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset = struct.unpack_from("<IIQ", data, phoff + i * phentsize)
        p_filesz, = struct.unpack_from("<Q", data, phoff + i * phentsize + 0x20)
        if p_type == 3:  # PT_INTERP
            info["interp"] = True
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz]
            # XEN_ELFNOTE_PHYS32_ENTRY: the PVH entry point qemu boots.
            if name.rstrip(b"\0") == b"Xen" and ntype == 18:
                info["pvh"] = True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return info


def image_version(data):
    """The kernel release of a bzImage (header field) or vmlinux (banner)."""
    if data[0x202:0x206] == b"HdrS":
        off = struct.unpack_from("<H", data, 0x20E)[0] + 0x200
        return data[off:off + 256].split(b" ")[0].split(b"\0")[0].decode()
    m = re.search(rb"Linux version (\S+)", data)
    if not m:
        raise VmError("no kernel version found in the image")
    return m.group(1).decode()


def extract_vmlinux(data):
    """The ELF vmlinux inside a bzImage compressed with xz, lzma or gzip, or
    None. The payload is followed by other bytes, so decompressors that stop
    at the end of their stream are used (`xz -dc` exits 1 on them)."""
    for magic, make in ((b"\xfd7zXZ\x00", lambda: lzma.LZMADecompressor(lzma.FORMAT_XZ)),
                        (b"\x5d\x00\x00", lambda: lzma.LZMADecompressor(lzma.FORMAT_ALONE)),
                        (b"\x1f\x8b\x08", lambda: zlib.decompressobj(16 + zlib.MAX_WBITS))):
        pos = data.find(magic)
        while pos >= 0:
            try:
                out = make().decompress(data[pos:])
            except (lzma.LZMAError, zlib.error):
                out = b""
            if out[:4] == b"\x7fELF":
                return out
            pos = data.find(magic, pos + 1)
    return None


@dataclass
class Kernel:
    """A kernel ready to boot: what qemu loads and what the guest needs."""

    version: str
    image: Path  # as shipped (bzImage); vng boots this one
    boot_image: Path  # what qemu loads: vmlinux (PVH) when extractable
    modules: Path | None  # .../lib/modules/<version>, None if all built in
    initramfs: Path
    label: str  # for the log: package and version, or the PATH given


def module_order(modroot, version):
    """The .ko files the initramfs loads, dependencies first, as paths."""
    out = run(["modprobe", "-d", modroot, "-S", version, "--show-depends",
               "-a", *INITRAMFS_MODULES])
    paths = []
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "insmod" and parts[1] not in paths:
            paths.append(parts[1])
    return [Path(p) for p in paths]


def build_initramfs(kdir, modules_dir, version):
    """kdir/initramfs.cpio for this kernel, rebuilt only when vm-test/init,
    busybox or the module list changed. Returns its path."""
    init = HERE / "init"
    mods = module_order(modules_dir.parents[2], version) if modules_dir else []
    key = hashlib.sha256()
    for part in (init.read_bytes(), BUSYBOX.read_bytes(), *(str(m).encode() for m in mods)):
        key.update(hashlib.sha256(part).digest())
    out, stamp = kdir / "initramfs.cpio", kdir / "initramfs.key"
    if out.exists() and stamp.exists() and stamp.read_text() == key.hexdigest():
        return out
    with tempfile.TemporaryDirectory(dir=kdir, prefix=".initramfs.") as stage:
        stage = Path(stage)
        (stage / "bin").mkdir()
        (stage / "modules").mkdir()
        shutil.copy2(BUSYBOX, stage / "bin" / "busybox")
        shutil.copy2(init, stage / "init")
        (stage / "init").chmod(0o755)
        for m in mods:
            shutil.copy2(m, stage / "modules" / m.name)
        (stage / "modules.list").write_text("".join(f"{m.name}\n" for m in mods))
        names = sorted(str(p.relative_to(stage)) for p in stage.rglob("*"))
        with open(f"{out}.tmp", "wb") as cpio:
            proc = subprocess.run([BUSYBOX, "cpio", "-o", "-H", "newc"], cwd=stage,
                                  input="\n".join(names).encode() + b"\n",
                                  stdout=cpio, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise VmError(f"busybox cpio exited {proc.returncode}: {proc.stderr.decode()}")
    os.replace(f"{out}.tmp", out)
    stamp.write_text(key.hexdigest())
    log(f"initramfs: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
        f"({len(mods)} modules: {', '.join(m.stem for m in mods)})")
    return out


def prepare_kernel(image, modules_dir, kdir, label):
    """A Kernel from an image file and its module tree (or None): vmlinux
    extracted into kdir when the image is a PVH-capable bzImage, initramfs
    built. Idempotent; fast when both are there."""
    kdir.mkdir(parents=True, exist_ok=True)
    data = image.read_bytes()
    version = image_version(data)
    boot = image
    vmlinux = kdir / "vmlinux"
    if data[:4] == b"\x7fELF":
        boot = image if elf_info(data)["pvh"] else None
    elif vmlinux.exists() and vmlinux.stat().st_mtime >= image.stat().st_mtime:
        boot = vmlinux
    else:
        elf = extract_vmlinux(data)
        if elf and elf_info(elf)["pvh"]:
            vmlinux.with_suffix(".tmp").write_bytes(elf)
            os.replace(vmlinux.with_suffix(".tmp"), vmlinux)
            boot = vmlinux
    if boot is None:
        raise VmError(f"{image}: an ELF kernel without a PVH entry; give the bzImage")
    if modules_dir and not (modules_dir / "modules.dep").exists():
        run(["depmod", "-b", modules_dir.parents[2], version])
    initramfs = build_initramfs(kdir, modules_dir, version)
    return Kernel(version, image, boot, modules_dir, initramfs, label)


# ---- Debian's kernel -------------------------------------------------------

def resolve_debian_kernel():
    """(package, version) linux-image-amd64 depends on in apt's lists."""
    out = run(["apt-cache", "show", "--no-all-versions", META_PACKAGE])
    m = re.search(r"^Depends:.*?\b(linux-image-[0-9][^\s,(]*)\s*\(= ([^)]+)\)", out, re.M)
    if not m:
        raise VmError(f"no versioned kernel in the Depends of {META_PACKAGE}:\n{out}")
    return m.group(1), m.group(2)


def apt_update():
    log("apt-get update")
    run(["apt-get", "update", "-q"])


def fetch_deb(package, version, dest):
    """`apt-get download package=version` into dest; the .deb's path."""
    argv = ["apt-get", "download", "-q", f"{package}={version}"]
    if os.geteuid() == 0:
        # Otherwise apt warns that its _apt user cannot write into dest.
        argv[1:1] = ["-o", "APT::Sandbox::User=root"]
    run(argv, cwd=dest)
    debs = list(dest.glob("*.deb"))
    if len(debs) != 1:
        raise VmError(f"apt-get download left {debs} in {dest}")
    return debs[0]


def unpack_deb(deb, root):
    """dpkg-deb -x into root (a fresh directory), then depmod -b. The
    kernel release it holds."""
    run(["dpkg-deb", "-x", deb, root])
    releases = [p.name for p in (root / "lib" / "modules").iterdir()]
    if len(releases) != 1:
        raise VmError(f"{deb}: expected one lib/modules/<release>, found {releases}")
    run(["depmod", "-b", root, releases[0]])
    return releases[0]


def download_kernel(package, version, kdir):
    """package=version downloaded and unpacked into kdir/root; kdir is
    removed again if that fails."""
    if kdir.exists():
        shutil.rmtree(kdir)
    kdir.mkdir(parents=True)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(dir=kdir, prefix=".deb.") as tmp:
            deb = fetch_deb(package, version, Path(tmp))
            size = deb.stat().st_size
            unpack_deb(deb, kdir / "root")
    except BaseException:
        shutil.rmtree(kdir, ignore_errors=True)
        raise
    (kdir / "unpacked").write_text(f"{package} {version}\n")
    log(f"{package} {version}: {size / 1e6:.0f} MB downloaded and unpacked "
        f"in {time.monotonic() - started:.1f} s")


def debian_kernel(update=False):
    """Debian's current kernel, fetched and prepared if needed; older
    cached versions are removed once the new one is ready."""
    with setup_lock():
        if update:
            apt_update()
        for attempt in (1, 2):
            try:
                package, version = resolve_debian_kernel()
                kdir = KERNEL_DIR / f"{package}_{version}"
                if not (kdir / "unpacked").exists():
                    download_kernel(package, version, kdir)
                break
            except VmError as e:
                # No lists yet, or lists older than the archive (the
                # version they name is gone): refresh them once.
                if attempt == 2:
                    raise
                log(f"{e}; refreshing apt's lists")
                apt_update()
        root = kdir / "root"
        release = next((root / "lib" / "modules").iterdir()).name
        image = root / "boot" / f"vmlinuz-{release}"
        kernel = prepare_kernel(image, root / "lib" / "modules" / release, kdir,
                                f"{package} {version}")
        for old in KERNEL_DIR.iterdir():
            if old.is_dir() and old != kdir and old.name.startswith("linux-image-"):
                log(f"removing the older cached kernel {old.name}")
                shutil.rmtree(old)
        return kernel


def resolve_path_kernel(path):
    """A Kernel from --kernel PATH: a .deb (unpacked under build/vm/custom/),
    an unpacked package root (boot/vmlinuz-*), a kernel build tree
    (arch/x86/boot/bzImage; 9p, virtio and overlay must be built in) or an
    image file (modules from ../lib/modules/<release> next to it, else
    /lib/modules/<release>, else none)."""
    path = label = Path(path).resolve()
    if not path.exists():
        raise VmError(f"--kernel {path}: no such file or directory")
    stat = path.stat()
    tag = hashlib.sha256(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:12]
    kdir = CUSTOM_DIR / f"{path.name}-{tag}"
    with setup_lock():
        if path.suffix == ".deb":
            root = kdir / "root"
            if not (kdir / "unpacked").exists():
                if kdir.exists():
                    shutil.rmtree(kdir)
                kdir.mkdir(parents=True)
                unpack_deb(path, root)
                (kdir / "unpacked").write_text(f"{path}\n")
            path = root
        modules = None
        if path.is_dir():
            images = sorted((path / "boot").glob("vmlinuz-*"))
            if images:
                image = images[-1]
                modules = path / "lib" / "modules" / image.name[len("vmlinuz-"):]
            elif (path / "arch/x86/boot/bzImage").exists():
                image = path / "arch/x86/boot/bzImage"
            else:
                raise VmError(f"--kernel {path}: no boot/vmlinuz-* nor arch/x86/boot/bzImage")
        else:
            image = path
            release = image_version(image.read_bytes())
            for cand in (image.parent.parent / "lib" / "modules" / release,
                         Path("/lib/modules") / release):
                if cand.is_dir():
                    modules = cand
                    break
        if modules is not None and not modules.is_dir():
            modules = None
        return prepare_kernel(image, modules, kdir, str(label))


def resolve_kernel(spec, update=False):
    return debian_kernel(update) if spec == "auto" else resolve_path_kernel(spec)


# ---- acceleration ----------------------------------------------------------

def qemu_version():
    return run([QEMU, "--version"]).splitlines()[0]


def choose_accel(kernel, refresh=False):
    """('kvm' or 'tcg', why). VM_ACCEL forces one. Otherwise KVM must boot
    this kernel and run `true` within PROBE_TIMEOUT: a working /dev/kvm
    proves nothing on this machine, whose nested PVM KVM starts qemu and
    then crawls (the 6.1 kernel was still in early ACPI setup after 5 s).
    The answer is cached per host kernel, qemu and guest kernel, so only
    the first run (make vm-setup) pays for a failed probe."""
    forced = os.environ.get("VM_ACCEL")
    if forced:
        if forced not in ("kvm", "tcg"):
            raise VmError(f"VM_ACCEL={forced}: expected kvm or tcg")
        return forced, "VM_ACCEL"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "no usable /dev/kvm"
    key = f"{platform.release()} | {qemu_version()} | {kernel.version}"
    try:
        cache = json.loads(ACCEL_CACHE.read_text())
    except (OSError, ValueError):
        cache = {}
    if not refresh and key in cache:
        return cache[key]["accel"], f"{cache[key]['why']} (cached)"
    started = time.monotonic()
    code, why = probe_kvm(kernel)
    took = time.monotonic() - started
    if code == 0:
        accel, why = "kvm", f"KVM ran `true` in {took:.1f} s"
    else:
        accel = "tcg"
    cache[key] = {"accel": accel, "why": why}
    VM_DIR.mkdir(parents=True, exist_ok=True)
    ACCEL_CACHE.write_text(json.dumps(cache, indent=1) + "\n")
    return accel, why


def probe_kvm(kernel):
    """Boots `true` under KVM with output discarded: (exit code, why not)."""
    with tempfile.TemporaryDirectory(prefix="vm-test-probe.") as results:
        vm = QemuRun(kernel, ["true"], "/", Path(results), PROBE_TIMEOUT, "kvm",
                     quiet=True)
        code = vm.run()
        if code == EXIT_TIMEOUT:
            return code, f"KVM did not run `true` within {PROBE_TIMEOUT} s"
        return code, f"KVM probe: {vm.failure or f'exit {code}'}"


# ---- one run ---------------------------------------------------------------

def qemu_opt(value):
    """A path inside a qemu -opt value: commas are doubled."""
    return str(value).replace(",", ",,")


def _die_with_parent():
    """In qemu's child before exec: SIGKILL it if vm-test/run dies, so not
    even a SIGKILLed harness leaves a qemu behind."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class QemuRun:
    """One boot of our own qemu harness. run() returns the exit code;
    `failure` says why when the guest gave no status; nothing is left
    behind (run directory, qemu) whatever happens, Ctrl-C included."""

    def __init__(self, kernel, argv, cwd, results, timeout, accel, quiet=False,
                 console_copy=None):
        self.kernel, self.argv, self.cwd = kernel, argv, cwd
        self.results, self.timeout, self.accel = results, timeout, accel
        self.quiet, self.console_copy = quiet, console_copy
        self.failure = None
        self.rundir = None

    def _write_share(self, share):
        share.mkdir()
        config = {"VMT_RESULTS": str(self.results),
                  "VMT_MODULES": str(self.kernel.modules or "")}
        (share / "config").write_text(
            "".join(f"{k}={shlex.quote(v)}\n" for k, v in config.items()))
        env = {"PATH": GUEST_PATH, "HOME": "/root", "LANG": "C.UTF-8", "TERM": "dumb",
               "VM_TEST": "1", "VM_RESULTS": str(self.results)}
        (share / "cmd").write_text(
            "# COMMAND for the guest, from vm-test/run\n"
            + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
            + f"cd {shlex.quote(str(self.cwd))} || "
            f"{{ echo 'vm-test: no {self.cwd} in the guest' >&2; exit {EXIT_HARNESS}; }}\n"
            + f"exec {shlex.join(self.argv)}\n")

    def _qemu_argv(self, share, console):
        argv = [QEMU, "-name", "vm-test", "-M", "q35", "-m", GUEST_MEMORY,
                "-smp", str(GUEST_CPUS), "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot",
                "-kernel", str(self.kernel.boot_image),
                "-initrd", str(self.kernel.initramfs), "-append", KERNEL_ARGS,
                "-serial", f"file:{console}"]
        if self.accel == "kvm":
            argv += ["-accel", "kvm", "-cpu", "host"]
        else:
            argv += ["-accel", "tcg"]
        # ttyS1: COMMAND's output, straight to our stdout (qemu's stdin is
        # /dev/null, so the stdio chardev never touches a terminal).
        if self.quiet:
            argv += ["-serial", "null"]
        else:
            argv += ["-chardev", "stdio,id=out,signal=off", "-serial", "chardev:out"]
        shares = [("hostroot", "/", True), ("vmrun", share, False),
                  ("results", self.results, False)]
        for i, (tag, path, ro) in enumerate(shares):
            argv += ["-fsdev", f"local,id=fs{i},path={qemu_opt(path)},security_model=none,"
                     f"multidevs=remap{',readonly=on' if ro else ''}",
                     "-device", f"virtio-9p-pci,fsdev=fs{i},mount_tag={tag}"]
        return argv

    def run(self):
        proc = None
        self.rundir = Path(tempfile.mkdtemp(prefix="vm-test."))
        share, console = self.rundir / "share", self.rundir / "console.log"
        qemu_log = self.rundir / "qemu.log"
        if not self.quiet:
            log(f"booting {self.kernel.boot_image.name}, timeout {self.timeout} s, "
                f"results in {self.results}, run directory {self.rundir}")
        try:
            self.results.mkdir(parents=True, exist_ok=True)
            self._write_share(share)
            argv = self._qemu_argv(share, console)
            with open(qemu_log, "wb") as err:
                try:
                    proc = subprocess.Popen(
                        argv, stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL if self.quiet else None, stderr=err,
                        start_new_session=True, preexec_fn=_die_with_parent)
                except OSError as e:
                    raise VmError(f"cannot start {QEMU}: {e}") from e
            try:
                qemu_code = proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.failure = f"timeout: still running after {self.timeout} s"
                return self._report(EXIT_TIMEOUT, console, qemu_log)
            status = share / "status"
            if status.exists():
                return int(status.read_text().strip())
            text = console.read_text(errors="replace") if console.exists() else ""
            if _panicked(text):
                self.failure = "the guest kernel panicked"
                return self._report(EXIT_PANIC, console, qemu_log)
            if (share / "started").exists():
                self.failure = "the guest stopped while COMMAND ran, without its exit status"
                return self._report(EXIT_LOST, console, qemu_log)
            self.failure = f"the guest never started COMMAND (qemu exited {qemu_code})"
            return self._report(EXIT_NO_BOOT, console, qemu_log)
        finally:
            if proc is not None and proc.poll() is None:
                self._stop(proc)
            if self.console_copy and console.exists():
                shutil.copyfile(console, self.console_copy)
            shutil.rmtree(self.rundir, ignore_errors=True)

    @staticmethod
    def _stop(proc):
        """SIGTERM to qemu's session, SIGKILL after 5 s, and reap it."""
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def _report(self, code, console, qemu_log):
        if self.quiet:
            return code
        log(f"{self.failure}: exit {code}")
        for name, path in (("qemu", qemu_log), ("console", console)):
            lines = path.read_text(errors="replace").splitlines() if path.exists() else []
            start = max(0, len(lines) - CONSOLE_TAIL)
            # A panic's call trace can be longer than the tail: start a few
            # lines above the panic message, within reason.
            marks = [i for i, line in enumerate(lines) if PANIC_MARK in line]
            if marks and marks[-1] < start:
                start = max(marks[-1] - 5, len(lines) - 3 * CONSOLE_TAIL, 0)
            if lines:
                log(f"last {len(lines) - start} lines of the {name} output:")
                for line in lines[start:]:
                    print(f"  | {line}", file=sys.stderr)
        sys.stderr.flush()
        return code


def run_vng(kernel, argv, cwd, results, timeout, accel):
    """The same contract through virtme-ng: vng boots the kernel as shipped
    (it finds lib/modules next to boot/ and runs depmod itself), shares the
    host's root copy-on-write and returns COMMAND's exit code. Panics and
    boot failures come back as vng's own non-zero codes."""
    results.mkdir(parents=True, exist_ok=True)
    script = shlex.join(["env", f"VM_RESULTS={results}", "VM_TEST=1", *argv])
    cmd = ["vng", "--run", str(kernel.image), "--user", "root", "--cwd", str(cwd),
           "--rwdir", str(results), "--cpus", str(GUEST_CPUS), "--memory", GUEST_MEMORY,
           "--exec", script]
    if accel == "tcg":
        cmd.insert(1, "--disable-kvm")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"timeout: still running after {timeout} s: exit {EXIT_TIMEOUT}")
        return EXIT_TIMEOUT
    finally:
        if proc.poll() is None:
            QemuRun._stop(proc)


def backend():
    """'vng' when virtme-ng is on the PATH, else 'qemu'; VM_BACKEND forces."""
    forced = os.environ.get("VM_BACKEND")
    if forced:
        if forced not in ("vng", "qemu"):
            raise VmError(f"VM_BACKEND={forced}: expected vng or qemu")
        return forced
    return "vng" if shutil.which("vng") else "qemu"


def raise_on_signals():
    """SIGINT and SIGTERM raise Interrupted, so every finally block runs;
    later ones are ignored, so a second Ctrl-C cannot cut the cleanup short."""
    def handler(signum, _frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Interrupted(signum)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
