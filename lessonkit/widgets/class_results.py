"""The whole class's listening test: pool every student's answer file into one chart.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

Each student saves their answers with :meth:`~lessonkit.widgets.listening.ListeningTest.save_answers`
(one CSV file each); the teacher puts the files in one folder and calls::

    plot_class_results("class_answers/")    # how often each kind of clip was called "AI", and the mean score
"""

from __future__ import annotations

import csv
import glob
import os

import numpy as np

from ..errors import LessonkitError
from .listening import AI, CSV_FIELDS


def _csv_paths(paths) -> list:
    if isinstance(paths, (str, os.PathLike)):
        path = os.fspath(paths)
        paths = sorted(glob.glob(os.path.join(path, "*.csv"))) if os.path.isdir(path) else [path]
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise LessonkitError("No answer files found: give a folder with the students' CSV files, or a list of paths.")
    for p in paths:
        if not os.path.exists(p):
            raise LessonkitError(f"There is no file {p!r}.")
    return paths


def pool_answers(paths) -> list:
    """Read every student's answer file into one list of rows.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    paths : str or list of str
        A folder (every ``*.csv`` in it) or a list of files written by :meth:`ListeningTest.save_answers`.

    Returns
    -------
    list of dict
        One row per student and clip: ``student, seed, clip, answer, truth, source, right`` (clip, seed
        and right as int). A student's file that appears twice counts once.
    """
    rows, seen = [], set()
    for path in _csv_paths(paths):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != CSV_FIELDS:
                raise LessonkitError(f"{path!r} is not a listening-test answer file (its columns are "
                                     f"{reader.fieldnames}, expected {list(CSV_FIELDS)}).")
            for row in reader:
                key = (row["student"], row["seed"], row["clip"])
                if key in seen:
                    continue
                seen.add(key)
                rows.append(dict(row, seed=int(row["seed"]), clip=int(row["clip"]), right=int(row["right"])))
    return rows


def class_summary(paths) -> dict:
    """The class's results: per student score, and per source how often it was called "AI".

    Returns
    -------
    dict
        ``scores``: student -> (right, total); ``said_ai``: source (``"corpus"``, ``"markov"``, ...)
        -> share of answers that said "AI" (0..1); ``mean_score``: mean share right (0..1).
    """
    rows = pool_answers(paths)
    scores: dict = {}
    said: dict = {}
    for row in rows:
        right, total = scores.get(row["student"], (0, 0))
        scores[row["student"]] = (right + row["right"], total + 1)
        ai, n = said.get(row["source"], (0, 0))
        said[row["source"]] = (ai + (row["answer"] == AI), n + 1)
    return dict(scores=dict(sorted(scores.items())),
                said_ai={k: v[0] / v[1] for k, v in sorted(said.items())},
                mean_score=float(np.mean([r / t for r, t in scores.values()])))


def plot_class_results(paths, ax=None):
    """One chart for the whole class: how often each kind of clip was called "AI", and the scores.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    summary = class_summary(paths)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    names = list(summary["said_ai"])
    values = [summary["said_ai"][n] for n in names]
    colours = ["#2a6fdb" if n == "corpus" else "#f08a24" for n in names]
    bars = ax.bar([("real tunes" if n == "corpus" else f"AI: {n}") for n in names], values, color=colours)
    for bar, v in zip(bars, values):
        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.02, f"{v:.0%}", ha="center", va="bottom")
    ax.axhline(0.5, color="#888", lw=1, ls="--")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel('share of answers "AI"')
    n = len(summary["scores"])
    ax.set_title(f"{n} student{'s' if n != 1 else ''}: mean score {summary['mean_score']:.0%} right "
                 "(50% = guessing)")
    return ax
