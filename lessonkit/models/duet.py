"""AI Duet: play a phrase, get an answer. One interface for every responder.

Lesson: notebooks/01_rules_vs_examples.ipynb, notebooks/02_ai_duet.ipynb

Three kinds of responder answer a student's phrase (the *call* or *primer*):

* ``"rules"``   a rule written by a person (echo it, invert it, answer on the dominant...),
  :mod:`lessonkit.models.rules`;
* ``"markov"``  an n-gram Markov model that counted note transitions in the folk tunes,
  :mod:`lessonkit.models.markov`;
* ``"neural"``  a small recurrent neural network trained on the same tunes,
  :mod:`lessonkit.models.melody_rnn`.

All of them are a :class:`Responder`::

    duet = load_pretrained("neural")
    answer = duet.respond(Melody.parse("C4 E4 G4 E4 | C4*2 r*2"), bars=2, temperature=1.0, seed=0)
    duet.nll(load_tunes("test"))        # mean nats per step on held-out tunes: lower is better

How an answer is made (the same for every responder)
----------------------------------------------------
1. The call is read as step tokens (see :mod:`lessonkit.music`) and padded with rests to
   the next bar line: **the answer starts on the first beat of the bar after the call**
   and always begins with a note.
2. Learned models know the pitches of their training tunes, so the call is first
   **moved into the model's range**: every transposition within an octave of the model's
   middle is tried, and the one the model finds most familiar (highest likelihood) wins.
   The model answers there, and the answer is moved back by the same number of
   semitones, so it comes out in the key and register of the call. Rules need no such move.
3. ``bars * steps_per_bar`` steps are generated (the call's meter sets the bar length).

Bad input (tested in ``tests/test_duet.py``)
--------------------------------------------
* A call with no notes (an empty list, all rests) or a pitch that is not 0..127:
  :class:`~lessonkit.errors.ModelError` / :class:`~lessonkit.errors.MelodyError`.
* A call wider than the model's pitch range: :class:`~lessonkit.errors.ModelError`.
* Only the last :data:`MAX_PRIMER_STEPS` steps of a long call are listened to.
* ``temperature`` must be a finite number >= 0; **0 means "always take the most likely
  token"** (greedy), anything below 0 is a ModelError.
* ``bars`` must be a whole number from 1 to :data:`MAX_BARS`; 0 or 10,000 is a ModelError.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import LessonkitTypeError, ModelError
from ..music import HOLD, REST, VOCAB_SIZE, Melody

MAX_BARS = 64
"""Longest answer, in bars (64 bars of 4/4 at 120 bpm is over two minutes)."""
MAX_PRIMER_STEPS = 256
"""Only this many of the call's last steps are listened to (16 bars of 4/4)."""
BOS = VOCAB_SIZE
"""Input-only token that marks the start of a tune (130); models never output it."""
KINDS = ("rules", "markov", "neural")


# ----------------------------------------------------------------------------- checking input


def as_primer(primer) -> Melody:
    """Turn what a student passes as a call into a :class:`Melody`.

    Accepts a Melody, melody text (``"C4 D4 E4"``) or step tokens (a list or array of
    0..129). Raises :class:`ModelError` for an empty call or one with only rests.
    """
    if isinstance(primer, Melody):
        return primer
    if isinstance(primer, str):
        if not primer.strip():
            raise ModelError('The call is empty. Play or type at least one note, e.g. "C4 D4 E4".')
        return Melody.parse(primer)
    if isinstance(primer, (list, tuple, np.ndarray)):
        tokens = np.asarray(primer)
        if tokens.size == 0:
            raise ModelError('The call is empty. Play or type at least one note, e.g. "C4 D4 E4".')
        if not np.issubdtype(tokens.dtype, np.integer):
            raise LessonkitTypeError("Step tokens must be whole numbers 0..129.")
        if tokens.ndim == 1 and tokens.size and np.all((tokens == REST) | (tokens == HOLD)):
            raise ModelError("The call has only rests. Play at least one note for the computer to answer.")
        return Melody.from_tokens(tokens)
    raise LessonkitTypeError(
        f"The call should be a Melody, melody text or step tokens, not {type(primer).__name__}. "
        'Try Melody.parse("C4 D4 E4").'
    )


