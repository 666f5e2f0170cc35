"""Reading the folk corpus: music21's ABC files -> one dict of notes and facts per tune.

Build-time code of ``lessonkit data build`` (:mod:`.corpus` assembles, splits and writes what
this reads). Each tune is parsed in a worker process with a time limit, through the public
:meth:`lessonkit.music.Melody.from_music21`; what cannot be used is skipped with a reason.

Lesson: notebooks/00_music_as_data.ipynb (the corpus)
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import time

import numpy as np

from ..music import STEPS_PER_BEAT

COLLECTIONS = ("essenFolksong", "oneills1850", "airdsAirs", "ryansMammoth", "miscFolk", "nottingham-dataset")
"""music21 corpus folders read, in priority order (the first copy of a duplicate is kept)."""
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
TIMEOUT_S = 60
"""A tune that takes longer than this to parse is counted as unparseable."""


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
