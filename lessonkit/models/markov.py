"""An n-gram Markov model of melodies: count what follows what, then guess by the counts.

Lesson: notebooks/01_rules_vs_examples.ipynb

The computer is given *examples* (the folk tunes) instead of rules. It reads every tune
as step tokens (see :mod:`lessonkit.music`) and counts, for every *context* of the last
``order - 1`` tokens, which token came next. To continue a melody it looks up the
current context and draws the next token in proportion to those counts.

Order 2 (a *bigram* model) looks back one step; order 7 looks back six. Long contexts
know more but have been seen fewer times, and most long contexts of a new melody were
never seen at all. **Smoothing** mixes in shorter contexts so an unseen one still gets
a sensible guess. We use *interpolated modified Kneser-Ney* (Chen & Goodman, 1998), the
classic best recipe for n-grams:

    P(w | h) = (max(c(h,w) - D(c), 0) + gamma(h) * P(w | h')) / c(h)

where ``h'`` is ``h`` without its oldest token, ``D`` subtracts a little from every count
(more from counts of 1, 2, 3+), ``gamma(h)`` gives that mass to the shorter context, and the
shorter orders count *in how many different contexts* a token followed (a token that
follows many contexts is a good guess for an unseen one). The 1-token order is mixed with
a uniform guess over all 130 tokens, so nothing ever has probability 0.

How it is stored: an n-gram of ``k`` tokens is packed into one integer,
``t1*131**(k-1) + ... + tk`` (131 = 130 tokens + the start marker), so counting is
``np.unique`` and looking up is ``np.searchsorted`` on sorted arrays. Orders 1..8 fit in
64-bit integers. Positions in the bar are not used (the neural model uses them).

Left out on purpose: pruning, class-based or skip-gram contexts, and backing off to
pitch intervals: all help, all make the model longer to read.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..errors import LessonkitTypeError, ModelError, expect_int
from ..music import VOCAB_SIZE, Melody
from .base import sample_token
from .responder import BOS, Responder, as_melodies

BASE = VOCAB_SIZE + 1  # 131 symbols: the 130 step tokens and the start marker BOS
MAX_ORDER = 8


def transition_counts(tunes) -> np.ndarray:
    """How often each token follows each other one: the bigram table.

    Lesson: notebooks/01_rules_vs_examples.ipynb

    Parameters
    ----------
    tunes : list of Melody or of int arrays shape=(n_steps,)

    Returns
    -------
    np.ndarray, shape=(130, 130), dtype=int64
        ``counts[a, b]`` = number of times token ``b`` came right after token ``a``.
    """
    if isinstance(tunes, (Melody, str)) or (isinstance(tunes, np.ndarray) and tunes.ndim == 1):
        what = "one Melody" if isinstance(tunes, Melody) else "text" if isinstance(tunes, str) else "one token array"
        raise LessonkitTypeError(f"transition_counts takes a list of tunes, not {what}. Wrap it in a list: "
                                 "transition_counts([tune]), or pass load_tunes('train').")
    try:
        tunes = list(tunes)
    except TypeError:
        raise LessonkitTypeError(f"transition_counts takes a list of Melody (such as load_tunes('train')), "
                                 f"not {type(tunes).__name__}.") from None
    counts = np.zeros((VOCAB_SIZE, VOCAB_SIZE), dtype=np.int64)
    for i, tune in enumerate(tunes):
        tokens = _check_tokens(tune.to_tokens() if isinstance(tune, Melody) else tune, f"tune {i}",
                               "Pass a list of Melody, or of step-token lists such as [60, 129, 62].")
        np.add.at(counts, (tokens[:-1], tokens[1:]), 1)
    return counts


def _check_tokens(tokens, what: str, advice: str) -> np.ndarray:
    """``tokens`` as a 1-D int64 array of step tokens 0..129, or a LessonkitError naming ``what``."""
    if isinstance(tokens, str):
        raise LessonkitTypeError(f"{what} is text ({tokens!r:.30}), not step tokens. Turn text into tokens with "
                                 f'Melody.parse("C4 D4").to_tokens(). {advice}')
    if isinstance(tokens, (int, np.integer)) and not isinstance(tokens, bool):
        tokens = [tokens]
    try:
        arr = np.asarray(tokens)
    except (TypeError, ValueError):
        arr = np.asarray([None])  # ragged or odd objects: reported below
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_):
        raise LessonkitTypeError(f"{what} should be whole-number step tokens 0..129 in a flat list, not "
                                 f"{tokens!r:.40} ({arr.dtype}). {advice}")
    bad = arr[(arr < 0) | (arr >= VOCAB_SIZE)]
    if bad.size:
        raise ModelError(f"{what} has the token {int(bad[0])}: step tokens are 0..127 (MIDI pitches), "
                         f"128 (HOLD) or 129 (REST). {advice}")
    return arr.astype(np.int64)


def _windows(tokens: np.ndarray, order: int) -> np.ndarray:
    """Each step with the ``order - 1`` tokens before it (start marker before the tune).

    Returns np.ndarray, shape=(n_steps, order), the last column is the step itself.
    """
    padded = np.concatenate([np.full(order - 1, BOS, dtype=np.int64), np.asarray(tokens, dtype=np.int64)])
    return np.lib.stride_tricks.sliding_window_view(padded, order)


def _pack(grams: np.ndarray) -> np.ndarray:
    """Pack rows of tokens, shape=(n, k), into one int64 each."""
    return grams @ (BASE ** np.arange(grams.shape[1] - 1, -1, -1, dtype=np.int64))


def _find(keys: np.ndarray, query: np.ndarray):
    """Where each ``query`` sits in the sorted ``keys``, and whether it is there at all."""
    i = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return i, keys[i] == query


class MarkovModel(Responder):
    """An n-gram model with interpolated modified Kneser-Ney smoothing.

    Parameters
    ----------
    order : int
        1..8: the model looks at the last ``order - 1`` steps.
    """

    kind = "markov"

    def __init__(self, order: int = 5):
        self.order = expect_int(order, "order", low=1, high=MAX_ORDER, error=ModelError,
                                advice=f"a whole number from 1 (no context) to {MAX_ORDER} such as 3")
        self.tables = []  # per k = 1..order: dict of sorted n-gram keys, counts, context stats, discounts

    def fit(self, tunes) -> "MarkovModel":
        """Count the n-grams of some tunes (a list of Melody). Returns the model itself."""
        tunes = as_melodies(tunes)
        grams = np.concatenate([_windows(t.to_tokens(), self.order) for t in tunes])  # (n_steps, order)
        pitches = np.concatenate([t.pitches for t in tunes])
        self.pitch_range = (int(np.percentile(pitches, 0.1)), int(np.percentile(pitches, 99.9)))
        self.centre_pitch = int(np.median(pitches))
        self.tables = []
        keys_above = None
        for k in range(self.order, 0, -1):  # from the longest n-grams down
            if k == self.order:  # highest order: how often each n-gram occurred
                keys, counts = np.unique(_pack(grams[:, -k:]), return_counts=True)
            else:  # lower orders: in how many different contexts it occurred (Kneser-Ney)
                keys, counts = np.unique(keys_above % BASE ** k, return_counts=True)
            keys_above = keys
            self.tables.insert(0, self._context_stats(keys, counts))
        self.n_steps_trained = len(grams)
        return self

    @staticmethod
    def _context_stats(keys, counts) -> dict:
        ctx, first = np.unique(keys // BASE, return_index=True)  # contexts (the n-gram minus its last token)
        n = [np.sum(counts == i) for i in (1, 2, 3, 4)]  # count-of-counts for the discounts
        # (kept between 0.05 and the count, so a tiny corpus still leaves some mass for shorter contexts)
        y = n[0] / max(n[0] + 2 * n[1], 1)
        discounts = np.array([0.0] + [np.clip(i - (i + 1) * y * n[i] / max(n[i - 1], 1), 0.05, i) for i in (1, 2, 3)])
        per_ctx = lambda values: np.add.reduceat(values, first)  # noqa: E731  sum over each context's tokens
        return dict(keys=keys, counts=counts, discounts=discounts, ctx=ctx, total=per_ctx(counts),
                    n1=per_ctx(counts == 1), n2=per_ctx(counts == 2), n3=per_ctx(counts >= 3))

    def prob(self, grams: np.ndarray) -> np.ndarray:
        """P(last token | the tokens before it) for rows of ``order`` tokens.

        Parameters
        ----------
        grams : np.ndarray, shape=(n, order), int
            Each row: ``order - 1`` context tokens (BOS = 130 before a tune starts), then the token.

        Returns
        -------
        np.ndarray, shape=(n,), float64, in (0, 1]
        """
        if not self.tables:
            raise ModelError("This Markov model has not counted anything yet. Call model.fit(tunes) first.")
        p = np.full(len(grams), 1.0 / VOCAB_SIZE)  # start from a uniform guess
        for k, t in enumerate(self.tables, start=1):  # then mix in longer and longer contexts
            gram_keys = _pack(grams[:, -k:])
            i, seen = _find(t["keys"], gram_keys)
            c = np.where(seen, t["counts"][i], 0)  # count of (context, token)
            j, seen = _find(t["ctx"], gram_keys // BASE)
            total = np.where(seen, t["total"][j], 0)  # count of the context
            d = t["discounts"]
            gamma = np.where(seen, d[1] * t["n1"][j] + d[2] * t["n2"][j] + d[3] * t["n3"][j], 0)
            mixed = (np.maximum(c - d[np.minimum(c, 3)], 0) + gamma * p) / np.maximum(total, 1)
            p = np.where(total > 0, mixed, p)  # an unseen context keeps the shorter context's guess
        return p

    def next_probs(self, context) -> np.ndarray:
        """Distribution of the next token after ``context``, shape=(130,), float64, summing to 1.

        ``context`` is step tokens (a list or int array of 0..129, may be empty) or a Melody.
        """
        if isinstance(context, Melody):
            context = context.to_tokens()
        context = _check_tokens(context, "The context",
                                "Pass step tokens such as [60, 129, 62] or melody.to_tokens().")
        ctx = np.concatenate([np.full(self.order - 1, BOS), context])
        ctx = ctx[len(ctx) - (self.order - 1):] if self.order > 1 else ctx[:0]
        grams = np.column_stack([np.tile(ctx, (VOCAB_SIZE, 1)), np.arange(VOCAB_SIZE)])
        p = self.prob(grams)
        return p / p.sum()

    # -- the Responder interface ---------------------------------------------------------

    def log_probs(self, sequences) -> list:
        grams = [_windows(tokens, self.order) for tokens, _, _ in sequences]
        lp = np.log(self.prob(np.concatenate(grams)))
        return np.split(lp, np.cumsum([len(g) for g in grams])[:-1])

    def predictions(self, sequences) -> list:
        out = []
        for tokens, _, _ in sequences:
            grams = _windows(tokens, self.order)
            contexts = np.repeat(grams[:, :-1], VOCAB_SIZE, axis=0)
            candidates = np.tile(np.arange(VOCAB_SIZE), len(grams))
            p = self.prob(np.column_stack([contexts, candidates])).reshape(len(grams), VOCAB_SIZE)
            out.append(p.argmax(axis=1))
        return out

    def continue_tokens(self, tokens, n_steps, steps_per_bar, pickup_steps, temperature, rng):
        history = list(np.asarray(tokens, dtype=np.int64))
        out, probs = [], []
        for t in range(n_steps):
            p = self.next_probs(np.array(history[-(self.order - 1):] if self.order > 1 else [], dtype=np.int64))
            probs.append(p)
            p = self.playable(p, first=t == 0)  # in range; the answer starts with a note
            token = sample_token(p, temperature, rng)
            history.append(token)
            out.append(token)
        return np.array(out), np.array(probs)

    def __repr__(self):
        size = sum(len(t["keys"]) for t in self.tables)
        return f"MarkovModel(order={self.order}, {size} n-grams)"


def fit_best_order(train, valid, orders=range(1, MAX_ORDER + 1)):
    """Fit one model per order and keep the one with the lowest NLL on the valid tunes.

    Returns
    -------
    model : MarkovModel
    valid_nll : dict
        ``{order: nats per step on valid}``.
    """
    scores, best = {}, None
    for order in orders:
        model = MarkovModel(order).fit(train)
        scores[order] = model.nll(valid)
        if best is None or scores[order] < scores[best.order]:
            best = model
    return best, scores


DEFAULT_TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "data", "duet_markov.json")


def load_pretrained(order: int | None = None) -> MarkovModel:
    """The Markov responder of the lessons: counted from the train tunes, at the best order.

    The order chosen on the valid tunes is read from ``data/duet_markov.json`` (written by
    ``python -m lessonkit train duet``); counting takes a few seconds.
    """
    from ..datasets import load_tunes

    if order is None:
        order = 5
        if os.path.exists(DEFAULT_TABLE):
            with open(DEFAULT_TABLE) as f:
                order = int(json.load(f)["order"])
    return MarkovModel(order).fit(load_tunes("train"))
