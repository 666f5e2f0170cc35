"""The home of ``lessonkit train FAMILY``: one function per model family that trains it and
writes its shipped weights into ``data/`` (maintainers; students train in the lessons).

Run ``python -m lessonkit train synth --help``. Each function takes the command-line
arguments after ``train FAMILY`` and returns an exit status.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict


def synth(argv=None) -> int:
    """Train the neural synthesizers (lesson 03) into data/synth_<code_size>.safetensors.

    One model per code size (the lesson's bottleneck slider). Each trains for exactly
    ``--steps`` steps (``--small-steps`` for code sizes below 16) with seed 0 on one thread,
    so a rerun gives the same weights on the same machine; ``--max-seconds`` is an optional
    cap (if it is reached first, the file's metadata says so). A step costs about 0.24 s of
    CPU time on one core of a 2-core AMD EPYC VM, so 600 steps are about 2.5 minutes of CPU;
    the wall-clock time depends on what else runs (both are stored in the file's metadata:
    the shipped code-16 model took 926 s of wall-clock time for 145 s of CPU, load average
    about 10 on 2 cores).
    """
    from .models import synth as model_synth
    from .training import TrainConfig, save_checkpoint

    parser = argparse.ArgumentParser(prog="lessonkit train synth", description=synth.__doc__.split("\n")[0])
    parser.add_argument("--code-sizes", default="16,8,4,2", help="comma-separated code sizes (default 16,8,4,2)")
    parser.add_argument("--steps", type=int, default=600, help="training steps of the code-size-16 model")
    parser.add_argument("--small-steps", type=int, default=200, help="training steps of the smaller models")
    parser.add_argument("--max-seconds", type=float, default=None, help="optional wall-clock cap per model (s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", default=model_synth.DATA_DIR, help="where to write (default data/)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing weight files")
    parser.add_argument("--no-manifest", action="store_true", help="do not record the files in data/manifest.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.code_sizes.split(",") if s.strip()]
    for size in sizes:
        path = os.path.join(args.out_dir, f"synth_{size}.safetensors")
        steps = args.steps if size >= 16 else args.small_steps
        config = model_synth.Config(code_size=size)
        train_config = TrainConfig(max_steps=steps, max_seconds=args.max_seconds, lr=3e-3, eval_every=50,
                                   patience=None, seed=args.seed, threads=1, progress=True, live_plot=False)
        print(f"training code_size={size} for {steps} steps ...", flush=True)
        cpu_start = time.process_time()
        synth_model, history = model_synth.train_model(config, train_config)
        cpu = time.process_time() - cpu_start
        meta = {"config": asdict(config), "steps": history.n_steps, "seconds": round(history.seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "stopped_because": history.stopped_because, "best_step": history.best_step,
                "valid_distance": round(history.best_valid_loss, 4), "seed": args.seed, "threads": 1,
                "valid_curve": [round(v, 4) for v in history.valid_loss],
                "built_by": "python -m lessonkit train synth"}
        save_checkpoint(path, synth_model.model, meta, overwrite=args.overwrite)
        print(f"wrote {path}: {history.n_steps} steps in {history.seconds:.0f} s ({history.stopped_because}), "
              f"({cpu:.0f} s of CPU), valid spectral distance {history.best_valid_loss:.3f}", flush=True)
        if not args.no_manifest and os.path.abspath(args.out_dir) == os.path.abspath(model_synth.DATA_DIR):
            from .builders.manifest import update_manifest

            update_manifest(path, built_by="python -m lessonkit train synth")
    return 0
