"""Checks for the exercises of lesson 01, rules vs. examples.

Lesson: notebooks/01_rules_vs_examples.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise` (used by the homework
grader too); each ``check_*`` function is what a student calls in the lesson.
"""

from __future__ import annotations

import numpy as np

from ..music import HOLD, REST, VOCAB_SIZE, Melody, note_name
from .core import Exercise, Feedback, run_exercise


def _calls():
    return [Melody.parse("C4 E4 G4 E4"), Melody.parse("D4/2 E4/2 F#4/2 G4/2 A4*2 | G4 r"),
            Melody.parse("G4 F4 E4 D4 | C4*4"), Melody.parse("A3 C4/2 E4/2 A4*2", meter="3/4")]


# ----------------------------------------------------------------------------- invert


def reference_invert(call: Melody) -> Melody:
    """Model solution: mirror every pitch around the first one, keep the rhythm."""
    first = int(call.pitches[0])
    return call.copy(pitches=2 * first - call.pitches)


def _compare_melody_rule(got, want, case) -> str | None:
    call = case[0]
    if not isinstance(got, Melody):
        return (f"Your rule returned a {type(got).__name__}; a rule returns a Melody. "
                "Try call.copy(pitches=new_pitches).")
    if len(got) != len(call):
        return f"The answer has {len(got)} notes but the call has {len(call)}: keep every note, change only its pitch."
    if not (np.array_equal(got.onsets_steps, call.onsets_steps)
            and np.array_equal(got.durations_steps, call.durations_steps)):
        return "The rhythm changed. This rule changes pitches only: keep onset_steps and duration_steps."
    if np.array_equal(got.pitches, call.pitches):
        return "Your answer is the call itself (an echo). Change the pitches."
    if np.array_equal(got.pitches, want.pitches):
        return None
    first = int(call.pitches[0])
    got_p = np.asarray(got.pitches, dtype=int)
    if np.array_equal(got_p, call.pitches[::-1]):
        return "That plays the pitches backwards (retrograde). Inversion turns each step up into a step down."
    if np.array_equal(got_p - first, -(call.pitches - first)[::-1]):
        return "The intervals are flipped but in reverse order: keep the notes in their order."
    if np.array_equal(got_p, first - call.pitches) or np.array_equal(got_p, call.pitches - first):
        return ("Those numbers are each note's distance from the first note, not pitches. Now go that same "
                "distance from the first note, the other way.")
    centres = got_p + call.pitches
    if np.all(centres == centres[0]) and centres[0] % 2 == 0:
        centre = int(centres[0]) // 2
        where = [i for i, p in enumerate(call.pitches) if p == centre]
        if where:
            places = " and ".join(_ordinal(i, len(call)) for i in where)
            whose = f"the pitch of the call's {places} note" + ("s" if len(where) > 1 else "")
        else:
            whose = "a pitch that is not the call's first note"
        return (f"You mirrored around {note_name(centre)} ({centre}), {whose}. Mirror around the FIRST note, "
                f"{note_name(first)} ({first}): call.pitches[0].")
    return ("Work out how far each note is above or below the first note, then put the new note the same "
            "distance on the OTHER side of the first note.")


def _ordinal(i: int, n: int) -> str:
    word = {0: "1st", 1: "2nd", 2: "3rd"}.get(i, f"{i + 1}th")
    return word + (" (last)" if i == n - 1 and n > 1 else "")


invert_exercise = Exercise(
    name="invert",
    describe="invert(call)",
    reference=reference_invert,
    cases=[(c,) for c in _calls()],
    compare=_compare_melody_rule,
    error_hints=[("outside MIDI's range",
                  "A pitch went below 0 or above 127. If you computed first - pitch, that is each note's "
                  "distance from the first note, not a pitch: go that distance from the first note, the other "
                  "way.")],
)


def check_invert(func) -> Feedback:
    """Check a rule ``func(call) -> Melody`` that turns the call upside down around its first note."""
    return run_exercise(invert_exercise, func)


# ----------------------------------------------------------------------------- bigram table


def _tunes():
    return [Melody.parse("C4 D4 E4 C4"), Melody.parse("E4/2 F4/2 G4 r G4/4 r/4 G4/2"),
            Melody.parse("G4*2 C4*2", meter="3/4")]


def reference_bigram_counts(tunes) -> np.ndarray:
    """Model solution: ``counts[a, b]`` = times token ``b`` came right after token ``a``, within each tune."""
    counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.int64)
    for tune in tunes:
        tokens = tune.to_tokens()
        for a, b in zip(tokens[:-1], tokens[1:]):
            counts[a, b] += 1
    return counts


