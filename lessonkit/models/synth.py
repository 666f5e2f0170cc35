"""The neural synthesizer: an autoencoder that squeezes an instrument note into a few numbers
and plays it back, so that instruments can be mixed into new ones.

Lesson: notebooks/03_neural_synthesizer.ipynb

"The encoder network transforms a sound into a compressed representation, and the decoder
network converts it back into sound." Here:

* the **encoder** reads the note's log-mel spectrogram (64 bands x 94 frames) and its pitch
  and writes a **timbre code** of ``code_size`` numbers (16 by default) for the whole note;
* the **decoder** sets, every 16 ms frame, the knobs of a harmonic-plus-noise synthesizer
  (:mod:`lessonkit.models.ddsp`), which makes the 24,000 samples. The code adds its own offset
  to every knob, through a straight-line (linear) map, the same in every frame; a small network
  (an MLP) moves the knobs as the note swells and fades, looking at one frame at a time: the
  pitch, the loudness in that frame (from the note's **loudness curve**, one number per 16 ms
  frame), and how much it changed since the frame before.

Training compares the rebuilt note with the real one with the multi-resolution spectral
distance (:func:`lessonkit.models.ddsp.spectral_distance`); nothing else is needed.
Training adds a little noise to the code and a small penalty on its size, so nearby codes
sound alike.

Why one code per note (not one per frame)? A morph mixes two codes; with one code per note,
the mix is one point between two points, and the loudness curves are mixed on their own (in
dB). Why does the code skip the network? Because then a mix of two codes moves the code's
offset of every knob along a straight line from A's to B's. Why one frame at a time? Our
second design moved the knobs with a GRU that heard the whole loudness curve. A GRU can tell a
piano from an organ by how the note fades, and then a mixed loudness curve sounds like some
third instrument. A trial made this plain: with the code as shares of 16 learned spectra and
the GRU, holding each morph's loudness curve fixed made every morph go one way, and mixing the
curves made only 57 % go one way. One frame at a time, the network cannot recognise an
instrument by its envelope, and the code has to carry the instrument. In trials of 3,600 steps
this raised the morphs that go one way from 90.2 % to 93.2 %. The shipped models are closer
(89.8 % for the GRU design, 90.7 %, 186 of 205 (instrument pair, pitch) cases, for this one;
``benchmarks/RESULTS.md``), and the decoder is smaller and several times faster. Our first
design fed the code into the GRU too (71 %); ``data/README.md`` lists the trials.

Pitch: the decoder plays any pitch you give it (MIDI number, fractions allowed), so a note
of an instrument can be played at a pitch it was never recorded at; ``pitch=None`` measures
the pitch of the sound itself with YIN (:func:`lessonkit.analysis.estimate_pitch`). Given a
label, ``encode`` keeps the pitch the recording really plays, within half a semitone of the
label (:func:`tuned_pitch`): about 1 in 7 training notes is more than 10 cents off its label
(some choir notes by 39), and harmonics played at exact multiples of the wrong f0 miss the real ones.
On the held-out notes this alone takes the spectral distance from 0.293 to 0.286 (the models
are the same; training on tuned pitches too did no better: 0.289).

Left out on purpose: a code that changes over time (vibrato, two notes in a row), a trained
f0 encoder, reverb, and velocity as an input (the loudness curve carries it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import analysis
from ..errors import DataFileError, LessonkitTypeError, ModelError
from . import ddsp
from .synth_play import (N_FRAMES, N_SAMPLES, PITCH_RANGE, SILENT_DB, SR, MixedInstrument, NoteCode,  # noqa: F401
                         _check_pitch, check_alpha, check_audio, crossfade, get_note, measure_pitch,
                         sustain_centroid, tuned_pitch)

N_MELS = 64
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
        Width of the encoder's convolutions and of the decoder's layers.
    n_harmonics, n_noise_bands : int
        Knobs of the synthesizer per frame: harmonic amplitudes and noise-filter bands.
    code_noise : float
        Standard deviation of the noise added to the code while training (smoothness).
    code_penalty : float
        Weight of ``mean(code ** 2)`` in the loss (keeps codes near the origin).
    mix_weight : float
        Weight of an optional smoothness term (0: off, as in the shipped models): the harmonic
        shares decoded from a mix of two notes' codes should be the same mix of their own shares
        (:func:`lessonkit.models.synth_train.mix_penalty`). It made the first design's morphs
        smoother (data/README.md, "Design history"); the shipped design does without it.
    batch_size : int
        Notes per training step.
    """

    code_size: int = 16
    hidden: int = 128
    n_harmonics: int = 60
    n_noise_bands: int = 65
    code_noise: float = 0.1
    code_penalty: float = 0.01
    mix_weight: float = 0.0
    batch_size: int = 12

    def __post_init__(self):
        for name in ("code_size", "hidden", "n_harmonics", "n_noise_bands", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ModelError(f"Config({name}={value!r}) should be a whole number >= 1, such as "
                                 f"{getattr(Config, name)}.")
        for name in ("code_noise", "code_penalty", "mix_weight"):
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
        # decoder: each frame's [pitch, loudness, loudness change] -> MLP -> knobs, plus the code's
        # own setting of every knob (a straight-line map), the same in every frame
        n_knobs = 1 + config.n_harmonics + config.n_noise_bands
        self.frame_net = nn.Sequential(nn.Linear(3, h), nn.GELU(), nn.Linear(h, h), nn.GELU(),
                                       nn.Linear(h, h), nn.GELU(), nn.Linear(h, n_knobs))
        self.timbre = nn.Linear(k, n_knobs)

    def encode(self, logmel, pitch):
        """logmel (B, 64, T), pitch (B,) MIDI -> code (B, code_size)."""
        p = ((pitch - 60.0) / 24.0)[:, None, None].expand(-1, 1, logmel.shape[-1])
        x = self.enc(torch.cat([logmel, p], dim=1))                        # (B, h, T/2)
        return self.to_code(torch.cat([x.mean(-1), x.amax(-1)], dim=1))    # (B, K)

    def knobs(self, code, pitch, loudness_db):
        """code (B, K), pitch (B,) MIDI, loudness_db (B, T) dB -> amplitude (B, T), harmonics (B, T, H), noise (B, T, NB).

        The network that moves the knobs in time looks at one frame at a time: the pitch, the
        loudness and how much the loudness changed since the frame before. The code adds its
        own offset to every knob (before the sigmoid), so mixing two codes moves each knob's
        offset along a straight line from A's to B's.
        """
        t = loudness_db.shape[1]
        change = torch.diff(loudness_db, dim=1, prepend=loudness_db[:, :1])   # (B, T) dB since the frame before
        # inputs scaled to about -1 .. 1: pitch around C4 in 2-octave units, loudness around -50 dB
        # in 50 dB units, change in 10 dB units (an attack can jump by 30 dB or more: clipped there)
        x = torch.stack([((pitch - 60.0) / 24.0)[:, None].expand(-1, t), (loudness_db + 50.0) / 50.0,
                         (change / 10.0).clamp(-3, 3)], dim=-1)            # (B, T, 3)
        out = self.frame_net(x) + self.timbre(code)[:, None, :]            # (B, T, 1 + H + NB)
        n_h = self.config.n_harmonics
        amplitude = _scaled_sigmoid(out[..., 0])
        harmonics = _scaled_sigmoid(out[..., 1:1 + n_h])
        noise = _scaled_sigmoid(out[..., 1 + n_h:] - 5.0) * 0.01           # starts quiet
        return amplitude, harmonics, noise

    def decode(self, code, pitch, loudness_db, n_samples=None, generator=None, frames=None):
        """code (B, K), pitch (B,), loudness_db (B, T) -> audio (B, n_samples).

        ``frames=(first, count)`` synthesises only frames ``first .. first + count`` (training
        on short windows); the knobs are set for the whole note and the window is cut from them.
        """
        amplitude, harmonics, noise = self.knobs(code, pitch, loudness_db)
        first, count = (0, loudness_db.shape[1]) if frames is None else frames
        n_samples = count * ddsp.HOP if n_samples is None else n_samples
        window = slice(first, first + count + 1)                           # +1: the frame a segment ramps to
        f0 = 440.0 * 2.0 ** ((pitch.detach() - 69.0) / 12.0)               # (B,) Hz
        audio = ddsp.harmonic_synth(f0, amplitude[:, window], harmonics[:, window], n_samples)
        return audio + ddsp.filtered_noise(noise[:, first:first + count], n_samples, generator=generator)


# ----------------------------------------------------------------------------- the public edge


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

        ``pitch``: the note's MIDI pitch (its label), which the code keeps fine-tuned to what the
        recording really plays, within half a semitone (:func:`tuned_pitch`: the choir's F#3 is
        sung 31 cents flat); or None to measure it from the sound alone (YIN). To play the code
        at an exact pitch, give that pitch to :meth:`decode`.
        """
        audio = check_audio(audio)
        pitch = measure_pitch(audio) if pitch is None else tuned_pitch(audio, pitch)
        logmel, loudness = features(torch.from_numpy(audio)[None])
        code = self.model.encode(logmel, torch.tensor([pitch]))
        return NoteCode(code[0].numpy().astype(np.float32), loudness[0].numpy().astype(np.float32), pitch)

    @torch.inference_mode()
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

        ``alpha`` 0 gives A rebuilt at the morph's pitch, 1 gives B, between them a new timbre;
        loudness curves are mixed in dB on their own. ``pitch``: played at exactly this MIDI
        pitch (default: A's, as YIN measures it).
        """
        alpha = check_alpha(alpha)
        code_a = self.encode(audio_a, pitch)
        play = code_a.pitch if pitch is None else pitch
        code_b = self.encode(audio_b, play)
        return self.decode(self.mix([code_a, code_b], [1 - alpha, alpha], pitch=play), seed=seed)

    def blend(self, corner_codes, x: float, y: float) -> NoteCode:
        """NSynth Super's pad: four corner codes (bottom-left, bottom-right, top-left, top-right)
        mixed with bilinear weights at the point ``(x, y)`` of the unit square."""
        if len(corner_codes) != 4:
            raise ModelError(f"blend needs 4 corner codes (bottom-left, bottom-right, top-left, top-right), "
                             f"got {len(corner_codes)}.")
        x, y = check_alpha(x, "x"), check_alpha(y, "y")
        weights = [(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y]
        return self.mix(corner_codes, weights)


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
