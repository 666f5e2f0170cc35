"""The sound-making half of the neural synthesizer: harmonics plus filtered noise, and the
multi-resolution spectral distance that compares two sounds.

Lesson: notebooks/03_neural_synthesizer.ipynb

A decoder network does not write 24,000 samples one by one. It sets the knobs of a very
old kind of synthesizer (DDSP: Engel et al., "Differentiable Digital Signal Processing",
ICLR 2020), once per frame (every 16 ms):

* **harmonics**: sine waves at f0, 2 f0, 3 f0, ... (an instrument playing a pitch is
  mostly these); the network chooses how loud the whole note is (``amplitude``) and how
  that loudness is shared among the harmonics (``harmonic_distribution``: the timbre);
* **filtered noise**: white noise shaped by a filter with ``n_bands`` bands, evenly
  spread from 0 Hz to 8 kHz (breath, bow and hammer sounds).

Both are written with torch operations, so the loss can be differentiated through the
synthesizer back to the network: that is what "differentiable" means here.

The **spectral distance** is how we say "how different do these two sounds look":
magnitude spectrograms at six FFT sizes (2048 ... 64 samples, so both fine pitch detail
and fast attacks count), compared with L1 on the magnitudes and on their logarithms
(the log makes quiet partials count too, as they do for the ear).

Left out on purpose (DDSP has them): a reverb module, time-varying f0 inside a note
(vibrato), and loudness/f0 encoders that are trained (we measure loudness and pitch).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..errors import LessonkitValueError

SR = 16000
"""Sample rate in Hz."""
HOP = 256
"""Samples between frames (16 ms): the decoder sets the knobs once per hop."""
FFT_SIZES = (2048, 1024, 512, 256, 128, 64)
"""FFT sizes of :func:`spectral_distance` (128 ms down to 4 ms at 16 kHz)."""
LOG_EPS = 1e-4
"""Added before the log in :func:`spectral_distance`: magnitudes below -80 dB count as -80 dB."""


def harmonic_synth(f0_hz: torch.Tensor, amplitude: torch.Tensor, harmonic_distribution: torch.Tensor,
                   n_samples: int, sr: int = SR, hop: int = HOP) -> torch.Tensor:
    """A sum of sine waves at whole multiples of f0 (additive synthesis).

    Lesson: notebooks/03_neural_synthesizer.ipynb (section 2: three harmonics by hand)

    Parameters
    ----------
    f0_hz : torch.Tensor, shape=(batch,)
        Fundamental frequency of each note in Hz, held for the whole note (not trained: no
        gradient flows to it).
    amplitude : torch.Tensor, shape=(batch, n_frames), >= 0
        Overall amplitude of each frame.
    harmonic_distribution : torch.Tensor, shape=(batch, n_frames, n_harmonics), >= 0
        How the amplitude is shared by harmonics 1, 2, ..., n_harmonics (the timbre);
        harmonics above sr / 2 are silenced and the rest renormalised to sum to 1.
    n_samples : int
        Frame ``i`` is centred on sample ``i * hop``; values between frames change along
        straight lines.

    Returns
    -------
    torch.Tensor, shape=(batch, n_samples), float32
    """
    if f0_hz.dim() != 1 or f0_hz.shape[0] != harmonic_distribution.shape[0]:
        raise LessonkitValueError(f"harmonic_synth plays one pitch per note: f0_hz should have shape (batch,) = "
                                  f"({harmonic_distribution.shape[0]},), such as torch.tensor([261.6]), "
                                  f"not {tuple(f0_hz.shape)}.")
    b, t, n_harm = harmonic_distribution.shape
    k = torch.arange(1, n_harm + 1, dtype=torch.float64)                  # (H,)
    cycles_per_sample = f0_hz.detach().double()[:, None] * k / sr         # (B, H)
    audible = (cycles_per_sample < 0.5).float()                           # below sr / 2
    dist = harmonic_distribution * audible[:, None, :]
    dist = dist / dist.sum(-1, keepdim=True).clamp_min(1e-7)
    # only harmonics that are audible somewhere are computed (high notes need few: C7 has 3)
    n_harm = max(1, int(audible.amax(dim=0).sum()))
    cycles_per_sample, dist = cycles_per_sample[:, :n_harm], dist[..., :n_harm]
    amps = dist * amplitude[..., None]                                    # (B, T, H)
    with torch.no_grad():                                                 # the sines themselves
        # Harmonic k at sample n is sin(2 pi k f0 n / sr) (phase 0 at the first sample). Segment i
        # (frames i..i+1) starts at sample i * hop, and sin(a + b) = sin a cos b + cos a sin b
        # splits a sine into its angle at the segment's start (a) and its course inside the
        # segment (b): sines and cosines of T x H start angles and of hop x H inside angles,
        # combined by one matrix product, serve all T x hop x H samples. Angles are in radians,
        # reduced to one turn in float64 so they stay exact along the note.
        start_sample = torch.arange(t, dtype=torch.float64)[:, None] * hop       # (T, 1)
        inside_sample = torch.arange(hop, dtype=torch.float64)[:, None]          # (hop, 1)
        start_angle = (2 * math.pi * ((start_sample * cycles_per_sample[:, None, :]) % 1)).float()    # (B, T, H)
        inside_angle = (2 * math.pi * ((inside_sample * cycles_per_sample[:, None, :]) % 1)).float()  # (B, hop, H)
        start_sin_cos = torch.cat([start_angle.sin(), start_angle.cos()], dim=-1)          # (B, T, 2H)
        inside_cos_sin = torch.cat([inside_angle.cos(), inside_angle.sin()], dim=-1).transpose(1, 2)  # (B, 2H, hop)
    # amplitudes move linearly from frame i to frame i + 1 across segment i (the last is held)
    nxt = torch.cat([amps[:, 1:], amps[:, -1:]], dim=1)                   # (B, T, H)
    from_here = (amps.repeat(1, 1, 2) * start_sin_cos) @ inside_cos_sin    # (B, T, hop): amplitudes of frame i
    to_next = (nxt.repeat(1, 1, 2) * start_sin_cos) @ inside_cos_sin      # (B, T, hop): amplitudes of frame i + 1
    ramp = torch.arange(hop, dtype=torch.float32) / hop                   # (hop,)
    audio = (1 - ramp) * from_here + ramp * to_next                       # (B, T, hop)
    audio = audio.reshape(b, t * hop)
    if audio.shape[1] < n_samples:
        audio = F.pad(audio, (0, n_samples - audio.shape[1]))
    return audio[:, :n_samples]


def filtered_noise(band_magnitudes: torch.Tensor, n_samples: int, *, n_fft: int = 512, hop: int = HOP,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """White noise shaped, frame by frame, by a filter with ``n_bands`` bands (subtractive synthesis).

    Parameters
    ----------
    band_magnitudes : torch.Tensor, shape=(batch, n_frames, n_bands), >= 0
        Gain of each band, bands evenly spaced from 0 Hz to sr / 2.
    n_samples : int
    generator : torch.Generator, optional
        For a repeatable noise (same seed, same sound).

    Returns
    -------
    torch.Tensor, shape=(batch, n_samples), float32
    """
    b, t, _ = band_magnitudes.shape
    window = torch.hann_window(n_fft)
    noise = torch.rand(b, n_samples, generator=generator) * 2 - 1
    spec = torch.stft(noise, n_fft, hop, window=window, center=True, return_complex=True)  # (B, F, T')
    # bands -> one gain per FFT bin (the frames play the role of channels here)
    gains = F.interpolate(band_magnitudes, size=n_fft // 2 + 1, mode="linear",
                          align_corners=True).transpose(1, 2)            # (B, F, T)
    frames = min(spec.shape[-1], t)
    spec = spec[..., :frames] * gains[..., :frames]
    return torch.istft(spec, n_fft, hop, window=window, center=True, length=n_samples)


def magnitudes(audio: torch.Tensor, n_fft: int) -> torch.Tensor:
    """Magnitude spectrogram, ``shape=(batch, n_fft // 2 + 1, n_frames)``, hop ``n_fft // 4``,
    Hann window, scaled so a full-scale sine at a bin's frequency has magnitude 1."""
    window = torch.hann_window(n_fft)
    spec = torch.stft(audio, n_fft, n_fft // 4, window=window, center=True, return_complex=True)
    return spec.abs() * (2.0 / window.sum())


def spectral_distance(audio_a: torch.Tensor, audio_b: torch.Tensor, fft_sizes=FFT_SIZES,
                      reduce: bool = True) -> torch.Tensor:
    """Multi-resolution spectral distance between two sounds (0 when they are the same).

    Lesson: notebooks/03_neural_synthesizer.ipynb

    For each FFT size ``n`` in ``fft_sizes`` (hop ``n / 4``, Hann window, magnitudes ``S``
    scaled so a full-scale sine gives 1): ``mean |S_a - S_b| + mean |ln(S_a + e) - ln(S_b + e)|``
    with ``e = 1e-4`` (-80 dB), means over bins and frames; the distance is the average over
    the sizes. One definition for every model, baseline and reference point of the lesson
    and of ``benchmarks/bench_synth.py``; it is also the training loss.

    Parameters
    ----------
    audio_a, audio_b : torch.Tensor, shape=(batch, n_samples) or (n_samples,)
    reduce : bool
        Average over the batch (default) or return one distance per row.

    Returns
    -------
    torch.Tensor
        A scalar, or ``shape=(batch,)``.
    """
    if audio_a.dim() == 1:
        audio_a, audio_b = audio_a[None], audio_b[None]
    total = 0.0
    for n_fft in fft_sizes:
        sa, sb = magnitudes(audio_a, n_fft), magnitudes(audio_b, n_fft)
        lin = (sa - sb).abs().mean(dim=(1, 2))
        log = (torch.log(sa + LOG_EPS) - torch.log(sb + LOG_EPS)).abs().mean(dim=(1, 2))
        total = total + lin + log
    dist = total / len(fft_sizes)
    return dist.mean() if reduce else dist
