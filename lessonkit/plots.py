"""Plots with one consistent look: piano rolls, waveforms, spectrograms.

Lesson: notebooks/00_music_as_data.ipynb (and every later lesson)

Every function takes ``ax=`` (a matplotlib Axes) so a notebook can compose its own
grid of figures; without it, a new figure is made. Each returns the Axes it drew on.
"""

from __future__ import annotations

import numpy as np

from .errors import LessonkitError, expect_type
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
               labels=("call", "response"), pitch_margin: int = 2):
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
    for pitch in range(low, high + 1):  # shade black-key rows like a keyboard
        if pitch % 12 in _BLACK_KEYS:
            ax.axhspan(pitch - 0.5, pitch + 0.5, color="#f3f3f3", zorder=0)
    spb = melody.steps_per_bar
    for step in range(0, total + 1, 4):
        bar_line = (step - melody.pickup_steps) % spb == 0
        ax.axvline(step, color="#888888" if bar_line else GRID_COLOUR, lw=1.2 if bar_line else 0.5, zorder=1)
    for m, offset, colour, label in parts:
        for i, note in enumerate(m):
            ax.add_patch(_rect(offset + note.onset_steps, note.pitch - 0.4, note.duration_steps, 0.8, colour,
                               0.35 + 0.65 * note.velocity / 127, label if (i == 0 and response is not None) else None))
    ax.set_xlim(0, total)
    ax.set_ylim(low - 0.5, high + 0.5)
    ticks = [p for p in range(low, high + 1) if p % 12 in (0, 4, 7)] or [low]
    ax.set_yticks(ticks, [note_name(p) for p in ticks])
    bar_ticks = list(range(melody.pickup_steps % spb, total + 1, spb))
    ax.set_xticks(bar_ticks, [str(i + 1) for i in range(len(bar_ticks))])
    ax.set_xlabel(f"bar ({melody.meter}; thin lines are beats, one step = a 16th note)")
    ax.set_ylabel("pitch")
    if response is not None:
        ax.legend(loc="upper right", fontsize=8)
    title = title if title is not None else melody.meta.get("title")
    if title:
        ax.set_title(title)
    return ax


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
    idx = np.linspace(0, len(spec.freqs_hz) - 1, 6).astype(int)
    ax.set_yticks(idx + 0.5, [f"{spec.freqs_hz[i]:.0f}" for i in idx])
    if max_hz is not None:
        ax.set_ylim(0, int(np.searchsorted(spec.freqs_hz, max_hz)))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    ax.figure.colorbar(image, ax=ax, label="dB", pad=0.01)
    if title:
        ax.set_title(title)
    return ax
