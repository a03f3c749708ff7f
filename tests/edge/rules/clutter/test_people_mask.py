"""``PeopleMasker``: the detector runs only where something differs in the zones; people it found are
masked (their boxes, without a silhouette model) and held while it loses them."""

from __future__ import annotations

import numpy as np

from edge.rules.background import Foreground
from edge.rules.clutter import ClutterParams
from edge.rules.clutter.people_mask import PeopleMasker
from edge.rules.people import people_mask


class OnePerson:
    """A detector that finds one person standing at the same place in every frame it is run on."""

    def __init__(self) -> None:
        self.runs = 0

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        self.runs += 1
        return np.array([[40.0, 20.0, 60.0, 70.0]], np.float32)


def foreground(differs: np.ndarray) -> Foreground:
    image = np.full((*differs.shape, 3), 100.0, np.float32)
    diff = differs.astype(np.float32) * 50
    return Foreground(image=image, differs=differs, diff=diff, gain=1.0, reference=image)


def test_the_detector_runs_only_where_something_differs_in_the_zones_and_boxes_are_masked() -> None:
    finder = OnePerson()
    params = ClutterParams()
    masker = PeopleMasker(finder, None, params)
    frame = np.zeros((80, 100, 3), np.uint8)
    zones = np.zeros((40, 50), bool)
    zones[:, :25] = True
    outside = np.zeros((40, 50), bool)
    outside[10:20, 30:40] = True  # something differs, but outside the zones
    empty = masker.find(frame, foreground(outside), zones, 0.5, 0.0)
    assert finder.runs == 0 and (masker.frames, masker.detector_frames) == (1, 0)
    assert not empty.mask.any() and empty.sure is None and empty.given_back is None
    inside = np.zeros((40, 50), bool)
    inside[10:30, 20:25] = True
    found = masker.find(frame, foreground(inside), zones, 0.5, 0.2)
    assert finder.runs == 1 and (masker.frames, masker.detector_frames) == (2, 1)
    expected = people_mask(np.array([[40.0, 20.0, 60.0, 70.0]]), (40, 50), 0.5, params.people.margin)
    assert expected.any() and np.array_equal(found.mask, expected)
    assert found.given_back is None  # only a silhouette model's grown edge is given back
