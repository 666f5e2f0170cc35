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
import multiprocessing
import os
import pickle
import re
import signal
import sys
import time

import numpy as np

from ..files import atomic_write_bytes, refuse_overwrite
from ..music import HOLD, REST, STEPS_PER_BEAT

COLLECTIONS = ("essenFolksong", "oneills1850", "airdsAirs", "ryansMammoth", "miscFolk", "nottingham-dataset")
"""music21 corpus folders read, in priority order (the first copy of a duplicate is kept)."""
SPLITS = ("train", "valid", "test")
SPLIT_PERMILLE = (800, 100, 100)
"""Share of split groups per split, in thousandths (80/10/10)."""
MIN_NOTES = 8
"""Tunes with fewer notes are skipped as too short."""
MAX_CHORD_SHARE = 0.2
"""Tunes with more chords than this share of their notes are two voices: skipped as polyphonic.
Fewer chords (a fiddler's double stops, a final chord) are read as their top note."""
MAX_LOST_SHARE = 0.1
"""Tunes that would lose more than this share of their notes when rounded to 16ths (runs of
32nds, 16th-note triplets) are skipped; fewer lost notes are counted and the tune is kept."""
PITCH_RANGE = (36, 96)
"""Sane MIDI pitches for a folk melody (C2..C7); tunes with notes outside are skipped."""
LOOP_STEPS = 32
"""A loop is 2 bars of 4/4: 32 steps."""
LOOP_METERS = {"4/4": 16, "2/2": 16, "2/4": 8}
"""Meters cut into loops, with their bar length in steps (2/4 bars are paired into 4/4 bars)."""
LOOP_MIN_NOTES = 4
"""Loops with fewer note starts are dropped."""
TIMEOUT_S = 60
"""A tune that takes longer than this to parse is counted as unparseable."""
FORMAT_VERSION = 1

_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(_ROOT, "data", "melodies.npz")
DEFAULT_CACHE = os.path.join(_ROOT, "build", "corpus", "parsed.pkl")
BUILD_COMMAND = "python -m lessonkit data build"


def corpus_dir() -> str:
    """The folder of music21's bundled corpus."""
    import music21.corpus

    return os.path.dirname(music21.corpus.__file__)


# ----------------------------------------------------------------------------- reading the files

_X_LINE = re.compile(r"^\s*X\s*:\s*(\S*)")
_FIELD_LINE = re.compile(r"^[A-Za-z]:")


