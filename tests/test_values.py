"""What a model values (lesson 05): distributions, style profiles, likelihoods, and steering by collection."""

import numpy as np
import pytest
import torch

from lessonkit import Melody
from lessonkit.datasets import load_tunes
from lessonkit.errors import FileExistsLessonkitError, LessonkitError
from lessonkit.models.duet import load_pretrained
from lessonkit import values


def test_interval_distribution_counts_each_step():
    p = values.interval_distribution([Melody.parse("C4 D4 E4 C4"), Melody.parse("C4 C5")])
    steps = np.arange(-12, 13)
    assert p.sum() == pytest.approx(1.0)
    assert p[steps == 2][0] == pytest.approx(2 / 4) and p[steps == -4][0] == pytest.approx(1 / 4)
    assert p[steps == 12][0] == pytest.approx(1 / 4)


def test_style_profile_of_a_known_melody():
    p = values.style_profile([Melody.parse("C4/2 C4/2 D4 G4*2 | E4*4 r*4 C4*8")])
    # intervals 0, +2, +5, -3, -4: one repeat, one step, one leap of 5
    assert p.repeat_share == pytest.approx(0.2) and p.step_share == pytest.approx(0.2)
    assert p.leap_share == pytest.approx(0.2) and p.mean_abs_interval == pytest.approx(14 / 5)
    assert p.notes_per_bar == pytest.approx(6 / 5) and p.range_semitones == 7  # 5 bars (the last note is 2 bars)
    assert p.short_note_share == pytest.approx(2 / 6, abs=1e-3)  # rounded to 3 places


def test_random_melody_is_seeded_and_fills_its_bars():
    a, b = values.random_melody(4, seed=3), values.random_melody(4, seed=3)
    assert a == b and a.length_steps == 64 and a != values.random_melody(4, seed=4)
    assert a.pitches.min() >= 60 and a.pitches.max() <= 79
    assert values.random_melody(2, meter="3/4").length_steps == 24


def test_a_model_finds_real_tunes_far_more_natural_than_random_notes():
    torch.set_num_threads(1)
    neural = load_pretrained("neural")
    tunes = [t for t in load_tunes("test") if t.meter == "4/4" and t.length_steps >= 96][:10]
    calls = [t.window(0, 32) for t in tunes]
    real = [t.window(32, 96) for t in tunes]
    table = values.likelihood_table(neural, real=real, generated=values.answers(neural, calls, bars=4, seed=0),
                                    random=[values.random_melody(4, seed=i) for i in range(10)])
    assert table["random"] > 2 * table["real"] and table["random"] > 2 * table["generated"]
    with pytest.raises(LessonkitError):
        values.likelihood_table("neural", real, real, real)


def test_collections_are_the_irish_and_german_tunes():
    oneill, german = values.collection_tunes("oneill"), values.collection_tunes("german")
    assert len(oneill) == 1542 and len(german) == 4652
    assert all(t.meta["collection"] == "oneills1850" for t in oneill)
    assert all(t.meta["collection"] == "essenFolksong" and not t.meta["file"].startswith(("han", "lux", "lot"))
               for t in german)
    with pytest.raises(LessonkitError, match="oneill"):
        values.collection_tunes("chinese")


def test_steered_models_answer_in_their_collections_style():
    torch.set_num_threads(1)
    calls = values.opening_calls(load_tunes("test"), bars=2, limit=30)
    oneill = values.style_profile(values.answers(values.load_steered("oneill"), calls, bars=4, seed=0))
    german = values.style_profile(values.answers(values.load_steered("german"), calls, bars=4, seed=0))
    # O'Neill's dance tunes are busier, with more short notes and fewer repeated notes than the German songs
    assert oneill.notes_per_bar > german.notes_per_bar + 0.4
    assert oneill.short_note_share > german.short_note_share + 0.08
    assert oneill.repeat_share < german.repeat_share
    info = values.load_steered("oneill").info
    assert info["collection"] == "oneill" and info["valid_nll_collection"] < info["base_valid_nll_collection"]


def test_fine_tune_returns_a_new_model_and_leaves_the_base_alone():
    torch.set_num_threads(1)
    base = load_pretrained("neural")
    before = {k: v.clone() for k, v in base.model.state_dict().items()}
    tunes = values.collection_tunes("oneill")[:40]
    tuned, history = values.fine_tune(base, tunes, tunes[:10], steps=2, seed=0)
    assert history.n_steps == 2 and tuned.model is not base.model
    assert all(torch.equal(before[k], v) for k, v in base.model.state_dict().items())
    assert any(not torch.equal(before[k], v) for k, v in tuned.model.state_dict().items())


def test_the_training_command_never_overwrites(tmp_path):
    path = tmp_path / "steered.safetensors"
    path.write_bytes(b"keep")
    with pytest.raises(FileExistsLessonkitError):
        values.main(["--collection", "oneill", "--steps", "1", "--out", str(path)])
    assert path.read_bytes() == b"keep"
