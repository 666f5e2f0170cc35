"""Foundation figures: import time, render speed, peak memory of running lesson 00.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks foundation``.
"""

import pathlib
import subprocess
import sys
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def import_time_s(modules: str = "lessonkit, lessonkit.audio, lessonkit.plots, lessonkit.music") -> float:
    """Median wall time of a cold import of ``modules``, minus a bare interpreter start."""
    def timed(code):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - t0
    bare = sorted(timed("pass") for _ in range(3))[1]
    full = sorted(timed(f"import {modules}") for _ in range(3))[1]
    return full - bare


def render_speed() -> list:
    out = _python("""
        import time
        from lessonkit import Melody, audio
        phrase = "C4/2 D4/2 E4/2 F4/2 G4 A4/2 G4/2 | F4/2 E4/2 D4/2 C4/2 D4*2 | "
        m = Melody.parse(phrase * 8)          # 16 bars
        rows = []
        for name in dict.fromkeys([audio.DEFAULT_INSTRUMENT, "synth"]):
            audio.render(m, name)
            t0 = time.perf_counter(); n = 5
            for _ in range(n):
                a = audio.render(m, name)
            dt = (time.perf_counter() - t0) / n
            rows.append(f"{name},{len(a) / audio.SR / dt:.1f},{dt * 1000:.1f}")
        print(";".join(rows))
    """)
    rows = []
    for item in out.split(";"):
        name, speed, ms = item.split(",")
        rows.append({"benchmark": f"render 16 bars (120 bpm) on '{name}'", "value": float(speed),
                     "unit": "x real time", "target": "> 100", "note": f"{ms} ms per render, one process"})
    return rows


def lesson00_peak_memory_mb() -> tuple:
    code = f"""
        import resource, time, nbformat, shutil, tempfile, pathlib
        from nbclient import NotebookClient
        tmp = pathlib.Path(tempfile.mkdtemp())
        src = pathlib.Path({str(ROOT / 'notebooks' / '00_music_as_data.ipynb')!r})
        nb = nbformat.read(src, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={{"metadata": {{"path": str(tmp)}}}}).execute()
        dt = time.perf_counter() - t0
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(kb / 1024, dt)
        shutil.rmtree(tmp)
    """
    mb, seconds = _python(code).split()
    return float(mb), float(seconds)


def run() -> list:
    rows = [{"benchmark": "import lessonkit (+ audio, plots), cold", "value": import_time_s(), "unit": "s",
             "target": "< 2", "note": "median of 3, minus a bare interpreter start; matplotlib loads on first plot"},
            {"benchmark": "import lessonkit.models.duet (brings torch), cold",
             "value": import_time_s("lessonkit.models.duet"), "unit": "s", "target": "< 5",
             "note": "what a lesson with a model pays once, in its setup cell"},
            {"benchmark": "setup cell of lesson 00 (lessonkit + matplotlib + widgets), cold",
             "value": import_time_s("matplotlib.pyplot, ipywidgets, lessonkit.audio, lessonkit.plots, lessonkit.datasets, "
                                    "lessonkit.widgets, lessonkit.checks.lesson00"), "unit": "s", "target": "< 3", "note": ""}]
    rows += render_speed()
    mb, seconds = lesson00_peak_memory_mb()
    rows.append({"benchmark": "lesson 00: peak memory of the kernel (run all)", "value": mb, "unit": "MB",
                 "target": "", "note": f"max RSS of the kernel process; run-all took {seconds:.1f} s"})
    return rows
