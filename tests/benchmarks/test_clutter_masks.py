"""``benchmarks/clutter_masks.py``: how much of an item the rule masks as people, against how much of it
people really hide."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from benchmarks.clutter_masks import MaskProbe
from edge.rules.clutter import ClutterParams, ClutterRule
from sharpeyes.config import Zone
from tests.edge.rules.clutter.test_rule import DrawnPeople, floor

ZONE = Zone(name="fire_lane", polygon=[[20, 60], [300, 60], [300, 230], [20, 230]], dwell_s=10)


def someone_beside_the_item(frame: np.ndarray) -> tuple[int, int, int, int]:
    """A person over the right half of the item (columns 145-200), whose box reaches over all of it."""
    frame[100:200, 145:200] = (60, 140, 60)
    return (100, 60, 200, 200)


def probe(shapes: bool, snap_at: tuple[float, ...] = ()) -> MaskProbe:
    """12 s at 5 fps: the red box from the start, the person from 8 s; measured from 8 s on."""
    people = DrawnPeople()
    rule = ClutterRule(
        [ZONE],
        origin=datetime(2026, 3, 1, tzinfo=UTC),
        params=replace(ClutterParams.at_width(320), width=160),
        people=people,
        silhouettes=people if shapes else None,
    )
    own = np.zeros((240, 320), bool)
    own[140:190, 120:170] = True
    probing = MaskProbe(rule, lambda t: people.pixels.copy(), own, (8.0, 12.0), snap_at)
    for i in range(12 * 5):
        t = i / 5
        frame = floor(t)
        people.clear(frame.shape[:2])
        frame[own] = (40, 60, 190)
        if t >= 8.0:
            people.paint(frame, someone_beside_the_item)
        probing.process(frame, t)
    return probing


def covers(shapes: bool) -> list[tuple[float, float]]:
    return [(c.really, c.masked) for c in probe(shapes).covers]


def test_the_rule_masks_what_people_show_with_outlines_and_their_whole_boxes_without() -> None:
    with_outlines, boxes = covers(shapes=True), covers(shapes=False)
    assert len(with_outlines) == len(boxes) == 20  # 8.0 to 11.8 s
    for really, masked in with_outlines:
        assert really == pytest.approx(0.5) and masked == pytest.approx(0.5, abs=0.1)
    for really, masked in boxes:
        assert really == pytest.approx(0.5) and masked == pytest.approx(1.0)


def test_a_snapshot_shows_the_rules_mask_in_red_and_the_outlines_around_the_item() -> None:
    """Before the person comes: the item's outline (cyan) only. With them: their pixels tinted red (the
    rule masks them: 0.6 of their green and 0.4 of red) and their outline in green."""
    shots = probe(shapes=True, snap_at=(4.0, 10.0)).shots
    assert len(shots) == 2

    def count(shot: np.ndarray, bgr: tuple[int, int, int], tolerance: int = 6) -> int:
        return int((np.abs(shot.astype(int) - bgr).max(axis=2) <= tolerance).sum())

    before, during = shots
    tinted_person = (36, 84, 138)
    assert count(before, tinted_person) == 0 and count(during, tinted_person) > 1000
    assert count(before, (0, 255, 0), 0) == 0 and count(during, (0, 255, 0), 0) > 100
    assert count(before, (255, 255, 0), 0) > 100 and count(during, (255, 255, 0), 0) > 100
