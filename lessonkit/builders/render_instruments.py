"""Build the instrument-note set: real instrument sounds rendered from a General MIDI soundfont.

Maintainers run this once; students and CI use the shipped files. It needs FluidSynth and
the FluidR3 GM soundfont (Debian: ``apt-get install fluidsynth fluid-soundfont-gm``)::

    python -m lessonkit data build-instruments            # writes data/instruments.*
    python -m lessonkit data build-instruments --help     # options

What it makes (in the spirit of the NSynth dataset: one note per recording):

* ``data/instruments.flac``  every note, one after the other, 16 kHz mono 16-bit FLAC
  (lossless), each exactly :data:`CLIP_S` seconds: the key is held for :data:`HOLD_S`,
  then released, and the release rings until the clip ends (with a 20 ms fade).
* ``data/instruments.csv``   one row per note, in the same order: instrument, family,
  pitch, velocity, split, the note's loudness (``rms_db``, held second) and f0 measured
  by YIN (``f0_hz``), and the sustain loop the sample bank uses (``loop_start``,
  ``loop_samples``, ``loop_gain``; see :func:`find_loop`).
* ``data/instruments.json``  the set as a whole: sample rate, clip length, the instrument
  table (GM program, pitch range, gain applied, release time), source and licence.

How a note is made: a MIDI file holding all notes of one instrument, well apart, is rendered
by FluidSynth at 48 kHz in 32-bit float (reverb and chorus off, so nothing can clip and no
note bleeds into the next); channels are averaged to mono, resampled to 16 kHz with an
anti-aliasing filter (``scipy.signal.resample_poly``), and cut at each note-on.

Loudness: every instrument gets one gain (so velocity and register still change loudness
inside an instrument, as they do on the real thing), chosen so that its velocity-112 notes
have a median RMS of :data:`TARGET_RMS_DB` over the held second, and lowered if any note
would peak above :data:`PEAK_LIMIT`. Raw FluidR3 levels differ over 100-fold between notes.

A render is rejected (the build stops and lists the notes) when it is not finite, silent,
has no attack, does not stop after its release, would clip, or its pitch measured by YIN
is more than :data:`MAX_CENTS` from the label (octave errors folded).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from ..errors import BuildError, DataFileError
from ..instrument_files import FILE_STEM
from .instrument_clips import (FADE_S, HOLD_S, MAX_CENTS, SR, check_clip, find_loop,  # noqa: F401 (builder.X in tests)
                               finish_clips, release_time_s, to_int16)

RENDER_SR = 48000
"""FluidSynth renders at this rate; we resample by 1/3 to :data:`SR`."""
CLIP_S = 1.5
"""Length of every note's clip in seconds."""
SLOT_S = 3.0
"""Time between note-ons in the rendered MIDI file (long enough for any release to die away)."""
VELOCITIES = (64, 112)
"""MIDI velocities of the set: mezzo-forte and forte."""
N_PITCHES = 37
"""Every semitone over three octaves (inclusive) for each instrument."""
TARGET_RMS_DB = -20.0
"""Median RMS (dB full scale) of each instrument's velocity-112 notes over the held second."""
PEAK_LIMIT = 0.9
"""No note of the set peaks above this (|x| <= 0.9, 1 dB below full scale)."""
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
"""Where Debian's ``fluid-soundfont-gm`` puts the FluidR3 GM soundfont."""
BUILT_BY = "python -m lessonkit data build-instruments"


@dataclass(frozen=True)
class InstrumentSpec:
    """One instrument of the set: a General MIDI preset of FluidR3 and the pitches it plays.

    Attributes
    ----------
    name : str
        Short name used everywhere in lessonkit (``render(melody, "flute")``).
    family : str
        Instrument family, as in NSynth (keyboard, mallet, organ, guitar, bass, string, brass,
        reed, flute, synth_lead, vocal).
    program : int
        General MIDI program number, 0-based (0 = Acoustic Grand Piano).
    low : int
        Lowest MIDI pitch rendered; the set holds ``low .. low + 36``.
    decays : bool
        True for struck and plucked instruments, whose sound dies away while the key is held
        (the sample bank keeps a long note decaying); False for sustained ones.
    """

    name: str
    family: str
    program: int
    low: int
    decays: bool = False

    @property
    def pitches(self) -> range:
        return range(self.low, self.low + N_PITCHES)


