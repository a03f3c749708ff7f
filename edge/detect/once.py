"""One detector run per frame for all the rules of a camera.

A corridor camera that runs both ``corridor_clutter`` (which asks where people are) and ``ebike_indoor``
(which asks where e-bikes are) would run the same model twice on the same frame: on a 2-core box that
halves the cameras it can take. Both rules get one ``OncePerFrame`` for the camera; the second asking
for a frame gets the first one's detections.
"""

from __future__ import annotations

import numpy as np

from edge.detect.detections import Detections
from edge.detect.manifest import ModelManifest
from edge.detect.runtime import Detector


class OncePerFrame:
    """A ``Detector`` that remembers its last frame's detections. The frame is known by identity and a
    sparse sample of its pixels: a reader that fills the same buffer with the next frame is a new frame."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.runs = 0  # frames the model ran on
        self.asked = 0  # detections asked for (runs + answered from the last frame)
        self._frame: np.ndarray | None = None
        self._probe = np.zeros(0, np.uint8)
        self._found: Detections | None = None

    @property
    def manifest(self) -> ModelManifest:
        return self.detector.manifest

    @property
    def class_names(self) -> list[str]:
        return self.detector.class_names

    def threshold_of(self, class_id: int) -> float:
        return self.detector.threshold_of(class_id)

    def detect(self, frame: np.ndarray) -> Detections:
        self.asked += 1
        probe = _probe(frame)
        if self._found is not None and frame is self._frame and np.array_equal(probe, self._probe):
            return self._found
        self._found = self.detector.detect(frame)
        self._frame, self._probe = frame, probe
        self.runs += 1
        return self._found


def _probe(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return np.ascontiguousarray(frame[:: max(1, h // 16), :: max(1, w // 16)]).copy()
