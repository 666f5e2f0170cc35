"""The home of ``lessonkit train FAMILY``: the commands that make the shipped model weights.

Each family is a function ``FAMILY(argv) -> int`` here (``python -m lessonkit train FAMILY
--help`` lists its options). They train with a fixed seed and a fixed number of steps, so a
rerun on the same machine and torch build gives the same weights, and record the file in
``data/manifest.json``.
"""

from __future__ import annotations


def loops(argv=None) -> int:
    """``python -m lessonkit train loops``: train the loop VAE and AE into data/ (lesson 04).

    Writes ``data/loops_vae.safetensors`` and ``data/loops_ae.safetensors`` (weights, config and
    held-out accuracies in the file's metadata), trained on all training loops with
    transposition and word dropout, 1 torch thread.
    """
    import argparse
    import os
    import time

    import numpy as np
    import torch

    from . import latent
    from .builders.manifest import update_manifest
    from .datasets import DATA_DIR, load_loops
    from .files import refuse_overwrite
    from .models import loops as L
    from .training import TrainConfig

    parser = argparse.ArgumentParser(prog="lessonkit train loops", description=loops.__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("vae", "ae", "both"), default="both")
    parser.add_argument("--steps", type=int, default=None,
                        help="gradient steps (default 400 for the VAE, 150 for the AE; fixed for repeatability)")
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
        steps = args.steps or (400 if kind == "vae" else 150)
        config = L.Config(kind=kind, kl_weight=args.kl_weight, free_bits=args.free_bits,
                          word_dropout=args.word_dropout, decoder_hidden=args.decoder_hidden)
        t0 = time.perf_counter()
        model, history = L.train_model(train, valid, config, TrainConfig(
            max_steps=steps, max_seconds=args.seconds, seed=args.seed, lr=args.lr, threads=args.threads,
            eval_every=100, patience=None, live_plot=False, progress=False,
            checkpoint_path=args.checkpoint and f"{args.checkpoint}-{kind}.safetensors", overwrite_checkpoint=True))
        scores = latent.expression(model, test[:args.eval_loops], seed=0)
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
