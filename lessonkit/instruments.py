"""Real instrument sounds: the instrument-note set and the sample bank that plays melodies.

Lesson: notebooks/00_music_as_data.ipynb (hear a tune on different instruments) and
notebooks/03_neural_synthesizer.ipynb (the autoencoder learns from these notes).

The set is in the spirit of Google's NSynth dataset: one recording per note, 16 kHz mono,
each labelled with its instrument, family, MIDI pitch and velocity. Ours is small enough to
ship with the course: 14 instruments x 37 pitches (three octaves) x 2 velocities = 1,036
notes of 1.5 s, rendered from the FluidR3 General MIDI soundfont (MIT licence) with
FluidSynth. Each key is held for 1 s and then released. See ``data/README.md`` for how the
set was made and ``lessonkit.builders.render_instruments`` for the exact recipe.

>>> notes = load_instrument_notes("train")
>>> notes.audio.shape            # (n_notes, 24000): 1.5 s at 16 kHz each
>>> notes.meta[0]                # {'instrument': 'piano', 'family': 'keyboard', 'pitch': 48, ...}
>>> notes.select(instrument="flute", pitch=72).audio

Playing a melody on an instrument (``lessonkit.audio.render(melody, "flute")``) goes through
a :class:`SampleBank`: for each note it takes the recording of the nearest pitch and the
nearest velocity, resamples it to the exact pitch (correcting the soundfont's own tuning),
scales it for the velocity, loops its sustain if the note is longer than the recording, and
ends it with a smooth release.

The files themselves are read and checked by :mod:`lessonkit.instrument_files`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from .analysis import tuning_cents
from .errors import DataFileError, LessonkitError, LessonkitTypeError
from .instrument_files import DATA_DIR, REBUILD, SPLITS, SR, all_audio, read_audio, read_table  # noqa: F401 (DATA_DIR: old callers)

MIN_RELEASE_S = 0.04
"""Shortest release used when playing a note, in seconds (anything shorter can click)."""


# ----------------------------------------------------------------------------- the set


@dataclass
class InstrumentNotes:
    """Notes of the instrument set (all of it, or one split).

    Attributes
    ----------
    audio : np.ndarray, shape=(n_notes, n_samples), float32
        One note per row, 1.5 s at :attr:`sr` (24,000 samples), values in [-0.9, 0.9].
        The key goes down at sample 0 and up at 1.0 s.
    meta : list of dict
        One dict per row: ``instrument`` (str), ``family`` (str), ``pitch`` (MIDI int),
        ``velocity`` (MIDI int), ``split`` (``"train"``/``"valid"``/``"test"``), ``rms_db``
        (loudness of the held second, dB), ``f0_hz`` (its pitch as measured by YIN) and the
        sustain-loop points the sample bank uses.
    sr : int
        Sample rate in Hz (16,000).
    """

    audio: np.ndarray
    meta: list
    sr: int = SR
    info: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.meta)

    def __repr__(self) -> str:
        names = sorted({m["instrument"] for m in self.meta})
        splits = sorted({m["split"] for m in self.meta})
        return (f"InstrumentNotes({len(self)} notes, audio {self.audio.shape} float32 at {self.sr} Hz, "
                f"{len(names)} instruments, splits {splits})")

    @property
    def pitches(self) -> np.ndarray:
        """MIDI pitch of each note, ``shape=(n_notes,)``, int."""
        return np.array([m["pitch"] for m in self.meta], dtype=np.int64)

    @property
    def velocities(self) -> np.ndarray:
        """MIDI velocity of each note, ``shape=(n_notes,)``, int."""
        return np.array([m["velocity"] for m in self.meta], dtype=np.int64)

    @property
    def instruments(self) -> np.ndarray:
        """Instrument name of each note, ``shape=(n_notes,)``, str."""
        return np.array([m["instrument"] for m in self.meta])

    @property
    def families(self) -> np.ndarray:
        """Family of each note, ``shape=(n_notes,)``, str."""
        return np.array([m["family"] for m in self.meta])

    def select(self, *, instrument=None, family=None, pitch=None, velocity=None, split=None) -> "InstrumentNotes":
        """The notes matching every condition given (each a value or a list of values).

        >>> notes.select(instrument=["flute", "guitar"], pitch=60)
        """
        conditions = {"instrument": instrument, "family": family, "pitch": pitch, "velocity": velocity,
                      "split": split}
        keep = np.ones(len(self), dtype=bool)
        for key, wanted in conditions.items():
            if wanted is None:
                continue
            wanted = set(wanted) if isinstance(wanted, (list, tuple, set, np.ndarray)) else {wanted}
            keep &= np.array([m[key] in wanted for m in self.meta], dtype=bool)
        index = np.flatnonzero(keep)
        return InstrumentNotes(self.audio[index], [self.meta[i] for i in index], self.sr, self.info)


def load_instrument_notes(split: str | None = None, *, instruments=None, data_dir=None) -> InstrumentNotes:
    """Load the instrument-note set (well under 2 s the first time, a copy of the cache after).

    Lesson: notebooks/03_neural_synthesizer.ipynb

    Parameters
    ----------
    split : {"train", "valid", "test"} or None
        Which part; ``None`` gives all 1,036 notes. Every instrument has 5 or 6 of its 37
        pitches in ``"test"`` and 5 or 6 in ``"valid"`` (both velocities of each, never in
        ``"train"``; about 15% each), so a model trained on ``"train"`` can be asked to play
        notes it never heard. Held-out pitches lie between trained ones, and differ from one
        instrument to the next (every pitch is in training for most instruments).
    instruments : list of str, optional
        Only these instruments (see :func:`instrument_names`).
    data_dir : str, optional
        Where the files are (default: the course's ``data/`` folder).

    Returns
    -------
    InstrumentNotes
        ``.audio`` float32 ``(n_notes, 24000)``, ``.meta`` list of dicts, ``.sr`` = 16000.

    Raises
    ------
    DataFileError
        If a file is missing or damaged (the message says how to get it back).
    """
    if split is not None and split not in SPLITS:
        raise LessonkitError(f"split={split!r} is not a split of the instrument notes; use one of {SPLITS} "
                             "or None for all notes.")
    info, rows, names, _ = read_table(data_dir)
    if instruments is not None:
        instruments = [instruments] if isinstance(instruments, str) else list(instruments)
        for name in instruments:
            check_instrument_name(name, names)
    cached = all_audio(data_dir)
    index = [i for i, r in enumerate(rows) if (split is None or r["split"] == split)
             and (instruments is None or r["instrument"] in instruments)]
    audio = cached.copy() if len(index) == len(rows) else cached[index]   # the student's own copy
    return InstrumentNotes(audio, [dict(rows[i]) for i in index], SR, info)


def check_instrument_name(name, names) -> str:
    """``name`` if it is one of ``names``; else an error that suggests the closest name and lists them all."""
    if not isinstance(name, str):
        raise LessonkitTypeError(f"An instrument name should be a str, but got {type(name).__name__} ({name!r:.40}).")
    if name not in names:
        import difflib

        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise LessonkitError(f"Unknown instrument {name!r}.{hint} The instruments are: {', '.join(names)}.")
    return name


_check_name = check_instrument_name  # the old private name, for code written before it was made public


def instrument_names(data_dir=None) -> list[str]:
    """Names of the instruments of the set, in the order they are stored.

    >>> instrument_names()[:3]
    ['piano', 'electric_piano', 'vibraphone']
    """
    return list(read_table(data_dir)[2])


def instrument_info(name: str, data_dir=None) -> dict:
    """One instrument's entry: family, General MIDI ``program``, pitch range ``low``..``high``,
    ``gain_db`` applied when the set was normalised, and ``release_s`` (time to fall 40 dB after
    the key is released)."""
    info, _, names, _ = read_table(data_dir)
    check_instrument_name(name, names)
    return dict(info["instruments"][names.index(name)])


# ----------------------------------------------------------------------------- playback


def _cubic_resample(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Values of ``x`` at fractional sample ``positions`` (4-point cubic Hermite interpolation)."""
    i = positions.astype(np.int64)                   # positions are >= 0: the same as floor
    t = (positions - i).astype(np.float32)
    xp = np.zeros(len(x) + 4, dtype=x.dtype)         # x with 1 zero before and 3 after
    xp[1:len(x) + 1] = x
    i = np.minimum(i + 1, len(x))
    y0, y1, y2, y3 = xp[i - 1], xp[i], xp[i + 1], xp[i + 2]
    c1 = 0.5 * (y2 - y0)
    c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3
    c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2)
    return ((c3 * t + c2) * t + c1) * t + y1


