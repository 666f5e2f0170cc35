"""Latent Loops, the public edge: :class:`LoopModel` (numpy in, numpy out), the shipped models, training.

Lesson: notebooks/04_latent_loops.ipynb

The network, its loss and the input checks are :mod:`lessonkit.models.loop_net` (why a VAE with
free bits, word dropout and transposition is explained there); its names are importable from
here too, so ``from lessonkit.models import loops as L; L.Config(kind="ae")`` works.
"""

from __future__ import annotations

import os
from dataclasses import asdict

import numpy as np
import torch

from ..errors import LessonkitTypeError
from ..music import HOLD, VOCAB_SIZE
from ..training import TrainConfig, load_checkpoint, save_checkpoint, train
from .base import check_seed as _check_seed
from .base import check_temperature as _check_temperature
from .loop_net import (ATTRIBUTES, BOS, DATA_DIR, KINDS, LOOP_STEPS, UNK, Config, LoopError, LoopNet,  # noqa: F401
                       as_codes, as_loops, attribute_values, loss, loss_terms, transpose_batch)

# ----------------------------------------------------------------------------- the public model


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation of codes a, b (z_dim,) at fractions t (n,) -> (n, z_dim)."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cos = float(np.dot(a, b) / max(na * nb, 1e-12))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-4:
        return (1 - t)[:, None] * a + t[:, None] * b
    return (np.sin((1 - t) * omega)[:, None] * a + np.sin(t * omega)[:, None] * b) / np.sin(omega)


class LoopModel:
    """A trained loop VAE or AE with numpy in, numpy out.

    Lesson: notebooks/04_latent_loops.ipynb

    Attributes
    ----------
    kind : {"vae", "ae"}
    net : LoopNet
    info : dict
        How it was made (training figures), saved with the weights.
    """

    def __init__(self, net: LoopNet, info: dict | None = None):
        self.net = net.eval()
        self.kind = net.config.kind
        self.z_dim = net.config.z_dim
        self.info = dict(info or {})
        self._attributes = {}

    def encode(self, tokens) -> np.ndarray:
        """The code (the mean, no noise) of a loop or loops: (32,) -> (z_dim,), (n, 32) -> (n, z_dim) float32."""
        loops, single = as_loops(tokens, "tokens")
        with torch.no_grad():
            mu = self.net.encode(torch.from_numpy(loops))[0].numpy()
        return mu[0] if single else mu

    def decode(self, z, temperature: float = 0.0, seed: int = 0) -> np.ndarray:
        """Loops written from codes: (z_dim,) -> (32,), (n, z_dim) -> (n, 32) int64 tokens.

        ``temperature`` 0 takes the most likely token at each step (greedy); above 0 samples.
        """
        codes, single = as_codes(z, self.z_dim)
        temperature, seed = _check_temperature(temperature), _check_seed(seed)
        out = self.net.generate(codes, temperature, np.random.default_rng(seed))
        return out[0] if single else out

    def sample_codes(self, n: int = 1, seed: int = 0) -> np.ndarray:
        """n codes drawn from the prior, a plain Gaussian N(0, 1): (n, z_dim) float32."""
        n = _whole_n(n)
        return np.random.default_rng(_check_seed(seed)).standard_normal((n, self.z_dim)).astype(np.float32)

    def sample(self, n: int = 1, temperature: float = 1.0, seed: int = 0) -> np.ndarray:
        """n new loops decoded from prior codes: (n, 32) int64. Same seed, same loops."""
        return self.decode(self.sample_codes(n, seed), temperature=temperature, seed=seed)

    def reconstruct(self, tokens, temperature: float = 0.0, seed: int = 0) -> np.ndarray:
        """Encode then decode: the model's copy of each loop, same shape as ``tokens``."""
        return self.decode(self.encode(tokens), temperature, seed)

    def interpolate(self, tokens_a, tokens_b, steps: int = 9, method: str | None = None) -> np.ndarray:
        """The loops on the path from loop a to loop b in code space: (steps, 32) int64, greedy.

        ``method`` "slerp" (the VAE's default: the prior's mass lies on a sphere) or "linear"
        (the AE's default). The first and last rows are the reconstructions of a and b.
        """
        return self.decode(self.interpolate_codes(tokens_a, tokens_b, steps, method))

    def interpolate_codes(self, tokens_a, tokens_b, steps: int = 9, method: str | None = None) -> np.ndarray:
        """The codes of :meth:`interpolate`: (steps, z_dim) float32."""
        steps = _steps(steps)
        a, b = self.encode(np.stack([_one(tokens_a, "tokens_a"), _one(tokens_b, "tokens_b")]))
        method = method or ("slerp" if self.kind == "vae" else "linear")
        t = np.linspace(0.0, 1.0, steps)
        if method == "slerp":
            return slerp(a, b, t).astype(np.float32)
        if method == "linear":
            return ((1 - t)[:, None] * a + t[:, None] * b).astype(np.float32)
        raise LoopError(f"method={method!r}: use 'slerp' (spherical) or 'linear'.")

    def attribute_vector(self, name: str = "note_density") -> np.ndarray:
        """Mean code of training loops with much of an attribute minus that of loops with little.

        ``name``: "note_density" (notes per loop), "pitch_height" (mean pitch), "rests" (REST
        steps). Top quarter minus bottom quarter of 2,000 training loops. Adding it to a code
        gives "more of" the attribute. Returns (z_dim,) float32.
        """
        if name not in ATTRIBUTES:
            raise LoopError(f"No attribute {name!r}: choose one of {', '.join(map(repr, ATTRIBUTES))}.")
        if name not in self._attributes:
            if "_loops" not in self._attributes:  # encode the training loops once for every attribute
                from ..datasets import load_loops

                loops = load_loops("train")
                loops = loops[np.random.default_rng(0).permutation(len(loops))[:2000]]
                self._attributes["_loops"] = (loops, self.encode(loops))
            loops, codes = self._attributes["_loops"]
            values = attribute_values(loops, name)
            low, high = np.quantile(values, [0.25, 0.75])
            self._attributes[name] = (codes[values >= high].mean(0) - codes[values <= low].mean(0)).astype(np.float32)
        return self._attributes[name].copy()

    def save(self, path, *, overwrite: bool = False) -> str:
        """Write the weights, config and info as a safetensors file (never overwriting unasked)."""
        return save_checkpoint(path, self.net, {"config": asdict(self.net.config), "info": self.info}, overwrite=overwrite)

    @classmethod
    def load(cls, path) -> "LoopModel":
        """A model saved by :meth:`save`."""
        meta = load_checkpoint(path)
        net = LoopNet(Config(**meta["config"]))
        load_checkpoint(path, net)
        return cls(net, meta.get("info"))

    def __repr__(self):
        n = sum(p.numel() for p in self.net.parameters())
        return f"<LoopModel {self.kind}: z={self.z_dim}, {n:,} weights>"


