"""The homework tasks' checks: the teacher's reference passes, and each typical mistake gets its own hint.

The references come from the assignments' source notebooks (their hidden-test regions), the only
place they live: the installed package has the visible answers and the hint logic only.
"""

import math
import os

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong answers take log(0) on purpose

from lessonkit import HOLD, REST, Melody, Note
from lessonkit.checks import homework00, homework01, homework02
from lessonkit.checks.core import run_exercise
from lessonkit.homework.assignment import load_assignments
from lessonkit.homework.release import repo_root

TASKS = {t.function: t for a in load_assignments(os.path.join(repo_root(), "assignments", "source")).values()
         for t in a.tasks}


@pytest.mark.parametrize("function", sorted(TASKS))
def test_the_teachers_reference_passes_the_students_check(function):
    task = TASKS[function]
    feedback = run_exercise(task.exercise, task.reference)
    assert feedback.passed and feedback.n_right == feedback.n_cases >= 4


@pytest.mark.parametrize("module", [homework00, homework01, homework02])
def test_the_installed_checks_hold_no_reference_solution(module):
    for task in module.TASKS.values():
        assert task.reference is None and len(task.expected_values) == len(task.cases)
    assert not [name for name in dir(module) if name.startswith("reference")]


def _notes(melody, fn):
    return [fn(n) for n in melody]


def _stretch_no_length(m, f):
    return Melody(_notes(m, lambda n: Note(n.pitch, n.onset_steps * f, n.duration_steps * f)), meter=m.meter)


