"""Checks for the graded tasks of homework 05 (AI as a musical assistant): what the visible check needs, no solution.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb (homework: assignments/source/05_ai_as_musical_assistant)

Each task practises an idea of lesson 05 on something the lesson did not solve. This module ships
to every student, so it holds only the visible inputs, their expected answers and the hint logic;
the reference solutions and the hidden inputs live in the hidden-test regions of the assignment's
source notebook (``make release`` strips them), which pass the teacher's reference to
:func:`lessonkit.homework.hidden_check`; the grader grades on those hidden inputs only.
"""

from __future__ import annotations

import math

import numpy as np

from .core import Exercise, Feedback, run_exercise


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


# ----------------------------------------------------------------------------- task 1: n-grams found


CORPUS = [[60, 62, 64, 65, 67, 69, 71, 72], [67, 67, 69, 67, 72, 71], [62, 66, 69, 74, 69, 66, 62]]
"""A tiny corpus of three tunes (MIDI pitches) for the visible checks."""

_NGRAM_CASES = [
    ([60, 62, 64, 65, 67, 60], CORPUS, 2),
    ([65, 67, 69, 70, 60, 62], CORPUS, 3),
    ([50, 51, 53, 50, 58], CORPUS, 2),
    ([70, 70, 72, 70, 75, 74], CORPUS, 3),
]
_NGRAM_EXPECTED = [0.75, 1 / 3, 1 / 3, 1.0]


def _ngrams(pitches, n):
    iv = [b - a for a, b in zip(pitches, pitches[1:])]
    return [tuple(iv[i:i + n]) for i in range(len(iv) - n + 1)]


def _compare_fraction(got, want, case) -> str | None:
    melody, corpus, n = case
    if not _is_number(got):
        return f"Return one number between 0 and 1 (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, abs_tol=1e-9):
        return None
    grams = _ngrams(melody, n)
    pitch_grams = [tuple(melody[i:i + n]) for i in range(len(melody) - n + 1)]
    corpus_pitch = {tuple(t[i:i + n]) for t in corpus for i in range(len(t) - n + 1)}
    if pitch_grams and math.isclose(got, sum(g in corpus_pitch for g in pitch_grams) / len(pitch_grams), abs_tol=1e-9):
        return ("You compared runs of pitches, so a copy in another key is missed. Cut the melody and the tunes "
                "into runs of n INTERVALS (steps between notes).")
    if grams and math.isclose(got * len(grams), round(got * len(grams))) and got > 1:
        return "That is a count; divide by the number of the melody's n-grams for the share."
    if got > 1 or got < 0:
        return "A share is between 0 and 1: found n-grams divided by all of the melody's n-grams."
    if math.isclose(got, 1.0 - want, abs_tol=1e-9):
        return "That is the share NOT found; the task asks for the share found in the corpus."
    return ("For each run of n consecutive intervals of the melody, look for the same run anywhere in any corpus "
            "tune's intervals; return how many were found divided by how many the melody has.")


ngram_fraction_task = Exercise(
    name="ngram_fraction",
    describe="ngram_fraction(melody, corpus, n)",
    reference=None,
    cases=[tuple(c) for c in _NGRAM_CASES],
    expected_values=list(_NGRAM_EXPECTED),
    compare=_compare_fraction,
    error_hints=[("division by zero", "A melody with fewer than n + 1 notes has no n-grams: return 0.0 for it.")],
)


def check_ngram_fraction(func) -> Feedback:
    """Check ``func(melody, corpus, n) -> float``: share of the melody's interval n-grams found in the corpus."""
    return run_exercise(ngram_fraction_task, func)


# ----------------------------------------------------------------------------- task 2: which notes were copied


_MASK_CASES = [
    ([50, 60, 62, 64, 65, 40], CORPUS, 3),
    ([72, 72, 74, 72, 77, 76, 30], CORPUS, 4),
    ([60, 61, 60, 61], CORPUS, 2),
    ([55, 57, 59, 60, 62, 64, 66, 67], CORPUS, 3),
]
_MASK_EXPECTED = [
    [False, True, True, True, True, False],
    [True, True, True, True, True, True, False],
    [False, False, False, False],
    [True, True, True, True, True, True, True, True],
]


def _compare_mask(got, want, case) -> str | None:
    melody, corpus, n = case
    try:
        got = [bool(x) for x in got]
    except TypeError:
        return "Return a list of True/False, one per NOTE of the melody."
    if len(got) == len(melody) - 1:
        return ("Your list has one entry per interval; the task asks for one per NOTE (a run of n intervals covers "
                "n + 1 notes).")
    if len(got) != len(melody):
        return f"Return one True/False per note: {len(melody)} for this melody, not {len(got)}."
    if got == want:
        return None
    if sum(got) < sum(want) and all(w or not g for g, w in zip(got, want)):
        return ("Some copied notes are missing. A run of n intervals starting at interval i covers notes i to "
                "i + n (n + 1 notes): mark all of them, also the last.")
    return ("Mark every note that belongs to at least one run of n consecutive intervals found in some corpus tune; "
            "the other notes stay False.")


copied_notes_task = Exercise(
    name="copied_notes",
    describe="copied_notes(melody, corpus, n)",
    reference=None,
    cases=[tuple(c) for c in _MASK_CASES],
    expected_values=list(_MASK_EXPECTED),
    compare=_compare_mask,
)


