"""What the neural synthesizer is compared with: simpler ways to squeeze a note into a few numbers.

Lesson: notebooks/03_neural_synthesizer.ipynb (and ``benchmarks/bench_synth.py``)

All three keep a code of ``code_size`` numbers per note, like the neural synthesizer, and
rebuild a **magnitude spectrogram** (1024-sample frames, hop 256: 513 bins x 94 frames);
the phase, which a spectrogram throws away, is guessed back with Griffin-Lim:

* :class:`PCABaseline`: principal component analysis of the log-magnitude spectrograms of
  the training notes: the code is a note's coordinates along the ``code_size`` directions in
  which notes differ most (a *linear* autoencoder);
* :class:`SpectrogramAE` (``conditioned=False``): an encoder like the neural synthesizer's,
  and a decoder (GRU + layers) that writes the log-magnitude spectrogram frame by frame from
  the code alone;
* :class:`SpectrogramAE` (``conditioned=True``): the same, but its decoder is also given the
  pitch and the loudness curve, the inputs the neural synthesizer's decoder gets, so the
  comparison is fair.

:func:`griffin_lim` (Griffin & Lim, 1984, with the "fast" momentum of Perraudin et al., 2013)
is also the floor for every spectrogram model: even the *true* magnitudes, with phases
guessed by it, do not give back the original note exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from . import ddsp
from .synth import N_FRAMES, N_MELS, N_SAMPLES, features

N_FFT = 1024
LOG_EPS = 1e-4


def log_magnitudes(audio: torch.Tensor) -> torch.Tensor:
    """``ln(|STFT| + 1e-4)`` with full-scale-sine = 1 scaling, ``shape=(batch, 513, 94)``."""
    return torch.log(_mag(audio) + LOG_EPS)


def _mag(audio):
    window = torch.hann_window(N_FFT)
    spec = torch.stft(audio, N_FFT, ddsp.HOP, window=window, center=True, return_complex=True)
    return spec.abs() * (2.0 / window.sum())


def griffin_lim(magnitude: torch.Tensor, n_iter: int = 60, momentum: float = 0.99, seed: int = 0) -> torch.Tensor:
    """Audio whose spectrogram has (nearly) the given magnitudes: phases guessed by iteration.

    Parameters
    ----------
    magnitude : torch.Tensor, shape=(batch, 513, 94), >= 0
        Magnitudes scaled like :func:`lessonkit.models.ddsp.magnitudes` (1024-sample frames, hop 256).
    n_iter : int
        Iterations (each an inverse STFT and an STFT).

    Returns
    -------
    torch.Tensor, shape=(batch, 24000)
    """
    window = torch.hann_window(N_FFT)
    mag = magnitude * (window.sum() / 2.0)                                # back to raw STFT units
    gen = torch.Generator().manual_seed(seed)
    angles = torch.exp(2j * np.pi * torch.rand(mag.shape, generator=gen))
    previous = torch.zeros_like(angles)
    for _ in range(n_iter):
        audio = torch.istft(mag * angles, N_FFT, ddsp.HOP, window=window, center=True, length=N_SAMPLES)
        rebuilt = torch.stft(audio, N_FFT, ddsp.HOP, window=window, center=True, return_complex=True)
        accelerated = rebuilt - (momentum / (1 + momentum)) * previous
        angles = accelerated / accelerated.abs().clamp_min(1e-12)
        previous = rebuilt
    return torch.istft(mag * angles, N_FFT, ddsp.HOP, window=window, center=True, length=N_SAMPLES)


class PCABaseline:
    """Principal components of log-magnitude spectrograms: a linear code of ``code_size`` numbers."""

    def __init__(self, code_size: int):
        self.code_size = code_size
        self.mean = self.components = None

    def fit(self, audio: torch.Tensor) -> "PCABaseline":
        """audio (n, 24000) -> learn the mean and the ``code_size`` main directions."""
        with torch.no_grad():
            x = log_magnitudes(audio).reshape(len(audio), -1).double()    # (n, 513 * 94)
        self.mean = x.mean(0)
        # randomised SVD (Halko et al.): the K main directions without the full decomposition
        gen_state = torch.random.get_rng_state()
        torch.manual_seed(0)
        _, _, v = torch.svd_lowrank((x - self.mean).float(), q=self.code_size + 10, niter=4)
        torch.random.set_rng_state(gen_state)
        self.components = v[:, : self.code_size].T.double()               # (K, 513 * 94)
        return self

    def encode(self, audio: torch.Tensor) -> torch.Tensor:
        """(n, 24000) -> codes (n, K)."""
        x = log_magnitudes(audio).reshape(len(audio), -1).double()
        return (x - self.mean) @ self.components.T

    def decode(self, code: torch.Tensor, n_iter: int = 60) -> torch.Tensor:
        """codes (n, K) -> audio (n, 24000) through Griffin-Lim."""
        logmag = (self.mean + code @ self.components).float().reshape(len(code), N_FFT // 2 + 1, N_FRAMES)
        return griffin_lim((logmag.exp() - LOG_EPS).clamp_min(0), n_iter)


@dataclass
class SpecConfig:
    """Sizes of a :class:`SpectrogramAE` (the encoder matches the neural synthesizer's)."""

    code_size: int = 16
    hidden: int = 128
    conditioned: bool = False
    batch_size: int = 12


class SpectrogramAE(nn.Module):
    """log-mel -> code -> (GRU over frames) -> log-magnitude spectrogram (513 bins per frame)."""

    def __init__(self, config: SpecConfig):
        super().__init__()
        self.config = config
        h, k = config.hidden, config.code_size
        self.enc = nn.Sequential(nn.Conv1d(N_MELS + 1, h, 5, padding=2), nn.GELU(),
                                 nn.Conv1d(h, h, 5, padding=2, stride=2), nn.GELU())
        self.to_code = nn.Linear(2 * h, k)
        n_in = k + 2 + (2 if config.conditioned else 0)                   # code, position [, pitch, loudness]
        self.dec_in = nn.Linear(n_in, h)
        self.gru = nn.GRU(h, h, batch_first=True)
        self.dec_out = nn.Sequential(nn.Linear(2 * h, 2 * h), nn.GELU(), nn.Linear(2 * h, N_FFT // 2 + 1))

    def encode(self, logmel, pitch):
        """logmel (B, 64, T), pitch (B,) -> code (B, K). The plain model reads no pitch channel value."""
        p = ((pitch - 60.0) / 24.0) if self.config.conditioned else torch.zeros_like(pitch)
        x = self.enc(torch.cat([logmel, p[:, None, None].expand(-1, 1, logmel.shape[-1])], dim=1))
        return self.to_code(torch.cat([x.mean(-1), x.amax(-1)], dim=1))

    def decode(self, code, pitch, loudness_db):
        """code (B, K) [, pitch (B,), loudness_db (B, T)] -> log-magnitudes (B, 513, T)."""
        b, t = code.shape[0], N_FRAMES
        pos = torch.linspace(0, 1, t)[None, :, None].expand(b, -1, 1)
        parts = [code[:, None, :].expand(-1, t, -1), pos, torch.sin(np.pi * pos)]
        if self.config.conditioned:
            parts += [((pitch - 60.0) / 24.0)[:, None, None].expand(-1, t, 1), (loudness_db[..., None] + 50.0) / 50.0]
        x = torch.relu(self.dec_in(torch.cat(parts, dim=-1)))
        y, _ = self.gru(x)
        return self.dec_out(torch.cat([x, y], dim=-1)).transpose(1, 2)   # (B, 513, T)

    @torch.no_grad()
    def reconstruct(self, audio, pitch, n_iter: int = 60):
        """audio (B, 24000), pitch (B,) -> audio (B, 24000) through Griffin-Lim."""
        logmel, loud = features(audio)
        logmag = self.decode(self.encode(logmel, pitch), pitch, loud)
        return griffin_lim((logmag.exp() - LOG_EPS).clamp_min(0), n_iter)


def train_spectrogram_ae(config: SpecConfig, train_notes, valid_notes, train_config):
    """Train a :class:`SpectrogramAE` (L1 on log-magnitudes) with :func:`lessonkit.training.train`."""
    from ..training import train

    audio = torch.from_numpy(np.ascontiguousarray(train_notes.audio))
    pitch = torch.tensor(train_notes.pitches, dtype=torch.float32)
    v_audio = torch.from_numpy(np.ascontiguousarray(valid_notes.audio))
    v_pitch = torch.tensor(valid_notes.pitches, dtype=torch.float32)
    with torch.no_grad():
        logmel, loud = features(audio)
        target = log_magnitudes(audio)
        v_logmel, v_loud = features(v_audio)
        v_target = log_magnitudes(v_audio)
    torch.manual_seed(train_config.seed)
    model = SpectrogramAE(config)

    def sample_batch(rng):
        return torch.from_numpy(rng.choice(len(audio), size=config.batch_size, replace=False))

    def loss_fn(model, index):
        out = model.decode(model.encode(logmel[index], pitch[index]), pitch[index], loud[index])
        return (out - target[index]).abs().mean()

    def valid_loss(model):
        out = model.decode(model.encode(v_logmel, v_pitch), v_pitch, v_loud)
        return float((out - v_target).abs().mean())

    history = train(model, sample_batch, loss_fn, valid_loss, train_config)
    return model, history
