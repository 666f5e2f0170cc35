"""Checks for the graded tasks of homework 00 (music as data): what the visible check needs, no solution.

Lesson: notebooks/00_music_as_data.ipynb (homework: assignments/source/00_music_as_data)

Each task practises an idea of lesson 00 on something the lesson did not solve. This module
ships to every student, so it holds only what the in-class check needs: the visible inputs,
their expected answers (``expected_values``) and the hint logic. The reference solutions and the
hidden inputs live with the teacher, in the hidden-test regions of the assignment's source
notebook, which ``make release`` strips (see docs/teacher-guide.md, "Writing an assignment").
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST, Melody
from .core import Exercise, Feedback, run_exercise


def _melodies():
    return [Melody.parse("C4 C4 G4 G4 A4 A4 G4*2"),
            Melody.parse("E4/2 r/2 E4/2 r/2 E4 r | C4/2 E4 G4*2 r/2"),
            Melody.parse("r*2 D4/2 | G4 B4/2 A4 G4/2 | F#4/2 G4/2 A4/2 D4*2 r/2", meter="6/8"),
            Melody.parse("A3*4 | r*3 A3")]


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _is_whole(x) -> bool:
    return _is_number(x) and float(x) == int(x)


# ----------------------------------------------------------------------------- task 1: stretch


def _compare_stretch(got, want, case) -> str | None:
    melody, factor = case
    if not isinstance(got, Melody):
        return (f"Your function returned a {type(got).__name__}; it should return a new Melody built from a list of "
                "Note objects: Melody(new_notes, length_steps=..., meter=melody.meter).")
    if got == want:
        return None
    if len(got) != len(want):
        if len(got) == 1 and len(want) > 1:
            return "The result has only 1 note: is your `return` indented inside the loop? It belongs after it."
        return f"The result has {len(got)} notes but the melody has {len(want)}: keep every note (and no extra ones)."
    if not np.array_equal(got.pitches, want.pitches):
        return "Some pitches changed. Stretching changes only time (onsets and durations); the pitches stay the same."
    onsets_ok = np.array_equal(got.onsets_steps, want.onsets_steps)
    durations_ok = np.array_equal(got.durations_steps, want.durations_steps)
    if np.array_equal(got.onsets_steps, melody.onsets_steps) and np.array_equal(got.durations_steps,
                                                                                 melody.durations_steps):
        return "Nothing changed: is the starting code unchanged? Multiply each note's times by `factor`."
    if onsets_ok and np.array_equal(got.durations_steps, melody.durations_steps):
        return ("The notes start at the right steps but kept their old durations, so gaps appear between them: "
                "multiply duration_steps by the factor as well.")
    if onsets_ok and not durations_ok:
        if np.array_equal(got.durations_steps, melody.durations_steps + factor):
            return "You added the factor to each duration; stretching multiplies it (a quarter note becomes a half)."
        return "The onsets are right; now multiply each duration_steps by the factor too."
    if durations_ok and not onsets_ok:
        if np.array_equal(got.onsets_steps, melody.onsets_steps + factor):
            return "You added the factor to each onset; stretching multiplies it (step 4 becomes step 8 when factor is 2)."
        return "The durations are right; the onsets must be multiplied by the factor too."
    if not (onsets_ok and durations_ok):
        return "Multiply both onset_steps and duration_steps of every note by the factor."
    if got.length_steps != want.length_steps:
        if got.length_steps == melody.length_steps:
            return (f"The melody's length is still {melody.length_steps} steps, so the stretched notes do not fit the "
                    "old length: multiply length_steps by the factor too.")
        return (f"The length is {got.length_steps} steps, expected {want.length_steps}: a rest at the end must be "
                "stretched too, so pass length_steps=melody.length_steps * factor.")
    return "Keep each note's velocity; change only its onset and duration."


stretch_task = Exercise(
    name="stretch",
    describe="stretch(melody, factor)",
    reference=None,
    cases=[(m, f) for m, f in zip(_melodies(), (2, 3, 2, 4))],
    expected_values=[
        Melody.parse("C4*2 C4*2 G4*2 G4*2 | A4*2 A4*2 G4*4"),
        Melody.parse("E4*3/2 r*3/2 E4*3/2 r*3/2 | E4*3 r*3 C4*3/2 E4*3 | G4*6 r*3/2"),
        Melody.parse("r*4 D4 | G4*2 B4 A4*2 G4 | F#4 G4 A4 D4*4 r", meter="6/8"),
        Melody.parse("A3*16 | r*12 A3*4"),
    ],
    compare=_compare_stretch,
    error_hints=[
        ("Notes overlap", "The stretched notes overlap: when every note gets longer, each one must also START later. "
                          "Multiply onset_steps by the factor as well as duration_steps."),
        ("is shorter than the last note", "The stretched notes no longer fit in the old length: multiply "
                                          "melody.length_steps by the factor too."),
        ("must be a whole number", "Stretch by whole factors only, and keep onsets and durations whole numbers "
                                   "(use *, not /)."),
    ],
)


def check_stretch(func) -> Feedback:
    """Check ``func(melody, factor) -> Melody``: every onset, duration and the length times ``factor``."""
    return run_exercise(stretch_task, func)


# ----------------------------------------------------------------------------- task 2: widest leap


def _compare_widest_leap(got, want, case) -> str | None:
    melody = case[0]
    if isinstance(got, (tuple, list, np.ndarray)):
        return "Return one whole number (the size of the widest leap in semitones), not a list or a pair."
    if not _is_whole(got):
        return f"Return a whole number of semitones (you returned {got!r})."
    got = int(got)
    if got == want:
        return None
    pitches = [int(p) for p in melody.pitches]
    diffs = [b - a for a, b in zip(pitches[:-1], pitches[1:])]
    if got == 0:
        return "You returned 0: is the starting code unchanged? Compare every note with the note right after it."
    if diffs and got == max(diffs) and got < want:
        return "A leap DOWN is a leap too: use the size of each step, abs(next - this), before taking the largest."
    if diffs and got == -min(diffs) and got < want or (diffs and got == min(diffs)):
        return "Leaps up count as much as leaps down: take abs() of every difference, then the largest."
    if got == max(pitches) - min(pitches):
        return ("That is the range (highest minus lowest note). A leap is between two NEIGHBOURING notes: "
                "compare each note with the next one.")
    if diffs and got == abs(diffs[0]):
        return "You measured only the first leap: look at every pair of neighbouring notes and keep the largest."
    if got > want:
        return "Your leap is wider than any two neighbouring notes: compare each note only with the note right after it."
    return "Go through the neighbouring pairs of notes and keep the largest abs(next pitch - this pitch)."


widest_leap_task = Exercise(
    name="widest_leap",
    describe="widest_leap(melody)",
    reference=None,
    cases=[(m,) for m in _melodies()] + [(Melody.parse("G4 C4 D4 E4 | F4*2 B4*2"),), (Melody.parse("D5*4"),)],
    expected_values=[7, 4, 7, 0, 7, 0],
    compare=_compare_widest_leap,
    error_hints=[
        ("out of ", "Your loop looked one note past the end: a melody of n notes has n - 1 neighbouring "
                    "pairs, so stop one note earlier (or loop over zip(pitches[:-1], pitches[1:]))."),
        ("empty sequence", "max() got nothing to compare: a melody with one note has no leap at all, so its widest "
                           "leap is 0 (max(..., default=0))."),
    ],
)


def check_widest_leap(func) -> Feedback:
    """Check ``func(melody) -> int``: the largest jump in semitones between two neighbouring notes."""
    return run_exercise(widest_leap_task, func)


# ----------------------------------------------------------------------------- task 3: busiest bar


def _notes_in_bar(melody, bar, steps_per_bar) -> int:
    return sum(1 for onset in melody.onsets_steps if onset // steps_per_bar == bar)


def _compare_busiest_bar(got, want, case) -> str | None:
    # Hint logic only: it checks a student's bar against the expected one (``want``) and
    # rebuilds typical mistakes; nothing here finds the busiest bar by itself.
    melody = case[0]
    if isinstance(got, (tuple, list, np.ndarray)):
        return "Return the NUMBER of the busiest bar (one whole number), not the list of counts."
    if not _is_whole(got):
        return f"Return a whole number, the bar's number counted from 0 (you returned {got!r})."
    got = int(got)
    if got == want:
        return None
    spb = melody.steps_per_bar
    most = _notes_in_bar(melody, want, spb)
    rounded = [0] * (melody.length_steps // spb + 2)
    for onset in melody.onsets_steps:
        rounded[round(onset / spb)] += 1
    by_round = got == rounded.index(max(rounded))
    round_hint = ("a note belongs to the bar it STARTS in: use whole-number division onset // steps_per_bar "
                  "(round() moves notes from the second half of a bar into the next bar)")
    if got == want + 1 and by_round:
        return ("This input cannot tell which of two mistakes it is: bars are numbered from 0 (check for a `+ 1`), "
                f"and {round_hint}.")
    if got == want + 1:
        return "Bars are numbered from 0 here (the first bar is bar 0), like list positions: check for a `+ 1`."
    if by_round:
        return round_hint[0].upper() + round_hint[1:] + "."
    if got == most:
        return "You returned how MANY notes the busiest bar has; return WHICH bar it is (its number, from 0)."
    if got > want and _notes_in_bar(melody, got, spb) == most:
        return "Two bars tie here: the task asks for the FIRST of them (the smallest bar number)."
    if spb != 16 and _notes_in_bar(melody, got, 16) > _notes_in_bar(melody, got, spb):
        return (f"This test tune is in {melody.meter}, where a bar is {spb} steps, not 16: use "
                "melody.steps_per_bar.")
    return "Count the notes that start in each bar (onset // steps_per_bar), then return the bar with the most."


busiest_bar_task = Exercise(
    name="busiest_bar",
    describe="busiest_bar(melody)",
    reference=None,
    cases=[(Melody.parse("C4*4 | D4 E4 F4 G4 | A4*2 G4*2"),),
           (Melody.parse("G4*3 | A4/2 B4/2 C5*2 | D5 D5 D5", meter="3/4"),),
           (Melody.parse("r*2 D4/2 | G4 B4/2 A4 G4/2 | F#4/2 G4/2 A4/2 D4*2 r/2", meter="6/8"),),
           (Melody.parse("E4 E4 E4 E4 | r*2 C4/2 D4/2 E4/2 F4/2 | G4*4"),)],
    expected_values=[1, 1, 1, 0],
    compare=_compare_busiest_bar,
    error_hints=[
        ("out of range", "You counted a note into a bar past the end of your list. A note belongs to the bar it "
                         "starts in, onset // steps_per_bar (bars counted from 0, and no round()); make the "
                         "list one entry per bar of melody.length_steps."),
    ],
)


def check_busiest_bar(func) -> Feedback:
    """Check ``func(melody) -> int``: the number (from 0) of the bar in which the most notes start."""
    return run_exercise(busiest_bar_task, func)


# ----------------------------------------------------------------------------- task 4: semitones between


def _compare_semitones(got, want, case) -> str | None:
    f1, f2 = case
    if not _is_number(got):
        return f"Return one number of semitones, a float (you returned a {type(got).__name__})."
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-6):
        return None
    ratio = f2 / f1
    if want and math.isclose(got, -want, rel_tol=1e-6):
        return "The sign is the wrong way round: from the first frequency UP to a higher second one is a positive number."
    if math.isclose(got, round(want)) and abs(want - round(want)) > 1e-6:
        return "Do not round: return the exact number of semitones (a float like 3.86)."
    if math.isclose(got, want / 12, rel_tol=1e-6):
        return "That is the number of octaves. One octave is 12 semitones."
    if math.isclose(got, 12 * math.log(ratio), rel_tol=1e-6):
        return "You used the natural log (ln). Octaves count doublings, so use log base 2: math.log2."
    if math.isclose(got, 12 * math.log10(ratio), rel_tol=1e-6):
        return "You used log base 10. Octaves count doublings, so use log base 2: math.log2."
    for wrong in (12 * math.log2(f2) / f1, 12 * math.log2(f2) - f1, 12 * math.log2(f2 - f1) if f2 > f1 else None,
                  math.log2(f2 / f1 * 12), 12 * math.log2(f2) / math.log2(f1)):
        if wrong is not None and math.isclose(got, wrong, rel_tol=1e-6):
            return ("Check your brackets: take the log of the whole ratio first, log2(f2_hz / f1_hz), and then "
                    "multiply by 12.")
    if math.isclose(got, (f2 - f1) / f1 * 12, rel_tol=1e-6) or math.isclose(got, f2 - f1, rel_tol=1e-6):
        return ("Pitch goes with the RATIO of the frequencies, not their difference: each octave doubles the "
                "frequency, so count doublings with log2(f2_hz / f1_hz).")
    return ("How many times does the frequency double from f1_hz to f2_hz? That is log2(f2_hz / f1_hz) octaves; "
            "one octave is 12 semitones.")


semitones_between_task = Exercise(
    name="semitones_between",
    describe="semitones_between(f1_hz, f2_hz)",
    reference=None,
    cases=[(220.0, 440.0), (440.0, 660.0), (261.63, 329.63), (880.0, 440.0), (100.0, 150.0)],
    expected_values=[12.0, 7.019550008653875, 3.999834861342986, -12.0, 7.019550008653875],
    compare=_compare_semitones,
    error_hints=[
        ("math domain error", "A logarithm got zero or a negative number: take the log of the ratio f2_hz / f1_hz "
                              "(always positive), not of a difference."),
        ("unsupported operand type(s) for ^", "In Python, 'to the power of' is **, and a log is math.log2(x)."),
    ],
)


def check_semitones_between(func) -> Feedback:
    """Check ``func(f1_hz, f2_hz) -> float``: how many semitones (not rounded) from the first to the second."""
    return run_exercise(semitones_between_task, func)


# ----------------------------------------------------------------------------- task 5: longest rest


def _compare_longest_rest(got, want, case) -> str | None:
    # Hint logic only: typical mistakes are rebuilt here; the answer itself comes as ``want``.
    tokens = [int(t) for t in case[0]]
    if isinstance(got, (tuple, list, np.ndarray)):
        return "Return one whole number of steps, not a list."
    if not _is_whole(got):
        return f"Return a whole number of steps (you returned {got!r})."
    got = int(got)
    if got == want:
        return None
    if got == tokens.count(REST):
        return ("You counted every REST step in the tune. The task asks for the longest UNBROKEN run of REST "
                "tokens: start counting again after each step that is not a REST.")
    missed = run = 0  # the bug of updating the best only when a run is broken by another token
    for t in tokens:
        if t == REST:
            run += 1
        else:
            missed, run = max(missed, run), 0
    if tokens and tokens[-1] == REST and got == missed:
        return ("The longest rest here is at the very END of the tokens: after the loop, compare the run you were "
                "counting once more (or update the best after every step).")
    hold_best = hold_run = 0
    for t in tokens:
        hold_run = hold_run + 1 if t == HOLD else 0
        hold_best = max(hold_best, hold_run)
    if got == hold_best:
        return "You measured a run of HOLD tokens (a note sounding on). A rest is the REST token, 129."
    if got in (want + 1, want - 1):
        return "Off by one: count the REST steps of a run exactly (a run of 3 RESTs is 3 steps long)."
    return "Walk through the tokens counting REST steps in a row, start again at 0 after any other token, keep the best."


longest_rest_task = Exercise(
    name="longest_rest",
    describe="longest_rest(tokens)",
    reference=None,
    cases=[([60, HOLD, REST, REST, 62, REST, REST, REST, 64, HOLD],),
           ([67, REST, 67, REST, 67, HOLD, HOLD, HOLD],),
           ([REST, REST, 60, HOLD, HOLD, REST, 62, REST, REST, REST, REST],),
           ([72, HOLD, HOLD, HOLD, HOLD, HOLD],)],
    expected_values=[3, 1, 4, 0],
    compare=_compare_longest_rest,
)


def check_longest_rest(func) -> Feedback:
    """Check ``func(tokens) -> int``: the longest run of REST tokens in a row, in steps."""
    return run_exercise(longest_rest_task, func)


TASKS = {e.name: e for e in (stretch_task, widest_leap_task, busiest_bar_task, semitones_between_task,
                             longest_rest_task)}
"""The graded tasks of homework 00 by name (visible inputs, expected values and hints only)."""
