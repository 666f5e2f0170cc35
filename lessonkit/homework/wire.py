"""The only way values cross between a student's process and the grader: plain JSON data.

Lesson: none (teachers' tooling; see docs/teacher-guide.md).

The grader never unpickles or imports anything a student's process produced. A student's
return value is turned into JSON here (in the student's process), and turned back into
fresh, validated objects in the grader (a :class:`~lessonkit.music.Melody` is rebuilt from
its note arrays through ``Melody.from_arrays``, which checks them). Whatever the student's
code did to its own process (a ``Melody`` subclass with a rigged ``__eq__``, a patched
``math.isclose``) cannot travel: only numbers, strings and the shapes below do.

Encoding (every JSON object carries a ``"$t"`` tag; JSON arrays are Python lists)::

    None, bool, int, float, str         themselves (NaN and infinities as JSON allows)
    list                                [ ... ]
    tuple / set / frozenset             {"$t": "tuple" | "set" | "frozenset", "v": [...]}
    dict                                {"$t": "dict", "v": [[key, value], ...]}
    numpy array                         {"$t": "ndarray", "dtype": "int64", "shape": [...], "v": [flat]}
    numpy scalar                        the Python number
    torch tensor                        {"$t": "tensor", "dtype": ..., "shape": ..., "v": [flat]}
    Fraction                            {"$t": "Fraction", "v": [numerator, denominator]}
    Note, Melody                        {"$t": "Note" | "Melody", ...fields...}

Anything else is refused with a :class:`WireError` that says what type it was, which the
grader reports to the student as "your function returned something the grader cannot read".
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np

from ..errors import LessonkitError

MAX_DEPTH = 40
"""Deepest nesting accepted (lists in lists ...)."""
MAX_ITEMS = 2_000_000
"""Most numbers/strings one value may hold."""
MAX_BYTES = 32 * 1024 * 1024
"""Longest JSON text the grader reads for one value."""

_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
           "float16", "float32", "float64"}


class WireError(LessonkitError, ValueError):
    """A value cannot be sent as grading data (unsupported type, too big or malformed)."""


# ----------------------------------------------------------------------------- encoding


def encode(value) -> object:
    """Turn a value into JSON-ready data (see the module docstring); raise :class:`WireError`."""
    budget = [MAX_ITEMS]
    return _enc(value, 0, budget)


def dumps(value) -> str:
    """``encode`` then ``json.dumps`` (one line)."""
    return json.dumps(encode(value), separators=(",", ":"))


def _spend(budget, n):
    budget[0] -= n
    if budget[0] < 0:
        raise WireError(f"The value is too big to grade (more than {MAX_ITEMS} numbers or strings).")


def _enc(v, depth, budget):
    if depth > MAX_DEPTH:
        raise WireError(f"The value is nested more than {MAX_DEPTH} levels deep.")
    _spend(budget, 1)
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v
    if t is float:
        return v
    if isinstance(v, np.generic):
        if isinstance(v, np.bool_):
            return bool(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        raise WireError(f"A numpy {type(v).__name__} cannot be graded; return ints, floats or bools.")
    if isinstance(v, bool):  # subclasses of bool cannot exist, but be explicit
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, list):
        return [_enc(x, depth + 1, budget) for x in list(v)]
    if isinstance(v, tuple):
        return {"$t": "tuple", "v": [_enc(x, depth + 1, budget) for x in tuple(v)]}
    if isinstance(v, (set, frozenset)):
        items = [_enc(x, depth + 1, budget) for x in v]
        items.sort(key=lambda x: json.dumps(x, sort_keys=True))  # sets have no order; make it stable
        return {"$t": "frozenset" if isinstance(v, frozenset) else "set", "v": items}
    if isinstance(v, dict):
        return {"$t": "dict", "v": [[_enc(k, depth + 1, budget), _enc(x, depth + 1, budget)]
                                    for k, x in list(v.items())]}
    if isinstance(v, np.ndarray):
        return _enc_array(v, "ndarray", budget)
    if isinstance(v, Fraction):
        return {"$t": "Fraction", "v": [int(v.numerator), int(v.denominator)]}
    from ..music import Melody, Note

    if isinstance(v, Note):
        return {"$t": "Note", "pitch": int(v.pitch), "onset_steps": int(v.onset_steps),
                "duration_steps": int(v.duration_steps), "velocity": int(v.velocity)}
    if isinstance(v, Melody):
        meta = {str(k): x for k, x in dict(v.meta).items() if isinstance(x, (str, int, float, bool)) or x is None}
        return {"$t": "Melody",
                "pitches": _int_list(v.pitches), "onsets_steps": _int_list(v.onsets_steps),
                "durations_steps": _int_list(v.durations_steps), "velocities": _int_list(v.velocities),
                "length_steps": int(v.length_steps), "tempo_bpm": float(v.tempo_bpm), "meter": str(v.meter),
                "pickup_steps": int(v.pickup_steps), "meta": _enc(meta, depth + 1, budget)}
    torch = _torch_if_loaded()
    if torch is not None and isinstance(v, torch.Tensor):
        return _enc_array(v.detach().cpu().numpy(), "tensor", budget)
    raise WireError(
        f"a {type(v).__name__} cannot be graded: return a number, string, list, tuple, dict, "
        "numpy array, Note or Melody."
    )


def _int_list(a):
    return [int(x) for x in np.asarray(a).reshape(-1).tolist()]


def _enc_array(a, tag, budget):
    a = np.asarray(a)
    dtype = a.dtype.name
    if dtype not in _DTYPES:
        raise WireError(f"An array of dtype {dtype} cannot be graded; use a number dtype such as int64 or float64.")
    _spend(budget, int(a.size))
    return {"$t": tag, "dtype": dtype, "shape": [int(n) for n in a.shape], "v": a.reshape(-1).tolist()}


def _torch_if_loaded():
    import sys

    return sys.modules.get("torch")


# ----------------------------------------------------------------------------- decoding


def loads(text: str):
    """Parse JSON text from a student's process and rebuild the value (validated)."""
    if len(text) > MAX_BYTES:
        raise WireError(f"The answer is too big to grade ({len(text)} bytes; the limit is {MAX_BYTES}).")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise WireError(f"The answer could not be read ({type(err).__name__}).") from None
    return decode(data)


