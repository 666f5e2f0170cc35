"""Checks for the homework of lesson 00 that the lesson itself has no exercise for.

Lesson: notebooks/00_music_as_data.ipynb (homework: assignments/source/00_music_as_data)

The homework's other tasks use the lesson's own exercises in :mod:`lessonkit.checks.lesson00`,
so a check a student ran in class is the same check the homework is graded with.
"""

from __future__ import annotations

import math

import numpy as np

from ..music import REST, Melody
from .core import Exercise, Feedback, run_exercise


def _melodies():
    return [Melody.parse("C4 C4 G4 G4 A4 A4 G4*2"),
            Melody.parse("E4/2 r/2 E4/2 r/2 E4 r | C4/2 E4 G4*2 r/2"),
            Melody.parse("r*2 D4/2 | G4 B4/2 A4 G4/2 | F#4/2 G4/2 A4/2 D4*2 r/2", meter="6/8"),
            Melody.parse("A3*4 | r*3 A3")]


# ----------------------------------------------------------------------------- sounding fraction


def reference_sounding_fraction(melody: Melody) -> float:
    """Model solution: the share of steps that are not REST tokens (a note starts or holds)."""
    tokens = melody.to_tokens()
    return float(np.count_nonzero(tokens != REST) / len(tokens))


def _compare_sounding_fraction(got, want, case) -> str | None:
    melody = case[0]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.integer, np.floating)):
        return f"Return one number between 0 and 1 (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
        return None
    n_steps = melody.length_steps
    sounding = want * n_steps
    if len(melody) and math.isclose(got, sounding / len(melody)):
        return "Divide by the number of steps, not by the number of notes."
    if got > 1.0:
        if math.isclose(got, sounding):
            return "You counted the sounding steps; now divide by the number of steps to get a fraction."
        return "A fraction lies between 0 and 1: divide by the number of steps (len(melody.to_tokens()))."
    if math.isclose(got, 1.0 - want, abs_tol=1e-12):
        return "You measured the silence. Count the steps that are not REST."
    if math.isclose(got, len(melody) / n_steps):
        return "You counted only the steps where a note starts. A HOLD step sounds too: only REST is silent."
    return "Look at melody.to_tokens(): count the tokens that are not REST, then divide by how many tokens there are."


sounding_fraction_exercise = Exercise(
    name="sounding_fraction",
    describe="sounding_fraction(melody)",
    reference=reference_sounding_fraction,
    cases=[(m,) for m in _melodies()],
    compare=_compare_sounding_fraction,
)


def check_sounding_fraction(func) -> Feedback:
    """Check ``func(melody) -> float``: the share of the melody's steps on which a note sounds."""
    return run_exercise(sounding_fraction_exercise, func)


EXERCISES = {e.name: e for e in (sounding_fraction_exercise,)}
"""The homework-only exercises of lesson 00 by name."""
