"""Sounds in and out of the neural synthesizer: checking a note, its code, mixing in audio,
measuring brightness, and an instrument made from a code that plays melodies.

Lesson: notebooks/03_neural_synthesizer.ipynb

Everything here works on plain numpy audio (mono float32 at 16 kHz); the network itself is
:mod:`lessonkit.models.synth`, which re-exports these names (``synth.crossfade``,
``synth.MixedInstrument``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import analysis
from ..errors import LessonkitError, LessonkitTypeError, ModelError
from . import ddsp

SR = ddsp.SR
N_SAMPLES = 24000
"""Samples in a note (1.5 s at 16 kHz): longer sounds are refused, shorter ones padded with silence."""
N_FRAMES = 1 + N_SAMPLES // ddsp.HOP
"""Frames of a note (94, one every 16 ms)."""
PITCH_RANGE = (24, 100)
"""MIDI pitches the decoder accepts (the notes it learned from span 28-96)."""
SILENT_DB = -60.0
"""A sound whose loudest 16 ms frame is quieter than this is called silent."""


# ----------------------------------------------------------------------------- the public edge


@dataclass
class NoteCode:
    """What the encoder keeps of a note.

    Attributes
    ----------
    timbre : np.ndarray, shape=(code_size,), float32
        The learned code: what kind of instrument it sounds like.
    loudness_db : np.ndarray, shape=(94,), float32
        Loudness of each 16 ms frame in dB (measured, not learned): how the note swells and fades.
    pitch : float
        MIDI pitch (fractions allowed) the note was encoded at.
    """

    timbre: np.ndarray
    loudness_db: np.ndarray
    pitch: float

    @property
    def size(self) -> int:
        """How many numbers the code holds in all: timbre + loudness curve + pitch."""
        return int(self.timbre.size + self.loudness_db.size + 1)

    def __repr__(self):
        return (f"NoteCode(timbre={np.array2string(self.timbre, precision=2, max_line_width=200)}, "
                f"loudness_db=<{self.loudness_db.size} frames, peak {self.loudness_db.max():.1f} dB>, "
                f"pitch={self.pitch:g})")


def check_audio(audio, name: str = "audio", *, sr: int = SR) -> np.ndarray:
    """One note as mono float32 of exactly 24,000 samples (shorter ones padded), or a clear error.

    Raises
    ------
    LessonkitError
        For a wrong sample rate, stereo, NaN or infinite values, silence, or more than 1.5 s.
    """
    if isinstance(audio, (list, tuple)):
        audio = np.asarray(audio, dtype=np.float32)
    if hasattr(audio, "detach"):                              # a torch tensor
        audio = audio.detach().cpu().numpy()
    if not isinstance(audio, np.ndarray) or not np.issubdtype(audio.dtype, np.floating):
        raise LessonkitTypeError(f"{name} should be a numpy array of float samples in [-1, 1], but got "
                                 f"{type(audio).__name__}{'' if not isinstance(audio, np.ndarray) else ' of ' + str(audio.dtype)}. "
                                 "Take a note from load_instrument_notes(...).audio[i].")
    if sr != SR:
        raise LessonkitError(f"{name} is at sr={sr} Hz, but the synthesizer works at {SR} Hz. Resample it first: "
                             f"scipy.signal.resample_poly({name}, {SR}, {sr}).")
    if audio.ndim == 2 and 1 in audio.shape:
        audio = audio.reshape(-1)
    if audio.ndim != 1:
        raise LessonkitError(f"{name} must be one mono note, shape (n_samples,), but has shape {audio.shape}. "
                             f"For stereo, average the two channels: {name}.mean(axis=0) (or axis=1).")
    if audio.size > N_SAMPLES:
        raise LessonkitError(f"{name} is {audio.size / SR:.2f} s long; the synthesizer takes one note of at most "
                             f"{N_SAMPLES / SR} s ({N_SAMPLES} samples). Cut it: {name}[:{N_SAMPLES}].")
    if audio.size < SR // 10:
        raise LessonkitError(f"{name} is only {audio.size} samples long; give a note of 0.1 to 1.5 s.")
    if not np.all(np.isfinite(audio)):
        raise LessonkitError(f"{name} contains NaN or infinite values; check how it was made.")
    audio = np.pad(audio.astype(np.float32), (0, N_SAMPLES - audio.size))
    if analysis.rms_db_frames(audio).max() < SILENT_DB:
        raise LessonkitError(f"{name} is silent (quieter than {SILENT_DB:g} dB everywhere): there is no note "
                             "to encode. Check that it is the note you meant.")
    return audio


def _check_pitch(pitch, name="pitch") -> float:
    if isinstance(pitch, bool) or not isinstance(pitch, (int, float, np.integer, np.floating)) or not np.isfinite(pitch):
        raise LessonkitTypeError(f"{name} should be a MIDI pitch such as 60 (middle C), or None to measure it "
                                 f"from the sound, but got {pitch!r:.40}.")
    if not PITCH_RANGE[0] <= pitch <= PITCH_RANGE[1]:
        raise ModelError(f"{name}={pitch:g} is outside the pitches the synthesizer plays "
                         f"({PITCH_RANGE[0]}..{PITCH_RANGE[1]}).")
    return float(pitch)


def check_alpha(alpha, name="alpha") -> float:
    """``alpha`` as a float in [0, 1], or a ModelError that says so."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)) or not np.isfinite(alpha):
        raise LessonkitTypeError(f"{name} should be a number from 0 to 1, but got {alpha!r:.40}.")
    if not 0.0 <= alpha <= 1.0:
        raise ModelError(f"{name}={alpha:g} is outside 0..1: 0 means all of A, 1 all of B, 0.5 half way.")
    return float(alpha)


