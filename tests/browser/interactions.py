"""What a student *does* in each lesson, replayed in the browser after Run All.

Every notebook in ``notebooks/`` must register at least one interaction here: a function
that takes a :class:`~tests.browser.notebook_page.NotebookPage` (the lesson open in Lab, all
cells run), works a widget the way a student would (pick from a dropdown, drag a slider,
press keys, click a button) and asserts that the plot or the sound changed. A lesson
without one fails ``test_lesson_has_an_interaction``, so nobody forgets; the only way out is
an entry in :data:`NO_INTERACTION` with the reason.

Adding one for a new lesson::

    @interaction("02_ai_duet")
    def duet_answers(nb):
        before = outputs(nb)
        nb.click_button("C4")              # a key of the on-screen keyboard
        nb.click_button("Respond")
        after = nb.wait_for_change(lambda: outputs(nb), before, what="the duet's answer")
        assert after.audio != before.audio

Gestures available on ``nb``: ``select(label, option)``, ``drag_slider(label, fraction)``,
``type_slider(label, value)``, ``press_slider(label, key, times)``, ``click_button(text)``,
``slider_value(label)``, ``images()``, ``audio()``, ``text()``, ``wait_for_change(...)``,
and ``nb.page`` (the Playwright page) for anything else. The same function runs in
JupyterLab and in Notebook 7; prefer the mouse (drag, click, select) and typing: in
Notebook 7 arrow keys on a focused slider are taken by a notebook shortcut
(see ``test_arrow_keys_move_a_slider``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .servers import ARTIFACTS

INTERACTIONS: dict[str, Callable] = {}
"""Notebook name (file name without ``.ipynb``) -> interaction function."""

NO_INTERACTION: dict[str, str] = {
    # "05_ai_as_musical_assistant": "discussion lesson; its listening test is checked in ...",
}
"""Notebooks that have no interaction, each with the reason. Keep this list short."""


def interaction(notebook: str):
    """Register ``function(nb)`` as the interaction for ``notebooks/<notebook>.ipynb``."""

    def register(function: Callable) -> Callable:
        if notebook in INTERACTIONS:
            raise ValueError(f"{notebook} already has an interaction: {INTERACTIONS[notebook].__name__}")
        INTERACTIONS[notebook] = function
        return function

    return register


@dataclass(frozen=True)
class Outputs:
    """Fingerprints of every plot and player on the page, to see what an interaction changed."""

    images: tuple
    audio: tuple
    durations: tuple

    def changed_audio(self, other: "Outputs") -> list[int]:
        return [i for i, (a, b) in enumerate(zip(self.audio, other.audio)) if a != b]


def outputs(nb) -> Outputs:
    players = nb.audio()
    return Outputs(images=tuple(i["digest"] for i in nb.images()),
                   audio=tuple(a["digest"] for a in players),
                   durations=tuple(a["duration"] for a in players))


# ------------------------------------------------------------------------------ fixture


@interaction("slider_plot_audio")
def fixture_slider_redraws_plot_and_sound(nb):
    """The fixture's Transpose slider, dragged with the mouse and typed into, redraws its plot and sound."""
    before = outputs(nb)
    value = nb.drag_slider("Transpose", 1.0)
    assert value == "5", f"dragging the handle to the right end should give 5, the readout says {value!r}"
    after_drag = wait_both_change(nb, before, "the plot and sound to follow the dragged slider")

    value = nb.type_slider("Transpose", -3)
    assert value == "-3", f"typing -3 into the readout should set it, the readout says {value!r}"
    wait_both_change(nb, after_drag, "the plot and sound to follow the typed value")


def wait_both_change(nb, before: Outputs, what: str, timeout_s: float = 60) -> Outputs:
    """Wait until some plot *and* some player differ from ``before``, then until the page is quiet."""
    nb.wait_until(lambda: (lambda now: now.images != before.images and now.audio != before.audio)(outputs(nb)),
                  timeout_s, what, interval_s=0.3)
    return nb.wait_stable(lambda: outputs(nb), timeout_s=timeout_s, what=what)


# ------------------------------------------------------------------------------ lesson 00


