"""``lessonkit train FAMILY``: the one home of the commands that train the shipped models.

Lesson: notebooks/02_ai_duet.ipynb (how the shipped duet model was made)

One function per model family, each ``FAMILY(argv) -> exit code``, listed in :data:`FAMILIES`
and on the command line (``lessonkit/__main__.py``) as ``train FAMILY``:

* :func:`duet`: choose the Markov order and train the duet GRU into ``data/``.
* ``synth``, ``loops``: added by the neural-synthesizer and latent-loops families, same shape.

The training loop itself (``TrainConfig``, ``train``, checkpoints) is :mod:`lessonkit.training`;
the models are :mod:`lessonkit.models`. A command writes its files atomically, refuses to
overwrite without ``--overwrite``, and records what it wrote in ``data/manifest.json``
(:func:`lessonkit.manifest.update_manifest`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from .files import atomic_write_bytes, refuse_overwrite
from .manifest import DATA_DIR, update_manifest


def duet(argv=None) -> int:
    """``lessonkit train duet``: choose the Markov order and train the shipped GRU.

    Writes ``data/duet_markov.json`` (the order that did best on the valid tunes, and the
    valid NLL of every order) and ``data/duet_neural.safetensors`` (the GRU, with its
    training figures in the file's metadata), and records both in ``data/manifest.json``.
    """
    from . import datasets
    from .models import markov, melody_rnn
    from .training import TrainConfig

    parser = argparse.ArgumentParser(prog="lessonkit train duet", description=duet.__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5000, help="gradient steps (default 5000; fixed for repeatability)")
    parser.add_argument("--seconds", type=float, default=None, help="also stop after this many seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout for the long run (default 0.2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: the same weights everywhere, and fastest on a busy machine)")
    parser.add_argument("--out", default=DATA_DIR, help="folder to write to (default data/)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    neural_path = os.path.join(args.out, "duet_neural.safetensors")
    markov_path = os.path.join(args.out, "duet_markov.json")
    refuse_overwrite(neural_path, args.overwrite), refuse_overwrite(markov_path, args.overwrite)

    import torch

    torch.set_num_threads(args.threads)  # also for the evaluations after training
    train, valid, test = (datasets.load_tunes(s) for s in ("train", "valid", "test"))
    print(f"tunes: {len(train)} train, {len(valid)} valid, {len(test)} test", flush=True)
    t0 = time.perf_counter()
    best, scores = markov.fit_best_order(train, valid)
    print(f"Markov: valid nats/step by order {({k: round(v, 4) for k, v in scores.items()})}; best order "
          f"{best.order}; test {best.nll(test):.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    table = dict(order=best.order, valid_nll_by_order={str(k): round(v, 5) for k, v in scores.items()},
                 built_by="python -m lessonkit train duet")
    atomic_write_bytes(markov_path, (json.dumps(table, indent=1) + "\n").encode())

    config = melody_rnn.Config(dropout=args.dropout)
    responder, history = melody_rnn.train_model(
        train, valid, config, TrainConfig(max_steps=args.steps, max_seconds=args.seconds, seed=args.seed, lr=config.lr,
                                          threads=args.threads, eval_every=100, patience=8, live_plot=False))
    responder.info.update(valid_nll=round(responder.nll(valid), 4), test_nll=round(responder.nll(test), 4),
                          command=("python -m lessonkit train duet " + " ".join(argv or [])).strip())
    print(f"GRU: {history.n_steps} steps in {history.seconds:.0f} s ({history.stopped_because}); valid "
          f"{responder.info['valid_nll']:.4f}, test {responder.info['test_nll']:.4f} nats/step", flush=True)
    responder.save(neural_path, overwrite=args.overwrite)
    for path in (neural_path, markov_path):
        if os.path.abspath(os.path.dirname(path)) == os.path.abspath(DATA_DIR):
            update_manifest(path, built_by="python -m lessonkit train duet")
    print(f"wrote {neural_path} and {markov_path}")
    return 0


FAMILIES = {"duet": duet}
"""Family name -> its command. A new family adds ``def synth(argv=None) -> int`` above and an entry here."""


def main(argv=None) -> int:
    """``python -m lessonkit.train FAMILY [options]``: run one family's command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in FAMILIES:
        print(f"usage: lessonkit train {{{','.join(FAMILIES)}}} [options]", file=sys.stderr)
        return 2
    return FAMILIES[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
