"""Spectrograms (linear and mel), loudness and brightness of a sound.

Lesson: notebooks/00_music_as_data.ipynb (spectrograms, loudness) and
notebooks/03_neural_synthesizer.ipynb (log-mel features, timbre).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import LessonkitError
from .core import DEFAULT_HOP, DEFAULT_N_FFT, SR, as_mono, frame_signal, frame_times, to_db

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
    audio = as_mono(audio)
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann
    frames = frame_signal(audio, n_fft, hop_length) * window      # (n_frames, n_fft)
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
    audio = as_mono(audio).astype(np.float64)
    return float(to_db(np.sqrt(np.mean(audio ** 2))))


def rms_db_frames(audio, sr: int = SR, *, frame_length: int = DEFAULT_N_FFT,
                  hop_length: int = DEFAULT_HOP) -> np.ndarray:
    """Loudness over time: RMS level of each frame in dB (see :func:`rms_db`).

    Returns
    -------
    np.ndarray, shape=(1 + n_samples // hop_length,), float32
        Times are given by :func:`frame_times`.
    """
    frames = frame_signal(as_mono(audio), frame_length, hop_length).astype(np.float64)
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
