"""Fixes from review: temperatures, seeds, bad input to the Markov helpers, loading options."""

import numpy as np
import pytest

from lessonkit import Melody
from lessonkit.errors import DataFileError, LessonkitError, LessonkitTypeError, ModelError
from lessonkit.models import duet, markov, melody_rnn, rules
from lessonkit.training import TrainConfig

from test_duet import CALL, corpus, markov_model, neural_model  # noqa: F401 (shared fixtures)




# ----------------------------------------------------------------------------- 1. greedy on 2-D input


def test_temperature_zero_is_one_hot_per_row_for_2d_input():
    probs = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    out = duet.apply_temperature(probs, 0)
    assert out.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]


def test_temperature_keeps_rows_separate_for_2d_input():
    probs = np.array([[0.5, 0.5, 0.0], [0.9, 0.05, 0.05]])
    out = duet.apply_temperature(probs, 2.0)
    assert np.allclose(out.sum(axis=1), 1)
    assert np.allclose(out[0], [0.5, 0.5, 0.0])
    want = np.sqrt(probs[1]) / np.sqrt(probs[1]).sum()
    assert np.allclose(out[1], want)


# ----------------------------------------------------------------------------- 2. zeros stay zero


def test_zero_probability_stays_zero_at_any_temperature():
    probs = np.array([0.0, 0.99, 0.01, 0.0])
    for t in (0.5, 1.0, 10.0, 1000.0):
        out = duet.apply_temperature(probs, t)
        assert out[0] == 0.0 and out[3] == 0.0 and np.isclose(out.sum(), 1.0)
    rng = np.random.default_rng(0)
    draws = {duet.sample_token(probs, 1000.0, rng) for _ in range(200)}
    assert draws == {1, 2}


@pytest.mark.parametrize("kind", ["markov", "neural"])
def test_hot_answers_stay_in_range_and_start_with_a_note(kind, markov_model, neural_model):
    model = {"markov": markov_model, "neural": neural_model}[kind]
    low, high = model.pitch_range
    for seed in range(50):
        tokens, _ = model.continue_tokens(np.array([60, 129, 64, 129, 67, 129, 64, 129]), 16, 16, 0, 50.0,
                                          np.random.default_rng(seed))
        assert tokens[0] < 128, f"seed {seed}: answer starts with {tokens[0]}"
        notes = tokens[tokens < 128]
        assert notes.min() >= low and notes.max() <= high, f"seed {seed}: {notes} outside {low}..{high}"
        answer = model.respond(CALL, bars=1, temperature=50, seed=seed)
        assert answer.to_tokens()[0] < 128


# ----------------------------------------------------------------------------- 3. seeds


@pytest.mark.parametrize("kind", ["rules", "markov", "neural"])
@pytest.mark.parametrize("seed, error", [(-1, ModelError), (1.5, LessonkitTypeError), ("0", LessonkitTypeError),
                                         (None, LessonkitTypeError)])
def test_bad_seed_is_a_clear_error(kind, seed, error, markov_model, neural_model):
    """A negative seed is a ModelError (a value error); a seed that is not a whole number is a type error,
    as for bars (one set of validators, lessonkit/errors.py)."""
    model = {"rules": rules.RuleResponder(), "markov": markov_model, "neural": neural_model}[kind]
    with pytest.raises(error, match="seed") as err:
        model.respond(CALL, seed=seed)
    assert ">= 0" in str(err.value)


@pytest.mark.parametrize("kind", ["rules", "markov"])
def test_whole_valued_float_seed_and_bars_are_accepted(kind, markov_model):
    model = {"rules": rules.RuleResponder(), "markov": markov_model}[kind]
    assert model.respond(CALL, bars=2.0, seed=3.0) == model.respond(CALL, bars=2, seed=3)


