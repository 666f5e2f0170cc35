"""The neural synthesizer: an autoencoder that squeezes an instrument note into a few numbers
and plays it back, so that instruments can be mixed into new ones.

Lesson: notebooks/03_neural_synthesizer.ipynb

"The encoder network transforms a sound into a compressed representation, and the decoder
network converts it back into sound." Here:

* the **encoder** reads the note's log-mel spectrogram (64 bands x 94 frames) and its pitch
  and writes a **timbre code** of ``code_size`` numbers (16 by default) for the whole note;
* the **decoder** gets that code, the pitch and the note's **loudness curve** (one number per
  16 ms frame) and, frame by frame, sets the knobs of a harmonic-plus-noise synthesizer
  (:mod:`lessonkit.models.ddsp`), which makes the 24,000 samples.

Training compares the rebuilt note with the real one with the multi-resolution spectral
distance (:func:`lessonkit.models.ddsp.spectral_distance`); nothing else is needed.

Why one code per note (not one per frame)? A morph mixes two codes; with one code per
note, the mix is one point between two points, and the loudness curves are mixed on their
own (in dB). Training adds a little noise to the code and a small penalty on its size, so
nearby codes must sound alike: the space between instruments is smooth, and a morph's
brightness moves one way from A to B (measured in ``benchmarks/RESULTS.md``).

Pitch: the decoder plays any pitch you give it (MIDI number, fractions allowed), so a note
of an instrument can be played at a pitch it was never recorded at; ``pitch=None`` measures
the pitch of the sound itself with YIN (:func:`lessonkit.analysis.estimate_pitch`).

Left out on purpose: a code that changes over time (vibrato, two notes in a row), a trained
f0 encoder, reverb, and velocity as an input (the loudness curve carries it).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from .. import analysis
from ..errors import DataFileError, LessonkitError, LessonkitTypeError, ModelError
from . import ddsp

SR = ddsp.SR
N_SAMPLES = 24000
"""Samples in a note (1.5 s at 16 kHz): longer sounds are refused, shorter ones padded with silence."""
N_FRAMES = 1 + N_SAMPLES // ddsp.HOP
"""Frames of a note (94, one every 16 ms)."""
N_MELS = 64
PITCH_RANGE = (24, 100)
"""MIDI pitches the decoder accepts (the notes it learned from span 28-96)."""
SILENT_DB = -60.0
"""A sound whose loudest 16 ms frame is quieter than this is called silent."""
DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "data"))
CODE_SIZES = (2, 4, 8, 16)
"""Code sizes of the pretrained models (the bottleneck slider)."""


def weights_path(code_size: int) -> str:
    """Where the pretrained model with ``code_size`` numbers lives: ``data/synth_<code_size>.safetensors``."""
    return os.path.join(DATA_DIR, f"synth_{code_size}.safetensors")


@dataclass
class Config:
    """Sizes of the network and how it is trained.

    Attributes
    ----------
    code_size : int
        Numbers in the timbre code (the bottleneck).
    hidden : int
        Width of the encoder's convolutions and of the decoder's GRU and layers.
    n_harmonics, n_noise_bands : int
        Knobs of the synthesizer per frame: harmonic amplitudes and noise-filter bands.
    code_noise : float
        Standard deviation of the noise added to the code while training (smoothness).
    code_penalty : float
        Weight of ``mean(code ** 2)`` in the loss (keeps codes near the origin).
    batch_size : int
        Notes per training step.
    """

    code_size: int = 16
    hidden: int = 128
    n_harmonics: int = 60
    n_noise_bands: int = 65
    code_noise: float = 0.1
    code_penalty: float = 0.01
    batch_size: int = 12

    def __post_init__(self):
        for name in ("code_size", "hidden", "n_harmonics", "n_noise_bands", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ModelError(f"Config({name}={value!r}) should be a whole number >= 1, such as "
                                 f"{getattr(Config, name)}.")
        for name in ("code_noise", "code_penalty"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
                raise ModelError(f"Config({name}={value!r}) should be a number >= 0, such as {getattr(Config, name)}.")


# ----------------------------------------------------------------------------- features


_MEL = torch.from_numpy(analysis.mel_filterbank(SR, 1024, N_MELS))        # (64, 513)


def features(audio: torch.Tensor) -> tuple:
    """What the networks read: log-mel spectrogram and loudness curve of each note.

    Parameters
    ----------
    audio : torch.Tensor, shape=(batch, 24000), float32

    Returns
    -------
    logmel : torch.Tensor, shape=(batch, 64, 94)
        Band levels in dB / 100 (0 = full scale, -1 = -100 dB).
    loudness_db : torch.Tensor, shape=(batch, 94)
        RMS level of each 1024-sample frame in dB (the same numbers as
        :func:`lessonkit.analysis.rms_db_frames`), floored at -100.
    """
    window = torch.hann_window(1024)
    spec = torch.stft(audio, 1024, ddsp.HOP, window=window, center=True, return_complex=True).abs()
    mel = _MEL @ (spec * (2.0 / window.sum()))                             # (B, 64, T)
    logmel = 20 * torch.log10(mel.clamp_min(1e-5)) / 100
    frames = torch.nn.functional.pad(audio, (512, 512)).unfold(1, 1024, ddsp.HOP)   # (B, T, 1024)
    loudness_db = 10 * torch.log10((frames ** 2).mean(-1).clamp_min(1e-10))
    return logmel, loudness_db


# ----------------------------------------------------------------------------- the network


def _scaled_sigmoid(x):
    """DDSP's positive output: 2 sigmoid(x) ** ln(10) + 1e-7 (gentle near 0, up to 2)."""
    return 2.0 * torch.sigmoid(x) ** 2.302585 + 1e-7


