"""The neural synthesizer (lesson 03) against its baselines, on notes none of them trained on.

Run with ``python -m benchmarks synth`` (about 15 minutes on 2 busy cores: it trains the
in-class model and the two spectrogram autoencoders for 3 minutes each).

Definitions, used for every row:

* **held-out notes**: the ``"test"`` split of the instrument notes (160 notes, 5-6 pitches per
  instrument that no model trained on, both velocities).
* **spectral distance**: :func:`lessonkit.models.ddsp.spectral_distance`: FFT sizes 2048, 1024,
  512, 256, 128, 64 (hop 1/4, Hann), per size ``mean|S_a - S_b| + mean|ln(S_a + 1e-4) - ln(S_b + 1e-4)|``
  with magnitudes scaled so a full-scale sine gives 1, averaged over the sizes; the table gives
  its mean over the held-out notes.
* **equal code size**: every model keeps 16 learned numbers per note. The neural synthesizer and
  the conditioned spectrogram AE are also given the pitch and the loudness curve (94 numbers).
* **f0 the synthesizer is given**: its default, as ``NeuralSynth.encode(note, label)`` does: the
  label fine-tuned to the recording (:func:`lessonkit.models.synth.tuned_pitch`: YIN's pitch when
  it is within 50 cents of the label). Two more rows give it exactly the label, and YIN alone
  (no label). **f0 error**: the median |cents| between a rebuilt note and its original, both
  measured by YIN from 0.1 to 0.9 s.
* **reference points**: Griffin-Lim (60 iterations) from the *true* magnitudes (the floor of any
  spectrogram model), and the real note one semitone up (same instrument and velocity; down where
  there is none).
* **morph monotonicity**: for every pair of the 14 instruments and pitches 48, 60 and 72 (where
  both have a recording at that pitch, velocity 112), the sustain centroid
  (:func:`lessonkit.models.synth.sustain_centroid`: mean spectral centroid from 0.1 to 0.9 s) of
  ``morph(a, b, alpha)`` at alpha = 0, 0.25, 0.5, 0.75, 1 must move strictly one way.

Decode speed has its own section (``bench_synth_speed.py``), so it can be measured again on a
quiet machine in seconds.
"""

import os
import time

import numpy as np
import torch

from benchmarks import load_average

N_BASELINE_SECONDS = 180.0


def _distances(out, ref):
    from lessonkit.models import ddsp

    with torch.no_grad():
        return ddsp.spectral_distance(torch.as_tensor(out), torch.as_tensor(ref), reduce=False).numpy()


def _reconstruct_all(syn, audio, pitches, *, f0="tuned"):
    """Every note rebuilt, its pitch given as: "tuned" (the label, fine-tuned to the recording by
    ``encode``: the default), "label" (played at exactly the label) or "yin" (no label)."""
    assert f0 in ("tuned", "label", "yin"), f0
    if f0 == "label":
        return np.stack([syn.decode(syn.encode(a, int(p)), int(p)) for a, p in zip(audio, pitches)])
    return np.stack([syn.reconstruct(a, None if f0 == "yin" else int(p)) for a, p in zip(audio, pitches)])


def _f0_error(outputs, originals):
    """Median |cents| between each rebuilt note's pitch and its original's (YIN, 0.1-0.9 s)."""
    from lessonkit.analysis import estimate_pitch

    def f0(a):
        return estimate_pitch(a, start_s=0.1, stop_s=0.9)

    cents = [1200 * np.log2(f0(out) / f0(ref)) for out, ref in zip(outputs, originals)]
    return float(np.nanmedian(np.abs(cents)))


def _neighbours(test, everything):
    rows, refs = [], []
    for i, m in enumerate(test.meta):
        for step in (1, -1):
            other = everything.select(instrument=m["instrument"], velocity=m["velocity"], pitch=m["pitch"] + step)
            if len(other):
                rows.append(i)
                refs.append(other.audio[0])
                break
    return np.array(rows), np.stack(refs)


