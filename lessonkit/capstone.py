"""The capstone: you compose, the models assist. A piece built part by part, with a record of who made what.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

The student stays the composer: they write the motif, *ask* a model for ideas, *choose* one (or
none), change it, and decide the sound. :class:`Piece` keeps every part with where it came from::

    piece = Piece("D4 F#4 A4 F#4 | G4*2 E4*2")                     # your motif (2 bars)
    options = piece.continuations(n=3, model="neural", seed=0)      # three ideas for the next bars
    piece.add(options[1], source="neural", how="continuation 2 of 3")   # you pick one
    piece.add(options[1].transpose(-2), source="student", how="my sequence of it, a tone lower")
    piece.export("my_piece", instrument="flute")   # my_piece.mid, my_piece.wav, my_piece.json (the record)

Every part starts on a bar line (a part is padded with rest to its next bar line). Export writes
MIDI, WAV and a JSON record of the parts (bars, notes, source, how), and refuses to replace an
existing file unless ``overwrite=True``; nothing is written when any of the three exists.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from .errors import LessonkitError, LessonkitTypeError, expect_int
from .music import Melody

MIN_BARS, MAX_BARS = 8, 16
"""An exported piece is 8..16 bars long."""


@dataclass(frozen=True)
class Part:
    """One part of a piece.

    Attributes
    ----------
    melody : Melody
        The notes, starting at step 0, a whole number of bars long.
    source : str
        Who made it: ``"student"`` or a model (``"neural"``, ``"markov"``, ``"vae"``, ...).
    how : str
        A few words: "my motif", "continuation 2 of 3, temperature 1.0, seed 0", ...
    """

    melody: Melody
    source: str
    how: str = ""

    @property
    def bars(self) -> int:
        return self.melody.length_steps // self.melody.steps_per_bar


def _to_bar(melody: Melody) -> Melody:
    """Pad with rest to the next bar line (and drop any upbeat offset: a part starts on a bar line)."""
    spb = melody.steps_per_bar
    length = -(-melody.length_steps // spb) * spb
    return Melody.from_arrays(melody.pitches, melody.onsets_steps, melody.durations_steps, melody.velocities,
                              length_steps=length, tempo_bpm=melody.tempo_bpm, meter=melody.meter)


def _as_part_melody(melody, meter: str, tempo_bpm: float, name: str) -> Melody:
    if isinstance(melody, str):
        melody = Melody.parse(melody, meter=meter)
    if not isinstance(melody, Melody):
        raise LessonkitTypeError(f"{name} should be a Melody or melody text such as \"C4 E4 G4*2\", "
                                 f"not {type(melody).__name__}.")
    if len(melody) == 0:
        raise LessonkitError(f"{name} has no notes: give at least one note.")
    if melody.meter != meter:
        raise LessonkitError(f"{name} is in {melody.meter}, but this piece is in {meter}. Write the part in {meter} "
                             f"(Melody.parse(text, meter={meter!r})).")
    return _to_bar(melody.copy(tempo_bpm=tempo_bpm))


class Piece:
    """A short piece assembled from parts, each with its source. See the module docstring.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    motif : Melody or str
        Your opening idea; its source is ``"student"``.
    tempo_bpm : float
        The piece's tempo.
    meter : str
        The piece's meter (every part must use it).
    """

    def __init__(self, motif, *, tempo_bpm: float = 100.0, meter: str = "4/4", how: str = "my motif"):
        self.tempo_bpm = float(tempo_bpm)
        self.meter = meter
        self.parts: list[Part] = []
        self.add(motif, source="student", how=how)

    # -- building ----------------------------------------------------------------------

    def add(self, melody, *, source: str = "student", how: str = "") -> "Piece":
        """Append a part at the next bar line. Returns the piece (so calls can be chained)."""
        if not isinstance(source, str) or not source.strip():
            raise LessonkitTypeError('source should say who made the part: "student" or a model such as "neural".')
        part = Part(_as_part_melody(melody, self.meter, self.tempo_bpm, "the part"), source.strip(), str(how))
        if self.bars + part.bars > MAX_BARS:
            raise LessonkitError(f"This part ({part.bars} bars) would make the piece {self.bars + part.bars} bars long; "
                                 f"keep it to {MAX_BARS}. Remove a part with piece.remove(i), or shorten this one "
                                 "with melody.window(0, steps).")
        self.parts.append(part)
        return self

    def remove(self, index: int) -> Part:
        """Take part ``index`` out (0 is the motif, which cannot be removed) and return it."""
        index = expect_int(index, "index", low=1, high=len(self.parts) - 1,
                           hint="Part 0 is your motif; the others are numbered in order (see piece.record()).")
        return self.parts.pop(index)

    @property
    def melody(self) -> Melody:
        """The whole piece as one melody, parts back to back."""
        out = self.parts[0].melody
        for part in self.parts[1:]:
            out = out.then(part.melody)
        return out.copy(meta={"title": "capstone piece"})

    @property
    def bars(self) -> int:
        return sum(p.bars for p in self.parts)

    def continuations(self, n: int = 3, *, model="neural", bars: int = 2, temperature: float = 1.0,
                      seed: int = 0) -> list:
        """``n`` different answers of a duet model to the piece so far: ideas to pick from.

        Parameters
        ----------
        n : int
            How many options, 1..8 (seeds ``seed, seed + 1, ...``).
        model : str or Responder
            ``"neural"``, ``"markov"``, or any duet responder (e.g. ``load_steered("oneill")``).
        bars : int
            Length of each option in bars.

        Returns
        -------
        list of Melody
            Each starts at step 0; add the one you choose with :meth:`add`.
        """
        from .models.duet import Responder, load_pretrained

        n = expect_int(n, "n", low=1, high=8)
        seed = expect_int(seed, "seed", low=0)
        responder = load_pretrained(model) if isinstance(model, str) else model
        if not isinstance(responder, Responder):
            raise LessonkitTypeError('model should be "neural", "markov" or a duet model.')
        from .models.base import one_thread

        call = self.melody
        with one_thread():
            return [responder.respond(call, bars=bars, temperature=temperature, seed=seed + k) for k in range(n)]

    def variations(self, part: int = -1, *, attribute: str = "note_density", amounts=(-1.0, 0.0, 1.0),
                   model=None) -> list:
        """Variations of a 2-bar part from the loops VAE's latent space: less or more of an attribute.

        The part's first 2 bars are encoded to a code ``z``; each variation decodes
        ``z + amount * attribute_vector`` (greedy), so ``amount`` 0 is the VAE's own copy of the part.

        Parameters
        ----------
        part : int
            Which part (0 is the motif; -1 the last); it must be in 4/4 and at least 2 bars long.
        attribute : str
            ``"note_density"``, ``"pitch_height"`` or ``"rests"`` (the VAE's attribute vectors).
        amounts : sequence of float
            How far to move along the attribute vector, e.g. ``(-1, 0, 1)``.
        model : LoopModel, optional
            Default ``lessonkit.models.loops.load_pretrained("vae")``.

        Returns
        -------
        list of Melody
            One 2-bar melody per amount; add the one you choose with :meth:`add`.
        """
        if model is None:
            from .models.loops import load_pretrained

            model = load_pretrained("vae")
        melody = self._loop_of(part)
        z = np.asarray(model.encode(melody.to_tokens()), dtype=np.float32)
        vector = np.asarray(model.attribute_vector(attribute), dtype=np.float32)
        amounts = [float(a) for a in np.atleast_1d(np.asarray(amounts, dtype=float))]
        codes = np.stack([z + a * vector for a in amounts]).astype(np.float32)
        return [self._from_loop(tokens) for tokens in model.decode(codes, temperature=0.0)]

    def blend(self, part_a: int, part_b: int, steps: int = 5, *, model=None) -> list:
        """The path between two 2-bar parts in the loops VAE's latent space (``steps`` melodies, ends included)."""
        if model is None:
            from .models.loops import load_pretrained

            model = load_pretrained("vae")
        a, b = self._loop_of(part_a), self._loop_of(part_b)
        return [self._from_loop(tokens) for tokens in model.interpolate(a.to_tokens(), b.to_tokens(), steps=steps)]

    def _loop_of(self, part: int) -> Melody:
        index = expect_int(part, "part", low=-len(self.parts), high=len(self.parts) - 1,
                           hint="Parts are numbered in order from 0 (see piece.record()); -1 is the last.")
        melody = self.parts[index].melody
        if self.meter != "4/4" or melody.length_steps < 32:
            raise LessonkitError("The loops model knows 2-bar loops in 4/4: pick a part of at least 2 bars in a 4/4 "
                                 "piece.")
        return melody.window(0, 32)

    def _from_loop(self, tokens) -> Melody:
        return Melody.from_tokens(np.asarray(tokens, dtype=np.int64), tempo_bpm=self.tempo_bpm, meter=self.meter)

    # -- the record and export ----------------------------------------------------------

    def record(self) -> list:
        """Who made what: one dict per part (``part, bars, first_bar, notes, source, how``)."""
        out, bar = [], 1
        for i, p in enumerate(self.parts):
            out.append(dict(part=i, first_bar=bar, bars=p.bars, notes=len(p.melody), source=p.source, how=p.how))
            bar += p.bars
        return out

    def shares(self) -> dict:
        """Share of the piece's bars (0..1) by source, e.g. ``{"student": 0.5, "neural": 0.5}``."""
        total = self.bars
        out: dict = {}
        for p in self.parts:
            out[p.source] = out.get(p.source, 0) + p.bars / total
        return {k: round(v, 4) for k, v in out.items()}

    def render(self, instrument: str | None = "piano", *, sound=None) -> np.ndarray:
        """The piece as audio (16 kHz mono float32): on an instrument of the set, or by ``sound(melody)``.

        ``sound`` is any function that turns a Melody into audio (e.g. a morph of two instruments made
        with the neural synthesizer); it overrides ``instrument``.
        """
        from . import audio

        if sound is not None:
            out = audio.as_audio(sound(self.melody))
        else:
            out = audio.render(self.melody, instrument)
        return out

    def __repr__(self) -> str:
        sources = ", ".join(f"{k} {v:.0%}" for k, v in self.shares().items())
        return f"Piece({self.bars} bars in {len(self.parts)} parts: {sources})"

    def export(self, stem, *, instrument: str | None = "piano", sound=None, sound_name: str | None = None,
               overwrite: bool = False) -> dict:
        """Write ``<stem>.mid``, ``<stem>.wav`` and ``<stem>.json`` (the record). Never overwrites unless asked.

        Lesson: notebooks/05_ai_as_musical_assistant.ipynb

        Parameters
        ----------
        stem : str or path
            File name without extension, e.g. ``"my_piece"`` or ``"pieces/alice"``.
        instrument : str
            Instrument of the set for the WAV; ``sound``: a function Melody -> audio instead.
        sound_name : str, optional
            How to describe ``sound`` in the record (e.g. ``"neural synth: morph flute->guitar 0.4"``).
        overwrite : bool
            Replace existing files. Without it, nothing is written if any of the three exists.

        Returns
        -------
        dict
            ``{"midi": path, "wav": path, "record": path}``.
        """
        from . import audio
        from .files import atomic_write_bytes, refuse_overwrite

        if not isinstance(stem, (str, os.PathLike)):
            raise LessonkitTypeError('stem should be a file name without extension, such as "my_piece".')
        stem = os.fspath(stem)
        if stem.lower().endswith((".mid", ".wav", ".json")):
            stem = os.path.splitext(stem)[0]
        if not MIN_BARS <= self.bars <= MAX_BARS:
            raise LessonkitError(f"The piece is {self.bars} bars long; export takes {MIN_BARS} to {MAX_BARS} bars. "
                                 "Add parts with piece.add(...) (or ask for more ideas with piece.continuations()).")
        paths = {"midi": stem + ".mid", "wav": stem + ".wav", "record": stem + ".json"}
        for path in paths.values():  # check all three first: never leave a half-written export
            refuse_overwrite(path, overwrite)
        melody = self.melody
        wav = self.render(instrument, sound=sound)
        melody.write_midi(paths["midi"], overwrite=overwrite)
        audio.save_wav(wav, paths["wav"], overwrite=overwrite)
        record = dict(title="capstone piece", bars=self.bars, meter=self.meter, tempo_bpm=self.tempo_bpm,
                      notes=len(melody), sound=(sound_name or getattr(sound, "__qualname__", "a sound function"))
                      if sound is not None else (instrument if isinstance(instrument, str) or instrument is None
                                                 else getattr(instrument, "name", repr(instrument))),
                      sample_rate=audio.SR, wav_seconds=round(len(wav) / audio.SR, 4),
                      shares_of_bars=self.shares(), parts=self.record())
        atomic_write_bytes(paths["record"], (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
        return paths
