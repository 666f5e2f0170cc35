"""What nbgrader does for lessonkit: release, gradebook, formgrader, feedback (never the scoring).

Lesson: none (teachers' tooling; see docs/teacher-guide.md).

Every nbgrader command runs as ``python -m nbgrader ...`` in a child process with a
configuration written here (so a teacher's own ``~/.jupyter`` settings cannot change what
the course commands do):

* :func:`release`: ``generate_assignment`` from ``assignments/source`` into
  ``assignments/release`` (solutions, hidden tests and mark schemes stripped; a throw-away
  gradebook, since a release needs none);
* :func:`prepare_course`: a course folder for grading (``grading/course``) whose gradebook
  knows the assignment, so the formgrader can show it;
* :func:`autograde`: nbgrader's ``autograde`` with its ``Execute`` step replaced by
  :class:`InjectLessonkitResults`, which writes lessonkit's result for each check cell into
  that cell's output (a message and the score as a number, which nbgrader reads as partial
  credit). No student code runs in nbgrader's steps at all; hidden tests are removed from
  the graded copy so feedback files do not reveal them;
* :func:`generate_feedback`: an HTML file per student and notebook;
* :func:`read_written_scores`: the scores a teacher gave in the formgrader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from ..errors import LessonkitError
from .assignment import HIDDEN_BEGIN, nbgrader_meta, strip_hidden

IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
"""Files in a source folder that are never released or copied."""


class NbgraderError(LessonkitError, RuntimeError):
    """An nbgrader step failed; the message names the log file with the details."""


def _config_text(root, db_url, extra=""):
    return (
        "c = get_config()  # noqa\n"
        "# Written by lessonkit (lessonkit/homework/nbgrader_steps.py).\n"
        f"c.CourseDirectory.root = {os.path.abspath(root)!r}\n"
        f"c.CourseDirectory.db_url = {db_url!r}\n"
        f"c.CourseDirectory.ignore = {IGNORE!r}\n"
        "c.CourseDirectory.course_id = 'lessonkit'\n"
        + extra
    )


def _venv_on_path():
    """nbgrader runs the ``alembic`` command by name: make this Python's scripts folder findable.

    (``make release`` runs ``.venv/bin/python`` without activating the environment.)
    """
    scripts = os.path.dirname(sys.executable)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        os.environ["PATH"] = scripts + (os.pathsep + path if path else "")


def run_nbgrader(args, config_text, log_path, *, env_extra=None, timeout=1800):
    """Run ``python -m nbgrader ARGS`` with ``config_text`` as its only configuration."""
    _venv_on_path()
    with tempfile.TemporaryDirectory(prefix="lessonkit-nbgrader-") as cfg:
        with open(os.path.join(cfg, "nbgrader_config.py"), "w") as f:
            f.write(config_text)
        env = dict(os.environ)
        env.update({"JUPYTER_CONFIG_DIR": cfg, "JUPYTER_CONFIG_PATH": cfg, "PYTHONHASHSEED": "0"})
        env.update(env_extra or {})
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cfg, env=env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if log_path:
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        with open(log_path, "a") as f:
            f.write(f"$ nbgrader {' '.join(args)}\n{proc.stdout}{proc.stderr}\n")
    return proc


def release(source_root, release_root, names, *, log_path=None) -> list:
    """Generate the student versions of ``names`` into ``release_root/<name>/`` (replacing old ones).

    Returns
    -------
    list of str
        The folders written.
    """
    root = os.path.dirname(os.path.abspath(source_root))
    if os.path.dirname(os.path.abspath(release_root)) != root:
        raise LessonkitError("release_root must sit next to source_root (nbgrader's course layout).")
    written = []
    with tempfile.TemporaryDirectory(prefix="lessonkit-release-db-") as tmp:
        config = _config_text(root, "sqlite:///" + os.path.join(tmp, "gradebook.db"),
                              f"c.CourseDirectory.source_directory = {os.path.basename(source_root)!r}\n"
                              f"c.CourseDirectory.release_directory = {os.path.basename(release_root)!r}\n")
        for name in names:
            proc = run_nbgrader(["generate_assignment", name, "--force", "--create"], config, log_path)
            if proc.returncode != 0:
                raise NbgraderError(f"nbgrader generate_assignment {name} failed:\n{_tail(proc)}")
            written.append(os.path.join(release_root, name))
    return written


def prepare_course(course_root, source_folder, name, *, log_path=None):
    """Make ``course_root`` an nbgrader course that knows assignment ``name`` (gradebook included)."""
    dest = os.path.join(course_root, "source", name)
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(source_folder, dest, ignore=shutil.ignore_patterns(*IGNORE))
    write_course_config(course_root)
    proc = run_nbgrader(["generate_assignment", name, "--force", "--create"], course_config(course_root), log_path)
    if proc.returncode != 0:
        raise NbgraderError(f"nbgrader generate_assignment {name} (for the gradebook) failed:\n{_tail(proc)}")


def course_config(course_root, extra=""):
    return _config_text(course_root, "sqlite:///" + os.path.join(os.path.abspath(course_root), "gradebook.db"), extra)


def write_course_config(course_root):
    """``course_root/nbgrader_config.py``, so ``jupyter lab`` started there opens this course in the formgrader."""
    os.makedirs(course_root, exist_ok=True)
    with open(os.path.join(course_root, "nbgrader_config.py"), "w") as f:
        f.write(course_config(course_root) +
                "# Grading is done by `lessonkit homework grade`; this file lets the formgrader\n"
                "# (Jupyter > Nbgrader > Formgrader) show the gradebook for manual grading.\n")


def write_submission(course_root, student, name, notebook_name, nb):
    """Put a (normalised) submitted notebook where nbgrader's autograde looks for it."""
    folder = os.path.join(course_root, "submitted", student, name)
    os.makedirs(folder, exist_ok=True)
    nbformat.write(nb, os.path.join(folder, notebook_name + ".ipynb"))


