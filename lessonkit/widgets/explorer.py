"""The tune explorer: pick a tune and an instrument, change tempo and key, see and hear the result.

Lesson: notebooks/00_music_as_data.ipynb
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..errors import LessonkitError, expect_int, expect_type
from ..music import Melody, note_name


def _title(melody: Melody, i: int) -> str:
    meta = melody.meta
    title = meta.get("title") or f"tune {i}"
    extra = ", ".join(str(x) for x in (meta.get("meter") or melody.meter, meta.get("collection")) if x)
    return f"{title} ({extra})"


def tune_explorer(tunes, *, instrument: str | None = None, max_bars: int = 8) -> widgets.VBox:
    """Dropdowns for the tune and the instrument, sliders for tempo and transposition, and a
    piano roll and a player that follow them.

    Parameters
    ----------
    tunes : list of Melody
        The tunes to choose from (a few dozen is plenty for a dropdown).
    instrument : str, optional
        The instrument selected at first; default :data:`lessonkit.audio.DEFAULT_INSTRUMENT`.
    max_bars : int
        Only the first ``max_bars`` bars are drawn and played, so it stays quick.

    Returns
    -------
    ipywidgets.VBox
        The controls, a status line, the plot (an ``Output``) and the player. The melody
        being shown is ``explorer.melody`` (a plain :class:`Melody`), its sound
        ``explorer.audio`` (float32 at :data:`lessonkit.audio.SR`), its piano roll ``explorer.ax``.
    """
    import matplotlib.pyplot as plt

    from .. import audio, plots

    tunes = list(tunes)
    if not tunes:
        raise LessonkitError("tune_explorer needs at least one tune; pass e.g. load_tunes('train')[:20].")
    for tune in tunes:
        expect_type(tune, Melody, "each tune")
    max_bars = expect_int(max_bars, "max_bars", low=1, high=64)
    names = [_title(t, i) for i, t in enumerate(tunes)]
    voices = audio.available_instruments()
    instrument = audio.DEFAULT_INSTRUMENT if instrument is None else instrument
    if instrument not in voices:
        raise LessonkitError(f"Unknown instrument {instrument!r}. Available: {', '.join(voices)}.")

    choose = widgets.Dropdown(options=list(zip(names, range(len(tunes)))), value=0, description="tune",
                              layout=widgets.Layout(width="440px"))
    voice = widgets.Dropdown(options=voices, value=instrument, description="instrument",
                             style={"description_width": "initial"})
    tempo = widgets.IntSlider(value=int(round(tunes[0].tempo_bpm)), min=40, max=240, step=5,
                              description="tempo (bpm)", continuous_update=False,
                              style={"description_width": "initial"})
    shift = widgets.IntSlider(value=0, min=-12, max=12, step=1, description="transpose (semitones)",
                              continuous_update=False, style={"description_width": "initial"})
    info = widgets.HTML()
    plot = widgets.Output(layout=widgets.Layout(min_height="260px"))
    sound = audio.player(audio.as_audio([0.0] * 160))
    box = widgets.VBox([widgets.HBox([choose, voice]), widgets.HBox([tempo, shift]), info, plot, sound])

    def current() -> tuple[Melody, int]:
        tune = tunes[choose.value]
        end = min(tune.length_steps, tune.pickup_steps + max_bars * tune.steps_per_bar)
        low, high = tune.pitch_range
        semitones = max(-low, min(127 - high, shift.value))  # stay inside MIDI's 0..127
        return tune.window(0, end).copy(tempo_bpm=tempo.value).transpose(semitones), semitones

    def redraw(*_):
        try:
            melody, semitones = current()
            box.melody = melody
            box.audio = audio.render(melody, voice.value)
        except LessonkitError as err:  # show it where the student is looking
            info.value = f"<span style='color:#b00'>⚠ {html.escape(str(err))}</span>"
            return
        low, high = melody.pitch_range
        note = "" if semitones == shift.value else f" (moved only {semitones:+d}: MIDI stops at 0 and 127)"
        info.value = (f"<b>{len(melody)}</b> notes in the first {max_bars} bars &middot; "
                      f"{melody.duration_s:.1f} s at {melody.tempo_bpm:.0f} bpm &middot; "
                      f"range {note_name(low)}&ndash;{note_name(high)}{note}")
        with plot:
            plot.clear_output(wait=True)
            tune_low, tune_high = tunes[choose.value].pitch_range  # a fixed frame, so transposing visibly moves the notes
            limits = (max(0, tune_low + shift.min - 1), min(127, tune_high + shift.max + 1))
            ax = plots.piano_roll(melody, title=names[choose.value], pitch_limits=limits)
            box.ax = ax
            plt.show()
            plt.close(ax.figure)
        sound.value = audio.to_wav_bytes(box.audio)

    for control in (choose, voice, tempo, shift):
        control.observe(redraw, names="value")
    redraw()
    return box
