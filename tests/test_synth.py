"""The neural synthesizer (lesson 03): its synthesizer parts, its public edge, baselines and errors.

Most tests use a tiny untrained network (fast, no data file needed); the last ones load the
shipped weights.
"""

import numpy as np
import pytest
import torch

from lessonkit import analysis, audio
from lessonkit.errors import LessonkitError, LessonkitValueError, ModelError
from lessonkit.models import ddsp, synth, synth_baselines, synth_train
from lessonkit.music import Melody

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model = synth.Autoencoder(synth.Config(code_size=4, hidden=16, n_harmonics=8, n_noise_bands=9))
    return synth.NeuralSynth(model)


@pytest.fixture(scope="module")
def flute():
    return synth.get_note("flute", 60)


@pytest.fixture(scope="module")
def guitar():
    return synth.get_note("guitar", 60)


def _sine(f0_hz, amp=0.5, n=synth.N_SAMPLES):
    return (amp * np.sin(2 * np.pi * f0_hz * np.arange(n) / synth.SR)).astype(np.float32)


# ----------------------------------------------------------------------------- synthesizer parts


def test_harmonic_synth_with_one_harmonic_is_a_sine_at_f0():
    frames = synth.N_FRAMES
    dist = torch.zeros(1, frames, 8)
    dist[..., 0] = 1.0
    out = ddsp.harmonic_synth(torch.tensor([440.0]), torch.full((1, frames), 0.5), dist, synth.N_SAMPLES)
    out = out[0].numpy()
    assert out.shape == (synth.N_SAMPLES,)
    assert abs(np.abs(out).max() - 0.5) < 1e-3
    assert abs(analysis.cents_off(analysis.estimate_pitch(out), 69)) < 2


def test_harmonic_synth_equals_the_plain_sum_of_sines():
    # the bank splits each sine with sin(a + b) = sin a cos b + cos a sin b; the samples must be
    # those of the textbook formula: sum over k of amp_k(n) sin(2 pi k f0 n / sr)
    rng = np.random.default_rng(1)
    frames, n_harm, hop = 6, 5, ddsp.HOP
    amplitude = torch.from_numpy(rng.uniform(0.1, 1, (2, frames)).astype(np.float32))
    dist = torch.from_numpy(rng.uniform(0, 1, (2, frames, n_harm)).astype(np.float32))
    f0 = torch.tensor([220.0, 1700.0])                  # the second one's harmonics 5 lie above 8 kHz
    out = ddsp.harmonic_synth(f0, amplitude, dist, frames * hop).numpy()
    n = np.arange(frames * hop)
    for b in range(2):
        k = np.arange(1, n_harm + 1)
        audible = k * float(f0[b]) < synth.SR / 2
        shares = dist[b].numpy() * audible
        amps = shares / shares.sum(-1, keepdims=True) * amplitude[b].numpy()[:, None]       # (frames, H)
        frame_pos = n / hop                                  # amplitudes ramp between frame centres
        amp_n = np.stack([np.interp(frame_pos, np.arange(frames), amps[:, h]) for h in range(n_harm)], 1)
        expected = (amp_n * np.sin(2 * np.pi * np.outer(n, k) * float(f0[b]) / synth.SR)).sum(1)
        assert np.abs(out[b] - expected).max() < 1e-4


def test_harmonic_synth_silences_harmonics_above_nyquist():
    frames = synth.N_FRAMES
    dist = torch.zeros(1, frames, 8)
    dist[..., 7] = 1.0                   # 8 x 1500 Hz = 12 kHz: above 8 kHz, so it is dropped
    dist[..., 0] = 1e-3
    out = ddsp.harmonic_synth(torch.tensor([1500.0]), torch.ones(1, frames) * 0.5, dist, synth.N_SAMPLES)
    spectrum = np.abs(np.fft.rfft(out[0].numpy()))
    freqs = np.fft.rfftfreq(synth.N_SAMPLES, 1 / synth.SR)
    assert abs(freqs[spectrum.argmax()] - 1500) < 2     # the renormalised fundamental is all that is left


