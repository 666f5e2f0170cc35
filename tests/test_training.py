"""The shared training loop: seeded, limited, early stopping, safe checkpoints."""

import numpy as np
import pytest
import torch

from lessonkit.errors import (DataFileError, FileExistsLessonkitError, LessonkitError, LessonkitTypeError,
                              LessonkitValueError)
from lessonkit import training
from lessonkit.training import History, TrainConfig, load_checkpoint, save_checkpoint, train

X = torch.linspace(-1, 1, 64)[:, None]
Y = 3 * X - 1


def problem():
    """A tiny regression with a batch sampler that uses the generator it is given."""
    model = torch.nn.Linear(1, 1)

    def sample_batch(rng):
        idx = torch.from_numpy(rng.integers(0, 64, size=16))
        return X[idx], Y[idx]

    def loss_fn(model, batch):
        x, y = batch
        return torch.nn.functional.mse_loss(model(x), y)

    def valid_loss(model):
        return float(torch.nn.functional.mse_loss(model(X), Y))

    return model, sample_batch, loss_fn, valid_loss


def quiet(**kw):
    kw.setdefault("max_seconds", None)
    return TrainConfig(progress=False, live_plot=False, threads=1, **kw)


def test_training_lowers_the_valid_loss():
    model, *fns = problem()
    history = train(model, *fns, quiet(max_steps=300, lr=0.05, eval_every=20))
    assert history.valid_loss[-1] < 0.1 * history.valid_loss[0]
    assert history.stopped_because == "steps" and history.n_steps == 300


def test_same_seed_gives_the_same_weights():
    weights = []
    for seed in (0, 0, 1):
        torch.manual_seed(123)  # the loop must not depend on the state before it
        model, *fns = problem()
        torch.manual_seed(seed)
        model.reset_parameters()
        train(model, *fns, quiet(max_steps=30, seed=seed, eval_every=10))
        weights.append(model.weight.detach().clone())
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])


