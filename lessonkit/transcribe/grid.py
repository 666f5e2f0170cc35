"""Steps 3-4 of :mod:`lessonkit.transcribe`: fit the 16th-note grid to sung onsets, quantize.

Lesson: notebooks/02_ai_duet.ipynb
"""

from __future__ import annotations

import numpy as np

from ..analysis import SR
from ..errors import LessonkitTypeError, expect_number
from ..music import DEFAULT_TEMPO_BPM, STEPS_PER_BEAT, Melody, _parse_meter
from .notes import MAX_RECORDING_S, NoteTrack, track_notes

def fit_grid(onsets_s, tempo_bpm: float, *, start_s: float | None = 0.0, max_change: float = 0.08):
    """The 16th-note grid that best fits some onsets: ``(start_s, seconds_per_step)``.

    The tempo may move by up to ``max_change`` (8 %) from ``tempo_bpm``; the grid's step 0
    lies within half a step of ``start_s`` (or at the first onset when ``start_s`` is None).
    The best grid minimises the onsets' distance to their nearest grid lines, and is then
    refined by a straight-line fit of onset time against step number.

    Returns
    -------
    (float, float)
        Time of step 0 in seconds, and seconds per step.
    """
    onsets = np.asarray(onsets_s, dtype=np.float64)
    sps0 = 60.0 / (tempo_bpm * STEPS_PER_BEAT)
    anchor = float(onsets[0]) if start_s is None else float(start_s)
    if len(onsets) < 2:
        return anchor, sps0
    best = None
    for scale in np.linspace(1 - max_change, 1 + max_change, 41):
        sps = sps0 * scale
        for shift in np.linspace(-0.5, 0.5, 11) * sps:
            t0 = anchor + shift
            pos = (onsets - t0) / sps
            cost = float(np.mean((pos - np.round(pos)) ** 2)) + 0.02 * abs(scale - 1) + 0.01 * abs(shift / sps)
            if best is None or cost < best[0]:
                best = (cost, t0, sps)
    _, t0, sps = best
    steps = np.round((onsets - t0) / sps)
    if len(np.unique(steps)) >= 2:                 # least squares: onset = t0 + step * sps
        slope, intercept = np.polyfit(steps, onsets, 1)
        if abs(slope / sps0 - 1) <= max_change * 1.5:
            t0, sps = float(intercept), float(slope)
    return t0, sps


def quantize(track: NoteTrack, *, tempo_bpm: float = DEFAULT_TEMPO_BPM, start_s: float | None = 0.0,
             meter: str = "4/4", fit_tempo: bool = True) -> Melody:
    """Put a :class:`NoteTrack`'s notes on the 16th-note grid: steps 3-4 of the module.

    Returns
    -------
    Melody
        At the fitted tempo (rounded to a whole bpm); leading empty bars are removed.
    """
    if not isinstance(track, NoteTrack):
        raise LessonkitTypeError(f"quantize takes the NoteTrack of track_notes(audio), not {type(track).__name__}.")
    beats, unit = _parse_meter(meter)
    steps_per_bar = beats * STEPS_PER_BEAT * 4 // unit
    if fit_tempo:
        t0, sps = fit_grid(track.onsets_s, tempo_bpm, start_s=start_s)
    else:
        t0 = float(track.onsets_s[0]) if start_s is None else float(start_s)
        sps = 60.0 / (tempo_bpm * STEPS_PER_BEAT)
    on = np.round((track.onsets_s - t0) / sps).astype(np.int64)
    end = np.round((track.offsets_s - t0) / sps).astype(np.int64)
    shift = (int(on.min()) // steps_per_bar) * steps_per_bar
    on, end = on - shift, end - shift
    notes = []
    for o, e, p in sorted(zip(on.tolist(), end.tolist(), np.round(track.pitches).astype(int).tolist())):
        e = max(e, o + 1)
        if notes and notes[-1][0] == o:
            continue                                    # two notes on one step: keep the first
        if notes and notes[-1][1] > o:
            notes[-1][1] = o
        notes.append([o, e, int(np.clip(p, 0, 127))])
    a = np.array(notes, dtype=np.int64)
    bpm = float(np.round(60.0 / (sps * STEPS_PER_BEAT)))
    return Melody.from_arrays(a[:, 2], a[:, 0], a[:, 1] - a[:, 0], tempo_bpm=bpm, meter=meter,
                              meta={"source": "transcribed", "track": track, "grid_start_s": t0 + shift * sps,
                                    "seconds_per_step": sps})


def transcribe(audio, sr: int = SR, *, tempo_bpm: float = DEFAULT_TEMPO_BPM, start_s: float | None = 0.0,
               meter: str = "4/4", fit_tempo: bool = True, fmin_hz: float = 65.0,
               fmax_hz: float = 2000.0) -> Melody:
    """Turn a sung, hummed, whistled or played phrase into a Melody on the 16th-note grid.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
        Mono recording in [-1, 1] at 16,000 Hz, 0.25-60 s long (``lessonkit.audio.load_wav``
        reads a file that way).
    sr : int
        Its sample rate; anything but 16,000 is refused with advice.
    tempo_bpm : float
        The count-in's tempo in beats per minute (the grid may move 8 % from it, see
        ``fit_tempo``).
    start_s : float or None
        When beat 1 fell, in seconds from the start of ``audio`` (0.0 when the recorder's
        count-in ended as the recording began); None: at the first sung note.
    meter : str
        Time signature, for removing empty bars at the start.
    fit_tempo : bool
        Let the tempo and the downbeat move a little to fit the singing (default True).
    fmin_hz, fmax_hz : float
        Pitch range searched.

    Returns
    -------
    Melody
        Its ``meta["track"]`` is the :class:`NoteTrack` (pitch curve and notes in seconds),
        for :func:`lessonkit.plots.pitch_curve`.

    Raises
    ------
    RecordingError
        (a :class:`~lessonkit.errors.LessonkitError`) for a silent, clipped, noise-only,
        too long, stereo or wrongly sampled recording, saying what to do.
    """
    tempo_bpm = expect_number(tempo_bpm, "tempo_bpm", low=30.0, high=300.0)
    if start_s is not None:
        start_s = expect_number(start_s, "start_s", low=-5.0, high=MAX_RECORDING_S)
    track = track_notes(audio, sr, fmin_hz=fmin_hz, fmax_hz=fmax_hz)
    return quantize(track, tempo_bpm=tempo_bpm, start_s=start_s, meter=meter, fit_tempo=fit_tempo)
