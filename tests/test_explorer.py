"""The tune explorer follows its controls (driven headless, as the browser tests do through a page)."""

import pytest

from lessonkit import LessonkitError, Melody, audio
from lessonkit.widgets import tune_explorer


def _controls(box):
    (choose, voice), (tempo, shift) = box.children[0].children, box.children[1].children
    return choose, voice, tempo, shift


@pytest.fixture
def explorer():
    tunes = [Melody.parse("C4 D4 E4 F4 | G4*4", meta={"title": "up"}),
             Melody.parse("A8 F8 E8 D8 | C8*4", meta={"title": "high"})]
    return tune_explorer(tunes, instrument="synth")


def test_sliders_change_the_melody_and_the_sound(explorer):
    choose, voice, tempo, shift = _controls(explorer)
    before_wav, before_len = explorer.children[-1].value, len(explorer.audio)
    shift.value = 5
    assert explorer.melody.pitches.tolist() == [65, 67, 69, 70, 72]
    tempo.value = 60
    assert len(explorer.audio) > 1.8 * before_len  # half the tempo, twice as long
    assert explorer.children[-1].value != before_wav


def test_transposing_past_midi_range_is_clamped_and_said(explorer):
    choose, voice, tempo, shift = _controls(explorer)
    choose.value = 1
    shift.value = 12
    assert explorer.melody.pitch_range[1] == 127
    assert "moved only +10" in explorer.children[2].value


def test_instrument_picker_re_renders(explorer):
    choose, voice, tempo, shift = _controls(explorer)
    synth_audio = explorer.audio.copy()
    other = next(v for v in voice.options if v != "synth")
    voice.value = other
    assert explorer.audio.shape != synth_audio.shape or abs(explorer.audio - synth_audio).max() > 0.01


def test_bad_arguments_are_lessonkit_errors():
    with pytest.raises(LessonkitError):
        tune_explorer([])
    with pytest.raises(LessonkitError, match="Unknown instrument"):
        tune_explorer([Melody.parse("C4")], instrument="kazoo")


def test_transposing_moves_the_notes_in_a_fixed_frame(explorer):
    choose, voice, tempo, shift = _controls(explorer)
    def note_rows():
        return [p.get_y() for p in explorer.ax.patches if p.get_gid() == "note"]
    before_rows, before_limits = note_rows(), explorer.ax.get_ylim()
    shift.value = 7
    assert explorer.ax.get_ylim() == before_limits
    assert [round(y - 7, 6) for y in note_rows()] == [round(y, 6) for y in before_rows]