def test_duet_widget_seed_box_refuses_negative_seeds():
    from lessonkit.widgets.duet import duet_widget

    w = duet_widget({"echo": rules.RuleResponder("echo")}, respond=False)
    w.seed.value = -1
    assert w.seed.value == 0 and w.seed.min == 0
    with pytest.raises(ModelError, match="negative"):
        duet_widget({"echo": rules.RuleResponder("echo")}, seed=-1, respond=False)


# ----------------------------------------------------------------------------- 4. network config and train_model arguments

SMALL = dict(hidden=16, token_dim=8, position_dim=4, seq_len=16, batch_size=4)


@pytest.mark.parametrize("field, value, advice", [
    ("hidden", 0, "hidden=0 is too small: use a whole number >= 1 such as 256"),
    ("hidden", 12.5, "hidden=12.5 is not a whole number"),
    ("n_positions", 0, "n_positions=0 is too small: use a whole number >= 1 such as 32"),
    ("dropout", 1.0, "dropout=1 would drop all of the memory"),
    ("dropout", -0.1, "dropout=-0.1 is out of range: use a share from 0"),
    ("dropout", "0.1", "dropout='0.1' is not a number"),
    ("lr", 0, "lr=0 is out of range: use a learning rate > 0"),
])
def test_bad_network_config_is_a_clear_error(field, value, advice):
    with pytest.raises(LessonkitError) as err:
        melody_rnn.Config(**{field: value})
    assert advice in str(err.value)


def quick(**kw):
    return TrainConfig(max_steps=3, progress=False, live_plot=False, threads=1, **kw)


def test_config_none_means_the_default_network():
    responder, history = melody_rnn.train_model(corpus(), corpus()[:5], None, quick())
    assert responder.model.config == melody_rnn.Config() and history.n_steps == 3


def test_a_dict_instead_of_a_config_is_a_clear_error():
    with pytest.raises(LessonkitError, match=r"Config\(\*\*\{'hidden': 16\}\)"):
        melody_rnn.train_model(corpus(), corpus()[:5], {"hidden": 16}, quick())
    with pytest.raises(LessonkitError, match=r"train_config should be a TrainConfig, not a dict"):
        melody_rnn.train_model(corpus(), corpus()[:5], melody_rnn.Config(**SMALL), {"max_steps": 3})


# ----------------------------------------------------------------------------- 6. generators and empty lists


def test_train_tunes_can_be_a_generator():
    config = melody_rnn.Config(**SMALL)
    from_list, _ = melody_rnn.train_model(corpus(), corpus()[:5], config, quick(seed=2))
    from_gen, _ = melody_rnn.train_model((t for t in corpus()), (t for t in corpus()[:5]), config, quick(seed=2))
    assert from_gen.pitch_range == from_list.pitch_range and from_gen.centre_pitch == from_list.centre_pitch
    assert torch_equal(from_gen, from_list)


def torch_equal(a, b):
    import torch

    return all(torch.equal(x, y) for x, y in zip(a.model.state_dict().values(), b.model.state_dict().values()))


@pytest.mark.parametrize("which", ["train_tunes", "valid_tunes"])
def test_no_tunes_is_a_clear_error_naming_the_argument(which):
    args = {"train_tunes": corpus(), "valid_tunes": corpus()[:5], which: []}
    with pytest.raises(ModelError, match=f"{which} is empty"):
        melody_rnn.train_model(args["train_tunes"], args["valid_tunes"], melody_rnn.Config(**SMALL), quick())


# ----------------------------------------------------------------------------- 7. the Stop button


def test_stopping_train_model_by_hand_returns_the_best_model(monkeypatch):
    import lessonkit.training as training

    real = training.seed_everything
    monkeypatch.setattr(training, "seed_everything", lambda seed: _Stopper(real(seed), 8))
    responder, history = melody_rnn.train_model(corpus(), corpus()[:5], melody_rnn.Config(**SMALL),
                                                TrainConfig(max_steps=100, eval_every=5, progress=False,
                                                            live_plot=False, threads=1))
    assert history.stopped_because == "interrupted" and history.n_steps == 7
    assert history.best_step == 5 and not responder.model.training
    assert responder.info["stopped_because"] == "interrupted"
    assert responder.respond(CALL, seed=0).length_steps == 32


