"""Pitch (f0) of a sound: the YIN estimator and one number per note.

Lesson: notebooks/03_neural_synthesizer.ipynb (pitch checks); the instrument build checks
every rendered note with :func:`estimate_pitch`.
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitError
from .core import DEFAULT_HOP, SR, as_mono, frame_signal

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
    audio = as_mono(audio).astype(np.float64)
    if not 0 < fmin_hz < fmax_hz < sr / 2:
        raise LessonkitError(f"Need 0 < fmin_hz < fmax_hz < sr/2 = {sr / 2:g}; got {fmin_hz} and {fmax_hz}.")
    max_lag = int(np.ceil(sr / fmin_hz))
    min_lag = max(2, int(np.floor(sr / fmax_hz)))
    width = max_lag                                   # samples compared at each lag
    frames = frame_signal(audio, width + max_lag, hop_length)  # (n_frames, width + max_lag)
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
    audio = as_mono(audio)
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
