"""Checks for the exercises of lesson 05, AI as a musical assistant.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise`; each ``check_*`` function is
what a student calls in the lesson.
"""

from __future__ import annotations

import math

import numpy as np

from .core import Exercise, Feedback, run_exercise

# ----------------------------------------------------------------------------- exercise 1: the longest copied run


def _intervals(pitches) -> list:
    p = [int(x) for x in pitches]
    return [b - a for a, b in zip(p, p[1:])]


def _longest_common_run(a: list, b: list) -> int:
    """Longest run of consecutive equal items that appears in both lists (dynamic programming)."""
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def reference_longest_copied_run(melody, tune) -> int:
    """Model solution: the longest run of consecutive *intervals* of ``melody`` found in ``tune``."""
    return _longest_common_run(_intervals(melody), _intervals(tune))


def _compare_run(got, want, case) -> str | None:
    melody, tune = case
    try:
        if isinstance(got, bool) or float(got) != int(float(got)):
            return "Return a whole number: how many intervals the longest shared run has."
        got = int(got)
    except (TypeError, ValueError):
        return "Return one whole number: how many intervals the longest shared run has."
    if got == want:
        return None
    same_pitches = _longest_common_run([int(x) for x in melody], [int(x) for x in tune])
    if want and got == want + 1:
        return ("You counted notes; count the intervals (steps between notes): a run of 4 notes is 3 intervals.")
    if got == same_pitches and same_pitches != want:
        return ("You compared the pitches themselves, so a copy in another key is missed (or a match in the same "
                "key counted). Compare the intervals: the steps from each note to the next.")
    if got < want:
        return ("Your run is too short. Did you stop at the first match? Try every starting place in the melody "
                "against every starting place in the tune, and keep the longest run.")
    return ("Your run is too long. A run must be consecutive in BOTH the melody and the tune, in the same order: "
            "counting matching intervals that are not next to each other overcounts.")


longest_run_exercise = Exercise(
    name="longest_copied_run",
    describe="longest_copied_run(melody, tune)",
    reference=reference_longest_copied_run,
    cases=[
        ([60, 62, 64, 65, 67], [60, 62, 64, 65, 67]),            # the same: 4 intervals
        ([65, 67, 69, 70, 72], [60, 62, 64, 65, 67, 65, 64]),    # the same run a fourth higher: 4
        ([67, 67, 69, 67, 72, 71], [55, 60, 60, 62, 60, 65, 64, 60]),   # Happy Birthday a fifth lower: 5
        ([60, 64, 67, 72], [62, 61, 63, 60]),                    # nothing in common: 0
        ([60, 62, 60, 62, 64, 62], [70, 72, 74, 72, 40, 42]),    # +2 +2 -2 shared: 3
        ([62, 62, 62, 62], [50, 50, 50]),                        # repeated notes: 0 0 shared: 2
    ],
    compare=_compare_run,
    error_hints=[("list index out of range", "An index ran past the end: the melody has one interval fewer than "
                                             "notes; check where your loops stop.")],
)


def check_longest_copied_run(func) -> Feedback:
    """Check ``func(melody, tune) -> int``: the longest run of intervals of ``melody`` also in ``tune``."""
    return run_exercise(longest_run_exercise, func)


# ----------------------------------------------------------------------------- exercise 2: median copy length


class _FakeResult:
    def __init__(self, run):
        self.longest_run_intervals = run


def reference_median_copy_length(runs) -> float:
    """Model solution: the median of the ``longest_run_intervals`` of some originality results."""
    return float(np.median([r.longest_run_intervals for r in runs]))


