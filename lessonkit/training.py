"""One training loop for every lessonkit model: seeded, watchable, stoppable, safely saved.

Lesson: notebooks/02_ai_duet.ipynb (and the synth and loops lessons)

:func:`train` repeats: draw a batch, compute the loss, take a gradient step. Every
``eval_every`` steps it measures the loss on held-out (*valid*) data, draws the loss
curve (live, in a notebook), and remembers the weights with the best valid loss. It
stops at a time limit, a step limit, or when the valid loss has not improved for
``patience`` evaluations (*early stopping*), and puts the best weights back.

A model plugs in with three small functions::

    history = train(model, sample_batch, loss_fn, valid_loss, TrainConfig(max_seconds=60, seed=0))

* ``sample_batch(rng) -> batch``: draw a training batch with a ``numpy.random.Generator``;
* ``loss_fn(model, batch) -> torch scalar``: the loss to minimise;
* ``valid_loss(model) -> float``: the loss on valid data (called under ``torch.no_grad``, in eval mode).

Limits: ``TrainConfig()`` trains for :data:`DEFAULT_SECONDS` (60 s). ``TrainConfig(max_steps=N)``
trains for exactly ``N`` steps and no time limit, unless ``max_seconds`` is also given (then
whichever comes first). The learning-rate schedule follows the steps whenever ``max_steps``
is set, and the clock only when it is not.

Determinism: the same seed and the same ``max_steps`` give the same weights (on the same
machine and torch build). A run stopped by a time limit stops after however many
steps fit in the time, so it can differ from machine to machine; pass ``max_steps`` for
an exact repeat.

Stopping by hand (the notebook's Stop button, Ctrl-C) is not an error: training ends,
``history.stopped_because`` is ``"interrupted"`` and the model keeps its best weights so far.

Checkpoints are safetensors files (:func:`save_checkpoint`, :func:`load_checkpoint`):
loading one can never run code, unlike a pickle. They are written atomically.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import LessonkitError, LessonkitTypeError, expect_int, expect_number
from .files import refuse_overwrite
from .models.base import load_weights, save_weights

DEFAULT_SECONDS = 60.0
"""Time limit (s) of a :class:`TrainConfig` given neither ``max_seconds`` nor ``max_steps``."""


@dataclass
class TrainConfig:
    """How to train.

    Attributes
    ----------
    max_seconds : float or None
        Stop after this much wall-clock time (s), > 0. ``None`` (default): no time limit when
        ``max_steps`` is set, else :data:`DEFAULT_SECONDS` (60 s). See :attr:`time_limit`.
    max_steps : int or None
        Stop after exactly this many gradient steps (>= 1); the learning-rate schedule then
        follows the steps, so the same ``max_steps`` and seed give the same weights.
    lr : float
        Adam learning rate, > 0.
    lr_min_factor : float
        The learning rate decays (cosine) to ``lr * lr_min_factor`` at the step or time limit.
    weight_decay : float
        AdamW weight decay.
    grad_clip : float or None
        Clip the gradient norm to this (helps recurrent networks).
    eval_every : int
        Measure the valid loss every this many steps.
    patience : int or None
        Stop when the valid loss has not improved for this many evaluations.
    seed : int
        Seeds torch and the batch generator.
    threads : int or "auto" or None
        ``torch.set_num_threads`` while training. ``"auto"`` (default): 2, or 1 when the machine
        is already busy (load average above cores - 1). On 2 shared cores, 2 threads competing
        with other work ran 8x *slower* than 1 thread (the threads wait for each other).
        None leaves torch's setting alone.
    progress : bool
        Show a tqdm progress bar.
    live_plot : bool or None
        Redraw the loss curve at each evaluation; ``None``: only inside a notebook.
    checkpoint_path : str or None
        Save the best weights so far here (safetensors, atomically) at each improvement, so a
        crash or a closed laptop loses nothing. An existing file is refused unless
        ``overwrite_checkpoint=True``.
    """

    max_seconds: float | None = None
    max_steps: int | None = None
    lr: float = 3e-3
    lr_min_factor: float = 0.1
    weight_decay: float = 0.0
    grad_clip: float | None = 1.0
    eval_every: int = 50
    patience: int | None = 6
    seed: int = 0
    threads: int | str | None = "auto"
    progress: bool = True
    live_plot: bool | None = None
    checkpoint_path: str | None = None
    overwrite_checkpoint: bool = False

    def __post_init__(self):
        if self.max_seconds is not None:
            self.max_seconds = expect_number(self.max_seconds, "max_seconds", positive=True,
                                             advice="a number of seconds > 0 such as 60, or None for no time limit")
        if self.max_steps is not None:
            self.max_steps = expect_int(self.max_steps, "max_steps", low=1, advice="a whole number of steps >= 1 "
                                        "such as 1000, or None to train for max_seconds")
        self.lr = expect_number(self.lr, "lr", positive=True, advice="a learning rate > 0 such as 3e-3")
        self.lr_min_factor = expect_number(self.lr_min_factor, "lr_min_factor", low=0.0, high=1.0,
                                           advice="a number from 0 to 1 such as 0.1")
        self.weight_decay = expect_number(self.weight_decay, "weight_decay", low=0.0,
                                          advice="a number >= 0 such as 0.0 or 0.01")
        if self.grad_clip is not None:
            self.grad_clip = expect_number(self.grad_clip, "grad_clip", low=0.0,
                                           advice="a gradient norm > 0 such as 1.0, or None for no clipping")
        self.eval_every = expect_int(self.eval_every, "eval_every", low=1,
                                     advice="a whole number of steps >= 1 such as 50")
        if self.patience is not None:
            self.patience = expect_int(self.patience, "patience", low=1, advice="a whole number of evaluations >= 1 "
                                       "such as 6, or None for no early stopping")
        self.seed = expect_int(self.seed, "seed", low=0, advice="a whole number >= 0 such as 0")
        if self.threads not in ("auto", None):
            self.threads = expect_int(self.threads, "threads", low=1,
                                      advice='a whole number >= 1 such as 1 or 2, "auto" or None')
        for name in ("progress", "overwrite_checkpoint"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise LessonkitTypeError(f"TrainConfig({name}={getattr(self, name)!r:.40}): use True or False.")
        if self.live_plot is not None and not isinstance(self.live_plot, (bool, np.bool_)):
            raise LessonkitTypeError(f"TrainConfig(live_plot={self.live_plot!r:.40}): use True, False or None "
                                     "(None: only in a notebook).")
        if self.checkpoint_path is not None and not isinstance(self.checkpoint_path, (str, os.PathLike)):
            raise LessonkitTypeError(f"TrainConfig(checkpoint_path={self.checkpoint_path!r:.40}): use a file "
                                     'name such as "my_model.safetensors", or None.')

    @property
    def time_limit(self) -> float | None:
        """The time limit training keeps to (s): ``max_seconds``, or 60 s when neither limit is given."""
        if self.max_seconds is None and self.max_steps is None:
            return DEFAULT_SECONDS
        return self.max_seconds


def _whole(value, name, low, advice):
    """Kept for model code written before the validators moved: use :func:`lessonkit.errors.expect_int`."""
    return expect_int(value, name, low=low, advice=advice)


def _number(value, name, advice, *, positive=False, low=None, high=None):
    """Kept for model code written before the validators moved: use :func:`lessonkit.errors.expect_number`."""
    return expect_number(value, name, low=low, high=high, positive=positive, advice=advice)


@dataclass
class History:
    """What happened during training (plain lists, easy to plot).

    Attributes
    ----------
    steps, train_loss : list
        Step number and mean training loss since the previous evaluation.
    valid_loss : list
        Valid loss at those steps.
    best_step, best_valid_loss : int, float
        Where the kept weights come from.
    seconds : float
        Wall-clock training time.
    stopped_because : str
        ``"time"``, ``"steps"``, ``"early stopping"`` or ``"interrupted"`` (stopped by hand).
    """

    steps: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    valid_loss: list = field(default_factory=list)
    best_step: int = 0
    best_valid_loss: float = math.inf
    seconds: float = 0.0
    n_steps: int = 0
    stopped_because: str = ""

    def plot(self, ax=None, *, title="loss while training"):
        """Train and valid loss against steps on ``ax`` (made if None). Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3), layout="constrained")
        ax.plot(self.steps, self.train_loss, label="train", color="#2a6fdb")
        ax.plot(self.steps, self.valid_loss, label="valid", color="#f08a24")
        if self.steps:
            ax.axvline(self.best_step, color="#888", lw=0.8, ls="--", label="best valid")
        ax.set_xlabel("training step")
        ax.set_ylabel("loss (nats per step)")
        ax.set_title(title)
        ax.legend(loc="upper right")
        return ax


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where the live loss curve is drawn)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
    except ImportError:  # pragma: no cover
        return False