def test_early_stopping_keeps_the_best_weights():
    model, sample_batch, loss_fn, _ = problem()
    scores = iter([5.0, 4.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    history = train(model, sample_batch, loss_fn, lambda m: next(scores),
                    quiet(max_steps=10_000, eval_every=5, patience=3))
    assert history.stopped_because == "early stopping"
    assert history.best_step == 15 and history.best_valid_loss == 1.0
    assert history.n_steps == 30


def test_time_limit_stops_training():
    model, *fns = problem()
    history = train(model, *fns, quiet(max_seconds=0.3, eval_every=10))
    assert history.stopped_because == "time" and history.seconds < 5


def test_training_without_limits_trains_for_a_minute():
    assert TrainConfig().time_limit == 60.0 and TrainConfig(max_seconds=None).time_limit == 60.0
    assert TrainConfig(max_seconds=5).time_limit == 5.0
    assert TrainConfig(max_steps=100).time_limit is None  # steps only
    assert TrainConfig(max_steps=100, max_seconds=30).time_limit == 30.0  # whichever comes first


def test_threads_are_restored_after_training():
    before = torch.get_num_threads()
    model, *fns = problem()
    train(model, *fns, quiet(max_steps=3))
    assert torch.get_num_threads() == before


def test_history_plot_draws_both_curves():
    import matplotlib

    matplotlib.use("Agg")
    model, *fns = problem()
    history = train(model, *fns, quiet(max_steps=40, eval_every=10))
    ax = history.plot()
    assert len(ax.lines) == 3 and isinstance(history, History)


def test_checkpoint_round_trip(tmp_path):
    model, *_ = problem()
    path = save_checkpoint(tmp_path / "m.safetensors", model, {"seed": 3, "figures": [1.5, 2]})
    other = torch.nn.Linear(1, 1)
    meta = load_checkpoint(path, other)
    assert meta == {"seed": 3, "figures": [1.5, 2]}
    assert torch.equal(other.weight, model.weight)


def test_checkpoint_is_never_overwritten_without_asking(tmp_path):
    model, *_ = problem()
    path = save_checkpoint(tmp_path / "m.safetensors", model)
    with pytest.raises(FileExistsLessonkitError):
        save_checkpoint(path, model)
    save_checkpoint(path, model, overwrite=True)


def test_checkpoint_is_not_a_pickle(tmp_path):
    model, *_ = problem()
    path = save_checkpoint(tmp_path / "m.safetensors", model)
    head = open(path, "rb").read(16)
    assert not head.startswith(b"\x80")  # pickle protocol marker
    assert int.from_bytes(head[:8], "little") < 10_000  # safetensors: header length, then JSON
    assert head[8:9] == b"{"


def test_bad_checkpoints_are_clear_errors(tmp_path):
    with pytest.raises(DataFileError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(DataFileError, match="not a readable"):
        load_checkpoint(bad)
    path = save_checkpoint(tmp_path / "m.safetensors", torch.nn.Linear(1, 1))
    with pytest.raises(DataFileError, match="does not fit"):
        load_checkpoint(path, torch.nn.Linear(2, 1))


def test_no_temporary_files_are_left(tmp_path):
    model, *_ = problem()
    save_checkpoint(tmp_path / "m.safetensors", model)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]


def test_a_diverging_loss_is_a_clear_error():
    model, sample_batch, _, valid_loss = problem()
    with pytest.raises(LessonkitError, match="smaller lr"):
        train(model, sample_batch, lambda m, b: torch.tensor(float("nan")), valid_loss, quiet(max_steps=5))


def test_numpy_generator_drives_the_batches():
    seen = []

    def sample_batch(rng):
        seen.append(int(rng.integers(1000)))
        return None

    model = torch.nn.Linear(1, 1)
    loss = lambda m, b: (m.weight ** 2).sum()  # noqa: E731
    train(model, sample_batch, loss, lambda m: 0.0, quiet(max_steps=3, seed=5))
    rng = np.random.default_rng(5)
    assert seen == [int(rng.integers(1000)) for _ in range(3)]


def test_best_weights_are_checkpointed_while_training(tmp_path):
    path = tmp_path / "best.safetensors"
    model, *fns = problem()
    history = train(model, *fns, quiet(max_steps=60, lr=0.05, eval_every=20, checkpoint_path=str(path)))
    saved = torch.nn.Linear(1, 1)
    meta = load_checkpoint(path, saved)
    assert meta["step"] == history.best_step and meta["valid_loss"] == pytest.approx(history.best_valid_loss)
    assert torch.equal(saved.weight, model.weight)
    with pytest.raises(FileExistsLessonkitError):
        train(model, *fns, quiet(max_steps=5, checkpoint_path=str(path)))


# ----------------------------------------------------------------------------- review fixes


@pytest.mark.parametrize("field, value, advice", [
    ("eval_every", 0, "eval_every=0 is too small: use a whole number of steps >= 1"),
    ("eval_every", 2.5, "eval_every=2.5 is not a whole number"),
    ("max_steps", 0, "max_steps=0 is too small: use a whole number of steps >= 1"),
    ("lr", -0.1, "lr=-0.1 is out of range: use a learning rate > 0"),
    ("lr", 0, "lr=0 is out of range"),
    ("threads", "two", "threads='two' is not a whole number: use a whole number >= 1"),
    ("threads", -1, "threads=-1 is too small"),
    ("threads", 0, "threads=0 is too small"),
    ("seed", -1, "seed=-1 is too small: use a whole number >= 0"),
    ("max_seconds", "60", "max_seconds='60' is not a number: use a number of seconds > 0"),
    ("max_seconds", float("nan"), "max_seconds=nan is out of range"),
    ("max_seconds", 0, "max_seconds=0 is out of range"),
    ("patience", 0, "patience=0 is too small"),
    ("lr_min_factor", 2, "lr_min_factor=2 is out of range: use a number from 0 to 1"),
    ("progress", "yes", "progress='yes'): use True or False"),
])
def test_bad_train_config_is_a_clear_error(field, value, advice):
    with pytest.raises(LessonkitError) as err:
        TrainConfig(**{field: value})
    assert advice in str(err.value)
    assert isinstance(err.value, (LessonkitTypeError, LessonkitValueError))


def test_train_config_accepts_numpy_numbers():
    config = TrainConfig(max_steps=np.int64(10), lr=np.float32(0.01), seed=np.int64(3), threads=np.int64(1))
    assert config.max_steps == 10 and type(config.max_steps) is int and config.seed == 3


def test_a_dict_instead_of_a_train_config_is_a_clear_error():
    model, *fns = problem()
    with pytest.raises(LessonkitTypeError, match=r"TrainConfig\(\*\*"):
        train(model, *fns, {"max_steps": 10})


def test_max_steps_alone_means_steps_only_and_an_exact_repeat(monkeypatch):
    clock = iter(range(0, 10**9, 100))  # a clock where every look takes 100 s: time must not matter
    weights = []
    for fake_clock in (False, True, False):
        if fake_clock:
            monkeypatch.setattr(training.time, "perf_counter", lambda: float(next(clock)))
        else:
            monkeypatch.undo()
        model, *fns = problem()
        torch.manual_seed(0)
        model.reset_parameters()
        history = train(model, *fns, TrainConfig(max_steps=40, seed=3, eval_every=10, progress=False,
                                                 live_plot=False, threads=1))
        assert history.stopped_because == "steps" and history.n_steps == 40
        weights.append(model.weight.detach().clone())
    assert torch.equal(weights[0], weights[1]) and torch.equal(weights[0], weights[2])


def test_stop_button_keeps_the_best_weights_and_returns(capsys):
    model, sample_batch, loss_fn, _ = problem()
    scores = iter([5.0, 1.0, 3.0, 4.0])
    seen = {}
    calls = {"n": 0}

    def valid_loss(m):
        v = next(scores)
        if v == 1.0:
            seen["best"] = m.weight.detach().clone()
        return v

    def interrupting_loss(m, batch):
        calls["n"] += 1
        if calls["n"] == 35:
            raise KeyboardInterrupt
        return loss_fn(m, batch)

    threads = torch.get_num_threads()
    history = train(model, sample_batch, interrupting_loss, valid_loss,
                    quiet(max_steps=1000, eval_every=10, lr=0.05))
    assert history.stopped_because == "interrupted" and history.n_steps == 34
    assert history.best_step == 20 and torch.equal(model.weight, seen["best"])
    assert not model.training and torch.get_num_threads() == threads
    assert "stopped by hand at step 34" in capsys.readouterr().out
