"""Reading homework: the teacher's source notebook (tasks, points, hidden cases) and a student's submission.

Lesson: none (teachers' tooling; see docs/teacher-guide.md, "Writing an assignment").

A source notebook (``assignments/source/<name>/<name>.ipynb``) uses nbgrader's cell types:

* **setup cells** (read-only code, no points): run by the grader as the teacher wrote them,
  whatever a student did to their copy; a read-only cell tagged ``skip-in-grader`` (a demo that
  uses the student's functions, a plot, a sound) is not run by the grader;
* **answer cells** (nbgrader "autograded answer", code with a ``### BEGIN SOLUTION`` region):
  the only cells of the submission the grader runs;
* **check cells** (nbgrader "autograder tests", with points): never run by the grader. Their
  visible part is the task's check (``homework00.check_stretch(stretch)``); their
  ``### BEGIN HIDDEN TESTS`` region defines the teacher's reference function and calls
  :func:`lessonkit.homework.hidden_check` with the task's :class:`~lessonkit.checks.core.Exercise`
  (visible answers and hints only), the hidden inputs and ``reference=``. The grader reads
  that call (it runs the region with the answer functions replaced by their names) to learn
  the task: which function, which check, which inputs, which reference;
* **written answers** (nbgrader "manually graded answer", markdown, with points): graded by
  the teacher in nbgrader's formgrader.
"""

from __future__ import annotations

import builtins
import glob
import os
import re
from dataclasses import dataclass, field

import nbformat

from ..errors import LessonkitError

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
"""Submissions larger than this are reported, not read (a notebook full of outputs)."""


class AssignmentError(LessonkitError, ValueError):
    """An assignment's source notebook cannot be graded as written (the message says which cell)."""


@dataclass
class Task:
    """One autograded task: a check cell with points and the function it grades."""

    grade_id: str
    points: float
    function: str
    exercise: object
    hidden_cases: list
    include_visible: bool = True
    time_s: float | None = None
    title: str = ""
    reference: object = None  # the teacher's solution from the hidden region (None: the exercise's own)

    @property
    def cases(self) -> list:
        """Every input the grader calls the function with: the visible ones, then the hidden ones."""
        return (list(self.exercise.cases) if self.include_visible else []) + list(self.hidden_cases)


@dataclass
class WrittenTask:
    """A written answer graded by the teacher (nbgrader "manually graded answer")."""

    grade_id: str
    points: float
    title: str = ""


@dataclass
class SourceCell:
    kind: str  # "setup", "answer", "check", "written", "text"
    grade_id: str
    source: str


@dataclass
class Assignment:
    """An assignment's source: its cells in order, autograded tasks and written tasks."""

    name: str
    notebook: str
    path: str
    cells: list
    tasks: list = field(default_factory=list)
    written: list = field(default_factory=list)
    files: dict = field(default_factory=dict)  # data files next to the notebook: {relative name: absolute path}

    @property
    def auto_max(self) -> float:
        return float(sum(t.points for t in self.tasks))

    @property
    def written_max(self) -> float:
        return float(sum(t.points for t in self.written))

    @property
    def answer_ids(self) -> list:
        return [c.grade_id for c in self.cells if c.kind == "answer"]


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


SKIP_TAG = "skip-in-grader"
"""Cell tag of a read-only code cell the grader does not run (a demo that uses the student's functions)."""


def cell_kind(cell) -> str:
    """``"setup"``, ``"answer"``, ``"check"``, ``"written"``, ``"demo"`` (tagged skip-in-grader) or ``"text"``."""
    meta = nbgrader_meta(cell)
    if cell.get("cell_type") != "code":
        if meta.get("solution") and meta.get("grade"):
            return "written"
        return "text"
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "check"
    if SKIP_TAG in (cell.get("metadata", {}).get("tags") or []):
        return "demo"
    return "setup"


