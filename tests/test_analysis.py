"""Audio analysis: spectrograms, loudness, f0 (YIN), spectral centroid."""

import numpy as np
import pytest

from lessonkit import analysis as an
from lessonkit.errors import LessonkitError, LessonkitTypeError

SR = 16000


def tone(f_hz, seconds=1.0, amps=(1.0, 0.5, 0.25), level=0.5):
    t = np.arange(int(seconds * SR)) / SR
    x = sum(a * np.sin(2 * np.pi * (k + 1) * f_hz * t) for k, a in enumerate(amps))
    return (level * x / np.max(np.abs(x))).astype(np.float32)


def test_spectrogram_shape_axes_and_peak_of_a_sine():
    x = (np.sin(2 * np.pi * 1000.0 * np.arange(SR) / SR)).astype(np.float32)
    spec = an.spectrogram(x, SR, n_fft=1024, hop_length=256)
    assert spec.values.shape == (513, 1 + SR // 256)
    assert spec.freqs_hz.shape == (513,) and spec.freqs_hz[-1] == 8000
    assert spec.times_s[1] == pytest.approx(256 / SR)
    middle = spec.values[:, 30]
    assert spec.freqs_hz[np.argmax(middle)] == 1000.0
    assert middle.max() == pytest.approx(0.0, abs=0.1)          # a full-scale sine is 0 dB
    linear = an.spectrogram(x, db=False)
    assert linear.values[:, 30].max() == pytest.approx(1.0, abs=0.01)


def test_mel_spectrogram_puts_a_tone_in_the_band_around_its_frequency():
    x = tone(440.0, amps=(1.0,))
    mel = an.mel_spectrogram(x, n_mels=64)
    assert mel.values.shape == (64, 1 + SR // 256)
    assert mel.scale == "mel"
    band = np.argmax(mel.values[:, 30])
    assert abs(mel.freqs_hz[band] - 440.0) < 60.0


def test_mel_filterbank_triangles_peak_at_one_and_cover_the_range():
    bank = an.mel_filterbank(SR, 1024, 40)
    assert bank.shape == (40, 513)
    assert np.all(bank >= 0) and np.all(bank.max(axis=1) > 0.7)
    covered = bank.sum(axis=0)
    freqs = np.fft.rfftfreq(1024, 1 / SR)
    assert np.all(covered[(freqs > 100) & (freqs < 7500)] > 0.5)


def test_mel_scale_round_trips_and_1000_hz_is_1000_mel():
    f = np.array([0.0, 100.0, 1000.0, 8000.0])
    assert np.allclose(an.mel_to_hz(an.hz_to_mel(f)), f)
    assert an.hz_to_mel(1000.0) == pytest.approx(1000.0, abs=0.1)


def test_rms_db_of_full_scale_sine_is_minus_3_and_silence_is_the_floor():
    x = np.sin(2 * np.pi * 100 * np.arange(SR) / SR).astype(np.float32)
    assert an.rms_db(x) == pytest.approx(-3.01, abs=0.02)
    assert an.rms_db(np.zeros(100, np.float32)) == an.DB_FLOOR
    frames = an.rms_db_frames(x * 0.1)
    assert frames.shape == (1 + SR // 256,)
    assert np.median(frames) == pytest.approx(-23.01, abs=0.1)


@pytest.mark.parametrize("f_hz", [41.2, 98.0, 261.63, 440.0, 987.8, 2093.0])
def test_yin_finds_the_pitch_of_harmonic_tones_within_5_cents(f_hz):
    f0 = an.estimate_pitch(tone(f_hz))
    assert abs(an.cents_off(f0, an.hz_to_midi(f_hz))) < 5


def test_yin_reports_noise_and_silence_as_unvoiced():
    noise = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    assert np.mean(np.isnan(an.f0_yin(noise))) > 0.9
    assert np.all(np.isnan(an.f0_yin(np.zeros(SR, np.float32))))
    assert np.isnan(an.estimate_pitch(np.zeros(SR, np.float32)))


def test_yin_frames_line_up_with_spectrogram_frames():
    x = tone(220.0, seconds=0.5)
    assert an.f0_yin(x).shape == (1 + len(x) // 256,)


def test_cents_off_signs_and_octave_folding():
    assert an.cents_off(440.0, 69) == pytest.approx(0.0)
    assert an.cents_off(440.0 * 2 ** (10 / 1200), 69) == pytest.approx(10.0)
    assert an.cents_off(880.0, 69) == pytest.approx(1200.0)
    assert an.cents_off(880.0, 69, fold_octaves=True) == pytest.approx(0.0)
    assert an.cents_off(220.0 * 2 ** (-7 / 1200), 69, fold_octaves=True) == pytest.approx(-7.0)


def test_tuning_cents_folds_octaves_and_distrusts_more_than_50_cents():
    assert an.tuning_cents(440.0 * 2 ** (-0.31 / 12), 69) == pytest.approx(-31.0)
    assert an.tuning_cents(220.0 * 2 ** (0.2 / 12), 69) == pytest.approx(20.0)      # heard an octave low
    assert an.tuning_cents(440.0 * 2 ** (0.6 / 12), 69) == 0.0                     # 60 cents: not tuning
    assert an.tuning_cents(float("nan"), 69) == 0.0 and an.tuning_cents(0.0, 69) == 0.0


def test_spectral_centroid_of_a_sine_is_its_frequency_and_harmonics_make_it_brighter():
    sine = tone(500.0, amps=(1.0,))
    bright = tone(500.0, amps=(1.0, 1.0, 1.0, 1.0))
    assert np.nanmedian(an.spectral_centroid(sine)) == pytest.approx(500.0, rel=0.03)
    assert np.nanmedian(an.spectral_centroid(bright)) > 1000.0
    assert np.all(np.isnan(an.spectral_centroid(np.zeros(4096, np.float32))))


def test_bad_audio_gives_clear_errors():
    with pytest.raises(LessonkitError, match="mono"):
        an.spectrogram(np.zeros((2, 100), np.float32))
    with pytest.raises(LessonkitTypeError, match="numpy array"):
        an.rms_db("loud")
    with pytest.raises(LessonkitError, match="empty"):
        an.f0_yin(np.zeros(0, np.float32))
    with pytest.raises(LessonkitError, match="NaN"):
        an.rms_db(np.array([0.0, np.nan], np.float32))
