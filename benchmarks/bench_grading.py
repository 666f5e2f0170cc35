"""How long homework grading takes: one submission, and a class of 30, for every assignment.

Run alone with ``python benchmarks/bench_grading.py``; ``make bench`` collects :func:`run`.

Each submission is graded in a fresh sandboxed process (see lessonkit/homework/grading.py), so the
time per submission is mostly starting Python and importing lessonkit and numpy, plus the
student's code. The class figures grade 30 example submissions (mostly right, some typical
mistakes, one stray ``exit()``, one blank; see ``tests/homework_examples.py``) with 2 at a
time, first without and then (for assignment 00) with nbgrader's gradebook, formgrader copy
and feedback files, which add a fixed cost per assignment.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time

TARGET_ONE_S = 20.0
CLASS_SIZE = 30


def _release(tmp):
    from lessonkit.homework.release import main as release_main, repo_root

    shutil.copytree(os.path.join(repo_root(), "assignments", "source"), os.path.join(tmp, "source"))
    release_main(["--source", os.path.join(tmp, "source"), "--out", os.path.join(tmp, "release")])
    return os.path.join(tmp, "source"), os.path.join(tmp, "release")


def _examples():
    """tests/homework_examples.py (test fixtures, not part of the installed package), loaded by path."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "homework_examples.py")
    spec = importlib.util.spec_from_file_location("homework_examples", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(repeats: int = 3) -> list:
    """Rows of ``{"benchmark", "value", "unit", "target", "note"}``."""
    from lessonkit.homework import grading, sandbox

    examples = _examples()
    from lessonkit.homework.assignment import load_assignment, read_submission
    from lessonkit.homework.grade import grade_folder

    rows = []
    isolated = sandbox.isolation_available()
    how = "isolated worker (unshare: no network, read-only files)" if isolated else "plain worker process"
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        t0 = time.perf_counter()
        source, release = _release(tmp)
        rows.append({"benchmark": "make release (all assignments)", "value": time.perf_counter() - t0, "unit": "s",
                     "target": "", "note": "nbgrader generate_assignment + leak search"})
        for name in sorted(os.listdir(source)):
            assignment = load_assignment(os.path.join(source, name))
            kinds_dir = os.path.join(tmp, "kinds", name)
            examples.write_class(kinds_dir, name, source_root=source, release_root=release,
                                 kinds={"reference", "accident_os_exit"})
            for kind, label in (("reference", "right answers"), ("accident_os_exit", "two os._exit replays")):
                sub = read_submission(os.path.join(kinds_dir, kind, name), assignment)
                times = []
                for _ in range(repeats):
                    g = grading.grade_submission(assignment, sub, student=kind)
                    times.append(g.wall_s)
                rows.append({"benchmark": f"{name}: one submission ({label})", "value": statistics.median(times),
                             "unit": "s", "target": f"< {TARGET_ONE_S:g}",
                             "note": f"median of {repeats}; {len(assignment.tasks)} tasks, "
                                     f"{sum(len(t.cases) for t in assignment.tasks)} calls; {how}"})
            klass = os.path.join(tmp, "class", name)
            examples.write_typical_class(klass, CLASS_SIZE, name, source_root=source, release_root=release)
            t0 = time.perf_counter()
            grade_folder(klass, os.path.join(tmp, "out", name), source=source, use_nbgrader=False, jobs=2,
                         log=lambda *a: None)
            wall = time.perf_counter() - t0
            rows.append({"benchmark": f"{name}: class of {CLASS_SIZE} (CSV + feedback)", "value": wall, "unit": "s",
                         "target": f"< {CLASS_SIZE * TARGET_ONE_S:g}",
                         "note": f"{wall / CLASS_SIZE:.2f} s per submission, 2 at a time"})
            if name.startswith("00"):
                t0 = time.perf_counter()
                grade_folder(klass, os.path.join(tmp, "out-nbgrader", name), source=source, jobs=2,
                             log=lambda *a: None)
                wall = time.perf_counter() - t0
                rows.append({"benchmark": f"{name}: class of {CLASS_SIZE} with nbgrader", "value": wall, "unit": "s",
                             "target": f"< {CLASS_SIZE * TARGET_ONE_S:g}",
                             "note": f"{wall / CLASS_SIZE:.2f} s per submission; adds gradebook, formgrader, "
                                     "annotated notebooks"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for row in run():
        print(row)
