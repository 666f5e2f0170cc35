"""Sound: render melodies to audio, play them in a notebook, save WAV files.

Lesson: notebooks/00_music_as_data.ipynb

Audio is a numpy array of float32 samples in [-1, 1], mono, at :data:`SR` = 16,000
samples per second (the rate of the NSynth dataset): one second is 16,000 numbers.

Playback
--------
:func:`play` shows a plain HTML5 audio player (``ipywidgets.Audio``). We chose it over
ipyaudio's ``Player`` because that one loads a donation button from a third-party server
and displays itself twice in some cells; a classroom page must make no request outside
the Jupyter server. Every lesson plays sound through :func:`play`, :func:`player` and
:func:`play_side_by_side`, so the choice can change here, in one place.
"""

from __future__ import annotations

import io
import os

import numpy as np

from .errors import LessonkitError, LessonkitTypeError, expect_type
from .files import atomic_write_bytes, refuse_overwrite
from .music import Melody, midi_to_hz

SR = 16000
"""Sample rate of all lessonkit audio, in samples per second (Hz)."""

SYNTH = "synth"
"""Name of the built-in voice: a soft additive synth that needs no data file."""

DEFAULT_INSTRUMENT = "piano"
"""The voice used when ``render`` is given no instrument: the sampled acoustic grand piano
of the instrument-note set (see :mod:`lessonkit.instruments`); :data:`SYNTH` needs no data."""


def synth_note(pitch: int, duration_s: float, velocity: int = 90, *, sr: int = SR, release_s: float = 0.08):
    """One note of the built-in voice: a few harmonics with a smooth attack and release.

    Parameters
    ----------
    pitch : int
        MIDI pitch.
    duration_s : float
        How long the key is held, in seconds; the release adds ``release_s`` after it.
    velocity : int
        MIDI velocity 1..127; loudness grows with it.

    Returns
    -------
    np.ndarray, shape=(round((duration_s + release_s) * sr),), dtype=float32
    """
    n_hold = max(1, int(round(duration_s * sr)))
    n_rel = int(round(release_s * sr))
    t = np.arange(n_hold + n_rel) / sr
    f0 = float(midi_to_hz(pitch))
    wave = np.zeros_like(t)
    for k, amp in enumerate((1.0, 0.45, 0.25, 0.12, 0.06), start=1):
        if k * f0 < sr / 2:
            wave += amp * np.sin(2 * np.pi * k * f0 * t)
    attack = np.minimum(1.0, t / 0.01)
    decay = 0.65 + 0.35 * np.exp(-t / 0.25)
    release = np.ones_like(t)
    release[n_hold:] = np.linspace(1.0, 0.0, n_rel, endpoint=False) if n_rel else 1.0
    gain = 0.25 * (velocity / 127.0) ** 1.5
    return (gain * wave * attack * decay * release).astype(np.float32)


def render(melody: Melody, instrument: str | None = None, *, tempo_bpm: float | None = None) -> np.ndarray:
    """Play a melody on an instrument and return the sound.

    Parameters
    ----------
    melody : Melody
        What to play.
    instrument : str or instrument object, optional
        An instrument of the set (``"piano"``, ``"flute"``, ... see
        :func:`available_instruments`) or ``"synth"``; default :data:`DEFAULT_INSTRUMENT`.
        Also any object with ``.note(pitch, duration_s, velocity) -> audio`` and ``.release_s``,
        such as a :class:`lessonkit.models.synth.MixedInstrument` (lesson 03).
        Sampled instruments play each note from the recording of the nearest pitch and
        velocity, resampled to the exact pitch, looped if held longer than 1 s, and released
        smoothly (:class:`lessonkit.instruments.SampleBank`).
    tempo_bpm : float, optional
        Beats per minute; default the melody's own ``tempo_bpm``.

    Returns
    -------
    np.ndarray, shape=(n_samples,), dtype=float32
        Mono audio at :data:`SR`, values in [-1, 1]; its length is the melody's
        duration plus a short release tail.
    """
    expect_type(melody, Melody, "melody", 'Make one with Melody.parse("C4 D4 E4").')
    instrument = DEFAULT_INSTRUMENT if instrument is None else instrument
    playable = not isinstance(instrument, str) and hasattr(instrument, "note") and hasattr(instrument, "release_s")
    if not playable:  # an object with .note(pitch, duration_s, velocity) and .release_s also plays (lesson 03)
        expect_type(instrument, str, "instrument")
    if tempo_bpm is not None:
        melody = melody.copy(tempo_bpm=tempo_bpm)
    if playable:
        release_s, play_note = instrument.release_s, instrument.note
    elif instrument == SYNTH:
        release_s = 0.08

        def play_note(pitch, duration_s, velocity):
            return synth_note(pitch, duration_s, velocity, release_s=release_s)
    else:
        from .instruments import check_instrument_name, sample_bank

        check_instrument_name(instrument, available_instruments())
        bank = sample_bank(instrument)
        release_s, play_note = bank.release_s, bank.note
    sps = melody.seconds_per_step
    out = np.zeros(int(np.ceil((melody.duration_s + release_s) * SR)) + 1, dtype=np.float32)
    for pitch, onset, duration, velocity in zip(melody.pitches.tolist(), melody.onsets_steps.tolist(),
                                                melody.durations_steps.tolist(), melody.velocities.tolist()):
        start = int(round(onset * sps * SR))
        sound = play_note(pitch, duration * sps, velocity)
        out[start:start + len(sound)] += sound[: len(out) - start]
    return _limit(out)


