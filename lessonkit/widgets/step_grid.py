"""A 2-bar step sequencer: write a loop by clicking a grid (the Latent Loops palette's corners).

Lesson: notebooks/04_latent_loops.ipynb

Columns are the 32 sixteenth-note steps of 2 bars; rows are pitches (highest at the top) and,
at the bottom, ``rest``. The grid *is* the step-token encoding of the loop models:

* a filled cell in a pitch row: that pitch's token at that step (a note starts there);
* a filled cell in the ``rest`` row: ``REST`` (silence starts there);
* a column with nothing filled: ``HOLD`` (what sounds goes on sounding; drawn lighter).

Click an empty cell to fill it (the column's other cell empties: one token per step); click a
note again to take it out. Silence is written as the corpus writes it, ``REST`` at every silent
step (so a loop never starts on ``HOLD``): to end a note, click ``rest`` where it should stop; a
rest lasts until the next note.

The front end is ~60 lines of JavaScript on ``anywidget`` (as the recorder of lesson 02 is);
the loop lives in :attr:`StepGrid.tokens`, synced with the browser.
"""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets

from ..errors import LessonkitValueError, expect_int
from ..models.loops import LOOP_STEPS
from ..music import HOLD, REST
from .loop_parts import loop_tokens

_ESM = r"""
const NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
const HOLD = __HOLD__, REST = __REST__, STEPS = __STEPS__;

function name(token) {
  return token === REST ? "rest" : NAMES[token % 12] + (Math.floor(token / 12) - 1);
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "lk-steps";
  el.appendChild(root);
  function draw() {
    const tokens = model.get("tokens"), low = model.get("low"), high = model.get("high");
    const rows = [];
    for (let p = high; p >= low; p--) rows.push(p);
    rows.push(REST);
    const sounding = [];  // what is heard at each step: a HOLD step keeps the last note or rest
    let current = REST;
    for (let s = 0; s < STEPS; s++) {
      if (tokens[s] !== HOLD) current = tokens[s];
      sounding.push(current);
    }
    root.replaceChildren();
    for (const row of rows) {
      const label = document.createElement("div");
      label.className = "lk-label" + (row === REST ? " lk-rest" : "");
      label.textContent = name(row);
      root.appendChild(label);
      for (let s = 0; s < STEPS; s++) {
        const cell = document.createElement("div");
        let cls = "lk-cell";
        if (s % 4 === 0) cls += " lk-beat";
        if (s === 16) cls += " lk-bar";
        if (row !== REST && NAMES[row % 12].includes("#")) cls += " lk-black";
        if (tokens[s] === row) cls += " lk-on";
        else if (tokens[s] === HOLD && sounding[s] === row && row !== REST) cls += " lk-held";
        cell.className = cls;
        cell.dataset.step = String(s);
        cell.dataset.token = String(row);
        cell.title = `step ${s + 1}: ${name(row)}`;
        cell.addEventListener("click", () => {
          const next = model.get("tokens").slice();
          next[s] = next[s] === row ? HOLD : row;
          let heard = REST;  // silence is written REST at every step, as in the corpus
          for (let i = 0; i < STEPS; i++) {
            if (next[i] === HOLD && heard === REST) next[i] = REST;
            heard = next[i] === HOLD ? heard : next[i];
          }
          model.set("tokens", next);
          model.save_changes();
        });
        root.appendChild(cell);
      }
    }
  }
  model.on("change:tokens", draw);
  model.on("change:low", draw);
  model.on("change:high", draw);
  draw();
}
export default { render };
""".replace("__HOLD__", str(HOLD)).replace("__REST__", str(REST)).replace("__STEPS__", str(LOOP_STEPS))

