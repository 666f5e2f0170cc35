"""Lesson 03's widgets: the morph slider and the four-corner pad follow their controls."""

import numpy as np
import pytest

from lessonkit import audio
from lessonkit.errors import LessonkitError
from lessonkit.models import synth
from lessonkit.music import Melody
from lessonkit.widgets.synth import morph_widget, synth_pad


def _control(box, description):
    stack = [box]
    while stack:
        w = stack.pop()
        if getattr(w, "description", None) == description:
            return w
        stack.extend(getattr(w, "children", ()))
    raise AssertionError(f"no control {description!r}")


def test_moving_alpha_changes_the_sound_and_its_brightness():
    box = morph_widget("flute", "trumpet", pitch=60, alpha=0.0)
    start_audio, start_c = box.audio.copy(), box.centroid_hz
    _control(box, "alpha (0 = A, 1 = B)").value = 1.0
    assert not np.allclose(box.audio, start_audio)
    assert box.centroid_hz != start_c
    assert isinstance(box.instrument, synth.MixedInstrument)


def test_crossfade_mode_adds_the_recordings_and_keeps_no_instrument():
    box = morph_widget("flute", "guitar", pitch=60, alpha=0.5)
    _control(box, "mix").value = "audio crossfade"
    expected = synth.crossfade(synth.get_note("flute", 60), synth.get_note("guitar", 60), 0.5)
    np.testing.assert_allclose(box.audio, expected, atol=1e-6)
    assert box.instrument is None


def test_pressing_a_pad_corner_plays_that_corner_and_keeps_an_instrument():
    pad = synth_pad(["flute", "trumpet", "organ", "guitar"], pitch=60, code_size=16, grid=3)
    middle = pad.audio.copy()
    assert pad.point == (0.5, 0.5) and np.allclose(pad.weights, 0.25)
    pad.choose(2, 0)                                          # bottom-right: the trumpet
    assert pad.point == (1.0, 0.0) and pad.weights == [0.0, 1.0, 0.0, 0.0]
    assert not np.allclose(pad.audio, middle)
    tune = Melody.parse("C4 E4 G4")
    assert audio.render(tune, instrument=pad.instrument).size > 0


def test_an_unknown_corner_instrument_lists_the_instruments():
    with pytest.raises(LessonkitError, match="The instruments are: piano"):
        synth_pad(["flute", "kazoo", "organ", "guitar"])
    with pytest.raises(LessonkitError, match="alpha"):
        morph_widget("flute", "guitar", alpha=2.0)


def test_the_widgets_play_their_pitch_exactly_though_codes_keep_each_recordings_tuning():
    # FluidR3's choir F#3 is 31 cents flat; the morph and the pad still play F#3 itself
    from lessonkit import analysis

    def cents_from_54(a):
        return analysis.cents_off(analysis.estimate_pitch(a, start_s=0.1, stop_s=0.9), 54)

    box = morph_widget("choir", "piano", pitch=54, alpha=0.0)
    assert abs(cents_from_54(box.audio)) < 5
    pad = synth_pad(["choir", "piano", "organ", "flute"], pitch=54, code_size=16, grid=3)
    pad.choose(0, 0)                                          # bottom-left: the choir
    assert abs(cents_from_54(pad.audio)) < 5
    assert abs(cents_from_54(synth.load_pretrained(16).reconstruct(synth.get_note("choir", 54), 54)) + 31) < 5
