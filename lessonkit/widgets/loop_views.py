"""Latent Loops widgets: the latent map, VAE-vs-AE interpolation, sampling with attribute sliders.

Lesson: notebooks/04_latent_loops.ipynb

Importable from :mod:`lessonkit.widgets.loops` too (the palette lives there).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..errors import LessonkitError
from ..models.loops import as_loops
from .loop_parts import _error, _limits, _model, _show, _sound, draw_loop, loop_tokens  # noqa: F401


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
                               continuous_update=False, style={"description_width": "initial"})
    button = widgets.Button(description="Sample a new loop", button_style="primary",
                            layout=widgets.Layout(width="auto"))
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
