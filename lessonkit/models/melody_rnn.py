"""A small neural melody model: a GRU that reads step tokens and predicts the next one.

Lesson: notebooks/02_ai_duet.ipynb

"The computer goes to the neural net and plays a possible response." This is that net.
At every step it reads the token just played (pitch, HOLD or REST, so pitch *and timing*
together) and where the next step falls in the bar, updates its memory (the hidden
state, 256 numbers), and outputs a probability for each of the 130 tokens of the next
step. Trained on thousands of folk tunes, it learns which notes and rhythms tend to follow.

Why a GRU (and not an LSTM or a transformer)? On 2 CPU cores in a 60-second lesson:

* a recurrent net answers one step at a time with a fixed-size memory, so a 2-bar answer
  is 32 small steps (0.1 ms each, :meth:`NeuralResponder.step`), however long the call was;
  a transformer looks back over the whole context at every step and needs a cache to be
  as cheap;
* a GRU has 3 gates where an LSTM has 4: a quarter fewer multiplications per step, so more
  training steps fit in the minute;
* what matters in folk tunes is mostly the last bar or two, which a GRU remembers well;
  a 1-layer GRU of 256 units reaches about 0.88 nats per step on the test tunes after
  60 s of training, against 1.12 for the best n-gram model (``benchmarks/RESULTS.md``).
  We did not try a transformer: the GRU met the target.

The position-in-bar input (0 = downbeat) tells it the meter, which it would otherwise
have to count for itself; an n-gram model cannot tell a downbeat from an off-beat.
Training starts with the output bias at the log frequency of each token (the net's first
guess is "as often as in the tunes"), which saved about 100 of the ~600 steps that fit in
a minute.

Left out on purpose: several layers, attention, a separate pitch/duration output (one
token per step already says both), an input telling which pitch is sounding (tried: no
gain after 400 steps), and key transposition as data augmentation (it did not help in a
60 s run; :mod:`lessonkit.models.responder` transposes calls into the model's range instead).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ..errors import DataFileError, LessonkitError, LessonkitTypeError, ModelError, expect_int, expect_number
from ..music import VOCAB_SIZE, Melody
from ..training import TrainConfig, train
from .base import load_weights, sample_token, save_weights
from .responder import BOS, Responder, as_melodies, positions

DEFAULT_WEIGHTS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "data",
                                                "duet_neural.safetensors"))


@dataclass
class Config:
    """Size of the network and of its training batches.

    Attributes
    ----------
    hidden : int
        Numbers in the GRU's memory.
    token_dim, position_dim : int
        Size of the learned vectors for a token and for a position in the bar.
    n_positions : int
        Positions in the bar it tells apart (16 in 4/4; longer bars share the last one).
    dropout : float
        Share of the memory dropped (zeroed) before the output while training.
    seq_len, batch_size : int
        Training windows: ``batch_size`` runs of ``seq_len`` steps (32 x 64 learned more in 60 s on
        2 busy cores than 32 x 128, 64 x 64 or 128 x 32).
    lr : float
        The learning rate :func:`train_model` uses when given no ``train_config``.
    """

    hidden: int = 256
    token_dim: int = 64
    position_dim: int = 16
    n_positions: int = 32
    dropout: float = 0.1
    seq_len: int = 64
    batch_size: int = 32
    lr: float = 5e-3

    def __post_init__(self):
        for name in ("hidden", "token_dim", "position_dim", "n_positions", "seq_len", "batch_size"):
            setattr(self, name, expect_int(getattr(self, name), name, low=1,
                                           advice=f"a whole number >= 1 such as {getattr(Config, name)}"))
        self.dropout = expect_number(self.dropout, "dropout", low=0.0, advice="a share from 0 (no dropout) up to "
                                     "but not including 1, such as 0.1")
        if self.dropout >= 1:
            raise ModelError(f"dropout={self.dropout:g} would drop all of the memory: use a share from 0 up to "
                             "but not including 1, such as 0.1.")
        self.lr = expect_number(self.lr, "lr", advice="a learning rate > 0 such as 5e-3", positive=True)


class MelodyRNN(nn.Module):
    """Token + position in -> GRU -> scores for the next token."""

    def __init__(self, config: Config = Config()):
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(VOCAB_SIZE + 1, config.token_dim)  # 130 tokens + BOS
        self.position_embedding = nn.Embedding(config.n_positions, config.position_dim)
        self.gru = nn.GRU(config.token_dim + config.position_dim, config.hidden, batch_first=True)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(config.hidden, VOCAB_SIZE)

    def forward(self, previous, position, state=None):
        """Scores for each step.

        Parameters
        ----------
        previous : torch.LongTensor, shape=(B, T)
            The token before each step (BOS = 130 before the first step of a tune).
        position : torch.LongTensor, shape=(B, T)
            Position in the bar of each step being predicted.
        state : torch.Tensor, shape=(1, B, hidden), optional
            Memory to start from (zeros if None).

        Returns
        -------
        logits : torch.Tensor, shape=(B, T, 130)
        state : torch.Tensor, shape=(1, B, hidden)
        """
        position = position.clamp(max=self.config.n_positions - 1)
        x = torch.cat([self.token_embedding(previous), self.position_embedding(position)], dim=-1)  # (B, T, E)
        h, state = self.gru(x, state)  # (B, T, hidden)
        return self.head(self.dropout(h)), state  # (B, T, 130)


# ----------------------------------------------------------------------------- data


def encode(tunes):
    """All tunes as three aligned streams, one entry per step.

    Returns
    -------
    previous, target, position : np.ndarray, each shape=(total_steps,), int64
        ``target`` is every step's token, ``previous`` the token before it (BOS at
        the start of each tune), ``position`` its place in the bar.
    """
    previous, target, position = [], [], []
    for tune in tunes:
        tokens = tune.to_tokens()
        previous.append(np.concatenate([[BOS], tokens[:-1]]))
        target.append(tokens)
        position.append(positions(len(tokens), tune.steps_per_bar, tune.pickup_steps))
    return tuple(np.concatenate(a).astype(np.int64) for a in (previous, target, position))


def _windows(stream, starts, seq_len):
    idx = starts[:, None] + np.arange(seq_len)  # (B, T)
    return tuple(torch.from_numpy(a[idx]) for a in stream)


def train_model(train_tunes, valid_tunes, config: Config = Config(), train_config: TrainConfig | None = None,
                *, seconds: float = 60, seed: int = 0):
    """Train a :class:`NeuralResponder` on some tunes.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    train_tunes, valid_tunes : list of Melody
        What to learn from, and what to measure the valid loss on (early stopping).
    config : Config
        The network's size and batches.
    train_config : lessonkit.training.TrainConfig, optional
        Full control of the loop. Without it: ``seconds`` of training at ``config.lr``, seeded by ``seed``.

    With the defaults (60 s, seed 0) on 2 CPU cores this reaches about 0.88 nats per step on
    held-out tunes (see ``data/README.md`` for the figures of the shipped model).

    Returns
    -------
    responder : NeuralResponder
    history : lessonkit.training.History
    """
    if config is None:
        config = Config()
    if isinstance(config, dict):
        raise LessonkitTypeError(f"config should be a melody_rnn.Config, not a dict. Write Config(**{config!r:.60}).")
    if not isinstance(config, Config):
        raise LessonkitTypeError(f"config should be a melody_rnn.Config such as Config(hidden=128), "
                                 f"not {type(config).__name__}.")
    if isinstance(train_config, dict):
        raise LessonkitTypeError("train_config should be a TrainConfig, not a dict. "
                                 f"Write TrainConfig(**{train_config!r:.60}).")
    if train_config is not None and not isinstance(train_config, TrainConfig):
        raise LessonkitTypeError(f"train_config should be a TrainConfig such as TrainConfig(max_steps=1000), "
                                 f"not {type(train_config).__name__}.")
    train_config = train_config or TrainConfig(max_seconds=seconds, seed=seed, lr=config.lr)
    train_tunes = _tune_list(train_tunes, "train_tunes")  # once: a generator can only be read once
    valid_tunes = _tune_list(valid_tunes, "valid_tunes")
    train_stream = encode(train_tunes)
    valid_stream = encode(valid_tunes)
    if len(train_stream[0]) <= config.seq_len:
        raise ModelError(f"Too little music to train on: {len(train_stream[0])} steps; give at least a few tunes.")
    torch.manual_seed(train_config.seed)
    model = MelodyRNN(config)
    with torch.no_grad():  # start from the guess "each token as often as in the tunes" (saves ~100 steps)
        counts = np.bincount(train_stream[1], minlength=VOCAB_SIZE) + 1.0
        model.head.bias.copy_(torch.from_numpy(np.log(counts / counts.sum())))
    # a fixed set of valid windows, at most 32,768 steps, so each evaluation is quick
    n_valid = max(1, min(256, (len(valid_stream[0]) - 1) // config.seq_len))
    valid_starts = np.linspace(0, len(valid_stream[0]) - config.seq_len - 1, n_valid).astype(np.int64)
    valid_batch = _windows(valid_stream, np.maximum(valid_starts, 0), min(config.seq_len, len(valid_stream[0])))

    def sample_batch(rng):
        starts = rng.integers(0, len(train_stream[0]) - config.seq_len, size=config.batch_size)
        return _windows(train_stream, starts, config.seq_len)

    def loss_fn(model, batch):
        previous, target, position = batch
        logits, _ = model(previous, position)  # (B, T, 130)
        return nn.functional.cross_entropy(logits.reshape(-1, VOCAB_SIZE), target.reshape(-1))

    def valid_loss(model):
        return float(loss_fn(model, valid_batch))

    history = train(model, sample_batch, loss_fn, valid_loss, train_config)
    pitches = np.concatenate([t.pitches for t in train_tunes])
    responder = NeuralResponder(model, pitch_range=(int(np.percentile(pitches, 0.1)), int(np.percentile(pitches, 99.9))),
                                centre_pitch=int(np.median(pitches)))
    responder.info = dict(seed=train_config.seed, steps=history.n_steps, seconds=round(history.seconds, 1),
                          best_valid_loss=round(history.best_valid_loss, 4), stopped_because=history.stopped_because)
    return responder, history


def _tune_list(tunes, name: str) -> list:
    """``tunes`` (a list, generator, or one Melody) as a non-empty list of Melody; the error names ``name``."""
    if tunes is None:
        raise ModelError(f"{name} is None: pass a list of Melody such as load_tunes('train').")
    if isinstance(tunes, (Melody, str)):
        tunes = [tunes]
    try:
        tunes = list(tunes)
    except TypeError:
        raise LessonkitTypeError(f"{name} should be a list of Melody such as load_tunes('train'), "
                                 f"not {type(tunes).__name__}.") from None
    if not tunes:
        raise ModelError(f"{name} is empty: pass at least a few tunes, such as load_tunes('train').")
    return as_melodies(tunes)


# ----------------------------------------------------------------------------- the responder


class NeuralResponder(Responder):
    """The trained network behind the :class:`~lessonkit.models.responder.Responder` interface."""

    kind = "neural"

    def __init__(self, model: MelodyRNN, pitch_range=(48, 96), centre_pitch=70):
        self.model = model.eval()
        self.pitch_range, self.centre_pitch = tuple(pitch_range), int(centre_pitch)
        self.info = {}

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    @torch.no_grad()
    def _log_softmax(self, sequences):
        """Log-probabilities of all 130 tokens at every step, one array shape=(n_steps, 130) per sequence."""
        out = [None] * len(sequences)
        order = np.argsort([len(s[0]) for s in sequences])
        for chunk in np.array_split(order, max(1, len(order) // 64)):
            length = max(len(sequences[i][0]) for i in chunk)
            previous = np.full((len(chunk), length), BOS, dtype=np.int64)
            position = np.zeros((len(chunk), length), dtype=np.int64)
            for row, i in enumerate(chunk):  # pad at the end: it cannot change earlier steps
                tokens, spb, pickup = sequences[i]
                previous[row, :len(tokens)] = np.concatenate([[BOS], tokens[:-1]])
                position[row, :len(tokens)] = positions(len(tokens), spb, pickup)
            logits, _ = self.model(torch.from_numpy(previous), torch.from_numpy(position))
            logp = torch.log_softmax(logits.double(), dim=-1).numpy()
            for row, i in enumerate(chunk):
                out[i] = logp[row, :len(sequences[i][0])]
        return out

    def log_probs(self, sequences) -> list:
        return [lp[np.arange(len(s[0])), s[0]] for lp, s in zip(self._log_softmax(sequences), sequences)]

    def predictions(self, sequences) -> list:
        return [lp.argmax(axis=1) for lp in self._log_softmax(sequences)]

    @torch.no_grad()
    def continue_tokens(self, tokens, n_steps, steps_per_bar, pickup_steps, temperature, rng):
        tokens = np.asarray(tokens, dtype=np.int64)
        previous = torch.from_numpy(np.concatenate([[BOS], tokens]))[None]  # (1, T+1)
        position = torch.from_numpy(positions(len(tokens) + 1, steps_per_bar, pickup_steps))[None]
        logits, memory = self.model(previous, position)  # read the call: (1, T+1, 130)
        logits, memory = logits[0, -1].double().numpy(), memory[0, 0].numpy()  # (130,), (hidden,)
        out, probs = [], []
        pos = positions(n_steps, steps_per_bar, pickup_steps, start=len(tokens) + 1)
        for t in range(n_steps):
            p = np.exp(logits - logits.max())
            p /= p.sum()  # softmax: (130,)
            probs.append(p)
            token = sample_token(self.playable(p, first=t == 0), temperature, rng)  # in range; starts with a note
            out.append(token)
            if t + 1 < n_steps:
                logits, memory = self.step(token, pos[t], memory)
        return np.array(out), np.array(probs)

    def step(self, token: int, position: int, memory: np.ndarray):
        """One step of the GRU, written out in numpy (what ``nn.GRU`` computes, fast for a single step).

        Parameters
        ----------
        token, position : int
            The token just played and the position in the bar of the next step.
        memory : np.ndarray, shape=(hidden,)

        Returns
        -------
        logits : np.ndarray, shape=(130,), float64
        memory : np.ndarray, shape=(hidden,), float32
        """
        m = self.model
        H = m.config.hidden
        x = np.concatenate([m.token_embedding.weight[token].detach().numpy(),
                            m.position_embedding.weight[min(position, m.config.n_positions - 1)].detach().numpy()])  # (E,)
        gi = m.gru.weight_ih_l0.detach().numpy() @ x + m.gru.bias_ih_l0.detach().numpy()  # (3H,): input's say on r, z, n
        gh = m.gru.weight_hh_l0.detach().numpy() @ memory + m.gru.bias_hh_l0.detach().numpy()  # (3H,): memory's say
        r = _sigmoid(gi[:H] + gh[:H])  # reset gate: how much old memory shapes the new candidate
        z = _sigmoid(gi[H:2 * H] + gh[H:2 * H])  # update gate: how much old memory is kept
        candidate = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        memory = (1 - z) * candidate + z * memory  # (H,)
        logits = m.head.weight.detach().numpy() @ memory + m.head.bias.detach().numpy()  # (130,)
        return logits.astype(np.float64), memory

    def save(self, path, *, overwrite: bool = False) -> str:
        """Save as safetensors (weights, config, pitch range, training figures)."""
        meta = dict(config=asdict(self.model.config), pitch_range=list(self.pitch_range),
                    centre_pitch=self.centre_pitch, info=self.info)
        return save_weights(path, self.model, meta, overwrite=overwrite)

    @classmethod
    def load(cls, path) -> "NeuralResponder":
        meta = load_weights(path)
        missing = [key for key in ("config", "pitch_range", "centre_pitch") if key not in meta]
        if missing:
            raise DataFileError(
                f"{os.fspath(path)!r} has weights but no {', '.join(missing)}: it is a training checkpoint "
                "(TrainConfig(checkpoint_path=...)), not a saved duet model. Save a responder with "
                "responder.save(path), or load the weights into a MelodyRNN with "
                "lessonkit.training.load_checkpoint(path, model).")
        try:
            model = MelodyRNN(Config(**meta["config"]))
            model.load_state_dict(meta.pop("state_dict"))
        except (TypeError, RuntimeError, LessonkitError) as err:
            raise DataFileError(f"{os.fspath(path)!r} does not hold a model this lessonkit can build "
                                f"({type(err).__name__}: {str(err)[:200]}). Rebuild it with its training "
                                "command.") from None
        responder = cls(model, meta["pitch_range"], meta["centre_pitch"])
        responder.info = meta.get("info", {})
        return responder

    def __repr__(self):
        return f"NeuralResponder(GRU {self.model.config.hidden}, {self.n_parameters:,} weights)"


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def load_pretrained(path: str | None = None) -> NeuralResponder:
    """The shipped model, ``data/duet_neural.safetensors`` (rebuild: ``python -m lessonkit train duet``)."""
    if path is None and not os.path.exists(DEFAULT_WEIGHTS):
        raise DataFileError(f"The duet model {DEFAULT_WEIGHTS} is missing. Restore it with "
                            "`git checkout -- data/duet_neural.safetensors` or rebuild it with "
                            "`python -m lessonkit train duet` (about 8 minutes).")
    return NeuralResponder.load(path or DEFAULT_WEIGHTS)
