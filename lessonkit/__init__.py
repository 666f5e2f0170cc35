"""lessonkit: the small library behind a hands-on course on how AI makes music.

The lessons live in ``notebooks/``; each module here says which lesson teaches it.

* :mod:`lessonkit.music`     notes, melodies, MIDI, step tokens           (lesson 00)
* :mod:`lessonkit.datasets`  the folk-tune corpus, loops, instrument notes (lesson 00)
* :mod:`lessonkit.audio`     rendering, playback, WAV files                (lesson 00)
* :mod:`lessonkit.analysis`  spectrograms, pitch, loudness                 (lessons 00, 03)
* :mod:`lessonkit.plots`     piano rolls, waveforms, spectrograms          (all lessons)
* :mod:`lessonkit.models`    the models, one short file per family         (lessons 01-04)
* :mod:`lessonkit.checks`    feedback on exercises                         (all lessons)
* :func:`lessonkit.originality` how much of a melody is copied from the training tunes (lesson 05);
  its module's other names: ``from lessonkit.originality import OriginalityIndex, intervals``
"""

from .errors import LessonkitError
from .music import HOLD, REST, VOCAB_SIZE, Melody, Note, note_name, parse_note_name
from .originality import originality  # the function shadows its module's name here, on purpose (public API)

__version__ = "0.1.0"

__all__ = ["LessonkitError", "Melody", "Note", "HOLD", "REST", "VOCAB_SIZE", "note_name", "parse_note_name",
           "originality"]
