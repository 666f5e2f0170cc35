"""Music as data: notes, melodies, note names, MIDI, music21, and step tokens.

Lesson: notebooks/00_music_as_data.ipynb

Time is counted in **steps**: one step is a 16th note, so a quarter-note beat is
4 steps and a bar of 4/4 is 16 steps. Pitch is a MIDI number (60 is middle C,
written ``C4``; 69 is ``A4`` = 440 Hz).

A :class:`Melody` plays one note at a time (it is *monophonic*, like a voice or a
flute). Silence between notes is a rest.

The text form
-------------
Students type melodies as note names separated by spaces::

    Melody.parse("C4 D4 E4/2 F4/2 G4*2 | r A4 G4")

* ``C4``, ``F#3``, ``Bb5``: a note, a quarter note long (4 steps). Sharps are ``#``,
  flats ``b``; the octave number follows the scientific convention (``C4`` = 60).
* ``r``: a rest, a quarter note long.
* ``*N`` makes it N times longer, ``/N`` N times shorter, and both can be combined:
  ``C4*2`` half note (8 steps), ``C4/2`` eighth (2 steps), ``C4/4`` 16th (1 step),
  ``C4*3/2`` dotted quarter (6 steps). The result must be a whole number of steps.
* ``|`` is a bar line, for your eyes only: it is ignored.

``str(melody)`` prints this form back, so ``Melody.parse(str(m)) == m`` for any melody on
the grid whose notes have the default velocity (the text form has no loudness). Two melodies
are ``==`` when they have the same notes (pitch, onset, duration, velocity) and the same
``length_steps``; tempo, meter and ``meta`` are not compared.

Step tokens
-----------
Models read a melody as one token per step (the encoding of MusicVAE and
Magenta's melody RNN)::

    0..127  a note of that MIDI pitch starts on this step
    128     HOLD: the previous note goes on sounding
    129     REST: silence

``Melody.parse("C4 D4/2 r/2").to_tokens()`` is ``[60, 128, 128, 128, 62, 128, 129, 129]``.
The encoding is lossless on the grid for pitch and timing; velocity is not kept
(every note comes back at the default velocity).
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .files import atomic_write_bytes, refuse_overwrite
from .errors import (
    LessonkitIndexError,
    LessonkitTypeError,
    MelodyError,
    MidiFileError,
    NoteNameError,
    expect_int,
    expect_number,
    expect_type,
)

STEPS_PER_BEAT = 4
"""Steps in a quarter-note beat: a step is a 16th note."""
HOLD = 128
"""Token: the previous note keeps sounding."""
REST = 129
"""Token: silence."""
VOCAB_SIZE = 130
"""Number of distinct step tokens: 128 pitches, HOLD and REST."""
DEFAULT_VELOCITY = 90
"""MIDI velocity (1..127) of notes whose loudness is not given."""
DEFAULT_TEMPO_BPM = 120.0
"""Quarter-note beats per minute when none is given."""
MAX_LENGTH_STEPS = 16 * 1000
"""Longest melody lessonkit accepts: 1,000 bars of 4/4 (over half an hour at 120 bpm)."""

_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
_NAME_RE = re.compile(r"^([A-Ga-g])(#{1,2}|b{1,2})?(-?\d+)$")
_TOKEN_RE = re.compile(r"^(?P<name>[^*/]+)(?P<mult>(?:[*/]\d+)*)$")


# ----------------------------------------------------------------------------- names


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
    pitch = _check_pitch(pitch)
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


def token_name(token: int) -> str:
    """Readable name of a step token: a note name, ``"HOLD"`` or ``"REST"``.

    Lesson: notebooks/00_music_as_data.ipynb
    """
    token = expect_int(token, "token")
    if token == HOLD:
        return "HOLD"
    if token == REST:
        return "REST"
    if 0 <= token <= 127:
        return note_name(token)
    raise MelodyError(f"{token} is not a step token: tokens are 0..127 (pitches), {HOLD} (HOLD) or {REST} (REST).")


def _check_pitch(pitch) -> int:
    if isinstance(pitch, (bool, np.bool_)) or not isinstance(pitch, (int, np.integer)):
        raise LessonkitTypeError(f"A pitch should be a whole MIDI number like 60, not {pitch!r}.")
    if not 0 <= int(pitch) <= 127:
        raise MelodyError(f"Pitch {int(pitch)} is outside MIDI's range 0..127. Transpose it into range.")
    return int(pitch)


# ----------------------------------------------------------------------------- Note


@dataclass(frozen=True)
class Note:
    """One note of a melody.

    Parameters
    ----------
    pitch : int
        MIDI pitch, 0..127 (60 = C4).
    onset_steps : int
        When it starts, in 16th-note steps from the start of the melody (>= 0).
    duration_steps : int
        How long it sounds, in steps (>= 1).
    velocity : int
        How hard it is played, MIDI 1..127.
    """

    pitch: int
    onset_steps: int
    duration_steps: int
    velocity: int = DEFAULT_VELOCITY

    def __post_init__(self):
        _check_pitch(self.pitch)
        for name in ("onset_steps", "duration_steps", "velocity"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise LessonkitTypeError(f"Note {name} should be a whole number, not {value!r}.")
        if self.onset_steps < 0:
            raise MelodyError(f"Note onset_steps is {self.onset_steps}; it must be 0 or more.")
        if self.duration_steps < 1:
            raise MelodyError(f"Note duration_steps is {self.duration_steps}; a note lasts at least 1 step.")
        if not 1 <= self.velocity <= 127:
            raise MelodyError(f"Note velocity is {self.velocity}; MIDI velocities are 1..127.")

    @property
    def name(self) -> str:
        """Note name, e.g. ``"C4"``."""
        return note_name(self.pitch)

    @property
    def end_steps(self) -> int:
        """Step at which the note stops (onset + duration)."""
        return self.onset_steps + self.duration_steps

    def __repr__(self):
        return (
            f"Note({self.name}, pitch={self.pitch}, onset_steps={self.onset_steps}, "
            f"duration_steps={self.duration_steps}, velocity={self.velocity})"
        )


# ----------------------------------------------------------------------------- Melody


def _int_array(values, name) -> np.ndarray:
    """``values`` as a 1-D int64 array; floats must be whole numbers."""
    try:
        array = np.asarray(values)
    except Exception:
        raise LessonkitTypeError(f"{name} should be a list or array of whole numbers.") from None
    if array.ndim != 1:
        raise MelodyError(f"{name} should be one list of numbers, shape (n_notes,), not shape {array.shape}.")
    if array.size and not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise LessonkitTypeError(f"{name} should hold whole numbers, not {array.dtype} values.")
    if array.size and np.issubdtype(array.dtype, np.floating) and not np.all(np.mod(array, 1) == 0):
        raise MelodyError(f"{name} should hold whole numbers (steps are 16ths), but has e.g. {array[np.mod(array, 1) != 0][0]}.")
    return array.astype(np.int64)


def _parse_meter(meter) -> tuple[int, int]:
    expect_type(meter, str, "meter", 'Write a meter such as "4/4", "3/4" or "6/8".')
    m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*$", meter)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) not in (1, 2, 4, 8, 16):
        raise MelodyError(f'{meter!r} is not a meter. Write beats/beat-unit such as "4/4", "3/4", "6/8".')
    return int(m.group(1)), int(m.group(2))


class Melody:
    """A monophonic melody on the 16th-note grid.

    Build one with :meth:`parse` (text), :meth:`from_tokens`, :meth:`read_midi`,
    :meth:`from_music21`, or from a list of :class:`Note`. The note data is kept as
    numpy arrays (``pitches``, ``onsets_steps``, ``durations_steps``, ``velocities``,
    each ``shape=(n_notes,)``, int), so a student can compute with it directly.

    Parameters
    ----------
    notes : list of Note
        The notes, one at a time: a note may not start before the previous one ends.
    length_steps : int, optional
        Total length in steps, including any rest at the end. Defaults to the end of
        the last note.
    tempo_bpm : float
        Quarter-note beats per minute, used when the melody is played or saved.
    meter : str
        Time signature such as ``"4/4"`` or ``"6/8"``; sets where bar lines fall.
    pickup_steps : int
        Length of an upbeat (anacrusis) before the first bar line, in steps.
    meta : dict
        Where the melody came from (collection, file, title, key, ...).
    """

    def __init__(self, notes=(), *, length_steps=None, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4",
                 pickup_steps=0, meta=None):
        self.length_steps = length_steps
        self.tempo_bpm = tempo_bpm
        self.meter = meter
        self.pickup_steps = pickup_steps
        self.meta = meta if meta is not None else {}
        if isinstance(notes, Note):
            notes = [notes]
        if isinstance(notes, str):
            raise LessonkitTypeError(
                "Melody(...) takes a list of Note. To read text, use Melody.parse(\"C4 D4 E4\")."
            )
        try:
            notes = list(notes)
        except TypeError:
            raise LessonkitTypeError(f"Melody(...) takes a list of Note, not {type(notes).__name__}.") from None
        for note in notes:
            expect_type(note, Note, "each note", "Build notes with Note(pitch, onset_steps, duration_steps).")
        notes.sort(key=lambda n: n.onset_steps)
        arrays = (
            np.array([n.pitch for n in notes], dtype=np.int64),
            np.array([n.onset_steps for n in notes], dtype=np.int64),
            np.array([n.duration_steps for n in notes], dtype=np.int64),
            np.array([n.velocity for n in notes], dtype=np.int64),
        )
        self._set_arrays(*arrays)

    # -- construction from arrays (fast path used by the corpus) -------------------

    @classmethod
    def from_arrays(cls, pitches, onsets_steps, durations_steps, velocities=None, *, length_steps=None,
                    tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", pickup_steps=0, meta=None) -> "Melody":
        """Build a melody from note arrays, each ``shape=(n_notes,)``, sorted by onset.

        Parameters
        ----------
        pitches, onsets_steps, durations_steps : array-like of int, shape=(n_notes,)
            MIDI pitch, onset and duration (in steps) of each note.
        velocities : array-like of int, shape=(n_notes,), optional
            MIDI velocities; default :data:`DEFAULT_VELOCITY`.
        """
        self = cls.__new__(cls)
        self.length_steps = length_steps
        self.tempo_bpm = tempo_bpm
        self.meter = meter
        self.pickup_steps = pickup_steps
        self.meta = meta if meta is not None else {}
        if velocities is None:
            velocities = np.full(len(np.atleast_1d(pitches)), DEFAULT_VELOCITY, dtype=np.int64)
        arrays = [_int_array(a, name) for a, name in ((pitches, "pitches"), (onsets_steps, "onsets_steps"),
                                                      (durations_steps, "durations_steps"), (velocities, "velocities"))]
        self._set_arrays(*arrays)
        return self

    def _set_arrays(self, pitches, onsets, durations, velocities):
        n = len(pitches)
        if n == 0:
            raise MelodyError(
                "This melody has no notes. A melody needs at least one note: "
                'try Melody.parse("C4 D4 E4").'
            )
        if not (len(onsets) == len(durations) == len(velocities) == n):
            raise MelodyError("pitches, onsets, durations and velocities must have the same length.")
        if pitches.min() < 0 or pitches.max() > 127:
            bad = int(pitches[(pitches < 0) | (pitches > 127)][0])
            raise MelodyError(f"Pitch {bad} is outside MIDI's range 0..127. Transpose the melody into range.")
        if onsets.min() < 0:
            raise MelodyError("A note starts before step 0; onsets must be 0 or more.")
        if durations.min() < 1:
            raise MelodyError("A note lasts less than 1 step; every note must last at least one 16th.")
        if velocities.min() < 1 or velocities.max() > 127:
            raise MelodyError("Velocities must be 1..127.")
        ends = onsets + durations
        if n > 1 and np.any(np.diff(onsets) < 0):
            raise MelodyError("The notes are not in time order: sort them by onset_steps first.")
        if n > 1 and np.any(onsets[1:] < ends[:-1]):
            i = int(np.argmax(onsets[1:] < ends[:-1]))
            raise MelodyError(
                f"Notes overlap: {note_name(int(pitches[i]))} at step {int(onsets[i])} is still sounding when "
                f"{note_name(int(pitches[i + 1]))} starts at step {int(onsets[i + 1])}. A Melody plays one note "
                "at a time; shorten the first note or start the second later."
            )
        end = int(ends[-1])
        if self.length_steps is None:
            self.length_steps = end
        self.length_steps = expect_int(self.length_steps, "length_steps")
        if self.length_steps < end:
            raise MelodyError(f"length_steps={self.length_steps} is shorter than the last note, which ends at {end}.")
        if self.length_steps > MAX_LENGTH_STEPS:
            raise MelodyError(
                f"This melody is {self.length_steps} steps long; lessonkit handles up to {MAX_LENGTH_STEPS} steps "
                "(1,000 bars). Use a shorter melody, or cut one with melody.window(start, stop)."
            )
        self.tempo_bpm = expect_number(self.tempo_bpm, "tempo_bpm", low=10, high=400,
                                       hint="A tempo is beats per minute, e.g. 120.")
        _parse_meter(self.meter)
        self.pickup_steps = expect_int(self.pickup_steps, "pickup_steps", low=0)
        expect_type(self.meta, dict, "meta", 'Pass a dict such as {"title": "my tune"}.')
        for a in (pitches, onsets, durations, velocities):
            a.setflags(write=False)
        self.pitches, self.onsets_steps, self.durations_steps, self.velocities = pitches, onsets, durations, velocities

    # -- reading text ---------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", velocity=DEFAULT_VELOCITY,
              meta=None) -> "Melody":
        """Read a melody from its text form, e.g. ``"C4 D4 E4/2 F4/2 G4*2 r"``.

        See the module docstring for the rules. Rests at the end are kept in
        ``length_steps``.

        Raises
        ------
        NoteNameError
            With the position and the offending word, if a word cannot be read.
        """
        expect_type(text, str, "text", 'Write notes separated by spaces, e.g. "C4 D4 E4/2".')
        notes, step = [], 0
        words = [w for w in text.replace(",", " ").split() if w != "|"]
        for i, word in enumerate(words, start=1):
            m = _TOKEN_RE.match(word)
            if not m:
                if re.search(r"[*/]\d*\.\d", word):
                    raise NoteNameError(f"Word {i}, {word!r}: write lengths as fractions, not decimals: "
                                        "*3/2 for one and a half beats, /2 for half a beat.")
                raise NoteNameError(f"Word {i}, {word!r}, is not a note. Write e.g. C4, F#3/2, Bb4*2 or r.")
            length = Fraction(STEPS_PER_BEAT)
            for op, num in re.findall(r"([*/])(\d+)", m.group("mult")):
                if int(num) == 0:
                    raise NoteNameError(f"Word {i}, {word!r}: you cannot multiply or divide a length by 0.")
                length = length * int(num) if op == "*" else length / int(num)
            if length.denominator != 1:
                raise NoteNameError(
                    f"Word {i}, {word!r}, lasts {float(length):g} steps, which is not on the 16th-note grid. "
                    "The shortest note is a 16th (/4). Use /2 for an eighth, /4 for a 16th, *3/2 for a dotted quarter."
                )
            name = m.group("name")
            if name.lower() == "r":
                step += int(length)
                continue
            try:
                pitch = parse_note_name(name)
            except NoteNameError as err:
                raise NoteNameError(f"Word {i}: {err}") from None
            notes.append(Note(pitch, step, int(length), velocity))
            step += int(length)
        if not notes:
            raise MelodyError(
                "This text has no notes" + (" (only rests)" if words else "") +
                '. Type some note names, e.g. "C4 D4 E4".'
            )
        return cls(notes, length_steps=step, tempo_bpm=tempo_bpm, meter=meter, meta=meta)

    def __str__(self) -> str:
        words, step = [], 0
        for note in self.notes:
            if note.onset_steps > step:
                words.append(_length_word("r", note.onset_steps - step))
            words.append(_length_word(note.name, note.duration_steps))
            step = note.end_steps
        if self.length_steps > step:
            words.append(_length_word("r", self.length_steps - step))
        return " ".join(words)

    def __repr__(self) -> str:
        low, high = self.pitch_range
        title = self.meta.get("title")
        bars = self.length_steps / self.steps_per_bar
        return (
            f"Melody({len(self)} notes, {bars:.3g} bars of {self.meter}, {note_name(low)}..{note_name(high)}, "
            f"{self.tempo_bpm:g} bpm" + (f", {title!r}" if title else "") + ")"
        )

    # -- the basics -----------------------------------------------------------------

    @property
    def notes(self) -> list:
        """The notes as a list of :class:`Note` (same as ``list(melody)``)."""
        return list(self)

    def __iter__(self):
        for p, o, d, v in zip(self.pitches, self.onsets_steps, self.durations_steps, self.velocities):
            yield Note(int(p), int(o), int(d), int(v))

    def __len__(self) -> int:
        """Number of notes (rests are not counted)."""
        return len(self.pitches)

    def __getitem__(self, index):
        """``melody[i]`` is the i-th :class:`Note`; ``melody[a:b]`` a list of notes."""
        if isinstance(index, slice):
            return list(self)[index]
        i = expect_int(index, "note index")
        if not -len(self) <= i < len(self):
            raise LessonkitIndexError(f"This melody has {len(self)} notes, so note {i} does not exist "
                                      f"(use 0..{len(self) - 1}, or -1 for the last).")
        i %= len(self)
        return Note(int(self.pitches[i]), int(self.onsets_steps[i]), int(self.durations_steps[i]),
                    int(self.velocities[i]))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Melody):
            return NotImplemented
        return (
            np.array_equal(self.pitches, other.pitches)
            and np.array_equal(self.onsets_steps, other.onsets_steps)
            and np.array_equal(self.durations_steps, other.durations_steps)
            and np.array_equal(self.velocities, other.velocities)
            and self.length_steps == other.length_steps
        )

    __hash__ = None

    @property
    def time_signature(self) -> tuple[int, int]:
        """The meter as numbers, e.g. ``(6, 8)``."""
        return _parse_meter(self.meter)

    @property
    def steps_per_bar(self) -> int:
        """Steps in one bar: 16 in 4/4, 12 in 3/4 and 6/8, 8 in 2/4."""
        beats, unit = self.time_signature
        return beats * 16 // unit

    @property
    def pitch_range(self) -> tuple[int, int]:
        """Lowest and highest MIDI pitch."""
        return int(self.pitches.min()), int(self.pitches.max())

    @property
    def seconds_per_step(self) -> float:
        """Length of one 16th-note step at this tempo, in seconds."""
        return 60.0 / (self.tempo_bpm * STEPS_PER_BEAT)

    @property
    def duration_s(self) -> float:
        """Length of the whole melody, in seconds, at its tempo."""
        return self.length_steps * self.seconds_per_step

    def copy(self, **changes) -> "Melody":
        """A copy with some attributes changed, e.g. ``melody.copy(tempo_bpm=90)``."""
        fields = dict(length_steps=self.length_steps, tempo_bpm=self.tempo_bpm, meter=self.meter,
                      pickup_steps=self.pickup_steps, meta=dict(self.meta))
        arrays = dict(pitches=self.pitches, onsets_steps=self.onsets_steps,
                      durations_steps=self.durations_steps, velocities=self.velocities)
        for key, value in changes.items():
            if key in fields:
                fields[key] = value
            elif key in arrays:
                arrays[key] = value
            else:
                raise LessonkitTypeError(f"Melody has no attribute {key!r} to change.")
        return Melody.from_arrays(arrays["pitches"], arrays["onsets_steps"], arrays["durations_steps"],
                                  arrays["velocities"], **fields)

    def transpose(self, semitones: int) -> "Melody":
        """The same melody moved up (positive) or down (negative) by some semitones.

        Lesson: notebooks/00_music_as_data.ipynb

        Raises
        ------
        MelodyError
            If a note would leave MIDI's range 0..127.
        """
        if isinstance(semitones, bool) or not isinstance(semitones, (int, np.integer)):
            raise LessonkitTypeError(f"transpose takes a whole number of semitones, like 2 or -12, not {semitones!r}.")
        semitones = int(semitones)
        pitches = self.pitches + max(-1000, min(1000, semitones))
        if pitches.min() < 0 or pitches.max() > 127:
            raise MelodyError(
                f"Transposing by {semitones} moves notes to {int(pitches.min())}..{int(pitches.max())}, outside "
                "MIDI's range 0..127. Try a smaller shift."
            )
        return self.copy(pitches=pitches)

    def window(self, start_steps: int, stop_steps: int) -> "Melody":
        """The part of the melody between two steps, starting again at step 0.

        Notes that cross the edges are cut to fit. ``length_steps`` becomes
        ``stop_steps - start_steps``.
        """
        start, stop = expect_int(start_steps, "start_steps"), expect_int(stop_steps, "stop_steps")
        if not 0 <= start < stop:
            raise MelodyError(f"window({start_steps}, {stop_steps}): need 0 <= start < stop.")
        ons, ends = self.onsets_steps, self.onsets_steps + self.durations_steps
        keep = (ends > start) & (ons < stop)
        if not keep.any():
            raise MelodyError(f"There are no notes between steps {start} and {stop}.")
        new_on = np.maximum(ons[keep], start)
        new_end = np.minimum(ends[keep], stop)
        return Melody.from_arrays(self.pitches[keep], new_on - start, new_end - new_on, self.velocities[keep],
                                  length_steps=stop - start, tempo_bpm=self.tempo_bpm, meter=self.meter,
                                  pickup_steps=(self.pickup_steps - start) % self.steps_per_bar,
                                  meta=dict(self.meta))

    def then(self, other: "Melody", gap_steps: int = 0) -> "Melody":
        """This melody followed by ``other`` (after ``gap_steps`` of rest), e.g. call then response."""
        expect_type(other, Melody, "other")
        shift = self.length_steps + int(gap_steps)
        return Melody.from_arrays(
            np.concatenate([self.pitches, other.pitches]),
            np.concatenate([self.onsets_steps, other.onsets_steps + shift]),
            np.concatenate([self.durations_steps, other.durations_steps]),
            np.concatenate([self.velocities, other.velocities]),
            length_steps=shift + other.length_steps, tempo_bpm=self.tempo_bpm, meter=self.meter,
            pickup_steps=self.pickup_steps, meta=dict(self.meta),
        )

    # -- step tokens ----------------------------------------------------------------

    def to_tokens(self) -> np.ndarray:
        """One token per step: the pitch where a note starts, HOLD while it sounds, REST in silence.

        Returns
        -------
        np.ndarray, shape=(length_steps,), dtype=int64
            Values in 0..129 (see the module docstring).
        """
        tokens = np.full(self.length_steps, REST, dtype=np.int64)
        for p, o, d in zip(self.pitches, self.onsets_steps, self.durations_steps):
            tokens[o] = p
            tokens[o + 1:o + d] = HOLD
        return tokens

    @classmethod
    def from_tokens(cls, tokens, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", pickup_steps=0) -> "Melody":
        """The melody that a token sequence describes (the inverse of :meth:`to_tokens`).

        Parameters
        ----------
        tokens : array-like of int, shape=(n_steps,)
            Step tokens, 0..129. A HOLD with no note sounding (at the start, or after
            a REST) is read as a REST.

        Raises
        ------
        MelodyError
            If a token is outside 0..129 or there is no note at all.
        """
        try:
            tokens = np.asarray(tokens)
        except Exception:
            raise LessonkitTypeError("from_tokens takes a list or array of whole-number tokens.") from None
        if tokens.ndim != 1:
            raise MelodyError(f"from_tokens takes one sequence, shape (n_steps,), but got shape {tokens.shape}.")
        if tokens.size and not np.issubdtype(tokens.dtype, np.integer):
            raise LessonkitTypeError(f"Tokens must be whole numbers, but got dtype {tokens.dtype}.")
        tokens = tokens.astype(np.int64)
        if tokens.size and (tokens.min() < 0 or tokens.max() >= VOCAB_SIZE):
            bad = int(tokens[(tokens < 0) | (tokens >= VOCAB_SIZE)][0])
            raise MelodyError(f"{bad} is not a step token: use 0..127 (pitches), {HOLD} (HOLD), {REST} (REST).")
        starts = np.flatnonzero(tokens < 128)
        if starts.size == 0:
            raise MelodyError("These tokens contain no note (only HOLD and REST), so there is no melody to make.")
        # A note lasts from its start through the HOLDs that follow it.
        not_hold = np.flatnonzero(tokens != HOLD)
        nxt = np.searchsorted(not_hold, starts, side="right")
        ends = np.where(nxt < len(not_hold), not_hold[np.minimum(nxt, len(not_hold) - 1)], len(tokens))
        return cls.from_arrays(tokens[starts], starts, ends - starts, length_steps=len(tokens),
                               tempo_bpm=tempo_bpm, meter=meter, pickup_steps=pickup_steps)

    # -- MIDI -----------------------------------------------------------------------

    def to_pretty_midi(self, program: int = 0):
        """This melody as a ``pretty_midi.PrettyMIDI`` object (one instrument, GM ``program``)."""
        import pretty_midi

        pm = pretty_midi.PrettyMIDI(initial_tempo=self.tempo_bpm)
        beats, unit = self.time_signature
        pm.time_signature_changes.append(pretty_midi.TimeSignature(beats, unit, 0.0))
        inst = pretty_midi.Instrument(program=int(program), name=str(self.meta.get("title") or "melody")[:60])
        sps = self.seconds_per_step
        for note in self:
            inst.notes.append(pretty_midi.Note(velocity=note.velocity, pitch=note.pitch,
                                               start=note.onset_steps * sps, end=note.end_steps * sps))
        pm.instruments.append(inst)
        return pm

    def write_midi(self, path, *, overwrite: bool = False, program: int = 0) -> str:
        """Save as a standard MIDI file. Never overwrites an existing file unless ``overwrite=True``.

        Returns
        -------
        str
            The path written.
        """
        expect_type(path, (str, os.PathLike), "path", 'Give a file name such as "my_tune.mid".')
        program = expect_int(program, "program", low=0, high=127, hint="General MIDI programs are 0..127 (0 = piano).")
        path = os.fspath(path)
        refuse_overwrite(path, overwrite)
        buffer = io.BytesIO()
        self.to_pretty_midi(program).write(buffer)
        atomic_write_bytes(path, buffer.getvalue())
        return path

    @classmethod
    def from_pretty_midi(cls, pm, *, meter: str | None = None) -> "Melody":
        """Read the melody of a ``pretty_midi.PrettyMIDI``: quantize to 16ths, keep the top voice.

        The instrument with the most notes (drums excluded) is read. Onsets and ends are
        rounded to the nearest step at the file's first tempo; where notes overlap
        (chords), the highest pitch wins and earlier notes are cut where a later one
        starts.
        """
        instruments = [i for i in pm.instruments if not i.is_drum and i.notes]
        if not instruments:
            raise MidiFileError("This MIDI file has no (non-drum) notes to read.")
        inst = max(instruments, key=lambda i: len(i.notes))
        _, tempi = pm.get_tempo_changes()
        tempo = float(tempi[0]) if len(tempi) else DEFAULT_TEMPO_BPM
        if meter is None:
            ts = pm.time_signature_changes
            meter = f"{ts[0].numerator}/{ts[0].denominator}" if ts else "4/4"
        sps = 60.0 / (tempo * STEPS_PER_BEAT)
        raw = sorted(((seconds_to_steps(n.start, tempo), seconds_to_steps(n.end, tempo), n.pitch, n.velocity) for n in inst.notes),
                     key=lambda x: (x[0], -x[2]))
        return cls._from_events(raw, tempo_bpm=tempo, meter=meter)

    @classmethod
    def _from_events(cls, events, **kwargs) -> "Melody":
        """Monophonic melody from ``(onset, end, pitch, velocity)`` on the grid: top voice, cut overlaps."""
        notes = []
        for onset, end, pitch, velocity in events:
            end = max(end, onset + 1)
            if notes and notes[-1][0] == onset:
                continue  # same start: keep the higher pitch (events are sorted high first)
            if notes and notes[-1][1] > onset:
                notes[-1][1] = onset
            notes.append([onset, end, pitch, velocity])
        notes = [n for n in notes if n[1] > n[0]]
        if not notes:
            raise MelodyError("No notes are left after quantizing to 16th notes.")
        a = np.array(notes, dtype=np.int64)
        return cls.from_arrays(a[:, 2], a[:, 0], a[:, 1] - a[:, 0], np.clip(a[:, 3], 1, 127), **kwargs)

    @classmethod
    def read_midi(cls, path) -> "Melody":
        """Read a MIDI file (see :meth:`from_pretty_midi` for how chords and timing are handled).

        Raises
        ------
        MidiFileError
            If the file is missing, not MIDI, or corrupt.
        """
        import pretty_midi

        expect_type(path, (str, os.PathLike), "path", 'Give a file name such as "my_tune.mid".')
        path = os.fspath(path)
        if not os.path.exists(path):
            raise MidiFileError(f"There is no file {path!r}. Check the name and the folder.")
        try:
            pm = pretty_midi.PrettyMIDI(path)
        except Exception as err:
            raise MidiFileError(
                f"{path!r} is not a readable MIDI file ({type(err).__name__}). Is it really a .mid file? "
                "Try saving it again from your music program."
            ) from None
        melody = cls.from_pretty_midi(pm)
        melody.meta.setdefault("file", os.path.basename(path))
        return melody

    # -- music21 --------------------------------------------------------------------

    def to_music21(self):
        """This melody as a ``music21.stream.Part`` with notes, rests, meter and tempo."""
        from music21 import meter as m21meter
        from music21 import note as m21note
        from music21 import stream, tempo

        part = stream.Part()
        part.append(m21meter.TimeSignature(self.meter))
        part.append(tempo.MetronomeMark(number=self.tempo_bpm))
        step = 0
        for note in self:
            if note.onset_steps > step:
                part.append(m21note.Rest(quarterLength=(note.onset_steps - step) / STEPS_PER_BEAT))
            n = m21note.Note(note.pitch, quarterLength=note.duration_steps / STEPS_PER_BEAT)
            n.volume.velocity = note.velocity
            part.append(n)
            step = note.end_steps
        if self.length_steps > step:
            part.append(m21note.Rest(quarterLength=(self.length_steps - step) / STEPS_PER_BEAT))
        return part

    @classmethod
    def from_music21(cls, stream) -> "Melody":
        """Read a music21 stream (a Score, Part or Opus item) as a melody on the 16th grid.

        Tied notes of the same pitch are merged (a "tie" between two different pitches,
        which some ABC transcriptions write for a slur, keeps both notes), grace notes
        dropped, chords read as their top note, and
        onsets/ends rounded to the nearest 16th, halves down (triplets land on the nearest
        step; a dotted 16th and a 32nd become two 16ths).
        The first meter and tempo found are kept; an upbeat becomes ``pickup_steps``.

        Raises
        ------
        MelodyError
            If the stream has no notes.
        """
        from music21 import stream as m21stream

        if not isinstance(stream, m21stream.Stream):
            raise LessonkitTypeError(f"from_music21 takes a music21 stream (a Score or Part), not {type(stream).__name__}.")
        if isinstance(stream, m21stream.Opus):
            raise LessonkitTypeError(
                f"This is an Opus, a book of {len(stream.scores)} tunes. Pick one tune: "
                "corpus.parse(name, number=1), or opus.scores[0]."
            )
        flat = stream.flatten()
        # The meter written at the start: music21's ABC import can put one TimeSignature
        # object into two measures, and then the flat stream shows it only at the later one.
        parts = stream.parts if hasattr(stream, "parts") and len(stream.parts) else [stream]
        first_measure = parts[0].getElementsByClass("Measure").first()
        ts = first_measure.timeSignature if first_measure is not None else None
        if ts is None:
            ts = flat.getElementsByClass("TimeSignature").first()
        meter = ts.ratioString if ts is not None else "4/4"
        mm = flat.getElementsByClass("MetronomeMark").first()
        tempo_bpm = float(mm.getQuarterBPM()) if mm is not None and mm.number else DEFAULT_TEMPO_BPM
        events, tied = [], {}  # tied: pitch -> index of the event whose tie goes on
        for el in flat.notes:
            if el.duration.isGrace or el.duration.quarterLength == 0:
                continue
            pitch = max(p.midi for p in el.pitches) if el.isChord else el.pitch.midi
            if not 0 <= pitch <= 127:
                continue
            onset = float(el.offset) * STEPS_PER_BEAT
            end = onset + float(el.duration.quarterLength) * STEPS_PER_BEAT
            k = tied.pop(pitch, None)
            if k is not None and abs(events[k][1] - onset) < 1e-6:
                events[k][1] = end  # music21's stripTies would also join ties between different pitches
            else:
                events.append([onset, end, pitch, int(el.volume.velocity or DEFAULT_VELOCITY)])
                k = len(events) - 1
            if el.tie is not None and el.tie.type in ("start", "continue"):
                tied[pitch] = k
        # Round halves down: a dotted-16th + 32nd pair (1.5 + 0.5 steps, as hornpipes are often
        # written) becomes two 16ths; Python's round() (halves to even) would merge every other pair.
        events = [(_round_half_down(o), _round_half_down(e), p, v) for o, e, p, v in events]
        if not events:
            raise MelodyError("This music21 stream has no notes.")
        events.sort(key=lambda e: (e[0], -e[2]))
        pickup = 0
        measures = parts[0].getElementsByClass("Measure")
        if len(measures) and ts is not None:
            first = measures[0]
            bar = ts.barDuration.quarterLength
            if first.paddingLeft and first.paddingLeft > 0:
                pickup = int(round((bar - float(first.paddingLeft)) * STEPS_PER_BEAT))
            elif first.duration.quarterLength < bar and len(measures) > 1:
                pickup = int(round(float(first.duration.quarterLength) * STEPS_PER_BEAT))
        length = max(int(round(float(flat.highestTime) * STEPS_PER_BEAT)), max(e[1] for e in events))
        melody = cls._from_events(events, tempo_bpm=min(max(tempo_bpm, 10.0), 400.0), meter=_safe_meter(meter),
                                  pickup_steps=pickup)
        return melody.copy(length_steps=max(length, melody.length_steps))


def _round_half_down(x: float) -> int:
    return int(math.ceil(x - 0.5 - 1e-9))


def _safe_meter(meter: str) -> str:
    try:
        _parse_meter(meter)
        return meter
    except Exception:
        return "4/4"


def seconds_to_steps(time_s, tempo_bpm: float = DEFAULT_TEMPO_BPM):
    """Round a time in seconds to the nearest 16th-note step.

    Parameters
    ----------
    time_s : float or np.ndarray
        Time(s) in seconds.
    tempo_bpm : float
        Quarter-note beats per minute.

    Returns
    -------
    int or np.ndarray of int
        Step index (a 16th note is ``60 / (tempo_bpm * 4)`` seconds).
    """
    steps = np.rint(np.asarray(time_s, dtype=float) * tempo_bpm * STEPS_PER_BEAT / 60.0).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps


def _length_word(name: str, steps: int) -> str:
    length = Fraction(int(steps), STEPS_PER_BEAT)
    if length == 1:
        return name
    if length.numerator == 1:
        return f"{name}/{length.denominator}"
    if length.denominator == 1:
        return f"{name}*{length.numerator}"
    return f"{name}*{length.numerator}/{length.denominator}"
