"""Checks for the graded tasks of homework 01 (rules vs. examples): what the visible check needs, no solution.

Lesson: notebooks/01_rules_vs_examples.ipynb (homework: assignments/source/01_rules_vs_examples)

Each task practises an idea of lesson 01 on something the lesson did not solve. This module
ships to every student, so it holds only the visible inputs, their expected answers
(``expected_values``) and the hint logic; the reference solutions and the hidden inputs live in
the hidden-test regions of the assignment's source notebook (see docs/teacher-guide.md,
"Writing an assignment").
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST, VOCAB_SIZE, Melody
from .core import Exercise, Feedback, run_exercise

# ----------------------------------------------------------------------------- task 1: a sequence (a rule)


def _calls():
    return [Melody.parse("C4 E4 G4 E4"), Melody.parse("D4/2 E4/2 F#4/2 G4/2 A4*2 | G4 r"),
            Melody.parse("G4 F4 E4*2"), Melody.parse("A3 C4/2 E4/2 A4*2", meter="3/4")]


def _compare_sequence(got, want, case) -> str | None:
    call, semitones = case
    n = len(call)
    if not isinstance(got, Melody):
        return f"Your rule returned a {type(got).__name__}; a rule returns a Melody, built from a list of Notes."
    if got == want:
        return None
    if len(got) == n:
        if np.array_equal(got.pitches, call.pitches + semitones):
            return "That is only the moved copy: the answer plays the call first, THEN the call moved by `semitones`."
        return f"The answer has {n} notes, as many as the call: it should have {2 * n}, the call and then its copy."
    if len(got) != 2 * n:
        return f"The answer has {len(got)} notes; the call has {n}, so the call plus its moved copy has {2 * n}."
    if not np.array_equal(got.pitches[:n], call.pitches) or not np.array_equal(got.onsets_steps[:n], call.onsets_steps):
        return "The first half should be the call itself, unchanged."
    copy_pitches = got.pitches[n:]
    if np.array_equal(copy_pitches, call.pitches - semitones) and semitones:
        return "The copy moved the wrong way: a positive number of semitones makes it higher."
    if not np.array_equal(copy_pitches, call.pitches + semitones):
        return f"Every note of the copy should be exactly {semitones} semitones from the call's note."
    shift = got.onsets_steps[n:] - call.onsets_steps
    last_end = int(call.onsets_steps[-1] + call.durations_steps[-1])
    if np.all(shift == last_end) and last_end != call.length_steps:
        return (f"The copy starts when the last note ends (step {last_end}), but this call ends with a rest: start "
                f"the copy at call.length_steps ({call.length_steps}), so the call's rest is kept.")
    if not np.all(shift == call.length_steps):
        return "The copy should start right after the call, at step call.length_steps: add it to every onset."
    if not np.array_equal(got.durations_steps[n:], call.durations_steps):
        return "Keep the call's rhythm in the copy: same durations."
    if got.length_steps != want.length_steps:
        return (f"The answer lasts {got.length_steps} steps; the call and its copy together last "
                f"{want.length_steps}: pass length_steps=2 * call.length_steps.")
    return "Keep each note's velocity."


sequence_task = Exercise(
    name="answer_with_sequence",
    describe="answer_with_sequence(call, semitones)",
    reference=None,
    cases=[(c, s) for c, s in zip(_calls(), (2, 5, -2, 7))],
    expected_values=[
        Melody.parse("C4 E4 G4 E4 | D4 F#4 A4 F#4"),
        Melody.parse("D4/2 E4/2 F#4/2 G4/2 A4*2 | G4 r | G4/2 A4/2 B4/2 C5/2 D5*2 | C5 r"),
        Melody.parse("G4 F4 E4*2 | F4 D#4 D4*2"),
        Melody.parse("A3 C4/2 E4/2 A4*2 | E4 G4/2 B4/2 E5*2", meter="3/4"),
    ],
    compare=_compare_sequence,
    error_hints=[
        ("Notes overlap", "The copy starts while the call is still playing: add call.length_steps to the onset of "
                          "every note of the copy, so it starts after the call."),
        ("not in time order", "The copy must come AFTER the call: add call.length_steps to its onsets, and put the "
                              "call's notes first in the list."),
        ("is shorter than the last note", "The answer is twice as long as the call: "
                                          "length_steps=2 * call.length_steps."),
    ],
)


def check_answer_with_sequence(func) -> Feedback:
    """Check a rule ``func(call, semitones) -> Melody``: the call, then the call moved by ``semitones``."""
    return run_exercise(sequence_task, func)


# ----------------------------------------------------------------------------- task 2: what follows a pair


def _tunes():
    return [Melody.parse("C4/4 D4/4 E4/4 C4/4 C4/4 D4/4 E4/4 G4/4 E4/4 D4/4 C4/4 D4/4 E4 | r C4*3"),
            Melody.parse("E4/2 E4/2 F4 E4 D4 | C4/4 D4/4 E4*2 r")]


def _row(counts: dict) -> np.ndarray:
    row = np.zeros(VOCAB_SIZE, dtype=int)
    for token, n in counts.items():
        row[token] = n
    return row


def _compare_pair_counts(got, want, case) -> str | None:
    # Hint logic only: mistakes are rebuilt from ``want`` (the expected counts); nothing here counts the answer.
    tunes, a, b = case
    try:
        got = np.asarray(got)
    except Exception:
        return "Return a numpy array of 130 counts."
    if got.shape != (VOCAB_SIZE,):
        return f"Return one count per token: shape (130,), like np.zeros(130, dtype=int) (yours has shape {got.shape})."
    if np.array_equal(got, want):
        return None
    if got.sum() == 0 and want.sum() > 0:
        return "Every count is 0: loop over each tune's tokens and add 1 where a, then b, then the next token appear."
    seams = np.zeros(VOCAB_SIZE, dtype=int)  # triples that cross from one tune into the next
    for left, right in zip(tunes[:-1], tunes[1:]):
        joint = [int(t) for t in left.to_tokens()[-2:]] + [int(t) for t in right.to_tokens()[:2]]
        for i in range(len(joint) - 2):  # every triple here has tokens of both tunes
            if joint[i] == a and joint[i + 1] == b:
                seams[joint[i + 2]] += 1
    if seams.sum() and np.array_equal(got, want + seams):
        return ("You joined the tunes into one sequence: count within each tune only "
                "(a tune's end is not followed by the next tune).")
    after_b = np.zeros(VOCAB_SIZE, dtype=int)  # the lesson's bigram row of b: a memory of one token
    for tune in tunes:
        t = [int(x) for x in tune.to_tokens()]
        for y, z in zip(t[:-1], t[1:]):
            if y == b:
                after_b[z] += 1
    if np.array_equal(got, after_b):
        return ("You counted everything that follows b. Count only where a comes right before b: the pair "
                "(a, b), then the next token.")
    if got.sum() > want.sum():
        return "You counted more than there are: the token you count comes right after b, which comes right after a."
    return "For each tune, look at every three tokens in a row (x, y, z); when x == a and y == b, add 1 to counts[z]."


pair_next_counts_task = Exercise(
    name="pair_next_counts",
    describe="pair_next_counts(tunes, a, b)",
    reference=None,
    cases=[(_tunes(), 60, 62), (_tunes(), 62, 64), (_tunes(), HOLD, HOLD), (_tunes(), 64, HOLD)],
    expected_values=[_row({64: 4}), _row({60: 1, 67: 1, HOLD: 2}), _row({60: 1, 62: 1, 64: 1, HOLD: 18, REST: 2}),
                     _row({64: 1, 65: 1, HOLD: 3})],
    compare=_compare_pair_counts,
    error_hints=[
        ("index out of range", "Your loop ran past the end of a tune: with n tokens there are n - 2 groups of three "
                               "in a row, so stop two tokens before the end."),
    ],
)


def check_pair_next_counts(func) -> Feedback:
    """Check ``func(tunes, a, b) -> array (130,)``: how often each token came right after a followed by b."""
    return run_exercise(pair_next_counts_task, func)


# ----------------------------------------------------------------------------- task 3: probability of a tune


def _probs_table():
    p = np.full((VOCAB_SIZE, VOCAB_SIZE), 1.0 / VOCAB_SIZE)
    p[60] = 0.0
    p[60, HOLD], p[60, 62], p[60, 64] = 0.5, 0.3, 0.2
    p[62] = 0.0
    p[62, HOLD], p[62, 64], p[62, 60] = 0.25, 0.5, 0.25
    p[64] = 0.0
    p[64, HOLD], p[64, 60], p[64, REST] = 0.6, 0.3, 0.1
    p[HOLD] = 0.0
    p[HOLD, HOLD], p[HOLD, 60], p[HOLD, 62], p[HOLD, 64] = 0.4, 0.2, 0.2, 0.2
    return p


def _compare_sequence_probability(got, want, case) -> str | None:
    probs, tokens = case
    if not _is_number(got):
        return f"Return one number, a probability between 0 and 1 (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15):
        return None
    pairs = list(zip(tokens[:-1], tokens[1:]))
    step_probs = [float(probs[a, b]) for a, b in pairs]
    if pairs and math.isclose(got, sum(step_probs), rel_tol=1e-9):
        return "You added the step probabilities. For one step AND the next AND the next, multiply them."
    if pairs and math.isclose(got, float(np.mean(step_probs)), rel_tol=1e-9):
        return "You averaged the step probabilities; the probability of the whole tune is their product."
    swapped = float(np.prod([probs[b, a] for a, b in pairs])) if pairs else 1.0
    if pairs and swapped > 0 and math.isclose(got, swapped, rel_tol=1e-9):
        return "The table is read row = the token now, column = the next token: probs[this, next], not probs[next, this]."
    if got == 0.0 and want > 0:
        return "You got 0: if you multiply, start from 1 (multiplying anything by 0 gives 0)."
    if got > 1.0:
        return "A probability is never above 1: multiply the probabilities of the steps, probs[this, next]."
    return "Multiply, over every pair of neighbouring tokens (this, next), the table's probs[this, next]; start from 1."


sequence_probability_task = Exercise(
    name="sequence_probability",
    describe="sequence_probability(probs, tokens)",
    reference=None,
    cases=[(_probs_table(), [60, 62, 60, 64, REST]), (_probs_table(), [60, HOLD, 62, 64]),
           (_probs_table(), [64, 60, 62, HOLD, HOLD]), (_probs_table(), [62])],
    expected_values=[0.0015, 0.05, 0.009, 1.0],
    compare=_compare_sequence_probability,
)


def check_sequence_probability(func) -> Feedback:
    """Check ``func(probs, tokens) -> float``: the probability a bigram table gives a whole token sequence."""
    return run_exercise(sequence_probability_task, func)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


# ----------------------------------------------------------------------------- task 4: greedy answer (examples)


def _table():
    counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.int64)
    counts[60, HOLD], counts[60, 62] = 5, 3
    counts[HOLD, HOLD], counts[HOLD, 64], counts[HOLD, 62] = 2, 4, 4
    counts[62, HOLD], counts[62, 60] = 1, 6
    counts[64, 67], counts[64, HOLD] = 7, 7
    counts[67, REST] = 2
    counts[REST, 60] = 1
    return counts


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
    column = np.asarray(counts)[:, start]
    if got and column.sum() and got[0] == int(np.argmax(column)) != want[0]:
        return "You followed the columns (what came BEFORE). The next token is in the row: counts[token]."
    if got and all(t == got[0] for t in got) and want[0] != want[-1]:
        return "Every step is the same token: after choosing a token, look up the row of THAT token for the next step."
    return ("At each step take row = counts[token], choose int(np.argmax(row)) (REST if the row is all zeros), "
            "and continue from the token you chose.")


greedy_answer_task = Exercise(
    name="greedy_answer",
    describe="greedy_answer(counts, start_token, n_steps)",
    reference=None,
    cases=[(_table(), 60, 6), (_table(), 62, 4), (_table(), 67, 5), (_table(), HOLD, 3)],
    expected_values=[[HOLD, 62, 60, HOLD, 62, 60], [60, HOLD, 62, 60], [REST, 60, HOLD, 62, 60], [62, 60, HOLD]],
    compare=_compare_greedy,
)


def check_greedy_answer(func) -> Feedback:
    """Check ``func(counts, start_token, n_steps) -> list``: the bigram model answering with its favourite moves."""
    return run_exercise(greedy_answer_task, func)


TASKS = {e.name: e for e in (sequence_task, pair_next_counts_task, sequence_probability_task, greedy_answer_task)}
"""The graded tasks of homework 01 by name (visible inputs, expected values and hints only)."""
