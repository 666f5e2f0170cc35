"""Lesson 05's originality meter widget: an answer, its copied run and source, following the controls."""

from lessonkit.widgets import originality_meter


def test_the_meter_answers_and_follows_temperature_and_model():
    box = originality_meter("C4 E4 G4 E4 | C4*2 r*2", model="neural", temperature=1.0, seed=0)
    controls, info = box.children[0], box.children[1]
    first = box.answer
    assert box.result.n_intervals == len(first) - 1
    assert "copied" in info.value
    controls.children[1].value = 0.0  # temperature slider
    assert box.answer.meta["temperature"] == 0.0
    controls.children[2].value = 3    # seed
    assert box.answer.meta["seed"] == 3
    controls.children[0].value = "markov"
    assert box.answer.meta["kind"] == "markov"
