"""Checks for the exercises of lesson 00, music as data.

Lesson: notebooks/00_music_as_data.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise` (used by the homework
grader too); each ``check_*`` function is what a student calls in the lesson.
"""

from __future__ import annotations

import math

import numpy as np

from ..music import HOLD, REST, Melody
from .core import Exercise, Feedback, run_exercise

_TWINKLE = "C4 C4 G4 G4 A4 A4 G4*2 F4 F4 E4 E4 D4 D4 C4*2"
_SCALE = "C4/2 D4/2 E4/2 F4/2 G4/2 A4/2 B4/2 C5/2"
_JIG = "G4 B4/2 A4 G4/2 | F#4/2 G4/2 A4/2 D4*3/2 | G4*3"  # 6/8: 12 steps a bar
_SYNCOPATED = "r/2 E4 E4/2 r/4 G4/4 r/2 C5/2 | C5 B4/4 A4/4 G4/2 r*2"  # 4/4: 16 steps a bar


def _melodies():
    return [Melody.parse(_TWINKLE), Melody.parse(_SCALE), Melody.parse(_JIG, meter="6/8"),
            Melody.parse(_SYNCOPATED)]


# ----------------------------------------------------------------------------- transpose


def reference_transpose(melody: Melody, semitones: int) -> Melody:
    """Model solution: the same rhythm, every pitch moved by ``semitones``."""
    return melody.transpose(semitones)


def _compare_transpose(got, want: Melody, case) -> str | None:
    melody, semitones = case
    if not isinstance(got, Melody):
        return (f"Your function returned a {type(got).__name__}; it should return a Melody. "
                "Build one from a list of Note objects: Melody(new_notes, length_steps=melody.length_steps).")
    if len(got) != len(want):
        if len(got) == 1:
            return (f"The result has only 1 note, but the melody has {len(want)}: is your `return` indented "
                    "inside the loop? It should come after the loop has handled every note.")
        return f"The result has {len(got)} notes but the melody has {len(want)}: keep every note, change only its pitch."
    if not np.array_equal(got.onsets_steps, want.onsets_steps) or not np.array_equal(
            got.durations_steps, want.durations_steps):
        return "The rhythm changed. Transposing moves notes up or down; keep onset_steps and duration_steps as they are."
    diff = got.pitches - melody.pitches
    if np.all(diff == 0) and semitones != 0:
        return "The pitches did not change at all: is the starting code still unchanged? Add `semitones` to each pitch."
    if np.all(diff == -semitones) and semitones != 0:
        return "Your notes moved the wrong way: a positive number of semitones should make them higher."
    if np.all(diff == diff[0]) and diff[0] != semitones:
        return (f"Every note moved by {int(diff[0])} semitones, but the test asked for {semitones}. "
                "Check you add exactly `semitones` to each pitch.")
    if not np.array_equal(got.pitches, want.pitches):
        return f"Some pitches are wrong for a shift of {semitones} semitones: every pitch should move by the same amount."
    return None


transpose_exercise = Exercise(
    name="transpose",
    describe="transpose(melody, semitones)",
    reference=reference_transpose,
    cases=[(m, s) for m, s in zip(_melodies(), (2, -5, 7, 12))],
    compare=_compare_transpose,
)


def check_transpose(func) -> Feedback:
    """Check ``func(melody, semitones) -> Melody``: same rhythm, pitches moved by ``semitones``."""
    return run_exercise(transpose_exercise, func)


# ----------------------------------------------------------------------------- pitch range


def reference_pitch_range(melody: Melody) -> tuple:
    """Model solution: ``(lowest, highest)`` MIDI pitch."""
    return int(melody.pitches.min()), int(melody.pitches.max())


