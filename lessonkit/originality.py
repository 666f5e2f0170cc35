"""Does the AI copy? The originality meter: how much of a melody is already in the training tunes.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

A melody is read as its **pitch intervals**, the steps in semitones from each note to the next
(``C4 E4 G4`` -> ``+4 +3``), so a copy moved to another key is still a copy. The meter looks
for the longest run of consecutive intervals that also appears, in the same order, inside one
tune of the corpus (by default the ``train`` split, what the models learned from)::

    from lessonkit import Melody, originality
    result = originality(Melody.parse("D4 E4 F#4 G4 A4 B4 C#5 D5"))
    result.longest_run_intervals, result.source_title, result.fraction_found

How it works (and why it is fast): once, the corpus is cut into every run of ``n`` intervals
(an *n-gram*; ``n = 5`` by default), each packed into one 64-bit number, and the numbers are
sorted together with the tune and position they came from (about 650,000 of them, built in under
a second). Looking a melody up is a binary search per n-gram (``np.searchsorted``); a hit at
melody position ``i`` and tune position ``j`` lies on the *diagonal* ``j - i`` of that tune, and
consecutive hits on one diagonal are one longer copied run. A 16-bar melody takes a few
milliseconds (``benchmarks/RESULTS.md``, section *originality*).

What it deliberately ignores: rhythm (the same notes in another rhythm still count as copied;
rests are skipped) and runs shorter than ``n`` intervals (any two folk tunes share those:
a scale of 4 steps is not a copy). Choose ``n`` to change that threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import LessonkitError, LessonkitTypeError, LessonkitValueError, expect_int
from .music import Melody

DEFAULT_N = 5
"""Shortest run, in intervals, that counts as copied (5 intervals = 6 notes)."""
MAX_N = 9
"""Longest n-gram an index can pack into 64 bits (7 bits per interval)."""
_OFFSET = 64  # intervals -64..63 are stored as 0..127 (7 bits)


class OriginalityError(LessonkitError, ValueError):
    """A melody or a corpus cannot be measured (too few notes, not melodies)."""


def intervals(melody) -> np.ndarray:
    """The pitch intervals of a melody: semitones from each note to the next.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    melody : Melody or str
        A melody, or melody text such as ``"C4 E4 G4"``. Rests are skipped.

    Returns
    -------
    np.ndarray, shape=(n_notes - 1,), dtype=int64
        ``pitches[1:] - pitches[:-1]``; empty for a melody of one note.
    """
    melody = _as_melody(melody, "melody")
    p = melody.pitches.astype(np.int64)
    return p[1:] - p[:-1]


@dataclass(frozen=True)
class Originality:
    """How much of a melody was found in a corpus.

    Attributes
    ----------
    longest_run_intervals : int
        The longest run of consecutive intervals of the melody that also appears in one corpus
        tune; 0 when no run of ``n`` intervals is found (shorter runs are not counted).
    longest_run_notes : int
        The same run counted in notes (intervals + 1), 0 when none.
    start_note : int or None
        Index (0-based) of the first note of that run in the melody.
    source_index : int or None
        Index of the source tune in the corpus the index was built from (``None`` when none).
    source_title, source_collection, source_file : str or None
        The source tune's title, collection and ABC file, from its ``meta``.
    source_start_note : int or None
        Index of the run's first note in the source tune.
    fraction_found : float
        Share (0..1) of the melody's n-grams found anywhere in the corpus.
    n_grams : int
        How many n-grams the melody has (``n_notes - n``; 0 for a melody shorter than ``n + 1`` notes).
    n : int
        The n-gram length in intervals.
    n_intervals : int
        Intervals in the melody (notes - 1).
    """

    longest_run_intervals: int
    longest_run_notes: int
    start_note: int | None
    source_index: int | None
    source_title: str | None
    source_collection: str | None
    source_file: str | None
    source_start_note: int | None
    fraction_found: float
    n_grams: int
    n: int
    n_intervals: int

    @property
    def copied_fraction(self) -> float:
        """The longest run as a share (0..1) of all the melody's intervals."""
        return self.longest_run_intervals / self.n_intervals if self.n_intervals else 0.0

    def __str__(self) -> str:
        if not self.longest_run_intervals:
            return (f"No run of {self.n} intervals found in the corpus; {self.fraction_found:.0%} of the "
                    f"melody's {self.n_grams} {self.n}-grams found.")
        return (f"Longest copied run: {self.longest_run_intervals} of {self.n_intervals} intervals "
                f"({self.longest_run_notes} notes, from note {self.start_note}), found in "
                f"{self.source_title!r} ({self.source_collection}, {self.source_file}); "
                f"{self.fraction_found:.0%} of its {self.n_grams} {self.n}-grams found in the corpus.")

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def _as_melody(melody, name: str) -> Melody:
    if isinstance(melody, str):
        return Melody.parse(melody)
    if not isinstance(melody, Melody):
        raise LessonkitTypeError(f"{name} should be a Melody (or melody text such as \"C4 E4 G4\"), "
                                 f"not {type(melody).__name__}. Tokens? Use Melody.from_tokens(tokens).")
    return melody


