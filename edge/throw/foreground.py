"""Small moving blobs on a facade: a running-average background, gain-compensated, on a downscaled grey frame.

Cheap on purpose (one core runs many cameras): a grey frame at half size, one running average, one
threshold set from the measured noise, one connected-components pass. Whole-image changes are handled
before blobs are cut: a lighting or exposure change is a gain (compensated), a shake is a shift
(measured by phase correlation and undone), and a frame that still lights up everywhere is unusable.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Blob:
    x: float  # centroid, full-frame pixels
    y: float
    w: float
    h: float
    area: float  # full-frame pixels


@dataclass(frozen=True)
class ForegroundFrame:
    blobs: list[Blob]
    usable: bool  # False while the whole image moves (shake that could not be undone)
    foreground_fraction: float
    shift_px: tuple[float, float]


@dataclass(frozen=True)
class ForegroundSettings:
    scale: float = 0.5  # work on a frame this much smaller
    learning_s: float = 1.2  # background time constant
    noise_k: float = 5.0  # threshold = noise_k * measured noise sigma ...
    min_threshold: float = 10.0  # ... but never below this (grey levels)
    max_blob_area: float = 1600.0  # full-frame px: larger is a window lighting up, not a thrown object
    unstable_fraction: float = 0.004  # more foreground than this: look for a global shift
    unusable_fraction: float = 0.02  # still more after undoing it: skip the frame
    reset_after_s: float = 1.0  # unusable this long: the camera moved, start the background again


class ForegroundModel:
    """Feed frames in order; get the blobs that differ from the background."""

    def __init__(self, settings: ForegroundSettings | None = None, mask: np.ndarray | None = None) -> None:
        self.s = settings or ForegroundSettings()
        self._mask = mask  # uint8 full-frame, 255 = ignore
        self._work_mask: np.ndarray | None = None
        self._bg: np.ndarray | None = None
        self._last_t = 0.0
        self._unusable_since: float | None = None
        self.last_grey: np.ndarray | None = None

    def _grey(self, frame: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        if self.s.scale != 1.0:
            grey = cv2.resize(grey, None, fx=self.s.scale, fy=self.s.scale, interpolation=cv2.INTER_AREA)
        return grey

    def update(self, frame: np.ndarray, t_s: float) -> ForegroundFrame:
        grey = self._grey(frame)
        self.last_grey = grey
        if self._bg is None or self._bg.shape != grey.shape:
            self._bg = grey.astype(np.float32)
            self._last_t = t_s
            if self._mask is not None:
                self._work_mask = cv2.resize(self._mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_NEAREST)
            return ForegroundFrame([], True, 0.0, (0.0, 0.0))
        dt = max(t_s - self._last_t, 1e-3)
        self._last_t = t_s
        alpha = min(1.0, dt / self.s.learning_s)

        fg, fraction, gain = self._foreground(grey, self._bg)
        shift = (0.0, 0.0)
        usable = True
        if fraction > self.s.unstable_fraction:
            # the shift, measured at a quarter of the work size: enough for a shake, and cheap
            small_bg = cv2.pyrDown(cv2.pyrDown(self._bg))
            small = cv2.pyrDown(cv2.pyrDown(grey)).astype(np.float32)
            (dx, dy), _ = cv2.phaseCorrelate(small_bg, small)
            dx, dy = 4 * dx, 4 * dy
            if abs(dx) > 0.4 or abs(dy) > 0.4:
                shift = (float(dx), float(dy))
                m = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]])
                steady = cv2.warpAffine(grey, m, (grey.shape[1], grey.shape[0]), borderMode=cv2.BORDER_REPLICATE)
                fg, fraction, gain = self._foreground(steady, self._bg)
                grey = steady
            usable = fraction <= self.s.unusable_fraction
        if not usable:
            if self._unusable_since is None:
                self._unusable_since = t_s
            if t_s - self._unusable_since >= self.s.reset_after_s:
                self._bg = grey.astype(np.float32)
                self._unusable_since = None
            return ForegroundFrame([], False, fraction, shift)
        self._unusable_since = None
        cv2.accumulateWeighted(grey, self._bg, alpha)
        return ForegroundFrame(self._blobs(fg), True, fraction, shift)

    def _foreground(self, grey: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, float, float]:
        # lighting and exposure changes are a gain on the whole image: compare against the scaled background
        sample_g = grey[::8, ::8].astype(np.float32)
        sample_b = bg[::8, ::8]
        gain = float(np.median(sample_g / np.maximum(sample_b, 8.0)))
        ref = cv2.convertScaleAbs(bg, alpha=gain)
        diff = cv2.absdiff(grey, ref)
        sigma = 1.4826 * float(np.median(np.abs(sample_g - sample_b * gain)))
        threshold = max(self.s.min_threshold, self.s.noise_k * sigma)
        _, fg = cv2.threshold(diff, threshold, 255, cv2.THRESH_BINARY)
        if self._work_mask is not None:
            fg[self._work_mask > 0] = 0
        fraction = cv2.countNonZero(fg) / fg.size
        return fg, fraction, gain

    def _blobs(self, fg: np.ndarray) -> list[Blob]:
        """Blobs in the background's coordinates (a shake is undone), so tracks stay on the facade."""
        n, _, stats, centroids = cv2.connectedComponentsWithStats(fg, connectivity=8)
        inv = 1.0 / self.s.scale
        max_area = self.s.max_blob_area * self.s.scale * self.s.scale
        blobs: list[Blob] = []
        for i in range(1, n):
            area = float(stats[i, cv2.CC_STAT_AREA])
            if area > max_area:
                continue
            cx, cy = centroids[i]
            blobs.append(
                Blob(
                    (float(cx) + 0.5) * inv - 0.5,
                    (float(cy) + 0.5) * inv - 0.5,
                    float(stats[i, cv2.CC_STAT_WIDTH]) * inv,
                    float(stats[i, cv2.CC_STAT_HEIGHT]) * inv,
                    area * inv * inv,
                )
            )
        return blobs
