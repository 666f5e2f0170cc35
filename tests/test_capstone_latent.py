"""The capstone's latent variations (lesson 05): the loops VAE varies a 2-bar part of the piece."""

import numpy as np
import pytest

from lessonkit.capstone import Piece
from lessonkit.errors import LessonkitError

# The loops VAE (lesson 04) is being merged separately; these tests run as soon as it is on the branch.
loops = pytest.importorskip("lessonkit.models.loops", reason="the loops VAE (lesson 04) is not merged yet")
load_pretrained = loops.load_pretrained


def test_variations_move_a_part_along_an_attribute_and_are_deterministic():
    piece = Piece("D4/2 E4/2 F#4/2 G4/2 A4 D5 | B4/2 A4/2 G4/2 F#4/2 E4/2 F#4/2 G4/2 E4/2")
    sparse, same, busy = piece.variations(0, attribute="note_density", amounts=(-2.0, 0.0, 2.0))
    assert all(v.length_steps == 32 and v.meter == "4/4" and v.tempo_bpm == piece.tempo_bpm for v in (sparse, same, busy))
    assert len(sparse) < len(busy)
    vae = load_pretrained("vae")
    expected = vae.decode(vae.encode(piece.parts[0].melody.window(0, 32).to_tokens()), temperature=0.0)
    assert same.to_tokens().tolist() == np.asarray(expected).tolist()
    again = piece.variations(0, attribute="note_density", amounts=(-2.0, 0.0, 2.0))
    assert [m.to_tokens().tolist() for m in again] == [m.to_tokens().tolist() for m in (sparse, same, busy)]
    piece.add(busy, source="vae", how="note density +2")
    assert piece.record()[-1]["source"] == "vae"


def test_blend_walks_between_two_parts():
    piece = Piece("C4 E4 G4 E4 | C4*2 r*2").add("G4 F4 E4 D4 | C4*4", source="student")
    path = piece.blend(0, 1, steps=5)
    assert len(path) == 5 and all(m.length_steps == 32 for m in path)


def test_a_part_the_vae_cannot_read_is_explained():
    piece = Piece("C4 D4 E4", meter="3/4")
    with pytest.raises(LessonkitError, match="4/4"):
        piece.variations(0)
