"""Plots with one consistent look: piano rolls, waveforms, spectrograms.

Lesson: notebooks/00_music_as_data.ipynb (and every later lesson)

Every function takes ``ax=`` (a matplotlib Axes) so a notebook can compose its own
grid of figures; without it, a new figure is made. Each returns the Axes it drew on.
"""

from __future__ import annotations

import numpy as np

from .errors import LessonkitError, expect_int, expect_number, expect_type
from .music import Melody, note_name

CALL_COLOUR = "#2a6fdb"
"""Colour of the first melody (the student's call)."""
RESPONSE_COLOUR = "#f08a24"
"""Colour of the second melody (the computer's response)."""
GRID_COLOUR = "#d0d0d0"
FIGSIZE = (10, 3.2)
_BLACK_KEYS = {1, 3, 6, 8, 10}


def _axes(ax, figsize=FIGSIZE):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def piano_roll(melody: Melody, response: Melody | None = None, *, ax=None, title: str | None = None,
               labels=("call", "response"), pitch_margin: int = 2, pitch_limits: tuple | None = None):
    """Draw a melody as a piano roll: time across (in bars and beats), pitch up, note names on the axis.

    Parameters
    ----------
    melody : Melody
        Drawn in :data:`CALL_COLOUR`.
    response : Melody, optional
        Drawn after ``melody`` in :data:`RESPONSE_COLOUR` (call and response).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    title : str, optional
        Defaults to the melody's title, if it has one.
    labels : tuple of str
        Legend names of the two melodies.
    pitch_margin : int
        Empty rows above and below the notes, in semitones.
    pitch_limits : (int, int), optional
        Lowest and highest MIDI pitch to show; fix them to compare plots (e.g. a transposed tune).

    Returns
    -------
    matplotlib.axes.Axes
    """
    expect_type(melody, Melody, "melody")
    ax = _axes(ax)
    parts = [(melody, 0, CALL_COLOUR, labels[0])]
    if response is not None:
        expect_type(response, Melody, "response")
        parts.append((response, melody.length_steps, RESPONSE_COLOUR, labels[1]))
    total = sum(m.length_steps for m, *_ in parts)
    low = min(m.pitch_range[0] for m, *_ in parts) - pitch_margin
    high = max(m.pitch_range[1] for m, *_ in parts) + pitch_margin
    if pitch_limits is not None:
        low, high = (expect_int(p, "pitch_limits", low=0, high=127) for p in pitch_limits)
    for pitch in range(low, high + 1):  # shade black-key rows like a keyboard
        if pitch % 12 in _BLACK_KEYS:
            ax.axhspan(pitch - 0.5, pitch + 0.5, color="#f3f3f3", zorder=0)
    spb = melody.steps_per_bar
    beats, unit = melody.time_signature
    # A beat is a quarter (4 steps), or a dotted quarter (6 steps) in compound meters like 6/8.
    beat = 6 if (unit == 8 and beats % 3 == 0 and beats > 3) else 16 // unit
    first_bar = melody.pickup_steps % spb
    for step in range(first_bar % beat, total + 1, beat):
        ax.axvline(step, color=GRID_COLOUR, lw=0.5, zorder=1)
    for step in range(first_bar, total + 1, spb):
        ax.axvline(step, color="#888888", lw=1.2, zorder=1)
    for m, offset, colour, label in parts:
        for i, note in enumerate(m):
            ax.add_patch(_rect(offset + note.onset_steps, note.pitch - 0.4, note.duration_steps, 0.8, colour,
                               0.35 + 0.65 * note.velocity / 127, label if (i == 0 and response is not None) else None))
    ax.set_xlim(0, total)
    ax.set_ylim(low - 0.5, high + 0.5)
    _label_pitch_rows(ax, low, high, {int(p) for m, *_ in parts for p in m.pitches})
    bar_ticks = list(range(first_bar, total + 1, spb))
    ax.set_xticks(bar_ticks, [str(i + 1) for i in range(len(bar_ticks))])
    ax.set_xlabel(f"bar ({melody.meter}; thin lines are beats, one step = a 16th note)")
    ax.set_ylabel("pitch")
    if response is not None:  # above the plot, so it never hides a note
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    title = title if title is not None else melody.meta.get("title")
    if title:
        ax.set_title(title)
    return ax


def _label_pitch_rows(ax, low: int, high: int, held: set) -> None:
    """Name every pitch row that holds a note; C D E G A (or C E G) rows too where they have room.

    A held pitch a semitone above another held one is named on the right-hand axis, so two labels
    never sit on neighbouring rows of the same side (they would overlap).
    """
    left, right = [], []
    for p in sorted(q for q in held if low <= q <= high):
        (right if (p - 1) in left else left).append(p)
    labelled = (0, 2, 4, 7, 9) if high - low <= 24 else (0, 4, 7)
    reference = [p for p in range(low, high + 1)
                 if p % 12 in labelled and all(abs(p - q) > 1 for q in left) and p not in right]
    ticks = sorted(left + reference) or [low]
    ax.set_yticks(ticks, [note_name(p) for p in ticks], fontsize=8)
    for tick, p in zip(ax.get_yticklabels(), ticks):
        if p not in held:
            tick.set_color("#888888")  # a landmark row, no note on it
    if right:
        other = ax.secondary_yaxis("right")
        other.set_yticks(right, [note_name(p) for p in right], fontsize=8)


