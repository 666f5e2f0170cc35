"""What a model prefers, in numbers: intervals, rhythm, range, likelihood.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

See :mod:`lessonkit.values` for the story.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import LessonkitError, LessonkitTypeError, expect_int
from ..models.base import one_thread
from ..music import Melody

MAX_INTERVAL = 12


# ----------------------------------------------------------------------------- measuring preferences


def _melodies(melodies, name="melodies") -> list:
    if isinstance(melodies, Melody):
        return [melodies]
    if isinstance(melodies, str) or not hasattr(melodies, "__iter__"):
        raise LessonkitTypeError(f"{name} should be a list of Melody (or one Melody), not {type(melodies).__name__}.")
    melodies = list(melodies)
    for m in melodies:
        if not isinstance(m, Melody):
            raise LessonkitTypeError(f"{name} should hold Melody objects, but one is a {type(m).__name__}.")
    if not melodies:
        raise LessonkitError(f"{name} is empty: pass at least one Melody.")
    return melodies


def interval_distribution(melodies, max_interval: int = MAX_INTERVAL) -> np.ndarray:
    """Share of each pitch interval between consecutive notes, over some melodies.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    np.ndarray, shape=(2 * max_interval + 1,), float64, sums to 1
        Entry ``k`` is the share of intervals of ``k - max_interval`` semitones; leaps wider than
        ``max_interval`` count in the first or last entry.
    """
    melodies = _melodies(melodies)
    ivals = np.concatenate([np.diff(m.pitches.astype(np.int64)) for m in melodies])
    counts = np.bincount(np.clip(ivals, -max_interval, max_interval) + max_interval, minlength=2 * max_interval + 1)
    return counts / max(counts.sum(), 1)


def pitch_class_distribution(melodies) -> np.ndarray:
    """Share of each pitch relative to the melody's last note (0 = the last note's pitch class).

    Folk tunes mostly end on their home note, so this is roughly the share of each scale degree.

    Returns
    -------
    np.ndarray, shape=(12,), float64, sums to 1
    """
    melodies = _melodies(melodies)
    pcs = np.concatenate([(m.pitches.astype(np.int64) - int(m.pitches[-1])) % 12 for m in melodies if len(m)])
    counts = np.bincount(pcs, minlength=12)
    return counts / max(counts.sum(), 1)


def total_variation(p, q) -> float:
    """Distance between two distributions: half the sum of absolute differences, 0..1."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise LessonkitError(f"The two distributions have different lengths ({p.shape} and {q.shape}).")
    return float(0.5 * np.abs(p - q).sum())


@dataclass(frozen=True)
class StyleProfile:
    """A few numbers that sum up the style of some melodies.

    Attributes
    ----------
    n_melodies : int
    mean_abs_interval : float
        Mean size of the step from one note to the next, in semitones.
    step_share, leap_share, repeat_share : float
        Share (0..1) of intervals of 1-2 semitones, of 5 or more, and of 0 (a repeated note).
    notes_per_bar : float
        Notes per bar of the melody's meter: how busy the rhythm is.
    short_note_share : float
        Share of notes lasting at most an eighth note (2 steps).
    range_semitones : float
        Median over the melodies of highest minus lowest pitch.
    """

    n_melodies: int
    mean_abs_interval: float
    step_share: float
    leap_share: float
    repeat_share: float
    notes_per_bar: float
    short_note_share: float
    range_semitones: float

    def as_dict(self) -> dict:
        return asdict(self)


