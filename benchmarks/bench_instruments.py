"""Instrument notes: tuning of the set and of sampled playback, render speed, load time, size.

Run with ``make bench`` (all benchmarks) or ``python -m benchmarks instruments``.

* f0 error: YIN (``lessonkit.analysis.estimate_pitch``, 0.1-0.9 s of each note) against the
  labelled pitch, in cents. "set" rows measure the shipped notes as FluidR3 renders them;
  "playback" rows measure ``SampleBank.note`` (what ``render`` plays), which resamples each
  recording by its measured detuning. Octave errors are folded for every instrument and
  counted separately: the church organ's upper notes have a strong sub-octave that YIN
  reports as the pitch.
* Render speed: a 16-bar melody (120 bpm, 32 s, 64 notes), in a fresh process limited to one
  thread, after one warm-up render (the first render also loads the instrument: reported).
* Load time: ``load_instrument_notes()`` in a fresh process (after ``import lessonkit``),
  including the sha256 check against the manifest and decoding the FLAC.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, check=True, env=ENV).stdout.strip()


def tuning_rows() -> list:
    from lessonkit.analysis import cents_off, estimate_pitch
    from lessonkit.instruments import instrument_names, load_instrument_notes, sample_bank

    notes = load_instrument_notes()
    rows, set_all, play_all = [], [], []
    for name in instrument_names():
        part = notes.select(instrument=name)
        f0 = np.array([estimate_pitch(a, start_s=0.1, stop_s=0.9) for a in part.audio])
        raw = cents_off(f0, part.pitches)
        folded = cents_off(f0, part.pitches, fold_octaves=True)
        octave_errors = int(np.sum(np.abs(raw - folded) > 600))
        bank = sample_bank(name)
        played = []
        for pitch in bank.pitches:
            g = estimate_pitch(bank.note(int(pitch), 1.0, 100), start_s=0.1, stop_s=0.9)
            played.append(float(cents_off(g, pitch, fold_octaves=True)))
        played = np.array(played)
        set_all.append(folded)
        play_all.append(played)
        note = f"signed median {np.nanmedian(folded):+.1f}, worst {np.nanmax(np.abs(folded)):.0f} cents"
        if octave_errors:
            note += f"; {octave_errors} of {len(f0)} notes heard an octave off by YIN (folded)"
        rows.append({"benchmark": f"f0 error, set: {name}", "value": float(np.nanmedian(np.abs(folded))),
                     "unit": "cents (median |error|)", "target": "< 25", "note": note})
        rows.append({"benchmark": f"f0 error, playback: {name}", "value": float(np.nanmedian(np.abs(played))),
                     "unit": "cents (median |error|)", "target": "< 25",
                     "note": f"worst {np.nanmax(np.abs(played)):.0f} cents over {len(played)} pitches, velocity 100"})
    set_all, play_all = np.concatenate(set_all), np.concatenate(play_all)
    rows.append({"benchmark": "f0 error, set: all instruments", "value": float(np.nanmedian(np.abs(set_all))),
                 "unit": "cents (median |error|)", "target": "< 10", "note": f"{len(set_all)} notes, YIN"})
    rows.append({"benchmark": "f0 error, playback: all instruments", "value": float(np.nanmedian(np.abs(play_all))),
                 "unit": "cents (median |error|)", "target": "< 10",
                 "note": f"{len(play_all)} notes; render corrects each recording by the builder's YIN "
                         "measurement, so this checks the correction, not YIN itself"})
    # loudness before and after normalisation
    from lessonkit.instruments import instrument_info

    gains = {n: instrument_info(n)["gain_db"] for n in instrument_names()}
    after = np.array([m["rms_db"] for m in notes.meta])
    before = after - np.array([gains[m["instrument"]] for m in notes.meta])
    medians = [np.median([m["rms_db"] for m in notes.select(instrument=n, velocity=112).meta]) for n in gains]
    rows.append({"benchmark": "loudness spread between instruments, after normalising", "value":
                 float(max(medians) - min(medians)), "unit": "dB", "target": "< 3",
                 "note": "max - min of each instrument's median RMS at velocity 112"})
    rows.append({"benchmark": "loudness range of all notes (raw -> shipped)", "value":
                 float(10 ** ((after.max() - after.min()) / 20)), "unit": "x RMS",
                 "target": "", "note": f"raw FluidR3 renders: {10 ** ((before.max() - before.min()) / 20):.0f}x; "
                                       "velocity and register still change loudness inside an instrument"})
    return rows


def speed_rows() -> list:
    out = _python("""
        import time
        from lessonkit import Melody, audio
        phrase = "C4 E4/2 G4/2 A4 G4 | F4/2 E4/2 D4/2 C4/2 D4*2 | E4 G4 C5/2 B4/2 A4 | G4*3 r | "
        m = Melody.parse(phrase * 4)          # 16 bars, 64 notes, 32 s at 120 bpm
        res = []
        for name in (audio.DEFAULT_INSTRUMENT, "flute", "organ", "synth"):
            t0 = time.perf_counter(); audio.render(m, name); first = time.perf_counter() - t0
            n = 5; t0 = time.perf_counter()
            for _ in range(n):
                a = audio.render(m, name)
            dt = (time.perf_counter() - t0) / n
            res.append(f"{name},{m.duration_s / dt:.0f},{dt * 1000:.1f},{first * 1000:.0f}")
        print(";".join(res))
    """)
    rows = []
    for item in out.split(";"):
        name, speed, ms, first = item.split(",")
        rows.append({"benchmark": f"render 16 bars (120 bpm, 64 notes) on '{name}'", "value": float(speed),
                     "unit": "x real time", "target": "> 100",
                     "note": f"{ms} ms per render on one thread; first render (loads the bank) {first} ms"})
    return rows


def load_rows() -> list:
    out = _python("""
        import time
        import lessonkit
        t0 = time.perf_counter()
        from lessonkit.instruments import load_instrument_notes
        notes = load_instrument_notes()
        t1 = time.perf_counter()
        test = load_instrument_notes("test")
        t2 = time.perf_counter()
        print(t1 - t0, t2 - t1, len(notes))
    """)
    first, again, n = out.split()
    data = ROOT / "data"
    files = {ext: (data / f"instruments.{ext}").stat().st_size for ext in ("flac", "csv", "json")}
    raw = int(n) * 24000 * 2
    return [
        {"benchmark": "load the instrument set (first time in a process)", "value": float(first), "unit": "s",
         "target": "< 2", "note": f"{n} notes; sha256 check + FLAC decode; a second load (split) took "
                                  f"{float(again) * 1000:.0f} ms"},
        {"benchmark": "instrument set on disk", "value": sum(files.values()) / 1e6, "unit": "MB", "target": "<= 40",
         "note": f"FLAC {files['flac'] / 1e6:.1f} MB ({raw / files['flac']:.1f}x smaller than int16), "
                 f"CSV {files['csv'] / 1e3:.0f} kB, JSON {files['json'] / 1e3:.0f} kB"},
    ]


def run() -> list:
    return load_rows() + speed_rows() + tuning_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