def _round_hz_ticks(freqs_hz: np.ndarray, top_row: int, mel: bool) -> tuple[list, list]:
    """Row positions and labels of round frequencies (100, 500, 1000 Hz...) on a spectrogram's rows."""
    top_hz = float(freqs_hz[top_row - 1])
    if mel:
        values = [v for v in (100, 200, 500, 1000, 2000, 4000, 8000) if freqs_hz[0] <= v <= top_hz]
    else:
        step = next(s for s in (100, 200, 250, 500, 1000, 2000, 5000) if top_hz / s <= 8)
        values = list(np.arange(0, top_hz + 1e-9, step))
    rows = np.interp(values, freqs_hz[:top_row], np.arange(top_row)) + 0.5
    return list(rows), [f"{v:g}" for v in values]


def _rect(x, y, w, h, colour, alpha, label):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="black", linewidth=0.5, alpha=alpha,
                     zorder=2, label=label, gid="note")


def waveform(audio: np.ndarray, *, sr: int | None = None, ax=None, title: str | None = None,
             colour: str = CALL_COLOUR):
    """Draw audio samples over time (seconds).

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,)
        Mono audio in [-1, 1].
    sr : int, optional
        Sample rate in Hz; default :data:`lessonkit.audio.SR`.
    """
    from .audio import SR, as_audio

    sr = SR if sr is None else sr
    audio = as_audio(audio, sr=sr)
    ax = _axes(ax)
    t = np.arange(len(audio)) / sr
    ax.plot(t, audio, color=colour, lw=0.6)
    ax.set_xlim(0, t[-1] if len(t) > 1 else 1)
    ax.set_ylim(-1.05, 1.05)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    if title:
        ax.set_title(title)
    return ax


def spectrogram(audio: np.ndarray, *, sr: int | None = None, ax=None, title: str | None = None,
                kind: str = "mel", max_hz: float | None = None):
    """Draw how loud each frequency is over time (dB, brighter is louder).

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,)
        Mono audio in [-1, 1] at ``sr``.
    kind : {"mel", "linear"}
        A log-mel spectrogram (frequency axis like our hearing) or the plain STFT.
    """
    from . import analysis
    from .audio import SR, as_audio

    sr = SR if sr is None else sr
    audio = as_audio(audio, sr=sr)
    ax = _axes(ax)
    if kind == "mel":
        spec = analysis.mel_spectrogram(audio, sr)
    elif kind == "linear":
        spec = analysis.spectrogram(audio, sr)
    else:
        raise LessonkitError(f"kind must be 'mel' or 'linear', not {kind!r}.")
    top = float(spec.values.max())
    image = ax.imshow(spec.values, origin="lower", aspect="auto", cmap="magma",
                      extent=[spec.times_s[0], spec.times_s[-1], 0, len(spec.freqs_hz)],
                      vmin=top - 80, vmax=top)
    top_row = len(spec.freqs_hz)
    if max_hz is not None:
        max_hz = expect_number(max_hz, "max_hz", low=1, hint="Give a frequency in Hz, e.g. 4000.")
        top_row = max(2, int(np.searchsorted(spec.freqs_hz, max_hz)))
        ax.set_ylim(0, top_row)
    rows, labels = _round_hz_ticks(np.asarray(spec.freqs_hz, dtype=float), top_row, kind == "mel")
    ax.set_yticks(rows, labels)  # round values (500, 1000, ... Hz), not whatever the bins happen to be
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    ax.figure.colorbar(image, ax=ax, label="dB", pad=0.01)
    if title:
        ax.set_title(title)
    return ax


