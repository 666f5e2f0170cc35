"""The process that runs one student's answers and calls their functions (never the grader).

Lesson: none (teachers' tooling; see docs/teacher-guide.md and :mod:`lessonkit.homework.sandbox`).

Started by :mod:`lessonkit.homework.sandbox` as ``python -I -m lessonkit.homework.worker``
in an empty temporary folder. It reads one job (JSON) from stdin *before* any student
code runs, then:

1. executes the job's cells one top-level statement at a time: the assignment's own setup
   cells (the teacher's version) and the student's answer cells, in the notebook's order.
   A statement that raises (``SystemExit`` from ``exit()`` included) is reported and the
   next one runs; a statement listed in ``skip`` (one that killed or hung an earlier
   worker) is not run at all;
2. for each task, looks up the student's function by name and calls it on each case,
   sending back ``("ok", value)`` as :mod:`~lessonkit.homework.wire` data or
   ``("error", "Type: message")``.

Messages go, one JSON object per line, to a private copy of the original stdout; the
student's own prints and warnings go to /dev/null. Nothing sent here is trusted by the
grader beyond "these are the values the function returned": the grader compares them with
the reference itself. The grader, not this process, enforces the time limits.
"""

from __future__ import annotations

import ast
import json
import os
import sys


def _limit_resources(job):
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux/macOS
        return
    limits = job.get("limits", {})
    for name, key in (("RLIMIT_AS", "memory_bytes"), ("RLIMIT_FSIZE", "file_bytes"), ("RLIMIT_CPU", "cpu_s")):
        value = limits.get(key)
        if value and hasattr(resource, name):
            res = getattr(resource, name)
            try:
                soft, hard = resource.getrlimit(res)
                value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
                resource.setrlimit(res, (value, hard))
            except (ValueError, OSError):
                pass
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass


class _Shell:
    """A stand-in for ``get_ipython()``: magics in answer cells run their Python, shell escapes do nothing."""

    def __init__(self, namespace):
        self.user_ns = namespace

    def run_line_magic(self, name, line, *args, **kwargs):
        if name in ("time", "timeit", "prun") and line.strip():
            code = line.split(None, 1)[-1] if name == "timeit" and line.lstrip().startswith("-") else line
            exec(compile(code, "<magic>", "exec"), self.user_ns)
        return None

    def run_cell_magic(self, name, line, cell, *args, **kwargs):
        if name in ("time", "timeit", "capture", "prun"):
            exec(compile(cell, "<magic>", "exec"), self.user_ns)
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _statements(source):
    """Split a cell into top-level statements: list of code objects, or raise SyntaxError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
        tree = ast.parse(source)
    return [ast.Module(body=[node], type_ignores=[]) for node in tree.body]


def _describe(err):
    text = str(err)
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _answer_line(err) -> str:
    """``" | in your line: <code>"`` for the innermost line of an answer cell in ``err``'s traceback (hints use it)."""
    import traceback

    line = ""
    try:
        for frame in traceback.extract_tb(err.__traceback__):
            if (frame.filename or "").startswith("<answer") and frame.line:
                line = frame.line.strip()[:120]
    except Exception:
        return ""
    return f" | in your line: {line}" if line else ""


def main():
    raw = sys.stdin.buffer.read()
    job = json.loads(raw)
    del raw
    channel = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)

    from . import wire  # imported before any student code runs

    dumps, encode, decode = json.dumps, wire.encode, wire.decode

    def send(message):
        channel.write(dumps(message, separators=(",", ":")) + "\n")
        channel.flush()

    import base64

    for name, data in sorted(job.get("files", {}).items()):  # the assignment's data files, next to the notebook
        folder = os.path.dirname(name)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(name, "wb") as f:
            f.write(base64.b64decode(data))
    _limit_resources(job)
    import random

    import numpy as np

    random.seed(0)
    np.random.seed(0)

    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    namespace["get_ipython"] = lambda: _Shell(namespace)
    try:
        from IPython.display import display

        namespace["display"] = display
    except ImportError:  # pragma: no cover
        pass
    skip = {(c, s) for c, s in job.get("skip", [])}
    send({"e": "ready"})

    for ci, cell in enumerate(job["cells"]):
        try:
            statements = _statements(cell["source"])
        except SyntaxError as err:
            send({"e": "syntax", "c": ci, "msg": f"SyntaxError: {err.msg} (line {err.lineno})"})
            continue
        filename = f"<{cell.get('label', 'cell')}>"
        import linecache

        linecache.cache[filename] = (len(cell["source"]), None, cell["source"].splitlines(True), filename)
        for si, module in enumerate(statements):
            if (ci, si) in skip:
                continue
            send({"e": "stmt", "c": ci, "s": si})
            try:
                exec(compile(module, filename, "exec"), namespace)
            except BaseException as err:  # SystemExit and KeyboardInterrupt included: keep going
                send({"e": "err", "c": ci, "s": si, "msg": _describe(err)})

    done = {(t, k) for t, k in job.get("done", [])}
    for ti, task in enumerate(job["tasks"]):
        func = namespace.get(task["function"])
        for k, case in enumerate(task["cases"]):
            if (ti, k) in done:
                continue
            send({"e": "call", "t": ti, "k": k})
            if func is None:
                result = ["error", f"NameError: your answers do not define {task['function']!r} "
                          "(is it spelled as in the task, and inside the answer cell?)"]
            elif not callable(func):
                result = ["error", f"TypeError: {task['function']!r} is a {type(func).__name__}, not a function"]
            else:
                try:
                    args = decode(case)
                    if "torch" in sys.modules:
                        sys.modules["torch"].manual_seed(0)
                    random.seed(0)
                    np.random.seed(0)
                    value = func(*args)
                    result = ["ok", encode(value)]
                except wire.WireError as err:
                    result = ["error", f"ReturnTypeError: {err}"]
                except BaseException as err:
                    result = ["error", _describe(err) + _answer_line(err)]
            try:
                send({"e": "case", "t": ti, "k": k, "r": result})
            except (TypeError, ValueError) as err:
                send({"e": "case", "t": ti, "k": k, "r": ["error", f"ReturnTypeError: {_describe(err)}"]})
    send({"e": "end"})
    channel.close()
    os._exit(0)  # skip interpreter shutdown (student atexit handlers, __del__ methods)


if __name__ == "__main__":
    main()
