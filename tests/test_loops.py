"""The loop VAE/AE of lesson 04 (on tiny models) and the latent-space measures: values and bad input."""

import numpy as np
import pytest
import torch

from lessonkit import latent
from lessonkit.errors import LessonkitError, LessonkitTypeError
from lessonkit.models import loops as L
from lessonkit.music import HOLD, REST, Melody
from lessonkit.training import TrainConfig

SCALE = np.array([60, HOLD, 62, HOLD, 64, HOLD, 65, HOLD, 67, HOLD, 69, HOLD, 71, HOLD, 72, HOLD] * 2)
ARPEGGIO = np.array([60, HOLD, HOLD, HOLD, 64, HOLD, HOLD, HOLD, 67, HOLD, HOLD, HOLD, REST, REST, REST, REST] * 2)
TINY = dict(z_dim=8, encoder_hidden=16, decoder_hidden=24, token_dim=8, position_dim=4, batch_size=8)


def toy_loops():
    rows = []
    for shift in range(-4, 5):
        for base in (SCALE, ARPEGGIO):
            rows.append(np.where(base < 128, base + shift, base))
    return np.stack(rows)


@pytest.fixture(scope="module", params=["vae", "ae"])
def model(request):
    loops = toy_loops()
    m, _ = L.train_model(loops, loops[:4], L.Config(kind=request.param, **TINY),
                         TrainConfig(max_steps=30, progress=False, threads=1, live_plot=False))
    return m


# ----------------------------------------------------------------------------- the model


def test_shapes_of_encode_decode_sample_interpolate(model):
    assert model.encode(SCALE).shape == (8,) and model.encode(toy_loops()).shape == (18, 8)
    assert model.encode(SCALE).dtype == np.float32
    out = model.decode(model.encode(SCALE))
    assert out.shape == (32,) and out.dtype == np.int64 and out[0] != HOLD
    assert model.sample(3, seed=0).shape == (3, 32)
    path = model.interpolate(SCALE, ARPEGGIO, steps=5)
    assert path.shape == (5, 32)
    assert (path[0] == model.reconstruct(SCALE)).all() and (path[-1] == model.reconstruct(ARPEGGIO)).all()


def test_a_melody_of_two_bars_encodes_like_its_tokens(model):
    melody = Melody.from_tokens(SCALE)
    assert np.allclose(model.encode(melody), model.encode(SCALE))


def test_same_seed_same_samples_other_seed_other_samples(model):
    assert (model.sample(4, seed=3) == model.sample(4, seed=3)).all()
    assert (model.sample(4, seed=3) != model.sample(4, seed=4)).any()
    z = model.encode(SCALE)
    assert (model.decode(z, temperature=1.5, seed=7) == model.decode(z, temperature=1.5, seed=7)).all()


def test_greedy_decoding_ignores_the_seed(model):
    z = model.encode(toy_loops())
    assert (model.decode(z, 0, seed=1) == model.decode(z, 0, seed=2)).all()


def test_greedy_generation_writes_the_loop_that_teacher_forcing_scores_highest(model):
    # generate() writes the GRU's equations out by hand; logits() runs nn.GRU. Fed its own loop,
    # the teacher-forced decoder must pick the same token at every step (HOLD barred at step 0).
    net = model.net
    z = model.encode(toy_loops())
    written = net.generate(z)
    with torch.no_grad():
        scores = net.logits(torch.from_numpy(z), torch.from_numpy(written))
    scores[:, 0, HOLD] = -torch.inf
    assert written.shape == (18, 32) and written.dtype == np.int64
    assert (scores.argmax(-1).numpy() == written).all()


def test_sampled_generation_follows_the_teacher_forced_probabilities():
    torch.manual_seed(0)
    net = L.LoopNet(L.Config(kind="vae", **TINY)).eval()
    with torch.no_grad():  # a peaked first guess, so that a wrong draw shows: 60 half the time, 62 a fifth
        share = np.full(130, 0.3 / 128)
        share[60], share[62] = 0.5, 0.2
        net.head.bias.copy_(torch.from_numpy(np.log(share)).float())
        net.head.weight.mul_(0.1)
    z = np.random.default_rng(0).standard_normal((4000, 8)).astype(np.float32)
    written = net.generate(z, temperature=1.0, rng=np.random.default_rng(1))
    with torch.no_grad():
        probs = torch.softmax(net.logits(torch.from_numpy(z), torch.from_numpy(written)), dim=-1).numpy()
    # the share of loops whose step 1 is each token, against the mean probability the scores give it
    for step in (0, 1):
        for token in (60, 62, 64):
            drawn = (written[:, step] == token).mean()
            assert abs(drawn - probs[:, step, token].mean()) < 0.03, (step, token)
    assert (written[:, 0] != HOLD).all()
    assert (written[:, 1] == 60).mean() > 0.3                              # the peak is really drawn
    cooler = net.generate(z, temperature=0.3, rng=np.random.default_rng(1))   # colder: closer to greedy
    assert (cooler == net.generate(z)).mean() > (written == net.generate(z)).mean()


