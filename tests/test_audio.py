"""Audio core: rendering, WAV files, players."""

import numpy as np
import pytest

from lessonkit import LessonkitError, Melody, audio
from lessonkit.errors import FileExistsLessonkitError, LessonkitTypeError


def test_render_length_follows_tempo():
    m = Melody.parse("C4 D4 E4 F4")  # 4 beats = 2 s at 120 bpm
    a = audio.render(m, "synth")
    assert a.dtype == np.float32 and a.ndim == 1
    assert 2.0 <= len(a) / audio.SR <= 2.2
    slow = audio.render(m, "synth", tempo_bpm=60)
    assert 4.0 <= len(slow) / audio.SR <= 4.2


def test_synth_note_has_the_right_pitch():
    a = audio.synth_note(69, 0.5)
    spectrum = np.abs(np.fft.rfft(a[: audio.SR // 2]))
    peak_hz = np.argmax(spectrum) * audio.SR / (audio.SR // 2)
    assert abs(peak_hz - 440) < 3


def test_render_never_clips_even_when_loud():
    m = Melody.parse("C2/4 " * 64)
    a = audio.render(m, "synth")
    assert np.max(np.abs(a)) < 1.0


def test_render_bad_input_gives_lessonkit_errors():
    with pytest.raises(LessonkitTypeError):
        audio.render("C4 D4")
    with pytest.raises(LessonkitError, match="Unknown instrument"):
        audio.render(Melody.parse("C4"), "kazoo-9000")


def test_save_wav_never_overwrites_and_round_trips(tmp_path):
    a = audio.render(Melody.parse("A4"), "synth")
    path = audio.save_wav(a, tmp_path / "a.wav")
    back = audio.load_wav(path)
    assert len(back) == len(a) and np.max(np.abs(back - a)) < 1e-3
    with pytest.raises(FileExistsLessonkitError):
        audio.save_wav(a, path)


def test_as_audio_rejects_stereo_nan_and_empty():
    with pytest.raises(LessonkitError, match="mono"):
        audio.as_audio(np.zeros((2, 100), np.float32))
    with pytest.raises(LessonkitError, match="NaN"):
        audio.as_audio(np.array([0.0, np.nan], np.float32))
    with pytest.raises(LessonkitError, match="empty"):
        audio.as_audio(np.zeros(0, np.float32))


def test_player_is_an_html5_audio_widget_with_wav_data():
    import ipywidgets

    p = audio.player(Melody.parse("C4"), instrument="synth")
    assert isinstance(p, ipywidgets.Audio)
    assert p.format == "wav" and p.value[:4] == b"RIFF" and not p.autoplay
    labelled = audio.player(np.zeros(1600, np.float32), label="silence")
    assert isinstance(labelled, ipywidgets.VBox)


def test_integer_samples_and_strings_get_advice_not_distortion():
    with pytest.raises(LessonkitTypeError, match="32768"):
        audio.as_audio(np.zeros(100, np.int16))
    with pytest.raises(LessonkitTypeError, match="parse_note_name"):
        audio.midi_to_hz("A4")


def test_too_loud_audio_is_scaled_not_clipped_in_wav():
    import io

    import soundfile as sf

    loud = 1.5 * np.sin(np.linspace(0, 200 * np.pi, 16000)).astype(np.float32)
    back, _ = sf.read(io.BytesIO(audio.to_wav_bytes(loud)), dtype="float32")
    assert 0.99 < np.max(np.abs(back)) <= 1.0
    # scaled, not clipped: the shape of the wave is kept
    assert np.corrcoef(back, loud)[0, 1] > 0.9999
