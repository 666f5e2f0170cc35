"""Run every benchmarks/bench_*.py and write benchmarks/RESULTS.md.

Usage: ``python -m benchmarks [topic ...]``; with topics, only those run, and their sections
replace the old ones in RESULTS.md (the others are kept).
"""

import datetime
import importlib
import os
import pathlib
import platform
import re
import sys
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    import torch

    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; torch {torch.__version__}")


def section(topic: str, rows: list, seconds: float) -> str:
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = [f"## {topic}", "", f"_run on {when}, took {seconds:.1f} s_", "",
           "| benchmark | value | unit | target | note |", "|---|---|---|---|---|"]
    for r in rows:
        value = r.get("value")
        if isinstance(value, float):
            value = f"{value:.4g}"
        out.append(f"| {r.get('benchmark', '')} | {value} | {r.get('unit', '')} | {r.get('target', '')} | "
                   f"{str(r.get('note', '')).replace('|', '/')} |")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(HERE.parent))
    topics = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    chosen = argv or topics
    old = {}
    if RESULTS.exists():
        for block in re.split(r"(?m)^(?=## )", RESULTS.read_text()):
            if block.startswith("## "):
                old[block.split("\n", 1)[0][3:].strip()] = block
    failed = 0
    for topic in chosen:
        print(f"[bench] {topic} ...", flush=True)
        t0 = time.perf_counter()
        try:
            rows = importlib.import_module(f"benchmarks.bench_{topic}").run()
        except Exception:
            traceback.print_exc()
            rows = [{"benchmark": "FAILED", "note": traceback.format_exc().splitlines()[-1]}]
            failed += 1
        old[topic] = section(topic, rows, time.perf_counter() - t0)
        for r in rows:
            print(f"    {r.get('benchmark')}: {r.get('value')} {r.get('unit', '')}  (target {r.get('target', '-')})")
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    head = (f"# Benchmark results\n\nWritten by `make bench` on {now}.\n\nMachine: {machine()}\n\n"
            "Each section shows when it was last run; sections run on other dates keep their own timing line.\n\n")
    RESULTS.write_text(head + "\n".join(old[t].rstrip("\n") + "\n" for t in sorted(old)))  # no blank lines piling up
    print(f"[bench] wrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
