"""Latent Loops (lesson 04): expression, realism, smoothness of the shipped VAE and AE, the
always-HOLD baseline, interpolation latency, training time and model size.

Run with ``python -m benchmarks loops``; the 2-minute models are in ``bench_loops_training.py``
(``python -m benchmarks loops_training``), so this part can be rerun quickly after a retrain.

MusicVAE's own 2-bar melody figures (Roberts et al. 2018, Table 1) are not quoted: we could not
reach the table's text from here, and we do not quote numbers from memory.
"""

import os
import time

import numpy as np

from benchmarks import load_average


def run() -> list:
    import torch

    from lessonkit import audio, latent
    from lessonkit.datasets import load_loops
    from lessonkit.instruments import sample_bank
    from lessonkit.models import loops as L
    from lessonkit.widgets.loops import loop_melody

    torch.set_num_threads(1)
    rows = []
    test = load_loops("test")[:2000]
    load_note = lambda: f"2,000 test loops; 1 torch thread; load average {load_average():.1f} on 2 shared cores"  # noqa: E731
    models = {kind: L.load_pretrained(kind) for kind in ("vae", "ae")}
    hold = latent.hold_baseline(test)
    for kind, m in models.items():
        s = latent.expression(m, test)
        target = {"teacher_forced": ">= 0.92", "greedy": ">= 0.85"} if kind == "vae" else {}
        for k in ("teacher_forced", "greedy", "sampled"):
            rows.append(dict(benchmark=f"loops: shipped {kind.upper()} {k.replace('_', '-')} accuracy",
                             value=round(s[k], 4), unit="share of steps", target=target.get(k, ""),
                             note=f"{load_note()}; trained {m.info.get('steps')} steps in {m.info.get('seconds')} s"))
    rows.append(dict(benchmark="loops: always-HOLD baseline", value=round(hold, 4), unit="share of steps", target="",
                     note="the same 2,000 test loops"))

    real = latent.loop_stats(test[:200])
    for name, r in [("real test loops", real)] + [(f"{k.upper()} prior samples", latent.realism(m, 200))
                                                   for k, m in models.items()]:
        rows.append(dict(benchmark=f"loops: realism, {name}", value=round(r["surprise"], 3), unit="nats/step",
                         target="close to real loops",
                         note=f"surprise under lesson 02's GRU; in key {r['in_key']:.3f}, notes {r['notes']:.1f}, "
                              f"rests {r['rests']:.1f} per loop; 200 loops, greedy decoding"))

    a, b = test[:30], test[1000:1030]
    jumps = {}
    for kind, m in models.items():
        sm = latent.smoothness(m, a, b, steps=9)
        jumps[kind] = [latent.path_changes(m.interpolate(x, y, 9)).max() for x, y in zip(a, b)]
        spaces = ("latent", "data") if kind == "vae" else ("latent",)
        for space in spaces:
            r = sm[space]
            name = f"{kind.upper()} latent" if space == "latent" else "data space"
            rows.append(dict(benchmark=f"loops: smoothness, {name} path largest change", value=round(r["largest_change"], 3),
                             unit="share of steps", target="small",
                             note=f"mean change {r['mean_change']:.3f}; middle loops: surprise {r['middle_surprise']:.3f} "
                                  f"nats/step, in key {r['middle_in_key']:.3f}; 30 pairs of test loops, 9 steps"))
    better = float(np.mean(np.array(jumps["vae"]) < np.array(jumps["ae"])))
    rows.append(dict(benchmark="loops: pairs where the VAE path's largest jump < the AE's", value=round(better, 3),
                     unit="share of 30 pairs", target="", note="ties count as not smaller"))

    vae = models["vae"]
    piano = sample_bank(audio.DEFAULT_INSTRUMENT)
    audio.render(loop_melody(test[0]))  # load the piano's recordings once, as the lesson has by then
    decode_ms, total_ms, warm_ms = [], [], []
    for i in range(30):  # 30 different paths; the piano starts each one having resampled nothing
        piano.forget()
        t0 = time.perf_counter()
        path = vae.interpolate(test[i], test[i + 100], steps=9)
        t1 = time.perf_counter()
        sound = audio.render(loop_melody(np.concatenate(path)))
        t2 = time.perf_counter()
        audio.render(loop_melody(np.concatenate(path)))  # the same path again: its notes are resampled
        t3 = time.perf_counter()
        decode_ms.append(1000 * (t1 - t0))
        total_ms.append(1000 * (t2 - t0))
        warm_ms.append(1000 * (t1 - t0 + t3 - t2))
    where = (f"30 paths between test loops; 1 torch thread, numpy (generation) free to use both cores; "
             f"load average {load_average():.1f} on 2 cores")
    rows.append(dict(benchmark="loops: 9-step interpolation, encode + decode, p95",
                     value=round(float(np.percentile(decode_ms, 95)), 1), unit="ms", target="",
                     note=f"median {np.median(decode_ms):.1f} ms; encode 2 loops, decode 9 (greedy, batched); {where}"))
    rows.append(dict(benchmark="loops: 9-step interpolation, decode + render, p95",
                     value=round(float(np.percentile(total_ms, 95)), 1), unit="ms", target="< 30",
                     note=f"median {np.median(total_ms):.1f} ms; the above plus rendering the 9 loops one after the "
                          f"other ({len(sound) / audio.SR:.0f} s of piano) with no note resampled before; played "
                          f"again: p95 {np.percentile(warm_ms, 95):.1f} ms; {where}"))
    for kind, m in models.items():
        path = os.path.join(L.DATA_DIR, f"loops_{kind}.safetensors")
        n = sum(p.numel() for p in m.net.parameters())
        rows.append(dict(benchmark=f"loops: shipped {kind.upper()} size", value=n, unit="weights",
                         target="", note=f"{os.path.getsize(path) / 1e6:.2f} MB file; trained {m.info.get('steps')} "
                                         f"steps in {m.info.get('seconds')} s wall, nice 5-10 on a "
                                         "busy shared machine"))
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