def morph_rows(syn):
    from lessonkit.instruments import instrument_names, load_instrument_notes
    from lessonkit.models import synth

    notes = load_instrument_notes().select(velocity=112)
    names = instrument_names()
    alphas = np.linspace(0, 1, 5)
    morph_ok = fade_ok = cases = 0
    for pitch in (48, 60, 72):
        have = {n: notes.select(instrument=n, pitch=pitch) for n in names}
        codes = {n: syn.encode(h.audio[0], pitch) for n, h in have.items() if len(h)}
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if a not in codes or b not in codes:
                    continue
                m = [synth.sustain_centroid(syn.decode(syn.mix([codes[a], codes[b]], [1 - t, t], pitch=pitch))) for t in alphas]
                f = [synth.sustain_centroid(synth.crossfade(have[a].audio[0], have[b].audio[0], t)) for t in alphas]
                dm, df = np.diff(m), np.diff(f)
                morph_ok += bool(np.all(dm > 0) or np.all(dm < 0))
                fade_ok += bool(np.all(df > 0) or np.all(df < 0))
                cases += 1
    return [
        {"benchmark": "morph: sustain centroid strictly monotone along alpha", "value": morph_ok / cases,
         "unit": "fraction of cases", "target": ">= 0.9",
         "note": f"{morph_ok} of {cases} (instrument pair, pitch) cases, pitches 48/60/72, code 16"},
        {"benchmark": "crossfade: sustain centroid strictly monotone along alpha", "value": fade_ok / cases,
         "unit": "fraction of cases", "target": "(reference)", "note": f"{fade_ok} of {cases} cases"},
    ]


def instrument_rows(distances, instruments):
    """Which instruments the shipped model rebuilds worst and best (where to improve it)."""
    names = sorted(set(instruments.tolist()))
    mean = {n: float(distances[instruments == n].mean()) for n in names}
    order = sorted(names, key=mean.get, reverse=True)
    text = lambda ns: ", ".join(f"{n} {mean[n]:.3f}" for n in ns)  # noqa: E731
    return [{"benchmark": "spectral distance by instrument: the worst", "value": mean[order[0]], "unit": "distance",
             "target": "", "note": f"worst {text(order[:4])}; best {text(order[-3:])}"}]


