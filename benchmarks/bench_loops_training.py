"""Latent Loops (lesson 04): what a student's 2-minute VAE and AE reach on held-out loops.

Run with ``python -m benchmarks loops_training``. ``BENCH_LOOPS_TRAIN_SECONDS`` (default 120) sets
the training time. The models are what a student's ``train_model(train, valid)`` makes: the in-class
``Config()`` and the threads ``TrainConfig`` chooses (2 on an idle 2-core machine, 1 on a busy one).
The step count reached depends on how busy the machine is (noted per row).
"""

import os

from benchmarks import load_average


def run() -> list:
    import torch

    from lessonkit import latent
    from lessonkit.datasets import load_loops
    from lessonkit.models import loops as L
    from lessonkit.training import TrainConfig, choose_threads

    torch.set_num_threads(1)
    rows = []
    test = load_loops("test")[:2000]
    seconds = float(os.environ.get("BENCH_LOOPS_TRAIN_SECONDS", "120"))
    train, valid = load_loops("train"), load_loops("valid")
    threads = choose_threads("auto")  # what a student's train_model(train, valid) uses, chosen before either runs
    for kind in ("vae", "ae"):
        load_before = load_average()
        m, h = L.train_model(train, valid, L.Config(kind=kind), TrainConfig(
            max_seconds=seconds, lr=3e-3, eval_every=100, patience=None, progress=False, live_plot=False,
            threads=threads))
        s = latent.expression(m, test)
        target = {"teacher_forced": ">= 0.85", "greedy": ">= 0.72"} if kind == "vae" else {}
        for k in ("teacher_forced", "greedy", "sampled"):
            rows.append(dict(benchmark=f"loops: {seconds:.0f}-second {kind.upper()} {k.replace('_', '-')} accuracy",
                             value=round(s[k], 4), unit="share of steps", target=target.get(k, ""),
                             note=f"first 2,000 test loops; in-class Config(); {h.n_steps} steps in {h.seconds:.0f} s, "
                                  f"{threads} thread{'s' if threads > 1 else ''}; load "
                                  f"average {load_before:.1f} at the start on 2 shared cores (a busy machine reaches "
                                  "fewer steps)"))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