def style_profile(melodies) -> StyleProfile:
    """Sum up the style of some melodies: leaps, rhythm and range.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    melodies : list of Melody

    Returns
    -------
    StyleProfile
    """
    melodies = [m for m in _melodies(melodies) if len(m)]
    if not melodies:
        raise LessonkitError("These melodies have no notes at all.")
    ivals = np.abs(np.concatenate([np.diff(m.pitches.astype(np.int64)) for m in melodies]))
    durations = np.concatenate([m.durations_steps for m in melodies])
    bars = sum(m.length_steps / m.steps_per_bar for m in melodies)
    ranges = [int(m.pitches.max()) - int(m.pitches.min()) for m in melodies]
    n_iv = max(len(ivals), 1)
    return StyleProfile(
        n_melodies=len(melodies),
        mean_abs_interval=round(float(ivals.mean()) if len(ivals) else 0.0, 3),
        step_share=round(float(((ivals >= 1) & (ivals <= 2)).sum() / n_iv), 3),
        leap_share=round(float((ivals >= 5).sum() / n_iv), 3),
        repeat_share=round(float((ivals == 0).sum() / n_iv), 3),
        notes_per_bar=round(float(len(durations) / bars), 3),
        short_note_share=round(float((durations <= 2).mean()), 3),
        range_semitones=float(np.median(ranges)),
    )


def random_melody(bars: int = 4, *, seed: int = 0, low: int = 60, high: int = 79, meter: str = "4/4") -> Melody:
    """A melody with no musical preference at all: random pitches and random note lengths.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    bars : int
        Length in bars, 1..64.
    seed : int
        Same seed, same melody.
    low, high : int
        Pitch range (MIDI, inclusive); default C4..G5.

    Returns
    -------
    Melody
        ``bars`` bars of notes of 1, 2 or 4 steps, pitches uniform in ``low..high``.
    """
    bars = expect_int(bars, "bars", low=1, high=64)
    seed = expect_int(seed, "seed", low=0)
    low, high = expect_int(low, "low", low=0, high=127), expect_int(high, "high", low=0, high=127)
    if high < low:
        raise LessonkitError(f"high={high} is below low={low}: give the lowest pitch first.")
    rng = np.random.default_rng(seed)
    from ..music import _parse_meter

    beats, unit = _parse_meter(meter)
    spb = beats * 16 // unit
    total = bars * spb
    durations = []
    while sum(durations) < total:
        durations.append(int(rng.choice([1, 2, 2, 4, 4])))
    durations[-1] -= sum(durations) - total
    durations = [d for d in durations if d > 0]
    onsets = np.concatenate([[0], np.cumsum(durations)[:-1]])
    pitches = rng.integers(low, high + 1, size=len(durations))
    return Melody.from_arrays(pitches, onsets, durations, length_steps=total, meter=meter)


def likelihood_table(model, real, generated, random) -> dict:
    """How surprised a model is by real tunes, by its own output and by random melodies.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    model : Responder
        Anything with ``.nll(melodies)`` (the duet models).
    real, generated, random : list of Melody

    Returns
    -------
    dict
        ``{"real": nll, "generated": nll, "random": nll}``, mean nats per step (lower = more
        natural to the model).
    """
    if not hasattr(model, "nll"):
        raise LessonkitTypeError(f"model should be a duet model such as load_pretrained('neural'), "
                                 f"not {type(model).__name__}.")
    with one_thread():
        return {name: round(float(model.nll(_melodies(group, name))), 4)
                for name, group in (("real", real), ("generated", generated), ("random", random))}


def answers(model, calls, *, bars: int = 4, temperature: float = 1.0, seed: int = 0) -> list:
    """The model's answer to each call: ``model.respond(call, bars, temperature, seed + i)``.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    list of Melody
        One answer per call (the answer only, without the call).
    """
    calls = _melodies(calls, "calls")
    seed = expect_int(seed, "seed", low=0)
    with one_thread():
        return [model.respond(call, bars=bars, temperature=temperature, seed=seed + i) for i, call in enumerate(calls)]


def opening_calls(tunes, *, bars: int = 2, meter: str | None = "4/4", limit: int | None = None) -> list:
    """The first ``bars`` whole bars of each tune (after any upbeat), as calls for a duet model.

    Tunes in another meter are skipped when ``meter`` is given.
    """
    out = []
    for tune in _melodies(tunes, "tunes"):
        if meter is not None and tune.meter != meter:
            continue
        start = tune.pickup_steps % tune.steps_per_bar
        stop = start + bars * tune.steps_per_bar
        if stop > tune.length_steps:
            continue
        call = tune.window(start, stop)
        if len(call) >= 3:
            out.append(call)
        if limit is not None and len(out) >= limit:
            break
    return out