def test_the_vae_encoder_has_a_spread_and_the_ae_has_none():
    vae, ae = L.LoopNet(L.Config(kind="vae", **TINY)), L.LoopNet(L.Config(kind="ae", **TINY))
    x = torch.from_numpy(toy_loops())
    assert vae.encode(x)[1].abs().sum() > 0
    assert ae.encode(x)[1].abs().sum() == 0
    _, kl = L.loss_terms(ae.eval(), x)
    assert float(kl) == 0.0


def test_free_bits_make_a_small_kl_cost_nothing():
    net = L.LoopNet(L.Config(kind="vae", free_bits=1e6, **TINY)).eval()
    x = torch.from_numpy(toy_loops())
    with torch.no_grad():
        recon, _ = L.loss_terms(net, x, sample=False)
        assert float(L.loss(net, x, sample=False)) == pytest.approx(float(recon) / 32, rel=1e-5)


def test_training_lowers_the_loss_and_learns_the_toy_loops():
    loops = toy_loops()
    m, history = L.train_model(loops, loops, L.Config(kind="ae", word_dropout=0.0, transpose=0, **TINY),
                               TrainConfig(max_steps=300, lr=1e-2, progress=False, threads=1, live_plot=False,
                                           eval_every=100))
    assert history.valid_loss[-1] < 0.5 * history.valid_loss[0]
    assert latent.teacher_forced_accuracy(m, loops) > 0.9
    assert latent.reconstruction_accuracy(m, loops) > 0.8


def test_transposition_moves_notes_only_and_keeps_them_midi():
    rng = np.random.default_rng(0)
    rows = np.stack([SCALE, ARPEGGIO, np.array([127, HOLD] * 16)])
    moved = L.transpose_batch(rows, rng, 5)
    assert ((moved >= 128) == (rows >= 128)).all() and (moved[rows >= 128] == rows[rows >= 128]).all()
    assert moved.max() <= REST and moved[rows < 128].max() <= 127
    shift = moved[:2, 0] - rows[:2, 0]
    assert ((moved[:2] - rows[:2])[rows[:2] < 128] == np.repeat(shift, (rows[:2] < 128).sum(1))).all()


def test_slerp_ends_at_the_two_codes_and_keeps_the_radius():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    path = L.slerp(a, b, np.linspace(0, 1, 5))
    assert np.allclose(path[0], a) and np.allclose(path[-1], b)
    assert np.allclose(np.linalg.norm(path, axis=1), 1.0)


def test_attribute_vector_more_notes_decodes_to_more_notes(model, monkeypatch):
    monkeypatch.setattr("lessonkit.datasets.load_loops", lambda split=None: np.tile(toy_loops(), (100, 1)))
    model._attributes.clear()
    v = model.attribute_vector("note_density")
    assert v.shape == (8,) and np.isfinite(v).all()
    codes = model.encode(toy_loops())
    dense = latent.attribute_values(toy_loops(), "note_density") > 8
    assert np.allclose(v, codes[dense].mean(0) - codes[~dense].mean(0), atol=1e-5)
    model._attributes.clear()


def test_save_and_load_round_trip_and_never_overwrite(model, tmp_path):
    path = model.save(tmp_path / "m.safetensors")
    again = L.LoopModel.load(path)
    assert again.kind == model.kind and np.allclose(again.encode(SCALE), model.encode(SCALE))
    with pytest.raises(LessonkitError, match="exists"):
        model.save(path)


