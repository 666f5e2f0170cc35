"""The neural synthesizer's widgets: a morph slider between two instruments, and NSynth Super's
four-corner pad.

Lesson: notebooks/03_neural_synthesizer.ipynb

Both redraw the waveform and spectrogram and re-play the sound on every change, and both
hand back the instrument they made (``widget.instrument``: a
:class:`lessonkit.models.synth.MixedInstrument`) so it can play melodies with
``lessonkit.audio.render(melody, instrument=widget.instrument)``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..errors import LessonkitError, ModelError

_SYNTHS = {}


def _synth(code_size: int):
    from ..models import synth as model

    if code_size not in _SYNTHS:
        _SYNTHS[code_size] = model.load_pretrained(code_size)
    return _SYNTHS[code_size]


def _draw(plot, sound, audio_out, title):
    import matplotlib.pyplot as plt

    from .. import audio, plots

    with plot:
        plot.clear_output(wait=True)
        fig, (ax_w, ax_s) = plt.subplots(1, 2, figsize=(11, 3), layout="constrained")
        plots.waveform(audio_out, ax=ax_w, title=title)
        plots.spectrogram(audio_out, ax=ax_s, title="spectrogram (mel)")
        plt.show()
        plt.close(fig)
    sound.value = audio.to_wav_bytes(audio_out)


def _check_instrument(name, names, what):
    if name not in names:
        raise LessonkitError(f"Unknown instrument {name!r} for {what}. The instruments are: {', '.join(names)}.")


def morph_widget(instrument_a: str = "flute", instrument_b: str = "guitar", pitch: int = 60, alpha: float = 0.5,
                 code_size: int = 16) -> widgets.VBox:
    """Instruments A and B, pitch, alpha, bottleneck size and the kind of mix -> the sound and its pictures.

    Lesson: notebooks/03_neural_synthesizer.ipynb

    Parameters
    ----------
    instrument_a, instrument_b : str
        Instruments of the set (see :func:`lessonkit.instruments.instrument_names`).
    pitch : int
        MIDI pitch played (36..84); each instrument's recorded note nearest to it is encoded.
    alpha : float
        0 = all A, 1 = all B.
    code_size : int
        Bottleneck: 2, 4, 8 or 16 numbers of timbre code (the pretrained models).

    Returns
    -------
    ipywidgets.VBox
        The controls, a status line, the plot and the player. ``box.audio`` is the sound shown
        (float32, 24,000 samples), ``box.centroid_hz`` its brightness (``sustain_centroid``) and
        ``box.instrument`` the morphed instrument (a ``MixedInstrument``) or None for a crossfade.
    """
    from ..instruments import instrument_names
    from ..models import synth as model

    names = instrument_names()
    _check_instrument(instrument_a, names, "instrument_a")
    _check_instrument(instrument_b, names, "instrument_b")
    model.check_alpha(alpha)
    if code_size not in model.CODE_SIZES:
        raise ModelError(f"code_size={code_size!r}: the pretrained sizes are {model.CODE_SIZES}.")
    style = {"description_width": "initial"}
    drop_a = widgets.Dropdown(options=names, value=instrument_a, description="instrument A", style=style)
    drop_b = widgets.Dropdown(options=names, value=instrument_b, description="instrument B", style=style)
    pitch_s = widgets.IntSlider(value=int(pitch), min=36, max=84, description="pitch (MIDI)", style=style,
                                continuous_update=False)
    alpha_s = widgets.FloatSlider(value=float(alpha), min=0.0, max=1.0, step=0.05, description="alpha (0 = A, 1 = B)",
                                  style=style, continuous_update=False)
    size_d = widgets.Dropdown(options=list(model.CODE_SIZES), value=code_size, description="bottleneck (numbers)",
                              style=style)
    mode = widgets.ToggleButtons(options=["latent morph", "audio crossfade"], value="latent morph",
                                 description="mix")
    info = widgets.HTML()
    plot = widgets.Output(layout=widgets.Layout(min_height="240px"))
    from .. import audio

    sound = audio.player(np.zeros(160, dtype=np.float32))
    box = widgets.VBox([widgets.HBox([drop_a, drop_b]), widgets.HBox([pitch_s, alpha_s]),
                        widgets.HBox([size_d, mode]), info, plot, sound])
    box.instrument = None

    def redraw(*_):
        try:
            note_a = model.get_note(drop_a.value, pitch_s.value)
            note_b = model.get_note(drop_b.value, pitch_s.value)
            syn = _synth(size_d.value)
            if mode.value == "latent morph":
                code_a = syn.encode(note_a, pitch_s.value)
                code_b = syn.encode(note_b, pitch_s.value)
                code = syn.mix([code_a, code_b], [1 - alpha_s.value, alpha_s.value], pitch=pitch_s.value)
                out = syn.decode(code)
                box.instrument = model.MixedInstrument(syn, code, f"{drop_a.value}→{drop_b.value} {alpha_s.value:.2f}")
                numbers = f"code: {syn.code_size} timbre numbers + {code.loudness_db.size} loudness numbers"
            else:
                out = model.crossfade(note_a, note_b, alpha_s.value)
                box.instrument = None
                numbers = "no code: the two recordings are added sample by sample"
        except LessonkitError as err:
            info.value = f"<span style='color:#b00'>⚠ {html.escape(str(err))}</span>"
            return
        box.audio = out
        box.centroid_hz = model.sustain_centroid(out)
        info.value = (f"{html.escape(mode.value)} of <b>{drop_a.value}</b> and <b>{drop_b.value}</b> at "
                      f"alpha = {alpha_s.value:.2f} &middot; brightness (centroid) "
                      f"<b>{box.centroid_hz:.0f} Hz</b> &middot; {numbers}")
        _draw(plot, sound, out, f"{mode.value}, alpha = {alpha_s.value:.2f}")

    for control in (drop_a, drop_b, pitch_s, alpha_s, size_d, mode):
        control.observe(redraw, names="value")
    redraw()
    return box


def synth_pad(corners=("flute", "trumpet", "organ", "guitar"), pitch: int = 60, code_size: int = 16,
              grid: int = 5) -> widgets.VBox:
    """NSynth Super's instrument: a square pad with an instrument at each corner; pressing a point
    mixes the four timbre codes with bilinear weights, plays the new sound and draws it.

    Lesson: notebooks/03_neural_synthesizer.ipynb

    Parameters
    ----------
    corners : 4 instrument names
        Bottom-left, bottom-right, top-left, top-right.
    pitch : int
        MIDI pitch played.
    grid : int
        Points per side of the pad (3..9).

    Returns
    -------
    ipywidgets.VBox
        ``box.point`` is ``(x, y)`` in [0, 1]^2, ``box.weights`` the four corner weights,
        ``box.audio`` the sound and ``box.instrument`` the mixed instrument at that point
        (keep it: ``audio.render(melody, instrument=box.instrument)``).
    """
    from .. import audio
    from ..instruments import instrument_names
    from ..models import synth as model

    names = instrument_names()
    corners = list(corners)
    if len(corners) != 4:
        raise ModelError(f"synth_pad needs 4 corner instruments (bottom-left, bottom-right, top-left, top-right), "
                         f"got {len(corners)}.")
    for name in corners:
        _check_instrument(name, names, "a corner")
    if not isinstance(grid, int) or not 3 <= grid <= 9:
        raise ModelError(f"grid={grid!r}: use a whole number of points per side from 3 to 9.")
    syn = _synth(code_size)
    codes = [syn.encode(model.get_note(name, pitch), pitch) for name in corners]
    corner_label = {(0, 0): corners[0], (grid - 1, 0): corners[1], (0, grid - 1): corners[2],
                    (grid - 1, grid - 1): corners[3]}
    buttons = {}
    rows = []
    for j in reversed(range(grid)):                                         # top row first
        row = []
        for i in range(grid):
            label = corner_label.get((i, j), "·")
            b = widgets.Button(description=label, tooltip=f"x={i / (grid - 1):.2f}, y={j / (grid - 1):.2f}",
                               layout=widgets.Layout(width="86px", height="40px"))
            b.on_click(lambda _, i=i, j=j: choose(i, j))
            buttons[(i, j)] = b
            row.append(b)
        rows.append(widgets.HBox(row))
    info = widgets.HTML()
    plot = widgets.Output(layout=widgets.Layout(min_height="240px"))
    sound = audio.player(np.zeros(160, dtype=np.float32))
    box = widgets.VBox([widgets.HTML("<b>Press a point of the pad</b> (corners: the four instruments)"),
                        widgets.VBox(rows), info, plot, sound])

    def choose(i, j):
        x, y = i / (grid - 1), j / (grid - 1)
        code = syn.blend(codes, x, y)
        out = syn.decode(code, pitch)                    # the pad's pitch exactly (codes keep each recording's tuning)
        box.point = (x, y)
        box.weights = [(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y]
        box.audio = out
        box.instrument = model.MixedInstrument(syn, code, f"pad ({x:.2f}, {y:.2f})")
        for key, b in buttons.items():
            b.button_style = "info" if key == (i, j) else ""
        mix = ", ".join(f"{w:.0%} {n}" for w, n in zip(box.weights, corners) if w > 0.005)
        info.value = f"point ({x:.2f}, {y:.2f}): {html.escape(mix)} &middot; brightness {model.sustain_centroid(out):.0f} Hz"
        _draw(plot, sound, out, f"pad point ({x:.2f}, {y:.2f})")

    box.choose = choose
    choose(grid // 2, grid // 2)
    return box
