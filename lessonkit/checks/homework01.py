"""Checks for the homework of lesson 01 that the lesson itself has no exercise for.

Lesson: notebooks/01_rules_vs_examples.ipynb (homework: assignments/source/01_rules_vs_examples)

The homework's other tasks use the lesson's own exercises in :mod:`lessonkit.checks.lesson01`.
"""

from __future__ import annotations

import numpy as np

from ..music import HOLD, REST, VOCAB_SIZE, Melody
from .core import Exercise, Feedback, run_exercise

# ----------------------------------------------------------------------------- retrograde (a rule)


def _calls():
    return [Melody.parse("C4 E4 G4 E4"), Melody.parse("D4/2 E4/2 F#4/2 G4/2 A4*2 | G4 r"),
            Melody.parse("G4 F4 E4*2"), Melody.parse("A3 C4/2 E4/2 A4*2", meter="3/4")]


def reference_retrograde(call: Melody) -> Melody:
    """Model solution: the call's pitches in reverse order, on the call's own rhythm."""
    return call.copy(pitches=call.pitches[::-1])


def _compare_retrograde(got, want, case) -> str | None:
    call = case[0]
    if not isinstance(got, Melody):
        return f"Your rule returned a {type(got).__name__}; a rule returns a Melody. Try call.copy(pitches=...)."
    if len(got) != len(call):
        return f"The answer has {len(got)} notes but the call has {len(call)}: keep every note."
    if np.array_equal(got.pitches, want.pitches) and not (
            np.array_equal(got.onsets_steps, call.onsets_steps) and np.array_equal(got.durations_steps,
                                                                                    call.durations_steps)):
        return "The pitches are right but the rhythm changed: keep the call's onset_steps and duration_steps."
    if not (np.array_equal(got.onsets_steps, call.onsets_steps)
            and np.array_equal(got.durations_steps, call.durations_steps)):
        return "The rhythm changed. This rule reverses the pitches only; keep the call's rhythm (call.copy)."
    if np.array_equal(got.pitches, want.pitches):
        return None
    if np.array_equal(got.pitches, call.pitches):
        return "Your answer is the call itself (an echo): reverse the order of the pitches."
    if np.array_equal(got.pitches, 2 * call.pitches[0] - call.pitches):
        return "That is the inversion (upside down). Retrograde plays the pitches back to front: call.pitches[::-1]."
    if np.array_equal(np.sort(got.pitches), np.sort(call.pitches)):
        return "You used the right pitches in the wrong order: the last pitch comes first, the first comes last."
    return "Take the call's pitches from the last to the first (call.pitches[::-1]) and keep its rhythm."


retrograde_exercise = Exercise(
    name="retrograde",
    describe="retrograde(call)",
    reference=reference_retrograde,
    cases=[(c,) for c in _calls()],
    compare=_compare_retrograde,
)


def check_retrograde(func) -> Feedback:
    """Check a rule ``func(call) -> Melody``: the call's pitches back to front, on the call's rhythm."""
    return run_exercise(retrograde_exercise, func)


# ----------------------------------------------------------------------------- greedy answer (examples)


def _table():
    counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.int64)
    counts[60, HOLD], counts[60, 62] = 5, 3
    counts[HOLD, HOLD], counts[HOLD, 64], counts[HOLD, 62] = 2, 4, 4
    counts[62, HOLD], counts[62, 60] = 1, 6
    counts[64, 67], counts[64, HOLD] = 7, 7
    counts[67, REST] = 2
    counts[REST, 60] = 1
    return counts


def reference_greedy_answer(counts, start_token: int, n_steps: int) -> list:
    """Model solution: from ``start_token``, ``n_steps`` times take the most likely next token.

    Ties go to the smallest token number (what ``np.argmax`` does); a token never followed
    by anything in the table is followed by REST.
    """
    counts = np.asarray(counts)
    token, out = int(start_token), []
    for _ in range(int(n_steps)):
        row = counts[token]
        token = int(np.argmax(row)) if row.sum() > 0 else REST
        out.append(token)
    return out


def _compare_greedy(got, want, case) -> str | None:
    counts, start, n = case
    if isinstance(got, np.ndarray):
        got = got.tolist()
    if not isinstance(got, (list, tuple)):
        return "Return a list of token numbers, one per step."
    got = list(got)
    if any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) for x in got):
        return "Each step should be a whole token number (use int(np.argmax(row)))."
    got = [int(x) for x in got]
    if got == want:
        return None
    if len(got) == n + 1 and got[1:] == want:
        return "Leave out the start token: return only the n_steps tokens that come after it."
    if len(got) != n:
        return f"Return exactly n_steps = {n} tokens (you returned {len(got)})."
    if got == reference_greedy_answer(np.asarray(counts).T, start, n):
        return "You followed the columns (what came BEFORE). The next token is in the row: counts[token]."
    if got and all(t == got[0] for t in got) and want[0] != want[-1]:
        return "Every step is the same token: after choosing a token, look up the row of THAT token for the next step."
    return ("At each step take row = counts[token], choose int(np.argmax(row)) (REST if the row is all zeros), "
            "and continue from the token you chose.")


greedy_answer_exercise = Exercise(
    name="greedy_answer",
    describe="greedy_answer(counts, start_token, n_steps)",
    reference=reference_greedy_answer,
    cases=[(_table(), 60, 6), (_table(), 62, 4), (_table(), 67, 5), (_table(), HOLD, 3)],
    compare=_compare_greedy,
)


def check_greedy_answer(func) -> Feedback:
    """Check ``func(counts, start_token, n_steps) -> list``: the bigram model answering with its favourite moves."""
    return run_exercise(greedy_answer_exercise, func)


EXERCISES = {e.name: e for e in (retrograde_exercise, greedy_answer_exercise)}
"""The homework-only exercises of lesson 01 by name."""
