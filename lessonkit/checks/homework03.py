"""Checks for the graded tasks of homework 03 (the Neural Synthesizer): what the visible check needs, no solution.

Lesson: notebooks/03_neural_synthesizer.ipynb (homework: assignments/source/03_neural_synthesizer)

Each task practises an idea of lesson 03 on something the lesson did not solve. This module
ships to every student, so it holds only what the in-class check needs: the visible inputs,
their expected answers (``expected_values``) and the hint logic, which judges a wrong answer
against the expected one. The reference solutions and the hidden inputs live with the teacher,
in the hidden-test regions of the assignment's source notebook, which ``make release`` strips
(see docs/teacher-guide.md, "Writing an assignment").
"""

from __future__ import annotations

import math

import numpy as np

from .core import Exercise, Feedback, run_exercise


def _numbers(got, n=None):
    values = np.asarray(got, dtype=float).reshape(-1)
    if n is not None and values.size != n:
        raise ValueError
    return values


# ----------------------------------------------------------------------------- the pad's weights


def _compare_bilinear(got, want, case) -> str | None:
    try:
        got = _numbers(got, 4)
    except (TypeError, ValueError):
        return "Return four numbers: the weights of bottom-left, bottom-right, top-left, top-right (in that order)."
    want = np.asarray(want)
    if np.allclose(got, want, atol=1e-9):
        return None
    if not math.isclose(got.sum(), 1.0, abs_tol=1e-9):
        return "The four weights must add up to 1 (the four corners share the whole sound)."
    if np.allclose(got, want[[0, 2, 1, 3]], atol=1e-9):
        return "x and y are swapped: x goes right (towards bottom-right), y goes up (towards top-left)."
    if np.allclose(sorted(got), sorted(want), atol=1e-9):
        return "Right numbers, wrong order: bottom-left, bottom-right, top-left, top-right."
    return "Each corner's weight is (how close in x) times (how close in y); for bottom-left that is (1 - x) * (1 - y)."


bilinear_weights_task = Exercise(
    name="bilinear_weights",
    describe="bilinear_weights(x, y)",
    reference=None,
    cases=[(0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.25, 0.75)],
    expected_values=[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25],
                     [0.1875, 0.0625, 0.5625, 0.1875]],
    compare=_compare_bilinear,
)


def check_bilinear_weights(func) -> Feedback:
    """Check ``func(x, y) -> [w_bottom_left, w_bottom_right, w_top_left, w_top_right]``."""
    return run_exercise(bilinear_weights_task, func)


# ----------------------------------------------------------------------------- loudness curve


def _compare_rms(got, want, case) -> str | None:
    audio, block = case
    try:
        got = _numbers(got)
    except (TypeError, ValueError):
        return "Return one number (in dB) per block, as a list or a numpy array."
    want = np.asarray(want)
    if got.size == want.size + 1:
        return f"You kept the last, incomplete block: {len(audio)} samples make only {len(audio) // block} full blocks of {block}."
    if got.size != want.size:
        return f"{len(audio)} samples in blocks of {block} make {want.size} full blocks: one number per block."
    if np.any(~np.isfinite(got)):
        return "A silent block gives log10(0) = -inf: floor the RMS at 1e-5 first, so silence reads -100 dB."
    if np.allclose(got, want, atol=1e-6):
        return None
    if np.allclose(got, want / 2, atol=1e-6):
        return "RMS is an amplitude, so decibels are 20 * log10(rms), not 10 * log10."
    if np.all(got >= want - 1e-6):
        return "Too loud somewhere: square the samples, take the mean, THEN the square root (root-mean-square)."
    if np.all(got <= want + 1e-6):
        return ("Too quiet somewhere: the mean of the sizes (abs) or of the squares is not the RMS; square the samples, "
                "take the mean, then the square root.")
    return "For each block: square the samples, average them, take the square root, then 20 * log10 (floor 1e-5)."


