"""Checks for homework 03 (the Neural Synthesizer): new tasks that practise the lesson.

Lesson: notebooks/03_neural_synthesizer.ipynb (homework: assignments/source/03_neural_synthesizer)

Homework integrity: this module holds no solution. Each exercise's expected answers are a table
keyed by a hash of the inputs (visible and hidden), computed once from the teacher's reference
functions, which live only in the assignment's source notebook; the hidden inputs themselves are
there too. The hints are keyed to predictable mistakes, judged from the expected answer.

To add or change an input: run the source notebook's solution cell, then add
``_key(name, case): round(answer, 9)`` (a list of those for list answers) to ``_ANSWERS``;
``tests/test_assignments.py`` fails with "no stored answer" for an input that has none.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

from .core import Exercise, Feedback, run_exercise

_ANSWERS = {
    "648d016450f37b31": [1.0, 0.0, 0.0, 0.0],
    "a5e264558eaa57d5": [0.0, 1.0, 0.0, 0.0],
    "e174dcd9c9f13417": [0.25, 0.25, 0.25, 0.25],
    "4d5dc9132a64b45b": [0.1875, 0.0625, 0.5625, 0.1875],
    "405a0ae68d606cf4": [0.0, 0.0, 1.0, 0.0],
    "7f4ae4774c76eb66": [0.0, 0.0, 0.0, 1.0],
    "7b057dfc4213f83d": [0.72, 0.08, 0.18, 0.02],
    "036318b3e0c455c3": [0.14, 0.56, 0.06, 0.24],
    "5f273229630a717f": [0.5, 0.5, 0.0, 0.0],
    "763d39ee8465b68e": [0.04, 0.06, 0.36, 0.54],
    "55e51e08b4951034": [-6.020599913, -20.0],
    "e660424dde9e2b45": [-100.0, -3.010299957],
    "a25710f1029b9912": [-13.979400087, -13.979400087, -13.979400087],
    "709428f803353a91": [-14.355140989, -13.072283681],
    "76eac89bec0f992b": [-0.915149811, -0.915149811],
    "cc35f114fb3ae5a5": [-100.0, -100.0, -100.0],
    "96c897eb07b6482d": [-28.449953184, -29.1533897, -29.43348858, -28.233193307, -30.625682554, -27.564130664],
    "2bb8c5edb01c2957": [-3.010299957, -100.0, -6.020599913, -6.020599913],
    "da9989a35a8965a2": [-1.67690717, -9.311187106, -12.621119296, -3.078694202],
    "ab539d01e648dc4d": 0.666666667,
    "5ed43627ee463b34": 1.0,
    "701ca68a2e029b14": 0.5,
    "af116e13ff78587c": 0.666666667,
    "dfe3e68d67bad337": 0.5,
    "674f13bb7d9094b8": 0.25,
    "3c77ba16a99d90e9": 0.75,
    "36978bec55dc8855": 1.0,
    "9aa166b05156468a": 0.4,
    "bbedd9d8d2ec6524": 0.0,
    "ed445400c57bfd0b": 6.633113105,
    "67354003aa743d8e": 7.85141504,
    "8f9cbef7ca3e33f6": 19.900118361,
    "847270936a73bb3d": 0.0,
    "ece9bb7407bd5f8c": 2.890209779,
    "55735767500d6c32": 8.832903424,
    "70c8cbb4dbb89582": 29.345760289,
    "76c9a602da52c2f8": 10.790280595,
}


def _key(name: str, case) -> str:
    return hashlib.sha256((name + json.dumps(list(case), sort_keys=True)).encode()).hexdigest()[:16]


def _table(name: str):
    def expected(*case):
        key = _key(name, case)
        if key not in _ANSWERS:
            raise KeyError(f"no stored answer for this {name} input: add it with the teacher's reference "
                           "(see the assignment source notebook)")
        return _ANSWERS[key]

    return expected


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


bilinear_exercise = Exercise(
    name="bilinear_weights",
    describe="bilinear_weights(x, y)",
    reference=_table("bilinear_weights"),
    cases=[(0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.25, 0.75)],
    compare=_compare_bilinear,
)


def check_bilinear_weights(func) -> Feedback:
    """Check ``func(x, y) -> [w_bottom_left, w_bottom_right, w_top_left, w_top_right]``."""
    return run_exercise(bilinear_exercise, func)


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
    return "For each block: square the samples, average them, take the square root, then 20 * log10 (floor 1e-5)."


rms_exercise = Exercise(
    name="rms_db_blocks",
    describe="rms_db_blocks(audio, block)",
    reference=_table("rms_db_blocks"),
    cases=[([0.5, -0.5, 0.5, -0.5, 0.1, 0.1, -0.1, -0.1], 4), ([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0], 4),
           ([0.2] * 10, 3),
           ([0.0, 0.143828, 0.252441, 0.299248, 0.272789, 0.179542, 0.042336, -0.105235, -0.227041,
            -0.293259, -0.287677, -0.211662, -0.083825, 0.064536, 0.197096, 0.2814, 0.296807, 0.239546,
            0.123636, -0.022545], 8)],
    compare=_compare_rms,
)


def check_rms_db_blocks(func) -> Feedback:
    """Check ``func(audio, block) -> dB per full block``."""
    return run_exercise(rms_exercise, func)


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


monotone_exercise = Exercise(
    name="monotone_fraction",
    describe="monotone_fraction(curves)",
    reference=_table("monotone_fraction"),
    cases=[([[1, 2, 3], [3, 2, 1], [1, 3, 2]],), ([[100, 200, 300, 400, 500]],),
           ([[1, 1, 2], [5, 4, 3], [2, 3, 4], [9, 8, 9]],),
           ([[1000, 1200, 1500, 1900, 2400], [2400, 1900, 1950, 1200, 1000], [800, 790, 780, 770, 760]],)],
    compare=_compare_monotone,
)


def check_monotone_fraction(func) -> Feedback:
    """Check ``func(curves) -> fraction of curves that move strictly one way``."""
    return run_exercise(monotone_exercise, func)


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


cents_exercise = Exercise(
    name="median_cents_error",
    describe="median_cents_error(f0s_hz, pitch)",
    reference=_table("median_cents_error"),
    cases=[([440.0, 440.0, 442.0], 69), ([261.63, 262.0, 260.0, 263.5], 60), ([NAN, 220.0, 221.0, NAN, 219.0], 57),
           ([130.0, 131.0, 132.0, 129.0, 128.0, 133.0], 48)],
    compare=_compare_cents,
)


def check_median_cents_error(func) -> Feedback:
    """Check ``func(f0s_hz, pitch) -> median |error| in cents``, NaN frames left out."""
    return run_exercise(cents_exercise, func)


EXERCISES = {e.name: e for e in (bilinear_exercise, rms_exercise, monotone_exercise, cents_exercise)}
"""The homework-only exercises of lesson 03 by name."""