def _pack(ivals: np.ndarray, n: int) -> np.ndarray:
    """Every n-gram of an interval array as one int64, shape=(len - n + 1,) (empty if too short)."""
    if len(ivals) < n:
        return np.empty(0, dtype=np.int64)
    v = np.clip(ivals, -_OFFSET, _OFFSET - 1) + _OFFSET  # 0..127
    windows = np.lib.stride_tricks.sliding_window_view(v, n)  # (m, n)
    weights = (np.int64(1) << (7 * np.arange(n - 1, -1, -1, dtype=np.int64)))
    return windows.astype(np.int64) @ weights


class OriginalityIndex:
    """Every n-gram of a corpus, sorted for fast look-up.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    tunes : list of Melody
        The corpus (for :func:`originality`: ``load_tunes("train")``, what the models learned from).
    n : int
        N-gram length in intervals, 2..:data:`MAX_N`; runs shorter than this are not counted.

    Attributes
    ----------
    keys : np.ndarray, shape=(n_grams,), int64
        The packed n-grams, sorted.
    tune_ids, positions : np.ndarray, shape=(n_grams,), int32
        Which tune and which note each n-gram starts at.
    """

    def __init__(self, tunes, n: int = DEFAULT_N):
        self.n = expect_int(n, "n", low=2, high=MAX_N, hint="5 intervals (6 notes) is the lesson's choice.")
        if isinstance(tunes, (Melody, str)) or not hasattr(tunes, "__iter__"):
            raise LessonkitTypeError("tunes should be a list of Melody, such as load_tunes('train').")
        self.tunes = [_as_melody(t, "each tune") for t in tunes]
        if not self.tunes:
            raise OriginalityError("The corpus is empty: pass a list of Melody, such as load_tunes('train').")
        keys, ids, pos = [], [], []
        for i, tune in enumerate(self.tunes):
            k = _pack(intervals(tune), self.n)
            keys.append(k)
            ids.append(np.full(len(k), i, dtype=np.int32))
            pos.append(np.arange(len(k), dtype=np.int32))
        keys, ids, pos = np.concatenate(keys), np.concatenate(ids), np.concatenate(pos)
        order = np.lexsort((pos, ids, keys))  # by key, then tune, then position: a stable, deterministic order
        self.keys, self.tune_ids, self.positions = keys[order], ids[order], pos[order]

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"OriginalityIndex({len(self.tunes):,} tunes, {len(self):,} {self.n}-grams)"

    def check(self, melody) -> Originality:
        """Measure one melody against the corpus; see :func:`originality`."""
        melody = _as_melody(melody, "melody")
        ivals = intervals(melody)
        q = _pack(ivals, self.n)  # (m,)
        m = len(q)
        if m == 0:
            return Originality(0, 0, None, None, None, None, None, None, 0.0, 0, self.n, len(ivals))
        lo = np.searchsorted(self.keys, q, side="left")
        hi = np.searchsorted(self.keys, q, side="right")
        counts = hi - lo
        found = counts > 0
        fraction = float(found.mean())
        best = (0, None, None, None)  # (run in n-grams, query start, tune, tune start)
        if found.any():
            # every hit as (query position i, tune, tune position j); a run is consecutive i on one diagonal j - i
            qi = np.repeat(np.arange(m), counts)
            starts = np.repeat(lo, counts)
            within = np.arange(len(qi)) - np.repeat(np.cumsum(counts) - counts, counts)
            idx = starts + within
            tune, j = self.tune_ids[idx].astype(np.int64), self.positions[idx].astype(np.int64)
            diag = j - qi
            order = np.lexsort((qi, diag, tune))
            tune, diag, qi = tune[order], diag[order], qi[order]
            new_run = np.ones(len(qi), dtype=bool)
            new_run[1:] = (tune[1:] != tune[:-1]) | (diag[1:] != diag[:-1]) | (qi[1:] != qi[:-1] + 1)
            run_id = np.cumsum(new_run) - 1
            lengths = np.bincount(run_id)
            first = np.flatnonzero(new_run)
            # the longest run; ties go to the lowest tune, then the earliest place (lexsort order)
            k = int(np.argmax(lengths))
            s = first[k]
            best = (int(lengths[k]), int(qi[s]), int(tune[s]), int(qi[s] + diag[s]))
        run, start, tune_id, tune_start = best
        if not run:
            return Originality(0, 0, None, None, None, None, None, None, fraction, m, self.n, len(ivals))
        run_intervals = run + self.n - 1
        meta = getattr(self.tunes[tune_id], "meta", {}) or {}
        return Originality(run_intervals, run_intervals + 1, start, tune_id, meta.get("title"), meta.get("collection"),
                           meta.get("file"), tune_start, fraction, m, self.n, len(ivals))


