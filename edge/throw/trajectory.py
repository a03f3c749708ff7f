"""Is this track a fall? A physics test over ``(t_s, x_px, y_px)`` points; pure functions only.

Rows become metres through the facade's floor lines (``FloorScale``), then ``z(t) = z0 + v0·t − ½·g·t²``
is fitted by least squares. A thrown or dropped object accelerates down at about 9.81 m/s² (less for light
objects, through air drag); what is not a fall fails one of the checks, in this order:

- too few points or too short in time (rain and snow streaks, noise);
- ends higher than it starts (birds climbing, taking off);
- ends above the roof line (snow or a bird against the sky: what falls from the building comes down the
  facade; a flake entering at the top edge of the frame even seems to speed up, as its blob grows into view);
- ends on the facade, more than a floor above the ground and away from the frame's edges (when the frame
  size is given): a thrown object comes down to the ground or leaves the picture, while a leaf lost at the
  bottom of its swing, or a bird settling on a ledge, stops in mid-facade;
- too little drop (horizontal birds, curtains, flickering windows, camera shake);
- too fast sideways for its drop (birds gliding down);
- swinging sideways: a thrown object's sideways motion is nearly uniform (drag is small), a sheet of
  paper, a leaf or a flapping bird accelerates sideways as much as it does down;
- acceleration far below gravity (leaves, paper, gliding birds, snow at terminal speed) or far above;
- a poor fit (flapping, swaying, chance links between rain streaks);
- in clutter (rain, snow: many blobs per frame), a track seen in too few of its frames or whose blob
  size jumps from frame to frame: a chain of different streaks, not one object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from edge.throw.floors import FloorScale

G = 9.81

TrackPoint = tuple[float, float, float]  # (t_s, x_px, y_px)


class Reason(StrEnum):
    FALL = "fall"
    TOO_FEW_POINTS = "too_few_points"
    TOO_SHORT = "too_short"
    RISING = "rising"
    ABOVE_ROOF = "above_roof"
    ENDS_ON_FACADE = "ends_on_facade"
    SMALL_DROP = "small_drop"
    SIDEWAYS = "sideways"
    SWAYING = "swaying"
    WEAK_ACCELERATION = "weak_acceleration"
    EXCESSIVE_ACCELERATION = "excessive_acceleration"
    POOR_FIT = "poor_fit"
    PATCHY = "patchy"
    CHANGING_SIZE = "changing_size"


@dataclass(frozen=True)
class FallCriteria:
    min_points: int = 6
    min_duration_s: float = 0.24
    min_drop_m: float = 2.0
    # a path must end this many floors above the ground line or lower, or by the frame's edge (this many
    # pixels, or one and a half of its last step): where a fall ends
    end_floors: float = 1.0
    edge_px: float = 24.0
    g_min: float = 4.5  # light objects fall with drag; leaves and paper are near 0
    g_max: float = 16.0
    max_rms_m: float = 0.35
    max_rms_fraction: float = 0.05  # of the drop: long falls tolerate a larger perspective error
    max_sideways_mps: float = 7.0
    max_sideways_accel: float = 4.0  # m/s², beyond three standard errors of the fit
    # in a frame full of blobs (rain, snow) chance links are likelier: ask for more evidence
    cluttered_blobs: float = 40.0
    cluttered_min_points: int = 14
    cluttered_rms_factor: float = 0.6
    origin_window_s: float = 0.8  # the early part of the track that the origin is extrapolated from
    max_backtrack_s: float = 1.2  # how far before the first point the origin may lie
    max_gap_fraction: float = 0.4  # of steps longer than 1.5 frame intervals
    cluttered_max_gap_fraction: float = 0.15
    cluttered_max_size_jump: float = 0.35  # median |log(size ratio)| between consecutive points


@dataclass(frozen=True)
class FallFit:
    t0: float  # time of the first point, seconds
    z0_m: float  # fitted height at t0
    v0_mps: float  # fitted vertical speed at t0, up positive
    g_mps2: float  # fitted downward acceleration
    rms_m: float
    sideways_mps: float
    drop_m: float  # highest fitted height minus last observed height
    sideways_accel: float = 0.0  # |fitted sideways acceleration|, m/s²
    sideways_accel_se: float = 0.0  # its standard error

    def height_at(self, t: float) -> float:
        dt = t - self.t0
        return self.z0_m + self.v0_mps * dt - 0.5 * self.g_mps2 * dt * dt

    @property
    def apex_t(self) -> float:
        """When the fitted path is highest: t0, unless the object was still rising when first seen."""
        if self.v0_mps <= 0 or self.g_mps2 <= 0:
            return self.t0
        return self.t0 + self.v0_mps / self.g_mps2


@dataclass(frozen=True)
class FallVerdict:
    reason: Reason
    fit: FallFit | None = None
    origin_floor: int | None = None
    origin_t: float | None = None
    confidence: float = 0.0

    @property
    def is_fall(self) -> bool:
        return self.reason is Reason.FALL


def fit_fall(points: Sequence[TrackPoint], scale: FloorScale) -> FallFit:
    """Least-squares ``z(t)`` parabola in metres and a straight sideways path; needs ≥ 3 points."""
    arr = np.asarray(points, dtype=np.float64)
    t = arr[:, 0] - arr[0, 0]
    z = scale.height_m(arr[:, 2])
    a2, a1, a0 = np.polyfit(t, z, 2)
    rms = float(np.sqrt(np.mean((np.polyval((a2, a1, a0), t) - z) ** 2)))
    # sideways metres step by step: the scale changes with the row, so x / scale would invent motion
    ppm = np.array([scale.pixels_per_metre(float(y)) for y in arr[:, 2]])
    x_m = np.concatenate([[0.0], np.cumsum(np.diff(arr[:, 1]) / ((ppm[1:] + ppm[:-1]) / 2))])
    sideways = float(abs(np.polyfit(t, x_m, 1)[0])) if t[-1] > 0 else 0.0
    accel_x, accel_se = 0.0, 0.0
    if len(t) >= 5 and t[-1] > 0:
        coeff, cov = np.polyfit(t, x_m, 2, cov=True)
        accel_x, accel_se = float(abs(2 * coeff[0])), float(2 * np.sqrt(max(cov[0, 0], 0.0)))
    g = -2.0 * float(a2)
    v0 = float(a1)
    fit = FallFit(float(arr[0, 0]), float(a0), v0, g, rms, sideways, 0.0)
    top = fit.height_at(min(fit.apex_t, float(arr[-1, 0])))
    return FallFit(fit.t0, fit.z0_m, v0, g, rms, sideways, float(top - z[-1]), accel_x, accel_se)


def fall_origin(
    points: Sequence[TrackPoint], scale: FloorScale, criteria: FallCriteria
) -> tuple[float, float]:
    """Where and when the fall began: the top of the path, found from its early part.

    Early in a fall drag is negligible, so ``z = z0 + v0·τ − ½·g·τ²`` with g = 9.81 fits the first
    ``origin_window_s`` well, and its top (zero vertical speed) is the release point of a dropped or
    sideways-thrown object, the apex of one thrown upward, and at most ``v0²/2g`` above the release of
    one thrown down. The top may lie before the first tracked point: a dark object in front of a dark
    window is only seen once it has dropped below the sill. It is bounded by ``max_backtrack_s``.
    """
    arr = np.asarray(points, dtype=np.float64)
    early = arr[arr[:, 0] <= arr[0, 0] + criteria.origin_window_s]
    if len(early) < 4:
        early = arr[: max(4, len(early))]
    tau = early[:, 0] - arr[0, 0]
    z = scale.height_m(early[:, 2]) + 0.5 * G * tau**2
    design = np.stack([np.ones_like(tau), tau], axis=1)
    (z0, v0), *_ = np.linalg.lstsq(design, z, rcond=None)
    t_top = float(np.clip(v0 / G, -criteria.max_backtrack_s, float(arr[-1, 0] - arr[0, 0])))
    return float(arr[0, 0] + t_top), float(z0 + v0 * t_top - 0.5 * G * t_top**2)


def ends_down_or_out(
    points: Sequence[TrackPoint], z_end: float, scale: FloorScale, c: FallCriteria, view: tuple[int, int]
) -> bool:
    """Whether a path ends where a fall does: near the ground, or at the edge of the picture."""
    if z_end <= c.end_floors * scale.meters_per_floor:
        return True
    _, x, y = points[-1]
    _, xp, yp = points[-2]
    margin = max(c.edge_px, 1.5 * math.hypot(x - xp, y - yp))
    width, height = view
    return y >= height - margin or x <= margin or x >= width - margin


def judge_track(
    points: Sequence[TrackPoint],
    scale: FloorScale,
    criteria: FallCriteria | None = None,
    blobs_per_frame: float = 0.0,
    sizes: Sequence[float] | None = None,
    view: tuple[int, int] | None = None,
) -> FallVerdict:
    """The verdict on one finished track; ``blobs_per_frame`` is how cluttered its frames were, ``sizes``
    the blob size at each point (checked in clutter only), ``view`` the frame's (width, height) (where a
    path ends is checked only when it is given)."""
    c = criteria or FallCriteria()
    cluttered = blobs_per_frame >= c.cluttered_blobs
    min_points = c.cluttered_min_points if cluttered else c.min_points
    if len(points) < max(min_points, 3):
        return FallVerdict(Reason.TOO_FEW_POINTS)
    if points[-1][0] - points[0][0] < c.min_duration_s:
        return FallVerdict(Reason.TOO_SHORT)
    z = scale.height_m(np.array([p[2] for p in points]))
    if z[-1] >= z[0]:
        return FallVerdict(Reason.RISING)
    if z[-1] > scale.floors * scale.meters_per_floor:
        return FallVerdict(Reason.ABOVE_ROOF)
    if view is not None and not ends_down_or_out(points, float(z[-1]), scale, c, view):
        return FallVerdict(Reason.ENDS_ON_FACADE)
    fit = fit_fall(points, scale)
    if fit.drop_m < c.min_drop_m or float(z.max() - z[-1]) < c.min_drop_m:
        return FallVerdict(Reason.SMALL_DROP, fit)
    if fit.sideways_mps > c.max_sideways_mps:
        return FallVerdict(Reason.SIDEWAYS, fit)
    if fit.sideways_accel > c.max_sideways_accel + 3 * fit.sideways_accel_se:
        return FallVerdict(Reason.SWAYING, fit)
    if fit.g_mps2 < c.g_min:
        return FallVerdict(Reason.WEAK_ACCELERATION, fit)
    if fit.g_mps2 > c.g_max:
        return FallVerdict(Reason.EXCESSIVE_ACCELERATION, fit)
    max_rms = max(c.max_rms_m, c.max_rms_fraction * fit.drop_m) * (
        c.cluttered_rms_factor if cluttered else 1.0
    )
    if fit.rms_m > max_rms:
        return FallVerdict(Reason.POOR_FIT, fit)
    steps = np.diff([p[0] for p in points])
    gap_fraction = float(np.mean(steps > 1.5 * float(np.min(steps))))
    if gap_fraction > (c.cluttered_max_gap_fraction if cluttered else c.max_gap_fraction):
        return FallVerdict(Reason.PATCHY, fit)
    if cluttered and sizes is not None and len(sizes) == len(points):
        jumps = np.abs(np.diff(np.log(np.maximum(np.asarray(sizes, dtype=np.float64), 1.0))))
        if float(np.median(jumps)) > c.cluttered_max_size_jump:
            return FallVerdict(Reason.CHANGING_SIZE, fit)
    origin_t, origin_z = fall_origin(points, scale, c)
    floor = scale.floor_at(origin_z)
    confidence = (
        0.5
        + 0.2 * min(1.0, len(points) / 20)
        + 0.2 * (1.0 - min(1.0, abs(fit.g_mps2 - G) / 8.0))
        + 0.1 * (1.0 - fit.rms_m / max_rms)
    )
    return FallVerdict(Reason.FALL, fit, floor, origin_t, round(min(1.0, max(0.0, confidence)), 3))
