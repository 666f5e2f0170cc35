"""Originality (lesson 05): how fast the meter answers, and how much each model copies from its training tunes.

Rows: time to build the train-split index; look-up latency (median and p95) for 16-bar melodies
(target < 100 ms); the median longest copied run (in intervals, ``n = 5``, over 100 samples) of
the Markov model, the neural model at temperature 0.5 / 1.0 / 1.5, the two steered networks, the
loops VAE's prior samples (when the loops model is installed), next to held-out real tunes of the
same length.

Samples: the duet models answer the first 2 bars of 100 test tunes in 4/4 (seed = sample number)
with 4 bars; the real baseline is the 4 bars that follow those same 2 bars in each tune. The VAE's
samples are 2-bar loops, so its baseline is 100 test-split loops.
"""

from __future__ import annotations

import time

import numpy as np

N_SAMPLES = 100


def _median_run(melodies) -> tuple[float, float, float]:
    from lessonkit import originality

    runs = [originality(m).longest_run_intervals for m in melodies]
    found = [originality(m).fraction_found for m in melodies]
    return float(np.median(runs)), float(np.mean(np.array(runs) >= 8)), float(np.mean(found))


def run() -> list:
    import torch

    from lessonkit import Melody, originality
    from lessonkit.datasets import load_loops, load_tunes
    from lessonkit.models.duet import load_pretrained
    from lessonkit.originality import _INDEXES, corpus_index
    from lessonkit.values import answers, load_steered, opening_calls

    torch.set_num_threads(1)
    rows = []

    def row(name, value, unit, target="", note=""):
        rows.append({"benchmark": name, "value": value, "unit": unit, "target": target, "note": note})

    import os

    row("machine load while measuring", round(os.getloadavg()[0], 1), "load average (1 min)", "",
        "2 shared cores: above 2 means other jobs were running, so times are upper bounds")
    load_tunes("train")  # the corpus file, read once (not part of the index)
    _INDEXES.clear()
    t0 = time.perf_counter()
    index = corpus_index("train")
    row("index the train tunes (5-grams of intervals)", time.perf_counter() - t0, "s", "", repr(index))

    test = load_tunes("test")
    long = [t.window(t.pickup_steps, t.pickup_steps + 16 * t.steps_per_bar) for t in test
            if t.length_steps >= t.pickup_steps + 16 * t.steps_per_bar][:300]
    times = []
    for m in long:
        t0 = time.perf_counter()
        originality(m)
        times.append(time.perf_counter() - t0)
    notes = int(np.median([len(m) for m in long]))
    row("look-up, 16-bar melody: median", 1000 * float(np.median(times)), "ms", "< 100",
        f"{len(long)} test tunes cut to 16 bars (median {notes} notes)")
    row("look-up, 16-bar melody: p95", 1000 * float(np.percentile(times, 95)), "ms", "< 100", "")

    calls, real = [], []
    for tune in test:
        if tune.meter != "4/4":
            continue
        start = tune.pickup_steps % 16
        if tune.length_steps < start + 6 * 16:
            continue
        call = tune.window(start, start + 32)
        rest = tune.window(start + 32, start + 96)
        if len(call) >= 3 and len(rest) >= 6:
            calls.append(call)
            real.append(rest)
        if len(calls) == N_SAMPLES:
            break
    med, long_share, found = _median_run(real)
    note = "median run; share of samples with a run >= 8 intervals; mean share of 5-grams found"
    row("held-out real tunes (4 bars after the call)", med, "intervals", "",
        f"{long_share:.0%} have a run >= 8; {found:.0%} of 5-grams found; {note}")

    def model_row(name, responder, temperature):
        t0 = time.perf_counter()
        out = answers(responder, calls, bars=4, temperature=temperature, seed=0)
        seconds = time.perf_counter() - t0
        med, long_share, found = _median_run(out)
        row(f"{name}, T={temperature:g}", med, "intervals", "",
            f"{long_share:.0%} have a run >= 8; {found:.0%} of 5-grams found; {len(out)} answers in {seconds:.0f} s")

    model_row("Markov (best order)", load_pretrained("markov"), 1.0)
    neural = load_pretrained("neural")
    for temperature in (0.5, 1.0, 1.5):
        model_row("neural GRU", neural, temperature)
    for collection in ("oneill", "german"):
        try:
            model_row(f"neural GRU steered by {collection}", load_steered(collection), 1.0)
        except Exception as err:  # noqa: BLE001 - a missing file is reported, not fatal
            row(f"neural GRU steered by {collection}", "", "intervals", "", f"not available: {err}")

    try:
        from lessonkit.models import loops as loops_models

        vae = loops_models.load_pretrained("vae")
    except Exception as err:  # noqa: BLE001
        row("loops VAE prior samples", "", "intervals", "", f"not available ({type(err).__name__}: {str(err)[:80]})")
    else:
        samples = np.asarray(vae.sample(N_SAMPLES, temperature=1.0, seed=0))
        melodies = [Melody.from_tokens(s) for s in samples if (np.asarray(s) < 128).sum() >= 2]
        med, long_share, found = _median_run(melodies)
        row("loops VAE prior samples, T=1", med, "intervals", "",
            f"{long_share:.0%} have a run >= 8; {found:.0%} of 5-grams found; {len(melodies)} 2-bar samples")
        loops = load_loops("test")[:N_SAMPLES]
        med, long_share, found = _median_run([Melody.from_tokens(t) for t in loops])
        row("held-out real 2-bar loops", med, "intervals", "",
            f"{long_share:.0%} have a run >= 8; {found:.0%} of 5-grams found; {len(loops)} test loops")
    row("machine load at the end", round(os.getloadavg()[0], 1), "load average (1 min)", "", "")
    return rows
