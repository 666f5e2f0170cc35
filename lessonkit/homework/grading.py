"""Homework grading that a student's code cannot talk its way around.

Lesson: none (teachers' tooling). The teacher's side is in docs/teacher-guide.md; the
commands are ``make release`` / ``make grade SUBMISSIONS=dir`` (``lessonkit homework release``
/ ``lessonkit homework grade``).

Why not let nbgrader run the notebook and count passing test cells? Because everything in a
kernel is the student's to change: an IPython input transformer installed in an answer cell
can rewrite the test cells, a patched ``math.isclose`` or check function passes anything, and
a test cell that prints a number is read as partial credit. Tried on nbgrader 0.9.6 with its
defaults, all three earned points. So this module splits the work:

1. **Run only the answers, elsewhere.** For each submission a fresh process
   (:mod:`lessonkit.homework.sandbox`) runs the assignment's setup cells *as the teacher
   wrote them* and the student's answer cells (nbgrader's solution cells), one top-level
   statement at a time; the check cells are never run. It then calls each task's function on
   the assignment's hidden inputs.
2. **Bring back data, not objects.** Return values travel as plain JSON
   (:mod:`lessonkit.homework.wire`); a ``Melody`` is rebuilt from its note arrays. Nothing is
   unpickled or imported from the student's process.
3. **Judge where the student never was.** This process compares the values with the
   teacher's reference (defined in the check cell's hidden region, which release strips: it
   never ships in the package students install) using :meth:`Exercise.compare_all` (the very
   comparison, and hints, of the in-class check) and scores each task:
   ``points * right_inputs / all_inputs`` over the hidden inputs.
4. **Contain accidents.** A statement that ends the process (``exit()``, ``os._exit``) or runs
   too long is skipped and the cells run again without it; each task has its own time limit;
   an unreadable, missing or renamed notebook is reported in the CSV, never fatal for the class.

nbgrader still does what it does well: generating the student version (solutions and hidden
tests stripped), the gradebook, manual grading of written answers in the formgrader, and
feedback files (see :mod:`lessonkit.homework.nbgrader_steps`).
"""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field

from ..checks.core import Exercise, Feedback, call_cases

_RECORDING: contextvars.ContextVar = contextvars.ContextVar("lessonkit_grading_recording", default=None)

TASK_TIME_S = 10.0
"""Default seconds a task's calls may take together (one infinite loop costs only its task)."""
STATEMENT_TIME_S = 10.0
"""Default seconds one top-level statement of an answer or setup cell may take."""


def hidden_check(func, exercise: Exercise, cases, *, reference=None, include_visible: bool | None = None,
                 time_s: float | None = None):
    """Check a function on a task's hidden inputs (the ``### BEGIN HIDDEN TESTS`` region of a check cell).

    In a kernel (the teacher running the source notebook, or plain ``nbgrader autograde``) it
    runs the check and raises ``AssertionError`` unless every input is right. When
    :mod:`lessonkit.homework.assignment` reads a source notebook, the call is only recorded:
    the grader learns the function's name, the exercise, the reference and the inputs, and
    calls the function itself, in a separate process.

    Parameters
    ----------
    func : callable
        The student's function (write its name, e.g. ``stretch``).
    exercise : Exercise
        The task's exercise in the installed package, e.g. ``homework00.stretch_task``: its
        visible cases, their expected values and the hint logic, but no reference.
    cases : list of tuple
        The hidden inputs, one argument tuple each.
    reference : callable
        The teacher's solution, defined in the same hidden region (so it never ships to
        students: ``make release`` strips the region). Required for a graded task; only an
        ungraded use of a lesson exercise may leave it out (the exercise's own reference is used).
    include_visible : bool, optional
        Also grade on the exercise's visible inputs. Default: no when ``reference`` is given
        (the expected values of the visible inputs ship with the student's package, so a
        lookup of them must not earn points), yes otherwise.
    time_s : float, optional
        Time limit for this task's calls (default :data:`TASK_TIME_S`).

    Returns
    -------
    Feedback
        In a kernel: how the function did on the graded inputs.
    """
    cases = [tuple(c) for c in cases]
    if include_visible is None:
        include_visible = reference is None
    recording = _RECORDING.get()
    if recording is not None:
        recording.append({"func": func, "exercise": exercise, "cases": cases, "include_visible": include_visible,
                          "time_s": time_s, "reference": reference})
        return None
    judge = exercise if reference is None else exercise.with_reference(reference)
    all_cases = (list(exercise.cases) if include_visible else []) + cases
    feedback = judge.compare_all(call_cases(func, all_cases), all_cases)
    if not feedback.passed:
        raise AssertionError(str(feedback))
    return feedback


# ----------------------------------------------------------------------------- grading one submission


