"""The shipped folk-tune corpus (data/melodies.npz) and its loader, lessonkit.datasets."""

import hashlib
import json
import os

import numpy as np
import pytest

from lessonkit import datasets
from lessonkit.builders import corpus as builder
from lessonkit.manifest import read_manifest, sha256_of, update_manifest, verify_manifest
from lessonkit.errors import DataFileError, LessonkitError
from lessonkit.music import HOLD, REST, Melody

META_KEYS = {"id", "collection", "file", "tune_in_file", "number", "title", "meter", "key", "split",
             "corpus_index", "duplicates"}


@pytest.fixture(scope="module")
def tunes():
    return datasets.load_tunes()


def content_key(melody):
    return builder.content_key(melody.pitches, melody.onsets_steps, melody.durations_steps)


def test_shipped_file_matches_its_manifest_entry():
    name = os.path.basename(datasets.MELODIES_PATH)
    entry = read_manifest()[name]
    assert entry["bytes"] == os.path.getsize(datasets.MELODIES_PATH)
    assert entry["sha256"] == sha256_of(datasets.MELODIES_PATH)
    assert verify_manifest([name]) == {name: entry["sha256"]}


def test_verify_manifest_catches_a_changed_file(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    entry = update_manifest(path, built_by="make it", data_dir=tmp_path)
    assert entry["sha256"] == hashlib.sha256(b"abc").hexdigest() and entry["bytes"] == 3
    update_manifest(tmp_path / "a.bin", data_dir=tmp_path)  # refreshing keeps one entry per file
    assert list(json.loads((tmp_path / "manifest.json").read_text())) == ["a.bin"]
    path.write_bytes(b"abd")
    with pytest.raises(DataFileError, match="sha256"):
        verify_manifest(data_dir=tmp_path)
    path.unlink()
    with pytest.raises(DataFileError, match="missing.*make it"):
        verify_manifest(data_dir=tmp_path)


def test_corpus_is_large_and_every_collection_is_in_it(tunes):
    assert len(tunes) > 10_000
    collections = {t.meta["collection"] for t in tunes}
    assert {"essenFolksong", "oneills1850", "airdsAirs", "ryansMammoth", "miscFolk"} <= collections


def test_tunes_are_melodies_with_their_provenance(tunes):
    for t in tunes[::97]:
        assert isinstance(t, Melody)
        assert META_KEYS <= set(t.meta)
        assert t.meta["split"] in datasets.SPLITS
        assert t.meter == t.meta["meter"]
        assert len(t) >= builder.MIN_NOTES
        low, high = t.pitch_range
        assert builder.PITCH_RANGE[0] <= low <= high <= builder.PITCH_RANGE[1]
        assert 0 <= t.pickup_steps < t.steps_per_bar


def test_ids_are_unique_and_say_where_the_tune_is(tunes):
    ids = [t.meta["id"] for t in tunes]
    assert len(set(ids)) == len(ids)
    t = tunes[1234]
    assert t.meta["id"] == f"{t.meta['collection']}/{t.meta['file']}#{t.meta['tune_in_file']}"
    assert t.meta["corpus_index"] == 1234


def test_splits_are_disjoint_by_id_and_by_content(tunes):
    by_split = {s: datasets.load_tunes(s) for s in datasets.SPLITS}
    assert sum(len(v) for v in by_split.values()) == len(tunes)
    ids = {s: {t.meta["id"] for t in v} for s, v in by_split.items()}
    keys = {s: {content_key(t) for t in v} for s, v in by_split.items()}
    for a, b in [("train", "valid"), ("train", "test"), ("valid", "test")]:
        assert not ids[a] & ids[b]
        assert not keys[a] & keys[b]
    # exact duplicates were removed, so each content key is one tune
    assert sum(len(k) for k in keys.values()) == len(tunes)


def test_a_tune_transposed_has_the_same_content_key(tunes):
    t = tunes[0]
    assert content_key(t.transpose(5)) == content_key(t)
    assert content_key(t.copy(pickup_steps=0)) == content_key(t)


def test_split_sizes_are_close_to_80_10_10(tunes):
    shares = {s: sum(t.meta["split"] == s for t in tunes) / len(tunes) for s in datasets.SPLITS}
    assert abs(shares["train"] - 0.8) < 0.03
    assert abs(shares["valid"] - 0.1) < 0.02
    assert abs(shares["test"] - 0.1) < 0.02


def test_splits_do_not_depend_on_python_hash_seed():
    assert builder.split_of("abc") == builder.split_of("abc")
    assert [builder.split_of(str(i)) for i in range(5)] == ["train", "train", "train", "train", "test"]


def test_known_tune_has_its_first_notes(tunes):
    # O'Neill's no. 3, "The Little Heathy Hill": M:C  L:1/8  K:Gm, then "B/2-c/2 | d2 d>-c B2 A-B |".
    # The "-" between two different pitches is a slur here, so both notes stay (not one tied note).
    (t,) = [t for t in tunes if t.meta["id"] == "oneills1850/0001-0050.abc#3"]
    assert t.meta["title"] == "The Little Heathy Hill"
    assert t.meter == "4/4" and t.meta["key"] == "G minor" and t.meta["number"] == "3"
    assert t.pickup_steps == 2
    assert t.pitches[:8].tolist() == [70, 72, 74, 74, 72, 70, 69, 70]  # Bb4 C5 | D5 D5 C5 Bb4 A4 Bb4
    assert t.onsets_steps[:8].tolist() == [0, 1, 2, 6, 8, 10, 14, 16]
    assert t.durations_steps[:3].tolist() == [1, 1, 4]


def test_load_tunes_gives_fresh_copies():
    first = datasets.load_tunes("valid")
    first[0].meta["title"] = "changed"
    first[0].tempo_bpm = 10.0
    first.clear()
    again = datasets.load_tunes("valid")
    assert again[0].meta["title"] != "changed" and again[0].tempo_bpm != 10.0
    with pytest.raises(ValueError):
        again[0].pitches[0] = 0  # the note arrays are read-only


def test_loops_are_32_step_token_arrays():
    loops = datasets.load_loops("train")
    assert loops.ndim == 2 and loops.shape[1] == 32 and len(loops) > 10_000
    assert np.issubdtype(loops.dtype, np.integer)
    assert loops.min() >= 0 and loops.max() <= REST
    assert not np.any(loops[:, 0] == HOLD)
    assert np.all(np.sum(loops < 128, axis=1) >= builder.LOOP_MIN_NOTES)


def test_loops_of_a_split_come_from_that_splits_tunes(tunes):
    all_loops, all_ids = datasets.load_loops(None, return_tune_ids=True)
    total = 0
    for split in datasets.SPLITS:
        loops, ids = datasets.load_loops(split, return_tune_ids=True)
        assert len(loops) == len(ids)
        assert {tunes[i].meta["split"] for i in np.unique(ids)} == {split}
        assert {tunes[i].meter for i in np.unique(ids)} <= {"4/4", "2/4", "2/2"}
        total += len(loops)
    assert total == len(all_loops) == len(all_ids)


def test_a_loop_is_a_window_of_its_tune(tunes):
    loops, ids = datasets.load_loops("valid", return_tune_ids=True)
    for k in range(0, len(loops), max(len(loops) // 25, 1)):
        tokens = tunes[ids[k]].to_tokens()
        windows = np.lib.stride_tricks.sliding_window_view(tokens, 32)
        fixed = windows.copy()
        for w in fixed:  # leading HOLDs are stored as REST
            lead = np.flatnonzero(w != HOLD)
            w[:lead[0] if len(lead) else 32] = REST
        assert np.any(np.all(fixed == loops[k], axis=1))


def test_bad_split_name_says_what_to_use():
    with pytest.raises(datasets.SplitError, match="'train', 'valid' or 'test'.*Did you mean 'valid'"):
        datasets.load_tunes("validation")
    with pytest.raises(LessonkitError):
        datasets.load_loops("everything")
    with pytest.raises(ValueError):
        datasets.load_loops(3)


def test_missing_data_file_says_how_to_rebuild(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MELODIES_PATH", str(tmp_path / "melodies.npz"))
    with pytest.raises(DataFileError, match="python -m lessonkit data build"):
        datasets.load_tunes()
    with pytest.raises(FileNotFoundError):
        datasets.load_loops("train")


def test_damaged_data_file_says_how_to_rebuild(tmp_path, monkeypatch):
    path = tmp_path / "melodies.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    monkeypatch.setattr(datasets, "MELODIES_PATH", str(path))
    with pytest.raises(DataFileError, match="damaged.*python -m lessonkit data build"):
        datasets.corpus_summary()


def test_corpus_summary_counts_add_up(tunes):
    s = datasets.corpus_summary()
    assert s["tunes"] == len(tunes)
    assert sum(s["per_collection"].values()) == sum(s["per_split"].values()) == sum(s["per_meter"].values())
    assert s["loops_per_split"]["train"] == len(datasets.load_loops("train"))
    low, high = s["pitch_range"]
    assert low == min(t.pitch_range[0] for t in tunes) and high == max(t.pitch_range[1] for t in tunes)
    assert s["skipped"]["polyphonic"] > 0 and s["duplicates_removed"] > 0


def test_split_abc_keeps_tunes_that_reuse_a_number():
    header, tunes = builder.split_abc("% comment\nL:1/8\n\nX:1\nT:a\nK:C\nCDEF|\n\nX:1\nT:b\nK:C\nGABc|\n")
    assert header == ["L:1/8"]
    assert [n for n, _ in tunes] == ["1", "1"]
    assert "T:b" in tunes[1][1]


def test_two_four_loops_start_every_other_bar():
    r = dict(meter="2/4", pitches=np.arange(60, 76, dtype=np.uint8), onsets=np.arange(0, 64, 4),
             durations=np.full(16, 4), length_steps=64, bars=np.array([[i * 8, 8] for i in range(8)]))
    loops, starts = builder.cut_loops(0, r)
    assert starts.tolist() == [0, 16, 32]
    assert loops.shape == (3, 32) and loops[1, 0] == 64


@pytest.mark.slow
def test_builder_makes_a_loadable_file_from_a_few_tunes(tmp_path, monkeypatch):
    out, cache = tmp_path / "few.npz", tmp_path / "parsed.pkl"
    assert builder.main(["--limit", "40", "--collections", "nottingham-dataset", "oneills1850",
                         "--out", str(out), "--cache", str(cache), "--no-manifest", "--nice", "0"]) == 0
    monkeypatch.setattr(datasets, "MELODIES_PATH", str(out))
    tunes = datasets.load_tunes()
    summary = datasets.corpus_summary()
    assert len(tunes) + sum(summary["skipped"].values()) + summary["duplicates_removed"] == 40
    assert len(tunes) >= 35 and tunes[0].meta["title"] == "Cuckoo's Nest"
    assert tunes[0].meta["collection"] == "nottingham-dataset" and tunes[0].pickup_steps == 4
    assert datasets.load_loops(None).shape[1] == 32
    assert builder.main(["--reuse-parsed", "--cache", str(cache), "--out", str(out), "--overwrite",
                         "--no-manifest"]) == 0