def _whole_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise LoopError(f"n={n!r:.40}: ask for a whole number of loops >= 1, such as 4.")
    return int(n)


def _steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise LoopError(f"steps={steps!r:.40}: an interpolation needs a whole number of steps >= 2 (the two ends), "
                        "such as 9.")
    return int(steps)


def _one(tokens, name):
    loops, single = as_loops(tokens, name)
    if not single and len(loops) != 1:
        raise LoopError(f"{name} should be one loop, not {len(loops)}; pick one, e.g. loops[0].")
    return loops[0]


_CACHE: dict = {}


def load_pretrained(kind: str = "vae") -> LoopModel:
    """The shipped model, ``data/loops_vae.safetensors`` or ``data/loops_ae.safetensors``.

    Lesson: notebooks/04_latent_loops.ipynb

    Made by ``python -m lessonkit train loops`` (see :func:`lessonkit.train.loops`).
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise LoopError(f"kind={kind!r:.40}: choose 'vae' (the variational autoencoder) or 'ae' (the plain one).")
    if kind not in _CACHE:
        path = os.path.join(DATA_DIR, f"loops_{kind}.safetensors")
        if not os.path.exists(path):
            from ..errors import DataFileError

            raise DataFileError(f"The shipped {kind.upper()} ({path}) is missing. Restore it with "
                                f"`git checkout -- data/loops_{kind}.safetensors`, or rebuild it with "
                                f"`python -m lessonkit train loops --kind {kind}`.")
        _CACHE[kind] = LoopModel.load(path)
    return _CACHE[kind]


# ----------------------------------------------------------------------------- expression


def step_accuracy(original, copy) -> float:
    """Share of steps (0..1) where ``copy`` has the same token as ``original`` (both (32,) or (n, 32))."""
    a, b = as_loops(original, "original")[0], as_loops(copy, "copy")[0]
    if a.shape != b.shape:
        raise LoopError(f"original has {len(a)} loops but copy has {len(b)}: compare the same number of loops.")
    return float((a == b).mean())


def teacher_forced_accuracy(model, loops, batch: int = 1024) -> float:
    """Share of steps whose most likely token is right when the decoder is given the true previous tokens."""
    model, a = _model(model), as_loops(loops)[0]
    right = 0
    with torch.no_grad():
        for i in range(0, len(a), batch):
            x = torch.from_numpy(a[i:i + batch])
            scores = model.net.logits(model.net.encode(x)[0], x)
            right += int((scores.argmax(-1) == x).sum())
    return right / a.size


def reconstruction_accuracy(model, loops, temperature: float = 0.0, seed: int = 0, batch: int = 1024) -> float:
    """Share of steps right when the model writes the loop back on its own (greedy at temperature 0, else sampled)."""
    model, a = _model(model), as_loops(loops)[0]
    copies = np.concatenate([model.reconstruct(a[i:i + batch], temperature, seed) for i in range(0, len(a), batch)])
    return float((copies == a).mean())


def hold_baseline(loops) -> float:
    """The always-HOLD guess's step accuracy (the share of HOLD steps): a floor every model must beat."""
    return float((as_loops(loops)[0] == HOLD).mean())