INSTRUMENTS = (
    InstrumentSpec("piano", "keyboard", 0, 48, decays=True),           # Acoustic Grand Piano, C3-C6
    InstrumentSpec("electric_piano", "keyboard", 4, 48, decays=True),  # Electric Piano 1 (Rhodes), C3-C6
    InstrumentSpec("vibraphone", "mallet", 11, 53, decays=True),       # Vibraphone, F3-F6 (its real range)
    InstrumentSpec("organ", "organ", 19, 48),                          # Church Organ, C3-C6
    InstrumentSpec("guitar", "guitar", 24, 40, decays=True),           # Acoustic Guitar (nylon), E2-E5
    InstrumentSpec("bass", "bass", 33, 28, decays=True),               # Electric Bass (finger), E1-E4
    InstrumentSpec("violin", "string", 40, 55),                        # Violin, G3-G6
    InstrumentSpec("cello", "string", 42, 36),                         # Cello, C2-C5
    InstrumentSpec("trumpet", "brass", 56, 52),                        # Trumpet, E3-E6
    InstrumentSpec("clarinet", "reed", 71, 50),                        # Clarinet, D3-D6
    InstrumentSpec("flute", "flute", 73, 60),                          # Flute, C4-C7
    InstrumentSpec("synth_lead", "synth_lead", 81, 48),                # Lead 2 (sawtooth), C3-C6
    InstrumentSpec("choir", "vocal", 52, 48),                          # Choir Aahs, C3-C6
    InstrumentSpec("french_horn", "brass", 60, 41),                    # French Horn, F2-F5
)
"""The instruments of the set, in the order they are stored."""


def split_of(spec_index: int, spec: InstrumentSpec, pitch: int) -> str:
    """Which split a note belongs to (every velocity of a pitch goes to the same split).

    For instrument number ``k`` (its place in :data:`INSTRUMENTS`), a pitch is ``"test"``
    when ``(pitch + k) % 6 == 0`` and ``"valid"`` when ``(pitch + k) % 6 == 3``; the rest,
    and always the lowest and highest pitch, are ``"train"``. So 5 or 6 of the 37 pitches of
    every instrument (spread over its range, a different set per instrument) are never
    heard in training, and held-out pitches always lie *between* trained ones.
    """
    if pitch in (spec.low, spec.low + N_PITCHES - 1):
        return "train"
    r = (pitch + spec_index) % 6
    return "test" if r == 0 else "valid" if r == 3 else "train"


# ----------------------------------------------------------------------------- rendering


def find_tools(soundfont: str = SOUNDFONT) -> tuple[str, str]:
    """Paths of the ``fluidsynth`` program and the soundfont, or a BuildError saying how to get them."""
    exe = shutil.which("fluidsynth")
    if exe is None or not os.path.exists(soundfont):
        raise BuildError(
            "Building the instrument notes needs FluidSynth and the FluidR3 GM soundfont. On Debian/Ubuntu: "
            "`sudo apt-get install fluidsynth fluid-soundfont-gm` (or pass --soundfont PATH). Students never need "
            "this: the built set ships in data/."
        )
    return exe, soundfont


def fluidsynth_version(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].strip() if out else "unknown"


def render_instrument(spec: InstrumentSpec, exe: str, soundfont: str, *, pitches=None,
                      velocities=VELOCITIES) -> tuple[np.ndarray, list]:
    """Render every (pitch, velocity) of one instrument with FluidSynth.

    Returns
    -------
    clips : np.ndarray, shape=(n_notes, CLIP_S * SR), float32
        Raw (not yet normalised) mono clips at :data:`SR`, starting at note-on.
    keys : list of (pitch, velocity)
        The note of each row, pitch-major.
    """
    import pretty_midi
    import soundfile as sf
    from scipy.signal import resample_poly

    pitches = list(spec.pitches if pitches is None else pitches)
    keys = [(p, v) for p in pitches for v in velocities]
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    inst = pretty_midi.Instrument(program=spec.program, name=spec.name)
    for i, (pitch, velocity) in enumerate(keys):
        start = 0.5 + i * SLOT_S
        inst.notes.append(pretty_midi.Note(velocity=velocity, pitch=pitch, start=start, end=start + HOLD_S))
    pm.instruments.append(inst)
    with tempfile.TemporaryDirectory(prefix="lessonkit-fluid-") as tmp:
        mid, wav = os.path.join(tmp, "notes.mid"), os.path.join(tmp, "notes.wav")
        pm.write(mid)
        cmd = [exe, "-n", "-i", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", str(RENDER_SR),
               "-O", "float", "-T", "wav", "-F", wav, soundfont, mid]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0 or not os.path.exists(wav):
            raise BuildError(f"FluidSynth failed on {spec.name}: {run.stderr.strip()[:500]}")
        audio, sr = sf.read(wav, dtype="float32", always_2d=True)
    if sr != RENDER_SR:
        raise BuildError(f"FluidSynth wrote {sr} Hz instead of {RENDER_SR} Hz.")
    mono = audio.mean(axis=1)
    mono = resample_poly(mono, SR, RENDER_SR).astype(np.float32)
    n = int(round(CLIP_S * SR))
    need = int(round((0.5 + (len(keys) - 1) * SLOT_S) * SR)) + n
    if len(mono) < need:
        mono = np.pad(mono, (0, need - len(mono)))
    starts = [int(round((0.5 + i * SLOT_S) * SR)) for i in range(len(keys))]
    clips = np.stack([mono[s:s + n] for s in starts])
    return clips, keys


