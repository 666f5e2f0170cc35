"""Lesson 04: the Latent Loops widgets (on a tiny model) and the exercise checks with their hints."""

import numpy as np
import pytest

from lessonkit.checks import lesson04 as check
from lessonkit.errors import LessonkitError
from lessonkit.models import loops as L
from lessonkit.training import TrainConfig
from lessonkit.widgets import loops as W

from test_loops import ARPEGGIO, SCALE, TINY, toy_loops


@pytest.fixture(scope="module")
def tiny():
    m, _ = L.train_model(toy_loops(), toy_loops()[:4], L.Config(kind="vae", **TINY),
                         TrainConfig(max_steps=20, progress=False, threads=1, live_plot=False))
    return m


def test_typed_loops_are_padded_or_cut_to_32_steps():
    assert list(W.loop_tokens("C4 D4")[:5]) == [60, 128, 128, 128, 62] and len(W.loop_tokens("C4 D4")) == 32
    assert (W.loop_tokens("C4 " * 20) == W.loop_tokens("C4 " * 8)).all()
    with pytest.raises(L.LoopError, match="Could not read"):
        W.loop_tokens("H9 xx")


def test_blend_codes_are_the_corners_at_the_corners():
    corners = np.eye(4, 3)
    grid = W.blend_codes(corners, 5)
    assert np.allclose(grid[0, 0], corners[0]) and np.allclose(grid[0, -1], corners[1])
    assert np.allclose(grid[-1, 0], corners[2]) and np.allclose(grid[-1, -1], corners[3])
    assert np.allclose(grid[2, 2], corners.mean(0))


def test_palette_plays_the_clicked_cell_and_builds_a_song(tiny, tmp_path):
    p = W.latent_palette(tiny, size=3)
    assert p.grid.shape == (3, 3, 32)
    p.select(0, 0)
    first = p.player.value
    p.select(2, 1)
    assert p.selected == (2, 1) and "row 3, column 2" in p.info.value
    assert p.player.value != first or (p.grid[0, 0] == p.grid[2, 1]).all()
    with pytest.raises(L.LoopError):
        p.select(3, 0)
    assert p.export(tmp_path / "song") is None and "empty" in p.song_label.value
    for _ in range(4):
        p.add_to_song()
    p.play_song()
    mid, wav = p.export(tmp_path / "song")
    assert (tmp_path / "song.mid").exists() and (tmp_path / "song.wav").exists()
    before = (tmp_path / "song.mid").read_bytes()
    assert p.export(tmp_path / "song") is None and "never overwrites" in p.song_label.value
    assert (tmp_path / "song.mid").read_bytes() == before


def test_palette_corners_from_text_and_from_the_corpus(tiny):
    p = W.latent_palette(tiny, size=2, corpus=toy_loops())
    p.set_corners([SCALE, ARPEGGIO, "C4 E4 G4", "G4 E4 C4"])
    assert (p.corner_tokens[0] == SCALE).all()
    old = p.corner_tokens.copy()
    p.corners_from_corpus(seed=3)
    assert not (p.corner_tokens == old).all()
    p.corner_boxes[0].value = "not a loop"
    p.set_corners()
    assert "⚠" in p.info.value
    with pytest.raises(L.LoopError, match="4 corner"):
        W.latent_palette(tiny, corners=["C4"] * 3)


def test_step_grid_shows_a_loop_and_writes_silence_as_rests():
    from lessonkit.music import HOLD, REST
    from lessonkit.widgets.step_grid import step_grid

    grid = step_grid("C4 D4 E4/2 G5*2")
    assert grid.tokens[:5] == [60, HOLD, HOLD, HOLD, 62] and len(grid.tokens) == 32
    assert (grid.low, grid.high) == (60, 84)            # G5 = 79 fits the default rows
    assert step_grid("A2 C7").low == 45 and step_grid("A2 C7").high == 96   # rows widen to the notes
    wide = step_grid("A2 C7")
    wide.set_loop("E4 G4")                                                  # and come back for the next loop
    assert (wide.low, wide.high) == (60, 84)
    # a click pattern from the browser: a note, a rest, empty columns after the rest
    grid.tokens = [67] + [HOLD] * 7 + [REST] + [HOLD] * 7 + [72] + [HOLD] * 15
    assert list(grid.loop[:9]) == [67] + [HOLD] * 7 + [REST]
    assert (grid.loop[9:16] == REST).all() and grid.loop[16] == 72 and (grid.loop[17:] == HOLD).all()
    with pytest.raises(LessonkitError, match="at least an octave"):
        step_grid(low=60, high=65)