class Autoencoder(nn.Module):
    """Encoder (log-mel -> code) and decoder (code, pitch, loudness -> synthesizer knobs -> audio)."""

    def __init__(self, config: Config | None = None):
        super().__init__()
        self.config = config = Config() if config is None else config
        h, k = config.hidden, config.code_size
        # encoder: log-mel + pitch channel -> two convolutions over time -> mean -> code
        self.enc = nn.Sequential(nn.Conv1d(N_MELS + 1, h, 5, padding=2), nn.GELU(),
                                 nn.Conv1d(h, h, 5, padding=2, stride=2), nn.GELU())
        self.to_code = nn.Linear(2 * h, k)
        # decoder: [code, pitch, loudness] per frame -> GRU -> MLP -> knobs
        self.dec_in = nn.Linear(k + 2, h)
        self.gru = nn.GRU(h, h, batch_first=True)
        self.dec_out = nn.Sequential(nn.Linear(2 * h, h), nn.GELU(),
                                     nn.Linear(h, 1 + config.n_harmonics + config.n_noise_bands))

    def encode(self, logmel, pitch):
        """logmel (B, 64, T), pitch (B,) MIDI -> code (B, code_size)."""
        p = ((pitch - 60.0) / 24.0)[:, None, None].expand(-1, 1, logmel.shape[-1])
        x = self.enc(torch.cat([logmel, p], dim=1))                        # (B, h, T/2)
        return self.to_code(torch.cat([x.mean(-1), x.amax(-1)], dim=1))    # (B, K)

    def knobs(self, code, pitch, loudness_db):
        """code (B, K), pitch (B,), loudness_db (B, T) -> amplitude (B, T), harmonics (B, T, H), noise (B, T, NB)."""
        t = loudness_db.shape[1]
        x = torch.cat([code[:, None, :].expand(-1, t, -1),
                       ((pitch - 60.0) / 24.0)[:, None, None].expand(-1, t, 1),
                       (loudness_db[..., None] + 50.0) / 50.0], dim=-1)   # (B, T, K + 2)
        x = torch.relu(self.dec_in(x))
        y, _ = self.gru(x)                                                 # (B, T, h)
        out = self.dec_out(torch.cat([x, y], dim=-1))                      # (B, T, 1 + H + NB)
        n_h = self.config.n_harmonics
        amplitude = _scaled_sigmoid(out[..., 0])
        harmonics = _scaled_sigmoid(out[..., 1:1 + n_h])
        noise = _scaled_sigmoid(out[..., 1 + n_h:] - 5.0) * 0.01           # starts quiet
        return amplitude, harmonics, noise

    def decode(self, code, pitch, loudness_db, n_samples=None, generator=None, frames=None):
        """code (B, K), pitch (B,), loudness_db (B, T) -> audio (B, n_samples).

        ``frames=(first, count)`` synthesises only frames ``first .. first + count`` (training
        on short windows); the network still reads the whole loudness curve.
        """
        amplitude, harmonics, noise = self.knobs(code, pitch, loudness_db)
        first, count = (0, loudness_db.shape[1]) if frames is None else frames
        n_samples = count * ddsp.HOP if n_samples is None else n_samples
        window = slice(first, first + count + 1)                           # +1: the frame a segment ramps to
        f0 = 440.0 * 2.0 ** ((pitch.detach() - 69.0) / 12.0)               # (B,) Hz
        f0 = f0[:, None].expand(-1, amplitude[:, window].shape[1])         # (B, T')
        audio = ddsp.harmonic_synth(f0, amplitude[:, window], harmonics[:, window], n_samples)
        return audio + ddsp.filtered_noise(noise[:, first:first + count], n_samples, generator=generator)


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
    if isinstance(audio, torch.Tensor):
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


