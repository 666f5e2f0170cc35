"""Latent Loops: a melody VAE (and a plain autoencoder) over 2-bar loops of 32 step tokens.

Lesson: notebooks/04_latent_loops.ipynb

MusicVAE-style, small enough for 2 CPU cores:

* the **encoder** reads the loop both ways (a bidirectional GRU) and squeezes it into a
  code ``z`` of 64 numbers (for the VAE: a mean and a spread, and ``z`` is drawn from them);
* the **decoder** (a GRU) writes the loop back one step at a time, fed at every step
  ``z``, the token it wrote before and the position in the two bars.

Why **free bits and a small beta** (``kl_weight`` 0.2, ``free_bits`` 48 nats)? The VAE's
loss is "rebuild the loop" plus ``beta`` times the KL term "keep the codes close to a plain
Gaussian". A full-weight KL squeezes the codes so hard that the decoder learns to ignore
``z`` and just plays a likely folk tune (posterior collapse): no expression. With free bits
the first 48 nats of KL per loop cost nothing, so ``z`` keeps about 48 nats (~70 bits) about
each loop, enough to rebuild it, and the small beta still pulls the codes together into
one smooth cloud, so points between and around them decode to real-sounding loops
(realism, smoothness). The **AE** is the same network with ``z`` = the mean and no KL: it
rebuilds loops as well or better, but its codes are scattered, so a random point or a
midpoint often lands in a "hole" (see :mod:`lessonkit.latent`).

**Word dropout** (30 % of the decoder's "previous token" inputs replaced by an UNKNOWN
token while training) makes the decoder lean on ``z`` instead of on the previous token, and
**transposition** (each training loop moved by -5..+6 semitones) shows it every loop in 12
keys. They are the levers an earlier try pointed at (0.97 accuracy on training loops, 0.86 held
out: generalisation, not capacity, was the limit); on our shared 2-core machine there was no
time to measure each one alone (figures in ``data/README.md`` and ``benchmarks/RESULTS.md``).

Left out on purpose: MusicVAE's hierarchical "conductor" decoder (for 16-bar sequences; 2 bars
do not need it), LSTMs (a GRU has a quarter fewer multiplications per step), and KL annealing
(free bits already keep the code in use from the first step).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..errors import LessonkitTypeError, ModelError
from ..music import HOLD, REST, VOCAB_SIZE, Melody
from ..training import TrainConfig, _number, _whole, load_checkpoint, save_checkpoint, train

LOOP_STEPS = 32
"""Steps in a loop: 2 bars of 4/4 in 16th notes."""
BOS = VOCAB_SIZE  # 130: the "previous token" before the first step
UNK = VOCAB_SIZE + 1  # 131: word dropout's "unknown previous token"
KINDS = ("vae", "ae")
DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "data"))
ATTRIBUTES = ("note_density", "pitch_height", "rests")
"""Names :meth:`LoopModel.attribute_vector` knows."""


class LoopError(ModelError):
    """A loop, a code or an option the loop models cannot use (wrong length, bad token, ...)."""


@dataclass
class Config:
    """Size of the network and how it is trained.

    Attributes
    ----------
    kind : {"vae", "ae"}
    z_dim, encoder_hidden, decoder_hidden, token_dim, position_dim : int
    kl_weight : float
        beta, the weight of the KL term beyond the free bits (VAE only).
    free_bits : float
        Nats of KL per loop that cost nothing (VAE only).
    word_dropout : float
        Share of the decoder's previous-token inputs replaced by UNKNOWN while training, 0..<1.
    transpose : int
        Training loops are moved by a random -transpose..+transpose+1 semitones (0: never).
    batch_size : int
    """

    kind: str = "vae"
    z_dim: int = 64
    encoder_hidden: int = 128
    decoder_hidden: int = 256
    token_dim: int = 64
    position_dim: int = 16
    kl_weight: float = 0.2
    free_bits: float = 48.0
    word_dropout: float = 0.3
    transpose: int = 5
    batch_size: int = 64

    def __post_init__(self):
        if self.kind not in KINDS:
            raise LoopError(f"kind={self.kind!r}: choose 'vae' (with the KL term) or 'ae' (a plain autoencoder).")
        for name in ("z_dim", "encoder_hidden", "decoder_hidden", "token_dim", "position_dim", "batch_size"):
            setattr(self, name, _whole(getattr(self, name), name, 1, f"a whole number >= 1 such as {getattr(Config, name)}"))
        self.transpose = _whole(self.transpose, "transpose", 0, "a number of semitones >= 0 such as 5")
        self.kl_weight = _number(self.kl_weight, "kl_weight", "a weight >= 0 such as 0.2", low=0.0)
        self.free_bits = _number(self.free_bits, "free_bits", "nats >= 0 such as 48", low=0.0)
        self.word_dropout = _number(self.word_dropout, "word_dropout", "a share from 0 to 0.9 such as 0.3",
                                    low=0.0, high=0.9)


class LoopNet(nn.Module):
    """Bidirectional GRU encoder -> z -> GRU decoder fed (z, previous token, position)."""

    def __init__(self, config: Config = Config()):
        super().__init__()
        c = self.config = config
        self.enc_embedding = nn.Embedding(VOCAB_SIZE, c.token_dim)
        self.encoder = nn.GRU(c.token_dim, c.encoder_hidden, batch_first=True, bidirectional=True)
        self.to_mu = nn.Linear(2 * c.encoder_hidden, c.z_dim)
        self.to_logvar = nn.Linear(2 * c.encoder_hidden, c.z_dim)
        self.dec_embedding = nn.Embedding(VOCAB_SIZE + 2, c.token_dim)  # 130 tokens + BOS + UNK
        self.position = nn.Embedding(LOOP_STEPS, c.position_dim)
        self.z_to_state = nn.Linear(c.z_dim, c.decoder_hidden)
        self.decoder = nn.GRU(c.token_dim + c.position_dim + c.z_dim, c.decoder_hidden, batch_first=True)
        self.head = nn.Linear(c.decoder_hidden, VOCAB_SIZE)

    def encode(self, tokens):
        """tokens (B, 32) long -> mu, logvar (B, z_dim) float32 (logvar is zeros for the AE)."""
        _, h = self.encoder(self.enc_embedding(tokens))  # h: (2, B, H), forward and backward
        h = torch.cat([h[0], h[1]], dim=-1)  # (B, 2H)
        mu = self.to_mu(h)
        return mu, (self.to_logvar(h) if self.config.kind == "vae" else torch.zeros_like(mu))

    def _inputs(self, z, previous, start):
        """(B, T) previous tokens -> (B, T, token+position+z) decoder inputs for steps start..start+T."""
        B, T = previous.shape
        pos = self.position(torch.arange(start, start + T).expand(B, T))
        return torch.cat([self.dec_embedding(previous), pos, z[:, None, :].expand(B, T, z.shape[1])], dim=-1)

    def logits(self, z, tokens):
        """Teacher-forced scores: z (B, z_dim), tokens (B, 32) -> (B, 32, 130)."""
        previous = torch.cat([torch.full_like(tokens[:, :1], BOS), tokens[:, :-1]], dim=1)
        if self.training and self.config.word_dropout > 0:
            drop = torch.rand(previous.shape) < self.config.word_dropout
            previous = torch.where(drop, torch.full_like(previous, UNK), previous)
        state = torch.tanh(self.z_to_state(z))[None]  # (1, B, H)
        out, _ = self.decoder(self._inputs(z, previous, 0), state)
        return self.head(out)

    @torch.no_grad()
    def generate(self, z, temperature: float = 0.0, generator=None):
        """Write loops step by step from z (B, z_dim): greedy (temperature 0) or sampled -> (B, 32) long."""
        B = z.shape[0]
        state = torch.tanh(self.z_to_state(z))[None]
        previous = torch.full((B, 1), BOS, dtype=torch.long)
        out = torch.empty((B, LOOP_STEPS), dtype=torch.long)
        for t in range(LOOP_STEPS):
            h, state = self.decoder(self._inputs(z, previous, t), state)
            scores = self.head(h[:, 0])  # (B, 130)
            if t == 0:
                scores[:, HOLD] = -torch.inf  # a loop never starts on HOLD
            if temperature == 0:
                token = scores.argmax(dim=-1)
            else:
                token = torch.multinomial(torch.softmax(scores / temperature, dim=-1), 1, generator=generator)[:, 0]
            out[:, t] = token
            previous = token[:, None]
        return out


def loss_terms(net: LoopNet, tokens, sample: bool = True):
    """Reconstruction (nats per loop, summed over the 32 steps) and KL (nats per loop), batch means."""
    mu, logvar = net.encode(tokens)
    if net.config.kind == "vae" and sample:
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    else:
        z = mu
    scores = net.logits(z, tokens)
    recon = nn.functional.cross_entropy(scores.reshape(-1, VOCAB_SIZE), tokens.reshape(-1), reduction="sum")
    recon = recon / tokens.shape[0]
    kl = (0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)).mean() if net.config.kind == "vae" else mu.new_zeros(())
    return recon, kl


def loss(net: LoopNet, tokens, sample: bool = True):
    """The training loss in nats per step: (reconstruction + beta * max(KL - free bits, 0)) / 32."""
    recon, kl = loss_terms(net, tokens, sample)
    c = net.config
    penalty = c.kl_weight * torch.clamp(kl - c.free_bits, min=0) if c.kind == "vae" else 0.0
    return (recon + penalty) / LOOP_STEPS


def transpose_batch(tokens: np.ndarray, rng: np.random.Generator, semitones: int) -> np.ndarray:
    """Move each loop (row) by its own random -semitones..+semitones+1, keeping pitches in 0..127."""
    if semitones == 0:
        return tokens
    shift = rng.integers(-semitones, semitones + 2, size=(len(tokens), 1))
    notes = tokens < 128
    moved = np.where(notes, tokens + shift, tokens)
    return np.where(notes & ((moved < 0) | (moved > 127)), tokens, moved)


# ----------------------------------------------------------------------------- checking input


def as_loops(loops, name: str = "loops") -> tuple[np.ndarray, bool]:
    """Loops as an int64 array (n, 32), and whether one loop (not a list) was given.

    Takes a Melody of 32 steps, a token sequence of 32, or a list/array of them.
    Raises LoopError for a wrong length, tokens outside 0..129, or an empty list.
    """
    single = isinstance(loops, Melody) or (np.ndim(loops) == 1 and not isinstance(loops, (list, tuple)) or (
        isinstance(loops, (list, tuple)) and len(loops) > 0 and not isinstance(loops[0], (Melody, list, tuple, np.ndarray))))
    items = [loops] if single else list(loops) if isinstance(loops, (list, tuple, np.ndarray)) else None
    if items is None:
        raise LessonkitTypeError(f"{name} should be a loop (32 step tokens or a Melody of 2 bars) or a list of them, "
                                 f"not {type(loops).__name__}.")
    if not items:
        raise LoopError(f"{name} is empty: give at least one loop, e.g. load_loops('valid')[:1].")
    rows = []
    for i, item in enumerate(items):
        where = name if single else f"{name}[{i}]"
        if isinstance(item, Melody):
            item = item.to_tokens()
        try:
            row = np.asarray(item)
        except Exception:
            raise LessonkitTypeError(f"{where} is not a sequence of step tokens.") from None
        if row.ndim != 1:
            raise LoopError(f"{where} has shape {row.shape}; a loop is one row of {LOOP_STEPS} step tokens.")
        if row.size and not np.issubdtype(row.dtype, np.integer):
            if np.issubdtype(row.dtype, np.floating) and np.all(np.isfinite(row)) and np.all(row == np.round(row)):
                row = row.astype(np.int64)
            else:
                raise LessonkitTypeError(f"{where} holds {row.dtype} values; step tokens are whole numbers 0..129.")
        if len(row) != LOOP_STEPS:
            raise LoopError(f"{where} has {len(row)} steps, but a loop has exactly {LOOP_STEPS} (2 bars of 16 "
                            f"sixteenth notes). Cut or pad it, e.g. melody.window(0, 32).")
        bad = (row < 0) | (row >= VOCAB_SIZE)
        if bad.any():
            raise LoopError(f"{where} has token {int(row[bad][0])} at step {int(np.flatnonzero(bad)[0])}: use 0..127 "
                            f"(a note starts), {HOLD} (HOLD) or {REST} (REST).")
        rows.append(row.astype(np.int64))
    return np.stack(rows), single


def as_codes(z, z_dim: int, name: str = "z") -> tuple[np.ndarray, bool]:
    """Codes as float32 (n, z_dim) and whether one code was given; LoopError otherwise."""
    try:
        a = np.asarray(z, dtype=np.float32)
    except Exception:
        raise LessonkitTypeError(f"{name} should be a code of {z_dim} numbers (from .encode or .sample_codes), "
                                 f"not {type(z).__name__}.") from None
    if a.ndim not in (1, 2) or a.shape[-1] != z_dim or a.size == 0:
        raise LoopError(f"{name} has shape {a.shape}; a code is {z_dim} numbers, shape ({z_dim},) or (n, {z_dim}).")
    if not np.all(np.isfinite(a)):
        raise LoopError(f"{name} contains NaN or infinity; codes are ordinary numbers (about -4..4).")
    return (a[None] if a.ndim == 1 else a), a.ndim == 1


def _check_temperature(temperature) -> float:
    from .duet import check_temperature

    return check_temperature(temperature)


def _check_seed(seed) -> int:
    from .duet import check_seed

    return check_seed(seed)


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
        gen = torch.Generator().manual_seed(seed)
        out = self.net.generate(torch.from_numpy(codes), temperature, gen).numpy()
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
        a, b = self.encode(_one(tokens_a, "tokens_a")), self.encode(_one(tokens_b, "tokens_b"))
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
        from ..latent import attribute_values

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
