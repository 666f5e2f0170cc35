"""Plots draw what they claim: notes as rectangles, call and response in two colours."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from lessonkit import Melody, audio, plots  # noqa: E402


def _notes(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "note"]


def test_piano_roll_draws_one_rectangle_per_note_in_two_colours():
    call, response = Melody.parse("C4 E4 G4"), Melody.parse("G4 F4")
    ax = plots.piano_roll(call, response)
    rects = _notes(ax)
    assert len(rects) == 5
    colours = [to_hex(r.get_facecolor()[:3]) for r in rects]
    assert colours.count(plots.CALL_COLOUR) == 3 and colours.count(plots.RESPONSE_COLOUR) == 2
    assert rects[3].get_x() == call.length_steps  # the response starts after the call
    assert "C4" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close("all")


def test_waveform_and_spectrogram_accept_an_axes():
    a = audio.render(Melody.parse("A4 C5"), "synth")
    fig, axes = plt.subplots(2)
    assert plots.waveform(a, ax=axes[0]) is axes[0]
    assert plots.spectrogram(a, ax=axes[1]) is axes[1]
    image = axes[1].images[0].get_array()
    assert image.shape[0] > 10 and np.isfinite(image).all()
    plt.close("all")


def test_bar_lines_follow_the_upbeat_and_the_meter():
    jig = Melody.from_arrays([62, 67, 71], [0, 2, 8], [2, 6, 4], meter="6/8", pickup_steps=2)
    ax = plots.piano_roll(jig)
    bars = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linewidth() > 1)
    beats = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linewidth() < 1)
    assert bars == [2]  # one bar line, after the 2-step upbeat (the melody is 12 steps long)
    assert beats == [2, 8]  # 6/8 has two dotted-quarter beats per bar
    plt.close("all")


def test_probability_heatmap_can_share_pitch_rows():
    probs = np.zeros((8, 130))
    probs[:, 60] = 1.0
    ax = plots.probability_heatmap(probs, pitch_limits=(55, 70))
    assert ax.images[0].get_array().shape == (70 - 55 + 1 + 2, 8)  # pitch rows, then HOLD and REST
    plt.close("all")


def test_piano_roll_names_every_pitch_row_that_holds_a_note_without_overlap():
    import matplotlib.pyplot as plt

    from lessonkit import Melody, plots

    melody = Melody.parse("C4 D#4 G3 G#3 | A#3 C4*2 F4")  # G3 and G#3 a semitone apart, D#4 and F4 off the C D E G A rows
    ax = plots.piano_roll(melody)
    left = [t.get_text() for t in ax.get_yticklabels()]
    right = [t.get_text() for a in ax.child_axes for t in a.get_yticklabels()]
    for name in ("C4", "D#4", "G3", "G#3", "A#3", "F4"):
        assert name in left + right, name
    positions = sorted(t for t in ax.get_yticks())
    assert all(b - a >= 2 for a, b in zip(positions, positions[1:]))  # no two labels on neighbouring rows
    plt.close(ax.figure)


def test_spectrogram_frequency_ticks_are_round_values():
    import matplotlib.pyplot as plt
    import numpy as np

    from lessonkit import plots

    sound = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32) * 0.5
    for kind, max_hz in (("linear", 4000), ("linear", None), ("mel", None)):
        ax = plots.spectrogram(sound, kind=kind, max_hz=max_hz)
        values = [float(t.get_text()) for t in ax.get_yticklabels()]
        assert len(values) >= 3, (kind, values)
        assert all(v % 100 == 0 for v in values), (kind, values)
        plt.close(ax.figure)