def split_abc(text: str):
    """Split the text of an ABC file into tunes.

    Returns
    -------
    header : list of str
        The file header's field lines (before the first ``X:``), which apply to every tune.
    tunes : list of (str, str)
        ``(reference number, tune text)`` for each tune in file order. Unlike
        music21's own splitting (a dict keyed by the ``X:`` number), tunes that reuse
        a number are all kept.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _X_LINE.match(line)]
    if not starts:
        return [], []
    header = [line for line in lines[:starts[0]] if _FIELD_LINE.match(line)]
    tunes = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(lines)
        tunes.append((_X_LINE.match(lines[start]).group(1), "\n".join(lines[start:stop])))
    return header, tunes


def list_jobs(collections=COLLECTIONS, root=None, limit=None):
    """One job per tune: ``dict(collection, file, index, number, text)``, in a stable order.

    ``index`` counts tunes from 1 within their file; ``number`` is the ``X:`` field.
    """
    root = root or corpus_dir()
    jobs = []
    for collection in collections:
        folder = os.path.join(root, collection)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".abc"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                header, tunes = split_abc(f.read())
            for index, (number, text) in enumerate(tunes, start=1):
                jobs.append(dict(collection=collection, file=name, index=index, number=number,
                                 text="\n".join(header + [text]) + "\n"))
                if limit and len(jobs) >= limit:
                    return jobs
    return jobs


# ----------------------------------------------------------------------------- parsing one tune


_VOICE = re.compile(r"(?:^V:|\[V:)\s*([^\]\s]+)", re.M)


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _key_name(key) -> str:
    if key is None:
        return ""
    if hasattr(key, "tonic") and hasattr(key, "mode"):
        return f"{key.tonic.name.replace('-', 'b')} {key.mode}"
    return f"{key.sharps} sharps" if key.sharps >= 0 else f"{-key.sharps} flats"


def parse_tune(job: dict) -> dict:
    """Parse one tune's ABC text; return its note arrays and facts, or why it was skipped.

    Returns
    -------
    dict
        ``status`` is ``"ok"`` or a skip reason (``"unparseable"``, ``"no meter"``,
        ``"no notes"``, ``"polyphonic"``, ``"too fast for the 16th grid"``, ``"too short"``,
        ``"pitch out of range"``);
        the job's provenance keys are always copied.
    """
    out = {k: job[k] for k in ("collection", "file", "index", "number")}
    use_alarm = hasattr(signal, "SIGALRM")
    if use_alarm:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(TIMEOUT_S)
    try:
        out.update(_parse_tune(job["text"]))
    except _Timeout:
        out.update(status="unparseable", detail=f"took over {TIMEOUT_S} s")
    except Exception as err:  # music21 raises many kinds of errors on odd ABC
        out.update(status="unparseable", detail=f"{type(err).__name__}: {err}"[:200])
    finally:
        if use_alarm:
            signal.alarm(0)
    return out


def _parse_tune(text: str) -> dict:
    from music21 import abcFormat, harmony
    from music21.abcFormat import translate

    from ..music import Melody, parse_meter

    # music21 splits voices declared in the header (V: lines) into parts, but reads inline
    # [V:n] fields as if all voices were one, so voices are counted in the text.
    voices = set(_VOICE.findall(text))
    if len(voices) > 1:
        return dict(status="polyphonic", detail=f"{len(voices)} voices (V: fields) in the ABC")
    handler = abcFormat.ABCFile().readstr(text)
    titles, meters, key, tempo_given, seen_note = [], [], None, False, False
    for token in handler.tokens:
        if isinstance(token, abcFormat.ABCNote):
            seen_note = True
        elif isinstance(token, abcFormat.ABCMetadata):
            if token.isTitle() and not seen_note:
                titles.append(token.data.strip())
            elif token.isMeter():
                meters.append((seen_note, token.data.strip(), token.getTimeSignatureObject()))
            elif token.isKey() and key is None:
                try:
                    key = token.getKeySignatureObject()
                except Exception:
                    key = None
            elif token.isTempo():
                tempo_given = True
    head = [m for m in meters if not m[0]]
    if not head or head[-1][2] is None:
        return dict(status="no meter", detail=head[-1][1] if head else "no M: field", title=_first(titles))
    meter = head[-1][2].ratioString
    try:
        parse_meter(meter)
    except Exception:
        return dict(status="no meter", detail=f"unusual meter {meter}", title=_first(titles))
    meter_changes = any(m[0] and (m[2] is None or m[2].ratioString != meter) for m in meters)

    score = translate.abcToStreamScore(handler)

    def sounding(n):
        return n.duration.quarterLength > 0 and not n.duration.isGrace and not isinstance(n, harmony.ChordSymbol)

    parts = [p for p in score.parts if any(sounding(n) for n in p.recurse().notes)]
    if not parts:
        return dict(status="no notes", title=_first(titles))
    if len(parts) > 1:
        return dict(status="polyphonic", detail=f"{len(parts)} voices with notes", title=_first(titles))
    part = parts[0]
    flat = part.flatten()
    off_grid = chords = events = 0
    tied = {}  # as in Melody.from_music21: ties join notes of the same pitch only
    for n in flat.notes:
        if not sounding(n):
            continue
        pitch = max(p.midi for p in n.pitches)
        if tied.pop(pitch, None) != float(n.offset):
            events += 1
        if n.tie is not None and n.tie.type in ("start", "continue"):
            tied[pitch] = float(n.offset + n.duration.quarterLength)
        start = float(n.offset) * STEPS_PER_BEAT
        end = start + float(n.duration.quarterLength) * STEPS_PER_BEAT
        if abs(start - round(start)) > 1e-6 or abs(end - round(end)) > 1e-6:
            off_grid += 1
        if n.isChord and len(n.pitches) > 1:
            chords += 1
    melody = Melody.from_music21(part).copy(meter=meter)
    low, high = melody.pitch_range
    result = dict(title=_first(titles), meter=meter, key=_key_name(key), tempo_bpm=melody.tempo_bpm,
                  tempo_given=tempo_given, meter_changes=meter_changes, off_grid_notes=off_grid, chords=chords,
                  n_notes=len(melody), notes_lost=max(events - len(melody), 0))
    if chords > MAX_CHORD_SHARE * events:
        return dict(result, status="polyphonic", detail=f"{chords} of {events} notes are chords (two voices)")
    if result["notes_lost"] > MAX_LOST_SHARE * events:
        return dict(result, status="too fast for the 16th grid",
                    detail=f"{result['notes_lost']} of {events} notes would be lost")
    if len(melody) < MIN_NOTES:
        return dict(result, status="too short", detail=f"{len(melody)} notes")
    if low < PITCH_RANGE[0] or high > PITCH_RANGE[1]:
        return dict(result, status="pitch out of range", detail=f"pitches {low}..{high}")
    bars = []
    for m in part.getElementsByClass("Measure"):
        start = float(m.offset) * STEPS_PER_BEAT
        length = float(m.duration.quarterLength) * STEPS_PER_BEAT
        on_grid = abs(start - round(start)) < 1e-6 and abs(length - round(length)) < 1e-6
        bars.append((int(round(start)), int(round(length)) if on_grid else -1))
    return dict(result, status="ok", pitches=melody.pitches.astype(np.uint8),
                onsets=melody.onsets_steps.astype(np.int32), durations=melody.durations_steps.astype(np.int32),
                length_steps=int(melody.length_steps), pickup_steps=int(melody.pickup_steps),
                bars=np.array(bars, dtype=np.int32).reshape(-1, 2))


def _first(items):
    return items[0] if items else ""


def fix_title(title: str) -> str:
    """Repair titles whose DOS (cp437) umlauts were stored as C1 control characters.

    Some Essen files (``lot.abc``, ``lux.abc``, ``han*.abc``, ``test*.abc``) write
    "getr\x84umet" for "geträumet"; other files use real Latin-1 letters and are kept.
    """
    if any(0x80 <= ord(c) <= 0x9F for c in title) and all(ord(c) < 256 for c in title):
        return title.encode("latin-1").decode("cp437")
    return title


# ----------------------------------------------------------------------------- parsing everything


def _init_worker(niceness):
    if niceness:
        try:
            os.nice(niceness)
        except OSError:
            pass


def parse_all(jobs, processes=2, niceness=10, log=print):
    """Parse every job in a process pool; results come back in the jobs' order."""
    results = [None] * len(jobs)
    t0 = time.time()
    tasks = list(enumerate(jobs))
    with multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn").Pool(
            processes, initializer=_init_worker, initargs=(niceness,), maxtasksperchild=500) as pool:
        for done, (i, result) in enumerate(pool.imap_unordered(_parse_indexed, tasks, chunksize=8), start=1):
            results[i] = result
            if done % 500 == 0 or done == len(jobs):
                rate = done / max(time.time() - t0, 1e-9)
                log(f"parsed {done}/{len(jobs)} tunes in {time.time() - t0:.0f} s "
                    f"({rate:.1f}/s, about {(len(jobs) - done) / rate:.0f} s left)")
    return results


