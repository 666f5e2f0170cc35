"""The capstone piece (lesson 05): parts with their sources, exported as MIDI + WAV + record, never overwriting."""

import json

import numpy as np
import pytest
import soundfile as sf

from lessonkit import Melody
from lessonkit.audio import SR
from lessonkit.capstone import Piece
from lessonkit.errors import FileExistsLessonkitError, LessonkitError

MOTIF = "D4 F#4 A4 F#4 | G4*2 E4*2"


def _piece():
    piece = Piece(MOTIF, tempo_bpm=110)
    options = piece.continuations(n=3, model="markov", bars=2, seed=0)
    piece.add(options[1], source="markov", how="continuation 2 of 3")
    piece.add(options[1].transpose(-2), source="student", how="my sequence, a tone lower")
    piece.add(Melody.parse("D4*4 | D4*4"), source="student", how="ending")
    return piece


def test_continuations_are_seeded_options_after_the_piece():
    piece = Piece(MOTIF)
    a = piece.continuations(n=3, model="markov", seed=0)
    b = piece.continuations(n=3, model="markov", seed=0)
    assert a == b and len(a) == 3
    assert all(m.length_steps == 32 for m in a)
    assert not (a[0] == a[1] == a[2])


def test_parts_start_on_bar_lines_and_the_record_says_who_made_what():
    piece = _piece()
    assert piece.bars == 8
    assert [p.bars for p in piece.parts] == [2, 2, 2, 2]
    record = piece.record()
    assert [r["source"] for r in record] == ["student", "markov", "student", "student"]
    assert [r["first_bar"] for r in record] == [1, 3, 5, 7]
    assert piece.shares() == {"student": 0.75, "markov": 0.25}
    assert piece.melody.length_steps == 8 * 16
    assert "8 bars" in repr(piece)


def test_export_midi_rereads_to_the_same_notes_and_wav_has_the_stated_rate_and_length(tmp_path):
    piece = _piece()
    paths = piece.export(tmp_path / "song", instrument="flute")
    back = Melody.read_midi(paths["midi"])
    melody = piece.melody
    assert back.pitches.tolist() == melody.pitches.tolist()
    assert back.onsets_steps.tolist() == melody.onsets_steps.tolist()
    assert back.durations_steps.tolist() == melody.durations_steps.tolist()
    assert back.tempo_bpm == pytest.approx(110, rel=1e-3)
    record = json.loads(open(paths["record"]).read())
    info = sf.info(paths["wav"])
    assert info.samplerate == SR == record["sample_rate"] and info.channels == 1
    assert info.frames / SR == pytest.approx(record["wav_seconds"], abs=1e-3)
    assert info.frames / SR >= melody.duration_s  # the whole piece, plus the last note's release
    assert info.frames / SR < melody.duration_s + 2.0
    assert [p["source"] for p in record["parts"]] == ["student", "markov", "student", "student"]
    assert record["sound"] == "flute" and record["bars"] == 8


def test_existing_files_are_kept(tmp_path):
    piece = _piece()
    (tmp_path / "song.wav").write_bytes(b"my recording")
    with pytest.raises(FileExistsLessonkitError):
        piece.export(tmp_path / "song")
    assert (tmp_path / "song.wav").read_bytes() == b"my recording"
    assert not (tmp_path / "song.mid").exists() and not (tmp_path / "song.json").exists()  # nothing half-written
    paths = piece.export(tmp_path / "song", overwrite=True)
    assert sf.info(paths["wav"]).samplerate == SR


def test_a_sound_function_renders_the_piece(tmp_path):
    piece = _piece()
    calls = []

    def sound(melody):
        calls.append(melody)
        return np.zeros(SR, dtype=np.float32) + 0.1

    paths = piece.export(tmp_path / "s", sound=sound, sound_name="test tone")
    assert calls and calls[0] == piece.melody
    assert json.loads(open(paths["record"]).read())["sound"] == "test tone"


def test_length_and_meter_mistakes_are_explained(tmp_path):
    piece = Piece(MOTIF)
    with pytest.raises(LessonkitError, match="8 to 16 bars"):
        piece.export(tmp_path / "short")
    with pytest.raises(LessonkitError, match="3/4"):
        piece.add(Melody.parse("C4 D4 E4", meter="3/4"))
    with pytest.raises(LessonkitError, match="16"):
        piece.add(Melody.parse("C4*64 | C4*16"))
    with pytest.raises(LessonkitError):
        piece.remove(0)
    with pytest.raises(LessonkitError, match="no notes"):
        Piece(Melody([], length_steps=16))


def test_a_neural_synth_instrument_plays_and_is_recorded(tmp_path):
    from lessonkit.models import synth

    neural_synth = synth.load_pretrained()
    codes = [neural_synth.encode(synth.get_note(name, 60)) for name in ("flute", "guitar")]
    sound = synth.MixedInstrument(neural_synth, neural_synth.mix(codes, [0.5, 0.5]), name="flute-guitar 0.5")
    piece = _piece()
    paths = piece.export(tmp_path / "synth", sound=sound.render, sound_name=sound.name)
    info = sf.info(paths["wav"])
    assert info.samplerate == SR and info.frames / SR >= piece.melody.duration_s
    assert json.loads(open(paths["record"]).read())["sound"] == "flute-guitar 0.5"
