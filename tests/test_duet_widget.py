"""The duet widget: keys add notes, Respond answers, errors are shown in the widget."""

import matplotlib
import pytest

from lessonkit import Melody
from lessonkit.errors import LessonkitError
from lessonkit.models import rules
from lessonkit.widgets.duet import DuetWidget, duet_widget, padded_call

matplotlib.use("Agg")


def rule_widget(**kw):
    return duet_widget({"echo": rules.RuleResponder("echo"), "invert": rules.RuleResponder("invert")}, **kw)


def keys(w):
    black, white = w.children[0].children
    return {b.description: b for row in (black, white) for b in row.children if hasattr(b, "description")}


def test_widget_answers_the_starting_call():
    w = rule_widget(call="C4 D4 E4 F4")
    assert isinstance(w, DuetWidget)
    assert w.answer == Melody.parse("C4 D4 E4 F4 r*4")
    assert w.probs.shape == (32, 130)
    assert w.player.value and not w.player.autoplay  # no sound before the student asks


def test_keyboard_spans_two_octaves_with_note_names():
    names = keys(rule_widget())
    assert len(names) == 25 and "C4" in names and "F#5" in names and "C6" in names


def test_keys_add_notes_of_the_chosen_length_and_sound():
    w = rule_widget(call="", respond=False)
    silent = w.key_sound.value
    w.length.value = "/2"
    keys(w)["E4"].click()
    keys(w)["G4"].click()
    assert w.text.value == "E4/2 G4/2"
    assert w.key_sound.value != silent


def test_respond_button_answers_with_the_chosen_responder():
    w = rule_widget(call="C4 E4 G4 E4")
    w.choice.value = "invert"
    w.respond_button.click()
    assert list(w.answer.pitches) == [60, 56, 53, 56]
    assert "invert answered with 4 notes" in w.status.value
    assert w.player.autoplay


def test_bad_calls_are_shown_in_the_widget_not_raised():
    w = rule_widget()
    before = w.answer
    for text in ("", "r r", "H4 C4"):
        w.text.value = text
        assert w.respond() is None
        assert "b00020" in w.status.value  # the error colour
    assert w.answer is before


def test_responders_are_loaded_when_first_chosen():
    made = []

    def make():
        made.append(1)
        return rules.RuleResponder("echo")

    w = duet_widget({"lazy": make, "now": rules.RuleResponder("invert")}, respond=False)
    assert not made
    w.choice.value = "lazy"
    w.respond()
    w.respond()
    assert made == [1]


def test_bad_widget_arguments_are_clear_errors():
    with pytest.raises(LessonkitError):
        duet_widget({})
    with pytest.raises(LessonkitError):
        rule_widget(octaves=9)


def test_padded_call_ends_on_a_bar_line():
    assert padded_call(Melody.parse("C4 D4 E4")).length_steps == 16
    assert padded_call(Melody.parse("C4 D4 E4 F4")).length_steps == 16
    assert padded_call(Melody.parse("C4 D4 E4 F4", meter="3/4")).length_steps == 24


def test_probability_heatmap_marks_the_played_tokens():
    import numpy as np

    from lessonkit import plots

    probs = np.full((8, 130), 1e-4)
    probs[:, 128] = 0.5
    probs[np.arange(8), 60 + np.arange(8)] = 0.5
    probs /= probs.sum(axis=1, keepdims=True)
    ax = plots.probability_heatmap(probs, chosen=[60, 128, 62, 129, 64, 65, 66, 67], title="t")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "HOLD" and "C4" in labels
    right = [t.get_text() for a in ax.child_axes for t in a.get_yticklabels()]
    assert right == ["REST"]  # on the other side: HOLD and REST labels never overlap
    assert ax.images[0].get_array().shape == (67 - 60 + 1 + 2, 8)
    with pytest.raises(LessonkitError, match="shape"):
        plots.probability_heatmap(np.ones((4, 128)))
