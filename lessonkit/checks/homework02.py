"""Checks for the homework of lesson 02 that the lesson itself has no exercise for.

Lesson: notebooks/02_ai_duet.ipynb (homework: assignments/source/02_ai_duet)

The homework's other tasks use the lesson's own exercises in :mod:`lessonkit.checks.lesson02`.
"""

from __future__ import annotations

import math

import numpy as np

from .core import Exercise, Feedback, run_exercise

# ----------------------------------------------------------------------------- entropy


def reference_entropy_nats(probs) -> float:
    """Model solution: ``-sum(p * ln p)`` over the tokens with ``p > 0`` (nats)."""
    p = np.asarray(probs, dtype=float)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def _compare_entropy(got, want, case) -> str | None:
    p = np.asarray(case[0], dtype=float)
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the entropy in nats."
    if math.isnan(got):
        return ("You got nan: 0 * log(0) is nan in numpy. Leave out the tokens whose probability is 0 "
                "(p = p[p > 0]); they add no surprise.")
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        return None
    q = p[p > 0]
    if math.isclose(got, -want, rel_tol=1e-6) and want != 0:
        return "The sign is wrong: ln p is negative, so entropy is MINUS the sum of p * ln p."
    if math.isclose(got, float(-np.sum(q * np.log2(q))), rel_tol=1e-6):
        return "You used log base 2 (bits). Nats use the natural log: np.log."
    if math.isclose(got, float(-np.mean(q * np.log(q))), rel_tol=1e-6):
        return "Sum over the tokens, do not average: entropy = -sum(p * ln p)."
    if math.isclose(got, float(-np.sum(np.log(q))), rel_tol=1e-6):
        return "Weight each -ln p by its probability p before adding up."
    return "Entropy = -sum over tokens of p * ln(p), leaving out tokens with p = 0."


entropy_exercise = Exercise(
    name="entropy_nats",
    describe="entropy_nats(probs)",
    reference=reference_entropy_nats,
    cases=[([0.5, 0.5],), ([0.25] * 4,), ([0.7, 0.2, 0.1],), ([1.0, 0.0, 0.0],), ([0.5, 0.3, 0.15, 0.05],)],
    compare=_compare_entropy,
)


def check_entropy_nats(func) -> Feedback:
    """Check ``func(probs) -> float``: how unsure a next-token distribution is, in nats."""
    return run_exercise(entropy_exercise, func)


EXERCISES = {e.name: e for e in (entropy_exercise,)}
"""The homework-only exercises of lesson 02 by name."""