def test_filtered_noise_follows_its_bands_and_repeats_with_a_seed():
    bands = torch.zeros(1, synth.N_FRAMES, 9)
    bands[..., :2] = 0.1                 # only the lowest bands: 0 - 1 kHz
    a = ddsp.filtered_noise(bands, synth.N_SAMPLES, generator=torch.Generator().manual_seed(1))[0].numpy()
    b = ddsp.filtered_noise(bands, synth.N_SAMPLES, generator=torch.Generator().manual_seed(1))[0].numpy()
    np.testing.assert_array_equal(a, b)
    assert analysis.spectral_centroid(a)[10:80].mean() < 1200


def test_spectral_distance_is_zero_for_the_same_sound_and_grows_with_the_difference():
    x = torch.from_numpy(_sine(440))
    assert float(ddsp.spectral_distance(x, x)) == 0.0
    near = float(ddsp.spectral_distance(x, torch.from_numpy(_sine(445))))
    far = float(ddsp.spectral_distance(x, torch.from_numpy(_sine(880))))
    assert 0 < near < far
    per_row = ddsp.spectral_distance(torch.stack([x, x]), torch.stack([x, x * 0.5]), reduce=False)
    assert per_row.shape == (2,) and per_row[0] == 0 and per_row[1] > 0


# ----------------------------------------------------------------------------- public edge


def test_encode_gives_a_code_of_code_size_numbers_and_a_loudness_curve(tiny, flute):
    code = tiny.encode(flute, 60)
    assert code.timbre.shape == (4,) and code.timbre.dtype == np.float32
    assert code.loudness_db.shape == (synth.N_FRAMES,)
    assert code.size == 4 + synth.N_FRAMES + 1
    assert abs(code.pitch - 60.08) < 0.01                     # FluidR3's flute C4 is 8 cents sharp


def test_tuned_pitch_follows_the_recording_within_half_a_semitone_else_keeps_the_label():
    flat = _sine(440 * 2 ** (-0.3 / 12))                      # A4, 30 cents flat
    assert abs(synth.tuned_pitch(flat, 69) - 68.7) < 0.02
    octave_up = _sine(880 * 2 ** (-0.2 / 12))                 # heard an octave away (YIN can): its tuning still counts
    assert abs(synth.tuned_pitch(octave_up, 69) - 68.8) < 0.02
    assert synth.tuned_pitch(_sine(440 * 2 ** (0.6 / 12)), 69) == 69.0   # 60 cents: too far to be tuning
    noise = np.random.default_rng(0).normal(0, 0.1, synth.N_SAMPLES).astype(np.float32)
    assert synth.tuned_pitch(noise, 60) == 60.0               # no steady pitch: the label


def test_a_code_keeps_the_recordings_tuning_and_decode_plays_any_exact_pitch(tiny):
    flat = _sine(440 * 2 ** (-0.3 / 12))
    code = tiny.encode(flat, 69)
    assert abs(code.pitch - 68.7) < 0.02
    with pytest.raises(LessonkitError, match="MIDI pitch such as 60"):
        synth.tuned_pitch(flat, None)


def test_encode_without_a_pitch_measures_it_from_the_sound(tiny):
    code = tiny.encode(_sine(440), None)
    assert abs(code.pitch - 69.0) < 0.05


def test_decode_is_a_note_of_24000_samples_and_repeats_with_a_seed(tiny, flute):
    code = tiny.encode(flute, 60)
    a, b = tiny.decode(code, seed=3), tiny.decode(code, seed=3)
    assert a.shape == (synth.N_SAMPLES,) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert np.all(np.abs(a) <= 1)


