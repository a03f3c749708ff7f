"""A stand-in detector that returns what a lift clip's truth says is visible: the ideal detector.

Run through the real ``ebike_indoor`` rule it gives the best the rule can do on a clip (its k-of-n delay,
its zone test against the truth's boxes); the evaluation quotes the model against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edge.analyzer import AlertDraft
from edge.detect.detections import Detections
from edge.rules.ebike import EbikeRule
from edge.synth.indoor_objects import CLASSES
from sharpeyes.config import CameraConfig


class TruthDetector:
    """Boxes per frame time from a lift truth document (``episodes[].entries[].boxes``), score ``score``."""

    def __init__(self, truth: dict[str, Any], score: float = 0.9) -> None:
        self.score = score
        self.t = 0.0
        self._by_time: dict[float, list[tuple[int, list[float]]]] = {}
        for episode in truth["episodes"]:
            for entry in episode["entries"]:
                for t, *box in entry["boxes"]:
                    self._by_time.setdefault(round(t, 2), []).append((CLASSES.index(entry["class"]), box))

    @property
    def class_names(self) -> list[str]:
        return list(CLASSES)

    def threshold_of(self, class_id: int) -> float:
        return 0.5  # the renderer's boxes are certain (score 0.9)

    def detect(self, frame: np.ndarray) -> Detections:
        found = self._by_time.get(round(self.t, 2), [])
        if not found:
            return Detections.empty()
        return Detections(
            np.array([b for _, b in found], np.float32),
            np.full(len(found), self.score, np.float32),
            np.array([c for c, _ in found], np.int64),
        )


class TruthEbikeRule:
    """``ebike_indoor`` on the truth's boxes: an ``Analyzer`` that tells the detector the frame's time."""

    def __init__(self, camera: CameraConfig, truth: dict[str, Any]) -> None:
        self.detector = TruthDetector(truth)
        self.rule = EbikeRule.from_camera(camera, self.detector)

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        self.detector.t = t_s
        return self.rule.process(frame, t_s)

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self.rule.finish(t_s)
