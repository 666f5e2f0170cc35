"""Other ways into the duet and out of it: sing the call, bring a MIDI file, save the duet.

Lesson: notebooks/02_ai_duet.ipynb ("sing your call", optional)

:class:`CallInput` is a panel with the microphone :func:`~lessonkit.widgets.recorder.recorder`
(with its count-in tempo), a MIDI upload, and what the recording became: the pitch curve with
its notes (:func:`lessonkit.plots.pitch_curve`) and a player for the notes. Each new call is
handed to ``on_call(melody)``; the duet widget puts it in its text box, where a wrong note
can be fixed by typing before Respond. :class:`SaveDuet` saves call + answer as MIDI and WAV.
Every error (no microphone, a silent or clipped recording, drums only, a file that exists)
is shown in red in the panel; none reaches the kernel's output.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..errors import LessonkitError
from .recorder import recorder


def _red(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>'


class CallInput(widgets.VBox):
    """Sing or upload a call. Build it with ``CallInput(on_call)``.

    Attributes
    ----------
    melody : Melody or None
        The last call made here (from the microphone or a file).
    recorder : lessonkit.widgets.recorder.Recorder
    """

    def __init__(self, on_call=None, *, tempo_bpm: int = 100, bars: int = 2, instrument: str | None = None):
        super().__init__()
        self.on_call = on_call
        self.instrument = instrument
        self.melody = None
        self.recorder = recorder(tempo_bpm=tempo_bpm, bars=bars)
        self.tempo = widgets.IntSlider(value=tempo_bpm, min=60, max=160, step=2, description="count-in bpm",
                                       continuous_update=False, style={"description_width": "initial"})
        self.bars = widgets.IntSlider(value=bars, min=1, max=4, description="bars to sing", continuous_update=False,
                                      style={"description_width": "initial"})
        self.tempo.observe(lambda _: self._timing(), "value")
        self.bars.observe(lambda _: self._timing(), "value")
        self.upload = widgets.FileUpload(accept=".mid,.midi", multiple=False, description="MIDI file",
                                         layout=widgets.Layout(min_width="150px", flex="0 0 auto"))  # never squeezed
        self.upload.observe(lambda change: self._uploaded(change["new"]), "value")
        self.status = widgets.HTML()
        self.plot = widgets.Output()
        self.player = widgets.Audio(format="wav", autoplay=False, loop=False)
        self.player.layout.display = "none"
        self.recorder.on_recorded(self.use_recording)
        self.recorder.observe(self._recorder_state, "state")
        self.add_class("lessonkit-call-input")
        self.children = [
            widgets.HTML("<b>Sing, hum or whistle your call</b> (one note at a time, on 'loo'), "
                         "<b>or bring a MIDI file</b>:"),
            widgets.HBox([self.recorder, self.upload]),
            widgets.HBox([self.tempo, self.bars]),
            self.status, self.player, self.plot,
        ]

    def _timing(self) -> None:
        self.recorder.tempo_bpm = int(self.tempo.value)
        self.recorder.record_s = self.bars.value * self.recorder.beats_per_bar * 60.0 / self.tempo.value

    def _recorder_state(self, change) -> None:
        if change["new"] == "error":
            self.status.value = _red(self.recorder.message)

    def _deliver(self, melody, how: str) -> None:
        from .. import audio

        self.melody = melody
        self.player.value = audio.to_wav_bytes(audio.render(melody, self.instrument))
        self.player.layout.display = None
        self.status.value = (f"{how}: <code>{html.escape(str(melody))}</code>. Listen to it below; fix a wrong note "
                             "in the text box, then press Respond.")
        if self.on_call is not None:
            self.on_call(melody)

    def use_recording(self, audio):
        """Turn a recording (16 kHz float32, time 0 = beat 1) into the call; None after an error."""
        import matplotlib.pyplot as plt

        from .. import plots
        from ..transcribe import transcribe

        try:
            melody = transcribe(audio, tempo_bpm=self.tempo.value, start_s=0.0)
        except LessonkitError as err:
            self.status.value = _red(str(err))
            return None
        with self.plot:
            self.plot.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(10, 3.2), layout="constrained")
            plots.pitch_curve(melody, ax=ax)
            plt.show()
            plt.close(fig)
        self._deliver(melody, f"you sang {len(melody)} notes")
        return melody

    def use_midi(self, data: bytes, name: str = "the file"):
        """Make the call from a MIDI file's bytes (its first bars); None after an error."""
        from ..exchange import read_call

        try:
            melody = read_call(data, bars=self.bars.value)
        except LessonkitError as err:
            self.status.value = _red(str(err).replace("the uploaded file", name))
            return None
        with self.plot:
            self.plot.clear_output(wait=True)
        self._deliver(melody, f"the first {self.bars.value} bars of {html.escape(name)}")
        return melody

    def _uploaded(self, value) -> None:
        if not value:
            return
        item = value[0]
        self.use_midi(bytes(item["content"]), str(item.get("name", "the file")))


class SaveDuet(widgets.HBox):
    """A file name, an overwrite box and a Save button: call + answer as ``NAME.mid`` and ``NAME.wav``.

    ``get_duet()`` returns ``(call, answer)`` or ``(None, None)`` when there is no answer yet.
    """

    def __init__(self, get_duet, *, name: str = "my_duet", instrument: str | None = None):
        super().__init__()
        self.get_duet = get_duet
        self.instrument = instrument
        self.name = widgets.Text(value=name, description="save as", layout=widgets.Layout(width="260px"))
        self.overwrite = widgets.Checkbox(value=False, description="replace", indent=False,
                                          layout=widgets.Layout(width="90px"))
        self.button = widgets.Button(description="Save MIDI + WAV", icon="download",
                                     layout=widgets.Layout(width="170px"))
        self.status = widgets.HTML()
        self.button.on_click(lambda _: self.save())
        self.children = [self.name, self.overwrite, self.button, self.status]

    def save(self) -> list | None:
        """Write ``NAME.mid`` (two tracks) and ``NAME.wav``; the paths, or None after an error."""
        from ..exchange import save_duet

        call, answer = self.get_duet()
        stem = self.name.value.strip()
        for ending in (".mid", ".midi", ".wav"):
            if stem.lower().endswith(ending):
                stem = stem[: -len(ending)]
        if call is None or answer is None:
            self.status.value = _red("There is no answer yet: press Respond first.")
            return None
        if not stem:
            self.status.value = _red("Type a file name first, e.g. my_duet.")
            return None
        try:
            paths = save_duet(call, answer, f"{stem}.mid", f"{stem}.wav", overwrite=self.overwrite.value,
                              instrument=self.instrument)
        except LessonkitError as err:
            self.status.value = _red(str(err).replace("pass overwrite=True", "tick 'replace'"))
            return None
        self.status.value = "saved " + " and ".join(f"<code>{html.escape(p)}</code>" for p in paths)
        return paths


__all__ = ["CallInput", "SaveDuet"]