def test_palette_corner_written_on_the_step_grid_refills_the_square(tiny):
    from lessonkit.music import HOLD, REST

    p = W.latent_palette(tiny, size=3)
    assert list(p.step_grid.loop) == list(p.corner_tokens[0])          # the grid shows the chosen corner
    p.edit_corner.value = 3
    assert list(p.step_grid.loop) == list(p.corner_tokens[3])
    written = [64] + [HOLD] * 3 + [66, HOLD, 68, HOLD] + [REST] * 24
    p.step_grid.tokens = written
    p.use_grid()
    assert list(p.corner_tokens[3]) == written and p.corner_boxes[3].value.startswith("E4 F#4/2 G#4/2")
    assert list(p.corner_tokens[0]) == list(W.loop_tokens(W.DEFAULT_CORNERS[0]))   # the other corners stay
    assert (p.grid[-1, -1] == tiny.decode(tiny.encode(np.array(written)))).all()   # the square was refilled
    p.step_grid.tokens = [REST] * 32                                                # an empty grid is refused
    p.use_grid()
    assert "no notes" in p.info.value and list(p.corner_tokens[3]) == written
    with pytest.raises(Exception, match="32 step tokens"):
        p.step_grid.tokens = [60]


def test_map_interpolation_and_sampler_widgets(tiny):
    m = W.latent_map(tiny, toy_loops(), own=["C4 D4 E4"], n_samples=5)
    assert m.tokens.shape == (32,)
    m.children[0].children[0].value = m.children[0].children[0].max
    assert m.point[0] == m.children[0].children[0].max
    view = W.interpolation_view(SCALE, ARPEGGIO, {"VAE": tiny}, steps=4)
    assert view.paths["VAE"].shape == (4, 32) and (view.paths["data space"][-1] == ARPEGGIO).all()
    with pytest.raises(L.LoopError, match="steps >= 2"):
        W.interpolation_view(SCALE, ARPEGGIO, {"VAE": tiny}, steps=1)


# ----------------------------------------------------------------------------- checks


def test_accuracy_check_passes_the_solution_and_hints_at_counts_and_notes_only():
    assert check.check_reconstruction_accuracy(lambda a, b: float(np.mean(np.asarray(a) == np.asarray(b)))).passed
    count = check.check_reconstruction_accuracy(lambda a, b: int(np.sum(np.asarray(a) == np.asarray(b))))
    assert not count.passed and "divide" in count.hint
    wrong = check.check_reconstruction_accuracy(lambda a, b: float(np.mean(np.asarray(a) != np.asarray(b))))
    assert "WRONG" in wrong.hint

    def notes_only(a, b):
        a, b = np.asarray(a), np.asarray(b)
        return float((a[a < 128] == b[a < 128]).mean())

    assert "HOLD and REST" in check.check_reconstruction_accuracy(notes_only).hint


def test_vector_check_hints_at_reversed_sign_wrong_axis_and_sums():
    ref = check.reference_more_notes_vector
    assert check.check_more_notes_vector(ref).passed
    assert "reversed" in check.check_more_notes_vector(lambda c, n, t: -ref(c, n, t)).hint
    assert "axis=0" in check.check_more_notes_vector(lambda c, n, t: np.asarray(c).mean(1)).hint

    def sums(c, n, t):
        c, n = np.asarray(c), np.asarray(n)
        return c[n > t].sum(0) - c[n <= t].sum(0)

    assert "means" in check.check_more_notes_vector(sums).hint


def test_change_check_and_the_smoother_guess():
    assert check.check_largest_change(check.reference_largest_change).passed

    def mean_change(p):
        p = np.asarray(p)
        return float((p[1:] != p[:-1]).mean(1).mean())

    assert "LARGEST" in check.check_largest_change(mean_change).hint
    jumpy, smooth = check.PATH_CASES[0][0], check.PATH_CASES[1][0]
    assert check.check_smoother_prediction("B", jumpy, smooth).passed
    assert not check.check_smoother_prediction("A", jumpy, smooth).passed
    assert "letter" in check.check_smoother_prediction("?", jumpy, smooth).message
