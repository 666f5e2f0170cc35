"""Lesson 02's "sing your call" exercise: read the notes off a pitch curve; hints for each mistake."""

from lessonkit.checks.lesson02_sing import EXAMPLE_TEMPO_BPM, check_sung_notes, sung_example
from lessonkit.transcribe import track_notes, transcribe

ANSWER = "D4 F4 A4 G4 | F4*2 E4*2"


def test_the_right_notes_pass_and_the_transcriber_agrees_on_the_pitches():
    assert check_sung_notes(ANSWER).passed
    audio = sung_example()
    melody = transcribe(audio, tempo_bpm=EXAMPLE_TEMPO_BPM, start_s=0.3)
    assert melody.pitches.tolist() == [62, 65, 69, 67, 65, 64]
    assert melody.durations_steps.tolist()[:5] == [4, 4, 4, 4, 8]
    assert len(track_notes(audio)) == 6


def test_each_predictable_mistake_gets_its_own_hint():
    cases = {
        "D4 F4 A4 G4 F4 E4": "0.6 s",                       # lengths forgotten
        "D5 F5 A5 G5 F5*2 E5*2": "octave",                  # octave off
        "D4 F4 A4 G4 F4 F4 E4*2": "vibrato",                # the wobble read as notes
        "D4 F4": "jumps",                                   # notes missing
        "D4 F#4 A4 G4 F4*2 E4*2": "nearest note",           # a semitone off
        "C4 C5 A4 G4 F4*2 E4*2": "flat step",               # far off
        "H4": "not a note name",
    }
    for text, words in cases.items():
        feedback = check_sung_notes(text)
        assert not feedback.passed and words in feedback.hint, (text, feedback)
    assert "quotes" in check_sung_notes(62).message
