"""The data the lessons learn from: folk tunes, 2-bar loops, and instrument notes.

Lesson: notebooks/00_music_as_data.ipynb (tunes), notebooks/01_rules_vs_examples.ipynb (counting
transitions), notebooks/04_latent_loops.ipynb (loops)

The folk tunes
--------------
12,431 monophonic folk melodies from the collections that ship inside music21:
German, Chinese and other songs of the Essen folksong collection, Irish dance tunes
from O'Neill's *Music of Ireland* (1850 tunes), Ryan's *Mammoth Collection* and Aird's
*Airs*, and a few more (``data/README.md`` lists sources, licenses and counts).
Each tune is a :class:`~lessonkit.music.Melody` on the 16th-note grid, written once
(repeats are not played out), at its written pitch, with ``.meta``::

    {"id": "oneills1850/0001-0050.abc#3", "collection": "oneills1850", "file": "0001-0050.abc",
     "tune_in_file": 3, "number": "3", "title": "The Little Heathy Hill", "meter": "4/4",
     "key": "G major", "split": "train", "corpus_index": 2, ...}

Splits are made by tune *content*: a tune, its transpositions and its near copies (same
opening, or same title and meter) are always in the same split, so a model is never
tested on a tune it was trained on.

The loops
---------
Every bar-aligned 2-bar window (32 steps) of the tunes in 4/4, 2/2 or 2/4 (two 2/4 bars
are read as one 4/4 bar), as step tokens (0..127 a note starts, 128 HOLD, 129 REST; see
:mod:`lessonkit.music`). Loops come from the tunes of their own split only.

Everything is read from one file, ``data/melodies.npz``, built by
``python -m lessonkit data build`` (:mod:`lessonkit.builders.corpus`).
"""

from __future__ import annotations

import collections
import functools
import json
import os
import zipfile

import numpy as np

from .errors import DataFileError, SplitError
from .manifest import DATA_DIR
from .music import DEFAULT_VELOCITY, Melody

"""The folder of the shipped data files."""
MELODIES_PATH = os.path.join(DATA_DIR, "melodies.npz")
"""The folk-tune and loop file (tests may point this elsewhere)."""
SPLITS = ("train", "valid", "test")
"""The split names: about 80 %, 10 % and 10 % of the tunes."""
BUILD_COMMAND = "python -m lessonkit data build"
_REQUIRED = ("pitches", "onsets_steps", "durations_steps", "note_offsets", "length_steps", "pickup_steps",
             "tempo_bpm", "split", "loops", "loop_tune", "loop_split", "meta_json", "info_json")
_SPLIT_ALIASES = {"training": "train", "validation": "valid", "val": "valid", "dev": "valid", "eval": "valid",
                  "testing": "test", "all": None}


def _check_split(split, allow_none=True):
    if split is None and allow_none:
        return None
    if isinstance(split, str) and split in SPLITS:
        return split
    hint = ""
    if isinstance(split, str) and split.strip().lower() in _SPLIT_ALIASES:
        meant = _SPLIT_ALIASES[split.strip().lower()]
        hint = f" Did you mean {meant!r}?"
    raise SplitError(
        f"split={split!r} is not a split of the corpus. Use 'train', 'valid' or 'test'"
        + (", or None for all tunes." if allow_none else ".") + hint
    )


# ----------------------------------------------------------------------------- reading the file


class _Corpus:
    """The arrays of ``melodies.npz``, read once; the loops only when first asked for."""

    def __init__(self, path):
        self.path = path
        if not os.path.exists(path):
            raise DataFileError(
                f"The folk-tune file {path} is missing. Rebuild it with `{BUILD_COMMAND}` "
                "(run in the lessonkit folder; it takes about 11 minutes), or get a fresh copy of lessonkit."
            )
        self.arrays = self._read(lambda k: not k.startswith("loop"))
        self.meta = json.loads(self.arrays.pop("meta_json").tobytes().decode("utf-8"))
        self.info = json.loads(self.arrays.pop("info_json").tobytes().decode("utf-8"))
        self.n_tunes = len(self.arrays["length_steps"])
        self.split_names = np.array(self.info.get("splits", SPLITS))[self.arrays["split"]]
        self._loops = None

    def _read(self, wanted) -> dict:
        try:
            with np.load(self.path, allow_pickle=False) as npz:
                missing = [k for k in _REQUIRED if k not in npz.files]
                if missing:
                    raise KeyError(", ".join(missing))
                return {k: npz[k] for k in npz.files if wanted(k)}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as err:
            raise DataFileError(
                f"The folk-tune file {self.path} is damaged or from an incompatible version "
                f"({type(err).__name__}: {str(err)[:80]}). Rebuild it with `{BUILD_COMMAND}`."
            ) from None

    @property
    def loops(self) -> dict:
        """``loops`` (n, 32) uint8, ``loop_tune``, ``loop_split``, ``loop_start_steps``."""
        if self._loops is None:
            self._loops = self._read(lambda k: k.startswith("loop"))
        return self._loops