def _compare_pitch_range(got, want, case) -> str | None:
    if isinstance(got, (list, np.ndarray)):
        got = tuple(got)
    if not isinstance(got, tuple) or len(got) != 2:
        return "Return two numbers, the lowest and the highest pitch, as a tuple: (low, high)."
    if any(isinstance(x, str) for x in got):
        return "Return MIDI numbers (like 60), not note names (like 'C4')."
    if tuple(got) == (0, 0):
        return "You returned (0, 0): the starting code is unchanged. Find the smallest and largest of melody.pitches."
    if want[0] != want[1] and tuple(got) == (want[1], want[0]):
        return "You have the two numbers the wrong way round: lowest first."
    low, high = (int(x) for x in got)
    if low < want[0]:
        return (f"Your lowest pitch is {low}, lower than every note of the melody. If you start from a number like 0 "
                "and look for something smaller, you never find it: start from the first note's pitch.")
    if high > want[1]:
        return (f"Your highest pitch is {high}, higher than every note of the melody. "
                "Start from the first note's pitch rather than a fixed number.")
    if (low, high) != want:
        return "Look at every note's pitch, not only the first and the last note."
    return None


pitch_range_exercise = Exercise(
    name="pitch_range",
    describe="pitch_range(melody)",
    reference=reference_pitch_range,
    cases=[(m,) for m in _melodies()],
    compare=_compare_pitch_range,
)


def check_pitch_range(func) -> Feedback:
    """Check ``func(melody) -> (lowest, highest)`` in MIDI numbers."""
    return run_exercise(pitch_range_exercise, func)


# ----------------------------------------------------------------------------- notes per bar


