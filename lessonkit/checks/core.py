"""The machinery behind every check: :class:`Exercise`, :class:`Feedback`, :func:`run_exercise`.

An exercise is data plus two small functions, so the same exercise can be checked
in class (here, in the student's kernel) and graded (the grader calls the student's
function in a fresh process, brings back only the raw return values, and compares them
with :meth:`Exercise.compare_all` in a process the student's code never touched).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable


_UNSET = object()


@dataclass
class Feedback:
    """What a check says.

    Attributes
    ----------
    passed : bool
        True when every case is right.
    message : str
        One sentence: what was checked and how it went.
    hint : str
        For a wrong answer: what to look at next (never the answer itself).
    n_right, n_cases : int
        How many cases were right, out of how many.
    """

    passed: bool
    message: str
    hint: str = ""
    n_right: int = 0
    n_cases: int = 0

    @property
    def fraction(self) -> float:
        """Share of the cases that were right, 0..1."""
        return self.n_right / self.n_cases if self.n_cases else float(self.passed)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:
            return f"✅ Right: {self.message}"
        return f"❌ Not yet: {self.message}" + (f"\n💡 Hint: {self.hint}" if self.hint else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, title = ("#e6f4ea", "✅ Right") if self.passed else ("#fff4e5", "❌ Not yet")
        hint = f"<br>💡 <i>Hint:</i> {html.escape(self.hint)}" if (self.hint and not self.passed) else ""
        return (f'<div class="lessonkit-feedback" data-passed="{str(self.passed).lower()}" '
                f'style="background:{colour};padding:8px 12px;border-radius:6px;">'
                f"<b>{title}:</b> {html.escape(self.message)}{hint}</div>")


@dataclass
class Exercise:
    """One exercise: inputs, a reference answer, and how to compare.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"transpose"``.
    reference : callable or None
        The model solution; ``reference(*case)`` gives the expected value. ``None`` for a graded
        homework task: its reference lives with the teacher (the hidden-test region of the
        assignment's source notebook), never in the package students install, and
        ``expected_values`` holds the answers of the visible cases instead.
    cases : list of tuple
        Argument tuples to call the student's function with (the visible cases).
    compare : callable, optional
        ``compare(got, expected, case) -> str | None``: ``None`` when ``got`` is right,
        otherwise a hint. Default: equality.
    describe : str
        What the function should do, for the message.
    hidden_cases : list of tuple
        More argument tuples, used by the homework grader only.
    error_hints : list of (str, str)
        ``(words in the error, hint)`` for errors typical of this exercise; the first
        match wins, before the general advice of :func:`explain_error`.
    expected_values : list, optional
        The expected answers of the visible ``cases``, in order, for an exercise without a
        ``reference`` (a graded homework task): all the in-class check needs.
    """

    name: str
    reference: Callable | None
    cases: list
    compare: Callable[[Any, Any, tuple], str | None] | None = None
    describe: str = ""
    hidden_cases: list = field(default_factory=list)
    error_hints: list = field(default_factory=list)
    expected_values: list | None = None

    def __post_init__(self):
        if self.reference is None and (self.expected_values is None
                                       or len(self.expected_values) != len(self.cases)):
            raise ValueError(f"exercise {self.name!r}: without a reference, give expected_values, one per case")

    def expected(self, cases=None) -> list:
        """Reference answers for ``cases`` (default the visible ones).

        An exercise without a ``reference`` knows only the answers of its visible cases.
        """
        if self.reference is None:
            if cases is None or cases is self.cases:
                return list(self.expected_values)
            from ..errors import LessonkitError

            raise LessonkitError(f"The exercise {self.name!r} has no reference solution here (a graded homework task "
                                 "keeps it with the teacher). Pass reference= to lessonkit.homework.hidden_check.")
        return [self.reference(*case) for case in (self.cases if cases is None else cases)]

    def with_reference(self, reference) -> "Exercise":
        """A copy of this exercise that computes expected answers with ``reference`` (the teacher's)."""
        import dataclasses

        return dataclasses.replace(self, reference=reference)

    def explain_error(self, error_text: str, case, expected=_UNSET) -> str:
        """A hint for an error the student's function raised: this exercise's own hints first.

        The hint names the input the function stopped on and, when ``expected`` is given (the
        in-class check, on visible inputs), the answer it should have returned. ``error_text`` may
        end with ``" | in your line: <code>"`` (see :func:`call_cases`), which lets an exercise's
        ``error_hints`` tell apart two mistakes that raise the same error.
        """
        for needle, advice in self.error_hints:
            if needle in error_text:
                return _with_input(advice, error_text, case, expected)
        return explain_error(error_text, case, expected)

    def compare_one(self, got, expected, case) -> str | None:
        """``None`` when right, otherwise a hint."""
        if self.compare is not None:
            return self.compare(got, expected, case)
        return None if got == expected else "Your answer differs from the expected one."

    def compare_all(self, results, cases=None, *, show_expected: bool = False) -> Feedback:
        """Judge the student's raw results, one per case.

        ``results`` holds ``("ok", value)`` or ``("error", "TypeName: message")`` per case.
        ``show_expected``: a hint for a crash also says what the input should have given (the
        in-class check does this; the grader does not, so hidden answers stay hidden).
        """
        cases = self.cases if cases is None else cases
        expected = self.expected(cases)
        n_right, first_hint = 0, ""
        for (status, value), want, case in zip(results, expected, cases):
            if status != "ok":
                hint = self.explain_error(str(value), case, want if show_expected else _UNSET)
            elif value is None and want is not None:
                hint = "Your function returned None: did you forget the `return` line (or is it indented inside a loop)?"
            else:
                try:
                    hint = self.compare_one(value, want, case)
                except Exception as err:  # a strange return value must not crash the check
                    hint = f"Could not compare your answer ({type(err).__name__}: {err})."
            if hint is None:
                n_right += 1
            elif not first_hint:
                first_hint = hint
        n = len(cases)
        if n_right == n:
            return Feedback(True, f"{self.describe or self.name} works on all {n} test inputs.", "", n, n)
        return Feedback(False, f"{n_right} of {n} test inputs give the right answer.", first_hint, n_right, n)


_ERROR_ADVICE = [
    # (words in the error, advice for a student); the first match wins
    ("FrozenInstanceError", "A Note cannot be changed once made: build a new one with Note(pitch, onset_steps, duration_steps)."),
    ("unsupported operand type(s) for ^", "In Python, 'to the power of' is written **, not ^."),
    ("not supported between instances of 'Note'", "Notes cannot be compared directly: compare their .pitch (or use melody.pitches)."),
    ("list index out of range", "An index went past the end of a list: check how you compute which position (e.g. which bar) to use."),
    ("'NoneType' object", "Something is None where a value was expected: does every function you call return its result?"),
    ("is not defined", "Your code uses a name that does not exist yet: check its spelling, and run the cells above first."),
    ("Notes overlap", "Two notes overlap in your result: did you change the onsets or durations? Only the pitch should change."),
    ("is shorter than the last note", "A note now ends after the melody: did you move the onsets? Only the pitch should change."),
    ("outside MIDI's range", "A pitch left MIDI's range 0..127: check the number you add."),
]


def explain_error(error_text: str, case=(), expected=_UNSET) -> str:
    """A student-facing hint for an error raised by their function (``"TypeName: message"``).

    It names the input the function stopped on and, when ``expected`` is given, what it should
    have returned.
    """
    for needle, advice in _ERROR_ADVICE:
        if needle in error_text:
            return _with_input(advice, error_text, case, expected)
    return _with_input("Your function stopped with an error.", error_text, case, expected)


def _with_input(advice: str, error_text: str, case, expected=_UNSET) -> str:
    text, _, line = error_text.partition(_LINE_MARK)
    where = f" in your line `{line.strip()}`" if line.strip() else ""
    want = "" if expected is _UNSET else f"; it should give {_short(expected)}"
    args = ", ".join(_short(a, 70) for a in (case if isinstance(case, tuple) else (case,)))
    return f"{advice} (On the input ({args}){want}, Python said{where}: {text.rstrip('.')}.)"


_LINE_MARK = " | in your line: "


def _student_line(err) -> str:
    """The source line of the innermost frame of the student's own code where ``err`` was raised."""
    import os
    import sys
    import traceback

    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    skip = tuple({ours, sys.prefix, sys.base_prefix, sys.exec_prefix})
    line = ""
    for frame in traceback.extract_tb(err.__traceback__):
        name = frame.filename or ""
        if not name.startswith(skip) and frame.line:
            line = frame.line
    return line.strip()[:120]


def call_cases(func, cases) -> list:
    """Call ``func(*case)`` for each case, catching errors: ``[("ok", value) | ("error", text)]``.

    An error's text is ``"TypeName: message"``, followed by ``" | in your line: <code>"`` when the
    line of the student's code that raised it can be found (a notebook cell, a file).
    """
    out = []
    for case in cases:
        try:
            out.append(("ok", func(*_copy(case))))
        except Exception as err:  # the student's code may raise anything
            text = f"{type(err).__name__}: {err}"
            try:
                line = _student_line(err)
            except Exception:  # a traceback we cannot read must not break the check
                line = ""
            out.append(("error", text + (_LINE_MARK + line if line else "")))
    return out


def run_exercise(exercise: Exercise, func) -> Feedback:
    """Check a student's function against an exercise, here and now (the in-class check)."""
    if not callable(func):
        return Feedback(False, f"Expected a function, but got {type(func).__name__}.",
                        "Pass the function itself, without calling it: check(my_function), not check(my_function()).")
    return exercise.compare_all(call_cases(func, exercise.cases), show_expected=True)


def check_value(got, expected, *, what: str, hint: str, compare=None) -> Feedback:
    """Check a single value (not a function) against the expected one."""
    ok = compare(got, expected) if compare else got == expected
    if ok:
        return Feedback(True, f"{what} is right.", "", 1, 1)
    return Feedback(False, f"{what} is not right yet (you have {_short(got)}).", hint, 0, 1)


def _copy(case):
    import copy

    return copy.deepcopy(case)


def _short(value, limit=60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