def expression(model, loops, seed: int = 0) -> dict:
    """Teacher-forced, greedy and sampled (temperature 1) reconstruction accuracy, and the HOLD baseline."""
    return dict(teacher_forced=teacher_forced_accuracy(model, loops), greedy=reconstruction_accuracy(model, loops),
                sampled=reconstruction_accuracy(model, loops, 1.0, seed), always_hold=hold_baseline(loops))


def _model(model):
    if not isinstance(model, LoopModel):
        raise LessonkitTypeError(f"model should be a LoopModel such as load_pretrained('vae'), not {type(model).__name__}.")
    return model


# ----------------------------------------------------------------------------- training


def train_model(train_loops, valid_loops, config: Config | None = None, train_config: TrainConfig | None = None):
    """Train a loop VAE/AE with :func:`lessonkit.training.train`; returns (LoopModel, History).

    Lesson: notebooks/04_latent_loops.ipynb

    Parameters
    ----------
    train_loops, valid_loops : np.ndarray, shape=(n, 32), int
    config : Config (default Config())
    train_config : TrainConfig (default: 120 s, lr 3e-3)
    """
    config = Config() if config is None else config
    if not isinstance(config, Config):
        raise LessonkitTypeError(f"config should be a loops.Config such as Config(kind='ae'), not {type(config).__name__}.")
    train_loops, _ = as_loops(np.asarray(train_loops), "train_loops")
    valid_loops, _ = as_loops(np.asarray(valid_loops), "valid_loops")
    train_config = train_config or TrainConfig(max_seconds=120, lr=3e-3, eval_every=100, patience=None)
    torch.manual_seed(train_config.seed)
    net = LoopNet(config)
    with torch.no_grad():  # first guess: each token as often as in the loops
        freq = np.bincount(train_loops.ravel(), minlength=VOCAB_SIZE) + 1.0
        net.head.bias.copy_(torch.from_numpy(np.log(freq / freq.sum())).float())
    valid = torch.from_numpy(valid_loops[:1024])

    def sample_batch(rng):
        rows = train_loops[rng.integers(0, len(train_loops), config.batch_size)]
        return torch.from_numpy(transpose_batch(rows, rng, config.transpose))

    history = train(net, sample_batch, lambda m, b: loss(m, b), lambda m: float(loss(m, valid, sample=False)),
                    train_config)
    info = dict(steps=history.n_steps, seconds=round(history.seconds, 1), best_step=history.best_step,
                valid_loss=round(history.best_valid_loss, 4), n_train_loops=len(train_loops))
    return LoopModel(net, info), history
