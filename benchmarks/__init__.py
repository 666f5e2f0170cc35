"""Benchmarks: speed and quality targets of the issues, measured, not asserted.

Each ``benchmarks/bench_<topic>.py`` has ``run() -> list[dict]`` whose rows have the keys
``benchmark``, ``value``, ``unit``, ``target`` and ``note``. ``make bench`` (``python -m
benchmarks``) runs them all and writes ``benchmarks/RESULTS.md`` with the machine and date.
"""

import os


def load_average() -> float:
    """The 1-minute load average (NaN where the system has none): the rows note how busy the machine was."""
    try:
        return float(os.getloadavg()[0])
    except (OSError, AttributeError):  # pragma: no cover (Windows)
        return float("nan")