def test_train_command_writes_both_models(tmp_path):
    from lessonkit.train import loops as command

    assert command(["--steps", "2", "--out", str(tmp_path), "--decoder-hidden", "8", "--eval-loops", "64"]) == 0
    for kind in ("vae", "ae"):
        m = L.LoopModel.load(tmp_path / f"loops_{kind}.safetensors")
        assert m.kind == kind and 0 <= m.info["test_greedy"] <= 1
    with pytest.raises(LessonkitError):
        command(["--steps", "2", "--out", str(tmp_path), "--kind", "ae"])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad, match", [
    (SCALE[:16], "16 steps, but a loop has exactly 32"),
    (np.append(SCALE, 60), "33 steps"),
    (np.where(SCALE == 62, 130, SCALE), "token 130 at step 2"),
    (np.where(SCALE == 62, -1, SCALE), "token -1"),
    ([], "empty"),
    (np.zeros((2, 2, 32), dtype=int), "shape"),
])
def test_bad_loops_are_lessonkit_errors_that_say_what_to_do(model, bad, match):
    with pytest.raises(L.LoopError, match=match):
        model.encode(bad)


def test_float_and_text_loops(model):
    assert np.allclose(model.encode(SCALE.astype(float)), model.encode(SCALE))
    with pytest.raises(LessonkitTypeError):
        model.encode(SCALE + 0.5)
    with pytest.raises(LessonkitTypeError):
        model.encode("C4 D4")


@pytest.mark.parametrize("steps", [1, 0, -3, 2.5, True])
def test_interpolation_needs_two_steps_or_more(model, steps):
    with pytest.raises(L.LoopError, match="steps >= 2"):
        model.interpolate(SCALE, ARPEGGIO, steps=steps)


def test_interpolation_takes_one_loop_at_each_end(model):
    with pytest.raises(L.LoopError, match="one loop"):
        model.interpolate(toy_loops()[:2], ARPEGGIO)
    with pytest.raises(L.LoopError, match="'slerp'"):
        model.interpolate(SCALE, ARPEGGIO, method="cubic")


@pytest.mark.parametrize("z, match", [(np.zeros(5), "shape"), (np.full(8, np.nan), "NaN"), (np.zeros((0, 8)), "shape")])
def test_bad_codes(model, z, match):
    with pytest.raises(L.LoopError, match=match):
        model.decode(z)


@pytest.mark.parametrize("kwargs", [dict(temperature=-1), dict(seed=-2), dict(seed=1.5)])
def test_bad_temperature_and_seed(model, kwargs):
    with pytest.raises(LessonkitError):
        model.decode(model.encode(SCALE), **kwargs)


@pytest.mark.parametrize("n", [0, -1, 2.0])
def test_sample_needs_a_whole_number(model, n):
    with pytest.raises(L.LoopError, match="whole number"):
        model.sample(n)


def test_unknown_kind_attribute_and_config():
    with pytest.raises(L.LoopError, match="'vae'"):
        L.load_pretrained("gan")
    with pytest.raises(L.LoopError, match="'vae'"):
        L.Config(kind="VAE!")
    with pytest.raises(LessonkitError, match="word_dropout"):
        L.Config(word_dropout=1.0)
    with pytest.raises(L.LoopError, match="note_density"):
        latent.attribute_values(toy_loops(), "loudness")


# ----------------------------------------------------------------------------- the measures


def test_step_accuracy_and_hold_baseline_by_hand():
    copy = SCALE.copy()
    copy[[2, 4]] = REST
    assert latent.step_accuracy(SCALE, copy) == 30 / 32
    assert latent.hold_baseline(SCALE) == 0.5
    assert latent.hold_baseline(ARPEGGIO) == 18 / 32
    with pytest.raises(L.LoopError, match="same number"):
        latent.step_accuracy(toy_loops()[:2], SCALE)


def test_loop_features():
    assert latent.in_key_fraction(SCALE)[0] == 1.0
    chromatic = np.array(list(range(60, 72)) + [HOLD] * 20)
    assert latent.in_key_fraction(chromatic)[0] == pytest.approx(7 / 12)
    values = latent.attribute_values(np.stack([SCALE, ARPEGGIO]), "note_density")
    assert list(values) == [16, 6]
    assert latent.attribute_values(ARPEGGIO, "rests")[0] == 8
    assert latent.attribute_values(SCALE, "pitch_height")[0] == pytest.approx(np.mean([60, 62, 64, 65, 67, 69, 71, 72]))


def test_expression_of_a_model_is_a_set_of_shares(model):
    scores = latent.expression(model, toy_loops())
    assert set(scores) == {"teacher_forced", "greedy", "sampled", "always_hold"}
    assert all(0 <= v <= 1 for v in scores.values())
    assert scores["always_hold"] == latent.hold_baseline(toy_loops())
