"""How fast the neural synthesizer (lesson 03) plays: decode speed, one note at a time.

Run with ``python -m benchmarks synth_speed`` (a few seconds; run it on a quiet machine).

* **decode speed**: ``NeuralSynth.decode`` of one note (1.5 s), one thread, median of 20, as
  seconds of audio per second of computing ("x real time"), at C4 and at C2 (the harmonic
  synthesizer's cost grows with the number of harmonics below 8 kHz: 30 at C4, all 60 at C2;
  since its sine bank splits each sine into a start angle and a course within the segment,
  ``lessonkit.models.ddsp.harmonic_synth``, the difference is small).

For scale: a published tiny DDSP variant (under 2,500 parameters) reports over 800x real time
on a CPU. Ours (a decoder of about 52,000 parameters; the encoder has 128,000 more) decodes at
about 380x. Its 4 ms per note split about evenly, 1 ms each, between the frame network, the
harmonic bank, the noise filter's FFTs and the overhead of one call; batching notes or a smaller
frame network would be the next steps.
"""

import time

import numpy as np
import torch

from benchmarks import load_average


def speed_rows(syn):
    from lessonkit.models import synth

    torch.set_num_threads(1)
    code = syn.encode(synth.get_note("flute", 60), 60)
    rows = []
    # C4 has 30 harmonics below 8 kHz; C2 has all 60 the synthesizer makes (the slowest case)
    for pitch, name in ((60, "C4"), (36, "C2")):
        syn.decode(code, pitch)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            syn.decode(code, pitch)
            times.append(time.perf_counter() - start)
        t = float(np.median(times))
        rows.append({"benchmark": f"decode speed, one note at a time, 1 thread, {name}", "value": 1.5 / t,
                     "unit": "x real time", "target": ">= 100",
                     "note": f"median {t * 1000:.1f} ms per 1.5 s note (flute code); load average {load_average():.1f} "
                             "on 2 cores"})
    return rows


def run() -> list:
    from lessonkit.models import synth

    return speed_rows(synth.load_pretrained(16))


if __name__ == "__main__":  # pragma: no cover
    for row in run():
        print(row)