@dataclass
class TaskGrade:
    """The grade of one autograded task."""

    grade_id: str
    function: str
    title: str
    points: float
    score: float
    n_right: int
    n_cases: int
    message: str
    hint: str


@dataclass
class SubmissionGrade:
    """The grade of one student's notebook for one assignment."""

    student: str
    assignment: str
    status: str  # "graded", "missing", "unreadable"
    tasks: list = field(default_factory=list)
    auto_max: float = 0.0
    written_max: float = 0.0
    written_pending: int = 0
    written_scores: dict = field(default_factory=dict)  # grade_id -> score, once the teacher graded it
    notes: list = field(default_factory=list)
    issues: list = field(default_factory=list)  # human-readable, for the feedback file
    wall_s: float = 0.0
    isolated: bool = False

    @property
    def auto_score(self) -> float:
        return round(sum(t.score for t in self.tasks), 2)

    @property
    def written_score(self) -> float:
        return round(sum(self.written_scores.values()), 2)

    @property
    def score(self) -> float:
        return round(self.auto_score + self.written_score, 2)

    @property
    def max_score(self) -> float:
        return round(self.auto_max + self.written_max, 2)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def clean_text(text: str, limit: int = 300) -> str:
    """One line, no memory addresses (so two gradings of one folder give the same files)."""
    text = _ADDRESS.sub("", str(text)).replace("\r", " ").replace("\n", " ").strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def score_task(task, results) -> TaskGrade:
    """Compare a task's returned values with the reference, here, and give points."""
    cases = task.cases
    judge = task.exercise if getattr(task, "reference", None) is None else task.exercise.with_reference(task.reference)
    feedback: Feedback = judge.compare_all(results, cases)
    n = len(cases)
    fraction = feedback.n_right / n if n else 0.0
    score = round(task.points * fraction, 2)
    return TaskGrade(task.grade_id, task.function, task.title, task.points, score, feedback.n_right, n,
                     clean_text(feedback.message), clean_text(feedback.hint))


def grade_submission(assignment, submission, *, student: str = "", task_time_s: float = TASK_TIME_S,
                     statement_time_s: float = STATEMENT_TIME_S, isolation: str = "auto") -> SubmissionGrade:
    """Grade one submission (see the module docstring for how); never raises for a student's mistake.

    Parameters
    ----------
    assignment : lessonkit.homework.assignment.Assignment
        From :func:`~lessonkit.homework.assignment.load_assignment`.
    submission : lessonkit.homework.assignment.Submission
        From :func:`~lessonkit.homework.assignment.read_submission`.
    """
    from . import sandbox

    grade = SubmissionGrade(student, assignment.name, "graded", auto_max=assignment.auto_max,
                            written_max=assignment.written_max, notes=list(submission.notes))
    if submission.status != "ok":
        grade.status = submission.status
        grade.tasks = [TaskGrade(t.grade_id, t.function, t.title, t.points, 0.0, 0, len(t.cases),
                                 "Not graded: " + submission.status, "") for t in assignment.tasks]
        return grade
    cells, labels = [], []
    for cell in assignment.cells:
        if cell.kind == "setup":
            cells.append({"source": cell.source, "label": f"setup {cell.grade_id}"})
            labels.append(f"setup cell {cell.grade_id!r}")
        elif cell.kind == "answer":
            cells.append({"source": submission.answers.get(cell.grade_id, ""), "label": f"answer {cell.grade_id}"})
            labels.append(f"answer cell {cell.grade_id!r}")
    tasks = [{"function": t.function, "cases": t.cases, "time_s": t.time_s} for t in assignment.tasks]
    run = sandbox.run_job(cells, tasks, task_time_s=task_time_s, statement_time_s=statement_time_s,
                          isolation=isolation, files=getattr(assignment, "files", None))
    grade.wall_s, grade.isolated = run.wall_s, run.isolated
    for task, results in zip(assignment.tasks, run.results):
        grade.tasks.append(score_task(task, results))
    for issue in run.issues:
        where = labels[issue.cell] if 0 <= issue.cell < len(labels) else "the submission"
        stmt = f", statement {issue.statement + 1}" if issue.statement >= 0 else ""
        grade.issues.append(clean_text(f"{where}{stmt}: {issue.message}"))
        if issue.kind in ("crash", "timeout"):
            grade.notes.append(f"{where}: {issue.kind} (skipped)")
        elif issue.kind == "tampered":
            grade.notes.append("wrote to the grader's private channel: answers from then on not graded")
    grade.written_pending = sum(1 for t in assignment.written if submission.written_answered.get(t.grade_id))
    for t in assignment.written:
        if not submission.written_answered.get(t.grade_id):
            grade.written_scores[t.grade_id] = 0.0  # blank: nothing to grade
    return grade
