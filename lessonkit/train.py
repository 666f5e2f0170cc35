"""``lessonkit train FAMILY``: the one home of the commands that train the shipped models.

Lesson: notebooks/02_ai_duet.ipynb (how the shipped duet model was made)

One function per model family, each ``FAMILY(argv) -> exit code``, listed in :data:`FAMILIES`
and on the command line (``lessonkit/__main__.py``) as ``train FAMILY``:

* :func:`duet`: choose the Markov order and train the duet GRU into ``data/``.
* :func:`synth`: train the neural synthesizers of lesson 03 (code sizes 16, 8, 4, 2) into ``data/``.
* :func:`loops`: train the loop VAE and AE of lesson 04 into ``data/``.

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


def synth(argv=None) -> int:
    """Train the neural synthesizers (lesson 03) into data/synth_<code_size>.safetensors.

    One model per code size (the lesson's bottleneck slider). Each trains for exactly
    ``--steps`` steps (``--small-steps`` for code sizes below 16) with seed 0 on ``--threads``
    threads (2: the build machine's two cores), so a rerun with the same thread count gives the
    same weights on the same machine; ``--max-seconds`` is an optional cap (if it is reached
    first, the file's metadata says so). On a 2-core AMD EPYC VM a step takes about 0.08 s on
    2 threads, valid checks included: the shipped code-16 model (10,000 steps) took 797 s of
    wall-clock time, and each smaller one (1,500 steps) about 125 s; both figures are stored
    in each file's metadata.
    """
    from dataclasses import asdict

    from .models import synth as model_synth
    from .models import synth_train
    from .training import TrainConfig, save_checkpoint

    parser = argparse.ArgumentParser(prog="lessonkit train synth", description=synth.__doc__.split("\n")[0])
    parser.add_argument("--code-sizes", default="16,8,4,2", help="comma-separated code sizes (default 16,8,4,2)")
    parser.add_argument("--steps", type=int, default=10000, help="training steps of the code-size-16 model")
    parser.add_argument("--small-steps", type=int, default=1500, help="training steps of the smaller models")
    parser.add_argument("--max-seconds", type=float, default=None, help="optional wall-clock cap per model (s)")
    parser.add_argument("--code-noise", type=float, default=model_synth.Config.code_noise,
                        help=f"noise added to the code while training (default {model_synth.Config.code_noise}): "
                             "more did not make morphs smoother (lessonkit/models/synth.py)")
    parser.add_argument("--mix-weight", type=float, default=0.0,
                        help="weight of the optional smoothness term (default 0, as the shipped models: "
                             "lessonkit/models/synth.py)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--out-dir", default=DATA_DIR, help="where to write (default data/)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing weight files")
    parser.add_argument("--no-manifest", action="store_true", help="do not record the files in data/manifest.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.code_sizes.split(",") if s.strip()]
    for size in sizes:
        path = os.path.join(args.out_dir, f"synth_{size}.safetensors")
        steps = args.steps if size >= 16 else args.small_steps
        config = model_synth.Config(code_size=size, code_noise=args.code_noise, mix_weight=args.mix_weight)
        train_config = TrainConfig(max_steps=steps, max_seconds=args.max_seconds, lr=3e-3, eval_every=50,
                                   patience=None, seed=args.seed, threads=args.threads, progress=True,
                                   live_plot=False)
        print(f"training code_size={size} for {steps} steps ...", flush=True)
        cpu_start = time.process_time()
        synth_model, history = synth_train.train_model(config, train_config)
        cpu = time.process_time() - cpu_start
        meta = {"config": asdict(config), "steps": history.n_steps, "seconds": round(history.seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "stopped_because": history.stopped_because, "best_step": history.best_step,
                "valid_distance": round(history.best_valid_loss, 4), "seed": args.seed, "threads": args.threads,
                "valid_curve": [round(v, 4) for v in history.valid_loss],
                "built_by": "python -m lessonkit train synth"}
        save_checkpoint(path, synth_model.model, meta, overwrite=args.overwrite)
        print(f"wrote {path}: {history.n_steps} steps in {history.seconds:.0f} s ({history.stopped_because}), "
              f"({cpu:.0f} s of CPU), valid spectral distance {history.best_valid_loss:.3f}", flush=True)
        if not args.no_manifest and os.path.abspath(args.out_dir) == os.path.abspath(DATA_DIR):
            update_manifest(path, built_by="python -m lessonkit train synth")
    return 0


def loops(argv=None) -> int:
    """``lessonkit train loops``: train the loop VAE and AE of lesson 04 into data/.

    Writes ``data/loops_vae.safetensors`` and ``data/loops_ae.safetensors`` (weights, config and
    held-out accuracies in the file's metadata), trained on all training loops with
    transposition and word dropout, 1 torch thread, 6,000 steps each: about 18 minutes per model
    on one core of a 2-core AMD EPYC VM (the two can train side by side, one per core).
    """
    import torch

    from .datasets import load_loops
    from .models import loops as L
    from .training import TrainConfig

    parser = argparse.ArgumentParser(prog="lessonkit train loops", description=loops.__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("vae", "ae", "both"), default="both")
    parser.add_argument("--steps", type=int, default=None,
                        help="gradient steps of each model (default 6000; fixed for repeatability)")
    parser.add_argument("--seconds", type=float, default=None, help="also stop after this many seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--kl-weight", type=float, default=0.2)
    parser.add_argument("--free-bits", type=float, default=48.0)
    parser.add_argument("--word-dropout", type=float, default=0.3)
    parser.add_argument("--decoder-hidden", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--checkpoint", default=None,
                        help="also save the best weights so far to FILE-KIND.safetensors while training")
    parser.add_argument("--eval-loops", type=int, default=2000, help="score on the first N test loops (default 2000)")
    parser.add_argument("--out", default=DATA_DIR, help="folder to write to (default data/)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    kinds = ("vae", "ae") if args.kind == "both" else (args.kind,)
    paths = {k: os.path.join(args.out, f"loops_{k}.safetensors") for k in kinds}
    for p in paths.values():
        refuse_overwrite(p, args.overwrite)
    torch.set_num_threads(args.threads)
    train, valid, test = (load_loops(s) for s in ("train", "valid", "test"))
    print(f"loops: {len(train)} train, {len(valid)} valid, {len(test)} test", flush=True)
    command = ("python -m lessonkit train loops " + " ".join(argv or [])).strip()
    for kind in kinds:
        steps = args.steps or 6000
        config = L.Config(kind=kind, kl_weight=args.kl_weight, free_bits=args.free_bits,
                          word_dropout=args.word_dropout, decoder_hidden=args.decoder_hidden)
        t0 = time.perf_counter()
        model, history = L.train_model(train, valid, config, TrainConfig(
            max_steps=steps, max_seconds=args.seconds, seed=args.seed, lr=args.lr, threads=args.threads,
            eval_every=100, patience=None, live_plot=False, progress=False,
            checkpoint_path=args.checkpoint and f"{args.checkpoint}-{kind}.safetensors", overwrite_checkpoint=True))
        scores = L.expression(model, test[:args.eval_loops], seed=0)
        model.info.update({f"test_{k}": round(v, 4) for k, v in scores.items()}, command=command,
                          train_seconds=round(time.perf_counter() - t0, 1), stopped_because=history.stopped_because)
        print(f"{kind}: {history.n_steps} steps in {history.seconds:.0f} s; test teacher-forced "
              f"{scores['teacher_forced']:.4f}, greedy {scores['greedy']:.4f}, sampled {scores['sampled']:.4f} "
              f"(always-HOLD {scores['always_hold']:.4f})", flush=True)
        model.save(paths[kind], overwrite=args.overwrite)
        if os.path.abspath(args.out) == os.path.abspath(DATA_DIR):
            update_manifest(paths[kind], built_by="python -m lessonkit train loops")
        print(f"wrote {paths[kind]}", flush=True)
    return 0


FAMILIES = {"duet": duet, "synth": synth, "loops": loops}
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
