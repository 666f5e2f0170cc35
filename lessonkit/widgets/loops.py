"""Latent Loops widgets: the palette, the latent map, VAE-vs-AE interpolation, sampling with sliders.

Lesson: notebooks/04_latent_loops.ipynb

Each is one call::

    latent_palette()                 # 4 corner loops, the square of blends, click, make a song, export
    latent_map()                     # a 2-D map of the codes of real loops; pick a point, hear it
    interpolation_view(a, b)         # the path a -> b, VAE and AE side by side
    loop_sampler()                   # sample with a temperature, then add attribute vectors with sliders

Loops are typed as notes (``"C4 D4 E4/2 r"``, 2 bars: 32 sixteenths; shorter is padded with
rests, longer is cut) or picked from the corpus.
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets
import numpy as np

from ..errors import LessonkitError, expect_int
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


# ----------------------------------------------------------------------------- the palette


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
        for i, name in enumerate(("top left", "top right", "bottom left", "bottom right")):
            value = corners[i] if isinstance(corners[i], str) else " ".join(
                str(x) for x in loop_melody(loop_tokens(corners[i])).__str__().split())
            self.corner_boxes.append(widgets.Text(value=value, description=name,
                                                  layout=widgets.Layout(width="560px")))
        self.set_button = widgets.Button(description="Set corners", button_style="primary")
        self.random_button = widgets.Button(description="Corners from the corpus")
        self.seed = widgets.IntText(value=0, description="seed", layout=widgets.Layout(width="140px"))
        voices = audio.available_instruments()
        self.instrument = widgets.Dropdown(options=voices, value=instrument or audio.DEFAULT_INSTRUMENT,
                                           description="instrument")
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
        self.add_button = widgets.Button(description="Add cell to song")
        self.clear_button = widgets.Button(description="Clear song")
        self.play_song_button = widgets.Button(description="Play song")
        self.filename = widgets.Text(value="my_latent_song", description="file name")
        self.export_button = widgets.Button(description="Export MIDI + WAV")
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
        self.select(*self.selected)

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


# ----------------------------------------------------------------------------- the map


def latent_map(model=None, loops=None, *, attribute: str = "note_density", own=None, n_samples: int = 40,
               instrument=None) -> widgets.VBox:
    """A 2-D map (the 2 main directions, PCA) of the codes of real loops, coloured by an attribute.

    Lesson: notebooks/04_latent_loops.ipynb

    Two sliders pick a point of the map; the loop decoded there is drawn and played. Your own
    loops (``own``, stars) and prior samples (crosses) are placed on the same map.

    Returns
    -------
    ipywidgets.VBox with ``.point`` (x, y), ``.tokens`` (the loop there) and ``.audio``.
    """
    import matplotlib.pyplot as plt

    from .. import audio
    from ..latent import attribute_values

    model = _model(model)
    if loops is None:
        from ..datasets import load_loops

        loops = load_loops("valid")[:1500]
    loops = as_loops(loops, "loops")[0]
    codes = model.encode(loops)
    mean = codes.mean(0)
    _, _, vt = np.linalg.svd(codes - mean, full_matrices=False)
    axes2 = vt[:2]  # (2, z_dim)
    xy = (codes - mean) @ axes2.T
    values = attribute_values(loops, attribute)
    own_xy = None if own is None else (model.encode(np.stack([loop_tokens(o) for o in own])) - mean) @ axes2.T
    prior_xy = (model.sample_codes(n_samples, seed=0) - mean) @ axes2.T
    lim = float(np.abs(xy).max()) * 1.05
    sx = widgets.FloatSlider(value=0.0, min=-lim, max=lim, step=lim / 50, description="x", continuous_update=False)
    sy = widgets.FloatSlider(value=0.0, min=-lim, max=lim, step=lim / 50, description="y", continuous_update=False)
    picture = widgets.Output(layout=widgets.Layout(min_height="300px"))
    player = audio.player(audio.as_audio([0.0] * 160))
    info = widgets.HTML()
    box = widgets.VBox([widgets.HBox([sx, sy]), info, picture, player])

    def redraw(*_):
        point = np.array([sx.value, sy.value])
        z = mean + point @ axes2
        box.point, box.tokens = tuple(point), model.decode(z)
        box.audio = _sound([box.tokens], instrument)
        player.value = audio.to_wav_bytes(box.audio)
        info.value = f"the loop at ({point[0]:.2f}, {point[1]:.2f}): {int((box.tokens < 128).sum())} notes"
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), width_ratios=[1.3, 1], layout="constrained")
        sc = ax.scatter(xy[:, 0], xy[:, 1], c=values, s=5, cmap="viridis", alpha=0.7)
        fig.colorbar(sc, ax=ax, label=attribute.replace("_", " "))
        ax.scatter(prior_xy[:, 0], prior_xy[:, 1], marker="x", color="#888", s=18, label="prior samples")
        if own_xy is not None:
            ax.scatter(own_xy[:, 0], own_xy[:, 1], marker="*", color="#d62", s=120, label="your loops")
        ax.scatter([point[0]], [point[1]], marker="o", facecolor="none", edgecolor="red", s=160, lw=2, label="picked")
        ax.set_title(f"{len(loops)} real loops ({model.kind.upper()} codes, 2 main directions)", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
        draw_loop(ax2, box.tokens, limits=_limits(box.tokens))
        ax2.set_title("the loop decoded at the red circle", fontsize=9)
        _show(picture, fig)

    sx.observe(redraw, names="value")
    sy.observe(redraw, names="value")
    redraw()
    return box


# ----------------------------------------------------------------------------- interpolation


def interpolation_view(tokens_a, tokens_b, models=None, *, steps: int = 9, instrument=None) -> widgets.VBox:
    """The path from loop a to loop b: a row of small piano rolls and a player per model.

    Lesson: notebooks/04_latent_loops.ipynb

    ``models``: a dict name -> LoopModel (default VAE and AE), or None. A "data space" row
    switches steps from a to b without any model, for comparison.
    """
    import matplotlib.pyplot as plt

    from .. import audio
    from ..latent import data_space_path, path_changes
    from ..models.loops import _steps

    a, b = loop_tokens(tokens_a), loop_tokens(tokens_b)
    steps = _steps(steps)
    if models is None:
        from ..models.loops import load_pretrained

        models = {"VAE": load_pretrained("vae"), "AE": load_pretrained("ae")}
    paths = {name: _model(m).interpolate(a, b, steps) for name, m in models.items()}
    paths["data space"] = data_space_path(a, b, steps)
    limits = _limits(np.concatenate(list(paths.values())))
    fig, axes = plt.subplots(len(paths), steps, figsize=(1.05 * steps, 0.8 * len(paths) + 0.3), squeeze=False,
                             gridspec_kw=dict(wspace=0.06, hspace=0.35))
    players = []
    for row, (name, path) in enumerate(paths.items()):
        for i in range(steps):
            draw_loop(axes[row, i], path[i], limits=limits, colour="#f08a24" if row == 1 else "#2a6fdb")
        change = path_changes(path)
        axes[row, 0].set_ylabel(name, fontsize=8)
        axes[row, steps // 2].set_title(f"{name}: largest jump {change.max():.0%} of steps, mean {change.mean():.0%}",
                                        fontsize=8)
        players.append(audio.player(_sound(list(path), instrument), label=f"{name}: the path, loop after loop"))
    out = widgets.Output()
    box = widgets.VBox([out, widgets.HBox(players)])
    box.paths = paths
    _show(out, fig)
    return box


# ----------------------------------------------------------------------------- sampling and attributes


def loop_sampler(model=None, *, attributes=("note_density", "pitch_height"), temperature: float = 0.5,
                 instrument=None) -> widgets.VBox:
    """Sample a new loop from the prior, then move its code along attribute vectors with sliders.

    Lesson: notebooks/04_latent_loops.ipynb

    Returns
    -------
    ipywidgets.VBox with ``.code`` (the code played), ``.tokens`` and ``.audio``.
    """
    import matplotlib.pyplot as plt

    from .. import audio

    model = _model(model)
    vectors = {name: model.attribute_vector(name) for name in attributes}
    seed = widgets.IntText(value=0, description="seed", layout=widgets.Layout(width="150px"))
    temp = widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05, description="temperature",
                               continuous_update=False)
    button = widgets.Button(description="Sample a new loop", button_style="primary")
    sliders = {name: widgets.FloatSlider(value=0.0, min=-2.0, max=2.0, step=0.1, description=name.replace("_", " "),
                                         continuous_update=False, style={"description_width": "initial"})
               for name in attributes}
    info = widgets.HTML()
    picture = widgets.Output(layout=widgets.Layout(min_height="160px"))
    player = audio.player(audio.as_audio([0.0] * 160))
    box = widgets.VBox([widgets.HBox([button, seed, temp]), widgets.HBox(list(sliders.values())), info, picture, player])
    box.base = model.sample_codes(1, seed=0)[0]

    def redraw(*_):
        try:
            z = box.base + sum(s.value * vectors[n] for n, s in sliders.items())
            box.code, box.tokens = z, model.decode(z, temperature=temp.value, seed=max(0, int(seed.value)))
        except LessonkitError as err:
            _error(info, err)
            return
        box.audio = _sound([box.tokens], instrument)
        player.value = audio.to_wav_bytes(box.audio)
        moved = ", ".join(f"{s.value:+.1f} x {n.replace('_', ' ')}" for n, s in sliders.items() if s.value)
        info.value = f"{int((box.tokens < 128).sum())} notes" + (f" &middot; code moved {moved}" if moved else "")
        fig, ax = plt.subplots(figsize=(6, 1.6), layout="constrained")
        draw_loop(ax, box.tokens, limits=(48, 90))
        _show(picture, fig)

    def new_sample(_=None):
        box.base = model.sample_codes(1, seed=max(0, int(seed.value)))[0]
        redraw()

    button.on_click(new_sample)
    temp.observe(redraw, names="value")
    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return box
