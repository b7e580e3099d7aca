#!/usr/bin/python3
"""The probe of bench_ha.py, run inside rh-client: which gateway forwards a new connection.

usage: ha_probe.py HOST PORT EVERY_MS TIMEOUT_S      (ip netns exec rh-client /usr/bin/python3 ...)

Every EVERY_MS it opens a new TCP connection to HOST:PORT, without waiting for the earlier ones,
sends CLIENT INFO and reads `addr=IP:PORT` from Redis's reply: IP is the address the connection
reached Redis from, the gateway that forwarded it (redishad's snat-address, or the back address
haproxy connects from). For each attempt it prints one JSON line when it ends, so lines come in
the order of `t`: {"sent": S, "t": T, "via": IP} or {"sent": S, "t": T, "error": WHAT}, S and T
being time.monotonic() (CLOCK_MONOTONIC, the same in every network namespace) at the start and at
the end of the attempt; each attempt gives up after TIMEOUT_S. It stops starting attempts at EOF
on stdin and exits once the running ones have ended.
"""

import asyncio
import json
import re
import sys
import time

ADDR = re.compile(rb"\baddr=([0-9.]+):\d+")


async def client_info(host, port):
    """The IP in `addr=` of CLIENT INFO through a new connection; raises on anything else."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(b"CLIENT INFO\r\n")
        header = await reader.readline()
        if not header.startswith(b"$"):
            raise ValueError(f"reply {header[:60]!r}")  # an error reply, or EOF (b"")
        body = await reader.readexactly(int(header[1:]) + 2)
        found = ADDR.search(body)
        if not found:
            raise ValueError(f"no addr= in {body[:80]!r}")
        return found.group(1).decode()
    finally:
        writer.close()


async def attempt(host, port, timeout):
    sent = time.monotonic()
    try:
        line = {"via": await asyncio.wait_for(client_info(host, port), timeout)}
    except asyncio.TimeoutError:
        line = {"error": "timeout"}
    except (OSError, ValueError, asyncio.IncompleteReadError) as error:
        line = {"error": f"{type(error).__name__}: {error}"[:120]}
    print(json.dumps({"sent": sent, "t": time.monotonic(), **line}), flush=True)


async def probe(host, port, every, timeout):
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.readline() or stop.set())
    running = set()
    due = time.monotonic()
    while not stop.is_set():
        task = asyncio.create_task(attempt(host, port, timeout))
        running.add(task)
        task.add_done_callback(running.discard)
        # A fixed cadence; a slot missed (the loop was late) is skipped, not made up in a burst.
        due = max(due + every, time.monotonic())
        try:
            await asyncio.wait_for(stop.wait(), due - time.monotonic())
        except asyncio.TimeoutError:
            pass
    if running:
        await asyncio.wait(running)


def main():
    host, port, every_ms, timeout = sys.argv[1:]
    asyncio.run(probe(host, int(port), float(every_ms) / 1000, float(timeout)))


if __name__ == "__main__":
    main()
