"""AI Duet: how well the three kinds of responder predict held-out folk tunes, and how fast they answer.

Rows: test-split NLL (nats per step) and next-token accuracy of the bigram model, the best
Kneser-Ney n-gram (order chosen on the valid split), the shipped GRU and a GRU trained for 60 s
here; the GRU/n-gram NLL ratios (target <= 0.80); training time; ``respond()`` p95 latency
for 2 bars (target < 50 ms); model size.

Environment: ``LESSONKIT_BENCH_THREADS`` sets torch's threads (default ``auto``: 2, or 1 when the machine
is busy, as in :func:`lessonkit.training.choose_threads`).
"""

from __future__ import annotations

import os
import time

import numpy as np


def run() -> list:
    import torch

    from lessonkit.datasets import load_tunes
    from lessonkit.models import markov, melody_rnn
    from lessonkit.models.duet import load_pretrained
    from lessonkit.training import TrainConfig, choose_threads

    threads = os.environ.get("LESSONKIT_BENCH_THREADS", "auto")
    threads = choose_threads(threads if threads == "auto" else int(threads))
    torch.set_num_threads(threads)
    train, valid, test = (load_tunes(s) for s in ("train", "valid", "test"))
    acc_tunes = test[::4]  # accuracy needs all 130 probabilities at every step: a quarter of the test tunes
    rows = []

    def row(name, value, unit, target="", note=""):
        rows.append({"benchmark": name, "value": value, "unit": unit, "target": target, "note": note})

    t0 = time.perf_counter()
    bigram = markov.MarkovModel(2).fit(train)
    best, scores = markov.fit_best_order(train, valid)
    markov_s = time.perf_counter() - t0
    for name, model in (("bigram", bigram), (f"Kneser-Ney order {best.order} (best on valid)", best)):
        row(f"{name}: test NLL", model.nll(test), "nats/step", "", f"{len(test)} test tunes")
        row(f"{name}: test accuracy", model.accuracy(acc_tunes), "fraction", "", f"{len(acc_tunes)} test tunes")
    row("n-gram: valid NLL by order", "; ".join(f"{k}: {v:.3f}" for k, v in scores.items()), "nats/step", "",
        f"all orders counted and scored in {markov_s:.0f} s")
    best_nll = best.nll(test)

    shipped = load_pretrained("neural")
    shipped_nll = shipped.nll(test)
    row("GRU shipped: test NLL", shipped_nll, "nats/step", "", str(shipped.info.get("command", "")))
    row("GRU shipped: test accuracy", shipped.accuracy(acc_tunes), "fraction")
    row("GRU shipped / best n-gram NLL", shipped_nll / best_nll, "ratio", "<= 0.80")
    row("GRU shipped: training time", shipped.info.get("seconds", float("nan")), "s", "",
        f"{shipped.info.get('steps')} steps, seed {shipped.info.get('seed')}, recorded in the weights file")

    mine, history = melody_rnn.train_model(train, valid, train_config=TrainConfig(
        max_seconds=60, seed=0, lr=melody_rnn.Config().lr, threads=threads, progress=False, live_plot=False))
    torch.set_num_threads(threads)
    mine_nll = mine.nll(test)
    row("GRU 60 s: test NLL", mine_nll, "nats/step", "", f"{history.n_steps} steps, {threads} torch thread(s), seed 0")
    row("GRU 60 s: test accuracy", mine.accuracy(acc_tunes), "fraction")
    row("GRU 60 s / best n-gram NLL", mine_nll / best_nll, "ratio", "<= 0.80")
    row("GRU 60 s: training time", history.seconds, "s", "60 (limit)",
        f"stopped by {history.stopped_because}; includes the final valid evaluation")

    call = load_tunes("valid")[0]
    call = call.window(0, min(call.length_steps, 2 * call.steps_per_bar + call.pickup_steps))
    for name, model in (("GRU", shipped), (f"Kneser-Ney order {best.order}", best)):
        model.respond(call, bars=2, seed=0)  # warm up
        times = []
        for seed in range(50):
            t = time.perf_counter()
            model.respond(call, bars=2, seed=seed)
            times.append(time.perf_counter() - t)
        row(f"{name}: respond() p95 latency, 2 bars", 1000 * float(np.percentile(times, 95)), "ms", "< 50",
            f"median {1000 * float(np.median(times)):.1f} ms over 50 calls")

    path = melody_rnn.DEFAULT_WEIGHTS
    row("GRU: weights", shipped.n_parameters, "parameters", "", f"{os.path.getsize(path) / 1e6:.2f} MB on disk")
    n_grams = sum(len(t["keys"]) for t in best.tables)
    row(f"Kneser-Ney order {best.order}: size", n_grams, "n-grams", "", "counted on load, not shipped")
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
