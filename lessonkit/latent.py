"""The three properties of a good latent space, measured: expression, realism, smoothness.

Lesson: notebooks/04_latent_loops.ipynb

MusicVAE (Roberts et al. 2018) names three things we want from a latent space of melodies:

* **expression**: any real loop can be encoded and decoded back (reconstruction accuracy,
  the share of the 32 steps that come back right: :func:`reconstruction_accuracy`);
* **realism**: a code drawn at random decodes to something that sounds like a real loop
  (:func:`realism`: likelihood under lesson 02's melody model, share of notes in the loop's
  key, note density, for prior samples vs. real loops);
* **smoothness**: walking in a straight line between two codes changes the loop a little at
  each step, and the loops on the way are realistic (:func:`smoothness`, compared with
  "interpolating" in data space, i.e. switching steps from loop a to loop b one by one).
"""

from __future__ import annotations

import numpy as np

from .errors import LessonkitTypeError
from .models.loop_net import attribute_values  # noqa: F401  (re-exported: the lesson's names)
from .models.loops import (expression, hold_baseline, reconstruction_accuracy, step_accuracy,  # noqa: F401
                           teacher_forced_accuracy)
from .music import HOLD, REST

MAJOR = np.array([0, 2, 4, 5, 7, 9, 11])


def _loops(loops, name="loops"):
    from .models.loops import as_loops

    return as_loops(loops, name)[0]


def _model(model):
    from .models.loops import LoopModel

    if not isinstance(model, LoopModel):
        raise LessonkitTypeError(f"model should be a LoopModel such as load_pretrained('vae'), not {type(model).__name__}.")
    return model


# ----------------------------------------------------------------------------- loop features


def in_key_fraction(loops) -> np.ndarray:
    """Per loop, the share of its notes in the major (or relative minor) key that fits it best, 0..1.

    Returns (n,) float64; a loop with no note scores 0.
    """
    a = _loops(loops)
    out = np.zeros(len(a))
    for i, row in enumerate(a):
        pcs = row[row < 128] % 12
        if pcs.size:
            out[i] = max(np.isin((pcs - k) % 12, MAJOR).mean() for k in range(12))
    return out


# ----------------------------------------------------------------------------- realism


def surprise(loops) -> np.ndarray:
    """Per loop, how surprised lesson 02's melody model is by it: nats per step (lower = more tune-like).

    Uses ``lessonkit.models.duet.load_pretrained("neural")``, trained on the folk tunes, as a
    judge that never saw the loop models. Returns (n,) float64.
    """
    from .models.duet import load_pretrained

    a = _loops(loops)
    judge = load_pretrained("neural")
    lps = judge.log_probs([(row, 16, 0) for row in a])
    return np.array([-float(lp.mean()) for lp in lps])


def loop_stats(loops) -> dict:
    """Averages that tell real loops from odd ones: surprise (nats/step), in-key share, notes and rests per loop.

    Returns
    -------
    dict with "surprise", "in_key", "notes", "rests" (floats) and "n" (int).
    """
    a = _loops(loops)
    return dict(surprise=float(surprise(a).mean()), in_key=float(in_key_fraction(a).mean()),
                notes=float(attribute_values(a, "note_density").mean()),
                rests=float(attribute_values(a, "rests").mean()), n=len(a))


def realism(model, n: int = 200, temperature: float = 0.0, seed: int = 0) -> dict:
    """:func:`loop_stats` of ``n`` loops decoded from random codes of the prior N(0, 1).

    A VAE was trained to make the codes of real loops look like N(0, 1), so its samples
    should score like real loops; an AE never was, and its random codes often fall into
    "holes" no loop was ever encoded to.
    """
    model = _model(model)
    return loop_stats(model.sample(n, temperature=temperature, seed=seed))


# ----------------------------------------------------------------------------- smoothness


def data_space_path(tokens_a, tokens_b, steps: int = 9, seed: int = 0) -> np.ndarray:
    """"Interpolating" without a model: steps of loop a switch to loop b's, a few more at each point.

    The steps switch in a random (seeded) order, so the path ends at b. Returns (steps, 32) int64.
    """
    from .models.loops import _one, _steps

    a, b = _one(tokens_a, "tokens_a"), _one(tokens_b, "tokens_b")
    steps = _steps(steps)
    order = np.random.default_rng(seed).permutation(len(a))
    path = np.empty((steps, len(a)), dtype=np.int64)
    for i, t in enumerate(np.linspace(0, 1, steps)):
        row = a.copy()
        switched = order[:int(round(t * len(a)))]
        row[switched] = b[switched]
        if row[0] == HOLD:  # cannot happen with real loops (they start on a note or REST)
            row[0] = REST
        path[i] = row
    return path


def path_changes(path) -> np.ndarray:
    """Share of the 32 steps (0..1) that change between neighbouring loops of a path: (steps-1,) float64."""
    p = _loops(path, "path")
    if len(p) < 2:
        from .models.loops import LoopError

        raise LoopError("A path needs at least 2 loops to have a change between neighbours.")
    return (p[1:] != p[:-1]).mean(1)


def smoothness(model, loops_a, loops_b, steps: int = 9) -> dict:
    """How the model's interpolations between pairs of loops behave, and the data-space ones.

    For each pair (a[i], b[i]): the mean and the largest change between neighbouring loops
    of the path (a share of the 32 steps; a smooth path has no big jump), and the surprise
    and in-key share of the loops in the middle of the path (are they realistic?).

    Returns
    -------
    dict: {"latent": {...}, "data": {...}}, each with "mean_change", "largest_change",
    "middle_surprise", "middle_in_key".
    """
    model = _model(model)
    a, b = _loops(loops_a, "loops_a"), _loops(loops_b, "loops_b")
    if len(a) != len(b):
        from .models.loops import LoopError

        raise LoopError(f"loops_a has {len(a)} loops and loops_b {len(b)}: give pairs, the same number of each.")
    out = {}
    for name in ("latent", "data"):
        changes, largest, middles = [], [], []
        for i, (x, y) in enumerate(zip(a, b)):
            path = model.interpolate(x, y, steps) if name == "latent" else data_space_path(x, y, steps, seed=i)
            c = path_changes(path)
            changes.append(c.mean())
            largest.append(c.max())
            middles.append(path[1:-1])
        middle = np.concatenate(middles)
        out[name] = dict(mean_change=float(np.mean(changes)), largest_change=float(np.mean(largest)),
                         middle_surprise=float(surprise(middle).mean()),
                         middle_in_key=float(in_key_fraction(middle).mean()))
    return out
