"""The people a corridor clip's renderer drew, found exactly: the ideal person detector and silhouette model.

Run through the real ``corridor_clutter`` rule (``benchmarks/clutter_eval.py --people truth``) they give
what the rule does when it knows exactly which pixels are people: a miss that stays is the rule's, a miss
they find is the shipped models' (their boxes and outlines at the feet, say). They are no upper bound on
the rule: its thresholds were tuned with the shipped models' masks, and with exact ones it also makes
mistakes it does not make with those (benchmarks/RESULTS.md, session 35). The renderer draws a frame's
people again at the frame's time, which ``ClockedRule`` sets before the rule sees the frame.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge.analyzer import AlertDraft, Analyzer
from edge.synth.corridor import clip_renderer
from edge.synth.corridor_draw import CorridorRenderer


class TruthPeople:
    """A ``PeopleFinder`` and a ``PeopleShapes`` in one, for the frame at ``t``: each person in view is a
    box around the pixels they show, and the chance that an analysis pixel shows a person is the share of
    its frame pixels they cover (what a perfect model brought to analysis size by area would say)."""

    threshold = 0.5

    def __init__(self, renderer: CorridorRenderer) -> None:
        self.renderer = renderer
        self.t = 0.0
        self._drawn_at: float | None = None
        self._people: list[np.ndarray] = []

    @classmethod
    def of_clip(cls, truth_path: Path, clips: int = 3) -> TruthPeople:
        """The people of a clip ``write_corridor_clip`` wrote (``corridor-SEED-K.truth.json``), one of a
        set of ``clips``."""
        return cls(clip_renderer(truth_path, clips))

    def _apart(self) -> list[np.ndarray]:
        if self._drawn_at != self.t:  # the rule asks for boxes and then chances of one frame
            self._people = self.renderer.people_apart(self.t)
            self._drawn_at = self.t
        return self._people

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        """Each person who shows at ``t``: ``x1, y1, x2, y2`` around their pixels (frame pixels)."""
        boxes = []
        for pixels in self._apart():
            ys, xs = np.nonzero(pixels)
            boxes.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
        return np.array(boxes, np.float32).reshape(-1, 4)

    def chances_at(
        self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float
    ) -> np.ndarray:
        """Per pixel of an image ``shape``, the share of it that people inside ``boxes`` show (a person the
        rule holds where they stood, ``PeopleHold``, is only masked where someone really is)."""
        inside = np.zeros(frame.shape[:2], bool)
        for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
            inside[max(0, int(y1)) : int(np.ceil(y2)), max(0, int(x1)) : int(np.ceil(x2))] = True
        shown = np.zeros(frame.shape[:2], np.float32)
        for pixels in self._apart():
            shown[pixels & inside] = 1.0
        return np.asarray(cv2.resize(shown, (shape[1], shape[0]), interpolation=cv2.INTER_AREA), np.float32)

    def mask(self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray:
        return np.asarray(self.chances_at(frame, boxes, shape, scale) > self.threshold, bool)


class ClockedRule:
    """An ``Analyzer`` that tells ``TruthPeople`` the time of each frame before ``rule`` sees it."""

    def __init__(self, rule: Analyzer, people: TruthPeople) -> None:
        self.rule = rule
        self.people = people

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        self.people.t = t_s
        return self.rule.process(frame, t_s)

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self.rule.finish(t_s)