def measure_pitch(audio) -> float:
    """The MIDI pitch of a note, measured with YIN over its held part (0.1-0.9 s); fractional.

    Raises ModelError when no steady pitch is found (a drum, noise).
    """
    f0 = analysis.estimate_pitch(audio, start_s=0.1, stop_s=0.9)
    if not np.isfinite(f0):
        raise ModelError("No steady pitch was found in this sound (is it a drum or noise?). Pass pitch=... "
                         "yourself, e.g. pitch=60.")
    return float(analysis.hz_to_midi(f0))


def tuned_pitch(audio, pitch) -> float:
    """The labelled MIDI ``pitch`` fine-tuned to what the recording really plays.

    Lesson: notebooks/03_neural_synthesizer.ipynb (section 4, notes it never heard)

    Recordings are not always at their label's exact pitch: in our instrument notes the choir
    sings some notes more than 30 cents flat and the piano's samples are 4 to 23 cents sharp.
    YIN measures the note's pitch over its held part (0.1-0.9 s) and
    :func:`lessonkit.analysis.tuning_cents` turns it into cents from the label (octaves folded;
    0 when nothing steady is heard or it is more than 50 cents away). The synthesizer plays
    exact multiples of the f0 it is given, so a pitch 30 cents off is 30 cents off at every
    harmonic. (The sample player of :mod:`lessonkit.instruments` corrects the same detuning,
    by the same rule, when it plays a melody.)

    Parameters
    ----------
    audio : np.ndarray, shape=(n_samples,), float32
        One note, mono at 16 kHz, at most 1.5 s (as :func:`check_audio` accepts).
    pitch : float
        The labelled MIDI pitch.

    Returns
    -------
    float
        MIDI pitch, within 0.5 of ``pitch`` and inside :data:`PITCH_RANGE`.
    """
    audio, pitch = check_audio(audio), _check_pitch(pitch)
    cents = analysis.tuning_cents(analysis.estimate_pitch(audio, start_s=0.1, stop_s=0.9), pitch)
    return float(np.clip(pitch + cents / 100.0, *PITCH_RANGE))


def crossfade(audio_a, audio_b, alpha: float) -> np.ndarray:
    """Mix two sounds in *audio* space: ``(1 - alpha) * a + alpha * b`` (you hear both instruments).

    Lesson: notebooks/03_neural_synthesizer.ipynb

    Returns
    -------
    np.ndarray, shape=(24000,), float32
    """
    a, b = check_audio(audio_a, "audio_a"), check_audio(audio_b, "audio_b")
    alpha = check_alpha(alpha)
    return ((1 - alpha) * a + alpha * b).astype(np.float32)


