"""The grading sandbox's isolation: Linux namespaces, read-only files, a fresh scratch folder.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "The sandbox").

The worker runs under ``unshare`` (its own user, mount, network and PID namespaces); inside,
every mount is made read-only and a fresh, empty tmpfs is mounted on ``/tmp`` (or, when the
grader's Python or lessonkit lives under ``/tmp``, which a fresh ``/tmp`` would hide, on a new
sub-folder of it). :func:`isolation_available` probes all of that once per Python; when the
namespaces work but this checkout cannot run inside them it raises :class:`IsolationError` with
the fix, rather than letting grading fall back to an unisolated process without a word.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from ..errors import LessonkitError

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