def _busiest(m, bar_of):
    counts = [0] * (m.length_steps // m.steps_per_bar + 3)
    for n in m:
        counts[bar_of(n.onset_steps, m.steps_per_bar)] += 1
    return counts.index(max(counts))


def _longest_rest_missing_the_last(tokens):
    best = run = 0
    for t in tokens:
        if t == REST:
            run += 1
        else:
            best, run = max(best, run), 0
    return best


def _seq(c, s, start):
    copy = [Note(n.pitch + s, n.onset_steps + start(c), n.duration_steps) for n in c]
    return Melody(list(c) + copy, meter=c.meter)


HINTS = [
    # homework 00
    ("stretch", lambda m, f: Melody(_notes(m, lambda n: Note(n.pitch, n.onset_steps, n.duration_steps * f))),
     "START later"),
    ("stretch", lambda m, f: Melody(_notes(m, lambda n: Note(n.pitch, n.onset_steps * f, n.duration_steps)),
                                    length_steps=m.length_steps * f), "gaps"),
    ("stretch", lambda m, f: Melody(_notes(m, lambda n: Note(n.pitch, n.onset_steps * f, n.duration_steps * f)),
                                    length_steps=m.length_steps), "multiply melody.length_steps"),
    ("stretch", _stretch_no_length, "rest at the end"),
    ("stretch", lambda m, f: m, "Nothing changed"),
    ("widest_leap", lambda m: max(int(b - a) for a, b in zip(m.pitches[:-1], m.pitches[1:])) if len(m) > 1 else 0,
     "leap DOWN"),
    ("widest_leap", lambda m: int(m.pitches.max() - m.pitches.min()), "range"),
    ("widest_leap", lambda m: max(abs(int(m.pitches[i + 1] - m.pitches[i])) for i in range(len(m))),
     "one note past the end"),
    ("widest_leap", lambda m: max(abs(int(b - a)) for a, b in zip(m.pitches[:-1], m.pitches[1:])), "max() got nothing"),
    ("busiest_bar", lambda m: _busiest(m, lambda o, spb: o // spb) + 1, "numbered from 0"),
    ("busiest_bar", lambda m: _busiest(m, lambda o, spb: round(o / spb)), "round()"),
    ("busiest_bar", lambda m: _busiest(m, lambda o, spb: o // 16), "not 16"),
    ("busiest_bar", lambda m: max(np.bincount(m.onsets_steps // m.steps_per_bar)), "how MANY"),
    ("semitones_between", lambda a, b: 12 * math.log2(b) / a, "brackets"),
    ("semitones_between", lambda a, b: 12 * math.log(b / a), "natural log"),
    ("semitones_between", lambda a, b: math.log2(b / a), "octaves"),
    ("semitones_between", lambda a, b: 12 * math.log2(a / b), "sign"),
    ("semitones_between", lambda a, b: round(12 * math.log2(b / a)), "Do not round"),
    ("semitones_between", lambda a, b: (b - a) / a * 12, "RATIO"),
    ("longest_rest", lambda t: list(t).count(REST), "every REST step"),
    ("longest_rest", _longest_rest_missing_the_last, "very END"),
    # homework 01
    ("answer_with_sequence", lambda c, s: c.transpose(s), "only the moved copy"),
    ("answer_with_sequence", lambda c, s: _seq(c, s, lambda c: int(c.onsets_steps[-1] + c.durations_steps[-1])),
     "ends with a rest"),
    ("answer_with_sequence", lambda c, s: _seq(c, s, lambda c: 0), "still playing"),
    ("answer_with_sequence", lambda c, s: _seq(c, -s, lambda c: c.length_steps), "wrong way"),
    ("pair_next_counts", lambda tunes, a, b: np.zeros(130, dtype=int), "Every count is 0"),
    ("pair_next_counts", lambda tunes, a, b: _pairs(tunes, a, b, joined=True), "joined the tunes"),
    ("pair_next_counts", lambda tunes, a, b: _pairs(tunes, None, b), "everything that follows b"),
    ("sequence_probability", lambda p, t: sum(float(p[a, b]) for a, b in zip(t[:-1], t[1:])), "added"),
    ("sequence_probability", lambda p, t: float(np.prod([p[b, a] for a, b in zip(t[:-1], t[1:])])), "probs[this, next]"),
    ("sequence_probability", lambda p, t: 0.0, "start from 1"),
    ("greedy_answer", lambda c, s, n: [s] + TASKS["greedy_answer"].reference(c, s, n), "Leave out the start token"),
    ("greedy_answer", lambda c, s, n: [int(np.argmax(np.asarray(c)[:, s]))] * n, "columns"),
    # homework 02
    ("tune_nll", lambda p, t: float(np.mean([-np.log2(p[a, b]) for a, b in zip(t[:-1], t[1:])])), "base 2"),
    ("tune_nll", lambda p, t: float(np.sum([-np.log(p[a, b]) for a, b in zip(t[:-1], t[1:])])), "total surprise"),
    ("tune_nll", lambda p, t: float(np.sum([-np.log(p[a, b]) for a, b in zip(t[:-1], t[1:])]) / len(t)),
     "one fewer than the tokens"),
    ("tune_nll", lambda p, t: float(np.mean([np.log(p[a, b]) for a, b in zip(t[:-1], t[1:])])), "sign"),
    ("perplexity_from_probs", lambda q: float(np.mean(-np.log(q))), "mean NLL"),
    ("perplexity_from_probs", lambda q: math.exp(-float(np.mean(-np.log(q)))), "upside down"),
    ("perplexity_from_probs", lambda q: 1 / float(np.mean(q)), "1 / mean(p)"),
    ("perplexity_from_probs", lambda q: math.exp(float(np.sum(-np.log(q)))), "TOTAL"),
    ("top_k", lambda p, k: np.where(np.isin(np.arange(len(p)), np.argsort(-p, kind="stable")[:k]), p, 0.0),
     "divide by their sum"),
    ("top_k", lambda p, k: np.sort(np.where(np.isin(np.arange(len(p)), np.argsort(-p, kind="stable")[:k]), p, 0))[::-1]
     / np.sort(p)[::-1][:k].sum(), "do not sort"),
    ("top_k", lambda p, k: p, "Nothing changed"),
    ("entropy_nats", lambda p: float(-np.sum(np.asarray(p) * np.log(np.asarray(p)))), "nan"),
    ("entropy_nats", lambda p: float(-np.sum([x * math.log2(x) for x in p if x > 0])), "base 2"),
    ("entropy_nats", lambda p: float(np.sum([x * math.log(x) for x in p if x > 0])), "sign"),
]


def _pairs(tunes, a, b, joined=False):
    seqs = [[int(t) for tune in tunes for t in tune.to_tokens()]] if joined else [list(t.to_tokens()) for t in tunes]
    counts = np.zeros(130, dtype=int)
    for t in seqs:
        for x, y, z in zip(t[:-2], t[1:-1], t[2:]):
            if (a is None or x == a) and y == b:
                counts[z] += 1
    return counts


@pytest.mark.parametrize("function,wrong,hint", HINTS, ids=[f"{f}-{h}" for f, _, h in HINTS])
def test_each_typical_mistake_gets_its_own_hint(function, wrong, hint):
    feedback = run_exercise(TASKS[function].exercise, wrong)
    assert not feedback.passed and hint in feedback.hint, feedback


def test_every_task_has_at_least_two_distinct_hints():
    by_task = {}
    for function, _, hint in HINTS:
        by_task.setdefault(function, set()).add(hint)
    assert set(by_task) == set(TASKS) and all(len(h) >= 2 for h in by_task.values())
