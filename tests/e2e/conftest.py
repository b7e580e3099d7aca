"""Fixtures of the end-to-end tests: the namespace lab (tests/lab/lab.py) and measurements that
show up in the terminal summary of a plain `pytest -v` run."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))

from lab import Lab  # noqa: E402  (needs the path above)

MEASUREMENTS = pytest.StashKey[list]()


@pytest.fixture(scope="module")
def lab():
    """The lab, up for one test module and taken down after it even when up or a test fails.
    Module scope lets a module that needs the lab down (test_lab_lifecycle.py) run after it."""
    the_lab = Lab()
    try:
        the_lab.up()
        yield the_lab
    finally:
        the_lab.down()


@pytest.fixture
def report(request, record_property):
    """report(name, value, unit): a measurement, printed in the terminal summary and stored as a
    JUnit property."""

    def record(name, value, unit):
        record_property(name, value)
        line = f"{request.node.name}: {name} = {value:.2f} {unit}"
        request.config.stash.setdefault(MEASUREMENTS, []).append(line)

    return record


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(MEASUREMENTS, [])
    if lines:
        terminalreporter.section("lab measurements")
        for line in lines:
            terminalreporter.write_line(line)
