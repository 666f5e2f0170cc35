"""The music core: notes, the text form, tokens, MIDI and music21 round trips, and errors."""

import numpy as np
import pytest

from lessonkit import LessonkitError, Melody, Note, note_name, parse_note_name
from lessonkit.errors import FileExistsLessonkitError, LessonkitTypeError, MelodyError, MidiFileError, NoteNameError
from lessonkit.music import HOLD, REST, seconds_to_steps, token_name

TEXT = "C4 D4 E4/2 F4/2 G4*2 | r A4 G4*3/2 r/2"


@pytest.mark.parametrize("name, pitch", [("C4", 60), ("A4", 69), ("F#3", 54), ("Bb5", 82), ("C-1", 0), ("G9", 127),
                                         ("c4", 60), ("E#4", 65), ("Cb4", 59), ("D##4", 64)])
def test_parse_note_name_gives_midi_pitch(name, pitch):
    assert parse_note_name(name) == pitch


@pytest.mark.parametrize("pitch, name", [(60, "C4"), (61, "C#4"), (69, "A4"), (0, "C-1"), (127, "G9")])
def test_note_name_prints_sharps_and_octave(pitch, name):
    assert note_name(pitch) == name


@pytest.mark.parametrize("bad", ["H4", "C", "4C", "C#", "G#9", "", "Cx4"])
def test_bad_note_names_raise_a_clear_lessonkit_error(bad):
    with pytest.raises(NoteNameError) as err:
        parse_note_name(bad)
    assert "C4" in str(err.value) or "range" in str(err.value)


def test_parse_reads_lengths_rests_and_bar_lines():
    m = Melody.parse(TEXT)
    assert m.pitches.tolist() == [60, 62, 64, 65, 67, 69, 67]
    assert m.onsets_steps.tolist() == [0, 4, 8, 10, 12, 24, 28]
    assert m.durations_steps.tolist() == [4, 4, 2, 2, 8, 4, 6]
    assert m.length_steps == 36


def test_text_form_round_trips():
    m = Melody.parse(TEXT)
    assert str(m) == "C4 D4 E4/2 F4/2 G4*2 r A4 G4*3/2 r/2"
    assert Melody.parse(str(m)) == m


@pytest.mark.parametrize("text, needle", [("C4 D4/3", "grid"), ("C4 X4", "Word 2"), ("C4 D4*0", "by 0"), ("E4*1.5", "*3/2"),
                                          ("r r", "only rests"), ("", "no notes")])
def test_parse_errors_say_where_and_what_to_do(text, needle):
    with pytest.raises(LessonkitError) as err:
        Melody.parse(text)
    assert needle in str(err.value)


def test_tokens_are_pitch_hold_rest_one_per_step():
    m = Melody.parse("C4 D4/2 r/2")
    assert m.to_tokens().tolist() == [60, HOLD, HOLD, HOLD, 62, HOLD, REST, REST]
    assert [token_name(t) for t in m.to_tokens()[:2]] == ["C4", "HOLD"]


def test_tokens_round_trip_on_the_grid_including_repeated_notes():
    m = Melody.parse("C4/4 C4/4 C4/2 r*2 C4*3/4 E4")
    back = Melody.from_tokens(m.to_tokens())
    assert back == m
    assert back.length_steps == m.length_steps


def test_hold_without_a_sounding_note_reads_as_rest():
    m = Melody.from_tokens([HOLD, HOLD, 60, HOLD, REST, HOLD, 62])
    assert m.onsets_steps.tolist() == [2, 6]
    assert m.durations_steps.tolist() == [2, 1]


@pytest.mark.parametrize("tokens, error", [([REST, HOLD], MelodyError), ([60, 130], MelodyError),
                                           ([[60, 61]], MelodyError), ([60.5], LessonkitTypeError)])
def test_bad_tokens_raise(tokens, error):
    with pytest.raises(error):
        Melody.from_tokens(tokens)


def test_transpose_keeps_rhythm_and_checks_range():
    m = Melody.parse(TEXT)
    up = m.transpose(5)
    assert (up.pitches - m.pitches).tolist() == [5] * len(m)
    assert np.array_equal(up.onsets_steps, m.onsets_steps) and up.length_steps == m.length_steps
    with pytest.raises(MelodyError, match="outside"):
        m.transpose(100)
    with pytest.raises(LessonkitTypeError):
        m.transpose(1.5)


def test_melody_rejects_empty_overlapping_and_out_of_range_notes():
    with pytest.raises(MelodyError, match="no notes"):
        Melody([])
    with pytest.raises(MelodyError, match="overlap"):
        Melody([Note(60, 0, 4), Note(62, 2, 4)])
    with pytest.raises(MelodyError, match="0..127"):
        Note(128, 0, 1)
    with pytest.raises(LessonkitTypeError):
        Melody("C4 D4")
    with pytest.raises(LessonkitTypeError):
        Melody([60, 62])


def test_steps_per_bar_and_duration_follow_meter_and_tempo():
    m = Melody.parse("C4*4", meter="6/8", tempo_bpm=60)
    assert m.steps_per_bar == 12
    assert m.duration_s == pytest.approx(4.0)
    assert Melody.parse("C4", meter="3/4").steps_per_bar == 12
    with pytest.raises(MelodyError):
        Melody.parse("C4", meter="waltz")


def test_window_cuts_notes_at_the_edges():
    m = Melody.parse("C4*2 D4*2")  # C4 0-8, D4 8-16
    w = m.window(4, 12)
    assert w.onsets_steps.tolist() == [0, 4] and w.durations_steps.tolist() == [4, 4] and w.length_steps == 8


