"""The sing / MIDI / save panels (lessonkit.widgets.sing), driven from Python as a student would."""

import io

import pretty_midi

from lessonkit import Melody
from lessonkit.transcribe import perform
from lessonkit.widgets.sing import CallInput, SaveDuet

PHRASE = Melody.parse("G4 A4 B4 G4 | D5*2 B4*2", tempo_bpm=100)


def test_a_recording_becomes_the_call_with_its_pitch_curve_and_sound():
    got = []
    panel = CallInput(got.append, tempo_bpm=100)
    audio, _ = perform(PHRASE, "flute", drift=0.02, seed=0)
    panel.recorder.receive(audio, 16000)                       # what the browser's message does
    assert len(got) == 1 and got[0].pitches.tolist() == PHRASE.pitches.tolist()
    assert got[0].onsets_steps.tolist() == PHRASE.onsets_steps.tolist()
    assert panel.player.value[:4] == b"RIFF" and panel.player.layout.display is None
    assert "press Respond" in panel.status.value
    assert panel.melody is got[0] and panel.melody.meta["track"].pitches.size == len(PHRASE)   # what the plot draws


def test_a_silent_recording_shows_advice_and_calls_nothing():
    import numpy as np

    got = []
    panel = CallInput(got.append)
    panel.recorder.receive(np.zeros(32000, np.float32), 16000)
    assert got == [] and "silent" in panel.status.value and "#b00020" in panel.status.value


def test_the_tempo_slider_sets_the_count_in_and_the_recording_length():
    panel = CallInput(tempo_bpm=100, bars=2)
    panel.tempo.value, panel.bars.value = 120, 3
    assert panel.recorder.tempo_bpm == 120 and panel.recorder.record_s == 6.0


def test_microphone_problems_from_the_browser_are_shown():
    panel = CallInput()
    panel.recorder.message = "The microphone was not allowed. ..."
    panel.recorder.state = "error"
    assert "not allowed" in panel.status.value


def _upload(data, name):
    return ({"name": name, "type": "audio/midi", "size": len(data), "content": memoryview(data),
             "last_modified": __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").timezone.utc)},)


def test_an_uploaded_midi_file_becomes_the_call_and_drums_get_a_message():
    got = []
    panel = CallInput(got.append, bars=1)
    buffer = io.BytesIO()
    PHRASE.to_pretty_midi().write(buffer)
    panel.upload.value = _upload(buffer.getvalue(), "mine.mid")
    assert got[0].pitches.tolist() == [67, 69, 71, 67] and "mine.mid" in panel.status.value
    pm = pretty_midi.PrettyMIDI()
    kit = pretty_midi.Instrument(0, is_drum=True)
    kit.notes.append(pretty_midi.Note(100, 36, 0.0, 0.1))
    pm.instruments.append(kit)
    buffer = io.BytesIO()
    pm.write(buffer)
    panel.upload.value = _upload(buffer.getvalue(), "drums.mid")
    assert len(got) == 1 and "drums.mid holds only drums" in panel.status.value


def test_save_duet_writes_both_files_and_asks_before_replacing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    duet = {"call": None, "answer": None}
    save = SaveDuet(lambda: (duet["call"], duet["answer"]), name="ours.mid")
    assert save.save() is None and "Respond first" in save.status.value
    duet.update(call=PHRASE, answer=PHRASE.transpose(-12))
    assert save.save() == ["ours.mid", "ours.wav"]
    assert (tmp_path / "ours.mid").exists() and (tmp_path / "ours.wav").exists()
    assert save.save() is None and "tick &#x27;replace&#x27;" in save.status.value
    save.overwrite.value = True
    assert save.save() == ["ours.mid", "ours.wav"]


def test_the_duet_widget_with_sing_puts_a_sung_call_in_its_text_box_and_answers_it(tmp_path, monkeypatch):
    from lessonkit.models.rules import RuleResponder, RULES
    from lessonkit.widgets.duet import duet_widget

    monkeypatch.chdir(tmp_path)
    rule = next(iter(RULES))
    w = duet_widget({"rule": RuleResponder(rule)}, call="C4", sing=True, respond=False)
    audio, _ = perform(PHRASE, "choir", seed=1)
    w.call_input.recorder.receive(audio, 16000)
    assert Melody.parse(w.text.value).pitches.tolist() == PHRASE.pitches.tolist()
    w.text.value = w.text.value.replace("D5", "C5", 1)            # the student fixes a note by typing
    answer = w.respond()
    assert answer is not None and w.call.pitches.tolist()[4] == 72
    assert w.save.save() == ["my_duet.mid", "my_duet.wav"]
    assert duet_widget(call="C4", respond=False).children[0].__class__.__name__ != "CallInput"
