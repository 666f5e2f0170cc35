"""What every sound measurement shares: the sample rate, frames, decibels, pitch <-> Hz.

Lesson: notebooks/00_music_as_data.ipynb

See :mod:`lessonkit.analysis` for the conventions (mono float32 audio, centred frames).
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitError, LessonkitTypeError
from ..music import midi_to_hz  # noqa: F401 (analysis.midi_to_hz: one definition, in music)

SR = 16000
"""lessonkit's sample rate in Hz (the same number as :data:`lessonkit.audio.SR`)."""

DEFAULT_N_FFT = 1024
"""FFT size: 64 ms at 16 kHz, 15.6 Hz between frequency bins."""
DEFAULT_HOP = 256
"""Hop between frames: 16 ms at 16 kHz (62.5 frames a second)."""
DB_FLOOR = -100.0
"""Quietest level reported, in dB: silence (log of 0) is shown as this."""


# ----------------------------------------------------------------------------- helpers


def as_mono(audio, name="audio") -> np.ndarray:
    """``audio`` as a 1-D float32 array, ``shape=(n_samples,)``, or a LessonkitError saying what is wrong."""
    if isinstance(audio, (list, tuple)):
        audio = np.asarray(audio, dtype=np.float32)
    if not isinstance(audio, np.ndarray):
        raise LessonkitTypeError(
            f"{name} should be a numpy array of samples, but got {type(audio).__name__}. "
            "Render a melody first: lessonkit.audio.render(melody)."
        )
    if audio.ndim != 1:
        raise LessonkitError(f"{name} must be mono, shape (n_samples,), but has shape {audio.shape}. "
                             "For a batch, call the function once per row.")
    if audio.size == 0:
        raise LessonkitError(f"{name} is empty (0 samples); there is nothing to analyse.")
    if not np.all(np.isfinite(audio)):
        raise LessonkitError(f"{name} contains NaN or infinite values; check how it was made.")
    return audio.astype(np.float32, copy=False)


def to_db(values, *, power: bool = False, floor_db: float = DB_FLOOR) -> np.ndarray:
    """Decibels of amplitudes (``20 log10``) or powers (``10 log10``), never below ``floor_db``.

    Parameters
    ----------
    values : array-like, any shape
        Non-negative amplitudes (or powers when ``power=True``).
    floor_db : float
        Lower limit, so silence gives ``floor_db`` instead of minus infinity.

    Returns
    -------
    np.ndarray, same shape, float32, in dB (0 dB = a value of 1).
    """
    values = np.asarray(values, dtype=np.float64)
    tiny = 10.0 ** (floor_db / (10.0 if power else 20.0))
    db = (10.0 if power else 20.0) * np.log10(np.maximum(values, tiny))
    return db.astype(np.float32)


def frame_times(n_frames: int, *, sr: int = SR, hop_length: int = DEFAULT_HOP) -> np.ndarray:
    """Centre time of each frame in seconds, ``shape=(n_frames,)``."""
    return (np.arange(n_frames) * hop_length / sr).astype(np.float32)


def frame_signal(audio: np.ndarray, frame_length: int, hop_length: int, center: bool = True) -> np.ndarray:
    """Overlapping frames as a read-only view, ``shape=(n_frames, frame_length)``."""
    if center:
        audio = np.pad(audio, frame_length // 2)
    if len(audio) < frame_length:
        audio = np.pad(audio, (0, frame_length - len(audio)))
    view = np.lib.stride_tricks.sliding_window_view(audio, frame_length)
    return view[::hop_length]


def hz_to_midi(f_hz):
    """MIDI pitch (may be fractional) of a frequency: 440 Hz -> 69.0. NaN stays NaN."""
    f_hz = np.asarray(f_hz, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 69.0 + 12.0 * np.log2(f_hz / 440.0)


def cents_off(f_hz, pitch, *, fold_octaves: bool = False):
    """How far a frequency is from a MIDI pitch, in cents (100 cents = 1 semitone).

    Parameters
    ----------
    f_hz : float or array
        Measured frequency in Hz.
    pitch : int or array
        The intended MIDI pitch.
    fold_octaves : bool
        If True, an answer one or more octaves away counts as that octave's pitch
        (an estimator that hears the 2nd harmonic is then not penalised): the result
        lies in [-600, 600).

    Returns
    -------
    float or np.ndarray
        Positive when sharp, negative when flat.
    """
    cents = 100.0 * (hz_to_midi(f_hz) - np.asarray(pitch, dtype=np.float64))
    if fold_octaves:
        cents = (cents + 600.0) % 1200.0 - 600.0
    return cents


def tuning_cents(f_hz: float, pitch, *, limit: float = 50.0) -> float:
    """How sharp (+) or flat (-) a recording of MIDI ``pitch`` is, from its measured f0, in cents.

    Octaves are folded (a pitch tracker may hear a note an octave away). When ``f_hz`` is not
    a number or the folded distance is more than ``limit`` cents, the measurement is not
    trusted as tuning and the answer is 0.0 (in tune with the label).

    Lesson: notebooks/03_neural_synthesizer.ipynb (recordings are not exactly at their labels)
    """
    if not np.isfinite(f_hz) or f_hz <= 0:
        return 0.0
    cents = float(cents_off(f_hz, pitch, fold_octaves=True))
    return cents if abs(cents) <= limit else 0.0
