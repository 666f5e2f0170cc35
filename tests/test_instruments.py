"""The instrument-note set, its sample bank, and melodies played on sampled instruments."""

import os
import shutil

import numpy as np
import pytest

from lessonkit import Melody
from lessonkit import audio
from lessonkit import instruments as ins
from lessonkit.analysis import cents_off, estimate_pitch, rms_db
from lessonkit.builders import render_instruments as builder
from lessonkit.errors import DataFileError, LessonkitError

FILES = [f"instruments.{ext}" for ext in ("flac", "csv", "json")]


@pytest.fixture(scope="module")
def notes():
    return ins.load_instrument_notes()


# ----------------------------------------------------------------------------- the set


def test_metadata_matches_the_audio(notes):
    assert notes.sr == 16000
    assert notes.audio.dtype == np.float32
    assert notes.audio.shape == (len(notes.meta), int(builder.CLIP_S * 16000))
    assert len(notes) == len(notes.pitches) == len(notes.velocities) == len(notes.instruments)
    assert len(notes) == len(ins.instrument_names()) * builder.N_PITCHES * len(builder.VELOCITIES)
    assert {"instrument", "family", "pitch", "velocity", "split"} <= set(notes.meta[0])


def test_at_least_12_instruments_across_10_families_each_with_every_semitone_and_two_velocities(notes):
    names = ins.instrument_names()
    assert len(names) >= 12
    assert len(set(notes.families)) >= 10
    for name in names:
        part = notes.select(instrument=name)
        pitches = sorted(set(part.pitches.tolist()))
        assert pitches == list(range(pitches[0], pitches[0] + 37)), name      # three octaves, no gaps
        assert sorted(set(part.velocities.tolist())) == list(builder.VELOCITIES)
        assert len(part) == 37 * len(builder.VELOCITIES)


def test_no_note_clips_none_is_silent_and_loudness_is_normalised(notes):
    assert np.max(np.abs(notes.audio)) <= builder.PEAK_LIMIT + 1e-4
    held = notes.audio[:, :16000]
    levels = 20 * np.log10(np.sqrt(np.mean(held.astype(np.float64) ** 2, axis=1)))
    assert levels.min() > -55
    for name in ins.instrument_names():
        loud = [m["rms_db"] for m in notes.select(instrument=name, velocity=max(builder.VELOCITIES)).meta]
        assert -26 <= np.median(loud) <= builder.TARGET_RMS_DB + 0.5, name


def test_the_split_holds_out_pitches_of_every_instrument(notes):
    for k, name in enumerate(ins.instrument_names()):
        part = notes.select(instrument=name)
        by_split = {s: set(part.select(split=s).pitches.tolist()) for s in ("train", "valid", "test")}
        assert len(by_split["test"]) >= 5 and len(by_split["valid"]) >= 5, name
        assert not by_split["test"] & by_split["train"] and not by_split["valid"] & by_split["train"]
        assert not by_split["test"] & by_split["valid"]
        lo, hi = min(part.pitches), max(part.pitches)
        assert lo in by_split["train"] and hi in by_split["train"]       # held-out pitches lie between
        expected_test = {p for p in range(lo + 1, hi) if (p + k) % 6 == 0}
        assert by_split["test"] == expected_test


def test_load_by_split_returns_only_that_split(notes):
    test = ins.load_instrument_notes("test")
    assert 0 < len(test) < len(notes) / 4
    assert {m["split"] for m in test.meta} == {"test"}
    assert sum(len(ins.load_instrument_notes(s)) for s in ("train", "valid", "test")) == len(notes)
    with pytest.raises(LessonkitError, match="train"):
        ins.load_instrument_notes("training")


def test_a_shipped_c4_measures_at_c4_within_20_cents(notes):
    for name in ("piano", "flute", "guitar", "violin"):
        note = notes.select(instrument=name, pitch=60, velocity=112)
        f0 = estimate_pitch(note.audio[0], start_s=0.1, stop_s=0.9)
        assert abs(cents_off(f0, 60)) < 20, name


def test_select_filters_on_several_values(notes):
    part = notes.select(instrument=["flute", "guitar"], pitch=64)
    assert len(part) == 4
    assert set(part.instruments) == {"flute", "guitar"} and set(part.pitches) == {64}


# ----------------------------------------------------------------------------- playback


def test_default_voice_is_a_sampled_instrument_and_synth_is_still_there():
    assert audio.DEFAULT_INSTRUMENT in ins.instrument_names()
    names = audio.available_instruments()
    assert "synth" in names and set(ins.instrument_names()) <= set(names)
    assert audio.render(Melody.parse("C4 E4"), "synth").dtype == np.float32


