"""Widgets that lessons build with one call, so each cell stays readable.

* :func:`tune_explorer` (lesson 00): tune, tempo and transpose → piano roll and player.
* :func:`~lessonkit.widgets.duet.duet_widget` (lessons 01-02): play a call, get an answer;
  ``sing=True`` adds :mod:`~lessonkit.widgets.sing` (microphone :mod:`~lessonkit.widgets.recorder`,
  MIDI upload, Save MIDI + WAV).
* :func:`originality_meter` (lesson 05): a model's answer with its copied run marked and its source.
* :func:`listening_test` (lesson 05): the blind "human or AI?" test (``lessonkit.widgets.listening``).
* :mod:`lessonkit.widgets.loops` (lesson 04): ``latent_palette``, ``latent_map``,
  ``interpolation_view``, ``loop_sampler`` (imported from there, so lessons 00-02 do not load torch).
"""

from .explorer import tune_explorer
from .listening import listening_test
from .originality import originality_meter

__all__ = ["tune_explorer", "originality_meter", "listening_test"]