class SampleBank:
    """The recorded notes of one instrument, ready to play at any pitch, length and velocity.

    Lesson: notebooks/00_music_as_data.ipynb (how a sampler works)

    Build one with :func:`sample_bank`. ``bank.note(60, 0.5)`` returns half a second of
    middle C; :func:`lessonkit.audio.render` calls this for every note of a melody.

    Attributes
    ----------
    name : str
    pitches : np.ndarray, shape=(n_pitches,), int
        The recorded pitches (every semitone of the instrument's range).
    velocities : np.ndarray, shape=(n_velocities,), int
        The recorded velocities.
    release_s : float
        Length of the release after note-off, in seconds.
    """

    def __init__(self, name: str, audio: np.ndarray, meta: list, release_s: float, sr: int = SR):
        self.name = name
        self.sr = sr
        self.pitches = np.array(sorted({m["pitch"] for m in meta}), dtype=np.int64)
        self.velocities = np.array(sorted({m["velocity"] for m in meta}), dtype=np.int64)
        self.release_s = max(float(release_s), MIN_RELEASE_S)
        self._audio = audio
        self._row = {(m["pitch"], m["velocity"]): i for i, m in enumerate(meta)}
        self._meta = meta
        self._cache = {}
        self._envelopes = {}
        # a 2 ms fade-in keeps the attack of a loop-started or resampled note clean
        self._fade_in = np.linspace(0.0, 1.0, 32, endpoint=False, dtype=np.float32) ** 0.5

    def __repr__(self):
        from .music import note_name

        return (f"SampleBank({self.name!r}, {note_name(int(self.pitches[0]))}-{note_name(int(self.pitches[-1]))}, "
                f"velocities {self.velocities.tolist()}, release {self.release_s * 1000:.0f} ms)")

    def _detune_cents(self, meta) -> float:
        """How sharp the recording is (cents, :func:`lessonkit.analysis.tuning_cents` of its stored
        f0): we resample it away."""
        return tuning_cents(meta["f0_hz"], meta["pitch"])

    def _sustain(self, row: int, n_samples: int) -> np.ndarray:
        """The held part of a recording, looped seamlessly to at least ``n_samples`` long."""
        x = self._audio[row]
        m = self._meta[row]
        hold = int(round(1.0 * self.sr))
        if n_samples <= hold:
            return x[:n_samples]
        key = (row, "loop")
        if key not in self._cache:
            start, length, gain = m["loop_start"], m["loop_samples"], m["loop_gain"]
            fade = min(int(0.02 * self.sr), start, length // 2)
            tile = x[start:start + length].copy()
            w = np.linspace(0.0, 1.0, fade, dtype=np.float32)
            tile[length - fade:] = tile[length - fade:] * (1.0 - w) + gain * x[start - fade:start] * w
            self._cache[key] = (tile, gain)
        tile, gain = self._cache[key]
        head = x[:self._meta[row]["loop_start"]]
        repeats = int(np.ceil((n_samples - len(head)) / len(tile)))
        scales = (gain ** np.arange(repeats)).astype(np.float32)
        body = (tile[None, :] * scales[:, None]).reshape(-1)
        return np.concatenate([head, body])[:n_samples]

    def forget(self) -> None:
        """Drop every recording resampled and every sustain looped so far (the next notes are
        worked out afresh)."""
        self._cache.clear()

    def _release_envelope(self, n_release: int) -> np.ndarray:
        """An exponential fall of 40 dB over ``n_release`` samples, then a short linear fade to exactly zero."""
        if n_release not in self._envelopes:
            t = np.arange(n_release, dtype=np.float32) / np.float32(max(n_release, 1))
            self._envelopes[n_release] = np.power(np.float32(0.01), t) * np.minimum(1.0, 4.0 * (1.0 - t))
        return self._envelopes[n_release]

    def _played(self, row: int, speed: float, n_out: int) -> np.ndarray:
        """The first ``n_out`` samples of recording ``row`` played ``speed`` times faster (a new array).

        Resampling is most of the cost of a note, so each (recording, speed) is resampled once,
        long enough for the longest note asked so far, and later notes copy the start of it.
        A key held past 1 s plays the looped sustain instead of the recording's own decay, so
        short and looped notes are kept apart.
        """
        hold = int(round(1.0 * self.sr))
        looped = int(np.ceil(n_out * speed)) + 4 > hold
        key = (row, float(speed), looped)
        played = self._cache.get(key)
        if played is None or len(played) < n_out:
            if len(self._cache) > 512 or sum(len(v) for v in self._cache.values() if isinstance(v, np.ndarray)) > 8e6:
                # many different pitches or long notes (over 32 MB kept): start again
                self._cache = {k: v for k, v in self._cache.items() if k[1] == "loop"}
            # what is asked, or twice what was kept if that is more (few redos as notes grow),
            # but a short note stays within the first second of the recording
            n = max(n_out, 0 if played is None else 2 * len(played))
            n = n if looped else max(n_out, min(n, int((hold - 4) / speed)))
            source = self._sustain(row, int(np.ceil(n * speed)) + 4)
            if abs(speed - 1.0) < 1e-6:
                played = source[:n].astype(np.float32, copy=True)
            else:
                played = _cubic_resample(source, np.arange(n) * speed)
            self._cache[key] = played
        return played[:n_out].copy()

    def note(self, pitch: float, duration_s: float, velocity: int = 90) -> np.ndarray:
        """One note: the key held for ``duration_s``, then released.

        Parameters
        ----------
        pitch : float
            MIDI pitch (fractional pitches are played exactly, e.g. 60.5 is a quarter tone
            above C4). Outside the recorded range the nearest recording is transposed.
        duration_s : float
            How long the key is held, in seconds (> 0).
        velocity : int
            MIDI velocity 1..127: picks the nearest recorded velocity and scales its level
            by ``(velocity / recorded) ** 2`` (FluidSynth's own velocity curve).

        Returns
        -------
        np.ndarray, shape=(round((duration_s + release_s) * sr),), float32
            Starts at the note-on; ends at zero after the release (no click).
        """
        if not duration_s > 0:
            raise LessonkitError(f"duration_s={duration_s} must be positive.")
        if not 1 <= velocity <= 127:
            raise LessonkitError(f"velocity={velocity} is not a MIDI velocity; use 1..127.")
        source_pitch = int(self.pitches[np.argmin(np.abs(self.pitches - pitch))])
        layer = int(self.velocities[np.argmin(np.abs(self.velocities - velocity))])
        row = self._row[(source_pitch, layer)]
        detune = self._detune_cents(self._meta[row])
        speed = 2.0 ** ((pitch - source_pitch) / 12.0 - detune / 1200.0)   # source samples per output sample
        n_hold = max(1, int(round(duration_s * self.sr)))
        n_release = int(round(self.release_s * self.sr))
        n_out = n_hold + n_release
        out = self._played(row, speed, n_out)
        out[n_hold:] *= self._release_envelope(n_release)
        ramp = min(32, n_hold)
        out[:ramp] *= self._fade_in if ramp == 32 else np.linspace(0.0, 1.0, ramp, endpoint=False, dtype=np.float32) ** 0.5
        out *= np.float32((velocity / layer) ** 2)
        return out


@functools.lru_cache(maxsize=16)
def _bank(name: str, data_dir=None) -> SampleBank:
    info, rows, names, _ = read_table(data_dir)
    check_instrument_name(name, names)
    index = [i for i, r in enumerate(rows) if r["instrument"] == name]
    if index != list(range(index[0], index[-1] + 1)):
        raise DataFileError(f"The notes of {name} are not stored together in the set. {REBUILD}")
    if all_audio.cache_info().currsize:
        audio = all_audio(data_dir)[index[0]:index[-1] + 1]
    else:  # read only this instrument's part of the file (about 30 ms)
        audio = read_audio(data_dir, index[0], index[-1] + 1)
    release = info["instruments"][names.index(name)]["release_s"]
    return SampleBank(name, audio, [rows[i] for i in index], release)


def sample_bank(name: str, data_dir=None) -> SampleBank:
    """The :class:`SampleBank` of one instrument (loaded once, then cached).

    Raises
    ------
    LessonkitError
        For an unknown name; the message lists the instruments.
    DataFileError
        If the set's files are missing or damaged.
    """
    if not isinstance(name, str):
        raise LessonkitTypeError(f"The instrument should be a name (str), not {type(name).__name__}.")
    return _bank(name, data_dir)
