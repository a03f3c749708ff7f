"""``ThrowDetector``: the ``high_altitude_throw`` Analyzer for one facade camera.

Per frame: foreground blobs → tracker; ended tracks → chains of pieces that continue each other
(``chains``); per finished chain: the physics test on the whole path; per fall: one alert, with ``t_s``
when the object was first seen, the origin floor, the trajectory, and the evidence image. The alert leaves
when the chain ends (the object landed or left the view, plus the tracker's coast or ``links.link_s``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.analyzer import AlertDraft
from edge.throw.chains import Chain, ChainLinker, LinkSettings, judge_chain
from edge.throw.evidence import FrameRing, compose
from edge.throw.floors import FloorScale
from edge.throw.foreground import ForegroundModel, ForegroundSettings
from edge.throw.tracker import SmallBlobTracker, Track, TrackerSettings
from edge.throw.trajectory import FallCriteria, FallVerdict
from sharpeyes.config import CameraConfig
from sharpeyes.contract import AlertKind, Severity, ThrowAttributes

DETECTOR_NAME = "sharpeyes-throw-physics"
DETECTOR_VERSION = "0.3.0"


@dataclass(frozen=True)
class ThrowSettings:
    foreground: ForegroundSettings = field(default_factory=ForegroundSettings)
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    criteria: FallCriteria = field(default_factory=FallCriteria)
    links: LinkSettings = field(default_factory=LinkSettings)
    evidence: bool = True
    # a second fall track this soon after and below the last one is the same object, found again
    same_fall_s: float = 1.0
    same_fall_px: float = 80.0


@dataclass(frozen=True)
class FallEvent:
    """A fall as decided: the track and its verdict (the draft is built from it)."""

    track: Track
    verdict: FallVerdict


def mask_image(polygons: list[list[list[float]]], shape: tuple[int, int]) -> np.ndarray | None:
    if not polygons:
        return None
    mask = np.zeros(shape, np.uint8)
    for poly in polygons:
        cv2.fillPoly(mask, [np.round(np.asarray(poly)).astype(np.int32)], 255)
    return mask


class ThrowDetector:
    def __init__(
        self,
        scale: FloorScale,
        settings: ThrowSettings | None = None,
        mask_polygons: list[list[list[float]]] | None = None,
    ) -> None:
        self.scale = scale
        self.s = settings or ThrowSettings()
        self._mask_polygons = mask_polygons or []
        self._fg: ForegroundModel | None = None
        self.tracker = SmallBlobTracker(scale, self.s.tracker)
        self.ring = FrameRing()
        self.linker = ChainLinker(self.s.links)
        self._recent: list[Track] = []
        self._view: tuple[int, int] | None = None  # frame (width, height), once seen
        self.events: list[FallEvent] = []  # every fall decided, for benchmarks and tests
        self.rejected = 0

    @classmethod
    def for_camera(cls, camera: CameraConfig, settings: ThrowSettings | None = None) -> ThrowDetector:
        if camera.facade is None:
            raise ValueError(f"camera {camera.id}: high_altitude_throw needs a facade: block")
        return cls(FloorScale.from_config(camera.facade), settings, [list(map(list, p)) for p in camera.mask])

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        if self._fg is None:
            self._view = (frame.shape[1], frame.shape[0])
            self._fg = ForegroundModel(self.s.foreground, mask_image(self._mask_polygons, frame.shape[:2]))
        fg = self._fg.update(frame, t_s)
        if self.s.evidence:
            self.ring.offer(frame, t_s)
        # a rainy frame stays a cluttered one for the physics test, though its streaks were dropped
        clutter = len(fg.blobs) + fg.streaks_dropped
        ended = self.tracker.step(fg.blobs, t_s, clutter) if fg.usable else self.tracker.skip(t_s)
        return self._decide(self.linker.update(ended, self.tracker.live, t_s))

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self._decide(self.linker.update(self.tracker.flush(), [], t_s, final=True))

    def _decide(self, chains: list[Chain]) -> list[AlertDraft]:
        drafts: list[AlertDraft] = []
        for chain in chains:
            judged = judge_chain(chain, self.scale, self.s.criteria, self.s.links, self._view)
            if judged is None:
                self.rejected += 1
                continue
            track, verdict = judged
            if self._continues_recent(track):
                continue
            self._recent = [*self._recent[-7:], track]
            self.events.append(FallEvent(track, verdict))
            drafts.append(self._draft(track, verdict))
        return drafts

    def _continues_recent(self, track: Track) -> bool:
        t0, x0, y0 = track.points[0]
        for prev in self._recent:
            tp = [p[0] for p in prev.points]
            if not tp[0] <= t0 <= tp[-1] + self.s.same_fall_s:
                continue
            # where the earlier track was when this one began (or where it was last seen)
            xp = float(np.interp(t0, tp, [p[1] for p in prev.points]))
            yp = float(np.interp(t0, tp, [p[2] for p in prev.points]))
            if abs(x0 - xp) < self.s.same_fall_px and y0 > yp - 20:
                return True
        return False

    def _draft(self, track: Track, verdict: FallVerdict) -> AlertDraft:
        if verdict.origin_floor is None:
            raise ValueError("a fall verdict without an origin floor")
        pts = track.points
        size = max(track.sizes) / 2 + 2
        xs = [p[1] for p in pts]
        ys = [p[2] for p in pts]
        bbox = (max(min(xs) - size, 0.0), max(min(ys) - size, 0.0), max(xs) + size, max(ys) + size)
        step = max(1, len(pts) // 2000 + 1) if len(pts) > 2000 else 1
        trajectory = [[round(t, 3), round(x, 1), round(y, 1)] for t, x, y in pts[::step]]
        snapshot = compose(self.ring, pts, self.scale, verdict.origin_floor) if self.s.evidence else None
        return AlertDraft(
            kind=AlertKind.HIGH_ALTITUDE_THROW,
            t_s=pts[0][0],
            confidence=verdict.confidence,
            severity=Severity.CRITICAL if verdict.origin_floor >= 4 else Severity.HIGH,
            bbox=bbox,
            attributes=ThrowAttributes(origin_floor=verdict.origin_floor, trajectory=trajectory),
            snapshot_jpeg=snapshot,
            event_key=f"throw-{round(pts[0][0] * 1000)}",
        )
