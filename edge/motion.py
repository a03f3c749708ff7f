"""Cheap per-camera motion gating: run the detector only where something moved, or for a periodic check.

Frames are downscaled to ~160 px wide grey and compared with a fast running average, inside the camera's
zones and outside its masks. A stationary object (an e-bike parked in a lift) makes no motion, so a
periodic ``stationary_every_s`` check still lets the detector look. ``stats`` reports the inference saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

from edge.zonemask import Polygon, analysis_size, zone_mask


class GateReason(StrEnum):
    WARMUP = "warmup"  # first frame: nothing to compare with yet, look once
    MOTION = "motion"
    STATIONARY_CHECK = "stationary_check"
    IDLE = "idle"  # no motion, no check due: the detector is skipped


@dataclass(frozen=True)
class GateDecision:
    run_detector: bool
    reason: GateReason
    changed_fraction: float  # of the gated area
    bbox: tuple[float, float, float, float] | None  # motion extent in full-resolution pixels


@dataclass(frozen=True)
class GateStats:
    frames: int
    detector_runs: int

    @property
    def saved_fraction(self) -> float:
        return 1.0 - self.detector_runs / self.frames if self.frames else 0.0


class MotionGate:
    def __init__(
        self,
        zones: list[Polygon] | None = None,
        masks: list[Polygon] | None = None,
        width: int = 160,
        threshold: float = 15.0,
        min_fraction: float = 0.002,
        alpha: float = 0.3,
        stationary_every_s: float = 10.0,
    ) -> None:
        self._zones = zones or []
        self._masks = masks or []
        self._width = width
        self._threshold = threshold
        self._min_fraction = min_fraction
        self._alpha = alpha
        self._every = stationary_every_s
        self._avg: np.ndarray | None = None
        self._mask: np.ndarray | None = None
        self._area = 1
        self._scale = 1.0
        self._last_run: float | None = None
        self._frames = 0
        self._runs = 0

    def check(self, frame: np.ndarray, t_s: float) -> GateDecision:
        small = self._prepare(frame)
        self._frames += 1
        if self._avg is None or self._mask is None:
            self._avg = small
            return self._decide(True, GateReason.WARMUP, 0.0, None, t_s)
        diff = cv2.absdiff(small, self._avg)
        cv2.accumulateWeighted(small, self._avg, self._alpha)
        moving = (diff > self._threshold) & (self._mask > 0)
        count = int(moving.sum())
        fraction = count / self._area
        if fraction >= self._min_fraction:
            ys, xs = np.nonzero(moving)
            s = self._scale
            bbox = (xs.min() / s, ys.min() / s, (xs.max() + 1) / s, (ys.max() + 1) / s)
            return self._decide(True, GateReason.MOTION, fraction, bbox, t_s)
        if self._last_run is None or t_s - self._last_run >= self._every:
            return self._decide(True, GateReason.STATIONARY_CHECK, fraction, None, t_s)
        return self._decide(False, GateReason.IDLE, fraction, None, t_s)

    @property
    def stats(self) -> GateStats:
        return GateStats(frames=self._frames, detector_runs=self._runs)

    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        sw, sh, scale = analysis_size(w, h, self._width)
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        small: np.ndarray = cv2.resize(grey, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
        small = cv2.GaussianBlur(small, (3, 3), 0)
        if self._mask is None or self._mask.shape != small.shape:
            self._scale = scale
            self._mask = zone_mask((sh, sw), self._zones, self._masks, scale)
            self._area = max(1, int((self._mask > 0).sum()))
            self._avg = None
        return small

    def _decide(
        self,
        run: bool,
        reason: GateReason,
        fraction: float,
        bbox: tuple[float, float, float, float] | None,
        t_s: float,
    ) -> GateDecision:
        if run:
            self._runs += 1
            self._last_run = t_s
        return GateDecision(run_detector=run, reason=reason, changed_fraction=fraction, bbox=bbox)