# ----------------------------------------------------------------------------- the build


def build(out_dir: str, *, soundfont: str = SOUNDFONT, instruments=None, pitches_per_instrument=None,
          overwrite: bool = False, update_manifest: bool = True, log=print) -> dict:
    """Render, check, normalise and write the set into ``out_dir``.

    Parameters
    ----------
    out_dir : str
        Folder to write ``instruments.flac``, ``.csv`` and ``.json`` into.
    instruments : list of str, optional
        Names from :data:`INSTRUMENTS` (default all), for quick trial builds.
    pitches_per_instrument : int, optional
        Render only this many pitches from the middle of each range (trial builds).
    overwrite : bool
        Replace existing files.
    update_manifest : bool
        Record the files in ``data/manifest.json`` (only for the repository's data folder).

    Returns
    -------
    dict
        The contents written to ``instruments.json``.
    """
    import soundfile as sf

    from ..files import atomic_write_bytes, refuse_overwrite

    exe, soundfont = find_tools(soundfont)
    paths = {ext: os.path.join(out_dir, f"{FILE_STEM}.{ext}") for ext in ("flac", "csv", "json")}
    for path in paths.values():
        refuse_overwrite(path, overwrite)
    chosen = [(k, s) for k, s in enumerate(INSTRUMENTS) if instruments is None or s.name in instruments]
    if instruments is not None and len(chosen) != len(set(instruments)):
        known = ", ".join(s.name for s in INSTRUMENTS)
        raise BuildError(f"Unknown instrument in {instruments}; choose from {known}.")
    t0 = time.time()
    all_clips, rows, table, rejected = [], [], [], []
    for k, spec in chosen:
        pitches = list(spec.pitches)
        if pitches_per_instrument:
            mid = len(pitches) // 2 - pitches_per_instrument // 2
            pitches = pitches[mid: mid + pitches_per_instrument]
        t1 = time.time()
        clips, keys = render_instrument(spec, exe, soundfont, pitches=pitches)
        measures = []
        for clip, (pitch, velocity) in zip(clips, keys):
            problems, m = check_clip(clip, pitch)
            if problems:
                rejected.append(f"{spec.name} pitch {pitch} velocity {velocity}: {'; '.join(problems)}")
            measures.append(m)
        loud = np.array([m.get("rms_db", -100.0) for m, (_, v) in zip(measures, keys) if v == max(VELOCITIES)])
        gain_db = TARGET_RMS_DB - float(np.median(loud))
        peak = float(np.max(np.abs(clips)))
        gain_db = min(gain_db, 20 * np.log10(PEAK_LIMIT / peak))
        gain = 10 ** (gain_db / 20)
        clips = finish_clips(clips, gain)
        release = release_time_s(clips)
        all_clips.append(clips)
        for clip, (pitch, velocity), m in zip(clips, keys, measures):
            loop_start, loop_samples, loop_gain = find_loop(clip, spec.decays)
            rows.append({
                "instrument": spec.name, "family": spec.family, "pitch": pitch, "velocity": velocity,
                "split": split_of(k, spec, pitch),
                "rms_db": round(m.get("rms_db", -100.0) + gain_db, 2),
                "f0_hz": round(m.get("f0_hz", float("nan")), 3),
                "loop_start": loop_start, "loop_samples": loop_samples, "loop_gain": round(loop_gain, 4),
            })
        table.append({"name": spec.name, "family": spec.family, "program": spec.program, "decays": spec.decays,
                      "low": pitches[0], "high": pitches[-1], "gain_db": round(gain_db, 2),
                      "release_s": round(release, 3)})
        cents = np.array([m.get("cents", np.nan) for m in measures])
        log(f"  {spec.name:<15} {len(keys)} notes in {time.time() - t1:.1f} s, gain {gain_db:+.1f} dB, "
            f"median |error| {np.nanmedian(np.abs(cents)):.1f} cents, release {release * 1000:.0f} ms")
    if rejected:
        raise BuildError(f"{len(rejected)} renders failed the checks, so nothing was written:\n  "
                         + "\n  ".join(rejected[:40]))
    audio = np.concatenate(all_clips, axis=0)
    if np.max(np.abs(audio)) > PEAK_LIMIT + 1e-6:
        raise BuildError("A normalised note peaks above the limit; this is a bug in the builder.")
    pcm = to_int16(audio).reshape(-1)
    buffer = io.BytesIO()
    sf.write(buffer, pcm, SR, format="FLAC", subtype="PCM_16")
    text = io.StringIO()
    fields = ["instrument", "family", "pitch", "velocity", "split", "rms_db", "f0_hz",
              "loop_start", "loop_samples", "loop_gain"]
    writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    info = {
        "format": 1,
        "sr": SR, "clip_s": CLIP_S, "hold_s": HOLD_S, "clip_samples": int(round(CLIP_S * SR)),
        "n_notes": len(rows), "velocities": list(VELOCITIES),
        "target_rms_db": TARGET_RMS_DB, "peak_limit": PEAK_LIMIT,
        "splits": "per instrument k (its row in 'instruments'): test if (pitch + k) % 6 == 0, valid if == 3, "
                  "else train; the lowest and highest pitch are always train",
        "instruments": table,
        "source": {
            "soundfont": "FluidR3_GM.sf2 (Frank Wen, 2000-2002), MIT licence, Debian package fluid-soundfont-gm",
            "renderer": fluidsynth_version(exe),
            "render_sr": RENDER_SR,
        },
        "built_by": BUILT_BY,
    }
    atomic_write_bytes(paths["flac"], buffer.getvalue())
    atomic_write_bytes(paths["csv"], text.getvalue().encode("utf-8"))
    atomic_write_bytes(paths["json"], (json.dumps(info, indent=1) + "\n").encode("utf-8"))
    if update_manifest:
        from ..manifest import update_manifest as record

        for path in paths.values():
            record(path, built_by=BUILT_BY, data_dir=out_dir)
    sizes = sum(os.path.getsize(p) for p in paths.values())
    log(f"wrote {len(rows)} notes of {len(chosen)} instruments, {sizes / 1e6:.1f} MB, in {time.time() - t0:.0f} s")
    return info