def probability_heatmap(probs: np.ndarray, *, ax=None, chosen=None, title: str | None = None,
                        steps_per_bar: int = 16, min_prob: float = 0.01, pitch_limits: tuple | None = None):
    """Draw a model's next-step probabilities over time: one column per step, one row per token.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    probs : np.ndarray, shape=(n_steps, 130)
        Row ``t``: probability of each step token (0..127 pitches, 128 HOLD, 129 REST) at step ``t``.
    chosen : array-like of int, shape=(n_steps,), optional
        The tokens actually played, marked with a dot.
    min_prob : float
        Pitch rows are shown between the lowest and highest pitch that ever gets this much.
    pitch_limits : (int, int), optional
        Lowest and highest MIDI pitch row to show instead; give several plots the same
        limits to compare them row by row.

    Returns
    -------
    matplotlib.axes.Axes
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 2 or probs.shape[1] != 130 or probs.shape[0] == 0:
        raise LessonkitError(f"probs should have shape (n_steps, 130), but has shape {probs.shape}.")
    ax = _axes(ax)
    seen = np.flatnonzero(probs[:, :128].max(axis=0) >= min_prob)
    if chosen is not None:
        chosen = np.asarray(chosen)
        seen = np.union1d(seen, chosen[chosen < 128])
    low, high = (int(seen.min()), int(seen.max())) if seen.size else (60, 72)
    if pitch_limits is not None:
        low, high = (expect_int(p, "pitch_limits", low=0, high=127) for p in pitch_limits)
        if low > high:
            raise LessonkitError(f"pitch_limits=({low}, {high}): give the lowest pitch first.")
    rows = list(range(low, high + 1)) + [128, 129]  # pitches, then HOLD and REST on top
    image = ax.imshow(probs[:, rows].T, origin="lower", aspect="auto", cmap="Greys", vmin=0, vmax=1,
                      extent=[-0.5, len(probs) - 0.5, -0.5, len(rows) - 0.5], interpolation="nearest")
    ax.axhline(len(rows) - 2.5, color="#888888", lw=0.8)
    for step in range(0, len(probs) + 1, steps_per_bar):
        ax.axvline(step - 0.5, color="#888888", lw=1.0)
    if chosen is not None:
        y = np.array([rows.index(int(t)) if int(t) in rows else np.nan for t in chosen])
        ax.scatter(np.arange(len(chosen)), y, s=12, color=RESPONSE_COLOUR, label="played", zorder=3)
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    # label C, E and G rows, but none right under HOLD, where the labels would collide
    classes = (0, 4, 7) if len(rows) <= 30 else (0,)
    ticks = [i for i, p in enumerate(rows[:-2]) if p % 12 in classes and i < len(rows) - 4]
    ticks += [len(rows) - 2]
    ax.set_yticks(ticks, [note_name(rows[i]) for i in ticks[:-1]] + ["HOLD"], fontsize=8)
    # REST on the right-hand axis: on neighbouring rows, HOLD and REST labels would overlap
    other = ax.secondary_yaxis("right")
    other.set_yticks([len(rows) - 1], ["REST"], fontsize=8)
    ax.set_xlabel("step of the answer (a 16th note each; lines are bar lines)")
    ax.set_ylabel("next token")
    ax.figure.colorbar(image, ax=ax, label="probability", pad=0.01)
    if title:
        ax.set_title(title)
    return ax


def pitch_curve(track, melody: Melody | None = None, *, ax=None, title: str | None = None, found: bool = True):
    """Draw a recording's pitch curve with the notes it was turned into.

    Lesson: notebooks/02_ai_duet.ipynb ("sing your call")

    Parameters
    ----------
    track : lessonkit.transcribe.NoteTrack, or a Melody from ``transcribe`` (its ``meta["track"]``)
        The pitch curve (grey line, in fractional MIDI pitch) and the notes found in seconds
        (thin outlined boxes).
    melody : Melody, optional
        The notes on the grid (blue boxes), placed in seconds at the fitted grid when the
        melody came from ``transcribe``; default the melody passed as ``track``, if any.
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    found : bool
        Draw the notes found in seconds (thin boxes); False shows the curve alone, e.g. for an
        exercise that asks which notes it holds.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .transcribe import NoteTrack

    if isinstance(track, Melody):
        melody = track if melody is None else melody
        track = track.meta.get("track")
    if not isinstance(track, NoteTrack):
        raise LessonkitError("pitch_curve needs the NoteTrack of track_notes(audio), or a Melody made by "
                             "transcribe(audio) (it keeps its track in melody.meta['track']).")
    ax = _axes(ax)
    midi = 69.0 + 12.0 * np.log2(track.f0_hz / 440.0)
    ax.plot(track.times_s, midi, color="#555555", lw=1.0, label="pitch curve", zorder=3)
    if found:
        for on, off, p in zip(track.onsets_s, track.offsets_s, track.pitches):
            ax.add_patch(_rect(on, p - 0.5, off - on, 1.0, "none", 1.0, None))
    pitches = list(track.pitches)
    if melody is not None:
        expect_type(melody, Melody, "melody")
        t0 = float(melody.meta.get("grid_start_s", 0.0))
        sps = float(melody.meta.get("seconds_per_step", melody.seconds_per_step))
        first = True
        for note in melody:
            ax.add_patch(_rect(t0 + note.onset_steps * sps, note.pitch - 0.5, note.duration_steps * sps, 1.0,
                               CALL_COLOUR, 0.45, "notes" if first else None))
            first = False
        pitches += melody.pitches.tolist()
        ax.text(0.99, 0.02, str(melody), transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                color=CALL_COLOUR)
    if pitches:
        lo, hi = int(np.floor(min(pitches))) - 2, int(np.ceil(max(pitches))) + 2
        ax.set_ylim(lo - 0.5, hi + 0.5)
        ticks = [p for p in range(lo, hi + 1) if p % 12 in (0, 2, 4, 5, 7, 9, 11)]
        step = max(1, len(ticks) // 8)
        ax.set_yticks(ticks[::step])
        ax.set_yticklabels([note_name(p) for p in ticks[::step]])
    ax.set_xlim(0, float(track.times_s[-1]) if len(track.times_s) else 1.0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("pitch")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or ("what was sung (grey) and the notes it became (blue)" if melody is not None
                           else "what was sung: its pitch over time"))
    return ax
