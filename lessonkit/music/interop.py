"""music21 interop: a melody as a music21 Part, and any music21 stream as a melody.

Lesson: notebooks/00_music_as_data.ipynb (the folk corpus is read through here)

The doors are :meth:`Melody.to_music21` and :meth:`Melody.from_music21`.
"""

from __future__ import annotations

import math

from ..errors import LessonkitTypeError, MelodyError
from .midi import from_events
from .names import DEFAULT_TEMPO_BPM, DEFAULT_VELOCITY, STEPS_PER_BEAT, parse_meter


def to_music21(melody):
    """A melody as a ``music21.stream.Part`` with notes, rests, meter and tempo."""
    from music21 import meter as m21meter
    from music21 import note as m21note
    from music21 import stream, tempo

    part = stream.Part()
    part.append(m21meter.TimeSignature(melody.meter))
    part.append(tempo.MetronomeMark(number=melody.tempo_bpm))
    step = 0
    for note in melody:
        if note.onset_steps > step:
            part.append(m21note.Rest(quarterLength=(note.onset_steps - step) / STEPS_PER_BEAT))
        n = m21note.Note(note.pitch, quarterLength=note.duration_steps / STEPS_PER_BEAT)
        n.volume.velocity = note.velocity
        part.append(n)
        step = note.end_steps
    if melody.length_steps > step:
        part.append(m21note.Rest(quarterLength=(melody.length_steps - step) / STEPS_PER_BEAT))
    return part


def from_music21(cls, stream):
    """Read a music21 stream (a Score, Part or Opus item) as a melody on the 16th grid.

    Tied notes of the same pitch are merged (a "tie" between two different pitches,
    which some ABC transcriptions write for a slur, keeps both notes), grace notes
    dropped, chords read as their top note, and
    onsets/ends rounded to the nearest 16th, halves down (triplets land on the nearest
    step; a dotted 16th and a 32nd become two 16ths).
    The first meter and tempo found are kept; an upbeat becomes ``pickup_steps``.

    Raises
    ------
    MelodyError
        If the stream has no notes.
    """
    from music21 import stream as m21stream

    if not isinstance(stream, m21stream.Stream):
        raise LessonkitTypeError(f"from_music21 takes a music21 stream (a Score or Part), not {type(stream).__name__}.")
    if isinstance(stream, m21stream.Opus):
        raise LessonkitTypeError(
            f"This is an Opus, a book of {len(stream.scores)} tunes. Pick one tune: "
            "corpus.parse(name, number=1), or opus.scores[0]."
        )
    flat = stream.flatten()
    # The meter written at the start: music21's ABC import can put one TimeSignature
    # object into two measures, and then the flat stream shows it only at the later one.
    parts = stream.parts if hasattr(stream, "parts") and len(stream.parts) else [stream]
    first_measure = parts[0].getElementsByClass("Measure").first()
    ts = first_measure.timeSignature if first_measure is not None else None
    if ts is None:
        ts = flat.getElementsByClass("TimeSignature").first()
    meter = ts.ratioString if ts is not None else "4/4"
    mm = flat.getElementsByClass("MetronomeMark").first()
    tempo_bpm = float(mm.getQuarterBPM()) if mm is not None and mm.number else DEFAULT_TEMPO_BPM
    events, tied = [], {}  # tied: pitch -> index of the event whose tie goes on
    for el in flat.notes:
        if el.duration.isGrace or el.duration.quarterLength == 0:
            continue
        pitch = max(p.midi for p in el.pitches) if el.isChord else el.pitch.midi
        if not 0 <= pitch <= 127:
            continue
        onset = float(el.offset) * STEPS_PER_BEAT
        end = onset + float(el.duration.quarterLength) * STEPS_PER_BEAT
        k = tied.pop(pitch, None)
        if k is not None and abs(events[k][1] - onset) < 1e-6:
            events[k][1] = end  # music21's stripTies would also join ties between different pitches
        else:
            events.append([onset, end, pitch, int(el.volume.velocity or DEFAULT_VELOCITY)])
            k = len(events) - 1
        if el.tie is not None and el.tie.type in ("start", "continue"):
            tied[pitch] = k
    # Round halves down: a dotted-16th + 32nd pair (1.5 + 0.5 steps, as hornpipes are often
    # written) becomes two 16ths; Python's round() (halves to even) would merge every other pair.
    events = [(_round_half_down(o), _round_half_down(e), p, v) for o, e, p, v in events]
    if not events:
        raise MelodyError("This music21 stream has no notes.")
    events.sort(key=lambda e: (e[0], -e[2]))
    pickup = 0
    measures = parts[0].getElementsByClass("Measure")
    if len(measures) and ts is not None:
        first = measures[0]
        bar = ts.barDuration.quarterLength
        if first.paddingLeft and first.paddingLeft > 0:
            pickup = int(round((bar - float(first.paddingLeft)) * STEPS_PER_BEAT))
        elif first.duration.quarterLength < bar and len(measures) > 1:
            pickup = int(round(float(first.duration.quarterLength) * STEPS_PER_BEAT))
    length = max(int(round(float(flat.highestTime) * STEPS_PER_BEAT)), max(e[1] for e in events))
    melody = from_events(cls, events, tempo_bpm=min(max(tempo_bpm, 10.0), 400.0), meter=_safe_meter(meter),
                          pickup_steps=pickup)
    return melody.copy(length_steps=max(length, melody.length_steps))


def _round_half_down(x: float) -> int:
    return int(math.ceil(x - 0.5 - 1e-9))


def _safe_meter(meter: str) -> str:
    try:
        parse_meter(meter)
        return meter
    except Exception:
        return "4/4"
