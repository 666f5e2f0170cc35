"""Steering a duet model by the collection it learned from: O'Neill's Irish tunes or Essen's German songs.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

See :mod:`lessonkit.values` for the story.
"""

from __future__ import annotations

import copy
import os

import numpy as np

from ..errors import DataFileError, LessonkitError, LessonkitTypeError, ModelError, expect_int, expect_number
from ..music import Melody
from .profiles import _melodies

COLLECTIONS = {
    "oneill": "O'Neill's Music of Ireland (1903): Irish jigs, reels, hornpipes and airs",
    "german": "German songs and ballads of the Essen collection (Erk, Böhme, Zuccalmaglio, ...)",
}
"""The collections a duet model can be steered by: name -> what they are."""

_GERMAN_FILES = ("erk", "ballad", "boehme", "zuccal", "altdeu", "fink", "kinder", "dva")
"""Essen's German song files (by file-name prefix); the rest is Chinese, Lorraine, Luxembourg, Irish."""

DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "data"))


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
    from ..datasets import load_tunes

    collection = _check_collection(collection)
    return [t for t in load_tunes(split) if in_collection(t, collection)]


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

    from ..models.melody_rnn import NeuralResponder, _windows, encode
    from ..music import VOCAB_SIZE
    from ..training import TrainConfig, train

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
    from ..models.melody_rnn import NeuralResponder

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

    from ..files import refuse_overwrite
    from ..models.duet import load_pretrained

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
        from ..manifest import update_manifest

        update_manifest(path, built_by=f"python -m lessonkit train duet-collection --collection {args.collection}")
    print(f"wrote {path}")
    return 0
