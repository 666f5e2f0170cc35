"""Looking at sound: spectrograms, loudness, pitch (f0) and brightness.

Everything is imported from here (``from lessonkit import analysis; analysis.spectrogram(...)``).
The parts: ``core.py`` (sample rate, frames, dB, pitch <-> Hz), ``spectra.py`` (STFT, mel,
loudness, brightness), ``pitch.py`` (YIN f0).

Lesson: notebooks/00_music_as_data.ipynb (spectrograms, loudness) and
notebooks/03_neural_synthesizer.ipynb (log-mel features, pitch checks, timbre).

Every function takes mono float32 audio, ``shape=(n_samples,)``, at ``sr`` samples
per second (lessonkit's rate is 16,000 Hz), and returns plain numpy arrays or a small
dataclass of them. Time is cut into overlapping **frames**: frame ``i`` covers the
samples around ``i * hop_length`` (frames are centred, so frame 0 is centred on
sample 0 and ``n_frames = 1 + n_samples // hop_length``).

Why numpy and scipy, not librosa
--------------------------------
librosa is the field's library for all of this, and these functions follow its
conventions (centred frames, Hann window, HTK mel formula available there as
``htk=True``, YIN as in de Cheveigné & Kawahara 2002) so a student who moves on finds
the same numbers under the same names. We do not depend on it because it brings numba
and llvmlite (about 150 MB, tied to narrow numpy versions, and a JIT compile of several
seconds on a student's first pitch estimate), while everything lessonkit needs is a
short numpy function that a lesson can open and read: the STFT is an ``rfft`` of
windowed frames, a mel spectrogram is a matrix product, YIN is an autocorrelation.

What is left out on purpose: phase vocoders, constant-Q transforms, onset detection,
and probabilistic YIN (pYIN); for those, use librosa.
"""

from .core import (DB_FLOOR, DEFAULT_HOP, DEFAULT_N_FFT, SR, as_mono, cents_off, frame_signal, frame_times, hz_to_midi,
                   midi_to_hz, to_db, tuning_cents)
from .pitch import estimate_pitch, f0_yin
from .spectra import (Spectrogram, hz_to_mel, mel_filterbank, mel_spectrogram, mel_to_hz, rms_db, rms_db_frames,
                      spectral_centroid, spectrogram, stft)

__all__ = ["DB_FLOOR", "DEFAULT_HOP", "DEFAULT_N_FFT", "SR", "as_mono", "cents_off", "frame_signal", "frame_times",
           "hz_to_midi", "midi_to_hz", "to_db", "tuning_cents", "estimate_pitch", "f0_yin", "Spectrogram", "hz_to_mel",
           "mel_filterbank", "mel_spectrogram", "mel_to_hz", "rms_db", "rms_db_frames", "spectral_centroid",
           "spectrogram", "stft"]