_INDEXES: dict = {}


def corpus_index(split: str = "train", n: int = DEFAULT_N) -> OriginalityIndex:
    """The index of a corpus split, built on first use (under a second) and kept.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb
    """
    from .datasets import _check_split, load_tunes

    split = _check_split(split, allow_none=True)
    n = expect_int(n, "n", low=2, high=MAX_N)
    key = (split, n)
    if key not in _INDEXES:
        _INDEXES[key] = OriginalityIndex(load_tunes(split), n)
    return _INDEXES[key]


def originality(melody, *, n: int = DEFAULT_N, split: str = "train", corpus=None) -> Originality:
    """The originality meter: the longest run of a melody copied from the training tunes.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    melody : Melody or str
        Any melody (a model's answer, a corpus tune, your own); rests are skipped, rhythm ignored.
    n : int
        Shortest run that counts, in intervals (default 5 = 6 notes), 2..9.
    split : {"train", "valid", "test"} or None
        Which corpus split to search (default ``"train"``: what the models learned from).
    corpus : list of Melody or OriginalityIndex, optional
        Search these tunes instead of a split (a small corpus is indexed on every call; build an
        :class:`OriginalityIndex` once to reuse it).

    Returns
    -------
    Originality
        ``longest_run_intervals`` (and ``_notes``), where it starts, its source tune (index, title,
        collection, file, start note) and ``fraction_found``, the share of the melody's n-grams
        found anywhere in the corpus.

    Examples
    --------
    >>> tune = load_tunes("train")[0]                           # doctest: +SKIP
    >>> originality(tune.transpose(5)).copied_fraction          # doctest: +SKIP
    1.0
    """
    if corpus is None:
        index = corpus_index(split, n)
    elif isinstance(corpus, OriginalityIndex):
        index = corpus
        if n != DEFAULT_N and n != index.n:
            raise LessonkitValueError(f"This index counts runs of {index.n} intervals, not n={n}. "
                                      f"Build OriginalityIndex(tunes, n={n}) for that.")
    else:
        index = OriginalityIndex(corpus, n)
    return index.check(melody)
