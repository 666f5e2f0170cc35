"""Measuring and finishing rendered instrument notes: the checks, release times and sustain loops.

Build-time code of ``lessonkit data build-instruments`` (:mod:`.render_instruments`), kept apart so
each file reads in one sitting. Uses only public functions of :mod:`lessonkit.analysis`.
"""

from __future__ import annotations

import numpy as np

from ..analysis import cents_off, estimate_pitch, rms_db, rms_db_frames

SR = 16000
"""Sample rate of the set in Hz."""
HOLD_S = 1.0
"""How long each key is held before note-off, in seconds."""
FADE_S = 0.02
"""Fade-out at the very end of each clip, in seconds (so no clip ends with a click)."""
MAX_CENTS = 50.0
"""Largest accepted pitch error of a render (octave-folded), in cents."""


def check_clip(clip: np.ndarray, pitch: int) -> tuple[list, dict]:
    """Checks one raw clip; returns (problems, measurements).

    Measurements: ``rms_db`` (held second), ``peak``, ``f0_hz`` (YIN median over 0.1-0.9 s),
    ``cents`` (octave-folded error against ``pitch``), ``release_db`` (level of the last
    100 ms relative to the held second).
    """
    problems = []
    if not np.all(np.isfinite(clip)):
        return ["not finite"], {}
    held = clip[: int(HOLD_S * SR)]
    level = rms_db(held)
    onset = rms_db(clip[: int(0.05 * SR)])
    tail = rms_db(clip[-int(0.1 * SR):])
    f0 = estimate_pitch(clip, SR, start_s=0.1, stop_s=0.9)
    cents = float(cents_off(f0, pitch, fold_octaves=True)) if np.isfinite(f0) else float("nan")
    if level < -75:
        problems.append(f"silent (RMS {level:.0f} dB)")
    if onset < level - 30:
        problems.append(f"no attack (first 50 ms at {onset - level:.0f} dB of the note)")
    if tail > level - 6:
        problems.append(f"does not release (last 100 ms at {tail - level:.0f} dB of the note)")
    if not np.isfinite(cents) or abs(cents) > MAX_CENTS:
        problems.append(f"pitch off: measured {f0:.1f} Hz, {cents:+.0f} cents from the label")
    return problems, {"rms_db": level, "peak": float(np.max(np.abs(clip))), "f0_hz": f0, "cents": cents,
                      "release_db": tail - level}


def release_time_s(clips: np.ndarray) -> float:
    """Median time for the sound to fall 40 dB after note-off, in seconds (clamped to 0.02-0.45)."""
    hop = 80  # 5 ms
    times = []
    off = int(HOLD_S / (hop / SR))
    for clip in clips:
        level = rms_db_frames(clip, SR, frame_length=320, hop_length=hop)
        ref = np.median(level[off - 20: off])
        after = level[off:] < ref - 40
        times.append((np.argmax(after) if after.any() else len(after)) * hop / SR)
    return float(np.clip(np.median(times), 0.02, 0.45))


LOOP_START_S = 0.6
"""Where the sustain loop of every note starts, in seconds (inside the held second)."""
LOOP_TARGET_S = 0.3
"""About how long a sustain loop is; the exact length is the best match within one period."""


def find_loop(clip: np.ndarray, decays: bool = False) -> tuple[int, int, float]:
    """A seamless sustain loop inside the held part of a note, for playing notes longer than it.

    The loop starts at :data:`LOOP_START_S`; its length is the lag near :data:`LOOP_TARGET_S`
    (searched over +-25 ms, a full period of any note above 40 Hz) where the waveform best
    matches itself, so the jump back lands in phase. For a decaying instrument, ``gain`` is
    how much the level falls over one loop (a straight line fitted to the level in dB from
    0.25 s to 0.95 s), so repeats keep decaying; sustained instruments get 1.0.

    Returns
    -------
    start, length : int
        In samples at :data:`SR`.
    gain : float
        Level ratio from one repeat to the next, 0.2..1.
    """
    start, target, width, reach = int(LOOP_START_S * SR), int(LOOP_TARGET_S * SR), 480, 400
    ref = clip[start:start + width].astype(np.float64)
    region = clip[start + target - reach: start + target + reach + width].astype(np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(region, width)   # (2 * reach + 1, width)
    energy = np.sqrt(np.sum(windows ** 2, axis=1) * np.sum(ref ** 2)) + 1e-12
    length = target - reach + int(np.argmax(windows @ ref / energy))
    gain = 1.0
    if decays:
        hop = 160
        level = rms_db_frames(clip[: int(HOLD_S * SR)], SR, frame_length=800, hop_length=hop)
        t = np.arange(len(level)) * hop / SR
        use = (t >= 0.25) & (t <= 0.95)
        slope_db_per_s = np.polyfit(t[use], level[use], 1)[0]
        gain = float(np.clip(10 ** (slope_db_per_s * (length / SR) / 20), 0.2, 1.0))
    return start, length, gain


def finish_clips(clips: np.ndarray, gain: float) -> np.ndarray:
    """Apply the instrument's gain and the end fade; returns float32 clips."""
    fade = int(FADE_S * SR)
    out = clips * np.float32(gain)
    out[:, -fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return out


def to_int16(clips: np.ndarray) -> np.ndarray:
    """Float clips in [-1, 1] as 16-bit integers (what the FLAC stores)."""
    return np.round(np.clip(clips, -1.0, 1.0) * 32767.0).astype(np.int16)
