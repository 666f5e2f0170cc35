"""The originality meter widget: ask a model for an answer, see which of its notes were copied, and from where.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

One call builds it::

    originality_meter("D4 F#4 A4 F#4 | G4*2 E4*2")

Choose a model and a temperature (and a seed): the model answers the call, the piano roll shows
the answer with its longest copied run marked, the line below names the training tune it comes
from, and the player plays call and answer.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..errors import LessonkitError
from ..music import Melody


def _responders() -> dict:
    from ..models import duet
    from ..values import load_steered

    return {"neural": lambda: duet.load_pretrained("neural"), "markov": lambda: duet.load_pretrained("markov"),
            "neural, steered by O'Neill": lambda: load_steered("oneill"),
            "neural, steered by German songs": lambda: load_steered("german")}


def originality_meter(call="D4 F#4 A4 F#4 | G4*2 E4*2", *, model: str = "neural", temperature: float = 1.0,
                      bars: int = 4, seed: int = 0, instrument: str = "piano"):
    """A widget: a model answers ``call``; its longest run copied from the training tunes is marked.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    call : Melody or str
        The call the model answers.
    model : str
        The model selected at first: ``"neural"``, ``"markov"``, ``"neural, steered by O'Neill"``,
        ``"neural, steered by German songs"``.
    temperature : float
        0..2, the temperature selected at first.
    bars : int
        Length of the answer in bars.

    Returns
    -------
    ipywidgets.VBox
        Controls, a result line, the piano roll (an ``Output``) and the player. The last answer is
        ``meter.answer`` (a Melody), its measurement ``meter.result`` (an :class:`~lessonkit.originality.Originality`).
    """
    import matplotlib.pyplot as plt

    from .. import audio, plots
    from ..originality import originality
    from ..models.base import one_thread
    from .duet import padded_call

    call = Melody.parse(call) if isinstance(call, str) else call
    if not isinstance(call, Melody):
        raise LessonkitError('call should be a Melody or melody text such as "C4 E4 G4".')
    responders = _responders()
    if model not in responders:
        raise LessonkitError(f"model={model!r}: choose one of {', '.join(map(repr, responders))}.")
    choose = widgets.Dropdown(options=list(responders), value=model, description="model",
                              layout=widgets.Layout(width="420px"))
    temp = widgets.FloatSlider(value=float(temperature), min=0.0, max=2.0, step=0.1, description="temperature",
                               continuous_update=False, style={"description_width": "initial"})
    seed_box = widgets.BoundedIntText(value=int(seed), min=0, max=10_000, description="seed",
                                      layout=widgets.Layout(width="160px"))
    info = widgets.HTML()
    plot = widgets.Output(layout=widgets.Layout(min_height="260px"))
    sound = audio.player(audio.as_audio([0.0] * 160))
    box = widgets.VBox([widgets.HBox([choose, temp, seed_box]), info, plot, sound])
    loaded: dict = {}
    padded = padded_call(call)

    def redraw(*_):
        try:
            if choose.value not in loaded:
                loaded[choose.value] = responders[choose.value]()
            with one_thread():
                answer = loaded[choose.value].respond(call, bars=bars, temperature=temp.value, seed=seed_box.value)
            result = originality(answer)
        except LessonkitError as err:
            info.value = f"<span style='color:#b00'>⚠ {html.escape(str(err))}</span>"
            return
        box.answer, box.result = answer, result
        if result.longest_run_intervals:
            info.value = (f"Longest copied run: <b>{result.longest_run_notes} notes</b> "
                          f"({result.longest_run_intervals} of {result.n_intervals} intervals), from "
                          f"<i>{html.escape(str(result.source_title))}</i> ({html.escape(str(result.source_collection))}); "
                          f"{result.fraction_found:.0%} of its 5-interval pieces are in the training tunes.")
        else:
            info.value = (f"No run of {result.n} intervals copied; {result.fraction_found:.0%} of its "
                          f"5-interval pieces are in the training tunes.")
        with plot:
            plot.clear_output(wait=True)
            ax = plots.piano_roll(padded, answer, labels=("call", "answer"))
            if result.longest_run_intervals:
                first = result.start_note
                last = first + result.longest_run_notes - 1
                x0 = padded.length_steps + int(answer.onsets_steps[first])
                x1 = padded.length_steps + int(answer.onsets_steps[last] + answer.durations_steps[last])
                ax.axvspan(x0, x1, color="#d62728", alpha=0.12, zorder=0, label="copied run")
                ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8, frameon=False)
            box.ax = ax
            plt.show()
            plt.close(ax.figure)
        sound.value = audio.to_wav_bytes(audio.render(padded.then(answer), instrument))

    for control in (choose, temp, seed_box):
        control.observe(redraw, names="value")
    redraw()
    return box
