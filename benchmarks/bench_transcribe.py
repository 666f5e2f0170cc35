"""Singing to notes: how well ``lessonkit.transcribe`` hears a phrase, beside a naive baseline.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks transcribe``.

The measurement set is made here, deterministically, from shipped data (no new data file):
``N_PHRASES`` phrases, the first two bars of held-out tunes (``load_tunes("test")``, every
``STRIDE``-th tune with at least 4 notes), each sung by one of the voice-like and wind
instruments of the note set in turn (choir, flute, clarinet, trumpet, French horn),
transposed into that instrument's middle range, at a count-in tempo of 90-129 bpm. Every
phrase is played by :func:`lessonkit.transcribe.perform` like a singer: the tempo drifts by
up to +-2 % across the phrase and each onset is shifted by 10 ms (s.d.). Conditions:

* clean: only that drift and jitter;
* vibrato: plus +-50 cents of vibrato at 5.5 Hz;
* noise: plus white noise 20 dB below the phrase's level;
* noise + vibrato: both.

Scores are ``mir_eval.transcription``'s note-level F-measure (onset within 50 ms, pitch within
50 cents, offsets ignored) and its onset-only F-measure, averaged over phrases, for
``track_notes`` (the notes in seconds that ``transcribe`` puts on the grid) and for the naive
baseline (``naive_notes``: each frame's f0 rounded to a semitone, equal neighbours merged, no
segmentation). "grid" rows score what the student finally sees: ``transcribe(audio,
tempo_bpm=count-in tempo, start_s=count-in end)`` against the phrase itself, as the F-measure
of (onset step, pitch) pairs.

Honesty note: the segmentation settings of ``track_notes`` were chosen while looking at the first
20 phrases of this set, so its figures may be a little optimistic. The "valid tunes" rows score
50 phrases made the same way from ``load_tunes("valid")``, never looked at while tuning.
"""

import time

import numpy as np

N_PHRASES = 100
STRIDE = 7
INSTRUMENTS = ("choir", "flute", "clarinet", "trumpet", "french_horn")
LEAD_IN_S = 0.3
CONDITIONS = {
    "clean": dict(drift=0.02, jitter_s=0.01),
    "vibrato": dict(drift=0.02, jitter_s=0.01, vibrato_cents=50.0),
    "noise": dict(drift=0.02, jitter_s=0.01, noise_db=20.0),
    "noise + vibrato": dict(drift=0.02, jitter_s=0.01, vibrato_cents=50.0, noise_db=20.0),
}


def phrases(n: int = N_PHRASES, split: str = "test"):
    """``[(melody, instrument), ...]``: n two-bar phrases of held-out tunes and who sings each."""
    from lessonkit.datasets import load_tunes
    from lessonkit.instruments import instrument_info

    tunes = load_tunes(split)
    out, i = [], 0
    while len(out) < n:
        tune = tunes[(i * STRIDE) % len(tunes)]
        i += 1
        start = tune.pickup_steps
        phrase = tune.window(start, start + 2 * tune.steps_per_bar)
        if len(phrase) < 4:
            continue
        name = INSTRUMENTS[len(out) % len(INSTRUMENTS)]
        info = instrument_info(name)
        middle = (info["low"] + info["high"]) / 2
        lo, hi = phrase.pitch_range
        phrase = phrase.transpose(int(round(middle - (lo + hi) / 2)))
        out.append((phrase.copy(tempo_bpm=float(90 + (len(out) * 7) % 40)), name))
    return out


def _note_f(ref, on, off, pitch_midi):
    import mir_eval

    from lessonkit.analysis import midi_to_hz

    if len(on) == 0:
        return 0.0, 0.0
    est_i, est_p = np.stack([on, off], axis=1), midi_to_hz(pitch_midi)
    ref_i, ref_p = ref[:, :2], midi_to_hz(ref[:, 2])
    est_i[:, 1] = np.maximum(est_i[:, 1], est_i[:, 0] + 1e-3)
    _, _, note_f, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_i, ref_p, est_i, est_p, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None)
    _, _, onset_f = mir_eval.transcription.onset_precision_recall_f1(ref_i, est_i, onset_tolerance=0.05)
    return note_f, onset_f


def _grid_f(phrase, melody) -> float:
    ref = set(zip(phrase.onsets_steps.tolist(), phrase.pitches.tolist()))
    est = set(zip(melody.onsets_steps.tolist(), melody.pitches.tolist()))
    return 2 * len(ref & est) / (len(ref) + len(est))


def measure(n: int = N_PHRASES, split: str = "test", conditions=None) -> dict:
    """Mean scores per condition: ``{condition: {"note": .., "onset": .., "naive note": .., ...}}``."""
    from lessonkit.errors import LessonkitError
    from lessonkit.transcribe import naive_notes, perform, quantize, track_notes

    conditions = CONDITIONS if conditions is None else {c: CONDITIONS[c] for c in conditions}
    scores = {c: {k: [] for k in ("note", "onset", "naive note", "naive onset", "grid")} for c in conditions}
    for k, (phrase, name) in enumerate(phrases(n, split)):
        for c, kw in conditions.items():
            audio, ref = perform(phrase, name, lead_in_s=LEAD_IN_S, seed=k, **kw)
            s = scores[c]
            try:
                track = track_notes(audio)
                note_f, onset_f = _note_f(ref, track.onsets_s, track.offsets_s, track.pitches)
                melody = quantize(track, tempo_bpm=phrase.tempo_bpm, start_s=LEAD_IN_S)
                grid = _grid_f(phrase, melody)
            except LessonkitError:
                note_f = onset_f = grid = 0.0
            s["note"].append(note_f)
            s["onset"].append(onset_f)
            s["grid"].append(grid)
            nf, of = _note_f(ref, *naive_notes(audio))
            s["naive note"].append(nf)
            s["naive onset"].append(of)
    return {c: {k: float(np.mean(v)) for k, v in d.items()} for c, d in scores.items()}


def run() -> list:
    """Rows of ``{"benchmark", "value", "unit", "target", "note"}``."""
    t0 = time.perf_counter()
    result = measure()
    took = time.perf_counter() - t0
    targets = {"clean": ">= 0.90", "noise + vibrato": ">= 0.80"}
    rows = []
    for c, d in result.items():
        rows.append({"benchmark": f"note F, {c}", "value": d["note"], "unit": "F-measure (onset 50 ms, pitch 50 cents)",
                     "target": targets.get(c, ""),
                     "note": f"naive baseline {d['naive note']:.3f}; {N_PHRASES} phrases"})
        rows.append({"benchmark": f"onset F, {c}", "value": d["onset"], "unit": "F-measure (onset 50 ms)", "target": "",
                     "note": f"naive baseline {d['naive onset']:.3f}"})
        rows.append({"benchmark": f"grid F, {c}", "value": d["grid"], "unit": "F-measure of (onset step, pitch)",
                     "target": "", "note": "transcribe() with the count-in tempo, against the phrase itself"})
    valid = measure(50, "valid", ["clean", "noise + vibrato"])
    for c, d in valid.items():
        rows.append({"benchmark": f"note F, {c} (valid tunes)", "value": d["note"],
                     "unit": "F-measure (onset 50 ms, pitch 50 cents)", "target": targets.get(c, ""),
                     "note": f"50 phrases never looked at while tuning; naive baseline {d['naive note']:.3f}"})
    rows.append({"benchmark": "time per phrase and condition", "value": took / (N_PHRASES * len(CONDITIONS)),
                 "unit": "s", "target": "",
                 "note": "perform + track_notes + quantize + naive baseline + scoring; 2 shared cores, busy machine"})
    return rows