def sustain_centroid(audio, start_s: float = 0.1, stop_s: float = 0.9) -> float:
    """Brightness of a note: the mean spectral centroid (Hz) of its frames from 0.1 to 0.9 s
    (the held part: after the attack, before the key is released at 1.0 s).

    Lesson: notebooks/03_neural_synthesizer.ipynb (the one definition the lesson and
    ``benchmarks/bench_synth.py`` use to see whether a morph moves from A's brightness to B's).
    """
    centroid = analysis.spectral_centroid(np.asarray(audio, dtype=np.float32))
    times = analysis.frame_times(centroid.size)
    held = centroid[(times >= start_s) & (times <= stop_s)]
    held = held[np.isfinite(held)]
    return float(held.mean()) if held.size else float("nan")


def get_note(instrument: str, pitch: int = 60, velocity: int = 112) -> np.ndarray:
    """One recorded note of the instrument set, ``shape=(24000,)``: the given instrument at the
    nearest pitch it has (from any split) and velocity 64 or 112.

    Raises LessonkitError for an unknown instrument, listing the ones that exist.
    """
    from ..instruments import _check_name, instrument_names

    _check_name(instrument, instrument_names())
    notes = _all_notes().select(instrument=instrument, velocity=112 if velocity >= 88 else 64)
    pitches = notes.pitches
    return notes.audio[int(np.argmin(np.abs(pitches - float(pitch))))]


_NOTES = []


def _all_notes():
    from ..instruments import load_instrument_notes

    if not _NOTES:
        _NOTES.append(load_instrument_notes())
    return _NOTES[0]


class MixedInstrument:
    """An instrument made from a :class:`NoteCode` (one note's timbre and loudness curve): it plays
    any pitch and length, so melodies can be rendered with it.

    Lesson: notebooks/03_neural_synthesizer.ipynb

    >>> flute_guitar = MixedInstrument(synth, synth.mix([code_a, code_b], [0.5, 0.5]))
    >>> audio.render(melody, instrument=flute_guitar)       # or flute_guitar.render(melody)
    """

    release_s = 0.4
    """Seconds of sound after a note's key is released (its recorded release, shifted to the held level)."""

    def __init__(self, synth, code: NoteCode, name: str = "mixed"):
        if not isinstance(code, NoteCode):
            raise LessonkitTypeError(f"code should be a NoteCode (from synth.encode, synth.mix or synth.blend), "
                                     f"not {type(code).__name__}.")
        self.synth, self.code, self.name = synth, code, name
        self._cache = {}

    def __repr__(self):
        return f"MixedInstrument({self.name!r}, code_size={self.synth.code_size})"

    def loudness_curve(self, duration_s: float, velocity: int = 112) -> np.ndarray:
        """The code's loudness curve fitted to a held time of ``duration_s``: the recorded attack,
        the held level for as long as needed, then the recorded release (key up at 1.0 s)."""
        curve = np.asarray(self.code.loudness_db, dtype=np.float32)
        key_up = int(round(1.0 * SR / ddsp.HOP))                           # frame 62
        held = max(1, int(round(duration_s * SR / ddsp.HOP)))
        body = curve[:held] if held <= key_up else np.concatenate(
            [curve[:key_up], np.full(held - key_up, curve[key_up - 8:key_up].mean(), dtype=np.float32)])
        release = curve[key_up:key_up + int(self.release_s * SR / ddsp.HOP)] - curve[key_up - 1] + body[-1]
        shift = 40.0 * np.log10(max(int(velocity), 1) / 112.0)             # like a sample bank: gain (v / 112) ** 2
        return np.maximum(np.concatenate([body, release]) + shift, -100.0).astype(np.float32)

    def note(self, pitch: float, duration_s: float, velocity: int = 112) -> np.ndarray:
        """One note, ``shape=(n_samples,)`` float32: held ``duration_s`` seconds plus the release."""
        key = (round(float(pitch), 2), round(float(duration_s), 3), int(velocity))
        if key not in self._cache:
            curve = self.loudness_curve(duration_s, velocity)
            code = NoteCode(self.code.timbre, curve, float(pitch))
            self._cache[key] = self.synth.decode(code)
        return self._cache[key]

    def render(self, melody) -> np.ndarray:
        """The melody played on this instrument (same as ``lessonkit.audio.render(melody, instrument=self)``)."""
        from .. import audio

        return audio.render(melody, instrument=self)
