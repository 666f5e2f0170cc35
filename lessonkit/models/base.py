"""What every model family shares: seeds, temperature and sampling, weights files.

Lesson: notebooks/02_ai_duet.ipynb (temperature), and every lesson that loads a model.

Each family (``rules.py``, ``markov.py``, ``melody_rnn.py``, and the synth and loops
families) imports what it needs from here and never from another family or from the
``duet`` facade, so the import graph of ``lessonkit.models`` has no circle
(``tests/test_layout.py`` checks it).

* :func:`check_seed`, :func:`check_temperature`: the arguments every generator takes,
  checked with the validators of :mod:`lessonkit.errors` (wrong type ->
  ``LessonkitTypeError``, impossible value -> :class:`~lessonkit.errors.ModelError`).
* :func:`apply_temperature`, :func:`sample_token`, :func:`sample_from_logits`: how a
  distribution is reshaped by a temperature and drawn from with a seeded generator.
* :func:`save_weights`, :func:`load_weights`: safetensors files (loading one can never run
  code, unlike a pickle), written atomically, with a clear
  :class:`~lessonkit.errors.DataFileError` for a missing, corrupt or mismatched file.
  ``lessonkit.training.save_checkpoint``/``load_checkpoint`` are these two functions.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

import numpy as np

from ..errors import DataFileError, ModelError, expect_int, expect_number
from ..files import atomic_write_bytes, refuse_overwrite

# ----------------------------------------------------------------------------- arguments


def check_seed(seed) -> int:
    """Validate a seed: a whole number >= 0 (the same seed gives the same answer).

    Raises
    ------
    LessonkitTypeError
        If ``seed`` is not a whole number (``"0"``, ``None``, ``1.5``).
    ModelError
        If it is negative.
    """
    return expect_int(seed, "seed", low=0, advice="a whole number >= 0 such as 0 or 42 (a seed cannot be negative)",
                      hint="Change it to hear a different answer.", error=ModelError)


def check_temperature(temperature) -> float:
    """Validate a temperature: a finite number >= 0 (0 = always the most likely token).

    Raises
    ------
    LessonkitTypeError
        If it is not a number.
    ModelError
        If it is negative, NaN or infinite.
    """
    return expect_number(temperature, "temperature", low=0.0, error=ModelError,
                         advice="a number >= 0. 1.0 samples as the model learned, smaller is safer "
                                "(0 always takes the most likely token), larger is wilder")


def rng_for(seed) -> np.random.Generator:
    """A numpy Generator for ``seed`` (checked with :func:`check_seed`): same seed, same draws."""
    return np.random.default_rng(check_seed(seed))


# ----------------------------------------------------------------------------- sampling


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The distribution that :func:`sample_token` draws from.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    probs : np.ndarray, shape=(..., V), float, each row summing to 1
    temperature : float
        >= 0. 0 puts all the mass on each row's most likely token.

    Returns
    -------
    np.ndarray, shape like ``probs``, float64
        ``probs ** (1 / temperature)``, each row renormalised. Zeros (tokens ruled out,
        e.g. by ``Responder.playable``) stay zero at any temperature.
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


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities from scores (logits), over the last axis; float64, rows sum to 1."""
    logits = np.asarray(logits, dtype=np.float64)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sample_from_logits(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Draw one token from scores (shape=(V,)): :func:`softmax` then :func:`sample_token`."""
    return sample_token(softmax(logits), temperature, rng)


# ----------------------------------------------------------------------------- weights files


def save_weights(path, model, meta: dict | None = None, *, overwrite: bool = False) -> str:
    """Save a torch model's weights (and a small JSON-able ``meta`` dict) as a safetensors file.

    Never overwrites without ``overwrite=True``; written atomically. Returns the path.
    """
    from safetensors.torch import save

    path = refuse_overwrite(os.fspath(path), overwrite)
    tensors = {k: t.detach().cpu().contiguous() for k, t in model.state_dict().items()}
    data = save(tensors, metadata={"lessonkit": json.dumps(meta or {}, default=_jsonable)})
    return atomic_write_bytes(path, data)


def load_weights(path, model=None):
    """Read a file written by :func:`save_weights`.

    Parameters
    ----------
    path : str or os.PathLike
    model : torch.nn.Module, optional
        If given, its weights are replaced by the file's (names and shapes must match).

    Returns
    -------
    meta : dict
        The ``meta`` saved with it (with the weights under ``"state_dict"`` when no model is given).

    Raises
    ------
    DataFileError
        If the file is missing, is not a safetensors file, or does not fit ``model``.
    """
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileError(f"There is no checkpoint {path!r}. Train a model first, or check the path.")
    try:
        with safe_open(path, framework="pt") as f:
            meta = json.loads((f.metadata() or {}).get("lessonkit", "{}"))
        state = load_file(path)
    except Exception as err:
        raise DataFileError(f"{path!r} is not a readable safetensors checkpoint ({type(err).__name__}: {err}). "
                            "Rebuild it with its training command.") from None
    if model is None:
        meta["state_dict"] = state
    else:
        try:
            model.load_state_dict(state)
        except RuntimeError as err:
            raise DataFileError(f"The checkpoint {path!r} does not fit this model: {str(err)[:300]}") from None
    return meta


def _jsonable(value):
    if hasattr(value, "item"):
        return value.item()
    try:
        return asdict(value)
    except TypeError:
        return str(value)
