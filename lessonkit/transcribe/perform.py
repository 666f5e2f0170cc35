"""Test phrases for :mod:`lessonkit.transcribe`: a melody played like a slightly imperfect singer.

Lesson: notebooks/02_ai_duet.ipynb (the sung example of the exercise); used by
``benchmarks/bench_transcribe.py`` and the tests.
"""

from __future__ import annotations

import numpy as np

from ..analysis import SR
from ..music import Melody

def perform(melody: Melody, instrument: str = "choir", *, drift: float = 0.0, jitter_s: float = 0.0,
            vibrato_cents: float = 0.0, vibrato_hz: float = 5.5, noise_db: float | None = None,
            lead_in_s: float = 0.0, seed: int = 0):
    """Play a melody like a (slightly imperfect) singer: tempo drift, timing jitter, vibrato, noise.

    Used to measure :func:`transcribe` and to test the recorder without a microphone.

    Parameters
    ----------
    melody : Melody
        What to play, at its own tempo.
    instrument : str
        A sampled instrument (``"choir"``, ``"flute"``, ``"clarinet"``, ...) or ``"synth"``.
    drift : float
        Tempo change across the phrase as a fraction: the tempo goes linearly from
        ``1 - drift`` to ``1 + drift`` times the melody's (or back, by the seed's choice).
    jitter_s : float
        Standard deviation of random onset shifts, in seconds.
    vibrato_cents, vibrato_hz : float
        Depth (peak deviation, cents) and rate of a pitch wobble over the whole phrase.
    noise_db : float or None
        Add white noise this many dB below the phrase's RMS level (a signal-to-noise ratio).
    lead_in_s : float
        Silence (or noise) before the first note, in seconds.
    seed : int
        Same seed, same performance.

    Returns
    -------
    audio : np.ndarray, shape=(n_samples,), float32
        At 16,000 Hz, peak at most 0.9.
    notes : np.ndarray, shape=(n_notes, 3), float64
        Onset (s), offset (s) and MIDI pitch of each note as played.
    """
    from ..audio import synth_note

    rng = np.random.default_rng(seed)
    sps = melody.seconds_per_step
    length = max(melody.length_steps, 1)
    direction = 1.0 if rng.random() < 0.5 else -1.0

    def time_of(step):   # tempo factor 1 -/+ drift..1 +/- drift: integral of seconds per step
        # tempo factor a + b x at fraction x of the phrase; seconds = integral of sps / (a + b x)
        x = np.asarray(step, dtype=np.float64) / length
        if drift == 0:
            return lead_in_s + sps * length * x
        a, b = 1.0 - direction * drift, 2 * direction * drift
        return lead_in_s + sps * length * (np.log(a + b * x) - np.log(a)) / b

    if instrument != "synth":
        from ..instruments import sample_bank

        bank = sample_bank(instrument)
        play, release = bank.note, bank.release_s
    else:
        play, release = (lambda p, d, v: synth_note(p, d, v)), 0.08
    notes = []
    for note in melody:
        on = float(time_of(note.onset_steps)) + (rng.normal(0, jitter_s) if jitter_s else 0.0)
        off = float(time_of(note.end_steps))
        if notes:
            on = max(on, notes[-1][0] + 0.03)
            notes[-1][1] = min(notes[-1][1], on)
        notes.append([max(on, 0.0), off, float(note.pitch), note.velocity])
    end_s = max(n[1] for n in notes) + release + 0.2
    out = np.zeros(int(np.ceil(end_s * SR)) + 1, dtype=np.float64)
    fade = int(0.015 * SR)
    for k, (on, off, pitch, velocity) in enumerate(notes):
        sound = play(pitch, max(off - on, 0.02), velocity).astype(np.float64)
        start = int(round(on * SR))
        if k + 1 < len(notes):       # one voice: the note's release is cut where the next note starts
            stop = max(int(round(notes[k + 1][0] * SR)) - start, fade)
            sound = sound[:stop].copy()
            sound[-fade:] *= np.linspace(1.0, 0.0, min(fade, len(sound)))
        out[start:start + len(sound)] += sound[: len(out) - start]
    if vibrato_cents:
        t = np.arange(len(out)) / SR
        phase = rng.uniform(0, 2 * np.pi)
        ratio = 2.0 ** (vibrato_cents / 1200.0 * np.sin(2 * np.pi * vibrato_hz * t + phase))
        pos = np.concatenate([[0.0], np.cumsum(ratio[:-1])])       # read faster when sharp
        out = np.interp(pos, np.arange(len(out)), out, right=0.0)
    if noise_db is not None:
        rms = np.sqrt(np.mean(out[out != 0] ** 2)) if np.any(out) else 0.0
        out = out + rng.normal(0, rms * 10 ** (-noise_db / 20), len(out))
    peak = np.max(np.abs(out))
    if peak > 0:
        out *= 0.9 / peak if peak > 0.9 else 1.0
    ref = np.array([[n[0], n[1], n[2]] for n in notes], dtype=np.float64)
    return out.astype(np.float32), ref
