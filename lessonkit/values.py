"""What does a model value? Its preferences, made visible with numbers.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

A melody model has no opinions, but it has *preferences*: the notes, leaps and rhythms it gives
high probability to. They come from what it was fed. This module measures them:

* :func:`style_profile` sums up a set of melodies in a few numbers (how big the leaps are, how
  many notes a bar, how wide the range): compare a model's output with the corpus;
* :func:`interval_distribution` / :func:`total_variation`: the share of each interval, and how far
  two such distributions are apart (0 = identical, 1 = nothing in common);
* :func:`likelihood_table`: how surprised a model is by a real tune, by its own output and by a
  random melody (NLL, nats per step): what it finds "natural";
* **steering**: the same network fine-tuned on one collection only, O'Neill's Irish dance tunes
  (``"oneill"``) or the German songs of the Essen collection (``"german"``)
  (:func:`load_steered`, shipped in ``data/duet_<collection>.safetensors``, made by
  ``python -m lessonkit train duet-collection --collection oneill``). Ask both the same calls and
  :func:`style_profile` shows their answers following what each was fed.

Fine-tuning starts from the shipped duet network (``data/duet_neural.safetensors``) and trains it
a few hundred more steps on one collection's train tunes (:func:`fine_tune`), so it keeps what it
knows about melodies in general and shifts its preferences towards that collection.
"""

from __future__ import annotations

import contextlib
import copy
import os
from dataclasses import asdict, dataclass

import numpy as np

from .errors import DataFileError, LessonkitError, LessonkitTypeError, ModelError, expect_int, expect_number
from .music import Melody

COLLECTIONS = {
    "oneill": "O'Neill's Music of Ireland (1903): Irish jigs, reels, hornpipes and airs",
    "german": "German songs and ballads of the Essen collection (Erk, Böhme, Zuccalmaglio, ...)",
}
"""The collections a duet model can be steered by: name -> what they are."""

_GERMAN_FILES = ("erk", "ballad", "boehme", "zuccal", "altdeu", "fink", "kinder", "dva")
"""Essen's German song files (by file-name prefix); the rest is Chinese, Lorraine, Luxembourg, Irish."""

DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "data"))
MAX_INTERVAL = 12


def _check_collection(collection) -> str:
    if not isinstance(collection, str) or collection not in COLLECTIONS:
        raise LessonkitError(f"collection={collection!r} is not one we can steer by. Choose one of "
                             f"{', '.join(map(repr, COLLECTIONS))}.")
    return collection


def in_collection(tune: Melody, collection: str) -> bool:
    """True when a corpus tune belongs to a steering collection (by its ``meta``)."""
    meta = getattr(tune, "meta", {}) or {}
    if collection == "oneill":
        return meta.get("collection") == "oneills1850"
    return meta.get("collection") == "essenFolksong" and str(meta.get("file", "")).startswith(_GERMAN_FILES)


def collection_tunes(collection: str, split: str | None = "train") -> list:
    """The corpus tunes of one collection (``"oneill"`` or ``"german"``) in a split.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    list of Melody
        1,542 (O'Neill) and 4,652 (German) train tunes.
    """
    from .datasets import load_tunes

    collection = _check_collection(collection)
    return [t for t in load_tunes(split) if in_collection(t, collection)]


# ----------------------------------------------------------------------------- measuring preferences


def _melodies(melodies, name="melodies") -> list:
    if isinstance(melodies, Melody):
        return [melodies]
    if isinstance(melodies, str) or not hasattr(melodies, "__iter__"):
        raise LessonkitTypeError(f"{name} should be a list of Melody (or one Melody), not {type(melodies).__name__}.")
    melodies = list(melodies)
    for m in melodies:
        if not isinstance(m, Melody):
            raise LessonkitTypeError(f"{name} should hold Melody objects, but one is a {type(m).__name__}.")
    if not melodies:
        raise LessonkitError(f"{name} is empty: pass at least one Melody.")
    return melodies


def interval_distribution(melodies, max_interval: int = MAX_INTERVAL) -> np.ndarray:
    """Share of each pitch interval between consecutive notes, over some melodies.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    np.ndarray, shape=(2 * max_interval + 1,), float64, sums to 1
        Entry ``k`` is the share of intervals of ``k - max_interval`` semitones; leaps wider than
        ``max_interval`` count in the first or last entry.
    """
    melodies = _melodies(melodies)
    ivals = np.concatenate([np.diff(m.pitches.astype(np.int64)) for m in melodies])
    counts = np.bincount(np.clip(ivals, -max_interval, max_interval) + max_interval, minlength=2 * max_interval + 1)
    return counts / max(counts.sum(), 1)


