"""MIDI files through pretty_midi: write a melody, read the top voice of a file.

Lesson: notebooks/00_music_as_data.ipynb

The doors are :meth:`Melody.write_midi`, :meth:`Melody.read_midi`,
:meth:`Melody.to_pretty_midi` and :meth:`Melody.from_pretty_midi`; the functions here take
the melody (or, to build one, its class ``cls``) as their first argument.
"""

from __future__ import annotations

import io
import os

import numpy as np

from ..errors import MelodyError, MidiFileError, expect_int, expect_type
from ..files import atomic_write_bytes, refuse_overwrite
from .names import DEFAULT_TEMPO_BPM, STEPS_PER_BEAT


def seconds_to_steps(time_s, tempo_bpm: float = DEFAULT_TEMPO_BPM):
    """Round a time in seconds to the nearest 16th-note step.

    Parameters
    ----------
    time_s : float or np.ndarray
        Time(s) in seconds.
    tempo_bpm : float
        Quarter-note beats per minute.

    Returns
    -------
    int or np.ndarray of int
        Step index (a 16th note is ``60 / (tempo_bpm * 4)`` seconds).
    """
    steps = np.rint(np.asarray(time_s, dtype=float) * tempo_bpm * STEPS_PER_BEAT / 60.0).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps



def to_pretty_midi(melody, program: int = 0):
    """A melody as a ``pretty_midi.PrettyMIDI`` object (one instrument, GM ``program``)."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=melody.tempo_bpm)
    beats, unit = melody.time_signature
    pm.time_signature_changes.append(pretty_midi.TimeSignature(beats, unit, 0.0))
    inst = pretty_midi.Instrument(program=int(program), name=str(melody.meta.get("title") or "melody")[:60])
    sps = melody.seconds_per_step
    for note in melody:
        inst.notes.append(pretty_midi.Note(velocity=note.velocity, pitch=note.pitch,
                                           start=note.onset_steps * sps, end=note.end_steps * sps))
    pm.instruments.append(inst)
    return pm


def write_midi(melody, path, *, overwrite: bool = False, program: int = 0) -> str:
    """Save a melody as a standard MIDI file; never overwrites unless ``overwrite=True``.

    Returns
    -------
    str
        The path written.
    """
    expect_type(path, (str, os.PathLike), "path", 'Give a file name such as "my_tune.mid".')
    program = expect_int(program, "program", low=0, high=127, hint="General MIDI programs are 0..127 (0 = piano).")
    path = os.fspath(path)
    refuse_overwrite(path, overwrite)
    buffer = io.BytesIO()
    to_pretty_midi(melody, program).write(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def from_pretty_midi(cls, pm, *, meter: str | None = None):
    """Read the melody of a ``pretty_midi.PrettyMIDI``: quantize to 16ths, keep the top voice.

    The instrument with the most notes (drums excluded) is read. Onsets and ends are
    rounded to the nearest step at the file's first tempo; where notes overlap
    (chords), the highest pitch wins and earlier notes are cut where a later one
    starts.
    """
    instruments = [i for i in pm.instruments if not i.is_drum and i.notes]
    if not instruments:
        raise MidiFileError("This MIDI file has no (non-drum) notes to read.")
    inst = max(instruments, key=lambda i: len(i.notes))
    _, tempi = pm.get_tempo_changes()
    tempo = float(tempi[0]) if len(tempi) else DEFAULT_TEMPO_BPM
    if meter is None:
        ts = pm.time_signature_changes
        meter = f"{ts[0].numerator}/{ts[0].denominator}" if ts else "4/4"
    raw = sorted(((seconds_to_steps(n.start, tempo), seconds_to_steps(n.end, tempo), n.pitch, n.velocity) for n in inst.notes),
                 key=lambda x: (x[0], -x[2]))
    return from_events(cls, raw, tempo_bpm=tempo, meter=meter)


def from_events(cls, events, **kwargs):
    """Monophonic melody from ``(onset, end, pitch, velocity)`` on the grid: top voice, cut overlaps.

    ``events`` must be sorted by onset and, at one onset, highest pitch first; ``kwargs`` go
    to ``cls.from_arrays`` (tempo, meter, pickup).
    """
    notes = []
    for onset, end, pitch, velocity in events:
        end = max(end, onset + 1)
        if notes and notes[-1][0] == onset:
            continue  # same start: keep the higher pitch (events are sorted high first)
        if notes and notes[-1][1] > onset:
            notes[-1][1] = onset
        notes.append([onset, end, pitch, velocity])
    notes = [n for n in notes if n[1] > n[0]]
    if not notes:
        raise MelodyError("No notes are left after quantizing to 16th notes.")
    a = np.array(notes, dtype=np.int64)
    return cls.from_arrays(a[:, 2], a[:, 0], a[:, 1] - a[:, 0], np.clip(a[:, 3], 1, 127), **kwargs)


def read_midi(cls, path):
    """Read a MIDI file (see :func:`from_pretty_midi` for how chords and timing are handled).

    Raises
    ------
    MidiFileError
        If the file is missing, not MIDI, or corrupt.
    """
    import pretty_midi

    expect_type(path, (str, os.PathLike), "path", 'Give a file name such as "my_tune.mid".')
    path = os.fspath(path)
    if not os.path.exists(path):
        raise MidiFileError(f"There is no file {path!r}. Check the name and the folder.")
    try:
        pm = pretty_midi.PrettyMIDI(path)
    except Exception as err:
        raise MidiFileError(
            f"{path!r} is not a readable MIDI file ({type(err).__name__}). Is it really a .mid file? "
            "Try saving it again from your music program."
        ) from None
    melody = from_pretty_midi(cls, pm)
    melody.meta.setdefault("file", os.path.basename(path))
    return melody