@functools.lru_cache(maxsize=2)
def _corpus(path, stamp) -> _Corpus:
    return _Corpus(path)


def _stamp(path):
    """Size and modification time, so a rebuilt file is read again."""
    try:
        st = os.stat(path)
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return None


def _current_corpus() -> _Corpus:
    path = os.path.abspath(MELODIES_PATH)
    return _corpus(path, _stamp(path))


@functools.lru_cache(maxsize=2)
def _melodies(path, stamp) -> tuple:
    """Every tune as a Melody, built once per file.

    The note arrays are checked in bulk (what :meth:`Melody.from_arrays` checks tune by
    tune), then each melody is made around read-only views of them: 10x faster than
    calling ``from_arrays`` 12,000 times. The first tune is built both ways, and if the
    two differ (``Melody`` changed), every tune goes through ``from_arrays``.
    """
    corpus = _corpus(path, stamp)
    a, meta = corpus.arrays, corpus.meta
    offsets = a["note_offsets"]
    pitches = a["pitches"].astype(np.int64)
    onsets = a["onsets_steps"].astype(np.int64)
    durations = a["durations_steps"].astype(np.int64)
    velocities = np.full(len(pitches), DEFAULT_VELOCITY, dtype=np.int64)
    length_steps = a["length_steps"].tolist()
    tempo_bpm = a["tempo_bpm"].astype(float).tolist()
    pickup_steps = a["pickup_steps"].tolist()
    columns = [c for c in meta if c != "duplicates"]
    metas = []
    for i in range(corpus.n_tunes):
        m = {c: meta[c][i] for c in columns}
        m["duplicates"] = tuple(meta["duplicates"][i])
        m["corpus_index"] = i
        metas.append(m)
    for arr in (pitches, onsets, durations, velocities):
        arr.setflags(write=False)

    def slow(i):
        lo, hi = offsets[i], offsets[i + 1]
        return Melody.from_arrays(pitches[lo:hi], onsets[lo:hi], durations[lo:hi], velocities[lo:hi],
                                  length_steps=length_steps[i], tempo_bpm=tempo_bpm[i], meter=metas[i]["meter"],
                                  pickup_steps=pickup_steps[i], meta=metas[i])

    def fast(i):
        lo, hi = offsets[i], offsets[i + 1]
        m = object.__new__(Melody)
        m.__dict__.update(length_steps=length_steps[i], tempo_bpm=tempo_bpm[i], meter=metas[i]["meter"],
                          pickup_steps=pickup_steps[i], meta=metas[i], pitches=pitches[lo:hi],
                          onsets_steps=onsets[lo:hi], durations_steps=durations[lo:hi],
                          velocities=velocities[lo:hi])
        return m

    if corpus.n_tunes == 0:
        return ()
    if not (_notes_are_valid(pitches, onsets, durations, offsets, a["length_steps"])
            and _same_melody(slow(0), fast(0))):
        return tuple(slow(i) for i in range(corpus.n_tunes))
    return tuple(fast(i) for i in range(corpus.n_tunes))


def _notes_are_valid(pitches, onsets, durations, offsets, length_steps) -> bool:
    """What Melody.from_arrays checks, for all tunes at once."""
    n_notes = np.diff(offsets)
    if len(pitches) == 0 or n_notes.min() < 1 or offsets[-1] != len(pitches):
        return False
    if pitches.min() < 0 or pitches.max() > 127 or onsets.min() < 0 or durations.min() < 1:
        return False
    ends = onsets + durations
    same_tune = np.ones(len(pitches) - 1, dtype=bool)
    same_tune[offsets[1:-1] - 1] = False  # pairs that cross from one tune to the next
    if np.any(same_tune & (onsets[1:] < ends[:-1])):
        return False
    return bool(np.all(ends[offsets[1:] - 1] <= length_steps))


def _same_melody(a: Melody, b: Melody) -> bool:
    return set(vars(a)) == set(vars(b)) and a == b and all(
        getattr(a, k) == getattr(b, k) for k in ("tempo_bpm", "meter", "pickup_steps", "meta"))


def _fresh(melody: Melody) -> Melody:
    """A copy that shares the read-only note arrays but not the mutable attributes."""
    new = object.__new__(Melody)
    new.__dict__.update(melody.__dict__)
    new.meta = dict(melody.meta)
    return new


# ----------------------------------------------------------------------------- public API


