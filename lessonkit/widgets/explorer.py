"""The tune explorer: pick a tune, change its tempo and key, see and hear the result.

Lesson: notebooks/00_music_as_data.ipynb
"""

from __future__ import annotations

import ipywidgets as widgets

from ..errors import LessonkitError, expect_type
from ..music import Melody, note_name


def _title(melody: Melody, i: int) -> str:
    meta = melody.meta
    title = meta.get("title") or f"tune {i}"
    extra = ", ".join(str(x) for x in (meta.get("meter") or melody.meter, meta.get("collection")) if x)
    return f"{title} ({extra})"


def tune_explorer(tunes, *, instrument: str | None = None, max_bars: int = 8) -> widgets.VBox:
    """A tune dropdown, tempo and transpose sliders, a piano roll and a player that follow them.

    Parameters
    ----------
    tunes : list of Melody
        The tunes to choose from (a few dozen is plenty for a dropdown).
    instrument : str, optional
        Voice to play with; default :data:`lessonkit.audio.DEFAULT_INSTRUMENT`.
    max_bars : int
        Only the first ``max_bars`` bars are drawn and played, so it stays quick.

    Returns
    -------
    ipywidgets.VBox
        ``.children`` are the controls row, the plot ``Output`` and the player; the
        current melody is in ``explorer.melody`` (a plain :class:`Melody`).
    """
    import matplotlib.pyplot as plt

    from .. import audio, plots

    tunes = list(tunes)
    if not tunes:
        raise LessonkitError("tune_explorer needs at least one tune; pass e.g. load_tunes('train')[:20].")
    for tune in tunes:
        expect_type(tune, Melody, "each tune")
    names = [_title(t, i) for i, t in enumerate(tunes)]
    choose = widgets.Dropdown(options=list(zip(names, range(len(tunes)))), value=0, description="tune",
                              layout=widgets.Layout(width="420px"))
    tempo = widgets.IntSlider(value=int(tunes[0].tempo_bpm), min=40, max=240, step=5, description="tempo (bpm)",
                              continuous_update=False, style={"description_width": "initial"})
    shift = widgets.IntSlider(value=0, min=-12, max=12, step=1, description="transpose (semitones)",
                              continuous_update=False, style={"description_width": "initial"})
    info = widgets.HTML()
    plot = widgets.Output(layout=widgets.Layout(min_height="260px"))
    box = widgets.VBox([widgets.HBox([choose]), widgets.HBox([tempo, shift]), info, plot])
    sound = None

    def current() -> Melody:
        tune = tunes[choose.value]
        end = min(tune.length_steps, tune.pickup_steps + max_bars * tune.steps_per_bar)
        low, high = tune.pitch_range
        semitones = max(-low, min(127 - high, shift.value))
        return tune.window(0, end).copy(tempo_bpm=tempo.value, pickup_steps=tune.pickup_steps).transpose(semitones)

    def redraw(*_):
        nonlocal sound
        melody = current()
        box.melody = melody
        low, high = melody.pitch_range
        info.value = (f"<b>{len(melody)}</b> notes in the first {max_bars} bars &middot; "
                      f"{melody.duration_s:.1f} s at {melody.tempo_bpm:.0f} bpm &middot; "
                      f"range {note_name(low)}&ndash;{note_name(high)}")
        with plot:
            plot.clear_output(wait=True)
            ax = plots.piano_roll(melody, title=names[choose.value])
            plt.show()
            plt.close(ax.figure)
        wav = audio.to_wav_bytes(audio.render(melody, instrument))
        if sound is None:
            sound = widgets.Audio(value=wav, format="wav", autoplay=False, loop=False)
            box.children = box.children + (sound,)
        else:
            sound.value = wav

    for control in (choose, tempo, shift):
        control.observe(redraw, names="value")
    redraw()
    return box
