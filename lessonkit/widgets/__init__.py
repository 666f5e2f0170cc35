"""Widgets that lessons build with one call, so each cell stays readable.

* :func:`tune_explorer` (lesson 00): tune, tempo and transpose → piano roll and player.
* :mod:`lessonkit.widgets.loops` (lesson 04): ``latent_palette``, ``latent_map``,
  ``interpolation_view``, ``loop_sampler`` (imported from there, so lessons 00-02 do not load torch).
"""

from .explorer import tune_explorer

__all__ = ["tune_explorer"]
