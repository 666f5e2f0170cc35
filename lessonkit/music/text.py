"""The typed text form of a melody: ``"C4 D4 E4/2 F4/2 G4*2 | r A4 G4"``.

Lesson: notebooks/00_music_as_data.ipynb

Students type melodies as note names separated by spaces::

    Melody.parse("C4 D4 E4/2 F4/2 G4*2 | r A4 G4")

* ``C4``, ``F#3``, ``Bb5``: a note, a quarter note long (4 steps). Sharps are ``#``,
  flats ``b``; the octave number follows the scientific convention (``C4`` = 60).
* ``r``: a rest, a quarter note long.
* ``*N`` makes it N times longer, ``/N`` N times shorter, and both can be combined:
  ``C4*2`` half note (8 steps), ``C4/2`` eighth (2 steps), ``C4/4`` 16th (1 step),
  ``C4*3/2`` dotted quarter (6 steps). The result must be a whole number of steps.
* ``|`` is a bar line, for your eyes only: it is ignored.

``str(melody)`` prints this form back (:func:`melody_text`), so ``Melody.parse(str(m)) == m``
for any melody on the grid whose notes have the default velocity (the text form has no loudness).
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..errors import MelodyError, NoteNameError, expect_type
from .model import Note
from .names import DEFAULT_TEMPO_BPM, DEFAULT_VELOCITY, STEPS_PER_BEAT, parse_note_name

_TOKEN_RE = re.compile(r"^(?P<name>[^*/]+)(?P<mult>(?:[*/]\d+)*)$")


def parse_melody(cls, text: str, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", velocity=DEFAULT_VELOCITY,
                 meta=None):
    """Read a melody of class ``cls`` from its text form (the door is :meth:`Melody.parse`).

    Parameters
    ----------
    cls : type
        The class to build, :class:`lessonkit.music.Melody`.
    text : str
        Note words as described in the module docstring.

    Returns
    -------
    Melody
        Rests at the end are kept in ``length_steps``.

    Raises
    ------
    NoteNameError
        With the position and the offending word, if a word cannot be read.
    MelodyError
        If the text has no notes.
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


def melody_text(melody) -> str:
    """The text form of a melody (what ``str(melody)`` prints): note words and rests."""
    words, step = [], 0
    for note in melody.notes:
        if note.onset_steps > step:
            words.append(_length_word("r", note.onset_steps - step))
        words.append(_length_word(note.name, note.duration_steps))
        step = note.end_steps
    if melody.length_steps > step:
        words.append(_length_word("r", melody.length_steps - step))
    return " ".join(words)


def _length_word(name: str, steps: int) -> str:
    length = Fraction(int(steps), STEPS_PER_BEAT)
    if length == 1:
        return name
    if length.numerator == 1:
        return f"{name}/{length.denominator}"
    if length.denominator == 1:
        return f"{name}*{length.numerator}"
    return f"{name}*{length.numerator}/{length.denominator}"
