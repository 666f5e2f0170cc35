"""Run a student's answers in a fresh, limited process and bring back their functions' return values.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "How grading works").

:func:`run_job` starts :mod:`lessonkit.homework.worker` in a new process (a new session, an
empty working folder, a clean environment, resource limits) and reads its progress
messages. The grader enforces every time limit from here, so code in the student's process
cannot stretch them:

* a statement that runs longer than ``statement_time_s``, or that ends the process
  (``os._exit``, a segfault), is skipped: the worker is started again and the same cells
  run without that statement (at most ``max_restarts`` times). So a stray ``os._exit(0)``
  after a correct function costs nothing, and the function is still graded;
* each task has ``task_time_s`` in all for its calls; a call that runs past it (an infinite
  loop) fails with the cases of that task that were not reached, and the next task runs in
  a fresh worker;
* a call that ends the process fails alone; the other cases go on in a fresh worker.

Where the kernel allows it (Linux with user namespaces, which ``unshare`` tests cheaply),
the worker also runs with no network, its own process namespace (it cannot signal the
grader or other processes) and a read-only view of every file system except a fresh, empty
``/tmp``; :func:`isolation_available` says whether that is in force. When the Python or the
lessonkit the grader runs lives under ``/tmp`` itself (a clone or a venv there), a fresh ``/tmp``
would hide it, so the fresh, empty scratch folder is mounted on a new sub-folder of ``/tmp``
instead and the rest of ``/tmp`` stays visible, read-only. The worker always imports the same
lessonkit as the grader (its folder is passed explicitly; ``python -I`` ignores PYTHONPATH).
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from ..errors import LessonkitError
from . import wire

MAX_OUTPUT_BYTES = 64 * 1024 * 1024
"""Most bytes of messages read from one worker before it is stopped."""
MAX_DATA_BYTES = 32 * 1024 * 1024
"""Most bytes of an assignment's data files (base64) sent to each worker."""

_UNSHARE = ["unshare", "--user", "--map-root-user", "--mount", "--net", "--pid", "--fork", "--kill-child",
            "--mount-proc"]
_LOCKDOWN = (
    'for mp in $(awk \'{print $5}\' /proc/self/mountinfo); do '
    'case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/pts) continue;; esac; '
    'mount -o remount,bind,ro "$mp" 2>/dev/null; done; '
    'S="${LESSONKIT_SCRATCH:-/tmp}"; '
    'mount -t tmpfs -o size=512m,mode=1777 tmpfs "$S" || exit 97; '
    'mount -t tmpfs -o size=64m tmpfs /dev/shm 2>/dev/null; '
    'mkdir -p "$S/work" "$S/home" && cd "$S/work" && exec "$@"'
)
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""The folder that holds the ``lessonkit`` package the grader runs; the worker imports it from there."""
_BOOT = ("import sys, runpy; sys.path.insert(0, sys.argv[1]); "
         "runpy.run_module('lessonkit.homework.worker', run_name='__main__')")


def _worker_command(python) -> list:
    return [python, "-I", "-c", _BOOT, PACKAGE_ROOT]


def _under_tmp(path) -> bool:
    return any(p == "/tmp" or p.startswith("/tmp/") for p in {os.path.abspath(path), os.path.realpath(path)})


def needs_scratch_mount(python=None) -> bool:
    """True when the grader's Python or lessonkit lives under ``/tmp`` (a fresh ``/tmp`` would hide it)."""
    python = python or sys.executable
    venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    return any(_under_tmp(p) for p in (python, venv, PACKAGE_ROOT))
_isolation_cache: dict = {}


@dataclass
class CellIssue:
    """Something that went wrong while running a cell (reported to the student, costs nothing by itself)."""

    cell: int
    statement: int
    kind: str  # "error", "syntax", "crash", "timeout", "tampered"
    message: str


@dataclass
class RunResult:
    """What came back from one student's process(es).

    Attributes
    ----------
    results : list of list of tuple
        ``results[task][case]`` is ``("ok", value)`` (value rebuilt from data) or
        ``("error", "Type: message")``.
    issues : list of CellIssue
        Errors, crashes and time-outs while running the cells.
    restarts : int
        How many times a fresh worker had to be started.
    wall_s : float
        Seconds spent, all workers together.
    isolated : bool
        Whether the namespace isolation was in force.
    """

    results: list
    issues: list = field(default_factory=list)
    restarts: int = 0
    wall_s: float = 0.0
    isolated: bool = False