rms_db_blocks_task = Exercise(
    name="rms_db_blocks",
    describe="rms_db_blocks(audio, block)",
    reference=None,
    cases=[([0.5, -0.5, 0.5, -0.5, 0.1, 0.1, -0.1, -0.1], 4), ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0], 4),
           ([0.2] * 10, 3),
           ([0.0, 0.143828, 0.252441, 0.299248, 0.272789, 0.179542, 0.042336, -0.105235, -0.227041,
            -0.293259, -0.287677, -0.211662, -0.083825, 0.064536, 0.197096, 0.2814, 0.296807, 0.239546,
            0.123636, -0.022545], 8)],
    expected_values=[[-6.020599913279624, -20.0], [-100.0, -3.0102999566398116], [-13.979400086720375] * 3,
                     [-14.355140988564916, -13.072283681090989]],
    compare=_compare_rms,
)


def check_rms_db_blocks(func) -> Feedback:
    """Check ``func(audio, block) -> dB per full block``."""
    return run_exercise(rms_db_blocks_task, func)


# ----------------------------------------------------------------------------- smooth morphs


def _compare_monotone(got, want, case) -> str | None:
    curves = case[0]
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the fraction of curves (0 to 1)."
    if math.isclose(got, want, abs_tol=1e-6):
        return None
    if math.isclose(got, want * len(curves), abs_tol=1e-6) and len(curves) > 1:
        return "That is how many curves; divide by the number of curves for the fraction."
    if got < want:
        return "A curve that goes DOWN all the way is smooth too: count strictly rising and strictly falling curves."
    return "Strictly means every step moves the same way: two equal neighbours (a flat step) do not count."


monotone_fraction_task = Exercise(
    name="monotone_fraction",
    describe="monotone_fraction(curves)",
    reference=None,
    cases=[([[1, 2, 3], [3, 2, 1], [1, 3, 2]],), ([[100, 200, 300, 400, 500]],),
           ([[1, 1, 2], [5, 4, 3], [2, 3, 4], [9, 8, 9]],),
           ([[1000, 1200, 1500, 1900, 2400], [2400, 1900, 1950, 1200, 1000], [800, 790, 780, 770, 760]],)],
    expected_values=[2 / 3, 1.0, 0.5, 2 / 3],
    compare=_compare_monotone,
)


def check_monotone_fraction(func) -> Feedback:
    """Check ``func(curves) -> fraction of curves that move strictly one way``."""
    return run_exercise(monotone_fraction_task, func)


# ----------------------------------------------------------------------------- in tune?

NAN = float("nan")


def _compare_cents(got, want, case) -> str | None:
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the median error in cents."
    if math.isnan(got):
        return ("You got nan: YIN marks frames without a clear pitch as nan. Leave them out first "
                "(f0s = f0s[np.isfinite(f0s)]).")
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6):
        return None
    if want and math.isclose(got, want / 100, rel_tol=1e-6):
        return "That is in semitones: a cent is 1/100 of a semitone, so there are 1200 cents in an octave."
    if got < want - 1e-6:
        return ("Too small: a flat frame and a sharp frame should not cancel out. Take the size of each error "
                "(np.abs) before the median.")
    return ("For each frame: 1200 * log2(f0 / f_pitch), with f_pitch = 440 * 2 ** ((pitch - 69) / 12); "
            "then the median of their sizes (np.median, not the mean).")


median_cents_error_task = Exercise(
    name="median_cents_error",
    describe="median_cents_error(f0s_hz, pitch)",
    reference=None,
    cases=[([440.0, 440.0, 442.0], 69), ([261.63, 262.0, 260.0, 263.5], 60), ([NAN, 220.0, 221.0, NAN, 219.0], 57),
           ([130.0, 131.0, 132.0, 129.0, 128.0, 133.0], 48)],
    expected_values=[0.0, 6.6331131053975145, 7.851415040126504, 19.900118361119652],
    compare=_compare_cents,
)


def check_median_cents_error(func) -> Feedback:
    """Check ``func(f0s_hz, pitch) -> median |error| in cents``, NaN frames left out."""
    return run_exercise(median_cents_error_task, func)


TASKS = {e.name: e for e in (bilinear_weights_task, rms_db_blocks_task, monotone_fraction_task,
                             median_cents_error_task)}
"""The graded tasks of homework 03 by name (visible inputs, expected values and hints only)."""
