"""Latent Loops widgets, the shared parts: typing and drawing loops, sound, the default corners.

Lesson: notebooks/04_latent_loops.ipynb

The widgets themselves are :mod:`lessonkit.widgets.loops` (the palette) and
:mod:`lessonkit.widgets.loop_views` (map, interpolation, sampler).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..errors import LessonkitError
from ..models.loops import LOOP_STEPS, LoopError, as_loops
from ..music import HOLD, REST, Melody

DEFAULT_CORNERS = (
    "C4 E4 G4 E4 | C4 E4 G4*2",
    "A4/2 G4/2 F4/2 E4/2 D4/2 C4/2 D4/2 E4/2 | F4/2 E4/2 D4/2 C4/2 B3/2 C4/2 D4 ",
    "G4*2 r D4 | G4*3 r",
    "E5/2 D5/2 C5/2 B4/2 A4/2 B4/2 C5/2 D5/2 | E5/2 C5/2 A4/2 C5/2 E5*2",
)
_CELL_PX = 58


def loop_tokens(loop) -> np.ndarray:
    """One loop as 32 tokens, from tokens, a Melody (cut or padded to 2 bars) or typed notes."""
    if isinstance(loop, str):
        try:
            melody = Melody.parse(loop.replace("|", " "))
        except LessonkitError as err:
            raise LoopError(f"Could not read the loop {loop!r:.60}: {err}") from None
        loop = melody
    if isinstance(loop, Melody):
        tokens = np.full(LOOP_STEPS, REST, dtype=np.int64)
        t = loop.to_tokens()[:LOOP_STEPS]
        tokens[:len(t)] = t
        return tokens
    return as_loops(loop, "loop")[0][0]


def loop_melody(tokens, tempo_bpm: float = 120.0) -> Melody:
    """The Melody of a loop's tokens (a loop of only rests becomes one bar of silence around a quiet note)."""
    tokens = np.asarray(tokens)
    if not (tokens < 128).any():
        return Melody.from_arrays([60], [0], [1], [1], length_steps=len(tokens), tempo_bpm=tempo_bpm)
    return Melody.from_tokens(tokens, tempo_bpm=tempo_bpm)


def draw_loop(ax, tokens, *, colour="#2a6fdb", limits=(48, 96), frame=None):
    """A small piano roll of one loop on ``ax`` (no labels): 32 steps across, pitch up."""
    tokens = np.asarray(tokens)
    starts = np.flatnonzero(tokens < 128)
    for s in starts:
        end = s + 1
        while end < len(tokens) and tokens[end] == HOLD:
            end += 1
        ax.add_patch(_rect(s, tokens[s] - 0.5, end - s, 1.0, colour))
    ax.set_xlim(0, LOOP_STEPS)
    ax.set_ylim(*limits)
    ax.axvline(16, color="#bbb", lw=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    if frame:
        for side in ax.spines.values():
            side.set_color(frame)
            side.set_linewidth(3)


def _rect(x, y, w, h, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="none")


def _limits(loops) -> tuple:
    notes = np.asarray(loops)[np.asarray(loops) < 128]
    if notes.size == 0:
        return (58, 74)
    return (int(notes.min()) - 2, int(notes.max()) + 3)


def _show(out: widgets.Output, fig):
    import matplotlib.pyplot as plt

    with out:
        out.clear_output(wait=True)
        plt.show()
    plt.close(fig)


def _error(label: widgets.HTML, err: Exception):
    label.value = f"<span style='color:#b00'>⚠ {html.escape(str(err))}</span>"


def _sound(tokens_list, instrument, tempo_bpm=120.0) -> np.ndarray:
    """The loops played one after the other: float32 audio."""
    from .. import audio

    melody = loop_melody(tokens_list[0], tempo_bpm)
    for t in tokens_list[1:]:
        melody = melody.then(loop_melody(t, tempo_bpm))
    return audio.render(melody, instrument)


def _model(model, kind="vae"):
    if model is None:
        from ..models.loops import load_pretrained

        return load_pretrained(kind)
    from ..models.loops import LoopModel

    if not isinstance(model, LoopModel):
        raise LessonkitError(f"model should be a LoopModel such as load_pretrained('vae'), not {type(model).__name__}.")
    return model


def blend_codes(corners: np.ndarray, size: int) -> np.ndarray:
    """Bilinear blends of 4 corner codes (top-left, top-right, bottom-left, bottom-right): (size, size, z_dim)."""
    t = np.linspace(0.0, 1.0, size)
    v, u = np.meshgrid(t, t, indexing="ij")  # v down the rows, u across
    a, b, c, d = corners
    return ((1 - u) * (1 - v))[..., None] * a + (u * (1 - v))[..., None] * b + ((1 - u) * v)[..., None] * c \
        + (u * v)[..., None] * d