def _split_hidden(source: str) -> tuple[list, list]:
    """Lines of ``source`` outside and inside its hidden-test regions (markers dropped)."""
    kept, hidden, inside = [], [], False
    for line in source.splitlines():
        if line.strip() in (HIDDEN_BEGIN, HIDDEN_END):
            inside = line.strip() == HIDDEN_BEGIN
            continue
        (hidden if inside else kept).append(line)
    return kept, hidden


def hidden_region(source: str) -> str:
    """The text between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` (all such regions)."""
    return "\n".join(_split_hidden(source)[1])


def strip_hidden(source: str) -> str:
    """``source`` without its hidden-test regions."""
    return "\n".join(_split_hidden(source)[0]).rstrip()


class _AnswerName:
    """Stands for a student's function in a hidden-test region (the grader only needs its name)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<answer {self.name}>"


class _Names(dict):
    """Namespace for reading hidden-test regions: unknown names (the answers) become :class:`_AnswerName`."""

    def __missing__(self, key):
        if hasattr(builtins, key) or key.startswith("__"):
            raise KeyError(key)
        return _AnswerName(key)


def find_source_notebook(folder: str) -> str:
    name = os.path.basename(os.path.normpath(folder))
    preferred = os.path.join(folder, name + ".ipynb")
    if os.path.exists(preferred):
        return preferred
    found = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
    if len(found) != 1:
        raise AssignmentError(f"{folder!r} should hold one notebook named {name}.ipynb (found {len(found)}).")
    return found[0]


def load_assignment(folder: str) -> Assignment:
    """Read an assignment's source folder: cells, tasks (with hidden inputs) and written tasks.

    The setup cells run here, in the grader, to build the hidden inputs: they are the
    teacher's code, never a student's.

    Raises
    ------
    AssignmentError
        When a check cell has no ``hidden_check`` call, an answer function is unknown, or
        grade ids repeat.
    """
    from . import grading

    path = find_source_notebook(folder)
    nb = nbformat.read(path, as_version=4)
    name = os.path.basename(os.path.normpath(folder))
    cells, seen = [], set()
    for i, cell in enumerate(nb.cells):
        kind = cell_kind(cell)
        gid = nbgrader_meta(cell).get("grade_id", f"cell-{i}")
        if kind != "text" and gid in seen:
            raise AssignmentError(f"{path}: grade_id {gid!r} is used twice; give every nbgrader cell its own id.")
        seen.add(gid)
        cells.append(SourceCell(kind, gid, cell.source))
    assignment = Assignment(name, os.path.splitext(os.path.basename(path))[0], path, cells)
    root = os.path.dirname(os.path.abspath(path))
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for f in sorted(files):
            if not f.endswith((".ipynb", ".pyc")) and not f.startswith("."):
                full = os.path.join(folder, f)
                assignment.files[os.path.relpath(full, root)] = full

    namespace = {"__name__": "__lessonkit_source__"}
    for cell in cells:
        if cell.kind == "setup":
            try:
                exec(compile(cell.source, f"<{name} setup {cell.grade_id}>", "exec"), namespace)
            except Exception as err:
                raise AssignmentError(f"{path}: setup cell {cell.grade_id!r} fails in the grader "
                                      f"({type(err).__name__}: {err}).") from None
    for index, (cell, raw) in enumerate(zip(cells, nb.cells)):
        title = _title_before(cells, index)
        if cell.kind == "written":
            assignment.written.append(WrittenTask(cell.grade_id, float(nbgrader_meta(raw).get("points", 0)), title))
        if cell.kind != "check":
            continue
        region = hidden_region(cell.source)
        recorded = []
        token = grading._RECORDING.set(recorded)
        try:
            scope = _Names(namespace)
            exec(compile(region, f"<{name} hidden tests {cell.grade_id}>", "exec"), scope)
        except Exception as err:
            raise AssignmentError(f"{path}: the hidden tests of {cell.grade_id!r} fail in the grader "
                                  f"({type(err).__name__}: {err}). That region should only build inputs and call "
                                  "lessonkit.homework.hidden_check(function, exercise, cases).") from None
        finally:
            grading._RECORDING.reset(token)
        if len(recorded) != 1:
            raise AssignmentError(
                f"{path}: check cell {cell.grade_id!r} should call lessonkit.homework.hidden_check exactly once "
                f"inside its {HIDDEN_BEGIN} region (found {len(recorded)} calls)."
            )
        rec = recorded[0]
        if not isinstance(rec["func"], _AnswerName):
            raise AssignmentError(f"{path}: in {cell.grade_id!r}, the first argument of hidden_check should be the "
                                  "student's function, by its name.")
        points = float(nbgrader_meta(raw).get("points", 0))
        _refuse_shipped_reference(path, cell.grade_id, points, rec)
        assignment.tasks.append(Task(cell.grade_id, points, rec["func"].name, rec["exercise"], list(rec["cases"]),
                                     rec["include_visible"], rec["time_s"], title, rec.get("reference")))
    if not assignment.tasks:
        raise AssignmentError(f"{path}: no check cell with points: there is nothing to autograde.")
    return assignment


def _refuse_shipped_reference(path, grade_id, points, rec) -> None:
    """A graded task's reference must live with the teacher, never in the package students install."""
    if points <= 0:
        return
    reference, exercise = rec.get("reference"), rec["exercise"]
    fix = ("Give the task an exercise without a reference (expected_values of its visible inputs, and the hint "
           "logic) in lessonkit/checks/homework<nn>.py, define the reference function inside this "
           f"{HIDDEN_BEGIN} region and pass it: hidden_check(function, task, cases, reference=your_function). "
           "See docs/teacher-guide.md, 'Writing an assignment'.")
    if reference is None:
        raise AssignmentError(f"{path}: graded task {grade_id!r} has no reference= in its hidden tests, so the grader "
                              f"would use {getattr(exercise, 'name', exercise)!r}'s reference, which ships to every "
                              f"student. {fix}")
    if str(getattr(reference, "__module__", "") or "").startswith("lessonkit"):
        raise AssignmentError(f"{path}: graded task {grade_id!r} takes its reference from the lessonkit package "
                              f"({reference.__module__}), which every student installs. {fix}")
    if getattr(exercise, "reference", None) is not None:
        raise AssignmentError(f"{path}: graded task {grade_id!r} uses the exercise {exercise.name!r}, whose reference "
                              f"solution ships in the lessonkit package students install. {fix}")


