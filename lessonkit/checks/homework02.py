"""Checks for the graded tasks of homework 02 (AI duet): what the visible check needs, no solution.

Lesson: notebooks/02_ai_duet.ipynb (homework: assignments/source/02_ai_duet)

Each task practises an idea of lesson 02 on something the lesson did not solve. This module
ships to every student, so it holds only the visible inputs, their expected answers
(``expected_values``) and the hint logic; the reference solutions and the hidden inputs live in
the hidden-test regions of the assignment's source notebook (see docs/teacher-guide.md,
"Writing an assignment").
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST, VOCAB_SIZE
from .core import Exercise, Feedback, run_exercise


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


# ----------------------------------------------------------------------------- task 1: NLL of a tune


def _probs_table():
    p = np.full((VOCAB_SIZE, VOCAB_SIZE), 1.0 / VOCAB_SIZE)
    p[60] = 0.0
    p[60, HOLD], p[60, 62], p[60, 64] = 0.5, 0.3, 0.2
    p[62] = 0.0
    p[62, HOLD], p[62, 64], p[62, 60] = 0.25, 0.5, 0.25
    p[HOLD] = 0.0
    p[HOLD, HOLD], p[HOLD, 60], p[HOLD, 62], p[HOLD, 64] = 0.4, 0.2, 0.2, 0.2
    return p


def _compare_tune_nll(got, want, case) -> str | None:
    # Hint logic only: the mistakes are rebuilt inline; the answer itself comes as ``want``.
    probs, tokens = case
    if not _is_number(got):
        return f"Return one number, the mean surprise in nats (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        return None
    step = [float(probs[a, b]) for a, b in zip(tokens[:-1], tokens[1:])]
    n = len(step)
    if math.isclose(got, -want, rel_tol=1e-6):
        return "The sign is wrong: ln p is negative for p < 1, and a surprise is -ln p (a positive number)."
    if math.isclose(got, want * n, rel_tol=1e-6):
        return "That is the total surprise; the task asks for the MEAN per step (divide by the number of steps)."
    if math.isclose(got, want * n / (n + 1), rel_tol=1e-6):
        return (f"Divide by the number of steps that were predicted ({n}: one fewer than the tokens, because the "
                "first token has nothing before it).")
    if math.isclose(got, want / math.log(2), rel_tol=1e-6):
        return "You used log base 2 (bits). Nats use the natural log: math.log or np.log."
    if math.isclose(got, want / math.log(10), rel_tol=1e-6):
        return "You used log base 10. Nats use the natural log: math.log or np.log."
    if math.isclose(got, -math.log(float(np.mean(step))), rel_tol=1e-6):
        return "Take -ln of EACH step's probability and then average, not -ln of the average probability."
    rev = [float(probs[b, a]) for a, b in zip(tokens[:-1], tokens[1:])]
    if all(r > 0 for r in rev) and math.isclose(got, float(np.mean([-math.log(r) for r in rev])), rel_tol=1e-6):
        return "The table is read probs[this token, next token]: the row is the token now, the column what follows."
    return "For each pair of neighbouring tokens (this, next), take -ln(probs[this, next]); return their mean."


tune_nll_task = Exercise(
    name="tune_nll",
    describe="tune_nll(probs, tokens)",
    reference=None,
    cases=[(_probs_table(), [60, HOLD, HOLD, 62, 64]), (_probs_table(), [62, 64]),
           (_probs_table(), [60, 62, 60, 64, HOLD, HOLD, 60]), (_probs_table(), [HOLD, 64, 60, HOLD])],
    expected_values=[0.9780057513570365, 0.6931471805599453, 1.932161362107294, 2.3900398478165426],
    compare=_compare_tune_nll,
    error_hints=[
        ("math domain error", "A probability of 0 has no logarithm (-ln 0 is infinite): check you read "
                              "probs[this, next] for neighbouring tokens."),
        ("index out of range", "You went one token past the end: n tokens make n - 1 (this, next) pairs."),
    ],
)


def check_tune_nll(func) -> Feedback:
    """Check ``func(probs, tokens) -> float``: mean surprise (nats per step) of a tune under a bigram table."""
    return run_exercise(tune_nll_task, func)


# ----------------------------------------------------------------------------- task 2: perplexity from probabilities


def _compare_perplexity(got, want, case) -> str | None:
    p = np.asarray(case[0], dtype=float)
    if not _is_number(got):
        return f"Return one number (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-6):
        return None
    nll = math.log(want)
    if math.isclose(got, nll, rel_tol=1e-6):
        return "That is the mean NLL. The perplexity is e to the power of it: math.exp(nll)."
    if math.isclose(got, 1.0 / want, rel_tol=1e-6):
        return "You used e ** (-nll), which is upside down: perplexity is e ** (+nll), a number of choices of 1 or more."
    if math.isclose(got, 2.0 ** nll, rel_tol=1e-6):
        return "With nats (natural log), the perplexity is e ** nll, not 2 ** nll."
    if math.isclose(got, math.exp(nll * len(p)), rel_tol=1e-6):
        return "You used the TOTAL surprise; the perplexity uses the MEAN surprise per step."
    if math.isclose(got, 1.0 / float(np.mean(p)), rel_tol=1e-6):
        return ("1 / mean(p) is not the same: first take the mean of -ln p (the mean surprise), then e to the "
                "power of that.")
    if math.isclose(got, float(np.mean(1.0 / p)), rel_tol=1e-6):
        return "Average the surprises -ln p first, then take e to the power of that mean (not the mean of 1/p)."
    return "Two steps: the mean of -ln p over the steps (the mean NLL), then e to the power of it."


perplexity_from_probs_task = Exercise(
    name="perplexity_from_probs",
    describe="perplexity_from_probs(probs_of_actual)",
    reference=None,
    cases=[([0.5, 0.5, 0.5],), ([0.25, 0.5, 1.0],), ([0.1, 0.9, 0.6, 0.3],), ([1 / 130] * 5,)],
    expected_values=[2.0, 2.0, 2.802988050845715, 130.0],
    compare=_compare_perplexity,
)


def check_perplexity_from_probs(func) -> Feedback:
    """Check ``func(probs_of_actual) -> float``: the perplexity straight from the probabilities of what came."""
    return run_exercise(perplexity_from_probs_task, func)


# ----------------------------------------------------------------------------- task 3: top-k


def _compare_top_k(got, want, case) -> str | None:
    probs, k = case
    p = np.asarray(probs, dtype=float)
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return "Return a numpy array of probabilities, one per token."
    if got.shape != p.shape:
        return (f"Keep one probability per token, in the same order (shape {p.shape}); yours has shape {got.shape}. "
                "Set the others to 0 rather than removing them.")
    if np.allclose(got, want, atol=1e-9):
        return None
    kept = int(np.count_nonzero(got))
    if np.allclose(got, p):
        return "Nothing changed: keep only the k most likely tokens and set every other probability to 0."
    if not math.isclose(float(got.sum()), 1.0, rel_tol=1e-6):
        if np.allclose(got, np.where(want > 0, p, 0.0)):
            return "The right tokens are kept, but the probabilities no longer add up to 1: divide by their sum."
        return "Probabilities must add up to 1: after zeroing the others, divide the kept ones by their sum."
    if np.allclose(np.sort(got)[::-1], np.sort(want)[::-1]) and not np.allclose(got, want):
        return "Keep each probability at its token's position: do not sort the array, set the others to 0."
    if kept == k + 1 or kept == k - 1:
        return f"Keep exactly k = {k} tokens (you kept {kept})."
    if kept == k and np.all(p[got > 0] <= np.min(p[want > 0])):
        if np.allclose(p[got > 0], np.min(p[want > 0])):
            return ("When tokens tie, keep the one with the SMALLEST token number: sort with "
                    "np.argsort(-probs, kind='stable').")
        return "You kept the LEAST likely tokens: keep the k largest probabilities."
    return "Find the k largest probabilities, set every other one to 0, then divide by the sum."


top_k_task = Exercise(
    name="top_k",
    describe="top_k(probs, k)",
    reference=None,
    cases=[(np.array([0.1, 0.5, 0.15, 0.25]), 2), (np.array([0.55, 0.25, 0.12, 0.06, 0.02]), 3),
           (np.array([0.2, 0.3, 0.2, 0.3]), 3), (np.array([0.7, 0.2, 0.1]), 1)],
    expected_values=[np.array([0.0, 0.6666666666666666, 0.0, 0.3333333333333333]),
                     np.array([0.55, 0.25, 0.12, 0.0, 0.0]) / 0.92,
                     np.array([0.25, 0.375, 0.0, 0.375]), np.array([1.0, 0.0, 0.0])],
    compare=_compare_top_k,
)


def check_top_k(func) -> Feedback:
    """Check ``func(probs, k) -> array``: the k most likely tokens kept, the rest 0, renormalised."""
    return run_exercise(top_k_task, func)


# ----------------------------------------------------------------------------- task 4: entropy


def _compare_entropy(got, want, case) -> str | None:
    # Hint logic only: the mistakes are rebuilt inline; the answer itself comes as ``want``.
    p = np.asarray(case[0], dtype=float)
    if not _is_number(got):
        return "Return one number: the entropy in nats."
    got = float(got)
    if math.isnan(got):
        return ("You got nan: 0 * log(0) is nan in numpy. Leave out the tokens whose probability is 0 "
                "(p = p[p > 0]); they add no surprise.")
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        return None
    q = p[p > 0]
    if math.isclose(got, -want, rel_tol=1e-6) and want != 0:
        return "The sign is wrong: ln p is negative, so entropy is MINUS the sum of p * ln p."
    if math.isclose(got, want / math.log(2), rel_tol=1e-6) and want != 0:
        return "You used log base 2 (bits). Nats use the natural log: np.log."
    if math.isclose(got, want / len(q), rel_tol=1e-6) and want != 0:
        return "Sum over the tokens, do not average: entropy = -sum(p * ln p)."
    if math.isclose(got, float(-np.sum(np.log(q))), rel_tol=1e-6):
        return "Weight each -ln p by its probability p before adding up."
    return "Entropy = -sum over tokens of p * ln(p), leaving out tokens with p = 0."


entropy_task = Exercise(
    name="entropy_nats",
    describe="entropy_nats(probs)",
    reference=None,
    cases=[([0.5, 0.5],), ([0.25] * 4,), ([0.7, 0.2, 0.1],), ([1.0, 0.0, 0.0],), ([0.5, 0.3, 0.15, 0.05],)],
    expected_values=[0.6931471805599453, 1.3862943611198906, 0.8018185525433372, 0.0, 1.1421200429883351],
    compare=_compare_entropy,
)


def check_entropy_nats(func) -> Feedback:
    """Check ``func(probs) -> float``: how unsure a next-token distribution is, in nats."""
    return run_exercise(entropy_task, func)


TASKS = {e.name: e for e in (tune_nll_task, perplexity_from_probs_task, top_k_task, entropy_task)}
"""The graded tasks of homework 02 by name (visible inputs, expected values and hints only)."""