def pitch_class_distribution(melodies) -> np.ndarray:
    """Share of each pitch relative to the melody's last note (0 = the last note's pitch class).

    Folk tunes mostly end on their home note, so this is roughly the share of each scale degree.

    Returns
    -------
    np.ndarray, shape=(12,), float64, sums to 1
    """
    melodies = _melodies(melodies)
    pcs = np.concatenate([(m.pitches.astype(np.int64) - int(m.pitches[-1])) % 12 for m in melodies if len(m)])
    counts = np.bincount(pcs, minlength=12)
    return counts / max(counts.sum(), 1)


def total_variation(p, q) -> float:
    """Distance between two distributions: half the sum of absolute differences, 0..1."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    if p.shape != q.shape:
        raise LessonkitError(f"The two distributions have different lengths ({p.shape} and {q.shape}).")
    return float(0.5 * np.abs(p - q).sum())


@dataclass(frozen=True)
class StyleProfile:
    """A few numbers that sum up the style of some melodies.

    Attributes
    ----------
    n_melodies : int
    mean_abs_interval : float
        Mean size of the step from one note to the next, in semitones.
    step_share, leap_share, repeat_share : float
        Share (0..1) of intervals of 1-2 semitones, of 5 or more, and of 0 (a repeated note).
    notes_per_bar : float
        Notes per bar of the melody's meter: how busy the rhythm is.
    short_note_share : float
        Share of notes lasting at most an eighth note (2 steps).
    range_semitones : float
        Median over the melodies of highest minus lowest pitch.
    """

    n_melodies: int
    mean_abs_interval: float
    step_share: float
    leap_share: float
    repeat_share: float
    notes_per_bar: float
    short_note_share: float
    range_semitones: float

    def as_dict(self) -> dict:
        return asdict(self)


def style_profile(melodies) -> StyleProfile:
    """Sum up the style of some melodies: leaps, rhythm and range.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    melodies : list of Melody

    Returns
    -------
    StyleProfile
    """
    melodies = [m for m in _melodies(melodies) if len(m)]
    if not melodies:
        raise LessonkitError("These melodies have no notes at all.")
    ivals = np.abs(np.concatenate([np.diff(m.pitches.astype(np.int64)) for m in melodies]))
    durations = np.concatenate([m.durations_steps for m in melodies])
    bars = sum(m.length_steps / m.steps_per_bar for m in melodies)
    ranges = [int(m.pitches.max()) - int(m.pitches.min()) for m in melodies]
    n_iv = max(len(ivals), 1)
    return StyleProfile(
        n_melodies=len(melodies),
        mean_abs_interval=round(float(ivals.mean()) if len(ivals) else 0.0, 3),
        step_share=round(float(((ivals >= 1) & (ivals <= 2)).sum() / n_iv), 3),
        leap_share=round(float((ivals >= 5).sum() / n_iv), 3),
        repeat_share=round(float((ivals == 0).sum() / n_iv), 3),
        notes_per_bar=round(float(len(durations) / bars), 3),
        short_note_share=round(float((durations <= 2).mean()), 3),
        range_semitones=float(np.median(ranges)),
    )


def random_melody(bars: int = 4, *, seed: int = 0, low: int = 60, high: int = 79, meter: str = "4/4") -> Melody:
    """A melody with no musical preference at all: random pitches and random note lengths.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    bars : int
        Length in bars, 1..64.
    seed : int
        Same seed, same melody.
    low, high : int
        Pitch range (MIDI, inclusive); default C4..G5.

    Returns
    -------
    Melody
        ``bars`` bars of notes of 1, 2 or 4 steps, pitches uniform in ``low..high``.
    """
    bars = expect_int(bars, "bars", low=1, high=64)
    seed = expect_int(seed, "seed", low=0)
    low, high = expect_int(low, "low", low=0, high=127), expect_int(high, "high", low=0, high=127)
    if high < low:
        raise LessonkitError(f"high={high} is below low={low}: give the lowest pitch first.")
    rng = np.random.default_rng(seed)
    from .music import _parse_meter

    beats, unit = _parse_meter(meter)
    spb = beats * 16 // unit
    total = bars * spb
    durations = []
    while sum(durations) < total:
        durations.append(int(rng.choice([1, 2, 2, 4, 4])))
    durations[-1] -= sum(durations) - total
    durations = [d for d in durations if d > 0]
    onsets = np.concatenate([[0], np.cumsum(durations)[:-1]])
    pitches = rng.integers(low, high + 1, size=len(durations))
    return Melody.from_arrays(pitches, onsets, durations, length_steps=total, meter=meter)


def likelihood_table(model, real, generated, random) -> dict:
    """How surprised a model is by real tunes, by its own output and by random melodies.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    model : Responder
        Anything with ``.nll(melodies)`` (the duet models).
    real, generated, random : list of Melody

    Returns
    -------
    dict
        ``{"real": nll, "generated": nll, "random": nll}``, mean nats per step (lower = more
        natural to the model).
    """
    if not hasattr(model, "nll"):
        raise LessonkitTypeError(f"model should be a duet model such as load_pretrained('neural'), "
                                 f"not {type(model).__name__}.")
    with one_thread():
        return {name: round(float(model.nll(_melodies(group, name))), 4)
                for name, group in (("real", real), ("generated", generated), ("random", random))}


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block (then restore the setting).

    Answering and scoring run tiny batches, which gain nothing from a second thread; on a busy
    2-core machine two torch threads waiting for each other made lesson 05's answers take 20 times
    the CPU time (44 s instead of 2 s for 180 answers).
    """
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def answers(model, calls, *, bars: int = 4, temperature: float = 1.0, seed: int = 0) -> list:
    """The model's answer to each call: ``model.respond(call, bars, temperature, seed + i)``.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Returns
    -------
    list of Melody
        One answer per call (the answer only, without the call).
    """
    calls = _melodies(calls, "calls")
    seed = expect_int(seed, "seed", low=0)
    with one_thread():
        return [model.respond(call, bars=bars, temperature=temperature, seed=seed + i) for i, call in enumerate(calls)]


