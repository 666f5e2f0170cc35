"""The data model: a :class:`Note`, and the note arrays every :class:`~lessonkit.music.Melody` is.

Lesson: notebooks/00_music_as_data.ipynb

:class:`MelodyCore` holds and checks the arrays (``pitches``, ``onsets_steps``,
``durations_steps``, ``velocities``, each ``shape=(n_notes,)``, int64, read-only) and
does what needs nothing but them: iterate, compare, copy, transpose, cut, join.
:class:`lessonkit.music.Melody` adds the doors to the text form, step tokens, MIDI
and music21 (``melody.py``); students only ever meet ``Melody``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import LessonkitIndexError, LessonkitTypeError, MelodyError, expect_int, expect_number, expect_type
from .names import (DEFAULT_TEMPO_BPM, DEFAULT_VELOCITY, MAX_LENGTH_STEPS, STEPS_PER_BEAT, check_pitch, note_name,
                    parse_meter)


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
        object.__setattr__(self, "pitch", check_pitch(self.pitch))
        for name in ("onset_steps", "duration_steps", "velocity"):  # 3.0 becomes 3, 2.5 is a type error
            object.__setattr__(self, name, expect_int(getattr(self, name), f"Note {name}"))
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


class MelodyCore:
    """The note arrays of a monophonic melody and what needs nothing but them.

    Use :class:`lessonkit.music.Melody` (a subclass): see its docstring for the parameters.
    Methods that make a new melody return the caller's class, so a ``Melody`` stays a ``Melody``.
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
                    tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", pickup_steps=0, meta=None) -> "MelodyCore":
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
        parse_meter(self.meter)
        self.pickup_steps = expect_int(self.pickup_steps, "pickup_steps", low=0)
        expect_type(self.meta, dict, "meta", 'Pass a dict such as {"title": "my tune"}.')
        for a in (pitches, onsets, durations, velocities):
            a.setflags(write=False)
        self.pitches, self.onsets_steps, self.durations_steps, self.velocities = pitches, onsets, durations, velocities

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
        if not isinstance(other, MelodyCore):
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
        return parse_meter(self.meter)

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

    def copy(self, **changes) -> "MelodyCore":
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
        return type(self).from_arrays(arrays["pitches"], arrays["onsets_steps"], arrays["durations_steps"],
                                  arrays["velocities"], **fields)

    def transpose(self, semitones: int) -> "MelodyCore":
        """The same melody moved up (positive) or down (negative) by some semitones.

        Lesson: notebooks/00_music_as_data.ipynb

        Raises
        ------
        MelodyError
            If a note would leave MIDI's range 0..127.
        """
        semitones = expect_int(semitones, "semitones", advice="a whole number of semitones, like 2 or -12")
        pitches = self.pitches + max(-1000, min(1000, semitones))
        if pitches.min() < 0 or pitches.max() > 127:
            raise MelodyError(
                f"Transposing by {semitones} moves notes to {int(pitches.min())}..{int(pitches.max())}, outside "
                "MIDI's range 0..127. Try a smaller shift."
            )
        return self.copy(pitches=pitches)

    def window(self, start_steps: int, stop_steps: int) -> "MelodyCore":
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
        return type(self).from_arrays(self.pitches[keep], new_on - start, new_end - new_on, self.velocities[keep],
                                  length_steps=stop - start, tempo_bpm=self.tempo_bpm, meter=self.meter,
                                  pickup_steps=(self.pickup_steps - start) % self.steps_per_bar,
                                  meta=dict(self.meta))

    def then(self, other: "MelodyCore", gap_steps: int = 0) -> "MelodyCore":
        """This melody followed by ``other`` (after ``gap_steps`` of rest), e.g. call then response."""
        if not isinstance(other, MelodyCore):
            raise LessonkitTypeError(f"other should be a Melody, but got {type(other).__name__} ({other!r:.60}). "
                                     'Make one with Melody.parse("G4 E4 C4").')
        shift = self.length_steps + int(gap_steps)
        return type(self).from_arrays(
            np.concatenate([self.pitches, other.pitches]),
            np.concatenate([self.onsets_steps, other.onsets_steps + shift]),
            np.concatenate([self.durations_steps, other.durations_steps]),
            np.concatenate([self.velocities, other.velocities]),
            length_steps=shift + other.length_steps, tempo_bpm=self.tempo_bpm, meter=self.meter,
            pickup_steps=self.pickup_steps, meta=dict(self.meta),
        )



def pad_to_bar(melody: MelodyCore) -> MelodyCore:
    """The melody with rests added up to the next bar line (unchanged if it ends on one).

    Lesson: notebooks/01_rules_vs_examples.ipynb, notebooks/02_ai_duet.ipynb

    Every duet answer starts on the first beat of the bar after the call, so this is the
    call as the models hear it: draw or play call and answer together with
    ``pad_to_bar(call).then(answer)``. Bar lines fall every ``steps_per_bar`` steps after
    the upbeat (``pickup_steps``).

    Parameters
    ----------
    melody : Melody

    Returns
    -------
    Melody
        Same notes; ``length_steps`` rounded up to a bar line.
    """
    if not isinstance(melody, MelodyCore):
        raise LessonkitTypeError(f"pad_to_bar takes a Melody, not {type(melody).__name__}. "
                                 'Make one with Melody.parse("C4 D4 E4").')
    pickup = melody.pickup_steps % melody.steps_per_bar
    pad = (-(melody.length_steps - pickup)) % melody.steps_per_bar
    return melody.copy(length_steps=melody.length_steps + pad)