def reference_notes_per_bar(melody: Melody) -> list:
    """Model solution: how many notes start in each bar (bar ``k`` = steps ``k*spb`` to ``(k+1)*spb``)."""
    spb = melody.steps_per_bar
    n_bars = math.ceil(melody.length_steps / spb)
    counts = [0] * n_bars
    for note in melody:
        counts[note.onset_steps // spb] += 1
    return counts


def _compare_notes_per_bar(got, want, case) -> str | None:
    melody = case[0]
    if isinstance(got, np.ndarray):
        got = got.tolist()
    if not isinstance(got, (list, tuple)):
        return "Return a list with one count per bar, e.g. [4, 3, 5, 1]."
    got = list(got)
    if len(got) != len(want):
        return (f"Your list has {len(got)} bars but this melody has {len(want)}. A bar is melody.steps_per_bar "
                f"steps long ({melody.steps_per_bar} here), and the last bar may be only partly filled.")
    if sum(got) == 0:
        return "Every count is 0: the starting code is unchanged. Loop over the notes and add 1 to the right bar."
    if sum(got) == 1 and len(melody) > 1:
        return ("Your counts add up to 1: is your `return` indented inside the loop? "
                "It should come after the loop has counted every note.")
    if sum(got) != len(melody):
        if got[1:] == want[:-1]:
            return ("Every note landed one bar too late: bars are numbered from 0, so the first bar is "
                    "counts[0]. Check for a `+ 1`.")
        return (f"Your counts add up to {sum(got)}, but the melody has {len(melody)} notes. Count each note once, "
                "in the bar where it starts (rests are not notes).")
    if got != want:
        if melody.steps_per_bar != 16 and got == _counts_with_bar_length(melody, 16, len(want)):
            return (f"This test tune is in {melody.meter}, where a bar is {melody.steps_per_bar} steps, not 16. "
                    "Use melody.steps_per_bar instead of a fixed number.")
        return "Some notes are counted in the wrong bar: which bar a note is in depends on its onset and the bar length."
    return None


def _counts_with_bar_length(melody: Melody, steps: int, n_bars: int) -> list:
    counts = [0] * n_bars
    for onset in melody.onsets_steps:
        if onset // steps < n_bars:
            counts[onset // steps] += 1
    return counts


_ROUND_HINT = ("A note belongs to the bar it STARTS in, so use whole-number division: onset_steps // steps_per_bar. "
               "round() sends a note from the second half of a bar into the next bar, and from the last bar past "
               "the end of your list.")
_FROM_1_HINT = ("Bars are counted from 0 here, like list positions: the first bar is counts[0]. A `+ 1` sends the "
                "notes of the last bar past the end of your list.")

notes_per_bar_exercise = Exercise(
    name="notes_per_bar",
    describe="notes_per_bar(melody)",
    reference=reference_notes_per_bar,
    cases=[(m,) for m in _melodies()],
    compare=_compare_notes_per_bar,
    error_hints=[
        # two mistakes, one IndexError: the line that raised it tells them apart
        ("round(", _ROUND_HINT),
        ("+ 1]", _FROM_1_HINT), ("+1]", _FROM_1_HINT), ("+ 1\n", _FROM_1_HINT),
        ("math.ceil(", "A note belongs to the bar it STARTS in: use onset_steps // steps_per_bar, which rounds down "
                       "(math.ceil rounds up, into the next bar)."),
        ("index out of range", "An index went past the end of your list of bars: make the list one entry per bar "
                               "(the last bar may be only partly filled: round the number of bars UP), and put each "
                               "note in bar onset_steps // steps_per_bar."),
    ],
)


def check_notes_per_bar(func) -> Feedback:
    """Check ``func(melody) -> list of int``, the number of notes starting in each bar."""
    return run_exercise(notes_per_bar_exercise, func)


# ----------------------------------------------------------------------------- frequency


def reference_midi_to_hz(pitch: int) -> float:
    """Model solution: A4 (69) is 440 Hz and each semitone multiplies by 2 ** (1/12)."""
    return 440.0 * 2.0 ** ((pitch - 69) / 12.0)


def _compare_hz(got, want, case) -> str | None:
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return a number of Hz, like 440.0."
    if abs(got - want) <= 1e-6 * want:
        return None
    pitch = case[0]
    if got == 440.0 and pitch != 69:
        return "Your function always gives 440 Hz: the starting code is unchanged. Use the pitch's distance from A4 (69)."
    if abs(got - 440.0 * 2.0 ** ((pitch - 60) / 12.0)) < 1e-6 * want:
        return "You measured from C4 (60); the reference note is A4 = 69 = 440 Hz."
    for wrong in (440.0 * 2.0 ** (pitch - 69 / 12), 440.0 * 2.0 ** (pitch - 69) / 12, 440.0 * 2.0 ** pitch - 69 / 12,
                  440.0 * 2.0 ** (pitch / 12) - 69):
        if math.isfinite(wrong) and abs(got - wrong) <= 1e-6 * max(abs(wrong), 1):
            return ("Check your brackets: Python divides before it subtracts, so 2 ** (pitch - 69 / 12) divides only the "
                    "69 by 12. Put the whole distance in brackets first: 2 ** ((pitch - 69) / 12).")
    if abs(got - 440.0 * 2.0 ** (pitch - 69)) < 1e-3 * max(want, 1):
        return "One semitone is 1/12 of an octave: divide the distance from A4 by 12 before raising 2 to it."
    if abs(got / want - 2.0) < 1e-6 or abs(got / want - 0.5) < 1e-6:
        return "You are one octave off: check the reference note A4 = 69 = 440 Hz."
    return (f"For MIDI {pitch} you gave {got:.1f} Hz. Start from A4 = 440 Hz: 12 semitones up doubles it, "
            "so one semitone multiplies it by 2 ** (1 / 12).")


midi_to_hz_exercise = Exercise(
    name="midi_to_hz",
    describe="midi_to_hz(pitch)",
    reference=reference_midi_to_hz,
    cases=[(69,), (60,), (81,), (48,), (70,)],
    compare=_compare_hz,
)


def check_midi_to_hz(func) -> Feedback:
    """Check ``func(pitch) -> float`` Hz, with A4 = 69 = 440 Hz."""
    return run_exercise(midi_to_hz_exercise, func)


# ----------------------------------------------------------------------------- values


def check_tokens(tokens) -> Feedback:
    """Check hand-written step tokens for ``"C4/2 r/2 D4"`` (an eighth note, an eighth rest, a quarter)."""
    want = Melody.parse("C4/2 r/2 D4").to_tokens().tolist()
    if isinstance(tokens, (str, bytes)) or not hasattr(tokens, "__iter__"):
        return Feedback(False, "Tokens should be a list of whole numbers.", "For example [60, 128, ...].", 0, 1)
    if any(isinstance(t, str) for t in tokens):
        return Feedback(False, "Tokens are numbers, not names.",
                        "Write 60 for C4, and HOLD or REST without quotes (they are the numbers 128 and 129).", 0, 1)
    try:
        got = [int(t) for t in tokens]
    except (TypeError, ValueError):
        return Feedback(False, "Tokens should be a list of whole numbers.", "For example [60, 128, ...].", 0, 1)
    if got == want:
        return Feedback(True, "your tokens for C4/2 r/2 D4 are right.", "", 1, 1)
    if len(got) != len(want):
        hint = (f"You wrote {len(got)} tokens, but the melody lasts {len(want)} steps: one token per 16th-note step "
                "(an eighth note is 2 steps, a quarter is 4).")
    else:
        i = next(k for k in range(len(want)) if got[k] != want[k])
        if want[i] == HOLD:
            hint = f"Look at step {i}: the note that started before it is still sounding there."
        elif want[i] == REST:
            hint = f"Look at step {i}: nothing is sounding there."
        else:
            hint = (f"Look at step {i}: a note starts there. Its token is its MIDI number "
                    "(parse_note_name tells you the number of a note name).")
    return Feedback(False, "not quite the tokens of C4/2 r/2 D4.", hint, 0, 1)


def check_duration_s(seconds, melody: Melody, tempo_bpm: float) -> Feedback:
    """Check the length in seconds of ``melody`` played at ``tempo_bpm``."""
    want = melody.length_steps * 60.0 / (tempo_bpm * 4)
    if isinstance(seconds, (str, bytes, bool)) or seconds is None:
        return Feedback(False, "Give the length as a number of seconds (not text).", "For example 12.5, without quotes.", 0, 1)
    try:
        got = float(seconds)
    except (TypeError, ValueError):
        return Feedback(False, "Give the length as a number of seconds.", "For example 12.5.", 0, 1)
    if abs(got - want) < 0.051:  # rounding to one decimal is fine
        return Feedback(True, f"{got:g} s is right ({want:.3f} s exactly): {melody.length_steps} steps of "
                              f"{60 / (tempo_bpm * 4):.4g} s.", "", 1, 1)
    steps, n_notes = melody.length_steps, len(melody)
    if abs(got - steps * 60.0 / tempo_bpm) < 0.05:
        hint = "You treated each step as a whole beat; a beat is 4 steps."
    elif abs(got - steps) < 0.05:
        hint = "That is the length in steps. How many seconds is one step at this tempo?"
    elif abs(got - steps * 60.0 / (melody.tempo_bpm * 4)) < 0.05 and melody.tempo_bpm != tempo_bpm:
        hint = f"That is the length at the melody's own tempo ({melody.tempo_bpm:g} bpm); the question asks for {tempo_bpm:g} bpm."
    elif abs(got - n_notes * 60.0 / (tempo_bpm * 4)) < 0.05 or abs(got - n_notes * 60.0 / tempo_bpm) < 0.05:
        hint = "You counted notes (len(melody)); the length in time is melody.length_steps, which includes long notes and rests."
    elif abs(got - steps / 4 * tempo_bpm / 60) < 0.05:
        hint = "Your formula is upside down: a faster tempo should make the melody shorter, not longer."
    else:
        hint = "A beat lasts 60 / tempo_bpm seconds, and a beat is 4 steps."
    return Feedback(False, f"{got:g} s is not the length of this melody at {tempo_bpm:g} bpm.", hint, 0, 1)


EXERCISES = {e.name: e for e in (transpose_exercise, pitch_range_exercise, notes_per_bar_exercise,
                                 midi_to_hz_exercise)}
"""Every exercise of lesson 00 by name (the homework grader looks them up here)."""
