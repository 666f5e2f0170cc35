"""Cutting the 2-bar loops of the corpus (the latent-loops lesson's data) out of its tunes.

Build-time code of ``lessonkit data build`` (:mod:`.corpus`).

Lesson: notebooks/04_latent_loops.ipynb (the loops)
"""

from __future__ import annotations

import numpy as np

from ..music import HOLD, REST

LOOP_STEPS = 32
"""A loop is 2 bars of 4/4: 32 steps."""
LOOP_METERS = {"4/4": 16, "2/2": 16, "2/4": 8}
"""Meters cut into loops, with their bar length in steps (2/4 bars are paired into 4/4 bars)."""
LOOP_MIN_NOTES = 4
"""Loops with fewer note starts are dropped."""


def cut_loops(tune_index: int, r: dict):
    """All bar-aligned 2-bar loops of one tune, as ``(tokens (n, 32) uint8, start_steps (n,))``.

    Only tunes in :data:`LOOP_METERS` give loops. A loop starts on a bar line (read from
    the tune's bars as music21 found them) and covers bars that are all complete and
    contiguous; in 2/4 a loop is four 2/4 bars and starts on every other bar of a run
    of complete bars. Leading HOLD tokens (a note tied in from before) become REST;
    loops with fewer than :data:`LOOP_MIN_NOTES` note starts, and repeats of a loop
    already cut from the same tune, are dropped.
    """
    bar_steps = LOOP_METERS.get(r["meter"])
    if bar_steps is None:
        return np.zeros((0, LOOP_STEPS), np.uint8), np.zeros(0, np.int32)
    tokens = _tokens(r)
    # runs of contiguous complete bars
    starts = []
    run = []
    expect = None
    for start, length in list(map(tuple, r["bars"])) + [(-1, -1)]:
        if length == bar_steps and (not run or start == expect):
            run.append(start)
            expect = start + length
            continue
        starts.extend(_window_starts(run, bar_steps))
        run = [start] if length == bar_steps else []
        expect = start + length if length == bar_steps else None
    out, where, seen = [], [], set()
    for s in starts:
        if s + LOOP_STEPS > len(tokens):
            continue
        w = tokens[s:s + LOOP_STEPS].copy()
        lead = np.flatnonzero(w != HOLD)
        w[:lead[0] if len(lead) else LOOP_STEPS] = REST
        if np.count_nonzero(w < 128) < LOOP_MIN_NOTES:
            continue
        b = w.tobytes()
        if b in seen:
            continue
        seen.add(b)
        out.append(w)
        where.append(s)
    if not out:
        return np.zeros((0, LOOP_STEPS), np.uint8), np.zeros(0, np.int32)
    return np.stack(out), np.array(where, np.int32)


def _window_starts(run, bar_steps):
    per_loop = LOOP_STEPS // bar_steps  # bars in a loop: 2 (4/4, 2/2) or 4 (2/4)
    hop = 16 // bar_steps               # loops start every 4/4 bar: every bar, or every 2nd 2/4 bar
    return [run[i] for i in range(0, len(run) - per_loop + 1, hop)]


def _tokens(r) -> np.ndarray:
    tokens = np.full(r["length_steps"], REST, dtype=np.uint8)
    for p, o, d in zip(r["pitches"], r["onsets"], r["durations"]):
        tokens[o] = p
        tokens[o + 1:o + d] = HOLD
    return tokens
