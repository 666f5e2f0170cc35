"""Widgets that lessons build with one call, so each cell stays readable.

* :func:`tune_explorer` (lesson 00): tune, tempo and transpose → piano roll and player.
* :func:`~lessonkit.widgets.duet.duet_widget` (lessons 01-02): play a call, get an answer;
  ``sing=True`` adds :mod:`~lessonkit.widgets.sing` (microphone :mod:`~lessonkit.widgets.recorder`,
  MIDI upload, Save MIDI + WAV).
"""

from .explorer import tune_explorer

__all__ = ["tune_explorer"]
