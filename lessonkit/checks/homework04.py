"""Checks for the graded tasks of homework 04 (latent loops): what the visible check needs, no solution.

Lesson: notebooks/04_latent_loops.ipynb (homework: assignments/source/04_latent_loops)

Each task practises an idea of lesson 04 on something the lesson did not solve: finding the real
loop whose code is nearest to a point of the latent space, the longest note of each loop along a
path, the KL term of a diagonal Gaussian code, and the free-bits penalty per loop. This module
ships to every student, so it holds only the visible inputs, their expected answers
(``expected_values``) and the hint logic; the reference solutions and the hidden inputs live in
the hidden-test regions of the assignment's source notebook (see docs/teacher-guide.md,
"Writing an assignment").
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST
from .core import Exercise, Feedback, run_exercise


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _close(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


# ----------------------------------------------------------------------------- task 1: nearest real loop


def _compare_nearest(got, want, case) -> str | None:
    # Hint logic only: the mistakes are rebuilt inline; the answer itself comes as ``want``.
    code, codes = np.asarray(case[0], dtype=float), np.asarray(case[1], dtype=float)
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        if _is_number(got):
            return ("Return the ROW NUMBER of the nearest code (an int such as 2), not its distance.")
        return f"Return one whole number, the row of the nearest code (you returned a {type(got).__name__})."
    if int(got) == want:
        return None
    if not 0 <= int(got) < len(codes):
        return f"There are {len(codes)} codes: the answer is a row number from 0 to {len(codes) - 1}."
    dist = np.sqrt(((codes - code) ** 2).sum(axis=1))
    if int(got) == int(np.argmax(dist)):
        return "That is the FARTHEST code: take the smallest distance (argmin), not the largest."
    if int(got) == int(np.argmin(np.abs(codes - code).sum(axis=1))):
        return ("You added the differences without squaring (the 'city-block' distance). Use the straight-line "
                "distance: the square root of the sum of squared differences.")
    if int(got) == int(np.argmax(codes @ code)):
        return ("The largest dot product is not the nearest point: a long code far away can win. Measure the "
                "distance between the points.")
    if int(got) == int(np.argmin(np.abs(codes.sum(axis=1) - code.sum()))):
        return "Compare the codes number by number: subtract, square, add up per row (not the sums of the rows)."
    return "For each row of codes, the distance to code is sqrt(sum((row - code) ** 2)); return the row with the smallest."


nearest_loop_task = Exercise(
    name="nearest_loop",
    describe="nearest_loop(code, codes)",
    reference=None,
    cases=[(np.array([0.0, 0.0]), np.array([[3.0, 4.0], [1.0, 1.0], [-2.0, 0.5]])),
           (np.array([1.0, 2.0, 0.0]), np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [2.5, 2.5, 0.0], [9.0, 9.0, 9.0]])),
           (np.array([0.5, -0.5]), np.array([[0.4, 2.0], [1.5, -0.5], [0.0, 0.0], [5.0, -5.0]])),
           (np.array([10.0, 0.0]), np.array([[1.0, 0.0], [9.0, 3.0], [20.0, 0.0]])),
           (np.array([0.0, 0.0]), np.array([[2.0, 2.0], [0.0, 2.9]]))],
    expected_values=[1, 2, 2, 1, 0],
    compare=_compare_nearest,
    error_hints=[
        ("operands could not be broadcast", "code is one row (z_dim numbers) and codes is a table (n, z_dim): "
                                            "subtract code from every row at once, codes - code."),
    ],
)


def check_nearest_loop(func) -> Feedback:
    """Check ``func(code, codes) -> int``: the row of ``codes`` nearest (straight-line distance) to ``code``."""
    return run_exercise(nearest_loop_task, func)


# ----------------------------------------------------------------------------- task 2: longest note per loop


def _runs(row, start, extend) -> int:
    best = run = 0
    for t in row:
        t = int(t)
        if start(t):
            run = 1
        elif extend(t) and run:
            run += 1
        else:
            run = 0
        best = max(best, run)
    return best


def _compare_longest_notes(got, want, case) -> str | None:
    path = np.asarray(case[0])
    try:
        got = [int(x) for x in got]
    except (TypeError, ValueError):
        return "Return a list of whole numbers, one per loop (row) of the path."
    want = [int(x) for x in want]
    if len(got) != len(want):
        return f"Return one number per loop: the path has {len(want)} loops (rows), you returned {len(got)} numbers."
    if got == want:
        return None
    if got == [max(w - 1, 0) for w in want]:
        return "Each is one step short: count the step where the note starts too, not only its HOLD steps."
    holds_anywhere = [_runs(r, lambda t: False, lambda t: t == HOLD) for r in path]
    holds = [_runs(r, lambda t: t == HOLD, lambda t: t == HOLD) for r in path]
    if got == holds or got == holds_anywhere:
        return "You counted runs of HOLD alone. A note lasts from its start token (0-127) through the HOLDs after it."
    if got == [_runs(r, lambda t: t < 128, lambda t: t in (HOLD, REST)) for r in path]:
        return "A REST ends a note: only HOLD steps carry a note on."
    if got == [int((r == HOLD).sum()) for r in path] or got == [int((r == HOLD).sum()) + 1 for r in path]:
        return "You counted all HOLD steps of the loop; the task asks for the LONGEST single note (one start + its HOLDs)."
    if got == [int((r < 128).sum()) for r in path]:
        return "That is the number of notes per loop; the task asks how many steps the longest note lasts."
    return ("For each loop: walk its 32 steps; a token 0-127 starts a note (length 1), each HOLD after it adds 1, "
            "REST ends it. Keep the largest length (0 for a loop with no note).")


longest_notes_task = Exercise(
    name="longest_notes",
    describe="longest_notes(path)",
    reference=None,
    cases=[(np.array([[60, HOLD, HOLD, 62] + [HOLD] * 4 + [64] * 24]),),
           (np.array([[REST] * 32, [60] + [HOLD] * 31]),),
           (np.array([[60, HOLD, REST, HOLD, HOLD, HOLD] + [62, HOLD] * 13,
                      [67, 67, 67, HOLD, HOLD, REST, REST, 65] + [HOLD] * 2 + [REST] * 22]),),
           (np.array([[72, HOLD, HOLD, HOLD, 71, HOLD, 69, HOLD] * 4,
                      [72, HOLD, 71, HOLD, HOLD, 69, HOLD, HOLD] * 4,
                      [60] * 16 + [REST] * 16]),)],
    expected_values=[[5], [0, 32], [2, 3], [4, 3, 1]],
    compare=_compare_longest_notes,
)


def check_longest_notes(func) -> Feedback:
    """Check ``func(path) -> list[int]``: for each loop (row) of a path, the steps of its longest note."""
    return run_exercise(longest_notes_task, func)


# ----------------------------------------------------------------------------- task 3: KL to the prior


def _compare_kl(got, want, case) -> str | None:
    # Hint logic only: the mistakes are rebuilt inline; the answer itself comes as ``want``.
    mu, logvar = np.asarray(case[0], dtype=float), np.asarray(case[1], dtype=float)
    if not _is_number(got):
        return f"Return one number, the KL in nats (you returned a {type(got).__name__})."
    got = float(got)
    if math.isnan(got):
        return "You got nan: check every term is computed from mu and logvar (exp(logvar) is the variance)."
    if _close(got, want):
        return None
    if want and _close(got, 2 * want):
        return "Twice too large: the formula has a factor 1/2 in front of the sum."
    if want and _close(got, -want):
        return "The sign is wrong: a KL is never negative. It is 0.5 * sum(mu**2 + var - 1 - logvar)."
    if want and _close(got, want / len(mu)):
        return "Add up over the code's numbers, do not average: the KL of the whole code is a sum over dimensions."
    if _close(got, 0.5 * float(np.sum(mu ** 2 + logvar - 1 - np.log(np.abs(logvar) + 1e-300)))):
        return "logvar is the LOG of the variance: the variance is exp(logvar), and the last term is logvar itself."
    if _close(got, 0.5 * float(np.sum(mu ** 2 + np.exp(logvar) - logvar))):
        return "You left out the -1 per number: a code equal to the prior (mu 0, logvar 0) must give KL 0."
    if _close(got, 0.5 * float(np.sum(np.exp(logvar) - 1 - logvar))):
        return "You left out mu**2: a code whose mean is far from 0 costs more."
    if want and _close(got, want / math.log(2)):
        return "That is in bits (log base 2); nats use the natural log (np.log, np.exp)."
    return "KL(N(mu, exp(logvar)) || N(0, 1)) = 0.5 * sum over the numbers of (mu**2 + exp(logvar) - 1 - logvar)."


kl_to_prior_task = Exercise(
    name="kl_to_prior",
    describe="kl_to_prior(mu, logvar)",
    reference=None,
    cases=[(np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.0, 0.0])), (np.array([1.0, -2.0]), np.array([0.0, 0.0])),
           (np.array([0.5, 0.0, -0.5, 1.5]), np.array([-1.0, 0.5, 0.0, -2.0])),
           (np.array([3.0]), np.array([1.0]))],
    expected_values=[0.0, 2.5, 2.2009679975540917, 4.859140914229522],
    compare=_compare_kl,
)


def check_kl_to_prior(func) -> Feedback:
    """Check ``func(mu, logvar) -> float``: the KL (nats) from a diagonal Gaussian code to N(0, 1)."""
    return run_exercise(kl_to_prior_task, func)


# ----------------------------------------------------------------------------- task 4: free bits per loop


def _compare_free_bits(got, want, case) -> str | None:
    kl, free, beta = np.asarray(case[0], dtype=float), float(case[1]), float(case[2])
    if not _is_number(got):
        return f"Return one number, the mean penalty in nats (you returned a {type(got).__name__})."
    got = float(got)
    if _close(got, want):
        return None
    if _close(got, beta * max(float(kl.mean()) - free, 0.0)):
        return ("You applied the allowance to the MEAN KL of the batch. Here each loop gets its own free nats: "
                "max(kl - free_bits, 0) for every loop, then the mean.")
    if _close(got, float(np.mean(beta * (kl - free)))):
        return "Loops under the allowance must cost 0, not a negative amount: use max(kl - free_bits, 0) per loop."
    if beta != 1 and _close(got, want / beta):
        return "Multiply by beta (the weight of the KL term) too."
    if _close(got, float(np.mean(beta * np.maximum(kl, 0)))):
        return "Subtract the free nats first: the first free_bits nats of each loop cost nothing."
    if len(kl) > 1 and _close(got, want * len(kl)):
        return "That is the total; the task asks for the MEAN over the loops."
    return "For each loop: beta * max(kl - free_bits, 0); return the mean over the loops."


free_bits_penalty_task = Exercise(
    name="free_bits_penalty",
    describe="free_bits_penalty(kl, free_bits, beta)",
    reference=None,
    cases=[(np.array([50.0, 40.0]), 48.0, 0.2), (np.array([10.0, 20.0, 30.0]), 15.0, 1.0),
           (np.array([5.0]), 8.0, 0.5), (np.array([60.0, 30.0, 100.0, 47.0]), 48.0, 0.2)],
    expected_values=[0.2, 6.666666666666667, 0.0, 3.2],
    compare=_compare_free_bits,
)


def check_free_bits_penalty(func) -> Feedback:
    """Check ``func(kl, free_bits, beta) -> float``: mean over loops of beta * max(kl - free_bits, 0)."""
    return run_exercise(free_bits_penalty_task, func)


TASKS = {e.name: e for e in (nearest_loop_task, longest_notes_task, kl_to_prior_task, free_bits_penalty_task)}
"""The graded tasks of homework 04 by name (visible inputs, expected values and hints only)."""