def choose_threads(threads="auto") -> int | None:
    """How many torch threads to train with: ``"auto"`` gives 2, or 1 on a busy machine."""
    if threads != "auto":
        return threads
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0] > cores - 1
    except (OSError, AttributeError):  # pragma: no cover (Windows)
        busy = False
    return 1 if busy or cores < 2 else 2


def seed_everything(seed: int) -> np.random.Generator:
    """Seed torch (and Python's ``random``) and return a numpy Generator for batches."""
    import random

    import torch

    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def train(model, sample_batch, loss_fn, valid_loss, config: TrainConfig | None = None) -> History:
    """Train ``model`` in place and return its :class:`History` (see the module docstring).

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    model : torch.nn.Module
    sample_batch : callable ``(np.random.Generator) -> batch``
    loss_fn : callable ``(model, batch) -> torch.Tensor`` (a scalar)
    valid_loss : callable ``(model) -> float``
    config : TrainConfig

    Returns
    -------
    History
        The model keeps the weights of ``history.best_step``.
    """
    import torch

    config = TrainConfig() if config is None else config
    if isinstance(config, dict):
        raise LessonkitTypeError(f"config should be a TrainConfig, not a dict. Write TrainConfig(**{config!r:.60}).")
    if not isinstance(config, TrainConfig):
        raise LessonkitTypeError(f"config should be a TrainConfig such as TrainConfig(max_steps=1000), "
                                 f"not {type(config).__name__}.")
    time_limit = config.time_limit
    if config.checkpoint_path is not None:
        refuse_overwrite(os.fspath(config.checkpoint_path), config.overwrite_checkpoint)
    old_threads = torch.get_num_threads()
    threads = choose_threads(config.threads)
    if threads:
        torch.set_num_threads(threads)
    rng = seed_everything(config.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    history = History()
    live = in_notebook() if config.live_plot is None else config.live_plot
    plotter = _LivePlot() if live else None
    bar = _progress_bar(config)
    best_state, running, n_running, since_best = None, 0.0, 0, 0
    start = time.perf_counter()
    step = 0
    try:
        while True:
            elapsed = time.perf_counter() - start
            done = _fraction_done(config, step, elapsed)
            stop = ("steps" if config.max_steps is not None and step >= config.max_steps else
                    "time" if time_limit is not None and elapsed >= time_limit else "")
            if stop or (step and step % config.eval_every == 0):
                model.eval()
                with torch.no_grad():
                    v = float(valid_loss(model))
                model.train()
                history.steps.append(step)
                history.train_loss.append(running / max(n_running, 1) if n_running else v)
                history.valid_loss.append(v)
                running, n_running = 0.0, 0
                if v < history.best_valid_loss:
                    history.best_valid_loss, history.best_step, since_best = v, step, 0
                    best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
                    if config.checkpoint_path is not None:
                        save_checkpoint(config.checkpoint_path, model, {"step": step, "valid_loss": v}, overwrite=True)
                else:
                    since_best += 1
                if plotter:
                    plotter.update(history)
                if bar is not None:
                    bar.set_postfix(train=f"{history.train_loss[-1]:.3f}", valid=f"{v:.3f}")
                if not stop and config.patience is not None and since_best >= config.patience:
                    stop = "early stopping"
                if stop:
                    history.stopped_because = stop
                    break
            for group in optimizer.param_groups:  # cosine decay of the learning rate
                group["lr"] = config.lr * (config.lr_min_factor + (1 - config.lr_min_factor)
                                           * 0.5 * (1 + math.cos(math.pi * min(done, 1.0))))
            loss = loss_fn(model, sample_batch(rng))
            if not torch.isfinite(loss):
                raise LessonkitError(f"The loss became {float(loss)} at step {step}. Try a smaller lr.")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            running += loss.item()
            n_running += 1
            step += 1
            if bar is not None:
                bar.update(_bar_units(config, step, time.perf_counter() - start) - bar.n)
    except KeyboardInterrupt:  # the Stop button: not an error, keep what was learned
        history.stopped_because = "interrupted"
        kept = f"the best weights so far (step {history.best_step})" if best_state is not None else "its weights"
        print(f"Training stopped by hand at step {step}; the model keeps {kept}.", flush=True)
    finally:
        if bar is not None:
            bar.close()
        if threads:
            torch.set_num_threads(old_threads)
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    history.seconds = time.perf_counter() - start
    history.n_steps = step
    return history


def _fraction_done(config, step, elapsed) -> float:
    """How far through training (0..1) for the learning-rate schedule: by steps when max_steps is set."""
    if config.max_steps is not None:
        return step / config.max_steps  # never the clock: the same steps give the same weights
    return elapsed / config.time_limit


def _progress_bar(config):
    if not config.progress:
        return None
    from tqdm.auto import tqdm

    if config.max_steps is not None:
        return tqdm(total=config.max_steps, unit="step", desc="training")
    return tqdm(total=int(config.time_limit), unit="s", desc="training", bar_format="{l_bar}{bar}| {n}/{total} s {postfix}")


def _bar_units(config, step, elapsed) -> int:
    if config.max_steps is not None:
        return step
    return int(min(elapsed, config.time_limit))


class _LivePlot:
    """The loss curve in a notebook, redrawn in place at each evaluation."""

    def __init__(self):
        from IPython.display import display

        self.handle = display(None, display_id=True)

    def update(self, history: History):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
        history.plot(ax)
        self.handle.update(fig)
        plt.close(fig)


# ----------------------------------------------------------------------------- checkpoints

save_checkpoint = save_weights
"""Save a model's weights as safetensors: :func:`lessonkit.models.base.save_weights` (one definition)."""
load_checkpoint = load_weights
"""Read a checkpoint: :func:`lessonkit.models.base.load_weights` (one definition)."""
