"""Lesson 00's checks say right for right answers and give a useful hint for typical mistakes."""

from lessonkit import Melody, Note
from lessonkit.checks import lesson00


def test_reference_solutions_pass():
    for name, exercise in lesson00.EXERCISES.items():
        assert lesson00.run_exercise(exercise, exercise.reference).passed, name


def test_transpose_that_changes_rhythm_gets_the_rhythm_hint():
    fb = lesson00.check_transpose(lambda m, s: Melody([Note(n.pitch + s, n.onset_steps, 1) for n in m]))
    assert not fb.passed and "rhythm" in fb.hint.lower()


def test_off_by_one_transpose_gets_a_hint_with_the_numbers():
    fb = lesson00.check_transpose(lambda m, s: m.transpose(s + 1))
    assert not fb.passed and fb.n_right == 0 and "semitones" in fb.hint


def test_pitch_range_the_wrong_way_round():
    fb = lesson00.check_pitch_range(lambda m: (int(m.pitches.max()), int(m.pitches.min())))
    assert not fb.passed and "wrong way round" in fb.hint


def test_a_crashing_function_is_feedback_not_a_crash():
    fb = lesson00.check_notes_per_bar(lambda m: 1 / 0)
    assert not fb.passed and "ZeroDivisionError" in fb.hint


def test_midi_to_hz_from_c4_is_diagnosed():
    fb = lesson00.check_midi_to_hz(lambda p: 440 * 2 ** ((p - 60) / 12))
    assert not fb.passed and "A4" in fb.hint


def test_feedback_renders_html_with_its_verdict():
    fb = lesson00.check_midi_to_hz(lesson00.reference_midi_to_hz)
    assert 'data-passed="true"' in fb._repr_html_() and str(fb).startswith("✅")
