"""Build ``data/melodies.npz``: the folk-tune corpus and its 2-bar loops, from music21's ABC files.

Run once by maintainers (students only ever load the built file)::

    python -m lessonkit data build            # or: python -m lessonkit.builders.corpus

It parses every tune of the monophonic folk collections that ship inside music21
(:data:`COLLECTIONS`) in a small process pool, keeps each tune's notes on the 16th-note
grid (:meth:`lessonkit.music.Melody.from_music21`), skips and counts what cannot be used,
removes exact duplicates, splits by tune *content* into train/valid/test, cuts the
bar-aligned 2-bar loops, and writes one compressed ``.npz`` plus its entry in
``data/manifest.json``. ``data/README.md`` documents the result.

Parsing takes minutes; the parsed tunes are cached in ``build/corpus/parsed.pkl`` so
that ``--reuse-parsed`` re-runs only the fast assembly.

Lesson: notebooks/00_music_as_data.ipynb (the corpus), notebooks/04_latent_loops.ipynb (the loops)
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import json
import os
import pickle
import re
import sys
import time

import numpy as np

from ..files import atomic_write_bytes, refuse_overwrite
from .cut_loops import LOOP_METERS, LOOP_MIN_NOTES, LOOP_STEPS, cut_loops  # noqa: F401
from .read_abc import (COLLECTIONS, MAX_CHORD_SHARE, MAX_LOST_SHARE, MIN_NOTES, PITCH_RANGE,  # noqa: F401
                       TIMEOUT_S, corpus_dir, fix_title, list_jobs, parse_all, parse_tune, split_abc)

SPLITS = ("train", "valid", "test")
SPLIT_PERMILLE = (800, 100, 100)
"""Share of split groups per split, in thousandths (80/10/10)."""
FORMAT_VERSION = 1

_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(_ROOT, "data", "melodies.npz")
DEFAULT_CACHE = os.path.join(_ROOT, "build", "corpus", "parsed.pkl")
BUILD_COMMAND = "python -m lessonkit data build"


# ----------------------------------------------------------------------------- assembling


def content_key(pitches, onsets, durations) -> str:
    """Stable hex key of a tune's content: pitch intervals and rhythm, so transpositions share it.

    Built from the intervals between successive pitches, the steps between successive
    onsets, and the durations; the absolute pitch and the start offset do not matter.
    """
    pitches = np.asarray(pitches, dtype=np.int64)
    onsets = np.asarray(onsets, dtype=np.int64)
    parts = [np.diff(pitches), np.diff(onsets), np.asarray(durations, dtype=np.int64)]
    digest = hashlib.sha256()
    for a in parts:
        digest.update(a.astype("<i4").tobytes())
        digest.update(b"|")
    return digest.hexdigest()


def split_of(group_key: str) -> str:
    """The split of a split group: from a sha256 of its key (stable across runs and machines)."""
    bucket = int(hashlib.sha256(("lessonkit-split:" + group_key).encode()).hexdigest()[:8], 16) % 1000
    edge = 0
    for name, share in zip(SPLITS, SPLIT_PERMILLE):
        edge += share
        if bucket < edge:
            return name
    return SPLITS[-1]


class _UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i, j):
        i, j = self.find(i), self.find(j)
        if i != j:
            self.parent[max(i, j)] = min(i, j)


_TUNE_TYPES = r"(jig|reel|hornpipe|clog|polka|waltz|march|schottische|strathspey|slide|air|song|quadrille|set dance)s?"


def normalize_title(title: str) -> str:
    """Title reduced for matching variants: lower case, no punctuation, articles, or tune-type suffix."""
    t = title.lower()
    t = re.sub(r"\s+--\s+.*$", "", t)  # Ryan's "LANIGAN'S BALL -- JIG"
    t = re.sub(r"\(.*?\)", " ", t)
    t = re.sub(r"[^a-z0-9\u00c0-\u024f]+", " ", t)
    t = re.sub(r"\b(the|a|an|no|nr|number)\b", " ", t)
    t = re.sub(rf"\b{_TUNE_TYPES}\b\s*$", " ", t.strip())
    t = re.sub(r"\b\d+\b", " ", t)
    return " ".join(t.split())


def prefix_key(pitches, onsets, n=16) -> str | None:
    """Key of a tune's opening (intervals and inter-onset steps of its first ``n`` notes), or None if shorter."""
    if len(pitches) <= n:
        return None
    return content_key(pitches[:n], onsets[:n], np.zeros(0, dtype=np.int64))


