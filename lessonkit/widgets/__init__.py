"""Widgets that lessons build with one call, so each cell stays readable.

* :func:`tune_explorer` (lesson 00): tune, tempo and transpose → piano roll and player.
"""

from .explorer import tune_explorer

__all__ = ["tune_explorer"]
