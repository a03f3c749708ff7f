"""``benchmarks/silhouette_edges.py``: which floor pixels lie between someone's legs, and the candidate
mask that grows only where the silhouette model is unsure."""

from __future__ import annotations

import numpy as np

from benchmarks.silhouette_edges import between_legs, grown_where_unsure, paste_chances


def test_between_legs_is_floor_with_a_person_pixel_close_on_both_sides() -> None:
    person = np.zeros((3, 14), bool)
    person[:, [2, 3, 6, 7]] = True  # two legs, two pixels apart
    person[:, 12] = True  # someone else, five pixels further
    gap = between_legs(person, reach=2)
    assert gap[:, [4, 5]].all()
    assert not gap[:, [0, 1, 8, 9, 10, 11, 13]].any() and not gap[person].any()


def test_grown_where_unsure_covers_blurred_edges_and_leaves_a_sure_gap_open() -> None:
    """Two legs (chance 0.9) a pixel apart, their outer edges blurred (0.3): grown a pixel over the edges,
    not into the gap the model is sure is free (0.02). Grown into every pixel (0), the gap shuts."""
    chances = np.zeros((6, 9), np.float32)
    chances[:, [2, 3, 5, 6]] = 0.9
    chances[:, 4] = 0.02
    chances[:, [1, 7]] = 0.3
    mask = grown_where_unsure(chances, 0.5, grow_px=1, grow_chance=0.1)
    assert mask[:, 1:4].all() and mask[:, 5:8].all()
    assert not mask[:, 4].any() and not mask[:, [0, 8]].any()
    assert grown_where_unsure(chances, 0.5, grow_px=1, grow_chance=0.0)[:, 1:8].all()


def test_a_crop_pasted_smaller_is_averaged_so_a_thin_gap_reads_as_free() -> None:
    """Shrunk by area, a two-pixel gap between legs in an 8-pixel-wide crop is one free pixel at half size;
    where windows meet, the larger chance stays."""
    legs = np.ones((8, 8), np.float32)
    legs[:, 2:4] = 0.0
    chances = np.zeros((4, 6), np.float32)
    chances[:, 5] = 0.7
    paste_chances(chances, (0, 0, 4, 4), legs)
    assert (chances[:, 1] == 0.0).all() and (chances[:, [0, 2, 3]] == 1.0).all()
    paste_chances(chances, (4, 0, 6, 4), np.full((2, 2), 0.4, np.float32))
    assert (chances[:, 4] == np.float32(0.4)).all() and (chances[:, 5] == np.float32(0.7)).all()
