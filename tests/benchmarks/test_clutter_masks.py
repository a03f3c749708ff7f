"""``benchmarks/clutter_masks.py``: how much of an item the rule masks as people, against how much of it
people really hide."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from benchmarks.clutter_masks import MaskProbe
from edge.rules.clutter import ClutterParams, ClutterRule
from sharpeyes.config import Zone
from tests.edge.rules.test_clutter import DrawnPeople, floor

ZONE = Zone(name="fire_lane", polygon=[[20, 60], [300, 60], [300, 230], [20, 230]], dwell_s=10)


def someone_beside_the_item(frame: np.ndarray) -> tuple[int, int, int, int]:
    """A person over the right half of the item (columns 145-200), whose box reaches over all of it."""
    frame[100:200, 145:200] = (60, 140, 60)
    return (100, 60, 200, 200)


def covers(shapes: bool) -> list[tuple[float, float]]:
    """12 s at 5 fps: the red box from the start, the person from 8 s; (really, masked) from 8 s on."""
    people = DrawnPeople()
    rule = ClutterRule(
        [ZONE],
        origin=datetime(2026, 3, 1, tzinfo=UTC),
        params=ClutterParams(width=160),
        people=people,
        silhouettes=people if shapes else None,
    )
    own = np.zeros((240, 320), bool)
    own[140:190, 120:170] = True
    probe = MaskProbe(rule, lambda t: people.pixels.copy(), own, (8.0, 12.0))
    for i in range(12 * 5):
        t = i / 5
        frame = floor(t)
        people.clear(frame.shape[:2])
        frame[own] = (40, 60, 190)
        if t >= 8.0:
            people.paint(frame, someone_beside_the_item)
        probe.process(frame, t)
    return [(c.really, c.masked) for c in probe.covers]


def test_the_rule_masks_what_people_show_with_outlines_and_their_whole_boxes_without() -> None:
    with_outlines, boxes = covers(shapes=True), covers(shapes=False)
    assert len(with_outlines) == len(boxes) == 20  # 8.0 to 11.8 s
    for really, masked in with_outlines:
        assert really == pytest.approx(0.5) and masked == pytest.approx(0.5, abs=0.1)
    for really, masked in boxes:
        assert really == pytest.approx(0.5) and masked == pytest.approx(1.0)