def assemble(parsed, log=print, group_by_title=True, group_by_opening=True):
    """Turn parsed tunes into the arrays, meta columns and counts written to the file.

    Exact duplicates (same :func:`content_key`) are removed, keeping the first copy
    in :data:`COLLECTIONS` order. Tunes are then joined into *split groups*: tunes
    with the same content key, the same opening (first 16 intervals and onset
    gaps), or the same normalized title (:func:`normalize_title`) land in one group, and a group's
    split is a hash of its smallest content key. So a tune and its transpositions,
    variant transcriptions and near copies can never be in two splits.
    """
    counts = collections.OrderedDict()
    counts["tunes_in_files"] = len(parsed)
    skipped = collections.Counter()
    skipped_examples = collections.defaultdict(list)
    flags = collections.Counter()
    kept = []
    for r in parsed:
        r = dict(r, title=fix_title(r.get("title") or ""))
        if r["status"] != "ok":
            skipped[r["status"]] += 1
            if len(skipped_examples[r["status"]]) < 5:
                skipped_examples[r["status"]].append(
                    f"{r['collection']}/{r['file']}#{r['index']} {r.get('title', '')!r}: {r.get('detail', '')}")
            continue
        kept.append(r)
    # exact duplicates
    by_key = {}
    tunes = []
    for r in kept:
        key = content_key(r["pitches"], r["onsets"], r["durations"])
        where = f"{r['collection']}/{r['file']}#{r['index']}"
        if key in by_key:
            first = by_key[key]
            first["duplicates"].append(where)
            skipped["duplicate"] += 1
            if len(skipped_examples["duplicate"]) < 5:
                skipped_examples["duplicate"].append(
                    f"{where} {r['title']!r} = {first['collection']}/{first['file']}#{first['index']} "
                    f"{first['title']!r}")
            continue
        r = dict(r, content_key=key, duplicates=[])
        by_key[key] = r
        tunes.append(r)
    for r in tunes:
        flags["off-grid notes rounded (tunes kept)"] += r["off_grid_notes"] > 0
        flags["notes lost in rounding (tunes kept)"] += r["notes_lost"] > 0
        flags["notes lost in rounding (notes)"] += int(r["notes_lost"])
        flags["chords read as their top note (tunes kept)"] += r["chords"] > 0
        flags["meter changes inside the tune (tunes kept)"] += bool(r["meter_changes"])
        flags["tempo given in the file"] += bool(r["tempo_given"])
    # split groups
    uf = _UnionFind(len(tunes))
    for kind, enabled in (("opening", group_by_opening), ("title", group_by_title)):
        if not enabled:
            continue
        first_of = {}
        for i, r in enumerate(tunes):
            if kind == "opening":
                key = prefix_key(r["pitches"], r["onsets"])
            else:
                title = normalize_title(r["title"])
                key = title if len(title) >= 4 else None
            if key is None:
                continue
            if key in first_of:
                uf.union(first_of[key], i)
            else:
                first_of[key] = i
    groups = collections.defaultdict(list)
    for i in range(len(tunes)):
        groups[uf.find(i)].append(i)
    for members in groups.values():
        group_key = min(tunes[i]["content_key"] for i in members)
        split = split_of(group_key)
        for i in members:
            tunes[i]["split"] = split
            tunes[i]["group_size"] = len(members)
    sizes = sorted((len(m) for m in groups.values()), reverse=True)
    counts["split_groups"] = len(groups)
    counts["largest_split_groups"] = sizes[:5]
    counts["tunes_in_groups_of_2_or_more"] = sum(s for s in sizes if s > 1)
    counts["tunes"] = len(tunes)
    counts["skipped"] = dict(sorted(skipped.items(), key=lambda kv: -kv[1]))
    counts["skipped_examples"] = {k: v for k, v in skipped_examples.items()}
    counts["flags"] = dict(flags)
    log(f"kept {len(tunes)} tunes in {len(groups)} split groups; skipped {dict(skipped)}")
    return tunes, counts


