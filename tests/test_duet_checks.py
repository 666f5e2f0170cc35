"""The exercise checks of lessons 01 and 02: right answers pass, typical mistakes get their hint."""

import math

import numpy as np

from lessonkit import Melody
from lessonkit.checks import lesson01, lesson02


def test_reference_solutions_pass():
    assert lesson01.check_invert(lesson01.reference_invert).passed
    assert lesson01.check_bigram_counts(lesson01.reference_bigram_counts).passed
    assert lesson01.check_next_probs(lesson01.reference_next_probs).passed
    assert lesson02.check_mean_nll(lesson02.reference_mean_nll).passed
    assert lesson02.check_perplexity(lesson02.reference_perplexity).passed
    assert lesson02.check_apply_temperature(lesson02.reference_apply_temperature).passed
    assert lesson02.check_temperature_prediction("a", "B").passed


def test_library_versions_pass_the_checks():
    from lessonkit.models import duet, markov, rules

    assert lesson01.check_invert(rules.invert).passed
    assert lesson01.check_bigram_counts(markov.transition_counts).passed
    assert lesson02.check_apply_temperature(duet.apply_temperature).passed


def test_invert_mistakes_get_hints():
    fb = lesson01.check_invert(lambda c: c.copy(pitches=2 * c.pitches[-1] - c.pitches))
    assert not fb.passed and "(last)" in fb.hint and "E4 (64)" in fb.hint
    fb = lesson01.check_invert(lambda c: c)
    assert "echo" in fb.hint
    fb = lesson01.check_invert(lambda c: [1, 2])
    assert "returned a list" in fb.hint
    fb = lesson01.check_invert(lambda c: Melody.parse("C4"))
    assert "notes" in fb.hint


def test_bigram_mistakes_get_hints():
    def swapped(tunes):
        return lesson01.reference_bigram_counts(tunes).T

    def joined(tunes):
        tokens = np.concatenate([t.to_tokens() for t in tunes])
        counts = np.zeros((130, 130), dtype=int)
        np.add.at(counts, (tokens[:-1], tokens[1:]), 1)
        return counts

    assert "swapped" in lesson01.check_bigram_counts(swapped).hint
    assert "joined" in lesson01.check_bigram_counts(joined).hint
    assert "(130, 130)" in lesson01.check_bigram_counts(lambda t: np.zeros((128, 128))).hint
    fb = lesson01.check_bigram_counts(lambda t: 1 / 0)
    assert not fb.passed and "ZeroDivisionError" in fb.hint


def test_next_probs_mistakes_get_hints():
    assert "not probabilities" in lesson01.check_next_probs(lambda c, t: c[t]).hint
    assert "column" in lesson01.check_next_probs(lambda c, t: c[:, t] / c[:, t].sum()).hint


def test_nll_and_perplexity_mistakes_get_hints():
    assert "sign" in lesson02.check_mean_nll(lambda p: float(np.mean(np.log(p)))).hint
    assert "base 2" in lesson02.check_mean_nll(lambda p: float(np.mean(-np.log2(p)))).hint
    assert "total" in lesson02.check_mean_nll(lambda p: float(np.sum(-np.log(p)))).hint
    assert "bits" in lesson02.check_perplexity(lambda n: 2 ** n).hint
    assert "at least 1" in lesson02.check_perplexity(lambda n: math.exp(-n)).hint


def test_temperature_mistakes_get_hints():
    assert "sum" in lesson02.check_apply_temperature(lambda p, t: np.asarray(p) ** (1 / t)).hint
    assert "1 / T" in lesson02.check_apply_temperature(
        lambda p, t: np.asarray(p) ** t / (np.asarray(p) ** t).sum()).hint
    fb = lesson02.check_temperature_prediction("b", "b")
    assert not fb.passed and "sharpens" in fb.hint
    fb = lesson02.check_temperature_prediction("a", "d")
    assert not fb.passed and "unlikely" in fb.hint
    assert "not one of the choices" in lesson02.check_temperature_prediction("z", "a").message


def test_a_temperature_prediction_is_noted_before_listening_and_graded_after():
    noted = lesson02.note_temperature_prediction("A", "b")
    assert (noted.at_0_1, noted.at_2_0, noted.problem) == ("a", "b", "")
    assert "Noted" in str(noted) and "listen" in str(noted) and "Right" not in str(noted)
    assert "not one of the choices" in lesson02.note_temperature_prediction("?", "b").problem
    assert lesson02.check_temperature_prediction(noted.at_0_1, noted.at_2_0).passed