def check_copied_notes(func) -> Feedback:
    """Check ``func(melody, corpus, n) -> list of bool``: which notes belong to a copied run of n intervals."""
    return run_exercise(copied_notes_task, func)


# ----------------------------------------------------------------------------- task 3: how often did the AI fool us


_FOOL_CASES = [
    (["human", "AI", "human", "AI"], ["AI", "AI", "human", "human"]),
    (["AI", "AI", "AI"], ["AI", "human", "AI"]),
    ([None, "human", "AI", "human", None], ["AI", "AI", "AI", "human", "human"]),
    (["human", "human"], ["human", "human"]),
]
_FOOL_EXPECTED = [0.5, 0.0, 1 / 3, 0.0]


def _compare_fooled(got, want, case) -> str | None:
    answers, truths = case
    if not _is_number(got):
        return f"Return one number between 0 and 1 (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, abs_tol=1e-9):
        return None
    ai = [a for a, t in zip(answers, truths) if t == "AI"]
    if ai and math.isclose(got, sum(a == "human" for a in ai) / len(answers), abs_tol=1e-9):
        return "Divide by the number of AI clips, not by all clips: the share of the AI's clips that fooled you."
    answered = [a for a in ai if a is not None]
    if answered and math.isclose(got, sum(a == "human" for a in answered) / len(answered), abs_tol=1e-9):
        return "A clip you did not answer did not fool you, but it is still an AI clip: keep it in the count."
    if ai and math.isclose(got, sum(a == "AI" for a in ai) / len(ai), abs_tol=1e-9):
        return "That is the share you got RIGHT; fooled means an AI clip answered 'human'."
    if not ai and got == 0:
        return None
    return "Among the clips whose truth is 'AI', the share you answered 'human' (0 when there are no AI clips)."


fooled_share_task = Exercise(
    name="fooled_share",
    describe="fooled_share(answers, truths)",
    reference=None,
    cases=[tuple(c) for c in _FOOL_CASES],
    expected_values=list(_FOOL_EXPECTED),
    compare=_compare_fooled,
    error_hints=[("division by zero", "With no AI clips nobody was fooled: return 0.0 then.")],
)


def check_fooled_share(func) -> Feedback:
    """Check ``func(answers, truths) -> float``: the share of the AI's clips that were answered "human"."""
    return run_exercise(fooled_share_task, func)


# ----------------------------------------------------------------------------- task 4: which collection does it sound like


COLLECTION_PROFILES = {
    "O'Neill (Irish dances)": {"notes_per_bar": 6.1, "short_note_share": 0.83, "repeat_share": 0.10},
    "German songs": {"notes_per_bar": 3.7, "short_note_share": 0.52, "repeat_share": 0.21},
    "Scottish airs": {"notes_per_bar": 5.0, "short_note_share": 0.60, "repeat_share": 0.12},
}
"""Style profiles (rounded, from ``values.style_profile`` of test tunes) for the visible checks of task 4."""

_STYLE_CASES = [
    ({"notes_per_bar": 4.8, "short_note_share": 0.46, "repeat_share": 0.11}, COLLECTION_PROFILES),
    ({"notes_per_bar": 3.9, "short_note_share": 0.31, "repeat_share": 0.17}, COLLECTION_PROFILES),
    ({"notes_per_bar": 6.5, "short_note_share": 0.9, "repeat_share": 0.08}, COLLECTION_PROFILES),
    ({"a": 2.0, "b": 100.0}, {"x": {"a": 1.0, "b": 100.0}, "y": {"a": 2.0, "b": 90.0}}),
]
_STYLE_EXPECTED = ["Scottish airs", "German songs", "O'Neill (Irish dances)", "y"]


def _compare_style(got, want, case) -> str | None:
    profile, profiles = case
    if not isinstance(got, str):
        return f"Return the NAME of the closest collection (a key of profiles), not a {type(got).__name__}."
    if got == want:
        return None
    if got not in profiles:
        return f"{got!r} is not one of the collections; return one of the keys of profiles."
    absolute = min(profiles, key=lambda n: sum(abs(profile[k] - profiles[n][k]) for k in profiles[n]))
    farthest = max(profiles, key=lambda n: sum(abs(profile[k] - profiles[n][k]) / abs(profiles[n][k])
                                               for k in profiles[n]))
    if got == absolute:
        return ("Divide each difference by the collection's own value first: a difference of 1 note a bar and "
                "of 0.1 in a share are not the same size otherwise.")
    if got == farthest:
        return "You returned the farthest collection; keep the one with the SMALLEST distance."
    return ("For each collection add up |profile[k] - other[k]| / |other[k]| over its keys, and return the name "
            "with the smallest sum.")


closest_style_task = Exercise(
    name="closest_style",
    describe="closest_style(profile, profiles)",
    reference=None,
    cases=[tuple(c) for c in _STYLE_CASES],
    expected_values=list(_STYLE_EXPECTED),
    compare=_compare_style,
)


def check_closest_style(func) -> Feedback:
    """Check ``func(profile, profiles) -> str``: the collection whose style profile is nearest (relative differences)."""
    return run_exercise(closest_style_task, func)


TASKS = {t.name: t for t in (ngram_fraction_task, copied_notes_task, fooled_share_task, closest_style_task)}
"""The graded tasks of homework 05 by name."""
EXERCISES = TASKS