def _title_before(cells, index) -> str:
    for cell in reversed(cells[:index]):
        if cell.kind == "text":
            m = re.search(r"\*\*(Task[^*]*)\*\*|^#+\s*(Task.*)$", cell.source, re.M)
            if m:
                return (m.group(1) or m.group(2)).strip().rstrip(".:")
    return ""


def load_assignments(source_root: str) -> dict:
    """Every assignment under ``source_root`` by name (folders holding a notebook)."""
    out = {}
    for folder in sorted(glob.glob(os.path.join(source_root, "*"))):
        if os.path.isdir(folder) and glob.glob(os.path.join(folder, "*.ipynb")):
            out[os.path.basename(folder)] = load_assignment(folder)
    return out


# ----------------------------------------------------------------------------- submissions


@dataclass
class Submission:
    """What the grader takes from one student's notebook."""

    status: str  # "ok", "missing", "unreadable"
    answers: dict = field(default_factory=dict)  # answer grade_id -> source
    written_answered: dict = field(default_factory=dict)  # written grade_id -> bool
    notes: list = field(default_factory=list)
    notebook: object = None  # the nbformat v4 notebook (for nbgrader), when readable
    path: str = ""


def read_submission(folder: str, assignment: Assignment) -> Submission:
    """Read ``folder/<notebook>.ipynb`` (or the one notebook there, if renamed); never raises."""
    if not os.path.isdir(folder):
        return Submission("missing", notes=["no folder for this assignment"])
    expected = os.path.join(folder, assignment.notebook + ".ipynb")
    entries = sorted(os.listdir(folder))
    notebooks = [e for e in entries if e.endswith(".ipynb") and not e.startswith(".")]
    extra = [e for e in entries if not e.endswith(".ipynb") and not e.startswith(".")]
    notes = []
    if os.path.exists(expected):
        path = expected
    elif len(notebooks) == 1:
        path = os.path.join(folder, notebooks[0])
        notes.append(f"notebook renamed to {notebooks[0]!r}; graded anyway")
    elif not notebooks:
        what = f" (found {', '.join(extra[:3])})" if extra else ""
        return Submission("missing", notes=[f"no notebook {assignment.notebook}.ipynb{what}"])
    else:
        return Submission("unreadable", notes=[f"{len(notebooks)} notebooks and none named "
                                               f"{assignment.notebook}.ipynb: cannot tell which to grade"])
    others = [e for e in notebooks if os.path.join(folder, e) != path]
    if extra or others:
        notes.append("ignored files: " + ", ".join(extra + others)[:200])
    try:
        if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
            return Submission("unreadable", notes=notes + [f"{os.path.basename(path)} is larger than "
                                                           f"{MAX_NOTEBOOK_BYTES >> 20} MB; clear its outputs"])
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
        version = nbformat.reader.get_version(nbformat.reader.reads(text))[0]
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})  # lenient: odd cells are handled below
        if version < 4:
            notes.append(f"notebook saved in the old format v{version}; converted")
        nb = _normalize(nb)
    except Exception as err:  # not JSON, not a notebook, wrong encoding, ...
        return Submission("unreadable", notes=notes + [f"{os.path.basename(path)} is not a readable notebook "
                                                       f"({type(err).__name__})"], path=path)
    try:
        return _answers(nb, path, notes, assignment)
    except Exception as err:  # a hand-edited notebook with odd cells: report, never crash the class
        return Submission("unreadable", notes=notes + [f"{os.path.basename(path)} has malformed cells "
                                                       f"({type(err).__name__})"], path=path)