def _compare_counts(got, want, case) -> str | None:
    tunes = case[0]
    got = np.asarray(got)
    if got.shape != (VOCAB_SIZE, VOCAB_SIZE):
        return (f"The table should have shape (130, 130), one row and one column per token; yours is {got.shape}. "
                "Start from np.zeros((130, 130), dtype=int).")
    if np.array_equal(got, want):
        return None
    if np.array_equal(got, want.T):
        return "Rows and columns are swapped: counts[a, b] counts b coming right AFTER a."
    steps = sum(t.length_steps for t in tunes)
    if got.sum() == steps - 1:
        return ("You joined the tunes into one long sequence, so the end of one tune 'leads to' the start of "
                "the next. Count pairs within each tune only.")
    if got.sum() == steps:
        return "You counted one pair too many per tune: a tune of n steps has n - 1 neighbouring pairs."
    if got.sum() == sum(len(t) - 1 for t in tunes):
        return ("You counted pairs of notes, but the table is over step tokens: use tune.to_tokens(), so HOLD "
                f"({HOLD}) and REST ({REST}) count as well: they are the timing.")
    if np.array_equal(got, (want > 0).astype(got.dtype)):
        return ("Every pair that appears has count 1: you set counts[a, b] to 1. Count EVERY time a pair "
                "appears: add 1 to what is already there.")
    return "Walk through tune.to_tokens() of each tune and add 1 to counts[a, b] for each neighbouring pair (a, b)."


bigram_exercise = Exercise(
    name="bigram_counts",
    describe="bigram_counts(tunes)",
    reference=reference_bigram_counts,
    cases=[(_tunes(),), (_tunes()[:1],)],
    compare=_compare_counts,
    error_hints=[("IndexError", "Your loop went past the end of the tokens: the LAST token has no neighbour "
                                "after it, so a tune of n tokens has only n - 1 pairs. Stop one step earlier.")],
)


def check_bigram_counts(func) -> Feedback:
    """Check ``func(tunes) -> np.ndarray`` of shape (130, 130): how often each token follows each other one."""
    return run_exercise(bigram_exercise, func)


# ----------------------------------------------------------------------------- next-step probabilities


def _table():
    counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.int64)
    counts[60, 62], counts[60, HOLD], counts[60, 64] = 2, 6, 2
    counts[HOLD, HOLD], counts[HOLD, 60], counts[HOLD, REST] = 5, 3, 2
    counts[62, 60] = 1
    return counts


def reference_next_probs(counts: np.ndarray, token: int) -> np.ndarray:
    """Model solution: row ``token`` of the table divided by its total."""
    row = np.asarray(counts[token], dtype=float)
    return row / row.sum()


def _compare_probs(got, want, case) -> str | None:
    counts, token = case
    got = np.asarray(got, dtype=float)
    if got.shape != (VOCAB_SIZE,):
        return f"Return one probability per token: shape (130,), not {got.shape}. Take one row: counts[token]."
    if np.allclose(got, want):
        return None
    if np.allclose(got, counts[:, token] / max(counts[:, token].sum(), 1)):
        return "You used a column (what came BEFORE the token). The next token is in the row: counts[token]."
    if np.allclose(got, counts[token]):
        return "These are counts, not probabilities: divide the row by its sum so it adds up to 1."
    row = np.asarray(counts[token])
    if np.allclose(got, row // max(row.sum(), 1)):
        return ("// is whole-number division: it throws away everything after the point, so most "
                "probabilities become 0. Use / for an ordinary division.")
    if np.allclose(got, counts[token] / counts.sum()):
        return "Divide by the row's own total (counts[token].sum()), not by the whole table's."
    return "Take the row of the table for this token, and divide it by its own total so it adds up to 1."


next_probs_exercise = Exercise(
    name="next_probs",
    describe="next_probs(counts, token)",
    reference=reference_next_probs,
    cases=[(_table(), 60), (_table(), HOLD), (_table(), 62)],
    compare=_compare_probs,
)


def check_next_probs(func) -> Feedback:
    """Check ``func(counts, token) -> np.ndarray`` shape (130,): the bigram model's next-token probabilities."""
    return run_exercise(next_probs_exercise, func)


EXERCISES = {e.name: e for e in (invert_exercise, bigram_exercise, next_probs_exercise)}
"""Every exercise of lesson 01 by name (the homework grader looks them up here)."""
