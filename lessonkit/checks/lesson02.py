"""Checks for the exercises of lesson 02, AI Duet.

Lesson: notebooks/02_ai_duet.ipynb

Each ``*_exercise`` is an :class:`~lessonkit.checks.core.Exercise` (used by the homework
grader too); each ``check_*`` function is what a student calls in the lesson.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np

from .core import Exercise, Feedback, check_value, run_exercise

# ----------------------------------------------------------------------------- NLL and perplexity


def reference_mean_nll(probs_of_actual) -> float:
    """Model solution: the mean of ``-ln p`` over the probabilities the model gave to what actually came."""
    p = np.asarray(probs_of_actual, dtype=float)
    return float(np.mean(-np.log(p)))


def _compare_nll(got, want, case) -> str | None:
    p = np.asarray(case[0], dtype=float)
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number: the mean surprise in nats per step."
    if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9):
        return None
    if math.isclose(got, -want, rel_tol=1e-6):
        return "The sign is wrong: log of a probability is negative, so the surprise is MINUS the log."
    if math.isclose(got, float(np.sum(-np.log(p))), rel_tol=1e-6):
        return "That is the total surprise; divide by the number of steps for the mean per step."
    if math.isclose(got, float(np.mean(-np.log2(p))), rel_tol=1e-6):
        return "You used log base 2 (bits). Nats use the natural log: np.log."
    if math.isclose(got, float(np.mean(-np.log10(p))), rel_tol=1e-6):
        return "You used log base 10. Nats use the natural log: np.log."
    if math.isclose(got, float(-np.log(np.mean(p))), rel_tol=1e-6):
        return "Take the log of each probability first, then the mean (not the log of the mean)."
    return "For each step take -np.log(p), then average over the steps."


mean_nll_exercise = Exercise(
    name="mean_nll",
    describe="mean_nll(probs_of_actual)",
    reference=reference_mean_nll,
    cases=[([0.5, 0.25, 0.125],), ([0.9, 0.9, 0.9, 0.01],), ([1 / 130] * 5,), ([0.6],)],
    compare=_compare_nll,
    error_hints=[(words, "math.log takes the log of ONE number; p is an array of probabilities. np.log takes "
                         "the log of every probability in the array at once.")
                 for words in ("converted to Python scalars", "must be real number", "only length-1 arrays")],
)


def check_mean_nll(func) -> Feedback:
    """Check ``func(probs_of_actual) -> float``: mean negative log-likelihood in nats per step."""
    return run_exercise(mean_nll_exercise, func)


def reference_perplexity(nll: float) -> float:
    """Model solution: ``exp(nll)``: as unsure as choosing among that many equally likely tokens."""
    return float(math.exp(nll))


def _compare_perplexity(got, want, case) -> str | None:
    nll = case[0]
    try:
        got = float(got)
    except (TypeError, ValueError):
        return "Return one number."
    if math.isclose(got, want, rel_tol=1e-6):
        return None
    if math.isclose(got, 2 ** nll, rel_tol=1e-6):
        return "2 ** nll is for bits. Our NLL is in nats (natural log), so the base is e, not 2."
    if math.isclose(got, math.exp(-nll), rel_tol=1e-6):
        return "Perplexity is at least 1: e to the power of the NLL, not of minus the NLL."
    if math.isclose(got, math.log(nll) if nll > 0 else -1, rel_tol=1e-6):
        return "Perplexity undoes the log: it is e raised to the power of the NLL, not a log of it."
    if nll == 0 and got == 0:
        return ("An NLL of 0 means no surprise at all, which is perplexity 1 (one sure choice), but your "
                "function gives 0. Perplexity is e raised to the power of the NLL.")
    if math.isclose(got, nll, rel_tol=1e-9):
        return ("Your function gives back the NLL unchanged. Perplexity is e raised to the power of the NLL: "
                "which function in the math module does that?")
    return "Perplexity is e raised to the power of the NLL (e is about 2.718)."


perplexity_exercise = Exercise(
    name="perplexity",
    describe="perplexity(nll)",
    reference=reference_perplexity,
    cases=[(0.0,), (1.0,), (math.log(130),), (0.87,)],
    compare=_compare_perplexity,
    error_hints=[("name 'e' is not defined",
                  "Python has no e of its own: it lives in the math module, as math.e. (math.exp(x) is the "
                  "same as math.e ** x, and a little more precise.)")],
)


def check_perplexity(func) -> Feedback:
    """Check ``func(nll) -> float``: the perplexity that a mean NLL (nats per step) stands for."""
    return run_exercise(perplexity_exercise, func)


# ----------------------------------------------------------------------------- temperature


_PROBS = [np.array([0.5, 0.3, 0.15, 0.05]), np.array([0.7, 0.1, 0.1, 0.1]), np.full(5, 0.2)]


def reference_apply_temperature(probs, temperature: float) -> np.ndarray:
    """Model solution: ``p ** (1 / T)``, divided by its sum."""
    p = np.asarray(probs, dtype=float) ** (1.0 / temperature)
    return p / p.sum()


def _compare_temperature(got, want, case) -> str | None:
    probs, t = case
    got = np.asarray(got, dtype=float)
    if got.shape != np.shape(probs):
        return f"Return one probability per token, shape {np.shape(probs)}."
    if np.allclose(got, want):
        return None
    raw = np.asarray(probs) ** (1 / t)
    if np.allclose(got, raw):
        return "Divide by the sum at the end, so the probabilities add up to 1 again."
    wrong = np.asarray(probs) ** t
    if np.allclose(got, wrong / wrong.sum()):
        return "You raised to the power T; use 1 / T, so a small temperature sharpens the distribution."
    p = np.asarray(probs, dtype=float)
    if t != 1 and np.allclose(got, p / t):
        return ("Python does ** before /, so p ** 1 / temperature means (p ** 1) / temperature: it only "
                "divides. Put brackets around the power: 1 / temperature together.")
    if t != 1 and np.allclose(got, p):
        return ("The probabilities came back unchanged, so the temperature did nothing. (If you wrote "
                "p ** 1 / temperature: Python does ** before /, so put brackets around 1 / temperature.)")
    if np.allclose(got, p * t):
        return "Scaling the probabilities does not change their shape once normalised. Raise them to the power 1 / T."
    return ("Raise every probability to the power one over the temperature, then make them add up to 1 "
            "again (divide by their total).")


temperature_exercise = Exercise(
    name="apply_temperature",
    describe="apply_temperature(probs, temperature)",
    reference=reference_apply_temperature,
    cases=[(_PROBS[0], 0.5), (_PROBS[0], 2.0), (_PROBS[1], 0.1), (_PROBS[2], 3.0), (_PROBS[1], 1.0)],
    compare=_compare_temperature,
)


def check_apply_temperature(func) -> Feedback:
    """Check ``func(probs, temperature) -> np.ndarray``: the distribution after a temperature."""
    return run_exercise(temperature_exercise, func)


# ----------------------------------------------------------------------------- predict, then test

TEMPERATURE_CHOICES = {
    "a": "It plays the model's favourite moves almost every time: safe, repetitive, often long held notes.",
    "b": "It plays random notes all over the keyboard.",
    "c": "It makes no difference: the model has learned its answer.",
    "d": ("It plays a few more surprising notes than at temperature 1, but every note still fits the "
          "call's key and rhythm."),
}
"""Statements about what a temperature does to the answers (for :func:`check_temperature_prediction`)."""

_HINTS = {
    (0.1, "b"): "Low temperature sharpens the distribution (p ** 10 at T = 0.1): the likely tokens win even more.",
    (0.1, "c"): "Temperature reshapes the probabilities before each draw, so it changes what is played.",
    (0.1, "d"): "Unusual notes get rarer, not more common, when T < 1: p ** 10 shrinks small probabilities most.",
    (2.0, "a"): "High temperature flattens the distribution (p ** 0.5 at T = 2): unlikely tokens get more chances.",
    (2.0, "c"): "Temperature reshapes the probabilities before each draw, so it changes what is played.",
    (2.0, "d"): ("Flattening gives unlikely tokens (odd leaps, rhythms, far pitches) much more chance, so the "
                 "answer often stops fitting: think of what p ** 0.5 does to a token with p = 0.0001."),
}


@dataclass
class NotedPrediction:
    """A prediction written down before listening: shown, not graded (see :func:`note_temperature_prediction`)."""

    at_0_1: str
    at_2_0: str
    problem: str = ""

    def __str__(self) -> str:
        if self.problem:
            return f"✏️ Not noted yet: {self.problem}"
        return (f"📝 Noted: at T = 0.1 you expect ({self.at_0_1}), at T = 2.0 ({self.at_2_0}). Now listen to both "
                "answers below; the check after them tells you whether the model agrees.")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        return (f'<div class="lessonkit-feedback" data-passed="noted" style="background:#eef3fb;padding:8px 12px;'
                f'border-radius:6px;">{html.escape(str(self))}</div>')


def note_temperature_prediction(at_0_1: str, at_2_0: str) -> NotedPrediction:
    """Write down a prediction (a letter of :data:`TEMPERATURE_CHOICES` for T = 0.1 and T = 2.0) before listening.

    Nothing is graded yet: the student listens to both answers first, then runs
    :func:`check_temperature_prediction` with the same letters.
    """
    letters = [str(at_0_1).strip().lower(), str(at_2_0).strip().lower()]
    for letter in letters:
        if letter not in TEMPERATURE_CHOICES:
            return NotedPrediction(*letters, problem=(f"{letter!r} is not one of the choices; write a letter: "
                                                      f"{', '.join(TEMPERATURE_CHOICES)}."))
    return NotedPrediction(*letters)


def check_temperature_prediction(at_0_1: str, at_2_0: str) -> Feedback:
    """Check a prediction: which statement of :data:`TEMPERATURE_CHOICES` fits temperature 0.1, which 2.0?

    Parameters
    ----------
    at_0_1, at_2_0 : str
        A letter ``"a"``..``"d"`` for each temperature.
    """
    answers = {0.1: str(at_0_1).strip().lower(), 2.0: str(at_2_0).strip().lower()}
    for t, letter in answers.items():
        if letter not in TEMPERATURE_CHOICES:
            return Feedback(False, f"{letter!r} is not one of the choices.",
                            f"Answer with a letter: {', '.join(TEMPERATURE_CHOICES)}.", 0, 2)
    right = {0.1: "a", 2.0: "b"}
    wrong = [t for t in answers if answers[t] != right[t]]
    if not wrong:
        return check_value(True, True, what="Your prediction for both temperatures", hint="")
    t = wrong[0]
    hint = _HINTS.get((t, answers[t]), "Compare what p ** (1 / T) does for T = 0.1 and T = 2.")
    return Feedback(False, f"Your prediction for temperature {t} does not match what the model does.", hint,
                    2 - len(wrong), 2)


EXERCISES = {e.name: e for e in (mean_nll_exercise, perplexity_exercise, temperature_exercise)}
"""Every exercise of lesson 02 by name (the homework grader looks them up here)."""
