"""Latent Loops, the network: a melody VAE (and a plain autoencoder) over 2-bar loops of 32 step tokens.

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

This module holds the network, its loss, the input checks and the loop attributes; the public
edge (:class:`~lessonkit.models.loops.LoopModel`, ``load_pretrained``, ``train_model``) is
:mod:`lessonkit.models.loops`.

**Word dropout** (in the shipped models, 30 % of the decoder's "previous token" inputs
replaced by an UNKNOWN token while training) makes the decoder lean on ``z`` instead of on the
previous token, and **transposition** (each training loop moved by -5..+6 semitones) shows it
every loop in 12 keys. They are the levers an earlier try pointed at (0.97 accuracy on training
loops, 0.86 held out: generalisation, not capacity, was the limit). In a 2-minute run word
dropout only slows learning (0.866 teacher-forced without it, 0.852 with 10 %), so the
in-class defaults of :class:`Config` leave it out (figures in ``data/README.md`` and
``benchmarks/RESULTS.md``).

Left out on purpose: MusicVAE's hierarchical "conductor" decoder (for 16-bar sequences; 2 bars
do not need it), LSTMs (a GRU has a quarter fewer multiplications per step), and KL annealing
(free bits already keep the code in use from the first step).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..errors import LessonkitTypeError, ModelError, expect_int, expect_number
from ..music import HOLD, REST, VOCAB_SIZE, Melody

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

    The defaults are the **in-class** model: ``train_model(train, valid)`` with them reaches
    held-out teacher-forced accuracy about 0.86 and greedy about 0.76 in 2 minutes on 2 cores
    (``benchmarks/RESULTS.md``, *loops_training*). The shipped models are bigger and regularised
    for a long run: ``Config(decoder_hidden=256, word_dropout=0.3)``, made by
    ``python -m lessonkit train loops``.

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
    decoder_hidden: int = 128
    token_dim: int = 64
    position_dim: int = 16
    kl_weight: float = 0.2
    free_bits: float = 48.0
    word_dropout: float = 0.0
    transpose: int = 5
    batch_size: int = 64

    def __post_init__(self):
        if self.kind not in KINDS:
            raise LoopError(f"kind={self.kind!r}: choose 'vae' (with the KL term) or 'ae' (a plain autoencoder).")
        for name in ("z_dim", "encoder_hidden", "decoder_hidden", "token_dim", "position_dim", "batch_size"):
            setattr(self, name, expect_int(getattr(self, name), name, low=1,
                                           advice=f"a whole number >= 1 such as {getattr(Config, name)}"))
        self.transpose = expect_int(self.transpose, "transpose", low=0, advice="a number of semitones >= 0 such as 5")
        self.kl_weight = expect_number(self.kl_weight, "kl_weight", low=0.0, advice="a weight >= 0 such as 0.2")
        self.free_bits = expect_number(self.free_bits, "free_bits", low=0.0, advice="nats >= 0 such as 48")
        self.word_dropout = expect_number(self.word_dropout, "word_dropout", low=0.0, high=0.9,
                                          advice="a share from 0 to 0.9 such as 0.3")


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

    def generate(self, z: np.ndarray, temperature: float = 0.0, rng: np.random.Generator | None = None) -> np.ndarray:
        """Write loops step by step from codes: z (B, z_dim) float32 -> (B, 32) int64 tokens.

        ``temperature`` 0 takes the most likely token at each step (greedy); above 0 it draws
        from the softmax of the scores divided by the temperature, with ``rng`` (default
        ``np.random.default_rng(0)``: same call, same loops).

        This is the decoder GRU of :meth:`logits` (same weights, same equations as ``nn.GRU``),
        run one step at a time in numpy, which is twice as fast as torch for such small steps
        (a palette or an interpolation decodes while you wait). The input is [previous token,
        position, z], and only the token part changes from step to step, so the weights meet
        the position and z once for all 32 steps, and each token's share is one row of a
        table. ``tests/test_loops.py`` checks that the loops written here are the ones
        :meth:`logits` scores highest.
        """
        B, H, d, p = z.shape[0], self.config.decoder_hidden, self.config.token_dim, self.config.position_dim
        rng = np.random.default_rng(0) if rng is None else rng
        weight = {name: value.detach().numpy() for name, value in self.named_parameters()}
        w = weight["decoder.weight_ih_l0"]                                      # (3H, token + position + z)
        token_part = weight["dec_embedding.weight"] @ w[:, :d].T                # (132, 3H): one row per token
        position_part = weight["position.weight"] @ w[:, d:d + p].T             # (32, 3H): one row per step
        z_part = z @ w[:, d + p:].T + weight["decoder.bias_ih_l0"]              # (B, 3H): one row per loop
        w_hidden, b_hidden = weight["decoder.weight_hh_l0"].T, weight["decoder.bias_hh_l0"]
        w_head, b_head = weight["head.weight"].T, weight["head.bias"]
        h = np.tanh(z @ weight["z_to_state.weight"].T + weight["z_to_state.bias"])   # (B, H)
        previous = np.full(B, BOS)
        out = np.empty((B, LOOP_STEPS), dtype=np.int64)
        for t in range(LOOP_STEPS):
            x = position_part[t] + z_part + token_part[previous]               # input side, gates r, u, n
            g = h @ w_hidden + b_hidden                                         # hidden side
            ru = 1.0 / (1.0 + np.exp(-(x[:, :2 * H] + g[:, :2 * H])))         # reset and update gates
            r, u = ru[:, :H], ru[:, H:]
            n = np.tanh(x[:, 2 * H:] + r * g[:, 2 * H:])                        # candidate state
            h = n + u * (h - n)                                                 # (1 - u) * n + u * h
            scores = h @ w_head + b_head                                        # (B, 130)
            if t == 0:
                scores[:, HOLD] = -np.inf  # a loop never starts on HOLD
            if temperature == 0:
                token = scores.argmax(axis=1)
            else:
                p_token = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
                cumulative = np.cumsum(p_token / p_token.sum(axis=1, keepdims=True), axis=1)
                token = np.minimum((cumulative < rng.random((B, 1))).sum(axis=1), VOCAB_SIZE - 1)
            out[:, t] = token
            previous = token
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


def attribute_values(loops, name: str = "note_density") -> np.ndarray:
    """One number per loop: "note_density" (note starts), "pitch_height" (mean pitch, MIDI), "rests" (REST steps).

    Lesson: notebooks/04_latent_loops.ipynb

    Parameters
    ----------
    loops : array-like, shape=(n, 32) or (32,), int step tokens

    Returns
    -------
    np.ndarray, shape=(n,), float64
    """
    a = as_loops(loops)[0]
    if name == "note_density":
        return (a < 128).sum(1).astype(float)
    if name == "pitch_height":
        return np.array([row[row < 128].mean() if (row < 128).any() else np.nan for row in a])
    if name == "rests":
        return (a == REST).sum(1).astype(float)
    raise LoopError(f"No attribute {name!r}: choose one of {', '.join(map(repr, ATTRIBUTES))}.")
