"""Benchmarks: speed and quality targets of the issues, measured, not asserted.

Each ``benchmarks/bench_<topic>.py`` has ``run() -> list[dict]`` whose rows have the keys
``benchmark``, ``value``, ``unit``, ``target`` and ``note``. ``make bench`` (``python -m
benchmarks``) runs them all and writes ``benchmarks/RESULTS.md`` with the machine and date.
"""
