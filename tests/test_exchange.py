"""A MIDI file as the call, and the duet taken home as MIDI and WAV (lessonkit.exchange)."""

import io

import numpy as np
import pretty_midi
import pytest

from lessonkit import Melody
from lessonkit.errors import FileExistsLessonkitError, LessonkitError, MidiFileError
from lessonkit.exchange import read_call, read_duet, save_duet

TUNE = Melody.parse("C4 E4 G4 E4 | D4/2 E4/2 F4/2 D4/2 E4*2 | G4*4 | C5*4", tempo_bpm=96)
ANSWER = Melody.parse("E4 D4 C4 D4 | E4*2 r*2", tempo_bpm=96)


def _midi_bytes(pm):
    buffer = io.BytesIO()
    pm.write(buffer)
    return buffer.getvalue()


def _notes(m):
    return list(zip(m.pitches.tolist(), m.onsets_steps.tolist(), m.durations_steps.tolist()))


def test_a_midi_file_gives_the_first_bars_as_the_call(tmp_path):
    path = TUNE.write_midi(tmp_path / "tune.mid")
    call = read_call(path, bars=2)
    assert _notes(call) == _notes(TUNE.window(0, 32))
    assert call.tempo_bpm == pytest.approx(96) and call.length_steps == 32
    assert _notes(read_call(open(path, "rb").read(), bars=1)) == _notes(TUNE.window(0, 16))


def test_a_file_of_chords_is_refused_unless_the_top_voice_is_asked_for():
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(0)
    for k, root in enumerate([60, 65, 67, 60]):
        for p in (root, root + 4, root + 7):
            piano.notes.append(pretty_midi.Note(90, p, k * 2.0, k * 2.0 + 2.0))
    pm.instruments.append(piano)
    data = _midi_bytes(pm)
    with pytest.raises(MidiFileError, match="chords.*chords='top'"):
        read_call(data)
    top = read_call(data, chords="top")
    assert top.pitches.tolist() == [67, 72]                 # two bars at 120 bpm: the top of two chords
    with pytest.raises(LessonkitError, match="refuse"):
        read_call(data, chords="bottom")


def test_drums_only_and_broken_files_get_clear_messages(tmp_path):
    pm = pretty_midi.PrettyMIDI()
    kit = pretty_midi.Instrument(0, is_drum=True)
    kit.notes += [pretty_midi.Note(100, 36, t * 0.5, t * 0.5 + 0.1) for t in range(8)]
    pm.instruments.append(kit)
    with pytest.raises(MidiFileError, match="only drums"):
        read_call(_midi_bytes(pm))
    with pytest.raises(MidiFileError, match="not a readable MIDI"):
        read_call(b"this is not midi")
    with pytest.raises(MidiFileError, match="empty"):
        read_call(b"")
    with pytest.raises(MidiFileError, match="There is no file"):
        read_call(tmp_path / "missing.mid")


def test_the_exported_duet_rereads_to_the_same_notes(tmp_path):
    call = TUNE.window(0, 24)                                   # ends mid-bar: the answer starts at bar 3
    midi, wav = tmp_path / "duet.mid", tmp_path / "duet.wav"
    assert save_duet(call, ANSWER, midi, wav) == [str(midi), str(wav)]
    back_call, back_answer = read_duet(midi)
    assert _notes(back_call) == _notes(call)
    assert _notes(back_answer) == _notes(ANSWER)
    pm = pretty_midi.PrettyMIDI(str(midi))
    assert [i.name for i in pm.instruments] == ["call", "answer"]
    assert min(n.start for n in pm.instruments[1].notes) == pytest.approx(32 * call.seconds_per_step)
    import soundfile as sf

    audio, sr = sf.read(wav)
    assert sr == 16000 and len(audio) / sr > (32 + ANSWER.length_steps) * call.seconds_per_step - 0.5
    assert np.max(np.abs(audio)) > 0.05


def test_saving_never_overwrites_unless_asked(tmp_path):
    midi, wav = tmp_path / "duet.mid", tmp_path / "duet.wav"
    wav.write_bytes(b"mine")
    with pytest.raises(FileExistsLessonkitError, match="overwrite=True"):
        save_duet(TUNE, ANSWER, midi, wav)
    assert not midi.exists() and wav.read_bytes() == b"mine"   # checked both before writing either
    save_duet(TUNE, ANSWER, midi, wav, overwrite=True)
    assert wav.read_bytes()[:4] == b"RIFF"
    with pytest.raises(LessonkitError, match="midi_path"):
        save_duet(TUNE, ANSWER)
    with pytest.raises(MidiFileError, match="save_duet"):
        read_duet(TUNE.write_midi(tmp_path / "plain.mid"))
