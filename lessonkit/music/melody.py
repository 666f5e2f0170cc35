"""The :class:`Melody` students use: the note arrays of :mod:`.model` plus thin doors.

Lesson: notebooks/00_music_as_data.ipynb

Each door is one line into the module that does the work, so each form of a melody is
read in one file: :mod:`.text` (typed text), :mod:`.tokens` (step tokens),
:mod:`.midi` (MIDI files) and :mod:`.interop` (music21).
"""

from __future__ import annotations

import numpy as np

from . import interop, midi
from . import text as _text
from . import tokens as _tokens
from .model import MelodyCore
from .names import DEFAULT_TEMPO_BPM, DEFAULT_VELOCITY


class Melody(MelodyCore):
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

    Two melodies are ``==`` when they have the same notes (pitch, onset, duration,
    velocity) and the same ``length_steps``; tempo, meter and ``meta`` are not compared.
    """

    # -- text (lessonkit.music.text) ----------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", velocity=DEFAULT_VELOCITY,
              meta=None) -> "Melody":
        """Read a melody from its text form, e.g. ``"C4 D4 E4/2 F4/2 G4*2 r"`` (see :mod:`lessonkit.music.text`).

        Raises
        ------
        NoteNameError
            With the position and the offending word, if a word cannot be read.
        """
        return _text.parse_melody(cls, text, tempo_bpm=tempo_bpm, meter=meter, velocity=velocity, meta=meta)

    def __str__(self) -> str:
        return _text.melody_text(self)

    # -- step tokens (lessonkit.music.tokens) -------------------------------------------

    def to_tokens(self) -> np.ndarray:
        """One token per step, ``shape=(length_steps,)``, int64, 0..129 (see :mod:`lessonkit.music.tokens`)."""
        return _tokens.to_tokens(self)

    @classmethod
    def from_tokens(cls, tokens, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", pickup_steps=0) -> "Melody":
        """The melody that a token sequence describes (the inverse of :meth:`to_tokens`)."""
        return _tokens.from_tokens(cls, tokens, tempo_bpm=tempo_bpm, meter=meter, pickup_steps=pickup_steps)

    # -- MIDI (lessonkit.music.midi) ----------------------------------------------------

    def to_pretty_midi(self, program: int = 0):
        """This melody as a ``pretty_midi.PrettyMIDI`` object (one instrument, GM ``program``)."""
        return midi.to_pretty_midi(self, program)

    def write_midi(self, path, *, overwrite: bool = False, program: int = 0) -> str:
        """Save as a standard MIDI file. Never overwrites an existing file unless ``overwrite=True``."""
        return midi.write_midi(self, path, overwrite=overwrite, program=program)

    @classmethod
    def from_pretty_midi(cls, pm, *, meter: str | None = None) -> "Melody":
        """Read the melody of a ``pretty_midi.PrettyMIDI``: quantize to 16ths, keep the top voice."""
        return midi.from_pretty_midi(cls, pm, meter=meter)

    @classmethod
    def read_midi(cls, path) -> "Melody":
        """Read a MIDI file; a :class:`~lessonkit.errors.MidiFileError` if it is missing or not MIDI."""
        return midi.read_midi(cls, path)

    # -- music21 (lessonkit.music.interop) ----------------------------------------------

    def to_music21(self):
        """This melody as a ``music21.stream.Part`` with notes, rests, meter and tempo."""
        return interop.to_music21(self)

    @classmethod
    def from_music21(cls, stream) -> "Melody":
        """Read a music21 stream (a Score or Part) as a melody on the 16th grid."""
        return interop.from_music21(cls, stream)