def main(argv=None) -> int:
    """``python -m lessonkit data build-instruments [--out DIR] [--soundfont PATH] [--overwrite]``."""
    from ..manifest import DATA_DIR

    parser = argparse.ArgumentParser(prog="lessonkit data build-instruments", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DATA_DIR, help="folder to write into (default: the repository's data/)")
    parser.add_argument("--soundfont", default=SOUNDFONT, help=f"the FluidR3 GM soundfont (default {SOUNDFONT})")
    parser.add_argument("--instruments", nargs="+", help="only these instruments (a trial build)")
    parser.add_argument("--pitches", type=int, help="only this many pitches per instrument (a trial build)")
    parser.add_argument("--overwrite", action="store_true", help="replace the files that are there")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.out):
        raise DataFileError(f"The folder {args.out} does not exist.")
    trial = args.instruments is not None or args.pitches is not None
    default_out = os.path.abspath(args.out) == os.path.abspath(DATA_DIR)
    if trial and default_out:
        raise BuildError("A trial build (--instruments/--pitches) must go to another folder: pass --out DIR.")
    print(f"Rendering the instrument notes with FluidSynth from {args.soundfont} ...")
    build(args.out, soundfont=args.soundfont, instruments=args.instruments, pitches_per_instrument=args.pitches,
          overwrite=args.overwrite, update_manifest=default_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
