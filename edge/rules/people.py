"""Where people are in a frame, from a detector's person class: rules must not take people for things.

The clutter rule is model-free: anything that holds still in the fire lane long enough is a candidate
item. People who stop (to talk, to wait, beside an item) hold still too, and in a crowd at the far end
their traces join a real item's blob and change its shape and date. A person detector says which pixels
are people: the rule neither starts an item there nor counts the time a person hides an item against it.
Any manifest with a person class works (the shipped reference model, or a real YOLO export).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from edge.detect.detections import Detections

PERSON_NAMES = frozenset({"person", "pedestrian", "people"})


class NoPersonClass(ValueError):
    """The model has no class that is a person: it cannot mask people."""


class FrameDetector(Protocol):
    """What people finding needs from a detector (``edge.detect.Detector`` is one)."""

    @property
    def class_names(self) -> list[str]: ...

    def detect(self, frame: np.ndarray) -> Detections: ...


@dataclass(frozen=True)
class PeopleParams:
    # a person's box is grown by this share of its height on every side: limbs swing out of the box a
    # detector drew a moment ago, and the rule looks at frames a fifth of a second apart
    margin: float = 0.1


class PeopleFinder(Protocol):
    def boxes(self, frame: np.ndarray) -> np.ndarray:
        """People in a BGR frame: (N, 4) ``x1, y1, x2, y2`` in frame pixels."""
        ...


class DetectedPeople:
    """People as a detector's person class finds them (``PeopleFinder``)."""

    def __init__(
        self,
        detector: FrameDetector,
        names: Sequence[str] | None = None,
    ) -> None:
        wanted = {n.lower() for n in names} if names is not None else PERSON_NAMES
        ids = [i for i, n in enumerate(detector.class_names) if n.lower() in wanted]
        if not ids:
            raise NoPersonClass(f"no person class among {detector.class_names} (looked for {sorted(wanted)})")
        self.detector = detector
        self._ids = np.asarray(ids)

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        return self.people_in(self.detector.detect(frame))

    def people_in(self, found: Detections) -> np.ndarray:
        """The person boxes among a detector run's results (one run can serve several rules)."""
        return found.xyxy[np.isin(found.class_id, self._ids)].astype(np.float32)


def people_mask(boxes: np.ndarray, shape: tuple[int, int], scale: float, margin: float) -> np.ndarray:
    """Pixels of an image ``shape`` (the frame scaled by ``scale``) inside any box grown by ``margin``
    of its height."""
    mask = np.zeros(shape, np.uint8)
    h, w = shape
    for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
        m = margin * (y2 - y1)
        a = (max(0, int((x1 - m) * scale)), max(0, int((y1 - m) * scale)))
        b = (min(w - 1, int(np.ceil((x2 + m) * scale))), min(h - 1, int(np.ceil((y2 + m) * scale))))
        if a[0] <= b[0] and a[1] <= b[1]:
            cv2.rectangle(mask, a, b, 1, -1)
    return mask.astype(bool)