class NeuralSynth:
    """A trained autoencoder with numpy in and out: encode, decode, morph, blend.

    Lesson: notebooks/03_neural_synthesizer.ipynb
    """

    def __init__(self, model: Autoencoder, meta: dict | None = None):
        self.model = model.eval()
        self.config = model.config
        self.meta = dict(meta or {})

    @property
    def code_size(self) -> int:
        """Numbers in the timbre code."""
        return self.config.code_size

    def __repr__(self):
        n = sum(p.numel() for p in self.model.parameters())
        return f"NeuralSynth(code_size={self.code_size}, {n:,} parameters)"

    @torch.no_grad()
    def encode(self, audio, pitch=None) -> NoteCode:
        """Compress one note (mono, 16 kHz, at most 1.5 s) into a :class:`NoteCode`.

        ``pitch``: its MIDI pitch, or None to measure it from the sound (YIN).
        """
        audio = check_audio(audio)
        pitch = measure_pitch(audio) if pitch is None else _check_pitch(pitch)
        logmel, loudness = features(torch.from_numpy(audio)[None])
        code = self.model.encode(logmel, torch.tensor([pitch]))
        return NoteCode(code[0].numpy().astype(np.float32), loudness[0].numpy().astype(np.float32), pitch)

    @torch.no_grad()
    def decode(self, code: NoteCode, pitch=None, *, seed: int = 0) -> np.ndarray:
        """Rebuild a note from its code (at ``pitch`` if given, else the code's own), ``shape=(24000,)``."""
        if not isinstance(code, NoteCode):
            raise LessonkitTypeError(f"code should be a NoteCode from synth.encode(audio), not {type(code).__name__}.")
        timbre = np.asarray(code.timbre, dtype=np.float32).reshape(-1)
        if timbre.size != self.code_size:
            raise ModelError(f"This code has {timbre.size} timbre numbers, but this model reads {self.code_size}. "
                             f"Encode with the same model: load_pretrained(code_size={timbre.size}).")
        pitch = _check_pitch(code.pitch if pitch is None else pitch)
        loud = torch.from_numpy(np.asarray(code.loudness_db, dtype=np.float32))[None]
        generator = torch.Generator().manual_seed(int(seed))
        n_frames = loud.shape[1]
        n_samples = N_SAMPLES if n_frames == N_FRAMES else n_frames * ddsp.HOP
        audio = self.model.decode(torch.from_numpy(timbre)[None], torch.tensor([pitch]), loud,
                                  n_samples=n_samples, generator=generator)[0]
        return np.clip(audio.numpy(), -1, 1).astype(np.float32)

    def reconstruct(self, audio, pitch=None) -> np.ndarray:
        """``decode(encode(audio, pitch))``: the note as the autoencoder rebuilds it."""
        return self.decode(self.encode(audio, pitch))

    def mix(self, codes, weights, pitch=None) -> NoteCode:
        """A weighted mix of codes (timbres, and loudness curves in dB); weights >= 0, summing to 1."""
        weights = np.asarray(weights, dtype=np.float64)
        if len(codes) != len(weights) or np.any(weights < -1e-9) or abs(weights.sum() - 1) > 1e-6:
            raise ModelError(f"mix needs one weight >= 0 per code, summing to 1; got {weights.tolist()}.")
        timbre = sum(w * c.timbre for w, c in zip(weights, codes)).astype(np.float32)
        loud = sum(w * c.loudness_db for w, c in zip(weights, codes)).astype(np.float32)
        pitch = float(sum(w * c.pitch for w, c in zip(weights, codes))) if pitch is None else _check_pitch(pitch)
        return NoteCode(timbre, loud, pitch)

    def morph(self, audio_a, audio_b, pitch=None, alpha: float = 0.5, *, seed: int = 0) -> np.ndarray:
        """Mix two notes in *latent* space: encode both, mix the codes by ``alpha``, decode one note.

        Lesson: notebooks/03_neural_synthesizer.ipynb

        ``alpha`` 0 gives A (as rebuilt), 1 gives B, between them a new timbre; loudness curves
        are mixed in dB on their own. ``pitch``: played at this MIDI pitch (default: A's).
        """
        alpha = check_alpha(alpha)
        code_a = self.encode(audio_a, pitch)
        code_b = self.encode(audio_b, code_a.pitch)
        return self.decode(self.mix([code_a, code_b], [1 - alpha, alpha]), seed=seed)

    def blend(self, corner_codes, x: float, y: float) -> NoteCode:
        """NSynth Super's pad: four corner codes (bottom-left, bottom-right, top-left, top-right)
        mixed with bilinear weights at the point ``(x, y)`` of the unit square."""
        if len(corner_codes) != 4:
            raise ModelError(f"blend needs 4 corner codes (bottom-left, bottom-right, top-left, top-right), "
                             f"got {len(corner_codes)}.")
        x, y = check_alpha(x, "x"), check_alpha(y, "y")
        weights = [(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y]
        return self.mix(corner_codes, weights)


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

    def __init__(self, synth: NeuralSynth, code: NoteCode, name: str = "mixed"):
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


def load_pretrained(code_size: int = 16) -> NeuralSynth:
    """The shipped neural synthesizer with a timbre code of ``code_size`` numbers (2, 4, 8 or 16).

    Lesson: notebooks/03_neural_synthesizer.ipynb

    Returns
    -------
    NeuralSynth
        With ``.encode(audio, pitch) -> NoteCode``, ``.decode(code, pitch) -> audio``,
        ``.morph(audio_a, audio_b, pitch, alpha) -> audio``.
    """
    from ..training import load_checkpoint

    if isinstance(code_size, bool) or code_size not in CODE_SIZES:
        raise ModelError(f"There is no pretrained synthesizer with code_size={code_size!r}; "
                         f"the shipped ones have {', '.join(map(str, CODE_SIZES))}.")
    path = weights_path(code_size)
    if not os.path.exists(path):
        raise DataFileError(f"{path} is missing. Get it back with `git checkout -- data/` or rebuild it with "
                            "`python -m lessonkit train synth`.")
    meta = load_checkpoint(path)
    config = Config(**meta.get("config", {}))
    model = Autoencoder(config)
    load_checkpoint(path, model)
    return NeuralSynth(model, meta)


# ----------------------------------------------------------------------------- training


def _note_tensors(notes):
    """audio (n, 24000), pitch (n,) and the features of every note, computed once."""
    audio = torch.from_numpy(np.ascontiguousarray(notes.audio, dtype=np.float32))
    pitch = torch.tensor(notes.pitches, dtype=torch.float32)
    logmel, loudness = [], []
    with torch.no_grad():
        for i in range(0, len(audio), 64):
            lm, ld = features(audio[i:i + 64])
            logmel.append(lm)
            loudness.append(ld)
    return audio, pitch, torch.cat(logmel), torch.cat(loudness)


def valid_subset(notes, n: int = 48, seed: int = 0):
    """A fixed random choice of ``n`` notes (in their stored order), for quick valid losses."""
    index = np.sort(np.random.default_rng(seed).permutation(len(notes))[:n])
    return type(notes)(notes.audio[index], [notes.meta[i] for i in index], notes.sr, notes.info)


def train_model(config: Config | None = None, train_config=None, *, train_notes=None, valid_notes=None,
                crop_frames: int = 24):
    """Train an autoencoder on the instrument notes with :func:`lessonkit.training.train`.

    Lesson: notebooks/03_neural_synthesizer.ipynb (an optional short demo)

    Parameters
    ----------
    config : Config, optional
    train_config : lessonkit.training.TrainConfig, optional
        Default ``TrainConfig(max_seconds=180, lr=3e-3, eval_every=50, patience=None)``.
    train_notes, valid_notes : InstrumentNotes, optional
        Default: the ``"train"`` split, and 48 notes of the ``"valid"`` split.
    crop_frames : int
        Each step synthesises a window of this many frames (16 ms each) of every note,
        which is 4 times faster than whole notes and learns as well per second.

    Returns
    -------
    (NeuralSynth, lessonkit.training.History)
    """
    from ..datasets import load_instrument_notes
    from ..training import TrainConfig, train

    config = Config() if config is None else config
    if train_config is None:
        train_config = TrainConfig(max_seconds=180, lr=3e-3, eval_every=50, patience=None)
    train_notes = load_instrument_notes("train") if train_notes is None else train_notes
    valid_notes = valid_subset(load_instrument_notes("valid")) if valid_notes is None else valid_notes
    audio, pitch, logmel, loudness = _note_tensors(train_notes)
    v_audio, v_pitch, v_logmel, v_loud = _note_tensors(valid_notes)
    torch.manual_seed(train_config.seed)
    model = Autoencoder(config)
    hop, n = ddsp.HOP, len(audio)

    def sample_batch(rng):
        index = torch.from_numpy(rng.choice(n, size=min(config.batch_size, n), replace=False))
        first = int(rng.integers(0, N_FRAMES - crop_frames))
        return index, first

    def loss_fn(model, batch):
        index, first = batch
        code = model.encode(logmel[index], pitch[index])                  # (B, K)
        noisy = code + config.code_noise * torch.randn_like(code)
        out = model.decode(noisy, pitch[index], loudness[index], frames=(first, crop_frames))
        target = audio[index, first * hop:(first + crop_frames) * hop]
        return ddsp.spectral_distance(out, target) + config.code_penalty * (code ** 2).mean()

    def valid_loss(model):
        generator = torch.Generator().manual_seed(0)
        out = model.decode(model.encode(v_logmel, v_pitch), v_pitch, v_loud, n_samples=N_SAMPLES,
                           generator=generator)
        return float(ddsp.spectral_distance(out, v_audio))

    history = train(model, sample_batch, loss_fn, valid_loss, train_config)
    return NeuralSynth(model, meta={"seconds": history.seconds, "steps": history.n_steps,
                                    "valid_distance": history.best_valid_loss}), history
