"""Note names, the time grid and meters: the small vocabulary every other music module uses.

Lesson: notebooks/00_music_as_data.ipynb

Time is counted in **steps**: one step is a 16th note, so a quarter-note beat is
4 steps and a bar of 4/4 is 16 steps. Pitch is a MIDI number (60 is middle C,
written ``C4``; 69 is ``A4`` = 440 Hz).
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import LessonkitTypeError, MelodyError, NoteNameError, expect_int, expect_type

STEPS_PER_BEAT = 4
"""Steps in a quarter-note beat: a step is a 16th note."""
DEFAULT_VELOCITY = 90
"""MIDI velocity (1..127) of notes whose loudness is not given."""
DEFAULT_TEMPO_BPM = 120.0
"""Quarter-note beats per minute when none is given."""
MAX_LENGTH_STEPS = 16 * 1000
"""Longest melody lessonkit accepts: 1,000 bars of 4/4 (over half an hour at 120 bpm)."""

_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_NAME_RE = re.compile(r"^([A-Ga-g])(#{1,2}|b{1,2})?(-?\d+)$")


def note_name(pitch: int) -> str:
    """Name of a MIDI pitch, with sharps: ``60 -> "C4"``, ``70 -> "A#4"``.

    Parameters
    ----------
    pitch : int
        MIDI pitch, 0..127.

    Returns
    -------
    str
        Scientific pitch name (octave -1..9).
    """
    pitch = check_pitch(pitch)
    return f"{_SHARP_NAMES[pitch % 12]}{pitch // 12 - 1}"


def parse_note_name(name: str) -> int:
    """MIDI pitch of a note name: ``"C4" -> 60``, ``"F#3" -> 54``, ``"Bb5" -> 82``.

    Parameters
    ----------
    name : str
        A letter A-G, optional ``#``/``##``/``b``/``bb``, then an octave number.

    Returns
    -------
    int
        MIDI pitch, 0..127.

    Raises
    ------
    NoteNameError
        If the name cannot be read or lies outside MIDI's range.
    """
    expect_type(name, str, "name", 'Write a note name such as "C4" or "F#3".')
    m = _NAME_RE.match(name.strip())
    if not m:
        raise NoteNameError(
            f"{name!r} is not a note name. Write a letter A-G, an optional # or b, "
            f'then the octave number: "C4" (middle C), "F#3", "Bb5".'
        )
    letter, accidental, octave = m.groups()
    shift = 0
    if accidental:
        shift = len(accidental) if accidental[0] == "#" else -len(accidental)
    pitch = 12 * (int(octave) + 1) + _PITCH_CLASS[letter.upper()] + shift
    if not 0 <= pitch <= 127:
        raise NoteNameError(
            f"{name!r} is MIDI pitch {pitch}, outside MIDI's range 0..127 (C-1..G9). "
            "Try a smaller octave number."
        )
    return pitch


def check_pitch(pitch) -> int:
    """``pitch`` as an int 0..127; a type error for a non-whole number, a MelodyError outside MIDI."""
    pitch = expect_int(pitch, "pitch", advice="a whole MIDI number such as 60 (C4)")
    if not 0 <= pitch <= 127:
        raise MelodyError(f"Pitch {pitch} is outside MIDI's range 0..127. Transpose it into range.")
    return pitch


def parse_meter(meter) -> tuple[int, int]:
    """A meter such as ``"6/8"`` as ``(beats, beat_unit)``, e.g. ``(6, 8)``.

    Raises
    ------
    LessonkitTypeError
        If ``meter`` is not a string.
    MelodyError
        If it is not ``beats/unit`` with ``beats >= 1`` and a unit of 1, 2, 4, 8 or 16.
    """
    expect_type(meter, str, "meter", 'Write a meter such as "4/4", "3/4" or "6/8".')
    m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*$", meter)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) not in (1, 2, 4, 8, 16):
        raise MelodyError(f'{meter!r} is not a meter. Write beats/beat-unit such as "4/4", "3/4", "6/8".')
    return int(m.group(1)), int(m.group(2))


def steps_per_bar(meter) -> int:
    """Steps in one bar of ``meter``: 16 in 4/4, 12 in 3/4 and 6/8, 8 in 2/4."""
    beats, unit = parse_meter(meter)
    return beats * 16 // unit


def midi_to_hz(pitch):
    """Frequency of a MIDI pitch in Hz (A4 = 69 = 440 Hz, 12 semitones double it); works on arrays.

    Lesson: notebooks/00_music_as_data.ipynb

    Parameters
    ----------
    pitch : int, float or array-like
        MIDI pitch(es); fractional pitches (between two keys) are welcome.

    Returns
    -------
    np.ndarray of float64, same shape as ``pitch`` (0-d for a number)
        ``440 * 2 ** ((pitch - 69) / 12)``.
    """
    if isinstance(pitch, str):
        raise LessonkitTypeError(f"midi_to_hz takes a MIDI number such as 69; for a name use "
                                 f"midi_to_hz(parse_note_name({pitch!r})).")
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)
