"""The duet widget: play a phrase, press Respond, see and hear the computer's answer.

Lesson: notebooks/01_rules_vs_examples.ipynb, notebooks/02_ai_duet.ipynb

One call builds it::

    duet_widget()                      # rules, Markov and the shipped neural model
    duet_widget({"my GRU": my_model})  # add your own responders

The student plays a call on the on-screen keyboard (each key sounds and appends a note
to the text box) or types it (``C4 D4 E4/2 r``), chooses a responder, a temperature and
a length, and presses **Respond**. The call (blue) and the answer (orange) appear in one
piano roll and play back to back; below, a heatmap shows the responder's probability for
every possible next token at each step of the answer: "the computer goes to the neural net".
"""

from __future__ import annotations

import ipywidgets as widgets

from ..errors import LessonkitError, expect_type
from ..models.base import check_seed
from ..music import Melody, note_name, pad_to_bar, parse_note_name

_LENGTHS = [("16th", "/4"), ("8th", "/2"), ("quarter", ""), ("half", "*2")]
_BLACK = {1, 3, 6, 8, 10}
_WHITE_SLOT = 46  # px a white key takes in the row (key + margins)
_BLACK_WIDTH = 34  # px of a black key: narrower than a white one, wide enough for "C#4" at 11 px


padded_call = pad_to_bar
"""The call with rests added up to the next bar line: :func:`lessonkit.music.pad_to_bar`, under the
name lessons 01 and 02 import (``from lessonkit.widgets.duet import padded_call``) until they are
regenerated to import ``pad_to_bar`` from :mod:`lessonkit.music`."""


def default_responders() -> dict:
    """Name -> a function that loads the responder (loading waits until it is chosen)."""
    from ..models import duet
    from ..models.rules import RULES, RuleResponder

    out = {"neural": lambda: duet.load_pretrained("neural"), "markov": lambda: duet.load_pretrained("markov")}
    for name in RULES:
        out[f"rule: {name}"] = (lambda n=name: RuleResponder(n))
    return out


