"""What the lab benchmarks (bench_proxy.py, bench_ha.py) share: the output file, taking the lab
down at the end, and the run's summary and exit status."""

import datetime
import json
import logging
import os
import platform
import sys
import time

from lab import LabError


def write_results(out, cases, **extra):
    """Writes {"cases": cases, **extra, "machine": {nproc, kernel}, "date"} to `out` (a Path)
    through a temporary file, so a reader never sees half of it; returns what it wrote."""
    result = {
        "cases": cases,
        **extra,
        "machine": {"nproc": os.cpu_count(), "kernel": platform.release()},
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(out)
    return result


def take_down(lab, failures):
    """lab.down(), its failure added to `failures`; returns `failures`."""
    try:
        lab.down()
    except LabError as error:
        failures.append(f"lab down: {error}")
    return failures


def run(name, bench):
    """bench() -> [failure], with the lab's log lines shown; prints how long it took and what
    failed, and returns the exit status: 1 if anything failed."""
    logging.basicConfig(level=logging.INFO, format="lab: %(message)s")
    started = time.monotonic()
    failures = bench()
    print(f"{name}: {time.monotonic() - started:.0f} s")
    if failures:
        print(f"{name} FAILED:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0