def isolation_available(python=None) -> bool:
    """True when workers can run without network, in their own PID namespace, with read-only files."""
    python = python or sys.executable
    if python in _isolation_cache:
        return _isolation_cache[python]
    ok = False
    if sys.platform.startswith("linux") and shutil.which("unshare") and os.environ.get("LESSONKIT_NO_UNSHARE") != "1":
        scratch = tempfile.mkdtemp(prefix="lessonkit-probe-") if needs_scratch_mount(python) else None
        code = ("import sys; sys.path.insert(0, sys.argv[1]); import lessonkit.homework.worker; "
                "open('x', 'w').write('1'); print('ok')")
        try:
            probe = subprocess.run(_UNSHARE + ["sh", "-c", _LOCKDOWN, "sh", python, "-I", "-c", code, PACKAGE_ROOT],
                                   capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                                   env=_lockdown_env(dict(os.environ), scratch))
            ok = probe.returncode == 0 and probe.stdout.strip() == b"ok"
            if not ok and probe.returncode != 97 and _namespaces_work():
                raise IsolationError(
                    "The grading sandbox starts, but this Python cannot run lessonkit inside it "
                    f"(Python {python}, lessonkit in {PACKAGE_ROOT}; it said: "
                    f"{probe.stderr.decode(errors='replace').strip()[-300:]!r}). Put the checkout and its .venv in a "
                    "folder every user can read (not a private or network mount), or grade without isolation "
                    "(LESSONKIT_NO_UNSHARE=1) in a container or as a separate user.")
        except (OSError, subprocess.SubprocessError):
            ok = False
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
    _isolation_cache[python] = ok
    return ok


class IsolationError(LessonkitError, RuntimeError):
    """The sandbox works on this machine, but not for this checkout or venv (the message says the fix)."""