def _answers(nb, path, notes, assignment) -> Submission:
    by_id, added = {}, 0
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if gid is None:
            added += cell.get("cell_type") == "code" and bool(str(cell.get("source", "")).strip())
            continue
        by_id.setdefault(gid, cell)
    sub = Submission("ok", notebook=nb, path=path, notes=notes)
    for gid in assignment.answer_ids:
        cell = by_id.get(gid)
        if cell is None or cell.get("cell_type") != "code":
            sub.notes.append(f"answer cell {gid!r} is missing (deleted?)")
            continue
        sub.answers[gid] = str(cell.get("source", ""))
    for task in assignment.written:
        cell = by_id.get(task.grade_id)
        if cell is None:
            sub.notes.append(f"written answer {task.grade_id!r} is missing (deleted?)")
            sub.written_answered[task.grade_id] = False
        else:
            sub.written_answered[task.grade_id] = _answered(cell)
    if added:
        sub.notes.append(f"{added} code cell(s) you added were not run by the grader")
    return sub


def _normalize(nb):
    """A v4 notebook with string sources and valid ids (old and hand-edited files included)."""
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
        cell.setdefault("metadata", {})
    if nb.get("nbformat_minor", 0) >= 5:
        used = set()
        for i, cell in enumerate(nb.cells):
            cid = cell.get("id")
            if not isinstance(cid, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid) or cid in used:
                cid = f"lessonkit-{i}"
                cell["id"] = cid
            used.add(cid)
    return nb


def _answered(cell) -> bool:
    text = str(cell.get("source", "")).strip()
    if not text or text == "YOUR ANSWER HERE":
        return False
    meta = nbgrader_meta(cell)
    if "checksum" in meta:
        try:
            from nbgrader.utils import compute_checksum

            return compute_checksum(cell) != meta["checksum"]
        except Exception:
            return True
    return True