@pytest.mark.parametrize("name", ["piano", "organ", "flute", "cello", "choir", "bass"])
def test_a_rendered_c4_measures_at_c4_within_20_cents(name):
    sound = audio.render(Melody.parse("C4*4"), name)
    f0 = estimate_pitch(sound, start_s=0.1, stop_s=1.9)
    assert abs(cents_off(f0, 60, fold_octaves=(name == "organ"))) < 20


def test_every_instrument_renders_c4_in_tune():
    for name in ins.instrument_names():
        f0 = estimate_pitch(audio.render(Melody.parse("C4*2"), name), start_s=0.1, stop_s=0.9)
        assert abs(cents_off(f0, 60, fold_octaves=True)) < 20, name


def test_melody_render_has_the_expected_length_and_the_notes_pitches():
    melody = Melody.parse("C4*2 G4*2 E5*2 A3*2", tempo_bpm=120)   # four notes of 1 s each
    sound = audio.render(melody, "clarinet")
    release = ins.sample_bank("clarinet").release_s
    assert len(sound) == int(np.ceil((melody.duration_s + release) * audio.SR)) + 1
    assert np.max(np.abs(sound)) < 1.0
    for i, pitch in enumerate([60, 67, 76, 57]):
        f0 = estimate_pitch(sound, start_s=i + 0.15, stop_s=i + 0.85)
        assert abs(cents_off(f0, pitch)) < 20, pitch


def test_rendered_melodies_never_clip_even_at_full_velocity():
    loud = Melody.parse("C4 E4 G4 C5 G4 E4 C4*2", velocity=127)
    for name in ins.instrument_names():
        assert np.max(np.abs(audio.render(loud, name))) < 1.0, name


def test_a_note_ends_smoothly_at_zero_after_its_release():
    bank = ins.sample_bank("organ")      # a sustained instrument: the worst case for clicks
    for duration in (0.1, 0.5, 2.0):
        note = bank.note(60, duration, 100)
        off = round(duration * 16000)
        assert len(note) == off + round(bank.release_s * 16000)
        assert abs(note[-1]) < 1e-4 and rms_db(note[-160:]) < rms_db(note[:off]) - 40
        # no step at the note-off: the released note changes no faster there than the same
        # note held on (a click would be a jump that the held note does not have)
        held_on = bank.note(60, duration + 0.5, 100)
        assert np.allclose(note[:off], held_on[:off])
        around = np.max(np.abs(np.diff(note[off - 32:off + 32])))
        assert around <= 1.05 * np.max(np.abs(np.diff(held_on[off - 32:off + 32])))


def test_long_notes_sustain_past_the_recording_by_looping():
    note = ins.sample_bank("flute").note(72, 4.0, 100)
    assert abs(rms_db(note[48000:56000]) - rms_db(note[8000:16000])) < 6      # at 3 s as loud as at 0.5 s
    assert abs(cents_off(estimate_pitch(note, start_s=1.5, stop_s=3.8), 72)) < 20


def test_notes_outside_the_recorded_range_are_transposed_to_the_exact_pitch():
    bank = ins.sample_bank("flute")       # recorded from C4 (60)
    f0 = estimate_pitch(bank.note(55, 1.0, 90), start_s=0.1, stop_s=0.9)
    assert abs(cents_off(f0, 55)) < 20


def test_a_note_from_the_banks_memory_is_the_note_played_fresh():
    # SampleBank resamples each (recording, speed) once; a note played again, longer or shorter,
    # must be exactly what a fresh bank plays, and changing a returned note must not change the next
    fresh = lambda: ins._bank.__wrapped__("piano")  # noqa: E731
    bank = fresh()
    for pitch, seconds in ((60.3, 0.5), (60.3, 0.2), (60.3, 2.5), (60.3, 0.7), (60.3, 4.0), (60.3, 0.3), (72, 0.1), (72, 1.2)):
        note = bank.note(pitch, seconds, 90)
        assert np.array_equal(note, fresh().note(pitch, seconds, 90)), (pitch, seconds)
        note[:] = 0
    assert np.abs(bank.note(60.3, 0.5, 90)).max() > 0.01
    bank.forget()
    assert np.array_equal(bank.note(60.3, 2.5, 90), fresh().note(60.3, 2.5, 90))
    for cents in range(600):  # more speeds than the memory keeps: it starts again, the notes stay right
        bank.note(60 + cents / 1000, 0.1, 90)
    assert len(bank._cache) <= 513 and np.array_equal(bank.note(60.3, 0.5, 90), fresh().note(60.3, 0.5, 90))
    bank.release_s = 0.5                       # a longer release after the bank was made
    assert len(bank.note(60, 0.25, 90)) == round(0.75 * bank.sr)