META_COLUMNS = ("id", "collection", "file", "tune_in_file", "number", "title", "meter", "key", "split", "tempo_given",
                "off_grid_notes", "chords", "meter_changes", "duplicates")


def build_arrays(tunes, counts):
    """The arrays stored in the ``.npz`` (see :mod:`lessonkit.datasets` for their meaning)."""
    n_notes = np.array([len(r["pitches"]) for r in tunes], dtype=np.int64)
    note_offsets = np.concatenate([[0], np.cumsum(n_notes)]).astype(np.int64)
    split_code = np.array([SPLITS.index(r["split"]) for r in tunes], dtype=np.uint8)
    loops, loop_tune, loop_start = [], [], []
    for i, r in enumerate(tunes):
        w, s = cut_loops(i, r)
        loops.append(w)
        loop_tune.append(np.full(len(w), i, np.int32))
        loop_start.append(s)
    loops = np.concatenate(loops) if loops else np.zeros((0, LOOP_STEPS), np.uint8)
    loop_tune = np.concatenate(loop_tune) if loop_tune else np.zeros(0, np.int32)
    loop_start = np.concatenate(loop_start) if loop_start else np.zeros(0, np.int32)
    meta = {col: [] for col in META_COLUMNS}
    for r in tunes:
        r["id"] = f"{r['collection']}/{r['file']}#{r['index']}"
        r["tune_in_file"] = r["index"]
        for col in META_COLUMNS:
            value = r[col]
            meta[col].append(value.item() if isinstance(value, np.generic) else value)
    import music21

    info = dict(format_version=FORMAT_VERSION, splits=list(SPLITS), counts=counts,
                built_with=dict(music21=music21.__version__, numpy=np.__version__, python=sys.version.split()[0]),
                loop_meters=LOOP_METERS, min_notes=MIN_NOTES, pitch_range=list(PITCH_RANGE),
                loop_min_notes=LOOP_MIN_NOTES)
    arrays = dict(
        pitches=np.concatenate([r["pitches"] for r in tunes]).astype(np.uint8),
        onsets_steps=np.concatenate([r["onsets"] for r in tunes]).astype(np.int32),
        durations_steps=np.concatenate([r["durations"] for r in tunes]).astype(np.int32),
        note_offsets=note_offsets,
        length_steps=np.array([r["length_steps"] for r in tunes], dtype=np.int32),
        pickup_steps=np.array([r["pickup_steps"] for r in tunes], dtype=np.int32),
        tempo_bpm=np.array([r["tempo_bpm"] for r in tunes], dtype=np.float32),
        split=split_code,
        loops=loops.astype(np.uint8),
        loop_tune=loop_tune.astype(np.int32),
        loop_start_steps=loop_start.astype(np.int32),
        loop_split=split_code[loop_tune] if len(loop_tune) else np.zeros(0, np.uint8),
        meta_json=np.frombuffer(json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode(), np.uint8),
        info_json=np.frombuffer(json.dumps(info, separators=(",", ":")).encode(), np.uint8),
    )
    return arrays


