"""The duet interface: every responder answers a call the same way.

Lesson: notebooks/01_rules_vs_examples.ipynb, notebooks/02_ai_duet.ipynb

A :class:`Responder` answers a student's phrase (the *call* or *primer*) with a few bars of
melody. The families (``rules.py``, ``markov.py``, ``melody_rnn.py``) subclass it;
``duet.load_pretrained`` hands out the shipped ones.

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
* ``seed`` must be a whole number >= 0; -1 is a ModelError.
* For ``bars`` and ``seed``, ``2.0`` counts as 2, while ``2.5``, ``"2"`` or ``True`` are a
  :class:`~lessonkit.errors.LessonkitTypeError` (the rule of every validator, :mod:`lessonkit.errors`).
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitTypeError, ModelError, expect_int
from ..music import HOLD, REST, VOCAB_SIZE, Melody, pad_to_bar
from .base import check_seed, check_temperature

MAX_BARS = 64
"""Longest answer, in bars (64 bars of 4/4 at 120 bpm is over two minutes)."""
MAX_PRIMER_STEPS = 256
"""Only this many of the call's last steps are listened to (16 bars of 4/4)."""
BOS = VOCAB_SIZE
"""Input-only token that marks the start of a tune (130); models never output it."""


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
    """Validate an answer length in bars: a whole number 1..:data:`MAX_BARS`.

    Raises
    ------
    LessonkitTypeError
        If ``bars`` is not a whole number (``2.5``, ``"2"``, ``True``).
    ModelError
        If it is outside 1..MAX_BARS.
    """
    return expect_int(bars, "bars", low=1, high=MAX_BARS, error=ModelError,
                      advice=f"a whole number of bars from 1 to {MAX_BARS} such as 2")


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
        tokens, pickup = padded_tokens(call)
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


def padded_tokens(call: Melody):
    """The call as the models hear it: its tokens padded with rests to a bar line, and its pickup.

    Only the last :data:`MAX_PRIMER_STEPS` steps are kept (cut on a bar line).

    Returns
    -------
    tokens : np.ndarray, shape=(n_steps,), int64
    pickup_steps : int
        Steps before the first bar line of ``tokens``.
    """
    tokens = pad_to_bar(call).to_tokens()
    spb, pickup = call.steps_per_bar, call.pickup_steps % call.steps_per_bar
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
