"""Bring a MIDI file as the call; take the duet home as MIDI and WAV.

Lesson: notebooks/02_ai_duet.ipynb

* :func:`read_call` makes a call from a MIDI file (a path or the bytes of an upload): the
  top voice of its first bars. A file of drums only, or one that plays chords, is refused
  with a message that says what to do.
* :func:`save_duet` writes call + answer as one MIDI file with two instruments (tracks named
  "call" and "answer", a text event where the answer starts) and/or as a WAV; it never
  overwrites a file unless ``overwrite=True``. :func:`read_duet` reads such a file back into
  the same two melodies.
"""

from __future__ import annotations

import io
import os

import numpy as np

from .errors import LessonkitError, MidiFileError, expect_int, expect_type
from .files import atomic_write_bytes, refuse_overwrite
from .music import Melody, pad_to_bar

ANSWER_MARKER = "answer"
"""Text of the MIDI text event placed where the answer starts in a file from :func:`save_duet`."""


def _pretty_midi(source):
    import pretty_midi

    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "the uploaded file"
        if not data:
            raise MidiFileError("The uploaded file is empty. Choose a .mid file that has notes in it.")
    else:
        expect_type(source, (str, os.PathLike), "source", 'Give a file name such as "my_tune.mid", or its bytes.')
        name = os.fspath(source)
        if not os.path.exists(name):
            raise MidiFileError(f"There is no file {name!r}. Check the name and the folder.")
        with open(name, "rb") as f:
            data = f.read()
    try:
        return pretty_midi.PrettyMIDI(io.BytesIO(data)), name
    except Exception as err:
        raise MidiFileError(f"{name} is not a readable MIDI file ({type(err).__name__}). Is it really a .mid file? "
                            "Try saving it again from your music program.") from None


def read_call(source, *, bars: int = 2, chords: str = "refuse") -> Melody:
    """A call from a MIDI file: the top voice of its first ``bars`` bars.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path to a ``.mid`` file, or the file's bytes (what a ``FileUpload`` widget holds).
    bars : int
        How many bars to keep, from the first bar that has a note (1-8).
    chords : {"refuse", "top"}
        What to do with a file that mostly plays chords (3 or more notes starting together at
        most onsets): refuse it with advice (default), or take its top voice anyway.

    Returns
    -------
    Melody
        On the 16th-note grid, at the file's first tempo, starting at bar 1.

    Raises
    ------
    MidiFileError
        Missing, unreadable, empty, drums only, or (with ``chords="refuse"``) chords.
    """
    bars = expect_int(bars, "bars", low=1, high=8)
    if chords not in ("refuse", "top"):
        raise LessonkitError(f'chords={chords!r}: use "refuse" (the default) or "top" (take the top voice).')
    pm, name = _pretty_midi(source)
    pitched = [i for i in pm.instruments if not i.is_drum and i.notes]
    if not pitched:
        if any(i.notes for i in pm.instruments):
            raise MidiFileError(f"{name} holds only drums (MIDI channel 10), which have no melody to answer. "
                                "Choose a file with a tune in it, or play your call on the keyboard.")
        raise MidiFileError(f"{name} has no notes. Choose a file with a tune in it.")
    melody = Melody.from_pretty_midi(pm)
    inst = max(pitched, key=lambda i: len(i.notes))
    sps = melody.seconds_per_step
    onsets = np.round(np.array([n.start for n in inst.notes]) / sps).astype(np.int64)
    start_bar = int(melody.onsets_steps[0]) // melody.steps_per_bar
    lo, hi = start_bar * melody.steps_per_bar, (start_bar + bars) * melody.steps_per_bar
    window = onsets[(onsets >= lo) & (onsets < hi)]
    _, together = np.unique(window, return_counts=True)
    if chords == "refuse" and together.size and np.mean(together >= 3) > 0.5:
        raise MidiFileError(f"{name} plays chords ({int(np.sum(together >= 3))} of {together.size} onsets in the first "
                            f"{bars} bars start 3 or more notes together); a call is one melody line. Export only the "
                            "melody track from your music program, or pass chords='top' to take the highest note "
                            "of each chord.")
    call = melody.window(lo, hi)
    if not len(call):
        raise MidiFileError(f"The first {bars} bars of {name} have no notes. Try more bars.")
    call.meta.update({"file": os.path.basename(name) if name != "the uploaded file" else name, "source": "midi"})
    return call


