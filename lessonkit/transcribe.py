"""From a sung, hummed or whistled recording to a :class:`~lessonkit.music.Melody`.

Lesson: notebooks/02_ai_duet.ipynb ("sing your call", optional)

Four steps, each one a thing a student can look at:

1. **Pitch track.** The course's YIN (:func:`lessonkit.analysis.f0_yin`) every 8 ms, then a
   loudness gate (frames more than ``gate_db`` below the loudest frame are unvoiced) and a
   running median over 5 frames (40 ms) that removes single-frame octave jumps.
   *Why YIN and not pYIN?* pYIN keeps many candidate periods per frame and picks a path through
   them with a hidden Markov model; it helps most on breathy or very low voices, but it is a
   few hundred lines of probability a student has not met. We keep YIN, the estimator the
   course already opens and reads, and borrow only pYIN's simplest idea, a best path through
   whole notes (step 2); on our measurement set (``benchmarks/bench_transcribe.py``) that
   reaches the targets.
2. **Notes.** A note is a run of voiced frames (dropouts of up to 24 ms where the sound goes on
   are closed). Inside a run, the notes are the most likely path through whole semitones
   (a Viterbi search, the note layer of pYIN): changing note costs ``switch_cost``, so vibrato
   of up to about +-60 cents never splits a note, while a real step to another note does. A
   note sung again on one breath is cut where the loudness dips ``repeat_db`` below both
   sides. Pieces shorter than ``min_note_s`` join their neighbour (an attack, a glide); a note
   an octave away from its phrase is folded back (YIN heard a sub-harmonic). A note starts
   where its sound starts rising (before its pitch is clear) and ends where it falls 12 dB
   below its usual level; its pitch is the median of its frames.
3. **Tempo and grid.** Guessing a tempo from a few notes is ambiguous (the same phrase fits
   60 and 120 beats per minute), so the tempo comes from the **count-in**: the recorder clicks
   one bar at ``tempo_bpm`` and keeps the samples from the next downbeat on, so time 0 of the
   recording is beat 1 (``start_s=0.0``). Nobody sings exactly in time, so the grid is then
   *fitted*: the tempo may move by up to 8 % and the downbeat by up to half a step, to
   whatever puts the sung onsets closest to 16th-note lines. Without a count-in
   (``start_s=None``) the first note starts the grid.
4. **Quantize.** Onsets and ends are rounded to that grid (at least one step per note).

:func:`track_notes` does steps 1-2 (notes in seconds, what the benchmark scores);
:func:`transcribe` does all four; :func:`lessonkit.plots.pitch_curve` draws the track with the
notes it became.

What is left out on purpose: polyphony (chords), lyrics-aware segmentation, and tempo
estimation without a count-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .analysis import SR, f0_yin, hz_to_midi, rms_db_frames
from .errors import LessonkitError, LessonkitTypeError, expect_number
from .music import DEFAULT_TEMPO_BPM, STEPS_PER_BEAT, Melody, _parse_meter

HOP = 128
"""Hop between pitch frames in samples: 8 ms at 16 kHz."""
MAX_RECORDING_S = 60.0
"""Longest recording :func:`transcribe` accepts, in seconds (a call is a few bars)."""
MIN_RECORDING_S = 0.25
"""Shortest recording accepted, in seconds."""
CLIP_LEVEL = 0.995
"""A sample at or above this magnitude counts as clipped."""


class RecordingError(LessonkitError, ValueError):
    """A recording cannot be transcribed: silent, clipped, noise only, too long, stereo, wrong rate."""


@dataclass
class NoteTrack:
    """A pitch track and the notes found in it, in seconds (before any grid).

    Attributes
    ----------
    times_s : np.ndarray, shape=(n_frames,), float32
        Centre time of each frame in seconds (every :data:`HOP` samples).
    f0_hz : np.ndarray, shape=(n_frames,), float32
        Smoothed fundamental frequency in Hz, NaN where unvoiced.
    voiced : np.ndarray, shape=(n_frames,), bool
        Frames that are periodic and loud enough to be part of a note.
    level_db : np.ndarray, shape=(n_frames,), float32
        Frame loudness in dB full scale.
    onsets_s, offsets_s : np.ndarray, shape=(n_notes,), float64
        Start and end of each note in seconds.
    pitches : np.ndarray, shape=(n_notes,), float64
        Each note's median pitch as a fractional MIDI number (60.3 = 30 cents above C4).
    """

    times_s: np.ndarray
    f0_hz: np.ndarray
    voiced: np.ndarray
    level_db: np.ndarray
    onsets_s: np.ndarray
    offsets_s: np.ndarray
    pitches: np.ndarray
    sr: int = SR
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.onsets_s)

    def __repr__(self) -> str:
        dur = float(self.times_s[-1]) if len(self.times_s) else 0.0
        return f"NoteTrack({len(self)} notes, {self.voiced.mean() * 100:.0f}% voiced, {dur:.2f} s)"


# ----------------------------------------------------------------------------- checks


def check_recording(audio, sr: int = SR) -> np.ndarray:
    """Return ``audio`` as mono float32 at :data:`SR`, or raise :class:`RecordingError` with advice.

    Refused: not an array, integer samples, stereo, another sample rate, shorter than
    :data:`MIN_RECORDING_S` or longer than :data:`MAX_RECORDING_S`, NaN, silence, clipping.
    """
    if isinstance(audio, (list, tuple)):
        audio = np.asarray(audio, dtype=np.float32)
    if not isinstance(audio, np.ndarray):
        raise LessonkitTypeError(f"The recording should be a numpy array of samples, not {type(audio).__name__}. "
                                 "Record one with the recorder, or read a file with lessonkit.audio.load_wav(path).")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)):
        raise LessonkitTypeError(f"sr should be a whole number of samples per second, not {sr!r:.40}.")
    if np.issubdtype(audio.dtype, np.integer):
        raise RecordingError(f"This recording holds whole numbers ({audio.dtype}); lessonkit audio is float in "
                             "[-1, 1]. For 16-bit samples, divide by 32768: audio = samples / 32768.")
    if audio.ndim == 2 and min(audio.shape) in (1, 2):
        raise RecordingError(f"This recording is stereo (shape {audio.shape}); transcription needs one channel. "
                             "Mix the channels: audio.mean(axis=1) if channels are columns (axis=0 if rows), "
                             "or read the file with lessonkit.audio.load_wav(path), which mixes and resamples.")
    if audio.ndim != 1:
        raise RecordingError(f"A recording must be mono, shape (n_samples,), but has shape {audio.shape}.")
    if int(sr) != SR:
        raise RecordingError(f"This recording is at {int(sr)} samples per second, but lessonkit works at {SR}. "
                             "Read files with lessonkit.audio.load_wav(path) (it resamples), or resample the "
                             f"array: scipy.signal.resample_poly(audio, {SR}, {int(sr)}).")
    seconds = audio.size / SR
    if seconds < MIN_RECORDING_S:
        raise RecordingError(f"This recording lasts {seconds:.2f} s; a call needs at least {MIN_RECORDING_S} s. "
                             "Record again and sing a few notes.")
    if seconds > MAX_RECORDING_S:
        raise RecordingError(f"This recording lasts {seconds / 60:.1f} minutes; a call is a phrase of a few bars "
                             f"(at most {MAX_RECORDING_S:.0f} s). Cut out the part you want, e.g. "
                             f"audio[:{SR} * 8] for the first 8 seconds, or record a shorter phrase.")
    if not np.all(np.isfinite(audio)):
        raise RecordingError("This recording contains NaN or infinite values; record it again.")
    audio = audio.astype(np.float32, copy=False)
    peak = float(np.max(np.abs(audio)))
    if peak < 3e-3:
        raise RecordingError(f"This recording is silent (loudest sample {peak:.4f}, about "
                             f"{20 * np.log10(max(peak, 1e-9)):.0f} dB). Check that the right microphone is "
                             "chosen and not muted, then sing closer to it.")
    clipped = float(np.mean(np.abs(audio) >= CLIP_LEVEL))
    if clipped > 1e-3:
        raise RecordingError(f"This recording is clipped: {clipped * 100:.1f}% of its samples hit full scale, so "
                             "the pitch is distorted. Sing a little further from the microphone (or more softly), "
                             "or turn its input level down, and record again.")
    return audio


# ----------------------------------------------------------------------------- pitch track and notes


def _runs(mask: np.ndarray) -> list:
    """(start, stop) of each run of True in a 1-D bool array (stop exclusive)."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _running_median(x: np.ndarray, width: int) -> np.ndarray:
    """Median over a centred window, shrinking at the ends; x has no NaN."""
    if len(x) < 3 or width < 3:
        return x.copy()
    half = width // 2
    padded = np.pad(x, half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def _note_path(midi: np.ndarray, *, sigma: float, switch_cost: float, cap: float = 8.0) -> np.ndarray:
    """Most likely sequence of whole-semitone notes under a pitch curve (Viterbi).

    Each frame costs ``(midi - note)**2 / (2 sigma**2)`` (at most ``cap``, so an octave
    error in one frame costs little) and changing note costs ``switch_cost``: a note changes
    only where the curve stays near another semitone long enough to pay for the switch, so
    vibrato around one note never splits it. This is the note layer of pYIN (Mauch et al.,
    2015) without its probabilistic voicing.

    Parameters
    ----------
    midi : np.ndarray, shape=(n_frames,), float
        Fractional MIDI pitch of consecutive voiced frames (no NaN).

    Returns
    -------
    np.ndarray, shape=(n_frames,), int
        The note (MIDI number) of each frame.
    """
    states = np.arange(int(np.floor(midi.min())) - 1, int(np.ceil(midi.max())) + 2)
    cost = np.minimum((midi[:, None] - states[None, :]) ** 2 / (2 * sigma ** 2), cap)   # (n_frames, n_states)
    total = cost[0].copy()
    back = np.zeros(cost.shape, dtype=np.int64)
    keep = np.arange(len(states))
    for t in range(1, len(midi)):
        best = int(np.argmin(total))
        switch = total[best] + switch_cost
        moved = switch < total
        back[t] = np.where(moved, best, keep)
        total = np.where(moved, switch, total) + cost[t]
    path = np.empty(len(midi), dtype=np.int64)
    path[-1] = int(np.argmin(total))
    for t in range(len(midi) - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return states[path]


def _repeat_onsets(level: np.ndarray, start: int, stop: int, *, dip_db: float, min_frames: int) -> list:
    """Frames in start:stop where one pitch is sung again: a loudness dip of ``dip_db`` below both sides.

    A singer repeating a note breaks the sound for a moment ("la-la"); the dip's lowest frame
    (within 80 ms of louder sound on both sides) is where the new note starts.
    """
    cuts, last = [], start
    typical = float(np.median(level[start:stop]))
    for i in range(start + min_frames, stop - (3 * min_frames) // 2):   # room for a note after the dip
        left, right = level[max(start, i - 10):i].max(), level[i + 1:min(stop, i + 11)].max()
        if (level[i] <= level[i - 1] and level[i] < level[i + 1] and min(left, right) - level[i] > dip_db
                and typical - level[i] > dip_db and i - last >= min_frames):   # deeper than a tremolo
            cuts.append(i)
            last = i
    return cuts


def _fold_octaves(midi: np.ndarray, width: int = 25) -> np.ndarray:
    """Move frames an octave (or two) away from their neighbourhood's median back into it."""
    local = _running_median(midi, width)
    return midi - 12.0 * np.round((midi - local) / 12.0)


def track_notes(audio, sr: int = SR, *, fmin_hz: float = 65.0, fmax_hz: float = 2000.0, gate_db: float = 30.0,
                change_semitones: float = 0.7, min_note_s: float = 0.08, switch_cost: float = 12.0,
                repeat_db: float = 10.0) -> NoteTrack:
    """Pitch track and notes (in seconds) of a monophonic recording: steps 1-2 of the module.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
        Mono audio in [-1, 1] at ``sr`` = 16,000 Hz, 0.25 s to 60 s long.
    sr : int
        Sample rate in Hz; must be :data:`~lessonkit.analysis.SR`.
    fmin_hz, fmax_hz : float
        Pitch range searched (default 65-2000 Hz: a low male voice to a whistle).
    gate_db : float
        Frames quieter than the loudest frame by more than this many dB are unvoiced.
    change_semitones : float
        About how far (semitones) the pitch must move, for a few frames, to start a new note.
    min_note_s : float
        Shorter pieces join a neighbour or are dropped, in seconds.
    switch_cost : float
        Cost of changing note in the Viterbi path (one frame ``d`` semitones off its note costs
        ``d**2 / (2 * (change_semitones / 2)**2)``): higher, fewer and longer notes.
    repeat_db : float
        Loudness dip (dB below both sides within 80 ms, and below the note's median level) that
        starts the same pitch again;
        0 turns this off.

    Returns
    -------
    NoteTrack

    Raises
    ------
    RecordingError
        For a recording that is silent, clipped, stereo, at another rate, too short or too
        long, or that holds no note at all (noise or speech only).
    """
    audio = check_recording(audio, sr)
    gate_db = expect_number(gate_db, "gate_db", low=6.0, high=80.0)
    change_semitones = expect_number(change_semitones, "change_semitones", low=0.3, high=3.0)
    min_note_s = expect_number(min_note_s, "min_note_s", low=0.0, high=1.0)
    switch_cost = expect_number(switch_cost, "switch_cost", low=0.0, high=1000.0)
    repeat_db = expect_number(repeat_db, "repeat_db", low=0.0, high=60.0)
    f0 = f0_yin(audio, SR, fmin_hz=fmin_hz, fmax_hz=fmax_hz, hop_length=HOP).astype(np.float64)
    level = rms_db_frames(audio, SR, frame_length=4 * HOP, hop_length=HOP).astype(np.float64)
    n = min(len(f0), len(level))
    f0, level = f0[:n], level[:n]
    loud = level > max(level.max() - gate_db, -60.0)
    voiced = np.isfinite(f0) & loud
    midi = np.where(voiced, hz_to_midi(np.where(voiced, f0, 440.0)), np.nan)
    # close dropouts of up to 3 frames (24 ms) where the sound goes on (a soft attack or a breathy
    # moment, not a breath between notes); the Viterbi path below decides the pitch there
    for a, b in _runs(~voiced):
        if 0 < a and b < n and b - a <= 3 and level[a:b].min() > min(level[a - 1], level[b]) - 6.0:
            voiced[a:b] = True
            midi[a:b] = np.linspace(midi[a - 1], midi[b], b - a + 2)[1:-1]
    smooth = np.full(n, np.nan)
    for a, b in _runs(voiced):
        smooth[a:b] = _running_median(_fold_octaves(midi[a:b]), 5)
    min_frames = max(1, int(round(min_note_s * SR / HOP)))
    segments, attack = [], {}
    runs = _runs(voiced)
    for k, (a, b) in enumerate(runs):
        if b - a < min_frames:
            # too short for a note; if a note follows within 50 ms, it was that note's attack
            if k + 1 < len(runs) and runs[k + 1][0] - b <= 6:
                attack[runs[k + 1][0]] = attack.get(a, a)
            continue
        path = _note_path(smooth[a:b], sigma=change_semitones / 2, switch_cost=switch_cost)
        cuts = [a] + (a + np.flatnonzero(np.diff(path)) + 1).tolist() + [b]
        pieces = []
        for s, e in zip(cuts[:-1], cuts[1:]):   # a repeated note: cut it where it is struck again
            inner = _repeat_onsets(level, s, e, dip_db=repeat_db, min_frames=min_frames) if repeat_db else []
            bounds = [s] + inner + [e]
            pieces += [[s2, e2] for s2, e2 in zip(bounds[:-1], bounds[1:])]
        # a piece too short to be a note is the attack of the next (at the start of a run)
        # or a glide at the end of the one before
        merged = []
        for k, (s, e) in enumerate(pieces):
            if e - s >= min_frames:
                merged.append([s, e])
            elif merged:
                merged[-1][1] = e
            elif k + 1 < len(pieces):
                pieces[k + 1][0] = s
        segments += [(s, e) for s, e in merged if e - s >= min_frames]
    notes = [[s, e, float(np.median(smooth[s + 2:e] if e - s > 6 else smooth[s:e]))] for s, e in segments]
    # a note an octave away from the phrase, or from both its neighbours on the same side: YIN
    # heard a (sub-)harmonic; move it by octaves towards them
    heard = [note[2] for note in notes]
    centre = float(np.median(heard)) if heard else 0.0
    for k, note in enumerate(notes):
        sides = [heard[j] - heard[k] for j in (k - 1, k + 1) if 0 <= j < len(heard)]
        if len(heard) >= 3 and abs(heard[k] - centre) > 9.5:
            note[2] = heard[k] - 12.0 * np.round((heard[k] - centre) / 12.0)
        elif len(sides) == 2 and min(abs(d) for d in sides) > 9.5 and sides[0] * sides[1] > 0:
            note[2] = heard[k] + 12.0 * np.round(np.mean(sides) / 12.0)
    # one note broken by a short voicing gap (no dip in loudness): join the pieces
    joined = []
    for note in notes:
        if joined:
            last = joined[-1]
            gap = level[last[1]:note[0]]
            quiet = gap.min() if gap.size else np.inf
            if (0 < note[0] - last[1] <= 5 and abs(note[2] - last[2]) < 0.5
                    and quiet > np.median(level[last[0]:note[1]]) - repeat_db):
                last[1] = note[1]
                continue
        joined.append(note)
    onsets, offsets, pitches = [], [], []
    prev_end = 0
    for s, e, pitch in joined:
        start = attack.get(s, s)
        if start == 0 or not voiced[start - 1]:
            # after silence: the sound starts before its pitch is clear; walk back down the
            # loudness rise (at most 100 ms, never into the previous note)
            limit = max(prev_end, start - 13)
            while start - 1 > limit and level[start - 1] < level[start] - 0.25:
                start -= 1
        # the end: where the sound falls 12 dB below the note's typical level (not its release tail)
        loud = np.flatnonzero(level[s:e] >= np.median(level[s:e]) - 12.0)
        end = s + int(loud[-1]) + 1 if loud.size else e
        prev_end = e
        onsets.append(start * HOP / SR)
        offsets.append(end * HOP / SR)
        pitches.append(pitch)
    times = (np.arange(n) * HOP / SR).astype(np.float32)
    f0_out = np.where(voiced, 440.0 * 2.0 ** ((smooth - 69.0) / 12.0), np.nan).astype(np.float32)
    track = NoteTrack(times, f0_out, voiced, level.astype(np.float32), np.array(onsets), np.array(offsets),
                      np.array(pitches))
    if not len(track):
        raise RecordingError("No sung notes were found in this recording: it holds noise (or speech) but no steady "
                             f"pitch lasting {min_note_s * 1000:.0f} ms. Hum or sing 'loo' one note at a time, "
                             "closer to the microphone, somewhere quiet.")
    return track


# ----------------------------------------------------------------------------- grid


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


def naive_notes(audio, sr: int = SR, *, fmin_hz: float = 65.0, fmax_hz: float = 2000.0):
    """The baseline the benchmark compares with: round each frame's f0, merge equal neighbours.

    No loudness gate, no smoothing, no minimum length: every run of frames with the same
    rounded pitch is a note.

    Returns
    -------
    (np.ndarray, np.ndarray, np.ndarray)
        onsets_s, offsets_s and integer MIDI pitches, each ``shape=(n_notes,)``.
    """
    audio = check_recording(audio, sr)
    f0 = f0_yin(audio, SR, fmin_hz=fmin_hz, fmax_hz=fmax_hz, hop_length=HOP)
    rounded = np.where(np.isfinite(f0), np.round(hz_to_midi(np.where(np.isfinite(f0), f0, 440.0))), -1)
    change = np.flatnonzero(np.diff(np.concatenate([[-1], rounded, [-1]])) != 0)
    on, off, pitch = [], [], []
    for a, b in zip(change[:-1], change[1:]):
        if rounded[a] >= 0:
            on.append(a * HOP / SR)
            off.append(b * HOP / SR)
            pitch.append(int(rounded[a]))
    return np.array(on), np.array(off), np.array(pitch, dtype=np.int64)


__all__ = ["transcribe", "track_notes", "perform", "quantize", "fit_grid", "check_recording", "naive_notes", "NoteTrack",
           "RecordingError", "HOP", "MAX_RECORDING_S"]


# ----------------------------------------------------------------------------- test phrases


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
    from .audio import synth_note

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
        from .instruments import sample_bank

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
