"""Singing to notes: lessonkit.transcribe (pitch track, notes, count-in grid, bad recordings)."""

import numpy as np
import pytest

from lessonkit import Melody
from lessonkit.errors import LessonkitError
from lessonkit.transcribe import (HOP, NoteTrack, RecordingError, check_recording, fit_grid, naive_notes, perform,
                                  quantize, track_notes, transcribe)

SR = 16000
PHRASE = Melody.parse("C4 D4 E4 F4 | G4*2 E4*2", tempo_bpm=100)


def _notes(melody):
    return list(zip(melody.pitches.tolist(), melody.onsets_steps.tolist()))


@pytest.mark.parametrize("instrument", ["choir", "flute", "clarinet"])
def test_a_sung_phrase_becomes_its_notes_on_the_grid(instrument):
    audio, _ = perform(PHRASE, instrument, drift=0.02, jitter_s=0.01, seed=1)
    melody = transcribe(audio, tempo_bpm=100, start_s=0.0)
    assert _notes(melody) == _notes(PHRASE)
    assert melody.durations_steps[:-1].tolist() == PHRASE.durations_steps[:-1].tolist()   # the last one rings on
    assert abs(melody.tempo_bpm - 100) <= 8


def test_vibrato_and_noise_do_not_split_or_bend_notes():
    audio, _ = perform(PHRASE, "choir", vibrato_cents=50, noise_db=20, drift=0.02, seed=2)
    melody = transcribe(audio, tempo_bpm=100)
    assert _notes(melody) == _notes(PHRASE)
    on, _, pitches = naive_notes(audio)
    assert len(on) > 2 * len(PHRASE)             # the baseline breaks vibrato into many notes


def test_a_repeated_note_is_heard_twice():
    phrase = Melody.parse("G4 G4 G4 A4 | G4*4", tempo_bpm=100)
    audio, _ = perform(phrase, "clarinet", seed=3)
    assert _notes(transcribe(audio, tempo_bpm=100)) == _notes(phrase)


def test_the_track_gives_fractional_pitches_and_onsets_in_seconds():
    audio, ref = perform(PHRASE, "flute", lead_in_s=0.5, seed=4)
    track = track_notes(audio)
    assert isinstance(track, NoteTrack) and len(track) == len(PHRASE)
    assert np.allclose(track.pitches, PHRASE.pitches, atol=0.3)
    assert np.all(np.abs(track.onsets_s - ref[:, 0]) < 0.05)
    assert track.f0_hz.shape == track.times_s.shape == track.voiced.shape
    assert track.times_s[1] == pytest.approx(HOP / SR)
    assert np.isnan(track.f0_hz[~track.voiced]).all()


def test_without_a_count_in_the_first_note_starts_the_grid():
    audio, _ = perform(PHRASE, "choir", lead_in_s=0.73, seed=5)
    melody = transcribe(audio, tempo_bpm=100, start_s=None)
    assert _notes(melody) == _notes(PHRASE)
    late = transcribe(audio, tempo_bpm=100, start_s=0.73 - 2 * 0.6)   # sung two beats after the count-in
    assert late.onsets_steps[0] == 8


def test_fit_grid_follows_a_singer_who_rushes():
    steps = np.array([0, 4, 8, 12, 16, 24, 28])
    sps = 60 / (104 * 4)                         # sang at 104 bpm after a count-in at 100
    t0, fitted = fit_grid(0.02 + steps * sps, 100, start_s=0.0)
    assert fitted == pytest.approx(sps, rel=1e-3) and t0 == pytest.approx(0.02, abs=1e-3)


def test_leading_empty_bars_are_dropped_and_quantize_checks_its_input():
    audio, _ = perform(PHRASE, "choir", lead_in_s=2.4 + 0.6, seed=6)  # one bar at 100 bpm + a beat
    melody = transcribe(audio, tempo_bpm=100)
    assert melody.onsets_steps[0] == 4
    with pytest.raises(LessonkitError, match="NoteTrack"):
        quantize(melody)


def test_perform_is_deterministic_and_reports_what_it_played():
    a1, r1 = perform(PHRASE, "flute", drift=0.03, jitter_s=0.02, vibrato_cents=40, noise_db=25, seed=7)
    a2, r2 = perform(PHRASE, "flute", drift=0.03, jitter_s=0.02, vibrato_cents=40, noise_db=25, seed=7)
    a3, _ = perform(PHRASE, "flute", drift=0.03, jitter_s=0.02, vibrato_cents=40, noise_db=25, seed=8)
    assert np.array_equal(a1, a2) and np.array_equal(r1, r2) and not np.array_equal(a1, a3)
    assert r1.shape == (len(PHRASE), 3) and np.all(np.diff(r1[:, 0]) > 0)
    assert a1.dtype == np.float32 and np.max(np.abs(a1)) <= 0.9 + 1e-6


# ----------------------------------------------------------------------------- bad recordings


def _voice(seconds=2.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.mark.parametrize("audio, sr, match", [
    (np.zeros(SR * 2, np.float32), SR, "silent"),
    (np.clip(_voice() * 10, -1, 1), SR, "clipped"),
    (np.zeros(SR * 600, np.float32), SR, "10.0 minutes"),
    (np.stack([_voice(), _voice()]), SR, "stereo"),
    (np.stack([_voice(), _voice()], axis=1), SR, "stereo"),
    (_voice(), 44100, "44100.*resample"),
    ((_voice() * 32767).astype(np.int16), SR, "32768"),
    (_voice(0.1), SR, "at least"),
    (np.full(SR, np.nan, np.float32), SR, "NaN"),
])
def test_bad_recordings_are_refused_with_advice(audio, sr, match):
    with pytest.raises(RecordingError, match=match):
        transcribe(audio, sr)


def test_noise_only_is_refused_and_a_recording_error_is_a_lessonkit_error():
    noise = np.random.default_rng(0).normal(0, 0.1, SR * 3).astype(np.float32)
    with pytest.raises(RecordingError, match="No sung notes") as info:
        transcribe(noise)
    assert isinstance(info.value, LessonkitError) and isinstance(info.value, ValueError)
    with pytest.raises(LessonkitError, match="numpy array"):
        check_recording("hello.wav")


def test_pitch_curve_draws_the_track_and_the_notes():
    import matplotlib.pyplot as plt

    from lessonkit import plots

    audio, _ = perform(PHRASE, "choir", seed=9)
    melody = transcribe(audio, tempo_bpm=100)
    fig, ax = plt.subplots()
    assert plots.pitch_curve(melody, ax=ax) is ax
    boxes = [p for p in ax.patches if p.get_gid() == "note"]
    assert len(boxes) == 2 * len(PHRASE)             # the notes in seconds and on the grid
    assert len(ax.lines) == 1 and "C4" in [t.get_text() for t in ax.get_yticklabels()]
    with pytest.raises(LessonkitError, match="transcribe"):
        plots.pitch_curve(PHRASE)
    plt.close(fig)