def available_instruments() -> list[str]:
    """Names accepted by :func:`render`: the sampled instruments of the set, then ``"synth"``."""
    from .instruments import instrument_names

    return instrument_names() + [SYNTH]


def _limit(audio: np.ndarray) -> np.ndarray:
    """Scale down (never up) so no sample reaches +-1."""
    peak = max(float(audio.max()), -float(audio.min())) if audio.size else 0.0
    if peak > 0.99:
        audio = audio * (0.99 / peak)
    return np.asarray(audio, dtype=np.float32)


def as_audio(sound, *, sr: int = SR, instrument: str | None = None) -> np.ndarray:
    """Turn a Melody or an array into mono float32 audio at :data:`SR` (checks shape and sr)."""
    if isinstance(sound, Melody):
        return render(sound, instrument)
    if isinstance(sound, (list, tuple)):
        try:
            sound = np.asarray(sound, dtype=np.float32)
        except (TypeError, ValueError):
            raise LessonkitTypeError("Audio should be a list or array of numbers between -1 and 1.") from None
    if not isinstance(sound, np.ndarray):
        raise LessonkitTypeError(
            f"Expected audio (a numpy array) or a Melody, but got {type(sound).__name__}."
        )
    if np.issubdtype(sound.dtype, np.integer):
        raise LessonkitTypeError(
            f"This audio holds whole numbers ({sound.dtype}); lessonkit audio is float in [-1, 1]. "
            "For 16-bit samples, divide by 32768: audio = samples / 32768."
        )
    if not np.issubdtype(sound.dtype, np.floating):
        raise LessonkitTypeError(f"Audio should hold real numbers in [-1, 1], not {sound.dtype} values.")
    if sound.ndim != 1:
        raise LessonkitError(f"Audio must be mono, shape (n_samples,), but got shape {sound.shape}.")
    if sr != SR:
        raise LessonkitError(f"lessonkit audio is at {SR} Hz, but sr={sr}. Resample it first.")
    if sound.size == 0:
        raise LessonkitError("This audio is empty (0 samples); there is nothing to play.")
    if not np.all(np.isfinite(sound)):
        raise LessonkitError("This audio contains NaN or infinite values; check how it was made.")
    return sound.astype(np.float32, copy=False)


def to_wav_bytes(audio: np.ndarray, sr: int = SR) -> bytes:
    """Encode audio as a 16-bit PCM WAV file in memory.

    Audio louder than full scale (a peak above 1, e.g. two sounds added together) is
    scaled down to fit rather than clipped, so it never distorts.
    """
    import soundfile as sf

    audio = as_audio(audio, sr=sr)
    peak = float(np.max(np.abs(audio)))
    if peak > 1.0:
        audio = audio / peak
    buffer = io.BytesIO()
    sf.write(buffer, audio, sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def save_wav(sound, path, *, overwrite: bool = False, instrument: str | None = None) -> str:
    """Save audio (or a Melody, rendered first) as a WAV file.

    Never overwrites an existing file unless ``overwrite=True``; the file is written
    atomically. Returns the path.
    """
    path = refuse_overwrite(os.fspath(path), overwrite)
    return atomic_write_bytes(path, to_wav_bytes(as_audio(sound, instrument=instrument)))


def load_wav(path) -> np.ndarray:
    """Read a WAV/FLAC file as mono float32 at :data:`SR` (mixing channels, resampling if needed)."""
    import soundfile as sf
    from scipy.signal import resample_poly

    path = os.fspath(path)
    if not os.path.exists(path):
        raise LessonkitError(f"There is no file {path!r}.")
    try:
        audio, sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as err:
        raise LessonkitError(f"{path!r} is not a readable audio file ({type(err).__name__}).") from None
    audio = audio.mean(axis=1)
    if sr != SR:
        g = np.gcd(int(sr), SR)
        audio = resample_poly(audio, SR // g, int(sr) // g).astype(np.float32)
    return audio


def player(sound, *, instrument: str | None = None, label: str | None = None):
    """An audio player widget for a sound or a Melody (not yet displayed).

    Returns
    -------
    ipywidgets.Audio, or ipywidgets.VBox with a label above the player when ``label`` is given.
    Update a bare player with ``p.value = to_wav_bytes(new_audio)``.
    """
    import ipywidgets as widgets

    audio_widget = widgets.Audio(value=to_wav_bytes(as_audio(sound, instrument=instrument)),
                                 format="wav", autoplay=False, loop=False)
    if label is None:
        return audio_widget
    return widgets.VBox([widgets.HTML(f"<b>{label}</b>"), audio_widget])


def play(sound, *, instrument: str | None = None, label: str | None = None) -> None:
    """Show an audio player for a sound (float32 array at :data:`SR`) or a Melody.

    Lesson: notebooks/00_music_as_data.ipynb
    """
    from IPython.display import display

    display(player(sound, instrument=instrument, label=label))


def play_side_by_side(sounds: dict, *, instrument: str | None = None) -> None:
    """Show several labelled players in a row, for comparing, e.g. ``{"original": a, "rebuilt": b}``."""
    import ipywidgets as widgets
    from IPython.display import display

    expect_type(sounds, dict, "sounds", 'Pass a dict like {"original": a, "rebuilt": b}.')
    players = [player(s, instrument=instrument, label=str(k)) for k, s in sounds.items()]
    for p in players:  # each player keeps its full width; a row too long wraps instead of squeezing them
        p.layout.flex = "0 0 auto"
    display(widgets.HBox(players, layout=widgets.Layout(flex_flow="row wrap")))