def test_morph_at_alpha_0_and_1_rebuilds_a_and_b(tiny, flute, guitar):
    code_a, code_b = tiny.encode(flute, 60), tiny.encode(guitar, 60)
    np.testing.assert_allclose(tiny.morph(flute, guitar, 60, 0.0), tiny.decode(code_a, 60), atol=1e-6)
    np.testing.assert_allclose(tiny.morph(flute, guitar, 60, 1.0), tiny.decode(code_b, 60), atol=1e-6)
    half = tiny.mix([code_a, code_b], [0.5, 0.5])
    np.testing.assert_allclose(half.timbre, (code_a.timbre + code_b.timbre) / 2, atol=1e-6)
    np.testing.assert_allclose(half.loudness_db, (code_a.loudness_db + code_b.loudness_db) / 2, atol=1e-4)


def test_crossfade_adds_the_two_recordings(flute, guitar):
    out = synth.crossfade(flute, guitar, 0.25)
    np.testing.assert_allclose(out, 0.75 * flute + 0.25 * guitar, atol=1e-6)


def test_blend_at_a_corner_is_that_corner_and_in_the_middle_the_mean(tiny, flute, guitar):
    codes = [tiny.encode(synth.get_note(name, 60), 60) for name in ("flute", "guitar", "organ", "trumpet")]
    np.testing.assert_allclose(tiny.blend(codes, 1.0, 0.0).timbre, codes[1].timbre, atol=1e-6)
    np.testing.assert_allclose(tiny.blend(codes, 0.0, 1.0).timbre, codes[2].timbre, atol=1e-6)
    middle = tiny.blend(codes, 0.5, 0.5).timbre
    np.testing.assert_allclose(middle, np.mean([c.timbre for c in codes], axis=0), atol=1e-6)


def test_a_mixed_instrument_plays_a_melody_through_audio_render(tiny, flute):
    instrument = synth.MixedInstrument(tiny, tiny.encode(flute, 60))
    melody = Melody.parse("C4 E4 G4/2")
    out = audio.render(melody, instrument=instrument)
    assert out.dtype == np.float32 and len(out) >= melody.duration_s * synth.SR
    np.testing.assert_array_equal(out, instrument.render(melody))
    assert instrument.loudness_curve(2.0).size > instrument.loudness_curve(0.25).size


def test_sustain_centroid_of_a_brighter_sound_is_higher():
    dull, bright = _sine(300), _sine(300) + _sine(3000, 0.3)
    assert synth.sustain_centroid(bright) > synth.sustain_centroid(dull) + 500


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("make, words", [
    (lambda: np.zeros((2, 24000), np.float32) + 0.1, "stereo"),
    (lambda: np.full(24000, np.nan, np.float32), "NaN"),
    (lambda: np.zeros(24000, np.float32), "silent"),
    (lambda: np.ones(48000, np.float32) * 0.1, "at most 1.5 s"),
    (lambda: np.arange(24000), "float"),
])
def test_bad_audio_is_a_lessonkit_error_that_says_what_to_do(tiny, make, words):
    with pytest.raises(LessonkitError, match=words):
        tiny.encode(make(), 60)


def test_audio_at_another_rate_is_refused_with_a_resampling_tip():
    with pytest.raises(LessonkitError, match="resample_poly"):
        synth.check_audio(_sine(440, n=44100), sr=44100)


@pytest.mark.parametrize("alpha", [-0.1, 1.5, float("nan")])
def test_alpha_outside_0_1_is_refused(tiny, flute, guitar, alpha):
    with pytest.raises(LessonkitError, match="alpha"):
        tiny.morph(flute, guitar, 60, alpha)
    with pytest.raises(LessonkitError, match="alpha"):
        synth.crossfade(flute, guitar, alpha)


def test_an_unknown_instrument_lists_the_ones_that_exist():
    with pytest.raises(LessonkitError, match="Did you mean 'flute'.*The instruments are: piano"):
        synth.get_note("flutte", 60)


def test_a_pitch_out_of_range_and_a_code_of_another_size_are_model_errors(tiny, flute):
    with pytest.raises(ModelError, match="outside the pitches"):
        tiny.encode(flute, 120)
    code = tiny.encode(flute, 60)
    code.timbre = np.zeros(16, np.float32)
    with pytest.raises(ModelError, match="code_size=16"):
        tiny.decode(code)