def test_velocity_makes_notes_louder():
    bank = ins.sample_bank("piano")
    soft, loud = rms_db(bank.note(60, 0.5, 40)), rms_db(bank.note(60, 0.5, 120))
    assert loud - soft > 10


def test_unknown_instrument_gives_a_lessonkit_error_listing_the_names():
    with pytest.raises(LessonkitError) as err:
        audio.render(Melody.parse("C4"), "violn")
    message = str(err.value)
    assert "violin" in message and "flute" in message and "synth" in message
    with pytest.raises(LessonkitError, match="Did you mean 'violin'"):
        ins.sample_bank("violn")


# ----------------------------------------------------------------------------- files


def copy_set(tmp_path, with_manifest=False):
    for name in FILES + (["manifest.json"] if with_manifest else []):
        shutil.copy(os.path.join(ins.DATA_DIR, name), tmp_path / name)
    return str(tmp_path)


def test_shipped_files_match_the_manifest():
    from lessonkit.manifest import read_manifest, verify_manifest

    assert set(FILES) <= set(read_manifest())
    verify_manifest(FILES)
    assert sum(os.path.getsize(os.path.join(ins.DATA_DIR, f)) for f in FILES) < 40e6


def test_a_missing_file_says_how_to_rebuild(tmp_path):
    data_dir = copy_set(tmp_path)
    os.remove(os.path.join(data_dir, "instruments.flac"))
    with pytest.raises(DataFileError, match="build-instruments"):
        ins.load_instrument_notes(data_dir=data_dir)


def test_a_truncated_audio_file_is_caught(tmp_path):
    data_dir = copy_set(tmp_path)
    path = os.path.join(data_dir, "instruments.flac")
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    with pytest.raises(DataFileError, match="build-instruments"):
        ins.load_instrument_notes(data_dir=data_dir)


def test_a_corrupt_audio_file_is_caught_by_the_manifest(tmp_path):
    data_dir = copy_set(tmp_path, with_manifest=True)
    path = os.path.join(data_dir, "instruments.flac")
    with open(path, "r+b") as f:
        f.seek(os.path.getsize(path) // 2)
        f.write(b"\x00" * 64)
    with pytest.raises(DataFileError, match="build-instruments"):
        ins.load_instrument_notes(data_dir=data_dir)


def test_a_corrupt_table_is_caught(tmp_path):
    data_dir = copy_set(tmp_path)
    with open(os.path.join(data_dir, "instruments.csv"), "w") as f:
        f.write("instrument,pitch\npiano,not-a-number\n")
    with pytest.raises(DataFileError, match="build-instruments"):
        ins.instrument_names(data_dir=data_dir)


# ----------------------------------------------------------------------------- the builder


def test_builder_rejects_silent_and_out_of_tune_renders():
    t = np.arange(int(builder.CLIP_S * 16000)) / 16000
    env = (t < builder.HOLD_S).astype(np.float32)
    silent = np.zeros_like(t, dtype=np.float32)
    assert any("silent" in p for p in builder.check_clip(silent, 60)[0])
    sharp = (0.3 * np.sin(2 * np.pi * 261.63 * 2 ** (80 / 1200) * t) * env).astype(np.float32)
    assert any("pitch off" in p for p in builder.check_clip(sharp, 60)[0])
    stuck = (0.3 * np.sin(2 * np.pi * 261.63 * t)).astype(np.float32)
    assert any("release" in p for p in builder.check_clip(stuck, 60)[0])
    good = (0.3 * np.sin(2 * np.pi * 261.63 * t) * env).astype(np.float32)
    assert builder.check_clip(good, 60)[0] == []


def test_split_rule_keeps_range_ends_in_training():
    spec = builder.INSTRUMENTS[0]
    assert builder.split_of(0, spec, spec.low) == "train"
    assert builder.split_of(0, spec, spec.low + 36) == "train"
    assert builder.split_of(0, spec, 54) == "test" and builder.split_of(0, spec, 57) == "valid"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("fluidsynth") is None or not os.path.exists(builder.SOUNDFONT),
                    reason="needs fluidsynth and fluid-soundfont-gm (maintainers only)")
def test_a_trial_build_writes_a_set_that_loads(tmp_path):
    builder.main(["--out", str(tmp_path), "--instruments", "flute", "bass", "--pitches", "3"])
    notes = ins.load_instrument_notes(data_dir=str(tmp_path))
    assert len(notes) == 2 * 3 * len(builder.VELOCITIES)
    assert set(notes.instruments) == {"flute", "bass"}
    assert np.max(np.abs(notes.audio)) <= builder.PEAK_LIMIT + 1e-4
