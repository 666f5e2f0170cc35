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
from lessonkit.checks import homework00, homework01, homework02, homework03, homework04, homework05
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


@pytest.mark.parametrize("module", [homework00, homework01, homework02, homework03, homework04, homework05])
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
    # homework 03
    ("bilinear_weights", lambda x, y: [(1 - x) * (1 - y), (1 - x) * y, x * (1 - y), x * y], "swapped"),
    ("bilinear_weights", lambda x, y: [x * y, (1 - x) * y, x * (1 - y), (1 - x) * (1 - y)], "wrong order"),
    ("bilinear_weights", lambda x, y: [1 - x, x, 1 - y, y], "add up to 1"),
    ("rms_db_blocks", lambda a, b: 10 * np.log10(np.maximum(_rms(a, b), 1e-5)), "not 10 * log10"),
    ("rms_db_blocks", lambda a, b: 20 * np.log10(_rms(a, b)), "-100 dB"),
    ("rms_db_blocks", lambda a, b: 20 * np.log10(np.maximum(_rms(a, b, keep_last=True), 1e-5)), "incomplete block"),
    ("rms_db_blocks", lambda a, b: 20 * np.log10(np.maximum(_rms(a, b, mean_abs=True), 1e-5)), "Too quiet"),
    ("rms_db_blocks", lambda a, b: 20 * np.log10(np.maximum(_rms(a, b, peak=True), 1e-5)), "THEN the square root"),
    ("monotone_fraction", lambda cs: sum(bool(np.all(np.diff(c) > 0)) for c in cs) / len(cs), "goes DOWN"),
    ("monotone_fraction", lambda cs: sum(bool(np.all(np.diff(c) >= 0) or np.all(np.diff(c) <= 0)) for c in cs)
     / len(cs), "flat step"),
    ("monotone_fraction", lambda cs: float(sum(bool(np.all(np.diff(c) > 0) or np.all(np.diff(c) < 0)) for c in cs)),
     "how many curves"),
    ("median_cents_error", lambda f, p: float(np.median(np.abs(_cents(f, p)))), "nan"),
    ("median_cents_error", lambda f, p: float(np.nanmedian(np.abs(_cents(f, p)))) / 100, "semitones"),
    ("median_cents_error", lambda f, p: float(np.nanmedian(_cents(f, p))), "np.abs"),
    # homework 04
    ("nearest_loop", lambda c, cs: int(np.argmax(np.linalg.norm(cs - c, axis=1))), "FARTHEST"),
    ("nearest_loop", lambda c, cs: int(np.argmin(np.abs(cs - c).sum(axis=1))), "without squaring"),
    ("nearest_loop", lambda c, cs: float(np.min(np.linalg.norm(cs - c, axis=1))), "ROW NUMBER"),
    ("longest_notes", lambda p: [max(x - 1, 0) for x in TASKS["longest_notes"].reference(p)], "one step short"),
    ("longest_notes", lambda p: [int((np.asarray(r) < 128).sum()) for r in p], "number of notes"),
    ("longest_notes", lambda p: [3] * len(p), "walk its 32 steps"),
    ("kl_to_prior", lambda m, lv: 2 * TASKS["kl_to_prior"].reference(m, lv), "factor 1/2"),
    ("kl_to_prior", lambda m, lv: float(0.5 * np.sum(np.asarray(m) ** 2 + np.exp(lv) - np.asarray(lv))), "-1"),
    ("kl_to_prior", lambda m, lv: -TASKS["kl_to_prior"].reference(m, lv), "sign"),
    ("free_bits_penalty", lambda k, f, b: float(b * max(float(np.mean(k)) - f, 0.0)), "MEAN KL"),
    ("free_bits_penalty", lambda k, f, b: float(np.mean(b * (np.asarray(k) - f))), "negative"),
    ("free_bits_penalty", lambda k, f, b: float(np.mean(np.maximum(np.asarray(k) - f, 0))), "beta"),
    # homework 05
    ("ngram_fraction", lambda m, c, n: _pitch_gram_share(m, c, n), "INTERVALS"),
    ("ngram_fraction", lambda m, c, n: 1.0 - TASKS["ngram_fraction"].reference(m, c, n), "NOT found"),
    ("copied_notes", lambda m, c, n: list(TASKS["copied_notes"].reference(m, c, n))[:-1], "per interval"),
    ("copied_notes", lambda m, c, n: _copied_without_last(m, c, n), "missing"),
    ("fooled_share", lambda a, t: sum(x == "human" and y == "AI" for x, y in zip(a, t)) / len(a),
     "Divide by the number of AI clips"),
    ("fooled_share", lambda a, t: sum(x == "AI" and y == "AI" for x, y in zip(a, t)) / max(1, t.count("AI")), "RIGHT"),
    ("closest_style", lambda p, ps: min(ps, key=lambda k: sum(abs(p[j] - ps[k][j]) for j in ps[k])),
     "Divide each difference"),
    ("closest_style", lambda p, ps: max(ps, key=lambda k: sum(abs(p[j] - ps[k][j]) / abs(ps[k][j]) for j in ps[k])),
     "farthest"),
]


def _intervals(pitches):
    return [b - a for a, b in zip(pitches, pitches[1:])]


def _pitch_gram_share(melody, corpus, n):
    """Homework 05's typical mistake: runs of pitches instead of intervals (a transposed copy is missed)."""
    grams = [tuple(melody[i:i + n]) for i in range(len(melody) - n + 1)]
    known = {tuple(t[i:i + n]) for t in corpus for i in range(len(t) - n + 1)}
    return sum(g in known for g in grams) / len(grams)


def _copied_without_last(melody, corpus, n):
    """Homework 05's typical mistake: a run of n intervals marks n notes, not n + 1."""
    iv = _intervals(melody)
    known = {tuple(_intervals(t)[i:i + n]) for t in corpus for i in range(len(t) - n)}
    mask = [False] * len(melody)
    for i in range(len(iv) - n + 1):
        if tuple(iv[i:i + n]) in known:
            for j in range(i, i + n):
                mask[j] = True
    return mask


def _rms(audio, block, keep_last=False, mean_abs=False, peak=False):
    audio = np.asarray(audio, dtype=float)
    blocks = [audio[i:i + block] for i in range(0, len(audio) if keep_last else len(audio) - block + 1, block)]
    if mean_abs or peak:
        return np.array([(np.max if peak else np.mean)(np.abs(b)) for b in blocks])
    return np.array([np.sqrt(np.mean(b ** 2)) for b in blocks])


def _cents(f0s, pitch):
    return 1200 * np.log2(np.asarray(f0s, dtype=float) / (440.0 * 2 ** ((pitch - 69) / 12)))


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