def _parse_indexed(task):
    i, job = task
    return i, parse_tune(job)


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


def cut_loops(tune_index: int, r: dict):
    """All bar-aligned 2-bar loops of one tune, as ``(tokens (n, 32) uint8, start_steps (n,))``.

    Only tunes in :data:`LOOP_METERS` give loops. A loop starts on a bar line (read from
    the tune's bars as music21 found them) and covers bars that are all complete and
    contiguous; in 2/4 a loop is four 2/4 bars and starts on every other bar of a run
    of complete bars. Leading HOLD tokens (a note tied in from before) become REST;
    loops with fewer than :data:`LOOP_MIN_NOTES` note starts, and repeats of a loop
    already cut from the same tune, are dropped.
    """
    bar_steps = LOOP_METERS.get(r["meter"])
    if bar_steps is None:
        return np.zeros((0, LOOP_STEPS), np.uint8), np.zeros(0, np.int32)
    tokens = _tokens(r)
    # runs of contiguous complete bars
    starts = []
    run = []
    expect = None
    for start, length in list(map(tuple, r["bars"])) + [(-1, -1)]:
        if length == bar_steps and (not run or start == expect):
            run.append(start)
            expect = start + length
            continue
        starts.extend(_window_starts(run, bar_steps))
        run = [start] if length == bar_steps else []
        expect = start + length if length == bar_steps else None
    out, where, seen = [], [], set()
    for s in starts:
        if s + LOOP_STEPS > len(tokens):
            continue
        w = tokens[s:s + LOOP_STEPS].copy()
        lead = np.flatnonzero(w != HOLD)
        w[:lead[0] if len(lead) else LOOP_STEPS] = REST
        if np.count_nonzero(w < 128) < LOOP_MIN_NOTES:
            continue
        b = w.tobytes()
        if b in seen:
            continue
        seen.add(b)
        out.append(w)
        where.append(s)
    if not out:
        return np.zeros((0, LOOP_STEPS), np.uint8), np.zeros(0, np.int32)
    return np.stack(out), np.array(where, np.int32)


def _window_starts(run, bar_steps):
    per_loop = LOOP_STEPS // bar_steps  # bars in a loop: 2 (4/4, 2/2) or 4 (2/4)
    hop = 16 // bar_steps               # loops start every 4/4 bar: every bar, or every 2nd 2/4 bar
    return [run[i] for i in range(0, len(run) - per_loop + 1, hop)]


def _tokens(r) -> np.ndarray:
    tokens = np.full(r["length_steps"], REST, dtype=np.uint8)
    for p, o, d in zip(r["pitches"], r["onsets"], r["durations"]):
        tokens[o] = p
        tokens[o + 1:o + d] = HOLD
    return tokens


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