class DuetWidget(widgets.VBox):
    """The duet widget (an ``ipywidgets.VBox``). Build it with :func:`duet_widget`.

    Attributes
    ----------
    call, answer : Melody or None
        The last call and answer (plain melodies).
    probs : np.ndarray, shape=(n_steps, 130), or None
        The responder's next-step probabilities for the last answer.
    """

    def __init__(self, responders=None, *, call="C4 E4 G4 E4 | D4/2 E4/2 F4/2 D4/2 E4/2 F4/2 G4", lowest="C4",
                 octaves=2, instrument=None, bars=2, temperature=1.0, seed=0, sing=False):
        super().__init__()
        self.instrument = instrument
        self.call = self.answer = self.probs = None
        self._loaders = {}
        self._loaded = {}
        for name, r in (responders or default_responders()).items():
            if hasattr(r, "respond"):
                self._loaded[name] = r
            self._loaders[name] = r
        wide = {"description_width": "initial"}  # a description is never cut off ("temperat...")
        self.text = widgets.Text(value=call, description="your call", placeholder="C4 D4 E4/2 r",
                                 layout=widgets.Layout(width="560px"), style=wide)
        self.length = widgets.Dropdown(options=_LENGTHS, value="", description="each key adds a",
                                       layout=widgets.Layout(width="230px"), style=wide)
        self.choice = widgets.Dropdown(options=list(self._loaders), description="responder",
                                       layout=widgets.Layout(width="360px"), style=wide)
        self.temperature = widgets.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05,
                                               description="temperature", continuous_update=False, style=wide)
        self.bars = widgets.IntSlider(value=bars, min=1, max=8, description="answer bars", continuous_update=False,
                                      style=wide)
        self.seed = widgets.BoundedIntText(value=check_seed(seed), min=0, max=2**31 - 1, description="seed",
                                           layout=widgets.Layout(width="170px"), style=wide)  # a seed is >= 0
        self.respond_button = widgets.Button(description="Respond", button_style="success", icon="play",
                                             layout=widgets.Layout(width="auto"))
        self.status = widgets.HTML()
        self.plot = widgets.Output(layout=widgets.Layout(min_height="420px"))
        # plays each key as it is pressed; hidden, and silent until the first key
        self.key_sound = widgets.Audio(value=_silence(), format="wav", autoplay=True, loop=False,
                                       layout=widgets.Layout(display="none"))
        self.player = widgets.Audio(format="wav", autoplay=False, loop=False)
        self.player.layout.display = "none"
        self.respond_button.on_click(lambda _: self.respond())
        self.add_class("lessonkit-duet")
        editing = [self._button("rest", lambda _: self._append("r")), self._button("⌫ undo", lambda _: self._undo()),
                   self._button("clear", lambda _: setattr(self.text, "value", ""))]
        self.children = [
            self._keyboard(parse_note_name(lowest), octaves),
            widgets.HBox([self.length] + editing + [self.key_sound]),
            self.text,
            widgets.HBox([self.choice, self.seed]),
            widgets.HBox([self.temperature, self.bars]),
            widgets.HBox([self.respond_button, self.status]),
            self.player,
            self.plot,
        ]
        if sing:  # sing or upload the call, save the duet (lessonkit/widgets/sing.py)
            from .sing import CallInput, SaveDuet

            self.call_input = CallInput(lambda melody: setattr(self.text, "value", str(melody)), instrument=instrument)
            self.save = SaveDuet(lambda: (self.call, self.answer), instrument=instrument)
            self.children = [self.call_input, *self.children[:-2], self.save, *self.children[-2:]]

    # -- building -------------------------------------------------------------------------

    def _button(self, text, handler, width="auto"):
        b = widgets.Button(description=text, layout=widgets.Layout(width=width))
        b.on_click(handler)
        return b

    def _keyboard(self, lowest: int, octaves: int) -> widgets.VBox:
        """A piano: white keys in a row, each black key above the gap between its two white neighbours.

        Every key shows its full name (``C#4``, ``C4``); black keys are narrower, as on a piano.
        """
        self._key_wavs = {}  # pitch -> WAV bytes, rendered on first press
        highest = min(lowest + 12 * octaves, 127)
        black_row, white_row = [], []
        for pitch in range(lowest, highest + 1):
            if pitch % 12 in _BLACK:
                continue
            white_row.append(self._key(pitch))
            # each white key owns a slot of _WHITE_SLOT px in the black row, shifted half a key to the
            # right: the black key that follows it sits centred on the gap to its right neighbour
            if (pitch + 1) % 12 in _BLACK and pitch + 1 <= highest:
                black_row.append(self._key(pitch + 1))
            else:
                black_row.append(widgets.Box(layout=widgets.Layout(width=f"{_WHITE_SLOT}px", height="1px")))
        black = widgets.HBox(black_row, layout=widgets.Layout(margin=f"0 0 -4px {_WHITE_SLOT // 2}px"))
        return widgets.VBox([black, widgets.HBox(white_row)])

    def _key(self, pitch: int) -> widgets.Button:
        name, black = note_name(pitch), pitch % 12 in _BLACK
        width = _BLACK_WIDTH if black else _WHITE_SLOT
        side = (_WHITE_SLOT - width) // 2
        key = widgets.Button(description=name, tooltip=f"play {name}",
                             layout=widgets.Layout(width=f"{width}px", height="40px" if black else "64px",
                                                   margin=f"0 {side}px", padding="0px",
                                                   border="1px solid #222222" if black else "1px solid #999999"))
        key.style.button_color = "#222222" if black else "white"
        key.style.text_color = "white" if black else "black"
        key.style.font_size = "11px"
        key.on_click(lambda _, p=pitch: self.press(p))
        key.add_class("lessonkit-key")
        key.add_class("lessonkit-key-black" if black else "lessonkit-key-white")
        return key

    # -- what the buttons do ------------------------------------------------------------

    def press(self, pitch: int) -> None:
        """Play a key and add the note (of the chosen length) to the call."""
        from .. import audio

        pitch = int(pitch)
        if self._key_wavs.get(pitch) is None:
            self._key_wavs[pitch] = audio.to_wav_bytes(audio.render(Melody.parse(note_name(pitch) + "/2"),
                                                                    self.instrument))
        self.key_sound.value = self._key_wavs[pitch]
        self._append(note_name(pitch))

    def _append(self, word: str) -> None:
        self.text.value = (self.text.value.strip() + " " + word + self.length.value).strip()

    def _undo(self) -> None:
        self.text.value = " ".join(self.text.value.split()[:-1])

    def responder(self):
        """The responder chosen in the dropdown (loaded on first use)."""
        name = self.choice.value
        if name not in self._loaded:
            self._loaded[name] = self._loaders[name]()
        return self._loaded[name]

    def respond(self) -> Melody | None:
        """Answer the call in the text box: draw, play and return the answer (None after an error)."""
        import matplotlib.pyplot as plt

        from .. import audio, plots

        self.status.value = "<i>thinking...</i>"
        try:
            call = Melody.parse(self.text.value)
            responder = self.responder()
            answer, probs = responder.generate(call, bars=self.bars.value, temperature=self.temperature.value,
                                               seed=self.seed.value)
        except LessonkitError as err:
            self.status.value = f'<span style="color:#b00020">{_escape(str(err))}</span>'
            return None
        self.call, self.answer, self.probs = call, answer, probs
        both = padded_call(call).then(answer)
        self.player.value = audio.to_wav_bytes(audio.render(both, self.instrument))
        self.player.layout.display = None
        self.player.autoplay = True
        moved = answer.meta.get("transposed_by", 0)
        self.status.value = (f"{self.choice.value} answered with {len(answer)} note{'' if len(answer) == 1 else 's'}"
                             + (f" (it thought in a key {moved:+d} semitones away, then moved back)" if moved else ""))
        with self.plot:
            self.plot.clear_output(wait=True)
            fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.2), layout="constrained")
            plots.piano_roll(padded_call(call), answer, ax=top, title="your call and the answer")
            plots.probability_heatmap(probs, ax=bottom, chosen=answer.to_tokens(), steps_per_bar=call.steps_per_bar,
                                      title=f"what {self.choice.value} expected at each step of the answer")
            plt.show()
            plt.close(fig)
        return answer


