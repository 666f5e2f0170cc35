"""Music as data: notes, melodies, note names, step tokens, MIDI and music21.

Lesson: notebooks/00_music_as_data.ipynb

Time is counted in **steps**: one step is a 16th note, so a quarter-note beat is
4 steps and a bar of 4/4 is 16 steps. Pitch is a MIDI number (60 is middle C,
written ``C4``; 69 is ``A4`` = 440 Hz). A :class:`Melody` plays one note at a time
(it is *monophonic*, like a voice or a flute). Silence between notes is a rest.

Everything is imported from here (``from lessonkit.music import Melody, Note, HOLD``);
each part lives in a file you can read in one sitting:

==============  =====================================================================
``names.py``    the step grid, note names (``"C4"`` <-> 60), meters, ``midi_to_hz``
``model.py``    :class:`Note` and the note arrays (checking, copy, transpose, window,
                then), ``pad_to_bar``
``text.py``     the typed text form, ``Melody.parse("C4 D4 E4/2 r")`` and ``str(melody)``
``tokens.py``   step tokens (``HOLD``, ``REST``, the 130-token vocabulary)
``midi.py``     MIDI files through pretty_midi
``interop.py``  music21 streams (the folk corpus comes through here)
``melody.py``   :class:`Melody`: the arrays plus one-line doors into the files above
==============  =====================================================================

Imports run down this table's dependency order: ``names`` <- ``model`` <- ``text``,
``tokens``, ``midi`` <- ``interop`` <- ``melody`` <- this file; never back up.
"""

from .melody import Melody
from .model import MelodyCore, Note, pad_to_bar
from .names import (DEFAULT_TEMPO_BPM, DEFAULT_VELOCITY, MAX_LENGTH_STEPS, STEPS_PER_BEAT, midi_to_hz, note_name,
                    parse_meter, parse_note_name, steps_per_bar)
from .midi import seconds_to_steps
from .tokens import HOLD, REST, VOCAB_SIZE, token_name

_parse_meter = parse_meter  # the old private name (music.py), for code written before the package split

__all__ = [
    "Melody", "MelodyCore", "Note", "pad_to_bar",
    "DEFAULT_TEMPO_BPM", "DEFAULT_VELOCITY", "MAX_LENGTH_STEPS", "STEPS_PER_BEAT",
    "midi_to_hz", "note_name", "parse_meter", "parse_note_name", "steps_per_bar",
    "seconds_to_steps", "HOLD", "REST", "VOCAB_SIZE", "token_name",
]
