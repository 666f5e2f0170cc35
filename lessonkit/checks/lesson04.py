"""Checks for the exercises of lesson 04, Latent Loops.

Lesson: notebooks/04_latent_loops.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise`; each ``check_*`` function is
what a student calls in the lesson.
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST
from .core import Exercise, Feedback, check_value, run_exercise

# ----------------------------------------------------------------------------- exercise 1: reconstruction accuracy

_A = [67, HOLD, 69, HOLD, 71, HOLD, HOLD, HOLD, 72, HOLD, 71, HOLD, 69, HOLD, 67, HOLD] * 2
_B = [60, HOLD, HOLD, HOLD, 64, HOLD, HOLD, HOLD, 67, HOLD, HOLD, HOLD, REST, REST, REST, REST] * 2


def _with(loop, changes):
    out = list(loop)
    for i, t in changes.items():
        out[i] = t
    return out


ACCURACY_CASES = [
    (_A, _with(_A, {2: 71, 10: REST})),
    (_B, list(_B)),
    (_B, _with(_B, {0: 62, 1: 62, 4: 65, 20: 65, 31: 60})),
    (_A, _with(_A, {i: HOLD for i in range(16, 32) if _A[i] != HOLD})),
]


def reference_reconstruction_accuracy(original, copy) -> float:
    """Model solution: the share of the 32 steps where the copy has the same token as the original."""
    return float(np.mean(np.asarray(original) == np.asarray(copy)))


def _compare_accuracy(got, want, case) -> str | None:
    original, copy = (np.asarray(x) for x in case)
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the share of steps that came back right (0 to 1)."
    if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
        return None
    same = int((original == copy).sum())
    if math.isclose(got, same):
        return f"That is the number of steps that match ({same}); divide by the number of steps to get a share."
    if math.isclose(got, 1 - want):
        return "That is the share of steps that came back WRONG; the accuracy is the share that match."
    if math.isclose(got, 100 * want):
        return "That is a percentage; return a share from 0 to 1 (the check compares shares)."
    notes = original < 128
    if notes.any() and math.isclose(got, float((original[notes] == copy[notes]).mean())):
        return "You compared only the steps where a note starts. HOLD and REST steps count too: every one of the 32 steps."
    return "Compare the two loops step by step (original == copy gives True/False for each step) and take the mean."


reconstruction_accuracy_exercise = Exercise(
    name="reconstruction_accuracy",
    describe="reconstruction_accuracy(original, copy)",
    reference=reference_reconstruction_accuracy,
    cases=ACCURACY_CASES,
    compare=_compare_accuracy,
    error_hints=[("The truth value of an array", "`original == copy` gives one True/False per step; use np.mean(...) "
                  "of it rather than `if`."),
                 ("unsupported operand type(s) for /: 'list'", "Turn the lists into arrays first: np.asarray(original).")],
)


def check_reconstruction_accuracy(func) -> Feedback:
    """Check ``func(original, copy) -> float``: the share of steps where copy equals original."""
    return run_exercise(reconstruction_accuracy_exercise, func)


# ----------------------------------------------------------------------------- exercise 2: the "more notes" vector


def _codes_case(seed, n=12, dim=4):
    rng = np.random.default_rng(seed)
    notes = rng.integers(3, 15, size=n)
    codes = rng.normal(size=(n, dim)).round(2) + 0.1 * notes[:, None]
    return codes, notes, 8


ATTRIBUTE_CASES = [_codes_case(s) for s in (0, 1, 2)]


def reference_more_notes_vector(codes, note_counts, threshold) -> np.ndarray:
    """Model solution: mean code of loops with MORE than ``threshold`` notes minus mean code of the others."""
    codes, counts = np.asarray(codes, dtype=float), np.asarray(note_counts)
    return codes[counts > threshold].mean(axis=0) - codes[counts <= threshold].mean(axis=0)


def _compare_vector(got, want, case) -> str | None:
    codes, counts, threshold = case
    codes = np.asarray(codes, dtype=float)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return "Return one array: a vector with as many numbers as a code."
    if got.shape != want.shape:
        if got.shape == (len(codes),):
            return ("Your vector has one number per LOOP; it should have one per code dimension. "
                    "Average over the loops: .mean(axis=0).")
        return f"Your answer has shape {got.shape}; a code here has shape {want.shape}."
    if np.allclose(got, want, atol=1e-9):
        return None
    if np.allclose(got, -want):
        return "The direction is reversed: take (mean of loops with many notes) MINUS (mean of loops with few)."
    if np.allclose(got, codes[counts > threshold].mean(0) - codes.mean(0)):
        return "Subtract the mean of the loops with FEW notes (at most threshold), not the mean of all loops."
    if np.allclose(got, codes[counts >= threshold].mean(0) - codes[counts < threshold].mean(0)):
        return "Loops with exactly `threshold` notes belong to the 'few notes' group: use > threshold and <= threshold."
    if np.allclose(got, codes[counts > threshold].sum(0) - codes[counts <= threshold].sum(0)):
        return "Those are sums; the two groups have different sizes, so take their means."
    return "Pick the codes with note_counts > threshold, average them (axis=0), and subtract the average of the rest."


more_notes_exercise = Exercise(
    name="more_notes_vector",
    describe="more_notes_vector(codes, note_counts, threshold)",
    reference=reference_more_notes_vector,
    cases=ATTRIBUTE_CASES,
    compare=_compare_vector,
    error_hints=[("only integer scalar arrays", "To pick rows, index with a True/False array: codes[note_counts > threshold]."),
                 ("'list' object", "Turn the inputs into arrays first: np.asarray(codes).")],
)


def check_more_notes_vector(func) -> Feedback:
    """Check ``func(codes, note_counts, threshold) -> vector``."""
    return run_exercise(more_notes_exercise, func)


# ----------------------------------------------------------------------------- exercise 3: smoother interpolation

PATH_CASES = [
    ([_A, _A, _B, _B],),
    ([_A, _with(_A, {0: 60}), _with(_A, {0: 60, 2: 62}), _with(_A, {0: 60, 2: 62, 4: 64})],),
    ([_B, _B],),
    ([_A, _with(_A, {i: REST for i in range(8)}), _A],),
]


def reference_largest_change(path) -> float:
    """Model solution: over neighbouring loops of the path, the largest share of the 32 steps that differ."""
    p = np.asarray(path)
    return float((p[1:] != p[:-1]).mean(axis=1).max())


def _compare_change(got, want, case) -> str | None:
    p = np.asarray(case[0])
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the largest share of steps that change between two neighbours."
    if math.isclose(got, want, abs_tol=1e-12):
        return None
    changes = (p[1:] != p[:-1]).mean(axis=1)
    if math.isclose(got, float(changes.mean())):
        return "That is the mean change per step of the path; the exercise asks for the LARGEST one (a jump)."
    if math.isclose(got, float((p[-1] != p[0]).mean())):
        return "You compared the two ends; compare each loop with the NEXT one, p[1:] with p[:-1]."
    if math.isclose(got, float((p[1:] != p[:-1]).sum(axis=1).max())):
        return "That counts steps; divide by 32 (the steps in a loop) to get a share."
    return "For each pair of neighbours compare the loops step by step, take the share that differ, then the max."


largest_change_exercise = Exercise(
    name="largest_change",
    describe="largest_change(path)",
    reference=reference_largest_change,
    cases=PATH_CASES,
    compare=_compare_change,
)


def check_largest_change(func) -> Feedback:
    """Check ``func(path) -> float``: the largest share of steps changed between neighbouring loops."""
    return run_exercise(largest_change_exercise, func)


def check_smoother_prediction(choice, path_a, path_b) -> Feedback:
    """Check a guess ("A" or "B") of which path is smoother (its largest jump is smaller), by measuring both."""
    if choice not in ("A", "B"):
        return Feedback(False, f"Answer with the letter 'A' or 'B', not {choice!r:.30}.",
                        "Look at the two rows of piano rolls and listen: which one changes a little at every step?")
    jumps = {k: reference_largest_change(p) for k, p in (("A", path_a), ("B", path_b))}
    right = min(jumps, key=jumps.get)
    measured = f"largest jump: A {jumps['A']:.0%} of the steps, B {jumps['B']:.0%}"
    return check_value(choice, right, what=f"Your guess {choice!r} ({measured})",
                       hint=f"Measured, path {right} is smoother ({measured}). Look again at where the other path jumps.")


EXERCISES = {e.name: e for e in (reconstruction_accuracy_exercise, more_notes_exercise, largest_change_exercise)}
"""The exercises of lesson 04 by name."""
