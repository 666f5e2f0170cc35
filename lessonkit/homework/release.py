"""``lessonkit homework release`` (``make release``): the student versions of the homework.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "Hand out homework").

Reads every assignment in ``assignments/source/`` (checking that each check cell can be
graded), runs nbgrader's ``generate_assignment`` into ``assignments/release/``, then searches
the released files for any line of a solution, hidden test or mark scheme, and refuses to
leave a leaking release behind.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil

from ..errors import LessonkitError
from .assignment import HIDDEN_BEGIN, HIDDEN_END, SOLUTION_BEGIN, SOLUTION_END, load_assignment


def repo_root() -> str:
    """The folder holding ``assignments/`` (the repository), else the current folder."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return here if os.path.isdir(os.path.join(here, "assignments")) else os.getcwd()


def secret_lines(source_text: str) -> list:
    """Lines inside solution, hidden-test and mark-scheme regions (stripped, long enough to be telling)."""
    out, inside = [], False
    begins = (SOLUTION_BEGIN, HIDDEN_BEGIN, "### BEGIN MARK SCHEME")
    ends = (SOLUTION_END, HIDDEN_END, "### END MARK SCHEME")
    for line in source_text.splitlines():
        s = line.strip()
        if s in begins:
            inside = True
            continue
        if s in ends:
            inside = False
            continue
        if inside and len(s) >= 12:
            out.append(s)
    return out


def find_leaks(source_folder: str, release_folder: str) -> list:
    """Released files that contain solution or hidden-test text: ``["file: line", ...]`` (empty when clean)."""
    import nbformat

    secrets = set()
    for path in glob.glob(os.path.join(source_folder, "*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            secrets.update(secret_lines(cell.source))
    markers = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "hidden_check",
               "BEGIN MARK SCHEME")
    leaks = []
    for path in sorted(glob.glob(os.path.join(release_folder, "**", "*"), recursive=True)):
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        if path.endswith(".ipynb"):
            nb = nbformat.reads(text, as_version=4)
            text = "\n".join(c.source for c in nb.cells)
        rel = os.path.relpath(path, release_folder)
        for marker in markers:
            if marker in text:
                leaks.append(f"{rel}: contains {marker!r}")
        lines = {line.strip() for line in text.splitlines()}
        for secret in sorted(secrets & lines):
            leaks.append(f"{rel}: {secret[:80]}")
    return leaks


def main(argv=None) -> int:
    from . import nbgrader_steps

    root = repo_root()
    parser = argparse.ArgumentParser(prog="lessonkit homework release",
                                     description="Generate the student versions of the homework with nbgrader.")
    parser.add_argument("assignments", nargs="*", help="assignment names (default: every folder in the source)")
    parser.add_argument("--source", default=os.path.join(root, "assignments", "source"))
    parser.add_argument("--out", default=os.path.join(root, "assignments", "release"),
                        help="where the student versions go (next to --source)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.source):
        raise LessonkitError(f"There is no source folder {args.source!r}.")
    names = args.assignments or sorted(d for d in os.listdir(args.source)
                                       if os.path.isdir(os.path.join(args.source, d)) and not d.startswith((".", "_")))
    for name in names:
        folder = os.path.join(args.source, name)
        if not os.path.isdir(folder):
            raise LessonkitError(f"There is no assignment {name!r} in {args.source}. Choose one of: "
                                 + ", ".join(sorted(os.listdir(args.source))))
        assignment = load_assignment(folder)  # raises if a task cannot be graded
        print(f"{name}: {len(assignment.tasks)} autograded tasks ({assignment.auto_max:g} points), "
              f"{len(assignment.written)} written ({assignment.written_max:g} points)")
    log = os.path.join(args.out, ".nbgrader-release.log")
    if os.path.exists(log):
        os.remove(log)
    written = nbgrader_steps.release(args.source, args.out, names, log_path=log)
    for name, folder in zip(names, written):
        leaks = find_leaks(os.path.join(args.source, name), folder)
        if leaks:
            shutil.rmtree(folder, ignore_errors=True)
            raise LessonkitError(f"The release of {name} contained solution or hidden-test text, so it was deleted:\n  "
                                 + "\n  ".join(leaks[:10]))
        files = sorted(os.path.relpath(p, args.out) for p in glob.glob(os.path.join(folder, "**", "*"), recursive=True)
                       if os.path.isfile(p))
        print(f"released {name} -> {folder}  ({', '.join(files)}; no solution or hidden-test text found)")
    print(f"Hand out the folders in {args.out} (see docs/teacher-guide.md).")
    return 0
