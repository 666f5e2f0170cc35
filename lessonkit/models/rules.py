"""Rule-based responders: a person writes down how to answer a phrase.

Lesson: notebooks/01_rules_vs_examples.ipynb

A *rule* is a plain function ``rule(call: Melody) -> Melody``. The computer is *given
the rules*: it does exactly what the function says, every time, and never learns.
Compare :mod:`lessonkit.models.markov` and :mod:`lessonkit.models.melody_rnn`, which
are given *examples* instead.

Writing your own rule
---------------------
::

    def up_an_octave(call):
        return call.transpose(12)

    duet = RuleResponder(up_an_octave)
    duet.respond(Melody.parse("C4 D4 E4 G4"))

or add it to :data:`RULES` (``RULES["up an octave"] = up_an_octave``) so the duet
widget lists it. A rule may return a Melody of any length: the answer is cut or
padded with rests to the number of bars asked for. Pitches that would leave MIDI's
range 0..127 are moved back in by octaves (:func:`shift_pitches` does it for you).
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitError, ModelError, expect_type
from ..music import REST, Melody
from .base import check_seed, check_temperature
from .responder import Responder, as_melodies, as_primer, check_bars


def shift_pitches(call: Melody, new_pitches) -> Melody:
    """The call with new pitches (same rhythm), folded into 0..127 by octaves."""
    new_pitches = np.asarray(new_pitches, dtype=np.int64)
    while np.any(new_pitches < 0):
        new_pitches = np.where(new_pitches < 0, new_pitches + 12, new_pitches)
    while np.any(new_pitches > 127):
        new_pitches = np.where(new_pitches > 127, new_pitches - 12, new_pitches)
    return call.copy(pitches=new_pitches)


# ----------------------------------------------------------------------------- the rules


def echo(call: Melody) -> Melody:
    """Play the call back exactly."""
    return call


def transpose_up(call: Melody, semitones: int = 2) -> Melody:
    """Play the call again, a whole tone (2 semitones) higher: a *sequence*."""
    return shift_pitches(call, call.pitches + semitones)


def invert(call: Melody) -> Melody:
    """Turn the call upside down around its first note: every step up becomes a step down."""
    first = call.pitches[0]
    return shift_pitches(call, 2 * first - call.pitches)


def retrograde(call: Melody) -> Melody:
    """Play the call backwards: the last note first (rhythm reversed too)."""
    ends = call.onsets_steps + call.durations_steps
    new_onsets = call.length_steps - ends
    order = np.argsort(new_onsets)
    return Melody.from_arrays(call.pitches[order], new_onsets[order], call.durations_steps[order],
                              length_steps=call.length_steps, tempo_bpm=call.tempo_bpm, meter=call.meter)


def answer_on_dominant(call: Melody) -> Melody:
    """Answer on the dominant: the call a fifth higher (7 semitones), or a fourth lower
    if the call is high; the last note goes home to the call's first note (the tonic, in
    most tunes), in the octave nearest to where the answer ends."""
    shift = 7 if call.pitches.mean() < 66 else -5
    pitches = call.pitches + shift
    home = call.pitches[0] + 12 * round((pitches[-1] - call.pitches[0]) / 12)
    pitches[-1] = home
    return shift_pitches(call, pitches)


RULES = {
    "answer on the dominant": answer_on_dominant,
    "echo": echo,
    "transpose up a tone": transpose_up,
    "invert": invert,
    "retrograde": retrograde,
}
"""The rules the duet widget offers, by name. Add your own: ``RULES["mine"] = my_rule``."""


# ----------------------------------------------------------------------------- as a responder


class RuleResponder(Responder):
    """A responder that follows one rule.

    Parameters
    ----------
    rule : str or callable
        A name in :data:`RULES` or a function ``rule(call: Melody) -> Melody``.

    Notes
    -----
    ``temperature`` and ``seed`` are checked but make no difference: a rule always
    gives the same answer. A rule has no probabilities, so as a guesser of the next
    step it knows nothing: :meth:`nll` is that of a uniform guess over the 130 tokens,
    ``log(130) = 4.87`` nats per step, and the probabilities from :meth:`generate` are
    1 on the token the rule chose.
    """

    kind = "rules"

    def __init__(self, rule="answer on the dominant"):
        if isinstance(rule, str):
            if rule not in RULES:
                raise ModelError(f"There is no rule called {rule!r}. Choose one of {sorted(RULES)}, "
                                 "or pass your own function.")
            self.name, rule = rule, RULES[rule]
        elif callable(rule):
            self.name = getattr(rule, "__name__", "my rule")
        else:
            raise ModelError(f"rule should be a rule's name or a function call -> Melody, not {rule!r}.")
        self.rule = rule

    def generate(self, primer, bars: int = 2, temperature: float = 1.0, seed: int = 0):
        call = as_primer(primer)
        bars = check_bars(bars)
        check_temperature(temperature), check_seed(seed)
        try:
            answer = self.rule(call)
        except LessonkitError:
            raise
        except Exception as err:
            raise ModelError(f"The rule {self.name!r} failed on this call: {type(err).__name__}: {err}") from err
        expect_type(answer, Melody, f"what the rule {self.name!r} returned",
                    "A rule must return a Melody, e.g. call.transpose(7).")
        n_steps = bars * call.steps_per_bar
        tokens = answer.to_tokens()[:n_steps]
        tokens = np.concatenate([tokens, np.full(n_steps - len(tokens), REST, dtype=np.int64)])
        if not np.any(tokens < 128):
            raise ModelError(f"The rule {self.name!r} gave no note in the first {bars} bars.")
        out = Melody.from_tokens(tokens, tempo_bpm=call.tempo_bpm, meter=call.meter)
        out.meta.update(kind=self.kind, rule=self.name, transposed_by=0)
        probs = np.zeros((n_steps, 130))
        probs[np.arange(n_steps), tokens] = 1.0
        return out, probs

    def nll(self, melodies) -> float:
        as_melodies(melodies)
        return float(np.log(130))

    def accuracy(self, melodies) -> float:
        """A uniform guess is right 1 time in 130."""
        as_melodies(melodies)
        return 1 / 130

    def __repr__(self):
        return f"RuleResponder({self.name!r})"
