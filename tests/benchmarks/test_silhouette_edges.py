"""``benchmarks/silhouette_edges.py``: which floor pixels lie between someone's legs."""

from __future__ import annotations

import numpy as np

from benchmarks.silhouette_edges import between_legs


def test_between_legs_is_floor_with_a_person_pixel_close_on_both_sides() -> None:
    person = np.zeros((3, 14), bool)
    person[:, [2, 3, 6, 7]] = True  # two legs, two pixels apart
    person[:, 12] = True  # someone else, five pixels further
    gap = between_legs(person, reach=2)
    assert gap[:, [4, 5]].all()
    assert not gap[:, [0, 1, 8, 9, 10, 11, 13]].any() and not gap[person].any()