@interaction("00_music_as_data")
def tune_explorer_follows_tune_tempo_and_transpose(nb):
    """Lesson 00's tune explorer: a new tune, then transpose, redraw the piano roll and the sound;
    a new tempo changes the sound's length in proportion and leaves the piano roll alone (it counts steps)."""
    start = outputs(nb)

    picked = nb.select("tune", index=2)
    after_tune = wait_both_change(nb, start, f"the piano roll and player to show {picked!r}")

    value = nb.drag_slider("transpose (semitones)", 0.75)  # -12..12 → about +6
    assert value not in ("0", ""), f"dragging the transpose slider did not move it (readout {value!r})"
    after_shift = wait_both_change(nb, after_tune, "the piano roll and player to follow the transpose slider")

    pictures = nb.image_bytes()
    old_tempo = int(nb.slider_value("tempo (bpm)"))
    new_tempo = int(nb.drag_slider("tempo (bpm)", 0.1 if old_tempo > 80 else 0.9))  # 40..240 bpm
    assert new_tempo != old_tempo, f"dragging the tempo slider did not move it (still {old_tempo})"
    after_tempo = nb.wait_for_change(lambda: outputs(nb), after_shift, what="the player to follow the tempo slider")
    changed = after_shift.changed_audio(after_tempo)
    assert len(changed) == 1, f"one player (the explorer's) should change with the tempo, {len(changed)} did"
    i = changed[0]
    ratio = after_tempo.durations[i] / after_shift.durations[i]
    expected = old_tempo / new_tempo
    assert abs(ratio - expected) < 0.1 * expected, (
        f"at {new_tempo} instead of {old_tempo} bpm the sound should last about {expected:.2f}x as long, "
        f"it lasts {ratio:.2f}x")
    moved = [i for i, (a, b) in enumerate(zip(after_shift.images, after_tempo.images)) if a != b]
    for i in moved:  # for a person to compare
        (ARTIFACTS / f"00_music_as_data.plot{i}-before-tempo.png").write_bytes(pictures[i])
        (ARTIFACTS / f"00_music_as_data.plot{i}-after-tempo.png").write_bytes(nb.image_bytes()[i])
    assert not moved and len(after_tempo.images) == len(after_shift.images), (
        f"the tempo slider changed plot(s) {moved} (of {len(after_tempo.images)}); lesson 00 teaches that "
        "the piano roll counts steps, so only the sound should change")


# ------------------------------------------------------------------------------ lessons 01 and 02


def _duet_plays_and_answers(nb, responder: str, keys=("E4", "D4", "C4")):
    """Press some keys of the first duet widget, choose a responder, press Respond; the piano roll,
    the heatmap and the call+answer player must change, and the status must say who answered."""
    before = outputs(nb)
    for key in keys:
        nb.click_button(key)
    picked = nb.select("responder", responder)
    nb.click_button("Respond")
    wait_both_change(nb, before, f"the duet to draw and play {picked}'s answer")
    nb.wait_until(lambda: f"{picked} answered with" in nb.text(), 30, f"the status line to say {picked} answered")


@interaction("01_rules_vs_examples")
def duet_with_a_rule_answers_the_played_keys(nb):
    """Lesson 01's rule duet: keys add notes, the inversion rule answers them."""
    _duet_plays_and_answers(nb, "invert")


@interaction("02_ai_duet")
def duet_with_the_neural_net_answers_the_played_keys(nb):
    """Lesson 02's duet: keys add notes, the neural net answers; then the Markov model does."""
    _duet_plays_and_answers(nb, "neural")
    _duet_plays_and_answers(nb, "markov", keys=("G4",))


# ------------------------------------------------------------------------------ lesson 05


