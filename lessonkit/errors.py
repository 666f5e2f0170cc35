"""The one family of errors lessonkit raises.

Every message says three things: what was wrong, what was expected, and what to try.
A student should never meet a stack trace from deep inside torch or music21 for a
mistake lessonkit could have caught.

The classes also inherit from the matching built-in error (``ValueError``,
``TypeError``, ``FileNotFoundError``, ``FileExistsError``), so code written
against the standard library still catches them.
"""


class LessonkitError(Exception):
    """Base class of every error lessonkit raises on purpose."""


class NoteNameError(LessonkitError, ValueError):
    """A note name or melody text could not be read (``"H4"``, ``"C#"``, ``"C4/3"``)."""


class MelodyError(LessonkitError, ValueError):
    """A melody is empty, has overlapping notes, or has pitches outside 0..127."""


class LessonkitTypeError(LessonkitError, TypeError):
    """A public function got an argument of the wrong type."""


class MidiFileError(LessonkitError, ValueError):
    """A file is missing, is not MIDI, or is corrupt."""


class DataFileError(LessonkitError, FileNotFoundError):
    """A shipped data file is missing or damaged; the message says how to rebuild it."""


class FileExistsLessonkitError(LessonkitError, FileExistsError):
    """Writing would overwrite a file that already exists (pass ``overwrite=True``)."""


class ModelError(LessonkitError, ValueError):
    """A model was asked for something it cannot do (bad temperature, length, range)."""


def expect_type(value, types, name, hint=""):
    """Raise :class:`LessonkitTypeError` unless ``value`` is an instance of ``types``.

    Parameters
    ----------
    value : object
        The argument to check.
    types : type or tuple of type
        What is accepted.
    name : str
        The argument's name, as the student wrote it.
    hint : str
        Optional advice appended to the message.
    """
    if isinstance(value, types):
        return value
    if isinstance(types, tuple):
        wanted = " or ".join(t.__name__ for t in types)
    else:
        wanted = types.__name__
    message = f"{name} should be a {wanted}, but got {type(value).__name__} ({value!r:.60})."
    if hint:
        message += " " + hint
    raise LessonkitTypeError(message)
