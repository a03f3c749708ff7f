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
    streaks_dropped: int = 0  # rain streaks removed before tracking


@dataclass(frozen=True)
class ForegroundSettings:
    scale: float = 0.5  # work on a frame this much smaller
    learning_s: float = 1.2  # background time constant
    foreground_learning_s: float = 15.0  # ... where something is moving
    noise_k: float = 5.0  # threshold = noise_k * measured noise sigma ...
    min_threshold: float = 10.0  # ... but never below this (grey levels)
    max_blob_area: float = 1600.0  # full-frame px: larger is a window lighting up, not a thrown object
    unstable_fraction: float = 0.004  # more foreground than this: look for a global shift
    min_shift_px: float = 0.15  # work pixels: a smaller global shift is noise, not a shake
    unusable_fraction: float = 0.02  # still more after undoing it: skip the frame
    flooded_fraction: float = 0.15  # with no shift found: beyond this the frame says nothing (a flash)
    reset_after_s: float = 1.0  # unusable this long: the camera moved, start the background again
    # rain: streaks one work pixel wide (area within this many times their length); when a frame has at
    # least ``rain_streaks`` of them it is raining, and they are dropped before tracking. A thrown object
    # of 4 px or more is at least two work pixels wide, even blurred by its motion.
    streak_width: float = 1.25
    rain_streaks: int = 60


class ForegroundModel:
    """Feed frames in order; get the blobs that differ from the background."""

    def __init__(self, settings: ForegroundSettings | None = None, mask: np.ndarray | None = None) -> None:
        self.s = settings or ForegroundSettings()
        self._mask = mask  # uint8 full-frame, 255 = ignore
        self._work_mask: np.ndarray | None = None
        self._bg: np.ndarray | None = None
        self._last_t = 0.0
        self._unusable_since: float | None = None
        self._window: np.ndarray | None = None
        self._kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))

    def _grey(self, frame: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        if self.s.scale != 1.0:
            grey = cv2.resize(grey, None, fx=self.s.scale, fy=self.s.scale, interpolation=cv2.INTER_AREA)
        return grey

    def update(self, frame: np.ndarray, t_s: float) -> ForegroundFrame:
        grey = self._grey(frame)
        if self._bg is None or self._bg.shape != grey.shape:
            self._bg = grey.astype(np.float32)
            self._last_t = t_s
            if self._mask is not None:
                self._work_mask = cv2.resize(
                    self._mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_NEAREST
                )
            return ForegroundFrame([], True, 0.0, (0.0, 0.0))
        dt = max(t_s - self._last_t, 1e-3)
        self._last_t = t_s
        alpha = min(1.0, dt / self.s.learning_s)

        fg, fraction = self._foreground(grey, self._bg)
        shift = (0.0, 0.0)
        usable = fraction <= self.s.flooded_fraction
        if fraction > self.s.unstable_fraction:
            dx, dy = self._global_shift(grey, self._bg)
            if abs(dx) > self.s.min_shift_px or abs(dy) > self.s.min_shift_px:
                m = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]])
                size = (grey.shape[1], grey.shape[0])
                steady = cv2.warpAffine(grey, m, size, borderMode=cv2.BORDER_REPLICATE)
                fg_steady, fraction_steady = self._foreground(steady, self._bg)
                # a shake is a shift whose undoing removes foreground; what still lights up (sub-pixel
                # blur of every edge) makes the frame unusable rather than a flood of blobs. Rain or snow
                # may show a small spurious shift, but undoing it removes nothing.
                if fraction_steady < fraction:
                    grey, fg, fraction, shift = steady, fg_steady, fraction_steady, (dx, dy)
                    usable = fraction <= self.s.unusable_fraction
        if not usable:
            if self._unusable_since is None:
                self._unusable_since = t_s
            if t_s - self._unusable_since >= self.s.reset_after_s:
                self._bg = grey.astype(np.float32)
                self._unusable_since = None
            return ForegroundFrame([], False, fraction, shift)
        self._unusable_since = None
        # selective update: what is foreground now is learnt slowly, else an object that starts its fall
        # slowly leaves a ghost in the background that drags its track back (a light switched on still
        # becomes background, in ``foreground_learning_s``)
        moving = cv2.dilate(fg, self._kernel)
        cv2.accumulateWeighted(grey, self._bg, alpha, mask=cv2.bitwise_not(moving))
        cv2.accumulateWeighted(grey, self._bg, min(1.0, dt / self.s.foreground_learning_s), mask=moving)
        blobs, dropped = self._blobs(fg)
        return ForegroundFrame(blobs, True, fraction, shift, dropped)

    def _global_shift(self, grey: np.ndarray, bg: np.ndarray) -> tuple[float, float]:
        """Whole-image translation of ``grey`` against the background, on a ~160 px wide pyramid level."""
        a: np.ndarray = bg
        b: np.ndarray = grey.astype(np.float32)
        level = 0
        while a.shape[1] >= 320:
            a, b = cv2.pyrDown(a), cv2.pyrDown(b)
            level += 1
        if self._window is None or self._window.shape != a.shape:
            self._window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
        if level == 0:
            a = a.copy()  # phaseCorrelate applies the window to its inputs in place (OpenCV 5)
        (dx, dy), _ = cv2.phaseCorrelate(a, b, self._window)
        return float(dx) * 2**level, float(dy) * 2**level

    def _foreground(self, grey: np.ndarray, bg: np.ndarray) -> tuple[np.ndarray, float]:
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
        return fg, fraction

    def _blobs(self, fg: np.ndarray) -> tuple[list[Blob], int]:
        """Blobs in the background's coordinates (a shake is undone), so tracks stay on the facade; and how
        many rain streaks were dropped.

        Rain puts hundreds of fresh streaks in every frame; each would be a track to follow and a piece
        to link (most of the detector's time in heavy rain, for no fall). So when a frame holds
        ``rain_streaks`` streaks or more, they are not blobs."""
        _, _, stats, centroids = cv2.connectedComponentsWithStats(fg, connectivity=8)
        inv = 1.0 / self.s.scale
        max_area = self.s.max_blob_area * self.s.scale * self.s.scale
        area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
        width = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
        height = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
        keep = area <= max_area
        streak = area <= self.s.streak_width * np.maximum(width, height)
        dropped = int(np.count_nonzero(streak & keep))
        if dropped >= self.s.rain_streaks:
            keep &= ~streak
        else:
            dropped = 0
        blobs: list[Blob] = []
        for i in np.flatnonzero(keep):
            cx, cy = centroids[i + 1]
            blobs.append(
                Blob(
                    (float(cx) + 0.5) * inv - 0.5,
                    (float(cy) + 0.5) * inv - 0.5,
                    float(width[i]) * inv,
                    float(height[i]) * inv,
                    float(area[i]) * inv * inv,
                )
            )
        return blobs, dropped
