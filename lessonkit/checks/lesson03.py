"""Checks for the exercises of lesson 03, the Neural Synthesizer.

Lesson: notebooks/03_neural_synthesizer.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise`; each ``check_*`` function is
what a student calls in the lesson.
"""

from __future__ import annotations

import math

import numpy as np

from .core import Exercise, Feedback, check_value, run_exercise

# ----------------------------------------------------------------------------- compression ratio


class CodeLike:
    """A stand-in for a NoteCode in the checks: ``timbre`` and ``loudness_db`` arrays and a ``pitch``."""

    def __init__(self, code_size: int, n_frames: int = 94, pitch: float = 60.0):
        self.timbre = np.zeros(code_size, dtype=np.float32)
        self.loudness_db = np.full(n_frames, -30.0, dtype=np.float32)
        self.pitch = pitch

    def __repr__(self):
        return f"NoteCode(<{self.timbre.size} timbre numbers>, <{self.loudness_db.size} loudness numbers>, pitch)"


def reference_compression_ratio(n_samples, code) -> float:
    """Model solution: samples in, divided by every number the decoder needs (timbre, loudness, pitch)."""
    return n_samples / (len(code.timbre) + len(code.loudness_db) + 1)


def _compare_ratio(got, want, case) -> str | None:
    n_samples, code = case
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: how many times fewer numbers the code holds than the sound."
    if math.isclose(got, want, rel_tol=1e-6):
        return None
    k, t = len(code.timbre), len(code.loudness_db)
    if math.isclose(got, 1 / want, rel_tol=1e-6):
        return "Upside down: the ratio is big (many samples per code number), so the samples go on top."
    if math.isclose(got, n_samples / k, rel_tol=1e-6):
        return ("You counted only the timbre code. The decoder also needs the loudness curve (one number per "
                "frame) and the pitch: count those numbers too, or the comparison flatters the model.")
    if math.isclose(got, n_samples / (k + t), rel_tol=1e-6):
        return "Almost: the decoder also needs to know the pitch, which is one more number."
    if math.isclose(got, n_samples // (k + t + 1), rel_tol=1e-6):
        return "Use / (true division), not // (which drops the fraction)."
    if math.isclose(got, n_samples - (k + t + 1), rel_tol=1e-6):
        return "A ratio divides: how many times fewer numbers, not how many fewer."
    return "Count the numbers in the code (timbre + loudness curve + pitch), then divide the samples by that."


compression_ratio_exercise = Exercise(
    name="compression_ratio",
    describe="compression_ratio(n_samples, code)",
    reference=reference_compression_ratio,
    cases=[(24000, CodeLike(16)), (24000, CodeLike(2)), (16000, CodeLike(8, 63)), (48000, CodeLike(4, 188))],
    compare=_compare_ratio,
    error_hints=[("has no len()", "code.timbre and code.loudness_db are arrays: len(...) or .size counts their "
                                  "numbers; the pitch is a single number.")],
)


def check_compression_ratio(func) -> Feedback:
    """Check ``func(n_samples, code) -> float``: samples per number of the code."""
    return run_exercise(compression_ratio_exercise, func)


# ----------------------------------------------------------------------------- halfway alpha


def _crossing(alphas, centroids, target) -> float:
    """The alpha where the centroid first reaches ``target``, along straight lines between measurements."""
    a = np.asarray(alphas, dtype=float)
    c = np.asarray(centroids, dtype=float)
    for i in range(len(c) - 1):
        lo, hi = c[i] - target, c[i + 1] - target
        if lo == 0:
            return float(a[i])
        if lo * hi < 0:
            return float(a[i] + (a[i + 1] - a[i]) * (target - c[i]) / (c[i + 1] - c[i]))
    return float(a[-1])


def reference_halfway_alpha(alphas, centroids) -> float:
    """Model solution: the alpha where the centroid crosses the middle of its two ends, by a straight
    line between the two measured alphas on either side."""
    c = np.asarray(centroids, dtype=float)
    return _crossing(alphas, c, (c[0] + c[-1]) / 2)


def _compare_halfway(got, want, case) -> str | None:
    alphas, centroids = (np.asarray(x, dtype=float) for x in case)
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: an alpha between 0 and 1."
    if math.isclose(got, want, abs_tol=1e-6):
        return None
    target = (centroids[0] + centroids[-1]) / 2
    if math.isclose(got, target, rel_tol=1e-6) or got > 1.5:
        return "That looks like a brightness in Hz. Return the alpha where the brightness reaches it."
    if math.isclose(got, _crossing(alphas, centroids, centroids.mean()), abs_tol=1e-6) and \
            not math.isclose(centroids.mean(), target):
        return "Halfway means the middle of the two ENDS (alpha 0 and alpha 1), not the mean of all the values."
    nearest = float(alphas[np.argmin(np.abs(centroids - target))])
    if math.isclose(got, nearest, abs_tol=1e-6):
        return ("Close: that is the measured alpha nearest to halfway. Draw a straight line between the two "
                "measurements either side of the halfway value and read off where it crosses.")
    if math.isclose(got, 0.5, abs_tol=1e-6):
        return "Halfway in alpha is not always halfway in brightness: find where the brightness is in the middle."
    return ("First find the halfway brightness: (first + last) / 2. Then find the two neighbouring alphas whose "
            "brightness lies either side of it, and interpolate between them.")


halfway_alpha_exercise = Exercise(
    name="halfway_alpha",
    describe="halfway_alpha(alphas, centroids)",
    reference=reference_halfway_alpha,
    cases=[([0, 0.25, 0.5, 0.75, 1], [1000, 1100, 1200, 1300, 1400]),
           ([0, 0.25, 0.5, 0.75, 1], [800, 1500, 1900, 2000, 2100]),
           ([0, 0.25, 0.5, 0.75, 1], [3000, 2950, 2800, 1500, 1000]),
           ([0, 0.5, 1], [500, 900, 1100])],
    compare=_compare_halfway,
)


def check_halfway_alpha(func) -> Feedback:
    """Check ``func(alphas, centroids) -> float``: where the morph is halfway in brightness."""
    return run_exercise(halfway_alpha_exercise, func)


# ----------------------------------------------------------------------------- crossfade vs morph

CROSSFADE_CHOICES = {
    "a": "The crossfade adds the two recordings: both sets of harmonics are there at once, each with its own "
         "attack and decay, so the ear hears two instruments.",
    "b": "The crossfade is quieter, so the ear cannot tell the instruments apart.",
    "c": "The crossfade is made by a neural network that mixes the two timbres into one.",
    "d": "The crossfade changes the pitch halfway between the two notes.",
}
"""Statements for :func:`check_crossfade_answer`."""

_CROSSFADE_HINTS = {
    "b": "Look at the waveform: it is not much quieter. What is in its spectrogram that a single instrument's lacks?",
    "c": "No network is involved in a crossfade: it is (1 - alpha) * a + alpha * b, sample by sample.",
    "d": "Both notes have the same pitch here; adding two recordings does not move a pitch. Compare the spectrograms.",
}


def check_crossfade_answer(choice: str) -> Feedback:
    """Check the answer (a letter of :data:`CROSSFADE_CHOICES`) to "why does a crossfade sound like two instruments?"."""
    letter = str(choice).strip().lower()
    if letter not in CROSSFADE_CHOICES:
        return Feedback(False, f"{choice!r} is not one of the choices.",
                        f"Answer with one letter: {', '.join(CROSSFADE_CHOICES)}.", 0, 1)
    return check_value(letter, "a", what="Your explanation", hint=_CROSSFADE_HINTS.get(letter, ""))


EXERCISES = {e.name: e for e in (compression_ratio_exercise, halfway_alpha_exercise)}
"""Every function exercise of lesson 03 by name."""
