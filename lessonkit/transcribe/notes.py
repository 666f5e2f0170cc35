"""Steps 1-2 of :mod:`lessonkit.transcribe`: check a recording, track its pitch, find its notes.

Lesson: notebooks/02_ai_duet.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..analysis import SR, f0_yin, hz_to_midi, rms_db_frames
from ..errors import LessonkitError, LessonkitTypeError, expect_number

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
