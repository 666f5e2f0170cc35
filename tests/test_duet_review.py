"""Fixes from review: temperatures, seeds, bad input to the Markov helpers, loading options."""

import numpy as np
import pytest

from lessonkit import Melody
from lessonkit.errors import DataFileError, LessonkitError, ModelError
from lessonkit.models import duet, markov, melody_rnn, rules
from lessonkit.training import TrainConfig

from test_duet import CALL, corpus


@pytest.fixture(scope="module")
def markov_model():
    return markov.MarkovModel(3).fit(corpus())


@pytest.fixture(scope="module")
def neural_model():
    config = melody_rnn.Config(hidden=32, token_dim=16, position_dim=4, seq_len=32, batch_size=8)
    responder, _ = melody_rnn.train_model(corpus(), corpus()[:5], config,
                                          TrainConfig(max_steps=40, max_seconds=None, progress=False, threads=1))
    return responder


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
@pytest.mark.parametrize("seed", [-1, 1.5, "0", None])
def test_bad_seed_is_a_clear_model_error(kind, seed, markov_model, neural_model):
    model = {"rules": rules.RuleResponder(), "markov": markov_model, "neural": neural_model}[kind]
    with pytest.raises(ModelError, match="seed") as err:
        model.respond(CALL, seed=seed)
    assert ">= 0" in str(err.value)


def test_duet_widget_seed_box_refuses_negative_seeds():
    from lessonkit.widgets.duet import duet_widget

    w = duet_widget({"echo": rules.RuleResponder("echo")}, respond=False)
    w.seed.value = -1
    assert w.seed.value == 0 and w.seed.min == 0
    with pytest.raises(ModelError, match="negative"):
        duet_widget({"echo": rules.RuleResponder("echo")}, seed=-1, respond=False)