def run() -> list:
    from lessonkit.datasets import load_instrument_notes
    from lessonkit.models import synth, synth_train, synth_baselines as sb
    from lessonkit.training import TrainConfig

    torch.set_num_threads(1)
    rows = []
    load_start = load_average()
    train_notes = load_instrument_notes("train")
    valid = synth_train.valid_subset(load_instrument_notes("valid"))
    test = load_instrument_notes("test")
    x = torch.from_numpy(np.ascontiguousarray(test.audio))
    pitches = test.pitches

    shipped = synth.load_pretrained(16)
    out = _reconstruct_all(shipped, test.audio, pitches)
    d_each = _distances(out, test.audio)
    d_model = float(d_each.mean())
    out_yin = _reconstruct_all(shipped, test.audio, pitches, f0="yin")
    d_model_yin = float(_distances(out_yin, test.audio).mean())
    out_label = _reconstruct_all(shipped, test.audio, pitches, f0="label")
    d_model_label = float(_distances(out_label, test.audio).mean())

    # in-class model: the same recipe for 3 minutes
    start = time.process_time()
    inclass, history = synth_train.train_model(synth.Config(), TrainConfig(max_seconds=180, lr=3e-3, eval_every=50,
                                                                     patience=None, seed=0, threads=1, progress=False))
    inclass_cpu = time.process_time() - start
    d_inclass = float(_distances(_reconstruct_all(inclass, test.audio, pitches), test.audio).mean())

    # baselines at the same code size
    pca = sb.PCABaseline(16).fit(torch.from_numpy(np.ascontiguousarray(train_notes.audio)))
    with torch.no_grad():
        d_pca = float(_distances(pca.decode(pca.encode(x)), x).mean())
    d_spec = {}
    for conditioned in (False, True):
        config = sb.SpecConfig(code_size=16, conditioned=conditioned)
        model, h = sb.train_spectrogram_ae(config, train_notes, valid, TrainConfig(
            max_seconds=N_BASELINE_SECONDS, lr=3e-3, eval_every=50, patience=None, seed=0, threads=1, progress=False))
        d_spec[conditioned] = (float(_distances(model.reconstruct(x, torch.tensor(pitches, dtype=torch.float32)),
                                                x).mean()), h.n_steps)
    with torch.no_grad():
        d_gl = float(_distances(sb.griffin_lim(sb._mag(x)), x).mean())
    idx, refs = _neighbours(test, load_instrument_notes())
    d_neigh = float(_distances(refs, test.audio[idx]).mean())
    best = min(d_pca, d_spec[False][0], d_spec[True][0])

    n = f"{len(test)} held-out notes"
    meta = shipped.meta
    rows += [
        {"benchmark": "spectral distance: neural synth (shipped, code 16), labelled f0 tuned to the note",
         "value": d_model, "unit": "distance", "target": f"<= 0.6 x best baseline = {0.6 * best:.4f}",
         "note": f"{n}; ratio to best baseline {d_model / best:.3f}; encode's default: the label fine-tuned "
                 "by YIN within 50 cents"},
        {"benchmark": "spectral distance: neural synth (shipped), exactly the labelled f0", "value": d_model_label,
         "unit": "distance", "target": "", "note": f"ratio {d_model_label / best:.3f}; some recordings are up to "
                                                   "31 cents off their label"},
        {"benchmark": "spectral distance: neural synth (shipped), f0 from YIN", "value": d_model_yin,
         "unit": "distance", "target": "", "note": f"ratio {d_model_yin / best:.3f}; pitch measured from the "
                                                   "input note, no label"},
        {"benchmark": "spectral distance: neural synth (in-class, 3 min)", "value": d_inclass, "unit": "distance",
         "target": f"< best baseline {best:.3f}",
         "note": f"{history.n_steps} steps in {history.seconds:.0f} s wall, {inclass_cpu:.0f} s CPU, 1 thread"},
        {"benchmark": "spectral distance: PCA on log spectrograms + Griffin-Lim", "value": d_pca, "unit": "distance",
         "target": "(baseline)", "note": "16 components"},
        {"benchmark": "spectral distance: spectrogram AE + Griffin-Lim", "value": d_spec[False][0],
         "unit": "distance", "target": "(baseline)", "note": f"code 16; {d_spec[False][1]} steps in 180 s"},
        {"benchmark": "spectral distance: spectrogram AE given pitch + loudness, + Griffin-Lim",
         "value": d_spec[True][0], "unit": "distance", "target": "(baseline)",
         "note": f"code 16; {d_spec[True][1]} steps in 180 s"},
        {"benchmark": "spectral distance: Griffin-Lim from the true magnitudes", "value": d_gl, "unit": "distance",
         "target": "(floor of spectrogram models)", "note": "60 iterations"},
        {"benchmark": "spectral distance: the real note one semitone away", "value": d_neigh, "unit": "distance",
         "target": "(reference)", "note": f"{len(idx)} notes with a neighbour"},
    ]
    for k in (8, 4, 2):
        small = synth.load_pretrained(k)
        d = float(_distances(_reconstruct_all(small, test.audio, pitches), test.audio).mean())
        rows.append({"benchmark": f"spectral distance: neural synth, code {k}", "value": d, "unit": "distance",
                     "target": "", "note": f"{small.meta.get('steps')} training steps (bottleneck slider)"})
    rows += [
        {"benchmark": "f0 error of reconstructions, labelled f0 tuned to the note", "value": _f0_error(out, test.audio),
         "unit": "cents (median |error|)", "target": "< 20",
         "note": "YIN on 0.1-0.9 s of each rebuilt note against the same on the original"},
        {"benchmark": "f0 error of reconstructions, exactly the labelled f0", "value": _f0_error(out_label, test.audio),
         "unit": "cents (median |error|)", "target": "< 20", "note": "the label, not the recording's own pitch"},
        {"benchmark": "f0 error of reconstructions, f0 from YIN", "value": _f0_error(out_yin, test.audio),
         "unit": "cents (median |error|)", "target": "< 20", "note": "the input's pitch measured, not given"},
        {"benchmark": "compression ratio (everything the decoder gets)", "value": 24000 / (16 + 94 + 1),
         "unit": "samples per number", "target": "", "note": "16 timbre + 94 loudness + 1 pitch"},
        {"benchmark": "compression ratio (learned code only)", "value": 24000 / 16, "unit": "samples per number",
         "target": "", "note": "what the bottleneck alone keeps"},
    ]
    rows += instrument_rows(d_each, test.instruments)
    rows += morph_rows(shipped)
    params = sum(p.numel() for p in shipped.model.parameters())
    rows += [
        {"benchmark": "model size (code 16)", "value": params, "unit": "parameters",
         "target": "", "note": f"{os.path.getsize(synth.weights_path(16)) / 1e6:.2f} MB safetensors"},
        {"benchmark": "training time of the shipped model", "value": meta.get("seconds"), "unit": "s wall",
         "target": "<= 900", "note": f"{meta.get('steps')} steps, {meta.get('cpu_seconds')} s CPU on "
                                     f"{meta.get('threads')} threads of a 2-core VM"},
    ]
    rows.append({"benchmark": "machine load during this benchmark", "value": (load_start + load_average()) / 2,
                 "unit": "load average", "target": "", "note": "2 cores shared with other jobs"})
    return rows