def load_tunes(split=None) -> list:
    """The folk tunes, as a list of :class:`~lessonkit.music.Melody`.

    Lesson: notebooks/00_music_as_data.ipynb

    Parameters
    ----------
    split : {"train", "valid", "test"} or None
        Which part of the corpus; ``None`` (default) gives every tune.

    Returns
    -------
    list of Melody
        In a fixed order (collection, file, position in file). Each melody's ``.meta``
        has ``id``, ``collection``, ``file``, ``tune_in_file``, ``number`` (the ABC
        ``X:`` field), ``title``, ``meter``, ``key``, ``split``, ``corpus_index`` (its
        position in ``load_tunes()``), ``duplicates`` (ids of identical tunes left out),
        and the flags ``off_grid_notes``, ``chords``, ``meter_changes``, ``tempo_given``.
        Notes are at their written pitch; velocities are all 90 (the files have none).
        The list and the melodies are yours to change: the next call returns fresh ones.

    Raises
    ------
    SplitError
        If ``split`` is not a split name.
    DataFileError
        If ``data/melodies.npz`` is missing or damaged (the message says how to rebuild it).

    Examples
    --------
    >>> tunes = load_tunes("train")
    >>> len(tunes)
    9950
    >>> tunes[0].meta["collection"], tunes[0].meter
    ('essenFolksong', '4/1')
    """
    split = _check_split(split)
    path = os.path.abspath(MELODIES_PATH)
    stamp = _stamp(path)
    corpus = _corpus(path, stamp)
    melodies = _melodies(path, stamp)
    if split is None:
        return [_fresh(m) for m in melodies]
    return [_fresh(melodies[i]) for i in np.flatnonzero(corpus.split_names == split)]


def load_loops(split=None, return_tune_ids: bool = False):
    """The 2-bar loops of the tunes in 4/4, 2/2 and 2/4, as step tokens.

    Lesson: notebooks/04_latent_loops.ipynb

    Parameters
    ----------
    split : {"train", "valid", "test"} or None
        Which split's tunes the loops come from; ``None`` gives all loops.
    return_tune_ids : bool
        Also return, for each loop, the ``corpus_index`` of its tune (an index into
        ``load_tunes()``).

    Returns
    -------
    loops : np.ndarray, shape=(n_loops, 32), dtype=int64
        One token per 16th-note step: 0..127 a note starts, 128 HOLD, 129 REST. The first
        token is never HOLD, and each loop has at least 4 note starts. A fresh copy.
    tune_ids : np.ndarray, shape=(n_loops,), dtype=int64
        Only if ``return_tune_ids``.

    Raises
    ------
    SplitError, DataFileError
        As :func:`load_tunes`.
    """
    split = _check_split(split)
    corpus = _current_corpus()
    a = corpus.loops
    if split is None:
        keep = slice(None)
    else:
        keep = a["loop_split"] == corpus.info["splits"].index(split)
    loops = a["loops"][keep].astype(np.int64)
    if return_tune_ids:
        return loops, a["loop_tune"][keep].astype(np.int64)
    return loops


def corpus_summary() -> dict:
    """Counts that describe the corpus, for lessons and the README.

    Lesson: notebooks/00_music_as_data.ipynb

    Returns
    -------
    dict
        ``tunes`` and ``notes`` (totals), ``per_collection``, ``per_split``, ``per_meter``
        (tune counts), ``loops_per_split``, ``pitch_range`` (lowest and highest MIDI
        pitch), ``median_notes_per_tune``, ``skipped`` (tunes left out when the file was
        built, by reason) and ``duplicates_removed``.
    """
    corpus = _current_corpus()
    a, meta = corpus.arrays, corpus.meta
    splits = corpus.info["splits"]
    counts = corpus.info.get("counts", {})
    skipped = dict(counts.get("skipped", {}))
    return dict(
        tunes=corpus.n_tunes,
        notes=int(len(a["pitches"])),
        per_collection=dict(collections.Counter(meta["collection"]).most_common()),
        per_split={s: int(np.sum(corpus.split_names == s)) for s in splits},
        per_meter=dict(collections.Counter(meta["meter"]).most_common()),
        loops_per_split={s: int(np.sum(corpus.loops["loop_split"] == i)) for i, s in enumerate(splits)},
        pitch_range=(int(a["pitches"].min()), int(a["pitches"].max())),
        median_notes_per_tune=float(np.median(np.diff(a["note_offsets"]))),
        skipped={k: v for k, v in skipped.items() if k != "duplicate"},
        duplicates_removed=int(skipped.get("duplicate", 0)),
    )


def load_instrument_notes(split=None):
    """The instrument-note set (see :func:`lessonkit.instruments.load_instrument_notes`).

    Lesson: notebooks/03_neural_synthesizer.ipynb
    """
    from .instruments import load_instrument_notes as _load
    return _load(split)
