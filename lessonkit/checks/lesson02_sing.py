"""The check for lesson 02's optional "sing your call" part: read notes off a pitch curve.

Lesson: notebooks/02_ai_duet.ipynb

The student sees the pitch curve of a sung phrase (:func:`sung_example`, 100 bpm, with
vibrato) and writes its notes as text; :func:`check_sung_notes` says right or not yet, with a
hint for each predictable mistake (an octave off, vibrato read as extra notes, a note a
semitone off, lengths in seconds instead of beats).
"""

from __future__ import annotations

import numpy as np

from ..errors import LessonkitError
from .core import Feedback

EXAMPLE_TEMPO_BPM = 100
_EXAMPLE = "D4 F4 A4 G4 | F4*2 E4*2"


def sung_example() -> np.ndarray:
    """A sung phrase for the exercise: 2 bars at 100 bpm, a choir voice with vibrato.

    Returns
    -------
    np.ndarray, shape=(n_samples,), float32
        Mono audio at 16 kHz; beat 1 is at 0.3 s.
    """
    from ..music import Melody
    from ..transcribe import perform

    audio, _ = perform(Melody.parse(_EXAMPLE, tempo_bpm=EXAMPLE_TEMPO_BPM), "choir", vibrato_cents=45.0,
                       jitter_s=0.01, lead_in_s=0.3, seed=3)
    return audio


def check_sung_notes(text) -> Feedback:
    """Check the notes a student read off the pitch curve of :func:`sung_example` (text form)."""
    from ..music import Melody

    want = Melody.parse(_EXAMPLE)
    if not isinstance(text, str):
        return Feedback(False, f"Write the notes as text in quotes, like \"C4 D4 E4*2\" (you have a "
                               f"{type(text).__name__}).", "Put the notes between quotes.", 0, 1)
    try:
        got = Melody.parse(text)
    except LessonkitError as err:
        return Feedback(False, "Those notes cannot be read yet.", str(err), 0, 1)
    gp, wp = got.pitches.tolist(), want.pitches.tolist()
    if gp == wp:
        if got.durations_steps.tolist() == want.durations_steps.tolist():
            return Feedback(True, f"the {len(wp)} notes and their lengths match what was sung.", "", 1, 1)
        return Feedback(False, "The pitches are right; some lengths are not.",
                        "Measure each flat step on the time axis: at 100 bpm one beat lasts 0.6 s. A note of one "
                        "beat has no suffix, two beats is *2, half a beat is /2.", 0, 1)
    if len(gp) > len(wp):
        return Feedback(False, f"You wrote {len(gp)} notes; the singer sang fewer.",
                        "The small quick wobble is vibrato, one note sung with a wavy pitch. A new note is a jump "
                        "that stays at its new height.", 0, 1)
    if len(gp) < len(wp):
        return Feedback(False, f"You wrote {len(gp)} notes; the singer sang more.",
                        "Look for every place where the curve jumps to a new height and stays there; each is a "
                        "new note.", 0, 1)
    diff = np.array(gp) - np.array(wp)
    if np.all(diff == diff[0]) and diff[0] % 12 == 0:
        return Feedback(False, "The shape is right, but every note is in the wrong octave.",
                        "Read the octave number from the labels on the pitch axis (C4 is middle C).", 0, 1)
    wrong = [i + 1 for i, d in enumerate(diff) if d]
    if all(abs(d) <= 2 for d in diff):
        return Feedback(False, f"Note{'s' if len(wrong) > 1 else ''} {', '.join(map(str, wrong))} "
                               f"{'are' if len(wrong) > 1 else 'is'} a little off.",
                        "Read the middle of the wobble against the axis, and round to the nearest note "
                        "(sharps count: F#4 lies between F4 and G4).", 0, 1)
    return Feedback(False, f"Notes {', '.join(map(str, wrong))} are not right yet.",
                    "For each flat step of the curve, find its height on the pitch axis; the labels name the "
                    "white keys.", 0, 1)


__all__ = ["sung_example", "check_sung_notes", "EXAMPLE_TEMPO_BPM"]