def write_npz(path, arrays) -> int:
    """Write the arrays as one compressed ``.npz`` (atomically); return its size in bytes."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())
    return len(buffer.getvalue())


def summarize(arrays) -> dict:
    """Counts for the README and the log: tunes per collection/split/meter, loops per split, pitch range."""
    meta = json.loads(arrays["meta_json"].tobytes())
    split_names = [SPLITS[c] for c in arrays["split"]]
    out = dict(
        tunes=len(split_names),
        notes=int(len(arrays["pitches"])),
        per_collection=dict(collections.Counter(meta["collection"]).most_common()),
        per_split={s: split_names.count(s) for s in SPLITS},
        per_meter=dict(collections.Counter(meta["meter"]).most_common()),
        per_collection_split={c: {s: sum(1 for cc, ss in zip(meta["collection"], split_names) if cc == c and ss == s)
                                  for s in SPLITS} for c in dict.fromkeys(meta["collection"])},
        loops_per_split={s: int(np.sum(arrays["loop_split"] == i)) for i, s in enumerate(SPLITS)},
        loops_per_meter=dict(collections.Counter(meta["meter"][t] for t in arrays["loop_tune"]).most_common()),
        unique_loops_per_split={s: int(len(np.unique(arrays["loops"][arrays["loop_split"] == i], axis=0)))
                                for i, s in enumerate(SPLITS)},
        pitch_range=[int(arrays["pitches"].min()), int(arrays["pitches"].max())],
        pitch_percentiles_1_50_99=[int(x) for x in np.percentile(arrays["pitches"], [1, 50, 99])],
        notes_per_tune_median=float(np.median(np.diff(arrays["note_offsets"]))),
        length_steps_median=float(np.median(arrays["length_steps"])),
    )
    return out


# ----------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    """Build ``data/melodies.npz`` (see the module docstring). Returns a process exit status."""
    parser = argparse.ArgumentParser(prog="python -m lessonkit data build",
                                     description="Build the folk-tune corpus from music21's bundled ABC files.")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output .npz (default: data/melodies.npz)")
    parser.add_argument("--cache", default=DEFAULT_CACHE, help="where parsed tunes are cached")
    parser.add_argument("--reuse-parsed", action="store_true", help="skip parsing; reuse --cache")
    parser.add_argument("--jobs", type=int, default=2, help="parser processes (default 2)")
    parser.add_argument("--nice", type=int, default=10, help="niceness of the parser processes (default 10)")
    parser.add_argument("--limit", type=int, default=None, help="parse only the first N tunes (for testing)")
    parser.add_argument("--collections", nargs="*", default=list(COLLECTIONS), help="music21 corpus folders")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it is not the default file")
    parser.add_argument("--no-manifest", action="store_true", help="do not update data/manifest.json")
    args = parser.parse_args(argv)

    def log(msg):
        print(f"[corpus {time.strftime('%H:%M:%S')}] {msg}", flush=True)

    out = os.path.abspath(args.out)
    refuse_overwrite(out, args.overwrite or out == os.path.abspath(DEFAULT_OUT))
    t0 = time.time()
    if args.reuse_parsed:
        with open(args.cache, "rb") as f:
            cached = pickle.load(f)  # our own cache file, written below
        parsed, parse_s = cached["parsed"], cached["parse_s"]
        log(f"reusing {len(parsed)} parsed tunes from {args.cache} (parsing took {parse_s:.0f} s)")
    else:
        jobs = list_jobs(args.collections, limit=args.limit)
        log(f"{len(jobs)} tunes in {len(args.collections)} collections; parsing with {args.jobs} processes")
        parsed = parse_all(jobs, processes=args.jobs, niceness=args.nice, log=log)
        parse_s = time.time() - t0
        os.makedirs(os.path.dirname(os.path.abspath(args.cache)), exist_ok=True)
        atomic_write_bytes(args.cache, pickle.dumps(dict(parsed=parsed, parse_s=parse_s, processes=args.jobs),
                                                    protocol=pickle.HIGHEST_PROTOCOL))
        log(f"parsed in {parse_s:.0f} s; cached in {args.cache}")
    tunes, counts = assemble(parsed, log=log)
    counts["parse_s"] = round(parse_s, 1)
    counts["parse_processes"] = args.jobs
    arrays = build_arrays(tunes, counts)
    size = write_npz(out, arrays)
    summary = summarize(arrays)
    log(f"wrote {out} ({size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    log("summary: " + json.dumps(summary))
    log("counts: " + json.dumps({k: v for k, v in counts.items() if k != "skipped_examples"}))
    for reason, examples in counts["skipped_examples"].items():
        log(f"  e.g. {reason}: " + " | ".join(examples[:3]))
    if not args.no_manifest and os.path.dirname(out) == os.path.dirname(os.path.abspath(DEFAULT_OUT)):
        from ..manifest import update_manifest

        update_manifest(out, built_by=BUILD_COMMAND, tunes=summary["tunes"], loops=len(arrays["loops"]),
                        source="music21 10.5.1 corpus (see data/README.md)")
        log("updated data/manifest.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
