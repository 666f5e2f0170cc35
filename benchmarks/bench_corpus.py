"""How fast lessons get the folk corpus: cold ``load_tunes()`` and ``load_loops('train')``.

Run alone with ``python benchmarks/bench_corpus.py``; ``make bench`` collects :func:`run`.
"""

import json
import os
import subprocess
import sys
import time

_COLD = r"""
import json, sys, time
t0 = time.perf_counter()
from lessonkit import datasets
t1 = time.perf_counter()
if sys.argv[1] == "tunes":
    n = len(datasets.load_tunes())
    t2 = time.perf_counter()
    datasets.load_tunes()
else:
    n = len(datasets.load_loops("train"))
    t2 = time.perf_counter()
    datasets.load_loops("train")
t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, cold_s=t2 - t1, warm_s=t3 - t2, n=n, summary=datasets.corpus_summary())))
"""


def _cold_run(what):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", _COLD, what], capture_output=True, text=True, cwd=root, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(repeats: int = 3) -> list:
    """Rows of ``{"benchmark", "value", "unit", "target", "note"}``; each timing is the best of ``repeats`` fresh processes."""
    tunes = [_cold_run("tunes") for _ in range(repeats)]
    loops = [_cold_run("loops") for _ in range(repeats)]
    s = tunes[0]["summary"]
    note = f"best of {repeats} fresh processes, so the cache is cold"
    return [
        {"benchmark": "corpus: load_tunes() cold", "value": round(min(r["cold_s"] for r in tunes), 3), "unit": "s",
         "target": "< 1", "note": f"{tunes[0]['n']} tunes; {note}; `import lessonkit.datasets` took "
                                  f"{min(r['import_s'] for r in tunes):.2f} s before it"},
        {"benchmark": "corpus: load_tunes() warm", "value": round(min(r["warm_s"] for r in tunes), 3), "unit": "s",
         "target": "< 0.2", "note": "second call in the same process: fresh copies of the cached melodies"},
        {"benchmark": "corpus: load_loops('train') cold", "value": round(min(r["cold_s"] for r in loops), 3),
         "unit": "s", "target": "< 0.5", "note": f"{loops[0]['n']} loops; {note}"},
        {"benchmark": "corpus: load_loops('train') warm", "value": round(min(r["warm_s"] for r in loops), 4),
         "unit": "s", "target": "< 0.05", "note": "second call: a fresh int64 copy"},
        {"benchmark": "corpus: tunes", "value": s["tunes"], "unit": "tunes", "target": "> 10000",
         "note": "per split " + json.dumps(s["per_split"])},
        {"benchmark": "corpus: loops", "value": sum(s["loops_per_split"].values()), "unit": "loops",
         "target": "", "note": "per split " + json.dumps(s["loops_per_split"])},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
