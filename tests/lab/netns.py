"""Run the calling thread inside a network namespace: setns(2) on the thread itself, so sockets it
opens (redis-py, plain sockets) and processes it starts live in that namespace, and the thread
goes back home afterwards. Unlike `ip netns exec`, nothing is remounted (bpffs pins stay
visible)."""

import ctypes
import os
from contextlib import contextmanager

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


@contextmanager
def inside(ns):
    """with inside("rh-gw1"): ... runs the block in /run/netns/<ns>."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(home)