def test_then_plays_response_after_call():
    call, response = Melody.parse("C4 D4"), Melody.parse("E4 F4")
    both = call.then(response, gap_steps=4)
    assert both.onsets_steps.tolist() == [0, 4, 12, 16]


def test_midi_round_trip_keeps_notes_and_tempo(tmp_path):
    m = Melody.parse(TEXT, tempo_bpm=96)
    path = m.write_midi(tmp_path / "tune.mid")
    back = Melody.read_midi(path)
    assert back.pitches.tolist() == m.pitches.tolist()
    assert back.onsets_steps.tolist() == m.onsets_steps.tolist()
    assert back.durations_steps.tolist() == m.durations_steps.tolist()
    assert back.tempo_bpm == pytest.approx(96)


def test_write_midi_never_overwrites_without_asking(tmp_path):
    path = tmp_path / "mine.mid"
    path.write_bytes(b"student's own file")
    with pytest.raises(FileExistsLessonkitError, match="overwrite=True"):
        Melody.parse("C4").write_midi(path)
    assert path.read_bytes() == b"student's own file"
    Melody.parse("C4").write_midi(path, overwrite=True)
    assert Melody.read_midi(path).pitches.tolist() == [60]


def test_read_midi_of_a_corrupt_or_missing_file_is_a_lessonkit_error(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd this is not really midi")
    with pytest.raises(MidiFileError, match="not a readable MIDI"):
        Melody.read_midi(bad)
    with pytest.raises(MidiFileError, match="no file"):
        Melody.read_midi(tmp_path / "missing.mid")


def test_read_midi_keeps_the_top_voice_of_chords(tmp_path):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    for pitch in (60, 64, 67):  # a C major chord, one beat
        inst.notes.append(pretty_midi.Note(velocity=80, pitch=pitch, start=0.0, end=0.5))
    inst.notes.append(pretty_midi.Note(velocity=80, pitch=62, start=0.5, end=1.0))
    pm.instruments.append(inst)
    pm.write(str(tmp_path / "chord.mid"))
    m = Melody.read_midi(tmp_path / "chord.mid")
    assert m.pitches.tolist() == [67, 62] and m.durations_steps.tolist() == [4, 4]


def test_music21_round_trip():
    m = Melody.parse(TEXT, meter="4/4", tempo_bpm=100)
    back = Melody.from_music21(m.to_music21())
    assert back == m
    assert back.meter == "4/4" and back.tempo_bpm == pytest.approx(100)


def test_from_music21_reads_a_corpus_tune():
    from music21 import corpus

    score = corpus.parse("essenFolksong/altdeu10", number=1)
    m = Melody.from_music21(score)
    assert len(m) > 20 and 50 <= m.pitch_range[0] <= m.pitch_range[1] <= 90


def test_quantize_rounds_seconds_to_steps():
    assert seconds_to_steps(0.26, 120) == 2  # a 16th at 120 bpm is 0.125 s
    assert seconds_to_steps(np.array([0.0, 0.125, 0.5]), 120).tolist() == [0, 1, 4]


def test_window_keeps_the_bar_lines_where_they_were():
    m = Melody.from_arrays([60, 62, 64], [0, 4, 20], [4, 16, 4], pickup_steps=4)
    assert m.window(0, 24).pickup_steps == 4
    assert m.window(4, 24).pickup_steps == 0
    assert m.window(8, 24).pickup_steps == 12


def test_from_arrays_rejects_fractional_steps_and_unsorted_notes():
    with pytest.raises(MelodyError, match="whole numbers"):
        Melody.from_arrays([60], [0.5], [4])
    with pytest.raises(MelodyError, match="time order"):
        Melody.from_arrays([60, 62], [4, 0], [4, 4])
    assert Melody.from_arrays([60.0], [0.0], [4.0]).pitches.tolist() == [60]


def test_opus_and_non_streams_are_refused_by_from_music21():
    from music21 import corpus, note

    with pytest.raises(LessonkitTypeError, match="number=1"):
        Melody.from_music21(corpus.parse("essenFolksong/altdeu10"))
    with pytest.raises(LessonkitTypeError, match="stream"):
        Melody.from_music21(note.Note("C4"))


def test_absurd_lengths_and_fields_get_lessonkit_errors():
    with pytest.raises(MelodyError, match="1,000 bars"):
        Melody.parse("C4*20000")
    with pytest.raises(LessonkitError, match="tempo_bpm"):
        Melody.parse("C4", tempo_bpm="fast")
    with pytest.raises(LessonkitError, match="tempo_bpm"):
        Melody.parse("C4", tempo_bpm=0)
    with pytest.raises(LessonkitError, match="program"):
        Melody.parse("C4").write_midi("/tmp/never.mid", program=200)
    with pytest.raises(MelodyError, match="outside"):
        Melody.parse("C4").transpose(10**30)
    with pytest.raises(IndexError, match="has 1 notes"):
        Melody.parse("C4")[5]
    with pytest.raises(LessonkitError):
        token_name("x")


def test_a_known_corpus_tune_has_its_upbeat():
    from music21 import corpus

    m = Melody.from_music21(corpus.parse("essenFolksong/altdeu10", number=1))
    assert m.meter == "4/2" and m.steps_per_bar == 32
    assert m.pickup_steps == 8  # the song starts with a half-note upbeat
