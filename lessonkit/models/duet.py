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

How an answer is made, and what bad input gives, is written once, in
:mod:`lessonkit.models.responder`; sampling and temperature in :mod:`lessonkit.models.base`.

This module is the facade lessons use (``load_pretrained``). It imports the families; no
family imports it back. The names below it re-exports (``Responder``, ``check_seed``,
``apply_temperature``, ``BOS``, ...) are kept so that ``from lessonkit.models import duet;
duet.apply_temperature(...)`` in lessons keeps working; new code imports them from
``base`` or ``responder``. Training the shipped models is ``lessonkit train duet``
(:func:`lessonkit.train.duet`; it was ``duet.main`` before, which would now be an import
upwards, from a model into the command line).
"""

from __future__ import annotations

from ..errors import ModelError
from .base import apply_temperature, check_seed, check_temperature, sample_token
from .responder import (BOS, MAX_BARS, MAX_PRIMER_STEPS, Responder, _unshift_probs, as_melodies, as_primer,
                        check_bars, positions)

KINDS = ("rules", "markov", "neural")

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


__all__ = ["KINDS", "load_pretrained", "Responder", "BOS", "MAX_BARS", "MAX_PRIMER_STEPS", "apply_temperature",
           "sample_token", "check_seed", "check_temperature", "check_bars", "as_primer", "as_melodies", "positions",
           "_unshift_probs"]