def opening_calls(tunes, *, bars: int = 2, meter: str | None = "4/4", limit: int | None = None) -> list:
    """The first ``bars`` whole bars of each tune (after any upbeat), as calls for a duet model.

    Tunes in another meter are skipped when ``meter`` is given.
    """
    out = []
    for tune in _melodies(tunes, "tunes"):
        if meter is not None and tune.meter != meter:
            continue
        start = tune.pickup_steps % tune.steps_per_bar
        stop = start + bars * tune.steps_per_bar
        if stop > tune.length_steps:
            continue
        call = tune.window(start, stop)
        if len(call) >= 3:
            out.append(call)
        if limit is not None and len(out) >= limit:
            break
    return out


# ----------------------------------------------------------------------------- steering by collection


def steered_path(collection: str) -> str:
    """Where the duet network fine-tuned on a collection is shipped: ``data/duet_<collection>.safetensors``."""
    return os.path.join(DATA_DIR, f"duet_{_check_collection(collection)}.safetensors")


def fine_tune(responder, tunes, valid_tunes, *, steps: int = 400, lr: float = 1e-3, seed: int = 0, threads: int = 1):
    """A copy of a duet network trained further on some tunes only.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb (the shipped results; training takes minutes)

    Parameters
    ----------
    responder : NeuralResponder
        The starting point (it is not changed), e.g. ``load_pretrained("neural")``.
    tunes, valid_tunes : list of Melody
        What to learn from, and where to measure the valid loss.
    steps : int
        Gradient steps (32 windows of 64 steps each); the best valid weights are kept.
    lr : float
        Learning rate (smaller than from scratch, so it shifts rather than forgets).

    Returns
    -------
    responder : NeuralResponder
    history : lessonkit.training.History
    """
    from torch import nn

    from .models.melody_rnn import NeuralResponder, _windows, encode
    from .music import VOCAB_SIZE
    from .training import TrainConfig, train

    if not isinstance(responder, NeuralResponder):
        raise LessonkitTypeError("responder should be a neural duet model, e.g. load_pretrained('neural').")
    steps = expect_int(steps, "steps", low=1)
    lr = expect_number(lr, "lr", low=1e-6, high=1.0)
    tunes, valid_tunes = _melodies(tunes, "tunes"), _melodies(valid_tunes, "valid_tunes")
    model = copy.deepcopy(responder.model)
    config = model.config
    stream, valid_stream = encode(tunes), encode(valid_tunes)
    if len(stream[0]) <= config.seq_len or len(valid_stream[0]) <= config.seq_len:
        raise ModelError("Too little music to fine-tune on: give at least a few tunes for each of tunes and valid_tunes.")
    n_valid = max(1, min(256, (len(valid_stream[0]) - 1) // config.seq_len))
    starts = np.linspace(0, len(valid_stream[0]) - config.seq_len - 1, n_valid).astype(np.int64)
    valid_batch = _windows(valid_stream, starts, config.seq_len)

    def sample_batch(rng):
        return _windows(stream, rng.integers(0, len(stream[0]) - config.seq_len, size=config.batch_size), config.seq_len)

    def loss_fn(model, batch):
        previous, target, position = batch
        logits, _ = model(previous, position)  # (B, T, 130)
        return nn.functional.cross_entropy(logits.reshape(-1, VOCAB_SIZE), target.reshape(-1))

    history = train(model, sample_batch, loss_fn, lambda m: float(loss_fn(m, valid_batch)),
                    TrainConfig(max_steps=steps, lr=lr, seed=seed, threads=threads, eval_every=50, patience=None,
                                progress=False, live_plot=False))
    pitches = np.concatenate([t.pitches for t in tunes])
    out = NeuralResponder(model, pitch_range=responder.pitch_range, centre_pitch=int(np.median(pitches)))
    out.info = dict(responder.info, fine_tuned_steps=history.n_steps, fine_tune_seconds=round(history.seconds, 1),
                    fine_tune_best_valid_loss=round(history.best_valid_loss, 4), fine_tune_seed=seed)
    return out, history


_STEERED: dict = {}


def load_steered(collection: str):
    """The duet network fine-tuned on one collection, ready at once.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    collection : {"oneill", "german"}

    Returns
    -------
    NeuralResponder
        A duet model (``.respond``, ``.nll``, ...); ``.info`` holds how it was made.
    """
    from .models.melody_rnn import NeuralResponder

    path = steered_path(collection)
    if not os.path.exists(path):
        raise DataFileError(f"The steered model {path} is missing. Restore it with `git checkout -- data/` or rebuild "
                            f"it with `python -m lessonkit train duet-collection --collection {collection}`.")
    if collection not in _STEERED:
        model = NeuralResponder.load(path)
        model.kind = "neural"
        _STEERED[collection] = model
    return _STEERED[collection]


def main(argv=None) -> int:
    """``python -m lessonkit train duet-collection --collection oneill``: fine-tune the duet GRU on one collection.

    Starts from ``data/duet_neural.safetensors``, trains ``--steps`` steps on the collection's train
    tunes (valid loss on its valid tunes, best weights kept), writes ``data/duet_<collection>.safetensors``
    and records it in ``data/manifest.json``.
    """
    import argparse
    import time

    import torch

    from .files import refuse_overwrite
    from .models.duet import load_pretrained

    parser = argparse.ArgumentParser(prog="lessonkit train duet-collection", description=main.__doc__.split("\n")[0])
    parser.add_argument("--collection", required=True, choices=sorted(COLLECTIONS))
    parser.add_argument("--steps", type=int, default=400, help="gradient steps (default 400)")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="file to write (default data/duet_<collection>.safetensors)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    path = args.out or steered_path(args.collection)
    refuse_overwrite(path, args.overwrite)
    torch.set_num_threads(1)
    train, valid = collection_tunes(args.collection, "train"), collection_tunes(args.collection, "valid")
    base = load_pretrained("neural")
    print(f"{args.collection}: {len(train)} train, {len(valid)} valid tunes; base valid NLL "
          f"{base.nll(valid):.4f}", flush=True)
    t0 = time.perf_counter()
    model, history = fine_tune(base, train, valid, steps=args.steps, lr=args.lr, seed=args.seed)
    command = "python -m lessonkit train duet-collection " + " ".join(argv or [])
    model.info.update(collection=args.collection, valid_nll_collection=round(model.nll(valid), 4),
                      base_valid_nll_collection=round(base.nll(valid), 4), command=command.strip())
    print(f"fine-tuned {history.n_steps} steps in {time.perf_counter() - t0:.0f} s: valid NLL on {args.collection} "
          f"{model.info['base_valid_nll_collection']:.4f} -> {model.info['valid_nll_collection']:.4f}", flush=True)
    model.save(path, overwrite=args.overwrite)
    if os.path.abspath(os.path.dirname(path)) == os.path.abspath(DATA_DIR):
        from .builders.manifest import update_manifest

        update_manifest(path, built_by=f"python -m lessonkit train duet-collection --collection {args.collection}")
    print(f"wrote {path}")
    return 0
