"""Looking at sound: spectrograms, loudness, pitch (f0) and brightness.

Lesson: notebooks/00_music_as_data.ipynb (spectrograms, loudness) and
notebooks/03_neural_synthesizer.ipynb (log-mel features, pitch checks, timbre).

Every function takes mono float32 audio, ``shape=(n_samples,)``, at ``sr`` samples
per second (lessonkit's rate is 16,000 Hz), and returns plain numpy arrays or a small
dataclass of them. Time is cut into overlapping **frames**: frame ``i`` covers the
samples around ``i * hop_length`` (frames are centred, so frame 0 is centred on
sample 0 and ``n_frames = 1 + n_samples // hop_length``).

Why numpy and scipy, not librosa
--------------------------------
librosa is the field's library for all of this, and these functions follow its
conventions (centred frames, Hann window, HTK mel formula available there as
``htk=True``, YIN as in de Cheveigné & Kawahara 2002) so a student who moves on finds
the same numbers under the same names. We do not depend on it because it brings numba
and llvmlite (about 150 MB, tied to narrow numpy versions, and a JIT compile of several
seconds on a student's first pitch estimate), while everything lessonkit needs is a
short numpy function that a lesson can open and read: the STFT is an ``rfft`` of
windowed frames, a mel spectrogram is a matrix product, YIN is an autocorrelation.

What is left out on purpose: phase vocoders, constant-Q transforms, onset detection,
and probabilistic YIN (pYIN); for those, use librosa.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import LessonkitError, LessonkitTypeError

SR = 16000
"""lessonkit's sample rate in Hz (the same number as :data:`lessonkit.audio.SR`)."""

DEFAULT_N_FFT = 1024
"""FFT size: 64 ms at 16 kHz, 15.6 Hz between frequency bins."""
DEFAULT_HOP = 256
"""Hop between frames: 16 ms at 16 kHz (62.5 frames a second)."""
DB_FLOOR = -100.0
"""Quietest level reported, in dB: silence (log of 0) is shown as this."""


# ----------------------------------------------------------------------------- helpers


def _as_mono(audio, name="audio") -> np.ndarray:
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


def _frames(audio: np.ndarray, frame_length: int, hop_length: int, center: bool = True) -> np.ndarray:
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


