"""The blind listening test (lesson 05): scored right, seeded, and no clip gives its source away."""

import numpy as np
import pytest

from lessonkit.errors import FileExistsLessonkitError, LessonkitError
from lessonkit.widgets.class_results import class_summary, plot_class_results, pool_answers
from lessonkit.widgets.listening import AI, HUMAN, listening_test

SOURCE_WORDS = ("human", "ai", "markov", "neural", "corpus", "model", "real", "tune", "oneill", "essen",
                "temperature", "seed")


@pytest.fixture(scope="module")
def test0():
    return listening_test(n_clips=6, seed=0)


def _truths(test):
    return [t.truth for t in test._truths]


def test_answers_are_scored_against_the_truth():
    test = listening_test(n_clips=6, seed=0)
    truths = _truths(test)
    assert sorted(truths) == sorted([HUMAN] * 3 + [AI] * 3)
    assert test.score() == (0, 6)  # nothing answered yet
    test.answer(0, truths[0])
    test.answer(1, AI if truths[1] == HUMAN else HUMAN)
    assert test.score() == (1, 6)
    for i, t in enumerate(truths):
        test.answer(i, t)
    assert test.score() == (6, 6)
    rows = test.reveal()
    assert [r["right"] for r in rows] == [True] * 6
    with pytest.raises(LessonkitError, match="revealed"):
        test.answer(0, HUMAN)


def test_the_shuffle_is_seeded(test0):
    again = listening_test(n_clips=6, seed=0)
    assert [c.label for c in again.clips] == [c.label for c in test0.clips]
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(again.clips, test0.clips))
    assert [t.detail for t in again._truths] == [t.detail for t in test0._truths]
    other = listening_test(n_clips=6, seed=1)
    assert [t.detail for t in other._truths] != [t.detail for t in test0._truths]


def test_no_clip_reveals_its_source_in_name_or_metadata(test0):
    for i, clip in enumerate(test0.clips):
        assert clip.label == f"Clip {i + 1}"
        assert clip.melody.meta == {}
        shown = (repr(clip) + str(clip.melody)).lower()
        assert not any(word in shown.split("'") for word in SOURCE_WORDS), shown
        for word in ("markov", "neural", "corpus", "human"):
            assert word not in repr(clip).lower()
    # same length, tempo and loudness for every clip: nothing but the notes tells them apart
    assert len({c.melody.length_steps for c in test0.clips}) == 1
    assert len({c.melody.tempo_bpm for c in test0.clips}) == 1
    assert all(abs(float(np.abs(c.audio).max()) - 0.9) < 1e-3 for c in test0.clips)
    assert "corpus" not in repr(test0) and "neural" not in repr(test0)


def test_the_widget_shows_no_source_before_reveal():
    import ipywidgets as widgets

    test = listening_test(n_clips=4, seed=2)
    box = test.widget()

    def texts(w):
        out = []
        for attr in ("value", "description", "tooltip"):
            v = getattr(w, attr, None)
            if isinstance(v, str):
                out.append(v)
        for attr in ("options", "tooltips"):
            out += [str(o) for o in (getattr(w, attr, None) or ())]
        for child in getattr(w, "children", ()):
            out += texts(child)
        return out

    before = " ".join(texts(box)).lower()
    for word in ("markov", "neural", "corpus", "temperature", "seed", "("):
        assert word not in before.replace("(a ", "").replace("(the ", ""), word
    assert "Answered 0 of 4" in box._status.value
    toggle = box._toggles[0][0]
    assert isinstance(toggle, widgets.ToggleButtons)
    toggle.value = AI  # the student clicks "AI" on clip 1
    assert test.answers[0] == AI and "Answered 1 of 4" in box._status.value
    box._reveal.click()
    right, total = test.score()
    assert f"Score: {right} of 4 right" in box._status.value
    assert right == int(_truths(test)[0] == AI)
    assert toggle.disabled


def test_answers_are_saved_as_csv_never_overwriting_and_pooled(tmp_path):
    test = listening_test(n_clips=4, seed=3)
    with pytest.raises(LessonkitError, match="Reveal"):
        test.save_answers(tmp_path / "a.csv", student="alice")
    truths = _truths(test)
    for i, t in enumerate(truths):
        test.answer(i, t if i else (AI if t == HUMAN else HUMAN))
    test.reveal()
    path = test.save_answers(tmp_path / "alice.csv", student="alice")
    with pytest.raises(FileExistsLessonkitError):
        test.save_answers(path, student="alice")
    (tmp_path / "keep.csv").write_text("mine")
    with pytest.raises(FileExistsLessonkitError):
        test.save_answers(tmp_path / "keep.csv", student="alice")
    assert (tmp_path / "keep.csv").read_text() == "mine"
    test.save_answers(path, student="alice", overwrite=True)

    bob = listening_test(n_clips=4, seed=3)
    for i in range(4):
        bob.answer(i, AI)
    bob.reveal()
    bob.save_answers(tmp_path / "bob.csv", student="bob")
    (tmp_path / "keep.csv").unlink()
    rows = pool_answers(tmp_path)
    assert len(rows) == 8
    summary = class_summary(tmp_path)
    assert summary["scores"] == {"alice": (3, 4), "bob": (truths.count(AI), 4)}
    # corpus clips: bob said AI to both, alice only to clip 1 if it was real (her one wrong answer)
    assert summary["said_ai"]["corpus"] == pytest.approx((2 + (truths[0] == HUMAN)) / 4)
    assert summary["mean_score"] == pytest.approx((3 / 4 + truths.count(AI) / 4) / 2)
    ax = plot_class_results([tmp_path / "alice.csv", tmp_path / "bob.csv"])
    assert "2 students" in ax.get_title()


def test_bad_answers_are_lessonkit_errors(test0):
    with pytest.raises(LessonkitError, match="human"):
        test0.answer(0, "robot")
    with pytest.raises(LessonkitError):
        test0.answer(99, HUMAN)
    with pytest.raises(LessonkitError):
        test0.csv_text("a,b")


def test_a_guessing_class_is_written_beside_real_files_and_pooled(tmp_path):
    from lessonkit.widgets.listening import guessing_class

    test = listening_test(n_clips=4, seed=4)
    paths = guessing_class(tmp_path, test, n_students=10, seed=0)
    assert len(paths) == 10 and all("guesser_" in p for p in paths)
    summary = class_summary(tmp_path)
    assert len(summary["scores"]) == 10 and 0 <= summary["mean_score"] <= 1
    assert guessing_class(tmp_path / "again", test, n_students=10, seed=0) and \
        class_summary(tmp_path / "again") == summary  # seeded
    with pytest.raises(FileExistsLessonkitError):
        guessing_class(tmp_path, test, n_students=1, seed=0)
