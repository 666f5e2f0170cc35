"""A blind listening test: human or AI? Then the answers, your score, and the whole class's.

Lesson: notebooks/05_ai_as_musical_assistant.ipynb

One call builds it::

    test = listening_test(seed=0)      # 8 shuffled clips: 4 real folk tunes, 4 from the models
    test                               # (a widget) listen, answer "human" or "AI" for each, press Reveal
    test.save_answers("answers_alice.csv", student="alice")   # after Reveal; never overwrites
    plot_class_results("class_answers/")     # the teacher pools every CSV into one chart (.class_results)

Fair by construction: every clip is the same length (``bars`` bars, from a bar line), at the same
tempo, on the same instrument, scaled to the same peak loudness, and is rebuilt from its step
tokens, so no title, collection, model name or seed travels with it. The student sees "Clip 1",
"Clip 2", ... and a player; what each clip really is stays inside the test until Reveal
(:meth:`ListeningTest.reveal`). The same seed gives the same clips in the same order, so a whole
class can take the same test and pool their answers.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import LessonkitError, LessonkitTypeError, expect_int
from ..music import Melody

HUMAN, AI = "human", "AI"
CHOICES = (HUMAN, AI)
CSV_FIELDS = ("student", "seed", "clip", "answer", "truth", "source", "right")


@dataclass(frozen=True)
class Clip:
    """One clip as the student gets it: a neutral label, the notes (no metadata) and the sound.

    Attributes
    ----------
    label : str
        ``"Clip 1"``, ``"Clip 2"``, ...
    melody : Melody
        The notes, rebuilt from step tokens (``meta`` is empty).
    audio : np.ndarray, shape=(n_samples,), float32
        The clip rendered at :data:`lessonkit.audio.SR`, peak 0.9.
    """

    label: str
    melody: Melody = field(repr=False)
    audio: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class _Truth:
    truth: str       # "human" or "AI"
    source: str      # "corpus", "markov", "neural", ...
    detail: str      # a title and collection, or the model, temperature and seed


def _neutral(melody: Melody, tempo_bpm: float, meter: str) -> Melody:
    """The notes only: rebuilt from tokens, so nothing about where they came from is carried along."""
    return Melody.from_tokens(melody.to_tokens(), tempo_bpm=tempo_bpm, meter=meter)


class ListeningTest:
    """A set of shuffled clips, the student's answers, and (hidden until :meth:`reveal`) the truth.

    Build it with :func:`listening_test`. In a notebook it shows as the widget.

    Attributes
    ----------
    clips : list of Clip
        In the order the student hears them.
    answers : list of str or None
        ``"human"``, ``"AI"`` or ``None`` (not answered) per clip.
    seed : int
    revealed : bool
    """

    def __init__(self, clips, truths, seed):
        self.clips = list(clips)
        self._truths = list(truths)  # what each clip is: never shown before reveal()
        self.answers = [None] * len(self.clips)
        self.seed = seed
        self.revealed = False
        self._widget = None

    def __len__(self) -> int:
        return len(self.clips)

    def __repr__(self) -> str:
        answered = sum(a is not None for a in self.answers)
        return f"ListeningTest({len(self)} clips, seed={self.seed}, {answered} answered)"

    def answer(self, clip: int, choice: str) -> None:
        """Answer one clip (0-based index): ``"human"`` or ``"AI"``. Answers are fixed after :meth:`reveal`."""
        clip = expect_int(clip, "clip", low=0, high=len(self) - 1, hint="Clips are counted from 0 here.")
        if choice not in CHOICES:
            raise LessonkitError(f"choice={choice!r}: answer {HUMAN!r} or {AI!r}.")
        if self.revealed:
            raise LessonkitError("The answers are revealed, so they can no longer change. Start a new test "
                                 "with another seed to try again.")
        self.answers[clip] = choice
        if self._widget is not None:
            self._widget._sync()

    def score(self) -> tuple[int, int]:
        """``(right, total)``: answers that match the truth, out of all clips (unanswered count as wrong)."""
        return sum(a == t.truth for a, t in zip(self.answers, self._truths)), len(self)

    def reveal(self) -> list:
        """Show the truth: one dict per clip (``clip, answer, truth, source, detail, right``). Fixes the answers."""
        self.revealed = True
        if self._widget is not None:
            self._widget._sync()
        return [dict(clip=c.label, answer=a, truth=t.truth, source=t.source, detail=t.detail, right=a == t.truth)
                for c, a, t in zip(self.clips, self.answers, self._truths)]

    def csv_text(self, student: str) -> str:
        """The answers as CSV text (after :meth:`reveal`): one row per clip, columns :data:`CSV_FIELDS`."""
        if not isinstance(student, str) or not student.strip() or "," in student:
            raise LessonkitTypeError(f"student={student!r}: give your name or class id as text without commas, "
                                     'e.g. student="alice".')
        if not self.revealed:
            raise LessonkitError("Reveal the answers first (the Reveal button, or test.reveal()): the file holds "
                                 "the truth too, so it is written only once you have answered.")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for i, row in enumerate(self.reveal()):
            writer.writerow([student.strip(), self.seed, i + 1, row["answer"] or "", row["truth"], row["source"],
                             int(bool(row["right"]))])
        return out.getvalue()

    def save_answers(self, path, *, student: str, overwrite: bool = False) -> str:
        """Write the answers to a CSV file for the class chart; never overwrites unless asked.

        Lesson: notebooks/05_ai_as_musical_assistant.ipynb

        Returns
        -------
        str
            The path written.
        """
        from ..files import atomic_write_bytes, refuse_overwrite

        text = self.csv_text(student)
        path = refuse_overwrite(os.fspath(path), overwrite)
        return atomic_write_bytes(path, text.encode("utf-8"))

    # -- the widget ------------------------------------------------------------------

    def widget(self):
        """The test as an ipywidgets ``VBox`` (one is made per test and reused)."""
        if self._widget is None:
            self._widget = _ListeningWidget(self)
        return self._widget

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())


def listening_test(n_clips: int = 8, *, seed: int = 0, bars: int = 2, instrument: str = "piano",
                   tempo_bpm: float = 100.0, models=("markov", "neural"), temperature: float = 1.0,
                   extra_ai: dict | None = None) -> ListeningTest:
    """A blind listening test: half real folk tunes from the test split, half answers of the models.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Parameters
    ----------
    n_clips : int
        Number of clips, 2..20 (an even number is split evenly; an odd one has one more real clip).
    seed : int
        Chooses the tunes, the models' dice and the order. Same seed, same test.
    bars : int
        Length of every clip in bars of 4/4, 1..4.
    instrument : str
        One instrument for every clip (:func:`lessonkit.audio.available_instruments`).
    tempo_bpm : float
        One tempo for every clip.
    models : tuple of str
        Duet models (``"markov"``, ``"neural"``) that make the AI clips, in turn; each answers the
        opening of a real tune (not one of the clips).
    extra_ai : dict, optional
        More AI sources: name -> ``function(seed) -> Melody`` (e.g. samples of the loops VAE);
        they take turns with ``models``.

    Returns
    -------
    ListeningTest
        Shows as the widget in a notebook.
    """
    from .. import audio
    from ..datasets import load_tunes
    from ..models.duet import load_pretrained
    from ..models.base import one_thread
    from ..values import opening_calls

    n_clips = expect_int(n_clips, "n_clips", low=2, high=20)
    seed = expect_int(seed, "seed", low=0)
    bars = expect_int(bars, "bars", low=1, high=4)
    if isinstance(models, str):
        models = (models,)
    sources = [(name, None) for name in models] + [(name, fn) for name, fn in (extra_ai or {}).items()]
    if not sources:
        raise LessonkitError("Give at least one model for the AI clips, e.g. models=('neural',).")
    if instrument not in audio.available_instruments():
        raise LessonkitError(f"instrument={instrument!r} is not in the set; choose one of "
                             f"{', '.join(audio.available_instruments())}.")
    rng = np.random.default_rng(seed)
    n_ai = n_clips // 2
    n_real = n_clips - n_ai
    steps = bars * 16
    tunes = [t for t in load_tunes("test") if t.meter == "4/4" and t.length_steps >= (bars + 2) * 16 + t.pickup_steps]
    order = rng.permutation(len(tunes))
    melodies, truths = [], []
    used = 0
    for i in order:  # real clips: a window of whole bars with a note on its first step
        if len(melodies) == n_real:
            break
        tune = tunes[i]
        start0 = tune.pickup_steps % 16
        n_windows = (tune.length_steps - start0) // 16 - bars + 1
        start = start0 + 16 * int(rng.integers(0, n_windows))
        clip = tune.window(start, start + steps)
        if len(clip) < 4 or clip.onsets_steps[0] != 0:
            continue
        melodies.append(clip)
        truths.append(_Truth(HUMAN, "corpus", f"{tune.meta.get('title')} ({tune.meta.get('collection')}), "
                                              f"bars from step {start}"))
        used = max(used, int(np.flatnonzero(order == i)[0]) + 1)
    calls = opening_calls([tunes[i] for i in order[used:]], bars=2)
    for k in range(n_ai):
        name, fn = sources[k % len(sources)]
        clip_seed = seed * 1000 + k
        if fn is None:
            call = calls[k % len(calls)]
            with one_thread():
                clip = load_pretrained(name).respond(call, bars=bars, temperature=temperature, seed=clip_seed)
            detail = f"{name} model, temperature {temperature:g}, seed {clip_seed}"
        else:
            clip = fn(clip_seed)
            if not isinstance(clip, Melody):
                raise LessonkitTypeError(f"extra_ai[{name!r}] returned {type(clip).__name__}, not a Melody.")
            clip = clip.window(0, min(steps, clip.length_steps))
            detail = f"{name}, seed {clip_seed}"
        melodies.append(clip)
        truths.append(_Truth(AI, name, detail))
    shuffle = rng.permutation(len(melodies))
    clips, hidden = [], []
    for number, j in enumerate(shuffle, start=1):
        melody = _neutral(melodies[j], tempo_bpm, "4/4")
        sound = audio.render(melody, instrument)
        peak = float(np.max(np.abs(sound))) or 1.0
        clips.append(Clip(f"Clip {number}", melody, (sound * (0.9 / peak)).astype(np.float32)))
        hidden.append(truths[j])
    return ListeningTest(clips, hidden, seed)


# ----------------------------------------------------------------------------- the widget


class _ListeningWidget:
    """Rows of (label, player, human/AI buttons), a status line, and the Reveal button."""

    def __new__(cls, test: ListeningTest):
        import ipywidgets as widgets

        from ..audio import to_wav_bytes

        box = widgets.VBox(layout=widgets.Layout(width="100%"))
        box.add_class("lessonkit-listening-test")
        toggles = []
        rows = []
        for i, clip in enumerate(test.clips):
            toggle = widgets.ToggleButtons(options=list(CHOICES), value=None, description="",
                                           tooltips=["a person wrote it", "a model made it"],
                                           style={"button_width": "80px"},
                                           layout=widgets.Layout(min_width="180px", flex="0 0 auto"))

            def changed(change, i=i):
                if change["new"] is not None and not test.revealed and test.answers[i] != change["new"]:
                    test.answer(i, change["new"])

            toggle.observe(changed, names="value")
            player = widgets.Audio(value=to_wav_bytes(clip.audio), format="wav", autoplay=False, loop=False)
            verdict = widgets.HTML("", layout=widgets.Layout(flex="1 1 auto"))
            rows.append(widgets.HBox([widgets.HTML(f"<b>{clip.label}</b>", layout=widgets.Layout(width="70px")),
                                      player, toggle, verdict], layout=widgets.Layout(align_items="center")))
            toggles.append((toggle, verdict))
        status = widgets.HTML("")
        reveal = widgets.Button(description="Reveal answers", button_style="primary", icon="eye",
                                layout=widgets.Layout(width="auto", min_width="160px"))

        def on_reveal(_):
            test.reveal()

        reveal.on_click(on_reveal)
        box.children = [widgets.HTML("<b>Human or AI?</b> Listen to each clip and choose. Then press "
                                     "<i>Reveal answers</i>.")] + rows + [widgets.HBox([reveal, status])]
        box._test, box._toggles, box._status, box._reveal = test, toggles, status, reveal
        box._sync = lambda: _sync(box)
        _sync(box)
        return box


def _sync(box) -> None:
    test = box._test
    answered = sum(a is not None for a in test.answers)
    for (toggle, verdict), answer in zip(box._toggles, test.answers):
        if toggle.value != answer:
            toggle.value = answer
        toggle.disabled = test.revealed
    if not test.revealed:
        box._status.value = f"<span class='lessonkit-score'>Answered {answered} of {len(test)}.</span>"
        return
    right, total = test.score()
    for (toggle, verdict), row in zip(box._toggles, _rows(test)):
        mark = "✅" if row["right"] else ("❌" if row["answer"] else "·")
        verdict.value = f"{mark} <b>{row['truth']}</b> <small>({row['detail']})</small>"
    box._reveal.disabled = True
    box._status.value = (f"<span class='lessonkit-score'>Score: {right} of {total} right "
                         f"({answered} answered).</span>")


def _rows(test: ListeningTest) -> list:
    truths = test._truths
    return [dict(answer=a, truth=t.truth, detail=t.detail, right=a == t.truth) for a, t in zip(test.answers, truths)]


def guessing_class(folder, test: ListeningTest, *, n_students: int = 20, seed: int = 0) -> list:
    """Write the answer files of a pretend class that only guesses (a coin flip per clip): the baseline.

    Lesson: notebooks/05_ai_as_musical_assistant.ipynb

    Real students' files pooled with :func:`plot_class_results` should beat this class; if they do
    not, the models fooled them. The pretend students are named ``guesser_01``, ... so their files
    are never mistaken for a real student's. Existing files are never overwritten.

    Returns
    -------
    list of str
        The paths written.
    """
    from ..files import atomic_write_bytes, refuse_overwrite

    if not isinstance(test, ListeningTest):
        raise LessonkitTypeError("test should be a listening test made by listening_test(...).")
    n_students = expect_int(n_students, "n_students", low=1, high=500)
    rng = np.random.default_rng(expect_int(seed, "seed", low=0))
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    paths = []
    for k in range(1, n_students + 1):
        pretend = ListeningTest(test.clips, test._truths, test.seed)
        for i in range(len(pretend)):
            pretend.answers[i] = CHOICES[int(rng.integers(0, 2))]
        pretend.revealed = True
        name = f"guesser_{k:02d}"
        path = refuse_overwrite(os.path.join(folder, f"{name}.csv"), False)
        paths.append(atomic_write_bytes(path, pretend.csv_text(name).encode("utf-8")))
    return paths