def test_load_pretrained_names_the_sizes_that_exist():
    with pytest.raises(ModelError, match="2, 4, 8, 16"):
        synth.load_pretrained(code_size=5)


# ----------------------------------------------------------------------------- baselines and training


def test_griffin_lim_from_true_magnitudes_nearly_rebuilds_a_note(flute):
    x = torch.from_numpy(flute)[None]
    rebuilt = synth_baselines.griffin_lim(synth_baselines._mag(x), n_iter=30)
    assert float(ddsp.spectral_distance(rebuilt, x)) < 0.15


def test_pca_with_as_many_components_as_notes_rebuilds_its_training_notes():
    notes = torch.from_numpy(np.stack([synth.get_note(n, 60) for n in ("flute", "guitar", "organ")]))
    pca = synth_baselines.PCABaseline(3).fit(notes)
    code = pca.encode(notes)
    assert code.shape == (3, 3)
    logmag = (pca.mean + code @ pca.components).reshape(3, -1)
    np.testing.assert_allclose(logmag.numpy(), synth_baselines.log_magnitudes(notes).reshape(3, -1).double().numpy(),
                               atol=1e-2)


def test_training_two_steps_with_the_same_seed_gives_the_same_weights():
    from lessonkit.datasets import load_instrument_notes
    from lessonkit.training import TrainConfig

    notes = synth_train.valid_subset(load_instrument_notes("valid"), n=6)
    config = synth.Config(code_size=2, hidden=8, n_harmonics=4, n_noise_bands=5, batch_size=2)
    runs = [synth_train.train_model(config, TrainConfig(max_steps=2, eval_every=1, seed=0, progress=False, threads=1),
                              train_notes=notes, valid_notes=notes)[0] for _ in range(2)]
    for a, b in zip(runs[0].model.state_dict().values(), runs[1].model.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_the_code_reaches_the_knobs_only_through_its_own_offset():
    torch.manual_seed(0)
    model = synth.Autoencoder(synth.Config(code_size=3, hidden=8, n_harmonics=4, n_noise_bands=5))
    pitch, loud = torch.full((2,), 60.0), torch.linspace(-40, -10, 12).repeat(2, 1)
    codes = torch.tensor([[1.0, -2.0, 0.5], [-1.0, 3.0, 2.0]])
    with torch.no_grad():
        differ = model.knobs(codes, pitch, loud)[1]
        assert not torch.allclose(differ[0], differ[1])
        model.timbre.weight.zero_()                       # without the offset, the code is not heard
        same = model.knobs(codes, pitch, loud)
    for knob in same:
        torch.testing.assert_close(knob[0], knob[1])


def test_the_decoder_sees_one_frame_and_the_one_before_not_the_whole_loudness_curve():
    # a decoder that hears the whole curve can recognise an instrument by its envelope; ours
    # reads each frame's loudness and its change since the frame before, nothing further
    torch.manual_seed(0)
    model = synth.Autoencoder(synth.Config(code_size=3, hidden=8, n_harmonics=4, n_noise_bands=5))
    code, pitch = torch.randn(1, 3), torch.full((1,), 60.0)
    loud = torch.linspace(-40, -10, 20)[None]
    louder = loud.clone()
    louder[0, 10] += 12.0
    with torch.no_grad():
        before, after = model.knobs(code, pitch, loud)[1], model.knobs(code, pitch, louder)[1]
    changed = (before - after).abs().amax(-1)[0] > 1e-7                # (20,) which frames moved
    assert changed[10] and changed[11]                                 # its level; the next one's change
    assert not changed[:10].any() and not changed[12:].any()


def test_gradients_reach_the_amplitudes_through_the_harmonic_bank():
    amplitude = torch.full((1, 6), 0.5, requires_grad=True)
    dist = torch.rand(1, 6, 4, requires_grad=True)
    out = ddsp.harmonic_synth(torch.tensor([220.0]), amplitude, dist, 6 * ddsp.HOP)
    (out ** 2).sum().backward()
    assert amplitude.grad.abs().sum() > 0 and dist.grad.abs().sum() > 0


def test_harmonic_synth_wants_one_pitch_per_note():
    with pytest.raises(LessonkitValueError, match="one pitch per note"):
        ddsp.harmonic_synth(torch.full((1, 6), 220.0), torch.ones(1, 6), torch.ones(1, 6, 3), 6 * ddsp.HOP)


def test_the_mix_penalty_is_zero_for_a_linear_timbre_and_grows_with_a_bent_one():
    torch.manual_seed(0)
    config = synth.Config(code_size=2, hidden=8, n_harmonics=4, n_noise_bands=5)
    model = synth.Autoencoder(config)
    code, pitch, loud = torch.randn(6, 2), torch.full((6,), 60.0), torch.full((6, 10), -20.0)

    def knobs(c, p, l, bend):  # two harmonics whose shares follow the code along a line, or a curve
        x = 4 * c[:, 0] ** 2 if bend else c[:, 0]
        return None, torch.stack([5 + x, 5 - c[:, 0]], -1)[:, None, :].expand(-1, l.shape[1], -1), None

    model.knobs = lambda c, p, l: knobs(c, p, l, bend=False)
    straight = float(synth_train.mix_penalty(model, code, pitch, loud))
    model.knobs = lambda c, p, l: knobs(c, p, l, bend=True)
    bent = float(synth_train.mix_penalty(model, code, pitch, loud))
    assert straight < 1e-6 and bent > 0.01


# ----------------------------------------------------------------------------- the shipped model


@pytest.mark.skipif(not __import__("os").path.exists(synth.weights_path(16)), reason="weights not built yet")
def test_shipped_model_rebuilds_a_held_out_note_in_tune():
    from lessonkit.datasets import load_instrument_notes

    syn = synth.load_pretrained()
    assert syn.code_size == 16
    note = load_instrument_notes("test").select(instrument="clarinet", velocity=112)
    original, pitch = note.audio[0], int(note.pitches[0])
    rebuilt = syn.reconstruct(original, pitch)
    assert abs(analysis.cents_off(analysis.estimate_pitch(rebuilt, start_s=0.1, stop_s=0.9), pitch)) < 20
    silence = np.full_like(original, 1e-6)
    assert syn.encode(original, pitch).pitch == synth.tuned_pitch(original, pitch)
    x = torch.from_numpy(original)
    assert ddsp.spectral_distance(torch.from_numpy(rebuilt), x) < 0.5 * ddsp.spectral_distance(torch.from_numpy(silence), x)


@pytest.mark.skipif(not __import__("os").path.exists(synth.weights_path(16)), reason="weights not built yet")
def test_a_recording_off_its_label_is_rebuilt_at_its_own_pitch():
    from lessonkit.datasets import load_instrument_notes

    syn = synth.load_pretrained()
    choir = load_instrument_notes("test").select(instrument="choir", pitch=54, velocity=112).audio[0]
    own = analysis.estimate_pitch(choir, start_s=0.1, stop_s=0.9)
    assert analysis.cents_off(own, 54) < -25                   # FluidR3's choir sings this F#3 about 31 cents flat
    tuned = syn.reconstruct(choir, 54)
    exact = syn.decode(syn.encode(choir, 54), 54)
    f0 = lambda a: analysis.estimate_pitch(a, start_s=0.1, stop_s=0.9)  # noqa: E731
    assert abs(1200 * np.log2(f0(tuned) / own)) < 5
    assert abs(analysis.cents_off(f0(exact), 54)) < 5
    x = torch.from_numpy(choir)
    assert ddsp.spectral_distance(torch.from_numpy(tuned), x) < ddsp.spectral_distance(torch.from_numpy(exact), x)
    piano = synth.get_note("piano", 54)
    assert abs(analysis.cents_off(f0(syn.morph(choir, piano, 54, 0.5)), 54)) < 5      # morph: the asked pitch
    assert abs(1200 * np.log2(f0(syn.morph(choir, piano, None, 1.0)) / own)) < 5    # default: A's own pitch