@interaction("05_ai_as_musical_assistant")
def listening_test_counts_and_scores_an_answer(nb):
    """Lesson 05's blind listening test: answering clip 1 moves the count; Reveal shows the score, which
    agrees with the per-clip verdicts it reveals (clip 1 right or wrong, the unanswered ones wrong)."""
    import re

    nb.wait_until(lambda: "Answered 0 of 8." in nb.text(), 30, "the listening test's status line")
    nb.click_button("human")  # the first human/AI button on the page: clip 1's
    nb.wait_until(lambda: "Answered 1 of 8." in nb.text(), 30, "the count to follow the answer to clip 1")
    nb.click_button("Reveal answers")
    nb.wait_until(lambda: "Score:" in nb.text(), 30, "the score after Reveal")
    text = nb.text()
    score = re.search(r"Score: (\d) of 8 right \((\d) answered\)", text)
    assert score, f"no score line after Reveal: {text[-400:]!r}"
    verdicts = re.findall(r"([✅❌·]) (human|AI) \(", text)
    assert len(verdicts) == 8, f"Reveal should show 8 verdicts, found {verdicts}"
    right = sum(mark == "✅" for mark, _ in verdicts)
    assert int(score.group(2)) == 1 and int(score.group(1)) == right, (
        f"the score {score.group(0)!r} does not match the verdicts {verdicts}")
    assert right == (verdicts[0][1] == "human"), "clip 1 was answered 'human': it is right exactly when it is human"
# ------------------------------------------------------------------------------ lesson 03


@interaction("03_neural_synthesizer")
def morph_alpha_and_pad_point_redraw_and_replay(nb):
    """Lesson 03: dragging the morph's alpha to B redraws the waveform/spectrogram and re-plays the
    sound; pressing the pad's trumpet corner gives another sound and picture."""
    before = outputs(nb)
    value = nb.drag_slider("alpha (0 = A, 1 = B)", 1.0)
    assert value.startswith("1"), f"dragging alpha to the right end should give 1.00, the readout says {value!r}"
    after_alpha = wait_both_change(nb, before, "the morph's plot and player to follow alpha")

    nb.click_button("trumpet")            # the pad's bottom-right corner
    after_pad = wait_both_change(nb, after_alpha, "the pad's plot and player to follow the pressed point")
    nb.wait_until(lambda: "point (1.00, 0.00)" in nb.text(), 30, "the pad's status to name the pressed corner")
    assert after_pad.changed_audio(after_alpha), "pressing a point of the pad should change a player"


# ------------------------------------------------------------------------------ lesson 04


@interaction("04_latent_loops")
def latent_palette_plays_a_clicked_cell_and_new_corners(nb):
    """Lesson 04's palette: clicking a cell plays that cell's loop and frames it in the picture;
    new corners from the corpus refill the square (picture) and play the selected cell's new loop;
    a note clicked on the step grid and put in a corner refills the square again."""
    before = outputs(nb)
    nb.click_button("3,4")
    after_click = wait_both_change(nb, before, "the palette to frame and play cell (3, 4)")
    nb.wait_until(lambda: "cell row 3, column 4" in nb.text(), 30, "the palette to say which cell plays")
    nb.click_button("Corners from the corpus")
    after_corpus = wait_both_change(nb, after_click,
                                    "the palette to refill the square from 4 corpus loops and play the new cell")
    # write the top-left corner on the step grid: open it, start a C6 on step 5, use it
    panel = nb.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    header = panel.locator(".jupyter-widget-Collapse-header", has_text="Write a corner loop on a step grid").first
    header.scroll_into_view_if_needed()
    header.click()
    cell = panel.locator(".lk-steps .lk-cell[data-step='4'][data-token='84']").first
    cell.scroll_into_view_if_needed()
    cell.click()
    nb.wait_until(lambda: "lk-on" in (cell.get_attribute("class") or ""), 30, "the clicked grid cell to fill")
    top_left = panel.locator(".widget-text", has=nb.page.locator("label", has_text="top left")).locator("input").first
    typed = top_left.input_value()
    nb.click_button("Use the grid for this corner")
    nb.wait_until(lambda: top_left.input_value() != typed and "C6" in top_left.input_value(), 30,
                  "the top-left corner's text box to hold the loop written on the grid")
    # the square is decoded again and redrawn (the cell playing, (3, 4), may decode as before)
    nb.wait_until(lambda: outputs(nb).images != after_corpus.images, 60, "the palette to redraw the square")