def duet_midi(call: Melody, answer: Melody, *, call_program: int = 0, answer_program: int = 0):
    """Call and answer as one ``pretty_midi.PrettyMIDI``: two instruments, the answer after the call.

    The answer starts at the first bar line after the call (as the duet widget plays them) and
    a text event :data:`ANSWER_MARKER` is placed there.
    """
    import pretty_midi

    expect_type(call, Melody, "call")
    expect_type(answer, Melody, "answer")
    padded = pad_to_bar(call)
    pm = call.to_pretty_midi(expect_int(call_program, "call_program", low=0, high=127))
    pm.instruments[0].name = "call"
    offset_s = padded.length_steps * call.seconds_per_step
    other = answer.copy(tempo_bpm=call.tempo_bpm).to_pretty_midi(expect_int(answer_program, "answer_program",
                                                                            low=0, high=127))
    inst = other.instruments[0]
    inst.name = "answer"
    for note in inst.notes:
        note.start += offset_s
        note.end += offset_s
    pm.instruments.append(inst)
    pm.text_events.append(pretty_midi.Text(ANSWER_MARKER, offset_s))
    return pm


def save_duet(call: Melody, answer: Melody, midi_path=None, wav_path=None, *, overwrite: bool = False,
              instrument: str | None = None, call_program: int = 0, answer_program: int = 0) -> list:
    """Save the duet as a MIDI file (two tracks) and/or a WAV, for a music program.

    Lesson: notebooks/02_ai_duet.ipynb

    Parameters
    ----------
    call, answer : Melody
        The student's call and the computer's answer.
    midi_path, wav_path : str or os.PathLike, optional
        Where to write; give one or both.
    overwrite : bool
        Replace existing files (default: refuse, with advice). Both paths are checked before
        anything is written.
    instrument : str, optional
        The WAV's instrument (see :func:`lessonkit.audio.render`).
    call_program, answer_program : int
        General MIDI programs of the two tracks (0 = piano).

    Returns
    -------
    list of str
        The paths written.
    """
    from . import audio
    if midi_path is None and wav_path is None:
        raise LessonkitError('Give midi_path="duet.mid", wav_path="duet.wav", or both.')
    paths = [p for p in (midi_path, wav_path) if p is not None]
    for p in paths:
        expect_type(p, (str, os.PathLike), "path", 'Give a file name such as "duet.mid".')
        refuse_overwrite(p, overwrite)
    written = []
    if midi_path is not None:
        buffer = io.BytesIO()
        duet_midi(call, answer, call_program=call_program, answer_program=answer_program).write(buffer)
        written.append(atomic_write_bytes(os.fspath(midi_path), buffer.getvalue()))
    if wav_path is not None:
        both = pad_to_bar(call).then(answer.copy(tempo_bpm=call.tempo_bpm))
        written.append(audio.save_wav(audio.render(both, instrument), wav_path, overwrite=overwrite))
    return written


def read_duet(path) -> tuple:
    """Read a file written by :func:`save_duet` back into ``(call, answer)``.

    The tracks named "call" and "answer" are read, and the answer is moved back by the time
    of the :data:`ANSWER_MARKER` text event, so both start at step 0.
    """
    pm, name = _pretty_midi(path)
    tracks = {i.name: i for i in pm.instruments}
    if "call" not in tracks or "answer" not in tracks:
        raise MidiFileError(f"{name} has no tracks named 'call' and 'answer'; it was not written by save_duet. "
                            "Read an ordinary MIDI file with read_call(path) or Melody.read_midi(path).")
    marks = [t.time for t in pm.text_events if t.text == ANSWER_MARKER]
    offset = marks[0] if marks else 0.0
    out = []
    for key, shift in (("call", 0.0), ("answer", offset)):
        import pretty_midi

        one = pretty_midi.PrettyMIDI(initial_tempo=float(pm.get_tempo_changes()[1][0]))
        one.time_signature_changes = list(pm.time_signature_changes)
        inst = pretty_midi.Instrument(program=tracks[key].program, name=key)
        for n in tracks[key].notes:
            inst.notes.append(pretty_midi.Note(n.velocity, n.pitch, n.start - shift, n.end - shift))
        one.instruments.append(inst)
        out.append(Melody.from_pretty_midi(one))
    return tuple(out)


__all__ = ["read_call", "save_duet", "read_duet", "duet_midi", "ANSWER_MARKER"]
