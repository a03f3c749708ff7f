"""IoU tracker: one object keeps one id; low-confidence detections extend tracks but never start them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from edge.detect.detections import Detections
from edge.tracking import IouTracker, TrackerParams


def dets(*rows: tuple[float, float, float, float, float, int]) -> Detections:
    if not rows:
        return Detections.empty()
    arr = np.array(rows, np.float32)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5].astype(np.int64))


def test_moving_object_keeps_its_id() -> None:
    tracker = IouTracker()
    ids = set()
    for step in range(20):
        x = 10 + step * 3
        for track in tracker.update(dets((x, 10, x + 40, 50, 0.9, 0)), step * 0.2):
            ids.add(track.id)
    assert ids == {1}


def test_low_confidence_extends_but_does_not_start() -> None:
    tracker = IouTracker(TrackerParams(high=0.5, low=0.1))
    assert tracker.update(dets((0, 0, 10, 10, 0.3, 0)), 0.0) == []
    first = tracker.update(dets((0, 0, 10, 10, 0.9, 0)), 0.2)
    kept = tracker.update(dets((1, 0, 11, 10, 0.2, 0)), 0.4)  # half hidden: weak, same place
    assert [t.id for t in kept] == [t.id for t in first]


def test_track_ends_after_max_missed_and_a_return_is_a_new_object() -> None:
    tracker = IouTracker(TrackerParams(max_missed=2))
    tracker.update(dets((0, 0, 10, 10, 0.9, 0)), 0)
    for step in range(3):
        tracker.update(dets(), step + 1)
    assert tracker.tracks == []
    assert [t.id for t in tracker.update(dets((0, 0, 10, 10, 0.9, 0)), 5)] == [2]


def test_different_classes_never_share_a_track() -> None:
    tracker = IouTracker()
    tracker.update(dets((0, 0, 10, 10, 0.9, 0)), 0)
    assert [t.id for t in tracker.update(dets((0, 0, 10, 10, 0.9, 1)), 1)] == [2]


@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500)), min_size=1, max_size=8, unique=True))
def test_ids_are_unique_per_frame(positions: list[tuple[float, float]]) -> None:
    tracker = IouTracker()
    rows = [(x, y, x + 20, y + 20, 0.9, 0) for x, y in positions]
    for step in range(3):
        seen = tracker.update(dets(*rows), step)
        assert len({t.id for t in seen}) == len(seen)


def test_each_track_knows_which_detection_it_matched() -> None:
    tracker = IouTracker()
    tracker.update(dets((0, 0, 10, 10, 0.9, 0), (100, 0, 110, 10, 0.9, 0)), 0)
    # the same two objects, listed the other way round; the first one weak (it only extends its track)
    tracker.update(dets((101, 0, 111, 10, 0.9, 0), (1, 0, 11, 10, 0.2, 0)), 1)
    assert [(t.id, t.detection) for t in tracker.tracks] == [(1, 1), (2, 0)]
    tracker.update(dets((102, 0, 112, 10, 0.9, 0)), 2)
    assert [(t.id, t.detection) for t in tracker.tracks] == [(1, -1), (2, 0)]
