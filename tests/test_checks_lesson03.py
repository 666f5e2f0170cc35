"""Lesson 03's checks: right answers pass, predictable mistakes get their own hint."""

import numpy as np

from lessonkit.checks import lesson03 as check


def test_compression_ratio_counts_every_number_the_decoder_needs():
    assert check.check_compression_ratio(lambda n, c: n / (len(c.timbre) + len(c.loudness_db) + 1)).passed
    only_timbre = check.check_compression_ratio(lambda n, c: n / len(c.timbre))
    assert not only_timbre.passed and "loudness curve" in only_timbre.hint
    upside_down = check.check_compression_ratio(lambda n, c: (len(c.timbre) + len(c.loudness_db) + 1) / n)
    assert "Upside down" in upside_down.hint
    no_pitch = check.check_compression_ratio(lambda n, c: n / (len(c.timbre) + len(c.loudness_db)))
    assert "pitch" in no_pitch.hint


def test_halfway_alpha_interpolates_between_the_measurements_either_side():
    assert check.reference_halfway_alpha([0, 0.5, 1], [500, 900, 1100]) == 0.375
    assert check.reference_halfway_alpha([0, 0.25, 0.5, 0.75, 1], [3000, 2950, 2800, 1500, 1000]) == \
        0.5 + 0.25 * (2000 - 2800) / (1500 - 2800)
    nearest = check.check_halfway_alpha(
        lambda a, c: float(np.asarray(a)[np.argmin(np.abs(np.asarray(c) - (c[0] + c[-1]) / 2))]))
    assert not nearest.passed and "straight line" in nearest.hint
    assert "brightness" in check.check_halfway_alpha(lambda a, c: 0.5).hint


def test_crossfade_question_accepts_a_and_explains_the_distractors():
    assert check.check_crossfade_answer(" A ").passed
    assert "No network" in check.check_crossfade_answer("c").hint
    assert "one letter" in check.check_crossfade_answer("?").hint
