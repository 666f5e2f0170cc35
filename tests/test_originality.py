"""The originality meter (lesson 05): copies are found whatever their key, random melodies are not."""

import numpy as np
import pytest

import lessonkit
from lessonkit import Melody, originality
from lessonkit.datasets import load_tunes
from lessonkit.errors import LessonkitError
from lessonkit.originality import Originality, OriginalityIndex, corpus_index, intervals


@pytest.fixture(scope="module")
def train():
    return load_tunes("train")


def test_originality_is_the_public_entry_point():
    assert lessonkit.originality is originality
    assert callable(lessonkit.originality)


def test_intervals_are_semitone_steps_between_notes():
    assert intervals(Melody.parse("C4 E4 G4 r C5")).tolist() == [4, 3, 5]
    assert intervals("C4").tolist() == []


@pytest.mark.parametrize("semitones", [0, 5, -7])
def test_a_transposed_training_tune_is_found_in_full_with_its_source(train, semitones):
    tune = train[1234]
    result = originality(tune.transpose(semitones))
    n_iv = len(tune) - 1
    assert result.longest_run_intervals == n_iv
    assert result.longest_run_notes == n_iv + 1
    assert result.copied_fraction == 1.0
    assert result.fraction_found == 1.0
    assert result.start_note == 0
    # the source is this tune, or an earlier train tune with the very same intervals
    source = train[result.source_index]
    assert intervals(source)[result.source_start_note:result.source_start_note + n_iv].tolist() == intervals(tune).tolist()
    assert (result.source_title, result.source_collection, result.source_file) == (
        source.meta["title"], source.meta["collection"], source.meta["file"])


def test_a_copied_passage_inside_new_notes_is_found_where_it_is(train):
    tune = train[42]
    copied = tune.window(0, tune.length_steps)
    p = copied.pitches[:12]
    # 6 random notes far from any folk tune, then 12 notes of the tune moved up a fourth
    rng = np.random.default_rng(1)
    pitches = np.concatenate([60 + rng.choice([0, 11, 1, 13, 2, 14], 6), p + 5])
    melody = Melody.from_arrays(pitches, np.arange(18) * 2, np.full(18, 2))
    result = originality(melody)
    assert result.longest_run_intervals >= 11
    assert result.start_note <= 6


def test_a_random_melody_has_a_short_copy_length():
    rng = np.random.default_rng(0)
    lengths = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        pitches = rng.integers(52, 84, size=64)
        melody = Melody.from_arrays(pitches, np.arange(64) * 2, np.full(64, 2))
        lengths.append(originality(melody).longest_run_intervals)
    assert max(lengths) <= 6
    assert np.median(lengths) == 0


def test_results_are_deterministic(train):
    melody = load_tunes("test")[3]
    a = originality(melody)
    b = OriginalityIndex(train).check(melody)
    assert a == b
    assert originality(melody) == a


def test_a_small_corpus_and_a_hand_count():
    corpus = [Melody.parse("C4 D4 E4 F4 G4 A4"), Melody.parse("G4 G4 G4 E4 F4 G4 C5")]
    # D4 E4 F4 G4 A4 moved up a tone: intervals +2 +1 +2 +2 match the first tune's last four
    melody = Melody.parse("B3 E4 F#4 G4 A4 B4")
    result = originality(melody, n=3, corpus=corpus)
    assert result.longest_run_intervals == 4
    assert result.source_index == 0 and result.source_start_note == 1 and result.start_note == 1
    assert result.n_grams == 3 and result.fraction_found == pytest.approx(2 / 3)


def test_a_melody_shorter_than_n_counts_nothing():
    result = originality(Melody.parse("C4 D4 E4"))
    assert result.longest_run_intervals == 0 and result.n_grams == 0 and result.source_title is None
    assert "No run" in str(result)


def test_bad_input_is_a_lessonkit_error():
    with pytest.raises(LessonkitError, match="Melody"):
        originality([60, 62, 64])
    with pytest.raises(LessonkitError, match="n="):
        originality("C4 D4", n=20)
    with pytest.raises(LessonkitError, match="empty"):
        OriginalityIndex([])


def test_the_index_is_built_once():
    assert corpus_index("train") is corpus_index("train")
    assert isinstance(originality("C4 D4 E4 F4 G4 A4 B4"), Originality)
