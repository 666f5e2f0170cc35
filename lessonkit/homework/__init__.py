"""Homework: release with nbgrader, grade in a sandbox (see :mod:`lessonkit.homework.grading` for the design).

Lesson: none (teachers' tooling; see docs/teacher-guide.md).

* :mod:`~lessonkit.homework.assignment`      read source notebooks (tasks, hidden inputs) and submissions
* :mod:`~lessonkit.homework.sandbox`         run a student's answers in a fresh, limited process
* :mod:`~lessonkit.homework.worker`          the code that runs inside that process
* :mod:`~lessonkit.homework.wire`            the JSON-only format return values travel in
* :mod:`~lessonkit.homework.nbgrader_steps`  release, gradebook, formgrader, feedback through nbgrader
* :mod:`~lessonkit.homework.release`         ``lessonkit homework release`` (``make release``)
* :mod:`~lessonkit.homework.grade`           ``lessonkit homework grade`` (``make grade``)
* :mod:`~lessonkit.homework.grading`         :func:`hidden_check` (called in assignments' hidden tests) and scoring

The example submissions the tests and benchmarks grade (right, wrong, tampering, broken) are
test fixtures: tests/homework_examples.py.
"""

from .grading import hidden_check

__all__ = ["hidden_check"]