def autograde(course_root, name, students, results, *, log_path=None):
    """nbgrader autograde without execution; check-cell scores come from ``results``.

    Parameters
    ----------
    results : dict
        ``{student: {grade_id: {"score": float, "text": str}}}`` from lessonkit's grader.

    Returns
    -------
    set of str
        Students nbgrader could not process (their CSV rows are still right; only the
        formgrader and the feedback file are missing for them).
    """
    failed = set()
    with tempfile.TemporaryDirectory(prefix="lessonkit-results-") as tmp:
        path = os.path.join(tmp, "results.json")
        with open(path, "w") as f:
            json.dump(results, f)
        extra = (
            "from nbgrader.preprocessors import (IgnorePattern, LimitOutput, SaveAutoGrades,\n"
            "    AssignLatePenalties, CheckCellMetadata)\n"
            "from lessonkit.homework.nbgrader_steps import InjectLessonkitResults\n"
            "c.Autograde.autograde_preprocessors = [InjectLessonkitResults, IgnorePattern, LimitOutput,\n"
            "    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]\n"
            f"c.InjectLessonkitResults.results_path = {path!r}\n"
        )
        run_nbgrader(["autograde", name, "--force"], course_config(course_root, extra), log_path)
    for student in students:
        if not os.path.exists(os.path.join(course_root, "autograded", student, name)):
            failed.add(student)
    # nbgrader must have stored exactly lessonkit's scores (never its own idea of them).
    failed |= _check_scores(course_root, name, [s for s in students if s not in failed], results)
    return failed


class InjectLessonkitResults(Preprocessor):
    """nbgrader autograde step: put lessonkit's verdict in each check cell; remove hidden tests.

    Used in place of nbgrader's ``Execute``: nothing is executed. A check cell gets a text
    output (what lessonkit found, with the hint) and an ``execute_result`` holding the score,
    which nbgrader's ``SaveAutoGrades`` stores as partial credit.
    """

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled
    results_path = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        with open(self.results_path) as f:
            results = json.load(f)
        student = resources.get("nbgrader", {}).get("student")
        mine = results.get(student, {})
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type != "code":
                continue
            if meta.get("grade") and not meta.get("solution"):
                verdict = mine.get(meta.get("grade_id"), {"score": 0.0, "text": "Not graded."})
                if HIDDEN_BEGIN in cell.source:
                    cell.source = strip_hidden(cell.source)
                cell.outputs = [
                    nbformat.v4.new_output("stream", name="stdout", text=verdict["text"] + "\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(verdict["score"]))},
                                           execution_count=None),
                ]
            else:
                cell.outputs = []
        return nb, resources


def generate_feedback(course_root, name, students, *, log_path=None) -> set:
    """nbgrader generate_feedback: ``course_root/feedback/<student>/<name>/<notebook>.html``."""
    failed = set()
    run_nbgrader(["generate_feedback", name, "--force"], course_config(course_root), log_path)
    for student in students:
        if not os.path.exists(os.path.join(course_root, "feedback", student, name)):
            failed.add(student)
    return failed


def read_written_scores(course_root, name, notebook, students, grade_ids) -> dict:
    """``{student: {grade_id: manual score or None}}`` from the course gradebook (None: not graded yet)."""
    from nbgrader.api import Gradebook, MissingEntry

    _venv_on_path()
    db = os.path.join(course_root, "gradebook.db")
    out = {}
    if not os.path.exists(db):
        return out
    with Gradebook("sqlite:///" + os.path.abspath(db)) as gb:
        for student in students:
            scores = {}
            for gid in grade_ids:
                try:
                    grade = gb.find_grade(gid, notebook, name, student)
                except MissingEntry:
                    continue
                if grade.manual_score is not None:
                    scores[gid] = float(grade.manual_score)
                elif grade.auto_score is not None and not grade.needs_manual_grade:
                    scores[gid] = float(grade.auto_score)  # nbgrader's "no response" zero
                else:
                    scores[gid] = None
            out[student] = scores
    return out


def _check_scores(course_root, name, students, results) -> set:
    from nbgrader.api import Gradebook, MissingEntry

    _venv_on_path()
    bad = set()
    with Gradebook("sqlite:///" + os.path.join(os.path.abspath(course_root), "gradebook.db")) as gb:
        for student in students:
            try:
                submission = gb.find_submission(name, student)
            except MissingEntry:
                bad.add(student)
                continue
            stored = {g.name: g.auto_score for nb in submission.notebooks for g in nb.grades}
            for gid, verdict in results.get(student, {}).items():
                if stored.get(gid) is None or abs(float(stored[gid]) - float(verdict["score"])) > 1e-6:
                    bad.add(student)
    return bad


def _tail(proc, n=2000):
    text = (proc.stdout or "") + (proc.stderr or "")
    return text[-n:]