def _silence() -> bytes:
    import numpy as np

    from .. import audio

    return audio.to_wav_bytes(np.zeros(audio.SR // 20, dtype=np.float32))


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def duet_widget(responders=None, *, call: str = "C4 E4 G4 E4 | D4/2 E4/2 F4/2 D4/2 E4/2 F4/2 G4", lowest: str = "C4",
                octaves: int = 2, instrument: str | None = None, bars: int = 2, temperature: float = 1.0,
                seed: int = 0, respond: bool = True, sing: bool = False) -> DuetWidget:
    """Build the duet widget (see the module docstring).

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    responders : dict, optional
        Name -> a :class:`~lessonkit.models.duet.Responder` (or a function that makes one).
        Default: ``"neural"``, ``"markov"`` and every rule of :data:`lessonkit.models.rules.RULES`.
    call : str
        The call already in the text box.
    lowest : str
        The keyboard's lowest key; it has ``octaves`` octaves (and the top C).
    respond : bool
        Answer the starting call at once, so the plot is there when the cell has run.
    sing : bool
        Add the microphone recorder and a MIDI upload above the keyboard (the call they make
        lands in the text box) and a "Save MIDI + WAV" row for the duet
        (:mod:`lessonkit.widgets.sing`).

    Returns
    -------
    DuetWidget
        Display it by leaving it last in the cell. ``widget.call``, ``widget.answer`` and
        ``widget.probs`` hold the last call, answer and probabilities.
    """
    if responders is not None:
        expect_type(responders, dict, "responders", 'Pass a dict such as {"mine": my_model}.')
        if not responders:
            raise LessonkitError("responders is empty: give at least one, e.g. {'neural': load_pretrained()}.")
    if not isinstance(octaves, int) or not 1 <= octaves <= 4:
        raise LessonkitError(f"octaves={octaves!r}: the keyboard has 1 to 4 octaves.")
    w = DuetWidget(responders, call=call, lowest=lowest, octaves=octaves, instrument=instrument, bars=bars,
                   temperature=temperature, seed=seed, sing=bool(sing))
    if respond and call.strip():
        w.respond()
        w.player.autoplay = False  # no sound until the student asks
    return w


__all__ = ["duet_widget", "DuetWidget", "padded_call"]
