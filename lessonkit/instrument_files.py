"""The files of the instrument-note set: ``data/instruments.{flac,csv,json}``, read and checked.

Lesson: notebooks/00_music_as_data.ipynb, notebooks/03_neural_synthesizer.ipynb (through
:mod:`lessonkit.instruments`, which students use; this module is its file layer).

* ``instruments.json``: the set as a whole (sample rate, clip length, instruments);
* ``instruments.csv``: one row per note (instrument, family, pitch, velocity, split, loop points);
* ``instruments.flac``: every note, one after the other, 16 kHz mono.

Every reader checks the three files against each other and against ``data/manifest.json``
and raises :class:`~lessonkit.errors.DataFileError` with :data:`REBUILD` when they are
missing or damaged. ``lessonkit.builders.render_instruments`` writes them.
"""

from __future__ import annotations

import csv
import functools
import json
import os

import numpy as np

from .errors import DataFileError
from .manifest import DATA_DIR, read_manifest, verify_manifest

SR = 16000
"""Sample rate of the set in Hz (the same as :data:`lessonkit.audio.SR`)."""
FILE_STEM = "instruments"
REBUILD = ("Get the shipped copy back with `git checkout -- data/instruments.*` (or download the course "
           "again); maintainers rebuild it with `python -m lessonkit data build-instruments --overwrite` "
           "(needs `apt-get install fluidsynth fluid-soundfont-gm`).")
SPLITS = ("train", "valid", "test")


def file_paths(data_dir=None) -> dict:
    data_dir = data_dir or DATA_DIR
    return {ext: os.path.join(data_dir, f"{FILE_STEM}.{ext}") for ext in ("flac", "csv", "json")}


# ----------------------------------------------------------------------------- the table


@functools.lru_cache(maxsize=4)
def read_table(data_dir=None):
    """(info dict, list of row dicts) from the json and csv files, checked against each other."""
    paths = file_paths(data_dir)
    for path in paths.values():
        if not os.path.exists(path):
            raise DataFileError(f"The instrument-note file {path} is missing. {REBUILD}")
    try:
        with open(paths["json"], encoding="utf-8") as f:
            info = json.load(f)
        with open(paths["csv"], encoding="utf-8", newline="") as f:
            raw = list(csv.DictReader(f))
        rows = []
        for r in raw:
            rows.append({
                "instrument": r["instrument"], "family": r["family"], "pitch": int(r["pitch"]),
                "velocity": int(r["velocity"]), "split": r["split"], "rms_db": float(r["rms_db"]),
                "f0_hz": float(r["f0_hz"]), "loop_start": int(r["loop_start"]),
                "loop_samples": int(r["loop_samples"]), "loop_gain": float(r["loop_gain"]),
            })
        names = [i["name"] for i in info["instruments"]]
        clip = int(info["clip_samples"])
        sr = int(info["sr"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DataFileError(f"The instrument-note table ({paths['csv']}, {paths['json']}) is damaged "
                            f"({type(err).__name__}: {err}). {REBUILD}") from None
    if sr != SR or len(rows) != int(info.get("n_notes", -1)) or not rows:
        raise DataFileError(f"{paths['json']} and {paths['csv']} disagree (rows, sample rate). {REBUILD}")
    if any(r["instrument"] not in names or r["split"] not in SPLITS for r in rows):
        raise DataFileError(f"{paths['csv']} names an instrument or split that {paths['json']} does not. {REBUILD}")
    return info, rows, names, clip


def verify_files(data_dir):
    """Check the three files against data/manifest.json when it lists them (about 40 ms)."""
    manifest_path = os.path.join(data_dir or DATA_DIR, "manifest.json")
    if not os.path.exists(manifest_path):
        return
    listed = [n for n in (f"{FILE_STEM}.{e}" for e in ("flac", "csv", "json")) if n in read_manifest(data_dir)]
    if listed:
        try:
            verify_manifest(listed, data_dir=data_dir)
        except DataFileError as err:
            raise DataFileError(f"{err} {REBUILD}") from None


def read_audio(data_dir=None, start_row: int = 0, stop_row: int | None = None, *, threads: int = 1) -> np.ndarray:
    """Rows ``start_row:stop_row`` of the set as float32, ``shape=(n_rows, clip_samples)``.

    With ``threads > 1`` the FLAC is decoded in that many pieces at once (libsndfile releases
    the GIL), which roughly halves the load time on two cores.
    """
    import soundfile as sf
    from concurrent.futures import ThreadPoolExecutor

    info, rows, _, clip = read_table(data_dir)
    stop_row = len(rows) if stop_row is None else stop_row
    n_rows = stop_row - start_row
    path = file_paths(data_dir)["flac"]
    out = np.empty((n_rows, clip), dtype=np.float32)

    def decode(lo, hi):   # rows lo:hi (relative), straight into out
        with sf.SoundFile(path) as f:
            if f.samplerate != SR or f.channels != 1 or f.frames != len(rows) * clip:
                raise DataFileError(
                    f"{path} holds {f.frames} samples ({f.channels} channel(s) at {f.samplerate} Hz) but the "
                    f"table describes {len(rows)} notes of {clip} samples at {SR} Hz. {REBUILD}")
            f.seek((start_row + lo) * clip)
            got = f.read((hi - lo) * clip, dtype="float32", out=out[lo:hi].reshape(-1))
        if len(got) != (hi - lo) * clip:
            raise DataFileError(f"{path} ended early: it is truncated. {REBUILD}")

    bounds = np.linspace(0, n_rows, max(1, min(threads, n_rows)) + 1).astype(int)
    try:
        if len(bounds) == 2:
            decode(0, n_rows)
        else:
            with ThreadPoolExecutor(len(bounds) - 1) as pool:
                for job in [pool.submit(decode, lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]:
                    job.result()
    except DataFileError:
        raise
    except Exception as err:  # soundfile raises RuntimeError/LibsndfileError on corrupt files
        raise DataFileError(f"{path} could not be decoded ({type(err).__name__}: {err}). {REBUILD}") from None
    return out


@functools.lru_cache(maxsize=2)
def all_audio(data_dir=None) -> np.ndarray:
    verify_files(data_dir)
    audio = read_audio(data_dir, threads=min(4, os.cpu_count() or 1))
    audio.flags.writeable = False
    return audio