def decode(data):
    """Rebuild a value from :func:`encode`'s data; raise :class:`WireError` if it is malformed."""
    try:
        return _dec(data, 0, [MAX_ITEMS])
    except WireError:
        raise
    except (LessonkitError, ValueError, TypeError, KeyError, OverflowError, RecursionError) as err:
        raise WireError(f"The answer could not be rebuilt ({type(err).__name__}: {err}).") from None


def _dec(d, depth, budget):
    if depth > MAX_DEPTH:
        raise WireError("The answer is nested too deeply.")
    _spend(budget, 1)
    t = type(d)
    if d is None or t in (bool, int, str):
        return d
    if t is float:
        return d
    if t is list:
        return [_dec(x, depth + 1, budget) for x in d]
    if t is not dict:
        raise WireError(f"Unexpected {t.__name__} in the answer data.")
    tag = d.get("$t")
    if tag in ("tuple", "set", "frozenset"):
        items = [_dec(x, depth + 1, budget) for x in _list(d, "v")]
        if tag == "tuple":
            return tuple(items)
        return set(items) if tag == "set" else frozenset(items)
    if tag == "dict":
        out = {}
        for pair in _list(d, "v"):
            if type(pair) is not list or len(pair) != 2:
                raise WireError("A dict entry in the answer data is not a [key, value] pair.")
            out[_dec(pair[0], depth + 1, budget)] = _dec(pair[1], depth + 1, budget)
        return out
    if tag in ("ndarray", "tensor"):
        dtype = d.get("dtype")
        if dtype not in _DTYPES:
            raise WireError(f"Array dtype {dtype!r} is not allowed.")
        shape = _list(d, "shape")
        if not all(type(n) is int and n >= 0 for n in shape):
            raise WireError("Array shape must be whole numbers.")
        flat = _list(d, "v")
        if not all(type(x) in (int, float, bool) for x in flat):
            raise WireError("Arrays may hold numbers only.")
        _spend(budget, len(flat))
        size = math.prod(shape)
        if size != len(flat):
            raise WireError("Array data does not match its shape.")
        a = np.array(flat, dtype=dtype).reshape(shape)
        if tag == "tensor":
            import torch

            return torch.from_numpy(a.copy())
        return a
    if tag == "Fraction":
        num, den = _list(d, "v")
        if type(num) is not int or type(den) is not int:
            raise WireError("A Fraction needs two whole numbers.")
        return Fraction(num, den)
    if tag == "Note":
        from ..music import Note

        return Note(_int(d, "pitch"), _int(d, "onset_steps"), _int(d, "duration_steps"), _int(d, "velocity"))
    if tag == "Melody":
        from ..music import Melody

        arrays = [_ints(d, k) for k in ("pitches", "onsets_steps", "durations_steps", "velocities")]
        _spend(budget, sum(len(a) for a in arrays))
        meta = _dec(d.get("meta", {"$t": "dict", "v": []}), depth + 1, budget)
        tempo = d.get("tempo_bpm")
        if type(tempo) not in (int, float):
            raise WireError("Melody tempo_bpm must be a number.")
        meter = d.get("meter")
        if type(meter) is not str:
            raise WireError("Melody meter must be text.")
        return Melody.from_arrays(*arrays, length_steps=_int(d, "length_steps"), tempo_bpm=float(tempo),
                                  meter=meter, pickup_steps=_int(d, "pickup_steps"),
                                  meta=meta if isinstance(meta, dict) else {})
    raise WireError(f"Unknown value tag {tag!r} in the answer data.")


def _list(d, key):
    v = d.get(key)
    if type(v) is not list:
        raise WireError(f"Field {key!r} should be a list.")
    return v


def _int(d, key):
    v = d.get(key)
    if type(v) is not int:
        raise WireError(f"Field {key!r} should be a whole number.")
    return v


def _ints(d, key):
    v = _list(d, key)
    if not all(type(x) is int for x in v):
        raise WireError(f"Field {key!r} should hold whole numbers.")
    return v
