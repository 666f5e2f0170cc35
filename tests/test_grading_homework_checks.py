"""The homework-only checks: the reference passes, and each typical mistake gets its own hint."""

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong answers take log(0) on purpose

from lessonkit import HOLD, REST, Melody
from lessonkit.checks import homework00, homework01, homework02


@pytest.mark.parametrize("module,check,reference", [
    (homework00, "check_sounding_fraction", "reference_sounding_fraction"),
    (homework01, "check_retrograde", "reference_retrograde"),
    (homework01, "check_greedy_answer", "reference_greedy_answer"),
    (homework02, "check_entropy_nats", "reference_entropy_nats"),
])
def test_the_reference_solution_passes_its_check(module, check, reference):
    feedback = getattr(module, check)(getattr(module, reference))
    assert feedback.passed and feedback.n_right == feedback.n_cases >= 4


@pytest.mark.parametrize("wrong,hint", [
    (lambda m: float(np.count_nonzero(m.to_tokens() < 128) / m.length_steps), "only the steps where a note starts"),
    (lambda m: float(np.count_nonzero(m.to_tokens() == REST) / m.length_steps), "measured the silence"),
    (lambda m: int(np.count_nonzero(m.to_tokens() != REST)), "divide by the number of steps"),
    (lambda m: float(np.count_nonzero(m.to_tokens() != REST) / len(m)), "not by the number of notes"),
    (lambda m: 2.5, "A fraction lies between 0 and 1"),
    (lambda m: "half", "Return one number"),
])
def test_sounding_fraction_hints(wrong, hint):
    feedback = homework00.check_sounding_fraction(wrong)
    assert not feedback.passed and hint in feedback.hint


@pytest.mark.parametrize("wrong,hint", [
    (lambda c: c, "echo"),
    (lambda c: c.copy(pitches=2 * c.pitches[0] - c.pitches), "inversion"),
    (lambda c: Melody.from_tokens(c.to_tokens()[::-1]), "rhythm"),
    (lambda c: c.copy(pitches=np.roll(c.pitches, 1)), "wrong order"),
    (lambda c: list(c.pitches[::-1]), "returns a Melody"),
])
def test_retrograde_hints(wrong, hint):
    feedback = homework01.check_retrograde(wrong)
    assert not feedback.passed and hint in feedback.hint


def _greedy_with_start(counts, start, n):
    return [start] + homework01.reference_greedy_answer(counts, start, n)


@pytest.mark.parametrize("wrong,hint", [
    (_greedy_with_start, "Leave out the start token"),
    (lambda counts, start, n: homework01.reference_greedy_answer(np.asarray(counts).T, start, n), "columns"),
    (lambda counts, start, n: [int(np.argmax(counts[start]))] * n, "Every step is the same token"),
    (lambda counts, start, n: homework01.reference_greedy_answer(counts, start, n)[:-1], "exactly n_steps"),
])
def test_greedy_answer_hints(wrong, hint):
    feedback = homework01.check_greedy_answer(wrong)
    assert not feedback.passed and hint in feedback.hint


def test_greedy_answer_breaks_ties_towards_the_smaller_token_and_rests_after_a_dead_end():
    counts = np.zeros((130, 130), dtype=int)
    counts[60, 64] = counts[60, 62] = 3
    assert homework01.reference_greedy_answer(counts, 60, 2) == [62, REST]
    assert homework01.reference_greedy_answer(counts, HOLD, 1) == [REST]


@pytest.mark.parametrize("wrong,hint", [
    (lambda p: float(-np.sum(np.asarray(p) * np.log(np.asarray(p)))), "0 * log(0)"),
    (lambda p: float(np.sum(np.where(np.asarray(p) > 0, np.asarray(p) * np.log(np.where(np.asarray(p) > 0, p, 1)), 0))),
     "sign"),
    (lambda p: homework02.reference_entropy_nats(p) / np.log(2), "base 2"),
    (lambda p: "high", "one number"),
])
def test_entropy_hints(wrong, hint):
    feedback = homework02.check_entropy_nats(wrong)
    assert not feedback.passed and hint in feedback.hint