_CSS = r"""
.lk-steps { display: grid; grid-template-columns: 44px repeat(32, 15px); gap: 1px; width: max-content;
            font: 10px sans-serif; user-select: none; }
.lk-label { text-align: right; padding-right: 4px; line-height: 13px; color: #444; }
.lk-label.lk-rest { font-style: italic; }
.lk-cell { height: 13px; background: #f4f4f4; cursor: pointer; }
.lk-cell.lk-black { background: #e4e4e4; }
.lk-cell.lk-beat { box-shadow: inset 1px 0 #b8b8b8; }
.lk-cell.lk-bar { box-shadow: inset 2px 0 #555; }
.lk-cell.lk-held { background: #a9c4f2; }
.lk-cell.lk-on { background: #2a6fdb; }
.lk-cell:hover { outline: 1px solid #f08a24; }
"""


class StepGrid(anywidget.AnyWidget):
    """The step sequencer (an ``anywidget.AnyWidget``); build it with :func:`step_grid`.

    Attributes
    ----------
    tokens : list of 32 int
        The loop in step tokens (MIDI pitch 0-127, ``HOLD`` = 128, ``REST`` = 129), synced with
        the browser: clicks change it, and setting it redraws the grid.
    low, high : int
        The lowest and highest pitch rows (MIDI).
    """

    _esm = _ESM
    _css = _CSS
    tokens = traitlets.List(traitlets.Int(), default_value=[REST] + [HOLD] * (LOOP_STEPS - 1)).tag(sync=True)
    low = traitlets.Int(60).tag(sync=True)
    high = traitlets.Int(84).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rows = (self.low, self.high)  # the rows asked for; a loop may widen them for a while

    @traitlets.validate("tokens")
    def _valid_tokens(self, proposal):
        tokens = proposal["value"]
        if len(tokens) != LOOP_STEPS or not all(0 <= t <= REST for t in tokens):
            raise traitlets.TraitError(f"tokens should be {LOOP_STEPS} step tokens (pitches 0-127, HOLD {HOLD}, "
                                       f"REST {REST}); use set_loop(loop) to show typed notes.")
        return tokens

    def set_loop(self, loop) -> None:
        """Show a loop (typed notes, a Melody or 32 tokens); the rows widen to hold its pitches."""
        tokens = loop_tokens(loop)
        pitches = tokens[tokens < HOLD]
        low, high = self._rows
        if pitches.size:
            low, high = min(low, int(pitches.min())), max(high, int(pitches.max()))
        self.low, self.high = low, high
        self.tokens = [int(t) for t in tokens]

    @property
    def loop(self) -> np.ndarray:
        """The loop on the grid, ``shape=(32,)``, int64 (silent steps as ``REST``, as in the corpus)."""
        tokens = loop_tokens(np.asarray(self.tokens, dtype=np.int64))
        heard = REST
        for i, token in enumerate(tokens):  # HOLD after a rest is more rest (the browser does the same)
            if token == HOLD and heard == REST:
                tokens[i] = REST
            heard = heard if tokens[i] == HOLD else tokens[i]
        return tokens


def step_grid(loop=None, *, low: int = 60, high: int = 84) -> StepGrid:
    """A 2-bar step sequencer showing ``loop`` (default: 2 bars of rest).

    Lesson: notebooks/04_latent_loops.ipynb

    Parameters
    ----------
    loop : str, Melody or array of 32 int, optional
        Typed notes (``"C4 D4 E4/2"``), a Melody or 32 step tokens.
    low, high : int
        MIDI pitches of the lowest and highest rows (0..127, at least an octave apart); a loop
        with notes outside them widens the rows while it is shown.

    Returns
    -------
    StepGrid
        Click it to write; ``grid.loop`` is the loop as 32 tokens.

    Raises
    ------
    LessonkitValueError
        If the rows span less than an octave.
    LoopError
        If ``loop`` cannot be read.
    """
    low, high = expect_int(low, "low", low=0, high=127), expect_int(high, "high", low=0, high=127)
    if high - low < 11:
        raise LessonkitValueError(f"low={low}, high={high}: the grid needs at least an octave of rows "
                                  f"(high - low >= 11), e.g. low=60, high=84.")
    grid = StepGrid(low=low, high=high)
    if loop is not None:
        grid.set_loop(loop)
    return grid


__all__ = ["step_grid", "StepGrid"]
