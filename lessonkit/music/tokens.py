"""Step tokens: a melody as one whole number per 16th-note step, the way models read it.

Lesson: notebooks/00_music_as_data.ipynb, notebooks/01_rules_vs_examples.ipynb

This is the one place the vocabulary is defined (the encoding of MusicVAE and Magenta's
melody RNN)::

    0..127  a note of that MIDI pitch starts on this step
    128     HOLD: the previous note goes on sounding
    129     REST: silence

``Melody.parse("C4 D4/2 r/2").to_tokens()`` is ``[60, 128, 128, 128, 62, 128, 129, 129]``.
The encoding is lossless on the grid for pitch and timing; velocity is not kept
(every note comes back at the default velocity).
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitTypeError, MelodyError, expect_int
from .names import DEFAULT_TEMPO_BPM, note_name

HOLD = 128
"""Token: the previous note keeps sounding."""
REST = 129
"""Token: silence."""
VOCAB_SIZE = 130
"""Number of distinct step tokens: 128 pitches, HOLD and REST."""


def token_name(token: int) -> str:
    """Readable name of a step token: a note name, ``"HOLD"`` or ``"REST"``.

    Lesson: notebooks/00_music_as_data.ipynb
    """
    token = expect_int(token, "token")
    if token == HOLD:
        return "HOLD"
    if token == REST:
        return "REST"
    if 0 <= token <= 127:
        return note_name(token)
    raise MelodyError(f"{token} is not a step token: tokens are 0..127 (pitches), {HOLD} (HOLD) or {REST} (REST).")



def to_tokens(melody) -> np.ndarray:
    """One token per step: the pitch where a note starts, HOLD while it sounds, REST in silence.

    Parameters
    ----------
    melody : Melody

    Returns
    -------
    np.ndarray, shape=(length_steps,), dtype=int64
        Values in 0..129.
    """
    tokens = np.full(melody.length_steps, REST, dtype=np.int64)
    for p, o, d in zip(melody.pitches, melody.onsets_steps, melody.durations_steps):
        tokens[o] = p
        tokens[o + 1:o + d] = HOLD
    return tokens


def from_tokens(cls, tokens, *, tempo_bpm=DEFAULT_TEMPO_BPM, meter="4/4", pickup_steps=0):
    """The melody (of class ``cls``) that a token sequence describes: the inverse of :func:`to_tokens`.

    Parameters
    ----------
    cls : type
        The class to build, :class:`lessonkit.music.Melody` (the door is ``Melody.from_tokens``).
    tokens : array-like of int, shape=(n_steps,)
        Step tokens, 0..129. A HOLD with no note sounding (at the start, or after
        a REST) is read as a REST.

    Raises
    ------
    MelodyError
        If a token is outside 0..129 or there is no note at all.
    """
    try:
        tokens = np.asarray(tokens)
    except Exception:
        raise LessonkitTypeError("from_tokens takes a list or array of whole-number tokens.") from None
    if tokens.ndim != 1:
        raise MelodyError(f"from_tokens takes one sequence, shape (n_steps,), but got shape {tokens.shape}.")
    if tokens.size and not np.issubdtype(tokens.dtype, np.integer):
        raise LessonkitTypeError(f"Tokens must be whole numbers, but got dtype {tokens.dtype}.")
    tokens = tokens.astype(np.int64)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= VOCAB_SIZE):
        bad = int(tokens[(tokens < 0) | (tokens >= VOCAB_SIZE)][0])
        raise MelodyError(f"{bad} is not a step token: use 0..127 (pitches), {HOLD} (HOLD), {REST} (REST).")
    starts = np.flatnonzero(tokens < 128)
    if starts.size == 0:
        raise MelodyError("These tokens contain no note (only HOLD and REST), so there is no melody to make.")
    # A note lasts from its start through the HOLDs that follow it.
    not_hold = np.flatnonzero(tokens != HOLD)
    nxt = np.searchsorted(not_hold, starts, side="right")
    ends = np.where(nxt < len(not_hold), not_hold[np.minimum(nxt, len(not_hold) - 1)], len(tokens))
    return cls.from_arrays(tokens[starts], starts, ends - starts, length_steps=len(tokens),
                           tempo_bpm=tempo_bpm, meter=meter, pickup_steps=pickup_steps)

