"""Lesson 05's checks: right answers pass, the typical wrong ones get their own hint."""

import numpy as np

from lessonkit.checks import lesson05 as check


def longest_copied_run(melody, tune):
    a = [y - x for x, y in zip(melody, melody[1:])]
    b = [y - x for x, y in zip(tune, tune[1:])]
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def test_longest_copied_run_right_and_typical_mistakes():
    assert check.check_longest_copied_run(longest_copied_run).passed
    notes = check.check_longest_copied_run(lambda m, t: longest_copied_run(m, t) + 1 if longest_copied_run(m, t) else 0)
    assert not notes.passed and "notes" in notes.hint

    def pitches(m, t):
        best = 0
        for i in range(len(m)):
            for j in range(len(t)):
                k = 0
                while i + k < len(m) and j + k < len(t) and m[i + k] == t[j + k]:
                    k += 1
                best = max(best, k)
        return best

    fb = check.check_longest_copied_run(pitches)
    assert not fb.passed and "intervals" in fb.hint
    assert "None" in check.check_longest_copied_run(lambda m, t: None).hint


def test_median_copy_length_right_and_mean_mistake():
    assert check.check_median_copy_length(lambda rs: np.median([r.longest_run_intervals for r in rs])).passed
    fb = check.check_median_copy_length(lambda rs: np.mean([r.longest_run_intervals for r in rs]))
    assert not fb.passed and "mean" in fb.hint


def test_copy_prediction():
    assert check.check_copy_prediction("b").passed
    assert not check.check_copy_prediction("a").passed and check.check_copy_prediction("a").hint
    assert "letter" in check.check_copy_prediction("z").hint


def test_leap_share_right_and_typical_mistakes():
    def right(melodies, k):
        iv = np.concatenate([np.diff(m) for m in melodies])
        return np.mean(np.abs(iv) >= k)

    assert check.check_leap_share(right).passed
    no_abs = check.check_leap_share(lambda ms, k: np.mean(np.concatenate([np.diff(m) for m in ms]) >= k))
    assert not no_abs.passed and "np.abs" in no_abs.hint
    joined = check.check_leap_share(lambda ms, k: np.mean(np.abs(np.diff(np.concatenate(ms))) >= k))
    assert not joined.passed and "joined" in joined.hint
