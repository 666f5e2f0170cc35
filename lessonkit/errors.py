"""The one family of errors lessonkit raises, and the validators that raise them.

Every message says three things: what was wrong, what was expected, and what to try.
A student should never meet a stack trace from deep inside torch or music21 for a
mistake lessonkit could have caught.

The classes also inherit from the matching built-in error (``ValueError``,
``TypeError``, ``IndexError``, ``FileNotFoundError``, ``FileExistsError``), so code
written against the standard library still catches them.

The validators (one set, used by every module)
----------------------------------------------
:func:`expect_type`, :func:`expect_int` and :func:`expect_number` check an argument at the
public edge and return it cleaned up. They agree on these rules (``tests/test_validators.py``):

* **Type errors** (:class:`LessonkitTypeError`) are for the wrong *kind* of value: a string,
  ``None``, a list, ``True``/``False`` where a number is wanted, and, for a whole number,
  a number with a fraction (``2.5``).
* **A whole-valued float is a whole number**: ``3.0`` is accepted and returned as the int
  ``3`` (so ``bars = 8 / 4`` works, as do numpy integers and floats), the same rule the
  note arrays follow (``Melody.from_arrays([60.0], [0.0], [4.0])``). ``True`` is never a number.
* **Value errors** are for the right kind with an impossible value (out of range, NaN):
  :class:`LessonkitValueError`, or the caller's own subclass of it (``error=ModelError``
  for a model's arguments).
* Messages read ``name=value is not a whole number: use ADVICE.``, ``name=value is too
  small: use ADVICE.``, ``name=value is out of range: use ADVICE.``; ``advice`` defaults to a
  description of the bounds.

A model's seed, temperature and length checks (:mod:`lessonkit.models.base`) are built on these.
"""

import math
import numbers


class LessonkitError(Exception):
    """Base class of every error lessonkit raises on purpose."""


class LessonkitTypeError(LessonkitError, TypeError):
    """A public function got an argument of the wrong type."""


class LessonkitValueError(LessonkitError, ValueError):
    """An argument has the right type but an impossible value (a negative length, a tempo of 0)."""


class LessonkitIndexError(LessonkitError, IndexError):
    """An index points past the end (a note number larger than the melody)."""


class NoteNameError(LessonkitError, ValueError):
    """A note name or melody text could not be read (``"H4"``, ``"C#"``, ``"C4/3"``)."""


class MelodyError(LessonkitValueError):
    """A melody is empty, has overlapping notes, or has pitches outside 0..127."""


class ModelError(LessonkitValueError):
    """A model was asked for something it cannot do (bad temperature, length, range, seed)."""


class SplitError(LessonkitValueError):
    """A split name is not one of ``"train"``, ``"valid"``, ``"test"`` (or ``None`` for all)."""


class MidiFileError(LessonkitError, ValueError):
    """A file is missing, is not MIDI, or is corrupt."""


class DataFileError(LessonkitError, FileNotFoundError):
    """A shipped data file (or a weights file) is missing or damaged; the message says how to rebuild it."""


class FileExistsLessonkitError(LessonkitError, FileExistsError):
    """Writing would overwrite a file that already exists (pass ``overwrite=True``)."""


class BuildError(LessonkitError):
    """A maintainer's data build could not run (missing tool, or output that fails its checks)."""


# ----------------------------------------------------------------------------- validators


def _with_hint(message: str, hint: str) -> str:
    return message + (" " + hint if hint else "")


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

    Returns
    -------
    object
        ``value``, unchanged.
    """
    if isinstance(value, types):
        return value
    if isinstance(types, tuple):
        wanted = " or ".join(t.__name__ for t in types)
    else:
        wanted = types.__name__
    article = "an" if wanted[:1].lower() in "aeiou" else "a"
    message = f"{name} should be {article} {wanted}, but got {type(value).__name__} ({value!r:.60})."
    raise LessonkitTypeError(_with_hint(message, hint))


def _span(low, high, fmt="") -> str:
    if low is not None and high is not None:
        return f"from {low:{fmt}} to {high:{fmt}}"
    if low is not None:
        return f">= {low:{fmt}}"
    if high is not None:
        return f"<= {high:{fmt}}"
    return ""


def expect_int(value, name, *, low=None, high=None, advice=None, hint="", error=None) -> int:
    """``value`` as an ``int``, or a lessonkit error that names the argument.

    Parameters
    ----------
    value : object
        The argument. Accepted: ``int``, numpy integers, and floats with a whole value
        (``3.0`` -> ``3``). Refused with :class:`LessonkitTypeError`: ``bool``, fractions
        (``2.5``), strings, ``None``, anything else.
    name : str
        The argument's name, as the student wrote it.
    low, high : int, optional
        Inclusive bounds.
    advice : str, optional
        What to use instead, e.g. ``"a whole number of steps >= 1 such as 1000"``; by
        default "a whole number" and the bounds.
    hint : str
        A further sentence appended to every message.
    error : type, optional
        The class raised for a value out of range (a subclass of
        :class:`LessonkitValueError`, e.g. :class:`ModelError`); default
        :class:`LessonkitValueError`.

    Returns
    -------
    int
    """
    if advice is None:
        advice = "a whole number" + (" " + _span(low, high) if low is not None or high is not None else "")
    whole = (isinstance(value, numbers.Integral)
             or (isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer()))
    if isinstance(value, bool) or not whole:
        shown = f"{value!r:.40}" if not isinstance(value, numbers.Real) or isinstance(value, bool) else f"{value}"
        raise LessonkitTypeError(_with_hint(f"{name}={shown} is not a whole number: use {advice}.", hint))
    value = int(value)
    if low is not None and value < low:
        raise (error or LessonkitValueError)(_with_hint(f"{name}={value} is too small: use {advice}.", hint))
    if high is not None and value > high:
        raise (error or LessonkitValueError)(_with_hint(f"{name}={value} is too large: use {advice}.", hint))
    return value


def expect_number(value, name, *, low=None, high=None, positive=False, advice=None, hint="", error=None) -> float:
    """``value`` as a finite ``float``, or a lessonkit error that names the argument.

    Parameters
    ----------
    value : object
        The argument: an int, float or numpy number (not ``bool``); else :class:`LessonkitTypeError`.
    name : str
        The argument's name.
    low, high : float, optional
        Inclusive bounds.
    positive : bool
        Also refuse 0 (a learning rate, a time limit).
    advice, hint, error
        As for :func:`expect_int`.

    Returns
    -------
    float
        Finite; NaN and infinities are out of range.
    """
    if advice is None:
        advice = ("a number > 0" if positive and low is None else
                  "a number " + _span(low, high, "g") if low is not None or high is not None else "a finite number")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LessonkitTypeError(_with_hint(f"{name}={value!r:.40} is not a number: use {advice}.", hint))
    value = float(value)
    if (not math.isfinite(value) or (positive and value <= 0) or (low is not None and value < low)
            or (high is not None and value > high)):
        raise (error or LessonkitValueError)(_with_hint(f"{name}={value:g} is out of range: use {advice}.", hint))
    return value
