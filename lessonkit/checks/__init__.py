"""Immediate feedback on exercises: every check says *right* or *not yet*, with a hint.

Lesson: every notebook (each exercise is followed by its check cell).

An exercise is an :class:`Exercise`: some inputs, a reference solution, and a
``compare`` that turns a wrong answer into a hint that helps without giving the answer
away. Checking runs the student's function on the inputs and compares:

>>> from lessonkit.checks import lesson00
>>> lesson00.check_transpose(my_transpose)        # doctest: +SKIP
✅ Right: transpose works on all 4 test melodies.

Homework tasks (``homework00`` ...) are exercises without a reference: they hold only their
visible inputs, the expected answers of those inputs and the hint logic, because this package
ships to every student. The grader takes the teacher's reference and hidden inputs from the
assignment's source notebook and compares, with the same hints, in a process the student's code
never touched (see ``lessonkit.homework.grading``), so what a check says predicts the grade.
"""

from .core import Exercise, Feedback, run_exercise

__all__ = ["Exercise", "Feedback", "run_exercise"]