def _compare_median(got, want, case) -> str | None:
    values = [r.longest_run_intervals for r in case[0]]
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the median of the longest runs."
    if math.isclose(got, want):
        return None
    if math.isclose(got, float(np.mean(values))):
        return "That is the mean; the median is the middle value once sorted (np.median): one huge copy cannot pull it."
    if math.isclose(got, float(max(values))) or math.isclose(got, float(min(values))):
        return "That is the largest or smallest run; the median is the middle value once sorted (np.median)."
    if math.isclose(got, float(values[len(values) // 2])):
        return "Sort the runs first: the median is the middle of the sorted values (np.median does both)."
    return "Take .longest_run_intervals of each result, then np.median of those numbers."


median_exercise = Exercise(
    name="median_copy_length",
    describe="median_copy_length(results)",
    reference=reference_median_copy_length,
    cases=[([_FakeResult(r) for r in runs],) for runs in ([3, 9, 5], [0, 0, 30, 6], [12, 5, 7, 7, 40], [8])],
    compare=_compare_median,
)


def check_median_copy_length(func) -> Feedback:
    """Check ``func(results) -> float``: the median longest copied run of some :class:`Originality` results."""
    return run_exercise(median_exercise, func)


# ----------------------------------------------------------------------------- predict, then measure

COPY_CHOICES = {
    "a": "Copies get LONGER as the temperature goes up.",
    "b": "Copies get SHORTER as the temperature goes up.",
    "c": "The temperature makes no difference to copying.",
}


def check_copy_prediction(prediction: str) -> Feedback:
    """Check a prediction (a letter of :data:`COPY_CHOICES`): how does copying change with temperature?"""
    letter = str(prediction).strip().lower()
    if letter not in COPY_CHOICES:
        return Feedback(False, f"{letter!r} is not one of the choices.",
                        f"Answer with a letter: {', '.join(COPY_CHOICES)}.", 0, 1)
    if letter == "b":
        return Feedback(True, "Low temperatures pick the most likely next note, the well-worn paths of the training "
                              "tunes; higher ones leave them more often. Now measure it.", "", 1, 1)
    hints = {"a": "A high temperature gives unlikely notes more chances. Are unlikely notes the ones the training "
                  "tunes used, or the ones they did not?",
             "c": "Temperature changes which note is drawn at every step (lesson 02). Which notes does a low "
                  "temperature favour: the common ones in the training tunes, or rare ones?"}
    return Feedback(False, "That is not what the model does.", hints[letter], 0, 1)


# ----------------------------------------------------------------------------- exercise 3: leaps


def reference_leap_share(melodies, min_semitones: int = 5) -> float:
    """Model solution: share of intervals (over all melodies) of at least ``min_semitones``, up or down."""
    ivals = np.concatenate([np.diff(np.asarray(m, dtype=int)) for m in melodies])
    return float(np.mean(np.abs(ivals) >= min_semitones))


def _compare_leaps(got, want, case) -> str | None:
    melodies, k = case
    ivals = np.concatenate([np.diff(np.asarray(m, dtype=int)) for m in melodies])
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number between 0 and 1: the share of intervals that are leaps."
    if math.isclose(got, want, abs_tol=1e-9):
        return None
    if got == 0 and want > 0:
        return ("You got 0: no interval counted as a leap. Take the intervals with np.diff, their size with "
                "np.abs, and the share of them that is at least min_semitones.")
    if math.isclose(got, float(np.mean(ivals >= k)), abs_tol=1e-9):
        return "Leaps down count too: use the size of each interval (np.abs) before comparing."
    if math.isclose(got, float(np.mean(np.abs(ivals) > k)), abs_tol=1e-9):
        return f"A leap of exactly {k} semitones counts: use >=, not >."
    if math.isclose(got, float(np.sum(np.abs(ivals) >= k)), abs_tol=1e-9):
        return "That is how many leaps there are; divide by the number of intervals for the share."
    if math.isclose(got, float(np.mean([np.mean(np.abs(np.diff(np.asarray(m))) >= k) for m in melodies])),
                    abs_tol=1e-9):
        return "Pool all intervals of all melodies first, then take the share (not the mean of each melody's share)."
    joined = np.diff(np.concatenate([np.asarray(m, dtype=int) for m in melodies]))
    if math.isclose(got, float(np.mean(np.abs(joined) >= k)), abs_tol=1e-9):
        return ("You joined the melodies into one, so the jump from the end of one to the start of the next "
                "counted as an interval. Take the intervals of each melody separately.")
    return "For each melody take np.diff of its pitches; pool them; the share with np.abs(interval) >= the limit."


leap_exercise = Exercise(
    name="leap_share",
    describe="leap_share(melodies, min_semitones)",
    reference=reference_leap_share,
    cases=[([[60, 62, 64, 69, 67]], 5), ([[60, 67, 60], [72, 71, 69, 67, 60]], 5), ([[60, 55, 62], [70, 72, 74]], 7),
           ([[64, 64, 64, 62], [60, 72]], 3)],
    compare=_compare_leaps,
)


def check_leap_share(func) -> Feedback:
    """Check ``func(melodies, min_semitones) -> float``: the share of intervals that are leaps."""
    return run_exercise(leap_exercise, func)


EXERCISES = {e.name: e for e in (longest_run_exercise, median_exercise, leap_exercise)}
"""Every exercise of lesson 05 by name."""
