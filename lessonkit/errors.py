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
    article = "an" if wanted[:1].lower() in "aeiou" else "a"
    message = f"{name} should be {article} {wanted}, but got {type(value).__name__} ({value!r:.60})."
    if hint:
        message += " " + hint
    raise LessonkitTypeError(message)


def expect_int(value, name, *, low=None, high=None, hint=""):
    """Return ``value`` as an ``int`` (numpy integers welcome); raise a lessonkit error otherwise.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        The argument's name, as the student wrote it.
    low, high : int, optional
        Inclusive bounds; outside them a :class:`LessonkitValueError` says the range.
    """
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise LessonkitTypeError(f"{name} should be a whole number, but got {value!r:.60}." + (" " + hint if hint else ""))
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{low}..{high}" if low is not None and high is not None else (f">= {low}" if low is not None else f"<= {high}")
        raise LessonkitValueError(f"{name}={value} is out of range: use {span}." + (" " + hint if hint else ""))
    return value


def expect_number(value, name, *, low=None, high=None, hint=""):
    """Return ``value`` as a finite ``float``; raise a lessonkit error otherwise (bounds inclusive)."""
    import math
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LessonkitTypeError(f"{name} should be a number, but got {value!r:.60}." + (" " + hint if hint else ""))
    value = float(value)
    if not math.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
        span = f"{low:g}..{high:g}" if low is not None and high is not None else "a finite number"
        raise LessonkitValueError(f"{name}={value:g} is out of range: use {span}." + (" " + hint if hint else ""))
    return value


class LessonkitValueError(LessonkitError, ValueError):
    """An argument has the right type but an impossible value (a negative length, a tempo of 0)."""


class LessonkitIndexError(LessonkitError, IndexError):
    """An index points past the end (a note number larger than the melody)."""
