"""Training the neural synthesizer on the instrument notes (the shared loop of lessonkit.training).

Lesson: notebooks/03_neural_synthesizer.ipynb (an optional short demo); the shipped models are
made by ``python -m lessonkit train synth`` (:func:`lessonkit.train.synth`).
"""

from __future__ import annotations

import numpy as np
import torch

from . import ddsp
from .synth import N_FRAMES, N_SAMPLES, Autoencoder, Config, NeuralSynth, features


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


def mix_penalty(model, code, pitch, loudness_db):
    """How far the timbre of mixed codes is from the mix of the timbres (a smoothness term).

    Each note's code (B, K) is mixed with the next note's by a random ``a`` in [0, 1]; at the
    same pitch (B,) and loudness (B, T), the harmonic shares decoded from the mix should be the
    ``a``-mix of the two notes' own shares. Returns the mean L1 distance between the two, a
    scalar tensor (0 when the decoder is linear along every such line). Only the mix is
    trained by it: the two notes' own shares are the target.
    """
    other = torch.roll(torch.arange(len(code)), 1)
    a = torch.rand(len(code), 1)
    shares = lambda h: h / h.sum(-1, keepdim=True)  # noqa: E731
    with torch.no_grad():                                                 # the target: both notes at once
        own = shares(model.knobs(torch.cat([code, code[other]]), pitch.repeat(2), loudness_db.repeat(2, 1))[1])
    target = (1 - a)[:, :, None] * own[:len(code)] + a[:, :, None] * own[len(code):]
    mixed = shares(model.knobs((1 - a) * code + a * code[other], pitch, loudness_db)[1])
    return (mixed - target).abs().sum(-1).mean()


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
        loss = ddsp.spectral_distance(out, target) + config.code_penalty * (code ** 2).mean()
        if config.mix_weight > 0:
            loss = loss + config.mix_weight * mix_penalty(model, code, pitch[index], loudness[index])
        return loss

    def valid_loss(model):
        generator = torch.Generator().manual_seed(0)
        out = model.decode(model.encode(v_logmel, v_pitch), v_pitch, v_loud, n_samples=N_SAMPLES,
                           generator=generator)
        return float(ddsp.spectral_distance(out, v_audio))

    history = train(model, sample_batch, loss_fn, valid_loss, train_config)
    return NeuralSynth(model, meta={"seconds": history.seconds, "steps": history.n_steps,
                                    "valid_distance": history.best_valid_loss}), history