def midi_to_hz(pitch):
    """Frequency in Hz of a MIDI pitch (A4 = 69 = 440 Hz); works on arrays."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


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


# ----------------------------------------------------------------------------- spectrograms


@dataclass
class Spectrogram:
    """A spectrogram and its axes.

    Attributes
    ----------
    values : np.ndarray, shape=(n_bins, n_frames), float32
        Magnitude per frequency bin (row) and frame (column), in dB when ``db`` is True.
    freqs_hz : np.ndarray, shape=(n_bins,)
        Centre frequency of each row in Hz (for a mel spectrogram, each band's centre).
    times_s : np.ndarray, shape=(n_frames,)
        Centre time of each column in seconds.
    db : bool
        Whether ``values`` are decibels (0 dB = a full-scale sine) or linear magnitudes.
    scale : str
        ``"linear"`` (evenly spaced frequencies) or ``"mel"`` (spaced like hearing).
    """

    values: np.ndarray
    freqs_hz: np.ndarray
    times_s: np.ndarray
    db: bool
    scale: str

    @property
    def shape(self) -> tuple:
        """``(n_bins, n_frames)``."""
        return self.values.shape

    def __repr__(self):
        unit = "dB" if self.db else "magnitude"
        return (f"Spectrogram({self.scale}, {self.shape[0]} bins x {self.shape[1]} frames, {unit}, "
                f"{self.freqs_hz[0]:.0f}-{self.freqs_hz[-1]:.0f} Hz, {self.times_s[-1]:.2f} s)")


def stft(audio, *, n_fft: int = DEFAULT_N_FFT, hop_length: int = DEFAULT_HOP) -> np.ndarray:
    """Short-time Fourier transform: the spectrum of each Hann-windowed frame.

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
    n_fft : int
        Frame length and FFT size in samples.
    hop_length : int
        Samples between the starts of consecutive frames.

    Returns
    -------
    np.ndarray, shape=(n_fft // 2 + 1, n_frames), complex64
        Row ``k`` is frequency ``k * sr / n_fft`` Hz. Scaled so that a full-scale sine
        at a bin's frequency has magnitude 1 there.
    """
    audio = _as_mono(audio)
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann
    frames = _frames(audio, n_fft, hop_length) * window      # (n_frames, n_fft)
    spec = np.fft.rfft(frames, axis=1).T                      # (n_bins, n_frames)
    return (spec * (2.0 / window.sum())).astype(np.complex64)


def spectrogram(audio, sr: int = SR, *, n_fft: int = DEFAULT_N_FFT, hop_length: int = DEFAULT_HOP,
                db: bool = True) -> Spectrogram:
    """Linear-frequency magnitude spectrogram (what a lesson draws first).

    Lesson: notebooks/00_music_as_data.ipynb

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
        Mono audio in [-1, 1].
    sr : int
        Sample rate in Hz.
    n_fft, hop_length : int
        Frame size and hop in samples (default 1024 and 256: 64 ms and 16 ms at 16 kHz).
    db : bool
        Return decibels (default; 0 dB = a full-scale sine, floor :data:`DB_FLOOR`) or
        linear magnitudes.

    Returns
    -------
    Spectrogram
        ``values`` of ``shape=(n_fft // 2 + 1, 1 + n_samples // hop_length)``.
    """
    mag = np.abs(stft(audio, n_fft=n_fft, hop_length=hop_length))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr).astype(np.float32)
    times = frame_times(mag.shape[1], sr=sr, hop_length=hop_length)
    values = to_db(mag) if db else mag.astype(np.float32)
    return Spectrogram(values, freqs, times, db, "linear")


def hz_to_mel(f_hz):
    """Mel value of a frequency (HTK formula ``2595 log10(1 + f / 700)``); arrays too."""
    return 2595.0 * np.log10(1.0 + np.asarray(f_hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    """Frequency in Hz of a mel value (inverse of :func:`hz_to_mel`)."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr: int = SR, n_fft: int = DEFAULT_N_FFT, n_mels: int = 64, *, fmin_hz: float = 30.0,
                   fmax_hz: float | None = None) -> np.ndarray:
    """Triangular mel filters that turn a linear spectrum into ``n_mels`` bands.

    Band ``m`` rises from the centre of band ``m - 1`` to 1 at its own centre and falls
    to 0 at the centre of band ``m + 1``; centres are evenly spaced in mel, so low bands
    are narrow and high bands wide, as in hearing.

    Returns
    -------
    np.ndarray, shape=(n_mels, n_fft // 2 + 1), float32
        Multiply a magnitude spectrogram ``(n_fft // 2 + 1, n_frames)`` by it on the left.
    """
    fmax_hz = sr / 2 if fmax_hz is None else fmax_hz
    if not 0 <= fmin_hz < fmax_hz <= sr / 2:
        raise LessonkitError(f"Need 0 <= fmin_hz < fmax_hz <= sr/2 = {sr / 2:g}, got {fmin_hz}, {fmax_hz}.")
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - lower) / (centre - lower)
    falling = (upper - freqs[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


def mel_spectrogram(audio, sr: int = SR, *, n_fft: int = DEFAULT_N_FFT, hop_length: int = DEFAULT_HOP,
                    n_mels: int = 64, fmin_hz: float = 30.0, fmax_hz: float | None = None,
                    db: bool = True) -> Spectrogram:
    """Mel spectrogram: the magnitude spectrogram pooled into bands spaced like hearing.

    Lesson: notebooks/03_neural_synthesizer.ipynb (the log-mel is the usual input and loss
    of audio models).

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
    sr, n_fft, hop_length : int
        As in :func:`spectrogram`.
    n_mels : int
        Number of bands.
    fmin_hz, fmax_hz : float
        Frequency range covered (default 30 Hz to ``sr / 2``).
    db : bool
        Log-mel in dB (default) or linear band magnitudes.

    Returns
    -------
    Spectrogram
        ``values`` of ``shape=(n_mels, n_frames)``; ``freqs_hz`` are the band centres.
    """
    mag = np.abs(stft(audio, n_fft=n_fft, hop_length=hop_length))
    bank = mel_filterbank(sr, n_fft, n_mels, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    bands = bank @ mag                                                   # (n_mels, n_frames)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin_hz), hz_to_mel(fmax_hz or sr / 2), n_mels + 2))
    times = frame_times(mag.shape[1], sr=sr, hop_length=hop_length)
    values = to_db(bands) if db else bands.astype(np.float32)
    return Spectrogram(values, edges[1:-1].astype(np.float32), times, db, "mel")


# ----------------------------------------------------------------------------- loudness


def rms_db(audio) -> float:
    """Loudness of a whole sound: root-mean-square level in dB full scale.

    0 dB is a constant signal at 1.0; a full-scale sine is -3 dB; silence gives
    :data:`DB_FLOOR`.

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32

    Returns
    -------
    float
        Level in dB.
    """
    audio = _as_mono(audio).astype(np.float64)
    return float(to_db(np.sqrt(np.mean(audio ** 2))))


def rms_db_frames(audio, sr: int = SR, *, frame_length: int = DEFAULT_N_FFT,
                  hop_length: int = DEFAULT_HOP) -> np.ndarray:
    """Loudness over time: RMS level of each frame in dB (see :func:`rms_db`).

    Returns
    -------
    np.ndarray, shape=(1 + n_samples // hop_length,), float32
        Times are given by :func:`frame_times`.
    """
    frames = _frames(_as_mono(audio), frame_length, hop_length).astype(np.float64)
    return to_db(np.sqrt(np.mean(frames ** 2, axis=1)))


# ----------------------------------------------------------------------------- brightness


def spectral_centroid(audio, sr: int = SR, *, n_fft: int = DEFAULT_N_FFT,
                      hop_length: int = DEFAULT_HOP) -> np.ndarray:
    """Spectral centroid: the "centre of mass" of each frame's spectrum, a measure of brightness.

    Lesson: notebooks/00_music_as_data.ipynb (why a trumpet sounds brighter than a flute).

    Returns
    -------
    np.ndarray, shape=(n_frames,), float32
        Frequency in Hz; NaN for silent frames.
    """
    mag = np.abs(stft(audio, n_fft=n_fft, hop_length=hop_length)).astype(np.float64)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    total = mag.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centroid = (freqs @ mag) / total
    centroid[total < 1e-8] = np.nan
    return centroid.astype(np.float32)


# ----------------------------------------------------------------------------- pitch


def f0_yin(audio, sr: int = SR, *, fmin_hz: float = 40.0, fmax_hz: float = 2200.0,
           hop_length: int = DEFAULT_HOP, threshold: float = 0.15) -> np.ndarray:
    """Fundamental frequency (f0) of each frame with the YIN estimator.

    YIN (de Cheveigné & Kawahara, 2002) compares a frame with itself shifted by a lag
    ``tau``: the difference is smallest when ``tau`` is one period. Steps: the squared
    difference for every lag (computed with FFTs), normalised by its running mean, the
    first lag whose value dips below ``threshold``, refined between samples by a
    parabola. Frames where no lag is clearly periodic are reported as NaN.

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
    sr : int
        Sample rate in Hz.
    fmin_hz, fmax_hz : float
        Range of f0 searched. The frame is ``2 * ceil(sr / fmin_hz)`` samples long, so a
        lower ``fmin_hz`` means longer frames.
    hop_length : int
        Samples between frames.
    threshold : float
        How periodic a frame must be (smaller: stricter). 0.1-0.2 is usual.

    Returns
    -------
    np.ndarray, shape=(1 + n_samples // hop_length,), float32
        f0 in Hz per (centred) frame, NaN where unvoiced or silent.
    """
    audio = _as_mono(audio).astype(np.float64)
    if not 0 < fmin_hz < fmax_hz < sr / 2:
        raise LessonkitError(f"Need 0 < fmin_hz < fmax_hz < sr/2 = {sr / 2:g}; got {fmin_hz} and {fmax_hz}.")
    max_lag = int(np.ceil(sr / fmin_hz))
    min_lag = max(2, int(np.floor(sr / fmax_hz)))
    width = max_lag                                   # samples compared at each lag
    frames = _frames(audio, width + max_lag, hop_length)  # (n_frames, width + max_lag)
    n_fft = int(2 ** np.ceil(np.log2(2 * (width + max_lag))))
    # cross-correlation r[t, tau] = sum_j x[j] x[j + tau], j < width
    spec_all = np.fft.rfft(frames, n_fft, axis=1)
    spec_head = np.fft.rfft(frames[:, :width], n_fft, axis=1)
    corr = np.fft.irfft(np.conj(spec_head) * spec_all, n_fft, axis=1)[:, : max_lag + 1]
    energy = np.cumsum(np.pad(frames ** 2, ((0, 0), (1, 0))), axis=1)   # prefix sums
    head_energy = energy[:, width][:, None]
    lags = np.arange(max_lag + 1)
    shifted_energy = energy[:, lags + width] - energy[:, lags]          # sum x[j+tau]^2, j < width
    diff = np.maximum(head_energy + shifted_energy - 2.0 * corr, 0.0)   # (n_frames, max_lag + 1)
    # cumulative mean normalised difference d'(tau) = d(tau) * tau / sum_{1..tau} d
    cum = np.cumsum(diff[:, 1:], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cmnd = np.ones_like(diff)
        cmnd[:, 1:] = diff[:, 1:] * lags[1:] / cum
    cmnd = np.nan_to_num(cmnd, nan=1.0, posinf=1.0)
    search = cmnd[:, min_lag: max_lag]                                  # (n_frames, n_lags)
    # first local minimum below the threshold, else the global minimum
    below = search < threshold
    # walk from the first lag under the threshold down to the bottom of that dip
    first = np.where(below.any(axis=1), below.argmax(axis=1), search.argmin(axis=1))
    idx = first.copy()
    rows = np.arange(len(search))
    for _ in range(search.shape[1]):
        step = (idx + 1 < search.shape[1]) & (search[rows, np.minimum(idx + 1, search.shape[1] - 1)] < search[rows, idx])
        if not step.any():
            break
        idx = idx + step
    best = search[rows, idx]
    # parabolic refinement around the chosen lag
    left = search[rows, np.maximum(idx - 1, 0)]
    right = search[rows, np.minimum(idx + 1, search.shape[1] - 1)]
    denom = left - 2.0 * best + right
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.where((np.abs(denom) > 1e-12) & (idx > 0) & (idx < search.shape[1] - 1),
                         0.5 * (left - right) / denom, 0.0)
    period = min_lag + idx + np.clip(shift, -1.0, 1.0)
    f0 = sr / period
    silent = head_energy[:, 0] < 1e-10 * width
    f0[(best > 2 * threshold) | silent] = np.nan
    return f0.astype(np.float32)


def estimate_pitch(audio, sr: int = SR, *, start_s: float = 0.0, stop_s: float | None = None,
                   fmin_hz: float = 40.0, fmax_hz: float = 2200.0) -> float:
    """One f0 for a note: the median of YIN's voiced frames between ``start_s`` and ``stop_s``.

    Lesson: notebooks/03_neural_synthesizer.ipynb (is a rebuilt note still in tune?)

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
        A single note (or a passage holding one pitch).
    start_s, stop_s : float
        The part to measure, in seconds (skip the attack for steadier results).
    fmin_hz, fmax_hz : float
        f0 search range, as in :func:`f0_yin`.

    Returns
    -------
    float
        f0 in Hz, or NaN if no frame was voiced. Compare with a pitch through
        :func:`cents_off`.
    """
    audio = _as_mono(audio)
    a = int(round(start_s * sr))
    b = len(audio) if stop_s is None else int(round(stop_s * sr))
    part = audio[a:b]
    if part.size < 16:
        raise LessonkitError(f"start_s={start_s} and stop_s={stop_s} leave {part.size} samples; choose a longer part.")
    f0 = f0_yin(part, sr, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    # drop the first and last frames: they are half padding
    inner = f0[1:-1] if f0.size > 4 else f0
    voiced = inner[np.isfinite(inner)]
    return float(np.median(voiced)) if voiced.size else float("nan")


# Singing to notes lives in lessonkit/transcribe.py (it needs lessonkit.music); its main names
# are reachable from here too, loaded on first use (PEP 562) so neither module imports the other first.
_FROM_TRANSCRIBE = ("transcribe", "track_notes", "NoteTrack", "RecordingError")


def __getattr__(name):
    if name in _FROM_TRANSCRIBE:
        from . import transcribe as _transcribe

        return getattr(_transcribe, name)
    raise AttributeError(f"module 'lessonkit.analysis' has no attribute {name!r}")