def _namespaces_work() -> bool:
    try:
        done = subprocess.run(_UNSHARE + ["true"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
        return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _lockdown_env(env, scratch):
    env = dict(env)
    if scratch:
        env["LESSONKIT_SCRATCH"] = scratch
    else:
        env.pop("LESSONKIT_SCRATCH", None)
    return env


def _env(home):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "TMPDIR": os.path.join(home, "..") if home.startswith("/tmp/") else home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LESSONKIT_GRADING": "1",
    }
    for key in ("MPLCONFIGDIR",):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _decode_result(r):
    if type(r) is not list or len(r) != 2 or r[0] not in ("ok", "error"):
        return ("error", "The grader could not read this answer.")
    if r[0] == "error":
        return ("error", str(r[1])[:400])
    try:
        return ("ok", wire.decode(r[1]))
    except wire.WireError as err:
        return ("error", f"ReturnTypeError: {err}")


def run_job(cells, tasks, *, task_time_s=10.0, statement_time_s=10.0, max_restarts=None, memory_bytes=4 << 30,
            isolation="auto", python=None, files=None) -> RunResult:
    """Run ``cells`` then call each task's function on its cases, each in a limited, fresh process.

    Parameters
    ----------
    cells : list of dict
        ``{"source": str, "label": str}`` in notebook order: setup cells (the teacher's) and
        the student's answer cells.
    tasks : list of dict
        ``{"function": name, "cases": [argument tuple, ...], "time_s": optional limit}``; cases
        are sent as wire data.
    task_time_s, statement_time_s : float
        Seconds a task's calls (together) and one top-level statement may take.
    max_restarts : int, optional
        Fresh workers allowed after a crash or a time-out (default ``4 + 2 * len(tasks)``).
    memory_bytes : int
        Address-space limit of the worker.
    isolation : {"auto", "none"}
        ``"auto"`` uses the namespace isolation where :func:`isolation_available`.
    files : dict, optional
        ``{relative name: path}`` of an assignment's data files: read here and written into the
        worker's empty folder before anything runs.
    """
    python = python or sys.executable
    isolated = isolation == "auto" and isolation_available(python)
    wire_tasks = [{"function": t["function"], "cases": [wire.encode(tuple(c)) for c in t["cases"]]} for t in tasks]
    payload = {}
    for name, path in sorted((files or {}).items()):
        if os.path.isabs(name) or ".." in name.replace("\\", "/").split("/"):
            raise ValueError(f"data file name {name!r} must be a relative path inside the assignment")
        with open(path, "rb") as f:
            payload[name] = base64.b64encode(f.read()).decode("ascii")
    if sum(len(v) for v in payload.values()) > MAX_DATA_BYTES:
        raise ValueError(f"the assignment's data files are larger than {MAX_DATA_BYTES >> 20} MB")
    results: dict = {}
    issues: list = []
    skip: set = set()
    task_used = [0.0] * len(tasks)
    max_restarts = 4 + 2 * len(tasks) if max_restarts is None else max_restarts
    start = time.monotonic()
    restarts = 0
    while True:
        done = sorted(results)
        job = {"cells": cells, "tasks": wire_tasks, "skip": sorted(skip), "done": done, "files": payload,
               "limits": {"memory_bytes": memory_bytes, "file_bytes": 64 << 20,
                          "cpu_s": int(statement_time_s * 4 + task_time_s * (len(tasks) + 1) + 60)}}
        outcome, where, elapsed_by_task = _one_worker(job, python, isolated, tasks, results, issues,
                                                      task_time_s, statement_time_s, task_used)
        for t, used in elapsed_by_task.items():
            task_used[t] += used
        if outcome == "end":
            break
        if outcome == "tampered":
            issues.append(CellIssue(-1, -1, "tampered", "The submission wrote to the grader's private channel (or "
                                    "far too much); its answers not yet graded were not graded."))
            for t, task in enumerate(tasks):
                for k in range(len(task["cases"])):
                    results.setdefault((t, k), ("error", "Not graded: the submission interfered with the grader."))
            break
        # A crash or a time-out at `where`: record it, skip it, start again.
        if where is None:
            issues.append(CellIssue(-1, -1, "crash", "The grader could not start Python for this submission."))
            break
        if where[0] == "stmt":
            _, c, s = where
            skip.add((c, s))
            kind = "timeout" if outcome == "timeout" else "crash"
            text = (f"ran longer than {statement_time_s:g} s and was stopped" if kind == "timeout"
                    else "ended the Python process (exit, os._exit or a crash)")
            issues.append(CellIssue(c, s, kind, f"This statement {text}; the grader skipped it."))
        else:
            _, t, k = where
            if outcome == "timeout":
                results[(t, k)] = ("error", f"TimeoutError: this task's calls took longer than "
                                            f"{_limit(tasks[t], task_time_s):g} s (an infinite loop?)")
                for k2 in range(len(tasks[t]["cases"])):
                    results.setdefault((t, k2), ("error", "Not run: the time limit of this task was used up."))
            else:
                results[(t, k)] = ("error", "SystemExit: your function ended the Python process (exit, os._exit "
                                            "or a crash).")
        restarts += 1
        if restarts > max_restarts:
            issues.append(CellIssue(-1, -1, "crash", "Too many crashes or time-outs; the grader stopped here."))
            break
    unique, seen = [], set()
    for issue in issues:  # a replay reports the same errors again
        key = (issue.cell, issue.statement, issue.kind, issue.message)
        if key not in seen:
            seen.add(key)
            unique.append(issue)
    issues = unique
    table = []
    for t, task in enumerate(tasks):
        row = []
        for k in range(len(task["cases"])):
            row.append(results.get((t, k), ("error", "Not run: the grader stopped before this input.")))
        table.append(row)
    return RunResult(table, issues, restarts, time.monotonic() - start, isolated)


def _one_worker(job, python, isolated, tasks, results, issues, task_time_s, statement_time_s, task_used):
    """Run one worker until it ends, crashes or times out. Returns (outcome, where, time used per task)."""
    cmd = _worker_command(python)
    tmp = scratch = None
    if isolated:
        cmd = _UNSHARE + ["sh", "-c", _LOCKDOWN, "sh"] + cmd
        if needs_scratch_mount(python):
            # a fresh /tmp would hide this Python or lessonkit: the fresh, empty tmpfs goes on a new sub-folder
            scratch = tmp = tempfile.mkdtemp(prefix="lessonkit-grade-")
        cwd, home = "/", os.path.join(scratch or "/tmp", "home")
    else:
        tmp = tempfile.mkdtemp(prefix="lessonkit-grade-")
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        os.makedirs(os.path.join(tmp, "work"))
        cwd = os.path.join(tmp, "work")
    env = _env(home)
    if isolated:
        env["TMPDIR"] = scratch or "/tmp"
        env = _lockdown_env(env, scratch)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            cwd=cwd, env=env, start_new_session=True)
    elapsed_by_task: dict = {}
    where = None
    outcome = "crash"
    try:
        try:
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            return "crash", None, elapsed_by_task
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        buffer = b""
        total = 0
        started = time.monotonic()
        deadline = started + 60.0  # starting Python and the imports
        # However the messages go, one worker never outlives this (forged progress cannot stretch it).
        hard_deadline = started + 60.0 + statement_time_s * 6 + sum(_limit(t, task_time_s) for t in tasks) * 1.5
        task_started: dict = {}
        current_task = None
        # The grader knows exactly which messages may come next: statements in increasing order,
        # then "call" for the next pending (task, case), then its "case", ..., then "end".
        pending = [(t, k) for t in range(len(tasks)) for k in range(len(tasks[t]["cases"])) if (t, k) not in results]
        next_call, open_call, last_stmt, phase = 0, None, (-1, -1), "start"
        while True:
            now = time.monotonic()
            if now >= min(deadline, hard_deadline):
                outcome = "timeout"
                break
            events = sel.select(timeout=min(1.0, min(deadline, hard_deadline) - now))
            if not events:
                continue
            chunk = os.read(proc.stdout.fileno(), 1 << 16)
            if not chunk:
                outcome = "crash"
                break
            total += len(chunk)
            if total > MAX_OUTPUT_BYTES:
                outcome = "tampered"
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            finished = False
            for line in lines:
                try:
                    msg = json.loads(line)
                except (ValueError, RecursionError):
                    msg = None
                kind = msg.get("e") if type(msg) is dict else None
                now = time.monotonic()
                ok = True
                if kind == "ready" and phase == "start":
                    phase = "cells"
                    deadline = now + statement_time_s
                elif kind == "stmt" and phase == "cells" and _ints(msg, "c", "s") and (msg["c"], msg["s"]) > last_stmt:
                    last_stmt = (msg["c"], msg["s"])
                    where = ("stmt", msg["c"], msg["s"])
                    deadline = now + statement_time_s
                elif kind in ("err", "syntax") and phase == "cells" and _ints(msg, "c"):
                    issues.append(CellIssue(msg["c"], msg.get("s", -1) if type(msg.get("s")) is int else -1,
                                            "syntax" if kind == "syntax" else "error", str(msg.get("msg", ""))[:400]))
                elif (kind == "call" and phase in ("cells", "calls") and open_call is None and next_call < len(pending)
                      and _ints(msg, "t", "k") and (msg["t"], msg["k"]) == pending[next_call]):
                    phase = "calls"
                    t, k = open_call = pending[next_call]
                    if current_task is not None and current_task != t:
                        elapsed_by_task[current_task] = now - task_started[current_task]
                    task_started.setdefault(t, now)
                    current_task = t
                    where = ("call", t, k)
                    deadline = task_started[t] + max(0.0, _limit(tasks[t], task_time_s) - task_used[t])
                elif kind == "case" and open_call is not None and _ints(msg, "t", "k") and (
                        msg["t"], msg["k"]) == open_call:
                    results[open_call] = _decode_result(msg.get("r"))
                    open_call = None
                    next_call += 1
                elif kind == "end" and phase in ("cells", "calls") and open_call is None and next_call == len(pending):
                    finished = True
                    break
                else:
                    ok = False
                if not ok:
                    outcome = "tampered"
                    break
            if finished:
                outcome = "end"
                break
            if outcome == "tampered":
                break
        if current_task is not None:
            elapsed_by_task[current_task] = time.monotonic() - task_started[current_task]
        if outcome == "timeout" and where is not None and where[0] == "call":
            # the whole remaining budget of this task is spent
            elapsed_by_task[where[1]] = _limit(tasks[where[1]], task_time_s)
        return outcome, where, elapsed_by_task
    finally:
        _kill(proc)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _limit(task, default):
    return float(task.get("time_s") or default)


def _ints(msg, *keys):
    return all(type(msg.get(k)) is int for k in keys)


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass
    for stream in (proc.stdout, proc.stdin):
        try:
            if stream:
                stream.close()
        except OSError:
            pass
