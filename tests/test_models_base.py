"""lessonkit/models/base.py: what every model family shares (sampling with a seed, weights files)."""

import numpy as np
import pytest
import torch

from lessonkit.errors import DataFileError, FileExistsLessonkitError, LessonkitTypeError, ModelError
from lessonkit.models.base import (apply_temperature, load_weights, rng_for, sample_from_logits, sample_token,
                                   save_weights, softmax)


def test_same_seed_same_draws_and_temperature_zero_is_greedy():
    logits = np.array([0.0, 1.0, 2.0, 0.5])
    draws = lambda seed: [sample_from_logits(logits, 1.0, rng) for rng in [rng_for(seed)] for _ in range(50)]
    assert draws(3) == draws(3) and draws(3) != draws(4)
    assert sample_from_logits(logits, 0, rng_for(0)) == 2
    assert np.isclose(softmax(logits).sum(), 1.0) and np.argmax(softmax(logits)) == 2


def test_sampling_follows_the_tempered_distribution():
    probs = np.array([0.1, 0.2, 0.7])
    rng = rng_for(0)
    counts = np.bincount([sample_token(probs, 0.5, rng) for _ in range(4000)], minlength=3) / 4000
    assert np.allclose(counts, apply_temperature(probs, 0.5), atol=0.03)


def test_rng_for_checks_the_seed():
    with pytest.raises(ModelError, match="cannot be negative"):
        rng_for(-2)
    with pytest.raises(LessonkitTypeError):
        rng_for("1")


def test_weights_round_trip_and_clear_errors(tmp_path):
    model = torch.nn.Linear(3, 2)
    path = tmp_path / "w.safetensors"
    save_weights(path, model, {"steps": np.int64(5)})
    other = torch.nn.Linear(3, 2)
    meta = load_weights(path, other)
    assert meta == {"steps": 5} and torch.equal(other.weight, model.weight)
    assert set(load_weights(path)["state_dict"]) == {"weight", "bias"}
    with pytest.raises(FileExistsLessonkitError):
        save_weights(path, model)
    with pytest.raises(DataFileError, match="does not fit"):
        load_weights(path, torch.nn.Linear(4, 2))
    with pytest.raises(DataFileError, match="no checkpoint"):
        load_weights(tmp_path / "missing.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(DataFileError, match="not a readable safetensors"):
        load_weights(tmp_path / "bad.safetensors")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.safetensors", "w.safetensors"]  # no temp files left