class _Stopper:
    """A numpy Generator stand-in that raises KeyboardInterrupt on its n-th batch."""

    def __init__(self, rng, n):
        self.rng, self.n, self.calls = rng, n, 0

    def integers(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise KeyboardInterrupt
        return self.rng.integers(*args, **kwargs)


# ----------------------------------------------------------------------------- 10. loading a training checkpoint


def test_loading_a_training_checkpoint_as_a_responder_says_what_is_missing(tmp_path, neural_model):
    from lessonkit.training import save_checkpoint

    path = tmp_path / "ckpt.safetensors"
    save_checkpoint(path, neural_model.model, {"step": 40, "valid_loss": 1.0})
    with pytest.raises(DataFileError, match="no config, pitch_range, centre_pitch: it is a training checkpoint"):
        melody_rnn.NeuralResponder.load(path)


# ----------------------------------------------------------------------------- 8. bad input to the Markov helpers


@pytest.mark.parametrize("tunes, kind, words", [
    (Melody.parse("C4 D4 E4"), LessonkitError, "not one Melody. Wrap it in a list: transition_counts([tune])"),
    ("C4 D4 E4", LessonkitError, "not text. Wrap it in a list"),
    (np.array([60, 62, 64]), LessonkitError, "not one token array"),
    (5, LessonkitError, "not int"),
    ([[60, 200, 62]], ModelError, "tune 0 has the token 200: step tokens are 0..127"),
    ([[60, -1]], ModelError, "tune 0 has the token -1"),
    ([[60.0, 62.0]], LessonkitError, "tune 0 should be whole-number step tokens 0..129"),
    (["C4 D4"], LessonkitError, 'tune 0 is text'),
])
def test_bad_input_to_transition_counts_is_a_clear_error(tunes, kind, words):
    with pytest.raises(kind) as err:
        markov.transition_counts(tunes)
    assert words in str(err.value)


def test_transition_counts_take_token_lists_and_generators():
    counts = markov.transition_counts(iter([[60, 62, 60], np.array([62, 60])]))
    assert counts[60, 62] == 1 and counts[62, 60] == 2 and counts.sum() == 3


@pytest.mark.parametrize("context, kind, words", [
    ("C4", LessonkitError, "The context is text ('C4'), not step tokens"),
    ([200], ModelError, "The context has the token 200: step tokens are 0..127"),
    ([60.5], LessonkitError, "The context should be whole-number step tokens"),
    ([[60, 62]], LessonkitError, "in a flat list"),
])
def test_bad_context_to_next_probs_is_a_clear_error(markov_model, context, kind, words):
    with pytest.raises(kind) as err:
        markov_model.next_probs(context)
    assert words in str(err.value)


def test_next_probs_takes_tokens_or_a_melody(markov_model):
    melody = Melody.parse("C4 D4")
    assert np.allclose(markov_model.next_probs(melody), markov_model.next_probs(list(melody.to_tokens())))
    assert np.isclose(markov_model.next_probs([]).sum(), 1.0)


# ----------------------------------------------------------------------------- 9. load_pretrained options


@pytest.mark.parametrize("kind, options, words", [
    ("markov", {"ordr": 3}, "load_pretrained('markov') has no option ordr. It takes order=..., e.g. order=3."),
    ("neural", {"hidden": 64}, "load_pretrained('neural') has no option hidden. It takes path=..."),
    ("rules", {"rules": "echo"}, "load_pretrained('rules') has no option rules. It takes rule=..., e.g. rule=\"invert\""),
    ("markov", {"order": [3]}, "order should be a single value such as order=3, not a list"),
    ("neural", {"path": {"a": 1}}, "path should be a single value"),
])
def test_bad_load_pretrained_options_are_clear_errors(kind, options, words):
    with pytest.raises(ModelError) as err:
        duet.load_pretrained(kind, **options)
    assert words in str(err.value)
