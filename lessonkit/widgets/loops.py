"""Latent Loops widgets: the palette, the latent map, VAE-vs-AE interpolation, sampling with sliders.

Lesson: notebooks/04_latent_loops.ipynb

Each is one call::

    latent_palette()                 # 4 corner loops (typed, picked or clicked on a step grid), the square
                                     # of blends, click, make a song, export
    latent_map()                     # a 2-D map of the codes of real loops; pick a point, hear it
    interpolation_view(a, b)         # the path a -> b, VAE and AE side by side
    loop_sampler()                   # sample with a temperature, then add attribute vectors with sliders

Loops are typed as notes (``"C4 D4 E4/2 r"``, 2 bars: 32 sixteenths; shorter is padded with
rests, longer is cut), picked from the corpus, or clicked on a step grid
(:mod:`lessonkit.widgets.step_grid`).
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets
import numpy as np

from ..errors import LessonkitError, expect_int
from ..models.loops import LOOP_STEPS, LoopError, as_loops
from .loop_parts import (_CELL_PX, DEFAULT_CORNERS, _error, _limits, _model, _show, _sound, blend_codes,  # noqa: F401
                         draw_loop, loop_melody, loop_tokens)
from .loop_views import interpolation_view, latent_map, loop_sampler  # noqa: F401  (one import for the lesson)
from .step_grid import step_grid

WIDE = {"description_width": "initial"}
"""Descriptions take the width they need, so no label is cut off ("bottom ri...")."""


def AUTO():
    """A button as wide as its text."""
    return widgets.Layout(width="auto")


# ----------------------------------------------------------------------------- the palette

CORNER_NAMES = ("top left", "top right", "bottom left", "bottom right")


class LatentPalette(widgets.VBox):
    """The Latent Loops palette (an ``ipywidgets.VBox``); build it with :func:`latent_palette`.

    Attributes
    ----------
    grid : np.ndarray, shape=(size, size, 32), int64
        The decoded loops of the square (corners included).
    selected : (int, int)
        Row and column of the cell being played.
    song : list of (int, int)
        The cells picked into the song, in order.
    audio : np.ndarray
        The sound in the player now.
    """

    def __init__(self, model=None, corners=DEFAULT_CORNERS, *, size=5, instrument=None, corpus=None):
        super().__init__()
        from .. import audio

        self.model = _model(model)
        self.size = expect_int(size, "size", low=2, high=9)
        if corners is None or len(corners) != 4:
            raise LoopError("The palette needs 4 corner loops (top-left, top-right, bottom-left, bottom-right).")
        self.corpus = None if corpus is None else as_loops(corpus, "corpus")[0]
        self.corner_boxes = []
        for i, name in enumerate(CORNER_NAMES):
            value = corners[i] if isinstance(corners[i], str) else " ".join(
                str(x) for x in loop_melody(loop_tokens(corners[i])).__str__().split())
            self.corner_boxes.append(widgets.Text(value=value, description=name, style=WIDE,
                                                  layout=widgets.Layout(width="560px")))
        self.set_button = widgets.Button(description="Set corners", button_style="primary", layout=AUTO())
        self.random_button = widgets.Button(description="Corners from the corpus", layout=AUTO())
        self.seed = widgets.IntText(value=0, description="seed", style=WIDE, layout=widgets.Layout(width="140px"))
        voices = audio.available_instruments()
        self.instrument = widgets.Dropdown(options=voices, value=instrument or audio.DEFAULT_INSTRUMENT,
                                           description="instrument", style=WIDE)
        # the step sequencer: write a corner by clicking (folded away until opened)
        self.edit_corner = widgets.Dropdown(options=[(n, i) for i, n in enumerate(CORNER_NAMES)], value=0,
                                            description="corner", style=WIDE)
        self.step_grid = step_grid()
        self.use_grid_button = widgets.Button(description="Use the grid for this corner", button_style="primary",
                                              layout=AUTO())
        self.edit_corner.observe(lambda _: self.grid_from_corner(), "value")
        self.use_grid_button.on_click(lambda _: self.use_grid())
        self.writer = widgets.Accordion([widgets.VBox([
            widgets.HBox([self.edit_corner, self.use_grid_button]),
            widgets.HTML("Columns are the 32 sixteenths of 2 bars. Click a cell to start a note (or a rest) there; "
                         "an empty column holds what sounds (lighter blue), and a rest lasts until the next note. "
                         "Click a note again to take it out."),
            self.step_grid])], titles=("Write a corner loop on a step grid",), selected_index=None)
        self.cells = []
        rows = []
        for r in range(self.size):
            row = []
            for c in range(self.size):
                b = widgets.Button(description=f"{r + 1},{c + 1}", tooltip=f"play row {r + 1}, column {c + 1}",
                                   layout=widgets.Layout(width=f"{_CELL_PX}px", height="28px"))
                b.on_click(lambda _, r=r, c=c: self.select(r, c))
                row.append(b)
            self.cells.append(row)
            rows.append(widgets.HBox(row))
        self.add_button = widgets.Button(description="Add cell to song", layout=AUTO())
        self.clear_button = widgets.Button(description="Clear song", layout=AUTO())
        self.play_song_button = widgets.Button(description="Play song", layout=AUTO())
        self.filename = widgets.Text(value="my_latent_song", description="file name", style=WIDE)
        self.export_button = widgets.Button(description="Export MIDI + WAV", layout=AUTO())
        self.info = widgets.HTML()
        self.picture = widgets.Output(layout=widgets.Layout(min_height="320px"))
        self.player = audio.player(audio.as_audio([0.0] * 160))
        self.song_label = widgets.HTML()
        self.set_button.on_click(lambda _: self.set_corners())
        self.random_button.on_click(lambda _: self.corners_from_corpus(self.seed.value))
        self.add_button.on_click(lambda _: self.add_to_song())
        self.clear_button.on_click(lambda _: self.clear_song())
        self.play_song_button.on_click(lambda _: self.play_song())
        self.export_button.on_click(lambda _: self.export())
        self.children = [
            widgets.VBox(self.corner_boxes), widgets.HBox([self.set_button, self.random_button, self.seed, self.instrument]),
            self.writer,
            widgets.HTML("<b>Click a cell to hear it</b> (rows top to bottom, columns left to right):"),
            widgets.HBox([widgets.VBox(rows), self.picture]), self.player, self.info,
            widgets.HBox([self.add_button, self.clear_button, self.play_song_button]), self.song_label,
            widgets.HBox([self.filename, self.export_button])]
        self.selected = (0, 0)
        self.song = []
        self.set_corners()

    # -- what the buttons do (also callable from code) ---------------------------------

    def set_corners(self, corners=None):
        """Encode the 4 corner loops (from the text boxes, or given) and fill the square."""
        try:
            if corners is not None:
                for box, loop in zip(self.corner_boxes, corners):
                    box.value = loop if isinstance(loop, str) else str(loop_melody(loop_tokens(loop)))
            tokens = np.stack([loop_tokens(b.value) for b in self.corner_boxes])
        except LessonkitError as err:
            _error(self.info, err)
            return
        self.corner_tokens = tokens
        codes = blend_codes(self.model.encode(tokens), self.size)
        self.grid = self.model.decode(codes.reshape(-1, codes.shape[-1])).reshape(self.size, self.size, LOOP_STEPS)
        self.grid_from_corner()
        self.select(*self.selected)

    def grid_from_corner(self):
        """Show the corner chosen in ``corner`` on the step grid."""
        try:
            self.step_grid.set_loop(self.corner_boxes[self.edit_corner.value].value)
        except LessonkitError as err:
            _error(self.info, err)

    def use_grid(self):
        """Put the step grid's loop in the chosen corner (its text box too) and refill the square."""
        loop = self.step_grid.loop
        if not (loop < 128).any():
            _error(self.info, LoopError("The step grid has no notes: click at least one note, then use it."))
            return
        self.corner_boxes[self.edit_corner.value].value = str(loop_melody(loop))
        self.set_corners()

    def corners_from_corpus(self, seed=0):
        """Four random loops of the corpus (``corpus=``, default the valid loops) at the corners."""
        if self.corpus is None:
            from ..datasets import load_loops

            self.corpus = load_loops("valid")
        pick = np.random.default_rng(int(seed)).choice(len(self.corpus), 4, replace=False)
        self.set_corners([self.corpus[i] for i in pick])

    def select(self, row, col):
        """Play cell (row, col) (0-based) and frame it in the picture."""
        if not (0 <= row < self.size and 0 <= col < self.size):
            raise LoopError(f"There is no cell ({row}, {col}): rows and columns go from 0 to {self.size - 1}.")
        from .. import audio

        self.selected = (row, col)
        for r, line in enumerate(self.cells):
            for c, b in enumerate(line):
                b.button_style = "warning" if (r, c) == self.selected else ""
        self.audio = _sound([self.grid[row, col]], self.instrument.value)
        self.player.value = audio.to_wav_bytes(self.audio)
        notes = int((self.grid[row, col] < 128).sum())
        self.info.value = f"cell row {row + 1}, column {col + 1}: {notes} notes"
        self.draw()

    def draw(self):
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(self.size, self.size, figsize=(0.95 * self.size + 0.5, 0.62 * self.size + 0.4),
                                 squeeze=False, gridspec_kw=dict(wspace=0.08, hspace=0.1))
        limits = _limits(self.grid)
        song = set(self.song)
        for r in range(self.size):
            for c in range(self.size):
                corner = (r in (0, self.size - 1)) and (c in (0, self.size - 1))
                frame = "#f08a24" if (r, c) == self.selected else "#2a6fdb" if corner else "#3a3" if (r, c) in song else None
                draw_loop(axes[r, c], self.grid[r, c], colour="#1f3f7a" if corner else "#2a6fdb", limits=limits,
                          frame=frame)
        fig.suptitle("decoded blends of the 4 corners (orange frame: playing; blue: corners; green: in the song)",
                     fontsize=7)
        _show(self.picture, fig)

    def add_to_song(self):
        """Append the selected cell to the song (at most 8 loops)."""
        if len(self.song) >= 8:
            self.song_label.value = "The song is full (8 loops). Clear it to start again."
            return
        self.song.append(self.selected)
        self._song_text()
        self.draw()

    def clear_song(self):
        self.song = []
        self._song_text()
        self.draw()

    def _song_text(self):
        cells = ", ".join(f"({r + 1},{c + 1})" for r, c in self.song) or "empty"
        self.song_label.value = f"song: {cells} ({len(self.song)} of 4-8 loops)"

    def song_tokens(self) -> np.ndarray:
        """The song's loops, (n, 32) int64; LoopError if it has none."""
        if not self.song:
            raise LoopError("The song is empty: click a cell, then 'Add cell to song' (4 to 8 times).")
        return np.stack([self.grid[r, c] for r, c in self.song])

    def play_song(self):
        from .. import audio

        try:
            self.audio = _sound(list(self.song_tokens()), self.instrument.value)
        except LessonkitError as err:
            _error(self.song_label, err)
            return
        self.player.value = audio.to_wav_bytes(self.audio)

    def export(self, name=None) -> tuple:
        """Write the song as ``name.mid`` and ``name.wav``; never overwrites (returns the two paths)."""
        from .. import audio

        name = os.fspath(name or self.filename.value).removesuffix(".mid").removesuffix(".wav")
        try:
            tokens = self.song_tokens()
            melody = loop_melody(np.concatenate(list(tokens)))
            for path in (name + ".mid", name + ".wav"):
                if os.path.exists(path):
                    raise LessonkitError(f"{path!r} exists already, and the palette never overwrites a file: "
                                         "choose another file name.")
            paths = (melody.write_midi(name + ".mid"), audio.save_wav(melody, name + ".wav",
                                                                       instrument=self.instrument.value))
        except LessonkitError as err:
            _error(self.song_label, err)
            return None
        self.song_label.value = f"wrote {html.escape(paths[0])} and {html.escape(paths[1])}"
        return paths


def latent_palette(model=None, corners=DEFAULT_CORNERS, *, size: int = 5, instrument=None, corpus=None) -> LatentPalette:
    """The Latent Loops palette: 4 corner loops, the square of their blends, a song to export.

    Lesson: notebooks/04_latent_loops.ipynb

    Parameters
    ----------
    model : LoopModel, optional
        Default ``load_pretrained("vae")``.
    corners : 4 loops
        Typed notes (2 bars), Melody or 32 tokens: top-left, top-right, bottom-left, bottom-right.
    size : int
        Cells per side, 2..9 (5: a 5x5 square).
    instrument : str, optional
    corpus : array (n, 32), optional
        Where "Corners from the corpus" picks (default the valid loops).
    """
    return LatentPalette(model, corners, size=size, instrument=instrument, corpus=corpus)