def check_bars(bars) -> int:
    """Validate an answer length in bars (1..MAX_BARS)."""
    if isinstance(bars, bool) or not isinstance(bars, (int, np.integer)):
        raise LessonkitTypeError(f"bars should be a whole number such as 2, not {bars!r}.")
    if not 1 <= int(bars) <= MAX_BARS:
        raise ModelError(f"bars={int(bars)}: an answer is 1 to {MAX_BARS} bars long. Try bars=2.")
    return int(bars)


def check_temperature(temperature) -> float:
    """Validate a temperature: a finite number >= 0 (0 = always the most likely token)."""
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)):
        raise LessonkitTypeError(f"temperature should be a number such as 1.0, not {temperature!r}.")
    temperature = float(temperature)
    if not math.isfinite(temperature) or temperature < 0:
        raise ModelError(
            f"temperature={temperature:g}: use a number >= 0. 1.0 samples as the model learned, "
            "smaller is safer (0 always takes the most likely token), larger is wilder."
        )
    return temperature


def check_seed(seed) -> int:
    """Validate a seed: a whole number >= 0 (the same seed gives the same answer)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ModelError(f"seed should be a whole number >= 0 such as 0 or 42, not {seed!r:.40}. "
                         "Change it to hear a different answer.")
    if seed < 0:
        raise ModelError(f"seed={int(seed)}: a seed cannot be negative. Use a whole number >= 0 such as 0 or 42.")
    return int(seed)


def as_melodies(melodies) -> list:
    """A Melody or a list of them (or of token arrays) as a non-empty list of Melody."""
    if isinstance(melodies, (Melody, str)):
        melodies = [melodies]
    try:
        melodies = list(melodies)
    except TypeError:
        raise LessonkitTypeError("nll takes a Melody or a list of Melody.") from None
    if not melodies:
        raise ModelError("nll got no melodies. Pass a list such as load_tunes('test').")
    return [as_primer(m) for m in melodies]


def positions(length_steps: int, steps_per_bar: int, pickup_steps: int = 0, start: int = 0) -> np.ndarray:
    """Position in the bar (0 = downbeat) of steps ``start .. start+length_steps-1``.

    Returns
    -------
    np.ndarray, shape=(length_steps,), dtype=int64, values 0..steps_per_bar-1
    """
    steps = np.arange(start, start + length_steps)
    return (steps - pickup_steps) % steps_per_bar


def sample_token(probs: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Draw one token from ``probs`` (shape=(V,)) reshaped by a temperature.

    ``p ** (1 / temperature)``, renormalised (see :func:`apply_temperature`): 1 leaves it,
    < 1 sharpens, > 1 flattens, 0 takes the most likely token. A token of probability 0
    stays at 0 at any temperature.
    """
    p = apply_temperature(np.asarray(probs, dtype=np.float64), temperature)
    if temperature == 0:
        return int(np.argmax(p))
    return int(rng.choice(len(p), p=p))


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The distribution that :func:`sample_token` draws from.

    Parameters
    ----------
    probs : np.ndarray, shape=(..., V), float, each row summing to 1
    temperature : float
        >= 0. 0 puts all the mass on each row's most likely token.

    Returns
    -------
    np.ndarray, shape like ``probs``, float64
        ``probs ** (1 / temperature)``, each row renormalised. Zeros (tokens ruled out,
        e.g. by :meth:`Responder.playable`) stay zero at any temperature.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if temperature == 0:
        out = np.zeros_like(probs)
        np.put_along_axis(out, np.argmax(probs, axis=-1)[..., None], 1.0, axis=-1)
        return out
    with np.errstate(divide="ignore"):
        logp = np.where(probs > 0, np.log(np.where(probs > 0, probs, 1.0)), -np.inf) / temperature
    p = np.exp(logp - logp.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


# ----------------------------------------------------------------------------- the interface


class Responder:
    """Something that answers a musical phrase. Subclasses fill in two methods.

    A learned model implements :meth:`log_probs` (how likely each step of some tunes is)
    and :meth:`continue_tokens` (sample steps after a context). A rule overrides
    :meth:`generate` instead. Everything else (checking input, moving into range,
    bars and meters) lives here, once.

    Attributes
    ----------
    kind : str
        ``"rules"``, ``"markov"`` or ``"neural"``.
    pitch_range : tuple of int
        Lowest and highest MIDI pitch the model knows (learned models).
    """

    kind = "base"
    pitch_range = (0, 127)
    centre_pitch = 67

    # -- what a learned model implements ------------------------------------------

    def log_probs(self, sequences) -> list:
        """Log-probability (nats) of every step of each sequence.

        Parameters
        ----------
        sequences : list of (tokens, steps_per_bar, pickup_steps)
            ``tokens`` int array shape=(n_steps,), values 0..129.

        Returns
        -------
        list of np.ndarray, each shape=(n_steps,), float64, values <= 0
        """
        raise NotImplementedError

    def continue_tokens(self, tokens, n_steps, steps_per_bar, pickup_steps, temperature, rng):
        """Sample ``n_steps`` tokens after a context; the first one is always a note.

        Returns
        -------
        tokens : np.ndarray, shape=(n_steps,), int64
        probs : np.ndarray, shape=(n_steps, 130), float64
            The model's distribution at each step (before the temperature).
        """
        raise NotImplementedError

    def playable(self, probs: np.ndarray, first: bool) -> np.ndarray:
        """``probs`` (shape=(130,)) limited to what an answer may play, renormalised.

        Only pitches inside :attr:`pitch_range` (the model never plays a note it has hardly
        seen), and on the first step of the answer only pitches (it starts with a note).
        """
        low, high = self.pitch_range
        p = probs.copy()
        p[:low] = 0
        p[high + 1:128] = 0
        if first:
            p[128:] = 0
        return p / p.sum()

    # -- the public interface ----------------------------------------------------------

    def respond(self, primer, bars: int = 2, temperature: float = 1.0, seed: int = 0) -> Melody:
        """Answer a call with ``bars`` bars of melody.

        Lesson: notebooks/02_ai_duet.ipynb

        Parameters
        ----------
        primer : Melody or str or array-like of int
            The call: a Melody, melody text (``"C4 D4 E4"``) or step tokens.
        bars : int
            Length of the answer in bars of the call's meter, 1..:data:`MAX_BARS`.
        temperature : float
            >= 0. 1 samples as learned; towards 0 safer and more repetitive (0 =
            always the most likely token); above 1 more surprising.
        seed : int
            Same seed, same answer.

        Returns
        -------
        Melody
            The answer alone, starting at step 0, ``bars * steps_per_bar`` steps long,
            in the call's tempo and meter. Play both with ``call.then(answer)``.
        """
        return self.generate(primer, bars, temperature, seed)[0]

    def generate(self, primer, bars: int = 2, temperature: float = 1.0, seed: int = 0):
        """Like :meth:`respond`, and also the model's next-step probabilities.

        Returns
        -------
        answer : Melody
        probs : np.ndarray, shape=(bars * steps_per_bar, 130), float64
            Row ``t`` is the model's distribution over the 130 step tokens at answer
            step ``t`` (before the temperature), in the call's key. Draw it with
            :func:`lessonkit.plots.probability_heatmap`.
        """
        call = as_primer(primer)
        bars, temperature, seed = check_bars(bars), check_temperature(temperature), check_seed(seed)
        spb = call.steps_per_bar
        tokens, pickup = _padded_call(call)
        shift = self.choose_shift(tokens, spb, pickup)
        rng = np.random.default_rng(seed)
        out, probs = self.continue_tokens(tokens + _shift_mask(tokens) * shift, bars * spb, spb, pickup,
                                          temperature, rng)
        out = np.asarray(out, dtype=np.int64)
        notes = out < 128
        out[notes] = _fold_into_midi(out[notes] - shift)
        probs = _unshift_probs(np.asarray(probs, dtype=np.float64), shift)
        answer = Melody.from_tokens(out, tempo_bpm=call.tempo_bpm, meter=call.meter)
        answer.meta.update(kind=self.kind, transposed_by=int(shift), temperature=temperature, seed=seed)
        return answer, probs

    def nll(self, melodies) -> float:
        """Mean negative log-likelihood per step (nats) of some tunes: how surprised the model is.

        Lesson: notebooks/02_ai_duet.ipynb

        Every step of every tune counts once (the first is predicted from nothing but
        "a tune starts here"); tunes are scored in their own key. ``exp(nll)`` is the
        *perplexity*: the model is as unsure as if it chose among that many tokens.

        Parameters
        ----------
        melodies : Melody or list of Melody

        Returns
        -------
        float
            Nats per step, >= 0. Lower is better.
        """
        melodies = as_melodies(melodies)
        seqs = [(m.to_tokens(), m.steps_per_bar, m.pickup_steps) for m in melodies]
        lps = self.log_probs(seqs)
        return float(-sum(lp.sum() for lp in lps) / sum(len(lp) for lp in lps))

    def accuracy(self, melodies) -> float:
        """Share of steps (0..1) where the model's most likely next token is the right one."""
        melodies = as_melodies(melodies)
        seqs = [(m.to_tokens(), m.steps_per_bar, m.pickup_steps) for m in melodies]
        right, total = 0, 0
        for (tokens, _, _), pred in zip(seqs, self.predictions(seqs)):
            right += int((pred == tokens).sum())
            total += len(tokens)
        return right / total

    def predictions(self, sequences) -> list:
        """Most likely token at each step (teacher forcing); subclasses may do it faster."""
        raise NotImplementedError(f"{type(self).__name__} cannot predict tokens.")

    # -- moving the call into the model's range -----------------------------------------

    def choose_shift(self, tokens: np.ndarray, steps_per_bar: int, pickup_steps: int) -> int:
        """Semitones to move the call by so the model knows it best (0 for rules).

        Tries the 12 shifts that put the call's middle pitch within an octave of the
        model's :attr:`centre_pitch`, keeps those inside :attr:`pitch_range`, and
        returns the one whose shifted call (its last 64 steps) the model finds most likely.
        """
        pitches = tokens[tokens < 128]
        low, high = self.pitch_range
        if pitches.max() - pitches.min() > high - low:
            raise ModelError(
                f"The call spans {int(pitches.max() - pitches.min())} semitones, but this model knows "
                f"only {high - low} ({low}..{high}). Play a phrase with a smaller range."
            )
        middle = int(round((int(pitches.min()) + int(pitches.max())) / 2))
        base = self.centre_pitch - middle
        shifts = [s for s in range(base - 6, base + 6)
                  if low <= pitches.min() + s and pitches.max() + s <= high]
        if not shifts:  # the octave around the centre does not fit: take the nearest shift that does
            shifts = [min(range(low - int(pitches.min()), high - int(pitches.max()) + 1), key=lambda s: abs(s - base))]
        if len(shifts) == 1:
            return shifts[0]
        cut = max(0, len(tokens) - 64)  # the last 64 steps are enough to recognise a key, and quick
        tokens, pickup_steps = tokens[cut:], (pickup_steps - cut) % steps_per_bar
        mask = _shift_mask(tokens)
        scores = [lp.sum() for lp in self.log_probs([(tokens + mask * s, steps_per_bar, pickup_steps)
                                                      for s in shifts])]
        return int(shifts[int(np.argmax(scores))])

    def __repr__(self):
        return f"{type(self).__name__}(kind={self.kind!r})"


def _padded_call(call: Melody):
    """The call's last MAX_PRIMER_STEPS tokens, padded with rests to a bar line; and its pickup."""
    tokens = call.to_tokens()
    spb, pickup = call.steps_per_bar, call.pickup_steps % call.steps_per_bar
    pad = (-(len(tokens) - pickup)) % spb
    tokens = np.concatenate([tokens, np.full(pad, REST, dtype=np.int64)])
    if len(tokens) > MAX_PRIMER_STEPS:
        cut = len(tokens) - MAX_PRIMER_STEPS
        tokens, pickup = tokens[cut:], (pickup - cut) % spb
        if not np.any(tokens < 128):
            raise ModelError("The last bars of the call are all rests. End the call with some notes.")
    return tokens.astype(np.int64), pickup


def _shift_mask(tokens: np.ndarray) -> np.ndarray:
    """1 where a token is a pitch (moves when transposed), 0 for HOLD/REST."""
    return (tokens < 128).astype(np.int64)


def _fold_into_midi(pitches: np.ndarray) -> np.ndarray:
    """Move pitches outside 0..127 by octaves until they fit."""
    pitches = np.asarray(pitches, dtype=np.int64).copy()
    while np.any(pitches < 0):
        pitches[pitches < 0] += 12
    while np.any(pitches > 127):
        pitches[pitches > 127] -= 12
    return pitches


def _unshift_probs(probs: np.ndarray, shift: int) -> np.ndarray:
    """Move the pitch columns of probabilities back by ``shift`` semitones.

    The (tiny) mass of pitches pushed past 0 or 127 is dropped and the rows renormalised.
    """
    if shift == 0:
        return probs
    out = np.zeros_like(probs)
    out[:, 128:] = probs[:, 128:]
    src = np.arange(128)
    dst = src - shift
    ok = (dst >= 0) & (dst < 128)
    out[:, dst[ok]] = probs[:, src[ok]]
    return out / out.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------- loading

_CACHE: dict = {}
_OPTIONS = {"rules": ("rule",), "markov": ("order",), "neural": ("path",)}
"""The keyword options ``load_pretrained`` passes on, per kind."""
_EXAMPLE = {"rules": '"invert"', "markov": "3", "neural": '"my_model.safetensors"'}


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def load_pretrained(kind: str = "neural", **options) -> Responder:
    """The responder a lesson uses, ready at once.

    Lesson: notebooks/01_rules_vs_examples.ipynb, notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    kind : {"neural", "markov", "rules"}
        ``"neural"``: the GRU shipped in ``data/duet_neural.safetensors`` (made by
        ``python -m lessonkit train duet``). ``"markov"``: the Kneser-Ney n-gram model of
        the order that did best on the valid tunes, counted from the train tunes on first
        use (a few seconds, then cached). ``"rules"``: :class:`~lessonkit.models.rules.RuleResponder`
        answering on the dominant (pass ``rule="invert"`` etc. for another rule).

    Returns
    -------
    Responder
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise ModelError(f"kind={kind!r} is not a responder. Choose one of {', '.join(map(repr, KINDS))}.")
    allowed = _OPTIONS[kind]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ModelError(f"load_pretrained({kind!r}) has no option {', '.join(unknown)}. "
                         + (f"It takes {', '.join(f'{k}=...' for k in allowed)}, e.g. {allowed[0]}={_EXAMPLE[kind]}."
                            if allowed else "It takes none."))
    if kind == "rules":
        from .rules import RuleResponder

        return RuleResponder(**options)
    key = (kind, tuple(sorted(options.items())))
    try:
        hash(key)
    except TypeError:
        name, value = next((k, v) for k, v in sorted(options.items()) if not _hashable(v))
        raise ModelError(f"load_pretrained({kind!r}, {name}={value!r:.40}): {name} should be a single value "
                         f"such as {name}={_EXAMPLE[kind]}, not a {type(value).__name__}.") from None
    if key not in _CACHE:
        if kind == "markov":
            from .markov import load_pretrained as load_markov

            _CACHE[key] = load_markov(**options)
        else:
            from .melody_rnn import load_pretrained as load_rnn

            _CACHE[key] = load_rnn(**options)
    return _CACHE[key]


# ----------------------------------------------------------------------------- the command line


def main(argv=None) -> int:
    """``python -m lessonkit train duet``: choose the Markov order and train the shipped GRU.

    Writes ``data/duet_markov.json`` (the order that did best on the valid tunes, and the
    valid NLL of every order) and ``data/duet_neural.safetensors`` (the GRU, with its
    training figures in the file's metadata), and records both in ``data/manifest.json``.
    """
    import argparse
    import json
    import os
    import time

    from ..datasets import DATA_DIR, load_tunes
    from ..files import atomic_write_bytes, refuse_overwrite
    from ..training import TrainConfig
    from . import markov, melody_rnn

    parser = argparse.ArgumentParser(prog="lessonkit train duet", description=main.__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=5000, help="gradient steps (default 5000; fixed for repeatability)")
    parser.add_argument("--seconds", type=float, default=None, help="also stop after this many seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout for the long run (default 0.2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: the same weights everywhere, and fastest on a busy machine)")
    parser.add_argument("--out", default=DATA_DIR, help="folder to write to (default data/)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    neural_path = os.path.join(args.out, "duet_neural.safetensors")
    markov_path = os.path.join(args.out, "duet_markov.json")
    refuse_overwrite(neural_path, args.overwrite), refuse_overwrite(markov_path, args.overwrite)

    import torch

    torch.set_num_threads(args.threads)  # also for the evaluations after training
    train, valid, test = (load_tunes(s) for s in ("train", "valid", "test"))
    print(f"tunes: {len(train)} train, {len(valid)} valid, {len(test)} test", flush=True)
    t0 = time.perf_counter()
    best, scores = markov.fit_best_order(train, valid)
    print(f"Markov: valid nats/step by order {({k: round(v, 4) for k, v in scores.items()})}; best order "
          f"{best.order}; test {best.nll(test):.4f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    table = dict(order=best.order, valid_nll_by_order={str(k): round(v, 5) for k, v in scores.items()},
                 built_by="python -m lessonkit train duet")
    atomic_write_bytes(markov_path, (json.dumps(table, indent=1) + "\n").encode())

    config = melody_rnn.Config(dropout=args.dropout)
    responder, history = melody_rnn.train_model(
        train, valid, config, TrainConfig(max_steps=args.steps, max_seconds=args.seconds, seed=args.seed, lr=config.lr,
                                          threads=args.threads, eval_every=100, patience=8, live_plot=False))
    responder.info.update(valid_nll=round(responder.nll(valid), 4), test_nll=round(responder.nll(test), 4),
                          command=("python -m lessonkit train duet " + " ".join(argv or [])).strip())
    print(f"GRU: {history.n_steps} steps in {history.seconds:.0f} s ({history.stopped_because}); valid "
          f"{responder.info['valid_nll']:.4f}, test {responder.info['test_nll']:.4f} nats/step", flush=True)
    responder.save(neural_path, overwrite=args.overwrite)
    try:
        from ..builders.manifest import update_manifest

        for path in (neural_path, markov_path):
            if os.path.abspath(os.path.dirname(path)) == os.path.abspath(DATA_DIR):
                update_manifest(path, built_by="python -m lessonkit train duet")
    except ImportError:  # pragma: no cover
        pass
    print(f"wrote {neural_path} and {markov_path}")
    return 0
