"""Hints of the lesson 01 and 02 checks for the mistakes a student walkthrough found."""

import math

import numpy as np

from lessonkit.checks import lesson01, lesson02


def _counts_with(step):
    """A bigram_counts whose inner loop does ``step(counts, tokens, i)`` for every index i."""
    def bigram_counts(tunes):
        counts = np.zeros((130, 130), dtype=int)
        for tune in tunes:
            tokens = tune.to_tokens()
            for i in range(len(tokens)):
                step(counts, tokens, i)
        return counts
    return bigram_counts


def test_invert_around_second_note_names_the_pitch_not_the_last_note():
    fb = lesson01.check_invert(lambda c: c.copy(pitches=2 * c.pitches[1] - c.pitches))
    assert not fb.passed
    assert "E4 (64)" in fb.hint and "2nd" in fb.hint and "FIRST note" in fb.hint
    assert "You mirrored around the last note" not in fb.hint


def test_invert_around_c4_says_c4():
    fb = lesson01.check_invert(lambda c: c.copy(pitches=120 - c.pitches))
    assert "C4 (60)" in fb.hint and "not the call's first note" in fb.hint


def test_invert_hints_do_not_give_the_code_away():
    fb = lesson01.check_invert(lambda c: c.copy(pitches=c.pitches + 3))
    assert "OTHER side" in fb.hint and "first -" not in fb.hint and "new =" not in fb.hint


def test_invert_first_minus_pitches_is_a_distance_not_an_addition():
    fb = lesson01.check_invert(lambda c: c.copy(pitches=c.pitches[0] - c.pitches))
    assert "distance" in fb.hint and "the number you add" not in fb.hint


def test_bigram_set_to_one_says_count_every_time():
    def step(counts, tokens, i):
        if i + 1 < len(tokens):
            counts[tokens[i], tokens[i + 1]] = 1
    fb = lesson01.check_bigram_counts(_counts_with(step))
    assert "EVERY time" in fb.hint


def test_bigram_loop_off_the_end_says_last_token_has_no_neighbour():
    def step(counts, tokens, i):
        counts[tokens[i], tokens[i + 1]] += 1
    fb = lesson01.check_bigram_counts(_counts_with(step))
    assert "LAST token has no neighbour" in fb.hint and "IndexError" in fb.hint


def test_next_probs_floor_division_is_named():
    fb = lesson01.check_next_probs(lambda c, t: c[t] // c[t].sum())
    assert "whole-number division" in fb.hint


def test_mean_nll_math_log_on_an_array_says_np_log():
    fb = lesson02.check_mean_nll(lambda p: float(np.mean(-math.log(np.asarray(p)))))
    assert "np.log" in fb.hint and "ONE number" in fb.hint


def test_perplexity_with_bare_e_says_math_e():
    fb = lesson02.check_perplexity(lambda nll: e ** nll)  # noqa: F821 (the student's mistake)
    assert "math.e" in fb.hint and "run the cells above" not in fb.hint


def test_untouched_perplexity_stub_gets_the_idea_not_the_code():
    fb = lesson02.check_perplexity(lambda nll: nll)
    assert "e raised to the power of the NLL" in fb.hint
    assert "math.exp" not in fb.hint and "exp(nll)" not in fb.hint


def test_perplexity_hints_never_show_the_solution_code():
    for wrong in (lambda n: 2 ** n, lambda n: math.exp(-n), lambda n: n + 1, lambda n: n * 3):
        assert "math.exp(nll)" not in lesson02.check_perplexity(wrong).hint


def test_temperature_missing_brackets_is_named():
    fb = lesson02.check_apply_temperature(lambda p, t: np.asarray(p, dtype=float) ** 1 / t)
    assert "brackets" in fb.hint


def test_temperature_fallback_describes_the_idea_not_the_code():
    fb = lesson02.check_apply_temperature(lambda p, t: np.sqrt(np.asarray(p, dtype=float)))
    assert not fb.passed and "one over the temperature" in fb.hint
    assert "p ** (1 / temperature)" not in fb.hint


def test_untouched_temperature_stub_says_nothing_changed():
    fb = lesson02.check_apply_temperature(lambda p, t: np.asarray(p, dtype=float))
    assert "unchanged" in fb.hint
