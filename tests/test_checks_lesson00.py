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


def test_typical_student_mistakes_get_targeted_hints():
    import math

    def low_from_zero(m):
        low = 0
        for p in m.pitches:
            low = min(low, p)
        return (low, max(m.pitches))

    def fixed_bar_of_16(m):
        counts = [0] * math.ceil(m.length_steps / m.steps_per_bar)
        for n in m:
            counts[n.onset_steps // 16] += 1
        return counts

    def changes_notes_in_place(m, s):
        for n in m:
            n.pitch += s
        return m

    def forgets_return(m, s):
        [Note(n.pitch + s, n.onset_steps, n.duration_steps) for n in m]

    cases = [
        (lesson00.check_pitch_range(low_from_zero), "lower than every note"),
        (lesson00.check_notes_per_bar(fixed_bar_of_16), "steps_per_bar instead of a fixed number"),
        (lesson00.check_transpose(changes_notes_in_place), "cannot be changed"),
        (lesson00.check_transpose(forgets_return), "forget the `return`"),
        (lesson00.check_midi_to_hz(lambda p: 440 * 2 ^ ((p - 69) / 12)), "written **"),
        (lesson00.check_tokens([61, 128, 129, 129, 62, 128, 128, 128]), "step 0"),
        (lesson00.check_tokens(["C4", "HOLD"]), "without quotes"),
    ]
    for feedback, needle in cases:
        assert not feedback.passed and needle in feedback.hint, (needle, feedback)


def test_duration_check_accepts_rounding_and_names_the_mistake():
    twinkle = Melody.parse("C4 C4 G4 G4 | A4 A4 G4*2 | F4 F4 E4 E4 | D4 D4 C4*2")
    assert lesson00.check_duration_s(10.7, twinkle, 90).passed
    assert not lesson00.check_duration_s("10.67", twinkle, 90).passed
    assert "upside down" in lesson00.check_duration_s(24.0, twinkle, 90).hint
    assert "counted notes" in lesson00.check_duration_s(14 * 60 / 360, twinkle, 90).hint


# ----------------------------------------------------------------------------- hints for crashes (issue 10, section 3)


def _notes_per_bar_with_round(melody):
    spb = melody.steps_per_bar
    counts = [0] * -(-melody.length_steps // spb)
    for note in melody:
        counts[round(note.onset_steps / spb)] += 1
    return counts


def _notes_per_bar_from_bar_1(melody):
    spb = melody.steps_per_bar
    counts = [0] * -(-melody.length_steps // spb)
    for note in melody:
        counts[note.onset_steps // spb + 1] += 1
    return counts


def test_two_mistakes_that_raise_the_same_index_error_get_different_hints():
    from lessonkit.checks import lesson00

    by_round = lesson00.check_notes_per_bar(_notes_per_bar_with_round)
    from_1 = lesson00.check_notes_per_bar(_notes_per_bar_from_bar_1)
    assert "IndexError" in by_round.hint and "IndexError" in from_1.hint
    assert "round()" in by_round.hint and "//" in by_round.hint
    assert "counted from 0" in from_1.hint and "round()" not in from_1.hint
    assert by_round.hint.split("(On the input")[0] != from_1.hint.split("(On the input")[0]


def test_a_crash_names_the_input_the_expected_answer_and_the_line():
    from lessonkit.checks import lesson00

    hint = lesson00.check_notes_per_bar(_notes_per_bar_from_bar_1).hint
    first = lesson00.notes_per_bar_exercise.cases[0][0]
    assert repr(first) in hint  # which input
    assert str(lesson00.reference_notes_per_bar(first)) in hint  # what it should give (in class only)
    assert "counts[note.onset_steps // spb + 1] += 1" in hint  # the line that raised it


def test_the_grader_never_shows_a_hidden_inputs_expected_answer():
    from lessonkit.checks import lesson00
    from lessonkit.checks.core import call_cases

    melody = Melody.parse("C4 D4 E4 F4 | G4*4 | r*4 | A4/2 A4/2 r*3")
    feedback = lesson00.notes_per_bar_exercise.compare_all(call_cases(_notes_per_bar_from_bar_1, [(melody,)]),
                                                           [(melody,)])
    assert "counted from 0" in feedback.hint and "should give" not in feedback.hint


def test_midi_to_hz_with_a_brackets_mistake_gets_a_hint_about_brackets():
    from lessonkit.checks import lesson00

    for wrong in (lambda p: 440 * 2 ** (p - 69 / 12), lambda p: 440 * 2 ** (p - 69) / 12):
        feedback = lesson00.check_midi_to_hz(wrong)
        assert not feedback.passed and "brackets" in feedback.hint
    feedback = lesson00.check_midi_to_hz(lambda p: 440 * 2 ** (p - 69))
    assert "divide the distance from A4 by 12" in feedback.hint
