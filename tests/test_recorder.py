"""The microphone recorder's kernel side: samples in, 16 kHz out, errors shown, no third-party URL."""

import re

import numpy as np
import pytest

from lessonkit.errors import LessonkitError
from lessonkit.transcribe import perform, transcribe
from lessonkit.widgets import recorder as rec_module
from lessonkit.widgets.recorder import Recorder, recorder, to_16k


def test_recorder_records_for_the_bars_asked_at_the_tempo():
    rec = recorder(tempo_bpm=120, bars=2)
    assert isinstance(rec, Recorder) and rec.state == "idle" and rec.audio is None
    assert rec.record_s == pytest.approx(4.0) and rec.tempo_bpm == 120 and rec.count_in
    with pytest.raises(LessonkitError, match="40 to 200"):
        recorder(tempo_bpm=20)


def test_browser_samples_are_resampled_to_16k_and_handed_to_callbacks():
    from lessonkit import Melody

    phrase = Melody.parse("E4 G4 A4 G4 | E4*4", tempo_bpm=100)
    audio16, _ = perform(phrase, "flute", seed=0)
    from scipy.signal import resample_poly

    audio48 = resample_poly(audio16, 3, 1).astype(np.float32)    # as a browser at 48 kHz sends it
    rec = recorder(tempo_bpm=100)
    got = []
    rec.on_recorded(got.append)
    rec._receive(rec, {"type": "audio", "rate": 48000, "n": len(audio48)}, [audio48.tobytes()])
    assert rec.state == "done" and len(got) == 1 and got[0] is rec.audio
    assert abs(len(rec.audio) - len(audio16)) <= 1
    assert transcribe(rec.audio, tempo_bpm=100).pitches.tolist() == phrase.pitches.tolist()


def test_a_broken_message_shows_an_error_instead_of_raising():
    rec = recorder()
    rec._receive(rec, {"type": "audio", "rate": 1}, [np.zeros(10, np.float32).tobytes()])
    assert rec.state == "error" and "could not be read" in rec.message
    rec._receive(rec, {"type": "other"}, [])                     # ignored
    assert to_16k(np.ones(16000, np.float32), 16000).shape == (16000,)


def test_the_front_end_requests_nothing_outside_the_server_and_names_each_microphone_problem():
    js = rec_module._ESM
    assert not re.search(r"https?://", js), "the recorder's JavaScript must not load anything from the internet"
    for problem in ("NotAllowedError", "NotFoundError", "insecure", "getUserMedia"):
        assert problem in js
